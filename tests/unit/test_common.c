/* SPDX-License-Identifier: Apache-2.0 */
/* Unit tests: money, dates, buffers, UTF-8 (src/common.c). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <locale.h>
#include <stdio.h>
#include <string.h>

#include "folio/common.h"

static void test_money_parse(void **state)
{
    (void)state;
    folio_money m;
    const char *why;
    assert_true(folio_money_parse("12.34", 5, '.', 2, &m, NULL)); assert_int_equal(m, 1234);
    assert_true(folio_money_parse("-0.05", 5, '.', 2, &m, NULL)); assert_int_equal(m, -5);
    assert_true(folio_money_parse("12.3", 4, '.', 2, &m, NULL)); assert_int_equal(m, 1230);
    assert_true(folio_money_parse("12", 2, '.', 2, &m, NULL)); assert_int_equal(m, 1200);
    assert_true(folio_money_parse("+7,5", 4, ',', 2, &m, NULL)); assert_int_equal(m, 750);
    assert_true(folio_money_parse("15.00-", 6, '.', 2, &m, NULL)); assert_int_equal(m, -1500);
    assert_true(folio_money_parse(".5", 2, '.', 2, &m, NULL)); assert_int_equal(m, 50);
    assert_true(folio_money_parse("92233720368547758.07", 20, '.', 2, &m, NULL));
    assert_int_equal(m, INT64_MAX);
    assert_false(folio_money_parse("92233720368547758.08", 20, '.', 2, &m, &why));
    assert_string_equal(why, "out of range");
    assert_false(folio_money_parse("12.3x", 5, '.', 2, &m, &why));
    assert_string_equal(why, "not a number");
    assert_false(folio_money_parse("1.234", 5, '.', 2, &m, &why));
    assert_string_equal(why, "too many decimals");
    assert_false(folio_money_parse("", 0, '.', 2, &m, &why));
    assert_false(folio_money_parse("-", 1, '.', 2, &m, &why));
    assert_false(folio_money_parse("1,000.00", 8, '.', 2, &m, &why));
    assert_false(folio_money_parse("1 000", 5, '.', 2, &m, &why));
    assert_false(folio_money_parse("1e5", 3, '.', 2, &m, &why));
    assert_false(folio_money_parse("1.2.3", 5, '.', 2, &m, &why));
}

static void test_money_format_roundtrip(void **state)
{
    (void)state;
    char buf[64];
    folio_money_format(-123456, 2, '.', ',', buf, sizeof buf);
    assert_string_equal(buf, "-1,234.56");
    folio_money_format(5, 2, '.', ',', buf, sizeof buf);
    assert_string_equal(buf, "0.05");
    folio_money_format(0, 2, '.', ',', buf, sizeof buf);
    assert_string_equal(buf, "0.00");
    folio_money_format(100000000, 2, ',', '.', buf, sizeof buf);
    assert_string_equal(buf, "1.000.000,00");
    folio_money_format(INT64_MIN, 2, '.', 0, buf, sizeof buf);
    assert_string_equal(buf, "-92233720368547758.08");
    folio_money_format(1234, 0, '.', ',', buf, sizeof buf);
    assert_string_equal(buf, "1,234");
    /* round trip over a spread of values, both decimal marks */
    uint64_t x = 88172645463325252ULL;
    for (int i = 0; i < 20000; i++) {
        x ^= x << 13; x ^= x >> 7; x ^= x << 17;
        folio_money v = (folio_money)(x >> (i % 50)) * ((i & 1) ? -1 : 1);
        if (v == INT64_MIN) continue;
        folio_money back;
        size_t n = folio_money_format(v, 2, '.', 0, buf, sizeof buf);
        assert_true(folio_money_parse(buf, n, '.', 2, &back, NULL));
        assert_true(back == v);
        n = folio_money_format(v, 2, ',', 0, buf, sizeof buf);
        assert_true(folio_money_parse(buf, n, ',', 2, &back, NULL));
        assert_true(back == v);
    }
    /* issue 11 (r-page): against digits from printf, the mark and the
     * groups put in here, for 0 to 4 minor digits, grouped and not */
    for (int i = 0; i < 20000; i++) {
        x ^= x << 13; x ^= x >> 7; x ^= x << 17;
        folio_money v = (folio_money)(x >> (i % 60)) * ((i & 1) ? -1 : 1);
        if (v == INT64_MIN) continue;
        int md = i % 5;
        char group = (i / 5) & 1 ? ',' : 0;
        char dig[32], want[64];
        int nd = snprintf(dig, sizeof dig, "%llu",
                          (unsigned long long)(v < 0 ? -v : v));
        while (nd <= md) {                  /* at least one whole digit */
            memmove(dig + 1, dig, (size_t)nd + 1);
            dig[0] = '0';
            nd++;
        }
        int w = 0, whole = nd - md;
        if (v < 0)
            want[w++] = '-';
        for (int k = 0; k < nd; k++) {
            if (k == whole)
                want[w++] = '.';
            else if (k > 0 && k < whole && group && (whole - k) % 3 == 0)
                want[w++] = group;
            want[w++] = dig[k];
        }
        want[w] = 0;
        size_t n = folio_money_format(v, md, '.', group, buf, sizeof buf);
        assert_string_equal(buf, want);
        assert_int_equal(n, (size_t)w);
    }
}

