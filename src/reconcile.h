/* SPDX-License-Identifier: Apache-2.0 */
/*
 * reconcile.h -- control totals and reconciliation of a run (reconcile.c).
 *
 * Order: reconcile_totals after the outputs are written (pass 2, archive,
 * proofs), then the record files (records_write adds the suppressed
 * figures to the totals), then reconcile_check.
 */
#ifndef FOLIO_RECONCILE_H
#define FOLIO_RECONCILE_H

#include "run-private.h"

/* Fill T from the composed households, the print files and the feed
 * statistics; T->overflow names the first money sum that overflowed (NULL
 * when none).  Warns (text fit, missing glyphs, AFP substitutions). */
void reconcile_totals(run_state *R, totals *T);

/* Append the reconciliation checks to cj (JSON objects, comma-separated)
 * and set *balanced.  Returns false with err set when a money sum
 * overflowed, out of memory, or the run does not reconcile. */
bool reconcile_check(run_state *R, totals *T, folio_buf *cj, bool *balanced, folio_error *err);

#endif
