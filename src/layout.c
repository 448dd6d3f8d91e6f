/* SPDX-License-Identifier: Apache-2.0 */
/*
 * layout.c -- the layout file: parse (libyaml via yamltree), check, resolve.
 *
 * Order of work in layout_load(): page geometry first (column widths are
 * checked against it), then fonts (loaded with fonts_load), then styles (font
 * names resolved), then every other section, each resolving style names to
 * indexes and parsing its texts into templates.  Every key of every map is
 * checked against its allowed list before anything is read from it, so a
 * typo is reported as "unknown key", never silently ignored.
 *
 * Lengths are points in the file, with at most two decimals, and units
 * (1/1440 in, 20 per point) in struct folio_layout; the conversion is exact
 * integer arithmetic (hundredths of a point / 5, rounded half up), so "8.5"
 * is 170 units in any locale.
 *
 * The reference for every key and default is docs/layout-file.md.
 */
#include "folio/attrs.h"
#include "folio/layout.h"
#include "layout-ws.h"
#include "folio/coupon.h"
#include "folio/paragraphs.h"
#include "folio/disclosures.h"
#include "folio/currency.h"
#include "folio/graphics.h"
#include "yamltree.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define MAX_FONTS 32            /* dlist ops hold a font index in a uint8_t */
#define MAX_STYLES 256
#define MAX_ITEMS 256           /* placed texts, columns, products, info lines */
#define PT_MAX 1000000          /* 10000 pt in hundredths: larger than any sheet */

/* ---- merge fields -------------------------------------------------------- */

static const char *const MERGE_NAMES[FOLIO_M__COUNT] = {
    [FOLIO_M_LITERAL] = "",
    [FOLIO_M_BANK_NAME] = "bank.name",
    [FOLIO_M_BANK_PHONE] = "bank.phone",
    [FOLIO_M_BANK_WEBSITE] = "bank.website",
    [FOLIO_M_BANK_ADDRESS] = "bank.address",
    [FOLIO_M_STATEMENT_DATE] = "statement.date",
    [FOLIO_M_PERIOD_START] = "statement.period_start",
    [FOLIO_M_PERIOD_END] = "statement.period_end",
    [FOLIO_M_PAGE] = "page",
    [FOLIO_M_PAGES] = "pages",
    [FOLIO_M_HOUSEHOLD_ID] = "household.id",
    [FOLIO_M_CUSTOMER_NAME] = "customer.name",
    [FOLIO_M_CUSTOMER_FIRST_NAME] = "customer.first_name",
    [FOLIO_M_CUSTOMER_LAST_NAME] = "customer.last_name",
    [FOLIO_M_CUSTOMER_ID] = "customer.id",
    [FOLIO_M_ACCOUNT_NUMBER] = "account.number",
    [FOLIO_M_ACCOUNT_PRODUCT] = "account.product",
    [FOLIO_M_ACCOUNT_PRODUCT_NAME] = "account.product_name",
    [FOLIO_M_ACCOUNT_OPENING_BALANCE] = "account.opening_balance",
    [FOLIO_M_ACCOUNT_CLOSING_BALANCE] = "account.closing_balance",
    [FOLIO_M_ACCOUNT_TOTAL_DEBITS] = "account.total_debits",
    [FOLIO_M_ACCOUNT_TOTAL_CREDITS] = "account.total_credits",
    [FOLIO_M_ACCOUNT_TRANSACTION_COUNT] = "account.transaction_count",
    [FOLIO_M_ACCOUNT_CREDIT_LIMIT] = "account.credit_limit",
    [FOLIO_M_ACCOUNT_MINIMUM_DUE] = "account.minimum_due",
    [FOLIO_M_ACCOUNT_DUE_DATE] = "account.due_date",
    [FOLIO_M_ACCOUNT_RATE] = "account.rate",
    [FOLIO_M_ACCOUNT_OWNER_NAME] = "account.owner_name",
    [FOLIO_M_ACCOUNT_HOLDERS] = "account.holders",
    [FOLIO_M_ACCOUNT_CURRENCY] = "account.currency",
};

/* layout_merge_field_name: "account.number" for FOLIO_M_ACCOUNT_NUMBER;
 * "" for FOLIO_M_LITERAL and out-of-range values. */
const char *layout_merge_field_name(folio_merge_field f)
{
    if ((int)f <= 0 || f >= FOLIO_M__COUNT)
        return "";
    return MERGE_NAMES[f];
}

/* layout_merge_field_is_account: true for {account.*} fields, which have a
 * value only inside an account section (section and table texts). */
bool layout_merge_field_is_account(folio_merge_field f)
{
    return (f >= FOLIO_M_ACCOUNT_NUMBER && f <= FOLIO_M_ACCOUNT_CURRENCY) ||
           ((int)f >= FOLIO_M_ATTR_ACCOUNT && (int)f < FOLIO_M_ATTR_END);
}

static int merge_lookup(const char *s, size_t n, const folio_attrs *attrs, bool txn)
{
    for (int f = 1; f < FOLIO_M__COUNT; f++)
        if (strlen(MERGE_NAMES[f]) == n && !memcmp(MERGE_NAMES[f], s, n))
            return f;
    const folio_attr_def *a = attrs_find(attrs, s, n);   /* issue 10 part 1 */
    if (a && a->rec != FOLIO_AR_TXN)
        return (a->rec == FOLIO_AR_CUSTOMER ? FOLIO_M_ATTR_CUSTOMER : FOLIO_M_ATTR_ACCOUNT) +
               (int)(a - attrs->v);
    if (a && txn)   /* issue 10 audit: a table column's text (column_text) */
        return FOLIO_M_ATTR_TXN + (int)(a - attrs->v);
    return -1;
}

static bool template_parse(const char *s, const folio_attrs *attrs, bool txn,
                           folio_template *out, int *bad_col, char *bad_name,
                           size_t bad_name_cap);

/* ---- templates ------------------------------------------------------------ */

/* layout_template_parse: see layout.h.  Errors (all return false, *out left
 * empty): an unknown field -> *bad_col = offset of its '{', bad_name = the
 * name; an unterminated '{' -> offset of the '{', bad_name = ""; a lone '}'
 * -> offset of the '}', bad_name = "".  Out of memory -> *bad_col = -1. */
bool layout_template_parse(const char *s, folio_template *out, int *bad_col,
                           char *bad_name, size_t bad_name_cap)
{
    return layout_template_parse_attrs(s, NULL, out, bad_col, bad_name, bad_name_cap);
}

bool layout_template_parse_attrs(const char *s, const folio_attrs *attrs,
                                 folio_template *out, int *bad_col, char *bad_name,
                                 size_t bad_name_cap)
{
    return template_parse(s, attrs, false, out, bad_col, bad_name, bad_name_cap);
}

static bool template_parse(const char *s, const folio_attrs *attrs, bool txn,
                           folio_template *out, int *bad_col, char *bad_name,
                           size_t bad_name_cap)
{
    memset(out, 0, sizeof *out);
    if (bad_name && bad_name_cap)
        bad_name[0] = 0;
    size_t len = strlen(s);
    /* One block: segments (at most one per input byte, plus one) then the
     * unescaped literal text they point into. */
    size_t max_segs = len + 1;
    char *block = malloc(max_segs * sizeof(folio_tpl_seg) + len + 1);
    if (!block) {
        if (bad_col)
            *bad_col = -1;
        return false;
    }
    folio_tpl_seg *segs = (folio_tpl_seg *)block;
    char *text = block + max_segs * sizeof(folio_tpl_seg);
    size_t tl = 0;
    int n = 0;
    bool page = false;
    int lit = -1;                 /* index of the open literal segment */
    for (size_t i = 0; i < len;) {
        char c = s[i];
        if ((c == '{' && i + 1 < len && s[i + 1] == '{')
            || (c == '}' && i + 1 < len && s[i + 1] == '}')) {
            i += 2;               /* escaped brace: literal c */
        } else if (c == '}') {
            if (bad_col)
                *bad_col = (int)i;
            free(block);
            return false;
        } else if (c == '{') {
            const char *end = memchr(s + i + 1, '}', len - i - 1);
            int f = end ? merge_lookup(s + i + 1, (size_t)(end - s - i - 1), attrs, txn) : -1;
            if (f < 0) {
                if (bad_col)
                    *bad_col = (int)i;
                if (end && bad_name && bad_name_cap) {
                    size_t k = (size_t)(end - s - i - 1);
                    if (k >= bad_name_cap)
                        k = bad_name_cap - 1;
                    memcpy(bad_name, s + i + 1, k);
                    bad_name[k] = 0;
                }
                free(block);
                return false;
            }
            segs[n].field = (uint16_t)f;
            segs[n].len = 0;
            segs[n].text = NULL;
            n++;
            lit = -1;
            page |= f == FOLIO_M_PAGE || f == FOLIO_M_PAGES;
            i = (size_t)(end - s) + 1;
            continue;
        } else {
            i++;
        }
        /* append literal c */
        if (lit < 0 || segs[lit].len == UINT16_MAX) {
            lit = n++;
            segs[lit].field = FOLIO_M_LITERAL;
            segs[lit].len = 0;
            segs[lit].text = text + tl;
        }
        text[tl++] = c;
        segs[lit].len++;
    }
    text[tl] = 0;
    out->segs = segs;
    out->n_segs = n;
    out->has_page_fields = page;
    return true;
}

/* layout_template_free: free a template's storage; it is empty afterwards. */
void layout_template_free(folio_template *t)
{
    if (!t)
        return;
    free(t->segs);
    memset(t, 0, sizeof *t);
}

/* ---- lookups ---------------------------------------------------------------- */

