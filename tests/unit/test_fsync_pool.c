/* SPDX-License-Identifier: Apache-2.0 */
/* Unit tests: issue 11 (r-serial) -- fsync-pool.c: every entry synced at
 * once from several threads; the failing entry reported is the first in
 * entry order whatever the thread count; a name that is a symbolic link is
 * not followed; directory entries (no name) and skipped ones (fd -1); a
 * .part written without fsync (folio_write_part_unsynced). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "folio/common.h"
#include "fsync-pool.h"

static char dir[256];
static int dfd = -1;

static int setup(void **state)
{
    (void)state;
    snprintf(dir, sizeof dir, "/tmp/folio-fsync-pool-XXXXXX");
    if (!mkdtemp(dir))
        return -1;
    dfd = open(dir, O_RDONLY | O_DIRECTORY);
    for (int i = 0; i < 40; i++) {
        char p[300];
        snprintf(p, sizeof p, "%s/f%02d", dir, i);
        FILE *f = fopen(p, "w");
        if (!f)
            return -1;
        fprintf(f, "file %d\n", i);
        fclose(f);
    }
    char p[300], t[300];
    snprintf(p, sizeof p, "%s/link", dir);
    snprintf(t, sizeof t, "%s/f00", dir);
    return symlink(t, p) == 0 && dfd >= 0 ? 0 : -1;
}

static int teardown(void **state)
{
    (void)state;
    char cmd[300];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    if (dfd >= 0)
        close(dfd);
    return system(cmd) == 0 ? 0 : -1;
}

static char names[40][24];

static void fill(folio_fsync_entry *v, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        snprintf(names[i], sizeof names[i], "f%02zu", i);
        v[i] = (folio_fsync_entry){.dfd = dfd, .name = names[i], .err = -1};
    }
}

static void test_all_durable(void **state)
{
    (void)state;
    for (int threads = 1; threads <= 16; threads *= 2) {
        folio_fsync_entry v[42];
        fill(v, 40);
        v[40] = (folio_fsync_entry){.dfd = dfd, .err = -1};     /* the directory */
        v[41] = (folio_fsync_entry){.dfd = -1, .err = -1};      /* none: skipped */
        assert_int_equal(folio_fsync_all(v, 42, threads), 42);
        for (int i = 0; i < 42; i++)
            assert_int_equal(v[i].err, 0);
    }
    assert_int_equal(folio_fsync_all(NULL, 0, 4), 0);
}

/* Three failures: the lowest index is reported at every thread count, and
 * every entry was still tried (their own err set). */
static void test_first_failure_wins(void **state)
{
    (void)state;
    for (int threads = 1; threads <= 16; threads *= 2) {
        folio_fsync_entry v[40];
        fill(v, 40);
        v[7].name = "missing-a";
        v[21].name = "link";                   /* O_NOFOLLOW: ELOOP */
        v[33].name = "missing-b";
        assert_int_equal(folio_fsync_all(v, 40, threads), 7);
        assert_int_equal(v[7].err, ENOENT);
        assert_int_equal(v[21].err, ELOOP);
        assert_int_equal(v[33].err, ENOENT);
        assert_int_equal(v[39].err, 0);
        v[7].name = "f07";
        assert_int_equal(folio_fsync_all(v, 40, threads), 21);
    }
}

/* folio_write_part_unsynced: the bytes written, an existing name or a link
 * at the name refused (O_EXCL | O_NOFOLLOW), nothing written through it. */
static void test_write_part(void **state)
{
    (void)state;
    char p[300], buf[64] = "";
    snprintf(p, sizeof p, "%s/new.part", dir);
    folio_error e = {0};
    assert_true(folio_write_part_unsynced(p, "hello\n", 6, &e));
    FILE *f = fopen(p, "r");
    assert_non_null(f);
    assert_int_equal(fread(buf, 1, sizeof buf - 1, f), 6);
    fclose(f);
    assert_string_equal(buf, "hello\n");
    assert_false(folio_write_part_unsynced(p, "again", 5, &e));     /* exists */
    assert_true(e.code != 0);
    snprintf(p, sizeof p, "%s/link", dir);
    folio_error e2 = {0};
    assert_false(folio_write_part_unsynced(p, "x", 1, &e2));        /* a link */
    snprintf(p, sizeof p, "%s/f00", dir);
    f = fopen(p, "r");
    assert_non_null(f);
    memset(buf, 0, sizeof buf);
    assert_true(fread(buf, 1, sizeof buf - 1, f) > 0);
    fclose(f);
    assert_string_equal(buf, "file 0\n");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_all_durable),
        cmocka_unit_test(test_first_failure_wins),
        cmocka_unit_test(test_write_part),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
