/* SPDX-License-Identifier: Apache-2.0 */
/*
 * sink.c -- the ordered ring (sink.h): every thread makes batches of
 * statements, one thread at a time delivers them in order.
 *
 * A batch b lives in slot b % n_slots.  A worker claims the next batch,
 * waits until its slot's previous batch (b - n_slots) has been delivered,
 * makes and prepares its items into the slot, marks it ready, and then, if
 * nobody is delivering, takes the writer's turn: it delivers every ready
 * batch from the next one to deliver on, in order.  So all threads compose
 * and render, and the sinks see one order whatever the thread count.
 */
#include "folio/sink.h"

#include <omp.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>

#define RING_SPARE 6     /* slots beyond 2 per thread + 1 (folio_ring_run) */
/* issue 11 (r-twothr): an arena's first block, in its thread's mapping; a
 * print batch of 8 statements used 221-424 KB (median 315, 90% below 359;
 * 5,000 households), so one block holds most batches */
#define RING_ARENA_BLOCK (384 * 1024)
#define RING_HUGE ((size_t)2 << 20)
#define RING_HUGE_TOTAL ((size_t)16 << 20)   /* all threads' mappings, for huge pages */

typedef struct ring_slot {
    size_t batch;                 /* the batch it holds */
    int state;                    /* 0 free, 1 being made, 2 ready */
    folio_arena *arena;           /* the maker's own (ring_run.arenas) */
    int owner;                    /* the thread that made it */
    folio_dl_statement **st;      /* [batch size] */
    void **prepared;              /* [batch size][n_prep] */
    uint32_t n_made;              /* items made (stops at the first error) */
    size_t err_item;              /* item of err, SIZE_MAX = none */
    folio_error err;
} ring_slot;

typedef struct ring_run {
    folio_ring *r;
    size_t n_batches;
    uint32_t bsz;
    size_t n_slots;
    ring_slot *slots;
    pthread_mutex_t mu;
    pthread_cond_t space;
    size_t next_claim, next_deliver;
    bool writing;
    size_t n_ready;               /* slots made, not yet delivered */
    int t0_waits;                 /* thread 0 waits on space (r-twothr) */
    size_t stop_batch;            /* no batch at or after it is claimed */
    size_t err_item;              /* lowest failing item so far */
    folio_error err;
    double t_make, t_prepare, t_deliver, t_deflate;
    /* issue 11 (r-speed): arenas per thread, n_slots each, so a thread
     * composes into memory only it writes (its cache, its malloc arena):
     * arenas[t * n_slots + k]; free[t] the indexes of thread t's arenas not
     * in a slot (a stack of n_free[t], under mu).  With one arena per slot
     * instead, at 2 threads a slot's blocks were reset by the writer and
     * refilled by the other thread: composing in the ring cost ~25% more
     * CPU than the same compose in pass 1's own per-thread arena. */
    int threads;
    folio_arena *arenas;
    uint32_t *free_idx;
    uint32_t *n_free;
    /* issue 11 (r-twothr): the first blocks of thread t's arenas, one
     * mapping each (maps[t], map_len bytes; NULL: malloc'd blocks) */
    void **maps;
    size_t map_len;
} ring_run;

/* A mapping of len bytes, or NULL; from RING_HUGE on, aligned to RING_HUGE
 * and advised for transparent huge pages (the kernel backs the whole 2 MiB
 * ranges in it; the tail faults page by page).  At 2 threads the workers'
 * arenas were ~2,700 page faults a print run (dlist_blob_decode, the spool
 * read's copy, calloc into fresh malloc blocks), ~12 us each on this VM; a
 * huge page is one fault.  Below 2 MiB (1 thread: 3 arenas) nothing is
 * advised, so no page is rounded up into the run's peak RSS; where the
 * kernel has no THP (or "never") the pages fault one by one as before. */
