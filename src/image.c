/* SPDX-License-Identifier: Apache-2.0 */
/*
 * image.c -- PNG and JPEG images, read and decoded once (see folio/image.h).
 */
#include "folio/image.h"
#include "pdf-private.h"

#include <errno.h>
#include <png.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static folio_image *fail(folio_image *img, char *why, size_t cap, const char *msg)
{
    snprintf(why, cap, "%s", msg);
    image_free(img);
    return NULL;
}

/* PNG through libpng's simplified API: alpha composed onto white, 16-bit
 * samples reduced to 8, palettes expanded. */
static folio_image *load_png(folio_image *img, const unsigned char *b, size_t n, char *why,
                             size_t cap)
{
    png_image pi;
    memset(&pi, 0, sizeof pi);
    pi.version = PNG_IMAGE_VERSION;
    if (!png_image_begin_read_from_memory(&pi, b, n)) {
        snprintf(why, cap, "not a readable PNG image (%s)", pi.message);
        image_free(img);
        return NULL;
    }
    bool color = (pi.format & PNG_FORMAT_FLAG_COLOR) != 0;
    pi.format = color ? PNG_FORMAT_RGB : PNG_FORMAT_GRAY;
    if (pi.width == 0 || pi.height == 0 || pi.width > 20000 || pi.height > 20000) {
        png_image_free(&pi);
        return fail(img, why, cap, "PNG image size out of range (1 to 20000 pixels a side)");
    }
    img->comps = color ? 3 : 1;
    img->px_w = (int32_t)pi.width;
    img->px_h = (int32_t)pi.height;
    img->len = PNG_IMAGE_SIZE(pi);
    img->data = malloc(img->len);
    if (!img->data) {
        png_image_free(&pi);
        return fail(img, why, cap, "out of memory");
    }
    png_color white = { 255, 255, 255 };
    if (!png_image_finish_read(&pi, &white, img->data, 0, NULL)) {
        snprintf(why, cap, "cannot decode the PNG image (%s)", pi.message);
        image_free(img);
        return NULL;
    }
    /* pHYs: pixels per metre (unit 1) -> dpi */
    for (size_t o = 8; o + 12 <= n;) {
        uint32_t len = (uint32_t)b[o] << 24 | (uint32_t)b[o + 1] << 16 | (uint32_t)b[o + 2] << 8 |
                       b[o + 3];
        if (!memcmp(b + o + 4, "pHYs", 4) && len == 9 && o + 17 <= n && b[o + 16] == 1) {
            const unsigned char *q = b + o + 8;
            uint32_t px = (uint32_t)q[0] << 24 | (uint32_t)q[1] << 16 | (uint32_t)q[2] << 8 | q[3];
            uint32_t py = (uint32_t)q[4] << 24 | (uint32_t)q[5] << 16 | (uint32_t)q[6] << 8 | q[7];
            if (px && py) {
                img->dpi_x = (int32_t)((px * 254u + 5000u) / 10000u);
                img->dpi_y = (int32_t)((py * 254u + 5000u) / 10000u);
            }
            break;
        }
        if (!memcmp(b + o + 4, "IDAT", 4) || len > n)
            break;
        o += 12 + (size_t)len;
    }
    size_t bound = pdf_deflate_bound(img->len);
    img->zdata = malloc(bound);
    if (!img->zdata)
        return fail(img, why, cap, "out of memory");
    /* r-arch3 (issue 11 archive size): level 9, not 6: an image is deflated
     * once per run and embedded in every document (the logo: 807 -> 663
     * bytes of each archived statement) */
    img->zlen = pdf_deflate(9, img->data, img->len, img->zdata, bound);
    if (!img->zlen)
        return fail(img, why, cap, "cannot compress the decoded image");
    return img;
}

