/* SPDX-License-Identifier: Apache-2.0 */
/*
 * afp-image.c -- images as IOCA objects and paths as GOCA (see afp-image.h).
 *
 * Images: every (image, presented size) the layout can draw becomes one
 * IOCA object in the print file's resource group, written once per file:
 *
 *   BRS FIMnnnnn (resource type X'FB' IOCA)
 *     BIM FIMnnnnn
 *       BOG  OBD (area = the presented size)  OBP  MIO (position and trim)
 *            IDD (resolution: the pixels span exactly the presented size)  EOG
 *       IPD ... (one IOCA image segment, split over IPD fields)
 *     EIM
 *   ERS
 *
 * The image segment: Begin Segment (X'70'), Begin Image Content (X'91'),
 * Image Size (X'94'), Image Encoding (X'95': X'03' none for PNG samples,
 * X'83' JPEG for JPEG files as they are), IDE Size (X'96': 24 for RGB,
 * 8 for gray JPEG), IDE Structure (X'9B': RGB or YCbCr), Image Data
 * (X'FE92', at most 8 KiB each), End Image Content (X'93'), End Segment
 * (X'71').  Gray PNG samples are expanded to RGB (FS45 colour images only).
 *
 * A page includes an image with an IOB: object area = the element's box,
 * content offset = where the image starts inside it (negative for fit:
 * cover), mapping X'10' position and trim, so the printer clips to the box
 * just like the PDF's clip path.
 *
 * Paths: one graphics object per page holding every PATH op, after the
 * page's text:  BGR  BOG OBD OBP MGO GDD EOG  GAD ...  EGR.  The GDD window
 * is the page (1440 units per inch, Y up); a dlist point (x, y) is
 * (x, page_h - y).  Drawing orders: GSPCOL (X'B2', RGB), GSFLW (X'11', in
 * multiples of 0.01 in), GSLE/GSLJ round, GSCP (X'21') + GCLINE (X'81') for
 * lines, GCBEZ (X'A5') for curves, fills between GBAR (X'68') and GEAR
 * (X'60') with the solid pattern (GSPT X'28' X'10').
 */
#include "afp-image.h"
#include "afp-private.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define IPD_CHUNK 32000u
#define IMAGE_DATA_CHUNK 8192u
#define GAD_CHUNK 32000u

typedef struct afp_res {
    const folio_image *img;
    int32_t w, h;                 /* presented size, units */
    uint16_t xres, yres;          /* pixels per 10 inches */
    uint8_t name[8];
} afp_res;

struct afp_images {
    afp_res *v;
    int n, cap;
    folio_buf seg;                /* scratch */
};

static uint8_t *be2(uint8_t *p, uint32_t v)
{
    p[0] = (uint8_t)(v >> 8);
    p[1] = (uint8_t)v;
    return p + 2;
}

static uint8_t *be3(uint8_t *p, uint32_t v)
{
    p[0] = (uint8_t)(v >> 16);
    p[1] = (uint8_t)(v >> 8);
    p[2] = (uint8_t)v;
    return p + 3;
}

/* A whole structured field into out. */
static bool sf(folio_buf *out, uint32_t id, const void *d, size_t n)
{
    uint8_t h[9] = {0x5A};
    be2(h + 1, (uint32_t)(n + 8));
    be3(h + 3, id);
    return n + 8 <= AFP_SF_MAX && folio_buf_append(out, h, 9) && (!n || folio_buf_append(out, d, n));
}

static bool sf_name(folio_buf *out, uint32_t id, const uint8_t *name8)
{
    return sf(out, id, name8, name8 ? 8 : 0);
}

static int find_res(const afp_images *t, const folio_image *img, int32_t w, int32_t h)
{
    for (int i = 0; i < t->n; i++)
        if (t->v[i].img == img && t->v[i].w == w && t->v[i].h == h)
            return i;
    return -1;
}

bool afp_images_new(const folio_graphics *g, int n_languages, afp_images **out, char *why,
                    size_t cap)
{
    return afp_images_new2(g, n_languages, NULL, out, why, cap);
}

/* issue 13 leftover: extra (the offers' pictures, one language per element)
 * after the layout's images. */
