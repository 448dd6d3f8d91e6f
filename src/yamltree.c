/* SPDX-License-Identifier: Apache-2.0 */
/*
 * yamltree.c -- a YAML file as a small tree, and validating readers.
 *
 * Interface and rules: see yamltree.h.
 *
 * Algorithm: libyaml's event parser drives a stack of open containers
 * (frames).  A node is linked into its parent as soon as its first event
 * arrives, so on any error freeing the root frees everything; the only node
 * not yet linked is a mapping key waiting for its value (frame.key), which the
 * error path frees separately.  Duplicate keys are found when a key arrives by
 * comparing with the keys already in that mapping (mappings in job and layout
 * files are small, so the quadratic scan is cheaper than a hash).
 */
#include "yamltree.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <yaml.h>

#define YT_MAX_DEPTH 64
#define YT_MAX_ITEMS (1 << 20)     /* hard cap on entries of one container */

/* ---- messages ------------------------------------------------------------ */

/* The file's name for a message: a name longer than 480 bytes keeps its
 * first and last 200 bytes around "...", so that the line, column and reason
 * still fit the error's 1,024 bytes (they were cut off after a long path). */
static const char *yt_path_for_message(const char *path, char buf[408])
{
    size_t n = strlen(path);
    if (n <= 480)
        return path;
    memcpy(buf, path, 200);
    memcpy(buf + 200, "...", 3);
    memcpy(buf + 203, path + n - 200, 201);
    return buf;
}

bool yt_fail_at(yt_doc *d, int line, int col, const char *fmt, ...)
{
    if (d->err->code)
        return false;
    char msg[900];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    char pb[408];
    folio_error_set(d->err, FOLIO_EXIT_USAGE, "%s:%d:%d: %s", yt_path_for_message(d->path, pb),
                    line, col, msg);
    return false;
}

bool yt_fail(yt_doc *d, const yt_node *n, const char *fmt, ...)
{
    if (d->err->code)
        return false;
    char msg[900];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    char pb[408];
    folio_error_set(d->err, FOLIO_EXIT_USAGE, "%s:%d:%d: %s", yt_path_for_message(d->path, pb),
                    n ? n->line : 1, n ? n->col : 1, msg);
    return false;
}

int yt_check_input(yt_doc *d, const yt_node *n, const char *key, const char *path,
                   struct stat *out)
{
    struct stat st;
    if (stat(path, &st) != 0)
        return 0;
    if (!S_ISREG(st.st_mode))
        return yt_fail(d, n, "'%s': '%s' is %s, not a regular file (folio reads inputs "
                       "from regular files only)", key, path,
                       folio_file_kind((unsigned)st.st_mode)) ? 1 : -1;
    if (out)
        *out = st;
    return 1;
}

const char *yt_name(char *buf, size_t cap, const char *where, const char *key)
{
    if (!where || !*where)
        snprintf(buf, cap, "%s", key);
    else
        snprintf(buf, cap, "%s.%s", where, key);
    return buf;
}

const char *yt_kind_name(const yt_node *n)
{
    if (!n)
        return "nothing";
    switch (n->kind) {
    case YT_MAP: return "a map";
    case YT_SEQ: return "a list";
    default: return n->is_null ? "nothing" : "a string";
    }
}

/* Quote a value for a message: at most 40 bytes, control characters
 * escaped, so a message stays on one line. */
static const char *show(char *buf, size_t cap, const char *s, size_t len)
{
    size_t o = 0;
    for (size_t i = 0; i < len && o + 6 < cap; i++) {
        unsigned char c = (unsigned char)s[i];
        if (i >= 40) {
            memcpy(buf + o, "...", 3);
            o += 3;
            break;
        }
        if (c == '\t') { buf[o++] = '\\'; buf[o++] = 't'; }
        else if (c == '\n') { buf[o++] = '\\'; buf[o++] = 'n'; }
        else if (c == '\r') { buf[o++] = '\\'; buf[o++] = 'r'; }
        else if (c < 0x20) { buf[o++] = '?'; }
        else buf[o++] = (char)c;
    }
    buf[o] = 0;
    return buf;
}

