/* SPDX-License-Identifier: Apache-2.0 */
/*
 * numbers.c -- amounts and dates as banks export them (folio/numbers.h).
 *
 * numbers_money_parse() peels the sign decorations a dialect allows off the
 * text (a leading or trailing '-', parentheses, a CR/DR suffix), checks the
 * thousands grouping strictly and hands the bare digits to
 * folio_money_parse(), which owns the exact arithmetic.  A feed without
 * grouping or extra negative forms takes folio_money_parse() directly: the
 * common path costs one branch.
 */
#include "folio/numbers.h"
#include "folio/transcode.h"
#include "yamltree.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define NUM_MAX 64                  /* bytes of an amount once decorations are gone */

static bool is_digit(char c) { return c >= '0' && c <= '9'; }

/* s[i..] starts a group separator of `group`?  A space group also accepts a
 * no-break space (U+00A0, as C2 A0 in UTF-8) and a narrow one (U+202F).
 * Returns its length in bytes, 0 if none. */
static size_t sep_len(const char *s, size_t n, size_t i, char group)
{
    if (s[i] == group)
        return 1;
    if (group == ' ' && i + 1 < n && (unsigned char)s[i] == 0xC2 &&
        (unsigned char)s[i + 1] == 0xA0)
        return 2;
    if (group == ' ' && i + 2 < n && (unsigned char)s[i] == 0xE2 &&
        (unsigned char)s[i + 1] == 0x80 && (unsigned char)s[i + 2] == 0xAF)
        return 3;
    return 0;
}

/* issue 11 (round 23, the load): the common amount -- an optional sign,
 * 1 to 18 - minor_digits integer digits, optionally the decimal mark and 1
 * to minor_digits digits -- read without an overflow test per digit (it
 * cannot overflow).  False for anything else: folio_money_parse decides
 * those (value or reason).  Same value as folio_money_parse for every text
 * it takes (test_numbers compares both). */
static inline bool money_common(const char *s, size_t n, char dec, int minor_digits,
                                folio_money *out)
{
    size_t i = 0;
    bool neg = false;
    if (n && (s[0] == '-' || s[0] == '+')) {
        neg = s[0] == '-';
        i = 1;
    }
    uint64_t v = 0;
    size_t i0 = i;
    while (i < n && (unsigned)(s[i] - '0') <= 9)
        v = v * 10 + (uint64_t)(s[i++] - '0');
    size_t nint = i - i0;
    if (nint == 0 || minor_digits < 0 || nint + (size_t)minor_digits > 18)
        return false;
    int nfrac = 0;
    if (i < n) {
        if (s[i] != dec)
            return false;
        for (i++; i < n; i++) {
            if ((unsigned)(s[i] - '0') > 9 || ++nfrac > minor_digits)
                return false;
            v = v * 10 + (uint64_t)(s[i] - '0');
        }
        if (nfrac == 0)
            return false;
    }
    for (int k = nfrac; k < minor_digits; k++)
        v *= 10;
    *out = neg ? -(int64_t)v : (int64_t)v;
    return true;
}

static inline bool money_parse(const char *s, size_t n, char dec, int minor_digits,
                               folio_money *out, const char **why)
{
    return money_common(s, n, dec, minor_digits, out) ||
           folio_money_parse(s, n, dec, minor_digits, out, why);
}

bool numbers_money_parse(const folio_feed_def *def, const char *s, size_t n,
                         folio_money *out, const char **why)
{
    return numbers_amount_parse(def, def->minor_digits, s, n, out, why);
}

