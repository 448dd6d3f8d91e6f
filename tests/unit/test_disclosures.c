/* SPDX-License-Identifier: Apache-2.0 */
/*
 * test_disclosures.c -- issue 14 part 1: the arithmetic of the disclosure
 * sections (src/disclosures.c, formulas in docs/disclosures.md): rounding,
 * monthly and daily interest, the minimum-payment formula, the payoff
 * amortisation (zero APR, a payment not above the interest = never, the
 * floor, overflow), the 36-month payment and the APY earned of Reg DD
 * Appendix A.  The figures of the larger cases were computed independently
 * with Python's decimal (tests/e2e/check_disclosures.py does the same for
 * whole statements).
 *
 * Issue 14 (gaps): the period and year-to-date sums of the sections
 * (deposit_fees, deposit_interest, card_totals) and the per-service fee
 * counts of eu_fees, through disclosures_compute() on feeds loaded by the
 * library: the job of examples/disclosures with transactions written here
 * (refunds, other categories, other accounts' rows, a service never used).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <locale.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "folio/disclosures.h"
#include "folio/feed.h"
#include "folio/job.h"
#include "folio/layout.h"
#include "folio/products.h"
#include "disc-labels.h"

#define PCT(x) ((int64_t)((x) * 10000 + 0.5))   /* percent -> rate units */

static void test_round_half_away_from_zero(void **state)
{
    (void)state;
    assert_int_equal(disclosures_round_div(5, 2), 3);
    assert_int_equal(disclosures_round_div(-5, 2), -3);
    assert_int_equal(disclosures_round_div(7, 2), 4);
    assert_int_equal(disclosures_round_div(4, 3), 1);
    assert_int_equal(disclosures_round_div(-4, 3), -1);
    assert_int_equal(disclosures_round_div(1, 3), 0);
    assert_int_equal(disclosures_round_div(-1, 3), 0);
    assert_int_equal(disclosures_round_div(149, 100), 1);
    assert_int_equal(disclosures_round_div(150, 100), 2);
    /* products beyond int64 stay exact in 128 bits */
    __int128 big = (__int128)INT64_MAX * 1000;
    assert_int_equal(disclosures_round_div(big, 1000), INT64_MAX);
}

static void test_interest(void **state)
{
    (void)state;
    /* $1,000.00 at 12%: $10.00 a month */
    assert_int_equal(disclosures_monthly_interest(100000, PCT(12)), 1000);
    /* $3,456.78 at 19.99% / 12 = 57.5841...: $57.58 */
    assert_int_equal(disclosures_monthly_interest(345678, PCT(19.99)), 5758);
    /* half a cent rounds up: $0.06 at 100% / 12 = 0.005 */
    assert_int_equal(disclosures_monthly_interest(6, PCT(100)), 1);
    assert_int_equal(disclosures_monthly_interest(100000, 0), 0);
    /* daily periodic rate: $3,123.45 at 19.99% for 31 days = $53.03 */
    assert_int_equal(disclosures_daily_interest(312345, PCT(19.99), 31), 5303);
    assert_int_equal(disclosures_daily_interest(15000, PCT(26.99), 31), 344);
    assert_int_equal(disclosures_daily_interest(0, PCT(26.99), 31), 0);
}

static void test_min_payment_formula(void **state)
{
    (void)state;
    folio_minpay f = {PCT(2), false, 2500};
    assert_int_equal(disclosures_min_payment(&f, 345678, 5758), 6914);   /* 2% */
    assert_int_equal(disclosures_min_payment(&f, 50000, 0), 2500);       /* the floor */
    assert_int_equal(disclosures_min_payment(&f, 1000, 10), 1010);       /* all that is owed */
    folio_minpay g = {PCT(1), true, 0};
    assert_int_equal(disclosures_min_payment(&g, 100000, 1500), 2500);   /* 1% + interest */
}