int yt_col_at(const yt_node *n, size_t off)
{
    if (!n || n->kind != YT_SCALAR || !n->raw_one_line)
        return n ? n->col : 1;
    int chars = 0;
    for (size_t i = 0; i < off && i < n->len; i++)
        if (((unsigned char)n->str[i] & 0xC0) != 0x80)
            chars++;
    return n->text_col + chars;
}

/* ---- tree ------------------------------------------------------------------ */

static void node_free(yt_node *n)
{
    if (!n)
        return;
    for (int i = 0; i < n->n; i++) {
        if (n->keys)
            node_free(n->keys[i]);
        node_free(n->items[i]);
    }
    free(n->keys);
    free(n->items);
    free(n->str);
    free(n);
}

void yt_free(yt_doc *doc)
{
    if (!doc)
        return;
    node_free(doc->root);
    free(doc->path);
    free(doc);
}

static size_t utf8_chars(const char *s, size_t len)
{
    size_t c = 0;
    for (size_t i = 0; i < len; i++)
        if (((unsigned char)s[i] & 0xC0) != 0x80)
            c++;
    return c;
}

typedef struct yt_frame {
    yt_node *node;
    yt_node *key;          /* mapping: key waiting for its value */
} yt_frame;

typedef struct yt_builder {
    yt_doc *doc;
    yt_frame stack[YT_MAX_DEPTH];
    int depth;
} yt_builder;

static bool node_push(yt_builder *b, yt_node *parent, yt_node *key,
                      yt_node *child)
{
    if (parent->n == parent->cap) {
        if (parent->cap >= YT_MAX_ITEMS)
            return yt_fail(b->doc, child, "more than %d entries in one %s",
                           YT_MAX_ITEMS,
                           parent->kind == YT_MAP ? "map" : "list");
        int cap = parent->cap ? parent->cap * 2 : 8;
        yt_node **items = realloc(parent->items, (size_t)cap * sizeof *items);
        if (!items)
            goto oom;
        parent->items = items;
        if (parent->kind == YT_MAP) {
            yt_node **keys = realloc(parent->keys, (size_t)cap * sizeof *keys);
            if (!keys)
                goto oom;
            parent->keys = keys;
        }
        parent->cap = cap;
    }
    if (parent->kind == YT_MAP)
        parent->keys[parent->n] = key;
    parent->items[parent->n++] = child;
    return true;
oom:
    folio_error_set(b->doc->err, FOLIO_EXIT_FAILED, "%s: out of memory",
                    b->doc->path);
    return false;
}

/* Link a new node into the open container (or make it the root).  On
 * failure the node is freed here. */
static bool tree_add(yt_builder *b, yt_node *child)
{
    if (b->depth == 0) {
        b->doc->root = child;
        return true;
    }
    yt_frame *f = &b->stack[b->depth - 1];
    if (f->node->kind == YT_SEQ) {
        if (!node_push(b, f->node, NULL, child)) {
            node_free(child);
            return false;
        }
        return true;
    }
    if (!f->key) {
        if (child->kind != YT_SCALAR) {
            yt_fail(b->doc, child, "a key must be a plain string, not %s",
                    yt_kind_name(child));
            node_free(child);
            return false;
        }
        for (int i = 0; i < f->node->n; i++) {
            yt_node *k = f->node->keys[i];
            if (k->len == child->len && !memcmp(k->str, child->str, k->len)) {
                char v[64];
                yt_fail(b->doc, child, "duplicate key '%s' (first at line %d)",
                        show(v, sizeof v, child->str, child->len), k->line);
                node_free(child);
                return false;
            }
        }
        f->key = child;
        return true;
    }
    yt_node *key = f->key;
    f->key = NULL;
    if (!node_push(b, f->node, key, child)) {
        node_free(key);
        node_free(child);
        return false;
    }
    return true;
}

