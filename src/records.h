/* SPDX-License-Identifier: Apache-2.0 */
/*
 * records.h -- suppressed.csv, audit.jsonl and contact_history.csv of a run
 * (records.c).  Each writes PATH (a ".part" name, created exclusively) and
 * returns false with err set on failure or a stop request.
 */
#ifndef FOLIO_RECORDS_H
#define FOLIO_RECORDS_H

#include "run-private.h"

/* suppressed.csv; also returns the transactions suppressed (count and
 * checked sum) and the accounts suppressed, for the control totals. */
bool write_suppressed(run_state *R, const char *path, folio_money *sum_txn,
                      uint64_t *n_acc, uint64_t *n_txn, folio_error *err);

/* audit.jsonl, one JSON object per household in household order. */
bool write_audit(run_state *R, const char *path, folio_error *err);

/* contact_history.csv: the contacts read, then the offers this run showed. */
bool write_contact_history(run_state *R, const char *path, folio_error *err);

/* Every record file above plus exceptions.csv, in order, under OUT's
 * .part names; fills T's suppressed figures. */
bool records_write(run_state *R, totals *T, folio_error *err);

#endif
