/* SPDX-License-Identifier: Apache-2.0 */
/*
 * test_numbers.c -- issue 10 parts 5 and 6: amounts with thousands
 * separators and bank negative forms, two-digit years with an explicit
 * pivot, single-byte encodings transcoded (chunked loads included, undefined
 * bytes rejected with their file offset), a birth date after the statement
 * date, product codes mapped with no default kind, ISO 4217 currencies and
 * the per-currency money formatter.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "folio/currency.h"
#include "folio/feed.h"
#include "folio/layout.h"
#include "folio/numbers.h"
#include "folio/products.h"
#include "folio/transcode.h"
#include "feed-private.h"

static folio_feed_def mkdef(folio_feed_kind kind)
{
    folio_feed_def d;
    memset(&d, 0, sizeof d);
    d.name = (char *)"f.csv";
    d.path = (char *)"f.csv";
    d.kind = kind;
    d.delimiter = ';';
    d.quote = '"';
    d.header = true;
    d.date_format = (char *)"DD.MM.YYYY";
    d.decimal = ',';
    d.minor_digits = 2;
    d.currency = (char *)"EUR";
    return d;
}

static bool money(const folio_feed_def *d, const char *s, folio_money *v, const char **why)
{
    *why = "";
    return numbers_money_parse(d, s, strlen(s), v, why);
}

static void test_group_separators(void **state)
{
    (void)state;
    folio_feed_def d = mkdef(FOLIO_FEED_TRANSACTIONS);
    folio_money v;
    const char *why;
    /* without group: "1.234,56" is not a number (the old behaviour) */
    assert_false(money(&d, "1.234,56", &v, &why));
    d.group = '.';
    assert_true(money(&d, "1.234,56", &v, &why));
    assert_int_equal(v, 123456);
    assert_true(money(&d, "-1.234.567,89", &v, &why));
    assert_int_equal(v, -123456789);
    assert_true(money(&d, "1234,5", &v, &why));          /* ungrouped is fine */
    assert_int_equal(v, 123450);
    assert_true(money(&d, "999", &v, &why));
    assert_int_equal(v, 99900);
    /* strict: groups of exactly three digits */
    assert_false(money(&d, "1.23,45", &v, &why));
    assert_non_null(strstr(why, "misplaced thousands separator"));
    assert_false(money(&d, "12.3456,00", &v, &why));
    assert_false(money(&d, ".123,00", &v, &why));
    assert_false(money(&d, "1..234,00", &v, &why));
    assert_false(money(&d, "1.234.", &v, &why));
    assert_false(money(&d, "1,23.4", &v, &why));          /* group after the decimal */
    /* trailing minus, always */
    assert_true(money(&d, "1.234,56-", &v, &why));
    assert_int_equal(v, -123456);
    /* a space group also takes a no-break space */
    d.group = ' ';
    assert_true(money(&d, "1 234 567,00", &v, &why));
    assert_int_equal(v, 123456700);
    assert_true(money(&d, "1\xC2\xA0" "234,50", &v, &why));
    assert_int_equal(v, 123450);
    d.group = '\'';
    d.decimal = '.';
    assert_true(money(&d, "1'234'567.05", &v, &why));
    assert_int_equal(v, 123456705);
    d.group = ',';
    assert_true(money(&d, "1,234.56", &v, &why));
    assert_int_equal(v, 123456);
    assert_false(money(&d, "1,2345.00", &v, &why));
}

