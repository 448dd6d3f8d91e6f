/* SPDX-License-Identifier: Apache-2.0 */
/*
 * folio/run.h -- `folio run`: the whole job, from feeds to the output directory.
 *
 * Steps: job -> layout -> feeds (parallel) -> households -> plan -> pass 1:
 * compose every household (parallel) to know its pages and the control totals
 * -> assign print statements to files (split at max_sheets, never inside a
 * statement) -> pass 2: each print file composed again and written by one
 * thread (files in parallel) -> reconciliation (fails the run if it does not
 * hold) -> rename outputs into place -> manifest.json last.
 *
 * The library never prints: the summary, warnings and progress reach the
 * caller through folio_run_report and folio_run_options.on_event
 * (src/cli-run.c prints them).
 *
 * Outputs are written under temporary names (".part") and renamed only when
 * the whole run has succeeded; a stale manifest.json is removed first, so a
 * killed run never leaves a directory that looks complete.
 */
#ifndef FOLIO_RUN_H
#define FOLIO_RUN_H

#include "folio/common.h"

/* What a run tells its caller while it runs (folio_run_options.on_event),
 * from the calling thread or an OpenMP worker, never two at once. */
typedef enum folio_run_event_kind {
    FOLIO_RUN_PHASE,        /* a phase starts: name = "load", "compose",
                               "archive" (inside compose: the e-delivery
                               households, issue 11), "print", "proofs",
                               "records", "publish" */
    FOLIO_RUN_LOADING,      /* progress: records parsed, done of total bytes */
    FOLIO_RUN_COUNTING,     /* progress: name ("composed", "pages"), done of total */
    FOLIO_RUN_PROGRESS_END  /* no more progress events */
} folio_run_event_kind;

typedef struct folio_run_event {
    folio_run_event_kind kind;
    const char *name;
    uint64_t done, total;
    uint64_t records;             /* FOLIO_RUN_LOADING */
    double elapsed;               /* seconds since the run started */
} folio_run_event;

typedef void (*folio_run_event_fn)(void *ctx, const folio_run_event *ev);

typedef struct folio_run_options {
    const char *job_path;
    const char *out_dir;          /* NULL: the job's output.dir */
    int threads;                  /* 0: all cores */
    int shard_index, shard_count; /* 1-based index of N; 0/0 = no sharding */
    bool quiet;                   /* no oversize-file warning (the CLI's --quiet) */
    bool progress;                /* send progress events (at most ~5/s for the load) */
    folio_run_event_fn on_event;  /* NULL: no events */
    void *event_ctx;
    /* issue 12 part 1: bounded memory */
    const char *work_dir;         /* work files (spools); NULL: OUT */
    uint64_t memory_limit;        /* bytes; 0: no limit */
    /* issue 12 part 3 (r-merge): a proof-only run for `folio merge`
     * (folio/proof.h): NULL for a normal run */
    const struct folio_proof_replay *proof_replay;
} folio_run_options;

/* One printed mail stream of the report. */
typedef struct folio_run_stream_summary {
    char *name;
    uint64_t statements, sheets;
    uint32_t files;
} folio_run_stream_summary;

/* What a run did, for the caller to show (the CLI prints it as the summary).
 * Counts are filled when the run published (exit 0 or 3); warnings always,
 * in the order they arose, each one line without the "folio: " prefix.
 * Owned by the caller; folio_run_report_free frees what the run put in. */
typedef struct folio_run_report {
    char *job_name, *out_dir;
    uint64_t households, statements[4];   /* by channel: print, email, both, suppressed */
    size_t print_statements, print_files;
    uint64_t print_pages, print_sheets;
    folio_run_stream_summary *streams;    /* the streams with statements */
    size_t n_streams;
    size_t archive_documents, archive_zips;
    uint64_t archive_pages, notifications;
    double archive_seconds;
    uint64_t acc_read, acc_composed, acc_suppressed, acc_rejected;
    uint64_t txn_read, txn_composed, txn_suppressed, txn_rejected;
    int n_languages;                      /* of the layout; by_language when >= 2 */
    char **languages;
    uint64_t *by_language, fallback_statements;
    bool offers;                          /* the job has offers */
    uint64_t offers_shown, offers_statements_with, offers_statements, offers_held_out;
    bool proofs;                          /* a proof sample was written */
    uint32_t proof_households, proof_pages, proof_keys, proof_keys_covered;
    double proof_seconds;
    uint64_t rejects;                     /* rejected rows */
    size_t exceptions;                    /* cases in exceptions.csv */
    char **exception_lines;               /* the first 20 of them, one line each, in the
                                             file's order: "KIND: household H: DETAIL (ACTION)" */
    size_t n_exception_lines;
    double seconds, load_seconds, compose_seconds, write_seconds;
    int threads;
    double stage_plan_s;                  /* plan (wall), then the print stage's compose,
                                             prepare and write in CPU seconds of all threads */
    double stage_compose_s, stage_prepare_s, stage_write_s;
    double stage_render_s, stage_deflate_s;   /* issue 11: prepare = render + deflate */
    uint64_t pdf_pages;                   /* every PDF writer of the run (pdf_stats_get) */
    double pdf_format_s, pdf_deflate_s, pdf_emit_s;   /* their CPU seconds, all threads */
    /* issue 11 part 2 (r-once): printed statements kept from compose (in
     * a work file, their bytes) and households the print stage composed
     * again (0 when every printed one was kept) */
    uint64_t kept, kept_bytes, composed_again;
    char **warnings;
    size_t n_warnings;
} folio_run_report;

/* Run a job.  Returns a FOLIO_EXIT_* code; on 1 or 2, err says why.  rep
 * (may be NULL) receives the report; the library prints nothing. */
int folio_run(const folio_run_options *opt, folio_run_report *rep, folio_error *err);

/* Free what folio_run put into rep and zero it. */
void folio_run_report_free(folio_run_report *rep);

#endif
