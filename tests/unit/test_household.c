/* SPDX-License-Identifier: Apache-2.0 */
/*
 * test_household.c -- address keys and grouping into households.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "folio/household.h"

static folio_customer cust(const char *id, const char *hh, const char *a1, const char *a2,
                           const char *zip, const char *country, uint16_t feed, uint32_t line)
{
    folio_customer c;
    memset(&c, 0, sizeof c);
    c.id = id;
    c.household_id = hh;
    c.first_name = "";
    c.last_name = id;
    c.address1 = a1;
    c.address2 = a2;
    c.city = "";
    c.state = "";
    c.postal_code = zip;
    c.country = country;
    c.language = "en";
    c.email = "";
    c.segment = "";
    c.feed = feed;
    c.line = line;
    return c;
}

static void key_of(const char *a1, const char *a2, const char *zip, const char *country,
                   char *buf, size_t cap)
{
    folio_customer c = cust("x", "", a1, a2, zip, country, 0, 1);
    household_address_key(&c, buf, cap);
}

static void expect_key(const char *a1, const char *a2, const char *zip, const char *country,
                       const char *want)
{
    char k[512];
    key_of(a1, a2, zip, country, k, sizeof k);
    assert_string_equal(k, want);
}

static void test_address_key(void **state)
{
    (void)state;
    expect_key("12 Main Street, Apt. 4", "", "04101", "US", "12 MAIN ST APT 4||04101|US");
    expect_key("12  MAIN ST APT 4", "", "04101", "USA", "12 MAIN ST APT 4||04101|US");
    expect_key("12 main st #4", "", "04101", "United States", "12 MAIN ST APT 4||04101|US");
    expect_key("12 Main St", "Apartment #4", "04101", "", "12 MAIN ST|APT 4|04101|");
    expect_key("100 North Avenue", "Suite 200", "04101-1234", "US", "100 N AVE|STE 200|04101|US");
    expect_key("1 West Boulevard", "", "041011234", "us", "1 W BLVD||04101|US");
    expect_key("5 Rue de l'\xC3\x89glise", "", "75001", "France", "5 RUE DE LEGLISE||75001|FRANCE");
    expect_key("Gro\xC3\x9F" "e Stra\xC3\x9F" "e 7", "", "10115", "DE", "GROSSE STRASSE 7||10115|DE");
    expect_key("ul. \xC5\x81\xC3\xB3" "dzka 3", "", "90-001", "PL", "UL LODZKA 3||90001|PL");
    expect_key("M\xC3\xBCllerweg 2", "", "sw1a 1aa", "GB", "MULLERWEG 2||SW1A1AA|GB");
    /* ZIP+4 is a US form only */
    expect_key("1 High Road", "", "12345-6789", "DE", "1 HIGH RD||123456789|DE");
    /* truncation keeps a NUL-terminated prefix */
    char small[8];
    key_of("12 Main Street", "", "04101", "US", small, sizeof small);
    assert_string_equal(small, "12 MAIN");
}

/* ---- grouping ---------------------------------------------------------------------- */

typedef struct fixture {
    folio_customer c[8];
    folio_account a[8];
    size_t nc, na;
} fixture;

static folio_account acct(const char *id, uint32_t owner, const char *product)
{
    folio_account a;
    memset(&a, 0, sizeof a);
    a.id = id;
    a.owner = owner;
    a.product = product;
    a.product_name = "";
    a.currency = "USD";
    return a;
}

static void build(fixture *f)
{
    memset(f, 0, sizeof *f);
    /* joint household H1 (two customers, one id) */
    f->c[f->nc++] = cust("C1", "H1", "1 Oak Lane", "", "04101", "US", 0, 2);
    f->c[f->nc++] = cust("C2", "H1", "9 Elm Rd", "", "04101", "US", 0, 3);
    /* id-less customer at H1's first address joins H1 */
    f->c[f->nc++] = cust("C3", "", "1 OAK LN.", "", "04101-0001", "USA", 1, 2);
    /* two id-less customers at one address: a derived household */
    f->c[f->nc++] = cust("C4", "", "7 Pine Street", "Apt 2", "04102", "US", 0, 9);
    f->c[f->nc++] = cust("C5", "", "7 PINE ST", "#2", "04102", "US", 0, 5);
    /* alone */
    f->c[f->nc++] = cust("C6", "H0", "3 Birch Court", "", "04103", "US", 0, 4);

    f->a[f->na++] = acct("S-9", 0, "savings");
    f->a[f->na++] = acct("K-2", 1, "checking");
    f->a[f->na++] = acct("K-1", 2, "checking");
    f->a[f->na++] = acct("Z-1", 0, "zeta");
    f->a[f->na++] = acct("M-1", 0, "mortgage");
    f->a[f->na++] = acct("B-1", 1, "brokerage");
    f->a[f->na++] = acct("X-1", 3, "checking");
    f->a[f->na++] = acct("X-2", 4, "savings");
}

static const char *const order[] = {"checking", "savings", "mortgage"};

