/* SPDX-License-Identifier: Apache-2.0 */
/*
 * pdf-compact.c -- a tagged archive document rewritten with object and
 * cross-reference streams (pdf-compact.h; issue 11 archive size, issue 14).
 *
 * The input is what libharu 2.3.0 saves: "%PDF-1.x", a binary comment line,
 * objects "N 0 obj ... endobj" (streams with "/Length M 0 R" and the length
 * as object M), one xref section "0 Size" of 20-byte entries, a trailer with
 * /Size, /Root, /Info and /ID.  Anything else is refused (false), never
 * guessed at.  The objects are found through the xref table, not by
 * searching the text; the end of an object is found by scanning its tokens
 * (literal strings skipped), so text that reads "endobj" inside a string
 * does not cut it.
 */
#include "pdf-compact.h"

#include "pdf-private.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct cobj {
    size_t body, body_end;      /* non-stream: the object's value; stream: its dictionary */
    size_t data;                /* stream: where its bytes start */
    size_t len;                 /* stream: their count */
    bool used, stream, dropped; /* dropped: a /Length object, given directly now */
} cobj;

static bool is_ws(char c)
{
    return c == ' ' || c == '\n' || c == '\r' || c == '\t' || c == '\f' || c == '\0';
}

static bool is_delim(char c)
{
    switch (c) {
    case '(': case ')': case '<': case '>': case '[': case ']': case '{': case '}':
    case '/': case '%':
        return true;
    default:
        return false;
    }
}

/* r-arch: give an empty buffer `cap` bytes at once (the rewrite's sizes
 * are known roughly up front; growing by doubling copied each buffer
 * several times).  Failure only leaves the buffer to grow as usual. */
static void buf_presize(folio_buf *b, size_t cap)
{
    if (b->data || cap > b->max)
        return;
    char *p = malloc(cap);
    if (p) {
        b->data = p;
        b->cap = cap;
        p[0] = 0;
    }
}

/* The last "key" number in the trailer text t[0..n) (e.g. "/Size"), or 0. */
static unsigned long tr_num(const char *t, size_t n, const char *key)
{
    size_t k = strlen(key);
    for (size_t i = 0; i + k < n; i++)
        if (!memcmp(t + i, key, k) && (is_ws(t[i + k]) || (t[i + k] >= '0' && t[i + k] <= '9')))
            return strtoul(t + i + k, NULL, 10);
    return 0;
}

/* libharu's trailer: where the last "trailer" starts and "startxref" is
 * (searched backwards: the trailer is at the end). */
static bool find_trailer(const char *d, size_t n, const char **tr, const char **sx)
{
    *tr = *sx = NULL;
    for (size_t i = n >= 7 ? n - 7 : 0; i + 7 <= n; i--) {
        if (d[i] == 't' && !memcmp(d + i, "trailer", 7)) {
            *tr = d + i;
            break;
        }
        if (i == 0)
            break;
    }
    *sx = *tr ? memmem(*tr, (size_t)(d + n - *tr), "startxref", 9) : NULL;
    return *tr && *sx;
}

unsigned pdf_compact_size(const char *d, size_t n)
{
    const char *tr, *sx;
    if (!find_trailer(d, n, &tr, &sx))
        return 0;
    return (unsigned)tr_num(tr, (size_t)(sx - tr), "/Size");
}

/* From p (just after "N 0 obj"), the end of the object's value: the offset
 * of "endobj" or of "stream" (*stream true), skipping literal strings and
 * names.  0 when neither comes before n. */
/* r-arch3 (issue 14 cost): the bytes obj_scan stops at; everything else
 * (digits, spaces, brackets, the rest of a keyword) is skipped by a table
 * look-up, ~4 instructions a byte instead of ~20 */
static const unsigned char SCAN_STOP[256] = {['('] = 1, ['/'] = 1, ['e'] = 1, ['s'] = 1};

static size_t obj_scan(const char *d, size_t n, size_t p, bool *stream)
{
    *stream = false;
    while (p < n) {
        while (p < n && !SCAN_STOP[(unsigned char)d[p]])
            p++;
        if (p >= n)
            break;
        char c = d[p];
        if (c == '(') {                          /* literal string, nested, escapes */
            int depth = 0;
            for (; p < n; p++) {
                if (d[p] == '\\') {
                    p++;
                    continue;
                }
                if (d[p] == '(')
                    depth++;
                else if (d[p] == ')' && --depth == 0)
                    break;
            }
            p++;
        } else if (c == '/') {                   /* a name: its characters are no keyword */
            p++;
            while (p < n && !is_ws(d[p]) && !is_delim(d[p]))
                p++;
        } else if ((c == 'e' || c == 's') && (p == 0 || is_ws(d[p - 1]) || is_delim(d[p - 1]))) {
            if (p + 6 <= n && !memcmp(d + p, "endobj", 6))
                return p;
            if (p + 6 <= n && !memcmp(d + p, "stream", 6) &&
                (p + 6 == n || is_ws(d[p + 6]))) {
                *stream = true;
                return p;
            }
            p++;
        } else {
            p++;
        }
    }
    return 0;
}

static size_t trim_end(const char *d, size_t from, size_t to)
{
    while (to > from && is_ws(d[to - 1]))
        to--;
    return to;
}

/* "N 0 obj" at d[off] (N = num): the offset after it, or 0. */
static char *put_u(char *p, uint64_t v);

