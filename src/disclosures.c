/* SPDX-License-Identifier: Apache-2.0 */
/*
 * disclosures.c -- disclosure sections computed by folio (issue 14 part 1;
 * interface include/folio/disclosures.h, formulas docs/disclosures.md).
 *
 * Three parts:
 *   arithmetic   exact integer money (int64 minor units, 128-bit products,
 *                half-away-from-zero rounding), the minimum-payment
 *                amortisation, the 36-month payment, the APY earned;
 *   reading      the layout's `disclosures:` key: per product, a list of
 *                sections, each with the inputs its kind needs (the table
 *                SPECS below), checked when the layout loads;
 *   computing    one section of one account into rows of text (folio_disc_out)
 *                that compose.c draws like a table.
 *
 * Every input of a kind is declared in SPECS: its key, its type and whether
 * it is required.  The reader and the computer both index inputs by their
 * position in that table, so a kind's inputs are named once.
 */
#include "folio/disclosures.h"

#include "folio/attrs.h"
#include "folio/feed.h"
#include "folio/job.h"
#include "folio/layout.h"
#include "folio/paragraphs.h"
#include "yamltree.h"
#include "disc-labels.h"              /* issue 14 part 1, round 24: labels by language */

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- arithmetic ---------------------------------------------------------------- */

int64_t disclosures_round_div(__int128 n, __int128 d)
{
    __int128 q = n / d, r = n % d;
    if (r < 0)
        r = -r;
    if (2 * r >= d)
        q += n < 0 ? -1 : 1;
    return (int64_t)q;
}

/* 100 (percent) x 10^4 (rate scale) */
#define RATE_DEN ((__int128)100 * FOLIO_DISC_RATE_SCALE)

folio_money disclosures_monthly_interest(folio_money balance, int64_t apr)
{
    return disclosures_round_div((__int128)balance * apr, RATE_DEN * 12);
}

folio_money disclosures_daily_interest(folio_money balance, int64_t apr, int days)
{
    return disclosures_round_div((__int128)balance * apr * days, RATE_DEN * 365);
}

folio_money disclosures_min_payment(const folio_minpay *f, folio_money balance,
                                    folio_money interest)
{
    __int128 m = disclosures_round_div((__int128)balance * f->percent, RATE_DEN);
    if (f->plus_interest)
        m += interest;
    if (m < f->floor)
        m = f->floor;
    if (m > (__int128)balance + interest)
        m = (__int128)balance + interest;
    return (folio_money)m;
}

bool disclosures_payoff_minimum(folio_money balance, int64_t apr, const folio_minpay *f,
                                int *months, folio_money *total, bool *overflow)
{
    __int128 bal = balance, tot = 0;
    *overflow = false;
    *months = 0;
    *total = 0;
    if (balance > FOLIO_DISC_MAX_BALANCE) {
        *overflow = true;
        return false;
    }
    int m = 0;
    while (bal > 0) {
        if (m == FOLIO_DISC_MAX_MONTHS)
            return false;
        folio_money i = disclosures_monthly_interest((folio_money)bal, apr);
        folio_money p = disclosures_min_payment(f, (folio_money)bal, i);
        if (p <= i)
            return false;                /* the balance never goes down */
        bal = bal + i - p;
        tot += p;
        m++;
        if (tot > INT64_MAX) {
            *overflow = true;
            return false;
        }
    }
    *months = m;
    *total = (folio_money)tot;
    return true;
}

/* Pay `p` each month (the rest in the last): months to zero, at most cap. */
static int pay_fixed(folio_money balance, int64_t apr, folio_money p, int cap,
                     __int128 *total)
{
    __int128 bal = balance, tot = 0;
    int m = 0;
    while (bal > 0 && m < cap) {
        if (bal > FOLIO_DISC_MAX_BALANCE) {    /* growing: never within cap */
            *total = tot;
            return cap + 1;
        }
        folio_money i = disclosures_monthly_interest((folio_money)bal, apr);
        __int128 pay = p < bal + i ? p : bal + i;
        bal = bal + i - pay;
        tot += pay;
        m++;
    }
    *total = tot;
    return bal > 0 ? cap + 1 : m;
}

bool disclosures_payment_for_months(folio_money balance, int64_t apr, int n_months,
                                    folio_money *payment, folio_money *total)
{
    if (balance <= 0 || n_months <= 0 || balance > FOLIO_DISC_MAX_BALANCE)
        return false;
    /* lo never pays off in time, hi always does (the whole balance and one
     * month's interest at once) */
    folio_money lo = 0, hi = balance + disclosures_monthly_interest(balance, apr);
    while (hi - lo > 1) {
        folio_money mid = lo + (hi - lo) / 2;
        __int128 t;
        if (pay_fixed(balance, apr, mid, n_months, &t) <= n_months)
            hi = mid;
        else
            lo = mid;
    }
    __int128 t;
    if (pay_fixed(balance, apr, hi, n_months, &t) > n_months || t > INT64_MAX)
        return false;
    *payment = hi;
    *total = (folio_money)t;
    return true;
}

bool disclosures_apy_earned(folio_money interest, __int128 sum_balances, int days,
                            int64_t *apy_bp)
{
    *apy_bp = 0;
    if (interest == 0)
        return true;
    if (sum_balances <= 0 || days <= 0)
        return false;
    /* interest / average balance = interest * days / sum */
    long double x = (long double)interest * (long double)days / (long double)sum_balances;
    long double apy = 100.0L * expm1l(365.0L / (long double)days * log1pl(x));
    long double r = floorl(apy * 100.0L + 0.5L);
    if (!(r > -1e15L && r < 1e15L))
        return false;
    *apy_bp = (int64_t)r;
    return true;
}

/* ---- kinds and their inputs ------------------------------------------------------ */

typedef enum in_type {
    IT_MONEY = 1,   /* account.ATTR (money), account.minimum_due/closing_balance, constant */
    IT_RATE,        /* account.ATTR (number), account.rate, constant: percent */
    IT_DATE,        /* account.ATTR (date), account.due_date */
    IT_COUNT,       /* account.ATTR (number, whole) */
    IT_CATEGORY,    /* transaction.ATTR (string or code) */
    IT_VALUES,      /* a list of the category's values */
    IT_SERVICES,    /* map value -> label: services of a fee statement */
    IT_PARA,        /* a paragraph id of the library */
    IT_MINPAY,      /* {percent, floor, plus_interest} */
    IT_TEXT         /* a label */
} in_type;

typedef struct in_spec {
    const char *key;
    in_type type;
    bool required;
} in_spec;

#define MAX_INPUTS 20

static const char *const KIND_NAMES[FOLIO_DISC__COUNT + 1] = {
    "deposit_fees", "deposit_interest", "card_payment", "card_minimum_warning",
    "card_interest", "card_totals", "loan_payment", "loan_delinquency", "eu_fees", NULL };

/* Titles and labels: disc-labels.c (round 24: per language). */

