/* SPDX-License-Identifier: Apache-2.0 */
/*
 * coupon.c -- issue 13 part 3: the payment coupon (folio/coupon.h,
 * docs/coupon.md).
 *
 *   coupon:
 *     products: [credit_card, loan]
 *     payee: "Example Bank"
 *     remittance_address: ["Example Bank Card Payments", "PO Box 1234", "Columbus OH 43218-1234"]
 *     iban: DE89370400440532013000     # EUR accounts: EPC QR to this account
 *     bic: COBADEFFXXX
 *     pay_url: "https://pay.example.com/?account={account}&amount={amount}&currency={currency}"
 *     style: info, label_style: label, scan_style: td, address_style: address
 *
 * Geometry in units (1/1440 in), H = page height, cut = H - 3.5 in:
 *
 *   cut             dashed rule, margin to margin (6 pt dash, 4 pt gap)
 *   cut + 14 pt     note ("Detach and return ...")
 *   cut + 30 pt..   title, then 4 rows of 14 pt: label at the left margin,
 *                   value right-aligned 3 in further
 *   cut + 20 pt     QR code with its 4-module quiet zone, right-aligned at
 *                   the right margin, at most 120 pt square
 *   cut + 110 pt    scan line (baseline), left margin
 *   window          x 63..387 pt, y H-126..H-45 pt (#9 envelope window 4.5 x
 *                   1.125 in, 7/8 in from the left, 5/8 in from the bottom);
 *                   the address lines sit 1/8 in inside it
 *
 * zint encodes the QR (ECC level M, byte mode, as EPC069-12 asks); its module
 * matrix is bit-packed: module (row, col) is bit (col & 7) of
 * encoded_data[row][col >> 3] (same as marks.c).
 */
#include "folio/coupon.h"

#include "folio/fonts.h"
#include "folio/layout.h"
#include "yamltree.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zint.h>

#define PT 20
#define CUT_DASH (6 * PT)
#define CUT_GAP (4 * PT)
#define QR_TOP (20 * PT)
#define QR_MAX (120 * PT)
#define QR_MIN_MODULE 30              /* 1.5 pt: smaller does not scan reliably */
#define ROWS_TOP (30 * PT)
#define ROW_STEP (14 * PT)
#define VALUE_RIGHT (3 * 1440)
#define SCAN_Y (110 * PT)
#define WIN_X 1260                    /* 7/8 in */
#define WIN_W 6480                    /* 4.5 in */
#define WIN_BOTTOM 900                /* 5/8 in above the bottom edge */
#define WIN_H 1620                    /* 1.125 in */
#define WIN_CLEAR 180                 /* 1/8 in */

static const char *const COUPON_KEYS[] = { "products", "payee", "remittance_address", "iban",
    "bic", "sepa", "pay_url", "style", "label_style", "scan_style", "address_style", "title",
    "note", "labels", "window", NULL };
/* issue 13 leftover: the envelope window, points from the left and bottom edges */
static const char *const WINDOW_KEYS[] = { "left", "bottom", "width", "height", NULL };
static const char *const LABEL_KEYS[] = { "account", "amount_due", "minimum_due", "due_date",
                                          NULL };
static const char *const URL_FIELDS[] = { "account", "amount", "currency", "household", NULL };

void coupon_free(folio_coupon *c)
{
    if (!c)
        return;
    yt_strv_free(c->products, c->n_products);
    yt_strv_free(c->address, c->n_address);
    free(c->payee);
    free(c->iban);
    free(c->bic);
    free(c->pay_url);
    free(c->title);
    free(c->note);
    free(c->l_account);
    free(c->l_amount);
    free(c->l_minimum);
    free(c->l_due);
    free(c);
}

/* ---- checks ----------------------------------------------------------------- */

