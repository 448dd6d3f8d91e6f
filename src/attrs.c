/* SPDX-License-Identifier: Apache-2.0 */
/*
 * attrs.c -- attributes (issue 10 part 1): job keys, typed values at load,
 * the join of attribute feeds, the rules catalogue, formatting.
 *
 * See include/folio/attrs.h for the model and src/attrs-private.h for the
 * hooks.  Values are typed once, at load; afterwards every reader (rules,
 * merge fields, table cells) reads the same 8-byte value.
 */
#include "attrs-private.h"
#include "feed-private.h"
#include "folio/codes.h"
#include "folio/currency.h"
#include "folio/household.h"
#include "folio/layout.h"
#include "folio/numbers.h"
#include "folio/rules.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

static const char *const TYPE_NAMES[] = { "string", "number", "money", "date", "bool",
                                          "code", NULL };
static const char *const ATTR_KEYS[] = { "column", "type", "values", "required", NULL };
static const char *const KEY_NAMES[] = { "column", "line_number", NULL };
static const char *const REC_WORDS[] = { "customer", "account", "transaction" };

const char *attrs_type_name(folio_attr_type t)
{
    return (unsigned)t < 6 ? TYPE_NAMES[t] : "?";
}

/* ---- job file ------------------------------------------------------------- */

static bool oom_doc(yt_doc *d)
{
    folio_error_set(d->err, FOLIO_EXIT_FAILED, "%s: out of memory", d->path);
    return false;
}

static int rec_of_kind(folio_feed_kind k)
{
    switch (k) {
    case FOLIO_FEED_CUSTOMERS:
    case FOLIO_FEED_CUSTOMER_ATTRS: return FOLIO_AR_CUSTOMER;
    case FOLIO_FEED_ACCOUNTS:
    case FOLIO_FEED_ACCOUNT_ATTRS: return FOLIO_AR_ACCOUNT;
    case FOLIO_FEED_TRANSACTIONS: return FOLIO_AR_TXN;
    default: return -1;
    }
}

static bool valid_name(const char *s)
{
    if (!(*s >= 'a' && *s <= 'z'))
        return false;
    for (; *s; s++)
        if (!((*s >= 'a' && *s <= 'z') || (*s >= '0' && *s <= '9') || *s == '_'))
            return false;
    return true;
}

bool attrs_read_feed(yt_doc *d, folio_job *job, int feed, const yt_node *node,
                     const char *where)
{
    folio_feed_def *f = &job->feeds[feed];
    char aw[128];
    yt_name(aw, sizeof aw, where, "attributes");
    const yt_node *m = yt_child(d, node, where, "attributes", false);
    if (!m) {
        if (d->err->code)
            return false;
        if (yt_get(node, "key"))
            return yt_fail(d, yt_get(node, "key"), "'%s.key' is only used in an attribute "
                           "feed", where);
        if (f->kind == FOLIO_FEED_CUSTOMER_ATTRS || f->kind == FOLIO_FEED_ACCOUNT_ATTRS)
            return yt_fail(d, node, "feed '%s' (an attribute feed) must declare "
                           "'attributes'", f->name);
        return true;
    }
    bool attr_feed = f->kind == FOLIO_FEED_CUSTOMER_ATTRS || f->kind == FOLIO_FEED_ACCOUNT_ATTRS;
    const yt_node *kn = yt_get(node, "key");
    int key = 0;
    if (kn && !attr_feed)
        return yt_fail(d, kn, "'%s.key' is only used in an attribute feed", where);
    if (yt_enum(d, node, where, "key", false, KEY_NAMES, &key) < 0)
        return false;
    f->key_is_line = key == 1;
    folio_field kf = f->kind == FOLIO_FEED_CUSTOMER_ATTRS ? FOLIO_F_CUSTOMER_ID
                                                           : FOLIO_F_ACCOUNT_ID;
    if (attr_feed && f->key_is_line && f->columns[kf])
        return yt_fail(d, kn, "feed '%s' has key: line_number: it must not map '%s' too",
                       f->name, job_field_key(kf));
    if (attr_feed && !f->key_is_line && !f->columns[kf])
        return yt_fail(d, yt_get(node, "columns"), "feed '%s' (%s) must map column '%s' "
                       "in '%s.columns' (or say key: line_number)", f->name,
                       f->kind == FOLIO_FEED_CUSTOMER_ATTRS ? "customer_attributes"
                                                            : "account_attributes",
                       job_field_key(kf), where);
    int rec = rec_of_kind(f->kind);
    if (rec < 0)
        return yt_fail(d, m, "'%s': a contacts feed has no attributes", aw);
    if (!yt_expect_map(d, m, aw))
        return false;
    if (m->n == 0)
        return yt_fail(d, m, "'%s' must declare at least one attribute", aw);
    if (!job->attrs && !(job->attrs = calloc(1, sizeof *job->attrs)))
        return oom_doc(d);
    folio_attrs *A = job->attrs;
    if (A->n + m->n > FOLIO_ATTR_MAX)
        return yt_fail(d, m, "more than %d attributes in the job", FOLIO_ATTR_MAX);
    folio_attr_def *nv = realloc(A->v, (size_t)(A->n + m->n) * sizeof *nv);
    if (!nv)
        return oom_doc(d);
    A->v = nv;
    for (int i = 0; i < m->n; i++) {
        const yt_node *k = m->keys[i], *it = m->items[i];
        folio_attr_def *a = &A->v[A->n];
        memset(a, 0, sizeof *a);
        A->n++;                                  /* so attrs_free sees it */
        a->feed = feed;
        a->rec = (folio_attr_rec)rec;
        a->line = k->line;
        a->col = k->col;
        a->minor_digits = f->minor_digits;
        char w[200];
        snprintf(w, sizeof w, "%s.%s", aw, k->str);
        if (!valid_name(k->str) || k->len > 40)
            return yt_fail(d, k, "'%s': an attribute name is 1 to 40 lower-case letters, "
                           "digits and '_', starting with a letter", w);
        if (!(a->name = strdup(k->str)))
            return oom_doc(d);
        size_t ql = strlen(REC_WORDS[rec]) + strlen(a->name) + 2;
        if (!(a->qname = malloc(ql)))
            return oom_doc(d);
        snprintf(a->qname, ql, "%s.%s", REC_WORDS[rec], a->name);
        int type = 0;
        if (!yt_expect_map(d, it, w) || !yt_check_keys(d, it, w, ATTR_KEYS)
            || yt_str(d, it, w, "column", true, &a->column) < 0
            || yt_enum(d, it, w, "type", true, TYPE_NAMES, &type) < 0
            || yt_bool(d, it, w, "required", false, &a->required) < 0)
            return false;
        a->type = (folio_attr_type)type;
        if (!*a->column)
            return yt_fail(d, yt_get(it, "column"), "'%s.column' must name a header "
                           "column, got ''", w);
        const yt_node *vals = yt_get(it, "values");
        if (a->type == FOLIO_AT_CODE) {
            if (yt_strv(d, it, w, "values", true, &a->values, &a->n_values) < 0)
                return false;
            if (a->n_values == 0)
                return yt_fail(d, vals, "'%s.values' must list at least one value", w);
            for (int x = 0; x < a->n_values; x++)
                for (int y = 0; y < x; y++)
                    if (!strcmp(a->values[x], a->values[y]))
                        return yt_fail(d, vals->items[x], "'%s.values' lists '%s' twice", w,
                                       a->values[x]);
        } else if (vals) {
            return yt_fail(d, vals, "'%s.values' is only used with type: code", w);
        }
    }
    return true;
}

