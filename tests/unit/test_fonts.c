/* SPDX-License-Identifier: Apache-2.0 */
/*
 * test_fonts.c -- TrueType metrics (src/fonts.c) against Liberation Sans and
 * against the /W array libharu writes for the same font.
 *
 * Needs fonts/LiberationSans-Regular.ttf (`make fonts`); FOLIO_ROOT points at
 * the repository (default: the current directory).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <hpdf.h>
#include <locale.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "folio/fonts.h"

static char font_path[4096];

static folio_font *load_regular(void)
{
    folio_error err = { 0 };
    folio_font *f = fonts_load(font_path, &err);
    if (!f)
        fail_msg("fonts_load(%s): %s", font_path, err.msg);
    return f;
}

static int32_t utf8_sum(const folio_font *f, const char *s)
{
    int32_t sum = 0;
    size_t n = strlen(s);
    for (size_t i = 0; i < n;) {
        uint32_t cp;
        i += (size_t)folio_utf8_next(s + i, n - i, &cp);
        sum += fonts_char_width(f, cp);
    }
    return sum;
}

static void test_known_widths(void **state)
{
    (void)state;
    folio_font *f = load_regular();
    /* Liberation Sans is metric-compatible with Helvetica (A=667, space=278 in
     * Helvetica's AFM), but libharu states widths truncated, advance*1000/2048:
     * A = 1366 -> 666, space = 569 -> 277.  We follow libharu, since that is
     * what a viewer lays out (see test_widths_match_libharu). */
    assert_int_equal(fonts_char_width(f, 'A'), 666);
    assert_int_equal(fonts_char_width(f, 'a'), 556);
    assert_int_equal(fonts_char_width(f, ' '), 277);
    for (uint32_t c = '0'; c <= '9'; c++)
        assert_int_equal(fonts_char_width(f, c), 556);
    assert_int_equal(fonts_char_width(f, 'W'), 943);
    assert_int_equal(fonts_char_width(f, 'i'), 222);
    assert_string_equal(fonts_postscript_name(f), "LiberationSans");
    assert_string_equal(fonts_path(f), font_path);
    assert_int_equal(fonts_ascent(f), 905);     /* 1854/2048 */
    assert_int_equal(fonts_descent(f), 211);    /* 434/2048 */
    /* missing glyph: .notdef advance (1536/2048) */
    assert_int_equal(fonts_char_width(f, 0x4E2D), 750);
    assert_int_equal(fonts_glyph_id(f, 0x4E2D), 0);
    assert_int_not_equal(fonts_glyph_id(f, 'A'), 0);
    fonts_free(f);
}

static void test_has_glyph(void **state)
{
    (void)state;
    folio_font *f = load_regular();
    assert_true(fonts_has_glyph(f, 0x0141));    /* Ł */
    assert_true(fonts_has_glyph(f, 0x00EB));    /* ë */
    assert_true(fonts_has_glyph(f, 0x20AC));    /* € */
    assert_false(fonts_has_glyph(f, 0x4E2D));   /* 中 */
    assert_false(fonts_has_glyph(f, 0x1F600));  /* emoji, beyond the BMP */
    /* counted in one pass, the first one named; ASCII, 2-, 3-, 4-byte UTF-8 */
    uint32_t first = 7;
    assert_int_equal(fonts_count_missing(f, "Zo\xc3\xab", 4, &first), 0);
    assert_int_equal(first, 7);                  /* untouched when none */
    const char *t = "a\xe4\xb8\xad\xc5\x81" "b\xf0\x9f\x98\x80\xe4\xb8\xad"; /* a中Łb😀中 */
    assert_int_equal(fonts_count_missing(f, t, strlen(t), &first), 3);
    assert_int_equal(first, 0x4E2D);
    assert_int_equal(fonts_count_missing(f, t, strlen(t), NULL), 3);
    assert_int_equal(fonts_count_missing(f, "", 0, &first), 0);
    /* issue 11 (r-page): 8 printable ASCII bytes at a time; a byte that is
     * not (control, DEL, UTF-8) at every position of a 40-byte text, and
     * two of them, give the count character by character does */
    const unsigned char odd[] = {0x01, 0x1F, 0x7F, 0x09, 0xC5};
    for (size_t k = 0; k < sizeof odd; k++)
        for (size_t at = 0; at < 40; at++) {
            char buf[48];
            for (size_t i = 0; i < 40; i++)
                buf[i] = (char)(0x20 + (i * 7 + at) % 95);
            buf[at] = (char)odd[k];
            size_t n = 40;
            if (odd[k] == 0xC5)                  /* U+0141 Ł, 2 bytes */
                memmove(buf + at + 2, buf + at + 1, 39 - at), buf[at + 1] = (char)0x81, n = 41;
            size_t del = (at + 13) % n;          /* and a DEL elsewhere */
            if (del < at || del > at + n - 40)
                buf[del] = (char)0x7F;
            size_t want = 0;
            for (size_t i = 0; i < n;) {
                uint32_t cp;
                int l = folio_utf8_next(buf + i, n - i, &cp);
                want += !fonts_has_glyph(f, cp);
                i += (size_t)l;
            }
            first = 0;
            assert_int_equal(fonts_count_missing(f, buf, n, &first), want);
            assert_true(want > 0 && first != 0);
        }
    char all[95];
    for (int i = 0; i < 95; i++)
        all[i] = (char)(0x20 + i);
    assert_int_equal(fonts_count_missing(f, all, sizeof all, NULL), 0);
    fonts_free(f);
}

