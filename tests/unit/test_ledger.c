/* SPDX-License-Identifier: Apache-2.0 */
/* Unit tests: balances and posting order from the bank's ledger
 * (src/ledger.c, issue 10 part 3), on feeds loaded from CSV text. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <locale.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "folio/compose.h"
#include "folio/ledger.h"
#include "feed_defs.h"

static char *root_path(const char *rel)
{
    const char *root = getenv("FOLIO_ROOT");
    static char buf[4][1024];
    static int k;
    char *b = buf[k++ & 3];
    snprintf(b, 1024, "%s/%s", root ? root : ".", rel);
    return b;
}

typedef struct world {
    folio_job job;
    folio_feed_def defs[3];
    folio_layout *layout;
    folio_dataset *ds;
    folio_households hs;
    folio_plan *plan;
    folio_ledger_counts counts;
} world;

/* customers c1; accounts (acct,owner[,open][,close]) as given; transactions
 * t.csv (acct,date,amount,bal[,seq]); period 2024-02-01..29. */
static world *load(const char *accounts, const char *txns, bool seq, int policy)
{
    world *w = calloc(1, sizeof *w);
    folio_error err = {0};
    w->layout = layout_load(root_path("layouts/statement.yaml"), &err);
    if (!w->layout)
        fail_msg("layout: %s", err.msg);
    w->job.name = (char *)"t";
    w->job.bank_name = (char *)"Harbor & Pine Bank";
    w->job.bank_phone = (char *)"1-800-555-0142";
    w->job.bank_website = (char *)"www.example.com";
    w->job.currency = (char *)"USD";
    w->job.ledger_policy = policy;
    folio_date_from_ymd(2024, 3, 1, &w->job.statement_date);
    folio_date_from_ymd(2024, 2, 1, &w->job.period_start);
    folio_date_from_ymd(2024, 2, 29, &w->job.period_end);
    w->defs[0] = mkdef(FOLIO_FEED_CUSTOMERS, "c.csv");
    w->defs[0].columns[FOLIO_F_CUSTOMER_ID] = (char *)"id";
    w->defs[0].columns[FOLIO_F_LAST_NAME] = (char *)"name";
    w->defs[0].columns[FOLIO_F_ADDRESS1] = (char *)"addr";
    w->defs[1] = mkdef(FOLIO_FEED_ACCOUNTS, "a.csv");
    w->defs[1].product = (char *)"checking";
    w->defs[1].columns[FOLIO_F_ACCOUNT_ID] = (char *)"acct";
    w->defs[1].columns[FOLIO_F_OWNER_ID] = (char *)"owner";
    if (strstr(accounts, "open"))
        w->defs[1].columns[FOLIO_F_OPENING_BALANCE] = (char *)"open";
    if (strstr(accounts, "close"))
        w->defs[1].columns[FOLIO_F_CLOSING_BALANCE] = (char *)"close";
    w->defs[2] = mkdef(FOLIO_FEED_TRANSACTIONS, "t.csv");
    w->defs[2].columns[FOLIO_F_TXN_ACCOUNT_ID] = (char *)"acct";
    w->defs[2].columns[FOLIO_F_TXN_DATE] = (char *)"date";
    w->defs[2].columns[FOLIO_F_AMOUNT] = (char *)"amount";
    w->defs[2].columns[FOLIO_F_DESCRIPTION] = (char *)"desc";
    w->defs[2].columns[FOLIO_F_BALANCE_AFTER] = (char *)"bal";
    if (seq)
        w->defs[2].columns[FOLIO_F_ORDER_BY] = (char *)"seq";
    w->job.feeds = w->defs;
    w->job.n_feeds = 3;
    w->ds = feed_dataset_new(3);
    const char *cust = "id,name,addr\nc1,Ana,1 Main St\n";
    assert_true(feed_load_buffer(w->ds, 0, &w->defs[0], cust, strlen(cust), 1, &err));
    assert_true(feed_load_buffer(w->ds, 1, &w->defs[1], accounts, strlen(accounts), 1, &err));
    assert_true(feed_load_buffer(w->ds, 2, &w->defs[2], txns, strlen(txns), 1, &err));
    assert_true(feed_resolve(w->ds, &err));
    assert_int_equal(w->ds->n_rejects, 0);
    assert_true(ledger_prepare(w->ds, &w->job, w->layout, &err));
    const char *order[] = {"checking"};
    assert_true(household_group(w->ds, order, 1, &w->hs, &err));
    w->plan = compose_plan_new(&w->job, w->layout, w->ds, &w->hs, &err);
    if (!w->plan)
        fail_msg("plan: %s", err.msg);
    assert_true(ledger_report(w->plan, w->ds, &w->counts, &err));
    return w;
}

