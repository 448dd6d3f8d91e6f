/* SPDX-License-Identifier: Apache-2.0 */
/*
 * membudget.c -- issue 12 part 1: `folio run --memory-limit SIZE`
 * (membudget.h).
 *
 * A run holds its feeds' records in RAM (feed.h) for the whole run, so its
 * peak resident memory grows with the feed bytes: measured on `folio
 * samples` data at 20,000 and 100,000 households (perf/scale.sh, README's
 * figures in docs/scale-out.md), peak RSS ~ BASE + SLOPE x feed bytes.  A run
 * in on-disk partitions that would keep any job under the limit is not
 * built (issue 12 part 1, what is left): a job above the limit is refused
 * before anything is read or written, with the number of shards that
 * would fit, rather than run past the budget the caller set.
 */
#include "membudget.h"

#include <malloc.h>
#include <stdio.h>
#include <sys/stat.h>

/* Fitted on the measurements above (1 thread; threads add their arenas and
 * page buffers, a few MB each). */
#define MB ((uint64_t)1 << 20)
static const uint64_t BASE = 48 * MB;
static const uint64_t SLOPE_PCT = 150;      /* percent of the feed bytes */

uint64_t membudget_estimate(const folio_job *job, uint64_t *feed_bytes)
{
    uint64_t bytes = 0;
    for (int i = 0; i < job->n_feeds; i++) {
        struct stat st;
        if (job->feeds[i].path && stat(job->feeds[i].path, &st) == 0 && st.st_size > 0)
            bytes += (uint64_t)st.st_size;
    }
    if (feed_bytes)
        *feed_bytes = bytes;
    return BASE + bytes / 100 * SLOPE_PCT;
}

bool membudget_check(const folio_job *job, uint64_t limit, folio_error *err)
{
    if (!limit)
        return true;
    uint64_t feeds = 0, est = membudget_estimate(job, &feeds);
    if (est <= limit)
        return true;
    if (limit <= BASE + 16 * MB) {
        folio_error_set(err, FOLIO_EXIT_USAGE, "--memory-limit %llu MiB is below what any run "
                        "needs (about %llu MiB); this job needs about %llu MiB",
                        (unsigned long long)(limit / MB), (unsigned long long)((BASE + 16 * MB) / MB),
                        (unsigned long long)(est / MB));
        return false;
    }
    uint64_t var = est - BASE, room = limit - BASE;
    uint64_t shards = (var + room - 1) / room;
    folio_error_set(err, FOLIO_EXIT_USAGE, "this job needs about %llu MiB (feeds %llu MB), above "
                    "--memory-limit %llu MiB; a run in partitions is not built yet: split the "
                    "job with `folio partition JOB --shards %llu --out DIR` and run each shard "
                    "(docs/scale-out.md), or raise the limit",
                    (unsigned long long)(est / MB), (unsigned long long)(feeds / 1000000),
                    (unsigned long long)(limit / MB), (unsigned long long)shards);
    return false;
}

void membudget_load_begin(void)
{
    mallopt(M_MMAP_THRESHOLD, 1 << 20);
}

void membudget_load_end(void)
{
    mallopt(M_MMAP_THRESHOLD, 64 << 20);    /* as pdf_tune_allocator sets it */
    malloc_trim(0);
}
