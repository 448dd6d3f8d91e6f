/* SPDX-License-Identifier: Apache-2.0 */
/* progress.c: the windowed rate, the phase clock and the progress line
 * (issue 16 part 6). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include "folio/progress.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* A steady 100/s: the rate is 100 whatever the window holds. */
static void test_rate_steady(void **state)
{
    (void)state;
    folio_rate_window w;
    folio_rate_init(&w, 5.0);
    assert_true(folio_rate_per_s(&w) == 0);
    folio_rate_add(&w, 10.0, 0);
    assert_true(folio_rate_per_s(&w) == 0);             /* one sample: no rate */
    assert_true(folio_rate_left_s(&w, 0, 1000) < 0);    /* unknown */
    for (int i = 1; i <= 200; i++)
        folio_rate_add(&w, 10.0 + i * 0.1, (uint64_t)i * 10);
    assert_true(fabs(folio_rate_per_s(&w) - 100.0) < 1e-6);
    /* 2000 done of 5000 at 100/s: 30 s left */
    assert_true(fabs(folio_rate_left_s(&w, 2000, 5000) - 30.0) < 1e-6);
    assert_true(folio_rate_left_s(&w, 5000, 5000) == 0);
}

/* The rate of the last 5 s, not since the start: 10 s slow (10/s), then
 * 5 s fast (1000/s) -- the window reports 1000/s, where the average since
 * the start is ~340/s (what the old line showed). */
static void test_rate_window_forgets(void **state)
{
    (void)state;
    folio_rate_window w;
    folio_rate_init(&w, 5.0);
    uint64_t v = 0;
    double t = 0;
    folio_rate_add(&w, t, v);
    for (int i = 0; i < 100; i++) {
        t += 0.1;
        v += 1;
        folio_rate_add(&w, t, v);
    }
    assert_true(fabs(folio_rate_per_s(&w) - 10.0) < 1e-6);
    for (int i = 0; i < 50; i++) {
        t += 0.1;
        v += 100;
        folio_rate_add(&w, t, v);
    }
    double r = folio_rate_per_s(&w);
    assert_true(fabs(r - 1000.0) < 1e-6);
    assert_true(fabs((double)v / t - 340.0) < 1.0);     /* what "since the start" says */
    /* halfway into the fast part the window mixes both: (25*1 + 25*100)/5 s */
    folio_rate_window w2;
    folio_rate_init(&w2, 5.0);
    v = 0;
    t = 0;
    folio_rate_add(&w2, t, v);
    for (int i = 0; i < 100; i++)
        folio_rate_add(&w2, t += 0.1, v += 1);
    for (int i = 0; i < 25; i++)
        folio_rate_add(&w2, t += 0.1, v += 100);
    assert_true(fabs(folio_rate_per_s(&w2) - (25.0 + 2500.0) / 5.0) < 1e-6);
}

/* Events many times a second keep the whole span (samples closer than
 * span/32 merge) and a counter that goes back starts again. */
static void test_rate_dense_and_reset(void **state)
{
    (void)state;
    folio_rate_window w;
    folio_rate_init(&w, 5.0);
    uint64_t v = 0;
    double t = 0;
    for (int i = 0; i <= 100000; i++)        /* every 0.1 ms for 10 s, 50/s */
        folio_rate_add(&w, t = i * 1e-4, v = (uint64_t)i / 200);
    assert_true(w.n <= FOLIO_RATE_SAMPLES);
    int a = w.head, b = (w.head + w.n - 1) % FOLIO_RATE_SAMPLES;
    assert_true(w.t[b] - w.t[a] >= 5.0 - 1e-9);          /* the whole span is kept */
    assert_true(w.t[b] - w.t[a] < 5.0 + 5.0 / 32 + 1e-9);
    assert_true(fabs(folio_rate_per_s(&w) - 50.0) < 0.5);
    folio_rate_add(&w, t + 0.5, 3);                        /* a new counter */
    assert_int_equal(w.n, 1);
    assert_true(folio_rate_per_s(&w) == 0);
}

/* Phase times add up to the wall time, "other" is the time before the
 * first phase, repeated names are summed. */