static yt_node *node_new(yt_builder *b, yt_kind kind, const yaml_mark_t *m)
{
    yt_node *n = calloc(1, sizeof *n);
    if (!n) {
        folio_error_set(b->doc->err, FOLIO_EXIT_FAILED, "%s: out of memory",
                        b->doc->path);
        return NULL;
    }
    n->kind = kind;
    n->line = (int)m->line + 1;
    n->col = (int)m->column + 1;
    return n;
}

static bool on_scalar(yt_builder *b, const yaml_event_t *ev)
{
    yt_node *n = node_new(b, YT_SCALAR, &ev->start_mark);
    if (!n)
        return false;
    size_t len = ev->data.scalar.length;
    n->str = malloc(len + 1);
    if (!n->str) {
        free(n);
        folio_error_set(b->doc->err, FOLIO_EXIT_FAILED, "%s: out of memory",
                        b->doc->path);
        return false;
    }
    memcpy(n->str, ev->data.scalar.value, len);
    n->str[len] = 0;
    n->len = len;
    if (memchr(n->str, 0, len)) {
        yt_fail(b->doc, n, "a value contains a NUL character");
        node_free(n);
        return false;
    }
    yaml_scalar_style_t st = ev->data.scalar.style;
    bool one_line = ev->start_mark.line == ev->end_mark.line;
    size_t span = ev->end_mark.column - ev->start_mark.column;
    size_t chars = utf8_chars(n->str, len);
    if (st == YAML_PLAIN_SCALAR_STYLE) {
        n->is_null = len == 0 || !strcmp(n->str, "~") || !strcmp(n->str, "null")
                     || !strcmp(n->str, "Null") || !strcmp(n->str, "NULL");
        n->raw_one_line = one_line && span == chars;
        n->text_col = n->col;
    } else if (st == YAML_SINGLE_QUOTED_SCALAR_STYLE
               || st == YAML_DOUBLE_QUOTED_SCALAR_STYLE) {
        n->raw_one_line = one_line && span == chars + 2;
        n->text_col = n->col + 1;
    }
    return tree_add(b, n);
}

static bool on_start(yt_builder *b, const yaml_event_t *ev, yt_kind kind)
{
    if (b->depth >= YT_MAX_DEPTH)
        return yt_fail_at(b->doc, (int)ev->start_mark.line + 1,
                          (int)ev->start_mark.column + 1,
                          "nesting deeper than %d levels", YT_MAX_DEPTH);
    yt_node *n = node_new(b, kind, &ev->start_mark);
    if (!n || !tree_add(b, n))
        return false;
    b->stack[b->depth].node = n;
    b->stack[b->depth].key = NULL;
    b->depth++;
    return true;
}

static void syntax_error(yt_doc *d, const yaml_parser_t *p, const unsigned char *text,
                         size_t len)
{
    int line, col;
    if (p->error == YAML_READER_ERROR) {
        /* libyaml decodes ahead of the scanner, so its mark is not where the
         * bad byte is: count lines and characters up to problem_offset. */
        line = col = 1;
        for (size_t i = 0; i < p->problem_offset && i < len; i++) {
            unsigned char c = text[i];
            if (c == '\n')
                line++, col = 1;
            else if ((c & 0xC0) != 0x80)
                col++;
        }
        yt_fail_at(d, line, col, "cannot read the file as YAML text: %s",
                   p->problem ? p->problem : "bad input");
        return;
    }
    if (p->error == YAML_MEMORY_ERROR) {
        folio_error_set(d->err, FOLIO_EXIT_FAILED, "%s: out of memory", d->path);
        return;
    }
    line = (int)p->problem_mark.line + 1;
    col = (int)p->problem_mark.column + 1;
    if (p->context)
        yt_fail_at(d, line, col, "YAML syntax error: %s (%s at line %d)",
                   p->problem ? p->problem : "unknown problem", p->context,
                   (int)p->context_mark.line + 1);
    else
        yt_fail_at(d, line, col, "YAML syntax error: %s",
                   p->problem ? p->problem : "unknown problem");
}