static void test_payoff_minimum(void **state)
{
    (void)state;
    int months;
    folio_money total;
    bool ov;
    folio_minpay f = {PCT(2), false, 2500};
    /* decimal amortisation: 413 months, $15,916.05 */
    assert_true(disclosures_payoff_minimum(345678, PCT(19.99), &f, &months, &total, &ov));
    assert_int_equal(months, 413);
    assert_int_equal(total, 1591605);
    /* zero APR: $500.00 at the $25.00 floor = 20 months, exactly the balance */
    assert_true(disclosures_payoff_minimum(50000, 0, &f, &months, &total, &ov));
    assert_int_equal(months, 20);
    assert_int_equal(total, 50000);
    /* 29.99% on $1,200.00: 2% ($24.00, floor $25.00) < $29.99 interest: never */
    assert_false(disclosures_payoff_minimum(120000, PCT(29.99), &f, &months, &total, &ov));
    assert_false(ov);
    /* a payment exactly equal to the interest never pays off either */
    folio_minpay e = {PCT(1), false, 0};
    assert_false(disclosures_payoff_minimum(100000, PCT(12), &e, &months, &total, &ov));
    assert_false(ov);
    /* nothing owed: paid off at once */
    assert_true(disclosures_payoff_minimum(0, PCT(12), &f, &months, &total, &ov));
    assert_int_equal(months, 0);
    assert_int_equal(total, 0);
    /* 1% + interest always pays off */
    folio_minpay g = {PCT(1), true, 1500};
    assert_true(disclosures_payoff_minimum(120000, PCT(29.99), &g, &months, &total, &ov));
    assert_true(months > 36 && total > 120000);
    /* a total beyond int64 is an overflow, never a wrapped figure */
    assert_false(disclosures_payoff_minimum(INT64_MAX - 10, PCT(10), &g, &months, &total, &ov));
    assert_true(ov);
}

static void test_payment_for_months(void **state)
{
    (void)state;
    folio_money p, t;
    /* zero APR: $3,600.00 in 36 months = $100.00 */
    assert_true(disclosures_payment_for_months(360000, 0, 36, &p, &t));
    assert_int_equal(p, 10000);
    assert_int_equal(t, 360000);
    /* $3,601.00: $100.03 (35 of them and $99.95), $100.02 leaves a balance */
    assert_true(disclosures_payment_for_months(360100, 0, 36, &p, &t));
    assert_int_equal(p, 10003);
    assert_int_equal(t, 360100);
    /* decimal: $3,456.78 at 19.99% -> $128.45, total $4,624.07 */
    assert_true(disclosures_payment_for_months(345678, PCT(19.99), 36, &p, &t));
    assert_int_equal(p, 12845);
    assert_int_equal(t, 462407);
    assert_true(disclosures_payment_for_months(120000, PCT(29.99), 36, &p, &t));
    assert_int_equal(p, 5094);
    assert_int_equal(t, 183359);
    assert_false(disclosures_payment_for_months(0, PCT(10), 36, &p, &t));
    /* beyond the largest balance: refused, never an overflowed figure */
    assert_false(disclosures_payment_for_months(INT64_MAX, PCT(1000), 36, &p, &t));
    /* the largest at 1000%: exact, and it pays off in 36 months */
    assert_true(disclosures_payment_for_months(FOLIO_DISC_MAX_BALANCE, PCT(1000), 36, &p, &t));
    assert_true(p > FOLIO_DISC_MAX_BALANCE / 36 && t > FOLIO_DISC_MAX_BALANCE);
}

static void test_apy_earned(void **state)
{
    (void)state;
    int64_t bp;
    /* Reg DD Appendix A: $5.25 on an average daily balance of $1,500.00 over
     * 30 days is an APY earned of 4.34% */
    assert_true(disclosures_apy_earned(525, (__int128)150000 * 30, 30, &bp));
    assert_int_equal(bp, 434);
    /* no interest: 0.00%, whatever the balance */
    assert_true(disclosures_apy_earned(0, 0, 31, &bp));
    assert_int_equal(bp, 0);
    /* interest on a balance that is not positive cannot be expressed */
    assert_false(disclosures_apy_earned(100, 0, 31, &bp));
    assert_false(disclosures_apy_earned(100, -5000, 31, &bp));
    /* a 365-day period: the APY earned is the simple rate, 5.00% */
    assert_true(disclosures_apy_earned(5000, (__int128)100000 * 365, 365, &bp));
    assert_int_equal(bp, 500);
}