/* Does name (an attribute of record kind rec) shadow a built-in name? */
static const char *shadowed(const folio_attr_def *a)
{
    for (int f = 0; f < FOLIO_F__COUNT; f++)
        if (!strcmp(job_field_key((folio_field)f), a->name))
            return "a feed column key";
    for (const folio_rule_catalog *c = rules_catalog_default(); c; c = c->next)
        for (size_t i = 0; i < c->n; i++)
            if (!strcmp(c->fields[i].name, a->name) || !strcmp(c->fields[i].name, a->qname))
                return "a rule field";
    for (int m = 1; m < FOLIO_M__COUNT; m++)
        if (!strcmp(layout_merge_field_name((folio_merge_field)m), a->qname))
            return "a merge field";
    for (int c = 1; c <= FOLIO_COL_AMOUNT; c++)
        if (!strcmp(layout_column_name((folio_column_field)c), a->name))
            return "a table column";
    return NULL;
}

static void g_attr(const folio_rule_ctx *ctx, const folio_rule_field *f, uint32_t i,
                   folio_rule_value *out);

/* issue 10 (gaps): the attributes that make each code list a field, per
 * feed it applies to, inserted after that feed's declared attributes (the
 * attributes stay grouped by feed, in job order).  A list named like a
 * built-in field (description, date, ...) is not made one: the built-in
 * keeps the name. */
static bool code_list_attrs(yt_doc *d, folio_job *job)
{
    const folio_codes *c = job->codes;
    if (!c || !c->n_lists)
        return true;
    int extra = 0;
    for (int f = 0; f < job->n_feeds; f++)
        for (int l = 0; l < c->n_lists; l++)
            extra += codes_list_attaches(&c->lists[l], &job->feeds[f]);
    if (!extra)
        return true;
    if (!job->attrs && !(job->attrs = calloc(1, sizeof *job->attrs)))
        return oom_doc(d);
    folio_attrs *A = job->attrs;
    folio_attr_def *nv = calloc((size_t)(A->n + extra), sizeof *nv);
    if (!nv)
        return oom_doc(d);
    int n = 0, k = 0;
    for (int f = 0; f < job->n_feeds; f++) {
        while (k < A->n && A->v[k].feed == f)
            nv[n++] = A->v[k++];
        for (int l = 0; l < c->n_lists; l++) {
            const folio_code_list *cl = &c->lists[l];
            if (!codes_list_attaches(cl, &job->feeds[f]))
                continue;
            folio_attr_def *a = &nv[n];
            a->feed = f;
            a->rec = job->feeds[f].kind == FOLIO_FEED_ACCOUNTS ? FOLIO_AR_ACCOUNT : FOLIO_AR_TXN;
            a->type = FOLIO_AT_CODE;
            a->line = cl->line;
            a->col = cl->col;
            a->code_list = cl;
            a->codes = c;
            size_t ql = strlen(REC_WORDS[a->rec]) + strlen(cl->name) + 2;
            if (!(a->name = strdup(cl->name)) || !(a->column = strdup(cl->column)) ||
                !(a->qname = malloc(ql))) {
                free(a->name);
                free(a->column);
                free(A->v);
                A->v = nv;
                A->n = n;
                return oom_doc(d);
            }
            snprintf(a->qname, ql, "%s.%s", REC_WORDS[a->rec], cl->name);
            if (shadowed(a)) {
                free(a->name);
                free(a->column);
                free(a->qname);
                memset(a, 0, sizeof *a);
                continue;
            }
            n++;
        }
    }
    free(A->v);
    A->v = nv;
    A->n = n;
    return true;
}