static void unload(world *w)
{
    compose_plan_free(w->plan);
    household_free(&w->hs);
    feed_dataset_free(w->ds);
    layout_free(w->layout);
    free(w);
}

/* the descriptions of account 0's transactions, in ledger order, "a b c" */
static const char *order_of(const world *w, char *buf, size_t cap)
{
    size_t n = 0;
    buf[0] = 0;
    const folio_account *a = &w->ds->accounts[0];
    for (uint32_t k = 0; k < a->n_txn; k++)
        n += (size_t)snprintf(buf + n, cap - n, "%s%s", k ? " " : "",
                              w->ds->txns[a->first_txn + k].description);
    return buf;
}

static size_t count_kind(const world *w, folio_exception_kind k)
{
    size_t n = 0;
    for (size_t i = 0; i < w->ds->exceptions.n; i++)
        n += w->ds->exceptions.v[i].kind == k;
    return n;
}

/* A shuffled day whose balances allow one order: put in it, one
 * reordered_day exception, rows_reordered counted. */
static void test_shuffled_day_reordered(void **state)
{
    (void)state;
    world *w = load("acct,owner\nA1,c1\n",
                    "acct,date,amount,bal,desc\n"
                    "A1,2024-01-31,100.00,100.00,open\n"
                    "A1,2024-02-05,-30.00,120.00,third\n"   /* file order: 3 2 1 */
                    "A1,2024-02-05,-20.00,150.00,second\n"
                    "A1,2024-02-05,70.00,170.00,first\n", false, FOLIO_LEDGER_SUPPRESS);
    char buf[256];
    assert_string_equal(order_of(w, buf, sizeof buf), "open first second third");
    assert_int_equal(w->counts.rows_reordered, 2);   /* "second" stays in the middle */
    assert_int_equal(w->counts.days_reordered, 1);
    assert_int_equal(count_kind(w, FOLIO_EXC_REORDERED_DAY), 1);
    assert_int_equal(count_kind(w, FOLIO_EXC_AMBIGUOUS_ORDER), 0);
    /* the balances come from the ledger and add up: printed */
    assert_false(w->plan->accounts[0].suppressed);
    assert_int_equal(w->plan->accounts[0].opening, 10000);
    assert_int_equal(w->ds->accounts[0].closing_balance, 12000);
    unload(w);
}

/* Two orders both valid (+10 -10 / +5 -5 in either pair order): file order
 * kept, one ambiguous_order exception, nothing reordered. */
static void test_ambiguous_day_file_order(void **state)
{
    (void)state;
    world *w = load("acct,owner\nA1,c1\n",
                    "acct,date,amount,bal,desc\n"
                    "A1,2024-01-31,100.00,100.00,open\n"
                    "A1,2024-02-05,-5.00,100.00,d\n"
                    "A1,2024-02-05,10.00,110.00,a\n"
                    "A1,2024-02-05,5.00,105.00,c\n"
                    "A1,2024-02-05,-10.00,100.00,b\n", false, FOLIO_LEDGER_SUPPRESS);
    char buf[256];
    assert_string_equal(order_of(w, buf, sizeof buf), "open d a c b");
    assert_int_equal(w->counts.days_ambiguous, 1);
    assert_int_equal(w->counts.rows_reordered, 0);
    assert_int_equal(count_kind(w, FOLIO_EXC_AMBIGUOUS_ORDER), 1);
    assert_int_equal(count_kind(w, FOLIO_EXC_REORDERED_DAY), 0);
    unload(w);
}

/* order_by decides, whatever the file order and the balances. */
static void test_order_by(void **state)
{
    (void)state;
    world *w = load("acct,owner\nA1,c1\n",
                    "acct,date,amount,bal,desc,seq\n"
                    "A1,2024-02-05,-30.00,120.00,z,30\n"
                    "A1,2024-02-05,-20.00,150.00,y,20\n"
                    "A1,2024-02-05,70.00,170.00,x,10\n", true, FOLIO_LEDGER_SUPPRESS);
    char buf[256];
    assert_string_equal(order_of(w, buf, sizeof buf), "x y z");
    assert_int_equal(w->counts.rows_reordered, 0);   /* the bank's order, not folio's */
    /* derived opening: the first row's balance minus its amount */
    assert_int_equal(w->ds->accounts[0].opening_balance, 10000);
    assert_true(w->ds->accounts[0].ledger_derived & FOLIO_LEDGER_OPENING);
    assert_false(w->plan->accounts[0].suppressed);
    unload(w);
}

