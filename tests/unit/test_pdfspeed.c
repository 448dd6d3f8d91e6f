/* SPDX-License-Identifier: Apache-2.0 */
/*
 * test_pdfspeed.c -- what makes the PDF writer faster must not change what
 * it writes (issue 11 part 4, src/pdf.c, src/pdf-subset.c):
 *
 *   - libharu's HPDF_MemCpy / HPDF_MemSet, replaced by libc's: the same
 *     bytes and return values as libharu's byte loops, overlapping copies
 *     included;
 *   - whole-font CIDFonts (print files) built from the codes the font
 *     covers: the CIDToGIDMap still maps every code 0..0xFFFE to the glyph
 *     the font's cmap gives it (read here with HarfBuzz), 0 where it has
 *     none, in a first and a second document of the process;
 *   - deflated subsets kept by glyph set: the same bytes as a fresh
 *     hb-subset deflated at that level, first time and served again.
 *
 * Needs fonts/LiberationSans-*.ttf (`make fonts`).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <hb.h>
#include <hpdf.h>
#include <hpdf_utils.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zlib.h>

#include "pdf_streams.h"

#include "folio/dlist.h"
#include "folio/pdf.h"
#include "pdf-private.h"

static char tmpdir[] = "/tmp/folio-test-pdfspeed-XXXXXX";
static char font_reg[4096], font_bold[4096];

/* ---- HPDF_MemCpy / HPDF_MemSet ------------------------------------------- */

static void test_mem_helpers(void **state)
{
    (void)state;
    unsigned char a[64], b[64];
    for (int i = 0; i < 64; i++)
        a[i] = b[i] = (unsigned char)i;
    /* overlapping, destination after the source: libharu's forward loop
     * repeats the first bytes */
    HPDF_BYTE *r = HPDF_MemCpy(a + 3, a, 20);
    for (int i = 0; i < 20; i++)
        b[3 + i] = b[i];
    assert_ptr_equal(r, a + 23);
    assert_memory_equal(a, b, 64);
    /* overlapping, destination before the source */
    r = HPDF_MemCpy(a, a + 5, 30);
    for (int i = 0; i < 30; i++)
        b[i] = b[5 + i];
    assert_ptr_equal(r, a + 30);
    assert_memory_equal(a, b, 64);
    /* apart, and zero bytes */
    unsigned char c[16];
    assert_ptr_equal(HPDF_MemCpy(c, a, 16), c + 16);
    assert_memory_equal(c, a, 16);
    assert_ptr_equal(HPDF_MemCpy(c, a, 0), c);
    void *e = HPDF_MemSet(c, 0xAB, 10);
    assert_ptr_equal(e, c + 10);
    for (int i = 0; i < 10; i++)
        assert_int_equal(c[i], 0xAB);
    assert_int_equal(c[10], a[10]);
    assert_ptr_equal(HPDF_MemSet(c, 0, 0), c);
}

/* ---- whole-font CIDToGIDMap ---------------------------------------------- */

/* Write a print file of one page with `text`; return its bytes (malloc). */
static unsigned char *print_file(const char *name, const char *text, size_t *len)
{
    char path[4200];
    snprintf(path, sizeof path, "%s/%s", tmpdir, name);
    folio_arena arena;
    folio_arena_init(&arena, 64 * 1024);
    folio_dl_statement *st = dlist_statement_new(&arena, "H1", 12240, 15840);
    folio_dl_page *pg = dlist_page_add(st);
    assert_true(dlist_page_add_text(st, pg, 0, 200, 1440, 1440, 0x000000, text, strlen(text),
                                    true));
    folio_layout_font fonts[2] = {{.name = "regular", .file = font_reg},
                                  {.name = "bold", .file = font_bold}};
    folio_pdf_options po = {.title = "t", .compression = 6};
    folio_error err = {0};
    folio_pdf_writer *w = pdf_writer_open(path, fonts, 2, &po, &err);
    assert_non_null(w);
    assert_true(pdf_writer_add_statement(w, st, &err));
    uint64_t bytes = 0;
    assert_true(pdf_writer_close(w, &bytes, &err));
    folio_arena_free(&arena);
    FILE *f = fopen(path, "rb");
    assert_non_null(f);
    unsigned char *d = malloc(bytes + 1);
    assert_non_null(d);
    *len = fread(d, 1, bytes, f);
    fclose(f);
    unlink(path);
    return d;
}

/* The inflated streams of pdf that are exactly n bytes long, one after the
 * other into out (cap bytes); returns how many. */