/* layout_style_find: index of the style called `name`, -1 if none. */
int layout_style_find(const folio_layout *layout, const char *name)
{
    for (int i = 0; layout && name && i < layout->n_styles; i++)
        if (!strcmp(layout->styles[i].name, name))
            return i;
    return -1;
}

/* layout_product_find: index of the product with `code`, -1 if none. */
int layout_product_find(const folio_layout *layout, const char *code)
{
    for (int i = 0; layout && code && i < layout->n_products; i++)
        if (!strcmp(layout->products[i].code, code))
            return i;
    return -1;
}

/* ---- keys -------------------------------------------------------------------- */

static const char *const TOP_KEYS[] = { "page", "fonts", "styles", "format",
    "account_number", "header", "first_page", "footer", "address", "body",
    "summary", "products", "section", "table", "languages", "fallback_language",
    "paragraphs", "white_space", "currencies",
    "disclosures",                                  /* issue 14 part 1 */
    "images", "charts",             /* issue 13 parts 1, 2 (src/graphics.c) */
    "coupon", /* issue 13 part 3 */
    NULL };
static const char *const PAGE_KEYS[] = { "size", "margins", NULL };
static const char *const MARGIN_KEYS[] = { "top", "right", "bottom", "left", NULL };
static const char *const FONT_KEYS[] = { "name", "file", "afp", NULL };
static const char *const FONT_AFP_KEYS[] = { "character_set", "code_page", "coded_font",
                                              "unicode" /* issue 13 part 5 */, NULL };
static const char *const FONT_AFP_U_KEYS[] = { "character_set", "code_page", "coded_font", NULL };
static const char *const STYLE_KEYS[] = { "font", "size", "leading", "color", "min_size",
                                           NULL };
static const char *const FORMAT_KEYS[] = { "date", "money", NULL };
static const char *const MONEY_KEYS[] = { "decimal", "group", "symbol", NULL };
static const char *const MASK_KEYS[] = { "mask", "mask_char", NULL };
static const char *const PLACED_KEYS[] = { "text", "style", "x", "y", "align", "width",
                                            "min_size", NULL };
static const char *const ADDRESS_KEYS[] = { "x", "y", "width", "height", "style",
                                            "max_lines", "max_names", NULL };   /* issue 10 gaps */
static const char *const BODY_KEYS[] = { "first_page_top", "top", "bottom", NULL };
static const char *const SUMMARY_KEYS[] = { "title", "title_style", "header_style",
    "row_style", "total_label", "total_owed_label", "space_after", "columns", NULL };
static const char *const COLUMN_KEYS[] = { "field", "title", "width", "align",
                                           "text", NULL };   /* issue 10 audit: text */
static const char *const PRODUCT_KEYS[] = { "code", "title", "balance", NULL };
static const char *const SECTION_KEYS[] = { "title", "title_style", "info",
                                            "info_style", "space_after", NULL };
static const char *const TABLE_KEYS[] = { "header_style", "row_style", "continued",
    "continued_next", "opening_label", "closing_label", "empty", "rule_color",
    "stripe_color", "row_padding", "cell_padding", "columns", NULL };

static const char *const ALIGN_NAMES[] = { "left", "right", "center", NULL };
static const char *const MASK_NAMES[] = { "last4", "full", NULL };
static const char *const BALANCE_NAMES[] = { "asset", "liability", NULL };
static const char *const PAGE_NAMES[] = { "letter", "a4", "legal", NULL };
static const int32_t PAGE_SIZES[][2] = { { 12240, 15840 }, { 11906, 16838 },
                                         { 12240, 20160 } };

/* Column field names, indexed by folio_column_field. */
static const char *const COL_NAMES[] = { NULL, "product_name", "number", "owner",
    "opening", "closing", "debits", "credits", "date", "description", "debit",
    "credit", "balance", "amount", NULL };
static const char *const SUMMARY_COL_NAMES[] = { "product_name", "number", "owner",
    "opening", "closing", "debits", "credits", NULL };
static const char *const TABLE_COL_NAMES[] = { "date", "description", "debit",
    "credit", "balance", "amount", NULL };

const char *layout_column_name(folio_column_field f)
{
    if ((int)f <= 0 || f > FOLIO_COL_AMOUNT)
        return "";
    return COL_NAMES[f];
}

/* ---- readers ----------------------------------------------------------------- */

typedef struct loader {
    yt_doc *d;
    folio_layout *L;
    char *dir;                  /* the layout file's directory ("" = cwd) */
    folio_layout *base;         /* the layout of languages[0] (== L for it) */
    int lang;                   /* language whose texts are read into L */
    const folio_attrs *attrs;   /* the job's attributes (issue 10 part 1), NULL = none */
    bool txn_fields;            /* issue 10 audit: {transaction.*} allowed (column text) */
} loader;

static bool text_missing(loader *ld, const yt_node *at, const char *name, const char *how);

static bool oom(loader *ld)
{
    folio_error_set(ld->d->err, FOLIO_EXIT_FAILED, "%s: out of memory", ld->d->path);
    return false;
}

static char *xstrdup(loader *ld, const char *s)
{
    char *r = strdup(s);
    if (!r)
        oom(ld);
    return r;
}

static int32_t pt_units(int64_t hundredths)
{
    return (int32_t)((hundredths * 20 + (hundredths >= 0 ? 50 : -50)) / 100);
}

/* Units as points for messages: 10945.6 pt -> "547.28" (no locale). */
static const char *pt_text(char *buf, size_t cap, int64_t units)
{
    int64_t h = units * 5;                  /* hundredths of a point */
    int64_t ip = h / 100, fp = h % 100;
    if (fp < 0)
        fp = -fp;
    if (!fp)
        snprintf(buf, cap, "%lld", (long long)ip);
    else if (fp % 10 == 0)
        snprintf(buf, cap, "%lld.%lld", (long long)ip, (long long)(fp / 10));
    else
        snprintf(buf, cap, "%lld.%02lld", (long long)ip, (long long)fp);
    return buf;
}

/* A length in points (<= 2 decimals, 0..10000) -> units.  1/0/-1 like yt_*. */
static int read_len(loader *ld, const yt_node *map, const char *where,
                    const char *key, bool required, int32_t *out)
{
    int64_t h;
    int r = yt_fixed(ld->d, map, where, key, required, 2, 0, PT_MAX, &h);
    if (r == 1)
        *out = pt_units(h);
    return r;
}

/* A font size or leading: like read_len but > 0 and <= 1000 pt. */
static int read_size(loader *ld, const yt_node *map, const char *where,
                     const char *key, bool required, int32_t *out)
{
    int64_t h;
    int r = yt_fixed(ld->d, map, where, key, required, 2, 1, 100000, &h);
    if (r == 1)
        *out = pt_units(h);
    return r;
}

/* The raw value of map[key] including a YAML null, NULL if the key is absent. */
static const yt_node *raw_value(const yt_node *map, const char *key)
{
    for (int i = 0; map && map->kind == YT_MAP && i < map->n; i++)
        if (!strcmp(map->keys[i]->str, key))
            return map->items[i];
    return NULL;
}

static int hexval(char c)
{
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

/* "#RRGGBB" -> 0xRRGGBB. */
static int read_color(loader *ld, const yt_node *map, const char *where,
                      const char *key, uint32_t *out)
{
    char name[256];
    yt_name(name, sizeof name, where, key);
    const yt_node *n = raw_value(map, key);
    if (!n)
        return 0;
    if (n->kind == YT_SCALAR && n->is_null)
        return yt_fail(ld->d, n, "'%s' is empty: write colours in quotes, "
                       "\"#RRGGBB\" (an unquoted # starts a YAML comment)", name)
               ? 1 : -1;
    if (n->kind != YT_SCALAR)
        return yt_fail(ld->d, n, "'%s' must be a colour \"#RRGGBB\", got %s", name,
                       yt_kind_name(n)) ? 1 : -1;
    uint32_t v = 0;
    bool ok = n->len == 7 && n->str[0] == '#';
    for (int i = 1; ok && i < 7; i++) {
        int h = hexval(n->str[i]);
        ok = h >= 0;
        v = v << 4 | (uint32_t)(h & 15);
    }
    if (!ok)
        return yt_fail(ld->d, n, "'%s' must be a colour \"#RRGGBB\", got '%.40s'",
                       name, n->str) ? 1 : -1;
    *out = v;
    return 1;
}

/* A style name -> index into L->styles. */
static int read_style(loader *ld, const yt_node *map, const char *where,
                      const char *key, bool required, int *out)
{
    const yt_node *n = yt_child(ld->d, map, where, key, required);
    if (!n)
        return required ? -1 : 0;
    char name[256];
    yt_name(name, sizeof name, where, key);
    if (n->kind != YT_SCALAR)
        return yt_fail(ld->d, n, "'%s' must be a style name, got %s", name,
                       yt_kind_name(n)) ? 1 : -1;
    int s = layout_style_find(ld->L, n->str);
    if (s < 0) {
        char list[512];
        size_t o = 0;
        list[0] = 0;
        for (int i = 0; i < ld->L->n_styles; i++) {
            if (!folio_str_appendf(list, sizeof list, &o, "%s%s", i ? ", " : "",
                                   ld->L->styles[i].name))
                break;
        }
        yt_fail(ld->d, n, "'%s': unknown style '%.60s' (styles: %s)", name, n->str,
                list);
        return -1;
    }
    *out = s;
    return 1;
}

/* ---- languages -------------------------------------------------------------- */

static bool add_warning(folio_layout *B, const char *msg)
{
    char **w = realloc(B->warnings, (size_t)(B->n_warnings + 1) * sizeof *w);
    if (!w)
        return false;
    B->warnings = w;
    if (!(w[B->n_warnings] = strdup(msg)))
        return false;
    B->n_warnings++;
    return true;
}

/* Note that text `name` has no wording in language ld->lang: a warning for
 * stderr, and the count and the name for the manifest and the audit.  `how`
 * says what is printed instead (NULL: the fallback language's text). */
static bool text_missing(loader *ld, const yt_node *at, const char *name, const char *how)
{
    folio_layout *B = ld->base;
    int l = ld->lang;
    char msg[700], alt[64];
    if (!how) {
        snprintf(alt, sizeof alt, "'%s' text", B->languages[0]);
        how = alt;
    }
    snprintf(msg, sizeof msg, "%s:%d:%d: warning: '%s' has no '%s' text; the %s is used",
             ld->d->path, at ? at->line : 1, at ? at->col : 1, name, B->languages[l], how);
    size_t ol = strlen(B->missing[l]), nl = strlen(name);
    char *m = realloc(B->missing[l], ol + nl + 3);
    if (!m || !add_warning(B, msg)) {
        if (m)
            B->missing[l] = m;
        return oom(ld);
    }
    if (ol)
        memcpy(m + ol, ", ", 2), ol += 2;
    memcpy(m + ol, name, nl + 1);
    B->missing[l] = m;
    B->n_missing[l]++;
    return true;
}

/* A text with letters outside its merge fields needs translating;
 * "{bank.name}" or "{account.product_name}  {account.number}" does not. */
static bool has_words(const char *s)
{
    for (; *s; s++) {
        if (s[0] == '{' && s[1] == '{') {
            s++;
            continue;
        }
        if (*s == '{') {
            const char *e = strchr(s, '}');
            if (!e)
                return true;
            s = e;
            continue;
        }
        unsigned char c = (unsigned char)*s;
        if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c >= 0x80)
            return true;
    }
    return false;
}