/* Input positions, per kind (indexes into SPECS[kind]). */
enum { DF_CAT, DF_OD, DF_RI, DF_OD_YTD, DF_RI_YTD };
enum { DI_CAT, DI_INT, DI_YTD };
enum { CP_MIN, CP_DUE, CP_FEE, CP_PAPR, CP_WARN };
enum { CM_APR, CM_FORMULA, CM_NEVER, CM_NOTE };
enum { CI_PAPR, CI_PBAL, CI_CAPR, CI_CBAL };
enum { CT_CAT, CT_FEES, CT_INT, CT_FEES_YTD, CT_INT_YTD };
enum { LP_PDUE, LP_IDUE, LP_EDUE, LP_FDUE, LP_CAT, LP_P, LP_I, LP_E, LP_F,
       LP_P_YTD, LP_I_YTD, LP_E_YTD, LP_F_YTD, LP_ESCROW };
enum { LD_DAYS, LD_AMOUNT, LD_NOTICE };
enum { EU_CAT, EU_FEES, EU_CREDIT, EU_DEBIT };

static const in_spec SPECS[FOLIO_DISC__COUNT][MAX_INPUTS] = {
    [FOLIO_DISC_DEPOSIT_FEES] = {
        {"category", IT_CATEGORY, true}, {"overdraft", IT_VALUES, true},
        {"returned_item", IT_VALUES, true}, {"overdraft_ytd", IT_MONEY, true},
        {"returned_item_ytd", IT_MONEY, true}},
    [FOLIO_DISC_DEPOSIT_INTEREST] = {
        {"category", IT_CATEGORY, true}, {"interest", IT_VALUES, true},
        {"interest_ytd", IT_MONEY, false}},
    [FOLIO_DISC_CARD_PAYMENT] = {
        {"minimum_due", IT_MONEY, true}, {"due_date", IT_DATE, true},
        {"late_fee", IT_MONEY, true}, {"penalty_apr", IT_RATE, true},
        {"warning", IT_PARA, true}},
    [FOLIO_DISC_CARD_MINIMUM] = {
        {"apr", IT_RATE, true}, {"minimum_payment", IT_MINPAY, true},
        {"never", IT_PARA, true}, {"note", IT_PARA, false}},
    [FOLIO_DISC_CARD_INTEREST] = {
        {"purchase_apr", IT_RATE, true}, {"purchase_balance", IT_MONEY, true},
        {"cash_apr", IT_RATE, false}, {"cash_balance", IT_MONEY, false}},
    [FOLIO_DISC_CARD_TOTALS] = {
        {"category", IT_CATEGORY, true}, {"fees", IT_VALUES, true},
        {"interest", IT_VALUES, true}, {"fees_ytd", IT_MONEY, true},
        {"interest_ytd", IT_MONEY, true}},
    [FOLIO_DISC_LOAN_PAYMENT] = {
        {"principal_due", IT_MONEY, true}, {"interest_due", IT_MONEY, true},
        {"escrow_due", IT_MONEY, true}, {"fees_due", IT_MONEY, true},
        {"category", IT_CATEGORY, true}, {"principal", IT_VALUES, true},
        {"interest", IT_VALUES, true}, {"escrow", IT_VALUES, true},
        {"fees", IT_VALUES, true}, {"principal_ytd", IT_MONEY, true},
        {"interest_ytd", IT_MONEY, true}, {"escrow_ytd", IT_MONEY, true},
        {"fees_ytd", IT_MONEY, true}, {"escrow_balance", IT_MONEY, true}},
    [FOLIO_DISC_LOAN_DELINQUENCY] = {
        {"days_past_due", IT_COUNT, true}, {"past_due_amount", IT_MONEY, true},
        {"notice", IT_PARA, true}},
    [FOLIO_DISC_EU_FEES] = {
        {"category", IT_CATEGORY, true}, {"fees", IT_SERVICES, true},
        {"credit_rate", IT_RATE, false}, {"overdraft_rate", IT_RATE, false}},
};

const char *disclosures_kind_name(folio_disc_kind k)
{
    return (unsigned)k < FOLIO_DISC__COUNT ? KIND_NAMES[k] : "";
}

/* Account fields usable as inputs. */
typedef enum builtin {
    B_NONE = 0, B_MINIMUM_DUE, B_DUE_DATE, B_RATE, B_CLOSING
} builtin;

typedef enum src_kind { S_NONE = 0, S_CONST, S_ATTR, S_BUILTIN } src_kind;

typedef struct disc_input {
    src_kind src;
    int64_t value;                /* S_CONST: money x 10^4 (minor units set at compute),
                                   * rate percent x 10^4 */
    const folio_attr_def *attr;   /* S_ATTR */
    builtin field;                /* S_BUILTIN */
    char **values;                /* IT_VALUES, IT_SERVICES: values */
    char **labels;                /* IT_SERVICES: their labels */
    int n_values;
    int para;                     /* IT_PARA: index into the library */
    folio_minpay minpay;          /* IT_MINPAY (floor x 10^4 until compute) */
    int line, col;
} disc_input;

typedef struct disc_section {
    folio_disc_kind kind;
    char *title;                  /* NULL: the kind's default */
    disc_input in[MAX_INPUTS];
    int line, col;
} disc_section;

typedef struct disc_product {
    disc_section *v;
    int n;
    int line, col;
} disc_product;

struct folio_disclosures {
    disc_product *products;       /* per layout product, n_products */
    int n_products;
    char **product_codes;         /* borrowed from the layout at read time: copied */
    folio_disc_styles styles;
    const folio_paragraphs *lib;  /* the layout's library (owned by the layout) */
    uint8_t *need;                /* issue 14 part 1 (audit): per product, the account
                                   * fields its sections read (FOLIO_NEED_* bits) */
    const folio_attr_def ***need_attrs; /* issue 14 part 1 (gaps): per product, the
                                   * account attributes its sections read (NULL-ended) */
    disc_labels labels;           /* round 24: the sections' labels per language */
};

/* ---- reading ----------------------------------------------------------------------- */

static const char *const TOP_KEYS[] = { "title_style", "header_style", "row_style",
                                        "space_after", "products", NULL };

static bool oom(yt_doc *d)
{
    folio_error_set(d->err, FOLIO_EXIT_FAILED, "%s: out of memory", d->path);
    return false;
}

static int style_of(yt_doc *d, const yt_node *m, const char *key, const folio_layout *L,
                    int dflt, int *out)
{
    const yt_node *n = yt_child(d, m, "disclosures", key, false);
    if (!n) {
        if (d->err->code)
            return -1;
        *out = dflt;
        return 0;
    }
    if (n->kind != YT_SCALAR || layout_style_find(L, n->str) < 0) {
        yt_fail(d, n, "'disclosures.%s': unknown style '%s'", key,
                n->kind == YT_SCALAR ? n->str : "");
        return -1;
    }
    *out = layout_style_find(L, n->str);
    return 1;
}

static const char *in_type_name(in_type t)
{
    switch (t) {
    case IT_MONEY: return "an amount: account.NAME (a money attribute), account.minimum_due, "
                          "account.closing_balance or a number";
    case IT_RATE: return "a rate in percent: account.NAME (a number attribute), account.rate "
                         "or a number";
    case IT_DATE: return "a date: account.NAME (a date attribute) or account.due_date";
    case IT_COUNT: return "a whole number: account.NAME (a number attribute)";
    case IT_CATEGORY: return "a transaction attribute: transaction.NAME (string or code)";
    case IT_VALUES: return "a list of the category's values";
    case IT_SERVICES: return "a map of the category's values to service names";
    case IT_PARA: return "a paragraph id of the layout's library (paragraphs.library)";
    case IT_MINPAY: return "{percent: P, floor: AMOUNT, plus_interest: true|false}";
    case IT_TEXT: return "a text";
    }
    return "";
}