static void group(fixture *f, folio_households *hs)
{
    folio_dataset ds;
    memset(&ds, 0, sizeof ds);
    ds.customers = f->c;
    ds.n_customers = f->nc;
    ds.accounts = f->a;
    ds.n_accounts = f->na;
    folio_error err = {0};
    assert_true(household_group(&ds, order, 3, hs, &err));
}

/* households flattened to "id:cust,cust/acct,acct;" */
static void describe(const fixture *f, const folio_households *hs, char *out, size_t cap)
{
    size_t n = 0;
    out[0] = 0;
    for (size_t h = 0; h < hs->n; h++) {
        const folio_household *x = &hs->v[h];
        folio_str_appendf(out, cap, &n, "%s%s:", x->id, x->derived ? "*" : "");
        for (uint32_t k = 0; k < x->n_customers; k++)
            folio_str_appendf(out, cap, &n, "%s%s", k ? "," : "",
                                  f->c[hs->customer_idx[x->first_customer + k]].id);
        folio_str_appendf(out, cap, &n, "/");
        for (uint32_t k = 0; k < x->n_accounts; k++)
            folio_str_appendf(out, cap, &n, "%s%s", k ? "," : "",
                                  f->a[hs->account_idx[x->first_account + k]].id);
        folio_str_appendf(out, cap, &n, ";");
    }
}

static void test_group(void **state)
{
    (void)state;
    fixture f;
    build(&f);
    folio_households hs;
    group(&f, &hs);
    assert_int_equal(hs.n, 3);

    char key[512], hex[65], derived[32];
    size_t kl = household_address_key(&f.c[3], key, sizeof key);
    assert_string_equal(key, "7 PINE ST|APT 2|04102|US");
    folio_sha256_hex(key, kl, hex);
    snprintf(derived, sizeof derived, "A-%.16s", hex);

    char got[1024], want[1024];
    describe(&f, &hs, got, sizeof got);
    /* sorted by id: "A-..." < "H0" < "H1"; customers by (feed, line);
     * accounts by product order, then unlisted products by code */
    snprintf(want, sizeof want,
             "%s*:C5,C4/X-1,X-2;H0:C6/;H1:C1,C2,C3/K-1,K-2,S-9,M-1,B-1,Z-1;", derived);
    assert_string_equal(got, want);
    assert_true(hs.v[0].derived);
    assert_false(hs.v[2].derived);
    household_free(&hs);
}

static void test_group_order_independent(void **state)
{
    (void)state;
    fixture f;
    build(&f);
    folio_households hs;
    group(&f, &hs);
    char base[1024];
    describe(&f, &hs, base, sizeof base);
    household_free(&hs);

    /* shuffle customers and accounts (remapping owners) many times */
    uint32_t x = 12345;
    for (int round = 0; round < 50; round++) {
        fixture g;
        build(&g);
        uint32_t perm[8];
        for (uint32_t i = 0; i < g.nc; i++)
            perm[i] = i;
        for (uint32_t i = (uint32_t)g.nc - 1; i > 0; i--) {
            x = x * 1664525u + 1013904223u;
            uint32_t j = (x >> 8) % (i + 1), t = perm[i];
            perm[i] = perm[j];
            perm[j] = t;
        }
        fixture s = g;
        uint32_t newpos[8];
        for (uint32_t i = 0; i < g.nc; i++) {
            s.c[i] = g.c[perm[i]];
            newpos[perm[i]] = i;
        }
        for (size_t i = 0; i < g.na; i++) {
            x = x * 1664525u + 1013904223u;
            size_t j = (x >> 8) % g.na;
            folio_account t = s.a[i];
            s.a[i] = s.a[j];
            s.a[j] = t;
        }
        for (size_t i = 0; i < g.na; i++)
            s.a[i].owner = newpos[s.a[i].owner];
        group(&s, &hs);
        char got[1024];
        describe(&s, &hs, got, sizeof got);
        assert_string_equal(got, base);
        household_free(&hs);
    }
}

static void test_id_less_joins_smallest_id(void **state)
{
    (void)state;
    fixture f;
    memset(&f, 0, sizeof f);
    f.c[f.nc++] = cust("C1", "HB", "4 Ash Drive", "", "04101", "US", 0, 2);
    f.c[f.nc++] = cust("C2", "HA", "4 ASH DR", "", "04101", "US", 0, 3);
    f.c[f.nc++] = cust("C3", "", "4 Ash Dr.", "", "04101", "US", 0, 4);
    f.c[f.nc++] = cust("C4", "", "4 Ash Dr.", "", "04109", "US", 0, 5);   /* other ZIP */
    folio_households hs;
    group(&f, &hs);
    char got[512];
    describe(&f, &hs, got, sizeof got);
    assert_int_equal(hs.n, 3);
    assert_non_null(strstr(got, "HA:C2,C3/;HB:C1/;"));
    assert_true(hs.v[0].derived);
    assert_int_equal(strlen(hs.v[0].id), 18);
    assert_memory_equal(hs.v[0].id, "A-", 2);
    household_free(&hs);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_address_key),
        cmocka_unit_test(test_group),
        cmocka_unit_test(test_group_order_independent),
        cmocka_unit_test(test_id_less_joins_smallest_id),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
