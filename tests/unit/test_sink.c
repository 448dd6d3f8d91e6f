/* SPDX-License-Identifier: Apache-2.0 */
/* Unit tests: the ordered ring and the sink interface (src/sink.c,
 * src/sink-text.c).
 *
 * A fake sink records the order add_statement sees and checks each prepared
 * blob belongs to its statement; items are made with uneven delays so
 * threads finish out of order.  Errors from make, prepare and a sink's
 * add_statement must surface as the error of the lowest item, the same at
 * every thread count, with nothing after it delivered and every blob
 * released.  A set of sinks (src/sinks.c, what print.c writes each print
 * file through) whose sink fails mid-run is aborted, every sink in order,
 * none closed, with the first error in item order reported.  The text sink
 * is checked byte for byte and on a full disk. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <omp.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "folio/sink.h"
#include "sinks.h"          /* src/: the set of a print file's sinks */

/* ---- a fake sink ---------------------------------------------------------- */

typedef struct fake {
    size_t n;
    size_t fail_make, fail_prepare, fail_add;   /* item that fails, SIZE_MAX = none */
    size_t *log;                 /* items in the order deliver saw them */
    size_t n_log;
    int prepared, released;      /* blobs made and freed (atomic) */
    bool bad_blob;
} fake;

static fake *g_fake;             /* prepare() only gets its options: this */

static void spin(size_t i)
{
    /* an uneven amount of work per item: threads finish out of order */
    volatile unsigned x = 0;
    unsigned n = (unsigned)((i * 2654435761u) % 20000u);
    for (unsigned k = 0; k < n; k++)
        x += k;
}

/* a statement whose id is its item number (the fakes' deliver checks it) */
static folio_dl_statement *numbered(folio_arena *arena, size_t i)
{
    char id[32];
    snprintf(id, sizeof id, "%zu", i);
    return dlist_statement_new(arena, id, 12240, 15840);
}

static folio_dl_statement *fake_make(void *ctx, size_t i, folio_arena *arena, folio_error *err)
{
    fake *F = ctx;
    spin(i);
    if (i == F->fail_make) {
        folio_error_set(err, FOLIO_EXIT_FAILED, "make failed at %zu", i);
        return NULL;
    }
    return numbered(arena, i);
}

static folio_dl_statement *fake_make_ok(void *ctx, size_t i, folio_arena *arena,
                                        folio_error *err)
{
    (void)ctx, (void)err;
    spin(i);
    return numbered(arena, i);
}

static void *fake_prepare(const void *opt, const folio_dl_statement *st, folio_error *err)
{
    const fake *F = opt;
    size_t i = (size_t)strtoull(st->id, NULL, 10);
    if (i == F->fail_prepare) {
        folio_error_set(err, FOLIO_EXIT_FAILED, "prepare failed at %zu", i);
        return NULL;
    }
    size_t *b = malloc(sizeof *b);
    *b = i;
    __atomic_add_fetch(&g_fake->prepared, 1, __ATOMIC_SEQ_CST);
    return b;
}

static void fake_release(void *p)
{
    __atomic_add_fetch(&g_fake->released, 1, __ATOMIC_SEQ_CST);
    free(p);
}

static bool fake_add(void *self, const folio_dl_statement *st, void *prepared, folio_error *err)
{
    fake *F = self;
    size_t i = (size_t)strtoull(st->id, NULL, 10);
    if (!prepared || *(size_t *)prepared != i)
        F->bad_blob = true;
    if (i == F->fail_add) {
        folio_error_set(err, FOLIO_EXIT_FAILED, "sink failed at %zu", i);
        return false;
    }
    F->log[F->n_log++] = i;
    return true;
}

static const folio_sink_type fake_sink = {
    .name = "fake", .ext = ".fake", .prepare = fake_prepare, .release = fake_release,
    .add_statement = fake_add};

static bool fake_deliver(void *ctx, size_t i, const folio_dl_statement *st,
                         void *const *prepared, folio_error *err)
{
    fake *F = ctx;
    if ((size_t)strtoull(st->id, NULL, 10) != i)
        F->bad_blob = true;
    return fake_sink.add_statement(F, st, prepared[0], err);
}

