/* SPDX-License-Identifier: Apache-2.0 */
/*
 * merge-spill.h -- issue 12 (r-harden, round 28): an external sort of byte
 * strings in bounded memory, for `folio merge`'s checks over every piece of
 * every shard (merge-spill.c).  Not a public header.
 */
#ifndef FOLIO_MERGE_SPILL_H
#define FOLIO_MERGE_SPILL_H

#include "folio/common.h"

#include <stdbool.h>
#include <stddef.h>

typedef struct msort msort;

/* A sorter whose records are held in at most about `mem` bytes: beyond
 * that, sorted runs go to files dir/NAME-K.run (removed by msort_close)
 * and are merged back, at most MSORT_FANIN at a time.  Records sort by
 * memcmp, a shorter prefix first (strcmp order for text without NUL). */
msort *msort_open(const char *dir, const char *name, size_t mem, folio_error *err);
bool msort_add(msort *s, const void *p, size_t n, folio_error *err);
/* End of input: the records can be read in order. */
bool msort_done(msort *s, folio_error *err);
/* The next record in order (valid until the next call): 1, 0 at the end,
 * -1 with err set (a run file unreadable). */
int msort_next(msort *s, const char **p, size_t *n, folio_error *err);
/* Frees s and removes its run files. */
void msort_close(msort *s);
/* Run files written so far (tests and the perf notes). */
size_t msort_runs(const msort *s);

#endif
