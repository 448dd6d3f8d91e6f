/* SPDX-License-Identifier: Apache-2.0 */
/* Unit tests: issue 12 part 1 -- spools (src/spool.c): records written from
 * many threads read back exactly, mapped, absent ones, no name left in the
 * work directory, a work directory that cannot be made; sizes (K/M/G).
 * issue 11 (r-spool): buffered puts (a buffer per team thread) read back
 * exactly after spool_flush, refused before it, a record larger than a
 * buffer and a thread without a buffer written directly. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <dirent.h>
#include <omp.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "spool.h"

static char dir[256];

static int entries(const char *d)
{
    DIR *dp = opendir(d);
    int n = 0;
    struct dirent *e;
    while (dp && (e = readdir(dp)))
        n += e->d_name[0] != '.' || (strcmp(e->d_name, ".") && strcmp(e->d_name, ".."));
    if (dp)
        closedir(dp);
    return n;
}

static void text_of(size_t i, char *t, size_t cap)
{
    /* lengths from 0 to ~3000 bytes, a newline inside */
    size_t n = (i * 7919) % 3000;
    for (size_t k = 0; k < n && k + 1 < cap; k++)
        t[k] = (char)('a' + (i + k) % 26);
    if (n > 10)
        t[5] = '\n';
    t[n < cap ? n : cap - 1] = 0;
}

static void test_spool_threads(void **state)
{
    (void)state;
    snprintf(dir, sizeof dir, "/tmp/folio-test-spool-%d", (int)getpid());
    folio_spool s;
    folio_error err = {0};
    const size_t n = 2000;
    assert_true(spool_open(&s, dir, n, &err));
    int bad = 0;
#pragma omp parallel for schedule(dynamic, 7) num_threads(4) reduction(+:bad)
    for (size_t i = 0; i < n; i++) {
        if (i % 5 == 3)
            continue;                   /* never written */
        char t[4096];
        folio_error e = {0};
        text_of(i, t, sizeof t);
        bad += !spool_put(&s, i, t, strlen(t), &e);
    }
    assert_int_equal(bad, 0);
    assert_int_equal(entries(dir), 0);  /* the file has no name */
    char *buf = NULL;
    size_t cap = 0;
    bool failed = false;
    for (size_t i = 0; i < n; i++) {
        const char *got = spool_get(&s, i, &buf, &cap, &failed, &err);
        if (i % 5 == 3) {
            assert_null(got);
            assert_false(spool_has(&s, i));
            continue;
        }
        char want[4096];
        text_of(i, want, sizeof want);
        assert_non_null(got);
        assert_string_equal(got, want);
    }
    assert_false(failed);
    assert_true(spool_map(&s, &err));
    for (size_t i = 0; i < n; i++) {
        char want[4096];
        text_of(i, want, sizeof want);
        if (i % 5 == 3)
            assert_null(spool_at(&s, i));
        else
            assert_string_equal(spool_at(&s, i), want);
    }
    spool_unmap(&s);
    assert_null(spool_at(&s, 1));
    /* one record rewritten: the later text wins */
    assert_true(spool_put(&s, 1, "later", 5, &err));
    assert_string_equal(spool_get(&s, 1, &buf, &cap, &failed, &err), "later");
    free(buf);
    spool_close(&s);
    spool_close(&s);                    /* twice is harmless */
    assert_int_equal(entries(dir), 0);
    assert_int_equal(rmdir(dir), 0);
}

/* a thread outside any team: its number (0) is the main thread's buffer */
static void *put_other(void *arg)
{
    folio_spool *s = arg;
    folio_error e = {0};
    return spool_put(s, 7, "other", 5, &e) ? s : NULL;
}

