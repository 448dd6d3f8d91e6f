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