static void test_text_width(void **state)
{
    (void)state;
    folio_font *f = load_regular();
    const char *s = "Zo\xc3\xab M\xc3\xbcller";      /* Zoë Müller */
    int32_t sum = utf8_sum(f, s);
    assert_int_equal(sum, 610 + 556 + 556 + 277 + 833 + 556 + 222 + 222 +
                              556 + 333);   /* Z o ë sp M ü l l e r */
    /* size 1000 units: width equals the sum of 1/1000 em widths */
    assert_int_equal(fonts_text_width(f, s, strlen(s), 1000), sum);
    /* 9 pt = 180 units: rounded to nearest */
    int64_t exact = (int64_t)sum * 180;
    assert_int_equal(fonts_text_width(f, s, strlen(s), 180), (exact + 500) / 1000);
    assert_int_equal(fonts_text_width(f, "", 0, 180), 0);
    /* length is respected (no NUL needed) */
    assert_int_equal(fonts_text_width(f, "AAAA", 2, 1000), 2 * 666);
    /* non-BMP code point: .notdef width */
    assert_int_equal(fonts_text_width(f, "\xf0\x9f\x98\x80", 4, 1000), 750);
    fonts_free(f);
}

static void test_fit(void **state)
{
    (void)state;
    folio_font *f = load_regular();
    size_t next = 99;
    const char *s = "aaa bbb ccc";
    int32_t size = 1000;          /* widths in units == 1/1000 em sums */
    int32_t a3 = 3 * 556;         /* "aaa" */
    int32_t sp = 277;

    /* everything fits */
    assert_int_equal(fonts_fit(f, s, strlen(s), size, 100000, &next), strlen(s));
    assert_int_equal(next, strlen(s));
    /* exactly "aaa bbb" fits: break at the second space, skip it */
    assert_int_equal(fonts_fit(f, s, strlen(s), size, 2 * a3 + sp, &next), 7);
    assert_int_equal(next, 8);
    /* one unit less: only "aaa" */
    assert_int_equal(fonts_fit(f, s, strlen(s), size, 2 * a3 + sp - 1, &next), 3);
    assert_int_equal(next, 4);
    /* several spaces after the break are skipped */
    const char *s2 = "aaa   bbb";
    assert_int_equal(fonts_fit(f, s2, strlen(s2), size, a3 + 100, &next), 3);
    assert_int_equal(next, 6);
    /* no space: break at a character boundary */
    const char *w = "aaaaaaaa";
    assert_int_equal(fonts_fit(f, w, strlen(w), size, 5 * 556 + 10, &next), 5);
    assert_int_equal(next, 5);
    /* at least one character, even if it does not fit */
    assert_int_equal(fonts_fit(f, w, strlen(w), size, 1, &next), 1);
    assert_int_equal(next, 1);
    /* multi-byte characters are never split */
    const char *u = "\xc3\xab\xc3\xab\xc3\xab";     /* ëëë */
    assert_int_equal(fonts_fit(f, u, strlen(u), size, 2 * 556, &next), 4);
    assert_int_equal(next, 4);
    assert_int_equal(fonts_fit(f, u, strlen(u), size, 0, &next), 2);
    /* first word longer than the line: cut inside it, not at a later space */
    const char *s3 = "aaaaaa bb";
    assert_int_equal(fonts_fit(f, s3, strlen(s3), size, 4 * 556, &next), 4);
    assert_int_equal(next, 4);
    /* a newline forces a break */
    const char *s4 = "aa\nbb";
    assert_int_equal(fonts_fit(f, s4, strlen(s4), size, 100000, &next), 2);
    assert_int_equal(next, 3);
    /* next may be NULL; fitted prefix width never exceeds max_w */
    const char *s5 = "The quick brown fox jumps over the lazy dog";
    for (int32_t mw = 600; mw < 30000; mw += 397) {
        size_t n = fonts_fit(f, s5, strlen(s5), 180, mw, NULL);
        assert_true(n >= 1 && n <= strlen(s5));
        if (n > 1)
            assert_true(fonts_text_width(f, s5, n, 180) <= mw);
    }
    fonts_free(f);
}

