/* SPDX-License-Identifier: Apache-2.0 */
/*
 * pdf-compact.h -- issue 11/14 (r-arch): a tagged archive document written
 * compactly (PDF 1.5 object and cross-reference streams).
 *
 * libharu saves a classic PDF: every dictionary in plain text, every
 * stream's /Length an object of its own, a 20-byte xref entry per object.
 * pdf_compact rewrites such a document (out from byte `start` on, as
 * libharu 2.3.0 writes it) into the same objects: the streams stay
 * top-level objects, bytes unchanged, their /Length given directly; every
 * other object goes into one deflated object stream, together with the
 * `n_extra` objects the caller adds (numbered from libharu's /Size on); the
 * cross-reference table becomes a deflated cross-reference stream (PNG Up
 * predictor).  The catalog gets `cat_add` (dictionary entries) appended.
 * The header becomes %PDF-1.7.  Output is a function of the input only.
 */
#ifndef FOLIO_PDF_COMPACT_H
#define FOLIO_PDF_COMPACT_H

#include "folio/common.h"

#include <hpdf.h>
#include <string.h>

/* /Size of libharu's trailer in d[0..n) (the first object number free for
 * the caller's objects), or 0 when there is no trailer. */
unsigned pdf_compact_size(const char *d, size_t n);

/* The decimal digits of v at p; returns the end (r-arch3: shared by the
 * structure tree's writer, pdf-tag.c). */
char *pdf_put_dec(char *p, uint64_t v);

/* r-tag8 (round 28, issue 14 cost): the same, inline for the callers that
 * write ~3,000 numbers a tagged document (element references, MCIDs, the
 * object stream header) -- below 10,000 two table lookups, no call;
 * pdf_put_dec_big (v >= 10,000) otherwise.  Same digits. */
extern const char pdf_dec_pairs[201];
char *pdf_put_dec_big(char *p, uint64_t v);

static inline char *pdf_put_dec_i(char *p, uint64_t v)
{
    if (v < 10) {
        *p = (char)('0' + v);
        return p + 1;
    }
    if (v < 100) {
        memcpy(p, pdf_dec_pairs + v * 2, 2);
        return p + 2;
    }
    if (v < 10000) {
        unsigned hi = (unsigned)v / 100, lo = (unsigned)v % 100;
        if (hi < 10) {
            *p = (char)('0' + hi);
            memcpy(p + 1, pdf_dec_pairs + lo * 2, 2);
            return p + 3;
        }
        memcpy(p, pdf_dec_pairs + hi * 2, 2);
        memcpy(p + 2, pdf_dec_pairs + lo * 2, 2);
        return p + 4;
    }
    return pdf_put_dec_big(p, v);
}

/* Rewrite out[start..] as above.  The extra objects' bodies are
 * xbody[xoffs[k] .. xoffs[k+1]), k < n_extra, numbered size + k.  level:
 * deflate level of the object and cross-reference streams (1..12).  false
 * (*why) on an input it does not recognise or out of memory; out is then
 * unchanged. */
bool pdf_compact(folio_buf *out, size_t start, const char *cat_add, unsigned n_extra,
                 const char *xbody, const size_t *xoffs, int level, const char **why);

/* r-adoc (issue 11): the same rewrite made from the document's libharu
 * objects instead of the bytes of HPDF_SaveToStream (which is not called):
 * pdf_cdoc_write runs the save's trailer preparation and writes every
 * object (libharu's before/after-write hooks included) into a pdf_cdoc;
 * pdf_cdoc_size is then the first number free for the caller's objects;
 * pdf_cdoc_finish appends the rewritten document to out, byte for byte
 * what pdf_compact would make of libharu's save.  NULL / false (*why) on
 * a document it does not recognise or out of memory. */
typedef struct pdf_cdoc pdf_cdoc;
pdf_cdoc *pdf_cdoc_write(HPDF_Doc doc, const char **why);
unsigned pdf_cdoc_size(const pdf_cdoc *cd);
bool pdf_cdoc_finish(pdf_cdoc *cd, folio_buf *out, const char *cat_add, unsigned n_extra,
                     const char *xbody, const size_t *xoffs, int level, const char **why);
void pdf_cdoc_free(pdf_cdoc *cd);

#endif
