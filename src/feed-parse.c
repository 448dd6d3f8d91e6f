/* SPDX-License-Identifier: Apache-2.0 */
/*
 * feed-parse.c -- one feed: header, record scanner, libcsv per record, typed
 * fields, rejects.
 *
 * Order of calls: feed_ctx_prepare() (serial: BOM, header, column map, chunk
 * boundaries), then feed_chunk_parse() for every chunk (any thread, any
 * order), then the caller merges chunks in order (feed.c).
 *
 * Per record: the scanner gives [start, end) and the LFs inside it; a trailing
 * CR is dropped; an empty or blank line is not a record.  libcsv (strict, LF
 * the only terminator) splits the record into fields, which are copied into a
 * scratch buffer.  Then: field count, UTF-8 of every field, and the kind's
 * typed fields in job-field order; the first problem rejects the row.
 */
#include "feed-private.h"
#include "tabspill.h"   /* issue 12 part 1 */
#include "feed-split.h" /* issue 11: the load */
#include <sys/mman.h>
#include <unistd.h>
#include "folio/events.h"
#include "folio/currency.h"
#include "folio/numbers.h"
#include "folio/products.h"
#include "folio/transcode.h"
#include "folio/ledger.h"

#include <csv.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define FEED_MAX_RECORD   (4u << 20)    /* bytes in one record */
#define FEED_MAX_FIELDS   4096
#define FEED_MAX_RAW      65536         /* raw text kept for a reject */
#define FEED_STR_BLOCK    (64u << 10)

/* ---- hashing and the string pool ------------------------------------------ */

uint32_t feed_hash(const char *s, size_t n)
{
    uint64_t h = 0x9E3779B97F4A7C15ull ^ (uint64_t)n;
    while (n >= 8) {
        uint64_t w;
        memcpy(&w, s, 8);
        h = (h ^ w) * 0xff51afd7ed558ccdull;
        h ^= h >> 32;
        s += 8;
        n -= 8;
    }
    uint64_t w = 0;
    memcpy(&w, s, n);
    h = (h ^ w) * 0xc4ceb9fe1a85ec53ull;
    h ^= h >> 29;
    return (uint32_t)h ^ (uint32_t)(h >> 32);
}

void feed_strpool_init(feed_strpool *sp)
{
    memset(sp, 0, sizeof *sp);
    folio_arena_init(&sp->arena, 256u << 10);
}

const char *feed_strpool_copy(feed_strpool *sp, const char *s, size_t n)
{
    if (n == 0)
        return "";
    char *p;
    if (n + 1 > FEED_STR_BLOCK / 4) {
        p = sp->spill ? tabspill_alloc(sp->spill, n + 1) : NULL;   /* issue 12 part 1 */
        if (!p)
            p = folio_arena_alloc(&sp->arena, n + 1);
    } else {
        if (sp->left < n + 1) {
            sp->cur = sp->spill ? tabspill_alloc(sp->spill, FEED_STR_BLOCK) : NULL;
            if (!sp->cur)
                sp->cur = folio_arena_alloc(&sp->arena, FEED_STR_BLOCK);
            sp->left = sp->cur ? FEED_STR_BLOCK : 0;
        }
        p = sp->cur;
        if (p) {
            sp->cur += n + 1;
            sp->left -= n + 1;
        }
    }
    if (!p) {
        sp->failed = true;
        return NULL;
    }
    memcpy(p, s, n);
    p[n] = 0;
    return p;
}

static bool strpool_grow(feed_strpool *sp)
{
    size_t ncap = sp->cap ? sp->cap * 2 : 1024;
    feed_intern_slot *ns = calloc(ncap, sizeof *ns);
    if (!ns)
        return false;
    for (size_t i = 0; i < sp->cap; i++) {
        if (!sp->slots[i].s)
            continue;
        size_t j = sp->slots[i].hash & (ncap - 1);
        while (ns[j].s)
            j = (j + 1) & (ncap - 1);
        ns[j] = sp->slots[i];
    }
    free(sp->slots);
    sp->slots = ns;
    sp->cap = ncap;
    return true;
}

const char *feed_strpool_intern(feed_strpool *sp, const char *s, size_t n)
{
    if (n == 0)
        return "";
    if (n > UINT32_MAX)
        return feed_strpool_copy(sp, s, n);
    if ((sp->n + 1) * 10 > sp->cap * 7 && !strpool_grow(sp)) {
        sp->failed = true;
        return NULL;
    }
    uint32_t h = feed_hash(s, n);
    size_t j = h & (sp->cap - 1);
    while (sp->slots[j].s) {
        feed_intern_slot *e = &sp->slots[j];
        if (e->hash == h && e->len == n && !memcmp(e->s, s, n))
            return e->s;
        j = (j + 1) & (sp->cap - 1);
    }
    const char *p = feed_strpool_copy(sp, s, n);
    if (!p)
        return NULL;
    sp->slots[j].s = p;
    sp->slots[j].len = (uint32_t)n;
    sp->slots[j].hash = h;
    sp->n++;
    return p;
}

void feed_strpool_forget(feed_strpool *sp)
{
    free(sp->slots);
    sp->slots = NULL;
    sp->cap = sp->n = 0;
}

void feed_strpool_free(feed_strpool *sp)
{
    feed_strpool_forget(sp);
    folio_arena_free(&sp->arena);
    sp->cur = NULL;
    sp->left = 0;
}

/* ---- record scanner ---------------------------------------------------------- */

void feed_scanner_init(feed_scanner *sc, const char *d, size_t len, char delim,
                       char quote)
{
    sc->d = d;
    sc->len = len;
    sc->delim = delim;
    sc->quote = quote;
    sc->q_from = 1;
    sc->q_at = 0;        /* empty cache: q_from > q_at */
    sc->drop = false;
}

/* issue 12 part 1: memchr for c in d[pos, len) in 16 MiB steps, each step
 * passed dropped from the resident set (a mapped file: its pages are read
 * again from the page cache when parsed) -- the search for the next quote
 * of a file without quotes reads the whole file at once, which was the
 * peak of a large run's memory. */
static const char *memchr_dropping(const char *d, size_t pos, size_t len, char c)
{
    const size_t step = (size_t)16 << 20, pg = (size_t)sysconf(_SC_PAGESIZE);
    while (pos < len) {
        size_t n = len - pos < step ? len - pos : step;
        const char *q = memchr(d + pos, c, n);
        if (q)
            return q;
        uintptr_t lo = ((uintptr_t)(d + pos) + pg - 1) & ~(uintptr_t)(pg - 1);
        uintptr_t hi = (uintptr_t)(d + pos + n) & ~(uintptr_t)(pg - 1);
        if (hi > lo)
            madvise((void *)lo, hi - lo, MADV_DONTNEED);
        pos += n;
    }
    return NULL;
}

size_t feed_scan_next_quote(feed_scanner *sc, size_t pos)
{
    if (!sc->quote)
        return sc->len;
    if (!(sc->q_from <= pos && pos <= sc->q_at)) {
        const char *q = pos >= sc->len ? NULL
                        : sc->drop ? memchr_dropping(sc->d, pos, sc->len, sc->quote)
                                   : memchr(sc->d + pos, sc->quote, sc->len - pos);
        sc->q_from = pos;
        sc->q_at = q ? (size_t)(q - sc->d) : sc->len;
    }
    return sc->q_at;
}

/* issue 12 part 1: the whole pages of ctx->data[b, e) out of the resident
 * set when data is a mapped file (the boundary scan walks every record of
 * a quoted file; the pages are read again from the page cache to parse). */
static void drop_range(const feed_ctx *ctx, size_t b, size_t e)
{
    if (!ctx->drop_behind)
        return;
    const size_t pg = (size_t)sysconf(_SC_PAGESIZE);
    uintptr_t lo = ((uintptr_t)(ctx->data + b) + pg - 1) & ~(uintptr_t)(pg - 1);
    uintptr_t hi = (uintptr_t)(ctx->data + e) & ~(uintptr_t)(pg - 1);
    if (hi > lo)
        madvise((void *)lo, hi - lo, MADV_DONTNEED);
}

static uint32_t count_lf(const char *p, size_t n)
{
    uint32_t c = 0;
    const char *end = p + n;
    while (p < end && (p = memchr(p, '\n', (size_t)(end - p))) != NULL) {
        c++;
        p++;
    }
    return c;
}

size_t feed_scan_record(feed_scanner *sc, size_t pos, uint32_t *nl,
                        bool *open_quote)
{
    const char *d = sc->d;
    const size_t len = sc->len, start = pos;
    uint32_t lines = 0;
    *open_quote = false;
    for (;;) {
        size_t qpos = feed_scan_next_quote(sc, pos);
        const char *lf = qpos > pos ? memchr(d + pos, '\n', qpos - pos) : NULL;
        if (lf) {
            *nl = lines;
            return (size_t)(lf - d);
        }
        if (qpos >= len) {
            *nl = lines;
            return len;
        }
        /* A quote opens a quoted field only at the start of a field. */
        size_t i = qpos;
        while (i > start && (d[i - 1] == ' ' || d[i - 1] == '\t') && d[i - 1] != sc->delim)
            i--;
        if (i != start && d[i - 1] != sc->delim) {
            pos = qpos + 1;                 /* literal quote */
            continue;
        }
        size_t p = qpos + 1;
        for (;;) {
            const char *c = p < len ? memchr(d + p, sc->quote, len - p) : NULL;
            if (!c) {
                lines += count_lf(d + p, len - p);
                *nl = lines;
                *open_quote = true;
                return len;
            }
            size_t cp = (size_t)(c - d);
            lines += count_lf(d + p, cp - p);
            if (cp + 1 < len && d[cp + 1] == sc->quote) {
                p = cp + 2;                 /* "" escaped quote */
                continue;
            }
            pos = cp + 1;
            break;
        }
    }
}