static size_t obj_head(const char *d, size_t n, size_t off, unsigned num)
{
    char head[32];
    char *he = put_u(head, num);
    memcpy(he, " 0 obj", 6);
    int hl = (int)(he + 6 - head);
    if (off >= n || (size_t)hl > n - off || memcmp(d + off, head, (size_t)hl))
        return 0;
    return off + (size_t)hl;
}

/* r-arch3 (issue 11/14): libharu writes every key and value on its own
 * line with spaces inside brackets; in the object stream that is ~30% of
 * its objects' bytes, deflated (and paid for) in every document.  Copy
 * s[0..n) to o (n bytes there) with each run of white space dropped where a
 * delimiter on either side separates the tokens anyway, else one space;
 * literal and hex strings verbatim.  Returns the length written. */
static bool sep_after(char c)
{
    switch (c) {                 /* not '/': a name's end needs a separator */
    case '(': case ')': case '<': case '>': case '[': case ']': case '{': case '}':
        return true;
    default:
        return false;
    }
}

static const unsigned char MINI_STOP[256] = {
    ['('] = 1, ['<'] = 1, [' '] = 1, ['\n'] = 1, ['\r'] = 1, ['\t'] = 1, ['\f'] = 1, ['\0'] = 1,
};

static size_t minify(char *o, const char *s, size_t n)
{
    size_t k = 0;
    for (size_t i = 0; i < n;) {
        char c = s[i];
        size_t j = i + 1;
        if (c == '(') {                                   /* literal string */
            int depth = 0;
            for (j = i; j < n; j++) {
                if (s[j] == '\\') {
                    j++;
                    continue;
                }
                if (s[j] == '(')
                    depth++;
                else if (s[j] == ')' && --depth == 0)
                    break;
            }
            j = j < n ? j + 1 : n;
        } else if (c == '<' && i + 1 < n && s[i + 1] == '<') {   /* a dictionary */
            j = i + 2;
        } else if (c == '<') {                                   /* hex string */
            const char *e = memchr(s + i, '>', n - i);
            j = e ? (size_t)(e - s) + 1 : n;
        } else if (is_ws(c)) {
            while (j < n && is_ws(s[j]))
                j++;
            if (k && j < n && !sep_after(o[k - 1]) && !is_delim(s[j]))
                o[k++] = ' ';
            i = j;
            continue;
        } else {                 /* ordinary bytes up to the next special one */
            o[k++] = c;
            for (i++; i < n && !MINI_STOP[(unsigned char)s[i]]; i++)
                o[k++] = s[i];
            continue;
        }
        memcpy(o + k, s + i, j - i);
        k += j - i;
        i = j;
    }
    return k;
}

static int bytes_for(uint64_t v)
{
    int b = 1;
    while (v >> (8 * b))
        b++;
    return b;
}

const char pdf_dec_pairs[201] =
    "00010203040506070809101112131415161718192021222324252627282930313233343536373839"
    "40414243444546474849505152535455565758596061626364656667686970717273747576777879"
    "8081828384858687888990919293949596979899";

/* r-tag8 (round 28): v >= 10,000 (offsets in the object stream header): five
 * digits directly, else the length counted first */
char *pdf_put_dec_big(char *p, uint64_t v)
{
    if (v < 100000) {
        unsigned x = (unsigned)v, a = x / 10000, r = x % 10000;
        *p = (char)('0' + a);
        memcpy(p + 1, pdf_dec_pairs + (r / 100) * 2, 2);
        memcpy(p + 3, pdf_dec_pairs + (r % 100) * 2, 2);
        return p + 5;
    }
    int n = 1;
    for (uint64_t t = v; t >= 10; t /= 10)
        n++;
    char *e = p + n;
    while (v >= 100) {
        unsigned r = (unsigned)(v % 100) * 2;
        v /= 100;
        *--e = pdf_dec_pairs[r + 1];
        *--e = pdf_dec_pairs[r];
    }
    if (v >= 10) {
        *--e = pdf_dec_pairs[v * 2 + 1];
        *--e = pdf_dec_pairs[v * 2];
    } else {
        *--e = (char)('0' + v);
    }
    return p + n;
}

/* r-arch3 (issue 14 cost): decimal digits two at a time from a table, the
 * length counted first (the object stream header, cross-references and
 * every element's references are mostly numbers); r-tag4 (round 24): below
 * 10,000 by comparison (pdf_put_dec_i, pdf-compact.h) */
char *pdf_put_dec(char *p, uint64_t v)
{
    return pdf_put_dec_i(p, v);
}

static char *put_u(char *p, uint64_t v)
{
    return pdf_put_dec_i(p, v);
}

/* The common end of both rewrites: the extras numbered size.., the object
 * stream of body (objects numbered by ty/f2/f3/soff, n_in of them so far)
 * deflated, the cross-reference stream, and out[start..] replaced by nb.
 * The arrays hold size + n_extra + 2 entries (soff one more).  idk[0..idn)
 * is the trailer's "/ID [...]" text. */
