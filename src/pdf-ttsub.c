/* SPDX-License-Identifier: Apache-2.0 */
/*
 * pdf-ttsub.c -- issue 11 (round 26): folio's own TrueType subsetter for an
 * archived document's renumbered CIDFontType2 programs (pdf-private.h).
 *
 * hb-subset made every archived document's two programs (78% of them new:
 * the exact glyph sets differ), and its plan (closure, cmap walk, table
 * serialisers) was ~0.33 M instructions a font.  The program folio embeds
 * there needs seven tables only -- head, hhea, maxp, OS/2, hmtx, loca, glyf
 * (cmap, post, name, the hinting and the layout tables are dropped: the
 * text is reached through the CIDToGIDMap and positioned already) -- so it
 * is written here straight from the font file, in the bytes hb-subset 6.0
 * writes for the same request (pdf_subset_font_renum with its flags):
 *
 * - glyphs: .notdef, the glyphs asked for and the components of composite
 *   glyphs (recursively), numbered in the order of their old ids; a simple
 *   glyph without its instructions and the padding after its points, a
 *   composite's component ids renumbered and its "instructions" flags
 *   cleared; short loca (glyphs padded to even lengths) when the glyphs
 *   fit, else long;
 * - hmtx: long metrics up to the last change of advance, then bearings;
 *   hhea's numberOfHMetrics;
 * - maxp: numGlyphs, and the hinting limits zeroed (version 1.0);
 * - head: indexToLocFormat, checkSumAdjustment;
 * - OS/2: usFirstCharIndex, usLastCharIndex and ulUnicodeRange1-4 of the
 *   code points the font maps to the glyphs asked for (its cmap);
 * - tables in the directory by tag, their data by length (then tag), each
 *   padded to 4 bytes, checksums per table and for the whole font.
 *
 * tests/unit/test_ttsub.c compares these bytes with hb-subset's for many
 * glyph sets of both Liberation faces.  A font with tables this file does
 * not know (vertical metrics, CFF, variations, colour...), a symbol cmap or
 * anything it cannot parse is left to hb-subset (pdf_ttsub_renum says 0).
 * Faces are read once per process and shared by all threads (every font
 * file asked about, no first-come cap). A cmap of unordered or overlapping
 * segments or groups is hb-subset's: the map stays one entry a code point.
 */
#include "pdf-private.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct ttsub_tab {
    const uint8_t *p;
    uint32_t len;
} ttsub_tab;

typedef struct ttsub_cmap {
    uint32_t u, g;
} ttsub_cmap;

typedef struct ttsub_face {
    char *file;
    uint8_t *data;                    /* the font file */
    size_t len;
    bool usable;                      /* false: hb-subset's job */
    ttsub_tab head, hhea, maxp, os2, hmtx, loca, glyf;
    unsigned nglyphs, nhm;
    bool loca_long;
    ttsub_cmap *map;                  /* the cmap, by code point */
    size_t nmap;
    uint32_t *umin, *umax;            /* [nglyphs]: code points mapped to each glyph */
    uint32_t (*urange)[4];            /* [nglyphs]: their ulUnicodeRange bits */
    uint32_t *gout;                   /* [nglyphs]: the glyph's length in a subset
                                       * (a malformed glyph: the face is not usable) */
    uint16_t *gins;                   /* [nglyphs]: a simple glyph's instruction
                                       * length field's offset, else 0 */
} ttsub_face;

static pthread_mutex_t ttsub_lock = PTHREAD_MUTEX_INITIALIZER;
/* every font file asked about (a job names a bounded set): no first-come
 * cap, so which subsetter writes a font never depends on thread order */
static ttsub_face **ttsub_faces;
static int ttsub_n, ttsub_cap;

static inline uint16_t rd16(const uint8_t *p)
{
    return (uint16_t)(p[0] << 8 | p[1]);
}