bool afp_images_new2(const folio_graphics *g0, int n_languages, const folio_graphics *extra,
                     afp_images **out, char *why, size_t cap)
{
    *out = NULL;
    if ((!g0 || g0->n_el == 0) && (!extra || extra->n_el == 0))
        return true;
    afp_images *t = calloc(1, sizeof *t);
    if (!t) {
        snprintf(why, cap, "out of memory");
        return false;
    }
    folio_buf_init(&t->seg, 0);
    int n0 = g0 ? g0->n_el : 0, n1 = extra ? extra->n_el : 0;
    for (int i = 0; i < n0 + n1; i++)
        for (int l = 0; l < (i < n0 ? n_languages : 1); l++) {
            const folio_layout_image *e = i < n0 ? &g0->el[i] : &extra->el[i - n0];
            const folio_image *img = e->file[l];
            int32_t x, y, w, h;
            graphics_image_place(e, img, &x, &y, &w, &h);
            if (find_res(t, img, w, h) >= 0)
                continue;
            int64_t xr = ((int64_t)img->px_w * 14400 + w / 2) / w;
            int64_t yr = ((int64_t)img->px_h * 14400 + h / 2) / h;
            if (xr < 1 || yr < 1 || xr > 32767 || yr > 32767 || img->px_w > 32767 ||
                img->px_h > 32767) {
                snprintf(why, cap, "image '%s' drawn at %d x %d pixels per 10 inches: "
                         "AFP (IOCA) carries 1 to 32767", img->path, (int)xr, (int)yr);
                afp_images_free(t);
                return false;
            }
            if (t->n == t->cap) {
                int nc = t->cap ? t->cap * 2 : 8;
                afp_res *nv = realloc(t->v, (size_t)nc * sizeof *nv);
                if (!nv) {
                    snprintf(why, cap, "out of memory");
                    afp_images_free(t);
                    return false;
                }
                t->v = nv;
                t->cap = nc;
            }
            afp_res *r = &t->v[t->n];
            *r = (afp_res){img, w, h, (uint16_t)xr, (uint16_t)yr, {0}};
            char nm[16];
            snprintf(nm, sizeof nm, "FIM%05d", t->n + 1);
            afp_name8(nm, r->name);
            t->n++;
        }
    *out = t;
    return true;
}

void afp_images_free(afp_images *t)
{
    if (!t)
        return;
    folio_buf_free(&t->seg);
    free(t->v);
    free(t);
}

/* OBD: measurement units 1440/in, area size w x h */
static bool put_obd(folio_buf *out, int32_t w, int32_t h)
{
    uint8_t d[20], *p = d;
    *p++ = 3, *p++ = 0x43, *p++ = 0x01;                       /* descriptor position */
    *p++ = 8, *p++ = 0x4B, *p++ = 0, *p++ = 0;                /* units: 10 inches */
    p = be2(p, 14400), p = be2(p, 14400);
    *p++ = 9, *p++ = 0x4C, *p++ = 0x02;                       /* object area size */
    p = be3(p, (uint32_t)w), p = be3(p, (uint32_t)h);
    return sf(out, SF_OBD, d, (size_t)(p - d));
}

/* OBP: area at (x, y), content at (cx, cy) in it, no rotation */
static uint8_t *obp_body(uint8_t *p, int32_t x, int32_t y, int32_t cx, int32_t cy)
{
    p = be3(p, (uint32_t)x & 0xFFFFFF), p = be3(p, (uint32_t)y & 0xFFFFFF);
    p = be2(p, 0x0000), p = be2(p, 0x2D00);
    p = be3(p, (uint32_t)cx & 0xFFFFFF), p = be3(p, (uint32_t)cy & 0xFFFFFF);
    p = be2(p, 0x0000), p = be2(p, 0x2D00);
    return p;
}

static bool put_obp(folio_buf *out)
{
    uint8_t d[23], *p = d;
    *p++ = 0x01, *p++ = 23;
    p = obp_body(p, 0, 0, 0, 0);
    *p++ = 0x01;                                              /* RefCSys: page */
    return sf(out, SF_OBP, d, (size_t)(p - d));
}

static bool put_map(folio_buf *out, uint32_t id, uint8_t option)
{
    uint8_t d[5] = {0x00, 0x05, 3, 0x04, option};
    return sf(out, id, d, sizeof d);
}

/* Image Data self-defining fields for n bytes */
static bool seg_data(folio_buf *s, const uint8_t *b, size_t n)
{
    for (size_t off = 0; off < n;) {
        size_t k = n - off < IMAGE_DATA_CHUNK ? n - off : IMAGE_DATA_CHUNK;
        uint8_t h[4] = {0xFE, 0x92};
        be2(h + 2, (uint32_t)k);
        if (!folio_buf_append(s, h, 4) || !folio_buf_append(s, b + off, k))
            return false;
        off += k;
    }
    return true;
}