bool coupon_iban_ok(const char *iban)
{
    size_t n = iban ? strlen(iban) : 0;
    if (n < 15 || n > 34)
        return false;
    for (size_t i = 0; i < n; i++)
        if (!((iban[i] >= 'A' && iban[i] <= 'Z') || (iban[i] >= '0' && iban[i] <= '9')))
            return false;
    if (iban[0] > 'Z' || iban[0] < 'A' || iban[1] > 'Z' || iban[1] < 'A' ||
        iban[2] > '9' || iban[3] > '9')
        return false;
    unsigned rem = 0;
    for (size_t k = 0; k < n; k++) {
        char c = iban[(k + 4) % n];        /* the first four characters go last */
        if (c >= 'A')
            rem = (rem * 100 + (unsigned)(c - 'A' + 10)) % 97;
        else
            rem = (rem * 10 + (unsigned)(c - '0')) % 97;
    }
    return rem == 1;
}

static bool bic_ok(const char *b)
{
    size_t n = b ? strlen(b) : 0;
    if (n != 8 && n != 11)
        return false;
    for (size_t i = 0; i < n; i++) {
        bool alpha = b[i] >= 'A' && b[i] <= 'Z', digit = b[i] >= '0' && b[i] <= '9';
        if (i < 6 ? !alpha : !(alpha || digit))
            return false;
    }
    return true;
}

/* Placeholders of pay_url: {name} one of URL_FIELDS; offset of a bad one. */
static bool url_template_ok(const char *s, size_t *bad)
{
    for (const char *p = s; *p; p++) {
        if (*p != '{')
            continue;
        const char *e = strchr(p, '}');
        bool ok = false;
        for (int i = 0; e && URL_FIELDS[i]; i++)
            if ((size_t)(e - p - 1) == strlen(URL_FIELDS[i]) &&
                !memcmp(p + 1, URL_FIELDS[i], (size_t)(e - p - 1)))
                ok = true;
        if (!ok) {
            *bad = (size_t)(p - s);
            return false;
        }
        p = e;
    }
    return true;
}

static int32_t text_w(const folio_layout *L, int s, const char *t)
{
    const folio_style *st = &L->styles[s];
    return fonts_text_width(L->fonts[st->font].metrics, t, strlen(t), st->size);
}

static int32_t ascent(const folio_layout *L, int s)
{
    const folio_style *st = &L->styles[s];
    return (int32_t)((int64_t)fonts_ascent(L->fonts[st->font].metrics) * st->size / 1000);
}

static int32_t descent(const folio_layout *L, int s)
{
    const folio_style *st = &L->styles[s];
    return (int32_t)((int64_t)fonts_descent(L->fonts[st->font].metrics) * st->size / 1000);
}

/* ---- reading ---------------------------------------------------------------- */

static int read_style_name(yt_doc *d, const yt_node *map, const char *key,
                           const folio_layout *L, int *out)
{
    const yt_node *n = yt_child(d, map, "coupon", key, false);
    if (!n)
        return d->err->code ? -1 : 0;
    int s = n->kind == YT_SCALAR ? layout_style_find(L, n->str) : -1;
    if (s < 0) {
        yt_fail(d, n, "'coupon.%s': unknown style '%s'", key,
                n->kind == YT_SCALAR ? n->str : "?");
        return -1;
    }
    *out = s;
    return 1;
}

/* issue 13 leftover: coupon.window {left, bottom, width, height} (points), the
 * window of the bank's return envelope; absent: the #9 envelope's.  It must
 * lie under the scan line, left of the QR code and on the page. */
