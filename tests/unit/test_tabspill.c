/* SPDX-License-Identifier: Apache-2.0 */
/* Unit tests: issue 12 part 1 -- tables moved to a mapped work file
 * (src/tabspill.c): the copy equals the table and replaces its pointer,
 * stays equal while a trimmer drops its pages under readers on many
 * threads, grows and is written under the trimmer without losing a byte,
 * is released early, leaves no name in the work directory; and the
 * memory budget's decision (src/membudget.c): default 1 GiB, the fast path
 * when a job fits, the spill above, the floor. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <dirent.h>
#include <fcntl.h>
#include <omp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "membudget.h"
#include "tabspill.h"

static char dir[256];

static int entries(const char *d)
{
    DIR *dp = opendir(d);
    int n = 0;
    struct dirent *e;
    while (dp && (e = readdir(dp)))
        n += strcmp(e->d_name, ".") && strcmp(e->d_name, "..");
    if (dp)
        closedir(dp);
    return n;
}

static int setup(void **state)
{
    (void)state;
    snprintf(dir, sizeof dir, "/tmp/folio-tabspill-%d", (int)getpid());
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    rmdir(dir);
    return 0;
}

static void test_spill_equal_and_trimmed(void **state)
{
    (void)state;
    enum { N = 3 * 1000 * 1000 };         /* 24 MB of uint64 */
    folio_tabspill s;
    tabspill_init(&s, dir);
    folio_error err = {0};
    uint64_t *a = malloc(N * sizeof *a), *b = malloc(100 * sizeof *b);
    assert_non_null(a);
    assert_non_null(b);
    for (size_t i = 0; i < N; i++)
        a[i] = i * 2654435761u;
    for (size_t i = 0; i < 100; i++)
        b[i] = ~i;
    void *pa = a, *pb = b, *pz = NULL;
    assert_true(tabspill_table(&s, &pa, N * sizeof *a, &err));
    assert_true(tabspill_table(&s, &pb, 100 * sizeof *b, &err));
    assert_true(tabspill_table(&s, &pz, 0, &err));    /* nothing to move */
    assert_null(pz);
    assert_true(tabspill_owns(&s, pa) && tabspill_owns(&s, pb));
    assert_int_equal(s.bytes, N * sizeof *a + 100 * sizeof *b);
    assert_int_equal(entries(dir), 0);                     /* the file has no name */
    const uint64_t *ma = pa, *mb = pb;
    assert_true(tabspill_trim_start(&s, 1));
    /* readers on every thread while the trimmer drops the pages */
    long bad = 0;
    for (int round = 0; round < 3; round++) {
#pragma omp parallel for reduction(+ : bad) num_threads(4)
        for (size_t i = 0; i < N; i++)
            bad += ma[i] != i * 2654435761u;
        tabspill_trim(&s);
    }
    for (size_t i = 0; i < 100; i++)
        bad += mb[i] != ~(uint64_t)i;
    assert_int_equal(bad, 0);
    tabspill_close(&s);        /* stops the trimmer before unmapping */
    assert_int_equal(s.bytes, 0);
    assert_false(tabspill_owns(&s, pa));
    assert_int_equal(entries(dir), 0);
}

/* The loader's transaction table: grown in its file (contents kept, the
 * table may move), written while the trimmer drops pages (written pages
 * are kept: shared file pages), released early. */
static void test_spill_grow_write_release(void **state)
{
    (void)state;
    folio_tabspill s;
    tabspill_init(&s, dir);
    folio_error err = {0};
    assert_true(tabspill_trim_start(&s, 1));
    uint32_t *t = NULL;
    size_t cap = 0, n = 0;
    for (int round = 0; round < 40; round++) {
        size_t need = n + 50000;
        size_t nc = cap ? cap : 1024;
        while (nc < need)
            nc += nc / 2 + 1024;
        if (nc > cap) {
            void *p = t;
            assert_true(tabspill_grow(&s, &p, cap * sizeof *t, nc * sizeof *t, &err));
            t = p;
            cap = nc;
        }
        for (; n < need; n++)
            t[n] = (uint32_t)(n * 2654435761u);
        tabspill_trim(&s);
    }
    long bad = 0;
    for (size_t i = 0; i < n; i++)
        bad += t[i] != (uint32_t)(i * 2654435761u);
    assert_int_equal(bad, 0);
    assert_true(s.peak >= n * sizeof *t);
    /* a malloc'ed table moves in on its first growth, contents kept */
    char *m = malloc(10);
    memcpy(m, "abcdefghij", 10);
    void *pm = m;
    assert_true(tabspill_grow(&s, &pm, 10, 1 << 20, &err));
    assert_memory_equal(pm, "abcdefghij", 10);
    assert_true(tabspill_release(&s, t));
    assert_false(tabspill_release(&s, t));      /* not one any more */
    assert_false(tabspill_owns(&s, t));
    assert_true(tabspill_owns(&s, pm));
    tabspill_close(&s);
    assert_int_equal(s.bytes, 0);
    assert_int_equal(entries(dir), 0);
}