static bool image_segment(folio_buf *s, const afp_res *r)
{
    const folio_image *img = r->img;
    bool jpeg = img->kind == FOLIO_IMAGE_JPEG;
    bool rgb = !jpeg || img->comps == 3;
    uint8_t h[40], *p = h;
    *p++ = 0x70, *p++ = 0x00;                                 /* Begin Segment */
    *p++ = 0x91, *p++ = 0x01, *p++ = 0xFF;                    /* Begin Image Content */
    *p++ = 0x94, *p++ = 0x09, *p++ = 0x00;                    /* Image Size: 10 inches */
    p = be2(p, r->xres), p = be2(p, r->yres);
    p = be2(p, (uint32_t)img->px_w), p = be2(p, (uint32_t)img->px_h);
    *p++ = 0x95, *p++ = 0x02, *p++ = jpeg ? 0x83 : 0x03, *p++ = 0x01;   /* encoding */
    *p++ = 0x96, *p++ = 0x01, *p++ = rgb ? 24 : 8;            /* IDE size */
    if (rgb) {                                                /* IDE structure */
        *p++ = 0x9B, *p++ = 0x08, *p++ = 0x00, *p++ = jpeg ? 0x12 : 0x01;
        *p++ = 0, *p++ = 0, *p++ = 0, *p++ = 8, *p++ = 8, *p++ = 8;
    }
    folio_buf_reset(s);
    if (!folio_buf_append(s, h, (size_t)(p - h)))
        return false;
    if (jpeg || img->comps == 3) {
        if (!seg_data(s, jpeg ? img->data : img->data, img->len))
            return false;
    } else {                                                  /* gray -> RGB */
        uint8_t row[3 * 4096];
        size_t n = img->len;
        for (size_t off = 0; off < n;) {
            size_t k = n - off < 4096 ? n - off : 4096;
            for (size_t i = 0; i < k; i++)
                row[3 * i] = row[3 * i + 1] = row[3 * i + 2] = img->data[off + i];
            if (!seg_data(s, row, 3 * k))
                return false;
            off += k;
        }
    }
    static const uint8_t tail[4] = {0x93, 0x00, 0x71, 0x00};   /* End Content, Segment */
    return folio_buf_append(s, tail, 4);
}

bool afp_images_resources(afp_images *t, folio_buf *out)
{
    for (int i = 0; t && i < t->n; i++) {
        const afp_res *r = &t->v[i];
        uint8_t brs[20] = {0};
        memcpy(brs, r->name, 8);
        brs[10] = 10, brs[11] = TR_RESOURCE_TYPE, brs[12] = 0xFB;   /* IOCA */
        uint8_t idd[9], *p = idd;
        *p++ = 0x00;
        p = be2(p, r->xres), p = be2(p, r->yres);
        p = be2(p, (uint32_t)r->img->px_w), p = be2(p, (uint32_t)r->img->px_h);
        (void)p;
        if (!sf(out, SF_BRS, brs, sizeof brs) || !sf_name(out, SF_BIM, r->name) ||
            !sf_name(out, SF_BOG, r->name) || !put_obd(out, r->w, r->h) || !put_obp(out) ||
            !put_map(out, SF_MIO, 0x10) || !sf(out, SF_IDD, idd, sizeof idd) ||
            !sf_name(out, SF_EOG, r->name) || !image_segment(&t->seg, r))
            return false;
        for (size_t off = 0; off < t->seg.len; off += IPD_CHUNK) {
            size_t k = t->seg.len - off < IPD_CHUNK ? t->seg.len - off : IPD_CHUNK;
            if (!sf(out, SF_IPD, t->seg.data + off, k))
                return false;
        }
        if (!sf_name(out, SF_EIM, r->name) || !sf_name(out, SF_ERS, r->name))
            return false;
    }
    return !out->failed;
}

bool afp_page_has_objects(const folio_dl_page *pg)
{
    for (uint32_t i = 0; !pg->blank_back && i < pg->n_ops; i++)
        if (pg->ops[i].kind == FOLIO_DL_IMAGE || pg->ops[i].kind == FOLIO_DL_PATH)
            return true;
    return false;
}

/* ---- GOCA ---------------------------------------------------------------- */

static bool gad_flush(folio_buf *out, folio_buf *g)
{
    bool ok = !g->len || sf(out, SF_GAD, g->data, g->len);
    folio_buf_reset(g);
    return ok;
}

