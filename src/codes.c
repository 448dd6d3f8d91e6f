/* SPDX-License-Identifier: Apache-2.0 */
/*
 * codes.c -- code lists and description templates (issue 10 part 4).
 *
 * Order of work: job_load() reads `codes:` (codes_options_read) before the
 * feeds, so a feed's `description:` template (codes_template_read) can tell a
 * code-list placeholder from a column one; codes_check_feeds() checks the
 * lists' `feeds:` once every feed is known.  run.c binds the lists to the
 * layout's languages (codes_bind_layout) before any feed is read, so a
 * missing translation stops the job with exit 2, never prints a blank.  The
 * loader (feed-parse.c) looks every applicable column up per row
 * (codes_find: binary search over the sorted values) and renders the
 * description (codes_render), one text per language, packed (codes.h).
 *
 * Blank parts.  A placeholder is blank when its value (or translation) is
 * empty or only spaces; values are trimmed of surrounding spaces and tabs.
 * Blank placeholders are dropped with their separators: between two printed
 * values the first separator made only of spaces that lay between them is
 * kept (spaces separate groups), else the first one ("{bank}/{account}"
 * keeps "/" only when both sides print); the text before the first
 * placeholder and after the last prints only when some placeholder does.
 */
#include "folio/codes.h"
#include "folio/feed.h"
#include "folio/job.h"
#include "folio/layout.h"
#include "yamltree.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

static const char *const LIST_KEYS[] = { "column", "feeds", "values", NULL };

static bool oom(yt_doc *d)
{
    folio_error_set(d->err, FOLIO_EXIT_FAILED, "%s: out of memory", d->path);
    return false;
}

static int cmp_value(const void *a, const void *b)
{
    const folio_code_value *x = a, *y = b;
    return strcmp(x->code, y->code);
}

static int lang_add(yt_doc *d, folio_codes *c, const yt_node *k)
{
    for (int i = 0; i < c->n_langs; i++)
        if (!strcmp(c->langs[i], k->str))
            return i;
    const char *s = k->str;
    size_t n = strlen(s);
    bool ok = n >= 2 && n <= 3;
    for (size_t i = 0; ok && i < n; i++)
        ok = s[i] >= 'a' && s[i] <= 'z';
    if (!ok) {
        yt_fail(d, k, "'%.20s' is not an ISO 639 language code in lower case (\"en\", \"cs\")",
                s);
        return -1;
    }
    if (c->n_langs >= FOLIO_CODES_MAX_LANGS) {
        yt_fail(d, k, "code lists translate into more than %d languages",
                FOLIO_CODES_MAX_LANGS);
        return -1;
    }
    char **v = realloc(c->langs, (size_t)(c->n_langs + 1) * sizeof *v);
    if (!v) {
        oom(d);
        return -1;
    }
    c->langs = v;
    if (!(v[c->n_langs] = strdup(s))) {
        oom(d);
        return -1;
    }
    return c->n_langs++;
}

/* values: {CODE: text | {lang: text}} */
static bool read_values(yt_doc *d, folio_codes *c, folio_code_list *l, const yt_node *vs,
                        const char *where)
{
    if (!yt_expect_map(d, vs, where))
        return false;
    if (vs->n == 0)
        return yt_fail(d, vs, "'%s' must list at least one value", where);
    l->values = calloc((size_t)vs->n, sizeof *l->values);
    if (!l->values)
        return oom(d);
    for (int i = 0; i < vs->n; i++) {
        const yt_node *k = vs->keys[i], *v = vs->items[i];
        folio_code_value *cv = &l->values[l->n_values++];
        cv->line = k->line;
        cv->col = k->col;
        /* the feed's value is trimmed of surrounding spaces: so is the key */
        const char *s = k->str;
        size_t n = strlen(s);
        while (n && (*s == ' ' || *s == '\t'))
            s++, n--;
        while (n && (s[n - 1] == ' ' || s[n - 1] == '\t'))
            n--;
        if (!(cv->code = strndup(s, n)))
            return oom(d);
        char name[700];
        snprintf(name, sizeof name, "%s.%.300s", where, cv->code);
        if (v->kind == YT_SCALAR) {
            if (!(cv->plain = strdup(v->is_null ? "" : v->str)))
                return oom(d);
            continue;
        }
        if (v->kind != YT_MAP || v->n == 0)
            return yt_fail(d, v, "'%s' must be a text or a map {language: text}", name);
        for (int j = 0; j < v->n; j++) {
            if (v->items[j]->kind != YT_SCALAR)
                return yt_fail(d, v->items[j], "'%s.%s' must be a text, got %s", name,
                               v->keys[j]->str, yt_kind_name(v->items[j]));
            if (lang_add(d, c, v->keys[j]) < 0)
                return false;
        }
    }
    /* texts per language, now that the language list is complete for this
     * list (later lists may add languages: grown in codes_options_read) */
    qsort(l->values, (size_t)l->n_values, sizeof *l->values, cmp_value);
    for (int i = 1; i < l->n_values; i++)
        if (!strcmp(l->values[i].code, l->values[i - 1].code)) {
            const folio_code_value *a = &l->values[i - 1], *b = &l->values[i];
            if (a->line > b->line || (a->line == b->line && a->col > b->col))
                a = &l->values[i], b = &l->values[i - 1];
            return yt_fail_at(d, b->line, b->col, "'%s' lists the value '%s' twice (first "
                              "at line %d; values are compared without surrounding spaces)",
                              where, b->code, a->line);
        }
    return true;
}

