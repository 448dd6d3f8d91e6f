/* SPDX-License-Identifier: Apache-2.0 */
/*
 * currency.c -- ISO 4217 codes and minor digits; money formatted per
 * currency (folio/currency.h).  Every amount printed on a statement goes
 * through currency_format().
 */
#include "folio/currency.h"
#include "folio/feed.h"
#include "folio/job.h"
#include "folio/layout.h"
#include "feed-private.h"   /* round 26: the load's trims */
#include "yamltree.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Active ISO 4217 codes (list one, 2024) with their minor digits. */
static const char ISO4217[] =
    "AED2AFN2ALL2AMD2ANG2AOA2ARS2AUD2AWG2AZN2BAM2BBD2BDT2BGN2BHD3BIF0BMD2BND2BOB2BOV2"
    "BRL2BSD2BTN2BWP2BYN2BZD2CAD2CDF2CHE2CHF2CHW2CLF4CLP0CNY2COP2COU2CRC2CUC2CUP2CVE2"
    "CZK2DJF0DKK2DOP2DZD2EGP2ERN2ETB2EUR2FJD2FKP2GBP2GEL2GHS2GIP2GMD2GNF0GTQ2GYD2HKD2"
    "HNL2HTG2HUF2IDR2ILS2INR2IQD3IRR2ISK0JMD2JOD3JPY0KES2KGS2KHR2KMF0KPW2KRW0KWD3KYD2"
    "KZT2LAK2LBP2LKR2LRD2LSL2LYD3MAD2MDL2MGA2MKD2MMK2MNT2MOP2MRU2MUR2MVR2MWK2MXN2MXV2"
    "MYR2MZN2NAD2NGN2NIO2NOK2NPR2NZD2OMR3PAB2PEN2PGK2PHP2PKR2PLN2PYG0QAR2RON2RSD2RUB2"
    "RWF0SAR2SBD2SCR2SDG2SEK2SGD2SHP2SLE2SLL2SOS2SRD2SSP2STN2SVC2SYP2SZL2THB2TJS2TMT2"
    "TND3TOP2TRY2TTD2TWD2TZS2UAH2UGX0USD2USN2UYI0UYU2UYW4UZS2VED2VES2VND0VUV0WST2XAF0"
    "XCD2XOF0XPF0YER2ZAR2ZMW2ZWL2";

int currency_minor_digits_n(const char *code, size_t n)
{
    if (n != 3)
        return -1;
    for (const char *p = ISO4217; *p; p += 4)
        if (p[0] == code[0] && p[1] == code[1] && p[2] == code[2])
            return p[3] - '0';
    return -1;
}

int currency_minor_digits(const char *code)
{
    return code ? currency_minor_digits_n(code, strlen(code)) : -1;
}

/* Built-in styles: the usual way each currency is printed in its home
 * market.  Symbols outside Latin-1 (€ is one) may be missing from an AFP
 * code page: the AFP writer substitutes and counts them (docs/afp.md). */
static const folio_currency_style BUILTIN[] = {
    {"USD", "$", false, false, '.', ','},
    {"EUR", "\xE2\x82\xAC", true, true, ',', '.'},
    {"GBP", "\xC2\xA3", false, false, '.', ','},
    {"CHF", "CHF", false, true, '.', '\''},
    {"CZK", "K\xC4\x8D", true, true, ',', ' '},
    {"PLN", "z\xC5\x82", true, true, ',', ' '},
    {"HUF", "Ft", true, true, ',', ' '},
    {"SEK", "kr", true, true, ',', ' '},
    {"NOK", "kr", true, true, ',', ' '},
    {"DKK", "kr.", true, true, ',', '.'},
    {"JPY", "\xC2\xA5", false, false, '.', ','},
    {"CAD", "CA$", false, false, '.', ','},
    {"AUD", "A$", false, false, '.', ','},
};
#define N_BUILTIN ((int)(sizeof BUILTIN / sizeof BUILTIN[0]))

