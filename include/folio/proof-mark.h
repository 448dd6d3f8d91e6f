/* SPDX-License-Identifier: Apache-2.0 */
/*
 * folio/proof-mark.h -- what makes a printed statement a proof page: the
 * account numbers masked and the "PROOF" watermark (src/proof.c).
 *
 * Split from folio/proof.h (issue 11) so the proof sink (src/sink-proof.c)
 * sees display lists and the layout only, never compose.h, feed.h or
 * household.h; folio/proof.h includes this file.
 */
#ifndef FOLIO_PROOF_MARK_H
#define FOLIO_PROOF_MARK_H

#include "folio/dlist.h"
#include "folio/layout.h"

#include <stdbool.h>
#include <stddef.h>

/* The "PROOF" watermark behind every page of st and `banner` in its top
 * margin; a duplex blank back gets the watermark and a note. */
bool proof_watermark(folio_dl_statement *st, const folio_layout *L, const char *banner);

/* Mask every occurrence of each account number in text ops of st (all but
 * the last four characters of a number longer than four become mask_char;
 * text is copied into st's arena before it is changed).  Returns false on
 * out of memory. */
bool proof_mask_statement(folio_dl_statement *st, const char *const *numbers, size_t n,
                          char mask_char);

#endif
