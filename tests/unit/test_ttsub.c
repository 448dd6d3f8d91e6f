/* SPDX-License-Identifier: Apache-2.0 */
/*
 * test_ttsub.c -- issue 11 (round 26): an archived document's renumbered
 * font programs are written by folio (src/pdf-ttsub.c) in the bytes
 * HarfBuzz's hb-subset writes for the same request.  Each case subsets a
 * glyph set twice through pdf_subset_font_renum, once with folio's
 * subsetter and once with FOLIO_TEST_HB_SUBSET=1 (hb-subset), and compares
 * the programs byte for byte and the new glyph ids:
 *
 *   - every glyph of both Liberation faces on its own (with its code
 *     points: each one's OS/2 Unicode range bits and first/last index);
 *   - 300 pseudo-random sets of 1..200 mapped code points per face
 *     (accented letters: composite glyphs and their components);
 *   - every mapped code point at once (long loca);
 *   - a glyph id beyond the font: both refuse.
 *
 * Needs fonts/LiberationSans-*.ttf (`make fonts`).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <hb.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "pdf-private.h"

static char font_reg[4096], font_bold[4096];

typedef struct cmap_t {
    uint32_t *codes, *gids;
    size_t n;
} cmap_t;

static void cmap_of(const char *file, cmap_t *m)
{
    hb_blob_t *blob = hb_blob_create_from_file_or_fail(file);
    assert_non_null(blob);
    hb_face_t *face = hb_face_create(blob, 0);
    hb_set_t *u = hb_set_create();
    hb_face_collect_unicodes(face, u);
    hb_font_t *font = hb_font_create(face);
    m->n = 0;
    m->codes = malloc(hb_set_get_population(u) * sizeof *m->codes);
    m->gids = malloc(hb_set_get_population(u) * sizeof *m->gids);
    assert_non_null(m->codes);
    assert_non_null(m->gids);
    hb_codepoint_t c = HB_SET_VALUE_INVALID;
    while (hb_set_next(u, &c)) {
        hb_codepoint_t g = 0;
        if (c > 0xFFFF || !hb_font_get_nominal_glyph(font, c, &g) || !g)
            continue;
        m->codes[m->n] = c;
        m->gids[m->n] = g;
        m->n++;
    }
    hb_font_destroy(font);
    hb_set_destroy(u);
    hb_face_destroy(face);
    hb_blob_destroy(blob);
    assert_true(m->n > 1000);
}

static int cases, differ;

/* both subsetters on codes[]/gids[] (n, ascending codes); equal? */
static void same(const char *file, const uint32_t *codes, const uint32_t *gids, size_t n)
{
    uint32_t *r1 = calloc(n + 1, sizeof *r1), *r2 = calloc(n + 1, sizeof *r2);
    unsigned char *a = NULL, *b = NULL;
    size_t la = 0, lb = 0;
    unsetenv("FOLIO_TEST_HB_SUBSET");
    assert_int_equal(pdf_ttsub_renum(file, gids, n, codes, n, r1, &a, &la), 1);
    setenv("FOLIO_TEST_HB_SUBSET", "1", 1);
    assert_int_equal(pdf_ttsub_renum(file, gids, n, codes, n, r2, &b, &lb), 0);
    assert_true(pdf_subset_font_renum(file, gids, n, codes, n, r2, &b, &lb));
    unsetenv("FOLIO_TEST_HB_SUBSET");
    cases++;
    if (la != lb || memcmp(a, b, la) || memcmp(r1, r2, n * sizeof *r1)) {
        differ++;
        if (differ <= 5) {
            fprintf(stderr, "differ: %s, %zu codes (first U+%04X gid %u): %zu vs hb %zu bytes\n",
                    file, n, codes[0], gids[0], la, lb);
            for (size_t i = 0; i < la && i < lb; i++)
                if (a[i] != b[i]) {
                    fprintf(stderr, "  first difference at byte %zu\n", i);
                    break;
                }
            if (getenv("TTSUB_DUMP")) {
                char fn[64];
                snprintf(fn, sizeof fn, "/tmp/ttsub-a%d.ttf", differ);
                FILE *fp = fopen(fn, "wb");
                fwrite(a, 1, la, fp);
                fclose(fp);
                snprintf(fn, sizeof fn, "/tmp/ttsub-b%d.ttf", differ);
                fp = fopen(fn, "wb");
                fwrite(b, 1, lb, fp);
                fclose(fp);
            }
        }
    }
    free(a);
    free(b);
    free(r1);
    free(r2);
}