static inline uint32_t rd32(const uint8_t *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static inline void wr16(uint8_t *p, unsigned v)
{
    p[0] = (uint8_t)(v >> 8);
    p[1] = (uint8_t)v;
}

static inline void wr32(uint8_t *p, uint32_t v)
{
    p[0] = (uint8_t)(v >> 24);
    p[1] = (uint8_t)(v >> 16);
    p[2] = (uint8_t)(v >> 8);
    p[3] = (uint8_t)v;
}

/* ulUnicodeRange bits of the OpenType specification (OS/2 table, version
 * 1.9): ranges sorted by their first code point. */
static const struct {
    uint32_t lo, hi;
    uint8_t bit;
} ttsub_ranges[] = {
    {0x0000, 0x007F, 0},     {0x0080, 0x00FF, 1},     {0x0100, 0x017F, 2},
    {0x0180, 0x024F, 3},     {0x0250, 0x02AF, 4},     {0x02B0, 0x02FF, 5},
    {0x0300, 0x036F, 6},     {0x0370, 0x03FF, 7},     {0x0400, 0x04FF, 9},
    {0x0500, 0x052F, 9},     {0x0530, 0x058F, 10},    {0x0590, 0x05FF, 11},
    {0x0600, 0x06FF, 13},    {0x0700, 0x074F, 71},    {0x0750, 0x077F, 13},
    {0x0780, 0x07BF, 72},    {0x07C0, 0x07FF, 14},    {0x0900, 0x097F, 15},
    {0x0980, 0x09FF, 16},    {0x0A00, 0x0A7F, 17},    {0x0A80, 0x0AFF, 18},
    {0x0B00, 0x0B7F, 19},    {0x0B80, 0x0BFF, 20},    {0x0C00, 0x0C7F, 21},
    {0x0C80, 0x0CFF, 22},    {0x0D00, 0x0D7F, 23},    {0x0D80, 0x0DFF, 73},
    {0x0E00, 0x0E7F, 24},    {0x0E80, 0x0EFF, 25},    {0x0F00, 0x0FFF, 70},
    {0x1000, 0x109F, 74},    {0x10A0, 0x10FF, 26},    {0x1100, 0x11FF, 28},
    {0x1200, 0x137F, 75},    {0x1380, 0x139F, 75},    {0x13A0, 0x13FF, 76},
    {0x1400, 0x167F, 77},    {0x1680, 0x169F, 78},    {0x16A0, 0x16FF, 79},
    {0x1700, 0x171F, 84},    {0x1720, 0x173F, 84},    {0x1740, 0x175F, 84},
    {0x1760, 0x177F, 84},    {0x1780, 0x17FF, 80},    {0x1800, 0x18AF, 81},
    {0x1900, 0x194F, 93},    {0x1950, 0x197F, 94},    {0x1980, 0x19DF, 95},
    {0x19E0, 0x19FF, 80},    {0x1A00, 0x1A1F, 96},    {0x1B00, 0x1B7F, 27},
    {0x1B80, 0x1BBF, 112},   {0x1C00, 0x1C4F, 113},   {0x1C50, 0x1C7F, 114},
    {0x1D00, 0x1D7F, 4},     {0x1D80, 0x1DBF, 4},     {0x1DC0, 0x1DFF, 6},
    {0x1E00, 0x1EFF, 29},    {0x1F00, 0x1FFF, 30},    {0x2000, 0x206F, 31},
    {0x2070, 0x209F, 32},    {0x20A0, 0x20CF, 33},    {0x20D0, 0x20FF, 34},
    {0x2100, 0x214F, 35},    {0x2150, 0x218F, 36},    {0x2190, 0x21FF, 37},
    {0x2200, 0x22FF, 38},    {0x2300, 0x23FF, 39},    {0x2400, 0x243F, 40},
    {0x2440, 0x245F, 41},    {0x2460, 0x24FF, 42},    {0x2500, 0x257F, 43},
    {0x2580, 0x259F, 44},    {0x25A0, 0x25FF, 45},    {0x2600, 0x26FF, 46},
    {0x2700, 0x27BF, 47},    {0x27C0, 0x27EF, 38},    {0x27F0, 0x27FF, 37},
    {0x2800, 0x28FF, 82},    {0x2900, 0x297F, 37},    {0x2980, 0x29FF, 38},
    {0x2A00, 0x2AFF, 38},    {0x2B00, 0x2BFF, 37},    {0x2C00, 0x2C5F, 97},
    {0x2C60, 0x2C7F, 29},    {0x2C80, 0x2CFF, 8},     {0x2D00, 0x2D2F, 26},
    {0x2D30, 0x2D7F, 98},    {0x2D80, 0x2DDF, 75},    {0x2DE0, 0x2DFF, 9},
    {0x2E00, 0x2E7F, 31},    {0x2E80, 0x2EFF, 59},    {0x2F00, 0x2FDF, 59},
    {0x2FF0, 0x2FFF, 59},    {0x3000, 0x303F, 48},    {0x3040, 0x309F, 49},
    {0x30A0, 0x30FF, 50},    {0x3100, 0x312F, 51},    {0x3130, 0x318F, 52},
    {0x3190, 0x319F, 59},    {0x31A0, 0x31BF, 51},    {0x31C0, 0x31EF, 61},
    {0x31F0, 0x31FF, 50},    {0x3200, 0x32FF, 54},    {0x3300, 0x33FF, 55},
    {0x3400, 0x4DBF, 59},    {0x4DC0, 0x4DFF, 99},    {0x4E00, 0x9FFF, 59},
    {0xA000, 0xA48F, 83},    {0xA490, 0xA4CF, 83},    {0xA500, 0xA63F, 12},
    {0xA640, 0xA69F, 9},     {0xA700, 0xA71F, 5},     {0xA720, 0xA7FF, 29},
    {0xA800, 0xA82F, 100},   {0xA840, 0xA87F, 53},    {0xA880, 0xA8DF, 115},
    {0xA900, 0xA92F, 116},   {0xA930, 0xA95F, 117},   {0xAA00, 0xAA5F, 118},
    {0xAC00, 0xD7AF, 56},    {0xD800, 0xDFFF, 57},    {0xE000, 0xF8FF, 60},
    {0xF900, 0xFAFF, 61},    {0xFB00, 0xFB4F, 62},    {0xFB50, 0xFDFF, 63},
    {0xFE00, 0xFE0F, 91},    {0xFE10, 0xFE1F, 65},    {0xFE20, 0xFE2F, 64},
    {0xFE30, 0xFE4F, 65},    {0xFE50, 0xFE6F, 66},    {0xFE70, 0xFEFF, 67},
    {0xFF00, 0xFFEF, 68},    {0xFFF0, 0xFFFF, 69},    {0x10000, 0x1007F, 101},
    {0x10080, 0x100FF, 101}, {0x10100, 0x1013F, 101}, {0x10140, 0x1018F, 102},
    {0x10190, 0x101CF, 119}, {0x101D0, 0x101FF, 120}, {0x10280, 0x1029F, 121},
    {0x102A0, 0x102DF, 121}, {0x10300, 0x1032F, 85},  {0x10330, 0x1034F, 86},
    {0x10380, 0x1039F, 103}, {0x103A0, 0x103DF, 104}, {0x10400, 0x1044F, 87},
    {0x10450, 0x1047F, 105}, {0x10480, 0x104AF, 106}, {0x10800, 0x1083F, 107},
    {0x10900, 0x1091F, 58},  {0x10920, 0x1093F, 121}, {0x10A00, 0x10A5F, 108},
    {0x12000, 0x123FF, 110}, {0x12400, 0x1247F, 110}, {0x1D000, 0x1D0FF, 88},
    {0x1D100, 0x1D1FF, 88},  {0x1D200, 0x1D24F, 88},  {0x1D300, 0x1D35F, 109},
    {0x1D360, 0x1D37F, 111}, {0x1D400, 0x1D7FF, 89},  {0x1F000, 0x1F02F, 122},
    {0x1F030, 0x1F09F, 122}, {0x20000, 0x2A6DF, 59},  {0x2F800, 0x2FA1F, 61},
    {0xE0000, 0xE007F, 92},  {0xE0100, 0xE01EF, 91},  {0xF0000, 0xFFFFD, 90},
    {0x100000, 0x10FFFD, 90},
};

/* cp's bits in r[4] */
static void ttsub_range_add(uint32_t r[4], uint32_t cp)
{
    size_t lo = 0, hi = sizeof ttsub_ranges / sizeof ttsub_ranges[0];
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        if (cp < ttsub_ranges[mid].lo)
            hi = mid;
        else if (cp > ttsub_ranges[mid].hi)
            lo = mid + 1;
        else {
            unsigned bit = ttsub_ranges[mid].bit;
            r[bit / 32] |= 1u << (bit % 32);
            break;
        }
    }
    if (cp >= 0x10000 && cp <= 0x110000)      /* "Non-Plane 0" */
        r[57 / 32] |= 1u << (57 % 32);
}

