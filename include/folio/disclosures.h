/* SPDX-License-Identifier: Apache-2.0 */
/*
 * folio/disclosures.h -- disclosure sections computed by folio (issue 14
 * part 1; reference and every formula: docs/disclosures.md).
 *
 * A layout asks for disclosure sections per product (layout key
 * `disclosures:`); each section is printed under the account section of
 * every account of that product, after its transaction table:
 *
 *   disclosures:
 *     products:
 *       credit_card:
 *         - kind: card_payment
 *           minimum_due: account.minimum_due
 *           due_date: account.due_date
 *           late_fee: 40.00              # a constant, or account.ATTR
 *           penalty_apr: 29.99
 *           warning: card-late-payment   # a paragraph of the library
 *
 * Inputs are account fields (account.minimum_due, account.due_date,
 * account.rate, account.closing_balance), attributes of the job (account.NAME
 * of the right type, declared `required: true`), transaction categories (a
 * transaction attribute and lists of its values) or constants.  Every input a
 * section needs is checked when the layout loads: a missing or mistyped one is
 * "layout.yaml:LINE:COL: ..." (exit 2), never a section printed with zeros.
 * disclosures_bind() checks the account fields against the job's feeds.
 *
 * Money is exact: int64 minor units, products and quotients in 128 bits,
 * every rounding stated (half away from zero, docs/disclosures.md).  Only
 * the APY earned uses floating point (a fractional power), rounded once to
 * 0.01%.
 *
 * Order of calls: disclosures_read() by layout_load, disclosures_bind() once
 * the job is known, disclosures_compute() per account section from any thread
 * (it only reads), disclosures_free() by layout_free.
 */
#ifndef FOLIO_DISCLOSURES_H
#define FOLIO_DISCLOSURES_H

#include "folio/common.h"

struct folio_layout;
struct folio_job;
struct folio_dataset;
struct folio_attrs;
struct folio_paragraph;

typedef enum folio_disc_kind {
    FOLIO_DISC_DEPOSIT_FEES = 0,   /* Reg DD 1030.11(a): overdraft / returned-item fees */
    FOLIO_DISC_DEPOSIT_INTEREST,   /* Reg DD 1030.6(a): interest paid, APY earned */
    FOLIO_DISC_CARD_PAYMENT,       /* Reg Z 1026.7(b)(11): payment information */
    FOLIO_DISC_CARD_MINIMUM,       /* Reg Z 1026.7(b)(12): minimum payment warning */
    FOLIO_DISC_CARD_INTEREST,      /* Reg Z 1026.7(b)(4),(5): interest charge by balance type */
    FOLIO_DISC_CARD_TOTALS,        /* Reg Z 1026.7(b)(6): fees and interest, period and YTD */
    FOLIO_DISC_LOAN_PAYMENT,       /* Reg Z 1026.41(d): amount due and past payments */
    FOLIO_DISC_LOAN_DELINQUENCY,   /* Reg Z 1026.41(d)(8): delinquency notice */
    FOLIO_DISC_EU_FEES,            /* PAD 2014/92/EU art. 5: statement of fees */
    FOLIO_DISC__COUNT
} folio_disc_kind;

const char *disclosures_kind_name(folio_disc_kind k);

/* ---- arithmetic (pure, unit-tested; docs/disclosures.md) -------------------- */

/* Rates are percent x 10^4 (19.99% = 199900); money is minor units. */
#define FOLIO_DISC_RATE_SCALE 10000

/* n / d rounded half away from zero (d > 0). */
int64_t disclosures_round_div(__int128 n, __int128 d);
/* One month's interest at APR `apr`: round(balance * apr / 100 / 12). */
folio_money disclosures_monthly_interest(folio_money balance, int64_t apr);
/* Interest for `days` days at the daily periodic rate apr / 365:
 * round(balance * apr / 100 * days / 365). */
folio_money disclosures_daily_interest(folio_money balance, int64_t apr, int days);

/* The minimum-payment formula of a card (docs/disclosures.md): */
typedef struct folio_minpay {
    int64_t percent;              /* of the balance, percent x 10^4 (1% = 10000) */
    bool plus_interest;           /* + the month's interest */
    folio_money floor;            /* at least this (minor units) */
} folio_minpay;
/* The payment due on `balance` with this month's `interest` charged:
 * max(floor, round(balance * percent) + interest?), at most balance + interest. */
folio_money disclosures_min_payment(const folio_minpay *f, folio_money balance,
                                    folio_money interest);

#define FOLIO_DISC_MAX_MONTHS 1200    /* beyond 100 years: "never" */
/* Balances the amortisations accept (10^15 minor units: every intermediate
 * figure then stays within int64 at up to 1000% APR); above: overflow. */
#define FOLIO_DISC_MAX_BALANCE ((folio_money)1000000000000000)

