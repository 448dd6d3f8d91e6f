/* SPDX-License-Identifier: Apache-2.0 */
/*
 * test_events.c -- journey events (issue 15 part 2): events_bind joins rows
 * to households by customer, account or household id and orders them by
 * date; the rule collection `events`, last(events, "type") (with or without
 * `.date`), statement.date arithmetic, unknown when there is none, and the
 * compile errors; a throughput figure with and without an events clause.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "folio/events.h"
#include "folio/household.h"
#include "folio/rules.h"

static folio_date D(int y, int m, int d)
{
    folio_date out;
    assert_true(folio_date_from_ymd(y, m, d, &out));
    return out;
}

static folio_customer customers[3];
static folio_account accounts[2];
static folio_event events[7];
static folio_dataset ds;
static folio_household hh[3];
static uint32_t cust_idx[3] = {0, 1, 2};
static uint32_t acct_idx[2] = {0, 1};
static folio_households hs;

static int setup(void **state)
{
    (void)state;
    memset(customers, 0, sizeof customers);
    memset(accounts, 0, sizeof accounts);
    const char *ids[3] = {"C1", "C2", "C3"};
    for (int i = 0; i < 3; i++) {
        customers[i].id = ids[i];
        customers[i].household_id = "";
        customers[i].first_name = customers[i].last_name = customers[i].email = "";
        customers[i].birth_date = customers[i].customer_since = FOLIO_DATE_NONE;
    }
    accounts[0].id = "A1";
    accounts[0].owner = 0;
    accounts[1].id = "A2";
    accounts[1].owner = 1;
    /* rows out of date order, keyed by customer, account and household id */
    events[0] = (folio_event){"C1", "payment", "", D(2026, 10, 5), 0, 5, NULL};
    events[1] = (folio_event){"A1", "notice", "print", D(2026, 9, 20), 0, 2, NULL};
    events[2] = (folio_event){"H2", "notice", "print", D(2026, 8, 1), 0, 3, NULL};
    events[3] = (folio_event){"C2", "notice", "email", D(2026, 10, 10), 0, 4, NULL};
    events[4] = (folio_event){"C2", "payment", "", D(2026, 9, 1), 0, 6, NULL};
    events[5] = (folio_event){"H3", "complaint_open", "", D(2026, 10, 2), 0, 7, NULL};
    events[6] = (folio_event){"C1", "notice", "print", D(2026, 6, 1), 0, 8, NULL};
    memset(&ds, 0, sizeof ds);
    ds.customers = customers;
    ds.n_customers = 3;
    ds.accounts = accounts;
    ds.n_accounts = 2;
    ds.events = events;
    ds.n_events = 7;
    hh[0] = (folio_household){"H1", false, 0, 1, 0, 1};
    hh[1] = (folio_household){"H2", false, 1, 1, 1, 1};
    hh[2] = (folio_household){"H3", false, 2, 1, 2, 0};
    memset(&hs, 0, sizeof hs);
    hs.v = hh;
    hs.n = 3;
    hs.customer_idx = cust_idx;
    hs.account_idx = acct_idx;
    folio_error err = {0};
    assert_true(events_bind(&ds, &hs, &err));
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    free(ds.event_idx);
    free(ds.event_first);
    return 0;
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
    return c;
}

static folio_rule_value eval(const char *text, uint32_t h, folio_rule_type want)
{
    folio_error err = {0};
    folio_rule *r = rules_compile(text, (size_t)-1, NULL, want, NULL, &err);
    if (!r)
        fail_msg("rule `%s` failed to compile: %s", text, err.msg);
    folio_rule_ctx c = ctx_for(h);
    folio_rule_value v;
    rules_eval(r, &c, &v);
    rules_free(r);
    return v;
}

/* The same rule evaluated for a statement dated `today`. */
static folio_rule_value eval_at(const char *text, uint32_t h, folio_rule_type want,
                                folio_date today)
{
    folio_error err = {0};
    folio_rule *r = rules_compile(text, (size_t)-1, NULL, want, NULL, &err);
    if (!r)
        fail_msg("rule `%s` failed to compile: %s", text, err.msg);
    folio_rule_ctx c = ctx_for(h);
    c.today = today;
    folio_rule_value v;
    rules_eval(r, &c, &v);
    rules_free(r);
    return v;
}

static bool is_true(const char *text, uint32_t h)
{
    folio_rule_value v = eval(text, h, FOLIO_RT_BOOL);
    return !v.absent && v.num;
}

static const char *compile_error(const char *text)
{
    static folio_error err;
    memset(&err, 0, sizeof err);
    folio_rule *r = rules_compile(text, (size_t)-1, NULL, FOLIO_RT_BOOL, NULL, &err);
    assert_null(r);
    return err.msg;
}

