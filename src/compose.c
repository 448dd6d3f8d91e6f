/* SPDX-License-Identifier: Apache-2.0 */
/*
 * compose.c -- household + layout -> display list (see include/folio/compose.h).
 *
 * The composer walks the body with a cursor `y` (top of the next line box, in
 * units from the page top).  Every row is measured first (wrapped description
 * lines), then placed if it fits above body.bottom minus the space reserved
 * for the "continued on next page" mark; otherwise the page is closed (mark,
 * free rectangle) and a new page opened with the continuation heading and
 * the column header.  Headers and footers are drawn last, when the page count
 * is known.
 */
#include "folio/compose.h"
#include "account-mask.h"   /* round 21 hard-attack2 */
#include "folio/events.h"
#include "folio/frequency.h"
#include "folio/graphics.h"
#include "addressee.h"
#include "folio/afp.h"             /* the job's AFP options: its code pages lack U+2026 */
#include "folio/paragraphs.h"
#include "folio/disclosures.h"
#include "folio/rules.h"
#include "folio/archive.h"
#include "folio/attrs.h"
#include "folio/codes.h"
#include "folio/currency.h"
#include "folio/ledger.h"
#include "folio/archive.h"     /* the job's archive options */
#include "folio/plan.h"
#include "folio/coupon.h"        /* issue 13 part 3 */
#include "folio/links.h"         /* issue 13 part 4 */

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- plan ------------------------------------------------------------------ */

static bool is_liability(const folio_plan *p, const folio_account_plan *ap)
{
    return ap->product >= 0 &&
           p->layout->products[ap->product].balance == FOLIO_BALANCE_LIABILITY;
}

/* ---- composer state ------------------------------------------------------ */

#define FIT_NOTES 16              /* distinct (field, action) pairs audited */

typedef struct composer {
    const folio_plan *plan;
    const folio_layout *L;
    size_t hh;
    folio_dl_statement *st;
    folio_arena *arena;
    uint32_t page;            /* current page index */
    int32_t y;                /* cursor: top of the next line box */
    int32_t account;          /* ds index of the account being composed, -1 none */
    int stripe;               /* row parity in the current table */
    folio_compose_result *res;
    folio_buf audit;          /* -> res->audit (compose_note_audit) */
    folio_buf keys;           /* -> res->keys (compose_note_key) */
    bool oom;
    bool balance_error;
    const char *overflow;     /* a money sum that left the int64 range: what */
    const char *what;         /* the field being drawn, for the .notdef count */
    /* content variations: the household's language (index into the layout's
     * languages; L is that language's variant), the context paragraph
     * conditions are evaluated in, and the audit entries of the paragraphs */
    int lang;
    folio_rule_ctx rctx;
    folio_buf paras;
    bool para_fallback;       /* a paragraph was printed in the fallback language */
    folio_buf text;           /* expand()'s output, reused */
    /* texts shrunk or clipped to fit their box (fit_template), one entry
     * per field and action for the audit log */
    bool ascii_ellipsis;      /* "..." not U+2026: AFP code pages lack it */
    struct fit_note {
        const char *field;
        folio_fit_action action;
        uint32_t page, times;
        int32_t size;
    } fits[FIT_NOTES];
    int n_fits;
    /* issue 10 part 6: the currency amounts are formatted in when not the
     * current account's (summary rows and totals); NULL = the account's */
    const char *money_cur;
    int money_md;
    const char *disc_error;   /* issue 14 part 1: a disclosure that cannot print */
    /* issue 13 part 3: the account the payment coupon is for (ds index, -1
     * none); page 1's body then ends above the coupon's cut line */
    int32_t coupon_ai;
    uint8_t cell_role;        /* issue 14 part 2: FOLIO_SR_TH in header rows, else TD */
    bool row_headers;         /* issue 14 part 2: first cells are row headers (TH) */
    uint32_t txn;             /* issue 10 audit: the table row's transaction ({transaction.*}) */
} composer;

/* Record one decision for the audit log: `member` is one JSON object member,
 * e.g. "\"language\":\"es\"" (the caller escapes strings with
 * folio_buf_put_json_str when it builds them). */
static __attribute__((unused)) void compose_note_audit(composer *C, const char *member,
                                                      size_t len)
{
    if (C->audit.len)
        folio_buf_putc(&C->audit, ',');
    folio_buf_append(&C->audit, member, len);
}

/* Record a coverage key ("kind:value") once. */
static void compose_note_key(composer *C, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
static void compose_note_key(composer *C, const char *fmt, ...)
{
    char k[256];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(k, sizeof k, fmt, ap);
    va_end(ap);
    if (n <= 0 || (size_t)n >= sizeof k || memchr(k, '\n', (size_t)n))
        return;
    /* already there?  keys are few (tens), a linear scan is cheapest */
    /* (no pointer arithmetic on an empty buffer's NULL data: undefined in C) */
    const char *p = C->keys.data, *end = p ? p + C->keys.len : NULL;
    while (p && p < end) {
        const char *nl = memchr(p, '\n', (size_t)(end - p));
        if ((size_t)(nl - p) == (size_t)n && !memcmp(p, k, (size_t)n))
            return;
        p = nl + 1;
    }
    folio_buf_append(&C->keys, k, (size_t)n);
    folio_buf_putc(&C->keys, '\n');
}

#define PG(C) (&(C)->st->pages[(C)->page])

/* issue 14 part 2: the logical structure of what compose emits (dlist.h) */
static uint32_t tag_open(composer *C, folio_dl_srole role)
{
    uint32_t sn = dlist_struct_open(C->st, role);
    if (!sn && !C->st->sn_art)
        C->oom = true;
    return sn;
}
#define tag_close(C) dlist_struct_close((C)->st)
#define tag_artifact(C, on) dlist_struct_artifact((C)->st, (on))
/* issue 13 part 3: where the body of the current page ends */
#define BODY_BOTTOM(C) ((C)->page == 0 && (C)->coupon_ai >= 0 ? coupon_body_bottom((C)->L) \
                                                               : (C)->L->body_bottom)

static const folio_style *style(const composer *C, int s)
{
    return &C->L->styles[s];
}

static const folio_font *style_font(const composer *C, int s)
{
    return C->L->fonts[C->L->styles[s].font].metrics;
}

static int32_t ascent_units(const composer *C, int s)
{
    const folio_style *st = style(C, s);
    return (int32_t)(((int64_t)fonts_ascent(style_font(C, s)) * st->size + 500) / 1000);
}

/* Draw text at `size` with alignment relative to x. */
static void text_at_size(composer *C, int s, int32_t size, int32_t x, int32_t baseline,
                         folio_align align, const char *t, size_t len, bool copy)
{
    if (!len)
        return;
    const folio_style *st = style(C, s);
    /* count the characters the font cannot draw (they come out as empty
       boxes): never silent, reported per run with the first household/field */
    uint32_t cp = 0;
    /* issue 11 (r-speed): pass 2 (skip_decisions) composes again what pass 1
     * counted; its result is dropped, so it does not count again */
    size_t missing = C->plan->skip_decisions
                         ? 0 : fonts_count_missing(style_font(C, s), t, len, &cp);
    if (missing) {
        if (!C->res->notdef) {
            C->res->notdef_cp = cp;
            C->res->notdef_field = C->what ? C->what : "layout text";
        }
        C->res->notdef += (uint32_t)missing;
    }
    if (align != FOLIO_ALIGN_LEFT) {
        int32_t w = fonts_text_width(style_font(C, s), t, len, size);
        x -= align == FOLIO_ALIGN_RIGHT ? w : w / 2;
    }
    if (!dlist_page_add_text(C->st, PG(C), (uint8_t)st->font, size, x, baseline,
                             st->color, t, len, copy))
        C->oom = true;
}

/* Draw text in its style's size with alignment relative to x. */
static void text_at(composer *C, int s, int32_t x, int32_t baseline, folio_align align,
                    const char *t, size_t len, bool copy)
{
    text_at_size(C, s, style(C, s)->size, x, baseline, align, t, len, copy);
}

/* ---- merge fields -------------------------------------------------------- */

static const folio_customer *primary_customer(const composer *C)
{
    const folio_households *hs = C->plan->hs;
    const folio_household *h = &hs->v[C->hh];
    return &C->plan->ds->customers[hs->customer_idx[h->first_customer]];
}