/* Fill cv->text for every language once all lists are read. */
static bool fill_texts(yt_doc *d, folio_codes *c, folio_code_list *l, const yt_node *vs)
{
    for (int i = 0; i < vs->n; i++) {
        const yt_node *k = vs->keys[i], *v = vs->items[i];
        if (v->kind != YT_MAP)
            continue;
        folio_code_value *cv = NULL;
        for (int j = 0; j < l->n_values && !cv; j++)
            if (l->values[j].line == k->line && l->values[j].col == k->col)
                cv = &l->values[j];
        if (!cv)
            continue;
        if (!(cv->text = calloc((size_t)c->n_langs, sizeof *cv->text)))
            return oom(d);
        for (int j = 0; j < v->n; j++)
            for (int g = 0; g < c->n_langs; g++)
                if (!strcmp(c->langs[g], v->keys[j]->str)
                    && !(cv->text[g] = strdup(v->items[j]->is_null ? "" : v->items[j]->str)))
                    return oom(d);
    }
    return true;
}

/* codes_options_read: see codes.h. */
bool codes_options_read(yt_doc *d, const yt_node *root, folio_codes **out)
{
    *out = NULL;
    const yt_node *cs = yt_child(d, root, "", "codes", false);
    if (!cs)
        return true;
    if (!yt_expect_map(d, cs, "codes"))
        return false;
    folio_codes *c = calloc(1, sizeof *c);
    if (!c)
        return oom(d);
    *out = c;
    c->fallback = -1;
    if (cs->n > 256)
        return yt_fail(d, cs, "more than 256 code lists");
    if (!(c->lists = calloc((size_t)cs->n + 1, sizeof *c->lists)))
        return oom(d);
    for (int i = 0; i < cs->n; i++) {
        const yt_node *k = cs->keys[i], *ln = cs->items[i];
        folio_code_list *l = &c->lists[c->n_lists++];
        l->line = k->line;
        l->col = k->col;
        if (!(l->name = strdup(k->str)))
            return oom(d);
        char where[300], vw[320];
        snprintf(where, sizeof where, "codes.%s", l->name);
        if (!*l->name || strpbrk(l->name, "{}"))
            return yt_fail(d, k, "a code list name must not be empty or hold '{' or '}'");
        if (!yt_expect_map(d, ln, where) || !yt_check_keys(d, ln, where, LIST_KEYS))
            return false;
        if (yt_str(d, ln, where, "column", true, &l->column) < 0
            || yt_strv(d, ln, where, "feeds", false, &l->feeds, &l->n_feeds) < 0)
            return false;
        if (!*l->column)
            return yt_fail(d, yt_get(ln, "column"), "'%s.column' must name a header column",
                           where);
        snprintf(vw, sizeof vw, "%s.values", where);
        const yt_node *vs = yt_child(d, ln, where, "values", true);
        if (!vs || !read_values(d, c, l, vs, vw))
            return false;
    }
    for (int i = 0; i < c->n_lists; i++)
        if (!fill_texts(d, c, &c->lists[i], yt_get(cs->items[i], "values")))
            return false;
    return true;
}

