/* SPDX-License-Identifier: Apache-2.0 */
/*
 * dlist.c -- the display list (see include/folio/dlist.h).  All storage comes
 * from the statement's arena; arrays grow by doubling into fresh arena space
 * (the old space is simply abandoned until the arena is reset).
 */
#include "folio/dlist.h"

#include <string.h>

static bool grow(folio_arena *a, void **arr, uint32_t *cap, uint32_t n, size_t elem)
{
    if (n < *cap)
        return true;
    uint32_t ncap = *cap ? *cap * 2 : 16;
    void *p = folio_arena_alloc(a, (size_t)ncap * elem);
    if (!p)
        return false;
    if (*arr && n)
        memcpy(p, *arr, (size_t)n * elem);
    *arr = p;
    *cap = ncap;
    return true;
}

folio_dl_statement *dlist_statement_new(folio_arena *arena, const char *id,
                                        int32_t page_w, int32_t page_h)
{
    folio_dl_statement *st = folio_arena_calloc(arena, sizeof *st);
    if (!st)
        return NULL;
    st->arena = arena;
    st->id = id ? folio_arena_strdup(arena, id) : "";
    st->page_w = page_w;
    st->page_h = page_h;
    if (!st->id)
        return NULL;
    return st;
}

folio_dl_page *dlist_page_add(folio_dl_statement *st)
{
    if (!grow(st->arena, (void **)&st->pages, &st->cap_pages, st->n_pages, sizeof *st->pages))
        return NULL;
    folio_dl_page *pg = &st->pages[st->n_pages++];
    memset(pg, 0, sizeof *pg);
    return pg;
}

static folio_dl_op *op_add(folio_dl_statement *st, folio_dl_page *pg)
{
    if (!grow(st->arena, (void **)&pg->ops, &pg->cap_ops, pg->n_ops, sizeof *pg->ops))
        return NULL;
    folio_dl_op *op = &pg->ops[pg->n_ops++];
    memset(op, 0, sizeof *op);
    op->sn = st->sn_art ? 0 : st->sn_cur;       /* issue 14 part 2 */
    return op;
}

bool dlist_page_add_text(folio_dl_statement *st, folio_dl_page *pg, uint8_t font,
                         int32_t size, int32_t x, int32_t y, uint32_t color,
                         const char *text, size_t len, bool copy)
{
    if (len == 0)
        return true;
    if (copy) {
        text = folio_arena_strndup(st->arena, text, len);
        if (!text)
            return false;
    }
    folio_dl_op *op = op_add(st, pg);
    if (!op)
        return false;
    op->kind = FOLIO_DL_TEXT;
    op->font = font;
    op->size = size;
    op->x = x;
    op->y = y;
    op->color = color;
    op->text = text;
    op->len = (uint32_t)len;
    return true;
}

bool dlist_page_add_rule(folio_dl_statement *st, folio_dl_page *pg, int32_t x,
                         int32_t y, int32_t x2, int32_t y2, int32_t width,
                         uint32_t color)
{
    folio_dl_op *op = op_add(st, pg);
    if (!op)
        return false;
    op->kind = FOLIO_DL_RULE;
    op->x = x;
    op->y = y;
    op->x2 = x2;
    op->y2 = y2;
    op->w = width;
    op->color = color;
    return true;
}

bool dlist_page_add_box(folio_dl_statement *st, folio_dl_page *pg, int32_t x,
                        int32_t y, int32_t w, int32_t h, uint32_t fill,
                        uint32_t stroke, int32_t line_w)
{
    folio_dl_op *op = op_add(st, pg);
    if (!op)
        return false;
    op->kind = FOLIO_DL_BOX;
    op->x = x;
    op->y = y;
    op->w = w;
    op->h = h;
    op->color = fill;
    op->stroke = stroke;
    op->line_w = line_w;
    return true;
}