/* Run the ring over F with `threads` threads, batch `batch`. */
static bool run_fake(fake *F, int threads, uint32_t batch, folio_error *err)
{
    F->n_log = 0;
    F->prepared = F->released = 0;
    F->bad_blob = false;
    free(F->log);
    F->log = calloc(F->n ? F->n : 1, sizeof *F->log);
    g_fake = F;
    const folio_sink_type *types[1] = {&fake_sink};
    const void *opts[1] = {F};
    folio_ring r = {.n = F->n, .batch = batch, .threads = threads, .ctx = F,
                    .make = fake_make, .prep = types, .prep_opt = opts, .n_prep = 1,
                    .deliver = fake_deliver};
    memset(err, 0, sizeof *err);
    return folio_ring_run(&r, err);
}

/* issue 11 (r-speed): a thread composes only into arenas of its own (so
 * its batches' memory stays in its cache and its malloc arena).  Before,
 * a slot's arena was refilled by whichever thread claimed the slot. */
#define AR_MAX 256
typedef struct arena_use {
    const folio_arena *arena[AR_MAX];
    int thread[AR_MAX];
    int n;
    bool shared, overflow;
    pthread_mutex_t mu;
} arena_use;

static folio_dl_statement *arena_make(void *ctx, size_t i, folio_arena *arena,
                                      folio_error *err)
{
    arena_use *U = ctx;
    (void)err;
    spin(i);
    int t = omp_get_thread_num();
    pthread_mutex_lock(&U->mu);
    int k = 0;
    while (k < U->n && U->arena[k] != arena)
        k++;
    if (k == U->n) {
        if (U->n == AR_MAX) {
            U->overflow = true;
        } else {
            U->arena[U->n] = arena;
            U->thread[U->n++] = t;
        }
    } else if (U->thread[k] != t) {
        U->shared = true;
    }
    pthread_mutex_unlock(&U->mu);
    return numbered(arena, i);
}

static bool arena_deliver(void *ctx, size_t i, const folio_dl_statement *st,
                          void *const *prepared, folio_error *err)
{
    (void)ctx, (void)prepared, (void)err;
    return (size_t)strtoull(st->id, NULL, 10) == i;
}

static void test_arena_per_thread(void **state)
{
    (void)state;
    static const int threads[] = {2, 4};
    for (int k = 0; k < 2; k++) {
        arena_use U = {.n = 0};
        pthread_mutex_init(&U.mu, NULL);
        folio_ring r = {.n = 3000, .batch = 1, .threads = threads[k], .ctx = &U,
                        .make = arena_make, .n_prep = 0, .deliver = arena_deliver};
        folio_error err = {0};
        assert_true(folio_ring_run(&r, &err));
        assert_false(U.overflow);
        assert_false(U.shared);
        assert_true(U.n >= 1);
        pthread_mutex_destroy(&U.mu);
    }
}

/* issue 11 (r-twothr): the arenas' first blocks live in a mapping per
 * thread and are reused batch after batch without being cleared: each item
 * fills memory of its own (calloc'd: zeros, whatever a batch before left
 * there; some items larger than the first block, so blocks are malloc'd and
 * freed too), and the statement delivered still holds its own bytes, never
 * another item's made into the same arena later. */
typedef struct reuse_fake {
    size_t n;
    unsigned char **mem;          /* [n] the item's bytes */
    size_t *len;
    bool dirty, mixed;
} reuse_fake;

static size_t reuse_len(size_t i)
{
    return i % 5 == 0 ? 200000 + i % 7 * 1000 : 30000 + i % 11 * 100;
}

static folio_dl_statement *reuse_make(void *ctx, size_t i, folio_arena *arena,
                                      folio_error *err)
{
    reuse_fake *F = ctx;
    (void)err;
    size_t len = reuse_len(i);
    unsigned char *m = folio_arena_calloc(arena, len);
    if (!m)
        return NULL;
    for (size_t k = 0; k < len; k += 61)
        if (m[k])
            F->dirty = true;            /* written by the ring: one thread per item */
    memset(m, (int)(i * 7 + 1) & 0xff, len);
    F->mem[i] = m;
    F->len[i] = len;
    return numbered(arena, i);
}

