/* SPDX-License-Identifier: Apache-2.0 */
/*
 * fsync-pool.c -- fsync many files and directories at once (fsync-pool.h).
 * Plain pthreads, not OpenMP: the threads mostly wait on the device, and
 * an OpenMP team would spin before sleeping.
 */
#include "fsync-pool.h"

#include "folio/common.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <string.h>
#include <unistd.h>

#define FSYNC_POOL_MAX 8

typedef struct pool {
    folio_fsync_entry *v;
    size_t n;
    size_t next;                /* the next entry to take (atomic) */
} pool;

static void sync_one(folio_fsync_entry *e)
{
    e->err = 0;
    if (!e->name) {
        if (e->dfd >= 0 && fsync(e->dfd) != 0)
            e->err = errno ? errno : EIO;
        return;
    }
    int fd = openat(e->dfd, e->name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
    if (fd < 0) {
        e->err = errno ? errno : EIO;
        return;
    }
    if (fsync(fd) != 0)
        e->err = errno ? errno : EIO;
    close(fd);
}

static void *worker(void *arg)
{
    pool *p = arg;
    for (;;) {
        size_t i = __atomic_fetch_add(&p->next, 1, __ATOMIC_RELAXED);
        if (i >= p->n)
            break;
        sync_one(&p->v[i]);
    }
    return NULL;
}

size_t folio_fsync_all(folio_fsync_entry *v, size_t n, int threads)
{
    pool p = {.v = v, .n = n};
    if (threads > FSYNC_POOL_MAX)
        threads = FSYNC_POOL_MAX;
    if ((size_t)threads > n)
        threads = (int)n;
    pthread_t th[FSYNC_POOL_MAX];
    int started = 0;
    for (int t = 1; t < threads; t++)   /* the caller is one of them */
        if (pthread_create(&th[started], NULL, worker, &p) == 0)
            started++;
    worker(&p);
    for (int t = 0; t < started; t++)
        pthread_join(th[t], NULL);
    for (size_t i = 0; i < n; i++)
        if (v[i].err)
            return i;
    return n;
}

bool folio_write_part_unsynced(const char *path, const void *data, size_t n,
                               folio_error *err)
{
    folio_afile f;
    if (!folio_afile_open_excl(&f, path, err))
        return false;
    folio_afile_write(&f, data, n);
    if (f.err.code) {
        *err = f.err;
        folio_afile_abort(&f);
        return false;
    }
    int fd = f.fd;
    f.fd = -1;
    if (close(fd) != 0) {
        folio_error_set(err, FOLIO_EXIT_FAILED, "%s: write failed: %s", path, strerror(errno));
        unlink(path);
        return false;
    }
    return true;
}