/* An account input: a field, an attribute or a constant. */
static bool read_account_input(yt_doc *d, const yt_node *n, const char *where, in_type t,
                               const folio_attrs *attrs, disc_input *in)
{
    if (n->kind != YT_SCALAR || n->is_null)
        return yt_fail(d, n, "'%s' must be %s", where, in_type_name(t));
    if (!strncmp(n->str, "account.", 8)) {
        static const struct { const char *name; builtin b; in_type t; } B[] = {
            {"account.minimum_due", B_MINIMUM_DUE, IT_MONEY},
            {"account.closing_balance", B_CLOSING, IT_MONEY},
            {"account.due_date", B_DUE_DATE, IT_DATE},
            {"account.rate", B_RATE, IT_RATE}};
        for (size_t i = 0; i < sizeof B / sizeof B[0]; i++)
            if (!strcmp(n->str, B[i].name)) {
                if (B[i].t != t)
                    return yt_fail(d, n, "'%s': %s is not %s", where, n->str, in_type_name(t));
                in->src = S_BUILTIN;
                in->field = B[i].b;
                return true;
            }
        const folio_attr_def *a = attrs_find(attrs, n->str, n->len);
        if (!a || a->rec != FOLIO_AR_ACCOUNT)
            return yt_fail(d, n, "'%s': '%s' is not an account attribute of the job (declare "
                           "it under the accounts feed's attributes:) -- the section cannot "
                           "be computed without it", where, n->str);
        folio_attr_type want = t == IT_MONEY ? FOLIO_AT_MONEY
                             : t == IT_DATE ? FOLIO_AT_DATE : FOLIO_AT_NUMBER;
        if (a->type != want)
            return yt_fail(d, n, "'%s': attribute %s is of type %s, the section needs %s",
                           where, n->str, attrs_type_name(a->type), attrs_type_name(want));
        if (!a->required)
            return yt_fail(d, n, "'%s': attribute %s must be declared 'required: true' in the "
                           "job (a disclosure is never printed from an empty cell)",
                           where, n->str);
        in->src = S_ATTR;
        in->attr = a;
        return true;
    }
    if (t == IT_DATE || t == IT_COUNT)
        return yt_fail(d, n, "'%s' must be %s", where, in_type_name(t));
    in->src = S_CONST;
    return yt_node_fixed(d, n, where, 4, 0, t == IT_RATE ? 1000 * (int64_t)FOLIO_DISC_RATE_SCALE
                                                       : (int64_t)1e15, &in->value);
}

static bool read_category(yt_doc *d, const yt_node *n, const char *where,
                          const folio_attrs *attrs, disc_input *in)
{
    if (n->kind != YT_SCALAR || strncmp(n->str, "transaction.", 12))
        return yt_fail(d, n, "'%s' must be %s", where, in_type_name(IT_CATEGORY));
    const folio_attr_def *a = attrs_find(attrs, n->str, n->len);
    if (!a || a->rec != FOLIO_AR_TXN)
        return yt_fail(d, n, "'%s': '%s' is not a transaction attribute of the job (declare "
                       "it under the transactions feed's attributes:)", where, n->str);
    if (a->type != FOLIO_AT_STRING && a->type != FOLIO_AT_CODE)
        return yt_fail(d, n, "'%s': attribute %s is of type %s, a category is a string or a "
                       "code", where, n->str, attrs_type_name(a->type));
    in->src = S_ATTR;
    in->attr = a;
    return true;
}

/* A value of the category: listed in its code values when it is a code. */
static bool check_value(yt_doc *d, const yt_node *n, const char *where,
                        const folio_attr_def *cat, const char *v)
{
    if (!cat || cat->type != FOLIO_AT_CODE)
        return true;
    for (int i = 0; i < cat->n_values; i++)
        if (!strcmp(cat->values[i], v))
            return true;
    return yt_fail(d, n, "'%s': '%s' is not a value of %s", where, v, cat->qname);
}

static bool read_minpay(yt_doc *d, const yt_node *n, const char *where, disc_input *in)
{
    static const char *const K[] = { "percent", "floor", "plus_interest", NULL };
    if (!yt_expect_map(d, n, where) || !yt_check_keys(d, n, where, K))
        return false;
    int64_t pct = 0, fl = 0;
    bool pi = false;
    const yt_node *p = yt_child(d, n, where, "percent", true);
    if (!p || !yt_node_fixed(d, p, "minimum_payment.percent", 4, 1, 100 * 10000, &pct))
        return false;
    const yt_node *f = yt_get(n, "floor");
    if (f && !yt_node_fixed(d, f, "minimum_payment.floor", 4, 0, (int64_t)1e15, &fl))
        return false;
    const yt_node *b = yt_get(n, "plus_interest");
    if (b && !yt_node_bool(d, b, "minimum_payment.plus_interest", &pi))
        return false;
    in->minpay = (folio_minpay){pct, pi, fl};
    in->src = S_CONST;
    return true;
}

