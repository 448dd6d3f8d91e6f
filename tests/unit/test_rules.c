/* SPDX-License-Identifier: Apache-2.0 */
/*
 * test_rules.c -- the rules language: parsing, precedence, every operator and
 * function, error messages with positions and carets, evaluation against
 * hand-built households, exact fixed point, explain, no allocation during
 * evaluation, parallel evaluation, and a throughput measurement.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "folio/rules.h"
#include "folio/codes.h"

/* ---- allocation counter ----------------------------------------------------
 * The test binary interposes malloc & co. (forwarding to glibc) and counts
 * calls while `counting` is set.  Not under AddressSanitizer, which owns the
 * allocator; there the no-allocation test is skipped. */
#if !defined(__SANITIZE_ADDRESS__)
#define HAVE_MALLOC_COUNT 1
extern void *__libc_malloc(size_t);
extern void *__libc_calloc(size_t, size_t);
extern void *__libc_realloc(void *, size_t);
extern void __libc_free(void *);
static atomic_long n_allocs;
static atomic_int counting;
void *malloc(size_t n)
{
    if (atomic_load_explicit(&counting, memory_order_relaxed))
        atomic_fetch_add(&n_allocs, 1);
    return __libc_malloc(n);
}
void *calloc(size_t a, size_t b)
{
    if (atomic_load_explicit(&counting, memory_order_relaxed))
        atomic_fetch_add(&n_allocs, 1);
    return __libc_calloc(a, b);
}
void *realloc(void *p, size_t n)
{
    if (atomic_load_explicit(&counting, memory_order_relaxed))
        atomic_fetch_add(&n_allocs, 1);
    return __libc_realloc(p, n);
}
void free(void *p)
{
    if (p && atomic_load_explicit(&counting, memory_order_relaxed))
        atomic_fetch_add(&n_allocs, 1);
    __libc_free(p);
}
#endif

/* ---- a hand-built dataset -------------------------------------------------- */

static folio_date D(int y, int m, int d)
{
    folio_date out;
    assert_true(folio_date_from_ymd(y, m, d, &out));
    return out;
}

static folio_customer customers[4];
static folio_account accounts[6];
static folio_txn txns[7];
static folio_dataset ds;
static folio_household hh[3];
static uint32_t cust_idx[4] = {0, 1, 2, 3};
static uint32_t acct_idx[6] = {0, 1, 2, 3, 4, 5};
static folio_households hs;

static folio_customer mkcust(const char *id, const char *hid, folio_date birth, const char *state,
                             const char *lang, const char *segment, folio_delivery dl,
                             bool consent, folio_date since)
{
    folio_customer c;
    memset(&c, 0, sizeof c);
    c.id = id;
    c.household_id = hid;
    c.first_name = "Ann";
    c.last_name = id;
    c.address1 = "1 Main St";
    c.address2 = "";
    c.city = "Springfield";
    c.state = state;
    c.postal_code = "00001";
    c.country = "US";
    c.language = lang;
    c.email = "";
    c.segment = segment;
    c.birth_date = birth;
    c.customer_since = since;
    c.delivery = (uint8_t)dl;
    c.marketing_consent = consent;
    return c;
}

static folio_account mkacct(const char *id, uint32_t owner, const char *product, folio_money bal,
                            folio_money limit, int32_t rate, folio_date opened, uint32_t first_txn,
                            uint32_t n_txn)
{
    folio_account a;
    memset(&a, 0, sizeof a);
    a.id = id;
    a.owner_id = customers[owner].id;
    a.owner = owner;
    a.product = product;
    a.product_name = "";
    a.currency = "USD";
    a.closing_balance = bal;
    a.credit_limit = limit;
    a.rate_milli_pct = rate;
    a.opened_date = opened;
    a.due_date = FOLIO_DATE_NONE;
    a.first_txn = first_txn;
    a.n_txn = n_txn;
    return a;
}

static folio_txn mktxn(uint32_t account, folio_date date, folio_money amount, const char *desc)
{
    folio_txn t;
    memset(&t, 0, sizeof t);
    t.account = account;
    t.date = date;
    t.amount = amount;
    t.description = desc;
    return t;
}

static folio_rule_ctx ctx_for(uint32_t h)
{
    folio_rule_ctx c;
    memset(&c, 0, sizeof c);
    c.ds = &ds;
    c.hs = &hs;
    c.hh = h;
    c.today = D(2026, 10, 31);
    c.period_start = D(2026, 10, 1);
    c.period_end = D(2026, 10, 31);
    c.channel = "print";
    return c;
}

static int setup(void **state)
{
    (void)state;
    /* H1: two customers (primary 58, CA, joined 46 days ago), four accounts */
    customers[0] = mkcust("C1", "H1", D(1968, 3, 15), "CA", "en", "affluent",
                          FOLIO_DELIVERY_PRINT, true, D(2026, 9, 15));
    customers[1] = mkcust("C2", "H1", D(1995, 6, 1), "CA", "es", "mass", FOLIO_DELIVERY_EMAIL,
                          false, D(2015, 1, 1));
    /* H2: birth date unknown, NY, no marketing consent; card at 0.80001 */
    customers[2] = mkcust("C3", "H2", FOLIO_DATE_NONE, "NY", "en", "mass", FOLIO_DELIVERY_BOTH,
                          false, D(2001, 5, 5));
    /* H3: exactly 55 on the statement date, no accounts */
    customers[3] = mkcust("C4", "H3", D(1971, 10, 31), "TX", "en", "senior",
                          FOLIO_DELIVERY_NONE, true, FOLIO_DATE_NONE);

    accounts[0] = mkacct("A1", 0, "checking", 150000, 0, 10, D(2010, 1, 1), 0, 3);
    accounts[1] = mkacct("A2", 1, "savings", 2500000, 0, 425, D(2016, 2, 2), 3, 0);
    accounts[2] = mkacct("A3", 0, "credit_card", 80000, 100000, 19990, D(2026, 9, 1), 3, 3);
    accounts[3] = mkacct("A4", 0, "mortgage", 25000000, 0, 4250, D(2012, 7, 1), 6, 0);
    accounts[4] = mkacct("A5", 2, "credit_card", 80001, 100000, 21000, D(2020, 1, 1), 6, 1);
    accounts[5] = mkacct("A6", 2, "checking", 1000, 0, 0, D(2001, 5, 5), 7, 0);

    txns[0] = mktxn(0, D(2026, 10, 1), 200000, "PAYROLL ACME CORP");
    txns[1] = mktxn(0, D(2026, 10, 3), -4567, "POS PURCHASE GROCER");
    txns[2] = mktxn(0, D(2026, 10, 9), -1200, "FOREIGN TRANSACTION FEE");
    txns[3] = mktxn(2, D(2026, 10, 9), -40000, "COMPRA EN TIENDA ZARA BARCELONA");
    txns[4] = mktxn(2, D(2026, 10, 9), -1200, "FOREIGN TRANSACTION FEE");
    txns[5] = mktxn(2, D(2026, 10, 20), 10000, "PAYMENT - THANK YOU");
    txns[6] = mktxn(4, D(2026, 10, 12), -5000, "CARD PURCHASE TESCO STORES LONDON GB");

    memset(&ds, 0, sizeof ds);
    ds.customers = customers;
    ds.n_customers = 4;
    ds.accounts = accounts;
    ds.n_accounts = 6;
    ds.txns = txns;
    ds.n_txns = 7;

    hh[0] = (folio_household){"H1", false, 0, 2, 0, 4};
    hh[1] = (folio_household){"H2", false, 2, 1, 4, 2};
    hh[2] = (folio_household){"H3", false, 3, 1, 6, 0};
    memset(&hs, 0, sizeof hs);
    hs.v = hh;
    hs.n = 3;
    hs.customer_idx = cust_idx;
    hs.account_idx = acct_idx;
    return 0;
}