static bool reuse_deliver(void *ctx, size_t i, const folio_dl_statement *st,
                          void *const *prepared, folio_error *err)
{
    reuse_fake *F = ctx;
    (void)prepared, (void)err;
    unsigned char want = (unsigned char)((i * 7 + 1) & 0xff);
    for (size_t k = 0; k < F->len[i]; k += 13)
        if (F->mem[i][k] != want)
            F->mixed = true;
    if (F->mem[i][F->len[i] - 1] != want)
        F->mixed = true;
    return (size_t)strtoull(st->id, NULL, 10) == i;
}

static void test_arena_reuse(void **state)
{
    (void)state;
    static const int thr[] = {1, 2, 3, 16};
    static const uint32_t bat[] = {1, 8};
    for (int t = 0; t < 4; t++)
        for (int b = 0; b < 2; b++) {
            reuse_fake F = {.n = 1500};
            F.mem = calloc(F.n, sizeof *F.mem);
            F.len = calloc(F.n, sizeof *F.len);
            folio_ring r = {.n = F.n, .batch = bat[b], .threads = thr[t], .ctx = &F,
                            .make = reuse_make, .n_prep = 0, .deliver = reuse_deliver};
            folio_error err = {0};
            assert_true(folio_ring_run(&r, &err));
            assert_false(F.dirty);
            assert_false(F.mixed);
            free(F.mem);
            free(F.len);
        }
}

/* issue 11 (r-twothr): the writer's turn stays on team thread 0; another
 * thread takes it only when half the slots wait ready.  With a slow sink
 * (deliveries cost as much as making) and 3 or 16 threads the backlog
 * builds and other threads write too; whatever the mix, every item is
 * delivered once, in order, by the thread that holds the turn. */
typedef struct turn_fake {
    size_t n, next;
    bool bad;
    int slow;
    size_t by_thread[32];
} turn_fake;

static bool turn_deliver(void *ctx, size_t i, const folio_dl_statement *st,
                         void *const *prepared, folio_error *err)
{
    turn_fake *T = ctx;
    (void)prepared, (void)err;
    if (T->slow)
        spin(i * 3 + 1);
    if (i != T->next++ || (size_t)strtoull(st->id, NULL, 10) != i)
        T->bad = true;
    int t = omp_get_thread_num();
    T->by_thread[t >= 0 && t < 32 ? t : 31]++;
    return true;
}

static void test_writer_turn(void **state)
{
    (void)state;
    static const int thr[] = {2, 3, 16};
    for (int slow = 0; slow < 2; slow++)
        for (int k = 0; k < 3; k++) {
            turn_fake T = {.n = 4000, .slow = slow};
            folio_ring r = {.n = T.n, .batch = 2, .threads = thr[k], .ctx = &T,
                            .make = fake_make_ok, .n_prep = 0, .deliver = turn_deliver};
            folio_error err = {0};
            assert_true(folio_ring_run(&r, &err));
            assert_false(T.bad);
            assert_int_equal(T.next, T.n);
            size_t sum = 0;
            for (int t = 0; t < 32; t++)
                sum += T.by_thread[t];
            assert_int_equal(sum, T.n);
            /* thread 0's share (72-99% in 8 runs at load 11, ~50% before)
             * depends on the scheduler, so it is printed, not asserted: a
             * test that fails under valgrind's one-thread-at-a-time
             * scheduling or a loaded CI machine would test the machine */
            if (thr[k] == 2 && !slow)
                print_message("thread 0 delivered %zu of %zu\n", T.by_thread[0], T.n);
        }
}

static const int THREADS[] = {1, 2, 3, 4, 16};
static const uint32_t BATCHES[] = {1, 3, 16};

