/* SPDX-License-Identifier: Apache-2.0 */
/* Unit tests: issue 12 (r-harden, round 28) -- merge-spill.c, the external
 * sort behind folio merge's uniqueness checks: random records (repeats,
 * empty ones, prefixes of each other, bytes above 0x7f and NUL) come out
 * in the order qsort gives them, held in memory, spilled in a few runs,
 * and spilled in more runs than one pass merges (MSORT_FANIN); no input;
 * the run files are gone after msort_close. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "folio/common.h"
#include "merge-spill.h"

static char dir[256];

static int setup(void **state)
{
    (void)state;
    snprintf(dir, sizeof dir, "/tmp/folio-merge-spill-XXXXXX");
    return mkdtemp(dir) ? 0 : -1;
}

static int teardown(void **state)
{
    (void)state;
    return rmdir(dir);          /* empty: every run file removed */
}

typedef struct { unsigned char b[24]; size_t n; } rec;

static int rec_cmp(const void *a, const void *b)
{
    const rec *x = a, *y = b;
    int c = memcmp(x->b, y->b, x->n < y->n ? x->n : y->n);
    return c ? c : (x->n > y->n) - (x->n < y->n);
}

static size_t files_in_dir(void)
{
    DIR *d = opendir(dir);
    size_t n = 0;
    struct dirent *e;
    while (d && (e = readdir(d)))
        n += e->d_name[0] != '.';
    if (d)
        closedir(d);
    return n;
}

/* n random records through a sorter of `mem` bytes; *runs: files written */
static void sort_check(size_t n, size_t mem, unsigned seed, size_t *runs)
{
    rec *v = calloc(n ? n : 1, sizeof *v);
    assert_non_null(v);
    srand(seed);
    for (size_t i = 0; i < n; i++) {
        if (i && rand() % 5 == 0) {             /* a repeat of an earlier one */
            v[i] = v[(size_t)rand() % i];
            continue;
        }
        v[i].n = (size_t)(rand() % 9);          /* 0..8 bytes: empty and prefixes */
        for (size_t k = 0; k < v[i].n; k++)
            v[i].b[k] = (unsigned char)(rand() % 4 == 0 ? rand() % 256 : 'a' + rand() % 3);
    }
    folio_error err = {0};
    msort *s = msort_open(dir, "t", mem, &err);
    assert_non_null(s);
    for (size_t i = 0; i < n; i++)
        assert_true(msort_add(s, v[i].b, v[i].n, &err));
    assert_true(msort_done(s, &err));
    *runs = msort_runs(s);
    qsort(v, n, sizeof *v, rec_cmp);
    const char *p;
    size_t len, i = 0;
    int g;
    while ((g = msort_next(s, &p, &len, &err)) == 1) {
        assert_true(i < n);
        assert_int_equal(len, v[i].n);
        assert_memory_equal(p, v[i].b, len);
        i++;
    }
    assert_int_equal(g, 0);
    assert_int_equal(err.code, 0);
    assert_int_equal(i, n);
    msort_close(s);
    assert_int_equal(files_in_dir(), 0);
    free(v);
}

static void test_in_memory(void **state)
{
    (void)state;
    size_t runs;
    sort_check(5000, (size_t)32 << 20, 1, &runs);
    assert_int_equal(runs, 0);
}

static void test_few_runs(void **state)
{
    (void)state;
    size_t runs;
    sort_check(20000, 64 * 1024, 2, &runs);
    assert_true(runs > 1 && runs <= 32);
}

static void test_many_runs(void **state)
{
    (void)state;
    size_t runs;
    sort_check(60000, 8192, 3, &runs);          /* ~150 runs: passes of 32, then one */
    assert_true(runs > 3 * 32);
}

static void test_empty(void **state)
{
    (void)state;
    size_t runs;
    sort_check(0, 4096, 4, &runs);
    assert_int_equal(runs, 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_in_memory),
        cmocka_unit_test(test_few_runs),
        cmocka_unit_test(test_many_runs),
        cmocka_unit_test(test_empty),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
