/* SPDX-License-Identifier: Apache-2.0 */
/*
 * tabspill.c -- issue 12 part 1: loaded tables moved to a mapped work
 * file, their resident pages trimmed (tabspill.h).
 */
#include "tabspill.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
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

void tabspill_init(folio_tabspill *s)
{
    memset(s, 0, sizeof *s);
    s->fd = -1;
}

static bool open_file(folio_tabspill *s, const char *dir, folio_error *err)
{
    snprintf(s->dir, sizeof s->dir, "%s", dir);
    if (mkdir(dir, 0777) != 0 && errno != EEXIST) {
        folio_error_set(err, FOLIO_EXIT_FAILED, "%s: cannot create the work directory: %s",
                        dir, strerror(errno));
        return false;
    }
#ifdef O_TMPFILE
    s->fd = open(dir, O_TMPFILE | O_RDWR | O_CLOEXEC, 0600);
#endif
    if (s->fd < 0) {                    /* no O_TMPFILE here: a name, unlinked at once */
        char path[4200];
        snprintf(path, sizeof path, "%s/.folio-table-XXXXXX", dir);
        s->fd = mkostemp(path, O_CLOEXEC);
        if (s->fd >= 0)
            unlink(path);
    }
    if (s->fd < 0) {
        folio_error_set(err, FOLIO_EXIT_FAILED, "%s: cannot create a work file: %s", dir,
                        strerror(errno));
        return false;
    }
    return true;
}

bool tabspill_table(folio_tabspill *s, const char *dir, void **table, size_t bytes,
                    folio_error *err)
{
    if (!bytes || !*table)
        return true;
    if (s->n == FOLIO_TABSPILL_MAX) {
        folio_error_set(err, FOLIO_EXIT_FAILED, "internal error: too many spilled tables");
        return false;
    }
    if (s->fd < 0 && !open_file(s, dir, err))
        return false;
    /* each table at a page boundary of the file, so it maps on its own */
    long pg = sysconf(_SC_PAGESIZE);
    uint64_t at = (s->bytes + (uint64_t)pg - 1) / (uint64_t)pg * (uint64_t)pg;
    const char *p = *table;
    for (size_t done = 0; done < bytes;) {
        size_t want = bytes - done > ((size_t)1 << 30) ? (size_t)1 << 30 : bytes - done;
        ssize_t w = pwrite(s->fd, p + done, want, (off_t)(at + done));
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0) {
            folio_error_set(err, FOLIO_EXIT_FAILED, "%s: cannot write a work file: %s",
                            s->dir, w < 0 ? strerror(errno) : "no space");
            return false;
        }
        done += (size_t)w;
    }
    void *m = mmap(NULL, bytes, PROT_READ, MAP_SHARED, s->fd, (off_t)at);
    if (m == MAP_FAILED) {
        folio_error_set(err, FOLIO_EXIT_FAILED, "%s: cannot map a work file: %s", s->dir,
                        strerror(errno));
        return false;
    }
    s->t[s->n].map = m;
    s->t[s->n].len = bytes;
    s->n++;
    s->bytes = at + bytes;
    free(*table);
    *table = m;
    return true;
}

void tabspill_trim(folio_tabspill *s)
{
    /* a clean shared file page dropped here is read again when touched:
     * safe while other threads read the table */
    for (int i = 0; i < s->n; i++)
        madvise(s->t[i].map, s->t[i].len, MADV_DONTNEED);
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
            tabspill_trim(T->s);
    }
    pthread_mutex_unlock(&T->mu);
    return NULL;
}

bool tabspill_trim_start(folio_tabspill *s, unsigned interval_ms)
{
    if (s->trimmer || !s->n)
        return s->trimmer != NULL;
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
    for (int i = 0; i < s->n; i++)
        munmap(s->t[i].map, s->t[i].len);
    s->n = 0;
    if (s->fd >= 0)
        close(s->fd);
    s->fd = -1;
}