bool attrs_job_finish(yt_doc *d, folio_job *job)
{
    if (!code_list_attrs(d, job))
        return false;
    folio_attrs *A = job->attrs;
    if (!A)
        return true;
    for (int i = 0; i < A->n; i++) {
        folio_attr_def *a = &A->v[i];
        const char *what = shadowed(a);
        if (what)
            return yt_fail_at(d, a->line, a->col, "attribute '%s' of feed '%s' has the "
                              "name of %s: choose another name", a->name,
                              job->feeds[a->feed].name, what);
        int shared = -1;   /* a code list's attribute on another feed: its slot */
        for (int k = 0; k < i; k++)
            if (A->v[k].rec == a->rec && !strcmp(A->v[k].name, a->name)) {
                if (a->code_list && A->v[k].code_list == a->code_list) {
                    shared = A->v[k].slot;
                    break;
                }
                if (a->code_list || A->v[k].code_list)
                    return yt_fail_at(d, a->line, a->col, "%s is both an attribute (line "
                                      "%d) and code list '%s' (line %d): rename one",
                                      a->qname, a->code_list ? A->v[k].line : a->line,
                                      a->name, a->code_list ? a->line : A->v[k].line);
                return yt_fail_at(d, a->line, a->col, "attribute '%s' is declared twice "
                                  "(first at line %d): each %s attribute comes from one feed",
                                  a->qname, A->v[k].line, REC_WORDS[a->rec]);
            }
        for (int k = 0; k < i && !a->code_list; k++)
            if (A->v[k].feed == a->feed && !A->v[k].code_list &&
                !strcmp(A->v[k].column, a->column))
                return yt_fail_at(d, a->line, a->col, "column '%s' is mapped by attributes "
                                  "'%s' and '%s' of one feed", a->column, A->v[k].name,
                                  a->name);
        if (attrs_compact(a) && a->code_list->n_values >= 0xFFFF)   /* issue 10 audit */
            return yt_fail_at(d, a->line, a->col, "code list '%s' has %d values, more "
                              "than 65534", a->name, a->code_list->n_values);
        a->slot = shared >= 0 ? shared
                  : attrs_compact(a) ? A->code_width++ : A->width[a->rec]++;
    }
    for (int i = 0; i < A->n;) {
        int j = i;
        while (j < A->n && A->v[j].feed == A->v[i].feed)
            j++;
        job->feeds[A->v[i].feed].attrs = &A->v[i];
        job->feeds[A->v[i].feed].n_attrs = j - i;
        i = j;
    }
    A->fields = calloc((size_t)(unsigned)A->n + 1, sizeof *A->fields);
    A->catalog = calloc(1, sizeof *A->catalog);
    if (!A->fields || !A->catalog)
        return oom_doc(d);
    static const folio_rule_scope scope[] = { FOLIO_RS_CUSTOMER, FOLIO_RS_ACCOUNT,
                                              FOLIO_RS_TXN };
    static const folio_rule_type rtype[] = { FOLIO_RT_STRING, FOLIO_RT_NUMBER,
                                             FOLIO_RT_NUMBER, FOLIO_RT_DATE, FOLIO_RT_BOOL,
                                             FOLIO_RT_STRING };
    for (int i = 0; i < A->n; i++)
        A->fields[i] = (folio_rule_field){ A->v[i].qname, scope[A->v[i].rec],
                                           rtype[A->v[i].type], g_attr, &A->v[i],
                                           "attribute" };
    A->catalog->fields = A->fields;
    A->catalog->n = (size_t)A->n;
    A->catalog->next = rules_catalog_default();
    return true;
}

void attrs_free(folio_attrs *A)
{
    if (!A)
        return;
    for (int i = 0; i < A->n; i++) {
        free(A->v[i].name);
        free(A->v[i].qname);
        free(A->v[i].column);
        yt_strv_free(A->v[i].values, A->v[i].n_values);
    }
    free(A->v);
    free(A->fields);
    free(A->catalog);
    free(A);
}