static void test_negative_forms(void **state)
{
    (void)state;
    folio_feed_def d = mkdef(FOLIO_FEED_TRANSACTIONS);
    d.decimal = '.';
    d.group = ',';
    folio_money v;
    const char *why;
    assert_false(money(&d, "(1,234.56)", &v, &why));     /* not without the key */
    assert_false(money(&d, "12.00 DR", &v, &why));
    d.parentheses = true;
    d.cr_dr = true;
    assert_true(money(&d, "(1,234.56)", &v, &why));
    assert_int_equal(v, -123456);
    assert_true(money(&d, "12.00 DR", &v, &why));
    assert_int_equal(v, -1200);
    assert_true(money(&d, "12.00CR", &v, &why));
    assert_int_equal(v, 1200);
    assert_true(money(&d, "7.5 dr", &v, &why));
    assert_int_equal(v, -750);
    assert_false(money(&d, "(-5.00)", &v, &why));
    assert_non_null(strstr(why, "more than one sign"));
    assert_false(money(&d, "-5.00 DR", &v, &why));
    assert_false(money(&d, "(5.00) CR", &v, &why));
    assert_false(money(&d, "5.00-DR", &v, &why));
    assert_false(money(&d, "()", &v, &why));
    assert_false(money(&d, "DR", &v, &why));
}

static void test_century_pivot(void **state)
{
    (void)state;
    folio_feed_def d = mkdef(FOLIO_FEED_CUSTOMERS);
    d.date_format = (char *)"YYMMDD";
    folio_date dt, want;
    int y, m, dd;
    /* the old silent default: 45 -> 2045 */
    assert_true(numbers_date_parse(&d, "450312", 6, &dt));
    folio_date_to_ymd(dt, &y, &m, &dd);
    assert_int_equal(y, 2045);
    d.has_century_pivot = true;
    d.century_pivot = 30;
    assert_true(numbers_date_parse(&d, "450312", 6, &dt));
    folio_date_from_ymd(1945, 3, 12, &want);
    assert_int_equal(dt, want);
    assert_true(numbers_date_parse(&d, "290101", 6, &dt));
    folio_date_to_ymd(dt, &y, &m, &dd);
    assert_int_equal(y, 2029);
    d.century_pivot = 0;                               /* every YY is 19YY */
    assert_true(numbers_date_parse(&d, "050101", 6, &dt));
    folio_date_to_ymd(dt, &y, &m, &dd);
    assert_int_equal(y, 1905);
    assert_true(numbers_pattern_has_yy("YYMMDD"));
    assert_true(numbers_pattern_has_yy("DD.MM.YY"));
    assert_false(numbers_pattern_has_yy("DD.MM.YYYY"));
    assert_false(numbers_pattern_has_yy("YYYY-MM-DD"));
}

static folio_dataset *load(const folio_feed_def *d, const char *data, size_t n, int threads,
                           folio_error *err)
{
    folio_dataset *ds = feed_dataset_new(1);
    assert_non_null(ds);
    if (!feed_load_buffer(ds, 0, d, data, n, threads, err)) {
        feed_dataset_free(ds);
        return NULL;
    }
    return ds;
}

static folio_feed_def cust_def(void)
{
    folio_feed_def d = mkdef(FOLIO_FEED_CUSTOMERS);
    d.columns[FOLIO_F_CUSTOMER_ID] = (char *)"Kunde";
    d.columns[FOLIO_F_FULL_NAME] = (char *)"Name";
    d.columns[FOLIO_F_ADDRESS1] = (char *)"Strasse";
    d.columns[FOLIO_F_BIRTH_DATE] = (char *)"Geboren";
    return d;
}

