/* SPDX-License-Identifier: Apache-2.0 */
/*
 * test_zkeep.c -- round 27 (issue 11): pdf_deflate_keyed (src/pdf-subset.c)
 * keeps deflated streams by key.  Whether made or copied, its output must
 * be pdf_deflate's bytes for the same input and level, and zlib's
 * uncompress (an independent inflater) must give the input back:
 *
 *   - a ToUnicode-like CMap text keyed by itself, and a sparse
 *     CIDToGIDMap keyed by a short code/glyph list, asked for twice;
 *   - the same key at two levels: two entries, each its level's bytes;
 *   - a key longer than the kept maximum: deflated, still right;
 *   - too small an output buffer: 0, then the right bytes with room;
 *   - four threads asking for the same keys at once;
 *   - round 29: pdf_map_deflate_bytes (src/pdf.c), a print file's 128 KB
 *     CIDToGIDMap kept with its raw bytes: made and copied give level 6's
 *     bytes; a map differing in one byte (same length) is not taken for
 *     the kept one; more maps than it keeps are still right.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include "pdf-private.h"

/* a ToUnicode CMap-like text of codes lo..hi */
static size_t cmap_text(char *b, size_t cap, unsigned lo, unsigned hi)
{
    size_t n = (size_t)snprintf(b, cap, "/CIDInit /ProcSet findresource begin\n"
                                        "%u beginbfchar\n", hi - lo + 1);
    for (unsigned c = lo; c <= hi && n + 32 < cap; c++)
        n += (size_t)snprintf(b + n, cap - n, "<%04X> <%04X>\n", c, c);
    n += (size_t)snprintf(b + n, cap - n, "endbfchar\nendcmap\n");
    return n;
}

/* checks z[zn] against pdf_deflate(level, in[n]) and inflates it back */
static void same_as_plain(const unsigned char *z, size_t zn, int level, const void *in,
                          size_t n)
{
    size_t cap = pdf_deflate_bound(n);
    unsigned char *ref = malloc(cap), *back = malloc(n + 1);
    assert_non_null(ref);
    assert_non_null(back);
    size_t rn = pdf_deflate(level, in, n, ref, cap);
    assert_true(rn > 0);
    assert_int_equal(zn, rn);
    assert_memory_equal(z, ref, rn);
    uLongf bn = (uLongf)n + 1;
    assert_int_equal(uncompress(back, &bn, z, (uLong)zn), Z_OK);
    assert_int_equal(bn, n);
    assert_memory_equal(back, in, n);
    free(ref);
    free(back);
}

static void test_text_and_map(void **state)
{
    (void)state;
    char text[8192];
    size_t tn = cmap_text(text, sizeof text, 0x20, 0x7E);
    unsigned char z[16384], z2[16384];
    for (int round = 0; round < 2; round++) {     /* made, then kept */
        size_t zn = pdf_deflate_keyed(text, tn, 1, text, tn, z, sizeof z);
        same_as_plain(z, zn, 1, text, tn);
    }
    /* a sparse map: 2 bytes a code up to U+2019, keyed by its pairs */
    size_t mlen = 2 * (0x2019 + 1);
    unsigned char *map = calloc(1, mlen);
    assert_non_null(map);
    uint32_t key[2 * 96];
    size_t k = 0;
    for (unsigned c = 0x20; c < 0x7F; c++, k++) {
        map[2 * c + 1] = (unsigned char)(c - 0x1F);
        key[2 * k] = c;
        key[2 * k + 1] = c - 0x1F;
    }
    map[2 * 0x2019 + 1] = 99;
    key[2 * k] = 0x2019;
    key[2 * k + 1] = 99;
    k++;
    size_t cap = pdf_deflate_bound(mlen);
    unsigned char *mz = malloc(cap);
    assert_non_null(mz);
    for (int round = 0; round < 2; round++) {
        size_t zn = pdf_deflate_keyed(key, 8 * k, 1, map, mlen, mz, cap);
        same_as_plain(mz, zn, 1, map, mlen);
    }
    /* another text under its own key: its own bytes, not the first's */
    char other[8192];
    size_t on = cmap_text(other, sizeof other, 0x30, 0x39);
    size_t zn2 = pdf_deflate_keyed(other, on, 1, other, on, z2, sizeof z2);
    same_as_plain(z2, zn2, 1, other, on);
    free(map);
    free(mz);
}