static bool read_section(yt_doc *d, const yt_node *n, const char *where,
                         const folio_layout *L, const folio_attrs *attrs,
                         const folio_paragraphs *lib, disc_section *s)
{
    if (!yt_expect_map(d, n, where))
        return false;
    s->line = n->line;
    s->col = n->col;
    const yt_node *k = yt_child(d, n, where, "kind", true);
    int kind;
    if (!k || !yt_node_enum(d, k, "kind", KIND_NAMES, &kind))
        return false;
    s->kind = (folio_disc_kind)kind;
    const in_spec *spec = SPECS[kind];
    const char *keys[MAX_INPUTS + 3];
    int nk = 0;
    keys[nk++] = "kind";
    keys[nk++] = "title";
    for (int i = 0; i < MAX_INPUTS && spec[i].key; i++)
        keys[nk++] = spec[i].key;
    keys[nk] = NULL;
    if (!yt_check_keys(d, n, where, keys))
        return false;
    (void)L;
    const yt_node *t = yt_get(n, "title");
    if (t && !yt_node_str(d, t, "title", &s->title))
        return false;
    const folio_attr_def *cat = NULL;
    for (int i = 0; i < MAX_INPUTS && spec[i].key; i++) {
        char w[200];
        snprintf(w, sizeof w, "%.150s.%.40s", where, spec[i].key);
        disc_input *in = &s->in[i];
        const yt_node *v = yt_get(n, spec[i].key);
        if (!v) {
            if (spec[i].required)
                return yt_fail(d, n, "'%s' (kind %s) needs '%s': %s -- a disclosure is never "
                               "printed without its inputs", where, KIND_NAMES[kind],
                               spec[i].key, in_type_name(spec[i].type));
            continue;
        }
        in->line = v->line;
        in->col = v->col;
        switch (spec[i].type) {
        case IT_MONEY: case IT_RATE: case IT_DATE: case IT_COUNT:
            if (!read_account_input(d, v, w, spec[i].type, attrs, in))
                return false;
            break;
        case IT_CATEGORY:
            if (!read_category(d, v, w, attrs, in))
                return false;
            cat = in->attr;
            break;
        case IT_VALUES:
            if (!yt_node_strv(d, v, w, &in->values, &in->n_values))
                return false;
            if (in->n_values == 0)
                return yt_fail(d, v, "'%s' must list at least one value", w);
            for (int j = 0; j < in->n_values; j++)
                if (!check_value(d, v, w, cat, in->values[j]))
                    return false;
            in->src = S_CONST;
            break;
        case IT_SERVICES:
            if (!yt_expect_map(d, v, w))
                return false;
            if (v->n == 0)
                return yt_fail(d, v, "'%s' must map at least one value", w);
            in->values = calloc((size_t)v->n, sizeof *in->values);
            in->labels = calloc((size_t)v->n, sizeof *in->labels);
            if (!in->values || !in->labels)
                return oom(d);
            for (int j = 0; j < v->n; j++) {
                in->n_values = j + 1;
                if (!check_value(d, v->keys[j], w, cat, v->keys[j]->str)
                    || !(in->values[j] = strdup(v->keys[j]->str)))
                    return d->err->code ? false : oom(d);
                if (!yt_node_str(d, v->items[j], w, &in->labels[j]))
                    return false;
            }
            in->src = S_CONST;
            break;
        case IT_PARA:
            if (v->kind != YT_SCALAR)
                return yt_fail(d, v, "'%s' must be %s", w, in_type_name(IT_PARA));
            if (!lib)
                return yt_fail(d, v, "'%s': the layout has no paragraph library "
                               "(paragraphs.library) to take '%s' from", w, v->str);
            if ((in->para = paragraphs_find(lib, v->str)) < 0)
                return yt_fail(d, v, "'%s': no paragraph '%s' in %s", w, v->str, lib->path);
            in->src = S_CONST;
            break;
        case IT_MINPAY:
            if (!read_minpay(d, v, w, in))
                return false;
            break;
        case IT_TEXT:
            break;
        }
    }
    /* optional pairs: both or neither */
    if (kind == FOLIO_DISC_CARD_INTEREST && (s->in[CI_CAPR].src == S_NONE)
        != (s->in[CI_CBAL].src == S_NONE))
        return yt_fail(d, n, "'%s': cash_apr and cash_balance go together", where);
    return true;
}

bool disclosures_read(yt_doc *d, const yt_node *root, const folio_layout *L,
                      const folio_attrs *attrs, folio_disclosures **out)
{
    *out = NULL;
    const yt_node *m = yt_child(d, root, "", "disclosures", false);
    if (!m)
        return !d->err->code;
    if (!yt_expect_map(d, m, "disclosures") || !yt_check_keys(d, m, "disclosures", TOP_KEYS))
        return false;
    folio_disclosures *D = calloc(1, sizeof *D);
    if (!D)
        return oom(d);
    *out = D;
    D->lib = L->paragraphs;
    D->n_products = L->n_products;
    if (!(D->products = calloc((size_t)L->n_products + 1, sizeof *D->products)))
        return oom(d);
    int64_t sp = 8 * 100;
    const yt_node *spn = yt_get(m, "space_after");
    if (spn && !yt_node_fixed(d, spn, "disclosures.space_after", 2, 0, 100000, &sp))
        return false;
    D->styles.space_after = (int32_t)((sp * 20 + 50) / 100);
    if (style_of(d, m, "title_style", L, L->section_title_style, &D->styles.title) < 0
        || style_of(d, m, "header_style", L, L->table_header_style, &D->styles.header) < 0
        || style_of(d, m, "row_style", L, L->table_row_style, &D->styles.row) < 0)
        return false;
    const yt_node *p = yt_child(d, m, "disclosures", "products", true);
    if (!p || !yt_expect_map(d, p, "disclosures.products"))
        return false;
    for (int i = 0; i < p->n; i++) {
        const char *code = p->keys[i]->str;
        int pr = layout_product_find(L, code);
        if (pr < 0)
            return yt_fail(d, p->keys[i], "'disclosures.products': '%.60s' is not a product "
                           "of this layout (see 'products')", code);
        char where[128];
        snprintf(where, sizeof where, "disclosures.products.%.60s", code);
        const yt_node *seq = p->items[i];
        if (!yt_expect_seq(d, seq, where))
            return false;
        disc_product *dp = &D->products[pr];
        dp->line = p->keys[i]->line;
        dp->col = p->keys[i]->col;
        if (!(dp->v = calloc((size_t)seq->n + 1, sizeof *dp->v)))
            return oom(d);
        for (int j = 0; j < seq->n; j++) {
            char w[160];
            snprintf(w, sizeof w, "%s[%d]", where, j);
            dp->n = j + 1;
            if (!read_section(d, seq->items[j], w, L, attrs, L->paragraphs, &dp->v[j]))
                return false;
            /* round 24: every label in every language the layout prints */
            if (!disc_labels_need(d, seq->items[j], w, L, L->paragraphs, dp->v[j].kind,
                                  dp->v[j].title != NULL, &D->labels))
                return false;
        }
    }
    if (!(D->product_codes = calloc((size_t)L->n_products + 1, sizeof *D->product_codes)))
        return oom(d);
    for (int i = 0; i < L->n_products; i++)
        if (!(D->product_codes[i] = strdup(L->products[i].code)))
            return oom(d);
    /* issue 14 part 1 (audit): what each product's sections read from the
     * accounts feed; disclosures_bind hands it to the feeds, whose loader
     * rejects a row of the product with such a cell empty */
    if (!(D->need = calloc((size_t)L->n_products + 1, 1)))
        return oom(d);
    for (int pr = 0; pr < D->n_products; pr++)
        for (int j = 0; j < D->products[pr].n; j++)
            for (int k = 0; k < MAX_INPUTS; k++) {
                const disc_input *in = &D->products[pr].v[j].in[k];
                if (in->src != S_BUILTIN)
                    continue;
                D->need[pr] |= in->field == B_MINIMUM_DUE ? FOLIO_NEED_MINIMUM_DUE
                             : in->field == B_DUE_DATE ? FOLIO_NEED_DUE_DATE
                             : in->field == B_RATE ? FOLIO_NEED_RATE : 0;
            }
    /* issue 14 part 1 (gaps): and the account attributes they read (each once) */
    if (!(D->need_attrs = calloc((size_t)D->n_products + 1, sizeof *D->need_attrs)))
        return oom(d);
    for (int pr = 0; pr < D->n_products; pr++) {
        int n = 0;
        if (!(D->need_attrs[pr] = calloc((size_t)D->products[pr].n * MAX_INPUTS + 1,
                                         sizeof *D->need_attrs[pr])))
            return oom(d);
        for (int j = 0; j < D->products[pr].n; j++)
            for (int k = 0; k < MAX_INPUTS; k++) {
                const folio_attr_def *a = D->products[pr].v[j].in[k].attr;
                int x = 0;
                if (D->products[pr].v[j].in[k].src != S_ATTR || a->rec != FOLIO_AR_ACCOUNT)
                    continue;
                while (x < n && D->need_attrs[pr][x] != a)
                    x++;
                if (x == n)
                    D->need_attrs[pr][n++] = a;
            }
    }
    return true;
}