/* ---- helpers ---------------------------------------------------------------- */

static folio_rule *compile_ok(const char *text, folio_rule_type want)
{
    folio_error err = {0};
    folio_rule *r = rules_compile(text, (size_t)-1, NULL, want, NULL, &err);
    if (!r)
        fail_msg("rule `%s` failed to compile: %s", text, err.msg);
    return r;
}

/* evaluate a bool rule on household h */
static bool is_true(const char *text, uint32_t h)
{
    folio_rule *r = compile_ok(text, FOLIO_RT_BOOL);
    folio_rule_ctx c = ctx_for(h);
    bool v = rules_eval_bool(r, &c);
    /* rules_eval and rules_eval_explain agree with rules_eval_bool */
    folio_rule_value val;
    rules_eval(r, &c, &val);
    assert_int_equal(!val.absent && val.num, v);
    folio_rule_explain ex;
    assert_int_equal(rules_eval_explain(r, &c, &ex), v);
    rules_free(r);
    return v;
}

#define T(text, h) do { if (!is_true(text, h)) fail_msg("expected true: %s (household %d)", text, h); } while (0)
#define F(text, h) do { if (is_true(text, h)) fail_msg("expected false: %s (household %d)", text, h); } while (0)

static folio_rule_value value_of(const char *text, uint32_t h, folio_rule_type want)
{
    folio_rule *r = compile_ok(text, want);
    folio_rule_ctx c = ctx_for(h);
    folio_rule_value v;
    rules_eval(r, &c, &v);
    rules_free(r);
    return v;
}

static const char *compile_err(const char *text, const folio_rule_source *src, folio_rule_type want)
{
    static folio_error err;
    memset(&err, 0, sizeof err);
    folio_rule *r = rules_compile(text, (size_t)-1, NULL, want, src, &err);
    if (r) {
        rules_free(r);
        fail_msg("rule `%s` compiled but should not", text);
    }
    assert_int_equal(err.code, FOLIO_EXIT_USAGE);
    return err.msg;
}

/* ---- literals, arithmetic, precedence ------------------------------------- */

static void test_numbers_and_arithmetic(void **state)
{
    (void)state;
    T("1 + 2 * 3 == 7", 0);
    T("(1 + 2) * 3 == 9", 0);
    T("10 - 4 - 3 == 3", 0);          /* left associative */
    T("100 / 10 / 5 == 2", 0);
    T("10 / 4 == 2.5", 0);
    T("-5 + 2 == -3", 0);
    T("- (2 * 3) == -6", 0);
    T("0.1 + 0.2 == 0.3", 0);         /* exact decimals, no binary float */
    T("1.5 * 1.5 == 2.25", 0);
    T("abs(-2.5) == 2.5 and abs(3) == 3", 0);
    assert_int_equal(value_of("7 / 2", 0, FOLIO_RT_NUMBER).num, 35000);
    assert_int_equal(value_of("0.0001", 0, FOLIO_RT_NUMBER).num, 1);
    assert_int_equal(value_of("-12.5", 0, FOLIO_RT_NUMBER).num, -125000);
    /* a quotient is rounded down and flagged: comparisons stay exact */
    folio_rule_value third = value_of("1 / 3", 0, FOLIO_RT_NUMBER);
    assert_int_equal(third.num, 3333);
    assert_true(third.inexact);
    T("1 / 3 > 0.3333", 0);
    T("1 / 3 < 0.3334", 0);
    F("1 / 3 == 0.3333", 0);
    F("1 / 3 <= 0.3333", 0);
    T("2 - 1 / 3 < 1.6667 and 2 - 1 / 3 > 1.6666", 0);
    T("-(1 / 3) < -0.3333 and -(1 / 3) > -0.3334", 0);
    T("1 / 3 + 1 > 1.3333 and 1 / 3 + 1 < 1.3334", 0);
    T("-7 / 2 == -3.5", 0);
    T("-1 / 3 < -0.3333 and -1 / 3 > -0.3334", 0);
    /* division by zero is unknown: every comparison with it is false */
    F("1 / 0 > 0", 0);
    F("1 / 0 <= 0", 0);
    T("not known(1 / 0)", 0);
    T("known(1 / 2)", 0);
    /* saturating, not wrapping */
    T("900000000000000 * 900000000000000 > 0", 0);
    T("-900000000000000 * 900000000000000 < 0", 0);
}

static void test_precedence(void **state)
{
    (void)state;
    T("true or false and false", 0);           /* and before or */
    F("(true or false) and false", 0);
    T("false and false or true", 0);
    F("not false and false", 0);               /* not before and */
    T("not (false and false)", 0);
    T("not 1 == 2", 0);                        /* comparison before not */
    T("not not true", 0);
    T("1 + 2 == 3 and 2 * 3 > 5", 0);          /* arithmetic before comparison */
    T("true == true and false != true", 0);
    F("true and true and true and false and true", 0);
    T("false or false or false or true", 0);
}

static void test_strings(void **state)
{
    (void)state;
    T("\"abc\" == 'abc'", 0);
    T("\"a\\\"b\" == 'a\"b'", 0);
    T("'it\\'s' == \"it's\"", 0);
    T("\"tab\\there\" != \"tab here\"", 0);
    T("\"\\u00e9t\\u00e9\" == \"\xc3\xa9t\xc3\xa9\"", 0);
    T("\"abc\" < \"abd\" and \"ab\" < \"abc\" and \"b\" > \"abc\"", 0);
    T("\"\" == \"\"", 0);
    T("\"PAYROLL ACME\" contains \"acme\"", 0);   /* ASCII case-insensitive */
    T("\"abc\" contains \"\"", 0);
    F("\"abc\" contains \"abcd\"", 0);
    T("state in (\"CA\", \"NY\")", 0);
    F("state in (\"NY\", \"TX\")", 0);
    T("state not in (\"NY\", \"TX\")", 0);
    F("state not in (\"CA\")", 0);
    T("age in (57, 58, 59)", 0);
    T("-1 in (-1, 0)", 0);
    T("today in (date(\"2026-10-31\"))", 0);
    T("marketing_consent in (true)", 0);
}

static void test_dates(void **state)
{
    (void)state;
    T("date(\"2026-10-31\") == today", 0);
    T("statement_date == today and period_start == date(\"2026-10-01\")", 0);
    T("period_end == date(\"2026-10-31\")", 0);
    T("today - date(\"2026-10-01\") == 30", 0);
    T("today - 30 == date(\"2026-10-01\")", 0);
    T("today + 1 == date(\"2026-11-01\") and 1 + today == date(\"2026-11-01\")", 0);
    T("date(\"2024-02-29\") < date(\"2024-03-01\")", 0);
    T("days_since(customer_since) == 46", 0);
    T("days_since(date(\"2026-10-30\")) == 1", 0);
    T("days_until(date(\"2026-11-30\")) == 30", 0);
    T("months_since(date(\"2026-07-31\")) == 3", 0);
    T("months_since(date(\"2026-08-01\")) == 2", 0);
    T("years_since(date(\"1968-03-15\")) == 58", 0);
    T("years_since(date(\"2027-01-01\")) == -1", 0);
    T("months_since(customer_since) < 3", 0);   /* welcome paragraph */
    assert_int_equal(value_of("today", 0, FOLIO_RT_DATE).num, D(2026, 10, 31));
}

