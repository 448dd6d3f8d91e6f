/* SPDX-License-Identifier: Apache-2.0 */
/*
 * pdf-afont.c -- issue 11 (r-arch4): an archived document's Type0 fonts
 * written by folio (pdf-afont.h).
 */
#include "pdf-afont.h"

#include "pdf-private.h"

#include <stdlib.h>
#include <string.h>

static inline bool afont_used(const uint8_t *bits, unsigned c)
{
    return c && (bits[c >> 3] >> (c & 7)) & 1u && (c < 0xD800 || c > 0xDFFF);
}

bool pdfa_font_usable(const char *file)
{
    /* round 26: folio's subsetter first -- HarfBuzz's face (its
     * preprocessing ~33 M instructions a font) is then made only for a
     * font pdf-ttsub.c leaves to it, or for print files */
    return file && (pdf_ttsub_usable(file) || pdf_subset_readable(file));
}

bool pdfa_font_begin(HPDF_Doc doc, HPDF_FontDef def, pdfa_font *f, const char **why)
{
    memset(f, 0, sizeof *f);
    HPDF_MMgr mm = doc->mmgr;
    HPDF_Dict t0 = HPDF_Dict_New(mm);
    HPDF_Dict cid = t0 ? HPDF_Dict_New(mm) : NULL;
    HPDF_Array desc = cid ? HPDF_Array_New(mm) : NULL;
    HPDF_Dict si = desc ? HPDF_Dict_New(mm) : NULL;
    if (!si || HPDF_Xref_Add(doc->xref, t0) != HPDF_OK) {
        *why = "cannot make a font";
        return false;
    }
    /* the embedded font's name, with its subset tag (libharu's, e.g. HPDFAA+) */
    HPDF_TTFontDefAttr da = def->attr;
    HPDF_STATUS r = HPDF_Dict_AddName(t0, "Type", "Font");
    r += HPDF_Dict_AddName(t0, "Subtype", "Type0");
    r += HPDF_Dict_AddName(t0, "BaseFont", da->base_font);
    r += HPDF_Dict_AddName(t0, "Encoding", "Identity-H");
    r += HPDF_Xref_Add(doc->xref, cid);
    r += HPDF_Array_Add(desc, cid);
    r += HPDF_Dict_Add(t0, "DescendantFonts", desc);
    if (r != HPDF_OK) {
        *why = "cannot make a font";
        return false;
    }
    /* filled by the writer's ToUnicode hook at save (FlateDecode: it
     * deflates what it writes) */
    HPDF_Dict tu = HPDF_DictStream_New(mm, doc->xref);
    if (!tu || HPDF_Dict_Add(t0, "ToUnicode", tu) != HPDF_OK) {
        *why = "cannot make a font's ToUnicode CMap";
        return false;
    }
    tu->filter = HPDF_STREAM_FILTER_FLATE_DECODE;
    r = HPDF_Dict_AddName(cid, "Type", "Font");
    r += HPDF_Dict_AddName(cid, "Subtype", "CIDFontType2");
    r += HPDF_Dict_AddName(cid, "BaseFont", da->base_font);
    r += HPDF_Dict_Add(si, "Registry", HPDF_String_New(mm, "Adobe", NULL));
    r += HPDF_Dict_Add(si, "Ordering", HPDF_String_New(mm, "Identity", NULL));
    r += HPDF_Dict_AddNumber(si, "Supplement", 0);
    r += HPDF_Dict_Add(cid, "CIDSystemInfo", si);
    r += HPDF_Dict_AddNumber(cid, "DW", def->missing_width);
    if (r != HPDF_OK) {
        *why = "cannot make a font";
        return false;
    }
    f->t0 = t0;
    f->cid = cid;
    f->def = def;
    return true;
}

/* /W of the codes drawn (ascending), widths != DW, runs of consecutive codes
 * as `c [w1 w2 ...]` -- the numbers libharu's constructor gives them. */