void disclosures_free(folio_disclosures *D)
{
    if (!D)
        return;
    for (int p = 0; D->products && p < D->n_products; p++) {
        for (int i = 0; i < D->products[p].n; i++) {
            disc_section *s = &D->products[p].v[i];
            free(s->title);
            for (int k = 0; k < MAX_INPUTS; k++) {
                yt_strv_free(s->in[k].values, s->in[k].n_values);
                if (s->in[k].labels)
                    yt_strv_free(s->in[k].labels, s->in[k].n_values);
            }
        }
        free(D->products[p].v);
    }
    free(D->products);
    if (D->product_codes)
        yt_strv_free(D->product_codes, D->n_products);
    free(D->need);
    for (int p = 0; D->need_attrs && p < D->n_products; p++)
        free(D->need_attrs[p]);
    free(D->need_attrs);
    disc_labels_free(&D->labels);
    free(D);
}

int disclosures_count(const folio_disclosures *D, int product)
{
    return D && product >= 0 && product < D->n_products ? D->products[product].n : 0;
}

const folio_disc_styles *disclosures_styles(const folio_disclosures *D)
{
    return &D->styles;
}

bool disclosures_bind(const folio_disclosures *D, folio_job *job,
                      const char *layout_path, folio_error *err)
{
    static const int COL[] = { [B_MINIMUM_DUE] = FOLIO_F_MINIMUM_DUE,
        [B_DUE_DATE] = FOLIO_F_DUE_DATE, [B_RATE] = FOLIO_F_INTEREST_RATE,
        [B_CLOSING] = FOLIO_F_CLOSING_BALANCE };
    static const char *const NAME[] = { [B_MINIMUM_DUE] = "minimum_due",
        [B_DUE_DATE] = "due_date", [B_RATE] = "interest_rate",
        [B_CLOSING] = "closing_balance" };
    if (!D)
        return true;
    for (int p = 0; p < D->n_products; p++)
        for (int i = 0; i < D->products[p].n; i++) {
            const disc_section *s = &D->products[p].v[i];
            for (int k = 0; k < MAX_INPUTS; k++) {
                const disc_input *in = &s->in[k];
                if (in->src != S_BUILTIN || in->field == B_CLOSING)
                    continue;
                for (int f = 0; f < job->n_feeds; f++) {
                    const folio_feed_def *fd = &job->feeds[f];
                    if (fd->kind != FOLIO_FEED_ACCOUNTS
                        || (fd->product && !fd->columns[FOLIO_F_PRODUCT]
                            && strcmp(fd->product, D->product_codes[p])))
                        continue;
                    if (!fd->columns[COL[in->field]]) {
                        folio_error_set(err, FOLIO_EXIT_USAGE,
                                        "%s:%d:%d: disclosure '%s' of product '%s' uses "
                                        "account.%s, but accounts feed '%s' of %s maps no "
                                        "'%s' column -- a disclosure is never printed "
                                        "without its inputs", layout_path, in->line, in->col,
                                        KIND_NAMES[s->kind], D->product_codes[p],
                                        in->field == B_RATE ? "rate" : NAME[in->field],
                                        fd->name, job->path, NAME[in->field]);
                        return false;
                    }
                }
            }
        }
    /* issue 14 part 1 (audit): an empty minimum_due, due_date or interest_rate
     * cell of an account whose product's sections read it is a reject at
     * load ("empty minimum_due ..."), never a $0.00 / 0% figure */
    for (int f = 0; f < job->n_feeds; f++)
        if (job->feeds[f].kind == FOLIO_FEED_ACCOUNTS && D->need) {
            job->feeds[f].need_products = (const char *const *)D->product_codes;
            job->feeds[f].need_fields = D->need;
            job->feeds[f].n_need = D->n_products;
            job->feeds[f].need_attrs = (const folio_attr_def *const *const *)D->need_attrs;
        }
    return true;
}

/* ---- computing ----------------------------------------------------------------------- */

typedef struct calc {
    const folio_disc_ctx *x;
    const disc_section *s;
    folio_disc_out *o;
    bool failed;
    const disc_labels *lb;        /* round 24: labels in the statement's language */
    const folio_paragraphs *lib;  /* round 25: their paragraphs */
    bool never;                   /* card_minimum_warning: never paid off */
} calc;

/* Label k in the statement's language; its library paragraph (if any) is
 * noted once in the output (round 25: the manifest counts label paragraphs). */
static const char *LB(const calc *c, disc_label k)
{
    int pi = disc_label_para(c->lb, c->x->lang, k);
    if (pi >= 0 && c->lib) {
        folio_disc_out *o = c->o;
        const folio_paragraph *p = &c->lib->v[pi];
        int i = 0;
        while (i < o->n_label_para && o->label_para[i] != p)
            i++;
        if (i == o->n_label_para && i < FOLIO_DISC_MAX_LABELS)
            o->label_para[o->n_label_para++] = p;
    }
    return disc_label_text(c->lb, c->x->lang, k);
}

/* The singular or plural label of a count n (round 25). */
static const char *LBN(const calc *c, long n, disc_label one, disc_label other)
{
    return LB(c, disc_label_count(c->lb, c->x->lang, n, one, other));
}