/* ---- reading a face ------------------------------------------------------ */

size_t pdf_ttsub_map_peak;

static bool ttsub_map_add(ttsub_face *f, size_t *cap, uint32_t u, uint32_t g)
{
    if (f->nmap >= 0x110000)          /* ascending codes: cannot happen */
        return false;
    if (f->nmap == *cap) {
        size_t nc = *cap ? 2 * *cap : 1024;
        ttsub_cmap *m = realloc(f->map, nc * sizeof *m);
        if (!m)
            return false;
        f->map = m;
        *cap = nc;
    }
    f->map[f->nmap++] = (ttsub_cmap){u, g};
    if (f->nmap > pdf_ttsub_map_peak)
        pdf_ttsub_map_peak = f->nmap;
    return true;
}

static int ttsub_map_cmp(const void *a, const void *b)
{
    const ttsub_cmap *x = a, *y = b;
    return x->u < y->u ? -1 : x->u > y->u;
}

/* The cmap subtable hb-subset reads (Unicode full repertoire first, then
 * BMP), formats 12 and 4; false for anything else. */
static bool ttsub_read_cmap(ttsub_face *f, const uint8_t *c, uint32_t clen)
{
    if (clen < 4)
        return false;
    unsigned n = rd16(c + 2);
    if (4 + 8ull * n > clen)
        return false;
    static const uint16_t pref[][2] = {{3, 10}, {0, 6}, {0, 4}, {3, 1}, {0, 3}, {0, 2},
                                       {0, 1}, {0, 0}};
    for (unsigned i = 0; i < n; i++)  /* hb-subset prefers a symbol cmap */
        if (rd16(c + 4 + 8 * i) == 3 && rd16(c + 4 + 8 * i + 2) == 0)
            return false;
    const uint8_t *st = NULL;
    uint32_t stlen = 0;
    for (size_t k = 0; k < sizeof pref / sizeof pref[0] && !st; k++)
        for (unsigned i = 0; i < n && !st; i++) {
            const uint8_t *r = c + 4 + 8 * i;
            if (rd16(r) == pref[k][0] && rd16(r + 2) == pref[k][1]) {
                uint32_t off = rd32(r + 4);
                if (off + 4ull > clen)
                    return false;
                st = c + off;
                stlen = clen - off;
            }
        }
    if (!st)
        return false;
    size_t cap = 0;
    unsigned fmt = rd16(st);
    if (fmt == 4) {
        unsigned len = rd16(st + 2);
        if (len > stlen || len < 16)
            return false;
        unsigned segx2 = rd16(st + 6), seg = segx2 / 2;
        if (16ull + 4 * segx2 > len)
            return false;
        const uint8_t *ends = st + 14, *starts = ends + segx2 + 2, *deltas = starts + segx2,
                      *ranges = deltas + segx2;
        size_t nglyph_ids = (len - (size_t)(ranges + segx2 - st)) / 2;
        /* Segments strictly ascending and disjoint (a cmap bomb of
         * overlapping 0..0xFFFE segments would otherwise ask for GBs under
         * ttsub_lock): the map then holds each code at most once.  As
         * hb-subset's collect_mapping: a last segment starting at 0xFFFF
         * is the sentinel, skipped; a glyphIdArray entry is taken without
         * idDelta there (get_glyph adds it: such a font is left to hb). */
        if (seg && rd16(starts + 2 * (seg - 1)) == 0xFFFF)
            seg--;
        long prev = -1;
        for (unsigned i = 0; i < seg; i++) {
            unsigned end = rd16(ends + 2 * i), start = rd16(starts + 2 * i);
            unsigned delta = rd16(deltas + 2 * i), ro = rd16(ranges + 2 * i);
            if (start > end || (long)start <= prev || (ro && delta))
                return false;
            prev = end;
            for (unsigned u = start; u <= end; u++) {
                unsigned g;
                if (ro == 0) {
                    g = (u + delta) & 0xFFFFu;
                } else {
                    size_t idx = ro / 2 + (u - start) + i - segx2 / 2;
                    if (idx >= nglyph_ids)
                        break;
                    g = rd16(ranges + 2 * (segx2 / 2) + 2 * idx);
                }
                if (g >= f->nglyphs)
                    return false;
                if (g && !ttsub_map_add(f, &cap, u, g))
                    return false;
            }
        }
    } else if (fmt == 12) {
        if (stlen < 16)
            return false;
        uint32_t ng = rd32(st + 12);
        if (16 + 12ull * ng > stlen)
            return false;
        int64_t prev = -1;
        for (uint32_t i = 0; i < ng; i++) {   /* ascending, disjoint groups */
            const uint8_t *g = st + 16 + 12 * i;
            uint32_t s = rd32(g), e = rd32(g + 4), gid = rd32(g + 8);
            if (s > e || e > 0x10FFFF || (int64_t)s <= prev ||
                (uint64_t)gid + (e - s) >= f->nglyphs)
                return false;
            prev = e;
            for (uint32_t u = s; u <= e; u++)
                if (gid + (u - s) && !ttsub_map_add(f, &cap, u, gid + (u - s)))
                    return false;
        }
    } else {
        return false;
    }
    qsort(f->map, f->nmap, sizeof *f->map, ttsub_map_cmp);
    /* one glyph per code point (the first, as a map's set would keep the
     * last; a well-formed cmap has no repeats) */
    for (size_t i = 1; i < f->nmap; i++)
        if (f->map[i].u == f->map[i - 1].u)
            return false;
    return true;
}