static int lang_exact(const folio_layout *B, const char *code)
{
    for (int i = 0; i < B->n_languages; i++)
        if (!strcmp(B->languages[i], code))
            return i;
    return -1;
}

static const char *lang_list(const folio_layout *B, char *buf, size_t cap)
{
    size_t o = 0;
    buf[0] = 0;
    for (int i = 0; i < B->n_languages; i++)
        if (!folio_str_appendf(buf, cap, &o, "%s%s", i ? ", " : "", B->languages[i]))
            break;
    return buf;
}

/* A text value is a plain text or a map {language: text}.  Returns the node
 * holding the text for language ld->lang -- the fallback language's, noted
 * as missing, when there is none -- or NULL on error.  A plain text is in the
 * fallback language: for another language it counts as missing, unless it
 * has no words (see has_words). */
static const yt_node *text_node(loader *ld, const yt_node *n, const char *name)
{
    folio_layout *B = ld->base;
    if (n->kind == YT_MAP) {
        const yt_node *mine = NULL, *fb = NULL;
        char list[200];
        for (int i = 0; i < n->n; i++) {
            int l = lang_exact(B, n->keys[i]->str);
            if (l < 0) {
                yt_fail(ld->d, n->keys[i], "'%s': '%.20s' is not a language of this "
                        "layout (languages: %s)", name, n->keys[i]->str,
                        lang_list(B, list, sizeof list));
                return NULL;
            }
            if (n->items[i]->kind != YT_SCALAR) {
                yt_fail(ld->d, n->items[i], "'%s.%s' must be a text, got %s", name,
                        n->keys[i]->str, yt_kind_name(n->items[i]));
                return NULL;
            }
            if (l == 0)
                fb = n->items[i];
            if (l == ld->lang)
                mine = n->items[i];
        }
        if (!fb) {
            yt_fail(ld->d, n, "'%s' has no text in the fallback language '%s'", name,
                    B->languages[0]);
            return NULL;
        }
        if (!mine) {
            if (!text_missing(ld, n, name, NULL))
                return NULL;
            mine = fb;
        }
        return mine;
    }
    if (n->kind == YT_SCALAR && ld->lang > 0 && !n->is_null && has_words(n->str)
        && !text_missing(ld, n, name, NULL))
        return NULL;
    return n;
}

/* layout_language_find: see layout.h. */
int layout_language_find(const folio_layout *layout, const char *code)
{
    if (!layout || !code)
        return -1;
    size_t n = strcspn(code, "-_");
    for (int i = 0; i < layout->n_languages; i++) {
        const char *l = layout->languages[i];
        if (strlen(l) != n)
            continue;
        size_t k = 0;
        while (k < n && (code[k] | 0x20) == l[k])
            k++;
        if (k == n)
            return i;
    }
    return -1;
}

/* Parse the text of scalar node n as a template; account fields only when
 * allow_account. */
static const yt_node *text_node(loader *ld, const yt_node *n, const char *name);

static bool parse_tpl(loader *ld, const yt_node *n, const char *name,
                      bool allow_account, folio_template *out)
{
    if (n && !(n = text_node(ld, n, name)))
        return false;
    if (!n || n->kind != YT_SCALAR)
        return yt_fail(ld->d, n, "'%s' must be a text, got %s", name,
                       yt_kind_name(n));
    const char *s = n->is_null ? "" : n->str;
    int bad = 0;
    char bn[128];
    folio_template t;
    if (!template_parse(s, ld->attrs, ld->txn_fields, &t, &bad, bn, sizeof bn)) {
        if (bad < 0)
            return oom(ld);
        int col = yt_col_at(n, (size_t)bad);
        if (s[bad] == '}')
            return yt_fail_at(ld->d, n->line, col, "'%s': unmatched '}' (write "
                              "}} for a literal brace)", name);
        if (!strchr(s + bad, '}'))
            return yt_fail_at(ld->d, n->line, col, "'%s': unterminated '{' (write "
                              "{{ for a literal brace)", name);
        char known[900];
        size_t o = 0;
        known[0] = 0;
        for (int f = 1; f < FOLIO_M__COUNT; f++) {
            if (!folio_str_appendf(known, sizeof known, &o, "%s%s", f > 1 ? ", " : "",
                                   MERGE_NAMES[f]))
                break;
        }
        return yt_fail_at(ld->d, n->line, col, "unknown merge field {%s} (known: %s)",
                          bn, known);
    }
    if (!allow_account) {
        /* find the offset of the first account field for the column */
        for (int i = 0; i < t.n_segs; i++) {
            if (!layout_merge_field_is_account(t.segs[i].field))
                continue;
            const char *fname = t.segs[i].field >= FOLIO_M_ATTR_CUSTOMER
                                    ? ld->attrs->v[t.segs[i].field & 0x1FFF].qname
                                    : MERGE_NAMES[t.segs[i].field];
            char pat[64];
            snprintf(pat, sizeof pat, "{%s}", fname);
            const char *at = strstr(s, pat);
            int col = yt_col_at(n, at ? (size_t)(at - s) : 0);
            layout_template_free(&t);
            return yt_fail_at(ld->d, n->line, col, "merge field {%s} can only be "
                              "used in section and table texts, not in '%s'",
                              fname, name);
        }
    }
    *out = t;
    return true;
}

/* Optional template key; `def` when absent. */
static bool read_tpl(loader *ld, const yt_node *map, const char *where,
                     const char *key, const char *def, bool allow_account,
                     folio_template *out)
{
    char name[256];
    yt_name(name, sizeof name, where, key);
    const yt_node *n = raw_value(map, key);
    if (n)
        return parse_tpl(ld, n, name, allow_account, out);
    if (ld->lang > 0 && !text_missing(ld, map, name, "built-in English text"))
        return false;
    int bad;
    if (!layout_template_parse(def, out, &bad, NULL, 0))
        return oom(ld);
    return true;
}

/* Optional string key; `def` when absent. */
static bool read_text(loader *ld, const yt_node *map, const char *where,
                      const char *key, const char *def, char **out)
{
    const yt_node *n = raw_value(map, key);
    char name[256];
    yt_name(name, sizeof name, where, key);
    if (n && !(n = text_node(ld, n, name)))
        return false;
    if (n && n->kind == YT_SCALAR && n->is_null)
        return (*out = xstrdup(ld, "")) != NULL;
    if (n && n->kind == YT_SCALAR)
        return (*out = xstrdup(ld, n->str)) != NULL;
    if (yt_str(ld->d, map, where, key, false, out) < 0)
        return false;
    if (!*out && def && *def && ld->lang > 0 && !text_missing(ld, map, name, "built-in English text"))
        return false;
    return *out || !def || (*out = xstrdup(ld, def)) != NULL;
}

/* Optional submap: NULL (fine) when absent; false on a wrong shape. */
static bool submap(loader *ld, const yt_node *map, const char *where,
                   const char *key, const char *const *keys, const yt_node **out)
{
    char name[128];
    yt_name(name, sizeof name, where, key);
    *out = yt_child(ld->d, map, where, key, false);
    if (!*out)
        return true;
    return yt_expect_map(ld->d, *out, name) && yt_check_keys(ld->d, *out, name, keys);
}

/* ---- sections ------------------------------------------------------------------ */

