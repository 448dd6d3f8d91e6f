/* SPDX-License-Identifier: Apache-2.0 */
/*
 * offers.c -- the offer catalogue: the job's `offers:` section, loading and
 * checking layouts/offers.yaml, and the contact-history index (offers.h).
 *
 * Loading reads every key strictly (yamltree), compiles each eligibility rule
 * once (rules.h: errors carry file:line:column and a caret), and measures
 * every text of every variant in every language against every size the offer
 * declares, with the layout's white-space styles: an offer whose Spanish body
 * is too long for its box is a load error naming the offer, size and
 * language, never a clipped box on paper.  Sizes are kept largest first, so
 * the filler tries the largest size that fits a free rectangle.
 *
 * The contact index sorts the contact rows by key (household or customer id)
 * so a household's contacts are found with one binary search per id; each row
 * is resolved to its catalogue offer once.
 */
#include "folio/attrs.h"
#include "offers-private.h"
#include "folio/links.h"     /* issue 13 part 4 */
#include "yamltree.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *const OPT_KEYS[] = { "catalogue", "max_per_statement",
    "household_cap", "uplift" /* issue 15 parts 3/4 */, NULL };
static const char *const HH_CAP_KEYS[] = { "times", "days", NULL };            /* issue 15 */
static const char *const UPLIFT_KEYS[] = { "attribution_days", "retire_below_control", NULL };
static const char *const CAT_KEYS[] = { "default_language", "offers", NULL };
static const char *const OFFER_KEYS[] = { "id", "sells", "kind", "priority", "rule", "window",
    "channels", "sizes", "content", "response_code", "variants", "holdout", "cap", "quiet",
    "response_url" /* issue 13 part 4 */, "image" /* issue 13 leftover */,
    "feedback_quiet_days" /* issue 15 part 3 */, NULL };
static const char *const WINDOW_KEYS[] = { "from", "until", NULL };
/* issue 13 part 4: placeholders of response_url (offers-fill.c fills them) */
const char *const OFFER_URL_FIELDS[4] = { "response_code", "offer", "variant", "household" };
static const char *const SIZE_KEYS[] = { "name", "width", "height", "full_page", NULL };
static const char *const TEXT_KEYS[] = { "headline", "body", "cta", NULL };
static const char *const VARIANT_KEYS[] = { "id", "share", "content", "response_code", NULL };
static const char *const CAP_KEYS[] = { "times", "months", NULL };
static const char *const QUIET_KEYS[] = { "products", "days", NULL };
static const char *const KIND_NAMES[] = { "marketing", "service", "feedback", NULL };
static const char *const CHANNEL_NAMES[] = { "print", "email", NULL };

/* ---- job section ------------------------------------------------------------ */