/* ---- fields of one record (libcsv) ---------------------------------------- */

typedef struct fieldset {
    char *buf;                 /* field bytes, each NUL-terminated */
    size_t len, cap;
    size_t *off, *flen;
    int n, cap_f;
    int rows;
    bool overflow;
    bool ascii;                /* issue 11: every byte printable ASCII (plain path) */
    uint32_t *dpos;            /* issue 11: delimiter positions (plain path) */
} fieldset;

/* Room for want fields in fs (64, doubled, at most FEED_MAX_FIELDS);
 * false with fs->overflow set when it cannot. */
static bool fs_reserve_fields(fieldset *fs, size_t want)
{
    if (want <= (size_t)fs->cap_f)
        return true;
    int nc = fs->cap_f ? fs->cap_f : 64;
    while ((size_t)nc < want && nc <= FEED_MAX_FIELDS)
        nc *= 2;
    if (nc > FEED_MAX_FIELDS) {
        fs->overflow = true;
        return false;
    }
    size_t *o = realloc(fs->off, (size_t)nc * sizeof *o);
    if (o)
        fs->off = o;
    size_t *l = o ? realloc(fs->flen, (size_t)nc * sizeof *l) : NULL;
    if (l)
        fs->flen = l;
    if (!o || !l) {
        fs->overflow = true;
        return false;
    }
    fs->cap_f = nc;
    return true;
}

static void fs_field_cb(void *s, size_t n, void *data)
{
    fieldset *fs = data;
    if (fs->overflow || !fs_reserve_fields(fs, (size_t)fs->n + 1))
        return;
    if (fs->len + n + 1 > fs->cap) {
        size_t nc = fs->cap ? fs->cap : 4096;
        while (nc < fs->len + n + 1)
            nc *= 2;
        char *b = realloc(fs->buf, nc);
        if (!b) {
            fs->overflow = true;
            return;
        }
        fs->buf = b;
        fs->cap = nc;
    }
    if (n)
        memcpy(fs->buf + fs->len, s, n);
    fs->buf[fs->len + n] = 0;
    fs->off[fs->n] = fs->len;
    fs->flen[fs->n] = n;
    fs->len += n + 1;
    fs->n++;
}

static void fs_row_cb(int c, void *data)
{
    (void)c;
    ((fieldset *)data)->rows++;
}

static int is_lf(unsigned char c)
{
    return c == '\n';
}

static bool parser_init(struct csv_parser *p, const folio_feed_def *def)
{
    if (csv_init(p, CSV_STRICT | CSV_STRICT_FINI | CSV_APPEND_NULL) != 0)
        return false;
    csv_set_delim(p, (unsigned char)def->delimiter);
    csv_set_quote(p, (unsigned char)def->quote);
    csv_set_term_func(p, is_lf);
    return true;
}

static bool g_force_libcsv = false;

void feed_set_force_libcsv(bool on)
{
    g_force_libcsv = on;
}

static inline bool is_blank(char c, char delim)
{
    return (c == ' ' || c == '\t') && c != delim;
}


/* Fast path for a record holding no quote character: exactly what libcsv does
 * with it (split at the delimiter, blanks around each field trimmed, a record
 * of blanks only is no row), without its per-byte callbacks.  Proven equal to
 * libcsv by test_feed (test_fast_split_matches_libcsv).
 * issue 11 (round 23, the load): the record is copied once and its fields
 * are cut in place (a NUL after each), the delimiters found in one pass that
 * also sets fs->ascii (feed-split.c) -- no copy and no memchr per field. */
static void fields_cut(const char *rec, size_t n, char delim, size_t nd, bool printable,
                       fieldset *fs);

static void fields_split_plain(const char *rec, size_t n, char delim, fieldset *fs)
{
    if (!fs->dpos && !(fs->dpos = malloc(FEED_MAX_FIELDS * sizeof *fs->dpos))) {
        fs->overflow = true;
        return;
    }
    bool printable;
    size_t nd = feed_split_delims(rec, n, delim, fs->dpos, FEED_MAX_FIELDS, &printable);
    fields_cut(rec, n, delim, nd, printable, fs);
}

/* The fields of rec[0..n) from its nd delimiters at fs->dpos (the first
 * FEED_MAX_FIELDS of them), as fields_split_plain describes. */
static void fields_cut(const char *rec, size_t n, char delim, size_t nd, bool printable,
                       fieldset *fs)
{
    size_t i = 0;
    while (i < n && is_blank(rec[i], delim))
        i++;
    if (i == n)
        return;                     /* blanks only: libcsv reports no row */
    if (nd >= FEED_MAX_FIELDS) {    /* more fields than a record may have */
        if (fs_reserve_fields(fs, FEED_MAX_FIELDS))
            fs->n = FEED_MAX_FIELDS;
        fs->overflow = true;
        return;
    }
    if (!fs_reserve_fields(fs, nd + 1))
        return;
    if (n + 1 > fs->cap) {
        size_t nc = fs->cap ? fs->cap : 4096;
        while (nc < n + 1)
            nc *= 2;
        char *b = realloc(fs->buf, nc);
        if (!b) {
            fs->overflow = true;
            return;
        }
        fs->buf = b;
        fs->cap = nc;
    }
    char *buf = fs->buf;
    memcpy(buf, rec, n);
    buf[n] = 0;
    size_t b = 0;
    for (size_t k = 0; k <= nd; k++) {
        size_t fe = k < nd ? fs->dpos[k] : n;
        size_t s0 = b, s1 = fe;
        while (s0 < s1 && is_blank(buf[s0], delim))
            s0++;
        while (s1 > s0 && is_blank(buf[s1 - 1], delim))
            s1--;
        buf[s1] = 0;
        fs->off[k] = s0;
        fs->flen[k] = s1 - s0;
        b = fe + 1;
    }
    fs->n = (int)nd + 1;
    fs->len = n + 1;
    fs->ascii = printable;
    fs->rows = 1;
}

/* issue 11 (round 23, the load): a record whose quotes all make simple
 * quoted fields -- the quote is the field's first byte, the field's next
 * quote closes it and is followed by the delimiter or the record's end, no
 * quote, CR or LF inside -- split without libcsv: a quoted field is its
 * bytes between the quotes, an unquoted one as fields_split_plain takes it
 * (holding no quote).  False (fs emptied) for any other record: libcsv
 * decides it.  Equal to libcsv on what it takes (test_feed,
 * test_fast_split_matches_libcsv). */
static bool fields_split_quoted(const char *rec, size_t n, char delim, char quote,
                                fieldset *fs)
{
    size_t b = 0;
    for (;;) {
        if (fs->n + 1 >= FEED_MAX_FIELDS)
            goto other;                 /* libcsv says how many is too many */
        if (b < n && rec[b] == quote) {
            const char *q = memchr(rec + b + 1, quote, n - b - 1);
            if (!q)
                goto other;
            size_t qe = (size_t)(q - rec);
            if (qe + 1 < n && rec[qe + 1] != delim)
                goto other;
            if (memchr(rec + b + 1, '\n', qe - b - 1) || memchr(rec + b + 1, '\r', qe - b - 1))
                goto other;
            fs_field_cb((void *)(rec + b + 1), qe - b - 1, fs);
            if (qe + 1 >= n)
                break;
            b = qe + 2;
            continue;
        }
        const char *e = memchr(rec + b, delim, n - b);
        size_t fe = e ? (size_t)(e - rec) : n;
        if (memchr(rec + b, quote, fe - b))
            goto other;
        size_t s0 = b, s1 = fe;
        while (s0 < s1 && is_blank(rec[s0], delim))
            s0++;
        while (s1 > s0 && is_blank(rec[s1 - 1], delim))
            s1--;
        fs_field_cb((void *)(rec + s0), s1 - s0, fs);
        if (!e)
            break;
        b = fe + 1;
    }
    if (fs->overflow)
        goto other;
    fs->rows = 1;
    return true;
other:
    fs->len = 0;
    fs->n = 0;
    fs->overflow = false;
    return false;
}

/* Split rec[0..n) into fs.  Returns 0 ok, 1 malformed quoting, 2 OOM/too many
 * fields.  The parser is reset for the next record either way.  no_quote:
 * the caller knows rec holds no quote character (the scanner found the
 * next one past it).  fs->ascii is set only by the plain path. */
static int fields_split(struct csv_parser *p, const folio_feed_def *def,
                        const char *rec, size_t n, fieldset *fs, bool no_quote)
{
    fs->len = 0;
    fs->n = 0;
    fs->rows = 0;
    fs->overflow = false;
    fs->ascii = false;
    /* without a quote character the fast path is the only parser: libcsv
     * has no "no quote" setting (quote 0 would make a NUL byte a quote) */
    if (!def->quote ||
        (!g_force_libcsv && (no_quote || !memchr(rec, def->quote, n)))) {
        fields_split_plain(rec, n, def->delimiter, fs);
        return fs->overflow ? 2 : 0;
    }
    if (!g_force_libcsv && fields_split_quoted(rec, n, def->delimiter, def->quote, fs))
        return 0;                       /* issue 11: simple quoted fields */
    bool bad = csv_parse(p, rec, n, fs_field_cb, fs_row_cb, fs) != n;
    if (!bad && csv_fini(p, fs_field_cb, fs_row_cb, fs) != 0)
        bad = true;
    if (bad || csv_error(p) != CSV_SUCCESS) {
        int e = csv_error(p);
        csv_free(p);
        if (!parser_init(p, def))
            return 2;
        return e == CSV_ENOMEM ? 2 : 1;
    }
    if (fs->overflow)
        return 2;
    return 0;
}

static void fieldset_free(fieldset *fs)
{
    free(fs->buf);
    free(fs->off);
    free(fs->flen);
    free(fs->dpos);
    memset(fs, 0, sizeof *fs);
}