static void test_dates(void **state)
{
    (void)state;
    folio_date d;
    assert_true(folio_date_from_ymd(1970, 1, 1, &d)); assert_int_equal(d, 0);
    assert_true(folio_date_parse("2026-10-31", 10, "YYYY-MM-DD", &d));
    int y, m, dd;
    folio_date_to_ymd(d, &y, &m, &dd);
    assert_int_equal(y, 2026); assert_int_equal(m, 10); assert_int_equal(dd, 31);
    assert_true(folio_date_parse("930101", 6, "YYMMDD", &d));
    folio_date_to_ymd(d, &y, &m, &dd);
    assert_int_equal(y, 1993);
    assert_true(folio_date_parse("050101", 6, "YYMMDD", &d));
    folio_date_to_ymd(d, &y, &m, &dd);
    assert_int_equal(y, 2005);
    assert_true(folio_date_parse("29.02.2024", 10, "DD.MM.YYYY", &d));
    assert_false(folio_date_parse("29.02.2023", 10, "DD.MM.YYYY", &d));
    assert_false(folio_date_parse("2026-13-45", 10, "YYYY-MM-DD", &d));
    assert_false(folio_date_parse("2026-1-5", 8, "YYYY-MM-DD", &d));
    assert_false(folio_date_parse("2026-10-31x", 11, "YYYY-MM-DD", &d));
    assert_true(folio_date_parse("931231 00:00:00", 15, "YYMMDD*", &d));
    /* every day of 1800..2400 round-trips */
    folio_date a, b;
    assert_true(folio_date_from_ymd(1800, 1, 1, &a));
    assert_true(folio_date_from_ymd(2400, 12, 31, &b));
    for (folio_date x = a; x <= b; x++) {
        folio_date_to_ymd(x, &y, &m, &dd);
        folio_date back;
        assert_true(folio_date_from_ymd(y, m, dd, &back));
        assert_int_equal(back, x);
    }
    char buf[64];
    assert_true(folio_date_from_ymd(2026, 11, 1, &d));
    folio_date_format(d, "MM/DD/YYYY", buf, sizeof buf);
    assert_string_equal(buf, "11/01/2026");
    folio_date_format(d, "Month DD, YYYY", buf, sizeof buf);
    assert_string_equal(buf, "November 01, 2026");
    folio_date_format(d, "DD Mon YY", buf, sizeof buf);
    assert_string_equal(buf, "01 Nov 26");
    folio_date s;
    assert_true(folio_date_from_ymd(2026, 1, 31, &s));
    assert_true(folio_date_from_ymd(2026, 3, 30, &d));
    assert_int_equal(folio_date_months_between(s, d), 1);
}

static void test_buf(void **state)
{
    (void)state;
    folio_buf b;
    folio_buf_init(&b, 64);
    assert_true(folio_buf_put_csv_field(&b, "a,\"b\"", 5));
    assert_string_equal(b.data, "\"a,\"\"b\"\"\"");
    folio_buf_reset(&b);
    /* CSV injection: cells starting = + - @ TAB CR get a leading ' and
     * quotes; a cell that would read back as neutralised gets one too */
    static const char *const cells[][2] = {
        {"=HYPERLINK(\"x\")", "\"'=HYPERLINK(\"\"x\"\")\""}, {"+1", "\"'+1\""},
        {"-2", "\"'-2\""}, {"@SUM(A1)", "\"'@SUM(A1)\""}, {"\tx", "\"'\tx\""},
        {"\rx", "\"'\rx\""}, {"'=x", "\"''=x\""}, {"''", "\"'''\""},
        {"'a", "'a"}, {"'", "'"}, {"a-b", "a-b"}, {"", ""}};
    for (size_t i = 0; i < sizeof cells / sizeof *cells; i++) {
        folio_buf_reset(&b);
        assert_true(folio_buf_put_csv_field(&b, cells[i][0], strlen(cells[i][0])));
        assert_string_equal(b.data ? b.data : "", cells[i][1]);
        /* reading back: unquote, then skip what folio_csv_cell_skip says */
        char un[64];
        size_t n = 0;
        const char *w = cells[i][1];
        bool q = *w == '"';
        for (w += q; *w && !(q && *w == '"' && w[1] != '"'); w++) {
            if (q && *w == '"')
                w++;
            un[n++] = *w;
        }
        size_t k = folio_csv_cell_skip(un, n);
        assert_int_equal(n - k, strlen(cells[i][0]));
        assert_memory_equal(un + k, cells[i][0], n - k);
    }
    folio_buf_reset(&b);
    assert_true(folio_buf_put_json_str(&b, "x\"\n\x01", 4));
    assert_string_equal(b.data, "\"x\\\"\\n\\u0001\"");
    folio_buf_reset(&b);
    assert_true(folio_buf_put_fixed(&b, 1250, 2));
    assert_string_equal(b.data, "12.5");
    folio_buf_reset(&b);
    assert_true(folio_buf_put_int(&b, -42));
    assert_string_equal(b.data, "-42");
    /* the hard cap holds and sticks */
    char big[100];
    memset(big, 'x', sizeof big);
    assert_false(folio_buf_append(&b, big, sizeof big));
    assert_true(b.failed);
    assert_false(folio_buf_putc(&b, 'y'));
    folio_buf_free(&b);
}