static bool ttsub_tag_known_dropped(const uint8_t *t)
{
    static const char *const drop[] = {"cmap", "post", "name", "cvt ", "fpgm", "prep",
                                       "gasp", "GDEF", "GPOS", "GSUB", "kern", "DSIG",
                                       "FFTM", "hdmx", "LTSH", "VDMX", "JSTF", "PCLT",
                                       "morx", "feat", "BASE", "meta"};
    for (size_t i = 0; i < sizeof drop / sizeof drop[0]; i++)
        if (!memcmp(t, drop[i], 4))
            return true;
    return false;
}

static bool ttsub_parse(ttsub_face *f)
{
    const uint8_t *d = f->data;
    if (f->len < 12 || rd32(d) != 0x00010000u)
        return false;
    unsigned nt = rd16(d + 4);
    if (12 + 16ull * nt > f->len)
        return false;
    const uint8_t *cmap = NULL;
    uint32_t cmap_len = 0;
    for (unsigned i = 0; i < nt; i++) {
        const uint8_t *r = d + 12 + 16 * i;
        uint32_t off = rd32(r + 8), len = rd32(r + 12);
        if ((uint64_t)off + len > f->len)
            return false;
        ttsub_tab t = {d + off, len};
        if (!memcmp(r, "head", 4))
            f->head = t;
        else if (!memcmp(r, "hhea", 4))
            f->hhea = t;
        else if (!memcmp(r, "maxp", 4))
            f->maxp = t;
        else if (!memcmp(r, "OS/2", 4))
            f->os2 = t;
        else if (!memcmp(r, "hmtx", 4))
            f->hmtx = t;
        else if (!memcmp(r, "loca", 4))
            f->loca = t;
        else if (!memcmp(r, "glyf", 4))
            f->glyf = t;
        else if (!memcmp(r, "cmap", 4)) {
            cmap = d + off;
            cmap_len = len;
        } else if (!ttsub_tag_known_dropped(r))
            return false;
    }
    if (f->head.len != 54 || f->hhea.len != 36 || f->maxp.len != 32 ||
        rd32(f->maxp.p) != 0x00010000u || f->os2.len < 78 || !f->hmtx.p || !f->loca.p ||
        !f->glyf.p || !cmap)
        return false;
    f->nglyphs = rd16(f->maxp.p + 4);
    f->nhm = rd16(f->hhea.p + 34);
    f->loca_long = rd16(f->head.p + 50) != 0;
    if (!f->nglyphs || !f->nhm || f->nhm > f->nglyphs ||
        f->hmtx.len < 4ull * f->nhm + 2ull * (f->nglyphs - f->nhm) ||
        f->loca.len < (f->loca_long ? 4ull : 2ull) * (f->nglyphs + 1))
        return false;
    for (unsigned g = 0; g < f->nglyphs; g++) {
        uint32_t a = f->loca_long ? rd32(f->loca.p + 4 * g) : 2u * rd16(f->loca.p + 2 * g);
        uint32_t b = f->loca_long ? rd32(f->loca.p + 4 * g + 4) : 2u * rd16(f->loca.p + 2 * g + 2);
        if (a > b || b > f->glyf.len)
            return false;
    }
    if (!ttsub_read_cmap(f, cmap, cmap_len))
        return false;
    f->umin = malloc(f->nglyphs * sizeof *f->umin);
    f->umax = malloc(f->nglyphs * sizeof *f->umax);
    f->urange = calloc(f->nglyphs, sizeof *f->urange);
    if (!f->umin || !f->umax || !f->urange)
        return false;
    for (unsigned g = 0; g < f->nglyphs; g++) {
        f->umin[g] = UINT32_MAX;
        f->umax[g] = 0;
    }
    for (size_t i = 0; i < f->nmap; i++) {
        uint32_t u = f->map[i].u, g = f->map[i].g;
        if (g >= f->nglyphs)
            continue;
        if (u < f->umin[g])
            f->umin[g] = u;
        if (u > f->umax[g])
            f->umax[g] = u;
        ttsub_range_add(f->urange[g], u);
    }
    return true;
}

