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
 * Outputs are written under temporary names (".part") and renamed only when
 * the whole run has succeeded; a stale manifest.json is removed first, so a
 * killed run never leaves a directory that looks complete.
 */
#ifndef FOLIO_RUN_H
#define FOLIO_RUN_H

#include "folio/common.h"

typedef struct folio_run_options {
    const char *job_path;
    const char *out_dir;          /* NULL: the job's output.dir */
    int threads;                  /* 0: all cores */
    int shard_index, shard_count; /* 1-based index of N; 0/0 = no sharding */
    bool quiet;                   /* no summary */
    bool progress;                /* progress line on stderr */
} folio_run_options;

/* Run a job.  Returns a FOLIO_EXIT_* code; on 1 or 2, err says why. */
int folio_run(const folio_run_options *opt, folio_error *err);

#endif
