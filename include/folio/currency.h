/* SPDX-License-Identifier: Apache-2.0 */
/*
 * folio/currency.h -- currencies: the ISO 4217 table and the one money
 * formatter every printed amount goes through (issue 10 part 6).
 *
 * Every account has a currency (its feed's `currency` column, else the
 * feed's dialect.currency, else bank.currency), checked against the ISO 4217
 * table at load (an unknown code is a reject).  The layout styles money per
 * currency: `currencies: {EUR: {symbol: "€", position: after, space: true,
 * decimal: ",", group: "."}}`; a currency the map does not list takes
 * folio's built-in style for it (USD $1,234.56, EUR 1.234,56 €, CZK
 * 1 234,50 Kč, ...), and one without a built-in style prints its code after
 * the amount ("1,234.500 KWD").  The layout's older `format.money` keys style
 * USD (what they always printed).
 */
#ifndef FOLIO_CURRENCY_H
#define FOLIO_CURRENCY_H

#include "folio/common.h"

struct folio_layout;
struct yt_doc;
struct yt_node;

typedef struct folio_currency_style {
    char code[4];                 /* ISO 4217 */
    char *symbol;                 /* printed with the amount; "" = none */
    bool after;                   /* symbol after the amount */
    bool space;                   /* a space between amount and symbol */
    char decimal, group;          /* marks; group 0 = none */
} folio_currency_style;

/* Minor digits of an ISO 4217 code (2 for EUR, 0 for JPY, 3 for KWD); -1 if
 * the code is not in the table. */
int currency_minor_digits(const char *code);
int currency_minor_digits_n(const char *code, size_t n);

/* Format amount m, held in units of 10^-minor_digits (-1: the currency's
 * own minor unit), the way layout L styles `code`; with_symbol false gives
 * the number alone (table cells).  NUL-terminated, returns the length; cap
 * 64 is always enough. */
size_t currency_format(const struct folio_layout *L, const char *code, folio_money m,
                       int minor_digits, bool with_symbol, char *buf, size_t cap);

/* The layout's `currencies:` map (top level), read into L; false on a
 * layout error (yt_fail). */
bool currency_styles_read(struct yt_doc *d, const struct yt_node *root,
                          struct folio_layout *L);
void currency_styles_free(folio_currency_style *v, int n);

struct folio_job;
struct folio_dataset;
/* Every transaction's amount must be in the minor unit of its account's:
 * a transactions feed read with other minor_digits than the accounts feed
 * of an account it posts to would add cents to yen.  False with err
 * (FOLIO_EXIT_USAGE, naming both feeds and the first such row). */
bool currency_check_scales(const struct folio_job *job, const struct folio_dataset *ds,
                           folio_error *err);

#endif