void codes_free(folio_codes *c)
{
    if (!c)
        return;
    for (int i = 0; i < c->n_lists; i++) {
        folio_code_list *l = &c->lists[i];
        for (int j = 0; j < l->n_values; j++) {
            folio_code_value *v = &l->values[j];
            free(v->code);
            free(v->plain);
            if (v->text)
                for (int g = 0; g < c->n_langs; g++)
                    free(v->text[g]);
            free(v->text);
        }
        free(l->values);
        free(l->name);
        free(l->column);
        yt_strv_free(l->feeds, l->n_feeds);
    }
    free(c->lists);
    yt_strv_free(c->langs, c->n_langs);
    free(c);
}

/* ---- templates ------------------------------------------------------------ */

static bool buf_add(char **b, size_t *n, size_t *cap, const char *s, size_t k)
{
    if (*n + k + 1 > *cap) {
        size_t nc = *cap ? *cap * 2 : 64;
        while (nc < *n + k + 1)
            nc *= 2;
        char *p = realloc(*b, nc);
        if (!p)
            return false;
        *b = p;
        *cap = nc;
    }
    memcpy(*b + *n, s, k);
    *n += k;
    (*b)[*n] = 0;
    return true;
}

/* codes_template_read: see codes.h.  "{name}" is a placeholder, "{{" and
 * "}}" a literal brace. */
bool codes_template_read(yt_doc *d, const folio_codes *codes, const yt_node *n,
                         const char *where, folio_desc_template **out)
{
    *out = NULL;
    if (n->kind != YT_SCALAR)
        return yt_fail(d, n, "'%s' must be a text template such as \"{operation} {account}\", "
                       "got %s", where, yt_kind_name(n));
    folio_desc_template *t = calloc(1, sizeof *t);
    if (!t)
        return oom(d);
    *out = t;
    t->line = n->line;
    t->col = n->col;
    if (!(t->text = strdup(n->str)))
        return oom(d);
    char *lit = NULL;
    size_t ln = 0, lcap = 0;
    const char *s = n->str;
    if (!buf_add(&lit, &ln, &lcap, "", 0))
        return oom(d);
    for (size_t i = 0; s[i];) {
        if ((s[i] == '{' && s[i + 1] == '{') || (s[i] == '}' && s[i + 1] == '}')) {
            if (!buf_add(&lit, &ln, &lcap, s + i, 1))
                goto nomem;
            i += 2;
            continue;
        }
        if (s[i] == '}') {
            free(lit);
            return yt_fail_at(d, n->line, yt_col_at(n, i), "'%s': a lone '}' (write '}}' for "
                              "a brace)", where);
        }
        if (s[i] != '{') {
            if (!buf_add(&lit, &ln, &lcap, s + i, 1))
                goto nomem;
            i++;
            continue;
        }
        const char *e = strchr(s + i + 1, '}');
        size_t k = e ? (size_t)(e - (s + i + 1)) : 0;
        if (!e || k == 0 || memchr(s + i + 1, '{', k)) {
            free(lit);
            return yt_fail_at(d, n->line, yt_col_at(n, i), "'%s': '{' opens no placeholder "
                              "(write {column} or {code_list}; '{{' for a brace)", where);
        }
        folio_tpl_part *p = realloc(t->parts, (size_t)(t->n_parts + 1) * sizeof *p);
        if (!p)
            goto nomem;
        t->parts = p;
        p = &t->parts[t->n_parts++];
        p->lit = lit;
        p->name = strndup(s + i + 1, k);
        p->list = -1;
        lit = NULL;
        ln = lcap = 0;
        if (!p->name || !buf_add(&lit, &ln, &lcap, "", 0))
            goto nomem;
        for (int l = 0; codes && l < codes->n_lists; l++)
            if (!strcmp(codes->lists[l].name, p->name))
                p->list = l;
        i += k + 2;
    }
    t->tail = lit;
    if (t->n_parts == 0)
        return yt_fail(d, n, "'%s' has no placeholder: name a column or a code list in "
                       "braces, e.g. \"{operation} {account}\"", where);
    if (t->n_parts > 32)
        return yt_fail(d, n, "'%s' has more than 32 placeholders", where);
    return true;
nomem:
    free(lit);
    return oom(d);
}

void codes_template_free(folio_desc_template *t)
{
    if (!t)
        return;
    for (int i = 0; i < t->n_parts; i++) {
        free(t->parts[i].lit);
        free(t->parts[i].name);
    }
    free(t->parts);
    free(t->tail);
    free(t->text);
    free(t);
}

