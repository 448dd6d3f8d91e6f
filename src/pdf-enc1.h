/* SPDX-License-Identifier: Apache-2.0 */
/*
 * pdf-enc1.h -- (private) issue 11: 1-byte codes for the common characters
 * of the direct PDF back end (pdf.c).
 *
 * Each TrueType font is a Type0 font with Identity-H (2-byte codes, CID =
 * BMP code point).  The direct back end gives it a second Type0 font on
 * the same CIDFont (same program, /W, CIDToGIDMap) whose encoding is a
 * fixed 1-byte CMap: bytes 00-7F and A0-FF are the code points U+0000-007F
 * and U+00A0-00FF (ASCII and Latin-1), bytes 80-9F the Windows-1252
 * characters there (euro, dashes, quotes, bullet, ...) with its five
 * unassigned bytes given to U+20B9, U+20BD, U+20BA, U+20A9 (rupee, ruble,
 * lira, won) and U+2212 (minus).  Text in those 256 characters is written
 * one byte per character; any other character in a run of 2-byte codes of
 * the Identity-H font.  The CID, and so the glyph and its width, is the
 * same either way.
 */
#ifndef FOLIO_PDF_ENC1_H
#define FOLIO_PDF_ENC1_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* code point of each byte of the 1-byte encoding */
extern const uint16_t pdf_enc1_cp[256];

/* The byte of code point cp in the 1-byte encoding, or -1. */
static inline int pdf_enc1_byte(uint32_t cp)
{
    if (cp < 0x80 || (cp >= 0xA0 && cp <= 0xFF))
        return (int)cp;
    if (cp < 0x152 || cp > 0x2212 || (cp > 0x2DC && cp < 0x2013))
        return -1;
    for (int b = 0x80; b < 0xA0; b++)
        if (pdf_enc1_cp[b] == cp)
            return b;
    return -1;
}

/* The encoding CMap (a CMap file, CMapName /Folio-Enc1-H, CIDSystemInfo
 * Adobe-Identity-0): NUL-terminated, constant. */
extern const char pdf_enc1_cmap[];

/* The ToUnicode CMap of the 1-byte font for the code points marked in
 * used (a 65,536-bit map: code point drawn in the font): codespace <00>
 * <FF>, a bfchar or bfrange per run of used bytes, sorted.  Written into
 * buf (cap >= PDF_ENC1_TOUNICODE_MAX); returns its length. */
#define PDF_ENC1_TOUNICODE_MAX 12288
size_t pdf_enc1_tounicode(const uint8_t *used, char *buf, size_t cap);

/* issue 11 (r-par): text all in ASCII takes pdf.c's one-pass path (the
 * default); off, the general loop (tests compare the two, byte for byte). */
void pdf_enc1_ascii_fast(bool on);

#endif