static bool fail(calc *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static bool fail(calc *c, const char *fmt, ...)
{
    if (c->failed)
        return false;
    c->failed = true;
    const folio_account *a = &c->x->ds->accounts[c->x->account];
    int n = snprintf(c->o->why, sizeof c->o->why, "account %s: disclosure '%s': ", a->id,
                     KIND_NAMES[c->s->kind]);
    va_list ap;
    va_start(ap, fmt);
    if (n > 0 && (size_t)n < sizeof c->o->why)
        vsnprintf(c->o->why + n, sizeof c->o->why - (size_t)n, fmt, ap);
    va_end(ap);
    return false;
}

static int64_t pow10i(int n)
{
    int64_t p = 1;
    while (n-- > 0)
        p *= 10;
    return p;
}

/* x10^4 -> minor units of the account (exactly, else a failure). */
static folio_money const_money(calc *c, int64_t v4)
{
    int md = c->x->minor_digits < 0 ? 2 : c->x->minor_digits;
    if (md <= 4) {
        int64_t p = pow10i(4 - md);
        if (v4 % p)
            fail(c, "the constant %lld/10000 has more decimals than the currency's %d",
                 (long long)v4, md);
        return v4 / p;
    }
    return v4 * pow10i(md - 4);
}

static folio_money in_money(calc *c, int k)
{
    const disc_input *in = &c->s->in[k];
    const folio_account *a = &c->x->ds->accounts[c->x->account];
    switch (in->src) {
    case S_CONST: return const_money(c, in->value);
    case S_BUILTIN: return in->field == B_CLOSING ? c->x->closing : a->minimum_due;
    case S_ATTR: {
        if (!c->x->ds->attr_vals[FOLIO_AR_ACCOUNT]) {
            fail(c, "no value of %s", in->attr->qname);
            return 0;
        }
        int64_t v = attrs_value(c->x->ds, in->attr, c->x->account).num;
        if (v == FOLIO_ATTR_ABSENT) {
            fail(c, "%s is empty (no row for the account in its feed?)", in->attr->qname);
            return 0;
        }
        int md = c->x->minor_digits < 0 ? 2 : c->x->minor_digits, amd = in->attr->minor_digits;
        if (amd < md)
            return v * pow10i(md - amd);
        if (amd > md && v % pow10i(amd - md))
            fail(c, "%s has more decimals than the account's currency", in->attr->qname);
        return v / pow10i(amd - md);
    }
    default: return 0;
    }
}

static int64_t in_num(calc *c, int k)       /* rate percent x 10^4, count x 10^4 */
{
    const disc_input *in = &c->s->in[k];
    const folio_account *a = &c->x->ds->accounts[c->x->account];
    switch (in->src) {
    case S_CONST: return in->value;
    case S_BUILTIN: return (int64_t)a->rate_milli_pct * 10;
    case S_ATTR: {
        int64_t v = c->x->ds->attr_vals[FOLIO_AR_ACCOUNT]
                        ? attrs_value(c->x->ds, in->attr, c->x->account).num : FOLIO_ATTR_ABSENT;
        if (v == FOLIO_ATTR_ABSENT)
            fail(c, "%s is empty (no row for the account in its feed?)", in->attr->qname);
        return v == FOLIO_ATTR_ABSENT ? 0 : v;
    }
    default: return 0;
    }
}

/* A rate input: 0% to 1000% (beyond it, no table of the regulation makes
 * sense and the amortisation could leave 128 bits). */
static int64_t in_rate(calc *c, int k)
{
    int64_t r = in_num(c, k);
    if (r < 0 || r > 1000 * (int64_t)FOLIO_DISC_RATE_SCALE) {
        fail(c, "rate %lld/10000%% is outside 0%% to 1000%%", (long long)r);
        return 0;
    }
    return r;
}

static folio_date in_date(calc *c, int k)
{
    const disc_input *in = &c->s->in[k];
    const folio_account *a = &c->x->ds->accounts[c->x->account];
    folio_date d = FOLIO_DATE_NONE;
    if (in->src == S_BUILTIN)
        d = a->due_date;
    else if (in->src == S_ATTR && c->x->ds->attr_vals[FOLIO_AR_ACCOUNT]) {
        int64_t v = attrs_value(c->x->ds, in->attr, c->x->account).num;
        d = v == FOLIO_ATTR_ABSENT ? FOLIO_DATE_NONE : (folio_date)v;
    }
    if (d == FOLIO_DATE_NONE)
        fail(c, "%s is empty", in->src == S_ATTR ? in->attr->qname : "account.due_date");
    return d;
}

/* Is transaction t's category one of in->values? */
static int txn_value(calc *c, const disc_input *cat, const disc_input *in, uint32_t t)
{
    if (!c->x->ds->attr_vals[FOLIO_AR_TXN])
        return -1;
    const char *v = attrs_value(c->x->ds, cat->attr, t).str;
    if (!v)
        return -1;
    for (int i = 0; i < in->n_values; i++)
        if (!strcmp(v, in->values[i]))
            return i;
    return -1;
}

/* Signed sum of the period's transactions in a category (holder's view:
 * charges are negative). */
static folio_money cat_sum(calc *c, int kcat, int kvals)
{
    __int128 s = 0;
    for (uint32_t k = 0; k < c->x->n; k++)
        if (txn_value(c, &c->s->in[kcat], &c->s->in[kvals], c->x->first + k) >= 0)
            s += c->x->ds->txns[c->x->first + k].amount;
    if (s > INT64_MAX || s < -INT64_MAX) {
        fail(c, "the sum overflows");
        return 0;
    }
    return (folio_money)s;
}

static folio_money add(calc *c, folio_money a, folio_money b)
{
    if (!folio_money_add(&a, b))
        fail(c, "a total overflows");
    return a;
}

/* ---- formatting ---- */

static void put(calc *c, int row, int col, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
static void put(calc *c, int row, int col, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(c->o->cell[row][col], FOLIO_DISC_CELL, fmt, ap);
    va_end(ap);
    if (n < 0 || n >= FOLIO_DISC_CELL)  /* never a shortened (regulated) text */
        fail(c, "a cell's text '%s...' is longer than %d bytes (shorten the wording of "
             "its labels in the paragraph library)", c->o->cell[row][col], FOLIO_DISC_CELL - 1);
}

static const char *money(calc *c, folio_money m, char *buf)
{
    c->x->money(c->x->user, m, buf, 64);
    return buf;
}

static const char *rate(calc *c, int64_t r, char *buf)
{
    /* percent x 10^4: two decimals at least, up to four, no rounding */
    char dec = c->x->decimal ? c->x->decimal : '.';
    uint64_t a = r < 0 ? (uint64_t)0 - (uint64_t)r : (uint64_t)r;
    unsigned f = (unsigned)(a % 10000);
    int nd = f % 100 ? (f % 10 ? 4 : 3) : 2;
    unsigned fs = nd == 2 ? f / 100 : nd == 3 ? f / 10 : f;
    snprintf(buf, 48, "%s%llu%c%0*u%%", r < 0 ? "-" : "", (unsigned long long)(a / 10000),
             dec, nd, fs);
    return buf;
}

static const char *date(calc *c, folio_date d, char *buf)
{
    folio_date_format(d, c->x->date_format ? c->x->date_format : "YYYY-MM-DD", buf, 48);
    return buf;
}

static int row(calc *c)
{
    if (c->o->n_rows == FOLIO_DISC_MAX_ROWS) {
        fail(c, "too many rows");
        return FOLIO_DISC_MAX_ROWS - 1;
    }
    memset(c->o->cell[c->o->n_rows], 0, sizeof c->o->cell[0]);
    return c->o->n_rows++;
}

static void head(calc *c, int ncols, ...)
{
    va_list ap;
    va_start(ap, ncols);
    c->o->ncols = ncols;
    c->o->has_head = true;
    for (int i = 0; i < ncols; i++) {
        const char *t = va_arg(ap, const char *);
        int n = snprintf(c->o->head[i], FOLIO_DISC_CELL, "%s", t);
        if (n < 0 || n >= FOLIO_DISC_CELL)
            fail(c, "a column head '%s...' is longer than %d bytes", c->o->head[i],
                 FOLIO_DISC_CELL - 1);
    }
    va_end(ap);
}

static int year_of(folio_date d)
{
    int y, m, dd;
    folio_date_to_ymd(d, &y, &m, &dd);
    return y;
}

/* A row "label | period | year to date" from a category sum and a prior-YTD
 * input; sign -1 for charges (shown positive). */
static void period_ytd_row(calc *c, const char *label, int kcat, int kvals, int kytd, int sign,
                           folio_money *tp, folio_money *ty)
{
    char b1[64], b2[64];
    folio_money per = cat_sum(c, kcat, kvals);
    if (sign < 0)
        per = -per;
    folio_money ytd = add(c, in_money(c, kytd), per);
    int r = row(c);
    put(c, r, 0, "%s", label);
    put(c, r, 1, "%s", money(c, per, b1));
    put(c, r, 2, "%s", money(c, ytd, b2));
    if (tp) {
        *tp = add(c, *tp, per);
        *ty = add(c, *ty, ytd);
    }
}

static void years_text(const calc *c, int months, char *buf, size_t cap)
{
    int y = (months + 6) / 12;
    if (y == 0)
        snprintf(buf, cap, "%s", LB(c, DL_LESS_THAN_YEAR));
    else
        snprintf(buf, cap, "%d %s", y, LBN(c, y, DL_YEAR, DL_YEARS));
}

static void calc_deposit_fees(calc *c)
{
    head(c, 3, "", LB(c, DL_PERIOD), LB(c, DL_YTD));
    period_ytd_row(c, LB(c, DL_OVERDRAFT_FEES), DF_CAT, DF_OD, DF_OD_YTD, -1, NULL, NULL);
    period_ytd_row(c, LB(c, DL_RETURNED_FEES), DF_CAT, DF_RI, DF_RI_YTD, -1, NULL, NULL);
}

static void calc_deposit_interest(calc *c)
{
    char b[64];
    const folio_disc_ctx *x = c->x;
    folio_money interest = cat_sum(c, DI_CAT, DI_INT);
    /* sum of the end-of-day balances over the period: the opening balance
     * every day, and each amount every day from its date to the end (in any
     * order of the rows) */
    int days = x->period_end - x->period_start + 1;
    __int128 sum = (__int128)x->opening * days;
    for (uint32_t k = 0; k < x->n; k++) {
        const folio_txn *t = &x->ds->txns[x->first + k];
        folio_date from = t->date < x->period_start ? x->period_start : t->date;
        if (from > x->period_end)
            continue;
        sum += (__int128)(x->liability ? -t->amount : t->amount) * (x->period_end - from + 1);
    }
    int64_t apy;
    if (!disclosures_apy_earned(interest, sum, days, &apy)) {
        fail(c, "the APY earned needs a positive average daily balance");
        return;
    }
    c->o->ncols = 2;
    int r = row(c);
    put(c, r, 0, "%s", LB(c, DL_INTEREST_PAID));
    put(c, r, 1, "%s", money(c, interest, b));
    r = row(c);
    put(c, r, 0, "%s (%d %s)", LB(c, DL_APY_EARNED), days, LBN(c, days, DL_DAY, DL_DAYS));
    put(c, r, 1, "%s", rate(c, apy * 100, b));
    if (c->s->in[DI_YTD].src != S_NONE) {
        r = row(c);
        put(c, r, 0, "%s", LB(c, DL_INTEREST_PAID_YTD));
        put(c, r, 1, "%s", money(c, add(c, in_money(c, DI_YTD), interest), b));
    }
}

static void calc_card_payment(calc *c)
{
    char b[64];
    c->o->ncols = 2;
    int r = row(c);
    put(c, r, 0, "%s", LB(c, DL_NEW_BALANCE));
    put(c, r, 1, "%s", money(c, c->x->closing, b));
    r = row(c);
    put(c, r, 0, "%s", LB(c, DL_MINIMUM_DUE));
    put(c, r, 1, "%s", money(c, in_money(c, CP_MIN), b));
    r = row(c);
    put(c, r, 0, "%s", LB(c, DL_DUE_DATE));
    put(c, r, 1, "%s", date(c, in_date(c, CP_DUE), b));
    r = row(c);
    put(c, r, 0, "%s", LB(c, DL_LATE_FEE));
    put(c, r, 1, "%s", money(c, in_money(c, CP_FEE), b));
    r = row(c);
    put(c, r, 0, "%s", LB(c, DL_PENALTY_APR));
    put(c, r, 1, "%s", rate(c, in_rate(c, CP_PAPR), b));
}

static void calc_card_minimum(calc *c)
{
    char b1[64], b2[64], b3[64], yt[FOLIO_DISC_CELL + 16];
    folio_money bal = c->x->closing;
    if (bal <= 0) {                      /* nothing owed: no warning (docs) */
        c->o->shown = false;
        return;
    }
    int64_t apr = in_rate(c, CM_APR);
    folio_minpay f = c->s->in[CM_FORMULA].minpay;
    f.floor = const_money(c, f.floor);
    int months;
    folio_money total;
    bool overflow;
    bool paid = disclosures_payoff_minimum(bal, apr, &f, &months, &total, &overflow);
    if (overflow) {
        fail(c, "the minimum-payment total overflows");
        return;
    }
    head(c, 3, LB(c, DL_MIN_HEAD_PAY), LB(c, DL_MIN_HEAD_TIME), LB(c, DL_MIN_HEAD_TOTAL));
    int r = row(c);
    put(c, r, 0, "%s", LB(c, DL_MIN_ONLY));
    if (paid) {
        years_text(c, months, yt, sizeof yt);
        put(c, r, 1, "%s", yt);
        put(c, r, 2, "%s", money(c, total, b1));
    } else {
        put(c, r, 1, "%s", LB(c, DL_NEVER));
        c->never = true;
        put(c, r, 2, "-");
        c->o->after = NULL;
    }
    if (!paid || months > 36) {
        folio_money p36, t36;
        if (!disclosures_payment_for_months(bal, apr, 36, &p36, &t36)) {
            fail(c, "the 36-month payment overflows");
            return;
        }
        r = row(c);
        put(c, r, 0, "%s", money(c, p36, b1));
        put(c, r, 1, "3 %s", LBN(c, 3, DL_YEAR, DL_YEARS));
        if (paid)
            put(c, r, 2, "%s (%s = %s)", money(c, t36, b2), LB(c, DL_SAVINGS),
                money(c, total - t36, b3));
        else
            put(c, r, 2, "%s", money(c, t36, b2));
    }
}

static void calc_card_interest(calc *c)
{
    char b1[64], b2[64], b3[64];
    int days = c->x->period_end - c->x->period_start + 1;
    head(c, 4, LB(c, DL_BALANCE_TYPE), LB(c, DL_APR), LB(c, DL_BALANCE_SUBJECT),
         LB(c, DL_INTEREST_CHARGE));
    static const struct { disc_label name; int apr, bal; } T[] = {
        {DL_PURCHASES, CI_PAPR, CI_PBAL}, {DL_CASH_ADVANCES, CI_CAPR, CI_CBAL}};
    folio_money tot = 0;
    for (int i = 0; i < 2; i++) {
        if (c->s->in[T[i].apr].src == S_NONE)
            continue;
        int64_t apr = in_rate(c, T[i].apr);
        folio_money bal = in_money(c, T[i].bal);
        folio_money ic = disclosures_daily_interest(bal, apr, days);
        tot = add(c, tot, ic);
        int r = row(c);
        put(c, r, 0, "%s", LB(c, T[i].name));
        put(c, r, 1, "%s", rate(c, apr, b1));
        put(c, r, 2, "%s", money(c, bal, b2));
        put(c, r, 3, "%s", money(c, ic, b3));
    }
    int r = row(c);
    c->o->bold[r] = true;
    put(c, r, 0, "%s (%d %s)", LB(c, DL_TOTAL_INTEREST_CHARGE), days,
        LBN(c, days, DL_DAY, DL_DAYS));
    put(c, r, 3, "%s", money(c, tot, b1));
}

static void calc_card_totals(calc *c)
{
    char y[FOLIO_DISC_CELL + 16];       /* head() refuses it if too long for a cell */
    snprintf(y, sizeof y, "%s %d", LB(c, DL_YTD), year_of(c->x->period_end));
    head(c, 3, "", LB(c, DL_PERIOD), y);
    period_ytd_row(c, LB(c, DL_FEES_CHARGED), CT_CAT, CT_FEES, CT_FEES_YTD, -1, NULL, NULL);
    period_ytd_row(c, LB(c, DL_INTEREST_CHARGED), CT_CAT, CT_INT, CT_INT_YTD, -1, NULL, NULL);
}

static void calc_loan_payment(calc *c)
{
    char b[64], b2[64];
    static const disc_label NAMES[] = { DL_PRINCIPAL, DL_INTEREST, DL_ESCROW, DL_FEES };
    c->o->ncols = 3;
    /* the amount due, then the past payments, each under a bold row */
    int r = row(c);
    c->o->bold[r] = true;
    put(c, r, 0, "%s", LB(c, DL_AMOUNT_DUE));
    folio_money due = 0;
    for (int i = 0; i < 4; i++) {
        folio_money v = in_money(c, LP_PDUE + i);
        due = add(c, due, v);
        r = row(c);
        put(c, r, 0, "%s", LB(c, NAMES[i]));
        put(c, r, 2, "%s", money(c, v, b));
    }
    r = row(c);
    c->o->bold[r] = true;
    put(c, r, 0, "%s", LB(c, DL_TOTAL_AMOUNT_DUE));
    put(c, r, 2, "%s", money(c, due, b));
    r = row(c);
    c->o->bold[r] = true;
    put(c, r, 0, "%s", LB(c, DL_PAST_PAYMENTS));
    put(c, r, 1, "%s", LB(c, DL_PAID_SINCE));
    put(c, r, 2, "%s", LB(c, DL_PAID_YTD));
    folio_money tp = 0, ty = 0;
    for (int i = 0; i < 4; i++)
        period_ytd_row(c, LB(c, NAMES[i]), LP_CAT, LP_P + i, LP_P_YTD + i, 1, &tp, &ty);
    r = row(c);
    c->o->bold[r] = true;
    put(c, r, 0, "%s", LB(c, DL_TOTAL_PAID));
    put(c, r, 1, "%s", money(c, tp, b));
    put(c, r, 2, "%s", money(c, ty, b2));
    r = row(c);
    put(c, r, 0, "%s", LB(c, DL_ESCROW_BALANCE));
    put(c, r, 2, "%s", money(c, in_money(c, LP_ESCROW), b));
}

static void calc_loan_delinquency(calc *c)
{
    char b[64];
    int64_t days = in_num(c, LD_DAYS);
    if (c->failed)
        return;
    if (days % FOLIO_DISC_RATE_SCALE) {
        fail(c, "%s is not a whole number of days", c->s->in[LD_DAYS].attr->qname);
        return;
    }
    days /= FOLIO_DISC_RATE_SCALE;
    if (days <= 0) {
        c->o->shown = false;            /* not past due: no notice */
        return;
    }
    c->o->ncols = 2;
    int r = row(c);
    put(c, r, 0, "%s", LB(c, DL_DAYS_PAST_DUE));
    put(c, r, 1, "%lld", (long long)days);
    r = row(c);
    put(c, r, 0, "%s", LB(c, DL_AMOUNT_PAST_DUE));
    put(c, r, 1, "%s", money(c, in_money(c, LD_AMOUNT), b));
}

static void calc_eu_fees(calc *c)
{
    char b1[64];
    const disc_input *sv = &c->s->in[EU_FEES];
    head(c, 3, LB(c, DL_SERVICE), LB(c, DL_TIMES_USED), LB(c, DL_TOTAL_FEES));
    folio_money tot = 0;
    for (int i = 0; i < sv->n_values; i++) {
        __int128 s = 0;
        int cnt = 0;
        for (uint32_t k = 0; k < c->x->n; k++) {
            uint32_t t = c->x->first + k;
            const char *v = c->x->ds->attr_vals[FOLIO_AR_TXN]
                                ? attrs_value(c->x->ds, c->s->in[EU_CAT].attr, t).str : NULL;
            if (v && !strcmp(v, sv->values[i])) {
                s -= c->x->ds->txns[t].amount;
                cnt++;
            }
        }
        if (!cnt)
            continue;
        if (s > INT64_MAX || s < -INT64_MAX) {
            fail(c, "the sum overflows");
            return;
        }
        tot = add(c, tot, (folio_money)s);
        int r = row(c);
        put(c, r, 0, "%s", sv->labels[i]);
        put(c, r, 1, "%d", cnt);
        put(c, r, 2, "%s", money(c, (folio_money)s, b1));
    }
    int r = row(c);
    c->o->bold[r] = true;
    put(c, r, 0, "%s", LB(c, DL_TOTAL_FEES));
    put(c, r, 2, "%s", money(c, tot, b1));
    if (c->s->in[EU_CREDIT].src != S_NONE) {
        r = row(c);
        put(c, r, 0, "%s", LB(c, DL_CREDIT_RATE));
        put(c, r, 2, "%s", rate(c, in_rate(c, EU_CREDIT), b1));
    }
    if (c->s->in[EU_DEBIT].src != S_NONE) {
        r = row(c);
        put(c, r, 0, "%s", LB(c, DL_OVERDRAFT_RATE));
        put(c, r, 2, "%s", rate(c, in_rate(c, EU_DEBIT), b1));
    }
}

bool disclosures_compute(const folio_disclosures *D, int product, int i,
                         const folio_disc_ctx *ctx, folio_disc_out *out)
{
    const disc_section *s = &D->products[product].v[i];
    out->shown = true;
    out->kind = KIND_NAMES[s->kind];
    out->n_label_para = 0;
    out->ncols = 2;
    out->has_head = false;
    memset(out->head, 0, sizeof out->head);
    out->n_rows = 0;
    memset(out->bold, 0, sizeof out->bold);
    out->before = out->after = NULL;
    out->why[0] = 0;
    calc c = { ctx, s, out, false, &D->labels, D->lib, false };
    const folio_paragraphs *lib = D->lib;
    out->title = s->title ? s->title : LB(&c, (disc_label)s->kind);
    switch (s->kind) {
    case FOLIO_DISC_DEPOSIT_FEES: calc_deposit_fees(&c); break;
    case FOLIO_DISC_DEPOSIT_INTEREST: calc_deposit_interest(&c); break;
    case FOLIO_DISC_CARD_PAYMENT:
        calc_card_payment(&c);
        out->after = &lib->v[s->in[CP_WARN].para];
        break;
    case FOLIO_DISC_CARD_MINIMUM:
        if (s->in[CM_NOTE].src != S_NONE)
            out->after = &lib->v[s->in[CM_NOTE].para];
        calc_card_minimum(&c);
        if (out->shown && c.never)
            out->after = &lib->v[s->in[CM_NEVER].para];
        break;
    case FOLIO_DISC_CARD_INTEREST: calc_card_interest(&c); break;
    case FOLIO_DISC_CARD_TOTALS: calc_card_totals(&c); break;
    case FOLIO_DISC_LOAN_PAYMENT: calc_loan_payment(&c); break;
    case FOLIO_DISC_LOAN_DELINQUENCY:
        calc_loan_delinquency(&c);
        out->before = &lib->v[s->in[LD_NOTICE].para];
        break;
    case FOLIO_DISC_EU_FEES: calc_eu_fees(&c); break;
    default: break;
    }
    if (c.failed)
        out->shown = false;
    return !c.failed;
}