static void test_levels_and_limits(void **state)
{
    (void)state;
    char text[8192];
    size_t tn = cmap_text(text, sizeof text, 0x41, 0x5A);
    unsigned char z[16384];
    for (int round = 0; round < 2; round++)
        for (int level = 1; level <= 9; level += 8) {
            size_t zn = pdf_deflate_keyed(text, tn, level, text, tn, z, sizeof z);
            same_as_plain(z, zn, level, text, tn);
        }
    /* a key beyond the kept maximum (16 KB): deflated every time */
    size_t big = 40000;
    char *b = malloc(big);
    assert_non_null(b);
    for (size_t i = 0; i < big; i++)
        b[i] = (char)('a' + (i * 7 + i / 13) % 26);
    size_t cap = pdf_deflate_bound(big);
    unsigned char *bz = malloc(cap);
    assert_non_null(bz);
    for (int round = 0; round < 2; round++) {
        size_t zn = pdf_deflate_keyed(b, big, 1, b, big, bz, cap);
        same_as_plain(bz, zn, 1, b, big);
    }
    /* no room: 0 (kept entry or not), then the bytes when there is room */
    assert_int_equal(pdf_deflate_keyed(text, tn, 1, text, tn, z, 4), 0);
    char fresh[8192];
    size_t fn = cmap_text(fresh, sizeof fresh, 0x100, 0x140);
    assert_int_equal(pdf_deflate_keyed(fresh, fn, 1, fresh, fn, z, 4), 0);
    size_t zn = pdf_deflate_keyed(fresh, fn, 1, fresh, fn, z, sizeof z);
    same_as_plain(z, zn, 1, fresh, fn);
    free(b);
    free(bz);
}

static void *worker(void *arg)
{
    int *bad = arg;
    char text[8192];
    unsigned char z[16384], ref[16384];
    for (int i = 0; i < 200; i++) {
        unsigned lo = 0x20 + (unsigned)(i % 17);
        size_t tn = cmap_text(text, sizeof text, lo, lo + 40);
        size_t zn = pdf_deflate_keyed(text, tn, 1, text, tn, z, sizeof z);
        size_t rn = pdf_deflate(1, text, tn, ref, sizeof ref);
        if (!zn || zn != rn || memcmp(z, ref, rn))
            (*bad)++;
    }
    return NULL;
}

static void test_threads(void **state)
{
    (void)state;
    pthread_t t[4];
    int bad[4] = {0};
    for (int i = 0; i < 4; i++)
        assert_int_equal(pthread_create(&t[i], NULL, worker, &bad[i]), 0);
    for (int i = 0; i < 4; i++) {
        pthread_join(t[i], NULL);
        assert_int_equal(bad[i], 0);
    }
}

/* round 29: a whole-font map, 2 bytes a code point, glyph (c * 7) % 3000 */
static unsigned char *font_map(size_t *n, unsigned salt)
{
    *n = 2 * 65535;
    unsigned char *m = malloc(*n);
    assert_non_null(m);
    for (size_t c = 0; c < 65535; c++) {
        unsigned g = c < 32 ? 0 : (unsigned)((c * 7 + salt) % 3000);
        m[2 * c] = (unsigned char)(g >> 8);
        m[2 * c + 1] = (unsigned char)g;
    }
    return m;
}

static void test_map_kept(void **state)
{
    (void)state;
    size_t n;
    unsigned char *m = font_map(&n, 0);
    size_t cap = pdf_deflate_bound(n);
    unsigned char *z = malloc(cap);
    assert_non_null(z);
    for (int round = 0; round < 2; round++) {     /* made, then kept */
        memset(z, 0, cap);
        size_t zn = pdf_map_deflate_bytes(m, n, z, cap);
        same_as_plain(z, zn, 6, m, n);
    }
    m[2 * 0x4E00 + 1] ^= 1;                       /* one glyph id off */
    size_t zn = pdf_map_deflate_bytes(m, n, z, cap);
    same_as_plain(z, zn, 6, m, n);
    for (unsigned salt = 1; salt <= 12; salt++) { /* more than kept (8) */
        unsigned char *o = font_map(&n, salt);
        for (int round = 0; round < 2; round++) {
            zn = pdf_map_deflate_bytes(o, n, z, cap);
            same_as_plain(z, zn, 6, o, n);
        }
        free(o);
    }
    assert_int_equal(pdf_map_deflate_bytes(m, n, z, 8), 0);   /* no room */
    free(m);
    free(z);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_text_and_map),
        cmocka_unit_test(test_levels_and_limits),
        cmocka_unit_test(test_threads),
        cmocka_unit_test(test_map_kept),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
