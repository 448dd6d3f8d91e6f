/* SPDX-License-Identifier: Apache-2.0 */
/*
 * publish.c -- `folio run`'s output directory OUT (see publish.h).
 *
 * One run per OUT: the run holds an exclusive flock on OUT/.folio.lock (the
 * holder's PID written in it) from before it touches OUT until it exits; a
 * second run fails at once with "OUT is in use by process N".  The lock file
 * is never removed: unlinking it would let a run lock a file another run has
 * just opened, so two runs could both "hold" the lock.
 *
 * No symbolic link is followed inside OUT: print/, archive/ and proofs/ are
 * created with mkdirat and opened with openat(O_NOFOLLOW | O_DIRECTORY)
 * relative to OUT's fd; one that is a symbolic link is a job error.  Every
 * output is created with O_CREAT | O_EXCL | O_NOFOLLOW under its ".part"
 * name (so nothing that already sits at that name, a link included, is ever
 * written through), and renamed, fsync'd and removed relative to the
 * directory fds.  The writers open their .part files by path (libharu saves
 * by path), so before publishing the run checks that OUT and its
 * subdirectories are still the directories it opened.
 *
 * Publishing order -- a crash (kill -9, power loss) at any point leaves
 * either the previous complete run or a directory without manifest.json:
 *
 *   0. At the start of the run, under the lock: OUT/manifest.json is removed
 *      and OUT fsync'd, then every leftover of folio's own names (*.part,
 *      *.tmp-*, the record files, the outputs in print/, archive/, proofs/).
 *      From here OUT has no manifest until step 5.
 *   1. The run writes every output -- print files, pieces files, archive
 *      zips and indexes, notifications, proofs, and the record files
 *      (rejects.csv, exceptions.csv, suppressed.csv, audit.jsonl,
 *      contact_history.csv) --
 *      under NAME.part, then manifest.json.part, which lists their sizes and
 *      SHA-256.  A failure or a signal up to here removes the .part files.
 *   2. Every .part file is fsync'd, then print/, archive/, proofs/ and OUT.
 *   3. Each output is renamed NAME.part -> NAME.
 *   4. print/, archive/, proofs/ and OUT are fsync'd (the renames are durable).
 *   5. manifest.json.part -> manifest.json, then OUT is fsync'd: the run is
 *      published.  A failure in 2-5 removes what this run renamed.  A
 *      SIGTERM/SIGINT before step 3 fails the run; once step 3 has begun
 *      the few renames complete.
 *
 * Test hook: with FOLIO_TEST_KILL_AT_RENAME=K in the environment, the run
 * raises SIGKILL right before the K-th rename of steps 3 and 5 (K from 1;
 * the manifest's is the last).  Without the variable it does nothing.
 */
#include "publish.h"
#include "fsync-pool.h"   /* issue 11 (r-serial) */

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

static const char *const sub_name[FOLIO_OUT_NSUB] = {"print", "archive", "proofs"};

/* The files folio writes at OUT's top level (each also as NAME.part and,
 * from older versions, NAME.tmp-PID / NAME.part.tmp-PID). */
static const char *const top_name[] = {"manifest.json", "rejects.csv", "exceptions.csv",
                                       "suppressed.csv", "audit.jsonl", "contact_history.csv",
                                       "report.html",   /* issue 16 part 5 */
                                       "not_due.csv", "statement_history.csv" /* issue 15 part 1 */,
                                       NULL};

static const char *base_of(const char *path)
{
    const char *s = strrchr(path, '/');
    return s ? s + 1 : path;
}

static bool ends_with(const char *name, const char *suffix)
{
    size_t n = strlen(name), k = strlen(suffix);
    return n >= k && !strcmp(name + n - k, suffix);
}

/* Is nm one of top_name[], or one of them + ".part", ".tmp-*", ".part.tmp-*"? */
static bool is_top_name(const char *nm)
{
    for (int i = 0; top_name[i]; i++) {
        size_t k = strlen(top_name[i]);
        if (strncmp(nm, top_name[i], k))
            continue;
        const char *r = nm + k;
        if (!*r || !strcmp(r, ".part") || !strncmp(r, ".tmp-", 5) || !strncmp(r, ".part.tmp-", 10))
            return true;
    }
    return false;
}