bool dlist_page_add_free(folio_dl_statement *st, folio_dl_page *pg, int32_t x,
                         int32_t y, int32_t w, int32_t h)
{
    if (w <= 0 || h <= 0)
        return true;
    if (!grow(st->arena, (void **)&pg->free_rects, &pg->cap_free, pg->n_free,
              sizeof *pg->free_rects))
        return false;
    pg->free_rects[pg->n_free++] = (folio_dl_rect){x, y, w, h};
    return true;
}

bool dlist_statement_add_tag(folio_dl_statement *st, const char *name,
                             const char *value)
{
    if (!grow(st->arena, (void **)&st->tags, &st->cap_tags, st->n_tags, sizeof *st->tags))
        return false;
    const char *n = folio_arena_strdup(st->arena, name);
    const char *v = folio_arena_strdup(st->arena, value ? value : "");
    if (!n || !v)
        return false;
    st->tags[st->n_tags++] = (folio_dl_tag){n, v};
    return true;
}

/* ---- issue 13 parts 1, 2: images and paths ---------------------------------- */

bool dlist_page_add_image(folio_dl_statement *st, folio_dl_page *pg,
                          const struct folio_image *img, int32_t x, int32_t y, int32_t w,
                          int32_t h, int32_t bx, int32_t by, int32_t bw, int32_t bh)
{
    if (w <= 0 || h <= 0 || bw <= 0 || bh <= 0)
        return true;
    folio_dl_op *op = op_add(st, pg);
    if (!op)
        return false;
    op->kind = FOLIO_DL_IMAGE;
    op->image = img;
    op->x = x;
    op->y = y;
    op->w = w;
    op->h = h;
    op->x2 = bx;
    op->y2 = by;
    op->line_w = bw;
    op->size = bh;
    return true;
}

bool dlist_page_add_path(folio_dl_statement *st, folio_dl_page *pg, const folio_dl_seg *segs,
                         uint32_t n, unsigned flags, uint32_t stroke_rgb, int32_t line_w,
                         uint32_t fill_rgb)
{
    if (n == 0 || !(flags & (FOLIO_PATH_STROKE | FOLIO_PATH_FILL)))
        return true;
    folio_dl_path *p = folio_arena_alloc(st->arena, sizeof *p);
    folio_dl_seg *s = p ? folio_arena_alloc(st->arena, (size_t)n * sizeof *s) : NULL;
    if (!s)
        return false;
    memcpy(s, segs, (size_t)n * sizeof *s);
    p->n = n;
    p->segs = s;
    folio_dl_op *op = op_add(st, pg);
    if (!op)
        return false;
    op->kind = FOLIO_DL_PATH;
    op->path = p;
    op->flags = (uint16_t)flags;
    op->color = stroke_rgb;
    op->stroke = fill_rgb;
    op->line_w = line_w;
    return true;
}

bool dlist_op_bounds(const folio_dl_op *op, folio_dl_rect *r)
{
    if (op->kind == FOLIO_DL_IMAGE) {          /* what shows: the clip box */
        *r = (folio_dl_rect){op->x2, op->y2, op->line_w, op->size};
        return true;
    }
    if (op->kind != FOLIO_DL_PATH)
        return false;
    int32_t x0 = INT32_MAX, y0 = INT32_MAX, x1 = INT32_MIN, y1 = INT32_MIN;
    for (uint32_t i = 0; i < op->path->n; i++) {
        const folio_dl_seg *s = &op->path->segs[i];
        if (s->kind == FOLIO_SEG_CLOSE)
            continue;
        int32_t xs[3] = {s->x, s->c1x, s->c2x}, ys[3] = {s->y, s->c1y, s->c2y};
        for (int k = 0; k < (s->kind == FOLIO_SEG_CURVE ? 3 : 1); k++) {
            x0 = xs[k] < x0 ? xs[k] : x0;
            x1 = xs[k] > x1 ? xs[k] : x1;
            y0 = ys[k] < y0 ? ys[k] : y0;
            y1 = ys[k] > y1 ? ys[k] : y1;
        }
    }
    if (x0 > x1) {
        *r = (folio_dl_rect){0, 0, 0, 0};
        return true;
    }
    int32_t hw = (op->flags & FOLIO_PATH_STROKE) ? (op->line_w + 1) / 2 : 0;
    *r = (folio_dl_rect){x0 - hw, y0 - hw, x1 - x0 + 2 * hw, y1 - y0 + 2 * hw};
    return true;
}