/* ---- fields ------------------------------------------------------------------ */

static void test_household_and_customer_fields(void **state)
{
    (void)state;
    T("age == 58", 0);                         /* primary customer */
    T("age >= 55", 2);                         /* 55 exactly on the statement date */
    F("age >= 56", 2);
    /* unknown birth date: every comparison is false, known() says so */
    F("age >= 55", 1);
    F("age < 55", 1);
    T("not known(age)", 1);
    T("known(age)", 0);
    T("state == \"CA\" and country == \"US\" and city == \"Springfield\"", 0);
    T("segment == \"affluent\" and language == \"en\"", 0);
    T("delivery == \"print\"", 0);
    T("delivery == \"both\"", 1);
    T("delivery == \"none\"", 2);
    T("marketing_consent", 0);
    F("marketing_consent", 1);
    T("marketing_consent == false", 1);
    T("email == \"\" and first_name == \"Ann\" and last_name == \"C1\"", 0);
    T("customer.id == \"C1\" and household.id == \"H1\" and postal_code == \"00001\"", 0);
    T("household.size == 2", 0);
    T("household.size == 1", 1);
    T("birth_date == date(\"1968-03-15\")", 0);
    T("customer_since == date(\"2026-09-15\")", 0);
    F("known(customer_since)", 2);
    T("channel == \"print\"", 0);
}

static void test_card_utilization_boundary(void **state)
{
    (void)state;
    /* H1: 800.00 of 1000.00 is exactly 0.8 */
    T("card.utilization == 0.8", 0);
    F("card.utilization > 0.8", 0);
    T("card.utilization >= 0.8", 0);
    T("card.utilization <= 0.8", 0);
    T("card.balance == 800 and card.limit == 1000", 0);
    /* H2: 800.01 of 1000.00 is 0.80001: greater than 0.8, less than 0.8001 */
    T("card.utilization > 0.8", 1);
    F("card.utilization == 0.8", 1);
    F("card.utilization <= 0.8", 1);
    T("card.utilization < 0.8001", 1);
    folio_rule_value u = value_of("card.utilization", 1, FOLIO_RT_NUMBER);
    assert_int_equal(u.num, 8000);
    assert_true(u.inexact);
    /* H3: no card, no limit: unknown */
    F("card.utilization > 0.5", 2);
    F("card.utilization <= 0.5", 2);
    T("not known(card.utilization)", 2);
    /* per account */
    T("any(accounts where utilization == 0.8)", 0);
    T("any(accounts where utilization > 0.8)", 1);
    T("count(accounts where known(utilization)) == 1", 0);
}

/* Issue 10 part 8: `transactions` are the statement period's rows; rows
 * before or after it are seen only through `history.transactions`. */
static void test_transactions_period(void **state)
{
    (void)state;
    folio_txn saved[3] = {txns[0], txns[1], txns[6]};
    txns[0].date = D(2026, 9, 30);     /* the day before the period */
    txns[1].date = D(2026, 11, 1);     /* the day after */
    txns[6].date = D(2025, 1, 1);
    T("count(transactions) == 4", 0);
    T("count(history.transactions) == 6", 0);
    T("not any(transactions where description contains \"PAYROLL\")", 0);
    T("any(history.transactions where description contains \"PAYROLL\")", 0);
    T("sum(amount of transactions) == -324.00", 0);
    T("sum(amount of history.transactions) == 1630.33", 0);
    T("count(accounts where count(transactions) == 1) == 1", 0);
    T("count(accounts where count(history.transactions) == 3) == 2", 0);
    T("count(customers where count(transactions) == 4) == 1", 0);
    T("count(transactions) == 0 and count(history.transactions) == 1", 1);
    T("min(date of history.transactions) == date(\"2026-09-30\")", 0);
    T("min(date of transactions) == date(\"2026-10-09\")", 0);
    /* the first and last day of the period are in it */
    txns[0].date = D(2026, 10, 1);
    txns[1].date = D(2026, 10, 31);
    T("count(transactions) == 6", 0);
    txns[0] = saved[0];
    txns[1] = saved[1];
    txns[6] = saved[2];
}

/* Issue 10 part 4: a translated description is seen in the household's
 * statement language (the primary customer's, when the layout prints it). */
static void test_description_language(void **state)
{
    (void)state;
    char *langs[] = {(char *)"en", (char *)"cs"};
    folio_codes codes;
    memset(&codes, 0, sizeof codes);
    codes.langs = langs;
    codes.n_langs = 2;
    codes.bound = true;
    codes.printed[0] = 0;
    codes.printed[1] = 1;
    codes.n_printed = 2;
    codes.fallback = 0;
    folio_job job;
    memset(&job, 0, sizeof job);
    job.codes = &codes;
    folio_txn saved = txns[0];
    const char *saved_lang = customers[0].language;
    static const char packed[] = "Cash deposit\0Vklad";
    txns[0].description = packed;
    txns[0].desc_langs = 2;
    folio_rule *r = compile_ok("any(transactions where description == \"Vklad\")", FOLIO_RT_BOOL);
    folio_rule *e = compile_ok("any(transactions where description == \"Cash deposit\")",
                               FOLIO_RT_BOOL);
    folio_rule_ctx c = ctx_for(0);
    c.job = &job;
    assert_false(rules_eval_bool(r, &c));
    assert_true(rules_eval_bool(e, &c));
    customers[0].language = "cs";
    assert_true(rules_eval_bool(r, &c));
    assert_false(rules_eval_bool(e, &c));
    customers[0].language = "de";            /* not printed: the fallback, en */
    assert_true(rules_eval_bool(e, &c));
    rules_free(r);
    rules_free(e);
    customers[0].language = saved_lang;
    txns[0] = saved;
}

