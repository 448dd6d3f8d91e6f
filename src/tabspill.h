/* SPDX-License-Identifier: Apache-2.0 */
/*
 * tabspill.h -- issue 12 part 1: a run above its memory budget keeps its
 * largest tables in work files instead of anonymous memory (tabspill.c).
 *
 * A table is one anonymous file in the work directory (--work DIR, default
 * OUT; O_TMPFILE, or a name unlinked at once) mapped shared, read-write, at
 * an address that replaces the table's pointer: every reader and writer
 * keeps indexing it as before, so what is composed does not change.  A
 * table may grow (the loader's transaction table: ftruncate + mremap) and
 * be released early.  The pages of a shared file mapping live in the page
 * cache, so the process's resident ones can be dropped at any time -- a
 * written page too (it stays in the page cache, to be written back) -- and
 * are mapped again when touched: a trimmer thread drops them every few
 * milliseconds, which bounds what the tables add to the run's resident
 * memory by what it touches between two trims, whatever their size.
 * Round 23: only above a high-water mark, and then only down to an eighth
 * below it, in 16 MiB steps from a cursor that goes round the tables.
 */
#ifndef FOLIO_TABSPILL_H
#define FOLIO_TABSPILL_H

#include "folio/common.h"

#include <pthread.h>
#include <stddef.h>
#include <stdint.h>

#define FOLIO_TABSPILL_MAX 32   /* the dataset's tables and the run's arrays */

typedef struct folio_tabspill {
    char dir[4096];
    struct { void *map; size_t len; int fd; } t[FOLIO_TABSPILL_MAX];   /* fd -1: free */
    uint64_t bytes;             /* of the tables mapped now */
    uint64_t peak;              /* the most bytes mapped at once */
    pthread_mutex_t mu;         /* the slots, against the trimmer */
    int region;                 /* slot of the string region, -1: none */
    size_t r_used, r_ready;     /* bytes handed out, bytes allocated on disk */
    void *trimmer;              /* the trimmer thread's state, or NULL */
    uint64_t ticks;             /* tabspill_tick's count (atomic) */
    uint64_t trims;             /* trims done (atomic) */
    struct { const void *map; size_t len; } w[4];   /* round 23: watched read mappings */
    int c_slot;                 /* round 23: the trimming cursor (slot, offset) */
    size_t c_off;
    int k_slot;                 /* r-harden: the kept tables' own cursor (trim_down) */
    size_t k_off;
    /* issue 12 part 1 (round 24): tables read at random (rows by index while
     * the loops go in household order: customers, accounts, the plan's
     * accounts), trimmed only when dropping every other table's pages did
     * not bring the resident size down (tabspill_keep) */
    uint8_t keep[FOLIO_TABSPILL_MAX];
    /* r-audit (round 24) finding T1: after a sweep of every table that could
     * not get under the mark, the next bo_left requests are skipped (bo_skip
     * doubles, at most 64) unless the resident size grew 16 MiB past bo_res */
    uint32_t bo_skip, bo_left;
    uint64_t bo_res;
} folio_tabspill;

/* Tables in files under dir (created when the first table is). */
void tabspill_init(folio_tabspill *s, const char *dir);
/* Move the table *table (malloc'ed, bytes long) into a work file: *table
 * is freed and replaced by the mapping.  0 bytes or NULL: left alone. */
bool tabspill_table(folio_tabspill *s, void **table, size_t bytes, folio_error *err);
/* Grow the table *table to bytes (its first old_bytes kept): a table of s
 * grows in its file (it may move); any other (malloc'ed or NULL) moves into
 * a new work file and is freed.  On failure *table is unchanged. */
bool tabspill_grow(folio_tabspill *s, void **table, size_t old_bytes, size_t bytes,
                   folio_error *err);
/* A region of up to `reserve` bytes of address space (a sparse file) that
 * tabspill_alloc hands out -- the loader's strings.  Disk is allocated as
 * it is handed out, so a full disk is a NULL from tabspill_alloc (the
 * caller allocates elsewhere), never a fault. */
bool tabspill_region(folio_tabspill *s, size_t reserve, folio_error *err);
/* n bytes (16-aligned) of the region, from any thread; NULL when the
 * region is full or there is none. */
void *tabspill_alloc(folio_tabspill *s, size_t n);
/* Is p a table of s? */
bool tabspill_owns(folio_tabspill *s, const void *p);
/* issue 12 part 1 (round 24): the work file holding address p (inside any
 * table or the region of s) and p's offset in it, for pread/pwrite that
 * leave the mapping's pages alone; -1 when p is in none. */
int tabspill_file_of(folio_tabspill *s, const void *p, size_t *off);
/* round 27: the same, and *len the bytes of that file's mapping (so that
 * p - *off .. p - *off + *len is the whole mapping) */
int tabspill_file_at(folio_tabspill *s, const void *p, size_t *off, size_t *len);
/* issue 12 part 1 (round 24): table p of s is read at random: above the
 * mark the trim drops every other table's pages first (a table read in
 * order faults once per 64 KB again, one read at random once per row). */
void tabspill_keep(folio_tabspill *s, const void *p);
/* Unmap table p of s and close its file (true), or false when p is not one. */
bool tabspill_release(folio_tabspill *s, void *p);
/* Start the trimmer thread (every interval_ms it trims if over the
 * high-water mark); false when it cannot start
 * (the run goes on untrimmed: same outputs, more memory). */
bool tabspill_trim_start(folio_tabspill *s, unsigned interval_ms);
/* issue 12 part 1 (round 23): trimming by resident size.  Above its
 * budget a run sets a high-water mark under it (run-spill.c: 3/4 of
 * --memory-limit); the trimmer thread and tabspill_tick then drop the
 * tables' pages only when the process's resident memory (/proc/self/statm)
 * is at or above the mark, and only until it is an eighth below it (16 MiB
 * at a time from a cursor going round the tables: pages touched just
 * behind it stay the longest), so pages touched again and again
 * stay mapped while they fit.  0 (the default): every tick and every trimmer wake-up
 * trims, as before.  Process-wide: resident memory is. */
void tabspill_set_high_water(uint64_t bytes);
/* The process's resident bytes now; 0 when unknown. */
uint64_t tabspill_resident(void);
/* No mark, resident size unknown, or at/above the mark. */
bool tabspill_over_high_water(void);
/* Drop every resident page of the tables now (whatever the mark). */
void tabspill_trim(folio_tabspill *s);
/* One unit of work done (a household composed, a statement printed), from
 * any thread: every `every`-th call trims if over the high-water mark.  The loops that touch the
 * tables drive the trimming themselves, so what they add to the resident
 * memory is bounded by `every` units of work even when the trimmer thread
 * is not scheduled (a loaded machine). */
void tabspill_tick(folio_tabspill *s, unsigned every);
/* Round 23: a read-only shared mapping of a file read in order (a spool
 * mapped for a pass over it) is trimmed with the tables: its pages first,
 * all of them, at every trim.  Unwatch before unmapping it.  At most 4;
 * more are not watched (untrimmed: more memory, the same outputs). */
void tabspill_watch(folio_tabspill *s, const void *map, size_t len);
void tabspill_unwatch(folio_tabspill *s, const void *map);
/* Stop the trimmer, unmap every table and close its file.  The caller
 * drops its pointers to them. */
void tabspill_close(folio_tabspill *s);

#endif
