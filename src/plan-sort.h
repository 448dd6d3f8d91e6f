/* SPDX-License-Identifier: Apache-2.0 */
/*
 * plan-sort.h -- a stable merge sort on all of the run's threads, for the
 * plan stage's sorts (household_group, events_bind) that kept the other
 * cores idle (issue 11, round 29: serial parts at 2 threads).
 *
 * Stable: elements that compare equal keep their input order, so the
 * result is the one order a stable sort has -- the same at any thread
 * count, whatever the comparator's ties.  Element sizes up to 64 bytes.
 */
#ifndef FOLIO_PLAN_SORT_H
#define FOLIO_PLAN_SORT_H

#include <stdbool.h>
#include <stddef.h>

typedef int (*plan_cmp_fn)(const void *a, const void *b, void *arg);

/* Sort base[0..n) of elements of `size` bytes (1..64).  threads: at most
 * this many (0: OpenMP's maximum; inside a parallel region: 1).  Returns
 * false only when it cannot get its n * size bytes of scratch (base is then
 * unchanged). */
bool plan_sort(void *base, size_t n, size_t size, plan_cmp_fn cmp, void *arg, int threads);

#endif
