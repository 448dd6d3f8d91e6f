/* SPDX-License-Identifier: Apache-2.0 */
/*
 * test_subset_faces.c -- issue 12 (r-harden, round 27): src/pdf-subset.c
 * keeps the HarfBuzz faces of the first 16 font files; a 17th was
 * "unreadable" and could not be subset, so in a run of more than 16 fonts
 * that only HarfBuzz subsets, which fonts were embedded whole or refused
 * depended on the order threads first asked -- output differed between
 * thread counts.  Here 20 distinct files (copies of Liberation Sans) are
 * asked in order: every one is readable, and every one's subset is the
 * same program byte for byte as the first's (the 17th to 20th's too).
 *
 * Needs fonts/LiberationSans-Regular.ttf (`make fonts`).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "pdf-private.h"

#define NFILES 20

static char font_reg[4096];

static void copy_file(const char *from, const char *to)
{
    FILE *a = fopen(from, "rb"), *b = fopen(to, "wb");
    assert_non_null(a);
    assert_non_null(b);
    char buf[65536];
    size_t n;
    while ((n = fread(buf, 1, sizeof buf, a)) > 0)
        assert_int_equal(fwrite(buf, 1, n, b), n);
    fclose(a);
    assert_int_equal(fclose(b), 0);
}

static void test_past_16_faces(void **state)
{
    (void)state;
    char dir[] = "/tmp/folio-subset-faces-XXXXXX";
    assert_non_null(mkdtemp(dir));
    char path[NFILES][64];
    for (int i = 0; i < NFILES; i++) {
        snprintf(path[i], sizeof path[i], "%s/f%02d.ttf", dir, i);
        copy_file(font_reg, path[i]);
    }
    uint32_t gids[] = {36, 37, 38, 68, 69}, codes[] = {'A', 'B', 'C', 'a', 'b'};
    unsigned char *first = NULL;
    size_t first_len = 0;
    for (int i = 0; i < NFILES; i++) {
        assert_true(pdf_subset_readable(path[i]));
        unsigned char *out = NULL;
        size_t len = 0;
        assert_true(pdf_subset_font(path[i], gids, 5, codes, 5, &out, &len));
        assert_true(len > 0);
        if (!first) {
            first = out;
            first_len = len;
            continue;
        }
        assert_int_equal(len, first_len);
        assert_memory_equal(out, first, len);
        free(out);
    }
    /* asked again, the faces past the 16th still read (no table slot) */
    for (int i = NFILES - 1; i >= 0; i--)
        assert_true(pdf_subset_readable(path[i]));
    free(first);
    for (int i = 0; i < NFILES; i++)
        unlink(path[i]);
    rmdir(dir);
}

int main(void)
{
    const char *root = getenv("FOLIO_ROOT");
    snprintf(font_reg, sizeof font_reg, "%s/fonts/LiberationSans-Regular.ttf", root ? root : ".");
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_past_16_faces),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
