/* SPDX-License-Identifier: Apache-2.0 */
/* Unit tests: issue 15 part 4, the interval maths of src/uplift.c against
 * published values, and the matching of responses to contacts. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "folio/uplift.h"

static double r4(double x) { return floor(x * 10000.0 + 0.5) / 10000.0; }

/* Newcombe R.G. (1998), "Interval estimation for the difference between
 * independent proportions: comparison of eleven methods", Stat Med
 * 17:873-890, Table II, method 10 (hybrid score), 95%, to 4 decimals. */
static void test_newcombe_table2(void **state)
{
    (void)state;
    static const struct { int x1, n1, x2, n2; double lo, hi; } T[] = {
        {56, 70, 48, 80, 0.0524, 0.3339},     /* (a) */
        {9, 10, 3, 10, 0.1705, 0.8090},       /* (b) */
        {6, 7, 2, 7, 0.0582, 0.8062},         /* (c) */
        {5, 56, 0, 29, -0.0381, 0.1926},      /* (d) */
        {0, 10, 0, 20, -0.1611, 0.2775},      /* (e) */
        {0, 10, 0, 10, -0.2775, 0.2775},      /* (f) */
        {10, 10, 0, 20, 0.6791, 1.0000},      /* (g) */
        {10, 10, 0, 10, 0.6075, 1.0000},      /* (h) */
    };
    for (size_t i = 0; i < sizeof T / sizeof T[0]; i++) {
        double lo, hi;
        assert_true(uplift_newcombe(T[i].x1, T[i].n1, T[i].x2, T[i].n2, &lo, &hi));
        if (fabs(r4(lo) - T[i].lo) > 1e-9 || fabs(r4(hi) - T[i].hi) > 1e-9)
            fail_msg("case %zu: %.4f..%.4f, published %.4f..%.4f", i, lo, hi, T[i].lo, T[i].hi);
    }
    double lo, hi;
    assert_false(uplift_newcombe(1, 0, 1, 10, &lo, &hi));
}

/* Newcombe R.G. (1998), "Two-sided confidence intervals for the single
 * proportion: comparison of seven methods", Stat Med 17:857-872, Table I,
 * method 3 (Wilson score, no continuity correction). */
static void test_wilson(void **state)
{
    (void)state;
    static const struct { int x, n; double lo, hi; } T[] = {
        {81, 263, 0.2553, 0.3662}, {15, 148, 0.0624, 0.1605},
        {0, 20, 0.0000, 0.1611}, {1, 29, 0.0061, 0.1718},
    };
    for (size_t i = 0; i < sizeof T / sizeof T[0]; i++) {
        double lo, hi;
        uplift_wilson(T[i].x, T[i].n, FOLIO_UPLIFT_Z95, &lo, &hi);
        assert_float_equal(r4(lo), T[i].lo, 1e-9);
        assert_float_equal(r4(hi), T[i].hi, 1e-9);
    }
}

/* Two-proportion sample size (Fleiss, without continuity correction):
 * 10% vs 15% needs 686 per group, 20% vs 30% 294, 50% vs 60% 388. */
static void test_sample_size(void **state)
{
    (void)state;
    assert_int_equal(uplift_sample_size(0.15, 0.10), 686);
    assert_int_equal(uplift_sample_size(0.10, 0.15), 686);
    assert_int_equal(uplift_sample_size(0.30, 0.20), 294);
    assert_int_equal(uplift_sample_size(0.60, 0.50), 388);
    assert_int_equal(uplift_sample_size(0.2, 0.2), -1);
}

/* Matching: latest contact on or before the response, the window, the
 * variant, holdout rows as the control, repeats, and every miss listed. */
static void test_matching(void **state)
{
    (void)state;
    folio_date d0;
    assert_true(folio_date_from_ymd(2026, 10, 1, &d0));
    folio_contact C[] = {
        {"H1", "OFF", d0, "A", false}, {"H2", "OFF", d0, "B", false},
        {"H3", "OFF", d0, "", true},   {"H4", "OFF", d0, "A", false},
        {"H5", "OFF", d0, "", true},   {"H1", "OFF", d0 + 30, "A", false},
    };
    folio_response R[] = {
        {"H1", "OFF", "A", "clicked", d0 + 31, 0, 2},  /* 2nd H1 contact, in window */
        {"H1", "OFF", "", "applied", d0 + 35, 0, 3},   /* repeat of the same contact */
        {"H2", "OFF", "A", "clicked", d0 + 3, 0, 4},   /* variant mismatch */
        {"H3", "OFF", "holdout", "opened_account", d0 + 10, 0, 5},   /* control responds */
        {"H4", "OFF", "", "clicked", d0 + 31, 0, 6},   /* outside a 30-day window */
        {"H9", "OFF", "", "clicked", d0 + 1, 0, 7},    /* no contact */
        {"H5", "OFF", "", "clicked", d0 - 1, 0, 8},    /* before the contact */
        {"H1", "ZZZ", "", "clicked", d0 + 1, 0, 9},    /* no contact of that offer */
    };
    folio_dataset ds;
    memset(&ds, 0, sizeof ds);
    ds.contacts = C;
    ds.n_contacts = sizeof C / sizeof C[0];
    ds.responses = R;
    ds.n_responses = sizeof R / sizeof R[0];
    folio_error err = {0};
    folio_uplift *u = uplift_compute(&ds, 30, &err);
    assert_non_null(u);
    assert_int_equal(u->responses, 8);
    assert_int_equal(u->matched, 3);
    assert_int_equal(u->repeats, 1);
    assert_int_equal(u->unmatched[FOLIO_UPLIFT_NO_CONTACT], 2);
    assert_int_equal(u->unmatched[FOLIO_UPLIFT_BEFORE_CONTACT], 1);
    assert_int_equal(u->unmatched[FOLIO_UPLIFT_OUTSIDE_WINDOW], 1);
    assert_int_equal(u->unmatched[FOLIO_UPLIFT_VARIANT_MISMATCH], 1);
    assert_int_equal(u->n_miss, 5);
    assert_int_equal(u->miss[0].response, 2);   /* feed order */
    assert_int_equal(u->n_rows, 2);
    assert_string_equal(u->rows[0].variant, "A");
    assert_int_equal(u->rows[0].contacts, 3);
    assert_int_equal(u->rows[0].responders, 1);
    assert_int_equal(u->rows[0].hold_contacts, 2);
    assert_int_equal(u->rows[0].hold_responders, 1);
    assert_string_equal(u->rows[1].variant, "B");
    assert_int_equal(u->rows[1].responders, 0);
    assert_true(u->rows[1].has_ci);
    double lo, hi;
    uplift_newcombe(1, 3, 1, 2, &lo, &hi);
    assert_float_equal(u->rows[0].lo, lo, 0);
    assert_float_equal(u->rows[0].hi, hi, 0);
    uplift_free(u);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_newcombe_table2),
        cmocka_unit_test(test_wilson),
        cmocka_unit_test(test_sample_size),
        cmocka_unit_test(test_matching),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
