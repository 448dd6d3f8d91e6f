/* SPDX-License-Identifier: Apache-2.0 */
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

/* Add a link area whose URI is template tpl with each {names[i]} replaced
 * by values[i] percent-encoded (RFC 3986 unreserved characters kept); an
 * unknown {name} stays as written.  false when out of memory or too long. */
bool links_add_template(folio_dl_statement *st, uint32_t page, int32_t x, int32_t y,
                        int32_t w, int32_t h, const char *tpl, const char *const *names,
                        const char *const *values, int n);

/* Is every {name} of tpl one of names[0..n)?  *bad = offset of the first
 * that is not. */
bool links_template_ok(const char *tpl, const char *const *names, int n, size_t *bad);

#endif
