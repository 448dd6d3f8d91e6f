/* SPDX-License-Identifier: Apache-2.0 */
/*
 * run-spool.h -- issue 12 part 1: the run's end-of-run records (audit
 * members, coverage keys per household) in spools (spool.h) under the work
 * directory instead of RAM.  run-spool.c.
 */
#ifndef FOLIO_RUN_SPOOL_H
#define FOLIO_RUN_SPOOL_H

#include "run-private.h"

/* Open R->spool_audit and R->spool_keys in the work directory
 * (opt->work_dir, default OUT), one record per household. */
bool run_spools_open(run_state *R, folio_error *err);
/* Household h was composed: spool what it decided (res->audit and
 * res->keys, arena strings) and mark it decided; res->audit and res->keys
 * become NULL (read them back with run_audit_get / run_keys_get).
 * Thread-safe for distinct h. */
bool run_keep_decisions(run_state *R, size_t h, folio_error *err);
/* issue 11 (r-spool): the spools' puts are buffered per thread (spool.h
 * spool_buffered): write what the compose stage's threads still hold in
 * R->spool_audit, R->spool_keys and R->kept, once no thread puts any more
 * and before anything reads them. */
bool run_decisions_flush(run_state *R, folio_error *err);
/* Household h's audit members / coverage keys ("" when not decided) into
 * *buf (*cap its size; the caller frees *buf); NULL on a read error. */
const char *run_audit_get(const run_state *R, size_t h, char **buf, size_t *cap,
                          folio_error *err);
const char *run_keys_get(const run_state *R, size_t h, char **buf, size_t *cap,
                         folio_error *err);

/* Above the memory budget (R->mb.spill): the work directory the loader
 * keeps the dataset's tables in (feed_load_all_work), else NULL; and the
 * note that says so (a run warning, unless quiet). */
const char *run_spill_dir(const run_state *R);
void run_spill_note(run_state *R);

#endif