static void ttsub_face_free(ttsub_face *f)
{
    if (!f)
        return;
    free(f->file);
    free(f->data);
    free(f->map);
    free(f->umin);
    free(f->umax);
    free(f->urange);
    free(f->gout);
    free(f->gins);
    free(f);
}

__attribute__((destructor)) static void ttsub_free_all(void)
{
    pthread_mutex_lock(&ttsub_lock);
    for (int i = 0; i < ttsub_n; i++)
        ttsub_face_free(ttsub_faces[i]);
    free(ttsub_faces);
    ttsub_faces = NULL;
    ttsub_n = ttsub_cap = 0;
    pthread_mutex_unlock(&ttsub_lock);
}

static bool ttsub_glyphs(ttsub_face *f);

static ttsub_face *ttsub_face_of(const char *file)
{
    ttsub_face *face = NULL;
    pthread_mutex_lock(&ttsub_lock);
    for (int i = 0; i < ttsub_n && !face; i++)
        if (!strcmp(ttsub_faces[i]->file, file))
            face = ttsub_faces[i];
    if (!face && ttsub_n == ttsub_cap) {
        int nc = ttsub_cap ? 2 * ttsub_cap : 16;
        ttsub_face **t = realloc(ttsub_faces, (size_t)nc * sizeof *t);
        if (t) {
            ttsub_faces = t;
            ttsub_cap = nc;
        }
    }
    if (!face && ttsub_n < ttsub_cap) {
        ttsub_face *f = calloc(1, sizeof *f);
        FILE *fp = f ? fopen(file, "rb") : NULL;
        if (fp) {
            long sz = fseek(fp, 0, SEEK_END) == 0 ? ftell(fp) : -1;
            if (sz > 0 && sz < (1L << 28) && fseek(fp, 0, SEEK_SET) == 0 &&
                (f->data = malloc((size_t)sz)) != NULL &&
                fread(f->data, 1, (size_t)sz, fp) == (size_t)sz)
                f->len = (size_t)sz;
            fclose(fp);
        }
        if (f && (f->file = strdup(file)) != NULL) {
            f->usable = f->len && ttsub_parse(f) && ttsub_glyphs(f);
            ttsub_faces[ttsub_n++] = face = f;
        } else {
            ttsub_face_free(f);
        }
    }
    pthread_mutex_unlock(&ttsub_lock);
    return face && face->usable ? face : NULL;
}

bool pdf_ttsub_usable(const char *file)
{
    const char *env = getenv("FOLIO_TEST_HB_SUBSET");
    return !(env && *env == '1') && ttsub_face_of(file) != NULL;
}

/* ---- one subset ---------------------------------------------------------- */

static inline void ttsub_glyph_span(const ttsub_face *f, unsigned g, uint32_t *a, uint32_t *b)
{
    if (f->loca_long) {
        *a = rd32(f->loca.p + 4 * g);
        *b = rd32(f->loca.p + 4 * g + 4);
    } else {
        *a = 2u * rd16(f->loca.p + 2 * g);
        *b = 2u * rd16(f->loca.p + 2 * g + 2);
    }
}

/* A composite glyph's components: calls fn(ctx, offset of the glyph index
 * in p, gid) for each; the length of the components (instructions not
 * counted), 0 when malformed. */
static size_t ttsub_components(const uint8_t *p, size_t len,
                               bool (*fn)(void *, size_t, unsigned), void *ctx)
{
    size_t o = 10;
    for (;;) {
        if (o + 4 > len)
            return 0;
        unsigned fl = rd16(p + o), gid = rd16(p + o + 2);
        if (fn && !fn(ctx, o + 2, gid))
            return 0;
        o += 4 + ((fl & 0x1) ? 4 : 2);
        if (fl & 0x8)
            o += 2;
        else if (fl & 0x40)
            o += 4;
        else if (fl & 0x80)
            o += 8;
        if (o > len)
            return 0;
        if (!(fl & 0x20))
            return o;
    }
}

/* A simple glyph's length without its padding, 0 when malformed; *ins the
 * offset of its instruction length. */
static size_t ttsub_simple_len(const uint8_t *p, size_t len, int nc, size_t *ins)
{
    size_t o = 10 + 2 * (size_t)nc;
    if (o + 2 > len)
        return 0;
    unsigned npts = rd16(p + o - 2) + 1u;
    *ins = o;
    o += 2 + rd16(p + o);
    size_t xb = 0, yb = 0;
    for (unsigned pt = 0; pt < npts;) {
        if (o >= len)
            return 0;
        unsigned fl = p[o++], rep = 1;
        if (fl & 0x8) {
            if (o >= len)
                return 0;
            rep += p[o++];
        }
        size_t xs = (fl & 0x2) ? 1 : (fl & 0x10) ? 0 : 2;
        size_t ys = (fl & 0x4) ? 1 : (fl & 0x20) ? 0 : 2;
        xb += xs * rep;
        yb += ys * rep;
        pt += rep;
    }
    o += xb + yb;
    return o <= len ? o : 0;
}

static bool ttsub_last_cb(void *ctx, size_t off, unsigned gid)
{
    (void)gid;
    *(size_t *)ctx = off - 2;
    return true;
}