static bool read_page(loader *ld, const yt_node *root)
{
    folio_layout *L = ld->L;
    L->page_w = PAGE_SIZES[0][0];
    L->page_h = PAGE_SIZES[0][1];
    int32_t m = 36 * 20;
    L->margin_top = L->margin_right = L->margin_bottom = L->margin_left = m;
    const yt_node *p;
    if (!submap(ld, root, "", "page", PAGE_KEYS, &p) || !p)
        return !ld->d->err->code;
    const yt_node *sz = yt_child(ld->d, p, "page", "size", false);
    if (sz && sz->kind == YT_SEQ) {
        if (sz->n != 2)
            return yt_fail(ld->d, sz, "'page.size' must be letter, a4, legal or "
                           "[width, height] in points, got a list of %d", sz->n);
        int64_t w, h;
        if (!yt_node_fixed(ld->d, sz->items[0], "page.size[0]", 2, 7200, PT_MAX, &w)
            || !yt_node_fixed(ld->d, sz->items[1], "page.size[1]", 2, 7200, PT_MAX, &h))
            return false;
        L->page_w = pt_units(w);
        L->page_h = pt_units(h);
    } else if (sz) {
        int k;
        if (!yt_node_enum(ld->d, sz, "page.size", PAGE_NAMES, &k))
            return false;
        L->page_w = PAGE_SIZES[k][0];
        L->page_h = PAGE_SIZES[k][1];
    }
    const yt_node *mg;
    if (!submap(ld, p, "page", "margins", MARGIN_KEYS, &mg))
        return false;
    if (mg && (read_len(ld, mg, "page.margins", "top", false, &L->margin_top) < 0
               || read_len(ld, mg, "page.margins", "right", false, &L->margin_right) < 0
               || read_len(ld, mg, "page.margins", "bottom", false, &L->margin_bottom) < 0
               || read_len(ld, mg, "page.margins", "left", false, &L->margin_left) < 0))
        return false;
    if (L->margin_left + L->margin_right >= L->page_w
        || L->margin_top + L->margin_bottom >= L->page_h)
        return yt_fail(ld->d, mg ? mg : p, "'page.margins' leave no room on the page");
    return true;
}

/* fonts[i].afp: {character_set, code_page} or {coded_font}, AFP names of
 * 1-8 characters A-Z 0-9 @ # $ (upper-cased). */
static bool read_font_afp_name(loader *ld, const yt_node *a, const char *where,
                               const char *key, char **out)
{
    if (yt_str(ld->d, a, where, key, false, out) < 0)
        return false;
    if (!*out)
        return true;
    size_t n = strlen(*out);
    bool ok = n >= 1 && n <= 8;
    for (char *c = *out; ok && *c; c++) {
        if (*c >= 'a' && *c <= 'z')
            *c = (char)(*c - 'a' + 'A');
        ok = (*c >= 'A' && *c <= 'Z') || (*c >= '0' && *c <= '9') || *c == '@'
             || *c == '#' || *c == '$';
    }
    if (!ok)
        return yt_fail(ld->d, yt_get(a, key), "'%s.%s' must be an AFP resource name of "
                       "1 to 8 characters A-Z, 0-9, @, #, $, got '%s'", where, key, *out);
    return true;
}

static bool read_font_afp(loader *ld, const yt_node *f, const char *where,
                          folio_layout_font *lf)
{
    const yt_node *a = yt_child(ld->d, f, where, "afp", false);
    if (!a)
        return !ld->d->err->code;
    char w2[48];
    snprintf(w2, sizeof w2, "%s.afp", where);
    if (!yt_expect_map(ld->d, a, w2) || !yt_check_keys(ld->d, a, w2, FONT_AFP_KEYS)
        || !read_font_afp_name(ld, a, w2, "character_set", &lf->afp_character_set)
        || !read_font_afp_name(ld, a, w2, "code_page", &lf->afp_code_page)
        || !read_font_afp_name(ld, a, w2, "coded_font", &lf->afp_coded_font))
        return false;
    if (lf->afp_coded_font && (lf->afp_character_set || lf->afp_code_page))
        return yt_fail(ld->d, a, "'%s' gives either coded_font or character_set and "
                       "code_page, not both", w2);
    /* issue 13 part 5: fonts[i].afp.unicode: the font for code page 1200 */
    const yt_node *u = yt_get(a, "unicode");
    if (!u)
        return true;
    char w3[64];
    snprintf(w3, sizeof w3, "%s.unicode", w2);
    if (!yt_expect_map(ld->d, u, w3) || !yt_check_keys(ld->d, u, w3, FONT_AFP_U_KEYS)
        || !read_font_afp_name(ld, u, w3, "character_set", &lf->afp_u_character_set)
        || !read_font_afp_name(ld, u, w3, "code_page", &lf->afp_u_code_page)
        || !read_font_afp_name(ld, u, w3, "coded_font", &lf->afp_u_coded_font))
        return false;
    if (lf->afp_u_coded_font ? lf->afp_u_character_set || lf->afp_u_code_page
                             : !lf->afp_u_character_set || !lf->afp_u_code_page)
        return yt_fail(ld->d, u, "'%s' gives either coded_font or both character_set and "
                       "code_page", w3);
    return true;
}

static bool read_fonts(loader *ld, const yt_node *root)
{
    folio_layout *L = ld->L;
    const yt_node *fs = yt_child(ld->d, root, "", "fonts", true);
    if (!fs || !yt_expect_seq(ld->d, fs, "fonts"))
        return false;
    if (fs->n == 0 || fs->n > MAX_FONTS)
        return yt_fail(ld->d, fs, "'fonts' must list 1 to %d fonts, got %d",
                       MAX_FONTS, fs->n);
    if (!(L->fonts = calloc((size_t)fs->n, sizeof *L->fonts)))
        return oom(ld);
    for (int i = 0; i < fs->n; i++) {
        char where[32];
        snprintf(where, sizeof where, "fonts[%d]", i);
        const yt_node *f = fs->items[i];
        folio_layout_font *lf = &L->fonts[i];
        L->n_fonts = i + 1;
        char *file = NULL;
        if (!yt_expect_map(ld->d, f, where) || !yt_check_keys(ld->d, f, where, FONT_KEYS)
            || yt_str(ld->d, f, where, "name", true, &lf->name) < 0
            || yt_str(ld->d, f, where, "file", true, &file) < 0)
            return false;
        for (int k = 0; k < i; k++)
            if (!strcmp(L->fonts[k].name, lf->name)) {
                free(file);
                return yt_fail(ld->d, yt_get(f, "name"), "duplicate font name '%s'",
                               lf->name);
            }
        if (file[0] == '/' || !*ld->dir) {
            lf->file = file;
        } else {
            size_t n = strlen(ld->dir) + strlen(file) + 2;
            lf->file = malloc(n);
            if (lf->file)
                snprintf(lf->file, n, "%s/%s", ld->dir, file);
            free(file);
            if (!lf->file)
                return oom(ld);
        }
        if (!read_font_afp(ld, f, where, lf))
            return false;
        folio_error ferr = { 0 };
        lf->metrics = fonts_load(lf->file, &ferr);
        if (!lf->metrics)
            return yt_fail(ld->d, yt_get(f, "file"), "cannot load font '%s': %s",
                           lf->name, ferr.msg);
    }
    return true;
}

static bool read_styles(loader *ld, const yt_node *root)
{
    folio_layout *L = ld->L;
    const yt_node *ss = yt_child(ld->d, root, "", "styles", true);
    if (!ss || !yt_expect_map(ld->d, ss, "styles"))
        return false;
    if (ss->n == 0 || ss->n > MAX_STYLES)
        return yt_fail(ld->d, ss, "'styles' must define 1 to %d styles, got %d",
                       MAX_STYLES, ss->n);
    if (!(L->styles = calloc((size_t)ss->n, sizeof *L->styles)))
        return oom(ld);
    for (int i = 0; i < ss->n; i++) {
        const yt_node *s = ss->items[i];
        folio_style *st = &L->styles[i];
        L->n_styles = i + 1;
        if (!(st->name = xstrdup(ld, ss->keys[i]->str)))
            return false;
        char where[160];
        snprintf(where, sizeof where, "styles.%.140s", st->name);
        if (!yt_expect_map(ld->d, s, where) || !yt_check_keys(ld->d, s, where, STYLE_KEYS))
            return false;
        const yt_node *fn = yt_child(ld->d, s, where, "font", true);
        if (!fn)
            return false;
        char name[200];
        yt_name(name, sizeof name, where, "font");
        st->font = -1;
        for (int k = 0; fn->kind == YT_SCALAR && k < L->n_fonts; k++)
            if (!strcmp(L->fonts[k].name, fn->str))
                st->font = k;
        if (st->font < 0)
            return yt_fail(ld->d, fn, "'%s': unknown font '%.60s' (define it in 'fonts')",
                           name, fn->kind == YT_SCALAR ? fn->str : "?");
        if (read_size(ld, s, where, "size", true, &st->size) < 0)
            return false;
        st->leading = (st->size * 6 + 2) / 5;       /* 1.2 x size */
        st->color = 0;
        if (read_size(ld, s, where, "leading", false, &st->leading) < 0
            || read_color(ld, s, where, "color", &st->color) < 0
            || read_size(ld, s, where, "min_size", false, &st->min_size) < 0)
            return false;
        if (st->min_size > st->size) {
            char a[24], b[24];
            return yt_fail(ld->d, yt_get(s, "min_size"), "'%s.min_size' (%s) is larger "
                           "than its size (%s)", where, pt_text(a, sizeof a, st->min_size),
                           pt_text(b, sizeof b, st->size));
        }
    }
    return true;
}