const folio_attr_def *attrs_find(const folio_attrs *A, const char *qname, size_t n)
{
    if (!A)
        return NULL;
    for (int i = 0; i < A->n; i++)
        if (strlen(A->v[i].qname) == n && !memcmp(A->v[i].qname, qname, n))
            return &A->v[i];
    return NULL;
}

const folio_rule_catalog *attrs_catalog(const folio_attrs *A)
{
    return A && A->catalog ? A->catalog : rules_catalog_default();
}

/* ---- load ----------------------------------------------------------------- */

bool attrs_map_header(const folio_feed_def *def, const char *const *cols, int n_cols,
                      const char *fname, uint32_t hdr_line, int *col_idx,
                      uint8_t *col_class, folio_error *err)
{
    for (int k = 0; k < def->n_attrs; k++) {
        const folio_attr_def *a = &def->attrs[k];
        char what[96];
        snprintf(what, sizeof what, "attribute %s, job line %d", a->name, a->line);
        int idx = feed_header_column(cols, n_cols, fname, hdr_line, a->column, what, "", err);
        if (idx < 0)
            return false;
        col_idx[k] = idx;
        if (col_class[idx] == FEED_COL_UNMAPPED)   /* a description stays free text */
            col_class[idx] = FEED_COL_LINE;
    }
    return true;
}

static bool grow_stage(attrs_stage *st, size_t need, int width, bool keys)
{
    if (need <= st->cap)
        return true;
    size_t nc = st->cap ? st->cap * 2 : 256;
    while (nc < need)
        nc *= 2;
    folio_attr_val *v = realloc(st->v, nc * (size_t)(width ? width : 1) * sizeof *v);
    if (!v)
        return false;
    st->v = v;
    uint32_t *l = realloc(st->line, nc * sizeof *l);
    if (!l)
        return false;
    st->line = l;
    if (keys) {
        const char **k = realloc(st->key, nc * sizeof *k);
        if (!k)
            return false;
        st->key = k;
    }
    st->cap = nc;
    return true;
}

static void quote40(const char *s, size_t n, char *out, size_t cap)
{
    size_t m = n > 40 ? 40 : n;
    while (m < n && m > 0 && ((unsigned char)s[m] & 0xC0) == 0x80)
        m--;
    snprintf(out, cap, "%.*s%s", (int)m, s, m < n ? "..." : "");
}

static bool eqi(const char *s, size_t n, const char *lit)
{
    return strlen(lit) == n && !strncasecmp(s, lit, n);
}

int attrs_stage_row(const folio_feed_def *def, const int *col_idx, const char *buf,
                    const size_t *off, const size_t *flen, uint32_t line, const char *key,
                    attrs_stage *st, struct feed_strpool *sp, int *bad_col, char *why,
                    size_t why_cap)
{
    const int w = def->n_attrs;
    if (!grow_stage(st, st->n + 1, w, key != NULL))
        return -1;
    folio_attr_val *row = &st->v[st->n * (size_t)w];
    for (int k = 0; k < w; k++) {
        const folio_attr_def *a = &def->attrs[k];
        const char *s = buf + off[col_idx[k]];
        size_t n = flen[col_idx[k]];
        bool str = a->type == FOLIO_AT_STRING || a->type == FOLIO_AT_CODE;
        char q[64];
        if (str)
            row[k].str = NULL;
        else
            row[k].num = FOLIO_ATTR_ABSENT;
        *bad_col = col_idx[k];
        if (a->code_list) {
            /* issue 10 (gaps): a code list's value, trimmed like the list's
             * own check; stored as the job's string of the code */
            while (n && (*s == ' ' || *s == '\t'))
                s++, n--;
            while (n && (s[n - 1] == ' ' || s[n - 1] == '\t'))
                n--;
            int x = codes_find(a->code_list, s, n);
            if (x < 0) {
                quote40(s, n, q, sizeof q);
                snprintf(why, why_cap, "value '%s' is not in code list '%s'", q,
                         a->code_list->name);
                return 0;
            }
            if (attrs_compact(a))   /* issue 10 audit: its index, 2 bytes when kept */
                row[k].num = x;
            else
                row[k].str = a->code_list->values[x].code;
            continue;
        }
        if (n == 0) {
            if (a->required) {
                snprintf(why, why_cap, "empty %s (a required attribute)", a->name);
                return 0;
            }
            continue;
        }
        const char *reason = "not a number";
        switch (a->type) {
        case FOLIO_AT_CODE: {
            int x = 0;
            while (x < a->n_values && !(strlen(a->values[x]) == n && !memcmp(a->values[x], s, n)))
                x++;
            if (x == a->n_values) {
                char list[300];
                size_t o = 0;
                list[0] = 0;
                for (int y = 0; y < a->n_values; y++)
                    if (!folio_str_appendf(list, sizeof list, &o, "%s%s", y ? ", " : "",
                                           a->values[y]))
                        break;
                quote40(s, n, q, sizeof q);
                snprintf(why, why_cap, "invalid %s '%s': not in the list of %s (%s)",
                         a->name, q, a->qname, list);
                return 0;
            }
            row[k].str = feed_strpool_intern(sp, s, n);   /* stored as its text */
            if (!row[k].str)
                return -1;
            break;
        }
        case FOLIO_AT_STRING:
            row[k].str = feed_strpool_intern(sp, s, n);
            if (!row[k].str)
                return -1;
            break;
        case FOLIO_AT_NUMBER:
        case FOLIO_AT_MONEY: {
            folio_money v;
            int md = a->type == FOLIO_AT_NUMBER ? 4 : a->minor_digits;
            /* the feed's dialect, as its built-in amounts (group, negative
             * forms; issue 10 audit) */
            if (!numbers_amount_parse(def, md, s, n, &v, &reason) ||
                v == FOLIO_ATTR_ABSENT) {
                quote40(s, n, q, sizeof q);
                snprintf(why, why_cap, "invalid %s '%s' (%s): %s", a->name, q,
                         attrs_type_name(a->type), reason);
                return 0;
            }
            row[k].num = v;
            break;
        }
        case FOLIO_AT_DATE: {
            folio_date dt;
            const char *fmt = def->date_format ? def->date_format : "YYYY-MM-DD";
            if (!numbers_date_parse(def, s, n, &dt)) {   /* century_pivot too */
                quote40(s, n, q, sizeof q);
                snprintf(why, why_cap, "invalid %s '%s' (date): expected %s", a->name, q, fmt);
                return 0;
            }
            row[k].num = dt;
            break;
        }
        case FOLIO_AT_BOOL:
            if (eqi(s, n, "yes") || eqi(s, n, "y") || eqi(s, n, "true") || eqi(s, n, "1"))
                row[k].num = 1;
            else if (eqi(s, n, "no") || eqi(s, n, "n") || eqi(s, n, "false") || eqi(s, n, "0"))
                row[k].num = 0;
            else {
                quote40(s, n, q, sizeof q);
                snprintf(why, why_cap, "invalid %s '%s' (bool): expected yes/no, true/false "
                         "or 1/0", a->name, q);
                return 0;
            }
            break;
        }
    }
    st->line[st->n] = line;
    if (key)
        st->key[st->n] = key;
    st->n++;
    return 1;
}

