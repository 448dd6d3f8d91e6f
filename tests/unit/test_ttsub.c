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
                FILE *fp = fopen("/tmp/ttsub-a.ttf", "wb");
                fwrite(a, 1, la, fp);
                fclose(fp);
                fp = fopen("/tmp/ttsub-b.ttf", "wb");
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
    };
    int rc = cmocka_run_group_tests(tests, NULL, NULL);
    fprintf(stderr, "test_ttsub: %d subsets compared, %d differ\n", cases, differ);
    return rc;
}
