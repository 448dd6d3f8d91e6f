/* SPDX-License-Identifier: Apache-2.0 */
/*
 * folio/image.h -- images a layout places (issue 13 part 1).
 *
 * An image file (PNG or JPEG) is read and decoded once, when the layout
 * loads; writers embed it once per output document (PDF: one image
 * XObject, src/pdf-image.c; AFP: one IOCA object in the print file's
 * resource group, src/afp-image.c) and every page refers to that copy.
 *
 * PNG: decoded (libpng) to 8-bit gray or RGB samples; an alpha channel is
 * flattened onto white and 16-bit samples are reduced to 8 bits, so the same
 * image is valid in PDF/A-1b (no transparency, no 16-bit) and in IOCA.
 * JPEG: kept as the file's bytes (baseline or progressive, gray or YCbCr;
 * CMYK is refused) -- PDF DCTDecode and IOCA JPEG compression carry it as is.
 */
#ifndef FOLIO_IMAGE_H
#define FOLIO_IMAGE_H

#include "folio/common.h"

typedef enum folio_image_kind { FOLIO_IMAGE_PNG = 1, FOLIO_IMAGE_JPEG } folio_image_kind;

typedef struct folio_image {
    char *path;                   /* as resolved from the layout */
    uint32_t id;                  /* index in the layout's image table (0..) */
    uint8_t kind;                 /* folio_image_kind */
    uint8_t comps;                /* 1 = gray, 3 = RGB (JPEG: YCbCr) */
    int32_t px_w, px_h;           /* pixels */
    int32_t dpi_x, dpi_y;         /* from pHYs / JFIF, else 72 */
    unsigned char *data;          /* PNG: px_h rows of px_w*comps bytes; JPEG: the file */
    size_t len;
    unsigned char *zdata;         /* PNG: data deflated (zlib format, PDF FlateDecode) */
    size_t zlen;
} folio_image;

/* Read and decode the file at path.  NULL with why (a sentence, no path)
 * when it cannot be read, is neither PNG nor JPEG, or cannot be decoded. */
folio_image *image_load(const char *path, char *why, size_t why_cap);
/* The same from bytes in memory (tests; path is only a name). */
folio_image *image_load_mem(const char *path, const unsigned char *b, size_t n, char *why,
                            size_t why_cap);
void image_free(folio_image *img);

#endif