static void one_face(const char *file)
{
    cmap_t m;
    cmap_of(file, &m);
    int before = differ;
    for (size_t i = 0; i < m.n; i++)     /* each glyph alone */
        same(file, m.codes + i, m.gids + i, 1);
    uint32_t *c = malloc(m.n * sizeof *c), *g = malloc(m.n * sizeof *g);
    uint64_t x = 88172645463325252ull;
    for (int t = 0; t < 300; t++) {      /* random sets */
        x ^= x << 13, x ^= x >> 7, x ^= x << 17;
        size_t want = 1 + x % 200, k = 0;
        for (size_t i = 0; i < m.n && k < want; i++) {
            x ^= x << 13, x ^= x >> 7, x ^= x << 17;
            /* mostly ASCII and Latin-1 (as statements), some far up */
            uint32_t lim = m.codes[i] < 0x100 ? 3 : 60;
            if (x % lim == 0) {
                c[k] = m.codes[i];
                g[k] = m.gids[i];
                k++;
            }
        }
        if (k)
            same(file, c, g, k);
    }
    same(file, m.codes, m.gids, m.n);    /* everything: long loca */
    /* codes the cmap does not map (or maps to another glyph), glyphs no
     * code maps to, codes above 0xFFFF: hb-subset keeps a code point when
     * the cmap maps it and it was asked for or its glyph was; first/last
     * index 0xFFFF when it keeps none (reviewer: gid 528 with U+0086) */
    hb_blob_t *blob = hb_blob_create_from_file_or_fail(file);
    hb_face_t *face = hb_face_create(blob, 0);
    unsigned ng = hb_face_get_glyph_count(face);
    hb_face_destroy(face);
    hb_blob_destroy(blob);
    {
        uint32_t g1 = 528, c1 = 0x86;
        same(file, &c1, &g1, 1);
        uint32_t g2[3] = {528, 36, 37}, c2[3] = {0x1F600, 0x86, 0x10FFFF};
        same(file, c2, g2, 3);
    }
    for (int t = 0; t < 400; t++) {
        x ^= x << 13, x ^= x >> 7, x ^= x << 17;
        size_t k = 1 + x % 40;
        for (size_t i = 0; i < k; i++) {
            x ^= x << 13, x ^= x >> 7, x ^= x << 17;
            g[i] = (uint32_t)(1 + x % (ng - 1));
            x ^= x << 13, x ^= x >> 7, x ^= x << 17;
            c[i] = t % 4 == 0   ? (uint32_t)(0x20 + x % 0x250)
                   : t % 4 == 1 ? (uint32_t)(0x10000 + x % 0x100000)
                   : t % 4 == 2 ? m.codes[x % m.n]
                                : (uint32_t)(0x80 + x % 0x20);   /* C1: unmapped */
        }
        same(file, c, g, k);
    }
    assert_int_equal(differ - before, 0);
    /* a glyph id beyond the font */
    uint32_t bad = 60000, code = 0x41, nid = 0;
    unsigned char *out = NULL;
    size_t len = 0;
    assert_int_equal(pdf_ttsub_renum(file, &bad, 1, &code, 1, &nid, &out, &len), 0);
    assert_false(pdf_subset_font_renum(file, &bad, 1, &code, 1, &nid, &out, &len));
    free(c);
    free(g);
    free(m.codes);
    free(m.gids);
}

static void test_regular(void **state)
{
    (void)state;
    one_face(font_reg);
}

static void test_bold(void **state)
{
    (void)state;
    one_face(font_bold);
}

/* font `src` with its cmap replaced by `cm` (n bytes), written to a
 * temporary file; its name in path[] */
static void with_cmap(const char *src, const uint8_t *cm, size_t n, char *path)
{
    FILE *fp = fopen(src, "rb");
    assert_non_null(fp);
    fseek(fp, 0, SEEK_END);
    long sz = ftell(fp);
    rewind(fp);
    size_t at = ((size_t)sz + 3) & ~(size_t)3;
    uint8_t *d = calloc(1, at + n);
    assert_int_equal(fread(d, 1, (size_t)sz, fp), (size_t)sz);
    fclose(fp);
    memcpy(d + at, cm, n);
    unsigned nt = (unsigned)(d[4] << 8 | d[5]);
    bool found = false;
    for (unsigned i = 0; i < nt; i++) {
        uint8_t *r = d + 12 + 16 * i;
        if (!memcmp(r, "cmap", 4)) {
            for (int b = 0; b < 4; b++) {
                r[8 + b] = (uint8_t)(at >> (24 - 8 * b));
                r[12 + b] = (uint8_t)(n >> (24 - 8 * b));
            }
            found = true;
        }
    }
    assert_true(found);
    strcpy(path, "/tmp/test_ttsub-XXXXXX");
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    fp = fdopen(fd, "wb");
    assert_int_equal(fwrite(d, 1, at + n, fp), at + n);
    fclose(fp);
    free(d);
}

