/* SPDX-License-Identifier: Apache-2.0 */
/*
 * common.c -- errors, exact money, civil dates, arena, growable buffer,
 * UTF-8 checks, SHA-256 of files, atomic writes.  See include/folio/common.h.
 */
#include "folio/common.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <openssl/evp.h>

/* ---- errors -------------------------------------------------------------- */

void folio_error_set(folio_error *err, int code, const char *fmt, ...)
{
    if (!err || err->code)
        return;
    err->code = code ? code : FOLIO_EXIT_FAILED;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err->msg, sizeof err->msg, fmt, ap);
    va_end(ap);
}

void folio_error_clear(folio_error *err)
{
    if (err) {
        err->code = 0;
        err->msg[0] = 0;
    }
}

/* ---- money --------------------------------------------------------------- */

bool folio_money_parse(const char *s, size_t len, char dec, int minor_digits,
                       folio_money *out, const char **why)
{
    const char *reason = "not a number";
    size_t i = 0;
    bool neg = false;
    if (len && (s[0] == '-' || s[0] == '+')) {
        neg = s[0] == '-';
        i = 1;
    } else if (len > 1 && s[len - 1] == '-') {
        neg = true;
        len--;
    }
    uint64_t v = 0;
    int ndig = 0, nfrac = 0;
    bool seen_dec = false;
    const uint64_t limit = (uint64_t)INT64_MAX;
    for (; i < len; i++) {
        char c = s[i];
        if (c >= '0' && c <= '9') {
            if (seen_dec && ++nfrac > minor_digits) {
                reason = "too many decimals";
                goto fail;
            }
            if (v > (limit - (uint64_t)(c - '0')) / 10) {
                reason = "out of range";
                goto fail;
            }
            v = v * 10 + (uint64_t)(c - '0');
            ndig++;
        } else if (c == dec && !seen_dec) {
            seen_dec = true;
        } else {
            goto fail;
        }
    }
    if (ndig == 0)
        goto fail;
    for (int k = nfrac; k < minor_digits; k++) {
        if (v > limit / 10) {
            reason = "out of range";
            goto fail;
        }
        v *= 10;
    }
    *out = neg ? -(int64_t)v : (int64_t)v;
    return true;
fail:
    if (why)
        *why = reason;
    return false;
}

size_t folio_money_format(folio_money m, int minor_digits, char dec, char group,
                          char *buf, size_t cap)
{
    char tmp[48];
    int n = 0;
    uint64_t v = m < 0 ? (uint64_t)0 - (uint64_t)m : (uint64_t)m;
    int pos = 0;
    if (minor_digits >= 0 && minor_digits <= 18) {
        /* issue 11 (r-page): the same digits without a test and a modulo
         * per digit: the minor digits, the mark, then the whole part
         * (at least one digit) grouped by three */
        for (int k = 0; k < minor_digits; k++) {
            tmp[n++] = (char)('0' + v % 10);
            v /= 10;
        }
        if (minor_digits > 0)
            tmp[n++] = dec;
        int g = 0;
        do {
            if (g == 3) {
                if (group)
                    tmp[n++] = group;
                g = 0;
            }
            tmp[n++] = (char)('0' + v % 10);
            v /= 10;
            g++;
        } while (v);
        pos = -1;                       /* done */
    }
    while (pos >= 0) {
        if (pos == minor_digits && minor_digits > 0)
            tmp[n++] = dec;
        else if (group && pos > minor_digits && (pos - minor_digits) % 3 == 0)
            tmp[n++] = group;
        tmp[n++] = (char)('0' + v % 10);
        v /= 10;
        pos++;
        if (!(v || pos <= minor_digits))
            break;
    }
    if (m < 0)
        tmp[n++] = '-';
    size_t len = (size_t)n < cap ? (size_t)n : cap - 1;
    for (size_t i = 0; i < len; i++)
        buf[i] = tmp[n - 1 - (int)i];
    buf[len] = 0;
    return len;
}

/* ---- dates (Howard Hinnant's civil algorithms, public domain math) ------- */

static int64_t days_from_civil(int64_t y, unsigned m, unsigned d)
{
    y -= m <= 2;
    const int64_t era = (y >= 0 ? y : y - 399) / 400;
    const unsigned yoe = (unsigned)(y - era * 400);
    const unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + (int64_t)doe - 719468;
}

