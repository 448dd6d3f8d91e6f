/* SPDX-License-Identifier: Apache-2.0 */
/*
 * fonts.c -- TrueType metrics for compose and the writers (folio/fonts.h).
 *
 * Interface: fonts_load() reads the whole .ttf into memory, parses the tables
 * below, builds two flat tables for the Basic Multilingual Plane and frees the
 * file.  The resulting folio_font is immutable, so every thread may measure
 * with it at once.  fonts_free() releases it.
 *
 * Tables read (all big-endian; offsets are from the start of each table):
 *
 *   table directory   OFFSET SIZE  DESCRIPTION
 *                     0      4     sfnt version 0x00010000 or 'true'
 *                     4      2     numTables
 *                     12+16*i      tag(4) checksum(4) offset(4) length(4)
 *   head              18     2     unitsPerEm
 *   hhea              4      2     ascender (FWord, signed)
 *                     6      2     descender (FWord, signed, negative below)
 *                     34     2     numberOfHMetrics
 *   maxp              4      2     numGlyphs
 *   hmtx              4*i    4     advanceWidth(2) lsb(2) for i < numberOfHMetrics;
 *                                  later glyphs repeat the last advance
 *   OS/2 (optional)   68/70  2     sTypoAscender / sTypoDescender (fallback)
 *   name              0      2     format; 2 count; 4 stringOffset;
 *                     6+12*i       platformID encodingID languageID nameID
 *                                  length offset (2 bytes each)
 *   cmap              0      2     version; 2 numTables; 4+8*i platformID(2)
 *                                  encodingID(2) offset(4)
 *     format 4        6 segCountX2, 14 endCode[], +2 pad, startCode[],
 *                     idDelta[], idRangeOffset[], glyphIdArray[]
 *     format 12       12 numGroups, 16+12*i startChar endChar startGlyph
 *
 * Widths: libharu states a glyph's width in the embedded font's /W array as
 * (uint16)(advanceWidth * 1000 / unitsPerEm), i.e. truncated, and a glyph id
 * past numGlyphs as the missing width.  We store exactly that value, so a text
 * measured here is laid out with the same width by a PDF viewer.
 *
 * Algorithm: for the BMP we keep gid_bmp[cp] (glyph id) and w_bmp[cp] (width
 * in 1/1000 em): 256 KB per font, and fonts_text_width() becomes one table
 * load per character.  Code points above U+FFFF are looked up in the format
 * 12 groups by binary search.
 */
#include "folio/fonts.h"

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#define FONTS_MAX_FILE (64u * 1024u * 1024u)   /* hard cap on a font file */

struct folio_font {
    char *path;
    char psname[128];
    int upem;
    int ascent, descent;          /* 1/1000 em, descent positive below */
    uint32_t num_glyphs;
    uint16_t *glyph_w;            /* [num_glyphs] width in 1/1000 em */
    uint16_t missing_w;           /* width of glyph 0 */
    uint16_t *gid_bmp;            /* [65536] */
    uint16_t *w_bmp;              /* [65536] */
    uint32_t *groups;             /* format 12: start, end, gid triples */
    uint32_t n_groups;
    bool ascii_all;               /* a glyph for every character U+0020-007E */
};

/* ---- reading big-endian values with bounds ------------------------------- */

typedef struct ttf_view {
    const uint8_t *p;
    size_t n;
} ttf_view;

static inline uint16_t ttf_u16(const uint8_t *p)
{
    return (uint16_t)((uint16_t)p[0] << 8 | p[1]);
}

