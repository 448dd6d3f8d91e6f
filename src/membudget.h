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

/* limit 0: true.  Otherwise false with a usage error (exit 2) when the
 * estimate is above limit: the message gives both, and how many shards
 * (`folio partition --shards N`) would each fit. */
bool membudget_check(const folio_job *job, uint64_t limit, folio_error *err);

/* Around loading the feeds: tables above 1 MiB are mapped (realloc
 * moves them with mremap instead of leaving the old block behind in the
 * heap), then the allocator's threshold is 64 MiB again (pdf.h's tuning:
 * libharu's buffers stay in the heap) and freed heap pages go back.
 * Measured at 20,000 sample households: peak RSS of the load 232 MB ->
 * 152 MB. */
void membudget_load_begin(void);
void membudget_load_end(void);

#endif
