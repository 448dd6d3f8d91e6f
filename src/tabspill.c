/* SPDX-License-Identifier: Apache-2.0 */
/*
 * tabspill.c -- issue 12 part 1: tables in mapped work files, their
 * resident pages trimmed (tabspill.h).
 */
#include "tabspill.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

typedef struct trimmer {
    folio_tabspill *s;
    pthread_t thread;
    pthread_mutex_t mu;
    pthread_cond_t cv;
    bool stop;
    unsigned interval_ms;
} trimmer;

void tabspill_init(folio_tabspill *s, const char *dir)
{
    memset(s, 0, sizeof *s);
    snprintf(s->dir, sizeof s->dir, "%s", dir ? dir : ".");
    for (int i = 0; i < FOLIO_TABSPILL_MAX; i++)
        s->t[i].fd = -1;
    s->region = -1;
    pthread_mutex_init(&s->mu, NULL);
}

static int open_file(const char *dir, folio_error *err)
{
    if (mkdir(dir, 0777) != 0 && errno != EEXIST) {
        folio_error_set(err, FOLIO_EXIT_FAILED, "%s: cannot create the work directory: %s",
                        dir, strerror(errno));
        return -1;
    }
    int fd = -1;
#ifdef O_TMPFILE
    fd = open(dir, O_TMPFILE | O_RDWR | O_CLOEXEC, 0600);
#endif
    if (fd < 0) {                       /* no O_TMPFILE here: a name, unlinked at once */
        char path[4200];
        snprintf(path, sizeof path, "%s/.folio-table-XXXXXX", dir);
        fd = mkostemp(path, O_CLOEXEC);
        if (fd >= 0)
            unlink(path);
    }
    if (fd < 0)
        folio_error_set(err, FOLIO_EXIT_FAILED, "%s: cannot create a work file: %s", dir,
                        strerror(errno));
    return fd;
}

static int slot_of(const folio_tabspill *s, const void *p)
{
    for (int i = 0; p && i < FOLIO_TABSPILL_MAX; i++)
        if (s->t[i].fd >= 0 && s->t[i].map == p)
            return i;
    return -1;
}

static bool size_file(folio_tabspill *s, int fd, size_t bytes, folio_error *err)
{
    /* posix_fallocate: a full disk fails here, not as SIGBUS on a write */
    int rc = posix_fallocate(fd, 0, (off_t)bytes);
    if (rc == EOPNOTSUPP || rc == EINVAL)
        rc = ftruncate(fd, (off_t)bytes) == 0 ? 0 : errno;
    if (rc) {
        folio_error_set(err, FOLIO_EXIT_FAILED, "%s: cannot write a work file: %s", s->dir,
                        strerror(rc));
        return false;
    }
    return true;
}

static void trim_if_over(folio_tabspill *s);
static void drop_watched(folio_tabspill *s);

static void account(folio_tabspill *s, int64_t delta)
{
    s->bytes += (uint64_t)delta;
    if (s->bytes > s->peak)
        s->peak = s->bytes;
}

