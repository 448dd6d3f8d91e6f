/* SPDX-License-Identifier: Apache-2.0 */
/*
 * test_holders.c -- issue 10 part 2: holders feeds (roles, rejects, owners),
 * households from shared accounts (cycles, many-to-many, the berka link
 * table), and part 7: usable addresses.
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

#include "folio/feed.h"
#include "folio/household.h"
#include "folio/holders.h"
#include "feed_defs.h"

static folio_feed_def cust_def(void)
{
    folio_feed_def d = mkdef(FOLIO_FEED_CUSTOMERS, "c.csv");
    d.columns[FOLIO_F_CUSTOMER_ID] = (char *)"id";
    d.columns[FOLIO_F_FULL_NAME] = (char *)"name";
    d.columns[FOLIO_F_ADDRESS1] = (char *)"addr";
    d.columns[FOLIO_F_POSTAL_CODE] = (char *)"zip";
    return d;
}

/* accounts without a customer_id column: owners come from holders */
static folio_feed_def acct_def(void)
{
    folio_feed_def d = mkdef(FOLIO_FEED_ACCOUNTS, "a.csv");
    d.columns[FOLIO_F_ACCOUNT_ID] = (char *)"acct";
    d.columns[FOLIO_F_CLOSING_BALANCE] = (char *)"bal";
    d.product = (char *)"checking";
    return d;
}

static folio_role_code berka_roles[] = {{(char *)"OWNER", FOLIO_ROLE_OWNER},
                                        {(char *)"DISPONENT", FOLIO_ROLE_DISPONENT}};

static folio_feed_def hold_def(bool codes)
{
    folio_feed_def d = mkdef(FOLIO_FEED_HOLDERS, "h.csv");
    d.columns[FOLIO_F_HOLDER_ACCOUNT_ID] = (char *)"acct";
    d.columns[FOLIO_F_HOLDER_CUSTOMER_ID] = (char *)"cust";
    d.columns[FOLIO_F_HOLDER_ROLE] = (char *)"role";
    if (codes) {
        d.roles = berka_roles;
        d.n_roles = 2;
    }
    return d;
}

