/* SPDX-License-Identifier: Apache-2.0 */
/*
 * tabspill.h -- issue 12 part 1: a run above its memory budget keeps its
 * largest loaded tables in a work file instead of anonymous memory
 * (tabspill.c).
 *
 * After loading (and the ledger, which reorders transactions), a table is
 * written to one anonymous file in the work directory (--work DIR, default
 * OUT; O_TMPFILE, or a name unlinked at once) and mapped back read-only at
 * a new address that replaces the table's pointer: every reader keeps
 * indexing it as before, so what is composed does not change.  A writer
 * after the spill would fault (PROT_READ), never write a copy that is
 * lost.  Pages of a mapped file are clean, so the resident ones can be
 * dropped at any time and are read again from the page cache (or the
 * disk) when touched: a trimmer thread drops them every few milliseconds,
 * which bounds what the table adds to the run's resident memory by what
 * the run touches between two trims, whatever the table's size.
 */
#ifndef FOLIO_TABSPILL_H
#define FOLIO_TABSPILL_H

#include "folio/common.h"

#include <stddef.h>
#include <stdint.h>

#define FOLIO_TABSPILL_MAX 8

typedef struct folio_tabspill {
    int fd;                     /* -1: none */
    char dir[4096];
    struct { void *map; size_t len; } t[FOLIO_TABSPILL_MAX];
    int n;
    uint64_t bytes;             /* of every table spilled */
    void *trimmer;              /* the trimmer thread's state, or NULL */
} folio_tabspill;

void tabspill_init(folio_tabspill *s);
/* Move the table *table (malloc'ed, bytes long) into the work file in dir:
 * *table is freed and replaced by a read-only mapping of its copy.  A
 * table of 0 bytes is left alone. */
bool tabspill_table(folio_tabspill *s, const char *dir, void **table, size_t bytes,
                    folio_error *err);
/* Start the trimmer thread (every interval_ms milliseconds); false when it
 * cannot start (the run goes on untrimmed). */
bool tabspill_trim_start(folio_tabspill *s, unsigned interval_ms);
/* Drop every resident page of the spilled tables now. */
void tabspill_trim(folio_tabspill *s);
/* Stop the trimmer, unmap the tables and close the file.  The pointers
 * given to tabspill_table must be set to NULL by the caller before their
 * owner frees them (tabspill_forget). */
void tabspill_close(folio_tabspill *s);

#endif