static void test_windows_1252(void **state)
{
    (void)state;
    /* "Müller", "Weißstraße 5", "€uro-Straße": bytes really in windows-1252 */
    const char csv[] = "Kunde;Name;Strasse;Geboren\r\n"
                       "K1;J\xFCrgen M\xFCller;Wei\xDFstra\xDF" "e 5;01.02.1960\r\n"
                       "K2;Zo\xEB \x80uro;Ring 1;03.04.1970\r\n"
                       "K3;Bad\x81" "Byte;Weg 2;05.06.1980\r\n";
    folio_feed_def d = cust_def();
    folio_error err = {0};
    /* as UTF-8 (the old behaviour): every row with a high byte is rejected */
    folio_dataset *ds = load(&d, csv, sizeof csv - 1, 1, &err);
    assert_non_null(ds);
    assert_int_equal(ds->n_customers, 0);
    assert_int_equal(ds->n_rejects, 3);
    feed_dataset_free(ds);

    d.encoding = (char *)"windows-1252";
    ds = load(&d, csv, sizeof csv - 1, 1, &err);
    assert_non_null(ds);
    assert_true(feed_resolve(ds, &err));
    assert_int_equal(ds->n_customers, 2);
    assert_string_equal(ds->customers[0].last_name, "J\xC3\xBCrgen M\xC3\xBCller");
    assert_string_equal(ds->customers[0].address1, "Wei\xC3\x9F" "stra\xC3\x9F" "e 5");
    assert_string_equal(ds->customers[1].last_name, "Zo\xC3\xAB \xE2\x82\xACuro");
    /* 0x81 is undefined in windows-1252: the row is rejected naming the
       byte and its offset in the original file */
    assert_int_equal(ds->n_rejects, 1);
    assert_int_equal(ds->rejects[0].line, 4);
    const char *at = strstr(csv, "\x81");
    char want[128];
    snprintf(want, sizeof want, "byte 0x81 at file offset %zu is not a character in "
             "windows-1252", (size_t)(at - csv));
    assert_string_equal(ds->rejects[0].reason, want);
    feed_dataset_free(ds);
}

static void test_transcode_whole_file_errors(void **state)
{
    (void)state;
    folio_xlat x;
    folio_error err = {0};
    const char bom[] = "\xEF\xBB\xBFKunde;Name\n";
    assert_false(transcode_buffer("windows-1252", "k.csv", bom, sizeof bom - 1, &x, &err));
    assert_int_equal(err.code, FOLIO_EXIT_USAGE);
    assert_non_null(strstr(err.msg, "UTF-8 byte order mark"));
    folio_error_clear(&err);
    const char utf8[] = "Kunde;Name\nK1;J\xC3\xBCrgen\n";
    assert_false(transcode_buffer("windows-1252", "k.csv", utf8, sizeof utf8 - 1, &x, &err));
    assert_non_null(strstr(err.msg, "valid UTF-8 with multi-byte characters"));
    folio_error_clear(&err);
    const char u16[] = "\xFF\xFEK\0";
    assert_false(transcode_buffer("iso-8859-2", "k.csv", u16, 4, &x, &err));
    assert_non_null(strstr(err.msg, "UTF-16"));
    folio_error_clear(&err);
    /* windows-1250: Czech */
    const char cz[] = "P\xF8\xED" "jem \xE8\xE1" "st";
    assert_true(transcode_buffer("windows-1250", "k.csv", cz, sizeof cz - 1, &x, &err));
    assert_string_equal(x.data, "P\xC5\x99\xC3\xAD" "jem \xC4\x8D\xC3\xA1st");
    transcode_free(&x);
    char canon[32];
    const char *why;
    assert_true(transcode_known("CP1252", canon, sizeof canon, &why));
    assert_string_equal(canon, "windows-1252");
    assert_true(transcode_known("Latin1", canon, sizeof canon, &why));
    assert_string_equal(canon, "iso-8859-1");
    assert_true(transcode_known("UTF8", canon, sizeof canon, &why));
    assert_string_equal(canon, "utf-8");
    assert_false(transcode_known("UTF-16", canon, sizeof canon, &why));
    assert_false(transcode_known("shift_jis", canon, sizeof canon, &why));
}

