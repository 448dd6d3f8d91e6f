/* SPDX-License-Identifier: Apache-2.0 */
/*
 * finish.c -- duplex padding and inserter marks, in one place (finish.h).
 */
#include "folio/finish.h"

bool finish_statement(const folio_finish *f, folio_dl_statement *st,
                      const folio_piece_marks *pm, folio_error *err)
{
    if (f->duplex && (st->n_pages & 1)) {
        folio_dl_page *pg = dlist_page_add(st);
        if (!pg) {
            folio_error_set(err, FOLIO_EXIT_FAILED, "out of memory");
            return false;
        }
        pg->blank_back = true;
    }
    /* marks after padding and before any writer, so every format carries
     * identical marks */
    if (f->marks && pm) {
        folio_piece_marks m = *pm;
        m.duplex = f->duplex;
        if (!marks_apply(f->marks, f->layout, st, &m, err))
            return false;
    }
    return true;
}