bool offers_options_read(yt_doc *d, const yt_node *root, const char *job_dir,
                         folio_offers_options **out)
{
    *out = NULL;
    const yt_node *n = yt_child(d, root, "", "offers", false);
    if (!n)
        return !d->err->code;
    if (!yt_expect_map(d, n, "offers") || !yt_check_keys(d, n, "offers", OPT_KEYS))
        return false;
    folio_offers_options *o = calloc(1, sizeof *o);
    if (!o) {
        folio_error_set(d->err, FOLIO_EXIT_FAILED, "%s: out of memory", d->path);
        return false;
    }
    *out = o;
    o->max_per_statement = 2;
    char *raw = NULL;
    int64_t mx = o->max_per_statement;
    if (yt_str(d, n, "offers", "catalogue", true, &raw) < 0 ||
        yt_int(d, n, "offers", "max_per_statement", false, 1, FOLIO_OFFERS_MAX_PER_STATEMENT,
               &mx) < 0) {
        free(raw);
        return false;
    }
    o->max_per_statement = (int)mx;
    /* issue 15 parts 3/4: household_cap: {times, days}, uplift: {...} */
    o->attribution_days = 30;
    const yt_node *hc = yt_child(d, n, "offers", "household_cap", false);
    const yt_node *up = hc || !d->err->code ? yt_child(d, n, "offers", "uplift", false) : NULL;
    if (d->err->code) {
        free(raw);
        return false;
    }
    if (hc) {
        int64_t t = 0, days = 0;
        if (!yt_expect_map(d, hc, "offers.household_cap") ||
            !yt_check_keys(d, hc, "offers.household_cap", HH_CAP_KEYS) ||
            yt_int(d, hc, "offers.household_cap", "times", true, 0, 1000, &t) < 0 ||
            yt_int(d, hc, "offers.household_cap", "days", true, 1, 3660, &days) < 0) {
            free(raw);
            return false;
        }
        o->household_cap_times = (int)t;
        o->household_cap_days = (int)days;
    }
    if (up) {
        int64_t ad = o->attribution_days;
        if (!yt_expect_map(d, up, "offers.uplift") ||
            !yt_check_keys(d, up, "offers.uplift", UPLIFT_KEYS) ||
            yt_int(d, up, "offers.uplift", "attribution_days", false, 0, 3660, &ad) < 0 ||
            yt_bool(d, up, "offers.uplift", "retire_below_control", false,
                    &o->retire_below_control) < 0) {
            free(raw);
            return false;
        }
        o->attribution_days = (int)ad;
    }
    if (!raw[0]) {
        free(raw);
        return yt_fail(d, yt_get(n, "catalogue"), "'offers.catalogue' must not be empty");
    }
    if (raw[0] == '/' || !job_dir[0] || !strcmp(job_dir, ".")) {
        o->catalogue = raw;
    } else {
        if (asprintf(&o->catalogue, "%s/%s", job_dir, raw) < 0) {
            o->catalogue = NULL;
            free(raw);
            folio_error_set(d->err, FOLIO_EXIT_FAILED, "%s: out of memory", d->path);
            return false;
        }
        free(raw);
    }
    return yt_check_input(d, yt_get(n, "catalogue"), "offers.catalogue", o->catalogue,
                          NULL) >= 0;
}

void offers_options_free(folio_offers_options *o)
{
    if (!o)
        return;
    free(o->catalogue);
    free(o);
}

/* ---- catalogue ---------------------------------------------------------------- */

typedef struct loader {
    yt_doc *d;
    folio_offers *o;
    const folio_layout *L;
} loader;

static bool oom(loader *ld)
{
    folio_error_set(ld->d->err, FOLIO_EXIT_FAILED, "%s: out of memory", ld->d->path);
    return false;
}

static int32_t pt_units(int64_t hundredths)
{
    return (int32_t)((hundredths * 20 + (hundredths >= 0 ? 50 : -50)) / 100);
}

static bool valid_id(const char *s)
{
    if (!*s || strlen(s) > 40)
        return false;
    for (; *s; s++)
        if (!((*s >= 'A' && *s <= 'Z') || (*s >= 'a' && *s <= 'z') || (*s >= '0' && *s <= '9') ||
              *s == '-' || *s == '_' || *s == '.'))
            return false;
    return true;
}

static bool valid_lang(const char *s)
{
    return strlen(s) == 2 && s[0] >= 'a' && s[0] <= 'z' && s[1] >= 'a' && s[1] <= 'z';
}