/* A big windows-1252 file cut into many chunks gives what one chunk gives. */
static void test_transcode_chunked(void **state)
{
    (void)state;
    size_t cap = 1u << 20, n = 0;
    char *buf = malloc(cap);
    n += (size_t)snprintf(buf + n, cap - n, "Kunde;Name;Strasse;Geboren;Notiz\n");
    for (int i = 0; n + 200 < cap; i++)     /* an unmapped quoted field holds a newline */
        n += (size_t)snprintf(buf + n, cap - n, "K%d;M\xFCller %d;Stra\xDF" "e %d;01.02.19%02d;"
                              "\"Zeile\n\xE4\"\n", i, i, i, i % 90 + 10);
    folio_feed_def d = cust_def();
    d.encoding = (char *)"windows-1252";
    folio_error err = {0};
    feed_set_chunking(SIZE_MAX / 2, 0);
    folio_dataset *one = load(&d, buf, n, 1, &err);
    assert_non_null(one);
    feed_set_chunking(1, 3000);
    folio_dataset *many = load(&d, buf, n, 4, &err);
    assert_non_null(many);
    feed_set_chunking(0, 0);
    assert_int_equal(one->n_customers, many->n_customers);
    assert_true(one->n_customers > 5000);
    assert_int_equal(many->n_rejects, 0);
    for (size_t i = 0; i < one->n_customers; i++) {
        assert_string_equal(one->customers[i].last_name, many->customers[i].last_name);
        assert_int_equal(one->customers[i].line, many->customers[i].line);
    }
    assert_string_equal(many->customers[7].last_name, "M\xC3\xBCller 7");
    assert_int_equal(many->customers[7].line, 2 + 7 * 2);
    feed_dataset_free(one);
    feed_dataset_free(many);
    free(buf);
}

static void test_birth_date_future(void **state)
{
    (void)state;
    folio_feed_def d = cust_def();
    d.date_format = (char *)"YYMMDD";
    folio_date_from_ymd(2024, 1, 31, &d.statement_date);
    const char csv[] = "Kunde;Name;Strasse;Geboren\nK1;A;S 1;450312\nK2;B;S 2;990101\n";
    folio_error err = {0};
    folio_dataset *ds = load(&d, csv, sizeof csv - 1, 1, &err);
    assert_non_null(ds);
    /* pivot 70 (no pivot given in a unit def): 45 -> 2045, after the statement */
    assert_int_equal(ds->n_customers, 1);
    assert_int_equal(ds->n_rejects, 1);
    assert_string_equal(ds->rejects[0].reason,
                        "birth date 2045-03-12 is after the statement date 2024-01-31");
    feed_dataset_free(ds);
    d.has_century_pivot = true;
    d.century_pivot = 0;
    ds = load(&d, csv, sizeof csv - 1, 1, &err);
    assert_int_equal(ds->n_customers, 2);
    assert_int_equal(ds->n_rejects, 0);
    feed_dataset_free(ds);
}

static void test_products_and_currency_rows(void **state)
{
    (void)state;
    folio_feed_def d = mkdef(FOLIO_FEED_ACCOUNTS);
    d.columns[FOLIO_F_ACCOUNT_ID] = (char *)"Konto";
    d.columns[FOLIO_F_OWNER_ID] = (char *)"Kunde";
    d.columns[FOLIO_F_PRODUCT] = (char *)"Produkt";
    d.columns[FOLIO_F_CLOSING_BALANCE] = (char *)"Saldo";
    d.columns[FOLIO_F_CURRENCY] = (char *)"Waehrung";
    d.group = '.';
    char *codes[] = {(char *)"girokonto", (char *)"kreditkarte"};
    char *kinds[] = {(char *)"checking", (char *)"credit_card"};
    folio_products p = {.code = codes, .kind = kinds, .n = 2, .from_job = true};
    d.products = &p;
    const char csv[] = "Konto;Kunde;Produkt;Saldo;Waehrung\n"
                       "A1;K1;girokonto;1.234,56;EUR\n"
                       "A2;K1;kreditkarte;-99,00;USD\n"
                       "A3;K1;tagesgeld;5,00;EUR\n"
                       "A4;K1;girokonto;5,00;XYZ\n"
                       "A5;K1;girokonto;5;JPY\n";
    folio_error err = {0};
    folio_dataset *ds = load(&d, csv, sizeof csv - 1, 1, &err);
    assert_non_null(ds);
    assert_int_equal(ds->n_accounts, 2);
    assert_string_equal(ds->accounts[0].product, "checking");
    assert_string_equal(ds->accounts[1].product, "credit_card");
    assert_string_equal(ds->accounts[1].currency, "USD");
    assert_int_equal(ds->accounts[0].closing_balance, 123456);
    assert_int_equal(ds->n_rejects, 3);
    assert_string_equal(ds->rejects[0].reason, "unknown product code 'tagesgeld' (not in the "
                                               "job's products: map)");
    assert_string_equal(ds->rejects[1].reason, "unknown currency 'XYZ' (not an ISO 4217 code)");
    assert_non_null(strstr(ds->rejects[2].reason, "currency JPY has 0 decimals"));
    feed_dataset_free(ds);
}

