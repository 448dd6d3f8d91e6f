/* SPDX-License-Identifier: Apache-2.0 */
/*
 * run-spill.c -- issue 12 part 1: the run's per-household arrays in work
 * files above the memory budget, and trimming driven by the loops
 * (run-spill.h).
 *
 * Measured at 100,000 sample households (print only, 2 threads, spilled):
 * the arrays a run holds per household -- compose results (152 bytes),
 * plan accounts (96 per account) and households (48), production input
 * (56) and pieces (48), households (32), spool offsets (24) -- were about
 * 600 bytes a household of anonymous memory, 600 MB at 1,000,000.  In a
 * shared mapping of a work file their pages are dropped like the dataset's
 * tables (tabspill.h); every reader indexes the same arrays, so nothing
 * composed changes.
 *
 * Trimming: the dataset's trimmer thread drops resident pages every 5 ms,
 * but on a loaded machine it is not scheduled that often while the compose
 * threads touch the tables (peak 434 MiB at 100,000 households); and a read
 * fault maps the 15 pages around the page touched too (the kernel's fault-
 * around, 64 KB, which MADV_RANDOM does not turn off), so what a household
 * touches is ~16x larger in resident pages until the next trim.  The loops
 * themselves tick (run_spill_tick): every 8 households composed, 64
 * pages printed or 256 households written to a record, the thread that
 * ticks trims; and every phase starts trimmed.
 */
#include "run-spill.h"
#include "feed-private.h"
#include "tabspill.h"

#include <malloc.h>
#include <stdlib.h>

#define MAX_ARRAYS 24

struct run_spill {
    folio_tabspill ts;
    void **reg[MAX_ARRAYS];     /* the pointers to NULL at release */
    int n_reg;
};

static folio_tabspill *ds_spill(const run_state *R)
{
    return R->ds && R->ds->pool ? R->ds->pool->spill : NULL;
}

bool run_spill_array(run_state *R, void **pp, size_t bytes, folio_error *err)
{
    if (!R->mb.spill || !ds_spill(R) || !*pp || !bytes)
        return true;
    if (!R->spill) {
        const char *dir = ds_spill(R)->dir;
        if (!(R->spill = calloc(1, sizeof *R->spill))) {
            folio_error_set(err, FOLIO_EXIT_FAILED, "out of memory");
            return false;
        }
        tabspill_init(&R->spill->ts, dir);
    }
    struct run_spill *S = R->spill;
    if (tabspill_owns(&S->ts, *pp))
        return true;
    if (S->n_reg == MAX_ARRAYS)
        return true;                    /* stays in memory: the same outputs */
    if (!tabspill_table(&S->ts, pp, bytes, err))
        return false;
    S->reg[S->n_reg++] = pp;
    return true;
}

#define MOVE(p, n) run_spill_array(R, (void **)&(p), (n) * sizeof *(p), err)

bool run_spill_planned(run_state *R, folio_error *err)
{
    size_t n = R->hs.n;
    size_t n_cidx = 0, n_aidx = 0;
    for (size_t h = 0; h < n; h++) {    /* the index arrays' lengths */
        size_t c = R->hs.v[h].first_customer + (size_t)R->hs.v[h].n_customers;
        size_t a = R->hs.v[h].first_account + (size_t)R->hs.v[h].n_accounts;
        n_cidx = c > n_cidx ? c : n_cidx;
        n_aidx = a > n_aidx ? a : n_aidx;
    }
    bool ok = MOVE(R->res, n) && MOVE(R->decided, n) && MOVE(R->in_shard, n) &&
              MOVE(R->plan->households, n) && MOVE(R->plan->accounts, R->ds->n_accounts) &&
              MOVE(R->hs.customer_idx, n_cidx) && MOVE(R->hs.account_idx, n_aidx) &&
              MOVE(R->hs.v, n) && MOVE(R->spool_audit.off, R->spool_audit.n) &&
              MOVE(R->spool_audit.len, R->spool_audit.n);
    if (R->spill)           /* round 24: by account index, read at random */
        tabspill_keep(&R->spill->ts, R->plan->accounts);
    if (R->spill)
        malloc_trim(0);     /* the arrays' old blocks were in the heap (below 64 MiB):
                             * freed, they stayed resident (57 MB at 100,000 households) */
    return ok;
}

bool run_spill_produced(run_state *R, folio_error *err)
{
    /* the keys spool: add_run_keys replaced compose's with the final set */
    bool ok = MOVE(R->spool_keys.off, R->spool_keys.n) &&
              MOVE(R->spool_keys.len, R->spool_keys.n) && MOVE(R->print_hh, R->n_print) &&
              MOVE(R->pin, R->n_print) && (!R->prod || MOVE(R->prod->pieces, R->prod->n_pieces));
    if (R->spill)
        malloc_trim(0);
    return ok;
}

void run_spill_begin(run_state *R)
{
    /* round 23: pages are dropped only above 3/4 of the budget (tabspill.h);
     * the quarter left is the margin for what is touched between two
     * checks and for the heap growing before the next one */
    tabspill_set_high_water(R->mb.spill ? R->mb.limit / 4 * 3 : 0);
}

void run_spill_tick(const run_state *R, unsigned every)
{
    /* r-harden: a test hook, nothing without it */
    folio_test_stop_stall(__atomic_load_n(&R->records_cancel, __ATOMIC_RELAXED));
    if (!R->mb.spill)
        return;
    tabspill_tick(ds_spill(R), every);
    if (R->spill)
        tabspill_tick(&R->spill->ts, every);
}

struct folio_tabspill *run_spill_trimmer(const run_state *R)
{
    return R->mb.spill ? ds_spill(R) : NULL;
}

void run_spill_release(run_state *R)
{
    /* round 23: the spools outlive the dataset's tables (run_free) */
    folio_spool *sp[2] = {&R->spool_audit, &R->spool_keys};
    for (int i = 0; i < 2; i++)
        if (sp[i]->trim) {
            tabspill_unwatch(sp[i]->trim, sp[i]->map);
            sp[i]->trim = NULL;
        }
    struct run_spill *S = R->spill;
    if (!S)
        return;
    for (int i = 0; i < S->n_reg; i++) {
        tabspill_release(&S->ts, *S->reg[i]);
        *S->reg[i] = NULL;
    }
    tabspill_close(&S->ts);
    pthread_mutex_destroy(&S->ts.mu);
    free(S);
    R->spill = NULL;
}
