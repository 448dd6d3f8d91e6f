/* SPDX-License-Identifier: Apache-2.0 */
/*
 * report-html.h -- OUT/report.html, the run report to look at (issue 16
 * part 5; report-html.c).
 */
#ifndef FOLIO_REPORT_HTML_H
#define FOLIO_REPORT_HTML_H

#include "run-private.h"

/* Write OUT/report.html.part (R->report_part; renamed at publish, before the
 * manifest, which lists it under "records" with its SHA-256) from the run's
 * state and totals -- the same data the manifest is written from.  Nothing
 * when the job says output.report: false.  Returns false with err set on a
 * write error or out of memory. */
bool report_html_write(run_state *R, const totals *T, bool balanced, folio_error *err);

#endif
