/* SPDX-License-Identifier: Apache-2.0 */
/*
 * partition-check.c -- issue 12 (r-harden, round 27): `folio run` on a
 * shard's job checks the shard against its partition before it loads
 * anything (folio/partition.h, folio_partition_check_shard).
 *
 * A shard's job (DIR/sII/job.yaml, beside DIR/sII/shard.json) ran whatever
 * feeds it found: feeds edited, truncated or swapped with another shard's
 * after the cut, a job file pointing at another partition's feeds, a cut
 * killed half way (DIR/.partition-incomplete) -- each mailed a different set
 * of statements with exit 0, noticed (if at all) by `folio merge`.  Now each
 * is a job error (exit 2) naming the file:
 *
 *   - DIR/.partition-incomplete there, or no DIR/partition.json;
 *   - shard.json's partition id is not partition.json's (the shard
 *     directory comes from another cut), or its index/count is not the
 *     run's --shard (or the run has no --shard);
 *   - the job's feeds are not the partition's (one more, one fewer, or one
 *     read from elsewhere than this shard's feeds/);
 *   - a feed's size, then its SHA-256, is not what partition.json records
 *     for this shard (the digest is always taken: ~1.7 GB/s with SHA-NI on
 *     the test machine, under 1% of a shard run's CPU -- perf/README.md,
 *     "Round 27: hardening").
 *
 * A job beside no shard.json that reads a shard's feeds (its job file
 * copied elsewhere, or its shard.json removed): exit 2 as well (round 28,
 * feeds_of_no_shard).  Not checked here, the operator's: partition.json
 * and shard.json edited together with the feeds (their digests are not
 * signed: a scheduler that must tell a forged cut keeps partition.json's
 * SHA-256, or the directory read-only, from the cut to the merge).
 */
#include "folio/job.h"
#include "folio/partition.h"
#include "verify-private.h"

#include <errno.h>
#include <limits.h>
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>


/* r-harden (round 28): a job beside no shard.json is no shard's job -- but
 * a shard's feeds read through it were run unchecked: the shard's job file
 * copied out of its directory (the feeds then read by absolute path), or
 * the shard's shard.json removed.  Either ran a subset of the households
 * (a shard's feeds) as a whole job or as --shard I/N of them, with exit 0.
 * A feed in DIR/feeds/ where DIR holds a shard.json, or where DIR's parent
 * holds a folio partition.json, is a shard's: a job error naming it. */
static int feeds_of_no_shard(const char *job_path, folio_error *err)
{
    folio_error le = {0};
    folio_job *J = job_load(job_path, &le);
    if (!J)
        return FOLIO_EXIT_OK;            /* the run reports it, as before */
    int rc = FOLIO_EXIT_OK;
    char a[PATH_MAX], sd[PATH_MAX], path[PATH_MAX + 64];
    struct stat st;
    for (int i = 0; i < J->n_feeds && rc == FOLIO_EXIT_OK; i++) {
        const folio_feed_def *d = &J->feeds[i];
        if (!d->path || !realpath(d->path, a))
            continue;
        char *sl = strrchr(a, '/');
        if (!sl || sl == a)
            continue;
        *sl = 0;                          /* a: the feed's directory */
        sl = strrchr(a, '/');
        if (!sl || strcmp(sl + 1, "feeds"))
            continue;
        snprintf(sd, sizeof sd, "%.*s", (int)(sl - a), a);   /* its parent */
        if (!sd[0])
            continue;
        snprintf(path, sizeof path, "%s/shard.json", sd);
        if (lstat(path, &st) == 0) {
            folio_error_set(err, FOLIO_EXIT_USAGE, "%s:%d: feed '%s' is a feed of the "
                            "partition shard %s (%s), but this job file is not that "
                            "shard's: it would run unchecked; run %s/job.yaml", job_path,
                            d->line, d->name, sd, path, sd);
            rc = FOLIO_EXIT_USAGE;
            break;
        }
        snprintf(path, sizeof path, "%s/../partition.json", sd);
        verify_json *pj = lstat(path, &st) == 0 ? verify_json_read_file(path, &le) : NULL;
        const char *g = pj ? verify_json_str(pj, "generator") : NULL;
        /* only a directory the partition made: sNN, NN within its shards
         * (a job beside a cut, e.g. the full job whose feeds were cut into
         * the directory above, is not a shard and runs as it is) */
        const char *bn = strrchr(sd, '/');
        bn = bn ? bn + 1 : sd;
        int64_t pn = 0;
        char *end = NULL;
        long sn = bn[0] == 's' && isdigit((unsigned char)bn[1]) && isdigit((unsigned char)bn[2])
                      ? strtol(bn + 1, &end, 10) : 0;
        bool shard_dir = sn > 0 && end && !*end && pj && verify_json_int(pj, "shards", &pn) &&
                         sn <= pn;
        if (shard_dir && (!g || !strncmp(g, "folio", 5))) {
            folio_error_set(err, FOLIO_EXIT_USAGE, "%s:%d: feed '%s' is in %s/feeds of "
                            "the partition %s, but %s/shard.json is missing: the shard "
                            "cannot be checked against its partition; cut the feeds again "
                            "(folio partition)", job_path, d->line, d->name, sd, path, sd);
            rc = FOLIO_EXIT_USAGE;
        }
        verify_json_free(pj);
    }
    job_free(J);
    return rc;
}