/* Append one drawing order; a new GAD field when the current one is full. */
static bool order(folio_buf *out, folio_buf *g, const uint8_t *o, size_t n)
{
    if (g->len + n > GAD_CHUNK && !gad_flush(out, g))
        return false;
    return folio_buf_append(g, o, n);
}

static bool goca_color(folio_buf *out, folio_buf *g, uint32_t rgb)
{
    uint8_t o[15] = {0xB2, 13, 0x00, 0x01, 0, 0, 0, 0, 8, 8, 8, 0,
                     (uint8_t)(rgb >> 16), (uint8_t)(rgb >> 8), (uint8_t)rgb};
    return order(out, g, o, sizeof o);
}

static bool goca_points(folio_buf *out, folio_buf *g, uint8_t type, const int32_t *xy, int n)
{
    while (n > 0) {
        int k = n < 63 ? n : 63;
        uint8_t o[2 + 63 * 4], *p = o + 2;
        o[0] = type;
        o[1] = (uint8_t)(4 * k);
        for (int i = 0; i < k; i++) {
            p = be2(p, (uint32_t)(uint16_t)(int16_t)xy[2 * i]);
            p = be2(p, (uint32_t)(uint16_t)(int16_t)xy[2 * i + 1]);
        }
        if (!order(out, g, o, (size_t)(p - o)))
            return false;
        xy += 2 * k;
        n -= k;
        type = 0x81;              /* continue at the current position */
    }
    return true;
}

static bool goca_path(folio_buf *out, folio_buf *g, const folio_dl_op *op, int32_t page_h,
                      bool area)
{
    const folio_dl_path *pa = op->path;
    int32_t sx = 0, sy = 0;       /* subpath start, GOCA coordinates */
    int32_t line[2 * 63];
    int nl = 0;
    for (uint32_t i = 0; i < pa->n; i++) {
        const folio_dl_seg *s = &pa->segs[i];
        int32_t x = s->x, y = page_h - s->y;
        if (x < -32768 || x > 32767 || y < -32768 || y > 32767)
            return false;
        if (s->kind == FOLIO_SEG_LINE) {
            line[2 * nl] = x, line[2 * nl + 1] = y;
            if (++nl == 63) {
                if (!goca_points(out, g, 0x81, line, nl))
                    return false;
                nl = 0;
            }
            continue;
        }
        if (nl && !goca_points(out, g, 0x81, line, nl))
            return false;
        nl = 0;
        if (s->kind == FOLIO_SEG_MOVE) {
            uint8_t o[6] = {0x21, 4};
            be2(o + 2, (uint32_t)(uint16_t)(int16_t)x);
            be2(o + 4, (uint32_t)(uint16_t)(int16_t)y);
            if (!order(out, g, o, 6))
                return false;
            sx = x, sy = y;
        } else if (s->kind == FOLIO_SEG_CURVE) {
            int32_t c[6] = {s->c1x, page_h - s->c1y, s->c2x, page_h - s->c2y, x, y};
            uint8_t o[2 + 12], *p = o + 2;
            o[0] = 0xA5;
            o[1] = 12;
            for (int k = 0; k < 6; k++)
                p = be2(p, (uint32_t)(uint16_t)(int16_t)c[k]);
            if (!order(out, g, o, sizeof o))
                return false;
        } else if (!area) {       /* close: back to the start (an area closes itself) */
            int32_t back[2] = {sx, sy};
            if (!goca_points(out, g, 0x81, back, 1))
                return false;
        }
    }
    return !nl || goca_points(out, g, 0x81, line, nl);
}

static bool goca_op(folio_buf *out, folio_buf *g, const folio_dl_op *op, int32_t page_h)
{
    if (op->flags & FOLIO_PATH_FILL) {
        static const uint8_t begin[] = {0x28, 0x10, 0x68, 0x00};   /* solid, GBAR */
        static const uint8_t end[] = {0x60, 0x00};                 /* GEAR */
        if (!goca_color(out, g, op->stroke) || !order(out, g, begin, sizeof begin) ||
            !goca_path(out, g, op, page_h, true) || !order(out, g, end, sizeof end))
            return false;
    }
    if (op->flags & FOLIO_PATH_STROKE) {
        /* width in multiples of 0.01 in (14.4 units), integer and /256 */
        uint32_t m = (uint32_t)(((int64_t)op->line_w * 256 * 10 + 72) / 144);
        uint8_t o[8] = {0x11, 2, (uint8_t)(m >> 8 > 255 ? 255 : m >> 8), (uint8_t)m,
                        0x1A, 0x03, 0x1B, 0x02};                   /* GSFLW, round ends */
        if (!goca_color(out, g, op->color) || !order(out, g, o, sizeof o) ||
            !goca_path(out, g, op, page_h, false))
            return false;
    }
    return true;
}