static bool afont_widths(HPDF_Doc doc, HPDF_Dict cid, HPDF_FontDef def, const uint32_t *codes,
                         const uint32_t *gids, size_t n)
{
    HPDF_Array w = HPDF_Array_New(doc->mmgr);
    if (!w)
        return false;
    HPDF_STATUS r = HPDF_OK;
    HPDF_Array run = NULL;
    uint32_t next = 0;
    for (size_t k = 0; k < n && r == HPDF_OK; k++) {
        HPDF_INT16 gw = HPDF_TTFontDef_GetGidWidth(def, (HPDF_UINT16)gids[k]);
        if (gw == def->missing_width) {
            run = NULL;
            continue;
        }
        if (!run || codes[k] != next) {
            r += HPDF_Array_AddNumber(w, (HPDF_INT32)codes[k]);
            if (!(run = HPDF_Array_New(doc->mmgr)) || HPDF_Array_Add(w, run) != HPDF_OK)
                return false;
        }
        r += HPDF_Array_AddNumber(run, gw);
        next = codes[k] + 1;
    }
    return r == HPDF_OK && HPDF_Dict_Add(cid, "W", w) == HPDF_OK;
}

bool pdfa_font_end(HPDF_Doc doc, pdfa_font *f, const char *file, uint8_t *used, int level,
                   const char **why)
{
    HPDF_FontDef def = f->def;
    *why = "cannot embed a font subset";
    uint32_t *codes = malloc(sizeof(uint32_t) * 3 * 65536);
    if (!codes) {
        *why = "out of memory";
        return false;
    }
    uint32_t *gids = codes + 65536, *renum = codes + 2 * 65536;
    size_t n = 0;
    for (int pass = 0; pass < 2 && n == 0; pass++) {
        if (pass)                      /* nothing drawn: the space, never empty */
            used[0x20 >> 3] |= 1u << (0x20 & 7);
        for (unsigned b = 0; b < 8192; b++) {
            if ((b & 7) == 0) {        /* 64 empty codes at a time */
                uint64_t v;
                memcpy(&v, used + b, sizeof v);
                if (!v) {
                    b += 7;
                    continue;
                }
            }
            if (!used[b])
                continue;
            for (unsigned c = b * 8; c < b * 8 + 8; c++)
                if (afont_used(used, c)) {
                    codes[n] = c;
                    gids[n] = HPDF_TTFontDef_GetGlyphid(def, (HPDF_UINT16)c);
                    n++;
                }
        }
    }
    unsigned char *z = NULL, *map = NULL, *mz = NULL;
    size_t zlen = 0, plen = 0;
    bool ok = pdf_subset_deflated_renum(file, gids, codes, n, level, renum, &z, &zlen, &plen) &&
              zlen;
    HPDF_MMgr mm = doc->mmgr;
    /* the descriptor: libharu's keys (it writes no CapHeight) */
    HPDF_Dict ff = ok ? pdf_deflated_stream(doc->mmgr, doc->xref, z, zlen) : NULL;
    HPDF_Dict d = ff ? HPDF_Dict_New(mm) : NULL;
    if (d) {
        HPDF_STATUS r = HPDF_Dict_Add(d, "FontFile2", ff);
        r += HPDF_Dict_AddNumber(ff, "Length1", (HPDF_INT32)plen);
        r += pdf_descriptor_keys(d, doc->xref, mm, def);
        r += HPDF_Dict_Add(f->cid, "FontDescriptor", d);
        ok = r == HPDF_OK;
    } else {
        ok = false;
    }
    /* CIDToGIDMap: CID (= code point) -> the subset's glyph, to the highest
     * code drawn */
    size_t mlen = ok ? 2 * ((size_t)codes[n - 1] + 1) : 0;
    size_t cap = pdf_deflate_bound(mlen);
    if (ok && (map = calloc(1, mlen + cap + 8 * n)) != NULL) {
        mz = map + mlen;
        /* round 27: the codes and their glyphs determine the map: its key
         * (a repeated set copies the deflated map, pdf_deflate_keyed) */
        unsigned char *key = mz + cap;
        for (size_t k = 0; k < n; k++) {
            map[2 * codes[k]] = (unsigned char)(renum[k] >> 8);
            map[2 * codes[k] + 1] = (unsigned char)renum[k];
            memcpy(key + 8 * k, &codes[k], 4);
            memcpy(key + 8 * k + 4, &renum[k], 4);
        }
        size_t mzlen = pdf_deflate_keyed(key, 8 * n, level, map, mlen, mz, cap);
        HPDF_Dict m = mzlen ? pdf_deflated_stream(doc->mmgr, doc->xref, mz, mzlen) : NULL;
        ok = m && HPDF_Dict_Add(f->cid, "CIDToGIDMap", m) == HPDF_OK &&
             afont_widths(doc, f->cid, def, codes, gids, n);
    } else {
        ok = false;
    }
    free(map);
    free(z);
    free(codes);
    return ok;
}