/* The string region: blocks handed out from many threads, 16-aligned and
 * disjoint, written and kept across trims; full: NULL (the caller falls
 * back to the heap). */
static void test_spill_region(void **state)
{
    (void)state;
    folio_tabspill s;
    tabspill_init(&s, dir);
    folio_error err = {0};
    assert_null(tabspill_alloc(&s, 16));        /* no region yet */
    assert_true(tabspill_region(&s, (size_t)16 << 20, &err));
    assert_true(tabspill_trim_start(&s, 1));
    enum { K = 2000 };
    static char *blk[K];
#pragma omp parallel for num_threads(4)
    for (int k = 0; k < K; k++) {
        blk[k] = tabspill_alloc(&s, 1000 + (size_t)k % 7);
        if (blk[k])
            memset(blk[k], 'a' + k % 26, 1000);
    }
    tabspill_trim(&s);
    long bad = 0;
    for (int k = 0; k < K; k++) {
        assert_non_null(blk[k]);
        assert_int_equal((uintptr_t)blk[k] & 15, 0);
        for (int j = 0; j < 1000; j++)
            bad += blk[k][j] != 'a' + k % 26;
    }
    assert_int_equal(bad, 0);
    /* round 27: file, offset and mapping length of a block (porder.c reads
     * the texts with pread through them) */
    size_t off = 0, len = 0;
    int fd = tabspill_file_at(&s, blk[K - 1] + 10, &off, &len);
    assert_true(fd >= 0);
    assert_int_equal(len, (size_t)16 << 20);
    assert_true(off >= 10 && off < len);
    char got[990];
    assert_int_equal(pread(fd, got, sizeof got, (off_t)off), (ssize_t)sizeof got);
    assert_memory_equal(got, blk[K - 1] + 10, sizeof got);
    size_t off2 = 0;
    assert_int_equal(tabspill_file_of(&s, blk[K - 1] + 10, &off2), fd);
    assert_int_equal(off2, off);
    assert_int_equal(tabspill_file_at(&s, got, &off, &len), -1);   /* not a work file */
    assert_null(tabspill_alloc(&s, (size_t)16 << 20));   /* more than is left */
    assert_non_null(tabspill_alloc(&s, 100));
    tabspill_close(&s);
    assert_int_equal(s.bytes, 0);
    assert_int_equal(entries(dir), 0);
}

/* Resident pages of this process (/proc/self/statm). */
static long resident_pages(void)
{
    long size = 0, res = 0;
    FILE *f = fopen("/proc/self/statm", "r");
    if (f) {
        if (fscanf(f, "%ld %ld", &size, &res) != 2)
            res = 0;
        fclose(f);
    }
    return res;
}

/* a "Name:  N kB" line of /proc/self/status, in kB */
static long status_kb(const char *name)
{
    char line[256];
    long v = -1;
    FILE *f = fopen("/proc/self/status", "r");
    while (f && fgets(line, sizeof line, f))
        if (!strncmp(line, name, strlen(name)))
            v = strtol(line + strlen(name), NULL, 10);
    if (f)
        fclose(f);
    return v;
}

