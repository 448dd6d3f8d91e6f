/* SPDX-License-Identifier: Apache-2.0 */
/*
 * pdf-image.h -- (private) images and paths in the PDF writer (issue 13
 * parts 1, 2; src/pdf-image.c).  Each image is one image XObject per
 * document, made the first time a page of that document uses it; pages
 * refer to it by the name libharu gives it in their resources (X1, X2, ...
 * in order of first use on the page).
 */
#ifndef FOLIO_PDF_IMAGE_H
#define FOLIO_PDF_IMAGE_H

#include "folio/dlist.h"
#include "folio/image.h"

#include <hpdf.h>

#define PDF_PAGE_IMAGES 16              /* distinct images on one page */

/* Bytes pdf_graphic_put may write for op (IMAGE or PATH). */
size_t pdf_graphic_bound(const folio_dl_op *op);
/* Write op's content-stream operators at p (self-contained: q ... Q);
 * xobj: the page's name number of the op's image (IMAGE).  Returns the end. */
char *pdf_graphic_put(char *p, const folio_dl_op *op, int32_t page_h, int xobj);

/* The image XObjects of one document. */
typedef struct pdf_images pdf_images;
/* img's XObject in doc (made on first use); NULL on failure. */
HPDF_Image pdf_image_xobject(HPDF_Doc doc, pdf_images **cache, const folio_image *img);
void pdf_images_free(pdf_images *c);
/* Images made in this process (tests: once per document). */
uint64_t pdf_images_made(void);

/* libharu back end: draw op (IMAGE or PATH) on page.  false on failure. */
bool pdf_graphic_hpdf(HPDF_Doc doc, pdf_images **cache, HPDF_Page page,
                      const folio_dl_op *op, int32_t page_h);

#endif