static bool compact_tail(folio_buf *out, size_t start, folio_buf *nbp, folio_buf *bodyp,
                         unsigned size, unsigned n_extra, const char *xbody,
                         const size_t *xoffs, uint64_t *f2, uint32_t *f3, unsigned char *ty,
                         size_t *soff, unsigned n_in, unsigned root_id, unsigned info_id,
                         const char *idk, size_t idn, int level)
{
    folio_buf nb = *nbp, body = *bodyp, head;
    bool ok = true;
    unsigned stm = size + n_extra, xst = stm + 1, total = xst + 1;
    char tmp[160];
    folio_buf_init(&head, 0);
    buf_presize(&head, (size_t)(size + n_extra) * 42 + 64);   /* >= n_in * 42 + 1 */
    size_t xb = body.len;              /* the extras, one copy */
    for (unsigned k = 0; ok && k < n_extra; k++) {
        ty[size + k] = 2;
        f2[size + k] = stm;
        f3[size + k] = n_in;
        soff[n_in++] = xb + xoffs[k] - xoffs[0];
    }
    if (ok && n_extra)
        folio_buf_append(&body, xbody + xoffs[0], xoffs[n_extra] - xoffs[0]);
    /* round 27: the header written where it stays when head has the room */
    bool in_head = head.data && head.cap >= (size_t)n_in * 42 + 1;
    char *hp = !ok ? NULL : in_head ? head.data : malloc((size_t)n_in * 42 + 1), *w = hp;
    ok = ok && hp;
    for (unsigned k = 0; ok && k < total; k++) {  /* object stream header, in number order */
        if (ty[k] != 2)
            continue;
        if (w != hp)
            *w++ = ' ';
        w = put_u(w, k);
        *w++ = ' ';
        w = put_u(w, soff[f3[k]]);
    }
    if (ok) {
        *w++ = '\n';
        if (in_head)
            head.len = (size_t)(w - hp);
        else
            folio_buf_append(&head, hp, (size_t)(w - hp));
    }
    if (!in_head)
        free(hp);
    ok = ok && !head.failed && !body.failed && !nb.failed;
    /* the object stream */
    size_t raw = head.len + body.len, zcap = pdf_deflate_bound(raw + 1) + 256;
    unsigned char *rawb = NULL, *z = ok ? malloc(zcap) : NULL;
    size_t zn = 0;
    if (z) {
        /* the header of numbers Huffman-coded alone (pdf-zsplit.c), both
           from where they are (round 27: not copied into one buffer) */
        zn = pdf_deflate_split2(level, (const unsigned char *)head.data, head.len,
                                (const unsigned char *)body.data, body.len, z, zcap);
        if (!zn && (rawb = malloc(raw + 1)) != NULL) {
            memcpy(rawb, head.data, head.len);
            memcpy(rawb + head.len, body.data, body.len);
            zn = pdf_deflate(level, rawb, raw, z, zcap);
        }
    }
    ok = ok && zn > 0;
    if (ok) {
        ty[stm] = 1;
        f2[stm] = nb.len;
        int k = snprintf(tmp, sizeof tmp, "%u 0 obj\n<</Type/ObjStm/N %u/First %zu/Filter"
                         "/FlateDecode/Length %zu>>\nstream\r\n", stm, n_in, head.len, zn);
        folio_buf_append(&nb, tmp, (size_t)k);
        folio_buf_append(&nb, z, zn);
        folio_buf_puts(&nb, "\nendstream\nendobj\n");
    }
    /* the cross-reference stream: W [1 w2 w3], PNG Up predictor, deflated */
    size_t xoff = nb.len;
    ty[xst] = 1;
    f2[xst] = xoff;
    f3[0] = 65535;                     /* object 0: the head of the free list */
    uint64_t m2 = 0, m3 = 0;
    for (unsigned k = 0; k < total && ok; k++) {
        m2 = f2[k] > m2 ? f2[k] : m2;
        m3 = f3[k] > m3 ? f3[k] : m3;
    }
    int w2 = bytes_for(m2), w3 = bytes_for(m3), cols = 1 + w2 + w3;
    size_t xn = (size_t)total * (size_t)(cols + 1);
    unsigned char *xr = ok ? calloc(xn, 1) : NULL;
    unsigned char *row = ok ? calloc(2 * (size_t)cols, 1) : NULL;
    ok = ok && xr && row;
    for (unsigned k = 0; ok && k < total; k++) {
        unsigned char *cur = row + (k & 1) * cols, *prev = row + ((k & 1) ^ 1) * cols;
        cur[0] = ty[k];
        for (int b = 0; b < w2; b++)
            cur[1 + b] = (unsigned char)(f2[k] >> (8 * (w2 - 1 - b)));
        for (int b = 0; b < w3; b++)
            cur[1 + w2 + b] = (unsigned char)(f3[k] >> (8 * (w3 - 1 - b)));
        unsigned char *o = xr + (size_t)k * (size_t)(cols + 1);
        o[0] = 2;                      /* PNG Up */
        for (int c = 0; c < cols; c++)
            o[1 + c] = (unsigned char)(cur[c] - (k ? prev[c] : 0));
    }
    size_t xzcap = pdf_deflate_bound(xn);
    unsigned char *xz = ok ? malloc(xzcap) : NULL;
    size_t xzn = xz && level == 1 ? pdf_deflate_rows(xr, xn, (size_t)cols + 1, xz, xzcap) : 0;
    if (xz && !xzn)                    /* round 26: the row above only (pdf-zsplit.c) */
        xzn = pdf_deflate(level, xr, xn, xz, xzcap);
    ok = ok && xzn > 0;
    if (ok) {
        char info_s[40] = "";
        if (info_id)
            snprintf(info_s, sizeof info_s, "/Info %u 0 R", info_id);
        int k = snprintf(tmp, sizeof tmp, "%u 0 obj\n<</Type/XRef/Size %u/W[1 %d %d]/Root %u 0 R%s",
                         xst, total, w2, w3, root_id, info_s);
        folio_buf_append(&nb, tmp, (size_t)k);
        folio_buf_append(&nb, idk, idn);
        k = snprintf(tmp, sizeof tmp, "/Filter/FlateDecode/DecodeParms<</Predictor 12/Columns %d>>"
                     "/Length %zu>>\nstream\r\n", cols, xzn);
        folio_buf_append(&nb, tmp, (size_t)k);
        folio_buf_append(&nb, xz, xzn);
        k = snprintf(tmp, sizeof tmp, "\nendstream\nendobj\nstartxref\n%zu\n%%%%EOF\n", xoff);
        folio_buf_append(&nb, tmp, (size_t)k);
        ok = !nb.failed;
    }
    if (ok && start == 0) {            /* replace the document: take nb's bytes */
        char *old = out->data;
        size_t ocap = out->cap;
        out->data = nb.data;
        out->len = nb.len;
        out->cap = nb.cap;
        nb.data = old;                 /* freed below */
        nb.cap = ocap;
        nb.len = 0;
    } else if (ok) {                   /* (d is out's: copy last) */
        out->len = start;
        ok = folio_buf_append(out, nb.data, nb.len);
    }
    free(rawb);
    free(z);
    free(xr);
    free(row);
    free(xz);
    folio_buf_free(&head);
    *nbp = nb;                         /* the caller frees them */
    *bodyp = body;
    return ok;
}