static int streams_of_length(const unsigned char *pdf, size_t len, size_t n, unsigned char *out,
                             size_t cap)
{
    int k = 0;
    const unsigned char *z;
    size_t pos = 0, zlen, got;
    while ((size_t)(k + 1) * n <= cap &&
           pdf_next_stream(pdf, len, &pos, out + (size_t)k * n, cap - (size_t)k * n, &z, &zlen,
                           &got))
        if (got == n)
            k++;
    return k;
}

/* Every code 0..0xFFFE of map (big-endian glyph ids) is the glyph HarfBuzz
 * finds for it in font file `file` (0: none; code 0 always 0). */
static void check_map(const unsigned char *map, const char *file)
{
    hb_blob_t *blob = hb_blob_create_from_file(file);
    hb_face_t *face = hb_face_create(blob, 0);
    hb_font_t *font = hb_font_create(face);
    unsigned with_glyph = 0;
    for (unsigned c = 0; c < 0xFFFF; c++) {
        hb_codepoint_t g = 0;
        if (c == 0 || !hb_font_get_nominal_glyph(font, c, &g))
            g = 0;
        unsigned got = (unsigned)map[2 * c] << 8 | map[2 * c + 1];
        if (got != g)
            fail_msg("%s: code U+%04X maps to glyph %u, the font's cmap says %u", file, c, got,
                     (unsigned)g);
        with_glyph += g != 0;
    }
    assert_true(with_glyph > 1000);          /* Liberation Sans: ~2,600 */
    hb_font_destroy(font);
    hb_face_destroy(face);
    hb_blob_destroy(blob);
}

static void test_whole_font_map(void **state)
{
    (void)state;
    static unsigned char maps[4 * 0xFFFF * 2];
    /* the first print file of the process finds the codes; the second uses
     * them: both carry complete maps */
    for (int round = 0; round < 2; round++) {
        size_t len = 0;
        unsigned char *pdf = print_file(round ? "b.pdf" : "a.pdf", "Balance 1,234.56", &len);
        int n = streams_of_length(pdf, len, 0xFFFF * 2, maps, sizeof maps);
        free(pdf);
        assert_int_equal(n, 2);              /* regular, bold (files in the order opened) */
        check_map(maps, font_reg);
        check_map(maps + 0xFFFF * 2, font_bold);
    }
}

/* ---- deflated subsets ------------------------------------------------------ */

static void test_subset_cache(void **state)
{
    (void)state;
    static const uint32_t codes[] = {0x20, 0x30, 0x31, 0x41, 0x61, 0xE9};
    const size_t n = sizeof codes / sizeof codes[0];
    uint32_t gids[6];
    hb_blob_t *blob = hb_blob_create_from_file(font_reg);
    hb_face_t *face = hb_face_create(blob, 0);
    hb_font_t *font = hb_font_create(face);
    for (size_t i = 0; i < n; i++) {
        hb_codepoint_t g = 0;
        assert_true(hb_font_get_nominal_glyph(font, codes[i], &g));
        gids[i] = g;
    }
    hb_font_destroy(font);
    hb_face_destroy(face);
    hb_blob_destroy(blob);

    unsigned char *prog = NULL;
    size_t plen = 0;
    assert_true(pdf_subset_font(font_reg, gids, n, codes, n, &prog, &plen));
    for (int level = 1; level <= 6; level += 5) {
        size_t cap = pdf_deflate_bound(plen);
        unsigned char *fresh = malloc(cap);
        assert_non_null(fresh);
        size_t flen = pdf_deflate(level, prog, plen, fresh, cap);
        assert_true(flen > 0);
        for (int round = 0; round < 3; round++) {       /* made, then served */
            unsigned char *z = NULL;
            size_t zlen = 0, raw = 0;
            assert_true(pdf_subset_deflated(font_reg, gids, codes, n, level, &z, &zlen, &raw));
            assert_int_equal(raw, plen);
            assert_int_equal(zlen, flen);
            assert_memory_equal(z, fresh, flen);
            free(z);
        }
        free(fresh);
    }
    /* one code fewer: another program, not the kept one */
    unsigned char *z = NULL;
    size_t zlen = 0, raw = 0;
    assert_true(pdf_subset_deflated(font_reg, gids, codes, n - 1, 6, &z, &zlen, &raw));
    assert_true(raw < plen);
    free(z);
    free(prog);
}

/* r-arch (issue 11/14 archive size): a renumbered subset holds .notdef and
 * the glyphs asked for (and composites' parts), in old-id order; the new id
 * reported for each code is that code's glyph (same advance and outline
 * extents as in the font); it is smaller than the kept-id program and
 * cached apart from it (a second call gives the same bytes and ids).
 * r-arch3 (round 23): it has no cmap, post or name table (a CIDFontType2
 * program is reached through the CIDToGIDMap); the kept-id one keeps cmap. */