/* customers c.csv (feed 0), accounts a.csv (feed 1), holders h.csv (feed 2) */
static folio_dataset *load3(const char *cust, const char *acct, const folio_feed_def *hd,
                            const char *hold)
{
    folio_feed_def cd = cust_def(), ad = acct_def();
    folio_dataset *ds = feed_dataset_new(3);
    folio_error err = {0};
    assert_true(feed_load_buffer(ds, 0, &cd, cust, strlen(cust), 1, &err));
    assert_true(feed_load_buffer(ds, 1, &ad, acct, strlen(acct), 1, &err));
    assert_true(feed_load_buffer(ds, 2, hd, hold, strlen(hold), 1, &err));
    assert_true(feed_resolve(ds, &err));
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

static void expect_reject(const folio_dataset *ds, int feed, uint32_t line, const char *column,
                          const char *reason)
{
    const folio_reject *r = rej_at(ds, feed, line);
    assert_string_equal(r->column, column);
    assert_string_equal(r->reason, reason);
}

static const char *CUST3 = "id,name,addr,zip\n"
                           "A,Ana,1 First St,10001\n"
                           "B,Ben,2 Second St,10002\n"
                           "C,Cy,3 Third St,10003\n"
                           "D,Di,4 Fourth St,10004\n";

static size_t hh_of(const folio_dataset *ds, const folio_households *hs, const char *cust)
{
    for (size_t h = 0; h < hs->n; h++)
        for (uint32_t k = 0; k < hs->v[h].n_customers; k++)
            if (!strcmp(ds->customers[hs->customer_idx[hs->v[h].first_customer + k]].id, cust))
                return h;
    fail_msg("customer %s in no household", cust);
    return 0;
}

/* A-B share acct1, B-C acct2, C-A acct3: one household of three; D alone. */
static void test_cycle_of_shared_accounts(void **state)
{
    (void)state;
    folio_feed_def hd = hold_def(true);
    folio_dataset *ds = load3(CUST3, "acct,bal\n1,0\n2,0\n3,0\n4,0\n", &hd,
                              "acct,cust,role\n"
                              "1,A,OWNER\n1,B,DISPONENT\n"
                              "2,B,OWNER\n2,C,DISPONENT\n"
                              "3,C,OWNER\n3,A,DISPONENT\n"
                              "4,D,OWNER\n");
    assert_int_equal(ds->n_rejects, 0);
    assert_int_equal(ds->n_accounts, 4);
    folio_households hs;
    folio_error err = {0};
    assert_true(household_group(ds, NULL, 0, &hs, &err));
    assert_int_equal(hs.n, 2);
    size_t h = hh_of(ds, &hs, "A");
    assert_int_equal(hs.v[h].n_customers, 3);
    assert_int_equal(hs.v[h].n_accounts, 3);
    assert_int_equal(household_by(&hs, h), FOLIO_HH_BY_SHARED);
    assert_int_equal(hh_of(ds, &hs, "B"), h);
    assert_int_equal(hh_of(ds, &hs, "C"), h);
    assert_true(!strncmp(hs.v[h].id, "S-", 2));
    size_t d = hh_of(ds, &hs, "D");
    assert_int_equal(household_by(&hs, d), FOLIO_HH_BY_ADDRESS);
    /* roles: everyone in the cycle owns one account */
    for (size_t i = 0; i < ds->n_customers; i++)
        assert_int_equal(feed_customer_role(ds, i), FOLIO_ROLE_OWNER);
    /* the same links in another order give the same households and ids */
    folio_dataset *ds2 = load3(CUST3, "acct,bal\n4,0\n3,0\n2,0\n1,0\n", &hd,
                               "acct,cust,role\n"
                               "3,A,DISPONENT\n4,D,OWNER\n2,C,DISPONENT\n"
                               "1,B,DISPONENT\n3,C,OWNER\n2,B,OWNER\n1,A,OWNER\n");
    folio_households hs2;
    assert_true(household_group(ds2, NULL, 0, &hs2, &err));
    assert_int_equal(hs2.n, 2);
    assert_string_equal(hs2.v[hh_of(ds2, &hs2, "C")].id, hs.v[h].id);
    household_free(&hs2);
    feed_dataset_free(ds2);
    household_free(&hs);
    feed_dataset_free(ds);
}

/* Many-to-many: one customer holds several accounts, one account several
 * holders; a joint holder; roles by folio's names (no roles: map). */
static void test_many_to_many(void **state)
{
    (void)state;
    folio_feed_def hd = hold_def(false);
    folio_dataset *ds = load3(CUST3, "acct,bal\n1,0\n2,0\n3,0\n", &hd,
                              "acct,cust,role\n"
                              "1,A,owner\n1,B,joint\n1,C,authorised_user\n"
                              "2,A,owner\n2,C,Disponent\n"
                              "3,D,owner\n");
    assert_int_equal(ds->n_rejects, 0);
    assert_int_equal(ds->n_holders, 6);
    const folio_holder *h;
    size_t n = holders_of_account(ds, 0, &h);
    assert_int_equal(n, 3);
    assert_string_equal(ds->accounts[0].id, "1");
    assert_string_equal(ds->customers[ds->accounts[0].owner].id, "A");
    /* strongest role per customer */
    assert_int_equal(feed_customer_role(ds, 1), FOLIO_ROLE_JOINT);       /* B */
    assert_int_equal(feed_customer_role(ds, 2), FOLIO_ROLE_AUTHORISED);  /* C */
    folio_households hs;
    folio_error err = {0};
    assert_true(household_group(ds, NULL, 0, &hs, &err));
    assert_int_equal(hs.n, 2);
    size_t a = hh_of(ds, &hs, "A");
    assert_int_equal(hs.v[a].n_customers, 3);
    assert_int_equal(hs.v[a].n_accounts, 2);
    household_free(&hs);
    feed_dataset_free(ds);
}

static void test_holder_rejects(void **state)
{
    (void)state;
    folio_feed_def hd = hold_def(true);
    folio_dataset *ds = load3(CUST3, "acct,bal\n1,0\n2,0\n3,0\n", &hd,
                              "acct,cust,role\n"
                              "1,A,OWNER\n"          /* 2 */
                              "1,B,SIGNATORY\n"      /* 3 unknown role */
                              "9,B,DISPONENT\n"      /* 4 unknown account */
                              "1,Z,DISPONENT\n"      /* 5 unknown customer */
                              "1,A,OWNER\n"          /* 6 duplicate */
                              "1,B,OWNER\n"          /* 7 second owner */
                              "2,C,DISPONENT\n"      /* 8: account 2 has no owner */
                              "1,A,\n");             /* 9 empty role */
    expect_reject(ds, 2, 3, "role",
                  "unknown role 'SIGNATORY' (expected OWNER, DISPONENT (roles: of feed 'h.csv'))");
    expect_reject(ds, 2, 4, "acct", "unknown account_id '9'");
    expect_reject(ds, 2, 5, "cust", "unknown customer_id 'Z'");
    expect_reject(ds, 2, 6, "cust", "duplicate holder: customer 'A' is already a holder of "
                                    "account '1'");
    expect_reject(ds, 2, 7, "role", "account '1' already has owner 'A' (a second holder of the "
                                    "account takes role joint)");
    expect_reject(ds, 2, 8, "acct", "account '2' rejected (it has no owner)");
    expect_reject(ds, 2, 9, "role", "empty role");
    /* accounts 2 and 3 have no owner: rejected at their own lines */
    expect_reject(ds, 1, 3, "acct", "account '2' has no owner: no customer_id column and no "
                                    "holder with role owner");
    expect_reject(ds, 1, 4, "acct", "account '3' has no owner: no customer_id column and no "
                                    "holder with role owner");
    assert_int_equal(ds->n_accounts, 1);
    assert_int_equal(ds->n_holders, 1);
    assert_int_equal(ds->stats[2].rejected, 7);
    feed_dataset_free(ds);
}

/* An account owned through its customer_id column plus holders rows. */
static void test_owner_column_and_holders(void **state)
{
    (void)state;
    folio_feed_def cd = cust_def(), ad = acct_def(), hd = hold_def(false);
    ad.columns[FOLIO_F_OWNER_ID] = (char *)"owner";
    folio_dataset *ds = feed_dataset_new(3);
    folio_error err = {0};
    const char *c = CUST3, *a = "acct,owner,bal\n1,A,0\n2,C,0\n",
               *h = "acct,cust,role\n1,B,disponent\n1,A,owner\n1,C,owner\n2,C,joint\n";
    assert_true(feed_load_buffer(ds, 0, &cd, c, strlen(c), 1, &err));
    assert_true(feed_load_buffer(ds, 1, &ad, a, strlen(a), 1, &err));
    assert_true(feed_load_buffer(ds, 2, &hd, h, strlen(h), 1, &err));
    assert_true(feed_resolve(ds, &err));
    expect_reject(ds, 2, 4, "role", "account '1' already has owner 'A' (a second holder of the "
                                    "account takes role joint)");
    expect_reject(ds, 2, 5, "role", "customer 'C' is the owner of account '2', listed here as "
                                    "joint");
    assert_int_equal(ds->n_rejects, 2);
    assert_int_equal(ds->n_accounts, 2);
    feed_dataset_free(ds);
}

static folio_customer addr(const char *a1, const char *zip, const char *country)
{
    folio_customer c;
    memset(&c, 0, sizeof c);
    c.address1 = a1;
    c.postal_code = zip;
    c.country = country;
    return c;
}

static void test_address_usable(void **state)
{
    (void)state;
    const char *why = NULL;
    folio_customer c = addr("1 Main St", "04101", "US");
    assert_true(holders_address_usable(&c, &why));
    c = addr("  ", "04101", "US");
    assert_false(holders_address_usable(&c, &why));
    assert_string_equal(why, "no address line 1");
    c = addr("1 Main St", "", "");            /* empty country: US, needs a ZIP */
    assert_false(holders_address_usable(&c, &why));
    assert_string_equal(why, "no postal code");
    c = addr("1 Main St", "", "CZ");
    assert_false(holders_address_usable(&c, &why));
    c = addr("Sheikh Zayed Rd 1", "", "AE");  /* no postal codes in the UAE */
    assert_true(holders_address_usable(&c, &why));
    c = addr("1 Main St", "", "ie");
    assert_true(holders_address_usable(&c, &why));
}

/* ---- berka's disp.asc: households = connected components ------------------------ */

static char *slurp(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    char *b = malloc((size_t)n + 1);
    if (!b || fread(b, 1, (size_t)n, f) != (size_t)n) {
        fclose(f);
        free(b);
        return NULL;
    }
    fclose(f);
    b[n] = 0;
    *len = (size_t)n;
    return b;
}

/* Components counted here independently: a plain array union-find over the
 * integer ids of disp.asc, read with sscanf (not folio's loader). */
static int independent_components(const char *disp)
{
    static int parent[20000], acct_first[20000];
    int seen[20000];
    memset(seen, 0, sizeof seen);
    for (int i = 0; i < 20000; i++)
        parent[i] = i, acct_first[i] = -1;
    const char *p = strchr(disp, '\n') + 1;
    while (*p) {
        int did, cid, aid;
        if (sscanf(p, "%d;%d;%d;", &did, &cid, &aid) == 3 && cid < 20000 && aid < 20000) {
            seen[cid] = 1;
            if (acct_first[aid] < 0) {
                acct_first[aid] = cid;
            } else {
                int x = cid, y = acct_first[aid];
                while (parent[x] != x) x = parent[x];
                while (parent[y] != y) y = parent[y];
                if (x != y) parent[x] = y;
            }
        }
        const char *nl = strchr(p, '\n');
        if (!nl)
            break;
        p = nl + 1;
    }
    int roots = 0;
    for (int i = 0; i < 20000; i++)
        if (seen[i] && parent[i] == i)
            roots++;
    return roots;
}

static const char *data_dir(void)
{
    static const char *const dirs[] = {"../shared/data/berka", "../../shared/data/berka",
                                       "/work/shared/data/berka"};
    for (size_t i = 0; i < sizeof dirs / sizeof *dirs; i++) {
        char p[512];
        snprintf(p, sizeof p, "%s/disp.asc", dirs[i]);
        if (access(p, R_OK) == 0)
            return dirs[i];
    }
    return NULL;
}

static void test_berka_disp_households(void **state)
{
    (void)state;
    const char *dir = data_dir();
    if (!dir) {
        print_message("berka data (disp.asc) not found: skipped\n");
        skip();
    }
    char path[3][512];
    snprintf(path[0], sizeof path[0], "%s/client.asc", dir);
    snprintf(path[1], sizeof path[1], "%s/account.asc", dir);
    snprintf(path[2], sizeof path[2], "%s/disp.asc", dir);
    size_t len[3];
    char *buf[3];
    for (int i = 0; i < 3; i++)
        assert_non_null(buf[i] = slurp(path[i], &len[i]));
    folio_feed_def cd = mkdef(FOLIO_FEED_CUSTOMERS, path[0]);
    cd.delimiter = ';';
    cd.columns[FOLIO_F_CUSTOMER_ID] = (char *)"client_id";
    cd.columns[FOLIO_F_LAST_NAME] = (char *)"birth_number";
    folio_feed_def ad = mkdef(FOLIO_FEED_ACCOUNTS, path[1]);
    ad.delimiter = ';';
    ad.product = (char *)"checking";
    ad.columns[FOLIO_F_ACCOUNT_ID] = (char *)"account_id";
    folio_feed_def hd = mkdef(FOLIO_FEED_HOLDERS, path[2]);
    hd.delimiter = ';';
    hd.roles = berka_roles;
    hd.n_roles = 2;
    hd.columns[FOLIO_F_HOLDER_ACCOUNT_ID] = (char *)"account_id";
    hd.columns[FOLIO_F_HOLDER_CUSTOMER_ID] = (char *)"client_id";
    hd.columns[FOLIO_F_HOLDER_ROLE] = (char *)"type";
    folio_dataset *ds = feed_dataset_new(3);
    folio_error err = {0};
    assert_true(feed_load_buffer(ds, 0, &cd, buf[0], len[0], 2, &err));
    assert_true(feed_load_buffer(ds, 1, &ad, buf[1], len[1], 2, &err));
    assert_true(feed_load_buffer(ds, 2, &hd, buf[2], len[2], 2, &err));
    assert_true(feed_resolve(ds, &err));
    assert_int_equal(ds->n_rejects, 0);
    folio_households hs;
    assert_true(household_group(ds, NULL, 0, &hs, &err));
    int want = independent_components(buf[2]);
    print_message("berka: %zu customers, %zu accounts, %zu holders -> %zu households "
                  "(independent count %d)\n", ds->n_customers, ds->n_accounts, ds->n_holders,
                  hs.n, want);
    /* every client of client.asc appears in disp.asc: no address-only households */
    assert_int_equal(hs.n, (size_t)want);
    size_t shared = 0;
    for (size_t h = 0; h < hs.n; h++)
        shared += household_by(&hs, h) == FOLIO_HH_BY_SHARED;
    assert_true(shared > 0);
    household_free(&hs);
    feed_dataset_free(ds);
    for (int i = 0; i < 3; i++)
        free(buf[i]);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_cycle_of_shared_accounts),
        cmocka_unit_test(test_many_to_many),
        cmocka_unit_test(test_holder_rejects),
        cmocka_unit_test(test_owner_column_and_holders),
        cmocka_unit_test(test_address_usable),
        cmocka_unit_test(test_berka_disp_households),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
