/* SPDX-License-Identifier: Apache-2.0 */
/*
 * test_plan_sort.c -- plan_sort (src/plan-sort.h): the stable parallel merge
 * sort of the plan stage.  Checked against a reference stable order (key,
 * then input position) at 1, 2, 3, 4 and 16 threads, element sizes 4 to 40
 * bytes, sizes around the run and block edges, many ties; the threads
 * really share the work; called inside a parallel region it sorts alone.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <omp.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

#include "plan-sort.h"

/* an element: key first, input position after, padding to the size */
typedef struct el {
    uint32_t key, pos;
    unsigned char pad[32];
} el;

static atomic_uint thread_seen;      /* bit t: thread t compared */

static int cmp_key(const void *a, const void *b, void *arg)
{
    (void)arg;
    uint32_t x, y;
    memcpy(&x, a, 4);
    memcpy(&y, b, 4);
    int t = omp_get_thread_num();
    if (t < 32)
        atomic_fetch_or(&thread_seen, 1u << t);
    return x < y ? -1 : x > y;
}

static int cmp_ref(const void *a, const void *b)
{
    const el *x = a, *y = b;
    if (x->key != y->key)
        return x->key < y->key ? -1 : 1;
    return x->pos < y->pos ? -1 : x->pos > y->pos;
}

static uint64_t rng = 88172645463325252ULL;
static uint32_t rnd(void)
{
    rng ^= rng << 13;
    rng ^= rng >> 7;
    rng ^= rng << 17;
    return (uint32_t)rng;
}

/* fill n elements of `size` bytes (key in [0, keys), pos = index) */
static unsigned char *make(size_t n, size_t size, uint32_t keys, int shape)
{
    unsigned char *v = malloc(n * size + 1);
    assert_non_null(v);
    for (size_t i = 0; i < n; i++) {
        el e = {0};
        e.key = shape == 0 ? rnd() % keys : shape == 1 ? (uint32_t)i : (uint32_t)(n - i) % keys;
        e.pos = (uint32_t)i;
        memset(e.pad, (int)(i & 0xff), sizeof e.pad);
        memcpy(v + i * size, &e, size);
    }
    return v;
}

static void check(size_t n, size_t size, uint32_t keys, int shape, int threads)
{
    unsigned char *v = make(n, size, keys, shape);
    el *ref = calloc(n + 1, sizeof *ref);
    assert_non_null(ref);
    for (size_t i = 0; i < n; i++)
        memcpy(&ref[i], v + i * size, size);
    qsort(ref, n, sizeof *ref, cmp_ref);
    assert_true(plan_sort(v, n, size, cmp_key, NULL, threads));
    for (size_t i = 0; i < n; i++) {
        el e = {0};
        memcpy(&e, v + i * size, size);
        assert_int_equal(e.key, ref[i].key);
        if (size >= 8) {            /* stable: ties in input order, payload with them */
            assert_int_equal(e.pos, ref[i].pos);
            if (size > 8)
                assert_int_equal(e.pad[0], ref[i].pos & 0xff);
        }
    }
    free(ref);
    free(v);
}

static void test_sorted_and_stable(void **state)
{
    (void)state;
    static const size_t sizes[] = {0, 1, 2, 16, 17, 2047, 4097, 9001, 30011};
    static const size_t elsz[] = {4, 12, 40};
    static const int thr[] = {1, 2, 3, 16};
    for (size_t a = 0; a < sizeof sizes / sizeof *sizes; a++)
        for (size_t b = 0; b < sizeof elsz / sizeof *elsz; b++)
            for (size_t c = 0; c < sizeof thr / sizeof *thr; c++)
                for (int shape = 0; shape < 3; shape++) {
                    check(sizes[a], elsz[b], 7, shape, thr[c]);       /* many ties */
                    check(sizes[a], elsz[b], 1u << 30, shape, thr[c]);
                }
}

/* the same bytes at every thread count (ties everywhere: all keys equal) */
static void test_same_at_any_thread_count(void **state)
{
    (void)state;
    const size_t n = 50000, size = 12;
    rng = 88172645463325252ULL;
    unsigned char *one = make(n, size, 3, 0);
    assert_true(plan_sort(one, n, size, cmp_key, NULL, 1));
    static const int thr[] = {2, 3, 5, 8, 16};
    for (size_t t = 0; t < sizeof thr / sizeof *thr; t++) {
        rng = 88172645463325252ULL;
        unsigned char *v = make(n, size, 3, 0);
        rng = 88172645463325252ULL;
        unsigned char *w = make(n, size, 3, 0);
        assert_memory_equal(v, w, n * size);
        assert_true(plan_sort(v, n, size, cmp_key, NULL, thr[t]));
        assert_memory_equal(v, one, n * size);
        free(v);
        free(w);
    }
    free(one);
}

/* several threads compare at 4 threads; one inside a parallel region */
static void test_threads_share(void **state)
{
    (void)state;
    const size_t n = 60000, size = 8;
    unsigned char *v = make(n, size, 1u << 30, 0);
    atomic_store(&thread_seen, 0);
    assert_true(plan_sort(v, n, size, cmp_key, NULL, 4));
    assert_true(__builtin_popcount(atomic_load(&thread_seen)) >= 2);
    free(v);
    unsigned char *w = make(n, size, 1u << 30, 0);
    bool ok = false;
    atomic_store(&thread_seen, 0);
#pragma omp parallel num_threads(2)
    {
#pragma omp single
        {
            int me = omp_get_thread_num();
            ok = plan_sort(w, n, size, cmp_key, NULL, 4);
            assert_int_equal(atomic_load(&thread_seen), 1u << me);
        }
    }
    assert_true(ok);
    for (size_t i = 1; i < n; i++)
        assert_true(cmp_key(w + (i - 1) * size, w + i * size, NULL) <= 0);
    free(w);
}

static void test_bad_size(void **state)
{
    (void)state;
    char v[130] = {2, 1};
    assert_false(plan_sort(v, 2, 65, cmp_key, NULL, 1));
    assert_int_equal(v[0], 2);
    assert_true(plan_sort(v, 1, 65, cmp_key, NULL, 1));    /* nothing to sort */
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_sorted_and_stable),
        cmocka_unit_test(test_same_at_any_thread_count),
        cmocka_unit_test(test_threads_share),
        cmocka_unit_test(test_bad_size),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