/* ---- prepare: header and chunk boundaries ---------------------------------- */

static size_t g_split_min = 8u << 20, g_chunk = 4u << 20;

void feed_set_chunking(size_t split_min, size_t chunk)
{
    g_split_min = split_min ? split_min : 8u << 20;
    g_chunk = chunk ? chunk : 4u << 20;
}

/* issue 11 (round 29, r-serial): the chunk size for a load of `total`
 * bytes on nt threads: ~8 chunks a thread, 512 KB to the default 4 MB.
 * With 4 MB chunks, a 25 MB load at 2 threads had 4-5 large tasks, and the
 * thread that took the last of them parsed alone at the end of the
 * parallel loop while the other waited.  (16 a thread kept ~4 MB more of
 * string-block slack after the load; each chunk's strings now take 64 KB
 * arena blocks, not 256 KB.)  0 (the default) at one thread or when a test
 * set the chunking (feed_set_chunking). */
size_t feed_chunk_for(uint64_t total, int nt)
{
    if (nt <= 1 || g_chunk != 4u << 20 || g_split_min != 8u << 20)
        return 0;
    uint64_t c = total / ((uint64_t)nt * 8);
    if (c < 512u << 10)
        c = 512u << 10;
    return c >= g_chunk ? 0 : (size_t)c;
}

static bool kind_requires(folio_feed_kind kind, const folio_feed_def *def,
                          folio_field *missing)
{
    static const folio_field cust[] = {FOLIO_F_CUSTOMER_ID};
    static const folio_field acct[] = {FOLIO_F_ACCOUNT_ID};   /* owner: column or holders */
    static const folio_field txn[] = {FOLIO_F_TXN_ACCOUNT_ID, FOLIO_F_TXN_DATE};
    static const folio_field con[] = {FOLIO_F_CONTACT_KEY, FOLIO_F_OFFER_ID,
                                      FOLIO_F_CONTACT_DATE};
    static const folio_field hold[] = {FOLIO_F_HOLDER_ACCOUNT_ID, FOLIO_F_HOLDER_CUSTOMER_ID,
                                       FOLIO_F_HOLDER_ROLE};
    static const folio_field resp[] = {FOLIO_F_RESP_KEY, FOLIO_F_RESP_OFFER, FOLIO_F_RESP_DATE};
    static const folio_field evf[] = {FOLIO_F_EVENT_KEY, FOLIO_F_EVENT_TYPE,
                                      FOLIO_F_EVENT_DATE};   /* issue 15 part 2 */
    const folio_field *req = NULL;
    size_t n = 0;
    switch (kind) {
    case FOLIO_FEED_CUSTOMERS: req = cust; n = 1; break;
    case FOLIO_FEED_ACCOUNTS: req = acct; n = 1; break;
    case FOLIO_FEED_TRANSACTIONS: req = txn; n = 2; break;
    case FOLIO_FEED_CONTACTS: req = con; n = 3; break;
    case FOLIO_FEED_HOLDERS: req = hold; n = 3; break;
    case FOLIO_FEED_RESPONSES: req = resp; n = 3; break;   /* issue 15 part 4 */
    case FOLIO_FEED_EVENTS: req = evf; n = 3; break;
    case FOLIO_FEED_CUSTOMER_ATTRS: req = cust; n = def->key_is_line ? 0 : 1; break;
    case FOLIO_FEED_ACCOUNT_ATTRS: req = acct; n = def->key_is_line ? 0 : 1; break;
    }
    for (size_t i = 0; i < n; i++)
        if (!def->columns[req[i]]) {
            *missing = req[i];
            return false;
        }
    if (kind == FOLIO_FEED_TRANSACTIONS) {
        if (def->sign == FOLIO_SIGN_SPLIT_COLUMNS) {
            if (!def->columns[FOLIO_F_DEBIT_AMOUNT]) {
                *missing = FOLIO_F_DEBIT_AMOUNT;
                return false;
            }
            if (!def->columns[FOLIO_F_CREDIT_AMOUNT]) {
                *missing = FOLIO_F_CREDIT_AMOUNT;
                return false;
            }
        } else if (!def->columns[FOLIO_F_AMOUNT]) {
            *missing = FOLIO_F_AMOUNT;
            return false;
        }
        if (def->sign == FOLIO_SIGN_FLAG_COLUMN && !def->columns[FOLIO_F_DEBIT_FLAG]) {
            *missing = FOLIO_F_DEBIT_FLAG;
            return false;
        }
    }
    return true;
}

int feed_header_column(const char *const *cols, int n_cols, const char *fname, uint32_t hdr_line,
                       const char *want, const char *what, const char *dup_hint,
                       folio_error *err)
{
    int idx = -1, other = -1;
    for (int pass = 0; pass < 2 && idx < 0; pass++)
        for (int i = 0; i < n_cols; i++)
            if (pass == 0 ? !strcmp(cols[i], want) : !strcasecmp(cols[i], want)) {
                if (idx < 0)
                    idx = i;
                else if (other < 0)
                    other = i;
            }
    if (other >= 0) {
        folio_error_set(err, FOLIO_EXIT_USAGE, "%s:%u: column '%s' (%s) appears more than "
                        "once in the header (fields %d and %d)%s", fname, hdr_line, want, what,
                        idx + 1, other + 1, dup_hint);
        return -1;
    }
    if (idx < 0) {
        char found[600];
        size_t fl = 0;
        found[0] = 0;
        for (int i = 0; i < n_cols; i++)
            if (!folio_str_appendf(found, sizeof found, &fl, "%s%s", i ? ", " : "", cols[i]))
                break;
        folio_error_set(err, FOLIO_EXIT_USAGE, "%s:%u: column '%s' (%s) not found in header "
                        "(found: %s)", fname, hdr_line, want, what, found);
        return -1;
    }
    return idx;
}