static void test_spool_buffered(void **state)
{
    (void)state;
    snprintf(dir, sizeof dir, "/tmp/folio-test-spoolb-%d", (int)getpid());
    folio_spool s;
    folio_error err = {0};
    const size_t n = 3000;              /* ~4.5 MB: every buffer fills several times */
    assert_true(spool_open(&s, dir, n, &err));
    assert_true(spool_buffered(&s, &err));
    assert_true(spool_put(&s, 0, "main", 4, &err));   /* slot 0: the main thread's */
    assert_false(spool_has(&s, 0));                   /* buffered, not yet there */
    pthread_t th;
    void *ret = NULL;
    assert_int_equal(pthread_create(&th, NULL, put_other, &s), 0);
    assert_int_equal(pthread_join(th, &ret), 0);
    assert_ptr_equal(ret, &s);
    assert_true(spool_has(&s, 7));                    /* written directly */
    int bad = 0;
#pragma omp parallel for schedule(dynamic, 5) num_threads(3) reduction(+:bad)
    for (size_t i = 8; i < n; i++) {
        if (i % 5 == 3)
            continue;                   /* never written */
        char t[4096];
        folio_error e = {0};
        text_of(i, t, sizeof t);
        if (i % 3 == 0) {               /* in place */
            bool failed = false;
            char *room = spool_room(&s, sizeof t, &failed, &e);
            bad += failed;
            if (room) {
                memcpy(room, t, strlen(t));
                spool_commit(&s, i, strlen(t));
                continue;
            }
        }
        bad += !spool_put(&s, i, t, strlen(t), &e);
    }
    assert_int_equal(bad, 0);
    /* larger than a buffer: written directly */
    size_t big_n = SPOOL_WBUF + 100;
    char *big = malloc(big_n + 1);
    assert_non_null(big);
    memset(big, 'b', big_n);
    big[big_n] = 0;
    assert_true(spool_put(&s, 1, big, big_n, &err));
    assert_true(spool_has(&s, 1));
    /* read before the flush: an error, never a missing record */
    char *buf = NULL;
    size_t cap = 0;
    bool failed = false;
    assert_null(spool_get(&s, 8, &buf, &cap, &failed, &err));
    assert_true(failed);
    assert_non_null(strstr(err.msg, "internal error"));
    assert_false(spool_map(&s, &err));
    failed = false;
    assert_true(spool_flush(&s, &err));
    assert_int_equal(entries(dir), 0);
    assert_string_equal(spool_get(&s, 0, &buf, &cap, &failed, &err), "main");
    assert_string_equal(spool_get(&s, 7, &buf, &cap, &failed, &err), "other");
    assert_string_equal(spool_get(&s, 1, &buf, &cap, &failed, &err), big);
    for (size_t i = 8; i < n; i++) {
        const char *got = spool_get(&s, i, &buf, &cap, &failed, &err);
        if (i % 5 == 3) {
            assert_null(got);
            continue;
        }
        char want[4096];
        text_of(i, want, sizeof want);
        assert_non_null(got);
        assert_string_equal(got, want);
    }
    assert_false(failed);
    assert_true(spool_map(&s, &err));
    char want[4096];
    text_of(n - 1, want, sizeof want);
    assert_string_equal(spool_at(&s, n - 1), want);
    spool_unmap(&s);
    /* after a flush the buffers are anyone's again; a rewrite wins */
    assert_true(spool_put(&s, 0, "again", 5, &err));
    assert_true(spool_flush(&s, &err));
    assert_string_equal(spool_get(&s, 0, &buf, &cap, &failed, &err), "again");
    free(big);
    free(buf);
    spool_close(&s);
    assert_int_equal(rmdir(dir), 0);
}

static void test_spool_bad_dir(void **state)
{
    (void)state;
    folio_spool s;
    folio_error err = {0};
    assert_false(spool_open(&s, "/nonexistent-folio/a/b", 3, &err));
    assert_int_equal(err.code, FOLIO_EXIT_FAILED);
    assert_non_null(strstr(err.msg, "/nonexistent-folio/a/b: cannot create the work directory"));
    spool_close(&s);
}

static void test_parse_size(void **state)
{
    (void)state;
    uint64_t v = 0;
    assert_true(folio_parse_size("1G", &v)); assert_true(v == 1ull << 30);
    assert_true(folio_parse_size("512M", &v)); assert_true(v == 512ull << 20);
    assert_true(folio_parse_size("64k", &v)); assert_true(v == 64ull << 10);
    assert_true(folio_parse_size("2GiB", &v)); assert_true(v == 2ull << 30);
    assert_true(folio_parse_size("3MB", &v)); assert_true(v == 3ull << 20);
    assert_true(folio_parse_size("12345", &v)); assert_true(v == 12345);
    assert_false(folio_parse_size("", &v));
    assert_false(folio_parse_size("G", &v));
    assert_false(folio_parse_size("1T", &v));
    assert_false(folio_parse_size("1.5G", &v));
    assert_false(folio_parse_size("-1M", &v));
    assert_false(folio_parse_size("1Gx", &v));
    assert_false(folio_parse_size("99999999999999999999", &v));
    assert_false(folio_parse_size("99999999999G", &v));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_spool_threads),
        cmocka_unit_test(test_spool_buffered),
        cmocka_unit_test(test_spool_bad_dir),
        cmocka_unit_test(test_parse_size),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
