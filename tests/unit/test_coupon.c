/* SPDX-License-Identifier: Apache-2.0 */
/* Unit tests: the payment coupon's pure parts (src/coupon.c, issue 13
 * part 3) and URL finding for links (src/links.c, part 4): the Luhn digit
 * against published examples, the scan line's letter mapping, IBAN mod 97,
 * the EPC payload line by line, the payment URL's encoding.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "folio/coupon.h"
#include "folio/links.h"

static void test_luhn(void **state)
{
    (void)state;
    /* the check digit of the classic examples: 7992739871 -> 3, 4539 1488 0343 646 -> 7 */
    assert_int_equal(coupon_luhn("7992739871"), 3);
    assert_int_equal(coupon_luhn("453914880343646"), 7);
    assert_int_equal(coupon_luhn("0"), 0);
    assert_int_equal(coupon_luhn("12a"), -1);
}

static void test_scan_line(void **state)
{
    (void)state;
    char s[128];
    assert_true(coupon_scan_line("580175000187", 1190198, 23803, s, sizeof s));
    assert_string_equal(s, "580175000187 0001190198 0000023803 3");
    /* letters count as two digits (A=10): "a-1" -> REF "A1", digits "101" */
    assert_true(coupon_scan_line("a-1", 5, 0, s, sizeof s));
    char want[64];
    snprintf(want, sizeof want, "A1 0000000005 0000000000 %d",
             coupon_luhn("10100000000050000000000"));
    assert_string_equal(s, want);
    assert_false(coupon_scan_line("--", 5, 0, s, sizeof s));          /* no reference */
    assert_false(coupon_scan_line("1", 10000000000LL, 0, s, sizeof s)); /* 11 digits */
    assert_false(coupon_scan_line("1", -1, 0, s, sizeof s));
}

static void test_iban(void **state)
{
    (void)state;
    assert_true(coupon_iban_ok("DE89370400440532013000"));
    assert_true(coupon_iban_ok("GB82WEST12345698765432"));
    assert_false(coupon_iban_ok("DE89370400440532013001"));
    assert_false(coupon_iban_ok("DE89 3704 0044 0532 0130 00"));
    assert_false(coupon_iban_ok("de89370400440532013000"));
    assert_false(coupon_iban_ok("DE8937"));
}

static void test_payload(void **state)
{
    (void)state;
    char *products[] = {"credit_card"};
    folio_coupon c = {.products = products, .n_products = 1, .payee = "Bank & Co",
                      .iban = "DE89370400440532013000", .bic = "COBADEFFXXX", .sepa = true,
                      .pay_url = "https://pay.example/?a={account}&m={amount}&c={currency}&h={household}"};
    folio_coupon_data d = {.household_id = "H 1", .account_id = "4711", .currency = "EUR",
                           .minor_digits = 2, .amount_due = 1234505, .minimum_due = 100};
    char out[1024], why[200];
    assert_true(coupon_payload(&c, &d, out, sizeof out, why, sizeof why));
    assert_string_equal(out, "BCD\n002\n1\nSCT\nCOBADEFFXXX\nBank & Co\nDE89370400440532013000\n"
                             "EUR12345.05\n\n\nAccount 4711");
    d.amount_due = 0;                              /* nothing due: no amount */
    assert_true(coupon_payload(&c, &d, out, sizeof out, why, sizeof why));
    assert_non_null(strstr(out, "DE89370400440532013000\n\n\n\nAccount 4711"));
    d.currency = "USD";
    d.amount_due = 7;
    assert_true(coupon_payload(&c, &d, out, sizeof out, why, sizeof why));
    assert_string_equal(out, "https://pay.example/?a=4711&m=0.07&c=USD&h=H%201");
    d.currency = "JPY";
    d.minor_digits = 0;
    d.amount_due = 1500;
    assert_true(coupon_payload(&c, &d, out, sizeof out, why, sizeof why));
    assert_string_equal(out, "https://pay.example/?a=4711&m=1500&c=JPY&h=H%201");
}

static void test_links_find(void **state)
{
    (void)state;
    size_t off, len;
    bool www;
    const char *t = "Online: www.harborpine.example, or see (https://x.example/a?b=1).";
    assert_true(links_find(t, strlen(t), 0, &off, &len, &www));
    assert_true(www);
    assert_int_equal(off, 8);
    assert_int_equal(len, strlen("www.harborpine.example"));
    assert_true(links_find(t, strlen(t), off + len, &off, &len, &www));
    assert_false(www);
    assert_memory_equal(t + off, "https://x.example/a?b=1", len);
    assert_false(links_find(t, strlen(t), off + len, &off, &len, &www));
    assert_false(links_find("www. https://nohost", 19, 0, &off, &len, &www));
    assert_false(links_find("xwww.a.b", 8, 0, &off, &len, &www));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_luhn),
        cmocka_unit_test(test_scan_line),
        cmocka_unit_test(test_iban),
        cmocka_unit_test(test_payload),
        cmocka_unit_test(test_links_find),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