void attrs_stage_pop(attrs_stage *st)
{
    if (st->n)
        st->n--;
}

bool attrs_stage_append(attrs_stage *dst, const attrs_stage *src, int width, uint32_t base)
{
    if (!src->n)
        return true;
    if (!grow_stage(dst, dst->n + src->n, width, src->key != NULL))
        return false;
    memcpy(dst->v + dst->n * (size_t)width, src->v, src->n * (size_t)width * sizeof *src->v);
    for (size_t i = 0; i < src->n; i++)
        dst->line[dst->n + i] = src->line[i] + base;
    if (src->key)
        memcpy(dst->key + dst->n, src->key, src->n * sizeof *src->key);
    dst->n += src->n;
    return true;
}

void attrs_stage_free(attrs_stage *st)
{
    free(st->v);
    free(st->line);
    free(st->key);
    memset(st, 0, sizeof *st);
}

/* ---- resolve -------------------------------------------------------------- */

/* Staged row of `line` in a line-ordered stage; -1 when none. */
static long stage_find(const attrs_stage *st, uint32_t line)
{
    size_t lo = 0, hi = st->n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (st->line[mid] < line)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo < st->n && st->line[lo] == line ? (long)lo : -1;
}

typedef struct idmap {
    const char **key;
    uint32_t *val;
    size_t cap;
} idmap;

static bool idmap_build(idmap *m, size_t n, const char *(*id)(const folio_dataset *, size_t),
                        const folio_dataset *ds)
{
    m->cap = 16;
    while (m->cap < n * 2 + 16)
        m->cap *= 2;
    m->key = calloc(m->cap, sizeof *m->key);
    m->val = malloc(m->cap * sizeof *m->val);
    if (!m->key || !m->val)
        return false;
    for (size_t i = 0; i < n; i++) {
        const char *k = id(ds, i);
        size_t j = feed_hash(k, strlen(k)) & (m->cap - 1);
        while (m->key[j] && strcmp(m->key[j], k))
            j = (j + 1) & (m->cap - 1);
        if (!m->key[j]) {
            m->key[j] = k;
            m->val[j] = (uint32_t)i;
        }
    }
    return true;
}

static long idmap_get(const idmap *m, const char *k)
{
    size_t j = feed_hash(k, strlen(k)) & (m->cap - 1);
    while (m->key[j]) {
        if (!strcmp(m->key[j], k))
            return m->val[j];
        j = (j + 1) & (m->cap - 1);
    }
    return -1;
}

static const char *cust_id(const folio_dataset *ds, size_t i) { return ds->customers[i].id; }
/* r-harden (round 26): the ids rejected at load or at resolve (feed-private.h
 * feed_idlist), looked up by hash: a feed of unknown keys against many
 * rejected ids was a scan of the whole list per row */
static const char *rej_cust_id(const folio_dataset *ds, size_t i)
{
    return ds->pool->rej_customers.v[i];
}
static const char *rej_acct_id(const folio_dataset *ds, size_t i)
{
    return ds->pool->rej_accounts.v[i];
}
static const char *acct_id(const folio_dataset *ds, size_t i) { return ds->accounts[i].id; }