/* codes_check_feeds: see codes.h. */
bool codes_check_feeds(yt_doc *d, const yt_node *root, const folio_job *job)
{
    const folio_codes *c = job->codes;
    if (!c)
        return true;
    const yt_node *cs = yt_get(root, "codes");
    for (int i = 0; i < c->n_lists; i++) {
        const folio_code_list *l = &c->lists[i];
        const yt_node *fn = cs ? yt_get(cs->items[i], "feeds") : NULL;
        for (int k = 0; k < l->n_feeds; k++) {
            const folio_feed_def *f = NULL;
            for (int j = 0; j < job->n_feeds && !f; j++)
                if (!strcmp(job->feeds[j].name, l->feeds[k]))
                    f = &job->feeds[j];
            const yt_node *at = fn && k < fn->n ? fn->items[k] : NULL;
            if (!f)
                return yt_fail(d, at, "'codes.%s.feeds' names '%s', which is not a feed of "
                               "the job", l->name, l->feeds[k]);
            if (f->kind != FOLIO_FEED_TRANSACTIONS && f->kind != FOLIO_FEED_ACCOUNTS)
                return yt_fail(d, at, "'codes.%s.feeds' names '%s', which is not a "
                               "transactions or accounts feed (code lists apply to "
                               "transactions and accounts)", l->name, l->feeds[k]);
        }
    }
    return true;
}

/* codes_list_applies: see codes.h. */
bool codes_list_applies(const folio_code_list *l, const folio_feed_def *def)
{
    if (def->kind != FOLIO_FEED_TRANSACTIONS)
        return false;
    if (l->n_feeds == 0)
        return true;
    for (int k = 0; k < l->n_feeds; k++)
        if (def->name && !strcmp(l->feeds[k], def->name))
            return true;
    return false;
}

/* codes_list_attaches: see codes.h (issue 10 gaps: lists as fields). */
bool codes_list_attaches(const folio_code_list *l, const folio_feed_def *def)
{
    if (def->kind == FOLIO_FEED_TRANSACTIONS)
        return codes_list_applies(l, def);
    if (def->kind != FOLIO_FEED_ACCOUNTS)
        return false;
    for (int k = 0; k < l->n_feeds; k++)
        if (def->name && !strcmp(l->feeds[k], def->name))
            return true;
    return false;
}

/* ---- languages ------------------------------------------------------------ */

static int lang_find(const folio_codes *c, const char *code)
{
    if (!code)
        return -1;
    size_t n = strcspn(code, "-_");
    for (int i = 0; i < c->n_langs; i++)
        if (strlen(c->langs[i]) == n && !strncasecmp(c->langs[i], code, n))
            return i;
    return -1;
}

/* codes_bind_layout: see codes.h. */
bool codes_bind_layout(folio_codes *c, const char *job_path, const folio_layout *layout,
                       folio_error *err)
{
    c->n_printed = 0;
    for (int i = 0; i < layout->n_languages && i < FOLIO_CODES_MAX_LANGS; i++)
        c->printed[c->n_printed++] = lang_find(c, layout->languages[i]);
    c->fallback = c->n_printed ? c->printed[0] : -1;
    for (int i = 0; i < c->n_lists; i++) {
        const folio_code_list *l = &c->lists[i];
        for (int j = 0; j < l->n_values; j++) {
            const folio_code_value *v = &l->values[j];
            if (!v->text)
                continue;
            for (int p = 0; p < c->n_printed; p++)
                if (c->printed[p] < 0 || !v->text[c->printed[p]]) {
                    folio_error_set(err, FOLIO_EXIT_USAGE,
                                    "%s:%d:%d: code list '%s': value '%s' has no '%s' text, "
                                    "and the layout prints '%s' statements (write the "
                                    "translation, or one plain text for every language)",
                                    job_path, v->line, v->col, l->name, v->code,
                                    layout->languages[p], layout->languages[p]);
                    return false;
                }
        }
    }
    c->bound = true;
    return true;
}

/* codes_lang_index: see codes.h. */
int codes_lang_index(const folio_codes *c, const char *code)
{
    if (!c || c->n_langs == 0)
        return 0;
    int i = lang_find(c, code);
    if (!c->bound)
        return i < 0 ? 0 : i;
    for (int p = 0; i >= 0 && p < c->n_printed; p++)
        if (c->printed[p] == i)
            return i;
    return c->fallback < 0 ? 0 : c->fallback;
}