yt_doc *yt_load(const char *path, folio_error *err)
{
    yt_doc *d = calloc(1, sizeof *d);
    if (!d || !(d->path = strdup(path))) {
        free(d);
        folio_error_set(err, FOLIO_EXIT_FAILED, "%s: out of memory", path);
        return NULL;
    }
    d->err = err;
    /* the whole file in memory: it is parsed and hashed from the same
     * bytes, so the manifest records what was read even if the file
     * changes during the run */
    FILE *fp = folio_input_fopen(path, NULL, FOLIO_EXIT_USAGE, err);
    if (!fp) {
        yt_free(d);
        return NULL;
    }
    folio_buf text;
    folio_buf_init(&text, (size_t)YT_MAX_FILE + 1);
    char chunk[8192];
    bool too_big = false;
    for (size_t n; !too_big && !text.failed && (n = fread(chunk, 1, sizeof chunk, fp)) > 0;) {
        too_big = n > (size_t)YT_MAX_FILE - text.len;
        if (!too_big)
            folio_buf_append(&text, chunk, n);
    }
    bool rd_err = ferror(fp) != 0;
    fclose(fp);
    if (rd_err || too_big || text.failed) {
        if (rd_err)
            folio_error_set(err, FOLIO_EXIT_USAGE, "%s: read error", path);
        else if (too_big)
            folio_error_set(err, FOLIO_EXIT_USAGE, "%s: larger than %d MiB (the limit of a "
                            "YAML file)", path, YT_MAX_FILE >> 20);
        else
            folio_error_set(err, FOLIO_EXIT_FAILED, "%s: out of memory", path);
        folio_buf_free(&text);
        yt_free(d);
        return NULL;
    }
    d->input.bytes = text.len;
    folio_sha256_hex(text.data ? text.data : "", text.len, d->input.sha256);
    yaml_parser_t parser;
    if (!yaml_parser_initialize(&parser)) {
        folio_buf_free(&text);
        folio_error_set(err, FOLIO_EXIT_FAILED, "%s: out of memory", path);
        yt_free(d);
        return NULL;
    }
    const unsigned char *tx = (const unsigned char *)(text.data ? text.data : "");
    yaml_parser_set_input_string(&parser, tx, text.len);

    yt_builder b;
    memset(&b, 0, sizeof b);
    b.doc = d;
    int docs = 0;
    bool ok = true, done = false;
    while (ok && !done) {
        yaml_event_t ev;
        if (!yaml_parser_parse(&parser, &ev)) {
            syntax_error(d, &parser, tx, text.len);
            ok = false;
            break;
        }
        switch (ev.type) {
        case YAML_DOCUMENT_START_EVENT:
            if (++docs > 1)
                ok = yt_fail_at(d, (int)ev.start_mark.line + 1,
                                (int)ev.start_mark.column + 1,
                                "only one YAML document is allowed per file");
            break;
        case YAML_SCALAR_EVENT:
            ok = on_scalar(&b, &ev);
            break;
        case YAML_SEQUENCE_START_EVENT:
            ok = on_start(&b, &ev, YT_SEQ);
            break;
        case YAML_MAPPING_START_EVENT:
            ok = on_start(&b, &ev, YT_MAP);
            break;
        case YAML_SEQUENCE_END_EVENT:
        case YAML_MAPPING_END_EVENT:
            b.depth--;
            break;
        case YAML_ALIAS_EVENT:
            ok = yt_fail_at(d, (int)ev.start_mark.line + 1,
                            (int)ev.start_mark.column + 1,
                            "YAML aliases (*name) are not supported: write the value out");
            break;
        case YAML_STREAM_END_EVENT:
            done = true;
            break;
        default:
            break;
        }
        yaml_event_delete(&ev);
    }
    yaml_parser_delete(&parser);
    folio_buf_free(&text);
    if (ok && !d->root)
        ok = yt_fail_at(d, 1, 1, "the file is empty");
    if (!ok) {
        for (int i = 0; i < b.depth; i++)
            node_free(b.stack[i].key);
        yt_free(d);
        return NULL;
    }
    return d;
}