static void test_spill_resident_dropped(void **state)
{
    (void)state;
    size_t pg = (size_t)sysconf(_SC_PAGESIZE), np = 4096, n = np * pg;   /* 16 MB */
    folio_tabspill s;
    tabspill_init(&s, dir);
    folio_error err = {0};
    char *t = malloc(n);
    assert_non_null(t);
    memset(t, 'x', n);
    void *p = t;
    assert_true(tabspill_table(&s, &p, n, &err));   /* frees t */
    tabspill_trim(&s);                         /* the copy's pages leave the process */
    long r0 = resident_pages();
    volatile const char *m = p;
    size_t sum = 0;
    for (size_t i = 0; i < n; i += pg)
        sum += (size_t)m[i];
    assert_int_equal(sum, np * 'x');
    long r1 = resident_pages();
    assert_true(r1 >= r0 + (long)np - 16);     /* touched: resident */
    tabspill_trim(&s);
    long r2 = resident_pages();
    assert_true(r2 <= r0 + 64);                /* trimmed: gone from the process */
    for (size_t i = 0; i < n; i += pg)         /* and still readable */
        assert_int_equal(m[i], 'x');
    tabspill_close(&s);
}

/* round 22: moving a table into its work file never holds it twice (the
 * copy's pages are dropped as they are written), and tabspill_tick trims
 * on every Nth call from the loop that calls it, not only from a timer */
static void test_spill_move_and_tick(void **state)
{
    (void)state;
    size_t pg = (size_t)sysconf(_SC_PAGESIZE), np = 4096, n = np * pg;   /* 16 MB */
    folio_tabspill s;
    tabspill_init(&s, dir);
    folio_error err = {0};
    char *t = malloc(n);
    assert_non_null(t);
    memset(t, 'y', n);
    long f0 = status_kb("RssFile:");
    void *p = t;
    assert_true(tabspill_table(&s, &p, n, &err));   /* frees t, no trim called */
    long r1 = resident_pages();
    assert_true(status_kb("RssFile:") <= f0 + 256);   /* the copy is not resident */
    volatile const char *m = p;
    size_t sum = 0;
    for (size_t i = 0; i < n; i += pg)
        sum += (size_t)m[i];
    assert_int_equal(sum, np * 'y');
    long r2 = resident_pages();
    assert_true(r2 >= r1 + (long)np - 16);    /* touched: resident */
    for (int k = 0; k < 3; k++)
        tabspill_tick(&s, 4);                 /* calls 1-3 of 4: nothing dropped */
    assert_true(resident_pages() >= r2 - 16);
    tabspill_tick(&s, 4);                     /* the 4th trims */
    assert_true(resident_pages() <= r1 + 64);
    tabspill_tick(NULL, 4);                   /* no tables: nothing to do */
    tabspill_close(&s);
    assert_int_equal(entries(dir), 0);
}

/* round 23: with a high-water mark set, tabspill_tick and the trimmer
 * thread drop pages only while the process's resident memory is at or above
 * it: touched pages stay mapped below the mark (no trim counted), and are
 * dropped once the mark is under the resident size; 0 restores trimming at
 * every tick */
static void test_spill_high_water(void **state)
{
    (void)state;
    size_t pg = (size_t)sysconf(_SC_PAGESIZE), np = 4096, n = np * pg;   /* 16 MB */
    long r = resident_pages();
    assert_true(r > 0);
    uint64_t res = tabspill_resident();         /* statm: the same counter */
    assert_true(res >= (uint64_t)(r - 256) * pg && res <= (uint64_t)(r + 256) * pg);
    folio_tabspill s;
    tabspill_init(&s, dir);
    folio_error err = {0};
    char *t = malloc(n);
    assert_non_null(t);
    memset(t, 'z', n);
    void *p = t;
    assert_true(tabspill_table(&s, &p, n, &err));
    assert_true(tabspill_trim_start(&s, 1));  /* every millisecond, if over the mark */
    tabspill_set_high_water(res + ((uint64_t)1 << 30));   /* far above */
    uint64_t trims0 = __atomic_load_n(&s.trims, __ATOMIC_RELAXED);
    volatile const char *m = p;
    size_t sum = 0;
    for (size_t i = 0; i < n; i += pg)
        sum += (size_t)m[i];
    assert_int_equal(sum, np * 'z');
    long r1 = resident_pages();
    for (int k = 0; k < 64; k++)
        tabspill_tick(&s, 1);                 /* below the mark: nothing dropped */
    usleep(20 * 1000);                        /* nor by the trimmer */
    assert_true(resident_pages() >= r1 - 16);
    assert_int_equal(__atomic_load_n(&s.trims, __ATOMIC_RELAXED), trims0);
    tabspill_set_high_water(tabspill_resident() - (uint64_t)np / 2 * pg);   /* now over it */
    tabspill_tick(&s, 1);
    assert_true(__atomic_load_n(&s.trims, __ATOMIC_RELAXED) > trims0);
    assert_true(resident_pages() <= r1 - (long)np + 64);   /* the table's pages dropped */
    for (size_t i = 0; i < n; i += pg)        /* and still readable */
        assert_int_equal(m[i], 'z');
    tabspill_set_high_water(0);               /* no mark: every tick trims */
    uint64_t trims1 = __atomic_load_n(&s.trims, __ATOMIC_RELAXED);
    tabspill_tick(&s, 1);
    assert_true(__atomic_load_n(&s.trims, __ATOMIC_RELAXED) > trims1);
    tabspill_close(&s);
    assert_int_equal(entries(dir), 0);
}

