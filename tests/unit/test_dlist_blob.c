/* SPDX-License-Identifier: Apache-2.0 */
/* Unit tests: issue 11 part 2 (r-once) -- a statement kept as a blob
 * (src/dlist-blob.c) comes back equal in every field, op kind, string,
 * path, link and structure node; the finish stage can append to it; a cut
 * blob is refused; the statement spool (src/stmt-spool.c) keeps records
 * from many threads and gives them back. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <omp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "dlist-blob.h"
#include "stmt-spool.h"

static int fake_image;              /* an image pointer is kept as it is */

static folio_dl_statement *sample(folio_arena *a, int variant)
{
    char id[32];
    snprintf(id, sizeof id, "HH-%04d", variant);
    folio_dl_statement *st = dlist_statement_new(a, id, 12240, 15840);
    assert_non_null(st);
    st->lang = "es";
    st->period_start = 20000 + variant;
    st->period_end = 20030;
    uint32_t sect = dlist_struct_open(st, FOLIO_SR_SECT);
    uint32_t th = dlist_struct_open(st, FOLIO_SR_TH);
    dlist_struct_scope(st, th, FOLIO_SCOPE_COLUMN);
    folio_dl_page *pg = dlist_page_add(st);
    assert_true(dlist_page_add_text(st, pg, 1, 180, 720, 1440, 0x112233, "Saldo €", 8, true));
    dlist_struct_close(st);
    assert_true(dlist_page_add_text(st, pg, 0, 180, 2000, 1440, 0, "same line", 9, true));
    assert_true(dlist_page_add_rule(st, pg, -5, INT32_MAX, INT32_MIN, 7, 10, 0xFFFFFF));
    assert_true(dlist_page_add_box(st, pg, 100, 200, 300, 400, 0xEEEEEE, 0x010203, 15));
    assert_true(dlist_page_add_free(st, pg, 0, 8000, 12240, 4000));
    uint32_t fig = dlist_struct_open(st, FOLIO_SR_FIGURE);
    assert_true(dlist_struct_alt(st, fig, "a chart", 7));
    assert_true(dlist_page_add_image(st, pg, (const struct folio_image *)(void *)&fake_image,
                                     10, 20, 30, 40, 11, 21, 29, 39));
    folio_dl_seg segs[3] = {{FOLIO_SEG_MOVE, 1, 2, 0, 0, 0, 0},
                            {FOLIO_SEG_CURVE, 3, 4, 5, 6, 7, 8},
                            {FOLIO_SEG_CLOSE, 0, 0, 0, 0, 0, 0}};
    assert_true(dlist_page_add_path(st, pg, segs, 3, FOLIO_PATH_STROKE | FOLIO_PATH_FILL,
                                    0xFF0000, 12, 0x00FF00));
    dlist_struct_close(st);
    (void)sect;
    dlist_page_add(st);                         /* a page without ops */
    folio_dl_page *p3 = dlist_page_add(st);
    p3->blank_back = true;
    for (int k = 0; k < 40 + variant % 7; k++) {    /* grown arrays */
        char t[16];
        int n = snprintf(t, sizeof t, "row %d", k);
        assert_true(dlist_page_add_text(st, &st->pages[2], (uint8_t)(k % 3), 160,
                                        720 + k * 3, 2000 + k * 240, 0, t, (size_t)n, true));
    }
    assert_true(dlist_statement_add_tag(st, "postal_code", "28001"));
    assert_true(dlist_statement_add_tag(st, "name", ""));
    assert_true(dlist_statement_add_link(st, 0, 1, 2, 3, 4, "https://example.org/x", 21));
    assert_true(dlist_struct_link(st, sect, 0));
    return st;
}

