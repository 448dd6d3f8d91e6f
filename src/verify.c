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
#include "folio/production.h"

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

typedef struct vctx {
    FILE *rep;
    unsigned mismatches;
    unsigned files;
} vctx;

static void mismatch(vctx *V, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void mismatch(vctx *V, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fputs("MISMATCH ", V->rep);
    vfprintf(V->rep, fmt, ap);
    fputc('\n', V->rep);
    va_end(ap);
    V->mismatches++;
}

/* Size and SHA-256 of dir/rel against the manifest; false if unreadable. */
static bool check_sum(vctx *V, const char *dir, const char *rel, const jv *o)
{
    char path[4400];
    snprintf(path, sizeof path, "%s/%s", dir, rel);
    char hex[65];
    uint64_t bytes = 0;
    folio_error e = {0};
    if (!folio_sha256_file(path, hex, &bytes, &e)) {
        mismatch(V, "%s: cannot read: %s", rel, e.msg);
        return false;
    }
    int64_t mb;
    const char *ms = jstr_of(o, "sha256");
    if (!jint_of(o, "bytes", &mb))
        mismatch(V, "%s: manifest has no bytes", rel);
    else if ((uint64_t)mb != bytes)
        mismatch(V, "%s: %llu bytes, manifest says %lld", rel, (unsigned long long)bytes,
                 (long long)mb);
    if (!ms)
        mismatch(V, "%s: manifest has no sha256", rel);
    else if (strcmp(ms, hex))
        mismatch(V, "%s: sha256 %s, manifest says %s", rel, hex, ms);
    return true;
}

/* Split one CSV line (no embedded newlines expected in pieces files) into
 * at most max fields, quotes honoured; fields are rewritten in place. */
static int csv_split(char *line, char **f, int max)
{
    int n = 0;
    char *p = line;
    for (;;) {
        if (n == max)
            return -1;
        char *w = p;
        f[n++] = w;
        if (*p == '"') {
            p++;
            for (;;) {
                if (!*p)
                    return -1;
                if (*p == '"') {
                    if (p[1] == '"') { *w++ = '"'; p += 2; continue; }
                    p++;
                    break;
                }
                *w++ = *p++;
            }
        } else {
            while (*p && *p != ',')
                *w++ = *p++;
        }
        if (*p == ',') {
            *w = 0;
            p++;
            continue;
        }
        if (*p)
            return -1;
        *w = 0;
        return n;
    }
}

static bool parse_u(const char *s, uint64_t *v)
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

typedef struct seen_set {         /* piece ids and serials, to prove uniqueness */
    char **ids; size_t n, cap;
    uint64_t *serials; size_t ns, caps;
} seen_set;

static int cmp_pstr(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static int cmp_u64(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return x < y ? -1 : x > y;
}

/* Check one pieces file against the print output(s) it describes. */
static void check_pieces(vctx *V, const char *dir, const jv *pf, const jv *outputs,
                         bool duplex, seen_set *S)
{
    const char *rel = jstr_of(pf, "file");
    const char *print = jstr_of(pf, "print_file");
    if (!rel || !print) {
        mismatch(V, "manifest: a piece_files entry lacks file or print_file");
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
        mismatch(V, "%s: its print file %s is not among the outputs", rel, print);
        return;
    }
    char path[4400];
    snprintf(path, sizeof path, "%s/%s", dir, rel);
    FILE *fp = fopen(path, "r");
    if (!fp) {
        mismatch(V, "%s: cannot open: %s", rel, strerror(errno));
        return;
    }
    const char *stream = jstr_of(out, "stream");
    const char *print_base = strrchr(print, '/') ? strrchr(print, '/') + 1 : print;
    char line[4096];
    uint64_t rows = 0, pages = 0, sheets = 0, next_page = 1;
    char first_id[32] = "", last_id[32] = "";
    bool header = true;
    unsigned bad = 0;
    while (fgets(line, sizeof line, fp)) {
        size_t L = strlen(line);
        if (L && line[L - 1] == '\n')
            line[--L] = 0;
        if (header) {
            if (strcmp(line, "piece_id,household,sheets,pages,file,first_page,last_page,"
                             "imb_serial,stream"))
                mismatch(V, "%s: unexpected header '%s'", rel, line);
            header = false;
            continue;
        }
        rows++;
        char *f[10];
        uint64_t sh, pg, fp1, lp, serial;
        if (csv_split(line, f, 10) != 9 || !parse_u(f[2], &sh) || !parse_u(f[3], &pg) ||
            !parse_u(f[5], &fp1) || !parse_u(f[6], &lp) || !parse_u(f[7], &serial)) {
            if (bad++ < 5)
                mismatch(V, "%s:%llu: malformed row", rel, (unsigned long long)rows + 1);
            continue;
        }
        if (rows == 1)
            snprintf(first_id, sizeof first_id, "%s", f[0]);
        snprintf(last_id, sizeof last_id, "%s", f[0]);
        bool ok = fp1 == next_page && lp + 1 == fp1 + pg && pg > 0 &&
                  sh == (duplex ? (pg + 1) / 2 : pg) && (!duplex || pg % 2 == 0) &&
                  !strcmp(f[4], print_base) && (!stream || !strcmp(f[8], stream));
        if (!ok && bad++ < 5)
            mismatch(V, "%s:%llu: piece %s: pages %s-%s (%s pages, %s sheets, file %s, stream %s)"
                     " do not continue the file at page %llu", rel, (unsigned long long)rows + 1,
                     f[0], f[5], f[6], f[3], f[2], f[4], f[8], (unsigned long long)next_page);
        next_page = lp + 1;
        pages += pg;
        sheets += sh;
        if (S->n == S->cap) {
            size_t nc = S->cap ? S->cap * 2 : 1024;
            char **ni = realloc(S->ids, nc * sizeof *ni);
            if (ni) { S->ids = ni; S->cap = nc; }
        }
        if (S->ns == S->caps) {
            size_t nc = S->caps ? S->caps * 2 : 1024;
            uint64_t *ns = realloc(S->serials, nc * sizeof *ns);
            if (ns) { S->serials = ns; S->caps = nc; }
        }
        if (S->n < S->cap && (S->ids[S->n] = strdup(f[0])))
            S->n++;
        if (S->ns < S->caps)
            S->serials[S->ns++] = serial;
    }
    fclose(fp);
    int64_t st = -1, mp = -1, ms = -1;
    jint_of(out, "statements", &st);
    jint_of(out, "pages", &mp);
    jint_of(out, "sheets", &ms);
    if ((int64_t)rows != st)
        mismatch(V, "%s: %llu pieces, %s has %lld statements", rel, (unsigned long long)rows,
                 print, (long long)st);
    if ((int64_t)pages != mp)
        mismatch(V, "%s: pieces add up to %llu pages, %s has %lld", rel,
                 (unsigned long long)pages, print, (long long)mp);
    if ((int64_t)sheets != ms)
        mismatch(V, "%s: pieces add up to %llu sheets, %s has %lld", rel,
                 (unsigned long long)sheets, print, (long long)ms);
    const char *fpid = jstr_of(out, "first_piece"), *lpid = jstr_of(out, "last_piece");
    if (!fpid || !lpid || strcmp(fpid, first_id) || strcmp(lpid, last_id))
        mismatch(V, "%s: pieces %s..%s, manifest says %s..%s for %s", rel, first_id, last_id,
                 fpid ? fpid : "?", lpid ? lpid : "?", print);
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
static void check_unlisted(vctx *V, const char *dir, const char *sub, const jv *a,
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
            mismatch(V, "%s: temporary file left behind", rel);
        else if (!listed(a, rel) && !listed(b, rel))
            mismatch(V, "%s: in %s/ but not in the manifest", rel, sub);
    }
    closedir(dd);
}

/* Parse a whole JSON file; NULL (and a mismatch) when unreadable or invalid. */
static jv *read_json(vctx *V, const char *path, const char *rel)
{
    mapped m;
    folio_error e = {0};
    if (!map_file(path, &m, &e)) {
        mismatch(V, "%s: cannot read: %s", rel, e.msg);
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
        mismatch(V, "%s: not a valid JSON object%s%s", rel, P.err[0] ? ": " : "", P.err);
        jv_free(v);
        return NULL;
    }
    return v;
}

/* The proof sample (manifest "proofs", proof.h): each listed file's size and
 * SHA-256, proof.pdf's pages from its page tree, proofs.json's samples
 * tiling proof.pdf page by page and agreeing with the manifest's counts, and
 * nothing unlisted or half-written in proofs/. */
static void check_proofs(vctx *V, const char *dir, const jv *proofs)
{
    const jv *files = proofs ? jget(proofs, "files") : NULL;
    if (files && files->type != J_ARR) {
        mismatch(V, "manifest.json: proofs.files is not a list");
        files = NULL;
    }
    int64_t pdf_pages = -1;
    const jv *list = NULL;      /* proofs.json, parsed */
    char path[4400];
    for (int i = 0; files && i < files->n; i++) {
        const jv *o = files->items[i];
        const char *rel = jstr_of(o, "file"), *fmt = jstr_of(o, "format");
        if (!rel || !fmt || strncmp(rel, "proofs/", 7) || strstr(rel, "..")) {
            mismatch(V, "manifest.json: proofs.files[%d] lacks file or format, or names a "
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
                mismatch(V, "%s: cannot count pages: %s", rel, pe.msg);
            else if ((int64_t)pages != mp)
                mismatch(V, "%s: %u pages in the file, manifest says %lld", rel, pages,
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
            mismatch(V, "proofs/proofs.json: %d samples, manifest says %lld",
                     samples && samples->type == J_ARR ? samples->n : -1, (long long)sampled);
        for (int i = 0; samples && samples->type == J_ARR && i < samples->n; i++) {
            int64_t f = -1, l = -1;
            const jv *s = samples->items[i];
            if (!jint_of(s, "first_page", &f) || !jint_of(s, "last_page", &l) || f != lp + 1 ||
                l < f) {
                mismatch(V, "proofs/proofs.json: sample %d has pages %lld..%lld, expected to "
                         "start at page %lld", i + 1, (long long)f, (long long)l,
                         (long long)(lp + 1));
                break;
            }
            lp = l;
        }
        /* an empty sample has one page saying so */
        if (pdf_pages >= 0 && lp != pdf_pages && !(lp == 0 && pdf_pages == 1))
            mismatch(V, "proofs/proofs.json: samples end at page %lld, proof.pdf has %lld",
                     (long long)lp, (long long)pdf_pages);
        if (!unc || unc->type != J_ARR || covered + unc->n != total)
            mismatch(V, "manifest.json: proofs cover %lld of %lld keys but list %d uncovered",
                     (long long)covered, (long long)total, unc && unc->type == J_ARR ? unc->n : -1);
        jv_free((jv *)list);
    }
    check_unlisted(V, dir, "proofs", files, NULL);
}

/* production_verify: see header. */
/* archive_verify's question: does the manifest list this file? */
static bool archive_listed(const char *rel, void *ctx)
{
    return listed((const jv *)ctx, rel);
}

int production_verify(const char *dir, FILE *rep)
{
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
    vctx V = {.rep = rep};
    const jv *outputs = jget(root, "outputs");
    const jv *piece_files = jget(root, "piece_files");
    const jv *streams = jget(root, "streams");
    if (!outputs || outputs->type != J_ARR) {
        mismatch(&V, "manifest.json: no outputs list");
        outputs = NULL;
    }
    if (piece_files && piece_files->type != J_ARR)
        piece_files = NULL;
    uint64_t pdf_pages = 0;
    bool any_pdf = false;
    for (int i = 0; outputs && i < outputs->n; i++) {
        const jv *o = outputs->items[i];
        const char *rel = jstr_of(o, "file");
        const char *fmt = jstr_of(o, "format");
        if (!rel || !fmt) {
            mismatch(&V, "manifest.json: outputs[%d] lacks file or format", i);
            continue;
        }
        if (strstr(rel, "..") || rel[0] == '/') {
            mismatch(&V, "manifest.json: outputs[%d] names a file outside the directory: %s",
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
            mismatch(&V, "%s: cannot count pages: %s", rel, pe.msg);
            continue;
        }
        int64_t mp = -1, ms = -1;
        jint_of(o, "pages", &mp);
        jint_of(o, "sheets", &ms);
        const char *dx = jstr_of(o, "duplex");
        bool duplex = dx && !strcmp(dx, "yes");
        if ((int64_t)pages != mp)
            mismatch(&V, "%s: %u pages in the file, manifest says %lld", rel, pages,
                     (long long)mp);
        uint64_t sheets = duplex ? (pages + 1) / 2 : pages;
        if ((int64_t)sheets != ms)
            mismatch(&V, "%s: %llu sheets from %u pages (%s), manifest says %lld", rel,
                     (unsigned long long)sheets, pages, duplex ? "duplex" : "simplex",
                     (long long)ms);
        if (!strcmp(fmt, "pdf")) {
            any_pdf = true;
            pdf_pages += pages;
        }
    }
    int64_t cp;
    const jv *counts = jget(root, "counts");
    if (any_pdf && jint_of(counts, "print_pages", &cp) && (uint64_t)cp != pdf_pages)
        mismatch(&V, "manifest.json: counts.print_pages %lld, the PDF files hold %llu",
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
        qsort(S.ids, S.n, sizeof *S.ids, cmp_pstr);
        for (size_t i = 1; i < S.n; i++)
            if (!strcmp(S.ids[i], S.ids[i - 1])) {
                mismatch(&V, "piece id %s appears more than once", S.ids[i]);
                break;
            }
    }
    if (S.ns > 1) {
        qsort(S.serials, S.ns, sizeof *S.serials, cmp_u64);
        for (size_t i = 1; i < S.ns; i++)
            if (S.serials[i] == S.serials[i - 1]) {
                mismatch(&V, "IMb serial %llu appears more than once",
                         (unsigned long long)S.serials[i]);
                break;
            }
    }
    for (size_t i = 0; i < S.n; i++)
        free(S.ids[i]);
    free(S.ids);
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
            for (int j = 0; outputs && j < outputs->n; j++) {
                const jv *o = outputs->items[j];
                const char *st = jstr_of(o, "stream"), *fmt = jstr_of(o, "format");
                if (!st || !fmt || strcmp(st, name) || strcmp(fmt, fmts[k]))
                    continue;
                int64_t a = 0, b = 0, c = 0;
                jint_of(o, "statements", &a);
                jint_of(o, "pages", &b);
                jint_of(o, "sheets", &c);
                ts += a; tp += b; th += c;
                nf++;
            }
            if (nf && (ts != ss || tp != sp || th != sh))
                mismatch(&V, "stream %s: %s files hold %lld statements, %lld pages, %lld "
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
            mismatch(&V, "manifest.json: records[%d] lacks a plain file name", i);
            continue;
        }
        V.files++;
        if (!check_sum(&V, dir, rel, o))
            continue;
        int64_t rows;
        if (!strcmp(rel, "audit.jsonl") && jint_of(o, "rows", &rows)) {
            char rpath[4400];
            snprintf(rpath, sizeof rpath, "%s/%s", dir, rel);
            FILE *f = fopen(rpath, "rb");
            int64_t lines = 0;
            for (int c; f && (c = getc(f)) != EOF;)
                lines += c == '\n';
            if (f)
                fclose(f);
            if (lines != rows)
                mismatch(&V, "%s: %lld lines, manifest says %lld households", rel,
                         (long long)lines, (long long)rows);
        }
    }
    /* the e-delivery archive (archive-verify.c) */
    int64_t adocs = -1;
    if (!jint_of(counts, "archive_documents", &adocs))
        adocs = -1;
    V.mismatches += archive_verify(dir, adocs, archive_listed, (void *)outputs, rep, NULL);
    jv_free(root);
    if (V.mismatches) {
        fprintf(rep, "folio verify: %u mismatch(es) in %s\n", V.mismatches, dir);
        return FOLIO_EXIT_FAILED;
    }
    fprintf(rep, "verified %u files\n", V.files);
    return FOLIO_EXIT_OK;
}
