/* SPDX-License-Identifier: Apache-2.0 */
/*
 * sink-pdf.c -- the PDF print file as a sink (sink.h), over pdf.h's writer.
 */
#include "folio/sink.h"

#include <stdlib.h>

typedef struct pdf_sink {
    folio_pdf_writer *w;
    uint32_t statements;
} pdf_sink;

static void *pdf_open(const void *opt, const char *path, folio_error *err)
{
    const folio_sink_pdf_options *o = opt;
    pdf_sink *s = calloc(1, sizeof *s);
    if (!s) {
        folio_error_set(err, FOLIO_EXIT_FAILED, "%s: out of memory", path);
        return NULL;
    }
    if (!(s->w = pdf_writer_open(path, o->fonts, o->n_fonts, &o->pdf, err))) {
        free(s);
        return NULL;
    }
    return s;
}

/* In a worker thread: the statement's pages formatted and deflated
 * (pdf_prepare_statement: no libharu call, no shared state), so the
 * ordered writer only appends them. */
static void *pdf_prepare(const void *opt, const folio_dl_statement *st, folio_error *err)
{
    const folio_sink_pdf_options *o = opt;
    return pdf_prepare_statement(o->fonts, o->n_fonts, &o->pdf, st, err);
}

static void pdf_release(void *prepared)
{
    pdf_prepared_free(prepared);
}

/* issue 11: the deflate share of pdf_prepare, for the stage split */
static double pdf_deflate_s(const void *prepared)
{
    return pdf_prepared_deflate_s(prepared);
}

static bool pdf_add(void *self, const folio_dl_statement *st, void *prepared, folio_error *err)
{
    pdf_sink *s = self;
    uint32_t first = pdf_writer_pages(s->w);
    if (!(prepared ? pdf_writer_add_prepared(s->w, prepared, err)
                   : pdf_writer_add_statement(s->w, st, err)))
        return false;
    if (!pdf_writer_piece(s->w, st, first, err))   /* issue 14 part 3: PDF/VT */
        return false;
    s->statements++;
    return true;
}

static bool pdf_close(void *self, folio_sink_result *res, folio_error *err)
{
    pdf_sink *s = self;
    *res = (folio_sink_result){.pages = pdf_writer_pages(s->w), .statements = s->statements};
    bool ok = pdf_writer_close_sha(s->w, &res->bytes, res->sha256, err);   /* issue 11 */
    free(s);
    return ok;
}

static void pdf_abort(void *self)
{
    pdf_sink *s = self;
    pdf_writer_abort(s->w);
    free(s);
}

const folio_sink_type folio_sink_pdf = {
    .name = "pdf", .ext = ".pdf", .open = pdf_open, .prepare = pdf_prepare, .release = pdf_release,
    .deflate_s = pdf_deflate_s,
    .add_statement = pdf_add, .close = pdf_close, .abort = pdf_abort};