static void test_bind_joins_and_orders(void **state)
{
    (void)state;
    /* H1: C1's two rows and A1's one, by date; H2: C2's two and H2's one */
    assert_int_equal(ds.event_first[0], 0);
    assert_int_equal(ds.event_first[1], 3);
    assert_int_equal(ds.event_first[2], 6);
    assert_int_equal(ds.event_first[3], 7);
    assert_int_equal(ds.event_idx[0], 6);   /* 2026-06-01 */
    assert_int_equal(ds.event_idx[1], 1);   /* 2026-09-20 */
    assert_int_equal(ds.event_idx[2], 0);   /* 2026-10-05 */
    assert_int_equal(ds.event_idx[3], 2);   /* H2 2026-08-01 */
    assert_int_equal(ds.event_idx[6], 5);
}

static void test_count_and_last(void **state)
{
    (void)state;
    assert_int_equal(eval("count(events where type == \"notice\")", 0, FOLIO_RT_NUMBER).num,
                     2 * FOLIO_RULE_SCALE);
    assert_int_equal(eval("count(events where type == \"notice\" and date >= statement.date - 60)",
                          0, FOLIO_RT_NUMBER).num, 1 * FOLIO_RULE_SCALE);
    assert_int_equal(eval("last(events, \"payment\")", 0, FOLIO_RT_DATE).num, D(2026, 10, 5));
    assert_int_equal(eval("last(events, \"payment\").date", 1, FOLIO_RT_DATE).num, D(2026, 9, 1));
    assert_int_equal(eval("last(events, \"notice\")", 1, FOLIO_RT_DATE).num, D(2026, 10, 10));
    /* none: unknown, and every comparison with it false */
    assert_true(eval("last(events, \"payment\")", 2, FOLIO_RT_DATE).absent);
    assert_false(is_true("last(events, \"payment\") > date(\"2000-01-01\")", 2));
    assert_false(is_true("last(events, \"payment\") <= date(\"2000-01-01\")", 2));
    assert_true(is_true("not known(last(events, \"payment\"))", 2));
    /* the thank-you test: paid after the last notice */
    assert_true(is_true("last(events, \"payment\").date > last(events, \"notice\")", 0));
    assert_false(is_true("last(events, \"payment\").date > last(events, \"notice\")", 1));
    /* channel, key, and the household's own fields inside `events where` */
    assert_true(is_true("any(events where channel == \"email\" and event.key == \"C2\")", 1));
    assert_false(is_true("any(events where channel == \"email\")", 0));
    assert_true(is_true("any(events where type == \"complaint_open\" and household.id == \"H3\")", 2));
    assert_true(is_true("all(events where days_since(date) < 200)", 0));
    assert_int_equal(eval("min(date of events)", 0, FOLIO_RT_DATE).num, D(2026, 6, 1));
}

/* issue 15 (r-journey): a statement sees only the events up to its own
 * date.  H1 has a notice 2026-06-01, a notice 2026-09-20 and a payment
 * 2026-10-05; H2 a payment 2026-09-01, a notice 2026-08-01 and one
 * 2026-10-10.  Dated 2026-09-30, the October rows are not there yet. */
static void test_only_events_to_statement_date(void **state)
{
    (void)state;
    folio_date sep30 = D(2026, 9, 30);
    assert_true(eval_at("last(events, \"payment\")", 0, FOLIO_RT_DATE, sep30).absent);
    assert_int_equal(eval_at("last(events, \"notice\").date", 1, FOLIO_RT_DATE, sep30).num,
                     D(2026, 8, 1));
    assert_int_equal(eval_at("count(events)", 0, FOLIO_RT_NUMBER, sep30).num,
                     2 * FOLIO_RULE_SCALE);
    assert_int_equal(eval_at("count(events where type == \"notice\")", 1, FOLIO_RT_NUMBER,
                             sep30).num, 1 * FOLIO_RULE_SCALE);
    assert_false(eval_at("any(events where type == \"complaint_open\")", 2, FOLIO_RT_BOOL,
                         sep30).num);
    assert_int_equal(eval_at("max(date of events)", 1, FOLIO_RT_DATE, sep30).num, D(2026, 9, 1));
    /* an event on the statement date itself is seen */
    assert_int_equal(eval_at("last(events, \"payment\")", 0, FOLIO_RT_DATE, D(2026, 10, 5)).num,
                     D(2026, 10, 5));
    assert_true(eval_at("any(events where type == \"complaint_open\")", 2, FOLIO_RT_BOOL,
                        D(2026, 10, 2)).num);
}

/* issue 15 (r-journey): the contact history is in `events` -- each row
 * not held out is an event of type "contact" with event.offer; a second
 * bind replaces them */
