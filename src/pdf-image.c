/* SPDX-License-Identifier: Apache-2.0 */
/*
 * pdf-image.c -- images and paths in PDF (see pdf-image.h).
 *
 * An image XObject is written from the bytes image.c prepared at layout
 * load: PNG samples already deflated (/FlateDecode), JPEG bytes as they are
 * (/DCTDecode) -- nothing is decoded or compressed per document.  PNG alpha
 * was flattened onto white and 16-bit samples reduced at load, so the same
 * XObject is valid in PDF/A-1b.
 */
#include "pdf-image.h"

#include <hpdf_doc.h>
#include <hpdf_objects.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

static atomic_ullong images_made;

uint64_t pdf_images_made(void)
{
    return atomic_load(&images_made);
}

/* units (1/20 pt) as a PDF number of points */
static char *num(char *p, int64_t v)
{
    if (v < 0) {
        *p++ = '-';
        v = -v;
    }
    int64_t i = v / 20, f = (v % 20) * 5;     /* hundredths */
    char tmp[24];
    int n = 0;
    do {
        tmp[n++] = (char)('0' + i % 10);
        i /= 10;
    } while (i);
    while (n)
        *p++ = tmp[--n];
    if (f) {
        *p++ = '.';
        *p++ = (char)('0' + f / 10);
        if (f % 10)
            *p++ = (char)('0' + f % 10);
    }
    return p;
}

static char *str(char *p, const char *s)
{
    size_t n = strlen(s);
    memcpy(p, s, n);
    return p + n;
}

/* 0xRRGGBB as "r g b" with three decimals each */
static char *rgb(char *p, uint32_t c, const char *op)
{
    for (int sh = 16; sh >= 0; sh -= 8) {
        unsigned v = (c >> sh) & 0xFF;
        unsigned t = (v * 1000 + 127) / 255;     /* thousandths */
        if (t >= 1000) {
            *p++ = '1';
        } else {
            *p++ = '0';
            *p++ = '.';
            *p++ = (char)('0' + t / 100);
            *p++ = (char)('0' + t / 10 % 10);
            *p++ = (char)('0' + t % 10);
        }
        *p++ = ' ';
    }
    p = str(p, op);
    *p++ = '\n';
    return p;
}

static char *pt(char *p, int32_t x, int32_t y, int32_t page_h)
{
    p = num(p, x);
    *p++ = ' ';
    p = num(p, (int64_t)page_h - y);
    *p++ = ' ';
    return p;
}

size_t pdf_graphic_bound(const folio_dl_op *op)
{
    if (op->kind == FOLIO_DL_PATH)
        return 128 + (size_t)op->path->n * 80;
    return 256;
}

char *pdf_graphic_put(char *p, const folio_dl_op *op, int32_t page_h, int xobj)
{
    p = str(p, "q\n");
    if (op->kind == FOLIO_DL_IMAGE) {
        /* clip to the box, then the unit square scaled onto (x,y,w,h) */
        p = pt(p, op->x2, op->y2 + op->size, page_h);
        p = num(p, op->line_w);
        *p++ = ' ';
        p = num(p, op->size);
        p = str(p, " re W n\n");
        p = num(p, op->w);
        p = str(p, " 0 0 ");
        p = num(p, op->h);
        *p++ = ' ';
        p = pt(p, op->x, op->y + op->h, page_h);
        p = str(p, "cm\n/X");
        char tmp[12];
        int n = 0;
        do {
            tmp[n++] = (char)('0' + xobj % 10);
            xobj /= 10;
        } while (xobj);
        while (n)
            *p++ = tmp[--n];
        p = str(p, " Do\nQ\n");
        return p;
    }
    bool stroke = op->flags & FOLIO_PATH_STROKE, fill = op->flags & FOLIO_PATH_FILL;
    if (stroke) {
        p = num(p, op->line_w);
        p = str(p, " w 1 J 1 j\n");
        p = rgb(p, op->color, "RG");
    }
    if (fill)
        p = rgb(p, op->stroke, "rg");
    const folio_dl_path *path = op->path;
    for (uint32_t i = 0; i < path->n; i++) {
        const folio_dl_seg *s = &path->segs[i];
        switch (s->kind) {
        case FOLIO_SEG_MOVE:
            p = pt(p, s->x, s->y, page_h);
            p = str(p, "m\n");
            break;
        case FOLIO_SEG_LINE:
            p = pt(p, s->x, s->y, page_h);
            p = str(p, "l\n");
            break;
        case FOLIO_SEG_CURVE:
            p = pt(p, s->c1x, s->c1y, page_h);
            p = pt(p, s->c2x, s->c2y, page_h);
            p = pt(p, s->x, s->y, page_h);
            p = str(p, "c\n");
            break;
        default:
            p = str(p, "h\n");
            break;
        }
    }
    p = str(p, stroke && fill ? "B\nQ\n" : stroke ? "S\nQ\n" : "f\nQ\n");
    return p;
}

/* ---- XObjects, once per document ---------------------------------------- */

struct pdf_images {
    int n, cap;
    struct { const folio_image *img; HPDF_Image x; } *v;
};

static HPDF_STATUS write_flate(HPDF_Dict dict, HPDF_Stream stream)
{
    (void)dict;
    return HPDF_Stream_WriteStr(stream, "/Filter /FlateDecode\012");
}