/* the flags of a (well-formed) composite glyph's last component */
static unsigned ttsub_last_flags(const uint8_t *p)
{
    size_t at = 0;
    (void)ttsub_components(p, SIZE_MAX, ttsub_last_cb, &at);
    return rd16(p + at);
}

/* Each glyph's bytes in a subset, once per face: a simple glyph without
 * its instructions and padding; a composite as it is, or to the end of its
 * components when its last one says instructions follow; empty glyphs
 * (fewer than 10 bytes, or no contours) none. */
static bool ttsub_glyphs(ttsub_face *f)
{
    f->gout = malloc(f->nglyphs * sizeof *f->gout);
    f->gins = calloc(f->nglyphs, sizeof *f->gins);
    if (!f->gout || !f->gins)
        return false;
    for (unsigned g = 0; g < f->nglyphs; g++) {
        uint32_t a, b;
        ttsub_glyph_span(f, g, &a, &b);
        const uint8_t *p = f->glyf.p + a;
        size_t len = b - a;
        f->gout[g] = 0;
        if (len < 10 || rd16(p) == 0)
            continue;
        int nc = (int16_t)rd16(p);
        if (nc > 0) {
            size_t ins;
            size_t end = ttsub_simple_len(p, len, nc, &ins);
            if (!end || ins > 0xFFFF)
                return false;          /* the whole face is hb-subset's */
            f->gins[g] = (uint16_t)ins;
            f->gout[g] = (uint32_t)(end - rd16(p + ins));
        } else {
            size_t end = ttsub_components(p, len, NULL, NULL);
            if (!end)
                return false;
            f->gout[g] = (uint32_t)((ttsub_last_flags(p) & 0x100) ? end : len);
        }
    }
    return true;
}

typedef struct ttsub_set {
    const ttsub_face *f;
    uint64_t *bits;
    unsigned *stack;
    size_t nstack;
    int depth;
} ttsub_set;

static bool ttsub_mark(ttsub_set *s, unsigned g);

static bool ttsub_comp_mark(void *ctx, size_t off, unsigned gid)
{
    (void)off;
    return ttsub_mark(ctx, gid);
}

/* mark g and its components (depth-first, at most 64 levels) */
static bool ttsub_mark(ttsub_set *s, unsigned g)
{
    if (g >= s->f->nglyphs)
        return false;
    if (s->bits[g / 64] >> (g % 64) & 1)
        return true;
    s->bits[g / 64] |= 1ull << (g % 64);
    uint32_t a, b;
    ttsub_glyph_span(s->f, g, &a, &b);
    const uint8_t *p = s->f->glyf.p + a;
    if (b - a < 10 || (int16_t)rd16(p) >= 0)
        return true;
    if (++s->depth > 64)
        return false;
    bool ok = ttsub_components(p, b - a, ttsub_comp_mark, s) != 0;
    s->depth--;
    return ok;
}

static int ttsub_new_id(const unsigned *kept, size_t k, unsigned g)
{
    size_t lo = 0, hi = k;
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        if (kept[mid] < g)
            lo = mid + 1;
        else if (kept[mid] > g)
            hi = mid;
        else
            return (int)mid;
    }
    return -1;
}

typedef struct ttsub_remap {
    uint8_t *out;                     /* the glyph's copy */
    const unsigned *kept;
    size_t k;
} ttsub_remap;

static bool ttsub_comp_remap(void *ctx, size_t off, unsigned gid)
{
    ttsub_remap *r = ctx;
    int n = ttsub_new_id(r->kept, r->k, gid);
    if (n < 0)
        return false;
    wr16(r->out + off, (unsigned)n);
    uint8_t *fl = r->out + off - 2;
    fl[0] &= (uint8_t)~0x01;          /* WE_HAVE_INSTRUCTIONS (0x0100) */
    return true;
}

static uint32_t ttsub_checksum(const uint8_t *p, size_t len)
{
    uint32_t s = 0, s2 = 0;
    size_t i = 0;
    for (; i + 8 <= len; i += 8) {
        uint32_t v, w;
        memcpy(&v, p + i, 4);
        memcpy(&w, p + i + 4, 4);
        s += __builtin_bswap32(v);
        s2 += __builtin_bswap32(w);
    }
    s += s2;
    for (; i + 4 <= len; i += 4)
        s += rd32(p + i);
    if (i < len) {
        uint8_t t[4] = {0};
        memcpy(t, p + i, len - i);
        s += rd32(t);
    }
    return s;
}

/* the glyph the cmap maps u to, 0 for none */
static uint32_t ttsub_lookup(const ttsub_face *f, uint32_t u)
{
    size_t a = 0, b = f->nmap;
    while (a < b) {
        size_t m = (a + b) / 2;
        if (f->map[m].u < u)
            a = m + 1;
        else
            b = m;
    }
    return a < f->nmap && f->map[a].u == u ? f->map[a].g : 0;
}

static int ttsub_u32_cmp(const void *a, const void *b)
{
    uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
    return x < y ? -1 : x > y;
}

