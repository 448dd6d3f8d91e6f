/* SPDX-License-Identifier: Apache-2.0 */
/*
 * attrs-private.h -- attributes (issue 10 part 1): the hooks job.c, the feed
 * loader (feed-parse.c, feed.c, feed-resolve.c), layout.c and compose.c call,
 * one call site each.  The public side is include/folio/attrs.h.
 */
#ifndef FOLIO_ATTRS_PRIVATE_H
#define FOLIO_ATTRS_PRIVATE_H

#include "folio/attrs.h"
#include "folio/feed.h"
#include "folio/job.h"
#include "yamltree.h"

/* ---- job file (job.c) ----------------------------------------------------- */

/* Read `attributes:` of feed job->feeds[feed] (node `feed`, name `where`);
 * absent is fine.  Appends to job->attrs. */
bool attrs_read_feed(yt_doc *d, folio_job *job, int feed, const yt_node *node,
                     const char *where);
/* After every feed is read: slots, per-feed pointers, names that shadow a
 * built-in field or repeat one, the rules catalogue. */
bool attrs_job_finish(yt_doc *d, folio_job *job);
void attrs_free(folio_attrs *a);

/* ---- load (feed-parse.c, feed.c) ------------------------------------------ */

/* Staged values of one feed (or one chunk of it) in line order; resolve
 * moves them onto the records. */
typedef struct attrs_stage {
    folio_attr_val *v;            /* n rows x width */
    uint32_t *line;               /* per row */
    const char **key;             /* attribute feeds: the row's id */
    size_t n, cap;
} attrs_stage;

/* Header: column index of each attribute of def into col_idx (n_attrs
 * entries), marking each mapped column in col_class (FEED_COL_LINE).  A
 * column missing from the header, or found twice, is FOLIO_EXIT_USAGE. */
bool attrs_map_header(const folio_feed_def *def, const char *const *cols, int n_cols,
                      const char *fname, uint32_t hdr_line, int *col_idx,
                      uint8_t *col_class, folio_error *err);

/* One row: type every attribute of def from fields[col_idx[k]] (len[k])
 * into a new row of st (key: the id of an attribute-feed row, else NULL).
 * Returns 1 staged, 0 rejected (*bad_col = the attribute's column index,
 * why = the reason), -1 out of memory.  Strings go to sp. */
struct feed_strpool;
int attrs_stage_row(const folio_feed_def *def, const int *col_idx, const char *buf,
                    const size_t *off, const size_t *flen, uint32_t line, const char *key,
                    attrs_stage *st, struct feed_strpool *sp, int *bad_col, char *why,
                    size_t why_cap);
void attrs_stage_pop(attrs_stage *st);
/* Append src's rows to dst with lines shifted by `base`. */
bool attrs_stage_append(attrs_stage *dst, const attrs_stage *src, int width, uint32_t base);
void attrs_stage_free(attrs_stage *st);

/* Resolve (feed-resolve.c, after the transaction sort): put every staged
 * value on its record, join attribute feeds by id (unknown or repeated ids
 * rejected).  Frees the stages.  False on out of memory. */
bool attrs_resolve(folio_dataset *ds);

#endif
