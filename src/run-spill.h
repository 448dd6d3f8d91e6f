/* SPDX-License-Identifier: Apache-2.0 */
/*
 * run-spill.h -- issue 12 part 1: a run above its memory budget keeps its
 * per-household arrays (compose results, the plan's households and
 * accounts, the households, the spools' offsets, the production input and
 * pieces, the proof sample's view) in mapped work files too, like the
 * dataset's tables (tabspill.h), and trims the resident pages of both from
 * the loops that touch them.  run-spill.c.
 */
#ifndef FOLIO_RUN_SPILL_H
#define FOLIO_RUN_SPILL_H

#include "run-private.h"

/* Move the array *pp (malloc'ed, bytes long) into the run's work file when
 * the run is spilled (R->mb.spill); a no-op otherwise.  The array is freed
 * and *pp points at the mapping; run_spill_release unmaps it and sets *pp
 * to NULL, so its owner's free() is then a no-op.  Never moved twice. */
bool run_spill_array(run_state *R, void **pp, size_t bytes, folio_error *err);
/* The arrays a run holds once households are planned (R->res, R->decided,
 * R->in_shard, the plan's and the households' arrays, the spool offsets). */
bool run_spill_planned(run_state *R, folio_error *err);
/* ... once production is planned and the final coverage keys spooled
 * (add_run_keys): R->pin, R->print_hh, the pieces, the keys spool's offsets. */
bool run_spill_produced(run_state *R, folio_error *err);
/* One unit of a loop over the households (composed, printed, written to a
 * record): every `every`-th call the resident pages of the spilled tables
 * and arrays are dropped (tabspill_tick).  RUN_SPILL_HEAVY for a loop that
 * composes, RUN_SPILL_LIGHT for one that only reads the arrays.  A no-op
 * when the run is not spilled. */
#define RUN_SPILL_HEAVY 8
#define RUN_SPILL_LIGHT 256
void run_spill_tick(const run_state *R, unsigned every);
/* Round 23: once the budget is decided, before the load: a spilled run
 * drops work-file pages only while its resident memory is above 3/4 of
 * --memory-limit (tabspill_set_high_water); in memory, no mark. */
void run_spill_begin(run_state *R);
/* Round 23: the tables a spilled run's spool mappings are trimmed with
 * (spool.h's trim), or NULL in memory. */
struct folio_tabspill *run_spill_trimmer(const run_state *R);
/* Unmap every array moved, setting its pointer to NULL.  First thing in
 * run_free, before the arrays' owners free them. */
void run_spill_release(run_state *R);

#endif