int pdf_ttsub_renum(const char *file, const uint32_t *gids, size_t n_gids,
                    const uint32_t *codes, size_t n_codes, uint32_t *new_gids,
                    unsigned char **out, size_t *out_len)
{
    *out = NULL;
    *out_len = 0;
    const char *env = getenv("FOLIO_TEST_HB_SUBSET");
    if (env && *env == '1')
        return 0;
    const ttsub_face *f = ttsub_face_of(file);
    if (!f)
        return 0;
    for (size_t i = 0; i < n_gids; i++)
        if (gids[i] >= f->nglyphs)
            return 0;
    size_t words = (f->nglyphs + 63) / 64;
    uint64_t *bits = calloc(words, sizeof *bits);
    unsigned *kept = malloc(f->nglyphs * sizeof *kept);
    int rc = -1;
    uint8_t *buf = NULL, *glyf = NULL;
    if (!bits || !kept)
        goto done;
    ttsub_set s = {.f = f, .bits = bits};
    rc = 0;                            /* malformed glyphs: hb-subset's job */
    if (!ttsub_mark(&s, 0))
        goto done;
    for (size_t i = 0; i < n_gids; i++)
        if (!ttsub_mark(&s, gids[i]))
            goto done;
    /* hb-subset 6.0 (_populate_unicodes_to_retain, preprocessed face): the
     * glyphs the cmap maps the codes asked for to are kept too; and when
     * fewer distinct codes and fewer distinct glyphs (.notdef counted) are
     * asked for than the cmap maps, the codes it does not map count in
     * OS/2 as well (its accelerated path), else only mapped ones */
    size_t nu = 0, ng_in = 0;
    {
        uint32_t *cu = malloc((n_codes + n_gids + 1) * sizeof *cu);
        if (!cu) {
            rc = -1;
            goto done;
        }
        memcpy(cu, codes, n_codes * sizeof *cu);
        qsort(cu, n_codes, sizeof *cu, ttsub_u32_cmp);
        for (size_t i = 0; i < n_codes; i++)
            nu += !i || cu[i] != cu[i - 1];
        memcpy(cu, gids, n_gids * sizeof *cu);
        cu[n_gids] = 0;
        qsort(cu, n_gids + 1, sizeof *cu, ttsub_u32_cmp);
        for (size_t i = 0; i <= n_gids; i++)
            ng_in += !i || cu[i] != cu[i - 1];
        free(cu);
    }
    bool unmapped_count = nu < f->nmap && ng_in < f->nmap;
    for (size_t i = 0; i < n_codes; i++) {
        uint32_t g = ttsub_lookup(f, codes[i]);
        if (g && !ttsub_mark(&s, g))
            goto done;
    }
    size_t k = 0;
    for (size_t w = 0; w < words; w++)
        for (uint64_t v = bits[w]; v; v &= v - 1)
            kept[k++] = (unsigned)(w * 64 + (unsigned)__builtin_ctzll(v));

    /* glyf: each kept glyph trimmed, without hints, components renumbered */
    size_t glyf_cap = 0;
    for (size_t i = 0; i < k; i++) {
        uint32_t a, b;
        ttsub_glyph_span(f, kept[i], &a, &b);
        glyf_cap += b - a + 3;
    }
    uint32_t *off = malloc((k + 1) * sizeof *off);   /* unpadded ends */
    glyf = malloc(glyf_cap + 1);
    if (!off || !glyf) {
        free(off);
        rc = -1;
        goto done;
    }
    size_t gl = 0, padded = 0;
    bool bad = false;
    for (size_t i = 0; i < k && !bad; i++) {
        uint32_t a, b;
        ttsub_glyph_span(f, kept[i], &a, &b);
        const uint8_t *p = f->glyf.p + a;
        size_t n = 0;
        (void)b;
        off[i] = (uint32_t)gl;
        unsigned og = kept[i];
        n = f->gout[og];
        if (n && f->gins[og]) {        /* simple: instructions out */
            size_t ins = f->gins[og], il = rd16(p + ins);
            memcpy(glyf + gl, p, ins);
            glyf[gl + ins] = glyf[gl + ins + 1] = 0;
            memcpy(glyf + gl + ins + 2, p + ins + 2 + il, n - ins - 2);
        } else if (n) {                /* composite: components renumbered */
            memcpy(glyf + gl, p, n);
            ttsub_remap r = {glyf + gl, kept, k};
            if (!ttsub_components(glyf + gl, n, ttsub_comp_remap, &r)) {
                bad = true;
                break;
            }
        }
        gl += n;
        padded += n + (n & 1);
    }
    off[k] = (uint32_t)gl;
    if (bad) {
        free(off);
        goto done;
    }
    bool short_loca = padded < 0x1FFFF;
    if (short_loca) {                  /* pad each glyph to an even length */
        size_t to = padded;
        for (size_t i = k; i-- > 0;) {
            size_t n = off[i + 1] - off[i], pn = n + (n & 1);
            to -= pn;
            memmove(glyf + to, glyf + off[i], n);
            if (pn > n)
                glyf[to + n] = 0;
        }
        gl = padded;
    }

    /* hmtx */
    unsigned nlong = (unsigned)k;
    {
        unsigned last = (unsigned)-1;
        for (size_t i = k; i-- > 0;) {
            unsigned g = kept[i];
            unsigned adv = rd16(f->hmtx.p + 4 * (g < f->nhm ? g : f->nhm - 1));
            if (i + 1 == k)
                last = adv;
            else if (adv != last)
                break;
            nlong = (unsigned)(i + 1);
        }
    }
    size_t hmtx_len = 4 * (size_t)nlong + 2 * (k - nlong);
    size_t loca_len = (k + 1) * (short_loca ? 2 : 4);

    struct {
        const char *tag;
        size_t len;
        uint8_t *p;
    } t[7] = {{"OS/2", f->os2.len, NULL}, {"glyf", gl, NULL},       {"head", 54, NULL},
              {"hhea", 36, NULL},         {"hmtx", hmtx_len, NULL}, {"loca", loca_len, NULL},
              {"maxp", 32, NULL}};
    size_t total = 12 + 16 * 7;
    for (int i = 0; i < 7; i++)
        total += (t[i].len + 3) & ~(size_t)3;
    buf = calloc(1, total);
    if (!buf) {
        free(off);
        rc = -1;
        goto done;
    }
    /* data order: by length, then tag */
    int ord[7] = {0, 1, 2, 3, 4, 5, 6};
    for (int i = 1; i < 7; i++)
        for (int j = i; j > 0 && t[ord[j]].len < t[ord[j - 1]].len; j--) {
            int x = ord[j];
            ord[j] = ord[j - 1];
            ord[j - 1] = x;
        }
    size_t at = 12 + 16 * 7;
    for (int i = 0; i < 7; i++) {
        t[ord[i]].p = buf + at;
        at += (t[ord[i]].len + 3) & ~(size_t)3;
    }
    /* OS/2 */
    uint8_t *os2 = t[0].p;
    memcpy(os2, f->os2.p, f->os2.len);
    {
        uint32_t r[4] = {0}, lo = UINT32_MAX, hi = 0;
        for (size_t i = 0; i < n_gids; i++) {
            unsigned g = gids[i];
            if (f->umin[g] == UINT32_MAX)
                continue;
            for (int w = 0; w < 4; w++)
                r[w] |= f->urange[g][w];
            lo = f->umin[g] < lo ? f->umin[g] : lo;
            hi = f->umax[g] > hi ? f->umax[g] : hi;
        }
        for (size_t i = 0; i < n_codes; i++) {  /* the codes asked for */
            uint32_t u = codes[i];
            if (unmapped_count || ttsub_lookup(f, u)) {
                ttsub_range_add(r, u);
                lo = u < lo ? u : lo;
                hi = u > hi ? u : hi;
            }
        }
        /* hb-subset 6.0 (OS2::subset): the bits set only where the font
         * had them; first and last index min(0xFFFF, min/max of the code
         * points kept), 0xFFFF both when none is (an empty set's min and
         * max are HB_SET_VALUE_INVALID) */
        for (int w = 0; w < 4; w++)
            wr32(os2 + 42 + 4 * w, r[w] & rd32(f->os2.p + 42 + 4 * w));
        if (lo > hi)
            lo = hi = 0xFFFF;
        wr16(os2 + 64, lo < 0xFFFF ? lo : 0xFFFF);
        wr16(os2 + 66, hi < 0xFFFF ? hi : 0xFFFF);
    }
    memcpy(t[1].p, glyf, gl);
    uint8_t *head = t[2].p;
    memcpy(head, f->head.p, 54);
    wr32(head + 8, 0);
    wr16(head + 50, short_loca ? 0 : 1);
    uint8_t *hhea = t[3].p;
    memcpy(hhea, f->hhea.p, 36);
    wr16(hhea + 34, nlong);
    uint8_t *hm = t[4].p;
    for (size_t i = 0; i < k; i++) {
        unsigned g = kept[i];
        unsigned adv = rd16(f->hmtx.p + 4 * (g < f->nhm ? g : f->nhm - 1));
        unsigned lsb = g < f->nhm ? rd16(f->hmtx.p + 4 * g + 2)
                                  : rd16(f->hmtx.p + 4 * f->nhm + 2 * (g - f->nhm));
        if (i < nlong) {
            wr16(hm, adv);
            wr16(hm + 2, lsb);
            hm += 4;
        } else {
            wr16(hm, lsb);
            hm += 2;
        }
    }
    uint8_t *lp = t[5].p;
    {
        size_t o = 0;
        for (size_t i = 0; i <= k; i++) {
            if (short_loca)
                wr16(lp + 2 * i, (unsigned)(o / 2));
            else
                wr32(lp + 4 * i, (uint32_t)o);
            if (i < k) {
                size_t n = off[i + 1] - off[i];
                o += short_loca ? n + (n & 1) : n;
            }
        }
    }
    free(off);
    uint8_t *mx = t[6].p;
    memcpy(mx, f->maxp.p, 32);
    wr16(mx + 4, (unsigned)k);
    wr16(mx + 14, 1);                  /* maxZones */
    memset(mx + 16, 0, 12);            /* twilight .. sizeOfInstructions */
    /* directory */
    wr32(buf, 0x00010000u);
    wr16(buf + 4, 7);
    wr16(buf + 6, 64);
    wr16(buf + 8, 2);
    wr16(buf + 10, 7 * 16 - 64);
    uint32_t sum = 0;                  /* the font's: tables padded with zeros */
    for (int i = 0; i < 7; i++) {
        uint8_t *r = buf + 12 + 16 * i;
        uint32_t cs = ttsub_checksum(t[i].p, t[i].len);
        sum += cs;
        memcpy(r, t[i].tag, 4);
        wr32(r + 4, cs);
        wr32(r + 8, (uint32_t)(t[i].p - buf));
        wr32(r + 12, (uint32_t)t[i].len);
    }
    sum += ttsub_checksum(buf, 12 + 16 * 7);
    wr32(head + 8, 0xB1B0AFBAu - sum);
    if (new_gids)
        for (size_t i = 0; i < n_gids; i++)
            new_gids[i] = (uint32_t)ttsub_new_id(kept, k, gids[i]);
    *out = buf;
    *out_len = total;
    buf = NULL;
    rc = 1;
done:
    free(buf);
    free(glyf);
    free(bits);
    free(kept);
    return rc;
}