bool pdf_compact(folio_buf *out, size_t start, const char *cat_add, unsigned n_extra,
                 const char *xbody, const size_t *xoffs, int level, const char **why)
{
    *why = "cannot rewrite the document compactly (unexpected structure)";
    const char *d = out->data + start;
    size_t n = out->len - start;
    const char *tr, *sx;
    if (n < 16 || memcmp(d, "%PDF-1.", 7) || !find_trailer(d, n, &tr, &sx))
        return false;
    size_t trn = (size_t)(sx - tr);
    unsigned size = (unsigned)tr_num(tr, trn, "/Size");
    unsigned root_id = (unsigned)tr_num(tr, trn, "/Root");
    unsigned info_id = (unsigned)tr_num(tr, trn, "/Info");
    size_t xref = strtoul(sx + 9, NULL, 10);
    const char *idk = memmem(tr, trn, "/ID", 3);
    const char *ide = idk ? memchr(idk, ']', (size_t)(sx - idk)) : NULL;
    if (size < 2 || !root_id || root_id >= size || info_id >= size || xref >= n ||
        !idk || !ide)
        return false;
    /* the xref section: "xref" EOL "0 size" EOL, then 20-byte entries */
    const char *x = d + xref;
    char sub[48];
    int sl = snprintf(sub, sizeof sub, "0 %u", size);
    if ((size_t)(sx - x) < 8 || memcmp(x, "xref", 4))
        return false;
    size_t p = xref + 4;
    while (p < n && is_ws(d[p]))
        p++;
    if (p + (size_t)sl > n || memcmp(d + p, sub, (size_t)sl))
        return false;
    p += (size_t)sl;
    while (p < n && (d[p] == '\r' || d[p] == '\n' || d[p] == ' '))
        p++;
    if (p + (size_t)size * 20 > n)
        return false;
    cobj *ob = calloc(size, sizeof *ob);
    if (!ob) {
        *why = "out of memory";
        return false;
    }
    bool ok = true;
    for (unsigned i = 0; ok && i < size; i++) {
        const char *e = d + p + (size_t)i * 20;
        if (e[17] != 'n')
            continue;
        size_t off = strtoul(e, NULL, 10), b = obj_head(d, n, off, i);
        ok = b != 0;
        if (!ok)
            break;
        while (b < n && is_ws(d[b]))
            b++;
        bool st;
        size_t end = obj_scan(d, n, b, &st);
        ok = end > b;
        ob[i] = (cobj){.body = b, .body_end = trim_end(d, b, end), .used = true, .stream = st};
        if (ok && st) {
            size_t ds = end + 6;
            if (ds < n && d[ds] == '\r')
                ds++;
            ok = ds < n && d[ds] == '\n';
            ob[i].data = ds + 1;
        }
    }
    /* stream lengths: direct, or an object of its own (dropped then) */
    for (unsigned i = 0; ok && i < size; i++) {
        if (!ob[i].stream)
            continue;
        const char *dict = d + ob[i].body;
        size_t dn = ob[i].body_end - ob[i].body;
        const char *l = memmem(dict, dn, "/Length", 7);
        ok = l && is_ws(l[7]);
        if (!ok)
            break;
        char *q;
        unsigned long v = strtoul(l + 8, &q, 10);
        if (!strncmp(q, " 0 R", 4)) {
            ok = v < size && ob[v].used && !ob[v].stream;
            if (!ok)
                break;
            const char *vs = d + ob[v].body;
            char *q2;
            unsigned long len = strtoul(vs, &q2, 10);
            ok = q2 > vs && q2 == d + ob[v].body_end;
            ob[v].dropped = true;
            v = len;
        }
        ob[i].len = v;
        ok = ok && ob[i].data + v <= n &&
             memmem(d + ob[i].data + v, n - ob[i].data - v < 16 ? n - ob[i].data - v : 16,
                    "endstream", 9) != NULL;
    }
    ok = ok && ob[root_id].used && !ob[root_id].stream;
    if (!ok) {
        free(ob);
        return false;
    }
    /* numbers: libharu's 1..size-1, the extras size.., the object stream,
       the cross-reference stream */
    unsigned stm = size + n_extra, xst = stm + 1, total = xst + 1;
    uint64_t *f2 = calloc(total, sizeof *f2);     /* entry: type, field 2, field 3 */
    uint32_t *f3 = calloc(total, sizeof *f3);
    unsigned char *ty = calloc(total, 1);
    size_t *soff = calloc((size_t)total + 1, sizeof *soff);
    folio_buf nb, body;
    folio_buf_init(&nb, 0);
    folio_buf_init(&body, 0);
    size_t xlen = n_extra ? xoffs[n_extra] - xoffs[0] : 0;
    buf_presize(&nb, n + 4096);        /* streams as they are, the rest deflated */
    buf_presize(&body, n / 2 + xlen + 4096);
    char *mini = malloc(n + 1);        /* one object, minified (r-arch3) */
    ok = f2 && f3 && ty && soff && mini;
    /* the header and libharu's binary comment line */
    const char *l2 = ok ? memchr(d, '\n', 16) : NULL;
    const char *l3 = l2 ? memchr(l2 + 1, '\n', (size_t)(d + n - l2 - 1)) : NULL;
    ok = ok && l3 && l3 - l2 < 16;
    if (ok) {
        folio_buf_puts(&nb, "%PDF-1.7\n");
        folio_buf_append(&nb, l2 + 1, (size_t)(l3 - l2));
    }
    unsigned n_in = 0;                 /* objects in the object stream */
    char tmp[160];
    for (unsigned i = 1; ok && i < size; i++) {
        const cobj *o = &ob[i];
        if (!o->used || o->dropped)
            continue;                  /* free: type 0 */
        if (o->stream) {
            ty[i] = 1;
            f2[i] = nb.len;
            char *te = put_u(tmp, i);
            memcpy(te, " 0 obj\n", 7);
            folio_buf_append(&nb, tmp, (size_t)(te + 7 - tmp));
            const char *dict = mini;
            size_t dn = minify(mini, d + o->body, o->body_end - o->body);
            const char *l = memmem(dict, dn, "/Length ", 8);
            ok = l != NULL;
            if (!ok)
                break;
            char *q;
            strtoul(l + 8, &q, 10);
            if (!strncmp(q, " 0 R", 4))
                q += 4;
            folio_buf_append(&nb, dict, (size_t)(l - dict));
            memcpy(tmp, "/Length ", 8);
            te = put_u(tmp + 8, o->len);
            folio_buf_append(&nb, tmp, (size_t)(te - tmp));
            folio_buf_append(&nb, q, (size_t)(dict + dn - q));
            folio_buf_puts(&nb, "\nstream\r\n");
            folio_buf_append(&nb, d + o->data, o->len);
            folio_buf_puts(&nb, "\nendstream\nendobj\n");
            continue;
        }
        ty[i] = 2;
        f2[i] = stm;
        f3[i] = n_in;
        soff[n_in++] = body.len;
        const char *v = mini;
        size_t vn = minify(mini, d + o->body, o->body_end - o->body);
        if (i == root_id) {            /* the catalog: cat_add before its ">>" */
            ok = vn >= 4 && !memcmp(v + vn - 2, ">>", 2);
            folio_buf_append(&body, v, vn - 2);
            folio_buf_puts(&body, cat_add ? cat_add : "");
            folio_buf_puts(&body, ">>\n");
        } else {
            folio_buf_append(&body, v, vn);
            folio_buf_putc(&body, '\n');
        }
    }
    ok = ok && compact_tail(out, start, &nb, &body, size, n_extra, xbody, xoffs, f2, f3, ty,
                            soff, n_in, root_id, info_id, idk, (size_t)(ide - idk + 1), level);
    if (!ok && !*why)
        *why = "out of memory";
    free(ob);
    free(f2);
    free(f3);
    free(ty);
    free(soff);
    free(mini);
    folio_buf_free(&nb);
    folio_buf_free(&body);
    return ok;
}