static bool read_format(loader *ld, const yt_node *root)
{
    folio_layout *L = ld->L;
    L->money_decimal = '.';
    L->money_group = ',';
    L->mask_account_numbers = true;
    L->mask_char = '*';
    const yt_node *f, *m, *a;
    if (!submap(ld, root, "", "format", FORMAT_KEYS, &f))
        return false;
    if (yt_str(ld->d, f, "format", "date", false, &L->date_format) < 0)
        return false;
    if (!L->date_format && !(L->date_format = xstrdup(ld, "MM/DD/YYYY")))
        return false;
    if (!strstr(L->date_format, "YY") && !strstr(L->date_format, "MM")
        && !strstr(L->date_format, "DD") && !strstr(L->date_format, "Mon"))
        return yt_fail(ld->d, yt_get(f, "date"), "'format.date' must use YYYY, YY, "
                       "MM, DD, Mon or Month, got '%.40s'", L->date_format);
    if (!submap(ld, f, "format", "money", MONEY_KEYS, &m))
        return false;
    if (m) {
        const yt_node *g = raw_value(m, "group");
        if (yt_char(ld->d, m, "format.money", "decimal", false, ".,", false,
                    &L->money_decimal) < 0)
            return false;
        if (!g && L->money_decimal == ',')
            L->money_group = '.';          /* 1.234,56 */
        else if (g && g->kind == YT_SCALAR && g->is_null)
            L->money_group = 0;
        else if (yt_char(ld->d, m, "format.money", "group", false, ",. '", true,
                         &L->money_group) < 0)
            return false;
        if (L->money_group == L->money_decimal)
            return yt_fail(ld->d, g, "'format.money.group' is the same character as "
                           "'format.money.decimal'");
    }
    if (!read_text(ld, m, "format.money", "symbol", "$", &L->currency_symbol))
        return false;
    if (!submap(ld, root, "", "account_number", MASK_KEYS, &a))
        return false;
    int mk = 0;
    if (yt_enum(ld->d, a, "account_number", "mask", false, MASK_NAMES, &mk) < 0
        || yt_char(ld->d, a, "account_number", "mask_char", false, NULL, false,
                   &L->mask_char) < 0)
        return false;
    L->mask_account_numbers = mk == 0;
    return true;
}

/* header / first_page / footer */
static bool read_placed(loader *ld, const yt_node *root, const char *key,
                        folio_placed_text **out, int *n_out)
{
    const yt_node *s = yt_child(ld->d, root, "", key, false);
    if (!s)
        return !ld->d->err->code;
    if (!yt_expect_seq(ld->d, s, key))
        return false;
    if (s->n > MAX_ITEMS)
        return yt_fail(ld->d, s, "'%s' has more than %d texts", key, MAX_ITEMS);
    if (!(*out = calloc((size_t)s->n + 1, sizeof **out)))
        return oom(ld);
    for (int i = 0; i < s->n; i++) {
        char where[64];
        snprintf(where, sizeof where, "%s[%d]", key, i);
        const yt_node *it = s->items[i];
        folio_placed_text *pt = &(*out)[i];
        int al = 0;
        if (!yt_expect_map(ld->d, it, where)
            || !yt_check_keys(ld->d, it, where, PLACED_KEYS)
            || read_style(ld, it, where, "style", false, &pt->style) < 0
            || read_len(ld, it, where, "x", true, &pt->x) < 0
            || read_len(ld, it, where, "y", true, &pt->y) < 0
            || yt_enum(ld->d, it, where, "align", false, ALIGN_NAMES, &al) < 0
            || read_size(ld, it, where, "min_size", false, &pt->min_size) < 0)
            return false;
        pt->align = (folio_align)al;
        if (raw_value(it, "width")) {
            int64_t h;
            if (yt_fixed(ld->d, it, where, "width", true, 2, 1, PT_MAX, &h) < 0)
                return false;
            pt->width = pt_units(h);
            int32_t x0 = pt->align == FOLIO_ALIGN_LEFT ? pt->x
                         : pt->align == FOLIO_ALIGN_RIGHT ? pt->x - pt->width
                                                          : pt->x - pt->width / 2;
            if (x0 < 0 || (int64_t)x0 + pt->width > ld->L->page_w)
                return yt_fail(ld->d, yt_get(it, "width"), "'%s': the box of width %s "
                               "from x reaches past the edge of the page", where,
                               yt_get(it, "width")->str);
        }
        int32_t style_size = ld->L->styles[pt->style].size;
        if (pt->min_size > style_size) {
            char a[24], b[24];
            return yt_fail(ld->d, yt_get(it, "min_size"), "'%s.min_size' (%s) is larger "
                           "than the size of its style (%s)", where,
                           pt_text(a, sizeof a, pt->min_size), pt_text(b, sizeof b, style_size));
        }
        char name[80];
        const yt_node *t = yt_child(ld->d, it, where, "text", true);
        if (!t || !parse_tpl(ld, t, yt_name(name, sizeof name, where, "text"), false,
                             &pt->text))
            return false;
        *n_out = i + 1;
        if (pt->x > ld->L->page_w || pt->y > ld->L->page_h)
            return yt_fail(ld->d, it, "'%s' is placed outside the page", where);
    }
    return true;
}

static bool read_address_body(loader *ld, const yt_node *root)
{
    folio_layout *L = ld->L;
    L->address_x = 63 * 20;
    L->address_y = 150 * 20;
    L->address_w = 288 * 20;
    L->address_h = 86 * 20;
    L->address_style = 0;
    L->address_max_lines = 6;
    L->address_max_names = 3;     /* issue 10 gaps: address.max_names */
    const yt_node *a, *b;
    if (!submap(ld, root, "", "address", ADDRESS_KEYS, &a))
        return false;
    int64_t ml = 6, mn = 3;
    if (read_len(ld, a, "address", "x", false, &L->address_x) < 0
        || read_len(ld, a, "address", "y", false, &L->address_y) < 0
        || read_len(ld, a, "address", "width", false, &L->address_w) < 0
        || read_len(ld, a, "address", "height", false, &L->address_h) < 0
        || read_style(ld, a, "address", "style", false, &L->address_style) < 0
        || yt_int(ld->d, a, "address", "max_lines", false, 1, 12, &ml) < 0
        || yt_int(ld->d, a, "address", "max_names", false, 1, 12, &mn) < 0)
        return false;
    L->address_max_lines = (int)ml;
    L->address_max_names = (int)mn;
    if (L->address_w <= 0 || L->address_h <= 0
        || L->address_x + L->address_w > L->page_w
        || L->address_y + L->address_h > L->page_h)
        return yt_fail(ld->d, a ? a : root, "'address' must be a non-empty box "
                       "inside the page");
    if (!submap(ld, root, "", "body", BODY_KEYS, &b))
        return false;
    L->body_top = L->margin_top;
    L->body_bottom = L->page_h - L->margin_bottom;
    if (read_len(ld, b, "body", "top", false, &L->body_top) < 0
        || read_len(ld, b, "body", "bottom", false, &L->body_bottom) < 0)
        return false;
    L->body_top_first = L->body_top;
    if (read_len(ld, b, "body", "first_page_top", false, &L->body_top_first) < 0)
        return false;
    if (L->body_bottom > L->page_h || L->body_top >= L->body_bottom
        || L->body_top_first >= L->body_bottom)
        return yt_fail(ld->d, b ? b : root, "'body': top and first_page_top must "
                       "be above bottom, and bottom inside the page");
    return true;
}

/* issue 10 part 1: `field: account.NAME` (summary and transaction table) or
 * `field: transaction.NAME` (transaction table) names an attribute of the
 * job.  NULL when the field is not one (err set when it names an attribute
 * of the wrong record kind). */
static const folio_attr_def *attr_column(loader *ld, const yt_node *it,
                                         const char *const *fields)
{
    const yt_node *fn = yt_get(it, "field");
    if (!fn || fn->kind != YT_SCALAR || !ld->attrs)
        return NULL;
    const folio_attr_def *a = attrs_find(ld->attrs, fn->str, fn->len);
    if (!a)
        return NULL;
    bool table = fields == TABLE_COL_NAMES;
    if (a->rec == FOLIO_AR_CUSTOMER || (a->rec == FOLIO_AR_TXN && !table)) {
        yt_fail(ld->d, fn, "'%s' is a %s attribute: a %s column shows %s", fn->str,
                a->rec == FOLIO_AR_CUSTOMER ? "customer" : "transaction",
                table ? "transaction table" : "summary",
                table ? "transaction or account attributes" : "account attributes");
        return NULL;
    }
    return a;
}

/* issue 10 audit: a transaction table column's `text:` (instead of `field:`),
 * a template per row with the merge fields of section texts plus
 * {transaction.NAME} (transaction attributes and code lists).  1 when the
 * column has one, 0 when not, -1 on a layout error. */
static int column_text(loader *ld, const yt_node *it, const char *w, bool table,
                       folio_template *out)
{
    const yt_node *tn = yt_get(it, "text");
    if (!tn)
        return 0;
    char name[128];
    yt_name(name, sizeof name, w, "text");
    if (!table) {
        yt_fail(ld->d, tn, "'%s': only a transaction table column may have a text", name);
        return -1;
    }
    if (yt_get(it, "field")) {
        yt_fail(ld->d, tn, "'%s': a column has a field or a text, not both", name);
        return -1;
    }
    ld->txn_fields = true;
    bool ok = parse_tpl(ld, tn, name, true, out);
    ld->txn_fields = false;
    if (ok && out->has_page_fields) {
        layout_template_free(out);
        yt_fail(ld->d, tn, "'%s': {page} and {pages} are not known in a table row", name);
        return -1;
    }
    return ok ? 1 : -1;
}

