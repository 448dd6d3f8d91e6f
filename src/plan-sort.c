/* SPDX-License-Identifier: Apache-2.0 */
/*
 * plan-sort.c -- a stable merge sort on the run's threads (plan-sort.h).
 *
 * issue 11 (round 29, r-serial): the plan stage's qsorts (household_group's
 * customers and accounts, events_bind's ids and events) ran on the main
 * thread while the other cores waited.  Here the input is cut into one run
 * a thread, each run sorted on its own thread (insertion sort of 16-element
 * blocks, then bottom-up merges), and the runs merged pairwise; each merge
 * is cut into pieces of equal output at the rank where a stable merge puts
 * them (co-rank: binary search), so the last merge uses every thread too.
 * Ties keep input order everywhere (the left run first), so the output is
 * the stable sort's, the same for any number of runs or threads.
 */
#include "plan-sort.h"

#include <omp.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define BLOCK 16            /* insertion-sorted block */
#define MIN_RUN 2048        /* fewer elements a thread: not worth a thread */

typedef struct srt {
    size_t sz;
    plan_cmp_fn cmp;
    void *arg;
} srt;

static void ins_sort(const srt *s, char *b, size_t n)
{
    char key[64];
    const size_t sz = s->sz;
    for (size_t i = 1; i < n; i++) {
        if (s->cmp(b + (i - 1) * sz, b + i * sz, s->arg) <= 0)
            continue;
        memcpy(key, b + i * sz, sz);
        size_t j = i;
        while (j > 0 && s->cmp(b + (j - 1) * sz, key, s->arg) > 0) {
            memcpy(b + j * sz, b + (j - 1) * sz, sz);
            j--;
        }
        memcpy(b + j * sz, key, sz);
    }
}

/* out[0..na+nb) = stable merge of a[0..na) and b[0..nb) (a first on ties) */
static void merge(const srt *s, const char *a, size_t na, const char *b, size_t nb, char *out)
{
    const size_t sz = s->sz;
    while (na && nb) {
        if (s->cmp(b, a, s->arg) < 0) {
            memcpy(out, b, sz);
            b += sz;
            nb--;
        } else {
            memcpy(out, a, sz);
            a += sz;
            na--;
        }
        out += sz;
    }
    if (na)
        memcpy(out, a, na * sz);
    if (nb)
        memcpy(out, b, nb * sz);
}

/* The number of a's elements among the first k of the stable merge of
 * a[0..na) and b[0..nb): the least i with b[k-i-1] < a[i] (or i == na or
 * k - i == 0). */
static size_t co_rank(const srt *s, size_t k, const char *a, size_t na, const char *b, size_t nb)
{
    size_t lo = k > nb ? k - nb : 0, hi = k < na ? k : na;
    while (lo < hi) {
        size_t i = lo + (hi - lo) / 2, j = k - i;
        if (j == 0 || s->cmp(b + (j - 1) * s->sz, a + i * s->sz, s->arg) < 0)
            hi = i;
        else
            lo = i + 1;
    }
    return lo;
}

/* Sort b[0..n) with scratch t[0..n); the result in b. */
static void run_sort(const srt *s, char *b, char *t, size_t n)
{
    const size_t sz = s->sz;
    for (size_t i = 0; i < n; i += BLOCK)
        ins_sort(s, b + i * sz, n - i < BLOCK ? n - i : BLOCK);
    char *src = b, *dst = t;
    for (size_t w = BLOCK; w < n; w *= 2) {
        for (size_t i = 0; i < n; i += 2 * w) {
            size_t na = n - i < w ? n - i : w;
            size_t nb = n - i - na < w ? n - i - na : w;
            merge(s, src + i * sz, na, src + (i + na) * sz, nb, dst + i * sz);
        }
        char *x = src;
        src = dst;
        dst = x;
    }
    if (src != b)
        memcpy(b, src, n * sz);
}

bool plan_sort(void *base, size_t n, size_t size, plan_cmp_fn cmp, void *arg, int threads)
{
    if (n < 2)
        return true;
    if (size == 0 || size > 64)
        return false;
    const srt s = {size, cmp, arg};
    char *t = malloc(n * size);
    if (!t)
        return false;
    int nt = threads > 0 ? threads : omp_get_max_threads();
    if (omp_in_parallel() || nt < 1)
        nt = 1;
    if ((size_t)nt > n / MIN_RUN)
        nt = (int)(n / MIN_RUN);
    if (nt <= 1) {
        run_sort(&s, base, t, n);
        free(t);
        return true;
    }
    /* runs: [n * r / nt, n * (r + 1) / nt), one a thread */
    size_t *edge = malloc(((size_t)nt + 1) * sizeof *edge);
    if (!edge) {
        free(t);
        return false;
    }
    for (int r = 0; r <= nt; r++)
        edge[r] = (size_t)((unsigned __int128)n * (unsigned)r / (unsigned)nt);
    char *b = base;
#pragma omp parallel for schedule(static, 1) num_threads(nt)
    for (int r = 0; r < nt; r++)
        run_sort(&s, b + edge[r] * size, t + edge[r] * size, edge[r + 1] - edge[r]);
    /* pairwise merges, each cut into pieces so every thread merges */
    char *src = b, *dst = t;
    int nr = nt;
    while (nr > 1) {
        int pairs = (nr + 1) / 2;
        int pieces = (nt + pairs - 1) / pairs;
#pragma omp parallel for schedule(static, 1) num_threads(nt)
        for (int task = 0; task < pairs * pieces; task++) {
            int p = task / pieces, q = task % pieces;
            /* run 2p and 2p + 1 (run 2p alone when it is the last) */
            size_t lo = edge[2 * p];
            size_t mid = 2 * p + 1 < nr ? edge[2 * p + 1] : edge[nr];
            size_t hi = 2 * p + 1 < nr ? edge[2 * p + 2] : edge[nr];
            const char *a = src + lo * size, *bb = src + mid * size;
            size_t na = mid - lo, nb = hi - mid, tot = na + nb;
            size_t k0 = tot * (size_t)q / (size_t)pieces, k1 = tot * (size_t)(q + 1) / (size_t)pieces;
            size_t i0 = co_rank(&s, k0, a, na, bb, nb), i1 = co_rank(&s, k1, a, na, bb, nb);
            merge(&s, a + i0 * size, i1 - i0, bb + (k0 - i0) * size, (k1 - i1) - (k0 - i0),
                  dst + (lo + k0) * size);
        }
        /* the runs' edges after the pass: every other edge */
        int m = 0;
        for (int r = 0; r <= nr; r += 2)
            edge[m++] = edge[r];
        if (nr % 2)
            edge[m++] = edge[nr];
        nr = m - 1;
        char *x = src;
        src = dst;
        dst = x;
    }
    if (src != b)
        memcpy(b, src, n * size);
    free(edge);
    free(t);
    return true;
}