/* codes_find: see codes.h. */
int codes_find(const folio_code_list *l, const char *s, size_t n)
{
    int lo = 0, hi = l->n_values - 1;
    while (lo <= hi) {
        int mid = (lo + hi) / 2;
        const char *v = l->values[mid].code;
        int c = strncmp(v, s, n);
        if (c == 0 && v[n])
            c = 1;
        if (c == 0 && memchr(s, 0, n))
            return -1;
        if (c == 0)
            return mid;
        if (c < 0)
            lo = mid + 1;
        else
            hi = mid - 1;
    }
    return -1;
}

/* codes_value_text: see codes.h. */
const char *codes_value_text(const folio_code_value *v, int lang)
{
    if (v->plain)
        return v->plain;
    if (v->text && lang >= 0 && v->text[lang])
        return v->text[lang];
    return "";
}

/* codes_txn_text: see codes.h. */
const char *codes_txn_text(const folio_txn *t, int lang)
{
    const char *s = t->description ? t->description : "";
    if (t->desc_langs <= 1 || lang <= 0)
        return s;
    if (lang >= t->desc_langs)
        lang = 0;
    for (int i = 0; i < lang; i++)
        s += strlen(s) + 1;
    return s;
}

/* ---- rendering -------------------------------------------------------------- */

static void trim(const char **s, size_t *n)
{
    while (*n && (**s == ' ' || **s == '\t'))
        (*s)++, (*n)--;
    while (*n && ((*s)[*n - 1] == ' ' || (*s)[*n - 1] == '\t'))
        (*n)--;
}

static bool spaces_only(const char *s)
{
    for (; *s; s++)
        if (*s != ' ')
            return false;
    return true;
}

/* Append the description in language `lang` to buf (see "Blank parts"). */
static bool render_one(const folio_codes *c, const folio_desc_template *t,
                       const char *const *vals, const size_t *lens, const int *idx, int lang,
                       char **buf, size_t *n, size_t *cap)
{
    bool first = true;
    const char *sep = NULL;
    for (int k = 0; k < t->n_parts; k++) {
        const folio_tpl_part *p = &t->parts[k];
        if (k > 0 && !first && (!sep || (!spaces_only(sep) && spaces_only(p->lit))))
            sep = p->lit;
        const char *v = vals[k];
        size_t vn = lens[k];
        if (p->list >= 0 && idx[k] >= 0) {
            v = codes_value_text(&c->lists[p->list].values[idx[k]], lang);
            vn = strlen(v);
        }
        trim(&v, &vn);
        if (vn == 0)
            continue;
        const char *before = first ? t->parts[0].lit : sep;
        if (!buf_add(buf, n, cap, before, strlen(before)) || !buf_add(buf, n, cap, v, vn))
            return false;
        first = false;
        sep = NULL;
    }
    if (!first && !buf_add(buf, n, cap, t->tail, strlen(t->tail)))
        return false;
    return true;
}

/* codes_render: see codes.h. */
int codes_render(const folio_codes *c, const folio_desc_template *t,
                 const char *const *vals, const size_t *lens, const int *codes_idx,
                 char **buf, size_t *cap, size_t *len)
{
    bool translated = false;
    for (int k = 0; k < t->n_parts && !translated; k++)
        if (t->parts[k].list >= 0 && codes_idx[k] >= 0
            && c->lists[t->parts[k].list].values[codes_idx[k]].text)
            translated = true;
    int nl = translated ? c->n_langs : 1;
    size_t n = 0, first_len = 0;
    bool same = true;
    for (int l = 0; l < nl; l++) {
        size_t at = n;
        if (l > 0 && !buf_add(buf, &n, cap, "", 1))   /* the NUL between two texts */
            return -1;
        if (l > 0)
            at = n;
        if (!render_one(c, t, vals, lens, codes_idx, l, buf, &n, cap))
            return -1;
        if (l == 0)
            first_len = n;
        else if (n - at != first_len || memcmp(*buf + at, *buf, first_len))
            same = false;
    }
    if (n == 0 && !buf_add(buf, &n, cap, "", 0))
        return -1;
    if (nl == 1 || same) {
        *len = first_len;
        return 0;
    }
    *len = n;
    return nl;
}
