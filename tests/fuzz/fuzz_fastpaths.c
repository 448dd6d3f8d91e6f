/* SPDX-License-Identifier: Apache-2.0 */
/*
 * fuzz_fastpaths.c -- r-audit (round 24): a differential harness for round
 * 23's load fast paths.  Each is compared with the general code it stands
 * in for, on the same text, and the harness aborts on any difference:
 *   - numbers_amount_parse without group/parentheses/CR-DR (the common
 *     amount read without a range test per digit) against
 *     folio_money_parse: the same verdict, value and reason;
 *   - folio_date_parse_pivot's "YYYY-MM-DD" (fixed offsets) against the
 *     pattern reader: the text and pattern with a literal '#' appended
 *     take the general loop and mean the same;
 *   - feed_split_delims / feed_scan_line (SSE2) against their byte loops:
 *     count, positions, line length, printable.
 * Input: byte 0 picks the decimal mark, the minor digits (0-19), the
 * delimiter and the position cap; the rest is the text.
 */
#include "fuzz_common.h"

#include "feed-split.h"
#include "folio/job.h"
#include "folio/numbers.h"

static void diff_money(const char *s, size_t n, char dec, int md)
{
    folio_feed_def def;
    memset(&def, 0, sizeof def);
    def.decimal = dec;
    def.minor_digits = md;
    folio_money a = 12345, b = 12345;
    const char *wa = "unset", *wb = "unset";
    bool ra = numbers_amount_parse(&def, md, s, n, &a, &wa);
    bool rb = folio_money_parse(s, n, dec, md, &b, &wb);
    if (ra != rb || (ra && a != b) || (!ra && strcmp(wa, wb) != 0)) {
        fprintf(stderr, "amount differs: '%.*s' dec '%c' md %d: fast %d %lld '%s', general %d "
                "%lld '%s'\n", (int)n, s, dec, md, ra, (long long)a, wa, rb, (long long)b, wb);
        abort();
    }
}

static void diff_date(const char *s, size_t n, int pivot)
{
    char t[64];
    if (n + 1 > sizeof t)
        return;
    memcpy(t, s, n);
    t[n] = '#';
    folio_date a = -1, b = -1;
    bool ra = folio_date_parse_pivot(s, n, "YYYY-MM-DD", pivot, &a);
    bool rb = folio_date_parse_pivot(t, n + 1, "YYYY-MM-DD#", pivot, &b);
    if (ra != rb || (ra && a != b)) {
        fprintf(stderr, "date differs: '%.*s': fast %d %ld, general %d %ld\n", (int)n, s, ra,
                (long)a, rb, (long)b);
        abort();
    }
}

static void diff_split(const char *s, size_t n, char delim, size_t cap)
{
    uint32_t pa[64], pb[64];
    bool ka, kb;
    size_t na = feed_split_delims(s, n, delim, pa, cap, &ka);
    size_t nb = feed_split_delims_ref(s, n, delim, pb, cap, &kb);
    size_t m = na < cap ? na : cap;
    if (na != nb || ka != kb || memcmp(pa, pb, m * sizeof *pa) != 0) {
        fprintf(stderr, "split differs: n %zu: %zu/%zu delimiters, printable %d/%d\n", n, na,
                nb, ka, kb);
        abort();
    }
    size_t da, db;
    size_t la = feed_scan_line(s, n, delim, pa, cap, &da, &ka);
    size_t lb = feed_scan_line_ref(s, n, delim, pb, cap, &db, &kb);
    m = da < cap ? da : cap;
    if (la != lb || da != db || ka != kb || memcmp(pa, pb, m * sizeof *pa) != 0) {
        fprintf(stderr, "scan differs: n %zu: len %zu/%zu, %zu/%zu delimiters, printable "
                "%d/%d\n", n, la, lb, da, db, ka, kb);
        abort();
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1)
        return 0;
    unsigned c = data[0];
    char dec = (c & 1) ? ',' : '.';
    int md = (int)((c >> 1) % 20);
    static const char delims[] = {',', ';', '\t', '|'};
    char delim = delims[(c >> 5) & 3];
    size_t cap = (c & 0x80) ? 3 : 64;
    /* exactly the text's bytes in their own allocation: ASan sees overreads */
    size_t n = size - 1;
    char *s = malloc(n ? n : 1);
    if (!s)
        return 0;
    memcpy(s, data + 1, n);
    diff_money(s, n, dec, md);
    diff_date(s, n, 70);
    diff_split(s, n, delim, cap);
    /* every field of a CSV-looking input too, as the loader sees them */
    for (size_t i = 0, f = 0; i <= n; i++)
        if (i == n || s[i] == delim || s[i] == '\n') {
            diff_money(s + f, i - f, dec, md);
            diff_date(s + f, i - f, (int)(c % 100));
            f = i + 1;
        }
    free(s);
    return 0;
}