static int dir_fd(const folio_outdir *o, int which)
{
    return which == FOLIO_OUT_TOP ? o->fd : o->sub[which];
}

/* ---- lock and directories ---------------------------------------------- */

static bool take_lock(folio_outdir *o, folio_error *err)
{
    o->lock_fd = openat(o->fd, FOLIO_LOCK_NAME, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0644);
    if (o->lock_fd < 0) {
        folio_error_set(err, FOLIO_EXIT_FAILED, "%s/%s: cannot open the lock file: %s", o->path,
                        FOLIO_LOCK_NAME, strerror(errno));
        return false;
    }
    if (flock(o->lock_fd, LOCK_EX | LOCK_NB) != 0) {
        if (errno != EWOULDBLOCK) {
            folio_error_set(err, FOLIO_EXIT_FAILED, "%s/%s: cannot lock: %s", o->path,
                            FOLIO_LOCK_NAME, strerror(errno));
            return false;
        }
        /* the holder writes its PID right after locking: wait a moment for it */
        long pid = 0;
        for (int tries = 0; tries < 20 && pid <= 0; tries++) {
            char buf[32];
            ssize_t n = pread(o->lock_fd, buf, sizeof buf - 1, 0);
            if (n > 0) {
                buf[n] = 0;
                pid = strtol(buf, NULL, 10);
            }
            if (pid <= 0)
                nanosleep(&(struct timespec){0, 10 * 1000 * 1000}, NULL);
        }
        if (pid > 0)
            folio_error_set(err, FOLIO_EXIT_USAGE, "%s is in use by process %ld (lock %s/%s); "
                            "one run per output directory", o->path, pid, o->path,
                            FOLIO_LOCK_NAME);
        else
            folio_error_set(err, FOLIO_EXIT_USAGE, "%s is in use by another process (lock "
                            "%s/%s); one run per output directory", o->path, o->path,
                            FOLIO_LOCK_NAME);
        return false;
    }
    char buf[32];
    int n = snprintf(buf, sizeof buf, "%ld\n", (long)getpid());
    if (ftruncate(o->lock_fd, 0) != 0 || pwrite(o->lock_fd, buf, (size_t)n, 0) != n) {
        folio_error_set(err, FOLIO_EXIT_FAILED, "%s/%s: cannot write: %s", o->path,
                        FOLIO_LOCK_NAME, strerror(errno));
        return false;
    }
    return true;
}