/* content: {en: {headline, body, cta}, es: {...}} */
static bool read_texts(loader *ld, const yt_node *n, const char *where, off_text **out,
                       int *n_out)
{
    yt_doc *d = ld->d;
    if (!yt_expect_map(d, n, where))
        return false;
    if (n->n == 0)
        return yt_fail(d, n, "'%s' must give the text in at least one language", where);
    *out = calloc((size_t)n->n, sizeof **out);
    if (!*out)
        return oom(ld);
    for (int i = 0; i < n->n; i++) {
        off_text *t = &(*out)[i];
        *n_out = i + 1;
        const char *lang = n->keys[i]->str;
        char w[128];
        snprintf(w, sizeof w, "%s.%s", where, lang);
        if (!valid_lang(lang))
            return yt_fail(d, n->keys[i], "'%s': '%s' is not a two-letter language code "
                           "(ISO 639-1, lower case)", where, lang);
        if (!(t->lang = strdup(lang)))
            return oom(ld);
        const yt_node *m = n->items[i];
        if (!yt_expect_map(d, m, w) || !yt_check_keys(d, m, w, TEXT_KEYS) ||
            yt_str(d, m, w, "headline", true, &t->headline) < 0 ||
            yt_str(d, m, w, "body", true, &t->body) < 0 ||
            yt_str(d, m, w, "cta", true, &t->cta) < 0)
            return false;
        const char *fields[3] = {t->headline, t->body, t->cta};
        for (int k = 0; k < 3; k++) {
            size_t bad;
            if (!folio_utf8_valid(fields[k], strlen(fields[k]), &bad))
                return yt_fail(d, m, "'%s': text is not valid UTF-8 (byte %zu)", w, bad);
            for (const char *c = fields[k]; *c; c++)
                if (*c == '\n' || *c == '\t' || *c == '\r')
                    return yt_fail(d, m, "'%s': texts are one paragraph: no newline or tab", w);
        }
        if (!t->headline[0] || !t->cta[0])
            return yt_fail(d, m, "'%s': headline and cta must not be empty", w);
    }
    return true;
}

static const off_text *find_text(const off_text *v, int n, const char *lang)
{
    for (int i = 0; i < n; i++)
        if (!strcmp(v[i].lang, lang))
            return &v[i];
    return NULL;
}

static bool read_code(loader *ld, const yt_node *map, const char *where, char **out)
{
    if (yt_str(ld->d, map, where, "response_code", false, out) < 0)
        return false;
    if (*out && !valid_id(*out))
        return yt_fail(ld->d, yt_get(map, "response_code"), "'%s.response_code' must be 1 to 40 "
                       "letters, digits, '-', '_' or '.', got '%s'", where, *out);
    return true;
}

static bool read_sizes(loader *ld, off_offer *of, const yt_node *n, const char *where)
{
    yt_doc *d = ld->d;
    const folio_layout *L = ld->L;
    if (!yt_expect_seq(d, n, where))
        return false;
    if (n->n < 1 || n->n > OFF_MAX_SIZES)
        return yt_fail(d, n, "'%s' must list 1 to %d sizes", where, OFF_MAX_SIZES);
    int32_t body_w = L->page_w - L->margin_left - L->margin_right;
    for (int i = 0; i < n->n; i++) {
        char w[160];
        snprintf(w, sizeof w, "%s[%d]", where, i);
        const yt_node *s = n->items[i];
        off_size *z = &of->sizes[i];
        of->n_sizes = i + 1;
        int64_t wd = -1, ht = -1;
        if (!yt_expect_map(d, s, w) || !yt_check_keys(d, s, w, SIZE_KEYS) ||
            yt_str(d, s, w, "name", true, &z->name) < 0 ||
            yt_bool(d, s, w, "full_page", false, &z->full_page) < 0 ||
            yt_fixed(d, s, w, "width", false, 2, 1, 100000, &wd) < 0 ||
            yt_fixed(d, s, w, "height", !z->full_page, 2, 1, 100000, &ht) < 0)
            return false;
        if (!valid_id(z->name))
            return yt_fail(d, yt_get(s, "name"), "'%s.name' must be a short name (letters, "
                           "digits, '-', '_')", w);
        for (int k = 0; k < i; k++)
            if (!strcmp(of->sizes[k].name, z->name))
                return yt_fail(d, s, "duplicate size name '%s' in offer %s", z->name, of->id);
        if (z->full_page) {
            if (wd >= 0 || ht >= 0)
                return yt_fail(d, s, "'%s': a full_page size takes no width or height", w);
            z->w = body_w;
            z->h = L->body_bottom - L->body_top;
        } else {
            z->w = wd >= 0 ? pt_units(wd) : body_w;
            z->h = pt_units(ht);
            if (z->w > body_w || z->h > L->body_bottom - L->body_top)
                return yt_fail(d, s, "'%s' (%s) is larger than the layout's body area", w,
                               z->name);
        }
    }
    /* largest first; equal areas keep catalogue order (insertion sort) */
    for (int i = 1; i < of->n_sizes; i++)
        for (int k = i; k > 0; k--) {
            int64_t a = (int64_t)of->sizes[k].w * of->sizes[k].h;
            int64_t b = (int64_t)of->sizes[k - 1].w * of->sizes[k - 1].h;
            if (a <= b)
                break;
            off_size t = of->sizes[k];
            of->sizes[k] = of->sizes[k - 1];
            of->sizes[k - 1] = t;
        }
    return true;
}