static int days_in_month(int y, int m)
{
    static const int dm[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    if (m == 2 && ((y % 4 == 0 && y % 100 != 0) || y % 400 == 0))
        return 29;
    return dm[m - 1];
}

bool folio_date_from_ymd(int y, int m, int d, folio_date *out)
{
    if (y < 1800 || y > 2999 || m < 1 || m > 12 || d < 1 || d > days_in_month(y, m))
        return false;
    *out = (folio_date)days_from_civil(y, (unsigned)m, (unsigned)d);
    return true;
}

void folio_date_to_ymd(folio_date date, int *y, int *m, int *d)
{
    int64_t z = (int64_t)date + 719468;
    const int64_t era = (z >= 0 ? z : z - 146096) / 146097;
    const unsigned doe = (unsigned)(z - era * 146097);
    const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    const int64_t yy = (int64_t)yoe + era * 400;
    const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    const unsigned mp = (5 * doy + 2) / 153;
    const unsigned dd = doy - (153 * mp + 2) / 5 + 1;
    const unsigned mm = mp < 10 ? mp + 3 : mp - 9;
    *y = (int)(yy + (mm <= 2));
    *m = (int)mm;
    *d = (int)dd;
}

bool folio_date_parse(const char *s, size_t len, const char *p, folio_date *out)
{
    return folio_date_parse_pivot(s, len, p, 70, out);
}

/* n digits of s at *i into *out. */
static inline bool date_digits(const char *s, size_t len, size_t *i, int n, int *out)
{
    if (len - *i < (size_t)n)
        return false;
    int v = 0;
    for (int k = 0; k < n; k++) {
        char c = s[*i + (size_t)k];
        if (c < '0' || c > '9')
            return false;
        v = v * 10 + (c - '0');
    }
    *i += (size_t)n;
    *out = v;
    return true;
}

/* The pattern grammar: YYYY, YY (with the pivot), MM, DD, a final '*',
 * any other character literal.  The pattern is read by character compares
 * and "YYYY-MM-DD" (the default) at fixed offsets (issue 11, round 23: the
 * load); test_numbers compares it with a byte-loop reference on every
 * pattern and a set of tricky values. */
bool folio_date_parse_pivot(const char *s, size_t len, const char *p, int pivot,
                            folio_date *out)
{
    if (p[0] == 'Y' && p[1] == 'Y' && p[2] == 'Y' && p[3] == 'Y' && p[4] == '-' &&
        p[5] == 'M' && p[6] == 'M' && p[7] == '-' && p[8] == 'D' && p[9] == 'D' && !p[10]) {
        if (len != 10 || s[4] != '-' || s[7] != '-')
            return false;
        const unsigned char *u = (const unsigned char *)s;
        unsigned y0 = u[0] - '0', y1 = u[1] - '0', y2 = u[2] - '0', y3 = u[3] - '0';
        unsigned m0 = u[5] - '0', m1 = u[6] - '0', d0 = u[8] - '0', d1 = u[9] - '0';
        if (y0 > 9 || y1 > 9 || y2 > 9 || y3 > 9 || m0 > 9 || m1 > 9 || d0 > 9 || d1 > 9)
            return false;
        return folio_date_from_ymd((int)(y0 * 1000 + y1 * 100 + y2 * 10 + y3),
                                   (int)(m0 * 10 + m1), (int)(d0 * 10 + d1), out);
    }
    size_t i = 0;
    int y = -1, m = -1, d = -1;
    while (*p) {
        if (p[0] == '*' && p[1] == 0) {
            i = len;
            p++;
            break;
        }
        if (p[0] == 'Y' && p[1] == 'Y' && p[2] == 'Y' && p[3] == 'Y') {
            if (!date_digits(s, len, &i, 4, &y))
                return false;
            p += 4;
        } else if (p[0] == 'Y' && p[1] == 'Y') {
            if (!date_digits(s, len, &i, 2, &y))
                return false;
            y += y < pivot ? 2000 : 1900;
            p += 2;
        } else if (p[0] == 'M' && p[1] == 'M') {
            if (!date_digits(s, len, &i, 2, &m))
                return false;
            p += 2;
        } else if (p[0] == 'D' && p[1] == 'D') {
            if (!date_digits(s, len, &i, 2, &d))
                return false;
            p += 2;
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

bool folio_date_pattern_check(const char *p, const char **why)
{
    int ny = 0, nm = 0, nd = 0;
    while (*p) {
        if (*p == '*') {
            if (p[1]) {
                *why = "'*' (ignore the rest) may only be the last character";
                return false;
            }
            p++;
        } else if (!strncmp(p, "YYYY", 4)) {
            ny++, p += 4;
        } else if (!strncmp(p, "YY", 2)) {
            ny++, p += 2;
        } else if (!strncmp(p, "MM", 2)) {
            nm++, p += 2;
        } else if (!strncmp(p, "DD", 2)) {
            nd++, p += 2;
        } else if (*p == 'Y' || *p == 'M' || *p == 'D') {
            *why = "a lone Y, M or D is neither a field nor a literal (fields are YYYY, YY, "
                   "MM and DD)";
            return false;
        } else {
            p++;
        }
    }
    if (ny > 1 || nm > 1 || nd > 1) {
        *why = ny > 1 ? "the year (YYYY or YY) is given more than once"
               : nm > 1 ? "the month (MM) is given more than once"
                        : "the day (DD) is given more than once";
        return false;
    }
    if (!ny || !nm || !nd) {
        *why = "it must contain YYYY (or YY), MM and DD";
        return false;
    }
    return true;
}

static const char *const month_names[12] = {
    "January", "February", "March", "April", "May", "June", "July",
    "August", "September", "October", "November", "December"};

/* Whether p begins with lit (never reads past p's NUL). */
static inline bool date_pfx(const char *p, const char *lit)
{
    while (*lit)
        if (*p++ != *lit++)
            return false;
    return true;
}

size_t folio_date_format(folio_date date, const char *p, char *buf, size_t cap)
{
    int y, m, d;
    size_t n = 0;
    if (cap == 0)
        return 0;
    folio_date_to_ymd(date, &y, &m, &d);
#define PUT(c) do { if (n + 1 < cap) buf[n++] = (char)(c); } while (0)
    while (*p) {
        if (*p != 'Y' && *p != 'M' && *p != 'D') {   /* issue 11 (r-page): most */
            PUT(*p);
            p++;
        } else if (date_pfx(p, "YYYY")) {
            PUT('0' + y / 1000 % 10); PUT('0' + y / 100 % 10);
            PUT('0' + y / 10 % 10); PUT('0' + y % 10);
            p += 4;
        } else if (date_pfx(p, "YY")) {
            PUT('0' + y / 10 % 10); PUT('0' + y % 10);
            p += 2;
        } else if (date_pfx(p, "Month")) {
            for (const char *q = month_names[m - 1]; *q; q++) PUT(*q);
            p += 5;
        } else if (date_pfx(p, "Mon")) {
            for (int k = 0; k < 3; k++) PUT(month_names[m - 1][k]);
            p += 3;
        } else if (date_pfx(p, "MM")) {
            PUT('0' + m / 10); PUT('0' + m % 10);
            p += 2;
        } else if (date_pfx(p, "DD")) {
            PUT('0' + d / 10); PUT('0' + d % 10);
            p += 2;
        } else {
            PUT(*p);
            p++;
        }
    }
#undef PUT
    buf[n] = 0;
    return n;
}

int folio_date_months_between(folio_date from, folio_date to)
{
    int y1, m1, d1, y2, m2, d2;
    folio_date_to_ymd(from, &y1, &m1, &d1);
    folio_date_to_ymd(to, &y2, &m2, &d2);
    int months = (y2 - y1) * 12 + (m2 - m1);
    if (to >= from) {
        if (d2 < d1)
            months--;
    } else if (d2 > d1) {
        months++;
    }
    return months;
}

/* ---- arena --------------------------------------------------------------- */

struct folio_arena_block {
    folio_arena_block *next;
    size_t size, used;
    bool ext;                    /* the caller's memory: kept by reset, never freed */
    _Alignas(16) unsigned char data[];
};

void folio_arena_init(folio_arena *a, size_t block_size)
{
    a->head = NULL;
    a->block_size = block_size ? block_size : 64 * 1024;
    a->total = 0;
}

/* issue 11 (r-twothr): an arena whose first block is the caller's memory
 * (`buf`, `size` bytes, 16-aligned): reset keeps it and frees the rest,
 * folio_arena_free() leaves it to the caller.  The ring gives each worker's
 * arenas blocks in one mapping of its own, faulted in once per run (and in
 * huge pages where the kernel has them) instead of malloc blocks a fresh
 * worker thread faults page by page. */
void folio_arena_init_buf(folio_arena *a, void *buf, size_t size)
{
    folio_arena_init(a, 0);
    if (!buf || size <= sizeof(folio_arena_block) + 16)
        return;
    folio_arena_block *b = buf;
    b->next = NULL;
    b->size = size - sizeof *b;
    b->used = 0;
    b->ext = true;
    a->head = b;
    a->block_size = b->size;
    a->total = b->size;
}

void *folio_arena_alloc(folio_arena *a, size_t n)
{
    n = (n + 15) & ~(size_t)15;
    folio_arena_block *b = a->head;
    if (!b || b->size - b->used < n) {
        size_t sz = n > a->block_size ? n : a->block_size;
        folio_arena_block *nb = malloc(sizeof *nb + sz);
        if (!nb)
            return NULL;
        nb->size = sz;
        nb->used = 0;
        nb->ext = false;
        /* Keep a block with room at the head; big one-off blocks go behind. */
        if (b && n > a->block_size) {
            nb->next = b->next;
            b->next = nb;
        } else {
            nb->next = b;
            a->head = nb;
        }
        a->total += sz;
        b = nb;
    }
    void *p = b->data + b->used;
    b->used += n;
    return p;
}

void *folio_arena_calloc(folio_arena *a, size_t n)
{
    void *p = folio_arena_alloc(a, n);
    if (p)
        memset(p, 0, n);
    return p;
}

char *folio_arena_strndup(folio_arena *a, const char *s, size_t n)
{
    char *p = folio_arena_alloc(a, n + 1);
    if (p) {
        memcpy(p, s, n);
        p[n] = 0;
    }
    return p;
}

char *folio_arena_strdup(folio_arena *a, const char *s)
{
    return folio_arena_strndup(a, s, strlen(s));
}

void folio_arena_reset(folio_arena *a)
{
    /* Keep one block: the caller's (folio_arena_init_buf), else one of the
     * default size (the last one of that size). */
    folio_arena_block *keep = NULL, *b = a->head;
    for (; b && !keep; b = b->next)
        if (b->ext)
            keep = b;
    b = a->head;
    a->total = 0;
    while (b) {
        folio_arena_block *next = b->next;
        if (b->ext) {
            /* the caller's: kept, never freed */
        } else if (!keep && b->size == a->block_size) {
            keep = b;
        } else {
            free(b);
        }
        b = next;
    }
    if (keep) {
        keep->next = NULL;
        keep->used = 0;
        a->total = keep->size;
    }
    a->head = keep;
}

void folio_arena_free(folio_arena *a)
{
    folio_arena_block *b = a->head;
    while (b) {
        folio_arena_block *next = b->next;
        if (!b->ext)
            free(b);
        b = next;
    }
    a->head = NULL;
    a->total = 0;
}

/* ---- buffer -------------------------------------------------------------- */

void folio_buf_init(folio_buf *b, size_t max)
{
    b->data = NULL;
    b->len = b->cap = 0;
    b->max = max ? max : (size_t)1 << 30;
    b->failed = false;
}

static bool buf_reserve(folio_buf *b, size_t extra)
{
    if (b->failed)
        return false;
    if (b->len + extra + 1 <= b->cap)
        return true;
    size_t need = b->len + extra + 1;
    if (need > b->max) {
        b->failed = true;
        return false;
    }
    size_t ncap = b->cap ? b->cap * 2 : 256;
    while (ncap < need)
        ncap *= 2;
    if (ncap > b->max)
        ncap = b->max;
    char *p = realloc(b->data, ncap);
    if (!p) {
        b->failed = true;
        return false;
    }
    b->data = p;
    b->cap = ncap;
    return true;
}

bool folio_buf_append(folio_buf *b, const void *p, size_t n)
{
    if (!buf_reserve(b, n))
        return false;
    if (n)
        memcpy(b->data + b->len, p, n);
    b->len += n;
    b->data[b->len] = 0;
    return true;
}

bool folio_buf_puts(folio_buf *b, const char *s)
{
    return folio_buf_append(b, s, strlen(s));
}

bool folio_buf_putc(folio_buf *b, char c)
{
    return folio_buf_append(b, &c, 1);
}

bool folio_buf_printf(folio_buf *b, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    if (n < 0 || !buf_reserve(b, (size_t)n))
        return false;
    va_start(ap, fmt);
    vsnprintf(b->data + b->len, (size_t)n + 1, fmt, ap);
    va_end(ap);
    b->len += (size_t)n;
    return true;
}

bool folio_str_appendf(char *buf, size_t cap, size_t *len, const char *fmt, ...)
{
    if (!cap)
        return false;
    if (*len >= cap - 1) {          /* full (or truncated before): nothing fits */
        *len = cap - 1;
        buf[*len] = 0;
        return false;
    }
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(buf + *len, cap - *len, fmt, ap);
    va_end(ap);
    if (n >= 0 && (size_t)n < cap - *len) {
        *len += (size_t)n;
        return true;
    }
    if (n < 0)
        buf[*len] = 0;
    else {                          /* cut: say so with "..." */
        *len = cap - 1;
        if (cap >= 4)
            memcpy(buf + cap - 4, "...", 3);
    }
    return false;
}

bool folio_buf_put_int(folio_buf *b, int64_t v)
{
    char tmp[24];
    int n = 0;
    uint64_t u = v < 0 ? (uint64_t)0 - (uint64_t)v : (uint64_t)v;
    do {
        tmp[n++] = (char)('0' + u % 10);
        u /= 10;
    } while (u);
    if (v < 0)
        tmp[n++] = '-';
    char out[24];
    for (int i = 0; i < n; i++)
        out[i] = tmp[n - 1 - i];
    return folio_buf_append(b, out, (size_t)n);
}

bool folio_buf_put_fixed(folio_buf *b, int64_t v, int decimals)
{
    char tmp[48];
    size_t n = folio_money_format(v, decimals, '.', 0, tmp, sizeof tmp);
    if (decimals > 0) {
        while (n > 0 && tmp[n - 1] == '0')
            n--;
        if (n > 0 && tmp[n - 1] == '.')
            n--;
        if (n == 1 && tmp[0] == '-') /* "-0.00" cannot happen, but be safe */
            tmp[0] = '0';
        if (n == 2 && tmp[0] == '-' && tmp[1] == '0')
            tmp[0] = '0', n = 1;
    }
    return folio_buf_append(b, tmp, n);
}

bool folio_buf_put_json_str(folio_buf *b, const char *s, size_t n)
{
    static const char hex[] = "0123456789abcdef";
    if (!folio_buf_putc(b, '"'))
        return false;
    size_t start = 0;
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c >= 0x20 && c != '"' && c != '\\')
            continue;
        folio_buf_append(b, s + start, i - start);
        start = i + 1;
        switch (c) {
        case '"': folio_buf_puts(b, "\\\""); break;
        case '\\': folio_buf_puts(b, "\\\\"); break;
        case '\n': folio_buf_puts(b, "\\n"); break;
        case '\r': folio_buf_puts(b, "\\r"); break;
        case '\t': folio_buf_puts(b, "\\t"); break;
        default: {
            char e[6] = {'\\', 'u', '0', '0', hex[c >> 4], hex[c & 15]};
            folio_buf_append(b, e, 6);
        }
        }
    }
    folio_buf_append(b, s + start, n - start);
    return folio_buf_putc(b, '"');
}

/* A cell a spreadsheet would run as a formula (OWASP CSV injection). */
static bool csv_formula_start(char c)
{
    return c == '=' || c == '+' || c == '-' || c == '@' || c == '\t' || c == '\r';
}

size_t folio_csv_cell_skip(const char *s, size_t n)
{
    return n >= 2 && s[0] == '\'' && (csv_formula_start(s[1]) || s[1] == '\'') ? 1 : 0;
}

/* Does the cell s[0..n) need the leading '?  The cells that start with a
 * formula character, and those a reader would otherwise take for a
 * neutralised one (' then a formula character or '). */
static bool csv_needs_prefix(const char *s, size_t n)
{
    return (n && csv_formula_start(s[0])) || folio_csv_cell_skip(s, n);
}

bool folio_buf_put_csv_field(folio_buf *b, const char *s, size_t n)
{
    bool prefix = csv_needs_prefix(s, n);
    bool quote = prefix;
    for (size_t i = 0; i < n && !quote; i++)
        if (s[i] == ',' || s[i] == '"' || s[i] == '\r' || s[i] == '\n')
            quote = true;
    if (!quote)
        return folio_buf_append(b, s, n);
    folio_buf_putc(b, '"');
    if (prefix)
        folio_buf_putc(b, '\'');
    size_t start = 0;
    for (size_t i = 0; i < n; i++)
        if (s[i] == '"') {
            folio_buf_append(b, s + start, i + 1 - start);
            folio_buf_putc(b, '"');
            start = i + 1;
        }
    folio_buf_append(b, s + start, n - start);
    return folio_buf_putc(b, '"');
}

void folio_buf_reset(folio_buf *b)
{
    b->len = 0;
    b->failed = false;
    if (b->data)
        b->data[0] = 0;
}

void folio_buf_free(folio_buf *b)
{
    free(b->data);
    b->data = NULL;
    b->len = b->cap = 0;
}

/* ---- UTF-8 --------------------------------------------------------------- */

bool folio_utf8_valid(const char *str, size_t n, size_t *bad_at)
{
    const unsigned char *s = (const unsigned char *)str;
    size_t i = 0;
    while (i < n) {
        /* ASCII fast path, 8 bytes at a time */
        while (i + 8 <= n) {
            uint64_t w;
            memcpy(&w, s + i, 8);
            if (w & 0x8080808080808080ULL)
                break;
            i += 8;
        }
        if (i >= n)
            break;
        unsigned c = s[i];
        if (c < 0x80) {
            i++;
            continue;
        }
        size_t need;
        uint32_t cp;
        if (c >= 0xC2 && c <= 0xDF) {
            need = 1;
            cp = c & 0x1F;
        } else if (c >= 0xE0 && c <= 0xEF) {
            need = 2;
            cp = c & 0x0F;
        } else if (c >= 0xF0 && c <= 0xF4) {
            need = 3;
            cp = c & 0x07;
        } else {
            goto bad;
        }
        if (i + need >= n)
            goto bad;
        for (size_t k = 1; k <= need; k++) {
            if (i + k >= n || (s[i + k] & 0xC0) != 0x80)
                goto bad;
            cp = (cp << 6) | (s[i + k] & 0x3F);
        }
        if ((need == 2 && (cp < 0x800 || (cp >= 0xD800 && cp <= 0xDFFF))) ||
            (need == 3 && (cp < 0x10000 || cp > 0x10FFFF)))
            goto bad;
        i += need + 1;
    }
    return true;
bad:
    if (bad_at)
        *bad_at = i;
    return false;
}

int folio_utf8_next(const char *str, size_t n, uint32_t *cp)
{
    const unsigned char *s = (const unsigned char *)str;
    if (n == 0) {
        *cp = 0;
        return 0;
    }
    unsigned c = s[0];
    if (c < 0x80 || n < 2) {
        *cp = c;
        return 1;
    }
    if (c < 0xE0) {
        *cp = ((c & 0x1Fu) << 6) | (s[1] & 0x3Fu);
        return 2;
    }
    if (c < 0xF0 || n < 4) {
        if (n < 3) {
            *cp = c;
            return 1;
        }
        *cp = ((c & 0x0Fu) << 12) | ((s[1] & 0x3Fu) << 6) | (s[2] & 0x3Fu);
        return 3;
    }
    *cp = ((c & 0x07u) << 18) | ((s[1] & 0x3Fu) << 12) | ((s[2] & 0x3Fu) << 6) |
          (s[3] & 0x3Fu);
    return 4;
}

/* ---- files --------------------------------------------------------------- */

static void hex_of(const unsigned char *md, char hex[65])
{
    static const char digits[] = "0123456789abcdef";
    for (int i = 0; i < 32; i++) {
        hex[2 * i] = digits[md[i] >> 4];
        hex[2 * i + 1] = digits[md[i] & 15];
    }
    hex[64] = 0;
}

void folio_sha256_hex(const void *data, size_t n, char hex[65])
{
    unsigned char md[32];
    unsigned int mdlen = 0;
    EVP_Digest(data, n, md, &mdlen, EVP_sha256(), NULL);
    hex_of(md, hex);
}

const char *folio_file_kind(unsigned mode)
{
    switch (mode & S_IFMT) {
    case S_IFIFO: return "a FIFO";
    case S_IFDIR: return "a directory";
    case S_IFCHR: return "a character device";
    case S_IFBLK: return "a block device";
    case S_IFSOCK: return "a socket";
    case S_IFLNK: return "a symbolic link";
    default: return "a special file";
    }
}

static void not_regular(const char *path, const char *key, unsigned mode, folio_error *err)
{
    folio_error_set(err, FOLIO_EXIT_USAGE,
                    "%s%s%s: is %s, not a regular file (folio reads inputs from regular "
                    "files only)", key ? key : "", key ? ": " : "", path,
                    folio_file_kind(mode));
}

int folio_input_open(const char *path, const char *key, int open_code, struct stat *out,
                     folio_error *err)
{
    struct stat st;
    if (stat(path, &st) == 0 && !S_ISREG(st.st_mode)) {
        not_regular(path, key, (unsigned)st.st_mode, err);
        return -1;
    }
    int fd;
    do
        fd = open(path, O_RDONLY | O_NONBLOCK | O_NOCTTY | O_CLOEXEC);
    while (fd < 0 && errno == EINTR);
    if (fd < 0) {
        folio_error_set(err, open_code, "%s%s%s: cannot open: %s", key ? key : "",
                        key ? ": " : "", path, strerror(errno));
        return -1;
    }
    if (fstat(fd, &st) != 0) {
        folio_error_set(err, open_code, "%s%s%s: cannot stat: %s", key ? key : "",
                        key ? ": " : "", path, strerror(errno));
        close(fd);
        return -1;
    }
    if (!S_ISREG(st.st_mode)) {          /* swapped in after the stat */
        not_regular(path, key, (unsigned)st.st_mode, err);
        close(fd);
        return -1;
    }
    int fl = fcntl(fd, F_GETFL);
    if (fl < 0 || fcntl(fd, F_SETFL, fl & ~O_NONBLOCK) != 0) {
        folio_error_set(err, FOLIO_EXIT_FAILED, "%s%s%s: fcntl: %s", key ? key : "",
                        key ? ": " : "", path, strerror(errno));
        close(fd);
        return -1;
    }
    if (out)
        *out = st;
    return fd;
}

FILE *folio_input_fopen(const char *path, const char *key, int open_code, folio_error *err)
{
    int fd = folio_input_open(path, key, open_code, NULL, err);
    if (fd < 0)
        return NULL;
    FILE *fp = fdopen(fd, "rb");
    if (!fp) {
        folio_error_set(err, FOLIO_EXIT_FAILED, "%s: %s", path, strerror(errno));
        close(fd);
    }
    return fp;
}

bool folio_sha256_file(const char *path, char hex[65], uint64_t *bytes,
                       folio_error *err)
{
    int fd = folio_input_open(path, NULL, FOLIO_EXIT_FAILED, NULL, err);
    if (fd < 0)
        return false;
    EVP_MD_CTX *ctx = EVP_MD_CTX_new();
    if (!ctx || !EVP_DigestInit_ex(ctx, EVP_sha256(), NULL)) {
        close(fd);
        EVP_MD_CTX_free(ctx);
        folio_error_set(err, FOLIO_EXIT_FAILED, "%s: sha256 init failed", path);
        return false;
    }
    enum { CHUNK = 1 << 20 };
    unsigned char *buf = malloc(CHUNK);
    uint64_t total = 0;
    bool ok = buf != NULL;
    while (ok) {
        ssize_t r = read(fd, buf, CHUNK);
        if (r < 0) {
            if (errno == EINTR)
                continue;
            folio_error_set(err, FOLIO_EXIT_FAILED, "%s: read error: %s", path, strerror(errno));
            ok = false;
            break;
        }
        if (r == 0)
            break;
        EVP_DigestUpdate(ctx, buf, (size_t)r);
        total += (uint64_t)r;
    }
    if (!buf)
        folio_error_set(err, FOLIO_EXIT_FAILED, "%s: out of memory", path);
    unsigned char md[32];
    unsigned int mdlen = 0;
    if (ok) {
        EVP_DigestFinal_ex(ctx, md, &mdlen);
        hex_of(md, hex);
        if (bytes)
            *bytes = total;
    }
    free(buf);
    EVP_MD_CTX_free(ctx);
    close(fd);
    return ok;
}

bool folio_afile_open(folio_afile *f, const char *path, folio_error *err)
{
    memset(f, 0, sizeof *f);
    f->fd = -1;
    snprintf(f->path, sizeof f->path, "%s", path);
    snprintf(f->tmp, sizeof f->tmp, "%s.tmp-%ld", path, (long)getpid());
    f->fd = open(f->tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0644);
    if (f->fd < 0) {
        folio_error_set(err, FOLIO_EXIT_FAILED, "%s: cannot create: %s", f->tmp,
                        strerror(errno));
        return false;
    }
    return true;
}

int folio_create_excl(const char *path)
{
    return open(path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0644);
}

FILE *folio_fopen_excl(const char *path)
{
    int fd = folio_create_excl(path);
    if (fd < 0)
        return NULL;
    FILE *fp = fdopen(fd, "wb");
    if (!fp) {
        int e = errno;
        close(fd);
        unlink(path);
        errno = e;
    }
    return fp;
}

bool folio_afile_open_excl(folio_afile *f, const char *path, folio_error *err)
{
    memset(f, 0, sizeof *f);
    snprintf(f->path, sizeof f->path, "%s", path);
    snprintf(f->tmp, sizeof f->tmp, "%s", path);   /* tmp == path: no rename */
    f->fd = folio_create_excl(path);
    if (f->fd < 0) {
        folio_error_set(err, FOLIO_EXIT_FAILED, "%s: cannot create: %s", path,
                        strerror(errno));
        return false;
    }
    return true;
}

bool folio_write_file_excl(const char *path, const void *data, size_t n, folio_error *err)
{
    folio_afile f;
    if (!folio_afile_open_excl(&f, path, err))
        return false;
    folio_afile_write(&f, data, n);
    return folio_afile_commit(&f, err);
}

volatile int folio_stop;
_Static_assert(sizeof(sig_atomic_t) == sizeof(int), "folio_stop is a sig_atomic_t");

bool folio_stopped(folio_error *err)
{
    int sig = folio_stop;
    if (!sig)
        return false;
    folio_error_set(err, FOLIO_EXIT_FAILED, "interrupted by signal %d; nothing was published",
                    sig);
    return true;
}

/* r-harden (round 25): see common.h.  The variable is read once; a run
 * without it pays one relaxed load per tick. */
void folio_test_stop_stall(bool stopping)
{
    static int ms = -1;
    int v = __atomic_load_n(&ms, __ATOMIC_RELAXED);
    if (v < 0) {
        const char *e = getenv("FOLIO_TEST_STOP_STALL");
        v = e && *e ? atoi(e) : 0;
        __atomic_store_n(&ms, v > 0 ? v : 0, __ATOMIC_RELAXED);
    }
    if (v > 0 && (stopping || folio_stop)) {
        struct timespec ts = {v / 1000, (long)(v % 1000) * 1000000L};
        nanosleep(&ts, NULL);
    }
}

bool folio_afile_write(folio_afile *f, const void *data, size_t n)
{
    const char *p = data;
    while (n && !f->err.code) {
        ssize_t w = write(f->fd, p, n);
        if (w < 0) {
            if (errno == EINTR)
                continue;
            folio_error_set(&f->err, FOLIO_EXIT_FAILED, "%s: write failed: %s", f->tmp,
                            strerror(errno));
            break;
        }
        p += w;
        n -= (size_t)w;
    }
    return !f->err.code;
}

bool folio_afile_drain(folio_afile *f, folio_buf *b, size_t at_least)
{
    if (b->failed) {
        if (!f->err.code)
            folio_error_set(&f->err, FOLIO_EXIT_FAILED, "%s: out of memory", f->path);
        return false;
    }
    if (b->len < at_least)
        return !f->err.code;
    bool ok = folio_afile_write(f, b->data, b->len);
    b->len = 0;
    return ok;
}

void folio_afile_abort(folio_afile *f)
{
    if (f->fd >= 0) {
        close(f->fd);
        unlink(f->tmp);
    }
    f->fd = -1;
}

bool folio_afile_commit(folio_afile *f, folio_error *err)
{
    if (!f->err.code) {
        int rs = fsync(f->fd), e = errno;
        int rc = close(f->fd);          /* always closed, whatever fsync said */
        if (rc != 0 && rs == 0)
            e = errno;
        f->fd = -1;
        if (rs != 0 || rc != 0) {
            folio_error_set(&f->err, FOLIO_EXIT_FAILED, "%s: write failed: %s", f->tmp,
                            strerror(e));
            unlink(f->tmp);
            *err = f->err;
            return false;
        }
    }
    if (f->err.code) {
        *err = f->err;
        folio_afile_abort(f);
        return false;
    }
    f->fd = -1;
    if (!strcmp(f->tmp, f->path))       /* folio_afile_open_excl: written in place */
        return true;
    if (rename(f->tmp, f->path) != 0) {
        folio_error_set(err, FOLIO_EXIT_FAILED, "%s: rename failed: %s", f->path,
                        strerror(errno));
        unlink(f->tmp);
        return false;
    }
    return true;
}

bool folio_write_file_atomic(const char *path, const void *data, size_t n,
                             folio_error *err)
{
    folio_afile f;
    if (!folio_afile_open(&f, path, err))
        return false;
    folio_afile_write(&f, data, n);
    return folio_afile_commit(&f, err);
}

bool folio_mkdirs(const char *path, folio_error *err)
{
    char buf[4096];
    size_t n = strlen(path);
    if (n == 0 || n >= sizeof buf) {
        folio_error_set(err, FOLIO_EXIT_FAILED, "%s: bad directory name", path);
        return false;
    }
    memcpy(buf, path, n + 1);
    for (size_t i = 1; i <= n; i++) {
        if (buf[i] == '/' || buf[i] == 0) {
            char c = buf[i];
            buf[i] = 0;
            if (mkdir(buf, 0755) != 0 && errno != EEXIST) {
                folio_error_set(err, FOLIO_EXIT_FAILED, "%s: cannot create directory: %s",
                                buf, strerror(errno));
                return false;
            }
            buf[i] = c;
        }
    }
    return true;
}