/* round 23: above the mark the trim goes down to an eighth below it, 16 MiB
 * at a time from a cursor, not the whole table at once: a little above the
 * mark, part of a touched 128 MiB table stays resident */
static void test_spill_trim_partial(void **state)
{
    (void)state;
    size_t pg = (size_t)sysconf(_SC_PAGESIZE), n = (size_t)128 << 20, np = n / pg;
    folio_tabspill s;
    tabspill_init(&s, dir);
    folio_error err = {0};
    void *p = NULL;
    assert_true(tabspill_grow(&s, &p, 0, n, &err));
    memset(p, 'w', n);                          /* all of it resident */
    long r1 = resident_pages();
    uint64_t res = tabspill_resident();
    assert_true(res >= (uint64_t)np * pg);
    /* mark 1 MiB under the resident size: down to mark - mark/8, i.e. at
     * least res/8 - 1 MiB dropped, in 16 MiB steps: at most that + 16 MiB */
    uint64_t hw = res - ((uint64_t)1 << 20);
    tabspill_set_high_water(hw);
    tabspill_tick(&s, 1);
    long dropped = r1 - resident_pages();
    long want = (long)((hw / 8) / pg);
    assert_true(dropped >= want - 64);
    assert_true(dropped <= want + (long)((32u << 20) / pg));
    assert_true(dropped < (long)np - 1024);     /* not the whole table */
    assert_int_equal(((const char *)p)[0], 'w');
    assert_int_equal(((const char *)p)[n - 1], 'w');
    tabspill_set_high_water(0);
    tabspill_close(&s);
    assert_int_equal(entries(dir), 0);
}

/* kB of [map, map + len) resident in this process (/proc/self/smaps: the
 * entries inside the range, however the kernel or valgrind split them) */
static long rss_of(const void *map, size_t len)
{
    char line[512];
    unsigned long lo = (unsigned long)(uintptr_t)map, hi = lo + len;
    FILE *f = fopen("/proc/self/smaps", "r");
    long kb = 0, v;
    bool in = false;
    while (f && fgets(line, sizeof line, f)) {
        unsigned long a, b;
        char c;
        if (sscanf(line, "%lx-%lx%c", &a, &b, &c) == 3 && c == ' ')
            in = a >= lo && b <= hi;
        else if (in && sscanf(line, "Rss: %ld kB", &v) == 1)
            kb += v;
    }
    if (f)
        fclose(f);
    return kb;
}

/* Pages of [p, p + len) present in this process's page table
 * (/proc/self/pagemap, bit 63); -1 when it cannot be read. */
static long present_pages(const void *p, size_t len)
{
    size_t pg = (size_t)sysconf(_SC_PAGESIZE), np = len / pg;
    uint64_t first = (uint64_t)(uintptr_t)p / pg, buf[512];
    int fd = open("/proc/self/pagemap", O_RDONLY);
    long n = 0;
    for (size_t i = 0; fd >= 0 && i < np; i += 512) {
        size_t k = np - i < 512 ? np - i : 512;
        if (pread(fd, buf, k * 8, (off_t)((first + i) * 8)) != (ssize_t)(k * 8)) {
            n = -1;
            break;
        }
        for (size_t j = 0; j < k; j++)
            n += (long)((buf[j] >> 63) & 1);
    }
    if (fd >= 0)
        close(fd);
    return fd < 0 ? -1 : n;
}