static void test_utf8(void **state)
{
    (void)state;
    size_t at;
    assert_true(folio_utf8_valid("Zoë Łukasz Nguyễn 中", strlen("Zoë Łukasz Nguyễn 中"), &at));
    assert_false(folio_utf8_valid("ab\xff", 3, &at)); assert_int_equal(at, 2);
    assert_false(folio_utf8_valid("\xc0\xaf", 2, &at)); assert_int_equal(at, 0);   /* overlong */
    assert_false(folio_utf8_valid("\xed\xa0\x80", 3, &at));                          /* surrogate */
    assert_false(folio_utf8_valid("abcdefgh\xc3", 9, &at)); assert_int_equal(at, 8); /* truncated */
    assert_false(folio_utf8_valid("\xf4\x90\x80\x80", 4, &at));                      /* > U+10FFFF */
    uint32_t cp;
    assert_int_equal(folio_utf8_next("Ł", 2, &cp), 2);
    assert_int_equal(cp, 0x141);
}

static void test_arena(void **state)
{
    (void)state;
    folio_arena a;
    folio_arena_init(&a, 1024);
    for (int i = 0; i < 1000; i++) {
        char *p = folio_arena_alloc(&a, (size_t)(i % 100) + 1);
        assert_non_null(p);
        assert_int_equal((uintptr_t)p % 16, 0);
        memset(p, 1, (size_t)(i % 100) + 1);
    }
    char *big = folio_arena_alloc(&a, 100000);
    assert_non_null(big);
    memset(big, 2, 100000);
    folio_arena_reset(&a);
    assert_true(a.total <= 1024);
    assert_string_equal(folio_arena_strdup(&a, "hello"), "hello");
    folio_arena_free(&a);
}

/* issue 11 (r-twothr): an arena whose first block is the caller's memory
 * allocates in it, spills into malloc'd blocks when it is full, keeps it
 * (and only it) on reset, and never frees it (a static buffer here: a free()
 * of it would abort). */
static void test_arena_buf(void **state)
{
    (void)state;
    static _Alignas(16) unsigned char buf[64 * 1024];
    folio_arena a;
    folio_arena_init_buf(&a, buf, sizeof buf);
    for (int round = 0; round < 3; round++) {
        char *p = folio_arena_alloc(&a, 1000);
        assert_non_null(p);
        assert_true((unsigned char *)p >= buf && (unsigned char *)p + 1000 <= buf + sizeof buf);
        memset(p, 'a' + round, 1000);
        size_t in = 0, out = 0;
        for (int i = 0; i < 200; i++) {     /* ~200 KB: past the buffer */
            unsigned char *q = folio_arena_alloc(&a, 1000);
            assert_non_null(q);
            assert_int_equal((uintptr_t)q % 16, 0);
            if (q >= buf && q < buf + sizeof buf)
                in++;
            else
                out++;
            memset(q, 'x', 1000);
        }
        assert_true(in > 50 && out > 100);
        char *big = folio_arena_alloc(&a, 300000);   /* a one-off block */
        assert_non_null(big);
        memset(big, 'y', 300000);
        char *z = folio_arena_calloc(&a, 5000);
        for (int i = 0; i < 5000; i++)
            assert_int_equal(z[i], 0);
        assert_int_equal(p[999], 'a' + round);       /* not overwritten */
        folio_arena_reset(&a);
        assert_true(a.total <= sizeof buf);          /* the buffer only */
        char *r = folio_arena_alloc(&a, 16);
        assert_true((unsigned char *)r >= buf && (unsigned char *)r < buf + sizeof buf);
        char *zz = folio_arena_calloc(&a, 4000);     /* zeros over old bytes */
        for (int i = 0; i < 4000; i++)
            assert_int_equal(zz[i], 0);
        folio_arena_reset(&a);
    }
    folio_arena_free(&a);
    assert_null(a.head);
    /* too small for a block header: a plain arena of malloc'd blocks */
    folio_arena s;
    folio_arena_init_buf(&s, buf, 16);
    char *p = folio_arena_alloc(&s, 100);
    assert_non_null(p);
    assert_false((unsigned char *)p >= buf && (unsigned char *)p < buf + sizeof buf);
    folio_arena_free(&s);
}