static void test_aggregates(void **state)
{
    (void)state;
    T("count(accounts) == 4", 0);
    T("count(accounts) == 0", 2);
    T("count(accounts where product == \"credit_card\") == 1", 0);
    T("sum(balance where product in (\"savings\", \"checking\")) == 26500", 0);
    T("sum(balance) == 277300", 0);
    T("sum(balance where product == \"auto\") == 0", 0);
    T("sum(amount of transactions where amount < 0) == -469.67", 0);
    T("sum(amount of transactions) == 1630.33", 0);
    T("count(transactions) == 6", 0);
    T("count(transactions where description contains \"foreign transaction\") == 2", 0);
    T("count(transactions where date >= period_start and date <= period_end) == 6", 0);
    T("count(transactions where product == \"credit_card\" and amount < 0) == 2", 0);
    T("min(opened_date) == date(\"2010-01-01\")", 0);
    T("max(opened_date) == date(\"2026-09-01\")", 0);
    T("max(balance) == 250000 and min(balance) == 800", 0);
    T("min(amount of transactions) == -400", 0);
    T("max(rate) == 19.99", 0);
    T("not known(min(balance))", 2);
    T("any(customers where language == \"es\")", 0);
    F("any(customers where language == \"fr\")", 0);
    T("all(customers where state == \"CA\")", 0);
    F("all(customers where language == \"en\")", 0);
    T("all(accounts where balance > 1000000)", 2);   /* vacuous */
    F("any(accounts)", 2);
    T("any(accounts)", 0);
    T("count(customers where age > 30) == 2", 0);
    /* customer fields inside accounts mean the owner */
    T("count(accounts where age > 50) == 3", 0);
    T("count(accounts where language == \"es\") == 1", 0);
    /* collections nest: the customer's accounts, the account's transactions */
    T("any(customers where count(accounts) == 1 and holds(\"savings\"))", 0);
    F("any(customers where count(accounts) == 1 and holds(\"mortgage\"))", 0);
    T("count(customers where count(transactions) == 6) == 1", 0);
    T("count(accounts where count(transactions) == 3) == 2", 0);
    T("sum(balance of accounts where count(transactions where amount > 0) > 0) == 2300", 0);
    T("holds(\"mortgage\") and holds(\"checking\")", 0);
    F("holds(\"auto_loan\")", 0);
    F("holds(\"checking\")", 2);
    T("any(accounts where rate == 4.25 and product == \"mortgage\")", 0);
    T("any(accounts where currency == \"USD\" and account.id == \"A3\")", 0);
    F("any(accounts where known(opening_balance))", 0);
    F("any(accounts where known(due_date))", 0);
    T("max(credit_limit) == 1000 and sum(minimum_due) == 0", 0);
    T("count(accounts where product_name == \"\") == 4", 0);
    /* "no card offer within 90 days of opening one" */
    F("not any(accounts where product == \"credit_card\" and days_since(opened_date) < 90)", 0);
    T("not any(accounts where product == \"credit_card\" and days_since(opened_date) < 90)", 1);
    /* travel card for frequent foreign transactions */
    T("count(transactions where description contains \"FOREIGN\" or "
      "description contains \" GB\") >= 1", 1);
}

/* issue 10 part 6: money of two currencies is never summed, compared or
 * combined into one figure: the result is unknown (every comparison false);
 * narrowed to one currency it is exact. */
static void test_mixed_currencies(void **state)
{
    (void)state;
    accounts[1].currency = "EUR";          /* H1: A2 savings 25,000.00 EUR */
    T("not known(sum(balance))", 0);
    F("sum(balance) > 0", 0);
    F("sum(balance) <= 0", 0);
    T("not known(max(balance)) and not known(min(balance))", 0);
    T("sum(balance where currency == \"USD\") == 252300", 0);
    T("sum(balance of accounts where currency == \"EUR\") == 25000", 0);
    T("max(balance where currency == \"USD\") == 250000", 0);
    /* per account: in its own currency, as before */
    T("count(accounts where balance > 1000) == 3", 0);
    /* the transactions are all USD: their sum is known */
    T("sum(amount of transactions) == 1630.33", 0);
    /* inside customers where: each customer's own accounts, one currency */
    T("all(customers where sum(balance) > 1)", 0);
    accounts[1].currency = "USD";
    /* two cards in two currencies: no card.balance, no utilization */
    accounts[5].product = "credit_card";
    accounts[5].currency = "EUR";
    T("not known(card.balance) and not known(card.limit)", 1);
    accounts[5].currency = "USD";
    T("card.balance == 810.01", 1);
    accounts[5].product = "checking";
}

/* ---- custom fields ----------------------------------------------------------- */

static void g_shown(const folio_rule_ctx *ctx, const folio_rule_field *f, uint32_t i,
                    folio_rule_value *out)
{
    (void)f;
    const int *counts = ctx->user;
    out->num = (int64_t)counts[i] * FOLIO_RULE_SCALE;
}

static void g_segment_override(const folio_rule_ctx *ctx, const folio_rule_field *f, uint32_t i,
                               folio_rule_value *out)
{
    (void)ctx;
    (void)f;
    (void)i;
    out->str = "override";
    out->len = 8;
}

static void test_custom_catalog(void **state)
{
    (void)state;
    static const folio_rule_field extra[] = {
        {"offer.shown_count", FOLIO_RS_HOUSEHOLD, FOLIO_RT_NUMBER, g_shown, NULL, "times shown"},
        {"segment", FOLIO_RS_CUSTOMER, FOLIO_RT_STRING, g_segment_override, NULL, "test"},
    };
    folio_rule_catalog cat = {extra, 2, rules_catalog_default()};
    int counts[3] = {0, 3, 1};
    folio_error err = {0};
    folio_rule *r = rules_compile("offer.shown_count < 3 and age >= 18 and segment == \"override\"",
                                  (size_t)-1, &cat, FOLIO_RT_BOOL, NULL, &err);
    assert_non_null(r);
    folio_rule_ctx c = ctx_for(0);
    c.user = counts;
    assert_true(rules_eval_bool(r, &c));
    c.hh = 1;   /* shown 3 times */
    assert_false(rules_eval_bool(r, &c));
    rules_free(r);
    /* the default catalogue alone does not know the field */
    const char *msg = compile_err("offer.shown_count < 3", NULL, FOLIO_RT_BOOL);
    assert_non_null(strstr(msg, "unknown field `offer.shown_count`"));
    /* channel comes from the context */
    r = compile_ok("channel == \"email\"", FOLIO_RT_BOOL);
    c = ctx_for(0);
    c.channel = "email";
    assert_true(rules_eval_bool(r, &c));
    c.channel = NULL;
    assert_false(rules_eval_bool(r, &c));
    rules_free(r);
}

/* ---- errors ---------------------------------------------------------------- */

