/* SPDX-License-Identifier: Apache-2.0 */
/*
 * afp-options.c -- `output.print.afp` of the job file (folio/afp.h,
 * reference in docs/job-file.md):
 *
 *   afp:
 *     enabled: yes                     # default yes when the map is present
 *     code_page: 500                   # 500 or 37
 *     substitute: "?"                  # for characters the code page lacks
 *     document: FOLIODOC               # BDT name
 *     medium_maps: {simplex: F1SIMPLX, duplex: F1DUPLEX}
 *     form_map: {inline: yes, name: F1FOLIO}
 *     index:                           # statement tag -> TLE attribute name, in order
 *       household: Household ID
 *       ...
 */
#include "afp-private.h"
#include "yamltree.h"

#include <stdlib.h>
#include <string.h>

static const char *const AFP_KEYS[] = { "enabled", "code_page", "substitute", "document",
                                        "medium_maps", "form_map", "index", NULL };
static const char *const MM_KEYS[] = { "simplex", "duplex", NULL };
static const char *const FM_KEYS[] = { "inline", "name", NULL };
/* statement tags compose writes (compose.c) */
static const char *const TAGS[] = { "household", "name", "postal_code", "accounts", "pages",
                                    NULL };

static void set_index(folio_afp_options *o, int i, const char *tag, const char *attr)
{
    snprintf(o->index[i].tag, sizeof o->index[i].tag, "%s", tag);
    snprintf(o->index[i].attribute, sizeof o->index[i].attribute, "%s", attr);
}

void afp_options_default(folio_afp_options *o)
{
    memset(o, 0, sizeof *o);
    o->enabled = false;
    o->code_page = 500;
    o->substitute = '?';
    strcpy(o->medium_map_simplex, "F1SIMPLX");
    strcpy(o->medium_map_duplex, "F1DUPLEX");
    o->inline_form_map = true;
    strcpy(o->form_map, "F1FOLIO");
    strcpy(o->document, "FOLIODOC");
    set_index(o, 0, "household", "Household ID");
    set_index(o, 1, "name", "Customer Name");
    set_index(o, 2, "postal_code", "Postal Code");
    set_index(o, 3, "accounts", "Account Numbers");
    set_index(o, 4, "pages", "Page Count");
    o->n_index = 5;
}

/* An AFP resource name: 1-8 of A-Z 0-9 @ # $ (lower case is upper-cased). */
static bool read_name(yt_doc *d, const yt_node *map, const char *where, const char *key,
                      char out[9])
{
    char *s = NULL;
    int r = yt_str(d, map, where, key, false, &s);
    if (r <= 0)
        return r == 0;
    size_t n = strlen(s);
    bool ok = n >= 1 && n <= 8;
    for (char *c = s; ok && *c; c++) {
        if (*c >= 'a' && *c <= 'z')
            *c = (char)(*c - 'a' + 'A');
        ok = (*c >= 'A' && *c <= 'Z') || (*c >= '0' && *c <= '9') || *c == '@' || *c == '#'
             || *c == '$';
    }
    if (ok)
        memcpy(out, s, n + 1);
    else
        yt_fail(d, yt_get(map, key), "'%s.%s' must be an AFP name of 1 to 8 characters "
                "A-Z, 0-9, @, #, $, got '%s'", where, key, s);
    free(s);
    return ok;
}

static bool read_index(yt_doc *d, const yt_node *ix, folio_afp_options *o)
{
    const char *where = "output.print.afp.index";
    if (!yt_expect_map(d, ix, where))
        return false;
    if (ix->n > FOLIO_AFP_MAX_INDEX)
        return yt_fail(d, ix, "'%s' may list at most %d tags", where, FOLIO_AFP_MAX_INDEX);
    o->n_index = 0;
    for (int i = 0; i < ix->n; i++) {
        const yt_node *k = ix->keys[i], *v = ix->items[i];
        int t = 0;
        while (TAGS[t] && strcmp(TAGS[t], k->str))
            t++;
        if (!TAGS[t])
            return yt_fail(d, k, "'%s': unknown statement tag '%s' (expected one of: "
                           "household, name, postal_code, accounts, pages)", where, k->str);
        if (!v || v->kind != YT_SCALAR || v->is_null || v->len == 0 || v->len > 63)
            return yt_fail(d, v ? v : k, "'%s.%s' must be a TLE attribute name of 1 to 63 "
                           "characters", where, k->str);
        set_index(o, o->n_index++, k->str, v->str);
    }
    return true;
}

