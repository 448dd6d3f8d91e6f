/* SPDX-License-Identifier: Apache-2.0 */
/*
 * paragraphs.c -- the paragraph library (see include/folio/paragraphs.h and
 * docs/paragraphs.md).
 *
 * The file is read with yamltree, so every message is "path:line:col: ..."
 * and every key is checked against its list before anything is read:
 *
 *   paragraphs:
 *     - id: legal-ca                     # [a-z0-9_-], unique
 *       version: 2                       # >= 1; audit and coverage say id@version
 *       approved: {by: "...", date: 2026-09-14}   # optional
 *       condition: state == "CA"         # optional rule (docs/rules.md)
 *       text:                            # wording per language
 *         en: "..."
 *         es: "..."
 *
 * Conditions are compiled once here against the default rules catalogue and
 * must be bool; texts are parsed into templates (merge fields checked).
 */
#include "folio/attrs.h"
#include "folio/paragraphs.h"
#include "yamltree.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_PARAGRAPHS 4096
#define MAX_TEXT 6000           /* bytes of one wording; merge fields expand it */

static const char *const TOP_KEYS[] = { "paragraphs", NULL };
static const char *const PARA_KEYS[] = { "id", "version", "approved", "condition",
                                         "text", NULL };
static const char *const APPROVED_KEYS[] = { "by", "date", NULL };

typedef struct ploader {
    yt_doc *d;
    folio_paragraphs *lib;
    const char *const *langs;
    int n_langs;
    const folio_attrs *attrs;     /* issue 10 part 1 */
} ploader;

static bool p_oom(ploader *pl)
{
    folio_error_set(pl->d->err, FOLIO_EXIT_FAILED, "%s: out of memory", pl->d->path);
    return false;
}