bool feed_ctx_prepare(feed_ctx *ctx, folio_error *err)
{
    const folio_feed_def *def = ctx->def;
    const char *d = ctx->data;
    const size_t len = ctx->len;
    for (int f = 0; f < FOLIO_F__COUNT; f++)
        ctx->map[f] = -1;
    feed_strpool_init(&ctx->hdr_sp);
    if (!def->header) {
        folio_error_set(err, FOLIO_EXIT_USAGE,
                        "%s: feed '%s' has header: false; columns are mapped by header name, "
                        "so the file needs a header row", ctx->fname, def->name ? def->name : "?");
        return false;
    }
    if (!def->delimiter || def->delimiter == '\n' || def->delimiter == '\r' ||
        (def->quote && def->quote == def->delimiter)) {
        folio_error_set(err, FOLIO_EXIT_USAGE, "%s: bad dialect (delimiter/quote)", ctx->fname);
        return false;
    }
    folio_field missing;
    if (!kind_requires(def->kind, def, &missing)) {
        folio_error_set(err, FOLIO_EXIT_USAGE,
                        "%s: feed '%s' does not map the required column '%s'",
                        ctx->fname, def->name ? def->name : "?", job_field_key(missing));
        return false;
    }

    size_t pos = 0;
    if (len >= 3 && !memcmp(d, "\xEF\xBB\xBF", 3))
        pos = 3;
    feed_scanner sc;
    feed_scanner_init(&sc, d, len, def->delimiter, def->quote);
    sc.drop = ctx->drop_behind;         /* issue 12 part 1 */
    struct csv_parser p;
    if (!parser_init(&p, def)) {
        folio_error_set(err, FOLIO_EXIT_FAILED, "%s: out of memory", ctx->fname);
        return false;
    }
    fieldset fs = {0};
    uint32_t line = 1;
    bool ok = false, found = false;
    uint32_t hdr_line = 1;
    while (pos < len) {
        uint32_t nl;
        bool oq;
        size_t end = feed_scan_record(&sc, pos, &nl, &oq);
        size_t rl = end - pos;
        if (rl && d[pos + rl - 1] == '\r')
            rl--;
        if (rl > FEED_MAX_RECORD) {
            folio_error_set(err, FOLIO_EXIT_USAGE, "%s:%u: the header row is longer than %u "
                            "bytes (the limit of a record)", ctx->fname, line, FEED_MAX_RECORD);
            goto out;
        }
        int rc = fields_split(&p, def, d + pos, rl, &fs, false);
        hdr_line = line;
        line += nl + (end < len ? 1 : 0);
        size_t next = end < len ? end + 1 : len;
        if (rc == 2 && fs.overflow && fs.n >= FEED_MAX_FIELDS) {
            folio_error_set(err, FOLIO_EXIT_USAGE, "%s:%u: the header row has more than %d "
                            "fields (the limit of a record)", ctx->fname, hdr_line,
                            FEED_MAX_FIELDS);
            goto out;
        }
        if (rc == 2) {
            folio_error_set(err, FOLIO_EXIT_FAILED, "%s:%u: out of memory reading the header row",
                            ctx->fname, hdr_line);
            goto out;
        }
        if (rc == 1) {
            folio_error_set(err, FOLIO_EXIT_USAGE, "%s:%u: malformed quoting in the header row",
                            ctx->fname, hdr_line);
            goto out;
        }
        pos = next;
        if (fs.rows == 0)
            continue;                       /* blank line before the header */
        found = true;
        break;
    }
    if (!found) {
        folio_error_set(err, FOLIO_EXIT_USAGE, "%s:1: empty file, expected a header row",
                        ctx->fname);
        goto out;
    }
    ctx->n_cols = fs.n;
    ctx->cols = folio_arena_alloc(&ctx->hdr_sp.arena, (size_t)fs.n * sizeof *ctx->cols);
    if (!ctx->cols) {
        folio_error_set(err, FOLIO_EXIT_FAILED, "%s: out of memory", ctx->fname);
        goto out;
    }
    ctx->col_class = folio_arena_calloc(&ctx->hdr_sp.arena, (size_t)fs.n + 1);
    if (!ctx->col_class) {
        folio_error_set(err, FOLIO_EXIT_FAILED, "%s: out of memory", ctx->fname);
        goto out;
    }
    for (int i = 0; i < fs.n; i++) {
        const char *h = fs.buf + fs.off[i];
        size_t at = 0;
        uint32_t bad = 0;
        if (!folio_utf8_valid(h, fs.flen[i], &at)) {
            folio_error_set(err, FOLIO_EXIT_USAGE, "%s:%u: header field %d: invalid UTF-8 at "
                            "byte %zu", ctx->fname, hdr_line, i + 1, at + 1);
            goto out;
        }
        if (feed_text_control(h, fs.flen[i], false, &bad)) {
            folio_error_set(err, FOLIO_EXIT_USAGE, "%s:%u: header field %d: %s U+%04X",
                            ctx->fname, hdr_line, i + 1,
                            bad == 0 ? "NUL byte" : bad == 0xFEFF ? "byte order mark"
                                                                  : "control character",
                            (unsigned)bad);
            goto out;
        }
        ctx->cols[i] = feed_strpool_copy(&ctx->hdr_sp, h, fs.flen[i]);
        if (!ctx->cols[i]) {
            folio_error_set(err, FOLIO_EXIT_FAILED, "%s: out of memory", ctx->fname);
            goto out;
        }
    }
    for (int f = 0; f < FOLIO_F__COUNT; f++) {
        const char *want = def->columns[f];
        if (!want)
            continue;
        int idx = feed_header_column((const char *const *)ctx->cols, ctx->n_cols, ctx->fname,
                                     hdr_line, want, job_field_key((folio_field)f),
                                     ": rename one, or map another name in the job's columns:",
                                     err);
        if (idx < 0)
            goto out;
        ctx->map[f] = idx;
        if (ctx->col_class[idx] != FEED_COL_LINE)   /* a column mapped twice: the stricter */
            ctx->col_class[idx] = f == FOLIO_F_DESCRIPTION ? FEED_COL_TEXT : FEED_COL_LINE;
    }
    if (def->n_attrs &&
        (!(ctx->attr_col = folio_arena_alloc(&ctx->hdr_sp.arena,
                                             (size_t)def->n_attrs * sizeof *ctx->attr_col)) ||
         !attrs_map_header(def, ctx->cols, ctx->n_cols, ctx->fname, hdr_line, ctx->attr_col,
                           ctx->col_class, err))) {
        if (!ctx->attr_col)
            folio_error_set(err, FOLIO_EXIT_FAILED, "%s: out of memory", ctx->fname);
        goto out;
    }
    if ((def->codes || def->description) && !feed_codes_prepare(ctx, hdr_line, err))
        goto out;                   /* issue 10 part 4: code lists, template */
    ctx->body = pos;
    ctx->body_line = line;

    /* Chunk boundaries: serial, quote-aware, at memchr speed. */
    size_t nch_cap = 1;
    size_t body_len = len - pos;
    const size_t chunk = ctx->chunk_bytes ? ctx->chunk_bytes : g_chunk;
    const size_t split_min = ctx->chunk_bytes ? 2 * ctx->chunk_bytes : g_split_min;
    if (body_len > split_min)
        nch_cap = body_len / chunk + 2;
    ctx->chunks = calloc(nch_cap, sizeof *ctx->chunks);
    if (!ctx->chunks) {
        folio_error_set(err, FOLIO_EXIT_FAILED, "%s: out of memory", ctx->fname);
        goto out;
    }
    ctx->n_chunks = 0;
    size_t begin = pos;
    if (nch_cap > 1) {
        size_t target = begin + chunk;
        while (pos < len && target < len && (size_t)ctx->n_chunks + 2 < nch_cap) {
            /* pos is a record start.  If no quote lies before the target, the
             * first LF at or after it ends a record. */
            size_t q = feed_scan_next_quote(&sc, pos);
            if (q > target) {
                const char *lf = memchr(d + target, '\n', q - target);
                if (lf) {
                    size_t cut = (size_t)(lf - d) + 1;
                    ctx->chunks[ctx->n_chunks].begin = begin;
                    ctx->chunks[ctx->n_chunks].end = cut;
                    ctx->n_chunks++;
                    drop_range(ctx, begin, cut);   /* issue 12 part 1 */
                    begin = pos = cut;
                    target = begin + chunk;
                    continue;
                }
                /* The record holding the target reaches the quote: go to
                 * its start (last LF before the target) and walk it. */
                const char *prev = memrchr(d + pos, '\n', target - pos);
                if (prev)
                    pos = (size_t)(prev - d) + 1;
            } else if (q < target) {
                /* issue 11 (round 23, the load): the records before the one
                 * holding the quote are quote-free, so each LF there ends
                 * one and none reaches the target: go to that record's
                 * start (the last LF before the quote) instead of walking
                 * every record up to it. */
                const char *prev = q > pos ? memrchr(d + pos, '\n', q - pos) : NULL;
                if (prev)
                    pos = (size_t)(prev - d) + 1;
            }
            /* Walk records until the target is passed. */
            uint32_t nl;
            bool oq;
            size_t end = feed_scan_record(&sc, pos, &nl, &oq);
            pos = end < len ? end + 1 : len;
            if (pos >= target && pos < len) {
                ctx->chunks[ctx->n_chunks].begin = begin;
                ctx->chunks[ctx->n_chunks].end = pos;
                ctx->n_chunks++;
                drop_range(ctx, begin, pos);   /* issue 12 part 1 */
                begin = pos;
                target = begin + chunk;
            }
        }
    }
    ctx->chunks[ctx->n_chunks].begin = begin;
    ctx->chunks[ctx->n_chunks].end = len;
    ctx->n_chunks++;
    if (sc.q_from <= sc.q_at && sc.q_at >= len) {   /* issue 11: no quote from q_from */
        ctx->quote_free_known = true;
        ctx->quote_free_from = sc.q_from;
    }
    ok = true;
out:
    csv_free(&p);
    fieldset_free(&fs);
    return ok;
}

void feed_ctx_free(feed_ctx *ctx)
{
    if (ctx->chunks) {
        for (int i = 0; i < ctx->n_chunks; i++)
            feed_chunk_free(&ctx->chunks[i]);
        free(ctx->chunks);
        ctx->chunks = NULL;
    }
    feed_strpool_free(&ctx->hdr_sp);
}

void feed_chunk_free(feed_chunk *ch)
{
    free(ch->cust);
    free(ch->acct);
    free(ch->txn);
    free(ch->txn_acct);
    free(ch->con);
    free(ch->hold);
    free(ch->resp);
    free(ch->ev);
    free(ch->rej);
    free(ch->rej_ids.v);
    attrs_stage_free(&ch->ast);
    free(ch->desc_buf);
    feed_strpool_free(&ch->sp);
    size_t b = ch->begin, e = ch->end;
    memset(ch, 0, sizeof *ch);
    ch->begin = b;
    ch->end = e;
}

/* ---- typed records ------------------------------------------------------------ */

typedef struct rec {
    const feed_ctx *ctx;
    feed_chunk *ch;
    const fieldset *fs;
    const char *raw;
    size_t rawlen;
    uint32_t line;                 /* relative to chunk */
    /* issue 11 (round 23, the load): the last value interned per field --
     * a feed sorted by account repeats the account id row after row */
    const char *last[FOLIO_F__COUNT];
    uint32_t last_n[FOLIO_F__COUNT];
} rec;

static bool grow(void **p, size_t *cap, size_t need, size_t elem)
{
    if (need <= *cap)
        return true;
    size_t nc = *cap ? *cap * 2 : 256;
    while (nc < need)
        nc *= 2;
    void *np = realloc(*p, nc * elem);
    if (!np)
        return false;
    *p = np;
    *cap = nc;
    return true;
}

/* Copy a value for a message: at most 40 bytes, cut on a UTF-8 boundary. */
static void quote_value(const char *s, size_t n, char *out, size_t cap)
{
    size_t m = n;
    bool cut = false;
    if (m > 40) {
        m = 40;
        while (m > 0 && ((unsigned char)s[m] & 0xC0) == 0x80)
            m--;
        cut = true;
    }
    if (m + 4 > cap)
        m = cap - 4;
    memcpy(out, s, m);
    if (cut)
        memcpy(out + m, "...", 3), m += 3;
    out[m] = 0;
}

