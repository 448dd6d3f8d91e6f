/* SPDX-License-Identifier: Apache-2.0 */
/* exceptions.c: the operator's exception list and OUT/exceptions.csv. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include "folio/exceptions.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static char *slurp(const char *path)
{
    FILE *f = fopen(path, "rb");
    assert_non_null(f);
    static char buf[8192];
    size_t n = fread(buf, 1, sizeof buf - 1, f);
    fclose(f);
    buf[n] = 0;
    return buf;
}

static void test_sorted_counted_written(void **state)
{
    (void)state;
    folio_exceptions x;
    folio_exceptions_init(&x);
    /* added out of order, as parallel stages may find them */
    assert_true(folio_exceptions_add(&x, FOLIO_EXC_UNDELIVERABLE, "H2", "C9", NULL, NULL, 0,
                                     false, 0, 2, "suppressed", "no address line 1"));
    assert_true(folio_exceptions_add(&x, FOLIO_EXC_LEDGER_DIFFERENCE, "H1", NULL, "A7",
                                     "trans.asc", 42, true, -1234, 2, "printed",
                                     "closing %s differs\nfrom opening + amounts", "9.99"));
    assert_true(folio_exceptions_add(&x, FOLIO_EXC_REORDERED_DAY, "H1", NULL, "A7",
                                     "trans.asc", 40, false, 0, 2, "reordered", "=cmd|x"));
    assert_int_equal(x.n, 3);
    assert_int_equal(x.count[FOLIO_EXC_UNDELIVERABLE], 1);
    assert_int_equal(x.count[FOLIO_EXC_LEDGER_DIFFERENCE], 1);
    char path[] = "/tmp/folio-test-exc-XXXXXX";
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    close(fd);
    unlink(path);               /* written O_EXCL */
    folio_error err = {0};
    assert_true(folio_exceptions_write(&x, path, &err));
    const char *s = slurp(path);
    assert_string_equal(s,
        "kind,household,customer,account,file,line,amount,action,detail\n"
        "ledger_difference,H1,,A7,trans.asc,42,-12.34,printed,"
        "closing 9.99 differs from opening + amounts\n"
        "reordered_day,H1,,A7,trans.asc,40,,reordered,\"'=cmd|x\"\n"
        "undeliverable,H2,C9,,,,,suppressed,no address line 1\n");
    /* an existing file is never overwritten */
    assert_false(folio_exceptions_write(&x, path, &err));
    unlink(path);
    folio_exceptions_free(&x);
}

static void test_take_moves_counts(void **state)
{
    (void)state;
    folio_exceptions a, b;
    folio_exceptions_init(&a);
    folio_exceptions_init(&b);
    assert_true(folio_exceptions_add(&b, FOLIO_EXC_OVERSIZE_HOUSEHOLD, "H", NULL, NULL, NULL,
                                     0, false, 0, 0, "printed", "%d customers", 663));
    assert_true(folio_exceptions_take(&a, &b));
    assert_int_equal(a.n, 1);
    assert_int_equal(b.n, 0);
    assert_int_equal(a.count[FOLIO_EXC_OVERSIZE_HOUSEHOLD], 1);
    assert_int_equal(b.count[FOLIO_EXC_OVERSIZE_HOUSEHOLD], 0);
    assert_string_equal(a.v[0].detail, "663 customers");
    assert_string_equal(folio_exception_kind_name(FOLIO_EXC_OVERSIZE_HOUSEHOLD),
                        "oversize_household");
    folio_exceptions_free(&a);
    folio_exceptions_free(&b);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_sorted_counted_written),
        cmocka_unit_test(test_take_moves_counts),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