static void test_kind_names(void **state)
{
    (void)state;
    assert_string_equal(disclosures_kind_name(FOLIO_DISC_CARD_MINIMUM), "card_minimum_warning");
    assert_string_equal(disclosures_kind_name(FOLIO_DISC_EU_FEES), "eu_fees");
    assert_string_equal(disclosures_kind_name(FOLIO_DISC__COUNT), "");
}

/* ---- the sections' sums on loaded feeds ------------------------------------------ */

static const char *root(void)
{
    const char *r = getenv("FOLIO_ROOT");
    return r ? r : ".";
}

static void write_file(const char *path, const char *text)
{
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    assert_int_equal(fputs(text, f) >= 0, 1);
    assert_int_equal(fclose(f), 0);
}

/* s with every `from` replaced by `to` (malloc'd) */
static char *replace_all(const char *s, const char *from, const char *to)
{
    size_t n = 0, lf = strlen(from), lt = strlen(to);
    for (const char *p = strstr(s, from); p; p = strstr(p + lf, from))
        n++;
    char *out = malloc(strlen(s) + n * lt + 1), *o = out;
    assert_non_null(out);
    for (const char *p; (p = strstr(s, from)); s = p + lf) {
        memcpy(o, s, (size_t)(p - s));
        o += p - s;
        memcpy(o, to, lt);
        o += lt;
    }
    strcpy(o, s);
    return out;
}

typedef struct sums_world {
    char dir[64];
    folio_job *job;
    folio_layout *L;
    folio_dataset *ds;
} sums_world;

/* Card rows: K1001 two fees and a fee refund (net $29.00), two interest
 * charges ($56.47), a purchase and a payment that are neither; K2002 a fee
 * and interest that are not K1001's; K3003 none (period 0, YTD = prior).
 * Deposit rows: D1001 three overdraft rows with a refund (net $35.00), a
 * returned-item fee, interest $0.85 and uncategorised rows; D2002 interest
 * only.  EU rows: E1001 three ATM withdrawals (one on another day), one
 * maintenance fee, a card payment that is no listed service, no transfer. */