/* Pay only the minimum each month from `balance` at `apr`: *months and
 * *total (interest included).  false when it is never paid off (a payment not
 * above the month's interest, or more than FOLIO_DISC_MAX_MONTHS) or on
 * overflow (*overflow set). */
bool disclosures_payoff_minimum(folio_money balance, int64_t apr, const folio_minpay *f,
                                int *months, folio_money *total, bool *overflow);
/* The smallest whole-minor-unit monthly payment that pays `balance` off in
 * at most `n_months` months at `apr`, and the total paid with it. */
bool disclosures_payment_for_months(folio_money balance, int64_t apr, int n_months,
                                    folio_money *payment, folio_money *total);
/* APY earned (Reg DD Appendix A part II) in 0.01% units:
 * 100 * ((1 + interest / (sum_balances / days)) ^ (365 / days) - 1), rounded
 * half up.  sum_balances: the sum of the end-of-day balances of the period.
 * false when sum_balances <= 0 and interest != 0. */
bool disclosures_apy_earned(folio_money interest, __int128 sum_balances, int days,
                            int64_t *apy_bp);

/* ---- the layout's sections --------------------------------------------------- */

typedef struct folio_disclosures folio_disclosures;

/* Read root.disclosures of a layout (absent: *out stays NULL).  paragraphs
 * may be NULL (then a section naming wording fails).  false with the doc's
 * error set. */
struct yt_doc;
struct yt_node;
bool disclosures_read(struct yt_doc *d, const struct yt_node *root,
                      const struct folio_layout *L, const struct folio_attrs *attrs,
                      folio_disclosures **out);
void disclosures_free(folio_disclosures *D);

/* Check the account fields the sections use against the job's accounts
 * feeds: a feed that can hold accounts of the product must map the column.
 * false with err (FOLIO_EXIT_USAGE, "layout:line:col: ...") otherwise.
 * Then tells each accounts feed which fields each product needs
 * (folio_feed_def.need_*): an empty cell there rejects the row at load. */
bool disclosures_bind(const folio_disclosures *D, struct folio_job *job,
                      const char *layout_path, folio_error *err);

/* Number of sections for product index `product` (layout->products). */
int disclosures_count(const folio_disclosures *D, int product);

/* What one account section shows. */
typedef struct folio_disc_ctx {
    const struct folio_dataset *ds;
    const struct folio_attrs *attrs;
    uint32_t account;             /* index into ds->accounts */
    uint32_t first, n;            /* its printed transactions ds->txns[first..first+n) */
    folio_money opening, closing; /* as printed */
    bool liability;               /* balance owed (closing > 0 = owed) */
    int minor_digits;             /* of the account's money */
    folio_date period_start, period_end;
    const char *date_format;
    char decimal;                 /* the layout's decimal mark, for rates */
    /* money as the statement prints it (currency and symbol) */
    size_t (*money)(void *user, folio_money m, char *buf, size_t cap);
    void *user;
    int lang;                     /* round 24: the statement's language (index into
                                   * the layout's languages): the labels' language */
} folio_disc_ctx;

#define FOLIO_DISC_MAX_ROWS 24
#define FOLIO_DISC_MAX_COLS 4
#define FOLIO_DISC_CELL 96
#define FOLIO_DISC_MAX_LABELS 24

typedef struct folio_disc_out {
    bool shown;                   /* false: nothing to print for this account */
    const char *kind;             /* e.g. "card_minimum_warning" (coverage key) */
    const char *title;
    int ncols;
    bool has_head;
    char head[FOLIO_DISC_MAX_COLS][FOLIO_DISC_CELL];
    int n_rows;
    char cell[FOLIO_DISC_MAX_ROWS][FOLIO_DISC_MAX_COLS][FOLIO_DISC_CELL];
    bool bold[FOLIO_DISC_MAX_ROWS];  /* a total row */
    const struct folio_paragraph *before, *after;  /* wording, NULL = none */
    /* round 25: the library paragraphs of the labels printed (title, heads,
       row labels; not the built-in English), each once, for the coverage
       keys and the manifest's paragraph usage */
    const struct folio_paragraph *label_para[FOLIO_DISC_MAX_LABELS];
    int n_label_para;
    char why[256];                /* when disclosures_compute fails */
} folio_disc_out;

/* Compute section `i` of product `product` for one account into *out.
 * false with out->why on data the section cannot print (an empty required
 * value, an overflow): the caller fails the statement. */
bool disclosures_compute(const folio_disclosures *D, int product, int i,
                         const folio_disc_ctx *ctx, folio_disc_out *out);

/* Styles (indexes into layout->styles) and spacing. */
typedef struct folio_disc_styles {
    int title, header, row;
    int32_t space_after;          /* units */
} folio_disc_styles;
const folio_disc_styles *disclosures_styles(const folio_disclosures *D);

#endif
