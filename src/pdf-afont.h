/* SPDX-License-Identifier: Apache-2.0 */
/*
 * pdf-afont.h -- issue 11 (r-arch4): the fonts of an archived (PDF/A)
 * document written by folio, not built by libharu's HPDF_GetFont.
 *
 * libharu 2.3.0 builds a Type0/CIDFontType2 pair per font per document:
 * its constructor walks the encoder's 65,536-entry code map, clears a
 * 128 KB glyph map, asks the font for the width of every CID up to the
 * highest drawn and writes a CIDToGIDMap that folio then rewrites for its
 * renumbered hb-subset (~2.3 M instructions a document, a quarter of an
 * archived document's work).  An archived document's code points are known
 * when it opens (it draws one statement), and its font program is folio's
 * own subset, so folio writes the objects itself:
 *
 *   Type0        /BaseFont /Encoding /Identity-H /DescendantFonts [cid]
 *                /ToUnicode (the writer's CMap of the codes drawn)
 *   CIDFontType2 /BaseFont /CIDSystemInfo (Adobe, Identity, 0) /DW
 *                /W (the codes drawn only, from the font's hmtx, as
 *                libharu's widths) /CIDToGIDMap (code -> the subset's
 *                renumbered glyph, deflated) /FontDescriptor
 *   FontDescriptor the keys libharu writes, FontFile2 = the deflated
 *                hb-subset program (pdf-subset.c)
 *
 * The objects live in the document's libharu object graph (its xref and
 * save), so pages name them as before (F1, F2, ...).  Begin at open (the
 * objects the pages refer to), end before the save (widths, map, program).
 */
#ifndef FOLIO_PDF_AFONT_H
#define FOLIO_PDF_AFONT_H

#include <hpdf.h>
#include <stdbool.h>
#include <stdint.h>

typedef struct pdfa_font {
    HPDF_Dict t0;          /* the Type0 font the pages use; NULL: libharu's font */
    HPDF_Dict cid;         /* its descendant CIDFontType2 */
    HPDF_FontDef def;      /* libharu's definition (metrics, cmap, names) */
} pdfa_font;

/* Whether folio can write font file `file` itself: HarfBuzz reads it (the
 * subset must be folio's).  Otherwise the document keeps libharu's font. */
bool pdfa_font_usable(const char *file);

/* Make f's Type0 and CIDFont dictionaries in doc (registered in its xref)
 * for font definition def (a TrueType definition libharu loaded, embedded),
 * with an empty ToUnicode stream (FlateDecode on) the caller fills at save.
 * false: *why says what failed. */
bool pdfa_font_begin(HPDF_Doc doc, HPDF_FontDef def, pdfa_font *f, const char **why);

/* Finish f before the save: the subset of the codes set in `used` (a
 * 65,536-bit map; code 0 and surrogates are not drawn; an empty map gets
 * the space) from `file`, deflated at `level`, its descriptor, /W and the
 * CIDToGIDMap.  false: *why. */
bool pdfa_font_end(HPDF_Doc doc, pdfa_font *f, const char *file, uint8_t *used, int level,
                   const char **why);

/* d added to xref, then the FontDescriptor keys libharu writes for def, in
 * its order (defined in pdf.c, which builds print files' descriptors too). */
HPDF_STATUS pdf_descriptor_keys(HPDF_Dict d, HPDF_Xref xref, HPDF_MMgr mm, HPDF_FontDef def);
/* A stream object of z, deflated already, written with /Filter /FlateDecode
 * (pdf.c). */
HPDF_Dict pdf_deflated_stream(HPDF_MMgr mm, HPDF_Xref xref, const unsigned char *z, size_t zlen);

#endif