static bool read_window(yt_doc *d, const yt_node *m, const folio_layout *L, folio_coupon *c)
{
    c->win_x = WIN_X;
    c->win_bottom = WIN_BOTTOM;
    c->win_w = WIN_W;
    c->win_h = WIN_H;
    c->win_name = "the #9 envelope window";
    const yt_node *w = yt_get(m, "window");
    if (!w)
        return true;
    if (!yt_expect_map(d, w, "coupon.window") ||
        !yt_check_keys(d, w, "coupon.window", WINDOW_KEYS))
        return false;
    const char *k[4] = {"left", "bottom", "width", "height"};
    int32_t *v[4] = {&c->win_x, &c->win_bottom, &c->win_w, &c->win_h};
    for (int i = 0; i < 4; i++) {
        int64_t h;
        if (yt_fixed(d, w, "coupon.window", k[i], true, 2, 0, 100000, &h) < 0)
            return false;
        *v[i] = (int32_t)((h * PT + 50) / 100);
    }
    c->win_name = "the envelope window (coupon.window)";
    if (c->win_w <= 2 * WIN_CLEAR || c->win_h <= 2 * WIN_CLEAR)
        return yt_fail(d, w, "'coupon.window': %d x %d pt leaves no room inside its 1/8 in "
                       "clearance", c->win_w / PT, c->win_h / PT);
    if (c->win_x + c->win_w > L->page_w)
        return yt_fail(d, w, "'coupon.window': left + width (%d pt) is beyond the page's "
                       "width (%d pt)", (c->win_x + c->win_w) / PT, L->page_w / PT);
    int32_t top = L->page_h - c->win_bottom - c->win_h;        /* units from the top */
    int32_t scan = c->cut_y + SCAN_Y + descent(L, c->scan_style);
    if (top < scan)
        return yt_fail(d, w, "'coupon.window': its top, %d pt above the bottom edge, is over "
                       "the coupon's scan line (the window must end %d pt above the bottom "
                       "edge or lower)", (c->win_bottom + c->win_h) / PT,
                       (L->page_h - scan) / PT);
    int32_t qr = L->page_w - L->margin_right - QR_MAX;
    if (c->win_x + c->win_w > qr && top < c->cut_y + QR_TOP + QR_MAX)
        return yt_fail(d, w, "'coupon.window': its right edge (%d pt from the left) is under "
                       "the QR code, which may start %d pt from the left",
                       (c->win_x + c->win_w) / PT, qr / PT);
    return true;
}

