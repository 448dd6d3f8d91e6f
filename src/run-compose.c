/* SPDX-License-Identifier: Apache-2.0 */
/*
 * run-compose.c -- the compose stage of `folio run` (run-stages.h).
 *
 * Every in-shard household that is not suppressed is composed once here,
 * for its page count and its decisions (audit members, coverage keys), which
 * production and the records need before anything is printed:
 *   - households routed to print only: an OpenMP loop (dynamic schedule);
 *   - households routed to email or both: the ordered ring (sink.h), whose
 *     statements are also the archive's -- the archive sink
 *     (sink-archive.h) renders each as a PDF/A document on every thread and
 *     appends it to its zip in household order.  So an e-delivery household
 *     is composed once for the archive instead of again after printing.
 * Per-household results go into arrays indexed by household, so nothing
 * depends on scheduling.  Errors: the failing household with the lowest
 * index wins (the loop skips households above a failure, the ring runs only
 * the documents below it and stops at its own first failure).
 */
#include "run-stages.h"
#include "run-report.h"
#include "run-spill.h"
#include "run-spool.h"
#include "sink-archive.h"
#include "folio/compose.h"
#include "folio/household.h"

#include <omp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

static void progress(run_state *R, const char *what, uint64_t done, uint64_t total)
{
    if (!R->opt->progress)
        return;
    run_event(R, &(folio_run_event){.kind = FOLIO_RUN_COUNTING, .name = what, .done = done,
                                    .total = total, .elapsed = now_s() - R->t0});
}

static bool archived(const run_state *R, size_t h)
{
    uint8_t ch = R->plan->households[h].channel;
    return ch == FOLIO_CHANNEL_EMAIL || ch == FOLIO_CHANNEL_BOTH;
}

/* issue 15 part 1 (r-chan): household h's print statement and archive
 * document cover different intervals: both are composed here, the print
 * one in the loop (its result and decisions are the household's), the
 * archive one from R->arch_view into R->res_arch[h] */
static bool split(const run_state *R, size_t h)
{
    return R->arch_view && R->plan->households[h].split &&
           R->plan->households[h].channel == FOLIO_CHANNEL_BOTH;
}

/* Keep what compose decided for household h (audit members and coverage
 * keys, arena strings) for the run: spooled (issue 12 part 1, run-spool.h). */
static bool keep_decisions(run_state *R, size_t h, folio_error *err)
{
    return run_keep_decisions(R, h, err);
}

/* issue 11 part 2 (r-once): every printed household is composed once:
 * here, kept in R->kept (stmt-spool.h: a work file beside the audit's) for
 * the print ring.  Test hook: with FOLIO_TEST_COMPOSE_TWICE set nothing is
 * kept and the ring composes every household again (the old way), so a
 * test compares the two (tests/e2e/once.sh). */
static bool run_keep_open(run_state *R, folio_error *err)
{
    if (getenv("FOLIO_TEST_COMPOSE_TWICE"))
        return true;
    const char *dir = R->opt->work_dir && R->opt->work_dir[0] ? R->opt->work_dir : R->out;
    return stmt_spool_open(&R->kept, R->hs.n, dir, err);
}

/* The print-only households; *failed_at: the lowest failing one (SIZE_MAX
 * = none), with its error in *first. */
static void compose_print_only(run_state *R, size_t *failed_at_out, folio_error *first_out)
{
    size_t n = R->hs.n;
    size_t failed_at = SIZE_MAX;        /* lowest failing household so far */
    folio_error first = {0};
#pragma omp parallel
    {
        folio_arena arena;
        folio_arena_init(&arena, 256 * 1024);
        folio_error e = {0};
#pragma omp for schedule(dynamic, 64)
        for (size_t h = 0; h < n; h++) {
            size_t f;
#pragma omp atomic read
            f = failed_at;
            if (h > f || folio_stop || !R->in_shard[h] ||
                R->plan->households[h].channel == FOLIO_CHANNEL_SUPPRESSED ||
                (archived(R, h) && !split(R, h)))
                continue;
            folio_dl_statement *st = compose_household(R->plan, h, &arena, &R->res[h], &e);
            if (!st || !keep_decisions(R, h, &e) ||
                !stmt_spool_put(&R->kept, h, st, &e)) {   /* issue 11 part 2 (r-once) */
#pragma omp critical(run_err)
                {
                    if (h < failed_at) {
                        first = e;
#pragma omp atomic write
                        failed_at = h;
                    }
                }
                e.code = 0;             /* this thread's next failure is its own */
                e.msg[0] = '\0';
            }
            folio_arena_reset(&arena);
#pragma omp atomic
            R->done++;
            if (omp_get_thread_num() == 0 && (h & 255) == 0)
                progress(R, "composed", R->done, n);
        }
        folio_arena_free(&arena);
    }
    *failed_at_out = failed_at;
    *first_out = first;
}