static void copy_row(folio_attr_val *dst, uint16_t *codes, const folio_feed_def *def,
                     const folio_attr_val *src)
{
    for (int k = 0; k < def->n_attrs; k++) {
        const folio_attr_def *a = &def->attrs[k];
        if (attrs_compact(a)) {   /* issue 10 audit */
            if (codes)
                codes[a->slot] = (uint16_t)src[k].num;
        } else if (dst) {
            dst[a->slot] = src[k];
        }
    }
}

/* Values of the records of one kind from the feeds that map them inline. */
static void attach_inline(folio_dataset *ds, int rec, size_t n, size_t elem,
                          const void *records, size_t feed_off, size_t line_off)
{
    struct feed_pool *pool = ds->pool;
    const int width = ds->attr_width[rec];
    bool any = false;       /* round 26: no feed with attributes: no pass over the table */
    for (int f = 0; f < ds->n_feeds && !any; f++)
        any = pool->feeds[f].def && pool->feeds[f].def->n_attrs;
    for (size_t i = 0; any && i < n; i++) {
        feed_tick_at(pool, i, FEED_TICK_ROWS);  /* round 26: a spilled table, in order */
        const char *r = (const char *)records + i * elem;
        uint16_t f = *(const uint16_t *)(r + feed_off);
        uint32_t line = *(const uint32_t *)(r + line_off);
        const feed_info *fi = &pool->feeds[f];
        if (!fi->def || !fi->def->n_attrs)
            continue;
        long row = stage_find(&fi->ast, line);
        if (row >= 0)
            copy_row(ds->attr_vals[rec] ? &ds->attr_vals[rec][i * (size_t)width] : NULL,
                     rec == FOLIO_AR_TXN && ds->attr_codes
                         ? &ds->attr_codes[i * (size_t)ds->attr_code_width] : NULL,
                     fi->def, &fi->ast.v[(size_t)row * (size_t)fi->def->n_attrs]);
    }
}