/* ---- r-adoc (issue 11): the same rewrite from libharu's objects ----------
 *
 * pdf_compact reads back what HPDF_SaveToStream wrote: libharu formats
 * every key and value through its stream functions, folio parses the text
 * again, finds each object through the xref table and minifies it (~0.7 M
 * instructions of a tagged archive document).  Here the objects are
 * written from the object graph straight into the object stream, already
 * minified: dictionaries, arrays, names, integers and references by folio
 * (the tokens libharu writes, the white space minify() keeps), every other
 * value (strings, binary strings, reals, booleans, null, names that need
 * escapes, a dictionary's write_fn) and each stream object whole by
 * libharu into a scratch buffer, minified as before.  Objects are visited
 * in libharu's order with its before/after-write hooks, so the bytes are
 * pdf_compact's. */

#include <hpdf_objects.h>

struct pdf_cdoc {
    HPDF_Doc doc;
    HPDF_Stream cap;            /* libharu writes into it: cd->tmp */
    folio_buf tmp;              /* one value or stream object as libharu writes it */
    folio_buf nb;               /* header and stream objects */
    folio_buf body;             /* object stream: objects to the catalog's ">>" */
    folio_buf body2;            /* the objects after the catalog */
    char *mini;                 /* minify()'s output, mini_cap bytes */
    size_t mini_cap;
    unsigned cap_n;             /* entries of the arrays below */
    uint64_t *f2;
    uint32_t *f3;
    unsigned char *ty;          /* 0 free (or a dropped /Length), 1 top level, 2 in the stream */
    size_t *soff;               /* [n_in]: offset in body, or in body2 (in_b2) */
    unsigned char *in_b2;
    unsigned n_in, size, root_id, info_id;
    char id[128];               /* the trailer's "/ID [...]" as libharu writes it */
    size_t idn;
    bool failed;
};

/* the writer of one object-stream object */
typedef struct cw {
    pdf_cdoc *cd;
    folio_buf *o;
    size_t start;               /* where the object starts in o */
    bool pend;                  /* white space before the next token */
} cw;