bool afp_options_read(yt_doc *d, const yt_node *print, folio_afp_options **out)
{
    *out = NULL;
    if (!print)
        return true;
    const yt_node *a = yt_child(d, print, "output.print", "afp", false);
    if (!a)
        return !d->err->code;
    const char *where = "output.print.afp";
    if (!yt_expect_map(d, a, where) || !yt_check_keys(d, a, where, AFP_KEYS))
        return false;
    folio_afp_options *o = malloc(sizeof *o);
    if (!o) {
        folio_error_set(d->err, FOLIO_EXIT_FAILED, "%s: out of memory", d->path);
        return false;
    }
    afp_options_default(o);
    o->enabled = true;
    int64_t cp = o->code_page;
    char sub = o->substitute;
    bool ok = yt_bool(d, a, where, "enabled", false, &o->enabled) >= 0
              && yt_int(d, a, where, "code_page", false, 0, 65535, &cp) >= 0
              && yt_char(d, a, where, "substitute", false, NULL, false, &sub) >= 0
              && read_name(d, a, where, "document", o->document);
    /* issue 13 part 5: 1200 = UTF-16BE text with Unicode fonts (docs/afp.md) */
    if (ok && cp != 500 && cp != 37 && cp != 1200)
        ok = yt_fail(d, yt_get(a, "code_page"), "'%s.code_page' must be 500, 37 or 1200, got %lld",
                     where, (long long)cp);
    if (ok && (sub < 0x20 || sub > 0x7E))
        ok = yt_fail(d, yt_get(a, "substitute"), "'%s.substitute' must be a printable ASCII "
                     "character", where);
    o->code_page = (int)cp;
    o->substitute = sub;
    const yt_node *mm = ok ? yt_get(a, "medium_maps") : NULL;
    if (ok && mm)
        ok = yt_expect_map(d, mm, "output.print.afp.medium_maps")
             && yt_check_keys(d, mm, "output.print.afp.medium_maps", MM_KEYS)
             && read_name(d, mm, "output.print.afp.medium_maps", "simplex",
                          o->medium_map_simplex)
             && read_name(d, mm, "output.print.afp.medium_maps", "duplex",
                          o->medium_map_duplex);
    const yt_node *fm = ok ? yt_get(a, "form_map") : NULL;
    if (ok && fm)
        ok = yt_expect_map(d, fm, "output.print.afp.form_map")
             && yt_check_keys(d, fm, "output.print.afp.form_map", FM_KEYS)
             && yt_bool(d, fm, "output.print.afp.form_map", "inline", false,
                        &o->inline_form_map) >= 0
             && read_name(d, fm, "output.print.afp.form_map", "name", o->form_map);
    const yt_node *ix = ok ? yt_get(a, "index") : NULL;
    if (ok && ix)
        ok = read_index(d, ix, o);
    if (!ok) {
        free(o);
        return false;
    }
    *out = o;
    return true;
}

void afp_options_free(folio_afp_options *o)
{
    free(o);
}

/* issue 13 part 5: afp_options_check_layout (afp.h). */
bool afp_options_check_layout(const folio_afp_options *o, const char *job_path,
                              const folio_layout *layout, folio_error *err)
{
    if (!o || !o->enabled || o->code_page != 1200)
        return true;
    for (int i = 0; i < layout->n_fonts; i++)
        if (!layout->fonts[i].afp_u_coded_font && !layout->fonts[i].afp_u_character_set) {
            folio_error_set(err, FOLIO_EXIT_USAGE, "%s: output.print.afp.code_page 1200 "
                            "(UTF-16) needs a Unicode AFP font for every layout font, but "
                            "font '%s' of %s has no fonts[].afp.unicode", job_path,
                            layout->fonts[i].name, layout->path);
            return false;
        }
    return true;
}
