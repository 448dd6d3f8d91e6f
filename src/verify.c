/* SPDX-License-Identifier: Apache-2.0 */
/*
 * verify.c -- `folio verify OUT`: check an output directory against its
 * manifest.json, from the files themselves.
 *
 * Order of work: read manifest.json with a small JSON reader (below; values
 * kept as a tree, numbers as their text); for every output listed, size,
 * SHA-256, pages counted from the file (PDF page tree, AFP Begin Page
 * fields) and sheets from pages; for every pieces file, the same checksums
 * and its rows against its print file; stream totals against the files; and
 * print/ must hold nothing the manifest does not list.  Every mismatch is one
 * line of the report; nothing stops at the first.
 *
 * PDF pages: startxref -> xref table(s) (following /Prev) -> trailer /Root
 * -> catalog /Pages -> the root Pages node's /Count.  Only classic xref
 * tables are read (libharu writes those); a cross-reference stream is
 * reported as unsupported rather than guessed at.
 *
 * AFP pages: the file is a chain of structured fields
 *     0x5A | length (2 bytes, big endian, counts itself and what follows) |
 *     id (3 bytes) | flags | reserved (2) | data
 * walked from offset 0 to the end; Begin Page is D3 A8 AF.
 */
#include "folio/archive.h"
#include "folio/exceptions.h"
#include "folio/production.h"
#include "verify-private.h"

#include "ccy-totals.h"
#include "report-html.h"
#include "folio/currency.h"

#include <csv.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

/* ---- a small JSON reader ----------------------------------------------- */

enum { J_NULL, J_BOOL, J_NUM, J_STR, J_ARR, J_OBJ };

typedef struct jv jv;
struct jv {
    int type;
    bool b;
    char *s;            /* J_STR: decoded text; J_NUM: the number's text */
    int n, cap;
    char **keys;        /* J_OBJ */
    jv **items;         /* J_ARR, J_OBJ */
};

typedef struct jparser {
    const char *p, *end, *start;
    char err[160];
    int depth;
} jparser;

static void jv_free(jv *v)
{
    if (!v)
        return;
    for (int i = 0; i < v->n; i++) {
        if (v->keys)
            free(v->keys[i]);
        jv_free(v->items[i]);
    }
    free(v->keys);
    free(v->items);
    free(v->s);
    free(v);
}

static void jws(jparser *P)
{
    while (P->p < P->end && (*P->p == ' ' || *P->p == '\n' || *P->p == '\r' || *P->p == '\t'))
        P->p++;
}

static bool jfail(jparser *P, const char *what)
{
    if (!P->err[0])
        snprintf(P->err, sizeof P->err, "offset %zu: %s", (size_t)(P->p - P->start), what);
    return false;
}

