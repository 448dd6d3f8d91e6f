/*
 * folio/links.h -- issue 13 part 4: links in e-delivery.  Every URL a
 * statement prints (the bank's website, a URL in an offer or a paragraph)
 * becomes a link area of the display list (dlist.h folio_dl_link); the
 * coupon adds its "pay now" URL over the QR code (coupon.c).  Only the
 * archive's PDF/A documents turn them into link annotations (pdf-link.c);
 * print files carry none.
 */
#ifndef FOLIO_LINKS_H
#define FOLIO_LINKS_H

#include "folio/dlist.h"

struct folio_layout;

/* Add a link area for each URL in the text ops of st: a word starting with
 * "https://", "http://" or "www." (then "https://" is prepended), ending at
 * a space, trailing ".,;:)]" not included.  The area is the word's advance
 * width by the font's ascent + descent.  false when out of memory. */
bool links_collect(const struct folio_layout *L, folio_dl_statement *st);

/* The start (offset) and length of the first URL in t[0..n) at or after
 * `from`; false when none.  *www: it starts with "www.". */
bool links_find(const char *t, size_t n, size_t from, size_t *off, size_t *len, bool *www);

#endif