static HPDF_STATUS cdoc_cap_write(HPDF_Stream s, const HPDF_BYTE *p, HPDF_UINT n)
{
    pdf_cdoc *cd = s->attr;
    return folio_buf_append(&cd->tmp, p, n) ? HPDF_OK : HPDF_FAILD_TO_ALLOC_MEM;
}

static bool cdoc_grow(pdf_cdoc *cd, unsigned need)
{
    if (need <= cd->cap_n)
        return true;
    unsigned n = cd->cap_n ? cd->cap_n : 256;
    while (n < need)
        n *= 2;
    uint64_t *f2 = realloc(cd->f2, n * sizeof *f2);
    if (f2)
        cd->f2 = f2;
    uint32_t *f3 = realloc(cd->f3, n * sizeof *f3);
    if (f3)
        cd->f3 = f3;
    unsigned char *ty = realloc(cd->ty, n);
    if (ty)
        cd->ty = ty;
    size_t *so = realloc(cd->soff, (n + 1) * sizeof *so);
    if (so)
        cd->soff = so;
    unsigned char *b2 = realloc(cd->in_b2, n + 1);
    if (b2)
        cd->in_b2 = b2;
    if (!f2 || !f3 || !ty || !so || !b2)
        return false;
    memset(cd->f2 + cd->cap_n, 0, (n - cd->cap_n) * sizeof *f2);
    memset(cd->f3 + cd->cap_n, 0, (n - cd->cap_n) * sizeof *f3);
    memset(cd->ty + cd->cap_n, 0, n - cd->cap_n);
    cd->cap_n = n;
    return true;
}

static bool cdoc_mini_room(pdf_cdoc *cd, size_t n)
{
    if (n + 1 <= cd->mini_cap)
        return true;
    size_t c = cd->mini_cap ? cd->mini_cap : 4096;
    while (c < n + 1)
        c *= 2;
    char *m = realloc(cd->mini, c);
    if (!m)
        return false;
    cd->mini = m;
    cd->mini_cap = c;
    return true;
}

/* one token (n > 0 bytes): a space before it where minify() keeps one */
static void cw_tok(cw *w, const char *s, size_t n)
{
    folio_buf *o = w->o;
    if (w->pend && o->len > w->start && !sep_after(o->data[o->len - 1]) && !is_delim(s[0]))
        folio_buf_putc(o, ' ');
    w->pend = false;
    folio_buf_append(o, s, n);
}

/* what libharu wrote into cd->tmp from `from` on, minified, as tokens */
static bool cw_piece(cw *w, size_t from)
{
    pdf_cdoc *cd = w->cd;
    const char *s = cd->tmp.data + from;
    size_t n = cd->tmp.len - from;
    if (cd->tmp.failed || !cdoc_mini_room(cd, n))
        return false;
    if (n == 0)
        return true;
    if (is_ws(s[0]))
        w->pend = true;
    size_t m = minify(cd->mini, s, n);
    if (m)
        cw_tok(w, cd->mini, m);
    if (is_ws(s[n - 1]))
        w->pend = true;
    cd->tmp.len = from;
    return true;
}

static bool cw_by_libharu(cw *w, void *obj)
{
    size_t from = w->cd->tmp.len;
    return HPDF_Obj_WriteValue(obj, w->cd->cap, NULL) == HPDF_OK && cw_piece(w, from);
}

static bool name_plain(const char *v)
{
    if (!*v)
        return false;
    for (const unsigned char *p = (const unsigned char *)v; *p; p++)
        if (*p <= 0x20 || *p > 0x7e || is_delim((char)*p) || *p == '#' || *p == '\\')
            return false;
    return true;
}

static bool cw_name(cw *w, const char *v)
{
    if (!name_plain(v)) {              /* libharu's escapes (#xx), then minified */
        size_t from = w->cd->tmp.len;
        return HPDF_Stream_WriteEscapeName(w->cd->cap, v) == HPDF_OK && cw_piece(w, from);
    }
    size_t n = strnlen(v, HPDF_LIMIT_MAX_NAME_LEN);
    char buf[HPDF_LIMIT_MAX_NAME_LEN + 2];
    buf[0] = '/';
    memcpy(buf + 1, v, n);
    cw_tok(w, buf, n + 1);
    return true;
}

static bool cw_value(cw *w, void *obj, bool nested);

static bool cw_dict(cw *w, HPDF_Dict d)
{
    if (d->stream)
        return false;                  /* a stream inside another object: not libharu's */
    if (d->before_write_fn && d->before_write_fn(d) != HPDF_OK)
        return false;
    cw_tok(w, "<<", 2);
    w->pend = true;
    HPDF_List l = d->list;
    for (HPDF_UINT i = 0; i < l->count; i++) {
        HPDF_DictElement el = l->obj[i];
        if (!el || !el->value)
            return false;
        if (((HPDF_Obj_Header *)el->value)->obj_id & HPDF_OTYPE_HIDDEN)
            continue;
        if (!cw_name(w, el->key))
            return false;
        w->pend = true;
        if (!cw_value(w, el->value, true))
            return false;
        w->pend = true;
    }
    if (d->write_fn) {
        size_t from = w->cd->tmp.len;
        if (d->write_fn(d, w->cd->cap) != HPDF_OK || !cw_piece(w, from))
            return false;
    }
    cw_tok(w, ">>", 2);
    return !d->after_write_fn || d->after_write_fn(d) == HPDF_OK;
}

