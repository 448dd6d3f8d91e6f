/* SPDX-License-Identifier: Apache-2.0 */
/*
 * run-private.h -- the state of one `folio run`, shared by the files that
 * make up the run (private to the library; not installed).
 *
 *   run.c          the stages in order (folio_run)
 *   run-compose.c, run-plan.c, run-proofs.c   stages (run-stages.h)
 *   records.c      audit.jsonl, suppressed.csv, contact_history.csv
 *   reconcile.c    control totals and the reconciliation checks
 *   manifest.c     manifest.json
 *   run-outputs.c  OUT: shard guard, inputs outside OUT, publish list, discard
 *
 * run_state is made by folio_run and lives for the run; every pointer in it
 * is owned by it and freed by run_free (run.c).
 */
#ifndef FOLIO_RUN_PRIVATE_H
#define FOLIO_RUN_PRIVATE_H

#include "folio/afp.h"
#include "stmt-spool.h"     /* issue 11 part 2 (r-once) */
#include "folio/archive.h"
#include "folio/compose.h"
#include "folio/feed.h"
#include "folio/frequency.h"
#include "folio/household.h"
#include "folio/ledger.h"
#include "folio/job.h"
#include "folio/layout.h"
#include "folio/offers.h"
#include "folio/production.h"
#include "folio/progress.h"
#include "folio/proof.h"
#include "folio/run.h"
#include "print.h"
#include "publish.h"
#include "spool.h"
#include "membudget.h"   /* issue 12 part 1 */


typedef struct run_proofs run_proofs;   /* issue 11 part 1: run-proofs.c */

typedef struct run_state {
    const folio_run_options *opt;
    folio_job *job;
    folio_layout *layout;
    folio_dataset *ds;
    folio_households hs;
    folio_plan *plan;
    folio_offers *offers;                 /* NULL when the job has no offers */
    struct folio_uplift *uplift;          /* issue 15 part 4: NULL = no responses feed */
    char out[4096];
    /* per household */
    folio_compose_result *res;            /* res[h].audit/keys: NULL, in the spools */
    /* issue 12 part 1: what compose decided is spooled, not kept in RAM:
     * decided[h] says household h was composed; its audit members are
     * record h of spool_audit, its coverage keys record h of spool_keys
     * (compose's, then add_run_keys's final set) */
    uint8_t *decided;
    folio_spool spool_audit, spool_keys;
    uint8_t *in_shard;
    /* production: print statements (household order), the plan, its files */
    uint32_t *print_hh; size_t n_print;   /* household index of each print statement */
    folio_piece_input *pin;               /* production input per print statement */
    folio_production_plan *prod;
    const folio_production_options *popt;
    folio_production_options *popt_owned; /* defaults when the job has none */
    print_file *files; size_t n_files;
    folio_outdir od;                      /* OUT: its lock and directories (publish.h) */
    bool owned;                           /* OUT locked and cleaned: this run's to write */
    folio_proof_result proof;             /* proofs/ (proof.h) */
    run_proofs *proofs;                   /* the sample's picks and statements (run-proofs.c) */
    folio_archive_result arch;            /* e-delivery archive (archive.h) */
    uint32_t *arch_doc;                   /* per household: archive document, UINT32_MAX = none */
    /* progress */
    double t0;
    double last_progress;                 /* when the load progress line was drawn */
    volatile uint64_t done;
    folio_run_report *rep;                /* the caller's, or own_rep */
    folio_run_report own_rep;
    folio_ledger_counts ledger;   /* issue 10 part 3: counts.ledger (ledger.h) */
    folio_frequency_counts freq;  /* issue 15 part 1: counts.not_due (frequency.h) */
    /* issue 15 part 1 (r-chan): per-channel statements: the archive
     * documents' view of the plan (NULL = none split) and the results of
     * composing split households' archive documents (per household) */
    folio_plan *arch_view;
    folio_compose_result *res_arch;
    /* the print stage's time per stage, summed over threads (print.h) */
    double t_print_compose, t_print_prepare, t_print_write;
    double t_print_deflate;       /* issue 11: the deflate part of t_print_prepare */
    /* issue 16 parts 5, 6: phase starts (progress.h, from run_event) and
     * OUT/report.html (report-html.c), written under report_part */
    folio_phase_clock phases;
    char report_part[4200], report_path[4200];
    bool report_written;
    /* issue 12 part 1: the memory budget (above it, the loader keeps the
     * dataset's tables in work files: feed_load_all_work) */
    folio_membudget mb;
    struct run_spill *spill;      /* issue 12 part 1: per-household arrays in work files (run-spill.h) */
    struct run_pre *pre;          /* issue 11 (r-serial): computed while printing (run-records-bg.h) */
    /* issue 11 part 2 (r-once): the printed statements composed in pass 1,
     * kept for the print ring (stmt-spool.h); composed_again: households
     * the print ring composed once more (not kept) */
    stmt_spool kept;
    uint64_t composed_again;
    int records_cancel;           /* r-harden: set (atomically) when the run gave up (run_halted) */
} run_state;

/* r-harden (round 25): the record writers' loops stop on a stop request
 * (folio_stop) and when the run already failed and no longer wants their
 * files (run_records_wait sets records_cancel: a print error while the
 * records thread writes). */
static inline bool run_halted(const run_state *R)
{
    return folio_stop || __atomic_load_n(&R->records_cancel, __ATOMIC_RELAXED);
}

/* False with err set when run_halted: by the signal, else as cancelled. */
static inline bool run_go_on(const run_state *R, folio_error *err)
{
    if (folio_stopped(err))
        return false;
    if (!__atomic_load_n(&R->records_cancel, __ATOMIC_RELAXED))
        return true;
    folio_error_set(err, FOLIO_EXIT_FAILED, "the record files were given up: the run failed");
    return false;
}

static inline bool afp_on(const run_state *R)
{
    return R->job->afp && R->job->afp->enabled;
}

/* Household index of the statement at position i of the print order. */
static inline uint32_t piece_hh(const run_state *R, size_t i)
{
    return R->print_hh[R->prod->pieces[i].input];
}

typedef struct totals {
    uint64_t households, statements[4], pages_print, pages_email, sheets, rejects;
    uint64_t acc_read, acc_composed, acc_suppressed, acc_rejected;
    uint64_t txn_read, txn_composed, txn_suppressed, txn_rejected;
    folio_money amt_read, amt_accepted, amt_composed, amt_suppressed, amt_rejected;
    folio_money amt_loaded;     /* sum over the loaded transaction table */
    uint64_t afp_substitutions; /* characters the AFP code page lacked */
    uint64_t afp_cut_values;    /* AFP index values cut at 250 bytes */
    uint64_t notdef_chars;      /* characters drawn as .notdef (no glyph) */
    uint64_t text_shrunk, text_clipped;   /* texts too wide for their box */
    uint64_t afp_pages, afp_groups;       /* over the AFP print files */
    uint64_t text_pages;                  /* over the text print files */
    const char *overflow;       /* the first money sum that overflowed, or NULL */
} totals;

#endif
