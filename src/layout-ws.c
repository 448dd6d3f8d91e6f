/* SPDX-License-Identifier: Apache-2.0 */
/*
 * layout-ws.c -- the layout's `white_space:` section (see layout-ws.h).
 *
 *   white_space:
 *     headline_style: h2        # offer headline and call to action
 *     body_style: small         # offer body text
 *     code_style: legal         # response code, bottom right
 *     fill: "#EEF3F8"           # box fill; border: outline colour
 *     padding: 6                # points inside the box
 *     gap: 10                   # points kept free between the body and an offer
 *     slots:
 *       - {name: message, page: first, x: 400, y: 150, width: 164, height: 92}
 *
 * A slot must lie on the page and clear the address block and the body area
 * of every page it appears on, so the statement's own content can never be
 * under it (compose also checks the page's ops before using a slot).
 */
#include "layout-ws.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *const WS_KEYS[] = { "headline_style", "body_style", "code_style",
    "fill", "border", "padding", "gap", "slots", NULL };
static const char *const SLOT_KEYS[] = { "name", "page", "x", "y", "width", "height", NULL };
static const char *const SLOT_PAGES[] = { "first", "every", "last", NULL };

static int32_t pt_units(int64_t hundredths)
{
    return (int32_t)((hundredths * 20 + (hundredths >= 0 ? 50 : -50)) / 100);
}

static int read_pt(yt_doc *d, const yt_node *map, const char *where, const char *key,
                   bool required, int32_t *out)
{
    int64_t h;
    int r = yt_fixed(d, map, where, key, required, 2, 0, 1000000, &h);
    if (r == 1)
        *out = pt_units(h);
    return r;
}

static int read_style_name(yt_doc *d, const yt_node *map, const char *where,
                           const char *key, const folio_layout *L, int *out)
{
    const yt_node *n = yt_child(d, map, where, key, false);
    if (!n)
        return d->err->code ? -1 : 0;
    if (n->kind != YT_SCALAR)
        return yt_fail(d, n, "'%s.%s' must be a style name", where, key) ? 1 : -1;
    int s = layout_style_find(L, n->str);
    if (s < 0) {
        yt_fail(d, n, "'%s.%s': unknown style '%s'", where, key, n->str);
        return -1;
    }
    *out = s;
    return 1;
}

