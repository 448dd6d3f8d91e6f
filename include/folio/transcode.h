/* SPDX-License-Identifier: Apache-2.0 */
/*
 * folio/transcode.h -- a feed's single-byte encoding to UTF-8 (issue 10 part 5).
 *
 * `dialect.encoding` names the feed's encoding (utf-8, windows-1250..1258,
 * iso-8859-1..16, cp437, cp850, cp852, koi8-r, koi8-u, mac-roman).  A
 * non-UTF-8 feed is transcoded whole, once, before the header is read and
 * the file is cut into chunks, so every later stage (scanner, libcsv, the
 * chunked parallel parse) sees UTF-8.  Only single-byte encodings are
 * offered: each byte maps on its own, line feeds stay line feeds, so line
 * numbers are those of the original file.  A byte the encoding leaves
 * undefined (0x81 in windows-1252) becomes the byte 0xFF, never valid UTF-8,
 * and is listed with its offset in the original file: the row holding it is
 * rejected naming that offset.  Whole-file problems (a UTF-8 or UTF-16 byte
 * order mark, a file that is valid UTF-8 with multi-byte characters) are job
 * errors: the declared encoding is wrong, and reading it would print
 * mojibake on every page.
 */
#ifndef FOLIO_TRANSCODE_H
#define FOLIO_TRANSCODE_H

#include "folio/common.h"

typedef struct folio_xlat {
    char *data;                  /* UTF-8, malloc'ed */
    size_t len;
    size_t *bad_out;             /* offsets of the 0xFF markers in data, ascending */
    size_t *bad_src;             /* ... and of the bytes in the original file */
    unsigned char *bad_byte;     /* ... and the bytes themselves */
    size_t n_bad;
} folio_xlat;

/* Is `name` an encoding folio reads?  Any case, "cp1252" and "windows1252"
 * spellings too.  *canon gets the canonical name ("windows-1252",
 * "utf-8").  False with *why a static reason. */
bool transcode_known(const char *name, char *canon, size_t cap, const char **why);

/* Transcode src[0..n) from `encoding` (canonical, not utf-8) into *x.
 * `fname` names the file in messages.  False on a whole-file problem
 * (err: FOLIO_EXIT_USAGE, "fname: ...") or out of memory. */
bool transcode_buffer(const char *encoding, const char *fname, const char *src, size_t n,
                      folio_xlat *x, folio_error *err);

/* The first undefined byte inside data[b..e): true with its offset in the
 * original file and its value. */
bool transcode_bad_in(const folio_xlat *x, size_t b, size_t e, size_t *src_off,
                      unsigned *byte);

void transcode_free(folio_xlat *x);

#endif
