/* SPDX-License-Identifier: Apache-2.0 */
/*
 * stmt-spool.c -- issue 11 part 2 (r-once): printed statements kept from
 * pass 1 for the print ring (stmt-spool.h).
 */
#include "stmt-spool.h"
#include "dlist-blob.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

bool stmt_spool_open(stmt_spool *s, size_t n, const char *dir, folio_error *err)
{
    memset(s, 0, sizeof *s);
    if (!spool_open(&s->file, dir, n, err) ||
        !spool_buffered(&s->file, err)) {   /* issue 11 (r-spool) */
        spool_close(&s->file);
        return false;
    }
    s->on = true;
    return true;
}

bool stmt_spool_put(stmt_spool *s, size_t i, const folio_dl_statement *st, folio_error *err)
{
    if (!s->on)
        return true;                    /* not kept: composed again */
    size_t bound = dlist_blob_bound(st);
    /* issue 11 (r-spool): encoded in place into the thread's spool buffer;
     * else into scratch from the statement's own arena (reset with it) */
    bool failed = false;
    size_t len;
    char *room = spool_room(&s->file, bound, &failed, err);
    if (room) {
        len = dlist_blob_encode(st, room);
        spool_commit(&s->file, i, len);
    } else {
        if (failed)
            return false;
        void *tmp = bound < UINT32_MAX ? folio_arena_alloc(st->arena, bound) : NULL;
        if (!tmp) {
            folio_error_set(err, FOLIO_EXIT_FAILED, "out of memory");
            return false;
        }
        len = dlist_blob_encode(st, tmp);
        if (!spool_put(&s->file, i, tmp, len, err))
            return false;
    }
    __atomic_add_fetch(&s->n_kept, 1, __ATOMIC_RELAXED);
    __atomic_add_fetch(&s->bytes, len, __ATOMIC_RELAXED);
    return true;
}

bool stmt_spool_flush(stmt_spool *s, folio_error *err)
{
    return !s->on || spool_flush(&s->file, err);
}

bool stmt_spool_has(const stmt_spool *s, size_t i)
{
    return s->on && spool_has(&s->file, i);
}

folio_dl_statement *stmt_spool_take(stmt_spool *s, size_t i, folio_arena *arena,
                                    folio_error *err)
{
    if (s->on && s->file.n_buffered) {  /* issue 11 (r-spool): a bug, not a miss */
        folio_error_set(err, FOLIO_EXIT_FAILED, "internal error: statement %zu read before "
                        "the kept statements were written", i);
        return NULL;
    }
    if (!stmt_spool_has(s, i)) {
        folio_error_set(err, FOLIO_EXIT_FAILED, "internal error: statement %zu was not kept", i);
        return NULL;
    }
    size_t len = s->file.len[i];          /* with spool_put's NUL */
    char *b = folio_arena_alloc(arena, len);
    if (!b) {
        folio_error_set(err, FOLIO_EXIT_FAILED, "out of memory");
        return NULL;
    }
    size_t done = 0;
    while (done < len) {
        ssize_t r = pread(s->file.fd, b + done, len - done, (off_t)(s->file.off[i] + done));
        if (r < 0 && errno == EINTR)
            continue;
        if (r <= 0) {
            folio_error_set(err, FOLIO_EXIT_FAILED, "%s: cannot read a work file: %s",
                            s->file.dir, r < 0 ? strerror(errno) : "short file");
            return NULL;
        }
        done += (size_t)r;
    }
    folio_dl_statement *st = dlist_blob_decode(b, len - 1, arena);
    if (!st)
        folio_error_set(err, FOLIO_EXIT_FAILED,
                        "internal error: kept statement %zu is damaged", i);
    return st;
}

void stmt_spool_close(stmt_spool *s)
{
    if (s->closing) {                   /* issue 11 (r-spool) */
        pthread_join(s->closer, NULL);
        s->closing = false;
    }
    if (!s->on)                         /* zeroed or closed */
        return;
    spool_close(&s->file);
    s->on = false;
}

static void *close_main(void *arg)
{
    spool_close(arg);
    free(arg);
    return NULL;
}

void stmt_spool_close_bg(stmt_spool *s)
{
    if (!s->on || s->closing)
        return;
    folio_spool *f = malloc(sizeof *f);
    if (!f) {
        stmt_spool_close(s);
        return;
    }
    *f = s->file;                       /* the thread owns the fd and the arrays */
    if (pthread_create(&s->closer, NULL, close_main, f) != 0) {
        free(f);
        stmt_spool_close(s);
        return;
    }
    memset(&s->file, 0, sizeof s->file);
    s->file.fd = -1;
    s->on = false;
    s->closing = true;
}