static const folio_currency_style *builtin(const char *code)
{
    for (int i = 0; i < N_BUILTIN; i++)
        if (!strcmp(BUILTIN[i].code, code))
            return &BUILTIN[i];
    return NULL;
}

/* The style of `code` in L: the layout's currencies: entry, else format.money
 * for USD, else the built-in, else the code after the amount. */
static folio_currency_style style_of(const folio_layout *L, const char *code)
{
    for (int i = 0; L && i < L->n_currencies; i++)
        if (!strcmp(L->currencies[i].code, code))
            return L->currencies[i];
    if (L && !strcmp(code, "USD"))
        return (folio_currency_style){"USD", L->currency_symbol ? L->currency_symbol : "",
                                      false, false, L->money_decimal ? L->money_decimal : '.',
                                      L->money_group};
    const folio_currency_style *b = builtin(code);
    if (b)
        return *b;
    folio_currency_style s = {"", (char *)code, true, true, '.', ','};
    return s;
}

/* Append s[0..n) to buf at *at, keeping room for the terminating NUL. */
static void cat(char *buf, size_t cap, size_t *at, const char *s, size_t n)
{
    if (*at + n >= cap)
        n = cap - 1 - *at;
    memcpy(buf + *at, s, n);
    *at += n;
}

/* issue 11 (r-page): the amount and its symbol joined by hand, not by
 * snprintf (~640 instructions an amount, ~3% of a print run's). */
size_t currency_format(const folio_layout *L, const char *code, folio_money m,
                       int minor_digits, bool with_symbol, char *buf, size_t cap)
{
    if (cap == 0)
        return 0;
    if (!code || !*code)
        code = "USD";
    folio_currency_style st = style_of(L, code);
    int md = minor_digits >= 0 ? minor_digits : currency_minor_digits(code);
    if (md < 0)
        md = 2;
    char num[48];
    size_t nl = folio_money_format(m, md, st.decimal, st.group, num, sizeof num);
    const char *sym = st.symbol ? st.symbol : "";
    size_t at = 0;
    if (!with_symbol || !*sym) {
        cat(buf, cap, &at, num, nl);
    } else {
        size_t sl = strlen(sym), spl = st.space ? 1 : 0;
        if (st.after) {
            cat(buf, cap, &at, num, nl);
            cat(buf, cap, &at, " ", spl);
            cat(buf, cap, &at, sym, sl);
        } else {
            const char *n0 = num;
            if (m < 0) {
                cat(buf, cap, &at, "-", 1);
                n0++;
                nl--;
            }
            cat(buf, cap, &at, sym, sl);
            cat(buf, cap, &at, " ", spl);
            cat(buf, cap, &at, n0, nl);
        }
    }
    buf[at] = 0;
    return at;
}

#define CURRENCY_SYMBOL_MAX 16     /* bytes: amount + symbol stay under 64 */

static const char *const STYLE_KEYS[] = { "symbol", "position", "space", "decimal", "group",
                                           NULL };
static const char *const POSITIONS[] = { "before", "after", NULL };