bool outdir_sub(folio_outdir *o, int which, bool create, folio_error *err)
{
    if (o->sub[which] >= 0)
        return true;
    const char *nm = sub_name[which];
    if (create && mkdirat(o->fd, nm, 0755) != 0 && errno != EEXIST) {
        folio_error_set(err, FOLIO_EXIT_FAILED, "%s/%s: cannot create directory: %s", o->path,
                        nm, strerror(errno));
        return false;
    }
    struct stat sb;
    if (fstatat(o->fd, nm, &sb, AT_SYMLINK_NOFOLLOW) != 0) {
        if (errno == ENOENT && !create)
            return true;
        folio_error_set(err, FOLIO_EXIT_FAILED, "%s/%s: %s", o->path, nm, strerror(errno));
        return false;
    }
    if (S_ISLNK(sb.st_mode)) {
        folio_error_set(err, FOLIO_EXIT_USAGE, "%s/%s: is a symbolic link; folio does not "
                        "follow symbolic links inside its output directory (remove it or give "
                        "another --out)", o->path, nm);
        return false;
    }
    if (!S_ISDIR(sb.st_mode)) {
        folio_error_set(err, FOLIO_EXIT_FAILED, "%s/%s: cannot create directory: not a "
                        "directory", o->path, nm);
        return false;
    }
    o->sub[which] = openat(o->fd, nm, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    if (o->sub[which] < 0) {
        folio_error_set(err, errno == ELOOP ? FOLIO_EXIT_USAGE : FOLIO_EXIT_FAILED,
                        "%s/%s: cannot open: %s", o->path, nm, strerror(errno));
        return false;
    }
    return true;
}

void outdir_init(folio_outdir *o)
{
    o->path[0] = 0;
    o->fd = o->lock_fd = -1;
    for (int i = 0; i < FOLIO_OUT_NSUB; i++)
        o->sub[i] = -1;
}

bool outdir_open(folio_outdir *o, const char *path, folio_error *err)
{
    outdir_init(o);
    snprintf(o->path, sizeof o->path, "%s", path);
    if (!folio_mkdirs(path, err))
        return false;
    o->fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (o->fd < 0) {
        folio_error_set(err, FOLIO_EXIT_FAILED, "%s: cannot open: %s", path, strerror(errno));
        return false;
    }
    if (!take_lock(o, err))
        return false;
    for (int i = 0; i < FOLIO_OUT_NSUB; i++) {
        /* a symbolic link is refused here, before anything changes; a plain
         * file in the way fails (exit 1) when the run needs the directory */
        struct stat sb;
        if (fstatat(o->fd, sub_name[i], &sb, AT_SYMLINK_NOFOLLOW) != 0 ||
            !(S_ISDIR(sb.st_mode) || S_ISLNK(sb.st_mode)))
            continue;
        if (!outdir_sub(o, i, false, err))
            return false;
    }
    return true;
}

void outdir_close(folio_outdir *o)
{
    for (int i = 0; i < FOLIO_OUT_NSUB; i++)
        if (o->sub[i] >= 0) {
            close(o->sub[i]);
            o->sub[i] = -1;
        }
    if (o->lock_fd >= 0)
        close(o->lock_fd);              /* releases the lock; the file stays */
    if (o->fd >= 0)
        close(o->fd);
    o->fd = o->lock_fd = -1;
}

/* ---- inputs OUT must not hold --------------------------------------------- */

static bool same_file(const struct stat *a, const struct stat *b)
{
    return a->st_dev == b->st_dev && a->st_ino == b->st_ino;
}

/* Where in OUT would folio overwrite or remove the file named path (as
 * given, or as resolved): NULL when nowhere. */
static const char *where_in_out(const folio_outdir *o, const char *path,
                                const struct stat *outst, const struct stat *subst)
{
    char tmp[PATH_MAX];
    snprintf(tmp, sizeof tmp, "%s", path);
    const char *nm = base_of(path);
    struct stat ds;
    if (stat(dirname(tmp), &ds) != 0)
        return NULL;
    if (same_file(&ds, outst) && (is_top_name(nm) || !strcmp(nm, FOLIO_LOCK_NAME)))
        return "a file folio writes in the output directory";
    for (int i = 0; i < FOLIO_OUT_NSUB; i++)
        if (o->sub[i] >= 0 && same_file(&ds, &subst[i]))
            return sub_name[i];
    return NULL;
}

bool outdir_check_inputs(const folio_outdir *o, const folio_input *in, size_t n,
                         folio_error *err)
{
    struct stat outst, subst[FOLIO_OUT_NSUB];
    if (fstat(o->fd, &outst) != 0) {
        folio_error_set(err, FOLIO_EXIT_FAILED, "%s: %s", o->path, strerror(errno));
        return false;
    }
    for (int i = 0; i < FOLIO_OUT_NSUB; i++)
        if (o->sub[i] >= 0 && fstat(o->sub[i], &subst[i]) != 0) {
            folio_error_set(err, FOLIO_EXIT_FAILED, "%s/%s: %s", o->path, sub_name[i],
                            strerror(errno));
            return false;
        }
    for (size_t k = 0; k < n; k++) {
        if (!in[k].path)
            continue;
        struct stat si;
        if (stat(in[k].path, &si) != 0)
            continue;                   /* the loader reports a missing input */
        const char *where = where_in_out(o, in[k].path, &outst, subst);
        char real[PATH_MAX];
        if (!where && realpath(in[k].path, real))
            where = where_in_out(o, real, &outst, subst);
        /* the same file under another name (a hard link) */
        for (int i = 0; !where && top_name[i]; i++) {
            struct stat sb;
            if (fstatat(o->fd, top_name[i], &sb, AT_SYMLINK_NOFOLLOW) == 0 &&
                S_ISREG(sb.st_mode) && same_file(&sb, &si))
                where = top_name[i];
        }
        for (int i = 0; !where && i < FOLIO_OUT_NSUB; i++) {
            if (o->sub[i] < 0)
                continue;
            int dfd = dup(o->sub[i]);
            DIR *dp = dfd >= 0 ? fdopendir(dfd) : NULL;
            if (!dp) {
                if (dfd >= 0)
                    close(dfd);
                continue;
            }
            rewinddir(dp);              /* a dup shares the offset of sub[i] */
            struct dirent *e;
            while (!where && (e = readdir(dp))) {
                struct stat sb;
                if (fstatat(o->sub[i], e->d_name, &sb, AT_SYMLINK_NOFOLLOW) == 0 &&
                    S_ISREG(sb.st_mode) && same_file(&sb, &si))
                    where = sub_name[i];
            }
            closedir(dp);
        }
        if (where) {
            folio_error_set(err, FOLIO_EXIT_USAGE,
                            "%s: the %s is inside the output directory %s (%s): the run would "
                            "overwrite or remove it; give the run another --out or move the "
                            "input", in[k].path, in[k].what, o->path, where);
            return false;
        }
    }
    return true;
}

/* ---- leftovers of earlier runs --------------------------------------------- */

static bool remove_at(const folio_outdir *o, int dfd, const char *dir, const char *nm,
                      folio_error *err)
{
    struct stat sb;
    if (fstatat(dfd, nm, &sb, AT_SYMLINK_NOFOLLOW) != 0 || !S_ISREG(sb.st_mode))
        return true;                    /* only files folio wrote: regular files */
    if (unlinkat(dfd, nm, 0) != 0 && errno != ENOENT) {
        folio_error_set(err, FOLIO_EXIT_FAILED, "%s%s%s/%s: cannot remove the output of an "
                        "earlier run: %s", o->path, dir[0] ? "/" : "", dir, nm,
                        strerror(errno));
        return false;
    }
    return true;
}

bool outdir_clean(folio_outdir *o, const char *tag, folio_error *err)
{
    /* a stale manifest would make a failed run look complete: gone first,
     * durably, before anything it lists changes */
    if (unlinkat(o->fd, "manifest.json", 0) != 0 && errno != ENOENT) {
        folio_error_set(err, FOLIO_EXIT_FAILED, "%s/manifest.json: cannot remove old "
                        "manifest: %s", o->path, strerror(errno));
        return false;
    }
    if (fsync(o->fd) != 0) {
        folio_error_set(err, FOLIO_EXIT_FAILED, "%s: fsync failed: %s", o->path,
                        strerror(errno));
        return false;
    }
    /* the names folio writes in each folder (and nothing else: a user's own
     * files there stay) */
    static const char *const suffix[][6] = {
        {".pdf", ".afp", ".pieces.csv", ".part", NULL},
        {".zip", ".index.csv", ".index.json", ".part", NULL},
        {".pdf", ".json", ".part", NULL}};
    static const char *const prefix[] = {NULL, NULL, "proof"};
    for (int d = 0; d < FOLIO_OUT_NSUB; d++) {
        if (o->sub[d] < 0)
            continue;
        int dfd = dup(o->sub[d]);
        DIR *dp = dfd >= 0 ? fdopendir(dfd) : NULL;
        if (!dp) {
            if (dfd >= 0)
                close(dfd);
            folio_error_set(err, FOLIO_EXIT_FAILED, "%s/%s: cannot read: %s", o->path,
                            sub_name[d], strerror(errno));
            return false;
        }
        rewinddir(dp);                  /* a dup shares the offset of sub[d] */
        struct dirent *e;
        bool ok = true;
        while (ok && (e = readdir(dp))) {
            const char *nm = e->d_name;
            if (nm[0] == '.')
                continue;
            bool ours = false;
            for (int k = 0; suffix[d][k] && !ours; k++)
                ours = ends_with(nm, suffix[d][k]);
            if (d == FOLIO_OUT_ARCHIVE && !strncmp(nm, "notifications", 13) &&
                (ends_with(nm, ".csv") || ends_with(nm, ".csv.part")))
                ours = true;
            if (prefix[d] && strncmp(nm, prefix[d], strlen(prefix[d])))
                ours = false;
            if (ours && tag && tag[0]) {        /* a shard: only its own files, exact tag */
                const char *t = strstr(nm, tag);
                ours = t && !(t[strlen(tag)] >= '0' && t[strlen(tag)] <= '9');
            }
            if (ours)
                ok = remove_at(o, o->sub[d], sub_name[d], nm, err);
        }
        closedir(dp);
        if (!ok)
            return false;
    }
    /* the record files and any temporary of folio's top-level names */
    int dfd = dup(o->fd);
    DIR *dp = dfd >= 0 ? fdopendir(dfd) : NULL;
    if (!dp) {
        if (dfd >= 0)
            close(dfd);
        folio_error_set(err, FOLIO_EXIT_FAILED, "%s: cannot read: %s", o->path, strerror(errno));
        return false;
    }
    rewinddir(dp);                      /* a dup shares the offset of OUT's fd */
    struct dirent *e;
    bool ok = true;
    while (ok && (e = readdir(dp)))
        if (is_top_name(e->d_name))
            ok = remove_at(o, o->fd, "", e->d_name, err);
    closedir(dp);
    return ok;
}

/* ---- publishing --------------------------------------------------------- */

static long kill_at;                    /* FOLIO_TEST_KILL_AT_RENAME */
static long n_renames;

static int publish_rename(int dfd, const char *from, const char *to)
{
    if (kill_at > 0 && ++n_renames == kill_at)
        raise(SIGKILL);                 /* test hook, see the top of this file */
    return renameat(dfd, from, dfd, to);
}

static bool sync_fd(const folio_outdir *o, int fd, const char *what, folio_error *err)
{
    if (fd >= 0 && fsync(fd) != 0) {
        folio_error_set(err, FOLIO_EXIT_FAILED, "%s/%s: fsync failed: %s", o->path, what,
                        strerror(errno));
        return false;
    }
    return true;
}

static bool sync_dirs(const folio_outdir *o, folio_error *err)
{
    for (int i = 0; i < FOLIO_OUT_NSUB; i++)
        if (!sync_fd(o, o->sub[i], sub_name[i], err))
            return false;
    return sync_fd(o, o->fd, ".", err);
}

/* OUT and its subdirectories are still the directories the run opened. */
static bool dirs_unchanged(const folio_outdir *o, folio_error *err)
{
    struct stat a, b;
    if (stat(o->path, &a) != 0 || fstat(o->fd, &b) != 0 || !same_file(&a, &b)) {
        folio_error_set(err, FOLIO_EXIT_FAILED, "%s: the output directory was replaced "
                        "during the run", o->path);
        return false;
    }
    for (int i = 0; i < FOLIO_OUT_NSUB; i++) {
        if (o->sub[i] < 0)
            continue;
        if (fstatat(o->fd, sub_name[i], &a, AT_SYMLINK_NOFOLLOW) != 0 ||
            fstat(o->sub[i], &b) != 0 || !same_file(&a, &b)) {
            folio_error_set(err, FOLIO_EXIT_FAILED, "%s/%s: the directory was replaced during "
                            "the run", o->path, sub_name[i]);
            return false;
        }
    }
    return true;
}

/* issue 11 (r-serial): steps 2 and 4 with every fsync issued at once
 * (fsync-pool.h): the outputs, the manifest (when given), then print/,
 * archive/, proofs/ and OUT.  The error names the first failing one in
 * that order, as the one-by-one loop did. */
static bool sync_all_parts(const folio_outdir *o, const folio_pub_item *items, size_t n,
                           const char *manifest_part, folio_error *err)
{
    size_t m = n + (manifest_part ? 1 : 0) + FOLIO_OUT_NSUB + 1;
    folio_fsync_entry *v = calloc(m, sizeof *v);
    if (!v) {
        folio_error_set(err, FOLIO_EXIT_FAILED, "out of memory");
        return false;
    }
    size_t k = 0;
    for (size_t i = 0; i < n; i++)
        v[k++] = (folio_fsync_entry){.dfd = dir_fd(o, items[i].dir), .name = base_of(items[i].part)};
    if (manifest_part)
        v[k++] = (folio_fsync_entry){.dfd = o->fd, .name = base_of(manifest_part)};
    size_t first_dir = k;
    for (int i = 0; i < FOLIO_OUT_NSUB; i++)
        v[k++] = (folio_fsync_entry){.dfd = o->sub[i]};
    v[k++] = (folio_fsync_entry){.dfd = o->fd};
    size_t bad = folio_fsync_all(v, k, 8);
    bool ok = bad == k;
    if (!ok && bad < n)
        folio_error_set(err, FOLIO_EXIT_FAILED, "%s: fsync failed: %s", items[bad].part,
                        strerror(v[bad].err));
    else if (!ok && bad < first_dir)
        folio_error_set(err, FOLIO_EXIT_FAILED, "%s: fsync failed: %s", manifest_part,
                        strerror(v[bad].err));
    else if (!ok)
        folio_error_set(err, FOLIO_EXIT_FAILED, "%s/%s: fsync failed: %s", o->path,
                        bad - first_dir < FOLIO_OUT_NSUB ? sub_name[bad - first_dir] : ".",
                        strerror(v[bad].err));
    free(v);
    return ok;
}

bool outdir_publish(folio_outdir *o, const folio_pub_item *items, size_t n,
                    const char *manifest_part, folio_error *err)
{
    const char *env = getenv("FOLIO_TEST_KILL_AT_RENAME");
    kill_at = env ? strtol(env, NULL, 10) : 0;
    n_renames = 0;
    if (!dirs_unchanged(o, err))
        return false;
    /* 2. the written bytes and their directory entries are durable */
    if (!sync_all_parts(o, items, n, manifest_part, err))   /* issue 11 (r-serial) */
        return false;
    /* a stop request up to here still fails the run; from the first rename
     * on, publishing completes (it is short) */
    if (folio_stopped(err))
        return false;
    /* 3. every output under its final name */
    size_t done = 0;
    for (; done < n; done++) {
        const folio_pub_item *it = &items[done];
        if (publish_rename(dir_fd(o, it->dir), base_of(it->part), base_of(it->final)) != 0) {
            folio_error_set(err, FOLIO_EXIT_FAILED, "%s: rename failed: %s", it->final,
                            strerror(errno));
            goto undo;
        }
    }
    /* 4. the renames are durable before the manifest names them */
    if (!sync_all_parts(o, NULL, 0, NULL, err))   /* issue 11 (r-serial): the directories */
        goto undo;
    /* 5. the manifest, last */
    if (publish_rename(o->fd, base_of(manifest_part), "manifest.json") != 0) {
        folio_error_set(err, FOLIO_EXIT_FAILED, "%s/manifest.json: rename failed: %s", o->path,
                        strerror(errno));
        goto undo;
    }
    if (!sync_fd(o, o->fd, ".", err)) {
        unlinkat(o->fd, "manifest.json", 0);
        goto undo;
    }
    return true;
undo:
    /* nothing this run renamed stays without its manifest */
    while (done-- > 0)
        unlinkat(dir_fd(o, items[done].dir), base_of(items[done].final), 0);
    for (size_t i = 0; i < n; i++)
        unlinkat(dir_fd(o, items[i].dir), base_of(items[i].part), 0);
    folio_error dummy = {0};
    sync_dirs(o, &dummy);
    return false;
}