static int hexd(char c)
{
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

static int read_rgb(yt_doc *d, const yt_node *map, const char *where, const char *key,
                    uint32_t *out)
{
    const yt_node *n = yt_child(d, map, where, key, false);
    if (!n)
        return d->err->code ? -1 : 0;
    uint32_t v = 0;
    bool ok = n->kind == YT_SCALAR && n->len == 7 && n->str[0] == '#';
    for (int i = 1; ok && i < 7; i++) {
        int h = hexd(n->str[i]);
        ok = h >= 0;
        v = v << 4 | (uint32_t)(h < 0 ? 0 : h);
    }
    if (!ok) {
        yt_fail(d, n, "'%s.%s' must be a colour \"#RRGGBB\"", where, key);
        return -1;
    }
    *out = v;
    return 1;
}

static bool overlaps(int32_t ax, int32_t ay, int32_t aw, int32_t ah, int32_t bx, int32_t by,
                     int32_t bw, int32_t bh)
{
    return ax < bx + bw && bx < ax + aw && ay < by + bh && by < ay + ah;
}

static bool read_slot(yt_doc *d, const yt_node *n, const char *where, folio_layout *L,
                      folio_ws_slot *s)
{
    if (!yt_expect_map(d, n, where) || !yt_check_keys(d, n, where, SLOT_KEYS))
        return false;
    int page = 0;
    if (yt_str(d, n, where, "name", true, &s->name) < 0 ||
        yt_enum(d, n, where, "page", false, SLOT_PAGES, &page) < 0 ||
        read_pt(d, n, where, "x", true, &s->x) < 0 || read_pt(d, n, where, "y", true, &s->y) < 0 ||
        read_pt(d, n, where, "width", true, &s->w) < 0 ||
        read_pt(d, n, where, "height", true, &s->h) < 0)
        return false;
    s->page = (folio_ws_page)page;
    if (!s->name[0])
        return yt_fail(d, n, "'%s.name' must not be empty", where);
    if (s->w <= 0 || s->h <= 0 || s->x + s->w > L->page_w || s->y + s->h > L->page_h)
        return yt_fail(d, n, "'%s' (%s) must have a size and lie on the page", where, s->name);
    int32_t bw = L->page_w - L->margin_left - L->margin_right;
    bool first = s->page == FOLIO_WS_FIRST || s->page == FOLIO_WS_EVERY ||
                 s->page == FOLIO_WS_LAST;   /* a one-page statement's last page is its first */
    bool later = s->page != FOLIO_WS_FIRST;
    if ((first && overlaps(s->x, s->y, s->w, s->h, L->margin_left, L->body_top_first, bw,
                           L->body_bottom - L->body_top_first)) ||
        (later && overlaps(s->x, s->y, s->w, s->h, L->margin_left, L->body_top, bw,
                           L->body_bottom - L->body_top)))
        return yt_fail(d, n, "'%s' (%s) overlaps the body area, where the statement's own "
                       "content goes", where, s->name);
    if (first && overlaps(s->x, s->y, s->w, s->h, L->address_x, L->address_y, L->address_w,
                          L->address_h))
        return yt_fail(d, n, "'%s' (%s) overlaps the address block", where, s->name);
    return true;
}

bool layout_white_space_read(yt_doc *d, const yt_node *root, folio_layout *L)
{
    /* defaults: the section title for headlines, the section info for the
     * body, the table rows for the response code */
    L->ws_headline_style = L->section_title_style;
    L->ws_body_style = L->section_info_style;
    L->ws_code_style = L->table_row_style;
    L->ws_fill = 0xF3F5F8;
    L->ws_border = 0x1F3A5F;
    L->ws_padding = 120;
    L->ws_gap = 200;
    const yt_node *ws = yt_child(d, root, "", "white_space", false);
    if (!ws)
        return !d->err->code;
    const char *w = "white_space";
    if (!yt_expect_map(d, ws, w) || !yt_check_keys(d, ws, w, WS_KEYS))
        return false;
    if (read_style_name(d, ws, w, "headline_style", L, &L->ws_headline_style) < 0 ||
        read_style_name(d, ws, w, "body_style", L, &L->ws_body_style) < 0 ||
        read_style_name(d, ws, w, "code_style", L, &L->ws_code_style) < 0 ||
        read_rgb(d, ws, w, "fill", &L->ws_fill) < 0 ||
        read_rgb(d, ws, w, "border", &L->ws_border) < 0 ||
        read_pt(d, ws, w, "padding", false, &L->ws_padding) < 0 ||
        read_pt(d, ws, w, "gap", false, &L->ws_gap) < 0)
        return false;
    const yt_node *sl = yt_child(d, ws, w, "slots", false);
    if (!sl)
        return !d->err->code;
    if (!yt_expect_seq(d, sl, "white_space.slots"))
        return false;
    if (sl->n > 16)
        return yt_fail(d, sl, "'white_space.slots' lists more than 16 slots");
    L->slots = calloc((size_t)sl->n + 1, sizeof *L->slots);
    if (!L->slots) {
        folio_error_set(d->err, FOLIO_EXIT_FAILED, "%s: out of memory", d->path);
        return false;
    }
    for (int i = 0; i < sl->n; i++) {
        char where[48];
        snprintf(where, sizeof where, "white_space.slots[%d]", i);
        L->n_slots = i + 1;
        if (!read_slot(d, sl->items[i], where, L, &L->slots[i]))
            return false;
        for (int k = 0; k < i; k++) {
            const folio_ws_slot *a = &L->slots[k], *b = &L->slots[i];
            if (!strcmp(a->name, b->name))
                return yt_fail(d, sl->items[i], "duplicate slot name '%s'", b->name);
            if (overlaps(a->x, a->y, a->w, a->h, b->x, b->y, b->w, b->h))
                return yt_fail(d, sl->items[i], "slot '%s' overlaps slot '%s'", b->name, a->name);
        }
    }
    return true;
}

void layout_white_space_free(folio_layout *L)
{
    for (int i = 0; i < L->n_slots; i++)
        free(L->slots[i].name);
    free(L->slots);
    L->slots = NULL;
    L->n_slots = 0;
}
