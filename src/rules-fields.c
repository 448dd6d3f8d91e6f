/* SPDX-License-Identifier: Apache-2.0 */
/*
 * rules-fields.c -- the default field catalogue: household, customer,
 * account and transaction fields read from the loaded dataset.
 *
 * Getters receive a zeroed value and the index of their record (see
 * folio_rule_scope); they never allocate.  Money is converted to rule numbers
 * with the minor digits of the record's feed (ctx->job), 2 without a job.
 * Card accounts (card.*) are the household's accounts whose product code
 * contains "card" (ASCII case-insensitive), e.g. "credit_card".
 */
#include "rules-private.h"
#include "events-private.h"
#include "folio/codes.h"
#include "folio/household.h"
#include "folio/job.h"

#include <stddef.h>
#include <string.h>

#define OFF(type, member) ((const void *)(uintptr_t)offsetof(type, member))
#define OFFSET(f) ((size_t)(uintptr_t)(f)->user)

static void set_str(folio_rule_value *out, const char *s)
{
    out->str = s ? s : "";
    out->len = (uint32_t)strlen(out->str);
}

static void set_date(folio_rule_value *out, folio_date d)
{
    out->num = d;
    out->absent = d == FOLIO_DATE_NONE;
}

static int minor_digits(const folio_rule_ctx *ctx, uint16_t feed)
{
    if (ctx->job && feed < ctx->job->n_feeds && ctx->job->feeds)
        return ctx->job->feeds[feed].minor_digits;
    return 2;
}

static void set_money(const folio_rule_ctx *ctx, const folio_account *acc, folio_money m,
                      folio_rule_value *out)
{
    out->num = rules_number_from_money(m, minor_digits(ctx, acc->feed), &out->inexact);
    out->ccy = acc->currency;   /* issue 10 part 6: no sums across currencies */
}

/* ---- household ------------------------------------------------------------ */

static void g_hh_id(const folio_rule_ctx *ctx, const folio_rule_field *f, uint32_t i,
                    folio_rule_value *out)
{
    (void)f;
    set_str(out, ctx->hs->v[i].id);
}

static void g_hh_size(const folio_rule_ctx *ctx, const folio_rule_field *f, uint32_t i,
                      folio_rule_value *out)
{
    (void)f;
    out->num = (int64_t)ctx->hs->v[i].n_customers * FOLIO_RULE_SCALE;
}

static bool is_card(const char *product)
{
    if (!product)
        return false;
    for (const char *p = product; *p; p++)
        if ((p[0] | 32) == 'c' && (p[1] | 32) == 'a' && (p[2] | 32) == 'r' && (p[3] | 32) == 'd')
            return true;
    return false;
}

/* user: 0 balance, 1 limit, 2 utilization */
static void g_card(const folio_rule_ctx *ctx, const folio_rule_field *f, uint32_t i,
                   folio_rule_value *out)
{
    const folio_household *h = &ctx->hs->v[i];
    __int128 bal = 0, lim = 0;
    bool inexact = false;
    const char *ccy = NULL;
    for (uint32_t j = 0; j < h->n_accounts; j++) {
        const folio_account *a = &ctx->ds->accounts[ctx->hs->account_idx[h->first_account + j]];
        if (!is_card(a->product))
            continue;
        if (rules_ccy_mix(&ccy, a->currency)) {   /* issue 10 part 6: cards in */
            out->absent = true;                   /* two currencies: no sum */
            return;
        }
        int md = minor_digits(ctx, a->feed);
        int64_t b = rules_number_from_money(a->closing_balance, md, &inexact);
        bal += b > 0 ? b : 0;   /* a credit balance is no utilization */
        lim += rules_number_from_money(a->credit_limit, md, &inexact);
    }
    int what = (int)OFFSET(f);
    __int128 v = what == 0 ? bal : lim;
    if (what == 2) {
        if (lim <= 0) {
            out->absent = true;
            return;
        }
        /* exact ratio rounded down to 4 decimals, flagged when not exact */
        __int128 num = bal * FOLIO_RULE_SCALE;
        v = num / lim;
        if (num % lim)
            inexact = true;
    }
    out->num = v > INT64_MAX ? INT64_MAX : (int64_t)v;
    out->inexact = inexact;
    out->ccy = what == 2 ? NULL : ccy;
}