/* Columns of the summary or the transaction table. */
static bool read_columns(loader *ld, const yt_node *map, const char *where,
                         const char *const *fields, const int *def_fields,
                         const int *def_permille, int n_def,
                         folio_column **out, int *n_out)
{
    folio_layout *L = ld->L;
    int32_t avail = L->page_w - L->margin_left - L->margin_right;
    char cw[96];
    yt_name(cw, sizeof cw, where, "columns");
    const yt_node *cs = yt_child(ld->d, map, where, "columns", false);
    if (!cs) {
        if (ld->d->err->code)
            return false;
        if (!(*out = calloc((size_t)n_def, sizeof **out)))
            return oom(ld);
        if (ld->lang > 0 && !text_missing(ld, map, cw, "built-in English titles"))
            return false;
        int32_t used = 0;
        for (int i = 0; i < n_def; i++) {
            folio_column *c = &(*out)[i];
            *n_out = i + 1;
            c->field = (folio_column_field)def_fields[i];
            c->width = i + 1 < n_def ? avail * def_permille[i] / 1000 : avail - used;
            used += c->width;
            c->align = c->field == FOLIO_COL_PRODUCT_NAME || c->field == FOLIO_COL_NUMBER
                       || c->field == FOLIO_COL_OWNER || c->field == FOLIO_COL_DATE
                       || c->field == FOLIO_COL_DESCRIPTION
                       ? FOLIO_ALIGN_LEFT : FOLIO_ALIGN_RIGHT;
            const char *name = COL_NAMES[c->field];
            char title[32];
            snprintf(title, sizeof title, "%s", name);
            title[0] = (char)(title[0] - 'a' + 'A');
            for (char *p = title; *p; p++)
                if (*p == '_')
                    *p = ' ';
            if (!(c->title = xstrdup(ld, title)))
                return false;
        }
        return true;
    }
    if (!yt_expect_seq(ld->d, cs, cw))
        return false;
    if (cs->n == 0 || cs->n > 32)
        return yt_fail(ld->d, cs, "'%s' must list 1 to 32 columns", cw);
    if (!(*out = calloc((size_t)cs->n, sizeof **out)))
        return oom(ld);
    int64_t total = 0;
    for (int i = 0; i < cs->n; i++) {
        char w[112];
        snprintf(w, sizeof w, "%s[%d]", cw, i);
        const yt_node *it = cs->items[i];
        folio_column *c = &(*out)[i];
        *n_out = i + 1;
        int f = 0, al = -1;
        const folio_attr_def *at = NULL;
        if (yt_expect_map(ld->d, it, w) && !(at = attr_column(ld, it, fields)) &&
            ld->d->err->code)
            return false;
        /* issue 10 audit: `text:` instead of `field:` */
        int tx = yt_expect_map(ld->d, it, w) ? column_text(ld, it, w, fields == TABLE_COL_NAMES,
                                                           &c->text) : -1;
        if (tx < 0)
            return false;
        if (tx)
            c->field = FOLIO_COL_TEXT;
        if (!yt_expect_map(ld->d, it, w) || !yt_check_keys(ld->d, it, w, COLUMN_KEYS)
            || (!at && !tx && yt_enum(ld->d, it, w, "field", true, fields, &f) < 0)
            || !read_text(ld, it, w, "title", "", &c->title)
            || read_len(ld, it, w, "width", true, &c->width) < 0
            || yt_enum(ld->d, it, w, "align", false, ALIGN_NAMES, &al) < 0)
            return false;
        for (int k = 1; !at && !tx && COL_NAMES[k]; k++)
            if (!strcmp(COL_NAMES[k], fields[f]))
                c->field = (folio_column_field)k;
        if (at) {
            c->field = FOLIO_COL_ATTR;
            c->attr = (int)(at - ld->attrs->v);
        }
        if (al < 0)
            al = c->field == FOLIO_COL_PRODUCT_NAME || c->field == FOLIO_COL_NUMBER
                 || c->field == FOLIO_COL_OWNER || c->field == FOLIO_COL_DATE
                 || c->field == FOLIO_COL_DESCRIPTION
                 || c->field == FOLIO_COL_TEXT ? FOLIO_ALIGN_LEFT
                                                      : FOLIO_ALIGN_RIGHT;
        c->align = (folio_align)al;
        if (c->width <= 2 * L->cell_padding)
            return yt_fail(ld->d, yt_get(it, "width"), "'%s.width' must be wider "
                           "than twice the cell padding", w);
        total += c->width;
    }
    if (total > avail) {
        char a[32], b[32];
        return yt_fail(ld->d, cs, "'%s' are %s pt wide in all, more than the %s pt "
                       "between the margins", cw, pt_text(a, sizeof a, total),
                       pt_text(b, sizeof b, avail));
    }
    return true;
}

static bool read_summary(loader *ld, const yt_node *root)
{
    folio_layout *L = ld->L;
    static const int def_f[] = { FOLIO_COL_PRODUCT_NAME, FOLIO_COL_NUMBER,
                                 FOLIO_COL_OPENING, FOLIO_COL_CLOSING };
    static const int def_w[] = { 370, 210, 200, 220 };
    const yt_node *s;
    if (!submap(ld, root, "", "summary", SUMMARY_KEYS, &s))
        return false;
    L->summary_title_style = L->summary_header_style = L->summary_row_style = 0;
    L->summary_space_after = 16 * 20;
    return read_tpl(ld, s, "summary", "title", "Account summary", false,
                    &L->summary_title)
           && read_style(ld, s, "summary", "title_style", false, &L->summary_title_style) >= 0
           && read_style(ld, s, "summary", "header_style", false, &L->summary_header_style) >= 0
           && read_style(ld, s, "summary", "row_style", false, &L->summary_row_style) >= 0
           && read_text(ld, s, "summary", "total_label", "Total", &L->summary_total_label)
           && read_text(ld, s, "summary", "total_owed_label", "Total owed",
                        &L->summary_total_owed_label)
           && read_len(ld, s, "summary", "space_after", false, &L->summary_space_after) >= 0
           && read_columns(ld, s, "summary", SUMMARY_COL_NAMES, def_f, def_w, 4,
                           &L->summary_cols, &L->n_summary_cols);
}

static bool read_products(loader *ld, const yt_node *root)
{
    folio_layout *L = ld->L;
    const yt_node *ps = yt_child(ld->d, root, "", "products", false);
    if (!ps) {
        if (ld->d->err->code)
            return false;
        static const char *const code[] = { "checking", "savings", "credit_card",
                                            "mortgage", "loan" };
        static const char *const title[] = { "Checking", "Savings", "Credit card",
                                             "Mortgage", "Loan" };
        if (!(L->products = calloc(5, sizeof *L->products)))
            return oom(ld);
        if (ld->lang > 0 && !text_missing(ld, root, "products", "built-in English titles"))
            return false;
        for (int i = 0; i < 5; i++) {
            L->n_products = i + 1;
            L->products[i].balance = i < 2 ? FOLIO_BALANCE_ASSET : FOLIO_BALANCE_LIABILITY;
            if (!(L->products[i].code = xstrdup(ld, code[i]))
                || !(L->products[i].title = xstrdup(ld, title[i])))
                return false;
        }
        return true;
    }
    if (!yt_expect_seq(ld->d, ps, "products"))
        return false;
    if (ps->n > MAX_ITEMS)
        return yt_fail(ld->d, ps, "'products' has more than %d entries", MAX_ITEMS);
    if (!(L->products = calloc((size_t)ps->n + 1, sizeof *L->products)))
        return oom(ld);
    for (int i = 0; i < ps->n; i++) {
        char w[32];
        snprintf(w, sizeof w, "products[%d]", i);
        const yt_node *it = ps->items[i];
        folio_product *p = &L->products[i];
        L->n_products = i + 1;
        int bal = 0;
        if (!yt_expect_map(ld->d, it, w) || !yt_check_keys(ld->d, it, w, PRODUCT_KEYS)
            || yt_str(ld->d, it, w, "code", true, &p->code) < 0
            || !read_text(ld, it, w, "title", NULL, &p->title)
            || yt_enum(ld->d, it, w, "balance", false, BALANCE_NAMES, &bal) < 0)
            return false;
        p->balance = (folio_balance_kind)bal;
        if (!p->title && !(p->title = xstrdup(ld, p->code)))
            return false;
        for (int k = 0; k < i; k++)
            if (!strcmp(L->products[k].code, p->code))
                return yt_fail(ld->d, yt_get(it, "code"), "duplicate product code '%s'",
                               p->code);
    }
    return true;
}

static bool read_section(loader *ld, const yt_node *root)
{
    folio_layout *L = ld->L;
    const yt_node *s;
    if (!submap(ld, root, "", "section", SECTION_KEYS, &s))
        return false;
    L->section_title_style = L->section_info_style = 0;
    L->section_space_after = 14 * 20;
    if (!read_tpl(ld, s, "section", "title", "{account.product_name}  {account.number}",
                  true, &L->section_title)
        || read_style(ld, s, "section", "title_style", false, &L->section_title_style) < 0
        || read_style(ld, s, "section", "info_style", false, &L->section_info_style) < 0
        || read_len(ld, s, "section", "space_after", false, &L->section_space_after) < 0)
        return false;
    const yt_node *info = yt_child(ld->d, s, "section", "info", false);
    if (!info)
        return !ld->d->err->code;
    if (!yt_expect_seq(ld->d, info, "section.info"))
        return false;
    if (info->n > MAX_ITEMS)
        return yt_fail(ld->d, info, "'section.info' has more than %d lines", MAX_ITEMS);
    if (!(L->section_info = calloc((size_t)info->n + 1, sizeof *L->section_info)))
        return oom(ld);
    for (int i = 0; i < info->n; i++) {
        char w[32];
        snprintf(w, sizeof w, "section.info[%d]", i);
        if (!parse_tpl(ld, info->items[i], w, true, &L->section_info[i]))
            return false;
        L->n_section_info = i + 1;
    }
    return true;
}

