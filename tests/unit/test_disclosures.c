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
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <locale.h>
#include <stdio.h>

#include "folio/disclosures.h"
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
        cmocka_unit_test(test_plural_rules),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