static void test_error_positions(void **state)
{
    (void)state;
    folio_rule_source src = {"offers.yaml", 12, 18, 0};
    assert_string_equal(compile_err("age >= 55 and stat == \"CA\"", &src, FOLIO_RT_BOOL),
                        "offers.yaml:12:32: unknown field `stat` (did you mean `state`?)\n"
                        "  age >= 55 and stat == \"CA\"\n"
                        "                ^");
    assert_string_equal(compile_err("age >= \"55\"", &src, FOLIO_RT_BOOL),
                        "offers.yaml:12:22: cannot compare a number with a string\n"
                        "  age >= \"55\"\n"
                        "      ^");
    assert_string_equal(compile_err("age >= 55 and", &src, FOLIO_RT_BOOL),
                        "offers.yaml:12:31: expected a value, found the end of the rule\n"
                        "  age >= 55 and\n"
                        "               ^");
    assert_string_equal(compile_err("foo(1) > 2", NULL, FOLIO_RT_BOOL),
                        "<rule>:1:1: unknown function `foo` (functions: date, days_since, "
                        "days_until, months_since, years_since, abs, known, holds, count, sum, "
                        "min, max, any, all, last)\n"
                        "  foo(1) > 2\n"
                        "  ^");
    assert_string_equal(compile_err("state = \"CA\"", NULL, FOLIO_RT_BOOL),
                        "<rule>:1:7: single '=': write == to compare\n"
                        "  state = \"CA\"\n"
                        "        ^");
    assert_string_equal(compile_err("balance > 5", NULL, FOLIO_RT_BOOL),
                        "<rule>:1:1: `balance` is a field of each account: use it inside a "
                        "collection, e.g. count(accounts where balance ...)\n"
                        "  balance > 5\n"
                        "  ^");
    assert_string_equal(compile_err("customer_since > \"2020-01-01\"", NULL, FOLIO_RT_BOOL),
                        "<rule>:1:16: cannot compare a date with a string (write a date as "
                        "date(\"YYYY-MM-DD\"))\n"
                        "  customer_since > \"2020-01-01\"\n"
                        "                 ^");
    assert_string_equal(compile_err("state == \"CA", NULL, FOLIO_RT_BOOL),
                        "<rule>:1:10: string not closed: a \" is missing\n"
                        "  state == \"CA\n"
                        "           ^");
    assert_string_equal(compile_err("count(accounts)", NULL, FOLIO_RT_BOOL),
                        "<rule>:1:1: the rule must give a bool, this one gives a number\n"
                        "  count(accounts)\n"
                        "  ^");
    assert_string_equal(compile_err("1 < 2 < 3", NULL, FOLIO_RT_BOOL),
                        "<rule>:1:7: comparisons do not chain: join them with `and`\n"
                        "  1 < 2 < 3\n"
                        "        ^");
    assert_string_equal(compile_err("rate > 0.12345", NULL, FOLIO_RT_BOOL),
                        "<rule>:1:14: too many decimals: numbers have at most 4\n"
                        "  rate > 0.12345\n"
                        "               ^");
    assert_string_equal(compile_err("age >= 55 state == \"CA\"", NULL, FOLIO_RT_BOOL),
                        "<rule>:1:11: unexpected `state` (missing `and` or `or` before it?)\n"
                        "  age >= 55 state == \"CA\"\n"
                        "            ^");
    assert_string_equal(compile_err("(age > 1", NULL, FOLIO_RT_BOOL),
                        "<rule>:1:9: expected ), found the end of the rule\n"
                        "  (age > 1\n"
                        "          ^");
    assert_string_equal(compile_err("state in (\"CA\", 5)", NULL, FOLIO_RT_BOOL),
                        "<rule>:1:17: the list holds a number but the left side is a string\n"
                        "  state in (\"CA\", 5)\n"
                        "                  ^");
    assert_string_equal(compile_err("date(\"2026-02-30\") < today", NULL, FOLIO_RT_BOOL),
                        "<rule>:1:7: not a date: write \"YYYY-MM-DD\", e.g. \"2026-10-31\"\n"
                        "  date(\"2026-02-30\") < today\n"
                        "        ^");
    /* non-ASCII before the spot: the column counts characters */
    assert_string_equal(compile_err("\"\xc3\xa9\" == 1", NULL, FOLIO_RT_BOOL),
                        "<rule>:1:5: cannot compare a string with a number\n"
                        "  \"\xc3\xa9\" == 1\n"
                        "      ^");
}

static void test_error_messages(void **state)
{
    (void)state;
    const char *m;
    m = compile_err("count(accounts where product == 1) > 0", NULL, FOLIO_RT_BOOL);
    assert_non_null(strstr(m, "<rule>:1:30: cannot compare a string with a number"));
    m = compile_err("sum(product) > 0", NULL, FOLIO_RT_BOOL);
    assert_non_null(strstr(m, "<rule>:1:5: sum() needs a number, found a string"));
    m = compile_err("sum(amount where amount < 0) < 0", NULL, FOLIO_RT_BOOL);
    assert_non_null(strstr(m, "`amount` is a field of each transaction"));
    m = compile_err("count(loans) > 0", NULL, FOLIO_RT_BOOL);
    assert_non_null(strstr(m, "1:7: expected accounts, customers, transactions, history.transactions or events, found `loans`"));
    m = compile_err("all(accounts) ", NULL, FOLIO_RT_BOOL);
    assert_non_null(strstr(m, "all() needs `where`"));
    m = compile_err("not 5", NULL, FOLIO_RT_BOOL);
    assert_non_null(strstr(m, "1:5: `not` needs a bool, found a number"));
    m = compile_err("age and true", NULL, FOLIO_RT_BOOL);
    assert_non_null(strstr(m, "1:1: `and` needs a bool, found a number"));
    m = compile_err("state + 1 == 2", NULL, FOLIO_RT_BOOL);
    assert_non_null(strstr(m, "1:7: cannot add a number to a string"));
    m = compile_err("today - \"x\" == today", NULL, FOLIO_RT_BOOL);
    assert_non_null(strstr(m, "cannot subtract a string from a date"));
    m = compile_err("marketing_consent < true", NULL, FOLIO_RT_BOOL);
    assert_non_null(strstr(m, "bools compare only with == and !="));
    m = compile_err("days_since(5) > 1", NULL, FOLIO_RT_BOOL);
    assert_non_null(strstr(m, "1:12: days_since() needs a date, found a number"));
    m = compile_err("days_since(today, today) > 1", NULL, FOLIO_RT_BOOL);
    assert_non_null(strstr(m, "days_since() takes one argument"));
    m = compile_err("state == \"a\\qb\"", NULL, FOLIO_RT_BOOL);
    assert_non_null(strstr(m, "1:12: unknown escape"));
    m = compile_err("age > 5 # comment", NULL, FOLIO_RT_BOOL);
    assert_non_null(strstr(m, "1:9: unexpected character '#'"));
    m = compile_err("", NULL, FOLIO_RT_BOOL);
    assert_non_null(strstr(m, "empty rule"));
    m = compile_err("   ", NULL, FOLIO_RT_BOOL);
    assert_non_null(strstr(m, "empty rule"));
    m = compile_err("age => 5", NULL, FOLIO_RT_BOOL);
    assert_non_null(strstr(m, "1:5: write >= instead of =>"));
    m = compile_err("1..2 > 0", NULL, FOLIO_RT_BOOL);
    assert_non_null(strstr(m, "a digit must follow the decimal point"));
    m = compile_err("99999999999999999999 > 0", NULL, FOLIO_RT_BOOL);
    assert_non_null(strstr(m, "number out of range"));
    m = compile_err("and > 1", NULL, FOLIO_RT_BOOL);
    assert_non_null(strstr(m, "expected a value, found `and`"));
    m = compile_err("any(customers where count(customers) > 0 and agee > 1)", NULL, FOLIO_RT_BOOL);
    assert_non_null(strstr(m, "1:46: unknown field `agee` (did you mean `age`?)"));
    m = compile_err("max(state) == \"x\"", NULL, FOLIO_RT_BOOL);
    assert_non_null(strstr(m, "max() needs a number or a date, found a string"));
    /* the whole message keeps the first error only */
    folio_error err = {0};
    folio_error_set(&err, FOLIO_EXIT_USAGE, "earlier");
    assert_null(rules_compile("age >", (size_t)-1, NULL, FOLIO_RT_BOOL, NULL, &err));
    assert_string_equal(err.msg, "earlier");
}

static void test_error_multiline(void **state)
{
    (void)state;
    /* a YAML block scalar: the text starts at 5:10, continuation lines at column 5 */
    folio_rule_source src = {"offers.yaml", 5, 10, 5};
    assert_string_equal(compile_err("age >= 55\n  and stat == 1", &src, FOLIO_RT_BOOL),
                        "offers.yaml:6:11: unknown field `stat` (did you mean `state`?)\n"
                        "    and stat == 1\n"
                        "        ^");
    assert_string_equal(compile_err("age >= 55 and\nstate == \"CA\" and\n  holds(5)", &src,
                                    FOLIO_RT_BOOL),
                        "offers.yaml:7:13: holds() needs a string, found a number\n"
                        "    holds(5)\n"
                        "          ^");
    /* explicit length: text need not be NUL-terminated */
    folio_error err = {0};
    folio_rule *r = rules_compile("age > 1 GARBAGE", 7, NULL, FOLIO_RT_BOOL, NULL, &err);
    assert_non_null(r);
    assert_string_equal(rules_text(r), "age > 1");
    rules_free(r);
}

