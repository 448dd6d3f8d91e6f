/* SPDX-License-Identifier: Apache-2.0 */
/*
 * folio/dlist.h -- the display list: the only thing writers see.
 *
 * compose turns one household into a folio_dl_statement: pages of positioned
 * operations.  The PDF and (later) AFP writers render exactly these ops, so both
 * break pages in the same places and carry the same text.
 *
 * Units: every coordinate and length is an integer count of 1/1440 inch
 * ("units"; 20 units = 1 PDF point; AFP page units are 1440 per inch, so AFP
 * positions are exact).  Origin is the TOP-LEFT corner of the page, y grows
 * downwards.  A text op's (x, y) is the start of its baseline: compose has
 * already applied alignment, so writers never measure text.
 *
 * Memory: a statement and everything it points to live in the folio_arena given
 * to dlist_statement_new(); they are valid until that arena is reset.
 */
#ifndef FOLIO_DLIST_H
#define FOLIO_DLIST_H

#include "folio/common.h"

#define FOLIO_UNITS_PER_INCH 1440
#define FOLIO_UNITS_PER_PT 20

typedef enum folio_dl_kind {
    FOLIO_DL_TEXT = 1,   /* text run in one font and size */
    FOLIO_DL_RULE,       /* straight line from (x,y) to (x2,y2), width w */
    FOLIO_DL_BOX,        /* rectangle (x,y,w,h): filled with fill, stroked if line_w > 0 */
    /* issue 13 parts 1, 2: images and vector paths */
    FOLIO_DL_IMAGE,      /* image (x,y,w,h) = where it is drawn (clipped to clip below) */
    FOLIO_DL_PATH        /* path: see folio_dl_path; colour = stroke, stroke = fill */
} folio_dl_kind;

/* issue 13 parts 1, 2 (one block): what IMAGE and PATH ops point to.
 * An IMAGE op's image belongs to the layout (decoded once at load,
 * folio/image.h); writers embed each image once per output document.
 * The op draws it at (x,y,w,h) (may be larger than the box for fit: cover)
 * clipped to (x2,y2,line_w,size) = the box (x2,y2 top-left, line_w x size).
 * A PATH op's segments live in the statement's arena; flags say whether it
 * is stroked (line_w wide, in colour) and/or filled (in stroke). */
struct folio_image;
typedef enum folio_dl_seg_kind { FOLIO_SEG_MOVE = 0, FOLIO_SEG_LINE, FOLIO_SEG_CURVE,
                                 FOLIO_SEG_CLOSE } folio_dl_seg_kind;
typedef struct folio_dl_seg {
    uint8_t kind;        /* folio_dl_seg_kind */
    int32_t x, y;        /* end point (CURVE: with control points c1, c2) */
    int32_t c1x, c1y, c2x, c2y;
} folio_dl_seg;
typedef struct folio_dl_path {
    uint32_t n;
    folio_dl_seg *segs;
} folio_dl_path;
#define FOLIO_PATH_STROKE 1u  /* op->flags of a PATH */
#define FOLIO_PATH_FILL   2u

typedef struct folio_dl_op {
    uint8_t kind;        /* folio_dl_kind */
    uint8_t font;        /* index into the layout's font table (TEXT) */
    uint16_t flags;      /* reserved: 0 */
    int32_t size;        /* TEXT: font size in units (9 pt = 180) */
    int32_t x, y;        /* TEXT: baseline start; RULE: start; BOX: top-left */
    int32_t x2, y2;      /* RULE: end point */
    int32_t w, h;        /* BOX: width and height; RULE: w = line width */
    uint32_t color;      /* 0xRRGGBB: text colour, line colour, box fill */
    uint32_t stroke;     /* BOX: 0xRRGGBB outline colour when line_w > 0 */
    int32_t line_w;      /* BOX: outline width in units, 0 = none */
    uint32_t len;        /* TEXT: bytes of UTF-8 in text */
    union {              /* issue 13: by kind */
        const char *text;    /* TEXT: UTF-8, not NUL-terminated necessarily */
        const struct folio_image *image;   /* IMAGE */
        const folio_dl_path *path;         /* PATH */
    };
    uint32_t sn;         /* issue 14 part 2: structure node (0 = artifact), see below */
} folio_dl_op;

