/* SPDX-License-Identifier: Apache-2.0 */
/*
 * records.h -- suppressed.csv, audit.jsonl, contact_history.csv and
 * exceptions.csv of a run (records.c).  The first three are record sinks
 * on the record ring (issue 11, sink.h): one pass over the households.
 */
#ifndef FOLIO_RECORDS_H
#define FOLIO_RECORDS_H

#include "run-private.h"

/* Every record file above, under OUT's .part names (created exclusively):
 * suppressed.csv (fills T's suppressed figures), audit.jsonl (one JSON
 * object per household in household order), contact_history.csv when the
 * job has offers (the contacts read, then the offers this run showed), then
 * exceptions.csv.  False with err set on failure or a stop request; the
 * ring's files are then removed. */
bool records_write(run_state *R, totals *T, folio_error *err);

#endif
