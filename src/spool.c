/* SPDX-License-Identifier: Apache-2.0 */
/*
 * spool.c -- issue 12 part 1: a run's end-of-run records in a file
 * (spool.h).
 */
#include "spool.h"
#include "tabspill.h"

#include <errno.h>
#include <fcntl.h>
#include <omp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/uio.h>   /* issue 11 (r-serial): pwritev */
#include <unistd.h>

bool spool_open(folio_spool *s, const char *dir, size_t n, folio_error *err)
{
    memset(s, 0, sizeof *s);
    s->fd = -1;
    snprintf(s->dir, sizeof s->dir, "%s", dir);
    if (mkdir(dir, 0777) != 0 && errno != EEXIST) {
        folio_error_set(err, FOLIO_EXIT_FAILED, "%s: cannot create the work directory: %s",
                        dir, strerror(errno));
        return false;
    }
    s->off = malloc((n ? n : 1) * sizeof *s->off);
    s->len = calloc(n ? n : 1, sizeof *s->len);
    if (!s->off || !s->len) {
        folio_error_set(err, FOLIO_EXIT_FAILED, "out of memory");
        return false;
    }
    for (size_t i = 0; i < n; i++)
        s->off[i] = UINT64_MAX;
    s->n = n;
#ifdef O_TMPFILE
    s->fd = open(dir, O_TMPFILE | O_RDWR | O_CLOEXEC, 0600);
#endif
    if (s->fd < 0) {                    /* no O_TMPFILE here: a name, unlinked at once */
        char path[4200];
        snprintf(path, sizeof path, "%s/.folio-spool-XXXXXX", dir);
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

/* ---- issue 11 (r-spool): a buffer per team thread ------------------------ */

#define SPOOL_WBUFS 64                  /* team thread numbers with a buffer */

typedef struct spool_wrec {
    size_t i;                           /* the record */
    uint32_t at, len;                   /* in the buffer; len with its NUL */
} spool_wrec;

typedef struct spool_wbuf {
    uintptr_t owner;                    /* its thread (&spool_me), 0 = free; atomic */
    char *data;                         /* SPOOL_WBUF bytes, or NULL */
    size_t used;
    spool_wrec *rec;
    size_t n_rec, cap_rec;
    char *room;                         /* spool_room's answer, for spool_commit */
} spool_wbuf;

static _Thread_local char spool_me;     /* its address names the thread */

bool spool_buffered(folio_spool *s, folio_error *err)
{
    if (s->wb)
        return true;
    s->wb = calloc(SPOOL_WBUFS, sizeof *s->wb);
    if (!s->wb) {
        folio_error_set(err, FOLIO_EXIT_FAILED, "out of memory");
        return false;
    }
    return true;
}

/* pwrite all of p[0..n) at offset at */
static bool write_at(folio_spool *s, const char *p, size_t n, uint64_t at, folio_error *err)
{
    size_t done = 0;
    while (done < n) {
        ssize_t w = pwrite(s->fd, p + done, n - done, (off_t)(at + done));
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0) {
            folio_error_set(err, FOLIO_EXIT_FAILED, "%s: cannot write a work file: %s",
                            s->dir, w < 0 ? strerror(errno) : "no space");
            return false;
        }
        done += (size_t)w;
    }
    return true;
}

/* Write buffer w's records (its owner, or spool_flush) and empty it. */
static bool wbuf_write(folio_spool *s, spool_wbuf *w, folio_error *err)
{
    if (!w->n_rec)
        return true;
    uint64_t at = __atomic_fetch_add(&s->end, (uint64_t)w->used, __ATOMIC_RELAXED);
    if (!write_at(s, w->data, w->used, at, err))
        return false;
    for (size_t k = 0; k < w->n_rec; k++) {   /* in put order: a rewrite wins */
        s->off[w->rec[k].i] = at + w->rec[k].at;
        s->len[w->rec[k].i] = w->rec[k].len;
    }
    __atomic_sub_fetch(&s->n_buffered, (uint64_t)w->n_rec, __ATOMIC_RELAXED);
    w->used = 0;
    w->n_rec = 0;
    return true;
}

/* The calling thread's buffer with room for n bytes and one more record,
 * or NULL: *failed with err when writing the full buffer failed. */
static spool_wbuf *wbuf_for(folio_spool *s, size_t n, bool *failed, folio_error *err)
{
    *failed = false;
    if (!s->wb || n > SPOOL_WBUF)
        return NULL;
    int t = omp_get_thread_num();
    if (t < 0 || t >= SPOOL_WBUFS)
        return NULL;
    spool_wbuf *w = &s->wb[t];
    uintptr_t me = (uintptr_t)&spool_me, owner = 0;
    if (!__atomic_compare_exchange_n(&w->owner, &owner, me, false, __ATOMIC_ACQUIRE,
                                     __ATOMIC_RELAXED) && owner != me)
        return NULL;                    /* another thread's */
    if (!w->data) {
        /* mapped, not from malloc: unmapped by spool_flush, so a buffer
         * a worker thread had (its own malloc arena, which the main
         * thread does not reuse) does not stay in the run's peak RSS */
        void *m = mmap(NULL, SPOOL_WBUF, PROT_READ | PROT_WRITE,
                       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
        if (m == MAP_FAILED)
            return NULL;                /* written directly instead */
        w->data = m;
    }
    if (w->n_rec == w->cap_rec) {
        size_t nc = w->cap_rec ? 2 * w->cap_rec : 1024;
        spool_wrec *r = realloc(w->rec, nc * sizeof *r);
        if (!r)
            return NULL;
        w->rec = r;
        w->cap_rec = nc;
    }
    if (SPOOL_WBUF - w->used < n && !wbuf_write(s, w, err)) {
        *failed = true;
        return NULL;
    }
    return w;
}

static void wbuf_add(folio_spool *s, spool_wbuf *w, size_t i, size_t len)
{
    w->data[w->used + len] = 0;
    w->rec[w->n_rec++] = (spool_wrec){.i = i, .at = (uint32_t)w->used,
                                      .len = (uint32_t)len + 1};
    w->used += len + 1;
    __atomic_add_fetch(&s->n_buffered, 1, __ATOMIC_RELAXED);
}

char *spool_room(folio_spool *s, size_t bound, bool *failed, folio_error *err)
{
    spool_wbuf *w = bound < SPOOL_WBUF ? wbuf_for(s, bound + 1, failed, err) : NULL;
    if (!w)
        return NULL;
    return w->room = w->data + w->used;
}

void spool_commit(folio_spool *s, size_t i, size_t len)
{
    spool_wbuf *w = &s->wb[omp_get_thread_num()];   /* spool_room's */
    wbuf_add(s, w, i, len);
    w->room = NULL;
}

bool spool_flush(folio_spool *s, folio_error *err)
{
    bool ok = true;
    for (int t = 0; s->wb && t < SPOOL_WBUFS; t++) {
        spool_wbuf *w = &s->wb[t];
        if (ok && !wbuf_write(s, w, err))
            ok = false;
        if (w->data)
            munmap(w->data, SPOOL_WBUF);
        free(w->rec);
        memset(w, 0, sizeof *w);        /* free for any thread again */
    }
    return ok;
}

/* A read of a spool with records still in buffers: the caller forgot
 * spool_flush (a bug, never a missing record). */
static bool unflushed(const folio_spool *s, folio_error *err)
{
    if (!__atomic_load_n(&s->n_buffered, __ATOMIC_RELAXED))
        return false;
    folio_error_set(err, FOLIO_EXIT_FAILED, "internal error: %s: a work file read before "
                    "its records were written", s->dir);
    return true;
}

bool spool_put(folio_spool *s, size_t i, const char *text, size_t len, folio_error *err)
{
    if (i >= s->n || len >= UINT32_MAX) {
        folio_error_set(err, FOLIO_EXIT_FAILED, "internal error: spool record %zu", i);
        return false;
    }
    if (s->wb) {                        /* issue 11 (r-spool) */
        bool failed = false;
        spool_wbuf *w = wbuf_for(s, len + 1, &failed, err);
        if (failed)
            return false;
        if (w) {
            memcpy(w->data + w->used, text, len);
            wbuf_add(s, w, i, len);
            return true;
        }
    }
    uint64_t at = __atomic_fetch_add(&s->end, (uint64_t)len + 1, __ATOMIC_RELAXED);
    char nul = 0;
    size_t done = 0;
    while (done < len + 1) {
        /* issue 11 (r-serial): the text and its NUL in one system call (was
         * two pwrite calls per record: ~5 puts per household in a run) */
        struct iovec iov[2] = {{.iov_base = (char *)text + done, .iov_len = len - done},
                               {.iov_base = &nul, .iov_len = 1}};
        int k = done < len ? 0 : 1;
        ssize_t w = pwritev(s->fd, iov + k, 2 - k, (off_t)(at + done));
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0) {
            folio_error_set(err, FOLIO_EXIT_FAILED, "%s: cannot write a work file: %s",
                            s->dir, w < 0 ? strerror(errno) : "no space");
            return false;
        }
        done += (size_t)w;
    }
    s->off[i] = at;
    s->len[i] = (uint32_t)len + 1;
    return true;
}

bool spool_has(const folio_spool *s, size_t i)
{
    return i < s->n && s->off[i] != UINT64_MAX;
}

const char *spool_get(const folio_spool *s, size_t i, char **buf, size_t *cap,
                      bool *failed, folio_error *err)
{
    if (unflushed(s, err)) {            /* issue 11 (r-spool) */
        *failed = true;
        return NULL;
    }
    if (!spool_has(s, i))
        return NULL;
    size_t len = s->len[i];
    if (*cap < len) {
        size_t nc = *cap ? *cap : 4096;
        while (nc < len)
            nc *= 2;
        char *p = realloc(*buf, nc);
        if (!p) {
            *failed = true;
            folio_error_set(err, FOLIO_EXIT_FAILED, "out of memory");
            return NULL;
        }
        *buf = p;
        *cap = nc;
    }
    size_t done = 0;
    while (done < len) {
        ssize_t r = pread(s->fd, *buf + done, len - done, (off_t)(s->off[i] + done));
        if (r < 0 && errno == EINTR)
            continue;
        if (r <= 0) {
            *failed = true;
            folio_error_set(err, FOLIO_EXIT_FAILED, "%s: cannot read a work file: %s", s->dir,
                            r < 0 ? strerror(errno) : "short file");
            return NULL;
        }
        done += (size_t)r;
    }
    (*buf)[len - 1] = 0;
    return *buf;
}

bool spool_map(folio_spool *s, folio_error *err)
{
    spool_unmap(s);
    if (unflushed(s, err))              /* issue 11 (r-spool) */
        return false;
    if (!s->end)
        return true;
    void *p = mmap(NULL, (size_t)s->end, PROT_READ, MAP_SHARED, s->fd, 0);
    if (p == MAP_FAILED) {
        folio_error_set(err, FOLIO_EXIT_FAILED, "%s: cannot map a work file: %s", s->dir,
                        strerror(errno));
        return false;
    }
    s->map = p;
    s->map_len = (size_t)s->end;
    if (s->trim)
        tabspill_watch(s->trim, p, s->map_len);
    return true;
}

const char *spool_at(const folio_spool *s, size_t i)
{
    return s->map && spool_has(s, i) ? s->map + s->off[i] : NULL;
}

void spool_unmap(folio_spool *s)
{
    if (s->map && s->trim)
        tabspill_unwatch(s->trim, s->map);
    if (s->map)
        munmap((void *)s->map, s->map_len);
    s->map = NULL;
    s->map_len = 0;
}

void spool_close(folio_spool *s)
{
    if (!s)
        return;
    spool_unmap(s);
    for (int t = 0; s->wb && t < SPOOL_WBUFS; t++) {   /* issue 11 (r-spool) */
        if (s->wb[t].data)
            munmap(s->wb[t].data, SPOOL_WBUF);
        free(s->wb[t].rec);
    }
    free(s->wb);
    s->wb = NULL;
    s->n_buffered = 0;
    if (s->fd >= 0)
        close(s->fd);
    s->fd = -1;
    free(s->off);
    free(s->len);
    s->off = NULL;
    s->len = NULL;
    s->n = 0;
}

bool folio_parse_size(const char *s, uint64_t *out)
{
    if (!s || *s < '0' || *s > '9')
        return false;
    uint64_t v = 0;
    for (; *s >= '0' && *s <= '9'; s++) {
        if (v > (UINT64_MAX - 9) / 10)
            return false;
        v = v * 10 + (uint64_t)(*s - '0');
    }
    int shift = 0;
    switch (*s) {
    case 'k': case 'K': shift = 10; s++; break;
    case 'm': case 'M': shift = 20; s++; break;
    case 'g': case 'G': shift = 30; s++; break;
    default: break;
    }
    if (shift && (s[0] == 'i' && s[1] == 'B'))
        s += 2;
    else if (shift && s[0] == 'B')
        s++;
    if (*s || (shift && v > (UINT64_MAX >> shift)))
        return false;
    *out = v << shift;
    return true;
}