/* user: 0 today, 1 period start, 2 period end */
static void g_job_date(const folio_rule_ctx *ctx, const folio_rule_field *f, uint32_t i,
                       folio_rule_value *out)
{
    (void)i;
    int what = (int)OFFSET(f);
    set_date(out, what == 0 ? ctx->today : what == 1 ? ctx->period_start : ctx->period_end);
}

static void g_channel(const folio_rule_ctx *ctx, const folio_rule_field *f, uint32_t i,
                      folio_rule_value *out)
{
    (void)f;
    (void)i;
    set_str(out, ctx->channel);
}

/* ---- customer ------------------------------------------------------------- */

static void g_cust_str(const folio_rule_ctx *ctx, const folio_rule_field *f, uint32_t i,
                       folio_rule_value *out)
{
    const char *c = (const char *)&ctx->ds->customers[i];
    set_str(out, *(const char *const *)(c + OFFSET(f)));
}

static void g_cust_date(const folio_rule_ctx *ctx, const folio_rule_field *f, uint32_t i,
                        folio_rule_value *out)
{
    const char *c = (const char *)&ctx->ds->customers[i];
    set_date(out, *(const folio_date *)(c + OFFSET(f)));
}

static void g_age(const folio_rule_ctx *ctx, const folio_rule_field *f, uint32_t i,
                  folio_rule_value *out)
{
    (void)f;
    folio_date b = ctx->ds->customers[i].birth_date;
    if (b == FOLIO_DATE_NONE || ctx->today == FOLIO_DATE_NONE || ctx->today < b) {
        out->absent = true;
        return;
    }
    out->num = (int64_t)(folio_date_months_between(b, ctx->today) / 12) * FOLIO_RULE_SCALE;
}

static void g_delivery(const folio_rule_ctx *ctx, const folio_rule_field *f, uint32_t i,
                       folio_rule_value *out)
{
    (void)f;
    static const char *const names[] = {"print", "email", "both", "none"};
    uint8_t d = ctx->ds->customers[i].delivery;
    set_str(out, d < 4 ? names[d] : "");
}

static void g_consent(const folio_rule_ctx *ctx, const folio_rule_field *f, uint32_t i,
                      folio_rule_value *out)
{
    (void)f;
    out->num = ctx->ds->customers[i].marketing_consent;
}

/* ---- account -------------------------------------------------------------- */

static void g_acct_str(const folio_rule_ctx *ctx, const folio_rule_field *f, uint32_t i,
                       folio_rule_value *out)
{
    const char *a = (const char *)&ctx->ds->accounts[i];
    set_str(out, *(const char *const *)(a + OFFSET(f)));
}

static void g_acct_money(const folio_rule_ctx *ctx, const folio_rule_field *f, uint32_t i,
                         folio_rule_value *out)
{
    const folio_account *acc = &ctx->ds->accounts[i];
    size_t off = OFFSET(f);
    if (off == offsetof(folio_account, opening_balance) && !acc->has_opening) {
        out->absent = true;
        return;
    }
    set_money(ctx, acc, *(const folio_money *)((const char *)acc + off), out);
}

static void g_acct_date(const folio_rule_ctx *ctx, const folio_rule_field *f, uint32_t i,
                        folio_rule_value *out)
{
    const char *a = (const char *)&ctx->ds->accounts[i];
    set_date(out, *(const folio_date *)(a + OFFSET(f)));
}

static void g_rate(const folio_rule_ctx *ctx, const folio_rule_field *f, uint32_t i,
                   folio_rule_value *out)
{
    (void)f;
    /* 1/1000 percent -> 1/10000 units of a percent */
    out->num = (int64_t)ctx->ds->accounts[i].rate_milli_pct * 10;
}

static void g_acct_util(const folio_rule_ctx *ctx, const folio_rule_field *f, uint32_t i,
                        folio_rule_value *out)
{
    (void)f;
    const folio_account *a = &ctx->ds->accounts[i];
    if (a->credit_limit <= 0) {
        out->absent = true;
        return;
    }
    /* same minor units on both sides: the ratio needs no conversion */
    out->num = rules_div_scale(a->closing_balance, a->credit_limit, &out->inexact);
}

/* ---- holders (issue 10 part 2) ---------------------------------------------- */

