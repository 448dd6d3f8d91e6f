/* SPDX-License-Identifier: Apache-2.0 */
/*
 * run.c -- `folio run` (see include/folio/run.h for the order of steps): the
 * stages in order.  Each stage lives in its own file (src/run-stages.h):
 * compose (run-compose.c, with the archive), production (run-plan.c), the
 * proof sample (run-proofs.c), print (print.c), records, reconciliation,
 * manifest, publish.
 *
 * Parallelism and determinism: per-household results go into arrays
 * indexed by household and sums are integers; the print files, the archive
 * and the proof statements go through the ordered ring (sink.h), whose
 * sinks see one order at any thread count.  The first error in household
 * (or print) order wins.
 */
#include "folio/codes.h"
#include "folio/products.h"
#include "folio/currency.h"
#include "folio/run.h"

#include "folio/afp.h"
#include "folio/archive.h"
#include "folio/compose.h"
#include "folio/disclosures.h"
#include "folio/exceptions.h"
#include "folio/feed.h"
#include "folio/household.h"
#include "folio/job.h"
#include "folio/layout.h"
#include "folio/ledger.h"
#include "folio/offers.h"
#include "folio/uplift.h"   /* issue 15 part 4 */
#include "folio/marks.h"
#include "folio/paragraphs.h"
#include "folio/pdf.h"
#include "folio/production.h"
#include "folio/proof.h"
#include "print.h"
#include "publish.h"
#include "manifest.h"
#include "reconcile.h"
#include "records.h"
#include "run-records-bg.h"      /* issue 11 (r-serial) */
#include "run-outputs.h"
#include "run-private.h"
#include "run-report.h"
#include "run-stages.h"
#include "run-spool.h"
#include "run-spill.h"           /* issue 12 part 1 */
#include "membudget.h"
#include "sink-proof.h"
#include "report-html.h"
#include "workdir.h"           /* round 21 hard-attack2 */

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <omp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}


static bool stop_if_interrupted(folio_error *err)
{
    return !folio_stopped(err);
}

/* The start of a phase, to the caller (the CLI's test hook prints it). */
static void phase(run_state *R, const char *name)
{
    run_spill_tick(R, 1);           /* issue 12 part 1: every phase starts trimmed */
    run_event(R, &(folio_run_event){.kind = FOLIO_RUN_PHASE, .name = name,
                                    .elapsed = now_s() - R->t0});
}

static void progress(run_state *R, const char *what, uint64_t done, uint64_t total)
{
    if (!R->opt->progress)
        return;
    run_event(R, &(folio_run_event){.kind = FOLIO_RUN_COUNTING, .name = what, .done = done,
                                    .total = total, .elapsed = now_s() - R->t0});
}

static void pages_progress(void *ctx, uint64_t done, uint64_t total)
{
    run_spill_tick(ctx, 1);             /* issue 12 part 1: every 64 pages printed */
    progress(ctx, "pages", done, total);
}

/* Loader progress: records and MB parsed, rate and time left by bytes. */
static void load_progress(void *ctx, uint64_t records, uint64_t bytes, uint64_t total)
{
    run_state *R = ctx;
    double now = now_s();
    if (now - R->last_progress < 0.2 && bytes < total)
        return;
    R->last_progress = now;
    run_event(R, &(folio_run_event){.kind = FOLIO_RUN_LOADING, .done = bytes, .total = total,
                                    .records = records, .elapsed = now - R->t0});
}


/* Pass 2: the print files, written by every thread through the ordered ring
 * (print.h); the first error in print order wins. */