static void test_limits(void **state)
{
    (void)state;
    /* a long `and` chain is fine (evaluated in a loop) */
    char buf[8192];
    size_t n = 0;
    for (int i = 0; i < 300; i++)
        folio_str_appendf(buf, sizeof buf, &n, "%sage > %d", i ? " and " : "", i % 50);
    T(buf, 0);
    /* deep nesting is refused at compile time */
    n = 0;
    for (int i = 0; i < 60; i++)
        folio_str_appendf(buf, sizeof buf, &n, "abs(");
    folio_str_appendf(buf, sizeof buf, &n, "1");
    for (int i = 0; i < 60; i++)
        folio_str_appendf(buf, sizeof buf, &n, ")");
    folio_str_appendf(buf, sizeof buf, &n, " > 0");
    const char *m = compile_err(buf, NULL, FOLIO_RT_BOOL);
    assert_non_null(strstr(m, "expression nested deeper than 48"));
    /* a sequence of binary operators is deep for the evaluator, not the parser */
    n = 0;
    for (int i = 0; i < 60; i++)
        n += (size_t)snprintf(buf + n, sizeof buf - n, "%s1", i ? " + " : "");
    snprintf(buf + n, sizeof buf - n, " > 0");
    m = compile_err(buf, NULL, FOLIO_RT_BOOL);
    assert_non_null(strstr(m, "expression nested deeper than 48"));
    /* exactly the limit is accepted */
    n = 0;
    for (int i = 0; i < FOLIO_RULE_MAX_DEPTH - 1; i++)
        n += (size_t)snprintf(buf + n, sizeof buf - n, "(");
    n += (size_t)snprintf(buf + n, sizeof buf - n, "age > 1");
    for (int i = 0; i < FOLIO_RULE_MAX_DEPTH - 1; i++)
        n += (size_t)snprintf(buf + n, sizeof buf - n, ")");
    T(buf, 0);
    /* too long */
    char *big = malloc(FOLIO_RULE_MAX_TEXT + 10);
    memset(big, ' ', FOLIO_RULE_MAX_TEXT + 9);
    big[FOLIO_RULE_MAX_TEXT + 9] = 0;
    m = compile_err(big, NULL, FOLIO_RT_BOOL);
    assert_non_null(strstr(m, "rule too long"));
    free(big);
    /* result types */
    folio_rule *r = compile_ok("count(accounts)", FOLIO_RT_NONE);
    assert_int_equal(rules_result_type(r), FOLIO_RT_NUMBER);
    rules_free(r);
}

/* Nesting is bounded while parsing, not only on the finished tree: text
 * nested thousands of levels deep (parentheses, `not`, unary minus, calls)
 * is an error naming the position, not a stack overflow. */
static void test_deep_nesting_is_an_error(void **state)
{
    (void)state;
    static const struct { const char *open, *close; } kinds[] = {
        {"(", ")"}, {"not ", ""}, {"-", ""}, {"abs(", ")"}, {"count(accounts where ", ")"},
    };
    size_t cap = FOLIO_RULE_MAX_TEXT + 1;
    char *buf = malloc(cap);
    assert_non_null(buf);
    for (size_t k = 0; k < sizeof kinds / sizeof *kinds; k++) {
        size_t lo = strlen(kinds[k].open), lc = strlen(kinds[k].close);
        size_t levels = (FOLIO_RULE_MAX_TEXT - 16) / (lo + lc);
        size_t n = 0;
        for (size_t i = 0; i < levels; i++, n += lo)
            memcpy(buf + n, kinds[k].open, lo);
        memcpy(buf + n, "true", 4);
        n += 4;
        for (size_t i = 0; i < levels; i++, n += lc)
            memcpy(buf + n, kinds[k].close, lc);
        buf[n] = 0;
        folio_rule_source src = {"job.yaml", 3, 12, 0};
        const char *m = compile_err(buf, &src, FOLIO_RT_NONE);
        char want[128];
        /* the 49th level is the first one refused */
        snprintf(want, sizeof want, "job.yaml:3:%zu: expression nested deeper than 48\n",
                 12 + FOLIO_RULE_MAX_DEPTH * lo);
        if (strncmp(m, want, strlen(want)) != 0)
            fail_msg("kind %zu: got \"%.120s\", want \"%s\"", k, m, want);
    }
    free(buf);
}

/* An error more than 70 characters after a CR: the message shows the line the
 * error is on (CR ends a line, as in YAML) and never reads outside the text. */
static void test_error_after_cr(void **state)
{
    (void)state;
    char text[256];
    /* an exact-size heap copy so ASan sees any read past the end */
    snprintf(text, sizeof text, "age > 1 and\r%s and nosuchfield", "state == \"CA\" and state == \"CA\" and state == \"CA\" and state == \"CA\"");
    size_t len = strlen(text);
    char *heap = malloc(len);
    memcpy(heap, text, len);
    folio_rule_source src = {"offers.yaml", 5, 10, 5};
    folio_error err = {0};
    folio_rule *r = rules_compile(heap, len, NULL, FOLIO_RT_BOOL, &src, &err);
    assert_null(r);
    assert_int_equal(err.code, FOLIO_EXIT_USAGE);
    assert_non_null(strstr(err.msg, "offers.yaml:6:77: unknown field `nosuchfield`"));
    assert_non_null(strstr(err.msg, "\n  ...\" and state == \"CA\" and state == \"CA\" and state == \"CA\" and nosuchfield\n"));
    assert_null(strchr(err.msg, '\r'));
    /* CR LF counts as one line break; an error at end of text after one */
    memset(&err, 0, sizeof err);
    r = rules_compile("age > 1 and\r\n", 13, NULL, FOLIO_RT_BOOL, &src, &err);
    assert_null(r);
    assert_non_null(strstr(err.msg, "offers.yaml:6:5: expected a value"));
    free(heap);
}

/* ---- explain ------------------------------------------------------------------ */