static void test_not_a_font(void **state)
{
    (void)state;
    char path[] = "/tmp/folio-test-fonts-XXXXXX";
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    const char junk[] = "this is not a font, just some text long enough......";
    assert_int_equal(write(fd, junk, sizeof junk), (ssize_t)sizeof junk);
    close(fd);
    folio_error err = { 0 };
    assert_null(fonts_load(path, &err));
    assert_int_not_equal(err.code, 0);
    assert_non_null(strstr(err.msg, path));
    assert_non_null(strstr(err.msg, "not a TrueType font"));
    unlink(path);

    /* truncated font: the table directory points past the end */
    FILE *in = fopen(font_path, "rb");
    assert_non_null(in);
    char head[4096];
    assert_int_equal(fread(head, 1, sizeof head, in), sizeof head);
    fclose(in);
    strcpy(path, "/tmp/folio-test-fonts-XXXXXX");
    fd = mkstemp(path);
    assert_true(fd >= 0);
    assert_int_equal(write(fd, head, sizeof head), (ssize_t)sizeof head);
    close(fd);
    folio_error_clear(&err);
    assert_null(fonts_load(path, &err));
    assert_non_null(strstr(err.msg, path));
    unlink(path);

    folio_error_clear(&err);
    assert_null(fonts_load("/nonexistent/x.ttf", &err));
    assert_non_null(strstr(err.msg, "/nonexistent/x.ttf"));
}

/* Parse libharu's /W array ("/W [c [w w ...] c [w ...]]") of an uncompressed
 * PDF and compare every CID (== Unicode code point with UTF-8 encoding) with
 * fonts_char_width(). */
static void test_widths_match_libharu(void **state)
{
    (void)state;
    HPDF_Doc doc = HPDF_New(NULL, NULL);
    assert_non_null(doc);
    assert_int_equal(HPDF_UseUTFEncodings(doc), HPDF_OK);
    HPDF_SetCompressionMode(doc, HPDF_COMP_NONE);
    const char *name = HPDF_LoadTTFontFromFile(doc, font_path, HPDF_TRUE);
    assert_non_null(name);
    HPDF_Font hf = HPDF_GetFont(doc, name, "UTF-8");
    assert_non_null(hf);
    HPDF_Page page = HPDF_AddPage(doc);
    HPDF_Page_BeginText(page);
    HPDF_Page_SetFontAndSize(page, hf, 9);
    HPDF_Page_TextOut(page, 10, 10, "x");
    HPDF_Page_EndText(page);
    assert_int_equal(HPDF_SaveToStream(doc), HPDF_OK);
    HPDF_UINT32 size = HPDF_GetStreamSize(doc);
    char *pdf = malloc(size + 1);
    assert_non_null(pdf);
    HPDF_UINT32 got = size;
    assert_int_equal(HPDF_ReadFromStream(doc, (HPDF_BYTE *)pdf, &got), HPDF_OK);
    pdf[got] = 0;
    HPDF_Free(doc);

    folio_font *f = load_regular();
    char *p = memmem(pdf, got, "/DW ", 4);
    assert_non_null(p);
    int dw = atoi(p + 4);
    assert_int_equal(dw, 750);
    p = memmem(pdf, got, "/W [", 4);
    assert_non_null(p);
    p += 4;
    static int listed[65536];
    memset(listed, -1, sizeof listed);
    int checked = 0;
    for (;;) {
        while (*p == ' ' || *p == '\n' || *p == '\r')
            p++;
        if (*p == ']')
            break;
        long cid = strtol(p, &p, 10);
        while (*p == ' ' || *p == '\n' || *p == '\r')
            p++;
        assert_int_equal(*p, '[');
        p++;
        for (;;) {
            while (*p == ' ' || *p == '\n' || *p == '\r')
                p++;
            if (*p == ']') {
                p++;
                break;
            }
            long wv = strtol(p, &p, 10);
            assert_true(cid >= 0 && cid < 65536);
            listed[cid++] = (int)wv;
        }
    }
    for (uint32_t c = 0; c < 0xFFFE; c++) {
        int expect = listed[c] >= 0 ? listed[c] : dw;
        if (fonts_char_width(f, c) != expect)
            fail_msg("U+%04X: fonts %d, libharu /W %d", c, fonts_char_width(f, c),
                     expect);
        checked += listed[c] >= 0;
    }
    assert_true(checked > 500);    /* Liberation covers Latin, Greek, Cyrillic */
    fonts_free(f);
    free(pdf);
}