/* issue 13 part 4: a link area of page `page` (dlist.h). */
bool dlist_statement_add_link(folio_dl_statement *st, uint32_t page, int32_t x, int32_t y,
                              int32_t w, int32_t h, const char *uri, size_t len)
{
    if (w <= 0 || h <= 0 || !len)
        return true;
    if (!grow(st->arena, (void **)&st->links, &st->cap_links, st->n_links, sizeof *st->links))
        return false;
    const char *u = folio_arena_strndup(st->arena, uri, len);
    if (!u)
        return false;
    st->links[st->n_links++] = (folio_dl_link){page, x, y, w, h, u};
    return true;
}

/* ---- issue 14 part 2: logical structure ------------------------------------ */

/* r-tag7: sn_art at or above this: structure off (dlist_struct_off) */
#define SN_OFF (1u << 30)

static uint32_t snode_add(folio_dl_statement *st, uint32_t parent, folio_dl_srole role)
{
    if (st->n_snodes == 0) {           /* node 0: the Document */
        if (!grow(st->arena, (void **)&st->snodes, &st->cap_snodes, 0, sizeof *st->snodes))
            return 0;
        st->snodes[0] = (folio_dl_snode){.parent = 0, .role = FOLIO_SR_DOCUMENT, .link = -1};
        st->n_snodes = 1;
    }
    if (!grow(st->arena, (void **)&st->snodes, &st->cap_snodes, st->n_snodes,
              sizeof *st->snodes))
        return 0;
    st->snodes[st->n_snodes] = (folio_dl_snode){.parent = parent, .role = (uint8_t)role,
                                                .link = -1};
    return st->n_snodes++;
}

uint32_t dlist_struct_open(folio_dl_statement *st, folio_dl_srole role)
{
    if (st->sn_art)
        return 0;
    uint32_t sn = snode_add(st, st->sn_cur, role);
    if (sn)
        st->sn_cur = sn;
    return sn;
}

void dlist_struct_close(folio_dl_statement *st)
{
    if (st->sn_art)
        return;
    if (st->sn_cur < st->n_snodes)
        st->sn_cur = st->snodes[st->sn_cur].parent;
}

void dlist_struct_artifact(folio_dl_statement *st, bool on)
{
    if (on)
        st->sn_art++;
    else if (st->sn_art && st->sn_art != SN_OFF)   /* r-tag7: off stays off */
        st->sn_art--;
}

uint32_t dlist_struct_enter(folio_dl_statement *st, uint32_t sn)
{
    uint32_t was = st->sn_cur;
    st->sn_cur = sn < st->n_snodes ? sn : 0;
    return was;
}

void dlist_struct_scope(folio_dl_statement *st, uint32_t sn, folio_dl_scope scope)
{
    if (sn && sn < st->n_snodes)
        st->snodes[sn].scope = (uint8_t)scope;
}

bool dlist_struct_alt(folio_dl_statement *st, uint32_t sn, const char *alt, size_t len)
{
    if (!sn || sn >= st->n_snodes)
        return true;
    const char *a = folio_arena_strndup(st->arena, alt, len);
    if (!a)
        return false;
    st->snodes[sn].alt = a;
    return true;
}

void dlist_struct_off(folio_dl_statement *st)
{
    st->sn_art = SN_OFF;               /* artifact mode, never left */
    st->sn_cur = 0;
}

bool dlist_struct_link(folio_dl_statement *st, uint32_t parent, uint32_t link)
{
    if (st->sn_art >= SN_OFF)
        return true;
    uint32_t sn = snode_add(st, parent < st->n_snodes ? parent : 0, FOLIO_SR_LINK);
    if (!sn)
        return false;
    st->snodes[sn].link = (int32_t)link;
    return true;
}