static HPDF_STATUS write_dct(HPDF_Dict dict, HPDF_Stream stream)
{
    (void)dict;
    return HPDF_Stream_WriteStr(stream, "/Filter /DCTDecode\012");
}

HPDF_Image pdf_image_xobject(HPDF_Doc doc, pdf_images **cache, const folio_image *img)
{
    pdf_images *c = *cache;
    for (int i = 0; c && i < c->n; i++)
        if (c->v[i].img == img)
            return c->v[i].x;
    if (!c && !(c = *cache = calloc(1, sizeof *c)))
        return NULL;
    if (c->n == c->cap) {
        int nc = c->cap ? c->cap * 2 : 4;
        void *nv = realloc(c->v, (size_t)nc * sizeof *c->v);
        if (!nv)
            return NULL;
        c->v = nv;
        c->cap = nc;
    }
    HPDF_Dict d = HPDF_DictStream_New(doc->mmgr, doc->xref);
    if (!d)
        return NULL;
    d->header.obj_class |= HPDF_OSUBCLASS_XOBJECT;
    bool jpeg = img->kind == FOLIO_IMAGE_JPEG;
    const unsigned char *b = jpeg ? img->data : img->zdata;
    size_t n = jpeg ? img->len : img->zlen;
    d->filter = HPDF_STREAM_FILTER_NONE;
    d->write_fn = jpeg ? write_dct : write_flate;
    if (HPDF_Dict_AddName(d, "Type", "XObject") != HPDF_OK ||
        HPDF_Dict_AddName(d, "Subtype", "Image") != HPDF_OK ||
        HPDF_Dict_AddNumber(d, "Width", (HPDF_INT32)img->px_w) != HPDF_OK ||
        HPDF_Dict_AddNumber(d, "Height", (HPDF_INT32)img->px_h) != HPDF_OK ||
        HPDF_Dict_AddName(d, "ColorSpace", img->comps == 1 ? "DeviceGray" : "DeviceRGB") !=
            HPDF_OK ||
        HPDF_Dict_AddNumber(d, "BitsPerComponent", 8) != HPDF_OK ||
        HPDF_Stream_Write(d->stream, b, (HPDF_UINT)n) != HPDF_OK)
        return NULL;
    c->v[c->n].img = img;
    c->v[c->n++].x = (HPDF_Image)d;
    atomic_fetch_add(&images_made, 1);
    return (HPDF_Image)d;
}

void pdf_images_free(pdf_images *c)
{
    if (!c)
        return;
    free(c->v);
    free(c);
}

/* ---- libharu back end ---------------------------------------------------- */

static HPDF_REAL ptf(int64_t units)
{
    return (HPDF_REAL)units / 20.0f;
}

bool pdf_graphic_hpdf(HPDF_Doc doc, pdf_images **cache, HPDF_Page page,
                      const folio_dl_op *op, int32_t page_h)
{
    if (HPDF_Page_GSave(page) != HPDF_OK)
        return false;
    if (op->kind == FOLIO_DL_IMAGE) {
        HPDF_Image x = pdf_image_xobject(doc, cache, op->image);
        if (!x)
            return false;
        HPDF_Page_Rectangle(page, ptf(op->x2), ptf((int64_t)page_h - op->y2 - op->size),
                            ptf(op->line_w), ptf(op->size));
        HPDF_Page_Clip(page);
        HPDF_Page_EndPath(page);
        HPDF_Page_DrawImage(page, x, ptf(op->x), ptf((int64_t)page_h - op->y - op->h),
                            ptf(op->w), ptf(op->h));
        return HPDF_Page_GRestore(page) == HPDF_OK;
    }
    bool stroke = op->flags & FOLIO_PATH_STROKE, fill = op->flags & FOLIO_PATH_FILL;
    if (stroke) {
        HPDF_Page_SetLineWidth(page, ptf(op->line_w));
        HPDF_Page_SetLineCap(page, HPDF_ROUND_END);
        HPDF_Page_SetLineJoin(page, HPDF_ROUND_JOIN);
        HPDF_Page_SetRGBStroke(page, (float)(op->color >> 16 & 255) / 255.f,
                               (float)(op->color >> 8 & 255) / 255.f,
                               (float)(op->color & 255) / 255.f);
    }
    if (fill)
        HPDF_Page_SetRGBFill(page, (float)(op->stroke >> 16 & 255) / 255.f,
                             (float)(op->stroke >> 8 & 255) / 255.f,
                             (float)(op->stroke & 255) / 255.f);
    for (uint32_t i = 0; i < op->path->n; i++) {
        const folio_dl_seg *s = &op->path->segs[i];
        HPDF_REAL x = ptf(s->x), y = ptf((int64_t)page_h - s->y);
        if (s->kind == FOLIO_SEG_MOVE)
            HPDF_Page_MoveTo(page, x, y);
        else if (s->kind == FOLIO_SEG_LINE)
            HPDF_Page_LineTo(page, x, y);
        else if (s->kind == FOLIO_SEG_CURVE)
            HPDF_Page_CurveTo(page, ptf(s->c1x), ptf((int64_t)page_h - s->c1y), ptf(s->c2x),
                              ptf((int64_t)page_h - s->c2y), x, y);
        else
            HPDF_Page_ClosePath(page);
    }
    if (stroke && fill)
        HPDF_Page_FillStroke(page);
    else if (stroke)
        HPDF_Page_Stroke(page);
    else
        HPDF_Page_Fill(page);
    return HPDF_Page_GRestore(page) == HPDF_OK;
}