static void test_explain(void **state)
{
    (void)state;
    const char *text = "age >= 55 and state == \"CA\" and holds(\"checking\") and "
                       "card.utilization > 0.8 and marketing_consent";
    folio_rule *r = compile_ok(text, FOLIO_RT_BOOL);
    folio_rule_explain ex;
    folio_rule_ctx c = ctx_for(0);
    assert_false(rules_eval_explain(r, &c, &ex));
    assert_false(ex.result);
    assert_int_equal(ex.failed_len, strlen("card.utilization > 0.8"));
    assert_memory_equal(rules_text(r) + ex.failed_off, "card.utilization > 0.8", ex.failed_len);
    assert_string_equal(ex.detail, "card.utilization = 0.8");
    c = ctx_for(1);
    assert_false(rules_eval_explain(r, &c, &ex));
    assert_memory_equal(rules_text(r) + ex.failed_off, "age >= 55", ex.failed_len);
    assert_string_equal(ex.detail, "age = unknown");
    c = ctx_for(2);
    assert_false(rules_eval_explain(r, &c, &ex));
    assert_memory_equal(rules_text(r) + ex.failed_off, "state == \"CA\"", ex.failed_len);
    assert_string_equal(ex.detail, "state = \"TX\"");
    rules_free(r);

    /* nested parentheses are flattened; a bare bool field reports itself */
    r = compile_ok("(holds(\"checking\") and (state == \"NY\" and marketing_consent)) and age > 1",
                   FOLIO_RT_BOOL);
    c = ctx_for(1);
    assert_false(rules_eval_explain(r, &c, &ex));
    assert_memory_equal(rules_text(r) + ex.failed_off, "marketing_consent", ex.failed_len);
    assert_int_equal(ex.failed_len, strlen("marketing_consent"));
    assert_string_equal(ex.detail, "marketing_consent = false");
    rules_free(r);

    /* an `or` clause is reported whole, with its parentheses */
    r = compile_ok("age > 18 and (state == \"NY\" or segment == \"mass\")", FOLIO_RT_BOOL);
    c = ctx_for(0);
    assert_false(rules_eval_explain(r, &c, &ex));
    assert_memory_equal(rules_text(r) + ex.failed_off, "(state == \"NY\" or segment == \"mass\")",
                        ex.failed_len);
    assert_string_equal(ex.detail, "");
    rules_free(r);

    /* true: nothing failed */
    r = compile_ok("age > 18 and holds(\"mortgage\")", FOLIO_RT_BOOL);
    assert_true(rules_eval_explain(r, &c, &ex));
    assert_true(ex.result);
    assert_int_equal(ex.failed_len, 0);
    assert_string_equal(ex.detail, "");
    rules_free(r);

    /* aggregates and inexact values in the detail */
    r = compile_ok("sum(balance where product == \"savings\") > 30000 and true", FOLIO_RT_BOOL);
    assert_false(rules_eval_explain(r, &c, &ex));
    assert_string_equal(ex.detail, "sum(balance where product == \"savings\") = 25000");
    rules_free(r);
    r = compile_ok("card.utilization <= 0.8", FOLIO_RT_BOOL);
    c = ctx_for(1);
    assert_false(rules_eval_explain(r, &c, &ex));
    assert_string_equal(ex.detail, "card.utilization = 0.8000...");
    assert_int_equal(ex.failed_off, 0);
    assert_int_equal(ex.failed_len, strlen(rules_text(r)));
    rules_free(r);
}

static void test_value_format(void **state)
{
    (void)state;
    char b[64];
    folio_rule_value v = {0};
    v.num = 420000;
    rules_value_format(FOLIO_RT_NUMBER, &v, b, sizeof b);
    assert_string_equal(b, "42");
    v.num = -12500;
    rules_value_format(FOLIO_RT_NUMBER, &v, b, sizeof b);
    assert_string_equal(b, "-1.25");
    v.num = 1;
    rules_value_format(FOLIO_RT_NUMBER, &v, b, sizeof b);
    assert_string_equal(b, "0.0001");
    v.num = D(2026, 2, 3);
    rules_value_format(FOLIO_RT_DATE, &v, b, sizeof b);
    assert_string_equal(b, "2026-02-03");
    v.num = 1;
    rules_value_format(FOLIO_RT_BOOL, &v, b, sizeof b);
    assert_string_equal(b, "true");
    v.str = "a\"b";
    v.len = 3;
    rules_value_format(FOLIO_RT_STRING, &v, b, sizeof b);
    assert_string_equal(b, "\"a\\\"b\"");
    v.absent = true;
    rules_value_format(FOLIO_RT_NUMBER, &v, b, sizeof b);
    assert_string_equal(b, "unknown");
    v.absent = false;
    v.num = 123456789;
    assert_int_equal(rules_value_format(FOLIO_RT_NUMBER, &v, b, 5), 4);   /* truncated */
    assert_string_equal(b, "1234");
    bool ix = false;
    assert_int_equal(rules_number_from_money(12345, 2, &ix), 1234500);
    assert_int_equal(rules_number_from_money(12345, 0, &ix), 123450000);
    assert_false(ix);
    assert_int_equal(rules_number_from_money(123456, 5, &ix), 12345);
    assert_true(ix);
}

/* money of a feed with 3 decimals (job given) converts with 3 decimals */
static void test_minor_digits_from_job(void **state)
{
    (void)state;
    folio_feed_def feeds[1];
    memset(feeds, 0, sizeof feeds);
    feeds[0].minor_digits = 3;
    folio_job job;
    memset(&job, 0, sizeof job);
    job.feeds = feeds;
    job.n_feeds = 1;
    folio_rule *r = compile_ok("sum(balance where product == \"checking\")", FOLIO_RT_NUMBER);
    folio_rule_ctx c = ctx_for(0);
    folio_rule_value v;
    rules_eval(r, &c, &v);
    assert_int_equal(v.num, 1500 * FOLIO_RULE_SCALE);
    c.job = &job;
    rules_eval(r, &c, &v);
    assert_int_equal(v.num, 150 * FOLIO_RULE_SCALE);
    rules_free(r);
}

/* ---- a big synthetic population ----------------------------------------------- */

typedef struct big {
    folio_customer *c;
    folio_account *a;
    folio_txn *t;
    folio_household *h;
    uint32_t *ci, *ai;
    folio_dataset ds;
    folio_households hs;
} big;

static uint64_t rng_next(uint64_t *s)
{
    *s = *s * 6364136223846793005ULL + 1442695040888963407ULL;
    return *s >> 33;
}

static void big_build(big *b, size_t n_hh)
{
    static const char *const states[] = {"CA", "NY", "TX", "FL", "WA", "IL"};
    static const char *const products[] = {"checking", "savings", "credit_card", "mortgage"};
    static const char *const descs[] = {"POS PURCHASE GROCER", "FOREIGN TRANSACTION FEE",
                                        "PAYROLL", "CARD PURCHASE TESCO LONDON GB"};
    uint64_t s = 42;
    b->c = calloc(n_hh * 2, sizeof *b->c);
    b->a = calloc(n_hh * 4, sizeof *b->a);
    b->t = calloc(n_hh * 12, sizeof *b->t);
    b->h = calloc(n_hh, sizeof *b->h);
    b->ci = calloc(n_hh * 2, sizeof *b->ci);
    b->ai = calloc(n_hh * 4, sizeof *b->ai);
    assert_true(b->c && b->a && b->t && b->h && b->ci && b->ai);
    size_t nc = 0, na = 0, nt = 0;
    for (size_t i = 0; i < n_hh; i++) {
        folio_household *h = &b->h[i];
        h->id = "H";
        h->first_customer = (uint32_t)nc;
        h->first_account = (uint32_t)na;
        int ncust = 1 + (int)(rng_next(&s) % 2);
        for (int k = 0; k < ncust; k++) {
            folio_customer *c = &b->c[nc];
            *c = mkcust("C", "H", D(1940 + (int)(rng_next(&s) % 60), 1 + (int)(rng_next(&s) % 12), 1),
                        states[rng_next(&s) % 6], "en", "mass", FOLIO_DELIVERY_PRINT,
                        rng_next(&s) % 4 != 0,
                        D(2000 + (int)(rng_next(&s) % 27), 1 + (int)(rng_next(&s) % 9), 1));
            b->ci[nc] = (uint32_t)nc;
            nc++;
        }
        int nacc = 1 + (int)(rng_next(&s) % 4);
        for (int k = 0; k < nacc; k++) {
            int p = (int)(rng_next(&s) % 4);
            int ntx = (int)(rng_next(&s) % 4);
            folio_account *a = &b->a[na];
            memset(a, 0, sizeof *a);
            a->id = "A";
            a->owner = h->first_customer + (uint32_t)(rng_next(&s) % (uint64_t)ncust);
            a->product = products[p];
            a->closing_balance = (folio_money)(rng_next(&s) % 500000);
            a->credit_limit = p == 2 ? 500000 : 0;
            a->opened_date = D(2020 + (int)(rng_next(&s) % 7), 1 + (int)(rng_next(&s) % 12), 1);
            a->first_txn = (uint32_t)nt;
            a->n_txn = (uint32_t)ntx;
            for (int x = 0; x < ntx; x++)
                b->t[nt++] = mktxn((uint32_t)na, D(2026, 10, 1 + x),
                                   -(folio_money)(rng_next(&s) % 10000), descs[rng_next(&s) % 4]);
            b->ai[na] = (uint32_t)na;
            na++;
        }
        h->n_customers = (uint32_t)ncust;
        h->n_accounts = (uint32_t)nacc;
    }
    memset(&b->ds, 0, sizeof b->ds);
    b->ds.customers = b->c;
    b->ds.n_customers = nc;
    b->ds.accounts = b->a;
    b->ds.n_accounts = na;
    b->ds.txns = b->t;
    b->ds.n_txns = nt;
    memset(&b->hs, 0, sizeof b->hs);
    b->hs.v = b->h;
    b->hs.n = n_hh;
    b->hs.customer_idx = b->ci;
    b->hs.account_idx = b->ai;
}

