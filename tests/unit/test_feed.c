/* SPDX-License-Identifier: Apache-2.0 */
/*
 * test_feed.c -- the CSV feed loader: dialects, quoting, typed fields, rejects
 * with their reasons, reference resolution, chunked parallel loading, the
 * Berka bank data, and one load through job_load + feed_load_all.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <omp.h>

#include "folio/attrs.h"
#include "folio/feed.h"
#include "feed_defs.h"
#include "feed-private.h"
#include "feed-split.h"     /* issue 11 (round 23): the split kernel */

/* ---- helpers ------------------------------------------------------------------ */

static folio_feed_def txn_def(void)
{
    folio_feed_def d = mkdef(FOLIO_FEED_TRANSACTIONS, "t.csv");
    d.columns[FOLIO_F_TXN_ACCOUNT_ID] = (char *)"acct";
    d.columns[FOLIO_F_TXN_DATE] = (char *)"date";
    d.columns[FOLIO_F_DESCRIPTION] = (char *)"desc";
    d.columns[FOLIO_F_AMOUNT] = (char *)"amount";
    return d;
}

static folio_feed_def cust_def(void)
{
    folio_feed_def d = mkdef(FOLIO_FEED_CUSTOMERS, "c.csv");
    d.columns[FOLIO_F_CUSTOMER_ID] = (char *)"id";
    d.columns[FOLIO_F_FULL_NAME] = (char *)"name";
    d.columns[FOLIO_F_ADDRESS1] = (char *)"addr";
    d.columns[FOLIO_F_EMAIL] = (char *)"email";
    return d;
}

static folio_feed_def acct_def(void)
{
    folio_feed_def d = mkdef(FOLIO_FEED_ACCOUNTS, "a.csv");
    d.columns[FOLIO_F_ACCOUNT_ID] = (char *)"acct";
    d.columns[FOLIO_F_OWNER_ID] = (char *)"owner";
    d.columns[FOLIO_F_CLOSING_BALANCE] = (char *)"bal";
    d.product = (char *)"checking";
    return d;
}

static folio_dataset *load1(const folio_feed_def *def, const char *csv, int threads)
{
    folio_dataset *ds = feed_dataset_new(1);
    assert_non_null(ds);
    folio_error err = {0};
    bool ok = feed_load_buffer(ds, 0, def, csv, strlen(csv), threads, &err);
    if (!ok)
        fprintf(stderr, "load failed: %s\n", err.msg);
    assert_true(ok);
    return ds;
}

static const folio_reject *rej_at(const folio_dataset *ds, int feed, uint32_t line)
{
    for (size_t i = 0; i < ds->n_rejects; i++)
        if (ds->rejects[i].feed == feed && ds->rejects[i].line == line)
            return &ds->rejects[i];
    fail_msg("no reject at feed %d line %u", feed, line);
    return NULL;
}

static void expect_reject(const folio_dataset *ds, int feed, uint32_t line,
                          const char *column, const char *reason)
{
    const folio_reject *r = rej_at(ds, feed, line);
    assert_string_equal(r->column, column);
    assert_string_equal(r->reason, reason);
}

/* ---- quoting, BOM, CRLF ------------------------------------------------------- */

static void test_quoting_bom_crlf(void **state)
{
    (void)state;
    folio_feed_def d = cust_def();
    const char *csv =
        "\xEF\xBB\xBFid,name,addr,email\r\n"
        "C1,\"Smith, John\",12 Main St,\r\n"                  /* empty trailing */
        "C2,\"The \"\"Best\"\" Co\",\"Line1\r\nLine2\",a@b.c\r\n"
        "\r\n"                                                /* blank line */
        "C3,Plain,\"x\",\r\n";
    folio_dataset *ds = load1(&d, csv, 1);
    /* the quoted line break is read as one record (C3 is on line 6), and an
     * address line holding one is rejected: it would print a broken line */
    assert_int_equal(ds->n_customers, 2);
    assert_int_equal(ds->n_rejects, 1);
    expect_reject(ds, 0, 3, "addr", "control character U+000D in field 'addr'");
    assert_string_equal(ds->customers[0].id, "C1");
    assert_string_equal(ds->customers[0].last_name, "Smith, John");
    assert_string_equal(ds->customers[0].email, "");
    assert_int_equal(ds->customers[0].line, 2);
    assert_int_equal(ds->customers[1].line, 6);
    assert_string_equal(ds->customers[1].language, "en");
    assert_int_equal(ds->customers[1].delivery, FOLIO_DELIVERY_PRINT);
    assert_true(ds->customers[1].marketing_consent);
    assert_int_equal(ds->stats[0].records, 3);
    assert_int_equal(ds->stats[0].bytes, strlen(csv));
    char hex[65];
    folio_sha256_hex(csv, strlen(csv), hex);
    assert_string_equal(ds->stats[0].sha256, hex);
    feed_dataset_free(ds);
}

static void test_malformed_quotes(void **state)
{
    (void)state;
    folio_feed_def d = cust_def();
    const char *csv =
        "id,name,addr,email\n"
        "C1,\"ab\"x,addr,e\n"           /* text after a closing quote */
        "C2,5\" floppy,addr,e\n"        /* quote inside an unquoted field */
        "C3,ok,addr,e\n"
        "C4,\"never closed,addr,e\n"
        "C5,lost,addr,e\n";
    folio_dataset *ds = load1(&d, csv, 1);
    assert_int_equal(ds->n_customers, 1);
    assert_string_equal(ds->customers[0].id, "C3");
    assert_int_equal(ds->customers[0].line, 4);
    const char *m = "malformed quoting (a quote inside a field must be doubled)";
    expect_reject(ds, 0, 2, "", m);
    expect_reject(ds, 0, 3, "", m);
    expect_reject(ds, 0, 5, "", "unterminated quoted field");
    assert_string_equal(rej_at(ds, 0, 5)->raw, "C4,\"never closed,addr,e\nC5,lost,addr,e");
    assert_string_equal(rej_at(ds, 0, 3)->raw, "C2,5\" floppy,addr,e");
    feed_dataset_free(ds);
}

static void test_bad_utf8_and_field_count(void **state)
{
    (void)state;
    folio_feed_def d = cust_def();
    const char *csv =
        "id,name,addr,email\n"
        "C1,Jo\xC3\x28,addr,e\n"
        "C2,Zo\xC3\xAB,addr,e\n"                       /* valid: Zoë */
        "C3,only,three\n"
        "C4,a,b,c,d\n"
        ",no id,addr,e\n";
    folio_dataset *ds = load1(&d, csv, 1);
    assert_int_equal(ds->n_customers, 1);
    assert_string_equal(ds->customers[0].last_name, "Zo\xC3\xAB");
    expect_reject(ds, 0, 2, "name", "invalid UTF-8 at byte 3");
    expect_reject(ds, 0, 4, "", "expected 4 fields, found 3");
    expect_reject(ds, 0, 5, "", "expected 4 fields, found 5");
    expect_reject(ds, 0, 6, "id", "empty customer_id");
    assert_int_equal(ds->stats[0].records, 5);
    assert_int_equal(ds->stats[0].rejected, 4);
    assert_int_equal(ds->stats[0].accepted, 1);
    feed_dataset_free(ds);
}

/* ---- NUL bytes and control characters (issue 9, items 3 and 16) ------------------ */

static folio_dataset *load1n(const folio_feed_def *def, const char *csv, size_t n)
{
    folio_dataset *ds = feed_dataset_new(1);
    assert_non_null(ds);
    folio_error err = {0};
    if (!feed_load_buffer(ds, 0, def, csv, n, 1, &err))
        fail_msg("load failed: %s", err.msg);
    return ds;
}

/* "ADVACCT0001<NUL>EVIL" must not post to ADVACCT0001: a NUL byte in a field
 * rejects the row in every dialect, quoted or not, on the quote-free fast
 * path and through libcsv. */