static int sums_setup(void **state)
{
    sums_world *w = calloc(1, sizeof *w);
    assert_non_null(w);
    strcpy(w->dir, "/tmp/folio-test-disc-XXXXXX");
    assert_non_null(mkdtemp(w->dir));
    char p[1200], fix[1024];
    snprintf(fix, sizeof fix, "%s/examples/disclosures/", root());
    snprintf(p, sizeof p, "%s/card_transactions.csv", w->dir);
    write_file(p, "acct,date,desc,amount,cat\n"
                  "K1001,2026-10-03,Grocery store,-120.00,PUR\n"
                  "K2002,2026-10-04,Annual fee,-95.00,FEE\n"
                  "K1001,2026-10-09,Payment - thank you,200.00,PAY\n"
                  "K1001,2026-10-15,Late fee,-29.00,FEE\n"
                  "K1001,2026-10-16,Returned payment fee,-10.00,FEE\n"
                  "K1001,2026-10-20,Fee refund,10.00,FEE\n"
                  "K2002,2026-10-31,Interest charge on purchases,-30.06,INT\n"
                  "K1001,2026-10-31,Interest charge on purchases,-53.03,INT\n"
                  "K1001,2026-10-31,Interest charge on cash advances,-3.44,INT\n"
                  "K3003,2026-10-20,Furniture,-500.00,PUR\n");
    snprintf(p, sizeof p, "%s/deposit_transactions.csv", w->dir);
    write_file(p, "acct,date,desc,amount,cat\n"
                  "D1001,2026-10-01,Payroll,2500.00,\n"
                  "D1001,2026-10-06,Overdraft fee,-35.00,OD\n"
                  "D1001,2026-10-12,Returned item fee,-25.00,NSF\n"
                  "D2002,2026-10-12,Transfer in,1000.00,\n"
                  "D1001,2026-10-13,Overdraft fee,-35.00,OD\n"
                  "D1001,2026-10-20,Overdraft fee refund,35.00,OD\n"
                  "D1001,2026-10-31,Interest paid,0.85,INT\n"
                  "D2002,2026-10-31,Interest paid,3.91,INT\n");
    snprintf(p, sizeof p, "%s/eu_transactions.csv", w->dir);
    write_file(p, "acct,date,desc,amount,cat\n"
                  "E1001,2026-10-02,Salary,2100.00,IN\n"
                  "E1001,2026-10-03,Cash withdrawal ATM,-2.00,ATM\n"
                  "E1001,2026-10-03,Card payment,-200.00,CARD\n"
                  "E1001,2026-10-03,Cash withdrawal ATM,-2.00,ATM\n"
                  "E1001,2026-10-15,Cash withdrawal ATM,-2.50,ATM\n"
                  "E1001,2026-10-31,Account maintenance,-5.00,KEEP\n");
    /* the fixture's job: its layout and other feeds where they are */
    char jp[1200];
    snprintf(jp, sizeof jp, "%sjob.yaml", fix);
    FILE *f = fopen(jp, "r");
    assert_non_null(f);
    static char text[16384];
    size_t n = fread(text, 1, sizeof text - 1, f);
    fclose(f);
    text[n] = 0;
    char lay[1200], pth[1200], mine[1200];
    snprintf(lay, sizeof lay, "layout: %slayout.yaml", fix);
    snprintf(pth, sizeof pth, "path: %s", fix);
    char *a = replace_all(text, "layout: layout.yaml", lay);
    char *b = replace_all(a, "path: ", pth);
    free(a);
    static const char *const MINE[] = {"card_transactions.csv", "deposit_transactions.csv",
                                       "eu_transactions.csv"};
    for (int i = 0; i < 3; i++) {
        snprintf(pth, sizeof pth, "%s%s", fix, MINE[i]);
        snprintf(mine, sizeof mine, "%s/%s", w->dir, MINE[i]);
        a = replace_all(b, pth, mine);
        free(b);
        b = a;
    }
    snprintf(jp, sizeof jp, "%s/job.yaml", w->dir);
    write_file(jp, b);
    free(b);
    folio_error err = {0};
    w->job = job_load(jp, &err);
    if (!w->job)
        fail_msg("job: %s", err.msg);
    w->L = layout_load_attrs(w->job->layout_path, w->job->attrs, &err);
    if (!w->L || !products_bind(w->job, w->L, &err) ||
        !disclosures_bind(w->L->disclosures, w->job, w->L->path, &err))
        fail_msg("layout: %s", err.msg);
    w->ds = feed_load_all(w->job, 1, &err);
    if (!w->ds)
        fail_msg("feeds: %s", err.msg);
    assert_int_equal(w->ds->n_rejects, 0);
    *state = w;
    return 0;
}

static int sums_teardown(void **state)
{
    sums_world *w = *state;
    static const char *const F[] = {"card_transactions.csv", "deposit_transactions.csv",
                                    "eu_transactions.csv", "job.yaml"};
    char p[1200];
    for (int i = 0; i < 4; i++) {
        snprintf(p, sizeof p, "%s/%s", w->dir, F[i]);
        unlink(p);
    }
    rmdir(w->dir);
    feed_dataset_free(w->ds);
    layout_free(w->L);
    job_free(w->job);
    free(w);
    return 0;
}

static size_t cents(void *user, folio_money m, char *buf, size_t cap)
{
    (void)user;
    int n = snprintf(buf, cap, "%lld", (long long)m);   /* minor units, no style */
    return n < 0 ? 0 : (size_t)n;
}