static void test_phase_clock(void **state)
{
    (void)state;
    folio_phase_clock c = {0};
    folio_phases_mark(&c, "load", 100.25);
    folio_phases_mark(&c, "compose", 101.0);
    folio_phases_mark(&c, "print", 103.5);
    folio_phases_mark(&c, "compose", 104.0);
    char buf[256];
    size_t n = folio_phases_format(&c, 100.0, 105.0, buf, sizeof buf);
    assert_int_equal(n, strlen(buf));
    assert_string_equal(buf, "load 0.75s, compose 3.50s, print 0.50s, other 0.25s");
    double sum = 0.25;
    for (int i = 0; i < c.n; i++)
        sum += folio_phases_seconds(&c, i, 105.0);
    assert_true(fabs(sum - 5.0) < 1e-9);
    folio_phase_clock e = {0};
    folio_phases_format(&e, 1.0, 3.5, buf, sizeof buf);
    assert_string_equal(buf, "other 2.50s");
    /* cut short, never overflowing */
    char small[12];
    folio_phases_format(&c, 100.0, 105.0, small, sizeof small);
    assert_true(strlen(small) < sizeof small);
}

/* Every redraw starts with \r and ends with ESC[K (a shorter line leaves
 * nothing of a longer one); off a terminal nothing is drawn but phases are
 * still timed; the rate shown is the window's. */
static void test_line_clears(void **state)
{
    (void)state;
    folio_progress p;
    folio_progress_init(&p, true);
    char buf[512], last[512] = "";
    folio_run_event ev = {.kind = FOLIO_RUN_PHASE, .name = "archive", .elapsed = 3};
    size_t n = folio_progress_event(&p, &ev, 3.0, buf, sizeof buf);
    assert_true(n > 4);
    assert_int_equal(buf[0], '\r');
    assert_string_equal(buf + n - 3, "\033[K");
    /* 1000 documents at 100/s over 10 s (events every 0.05 s) */
    double t = 3.0;
    size_t drawn = 0;
    for (int i = 1; i <= 200; i++) {
        t += 0.05;
        ev = (folio_run_event){.kind = FOLIO_RUN_COUNTING, .name = "archived",
                               .done = (uint64_t)i * 5, .total = 2000, .elapsed = t};
        n = folio_progress_event(&p, &ev, t, buf, sizeof buf);
        if (n) {
            drawn++;
            assert_int_equal(buf[0], '\r');
            assert_string_equal(buf + n - 3, "\033[K");
            assert_non_null(strstr(buf, "archive"));
            assert_true(n <= 1 + 78 + 3);
            memcpy(last, buf, n + 1);
        }
    }
    assert_true(drawn >= 50 && drawn <= 101);   /* at most ~10 redraws a second */
    /* the last redraw: ~1000 of 2000 at 100/s, ~10 s left */
    const char *a = strstr(last, "archived ");
    assert_non_null(a);
    unsigned done, total, rate, el, left;
    assert_int_equal(sscanf(a, "archived %u/%u %u/s elapsed %us left %us", &done, &total, &rate,
                            &el, &left), 5);
    assert_true(done >= 990 && done <= 1000);
    assert_int_equal(total, 2000);
    assert_int_equal(rate, 100);
    assert_true(left == 10 || left == 11);
    ev = (folio_run_event){.kind = FOLIO_RUN_PROGRESS_END};
    n = folio_progress_event(&p, &ev, t, buf, sizeof buf);
    assert_string_equal(buf, "\r\033[K");
    assert_int_equal(p.phases.n, 1);

    folio_progress q;                       /* not a terminal */
    folio_progress_init(&q, false);
    ev = (folio_run_event){.kind = FOLIO_RUN_PHASE, .name = "load"};
    assert_int_equal(folio_progress_event(&q, &ev, 1.0, buf, sizeof buf), 0);
    ev = (folio_run_event){.kind = FOLIO_RUN_LOADING, .done = 5, .total = 10};
    assert_int_equal(folio_progress_event(&q, &ev, 1.5, buf, sizeof buf), 0);
    assert_int_equal(q.phases.n, 1);
    assert_string_equal(q.phases.v[0].name, "load");
}