static void put16(uint8_t *p, unsigned v)
{
    p[0] = (uint8_t)(v >> 8);
    p[1] = (uint8_t)v;
}

static void put32(uint8_t *p, uint32_t v)
{
    put16(p, v >> 16);
    put16(p + 2, v & 0xFFFF);
}

/* a (3,1) format-4 cmap of seg segments start[i]..end[i], idDelta 1 (the
 * last one the 0xFFFF sentinel when sentinel) */
static uint8_t *cmap4(unsigned seg, const unsigned *start, const unsigned *end, size_t *n)
{
    size_t len = 16 + 8 * (size_t)seg;
    uint8_t *c = calloc(1, 12 + len);
    put16(c + 2, 1);
    put16(c + 4, 3);
    put16(c + 6, 1);
    put32(c + 8, 12);
    uint8_t *st = c + 12;
    put16(st, 4);
    put16(st + 2, (unsigned)len);
    put16(st + 6, 2 * seg);
    for (unsigned i = 0; i < seg; i++) {
        put16(st + 14 + 2 * i, end[i]);
        put16(st + 16 + 2 * seg + 2 * i, start[i]);
        put16(st + 16 + 4 * seg + 2 * i, 1);
    }
    *n = 12 + len;
    return c;
}

/* a (3,10) format-12 cmap of ng groups {s, e, gid} */
static uint8_t *cmap12(unsigned ng, const uint32_t (*grp)[3], size_t *n)
{
    size_t len = 16 + 12 * (size_t)ng;
    uint8_t *c = calloc(1, 12 + len);
    put16(c + 2, 1);
    put16(c + 4, 3);
    put16(c + 6, 10);
    put32(c + 8, 12);
    uint8_t *st = c + 12;
    put16(st, 12);
    put32(st + 4, (uint32_t)len);
    put32(st + 12, ng);
    for (unsigned i = 0; i < ng; i++)
        for (int j = 0; j < 3; j++)
            put32(st + 16 + 12 * i + 4 * j, grp[i][j]);
    *n = 12 + len;
    return c;
}

/* reviewer's cmap bomb (/tmp/revB/fz/bomb.ttf: 1,000 format-4 segments
 * each 0..0xFFFE took 26 s and 1 GB under the face lock): overlapping or
 * unordered segments and groups make the font hb-subset's before the map
 * grows past one entry per code point; well-formed ones still subset
 * exactly as hb-subset does */