/* Section `kind` of account `id` computed from the loaded feeds into *o. */
static void section(const sums_world *w, const char *id, const char *kind, folio_disc_out *o)
{
    const folio_dataset *ds = w->ds;
    uint32_t ai = 0;
    while (ai < ds->n_accounts && strcmp(ds->accounts[ai].id, id))
        ai++;
    assert_true(ai < ds->n_accounts);
    int pr = 0;
    while (pr < w->L->n_products && strcmp(w->L->products[pr].code, ds->accounts[ai].product))
        pr++;
    assert_true(pr < w->L->n_products);
    uint32_t first = 0, n = 0;      /* its transactions: contiguous, sorted by account */
    while (first < ds->n_txns && ds->txns[first].account != ai)
        first++;
    while (first + n < ds->n_txns && ds->txns[first + n].account == ai)
        n++;
    folio_disc_ctx x = {.ds = ds, .attrs = w->job->attrs, .account = ai, .first = first,
                        .n = n, .closing = ds->accounts[ai].closing_balance,
                        .minor_digits = 2, .period_start = w->job->period_start,
                        .period_end = w->job->period_end, .date_format = "MM/DD/YYYY",
                        .decimal = '.', .money = cents, .lang = 0};
    const folio_disclosures *D = w->L->disclosures;
    for (int i = 0; i < disclosures_count(D, pr); i++) {
        if (!disclosures_compute(D, pr, i, &x, o))
            fail_msg("%s %s: %s", id, kind, o->why);
        if (!strcmp(o->kind, kind))
            return;
    }
    fail_msg("account %s has no section %s", id, kind);
}

/* The cells after the label of the row labelled `label` ("" = none). */
static void row_is(const folio_disc_out *o, const char *label, const char *c1, const char *c2)
{
    for (int r = 0; r < o->n_rows; r++)
        if (!strcmp(o->cell[r][0], label)) {
            assert_string_equal(o->cell[r][1], c1);
            assert_string_equal(o->cell[r][2], c2);
            return;
        }
    fail_msg("no row '%s'", label);
}

static void test_sums_card(void **state)
{
    const sums_world *w = *state;
    folio_disc_out *o = malloc(sizeof *o);
    assert_non_null(o);
    /* K1001: fees 29.00 + 10.00 - 10.00 refund = 29.00, YTD 58.00 prior + 29.00;
     * interest 53.03 + 3.44 = 56.47, YTD 412.37 + 56.47 = 468.84 */
    section(w, "K1001", "card_totals", o);
    row_is(o, "Total fees charged", "2900", "8700");
    row_is(o, "Total interest charged", "5647", "46884");
    /* K2002: its own rows only: 95.00 (YTD 95.00 + 95.00), 30.06 (188.10 + 30.06) */
    section(w, "K2002", "card_totals", o);
    row_is(o, "Total fees charged", "9500", "19000");
    row_is(o, "Total interest charged", "3006", "21816");
    /* K3003: no fee or interest row: 0 for the period, the prior YTD (0) */
    section(w, "K3003", "card_totals", o);
    row_is(o, "Total fees charged", "0", "0");
    row_is(o, "Total interest charged", "0", "0");
    free(o);
}

static void test_sums_deposit(void **state)
{
    const sums_world *w = *state;
    folio_disc_out *o = malloc(sizeof *o);
    assert_non_null(o);
    /* D1001: overdraft 35.00 + 35.00 - 35.00 refund = 35.00, YTD 70.00 + 35.00;
     * returned items 25.00, YTD 25.00 + 25.00 */
    section(w, "D1001", "deposit_fees", o);
    row_is(o, "Total Overdraft Fees", "3500", "10500");
    row_is(o, "Total Returned Item Fees", "2500", "5000");
    section(w, "D2002", "deposit_fees", o);
    row_is(o, "Total Overdraft Fees", "0", "0");
    row_is(o, "Total Returned Item Fees", "0", "0");
    /* interest paid: the INT rows of the account only; YTD 6.40 + 0.85 and
     * 30.12 + 3.91 */
    section(w, "D1001", "deposit_interest", o);
    assert_string_equal(o->cell[0][0], "Interest paid this period");
    assert_string_equal(o->cell[0][1], "85");
    assert_string_equal(o->cell[2][0], "Interest paid year-to-date");
    assert_string_equal(o->cell[2][1], "725");
    section(w, "D2002", "deposit_interest", o);
    assert_string_equal(o->cell[0][1], "391");
    assert_string_equal(o->cell[2][1], "3403");
    free(o);
}