static void g_cust_role(const folio_rule_ctx *ctx, const folio_rule_field *f, uint32_t i,
                        folio_rule_value *out)
{
    (void)f;
    set_str(out, folio_role_name(feed_customer_role(ctx->ds, i)));
}

static void g_acct_holders(const folio_rule_ctx *ctx, const folio_rule_field *f, uint32_t i,
                           folio_rule_value *out)
{
    (void)f;
    const folio_holder *h;
    size_t n = holders_of_account(ctx->ds, i, &h), k = 1;      /* the owner */
    for (size_t j = 0; j < n; j++)
        k += h[j].customer != ctx->ds->accounts[i].owner;
    out->num = (int64_t)k * FOLIO_RULE_SCALE;
}

static void g_hh_by(const folio_rule_ctx *ctx, const folio_rule_field *f, uint32_t i,
                    folio_rule_value *out)
{
    (void)f;
    set_str(out, household_by_name(household_by(ctx->hs, i)));
}

/* ---- transaction ---------------------------------------------------------- */

static void g_txn_amount(const folio_rule_ctx *ctx, const folio_rule_field *f, uint32_t i,
                         folio_rule_value *out)
{
    (void)f;
    const folio_txn *t = &ctx->ds->txns[i];
    set_money(ctx, &ctx->ds->accounts[t->account], t->amount, out);
}

static void g_txn_date(const folio_rule_ctx *ctx, const folio_rule_field *f, uint32_t i,
                       folio_rule_value *out)
{
    (void)f;
    set_date(out, ctx->ds->txns[i].date);
}

static void g_txn_desc(const folio_rule_ctx *ctx, const folio_rule_field *f, uint32_t i,
                       folio_rule_value *out)
{
    (void)f;
    /* translated text (issue 10 part 4): the household's statement language */
    const folio_txn *t = &ctx->ds->txns[i];
    int lang = 0;
    if (t->desc_langs > 1 && ctx->job && ctx->job->codes && ctx->hs && ctx->hh < ctx->hs->n) {
        const folio_household *h = &ctx->hs->v[ctx->hh];
        const folio_customer *c =
            h->n_customers ? &ctx->ds->customers[ctx->hs->customer_idx[h->first_customer]]
                           : NULL;
        lang = codes_lang_index(ctx->job->codes, c ? c->language : NULL);
    }
    set_str(out, codes_txn_text(t, lang));
}

/* ---- the catalogue ---------------------------------------------------------- */

#define HH FOLIO_RS_HOUSEHOLD
#define CU FOLIO_RS_CUSTOMER
#define AC FOLIO_RS_ACCOUNT
#define TX FOLIO_RS_TXN
#define B FOLIO_RT_BOOL
#define N FOLIO_RT_NUMBER
#define S FOLIO_RT_STRING
#define D FOLIO_RT_DATE
#define U(v) ((const void *)(uintptr_t)(v))