static bool read_table(loader *ld, const yt_node *root)
{
    folio_layout *L = ld->L;
    static const int def_f[] = { FOLIO_COL_DATE, FOLIO_COL_DESCRIPTION, FOLIO_COL_DEBIT,
                                 FOLIO_COL_CREDIT, FOLIO_COL_BALANCE };
    static const int def_w[] = { 112, 485, 132, 132, 139 };
    const yt_node *t;
    if (!submap(ld, root, "", "table", TABLE_KEYS, &t))
        return false;
    L->table_header_style = L->table_row_style = 0;
    L->table_rule_color = 0xB0B0B0;
    L->table_stripe_color = 0xFFFFFF;
    L->table_row_padding = 30;           /* 1.5 pt */
    L->cell_padding = 60;                /* 3 pt */
    return read_style(ld, t, "table", "header_style", false, &L->table_header_style) >= 0
           && read_style(ld, t, "table", "row_style", false, &L->table_row_style) >= 0
           && read_tpl(ld, t, "table", "continued",
                       "{account.product_name}  {account.number} (continued)", true,
                       &L->table_continued)
           && read_tpl(ld, t, "table", "continued_next", "Continued on next page", true,
                       &L->table_continued_next)
           && read_text(ld, t, "table", "opening_label", "Opening balance",
                        &L->table_opening_label)
           && read_text(ld, t, "table", "closing_label", "Closing balance",
                        &L->table_closing_label)
           && read_text(ld, t, "table", "empty", "No transactions in this period.",
                        &L->table_empty_text)
           && read_color(ld, t, "table", "rule_color", &L->table_rule_color) >= 0
           && read_color(ld, t, "table", "stripe_color", &L->table_stripe_color) >= 0
           && read_len(ld, t, "table", "row_padding", false, &L->table_row_padding) >= 0
           && read_len(ld, t, "table", "cell_padding", false, &L->cell_padding) >= 0
           && read_columns(ld, t, "table", TABLE_COL_NAMES, def_f, def_w, 5,
                           &L->table_cols, &L->n_table_cols);
}

/* languages: [en, es], fallback_language: en (default: the first listed;
 * without `languages`, the fallback language alone, "en" by default).  The
 * fallback is stored first. */
static bool read_languages(loader *ld, const yt_node *root)
{
    folio_layout *L = ld->L;
    char **v = NULL, *fb = NULL;
    int n = 0;
    int r = yt_strv(ld->d, root, "", "languages", false, &v, &n);
    if (r < 0 || yt_str(ld->d, root, "", "fallback_language", false, &fb) < 0) {
        yt_strv_free(v, n);
        return false;
    }
    L->languages = v;
    L->n_languages = n;
    const yt_node *ln = yt_get(root, "languages");
    if (r == 0) {
        if (!(L->languages = calloc(1, sizeof *L->languages))
            || !(L->languages[0] = xstrdup(ld, fb ? fb : "en"))) {
            free(fb);
            return oom(ld);
        }
        L->n_languages = 1;
        ln = NULL;
    }
    if (ln && (n < 1 || n > 16)) {
        free(fb);
        return yt_fail(ld->d, ln, "'languages' must list 1 to 16 language codes");
    }
    for (int i = 0; i < L->n_languages; i++) {
        const char *c = L->languages[i];
        size_t k = strlen(c);
        bool ok = k >= 2 && k <= 3;
        for (size_t j = 0; ok && j < k; j++)
            ok = c[j] >= 'a' && c[j] <= 'z';
        const yt_node *at = ln ? ln->items[i] : yt_get(root, "fallback_language");
        if (!ok) {
            free(fb);
            return yt_fail(ld->d, at, "'%s' must be an ISO 639 language code in lower "
                           "case (\"en\", \"es\"), got '%.20s'", ln ? "languages" :
                           "fallback_language", c);
        }
        for (int j = 0; j < i; j++)
            if (!strcmp(L->languages[j], c)) {
                free(fb);
                return yt_fail(ld->d, at, "'languages' lists '%s' twice", c);
            }
    }
    int f = 0;
    if (fb) {
        f = lang_exact(L, fb);
        if (f < 0) {
            char list[200];
            yt_fail(ld->d, yt_get(root, "fallback_language"), "'fallback_language' '%.20s' "
                    "is not one of 'languages' (%s)", fb, lang_list(L, list, sizeof list));
            free(fb);
            return false;
        }
        free(fb);
    }
    char *first = L->languages[f];             /* the fallback goes first */
    memmove(L->languages + 1, L->languages, (size_t)f * sizeof *L->languages);
    L->languages[0] = first;
    L->n_missing = calloc((size_t)L->n_languages, sizeof *L->n_missing);
    L->missing = calloc((size_t)L->n_languages, sizeof *L->missing);
    if (!L->n_missing || !L->missing)
        return oom(ld);
    for (int i = 0; i < L->n_languages; i++)
        if (!(L->missing[i] = xstrdup(ld, "")))
            return false;
    return true;
}

static const char *const PARAGRAPHS_KEYS[] = { "library", "style", "space_after",
                                               "after_summary", "end", "after_account",
                                               NULL };
static const char *const PLACE_NAMES[FOLIO_PLACE__COUNT] = { "after_summary", "end" };
static const char *const FIRST_OF_KEYS[] = { "first_of", NULL };

/* One paragraph id of a place -> its index.  {account.*} fields only where
 * an account is in view (after_account). */
static bool place_id(loader *ld, const yt_node *n, const char *where, bool allow_account,
                     int *out)
{
    const folio_paragraphs *lib = ld->L->paragraphs;
    if (n->kind != YT_SCALAR || n->is_null)
        return yt_fail(ld->d, n, "'%s' must be a paragraph id, got %s", where,
                       yt_kind_name(n));
    int i = paragraphs_find(lib, n->str);
    if (i < 0)
        return yt_fail(ld->d, n, "'%s': unknown paragraph '%.60s' (not in %s)", where,
                       n->str, lib->path);
    if (lib->v[i].uses_account && !allow_account)
        return yt_fail(ld->d, n, "'%s': paragraph '%s' uses {account.*} merge fields, "
                       "which have no value outside an account section (place it under "
                       "'paragraphs.after_account')", where, n->str);
    *out = i;
    return true;
}

/* A list of entries (a paragraph id, or {first_of: [ids]}) into *pl. */
static bool read_place_items(loader *ld, const yt_node *s, const char *where,
                             bool allow_account, folio_para_place *pl)
{
    if (!yt_expect_seq(ld->d, s, where))
        return false;
    if (s->n > MAX_ITEMS)
        return yt_fail(ld->d, s, "'%s' has more than %d entries", where, MAX_ITEMS);
    if (!(pl->items = calloc((size_t)s->n + 1, sizeof *pl->items)))
        return oom(ld);
    for (int i = 0; i < s->n; i++) {
        char w[160];
        snprintf(w, sizeof w, "%s[%d]", where, i);
        const yt_node *it = s->items[i];
        folio_para_item *pi = &pl->items[i];
        pl->n_items = i + 1;
        if (it->kind == YT_MAP) {
            char fw[180];
            snprintf(fw, sizeof fw, "%s.first_of", w);
            const yt_node *fo;
            if (!yt_check_keys(ld->d, it, w, FIRST_OF_KEYS)
                || !(fo = yt_child(ld->d, it, w, "first_of", true))
                || !yt_expect_seq(ld->d, fo, fw))
                return false;
            if (fo->n < 1 || fo->n > MAX_ITEMS)
                return yt_fail(ld->d, fo, "'%s' must list 1 to %d paragraph ids", fw,
                               MAX_ITEMS);
            if (!(pi->para = calloc((size_t)fo->n, sizeof *pi->para)))
                return oom(ld);
            pi->first_of = true;
            for (int j = 0; j < fo->n; j++) {
                if (!place_id(ld, fo->items[j], fw, allow_account, &pi->para[j]))
                    return false;
                pi->n = j + 1;
            }
        } else {
            if (!(pi->para = calloc(1, sizeof *pi->para)))
                return oom(ld);
            if (!place_id(ld, it, w, allow_account, &pi->para[0]))
                return false;
            pi->n = 1;
        }
    }
    return true;
}

/* paragraphs: {library, style, space_after, after_summary: [...], end: [...],
 * after_account: {product: [...]}} (docs/paragraphs.md). */