bool numbers_amount_parse(const folio_feed_def *def, int minor_digits, const char *s,
                          size_t n, folio_money *out, const char **why)
{
    const char group = def->group;
    if (!group && !def->parentheses && !def->cr_dr)
        return money_parse(s, n, def->decimal, minor_digits, out, why);
    bool neg = false;
    int signs = 0;
    if (def->parentheses && n >= 2 && s[0] == '(' && s[n - 1] == ')') {
        neg = true;
        signs++;
        s++;
        n -= 2;
    }
    if (def->cr_dr && n >= 2) {
        char a = s[n - 2], b = s[n - 1];
        bool cr = (a == 'C' || a == 'c') && (b == 'R' || b == 'r');
        bool dr = (a == 'D' || a == 'd') && (b == 'R' || b == 'r');
        if (cr || dr) {
            n -= 2;
            while (n && s[n - 1] == ' ')
                n--;
            neg = neg || dr;
            signs++;
        }
    }
    if (n && (s[0] == '-' || s[0] == '+')) {
        neg = neg || s[0] == '-';
        signs++;
        s++;
        n--;
    } else if (n > 1 && s[n - 1] == '-') {
        neg = true;
        signs++;
        n--;
    }
    if (signs > 1) {
        if (why)
            *why = "more than one sign (a '-', parentheses or CR/DR: one of them)";
        return false;
    }
    /* the integer part: ungrouped, or grouped strictly by three */
    char buf[NUM_MAX];
    size_t k = 0, i = 0;
    if (n == 0 || n >= NUM_MAX) {
        if (why)
            *why = n ? "out of range" : "not a number";
        return false;
    }
    size_t int_end = n;
    for (size_t j = 0; j < n; j++)
        if (s[j] == def->decimal) {
            int_end = j;
            break;
        }
    bool grouped = false;
    int run = 0, first_run = -1;
    for (; i < int_end;) {
        size_t sl = group ? sep_len(s, int_end, i, group) : 0;
        if (sl) {
            if (run == 0 || (first_run >= 0 && run != 3) || run > 3) {
                if (why)
                    *why = "misplaced thousands separator (groups of three digits)";
                return false;
            }
            if (first_run < 0)
                first_run = run;
            grouped = true;
            run = 0;
            i += sl;
            continue;
        }
        if (!is_digit(s[i])) {
            if (why)
                *why = "not a number";
            return false;
        }
        buf[k++] = s[i++];
        run++;
    }
    if (grouped && run != 3) {
        if (why)
            *why = "misplaced thousands separator (groups of three digits)";
        return false;
    }
    for (; i < n; i++) {
        if (group && s[i] == group && s[i] != def->decimal) {
            if (why)
                *why = "thousands separator after the decimal mark";
            return false;
        }
        buf[k++] = s[i];
    }
    if (neg) {
        if (k + 1 >= NUM_MAX) {
            if (why)
                *why = "out of range";
            return false;
        }
        memmove(buf + 1, buf, k);
        buf[0] = '-';
        k++;
    }
    if (k && (buf[neg ? 1 : 0] == '-' || buf[neg ? 1 : 0] == '+')) {
        if (why)
            *why = "more than one sign (a '-', parentheses or CR/DR: one of them)";
        return false;
    }
    return money_parse(buf, k, def->decimal, minor_digits, out, why);
}

bool numbers_date_parse(const folio_feed_def *def, const char *s, size_t n,
                        folio_date *out)
{
    const char *fmt = def->date_format ? def->date_format : "YYYY-MM-DD";
    return folio_date_parse_pivot(s, n, fmt, def->has_century_pivot ? def->century_pivot : 70,
                                  out);
}

bool numbers_pattern_has_yy(const char *p)
{
    while (*p) {
        if (!strncmp(p, "YYYY", 4))
            p += 4;
        else if (!strncmp(p, "YY", 2))
            return true;
        else
            p++;
    }
    return false;
}

static const char *const NUM_KEYS_GROUPS = ".,' ";

bool numbers_dialect_read(yt_doc *d, const yt_node *dl, const char *dw, folio_feed_def *f)
{
    char name[160], name2[160];
    if (dl) {
        const yt_node *g = yt_get(dl, "group");
        if (g && g->kind == YT_SCALAR && (!strcmp(g->str, "none") || !g->str[0]))
            f->group = 0;
        else if (yt_char(d, dl, dw, "group", false, NUM_KEYS_GROUPS, false, &f->group) < 0)
            return false;
        if (f->group && f->group == f->decimal)
            return yt_fail(d, g, "'%s' is the same character as the decimal mark ('%c')",
                           yt_name(name, sizeof name, dw, "group"), f->decimal);
        if (yt_bool(d, dl, dw, "parentheses", false, &f->parentheses) < 0 ||
            yt_bool(d, dl, dw, "cr_dr", false, &f->cr_dr) < 0)
            return false;
        int64_t pv = 0;
        int r = yt_int(d, dl, dw, "century_pivot", false, 0, 100, &pv);
        if (r < 0)
            return false;
        f->has_century_pivot = r == 1;
        f->century_pivot = (int)pv;
        char *enc = NULL;
        r = yt_str(d, dl, dw, "encoding", false, &enc);
        if (r < 0)
            return false;
        if (r == 1) {
            const char *why = NULL;
            char canon[32];
            if (!transcode_known(enc, canon, sizeof canon, &why)) {
                yt_fail(d, yt_get(dl, "encoding"), "'%s' is '%s': %s",
                        yt_name(name, sizeof name, dw, "encoding"), enc, why);
                free(enc);
                return false;
            }
            free(enc);
            if (strcmp(canon, "utf-8") && !(f->encoding = strdup(canon))) {
                folio_error_set(d->err, FOLIO_EXIT_FAILED, "%s: out of memory", d->path);
                return false;
            }
        }
        if (f->date_format && numbers_pattern_has_yy(f->date_format) && !f->has_century_pivot)
            return yt_fail(d, yt_get(dl, "date_format"),
                           "'%s' ('%s') has a two-digit year: say which century it means "
                           "with '%s' (e.g. 30: 00-29 are 20xx, 30-99 are 19xx)",
                           yt_name(name, sizeof name, dw, "date_format"), f->date_format,
                           yt_name(name2, sizeof name2, dw, "century_pivot"));
    }
    return true;
}
