/* SPDX-License-Identifier: Apache-2.0 */
/*
 * merge-spill.c -- issue 12 (r-harden, round 28): the external sort behind
 * `folio merge`'s uniqueness checks (merge-spill.h).
 *
 * Why a sort and not a hash set: merge must find every repeated piece id
 * and IMb serial over all shards of a mailing (50 million households: GBs
 * of ids), in memory that does not grow with the households.  The shards'
 * pieces files are each in their own order (print order, not id order), so
 * a k-way merge of the files as they are would not bring equal ids
 * together; a hash partition into buckets would, but one bucket holds every
 * copy of a repeated id (a pathological shard fills one bucket).  A sort in
 * runs of bounded size, merged back MSORT_FANIN runs at a time, is bounded
 * whatever the input (SQLite's vdbesort.c is the model).
 *
 * Run file: records as [u32 length, little-endian][bytes], in order.
 */
#include "merge-spill.h"

#include <errno.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define MSORT_FANIN 32
#define MSORT_IOBUF (64 * 1024)

typedef struct { size_t off; size_t len; } ment;

typedef struct {
    FILE *f;
    char *rec;
    size_t len, cap;
    bool live;
} mreader;

struct msort {
    char dir[PATH_MAX], name[64];
    size_t mem;
    char *buf;                  /* the records of the run being gathered */
    size_t blen, bcap;
    ment *ent;
    size_t nent, cent;
    char **runs;                /* run files not yet merged away */
    size_t nruns, cruns, seq, written;
    bool done, in_memory;
    size_t rd;                  /* in memory: the next entry */
    mreader *r;                 /* on disk: one reader per run, a heap of them */
    size_t nr, *heap, nh;
};

static int rec_cmp(const char *a, size_t an, const char *b, size_t bn)
{
    int c = memcmp(a, b, an < bn ? an : bn);
    if (c)
        return c;
    return (an > bn) - (an < bn);
}

static int ent_cmp(const void *a, const void *b, void *base)
{
    const ment *x = a, *y = b;
    const char *B = base;
    return rec_cmp(B + x->off, x->len, B + y->off, y->len);
}

msort *msort_open(const char *dir, const char *name, size_t mem, folio_error *err)
{
    msort *s = calloc(1, sizeof *s);
    if (!s) {
        folio_error_set(err, FOLIO_EXIT_FAILED, "merge: out of memory");
        return NULL;
    }
    snprintf(s->dir, sizeof s->dir, "%s", dir);
    snprintf(s->name, sizeof s->name, "%s", name);
    s->mem = mem < 4096 ? 4096 : mem;
    return s;
}

size_t msort_runs(const msort *s)
{
    return s ? s->written : 0;
}

static bool io_fail(const char *path, const char *what, folio_error *err)
{
    folio_error_set(err, FOLIO_EXIT_FAILED, "%s: cannot %s: %s", path, what,
                    errno ? strerror(errno) : "short write");
    return false;
}

static bool put_rec(FILE *f, const char *p, size_t n)
{
    unsigned char h[4] = {(unsigned char)n, (unsigned char)(n >> 8), (unsigned char)(n >> 16),
                          (unsigned char)(n >> 24)};
    return fwrite(h, 1, 4, f) == 4 && (!n || fwrite(p, 1, n, f) == n);
}

/* 1 record read, 0 end, -1 error */
static int get_rec(mreader *r)
{
    unsigned char h[4];
    size_t got = fread(h, 1, 4, r->f);
    if (got == 0 && feof(r->f))
        return 0;
    if (got != 4)
        return -1;
    size_t n = (size_t)h[0] | (size_t)h[1] << 8 | (size_t)h[2] << 16 | (size_t)h[3] << 24;
    if (n + 1 > r->cap) {
        size_t nc = r->cap ? r->cap : 64;
        while (nc < n + 1)
            nc *= 2;
        char *nv = realloc(r->rec, nc);
        if (!nv)
            return -1;
        r->rec = nv;
        r->cap = nc;
    }
    if (n && fread(r->rec, 1, n, r->f) != n)
        return -1;
    r->rec[n] = 0;
    r->len = n;
    return 1;
}