static void *map_huge(size_t len, bool advise)
{
    if (len < RING_HUGE || !advise) {
        void *m = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
        return m == MAP_FAILED ? NULL : m;
    }
    size_t over = len + RING_HUGE;
    char *m = mmap(NULL, over, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (m == MAP_FAILED)
        return NULL;
    uintptr_t a = ((uintptr_t)m + RING_HUGE - 1) & ~(uintptr_t)(RING_HUGE - 1);
    char *p = (char *)a;
    if (p > m)
        munmap(m, (size_t)(p - m));
    if (m + over > p + len)
        munmap(p + len, (size_t)(m + over - (p + len)));
#ifdef MADV_HUGEPAGE
    madvise(p, len, MADV_HUGEPAGE);
#endif
    return p;
}

/* CPU time of the calling thread: stage times that mean the same on a busy
 * machine (wall time there counts the waits for a core). */
static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

/* The monotonic clock (vDSO: no system call), for proportions. */
static double mono_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

static void ring_fail(ring_run *R, size_t item, const folio_error *e)
{
    /* under R->mu */
    if (item < R->err_item) {
        R->err_item = item;
        R->err = *e;
    }
    size_t b = item / R->bsz + 1;
    if (b < R->stop_batch)
        R->stop_batch = b;
}

/* Make batch b into slot s (no lock held: the slot is this thread's).
 * issue 11: every item is made first, then every item prepared, so the
 * stage clocks are read three times per batch, not per item (monotonic
 * busy time since r-pwrite: worker() scales it to thread CPU time).  The first failing item still wins: items
 * before it are made and prepared, none after it counts. */
static void make_batch(ring_run *R, ring_slot *s, size_t b, double *tm, double *tp,
                       double *tz)
{
    folio_ring *r = R->r;
    size_t first = b * R->bsz;
    size_t end = first + R->bsz < r->n ? first + R->bsz : r->n;
    s->n_made = 0;
    s->err_item = SIZE_MAX;
    double t = mono_s();
    uint32_t n_st = 0;
    for (size_t i = first; i < end; i++) {
        folio_error e = {0};
        folio_dl_statement *st = r->make(r->ctx, i, s->arena, &e);
        if (!st) {
            s->err_item = i;
            s->err = e;
            break;
        }
        s->st[n_st++] = st;
    }
    double t2 = mono_s(), zw = 0;
    *tm += t2 - t;
    for (uint32_t k = 0; k < n_st; k++) {
        folio_error e = {0};
        const folio_dl_statement *st = s->st[k];
        void **pp = s->prepared + (size_t)k * (size_t)(r->n_prep ? r->n_prep : 1);
        bool ok = true;
        for (int j = 0; j < r->n_prep && ok; j++) {
            pp[j] = NULL;
            if (!r->prep[j]->prepare)
                continue;
            if (!(pp[j] = r->prep[j]->prepare(r->prep_opt[j], st, &e))) {
                for (int q = 0; q < j; q++)
                    if (pp[q])
                        r->prep[q]->release(pp[q]);
                ok = false;
            } else if (r->prep[j]->deflate_s) {
                zw += r->prep[j]->deflate_s(pp[j]);
            }
        }
        if (!ok) {
            s->err_item = first + k;   /* before any make error (k < n_st) */
            s->err = e;
            break;
        }
        s->n_made++;
    }
    double w = mono_s() - t2;
    *tp += w;
    *tz += zw < w ? zw : w;
}

/* Release the blobs of the items of slot s from item k on. */
static void release_from(ring_run *R, ring_slot *s, uint32_t k)
{
    folio_ring *r = R->r;
    for (; k < s->n_made; k++) {
        void **pp = s->prepared + (size_t)k * (size_t)(r->n_prep ? r->n_prep : 1);
        for (int j = 0; j < r->n_prep; j++)
            if (pp[j])
                r->prep[j]->release(pp[j]);
    }
}

/* Deliver slot s (the writer's turn, no lock held). */
static void deliver_batch(ring_run *R, ring_slot *s, bool *failed, size_t *fitem,
                          folio_error *fe, double *td)
{
    folio_ring *r = R->r;
    size_t first = s->batch * R->bsz;
    double t = mono_s();
    uint32_t k = 0;
    for (; k < s->n_made && !*failed; k++) {
        void **pp = s->prepared + (size_t)k * (size_t)(r->n_prep ? r->n_prep : 1);
        folio_error e = {0};
        bool ok = r->deliver(r->ctx, first + k, s->st[k], pp, &e);
        for (int j = 0; j < r->n_prep; j++)
            if (pp[j])
                r->prep[j]->release(pp[j]);
        if (!ok) {
            *failed = true;
            *fitem = first + k;
            *fe = e;
        }
    }
    release_from(R, s, k);
    if (!*failed && s->err_item != SIZE_MAX) {
        *failed = true;
        *fitem = s->err_item;
        *fe = s->err;
    }
    *td += mono_s() - t;
}

/* Is the next batch to deliver made?  (under mu) */
static bool next_ready(const ring_run *R)
{
    const ring_slot *d = &R->slots[R->next_deliver % R->n_slots];
    return R->next_deliver < R->n_batches && d->state == 2 && d->batch == R->next_deliver;
}

/* The writer's turn: deliver every ready batch from the next one on, in
 * order (called and returns under mu, with R->writing false). */
static void write_turn(ring_run *R, double *td)
{
    R->writing = true;
    while (next_ready(R)) {
        ring_slot *d = &R->slots[R->next_deliver % R->n_slots];
        bool failed = R->err_item != SIZE_MAX;
        size_t fitem = SIZE_MAX;
        folio_error fe = {0};
        pthread_mutex_unlock(&R->mu);
        if (failed) {
            release_from(R, d, 0);      /* after a delivery error: dropped */
        } else {
            /* the writer's turn in thread CPU, read once a batch: a
             * write the kernel holds back is wall time, not CPU, and
             * must not be scaled into the other stages (below) */
            double c1 = now_s(), tw = 0;
            deliver_batch(R, d, &failed, &fitem, &fe, &tw);
            *td += now_s() - c1;
        }
        pthread_mutex_lock(&R->mu);
        if (fitem != SIZE_MAX)
            ring_fail(R, fitem, &fe);
        /* the arena back to its owner, who resets it when it reuses it */
        R->free_idx[(size_t)d->owner * R->n_slots + R->n_free[d->owner]++] =
            (uint32_t)(d->arena - &R->arenas[(size_t)d->owner * R->n_slots]);
        d->arena = NULL;
        d->state = 0;
        R->n_ready--;
        R->next_deliver++;
        pthread_cond_broadcast(&R->space);
    }
    R->writing = false;
}

/* issue 11 (r-twothr): the writer's turn stays on team thread 0 (the main
 * thread): it delivers after each batch it makes, while it waits for a
 * free slot, and at the end until every batch made is delivered.  Another
 * thread takes the turn only when half the slots wait ready and thread 0
 * is not waiting to take it (it is busy making, or more threads make than
 * one thread writes for).  When any thread that finished a
 * batch took the turn, at 2 threads both threads wrote: the print files'
 * writer state, libharu's buffers and the font programs each print file
 * reads moved between the cores' caches and both threads' malloc arenas
 * (write CPU 0.11 -> 0.15 s from 1 to 2 threads, idle machine). */
static void worker(ring_run *R)
{
    /* issue 11 (r-pwrite): busy time per stage on the monotonic clock (no
     * system call), scaled to the thread's CPU time, read twice a worker:
     * a thread CPU clock read is a system call, 1.35-13 us on this VM */
    double tm = 0, tp = 0, td = 0, tz = 0, c0 = now_s();
    int tid = omp_get_thread_num();
    if (tid < 0 || tid >= R->threads)
        tid = 0;
    pthread_mutex_lock(&R->mu);
    for (;;) {
        if (R->next_claim >= R->n_batches || R->next_claim >= R->stop_batch)
            break;
        size_t b = R->next_claim++;
        ring_slot *s = &R->slots[b % R->n_slots];
        /* the slot is free once batch b - n_slots is delivered (waiting for
         * "state free" instead would let b + n_slots take it first) */
        while (b >= R->next_deliver + R->n_slots && b < R->stop_batch) {
            if (tid == 0 && !R->writing && next_ready(R)) {
                write_turn(R, &td);
                continue;
            }
            R->t0_waits += tid == 0;
            pthread_cond_wait(&R->space, &R->mu);
            R->t0_waits -= tid == 0;
        }
        if (b >= R->stop_batch)
            break;          /* after the failing item: never delivered */
        s->state = 1;
        s->batch = b;
        s->owner = tid;             /* one of its arenas is free: it has n_slots */
        uint32_t ai = R->free_idx[(size_t)tid * R->n_slots + --R->n_free[tid]];
        s->arena = &R->arenas[(size_t)tid * R->n_slots + ai];
        pthread_mutex_unlock(&R->mu);
        if (!s->arena->head && R->maps[tid])   /* first use: its mapped block */
            folio_arena_init_buf(s->arena, (char *)R->maps[tid] + (size_t)ai * RING_ARENA_BLOCK,
                                 RING_ARENA_BLOCK);
        folio_arena_reset(s->arena);   /* by its owner: blocks stay in its cache */
        make_batch(R, s, b, &tm, &tp, &tz);
        pthread_mutex_lock(&R->mu);
        s->state = 2;
        R->n_ready++;
        if (s->err_item != SIZE_MAX) {
            size_t sb = s->err_item / R->bsz + 1;
            if (sb < R->stop_batch)
                R->stop_batch = sb;
            pthread_cond_broadcast(&R->space);
        } else if (R->t0_waits) {
            pthread_cond_broadcast(&R->space);   /* thread 0 may deliver it */
        }
        /* thread 0 waiting was woken above and writes itself */
        if (R->writing || (tid != 0 && (R->t0_waits || 2 * R->n_ready < R->n_slots)))
            continue;
        write_turn(R, &td);
    }
    /* thread 0 delivers what is left: every batch claimed below the stop
     * is made (a maker gives up only a batch at or after it) */
    while (tid == 0) {
        size_t end = R->next_claim < R->stop_batch ? R->next_claim : R->stop_batch;
        if (R->next_deliver >= end || R->next_deliver >= R->n_batches)
            break;
        if (!R->writing && next_ready(R)) {
            write_turn(R, &td);
            continue;
        }
        R->t0_waits++;
        pthread_cond_wait(&R->space, &R->mu);
        R->t0_waits--;
    }
    /* make and prepare are timed on the monotonic clock (no system call
     * per statement) and scaled to the CPU the worker spent outside the
     * writer's turn; the turn itself is thread CPU already */
    double busy = tm + tp, cpu = now_s() - c0 - td;
    double k = busy > 0 && cpu > 0 ? cpu / busy : 1.0;
    R->t_make += tm * k;
    R->t_prepare += tp * k;
    R->t_deliver += td;
    R->t_deflate += tz * k;
    pthread_cond_broadcast(&R->space);
    pthread_mutex_unlock(&R->mu);
}

bool folio_ring_run(folio_ring *r, folio_error *err)
{
    r->t_make = r->t_prepare = r->t_deliver = r->t_deflate = 0;
    if (r->n == 0)
        return true;
    if (r->n_prep > FOLIO_RING_MAX_PREP) {
        folio_error_set(err, FOLIO_EXIT_FAILED, "internal error: too many sinks to prepare");
        return false;
    }
    int threads = r->threads > 0 ? r->threads : omp_get_max_threads();
    if (threads < 1)
        threads = 1;
    ring_run R = {.r = r, .bsz = r->batch ? r->batch : 16, .err_item = SIZE_MAX,
                  .stop_batch = SIZE_MAX};
    R.n_batches = (r->n + R.bsz - 1) / R.bsz;
    if ((size_t)threads > R.n_batches)
        threads = (int)R.n_batches;
    /* issue 11 part 4: with more than one thread, RING_SPARE more slots, so
     * the other threads go on making batches while the writer closes a
     * print file (libharu's save, its SHA-256: ~100 pages' worth of
     * making); 2T+1 alone left them waiting ~5% of the write phase at 2
     * threads (measured: blocked 0.07-0.25 s of ~2 s, 0.02-0.08 s with 6
     * spare slots, peak RSS +2 MB) */
    R.n_slots = 2 * (size_t)threads + 1 + (threads > 1 ? RING_SPARE : 0);
    if (R.n_slots > R.n_batches)
        R.n_slots = R.n_batches;
    R.slots = calloc(R.n_slots, sizeof *R.slots);
    R.threads = threads;
    size_t n_ar = (size_t)threads * R.n_slots;
    R.arenas = calloc(n_ar, sizeof *R.arenas);
    R.free_idx = calloc(n_ar, sizeof *R.free_idx);
    R.n_free = calloc((size_t)threads, sizeof *R.n_free);
    R.maps = calloc((size_t)threads, sizeof *R.maps);
    bool ok = R.slots && R.arenas && R.free_idx && R.n_free && R.maps;
    R.map_len = R.n_slots * RING_ARENA_BLOCK;
    /* Huge pages only while all threads' mappings together stay small (2
     * threads: 2 x 4.1 MiB): at 16 threads (39 slots each) one huge page
     * per thread touched is 32 MiB for arenas mostly never used.  Each
     * arena's block is set up by its owner when first popped, so a block
     * never used is never touched (with the headers written here, 16
     * threads took 355 MB of peak RSS against 148 MB). */
    bool advise = (size_t)threads * R.map_len <= RING_HUGE_TOTAL;
    for (int t = 0; ok && t < threads; t++)
        R.maps[t] = map_huge(R.map_len, advise);
    for (size_t k = 0; ok && k < n_ar; k++) {
        /* mapped: left empty (head NULL) until its first pop, see worker */
        folio_arena_init(&R.arenas[k], R.maps[k / R.n_slots] ? 0 : 256 * 1024);
        /* popped from the top: arena 0 of a thread first */
        R.free_idx[k] = (uint32_t)(R.n_slots - 1 - k % R.n_slots);
    }
    for (int t = 0; ok && t < threads; t++)
        R.n_free[t] = (uint32_t)R.n_slots;
    size_t np = (size_t)(r->n_prep ? r->n_prep : 1);
    for (size_t k = 0; ok && k < R.n_slots; k++) {
        R.slots[k].st = calloc(R.bsz, sizeof *R.slots[k].st);
        R.slots[k].prepared = calloc(R.bsz * np, sizeof *R.slots[k].prepared);
        ok = R.slots[k].st && R.slots[k].prepared;
    }
    if (!ok) {
        folio_error_set(err, FOLIO_EXIT_FAILED, "out of memory");
    } else {
        pthread_mutex_init(&R.mu, NULL);
        pthread_cond_init(&R.space, NULL);
#pragma omp parallel num_threads(threads)
        worker(&R);
        /* batches made after a failure but never reached by delivery (one
         * before them was not made): their blobs go */
        for (size_t k = 0; k < R.n_slots; k++)
            if (R.slots[k].state == 2)
                release_from(&R, &R.slots[k], 0);
        pthread_cond_destroy(&R.space);
        pthread_mutex_destroy(&R.mu);
        if (R.err_item != SIZE_MAX) {
            *err = R.err;
            ok = false;
        }
    }
    for (size_t k = 0; R.slots && k < R.n_slots; k++) {
        free(R.slots[k].st);
        free(R.slots[k].prepared);
    }
    for (size_t k = 0; R.arenas && k < n_ar; k++)
        folio_arena_free(&R.arenas[k]);
    for (int t = 0; R.maps && t < threads; t++)
        if (R.maps[t])
            munmap(R.maps[t], R.map_len);
    free(R.maps);
    free(R.arenas);
    free(R.free_idx);
    free(R.n_free);
    free(R.slots);
    r->t_make = R.t_make;
    r->t_prepare = R.t_prepare;
    r->t_deliver = R.t_deliver;
    r->t_deflate = R.t_deflate;
    return ok;
}