bool coupon_layout_read(yt_doc *d, const yt_node *root, folio_layout *L,
                        folio_coupon_text_fn text, void *tctx)
{
    const yt_node *m = yt_get(root, "coupon");
    if (!m)
        return true;
    if (!yt_expect_map(d, m, "coupon") || !yt_check_keys(d, m, "coupon", COUPON_KEYS))
        return false;
    folio_coupon *c = calloc(1, sizeof *c);
    if (!c) {
        folio_error_set(d->err, FOLIO_EXIT_FAILED, "%s: out of memory", d->path);
        return false;
    }
    L->coupon = c;
    c->sepa = true;
    c->style = c->label_style = c->scan_style = c->address_style = -1;
    const yt_node *lab = yt_get(m, "labels");
    if (yt_strv(d, m, "coupon", "products", true, &c->products, &c->n_products) < 0 ||
        yt_str(d, m, "coupon", "payee", true, &c->payee) < 0 ||
        yt_strv(d, m, "coupon", "remittance_address", true, &c->address, &c->n_address) < 0 ||
        yt_bool(d, m, "coupon", "sepa", false, &c->sepa) < 0 ||
        yt_str(d, m, "coupon", "iban", false, &c->iban) < 0 ||
        yt_str(d, m, "coupon", "bic", false, &c->bic) < 0 ||
        yt_str(d, m, "coupon", "pay_url", true, &c->pay_url) < 0 ||
        read_style_name(d, m, "style", L, &c->style) < 0 ||
        read_style_name(d, m, "label_style", L, &c->label_style) < 0 ||
        read_style_name(d, m, "scan_style", L, &c->scan_style) < 0 ||
        read_style_name(d, m, "address_style", L, &c->address_style) < 0)
        return false;
    /* issue 13 leftover: the texts are per language like the layout's other
     * texts ({en: ..., es: ...}), read for the language being loaded; a
     * language without one gets the fallback's, listed as missing */
    if (!text(tctx, m, "coupon", "title", "Payment coupon", &c->title) ||
        !text(tctx, m, "coupon", "note", "Detach along the dashed line and return the lower "
              "part with your payment.", &c->note))
        return false;
    if (lab && (!yt_expect_map(d, lab, "coupon.labels") ||
                !yt_check_keys(d, lab, "coupon.labels", LABEL_KEYS)))
        return false;
    const yt_node *lm = lab ? lab : m;      /* m has none of the label keys */
    if (!text(tctx, lm, "coupon.labels", "account", "Account number", &c->l_account) ||
        !text(tctx, lm, "coupon.labels", "amount_due", "Amount due", &c->l_amount) ||
        !text(tctx, lm, "coupon.labels", "minimum_due", "Minimum payment due", &c->l_minimum) ||
        !text(tctx, lm, "coupon.labels", "due_date", "Payment due date", &c->l_due))
        return false;
    if (c->style < 0) {
        if (L->n_styles < 1)
            return yt_fail(d, m, "'coupon.style' is required (the layout has no styles)");
        c->style = 0;
    }
    if (c->label_style < 0)
        c->label_style = c->style;
    if (c->scan_style < 0)
        c->scan_style = c->style;
    if (c->address_style < 0)
        c->address_style = L->address_style;
    /* missing inputs are load errors: never a coupon with blanks */
    if (!c->n_products)
        return yt_fail(d, yt_get(m, "products"), "'coupon.products' must list at least one product");
    if (!c->payee[0] || strlen(c->payee) > 70)
        return yt_fail(d, yt_get(m, "payee"), "'coupon.payee' must be 1 to 70 bytes "
                       "(the EPC QR's beneficiary name)");
    if (!c->n_address)
        return yt_fail(d, yt_get(m, "remittance_address"), "'coupon.remittance_address' "
                       "must give the bank's remittance address (at least one line)");
    if (c->sepa) {
        if (!c->iban)
            return yt_fail(d, m, "coupon: missing required key 'iban' (the bank's account "
                           "EUR payments go to, for the EPC QR; or sepa: false)");
        if (!coupon_iban_ok(c->iban))
            return yt_fail(d, yt_get(m, "iban"), "'coupon.iban' '%s' is not a valid IBAN "
                           "(upper-case, no spaces, mod-97 check)", c->iban);
        if (!c->bic)
            return yt_fail(d, m, "coupon: missing required key 'bic' (for the EPC QR; or "
                           "sepa: false)");
        if (!bic_ok(c->bic))
            return yt_fail(d, yt_get(m, "bic"), "'coupon.bic' '%s' is not a BIC (8 or 11 "
                           "characters, upper-case)", c->bic);
    }
    size_t bad;
    if (!url_template_ok(c->pay_url, &bad))
        return yt_fail(d, yt_get(m, "pay_url"), "'coupon.pay_url': unknown placeholder at "
                       "offset %zu (known: {account} {amount} {currency} {household})", bad);
    if (strncmp(c->pay_url, "https://", 8) && strncmp(c->pay_url, "http://", 7))
        return yt_fail(d, yt_get(m, "pay_url"), "'coupon.pay_url' must start with https:// "
                       "or http://");
    for (int k = 0; k < c->n_products; k++)
        if (layout_product_find(L, c->products[k]) < 0)
            return yt_fail(d, yt_get(m, "products"), "'coupon.products': unknown product "
                           "'%s' (not in products:)", c->products[k]);
    /* geometry */
    c->cut_y = L->page_h - FOLIO_COUPON_H_UNITS;
    if (c->cut_y - 240 <= L->body_top_first + 1440)
        return yt_fail(d, m, "coupon: the page is too short for a 3.5 in coupon under the "
                       "body of page 1 (body.first_page_top)");
    if (!read_window(d, m, L, c))          /* issue 13 leftover */
        return false;
    int as = c->address_style;
    int32_t wx0 = c->win_x + WIN_CLEAR, wx1 = c->win_x + c->win_w - WIN_CLEAR;
    int32_t wy0 = L->page_h - c->win_bottom - c->win_h + WIN_CLEAR;
    int32_t wy1 = L->page_h - c->win_bottom - WIN_CLEAR;
    int32_t last = wy0 + ascent(L, as) + (c->n_address - 1) * L->styles[as].leading;
    if (last + descent(L, as) > wy1)
        return yt_fail(d, yt_get(m, "remittance_address"), "'coupon.remittance_address': "
                       "%d lines in style '%s' do not fit %s (%d pt tall "
                       "inside its 1/8 in clearance)", c->n_address, L->styles[as].name,
                       c->win_name, (wy1 - wy0) / PT);
    for (int k = 0; k < c->n_address; k++)
        if (wx0 + text_w(L, as, c->address[k]) > wx1)
            return yt_fail(d, yt_get(m, "remittance_address"), "'coupon.remittance_address': "
                           "line %d is wider than %s (%d pt)", k + 1, c->win_name,
                           (wx1 - wx0) / PT);
    return true;
}

