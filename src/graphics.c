/* SPDX-License-Identifier: Apache-2.0 */
/*
 * graphics.c -- the layout's images and charts (issue 13 parts 1, 2; see
 * folio/graphics.h): read once with the layout, drawn into the display list
 * by compose (images on fixed page positions, charts in account sections).
 *
 * Chart geometry (docs/layout-file.md "Images and charts"; the e2e test
 * tests/e2e/check_graphics.py recomputes it from the feeds):
 *   balance: a frame path (px0,py0)-(px0,py1)-(px1,py1) then one line
 *   through the account's balance: the opening balance at the period start,
 *   the balance after the last transaction of each posting date, the closing
 *   balance at the period end.  With lo/hi the smallest/largest of those
 *   (hi = lo + 1 when equal) and span = period end - start (days, >= 1):
 *     X(d) = px0 + (px1 - px0) * (d - start) / span      (integer division)
 *     Y(b) = py1 - (py1 - py0) * (b - lo) / (hi - lo)
 *   Labels: hi and lo formatted like the statement's money left of the
 *   frame, the period's first and last dates under it.
 *   spending: the account's debits summed by description (the code list's
 *   text when the feed has codes), largest first (ties by name), at most
 *   `bars` rows; each row a label, a filled bar of length
 *   (bar area) * sum / largest sum, and the amount.
 */
#include "folio/graphics.h"
#include "account-mask.h"   /* round 21 hard-attack2 */

#include "folio/attrs.h"
#include "folio/codes.h"
#include "folio/compose.h"
#include "folio/layout.h"
#include "folio/rules.h"
#include "yamltree.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *const IMAGE_KEYS[] = { "file", "x", "y", "width", "height", "fit", "page",
                                          "when", "alt", NULL };
static const char *const CHART_KEYS[] = { "kind", "products", "height", "width", "style",
                                          "color", "bars", "x", "y", "page", NULL };
static const char *const FIT_NAMES[] = { "contain", "cover", "none", NULL };
static const char *const PAGE_NAMES[] = { "first", "every", "last", NULL };
static const char *const KIND_NAMES[] = { "balance", "spending", NULL };

#define MAX_ELEMENTS 64

/* ---- reading ------------------------------------------------------------- */

static bool g_oom(yt_doc *d, const yt_node *n)
{
    return yt_fail(d, n, "out of memory");
}

