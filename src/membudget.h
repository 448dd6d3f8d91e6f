/* SPDX-License-Identifier: Apache-2.0 */
/*
 * membudget.h -- issue 12 part 1: the memory a `folio run` will need,
 * estimated before anything is loaded, against --memory-limit.
 * membudget.c.
 */
#ifndef FOLIO_MEMBUDGET_H
#define FOLIO_MEMBUDGET_H

#include "folio/common.h"
#include "folio/job.h"

#include <stdint.h>

/* Estimated peak resident memory of an in-memory run of job, in bytes,
 * from the sizes of its feed files (*feed_bytes: their sum). */
uint64_t membudget_estimate(const folio_job *job, uint64_t *feed_bytes);

/* The default budget when --memory-limit is not given: 1 GiB. */
#define FOLIO_MEMBUDGET_DEFAULT ((uint64_t)1 << 30)

/* What a run does with its budget (membudget_decide). */
typedef struct folio_membudget {
    uint64_t limit;               /* bytes: --memory-limit, or the default */
    bool given;                   /* --memory-limit was given */
    uint64_t feed_bytes;
    uint64_t estimate;            /* peak RSS of the run in memory */
    uint64_t estimate_spilled;    /* ... with its tables in the work file */
    bool spill;                   /* estimate above limit: tables on disk (tabspill.h) */
} folio_membudget;

/* limit 0: the default budget, FOLIO_MEMBUDGET_DEFAULT.  A job whose
 * estimate fits runs in memory (the fast path, spill false); above it, the
 * run keeps its transaction table in a work file (spill true).  False with
 * a usage error (exit 2) only when a limit given is below what any run
 * needs (BASE + 1 MiB). */
bool membudget_decide(const folio_job *job, uint64_t limit, folio_membudget *mb,
                      folio_error *err);

/* Around loading the feeds (run.c): call the program's hook, if it set
 * one, with true before and false after.  issue 11: the library never
 * tunes the allocator itself; folio's hook (cli_load_allocator,
 * src/cli-process.c, set in main) maps tables above 1 MiB during the load
 * (realloc moves them with mremap instead of leaving the old block behind
 * in the heap), then sets the threshold back to 64 MiB (the CLI's tuning:
 * libharu's buffers stay in the heap) and gives freed heap pages back.
 * Measured at 20,000 sample households: peak RSS of the load 232 MB ->
 * 152 MB.  Set once, before any run starts (not thread-safe). */
void membudget_set_load_hook(void (*hook)(bool begin));
void membudget_load_begin(void);
void membudget_load_end(void);

#endif