static const char *const OFF =
    "acct,date,amount,bal,desc\n"
    "A1,2024-01-31,100.00,100.00,open\n"
    "A1,2024-02-10,50.00,150.00,ok\n"
    "A1,2024-02-29,3.45,153.40,interest\n";   /* rounding: 0.05 short */

static void test_policy_suppress(void **state)
{
    (void)state;
    world *w = load("acct,owner\nA1,c1\n", OFF, false, FOLIO_LEDGER_SUPPRESS);
    assert_true(w->plan->accounts[0].suppressed);
    assert_non_null(strstr(w->plan->accounts[0].reason, "balance mismatch"));
    assert_int_equal(w->plan->accounts[0].ledger_diff, -5);
    assert_int_equal(w->counts.suppressed, 1);
    assert_int_equal(w->counts.rows_off, 1);
    assert_int_equal(count_kind(w, FOLIO_EXC_LEDGER_DIFFERENCE), 1);
    assert_int_equal(count_kind(w, FOLIO_EXC_LEDGER_ROW), 1);
    for (size_t i = 0; i < w->ds->exceptions.n; i++) {
        const folio_exception *e = &w->ds->exceptions.v[i];
        assert_string_equal(e->action, "suppressed");
        assert_int_equal(e->amount, -5);
        if (e->kind == FOLIO_EXC_LEDGER_ROW)
            assert_int_equal(e->line, 4);
    }
    unload(w);
}

static void test_policy_print(void **state)
{
    (void)state;
    world *w = load("acct,owner\nA1,c1\n", OFF, false, FOLIO_LEDGER_PRINT);
    assert_false(w->plan->accounts[0].suppressed);
    assert_true(w->plan->accounts[0].bank_figures);
    assert_int_equal(w->plan->accounts[0].closing, 15340);   /* the bank's */
    assert_int_equal(w->counts.printed, 1);
    assert_int_equal(count_kind(w, FOLIO_EXC_LEDGER_DIFFERENCE), 1);
    /* composing prints the bank's figures without an internal balance error */
    folio_arena a;
    folio_arena_init(&a, 1 << 16);
    folio_compose_result res;
    folio_error err = {0};
    folio_dl_statement *st = compose_household(w->plan, 0, &a, &res, &err);
    assert_non_null(st);
    assert_int_equal(res.txns, 2);
    folio_arena_free(&a);
    unload(w);
}

static void test_policy_fail(void **state)
{
    (void)state;
    folio_error err = {0};
    world *w = calloc(1, sizeof *w);
    /* the same as load() up to the plan, to see the error */
    w->layout = layout_load(root_path("layouts/statement.yaml"), &err);
    assert_non_null(w->layout);
    w->job.ledger_policy = FOLIO_LEDGER_FAIL;
    folio_date_from_ymd(2024, 2, 1, &w->job.period_start);
    folio_date_from_ymd(2024, 2, 29, &w->job.period_end);
    w->defs[0] = mkdef(FOLIO_FEED_CUSTOMERS, "c.csv");
    w->defs[0].columns[FOLIO_F_CUSTOMER_ID] = (char *)"id";
    w->defs[0].columns[FOLIO_F_LAST_NAME] = (char *)"name";
    w->defs[0].columns[FOLIO_F_ADDRESS1] = (char *)"addr";
    w->defs[1] = mkdef(FOLIO_FEED_ACCOUNTS, "a.csv");
    w->defs[1].product = (char *)"checking";
    w->defs[1].columns[FOLIO_F_ACCOUNT_ID] = (char *)"acct";
    w->defs[1].columns[FOLIO_F_OWNER_ID] = (char *)"owner";
    w->defs[2] = mkdef(FOLIO_FEED_TRANSACTIONS, "t.csv");
    w->defs[2].columns[FOLIO_F_TXN_ACCOUNT_ID] = (char *)"acct";
    w->defs[2].columns[FOLIO_F_TXN_DATE] = (char *)"date";
    w->defs[2].columns[FOLIO_F_AMOUNT] = (char *)"amount";
    w->defs[2].columns[FOLIO_F_DESCRIPTION] = (char *)"desc";
    w->defs[2].columns[FOLIO_F_BALANCE_AFTER] = (char *)"bal";
    w->job.feeds = w->defs;
    w->job.n_feeds = 3;
    w->ds = feed_dataset_new(3);
    const char *cust = "id,name,addr\nc1,Ana,1 Main St\n", *acc = "acct,owner\nA1,c1\n";
    assert_true(feed_load_buffer(w->ds, 0, &w->defs[0], cust, strlen(cust), 1, &err));
    assert_true(feed_load_buffer(w->ds, 1, &w->defs[1], acc, strlen(acc), 1, &err));
    assert_true(feed_load_buffer(w->ds, 2, &w->defs[2], OFF, strlen(OFF), 1, &err));
    assert_true(feed_resolve(w->ds, &err));
    assert_true(ledger_prepare(w->ds, &w->job, w->layout, &err));
    const char *order[] = {"checking"};
    assert_true(household_group(w->ds, order, 1, &w->hs, &err));
    w->plan = compose_plan_new(&w->job, w->layout, w->ds, &w->hs, &err);
    assert_null(w->plan);
    assert_int_equal(err.code, FOLIO_EXIT_FAILED);
    assert_non_null(strstr(err.msg, "a.csv:2: account 'A1'"));
    assert_non_null(strstr(err.msg, "t.csv:4"));
    unload(w);
}