bool currency_styles_read(yt_doc *d, const yt_node *root, folio_layout *L)
{
    const yt_node *cs = yt_child(d, root, "", "currencies", false);
    if (!cs)
        return !d->err->code;
    if (!yt_expect_map(d, cs, "currencies"))
        return false;
    L->currencies = calloc((size_t)cs->n + 1, sizeof *L->currencies);
    if (!L->currencies) {
        folio_error_set(d->err, FOLIO_EXIT_FAILED, "%s: out of memory", d->path);
        return false;
    }
    for (int i = 0; i < cs->n; i++) {
        const yt_node *k = cs->keys[i], *v = cs->items[i];
        char where[64];
        snprintf(where, sizeof where, "currencies.%.8s", k->str);
        if (currency_minor_digits(k->str) < 0)
            return yt_fail(d, k, "'currencies': '%.40s' is not an ISO 4217 currency code "
                           "(USD, EUR, CZK, ...)", k->str);
        for (int j = 0; j < i; j++)
            if (!strcmp(L->currencies[j].code, k->str))
                return yt_fail(d, k, "'currencies': '%s' is given twice", k->str);
        if (!yt_expect_map(d, v, where) || !yt_check_keys(d, v, where, STYLE_KEYS))
            return false;
        folio_currency_style *s = &L->currencies[i];
        const folio_currency_style *b = builtin(k->str);
        folio_currency_style def = b ? *b : (folio_currency_style){"", (char *)k->str, true,
                                                                   true, '.', ','};
        memcpy(s->code, k->str, 4);
        L->n_currencies = i + 1;           /* freed from here on */
        int pos = def.after ? 1 : 0;
        char *sym = NULL;
        if (yt_str(d, v, where, "symbol", false, &sym) < 0)
            return false;
        s->symbol = sym ? sym : strdup(def.symbol);
        if (!s->symbol) {
            folio_error_set(d->err, FOLIO_EXIT_FAILED, "%s: out of memory", d->path);
            return false;
        }
        if (strlen(s->symbol) > CURRENCY_SYMBOL_MAX)   /* an amount is never cut */
            return yt_fail(d, yt_get(v, "symbol"), "'%s.symbol' is %zu bytes long: at most %d",
                           where, strlen(s->symbol), CURRENCY_SYMBOL_MAX);
        s->space = def.space;
        s->decimal = def.decimal;
        s->group = def.group;
        if (yt_enum(d, v, where, "position", false, POSITIONS, &pos) < 0 ||
            yt_bool(d, v, where, "space", false, &s->space) < 0 ||
            yt_char(d, v, where, "decimal", false, ".,", false, &s->decimal) < 0)
            return false;
        s->after = pos == 1;
        const yt_node *g = yt_get(v, "group");
        if (g && g->kind == YT_SCALAR && !strcmp(g->str, "none"))
            s->group = 0;
        else if (yt_char(d, v, where, "group", false, ".,' ", true, &s->group) < 0)
            return false;
        if (s->group && s->group == s->decimal)
            return yt_fail(d, g ? g : v, "'%s.group' is the same character as its decimal "
                           "mark", where);
    }
    return true;
}

void currency_styles_free(folio_currency_style *v, int n)
{
    for (int i = 0; v && i < n; i++)
        free(v[i].symbol);
    free(v);
}

bool currency_check_scales(const folio_job *job, const folio_dataset *ds, folio_error *err)
{
    /* issue 12 (round 26): every feed with one scale: no row can differ,
     * and the pass over the table (3.3 GB at 1,000,000 households) is saved */
    bool mixed = false;
    for (int f = 1; f < job->n_feeds && !mixed; f++)
        mixed = job->feeds[f].minor_digits != job->feeds[0].minor_digits;
    for (size_t i = 0; mixed && i < ds->n_txns; i++) {
        feed_tick_at(ds->pool, i, FEED_TICK_ROWS);   /* a spilled table, in order */
        const folio_txn *t = &ds->txns[i];
        if (t->account >= ds->n_accounts || t->feed >= job->n_feeds)
            continue;
        const folio_account *a = &ds->accounts[t->account];
        if (a->feed >= job->n_feeds)
            continue;
        const folio_feed_def *tf = &job->feeds[t->feed], *af = &job->feeds[a->feed];
        if (tf->minor_digits == af->minor_digits)
            continue;
        folio_error_set(err, FOLIO_EXIT_USAGE,
                        "%s:%d: feed '%s' reads amounts with %d decimals, but its row at %s "
                        "line %u posts to account '%s' (%s) of feed '%s', read with %d: give "
                        "both feeds the same dialect.currency or dialect.minor_digits",
                        job->path ? job->path : "job", tf->line, tf->name, tf->minor_digits,
                        tf->path, t->line, a->id, a->currency, af->name, af->minor_digits);
        return false;
    }
    return true;
}