static void test_nul_byte_rejected(void **state)
{
    (void)state;
    static const struct { char delim, quote; } dialects[] = {
        {',', '"'}, {';', '"'}, {'\t', '"'}, {'|', '"'}, {',', '\''}, {',', 0}, {'|', 0}};
    for (int force = 0; force < 2; force++) {
        feed_set_force_libcsv(force != 0);
        for (size_t k = 0; k < sizeof dialects / sizeof *dialects; k++) {
            const char dl = dialects[k].delim, q = dialects[k].quote;
            folio_feed_def d = txn_def();
            d.delimiter = dl;
            d.quote = q;
            char csv[512];
            size_t n = 0;
            n += (size_t)snprintf(csv + n, sizeof csv - n, "acct%cdate%cdesc%camount%cnote\n",
                                  dl, dl, dl, dl);
            /* line 2: unquoted NUL inside the account id */
            n += (size_t)snprintf(csv + n, sizeof csv - n, "ADVACCT0001");
            csv[n++] = 0;
            n += (size_t)snprintf(csv + n, sizeof csv - n, "EVIL%c2026-10-01%cx%c1.00%c\n", dl,
                                  dl, dl, dl);
            /* line 3: NUL inside a (quoted, when the dialect quotes) description */
            n += (size_t)snprintf(csv + n, sizeof csv - n, "A1%c2026-10-02%c", dl, dl);
            if (q)
                csv[n++] = q;
            n += (size_t)snprintf(csv + n, sizeof csv - n, "pay");
            csv[n++] = 0;
            n += (size_t)snprintf(csv + n, sizeof csv - n, "ment");
            if (q)
                csv[n++] = q;
            n += (size_t)snprintf(csv + n, sizeof csv - n, "%c2.00%c\n", dl, dl);
            /* line 4: NUL in an unmapped column */
            n += (size_t)snprintf(csv + n, sizeof csv - n, "A1%c2026-10-03%cok%c3.00%cn", dl, dl,
                                  dl, dl);
            csv[n++] = 0;
            csv[n++] = '\n';
            /* line 5: a good row */
            n += (size_t)snprintf(csv + n, sizeof csv - n, "A1%c2026-10-04%cok%c4.00%c\n", dl, dl,
                                  dl, dl);
            folio_dataset *ds = load1n(&d, csv, n);
            assert_int_equal(ds->n_txns, 1);
            assert_int_equal(ds->txns[0].line, 5);
            assert_int_equal(ds->n_rejects, 3);
            expect_reject(ds, 0, 2, "acct", "NUL byte in field 'acct'");
            expect_reject(ds, 0, 3, "desc", "NUL byte in field 'desc'");
            expect_reject(ds, 0, 4, "note", "NUL byte in field 'note'");
            feed_dataset_free(ds);
        }
    }
    feed_set_force_libcsv(false);
}

/* Control characters (C0, DEL, C1) and U+FEFF inside a mapped field are
 * rejects naming the column; a description may hold TAB, CR and LF (shown
 * as spaces), every other field none; unmapped columns are not checked
 * (only for NUL); the file's leading BOM is not a field character. */
static void test_control_characters_rejected(void **state)
{
    (void)state;
    folio_feed_def d = txn_def();
    const char *csv =
        "\xEF\xBB\xBF" "acct,date,desc,amount,note\n"
        "A1,2026-10-01,\"two\r\nlines\ttab\",1.00,\n"          /* 2-3: ok (description) */
        "A\t1,2026-10-02,x,1.00,\n"                              /* 4: TAB in an id */
        "A1,2026-10-03,bell\x07,1.00,\n"                         /* 5: BEL in the description */
        "A1,2026-10-04,x,1.00\x7F,\n"                            /* 6: DEL */
        "A1,2026-10-05,next\xC2\x85line,1.00,\n"                 /* 7: U+0085 (C1 NEL) */
        "\xEF\xBB\xBF" "A1,2026-10-06,x,1.00,\n"                  /* 8: U+FEFF in the id */
        "A1,2026-10-07,zero\xEF\xBB\xBFwidth,1.00,\n"             /* 9: U+FEFF in the text */
        "A1,2026-10-08,x,1.00,\"tab\there\x01\"\n"                /* 10: ok: unmapped column */
        "A1,2026-10-09,caf\xC3\xA9 \xC2\xA0nbsp,1.00,\n"           /* 11: ok: U+00E9, U+00A0 */
        "\"A1\n\",2026-10-10,x,1.00,\n";                          /* 12-13: LF in an id */
    folio_dataset *ds = load1(&d, csv, 1);
    expect_reject(ds, 0, 4, "acct", "control character U+0009 in field 'acct'");
    expect_reject(ds, 0, 5, "desc", "control character U+0007 in field 'desc'");
    expect_reject(ds, 0, 6, "amount", "control character U+007F in field 'amount'");
    expect_reject(ds, 0, 7, "desc", "control character U+0085 in field 'desc'");
    expect_reject(ds, 0, 8, "acct", "U+FEFF (byte order mark) in field 'acct'");
    expect_reject(ds, 0, 9, "desc", "U+FEFF (byte order mark) in field 'desc'");
    expect_reject(ds, 0, 12, "acct", "control character U+000A in field 'acct'");
    assert_int_equal(ds->n_rejects, 7);
    assert_int_equal(ds->n_txns, 3);
    assert_string_equal(ds->txns[0].description, "two\r\nlines\ttab");
    assert_int_equal(ds->txns[1].line, 10);
    assert_string_equal(ds->txns[2].description, "caf\xC3\xA9 \xC2\xA0nbsp");
    feed_dataset_free(ds);
    /* the same through libcsv */
    feed_set_force_libcsv(true);
    ds = load1(&d, csv, 1);
    assert_int_equal(ds->n_rejects, 7);
    assert_int_equal(ds->n_txns, 3);
    feed_dataset_free(ds);
    feed_set_force_libcsv(false);
}

/* ---- typed fields ----------------------------------------------------------------- */

static void test_bad_money(void **state)
{
    (void)state;
    folio_feed_def d = acct_def();
    d.columns[FOLIO_F_INTEREST_RATE] = (char *)"rate";
    const char *csv =
        "acct,owner,bal,rate\n"
        "A1,C1,12.3x,\n"
        "A2,C1,1.234,\n"
        "A3,C1,99999999999999999999,\n"
        "A4,C1,-1234.5,4.25\n"
        "A5,C1,7,4.2x\n"
        "A6,C1,,\n";
    folio_dataset *ds = load1(&d, csv, 1);
    expect_reject(ds, 0, 2, "bal", "invalid amount '12.3x': not a number");
    expect_reject(ds, 0, 3, "bal", "invalid amount '1.234': too many decimals");
    expect_reject(ds, 0, 4, "bal", "invalid amount '99999999999999999999': out of range");
    expect_reject(ds, 0, 6, "rate", "invalid interest rate '4.2x': not a number");
    assert_int_equal(ds->n_accounts, 2);
    assert_string_equal(ds->accounts[0].id, "A4");
    assert_int_equal(ds->accounts[0].closing_balance, -123450);
    assert_int_equal(ds->accounts[0].rate_milli_pct, 4250);
    assert_false(ds->accounts[0].has_opening);
    assert_int_equal(ds->accounts[0].opening_balance, 0);
    assert_string_equal(ds->accounts[0].product, "checking");
    assert_string_equal(ds->accounts[0].currency, "USD");
    assert_int_equal(ds->accounts[1].closing_balance, 0);     /* empty: 0 */
    feed_dataset_free(ds);
}

/* Fill the stack below the caller with 0x7F bytes, so a local read before it
 * is written holds a huge value instead of a lucky zero. */
static __attribute__((noinline)) void poison_stack(void)
{
    volatile unsigned char junk[256 << 10];
    memset((void *)junk, 0x7F, sizeof junk);
    (void)junk[0];
}

/* account_record read the parsed rate of a rate that did not parse, so the
 * reason ("not a number" vs "out of range") depended on stack garbage
 * (issue 9, item 6; valgrind: conditional jump on an uninitialised value). */
static void test_interest_rate_reason(void **state)
{
    (void)state;
    folio_feed_def d = acct_def();
    d.columns[FOLIO_F_INTEREST_RATE] = (char *)"rate";
    const char *csv =
        "acct,owner,bal,rate\n"
        "A1,C1,1,abc\n"
        "A2,C1,1,4.2x%\n"
        "A3,C1,1,1.23456\n"
        "A4,C1,1,2147484\n"           /* 2147484000 milli-percent > INT32_MAX */
        "A5,C1,1,-2147484\n"
        "A6,C1,1,99999999999999999999\n"
        "A7,C1,1,2147483.647%\n";     /* INT32_MAX: fits */
    for (int round = 0; round < 3; round++) {
        folio_dataset *ds = feed_dataset_new(1);
        folio_error err = {0};
        poison_stack();
        assert_true(feed_load_buffer(ds, 0, &d, csv, strlen(csv), 1, &err));
        expect_reject(ds, 0, 2, "rate", "invalid interest rate 'abc': not a number");
        expect_reject(ds, 0, 3, "rate", "invalid interest rate '4.2x': not a number");
        expect_reject(ds, 0, 4, "rate", "invalid interest rate '1.23456': too many decimals");
        expect_reject(ds, 0, 5, "rate", "invalid interest rate '2147484': out of range");
        expect_reject(ds, 0, 6, "rate", "invalid interest rate '-2147484': out of range");
        expect_reject(ds, 0, 7, "rate",
                      "invalid interest rate '99999999999999999999': out of range");
        assert_int_equal(ds->n_accounts, 1);
        assert_int_equal(ds->accounts[0].rate_milli_pct, INT32_MAX);
        feed_dataset_free(ds);
    }
}

static void test_bad_dates(void **state)
{
    (void)state;
    folio_feed_def d = txn_def();
    const char *csv =
        "acct,date,desc,amount\n"
        "A1,2026-02-30,x,1.00\n"
        "A1,,x,1.00\n"
        "A1,2026/01/01,x,1.00\n"
        "A1,2026-01-31,x,\n"
        "A1,2026-01-31,x,-0.01\n";
    folio_dataset *ds = load1(&d, csv, 1);
    expect_reject(ds, 0, 2, "date", "invalid date '2026-02-30' (expected YYYY-MM-DD)");
    expect_reject(ds, 0, 3, "date", "empty date");
    expect_reject(ds, 0, 4, "date", "invalid date '2026/01/01' (expected YYYY-MM-DD)");
    expect_reject(ds, 0, 5, "amount", "empty amount");
    assert_int_equal(ds->n_txns, 1);
    assert_int_equal(ds->txns[0].amount, -1);
    folio_date want;
    assert_true(folio_date_from_ymd(2026, 1, 31, &want));
    assert_int_equal(ds->txns[0].date, want);
    feed_dataset_free(ds);
}

