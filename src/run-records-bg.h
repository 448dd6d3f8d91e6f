/* SPDX-License-Identifier: Apache-2.0 */
/*
 * run-records-bg.h -- the record files written while the print stage runs
 * (issue 11, r-serial).
 *
 * not_due.csv, statement_history.csv, suppressed.csv, audit.jsonl,
 * exceptions.csv and contact_history.csv depend only on the plan, the
 * production plan and what compose decided -- all known before the print
 * stage -- so with more than one thread they are written by a thread of
 * their own while the ring prints, instead of after it on one core (the
 * largest serial phase of a print run after start: ~0.07-0.09 CPU s of a
 * 2.5 s run at 5,000 households).  The files are byte-identical: the same
 * functions write them in the same order.  Errors keep their order: a print
 * or proof error is reported before a record error, as when the records came
 * after them.  With one thread they are written in the records phase as
 * before (round 29: a run with its tables spilled to work files,
 * membudget.h, overlaps them too) -- and when OUT's file system has no
 * room for the print and record files
 * both (r-audit, round 24: a full disk then names the file the serial order
 * fills, whatever the thread count; run-records-bg.c).
 */
#ifndef FOLIO_RUN_RECORDS_BG_H
#define FOLIO_RUN_RECORDS_BG_H

#include "run-private.h"

#include <pthread.h>

typedef struct run_records_bg {
    run_state *R;
    totals *T;                  /* only its suppressed figures are written */
    pthread_t th;
    bool started, finished, ok;
    int cancel;                 /* set (atomically) by run_records_wait: the run
                                   failed or stopped, skip the work ahead */
    folio_error err;
} run_records_bg;

/* Before the print stage: start the writer thread when it pays off. */
void run_records_begin(run_records_bg *b, run_state *R, totals *T);
/* In the records phase: wait for the thread (or write the files now, when
 * none was started); false with err set when a record file failed. */
bool run_records_end(run_records_bg *b, folio_error *err);
/* On any way out of the run: wait for a thread still writing (its .part
 * files are then discarded with the others); writes nothing itself. */
void run_records_wait(run_records_bg *b);

/* The same thread then computes what the manifest and the reconciliation
 * would compute afterwards from the same data: the per-currency totals
 * (ccy-totals.h: of every feed, and of each transactions feed) and the
 * SHA-256 of the record files.  These return the kept result when there is
 * one, else compute it as before (same result, same errors). */
struct ccy_totals;
bool run_ccy_totals(const run_state *R, int feed, struct ccy_totals *C, folio_error *err);
bool run_record_sha256(const run_state *R, const char *path, char hex[65], uint64_t *bytes,
                       folio_error *err);
/* r-twothr: and the manifest's count of statements per paragraph
 * (manifest_paragraphs_shown: 5,000 reads of the coverage keys) */
bool run_paragraphs_shown(const run_state *R, uint64_t *shown);
void run_pre_free(run_state *R);

#endif