/* A phase without counts, or a long gap between counts: the tick redraws
 * the last line once a second with the time moved on; nothing after the
 * end or off a terminal. */
static void test_tick(void **state)
{
    (void)state;
    folio_progress p;
    folio_progress_init(&p, true);
    char buf[512];
    assert_int_equal(folio_progress_tick(&p, 1.0, buf, sizeof buf), 0);   /* nothing up */
    folio_run_event ev = {.kind = FOLIO_RUN_PHASE, .name = "records", .elapsed = 10};
    assert_true(folio_progress_event(&p, &ev, 100.0, buf, sizeof buf) > 0);
    assert_int_equal(folio_progress_tick(&p, 100.5, buf, sizeof buf), 0);  /* drawn < 1 s ago */
    size_t n = folio_progress_tick(&p, 102.2, buf, sizeof buf);
    assert_true(n > 0);
    assert_string_equal(buf, "\rrecords   elapsed 12s\033[K");
    /* counts at 100/s, then silence: the time left goes down with the clock */
    ev = (folio_run_event){.kind = FOLIO_RUN_PHASE, .name = "print", .elapsed = 20};
    folio_progress_event(&p, &ev, 110.0, buf, sizeof buf);
    for (int i = 1; i <= 10; i++) {
        ev = (folio_run_event){.kind = FOLIO_RUN_COUNTING, .name = "pages",
                               .done = (uint64_t)i * 100, .total = 3000,
                               .elapsed = 20 + i};
        folio_progress_event(&p, &ev, 110.0 + i, buf, sizeof buf);
    }
    assert_non_null(strstr(buf, "pages 1000/3000  100/s  elapsed 30s  left 20s"));
    n = folio_progress_tick(&p, 125.0, buf, sizeof buf);
    assert_true(n > 0);
    assert_non_null(strstr(buf, "pages 1000/3000  100/s  elapsed 35s  left 15s"));
    ev = (folio_run_event){.kind = FOLIO_RUN_PROGRESS_END};
    folio_progress_event(&p, &ev, 126.0, buf, sizeof buf);
    assert_int_equal(folio_progress_tick(&p, 130.0, buf, sizeof buf), 0);
    folio_progress q;
    folio_progress_init(&q, false);
    ev = (folio_run_event){.kind = FOLIO_RUN_PHASE, .name = "plan"};
    folio_progress_event(&q, &ev, 1.0, buf, sizeof buf);
    assert_int_equal(folio_progress_tick(&q, 5.0, buf, sizeof buf), 0);
}

/* hard-attack2: minutes and seconds of the time left are rounded together
 * (119.6 s was "1m60s") */
static void test_left_minutes(void **state)
{
    (void)state;
    folio_progress p;
    folio_progress_init(&p, true);
    char buf[512];
    folio_run_event ev = {.kind = FOLIO_RUN_PHASE, .name = "print", .elapsed = 0};
    folio_progress_event(&p, &ev, 10.0, buf, sizeof buf);
    for (int i = 1; i <= 10; i++) {
        ev = (folio_run_event){.kind = FOLIO_RUN_COUNTING, .name = "pages",
                               .done = (uint64_t)i * 100, .total = 12960, .elapsed = i};
        folio_progress_event(&p, &ev, 10.0 + i, buf, sizeof buf);
    }
    assert_non_null(strstr(buf, "pages 1000/12960  100/s  elapsed 10s  left 2m00s"));
    ev = (folio_run_event){.kind = FOLIO_RUN_COUNTING, .name = "pages", .done = 1100,
                           .total = 12960, .elapsed = 11};
    folio_progress_event(&p, &ev, 21.0, buf, sizeof buf);
    assert_non_null(strstr(buf, "left 1m59s"));   /* 118.6 s */
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_rate_steady),
        cmocka_unit_test(test_rate_window_forgets),
        cmocka_unit_test(test_rate_dense_and_reset),
        cmocka_unit_test(test_phase_clock),
        cmocka_unit_test(test_line_clears),
        cmocka_unit_test(test_tick),
        cmocka_unit_test(test_left_minutes),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
