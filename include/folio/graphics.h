/* SPDX-License-Identifier: Apache-2.0 */
/*
 * folio/graphics.h -- images and charts of a layout (issue 13 parts 1, 2).
 *
 *   images:                        # fixed on the page, like header texts
 *     - file: logo.png             # relative to the layout; or {en: a.png, es: b.png}
 *       x: 36                      # points from the top-left corner: the box
 *       y: 24
 *       width: 120
 *       height: 40
 *       fit: contain               # contain | cover | none
 *       page: every                # first | every | last
 *       when: 'customer.segment == "premier"'   # optional rule: per-rule variants
 *   charts:                        # in each account section, under its info lines
 *     - kind: balance              # balance (line per account) | spending (bars)
 *       products: [checking]       # which sections / accounts (default: all)
 *       x: 300                     # x and y given: a fixed box on the page (page:
 *       y: 100                     #   first|every|last) with one line per account
 *       height: 90                 # points; the chart's box: it never grows
 *       width: 300                 # points (default: the body width)
 *       style: small               # axis and bar labels
 *       color: "#1F4E79"           # line / bar colour
 *       bars: 5                    # spending: largest categories shown
 *
 * Everything is read once with the layout; images are decoded then (a file
 * that cannot be read or decoded is a layout error at its line:col).
 */
#ifndef FOLIO_GRAPHICS_H
#define FOLIO_GRAPHICS_H

#include "folio/common.h"
#include "folio/dlist.h"
#include "folio/image.h"

struct folio_layout;
struct folio_rule;
struct folio_rule_ctx;
struct folio_plan;
struct yt_doc;
struct yt_node;

typedef enum folio_fit { FOLIO_FIT_CONTAIN = 0, FOLIO_FIT_COVER, FOLIO_FIT_NONE } folio_fit;
typedef enum folio_chart_kind { FOLIO_CHART_BALANCE = 0, FOLIO_CHART_SPENDING } folio_chart_kind;

typedef struct folio_layout_image {
    folio_image **file;           /* per language of the layout (same pointer when one) */
    int32_t x, y, w, h;           /* units: the box */
    uint8_t fit;                  /* folio_fit */
    uint8_t page;                 /* folio_ws_page: first, every, last */
    struct folio_rule *when;      /* NULL: always */
    char *alt;                    /* issue 14 part 2: alternate text (archive Figure),
                                     NULL = decorative (an artifact) */
} folio_layout_image;

typedef struct folio_layout_chart {
    uint8_t kind;                 /* folio_chart_kind */
    bool *product;                /* per layout product: drawn in its sections; NULL = all */
    int32_t w, h;                 /* units; w 0 = body width */
    int style;                    /* labels */
    uint32_t color;
    int bars;
    bool fixed;                   /* x, y given: on the page, not in sections */
    int32_t x, y;                 /* units (fixed) */
    uint8_t page;                 /* folio_ws_page (fixed) */
} folio_layout_chart;

typedef struct folio_graphics {
    folio_image **images; int n_images;          /* distinct files, decoded */
    folio_layout_image *el; int n_el;
    folio_layout_chart *charts; int n_charts;
} folio_graphics;

/* Read root.images and root.charts into L->graphics (NULL when neither is
 * there).  dir: the layout's directory.  false with d's error set. */
bool graphics_read(struct yt_doc *d, const struct yt_node *root, struct folio_layout *L,
                   const char *dir, const void *attrs);
void graphics_free(folio_graphics *g);

/* Draw the images of page `page` of `pages` (lang: the household's language
 * index).  false on out of memory. */
bool graphics_draw_images(const folio_graphics *g, int lang, const struct folio_rule_ctx *rc,
                          folio_dl_statement *st, uint32_t page, uint32_t pages);

/* Where element e draws img: (x,y,w,h) in units (may exceed the box for
 * fit: cover; the box clips it). */
void graphics_image_place(const folio_layout_image *e, const folio_image *img, int32_t *x,
                          int32_t *y, int32_t *w, int32_t *h);

/* Height (units) the charts of product `product` take in an account section. */
int32_t graphics_section_height(const folio_graphics *g, int product);

/* Money as the statement prints it in account ai's currency (the composer's
 * formatter). */
typedef size_t (*folio_money_fmt)(void *u, uint32_t ai, folio_money m, char *buf, size_t cap);

/* Draw the charts of account ai's section at (x, y), width w (the body's),
 * in language variant L.  false on out of memory. */
bool graphics_draw_section(const folio_graphics *g, const struct folio_plan *plan,
                           const struct folio_layout *L, uint32_t ai, folio_dl_statement *st,
                           folio_dl_page *pg, int32_t x, int32_t y, int32_t w,
                           folio_money_fmt money, void *u);

/* Draw the fixed charts of page `page` of `pages` of household hh (one
 * balance line per printed account of the chart's products, in the
 * currency of the first; spending over those accounts).  false on OOM. */
bool graphics_draw_page_charts(const folio_graphics *g, const struct folio_plan *plan,
                               const struct folio_layout *L, size_t hh, folio_dl_statement *st,
                               uint32_t page, uint32_t pages, folio_money_fmt money, void *u);

#endif