static void test_eu_fee_counts(void **state)
{
    const sums_world *w = *state;
    folio_disc_out *o = malloc(sizeof *o);
    assert_non_null(o);
    section(w, "E1001", "eu_fees", o);
    /* services in the layout's order; the transfer never used has no row, the
     * card payment is no listed service: maintenance 1 x 5.00, ATM 3 x
     * (2.00 + 2.00 + 2.50) = 6.50, total 11.50 */
    assert_int_equal(o->ncols, 3);
    assert_true(o->has_head);
    assert_int_equal(o->n_rows, 5);
    row_is(o, "Maintaining the account", "1", "500");
    row_is(o, "Cash withdrawal (ATM)", "3", "650");
    assert_string_equal(o->cell[0][0], "Maintaining the account");
    assert_string_equal(o->cell[1][0], "Cash withdrawal (ATM)");
    row_is(o, "Total fees", "", "1150");
    assert_true(o->bold[2]);
    for (int r = 0; r < o->n_rows; r++)
        assert_null(strstr(o->cell[r][0], "Credit transfer"));
    free(o);
}

/* Round 25: counted nouns by the language's plural rule (CLDR, whole
 * numbers); languages needing more than two forms, or unknown, are refused. */
static void test_plural_rules(void **state)
{
    (void)state;
    int en = disc_plural_rule("en"), fr = disc_plural_rule("fr");
    assert_int_equal(en, DISC_PLURAL_ONE);
    assert_int_equal(disc_plural_rule("es"), DISC_PLURAL_ONE);
    assert_int_equal(disc_plural_rule("EN-us"), DISC_PLURAL_ONE);
    assert_int_equal(disc_plural_rule("de_CH"), DISC_PLURAL_ONE);
    assert_int_equal(fr, DISC_PLURAL_ZERO_ONE);
    assert_int_equal(disc_plural_rule("pt-BR"), DISC_PLURAL_ZERO_ONE);
    for (const char *const *c = (const char *const[]){"cs", "pl", "ru", "uk", "ar", "he", "lt",
                                                     "ro", "english", "", "e", NULL}; *c; c++)
        assert_int_equal(disc_plural_rule(*c), DISC_PLURAL_UNKNOWN);
    assert_true(disc_plural_singular(en, 1));
    assert_false(disc_plural_singular(en, 0));
    assert_false(disc_plural_singular(en, 2));
    assert_false(disc_plural_singular(en, 31));
    assert_false(disc_plural_singular(en, 21));   /* not "ends in 1" */
    assert_true(disc_plural_singular(fr, 0));
    assert_true(disc_plural_singular(fr, 1));
    assert_false(disc_plural_singular(fr, 2));
    /* the label picked: no language table means English */
    disc_labels none = {0};
    assert_int_equal(disc_label_count(&none, 0, 1, DL_DAY, DL_DAYS), DL_DAY);
    assert_int_equal(disc_label_count(&none, 0, 30, DL_DAY, DL_DAYS), DL_DAYS);
    unsigned char pl[2] = {DISC_PLURAL_ONE, DISC_PLURAL_ZERO_ONE};
    disc_labels two = {.plural = pl, .n_languages = 2};
    assert_int_equal(disc_label_count(&two, 1, 0, DL_YEAR, DL_YEARS), DL_YEAR);
    assert_int_equal(disc_label_count(&two, 0, 0, DL_YEAR, DL_YEARS), DL_YEARS);
    assert_string_equal(disc_label_english(DL_DAY), "day");
    assert_string_equal(disc_label_english(DL_DAYS), "days");
}

int main(void)
{
    setlocale(LC_ALL, "");
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_round_half_away_from_zero),
        cmocka_unit_test(test_interest),
        cmocka_unit_test(test_min_payment_formula),
        cmocka_unit_test(test_payoff_minimum),
        cmocka_unit_test(test_payment_for_months),
        cmocka_unit_test(test_apy_earned),
        cmocka_unit_test(test_kind_names),
        cmocka_unit_test_setup_teardown(test_sums_card, sums_setup, sums_teardown),
        cmocka_unit_test_setup_teardown(test_sums_deposit, sums_setup, sums_teardown),
        cmocka_unit_test_setup_teardown(test_eu_fee_counts, sums_setup, sums_teardown),

        cmocka_unit_test(test_plural_rules),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