static bool reject_row(rec *r, const char *col, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static bool reject_row(rec *r, const char *col, const char *fmt, ...)
{
    feed_chunk *ch = r->ch;
    char reason[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(reason, sizeof reason, fmt, ap);
    va_end(ap);
    if (!grow((void **)&ch->rej, &ch->cap_rej, ch->n_rej + 1, sizeof *ch->rej)) {
        ch->oom = true;
        return false;
    }
    folio_reject *rj = &ch->rej[ch->n_rej];
    rj->feed = (uint16_t)r->ctx->feed_index;
    rj->line = r->line;
    rj->column = col ? col : "";
    rj->reason = feed_strpool_intern(&ch->sp, reason, strlen(reason));
    size_t rl = r->rawlen > FEED_MAX_RAW ? FEED_MAX_RAW : r->rawlen;
    rj->raw = feed_strpool_copy(&ch->sp, r->raw, rl);
    if (!rj->reason || !rj->raw) {
        ch->oom = true;
        return false;
    }
    ch->n_rej++;
    return false;
}

/* Field value; false when unmapped. */
static bool fget(const rec *r, folio_field f, const char **s, size_t *n)
{
    int i = r->ctx->map[f];
    if (i < 0) {
        *s = "";
        *n = 0;
        return false;
    }
    *s = r->fs->buf + r->fs->off[i];
    *n = r->fs->flen[i];
    return true;
}

static const char *fcol(const rec *r, folio_field f)
{
    int i = r->ctx->map[f];
    return i < 0 ? "" : r->ctx->cols[i];
}

static bool str_field(rec *r, folio_field f, bool required, bool intern,
                      const char **out)
{
    const char *s;
    size_t n;
    fget(r, f, &s, &n);
    if (n == 0) {
        *out = "";
        if (required)
            return reject_row(r, fcol(r, f), "empty %s", job_field_key(f));
        return true;
    }
    if (intern && r->last[f] && r->last_n[f] == n && !memcmp(r->last[f], s, n)) {
        *out = r->last[f];              /* issue 11: what intern would return */
        return true;
    }
    *out = intern ? feed_strpool_intern(&r->ch->sp, s, n)
                  : feed_strpool_copy(&r->ch->sp, s, n);
    if (intern && *out && n <= UINT32_MAX) {
        r->last[f] = *out;
        r->last_n[f] = (uint32_t)n;
    }
    if (!*out) {
        r->ch->oom = true;
        return false;
    }
    return true;
}

static bool money_field(rec *r, folio_field f, bool required, folio_money *out,
                        bool *present)
{
    const char *s;
    size_t n;
    fget(r, f, &s, &n);
    *out = 0;
    if (present)
        *present = n > 0;
    if (n == 0) {
        if (required)
            return reject_row(r, fcol(r, f), "empty %s", job_field_key(f));
        return true;
    }
    const char *why = "not a number";
    if (!numbers_money_parse(r->ctx->def, s, n, out, &why)) {
        char v[48];
        quote_value(s, n, v, sizeof v);
        return reject_row(r, fcol(r, f), "invalid amount '%s': %s", v, why);
    }
    return true;
}

static bool date_field(rec *r, folio_field f, bool required, folio_date *out)
{
    const char *s;
    size_t n;
    fget(r, f, &s, &n);
    *out = FOLIO_DATE_NONE;
    if (n == 0) {
        if (required)
            return reject_row(r, fcol(r, f), "empty %s", job_field_key(f));
        return true;
    }
    const char *fmt = r->ctx->def->date_format ? r->ctx->def->date_format : "YYYY-MM-DD";
    if (!numbers_date_parse(r->ctx->def, s, n, out)) {
        char v[48];
        quote_value(s, n, v, sizeof v);
        return reject_row(r, fcol(r, f), "invalid date '%s' (expected %s)", v, fmt);
    }
    return true;
}

static bool eq_nocase(const char *s, size_t n, const char *lit)
{
    size_t m = strlen(lit);
    return n == m && !strncasecmp(s, lit, n);
}

static bool customer_record(rec *r)
{
    feed_chunk *ch = r->ch;
    folio_customer c;
    memset(&c, 0, sizeof c);
    const char *s;
    size_t n;
    if (!str_field(r, FOLIO_F_CUSTOMER_ID, true, false, &c.id) ||
        !str_field(r, FOLIO_F_HOUSEHOLD_ID, false, true, &c.household_id) ||
        !str_field(r, FOLIO_F_FIRST_NAME, false, true, &c.first_name) ||
        !str_field(r, FOLIO_F_LAST_NAME, false, true, &c.last_name))
        goto bad_id;
    if (!*c.last_name && !str_field(r, FOLIO_F_FULL_NAME, false, false, &c.last_name))
        goto bad_id;
    if (!date_field(r, FOLIO_F_BIRTH_DATE, false, &c.birth_date))
        goto bad_id;
    if (c.birth_date != FOLIO_DATE_NONE && r->ctx->def->statement_date &&
        c.birth_date > r->ctx->def->statement_date) {
        /* issue 10 part 5: a two-digit year read in the wrong century, or a typo */
        char b[16], st[16];
        folio_date_format(c.birth_date, "YYYY-MM-DD", b, sizeof b);
        folio_date_format(r->ctx->def->statement_date, "YYYY-MM-DD", st, sizeof st);
        reject_row(r, fcol(r, FOLIO_F_BIRTH_DATE), "birth date %s is after the statement "
                   "date %s%s", b, st, r->ctx->def->has_century_pivot
                                       ? " (check dialect.century_pivot)" : "");
        goto bad_id;
    }
    if (!str_field(r, FOLIO_F_ADDRESS1, false, false, &c.address1) ||
        !str_field(r, FOLIO_F_ADDRESS2, false, false, &c.address2) ||
        !str_field(r, FOLIO_F_CITY, false, true, &c.city) ||
        !str_field(r, FOLIO_F_STATE, false, true, &c.state) ||
        !str_field(r, FOLIO_F_POSTAL_CODE, false, true, &c.postal_code) ||
        !str_field(r, FOLIO_F_COUNTRY, false, true, &c.country))
        goto bad_id;
    fget(r, FOLIO_F_LANGUAGE, &s, &n);
    if (n == 0) {
        c.language = "en";
    } else {
        char lang[16];
        bool ok = n < sizeof lang;
        for (size_t i = 0; ok && i < n; i++) {
            char k = s[i];
            if (k >= 'A' && k <= 'Z')
                k = (char)(k - 'A' + 'a');
            ok = (k >= 'a' && k <= 'z') || k == '-' || k == '_';
            lang[i] = k;
        }
        if (!ok) {
            char v[48];
            quote_value(s, n, v, sizeof v);
            reject_row(r, fcol(r, FOLIO_F_LANGUAGE), "invalid language '%s'", v);
            goto bad_id;
        }
        c.language = feed_strpool_intern(&ch->sp, lang, n);
        if (!c.language) {
            ch->oom = true;
            return false;
        }
    }
    if (!str_field(r, FOLIO_F_EMAIL, false, false, &c.email) ||
        !str_field(r, FOLIO_F_SEGMENT, false, true, &c.segment))
        goto bad_id;
    c.delivery = FOLIO_DELIVERY_PRINT;
    fget(r, FOLIO_F_DELIVERY, &s, &n);
    if (n) {
        if (eq_nocase(s, n, "print"))
            c.delivery = FOLIO_DELIVERY_PRINT;
        else if (eq_nocase(s, n, "email") || eq_nocase(s, n, "e-mail"))
            c.delivery = FOLIO_DELIVERY_EMAIL;
        else if (eq_nocase(s, n, "both"))
            c.delivery = FOLIO_DELIVERY_BOTH;
        else if (eq_nocase(s, n, "none"))
            c.delivery = FOLIO_DELIVERY_NONE;
        else {
            char v[48];
            quote_value(s, n, v, sizeof v);
            reject_row(r, fcol(r, FOLIO_F_DELIVERY),
                       "invalid delivery '%s' (expected print, email, both or none)", v);
            goto bad_id;
        }
    }
    c.marketing_consent = true;
    fget(r, FOLIO_F_MARKETING_CONSENT, &s, &n);
    if (n) {
        if (eq_nocase(s, n, "yes") || eq_nocase(s, n, "y") || eq_nocase(s, n, "true") ||
            eq_nocase(s, n, "1"))
            c.marketing_consent = true;
        else if (eq_nocase(s, n, "no") || eq_nocase(s, n, "n") || eq_nocase(s, n, "false") ||
                 eq_nocase(s, n, "0"))
            c.marketing_consent = false;
        else {
            char v[48];
            quote_value(s, n, v, sizeof v);
            reject_row(r, fcol(r, FOLIO_F_MARKETING_CONSENT),
                       "invalid marketing_consent '%s' (expected yes or no)", v);
            goto bad_id;
        }
    }
    if (!date_field(r, FOLIO_F_CUSTOMER_SINCE, false, &c.customer_since))
        goto bad_id;
    c.feed = (uint16_t)r->ctx->feed_index;
    c.line = r->line;
    if (!grow((void **)&ch->cust, &ch->cap_cust, ch->n_cust + 1, sizeof *ch->cust)) {
        ch->oom = true;
        return false;
    }
    ch->cust[ch->n_cust++] = c;
    return true;
bad_id:
    /* Remember the id of a rejected customer for better messages later. */
    if (c.id && *c.id && !feed_idlist_push(&ch->rej_ids, c.id))
        ch->oom = true;
    return false;
}

static bool account_record(rec *r)
{
    feed_chunk *ch = r->ch;
    const folio_feed_def *def = r->ctx->def;
    folio_account a;
    memset(&a, 0, sizeof a);
    const char *s;
    size_t n;
    bool has_closing = false;     /* issue 10 part 3: unknown -> a.no_closing */
    if (!str_field(r, FOLIO_F_ACCOUNT_ID, true, false, &a.id) ||
        !str_field(r, FOLIO_F_OWNER_ID, r->ctx->map[FOLIO_F_OWNER_ID] >= 0, true, &a.owner_id))
        goto bad_id;
    fget(r, FOLIO_F_PRODUCT, &s, &n);
    if (!n && def->product && *def->product) {
        s = def->product;
        n = strlen(s);
    }
    if (!n) {
        reject_row(r, fcol(r, FOLIO_F_PRODUCT), "empty product");
        goto bad_id;
    }
    if (def->products) {
        /* issue 10 part 6: the layout's kind, never a default one */
        const char *kind = products_kind(def->products, s, n);
        if (!kind) {
            char v[48];
            quote_value(s, n, v, sizeof v);
            reject_row(r, fcol(r, FOLIO_F_PRODUCT), "unknown product code '%s' (%s)", v,
                       def->products->from_job ? "not in the job's products: map"
                                               : "not a product of the layout; map it "
                                                 "in the job's products:");
            goto bad_id;
        }
        s = kind;
        n = strlen(kind);
    }
    a.product = feed_strpool_intern(&ch->sp, s, n);
    if (!a.product) {
        ch->oom = true;
        return false;
    }
    if (!str_field(r, FOLIO_F_PRODUCT_NAME, false, true, &a.product_name) ||
        !money_field(r, FOLIO_F_OPENING_BALANCE, false, &a.opening_balance, &a.has_opening) ||
        !money_field(r, FOLIO_F_CLOSING_BALANCE, false, &a.closing_balance, &has_closing) ||
        !money_field(r, FOLIO_F_CREDIT_LIMIT, false, &a.credit_limit, NULL))
        goto bad_id;
    /* issue 14 part 1 (audit): fields a disclosure of this product reads
     * (disclosures_bind) must not be empty: a reject, never 0 / $0.00 */
    uint8_t need = 0;
    for (int i = 0; i < def->n_need; i++)
        if (def->need_fields[i] && !strcmp(def->need_products[i], a.product))
            need = def->need_fields[i];
    static const struct { uint8_t bit; folio_field f; } NEED[] = {
        {FOLIO_NEED_RATE, FOLIO_F_INTEREST_RATE}, {FOLIO_NEED_MINIMUM_DUE, FOLIO_F_MINIMUM_DUE},
        {FOLIO_NEED_DUE_DATE, FOLIO_F_DUE_DATE}};
    for (size_t i = 0; need && i < sizeof NEED / sizeof NEED[0]; i++) {
        fget(r, NEED[i].f, &s, &n);
        if (!n && (need & NEED[i].bit)) {
            reject_row(r, fcol(r, NEED[i].f), "empty %s (a disclosure of product '%s' "
                       "needs it)", job_field_key(NEED[i].f), a.product);
            goto bad_id;
        }
    }
    fget(r, FOLIO_F_INTEREST_RATE, &s, &n);
    if (n && s[n - 1] == '%')
        n--;
    if (n) {
        /* v is read only when it parsed: the reason is the parser's, or
         * "out of range" for a rate that parsed but does not fit */
        folio_money v = 0;
        const char *why = "not a number";
        bool parsed = folio_money_parse(s, n, def->decimal, 3, &v, &why);
        if (parsed && (v > INT32_MAX || v < -INT32_MAX)) {
            parsed = false;
            why = "out of range";
        }
        if (!parsed) {
            char q[48];
            quote_value(s, n, q, sizeof q);
            reject_row(r, fcol(r, FOLIO_F_INTEREST_RATE), "invalid interest rate '%s': %s", q,
                       why);
            goto bad_id;
        }
        a.rate_milli_pct = (int32_t)v;
    }
    if (!money_field(r, FOLIO_F_MINIMUM_DUE, false, &a.minimum_due, NULL) ||
        !date_field(r, FOLIO_F_DUE_DATE, false, &a.due_date) ||
        !date_field(r, FOLIO_F_OPENED_DATE, false, &a.opened_date))
        goto bad_id;
    fget(r, FOLIO_F_CURRENCY, &s, &n);
    if (!n) {
        s = def->currency && *def->currency ? def->currency : "USD";
        n = strlen(s);
    }
    {
        /* issue 10 part 6: an ISO 4217 code whose minor unit is the one the
         * feed's amounts were read in */
        int md = currency_minor_digits_n(s, n);
        char v[48];
        quote_value(s, n, v, sizeof v);
        if (md < 0) {
            reject_row(r, fcol(r, FOLIO_F_CURRENCY), "unknown currency '%s' (not an ISO "
                       "4217 code)", v);
            goto bad_id;
        }
        if (md != def->minor_digits) {
            reject_row(r, fcol(r, FOLIO_F_CURRENCY), "currency %s has %d decimals but the "
                       "feed's amounts are read with %d (dialect.minor_digits or "
                       "dialect.currency)", v, md, def->minor_digits);
            goto bad_id;
        }
    }
    a.currency = feed_strpool_intern(&ch->sp, s, n);
    if (!a.currency) {
        ch->oom = true;
        return false;
    }
    /* The product's balance kind lives in the layout: compose derives a
     * missing opening balance.  Here it is 0 with has_opening false. */
    if (!a.has_opening)
        a.opening_balance = 0;
    a.no_closing = !has_closing;  /* ledger_prepare may derive it, else suppressed */
    a.feed = (uint16_t)r->ctx->feed_index;
    a.line = r->line;
    a.owner = UINT32_MAX;
    if (!grow((void **)&ch->acct, &ch->cap_acct, ch->n_acct + 1, sizeof *ch->acct)) {
        ch->oom = true;
        return false;
    }
    ch->acct[ch->n_acct++] = a;
    return true;
bad_id:
    if (a.id && *a.id && !feed_idlist_push(&ch->rej_ids, a.id))
        ch->oom = true;
    return false;
}

static bool in_values(char *const *v, int nv, const char *s, size_t n)
{
    for (int i = 0; i < nv; i++)
        if (v[i] && eq_nocase(s, n, v[i]))
            return true;
    return false;
}

/* "D, DR" for a reject reason (cut to fit). */
static const char *values_list(char *const *v, int nv, char *buf, size_t cap)
{
    size_t o = 0;
    buf[0] = 0;
    for (int i = 0; i < nv; i++)
        if (!folio_str_appendf(buf, cap, &o, "%s'%s'", i ? ", " : "", v[i] ? v[i] : ""))
            break;
    return buf;
}

/* The debit flag of a flag_column row: -1 debit, +1 credit, 0 rejected
 * (a flag in neither list is never taken for a credit). */
static int debit_flag(rec *r)
{
    const folio_feed_def *def = r->ctx->def;
    const char *s;
    size_t n;
    fget(r, FOLIO_F_DEBIT_FLAG, &s, &n);
    if (in_values(def->debit_values, def->n_debit_values, s, n))
        return -1;
    if (in_values(def->credit_values, def->n_credit_values, s, n))
        return 1;
    char v[48], dl[120], cl[120];
    quote_value(s, n, v, sizeof v);
    reject_row(r, fcol(r, FOLIO_F_DEBIT_FLAG), "debit flag '%s' is neither a debit value "
               "(%s) nor a credit value (%s)", v,
               values_list(def->debit_values, def->n_debit_values, dl, sizeof dl),
               values_list(def->credit_values, def->n_credit_values, cl, sizeof cl));
    return 0;
}

/* issue 10 part 3 (folio/ledger.h): the bank's balance after the row and
 * its posting sequence, when the feed maps them.  A mapped column's empty or
 * unreadable cell is a reject: the row could not be checked or placed. */
static bool ledger_fields(rec *r, folio_txn *t)
{
    const folio_feed_def *def = r->ctx->def;
    if (def->columns[FOLIO_F_BALANCE_AFTER]) {
        if (!money_field(r, FOLIO_F_BALANCE_AFTER, true, &t->balance_after, NULL))
            return false;
        t->ledger |= FOLIO_TXN_HAS_BALANCE;
    }
    if (def->columns[FOLIO_F_ORDER_BY]) {
        const char *s;
        size_t n;
        fget(r, FOLIO_F_ORDER_BY, &s, &n);
        if (n == 0)
            return reject_row(r, fcol(r, FOLIO_F_ORDER_BY), "empty order_by");
        size_t i = s[0] == '-' || s[0] == '+';
        int64_t v = 0;
        bool ok = i < n && n - i <= 18;
        for (; ok && i < n; i++) {
            ok = s[i] >= '0' && s[i] <= '9';
            v = v * 10 + (s[i] - '0');
        }
        if (!ok) {
            char q[48];
            quote_value(s, n, q, sizeof q);
            return reject_row(r, fcol(r, FOLIO_F_ORDER_BY),
                              "invalid order_by '%s': not a whole number of at most 18 digits", q);
        }
        t->seq = s[0] == '-' ? -v : v;
        t->ledger |= FOLIO_TXN_HAS_SEQ;
    }
    return true;
}

static bool txn_record(rec *r)
{
    feed_chunk *ch = r->ch;
    const folio_feed_def *def = r->ctx->def;
    folio_txn t;
    memset(&t, 0, sizeof t);
    const char *acct;
    if (!str_field(r, FOLIO_F_TXN_ACCOUNT_ID, true, true, &acct) ||
        !date_field(r, FOLIO_F_TXN_DATE, true, &t.date) ||
        !str_field(r, FOLIO_F_DESCRIPTION, false, true, &t.description))
        return false;
    folio_money amt = 0;
    switch (def->sign) {
    case FOLIO_SIGN_NEGATIVE_IS_DEBIT:
        if (!money_field(r, FOLIO_F_AMOUNT, true, &amt, NULL))
            return false;
        break;
    case FOLIO_SIGN_POSITIVE_IS_DEBIT:
        if (!money_field(r, FOLIO_F_AMOUNT, true, &amt, NULL))
            return false;
        amt = -amt;
        break;
    case FOLIO_SIGN_FLAG_COLUMN: {
        if (!money_field(r, FOLIO_F_AMOUNT, true, &amt, NULL))
            return false;
        int flag = debit_flag(r);
        if (!flag)
            return false;
        if (flag < 0)
            amt = -amt;
        break;
    }
    case FOLIO_SIGN_SPLIT_COLUMNS: {
        folio_money dr, cr;
        bool has_dr, has_cr;
        if (!money_field(r, FOLIO_F_DEBIT_AMOUNT, false, &dr, &has_dr) ||
            !money_field(r, FOLIO_F_CREDIT_AMOUNT, false, &cr, &has_cr))
            return false;
        if (!has_dr && !has_cr)
            return reject_row(r, fcol(r, FOLIO_F_DEBIT_AMOUNT),
                              "empty debit_amount and credit_amount");
        if (has_dr && has_cr && dr != 0 && cr != 0)
            return reject_row(r, fcol(r, FOLIO_F_CREDIT_AMOUNT),
                              "both debit_amount and credit_amount set");
        /* a debit column may hold the magnitude or an already signed value */
        amt = cr + (dr < 0 ? dr : -dr);
        break;
    }
    }
    if (r->ctx->n_code_cols || def->description) {   /* issue 10 part 4 */
        size_t dl;
        int nl, bad_col;
        const char *bad_list;
        int rc = feed_codes_row(r->ctx, ch, r->fs->buf, r->fs->off, r->fs->flen, &dl, &nl,
                                &bad_col, &bad_list);
        if (rc < 0) {
            ch->oom = true;
            return false;
        }
        if (rc > 0) {
            char v[48];
            const char *s = r->fs->buf + r->fs->off[bad_col];
            size_t n = r->fs->flen[bad_col];
            while (n && (*s == ' ' || *s == '\t'))
                s++, n--;
            while (n && (s[n - 1] == ' ' || s[n - 1] == '\t'))
                n--;
            quote_value(s, n, v, sizeof v);
            return reject_row(r, r->ctx->cols[bad_col], "value '%s' is not in code list '%s'",
                              v, bad_list);
        }
        if (def->description) {
            t.description = feed_strpool_intern(&ch->sp, ch->desc_buf, dl);
            t.desc_langs = (uint8_t)nl;
            if (!t.description) {
                ch->oom = true;
                return false;
            }
        }
    }
    t.amount = amt;
    if (!ledger_fields(r, &t))    /* issue 10 part 3: balance_after, order_by */
        return false;
    t.feed = (uint16_t)r->ctx->feed_index;
    t.line = r->line;
    t.account = UINT32_MAX;
    if (ch->n_txn == ch->cap_txn) {
        size_t cap = ch->cap_txn;
        if (!grow((void **)&ch->txn, &cap, ch->n_txn + 1, sizeof *ch->txn)) {
            ch->oom = true;
            return false;
        }
        size_t cap2 = ch->cap_txn;
        if (!grow((void **)&ch->txn_acct, &cap2, cap, sizeof *ch->txn_acct)) {
            ch->oom = true;
            return false;
        }
        ch->cap_txn = cap;
    }
    ch->txn_acct[ch->n_txn] = acct;
    ch->txn[ch->n_txn++] = t;
    return true;
}

/* A required text field of a contacts feed.  Such a feed is usually last
 * month's OUT/contact_history.csv, whose cells folio wrote with the CSV
 * injection prefix (folio_buf_put_csv_field): "'=K1" is read back as "=K1". */
static bool contact_text(rec *r, folio_field f, const char **out)
{
    const char *s;
    size_t n;
    fget(r, f, &s, &n);
    size_t k = folio_csv_cell_skip(s, n);
    if (n == 0)
        return reject_row(r, fcol(r, f), "empty %s", job_field_key(f));
    if (!(*out = feed_strpool_intern(&r->ch->sp, s + k, n - k))) {
        r->ch->oom = true;
        return false;
    }
    return true;
}

/* issue 15 parts 3/4: an optional text of a contacts or responses row
 * ("" when empty or unmapped), read like contact_text. */
static bool contact_opt_text(rec *r, folio_field f, const char **out)
{
    const char *s;
    size_t n;
    fget(r, f, &s, &n);
    size_t k = folio_csv_cell_skip(s, n);
    *out = "";
    if (n == 0)
        return true;
    if (!(*out = feed_strpool_intern(&r->ch->sp, s + k, n - k))) {
        r->ch->oom = true;
        return false;
    }
    return true;
}

/* issue 15 part 4: a responses row (uplift.h matches it to a contact). */
static bool response_record(rec *r)
{
    feed_chunk *ch = r->ch;
    folio_response x;
    memset(&x, 0, sizeof x);
    if (!contact_text(r, FOLIO_F_RESP_KEY, &x.key) ||
        !contact_text(r, FOLIO_F_RESP_OFFER, &x.offer_id) ||
        !contact_opt_text(r, FOLIO_F_RESP_VARIANT, &x.variant) ||
        !contact_opt_text(r, FOLIO_F_RESP_OUTCOME, &x.outcome) ||
        !date_field(r, FOLIO_F_RESP_DATE, true, &x.date))
        return false;
    x.feed = (uint16_t)r->ctx->feed_index;
    x.line = r->line;
    if (!grow((void **)&ch->resp, &ch->cap_resp, ch->n_resp + 1, sizeof *ch->resp)) {
        ch->oom = true;
        return false;
    }
    ch->resp[ch->n_resp++] = x;
    return true;
}

static bool contact_record(rec *r)
{
    feed_chunk *ch = r->ch;
    folio_contact c;
    const char *channel = "";
    if (!contact_text(r, FOLIO_F_CONTACT_KEY, &c.key) ||
        !contact_text(r, FOLIO_F_OFFER_ID, &c.offer_id) ||
        !date_field(r, FOLIO_F_CONTACT_DATE, true, &c.date) ||
        !contact_opt_text(r, FOLIO_F_CONTACT_VARIANT, &c.variant) ||   /* issue 15 */
        !contact_opt_text(r, FOLIO_F_CONTACT_CHANNEL, &channel))
        return false;
    c.holdout = !strcmp(channel, "holdout");
    if (!grow((void **)&ch->con, &ch->cap_con, ch->n_con + 1, sizeof *ch->con)) {
        ch->oom = true;
        return false;
    }
    ch->con[ch->n_con++] = c;
    return true;
}

/* An events row (issue 15 part 2): key, type, date, optional channel. */
static bool event_record(rec *r)
{
    feed_chunk *ch = r->ch;
    folio_event e;
    memset(&e, 0, sizeof e);
    if (!contact_text(r, FOLIO_F_EVENT_KEY, &e.key) ||
        !contact_text(r, FOLIO_F_EVENT_TYPE, &e.type) ||
        !date_field(r, FOLIO_F_EVENT_DATE, true, &e.date) ||
        !str_field(r, FOLIO_F_EVENT_CHANNEL, false, true, &e.channel))
        return false;
    e.feed = (uint16_t)r->ctx->feed_index;
    e.line = r->line;
    if (!grow((void **)&ch->ev, &ch->cap_ev, ch->n_ev + 1, sizeof *ch->ev)) {
        ch->oom = true;
        return false;
    }
    ch->ev[ch->n_ev++] = e;
    return true;
}

/* A holders row (issue 10 part 2): account id, customer id and the role,
 * translated by the feed's roles: map (holders.h); an unknown role is a
 * reject naming the codes the map lists. */
static bool holder_record(rec *r)
{
    feed_chunk *ch = r->ch;
    folio_holder h;
    memset(&h, 0, sizeof h);
    const char *s;
    size_t n;
    if (!str_field(r, FOLIO_F_HOLDER_ACCOUNT_ID, true, true, &h.account_id) ||
        !str_field(r, FOLIO_F_HOLDER_CUSTOMER_ID, true, true, &h.customer_id))
        return false;
    fget(r, FOLIO_F_HOLDER_ROLE, &s, &n);
    if (n == 0)
        return reject_row(r, fcol(r, FOLIO_F_HOLDER_ROLE), "empty role");
    int role = holders_role_lookup(r->ctx->def, s, n);
    if (role == FOLIO_ROLE_NONE) {
        char v[48], codes[256];
        quote_value(s, n, v, sizeof v);
        holders_role_codes(r->ctx->def, codes, sizeof codes);
        return reject_row(r, fcol(r, FOLIO_F_HOLDER_ROLE), "unknown role '%s' (expected %s)",
                          v, codes);
    }
    h.role = (uint8_t)role;
    h.feed = (uint16_t)r->ctx->feed_index;
    h.line = r->line;
    if (!grow((void **)&ch->hold, &ch->cap_hold, ch->n_hold + 1, sizeof *ch->hold)) {
        ch->oom = true;
        return false;
    }
    ch->hold[ch->n_hold++] = h;
    return true;
}

/* A customers/accounts row rejected before typing: keep its id (when valid)
 * so resolve can say "customer 'X' rejected". */
static void remember_rejected_id(rec *r)
{
    folio_field f = r->ctx->def->kind == FOLIO_FEED_CUSTOMERS  ? FOLIO_F_CUSTOMER_ID
                    : r->ctx->def->kind == FOLIO_FEED_ACCOUNTS ? FOLIO_F_ACCOUNT_ID
                                                               : FOLIO_F__COUNT;
    if (f == FOLIO_F__COUNT)
        return;
    const char *s;
    size_t n;
    uint32_t cp;
    if (!fget(r, f, &s, &n) || n == 0 || !folio_utf8_valid(s, n, NULL) ||
        feed_text_control(s, n, false, &cp))
        return;                     /* an id cut by a NUL would name another */
    const char *id = feed_strpool_copy(&r->ch->sp, s, n);
    if (!id || !feed_idlist_push(&r->ch->rej_ids, id))
        r->ch->oom = true;
}

/* issue 10 part 1: the row's attributes (attrs.c), staged before the
 * record's own fields are typed; an attribute feed's row is its id and its
 * attributes.  False when the row is rejected. */
static bool attrs_row(rec *r)
{
    const feed_ctx *ctx = r->ctx;
    const char *key = NULL;
    if (ctx->def->kind == FOLIO_FEED_CUSTOMER_ATTRS || ctx->def->kind == FOLIO_FEED_ACCOUNT_ATTRS) {
        folio_field kf = ctx->def->kind == FOLIO_FEED_CUSTOMER_ATTRS ? FOLIO_F_CUSTOMER_ID
                                                                      : FOLIO_F_ACCOUNT_ID;
        if (ctx->def->key_is_line)
            key = "";                    /* the line number, made at resolve */
        else if (!str_field(r, kf, true, false, &key))
            return false;
    }
    char why[512];
    int bad = 0;
    int rc = attrs_stage_row(ctx->def, ctx->attr_col, r->fs->buf, r->fs->off, r->fs->flen,
                             r->line, key, &r->ch->ast, &r->ch->sp, &bad, why, sizeof why);
    if (rc < 0) {
        r->ch->oom = true;
        return false;
    }
    if (rc == 0) {
        reject_row(r, ctx->cols[bad], "%s", why);
        remember_rejected_id(r);
        return false;
    }
    return true;
}

/* Eight bytes at p all printable ASCII (0x20..0x7E)?  A byte below 0x20,
 * a DEL or a byte with the high bit set is found by the usual "has less
 * than / has zero byte" word tests, which are exact. */
static inline bool word_printable(const unsigned char *p)
{
    const uint64_t ones = 0x0101010101010101ull, high = 0x8080808080808080ull;
    uint64_t w;
    memcpy(&w, p, 8);
    uint64_t del = w ^ (0x7Full * ones);
    return !((w & high) || ((w - 0x20 * ones) & ~w & high) || ((del - ones) & ~del & high));
}

/* True when every byte of s[0..n) is printable ASCII: such a record needs
 * no UTF-8 or control-character check. */
static bool all_printable_ascii(const char *s, size_t n)
{
    size_t i = 0;
    for (; i + 8 <= n; i += 8)
        if (!word_printable((const unsigned char *)s + i))
            return false;
    for (; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c < 0x20 || c >= 0x7F)
            return false;
    }
    return true;
}

bool feed_text_control(const char *s, size_t n, bool text, uint32_t *cp)
{
    const unsigned char *u = (const unsigned char *)s;
    for (size_t i = 0; i < n; i++) {
        while (i + 8 <= n && word_printable(u + i))
            i += 8;
        if (i >= n)
            break;
        unsigned char c = u[i];
        if (c >= 0x20 && c < 0x7F)
            continue;
        if (c < 0x20 && !(text && (c == '\t' || c == '\r' || c == '\n'))) {
            *cp = c;
            return true;
        }
        if (c == 0x7F) {
            *cp = c;
            return true;
        }
        if (c == 0xC2 && i + 1 < n && u[i + 1] < 0xA0) {   /* U+0080..U+009F */
            *cp = u[i + 1];
            return true;
        }
        if (c == 0xEF && i + 2 < n && u[i + 1] == 0xBB && u[i + 2] == 0xBF) {
            *cp = 0xFEFF;
            return true;
        }
    }
    return false;
}

/* Reject reason for a forbidden character cp in column `col`. */
static bool reject_char(rec *r, const char *col, uint32_t cp)
{
    if (cp == 0)
        return reject_row(r, col, "NUL byte in field '%s'", col);
    if (cp == 0xFEFF)
        return reject_row(r, col, "U+FEFF (byte order mark) in field '%s'", col);
    return reject_row(r, col, "control character U+%04X in field '%s'", (unsigned)cp, col);
}

void feed_chunk_parse(const feed_ctx *ctx, feed_chunk *ch)
{
    const folio_feed_def *def = ctx->def;
    const char *d = ctx->data;
    feed_strpool_init(&ch->sp);
    if (ctx->chunk_bytes)               /* round 29: small chunks, small blocks */
        folio_arena_init(&ch->sp.arena, FEED_STR_BLOCK + 64);
    ch->sp.spill = ctx->spill;          /* issue 12 part 1 */
    struct csv_parser p;
    if (!parser_init(&p, def)) {
        ch->oom = true;
        return;
    }
    fieldset fs = {0};
    feed_scanner sc;
    /* The scanner sees the chunk only: a record never crosses a chunk end. */
    feed_scanner_init(&sc, d, ch->end, def->delimiter, def->quote);
    if (ctx->quote_free_known && ch->begin >= ctx->quote_free_from) {
        sc.q_from = ch->begin;          /* issue 11: prepare saw no quote here */
        sc.q_at = ch->end;
    }
    size_t pos = ch->begin;
    uint32_t line = 0;
    rec r = {.ctx = ctx, .ch = ch, .fs = &fs};
    /* issue 11 (round 23, the load): a record in a stretch without quotes
     * is found and split in one pass (feed_scan_line: its end is the first
     * LF, as feed_scan_record would say); others take the scanner and
     * fields_split.  The test hook forcing libcsv turns the pass off. */
    const bool one_pass = !def->quote || !g_force_libcsv;
    if (!(fs.dpos = malloc(FEED_MAX_FIELDS * sizeof *fs.dpos)))
        ch->oom = true;
    while (pos < ch->end && !ch->oom) {
        uint32_t nl = 0;
        bool oq = false, plain = false, plain_ascii = false;
        size_t nd = 0, end = ch->end;
        const size_t pos_rec = pos;
        if (one_pass) {
            size_t lim = feed_scan_next_quote(&sc, pos) - pos;
            if (lim > (size_t)FEED_MAX_RECORD + 2)
                lim = (size_t)FEED_MAX_RECORD + 2;
            size_t ll = feed_scan_line(d + pos, lim, def->delimiter, fs.dpos, FEED_MAX_FIELDS,
                                       &nd, &plain_ascii);
            if (ll < lim) {
                plain = true;
                end = pos + ll;
            }
        }
        if (!plain)
            end = feed_scan_record(&sc, pos, &nl, &oq);
        size_t rl = end - pos;
        if (end == ch->end && rl && d[pos + rl - 1] == '\n')
            rl--;                           /* data ends inside a quoted field */
        if (rl && d[pos + rl - 1] == '\r')
            rl--;
        r.raw = d + pos;
        r.rawlen = rl;
        r.line = line;
        line += nl + (end < ch->end ? 1 : 0);
        size_t next = end < ch->end ? end + 1 : ch->end;
        pos = next;
        if (rl == 0)
            continue;                       /* empty line: not a record */
        if (rl > FEED_MAX_RECORD) {
            ch->records++;
            reject_row(&r, "", "record longer than %u bytes", FEED_MAX_RECORD);
            continue;
        }
        int rc;
        if (plain) {                        /* issue 11: the delimiters are known */
            fs.len = 0;
            fs.n = 0;
            fs.rows = 0;
            fs.overflow = false;
            fs.ascii = false;
            fields_cut(r.raw, rl, def->delimiter, nd, plain_ascii, &fs);
            rc = fs.overflow ? 2 : 0;
        } else {
            /* issue 11: no quote before the next one the scanner knows of */
            rc = fields_split(&p, def, r.raw, rl, &fs,
                              feed_scan_next_quote(&sc, pos_rec) >= pos_rec + rl);
        }
        if (rc == 2) {
            ch->records++;
            if (fs.overflow && fs.n >= FEED_MAX_FIELDS)
                reject_row(&r, "", "more than %d fields", FEED_MAX_FIELDS);
            else
                ch->oom = true;
            continue;
        }
        if (rc == 1) {
            ch->records++;
            if (oq)
                reject_row(&r, "", "unterminated quoted field");
            else
                reject_row(&r, "", "malformed quoting (a quote inside a field must be doubled)");
            continue;
        }
        if (fs.rows == 0)
            continue;                       /* blank line */
        ch->records++;
        if (fs.n != ctx->n_cols) {
            reject_row(&r, "", "expected %d fields, found %d", ctx->n_cols, fs.n);
            continue;
        }
        if (!fs.ascii && !all_printable_ascii(r.raw, rl)) {
            /* every field: valid UTF-8 and no NUL (it would cut the value
             * short: "A1<NUL>X" must not post to account A1); a mapped
             * field: no control character either (feed-private.h) */
            bool bad = false;
            for (int i = 0; i < fs.n && !bad; i++) {
                const char *v = fs.buf + fs.off[i];
                size_t vn = fs.flen[i], at;
                uint32_t cp = 0;
                const uint8_t cl = ctx->col_class[i];
                size_t src_off;
                unsigned byte;
                if (!folio_utf8_valid(v, vn, &at)) {
                    if (ctx->xlat && transcode_bad_in(ctx->xlat, (size_t)(r.raw - d),
                                                      (size_t)(r.raw - d) + rl, &src_off,
                                                      &byte))
                        reject_row(&r, ctx->cols[i], "byte 0x%02X at file offset %zu is not "
                                   "a character in %s", byte, src_off, ctx->def->encoding);
                    else
                        reject_row(&r, ctx->cols[i], "invalid UTF-8 at byte %zu", at + 1);
                    bad = true;
                } else if (cl == FEED_COL_UNMAPPED ? memchr(v, 0, vn) != NULL
                                                   : feed_text_control(v, vn, cl == FEED_COL_TEXT,
                                                                       &cp)) {
                    reject_char(&r, ctx->cols[i], cp);
                    bad = true;
                }
            }
            if (bad) {
                remember_rejected_id(&r);
                continue;
            }
        }
        if (def->n_attrs && !attrs_row(&r))
            continue;
        size_t had = ch->n_cust + ch->n_acct + ch->n_txn;
        switch (def->kind) {
        case FOLIO_FEED_CUSTOMERS: customer_record(&r); break;
        case FOLIO_FEED_ACCOUNTS: account_record(&r); break;
        case FOLIO_FEED_TRANSACTIONS: txn_record(&r); break;
        case FOLIO_FEED_CONTACTS: contact_record(&r); break;
        case FOLIO_FEED_HOLDERS: holder_record(&r); break;
        case FOLIO_FEED_RESPONSES: response_record(&r); break;   /* issue 15 part 4 */
        case FOLIO_FEED_EVENTS: event_record(&r); break;   /* issue 15 part 2 */
        case FOLIO_FEED_CUSTOMER_ATTRS:
        case FOLIO_FEED_ACCOUNT_ATTRS: had--; break;    /* the staged row is the record */
        }
        if (def->n_attrs && ch->n_cust + ch->n_acct + ch->n_txn == had)
            attrs_stage_pop(&ch->ast);              /* the record was rejected */
    }
    ch->lines = line;
    if (ch->sp.failed)
        ch->oom = true;
    feed_strpool_forget(&ch->sp);
    csv_free(&p);
    fieldset_free(&fs);
}