/* JPEG: the header only (SOFn for size and components, JFIF for density). */
static folio_image *load_jpeg(folio_image *img, const unsigned char *b, size_t n, char *why,
                              size_t cap)
{
    size_t o = 2;
    while (o + 4 <= n) {
        if (b[o] != 0xFF)
            return fail(img, why, cap, "corrupt JPEG image (no marker where one must be)");
        uint8_t m = b[o + 1];
        if (m == 0xFF) {
            o++;
            continue;
        }
        size_t len = (size_t)b[o + 2] << 8 | b[o + 3];
        if (len < 2 || o + 2 + len > n)
            return fail(img, why, cap, "corrupt JPEG image (a segment runs past the end)");
        const unsigned char *q = b + o + 4;
        if (m == 0xE0 && len >= 16 && !memcmp(q, "JFIF", 5) && q[7] >= 1) {
            int32_t dx = q[8] << 8 | q[9], dy = q[10] << 8 | q[11];
            if (dx && dy) {
                img->dpi_x = q[7] == 1 ? dx : (dx * 254 + 50) / 100;
                img->dpi_y = q[7] == 1 ? dy : (dy * 254 + 50) / 100;
            }
        }
        if (m >= 0xC0 && m <= 0xCF && m != 0xC4 && m != 0xC8 && m != 0xCC) {
            if (len < 8)
                return fail(img, why, cap, "corrupt JPEG image (short frame header)");
            if (m != 0xC0 && m != 0xC1 && m != 0xC2)
                return fail(img, why, cap, "unsupported JPEG coding (only baseline and "
                                           "progressive Huffman JPEG)");
            if (q[0] != 8)
                return fail(img, why, cap, "unsupported JPEG sample precision (8 bits only)");
            img->px_h = q[1] << 8 | q[2];
            img->px_w = q[3] << 8 | q[4];
            img->comps = q[5];
            if (img->comps != 1 && img->comps != 3)
                return fail(img, why, cap, "unsupported JPEG colour (gray or RGB/YCbCr "
                                           "only; CMYK is not supported)");
            if (img->px_w == 0 || img->px_h == 0)
                return fail(img, why, cap, "JPEG image without a size");
            img->data = malloc(n);
            if (!img->data)
                return fail(img, why, cap, "out of memory");
            memcpy(img->data, b, n);
            img->len = n;
            return img;
        }
        if (m == 0xDA || m == 0xD9)
            break;
        o += 2 + len;
    }
    return fail(img, why, cap, "corrupt JPEG image (no frame header)");
}

folio_image *image_load_mem(const char *path, const unsigned char *b, size_t n, char *why,
                            size_t why_cap)
{
    folio_image *img = calloc(1, sizeof *img);
    if (!img || !(img->path = strdup(path ? path : "")))
        return fail(img, why, why_cap, "out of memory");
    img->dpi_x = img->dpi_y = 72;
    if (n >= 8 && !memcmp(b, "\x89PNG\r\n\x1a\n", 8)) {
        img->kind = FOLIO_IMAGE_PNG;
        return load_png(img, b, n, why, why_cap);
    }
    if (n >= 4 && b[0] == 0xFF && b[1] == 0xD8 && b[2] == 0xFF) {
        img->kind = FOLIO_IMAGE_JPEG;
        return load_jpeg(img, b, n, why, why_cap);
    }
    return fail(img, why, why_cap, "not a PNG or JPEG image");
}

folio_image *image_load(const char *path, char *why, size_t why_cap)
{
    /* hard-attack2: through folio_input_fopen like every input, so a FIFO
     * or device named as an image is refused instead of hanging the run */
    folio_error oe = {0};
    FILE *f = folio_input_fopen(path, NULL, FOLIO_EXIT_USAGE, &oe);
    if (!f) {
        const char *m = oe.msg;         /* "PATH: cannot open: REASON" or "PATH: is a ..." */
        size_t pl = strlen(path);
        if (!strncmp(m, path, pl) && !strncmp(m + pl, ": ", 2))
            m += pl + 2;
        if (!strncmp(m, "cannot open: ", 13))
            m += 13;
        snprintf(why, why_cap, "cannot read it: %s", m);
        return NULL;
    }
    unsigned char *b = NULL;
    size_t n = 0, cap = 0;
    for (;;) {
        if (n == cap) {
            size_t nc = cap ? cap * 2 : 65536;
            unsigned char *nb = nc <= ((size_t)256 << 20) ? realloc(b, nc) : NULL;
            if (!nb) {
                free(b);
                fclose(f);
                snprintf(why, why_cap, "%s", nc > ((size_t)256 << 20) ? "larger than 256 MiB"
                                                                       : "out of memory");
                return NULL;
            }
            b = nb;
            cap = nc;
        }
        size_t r = fread(b + n, 1, cap - n, f);
        n += r;
        if (r == 0)
            break;
    }
    bool bad = ferror(f);
    int e = errno;
    fclose(f);
    if (bad) {
        free(b);
        snprintf(why, why_cap, "cannot read it: %s", strerror(e));
        return NULL;
    }
    folio_image *img = image_load_mem(path, b, n, why, why_cap);
    free(b);
    return img;
}

void image_free(folio_image *img)
{
    if (!img)
        return;
    free(img->path);
    free(img->data);
    free(img->zdata);
    free(img);
}