static bool cw_value(cw *w, void *obj, bool nested)
{
    HPDF_Obj_Header *h = obj;
    char buf[48];
    if (nested && (h->obj_id & HPDF_OTYPE_HIDDEN))
        return true;
    if (nested && h->obj_class == HPDF_OCLASS_PROXY) {
        const HPDF_Obj_Header *t = ((HPDF_Proxy)obj)->obj;
        char *p = pdf_put_dec(buf, t->obj_id & 0x00FFFFFF);
        *p++ = ' ';
        p = pdf_put_dec(p, t->gen_no);
        memcpy(p, " R", 2);
        cw_tok(w, buf, (size_t)(p + 2 - buf));
        return true;
    }
    switch (h->obj_class & HPDF_OCLASS_ANY) {
    case HPDF_OCLASS_NAME:
        return cw_name(w, ((HPDF_Name)obj)->value);
    case HPDF_OCLASS_NUMBER: {
        HPDF_INT32 v = ((HPDF_Number)obj)->value;
        char *p = buf;
        if (v < 0)
            *p++ = '-';
        p = pdf_put_dec(p, v < 0 ? (uint64_t)(-(int64_t)v) : (uint64_t)v);
        cw_tok(w, buf, (size_t)(p - buf));
        return true;
    }
    case HPDF_OCLASS_ARRAY: {
        cw_tok(w, "[", 1);
        HPDF_List l = ((HPDF_Array)obj)->list;
        for (HPDF_UINT i = 0; i < l->count; i++) {
            if (!l->obj[i] || !cw_value(w, l->obj[i], true))
                return false;
            w->pend = true;
        }
        cw_tok(w, "]", 1);
        return true;
    }
    case HPDF_OCLASS_DICT:
        return cw_dict(w, obj);
    case HPDF_OCLASS_PROXY:
        return false;                  /* an xref entry that is a reference */
    default:                           /* strings, reals, booleans, null: libharu's text */
        return cw_by_libharu(w, obj);
    }
}

/* Stream object i (dictionary d): libharu writes it (its hooks, /Filter,
 * the data), then its dictionary is minified with /Length given directly,
 * as pdf_compact does.  The /Length object is dropped. */
static bool cdoc_stream(pdf_cdoc *cd, unsigned i, HPDF_Dict d)
{
    folio_buf *t = &cd->tmp;
    t->len = 0;
    if (HPDF_Obj_WriteValue(d, cd->cap, NULL) != HPDF_OK || t->failed)
        return false;
    HPDF_Number len = HPDF_Dict_GetItem(d, "Length", HPDF_OCLASS_NUMBER);
    if (!len || !(len->header.obj_id & HPDF_OTYPE_INDIRECT) || len->value < 0)
        return false;
    size_t L = (size_t)len->value, tail = 10, mid = 9;       /* "\nendstream", "\nstream\r\n" */
    if (t->len < L + tail + mid + 4 || memcmp(t->data + t->len - tail, "\nendstream", tail) ||
        memcmp(t->data + t->len - tail - L - mid, "\nstream\r\n", mid))
        return false;
    size_t dn0 = t->len - tail - L - mid;
    if (!cdoc_mini_room(cd, dn0))
        return false;
    size_t dn = minify(cd->mini, t->data, dn0);
    const char *dict = cd->mini, *l = memmem(dict, dn, "/Length ", 8);
    if (!l)
        return false;
    char *q;
    strtoul(l + 8, &q, 10);
    if (!strncmp(q, " 0 R", 4))
        q += 4;
    unsigned lid = len->header.obj_id & 0x00FFFFFF;
    if (lid <= i || !cdoc_grow(cd, lid + 1))   /* libharu numbers it after its stream */
        return false;
    cd->ty[i] = 1;
    cd->f2[i] = cd->nb.len;
    char tmp[48];
    char *te = put_u(tmp, i);
    memcpy(te, " 0 obj\n", 7);
    folio_buf_append(&cd->nb, tmp, (size_t)(te + 7 - tmp));
    folio_buf_append(&cd->nb, dict, (size_t)(l - dict));
    memcpy(tmp, "/Length ", 8);
    te = put_u(tmp + 8, L);
    folio_buf_append(&cd->nb, tmp, (size_t)(te - tmp));
    folio_buf_append(&cd->nb, q, (size_t)(dict + dn - q));
    folio_buf_puts(&cd->nb, "\nstream\r\n");
    folio_buf_append(&cd->nb, t->data + dn0 + mid, L);
    folio_buf_puts(&cd->nb, "\nendstream\nendobj\n");
    cd->ty[lid] = 3;                   /* dropped (0 in the cross-reference stream) */
    t->len = 0;
    return !cd->nb.failed;
}

void pdf_cdoc_free(pdf_cdoc *cd)
{
    if (!cd)
        return;
    if (cd->cap)
        HPDF_Stream_Free(cd->cap);
    folio_buf_free(&cd->tmp);
    folio_buf_free(&cd->nb);
    folio_buf_free(&cd->body);
    folio_buf_free(&cd->body2);
    free(cd->mini);
    free(cd->f2);
    free(cd->f3);
    free(cd->ty);
    free(cd->soff);
    free(cd->in_b2);
    free(cd);
}