static int hexval(char c)
{
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

static bool jstr(jparser *P, char **out)
{
    P->p++;     /* opening quote */
    folio_buf b;
    folio_buf_init(&b, (size_t)1 << 26);
    while (P->p < P->end && *P->p != '"') {
        unsigned char c = (unsigned char)*P->p++;
        if (c < 0x20) {
            folio_buf_free(&b);
            return jfail(P, "control character in a string");
        }
        if (c != '\\') {
            folio_buf_putc(&b, (char)c);
            continue;
        }
        if (P->p >= P->end)
            break;
        char e = *P->p++;
        switch (e) {
        case '"': case '\\': case '/': folio_buf_putc(&b, e); break;
        case 'b': folio_buf_putc(&b, '\b'); break;
        case 'f': folio_buf_putc(&b, '\f'); break;
        case 'n': folio_buf_putc(&b, '\n'); break;
        case 'r': folio_buf_putc(&b, '\r'); break;
        case 't': folio_buf_putc(&b, '\t'); break;
        case 'u': {
            uint32_t cp = 0;
            for (int k = 0; k < 4; k++) {
                int h = P->p < P->end ? hexval(*P->p++) : -1;
                if (h < 0) {
                    folio_buf_free(&b);
                    return jfail(P, "bad \\u escape");
                }
                cp = cp * 16 + (uint32_t)h;
            }
            if (cp >= 0xD800 && cp < 0xDC00 && P->end - P->p >= 6 && P->p[0] == '\\' &&
                P->p[1] == 'u') {
                uint32_t lo = 0;
                bool ok = true;
                for (int k = 2; k < 6; k++) {
                    int h = hexval(P->p[k]);
                    ok = ok && h >= 0;
                    lo = lo * 16 + (uint32_t)(h < 0 ? 0 : h);
                }
                if (ok && lo >= 0xDC00 && lo < 0xE000) {
                    cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
                    P->p += 6;
                }
            }
            char u[4];
            int n;
            if (cp < 0x80) { u[0] = (char)cp; n = 1; }
            else if (cp < 0x800) { u[0] = (char)(0xC0 | cp >> 6); u[1] = (char)(0x80 | (cp & 63)); n = 2; }
            else if (cp < 0x10000) { u[0] = (char)(0xE0 | cp >> 12); u[1] = (char)(0x80 | ((cp >> 6) & 63)); u[2] = (char)(0x80 | (cp & 63)); n = 3; }
            else { u[0] = (char)(0xF0 | cp >> 18); u[1] = (char)(0x80 | ((cp >> 12) & 63)); u[2] = (char)(0x80 | ((cp >> 6) & 63)); u[3] = (char)(0x80 | (cp & 63)); n = 4; }
            folio_buf_append(&b, u, (size_t)n);
            break;
        }
        default:
            folio_buf_free(&b);
            return jfail(P, "bad escape in a string");
        }
    }
    if (P->p >= P->end) {
        folio_buf_free(&b);
        return jfail(P, "unterminated string");
    }
    P->p++;
    folio_buf_putc(&b, 0);
    if (b.failed) {
        folio_buf_free(&b);
        return jfail(P, "out of memory");
    }
    *out = b.data;      /* ownership passes to the caller */
    return true;
}

static bool jpush(jv *v, char *key, jv *item)
{
    if (v->n == v->cap) {
        int nc = v->cap ? v->cap * 2 : 8;
        jv **ni = realloc(v->items, (size_t)nc * sizeof *ni);
        if (!ni)
            return false;
        v->items = ni;
        if (v->type == J_OBJ) {
            char **nk = realloc(v->keys, (size_t)nc * sizeof *nk);
            if (!nk)
                return false;
            v->keys = nk;
        }
        v->cap = nc;
    }
    if (v->type == J_OBJ)
        v->keys[v->n] = key;
    v->items[v->n++] = item;
    return true;
}

static jv *jvalue(jparser *P)
{
    jws(P);
    if (P->p >= P->end) {
        jfail(P, "unexpected end of file");
        return NULL;
    }
    if (++P->depth > 64) {
        jfail(P, "nesting deeper than 64");
        return NULL;
    }
    jv *v = calloc(1, sizeof *v);
    if (!v) {
        jfail(P, "out of memory");
        return NULL;
    }
    char c = *P->p;
    if (c == '{' || c == '[') {
        v->type = c == '{' ? J_OBJ : J_ARR;
        char close = c == '{' ? '}' : ']';
        P->p++;
        jws(P);
        if (P->p < P->end && *P->p == close) {
            P->p++;
            P->depth--;
            return v;
        }
        for (;;) {
            char *key = NULL;
            if (v->type == J_OBJ) {
                jws(P);
                if (P->p >= P->end || *P->p != '"' || !jstr(P, &key)) {
                    jfail(P, "expected a key");
                    goto bad;
                }
                jws(P);
                if (P->p >= P->end || *P->p != ':') {
                    free(key);
                    jfail(P, "expected ':'");
                    goto bad;
                }
                P->p++;
            }
            jv *item = jvalue(P);
            if (!item || !jpush(v, key, item)) {
                free(key);
                jv_free(item);
                jfail(P, "out of memory");
                goto bad;
            }
            jws(P);
            if (P->p < P->end && *P->p == ',') {
                P->p++;
                continue;
            }
            if (P->p < P->end && *P->p == close) {
                P->p++;
                break;
            }
            jfail(P, v->type == J_OBJ ? "expected ',' or '}'" : "expected ',' or ']'");
            goto bad;
        }
    } else if (c == '"') {
        v->type = J_STR;
        if (!jstr(P, &v->s))
            goto bad;
    } else if (c == '-' || (c >= '0' && c <= '9')) {
        const char *s = P->p;
        while (P->p < P->end && (strchr("+-.eE", *P->p) || (*P->p >= '0' && *P->p <= '9')))
            P->p++;
        v->type = J_NUM;
        if (!(v->s = strndup(s, (size_t)(P->p - s))))
            goto bad;
    } else if (P->end - P->p >= 4 && !memcmp(P->p, "true", 4)) {
        v->type = J_BOOL;
        v->b = true;
        P->p += 4;
    } else if (P->end - P->p >= 5 && !memcmp(P->p, "false", 5)) {
        v->type = J_BOOL;
        P->p += 5;
    } else if (P->end - P->p >= 4 && !memcmp(P->p, "null", 4)) {
        P->p += 4;
    } else {
        jfail(P, "unexpected character");
        goto bad;
    }
    P->depth--;
    return v;
bad:
    jv_free(v);
    return NULL;
}

static const jv *jget(const jv *o, const char *key)
{
    if (!o || o->type != J_OBJ)
        return NULL;
    for (int i = 0; i < o->n; i++)
        if (!strcmp(o->keys[i], key))
            return o->items[i];
    return NULL;
}

static const char *jstr_of(const jv *o, const char *key)
{
    const jv *v = jget(o, key);
    return v && v->type == J_STR ? v->s : NULL;
}

/* Integer member; false when absent or not an integer. */
static bool jint_of(const jv *o, const char *key, int64_t *out)
{
    const jv *v = jget(o, key);
    if (!v || v->type != J_NUM)
        return false;
    char *e;
    errno = 0;
    long long x = strtoll(v->s, &e, 10);
    if (errno || *e)
        return false;
    *out = x;
    return true;
}

/* ---- mapped files ------------------------------------------------------- */

typedef struct mapped {
    const unsigned char *d;
    size_t n;
} mapped;

static bool map_file(const char *path, mapped *m, folio_error *err)
{
    m->d = NULL;
    m->n = 0;
    struct stat st;
    int fd = folio_input_open(path, NULL, FOLIO_EXIT_FAILED, &st, err);
    if (fd < 0)
        return false;
    m->n = (size_t)st.st_size;
    if (m->n) {
        void *p = mmap(NULL, m->n, PROT_READ, MAP_PRIVATE, fd, 0);
        if (p == MAP_FAILED) {
            folio_error_set(err, FOLIO_EXIT_FAILED, "%s: %s", path, strerror(errno));
            close(fd);
            return false;
        }
        m->d = p;
    }
    close(fd);
    return true;
}

static void unmap_file(mapped *m)
{
    if (m->d)
        munmap((void *)m->d, m->n);
    m->d = NULL;
}

/* ---- PDF page tree ------------------------------------------------------ */

typedef struct pdf_ctx {
    const unsigned char *d;
    size_t n;
    uint64_t *off;          /* off[obj] = offset + 1, 0 = unknown */
    size_t n_off;
    const char *path;
    folio_error *err;
} pdf_ctx;

static bool pdf_ws(unsigned char c)
{
    return c == ' ' || c == '\n' || c == '\r' || c == '\t' || c == '\f' || c == 0;
}

static bool pdf_delim(unsigned char c)
{
    return pdf_ws(c) || strchr("()<>[]{}/%", c);
}

static size_t skip_ws(const pdf_ctx *C, size_t i)
{
    for (;;) {
        while (i < C->n && pdf_ws(C->d[i]))
            i++;
        if (i < C->n && C->d[i] == '%') {
            while (i < C->n && C->d[i] != '\n' && C->d[i] != '\r')
                i++;
            continue;
        }
        return i;
    }
}

/* Unsigned integer token at i; returns the index after it or 0. */
static size_t read_uint(const pdf_ctx *C, size_t i, uint64_t *v)
{
    i = skip_ws(C, i);
    size_t s = i;
    uint64_t x = 0;
    while (i < C->n && C->d[i] >= '0' && C->d[i] <= '9' && i - s < 18)
        x = x * 10 + (uint64_t)(C->d[i++] - '0');
    if (i == s || (i < C->n && !pdf_delim(C->d[i])))
        return 0;
    *v = x;
    return i;
}

static bool kw_at(const pdf_ctx *C, size_t i, const char *kw)
{
    size_t k = strlen(kw);
    return i + k <= C->n && !memcmp(C->d + i, kw, k) && (i + k == C->n || pdf_delim(C->d[i + k]));
}

/* Skip one object (dictionary, array, string, name, number, keyword) at i. */
static size_t skip_obj(const pdf_ctx *C, size_t i)
{
    i = skip_ws(C, i);
    if (i >= C->n)
        return i;
    unsigned char c = C->d[i];
    if (c == '(') {
        int depth = 0;
        for (; i < C->n; i++) {
            if (C->d[i] == '\\') { i++; continue; }
            if (C->d[i] == '(') depth++;
            else if (C->d[i] == ')' && --depth == 0) return i + 1;
        }
        return i;
    }
    if (c == '<' && i + 1 < C->n && C->d[i + 1] == '<') {
        i += 2;
        for (;;) {
            i = skip_ws(C, i);
            if (i >= C->n) return i;
            if (C->d[i] == '>' && i + 1 < C->n && C->d[i + 1] == '>') return i + 2;
            size_t j = skip_obj(C, i);
            if (j <= i) return C->n;
            i = j;
        }
    }
    if (c == '<') {
        while (i < C->n && C->d[i] != '>') i++;
        return i + 1;
    }
    if (c == '[') {
        i++;
        for (;;) {
            i = skip_ws(C, i);
            if (i >= C->n) return i;
            if (C->d[i] == ']') return i + 1;
            size_t j = skip_obj(C, i);
            if (j <= i) return C->n;
            i = j;
        }
    }
    if (c == '/') i++;
    size_t s = i;
    while (i < C->n && !pdf_delim(C->d[i])) i++;
    return i == s ? i + 1 : i;
}

/* In the dictionary starting at i ("<<"), find the value of /key: returns
 * the index of the value or 0. */
static size_t dict_find(const pdf_ctx *C, size_t i, const char *key)
{
    i = skip_ws(C, i);
    if (i + 1 >= C->n || C->d[i] != '<' || C->d[i + 1] != '<')
        return 0;
    i += 2;
    size_t kl = strlen(key);
    for (;;) {
        i = skip_ws(C, i);
        if (i >= C->n || (C->d[i] == '>' && i + 1 < C->n && C->d[i + 1] == '>'))
            return 0;
        if (C->d[i] != '/')
            return 0;
        size_t ks = i + 1, ke = skip_obj(C, i);
        size_t v = skip_ws(C, ke);
        if (ke - ks == kl && !memcmp(C->d + ks, key, kl))
            return v;
        size_t nv = skip_obj(C, v);
        /* an indirect reference "n g R" is three tokens */
        uint64_t a, b;
        size_t r1 = read_uint(C, v, &a);
        if (r1) {
            size_t r2 = read_uint(C, r1, &b);
            if (r2) {
                size_t r3 = skip_ws(C, r2);
                if (kw_at(C, r3, "R"))
                    nv = r3 + 1;
            }
        }
        if (nv <= i)
            return 0;
        i = nv;
    }
}

/* Read "n g R" at i. */
static bool read_ref(const pdf_ctx *C, size_t i, uint64_t *obj)
{
    uint64_t g;
    size_t a = read_uint(C, i, obj);
    size_t b = a ? read_uint(C, a, &g) : 0;
    return b && kw_at(C, skip_ws(C, b), "R");
}

static bool pdf_fail(pdf_ctx *C, const char *fmt, uint64_t x)
{
    char m[200];
    snprintf(m, sizeof m, fmt, (unsigned long long)x);
    folio_error_set(C->err, FOLIO_EXIT_FAILED, "%s: %s", C->path, m);
    return false;
}

/* Offset of the dictionary of object `obj` ("obj G obj <<"). */
static bool pdf_object(pdf_ctx *C, uint64_t obj, size_t *dict)
{
    if (obj >= C->n_off || !C->off[obj])
        return pdf_fail(C, "object %llu is not in the cross-reference table", obj);
    size_t i = (size_t)(C->off[obj] - 1);
    uint64_t num, gen;
    size_t a = read_uint(C, i, &num);
    size_t b = a ? read_uint(C, a, &gen) : 0;
    if (!b || num != obj || !kw_at(C, skip_ws(C, b), "obj"))
        return pdf_fail(C, "the cross-reference offset of object %llu does not point at it",
                        obj);
    *dict = skip_ws(C, b) + 3;
    return true;
}

/* Read the xref section at `pos` and its trailer; *prev gets /Prev or 0,
 * *root the trailer's /Root (kept when already set). */
static bool pdf_xref_section(pdf_ctx *C, size_t pos, uint64_t *prev, uint64_t *root)
{
    size_t i = skip_ws(C, pos);
    if (!kw_at(C, i, "xref")) {
        if (read_uint(C, i, prev))
            return pdf_fail(C, "startxref points at a cross-reference stream (offset %llu); "
                            "only xref tables are supported", (uint64_t)pos);
        return pdf_fail(C, "no 'xref' at offset %llu", (uint64_t)pos);
    }
    i += 4;
    for (;;) {
        i = skip_ws(C, i);
        if (kw_at(C, i, "trailer"))
            break;
        uint64_t first, count;
        size_t a = read_uint(C, i, &first);
        size_t b = a ? read_uint(C, a, &count) : 0;
        if (!b || first + count > 100000000)
            return pdf_fail(C, "bad xref subsection at offset %llu", (uint64_t)i);
        i = b;
        if (first + count > C->n_off) {
            uint64_t *no = realloc(C->off, (size_t)(first + count) * sizeof *no);
            if (!no)
                return pdf_fail(C, "out of memory (%llu objects)", first + count);
            memset(no + C->n_off, 0, (size_t)(first + count - C->n_off) * sizeof *no);
            C->off = no;
            C->n_off = (size_t)(first + count);
        }
        for (uint64_t k = 0; k < count; k++) {
            uint64_t off, gen;
            size_t e1 = read_uint(C, i, &off);
            size_t e2 = e1 ? read_uint(C, e1, &gen) : 0;
            size_t e3 = e2 ? skip_ws(C, e2) : 0;
            if (!e2 || e3 >= C->n || (C->d[e3] != 'n' && C->d[e3] != 'f'))
                return pdf_fail(C, "bad xref entry at offset %llu", (uint64_t)i);
            if (C->d[e3] == 'n' && !C->off[first + k]) {
                if (off >= C->n)
                    return pdf_fail(C, "xref entry points past the end of the file (%llu)",
                                    off);
                C->off[first + k] = off + 1;
            }
            i = e3 + 1;
        }
    }
    size_t t = skip_ws(C, i + 7);
    size_t v = dict_find(C, t, "Root");
    uint64_t r;
    if (!*root && v && read_ref(C, v, &r))
        *root = r;
    *prev = 0;
    v = dict_find(C, t, "Prev");
    if (v && !read_uint(C, v, prev))
        return pdf_fail(C, "bad /Prev in the trailer at offset %llu", (uint64_t)t);
    return true;
}

static bool pdf_count(pdf_ctx *C, uint32_t *pages)
{
    size_t tail = C->n > 1024 ? C->n - 1024 : 0;
    size_t sx = 0;
    for (size_t i = C->n >= 9 ? C->n - 9 : 0; i + 1 > tail && i < C->n; i--) {
        if (!memcmp(C->d + i, "startxref", 9)) {
            sx = i + 1;
            break;
        }
        if (i == 0)
            break;
    }
    if (!sx)
        return pdf_fail(C, "no startxref in the last %llu bytes (truncated file?)", 1024);
    uint64_t pos;
    if (!read_uint(C, sx - 1 + 9, &pos) || pos >= C->n)
        return pdf_fail(C, "bad startxref offset (file of %llu bytes)", (uint64_t)C->n);
    uint64_t root = 0;
    for (int guard = 0; guard < 64; guard++) {
        uint64_t prev = 0;
        if (!pdf_xref_section(C, (size_t)pos, &prev, &root))
            return false;
        if (!prev)
            break;
        if (prev >= C->n)
            return pdf_fail(C, "/Prev %llu points past the end of the file", prev);
        pos = prev;
    }
    if (!root)
        return pdf_fail(C, "the trailer has no /Root (startxref %llu)", pos);
    size_t cat, pg;
    if (!pdf_object(C, root, &cat))
        return false;
    size_t v = dict_find(C, cat, "Pages");
    uint64_t pages_obj;
    if (!v || !read_ref(C, v, &pages_obj))
        return pdf_fail(C, "the catalog (object %llu) has no /Pages reference", root);
    if (!pdf_object(C, pages_obj, &pg))
        return false;
    v = dict_find(C, pg, "Type");
    if (!v || !kw_at(C, v + 1, "Pages") || C->d[v] != '/')
        return pdf_fail(C, "object %llu is not a /Pages node", pages_obj);
    uint64_t count;
    v = dict_find(C, pg, "Count");
    if (!v || !read_uint(C, v, &count) || count > UINT32_MAX)
        return pdf_fail(C, "the root Pages node (object %llu) has no valid /Count", pages_obj);
    *pages = (uint32_t)count;
    return true;
}

/* production_pdf_pages: pages from the page tree (see the file comment). */
bool production_pdf_pages(const char *path, uint32_t *pages, folio_error *err)
{
    mapped m;
    if (!map_file(path, &m, err))
        return false;
    pdf_ctx C = {.d = m.d, .n = m.n, .path = path, .err = err};
    bool ok = m.n >= 8 && !memcmp(m.d, "%PDF-", 5);
    if (!ok)
        folio_error_set(err, FOLIO_EXIT_FAILED, "%s: not a PDF file (no %%PDF- header)", path);
    else
        ok = pdf_count(&C, pages);
    free(C.off);
    unmap_file(&m);
    return ok;
}

/* production_afp_pages: count BPG walking the structured-field framing. */
bool production_afp_pages(const char *path, uint32_t *pages, folio_error *err)
{
    mapped m;
    if (!map_file(path, &m, err))
        return false;
    uint32_t n = 0;
    size_t i = 0;
    bool ok = true;
    while (i < m.n) {
        if (m.d[i] != 0x5A) {
            folio_error_set(err, FOLIO_EXIT_FAILED,
                            "%s: offset %zu: expected 0x5A, found 0x%02X", path, i, m.d[i]);
            ok = false;
            break;
        }
        if (i + 6 > m.n) {
            folio_error_set(err, FOLIO_EXIT_FAILED, "%s: offset %zu: truncated structured field",
                            path, i);
            ok = false;
            break;
        }
        size_t len = (size_t)m.d[i + 1] << 8 | m.d[i + 2];
        if (len < 8 || i + 1 + len > m.n) {
            folio_error_set(err, FOLIO_EXIT_FAILED,
                            "%s: offset %zu: structured field length %zu %s", path, i, len,
                            len < 8 ? "is below the minimum of 8" : "runs past the end of file");
            ok = false;
            break;
        }
        if (m.d[i + 3] == 0xD3 && m.d[i + 4] == 0xA8 && m.d[i + 5] == 0xAF)
            n++;
        i += 1 + len;
    }
    unmap_file(&m);
    if (ok)
        *pages = n;
    return ok;
}

/* ---- verify -------------------------------------------------------------- */

/* verify_mismatch, verify_note: see verify-private.h (the one reporter of
 * verify.c and archive-verify.c). */
static void report(verify_report *V, const char *tag, const char *fmt, va_list ap)
{
    fputs(tag, V->rep);
    vfprintf(V->rep, fmt, ap);
    fputc('\n', V->rep);
}

void verify_mismatch(verify_report *V, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    report(V, "MISMATCH ", fmt, ap);
    va_end(ap);
    V->mismatches++;
}

void verify_note(verify_report *V, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    report(V, "NOTE ", fmt, ap);
    va_end(ap);
    V->notes++;
}

/* ---- CSV (libcsv) -------------------------------------------------------- */

typedef struct csv_rows {
    folio_buf cells;            /* this record's cells, each NUL-terminated */
    size_t *off, *len, n, cap;
    char **ptr;                 /* cap pointers into cells, made at the record's end */
    verify_csv_row fn;
    void *ctx;
    uint64_t row;
    bool stop, oom;
} csv_rows;

static void rows_cell(void *s, size_t n, void *data)
{
    csv_rows *R = data;
    if (R->n == R->cap) {
        size_t nc = R->cap ? R->cap * 2 : 16;
        size_t *no = realloc(R->off, nc * sizeof *no);
        if (no)
            R->off = no;
        size_t *nl = no ? realloc(R->len, nc * sizeof *nl) : NULL;
        if (nl)
            R->len = nl;
        char **np = nl ? realloc(R->ptr, nc * sizeof *np) : NULL;
        if (!np) {
            R->oom = true;
            return;
        }
        R->ptr = np;
        R->cap = nc;
    }
    const char *c = s ? s : "";
    size_t k = folio_csv_cell_skip(c, n);
    R->off[R->n] = R->cells.len;
    R->len[R->n++] = n - k;
    folio_buf_append(&R->cells, c + k, n - k);
    folio_buf_putc(&R->cells, 0);
}

static void rows_end(int c, void *data)
{
    csv_rows *R = data;
    (void)c;
    if (R->stop || R->oom || R->cells.failed) {
        R->oom = R->oom || R->cells.failed;
        R->n = 0;
        folio_buf_reset(&R->cells);
        return;
    }
    for (size_t i = 0; i < R->n; i++)
        R->ptr[i] = R->cells.data + R->off[i];
    if (!R->fn(R->ctx, ++R->row, R->ptr, R->len, R->n))
        R->stop = true;
    R->n = 0;
    folio_buf_reset(&R->cells);
}

bool verify_csv_read(const void *d, size_t n, verify_csv_row fn, void *ctx, char *why,
                     size_t why_cap)
{
    struct csv_parser p;
    if (csv_init(&p, CSV_STRICT | CSV_STRICT_FINI) != 0) {
        snprintf(why, why_cap, "out of memory");
        return false;
    }
    csv_rows R = {.fn = fn, .ctx = ctx};
    folio_buf_init(&R.cells, 0);
    bool ok = csv_parse(&p, d, n, rows_cell, rows_end, &R) == n &&
              csv_fini(&p, rows_cell, rows_end, &R) == 0;
    if (!ok)
        snprintf(why, why_cap, "not valid CSV after record %llu: %s",
                 (unsigned long long)R.row, csv_strerror(csv_error(&p)));
    else if (R.oom) {
        snprintf(why, why_cap, "out of memory");
        ok = false;
    }
    csv_free(&p);
    folio_buf_free(&R.cells);
    free(R.off);
    free(R.len);
    free(R.ptr);
    return ok;
}

/* Size and SHA-256 of dir/rel against the manifest; false if unreadable. */
static bool check_sum(verify_report *V, const char *dir, const char *rel, const jv *o)
{
    char path[4400];
    snprintf(path, sizeof path, "%s/%s", dir, rel);
    char hex[65];
    uint64_t bytes = 0;
    folio_error e = {0};
    if (!folio_sha256_file(path, hex, &bytes, &e)) {
        verify_mismatch(V, "%s: cannot read: %s", rel, e.msg);
        return false;
    }
    int64_t mb;
    const char *ms = jstr_of(o, "sha256");
    if (!jint_of(o, "bytes", &mb))
        verify_mismatch(V, "%s: manifest has no bytes", rel);
    else if ((uint64_t)mb != bytes)
        verify_mismatch(V, "%s: %llu bytes, manifest says %lld", rel, (unsigned long long)bytes,
                 (long long)mb);
    if (!ms)
        verify_mismatch(V, "%s: manifest has no sha256", rel);
    else if (strcmp(ms, hex))
        verify_mismatch(V, "%s: sha256 %s, manifest says %s", rel, hex, ms);
    return true;
}

bool verify_parse_u(const char *s, uint64_t *v)
{
    if (!*s)
        return false;
    uint64_t x = 0;
    for (; *s; s++) {
        if (*s < '0' || *s > '9' || x > UINT64_MAX / 10 - 1)
            return false;
        x = x * 10 + (uint64_t)(*s - '0');
    }
    *v = x;
    return true;
}

typedef struct stream_tally {      /* what the pieces files hold, per stream */
    char *name;
    uint64_t statements, pages, sheets;
} stream_tally;

/* One row of a pieces file, kept to match it with its household's record
 * in audit.jsonl (piece id, household, pages, file, serial, stream). */
typedef struct piece_rec {
    char *id, *household, *stream;
    const char *print_file;         /* the manifest's print_file of its pieces file */
    uint64_t pages, first, last, serial;
    bool duplex;                    /* its print file is duplex */
    bool matched;                   /* an audit record names it */
} piece_rec;

typedef struct seen_set {         /* piece ids and serials, to prove uniqueness */
    piece_rec *recs; size_t n, cap;
    bool lost;                      /* a row could not be kept (out of memory) */
    uint64_t *serials; size_t ns, caps;
    stream_tally st[64]; int nst;   /* the pieces, added up per stream column */
    uint64_t rows, pages, sheets;   /* ... and over all pieces files */
} seen_set;

static int cmp_prec(const void *a, const void *b)
{
    return strcmp(((const piece_rec *)a)->id, ((const piece_rec *)b)->id);
}

static int cmp_u64(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return x < y ? -1 : x > y;
}

/* The rows of one pieces file (read with libcsv: a household id may hold
 * a quoted newline or be longer than any line buffer). */
typedef struct piece_rows {
    verify_report *V;
    const char *rel, *print_base, *stream, *print_file;
    bool duplex;
    seen_set *S;
    uint64_t rows, pages, sheets, next_page;
    char *first_id, *last_id;
    unsigned bad;
} piece_rows;

static bool piece_row(void *ctx, uint64_t row, char **f, const size_t *len, size_t n)
{
    piece_rows *P = ctx;
    (void)len;
    if (row == 1) {
        static const char *const want[] = {"piece_id", "household", "sheets", "pages", "file",
                                           "first_page", "last_page", "imb_serial", "stream"};
        bool ok = n == 9;
        for (size_t i = 0; ok && i < 9; i++)
            ok = !strcmp(f[i], want[i]);
        if (!ok)
            verify_mismatch(P->V, "%s: unexpected header '%s%s'", P->rel, n ? f[0] : "",
                            n > 1 ? ",..." : "");
        return true;
    }
    P->rows++;
    uint64_t sh, pg, fp1, lp, serial;
    if (n != 9 || !verify_parse_u(f[2], &sh) || !verify_parse_u(f[3], &pg) ||
        !verify_parse_u(f[5], &fp1) || !verify_parse_u(f[6], &lp) ||
        !verify_parse_u(f[7], &serial)) {
        if (P->bad++ < 5)
            verify_mismatch(P->V, "%s: record %llu: malformed row", P->rel,
                            (unsigned long long)row);
        return true;
    }
    free(P->last_id);
    P->last_id = strdup(f[0]);
    if (!P->first_id)
        P->first_id = strdup(f[0]);
    bool ok = fp1 == P->next_page && lp + 1 == fp1 + pg && pg > 0 &&
              sh == (P->duplex ? (pg + 1) / 2 : pg) && (!P->duplex || pg % 2 == 0) &&
              !strcmp(f[4], P->print_base) && (!P->stream || !strcmp(f[8], P->stream));
    if (!ok && P->bad++ < 5)
        verify_mismatch(P->V, "%s: record %llu: piece %s: pages %s-%s (%s pages, %s sheets, "
                        "file %s, stream %s) do not continue the file at page %llu", P->rel,
                        (unsigned long long)row, f[0], f[5], f[6], f[3], f[2], f[4], f[8],
                        (unsigned long long)P->next_page);
    P->next_page = lp + 1;
    P->pages += pg;
    P->sheets += sh;
    seen_set *S = P->S;
    S->rows++;
    S->pages += pg;
    S->sheets += sh;
    int k = 0;
    while (k < S->nst && strcmp(S->st[k].name, f[8]))
        k++;
    if (k == S->nst && k < 64 && (S->st[k].name = strdup(f[8])))
        S->nst++;
    if (k < S->nst) {
        S->st[k].statements++;
        S->st[k].pages += pg;
        S->st[k].sheets += sh;
    }
    if (S->n == S->cap) {
        size_t nc = S->cap ? S->cap * 2 : 1024;
        piece_rec *ni = realloc(S->recs, nc * sizeof *ni);
        if (ni) { S->recs = ni; S->cap = nc; }
    }
    if (S->ns == S->caps) {
        size_t nc = S->caps ? S->caps * 2 : 1024;
        uint64_t *ns = realloc(S->serials, nc * sizeof *ns);
        if (ns) { S->serials = ns; S->caps = nc; }
    }
    piece_rec *pr = S->n < S->cap ? &S->recs[S->n] : NULL;
    if (pr) {
        *pr = (piece_rec){.id = strdup(f[0]), .household = strdup(f[1]), .stream = strdup(f[8]),
                          .print_file = P->print_file, .pages = pg, .first = fp1, .last = lp,
                          .serial = serial, .duplex = P->duplex};
        if (pr->id && pr->household && pr->stream) {
            S->n++;
        } else {
            free(pr->id);
            free(pr->household);
            free(pr->stream);
            pr = NULL;
        }
    }
    if (!pr)
        S->lost = true;
    if (S->ns < S->caps)
        S->serials[S->ns++] = serial;
    return true;
}

/* Check one pieces file against the print output(s) it describes. */
static void check_pieces(verify_report *V, const char *dir, const jv *pf, const jv *outputs,
                         bool duplex, seen_set *S)
{
    const char *rel = jstr_of(pf, "file");
    const char *print = jstr_of(pf, "print_file");
    if (!rel || !print) {
        verify_mismatch(V, "manifest: a piece_files entry lacks file or print_file");
        return;
    }
    V->files++;
    if (!check_sum(V, dir, rel, pf))
        return;
    const jv *out = NULL;
    for (int i = 0; outputs && i < outputs->n && !out; i++) {
        const char *f = jstr_of(outputs->items[i], "file");
        if (f && !strcmp(f, print))
            out = outputs->items[i];
    }
    if (!out) {
        verify_mismatch(V, "%s: its print file %s is not among the outputs", rel, print);
        return;
    }
    char path[4400];
    snprintf(path, sizeof path, "%s/%s", dir, rel);
    mapped m;
    folio_error e = {0};
    if (!map_file(path, &m, &e)) {
        verify_mismatch(V, "%s: cannot open: %s", rel, e.msg);
        return;
    }
    const char *stream = jstr_of(out, "stream");
    const char *pb = strrchr(print, '/') ? strrchr(print, '/') + 1 : print;
    piece_rows P = {.V = V, .rel = rel, .print_base = pb, .stream = stream, .duplex = duplex,
                    .print_file = print, .S = S, .next_page = 1};
    char why[200];
    if (!verify_csv_read(m.d, m.n, piece_row, &P, why, sizeof why))
        verify_mismatch(V, "%s: %s", rel, why);
    unmap_file(&m);
    uint64_t rows = P.rows, pages = P.pages, sheets = P.sheets;
    const char *first_id = P.first_id ? P.first_id : "", *last_id = P.last_id ? P.last_id : "";
    int64_t st = -1, mp = -1, ms = -1;
    jint_of(out, "statements", &st);
    jint_of(out, "pages", &mp);
    jint_of(out, "sheets", &ms);
    if ((int64_t)rows != st)
        verify_mismatch(V, "%s: %llu pieces, %s has %lld statements", rel, (unsigned long long)rows,
                 print, (long long)st);
    if ((int64_t)pages != mp)
        verify_mismatch(V, "%s: pieces add up to %llu pages, %s has %lld", rel,
                 (unsigned long long)pages, print, (long long)mp);
    if ((int64_t)sheets != ms)
        verify_mismatch(V, "%s: pieces add up to %llu sheets, %s has %lld", rel,
                 (unsigned long long)sheets, print, (long long)ms);
    const char *fpid = jstr_of(out, "first_piece"), *lpid = jstr_of(out, "last_piece");
    if (!fpid || !lpid || strcmp(fpid, first_id) || strcmp(lpid, last_id))
        verify_mismatch(V, "%s: pieces %s..%s, manifest says %s..%s for %s", rel, first_id, last_id,
                 fpid ? fpid : "?", lpid ? lpid : "?", print);
    free(P.first_id);
    free(P.last_id);
}

static bool listed(const jv *arr, const char *rel)
{
    for (int i = 0; arr && i < arr->n; i++) {
        const char *f = jstr_of(arr->items[i], "file");
        if (f && !strcmp(f, rel))
            return true;
    }
    return false;
}

/* Every file in DIR/sub must be listed in a or b (manifest arrays of
 * {"file": "sub/NAME"}); a ".part" file is a run that did not finish. */
static void check_unlisted(verify_report *V, const char *dir, const char *sub, const jv *a,
                           const jv *b)
{
    char path[4200];
    snprintf(path, sizeof path, "%s/%s", dir, sub);
    DIR *dd = opendir(path);
    if (!dd)
        return;
    struct dirent *de;
    while ((de = readdir(dd))) {
        const char *nm = de->d_name;
        if (nm[0] == '.')
            continue;
        char rel[600];
        snprintf(rel, sizeof rel, "%s/%s", sub, nm);
        size_t L = strlen(nm);
        if (L > 5 && !strcmp(nm + L - 5, ".part"))
            verify_mismatch(V, "%s: temporary file left behind", rel);
        else if (!listed(a, rel) && !listed(b, rel))
            verify_mismatch(V, "%s: in %s/ but not in the manifest", rel, sub);
    }
    closedir(dd);
}

/* Parse a whole JSON file; NULL (and a mismatch) when unreadable or invalid. */
static jv *read_json(verify_report *V, const char *path, const char *rel)
{
    mapped m;
    folio_error e = {0};
    if (!map_file(path, &m, &e)) {
        verify_mismatch(V, "%s: cannot read: %s", rel, e.msg);
        return NULL;
    }
    jparser P = {.p = (const char *)m.d, .end = (const char *)m.d + m.n,
                 .start = (const char *)m.d};
    jv *v = m.n ? jvalue(&P) : NULL;
    if (v) {
        jws(&P);
        if (P.p != P.end) {
            jv_free(v);
            v = NULL;
        }
    }
    unmap_file(&m);
    if (!v || v->type != J_OBJ) {
        verify_mismatch(V, "%s: not a valid JSON object%s%s", rel, P.err[0] ? ": " : "", P.err);
        jv_free(v);
        return NULL;
    }
    return v;
}

/* The proof sample (manifest "proofs", proof.h): each listed file's size and
 * SHA-256, proof.pdf's pages from its page tree, proofs.json's samples
 * tiling proof.pdf page by page and agreeing with the manifest's counts, and
 * nothing unlisted or half-written in proofs/. */
static void check_proofs(verify_report *V, const char *dir, const jv *proofs)
{
    const jv *files = proofs ? jget(proofs, "files") : NULL;
    if (files && files->type != J_ARR) {
        verify_mismatch(V, "manifest.json: proofs.files is not a list");
        files = NULL;
    }
    int64_t pdf_pages = -1;
    const jv *list = NULL;      /* proofs.json, parsed */
    char path[4400];
    for (int i = 0; files && i < files->n; i++) {
        const jv *o = files->items[i];
        const char *rel = jstr_of(o, "file"), *fmt = jstr_of(o, "format");
        if (!rel || !fmt || strncmp(rel, "proofs/", 7) || strstr(rel, "..")) {
            verify_mismatch(V, "manifest.json: proofs.files[%d] lacks file or format, or names a "
                     "file outside proofs/", i);
            continue;
        }
        V->files++;
        if (!check_sum(V, dir, rel, o))
            continue;
        snprintf(path, sizeof path, "%s/%s", dir, rel);
        if (!strcmp(fmt, "pdf")) {
            uint32_t pages = 0;
            folio_error pe = {0};
            int64_t mp = -1;
            jint_of(o, "pages", &mp);
            if (!production_pdf_pages(path, &pages, &pe))
                verify_mismatch(V, "%s: cannot count pages: %s", rel, pe.msg);
            else if ((int64_t)pages != mp)
                verify_mismatch(V, "%s: %u pages in the file, manifest says %lld", rel, pages,
                         (long long)mp);
            else
                pdf_pages = pages;
        } else if (!strcmp(fmt, "json") && !list) {
            list = read_json(V, path, rel);
        }
    }
    if (list) {
        const jv *samples = jget(list, "samples");
        int64_t sampled = -1, covered = -1, total = -1, lp = 0;
        jint_of(proofs, "sampled", &sampled);
        jint_of(proofs, "keys_covered", &covered);
        jint_of(proofs, "keys_total", &total);
        const jv *unc = jget(proofs, "uncovered");
        if (!samples || samples->type != J_ARR || samples->n != sampled)
            verify_mismatch(V, "proofs/proofs.json: %d samples, manifest says %lld",
                     samples && samples->type == J_ARR ? samples->n : -1, (long long)sampled);
        for (int i = 0; samples && samples->type == J_ARR && i < samples->n; i++) {
            int64_t f = -1, l = -1;
            const jv *s = samples->items[i];
            if (!jint_of(s, "first_page", &f) || !jint_of(s, "last_page", &l) || f != lp + 1 ||
                l < f) {
                verify_mismatch(V, "proofs/proofs.json: sample %d has pages %lld..%lld, expected to "
                         "start at page %lld", i + 1, (long long)f, (long long)l,
                         (long long)(lp + 1));
                break;
            }
            lp = l;
        }
        /* an empty sample has one page saying so */
        if (pdf_pages >= 0 && lp != pdf_pages && !(lp == 0 && pdf_pages == 1))
            verify_mismatch(V, "proofs/proofs.json: samples end at page %lld, proof.pdf has %lld",
                     (long long)lp, (long long)pdf_pages);
        if (!unc || unc->type != J_ARR || covered + unc->n != total)
            verify_mismatch(V, "manifest.json: proofs cover %lld of %lld keys but list %d uncovered",
                     (long long)covered, (long long)total, unc && unc->type == J_ARR ? unc->n : -1);
        jv_free((jv *)list);
    }
    check_unlisted(V, dir, "proofs", files, NULL);
}

/* ---- recomputing the manifest's figures from the files ------------------- */

/* The streams' totals against what the pieces files hold. */
static void recount_streams(verify_report *V, const jv *streams, const seen_set *S)
{
    for (int i = 0; streams && streams->type == J_ARR && i < streams->n; i++) {
        const jv *s = streams->items[i];
        const char *name = jstr_of(s, "name");
        const jv *printed = jget(s, "printed");
        if (!name || (printed && printed->type == J_BOOL && !printed->b))
            continue;
        const stream_tally *t = NULL;
        for (int k = 0; k < S->nst && !t; k++)
            if (!strcmp(S->st[k].name, name))
                t = &S->st[k];
        int64_t ss = -1, sp = -1, sh = -1;
        jint_of(s, "statements", &ss);
        jint_of(s, "pages", &sp);
        jint_of(s, "sheets", &sh);
        uint64_t a = t ? t->statements : 0, b = t ? t->pages : 0, c = t ? t->sheets : 0;
        if ((int64_t)a != ss || (int64_t)b != sp || (int64_t)c != sh)
            verify_mismatch(V, "manifest.json: stream %s has %lld statements, %lld pages, %lld "
                            "sheets; the pieces files hold %llu, %llu, %llu", name,
                            (long long)ss, (long long)sp, (long long)sh, (unsigned long long)a,
                            (unsigned long long)b, (unsigned long long)c);
    }
    for (int k = 0; k < S->nst; k++) {
        bool found = false;
        for (int i = 0; streams && streams->type == J_ARR && i < streams->n && !found; i++) {
            const char *name = jstr_of(streams->items[i], "name");
            found = name && !strcmp(name, S->st[k].name);
        }
        if (!found)
            verify_mismatch(V, "pieces files: stream %s is not in the manifest's streams",
                            S->st[k].name);
    }
}

/* OUT's top level holds folio's names only (README "Output directory"). */
static void check_top_level(verify_report *V, const char *dir)
{
    static const char *const files[] = {"manifest.json", "audit.jsonl", "rejects.csv",
                                        "suppressed.csv", "contact_history.csv", "exceptions.csv",
                                        ".folio.lock", "not_due.csv", "statement_history.csv" /* issue 15 */,
                                        "report.html"};   /* issue 16 part 5 */
    static const char *const dirs[] = {"print", "archive", "proofs"};
    DIR *dd = opendir(dir);
    if (!dd)
        return;
    struct dirent *de;
    while ((de = readdir(dd))) {
        const char *nm = de->d_name;
        if (!strcmp(nm, ".") || !strcmp(nm, ".."))
            continue;
        char path[4400];
        snprintf(path, sizeof path, "%s/%s", dir, nm);
        struct stat st;
        if (lstat(path, &st) != 0)
            continue;
        bool ok = false;
        for (size_t i = 0; i < sizeof files / sizeof *files && !ok; i++)
            ok = !strcmp(nm, files[i]) && S_ISREG(st.st_mode);
        for (size_t i = 0; i < sizeof dirs / sizeof *dirs && !ok; i++)
            ok = !strcmp(nm, dirs[i]) && S_ISDIR(st.st_mode);
        size_t L = strlen(nm);
        if (ok)
            continue;
        if (L > 5 && !strcmp(nm + L - 5, ".part"))
            verify_mismatch(V, "%s: temporary file left behind", nm);
        else
            verify_mismatch(V, "%s: not a file folio writes (stray %s at the top of the output "
                            "directory)", nm, S_ISDIR(st.st_mode) ? "directory" : "file");
    }
    closedir(dd);
}

/* One input recorded as {"file", "bytes", "sha256"}: re-hash it.  A file
 * with other bytes, or missing from a directory that is still there, is a
 * MISMATCH; a file whose directory is gone or unreadable (inputs moved,
 * share not mounted) is a NOTE: the outputs can still be verified. */
static void check_input(verify_report *V, const char *what, const jv *o, const char *run_dir)
{
    const char *file = jstr_of(o, "file"), *sha = jstr_of(o, "sha256");
    int64_t bytes = -1;
    if (!file || !sha || !jint_of(o, "bytes", &bytes)) {
        verify_mismatch(V, "manifest.json: %s has no file, bytes or sha256", what);
        return;
    }
    char path[4400];
    if (file[0] != '/' && run_dir && run_dir[0])
        snprintf(path, sizeof path, "%s/%s", run_dir, file);
    else
        snprintf(path, sizeof path, "%s", file);
    char hex[65];
    uint64_t n = 0;
    folio_error e = {0};
    int fd = open(path, O_RDONLY | O_NONBLOCK);
    struct stat st;
    bool regular = fd >= 0 && fstat(fd, &st) == 0 && S_ISREG(st.st_mode);
    int oerr = errno;
    if (fd >= 0)
        close(fd);
    if (fd < 0) {
        char parent[4400];
        snprintf(parent, sizeof parent, "%s", path);
        char *sl = strrchr(parent, '/');
        if (sl == parent)
            sl[1] = 0;
        else if (sl)
            *sl = 0;
        else
            snprintf(parent, sizeof parent, ".");
        struct stat ps;
        if (oerr == ENOENT && stat(parent, &ps) == 0 && S_ISDIR(ps.st_mode))
            verify_mismatch(V, "input %s (%s): missing: deleted or renamed since the run",
                            file, what);
        else
            verify_note(V, "input %s (%s): unreachable, not checked: %s", file, what,
                        strerror(oerr));
        return;
    }
    if (!regular) {
        verify_mismatch(V, "input %s (%s): not a regular file any more", file, what);
        return;
    }
    if (!folio_sha256_file(path, hex, &n, &e)) {
        verify_note(V, "input %s (%s): unreadable, not checked: %s", file, what, e.msg);
        return;
    }
    if ((int64_t)n != bytes || strcmp(hex, sha))
        verify_mismatch(V, "input %s (%s): changed since the run: %llu bytes, sha256 %s; the "
                        "manifest says %lld bytes, sha256 %s", file, what,
                        (unsigned long long)n, hex, (long long)bytes, sha);
}

/* Every input the manifest records: the job, the feeds (contact history
 * included), the layout, the paragraph library and the offers catalogue. */
static void check_inputs(verify_report *V, const jv *root)
{
    const jv *job = jget(root, "job");
    const char *run_dir = jstr_of(job, "run_dir");
    if (!job || !jstr_of(job, "sha256"))
        verify_mismatch(V, "manifest.json: the job file's sha256 is not recorded");
    else
        check_input(V, "job", job, run_dir);
    const jv *in = jget(root, "inputs");
    for (int i = 0; in && in->type == J_ARR && i < in->n; i++) {
        char what[200];
        const char *feed = jstr_of(in->items[i], "feed");
        snprintf(what, sizeof what, "feed %s", feed ? feed : "?");
        check_input(V, what, in->items[i], run_dir);
    }
    if (jget(root, "layout"))
        check_input(V, "layout", jget(root, "layout"), run_dir);
    if (jget(root, "paragraphs"))
        check_input(V, "paragraph library", jget(root, "paragraphs"), run_dir);
    const jv *of = jget(root, "offers");
    if (of && jstr_of(of, "catalogue")) {
        jv ref = {.type = J_OBJ};       /* {"file": catalogue, bytes, sha256} */
        char *keys[3] = {"file", "bytes", "sha256"};
        jv *items[3] = {(jv *)jget(of, "catalogue"), (jv *)jget(of, "bytes"),
                        (jv *)jget(of, "sha256")};
        ref.keys = keys;
        ref.items = items;
        ref.n = items[1] && items[2] ? 3 : 1;
        check_input(V, "offers catalogue", &ref, run_dir);
    }
}


/* issue 10 part 6: o[key] is {"EUR":1.50,"JPY":120,...}; the amount of
 * `code` in its minor unit; false when absent or not exact in it. */
static bool jmoney_ccy(const jv *o, const char *key, const char *code, folio_money *out)
{
    const jv *v = jget(jget(o, key), code);
    int md = currency_minor_digits(code);
    return md >= 0 && v && v->type == J_NUM &&
           folio_money_parse(v->s, strlen(v->s), '.', md, out, NULL);
}

/* What audit.jsonl, rejects.csv, suppressed.csv and the notifications say. */
typedef struct recount {
    uint64_t households, channel[4];     /* print, email, both, suppressed */
    uint64_t email_pages, acc_composed, txn_composed;
    folio_money amt_composed;
    uint64_t rejects;
    uint64_t sup_households, sup_acc, sup_txn;
    folio_money amt_suppressed;
    uint64_t notifications;
    uint64_t exc[FOLIO_EXC__COUNT], exc_total;
    bool audit_ok, rejects_ok, suppressed_ok, overflow, exceptions_ok;
    ccy_totals ccy;         /* issue 10 part 6: composed, suppressed, read and
                               rejected per currency */
} recount;

static void add_money(recount *C, folio_money *sum, folio_money v)
{
    if (__builtin_add_overflow(*sum, v, sum))
        C->overflow = true;
}

/* The printed household h (audit.jsonl line `line`) against its row in the
 * pieces files: the inserter and the mail run go by the pieces files, the
 * audit says which household each piece holds -- they must agree field by
 * field (household, pages, page range, print file, IMb serial, stream). */
static void match_piece(verify_report *V, seen_set *S, const jv *h, uint64_t line,
                        unsigned *bad)
{
    const char *piece = jstr_of(h, "piece");
    if (!piece || S->lost)
        return;
    const char *hh = jstr_of(h, "household"), *pf = jstr_of(h, "print_file");
    const char *stream = jstr_of(h, "stream");
    int64_t pages = -1, first = -1, last = -1, serial = -1;
    jint_of(h, "pages", &pages);
    jint_of(h, "first_page", &first);
    jint_of(h, "last_page", &last);
    jint_of(h, "imb_serial", &serial);
    piece_rec key = {.id = (char *)piece};
    piece_rec *r = S->n ? bsearch(&key, S->recs, S->n, sizeof *S->recs, cmp_prec) : NULL;
    if (!r) {
        if ((*bad)++ < 5)
            verify_mismatch(V, "audit.jsonl:%llu: household %s: piece %s is in no pieces file",
                            (unsigned long long)line, hh ? hh : "?", piece);
        return;
    }
    if (r->matched) {
        if ((*bad)++ < 5)
            verify_mismatch(V, "audit.jsonl:%llu: piece %s is named by a second household "
                            "record (%s)", (unsigned long long)line, piece, hh ? hh : "?");
        return;
    }
    r->matched = true;
    /* duplex: an odd statement gets a blank back page in the piece, not in
     * the audit's page count and range */
    uint64_t pad = r->duplex && pages > 0 && (pages & 1) ? 1 : 0;
    if (!hh || strcmp(hh, r->household) || !pf || strcmp(pf, r->print_file) ||
        pages < 0 || (uint64_t)pages + pad != r->pages || (uint64_t)first != r->first ||
        (uint64_t)last + pad != r->last || (uint64_t)serial != r->serial ||
        (stream && strcmp(stream, r->stream))) {
        if ((*bad)++ < 5)
            verify_mismatch(V, "audit.jsonl:%llu: piece %s: the audit says household %s, pages "
                            "%lld-%lld (%lld) of %s, serial %lld; its pieces file says household "
                            "%s, pages %llu-%llu (%llu) of %s, serial %llu",
                            (unsigned long long)line, piece, hh ? hh : "?", (long long)first,
                            (long long)last, (long long)pages, pf ? pf : "?", (long long)serial,
                            r->household, (unsigned long long)r->first,
                            (unsigned long long)r->last, (unsigned long long)r->pages,
                            r->print_file, (unsigned long long)r->serial);
    }
}

/* audit.jsonl: one JSON object per household. */
static void recount_audit(verify_report *V, const char *dir, const jv *outputs, seen_set *S,
                          recount *C)
{
    static const char *const chname[] = {"print", "email", "both", "suppressed"};
    char path[4400];
    snprintf(path, sizeof path, "%s/audit.jsonl", dir);
    mapped m;
    folio_error e = {0};
    if (!map_file(path, &m, &e))
        return;                         /* reported with the records */
    C->audit_ok = true;
    const char *p = (const char *)m.d, *end = p + m.n;
    unsigned bad = 0;
    for (uint64_t line = 1; p < end; line++) {
        const char *nl = memchr(p, '\n', (size_t)(end - p));
        const char *le = nl ? nl : end;
        jparser P = {.p = p, .end = le, .start = p};
        jv *h = jvalue(&P);
        p = nl ? nl + 1 : end;
        const char *ch = jstr_of(h, "channel");
        int c = 0;
        while (ch && c < 4 && strcmp(ch, chname[c]))
            c++;
        if (!h || h->type != J_OBJ || !ch || c == 4) {
            if (bad++ < 5)
                verify_mismatch(V, "audit.jsonl:%llu: not a household record",
                                (unsigned long long)line);
            jv_free(h);
            C->audit_ok = false;
            continue;
        }
        C->households++;
        C->channel[c]++;
        int64_t pages = 0;
        jint_of(h, "pages", &pages);
        if (c == 1)
            C->email_pages += (uint64_t)pages;
        match_piece(V, S, h, line, &bad);
        const char *pf = jstr_of(h, "print_file");
        if (pf && !listed(outputs, pf) && bad++ < 5)
            verify_mismatch(V, "audit.jsonl:%llu: household %s was printed in %s, which the "
                            "manifest does not list", (unsigned long long)line,
                            jstr_of(h, "household") ? jstr_of(h, "household") : "?", pf);
        const jv *acc = jget(h, "accounts");
        for (int k = 0; c != 3 && acc && acc->type == J_ARR && k < acc->n; k++) {
            const jv *a = acc->items[k];
            if (jget(a, "suppressed"))
                continue;
            int64_t t = 0;
            folio_money amt = 0;
            jint_of(a, "transactions", &t);
            /* issue 10 part 6: the amount in its currency's minor unit */
            const char *cc = jstr_of(a, "currency");
            const jv *av = jget(a, "amount");
            int md = cc ? currency_minor_digits(cc) : -1;
            ccy_sum *ce = md >= 0 ? ccy_entry(&C->ccy, cc) : NULL;
            if ((!av || av->type != J_NUM || !ce ||
                 !folio_money_parse(av->s, strlen(av->s), '.', md, &amt, NULL)) && bad++ < 5)
                verify_mismatch(V, "audit.jsonl:%llu: an account has no amount in a known "
                                "currency's minor unit", (unsigned long long)line);
            C->acc_composed++;
            C->txn_composed += (uint64_t)t;
            add_money(C, &C->amt_composed, amt);
            if (ce)
                add_money(C, &ce->composed, amt);
        }
        jv_free(h);
    }
    unmap_file(&m);
    for (size_t i = 0; i < S->n && !S->lost; i++)
        if (!S->recs[i].matched && bad++ < 5)
            verify_mismatch(V, "%s: piece %s (household %s) has no household record in "
                            "audit.jsonl", S->recs[i].print_file, S->recs[i].id,
                            S->recs[i].household);
}

static bool reject_row(void *ctx, uint64_t row, char **f, const size_t *len, size_t n)
{
    recount *C = ctx;
    (void)f;
    (void)len;
    if (row > 1 && n)
        C->rejects++;
    return true;
}

/* exceptions.csv: kind,household,customer,account,file,line,amount,action,detail */
static bool exception_row(void *ctx, uint64_t row, char **f, const size_t *len, size_t n)
{
    recount *C = ctx;
    if (row == 1) {
        if (n != 9 || len[0] != 4 || memcmp(f[0], "kind", 4))
            C->exceptions_ok = false;
        return true;
    }
    if (!n)
        return true;
    C->exc_total++;
    for (int k = 0; k < FOLIO_EXC__COUNT; k++) {
        const char *name = folio_exception_kind_name((folio_exception_kind)k);
        if (strlen(name) == len[0] && !memcmp(name, f[0], len[0])) {
            C->exc[k]++;
            return true;
        }
    }
    C->exceptions_ok = false;           /* a kind folio does not write */
    return true;
}

static bool suppressed_row(void *ctx, uint64_t row, char **f, const size_t *len, size_t n)
{
    recount *C = ctx;
    if (row == 1) {
        if (n != 7 || strcmp(f[0], "kind") || strcmp(f[5], "amount") ||
            strcmp(f[6], "currency"))
            C->suppressed_ok = false;
        return true;
    }
    if (n != 7) {
        C->suppressed_ok = false;
        return true;
    }
    if (!strcmp(f[0], "household"))
        C->sup_households++;
    else if (!strcmp(f[0], "account"))
        C->sup_acc++;
    else if (!strcmp(f[0], "transaction")) {
        folio_money a;
        C->sup_txn++;
        /* issue 10 part 6: the amount in the minor unit of its currency */
        int md = len[6] == 3 ? currency_minor_digits_n(f[6], 3) : -1;
        ccy_sum *e = md >= 0 ? ccy_entry(&C->ccy, f[6]) : NULL;
        if (!e || !folio_money_parse(f[5], len[5], '.', md, &a, NULL))
            C->suppressed_ok = false;
        else {
            add_money(C, &C->amt_suppressed, a);
            add_money(C, &e->suppressed, a);
        }
    } else
        C->suppressed_ok = false;
    return true;
}

static bool count_row(void *ctx, uint64_t row, char **f, const size_t *len, size_t n)
{
    (void)f;
    (void)len;
    if (row > 1 && n)
        (*(uint64_t *)ctx)++;
    return true;
}

/* Read OUT/rel with libcsv, row by row; false (reported) when unreadable. */
static bool read_csv_file(verify_report *V, const char *dir, const char *rel, verify_csv_row fn,
                          void *ctx)
{
    char path[4400], why[200];
    snprintf(path, sizeof path, "%s/%s", dir, rel);
    mapped m;
    folio_error e = {0};
    if (!map_file(path, &m, &e))
        return false;
    bool ok = verify_csv_read(m.d, m.n, fn, ctx, why, sizeof why);
    if (!ok)
        verify_mismatch(V, "%s: %s", rel, why);
    unmap_file(&m);
    return ok;
}

static void want_eq(verify_report *V, const char *what, const jv *o, const char *key,
                    uint64_t have, const char *from)
{
    int64_t v;
    if (!jint_of(o, key, &v))
        verify_mismatch(V, "manifest.json: %s is missing", what);
    else if ((uint64_t)v != have)
        verify_mismatch(V, "manifest.json: %s is %lld, %s give %llu", what, (long long)v, from,
                        (unsigned long long)have);
}

/* issue 10 part 6: control_totals.transactions.KEY is {"EUR":..,...}: every
 * currency the files give, each equal, and none the files do not give. */
static void want_ccy(verify_report *V, const jv *txn, const char *key, ccy_totals *C,
                     ccy_field f, const char *from)
{
    const jv *o = jget(txn, key);
    if (!o || o->type != J_OBJ) {
        verify_mismatch(V, "manifest.json: control_totals.transactions.%s is missing "
                        "(an object of amounts per currency)", key);
        return;
    }
    for (int i = 0; i < o->n; i++)
        if (currency_minor_digits(o->keys[i]) < 0 || !ccy_entry(C, o->keys[i]))
            verify_mismatch(V, "manifest.json: control_totals.transactions.%s.%s: not an ISO "
                            "4217 currency", key, o->keys[i]);
    for (int i = 0; i < C->n; i++) {
        const ccy_sum *e = &C->v[i];
        folio_money have = f == CCY_READ ? e->read : f == CCY_REJECTED ? e->rejected
                         : f == CCY_COMPOSED ? e->composed : e->suppressed, v;
        char a[48], b[48];
        ccy_amount_str(e->code, have, b, sizeof b);
        if (!jmoney_ccy(txn, key, e->code, &v))
            verify_mismatch(V, "manifest.json: control_totals.transactions.%s.%s is missing, "
                            "%s give %s", key, e->code, from, b);
        else if (v != have) {
            ccy_amount_str(e->code, v, a, sizeof a);
            verify_mismatch(V, "manifest.json: control_totals.transactions.%s.%s is %s, %s "
                            "give %s", key, e->code, a, from, b);
        }
    }
}

/* The check's two figures as text, for comparing (numbers or money). */
static bool check_pair(const jv *c, const char **l, const char **r, const char **ln,
                       const char **rn)
{
    int got = 0;
    for (int i = 0; c && c->type == J_OBJ && i < c->n; i++)
        if (c->items[i]->type == J_NUM && got < 2) {
            (got ? r : l)[0] = c->items[i]->s;
            (got ? rn : ln)[0] = c->keys[i];
            got++;
        }
    return got == 2;
}

static bool num_eq(const char *a, const char *b)
{
    folio_money x, y;
    return folio_money_parse(a, strlen(a), '.', 6, &x, NULL) &&
           folio_money_parse(b, strlen(b), '.', 6, &y, NULL) && x == y;
}

/* reconciliation: every check's "ok" is its two figures being equal,
 * "balanced" is every check ok, and the figures a check shares with the
 * control totals and counts are theirs. */
static void recount_reconciliation(verify_report *V, const jv *root)
{
    const jv *rec = jget(root, "reconciliation");
    const jv *checks = jget(rec, "checks"), *bal = jget(rec, "balanced");
    if (!rec || !checks || checks->type != J_ARR || !bal || bal->type != J_BOOL) {
        verify_mismatch(V, "manifest.json: no reconciliation with checks and balanced");
        return;
    }
    bool all = true;
    const jv *ct = jget(root, "control_totals"), *counts = jget(root, "counts");
    const jv *acc = jget(ct, "accounts"), *txn = jget(ct, "transactions");
    for (int i = 0; i < checks->n; i++) {
        const jv *c = checks->items[i];
        const char *name = jstr_of(c, "check"), *l, *r, *ln, *rn;
        const jv *ok = jget(c, "ok");
        if (!name || !ok || ok->type != J_BOOL || !check_pair(c, &l, &r, &ln, &rn)) {
            verify_mismatch(V, "manifest.json: reconciliation check %d is malformed", i + 1);
            all = false;
            continue;
        }
        bool eq = num_eq(l, r);
        if (eq != ok->b)
            verify_mismatch(V, "manifest.json: reconciliation '%s': %s %s, %s %s, but ok is %s",
                            name, ln, l, rn, r, ok->b ? "true" : "false");
        all = all && eq;
        /* figures that are also control totals or counts */
        static const struct { const char *check, *fig, *sect, *k1, *k2; } link[] = {
            {"account rows read = accepted + rejected", "read", "a", "read", NULL},
            {"transaction rows read = accepted + rejected", "read", "t", "read", NULL},
            {"accounts = composed + suppressed", "composed_plus_suppressed", "a", "composed",
             "suppressed"},
            {"transactions = composed + suppressed", "composed_plus_suppressed", "t", "composed",
             "suppressed"},
            {"amount = composed + suppressed", "composed_plus_suppressed", "m", "amount_composed",
             "amount_suppressed"},
            {"amount read - rejected = amount loaded", "read_minus_rejected", "m", "amount_read",
             "-amount_rejected"},
            {"print statements = households routed to print or both", "print_statements", "c",
             "print_statements", NULL},
            {"archive documents = households routed to email or both", "documents", "c",
             "archive_documents", NULL},
            {"every household is printed, archived, both, or suppressed with a reason",
             "households", "c", "households", NULL},
        };
        for (size_t k = 0; k < sizeof link / sizeof *link; k++) {
            /* issue 10 part 6: an amount check is per currency, "... (EUR)" */
            char code[4] = "";
            size_t cl = strlen(link[k].check);
            if (link[k].sect[0] == 'm') {
                if (strncmp(name, link[k].check, cl) || strlen(name) != cl + 6 ||
                    strncmp(name + cl, " (", 2) || name[cl + 5] != ')')
                    continue;
                memcpy(code, name + cl + 2, 3);
            } else if (strcmp(name, link[k].check))
                continue;
            int md = link[k].sect[0] == 'm' ? currency_minor_digits(code) : 2;
            const char *fig = !strcmp(ln, link[k].fig) ? l : !strcmp(rn, link[k].fig) ? r : NULL;
            const jv *sect = link[k].sect[0] == 'a' ? acc : link[k].sect[0] == 'c' ? counts : txn;
            folio_money want = 0, x = 0, y = 0;
            bool have = false;
            if (link[k].sect[0] == 'm') {
                bool neg = link[k].k2 && link[k].k2[0] == '-';
                have = jmoney_ccy(sect, link[k].k1, code, &x) &&
                       (!link[k].k2 || jmoney_ccy(sect, link[k].k2 + neg, code, &y));
                want = neg ? x - y : x + y;
            } else {
                int64_t a = 0, b = 0;
                have = jint_of(sect, link[k].k1, &a) && (!link[k].k2 || jint_of(sect, link[k].k2, &b));
                want = (a + b) * 100;
            }
            folio_money f = 0;
            if (fig && have && md >= 0 && folio_money_parse(fig, strlen(fig), '.', md, &f, NULL) &&
                f != want) {
                char w[40];
                folio_money_format(want, md, '.', 0, w, sizeof w);
                if (link[k].sect[0] != 'm' && w[strlen(w) - 3] == '.')
                    w[strlen(w) - 3] = 0;
                verify_mismatch(V, "manifest.json: reconciliation '%s' has %s %s, the %s say %s",
                                name, link[k].fig, fig,
                                link[k].sect[0] == 'c' ? "counts" : "control totals", w);
            }
        }
    }
    if (all != bal->b)
        verify_mismatch(V, "manifest.json: reconciliation.balanced is %s, its checks %s",
                        bal->b ? "true" : "false", all ? "all hold" : "do not all hold");
    else if (!all)
        verify_mismatch(V, "manifest.json: the run's reconciliation is not balanced");
}

/* counts, control totals and reconciliation against the files. */
static void recount_all(verify_report *V, const char *dir, const jv *root, seen_set *S,
                        const archive_tally *A, uint64_t print_pages, uint64_t print_sheets,
                        uint64_t print_files)
{
    const jv *outputs = jget(root, "outputs");
    const jv *counts = jget(root, "counts");
    recount C = {.suppressed_ok = true};
    recount_audit(V, dir, outputs, S, &C);
    char path[4400];
    snprintf(path, sizeof path, "%s/rejects.csv", dir);
    C.rejects_ok = access(path, F_OK) == 0 && read_csv_file(V, dir, "rejects.csv", reject_row, &C);
    snprintf(path, sizeof path, "%s/exceptions.csv", dir);
    C.exceptions_ok = true;
    bool exc = access(path, F_OK) == 0 && read_csv_file(V, dir, "exceptions.csv",
                                                         exception_row, &C);
    if (exc && !C.exceptions_ok)
        verify_mismatch(V, "exceptions.csv: not the columns kind,household,customer,account,"
                        "file,line,amount,action,detail with a known kind on every row");
    exc = exc && C.exceptions_ok;
    snprintf(path, sizeof path, "%s/suppressed.csv", dir);
    bool sup = access(path, F_OK) == 0 && read_csv_file(V, dir, "suppressed.csv",
                                                         suppressed_row, &C);
    if (sup && !C.suppressed_ok)
        verify_mismatch(V, "suppressed.csv: not the columns kind,id,file,line,reason,amount "
                        "with a known kind and an amount on every transaction");
    sup = sup && C.suppressed_ok;
    for (int i = 0; outputs && outputs->type == J_ARR && i < outputs->n; i++) {
        const char *f = jstr_of(outputs->items[i], "file");
        if (f && !strncmp(f, "archive/notifications", 21))
            read_csv_file(V, dir, f, count_row, &C.notifications);
    }
    if (C.overflow)
        verify_mismatch(V, "audit.jsonl/suppressed.csv: the amounts overflow when added up");
    if (!counts || counts->type != J_OBJ) {
        verify_mismatch(V, "manifest.json: no counts");
        ccy_totals_free(&C.ccy);
        return;
    }
    const jv *st = jget(counts, "statements");
    if (C.audit_ok) {
        const char *a = "the audit records";
        want_eq(V, "counts.households", counts, "households", C.households, a);
        want_eq(V, "counts.statements.print", st, "print", C.channel[0], a);
        want_eq(V, "counts.statements.email", st, "email", C.channel[1], a);
        want_eq(V, "counts.statements.both", st, "both", C.channel[2], a);
        want_eq(V, "counts.statements.suppressed", st, "suppressed", C.channel[3], a);
        want_eq(V, "counts.print_statements", counts, "print_statements",
                C.channel[0] + C.channel[2], a);
        want_eq(V, "counts.email_only_pages", counts, "email_only_pages", C.email_pages, a);
        if (A->files || C.channel[1] + C.channel[2])
            want_eq(V, "counts.archive_documents", counts, "archive_documents",
                    C.channel[1] + C.channel[2], a);
        const jv *sups = NULL;
        const jv *streams = jget(root, "streams");
        for (int i = 0; streams && streams->type == J_ARR && i < streams->n; i++) {
            const jv *pr = jget(streams->items[i], "printed");
            if (pr && pr->type == J_BOOL && !pr->b)
                sups = streams->items[i];
        }
        if (sups)
            want_eq(V, "streams suppressed.statements", sups, "statements", C.channel[3], a);
        if (S->rows != C.channel[0] + C.channel[2])
            verify_mismatch(V, "pieces files: %llu pieces, the audit records print %llu "
                            "households", (unsigned long long)S->rows,
                            (unsigned long long)(C.channel[0] + C.channel[2]));
    }
    want_eq(V, "counts.print_statements", counts, "print_statements", S->rows,
            "the pieces files");
    if (print_files) {
        want_eq(V, "counts.print_pages", counts, "print_pages", print_pages, "the print files");
        want_eq(V, "counts.print_sheets", counts, "print_sheets", print_sheets,
                "the print files");
    }
    want_eq(V, "counts.print_pages", counts, "print_pages", S->pages, "the pieces files");
    want_eq(V, "counts.print_sheets", counts, "print_sheets", S->sheets, "the pieces files");
    want_eq(V, "counts.print_files", counts, "print_files", print_files, "the outputs");
    if (jget(counts, "archive_files")) {
        want_eq(V, "counts.archive_documents", counts, "archive_documents", A->documents,
                "the archive indexes");
        want_eq(V, "counts.archive_pages", counts, "archive_pages", A->pages,
                "the archive indexes");
        want_eq(V, "counts.archive_files", counts, "archive_files", A->files, "archive/");
        want_eq(V, "counts.notifications", counts, "notifications", C.notifications,
                "the notification files");
    }
    if (C.rejects_ok)
        want_eq(V, "counts.rejected_rows", counts, "rejected_rows", C.rejects, "rejects.csv");
    const jv *ex = jget(counts, "exceptions");
    if (exc && !ex)
        verify_mismatch(V, "manifest.json: counts.exceptions is missing");
    if (exc && ex) {
        want_eq(V, "counts.exceptions.total", ex, "total", C.exc_total, "exceptions.csv");
        for (int k = 0; k < FOLIO_EXC__COUNT; k++) {
            char what[80];
            const char *name = folio_exception_kind_name((folio_exception_kind)k);
            snprintf(what, sizeof what, "counts.exceptions.%s", name);
            want_eq(V, what, ex, name, C.exc[k], "exceptions.csv");
        }
    }
    /* control totals: rows from the inputs' records, composed from the
     * audit, suppressed from suppressed.csv */
    const jv *ct = jget(root, "control_totals");
    const jv *acc = jget(ct, "accounts"), *txn = jget(ct, "transactions");
    if (!acc || !txn) {
        verify_mismatch(V, "manifest.json: no control_totals");
        ccy_totals_free(&C.ccy);
        return;
    }
    uint64_t ar = 0, arj = 0, tr = 0, trj = 0, rej = 0;
    const jv *in = jget(root, "inputs");
    for (int i = 0; in && in->type == J_ARR && i < in->n; i++) {
        const jv *f = in->items[i];
        const char *kind = jstr_of(f, "kind");
        int64_t r = 0, j = 0;
        jint_of(f, "rows", &r);
        jint_of(f, "rejected", &j);
        rej += (uint64_t)j;
        if (kind && !strcmp(kind, "accounts")) {
            ar += (uint64_t)r;
            arj += (uint64_t)j;
        } else if (kind && !strcmp(kind, "transactions")) {
            tr += (uint64_t)r;
            trj += (uint64_t)j;
            /* issue 10 part 6: {"EUR":..,"JPY":..} per feed */
            for (int w = 0; w < 2; w++) {
                const jv *o = jget(f, w ? "amount_rejected" : "amount_read");
                for (int c = 0; o && o->type == J_OBJ && c < o->n; c++) {
                    folio_money x = 0;
                    ccy_sum *e = currency_minor_digits(o->keys[c]) >= 0
                                     ? ccy_entry(&C.ccy, o->keys[c]) : NULL;
                    if (!e || !jmoney_ccy(f, w ? "amount_rejected" : "amount_read",
                                          o->keys[c], &x))
                        verify_mismatch(V, "manifest.json: inputs[%d].%s.%s is not an amount "
                                        "of a known currency", i,
                                        w ? "amount_rejected" : "amount_read", o->keys[c]);
                    else
                        add_money(&C, w ? &e->rejected : &e->read, x);
                }
            }
        }
    }
    const char *fi = "the inputs' records";
    want_eq(V, "counts.rejected_rows", counts, "rejected_rows", rej, fi);
    want_eq(V, "control_totals.accounts.read", acc, "read", ar, fi);
    want_eq(V, "control_totals.accounts.rejected", acc, "rejected", arj, fi);
    want_eq(V, "control_totals.transactions.read", txn, "read", tr, fi);
    want_eq(V, "control_totals.transactions.rejected", txn, "rejected", trj, fi);
    want_ccy(V, txn, "amount_read", &C.ccy, CCY_READ, fi);
    want_ccy(V, txn, "amount_rejected", &C.ccy, CCY_REJECTED, fi);
    if (C.audit_ok) {
        const char *a = "the audit records";
        want_eq(V, "control_totals.accounts.composed", acc, "composed", C.acc_composed, a);
        want_eq(V, "control_totals.transactions.composed", txn, "composed", C.txn_composed, a);
        want_ccy(V, txn, "amount_composed", &C.ccy, CCY_COMPOSED, a);
    }
    if (sup) {
        const char *a = "the rows of suppressed.csv";
        want_eq(V, "control_totals.accounts.suppressed", acc, "suppressed", C.sup_acc, a);
        want_eq(V, "control_totals.transactions.suppressed", txn, "suppressed", C.sup_txn, a);
        want_ccy(V, txn, "amount_suppressed", &C.ccy, CCY_SUPPRESSED, a);
        want_eq(V, "counts.statements.suppressed", st, "suppressed", C.sup_households, a);
    }
    recount_reconciliation(V, root);
    ccy_totals_free(&C.ccy);
}

/* production_verify: see header. */
/* archive_verify's question: does the manifest list this file? */
static bool archive_listed(const char *rel, void *ctx)
{
    return listed((const jv *)ctx, rel);
}

int production_verify(const char *dir, FILE *rep)
{
    if (merge_is_merged(dir))           /* issue 12 part 3: `folio merge` output */
        return merge_verify(dir, rep);
    char path[4400];
    snprintf(path, sizeof path, "%s/manifest.json", dir);
    mapped m;
    folio_error e = {0};
    if (!map_file(path, &m, &e)) {
        fprintf(rep, "folio verify: %s (no manifest: the run did not complete?)\n", e.msg);
        return FOLIO_EXIT_FAILED;
    }
    jparser P = {.p = (const char *)m.d, .end = (const char *)m.d + m.n,
                 .start = (const char *)m.d};
    jv *root = m.n ? jvalue(&P) : NULL;
    if (root) {
        jws(&P);
        if (P.p != P.end) {
            jfail(&P, "text after the JSON value");
            jv_free(root);
            root = NULL;
        }
    }
    unmap_file(&m);
    if (!root || root->type != J_OBJ) {
        fprintf(rep, "folio verify: %s: not a valid manifest: %s\n", path,
                P.err[0] ? P.err : "not a JSON object");
        jv_free(root);
        return FOLIO_EXIT_FAILED;
    }
    verify_report V = {.rep = rep};
    const jv *outputs = jget(root, "outputs");
    const jv *piece_files = jget(root, "piece_files");
    const jv *streams = jget(root, "streams");
    if (!outputs || outputs->type != J_ARR) {
        verify_mismatch(&V, "manifest.json: no outputs list");
        outputs = NULL;
    }
    if (piece_files && piece_files->type != J_ARR)
        piece_files = NULL;
    uint64_t pdf_pages = 0;
    uint64_t fpages[2] = {0, 0}, fsheets[2] = {0, 0}, nfiles[2] = {0, 0}; /* pdf, afp */
    bool any_pdf = false;
    check_top_level(&V, dir);
    check_inputs(&V, root);
    for (int i = 0; outputs && i < outputs->n; i++) {
        const jv *o = outputs->items[i];
        const char *rel = jstr_of(o, "file");
        const char *fmt = jstr_of(o, "format");
        if (!rel || !fmt) {
            verify_mismatch(&V, "manifest.json: outputs[%d] lacks file or format", i);
            continue;
        }
        if (strstr(rel, "..") || rel[0] == '/') {
            verify_mismatch(&V, "manifest.json: outputs[%d] names a file outside the directory: %s",
                     i, rel);
            continue;
        }
        V.files++;
        if (!check_sum(&V, dir, rel, o))
            continue;
        snprintf(path, sizeof path, "%s/%s", dir, rel);
        uint32_t pages = 0;
        folio_error pe = {0};
        bool have = false;
        if (!strcmp(fmt, "pdf"))
            have = production_pdf_pages(path, &pages, &pe);
        else if (!strcmp(fmt, "afp"))
            have = production_afp_pages(path, &pages, &pe);
        else
            continue;           /* other formats: checksums only */
        if (!have) {
            verify_mismatch(&V, "%s: cannot count pages: %s", rel, pe.msg);
            continue;
        }
        int64_t mp = -1, ms = -1;
        jint_of(o, "pages", &mp);
        jint_of(o, "sheets", &ms);
        const char *dx = jstr_of(o, "duplex");
        bool duplex = dx && !strcmp(dx, "yes");
        if ((int64_t)pages != mp)
            verify_mismatch(&V, "%s: %u pages in the file, manifest says %lld", rel, pages,
                     (long long)mp);
        uint64_t sheets = duplex ? (pages + 1) / 2 : pages;
        if ((int64_t)sheets != ms)
            verify_mismatch(&V, "%s: %llu sheets from %u pages (%s), manifest says %lld", rel,
                     (unsigned long long)sheets, pages, duplex ? "duplex" : "simplex",
                     (long long)ms);
        int k = !strcmp(fmt, "pdf") ? 0 : 1;
        fpages[k] += pages;
        fsheets[k] += sheets;
        if (!strcmp(fmt, "pdf")) {
            any_pdf = true;
            pdf_pages += pages;
        }
    }
    for (int i = 0; outputs && i < outputs->n; i++) {
        const char *fmt = jstr_of(outputs->items[i], "format");
        if (fmt && (!strcmp(fmt, "pdf") || !strcmp(fmt, "afp")))
            nfiles[strcmp(fmt, "pdf") ? 1 : 0]++;
    }
    int64_t cp;
    const jv *counts = jget(root, "counts");
    if (any_pdf && jint_of(counts, "print_pages", &cp) && (uint64_t)cp != pdf_pages)
        verify_mismatch(&V, "manifest.json: counts.print_pages %lld, the PDF files hold %llu",
                 (long long)cp, (unsigned long long)pdf_pages);
    /* pieces files */
    seen_set S = {0};
    for (int i = 0; piece_files && i < piece_files->n; i++) {
        const jv *pf = piece_files->items[i];
        const char *print = jstr_of(pf, "print_file");
        bool duplex = false;
        for (int k = 0; outputs && print && k < outputs->n; k++) {
            const char *f = jstr_of(outputs->items[k], "file");
            const char *dx = jstr_of(outputs->items[k], "duplex");
            if (f && !strcmp(f, print))
                duplex = dx && !strcmp(dx, "yes");
        }
        check_pieces(&V, dir, pf, outputs, duplex, &S);
    }
    if (S.n > 1) {
        qsort(S.recs, S.n, sizeof *S.recs, cmp_prec);
        for (size_t i = 1; i < S.n; i++)
            if (!strcmp(S.recs[i].id, S.recs[i - 1].id)) {
                verify_mismatch(&V, "piece id %s appears more than once", S.recs[i].id);
                S.lost = true;          /* no one-to-one match with the audit */
                break;
            }
    }
    if (S.ns > 1) {
        qsort(S.serials, S.ns, sizeof *S.serials, cmp_u64);
        for (size_t i = 1; i < S.ns; i++)
            if (S.serials[i] == S.serials[i - 1]) {
                verify_mismatch(&V, "IMb serial %llu appears more than once",
                         (unsigned long long)S.serials[i]);
                break;
            }
    }
    recount_streams(&V, streams, &S);
    free(S.serials);
    /* stream totals: per format, the files of a stream add up to it */
    for (int i = 0; streams && streams->type == J_ARR && i < streams->n; i++) {
        const jv *s = streams->items[i];
        const char *name = jstr_of(s, "name");
        const jv *printed = jget(s, "printed");
        if (!name || (printed && printed->type == J_BOOL && !printed->b))
            continue;
        int64_t ss = 0, sp = 0, sh = 0;
        jint_of(s, "statements", &ss);
        jint_of(s, "pages", &sp);
        jint_of(s, "sheets", &sh);
        static const char *const fmts[] = {"pdf", "afp"};
        for (int k = 0; k < 2; k++) {
            int64_t ts = 0, tp = 0, th = 0;
            int nf = 0;
            bool wrap = false;      /* figures no run can hold: a tampered manifest */
            for (int j = 0; outputs && j < outputs->n; j++) {
                const jv *o = outputs->items[j];
                const char *st = jstr_of(o, "stream"), *fmt = jstr_of(o, "format");
                if (!st || !fmt || strcmp(st, name) || strcmp(fmt, fmts[k]))
                    continue;
                int64_t a = 0, b = 0, c = 0;
                jint_of(o, "statements", &a);
                jint_of(o, "pages", &b);
                jint_of(o, "sheets", &c);
                wrap |= __builtin_add_overflow(ts, a, &ts) | __builtin_add_overflow(tp, b, &tp) |
                        __builtin_add_overflow(th, c, &th);
                nf++;
            }
            if (wrap)
                verify_mismatch(&V, "stream %s: the %s files' statements, pages or sheets "
                                "overflow when added up", name, fmts[k]);
            else if (nf && (ts != ss || tp != sp || th != sh))
                verify_mismatch(&V, "stream %s: %s files hold %lld statements, %lld pages, %lld "
                         "sheets; stream totals say %lld, %lld, %lld", name, fmts[k],
                         (long long)ts, (long long)tp, (long long)th, (long long)ss,
                         (long long)sp, (long long)sh);
        }
    }
    /* nothing unlisted or half-written in print/ */
    check_unlisted(&V, dir, "print", outputs, piece_files);
    check_proofs(&V, dir, jget(root, "proofs"));
    /* the record files: audit trail, rejects, suppressed, contact history */
    const jv *records = jget(root, "records");
    for (int i = 0; records && i < records->n; i++) {
        const jv *o = records->items[i];
        const char *rel = jstr_of(o, "file");
        if (!rel || strchr(rel, '/')) {
            verify_mismatch(&V, "manifest.json: records[%d] lacks a plain file name", i);
            continue;
        }
        V.files++;
        if (!strcmp(rel, "report.html")) {    /* issue 16 part 5: hashed without its timings */
            char rp[4400], hex[65];
            uint64_t nb = 0;
            int64_t mb = -1;
            folio_error re = {0};
            const char *ms = jstr_of(o, "sha256");
            snprintf(rp, sizeof rp, "%s/%s", dir, rel);
            if (!report_html_digest(rp, hex, &nb, &re))
                verify_mismatch(&V, "%s", re.msg);
            else if (!ms || strcmp(ms, hex) || !jint_of(o, "bytes", &mb) || (uint64_t)mb != nb)
                verify_mismatch(&V, "report.html: sha256 %s and %llu bytes without its timings, "
                                "manifest says %s and %lld", hex, (unsigned long long)nb,
                                ms ? ms : "none", (long long)mb);
            continue;
        }
        if (!check_sum(&V, dir, rel, o))
            continue;
        int64_t rows;
        if (!strcmp(rel, "audit.jsonl") && jint_of(o, "rows", &rows)) {
            char rpath[4400];
            snprintf(rpath, sizeof rpath, "%s/%s", dir, rel);
            folio_error fe = {0};     /* issue 15 (r-journey): never a hang */
            FILE *f = folio_input_fopen(rpath, NULL, FOLIO_EXIT_FAILED, &fe);
            int64_t lines = 0;
            for (int c; f && (c = getc(f)) != EOF;)
                lines += c == '\n';
            if (f)
                fclose(f);
            if (lines != rows)
                verify_mismatch(&V, "%s: %lld lines, manifest says %lld households", rel,
                         (long long)lines, (long long)rows);
        }
    }
    /* the e-delivery archive (archive-verify.c) */
    int64_t adocs = -1;
    if (!jint_of(counts, "archive_documents", &adocs))
        adocs = -1;
    archive_tally A = {0};
    V.mismatches += archive_verify(dir, adocs, archive_listed, (void *)outputs, rep, &A);
    int k = nfiles[0] ? 0 : 1;         /* the PDF files when there are, else AFP */
    recount_all(&V, dir, root, &S, &A, fpages[k], fsheets[k], nfiles[k]);
    for (int i = 0; i < S.nst; i++)
        free(S.st[i].name);
    for (size_t i = 0; i < S.n; i++) {
        free(S.recs[i].id);
        free(S.recs[i].household);
        free(S.recs[i].stream);
    }
    free(S.recs);
    jv_free(root);
    if (V.mismatches) {
        fprintf(rep, "folio verify: %u mismatch(es) in %s\n", V.mismatches, dir);
        return FOLIO_EXIT_FAILED;
    }
    if (V.notes)
        fprintf(rep, "verified %u files (%u note(s): what could not be checked)\n", V.files,
                V.notes);
    else
        fprintf(rep, "verified %u files\n", V.files);
    return FOLIO_EXIT_OK;
}

/* ---- issue 12 part 3: the JSON reader for merge.c (verify-private.h) ---- */

verify_json *verify_json_parse(const char *s, size_t n, char *why, size_t why_cap)
{
    jparser P = {.p = s, .end = s + n, .start = s};
    jv *v = n ? jvalue(&P) : NULL;
    if (v) {
        jws(&P);
        if (P.p != P.end) {
            jfail(&P, "text after the JSON value");
            jv_free(v);
            v = NULL;
        }
    }
    if (!v && why_cap)
        snprintf(why, why_cap, "%s", P.err[0] ? P.err : "empty");
    return v;
}
void verify_json_free(verify_json *v) { jv_free(v); }
const verify_json *verify_json_get(const verify_json *o, const char *key) { return jget(o, key); }
const char *verify_json_str(const verify_json *o, const char *key) { return jstr_of(o, key); }
bool verify_json_int(const verify_json *o, const char *key, int64_t *out)
{
    return jint_of(o, key, out);
}
int verify_json_bool(const verify_json *o, const char *key)   /* r-harden */
{
    const jv *v = verify_json_get(o, key);
    return v && v->type == J_BOOL ? v->b : -1;
}
int verify_json_len(const verify_json *v)
{
    return v && (v->type == J_ARR || v->type == J_OBJ) ? v->n : 0;
}
const verify_json *verify_json_at(const verify_json *v, int i)
{
    return v && (v->type == J_ARR || v->type == J_OBJ) && i >= 0 && i < v->n ? v->items[i] : NULL;
}
const char *verify_json_key_at(const verify_json *v, int i)
{
    return v && v->type == J_OBJ && i >= 0 && i < v->n ? v->keys[i] : NULL;
}
/* A number's text or a string's value; NULL for other kinds. */
const char *verify_json_text(const verify_json *v)
{
    return v && (v->type == J_NUM || v->type == J_STR) ? v->s : NULL;
}
bool verify_json_is_num(const verify_json *v) { return v && v->type == J_NUM; }
bool verify_json_is_obj(const verify_json *v) { return v && v->type == J_OBJ; }

/* issue 15 (r-journey): every shard file is read through folio_input_fopen,
 * so a FIFO, directory or device in a shard directory is a clean error
 * (err, code `code`) instead of a hang or a quiet "absent".  *absent says
 * the path does not exist at all (the optional files' case). */
char *verify_slurp(const char *path, size_t *n, int code, bool *absent, folio_error *err)
{
    struct stat st;
    *absent = lstat(path, &st) != 0 && errno == ENOENT;
    FILE *f = folio_input_fopen(path, NULL, code, err);
    if (!f)
        return NULL;
    size_t cap = 1 << 16, len = 0;
    char *b = malloc(cap + 1);
    size_t r;
    while (b && (r = fread(b + len, 1, cap - len, f)) > 0) {
        len += r;
        if (len == cap) {
            char *nb = realloc(b, cap * 2 + 1);
            if (!nb) {
                free(b);
                b = NULL;
                break;
            }
            b = nb;
            cap *= 2;
        }
    }
    fclose(f);
    if (b)
        b[len] = 0;
    else
        folio_error_set(err, FOLIO_EXIT_FAILED, "%s: out of memory", path);
    *n = len;
    return b;
}

/* A JSON file whose top level must be an object (exit `FOLIO_EXIT_USAGE`
 * naming the file otherwise): merge's shard files, partition.json. */
verify_json *verify_json_read_file(const char *path, folio_error *err)
{
    size_t n;
    bool absent;
    char *t = verify_slurp(path, &n, FOLIO_EXIT_USAGE, &absent, err);
    if (!t)
        return NULL;
    char why[200] = "";
    verify_json *v = verify_json_parse(t, n, why, sizeof why);
    free(t);
    if (!v || !verify_json_is_obj(v)) {
        folio_error_set(err, FOLIO_EXIT_USAGE, "%s: not a JSON object: %s", path, why);
        verify_json_free(v);
        return NULL;
    }
    return v;
}
