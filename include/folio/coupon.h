/* SPDX-License-Identifier: Apache-2.0 */
/*
 * folio/coupon.h -- issue 13 part 3: the payment coupon, a detachable
 * remittance slip at the foot of page 1 of a statement that holds a card or
 * loan account (the layout's `coupon:` section, docs/coupon.md).
 *
 * The coupon is drawn as display-list ops only (TEXT, RULE, BOX): the QR
 * code's dark modules are filled boxes, so the PDF and AFP writers need
 * nothing new.  Its geometry is fixed relative to the bottom of the page
 * (docs/coupon.md has the figure):
 *
 *   page_h - 3.5 in   dashed cut line (the coupon is 3.5 in tall, it fits a
 *                     #9 remittance envelope, 3 7/8 x 8 7/8 in)
 *   fields            account number, amount due, minimum due, due date
 *   QR code           right, top 20 pt under the cut line, at most 120 pt
 *   scan line         OCR-style line with a Luhn mod-10 check digit
 *   remittance        the bank's remittance address, inside the envelope
 *                     window with 1/8 in clearance: by default a #9's
 *                     (4.5 x 1.125 in, 7/8 in from the left, 5/8 in from the
 *                     bottom edge), or the layout's coupon.window
 *
 * Lifetime: the struct belongs to its layout (layout_free frees it).
 */
#ifndef FOLIO_COUPON_H
#define FOLIO_COUPON_H

#include "folio/common.h"
#include "folio/dlist.h"

struct folio_layout;
struct yt_doc;
struct yt_node;

#define FOLIO_COUPON_H_UNITS 5040     /* 3.5 in: cut line to the page's bottom edge */

typedef struct folio_coupon {
    char **products; int n_products;  /* product codes that get a coupon */
    int style, label_style, scan_style, address_style;  /* layout->styles */
    char *payee;                      /* beneficiary name (EPC line 6) */
    char **address; int n_address;    /* remittance address lines */
    char *iban, *bic;                 /* the bank's collection account (EPC) */
    bool sepa;                        /* EUR accounts get an EPC QR (default true) */
    char *pay_url;                    /* URL template for the other accounts */
    char *title, *note;               /* texts above the fields */
    char *l_account, *l_amount, *l_minimum, *l_due;  /* field labels */
    int32_t cut_y;                    /* units: y of the cut line */
    /* issue 13 leftover: the return envelope's window (coupon.window; the
     * default is a #9 envelope's, docs/coupon.md): units from the page's
     * left and bottom edges; win_name names it in messages */
    int32_t win_x, win_bottom, win_w, win_h;
    const char *win_name;
} folio_coupon;

/* Read root.coupon into L->coupon (absent: NULL).  Styles and page must
 * already be read.  false with the doc's error set on a bad value: an
 * unknown key or style, a missing payee, address or pay_url, a missing or
 * invalid IBAN (mod 97) / BIC while sepa is on, an address that does not fit
 * the envelope window. */
/* issue 13 leftover: `text` reads a text key of `map` that may be a map
 * {language: text} for the language being loaded (the layout's reader:
 * fallback and missing-text warnings as for every layout text); `def` when
 * absent.  false with the doc's error set. */
typedef bool (*folio_coupon_text_fn)(void *ctx, const struct yt_node *map, const char *where,
                                     const char *key, const char *def, char **out);
bool coupon_layout_read(struct yt_doc *d, const struct yt_node *root,
                        struct folio_layout *L, folio_coupon_text_fn text, void *tctx);
void coupon_free(folio_coupon *c);

/* Does the layout give accounts of product `product` a coupon? */
bool coupon_wants(const struct folio_layout *L, const char *product);

/* Where the body of page 1 must end when the statement has a coupon. */
int32_t coupon_body_bottom(const struct folio_layout *L);

/* The values one coupon prints, formatted by compose. */
typedef struct folio_coupon_data {
    const char *household_id;
    const char *account_id;           /* full id (scan line, payload) */
    const char *account_text;         /* as printed (masked or full) */
    const char *currency;             /* ISO 4217 */
    int minor_digits;                 /* of the amounts below */
    folio_money amount_due, minimum_due;   /* >= 0 */
    const char *amount_text, *minimum_text, *due_text;
} folio_coupon_data;

/* Draw the coupon on page 1 of st.  false with why set (a reason, no
 * "household" prefix) when it cannot be represented. */
bool coupon_draw(const struct folio_layout *L, folio_dl_statement *st,
                 const folio_coupon_data *d, char *why, size_t cap);

/* ---- pieces, exposed for tests -------------------------------------------- */

/* Luhn mod-10 check digit of a string of decimal digits ('0'..'9' only):
 * from the rightmost digit leftwards, every second digit starting with the
 * rightmost is doubled (minus 9 when over 9); the check digit makes the sum
 * a multiple of 10.  -1 on a non-digit. */
int coupon_luhn(const char *digits);

/* The scan line "REF AMOUNT MINIMUM C": REF the account id's letters and
 * digits upper-cased (other characters dropped), AMOUNT and MINIMUM ten-digit
 * counts of minor units, C coupon_luhn of REF (letters as two digits,
 * A=10 .. Z=35) + AMOUNT + MINIMUM.  false when it does not fit. */
bool coupon_scan_line(const char *account_id, folio_money amount, folio_money minimum,
                      char *out, size_t cap);

/* The QR payload: an EPC069-12 (GiroCode) SEPA credit transfer for EUR
 * when sepa is on, else the expanded pay_url.  false with why on a value
 * the format cannot carry. */
bool coupon_payload(const folio_coupon *c, const folio_coupon_data *d, char *out,
                    size_t cap, char *why, size_t why_cap);

/* IBAN check (ISO 13616: 15-34 characters, mod 97 == 1). */
bool coupon_iban_ok(const char *iban);

#endif
