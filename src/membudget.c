/* SPDX-License-Identifier: Apache-2.0 */
/*
 * membudget.c -- issue 12 part 1: `folio run --memory-limit SIZE`
 * (membudget.h).
 *
 * A run holds its feeds' records in RAM (feed.h) for the whole run, so its
 * peak resident memory grows with the feed bytes: measured on `folio
 * samples` data at 20,000 and 100,000 households (perf/scale.sh, README's
 * figures in docs/scale-out.md), peak RSS ~ BASE + SLOPE x feed bytes.  A job
 * whose estimate is above the budget (--memory-limit, default 1 GiB) keeps
 * its transaction table -- the largest table, ~45% of what a run holds --
 * in a mapped work file whose resident pages are trimmed (tabspill.h)
 * instead of being refused; one that fits runs in memory as before.
 */
#include "membudget.h"

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

/* The part of the transactions feeds' bytes that is the transaction table
 * (48 bytes a row; sample rows are ~80 bytes): what a spilled run does not
 * hold.  Measured: see docs/scale-out.md "Memory on one machine". */
static const uint64_t TXN_TABLE_PCT = 60;

bool membudget_decide(const folio_job *job, uint64_t limit, folio_membudget *mb,
                      folio_error *err)
{
    *mb = (folio_membudget){.limit = limit ? limit : FOLIO_MEMBUDGET_DEFAULT,
                            .given = limit != 0};
    mb->estimate = membudget_estimate(job, &mb->feed_bytes);
    uint64_t txn_bytes = 0;
    for (int i = 0; i < job->n_feeds; i++) {
        struct stat st;
        if (job->feeds[i].kind == FOLIO_FEED_TRANSACTIONS && job->feeds[i].path &&
            stat(job->feeds[i].path, &st) == 0 && st.st_size > 0)
            txn_bytes += (uint64_t)st.st_size;
    }
    uint64_t off = txn_bytes / 100 * TXN_TABLE_PCT;
    mb->estimate_spilled = mb->estimate > off + BASE ? mb->estimate - off : BASE;
    if (mb->given && limit < BASE + MB) {
        folio_error_set(err, FOLIO_EXIT_USAGE, "--memory-limit %llu MiB is below what any run "
                        "needs (about %llu MiB); this job needs about %llu MiB",
                        (unsigned long long)(limit / MB), (unsigned long long)((BASE + MB) / MB),
                        (unsigned long long)(mb->estimate_spilled / MB));
        return false;
    }
    mb->spill = mb->estimate > mb->limit;
    return true;
}

/* issue 11: the library never tunes the allocator; the program may */
static void (*g_load_hook)(bool begin);

void membudget_set_load_hook(void (*hook)(bool begin))
{
    g_load_hook = hook;
}

void membudget_load_begin(void)
{
    if (g_load_hook)
        g_load_hook(true);
}

void membudget_load_end(void)
{
    if (g_load_hook)
        g_load_hook(false);
}