static bool read_variants(loader *ld, off_offer *of, const yt_node *n, const char *where)
{
    yt_doc *d = ld->d;
    if (!yt_expect_seq(d, n, where))
        return false;
    if (n->n < 2 || n->n > OFF_MAX_VARIANTS)
        return yt_fail(d, n, "'%s' must list 2 to %d variants (leave it out for no A/B test)",
                       where, OFF_MAX_VARIANTS);
    int64_t total = 0;
    for (int i = 0; i < n->n; i++) {
        char w[160];
        snprintf(w, sizeof w, "%s[%d]", where, i);
        const yt_node *v = n->items[i];
        off_variant *va = &of->variants[i];
        of->n_variants = i + 1;
        int64_t share = 0;
        if (!yt_expect_map(d, v, w) || !yt_check_keys(d, v, w, VARIANT_KEYS) ||
            yt_str(d, v, w, "id", true, &va->id) < 0 ||
            yt_fixed(d, v, w, "share", true, 2, 1, 10000, &share) < 0 || !read_code(ld, v, w, &va->code))
            return false;
        if (!valid_id(va->id) || strlen(va->id) > 8)
            return yt_fail(d, yt_get(v, "id"), "'%s.id' must be a short name (up to 8 letters, "
                           "digits, '-', '_'), got '%s'", w, va->id);
        for (int k = 0; k < i; k++)
            if (!strcmp(of->variants[k].id, va->id))
                return yt_fail(d, v, "duplicate variant '%s' in offer %s", va->id, of->id);
        va->share_bp = (int32_t)share;
        total += share;
        const yt_node *c = yt_child(d, v, w, "content", false);
        char cw[192];
        snprintf(cw, sizeof cw, "%s.content", w);
        if (c && !read_texts(ld, c, cw, &va->texts, &va->n_texts))
            return false;
    }
    if (total != 10000)
        return yt_fail(d, n, "'%s': the shares must add up to 100, they add up to %lld.%02lld",
                       where, (long long)(total / 100), (long long)(total % 100));
    return true;
}

/* Check every text of every variant and language fits every size. */
static bool check_fit(loader *ld, const off_offer *of, const yt_node *at)
{
    for (int v = 0; v < of->n_variants; v++) {
        const off_variant *va = &of->variants[v];
        const char *code = va->code ? va->code : of->code;
        for (int pass = 0; pass < 2; pass++) {
            const off_text *tv = pass ? va->texts : of->texts;
            int nt = pass ? va->n_texts : of->n_texts;
            for (int t = 0; t < nt; t++) {
                /* an offer-level text hidden by a variant override is never drawn */
                if (!pass && find_text(va->texts, va->n_texts, tv[t].lang))
                    continue;
                for (int s = 0; s < of->n_sizes; s++) {
                    const off_size *z = &of->sizes[s];
                    int32_t need = offers_box(ld->L, &tv[t], code, z->w, NULL, 0, 0, 0, 0, NULL,
                                              NULL, &of->image, NULL);
                    if (need > z->h)
                        return yt_fail(ld->d, at, "offer %s%s%s: the '%s' text needs %d.%02d pt, "
                                       "size '%s' is %d.%02d pt high (shorten the text or "
                                       "drop the size)", of->id, va->id ? " variant " : "",
                                       va->id ? va->id : "", tv[t].lang, need / 20, need % 20 * 5,
                                       z->name, z->h / 20, z->h % 20 * 5);
                }
            }
        }
    }
    return true;
}

