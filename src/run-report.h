/* SPDX-License-Identifier: Apache-2.0 */
/*
 * run-report.h -- events, warnings and the report of a run (run-report.c).
 */
#ifndef FOLIO_RUN_REPORT_H
#define FOLIO_RUN_REPORT_H

#include "run-private.h"

/* Seconds spent per stage, for the report. */
typedef struct run_times {
    double total, load, compose, write, proof;
    double plan;                  /* plan: wall seconds */
} run_times;

/* Pass ev to the caller's on_event (nothing when there is none). */
void run_event(run_state *R, const folio_run_event *ev);

/* Add one warning line (printf format, no "folio: " prefix, no newline)
 * to the report's list. */
void run_warn(run_state *R, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* The report's counts of a run that published. */
void run_report_fill(run_state *R, const totals *T, const run_times *t);

#endif
