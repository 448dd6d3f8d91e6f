/* SPDX-License-Identifier: Apache-2.0 */
/*
 * stmt-spool.h -- issue 11 part 2 (r-once): every printed household is
 * composed once.  The compose stage (pass 1) keeps each printed statement
 * as a blob (dlist-blob.h); the print ring takes it back instead of
 * composing the household again.  stmt-spool.c.
 *
 * Where the blobs live: an anonymous work file (spool.h: O_TMPFILE in the
 * work directory), like the audit and coverage-key spools -- in the page
 * cache while the machine has room, never in the process's resident
 * memory, so the run's peak RSS does not grow with the households kept.
 * (Blobs kept in the heap instead, up to what the budget left, raised the
 * peak of a 5,000-household print-only run from 57 to 63 MB for no CPU
 * measurably saved: perf/README.md, "Round 23: composed once".)
 * A household that was not kept is composed again by the caller.
 */
#ifndef FOLIO_STMT_SPOOL_H
#define FOLIO_STMT_SPOOL_H

#include "folio/dlist.h"
#include "spool.h"

#include <pthread.h>
#include <stdint.h>

typedef struct stmt_spool {
    bool on;                    /* open */
    bool closing;               /* issue 11 (r-spool): stmt_spool_close_bg's thread */
    pthread_t closer;
    folio_spool file;
    /* counters (atomic): statements kept, their bytes */
    uint64_t n_kept, bytes;
} stmt_spool;

/* A spool of n records (households) in a work file in directory dir. */
bool stmt_spool_open(stmt_spool *s, size_t n, const char *dir, folio_error *err);
/* Keep record i := st (thread-safe for distinct i).  Encoded into the
 * calling thread's spool buffer (issue 11, r-spool: stmt_spool_flush
 * writes it), else its scratch comes from st's own arena. */
bool stmt_spool_put(stmt_spool *s, size_t i, const folio_dl_statement *st, folio_error *err);
/* issue 11 (r-spool): write what the threads' buffers hold (spool.h
 * spool_flush): after the puts, before any has/take. */
bool stmt_spool_flush(stmt_spool *s, folio_error *err);
/* Is record i kept? */
bool stmt_spool_has(const stmt_spool *s, size_t i);
/* Record i back as a statement in `arena` (thread-safe).  NULL with err on
 * a read error, out of memory or a damaged record. */
folio_dl_statement *stmt_spool_take(stmt_spool *s, size_t i, folio_arena *arena,
                                    folio_error *err);
/* Close (the counters stay); a zeroed, never opened spool is left alone.
 * Waits for stmt_spool_close_bg's thread. */
void stmt_spool_close(stmt_spool *s);
/* issue 11 (r-spool): close it on a thread of its own, for a caller that
 * takes nothing more: closing the unnamed work file returns its page cache
 * (72.5 MB at 5,000 households: 8-20 ms in close(2) here), which ran on the
 * main thread between the print ring and the proofs with the other cores
 * idle.  stmt_spool_close waits for it; where no thread can be made, the
 * spool is closed here. */
void stmt_spool_close_bg(stmt_spool *s);

#endif