static void test_cmap_bomb(void **state)
{
    (void)state;
    char path[64];
    size_t n;
    unsigned st[41], en[41];
    for (int i = 0; i < 40; i++)                    /* 40 x 65,535 codes */
        st[i] = 0, en[i] = 0xFFFE;
    st[40] = en[40] = 0xFFFF;
    uint8_t *c = cmap4(41, st, en, &n);
    with_cmap(font_reg, c, n, path);
    free(c);
    pdf_ttsub_map_peak = 0;
    assert_false(pdf_ttsub_usable(path));
    assert_true(pdf_ttsub_map_peak <= 0x110000);
    uint32_t gid = 36, code = 0x41, nid = 0;
    unsigned char *out = NULL;
    size_t len = 0;
    assert_int_equal(pdf_ttsub_renum(path, &gid, 1, &code, 1, &nid, &out, &len), 0);
    unlink(path);

    /* format 12: 12,000 groups over the same 95 codes (1.14 M entries) */
    enum { NG = 12000 };
    uint32_t(*grp)[3] = calloc(NG, sizeof *grp);
    for (int i = 0; i < NG; i++)
        grp[i][0] = 0x20, grp[i][1] = 0x7E, grp[i][2] = 3;
    c = cmap12(NG, grp, &n);
    with_cmap(font_reg, c, n, path);
    free(c);
    pdf_ttsub_map_peak = 0;
    assert_false(pdf_ttsub_usable(path));
    assert_true(pdf_ttsub_map_peak <= 0x110000);
    unlink(path);

    /* two groups overlapping by one code; then out of order */
    uint32_t two[2][3] = {{0x20, 0x40, 3}, {0x40, 0x50, 40}};
    c = cmap12(2, two, &n);
    with_cmap(font_reg, c, n, path);
    free(c);
    assert_false(pdf_ttsub_usable(path));
    unlink(path);
    uint32_t rev[2][3] = {{0x41, 0x50, 36}, {0x20, 0x30, 3}};
    c = cmap12(2, rev, &n);
    with_cmap(font_reg, c, n, path);
    free(c);
    assert_false(pdf_ttsub_usable(path));
    unlink(path);
    unsigned s2[2] = {0x41, 0x45}, e2[2] = {0x46, 0x50};   /* format 4 overlap */
    c = cmap4(2, s2, e2, &n);
    with_cmap(font_reg, c, n, path);
    free(c);
    assert_false(pdf_ttsub_usable(path));
    unlink(path);

    /* well-formed: ascending groups (and segments with the sentinel) are
     * read, and the programs are hb-subset's, unmapped codes included */
    uint32_t ok[3][3] = {{0x20, 0x7E, 3}, {0x80, 0x90, 120}, {0x1F600, 0x1F610, 200}};
    c = cmap12(3, ok, &n);
    with_cmap(font_reg, c, n, path);
    free(c);
    assert_true(pdf_ttsub_usable(path));
    uint32_t cs[4] = {0x41, 0x85, 0x1F601, 0x2000}, gs[4] = {36, 125, 201, 300};
    int before = differ;
    same(path, cs, gs, 4);
    same(path, cs + 2, gs + 2, 2);
    same(path, cs + 3, gs + 3, 1);
    assert_int_equal(differ, before);
    unlink(path);
    unsigned s3[3] = {0x20, 0x100, 0xFFFF}, e3[3] = {0x7E, 0x120, 0xFFFF};
    c = cmap4(3, s3, e3, &n);
    with_cmap(font_reg, c, n, path);
    free(c);
    assert_true(pdf_ttsub_usable(path));
    uint32_t cs4[3] = {0x41, 0x110, 0xFFFF}, gs4[3] = {0x42, 0x111, 5};
    same(path, cs4, gs4, 3);
    assert_int_equal(differ, before);
    unlink(path);
    free(grp);
}

/* more font files than the old 16-face table: each one is still read by
 * folio's subsetter (a first-come cap made the subsetter of the 17th
 * depend on which thread asked first) */
static void test_many_faces(void **state)
{
    (void)state;
    char path[20][64];
    unsigned s1[2] = {0x20, 0xFFFF}, e1[2] = {0x7E, 0xFFFF};
    for (int i = 0; i < 20; i++) {
        size_t n;
        uint8_t *c = cmap4(2, s1, e1, &n);    /* distinct files, same font */
        with_cmap(font_reg, c, n, path[i]);
        free(c);
    }
    for (int i = 0; i < 20; i++)
        assert_true(pdf_ttsub_usable(path[i]));
    for (int i = 0; i < 20; i++)
        unlink(path[i]);
}

/* a file that is not a font: neither subsets it */
static void test_not_a_font(void **state)
{
    (void)state;
    uint32_t gid = 36, code = 0x41, nid = 0;
    unsigned char *out = NULL;
    size_t len = 0;
    assert_int_equal(pdf_ttsub_renum("/etc/hostname", &gid, 1, &code, 1, &nid, &out, &len), 0);
    assert_null(out);
}

int main(void)
{
    const char *root = getenv("FOLIO_ROOT");
    snprintf(font_reg, sizeof font_reg, "%s/fonts/LiberationSans-Regular.ttf", root ? root : ".");
    snprintf(font_bold, sizeof font_bold, "%s/fonts/LiberationSans-Bold.ttf", root ? root : ".");
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_regular),
        cmocka_unit_test(test_bold),
        cmocka_unit_test(test_not_a_font),
        cmocka_unit_test(test_cmap_bomb),
        cmocka_unit_test(test_many_faces),
    };
    int rc = cmocka_run_group_tests(tests, NULL, NULL);
    fprintf(stderr, "test_ttsub: %d subsets compared, %d differ\n", cases, differ);
    return rc;
}