struct measure_job {
    const folio_font *f;
    const char *s;
    int32_t expect;
    int bad;
};

static void *measure(void *arg)
{
    struct measure_job *j = arg;
    j->bad = 0;
    for (int i = 0; i < 20000; i++)
        j->bad += fonts_text_width(j->f, j->s, strlen(j->s), 180) != j->expect;
    return NULL;
}

/* Any number of threads may measure with one font at once. */
static void test_concurrent_measure(void **state)
{
    (void)state;
    folio_font *f = load_regular();
    const char *s = "\xc5\x81ukasz M\xc3\xbcller 1,234.56";
    int32_t expect = fonts_text_width(f, s, strlen(s), 180);
    struct measure_job jobs[4];
    pthread_t th[4];
    for (int t = 0; t < 4; t++) {
        jobs[t] = (struct measure_job){ f, s, expect, -1 };
        assert_int_equal(pthread_create(&th[t], NULL, measure, &jobs[t]), 0);
    }
    for (int t = 0; t < 4; t++) {
        assert_int_equal(pthread_join(th[t], NULL), 0);
        assert_int_equal(jobs[t].bad, 0);
    }
    fonts_free(f);
}

/* Shrink-then-clip (fonts_fit_box): widths at size 1000 are the 1/1000-em
 * sums; 'a' and U+00EB are 556, the ellipsis U+2026 1000, '.' 277. */
static void check_fit(const folio_font *f, const char *s, const folio_text_fit *r,
                      int32_t box)
{
    /* what is drawn measures what the fit says, and stays in the box */
    char buf[8192];
    assert_true(r->len + r->ellipsis_len < sizeof buf);
    memcpy(buf, s, r->len);
    memcpy(buf + r->len, r->ellipsis, r->ellipsis_len);
    size_t n = r->len + r->ellipsis_len;
    assert_int_equal(fonts_text_width(f, buf, n, r->size), r->width);
    assert_true(r->width <= (box > 0 ? box : 0));
    size_t bad;
    assert_true(folio_utf8_valid(buf, n, &bad));      /* never a split character */
}