/* r-harden (round 25): the kept tables' trim goes on where it stopped.
 * One cursor served both passes of a trim: the first (tables not kept)
 * walked it past the kept table and reset its offset, so every trim
 * began the kept table at byte 0 again -- dropping the pages just read
 * back there while its later pages stayed.  A first trim drops the
 * table not kept and the kept one's first 16 MiB; those are read again;
 * the second trim must take the kept table's next pages, not them. */
static void test_spill_keep_cursor(void **state)
{
    (void)state;
    folio_tabspill s;
    tabspill_init(&s, dir);
    folio_error err = {0};
    void *a = NULL, *b = NULL;
    size_t na = (size_t)16 << 20, nb = (size_t)128 << 20, step = (size_t)16 << 20;
    assert_true(tabspill_grow(&s, &a, 0, na, &err));
    assert_true(tabspill_grow(&s, &b, 0, nb, &err));
    tabspill_keep(&s, b);
    memset(a, 'a', na);
    memset(b, 'b', nb);
    long all = (long)(step / (size_t)sysconf(_SC_PAGESIZE));
    if (present_pages(b, step) < 0) {
        tabspill_close(&s);
        skip();                             /* no pagemap here */
    }
    tabspill_set_high_water(tabspill_resident() - ((uint64_t)1 << 20));
    tabspill_tick(&s, 1);
    tabspill_set_high_water(0);
    assert_true(present_pages(b, step) < all / 10);        /* the first 16 MiB went */
    memset(a, 'A', na);                                     /* read again */
    memset(b, 'B', step);
    assert_true(present_pages(b, step) > all - all / 10);
    tabspill_set_high_water(tabspill_resident() - ((uint64_t)1 << 20));
    tabspill_tick(&s, 1);
    tabspill_set_high_water(0);
    long first = present_pages(b, step), next = present_pages((char *)b + step, step);
    print_message("kept table after the second trim: first 16 MiB %ld of %ld pages, next "
                  "16 MiB %ld\n", first, all, next);
    assert_true(first > all - all / 10);                   /* not dropped again */
    assert_true(next < all / 10);                           /* the cursor went on */
    assert_int_equal(((const char *)b)[0], 'B');
    assert_int_equal(((const char *)b)[step], 'b');
    tabspill_close(&s);
    assert_int_equal(entries(dir), 0);
}

/* round 24: a table marked tabspill_keep (read at random) is trimmed
 * only after every other table: a little over the mark, the table ahead
 * of the cursor (created first) keeps its pages when it is kept, and the
 * other one gives them instead */
static void test_spill_keep(void **state)
{
    (void)state;
    for (int kept = 0; kept < 2; kept++) {
        folio_tabspill s;
        tabspill_init(&s, dir);
        folio_error err = {0};
        void *a = NULL, *b = NULL;
        size_t na = (size_t)32 << 20, nb = (size_t)64 << 20;
        assert_true(tabspill_grow(&s, &a, 0, na, &err));
        assert_true(tabspill_grow(&s, &b, 0, nb, &err));
        if (kept)
            tabspill_keep(&s, a);
        memset(a, 'a', na);
        memset(b, 'b', nb);
        assert_true(rss_of(a, na) >= (long)(na >> 10) - 64);
        uint64_t res = tabspill_resident();
        tabspill_set_high_water(res - ((uint64_t)1 << 20));
        tabspill_tick(&s, 1);
        tabspill_set_high_water(0);
        long ra = rss_of(a, na), rb = rss_of(b, nb);
        if (kept) {
            assert_true(ra >= (long)(na >> 10) - 64);   /* untouched */
            assert_true(rb < (long)(nb >> 10) - 1024);  /* b gave the pages */
        } else {
            assert_true(ra < (long)(na >> 10) - 1024);  /* the cursor's first */
        }
        assert_int_equal(((const char *)a)[0], 'a');
        tabspill_close(&s);
        assert_int_equal(entries(dir), 0);
    }
}