static void test_customer_fields(void **state)
{
    (void)state;
    folio_feed_def d = cust_def();
    d.columns[FOLIO_F_LANGUAGE] = (char *)"lang";
    d.columns[FOLIO_F_DELIVERY] = (char *)"dlv";
    d.columns[FOLIO_F_MARKETING_CONSENT] = (char *)"ok";
    d.columns[FOLIO_F_BIRTH_DATE] = (char *)"born";
    const char *csv =
        "id,name,addr,email,lang,dlv,ok,born\n"
        "C1,A,x,e,ES,E-Mail,No,1980-02-29\n"
        "C2,B,x,e,,BOTH,TRUE,\n"
        "C3,C,x,e,fr,none,0,\n"
        "C4,D,x,e,en,fax,1,\n"
        "C5,E,x,e,en,print,maybe,\n"
        "C6,F,x,e,en,print,1,1981-02-29\n";
    folio_dataset *ds = load1(&d, csv, 1);
    assert_int_equal(ds->n_customers, 3);
    assert_string_equal(ds->customers[0].language, "es");
    assert_int_equal(ds->customers[0].delivery, FOLIO_DELIVERY_EMAIL);
    assert_false(ds->customers[0].marketing_consent);
    assert_int_not_equal(ds->customers[0].birth_date, FOLIO_DATE_NONE);
    assert_string_equal(ds->customers[1].language, "en");
    assert_int_equal(ds->customers[1].delivery, FOLIO_DELIVERY_BOTH);
    assert_true(ds->customers[1].marketing_consent);
    assert_int_equal(ds->customers[1].birth_date, FOLIO_DATE_NONE);
    assert_int_equal(ds->customers[2].delivery, FOLIO_DELIVERY_NONE);
    expect_reject(ds, 0, 5, "dlv", "invalid delivery 'fax' (expected print, email, both or none)");
    expect_reject(ds, 0, 6, "ok", "invalid marketing_consent 'maybe' (expected yes or no)");
    expect_reject(ds, 0, 7, "born", "invalid date '1981-02-29' (expected YYYY-MM-DD)");
    feed_dataset_free(ds);
}

/* ---- dialects and sign rules ---------------------------------------------------- */