static bool pass2(run_state *R, bool close_beside, folio_error *err)
{
    print_params pp = {
        .job = R->job, .layout = R->layout, .plan = R->plan, .prod = R->prod,
        .pin = R->pin, .print_hh = R->print_hh, .res = R->res, .out = R->out,
        .threads = R->opt->threads, .files = R->files, .n_files = R->n_files,
        .done = &R->done, .progress = pages_progress, .progress_ctx = R,
        .kept = &R->kept};              /* issue 11 part 2 (r-once) */
    if (proofs_sink_options(R)) {       /* the proof sample keeps its picks */
        pp.extra = &folio_sink_proof;
        pp.extra_opt = pp.extra_self = (void *)proofs_sink_options(R);
    }
    bool ok = print_write(&pp, err);
    R->t_print_compose = pp.t_compose;
    R->t_print_prepare = pp.t_prepare;
    R->t_print_write = pp.t_write;
    R->t_print_deflate = pp.t_deflate;   /* issue 11: stage split */
    R->composed_again = pp.composed_again;   /* issue 11 part 2 (r-once) */
    /* its RAM back before the records (r-spool: on a thread, beside the
     * proofs).  Not when the records wait for the print because OUT's file
     * system is short of room: the work file's blocks must be free before
     * the proofs and records are written, or whether they fit would depend
     * on when the thread got to close it (review of round 26). */
    if (close_beside)
        stmt_spool_close_bg(&R->kept);
    else
        stmt_spool_close(&R->kept);
    return ok;
}


/* ---- the run ----------------------------------------------------------- */

static void run_free(run_state *R)
{
    size_t n_hh = R->hs.n;          /* household_free zeroes R->hs */
    run_spill_release(R);           /* issue 12 part 1: before the arrays' owners free them */
    run_pre_free(R);                /* issue 11 (r-serial) */
    frequency_view_free(R->arch_view);          /* issue 15 part 1 (r-chan) */
    frequency_counts_free(&R->freq);
    free(R->res_arch);
    stmt_spool_close(&R->kept);         /* issue 11 part 2 (r-once) */
    compose_plan_free(R->plan);
    offers_free(R->offers);
    uplift_free(R->uplift);                      /* issue 15 part 4 */
    household_free(&R->hs);
    feed_dataset_free(R->ds);
    layout_free(R->layout);
    job_free(R->job);
    (void)n_hh;
    free(R->decided);
    spool_close(&R->spool_audit);       /* issue 12 part 1 */
    spool_close(&R->spool_keys);
    free(R->res);
    free(R->in_shard);
    free(R->print_hh);
    free(R->pin);
    production_plan_free(R->prod);
    production_options_free(R->popt_owned);
    print_files_free(R->files, R->n_files);
    run_proofs_free(R->proofs);
    proof_discard(&R->proof);
    proof_result_free(&R->proof);
    archive_result_free(&R->arch);
    free(R->arch_doc);
}