/* A rectangle of the page that the statement left empty (white space).
 * Recorded by compose for the white-space filler. */
typedef struct folio_dl_rect {
    int32_t x, y, w, h;
} folio_dl_rect;

typedef struct folio_dl_page {
    folio_dl_op *ops;
    uint32_t n_ops, cap_ops;
    folio_dl_rect *free_rects;
    uint32_t n_free, cap_free;
    bool blank_back;     /* a padding page (duplex back side), nothing printed */
} folio_dl_page;

/* One index tag (name = value) describing a statement, e.g. household id,
 * customer name, postal code; used by AFP TLEs and archive indexes. */
typedef struct folio_dl_tag {
    const char *name;
    const char *value;
} folio_dl_tag;

/* issue 13 part 4: an area of a page that links to a URI.  The archive's
 * PDF/A documents carry each as a link annotation; print files ignore them. */
typedef struct folio_dl_link {
    uint32_t page;             /* index into pages */
    int32_t x, y, w, h;        /* units, top-left origin like the ops */
    const char *uri;           /* NUL-terminated, ASCII */
} folio_dl_link;

typedef struct folio_dl_statement {
    const char *id;            /* household key, unique in the run */
    folio_dl_page *pages;
    uint32_t n_pages, cap_pages;
    folio_dl_tag *tags;
    uint32_t n_tags, cap_tags;
    int32_t page_w, page_h;    /* units; all pages of a statement share a size */
    struct folio_arena *arena;
    folio_dl_link *links;      /* issue 13 part 4 */
    uint32_t n_links, cap_links;
    struct folio_dl_snode *snodes;  /* issue 14 part 2: logical structure (below) */
    uint32_t n_snodes, cap_snodes, sn_cur, sn_art;
    const char *lang;          /* issue 14 part 2: BCP 47 language, e.g. "en" */
    /* issue 15 part 1 (r-chan): the statement's own interval (days since
     * 1970-01-01, set by compose); 0/0 = the job's period */
    int32_t period_start, period_end;
} folio_dl_statement;

/* Create an empty statement whose storage comes from `arena`. */
folio_dl_statement *dlist_statement_new(struct folio_arena *arena, const char *id,
                                        int32_t page_w, int32_t page_h);
/* Append a page; returns it or NULL on OOM.  Pointers to earlier pages stay
 * valid only until the next dlist_page_add call (the array may move): keep
 * indexes, not pointers, across calls. */
folio_dl_page *dlist_page_add(folio_dl_statement *st);
/* Append ops.  Text is copied into the arena when copy is true. */
bool dlist_page_add_text(folio_dl_statement *st, folio_dl_page *pg, uint8_t font,
                         int32_t size, int32_t x, int32_t y, uint32_t color,
                         const char *text, size_t len, bool copy);
bool dlist_page_add_rule(folio_dl_statement *st, folio_dl_page *pg, int32_t x,
                         int32_t y, int32_t x2, int32_t y2, int32_t width,
                         uint32_t color);
bool dlist_page_add_box(folio_dl_statement *st, folio_dl_page *pg, int32_t x,
                        int32_t y, int32_t w, int32_t h, uint32_t fill,
                        uint32_t stroke, int32_t line_w);
bool dlist_page_add_free(folio_dl_statement *st, folio_dl_page *pg, int32_t x,
                         int32_t y, int32_t w, int32_t h);
/* issue 13: an image drawn at (x,y,w,h) clipped to the box (bx,by,bw,bh). */
bool dlist_page_add_image(folio_dl_statement *st, folio_dl_page *pg,
                          const struct folio_image *img, int32_t x, int32_t y, int32_t w,
                          int32_t h, int32_t bx, int32_t by, int32_t bw, int32_t bh);
/* issue 13: a path of n segments (copied into the arena); flags
 * FOLIO_PATH_STROKE (line_w wide, colour stroke_rgb) and/or FOLIO_PATH_FILL. */
bool dlist_page_add_path(folio_dl_statement *st, folio_dl_page *pg, const folio_dl_seg *segs,
                         uint32_t n, unsigned flags, uint32_t stroke_rgb, int32_t line_w,
                         uint32_t fill_rgb);
