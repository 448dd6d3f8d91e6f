/* SPDX-License-Identifier: Apache-2.0 */
/*
 * dlist-blob.h -- issue 11 part 2 (r-once): a display-list statement as one
 * flat block of bytes (a "blob"), so a statement composed once can be kept
 * (in RAM or a work file, stmt-spool.h) and given back to the print ring
 * instead of being composed again.  dlist-blob.c.
 *
 * The blob holds the statement struct, its pages, ops, free rectangles,
 * tags, links, structure nodes and every string and path they point to,
 * the ops packed (dlist-blob.c: ~4x smaller than in memory).  Image
 * pointers (the layout's decoded images) are kept as they are: a blob is
 * only read back by the process that wrote it.
 */
#ifndef FOLIO_DLIST_BLOB_H
#define FOLIO_DLIST_BLOB_H

#include "folio/dlist.h"

#include <stddef.h>

/* At least the bytes of st's blob (one pass over its ops). */
size_t dlist_blob_bound(const folio_dl_statement *st);
/* Write st's blob to dst (dlist_blob_bound(st) bytes, 8-aligned); returns
 * its length (a multiple of 8). */
size_t dlist_blob_encode(const folio_dl_statement *st, void *dst);
/* The statement of the blob at `blob` (len bytes, 8-aligned), in `arena`:
 * its fixed part is used in place and its texts point into it, so the blob
 * must live as long as the statement (put it in `arena`).  Its arrays are
 * full (cap = n), so the finish stage's appends grow into `arena`.  NULL
 * when the blob is not a well-formed one of len bytes, or out of memory. */
folio_dl_statement *dlist_blob_decode(void *blob, size_t len, struct folio_arena *arena);

#endif