/* No closing balance and no ledger: suppressed with a reason, never 0. */
static void test_no_closing_suppressed(void **state)
{
    (void)state;
    world *w = load("acct,owner,close\nA1,c1,\n",
                    "acct,date,amount,bal,desc\n", false, FOLIO_LEDGER_SUPPRESS);
    assert_true(w->plan->accounts[0].suppressed);
    assert_non_null(strstr(w->plan->accounts[0].reason, "closing balance unknown"));
    assert_int_equal(w->counts.no_closing, 1);
    unload(w);
}

/* The real berka ledger (../shared/data/berka/trans_partial.asc): for every
 * account, wherever the bank's balance after a row equals the balance after
 * the row folio puts before it plus the amount under SOME order (computed
 * here from the raw figures, order-free), folio's order must realise it on
 * every day it does not list as ambiguous.  The independent Python check of
 * the printed statements is tests/e2e/check_berka.py. */
static void test_berka_order(void **state)
{
    (void)state;
    const char *cands[] = {getenv("FOLIO_BERKA"), "../shared/data/berka",
                           "../../shared/data/berka", "/work/shared/data/berka"};
    char path[1200];
    FILE *f = NULL;
    for (size_t i = 0; i < 4 && !f; i++) {
        if (!cands[i])
            continue;
        snprintf(path, sizeof path, "%s%s/trans_partial.asc", cands[i][0] == '/' ? "" : "",
                 cands[i][0] == '/' ? cands[i] : root_path(cands[i]));
        f = fopen(path, "rb");
    }
    if (!f) {
        print_message("berka trans_partial.asc not found (FOLIO_BERKA, ../shared/data/berka): "
                      "skipped\n");
        skip();
    }
    fseek(f, 0, SEEK_END);
    long len = ftell(f);
    fseek(f, 0, SEEK_SET);
    char *data = malloc((size_t)len + 1);
    assert_int_equal(fread(data, 1, (size_t)len, f), (size_t)len);
    data[len] = 0;
    fclose(f);
    /* accounts: every account id of the file (column 2) */
    folio_buf acc;
    folio_buf_init(&acc, 0);
    folio_buf_puts(&acc, "acct,owner\n");
    static char seen[20000];
    memset(seen, 0, sizeof seen);
    for (char *s = strchr(data, '\n') + 1; s && *s;) {
        unsigned id = 0;
        if (sscanf(s, "%*u;%u;", &id) == 1 && id < 20000 && !seen[id]) {
            seen[id] = 1;
            char line[32];
            snprintf(line, sizeof line, "%u,c1\n", id);
            folio_buf_puts(&acc, line);
        }
        s = strchr(s, '\n');
        s = s ? s + 1 : NULL;
    }
    folio_error err = {0};
    world *w = calloc(1, sizeof *w);
    w->layout = layout_load(root_path("layouts/statement.yaml"), &err);
    assert_non_null(w->layout);
    folio_date_from_ymd(1994, 2, 1, &w->job.period_start);
    folio_date_from_ymd(1994, 2, 28, &w->job.period_end);
    w->defs[0] = mkdef(FOLIO_FEED_CUSTOMERS, "c.csv");
    w->defs[0].columns[FOLIO_F_CUSTOMER_ID] = (char *)"id";
    w->defs[0].columns[FOLIO_F_LAST_NAME] = (char *)"name";
    w->defs[0].columns[FOLIO_F_ADDRESS1] = (char *)"addr";
    w->defs[1] = mkdef(FOLIO_FEED_ACCOUNTS, "a.csv");
    w->defs[1].product = (char *)"checking";
    w->defs[1].columns[FOLIO_F_ACCOUNT_ID] = (char *)"acct";
    w->defs[1].columns[FOLIO_F_OWNER_ID] = (char *)"owner";
    w->defs[2] = mkdef(FOLIO_FEED_TRANSACTIONS, "trans_partial.asc");
    w->defs[2].delimiter = ';';
    w->defs[2].date_format = (char *)"YYMMDD";
    w->defs[2].sign = FOLIO_SIGN_FLAG_COLUMN;
    char *dv[] = {(char *)"VYDAJ", (char *)"VYBER"};
    w->defs[2].debit_values = dv;
    w->defs[2].n_debit_values = 2;
    char *cv[] = {(char *)"PRIJEM"};   /* both lists are required (issue 10 part 4) */
    w->defs[2].credit_values = cv;
    w->defs[2].n_credit_values = 1;
    w->defs[2].has_century_pivot = true;   /* every year of the export is 19xx */
    w->defs[2].century_pivot = 0;
    w->defs[2].columns[FOLIO_F_TXN_ACCOUNT_ID] = (char *)"account_id";
    w->defs[2].columns[FOLIO_F_TXN_DATE] = (char *)"date";
    w->defs[2].columns[FOLIO_F_AMOUNT] = (char *)"amount";
    w->defs[2].columns[FOLIO_F_DEBIT_FLAG] = (char *)"type";
    w->defs[2].columns[FOLIO_F_BALANCE_AFTER] = (char *)"balance";
    w->defs[2].columns[FOLIO_F_DESCRIPTION] = (char *)"trans_id";
    w->job.feeds = w->defs;
    w->job.n_feeds = 3;
    w->ds = feed_dataset_new(3);
    const char *cust = "id,name,addr\nc1,Ana,1 Main St\n";
    assert_true(feed_load_buffer(w->ds, 0, &w->defs[0], cust, strlen(cust), 1, &err));
    assert_true(feed_load_buffer(w->ds, 1, &w->defs[1], acc.data, acc.len, 1, &err));
    assert_true(feed_load_buffer(w->ds, 2, &w->defs[2], data, (size_t)len, 1, &err));
    assert_true(feed_resolve(w->ds, &err));
    /* the cut-off last line is the one reject */
    assert_int_equal(w->ds->n_rejects, 1);
    assert_true(ledger_prepare(w->ds, &w->job, w->layout, &err));
    size_t rows = 0, chained = 0, breaks = 0;
    for (size_t i = 0; i < w->ds->n_accounts; i++) {
        const folio_account *a = &w->ds->accounts[i];
        for (uint32_t k = 1; k < a->n_txn; k++) {
            const folio_txn *p = &w->ds->txns[a->first_txn + k - 1];
            const folio_txn *t = &w->ds->txns[a->first_txn + k];
            rows++;
            if (p->balance_after + t->amount == t->balance_after) {
                chained++;
                continue;
            }
            if (t->ledger & FOLIO_TXN_AMBIGUOUS)
                continue;
            /* could another row of the day (or the day before's last) have
               been before it?  then folio's order missed a chain */
            bool could = false;
            for (uint32_t q = 0; q < a->n_txn && !could; q++) {
                const folio_txn *o = &w->ds->txns[a->first_txn + q];
                could = q != k && o->date == t->date &&
                        o->balance_after + t->amount == t->balance_after &&
                        p->date == t->date;
            }
            breaks += could;
            if (could)
                print_message("account %s: line %u could follow another row of its day\n",
                              a->id, t->line);
        }
    }
    print_message("berka: %zu of %zu rows follow the row before them in folio's order "
                  "(%.1f%%)\n", chained, rows, 100.0 * (double)chained / (double)rows);
    assert_true(rows > 40000);
    assert_int_equal(breaks, 0);
    feed_dataset_free(w->ds);
    layout_free(w->layout);
    free(w);
    folio_buf_free(&acc);
    free(data);
}

int main(void)
{
    setlocale(LC_ALL, "");
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_shuffled_day_reordered),
        cmocka_unit_test(test_ambiguous_day_file_order),
        cmocka_unit_test(test_order_by),
        cmocka_unit_test(test_policy_suppress),
        cmocka_unit_test(test_policy_print),
        cmocka_unit_test(test_policy_fail),
        cmocka_unit_test(test_no_closing_suppressed),
        cmocka_unit_test(test_berka_order),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