static void big_free(big *b)
{
    free(b->c);
    free(b->a);
    free(b->t);
    free(b->h);
    free(b->ci);
    free(b->ai);
}

static const char *const typical_rule =
    "age >= 35 and state in (\"CA\", \"NY\", \"TX\") and holds(\"checking\") and "
    "card.utilization < 0.8 and months_since(customer_since) >= 12";
static const char *const heavy_rule =
    "marketing_consent and count(transactions where description contains \"foreign\") >= 1 "
    "and not any(accounts where product == \"credit_card\" and days_since(opened_date) < 90) "
    "and sum(balance where product in (\"savings\", \"checking\")) > 1000 and age < 80";

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void test_no_allocation_during_eval(void **state)
{
    (void)state;
#ifdef HAVE_MALLOC_COUNT
    big b;
    big_build(&b, 1000);
    folio_rule *r1 = compile_ok(typical_rule, FOLIO_RT_BOOL);
    folio_rule *r2 = compile_ok(heavy_rule, FOLIO_RT_BOOL);
    folio_rule_ctx c;
    memset(&c, 0, sizeof c);
    c.ds = &b.ds;
    c.hs = &b.hs;
    c.today = D(2026, 10, 31);
    c.period_start = D(2026, 10, 1);
    c.period_end = D(2026, 10, 31);
    long hits = 0;
    folio_rule_explain ex;
    /* sanity: the counter does count */
    atomic_store(&n_allocs, 0);
    atomic_store(&counting, 1);
    void *volatile p = malloc(16);
    free(p);
    atomic_store(&counting, 0);
    assert_int_equal(atomic_load(&n_allocs), 2);

    atomic_store(&n_allocs, 0);
    atomic_store(&counting, 1);
    for (int i = 0; i < 10000; i++) {
        c.hh = (uint32_t)(i % 1000);
        hits += rules_eval_bool(r1, &c);
        hits += rules_eval_bool(r2, &c);
        hits += rules_eval_explain(r2, &c, &ex);
    }
    atomic_store(&counting, 0);
    assert_int_equal(atomic_load(&n_allocs), 0);
    assert_true(hits > 0 && hits < 30000);
    rules_free(r1);
    rules_free(r2);
    big_free(&b);
#else
    skip();
#endif
}

static void test_parallel_and_throughput(void **state)
{
    (void)state;
    const size_t N = 100000;
    big b;
    big_build(&b, N);
    folio_rule *rules[2] = {compile_ok(typical_rule, FOLIO_RT_BOOL),
                            compile_ok(heavy_rule, FOLIO_RT_BOOL)};
    const char *names[2] = {"typical 5-clause rule", "heavy 5-clause rule (aggregates)"};
    uint8_t *serial = malloc(N), *par = malloc(N);
    assert_non_null(serial);
    assert_non_null(par);
    for (int k = 0; k < 2; k++) {
        folio_rule *r = rules[k];
        folio_rule_ctx c;
        memset(&c, 0, sizeof c);
        c.ds = &b.ds;
        c.hs = &b.hs;
        c.today = D(2026, 10, 31);
        c.period_start = D(2026, 10, 1);
        c.period_end = D(2026, 10, 31);
        size_t pass = 0;
        double t0 = now_s();
        int rounds = 0;
        do {
            pass = 0;
            for (size_t i = 0; i < N; i++) {
                c.hh = (uint32_t)i;
                serial[i] = rules_eval_bool(r, &c);
                pass += serial[i];
            }
            rounds++;
        } while (now_s() - t0 < 0.3);
        double dt = now_s() - t0;
        printf("rules: %s: %.1f M evaluations/s (one thread, %zu households, %zu true)\n",
               names[k], (double)N * rounds / dt / 1e6, N, pass);
        assert_true(pass > N / 100 && pass < N - N / 100);   /* the data exercises both sides */

        memset(par, 2, N);
        double t1 = now_s();
#pragma omp parallel for schedule(dynamic, 256)
        for (size_t i = 0; i < N; i++) {
            folio_rule_ctx pc = c;    /* one context per call */
            pc.hh = (uint32_t)i;
            par[i] = rules_eval_bool(r, &pc);
        }
        double dt1 = now_s() - t1;
        printf("rules: %s: %.1f M evaluations/s in parallel\n", names[k], (double)N / dt1 / 1e6);
        assert_memory_equal(serial, par, N);
    }
    free(serial);
    free(par);
    rules_free(rules[0]);
    rules_free(rules[1]);
    big_free(&b);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_numbers_and_arithmetic),
        cmocka_unit_test(test_precedence),
        cmocka_unit_test(test_strings),
        cmocka_unit_test(test_dates),
        cmocka_unit_test(test_household_and_customer_fields),
        cmocka_unit_test(test_card_utilization_boundary),
        cmocka_unit_test(test_aggregates),
        cmocka_unit_test(test_mixed_currencies),
        cmocka_unit_test(test_transactions_period),
        cmocka_unit_test(test_description_language),
        cmocka_unit_test(test_custom_catalog),
        cmocka_unit_test(test_error_positions),
        cmocka_unit_test(test_error_messages),
        cmocka_unit_test(test_error_multiline),
        cmocka_unit_test(test_limits),
        cmocka_unit_test(test_deep_nesting_is_an_error),
        cmocka_unit_test(test_error_after_cr),
        cmocka_unit_test(test_explain),
        cmocka_unit_test(test_value_format),
        cmocka_unit_test(test_minor_digits_from_job),
        cmocka_unit_test(test_no_allocation_during_eval),
        cmocka_unit_test(test_parallel_and_throughput),
    };
    return cmocka_run_group_tests(tests, setup, NULL);
}