static bool read_offer(loader *ld, off_offer *of, const yt_node *n, const char *where,
                       const folio_rule_catalog *cat)
{
    yt_doc *d = ld->d;
    folio_offers *o = ld->o;
    if (!yt_expect_map(d, n, where) || !yt_check_keys(d, n, where, OFFER_KEYS))
        return false;
    of->line = n->line;
    of->from = of->until = FOLIO_DATE_NONE;
    int kind = 0;
    if (yt_str(d, n, where, "id", true, &of->id) < 0 ||
        yt_str(d, n, where, "sells", true, &of->sells) < 0 ||
        yt_enum(d, n, where, "kind", true, KIND_NAMES, &kind) < 0 ||
        yt_int(d, n, where, "priority", true, 0, 1000000000, &of->priority) < 0 ||
        !read_code(ld, n, where, &of->code))
        return false;
    of->kind = (folio_offer_kind)kind;
    /* issue 15 part 3: a feedback request waits feedback_quiet_days (default
     * 180) after the household's last feedback request */
    int64_t fq = 180;
    if (yt_int(d, n, where, "feedback_quiet_days", false, 1, 3660, &fq) < 0)
        return false;
    if (yt_get(n, "feedback_quiet_days") && of->kind != FOLIO_OFFER_FEEDBACK)
        return yt_fail(d, yt_get(n, "feedback_quiet_days"), "offer %s: 'feedback_quiet_days' "
                       "is for offers of kind feedback", of->id);
    of->feedback_quiet_days = of->kind == FOLIO_OFFER_FEEDBACK ? (int)fq : 0;
    if (!valid_id(of->id))
        return yt_fail(d, yt_get(n, "id"), "'%s.id' must be 1 to 40 letters, digits, '-', '_' "
                       "or '.', got '%s'", where, of->id);
    if (!of->code)
        return yt_fail(d, n, "offer %s: missing required key 'response_code' (printed on the "
                       "offer so responses can be traced)", of->id);
    /* issue 13 part 4: the offer's link in e-delivered copies */
    if (yt_str(d, n, where, "response_url", false, &of->response_url) < 0)
        return false;
    size_t bad_at;
    if (of->response_url && (strncmp(of->response_url, "https://", 8) ||
                             !links_template_ok(of->response_url, OFFER_URL_FIELDS, 4, &bad_at)))
        return yt_fail(d, yt_get(n, "response_url"), "offer %s: 'response_url' must start with "
                       "https:// and use only {response_code} {offer} {variant} {household}",
                       of->id);
    char w[96];
    /* rule */
    const yt_node *r = yt_child(d, n, where, "rule", false);
    if (r) {
        if (r->kind != YT_SCALAR)
            return yt_fail(d, r, "'%s.rule' must be a rule text", where);
        folio_rule_source src = {.file = d->path, .line = r->line,
                                 .col = r->raw_one_line ? r->text_col : r->col,
                                 .cont_col = r->col};
        of->rule = rules_compile(r->str, r->len, cat, FOLIO_RT_BOOL, &src, d->err);
        if (!of->rule)
            return false;
    } else if (d->err->code) {
        return false;
    }
    /* window */
    const yt_node *win = yt_child(d, n, where, "window", false);
    if (win) {
        snprintf(w, sizeof w, "%s.window", where);
        if (!yt_expect_map(d, win, w) || !yt_check_keys(d, win, w, WINDOW_KEYS) ||
            yt_date(d, win, w, "from", false, &of->from) < 0 ||
            yt_date(d, win, w, "until", false, &of->until) < 0)
            return false;
        if (of->from != FOLIO_DATE_NONE && of->until != FOLIO_DATE_NONE && of->until < of->from)
            return yt_fail(d, win, "'%s': until is before from", w);
    }
    /* channels */
    char **ch = NULL;
    int nch = 0;
    if (yt_strv(d, n, where, "channels", true, &ch, &nch) < 0)
        return false;
    bool bad = nch == 0;
    const char *bad_ch = "";
    for (int i = 0; i < nch; i++) {
        if (!strcmp(ch[i], CHANNEL_NAMES[0]))
            of->print = true;
        else if (!strcmp(ch[i], CHANNEL_NAMES[1]))
            of->email = true;
        else if (!bad) {
            bad = true;
            bad_ch = ch[i];
        }
    }
    if (bad) {
        yt_fail(d, yt_get(n, "channels"), "'%s.channels' must list print and/or email%s%s%s",
                where, bad_ch[0] ? ", got '" : "", bad_ch, bad_ch[0] ? "'" : "");
        yt_strv_free(ch, nch);
        return false;
    }
    yt_strv_free(ch, nch);
    /* sizes, content, variants */
    snprintf(w, sizeof w, "%s.sizes", where);
    const yt_node *sz = yt_child(d, n, where, "sizes", true);
    if (!sz || !read_sizes(ld, of, sz, w))
        return false;
    snprintf(w, sizeof w, "%s.content", where);
    const yt_node *ct = yt_child(d, n, where, "content", true);
    if (!ct || !read_texts(ld, ct, w, &of->texts, &of->n_texts))
        return false;
    if (!find_text(of->texts, of->n_texts, o->default_lang))
        return yt_fail(d, ct, "offer %s: no text in the default language '%s'", of->id,
                       o->default_lang);
    const yt_node *vs = yt_child(d, n, where, "variants", false);
    snprintf(w, sizeof w, "%s.variants", where);
    if (vs) {
        if (!read_variants(ld, of, vs, w))
            return false;
    } else if (d->err->code) {
        return false;
    } else {
        of->n_variants = 1;
        of->variants[0].share_bp = 10000;
    }
    /* holdout, cap, quiet */
    int64_t ho = 0;
    if (yt_fixed(d, n, where, "holdout", false, 2, 0, 5000, &ho) < 0)
        return false;
    of->holdout_bp = (int32_t)ho;
    const yt_node *cap = yt_child(d, n, where, "cap", false);
    if (cap) {
        snprintf(w, sizeof w, "%s.cap", where);
        int64_t t = 0, m = 0;
        if (!yt_expect_map(d, cap, w) || !yt_check_keys(d, cap, w, CAP_KEYS) ||
            yt_int(d, cap, w, "times", true, 1, 1000, &t) < 0 ||
            yt_int(d, cap, w, "months", true, 1, 120, &m) < 0)
            return false;
        of->cap_times = (int)t;
        of->cap_months = (int)m;
        /* the same day m months before the statement date (clamped to the
         * month's end): contacts after it count */
        int y, mo, dd;
        folio_date_to_ymd(o->today, &y, &mo, &dd);
        int total = y * 12 + (mo - 1) - (int)m;
        int cy = total / 12, cm = total % 12 + 1;
        while (!folio_date_from_ymd(cy, cm, dd, &of->cap_after) && dd > 28)
            dd--;
    } else if (d->err->code) {
        return false;
    }
    const yt_node *q = yt_child(d, n, where, "quiet", false);
    if (q) {
        snprintf(w, sizeof w, "%s.quiet", where);
        int64_t days = 0;
        if (!yt_expect_map(d, q, w) || !yt_check_keys(d, q, w, QUIET_KEYS) ||
            yt_strv(d, q, w, "products", true, &of->quiet, &of->n_quiet) < 0 ||
            yt_int(d, q, w, "days", true, 1, 3660, &days) < 0)
            return false;
        if (of->n_quiet == 0)
            return yt_fail(d, q, "'%s.products' must list at least one product code", w);
        of->quiet_days = (int)days;
    } else if (d->err->code) {
        return false;
    }
    if (!offers_image_read(d, n, where, o->default_lang, o->path, &of->image))
        return false;                    /* issue 13 leftover: before the fit check */
    return check_fit(ld, of, n);
}

