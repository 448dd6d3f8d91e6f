/* SPDX-License-Identifier: Apache-2.0 */
/*
 * report-html.h -- OUT/report.html, the run report to look at (issue 16
 * part 5; report-html.c).
 */
#ifndef FOLIO_REPORT_HTML_H
#define FOLIO_REPORT_HTML_H

#include "folio/common.h"

struct run_state;
struct totals;

/* Write OUT/report.html.part (R->report_part; renamed at publish, before the
 * manifest, which lists it under "records") from the run's state and totals
 * -- the same data the manifest is written from.  Nothing when the job says
 * output.report: false.  Returns false with err set on a write error or out
 * of memory. */
bool report_html_write(struct run_state *R, const struct totals *T, bool balanced,
                       folio_error *err);

/* The SHA-256 and size of the report at path without its timings section
 * (the lines from "<!-- folio:timings:begin -->" to "<!-- folio:timings:end
 * -->"), which is all that differs between two runs of the same inputs: what
 * the manifest records (so manifest.json stays the same bytes at any thread
 * count) and `folio verify` re-checks.  The section must be there once and
 * hold only what folio writes there (section, h2, p, figure, figcaption,
 * svg, rect and text elements: no link, script, style or other content).
 * Returns false with err ("report.html: ...") when the file cannot be read
 * or the section is missing or holds anything else. */
bool report_html_digest(const char *path, char hex[65], uint64_t *bytes, folio_error *err);

#endif