/* ---- the e-delivery households: ring -> archive sink ---------------------- */

typedef struct archive_ring {
    run_state *R;
    void *sink;
    folio_archive_person *people;       /* people()'s answer, reused */
    uint32_t cap;
} archive_ring;

static folio_dl_statement *archive_make(void *ctx, size_t i, folio_arena *arena,
                                        folio_error *err)
{
    archive_ring *A = ctx;
    run_state *R = A->R;
    if (folio_stopped(err))
        return NULL;
    uint32_t h = R->arch.hh[i];
    if (split(R, h))            /* issue 15 part 1 (r-chan): its own interval */
        return compose_household(R->arch_view, h, arena, &R->res_arch[h], err);
    folio_dl_statement *st = compose_household(R->plan, h, arena, &R->res[h], err);
    if (!st || !keep_decisions(R, h, err))
        return NULL;
    /* issue 11 part 2 (r-once): printed too: kept for the print ring */
    if (R->plan->households[h].channel == FOLIO_CHANNEL_BOTH &&
        !stmt_spool_put(&R->kept, h, st, err))
        return NULL;
#pragma omp atomic
    R->done++;
    return st;
}

static bool archive_deliver(void *ctx, size_t i, const folio_dl_statement *st,
                            void *const *prepared, folio_error *err)
{
    archive_ring *A = ctx;
    if (!folio_sink_archive.add_statement(A->sink, st, prepared[0], err))
        return false;
    if ((i & 63) == 0 || i + 1 == A->R->arch.n_docs)   /* issue 16 part 6 */
        progress(A->R, "archived", i + 1, A->R->arch.n_docs);
    return true;
}

/* The customers of household h for the index and notifications.csv: the
 * primary customer is notified (routing made sure the address is valid),
 * every other one with a valid address who asked for e-mail or both. */
static uint32_t archive_people(void *ctx, uint32_t h, const folio_archive_person **out)
{
    archive_ring *A = ctx;
    const run_state *R = A->R;
    const folio_household *hh = &R->hs.v[h];
    if (hh->n_customers > A->cap) {
        folio_archive_person *p = realloc(A->people, hh->n_customers * sizeof *p);
        if (!p) {
            *out = NULL;
            return UINT32_MAX;          /* out of memory: the sink fails */
        }
        A->people = p;
        A->cap = hh->n_customers;
    }
    for (uint32_t k = 0; k < hh->n_customers; k++) {
        const folio_customer *c = &R->ds->customers[R->hs.customer_idx[hh->first_customer + k]];
        A->people[k] = (folio_archive_person){
            .id = c->id, .email = c->email,
            .notify = channel_email_valid(c->email, NULL) &&
                      (k == 0 || c->delivery == FOLIO_DELIVERY_EMAIL ||
                       c->delivery == FOLIO_DELIVERY_BOTH)};
    }
    *out = A->people;
    return hh->n_customers;
}

/* Plan the archive, then compose its households below `limit` through the
 * ring into the archive sink.  The ring's error is the one of the lowest
 * failing document (household order). */