/* The bounded append never writes past the buffer, even after the text no
 * longer fits (the `len += snprintf` idiom wrapped there), and marks a cut. */
static void test_str_appendf(void **state)
{
    (void)state;
    char guard_lo[8], buf[16], guard_hi[8];
    memset(guard_lo, 'L', sizeof guard_lo);
    memset(guard_hi, 'H', sizeof guard_hi);
    memset(buf, 'x', sizeof buf);
    size_t n = 0;
    assert_true(folio_str_appendf(buf, sizeof buf, &n, "%s", "abc"));
    assert_int_equal(n, 3);
    assert_string_equal(buf, "abc");
    assert_true(folio_str_appendf(buf, sizeof buf, &n, ", %d", 42));
    assert_string_equal(buf, "abc, 42");
    /* exactly full: 15 characters + NUL */
    assert_true(folio_str_appendf(buf, sizeof buf, &n, "%s", "12345678"));
    assert_int_equal(n, 15);
    assert_string_equal(buf, "abc, 4212345678");
    for (int i = 0; i < 100; i++)
        assert_false(folio_str_appendf(buf, sizeof buf, &n, "%s", "more text"));
    assert_int_equal(n, 15);
    assert_int_equal(strlen(buf), 15);
    /* a cut in the middle ends in "..." */
    n = 0;
    assert_true(folio_str_appendf(buf, sizeof buf, &n, "%s", "0123456789"));
    assert_false(folio_str_appendf(buf, sizeof buf, &n, "%s", "abcdefghij"));
    assert_int_equal(n, sizeof buf - 1);
    assert_string_equal(buf, "0123456789ab...");
    assert_false(folio_str_appendf(buf, sizeof buf, &n, "x"));
    assert_string_equal(buf, "0123456789ab...");
    for (size_t i = 0; i < sizeof guard_lo; i++) {
        assert_int_equal(guard_lo[i], 'L');
        assert_int_equal(guard_hi[i], 'H');
    }
}

/* Checked sums: the largest amounts sum exactly up to INT64_MAX and refuse
 * to wrap past either end, leaving the accumulator as it was. */
static void test_money_add(void **state)
{
    (void)state;
    folio_money acc = 0;
    assert_true(folio_money_add(&acc, INT64_MAX - 1));
    assert_true(folio_money_add(&acc, 1));
    assert_int_equal(acc, INT64_MAX);
    assert_false(folio_money_add(&acc, 1));
    assert_int_equal(acc, INT64_MAX);
    /* two credits of 92,233,720,368,547,758.07 do not sum */
    acc = INT64_MAX;
    assert_false(folio_money_add(&acc, INT64_MAX));
    assert_int_equal(acc, INT64_MAX);
    assert_true(folio_money_add(&acc, -INT64_MAX));
    assert_int_equal(acc, 0);
    acc = -INT64_MAX;
    assert_true(folio_money_add(&acc, -1));
    assert_int_equal(acc, INT64_MIN);
    assert_false(folio_money_add(&acc, -1));
    assert_int_equal(acc, INT64_MIN);
    acc = 0;
    assert_false(folio_money_sub(&acc, INT64_MIN));   /* -MIN does not exist */
    assert_int_equal(acc, 0);
    assert_true(folio_money_sub(&acc, INT64_MAX));
    assert_int_equal(acc, -INT64_MAX);
    assert_true(folio_money_sub(&acc, 1));
    assert_false(folio_money_sub(&acc, 1));
    assert_int_equal(acc, INT64_MIN);
    acc = 100;
    assert_true(folio_money_sub(&acc, 250));
    assert_int_equal(acc, -150);
}

int main(void)
{
    setlocale(LC_ALL, "");
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_money_parse),
        cmocka_unit_test(test_money_format_roundtrip),
        cmocka_unit_test(test_dates),
        cmocka_unit_test(test_buf),
        cmocka_unit_test(test_str_appendf),
        cmocka_unit_test(test_money_add),
        cmocka_unit_test(test_utf8),
        cmocka_unit_test(test_arena),
        cmocka_unit_test(test_arena_buf),         /* issue 11 (r-twothr) */
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