/* ---- shapes ---------------------------------------------------------------- */

bool yt_expect_map(yt_doc *d, const yt_node *n, const char *name)
{
    if (n && n->kind == YT_MAP)
        return true;
    return yt_fail(d, n, "'%s' must be a map (key: value lines), got %s", name,
                   yt_kind_name(n));
}

bool yt_expect_seq(yt_doc *d, const yt_node *n, const char *name)
{
    if (n && n->kind == YT_SEQ)
        return true;
    return yt_fail(d, n, "'%s' must be a list, got %s", name, yt_kind_name(n));
}

static const yt_node *raw_get(const yt_node *map, const char *key, int *idx)
{
    if (!map || map->kind != YT_MAP)
        return NULL;
    size_t kl = strlen(key);
    for (int i = 0; i < map->n; i++) {
        const yt_node *k = map->keys[i];
        if (k->len == kl && !memcmp(k->str, key, kl)) {
            if (idx)
                *idx = i;
            return map->items[i];
        }
    }
    return NULL;
}

const yt_node *yt_get(const yt_node *map, const char *key)
{
    const yt_node *n = raw_get(map, key, NULL);
    if (n && n->kind == YT_SCALAR && n->is_null)
        return NULL;
    return n;
}

bool yt_check_keys(yt_doc *d, const yt_node *map, const char *where,
                   const char *const *allowed)
{
    if (!map || map->kind != YT_MAP)
        return true;
    for (int i = 0; i < map->n; i++) {
        const yt_node *k = map->keys[i];
        bool known = false;
        for (const char *const *a = allowed; *a && !known; a++)
            known = strlen(*a) == k->len && !memcmp(*a, k->str, k->len);
        if (known)
            continue;
        char list[600];
        size_t o = 0;
        list[0] = 0;
        for (const char *const *a = allowed; *a; a++) {
            if (!folio_str_appendf(list, sizeof list, &o, "%s%s",
                                   a == allowed ? "" : ", ", *a))
                break;
        }
        char v[64];
        show(v, sizeof v, k->str, k->len);
        if (!where || !*where)
            return yt_fail(d, k, "unknown top-level key '%s' (expected one of: %s)",
                           v, list);
        return yt_fail(d, k, "unknown key '%s' in '%s' (expected one of: %s)", v,
                       where, list);
    }
    return true;
}

const yt_node *yt_child(yt_doc *d, const yt_node *map, const char *where,
                        const char *key, bool required)
{
    const yt_node *n = raw_get(map, key, NULL);
    if (n && !(n->kind == YT_SCALAR && n->is_null))
        return n;
    if (required) {
        char name[256];
        if (n)
            yt_fail(d, n, "'%s' must not be empty",
                    yt_name(name, sizeof name, where, key));
        else if (!where || !*where)
            yt_fail(d, map, "missing required top-level key '%s'", key);
        else
            yt_fail(d, map, "missing required key '%s' in '%s'", key, where);
    }
    return NULL;
}

/* ---- typed readers on nodes ---------------------------------------------- */

static bool want_scalar(yt_doc *d, const yt_node *n, const char *name,
                        const char *what)
{
    if (n && n->kind == YT_SCALAR)
        return true;
    return yt_fail(d, n, "'%s' must be %s, got %s", name, what, yt_kind_name(n));
}

bool yt_node_str(yt_doc *d, const yt_node *n, const char *name, char **out)
{
    if (!want_scalar(d, n, name, "a string"))
        return false;
    char *s = strdup(n->is_null ? "" : n->str);
    if (!s) {
        folio_error_set(d->err, FOLIO_EXIT_FAILED, "%s: out of memory", d->path);
        return false;
    }
    *out = s;
    return true;
}

