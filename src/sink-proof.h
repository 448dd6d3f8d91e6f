/* SPDX-License-Identifier: Apache-2.0 */
/*
 * sink-proof.h -- the statements of the proof sample as a sink (issue 11
 * part 1).
 *
 * The sample is picked before the statements are written (proof_select,
 * from the coverage keys of the compose stage and the run's own keys).  The
 * print ring feeds every printed statement to this sink; prepare() keeps
 * the picked ones only: a copy of the display list, account numbers masked
 * (proof_mask_statement), the "PROOF" watermark and banner
 * (proof_watermark), formatted and deflated for the proof's PDF writer
 * (pdf_prepare_statement) -- the statement exactly as printed, finish stage
 * included, never composed again.  add_statement() files it under its pick;
 * proof_write() takes them from there, in pick order, between the cover
 * pages.  Picks that are not printed (e-mail only) go through the same
 * prepare/add from the proof stage's own small ring.
 */
#ifndef FOLIO_SINK_PROOF_H
#define FOLIO_SINK_PROOF_H

#include "folio/layout.h"
#include "folio/sink.h"

/* One picked household. */
typedef struct folio_proof_pick {
    const char *id;               /* household id (folio_dl_statement.id) */
    uint32_t pick;                /* index in pick order */
    const char *const *numbers;   /* its account numbers, masked on every page */
    size_t n_numbers;
    const char *banner;           /* the line in the top margin */
} folio_proof_pick;

typedef struct folio_sink_proof_options {
    const folio_layout *layout;   /* fonts for the watermark */
    folio_pdf_options pdf;        /* the proof's PDF writer options */
    char mask_char;
    const folio_proof_pick *picks;   /* sorted by id (strcmp) */
    size_t n_picks;
    /* out (add_statement): per pick index, its prepared statement and its
     * pages (blank backs included); NULL = not (yet) delivered */
    folio_pdf_prepared **stmt;
    uint32_t *stmt_pages;
} folio_sink_proof_options;

extern const folio_sink_type folio_sink_proof;

/* The pick of household id, or NULL. */
const folio_proof_pick *proof_pick_find(const folio_sink_proof_options *o, const char *id);

#endif