static bool compose_archived(run_state *R, size_t limit, folio_error *err)
{
    double t0 = now_s();
    run_event(R, &(folio_run_event){.kind = FOLIO_RUN_PHASE, .name = "archive",
                                    .elapsed = t0 - R->t0});
    char dir[4200], tag[32] = "";
    snprintf(dir, sizeof dir, "%s/archive", R->out);
    if (!outdir_sub(&R->od, FOLIO_OUT_ARCHIVE, true, err))
        return false;
    if (R->opt->shard_count > 0)
        snprintf(tag, sizeof tag, "s%02dof%02d", R->opt->shard_index, R->opt->shard_count);
    folio_archive_params ap = {.plan = R->arch_view ? R->arch_view : R->plan,   /* r-chan */ .opt = R->job->archive, .in_shard = R->in_shard,
                               .dir = dir, .tag = tag};
    unsigned char *icc = NULL;
    size_t icc_len = 0;
    if (!archive_plan(&ap, &R->arch, &icc, &icc_len, err))
        return false;
    const folio_job *J = R->job;
    folio_sink_archive_options so = {
        .fonts = R->layout->fonts, .n_fonts = R->layout->n_fonts, .opt = J->archive,
        .bank_name = J->bank_name, .statement_date = J->statement_date, .icc = icc,
        .icc_len = icc_len, .res = &R->arch, .people = archive_people,
        .pool = archive_pool_new()};
    folio_date_format(J->period_start, "YYYY-MM-DD", so.d0, sizeof so.d0);
    folio_date_format(J->period_end, "YYYY-MM-DD", so.d1, sizeof so.d1);
    folio_date_format(J->statement_date, "YYYY-MM-DD", so.dd, sizeof so.dd);
    archive_ring A = {.R = R};
    so.people_ctx = &A;
    size_t n = 0;                       /* documents below the limit */
    while (n < R->arch.n_docs && R->arch.hh[n] < limit)
        n++;
    A.sink = folio_sink_archive.open(&so, dir, err);
    bool ok = A.sink != NULL;
    if (ok) {
        const folio_sink_type *types[1] = {&folio_sink_archive};
        const void *topt[1] = {&so};
        folio_ring ring = {.n = n, .batch = 8, .threads = R->opt->threads, .ctx = &A,
                           .make = archive_make, .prep = types, .prep_opt = topt, .n_prep = 1,
                           .deliver = archive_deliver};
        ok = folio_ring_run(&ring, err);
        if (ok && n < R->arch.n_docs) {
            folio_sink_archive.abort(A.sink);   /* a print-only household failed first */
            ok = false;
        } else if (ok) {
            ok = folio_sink_archive.close(A.sink, NULL, err);
        } else {
            folio_sink_archive.abort(A.sink);
        }
    }
    archive_pool_free(so.pool);
    free(A.people);
    free(icc);
    R->arch.seconds = now_s() - t0;
    if (!ok)
        archive_discard(&R->arch);
    return ok;
}

bool run_compose(run_state *R, folio_error *err)
{
    R->done = 0;
    if (!frequency_archive_view(R->plan, &R->arch_view, err))   /* issue 15 (r-chan) */
        return false;
    if (R->arch_view && !(R->res_arch = calloc(R->hs.n, sizeof *R->res_arch))) {
        folio_error_set(err, FOLIO_EXIT_FAILED, "out of memory");
        return false;
    }
    /* over the budget, in a work file like R->res (issue 12) */
    if (R->res_arch && !run_spill_array(R, (void **)&R->res_arch,
                                        R->hs.n * sizeof *R->res_arch, err))
        return false;
    if (!run_keep_open(R, err))         /* issue 11 part 2 (r-once) */
        return false;
    size_t failed_at;
    folio_error first;
    compose_print_only(R, &failed_at, &first);
    /* the archive's households below the first failure (all without one) */
    folio_error ae = {0};
    bool arch_ok = compose_archived(R, failed_at, &ae);
    if (!arch_ok && ae.code) {
        *err = ae;              /* a household below failed_at, or the archive's own */
        return false;
    }
    if (failed_at != SIZE_MAX) {
        *err = first;
        return false;
    }
    if (!arch_ok) {
        folio_error_set(err, FOLIO_EXIT_FAILED, "internal error: the archive failed");
        return false;
    }
    if (!run_decisions_flush(R, err))   /* issue 11 (r-spool): the threads' buffers */
        return false;
    R->arch_doc = malloc((R->hs.n ? R->hs.n : 1) * sizeof *R->arch_doc);
    if (!R->arch_doc) {
        folio_error_set(err, FOLIO_EXIT_FAILED, "out of memory");
        return false;
    }
    for (size_t h = 0; h < R->hs.n; h++)
        R->arch_doc[h] = UINT32_MAX;
    for (size_t i = 0; i < R->arch.n_docs; i++)
        R->arch_doc[R->arch.hh[i]] = (uint32_t)i;
    return true;
}