bool tabspill_grow(folio_tabspill *s, void **table, size_t old_bytes, size_t bytes,
                   folio_error *err)
{
    pthread_mutex_lock(&s->mu);
    bool ok = false;
    int i = slot_of(s, *table);
    if (i >= 0) {                       /* ours: grow the file and the mapping */
        if (bytes <= s->t[i].len) {
            ok = true;
            goto out;
        }
        if (!size_file(s, s->t[i].fd, bytes, err))
            goto out;
        void *m = mremap(s->t[i].map, s->t[i].len, bytes, MREMAP_MAYMOVE);
        if (m == MAP_FAILED) {
            folio_error_set(err, FOLIO_EXIT_FAILED, "%s: cannot map a work file: %s", s->dir,
                            strerror(errno));
            goto out;
        }
        account(s, (int64_t)(bytes - s->t[i].len));
        s->t[i].map = m;
        s->t[i].len = bytes;
        *table = m;
        pthread_mutex_unlock(&s->mu);
        trim_if_over(s);    /* round 23: a growing table trims too (over the mark) */
        return true;
    }
    for (i = 0; i < FOLIO_TABSPILL_MAX && s->t[i].fd >= 0; i++)
        ;
    if (i == FOLIO_TABSPILL_MAX) {
        folio_error_set(err, FOLIO_EXIT_FAILED, "internal error: too many spilled tables");
        goto out;
    }
    if (!bytes) {
        ok = true;
        goto out;
    }
    int fd = open_file(s->dir, err);
    if (fd < 0)
        goto out;
    if (!size_file(s, fd, bytes, err)) {
        close(fd);
        goto out;
    }
    void *m = mmap(NULL, bytes, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
    if (m == MAP_FAILED) {
        folio_error_set(err, FOLIO_EXIT_FAILED, "%s: cannot map a work file: %s", s->dir,
                        strerror(errno));
        close(fd);
        goto out;
    }
    if (*table && old_bytes) {
        /* in steps, each dropped once copied: moving a table never holds
         * it twice in resident memory (the copy stays in the page cache) */
        size_t n = old_bytes < bytes ? old_bytes : bytes, step = (size_t)4 << 20;
        for (size_t o = 0; o < n; o += step) {
            size_t k = n - o < step ? n - o : step;
            memcpy((char *)m + o, (const char *)*table + o, k);
            size_t a = o & ~(size_t)4095;
            madvise((char *)m + a, (o + k - a) & ~(size_t)4095, MADV_DONTNEED);
        }
    }
    free(*table);
    s->t[i].map = m;
    s->t[i].len = bytes;
    s->t[i].fd = fd;
    account(s, (int64_t)bytes);
    *table = m;
    ok = true;
out:
    pthread_mutex_unlock(&s->mu);
    return ok;
}

bool tabspill_table(folio_tabspill *s, void **table, size_t bytes, folio_error *err)
{
    if (!bytes || !*table)
        return true;
    return tabspill_grow(s, table, bytes, bytes, err);
}

bool tabspill_owns(folio_tabspill *s, const void *p)
{
    pthread_mutex_lock(&s->mu);
    bool r = slot_of(s, p) >= 0;
    pthread_mutex_unlock(&s->mu);
    return r;
}

/* issue 12 part 1 (round 24): see tabspill.h */
int tabspill_file_at(folio_tabspill *s, const void *p, size_t *off, size_t *len)
{
    int fd = -1;
    pthread_mutex_lock(&s->mu);
    for (int i = 0; p && i < FOLIO_TABSPILL_MAX; i++) {
        const char *m = s->t[i].map;
        if (s->t[i].fd >= 0 && m && (const char *)p >= m && (const char *)p < m + s->t[i].len) {
            fd = s->t[i].fd;
            *off = (size_t)((const char *)p - m);
            *len = s->t[i].len;
            break;
        }
    }
    pthread_mutex_unlock(&s->mu);
    return fd;
}

int tabspill_file_of(folio_tabspill *s, const void *p, size_t *off)
{
    size_t len;
    return tabspill_file_at(s, p, off, &len);
}

bool tabspill_region(folio_tabspill *s, size_t reserve, folio_error *err)
{
    pthread_mutex_lock(&s->mu);
    bool ok = false;
    int i;
    for (i = 0; i < FOLIO_TABSPILL_MAX && s->t[i].fd >= 0; i++)
        ;
    if (s->region >= 0 || i == FOLIO_TABSPILL_MAX || !reserve) {
        ok = s->region >= 0 || !reserve;
        goto out;
    }
    int fd = open_file(s->dir, err);
    if (fd < 0)
        goto out;
    if (ftruncate(fd, (off_t)reserve) != 0) {           /* sparse: no disk yet */
        folio_error_set(err, FOLIO_EXIT_FAILED, "%s: cannot write a work file: %s", s->dir,
                        strerror(errno));
        close(fd);
        goto out;
    }
    void *m = mmap(NULL, reserve, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_NORESERVE, fd, 0);
    if (m == MAP_FAILED) {
        folio_error_set(err, FOLIO_EXIT_FAILED, "%s: cannot map a work file: %s", s->dir,
                        strerror(errno));
        close(fd);
        goto out;
    }
    s->t[i].map = m;
    s->t[i].len = reserve;
    s->t[i].fd = fd;
    s->region = i;
    s->r_used = s->r_ready = 0;
    ok = true;
out:
    pthread_mutex_unlock(&s->mu);
    return ok;
}

void *tabspill_alloc(folio_tabspill *s, size_t n)
{
    n = (n + 15) & ~(size_t)15;
    pthread_mutex_lock(&s->mu);
    void *p = NULL;
    if (s->region < 0 || n > s->t[s->region].len - s->r_used)
        goto out;
    if (s->r_used + n > s->r_ready) {   /* disk for the next steps of 4 MiB */
        size_t want = s->r_used + n - s->r_ready;
        size_t step = want > ((size_t)4 << 20) ? want : (size_t)4 << 20;
        if (step > s->t[s->region].len - s->r_ready)
            step = s->t[s->region].len - s->r_ready;
        if (posix_fallocate(s->t[s->region].fd, (off_t)s->r_ready, (off_t)step) != 0)
            goto out;
        s->r_ready += step;
    }
    p = (char *)s->t[s->region].map + s->r_used;
    s->r_used += n;
    account(s, (int64_t)n);
    bool step = (s->r_used - n) >> 22 != s->r_used >> 22;
    pthread_mutex_unlock(&s->mu);
    if (step)       /* round 23: every 4 MiB of strings, the loader trims too (over the mark) */
        trim_if_over(s);
    return p;
out:
    pthread_mutex_unlock(&s->mu);
    return p;
}

static void release_slot(folio_tabspill *s, int i)
{
    munmap(s->t[i].map, s->t[i].len);
    close(s->t[i].fd);
    account(s, -(int64_t)(i == s->region ? s->r_used : s->t[i].len));
    if (i == s->region)
        s->region = -1;
    s->t[i].map = NULL;
    s->t[i].len = 0;
    s->t[i].fd = -1;
    s->keep[i] = 0;
}

/* issue 12 part 1 (round 24): see tabspill.h */
void tabspill_keep(folio_tabspill *s, const void *p)
{
    pthread_mutex_lock(&s->mu);
    int i = slot_of(s, p);
    if (i >= 0)
        s->keep[i] = 1;
    pthread_mutex_unlock(&s->mu);
}

bool tabspill_release(folio_tabspill *s, void *p)
{
    pthread_mutex_lock(&s->mu);
    int i = slot_of(s, p);
    if (i >= 0)
        release_slot(s, i);
    pthread_mutex_unlock(&s->mu);
    return i >= 0;
}

/* issue 12 part 1 (round 23): trimming by resident size.  The mark is
 * process-wide (resident memory is); 0 means no mark: every request trims. */
static uint64_t high_water;             /* bytes, atomic */
static int statm_fd = -1;
static pthread_once_t statm_once = PTHREAD_ONCE_INIT;

static void statm_open(void)
{
    statm_fd = open("/proc/self/statm", O_RDONLY | O_CLOEXEC);
}

void tabspill_set_high_water(uint64_t bytes)
{
    __atomic_store_n(&high_water, bytes, __ATOMIC_RELAXED);
}

uint64_t tabspill_resident(void)
{
    /* statm's second field: resident pages (anonymous + file + shmem), from
     * the mm counters -- O(1), a few microseconds whatever the mappings */
    pthread_once(&statm_once, statm_open);
    char buf[128];
    ssize_t n = statm_fd >= 0 ? pread(statm_fd, buf, sizeof buf - 1, 0) : -1;
    if (n <= 0)
        return 0;
    buf[n] = 0;
    unsigned long long size, res;
    if (sscanf(buf, "%llu %llu", &size, &res) != 2)
        return 0;
    return (uint64_t)res * (uint64_t)sysconf(_SC_PAGESIZE);
}

bool tabspill_over_high_water(void)
{
    uint64_t hw = __atomic_load_n(&high_water, __ATOMIC_RELAXED);
    if (!hw)
        return true;
    uint64_t r = tabspill_resident();
    return r == 0 || r >= hw;           /* unknown: trim, as without a mark */
}

void tabspill_trim(folio_tabspill *s)
{
    __atomic_add_fetch(&s->trims, 1, __ATOMIC_RELAXED);
    /* a page of a shared file mapping dropped here is mapped again from the
     * page cache when touched (written pages too): safe while other threads
     * read and write the tables; the lock keeps a table from moving */
    pthread_mutex_lock(&s->mu);
    drop_watched(s);
    for (int i = 0; i < FOLIO_TABSPILL_MAX; i++)
        if (s->t[i].fd >= 0) {
            size_t len = s->t[i].len;
            if (i == s->region)         /* only what was handed out was touched */
            {
                size_t used = (s->r_used + 4095) & ~(size_t)4095;
                len = used < len ? used : len;
            }
            if (len)
                madvise(s->t[i].map, len, MADV_DONTNEED);
        }
    pthread_mutex_unlock(&s->mu);
}

/* The clock: drop TRIM_STEP bytes of the tables at the cursor and move it
 * on (table after table, wrapping), until the resident size is below low or
 * the cursor went round once.  What the loops touched last is what the
 * cursor reaches last; a table read in order (the records, the print
 * loop) is dropped behind the reader. */
#define TRIM_STEP ((size_t)16 << 20)

static size_t slot_len(const folio_tabspill *s, int i)
{
    if (s->t[i].fd < 0)
        return 0;
    if (i != s->region)
        return s->t[i].len;
    size_t used = (s->r_used + 4095) & ~(size_t)4095;   /* only that was touched */
    return used < s->t[i].len ? used : s->t[i].len;
}

static void drop_watched(folio_tabspill *s)
{
    for (int i = 0; i < 4; i++)
        if (s->w[i].map)
            madvise((void *)s->w[i].map, s->w[i].len, MADV_DONTNEED);
}

void tabspill_watch(folio_tabspill *s, const void *map, size_t len)
{
    pthread_mutex_lock(&s->mu);
    for (int i = 0; i < 4 && map && len; i++)
        if (!s->w[i].map) {
            s->w[i].map = map;
            s->w[i].len = len & ~(size_t)4095;  /* whole pages: the last one stays */
            break;
        }
    pthread_mutex_unlock(&s->mu);
}

void tabspill_unwatch(folio_tabspill *s, const void *map)
{
    pthread_mutex_lock(&s->mu);
    for (int i = 0; i < 4 && map; i++)
        if (s->w[i].map == map)
            s->w[i].map = NULL;
    pthread_mutex_unlock(&s->mu);
}

static void trim_down(folio_tabspill *s, uint64_t low, uint64_t res)
{
    pthread_mutex_lock(&s->mu);
    /* r-audit (round 24) finding T1: the last sweep went round every table
     * and the resident size stayed over the mark (it is the heap's, not the
     * tables'): sweeping again at every tick, growth and trimmer wake-up
     * re-read statm and re-dropped pages for nothing.  Back off: skip
     * 1, 2, 4 .. 64 requests, unless the resident size grew a step since --
     * what the tables touched meanwhile is then dropped. */
    /* round 26: "grew a step" is at most a sixteenth of the mark (under a
     * small budget, 49 MiB, 16 MiB of growth was a third of it), at least
     * 1 MiB (a mark of a few bytes: the resident size moves by pages) */
    uint64_t hw = __atomic_load_n(&high_water, __ATOMIC_RELAXED);
    uint64_t grew = hw && hw / 16 < TRIM_STEP ? hw / 16 : TRIM_STEP;
    if (grew < ((uint64_t)1 << 20))
        grew = (uint64_t)1 << 20;
    if (s->bo_left && res < s->bo_res + grew) {
        s->bo_left--;
        drop_watched(s);                /* the spools' and inputs' pages still go */
        pthread_mutex_unlock(&s->mu);
        return;
    }
    int empty = 0;
    __atomic_add_fetch(&s->trims, 1, __ATOMIC_RELAXED);
    drop_watched(s);
    /* round 24: first the tables not kept (tabspill_keep), then all */
    for (int all = 0; all < 2; all++) {
        size_t total = 0;
        for (int i = 0; i < FOLIO_TABSPILL_MAX; i++)
            total += all || !s->keep[i] ? slot_len(s, i) : 0;
        /* r-harden (round 25): one cursor per pass.  With one, the first
         * pass walked it past the kept tables and reset its offset, so
         * the second always began a kept table at byte 0 again: its
         * first pages (often the ones read last) dropped at every trim,
         * its last ones never -- a cost (refaults), not a wrong byte:
         * the tables are shared file mappings */
        int *cs = all ? &s->k_slot : &s->c_slot;
        size_t *co = all ? &s->k_off : &s->c_off;
        for (size_t swept = 0; swept < total;) {
            int i = *cs;
            size_t len = i >= 0 && i < FOLIO_TABSPILL_MAX && (all || !s->keep[i])
                         ? slot_len(s, i) : 0;
            if (*co >= len) {           /* the next table */
                *cs = i + 1 < FOLIO_TABSPILL_MAX ? i + 1 : 0;
                *co = 0;
                continue;
            }
            size_t k = len - *co < TRIM_STEP ? len - *co : TRIM_STEP;
            madvise((char *)s->t[i].map + *co, k, MADV_DONTNEED);
            *co += k;
            swept += k;
            uint64_t r = tabspill_resident();
            if (r && r < low)
                goto out;
        }
        if (!total)
            empty++;
    }
    /* finding T1: the backoff, see above -- no sweep got under the mark
     * (no tables at all: nothing to back off from) */
    if (empty < 2) {
        s->bo_skip = s->bo_skip ? (s->bo_skip < 64 ? 2 * s->bo_skip : 64) : 1;
        s->bo_left = s->bo_skip;
        s->bo_res = tabspill_resident();
    } else {
        s->bo_skip = s->bo_left = 0;
    }
    pthread_mutex_unlock(&s->mu);
    return;
out:                                    /* finding T1: got under the mark: no backoff */
    s->bo_skip = s->bo_left = 0;
    pthread_mutex_unlock(&s->mu);
}

static void trim_if_over(folio_tabspill *s)
{
    uint64_t hw = __atomic_load_n(&high_water, __ATOMIC_RELAXED);
    if (!hw) {
        tabspill_trim(s);               /* no mark: everything, every time */
        return;
    }
    uint64_t r = tabspill_resident();
    if (!r)
        tabspill_trim(s);               /* unknown: as without a mark */
    else if (r >= hw) {
        /* an eighth below the mark; and twice as far again as the resident
         * size went over it since the last check (a loop without ticks
         * outran the trimmer thread: 1,000,000 households, VmHWM 1059 MiB
         * at the end of plan with the eighth alone) */
        uint64_t low = hw - hw / 8, over = 2 * (r - hw);
        trim_down(s, over < low ? low - over : 1, r);
    }
}

void tabspill_tick(folio_tabspill *s, unsigned every)
{
    if (!s)
        return;
    folio_test_stop_stall(false);            /* r-harden: a test hook, nothing without it */
    uint64_t n = __atomic_add_fetch(&s->ticks, 1, __ATOMIC_RELAXED);
    if (every <= 1 || n % every == 0)
        trim_if_over(s);
}

static void *trim_main(void *arg)
{
    trimmer *T = arg;
    pthread_mutex_lock(&T->mu);
    while (!T->stop) {
        struct timespec ts;
        clock_gettime(CLOCK_REALTIME, &ts);
        ts.tv_nsec += (long)T->interval_ms * 1000000L;
        ts.tv_sec += ts.tv_nsec / 1000000000L;
        ts.tv_nsec %= 1000000000L;
        pthread_cond_timedwait(&T->cv, &T->mu, &ts);
        if (!T->stop)
            trim_if_over(T->s);
    }
    pthread_mutex_unlock(&T->mu);
    return NULL;
}

bool tabspill_trim_start(folio_tabspill *s, unsigned interval_ms)
{
    if (s->trimmer)
        return true;
    trimmer *T = calloc(1, sizeof *T);
    if (!T)
        return false;
    T->s = s;
    T->interval_ms = interval_ms ? interval_ms : 1;
    pthread_mutex_init(&T->mu, NULL);
    pthread_cond_init(&T->cv, NULL);
    if (pthread_create(&T->thread, NULL, trim_main, T) != 0) {
        pthread_mutex_destroy(&T->mu);
        pthread_cond_destroy(&T->cv);
        free(T);
        return false;
    }
    s->trimmer = T;
    return true;
}

void tabspill_close(folio_tabspill *s)
{
    trimmer *T = s->trimmer;
    if (T) {
        pthread_mutex_lock(&T->mu);
        T->stop = true;
        pthread_cond_signal(&T->cv);
        pthread_mutex_unlock(&T->mu);
        pthread_join(T->thread, NULL);
        pthread_mutex_destroy(&T->mu);
        pthread_cond_destroy(&T->cv);
        free(T);
        s->trimmer = NULL;
    }
    pthread_mutex_lock(&s->mu);
    for (int i = 0; i < FOLIO_TABSPILL_MAX; i++)
        if (s->t[i].fd >= 0)
            release_slot(s, i);
    pthread_mutex_unlock(&s->mu);
}