static void same(const folio_dl_statement *a, const folio_dl_statement *b)
{
    assert_string_equal(a->id, b->id);
    assert_string_equal(a->lang, b->lang);
    assert_int_equal(a->page_w, b->page_w);
    assert_int_equal(a->page_h, b->page_h);
    assert_int_equal(a->period_start, b->period_start);
    assert_int_equal(a->period_end, b->period_end);
    assert_int_equal(a->sn_cur, b->sn_cur);
    assert_int_equal(a->sn_art, b->sn_art);
    assert_int_equal(a->n_pages, b->n_pages);
    for (uint32_t i = 0; i < a->n_pages; i++) {
        const folio_dl_page *p = &a->pages[i], *q = &b->pages[i];
        assert_int_equal(p->n_ops, q->n_ops);
        assert_int_equal(p->n_free, q->n_free);
        assert_int_equal(p->blank_back, q->blank_back);
        for (uint32_t k = 0; k < p->n_free; k++)
            assert_true(p->free_rects[k].x == q->free_rects[k].x &&
                        p->free_rects[k].y == q->free_rects[k].y &&
                        p->free_rects[k].w == q->free_rects[k].w &&
                        p->free_rects[k].h == q->free_rects[k].h);
        for (uint32_t k = 0; k < p->n_ops; k++) {
            const folio_dl_op *o = &p->ops[k], *r = &q->ops[k];
            assert_int_equal(o->kind, r->kind);
            assert_int_equal(o->font, r->font);
            assert_int_equal(o->flags, r->flags);
            assert_int_equal(o->size, r->size);
            assert_int_equal(o->x, r->x);
            assert_int_equal(o->y, r->y);
            assert_int_equal(o->x2, r->x2);
            assert_int_equal(o->y2, r->y2);
            assert_int_equal(o->w, r->w);
            assert_int_equal(o->h, r->h);
            assert_int_equal(o->color, r->color);
            assert_int_equal(o->stroke, r->stroke);
            assert_int_equal(o->line_w, r->line_w);
            assert_int_equal(o->len, r->len);
            assert_int_equal(o->sn, r->sn);
            if (o->kind == FOLIO_DL_TEXT)
                assert_memory_equal(o->text, r->text, o->len);
            if (o->kind == FOLIO_DL_IMAGE)
                assert_ptr_equal(o->image, r->image);
            if (o->kind == FOLIO_DL_PATH) {
                assert_int_equal(o->path->n, r->path->n);
                for (uint32_t j = 0; j < o->path->n; j++) {
                    const folio_dl_seg *u = &o->path->segs[j], *v = &r->path->segs[j];
                    assert_int_equal(u->kind, v->kind);
                    assert_true(u->x == v->x && u->y == v->y && u->c1x == v->c1x &&
                                u->c1y == v->c1y && u->c2x == v->c2x && u->c2y == v->c2y);
                }
            }
        }
    }
    assert_int_equal(a->n_tags, b->n_tags);
    for (uint32_t i = 0; i < a->n_tags; i++) {
        assert_string_equal(a->tags[i].name, b->tags[i].name);
        assert_string_equal(a->tags[i].value, b->tags[i].value);
    }
    assert_int_equal(a->n_links, b->n_links);
    for (uint32_t i = 0; i < a->n_links; i++) {
        assert_int_equal(a->links[i].page, b->links[i].page);
        assert_int_equal(a->links[i].x, b->links[i].x);
        assert_int_equal(a->links[i].y, b->links[i].y);
        assert_int_equal(a->links[i].w, b->links[i].w);
        assert_int_equal(a->links[i].h, b->links[i].h);
        assert_string_equal(a->links[i].uri, b->links[i].uri);
    }
    assert_int_equal(a->n_snodes, b->n_snodes);
    for (uint32_t i = 0; i < a->n_snodes; i++) {
        assert_int_equal(a->snodes[i].parent, b->snodes[i].parent);
        assert_int_equal(a->snodes[i].role, b->snodes[i].role);
        assert_int_equal(a->snodes[i].scope, b->snodes[i].scope);
        assert_int_equal(a->snodes[i].link, b->snodes[i].link);
        if (a->snodes[i].alt)
            assert_string_equal(a->snodes[i].alt, b->snodes[i].alt);
        else
            assert_null(b->snodes[i].alt);
    }
}

