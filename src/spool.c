/* SPDX-License-Identifier: Apache-2.0 */
/*
 * spool.c -- issue 12 part 1: a run's end-of-run records in a file
 * (spool.h).
 */
#include "spool.h"
#include "tabspill.h"

#include <errno.h>
#include <fcntl.h>
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

bool spool_put(folio_spool *s, size_t i, const char *text, size_t len, folio_error *err)
{
    if (i >= s->n || len >= UINT32_MAX) {
        folio_error_set(err, FOLIO_EXIT_FAILED, "internal error: spool record %zu", i);
        return false;
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