static folio_offers *order_offers(folio_offers *o)
{
    o->order = malloc((size_t)(o->n ? o->n : 1) * sizeof *o->order);
    if (!o->order)
        return NULL;
    for (int i = 0; i < o->n; i++)
        o->order[i] = i;
    for (int i = 1; i < o->n; i++)
        for (int k = i; k > 0; k--) {
            const off_offer *a = &o->v[o->order[k]], *b = &o->v[o->order[k - 1]];
            if (a->priority < b->priority ||
                (a->priority == b->priority && strcmp(a->id, b->id) > 0))
                break;
            int t = o->order[k];
            o->order[k] = o->order[k - 1];
            o->order[k - 1] = t;
        }
    return o;
}

folio_offers *offers_load(const folio_offers_options *opt, const folio_job *job,
                          const folio_layout *layout, folio_error *err)
{
    folio_offers *o = calloc(1, sizeof *o);
    if (!o || !(o->path = strdup(opt->catalogue))) {
        free(o);
        folio_error_set(err, FOLIO_EXIT_FAILED, "out of memory");
        return NULL;
    }
    o->job = job;
    o->seed = job->seed;
    o->today = job->statement_date;
    o->max_per = opt->max_per_statement;
    o->hh_cap_times = opt->household_cap_times;     /* issue 15 part 3 */
    o->hh_cap_days = opt->household_cap_days;
    yt_doc *d = yt_load(opt->catalogue, err);
    if (!d) {
        offers_free(o);
        return NULL;
    }
    o->input = d->input;
    loader ld = {d, o, layout};
    const yt_node *root = d->root;
    bool ok = yt_expect_map(d, root, "the offer catalogue") &&
              yt_check_keys(d, root, "", CAT_KEYS) &&
              yt_str(d, root, "", "default_language", false, &o->default_lang) >= 0;
    if (ok && !o->default_lang && !(o->default_lang = strdup("en")))
        ok = oom(&ld);
    if (ok && !valid_lang(o->default_lang))
        ok = yt_fail(d, yt_get(root, "default_language"), "'default_language' must be a "
                     "two-letter language code, got '%s'", o->default_lang);
    const yt_node *list = ok ? yt_child(d, root, "", "offers", true) : NULL;
    if (ok && (!list || !yt_expect_seq(d, list, "offers")))
        ok = false;
    if (ok && (list->n < 1 || list->n > FOLIO_OFFERS_MAX))
        ok = yt_fail(d, list, "'offers' must list 1 to %d offers", FOLIO_OFFERS_MAX);
    if (ok && !(o->v = calloc((size_t)list->n, sizeof *o->v)))
        ok = oom(&ld);
    for (int i = 0; ok && i < list->n; i++) {
        char where[32];
        snprintf(where, sizeof where, "offers[%d]", i);
        o->n = i + 1;
        ok = read_offer(&ld, &o->v[i], list->items[i], where, attrs_catalog(job->attrs));
        for (int k = 0; ok && k < i; k++)
            if (!strcmp(o->v[k].id, o->v[i].id))
                ok = yt_fail(d, yt_get(list->items[i], "id"), "duplicate offer id '%s' (first "
                             "at line %d)", o->v[i].id, o->v[k].line);
    }
    if (ok && !order_offers(o))
        ok = oom(&ld);
    if (ok && !offers_graphics_build(o))     /* issue 13 leftover */
        ok = oom(&ld);
    yt_free(d);
    if (!ok) {
        if (!err->code)
            folio_error_set(err, FOLIO_EXIT_USAGE, "%s: invalid offer catalogue", opt->catalogue);
        offers_free(o);
        return NULL;
    }
    return o;
}