static void test_currency_format(void **state)
{
    (void)state;
    char b[64];
    assert_int_equal(currency_minor_digits("EUR"), 2);
    assert_int_equal(currency_minor_digits("JPY"), 0);
    assert_int_equal(currency_minor_digits("KWD"), 3);
    assert_int_equal(currency_minor_digits("XYZ"), -1);
    assert_int_equal(currency_minor_digits("eur"), -1);
    folio_layout L;
    memset(&L, 0, sizeof L);
    L.money_decimal = '.';
    L.money_group = ',';
    L.currency_symbol = (char *)"$";
    currency_format(&L, "USD", 123456, -1, true, b, sizeof b);
    assert_string_equal(b, "$1,234.56");
    currency_format(&L, "USD", -123456, -1, true, b, sizeof b);
    assert_string_equal(b, "-$1,234.56");
    currency_format(&L, "EUR", 123456, -1, true, b, sizeof b);
    assert_string_equal(b, "1.234,56 \xE2\x82\xAC");
    currency_format(&L, "EUR", -123456, -1, false, b, sizeof b);
    assert_string_equal(b, "-1.234,56");
    currency_format(&L, "CZK", 123450, -1, true, b, sizeof b);
    assert_string_equal(b, "1 234,50 K\xC4\x8D");
    currency_format(&L, "JPY", 123456, -1, true, b, sizeof b);
    assert_string_equal(b, "\xC2\xA5" "123,456");
    currency_format(&L, "KWD", 1234500, -1, true, b, sizeof b);
    assert_string_equal(b, "1,234.500 KWD");
    folio_currency_style eur = {"EUR", (char *)"\xE2\x82\xAC", false, true, ',', '.'};
    L.currencies = &eur;
    L.n_currencies = 1;
    currency_format(&L, "EUR", 123456, -1, true, b, sizeof b);
    assert_string_equal(b, "\xE2\x82\xAC 1.234,56");
    currency_format(&L, "EUR", -5, -1, true, b, sizeof b);
    assert_string_equal(b, "-\xE2\x82\xAC 0,05");
}


/* issue 11 (round 23, the load): numbers_money_parse's common-amount fast
 * path against folio_money_parse (the whole parser it skips) on tricky and
 * random texts: same verdict, same value, same reason. */
