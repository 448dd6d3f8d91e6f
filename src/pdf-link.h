/* SPDX-License-Identifier: Apache-2.0 */
/*
 * pdf-link.h -- (private) issue 13 part 4: a statement's link areas
 * (folio_dl_link) as PDF link annotations with URI actions, for the
 * archive's PDF/A-1b documents (pdf.c calls it; print files get none).
 */
#ifndef FOLIO_PDF_LINK_H
#define FOLIO_PDF_LINK_H

#include "folio/dlist.h"

#include <hpdf.h>

/* Annotate pages first_page .. of doc with st's links: /Subtype /Link,
 * /Rect, /Border [0 0 0], /F 4 (Print: PDF/A-1 wants it set and Hidden,
 * Invisible, NoView clear), /A << /S /URI /URI (...) >>; no JavaScript,
 * no appearance stream.  false with why set on a libharu failure or a
 * URI that is not printable ASCII. */
bool pdf_links_write(HPDF_Doc doc, uint32_t first_page, const folio_dl_statement *st,
                     const char **why);

#endif