/* issue 13: the rectangle an IMAGE (its clip box) or PATH (its points, the
 * stroke's half width around them) covers; false for other kinds. */
bool dlist_op_bounds(const folio_dl_op *op, folio_dl_rect *r);
bool dlist_statement_add_tag(folio_dl_statement *st, const char *name,
                             const char *value);
/* issue 13 part 4: a link area; the URI (len bytes) is copied. */
bool dlist_statement_add_link(folio_dl_statement *st, uint32_t page, int32_t x, int32_t y,
                              int32_t w, int32_t h, const char *uri, size_t len);

/* ---- issue 14 part 2 (one block): logical structure for tagged PDF -------
 *
 * compose states what it emits: it opens a structure node (a role) before
 * drawing an element and closes it after; every op added while a node is
 * open carries that node in op->sn.  Nodes nest (parent = the node open when
 * it was opened) and their order of creation among siblings is the logical
 * reading order.  Node 0 is the statement itself (the Document); ops added
 * with node 0 current are artifacts: running headers and footers, page
 * numbers, continuation marks, stripes.  RULE and BOX ops are always drawn
 * as artifacts (decoration); IMAGE and PATH ops are artifacts unless they
 * are inside a FIGURE.  Writers that do not tag (print, proofs) ignore all
 * of it.  The archive's tagged PDF (src/pdf-tag.c) maps roles to PDF
 * structure types. */
typedef enum folio_dl_srole {
    FOLIO_SR_DOCUMENT = 0, FOLIO_SR_SECT, FOLIO_SR_H1, FOLIO_SR_H2, FOLIO_SR_H3,
    FOLIO_SR_P, FOLIO_SR_TABLE, FOLIO_SR_TR, FOLIO_SR_TH, FOLIO_SR_TD,
    FOLIO_SR_L, FOLIO_SR_LI, FOLIO_SR_LBODY, FOLIO_SR_FIGURE, FOLIO_SR_LINK,
    FOLIO_SR__COUNT
} folio_dl_srole;
typedef enum folio_dl_scope { FOLIO_SCOPE_NONE = 0, FOLIO_SCOPE_COLUMN, FOLIO_SCOPE_ROW }
    folio_dl_scope;
typedef struct folio_dl_snode {
    uint32_t parent;           /* node index; the Document (0) is its own parent */
    uint8_t role;              /* folio_dl_srole */
    uint8_t scope;             /* TH: folio_dl_scope */
    const char *alt;           /* FIGURE: alternate text (NUL-terminated, arena) */
    int32_t link;              /* LINK: index into links, else -1 */
} folio_dl_snode;
/* Open a node of `role` under the current one and make it current; returns
 * its index (> 0), 0 on out of memory (then ops go to the parent). */
uint32_t dlist_struct_open(folio_dl_statement *st, folio_dl_srole role);
/* Make the current node's parent current again (no-op at the Document). */
void dlist_struct_close(folio_dl_statement *st);
/* Make node sn current (0: artifacts) and return the node current before,
 * to give back later -- for elements drawn after the body (placed texts,
 * offers) into a node reserved in reading order. */
uint32_t dlist_struct_enter(folio_dl_statement *st, uint32_t sn);
/* Artifact mode on (nested) / off: ops added meanwhile are artifacts and
 * dlist_struct_open/close do nothing (a repeated table header, a
 * continuation mark, a running image).  Off when not on does nothing. */
void dlist_struct_artifact(folio_dl_statement *st, bool on);
/* TH scope / FIGURE alternate text (copied) of node sn. */
void dlist_struct_scope(folio_dl_statement *st, uint32_t sn, folio_dl_scope scope);
bool dlist_struct_alt(folio_dl_statement *st, uint32_t sn, const char *alt, size_t len);
/* A LINK node for link `link` under node `parent` (the element its text
 * is in); false on out of memory. */
bool dlist_struct_link(folio_dl_statement *st, uint32_t parent, uint32_t link);
/* r-tag7 (round 27, issue 14): no structure for this statement (nothing
 * tagged is written from it: a print-only household): every struct call
 * above does nothing, ops keep node 0. */
void dlist_struct_off(folio_dl_statement *st);

#endif
