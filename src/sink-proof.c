/* SPDX-License-Identifier: Apache-2.0 */
/*
 * sink-proof.c -- the proof sample's statements (sink-proof.h).
 */
#include "sink-proof.h"

#include "folio/proof-mark.h"    /* never folio/proof.h: it pulls compose, feed, household */

#include <stdlib.h>
#include <string.h>

const folio_proof_pick *proof_pick_find(const folio_sink_proof_options *o, const char *id)
{
    size_t lo = 0, hi = o->n_picks;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        int c = strcmp(o->picks[mid].id, id);
        if (c == 0)
            return &o->picks[mid];
        if (c < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    return NULL;
}

/* What prepare hands to add: the pick, or `not_picked`. */
typedef struct proof_blob {
    const folio_proof_pick *pick;
    folio_pdf_prepared *prepared;
    uint32_t pages;
} proof_blob;

static proof_blob not_picked;

/* A copy of st whose pages and op arrays are its own (texts are shared:
 * masking copies a text before it changes it), in arena a. */
static folio_dl_statement *copy_statement(const folio_dl_statement *st, folio_arena *a)
{
    folio_dl_statement *c = folio_arena_alloc(a, sizeof *c);
    if (!c)
        return NULL;
    *c = *st;
    c->arena = a;
    c->pages = folio_arena_alloc(a, (st->n_pages ? st->n_pages : 1) * sizeof *c->pages);
    if (!c->pages)
        return NULL;
    c->cap_pages = st->n_pages;
    for (uint32_t i = 0; i < st->n_pages; i++) {
        folio_dl_page *p = &c->pages[i];
        *p = st->pages[i];
        p->ops = folio_arena_alloc(a, (p->n_ops ? p->n_ops : 1) * sizeof *p->ops);
        if (!p->ops)
            return NULL;
        if (p->n_ops)
            memcpy(p->ops, st->pages[i].ops, p->n_ops * sizeof *p->ops);
        p->cap_ops = p->n_ops;
        p->free_rects = NULL;            /* not drawn */
        p->n_free = p->cap_free = 0;
    }
    return c;
}

static void *proof_prepare(const void *opt, const folio_dl_statement *st, folio_error *err)
{
    const folio_sink_proof_options *O = opt;
    const folio_proof_pick *pk = st->id ? proof_pick_find(O, st->id) : NULL;
    if (!pk)
        return &not_picked;
    proof_blob *b = calloc(1, sizeof *b);
    folio_arena a;
    folio_arena_init(&a, 64 * 1024);
    folio_dl_statement *c = b ? copy_statement(st, &a) : NULL;
    bool ok = c && proof_mask_statement(c, pk->numbers, pk->n_numbers, O->mask_char) &&
              proof_watermark(c, O->layout, pk->banner);
    if (!ok) {
        folio_error_set(err, FOLIO_EXIT_FAILED, "proof of household %s: out of memory", st->id);
    } else {
        b->pick = pk;
        b->pages = c->n_pages;
        b->prepared = pdf_prepare_statement(O->layout->fonts, O->layout->n_fonts, &O->pdf, c,
                                            err);
        ok = b->prepared != NULL;
    }
    folio_arena_free(&a);
    if (!ok) {
        free(b);
        return NULL;
    }
    return b;
}

static void proof_release(void *prepared)
{
    proof_blob *b = prepared;
    if (!b || b == &not_picked)
        return;
    if (b->prepared)
        pdf_prepared_free(b->prepared);
    free(b);
}

/* issue 11: the deflate share of a picked statement's prepare */
static double proof_deflate_s(const void *prepared)
{
    const proof_blob *b = prepared;
    return b && b != &not_picked ? pdf_prepared_deflate_s(b->prepared) : 0.0;
}

/* One instance per run: add files the picked statements under their pick. */
static void *proof_open(const void *opt, const char *path, folio_error *err)
{
    (void)path;
    (void)err;
    return (void *)opt;
}

static bool proof_add(void *self, const folio_dl_statement *st, void *prepared,
                      folio_error *err)
{
    const folio_sink_proof_options *O = self;
    proof_blob *b = prepared;
    if (!b || b == &not_picked)
        return true;
    uint32_t i = b->pick->pick;
    if (O->stmt[i]) {
        folio_error_set(err, FOLIO_EXIT_FAILED, "internal error: household %s reached the "
                        "proof sample twice", st->id);
        return false;
    }
    O->stmt[i] = b->prepared;        /* taken: release() frees the blob only */
    O->stmt_pages[i] = b->pages;
    b->prepared = NULL;
    return true;
}

static bool proof_close(void *self, folio_sink_result *res, folio_error *err)
{
    (void)self;
    (void)err;
    if (res)
        memset(res, 0, sizeof *res);
    return true;
}

static void proof_abort(void *self)
{
    (void)self;
}

const folio_sink_type folio_sink_proof = {
    .name = "proof",
    .ext = ".pdf",
    .open = proof_open,
    .prepare = proof_prepare,
    .deflate_s = proof_deflate_s,   /* issue 11 */
    .release = proof_release,
    .add_statement = proof_add,
    .close = proof_close,
    .abort = proof_abort,
};