static void test_round_trip(void **state)
{
    (void)state;
    folio_arena a, b;
    folio_arena_init(&a, 4096);
    folio_arena_init(&b, 4096);
    folio_dl_statement *st = sample(&a, 3);
    size_t bound = dlist_blob_bound(st);
    void *blob = folio_arena_alloc(&b, bound);
    size_t len = dlist_blob_encode(st, blob);
    assert_true(len <= bound);
    assert_int_equal(len % 8, 0);
    size_t mem = st->n_pages * sizeof *st->pages;   /* packed: smaller than in memory */
    for (uint32_t i = 0; i < st->n_pages; i++)
        mem += st->pages[i].n_ops * sizeof(folio_dl_op);
    assert_true(len < mem);
    folio_dl_statement *back = dlist_blob_decode(blob, len, &b);
    assert_non_null(back);
    assert_ptr_equal(back->arena, &b);
    same(st, back);
    /* the finish stage appends pages, ops and tags: they grow into b */
    folio_dl_page *pg = dlist_page_add(back);
    assert_non_null(pg);
    pg->blank_back = true;
    assert_true(dlist_page_add_text(back, &back->pages[0], 0, 100, 1, 2, 0, "OMR", 3, true));
    assert_true(dlist_statement_add_tag(back, "piece", "P1"));
    assert_int_equal(back->n_pages, st->n_pages + 1);
    assert_int_equal(back->pages[0].n_ops, st->pages[0].n_ops + 1);
    assert_string_equal(back->tags[back->n_tags - 1].value, "P1");
    assert_string_equal(back->tags[0].name, "postal_code");
    folio_arena_free(&a);
    folio_arena_free(&b);
}

/* r-tag7 (round 27): a statement with its structure off (a print-only
 * household's) gets no nodes from any struct call -- opens, artifacts on
 * and off in any balance, enter, scope, alt, link -- its ops keep node 0,
 * and once compose has cleared sn_art it round-trips through a blob. */
static void test_struct_off(void **state)
{
    (void)state;
    folio_arena a, b;
    folio_arena_init(&a, 4096);
    folio_arena_init(&b, 4096);
    folio_dl_statement *st = dlist_statement_new(&a, "HH-OFF", 12240, 15840);
    assert_non_null(st);
    dlist_struct_off(st);
    folio_dl_page *pg = dlist_page_add(st);
    assert_int_equal(dlist_struct_open(st, FOLIO_SR_SECT), 0);
    assert_int_equal(dlist_struct_open(st, FOLIO_SR_TD), 0);
    dlist_struct_scope(st, 1, FOLIO_SCOPE_ROW);
    assert_true(dlist_struct_alt(st, 1, "x", 1));
    assert_true(dlist_page_add_text(st, pg, 0, 180, 720, 1440, 0, "cell", 4, true));
    dlist_struct_artifact(st, true);
    dlist_struct_artifact(st, false);
    dlist_struct_artifact(st, false);   /* off more often than on: stays off */
    dlist_struct_close(st);
    assert_int_equal(dlist_struct_enter(st, 5), 0);
    assert_int_equal(dlist_struct_open(st, FOLIO_SR_P), 0);
    assert_true(dlist_struct_link(st, 0, 0));
    assert_true(dlist_page_add_text(st, pg, 0, 180, 900, 1440, 0, "para", 4, true));
    assert_int_equal(st->n_snodes, 0);
    for (uint32_t k = 0; k < pg->n_ops; k++)
        assert_int_equal(pg->ops[k].sn, 0);
    st->sn_art = 0;                     /* as compose_household leaves it */
    void *blob = folio_arena_alloc(&b, dlist_blob_bound(st));
    size_t len = dlist_blob_encode(st, blob);
    folio_dl_statement *back = dlist_blob_decode(blob, len, &b);
    assert_non_null(back);
    assert_int_equal(back->n_snodes, 0);
    assert_int_equal(back->pages[0].n_ops, 2);
    folio_arena_free(&a);
    folio_arena_free(&b);
}

/* A blob cut anywhere before its padding is refused, never read past. */
static void test_cut(void **state)
{
    (void)state;
    folio_arena a;
    folio_arena_init(&a, 4096);
    folio_dl_statement *st = sample(&a, 1);
    void *blob = malloc(dlist_blob_bound(st));
    assert_non_null(blob);
    size_t len = dlist_blob_encode(st, blob);
    for (size_t cut = 0; cut + 8 <= len; cut++) {
        void *copy = malloc(cut ? cut : 1);     /* exactly cut bytes: ASan sees overreads */
        memcpy(copy, blob, cut);
        folio_arena t;
        folio_arena_init(&t, 4096);
        assert_null(dlist_blob_decode(copy, cut, &t));
        folio_arena_free(&t);
        free(copy);
    }
    free(blob);
    folio_arena_free(&a);
}

/* r-audit (round 24) finding A1: a blob whose indices point outside the
 * arrays read back (a damaged work file that still decodes) is refused. */