pdf_cdoc *pdf_cdoc_write(HPDF_Doc doc, const char **why)
{
    *why = "cannot write the document compactly (unexpected structure)";
    HPDF_Xref x = doc->xref;
    if (x->prev || x->start_offset != 0 || doc->encrypt_on || !doc->info || !doc->catalog ||
        (int)doc->pdf_version < 0 || (int)doc->pdf_version > 5)
        return NULL;
    pdf_cdoc *cd = calloc(1, sizeof *cd);
    if (!cd) {
        *why = "out of memory";
        return NULL;
    }
    cd->doc = doc;
    folio_buf_init(&cd->tmp, 0);
    folio_buf_init(&cd->nb, 0);
    folio_buf_init(&cd->body, 0);
    folio_buf_init(&cd->body2, 0);
    buf_presize(&cd->tmp, 64 * 1024);
    buf_presize(&cd->nb, 64 * 1024);
    buf_presize(&cd->body, 32 * 1024);
    buf_presize(&cd->body2, 32 * 1024);
    bool ok = (cd->cap = HPDF_CallbackWriter_New(doc->mmgr, cdoc_cap_write, cd)) != NULL &&
              cdoc_grow(cd, x->entries->count + 1);
    /* hpdf_doc.c PrepareTrailer */
    ok = ok && HPDF_Dict_Add(doc->trailer, "Root", doc->catalog) == HPDF_OK &&
         HPDF_Dict_Add(doc->trailer, "Info", doc->info) == HPDF_OK;
    cd->root_id = doc->catalog->header.obj_id & 0x00FFFFFF;
    cd->info_id = doc->info->header.obj_id & 0x00FFFFFF;
    /* the header: %PDF-1.7 and libharu's binary comment line */
    folio_buf_puts(&cd->nb, "%PDF-1.7\n%\267\276\255\252\n");
    bool root_seen = false;
    for (HPDF_UINT i = 1; ok && i < x->entries->count; i++) {   /* hooks may add objects */
        HPDF_XrefEntry e = HPDF_Xref_GetEntry(x, i);
        ok = e && e->obj && cdoc_grow(cd, i + 2);
        if (!ok)
            break;
        if (e->entry_typ != HPDF_IN_USE_ENTRY || cd->ty[i] == 3) {
            cd->ty[i] = 0;
            continue;
        }
        HPDF_Obj_Header *h = e->obj;
        if ((h->obj_class & HPDF_OCLASS_ANY) == HPDF_OCLASS_DICT && ((HPDF_Dict)e->obj)->stream) {
            ok = cdoc_stream(cd, i, e->obj);
            continue;
        }
        cw w = {.cd = cd, .o = root_seen ? &cd->body2 : &cd->body};
        w.start = w.o->len;
        cd->ty[i] = 2;
        cd->f3[i] = cd->n_in;
        cd->in_b2[cd->n_in] = root_seen;
        cd->soff[cd->n_in++] = w.start;
        ok = cw_value(&w, e->obj, false) && w.o->len > w.start;
        if (ok && i == cd->root_id) {  /* the catalog: pdf_cdoc_finish adds to it */
            ok = w.o->len - w.start >= 4 && !memcmp(w.o->data + w.o->len - 2, ">>", 2);
            w.o->len -= 2;
            root_seen = true;
        } else if (ok) {
            folio_buf_putc(w.o, '\n');
        }
    }
    cd->size = x->entries->count;
    ok = ok && root_seen && cd->info_id < cd->size;
    /* the trailer's /ID as libharu writes it */
    HPDF_Array ida = ok ? HPDF_Dict_GetItem(doc->trailer, "ID", HPDF_OCLASS_ARRAY) : NULL;
    cd->tmp.len = 0;
    ok = ok && ida && HPDF_Obj_WriteValue(ida, cd->cap, NULL) == HPDF_OK && !cd->tmp.failed &&
         cd->tmp.len + 4 < sizeof cd->id;
    if (ok) {
        memcpy(cd->id, "/ID ", 4);
        memcpy(cd->id + 4, cd->tmp.data, cd->tmp.len);
        cd->idn = cd->tmp.len + 4;
        ok = memchr(cd->id, ']', cd->idn) == cd->id + cd->idn - 1;
    }
    ok = ok && !cd->nb.failed && !cd->body.failed && !cd->body2.failed;
    if (!ok) {
        HPDF_ResetError(doc);
        pdf_cdoc_free(cd);
        return NULL;
    }
    return cd;
}

unsigned pdf_cdoc_size(const pdf_cdoc *cd)
{
    return cd->size;
}

bool pdf_cdoc_finish(pdf_cdoc *cd, folio_buf *out, const char *cat_add, unsigned n_extra,
                     const char *xbody, const size_t *xoffs, int level, const char **why)
{
    *why = "out of memory";
    unsigned total = cd->size + n_extra + 2;
    if (!cdoc_grow(cd, total + 1))
        return false;
    for (unsigned k = 0; k < total; k++) {
        if (cd->ty[k] == 3)
            cd->ty[k] = 0;
        else if (cd->ty[k] == 2)
            cd->f2[k] = cd->size + n_extra;    /* the object stream's number */
    }
    /* the catalog's additions, then the objects after it */
    folio_buf_puts(&cd->body, cat_add ? cat_add : "");
    folio_buf_puts(&cd->body, ">>\n");
    size_t shift = cd->body.len;
    for (unsigned k = 0; k < cd->n_in; k++)
        if (cd->in_b2[k])
            cd->soff[k] += shift;
    folio_buf_append(&cd->body, cd->body2.data ? cd->body2.data : "", cd->body2.len);
    if (cd->body.failed)
        return false;
    return compact_tail(out, out->len, &cd->nb, &cd->body, cd->size, n_extra, xbody, xoffs,
                        cd->f2, cd->f3, cd->ty, cd->soff, cd->n_in, cd->root_id, cd->info_id,
                        cd->id, cd->idn, level);
}