/* printf into the arena, whole (valid as long as the arena); NULL on OOM. */
static char *arena_fmt(folio_arena *a, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
static char *arena_fmt(folio_arena *a, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    char *s = n < 0 ? NULL : folio_arena_alloc(a, (size_t)n + 1);
    if (!s)
        return NULL;
    va_start(ap, fmt);
    vsnprintf(s, (size_t)n + 1, fmt, ap);
    va_end(ap);
    return s;
}

/* The customer's full name in the arena, whole; NULL on OOM. */
static char *full_name_dup(folio_arena *a, const folio_customer *c)
{
    if (c->first_name && c->first_name[0])
        return arena_fmt(a, "%s %s", c->first_name, c->last_name ? c->last_name : "");
    return arena_fmt(a, "%s", c->last_name ? c->last_name : "");
}

/* Append the customer's full name to b (whole: never cut). */
static void full_name(const folio_customer *c, folio_buf *b)
{
    if (c->first_name && c->first_name[0]) {
        folio_buf_puts(b, c->first_name);
        folio_buf_putc(b, ' ');
    }
    folio_buf_puts(b, c->last_name ? c->last_name : "");
}

/* Minor digits the account's amounts were read with (-1: its currency's). */
static int acct_minor_digits(const folio_job *J, const folio_account *a)
{
    return J->feeds && a->feed < J->n_feeds ? J->feeds[a->feed].minor_digits : -1;
}

/* Every amount on a statement: in its currency's style (src/currency.c). */
static size_t fmt_money(const composer *C, folio_money m, bool symbol, char *buf, size_t cap)
{
    const folio_job *J = C->plan->job;
    const char *cur = C->money_cur;
    int md = C->money_md;
    if (!cur && C->account >= 0) {
        const folio_account *a = &C->plan->ds->accounts[C->account];
        cur = a->currency;
        md = acct_minor_digits(J, a);
    }
    if (!cur) {
        cur = J->currency ? J->currency : "USD";
        md = -1;
    }
    return currency_format(C->L, cur, m, md, symbol, buf, cap);
}

static size_t clean_text(const char *s, char *buf, size_t cap);

/* issue 10 part 1: attribute i of the job for record `rec` (UINT32_MAX: no
 * record, an empty text), formatted as the layout formats its values. */
static size_t attr_text(const composer *C, int i, uint32_t rec, char *buf, size_t cap,
                        const char **s)
{
    const folio_attr_def *d = &C->plan->job->attrs->v[i];
    const folio_attr_fmt fmt = {C->L->date_format, C->L->money_decimal, C->L->money_group,
                                C->L->currency_symbol,
                                C->plan->layout->languages[C->lang]};   /* issue 10 gaps: code lists */
    *s = buf;
    buf[0] = 0;
    if (rec == UINT32_MAX || !attrs_loaded(C->plan->ds, d))   /* issue 10 audit */
        return 0;
    if (d->type == FOLIO_AT_MONEY)   /* issue 10 audit: in its currency's style */
        return attrs_money_text(C->plan->job, C->plan->ds, C->L, d, rec, buf, cap);
    size_t n = attrs_format(d, attrs_value(C->plan->ds, d, rec), &fmt, buf, cap, s);
    if (*s != buf && strpbrk(*s, "\r\n\t")) {   /* a free-text column: spaces, as descriptions */
        n = clean_text(*s, buf, cap);
        *s = buf;
    }
    return n;
}

/* round 21 hard-attack2: account-mask.c, shared with the charts' alternate
 * text; the id itself when shown in full (a long id is not cut to buf) */
static const char *account_number(const composer *C, const folio_account *a, char *buf,
                                  size_t cap, size_t *len)
{
    return account_display(C->L, a->id, buf, cap, len);
}

static const char *product_title(const composer *C, const folio_account *a,
                                 const folio_account_plan *ap)
{
    if (a->product_name && a->product_name[0])
        return a->product_name;
    if (ap->product >= 0)
        return C->L->products[ap->product].title;
    return a->product;
}

/* Expand a template into C->text (reset first; NUL-terminated).  Every value
 * is appended whole -- the buffer grows, text is never cut; a value that does
 * not fit the buffer's cap sets C->oom (the run fails).  Returns the length;
 * the text is C->text.data, valid until the next expand. */
static size_t expand(composer *C, const folio_template *t, uint32_t page, uint32_t pages)
{
    folio_buf *out = &C->text;
    folio_buf_reset(out);
    const folio_job *J = C->plan->job;
    const folio_dataset *ds = C->plan->ds;
    const folio_account *a = C->account >= 0 ? &ds->accounts[C->account] : NULL;
    const folio_account_plan *ap = C->account >= 0 ? &C->plan->accounts[C->account] : NULL;
    char tmp[512];       /* formatted numbers and dates: always short */
    for (int i = 0; i < t->n_segs; i++) {
        const folio_tpl_seg *sg = &t->segs[i];
        const char *v = tmp;
        size_t vl = 0;
        tmp[0] = 0;
        switch ((folio_merge_field)sg->field) {
        case FOLIO_M_LITERAL: v = sg->text; vl = sg->len; break;
        case FOLIO_M_BANK_NAME: v = J->bank_name; vl = strlen(v); break;
        case FOLIO_M_BANK_PHONE: v = J->bank_phone ? J->bank_phone : ""; vl = strlen(v); break;
        case FOLIO_M_BANK_WEBSITE: v = J->bank_website ? J->bank_website : ""; vl = strlen(v); break;
        case FOLIO_M_BANK_ADDRESS:
            for (int k = 0; k < J->n_bank_address; k++) {
                if (k)
                    folio_buf_puts(out, ", ");
                folio_buf_puts(out, J->bank_address[k]);
            }
            v = "";
            break;
        case FOLIO_M_STATEMENT_DATE:
            vl = folio_date_format(J->statement_date, C->L->date_format, tmp, sizeof tmp); break;
        case FOLIO_M_PERIOD_START:   /* issue 15 part 1: the household's interval */
            vl = folio_date_format(C->account >= 0 && C->plan->accounts[C->account].own_start
                                       ? C->plan->accounts[C->account].own_start   /* r-chan */
                                       : C->rctx.period_start,
                                   C->L->date_format, tmp, sizeof tmp); break;
        case FOLIO_M_PERIOD_END:
            vl = folio_date_format(J->period_end, C->L->date_format, tmp, sizeof tmp); break;
        case FOLIO_M_PAGE: vl = (size_t)snprintf(tmp, sizeof tmp, "%u", page + 1); break;
        case FOLIO_M_PAGES: vl = (size_t)snprintf(tmp, sizeof tmp, "%u", pages); break;
        case FOLIO_M_HOUSEHOLD_ID: v = C->plan->hs->v[C->hh].id; vl = strlen(v); break;
        case FOLIO_M_CUSTOMER_NAME: full_name(primary_customer(C), out); v = ""; break;
        case FOLIO_M_CUSTOMER_FIRST_NAME: v = primary_customer(C)->first_name; vl = strlen(v); break;
        case FOLIO_M_CUSTOMER_LAST_NAME: v = primary_customer(C)->last_name; vl = strlen(v); break;
        case FOLIO_M_CUSTOMER_ID: v = primary_customer(C)->id; vl = strlen(v); break;
        default:
            if (sg->field >= FOLIO_M_ATTR_TXN) {        /* issue 10 audit: a table row's */
                vl = attr_text(C, sg->field & 0x1FFF, C->txn, tmp, sizeof tmp, &v);
                break;
            }
            if (sg->field >= FOLIO_M_ATTR_CUSTOMER) {   /* issue 10 part 1 */
                vl = attr_text(C, sg->field & 0x1FFF,
                               sg->field < FOLIO_M_ATTR_ACCOUNT
                                   ? (uint32_t)(primary_customer(C) - ds->customers)
                                   : a ? (uint32_t)(a - ds->accounts) : UINT32_MAX,
                               tmp, sizeof tmp, &v);
                break;
            }
            if (!a)
                break;
            switch ((folio_merge_field)sg->field) {
            case FOLIO_M_ACCOUNT_NUMBER: v = account_number(C, a, tmp, sizeof tmp, &vl); break;
            case FOLIO_M_ACCOUNT_PRODUCT: v = a->product; vl = strlen(v); break;
            case FOLIO_M_ACCOUNT_PRODUCT_NAME: v = product_title(C, a, ap); vl = strlen(v); break;
            case FOLIO_M_ACCOUNT_OPENING_BALANCE: vl = fmt_money(C, ap->opening, true, tmp, sizeof tmp); break;
            case FOLIO_M_ACCOUNT_CLOSING_BALANCE: vl = fmt_money(C, ap->closing, true, tmp, sizeof tmp); break;
            case FOLIO_M_ACCOUNT_TOTAL_DEBITS: vl = fmt_money(C, ap->debits, true, tmp, sizeof tmp); break;
            case FOLIO_M_ACCOUNT_TOTAL_CREDITS: vl = fmt_money(C, ap->credits, true, tmp, sizeof tmp); break;
            case FOLIO_M_ACCOUNT_TRANSACTION_COUNT: vl = (size_t)snprintf(tmp, sizeof tmp, "%u", ap->n); break;
            case FOLIO_M_ACCOUNT_CREDIT_LIMIT: vl = fmt_money(C, a->credit_limit, true, tmp, sizeof tmp); break;
            case FOLIO_M_ACCOUNT_MINIMUM_DUE: vl = fmt_money(C, a->minimum_due, true, tmp, sizeof tmp); break;
            case FOLIO_M_ACCOUNT_DUE_DATE:
                if (a->due_date != FOLIO_DATE_NONE)
                    vl = folio_date_format(a->due_date, C->L->date_format, tmp, sizeof tmp);
                break;
            case FOLIO_M_ACCOUNT_RATE: {
                char r[32];
                size_t rl = folio_money_format(a->rate_milli_pct, 3, '.', 0, r, sizeof r);
                while (rl > 0 && r[rl - 1] == '0') rl--;
                if (rl > 0 && r[rl - 1] == '.') rl--;
                r[rl] = 0;
                vl = (size_t)snprintf(tmp, sizeof tmp, "%s%%", r);
                break;
            }
            case FOLIO_M_ACCOUNT_OWNER_NAME:
                full_name(&ds->customers[a->owner], out);
                v = "";
                break;
            case FOLIO_M_ACCOUNT_HOLDERS: {    /* owner first, then the holders rows */
                const folio_holder *hd;
                size_t nh = holders_of_account(ds, (uint32_t)C->account, &hd);
                full_name(&ds->customers[a->owner], out);
                folio_buf_puts(out, " (owner)");
                for (size_t k = 0; k < nh; k++) {
                    if (hd[k].customer == a->owner)
                        continue;
                    folio_buf_puts(out, ", ");
                    full_name(&ds->customers[hd[k].customer], out);
                    folio_buf_puts(out, " (");
                    folio_buf_puts(out, folio_role_label(hd[k].role));
                    folio_buf_putc(out, ')');
                }
                v = "";
                break;
            }
            case FOLIO_M_ACCOUNT_CURRENCY: v = a->currency; vl = strlen(v); break;
            default: break;
            }
        }
        if (v == tmp && vl >= sizeof tmp)   /* cannot happen: numbers, dates */
            C->oom = true;
        else
            folio_buf_append(out, v, vl);
    }
    folio_buf_putc(out, 0);               /* NUL-terminate, not counted */
    if (out->failed) {
        C->oom = true;
        folio_buf_reset(out);
        folio_buf_putc(out, 0);
        return 0;
    }
    out->len--;
    return out->len;
}

static bool has_notdef(const composer *C, int s, const char *t, size_t len)
{
    return fonts_count_missing(style_font(C, s), t, len, NULL) != 0;
}

/* Expand t into C->text and return the name of the merge field whose value
 * holds the first character style s cannot draw ("customer.name"), "layout
 * text" when it is in the template's own text, NULL when every character
 * has a glyph.  Static strings: they outlive the household's arena. */
static const char *expand_checked(composer *C, const folio_template *t, int s,
                                  uint32_t page, uint32_t pages, size_t *n)
{
    *n = expand(C, t, page, pages);
    if (!has_notdef(C, s, C->text.data, *n))
        return NULL;
    const char *label = "layout text";
    for (int i = 0; i < t->n_segs; i++) {       /* rare: find the field */
        folio_template one = {(folio_tpl_seg *)&t->segs[i], 1, false};
        size_t k = expand(C, &one, page, pages);
        if (has_notdef(C, s, C->text.data, k)) {
            if (t->segs[i].field != FOLIO_M_LITERAL)
                label = layout_merge_field_name((folio_merge_field)t->segs[i].field);
            break;
        }
    }
    *n = expand(C, t, page, pages);
    return label;
}

/* The smallest size a text of style s is shrunk to: the item's min_size,
 * else the style's, else 70% of the style's size. */
static int32_t min_size_of(const composer *C, int s, int32_t item_min)
{
    const folio_style *st = style(C, s);
    if (item_min > 0)
        return item_min;
    if (st->min_size > 0)
        return st->min_size;
    return (int32_t)(((int64_t)st->size * 7 + 5) / 10);
}

/* Name of a template's first merge field ("customer.id"), "layout text"
 * when it has none: where a shrunk or clipped text came from (static). */
static const char *tpl_field(const folio_template *t)
{
    for (int i = 0; i < t->n_segs; i++)
        if (t->segs[i].field != FOLIO_M_LITERAL)
            return layout_merge_field_name((folio_merge_field)t->segs[i].field);
    return "layout text";
}

/* Count a shrink or clip, first field of each, and keep one audit entry per
 * field and action (its first page, how many times, the size drawn). */
static void note_fit(composer *C, const char *field, const folio_text_fit *fit)
{
    folio_compose_result *r = C->res;
    if (fit->action == FOLIO_FIT_SHRUNK) {
        if (!r->text_shrunk++)
            r->shrunk_field = field;
        compose_note_key(C, "text:shrunk");
    } else {
        if (!r->text_clipped++)
            r->clipped_field = field;
        compose_note_key(C, "text:clipped");
    }
    for (int i = 0; i < C->n_fits; i++)
        if (C->fits[i].field == field && C->fits[i].action == fit->action) {
            C->fits[i].times++;
            return;
        }
    if (C->n_fits < FIT_NOTES)
        C->fits[C->n_fits++] = (struct fit_note){field, fit->action, C->page + 1, 1, fit->size};
}

/* Expand t and draw it on one line inside the box [x0, x1] (units), aligned
 * at x: too wide, it is shrunk down to min_size, then clipped with an
 * ellipsis (fonts_fit_box) -- never drawn outside the box, never an error.
 * PDF and AFP are both written from this display list, so they agree. */
static void fit_template(composer *C, const folio_template *t, int s, int32_t x,
                         int32_t baseline, folio_align align, int32_t x0, int32_t x1,
                         int32_t min_size, uint32_t page, uint32_t pages)
{
    size_t n;
    const char *notdef_where = expand_checked(C, t, s, page, pages, &n);
    folio_text_fit fit;
    fonts_fit_box(style_font(C, s), C->text.data, n, style(C, s)->size, min_size, x1 - x0,
                  !C->ascii_ellipsis, &fit);
    if (fit.action != FOLIO_FIT_AS_IS) {
        note_fit(C, tpl_field(t), &fit);
        C->text.len = fit.len;               /* the prefix, then the ellipsis */
        folio_buf_append(&C->text, fit.ellipsis, fit.ellipsis_len);
        folio_buf_putc(&C->text, 0);
        if (C->text.failed) {
            C->oom = true;
            return;
        }
        n = --C->text.len;
        /* the .notdef count sees only what is drawn */
        if (notdef_where && !has_notdef(C, s, C->text.data, n))
            notdef_where = NULL;
    }
    /* the box holds the text wherever the alignment puts it in the box */
    if (align == FOLIO_ALIGN_LEFT && x < x0)
        x = x0;
    C->what = notdef_where;
    text_at_size(C, s, fit.size, x, baseline, align, C->text.data, n, true);
    C->what = NULL;
}

/* A text flowing in the body, one line from its left edge: its box is the
 * body's width. */
static void draw_template(composer *C, const folio_template *t, int s, int32_t x,
                          int32_t baseline, folio_align align, uint32_t page, uint32_t pages)
{
    int32_t x0 = C->L->margin_left, x1 = C->L->page_w - C->L->margin_right;
    fit_template(C, t, s, x, baseline, align, x0 > x ? x : x0, x1 < x ? C->L->page_w : x1,
                 min_size_of(C, s, 0), page, pages);
}

/* ---- pages --------------------------------------------------------------- */

static int32_t body_left(const composer *C) { return C->L->margin_left; }
static int32_t body_width(const composer *C)
{
    return C->L->page_w - C->L->margin_left - C->L->margin_right;
}

static void page_new(composer *C)
{
    if (!dlist_page_add(C->st)) {
        C->oom = true;
        return;
    }
    C->page = C->st->n_pages - 1;
    C->y = C->page == 0 ? C->L->body_top_first : C->L->body_top;
}

/* Close the body of the current page: record the free space under it. */
static void page_close_body(composer *C, int32_t bottom)
{
    if (bottom - C->y > 0 &&
        !dlist_page_add_free(C->st, PG(C), body_left(C), C->y, body_width(C), bottom - C->y))
        C->oom = true;
}

/* ---- tables -------------------------------------------------------------- */

typedef struct cell {
    const char *text;
    size_t len;
    bool copy;
} cell;

#define MAX_COLS 12
#define MAX_LINES 16

typedef struct row_geom {
    int lines;                 /* lines of the tallest cell */
    int32_t h;                 /* total height incl. padding */
    /* issue 11 (r-page): each left-aligned cell's lines as measure_row
     * wrapped them, drawn by draw_row without wrapping again */
    uint8_t n[MAX_COLS];
    size_t st[MAX_COLS][MAX_LINES], ln[MAX_COLS][MAX_LINES];
} row_geom;

static int32_t cell_inner(const composer *C, const folio_column *col)
{
    int32_t w = col->width - 2 * C->L->cell_padding;
    return w > 0 ? w : 1;
}

/* Split cell text into lines fitting the column; returns count (<= MAX_LINES). */
static int wrap_cell(const composer *C, int s, const folio_column *col, const cell *c,
                     size_t *starts, size_t *lens)
{
    if (c->len == 0)
        return 0;
    const folio_font *f = style_font(C, s);
    int32_t size = style(C, s)->size;
    int32_t maxw = cell_inner(C, col);
    size_t off = 0;
    int n = 0;
    /* embedded newlines in descriptions become spaces for layout purposes;
       the caller passes already-cleaned text */
    while (off < c->len && n < MAX_LINES) {
        size_t next = 0;
        size_t take = fonts_fit(f, c->text + off, c->len - off, size, maxw, &next);
        if (take == 0 && next == 0)
            break;
        starts[n] = off;
        lens[n] = take;
        n++;
        off += next ? next : take;
        if (!next && take == 0)
            break;
    }
    return n;
}

static row_geom *measure_row(const composer *C, int s, const folio_column *cols, int ncols,
                             const cell *cells, row_geom *g)
{
    g->lines = 1;                          /* filled in place: ~1.5 KB, not copied */
    size_t st[MAX_LINES], ln[MAX_LINES];
    for (int i = 0; i < ncols; i++) {
        if (i < MAX_COLS)
            g->n[i] = 0;
        if (cols[i].align != FOLIO_ALIGN_LEFT || cells[i].len == 0)
            continue;
        int n = i < MAX_COLS ? wrap_cell(C, s, &cols[i], &cells[i], g->st[i], g->ln[i])
                             : wrap_cell(C, s, &cols[i], &cells[i], st, ln);
        if (i < MAX_COLS)
            g->n[i] = (uint8_t)n;
        if (n > g->lines)
            g->lines = n;
    }
    g->h = g->lines * style(C, s)->leading + 2 * C->L->table_row_padding;
    return g;
}

static void draw_row(composer *C, int s, const folio_column *cols, int ncols,
                     const cell *cells, const row_geom *g, bool stripe)
{
    const folio_layout *L = C->L;
    int32_t x = body_left(C);
    int32_t tw = 0;
    for (int i = 0; i < ncols; i++)
        tw += cols[i].width;
    if (stripe && L->table_stripe_color != 0xFFFFFF &&
        !dlist_page_add_box(C->st, PG(C), x, C->y, tw, g->h, L->table_stripe_color, 0, 0))
        C->oom = true;
    int32_t base = C->y + L->table_row_padding + ascent_units(C, s);
    int32_t lead = style(C, s)->leading;
    size_t st[MAX_LINES], ln[MAX_LINES];
    tag_open(C, FOLIO_SR_TR);                  /* issue 14 part 2 */
    for (int i = 0; i < ncols; i++) {
        const folio_column *col = &cols[i];
        const cell *c = &cells[i];
        C->what = layout_column_name(col->field);
        bool rh = !C->cell_role && C->row_headers && i == 0;
        uint32_t cn = tag_open(C, C->cell_role ? (folio_dl_srole)C->cell_role
                                  : rh ? FOLIO_SR_TH : FOLIO_SR_TD);
        if (C->cell_role == FOLIO_SR_TH || rh)
            dlist_struct_scope(C->st, cn, rh ? FOLIO_SCOPE_ROW : FOLIO_SCOPE_COLUMN);
        if (c->len) {
            if (col->align == FOLIO_ALIGN_LEFT) {
                const size_t *sk = st, *lk = ln;
                int n;
                if (i < MAX_COLS) {            /* as measure_row wrapped it */
                    n = g->n[i];
                    sk = g->st[i];
                    lk = g->ln[i];
                } else {
                    n = wrap_cell(C, s, col, c, st, ln);
                }
                for (int k = 0; k < n; k++)
                    text_at(C, s, x + L->cell_padding, base + k * lead, FOLIO_ALIGN_LEFT,
                            c->text + sk[k], lk[k], c->copy);
            } else if (col->align == FOLIO_ALIGN_RIGHT) {
                text_at(C, s, x + col->width - L->cell_padding, base, FOLIO_ALIGN_RIGHT,
                        c->text, c->len, c->copy);
            } else {
                text_at(C, s, x + col->width / 2, base, FOLIO_ALIGN_CENTER, c->text,
                        c->len, c->copy);
            }
        }
        tag_close(C);
        x += col->width;
    }
    tag_close(C);
    C->what = NULL;
    C->y += g->h;
}

static void draw_header_row(composer *C, int s, const folio_column *cols, int ncols)
{
    cell cells[MAX_COLS] = {{0}};
    for (int i = 0; i < ncols && i < MAX_COLS; i++)
        cells[i] = (cell){cols[i].title, strlen(cols[i].title), false};
    row_geom g;
    measure_row(C, s, cols, ncols, cells, &g);
    C->cell_role = FOLIO_SR_TH;                /* issue 14 part 2 */
    draw_row(C, s, cols, ncols, cells, &g, false);
    C->cell_role = 0;
    int32_t tw = 0;
    for (int i = 0; i < ncols; i++)
        tw += cols[i].width;
    if (!dlist_page_add_rule(C->st, PG(C), body_left(C), C->y, body_left(C) + tw, C->y, 10,
                             C->L->table_rule_color))
        C->oom = true;
    C->y += 20;
}

static int32_t header_row_height(const composer *C, int s, const folio_column *cols, int ncols)
{
    cell cells[MAX_COLS] = {{0}};
    for (int i = 0; i < ncols && i < MAX_COLS; i++)
        cells[i] = (cell){cols[i].title, strlen(cols[i].title), false};
    row_geom g;
    return measure_row(C, s, cols, ncols, cells, &g)->h + 20;
}

static int32_t line_h(const composer *C, int s) { return style(C, s)->leading; }

/* ---- summary ------------------------------------------------------------- */

static bool account_printed(const composer *C, uint32_t ai)
{
    return !C->plan->accounts[ai].suppressed;
}

static void summary_cells(composer *C, const folio_account *a, const folio_account_plan *ap,
                          cell *cells, char (*bufs)[64])
{
    const folio_layout *L = C->L;
    for (int i = 0; i < L->n_summary_cols; i++) {
        char *b = bufs[i];
        size_t n = 0;
        const char *t = b;
        switch (L->summary_cols[i].field) {
        case FOLIO_COL_PRODUCT_NAME: t = product_title(C, a, ap); n = strlen(t); break;
        case FOLIO_COL_NUMBER: t = account_number(C, a, b, 64, &n); break;
        case FOLIO_COL_OWNER:
            t = full_name_dup(C->arena, &C->plan->ds->customers[a->owner]);
            if (!t) {
                C->oom = true;
                t = "";
            }
            n = strlen(t);
            break;
        case FOLIO_COL_OPENING: n = fmt_money(C, ap->opening, true, b, 64); break;
        case FOLIO_COL_CLOSING: n = fmt_money(C, ap->closing, true, b, 64); break;
        case FOLIO_COL_DEBITS: n = fmt_money(C, ap->debits, true, b, 64); break;
        case FOLIO_COL_CREDITS: n = fmt_money(C, ap->credits, true, b, 64); break;
        case FOLIO_COL_ATTR:
            n = attr_text(C, L->summary_cols[i].attr, (uint32_t)(a - C->plan->ds->accounts), b,
                          64, &t);
            break;
        default: break;
        }
        cells[i] = (cell){t, n, t == b};
    }
}

static void ensure_room(composer *C, int32_t need, void (*cont)(composer *, void *), void *arg)
{
    if (C->y + need <= BODY_BOTTOM(C))
        return;
    page_close_body(C, BODY_BOTTOM(C));
    page_new(C);
    if (cont)
        cont(C, arg);
}

static void summary_continue(composer *C, void *arg)
{
    (void)arg;
    const folio_layout *L = C->L;
    tag_artifact(C, true);          /* issue 14 part 2: a repeated header */
    draw_header_row(C, L->summary_header_style, L->summary_cols, L->n_summary_cols);
    tag_artifact(C, false);
}

static void compose_summary(composer *C)
{
    const folio_layout *L = C->L;
    const folio_households *hs = C->plan->hs;
    const folio_household *h = &hs->v[C->hh];
    const folio_dataset *ds = C->plan->ds;
    int ncols = L->n_summary_cols;
    if (ncols <= 0)
        return;
    int32_t th = line_h(C, L->summary_title_style);
    ensure_room(C, th + header_row_height(C, L->summary_header_style, L->summary_cols, ncols) +
                       line_h(C, L->summary_row_style) * 2, NULL, NULL);
    tag_open(C, FOLIO_SR_H1);                  /* issue 14 part 2 */
    draw_template(C, &L->summary_title, L->summary_title_style, body_left(C),
                  C->y + ascent_units(C, L->summary_title_style), FOLIO_ALIGN_LEFT, 0, 0);
    tag_close(C);
    C->y += th;
    tag_open(C, FOLIO_SR_TABLE);
    draw_header_row(C, L->summary_header_style, L->summary_cols, ncols);

    /* issue 10 part 6: totals per currency (and per asset/liability kind),
     * in the order the currencies first appear: never summed across them */
    enum { MAX_CUR = 16 };
    struct cur_total {
        const char *cur;
        int md;
        folio_money tot[2][4];       /* [asset/liab][opening, closing, debits, credits] */
        int have[2];
    } ct[MAX_CUR];
    int n_cur = 0;
    char bufs[MAX_COLS][64];
    cell cells[MAX_COLS];
    int stripe = 0;
    for (uint32_t k = 0; k < h->n_accounts; k++) {
        uint32_t ai = hs->account_idx[h->first_account + k];
        if (!account_printed(C, ai))
            continue;
        const folio_account *a = &ds->accounts[ai];
        const folio_account_plan *ap = &C->plan->accounts[ai];
        int ci = 0;
        while (ci < n_cur && strcmp(ct[ci].cur, a->currency))
            ci++;
        if (ci == MAX_CUR) {
            C->overflow = C->overflow ? C->overflow : "the summary totals (more than 16 "
                                                      "currencies in one household)";
            continue;
        }
        if (ci == n_cur) {
            memset(&ct[ci], 0, sizeof ct[ci]);
            ct[ci].cur = a->currency;
            ct[ci].md = acct_minor_digits(C->plan->job, a);
            n_cur++;
        }
        C->money_cur = ct[ci].cur;
        C->money_md = ct[ci].md;
        summary_cells(C, a, ap, cells, bufs);
        row_geom g;
        measure_row(C, L->summary_row_style, L->summary_cols, ncols, cells, &g);
        ensure_room(C, g.h, summary_continue, NULL);
        draw_row(C, L->summary_row_style, L->summary_cols, ncols, cells, &g, (stripe++ & 1) != 0);
        int kind = is_liability(C->plan, ap) ? 1 : 0;
        ct[ci].have[kind] = 1;
        if (!folio_money_add(&ct[ci].tot[kind][0], ap->opening) ||
            !folio_money_add(&ct[ci].tot[kind][1], ap->closing) ||
            !folio_money_add(&ct[ci].tot[kind][2], ap->debits) ||
            !folio_money_add(&ct[ci].tot[kind][3], ap->credits))
            C->overflow = C->overflow ? C->overflow : "the summary totals";
    }
    /* total rows: one per currency and kind; with several currencies the
     * label names the currency ("Total (EUR)") */
    for (int ci = 0; ci < n_cur; ci++) {
        C->money_cur = ct[ci].cur;
        C->money_md = ct[ci].md;
        for (int kind = 0; kind < 2; kind++) {
            if (!ct[ci].have[kind])
                continue;
            const char *label = kind ? L->summary_total_owed_label : L->summary_total_label;
            if (!label)
                label = kind ? "Total owed" : "Total";
            if (n_cur > 1) {
                const char *l2 = arena_fmt(C->arena, "%s (%s)", label, ct[ci].cur);
                if (!l2)
                    C->oom = true;
                else
                    label = l2;
            }
            int label_col = -1;
            for (int i = 0; i < ncols; i++) {
                char *b = bufs[i];
                size_t n = 0;
                switch (L->summary_cols[i].field) {
                case FOLIO_COL_OPENING: n = fmt_money(C, ct[ci].tot[kind][0], true, b, 64); break;
                case FOLIO_COL_CLOSING: n = fmt_money(C, ct[ci].tot[kind][1], true, b, 64); break;
                case FOLIO_COL_DEBITS: n = fmt_money(C, ct[ci].tot[kind][2], true, b, 64); break;
                case FOLIO_COL_CREDITS: n = fmt_money(C, ct[ci].tot[kind][3], true, b, 64); break;
                default:
                    if (label_col < 0)
                        label_col = i;
                    break;
                }
                cells[i] = (cell){b, n, true};
            }
            if (label_col >= 0)
                cells[label_col] = (cell){label, strlen(label), false};
            row_geom g;
            measure_row(C, L->summary_header_style, L->summary_cols, ncols, cells, &g);
            ensure_room(C, g.h, summary_continue, NULL);
            draw_row(C, L->summary_header_style, L->summary_cols, ncols, cells, &g, false);
        }
    }
    tag_close(C);                               /* issue 14 part 2: the Table */
    C->money_cur = NULL;
    C->y += L->summary_space_after;
}

/* ---- account sections ---------------------------------------------------- */

typedef struct table_ctx {
    bool continued_title;     /* draw the continuation title before the header */
} table_ctx;

static void table_continue(composer *C, void *arg)
{
    (void)arg;
    const folio_layout *L = C->L;
    tag_artifact(C, true);          /* issue 14 part 2: continuation title and header */
    draw_template(C, &L->table_continued, L->section_title_style, body_left(C),
                  C->y + ascent_units(C, L->section_title_style), FOLIO_ALIGN_LEFT, 0, 0);
    C->y += line_h(C, L->section_title_style);
    draw_header_row(C, L->table_header_style, L->table_cols, L->n_table_cols);
    tag_artifact(C, false);
}

/* Place one table row, breaking the page first when it does not fit above the
 * reserved "continued" line. */
static void table_row(composer *C, const cell *cells, bool last)
{
    const folio_layout *L = C->L;
    int s = L->table_row_style;
    row_geom g;
    measure_row(C, s, L->table_cols, L->n_table_cols, cells, &g);
    int32_t mark = line_h(C, s) + L->table_row_padding;
    int32_t limit = BODY_BOTTOM(C) - (last ? 0 : mark);
    if (C->y + g.h > limit) {
        /* continued-on-next-page mark at the bottom of this page */
        int32_t my = BODY_BOTTOM(C) - mark;
        if (my < C->y)
            my = C->y;
        page_close_body(C, my);
        compose_note_key(C, "table:continued");
        size_t n;
        C->what = expand_checked(C, &L->table_continued_next, s, 0, 0, &n);
        const char *buf = C->text.data;
        int32_t tw = 0;
        for (int i = 0; i < L->n_table_cols; i++)
            tw += L->table_cols[i].width;
        tag_artifact(C, true);      /* issue 14 part 2: the "continued" mark */
        text_at(C, s, body_left(C) + tw - L->cell_padding,
                my + L->table_row_padding + ascent_units(C, s), FOLIO_ALIGN_RIGHT, buf, n, true);
        tag_artifact(C, false);
        page_new(C);
        table_continue(C, NULL);
        C->stripe = 0;
    }
    draw_row(C, s, L->table_cols, L->n_table_cols, cells, &g, (C->stripe++ & 1) != 0);
}

static size_t clean_text(const char *s, char *buf, size_t cap)
{
    /* newlines, tabs and CRs inside a description are shown as spaces */
    size_t n = 0;
    for (; *s && n + 1 < cap; s++)
        buf[n++] = (*s == '\n' || *s == '\r' || *s == '\t') ? ' ' : *s;
    buf[n] = 0;
    return n;
}

static void compose_after_account(composer *C, uint32_t ai);
static void compose_disclosures(composer *C, uint32_t ai);

/* issue 13 part 2: the layout's charts of this account's section, each in its
 * fixed-height box under the section's info lines (src/graphics.c). */
static size_t chart_money(void *u, uint32_t ai, folio_money m, char *buf, size_t cap)
{
    composer *C = u;
    int32_t was = C->account;
    const char *cur = C->money_cur;
    C->account = (int32_t)ai;       /* the account's currency */
    C->money_cur = NULL;
    size_t n = fmt_money(C, m, true, buf, cap);
    C->account = was;
    C->money_cur = cur;
    return n;
}

static void compose_charts(composer *C, uint32_t ai)
{
    const folio_graphics *g = C->plan->layout->graphics;
    int32_t h = graphics_section_height(g, C->plan->accounts[ai].product);
    if (h && !graphics_draw_section(g, C->plan, C->L, ai, C->st, PG(C), body_left(C), C->y,
                                    body_width(C), chart_money, C))
        C->oom = true;
    C->y += h;
}

static void compose_account(composer *C, uint32_t ai)
{
    const folio_layout *L = C->L;
    const folio_dataset *ds = C->plan->ds;
    const folio_account_plan *ap = &C->plan->accounts[ai];
    bool liab = is_liability(C->plan, ap);
    C->account = (int32_t)ai;
    int ncols = L->n_table_cols;

    /* keep title + info + header + two rows together */
    int32_t need = line_h(C, L->section_title_style) +
                   L->n_section_info * line_h(C, L->section_info_style) +
                   header_row_height(C, L->table_header_style, L->table_cols, ncols) +
                   2 * (line_h(C, L->table_row_style) + 2 * L->table_row_padding) +
                   line_h(C, L->table_row_style) +
                   graphics_section_height(C->plan->layout->graphics, ap->product); /* issue 13 */
    ensure_room(C, need, NULL, NULL);

    tag_open(C, FOLIO_SR_SECT);               /* issue 14 part 2: one per account */
    tag_open(C, FOLIO_SR_H2);
    draw_template(C, &L->section_title, L->section_title_style, body_left(C),
                  C->y + ascent_units(C, L->section_title_style), FOLIO_ALIGN_LEFT, 0, 0);
    tag_close(C);
    C->y += line_h(C, L->section_title_style);
    for (int i = 0; i < L->n_section_info; i++) {
        tag_open(C, FOLIO_SR_P);
        draw_template(C, &L->section_info[i], L->section_info_style, body_left(C),
                      C->y + ascent_units(C, L->section_info_style), FOLIO_ALIGN_LEFT, 0, 0);
        tag_close(C);
        C->y += line_h(C, L->section_info_style);
    }
    compose_charts(C, ai);      /* issue 13 part 2: charts in the section */
    tag_open(C, FOLIO_SR_TABLE);              /* issue 14 part 2: across pages */
    draw_header_row(C, L->table_header_style, L->table_cols, ncols);
    C->stripe = 0;

    cell cells[MAX_COLS];
    char bufs[MAX_COLS][64];
    char desc[1024];
    char datebuf[32];
    folio_buf tcol[MAX_COLS];   /* issue 10 audit: `text:` cells, whole (never cut) */
    for (int i = 0; i < MAX_COLS; i++)
        folio_buf_init(&tcol[i], (size_t)1 << 20);

    /* opening balance row */
    for (int i = 0; i < ncols; i++) {
        cells[i] = (cell){"", 0, false};
        switch (L->table_cols[i].field) {
        case FOLIO_COL_DESCRIPTION:
            cells[i] = (cell){L->table_opening_label, strlen(L->table_opening_label), false};
            break;
        case FOLIO_COL_BALANCE:
            cells[i] = (cell){bufs[i], fmt_money(C, ap->opening, false, bufs[i], 64), true};
            break;
        default: break;
        }
    }
    table_row(C, cells, false);

    folio_money bal = ap->opening;
    if (ap->n == 0 && L->table_empty_text && L->table_empty_text[0]) {
        for (int i = 0; i < ncols; i++)
            cells[i] = L->table_cols[i].field == FOLIO_COL_DESCRIPTION
                           ? (cell){L->table_empty_text, strlen(L->table_empty_text), false}
                           : (cell){"", 0, false};
        table_row(C, cells, false);
    }
    for (uint32_t k = 0; k < ap->n; k++) {
        const folio_txn *t = &ds->txns[ap->first + k];
        if (!(liab ? folio_money_sub(&bal, t->amount) : folio_money_add(&bal, t->amount)))
            C->overflow = C->overflow ? C->overflow : "a running balance"; /* plan-checked */
        for (int i = 0; i < ncols; i++) {
            cells[i] = (cell){"", 0, false};
            switch (L->table_cols[i].field) {
            case FOLIO_COL_DATE: {
                size_t n = folio_date_format(t->date, L->date_format, datebuf, sizeof datebuf);
                cells[i] = (cell){datebuf, n, true};
                break;
            }
            case FOLIO_COL_DESCRIPTION: {
                const char *d = t->desc_langs > 1     /* issue 10 part 4: translated */
                    ? codes_txn_text(t, codes_lang_index(C->plan->job->codes,
                                                         C->plan->layout->languages[C->lang]))
                    : t->description ? t->description : "";
                if (strpbrk(d, "\r\n\t"))
                    cells[i] = (cell){desc, clean_text(d, desc, sizeof desc), true};
                else
                    cells[i] = (cell){d, strlen(d), false};
                break;
            }
            case FOLIO_COL_DEBIT:
                if (t->amount < 0)
                    cells[i] = (cell){bufs[i], fmt_money(C, -t->amount, false, bufs[i], 64), true};
                break;
            case FOLIO_COL_CREDIT:
                if (t->amount >= 0)
                    cells[i] = (cell){bufs[i], fmt_money(C, t->amount, false, bufs[i], 64), true};
                break;
            case FOLIO_COL_AMOUNT:
                cells[i] = (cell){bufs[i], fmt_money(C, t->amount, false, bufs[i], 64), true};
                break;
            case FOLIO_COL_BALANCE: {
                /* ledger.policy print: the bank's own figure (ledger.h) */
                folio_money shown = ap->bank_figures && (t->ledger & FOLIO_TXN_HAS_BALANCE)
                                        ? t->balance_after : bal;
                cells[i] = (cell){bufs[i], fmt_money(C, shown, false, bufs[i], 64), true};
                break;
            }
            case FOLIO_COL_TEXT: {          /* issue 10 audit: merge fields per row */
                C->txn = ap->first + k;
                size_t n = expand(C, &L->table_cols[i].text, 0, 0);
                folio_buf_reset(&tcol[i]);
                if (!folio_buf_append(&tcol[i], C->text.data, n) || !folio_buf_putc(&tcol[i], 0))
                    C->oom = true;
                else
                    cells[i] = (cell){tcol[i].data, n, true};
                break;
            }
            case FOLIO_COL_ATTR: {          /* issue 10 part 1 */
                int at = L->table_cols[i].attr;
                const char *s;
                size_t n = attr_text(C, at, C->plan->job->attrs->v[at].rec == FOLIO_AR_TXN
                                                ? ap->first + k : (uint32_t)ai,
                                     bufs[i], 64, &s);
                cells[i] = (cell){s, n, s == bufs[i]};
                break;
            }
            default: break;
            }
        }
        table_row(C, cells, false);
        C->res->txns++;
        if (!folio_money_add(&C->res->txn_sum, t->amount))
            C->overflow = C->overflow ? C->overflow
                                      : "the sum of the household's transactions";
    }

    /* closing balance row: the running balance reached, which the plan has
       already checked equals the feed's closing balance */
    for (int i = 0; i < ncols; i++) {
        cells[i] = (cell){"", 0, false};
        switch (L->table_cols[i].field) {
        case FOLIO_COL_DESCRIPTION:
            cells[i] = (cell){L->table_closing_label, strlen(L->table_closing_label), false};
            break;
        case FOLIO_COL_BALANCE:   /* the bank's closing under ledger.policy print */
            cells[i] = (cell){bufs[i], fmt_money(C, ap->bank_figures ? ap->closing : bal,
                                                 false, bufs[i], 64), true};
            break;
        default: break;
        }
    }
    table_row(C, cells, true);
    for (int i = 0; i < MAX_COLS; i++)
        folio_buf_free(&tcol[i]);
    tag_close(C);                               /* issue 14 part 2: the Table */
    if (bal != ap->closing && !ap->bank_figures)
        C->balance_error = true;   /* the plan suppresses mismatches: a bug if seen */
    compose_disclosures(C, ai);         /* issue 14 part 1 */
    compose_after_account(C, ai);
    tag_close(C);                               /* issue 14 part 2: the Sect */
    C->y += L->section_space_after;
    C->res->accounts++;
    C->account = -1;
}

/* ---- addressee and address block ----------------------------------------- */

/* issue 10 gaps: customers k..j-1 of household h on one line: "Ana, Luis &
 * Eva Pérez" when all share a last name, else "Ana Pérez, Luis Gómez & Eva
 * Ruiz"; NULL on out of memory. */
static const char *addressee_group(const folio_plan *plan, const folio_household *h,
                                   uint32_t k, uint32_t j, folio_arena *arena)
{
    const folio_households *hs = plan->hs;
    const folio_customer *c0 = &plan->ds->customers[hs->customer_idx[h->first_customer + k]];
    if (j - k == 1)
        return full_name_dup(arena, c0);
    bool same = true;
    for (uint32_t i = k; i < j; i++) {
        const folio_customer *c = &plan->ds->customers[hs->customer_idx[h->first_customer + i]];
        same = same && c->first_name && c->first_name[0] && c->last_name &&
               !strcmp(c->last_name, c0->last_name ? c0->last_name : "");
    }
    const char *s = "";
    for (uint32_t i = k; i < j && s; i++) {
        const folio_customer *c = &plan->ds->customers[hs->customer_idx[h->first_customer + i]];
        const char *part = same ? c->first_name : full_name_dup(arena, c);
        const char *sep = i == k ? "" : i + 1 == j ? " & " : ", ";
        s = part ? arena_fmt(arena, "%s%s%s", s, sep, part) : NULL;
    }
    return s && same ? arena_fmt(arena, "%s %s", s, c0->last_name) : s;
}

int compose_addressee(const folio_plan *plan, size_t hh, const folio_font *font,
                      int32_t size, int32_t width, const char **lines, int max_lines,
                      folio_arena *arena, uint32_t *named)
{
    const folio_households *hs = plan->hs;
    const folio_household *h = &hs->v[hh];
    const folio_dataset *ds = plan->ds;
    int n = 0;
    uint32_t nc = h->n_customers;
    uint32_t dummy;
    if (!named)
        named = &dummy;
    *named = 0;
    if (nc == 0 || max_lines <= 0)
        return 0;
    const folio_customer *c0 = &ds->customers[hs->customer_idx[h->first_customer]];
    /* joint line: "Ana & Luis Pérez" when they share a last name, else
       "Ana Pérez & Luis Gómez"; only for two customers */
    if (nc == 2) {
        const folio_customer *c1 = &ds->customers[hs->customer_idx[h->first_customer + 1]];
        char *joint;
        if (c0->first_name[0] && c1->first_name[0] && !strcmp(c0->last_name, c1->last_name))
            joint = arena_fmt(arena, "%s & %s %s", c0->first_name, c1->first_name,
                              c0->last_name);
        else {
            const char *a = full_name_dup(arena, c0), *b = full_name_dup(arena, c1);
            joint = a && b ? arena_fmt(arena, "%s & %s", a, b) : NULL;
        }
        if (joint && fonts_text_width(font, joint, strlen(joint), size) <= width) {
            lines[n++] = joint;
            *named = 2;
            return n;
        }
    }
    if (nc > (uint32_t)max_lines && nc > 2) {
        /* issue 10 gaps: more customers than lines: several to a line while
           the line fits, never a name dropped while there is room */
        uint32_t k = 0;
        while (k < nc && n < max_lines) {
            uint32_t j = k + 1;
            const char *t = addressee_group(plan, h, k, j, arena);
            while (t && j < nc) {
                const char *u = addressee_group(plan, h, k, j + 1, arena);
                if (!u || fonts_text_width(font, u, strlen(u), size) > width)
                    break;
                t = u;
                j++;
            }
            lines[n++] = t;                      /* NULL on OOM: the caller checks */
            k = j;
        }
        *named = k;
        return n;
    }
    for (uint32_t k = 0; k < nc && n < max_lines; k++) {
        const folio_customer *c = &ds->customers[hs->customer_idx[h->first_customer + k]];
        lines[n++] = full_name_dup(arena, c);    /* NULL on OOM: the caller checks */
        *named = k + 1;
    }
    return n;
}

static const char *country_name(const char *cc)
{
    static const char *const map[][2] = {
        {"CA", "CANADA"}, {"GB", "UNITED KINGDOM"}, {"UK", "UNITED KINGDOM"},
        {"DE", "GERMANY"}, {"MX", "MEXICO"}, {"FR", "FRANCE"}, {"ES", "SPAIN"},
        {"IT", "ITALY"}, {"NL", "NETHERLANDS"}, {"IE", "IRELAND"}, {"CZ", "CZECH REPUBLIC"},
        {"HK", "HONG KONG"}, {"ID", "INDONESIA"}, {"JP", "JAPAN"}, {"PL", "POLAND"},
    };
    for (size_t i = 0; i < sizeof map / sizeof map[0]; i++)
        if (!strcmp(cc, map[i][0]))
            return map[i][1];
    return cc;
}

static bool is_us(const char *cc)
{
    return !cc || !cc[0] || !strcmp(cc, "US") || !strcmp(cc, "USA");
}

static void compose_address(composer *C)
{
    const folio_layout *L = C->L;
    const folio_customer *c = primary_customer(C);
    int s = L->address_style;
    int maxl = L->address_max_lines > 0 ? L->address_max_lines : 6;
    if (maxl > 12)
        maxl = 12;
    const char *lines[16];
    const char *city;
    int name_room = addressee_name_room(L, c);   /* issue 10 gaps: address.max_names */
    int n = compose_addressee(C->plan, C->hh, style_font(C, s), style(C, s)->size,
                              L->address_w, lines, name_room, C->arena, NULL);
    int n_names = n;
    lines[n++] = c->address1;
    if (c->address2 && c->address2[0] && n < maxl)
        lines[n++] = c->address2;
    if (is_us(c->country) || !strcmp(c->country, "GB") || !strcmp(c->country, "UK") ||
        !strcmp(c->country, "CA"))
        city = arena_fmt(C->arena, "%s %s  %s", c->city, c->state, c->postal_code);
    else
        city = arena_fmt(C->arena, "%s %s", c->postal_code, c->city);
    if (n < maxl)
        lines[n++] = city;
    if (!is_us(c->country) && n < maxl)
        lines[n++] = country_name(c->country);
    if (C->plan->households[C->hh].returned) {   /* undeliverable (holders.h): to the bank */
        const folio_job *J = C->plan->job;
        n = 0;
        lines[n++] = J->bank_name;
        lines[n++] = "RETURN: undeliverable address";
        n_names = 2;
        for (int k = 0; k < J->n_bank_address && n < maxl; k++)
            lines[n++] = J->bank_address[k];
    }
    int32_t base = L->address_y + ascent_units(C, s);
    tag_open(C, FOLIO_SR_P);                  /* issue 14 part 2: the address */
    for (int i = 0; i < n; i++) {
        if (!lines[i]) {
            C->oom = true;
            return;
        }
        C->what = i < n_names ? "customer name" : "address";
        /* a line wider than the window: smaller, then cut with an ellipsis,
           counted like every text too wide for its box (fit_template) */
        size_t len = strlen(lines[i]);
        folio_text_fit fit;
        fonts_fit_box(style_font(C, s), lines[i], len, style(C, s)->size,
                      min_size_of(C, s, 0), L->address_w, !C->ascii_ellipsis, &fit);
        const char *t = lines[i];
        if (fit.action != FOLIO_FIT_AS_IS) {
            note_fit(C, C->what, &fit);
            folio_buf_reset(&C->text);
            folio_buf_append(&C->text, lines[i], fit.len);
            folio_buf_append(&C->text, fit.ellipsis, fit.ellipsis_len);
            if (C->text.failed) {
                C->oom = true;
                return;
            }
            t = C->text.data;
            len = C->text.len;
        }
        text_at_size(C, s, fit.size, L->address_x, base + i * line_h(C, s), FOLIO_ALIGN_LEFT,
                     t, len, t != lines[i]);
    }
    tag_close(C);
    C->what = NULL;
}

/* ---- paragraphs (docs/paragraphs.md) -------------------------------------- */

/* The language of household hh: the primary customer's when the layout
 * prints it, else the fallback (index 0).  *requested: the customer's code. */
static int household_language(const folio_plan *plan, size_t hh, const char **requested)
{
    const folio_households *hs = plan->hs;
    const folio_household *h = &hs->v[hh];
    const folio_customer *c =
        h->n_customers ? &plan->ds->customers[hs->customer_idx[h->first_customer]] : NULL;
    *requested = c && c->language ? c->language : "";
    int l = layout_language_find(plan->layout, *requested);
    return l < 0 ? 0 : l;
}

/* Flow one paragraph's text across the body width, breaking pages like the
 * rest of the body: a paragraph of up to 4 lines is kept on one page, a
 * longer one keeps at least 2 lines together. */
static void draw_paragraph(composer *C, const folio_template *t)
{
    int s = C->plan->layout->paragraph_style;
    size_t n;
    C->what = expand_checked(C, t, s, C->page, 0, &n);
    const char *buf = C->text.data;
    while (n && buf[n - 1] == '\n')          /* a YAML block scalar's last newline */
        n--;
    const folio_font *f = style_font(C, s);
    int32_t size = style(C, s)->size, lead = line_h(C, s), w = body_width(C);
    int lines = 0;
    tag_open(C, FOLIO_SR_P);                  /* issue 14 part 2 */
    for (int pass = 0; pass < 2; pass++) {
        if (pass == 1)
            ensure_room(C, (lines <= 4 ? lines : 2) * lead, NULL, NULL);
        size_t off = 0;
        while (off <= n) {
            const char *nl = memchr(buf + off, '\n', n - off);
            size_t end = nl ? (size_t)(nl - buf) : n;
            if (end == off) {                 /* empty line: a blank line */
                if (pass == 0)
                    lines++;
                else
                    C->y += lead;
            }
            while (off < end) {
                size_t next = 0;
                size_t take = fonts_fit(f, buf + off, end - off, size, w, &next);
                if (take == 0 && next == 0)
                    break;
                if (pass == 0) {
                    lines++;
                } else {
                    if (C->y + lead > BODY_BOTTOM(C)) {
                        page_close_body(C, BODY_BOTTOM(C));
                        page_new(C);
                    }
                    text_at(C, s, body_left(C), C->y + ascent_units(C, s), FOLIO_ALIGN_LEFT,
                            buf + off, take, true);
                    C->y += lead;
                }
                off += next ? next : take;
            }
            if (!nl)
                break;
            off = end + 1;
        }
    }
    tag_close(C);
    C->y += C->plan->layout->paragraph_space_after;
}

/* One audit entry of a paragraph considered at `place`. */
static void note_paragraph(composer *C, const folio_paragraph *p, const char *place,
                           bool shown, int lang_used, const folio_rule_explain *ex)
{
    folio_buf *b = &C->paras;
    folio_buf_puts(b, b->len ? ",{\"id\":" : "{\"id\":");
    folio_buf_put_json_str(b, p->id, strlen(p->id));
    folio_buf_puts(b, ",\"version\":");
    folio_buf_put_int(b, p->version);
    folio_buf_puts(b, ",\"place\":\"");
    folio_buf_puts(b, place);
    if (C->account >= 0) {              /* after_account: which account */
        const char *aid = C->plan->ds->accounts[C->account].id;
        folio_buf_puts(b, "\",\"account\":");
        folio_buf_put_json_str(b, aid, strlen(aid));
        folio_buf_puts(b, shown ? ",\"shown\":true" : ",\"shown\":false");
    } else {
        folio_buf_puts(b, shown ? "\",\"shown\":true" : "\",\"shown\":false");
    }
    if (shown) {
        const char *lc = C->plan->layout->languages[lang_used];
        folio_buf_puts(b, ",\"language\":");
        folio_buf_put_json_str(b, lc, strlen(lc));
    }
    if (p->condition) {
        const char *rt = rules_text(p->condition);
        folio_buf_puts(b, ",\"rule\":");
        folio_buf_put_json_str(b, rt, strlen(rt));
        if (!shown) {
            char why[400];
            int k = snprintf(why, sizeof why, "%.*s%s%s%s", (int)ex->failed_len,
                             rt + ex->failed_off, ex->detail[0] ? " (" : "", ex->detail,
                             ex->detail[0] ? ")" : "");
            folio_buf_puts(b, ",\"failed\":");
            folio_buf_put_json_str(b, why, k < 0 ? 0 : (size_t)k < sizeof why ? (size_t)k
                                                                               : sizeof why - 1);
        }
    } else {
        folio_buf_puts(b, ",\"rule\":null");
    }
    folio_buf_putc(b, '}');
}

/* Place the paragraphs the layout puts at `k`: each entry shown when its
 * condition holds; a first_of entry shows the first that holds.  Every
 * paragraph considered goes to the audit with its rule and, when it is not
 * shown, the clause that failed. */
static void compose_items(composer *C, const folio_para_place *pl, const char *name,
                          int32_t space_before)
{
    const folio_paragraphs *lib = C->plan->layout->paragraphs;
    for (int i = 0; i < pl->n_items && !C->oom; i++) {
        const folio_para_item *it = &pl->items[i];
        for (int j = 0; j < it->n; j++) {
            const folio_paragraph *p = &lib->v[it->para[j]];
            folio_rule_explain ex = { .result = true };
            bool ok = !p->condition || rules_eval_explain(p->condition, &C->rctx, &ex);
            bool fb = false;
            const folio_template *t = paragraphs_text(p, C->lang, &fb);
            note_paragraph(C, p, name, ok, fb ? 0 : C->lang, &ex);
            if (!ok)
                continue;
            compose_note_key(C, "paragraph:%s@%d", p->id, (int)p->version);
            C->para_fallback |= fb;
            C->y += space_before;
            space_before = 0;
            draw_paragraph(C, t);
            if (it->first_of)
                break;
        }
    }
}

static void compose_place(composer *C, folio_para_place_kind k)
{
    static const char *const names[FOLIO_PLACE__COUNT] = { "after_summary", "end" };
    const folio_layout *B = C->plan->layout;
    if (B->paragraphs)
        compose_items(C, &B->places[k], names[k], 0);
}

/* The paragraphs the layout places under each account of this product
 * (paragraphs.after_account), with account `ai` in view for {account.*}. */
static void compose_after_account(composer *C, uint32_t ai)
{
    const folio_layout *B = C->plan->layout;
    int pr = C->plan->accounts[ai].product;
    if (!B->paragraphs || !B->after_account || pr < 0)
        return;
    /* a little air between the closing-balance row and the paragraph */
    compose_items(C, &B->after_account[pr], "after_account", B->paragraph_space_after / 2);
}

/* ---- issue 14 part 1: disclosure sections (src/disclosures.c) ------------- */

static size_t disc_money(void *u, folio_money m, char *buf, size_t cap)
{
    return fmt_money(u, m, true, buf, cap);
}

static void draw_disc_para(composer *C, const folio_paragraph *p)
{
    bool fb = false;
    const folio_template *t = paragraphs_text(p, C->lang, &fb);
    compose_note_key(C, "paragraph:%s@%d", p->id, (int)p->version);
    C->para_fallback |= fb;
    draw_paragraph(C, t);
}

/* The sections the layout asks for under each account of this product
 * (disclosures.products), computed from the account, drawn as small tables
 * in the body width: the label column takes what the value columns leave. */
static void compose_disclosures(composer *C, uint32_t ai)
{
    const folio_disclosures *D = C->plan->layout->disclosures;
    const folio_account_plan *ap = &C->plan->accounts[ai];
    int nsec = disclosures_count(D, ap->product);
    if (!nsec)
        return;
    const folio_account *a = &C->plan->ds->accounts[ai];
    const folio_disc_styles *ds = disclosures_styles(D);
    folio_disc_ctx x = {.ds = C->plan->ds, .attrs = C->plan->job->attrs, .account = ai,
                        .first = ap->first, .n = ap->n, .opening = ap->opening,
                        .closing = ap->closing, .liability = is_liability(C->plan, ap),
                        .minor_digits = acct_minor_digits(C->plan->job, a),
                        .period_start = ap->own_start ? ap->own_start   /* issue 15 part 1 */
                                                      : C->rctx.period_start,
                        .period_end = C->plan->job->period_end,
                        .date_format = C->L->date_format, .decimal = C->L->money_decimal,
                        .money = disc_money, .user = C,
                        .lang = C->lang};   /* issue 14 part 1, round 24: labels */
    folio_disc_out *o = folio_arena_alloc(C->arena, sizeof *o);
    if (!o) {
        C->oom = true;
        return;
    }
    for (int i = 0; i < nsec && !C->oom; i++) {
        if (!disclosures_compute(D, ap->product, i, &x, o)) {
            if (!C->disc_error && !(C->disc_error = folio_arena_strdup(C->arena, o->why)))
                C->oom = true;
            return;
        }
        if (!o->shown)
            continue;
        compose_note_key(C, "disclosure:%s", o->kind);
        for (int k = 0; k < o->n_label_para; k++)   /* round 25: label paragraphs */
            compose_note_key(C, "paragraph:%s@%d", o->label_para[k]->id,
                             (int)o->label_para[k]->version);
        folio_column cols[FOLIO_DISC_MAX_COLS];
        int32_t bw = body_width(C), vw = o->ncols == 4 ? bw / 5 : o->ncols == 3 ? bw * 3 / 10
                                                                                : bw / 4;
        for (int k = 0; k < o->ncols; k++)    /* titles outlive o: the page keeps them */
            cols[k] = (folio_column){.field = 0, .title = folio_arena_strdup(C->arena, o->head[k]),
                                     .width = vw,
                                     .align = k && !o->has_head ? FOLIO_ALIGN_RIGHT
                                                                : FOLIO_ALIGN_LEFT};
        for (int k = 0; k < o->ncols; k++)
            if (!cols[k].title) {
                C->oom = true;
                return;
            }
        cols[0].width = bw - (o->ncols - 1) * vw;
        cell cells[FOLIO_DISC_MAX_COLS];
        C->y += ds->space_after / 2;
        /* a section is kept on one page when it fits one */
        int32_t need = line_h(C, ds->title) +
                       (o->has_head ? header_row_height(C, ds->header, cols, o->ncols) : 0);
        for (int r = 0; r < o->n_rows; r++) {
            for (int k = 0; k < o->ncols; k++)
                cells[k] = (cell){o->cell[r][k], strlen(o->cell[r][k]), true};
            row_geom g;
            need += measure_row(C, o->bold[r] ? ds->header : ds->row, cols, o->ncols, cells,
                                &g)->h;
        }
        int32_t room = C->L->body_bottom - C->L->body_top;
        ensure_room(C, need < room ? need : line_h(C, ds->title) + 3 * line_h(C, ds->row),
                    NULL, NULL);
        tag_open(C, FOLIO_SR_H3);             /* issue 14 part 2 */
        text_at(C, ds->title, body_left(C), C->y + ascent_units(C, ds->title),
                FOLIO_ALIGN_LEFT, o->title, strlen(o->title), false);
        tag_close(C);
        C->y += line_h(C, ds->title);
        if (o->before)
            draw_disc_para(C, o->before);
        tag_open(C, FOLIO_SR_TABLE);
        if (o->has_head) {
            ensure_room(C, header_row_height(C, ds->header, cols, o->ncols), NULL, NULL);
            draw_header_row(C, ds->header, cols, o->ncols);
            for (int k = 1; k < o->ncols; k++)   /* values right-aligned under heads */
                cols[k].align = FOLIO_ALIGN_RIGHT;
        }
        C->row_headers = !o->has_head;         /* issue 14 part 2: label | value */
        for (int r = 0; r < o->n_rows; r++) {
            for (int k = 0; k < o->ncols; k++)
                cells[k] = (cell){o->cell[r][k], strlen(o->cell[r][k]), true};
            int s = o->bold[r] ? ds->header : ds->row;
            row_geom g;
            measure_row(C, s, cols, o->ncols, cells, &g);
            ensure_room(C, g.h, NULL, NULL);
            draw_row(C, s, cols, o->ncols, cells, &g, (r & 1) != 0);
        }
        tag_close(C);                           /* issue 14 part 2: the Table */
        C->row_headers = false;
        if (o->after)
            draw_disc_para(C, o->after);
        else
            C->y += ds->space_after;
    }
}

/* The audit members and coverage keys of the language decision. */
static void note_language(composer *C, const char *requested)
{
    const folio_layout *B = C->plan->layout;
    const char *used = B->languages[C->lang];
    bool unsupported = requested[0] && layout_language_find(B, requested) < 0;
    folio_buf m;
    folio_buf_init(&m, (size_t)1 << 20);
    folio_buf_puts(&m, "\"language\":");
    folio_buf_put_json_str(&m, used, strlen(used));
    if (requested[0] && strcmp(requested, used)) {
        folio_buf_puts(&m, ",\"language_requested\":");
        folio_buf_put_json_str(&m, requested, strlen(requested));
    }
    compose_note_key(C, "language:%s", used);
    uint32_t nm = C->lang > 0 ? B->n_missing[C->lang] : 0;
    if (unsupported || nm || C->para_fallback) {
        const char *from = unsupported ? requested : used;
        folio_buf_puts(&m, ",\"fallback\":{\"from\":");
        folio_buf_put_json_str(&m, from, strlen(from));
        folio_buf_puts(&m, ",\"to\":");
        folio_buf_put_json_str(&m, B->languages[0], strlen(B->languages[0]));
        if (unsupported)
            folio_buf_puts(&m, ",\"why\":\"the layout does not print this language\"");
        folio_buf_puts(&m, ",\"texts\":[");
        for (const char *t = nm ? B->missing[C->lang] : ""; *t;) {
            const char *e = strstr(t, ", ");
            size_t len = e ? (size_t)(e - t) : strlen(t);
            if (t != B->missing[C->lang])
                folio_buf_putc(&m, ',');
            folio_buf_put_json_str(&m, t, len);
            t += len + (e ? 2 : 0);
        }
        folio_buf_puts(&m, "],\"paragraphs\":");
        folio_buf_puts(&m, C->para_fallback ? "true}" : "false}");
        compose_note_key(C, "fallback:%s->%s", from, B->languages[0]);
        C->res->fallback = true;
    }
    folio_buf_puts(&m, ",\"paragraphs\":[");
    if (C->paras.len)
        folio_buf_append(&m, C->paras.data, C->paras.len);
    folio_buf_putc(&m, ']');
    if (m.failed || C->paras.failed)
        C->oom = true;
    else
        compose_note_audit(C, m.data, m.len);
    folio_buf_free(&m);
    C->res->language = (uint8_t)C->lang;
}

/* ---- statement ------------------------------------------------------------ */

/* The box of a placed text (folio_placed_text.width): `width` from x on the
 * side its alignment grows toward, else up to the page margin there -- or
 * to the page edge when x already lies in that margin. */
static void placed_box(const composer *C, const folio_placed_text *it, int32_t *x0,
                       int32_t *x1)
{
    const folio_layout *L = C->L;
    int32_t x = it->x;
    if (it->width > 0) {
        *x0 = it->align == FOLIO_ALIGN_LEFT ? x
              : it->align == FOLIO_ALIGN_RIGHT ? x - it->width : x - it->width / 2;
        *x1 = *x0 + it->width;
        return;
    }
    int32_t lo = x > L->margin_left ? L->margin_left : 0;
    int32_t hi = x < L->page_w - L->margin_right ? L->page_w - L->margin_right : L->page_w;
    if (it->align == FOLIO_ALIGN_LEFT) {
        *x0 = x;
        *x1 = hi;
    } else if (it->align == FOLIO_ALIGN_RIGHT) {
        *x0 = lo;
        *x1 = x;
    } else {
        int32_t half = x - lo < hi - x ? x - lo : hi - x;
        *x0 = x - half;
        *x1 = x + half;
    }
}

static void draw_fixed(composer *C, const folio_placed_text *items, int n, uint32_t page,
                       uint32_t pages)
{
    for (int i = 0; i < n; i++) {
        int32_t x0, x1;
        placed_box(C, &items[i], &x0, &x1);
        uint32_t sn = C->st->sn_cur ? tag_open(C, FOLIO_SR_P) : 0;   /* issue 14 part 2 */
        fit_template(C, &items[i].text, items[i].style, items[i].x, items[i].y,
                     items[i].align, x0, x1, min_size_of(C, items[i].style, items[i].min_size),
                     page, pages);
        if (sn)
            tag_close(C);
    }
}

/* audit.jsonl member "text_fit": what was drawn smaller or cut, e.g.
 * [{"field":"customer.id","fit":"clipped","page":1,"times":1,"size":5.25}] */
static void note_fits_audit(composer *C)
{
    if (!C->n_fits)
        return;
    folio_buf m;
    folio_buf_init(&m, (size_t)1 << 16);
    folio_buf_puts(&m, "\"text_fit\":[");
    for (int i = 0; i < C->n_fits; i++) {
        const struct fit_note *f = &C->fits[i];
        char sz[32];
        int64_t h = (int64_t)f->size * 5;        /* hundredths of a point */
        snprintf(sz, sizeof sz, "%lld.%02lld", (long long)(h / 100), (long long)(h % 100));
        folio_buf_puts(&m, i ? ",{\"field\":" : "{\"field\":");
        folio_buf_put_json_str(&m, f->field, strlen(f->field));
        folio_buf_puts(&m, f->action == FOLIO_FIT_SHRUNK ? ",\"fit\":\"shrunk\",\"page\":"
                                                         : ",\"fit\":\"clipped\",\"page\":");
        folio_buf_put_int(&m, f->page);
        folio_buf_puts(&m, ",\"times\":");
        folio_buf_put_int(&m, f->times);
        folio_buf_puts(&m, ",\"size\":");
        folio_buf_puts(&m, sz);
        folio_buf_putc(&m, '}');
    }
    folio_buf_putc(&m, ']');
    if (m.failed)
        C->oom = true;
    else
        compose_note_audit(C, m.data, m.len);
    folio_buf_free(&m);
}

/* White space: offers into the free rectangles, after the statement's own
 * content, headers and footers, so nothing of it can move (offers.h). */
static void compose_offers(composer *C, uint32_t pages)
{
    const folio_plan *plan = C->plan;
    uint8_t ch = plan->households[C->hh].channel;
    /* the back side only on paper alone: a statement also e-delivered must
     * have the same pages in the archive, which has no back sides */
    bool back = plan->job->duplex && (pages & 1) && ch == FOLIO_CHANNEL_PRINT;
    folio_buf keys;
    folio_buf_init(&keys, (size_t)1 << 16);
    /* the audit member goes straight into the statement's audit members */
    if (!plan->skip_decisions && C->audit.len)
        folio_buf_putc(&C->audit, ',');
    folio_offers_out out = {.audit = plan->skip_decisions ? NULL : &C->audit,
                            .keys = plan->skip_decisions ? NULL : &keys,
                            .language = plan->layout->languages && C->lang < plan->layout->n_languages
                                            ? plan->layout->languages[C->lang] : NULL};
    if (!offers_fill(plan->offers, C->L, plan->ds, plan->hs, C->hh, ch, C->st, pages, back, &out) ||
        C->audit.failed || keys.failed)
        C->oom = true;
    for (const char *k = keys.data, *end = keys.data + keys.len; k && k < end;) {
        const char *nl = memchr(k, '\n', (size_t)(end - k));
        if (!nl)
            break;
        compose_note_key(C, "%.*s", (int)(nl - k), k);
        k = nl + 1;
    }
    for (int i = 0; i < out.n_picks; i++)
        C->res->offers[C->res->n_offers++] = (folio_offer_shown){
            out.picks[i].offer, out.picks[i].variant, out.picks[i].holdout};
    C->res->offer_back_page = out.back_page;
    if (out.notdef && !C->res->notdef) {        /* empty boxes in the offer text */
        C->res->notdef_cp = out.notdef_cp;
        C->res->notdef_field = "offer text";
    }
    C->res->notdef += out.notdef;
    folio_buf_free(&keys);
}

/* ---- issue 13 part 3: the payment coupon (src/coupon.c) --------------------- */

/* The first printed account of the household the layout gives a coupon. */
static int32_t coupon_account(const folio_plan *plan, const folio_layout *L, size_t hh)
{
    const folio_household *h = &plan->hs->v[hh];
    for (uint32_t k = 0; L->coupon && k < h->n_accounts; k++) {
        uint32_t ai = plan->hs->account_idx[h->first_account + k];
        const folio_account_plan *ap = &plan->accounts[ai];
        if (!ap->suppressed && coupon_wants(L, plan->ds->accounts[ai].product))
            return (int32_t)ai;
    }
    return -1;
}

static void compose_coupon(composer *C, char *why, size_t cap)
{
    const folio_account *a = &C->plan->ds->accounts[C->coupon_ai];
    const folio_account_plan *ap = &C->plan->accounts[C->coupon_ai];
    if (a->due_date == FOLIO_DATE_NONE) {
        snprintf(why, cap, "account %s has no due date (accounts feed column due_date)", a->id);
        return;
    }
    int32_t saved = C->account;
    C->account = C->coupon_ai;                /* money in the account's currency */
    char num[96], amt[64], mn[64], due[64];
    folio_money owed = ap->closing > 0 ? ap->closing : 0;
    folio_money minimum = a->minimum_due > 0 ? a->minimum_due : 0;
    size_t num_len;
    const char *num_text = account_number(C, a, num, sizeof num, &num_len);
    fmt_money(C, owed, true, amt, sizeof amt);
    fmt_money(C, minimum, true, mn, sizeof mn);
    folio_date_format(a->due_date, C->L->date_format, due, sizeof due);
    C->account = saved;
    int md = acct_minor_digits(C->plan->job, a);
    folio_coupon_data d = {.household_id = C->plan->hs->v[C->hh].id, .account_id = a->id,
                           .account_text = num_text, .currency = a->currency ? a->currency : "USD",
                           .minor_digits = md >= 0 ? md : currency_minor_digits(a->currency),
                           .amount_due = owed, .minimum_due = minimum, .amount_text = amt,
                           .minimum_text = mn, .due_text = due};
    if (!coupon_draw(C->L, C->st, &d, why, cap))
        return;
    compose_note_key(C, "coupon:%s", a->product);
}

folio_dl_statement *compose_household(const folio_plan *plan, size_t hh,
                                      folio_arena *arena, folio_compose_result *res,
                                      folio_error *err)
{
    const char *requested;
    int lang = household_language(plan, hh, &requested);
    const folio_layout *L = plan->layout->variants ? plan->layout->variants[lang] : plan->layout;
    const folio_households *hs = plan->hs;
    const folio_household *h = &hs->v[hh];
    memset(res, 0, sizeof *res);
    composer C = {.plan = plan, .L = L, .hh = hh, .arena = arena, .account = -1, .res = res,
                  .coupon_ai = coupon_account(plan, L, hh),
                  .lang = lang, .ascii_ellipsis = plan->job->afp && plan->job->afp->enabled};
    static const char *const chname[] = {"print", "email", "both", "suppressed"};
    C.rctx = (folio_rule_ctx){.ds = plan->ds, .hs = hs, .job = plan->job, .hh = (uint32_t)hh,
                              .today = plan->job->statement_date,
                              .period_start = frequency_statement_start(plan, hh),  /* issue 15 */
                              .period_end = plan->job->period_end,
                              .channel = chname[plan->households[hh].channel & 3]};
    folio_buf_init(&C.paras, (size_t)1 << 20);
    folio_buf_init(&C.text, (size_t)1 << 24);
    folio_buf_init(&C.audit, (size_t)1 << 24);
    folio_buf_init(&C.keys, (size_t)1 << 20);
    C.st = dlist_statement_new(arena, h->id, L->page_w, L->page_h);
    if (C.st) {                 /* issue 15 part 1: the statement's own interval */
        C.st->period_start = C.rctx.period_start;
        C.st->period_end = C.rctx.period_end;
        /* r-tag7 (round 27, issue 14): a print-only household's statement
           is never written tagged, nor is any statement of a run whose
           archive is off or untagged (PDF/A-1b): no structure tree built */
        const folio_archive_options *ao = plan->job->archive;   /* NULL: a job
                                           built by hand (channels.c routes it) */
        if (plan->households[hh].channel == FOLIO_CHANNEL_PRINT ||
            (ao && (!ao->enabled || !ao->tagged)))
            dlist_struct_off(C.st);
    }
    if (!C.st) {
        folio_buf_free(&C.audit);
        folio_buf_free(&C.keys);
        folio_buf_free(&C.text);
        folio_buf_free(&C.paras);
        folio_error_set(err, FOLIO_EXIT_FAILED, "out of memory composing household %s", h->id);
        return NULL;
    }
    page_new(&C);
    /* issue 14 part 2: the statement's language (/Lang); page 1's placed
       texts come first in reading order */
    C.st->lang = plan->layout->languages && lang < plan->layout->n_languages
                     ? plan->layout->languages[lang] : NULL;
    uint32_t front = tag_open(&C, FOLIO_SR_SECT);
    tag_close(&C);
    compose_address(&C);
    compose_summary(&C);
    compose_place(&C, FOLIO_PLACE_AFTER_SUMMARY);
    for (uint32_t k = 0; k < h->n_accounts && !C.oom; k++) {
        uint32_t ai = hs->account_idx[h->first_account + k];
        if (account_printed(&C, ai))
            compose_account(&C, ai);
    }
    compose_place(&C, FOLIO_PLACE_END);
    page_close_body(&C, BODY_BOTTOM(&C));
    note_language(&C, requested);
    folio_buf_free(&C.paras);

    uint32_t pages = C.st->n_pages;
    uint32_t back = tag_open(&C, FOLIO_SR_SECT);  /* issue 14 part 2: after the body */
    tag_close(&C);
    for (uint32_t p = 0; p < pages; p++) {
        C.page = p;
        draw_fixed(&C, L->header, L->n_header, p, pages);   /* artifacts */
        uint32_t was = dlist_struct_enter(C.st, p == 0 ? front : back);
        if (p == 0)
            draw_fixed(&C, L->first_page, L->n_first_page, p, pages);
        dlist_struct_enter(C.st, was);
        draw_fixed(&C, L->footer, L->n_footer, p, pages);
        tag_artifact(&C, p != 0);       /* issue 14 part 2: a repeated image */
        was = dlist_struct_enter(C.st, front);
        if (!graphics_draw_images(plan->layout->graphics, lang, &C.rctx, C.st, p, pages))
            C.oom = true;
        tag_artifact(&C, false);
        dlist_struct_enter(C.st, p == 0 ? front : back);
        if (!graphics_draw_page_charts(plan->layout->graphics, plan, L, hh, C.st, p, pages,
                                       chart_money, &C))
            C.oom = true;       /* issue 13: the layout's images and fixed charts */
        dlist_struct_enter(C.st, was);
    }
    note_fits_audit(&C);
    char coupon_why[320] = "";               /* issue 13 part 3, before the offers */
    uint32_t was = dlist_struct_enter(C.st, back);   /* issue 14 part 2 */
    tag_open(&C, FOLIO_SR_P);
    if (C.coupon_ai >= 0)
        compose_coupon(&C, coupon_why, sizeof coupon_why);
    tag_close(&C);
    tag_open(&C, FOLIO_SR_P);
    if (plan->offers)
        compose_offers(&C, pages);
    tag_close(&C);
    dlist_struct_enter(C.st, was);

    /* issue 13 part 4: printed URLs become links of the e-delivered copy */
    if (plan->households[hh].channel != FOLIO_CHANNEL_PRINT && !links_collect(L, C.st))
        C.oom = true;

    /* index tags: what an AFP TLE or an archive index needs to know */
    const folio_customer *pc = primary_customer(&C);
    char nb[32];
    const char *name = full_name_dup(arena, pc);
    if (!name)
        C.oom = true;
    dlist_statement_add_tag(C.st, "household", h->id);
    dlist_statement_add_tag(C.st, "name", name ? name : "");
    dlist_statement_add_tag(C.st, "postal_code", pc->postal_code);
    folio_buf acc;
    folio_buf_init(&acc, 1 << 16);
    for (uint32_t k = 0; k < h->n_accounts; k++) {
        uint32_t ai = hs->account_idx[h->first_account + k];
        if (!account_printed(&C, ai))
            continue;
        if (acc.len)
            folio_buf_putc(&acc, ' ');
        folio_buf_puts(&acc, plan->ds->accounts[ai].id);
    }
    dlist_statement_add_tag(C.st, "accounts", acc.data ? acc.data : "");
    folio_buf_free(&acc);
    snprintf(nb, sizeof nb, "%u", pages);
    dlist_statement_add_tag(C.st, "pages", nb);

    if (!plan->skip_decisions) {   /* issue 15 parts 1, 2: stage and interval (events.c) */
        const char *stage = journey_audit(plan, hh, &C.rctx, &C.audit);
        if (stage && *stage)
            compose_note_key(&C, "stage:%s", stage);
    }
    compose_note_key(&C, "pages:%u", pages);
    if (C.audit.failed || C.keys.failed)
        C.oom = true;
    res->audit = folio_arena_strdup(arena, C.audit.data ? C.audit.data : "");
    res->keys = folio_arena_strdup(arena, C.keys.data ? C.keys.data : "");
    if (!res->audit || !res->keys)
        C.oom = true;
    folio_buf_free(&C.audit);
    folio_buf_free(&C.keys);
    folio_buf_free(&C.text);
    if (C.disc_error && !C.oom) {       /* issue 14 part 1 */
        folio_error_set(err, FOLIO_EXIT_FAILED, "household %s: %s", h->id, C.disc_error);
        return NULL;
    }
    if (coupon_why[0] && !C.oom) {          /* issue 13 part 3 */
        folio_error_set(err, FOLIO_EXIT_FAILED, "household %s: payment coupon: %s", h->id,
                        coupon_why);
        return NULL;
    }
    if (C.overflow && !C.oom) {
        folio_error_set(err, FOLIO_EXIT_FAILED,
                        "household %s: amount sum overflows: %s (beyond the representable "
                        "range; no statement prints a wrapped figure)", h->id, C.overflow);
        return NULL;
    }
    if (C.oom || C.balance_error) {
        folio_error_set(err, FOLIO_EXIT_FAILED,
                        C.oom ? "out of memory composing household %s"
                              : "internal error: running balance of household %s does not end at "
                                "the closing balance",
                        h->id);
        return NULL;
    }
    res->pages = pages;
    if (C.st->sn_art && !C.st->n_snodes)
        C.st->sn_art = 0;       /* r-tag7: structure off; a kept statement's is 0 */
    return C.st;
}