static bool read_paragraph_places(loader *ld, const yt_node *root)
{
    folio_layout *L = ld->L;
    L->paragraph_style = 0;
    L->paragraph_space_after = 6 * 20;
    const yt_node *p;
    if (!submap(ld, root, "", "paragraphs", PARAGRAPHS_KEYS, &p) || !p)
        return !ld->d->err->code;
    char *file = NULL;
    if (yt_str(ld->d, p, "paragraphs", "library", true, &file) < 0)
        return false;
    char *path = file;
    if (file[0] != '/' && *ld->dir) {
        size_t n = strlen(ld->dir) + strlen(file) + 2;
        path = malloc(n);
        if (path)
            snprintf(path, n, "%s/%s", ld->dir, file);
        free(file);
        if (!path)
            return oom(ld);
    }
    if (yt_check_input(ld->d, yt_get(p, "library"), "paragraphs.library", path, NULL) < 0) {
        free(path);
        return false;
    }
    if (access(path, R_OK) != 0) {
        int e = errno;
        yt_fail(ld->d, yt_get(p, "library"), "'paragraphs.library': cannot read '%s': %s",
                path, strerror(e));
        free(path);
        return false;
    }
    folio_error perr = { 0 };
    L->paragraphs = paragraphs_load_attrs(path, (const char *const *)L->languages,
                                          L->n_languages, ld->attrs, &perr);
    free(path);
    if (!L->paragraphs) {
        if (!ld->d->err->code)
            *ld->d->err = perr;
        return false;
    }
    for (int i = 0; i < L->paragraphs->n_warnings; i++)
        if (!add_warning(L, L->paragraphs->warnings[i]))
            return oom(ld);
    if (read_style(ld, p, "paragraphs", "style", false, &L->paragraph_style) < 0
        || read_len(ld, p, "paragraphs", "space_after", false, &L->paragraph_space_after) < 0)
        return false;
    for (int k = 0; k < FOLIO_PLACE__COUNT; k++) {
        char where[64];
        snprintf(where, sizeof where, "paragraphs.%s", PLACE_NAMES[k]);
        const yt_node *s = yt_child(ld->d, p, "paragraphs", PLACE_NAMES[k], false);
        if (!s) {
            if (ld->d->err->code)
                return false;
            continue;
        }
        if (!read_place_items(ld, s, where, false, &L->places[k]))
            return false;
    }
    const yt_node *aa = yt_child(ld->d, p, "paragraphs", "after_account", false);
    if (!aa)
        return !ld->d->err->code;
    if (!yt_expect_map(ld->d, aa, "paragraphs.after_account"))
        return false;
    if (!(L->after_account = calloc((size_t)L->n_products + 1, sizeof *L->after_account)))
        return oom(ld);
    for (int i = 0; i < aa->n; i++) {
        const char *code = aa->keys[i]->str;
        int pr = layout_product_find(L, code);
        if (pr < 0)
            return yt_fail(ld->d, aa->keys[i], "'paragraphs.after_account': '%.60s' is "
                           "not a product of this layout (see 'products')", code);
        char where[128];
        snprintf(where, sizeof where, "paragraphs.after_account.%.60s", code);
        if (!read_place_items(ld, aa->items[i], where, true, &L->after_account[pr]))
            return false;
    }
    return true;
}

/* issue 13 leftover: the coupon's texts per language (coupon.h). */
static bool coupon_text(void *ld, const yt_node *map, const char *where, const char *key,
                        const char *def, char **out)
{
    return read_text(ld, map, where, key, def, out);
}

/* Everything that holds texts, read for language ld->lang into ld->L. */
static bool read_body(loader *ld, const yt_node *root)
{
    folio_layout *L = ld->L;
    return read_page(ld, root)
           && read_fonts(ld, root)
           && read_styles(ld, root)
           && read_format(ld, root)
           && read_placed(ld, root, "header", &L->header, &L->n_header)
           && read_placed(ld, root, "first_page", &L->first_page, &L->n_first_page)
           && read_placed(ld, root, "footer", &L->footer, &L->n_footer)
           && read_address_body(ld, root)
           && read_table(ld, root)        /* before summary: cell_padding */
           && read_summary(ld, root)
           && read_products(ld, root)
           && read_section(ld, root)
           && layout_white_space_read(ld->d, root, L)
           && currency_styles_read(ld->d, root, L)
           && coupon_layout_read(ld->d, root, L, coupon_text, ld);   /* issue 13 part 3 */
}

/* The layout of language l: the same file read again with l's texts. */
static folio_layout *read_variant(loader *ld, const yt_node *root, int l)
{
    folio_layout *V = calloc(1, sizeof *V);
    if (!V || !(V->path = strdup(ld->L->path))) {
        free(V);
        oom(ld);
        return NULL;
    }
    loader lv = *ld;
    lv.L = V;
    lv.lang = l;
    if (!read_body(&lv, root)) {
        layout_free(V);
        return NULL;
    }
    return V;
}

/* ---- public ----------------------------------------------------------------------- */

/* layout_load: read and check the layout file at `path` (see layout.h). */
folio_layout *layout_load(const char *path, folio_error *err)
{
    return layout_load_attrs(path, NULL, err);
}

folio_layout *layout_load_attrs(const char *path, const folio_attrs *attrs, folio_error *err)
{
    folio_layout *L = calloc(1, sizeof *L);
    loader ld = { 0 };
    if (!L || !(L->path = strdup(path))) {
        free(L);
        folio_error_set(err, FOLIO_EXIT_FAILED, "%s: out of memory", path);
        return NULL;
    }
    const char *slash = strrchr(path, '/');
    ld.dir = slash ? strndup(path, (size_t)(slash - path)) : strdup("");
    if (!ld.dir) {
        folio_error_set(err, FOLIO_EXIT_FAILED, "%s: out of memory", path);
        layout_free(L);
        return NULL;
    }
    if (slash == path) {                 /* "/layout.yaml": fonts under "/" */
        free(ld.dir);
        ld.dir = strdup("/");
        if (!ld.dir) {
            layout_free(L);
            return NULL;
        }
    }
    ld.L = L;
    ld.base = L;
    ld.attrs = attrs;
    ld.d = yt_load(path, err);
    bool ok = ld.d != NULL;
    if (ok) {
        L->input = ld.d->input;
        const yt_node *root = ld.d->root;
        ok = yt_expect_map(ld.d, root, "the layout file")
             && yt_check_keys(ld.d, root, "", TOP_KEYS)
             && read_languages(&ld, root)
             && read_body(&ld, root)
             && read_paragraph_places(&ld, root)
             /* issue 14 part 1: after the library, whose paragraphs it names */
             && disclosures_read(ld.d, root, L, attrs, &L->disclosures)
             && graphics_read(ld.d, root, L, ld.dir, attrs);   /* issue 13 parts 1, 2 */
        if (ok && !(L->variants = calloc((size_t)L->n_languages, sizeof *L->variants)))
            ok = oom(&ld);
        if (ok)
            L->variants[0] = L;
        for (int l = 1; ok && l < L->n_languages; l++)
            ok = (L->variants[l] = read_variant(&ld, root, l)) != NULL;
        if (!ok && !err->code)
            folio_error_set(err, FOLIO_EXIT_USAGE, "%s: invalid layout file", path);
    }
    yt_free(ld.d);
    free(ld.dir);
    if (!ok) {
        layout_free(L);
        return NULL;
    }
    return L;
}

static void placed_free(folio_placed_text *p, int n)
{
    for (int i = 0; p && i < n; i++)
        layout_template_free(&p[i].text);
    free(p);
}

static void columns_free(folio_column *c, int n)
{
    for (int i = 0; c && i < n; i++) {
        free(c[i].title);
        layout_template_free(&c[i].text);   /* issue 10 audit */
    }
    free(c);
}

/* layout_free: free the layout, its fonts and every string; NULL is fine. */
void layout_free(folio_layout *L)
{
    if (!L)
        return;
    for (int i = 0; i < L->n_fonts; i++) {
        free(L->fonts[i].name);
        free(L->fonts[i].file);
        free(L->fonts[i].afp_character_set);
        free(L->fonts[i].afp_code_page);
        free(L->fonts[i].afp_coded_font);
        free(L->fonts[i].afp_u_character_set);   /* issue 13 part 5 */
        free(L->fonts[i].afp_u_code_page);
        free(L->fonts[i].afp_u_coded_font);
        fonts_free(L->fonts[i].metrics);
    }
    free(L->fonts);
    for (int i = 0; i < L->n_styles; i++)
        free(L->styles[i].name);
    free(L->styles);
    free(L->date_format);
    free(L->currency_symbol);
    currency_styles_free(L->currencies, L->n_currencies);
    placed_free(L->header, L->n_header);
    placed_free(L->first_page, L->n_first_page);
    placed_free(L->footer, L->n_footer);
    layout_template_free(&L->summary_title);
    columns_free(L->summary_cols, L->n_summary_cols);
    free(L->summary_total_label);
    free(L->summary_total_owed_label);
    for (int i = 0; i < L->n_products; i++) {
        free(L->products[i].code);
        free(L->products[i].title);
    }
    free(L->products);
    layout_template_free(&L->section_title);
    for (int i = 0; i < L->n_section_info; i++)
        layout_template_free(&L->section_info[i]);
    free(L->section_info);
    columns_free(L->table_cols, L->n_table_cols);
    layout_template_free(&L->table_continued);
    layout_template_free(&L->table_continued_next);
    free(L->table_opening_label);
    free(L->table_closing_label);
    free(L->table_empty_text);
    layout_white_space_free(L);
    coupon_free(L->coupon);                   /* issue 13 part 3 */
    for (int l = 1; L->variants && l < L->n_languages; l++)
        layout_free(L->variants[l]);
    free(L->variants);
    for (int l = 0; l < L->n_languages; l++) {
        free(L->languages[l]);
        if (L->missing)
            free(L->missing[l]);
    }
    free(L->languages);
    free(L->missing);
    free(L->n_missing);
    for (int i = 0; i < L->n_warnings; i++)
        free(L->warnings[i]);
    free(L->warnings);
    paragraphs_free(L->paragraphs);
    disclosures_free(L->disclosures);               /* issue 14 part 1 */
    graphics_free(L->graphics);            /* issue 13 parts 1, 2 */
    for (int k = 0; k < FOLIO_PLACE__COUNT; k++) {
        for (int i = 0; i < L->places[k].n_items; i++)
            free(L->places[k].items[i].para);
        free(L->places[k].items);
    }
    for (int k = 0; L->after_account && k < L->n_products; k++) {
        for (int i = 0; i < L->after_account[k].n_items; i++)
            free(L->after_account[k].items[i].para);
        free(L->after_account[k].items);
    }
    free(L->after_account);
    free(L->path);
    free(L);
}