/* Digits-only integer parse with sign; false on junk or overflow. */
static bool parse_int(const char *s, size_t len, int64_t *out)
{
    size_t i = 0;
    bool neg = false;
    if (i < len && (s[i] == '-' || s[i] == '+'))
        neg = s[i++] == '-';
    if (i == len)
        return false;
    uint64_t v = 0;
    for (; i < len; i++) {
        if (s[i] < '0' || s[i] > '9')
            return false;
        if (v > (UINT64_MAX - 9) / 10)
            return false;
        v = v * 10 + (uint64_t)(s[i] - '0');
    }
    if (!neg && v > (uint64_t)INT64_MAX)
        return false;
    if (neg && v > (uint64_t)INT64_MAX + 1)
        return false;
    *out = neg ? (int64_t)(0 - v) : (int64_t)v;
    return true;
}

bool yt_node_int(yt_doc *d, const yt_node *n, const char *name, int64_t lo,
                 int64_t hi, int64_t *out)
{
    if (!want_scalar(d, n, name, "an integer"))
        return false;
    int64_t v;
    if (!parse_int(n->str, n->len, &v) || v < lo || v > hi) {
        char s[64];
        return yt_fail(d, n, "'%s' must be an integer from %lld to %lld, got '%s'",
                       name, (long long)lo, (long long)hi,
                       show(s, sizeof s, n->str, n->len));
    }
    *out = v;
    return true;
}

/* Fixed-point text of v / 10^dec, trailing zeros trimmed (messages only). */
static const char *fixed_text(char *buf, size_t cap, int64_t v, int dec)
{
    int64_t p = 1;
    for (int i = 0; i < dec; i++)
        p *= 10;
    uint64_t a = v < 0 ? (uint64_t)0 - (uint64_t)v : (uint64_t)v;
    uint64_t ip = a / (uint64_t)p, fp = a % (uint64_t)p;
    int n = snprintf(buf, cap, "%s%llu", v < 0 ? "-" : "", (unsigned long long)ip);
    if (fp && n > 0 && (size_t)n + (size_t)dec + 2 < cap) {
        char *o = buf + n;
        *o++ = '.';
        for (int i = dec - 1; i >= 0; i--) {
            o[i] = (char)('0' + fp % 10);
            fp /= 10;
        }
        o += dec;
        while (o[-1] == '0')
            o--;
        *o = 0;
    }
    return buf;
}

bool yt_node_fixed(yt_doc *d, const yt_node *n, const char *name, int decimals,
                   int64_t lo, int64_t hi, int64_t *out)
{
    if (!want_scalar(d, n, name, "a number"))
        return false;
    const char *s = n->str;
    size_t len = n->len, i = 0;
    bool neg = false, ok = true;
    if (i < len && (s[i] == '-' || s[i] == '+'))
        neg = s[i++] == '-';
    int64_t v = 0;
    int digits = 0, frac = -1;
    for (; i < len && ok; i++) {
        if (s[i] == '.' && frac < 0) {
            frac = 0;
        } else if (s[i] >= '0' && s[i] <= '9') {
            if (frac >= 0 && ++frac > decimals)
                ok = false;
            else if (v > (INT64_MAX / 10) - 10)
                ok = false;
            else
                v = v * 10 + (s[i] - '0');
            digits++;
        } else {
            ok = false;
        }
    }
    if (digits == 0)
        ok = false;
    for (int f = frac < 0 ? 0 : frac; ok && f < decimals; f++) {
        if (v > INT64_MAX / 10)
            ok = false;
        else
            v *= 10;
    }
    if (neg)
        v = -v;
    if (!ok || v < lo || v > hi) {
        char sv[64], l[40], h[40];
        return yt_fail(d, n, "'%s' must be a number from %s to %s (at most %d "
                       "decimals), got '%s'", name, fixed_text(l, sizeof l, lo, decimals),
                       fixed_text(h, sizeof h, hi, decimals), decimals,
                       show(sv, sizeof sv, n->str, n->len));
    }
    *out = v;
    return true;
}

bool yt_node_bool(yt_doc *d, const yt_node *n, const char *name, bool *out)
{
    if (!want_scalar(d, n, name, "true or false"))
        return false;
    if (!strcasecmp(n->str, "true") || !strcasecmp(n->str, "yes")) {
        *out = true;
        return true;
    }
    if (!strcasecmp(n->str, "false") || !strcasecmp(n->str, "no")) {
        *out = false;
        return true;
    }
    char s[64];
    return yt_fail(d, n, "'%s' must be true or false (yes/no), got '%s'", name,
                   show(s, sizeof s, n->str, n->len));
}