static void test_order(void **state)
{
    (void)state;
    fake F = {.n = 2000, .fail_make = SIZE_MAX, .fail_prepare = SIZE_MAX,
              .fail_add = SIZE_MAX};
    for (size_t t = 0; t < sizeof THREADS / sizeof *THREADS; t++)
        for (size_t b = 0; b < sizeof BATCHES / sizeof *BATCHES; b++) {
            folio_error err;
            assert_true(run_fake(&F, THREADS[t], BATCHES[b], &err));
            assert_int_equal(F.n_log, F.n);
            for (size_t i = 0; i < F.n; i++)
                assert_int_equal(F.log[i], i);
            assert_false(F.bad_blob);
            assert_int_equal(F.prepared, (int)F.n);
            assert_int_equal(F.released, F.prepared);
        }
    /* nothing to do is fine */
    fake E = {.n = 0, .fail_make = SIZE_MAX, .fail_prepare = SIZE_MAX, .fail_add = SIZE_MAX};
    folio_error err;
    assert_true(run_fake(&E, 4, 8, &err));
    assert_int_equal(E.n_log, 0);
    free(F.log);
    free(E.log);
}

/* The error of the lowest item wins, whatever failed and however many
 * threads: items before it are all delivered, none after it. */
static void check_error(size_t fm, size_t fp, size_t fa, size_t first, const char *msg)
{
    fake F = {.n = 3000, .fail_make = fm, .fail_prepare = fp, .fail_add = fa};
    for (size_t t = 0; t < sizeof THREADS / sizeof *THREADS; t++)
        for (size_t b = 0; b < sizeof BATCHES / sizeof *BATCHES; b++) {
            folio_error err;
            assert_false(run_fake(&F, THREADS[t], BATCHES[b], &err));
            assert_int_equal(err.code, FOLIO_EXIT_FAILED);
            assert_string_equal(err.msg, msg);
            assert_int_equal(F.n_log, first);
            for (size_t i = 0; i < F.n_log; i++)
                assert_int_equal(F.log[i], i);
            assert_false(F.bad_blob);
            assert_int_equal(F.released, F.prepared);   /* no blob leaked */
        }
    free(F.log);
}

static void test_make_error(void **state)
{
    (void)state;
    check_error(1234, SIZE_MAX, SIZE_MAX, 1234, "make failed at 1234");
    /* two failures: the lower item's message, even when a later one is
     * found first */
    check_error(2900, SIZE_MAX, 17, 17, "sink failed at 17");
    check_error(41, SIZE_MAX, 2000, 41, "make failed at 41");
}

static void test_prepare_error(void **state)
{
    (void)state;
    check_error(SIZE_MAX, 777, SIZE_MAX, 777, "prepare failed at 777");
    check_error(900, 901, SIZE_MAX, 900, "make failed at 900");
    /* issue 11: a batch is made first, then prepared -- a prepare failure
     * before a make failure in the same batch still wins */
    check_error(901, 900, SIZE_MAX, 900, "prepare failed at 900");
    check_error(1003, 1001, 1000, 1000, "sink failed at 1000");
}

/* issue 11: the ring sums the deflate share its sinks report for each blob
 * (sink type deflate_s), part of its prepare time, at any thread count.
 * r-pwrite: the sinks report busy time, the ring splits each batch's
 * prepare time in that proportion, never more than all of it. */
static double g_deflate_each;

static double fake_deflate_s(const void *prepared)
{
    (void)prepared;
    return g_deflate_each;
}

static void test_deflate_split(void **state)
{
    (void)state;
    fake F = {.n = 400, .fail_make = SIZE_MAX, .fail_prepare = SIZE_MAX,
              .fail_add = SIZE_MAX};
    folio_sink_type t = fake_sink;
    t.deflate_s = fake_deflate_s;
    for (size_t k = 0; k < 2 * sizeof THREADS / sizeof *THREADS; k++) {
        /* 0.25 s a blob: more than its batch's prepare took, so all of it;
         * 1 ns a blob: some of it, not all */
        g_deflate_each = k % 2 ? 1e-9 : 0.25;
        F.n_log = 0;
        F.prepared = F.released = 0;
        free(F.log);
        F.log = calloc(F.n, sizeof *F.log);
        g_fake = &F;
        const folio_sink_type *types[1] = {&t};
        const void *opts[1] = {&F};
        folio_ring r = {.n = F.n, .batch = 8, .threads = THREADS[k / 2], .ctx = &F,
                        .make = fake_make, .prep = types, .prep_opt = opts, .n_prep = 1,
                        .deliver = fake_deliver};
        folio_error err = {0};
        assert_true(folio_ring_run(&r, &err));
        assert_int_equal(F.n_log, F.n);
        assert_true(r.t_make >= 0 && r.t_prepare > 0 && r.t_deliver >= 0);
        if (k % 2 == 0)
            assert_true(r.t_deflate == r.t_prepare);   /* the same sums */
        else
            assert_true(r.t_deflate > 0 && r.t_deflate < r.t_prepare);
    }
    /* a type without deflate_s adds nothing */
    folio_error err;
    assert_true(run_fake(&F, 2, 8, &err));
    free(F.log);
}

