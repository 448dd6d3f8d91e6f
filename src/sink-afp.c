/* SPDX-License-Identifier: Apache-2.0 */
/*
 * sink-afp.c -- the AFP print file as a sink (sink.h), over afp.h's writer.
 */
#include "folio/sink.h"

#include <stdlib.h>

typedef struct afp_sink {
    folio_afp_writer *w;
    bool duplex;
} afp_sink;

static void *afp_open_sink(const void *opt, const char *path, folio_error *err)
{
    const folio_sink_afp_options *o = opt;
    afp_sink *s = calloc(1, sizeof *s);
    if (!s) {
        folio_error_set(err, FOLIO_EXIT_FAILED, "%s: out of memory", path);
        return NULL;
    }
    s->duplex = o->duplex;
    if (!(s->w = afp_writer_open(path, o->layout, o->afp, err))) {
        free(s);
        return NULL;
    }
    return s;
}

static bool afp_add(void *self, const folio_dl_statement *st, void *prepared, folio_error *err)
{
    (void)prepared;
    afp_sink *s = self;
    return afp_writer_add_statement(s->w, st, s->duplex, err);
}

static bool afp_close(void *self, folio_sink_result *res, folio_error *err)
{
    afp_sink *s = self;
    *res = (folio_sink_result){.pages = afp_writer_pages(s->w),
                               .statements = afp_writer_groups(s->w)};
    res->substituted = afp_writer_substitutions(s->w, res->substituted_ex, 8);
    res->cut = afp_writer_cut_values(s->w, res->cut_first, sizeof res->cut_first);
    bool ok = afp_writer_close(s->w, &res->bytes, err);
    free(s);
    return ok;
}

static void afp_abort(void *self)
{
    afp_sink *s = self;
    afp_writer_abort(s->w);
    free(s);
}

const folio_sink_type folio_sink_afp = {
    .name = "afp", .ext = ".afp", .open = afp_open_sink, .prepare = NULL, .release = NULL,
    .add_statement = afp_add, .close = afp_close, .abort = afp_abort};
