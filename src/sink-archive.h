/* SPDX-License-Identifier: Apache-2.0 */
/*
 * sink-archive.h -- the e-delivery archive as a sink (issue 11 part 1).
 *
 * archive_plan() (archive.c) lists the documents, their names and zips;
 * the run feeds the archived statements through the ordered ring
 * (sink.h): prepare() renders one PDF/A-1b document per statement in the
 * worker threads (fonts parsed once per libharu document kept in a pool),
 * add_statement() appends it to the current zip with its index and
 * notification rows, strictly in document order; close() writes
 * notifications.csv.  The sink sees the display list and these options
 * only: who the customers of a household are comes from people().
 */
#ifndef FOLIO_SINK_ARCHIVE_H
#define FOLIO_SINK_ARCHIVE_H

#include "folio/archive.h"
#include "folio/sink.h"

/* One customer of an archived household, primary first. */
typedef struct folio_archive_person {
    const char *id;
    const char *email;
    bool notify;                 /* gets a notification row */
} folio_archive_person;

typedef struct archive_reuse_pool archive_reuse_pool;

typedef struct folio_sink_archive_options {
    const folio_layout_font *fonts;
    int n_fonts;
    const folio_archive_options *opt;
    const char *bank_name;
    folio_date statement_date;
    char d0[16], d1[16], dd[16];          /* period and statement date, YYYY-MM-DD */
    const unsigned char *icc;             /* the output intent's ICC profile */
    size_t icc_len;
    folio_archive_result *res;            /* archive_plan's: names, zips; filled */
    /* the customers of household h (res->hh[doc]), primary first; *out
     * stays valid until the next call; UINT32_MAX = out of memory */
    uint32_t (*people)(void *ctx, uint32_t household, const folio_archive_person **out);
    void *people_ctx;
    archive_reuse_pool *pool;             /* kept libharu documents (may be NULL) */
} folio_sink_archive_options;

extern const folio_sink_type folio_sink_archive;

archive_reuse_pool *archive_pool_new(void);
void archive_pool_free(archive_reuse_pool *pool);

/* archive.c: the plan of the archive (documents in household order, their
 * names, the zips, notifications.csv's name) and the ICC profile (*icc
 * NULL when there is no document).  No file is written. */
bool archive_plan(const folio_archive_params *p, folio_archive_result *res, unsigned char **icc,
                  size_t *icc_len, folio_error *err);
void archive_doc_name(const char *prefix, const char *hid, const char *d0, const char *d1,
                      char out[FOLIO_ARCHIVE_NAME_MAX]);

#endif
