/* SPDX-License-Identifier: Apache-2.0 */
/*
 * sink-pieces.c -- the pieces file of a print file as a sink (sink.h, issue
 * 11): the rows are the production plan's, appended as the statements they
 * describe are written, each checked against the statement first.
 */
#include "folio/production.h"
#include "folio/sink.h"
#include "sink-file.h"

#include <stdlib.h>
#include <string.h>

typedef struct pieces_sink {
    folio_sink_pieces_options o;
    sink_file f;
    folio_buf row;
    uint32_t k;                   /* statements written */
    uint32_t pages;
} pieces_sink;

static void *pieces_open(const void *opt, const char *path, folio_error *err)
{
    const folio_sink_pieces_options *o = opt;
    if (!o || !o->plan || o->file >= o->plan->n_files) {
        folio_error_set(err, FOLIO_EXIT_FAILED, "internal error: %s: no such print file", path);
        return NULL;
    }
    pieces_sink *s = calloc(1, sizeof *s);
    if (!s) {
        folio_error_set(err, FOLIO_EXIT_FAILED, "out of memory");
        return NULL;
    }
    s->o = *o;
    if (!sink_file_open(&s->f, path, false, true, err)) {
        free(s);
        return NULL;
    }
    folio_buf_init(&s->row, (size_t)1 << 20);
    production_pieces_header(&s->row);
    sink_file_put(&s->f, s->row.data, s->row.len);
    return s;
}

static bool pieces_add(void *self, const folio_dl_statement *st, void *prepared,
                       folio_error *err)
{
    (void)prepared;
    pieces_sink *s = self;
    const folio_production_plan *plan = s->o.plan;
    const folio_prod_file *pf = &plan->files[s->o.file];
    if (s->k >= pf->n_pieces) {
        folio_error_set(err, FOLIO_EXIT_FAILED,
                        "%s: statement of household %s beyond the %u pieces planned",
                        s->f.path, st->id, pf->n_pieces);
        return false;
    }
    size_t i = pf->first_piece + s->k;
    const folio_prod_piece *pc = &plan->pieces[i];
    const char *hh = s->o.in[pc->input].household ? s->o.in[pc->input].household : "";
    uint32_t sheets = s->o.duplex ? (st->n_pages + 1) / 2 : st->n_pages;
    if (strcmp(st->id, hh) != 0 || st->n_pages != pc->pages || sheets != pc->sheets) {
        folio_error_set(err, FOLIO_EXIT_FAILED,
                        "%s: piece %s is household %s, %u pages, %u sheets, but the "
                        "statement written is household %s, %u pages, %u sheets",
                        s->f.path, pc->id, hh, pc->pages, pc->sheets, st->id, st->n_pages,
                        sheets);
        return false;
    }
    s->row.len = 0;
    production_pieces_row(plan, i, s->o.in, s->o.file_name, &s->row);
    if (s->row.failed) {
        folio_error_set(err, FOLIO_EXIT_FAILED, "%s: out of memory", s->f.path);
        return false;
    }
    sink_file_put(&s->f, s->row.data, s->row.len);
    if (s->f.err.code) {
        *err = s->f.err;
        return false;
    }
    s->k++;
    s->pages += st->n_pages;
    return true;
}

static bool pieces_close(void *self, folio_sink_result *res, folio_error *err)
{
    pieces_sink *s = self;
    const folio_prod_file *pf = &s->o.plan->files[s->o.file];
    bool ok;
    if (s->k != pf->n_pieces) {
        folio_error_set(err, FOLIO_EXIT_FAILED, "%s: %u of the %u pieces planned written",
                        s->f.path, s->k, pf->n_pieces);
        sink_file_abort(&s->f);
        ok = false;
    } else {
        folio_sink_result r = {.statements = s->k, .pages = s->pages};
        ok = sink_file_close(&s->f, false, &r.bytes, r.sha256, err);
        if (ok)
            *res = r;
    }
    folio_buf_free(&s->row);
    free(s);
    return ok;
}

static void pieces_abort(void *self)
{
    pieces_sink *s = self;
    sink_file_abort(&s->f);
    folio_buf_free(&s->row);
    free(s);
}

const folio_sink_type folio_sink_pieces = {
    .name = "pieces", .ext = ".pieces.csv", .open = pieces_open,
    .add_statement = pieces_add, .close = pieces_close, .abort = pieces_abort};