static char *new_run(msort *s, FILE **f, folio_error *err)
{
    if (s->nruns == s->cruns) {
        size_t nc = s->cruns ? s->cruns * 2 : 16;
        char **nv = realloc(s->runs, nc * sizeof *nv);
        if (!nv) {
            folio_error_set(err, FOLIO_EXIT_FAILED, "merge: out of memory");
            return NULL;
        }
        s->runs = nv;
        s->cruns = nc;
    }
    char path[PATH_MAX + 96];
    snprintf(path, sizeof path, "%s/%s-%zu.run", s->dir, s->name, s->seq++);
    char *p = strdup(path);
    errno = 0;
    *f = p ? folio_fopen_excl(path) : NULL;     /* never through a link */
    if (!*f) {
        if (p)
            io_fail(path, "create", err);
        else
            folio_error_set(err, FOLIO_EXIT_FAILED, "merge: out of memory");
        free(p);
        return NULL;
    }
    s->runs[s->nruns++] = p;
    s->written++;
    return p;
}

static bool end_run(FILE *f, const char *path, bool ok, folio_error *err)
{
    errno = 0;
    bool bad = ferror(f) || !ok;
    if (fclose(f) != 0 || bad)
        return io_fail(path, "write", err);
    return true;
}

static bool spill(msort *s, folio_error *err)
{
    if (s->nent)                /* no array yet when nothing was added */
        qsort_r(s->ent, s->nent, sizeof *s->ent, ent_cmp, s->buf);
    FILE *f;
    char *path = new_run(s, &f, err);
    if (!path)
        return false;
    bool ok = true;
    for (size_t i = 0; ok && i < s->nent; i++)
        ok = put_rec(f, s->buf + s->ent[i].off, s->ent[i].len);
    s->nent = s->blen = 0;
    return end_run(f, path, ok, err);
}

bool msort_add(msort *s, const void *p, size_t n, folio_error *err)
{
    if (n > UINT32_MAX) {
        folio_error_set(err, FOLIO_EXIT_FAILED, "merge: a record of %zu bytes", n);
        return false;
    }
    if (s->nent && s->blen + n + (s->nent + 1) * sizeof *s->ent > s->mem && !spill(s, err))
        return false;
    if (s->blen + n > s->bcap) {
        size_t nc = s->bcap ? s->bcap : 4096;
        while (nc < s->blen + n)
            nc *= 2;
        char *nv = realloc(s->buf, nc);
        if (!nv) {
            folio_error_set(err, FOLIO_EXIT_FAILED, "merge: out of memory");
            return false;
        }
        s->buf = nv;
        s->bcap = nc;
    }
    if (s->nent == s->cent) {
        size_t nc = s->cent ? s->cent * 2 : 256;
        ment *nv = realloc(s->ent, nc * sizeof *nv);
        if (!nv) {
            folio_error_set(err, FOLIO_EXIT_FAILED, "merge: out of memory");
            return false;
        }
        s->ent = nv;
        s->cent = nc;
    }
    if (n)
        memcpy(s->buf + s->blen, p, n);
    s->ent[s->nent++] = (ment){s->blen, n};
    s->blen += n;
    return true;
}

/* ---- the merge of runs --------------------------------------------------------- */

static bool hless(const msort *s, size_t a, size_t b)
{
    const mreader *x = &s->r[a], *y = &s->r[b];
    int c = rec_cmp(x->rec, x->len, y->rec, y->len);
    return c < 0 || (c == 0 && a < b);
}

static void hdown(msort *s, size_t i)
{
    for (;;) {
        size_t l = 2 * i + 1, r = l + 1, m = i;
        if (l < s->nh && hless(s, s->heap[l], s->heap[m]))
            m = l;
        if (r < s->nh && hless(s, s->heap[r], s->heap[m]))
            m = r;
        if (m == i)
            return;
        size_t t = s->heap[i];
        s->heap[i] = s->heap[m];
        s->heap[m] = t;
        i = m;
    }
}

static void readers_free(msort *s)
{
    for (size_t i = 0; i < s->nr; i++) {
        if (s->r[i].f)
            fclose(s->r[i].f);
        free(s->r[i].rec);
    }
    free(s->r);
    free(s->heap);
    s->r = NULL;
    s->heap = NULL;
    s->nr = s->nh = 0;
}