static bool add_warning(ploader *pl, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
static bool add_warning(ploader *pl, const char *fmt, ...)
{
    char buf[600];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(buf, sizeof buf, fmt, ap);
    va_end(ap);
    folio_paragraphs *lib = pl->lib;
    char **w = realloc(lib->warnings, (size_t)(lib->n_warnings + 1) * sizeof *w);
    if (!w)
        return p_oom(pl);
    lib->warnings = w;
    if (!(w[lib->n_warnings] = strdup(buf)))
        return p_oom(pl);
    lib->n_warnings++;
    return true;
}

/* Where a rule text sits in the file (single-line scalars exactly; block
 * scalars at the node). */
static folio_rule_source rule_src(const ploader *pl, const yt_node *n)
{
    folio_rule_source s = { pl->d->path, n->line, n->raw_one_line ? n->text_col : n->col,
                            n->col };
    return s;
}

/* Parse wording node n into *out; merge-field errors at their column. */
static bool parse_text(ploader *pl, const yt_node *n, const char *name, folio_template *out,
                       bool *uses_account)
{
    if (n->kind != YT_SCALAR || n->is_null || !n->len)
        return yt_fail(pl->d, n, "'%s' must be a non-empty text, got %s", name,
                       n->kind == YT_SCALAR ? "nothing" : yt_kind_name(n));
    if (n->len > MAX_TEXT)
        return yt_fail(pl->d, n, "'%s' is %zu bytes long, more than %d", name, n->len,
                       MAX_TEXT);
    int bad = 0;
    char bn[128];
    if (!layout_template_parse_attrs(n->str, pl->attrs, out, &bad, bn, sizeof bn)) {
        if (bad < 0)
            return p_oom(pl);
        int col = yt_col_at(n, (size_t)bad);
        if (n->str[bad] == '}')
            return yt_fail_at(pl->d, n->line, col, "'%s': unmatched '}' (write }} for a "
                              "literal brace)", name);
        if (!strchr(n->str + bad, '}'))
            return yt_fail_at(pl->d, n->line, col, "'%s': unterminated '{' (write {{ for "
                              "a literal brace)", name);
        char known[900];
        size_t o = 0;
        known[0] = 0;
        for (int f = 1; f < FOLIO_M__COUNT; f++) {
            if (f == FOLIO_M_PAGE || f == FOLIO_M_PAGES)
                continue;
            if (!folio_str_appendf(known, sizeof known, &o, "%s%s", o ? ", " : "",
                                   layout_merge_field_name((folio_merge_field)f)))
                break;
        }
        return yt_fail_at(pl->d, n->line, col, "'%s': unknown merge field {%s} (known: %s)",
                          name, bn, known);
    }
    if (out->has_page_fields) {
        const char *at = strstr(n->str, "{page");
        layout_template_free(out);
        return yt_fail_at(pl->d, n->line, yt_col_at(n, at ? (size_t)(at - n->str) : 0),
                          "'%s': {page} and {pages} cannot be used in a paragraph (it "
                          "flows with the body; put page numbers in header or footer)",
                          name);
    }
    for (int i = 0; i < out->n_segs; i++)
        if (layout_merge_field_is_account((folio_merge_field)out->segs[i].field))
            *uses_account = true;
    return true;
}

static bool valid_id(const char *s)
{
    if (!*s)
        return false;
    for (; *s; s++)
        if (!((*s >= 'a' && *s <= 'z') || (*s >= '0' && *s <= '9') || *s == '-'
              || *s == '_' || *s == '.'))
            return false;
    return true;
}

static bool read_paragraph(ploader *pl, const yt_node *it, int i)
{
    folio_paragraphs *lib = pl->lib;
    folio_paragraph *p = &lib->v[i];
    char w[48];
    snprintf(w, sizeof w, "paragraphs[%d]", i);
    p->line = it->line;
    p->col = it->col;
    p->approved_date = FOLIO_DATE_NONE;
    int64_t ver = 0;
    if (!yt_expect_map(pl->d, it, w) || !yt_check_keys(pl->d, it, w, PARA_KEYS)
        || yt_str(pl->d, it, w, "id", true, &p->id) < 0
        || yt_int(pl->d, it, w, "version", true, 1, 1000000, &ver) < 0)
        return false;
    p->version = (int32_t)ver;
    if (!valid_id(p->id))
        return yt_fail(pl->d, yt_get(it, "id"), "'%s.id' must be lower-case letters, "
                       "digits, '-', '_' or '.', got '%.60s'", w, p->id);
    for (int k = 0; k < i; k++)
        if (!strcmp(lib->v[k].id, p->id))
            return yt_fail(pl->d, yt_get(it, "id"), "duplicate paragraph id '%s' (first "
                           "at line %d)", p->id, lib->v[k].line);
    const yt_node *ap = yt_child(pl->d, it, w, "approved", false);
    if (ap) {
        char aw[64];
        snprintf(aw, sizeof aw, "%s.approved", w);
        if (!yt_expect_map(pl->d, ap, aw) || !yt_check_keys(pl->d, ap, aw, APPROVED_KEYS)
            || yt_str(pl->d, ap, aw, "by", false, &p->approved_by) < 0
            || yt_date(pl->d, ap, aw, "date", false, &p->approved_date) < 0)
            return false;
    } else if (pl->d->err->code) {
        return false;
    }
    const yt_node *cn = yt_child(pl->d, it, w, "condition", false);
    if (cn) {
        if (cn->kind != YT_SCALAR)
            return yt_fail(pl->d, cn, "'%s.condition' must be a rule (text), got %s", w,
                           yt_kind_name(cn));
        folio_rule_source src = rule_src(pl, cn);
        p->condition = rules_compile(cn->str, cn->len, attrs_catalog(pl->attrs),
                                     FOLIO_RT_BOOL, &src,
                                     pl->d->err);
        if (!p->condition)
            return false;
    } else if (pl->d->err->code) {
        return false;
    }
    char tw[64];
    snprintf(tw, sizeof tw, "%s.text", w);
    const yt_node *t = yt_child(pl->d, it, w, "text", true);
    if (!t || !yt_expect_map(pl->d, t, tw))
        return false;
    p->text = calloc((size_t)pl->n_langs, sizeof *p->text);
    p->has = calloc((size_t)pl->n_langs, 1);
    if (!p->text || !p->has)
        return p_oom(pl);
    for (int k = 0; k < t->n; k++) {
        const char *lang = t->keys[k]->str;
        int l = -1;
        for (int j = 0; j < pl->n_langs; j++)
            if (!strcmp(pl->langs[j], lang))
                l = j;
        if (l < 0) {
            char list[256];
            size_t o = 0;
            list[0] = 0;
            for (int j = 0; j < pl->n_langs; j++)
                if (!folio_str_appendf(list, sizeof list, &o, "%s%s", j ? ", " : "",
                                       pl->langs[j]))
                    break;
            return yt_fail(pl->d, t->keys[k], "'%s': language '%.20s' is not one the "
                           "layout prints (languages: %s)", tw, lang, list);
        }
        char name[96];
        snprintf(name, sizeof name, "%s.%s", tw, lang);
        if (!parse_text(pl, t->items[k], name, &p->text[l], &p->uses_account))
            return false;
        p->has[l] = 1;
    }
    if (!p->has[0])
        return yt_fail(pl->d, t, "'%s' has no wording in the fallback language '%s'", tw,
                       pl->langs[0]);
    for (int l = 1; l < pl->n_langs; l++)
        if (!p->has[l] && !add_warning(pl, "%s:%d:%d: warning: paragraph %s@%d has no "
                                       "'%s' wording; '%s' is used", pl->d->path, t->line,
                                       t->col, p->id, p->version, pl->langs[l],
                                       pl->langs[0]))
            return false;
    return true;
}

/* paragraphs_load: see paragraphs.h. */
folio_paragraphs *paragraphs_load(const char *path, const char *const *languages,
                                  int n_languages, folio_error *err)
{
    return paragraphs_load_attrs(path, languages, n_languages, NULL, err);
}

folio_paragraphs *paragraphs_load_attrs(const char *path, const char *const *languages,
                                        int n_languages, const folio_attrs *attrs,
                                        folio_error *err)
{
    folio_paragraphs *lib = calloc(1, sizeof *lib);
    if (!lib || !(lib->path = strdup(path)) || n_languages < 1) {
        paragraphs_free(lib);
        folio_error_set(err, FOLIO_EXIT_FAILED, "%s: out of memory", path);
        return NULL;
    }
    lib->n_languages = n_languages;
    ploader pl = { .lib = lib, .langs = languages, .n_langs = n_languages, .attrs = attrs };
    pl.d = yt_load(path, err);
    bool ok = pl.d != NULL;
    if (ok) {
        lib->input = pl.d->input;
        const yt_node *root = pl.d->root;
        const yt_node *ps = NULL;
        ok = yt_expect_map(pl.d, root, "the paragraph library")
             && yt_check_keys(pl.d, root, "", TOP_KEYS)
             && (ps = yt_child(pl.d, root, "", "paragraphs", true)) != NULL
             && yt_expect_seq(pl.d, ps, "paragraphs");
        if (ok && ps->n > MAX_PARAGRAPHS)
            ok = yt_fail(pl.d, ps, "'paragraphs' has more than %d entries", MAX_PARAGRAPHS);
        if (ok && !(lib->v = calloc((size_t)ps->n + 1, sizeof *lib->v)))
            ok = p_oom(&pl);
        for (int i = 0; ok && i < ps->n; i++) {
            lib->n = i + 1;
            ok = read_paragraph(&pl, ps->items[i], i);
        }
        if (!ok && !err->code)
            folio_error_set(err, FOLIO_EXIT_USAGE, "%s: invalid paragraph library", path);
    }
    yt_free(pl.d);
    if (!ok) {
        paragraphs_free(lib);
        return NULL;
    }
    return lib;
}

/* paragraphs_free: free the library; NULL is fine. */
void paragraphs_free(folio_paragraphs *lib)
{
    if (!lib)
        return;
    for (int i = 0; i < lib->n; i++) {
        folio_paragraph *p = &lib->v[i];
        free(p->id);
        free(p->approved_by);
        rules_free(p->condition);
        for (int l = 0; p->text && l < lib->n_languages; l++)
            layout_template_free(&p->text[l]);
        free(p->text);
        free(p->has);
    }
    free(lib->v);
    for (int i = 0; i < lib->n_warnings; i++)
        free(lib->warnings[i]);
    free(lib->warnings);
    free(lib->path);
    free(lib);
}

/* paragraphs_find: index of paragraph `id`, -1 if none. */
int paragraphs_find(const folio_paragraphs *lib, const char *id)
{
    for (int i = 0; lib && id && i < lib->n; i++)
        if (!strcmp(lib->v[i].id, id))
            return i;
    return -1;
}

/* paragraphs_text: wording in `lang`, else the fallback's (see paragraphs.h). */
const folio_template *paragraphs_text(const folio_paragraph *p, int lang, bool *fallback)
{
    bool fb = lang <= 0 || !p->has[lang];
    if (fallback)
        *fallback = lang > 0 && fb;
    return &p->text[fb ? 0 : lang];
}
