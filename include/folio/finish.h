/* SPDX-License-Identifier: Apache-2.0 */
/*
 * folio/finish.h -- the finish stage: a composed statement as it is printed.
 *
 * Between compose and the sinks, in this order, once per printed statement
 * (print files and the proof sample call the same function, so a proof
 * shows the piece as mailed):
 *   1. duplex padding: an odd page count gets a blank back side
 *      (folio_dl_page.blank_back), so every statement starts on a new sheet;
 *   2. inserter marks and barcodes (marks.h) of the piece.
 * Index tags are set by compose (household, name, postal_code, accounts,
 * pages).  Thread-safe: no state between calls.
 */
#ifndef FOLIO_FINISH_H
#define FOLIO_FINISH_H

#include "folio/common.h"
#include "folio/dlist.h"
#include "folio/layout.h"
#include "folio/marks.h"

typedef struct folio_finish {
    bool duplex;
    const folio_marks_options *marks;   /* NULL = no marks */
    const folio_layout *layout;
} folio_finish;

/* Finish st in place.  pm: the piece's marks data (its first_sheet and
 * duplex are taken from here and from f), NULL when the statement is not
 * a mail piece (no marks).  False with err on failure (out of memory, a
 * mark overlapping the page's content). */
bool finish_statement(const folio_finish *f, folio_dl_statement *st,
                      const folio_piece_marks *pm, folio_error *err);

#endif