/* Readers over runs[0..k), each at its first record, in a heap. */
static bool readers_open(msort *s, size_t k, folio_error *err)
{
    s->r = calloc(k ? k : 1, sizeof *s->r);
    s->heap = calloc(k ? k : 1, sizeof *s->heap);
    if (!s->r || !s->heap) {
        folio_error_set(err, FOLIO_EXIT_FAILED, "merge: out of memory");
        return false;
    }
    s->nr = k;
    for (size_t i = 0; i < k; i++) {
        errno = 0;
        if (!(s->r[i].f = fopen(s->runs[i], "rb")))
            return io_fail(s->runs[i], "open", err);
        setvbuf(s->r[i].f, NULL, _IOFBF, MSORT_IOBUF);
        int g = get_rec(&s->r[i]);
        if (g < 0)
            return io_fail(s->runs[i], "read", err);
        if (g)
            s->heap[s->nh++] = i;
    }
    for (size_t i = s->nh / 2; i-- > 0;)
        hdown(s, i);
    return true;
}

/* The smallest record of the heap: *who its reader; false at the end. */
static bool heap_top(msort *s, size_t *who)
{
    if (!s->nh)
        return false;
    *who = s->heap[0];
    return true;
}

/* Reader `who` (the top) moves on. */
static bool heap_advance(msort *s, size_t who, folio_error *err)
{
    int g = get_rec(&s->r[who]);
    if (g < 0)
        return io_fail(s->runs[who], "read", err);
    if (!g)
        s->heap[0] = s->heap[--s->nh];
    hdown(s, 0);
    return true;
}

/* Runs[0..k) merged into one new run at the end of the list. */
static bool merge_pass(msort *s, size_t k, folio_error *err)
{
    if (!readers_open(s, k, err))
        return false;
    FILE *f;
    char *path = new_run(s, &f, err);
    if (!path)
        return false;
    bool ok = true;
    size_t who;
    while (ok && heap_top(s, &who)) {
        ok = put_rec(f, s->r[who].rec, s->r[who].len);
        if (ok && !heap_advance(s, who, err)) {
            fclose(f);
            return false;
        }
    }
    if (!end_run(f, path, ok, err))
        return false;
    readers_free(s);
    for (size_t i = 0; i < k; i++) {
        unlink(s->runs[i]);
        free(s->runs[i]);
    }
    memmove(s->runs, s->runs + k, (s->nruns - k) * sizeof *s->runs);
    s->nruns -= k;
    return true;
}

bool msort_done(msort *s, folio_error *err)
{
    s->done = true;
    if (!s->nruns) {            /* it all fit: sorted where it is */
        if (s->nent)            /* none (an all-e-mail mailing): no array */
            qsort_r(s->ent, s->nent, sizeof *s->ent, ent_cmp, s->buf);
        s->in_memory = true;
        s->rd = 0;
        return true;
    }
    if (s->nent && !spill(s, err))
        return false;
    free(s->buf);
    free(s->ent);
    s->buf = NULL;
    s->ent = NULL;
    s->bcap = s->cent = 0;
    while (s->nruns > MSORT_FANIN)
        if (!merge_pass(s, MSORT_FANIN, err))
            return false;
    return readers_open(s, s->nruns, err);
}

int msort_next(msort *s, const char **p, size_t *n, folio_error *err)
{
    if (s->in_memory) {
        if (s->rd >= s->nent)
            return 0;
        *p = s->buf + s->ent[s->rd].off;
        *n = s->ent[s->rd].len;
        s->rd++;
        return 1;
    }
    /* on disk: the previous top moves on first, so that *p stays valid */
    size_t who;
    if (s->nr && s->nh && s->rd) {
        if (!heap_top(s, &who) || !heap_advance(s, who, err))
            return -1;
    }
    s->rd = 1;
    if (!heap_top(s, &who))
        return 0;
    *p = s->r[who].rec;
    *n = s->r[who].len;
    return 1;
}

void msort_close(msort *s)
{
    if (!s)
        return;
    readers_free(s);
    for (size_t i = 0; i < s->nruns; i++) {
        unlink(s->runs[i]);
        free(s->runs[i]);
    }
    free(s->runs);
    free(s->buf);
    free(s->ent);
    free(s);
}