static void test_sink_error(void **state)
{
    (void)state;
    check_error(SIZE_MAX, SIZE_MAX, 0, 0, "sink failed at 0");
    check_error(SIZE_MAX, SIZE_MAX, 2999, 2999, "sink failed at 2999");
    check_error(SIZE_MAX, 2500, 1500, 1500, "sink failed at 1500");
}


/* ---- a set of sinks that fails mid-run (src/sinks.c) ---------------------- */

/* What the three fake sinks of a set saw, in order: 'o'pen, 'a'dd, 'c'lose,
 * 'x' abort.  add, close and abort run on the writer's turn, one at a time. */
#define SET_N 3
#define EV_MAX 8192
typedef struct set_ev {
    char kind;
    int sink;
    size_t item;
} set_ev;

typedef struct set_fake {
    size_t n;                    /* items */
    size_t fail_add[SET_N];      /* item whose add fails in sink j, SIZE_MAX none */
    bool fail_close[SET_N];
    set_ev ev[EV_MAX];
    size_t n_ev;
    bool overflow, bad_blob;
    int prepared, released;
} set_fake;

typedef struct set_sink {
    set_fake *F;
    int j;
} set_sink;

static set_fake *g_set;
static const int SET_IDS[SET_N] = {0, 1, 2};   /* the types' options: their index */

static void set_log(set_fake *F, char kind, int j, size_t item)
{
    if (F->n_ev == EV_MAX) {
        F->overflow = true;
        return;
    }
    F->ev[F->n_ev++] = (set_ev){kind, j, item};
}

static void *set_open(const void *opt, const char *path, folio_error *err)
{
    (void)path, (void)err;
    set_sink *k = malloc(sizeof *k);
    *k = (set_sink){g_set, *(const int *)opt};
    set_log(g_set, 'o', k->j, 0);
    return k;
}

static void *set_prepare(const void *opt, const folio_dl_statement *st, folio_error *err)
{
    (void)err;
    size_t *b = malloc(2 * sizeof *b);
    b[0] = (size_t)strtoull(st->id, NULL, 10);
    b[1] = (size_t)*(const int *)opt;
    __atomic_add_fetch(&g_set->prepared, 1, __ATOMIC_SEQ_CST);
    return b;
}

static void set_release(void *p)
{
    __atomic_add_fetch(&g_set->released, 1, __ATOMIC_SEQ_CST);
    free(p);
}

static bool set_add(void *self, const folio_dl_statement *st, void *prepared, folio_error *err)
{
    set_sink *k = self;
    size_t i = (size_t)strtoull(st->id, NULL, 10);
    const size_t *b = prepared;
    if (!b || b[0] != i || b[1] != (size_t)k->j)
        k->F->bad_blob = true;
    set_log(k->F, 'a', k->j, i);
    if (i == k->F->fail_add[k->j]) {
        folio_error_set(err, FOLIO_EXIT_FAILED, "sink %d failed at %zu", k->j, i);
        return false;
    }
    return true;
}

static bool set_close(void *self, folio_sink_result *res, folio_error *err)
{
    set_sink *k = self;
    set_log(k->F, 'c', k->j, 0);
    bool ok = !k->F->fail_close[k->j];
    if (!ok)
        folio_error_set(err, FOLIO_EXIT_FAILED, "sink %d: close failed", k->j);
    *res = (folio_sink_result){.statements = (uint32_t)k->j};
    free(k);
    return ok;
}

static void set_abort(void *self)
{
    set_sink *k = self;
    set_log(k->F, 'x', k->j, 0);
    free(k);
}