static const folio_rule_field default_fields[] = {
    /* household */
    {"household.id", HH, S, g_hh_id, NULL, "household id"},
    {"household.size", HH, N, g_hh_size, NULL, "number of customers in the household"},
    {"card.balance", HH, N, g_card, U(0), "sum of the card accounts' positive closing balances"},
    {"card.limit", HH, N, g_card, U(1), "sum of the card accounts' credit limits"},
    {"card.utilization", HH, N, g_card, U(2),
     "card.balance / card.limit (unknown when there is no limit)"},
    {"today", HH, D, g_job_date, U(0), "the statement date"},
    {"statement_date", HH, D, g_job_date, U(0), "the statement date"},
    {"period_start", HH, D, g_job_date, U(1), "first day of the statement period"},
    {"period_end", HH, D, g_job_date, U(2), "last day of the statement period"},
    {"channel", HH, S, g_channel, NULL, "delivery channel of the statement (set by the caller)"},
    /* issue 15 part 2: events (inside `events where`) and stages (src/events.c) */
    {"statement.date", HH, D, g_job_date, U(0), "the statement date"},
    {"stage", HH, S, events_get_stage, NULL, "relationship stage (job stages:), \"\" when none"},
    {"type", FOLIO_RS_EVENT, S, events_get_str, U(0), "event type, e.g. \"payment\""},
    {"date", FOLIO_RS_EVENT, D, events_get_date, NULL, "event date"},
    {"channel", FOLIO_RS_EVENT, S, events_get_str, U(1), "event channel (\"\" when none)"},
    {"event.key", FOLIO_RS_EVENT, S, events_get_str, U(2), "the id the event row names"},
    /* issue 15 (r-journey): the contact history's rows are events of type "contact" */
    {"event.offer", FOLIO_RS_EVENT, S, events_get_str, U(3),
     "the offer id of a contact (type \"contact\"), \"\" for other events"},
    /* customer */
    {"customer.id", CU, S, g_cust_str, OFF(folio_customer, id), "customer id"},
    {"first_name", CU, S, g_cust_str, OFF(folio_customer, first_name), "first name"},
    {"last_name", CU, S, g_cust_str, OFF(folio_customer, last_name), "last name"},
    {"city", CU, S, g_cust_str, OFF(folio_customer, city), "city"},
    {"state", CU, S, g_cust_str, OFF(folio_customer, state), "state or region, e.g. \"CA\""},
    {"postal_code", CU, S, g_cust_str, OFF(folio_customer, postal_code), "postal code"},
    {"country", CU, S, g_cust_str, OFF(folio_customer, country), "country"},
    {"language", CU, S, g_cust_str, OFF(folio_customer, language), "ISO 639-1 code, e.g. \"es\""},
    {"email", CU, S, g_cust_str, OFF(folio_customer, email), "e-mail address (\"\" when none)"},
    {"segment", CU, S, g_cust_str, OFF(folio_customer, segment), "segment, e.g. \"affluent\""},
    {"delivery", CU, S, g_delivery, NULL, "\"print\", \"email\", \"both\" or \"none\""},
    {"marketing_consent", CU, B, g_consent, NULL, "the customer accepts marketing"},
    {"birth_date", CU, D, g_cust_date, OFF(folio_customer, birth_date), "birth date"},
    {"customer_since", CU, D, g_cust_date, OFF(folio_customer, customer_since),
     "date the customer joined"},
    {"age", CU, N, g_age, NULL, "whole years at the statement date"},
    /* account */
    {"account.id", AC, S, g_acct_str, OFF(folio_account, id), "account id"},
    {"product", AC, S, g_acct_str, OFF(folio_account, product), "product code, e.g. \"credit_card\""},
    {"product_name", AC, S, g_acct_str, OFF(folio_account, product_name), "product name"},
    {"currency", AC, S, g_acct_str, OFF(folio_account, currency), "ISO 4217 code"},
    {"balance", AC, N, g_acct_money, OFF(folio_account, closing_balance), "closing balance"},
    {"opening_balance", AC, N, g_acct_money, OFF(folio_account, opening_balance),
     "opening balance (unknown when the feed has none)"},
    {"credit_limit", AC, N, g_acct_money, OFF(folio_account, credit_limit), "credit limit"},
    {"minimum_due", AC, N, g_acct_money, OFF(folio_account, minimum_due), "minimum payment due"},
    {"rate", AC, N, g_rate, NULL, "interest rate in percent (4.25)"},
    {"opened_date", AC, D, g_acct_date, OFF(folio_account, opened_date), "date opened"},
    {"due_date", AC, D, g_acct_date, OFF(folio_account, due_date), "payment due date"},
    {"utilization", AC, N, g_acct_util, NULL, "balance / credit_limit (unknown without a limit)"},
    /* holders (issue 10 part 2) */
    {"customer.role", CU, S, g_cust_role, NULL,
     "strongest role held: \"owner\", \"joint\", \"authorised_user\", \"disponent\" or \"\""},
    {"account.holders", AC, N, g_acct_holders, NULL, "number of holders, the owner included"},
    {"household.by", HH, S, g_hh_by, NULL,
     "how the household was formed: \"id\", \"shared_accounts\", \"address\", \"customer\""},
    /* transaction */
    {"amount", TX, N, g_txn_amount, NULL, "signed amount: credit > 0, debit < 0"},
    {"date", TX, D, g_txn_date, NULL, "posting date"},
    {"description", TX, S, g_txn_desc, NULL, "description text"},
};

static const folio_rule_catalog default_catalog = {
    default_fields, sizeof default_fields / sizeof *default_fields, NULL};

const folio_rule_catalog *rules_catalog_default(void) { return &default_catalog; }
