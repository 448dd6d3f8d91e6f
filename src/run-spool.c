/* SPDX-License-Identifier: Apache-2.0 */
/*
 * run-spool.c -- issue 12 part 1: what compose decided per household, in
 * spools under the work directory (run-spool.h).  A run of 20,000 sample
 * households decided 44 MB of audit text (2.2 KB per household) and 3 MB
 * of coverage keys; kept in RAM until the records were written, that was
 * ~19% of the run's memory and grew with every household.
 */
#include "run-spool.h"
#include "run-report.h"
#include "run-spill.h"

#include <stdlib.h>
#include <string.h>

static const char *work_dir(const run_state *R)
{
    return R->opt->work_dir && R->opt->work_dir[0] ? R->opt->work_dir : R->out;
}

bool run_spools_open(run_state *R, folio_error *err)
{
    const char *dir = work_dir(R);
    if (!spool_open(&R->spool_audit, dir, R->hs.n, err) ||
        !spool_open(&R->spool_keys, dir, R->hs.n, err) ||
        !spool_buffered(&R->spool_audit, err) ||    /* issue 11 (r-spool): written by */
        !spool_buffered(&R->spool_keys, err))       /* run_decisions_flush */
        return false;
    /* round 23: a pass over a mapped spool (the proofs' cover) is trimmed
     * like the tables: 363 MB of keys at 1,000,000 households */
    R->spool_audit.trim = R->spool_keys.trim = run_spill_trimmer(R);
    return true;
}

bool run_keep_decisions(run_state *R, size_t h, folio_error *err)
{
    folio_compose_result *res = &R->res[h];
    if (!spool_put(&R->spool_audit, h, res->audit, strlen(res->audit), err) ||
        !spool_put(&R->spool_keys, h, res->keys, strlen(res->keys), err))
        return false;
    res->audit = res->keys = NULL;
    R->decided[h] = 1;
    run_spill_tick(R, RUN_SPILL_HEAVY); /* spilled: trim every few households */
    return true;
}

bool run_decisions_flush(run_state *R, folio_error *err)
{
    return spool_flush(&R->spool_audit, err) && spool_flush(&R->spool_keys, err) &&
           stmt_spool_flush(&R->kept, err);
}

static const char *get(const folio_spool *s, size_t h, char **buf, size_t *cap,
                       folio_error *err)
{
    bool failed = false;
    const char *t = spool_get(s, h, buf, cap, &failed, err);
    if (failed)
        return NULL;
    return t ? t : "";
}

const char *run_audit_get(const run_state *R, size_t h, char **buf, size_t *cap,
                          folio_error *err)
{
    return get(&R->spool_audit, h, buf, cap, err);
}

const char *run_keys_get(const run_state *R, size_t h, char **buf, size_t *cap,
                         folio_error *err)
{
    return get(&R->spool_keys, h, buf, cap, err);
}

const char *run_spill_dir(const run_state *R)
{
    return R->mb.spill ? work_dir(R) : NULL;
}

void run_spill_note(run_state *R)
{
    if (!R->mb.spill || R->opt->quiet)
        return;
    const uint64_t MiB = (uint64_t)1 << 20;
    run_warn(R, "note: this job needs about %llu MiB in memory, above %s %llu MiB: its "
             "tables (%llu MiB) are kept in work files in %s (about %llu MiB%s)",
             (unsigned long long)(R->mb.estimate / MiB),
             R->mb.given ? "--memory-limit" : "the default budget of",
             (unsigned long long)(R->mb.limit / MiB),
             (unsigned long long)(feed_spilled_bytes(R->ds) / MiB), work_dir(R),
             (unsigned long long)(R->mb.estimate_spilled / MiB),
             R->mb.estimate_spilled > R->mb.limit ? ", still above the limit: split the "
             "job with `folio partition` for less" : "");
}