static void test_dialects(void **state)
{
    (void)state;
    struct {
        char delim, dec;
        const char *csv;
    } cases[] = {
        {';', ',', "acct;date;desc;amount\nA1;2026-10-01;\"a;b\";-1234,56\nA1;2026-10-02;c,d;7\n"},
        {'\t', '.', "acct\tdate\tdesc\tamount\nA1\t2026-10-01\ta;b\t-1234.56\nA1\t2026-10-02\tc,d\t7\n"},
        {'|', '.', "acct|date|desc|amount\nA1|2026-10-01|\"a|b\"|-1234.56\nA1|2026-10-02|c,d|7\n"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        folio_feed_def d = txn_def();
        d.delimiter = cases[i].delim;
        d.decimal = cases[i].dec;
        folio_dataset *ds = load1(&d, cases[i].csv, 1);
        assert_int_equal(ds->n_rejects, 0);
        assert_int_equal(ds->n_txns, 2);
        assert_int_equal(ds->txns[0].amount, -123456);
        assert_int_equal(ds->txns[1].amount, 700);
        assert_string_equal(ds->txns[1].description, "c,d");
        assert_int_equal(ds->txns[1].line, 3);
        feed_dataset_free(ds);
    }
    /* decimal comma: a point is not a decimal mark */
    folio_feed_def d = txn_def();
    d.delimiter = ';';
    d.decimal = ',';
    folio_dataset *ds = load1(&d, "acct;date;desc;amount\nA1;2026-10-01;x;1.50\n", 1);
    expect_reject(ds, 0, 2, "amount", "invalid amount '1.50': not a number");
    feed_dataset_free(ds);
}

static void test_sign_rules(void **state)
{
    (void)state;
    folio_feed_def d = txn_def();
    d.sign = FOLIO_SIGN_POSITIVE_IS_DEBIT;
    folio_dataset *ds = load1(&d, "acct,date,desc,amount\nA,2026-10-01,buy,12.00\nA,2026-10-01,pay,-5\n", 1);
    assert_int_equal(ds->txns[0].amount, -1200);
    assert_int_equal(ds->txns[1].amount, 500);
    feed_dataset_free(ds);

    d = txn_def();
    d.sign = FOLIO_SIGN_FLAG_COLUMN;
    d.columns[FOLIO_F_DEBIT_FLAG] = (char *)"dc";
    char *dv[] = {(char *)"D", (char *)"DR"};
    char *cv[] = {(char *)"C", (char *)"CR"};
    d.debit_values = dv;
    d.n_debit_values = 2;
    d.credit_values = cv;
    d.n_credit_values = 2;
    ds = load1(&d, "acct,date,desc,amount,dc\nA,2026-10-01,x,3.00,dr\nA,2026-10-01,x,4.00,C\n", 1);
    assert_int_equal(ds->txns[0].amount, -300);
    assert_int_equal(ds->txns[1].amount, 400);
    feed_dataset_free(ds);
    /* issue 10 part 4: a flag in neither list was silently a credit; it is a
     * reject naming the value and both lists (an empty flag too) */
    ds = load1(&d, "acct,date,desc,amount,dc\nA,2026-10-01,x,3.00,X\nA,2026-10-01,x,4.00,cr\n"
                   "A,2026-10-01,x,5.00,\n", 1);
    assert_int_equal(ds->n_txns, 1);
    assert_int_equal(ds->txns[0].amount, 400);
    assert_int_equal(ds->n_rejects, 2);
    expect_reject(ds, 0, 2, "dc", "debit flag 'X' is neither a debit value ('D', 'DR') "
                                  "nor a credit value ('C', 'CR')");
    expect_reject(ds, 0, 4, "dc", "debit flag '' is neither a debit value ('D', 'DR') "
                                  "nor a credit value ('C', 'CR')");
    feed_dataset_free(ds);

    d = txn_def();
    d.sign = FOLIO_SIGN_SPLIT_COLUMNS;
    d.columns[FOLIO_F_AMOUNT] = NULL;
    d.columns[FOLIO_F_DEBIT_AMOUNT] = (char *)"dr";
    d.columns[FOLIO_F_CREDIT_AMOUNT] = (char *)"cr";
    ds = load1(&d,
               "acct,date,desc,dr,cr\n"
               "A,2026-10-01,x,3.00,\n"
               "A,2026-10-01,x,,4.00\n"
               "A,2026-10-01,x,1.00,2.00\n"
               "A,2026-10-01,x,,\n", 1);
    assert_int_equal(ds->n_txns, 2);
    assert_int_equal(ds->txns[0].amount, -300);
    assert_int_equal(ds->txns[1].amount, 400);
    expect_reject(ds, 0, 4, "cr", "both debit_amount and credit_amount set");
    expect_reject(ds, 0, 5, "dr", "empty debit_amount and credit_amount");
    folio_error rerr = {0};
    assert_true(feed_resolve(ds, &rerr));   /* sums the amounts, in file order */
    assert_int_equal(ds->stats[0].amount_read, 100);
    feed_dataset_free(ds);
}

static void test_header_errors(void **state)
{
    (void)state;
    folio_feed_def d = acct_def();
    d.columns[FOLIO_F_OWNER_ID] = (char *)"cust_id";
    d.path = (char *)"/some/dir/accounts.csv";
    folio_dataset *ds = feed_dataset_new(1);
    folio_error err = {0};
    const char *csv = "a,b,c\n1,2,3\n";
    assert_false(feed_load_buffer(ds, 0, &d, csv, strlen(csv), 1, &err));
    assert_int_equal(err.code, FOLIO_EXIT_USAGE);
    assert_string_equal(err.msg,
        "accounts.csv:1: column 'acct' (account_id) not found in header (found: a, b, c)");
    folio_error_clear(&err);
    d.columns[FOLIO_F_ACCOUNT_ID] = (char *)"a";
    assert_false(feed_load_buffer(ds, 0, &d, csv, strlen(csv), 1, &err));
    assert_string_equal(err.msg,
        "accounts.csv:1: column 'cust_id' (customer_id) not found in header (found: a, b, c)");
    folio_error_clear(&err);
    assert_false(feed_load_buffer(ds, 0, &d, "", 0, 1, &err));
    assert_string_equal(err.msg, "accounts.csv:1: empty file, expected a header row");
    /* a mapped column named twice: which one holds the data cannot be
     * guessed -- a job error (issue 9, item 15), also when only the case
     * differs and no exact match exists */
    folio_error_clear(&err);
    d.columns[FOLIO_F_OWNER_ID] = (char *)"b";
    const char *dup = "\n\na,b,bal,b\n1,2,3,4\n";
    assert_false(feed_load_buffer(ds, 0, &d, dup, strlen(dup), 1, &err));
    assert_int_equal(err.code, FOLIO_EXIT_USAGE);
    assert_string_equal(err.msg, "accounts.csv:3: column 'b' (customer_id) appears more than "
                        "once in the header (fields 2 and 4): rename one, or map another name "
                        "in the job's columns:");
    folio_error_clear(&err);
    const char *dupcase = "a,B,bal,b2,b\n1,2,3,4,5\n";   /* exact 'b' wins over 'B' */
    folio_dataset *ok = load1(&d, dupcase, 1);
    assert_string_equal(ok->accounts[0].owner_id, "5");
    feed_dataset_free(ok);
    d.columns[FOLIO_F_OWNER_ID] = (char *)"own";
    const char *dupci = "a,OWN,bal,Own\n1,2,3,4\n";
    assert_false(feed_load_buffer(ds, 0, &d, dupci, strlen(dupci), 1, &err));
    assert_int_equal(err.code, FOLIO_EXIT_USAGE);
    assert_non_null(strstr(err.msg, "column 'own' (customer_id) appears more than once"));
    /* a header over the field limit: exit 2 naming the limit, not exit 1 */
    folio_error_clear(&err);
    d.columns[FOLIO_F_OWNER_ID] = (char *)"b";
    size_t cap = 5000 * 8 + 64, n = 0;
    char *wide = malloc(cap);
    assert_non_null(wide);
    n += (size_t)snprintf(wide + n, cap - n, "a,b");
    for (int i = 0; i < 5000; i++)
        n += (size_t)snprintf(wide + n, cap - n, ",x%d", i);
    n += (size_t)snprintf(wide + n, cap - n, "\n");
    assert_false(feed_load_buffer(ds, 0, &d, wide, n, 1, &err));
    assert_int_equal(err.code, FOLIO_EXIT_USAGE);
    assert_string_equal(err.msg, "accounts.csv:1: the header row has more than 4096 fields "
                        "(the limit of a record)");
    free(wide);
    /* a NUL byte in the header */
    folio_error_clear(&err);
    const char nulhdr[] = "a,b\0x,c\n1,2,3\n";
    assert_false(feed_load_buffer(ds, 0, &d, nulhdr, sizeof nulhdr - 1, 1, &err));
    assert_int_equal(err.code, FOLIO_EXIT_USAGE);
    assert_string_equal(err.msg, "accounts.csv:1: header field 2: NUL byte U+0000");
    feed_dataset_free(ds);
}

/* ---- resolve ---------------------------------------------------------------------- */

/* issue 11 (r-twothr): resolve_txns' parallel fast path (every account
 * resolves, the sum of all |amounts| fits an int64) and its serial pass
 * (otherwise) give the tables the serial pass always gave: amounts summed
 * per feed as read, rows in file order, each row's account. */
static folio_dataset *resolve_two(const char *tc, int threads)
{
    folio_dataset *ds = feed_dataset_new(3);
    folio_error err = {0};
    folio_feed_def c = cust_def(), a = acct_def(), t = txn_def();
    const char *cc = "id,name,addr,email\nC1,Ann,x,e\nC2,Bob,x,e\n";
    const char *ac = "acct,owner,bal\nA1,C1,10.00\nA2,C2,5.00\n";
    assert_true(feed_load_buffer(ds, 0, &c, cc, strlen(cc), threads, &err));
    assert_true(feed_load_buffer(ds, 1, &a, ac, strlen(ac), threads, &err));
    assert_true(feed_load_buffer(ds, 2, &t, tc, strlen(tc), threads, &err));
    omp_set_num_threads(threads);
    assert_true(feed_resolve(ds, &err));
    omp_set_num_threads(1);
    return ds;
}

static void test_resolve_fast_path(void **state)
{
    (void)state;
    /* 5,000 rows, every account known: the fast path */
    size_t cap = 1u << 20, n = 0;
    char *tc = malloc(cap);
    n += (size_t)snprintf(tc + n, cap - n, "acct,date,desc,amount\n");
    int64_t sum = 0, credits[2] = {0}, count[2] = {0};
    for (int i = 0; i < 5000; i++) {
        int acct = (i * 7) % 3 == 0, cents = (i * 7919) % 200001 - 100000;
        n += (size_t)snprintf(tc + n, cap - n, "A%d,2026-10-%02d,r%d,%s%d.%02d\n", acct + 1,
                              1 + i % 28, i, cents < 0 ? "-" : "", abs(cents) / 100,
                              abs(cents) % 100);
        sum += cents;
        count[acct]++;
        if (cents > 0)
            credits[acct] += cents;
    }
    for (int threads = 1; threads <= 4; threads += 3) {
        folio_dataset *ds = resolve_two(tc, threads);
        assert_int_equal(ds->n_txns, 5000);
        assert_int_equal(ds->n_rejects, 0);
        assert_int_equal(ds->stats[2].amount_read, sum);
        for (int k = 0; k < 2; k++) {
            const folio_account *a = &ds->accounts[k];
            assert_int_equal(a->n_txn, count[k]);
            int64_t cr = 0;
            for (uint32_t j = 0; j < a->n_txn; j++) {
                const folio_txn *x = &ds->txns[a->first_txn + j];
                assert_int_equal(x->account, (uint32_t)k);
                if (x->amount > 0)
                    cr += x->amount;
            }
            assert_int_equal(cr, credits[k]);
        }
        feed_dataset_free(ds);
    }
    free(tc);

    /* |amounts| above the int64 range in total, no sum overflows: the
     * serial pass, nothing rejected, the feed's total 0 */
    const char *big = "acct,date,desc,amount\n"
                      "A1,2026-10-01,a,50000000000000000.00\n"
                      "A2,2026-10-01,b,-50000000000000000.00\n";
    /* the feed's total fits, A1's credits overflow: its second row is
     * rejected (its amount counted as read, as the serial pass did) */
    const char *over = "acct,date,desc,amount\n"
                       "A1,2026-10-01,a,50000000000000000.00\n"
                       "A2,2026-10-01,b,-50000000000000000.00\n"
                       "A1,2026-10-02,c,50000000000000000.00\n";
    for (int threads = 1; threads <= 4; threads += 3) {
        folio_dataset *ds = resolve_two(big, threads);
        assert_int_equal(ds->n_txns, 2);
        assert_int_equal(ds->n_rejects, 0);
        assert_int_equal(ds->stats[2].amount_read, 0);
        assert_int_equal(ds->txns[0].account, 0);
        assert_int_equal(ds->txns[1].account, 1);
        feed_dataset_free(ds);
        ds = resolve_two(over, threads);
        assert_int_equal(ds->n_txns, 2);
        expect_reject(ds, 2, 4, "amount", "amount sum overflows: the credits of account 'A1' "
                      "would leave the representable range");
        assert_int_equal(ds->stats[2].amount_read, INT64_C(5000000000000000000));
        feed_dataset_free(ds);
    }
}

static void test_resolve(void **state)
{
    (void)state;
    folio_dataset *ds = feed_dataset_new(3);
    folio_error err = {0};
    folio_feed_def c = cust_def(), a = acct_def(), t = txn_def();
    const char *cc = "id,name,addr,email\nC1,Ann,x,e\nC2,Bob,x,e\nC1,Dup,x,e\nC3,Bad\xFF,x,e\n";
    const char *ac =
        "acct,owner,bal\n"
        "A1,C1,10.00\n"
        "A2,C2,5.00\n"
        "A1,C2,1.00\n"      /* duplicate */
        "A3,C9,1.00\n"      /* unknown owner */
        "A4,C3,1.00\n"      /* owner rejected at load */
        "A5,C1,x\n";        /* rejected at load */
    const char *tc =
        "acct,date,desc,amount\n"
        "A1,2026-10-05,late,-1.00\n"
        "A2,2026-10-01,b,2.00\n"
        "A1,2026-10-01,early,3.00\n"
        "A3,2026-10-01,orphan,4.00\n"
        "A5,2026-10-01,badacct,5.00\n"
        "A9,2026-10-01,unknown,6.00\n"
        "A1,2026-10-01,early2,7.00\n";
    /* load out of job order: resolve must not care */
    assert_true(feed_load_buffer(ds, 2, &t, tc, strlen(tc), 2, &err));
    assert_true(feed_load_buffer(ds, 1, &a, ac, strlen(ac), 2, &err));
    assert_true(feed_load_buffer(ds, 0, &c, cc, strlen(cc), 2, &err));
    assert_true(feed_resolve(ds, &err));

    assert_int_equal(ds->n_customers, 2);
    assert_int_equal(ds->n_accounts, 2);
    assert_int_equal(ds->n_txns, 4);
    expect_reject(ds, 0, 4, "id", "duplicate customer_id 'C1' (first at c.csv:2)");
    expect_reject(ds, 0, 5, "name", "invalid UTF-8 at byte 4");
    expect_reject(ds, 1, 4, "acct", "duplicate account_id 'A1' (first at a.csv:2)");
    expect_reject(ds, 1, 5, "owner", "unknown customer_id 'C9'");
    expect_reject(ds, 1, 6, "owner", "customer 'C3' rejected");
    expect_reject(ds, 1, 7, "bal", "invalid amount 'x': not a number");
    expect_reject(ds, 2, 5, "acct", "account 'A3' rejected");
    expect_reject(ds, 2, 6, "acct", "account 'A5' rejected");
    expect_reject(ds, 2, 7, "acct", "unknown account_id 'A9'");
    /* rejects sorted by (feed, line) */
    for (size_t i = 1; i < ds->n_rejects; i++) {
        const folio_reject *p = &ds->rejects[i - 1], *q = &ds->rejects[i];
        assert_true(p->feed < q->feed || (p->feed == q->feed && p->line < q->line));
    }
    assert_int_equal(ds->stats[2].records, 7);
    assert_int_equal(ds->stats[2].rejected, 3);
    assert_int_equal(ds->stats[2].accepted, 4);
    assert_int_equal(ds->stats[2].amount_read, 2600);
    assert_int_equal(ds->stats[2].amount_rejected, 1500);
    assert_int_equal(ds->stats[1].rejected, 4);
    /* owners and sorted transaction ranges */
    const folio_account *a1 = &ds->accounts[0];
    assert_string_equal(a1->id, "A1");
    assert_string_equal(ds->customers[a1->owner].id, "C1");
    assert_int_equal(a1->first_txn, 0);
    assert_int_equal(a1->n_txn, 3);
    assert_string_equal(ds->txns[0].description, "early");
    assert_string_equal(ds->txns[1].description, "early2");
    assert_string_equal(ds->txns[2].description, "late");
    assert_int_equal(ds->accounts[1].first_txn, 3);
    assert_int_equal(ds->accounts[1].n_txn, 1);
    assert_int_equal(ds->txns[3].account, 1);
    for (size_t i = 0; i < ds->n_txns; i++)
        assert_int_equal(ds->txns[i].feed, 2);

    /* raw text of resolve rejects is filled from the loaded bytes */
    feed_fill_raw(ds, 2, &t, tc, strlen(tc));
    assert_string_equal(rej_at(ds, 2, 7)->raw, "A9,2026-10-01,unknown,6.00");
    feed_fill_raw(ds, 1, &a, ac, strlen(ac));
    assert_string_equal(rej_at(ds, 1, 4)->raw, "A1,C2,1.00");
    assert_false(feed_resolve(ds, &err));            /* only once */
    feed_dataset_free(ds);
}

/* ---- parallel chunks --------------------------------------------------------------- */

static size_t gen_txns(char *buf, size_t cap, unsigned rows, unsigned seed)
{
    size_t n = (size_t)snprintf(buf, cap, "acct,date,desc,amount\r\n");
    uint32_t x = seed;
    for (unsigned i = 0; i < rows && n + 300 < cap; i++) {
        x = x * 1103515245u + 12345u;
        unsigned r = (x >> 16) % 100;
        const char *desc;
        char tmp[120];
        if (r < 10)
            desc = "\"multi\nline\r\n\"\"memo\"\", with comma\"";
        else if (r < 20)
            desc = "\"comma, inside\"";
        else if (r < 23)
            desc = "\"\"";
        else {
            snprintf(tmp, sizeof tmp, "shop %u", (x >> 8) % 50);
            desc = tmp;
        }
        const char *amt = r == 50 ? "12.3x" : NULL;
        char amtbuf[32];
        if (!amt) {
            snprintf(amtbuf, sizeof amtbuf, "%s%u.%02u", (x & 1) ? "-" : "", (x >> 4) % 5000,
                     (x >> 12) % 100);
            amt = amtbuf;
        }
        if (r == 51)
            folio_str_appendf(buf, cap, &n, "ACC%u,2026-10-%02u,%s\r\n", (x >> 20) % 300,
                                  1 + (x >> 3) % 28, desc);
        else
            folio_str_appendf(buf, cap, &n, "ACC%u,2026-10-%02u,%s,%s\r\n",
                                  (x >> 20) % 300, 1 + (x >> 3) % 28, desc, amt);
    }
    return n;
}

static void test_parallel_chunks(void **state)
{
    (void)state;
    size_t cap = 3u << 20;
    char *buf = malloc(cap);
    size_t len = gen_txns(buf, cap, 30000, 7);
    folio_feed_def d = txn_def();

    feed_set_chunking(SIZE_MAX / 2, 0);     /* never split */
    folio_dataset *one = feed_dataset_new(1);
    folio_error err = {0};
    assert_true(feed_load_buffer(one, 0, &d, buf, len, 1, &err));

    /* chunks of 3 KiB: hundreds of cuts, many next to quoted newlines */
    feed_set_chunking(1, 3000);
    feed_ctx ctx;
    memset(&ctx, 0, sizeof ctx);
    ctx.def = &d;
    ctx.fname = "t.csv";
    ctx.data = buf;
    ctx.len = len;
    assert_true(feed_ctx_prepare(&ctx, &err));
    assert_true(ctx.n_chunks > 300);
    for (int c = 1; c < ctx.n_chunks; c++) {
        assert_int_equal(ctx.chunks[c].begin, ctx.chunks[c - 1].end);
        assert_int_equal(buf[ctx.chunks[c].begin - 1], '\n');
    }
    feed_ctx_free(&ctx);

    for (int threads = 1; threads <= 4; threads += 3) {
        folio_dataset *many = feed_dataset_new(1);
        assert_true(feed_load_buffer(many, 0, &d, buf, len, threads, &err));
        assert_int_equal(many->n_txns, one->n_txns);
        assert_int_equal(many->n_rejects, one->n_rejects);
        assert_true(one->n_rejects > 100);
        assert_true(one->n_txns > 29000 - one->n_rejects);
        for (size_t i = 0; i < one->n_txns; i++) {
            const folio_txn *p = &one->txns[i], *q = &many->txns[i];
            assert_int_equal(p->line, q->line);
            assert_int_equal(p->date, q->date);
            assert_int_equal(p->amount, q->amount);
            assert_string_equal(p->description, q->description);
            assert_string_equal(one->pool->txn_acct[i], many->pool->txn_acct[i]);
        }
        for (size_t i = 0; i < one->n_rejects; i++) {
            assert_int_equal(one->rejects[i].line, many->rejects[i].line);
            assert_string_equal(one->rejects[i].reason, many->rejects[i].reason);
            assert_string_equal(one->rejects[i].raw, many->rejects[i].raw);
            assert_string_equal(one->rejects[i].column, many->rejects[i].column);
        }
        assert_int_equal(one->stats[0].records, many->stats[0].records);
        /* amount_read is summed by feed_resolve, in file order: not per chunk */
        feed_dataset_free(many);
    }
    /* line numbers are physical: every multi-line record moves the next one */
    uint32_t line = 2;
    size_t ti = 0, ri = 0;
    for (const char *p = buf + strlen("acct,date,desc,amount\r\n"); p < buf + len;) {
        feed_scanner sc;
        feed_scanner_init(&sc, buf, len, ',', '"');
        uint32_t nl;
        bool oq;
        size_t end = feed_scan_record(&sc, (size_t)(p - buf), &nl, &oq);
        if (ti < one->n_txns && one->txns[ti].line == line)
            ti++;
        else {
            assert_true(ri < one->n_rejects);
            assert_int_equal(one->rejects[ri].line, line);
            ri++;
        }
        line += nl + 1;
        p = buf + end + 1;
    }
    assert_int_equal(ti, one->n_txns);
    assert_int_equal(ri, one->n_rejects);
    feed_set_chunking(0, 0);
    feed_dataset_free(one);
    free(buf);
}

/* The quote-free fast path gives exactly the fields libcsv gives. */
/* issue 11 (round 23, the load): the SSE2 delimiter scan equals the byte
 * loop -- positions, count past the cap, the printable-ASCII verdict -- at
 * every length around the 16-byte steps and every delimiter a dialect has. */
static void test_split_delims_matches_ref(void **state)
{
    (void)state;
    static const char bytes[] = {',', ';', '|', 'a', 'Z', ' ', '~', '\t', 0x7F, 0x1F, 0,
                                 (char)0x80, (char)0xC3, (char)0xFF, '"', '\r'};
    const char delims[] = {',', ';', '\t', '|', (char)0xC3};
    char buf[200];
    uint32_t pa[200], pb[200];
    uint32_t x = 5;
    int printable = 0;
    for (int it = 0; it < 20000; it++) {
        x = x * 1103515245u + 12345u;
        size_t n = (x >> 8) % 70;
        int mostly = (x >> 20) % 2;          /* half the records printable ASCII */
        for (size_t i = 0; i < n; i++) {
            x = x * 1103515245u + 12345u;
            size_t k = (x >> 16) % (mostly ? 7 : sizeof bytes);
            buf[i] = bytes[k];
        }
        if (mostly && n && (x >> 22) % 2) {   /* one bad byte among printable ones */
            x = x * 1103515245u + 12345u;
            buf[(x >> 8) % n] = bytes[7 + (x >> 20) % (sizeof bytes - 7)];
        }
        char dl = delims[it % (int)sizeof delims];
        size_t cap = (x >> 24) % 4 ? 200 : (x >> 26) % 5;   /* sometimes a small cap */
        bool oka = false, okb = true;
        memset(pa, 0xEE, sizeof pa);
        memset(pb, 0xEE, sizeof pb);
        size_t a = feed_split_delims(buf, n, dl, pa, cap, &oka);
        size_t b = feed_split_delims_ref(buf, n, dl, pb, cap, &okb);
        assert_int_equal(a, b);
        assert_int_equal(oka, okb);
        assert_memory_equal(pa, pb, sizeof pa);
        printable += oka;
        /* the same bytes as a stretch of lines: the first line's length,
         * its delimiters and its verdict (one CR at its end allowed) */
        if ((x >> 27) % 2 && n > 2) {
            x = x * 1103515245u + 12345u;
            buf[(x >> 8) % n] = '\n';
            if ((x >> 20) % 2)
                buf[(x >> 8) % n - ((x >> 8) % n > 0)] = '\r';
        }
        size_t da = 0, db = 0;
        oka = false, okb = true;
        memset(pa, 0xEE, sizeof pa);
        memset(pb, 0xEE, sizeof pb);
        a = feed_scan_line(buf, n, dl, pa, cap, &da, &oka);
        b = feed_scan_line_ref(buf, n, dl, pb, cap, &db, &okb);
        assert_int_equal(a, b);
        assert_int_equal(da, db);
        assert_int_equal(oka, okb);
        assert_memory_equal(pa, pb, sizeof pa);
    }
    assert_true(printable > 2000);
    /* CRLF: the CR ending a line is not part of it */
    bool ok = false;
    size_t nd = 0;
    uint32_t p2[4];
    assert_int_equal(feed_scan_line("abc,def\r\nxyz", 13, ',', p2, 4, &nd, &ok), 8);
    assert_true(ok);
    assert_int_equal(nd, 1);
    assert_int_equal(p2[0], 3);
    assert_int_equal(feed_scan_line("a\rc,def\r\n", 9, ',', p2, 4, &nd, &ok), 8);
    assert_false(ok);                       /* a CR inside the line */
}

/* issue 11 (round 23, the load): records with quoted fields -- simple ones
 * (split without libcsv) and every other shape (libcsv's) -- load exactly
 * as with libcsv alone: records, rejects (line, reason), values. */
static void test_quoted_split_matches_libcsv(void **state)
{
    (void)state;
    static const char *const fields[] = {
        "\"plain\"", "\"with, delimiter\"", "\" inner blanks \"", "\"\"", "\"a\"\"b\"",
        " \"lead\"", "\"trail\" ", "\"x\"y", "x\"y", "\"open", "\"cr\rin\"", "\"\xC3\xA9t\xC3\xA9\"",
        "bare", " spaced ", "", "\"semi;colon|pipe\ttab\"", "\"\"\"\"", "\"lf\nin\""};
    const char delims[] = {',', ';', '\t', '|'};
    size_t cap = 1u << 20;
    char *buf = malloc(cap);
    uint32_t x = 3;
    for (size_t di = 0; di < sizeof delims; di++) {
        folio_feed_def d = cust_def();
        d.delimiter = delims[di];
        size_t n = (size_t)snprintf(buf, cap, "\"id\"%cname%c\"addr\"%cemail\n", d.delimiter,
                                    d.delimiter, d.delimiter);
        for (int row = 0; row < 3000; row++) {
            folio_str_appendf(buf, cap, &n, (row % 3) ? "\"C%d\"" : "C%d", row);
            for (int fld = 0; fld < 3; fld++) {
                buf[n++] = d.delimiter;
                x = x * 1103515245u + 12345u;
                /* mostly simple quoted or bare fields: many rows load */
                size_t k = (x >> 24) % 4 ? (x >> 16) % 3 + ((x >> 20) % 2 ? 0 : 13)
                                         : (x >> 16) % (sizeof fields / sizeof fields[0]);
                folio_str_appendf(buf, cap, &n, "%s", fields[k]);
            }
            if (row % 7 == 0)
                buf[n++] = '\r';
            buf[n++] = '\n';
        }
        folio_dataset *a = feed_dataset_new(1), *b = feed_dataset_new(1);
        folio_error err = {0};
        assert_true(feed_load_buffer(a, 0, &d, buf, n, 1, &err));
        feed_set_force_libcsv(true);
        assert_true(feed_load_buffer(b, 0, &d, buf, n, 1, &err));
        feed_set_force_libcsv(false);
        assert_int_equal(a->stats[0].records, b->stats[0].records);
        assert_int_equal(a->n_rejects, b->n_rejects);
        assert_int_equal(a->n_customers, b->n_customers);
        assert_true(a->n_rejects > 100);
        assert_true(a->n_customers > 1000);
        for (size_t i = 0; i < a->n_rejects; i++) {
            assert_int_equal(a->rejects[i].line, b->rejects[i].line);
            assert_string_equal(a->rejects[i].reason, b->rejects[i].reason);
            assert_string_equal(a->rejects[i].column, b->rejects[i].column);
        }
        for (size_t i = 0; i < a->n_customers; i++) {
            assert_int_equal(a->customers[i].line, b->customers[i].line);
            assert_string_equal(a->customers[i].id, b->customers[i].id);
            assert_string_equal(a->customers[i].last_name, b->customers[i].last_name);
            assert_string_equal(a->customers[i].address1, b->customers[i].address1);
            assert_string_equal(a->customers[i].email, b->customers[i].email);
        }
        feed_dataset_free(a);
        feed_dataset_free(b);
    }
    free(buf);
}

static void test_fast_split_matches_libcsv(void **state)
{
    (void)state;
    static const char *const tokens[] = {"a", "b", " ", "\t", ",", ";", "|", "x", "\r",
                                         "\xC3\xA9", "\xC3",
                                         /* issue 11: past one 16-byte step */
                                         "abcdefghijklmnopq", "0123456789 0123456789"};
    const char delims[] = {',', ';', '\t', '|'};
    size_t cap = 1u << 20;
    char *buf = malloc(cap);
    uint32_t x = 99;
    for (size_t di = 0; di < sizeof delims; di++) {
        folio_feed_def d = cust_def();
        d.delimiter = delims[di];
        /* header names built with the same delimiter */
        size_t n = (size_t)snprintf(buf, cap, "id%cname%caddr%cemail\n", d.delimiter,
                                    d.delimiter, d.delimiter);
        for (int row = 0; row < 4000; row++) {
            folio_str_appendf(buf, cap, &n, "C%d", row);
            for (int fld = 0; fld < 3; fld++) {
                buf[n++] = d.delimiter;
                x = x * 1103515245u + 12345u;
                int len = (int)((x >> 8) % 10);
                for (int k = 0; k < len; k++) {
                    x = x * 1103515245u + 12345u;
                    const char *tok = tokens[(x >> 16) % (sizeof tokens / sizeof tokens[0])];
                    if (tok[0] == d.delimiter && (x >> 28) % 8)
                        tok = "y";                 /* a stray delimiter, sometimes */
                    folio_str_appendf(buf, cap, &n, "%s", tok);
                }
            }
            buf[n++] = '\n';
        }
        folio_dataset *a = feed_dataset_new(1), *b = feed_dataset_new(1);
        folio_error err = {0};
        assert_true(feed_load_buffer(a, 0, &d, buf, n, 1, &err));
        feed_set_force_libcsv(true);
        assert_true(feed_load_buffer(b, 0, &d, buf, n, 1, &err));
        feed_set_force_libcsv(false);
        assert_int_equal(a->stats[0].records, b->stats[0].records);
        assert_int_equal(a->n_rejects, b->n_rejects);
        assert_int_equal(a->n_customers, b->n_customers);
        assert_true(a->n_rejects > 500);
        assert_true(a->n_customers > 200);   /* TAB, CR inside a field reject the row */
        for (size_t i = 0; i < a->n_rejects; i++) {
            assert_int_equal(a->rejects[i].line, b->rejects[i].line);
            assert_string_equal(a->rejects[i].reason, b->rejects[i].reason);
        }
        for (size_t i = 0; i < a->n_customers; i++) {
            assert_int_equal(a->customers[i].line, b->customers[i].line);
            assert_string_equal(a->customers[i].last_name, b->customers[i].last_name);
            assert_string_equal(a->customers[i].address1, b->customers[i].address1);
            assert_string_equal(a->customers[i].email, b->customers[i].email);
        }
        feed_dataset_free(a);
        feed_dataset_free(b);
    }
    /* field values: rows that do load, both ways */
    const char *csv = "acct,date,desc,amount\n  A1 ,\t2026-10-01\t, two  words ,  -1.50  \n"
                      "A2,2026-10-02,,3\n \t \nA3,2026-10-03,x,\t4\t\n";
    for (int force = 0; force < 2; force++) {
        feed_set_force_libcsv(force);
        folio_feed_def d = txn_def();
        folio_dataset *ds = load1(&d, csv, 1);
        assert_int_equal(ds->n_txns, 3);
        assert_int_equal(ds->n_rejects, 0);
        assert_string_equal(ds->pool->txn_acct[0], "A1");
        assert_string_equal(ds->txns[0].description, "two  words");
        assert_int_equal(ds->txns[0].amount, -150);
        assert_string_equal(ds->txns[1].description, "");
        assert_int_equal(ds->txns[2].line, 5);
        assert_int_equal(ds->txns[2].amount, 400);
        feed_dataset_free(ds);
    }
    feed_set_force_libcsv(false);
    free(buf);
}

/* ---- rejects.csv ---------------------------------------------------------------------- */

static void test_write_rejects(void **state)
{
    (void)state;
    folio_feed_def d = txn_def();
    folio_dataset *ds = load1(&d, "acct,date,desc,amount\nA1,2026-10-01,\"two\nlines\",1.2.3\n", 1);
    char path[] = "/tmp/folio-rejects-XXXXXX";
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    close(fd);
    unlink(path);                  /* feed_write_rejects creates it (O_EXCL) */
    folio_error err = {0};
    assert_true(feed_write_rejects(ds, NULL, path, &err));
    FILE *f = fopen(path, "rb");
    char got[512] = {0};
    size_t n = fread(got, 1, sizeof got - 1, f);
    fclose(f);
    unlink(path);
    got[n] = 0;
    assert_string_equal(got,
        "file,line,column,reason,raw\n"
        "t.csv,2,amount,invalid amount '1.2.3': not a number,"
        "\"A1,2026-10-01,\"\"two\nlines\"\",1.2.3\"\n");
    feed_dataset_free(ds);
}

/* ---- job_load + feed_load_all -------------------------------------------------------- */

static const char *root(void)
{
    const char *r = getenv("FOLIO_ROOT");
    return r && *r ? r : ".";
}

static void test_load_all_fixture(void **state)
{
    (void)state;
    char path[1024];
    snprintf(path, sizeof path, "%s/tests/data/feeds/job.yaml", root());
    folio_error err = {0};
    folio_job *job = job_load(path, &err);
    if (!job)
        fail_msg("job_load: %s", err.msg);
    folio_dataset *ds = feed_load_all(job, 2, &err);
    if (!ds)
        fail_msg("feed_load_all: %s", err.msg);
    assert_int_equal(ds->n_customers, 2);
    assert_int_equal(ds->n_accounts, 2);
    assert_int_equal(ds->n_txns, 3);
    assert_string_equal(ds->customers[0].language, "en");
    assert_int_equal(ds->customers[0].delivery, FOLIO_DELIVERY_EMAIL);
    assert_false(ds->customers[1].marketing_consent);
    assert_int_equal(ds->accounts[0].rate_milli_pct, 1250);
    expect_reject(ds, 0, 4, "delivery", "invalid delivery 'fax' (expected print, email, both or none)");
    expect_reject(ds, 0, 5, "cust_id", "duplicate customer_id 'C1' (first at customers.csv:2)");
    expect_reject(ds, 1, 4, "owner", "unknown customer_id 'C7'");
    expect_reject(ds, 1, 5, "bal", "invalid amount '12.3x': not a number");
    expect_reject(ds, 2, 6, "acct", "account 'A3' rejected");
    expect_reject(ds, 2, 7, "acct", "account 'A4' rejected");
    expect_reject(ds, 2, 8, "acct", "unknown account_id 'A9'");
    expect_reject(ds, 2, 9, "date", "invalid date '2026-13-01' (expected YYYY-MM-DD)");
    assert_string_equal(rej_at(ds, 2, 8)->raw, "A9,2026-10-04,Unknown,-3.00");
    assert_string_equal(rej_at(ds, 0, 5)->raw, "C1,H9,Dup,1 Oak,04101,,both,n");
    assert_int_equal(ds->n_rejects, 8);
    assert_int_equal(ds->stats[2].records, 7);
    assert_int_equal(ds->stats[2].accepted, 3);
    assert_int_equal(ds->stats[2].amount_read, 101450);
    assert_int_equal(ds->stats[2].amount_rejected, -600);
    assert_string_equal(ds->txns[0].description, "Salary");
    assert_string_equal(ds->txns[2].description, "Multi\nline memo");
    assert_int_equal(ds->txns[2].line, 4);
    /* checksum of the file as on disk */
    char hex[65];
    uint64_t bytes;
    assert_true(folio_sha256_file(job->feeds[2].path, hex, &bytes, &err));
    assert_string_equal(ds->stats[2].sha256, hex);
    assert_int_equal(ds->stats[2].bytes, bytes);
    /* the same result with one thread */
    folio_dataset *ds1 = feed_load_all(job, 1, &err);
    assert_non_null(ds1);
    assert_int_equal(ds1->n_rejects, ds->n_rejects);
    for (size_t i = 0; i < ds->n_rejects; i++)
        assert_string_equal(ds1->rejects[i].reason, ds->rejects[i].reason);
    feed_dataset_free(ds1);
    feed_dataset_free(ds);
    job_free(job);
}

/* issue 10 audit: a transaction code list costs 2 bytes a row (its value's
 * index), not an 8-byte value: the fixture with two lists over `acct` keeps
 * no 8-byte transaction values at all, and each row decodes to its code. */
static void test_code_list_storage(void **state)
{
    (void)state;
    char dir[] = "/tmp/folio-test-codes-XXXXXX", path[1200], src[1024];
    assert_non_null(mkdtemp(dir));
    snprintf(src, sizeof src, "%s/tests/data/feeds/job.yaml", root());
    FILE *in = fopen(src, "r");
    assert_non_null(in);
    snprintf(path, sizeof path, "%s/job.yaml", dir);
    FILE *out = fopen(path, "w");
    assert_non_null(out);
    char line[1024];
    while (fgets(line, sizeof line, in)) {
        char *p = strstr(line, "path: ");
        if (p)
            fprintf(out, "%.*spath: %s/tests/data/feeds/%s", (int)(p - line), line, root(),
                    p + 6);
        else
            fputs(line, out);
    }
    fputs("codes:\n"
          "  acct_code: {column: acct, values: {A1: one, A2: two, A3: x, A4: y, A9: z}}\n"
          "  acct_two: {column: acct, values: {A1: \"1\", A2: \"2\", A3: \"3\", A4: \"4\", "
          "A9: \"9\"}}\n", out);
    fclose(in);
    fclose(out);
    folio_error err = {0};
    folio_job *job = job_load(path, &err);
    if (!job)
        fail_msg("job_load: %s", err.msg);
    folio_dataset *ds = feed_load_all(job, 1, &err);
    if (!ds)
        fail_msg("feed_load_all: %s", err.msg);
    assert_int_equal(ds->n_txns, 3);
    assert_null(ds->attr_vals[FOLIO_AR_TXN]);          /* no 8-byte values */
    assert_int_equal(ds->attr_width[FOLIO_AR_TXN], 0);
    assert_int_equal(ds->attr_code_width, 2);          /* 2 lists x 2 bytes a row */
    const folio_attr_def *a = attrs_find(job->attrs, "transaction.acct_code", 21);
    const folio_attr_def *b = attrs_find(job->attrs, "transaction.acct_two", 20);
    assert_non_null(a);
    assert_non_null(b);
    assert_true(attrs_loaded(ds, a));
    for (uint32_t t = 0; t < ds->n_txns; t++) {
        const char *acct = ds->accounts[ds->txns[t].account].id;
        assert_string_equal(attrs_value(ds, a, t).str, acct);
        assert_string_equal(attrs_value(ds, b, t).str, acct);
    }
    feed_dataset_free(ds);
    job_free(job);
    unlink(path);
    rmdir(dir);
}

/* ---- Berka (Czech bank) -------------------------------------------------------------- */

static char *slurp(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    char *b = malloc((size_t)n + 1);
    *len = fread(b, 1, (size_t)n, f);
    b[*len] = 0;
    fclose(f);
    return b;
}

static void test_berka(void **state)
{
    (void)state;
    char dir[1024], p[1100];
    snprintf(dir, sizeof dir, "%s/../shared/data/berka", root());
    snprintf(p, sizeof p, "%s/client.asc", dir);
    if (access(p, R_OK) != 0)   /* a worktree: the data is not beside it */
        snprintf(dir, sizeof dir, "%s", "/work/shared/data/berka");
    size_t lc, ld, la, lt;
    snprintf(p, sizeof p, "%s/client.asc", dir);
    char *client = slurp(p, &lc);
    snprintf(p, sizeof p, "%s/disp.asc", dir);
    char *disp = slurp(p, &ld);
    snprintf(p, sizeof p, "%s/account.asc", dir);
    char *account = slurp(p, &la);
    snprintf(p, sizeof p, "%s/trans_partial.asc", dir);
    char *trans = slurp(p, &lt);
    if (!client || !disp || !account || !trans) {
        print_message("berka data not found under %s: skipped\n", dir);
        free(client), free(disp), free(account), free(trans);
        skip();
    }
    /* accounts: account.asc plus the owner from disp.asc ("OWNER" rows) */
    static uint32_t owner_of[20000];
    memset(owner_of, 0, sizeof owner_of);
    for (char *s = strchr(disp, '\n') + 1; s && *s; s = strchr(s, '\n') ? strchr(s, '\n') + 1 : NULL) {
        unsigned did, cid, aid;
        char type[16];
        if (sscanf(s, "%u;%u;%u;\"%15[A-Z]\"", &did, &cid, &aid, type) == 4 &&
            !strcmp(type, "OWNER") && aid < 20000)
            owner_of[aid] = cid;
    }
    size_t acap = la * 2 + 64, an = 0;
    char *acc = malloc(acap);
    folio_str_appendf(acc, acap, &an, "\"account_id\";\"district_id\";\"frequency\";\"date\";\"owner\"\r\n");
    unsigned n_acc_rows = 0;
    for (char *s = strchr(account, '\n') + 1; s && *s; ) {
        char *e = strchr(s, '\r');
        unsigned aid = (unsigned)atoi(s);
        folio_str_appendf(acc, acap, &an, "%.*s;%u\r\n", (int)(e - s), s,
                               aid < 20000 ? owner_of[aid] : 0);
        n_acc_rows++;
        s = strchr(s, '\n');
        s = s ? s + 1 : NULL;
    }

    folio_feed_def cd = mkdef(FOLIO_FEED_CUSTOMERS, "client.asc");
    cd.delimiter = ';';
    cd.columns[FOLIO_F_CUSTOMER_ID] = (char *)"client_id";
    cd.columns[FOLIO_F_POSTAL_CODE] = (char *)"district_id";
    folio_feed_def ad = mkdef(FOLIO_FEED_ACCOUNTS, "account.asc");
    ad.delimiter = ';';
    ad.date_format = (char *)"YYMMDD";
    ad.product = (char *)"current";
    ad.currency = (char *)"CZK";
    ad.columns[FOLIO_F_ACCOUNT_ID] = (char *)"account_id";
    ad.columns[FOLIO_F_OWNER_ID] = (char *)"owner";
    ad.columns[FOLIO_F_OPENED_DATE] = (char *)"date";
    folio_feed_def td = mkdef(FOLIO_FEED_TRANSACTIONS, "trans_partial.asc");
    td.delimiter = ';';
    td.date_format = (char *)"YYMMDD";
    td.sign = FOLIO_SIGN_FLAG_COLUMN;
    char *dv[] = {(char *)"VYDAJ", (char *)"VYBER"};
    char *cv[] = {(char *)"PRIJEM"};
    td.debit_values = dv;
    td.n_debit_values = 2;
    td.credit_values = cv;
    td.n_credit_values = 1;
    td.columns[FOLIO_F_TXN_ACCOUNT_ID] = (char *)"account_id";
    td.columns[FOLIO_F_TXN_DATE] = (char *)"date";
    td.columns[FOLIO_F_AMOUNT] = (char *)"amount";
    td.columns[FOLIO_F_DEBIT_FLAG] = (char *)"type";
    td.columns[FOLIO_F_DESCRIPTION] = (char *)"k_symbol";
    td.columns[FOLIO_F_TXN_ID] = (char *)"trans_id";

    /* independent counts: physical lines of each file */
    uint32_t trans_lines = 1;
    for (size_t i = 0; i < lt; i++)
        trans_lines += trans[i] == '\n';
    uint32_t client_rows = 0;
    for (size_t i = 0; i < lc; i++)
        client_rows += client[i] == '\n';
    client_rows -= 1;                            /* header */

    feed_set_chunking(1, 256u << 10);            /* make the 3 MB file split */
    folio_dataset *ds = feed_dataset_new(3);
    folio_error err = {0};
    assert_true(feed_load_buffer(ds, 0, &cd, client, lc, 2, &err));
    assert_true(feed_load_buffer(ds, 1, &ad, acc, an, 2, &err));
    assert_true(feed_load_buffer(ds, 2, &td, trans, lt, 2, &err));
    feed_set_chunking(0, 0);
    assert_true(feed_resolve(ds, &err));

    assert_int_equal(ds->n_customers, client_rows);
    assert_int_equal(ds->n_accounts, n_acc_rows);
    assert_int_equal(ds->stats[2].records, trans_lines - 1);
    assert_int_equal(ds->n_txns, trans_lines - 2);
    assert_int_equal(ds->n_rejects, 1);
    expect_reject(ds, 2, trans_lines, "", "unterminated quoted field");
    assert_string_equal(ds->rejects[0].raw, "3526882;11021;940331;\"PRIJE");

    /* the bank's running balance, read independently by field position */
    folio_money *bal = calloc(trans_lines + 1, sizeof *bal);
    bool *urok = calloc(trans_lines + 1, sizeof *urok);
    uint32_t line = 1;
    for (char *s = trans; s && *s; line++) {
        char *e = strchr(s, '\n');
        if (line > 1 && e) {
            const char *f = s;
            for (int k = 0; k < 6; k++)
                f = strchr(f, ';') + 1;
            const char *f2 = strchr(f, ';');
            assert_true(folio_money_parse(f, (size_t)(f2 - f), '.', 2, &bal[line], NULL));
            urok[line] = strstr(f2, "UROK") != NULL && strstr(f2, "UROK") < e;
        }
        s = e ? e + 1 : NULL;
    }
    /* Accounts without interest postings (interest is rounded differently by
     * the bank): the end-of-day sum of the loaded amounts must be one of that
     * day's bank balances, every day. */
    int checked_accounts = 0, checked_days = 0;
    for (size_t a = 0; a < ds->n_accounts; a++) {
        const folio_account *ac = &ds->accounts[a];
        bool interest = false;
        for (uint32_t k = 0; k < ac->n_txn; k++)
            interest |= urok[ds->txns[ac->first_txn + k].line];
        if (interest || ac->n_txn == 0)
            continue;
        folio_money sum = 0;
        for (uint32_t k = 0; k < ac->n_txn;) {
            const folio_txn *t0 = &ds->txns[ac->first_txn + k];
            uint32_t e = k;
            while (e < ac->n_txn && ds->txns[ac->first_txn + e].date == t0->date)
                sum += ds->txns[ac->first_txn + e++].amount;
            bool match = false;
            for (uint32_t j = k; j < e; j++)
                match |= bal[ds->txns[ac->first_txn + j].line] == sum;
            assert_true(match);
            checked_days++;
            k = e;
        }
        checked_accounts++;
    }
    assert_true(checked_accounts >= 50);
    assert_true(checked_days >= 200);
    print_message("berka: %zu txns, %d accounts / %d days balance-checked\n", ds->n_txns,
                  checked_accounts, checked_days);
    free(bal);
    free(urok);
    feed_dataset_free(ds);
    free(client), free(disp), free(account), free(trans), free(acc);
}

/* issue 12 part 1: the transaction record has no padding (48 bytes on
 * LP64; it was 56) -- the largest table a run holds. */
static void test_txn_record_size(void **state)
{
    (void)state;
    if (sizeof(void *) == 8)
        assert_int_equal(sizeof(folio_txn), 48);
}

/* issue 11 (round 29): the loader's chunk size -- ~8 chunks a thread,
 * 512 KB to 4 MB; the default (0) at one thread and once a test chose its
 * own chunking */
static void test_chunk_for(void **state)
{
    (void)state;
    assert_int_equal(feed_chunk_for(25u << 20, 1), 0);
    assert_int_equal(feed_chunk_for(32u << 20, 2), 2u << 20);
    assert_int_equal(feed_chunk_for(1u << 20, 2), 512u << 10);         /* at least */
    assert_int_equal(feed_chunk_for(4000ull << 20, 2), 0);              /* 4 MB: default */
    assert_int_equal(feed_chunk_for(32u << 20, 16), 512u << 10);
    feed_set_chunking(1, 3000);
    assert_int_equal(feed_chunk_for(32u << 20, 2), 0);
    feed_set_chunking(0, 0);
    assert_int_equal(feed_chunk_for(32u << 20, 2), 2u << 20);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_quoting_bom_crlf),
        cmocka_unit_test(test_txn_record_size),
        cmocka_unit_test(test_malformed_quotes),
        cmocka_unit_test(test_bad_utf8_and_field_count),
        cmocka_unit_test(test_nul_byte_rejected),
        cmocka_unit_test(test_control_characters_rejected),
        cmocka_unit_test(test_interest_rate_reason),
        cmocka_unit_test(test_bad_money),
        cmocka_unit_test(test_bad_dates),
        cmocka_unit_test(test_customer_fields),
        cmocka_unit_test(test_dialects),
        cmocka_unit_test(test_sign_rules),
        cmocka_unit_test(test_header_errors),
        cmocka_unit_test(test_resolve),
        cmocka_unit_test(test_resolve_fast_path),
        cmocka_unit_test(test_parallel_chunks),
        cmocka_unit_test(test_split_delims_matches_ref),
        cmocka_unit_test(test_fast_split_matches_libcsv),
        cmocka_unit_test(test_quoted_split_matches_libcsv),
        cmocka_unit_test(test_write_rejects),
        cmocka_unit_test(test_load_all_fixture),
        cmocka_unit_test(test_code_list_storage),
        cmocka_unit_test(test_berka),
        cmocka_unit_test(test_chunk_for),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