bool attrs_resolve(folio_dataset *ds)
{
    struct feed_pool *pool = ds->pool;
    int width[FOLIO_AR__COUNT] = { 0 }, cw = 0;
    for (int f = 0; f < ds->n_feeds; f++) {
        const folio_feed_def *def = pool->feeds[f].def;
        for (int k = 0; def && k < def->n_attrs; k++) {
            const folio_attr_def *a = &def->attrs[k];
            if (attrs_compact(a))   /* issue 10 audit: 2-byte code indexes */
                cw = a->slot + 1 > cw ? a->slot + 1 : cw;
            else if (a->slot + 1 > width[a->rec])
                width[a->rec] = a->slot + 1;
        }
    }
    const size_t nrec[FOLIO_AR__COUNT] = { ds->n_customers, ds->n_accounts, ds->n_txns };
    bool ok = true;
    if (cw) {
        ds->attr_code_width = cw;
        ds->attr_codes = malloc((nrec[FOLIO_AR_TXN] * (size_t)cw + 1) * sizeof *ds->attr_codes);
        if (!ds->attr_codes)
            return false;
        memset(ds->attr_codes, 0xFF, (nrec[FOLIO_AR_TXN] * (size_t)cw + 1) *
                                     sizeof *ds->attr_codes);
    }
    for (int r = 0; r < FOLIO_AR__COUNT && ok; r++) {
        ds->attr_width[r] = width[r];
        if (!width[r])
            continue;
        ds->attr_vals[r] = malloc((nrec[r] * (size_t)width[r] + 1) * sizeof *ds->attr_vals[r]);
        if (!ds->attr_vals[r])
            return false;
        /* unknown everywhere first: a NULL string or the absent number */
        folio_attr_val blank[FOLIO_ATTR_MAX];
        for (int s = 0; s < width[r]; s++)
            blank[s].num = FOLIO_ATTR_ABSENT;
        for (int f = 0; f < ds->n_feeds; f++) {
            const folio_feed_def *def = pool->feeds[f].def;
            for (int k = 0; def && k < def->n_attrs; k++)
                if ((int)def->attrs[k].rec == r && !attrs_compact(&def->attrs[k]) &&
                    (def->attrs[k].type == FOLIO_AT_STRING ||
                     def->attrs[k].type == FOLIO_AT_CODE))
                    blank[def->attrs[k].slot].str = NULL;
        }
        for (size_t i = 0; i < nrec[r]; i++)
            memcpy(&ds->attr_vals[r][i * (size_t)width[r]], blank,
                   (size_t)width[r] * sizeof *blank);
    }
    attach_inline(ds, FOLIO_AR_CUSTOMER, ds->n_customers, sizeof *ds->customers, ds->customers,
                  offsetof(folio_customer, feed), offsetof(folio_customer, line));
    attach_inline(ds, FOLIO_AR_ACCOUNT, ds->n_accounts, sizeof *ds->accounts, ds->accounts,
                  offsetof(folio_account, feed), offsetof(folio_account, line));
    attach_inline(ds, FOLIO_AR_TXN, ds->n_txns, sizeof *ds->txns, ds->txns,
                  offsetof(folio_txn, feed), offsetof(folio_txn, line));

    /* attribute feeds: join by id */
    idmap maps[2] = { { 0 } }, rejm[2] = { { 0 } };
    bool built[2] = { false, false };
    uint32_t *first = NULL;
    for (int f = 0; f < ds->n_feeds && ok; f++) {
        feed_info *fi = &pool->feeds[f];
        const folio_feed_def *def = fi->def;
        if (!def || (def->kind != FOLIO_FEED_CUSTOMER_ATTRS &&
                     def->kind != FOLIO_FEED_ACCOUNT_ATTRS) || !def->n_attrs)
            continue;
        int rec = def->kind == FOLIO_FEED_CUSTOMER_ATTRS ? FOLIO_AR_CUSTOMER : FOLIO_AR_ACCOUNT;
        folio_field keyf = rec == FOLIO_AR_CUSTOMER ? FOLIO_F_CUSTOMER_ID : FOLIO_F_ACCOUNT_ID;
        const feed_idlist *rej = rec == FOLIO_AR_CUSTOMER ? &pool->rej_customers
                                                          : &pool->rej_accounts;
        if (!built[rec]) {
            if (!idmap_build(&maps[rec], nrec[rec], rec == FOLIO_AR_CUSTOMER ? cust_id : acct_id,
                             ds) ||
                !idmap_build(&rejm[rec], rej->n,
                             rec == FOLIO_AR_CUSTOMER ? rej_cust_id : rej_acct_id, ds)) {
                ok = false;
                break;
            }
            built[rec] = true;
        }
        free(first);
        if (!(first = calloc(nrec[rec] + 1, sizeof *first))) {
            ok = false;
            break;
        }
        const attrs_stage *st = &fi->ast;
        for (size_t i = 0; i < st->n && ok; i++) {
            const char *k = st->key[i];
            char lk[16];
            if (def->key_is_line) {
                snprintf(lk, sizeof lk, "%u", st->line[i]);
                k = lk;
            }
            long idx = idmap_get(&maps[rec], k);
            char reason[400];
            if (idx < 0) {
                bool was = idmap_get(&rejm[rec], k) >= 0;
                snprintf(reason, sizeof reason, was ? "%s '%s' rejected" : "unknown %s '%s'",
                         was ? REC_WORDS[rec] : job_field_key(keyf), k);
                ok = feed_reject_add(ds, (uint16_t)f, st->line[i], keyf, reason);
                continue;
            }
            if (first[idx]) {
                snprintf(reason, sizeof reason, "duplicate %s '%s' (first at %s:%u)",
                         job_field_key(keyf), k, fi->fname ? fi->fname : "?", first[idx]);
                ok = feed_reject_add(ds, (uint16_t)f, st->line[i], keyf, reason);
                continue;
            }
            first[idx] = st->line[i];
            copy_row(&ds->attr_vals[rec][(size_t)idx * (size_t)width[rec]], NULL, def,
                     &st->v[i * (size_t)def->n_attrs]);
        }
    }
    free(first);
    for (int r = 0; r < 2; r++) {
        free(maps[r].key);
        free(maps[r].val);
        free(rejm[r].key);
        free(rejm[r].val);
    }
    for (int f = 0; f < ds->n_feeds; f++)
        attrs_stage_free(&pool->feeds[f].ast);
    return ok;
}

/* ---- reading -------------------------------------------------------------- */

folio_attr_val attrs_value(const folio_dataset *ds, const folio_attr_def *a, uint32_t index)
{
    if (attrs_compact(a)) {   /* issue 10 audit: the code's index in its list */
        folio_attr_val v = { .str = NULL };
        uint16_t x = ds->attr_codes
                         ? ds->attr_codes[(size_t)index * (size_t)ds->attr_code_width +
                                          (size_t)a->slot]
                         : 0xFFFF;
        if (x < a->code_list->n_values)
            v.str = a->code_list->values[x].code;
        return v;
    }
    return ds->attr_vals[a->rec][(size_t)index * (size_t)ds->attr_width[a->rec] + (size_t)a->slot];
}

bool attrs_loaded(const folio_dataset *ds, const folio_attr_def *a)
{
    return attrs_compact(a) ? ds->attr_codes != NULL : ds->attr_vals[a->rec] != NULL;
}

/* issue 10 (gaps): the text of code-list value `code` in language `lang`
 * (a code, NULL = the list's first language). */
static const char *decode(const folio_attr_def *a, const char *code, const char *lang)
{
    int x = codes_find(a->code_list, code, strlen(code));
    return x < 0 ? code : codes_value_text(&a->code_list->values[x],
                                           codes_lang_index(a->codes, lang));
}