static inline uint32_t ttf_u32(const uint8_t *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

/* True when [off, off+len) lies inside the view. */
static inline bool ttf_has(ttf_view v, size_t off, size_t len)
{
    return off <= v.n && len <= v.n - off;
}

/* Find a table by tag; returns false when absent or out of the file. */
static bool ttf_table(ttf_view file, const char *tag, ttf_view *out)
{
    uint16_t n = ttf_u16(file.p + 4);
    if (!ttf_has(file, 12, (size_t)n * 16))
        return false;
    for (uint16_t i = 0; i < n; i++) {
        const uint8_t *e = file.p + 12 + (size_t)i * 16;
        if (memcmp(e, tag, 4) == 0) {
            uint32_t off = ttf_u32(e + 8), len = ttf_u32(e + 12);
            if (!ttf_has(file, off, len))
                return false;
            out->p = file.p + off;
            out->n = len;
            return true;
        }
    }
    return false;
}

/* ---- name table: PostScript name (id 6) ---------------------------------- */

static void ttf_read_psname(ttf_view name, char *out, size_t cap)
{
    out[0] = 0;
    if (!ttf_has(name, 0, 6))
        return;
    uint16_t count = ttf_u16(name.p + 2), soff = ttf_u16(name.p + 4);
    int best = -1;          /* 2 = Windows Unicode, 1 = Mac Roman */
    for (uint16_t i = 0; i < count; i++) {
        size_t r = 6 + (size_t)i * 12;
        if (!ttf_has(name, r, 12))
            break;
        const uint8_t *e = name.p + r;
        uint16_t plat = ttf_u16(e), enc = ttf_u16(e + 2), id = ttf_u16(e + 6);
        uint16_t len = ttf_u16(e + 8), off = ttf_u16(e + 10);
        if (id != 6 || !ttf_has(name, (size_t)soff + off, len))
            continue;
        const uint8_t *s = name.p + soff + off;
        int kind = (plat == 3 && (enc == 1 || enc == 0)) || plat == 0 ? 2
                   : plat == 1 ? 1 : 0;
        if (kind <= best)
            continue;
        size_t k = 0;
        if (kind == 2) {
            for (size_t j = 0; j + 1 < len && k + 1 < cap; j += 2) {
                uint16_t c = ttf_u16(s + j);
                if (c > 0x20 && c < 0x7f)
                    out[k++] = (char)c;
            }
        } else if (kind == 1) {
            for (size_t j = 0; j < len && k + 1 < cap; j++)
                if (s[j] > 0x20 && s[j] < 0x7f)
                    out[k++] = (char)s[j];
        } else {
            continue;
        }
        out[k] = 0;
        best = kind;
    }
}

/* ---- cmap ---------------------------------------------------------------- */

/* Fill gid_bmp from a format 4 subtable. */
static bool ttf_cmap4(ttf_view t, uint32_t num_glyphs, uint16_t *gid_bmp)
{
    if (!ttf_has(t, 0, 14))
        return false;
    size_t len = ttf_u16(t.p + 2);
    if (len > t.n || len < 14)
        len = t.n;              /* some fonts misstate the length */
    ttf_view s = { t.p, len };
    uint16_t seg2 = ttf_u16(t.p + 6);
    size_t seg = seg2 / 2;
    size_t end_o = 14, start_o = 16 + 2 * seg, delta_o = start_o + 2 * seg,
           range_o = delta_o + 2 * seg;
    if (seg == 0 || !ttf_has(s, range_o, 2 * seg))
        return false;
    for (size_t i = 0; i < seg; i++) {
        uint32_t end = ttf_u16(s.p + end_o + 2 * i);
        uint32_t start = ttf_u16(s.p + start_o + 2 * i);
        uint16_t delta = ttf_u16(s.p + delta_o + 2 * i);
        uint16_t ro = ttf_u16(s.p + range_o + 2 * i);
        if (start > end)
            continue;
        for (uint32_t c = start; c <= end && c < 0xFFFF; c++) {
            uint32_t g;
            if (ro == 0) {
                g = (c + delta) & 0xFFFF;
            } else {
                size_t a = range_o + 2 * i + ro + 2 * (size_t)(c - start);
                if (!ttf_has(s, a, 2))
                    break;
                g = ttf_u16(s.p + a);
                if (g != 0)
                    g = (g + delta) & 0xFFFF;
            }
            gid_bmp[c] = g < num_glyphs ? (uint16_t)g : 0;
        }
    }
    return true;
}

/* Validate a format 12 subtable; returns its group count (0 if unusable). */
static uint32_t ttf_cmap12_groups(ttf_view t)
{
    if (!ttf_has(t, 0, 16))
        return 0;
    uint32_t n = ttf_u32(t.p + 12);
    if (n == 0 || n > 1000000 || !ttf_has(t, 16, (size_t)n * 12))
        return 0;
    return n;
}

static bool fonts_parse_cmap(folio_font *f, ttf_view cmap)
{
    if (!ttf_has(cmap, 0, 4))
        return false;
    uint16_t n = ttf_u16(cmap.p + 2);
    ttf_view fmt4 = { NULL, 0 }, fmt12 = { NULL, 0 };
    int rank4 = 0, rank12 = 0;
    for (uint16_t i = 0; i < n; i++) {
        size_t r = 4 + (size_t)i * 8;
        if (!ttf_has(cmap, r, 8))
            break;
        uint16_t plat = ttf_u16(cmap.p + r), enc = ttf_u16(cmap.p + r + 2);
        uint32_t off = ttf_u32(cmap.p + r + 4);
        if (!ttf_has(cmap, off, 4))
            continue;
        ttf_view sub = { cmap.p + off, cmap.n - off };
        uint16_t fmt = ttf_u16(sub.p);
        /* Windows Unicode first (what libharu reads), then Unicode platform. */
        int rank = plat == 3 && (enc == 1 || enc == 10) ? 2 : plat == 0 ? 1 : 0;
        if (fmt == 4 && rank > rank4) {
            fmt4 = sub;
            rank4 = rank;
        } else if (fmt == 12 && rank > rank12 && ttf_cmap12_groups(sub)) {
            fmt12 = sub;
            rank12 = rank;
        }
    }
    if (!rank4 && !rank12)
        return false;
    if (rank12) {
        f->n_groups = ttf_cmap12_groups(fmt12);
        f->groups = malloc((size_t)f->n_groups * 3 * sizeof(uint32_t));
        if (!f->groups)
            return false;
        for (uint32_t g = 0; g < f->n_groups; g++) {
            const uint8_t *e = fmt12.p + 16 + (size_t)g * 12;
            f->groups[3 * g] = ttf_u32(e);
            f->groups[3 * g + 1] = ttf_u32(e + 4);
            f->groups[3 * g + 2] = ttf_u32(e + 8);
        }
        if (!rank4) {   /* BMP from the format 12 groups */
            for (uint32_t g = 0; g < f->n_groups; g++) {
                uint32_t a = f->groups[3 * g], b = f->groups[3 * g + 1],
                         gid = f->groups[3 * g + 2];
                for (uint32_t c = a; c <= b && c < 0xFFFF; c++) {
                    uint32_t x = gid + (c - a);
                    f->gid_bmp[c] = x < f->num_glyphs ? (uint16_t)x : 0;
                }
            }
        }
    }
    if (rank4 && !ttf_cmap4(fmt4, f->num_glyphs, f->gid_bmp))
        return false;
    return true;
}

/* ---- loading ------------------------------------------------------------- */

/* issue 11 (round 29, r-serial): only the bytes fonts_parse reads -- the
 * header, the table directory and the tables it looks into -- are read,
 * each at its offset into an anonymous mapping of the file's size whose
 * other pages (the outlines: most of the file) are never touched.  Reading
 * the whole file into fresh heap memory faulted in ~100 pages a font at
 * start-up, on the main thread with the other cores idle (~4 ms CPU for
 * the two fonts of the bench layout, this VM's faults ~12 us each).  The
 * parse sees the same bytes where it looks and the file's true size. */
static const char *const PARSED_TABLES[] = {"head", "hhea", "maxp", "hmtx", "loca",
                                            "OS/2", "cmap", "name"};

static bool fonts_pread(int fd, uint8_t *buf, size_t sz, uint64_t off, uint64_t len)
{
    if (off >= sz)
        return true;                /* outside the file: fonts_parse says so */
    if (len > sz - off)
        len = sz - off;
    while (len) {
        ssize_t r = pread(fd, buf + off, len, (off_t)off);
        if (r < 0 && errno == EINTR)
            continue;
        if (r <= 0)
            return false;
        off += (uint64_t)r;
        len -= (uint64_t)r;
    }
    return true;
}

static uint8_t *fonts_read_file(const char *path, size_t *n, folio_error *err)
{
    FILE *fp = folio_input_fopen(path, NULL, FOLIO_EXIT_USAGE, err);
    if (!fp)
        return NULL;
    uint8_t *buf = NULL;
    long sz = -1;
    if (fseek(fp, 0, SEEK_END) == 0)
        sz = ftell(fp);
    if (sz < 0 || fseek(fp, 0, SEEK_SET) != 0) {
        folio_error_set(err, FOLIO_EXIT_USAGE, "%s: cannot read font", path);
    } else if ((unsigned long)sz > FONTS_MAX_FILE) {
        folio_error_set(err, FOLIO_EXIT_USAGE, "%s: font file larger than %u MB",
                        path, FONTS_MAX_FILE >> 20);
    } else if ((buf = mmap(NULL, (size_t)sz + 1, PROT_READ | PROT_WRITE,
                           MAP_PRIVATE | MAP_ANONYMOUS, -1, 0)) == MAP_FAILED) {
        buf = NULL;
        folio_error_set(err, FOLIO_EXIT_FAILED, "%s: out of memory", path);
    } else {
        int fd = fileno(fp);
        size_t z = (size_t)sz;
        bool ok = fonts_pread(fd, buf, z, 0, 12);
        uint16_t nt = z >= 12 ? ttf_u16(buf + 4) : 0;
        ok = ok && fonts_pread(fd, buf, z, 12, (uint64_t)nt * 16);
        for (uint16_t i = 0; ok && i < nt && 12 + (size_t)(i + 1) * 16 <= z; i++) {
            const uint8_t *e = buf + 12 + (size_t)i * 16;
            for (size_t k = 0; k < sizeof PARSED_TABLES / sizeof *PARSED_TABLES; k++)
                if (!memcmp(e, PARSED_TABLES[k], 4)) {
                    ok = fonts_pread(fd, buf, z, ttf_u32(e + 8), ttf_u32(e + 12));
                    break;
                }
        }
        if (!ok) {
            folio_error_set(err, FOLIO_EXIT_USAGE, "%s: cannot read font", path);
            munmap(buf, z + 1);
            buf = NULL;
        }
    }
    fclose(fp);
    *n = buf ? (size_t)sz : 0;
    return buf;
}

static int fonts_scale(int v, int upem)
{
    /* Truncation toward zero, as libharu's integer division does. */
    return (int)((long)v * 1000 / upem);
}

/* Parse the tables; on failure returns a static reason. */
static const char *fonts_parse(folio_font *f, ttf_view file)
{
    ttf_view head, hhea, hmtx, maxp, cmap, name, os2;
    if (!ttf_has(file, 0, 12))
        return "not a TrueType font";
    uint32_t ver = ttf_u32(file.p);
    if (ver == 0x4F54544F)   /* 'OTTO' */
        return "not a TrueType font (CFF outlines are not supported)";
    if (ver != 0x00010000 && ver != 0x74727565)
        return "not a TrueType font";
    /* A truncated or damaged file must fail here, at layout load, not in the
     * PDF library in the middle of a run: every table the directory lists
     * lies inside the file, and the outlines the PDF embeds (loca, glyf)
     * are whole. */
    uint16_t n_tables = ttf_u16(file.p + 4);
    if (!ttf_has(file, 12, (size_t)n_tables * 16))
        return "truncated TrueType file (table directory)";
    for (uint16_t i = 0; i < n_tables; i++) {
        const uint8_t *e = file.p + 12 + (size_t)i * 16;
        if (!ttf_has(file, ttf_u32(e + 8), ttf_u32(e + 12))) {
            static _Thread_local char why[96];
            snprintf(why, sizeof why, "truncated TrueType file: table '%.4s' runs past "
                     "the end of the file", (const char *)e);
            return why;
        }
    }
    if (!ttf_table(file, "head", &head) || !ttf_has(head, 0, 54) ||
        !ttf_table(file, "hhea", &hhea) || !ttf_has(hhea, 0, 36) ||
        !ttf_table(file, "maxp", &maxp) || !ttf_has(maxp, 0, 6) ||
        !ttf_table(file, "hmtx", &hmtx))
        return "not a TrueType font (missing head, hhea, maxp or hmtx)";
    f->upem = ttf_u16(head.p + 18);
    if (f->upem < 16 || f->upem > 16384)
        return "bad unitsPerEm in head table";
    f->num_glyphs = ttf_u16(maxp.p + 4);
    uint32_t nh = ttf_u16(hhea.p + 34);
    if (f->num_glyphs == 0 || nh == 0 || nh > f->num_glyphs ||
        !ttf_has(hmtx, 0, (size_t)nh * 4))
        return "bad hhea/hmtx tables";
    ttf_view loca, glyf;
    if (!ttf_table(file, "loca", &loca) || !ttf_table(file, "glyf", &glyf))
        return "not a TrueType font (missing loca or glyf: no outlines to embed)";
    {
        bool long_loca = ttf_u16(head.p + 50) != 0;   /* indexToLocFormat */
        size_t entry = long_loca ? 4 : 2, need = ((size_t)f->num_glyphs + 1) * entry;
        if (!ttf_has(loca, 0, need))
            return "damaged TrueType file: loca table shorter than the glyph count";
        const uint8_t *last = loca.p + (size_t)f->num_glyphs * entry;
        uint64_t end = long_loca ? ttf_u32(last) : 2u * (uint64_t)ttf_u16(last);
        if (end > glyf.n)
            return "truncated TrueType file: glyph outlines run past the glyf table";
    }
    f->ascent = fonts_scale((int16_t)ttf_u16(hhea.p + 4), f->upem);
    f->descent = -fonts_scale((int16_t)ttf_u16(hhea.p + 6), f->upem);
    if (f->ascent == 0 && f->descent == 0 && ttf_table(file, "OS/2", &os2) &&
        ttf_has(os2, 0, 72)) {
        f->ascent = fonts_scale((int16_t)ttf_u16(os2.p + 68), f->upem);
        f->descent = -fonts_scale((int16_t)ttf_u16(os2.p + 70), f->upem);
    }

    f->glyph_w = malloc(f->num_glyphs * sizeof(uint16_t));
    f->gid_bmp = calloc(65536, sizeof(uint16_t));
    f->w_bmp = malloc(65536 * sizeof(uint16_t));
    if (!f->glyph_w || !f->gid_bmp || !f->w_bmp)
        return "out of memory";
    for (uint32_t g = 0; g < f->num_glyphs; g++) {
        uint32_t adv = ttf_u16(hmtx.p + 4 * (g < nh ? g : nh - 1));
        f->glyph_w[g] = (uint16_t)(adv * 1000u / (uint32_t)f->upem);
    }
    f->missing_w = f->glyph_w[0];

    if (!ttf_table(file, "cmap", &cmap) || !fonts_parse_cmap(f, cmap))
        return "no Unicode cmap (format 4 or 12)";
    for (uint32_t c = 0; c < 65536; c++)
        f->w_bmp[c] = f->glyph_w[f->gid_bmp[c]];
    f->ascii_all = true;
    for (uint32_t c = 0x20; c < 0x7F; c++)
        if (!f->gid_bmp[c])
            f->ascii_all = false;

    if (ttf_table(file, "name", &name))
        ttf_read_psname(name, f->psname, sizeof f->psname);
    return NULL;
}

/* Load metrics from a TrueType file (see fonts.h). */
folio_font *fonts_load(const char *path, folio_error *err)
{
    size_t n;
    uint8_t *data = fonts_read_file(path, &n, err);
    if (!data)
        return NULL;
    folio_font *f = calloc(1, sizeof *f);
    const char *why = "out of memory";
    if (f && (f->path = strdup(path)) != NULL)
        why = fonts_parse(f, (ttf_view){ data, n });
    munmap(data, n + 1);
    if (why) {
        folio_error_set(err, strcmp(why, "out of memory") ? FOLIO_EXIT_USAGE
                                                           : FOLIO_EXIT_FAILED,
                        "%s: %s", path, why);
        fonts_free(f);
        return NULL;
    }
    return f;
}

/* Free a font (NULL is fine). */
void fonts_free(folio_font *f)
{
    if (!f)
        return;
    free(f->path);
    free(f->glyph_w);
    free(f->gid_bmp);
    free(f->w_bmp);
    free(f->groups);
    free(f);
}

/* Path the font was loaded from. */
const char *fonts_path(const folio_font *f)
{
    return f->path;
}

/* PostScript name (name id 6), "" when the font has none. */
const char *fonts_postscript_name(const folio_font *f)
{
    return f->psname;
}

/* Glyph id of cp, 0 (.notdef) when the font has no glyph for it. */
uint16_t fonts_glyph_id(const folio_font *f, uint32_t cp)
{
    if (cp < 0x10000)
        return f->gid_bmp[cp];
    uint32_t lo = 0, hi = f->n_groups;
    while (lo < hi) {
        uint32_t mid = lo + (hi - lo) / 2;
        const uint32_t *g = f->groups + 3 * mid;
        if (cp < g[0])
            hi = mid;
        else if (cp > g[1])
            lo = mid + 1;
        else {
            uint32_t gid = g[2] + (cp - g[0]);
            return gid < f->num_glyphs ? (uint16_t)gid : 0;
        }
    }
    return 0;
}

/* Advance width of cp in 1/1000 em (.notdef width when missing). */
int fonts_char_width(const folio_font *f, uint32_t cp)
{
    if (cp < 0x10000)
        return f->w_bmp[cp];
    return f->glyph_w[fonts_glyph_id(f, cp)];
}

/* True when the font maps cp to a real glyph. */
bool fonts_has_glyph(const folio_font *f, uint32_t cp)
{
    return fonts_glyph_id(f, cp) != 0;
}

int fonts_ascent(const folio_font *f)
{
    return f->ascent;
}

int fonts_descent(const folio_font *f)
{
    return f->descent;
}

/* Decode one UTF-8 sequence at s[i] (valid UTF-8 assumed, but never reads
 * past len); advances *i. */
static inline uint32_t fonts_utf8_decode(const unsigned char *s, size_t len,
                                         size_t *i)
{
    size_t k = *i;
    uint32_t c = s[k];
    if (c < 0x80) {
        *i = k + 1;
        return c;
    }
    int extra = c >= 0xF0 ? 3 : c >= 0xE0 ? 2 : c >= 0xC0 ? 1 : 0;
    c &= (uint32_t)(0x3F >> extra);
    k++;
    for (int j = 0; j < extra && k < len; j++, k++)
        c = c << 6 | (s[k] & 0x3F);
    *i = k;
    return c;
}

/* issue 11 (r-page): whether the 8 bytes at s are all printable ASCII
 * (0x20-0x7E): no byte below 0x20 (the first term; a borrow only follows
 * such a byte) and none at 0x7F or above (the second; a carry likewise). */
static inline bool fonts_printable8(const unsigned char *s)
{
    const uint64_t k01 = 0x0101010101010101ull, k80 = 0x8080808080808080ull;
    uint64_t w;
    memcpy(&w, s, 8);
    return !((((w - 0x20 * k01) & ~w) | ((w + k01) | w)) & k80);
}

/* Characters of UTF-8 text the font has no glyph for (see fonts.h): one pass,
 * ASCII straight from the BMP glyph table, nothing called per character;
 * 8 printable ASCII characters at a time when the font has all of them. */
size_t fonts_count_missing(const folio_font *f, const char *s, size_t len,
                           uint32_t *first)
{
    const unsigned char *u = (const unsigned char *)s;
    const uint16_t *gid = f->gid_bmp;
    size_t n = 0, i = 0;
    if (f->ascii_all && len >= 8) {    /* the common case: all printable ASCII */
        while (i + 8 <= len && fonts_printable8(u + i))
            i += 8;
        if (i < len && i + 8 > len && fonts_printable8(u + len - 8))
            return 0;                  /* the last 8 bytes, overlapping */
        if (i == len)
            return 0;
    }
    while (i < len) {
        if (f->ascii_all && i + 8 <= len && fonts_printable8(u + i)) {
            i += 8;
            continue;
        }
        uint32_t cp = u[i] < 0x80 ? u[i++] : fonts_utf8_decode(u, len, &i);
        if ((cp < 0x10000 ? gid[cp] : fonts_glyph_id(f, cp)) == 0 && !n++ && first)
            *first = cp;
    }
    return n;
}

/* Sum of advance widths in 1/1000 em. */
static int64_t fonts_sum_widths(const folio_font *f, const char *s, size_t len)
{
    const unsigned char *u = (const unsigned char *)s;
    const uint16_t *w = f->w_bmp;
    int64_t sum = 0;
    size_t i = 0;
    while (i < len) {
        unsigned char b = u[i];
        if (b < 0x80) {
            sum += w[b];
            i++;
        } else {
            sum += fonts_char_width(f, fonts_utf8_decode(u, len, &i));
        }
    }
    return sum;
}

/* Round thousandths-of-units to units (half away from zero). */
static inline int64_t fonts_round_milli(int64_t v)
{
    return v >= 0 ? (v + 500) / 1000 : -((-v + 500) / 1000);
}

/* Width of UTF-8 text at `size` units, in units (see fonts.h). */
int32_t fonts_text_width(const folio_font *f, const char *s, size_t len,
                         int32_t size)
{
    return (int32_t)fonts_round_milli(fonts_sum_widths(f, s, len) * size);
}

/* Longest prefix that fits in max_w units (see fonts.h).  A '\n' forces a
 * break: the prefix ends before it and the next line starts after it. */
size_t fonts_fit(const folio_font *f, const char *s, size_t len, int32_t size,
                 int32_t max_w, size_t *next)
{
    const unsigned char *u = (const unsigned char *)s;
    int64_t limit = (int64_t)max_w * 1000 + 499;   /* round(sum*size) <= max_w */
    int64_t sum = 0;
    size_t i = 0, cut = 0, brk = 0;   /* brk: end of prefix before last space */
    bool have_brk = false;
    size_t nexti;

    /* issue 11 (r-page): most texts (table cells) are ASCII without a
     * newline and fit whole: one pass of table loads says so.  Widths are
     * not negative, so no prefix is wider than the whole */
    if (size >= 0) {
        const uint16_t *wb = f->w_bmp;
        int64_t tot = 0;
        size_t k = 0;
        for (; k < len; k++) {
            unsigned c = u[k];
            if (c >= 0x80 || c == '\n')
                break;
            tot += wb[c];
        }
        if (k == len && tot * size <= limit) {
            if (next)
                *next = len;
            return len;
        }
    }

    while (i < len) {
        size_t at = i;
        if (u[i] == '\n') {
            cut = at;
            nexti = at + 1;
            goto done;
        }
        if (u[i] == ' ') {
            if (at > 0 && u[at - 1] != ' ') {
                brk = at;
                have_brk = true;
            }
            sum += f->w_bmp[' '] * (int64_t)size;
            i++;
            continue;    /* a space never forces a break by itself */
        }
        int w;
        if (u[i] < 0x80)
            w = f->w_bmp[u[i++]];
        else
            w = fonts_char_width(f, fonts_utf8_decode(u, len, &i));
        sum += (int64_t)w * size;
        if (sum > limit) {
            if (have_brk) {
                cut = brk;
                break;
            }
            /* character boundary, at least one character */
            cut = at > 0 ? at : i;
            nexti = cut;
            goto done;
        }
    }
    if (i >= len) {
        cut = len;
        nexti = len;
        goto done;
    }
    nexti = cut;
    while (nexti < len && u[nexti] == ' ')
        nexti++;
done:
    if (next)
        *next = nexti;
    return cut;
}

/* Shrink-then-clip into a box (see fonts.h).  Widths are sums of advances in
 * 1/1000 em, so text at size z measures round(sum * z / 1000) units and fits
 * box_w exactly when sum * z <= box_w * 1000 + 499: the largest size that
 * fits is found by one division, not by trying sizes. */
folio_fit_action fonts_fit_box(const folio_font *f, const char *s, size_t len,
                               int32_t size, int32_t min_size, int32_t box_w,
                               bool unicode_ellipsis, folio_text_fit *out)
{
    if (size < 1)
        size = 1;
    if (min_size < 1 || min_size > size)
        min_size = min_size < 1 ? 1 : size;
    int64_t limit = box_w > 0 ? (int64_t)box_w * 1000 + 499 : -1;
    int64_t sum = fonts_sum_widths(f, s, len);
    *out = (folio_text_fit){FOLIO_FIT_AS_IS, size, len, "", 0,
                            (int32_t)fonts_round_milli(sum * size)};
    if (sum * size <= limit || len == 0)
        return out->action;
    if (sum > 0 && limit >= 0) {
        int64_t z = limit / sum;              /* largest size that fits */
        z -= z % FOLIO_FIT_STEP;
        if (z < min_size && sum * min_size <= limit)
            z = min_size;                     /* between the minimum and a step */
        if (z >= min_size) {
            out->action = FOLIO_FIT_SHRUNK;
            out->size = (int32_t)z;
            out->width = (int32_t)fonts_round_milli(sum * z);
            return out->action;
        }
    }
    /* clip at the minimum size: the longest prefix that leaves room for the
       ellipsis, cut between characters */
    out->action = FOLIO_FIT_CLIPPED;
    out->size = min_size;
    const char *el = unicode_ellipsis && fonts_has_glyph(f, 0x2026) ? "\xE2\x80\xA6" : "...";
    size_t el_len = strlen(el);
    int64_t el_sum = fonts_sum_widths(f, el, el_len);
    int64_t room = limit < 0 ? -1 : limit - el_sum * min_size;
    size_t cut = 0;
    int64_t acc = 0, acc_cut = 0;
    for (size_t i = 0; i < len && room >= 0;) {
        uint32_t cp;
        int k = folio_utf8_next(s + i, len - i, &cp);
        int64_t w = (int64_t)fonts_char_width(f, cp) * min_size;
        if (acc + w > room)
            break;
        acc += w;
        i += (size_t)k;
        if (cp != ' ') {                      /* trailing spaces are dropped */
            cut = i;
            acc_cut = acc;
        }
    }
    if (room < 0) {                           /* not even the ellipsis fits */
        out->len = 0;
        out->width = 0;
        return out->action;
    }
    out->len = cut;
    out->ellipsis = el;
    out->ellipsis_len = el_len;
    out->width = (int32_t)fonts_round_milli(acc_cut + el_sum * min_size);
    return out->action;
}