static void texts_free(off_text *t, int n)
{
    for (int i = 0; t && i < n; i++) {
        free(t[i].lang);
        free(t[i].headline);
        free(t[i].body);
        free(t[i].cta);
    }
    free(t);
}

void offers_free(folio_offers *o)
{
    if (!o)
        return;
    for (int i = 0; i < o->n; i++) {
        off_offer *of = &o->v[i];
        free(of->id);
        free(of->sells);
        rules_free(of->rule);
        for (int s = 0; s < of->n_sizes; s++)
            free(of->sizes[s].name);
        texts_free(of->texts, of->n_texts);
        free(of->code);
        free(of->response_url);
        for (int v = 0; v < of->n_variants; v++) {
            free(of->variants[v].id);
            texts_free(of->variants[v].texts, of->variants[v].n_texts);
            free(of->variants[v].code);
        }
        yt_strv_free(of->quiet, of->n_quiet);
        offers_image_free(&of->image);       /* issue 13 leftover */
    }
    offers_graphics_free(o);
    free(o->v);
    free(o->order);
    free(o->contacts);
    free(o->contact_offer);
    free(o->memo);
    free(o->press);
    free(o->default_lang);
    free(o->path);
    free(o);
}

/* ---- contact history ------------------------------------------------------- */

static const folio_dataset *sort_ds;   /* qsort has no context argument */