int folio_run(const folio_run_options *opt, folio_run_report *rep, folio_error *err)
{
    run_state R = {.opt = opt, .t0 = now_s(), .spool_audit.fd = -1, .spool_keys.fd = -1};
    totals T = {0};
    run_records_bg rb = {0};            /* issue 11 (r-serial): records while printing */
    R.rep = rep ? rep : &R.own_rep;
    outdir_init(&R.od);
    int rc = FOLIO_EXIT_FAILED;
    if (opt->threads > 0)
        omp_set_num_threads(opt->threads);

    R.job = job_load(opt->job_path, err);
    if (!R.job) {
        rc = FOLIO_EXIT_USAGE;
        goto done;
    }
    R.layout = layout_load_attrs(R.job->layout_path, R.job->attrs, err);
    if (!R.layout || (R.job->marks && !marks_check_layout(R.job->marks, R.layout, err))
        || (R.job->codes && !codes_bind_layout(R.job->codes, R.job->path, R.layout, err))
        || !products_bind(R.job, R.layout, err)          /* issue 10 part 6 */
        || !disclosures_bind(R.layout->disclosures, R.job, R.layout->path, err) /* 14.1 */
        || (R.job->afp && !afp_options_check_layout(R.job->afp, R.job->path, R.layout, err))) {
        rc = err->code == FOLIO_EXIT_FAILED ? FOLIO_EXIT_FAILED : FOLIO_EXIT_USAGE;
        goto done;
    }
    if (R.job->offers && !(R.offers = offers_load(R.job->offers, R.job, R.layout, err))) {
        rc = err->code == FOLIO_EXIT_USAGE ? FOLIO_EXIT_USAGE : FOLIO_EXIT_FAILED;
        goto done;
    }
    R.layout->offer_graphics = offers_graphics(R.offers);   /* issue 13 leftover */
    for (int i = 0; i < R.layout->n_warnings; i++)   /* missing translations */
        run_warn(&R, "%s", R.layout->warnings[i]);
    snprintf(R.out, sizeof R.out, "%s", opt->out_dir ? opt->out_dir : R.job->out_dir);
    if (opt->work_dir && opt->work_dir[0] && workdir_inside(opt->work_dir, R.out)) {
        /* hard-attack2: it would stay in OUT, a stray entry for folio verify */
        folio_error_set(err, FOLIO_EXIT_USAGE, "--work %s is inside the output directory %s, "
                        "where folio verify allows no other files; give a directory outside it",
                        opt->work_dir, R.out);
        rc = FOLIO_EXIT_USAGE;
        goto done;
    }
    char path[4200];
    /* one run per OUT (its lock), and OUT's subdirectories never through a
     * symbolic link; nothing in OUT changes until the checks below pass */
    if (!outdir_open(&R.od, R.out, err))
        goto done;
    /* each shard writes its own OUT: the record files and the manifest
     * carry no shard tag, so a shard must not overwrite another's */
    snprintf(path, sizeof path, "%s/manifest.json", R.out);
    if (!same_shard_or_new(&R, path, err)) {
        rc = FOLIO_EXIT_USAGE;
        goto done;
    }
    if (!check_inputs(&R, err))
        goto done;
    if (!membudget_decide(R.job, opt->memory_limit, &R.mb, err)) {   /* issue 12 part 1 */
        rc = FOLIO_EXIT_USAGE;
        goto done;
    }
    run_spill_begin(&R);                /* issue 12 part 1 (round 23): the high-water mark */
    /* the old manifest (first), leftovers and the earlier run's outputs: a
     * stale manifest would make a failed run look complete, and stale print
     * files would be mailed again */
    {
        char tag[32] = "";
        if (opt->shard_count > 0)
            snprintf(tag, sizeof tag, "-s%02dof%02d", opt->shard_index, opt->shard_count);
        if (!outdir_clean(&R.od, tag, err))
            goto done;
    }
    R.owned = true;
    if (!outdir_sub(&R.od, FOLIO_OUT_PRINT, true, err))
        goto done;
    phase(&R, "load");
    double t_load = now_s();
    membudget_load_begin();             /* issue 12 part 1: no heap left behind */
    R.ds = feed_load_all_work(R.job, opt->threads, opt->progress ? load_progress : NULL, &R,
                              run_spill_dir(&R), err);   /* issue 12 part 1: NULL in memory */
    membudget_load_end();
    if (!R.ds || !currency_check_scales(R.job, R.ds, err) || !stop_if_interrupted(err))
        goto done;
    t_load = now_s() - t_load;
    /* issue 10 part 3: posting order and balances from the bank's ledger */
    if (!ledger_prepare(R.ds, R.job, R.layout, err))
        goto done;
    run_spill_note(&R);                 /* issue 12 part 1: above the budget */
    snprintf(path, sizeof path, "%s/rejects.csv.part", R.out);
    if (!feed_write_rejects(R.ds, R.job, path, err))
        goto done;

    phase(&R, "plan");                  /* issue 16 part 6 */
    double t_plan = 0;
    if (!run_plan_stage(&R, &t_plan, err))   /* run-households.c */
        goto done;

    phase(&R, "compose");
    double t_compose = now_s();
    if (!run_compose(&R, err) || !stop_if_interrupted(err))   /* and the archive */
        goto done;
    t_compose = now_s() - t_compose;
    phase(&R, "production");            /* issue 16 part 6 */
    double t_prod = now_s();
    if (!plan_files(&R, err) || !add_run_keys(&R, err) ||
        !run_spill_produced(&R, err) /* issue 12 part 1 */ ||
        (!opt->proof_replay && !proofs_select(&R, err)))
        goto done;
    if (opt->proof_replay) {            /* issue 12 part 3 (r-merge): merge's proof-only run */
        rc = run_proof_replay(&R, err) ? FOLIO_EXIT_OK : FOLIO_EXIT_FAILED;
        goto done;
    }
    t_plan += now_s() - t_prod;
    phase(&R, "print");
    double t_write = now_s();
    R.plan->skip_decisions = true;   /* pass 1 kept them (keep_decisions) */
    run_records_begin(&rb, &R, &T);     /* issue 11 (r-serial) */
    if (!pass2(&R, rb.started, err) || !stop_if_interrupted(err))
        goto done;
    t_write = now_s() - t_write;
    phase(&R, "proofs");
    double t_proof = now_s();
    if (!write_proofs(&R, err) || !stop_if_interrupted(err))
        goto done;
    t_proof = now_s() - t_proof;
    if (opt->progress)
        run_event(&R, &(folio_run_event){.kind = FOLIO_RUN_PROGRESS_END,
                                         .elapsed = now_s() - R.t0});

    /* ---- reconciliation ---- */
    phase(&R, "records");
    reconcile_totals(&R, &T);
    if (!stop_if_interrupted(err))      /* r-harden: its scans stop on a SIGTERM */
        goto done;
    /* issue 11 (r-serial): not_due.csv, statement_history.csv and
     * records_write, written during the print stage (run-records-bg.h) */
    if (!run_records_end(&rb, err))
        goto done;
    folio_buf cj;
    folio_buf_init(&cj, 1 << 20);
    bool balanced = true;
    if (!reconcile_check(&R, &T, &cj, &balanced, err)) {
        folio_buf_free(&cj);
        goto done;
    }
    if (!report_html_write(&R, &T, balanced, err))   /* issue 16 part 5: report.html */
        goto done;
    phase(&R, "publish");
    /* publish (the order is described at the top of publish.c): the
     * manifest is written under a .part name first (a full disk fails here,
     * before anything is renamed), then every output is fsync'd and renamed,
     * the directories fsync'd, and the manifest renamed last */
    if (!stop_if_interrupted(err) ||
        !write_manifest(&R, &T, balanced, cj.data ? cj.data : "", err)) {
        folio_buf_free(&cj);
        goto done;
    }
    folio_buf_free(&cj);
    {
        char rec[7][2][4200];   /* issue 15 part 1: not_due.csv, statement_history.csv */
        size_t n_items = 0;
        folio_pub_item *items = publish_items(&R, rec, &n_items);
        if (!items) {
            folio_error_set(err, FOLIO_EXIT_FAILED, "out of memory");
            goto done;
        }
        snprintf(path, sizeof path, "%s/manifest.json.part", R.out);
        bool ok = outdir_publish(&R.od, items, n_items, path, err);
        free(items);
        if (!ok)
            goto done;
        R.proof.published = R.proof.written;
    }

    run_times times = {.total = now_s() - R.t0, .load = t_load, .compose = t_compose,
                       .plan = t_plan,
                       .write = t_write, .proof = t_proof};
    run_report_fill(&R, &T, &times);
    rc = T.rejects || R.ds->exceptions.n ? FOLIO_EXIT_REJECTS : FOLIO_EXIT_OK;
done:
    run_records_wait(&rb);              /* issue 11 (r-serial): before its .part files go */
    if (rc == FOLIO_EXIT_FAILED && err->code == FOLIO_EXIT_USAGE)
        rc = FOLIO_EXIT_USAGE;          /* e.g. a mapped column missing from a feed */
    if ((rc == FOLIO_EXIT_FAILED || rc == FOLIO_EXIT_USAGE) && R.owned)
        discard_parts(&R);  /* nothing half-written stays (publishing undoes itself) */
    run_free(&R);
    outdir_close(&R.od);                /* releases the lock */
    if (!rep)
        folio_run_report_free(&R.own_rep);
    return rc;
}