bool coupon_wants(const folio_layout *L, const char *product)
{
    const folio_coupon *c = L ? L->coupon : NULL;
    for (int k = 0; c && product && k < c->n_products; k++)
        if (!strcmp(c->products[k], product))
            return true;
    return false;
}

int32_t coupon_body_bottom(const folio_layout *L)
{
    int32_t b = L->coupon->cut_y - 240;   /* 12 pt above the cut line */
    return b < L->body_bottom ? b : L->body_bottom;
}

/* ---- scan line and payload ----------------------------------------------------- */

int coupon_luhn(const char *digits)
{
    size_t n = strlen(digits);
    unsigned sum = 0;
    for (size_t i = 0; i < n; i++) {
        char ch = digits[n - 1 - i];
        if (ch < '0' || ch > '9')
            return -1;
        unsigned v = (unsigned)(ch - '0');
        if (i % 2 == 0) {                  /* the rightmost, then every second */
            v *= 2;
            if (v > 9)
                v -= 9;
        }
        sum += v;
    }
    return (int)((10 - sum % 10) % 10);
}

bool coupon_scan_line(const char *account_id, folio_money amount, folio_money minimum,
                      char *out, size_t cap)
{
    char ref[64], dig[192];
    size_t r = 0, k = 0;
    for (const char *p = account_id; *p; p++) {
        char ch = *p;
        if (ch >= 'a' && ch <= 'z')
            ch = (char)(ch - 'a' + 'A');
        if (!((ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9')))
            continue;
        if (r + 1 >= sizeof ref)
            return false;
        ref[r++] = ch;
        if (ch >= 'A') {
            dig[k++] = (char)('0' + (ch - 'A' + 10) / 10);
            dig[k++] = (char)('0' + (ch - 'A' + 10) % 10);
        } else {
            dig[k++] = ch;
        }
    }
    ref[r] = 0;
    if (!r || amount < 0 || minimum < 0 || amount > 9999999999LL || minimum > 9999999999LL)
        return false;
    int n = snprintf(dig + k, sizeof dig - k, "%010lld%010lld", (long long)amount,
                     (long long)minimum);
    if (n != 20)
        return false;
    int c = coupon_luhn(dig);
    n = snprintf(out, cap, "%s %010lld %010lld %d", ref, (long long)amount,
                 (long long)minimum, c);
    return n > 0 && (size_t)n < cap;
}

/* m minor units with md digits as "123.45" (no grouping). */
static void decimal(folio_money m, int md, char *buf, size_t cap)
{
    long long p = 1;
    if (md > 6)
        md = 6;
    for (int i = 0; i < md; i++)
        p *= 10;
    int n = md <= 0 ? snprintf(buf, cap, "%lld", (long long)m)
                    : snprintf(buf, cap, "%lld.%0*lld", (long long)(m / p), md, (long long)(m % p));
    if (n < 0 || (size_t)n >= cap)
        buf[0] = 0;
}

static bool put(char *out, size_t cap, size_t *n, const char *s, bool enc)
{
    static const char hex[] = "0123456789ABCDEF";
    for (; *s; s++) {
        unsigned char ch = (unsigned char)*s;
        bool keep = !enc || (ch >= 'A' && ch <= 'Z') || (ch >= 'a' && ch <= 'z') ||
                    (ch >= '0' && ch <= '9') || ch == '-' || ch == '.' || ch == '_' || ch == '~';
        if (*n + 4 >= cap)
            return false;
        if (keep) {
            out[(*n)++] = (char)ch;
        } else {
            out[(*n)++] = '%';
            out[(*n)++] = hex[ch >> 4];
            out[(*n)++] = hex[ch & 15];
        }
    }
    out[*n] = 0;
    return true;
}

/* c->pay_url with its placeholders filled in, percent-encoded. */
static bool pay_url_expand(const folio_coupon *c, const folio_coupon_data *d, const char *amt,
                           char *out, size_t cap)
{
    size_t n = 0;
    out[0] = 0;
    for (const char *p = c->pay_url; *p; p++) {
        if (*p == '{') {
            const char *e = strchr(p, '}');
            size_t k = (size_t)(e - p - 1);
            const char *v = !strncmp(p + 1, "account", k) && k == 7   ? d->account_id
                            : !strncmp(p + 1, "amount", k) && k == 6  ? amt
                            : !strncmp(p + 1, "currency", k) && k == 8 ? d->currency
                                                                       : d->household_id;
            if (!put(out, cap, &n, v, true))
                return false;
            p = e;
            continue;
        }
        char one[2] = {*p, 0};
        if (!put(out, cap, &n, one, false))
            return false;
    }
    return true;
}

bool coupon_payload(const folio_coupon *c, const folio_coupon_data *d, char *out, size_t cap,
                    char *why, size_t why_cap)
{
    char amt[40];
    decimal(d->amount_due, d->minor_digits, amt, sizeof amt);
    if (c->sepa && !strcmp(d->currency, "EUR")) {
        /* EPC069-12 version 002: one element per line, LF-separated */
        if (d->minor_digits != 2 || d->amount_due > 99999999999LL) {
            snprintf(why, why_cap, "amount due %s EUR cannot go in an EPC QR (0.01 to "
                     "999999999.99)", amt);
            return false;
        }
        if (strlen(d->account_id) > 120) {
            snprintf(why, why_cap, "account id longer than the EPC remittance text allows");
            return false;
        }
        int n = snprintf(out, cap, "BCD\n002\n1\nSCT\n%s\n%s\n%s\n%s%s\n\n\nAccount %s",
                         c->bic, c->payee, c->iban, d->amount_due > 0 ? "EUR" : "",
                         d->amount_due > 0 ? amt : "", d->account_id);
        if (n < 0 || (size_t)n >= cap || n > 331) {
            snprintf(why, why_cap, "EPC QR payload over 331 bytes");
            return false;
        }
        return true;
    }
    if (pay_url_expand(c, d, amt, out, cap))
        return true;
    snprintf(why, why_cap, "payment URL too long for the QR code");
    return false;
}

/* ---- drawing ----------------------------------------------------------------- */

static bool text(const folio_layout *L, folio_dl_statement *st, int s, int32_t x, int32_t y,
                 const char *t)
{
    const folio_style *sy = &L->styles[s];
    return dlist_page_add_text(st, &st->pages[0], (uint8_t)sy->font, sy->size, x, y, sy->color,
                               t, strlen(t), true);
}

static bool zmod(const struct zint_symbol *s, int row, int col)
{
    return (s->encoded_data[row][col >> 3] >> (col & 7)) & 1;
}

bool coupon_draw(const folio_layout *L, folio_dl_statement *st, const folio_coupon_data *d,
                 char *why, size_t cap)
{
    const folio_coupon *c = L->coupon;
    if (!c || !st->n_pages)
        return true;
    folio_dl_page *pg = &st->pages[0];
    int32_t cut = c->cut_y, left = L->margin_left, right = L->page_w - L->margin_right;
    char scan[160], payload[1024];
    if (!coupon_scan_line(d->account_id, d->amount_due, d->minimum_due, scan, sizeof scan)) {
        snprintf(why, cap, "account %s: no scan line (the id needs a letter or digit, amounts "
                 "at most 10 digits of minor units)", d->account_id);
        return false;
    }
    if (!coupon_payload(c, d, payload, sizeof payload, why, cap))
        return false;
    /* the cut line: dashes across the page between the margins */
    for (int32_t x = left; x < right; x += CUT_DASH + CUT_GAP) {
        int32_t x2 = x + CUT_DASH < right ? x + CUT_DASH : right;
        if (!dlist_page_add_rule(st, pg, x, cut, x2, cut, 10, 0x555555u))
            goto oom;
    }
    int32_t vx = left + VALUE_RIGHT;
    const char *labels[4] = {c->l_account, c->l_amount, c->l_minimum, c->l_due};
    const char *values[4] = {d->account_text, d->amount_text, d->minimum_text, d->due_text};
    if (!text(L, st, c->style, left, cut + 14 * PT, c->note) ||
        !text(L, st, c->label_style, left, cut + ROWS_TOP + 4 * PT, c->title))
        goto oom;
    for (int k = 0; k < 4; k++) {
        int32_t y = cut + ROWS_TOP + (k + 1) * ROW_STEP + 4 * PT;
        if (!text(L, st, c->label_style, left, y, labels[k]) ||
            !text(L, st, c->style, vx - text_w(L, c->style, values[k]), y, values[k]))
            goto oom;
    }
    if (!text(L, st, c->scan_style, left, cut + SCAN_Y, scan))
        goto oom;
    int as = c->address_style;
    int32_t ay = L->page_h - c->win_bottom - c->win_h + WIN_CLEAR + ascent(L, as);
    for (int k = 0; k < c->n_address; k++)
        if (!text(L, st, as, c->win_x + WIN_CLEAR, ay + k * L->styles[as].leading, c->address[k]))
            goto oom;

    struct zint_symbol *s = ZBarcode_Create();
    if (!s)
        goto oom;
    s->symbology = BARCODE_QRCODE;
    s->input_mode = DATA_MODE;
    s->option_1 = 2;                       /* error correction level M */
    int rc = ZBarcode_Encode(s, (const unsigned char *)payload, (int)strlen(payload));
    if (rc >= ZINT_ERROR || s->rows != s->width || s->width <= 0) {
        snprintf(why, cap, "libzint could not encode the QR payload: %s", s->errtxt);
        ZBarcode_Delete(s);
        return false;
    }
    int n = s->width;
    int32_t mod = QR_MAX / (n + 8);
    if (mod < QR_MIN_MODULE) {
        snprintf(why, cap, "the QR code (%d modules) does not fit 120 pt with modules of "
                 "1.5 pt or more: payload too long", n);
        ZBarcode_Delete(s);
        return false;
    }
    int32_t qx = right - (n + 4) * mod, qy = cut + QR_TOP + 4 * mod;
    bool ok = true;
    for (int r = 0; r < n && ok; r++) {
        int col = 0;
        while (col < n && ok) {
            if (!zmod(s, r, col)) {
                col++;
                continue;
            }
            int c0 = col;
            while (col < n && zmod(s, r, col))
                col++;
            ok = dlist_page_add_box(st, &st->pages[0], qx + c0 * mod, qy + r * mod,
                                    (col - c0) * mod, mod, 0x000000u, 0, 0);
        }
    }
    ZBarcode_Delete(s);
    /* issue 13 part 4: "pay now": the QR code links to the payment URL in
     * e-delivered copies (print files ignore links) */
    char amt[40];
    decimal(d->amount_due, d->minor_digits, amt, sizeof amt);
    if (ok && pay_url_expand(c, d, amt, payload, sizeof payload))
        ok = dlist_statement_add_link(st, 0, qx, qy, n * mod, n * mod, payload, strlen(payload));
    if (ok)
        return true;
oom:
    snprintf(why, cap, "out of memory drawing the payment coupon");
    return false;
}