static void g_attr(const folio_rule_ctx *ctx, const folio_rule_field *f, uint32_t i,
                   folio_rule_value *out)
{
    const folio_attr_def *a = f->user;
    if (!attrs_loaded(ctx->ds, a)) {
        out->absent = true;
        out->str = "";
        return;
    }
    folio_attr_val v = attrs_value(ctx->ds, a, i);
    switch (a->type) {
    case FOLIO_AT_STRING:
    case FOLIO_AT_CODE:
        out->str = v.str ? v.str : "";
        if (v.str && a->code_list) {
            /* decoded in the household's statement language, as the
             * transaction's description is (rules-fields.c) */
            const char *lang = NULL;
            if (ctx->hs && ctx->hh < ctx->hs->n) {
                const folio_household *h = &ctx->hs->v[ctx->hh];
                if (h->n_customers)
                    lang = ctx->ds->customers[ctx->hs->customer_idx[h->first_customer]]
                               .language;
            }
            out->str = decode(a, v.str, lang);
        }
        out->len = (uint32_t)strlen(out->str);
        out->absent = !v.str;
        return;
    default:
        break;
    }
    if (v.num == FOLIO_ATTR_ABSENT) {
        out->absent = true;
        return;
    }
    if (a->type == FOLIO_AT_MONEY) {
        out->num = rules_number_from_money(v.num, a->minor_digits, &out->inexact);
        /* issue 10 part 6: an account's (transaction's) money is in the
         * account's currency; a customer's in its feed's (as printed) */
        if (a->rec == FOLIO_AR_ACCOUNT)
            out->ccy = ctx->ds->accounts[i].currency;
        else if (a->rec == FOLIO_AR_TXN)
            out->ccy = ctx->ds->accounts[ctx->ds->txns[i].account].currency;
        else if (ctx->job)
            out->ccy = a->feed >= 0 && a->feed < ctx->job->n_feeds &&
                       ctx->job->feeds[a->feed].currency && ctx->job->feeds[a->feed].currency[0]
                           ? ctx->job->feeds[a->feed].currency
                           : ctx->job->currency && ctx->job->currency[0] ? ctx->job->currency
                                                                         : "USD";
    } else
        out->num = a->type == FOLIO_AT_BOOL ? (v.num != 0) : v.num;
}

size_t attrs_money_text(const folio_job *job, const folio_dataset *ds, const folio_layout *L,
                        const folio_attr_def *a, uint32_t rec, char *buf, size_t cap)
{
    buf[0] = 0;
    folio_attr_val v = attrs_value(ds, a, rec);
    if (v.num == FOLIO_ATTR_ABSENT)
        return 0;
    const char *cur = NULL;
    if (a->rec == FOLIO_AR_ACCOUNT)
        cur = ds->accounts[rec].currency;
    else if (a->rec == FOLIO_AR_TXN)
        cur = ds->accounts[ds->txns[rec].account].currency;
    else if (a->feed >= 0 && a->feed < job->n_feeds)
        cur = job->feeds[a->feed].currency;
    if (!cur || !cur[0])
        cur = job->currency && job->currency[0] ? job->currency : "USD";
    size_t n = currency_format(L, cur, v.num, a->minor_digits, true, buf, cap);
    return n < cap ? n : cap - 1;
}

size_t attrs_format(const folio_attr_def *a, folio_attr_val v, const folio_attr_fmt *fmt,
                    char *buf, size_t cap, const char **s)
{
    *s = buf;
    buf[0] = 0;
    if (a->type == FOLIO_AT_STRING || a->type == FOLIO_AT_CODE) {
        *s = v.str ? v.str : "";
        if (v.str && a->code_list)   /* issue 10 (gaps): decoded */
            *s = decode(a, v.str, fmt ? fmt->language : NULL);
        return strlen(*s);
    }
    if (v.num == FOLIO_ATTR_ABSENT)
        return 0;
    size_t n = 0;
    switch (a->type) {
    case FOLIO_AT_NUMBER: {
        char t[48];
        size_t k = folio_money_format(v.num, 4, fmt && fmt->money_decimal ? fmt->money_decimal
                                                                          : '.',
                                      0, t, sizeof t);
        while (k > 0 && t[k - 1] == '0')
            k--;
        if (k > 0 && (t[k - 1] == '.' || t[k - 1] == ','))
            k--;
        t[k] = 0;
        n = (size_t)snprintf(buf, cap, "%s", t);
        break;
    }
    case FOLIO_AT_MONEY: {
        char t[48];
        folio_money_format(v.num, a->minor_digits, fmt ? fmt->money_decimal : '.',
                           fmt ? fmt->money_group : ',', t, sizeof t);
        const char *sym = fmt && fmt->currency_symbol ? fmt->currency_symbol : "";
        n = t[0] == '-' ? (size_t)snprintf(buf, cap, "-%s%s", sym, t + 1)
                        : (size_t)snprintf(buf, cap, "%s%s", sym, t);
        break;
    }
    case FOLIO_AT_DATE:
        n = folio_date_format((folio_date)v.num,
                              fmt && fmt->date_format ? fmt->date_format : "YYYY-MM-DD", buf,
                              cap);
        break;
    case FOLIO_AT_BOOL:
        n = (size_t)snprintf(buf, cap, "%s", v.num ? "yes" : "no");
        break;
    default:
        break;
    }
    return n < cap ? n : cap - 1;
}
