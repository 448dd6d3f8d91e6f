/* SPDX-License-Identifier: Apache-2.0 */
/*
 * run-households.c -- the plan stage of `folio run` (run-stages.h): the
 * households, the plan (suppression, channel, language: plan.c), statements
 * not due this cycle, routing (oversize, undeliverable), the names of the
 * address block, the ledger's report, offers bound to the households,
 * uplift; then the per-household arrays, the spools and which households
 * are this shard's.  Moved from run.c (issue 11 part 3: run.c is the
 * sequence of stages).
 */
#include "run-stages.h"
#include "run-report.h"
#include "porder.h"
#include "run-spill.h"
#include "run-spool.h"
#include "addressee.h"
#include "frequency-cover.h"
#include "folio/compose.h"
#include "folio/events.h"
#include "folio/frequency.h"
#include "folio/holders.h"
#include "folio/household.h"
#include "folio/ledger.h"
#include "folio/offers.h"
#include "folio/uplift.h"

#include <stdlib.h>
#include <time.h>

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

/* A household's shard: FNV-1a of its id modulo the shard count (partition.c
 * routes feed rows by the same hash). */
static uint64_t fnv1a(const char *s)
{
    uint64_t h = 1469598103934665603ULL;
    for (; *s; s++) {
        h ^= (unsigned char)*s;
        h *= 1099511628211ULL;
    }
    return h;
}

/* issue 12 part 1 (round 24): a spilled run's transactions and texts in
 * household order (porder.h), phase "layout"; round 25: right after
 * householding, renumbering the customers and accounts in that order, so
 * the plan, compose and the record loops read every table in order */
static bool run_layout(run_state *R, folio_error *err)
{
    if (!R->mb.spill)
        return true;
    run_spill_tick(R, 1);
    run_event(R, &(folio_run_event){.kind = FOLIO_RUN_PHASE, .name = "layout",
                                    .elapsed = now_s() - R->t0});
    porder_stats st;
    return porder_layout(R->ds, &R->hs, R->opt->threads, &st, err);
}

bool run_plan_stage(run_state *R, double *t_plan, folio_error *err)
{
    {
        const char *order[64];
        int n_order = 0;
        for (int i = 0; i < R->layout->n_products && n_order < 64; i++)
            order[n_order++] = R->layout->products[i].code;
        if (!household_group(R->ds, order, n_order, &R->hs, err) || folio_stopped(err))
            return false;
    }
    if (!run_layout(R, err))           /* issue 12 part 1 (rounds 24, 25) */
        return false;
    /* issue 15 part 2: events by household, before any rule (channel rules) runs */
    if (!events_bind(R->ds, &R->hs, err))
        return false;
    double t0 = now_s();
    R->plan = compose_plan_new(R->job, R->layout, R->ds, &R->hs, err);
    *t_plan = now_s() - t0;
    if (!R->plan || folio_stopped(err))
        return false;
    /* issue 15 part 1: statements not due this cycle */
    if (!frequency_apply(R->plan, &R->freq, err))   /* not_due.csv: with the records */
        return false;
    if (!frequency_cover_check(R->plan, &R->ds->exceptions, err))   /* hard-attack2 */
        return false;
    if (!holders_route(R->plan, &R->ds->exceptions, err))   /* oversize, undeliverable */
        return false;
    if (!addressee_check(R->plan, &R->ds->exceptions, err))   /* issue 10 gaps: names */
        return false;
    if (!ledger_report(R->plan, R->ds, &R->ledger, err))   /* issue 10 part 3 */
        return false;
    if (R->offers) {
        if (!offers_bind(R->offers, R->ds, &R->hs, err))
            return false;
        R->plan->offers = R->offers;
    }
    /* issue 15 part 4: responses measured against the contact history;
     * variants below their control retired before compose */
    if (!uplift_run(R->job, R->ds, R->offers, &R->uplift, err))
        return false;
    R->res = calloc(R->hs.n ? R->hs.n : 1, sizeof *R->res);
    R->decided = calloc(R->hs.n ? R->hs.n : 1, sizeof *R->decided);
    R->in_shard = malloc(R->hs.n ? R->hs.n : 1);
    if (!R->res || !R->decided || !R->in_shard) {
        folio_error_set(err, FOLIO_EXIT_FAILED, "out of memory");
        return false;
    }
    if (!run_spools_open(R, err))      /* issue 12 part 1 */
        return false;
    for (size_t h = 0; h < R->hs.n; h++)
        R->in_shard[h] = R->opt->shard_count <= 0 ||
                        (int)(fnv1a(R->hs.v[h].id) % (uint64_t)R->opt->shard_count) ==
                            R->opt->shard_index - 1;
    if (!run_spill_planned(R, err))    /* issue 12 part 1: above the budget */
        return false;
    return true;
}