bool afp_page_objects(afp_images *t, const folio_dl_page *pg, int32_t page_w, int32_t page_h,
                      uint32_t page_no, folio_buf *out, char *why, size_t cap)
{
    bool any_path = false;
    for (uint32_t i = 0; i < pg->n_ops; i++) {
        const folio_dl_op *op = &pg->ops[i];
        if (op->kind == FOLIO_DL_PATH)
            any_path = true;
        if (op->kind != FOLIO_DL_IMAGE)
            continue;
        int r = t ? find_res(t, op->image, op->w, op->h) : -1;
        if (r < 0) {
            snprintf(why, cap, "an image that is not among the layout's image resources");
            return false;
        }
        /* IOB: name, reserved, type FB, area at the box, content offset */
        uint8_t d[60], *p = d;
        memcpy(p, t->v[r].name, 8), p += 8;
        *p++ = 0x00, *p++ = 0xFB;
        p = be3(p, (uint32_t)op->x2 & 0xFFFFFF), p = be3(p, (uint32_t)op->y2 & 0xFFFFFF);
        p = be2(p, 0x0000), p = be2(p, 0x2D00);               /* no rotation */
        p = be3(p, (uint32_t)(op->x - op->x2) & 0xFFFFFF);    /* content offset */
        p = be3(p, (uint32_t)(op->y - op->y2) & 0xFFFFFF);
        *p++ = 0x01;                                          /* RefCSys: page */
        *p++ = 8, *p++ = 0x4B, *p++ = 0, *p++ = 0;
        p = be2(p, 14400), p = be2(p, 14400);
        *p++ = 9, *p++ = 0x4C, *p++ = 0x02;
        p = be3(p, (uint32_t)op->line_w), p = be3(p, (uint32_t)op->size);
        *p++ = 3, *p++ = 0x04, *p++ = 0x10;                   /* position and trim */
        if (!sf(out, SF_IOB, d, (size_t)(p - d))) {
            snprintf(why, cap, "out of memory");
            return false;
        }
    }
    if (!any_path)
        return true;
    uint8_t name[8];
    char nm[16];
    snprintf(nm, sizeof nm, "G%07u", page_no % 10000000u);
    afp_name8(nm, name);
    /* GDD: drawing order subset, window = the page (Y up) */
    uint8_t gdd[29], *p = gdd;
    static const uint8_t dos[9] = {0xF7, 7, 0xB0, 0, 0, 0x02, 0x00, 0x01, 0x00};
    memcpy(p, dos, 9), p += 9;
    *p++ = 0xF6, *p++ = 18, *p++ = 0x0A, *p++ = 0, *p++ = 0x00, *p++ = 0x00;
    p = be2(p, 14400), p = be2(p, 14400), p = be2(p, 14400);
    p = be2(p, 0), p = be2(p, (uint32_t)page_w), p = be2(p, 0), p = be2(p, (uint32_t)page_h);
    folio_buf g;
    folio_buf_init(&g, 0);
    bool ok = sf_name(out, SF_BGR, name) && sf_name(out, SF_BOG, name) &&
              put_obd(out, page_w, page_h) && put_obp(out) && put_map(out, SF_MGO, 0x10) &&
              sf(out, SF_GDD, gdd, (size_t)(p - gdd)) && sf_name(out, SF_EOG, name);
    for (uint32_t i = 0; ok && i < pg->n_ops; i++)
        if (pg->ops[i].kind == FOLIO_DL_PATH && !goca_op(out, &g, &pg->ops[i], page_h)) {
            snprintf(why, cap, "a path is off the AFP page range");
            folio_buf_free(&g);
            return false;
        }
    ok = ok && gad_flush(out, &g) && sf_name(out, SF_EGR, name) && !out->failed && !g.failed;
    folio_buf_free(&g);
    if (!ok)
        snprintf(why, cap, "out of memory");
    return ok;
}

/* ---- checks (afpdump --check) -------------------------------------------- */