bool yt_node_date(yt_doc *d, const yt_node *n, const char *name, folio_date *out)
{
    if (!want_scalar(d, n, name, "a date YYYY-MM-DD"))
        return false;
    folio_date v;
    if (n->len != 10 || !folio_date_parse(n->str, n->len, "YYYY-MM-DD", &v)) {
        char s[64];
        return yt_fail(d, n, "'%s' must be a date YYYY-MM-DD, got '%s'", name,
                       show(s, sizeof s, n->str, n->len));
    }
    *out = v;
    return true;
}

bool yt_node_char(yt_doc *d, const yt_node *n, const char *name,
                  const char *allowed, bool allow_empty, char *out)
{
    if (!want_scalar(d, n, name, "one character"))
        return false;
    const char *s = n->is_null ? "" : n->str;
    size_t len = n->is_null ? 0 : n->len;
    char c = 0;
    bool ok;
    if (len == 0)
        ok = allow_empty;
    else if (len == 2 && s[0] == '\\' && s[1] == 't')
        c = '\t', ok = true;
    else if (len == 1)
        c = s[0], ok = (c >= 0x20 && c < 0x7f) || c == '\t';
    else
        ok = false;
    if (ok && c && allowed && !strchr(allowed, c))
        ok = false;
    if (ok) {
        *out = c;
        return true;
    }
    char sv[64];
    show(sv, sizeof sv, s, len);
    if (!allowed)
        return yt_fail(d, n, "'%s' must be one character%s, got '%s'", name,
                       allow_empty ? " (or \"\" for none)" : "", sv);
    char list[128];
    size_t o = 0;
    list[0] = 0;
    for (const char *a = allowed; *a; a++) {
        char one[8];
        if (!folio_str_appendf(list, sizeof list, &o, "%s'%s'",
                               a == allowed ? "" : " ", show(one, sizeof one, a, 1)))
            break;
    }
    return yt_fail(d, n, "'%s' must be one of %s%s, got '%s'", name, list,
                   allow_empty ? " ''" : "", sv);
}

bool yt_node_enum(yt_doc *d, const yt_node *n, const char *name,
                  const char *const *choices, int *out)
{
    if (!want_scalar(d, n, name, "a word"))
        return false;
    for (int i = 0; choices[i]; i++)
        if (!strcmp(choices[i], n->str)) {
            *out = i;
            return true;
        }
    char list[400];
    size_t o = 0;
    list[0] = 0;
    for (int i = 0; choices[i]; i++) {
        if (!folio_str_appendf(list, sizeof list, &o, "%s%s", i ? ", " : "",
                               choices[i]))
            break;
    }
    char sv[64];
    return yt_fail(d, n, "'%s' must be one of %s, got '%s'", name, list,
                   show(sv, sizeof sv, n->str, n->len));
}

void yt_strv_free(char **v, int n)
{
    if (!v)
        return;
    for (int i = 0; i < n; i++)
        free(v[i]);
    free(v);
}

bool yt_node_strv(yt_doc *d, const yt_node *n, const char *name, char ***out,
                  int *n_out)
{
    if (!yt_expect_seq(d, n, name))
        return false;
    char **v = calloc((size_t)n->n + 1, sizeof *v);
    if (!v) {
        folio_error_set(d->err, FOLIO_EXIT_FAILED, "%s: out of memory", d->path);
        return false;
    }
    for (int i = 0; i < n->n; i++) {
        char iname[280];
        snprintf(iname, sizeof iname, "%s[%d]", name, i);
        const yt_node *it = n->items[i];
        if (it->kind == YT_SCALAR && it->is_null) {
            yt_fail(d, it, "'%s' is empty", iname);
            yt_strv_free(v, i);
            return false;
        }
        if (!yt_node_str(d, it, iname, &v[i])) {
            yt_strv_free(v, i);
            return false;
        }
    }
    *out = v;
    *n_out = n->n;
    return true;
}