static bool has_table(hb_face_t *f, hb_tag_t tag)
{
    hb_blob_t *t = hb_face_reference_table(f, tag);
    bool has = hb_blob_get_length(t) > 0;
    hb_blob_destroy(t);
    return has;
}

static void test_subset_renumbered(void **state)
{
    (void)state;
    static const uint32_t codes[] = {0x20, 0x30, 0x31, 0x41, 0x61, 0xE9, 0x20AC};
    const size_t n = sizeof codes / sizeof codes[0];
    uint32_t gids[7], renum[7], again[7];
    hb_blob_t *blob = hb_blob_create_from_file(font_reg);
    hb_face_t *face = hb_face_create(blob, 0);
    hb_font_t *font = hb_font_create(face);
    for (size_t i = 0; i < n; i++) {
        hb_codepoint_t g = 0;
        assert_true(hb_font_get_nominal_glyph(font, codes[i], &g));
        gids[i] = g;
    }

    unsigned char *kept = NULL, *prog = NULL;
    size_t klen = 0, plen = 0;
    assert_true(pdf_subset_font(font_reg, gids, n, codes, n, &kept, &klen));
    assert_true(pdf_subset_font_renum(font_reg, gids, n, codes, n, renum, &prog, &plen));
    assert_true(plen < klen);
    hb_blob_t *sb = hb_blob_create((const char *)prog, (unsigned)plen, HB_MEMORY_MODE_READONLY,
                                   NULL, NULL);
    hb_face_t *sf = hb_face_create(sb, 0);
    unsigned ng = hb_face_get_glyph_count(sf);   /* .notdef, these, composites' parts */
    assert_true(ng >= n + 1 && ng < n + 8);
    hb_font_t *sfont = hb_font_create(sf);
    hb_blob_t *kb = hb_blob_create((const char *)kept, (unsigned)klen, HB_MEMORY_MODE_READONLY,
                                   NULL, NULL);
    hb_face_t *kf = hb_face_create(kb, 0);
    assert_false(has_table(sf, HB_TAG('c', 'm', 'a', 'p')));
    assert_false(has_table(sf, HB_TAG('p', 'o', 's', 't')));
    assert_false(has_table(sf, HB_TAG('n', 'a', 'm', 'e')));
    assert_true(has_table(sf, HB_TAG('O', 'S', '/', '2')));
    assert_true(has_table(kf, HB_TAG('c', 'm', 'a', 'p')));
    hb_face_destroy(kf);
    hb_blob_destroy(kb);
    for (size_t i = 0; i < n; i++) {
        assert_true(renum[i] >= 1 && renum[i] < ng);
        assert_int_equal(hb_font_get_glyph_h_advance(sfont, renum[i]),
                         hb_font_get_glyph_h_advance(font, gids[i]));
        hb_glyph_extents_t a, b;
        assert_true(hb_font_get_glyph_extents(font, gids[i], &a));
        assert_true(hb_font_get_glyph_extents(sfont, renum[i], &b));
        assert_memory_equal(&a, &b, sizeof a);
        for (size_t j = 0; j < n; j++)            /* old order kept */
            if (gids[j] < gids[i])
                assert_true(renum[j] < renum[i]);
    }
    hb_font_destroy(sfont);
    hb_face_destroy(sf);
    hb_blob_destroy(sb);
    hb_font_destroy(font);
    hb_face_destroy(face);
    hb_blob_destroy(blob);

    for (int round = 0; round < 2; round++) {      /* made, then served */
        unsigned char *z = NULL;
        size_t zlen = 0, raw = 0;
        memset(again, 0xFF, sizeof again);
        assert_true(pdf_subset_deflated_renum(font_reg, gids, codes, n, 1, again, &z, &zlen,
                                              &raw));
        assert_int_equal(raw, plen);
        assert_memory_equal(again, renum, sizeof renum);
        free(z);
    }
    unsigned char *z = NULL;                       /* the kept-id entry stays apart */
    size_t zlen = 0, raw = 0;
    assert_true(pdf_subset_deflated(font_reg, gids, codes, n, 1, &z, &zlen, &raw));
    assert_int_equal(raw, klen);
    free(z);
    free(kept);
    free(prog);
}

static int setup(void **state)
{
    (void)state;
    if (!mkdtemp(tmpdir))
        return -1;
    const char *root = getenv("FOLIO_ROOT");
    snprintf(font_reg, sizeof font_reg, "%s/fonts/LiberationSans-Regular.ttf",
             root ? root : ".");
    snprintf(font_bold, sizeof font_bold, "%s/fonts/LiberationSans-Bold.ttf",
             root ? root : ".");
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    rmdir(tmpdir);
    return 0;
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_mem_helpers),
        cmocka_unit_test(test_whole_font_map),
        cmocka_unit_test(test_subset_cache),
        cmocka_unit_test(test_subset_renumbered),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