static int cmp_contact(const void *a, const void *b)
{
    uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
    int c = strcmp(sort_ds->contacts[x].key, sort_ds->contacts[y].key);
    return c ? c : (x > y) - (x < y);
}

bool offers_bind(folio_offers *o, const folio_dataset *ds, const folio_households *hs,
                 folio_error *err)
{
    o->ds = ds;
    o->hs = hs;
    o->n_contacts = ds->n_contacts;
    free(o->contacts);
    free(o->contact_offer);
    o->contacts = malloc((ds->n_contacts ? ds->n_contacts : 1) * sizeof *o->contacts);
    o->contact_offer = malloc((ds->n_contacts ? ds->n_contacts : 1) * sizeof *o->contact_offer);
    if (!o->contacts || !o->contact_offer) {
        folio_error_set(err, FOLIO_EXIT_FAILED, "out of memory");
        return false;
    }
    for (size_t i = 0; i < ds->n_contacts; i++) {
        o->contacts[i] = (uint32_t)i;
        o->contact_offer[i] = -1;
        for (int k = 0; k < o->n; k++)
            if (!strcmp(o->v[k].id, ds->contacts[i].offer_id)) {
                o->contact_offer[i] = (int16_t)k;
                break;
            }
    }
    free(o->memo);
    o->memo_stride = 1 + ((size_t)o->n + 7) / 8;
    o->memo_n = hs->n;
    o->memo = calloc(hs->n ? hs->n : 1, o->memo_stride);
    free(o->press);
    o->press = calloc((hs->n ? hs->n : 1) * FOLIO_PRESS_N, sizeof *o->press);
    if (!o->memo || !o->press) {
        folio_error_set(err, FOLIO_EXIT_FAILED, "out of memory");
        return false;
    }
    /* called once, before any thread starts: the static is safe here */
    sort_ds = ds;
    qsort(o->contacts, ds->n_contacts, sizeof *o->contacts, cmp_contact);
    sort_ds = NULL;
    return true;
}

/* ---- facts ------------------------------------------------------------------- */

int offers_count(const folio_offers *o) { return o ? o->n : 0; }
const folio_input_id *offers_input(const folio_offers *o) { return &o->input; }
const char *offers_id(const folio_offers *o, int i) { return o->v[i].id; }
int offers_variant_count(const folio_offers *o, int i) { return o->v[i].n_variants; }
const char *offers_variant_id(const folio_offers *o, int i, int v)
{
    return o->v[i].variants[v].id;
}
const char *offers_size_name(const folio_offers *o, int i, int s) { return o->v[i].sizes[s].name; }
const char *offers_response_code(const folio_offers *o, int i, int v)
{
    const off_variant *va = &o->v[i].variants[v];
    return va->code ? va->code : o->v[i].code;
}