/* round 23: the loader trims as it goes, not only the trimmer thread:
 * over the mark, every 4 MiB handed out of the string region trims */
static void test_spill_alloc_trims(void **state)
{
    (void)state;
    folio_tabspill s;
    tabspill_init(&s, dir);
    folio_error err = {0};
    assert_true(tabspill_region(&s, (size_t)64 << 20, &err));
    tabspill_set_high_water(1);                 /* always over */
    for (int k = 0; k < 3 * 1024; k++) {        /* 12 MiB in 4 KiB strings */
        char *p = tabspill_alloc(&s, 4096);
        assert_non_null(p);
        memset(p, 's', 4096);
    }
    assert_true(__atomic_load_n(&s.trims, __ATOMIC_RELAXED) >= 2);
    tabspill_set_high_water((uint64_t)1 << 62); /* never over */
    uint64_t t0 = __atomic_load_n(&s.trims, __ATOMIC_RELAXED);
    for (int k = 0; k < 3 * 1024; k++)
        assert_non_null(tabspill_alloc(&s, 4096));
    assert_int_equal(__atomic_load_n(&s.trims, __ATOMIC_RELAXED), t0);
    tabspill_set_high_water(0);
    tabspill_close(&s);
    assert_int_equal(entries(dir), 0);
}

/* r-audit (round 24) finding T1: when no sweep can get the resident size
 * under the mark (it is the heap's), the trimming backs off instead of
 * sweeping every table at every tick; once the tables grow resident again
 * (a 16 MiB step), the next request sweeps at once */
static void test_spill_trim_backoff(void **state)
{
    (void)state;
    size_t n = (size_t)32 << 20;
    folio_tabspill s;
    tabspill_init(&s, dir);
    folio_error err = {0};
    void *p = NULL;
    assert_true(tabspill_grow(&s, &p, 0, n, &err));
    memset(p, 'b', n);
    tabspill_set_high_water(1);                 /* always over, never reached */
    uint64_t t0 = __atomic_load_n(&s.trims, __ATOMIC_RELAXED);
    tabspill_tick(&s, 1);
    assert_int_equal(__atomic_load_n(&s.trims, __ATOMIC_RELAXED), t0 + 1);
    for (int k = 0; k < 100; k++)
        tabspill_tick(&s, 1);                   /* nothing touched: backing off */
    uint64_t t1 = __atomic_load_n(&s.trims, __ATOMIC_RELAXED);
    assert_true(t1 >= t0 + 2 && t1 <= t0 + 10);   /* was t0 + 101: a sweep per tick */
    long r0 = resident_pages();
    memset(p, 'c', n);                          /* the table resident again */
    tabspill_tick(&s, 1);
    assert_int_equal(__atomic_load_n(&s.trims, __ATOMIC_RELAXED), t1 + 1);
    assert_true(resident_pages() < r0 + (long)(((size_t)8 << 20) / (size_t)sysconf(_SC_PAGESIZE)));
    assert_int_equal(((const char *)p)[n - 1], 'c');
    tabspill_set_high_water(0);                 /* no mark: every tick trims again */
    tabspill_tick(&s, 1);
    assert_int_equal(__atomic_load_n(&s.trims, __ATOMIC_RELAXED), t1 + 2);
    tabspill_close(&s);
    assert_int_equal(entries(dir), 0);
}

/* round 23: a watched read-only mapping (a spool mapped for a pass) is
 * dropped with the tables; unwatched, it is left alone */