/* ---- typed readers on map[key] ------------------------------------------- */

/* 1 = present (n set), 0 = absent and fine, -1 = absent but required. */
static int lookup(yt_doc *d, const yt_node *map, const char *where,
                  const char *key, bool required, const yt_node **n)
{
    *n = yt_child(d, map, where, key, required);
    if (*n)
        return 1;
    return required ? -1 : 0;
}

int yt_str(yt_doc *d, const yt_node *map, const char *where, const char *key,
           bool required, char **out)
{
    const yt_node *n;
    int r = lookup(d, map, where, key, required, &n);
    if (r <= 0)
        return r;
    char name[256], *s;
    if (!yt_node_str(d, n, yt_name(name, sizeof name, where, key), &s))
        return -1;
    free(*out);
    *out = s;
    return 1;
}

int yt_int(yt_doc *d, const yt_node *map, const char *where, const char *key,
           bool required, int64_t lo, int64_t hi, int64_t *out)
{
    const yt_node *n;
    int r = lookup(d, map, where, key, required, &n);
    if (r <= 0)
        return r;
    char name[256];
    return yt_node_int(d, n, yt_name(name, sizeof name, where, key), lo, hi, out)
           ? 1 : -1;
}

int yt_fixed(yt_doc *d, const yt_node *map, const char *where, const char *key,
             bool required, int decimals, int64_t lo, int64_t hi, int64_t *out)
{
    const yt_node *n;
    int r = lookup(d, map, where, key, required, &n);
    if (r <= 0)
        return r;
    char name[256];
    return yt_node_fixed(d, n, yt_name(name, sizeof name, where, key), decimals,
                         lo, hi, out) ? 1 : -1;
}

int yt_bool(yt_doc *d, const yt_node *map, const char *where, const char *key,
            bool required, bool *out)
{
    const yt_node *n;
    int r = lookup(d, map, where, key, required, &n);
    if (r <= 0)
        return r;
    char name[256];
    return yt_node_bool(d, n, yt_name(name, sizeof name, where, key), out) ? 1 : -1;
}

int yt_date(yt_doc *d, const yt_node *map, const char *where, const char *key,
            bool required, folio_date *out)
{
    const yt_node *n;
    int r = lookup(d, map, where, key, required, &n);
    if (r <= 0)
        return r;
    char name[256];
    return yt_node_date(d, n, yt_name(name, sizeof name, where, key), out) ? 1 : -1;
}

int yt_char(yt_doc *d, const yt_node *map, const char *where, const char *key,
            bool required, const char *allowed, bool allow_empty, char *out)
{
    /* A char value may legitimately be "" (quote: ""), which is not null:
     * only a plain empty value counts as absent. */
    const yt_node *n;
    int r = lookup(d, map, where, key, required, &n);
    if (r <= 0)
        return r;
    char name[256];
    return yt_node_char(d, n, yt_name(name, sizeof name, where, key), allowed,
                        allow_empty, out) ? 1 : -1;
}

int yt_enum(yt_doc *d, const yt_node *map, const char *where, const char *key,
            bool required, const char *const *choices, int *out)
{
    const yt_node *n;
    int r = lookup(d, map, where, key, required, &n);
    if (r <= 0)
        return r;
    char name[256];
    return yt_node_enum(d, n, yt_name(name, sizeof name, where, key), choices, out)
           ? 1 : -1;
}

int yt_strv(yt_doc *d, const yt_node *map, const char *where, const char *key,
            bool required, char ***out, int *n_out)
{
    const yt_node *n;
    int r = lookup(d, map, where, key, required, &n);
    if (r <= 0)
        return r;
    char name[256];
    char **v;
    int nv;
    if (!yt_node_strv(d, n, yt_name(name, sizeof name, where, key), &v, &nv))
        return -1;
    yt_strv_free(*out, *n_out);
    *out = v;
    *n_out = nv;
    return 1;
}