static const folio_sink_type set_type = {
    .name = "fake", .ext = ".fake", .open = set_open, .prepare = set_prepare,
    .release = set_release, .add_statement = set_add, .close = set_close, .abort = set_abort};

static bool set_deliver(void *ctx, size_t i, const folio_dl_statement *st,
                        void *const *prepared, folio_error *err)
{
    (void)i;
    return folio_sinks_add(ctx, st, prepared, err);
}

/* Open a set of three fake sinks on files in a fresh directory, run the
 * ring into it with `threads`, then finish it as print.c does: closed if
 * the ring succeeded, aborted if not.  Returns the result; err as set. */
static bool run_set(set_fake *F, int threads, folio_error *err)
{
    F->n_ev = 0;
    F->overflow = F->bad_blob = false;
    F->prepared = F->released = 0;
    g_set = F;
    char dir[] = "/tmp/folio-test-sinks-XXXXXX";
    assert_non_null(mkdtemp(dir));
    char p[SET_N][64];
    char *paths[SET_N];
    for (int j = 0; j < SET_N; j++) {
        snprintf(p[j], sizeof p[j], "%s/f%d.fake", dir, j);
        paths[j] = p[j];
    }
    folio_sinks S = {.n = SET_N};
    const folio_sink_type *types[SET_N];
    const void *opts[SET_N];
    for (int j = 0; j < SET_N; j++) {
        S.type[j] = types[j] = &set_type;
        S.opt[j] = opts[j] = &SET_IDS[j];
    }
    memset(err, 0, sizeof *err);
    assert_true(folio_sinks_open(&S, paths, err));
    assert_true(S.open);
    folio_ring r = {.n = F->n, .batch = 4, .threads = threads, .ctx = &S,
                    .make = fake_make_ok, .prep = types, .prep_opt = opts, .n_prep = SET_N,
                    .deliver = set_deliver};
    bool ok = folio_ring_run(&r, err);
    folio_sink_result res[SET_N];
    folio_sink_result *rp[SET_N] = {&res[0], &res[1], &res[2]};
    ok = folio_sinks_finish(&S, ok, rp, err);
    assert_false(S.open);
    for (int j = 0; j < SET_N; j++) {
        assert_int_equal(access(p[j], F_OK), 0);   /* created before open */
        unlink(p[j]);
    }
    rmdir(dir);
    assert_false(F->overflow);
    assert_false(F->bad_blob);
    assert_int_equal(F->released, F->prepared);   /* no blob leaked */
    return ok;
}

/* The events after the opens and adds: what the end of the run did. */
static const char *set_tail(const set_fake *F, char *buf, size_t cap)
{
    size_t k = F->n_ev, l = 0;
    while (k > 0 && F->ev[k - 1].kind != 'a')
        k--;
    buf[0] = 0;
    for (; k < F->n_ev && l + 4 < cap; k++)
        l += (size_t)snprintf(buf + l, cap - l, "%c%d ", F->ev[k].kind, F->ev[k].sink);
    return buf;
}

/* Adds: every sink gets items 0..last-1 in order, sink by sink per item;
 * at item `last`, sinks 0..upto (the one that failed) and no others. */
static void check_adds(const set_fake *F, size_t last, int upto)
{
    size_t k = 0;
    for (int j = 0; j < SET_N; j++, k++)
        assert_true(F->ev[k].kind == 'o' && F->ev[k].sink == j);
    for (size_t i = 0; i <= last && i < F->n; i++)
        for (int j = 0; j < SET_N; j++) {
            if (i == last && j > upto)
                break;
            assert_true(F->ev[k].kind == 'a');
            assert_int_equal(F->ev[k].sink, j);
            assert_int_equal(F->ev[k].item, i);
            k++;
        }
    assert_true(k == F->n_ev || F->ev[k].kind != 'a');
}