static void test_spill_watch(void **state)
{
    (void)state;
    size_t pg = (size_t)sysconf(_SC_PAGESIZE), n = (size_t)16 << 20, np = n / pg;
    char path[300];
    snprintf(path, sizeof path, "/tmp/folio-tabspill-w-%d", (int)getpid());
    int fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0600);
    assert_true(fd >= 0);
    unlink(path);
    assert_int_equal(ftruncate(fd, (off_t)n), 0);
    const char *m = mmap(NULL, n, PROT_READ, MAP_SHARED, fd, 0);
    assert_true(m != MAP_FAILED);
    folio_tabspill s;
    tabspill_init(&s, dir);
    size_t sum = 0;
    for (size_t i = 0; i < n; i += pg)
        sum += (size_t)((volatile const char *)m)[i];
    assert_int_equal(sum, 0);
    long r1 = resident_pages();
    tabspill_trim(&s);                          /* not watched: stays */
    assert_true(resident_pages() >= r1 - 16);
    tabspill_watch(&s, m, n);
    tabspill_trim(&s);                          /* watched: dropped */
    assert_true(resident_pages() <= r1 - (long)np + 64);
    for (size_t i = 0; i < n; i += pg)
        sum += (size_t)((volatile const char *)m)[i];
    tabspill_unwatch(&s, m);
    r1 = resident_pages();
    tabspill_trim(&s);
    assert_true(resident_pages() >= r1 - 16);   /* unwatched again */
    munmap((void *)m, n);
    close(fd);
    tabspill_close(&s);
}

static void test_spill_bad_dir(void **state)
{
    (void)state;
    folio_tabspill s;
    folio_error err = {0};
    char *t = malloc(16);
    assert_non_null(t);
    memcpy(t, "0123456789abcdef", 16);
    void *p = t;
    tabspill_init(&s, "/proc/self/no/such/dir");
    assert_false(tabspill_table(&s, &p, 16, &err));
    assert_int_equal(err.code, FOLIO_EXIT_FAILED);
    assert_non_null(strstr(err.msg, "cannot create the work directory"));
    assert_ptr_equal(p, t);                    /* the table stays where it was */
    free(t);
    tabspill_close(&s);
}

static void test_budget(void **state)
{
    (void)state;
    folio_job job = {0};                       /* no feeds: BASE only */
    folio_membudget mb;
    folio_error err = {0};
    assert_true(membudget_decide(&job, 0, &mb, &err));
    assert_false(mb.given);
    assert_int_equal(mb.limit, FOLIO_MEMBUDGET_DEFAULT);
    assert_int_equal(mb.limit, (uint64_t)1 << 30);
    assert_false(mb.spill);                    /* a small job: the fast path */
    assert_true(membudget_decide(&job, (uint64_t)49 << 20, &mb, &err));
    assert_true(mb.given);
    assert_false(mb.spill);                    /* 48 MiB fits 49 MiB */
    assert_false(membudget_decide(&job, (uint64_t)48 << 20, &mb, &err));
    assert_int_equal(err.code, FOLIO_EXIT_USAGE);
    assert_non_null(strstr(err.msg, "--memory-limit 48 MiB is below what any run needs"));
    /* a feed of 10 MB: estimate 48 MiB + 15 MB, above 49 MiB -> spill */
    char path[300];
    snprintf(path, sizeof path, "/tmp/folio-budget-%d.csv", (int)getpid());
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    assert_int_equal(fseek(f, 10 * 1000 * 1000 - 1, SEEK_SET), 0);
    fputc('\n', f);
    fclose(f);
    folio_feed_def fd = {.kind = FOLIO_FEED_TRANSACTIONS, .path = path};
    job.feeds = &fd;
    job.n_feeds = 1;
    err = (folio_error){0};
    assert_true(membudget_decide(&job, (uint64_t)49 << 20, &mb, &err));
    assert_true(mb.spill);
    assert_int_equal(mb.feed_bytes, 10 * 1000 * 1000);
    assert_true(mb.estimate_spilled < mb.estimate);
    assert_true(membudget_decide(&job, 0, &mb, &err));
    assert_false(mb.spill);                    /* fits the default */
    unlink(path);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_spill_equal_and_trimmed),
        cmocka_unit_test(test_spill_resident_dropped),
        cmocka_unit_test(test_spill_grow_write_release),
        cmocka_unit_test(test_spill_region),
        cmocka_unit_test(test_spill_bad_dir),
        cmocka_unit_test(test_spill_move_and_tick),
        cmocka_unit_test(test_spill_high_water),
        cmocka_unit_test(test_spill_keep_cursor),   /* r-harden (round 25) */
        cmocka_unit_test(test_spill_trim_partial),
        cmocka_unit_test(test_spill_keep),
        cmocka_unit_test(test_spill_alloc_trims),
        cmocka_unit_test(test_spill_trim_backoff),
        cmocka_unit_test(test_spill_watch),
        cmocka_unit_test(test_budget),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