static void test_money_fast_matches_folio(void **state)
{
    (void)state;
    static const char *const fixed[] = {
        "", "0", "-0", "+0", "-", "+", ".", "-.", "5.", ".5", "-.5", "5-", "-5-", "+-5",
        "1.23", "1.234", "1.2", "12,34", "1,234.56", "--1", "1..2", "1.2.3", " 1", "1 ",
        "999999999999999999", "9999999999999999.99", "99999999999999999.99",
        "9223372036854775807", "92233720368547758.07", "92233720368547758.08",
        "-92233720368547758.08", "0000000000000000000001.00", "1e5", "0x10", "\xC2\xA0" "1"};
    const char alpha[] = "0123456789.,-+ e";
    const char decs[] = {'.', ','};
    const int mds[] = {0, 2, 3};
    uint32_t x = 7;
    char buf[40];
    for (size_t di = 0; di < sizeof decs; di++)
        for (size_t mi = 0; mi < sizeof mds / sizeof mds[0]; mi++) {
            folio_feed_def d = mkdef(FOLIO_FEED_TRANSACTIONS);
            d.decimal = decs[di];
            d.minor_digits = mds[mi];
            int good = 0;
            for (int k = 0; k < 20000 + (int)(sizeof fixed / sizeof fixed[0]); k++) {
                const char *s = buf;
                size_t n;
                if (k < (int)(sizeof fixed / sizeof fixed[0])) {
                    s = fixed[k];
                    n = strlen(s);
                } else {
                    x = x * 1103515245u + 12345u;
                    n = (x >> 8) % 24;
                    for (size_t i = 0; i < n; i++) {
                        x = x * 1103515245u + 12345u;
                        /* mostly digits, so that many texts are numbers */
                        buf[i] = (x >> 28) < 10 ? (char)('0' + (x >> 16) % 10)
                                                : alpha[(x >> 16) % (sizeof alpha - 1)];
                    }
                }
                folio_money a = 0, b = 0;
                const char *wa = "", *wb = "";
                bool ra = numbers_money_parse(&d, s, n, &a, &wa);
                bool rb = folio_money_parse(s, n, d.decimal, d.minor_digits, &b, &wb);
                assert_int_equal(ra, rb);
                if (ra)
                    assert_true(a == b);
                else
                    assert_string_equal(wa, wb);
                good += ra;
            }
            assert_true(good > 2000);       /* the fast path was taken often */
        }
}

/* issue 11 (round 23, the load): numbers_date_parse (pattern read without
 * strncmp, "YYYY-MM-DD" at fixed offsets) against folio_date_parse_pivot on
 * every pattern shape, tricky values and random texts. */
/* The reference the date reader is checked against: the pattern grammar
 * read byte by byte with strncmp, as folio read it before round 23. */
static bool ref_digits(const char *s, size_t len, size_t *i, int n, int *out)
{
    int v = 0;
    for (int k = 0; k < n; k++) {
        if (*i >= len || s[*i] < '0' || s[*i] > '9')
            return false;
        v = v * 10 + (s[(*i)++] - '0');
    }
    *out = v;
    return true;
}

static bool ref_date_parse(const char *s, size_t len, const char *p, int pivot, folio_date *out)
{
    size_t i = 0;
    int y = -1, m = -1, d = -1;
    while (*p) {
        if (p[0] == '*' && p[1] == 0) {
            i = len;
            p++;
            break;
        }
        int *v = !strncmp(p, "YYYY", 4) || !strncmp(p, "YY", 2) ? &y
                 : !strncmp(p, "MM", 2) ? &m : !strncmp(p, "DD", 2) ? &d : NULL;
        int n = !strncmp(p, "YYYY", 4) ? 4 : 2;
        if (v) {
            if (!ref_digits(s, len, &i, n, v))
                return false;
            if (v == &y && n == 2)
                y += y < pivot ? 2000 : 1900;
            p += n;
        } else {
            if (i >= len || s[i] != *p)
                return false;
            i++;
            p++;
        }
    }
    if (i != len || y < 0 || m < 0 || d < 0)
        return false;
    return folio_date_from_ymd(y, m, d, out);
}