bool afp_ioca_check(const uint8_t *d, size_t n, char *why, size_t cap)
{
    size_t i = 0, data = 0;
    int stage = 0;                /* 0 start, 1 in segment, 2 in content, 3 content ended, 4 done */
    uint32_t w = 0, h = 0, bits = 0, comp = 0;
    while (i < n) {
        uint8_t id = d[i];
        size_t hl = 2, len;
        if (id == 0xFE) {
            if (i + 4 > n) {
                snprintf(why, cap, "IOCA: truncated long self-defining field at byte %zu", i);
                return false;
            }
            hl = 4;
            len = afp_be16(d + i + 2);
        } else {
            if (i + 2 > n) {
                snprintf(why, cap, "IOCA: truncated self-defining field at byte %zu", i);
                return false;
            }
            len = d[i + 1];
        }
        if (i + hl + len > n) {
            snprintf(why, cap, "IOCA: field X'%02X' at byte %zu runs past the image data", id, i);
            return false;
        }
        const uint8_t *q = d + i + hl;
        uint8_t code = hl == 4 ? d[i + 1] : id;
        bool ok = true;
        switch (hl == 4 ? 0xFE00u | code : code) {
        case 0x70: ok = stage == 0; stage = 1; break;
        case 0x91: ok = stage == 1 && len == 1; stage = 2; break;
        case 0x94:
            ok = stage == 2 && len == 9;
            if (ok) {
                w = afp_be16(q + 5), h = afp_be16(q + 7);
                ok = w && h && afp_be16(q + 1) && afp_be16(q + 3);
            }
            break;
        case 0x95: ok = stage == 2 && len >= 2; if (ok) comp = q[0]; break;
        case 0x96: ok = stage == 2 && len == 1; if (ok) bits = q[0]; break;
        case 0x9B: ok = stage == 2 && len >= 8; break;
        case 0xFE92: ok = stage == 2 && w; data += len; break;
        case 0x93: ok = stage == 2 && len == 0; stage = 3; break;
        case 0x71: ok = stage == 3 && len == 0; stage = 4; break;
        default:
            snprintf(why, cap, "IOCA: unknown self-defining field X'%02X' at byte %zu", id, i);
            return false;
        }
        if (!ok) {
            snprintf(why, cap, "IOCA: self-defining field X'%02X' at byte %zu is out of "
                     "place or has a bad length", id, i);
            return false;
        }
        i += hl + len;
    }
    if (stage != 4) {
        snprintf(why, cap, "IOCA: the image segment does not end (End Segment X'71' missing)");
        return false;
    }
    if (!w || !bits) {
        snprintf(why, cap, "IOCA: no image size or IDE size");
        return false;
    }
    if (comp == 0x03 && data != (size_t)w * h * ((bits + 7) / 8)) {
        snprintf(why, cap, "IOCA: %zu bytes of uncompressed image data for %u x %u pixels of "
                 "%u bits", data, w, h, bits);
        return false;
    }
    if (comp == 0x83 && data < 4) {
        snprintf(why, cap, "IOCA: empty JPEG image data");
        return false;
    }
    return true;
}

bool afp_goca_check(const uint8_t *d, size_t n, char *why, size_t cap)
{
    size_t i = 0;
    while (i < n) {
        uint8_t t = d[i];
        size_t len;
        if (t == 0x00 || (t & 0xF0) == 0x00 || (t & 0xF0) == 0x10 || (t & 0xF0) == 0x20) {
            /* X'0x' no-op, X'1x' and X'2x': one byte of value, except the
             * long ones that carry a length (GSFLW X'11', GSCP X'21') */
            if (t == 0x11 || t == 0x21) {
                if (i + 2 > n || i + 2 + d[i + 1] > n) {
                    snprintf(why, cap, "GOCA: order X'%02X' at byte %zu runs past the data",
                             t, i);
                    return false;
                }
                i += 2 + d[i + 1];
            } else {
                i += t == 0x00 ? 1 : 2;
            }
            continue;
        }
        if (i + 2 > n) {
            snprintf(why, cap, "GOCA: order X'%02X' at byte %zu is truncated", t, i);
            return false;
        }
        len = d[i + 1];
        if (i + 2 + len > n) {
            snprintf(why, cap, "GOCA: order X'%02X' at byte %zu runs past the data", t, i);
            return false;
        }
        if ((t == 0x81 || t == 0xC1 || t == 0xA5 || t == 0xE5) && len % 4) {
            snprintf(why, cap, "GOCA: point order X'%02X' at byte %zu has length %zu (not "
                     "a multiple of 4)", t, i, len);
            return false;
        }
        i += 2 + len;
    }
    if (i > n) {
        snprintf(why, cap, "GOCA: the last order runs past the data");
        return false;
    }
    return true;
}
