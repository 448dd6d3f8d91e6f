/*
 * folio/fonts.h -- TrueType font metrics and text measuring, shared by compose
 * (line breaking, alignment) and every writer.
 *
 * A folio_font is read once from a .ttf file (tables: head, hhea, hmtx, cmap
 * format 4 and 12, OS/2, post, name) and is immutable afterwards, so any number
 * of threads may measure with it concurrently.
 *
 * Widths follow the PDF convention: glyph advance in 1/1000 em, rounded the way
 * the embedded font's /W array states them, so a width measured here is the
 * width a PDF viewer lays out.
 */
#ifndef FOLIO_FONTS_H
#define FOLIO_FONTS_H

#include "folio/common.h"

typedef struct folio_font folio_font;

/* Load metrics from a TrueType file.  Returns NULL with err set
 * ("path: not a TrueType font", "path: no Unicode cmap", ...). */
folio_font *fonts_load(const char *path, folio_error *err);
void fonts_free(folio_font *f);

const char *fonts_path(const folio_font *f);
const char *fonts_postscript_name(const folio_font *f);

/* Advance width of code point cp in 1/1000 em (missing glyph: .notdef width). */
int fonts_char_width(const folio_font *f, uint32_t cp);
bool fonts_has_glyph(const folio_font *f, uint32_t cp);
uint16_t fonts_glyph_id(const folio_font *f, uint32_t cp);   /* 0 = .notdef */

/* Width of UTF-8 text at `size` units (see dlist.h: 1/1440 in), in units,
 * rounded to nearest.  Text must be valid UTF-8. */
int32_t fonts_text_width(const folio_font *f, const char *s, size_t len,
                         int32_t size);

/* Ascender / descender (positive below baseline) in 1/1000 em. */
int fonts_ascent(const folio_font *f);
int fonts_descent(const folio_font *f);

/* Longest prefix of s[0..len) that fits in max_w units at `size`, broken at a
 * space when possible (the space is not counted; the caller skips it), else
 * at a character boundary (at least one character).  Returns bytes of the
 * prefix; *next (if not NULL) gets the offset where the next line starts
 * (spaces after the break are skipped). */
size_t fonts_fit(const folio_font *f, const char *s, size_t len, int32_t size,
                 int32_t max_w, size_t *next);

#endif