static void test_fit_box(void **state)
{
    (void)state;
    folio_font *f = load_regular();
    folio_text_fit r;
    assert_int_equal(fonts_char_width(f, 0x2026), 1000);
    assert_int_equal(fonts_char_width(f, '.'), 277);

    /* fits: drawn as is */
    assert_int_equal(fonts_fit_box(f, "aaaa", 4, 1000, 700, 4 * 556, true, &r), FOLIO_FIT_AS_IS);
    assert_int_equal(r.size, 1000);
    assert_int_equal(r.len, 4);
    assert_int_equal(r.ellipsis_len, 0);
    assert_int_equal(r.width, 2224);
    assert_int_equal(fonts_fit_box(f, "", 0, 1000, 700, 0, true, &r), FOLIO_FIT_AS_IS);

    /* shrinks: the largest size that fits (899), down to the 0.25 pt step */
    assert_int_equal(fonts_fit_box(f, "aaaa", 4, 1000, 700, 2000, true, &r), FOLIO_FIT_SHRUNK);
    assert_int_equal(r.size, 895);
    assert_int_equal(r.len, 4);
    assert_int_equal(r.ellipsis_len, 0);
    check_fit(f, "aaaa", &r, 2000);
    /* the minimum lies between the step and the exact fit: the minimum */
    assert_int_equal(fonts_fit_box(f, "aaaa", 4, 1000, 898, 2000, true, &r), FOLIO_FIT_SHRUNK);
    assert_int_equal(r.size, 898);
    check_fit(f, "aaaa", &r, 2000);

    /* clips at the minimum size: 3 x 389.2 + 700 for the ellipsis <= 2000 */
    const char *ten = "aaaaaaaaaa";
    assert_int_equal(fonts_fit_box(f, ten, 10, 1000, 700, 2000, true, &r), FOLIO_FIT_CLIPPED);
    assert_int_equal(r.size, 700);
    assert_int_equal(r.len, 3);
    assert_string_equal(r.ellipsis, "\xE2\x80\xA6");
    assert_int_equal(r.width, 1868);
    check_fit(f, ten, &r, 2000);
    /* "..." when U+2026 is not wanted (AFP code pages lack it) */
    assert_int_equal(fonts_fit_box(f, ten, 10, 1000, 700, 2000, false, &r), FOLIO_FIT_CLIPPED);
    assert_string_equal(r.ellipsis, "...");
    assert_int_equal(r.len, 3);
    check_fit(f, ten, &r, 2000);
    /* spaces before the cut are dropped */
    const char *sp = "aaa   bbbbbbbb";
    assert_int_equal(fonts_fit_box(f, sp, strlen(sp), 1000, 700, 2300, true, &r),
                     FOLIO_FIT_CLIPPED);
    assert_int_equal(r.len, 3);
    check_fit(f, sp, &r, 2300);
    /* not even the ellipsis fits: nothing is drawn */
    assert_int_equal(fonts_fit_box(f, ten, 10, 1000, 700, 500, true, &r), FOLIO_FIT_CLIPPED);
    assert_int_equal(r.len, 0);
    assert_int_equal(r.ellipsis_len, 0);
    assert_int_equal(r.width, 0);
    assert_int_equal(fonts_fit_box(f, ten, 10, 1000, 700, 0, true, &r), FOLIO_FIT_CLIPPED);
    assert_int_equal(r.len, 0);
    assert_int_equal(r.width, 0);

    /* multi-byte UTF-8: cut between characters, never inside one */
    const char *e = "\xc3\xab\xc3\xab\xc3\xab\xc3\xab\xc3\xab\xc3\xab";   /* 6 x U+00EB */
    assert_int_equal(fonts_fit_box(f, e, strlen(e), 1000, 700, 2000, true, &r),
                     FOLIO_FIT_CLIPPED);
    assert_int_equal(r.len, 6);                     /* 3 characters, 2 bytes each */
    check_fit(f, e, &r, 2000);
    /* 1-, 2-, 3- and 4-byte characters mixed: every box width cuts validly */
    const char *mix = "a\xc3\xab\xe2\x82\xac\xf0\x9f\x98\x80"
                      "a\xc3\xab\xe2\x82\xac\xf0\x9f\x98\x80" "a\xc3\xab";
    for (int32_t box = 0; box <= 8000; box += 37) {
        fonts_fit_box(f, mix, strlen(mix), 1000, 700, box, true, &r);
        check_fit(f, mix, &r, box);
    }

    /* a 5,000-character id in a 76 pt box at 7.5 pt: cut, inside the box */
    char *id = malloc(5001);
    assert_non_null(id);
    memset(id, 'X', 5000);
    memcpy(id, "C654046937", 10);
    id[5000] = 0;
    assert_int_equal(fonts_fit_box(f, id, 5000, 150, 0, 1520, true, &r), FOLIO_FIT_CLIPPED);
    assert_int_equal(r.size, 1);          /* min_size 0 is clamped to 1 unit */
    assert_int_equal(fonts_fit_box(f, id, 5000, 150, 105, 1520, true, &r), FOLIO_FIT_CLIPPED);
    assert_int_equal(r.size, 105);
    assert_true(r.len > 10 && r.len < 100);
    assert_memory_equal(id, "C654046937", 10);
    check_fit(f, id, &r, 1520);
    free(id);
    fonts_free(f);
}

int main(void)
{
    setlocale(LC_ALL, "");
    const char *root = getenv("FOLIO_ROOT");
    snprintf(font_path, sizeof font_path, "%s/fonts/LiberationSans-Regular.ttf",
             root && *root ? root : ".");
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_known_widths),
        cmocka_unit_test(test_has_glyph),
        cmocka_unit_test(test_text_width),
        cmocka_unit_test(test_fit),
        cmocka_unit_test(test_fit_box),
        cmocka_unit_test(test_not_a_font),
        cmocka_unit_test(test_widths_match_libharu),
        cmocka_unit_test(test_concurrent_measure),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