static void test_indices(void **state)
{
    (void)state;
    char decoded[64] = "";
    for (int damage = 0; damage <= 7; damage++) {
        folio_arena a;
        folio_arena_init(&a, 4096);
        folio_dl_statement *st = sample(&a, 2);
        folio_dl_op *op0 = &st->pages[0].ops[0];
        switch (damage) {
        case 1: op0->sn = st->n_snodes; break;                 /* node past snodes[] */
        case 2: st->snodes[1].parent = st->n_snodes + 3; break;
        case 3: st->snodes[1].link = (int32_t)st->n_links; break;  /* link past links[] */
        case 4: st->links[0].page = st->n_pages; break;
        case 5: op0->kind = 99; break;
        case 6: st->sn_cur = st->n_snodes; break;
        case 7:
            for (uint32_t k = 0; k < st->pages[0].n_ops; k++)
                if (st->pages[0].ops[k].kind == FOLIO_DL_PATH)
                    ((folio_dl_seg *)st->pages[0].ops[k].path->segs)[1].kind = 9;
            break;
        default: break;                                         /* 0: intact */
        }
        void *blob = malloc(dlist_blob_bound(st));
        assert_non_null(blob);
        size_t len = dlist_blob_encode(st, blob);
        folio_arena t;
        folio_arena_init(&t, 4096);
        if (damage == 0)
            assert_non_null(dlist_blob_decode(blob, len, &t));
        else if (dlist_blob_decode(blob, len, &t) != NULL)
            snprintf(decoded + strlen(decoded), sizeof decoded - strlen(decoded), " %d", damage);
        folio_arena_free(&t);
        free(blob);
        folio_arena_free(&a);
    }
    if (decoded[0])
        fail_msg("damaged blobs decoded:%s", decoded);
}

/* Records put from many threads come back equal (after stmt_spool_flush);
 * absent ones are not kept. */
static void test_spool(void **state)
{
    (void)state;
    char dir[] = "/tmp/folio-test-stmt-XXXXXX";
    assert_non_null(mkdtemp(dir));
    stmt_spool s;
    folio_error err = {0};
    enum { N = 200 };
    assert_true(stmt_spool_open(&s, N, dir, &err));
    int bad = 0;
#pragma omp parallel num_threads(4)
    {
        folio_arena a;
        folio_arena_init(&a, 4096);
#pragma omp for schedule(dynamic, 3)
        for (int i = 0; i < N; i++) {
            if (i % 10 == 9)
                continue;                       /* not kept */
            folio_error e = {0};
            if (!stmt_spool_put(&s, (size_t)i, sample(&a, i), &e)) {
#pragma omp atomic
                bad++;
            }
            folio_arena_reset(&a);
        }
        folio_arena_free(&a);
    }
    assert_int_equal(bad, 0);
    assert_int_equal(s.n_kept, N - N / 10);
    folio_arena a, b;
    folio_arena_init(&a, 4096);
    folio_arena_init(&b, 4096);
    /* issue 11 (r-spool): the threads' buffers are written by the flush;
     * a take before it is an internal error, not a statement missing */
    folio_error early = {0};
    assert_null(stmt_spool_take(&s, 0, &b, &early));
    assert_non_null(strstr(early.msg, "internal error"));
    assert_true(stmt_spool_flush(&s, &err));
    for (int i = N - 1; i >= 0; i--) {          /* another order than put */
        if (i % 10 == 9) {
            assert_false(stmt_spool_has(&s, (size_t)i));
            continue;
        }
        assert_true(stmt_spool_has(&s, (size_t)i));
        folio_dl_statement *back = stmt_spool_take(&s, (size_t)i, &b, &err);
        assert_non_null(back);
        same(sample(&a, i), back);
        folio_arena_reset(&a);
        folio_arena_reset(&b);
    }
    assert_null(stmt_spool_take(&s, 9, &b, &err));
    assert_non_null(strstr(err.msg, "not kept"));
    /* issue 11 (r-spool): closed on a thread, waited for by the close */
    stmt_spool_close_bg(&s);
    assert_false(stmt_spool_has(&s, 0));
    stmt_spool_close(&s);
    assert_false(s.closing);
    stmt_spool_close(&s);                       /* twice: harmless */
    folio_arena_free(&a);
    folio_arena_free(&b);
    assert_int_equal(rmdir(dir), 0);            /* nothing left in it */
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_round_trip),
        cmocka_unit_test(test_struct_off),
        cmocka_unit_test(test_cut),
        cmocka_unit_test(test_indices),
        cmocka_unit_test(test_spool),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