int folio_partition_check_shard(const char *job_path, int shard_index, int shard_count,
                                folio_error *err)
{
    char jd[PATH_MAX], path[PATH_MAX + 64], part[PATH_MAX];
    snprintf(jd, sizeof jd, "%s", job_path);
    char *sl = strrchr(jd, '/');
    if (sl)
        *sl = 0;
    else
        snprintf(jd, sizeof jd, ".");
    struct stat st;
    snprintf(path, sizeof path, "%s/shard.json", jd);
    if (lstat(path, &st) != 0 && errno == ENOENT)
        return feeds_of_no_shard(job_path, err);    /* r-harden (round 28) */
    verify_json *sj = verify_json_read_file(path, err), *pj = NULL;
    folio_job *J = NULL;
    int rc = FOLIO_EXIT_USAGE;
    int64_t si = 0, sn = 0, pn = 0;
    const char *sid = sj ? verify_json_str(sj, "partition") : NULL;
    if (!sj)
        goto done;
    if (!verify_json_int(sj, "index", &si) || !verify_json_int(sj, "count", &sn) || !sid) {
        folio_error_set(err, FOLIO_EXIT_USAGE, "%s: no index, count and partition id: a "
                        "shard of an earlier folio partition (or not one); cut the feeds "
                        "again with this folio", path);
        goto done;
    }
    snprintf(path, sizeof path, "%s/..", jd);
    if (!realpath(path, part)) {
        folio_error_set(err, FOLIO_EXIT_USAGE, "%s: %s", path, strerror(errno));
        goto done;
    }
    snprintf(path, sizeof path, "%s/.partition-incomplete", part);
    if (lstat(path, &st) == 0) {
        folio_error_set(err, FOLIO_EXIT_USAGE, "%s: the folio partition into %s did not "
                        "finish (it was killed or failed): its shards are incomplete; run "
                        "folio partition again", path, part);
        goto done;
    }
    snprintf(path, sizeof path, "%s/partition.json", part);
    if (lstat(path, &st) != 0) {
        folio_error_set(err, FOLIO_EXIT_USAGE, "%s: %s: a shard is checked against its "
                        "partition's record, written last: the cut did not finish (run folio "
                        "partition again), or the shard directory was copied without it "
                        "(copy partition.json into the directory above it, or run the shard "
                        "inside its partition)", path, strerror(errno));
        goto done;
    }
    if (!(pj = verify_json_read_file(path, err)))
        goto done;
    const char *pid = verify_json_str(pj, "id");
    const verify_json *feeds = verify_json_get(pj, "feeds");
    if (!pid || !verify_json_int(pj, "shards", &pn) || !feeds) {
        folio_error_set(err, FOLIO_EXIT_USAGE, "%s: no id, shards and feeds: a partition of "
                        "an earlier folio; cut the feeds again with this folio", path);
        goto done;
    }
    if (strcmp(pid, sid) || pn != sn || si < 1 || si > sn) {
        folio_error_set(err, FOLIO_EXIT_USAGE, "%s/shard.json: shard %lld of %lld of partition "
                        "%s, but %s is partition %s of %lld shards: the shard directory comes "
                        "from another cut", jd, (long long)si, (long long)sn, sid, path, pid,
                        (long long)pn);
        goto done;
    }
    if (shard_count != sn || shard_index != si) {
        if (shard_count)
            folio_error_set(err, FOLIO_EXIT_USAGE, "%s: shard %lld of %lld of the partition "
                            "in %s (%s/shard.json), not --shard %d/%d", job_path,
                            (long long)si, (long long)sn, part, jd, shard_index, shard_count);
        else
            folio_error_set(err, FOLIO_EXIT_USAGE, "%s: shard %lld of %lld of the partition "
                            "in %s (%s/shard.json): run it with --shard %lld/%lld", job_path,
                            (long long)si, (long long)sn, part, jd, (long long)si,
                            (long long)sn);
        goto done;
    }
    if (!(J = job_load(job_path, err)))
        goto done;
    int nf = verify_json_len(feeds);
    for (int i = 0; i < J->n_feeds; i++) {
        const folio_feed_def *d = &J->feeds[i];
        const verify_json *e = NULL;
        for (int k = 0; k < nf && !e; k++) {
            const char *nm = verify_json_str(verify_json_at(feeds, k), "name");
            if (nm && !strcmp(nm, d->name))
                e = verify_json_at(feeds, k);
        }
        const char *file = e ? verify_json_str(e, "file") : NULL;
        const verify_json *sf = e ? verify_json_at(verify_json_get(e, "shard_files"),
                                                   (int)si - 1) : NULL;
        const char *sha = sf ? verify_json_str(sf, "sha256") : NULL;
        int64_t bytes = -1;
        if (!file || !sha || !verify_json_int(sf, "bytes", &bytes)) {
            folio_error_set(err, FOLIO_EXIT_USAGE, "%s:%d: feed '%s' is not a feed of the "
                            "partition in %s (partition.json): a shard's job reads only "
                            "the partition's feeds", job_path, d->line, d->name, part);
            goto done;
        }
        char want[PATH_MAX + 300], a[PATH_MAX], b[PATH_MAX];
        snprintf(want, sizeof want, "%s/feeds/%s", jd, file);
        if (!realpath(d->path, a) || !realpath(want, b) || strcmp(a, b)) {
            folio_error_set(err, FOLIO_EXIT_USAGE, "%s:%d: feed '%s' reads %s, not this "
                            "shard's %s: a shard's job reads only its own feeds", job_path,
                            d->line, d->name, d->path, want);
            goto done;
        }
        char hex[65] = "";
        uint64_t got = 0;
        bool same = stat(a, &st) == 0 && (uint64_t)st.st_size == (uint64_t)bytes;
        if (same) {
            if (!folio_sha256_file(a, hex, &got, err)) {
                rc = err->code ? err->code : FOLIO_EXIT_FAILED;
                goto done;
            }
            same = got == (uint64_t)bytes && !strcmp(hex, sha);
        } else {
            got = (uint64_t)st.st_size;
        }
        if (!same) {
            folio_error_set(err, FOLIO_EXIT_USAGE, "%s: %llu bytes%s%.16s%s, but %s/partition.json "
                            "records %lld bytes, SHA-256 %.16s... for shard %lld: the feed "
                            "changed after the partition (edited, truncated or another "
                            "shard's); cut the feeds again", a, (unsigned long long)got,
                            hex[0] ? ", SHA-256 " : "", hex, hex[0] ? "..." : "", part, (long long)bytes, sha,
                            (long long)si);
            goto done;
        }
    }
    if (J->n_feeds != nf) {
        folio_error_set(err, FOLIO_EXIT_USAGE, "%s: %d feed(s), but the partition in %s has "
                        "%d: a shard's job reads every feed of its partition", job_path,
                        J->n_feeds, part, nf);
        goto done;
    }
    rc = FOLIO_EXIT_OK;
done:
    job_free(J);
    verify_json_free(sj);
    verify_json_free(pj);
    return rc;
}
