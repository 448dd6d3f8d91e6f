/* SPDX-License-Identifier: Apache-2.0 */
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
/* How many characters of UTF-8 text s[0..len) the font has no glyph for
 * (they draw as .notdef, an empty box); *first (when not NULL) gets the first
 * of them, and is left alone when there is none. */
size_t fonts_count_missing(const folio_font *f, const char *s, size_t len,
                           uint32_t *first);
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

/* What fonts_fit_box did to make a one-line text fit its box. */
typedef enum folio_fit_action {
    FOLIO_FIT_AS_IS = 0,          /* fits at the style's size */
    FOLIO_FIT_SHRUNK,             /* fits at a smaller size >= min_size */
    FOLIO_FIT_CLIPPED             /* cut at min_size, ellipsis appended */
} folio_fit_action;

typedef struct folio_text_fit {
    folio_fit_action action;
    int32_t size;                 /* units to draw at */
    size_t len;                   /* bytes of the text drawn (a prefix of it) */
    const char *ellipsis;         /* "" or drawn after the prefix: U+2026 or "..." */
    size_t ellipsis_len;
    int32_t width;                /* units: prefix + ellipsis at size, <= box_w */
} folio_text_fit;

/* Shrink-then-clip: make s[0..len) (one line of valid UTF-8) fit box_w units.
 * At `size` when it fits; else at the largest size that fits, going down in
 * steps of FOLIO_FIT_STEP units (0.25 pt), but not below min_size; else at
 * min_size, cut after the last whole character (trailing spaces dropped) that
 * leaves room for an ellipsis -- U+2026 when `unicode_ellipsis` and the font
 * has it, else "..." -- and when not even the ellipsis fits, nothing is drawn
 * (len 0, no ellipsis).  The result never measures more than box_w (0 when
 * box_w <= 0).  min_size is clamped to 1..size.  Pure: same input, same fit. */
#define FOLIO_FIT_STEP 5
folio_fit_action fonts_fit_box(const folio_font *f, const char *s, size_t len,
                               int32_t size, int32_t min_size, int32_t box_w,
                               bool unicode_ellipsis, folio_text_fit *out);

#endif