static void test_set_abort(void **state)
{
    (void)state;
    static const int thr[] = {1, 2, 16};
    static set_fake F;
    char tail[256];
    for (size_t t = 0; t < sizeof thr / sizeof *thr; t++) {
        folio_error err;
        /* all well: every sink closed, in order, none aborted */
        F = (set_fake){.n = 600, .fail_add = {SIZE_MAX, SIZE_MAX, SIZE_MAX}};
        assert_true(run_set(&F, thr[t], &err));
        check_adds(&F, F.n, SET_N - 1);
        assert_string_equal(set_tail(&F, tail, sizeof tail), "c0 c1 c2 ");

        /* sink 1 fails at item 401: its error; sink 2 never sees 401; every
         * sink aborted in order, none closed */
        F = (set_fake){.n = 600, .fail_add = {SIZE_MAX, 401, SIZE_MAX}};
        assert_false(run_set(&F, thr[t], &err));
        assert_int_equal(err.code, FOLIO_EXIT_FAILED);
        assert_string_equal(err.msg, "sink 1 failed at 401");
        check_adds(&F, 401, 1);
        assert_string_equal(set_tail(&F, tail, sizeof tail), "x0 x1 x2 ");

        /* two sinks fail: the first in item order wins, whichever sink */
        F = (set_fake){.n = 600, .fail_add = {523, SIZE_MAX, 77}};
        assert_false(run_set(&F, thr[t], &err));
        assert_string_equal(err.msg, "sink 2 failed at 77");
        check_adds(&F, 77, 2);
        assert_string_equal(set_tail(&F, tail, sizeof tail), "x0 x1 x2 ");
        /* ... and in one item, the first sink's */
        F = (set_fake){.n = 600, .fail_add = {SIZE_MAX, 300, 300}};
        assert_false(run_set(&F, thr[t], &err));
        assert_string_equal(err.msg, "sink 1 failed at 300");
        check_adds(&F, 300, 1);
        assert_string_equal(set_tail(&F, tail, sizeof tail), "x0 x1 x2 ");
        /* the very first and the very last item */
        F = (set_fake){.n = 600, .fail_add = {0, SIZE_MAX, SIZE_MAX}};
        assert_false(run_set(&F, thr[t], &err));
        assert_string_equal(err.msg, "sink 0 failed at 0");
        assert_string_equal(set_tail(&F, tail, sizeof tail), "x0 x1 x2 ");
        F = (set_fake){.n = 600, .fail_add = {SIZE_MAX, SIZE_MAX, 599}};
        assert_false(run_set(&F, thr[t], &err));
        assert_string_equal(err.msg, "sink 2 failed at 599");
        check_adds(&F, 599, 2);
        assert_string_equal(set_tail(&F, tail, sizeof tail), "x0 x1 x2 ");

        /* a close that fails: its error, the sinks after it aborted */
        F = (set_fake){.n = 600, .fail_add = {SIZE_MAX, SIZE_MAX, SIZE_MAX},
                       .fail_close = {false, true, false}};
        assert_false(run_set(&F, thr[t], &err));
        assert_string_equal(err.msg, "sink 1: close failed");
        assert_string_equal(set_tail(&F, tail, sizeof tail), "c0 c1 x2 ");
    }
}

/* A set whose second file cannot be created: the first sink, already open,
 * is aborted; nothing is left open. */
static void test_set_open_fails(void **state)
{
    (void)state;
    static set_fake F;
    F = (set_fake){.n = 1};
    g_set = &F;
    char dir[] = "/tmp/folio-test-sinks-XXXXXX";
    assert_non_null(mkdtemp(dir));
    char p0[64], p1[80];
    snprintf(p0, sizeof p0, "%s/f0.fake", dir);
    snprintf(p1, sizeof p1, "%s/no-such-dir/f1.fake", dir);
    char *paths[2] = {p0, p1};
    folio_sinks S = {.n = 2, .type = {&set_type, &set_type}, .opt = {&SET_IDS[0], &SET_IDS[1]}};
    folio_error err = {0};
    assert_false(folio_sinks_open(&S, paths, &err));
    assert_non_null(strstr(err.msg, "no-such-dir/f1.fake: cannot create"));
    assert_false(S.open);
    assert_null(S.self[0]);
    assert_int_equal(F.n_ev, 2);
    assert_true(F.ev[0].kind == 'o' && F.ev[1].kind == 'x' && F.ev[1].sink == 0);
    /* finishing a set that is not open does nothing */
    assert_false(folio_sinks_finish(&S, false, NULL, &err));
    assert_int_equal(F.n_ev, 2);
    unlink(p0);
    rmdir(dir);
}

