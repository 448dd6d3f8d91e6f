/*
 * pdf-private.h -- deflate shared by the PDF writer's parts (pdf.c,
 * pdf-subset.c).  libdeflate, one compressor per thread and level.
 */
#ifndef FOLIO_PDF_PRIVATE_H
#define FOLIO_PDF_PRIVATE_H

#include <stddef.h>

/* Deflate n bytes of `in` into a zlib-format stream (PDF FlateDecode) at
 * out (cap bytes); returns its length, 0 on failure.  level 1..12
 * (libdeflate's scale; 1..9 mean what zlib's levels mean), else 6.  The
 * output depends only on the input and the level.  Thread-safe. */
size_t pdf_deflate(int level, const void *in, size_t n, void *out, size_t cap);

/* Bytes pdf_deflate may need for n bytes of input, at any level. */
size_t pdf_deflate_bound(size_t n);

#endif