static void test_contacts_are_events(void **state)
{
    (void)state;
    folio_contact c[3];
    memset(c, 0, sizeof c);
    c[0] = (folio_contact){"C1", "SAV-RATE", D(2026, 9, 3), "A", false};
    c[1] = (folio_contact){"H1", "FEEDBACK", D(2026, 10, 20), "", false};
    c[2] = (folio_contact){"C1", "SAV-RATE", D(2026, 10, 1), "", true};   /* held out */
    folio_event *heap = malloc(sizeof events);          /* bind appends to ds.events */
    assert_non_null(heap);
    memcpy(heap, events, sizeof events);
    ds.events = heap;
    ds.contacts = c;
    ds.n_contacts = 3;
    folio_error err = {0};
    assert_true(events_bind(&ds, &hs, &err));
    assert_true(events_bind(&ds, &hs, &err));               /* not twice */
    assert_int_equal(ds.n_events, 9);
    assert_int_equal(eval("count(events where type == \"contact\")", 0, FOLIO_RT_NUMBER).num,
                     2 * FOLIO_RULE_SCALE);
    assert_int_equal(eval("count(events where event.offer == \"SAV-RATE\")", 0,
                          FOLIO_RT_NUMBER).num, 1 * FOLIO_RULE_SCALE);
    assert_int_equal(eval("last(events, \"contact\")", 0, FOLIO_RT_DATE).num, D(2026, 10, 20));
    assert_true(is_true("not any(events where type == \"notice\" and event.offer != \"\")", 0));
    assert_int_equal(eval("count(events where type == \"contact\")", 1, FOLIO_RT_NUMBER).num, 0);
    /* dated after the statement: not seen */
    assert_int_equal(eval_at("count(events where type == \"contact\")", 0, FOLIO_RT_NUMBER,
                             D(2026, 10, 1)).num, 1 * FOLIO_RULE_SCALE);
    ds.contacts = NULL;
    ds.n_contacts = 0;
    assert_true(events_bind(&ds, &hs, &err));
    assert_int_equal(ds.n_events, 7);
    free(ds.events);
    ds.events = events;
    assert_true(events_bind(&ds, &hs, &err));
}

static void test_unbound_is_empty(void **state)
{
    (void)state;
    uint32_t *first = ds.event_first;
    ds.event_first = NULL;          /* a dataset without events_bind: no events */
    assert_int_equal(eval("count(events)", 0, FOLIO_RT_NUMBER).num, 0);
    assert_true(eval("last(events, \"notice\")", 0, FOLIO_RT_DATE).absent);
    ds.event_first = first;
}

static void test_errors(void **state)
{
    (void)state;
    assert_non_null(strstr(compile_error("last(accounts, \"x\") > today"),
                           "<rule>:1:6: last() takes events and a type"));
    assert_non_null(strstr(compile_error("last(events, payment) > today"),
                           "<rule>:1:14: last(events, ...) takes a literal string"));
    assert_non_null(strstr(compile_error("last(events \"x\") > today"),
                           "<rule>:1:13: expected , after events"));
    assert_non_null(strstr(compile_error("type == \"notice\""),
                           "`type` is a field of each event: use it inside a collection, "
                           "e.g. count(events where type ...)"));
    assert_non_null(strstr(compile_error("count(events where amount > 0) > 0"), "`amount`"));
    assert_non_null(strstr(compile_error("count(evnts) > 0"), "or events, found"));
    assert_non_null(strstr(compile_error("last(events, \"x\").month > 1"), "<rule>:1:18"));
}

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

/* evaluations per second of a rule with and without an events clause (the
 * three-household set, so this measures the evaluator, not memory) */
static void test_throughput(void **state)
{
    (void)state;
    const char *rules[2] = {"household.size >= 1 and statement.date > date(\"2026-01-01\")",
                            "household.size >= 1 and count(events where type == \"notice\" "
                            "and date >= statement.date - 90) >= 1"};
    for (int k = 0; k < 2; k++) {
        folio_error err = {0};
        folio_rule *r = rules_compile(rules[k], (size_t)-1, NULL, FOLIO_RT_BOOL, NULL, &err);
        assert_non_null(r);
        folio_rule_ctx c = ctx_for(0);
        size_t n = 0, t = 0;
        double t0 = now_s();
        do {
            for (int i = 0; i < 1000; i++) {
                c.hh = (uint32_t)(i % 3);
                t += rules_eval_bool(r, &c);
            }
            n += 1000;
        } while (now_s() - t0 < 0.2);
        printf("events: %s: %.1f M evaluations/s (%zu true)\n",
               k ? "with an events clause" : "without events", n / (now_s() - t0) / 1e6, t);
        rules_free(r);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_bind_joins_and_orders),
        cmocka_unit_test(test_count_and_last),
        cmocka_unit_test(test_only_events_to_statement_date),
        cmocka_unit_test(test_contacts_are_events),
        cmocka_unit_test(test_unbound_is_empty),
        cmocka_unit_test(test_errors),
        cmocka_unit_test(test_throughput),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