static int read_pt(yt_doc *d, const yt_node *map, const char *where, const char *key,
                   bool required, int32_t *out)
{
    int64_t h;
    int r = yt_fixed(d, map, where, key, required, 2, 0, 1000000, &h);
    if (r == 1)
        *out = (int32_t)((h * 20 + 50) / 100);
    return r;
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
        char c = n->str[i];
        int h = c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10
              : c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;
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

/* The decoded image of file node n (deduplicated by resolved path). */
static folio_image *image_of(yt_doc *d, const yt_node *n, const char *where,
                             folio_graphics *g, const char *dir)
{
    if (n->kind != YT_SCALAR || n->is_null || !n->len) {
        yt_fail(d, n, "'%s' must be an image file name (PNG or JPEG), got %s", where,
                yt_kind_name(n));
        return NULL;
    }
    size_t k = strlen(dir) + n->len + 2;
    char *path = malloc(k);
    if (!path) {
        g_oom(d, n);
        return NULL;
    }
    if (n->str[0] == '/' || !*dir)
        snprintf(path, k, "%s", n->str);
    else
        snprintf(path, k, "%s/%s", dir, n->str);
    for (int i = 0; i < g->n_images; i++)
        if (!strcmp(g->images[i]->path, path)) {
            free(path);
            return g->images[i];
        }
    if (yt_check_input(d, n, where, path, NULL) < 0) {
        free(path);
        return NULL;
    }
    char why[200];
    folio_image *img = image_load(path, why, sizeof why);
    if (!img) {
        yt_fail(d, n, "'%s': cannot use image '%s': %s", where, path, why);
        free(path);
        return NULL;
    }
    free(path);
    folio_image **v = realloc(g->images, (size_t)(g->n_images + 1) * sizeof *v);
    if (!v) {
        image_free(img);
        g_oom(d, n);
        return NULL;
    }
    g->images = v;
    img->id = (uint32_t)g->n_images;
    g->images[g->n_images++] = img;
    return img;
}

static bool boxes_overlap(int32_t ax, int32_t ay, int32_t aw, int32_t ah, int32_t bx,
                          int32_t by, int32_t bw, int32_t bh)
{
    return ax < bx + bw && bx < ax + aw && ay < by + bh && by < ay + ah;
}

/* A fixed box never covers the statement's own content: the body area of
 * the pages it is on, the address block on the first. */
static bool box_clear(yt_doc *d, const yt_node *at, const char *w, const char *what,
                      const folio_layout *L, int32_t x, int32_t y, int32_t bw_, int32_t bh,
                      int page)
{
    if (x + bw_ > L->page_w || y + bh > L->page_h)
        return yt_fail(d, at, "'%s': the %s box runs off the page", w, what);
    int32_t bw = L->page_w - L->margin_left - L->margin_right;
    bool later = page != FOLIO_WS_FIRST;      /* the first page always (1-page statements) */
    if (boxes_overlap(x, y, bw_, bh, L->margin_left, L->body_top_first, bw,
                      L->body_bottom - L->body_top_first) ||
        (later && boxes_overlap(x, y, bw_, bh, L->margin_left, L->body_top, bw,
                                L->body_bottom - L->body_top)))
        return yt_fail(d, at, "'%s': the %s box overlaps the body area, where the "
                       "statement's own content goes", w, what);
    if (boxes_overlap(x, y, bw_, bh, L->address_x, L->address_y, L->address_w, L->address_h))
        return yt_fail(d, at, "'%s': the %s box overlaps the address block", w, what);
    return true;
}

static bool read_image(yt_doc *d, const yt_node *it, const char *w, folio_layout *L,
                       const char *dir, const void *attrs, folio_graphics *g,
                       folio_layout_image *e)
{
    if (!yt_expect_map(d, it, w) || !yt_check_keys(d, it, w, IMAGE_KEYS))
        return false;
    int fit = 0, page = FOLIO_WS_EVERY;
    if (read_pt(d, it, w, "x", true, &e->x) < 0 || read_pt(d, it, w, "y", true, &e->y) < 0 ||
        read_pt(d, it, w, "width", true, &e->w) < 0 ||
        read_pt(d, it, w, "height", true, &e->h) < 0 ||
        yt_enum(d, it, w, "fit", false, FIT_NAMES, &fit) < 0 ||
        yt_enum(d, it, w, "page", false, PAGE_NAMES, &page) < 0)
        return false;
    e->fit = (uint8_t)fit;
    e->page = (uint8_t)page;
    if (e->w <= 0 || e->h <= 0)
        return yt_fail(d, it, "'%s': width and height must be more than 0", w);
    if (!box_clear(d, it, w, "image", L, e->x, e->y, e->w, e->h, e->page))
        return false;
    char fw[160];
    snprintf(fw, sizeof fw, "%s.file", w);
    const yt_node *f = yt_child(d, it, w, "file", true);
    if (!f)
        return false;
    if (!(e->file = calloc((size_t)L->n_languages, sizeof *e->file)))
        return g_oom(d, it);
    if (f->kind == YT_MAP) {            /* per language */
        for (int i = 0; i < f->n; i++) {
            int l = layout_language_find(L, f->keys[i]->str);
            if (l < 0 || strcmp(L->languages[l], f->keys[i]->str))
                return yt_fail(d, f->keys[i], "'%s': '%.20s' is not a language of this "
                               "layout", fw, f->keys[i]->str);
            if (!(e->file[l] = image_of(d, f->items[i], fw, g, dir)))
                return false;
        }
        if (!e->file[0])
            return yt_fail(d, f, "'%s' has no image for the fallback language '%s'", fw,
                           L->languages[0]);
        for (int l = 1; l < L->n_languages; l++)
            if (!e->file[l])
                e->file[l] = e->file[0];
    } else {
        folio_image *img = image_of(d, f, fw, g, dir);
        if (!img)
            return false;
        for (int l = 0; l < L->n_languages; l++)
            e->file[l] = img;
    }
    if (yt_str(d, it, w, "alt", false, &e->alt) < 0)     /* issue 14 part 2 */
        return false;
    const yt_node *wn = yt_child(d, it, w, "when", false);
    if (wn) {
        if (wn->kind != YT_SCALAR)
            return yt_fail(d, wn, "'%s.when' must be a rule (text), got %s", w,
                           yt_kind_name(wn));
        folio_rule_source src = { d->path, wn->line, wn->raw_one_line ? wn->text_col : wn->col,
                                  wn->col };
        e->when = rules_compile(wn->str, wn->len, attrs_catalog(attrs), FOLIO_RT_BOOL, &src,
                                d->err);
        if (!e->when)
            return false;
    } else if (d->err->code) {
        return false;
    }
    return true;
}

static bool read_chart(yt_doc *d, const yt_node *it, const char *w, folio_layout *L,
                       folio_layout_chart *c)
{
    if (!yt_expect_map(d, it, w) || !yt_check_keys(d, it, w, CHART_KEYS))
        return false;
    int kind = 0;
    int64_t bars = 5;
    c->color = 0x1F4E79;
    if (yt_enum(d, it, w, "kind", true, KIND_NAMES, &kind) < 0 ||
        read_pt(d, it, w, "height", true, &c->h) < 0 || read_pt(d, it, w, "width", false, &c->w) < 0 ||
        read_rgb(d, it, w, "color", &c->color) < 0 ||
        yt_int(d, it, w, "bars", false, 1, 12, &bars) < 0)
        return false;
    c->kind = (uint8_t)kind;
    c->bars = (int)bars;
    int rx = read_pt(d, it, w, "x", false, &c->x), ry = read_pt(d, it, w, "y", false, &c->y);
    int page = FOLIO_WS_FIRST;
    if (rx < 0 || ry < 0 || yt_enum(d, it, w, "page", false, PAGE_NAMES, &page) < 0)
        return false;
    if (rx != ry)
        return yt_fail(d, it, "'%s': give both x and y (a box on the page) or neither (in "
                       "account sections)", w);
    if (rx == 0 && yt_get(it, "page"))
        return yt_fail(d, yt_get(it, "page"), "'%s.page' needs x and y", w);
    c->fixed = rx == 1;
    c->page = (uint8_t)page;
    if (c->fixed && !c->w)
        return yt_fail(d, it, "'%s': a chart placed with x and y needs a width", w);
    if (c->fixed && !box_clear(d, it, w, "chart", L, c->x, c->y, c->w, c->h, page))
        return false;
    if (c->h < 20 * 20)
        return yt_fail(d, it, "'%s.height' must be at least 20 points", w);
    const yt_node *sn = yt_child(d, it, w, "style", false);
    if (sn) {
        c->style = sn->kind == YT_SCALAR ? layout_style_find(L, sn->str) : -1;
        if (c->style < 0)
            return yt_fail(d, sn, "'%s.style': unknown style '%.40s'", w,
                           sn->kind == YT_SCALAR ? sn->str : "?");
    } else if (d->err->code) {
        return false;
    }
    const yt_node *pn = yt_child(d, it, w, "products", false);
    if (pn) {
        char pw[160];
        snprintf(pw, sizeof pw, "%s.products", w);
        if (!yt_expect_seq(d, pn, pw))
            return false;
        if (!(c->product = calloc((size_t)L->n_products + 1, sizeof *c->product)))
            return g_oom(d, pn);
        for (int i = 0; i < pn->n; i++) {
            int p = pn->items[i]->kind == YT_SCALAR ? layout_product_find(L, pn->items[i]->str)
                                                     : -1;
            if (p < 0)
                return yt_fail(d, pn->items[i], "'%s': '%.40s' is not a product of this "
                               "layout (see 'products')", pw,
                               pn->items[i]->kind == YT_SCALAR ? pn->items[i]->str : "?");
            c->product[p] = true;
        }
    } else if (d->err->code) {
        return false;
    }
    return true;
}

bool graphics_read(yt_doc *d, const yt_node *root, folio_layout *L, const char *dir,
                   const void *attrs)
{
    const yt_node *in = yt_child(d, root, "", "images", false);
    if (!in && d->err->code)
        return false;
    const yt_node *cn = yt_child(d, root, "", "charts", false);
    if (!cn && d->err->code)
        return false;
    if (!in && !cn)
        return true;
    folio_graphics *g = calloc(1, sizeof *g);
    if (!g)
        return g_oom(d, root);
    L->graphics = g;
    if (in) {
        if (!yt_expect_seq(d, in, "images"))
            return false;
        if (in->n > MAX_ELEMENTS)
            return yt_fail(d, in, "'images' has more than %d entries", MAX_ELEMENTS);
        if (!(g->el = calloc((size_t)in->n + 1, sizeof *g->el)))
            return g_oom(d, in);
        for (int i = 0; i < in->n; i++) {
            char w[48];
            snprintf(w, sizeof w, "images[%d]", i);
            g->n_el = i + 1;
            if (!read_image(d, in->items[i], w, L, dir, attrs, g, &g->el[i]))
                return false;
        }
    }
    if (cn) {
        if (!yt_expect_seq(d, cn, "charts"))
            return false;
        if (cn->n > MAX_ELEMENTS)
            return yt_fail(d, cn, "'charts' has more than %d entries", MAX_ELEMENTS);
        if (!(g->charts = calloc((size_t)cn->n + 1, sizeof *g->charts)))
            return g_oom(d, cn);
        for (int i = 0; i < cn->n; i++) {
            char w[48];
            snprintf(w, sizeof w, "charts[%d]", i);
            g->n_charts = i + 1;
            if (!read_chart(d, cn->items[i], w, L, &g->charts[i]))
                return false;
        }
    }
    return true;
}

void graphics_free(folio_graphics *g)
{
    if (!g)
        return;
    for (int i = 0; i < g->n_el; i++) {
        free(g->el[i].file);
        free(g->el[i].alt);
        rules_free(g->el[i].when);
    }
    free(g->el);
    for (int i = 0; i < g->n_charts; i++)
        free(g->charts[i].product);
    free(g->charts);
    for (int i = 0; i < g->n_images; i++)
        image_free(g->images[i]);
    free(g->images);
    free(g);
}

/* ---- images -------------------------------------------------------------- */

bool graphics_draw_images(const folio_graphics *g, int lang, const folio_rule_ctx *rc,
                          folio_dl_statement *st, uint32_t page, uint32_t pages)
{
    for (int i = 0; g && i < g->n_el; i++) {
        const folio_layout_image *e = &g->el[i];
        if ((e->page == FOLIO_WS_FIRST && page != 0) ||
            (e->page == FOLIO_WS_LAST && page + 1 != pages))
            continue;
        if (e->when && !rules_eval_bool(e->when, rc))
            continue;
        const folio_image *img = e->file[lang >= 0 ? lang : 0];
        int32_t x, y, w, h;
        graphics_image_place(e, img, &x, &y, &w, &h);
        /* issue 14 part 2: with alternate text a Figure of the current
           element, else decorative (an artifact: IMAGE ops outside a Figure) */
        uint32_t fig = e->alt && st->sn_cur ? dlist_struct_open(st, FOLIO_SR_FIGURE) : 0;
        if ((fig && !dlist_struct_alt(st, fig, e->alt, strlen(e->alt))) ||
            !dlist_page_add_image(st, &st->pages[page], img, x, y, w, h, e->x, e->y, e->w,
                                  e->h))
            return false;
        if (fig)
            dlist_struct_close(st);
    }
    return true;
}

void graphics_image_place(const folio_layout_image *e, const folio_image *img, int32_t *x,
                          int32_t *y, int32_t *w, int32_t *h)
{
    int64_t pw = img->px_w, ph = img->px_h, iw, ih;
    if (e->fit == FOLIO_FIT_NONE) {
        iw = pw * FOLIO_UNITS_PER_INCH / img->dpi_x;
        ih = ph * FOLIO_UNITS_PER_INCH / img->dpi_y;
    } else if ((pw * e->h <= ph * e->w) == (e->fit == FOLIO_FIT_CONTAIN)) {
        ih = e->h;                        /* the height decides */
        iw = (pw * e->h + ph / 2) / ph;
    } else {
        iw = e->w;
        ih = (ph * e->w + pw / 2) / pw;
    }
    *x = e->x;
    *y = e->y;
    if (e->fit != FOLIO_FIT_NONE) {       /* centred in the box */
        *x += (int32_t)((e->w - iw) / 2);
        *y += (int32_t)((e->h - ih) / 2);
    }
    *w = iw > 0 ? (int32_t)iw : 1;
    *h = ih > 0 ? (int32_t)ih : 1;
}

/* ---- charts -------------------------------------------------------------- */

static bool chart_wanted(const folio_layout_chart *c, int product)
{
    return !c->product || (product >= 0 && c->product[product]);
}

static bool section_chart(const folio_layout_chart *c, int product)
{
    return !c->fixed && chart_wanted(c, product);
}

int32_t graphics_section_height(const folio_graphics *g, int product)
{
    int32_t h = 0;
    for (int i = 0; g && i < g->n_charts; i++)
        if (section_chart(&g->charts[i], product))
            h += g->charts[i].h;
    return h;
}

typedef struct chart_pen {
    folio_dl_statement *st;
    folio_dl_page *pg;
    const folio_layout *L;
    const folio_style *s;
    const folio_font *font;
    bool ok;
    char alt[1024];               /* issue 14 part 2: what the chart shows, in words */
    size_t alt_len;
} chart_pen;

/* issue 14 part 2: append to the chart's alternate text (cut at its size). */
static void alt_put(chart_pen *p, const char *t, size_t n)
{
    size_t room = sizeof p->alt - 1 - p->alt_len;
    if (n > room) {
        n = room;
        while (n > 0 && ((unsigned char)t[n] & 0xC0) == 0x80)
            n--;
    }
    memcpy(p->alt + p->alt_len, t, n);
    p->alt_len += n;
    p->alt[p->alt_len] = 0;
}
#define ALT(p, s) alt_put((p), (s), strlen(s))

/* issue 14 part 2: open the Figure of a chart (none in artifact mode). */
static uint32_t chart_figure(folio_dl_statement *st)
{
    return st->sn_cur ? dlist_struct_open(st, FOLIO_SR_FIGURE) : 0;
}

static bool chart_figure_close(chart_pen *p, uint32_t fig)
{
    if (!fig)
        return true;
    dlist_struct_close(p->st);
    if (!p->alt_len)
        ALT(p, "Chart");
    return dlist_struct_alt(p->st, fig, p->alt, p->alt_len);
}

static int32_t text_w(const chart_pen *p, const char *t, size_t n)
{
    return fonts_text_width(p->font, t, n, p->s->size);
}

/* Text at baseline y: left from x (align 0), right-aligned to x (1). */
static void label(chart_pen *p, const char *t, size_t n, int32_t x, int32_t y, int align)
{
    if (align == 1)
        x -= text_w(p, t, n);
    if (p->ok && !dlist_page_add_text(p->st, p->pg, (uint8_t)p->s->font, p->s->size, x, y,
                                      p->s->color, t, n, true))
        p->ok = false;
}

/* Bytes of t that fit in max_w (cut at a character boundary). */
static size_t fit_len(const chart_pen *p, const char *t, size_t n, int32_t max_w)
{
    while (n > 0 && text_w(p, t, n) > max_w) {
        n--;
        while (n > 0 && ((unsigned char)t[n] & 0xC0) == 0x80)
            n--;
    }
    return n;
}

static void path(chart_pen *p, const folio_dl_seg *s, uint32_t n, unsigned flags,
                 uint32_t stroke, int32_t lw, uint32_t fill)
{
    if (p->ok && !dlist_page_add_path(p->st, p->pg, s, n, flags, stroke, lw, fill))
        p->ok = false;
}

static bool liability(const folio_plan *plan, const folio_account_plan *ap)
{
    return ap->product >= 0 &&
           plan->layout->products[ap->product].balance == FOLIO_BALANCE_LIABILITY;
}

/* One account's balance points: (day, balance) pairs into day[], bal[]
 * (room for ap->n + 2); returns how many. */
static uint32_t balance_points(const folio_plan *plan, uint32_t ai, folio_date *day,
                               int64_t *bal, folio_date start)
{
    const folio_account_plan *ap = &plan->accounts[ai];
    const folio_txn *tx = plan->ds->txns + ap->first;
    folio_date end = plan->job->period_end;
    bool liab = liability(plan, ap);
    uint32_t n = 0;
    folio_money b = ap->opening;
    bal[n] = b;
    day[n++] = start;
    for (uint32_t k = 0; k < ap->n; k++) {
        b = liab ? b - tx[k].amount : b + tx[k].amount;    /* the plan checked the range */
        if (k + 1 < ap->n && tx[k + 1].date == tx[k].date)
            continue;
        folio_date d = tx[k].date < start ? start : tx[k].date > end ? end : tx[k].date;
        if (day[n - 1] == d)
            n--;
        bal[n] = b;
        day[n++] = d;
    }
    if (day[n - 1] < end) {
        bal[n] = ap->closing;
        day[n++] = end;
    }
    return n;
}

static const uint32_t PALETTE[] = { 0xC0504D, 0x9BBB59, 0x8064A2, 0xF79646, 0x4BACC6,
                                    0x2C4D75 };

/* A balance chart of accounts ai[0..n_acc): one frame, one line each (the
 * first in `color`, the others from PALETTE), one scale for all. */
static void draw_balance(chart_pen *p, const folio_plan *plan, const uint32_t *ai,
                         uint32_t n_acc, int32_t x, int32_t y, int32_t w, int32_t h,
                         uint32_t color, folio_money_fmt money, void *u)
{
    /* issue 15 part 1 (r-chan): the statement's own interval, from the
     * earliest account's own start (account-level frequency) */
    folio_date start = p->st->period_start ? p->st->period_start : plan->job->period_start;
    for (uint32_t a = 0; a < n_acc; a++)
        if (plan->accounts[ai[a]].own_start && plan->accounts[ai[a]].own_start < start)
            start = plan->accounts[ai[a]].own_start;
    folio_date end = plan->job->period_end;
    int64_t span = end > start ? end - start : 1;
    size_t room = 0;
    for (uint32_t a = 0; a < n_acc; a++)
        room += (size_t)plan->accounts[ai[a]].n + 2;
    folio_dl_seg *pts = folio_arena_alloc(p->st->arena, room * sizeof *pts);
    int64_t *bal = folio_arena_alloc(p->st->arena, room * sizeof *bal);
    folio_date *day = folio_arena_alloc(p->st->arena, room * sizeof *day);
    uint32_t *cnt = folio_arena_alloc(p->st->arena, (size_t)n_acc * sizeof *cnt + 1);
    if (!pts || !bal || !day || !cnt) {
        p->ok = false;
        return;
    }
    size_t at = 0;
    for (uint32_t a = 0; a < n_acc; a++) {
        cnt[a] = balance_points(plan, ai[a], day + at, bal + at, start);
        at += cnt[a];
    }
    int64_t lo = bal[0], hi = bal[0];
    for (size_t i = 1; i < at; i++) {
        lo = bal[i] < lo ? bal[i] : lo;
        hi = bal[i] > hi ? bal[i] : hi;
    }
    if (hi == lo)
        hi = lo + 1;
    char hs[64], ls[64], ds0[32], ds1[32];
    size_t hn = money(u, ai[0], hi, hs, sizeof hs), ln = money(u, ai[0], lo, ls, sizeof ls);
    size_t d0 = folio_date_format(start, p->L->date_format, ds0, sizeof ds0);
    size_t d1 = folio_date_format(end, p->L->date_format, ds1, sizeof ds1);
    int32_t pad = 120, lh = p->s->leading;
    int32_t asc = (int32_t)((int64_t)fonts_ascent(p->font) * p->s->size / 1000);
    int32_t gw = text_w(p, hs, hn), lw = text_w(p, ls, ln);
    int32_t px0 = x + (gw > lw ? gw : lw) + pad, px1 = x + w;
    int32_t py0 = y + asc, py1 = y + h - lh;
    if (px1 - px0 < 20 * 20 || py1 - py0 < 10 * 20)
        return;                   /* too small for a plot: labels would cover it */
    ALT(p, "Balance chart, ");          /* issue 14 part 2: the alternate text */
    alt_put(p, ds0, d0);
    ALT(p, " to ");
    alt_put(p, ds1, d1);
    char ob[64], cb[64];
    for (uint32_t a = 0; a < n_acc; a++) {
        const folio_account_plan *ap = &plan->accounts[ai[a]];
        size_t on = money(u, ai[a], ap->opening, ob, sizeof ob);
        size_t cn = money(u, ai[a], ap->closing, cb, sizeof cb);
        ALT(p, a ? "; account " : ": account ");
        char mk[16];                    /* round 21 hard-attack2: masked as on the page */
        size_t mn;
        const char *num = account_display(p->L, plan->ds->accounts[ai[a]].id, mk, sizeof mk, &mn);
        alt_put(p, num, mn);
        ALT(p, " from ");
        alt_put(p, ob, on);
        ALT(p, " to ");
        alt_put(p, cb, cn);
    }
    ALT(p, "; lowest ");
    alt_put(p, ls, ln);
    ALT(p, ", highest ");
    alt_put(p, hs, hn);
    ALT(p, ".");
    label(p, hs, hn, px0 - pad / 2, py0 + asc / 2, 1);
    label(p, ls, ln, px0 - pad / 2, py1, 1);
    label(p, ds0, d0, px0, py1 + asc + 40, 0);
    label(p, ds1, d1, px1, py1 + asc + 40, 1);
    folio_dl_seg frame[3] = { { FOLIO_SEG_MOVE, px0, py0, 0, 0, 0, 0 },
                              { FOLIO_SEG_LINE, px0, py1, 0, 0, 0, 0 },
                              { FOLIO_SEG_LINE, px1, py1, 0, 0, 0, 0 } };
    path(p, frame, 3, FOLIO_PATH_STROKE, 0x808080, 10, 0);
    at = 0;
    for (uint32_t a = 0; a < n_acc; a++) {
        for (uint32_t i = 0; i < cnt[a]; i++) {
            folio_dl_seg *q = &pts[at + i];
            memset(q, 0, sizeof *q);
            q->kind = i ? FOLIO_SEG_LINE : FOLIO_SEG_MOVE;
            q->x = px0 + (int32_t)((int64_t)(px1 - px0) * (day[at + i] - start) / span);
            /* 128-bit: balances near the money limit times the plot height
             * overflow 64 bits (UBSan, e2e money_total_overflow) */
            q->y = py1 - (int32_t)((__int128)(py1 - py0) * ((__int128)bal[at + i] - lo)
                                   / ((__int128)hi - lo));
        }
        path(p, pts + at, cnt[a], FOLIO_PATH_STROKE,
             a ? PALETTE[(a - 1) % (sizeof PALETTE / sizeof PALETTE[0])] : color, 30, 0);
        at += cnt[a];
    }
}

typedef struct spend { const char *name; size_t len; int64_t sum; } spend;

static int spend_cmp(const void *a, const void *b)
{
    const spend *x = a, *y = b;
    if (x->sum != y->sum)
        return x->sum > y->sum ? -1 : 1;
    size_t n = x->len < y->len ? x->len : y->len;
    int c = memcmp(x->name, y->name, n);
    return c ? c : (x->len > y->len) - (x->len < y->len);
}

static void draw_spending(chart_pen *p, const folio_plan *plan, int lang, const uint32_t *ai,
                          uint32_t n_acc, int32_t x, int32_t y, int32_t w, int32_t h, int bars,
                          uint32_t color, folio_money_fmt money, void *u)
{
    size_t room = 1;
    for (uint32_t a = 0; a < n_acc; a++)
        room += plan->accounts[ai[a]].n;
    spend *v = folio_arena_alloc(p->st->arena, room * sizeof *v);
    if (!v) {
        p->ok = false;
        return;
    }
    uint32_t n = 0;
    int cl = plan->job->codes ? codes_lang_index(plan->job->codes, plan->layout->languages[lang])
                              : 0;
    for (uint32_t a = 0; a < n_acc; a++) {
        const folio_account_plan *ap = &plan->accounts[ai[a]];
        const folio_txn *tx = plan->ds->txns + ap->first;
        for (uint32_t k = 0; k < ap->n; k++) {
            if (tx[k].amount >= 0)
                continue;
            const char *d = tx[k].desc_langs > 1 ? codes_txn_text(&tx[k], cl)
                            : tx[k].description ? tx[k].description : "";
            size_t dl = strlen(d);
            uint32_t i = 0;
            while (i < n && (v[i].len != dl || memcmp(v[i].name, d, dl)))
                i++;
            if (i == n)
                v[n++] = (spend){ d, dl, 0 };
            v[i].sum -= tx[k].amount;
        }
    }
    if (n == 0)
        return;
    qsort(v, n, sizeof *v, spend_cmp);
    if (n > (uint32_t)bars)
        n = (uint32_t)bars;
    int32_t rh = h / bars, bh = rh * 6 / 10;
    int32_t asc = (int32_t)((int64_t)fonts_ascent(p->font) * p->s->size / 1000);
    int32_t lw = w * 35 / 100, pad = 120, aw = 0;
    char am[12][64];
    size_t al[12];
    for (uint32_t i = 0; i < n; i++) {
        al[i] = money(u, ai[0], v[i].sum, am[i], sizeof am[i]);
        int32_t t = text_w(p, am[i], al[i]);
        aw = t > aw ? t : aw;
    }
    int32_t bx = x + lw + pad, bw = w - lw - 2 * pad - aw;
    if (bw < 10 * 20)
        return;
    ALT(p, "Spending chart, largest debits by description:");   /* issue 14 part 2 */
    for (uint32_t i = 0; i < n; i++) {
        ALT(p, i ? "; " : " ");
        alt_put(p, v[i].name, v[i].len);
        ALT(p, " ");
        alt_put(p, am[i], al[i]);
    }
    ALT(p, ".");
    for (uint32_t i = 0; i < n; i++) {
        int32_t ry = y + (int32_t)i * rh, mid = ry + rh / 2;
        label(p, v[i].name, fit_len(p, v[i].name, v[i].len, lw), x, mid + asc / 2 - 20, 0);
        int32_t len = (int32_t)((__int128)bw * v[i].sum / v[0].sum);   /* 128-bit: as above */
        if (len < 1)
            len = 1;
        folio_dl_seg r[5] = { { FOLIO_SEG_MOVE, bx, mid - bh / 2, 0, 0, 0, 0 },
                              { FOLIO_SEG_LINE, bx + len, mid - bh / 2, 0, 0, 0, 0 },
                              { FOLIO_SEG_LINE, bx + len, mid + bh / 2, 0, 0, 0, 0 },
                              { FOLIO_SEG_LINE, bx, mid + bh / 2, 0, 0, 0, 0 },
                              { FOLIO_SEG_CLOSE, 0, 0, 0, 0, 0, 0 } };
        path(p, r, 5, FOLIO_PATH_FILL, 0, 0, color);
        label(p, am[i], al[i], bx + len + pad, mid + asc / 2 - 20, 0);
    }
}

static int lang_of(const folio_plan *plan, const folio_layout *L)
{
    for (int l = 0; plan->layout->variants && l < plan->layout->n_languages; l++)
        if (plan->layout->variants[l] == L)
            return l;
    return 0;
}

bool graphics_draw_section(const folio_graphics *g, const folio_plan *plan,
                           const folio_layout *L, uint32_t ai, folio_dl_statement *st,
                           folio_dl_page *pg, int32_t x, int32_t y, int32_t w,
                           folio_money_fmt money, void *u)
{
    int product = plan->accounts[ai].product;
    int lang = lang_of(plan, L);
    for (int i = 0; g && i < g->n_charts; i++) {
        const folio_layout_chart *c = &g->charts[i];
        if (!section_chart(c, product))
            continue;
        chart_pen p = { st, pg, L, &L->styles[c->style], L->fonts[L->styles[c->style].font].metrics,
                        true, "", 0 };
        int32_t cw = c->w && c->w < w ? c->w : w;
        uint32_t fig = chart_figure(st);             /* issue 14 part 2 */
        if (c->kind == FOLIO_CHART_BALANCE)
            draw_balance(&p, plan, &ai, 1, x, y, cw, c->h, c->color, money, u);
        else
            draw_spending(&p, plan, lang, &ai, 1, x, y, cw, c->h, c->bars, c->color, money, u);
        if (!p.ok || !chart_figure_close(&p, fig))
            return false;
        y += c->h;
    }
    return true;
}

bool graphics_draw_page_charts(const folio_graphics *g, const folio_plan *plan,
                               const folio_layout *L, size_t hh, folio_dl_statement *st,
                               uint32_t page, uint32_t pages, folio_money_fmt money, void *u)
{
    const folio_household *h = &plan->hs->v[hh];
    for (int i = 0; g && i < g->n_charts; i++) {
        const folio_layout_chart *c = &g->charts[i];
        if (!c->fixed || (c->page == FOLIO_WS_FIRST && page != 0) ||
            (c->page == FOLIO_WS_LAST && page + 1 != pages))
            continue;
        uint32_t *ai = folio_arena_alloc(st->arena, (size_t)h->n_accounts * sizeof *ai + 1);
        if (!ai)
            return false;
        uint32_t n = 0;
        const char *cur = NULL;
        for (uint32_t k = 0; k < h->n_accounts; k++) {
            uint32_t a = plan->hs->account_idx[h->first_account + k];
            const folio_account_plan *ap = &plan->accounts[a];
            const char *ac = plan->ds->accounts[a].currency;
            if (ap->suppressed || !chart_wanted(c, ap->product))
                continue;
            if (n && !(cur == ac || (cur && ac && !strcmp(cur, ac))))
                continue;         /* one scale: the first account's currency only */
            cur = ac;
            ai[n++] = a;
        }
        if (!n)
            continue;
        chart_pen p = { st, &st->pages[page], L, &L->styles[c->style],
                        L->fonts[L->styles[c->style].font].metrics, true, "", 0 };
        uint32_t fig = chart_figure(st);             /* issue 14 part 2 */
        if (c->kind == FOLIO_CHART_BALANCE)
            draw_balance(&p, plan, ai, n, c->x, c->y, c->w, c->h, c->color, money, u);
        else
            draw_spending(&p, plan, lang_of(plan, L), ai, n, c->x, c->y, c->w, c->h, c->bars,
                          c->color, money, u);
        if (!p.ok || !chart_figure_close(&p, fig))
            return false;
    }
    return true;
}