static void test_date_fast_matches_pivot(void **state)
{
    (void)state;
    static const char *const pats[] = {"YYYY-MM-DD", "DD.MM.YYYY", "YYMMDD", "MM/DD/YY",
                                       "YYYY-MM-DD*", "DD/MM/YYYY*", "YYYYMMDD", "YY-MM-DD",
                                       "DD MM YYYY", "YYYY-DD-MM", "MMDDYY"};
    static const char *const fixed[] = {
        "", "2026-10-01", "2026-1-01", "2026-10-1", "2026-13-01", "2026-02-29", "2024-02-29",
        "1799-12-31", "1800-01-01", "2999-12-31", "3000-01-01", "2026-10-01 ", " 2026-10-01",
        "2026/10/01", "2026-10-0a", "20261001", "261001", "01.10.2026", "01.10.26",
        "2026-10-01T10:00", "2026-00-10", "2026-10-00", "2026-04-31", "\xEF\xBC\x92" "026-10-01",
        "2026-10-01x", "99-12-31", "00-01-01", "69-01-01", "70-01-01", "+026-10-01",
        "-026-10-01", "2026--10-01", "2026-10--1", "2026-10-0:", "2026-1:-01", "20:6-10-01"};
    const char alpha[] = "0123456789-./ *T:;?";
    uint32_t x = 11;
    char buf[32];
    for (size_t pi = 0; pi < sizeof pats / sizeof pats[0]; pi++)
        for (int pivot = 0; pivot <= 100; pivot += 35) {
            folio_feed_def d = mkdef(FOLIO_FEED_TRANSACTIONS);
            d.date_format = (char *)pats[pi];
            d.has_century_pivot = pivot != 70;
            d.century_pivot = pivot;
            int good = 0;
            for (int k = 0; k < 6000 + (int)(sizeof fixed / sizeof fixed[0]); k++) {
                const char *s = buf;
                size_t n;
                if (k < (int)(sizeof fixed / sizeof fixed[0])) {
                    s = fixed[k];
                    n = strlen(s);
                } else if (k % 2) {
                    /* a date written in the pattern, sometimes out of range */
                    x = x * 1103515245u + 12345u;
                    int y = 1790 + (int)((x >> 8) % 1220), m = (int)((x >> 20) % 14);
                    x = x * 1103515245u + 12345u;
                    int dd = (int)((x >> 8) % 33);
                    size_t o = 0;
                    for (const char *p = pats[pi]; *p && o + 5 < sizeof buf;) {
                        if (!strncmp(p, "YYYY", 4))
                            o += (size_t)snprintf(buf + o, 5, "%04d", y), p += 4;
                        else if (!strncmp(p, "YY", 2))
                            o += (size_t)snprintf(buf + o, 3, "%02d", y % 100), p += 2;
                        else if (!strncmp(p, "MM", 2))
                            o += (size_t)snprintf(buf + o, 3, "%02d", m), p += 2;
                        else if (!strncmp(p, "DD", 2))
                            o += (size_t)snprintf(buf + o, 3, "%02d", dd), p += 2;
                        else if (*p == '*')
                            o += (size_t)snprintf(buf + o, 4, "%s", (x >> 30) ? "x1" : ""), p++;
                        else
                            buf[o++] = *p++;
                    }
                    n = o;
                } else {
                    x = x * 1103515245u + 12345u;
                    n = (x >> 8) % 14;
                    for (size_t i = 0; i < n; i++) {
                        x = x * 1103515245u + 12345u;
                        buf[i] = alpha[(x >> 16) % (sizeof alpha - 1)];
                    }
                }
                folio_date a = 0, b = 0;
                bool ra = numbers_date_parse(&d, s, n, &a);
                bool rb = ref_date_parse(s, n, pats[pi], pivot, &b);
                assert_int_equal(ra, rb);
                if (ra)
                    assert_int_equal(a, b);
                good += ra;
            }
            assert_true(good > 1000);       /* many real dates among them */
        }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_group_separators),
        cmocka_unit_test(test_negative_forms),
        cmocka_unit_test(test_century_pivot),
        cmocka_unit_test(test_windows_1252),
        cmocka_unit_test(test_transcode_whole_file_errors),
        cmocka_unit_test(test_transcode_chunked),
        cmocka_unit_test(test_birth_date_future),
        cmocka_unit_test(test_products_and_currency_rows),
        cmocka_unit_test(test_currency_format),
        cmocka_unit_test(test_money_fast_matches_folio),
        cmocka_unit_test(test_date_fast_matches_pivot),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