/* ---- the text sink ------------------------------------------------------- */

static folio_dl_statement *two_pages(folio_arena *a, const char *id, bool blank_back)
{
    folio_dl_statement *st = dlist_statement_new(a, id, 12240, 15840);
    folio_dl_page *pg = dlist_page_add(st);
    /* out of order on purpose: lines by y, runs by x */
    dlist_page_add_text(st, pg, 0, 180, 1440, 2000, 0, "world", 5, true);
    dlist_page_add_text(st, pg, 0, 180, 0, 1000, 0, "Title", 5, true);
    dlist_page_add_text(st, pg, 0, 180, 0, 2000, 0, "hello", 5, true);
    dlist_page_add_text(st, pg, 0, 180, 100, 2000, 0, "\xC3\xA9t\x0C", 4, true);
    dlist_page_add_rule(st, pg, 0, 0, 100, 100, 20, 0);
    pg = dlist_page_add(st);
    dlist_page_add_text(st, pg, 0, 180, 288, 500, 0, "p2", 2, true);
    if (blank_back)
        dlist_page_add(st)->blank_back = true;
    return st;
}

static void test_text_sink(void **state)
{
    (void)state;
    char path[] = "/tmp/folio-test-sink-XXXXXX";
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    close(fd);
    folio_sink_text_options o = {0};
    folio_error err = {0};
    const folio_sink_type *T = &folio_sink_text;
    void *s = T->open(&o, path, &err);
    assert_non_null(s);
    folio_arena a;
    folio_arena_init(&a, 65536);
    for (int k = 0; k < 2; k++) {
        folio_dl_statement *st = two_pages(&a, k ? "B" : "A", k == 1);
        void *p = T->prepare(&o, st, &err);
        assert_non_null(p);
        assert_true(T->add_statement(s, st, p, &err));
        T->release(p);
    }
    folio_sink_result res;
    assert_true(T->close(s, &res, &err));
    assert_int_equal(res.pages, 5);
    assert_int_equal(res.statements, 2);
    assert_int_equal(res.substituted, 2);      /* the form feed in the text, twice */
    assert_int_equal(res.substituted_ex[0], 0x0C);
    char buf[512];
    FILE *f = fopen(path, "rb");
    size_t n = fread(buf, 1, sizeof buf - 1, f);
    fclose(f);
    buf[n] = 0;
    const char *page1 = "Title\nhello \xC3\xA9t? world\n";
    char want[512];
    snprintf(want, sizeof want, "%s\f  p2\n\f%s\f  p2\n\f", page1, page1);
    assert_string_equal(buf, want);
    assert_int_equal(res.bytes, strlen(want));
    unlink(path);

    /* a sink that cannot write says so, naming the file */
    s = T->open(&o, "/dev/full", &err);
    assert_non_null(s);
    folio_dl_statement *st = two_pages(&a, "C", false);
    void *p = T->prepare(&o, st, &err);
    bool ok = T->add_statement(s, st, p, &err);
    T->release(p);
    if (ok)
        ok = T->close(s, &res, &err);
    else
        T->abort(s);
    assert_false(ok);
    assert_non_null(strstr(err.msg, "/dev/full: cannot write"));
    memset(&err, 0, sizeof err);
    assert_null(T->open(&o, "/nonexistent-dir/x.txt", &err));
    assert_non_null(strstr(err.msg, "/nonexistent-dir/x.txt: cannot open"));
    folio_arena_free(&a);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_order),
        cmocka_unit_test(test_arena_per_thread),   /* issue 11 (r-speed) */
        cmocka_unit_test(test_arena_reuse),        /* issue 11 (r-twothr) */
        cmocka_unit_test(test_writer_turn),
        cmocka_unit_test(test_make_error),
        cmocka_unit_test(test_prepare_error),
        cmocka_unit_test(test_deflate_split),
        cmocka_unit_test(test_sink_error),
        cmocka_unit_test(test_set_abort),        /* issue 11: abort of a sink set */
        cmocka_unit_test(test_set_open_fails),
        cmocka_unit_test(test_text_sink),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
