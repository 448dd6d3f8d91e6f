/* SPDX-License-Identifier: Apache-2.0 */
/*
 * feed.c -- loading a job's feeds: the dataset, the parallel schedule, merge
 * of chunk results in file order, rejects.csv.
 *
 * feed_load_all():
 *   1. open + mmap every feed file (serial, cheap);
 *   2. prepare every feed in parallel: BOM, header, column map, chunk
 *      boundaries (feed-parse.c);
 *   3. one parallel loop over tasks: the SHA-256 of each file, and every chunk
 *      of every feed (dynamic schedule, any order);
 *   4. merge chunk results feed by feed, chunk by chunk (serial; line numbers
 *      get each chunk's prefix sum of LFs), so tables and rejects are the same
 *      for any thread count;
 *   5. feed_resolve(); then the raw text of rows rejected by resolve is read
 *      back from the still-mapped files.
 */
#include "feed-private.h"
#include "tabspill.h"   /* issue 12 part 1 */
#include "folio/events.h"
#include "folio/transcode.h"

#include <errno.h>
#include <fcntl.h>
#include <omp.h>
#include <signal.h>
#include <time.h>
#include <openssl/evp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

/* ---- dataset ------------------------------------------------------------------ */

folio_dataset *feed_dataset_new(int n_feeds)
{
    if (n_feeds < 0 || n_feeds > UINT16_MAX)
        return NULL;
    folio_dataset *ds = calloc(1, sizeof *ds);
    struct feed_pool *pool = calloc(1, sizeof *pool);
    folio_feed_stats *st = calloc((size_t)n_feeds + 1, sizeof *st);
    feed_info *fi = calloc((size_t)n_feeds + 1, sizeof *fi);
    if (!ds || !pool || !st || !fi) {
        free(ds);
        free(pool);
        free(st);
        free(fi);
        return NULL;
    }
    feed_strpool_init(&pool->main);
    pool->feeds = fi;
    ds->pool = pool;
    ds->stats = st;
    ds->n_feeds = n_feeds;
    return ds;
}

uint64_t feed_spilled_bytes(const folio_dataset *ds)
{
    return ds && ds->pool && ds->pool->spill ? ds->pool->spill->peak : 0;
}

/* issue 12 part 1 */
void feed_pool_free_table(struct feed_pool *pool, void *p)
{
    if (!pool || !pool->spill || !tabspill_release(pool->spill, p))
        free(p);
}

void *feed_pool_scratch(struct feed_pool *pool, size_t bytes)
{
    void *p = NULL;
    folio_error e = {0};
    if (pool && pool->spill && bytes && tabspill_grow(pool->spill, &p, 0, bytes, &e))
        return p;
    return calloc(1, bytes ? bytes : 1);    /* no work file: in memory, same result */
}

void feed_pool_tick(const struct feed_pool *pool)
{
    if (pool && pool->spill)
        tabspill_tick(pool->spill, 1);
}

void feed_dataset_free(folio_dataset *ds)
{
    if (!ds)
        return;
    folio_exceptions_free(&ds->exceptions);
    struct feed_pool *pool = ds->pool;
    if (pool && pool->spill) {          /* issue 12 part 1: the spilled tables */
        folio_tabspill *sp = pool->spill;
        void **tabs[] = {(void **)&ds->txns, (void **)&pool->txn_acct,
                         (void **)&ds->customers, (void **)&ds->accounts,
                         (void **)&ds->holders, (void **)&ds->contacts};
        for (size_t i = 0; i < sizeof tabs / sizeof *tabs; i++)
            if (tabspill_owns(sp, *tabs[i]))
                *tabs[i] = NULL;
        tabspill_close(sp);
        pthread_mutex_destroy(&sp->mu);
        free(sp);
        pool->spill = NULL;
    }
    if (pool) {
        feed_strpool_free(&pool->main);
        for (size_t i = 0; i < pool->n_arenas; i++)
            folio_arena_free(&pool->arenas[i]);
        free(pool->arenas);
        free(pool->txn_acct);
        for (int f = 0; pool->feeds && f < ds->n_feeds; f++)
            attrs_stage_free(&pool->feeds[f].ast);
        free(pool->feeds);
        free(pool->rej_customers.v);
        free(pool->rej_accounts.v);
        free(pool->needs_raw);
        free(pool);
    }
    free(ds->customers);
    free(ds->accounts);
    free(ds->txns);
    free(ds->contacts);
    free(ds->holders);
    free(ds->responses);
    free(ds->events);            /* issue 15 part 2 */
    free(ds->event_idx);
    free(ds->event_first);
    free(ds->customer_role);
    free(ds->rejects);
    free(ds->stats);
    for (int r = 0; r < 3; r++)
        free(ds->attr_vals[r]);
    free(ds->attr_codes);        /* issue 10 audit */
    free(ds);
}

bool feed_pool_adopt(struct feed_pool *pool, feed_strpool *sp)
{
    feed_strpool_forget(sp);
    if (!sp->arena.head)
        return true;
    if (pool->n_arenas == pool->cap_arenas) {
        size_t nc = pool->cap_arenas ? pool->cap_arenas * 2 : 64;
        folio_arena *na = realloc(pool->arenas, nc * sizeof *na);
        if (!na)
            return false;
        pool->arenas = na;
        pool->cap_arenas = nc;
    }
    pool->arenas[pool->n_arenas++] = sp->arena;   /* ownership moves */
    folio_arena_init(&sp->arena, sp->arena.block_size);
    sp->cur = NULL;
    sp->left = 0;
    return true;
}

bool feed_idlist_push(feed_idlist *l, const char *s)
{
    if (l->n == l->cap) {
        size_t nc = l->cap ? l->cap * 2 : 64;
        const char **nv = realloc(l->v, nc * sizeof *nv);
        if (!nv)
            return false;
        l->v = nv;
        l->cap = nc;
    }
    l->v[l->n++] = s;
    return true;
}

static bool reserve(void **p, size_t *cap, size_t need, size_t elem)
{
    if (need <= *cap)
        return true;
    size_t nc = *cap ? *cap : 1024;
    while (nc < need)
        nc += nc / 2 + 1024;
    void *np = realloc(*p, nc * elem);
    if (!np)
        return false;
    *p = np;
    *cap = nc;
    return true;
}

/* issue 12 part 1: reserve() for a table kept in the pool's work files
 * (tabspill.h): it grows there from the first chunk, so the load never
 * holds it in anonymous memory. */
static bool spill_reserve(struct feed_pool *pool, void **p, size_t *cap, size_t need,
                          size_t elem, folio_error *err)
{
    if (need <= *cap)
        return true;
    size_t nc = *cap ? *cap : 1024;
    while (nc < need)
        nc += nc / 2 + 1024;
    if (!tabspill_grow(pool->spill, p, *cap * elem, nc * elem, err))
        return false;
    *cap = nc;
    return true;
}

static const char *display_name(const folio_feed_def *def)
{
    if (def->path && *def->path) {
        const char *s = strrchr(def->path, '/');
        return s ? s + 1 : def->path;
    }
    return def->name && *def->name ? def->name : "feed";
}

/* ---- merge ---------------------------------------------------------------------- */

/* Merging is ordered: chunk c of a feed is merged only after chunks 0..c-1,
 * feed f only after feeds 0..f-1; the loaders call merge_ready() whenever a
 * chunk finishes, so a chunk's arrays live only between its parse and its
 * merge (memory bounded by the chunks in flight, not the whole file). */

static void merge_begin(folio_dataset *ds, feed_ctx *ctx)
{
    struct feed_pool *pool = ds->pool;
    feed_info *info = &pool->feeds[ctx->feed_index];
    info->fname = feed_strpool_copy(&pool->main, ctx->fname, strlen(ctx->fname));
    if (!info->fname)
        folio_error_set(&ctx->err, FOLIO_EXIT_FAILED, "%s: out of memory while loading",
                        ctx->fname);
    for (int f = 0; f < FOLIO_F__COUNT; f++)
        info->col[f] = ctx->map[f] >= 0 ? ctx->cols[ctx->map[f]] : "";
    info->loaded = true;
    info->def = ctx->def;
    ctx->next_line = ctx->body_line;
}

static bool merge_chunk(folio_dataset *ds, feed_ctx *ctx, feed_chunk *ch)
{
    struct feed_pool *pool = ds->pool;
    folio_feed_stats *st = &ds->stats[ctx->feed_index];
    if (ch->oom)
        goto oom;
    if (ctx->next_line + ch->lines > UINT32_MAX) {
        folio_error_set(&ctx->err, FOLIO_EXIT_FAILED, "%s: more than 4 billion lines",
                        ctx->fname);
        return false;
    }
    if (pool->spill &&                  /* issue 12 part 1: records grow in work files */
        (!spill_reserve(pool, (void **)&ds->customers, &pool->cap_customers,
                        ds->n_customers + ch->n_cust, sizeof *ds->customers, &ctx->err) ||
         !spill_reserve(pool, (void **)&ds->accounts, &pool->cap_accounts,
                        ds->n_accounts + ch->n_acct, sizeof *ds->accounts, &ctx->err) ||
         !spill_reserve(pool, (void **)&ds->contacts, &pool->cap_contacts,
                        ds->n_contacts + ch->n_con, sizeof *ds->contacts, &ctx->err) ||
         !spill_reserve(pool, (void **)&ds->holders, &pool->cap_holders,
                        ds->n_holders + ch->n_hold, sizeof *ds->holders, &ctx->err)))
        return false;
    if (!reserve((void **)&ds->customers, &pool->cap_customers, ds->n_customers + ch->n_cust,
                 sizeof *ds->customers) ||
        !reserve((void **)&ds->accounts, &pool->cap_accounts, ds->n_accounts + ch->n_acct,
                 sizeof *ds->accounts) ||
        !reserve((void **)&ds->contacts, &pool->cap_contacts, ds->n_contacts + ch->n_con,
                 sizeof *ds->contacts) ||
        !reserve((void **)&ds->holders, &pool->cap_holders, ds->n_holders + ch->n_hold,
                 sizeof *ds->holders) ||
        !reserve((void **)&ds->responses, &pool->cap_responses,       /* issue 15 part 4 */
                 ds->n_responses + ch->n_resp, sizeof *ds->responses) ||
        !reserve((void **)&ds->events, &pool->cap_events, ds->n_events + ch->n_ev,
                 sizeof *ds->events))                   /* issue 15 part 2 */
        goto oom;
    if (pool->spill && ds->n_txns + ch->n_txn > pool->cap_txns) {   /* issue 12 part 1 */
        size_t cap = pool->cap_txns ? pool->cap_txns : 1024;
        while (cap < ds->n_txns + ch->n_txn)
            cap += cap / 2 + 1024;
        if (!tabspill_grow(pool->spill, (void **)&ds->txns, pool->cap_txns * sizeof *ds->txns,
                           cap * sizeof *ds->txns, &ctx->err) ||
            !tabspill_grow(pool->spill, (void **)&pool->txn_acct,
                           pool->cap_txns * sizeof *pool->txn_acct,
                           cap * sizeof *pool->txn_acct, &ctx->err))
            return false;
        pool->cap_txns = cap;
    }
    if (ds->n_txns + ch->n_txn > pool->cap_txns) {
        size_t cap = pool->cap_txns, cap2 = pool->cap_txns;
        if (!reserve((void **)&ds->txns, &cap, ds->n_txns + ch->n_txn, sizeof *ds->txns) ||
            !reserve((void **)&pool->txn_acct, &cap2, cap, sizeof *pool->txn_acct))
            goto oom;
        pool->cap_txns = cap;
    }
    if (ds->n_rejects + ch->n_rej > pool->cap_rejects) {
        size_t cap = pool->cap_rejects, cap2 = pool->cap_rejects;
        if (!reserve((void **)&ds->rejects, &cap, ds->n_rejects + ch->n_rej, sizeof *ds->rejects) ||
            !reserve((void **)&pool->needs_raw, &cap2, cap, 1))
            goto oom;
        pool->cap_rejects = cap;
    }
    const uint32_t b = (uint32_t)ctx->next_line;
    for (size_t i = 0; i < ch->n_cust; i++) {
        folio_customer *x = &ds->customers[ds->n_customers++];
        *x = ch->cust[i];
        x->line += b;
    }
    for (size_t i = 0; i < ch->n_acct; i++) {
        folio_account *x = &ds->accounts[ds->n_accounts++];
        *x = ch->acct[i];
        x->line += b;
    }
    if (ch->n_txn)
        memcpy(pool->txn_acct + ds->n_txns, ch->txn_acct, ch->n_txn * sizeof *ch->txn_acct);
    for (size_t i = 0; i < ch->n_txn; i++) {
        folio_txn *x = &ds->txns[ds->n_txns++];
        *x = ch->txn[i];
        x->line += b;
    }
    if (ch->n_con)
        memcpy(ds->contacts + ds->n_contacts, ch->con, ch->n_con * sizeof *ch->con);
    ds->n_contacts += ch->n_con;
    for (size_t i = 0; i < ch->n_resp; i++) {          /* issue 15 part 4 */
        folio_response *x = &ds->responses[ds->n_responses++];
        *x = ch->resp[i];
        x->line += b;
    }
    for (size_t i = 0; i < ch->n_hold; i++) {
        folio_holder *x = &ds->holders[ds->n_holders++];
        *x = ch->hold[i];
        x->line += b;
    }
    for (size_t i = 0; i < ch->n_ev; i++) {            /* issue 15 part 2 */
        folio_event *x = &ds->events[ds->n_events++];
        *x = ch->ev[i];
        x->line += b;
    }
    if (!attrs_stage_append(&pool->feeds[ctx->feed_index].ast, &ch->ast, ctx->def->n_attrs, b))
        goto oom;
    for (size_t i = 0; i < ch->n_rej; i++) {
        pool->needs_raw[ds->n_rejects] = 0;
        folio_reject *x = &ds->rejects[ds->n_rejects++];
        *x = ch->rej[i];
        x->line += b;
    }
    feed_idlist *ids = ctx->def->kind == FOLIO_FEED_CUSTOMERS ? &pool->rej_customers
                                                               : &pool->rej_accounts;
    for (size_t i = 0; i < ch->rej_ids.n; i++)
        if (!feed_idlist_push(ids, ch->rej_ids.v[i]))
            goto oom;
    st->records += ch->records;
    st->rejected += ch->n_rej;
    ctx->next_line += ch->lines;
    if (!feed_pool_adopt(pool, &ch->sp))
        goto oom;
    feed_chunk_free(ch);
    feed_pool_tick(pool);       /* round 26: the rows just written (a spilled load) */
    return true;
oom:
    folio_error_set(&ctx->err, FOLIO_EXIT_FAILED, "%s: out of memory while loading", ctx->fname);
    feed_chunk_free(ch);
    return false;
}

static void merge_end(folio_dataset *ds, feed_ctx *ctx)
{
    folio_feed_stats *st = &ds->stats[ctx->feed_index];
    st->accepted = st->records - st->rejected;
    if (!feed_pool_adopt(ds->pool, &ctx->hdr_sp))
        folio_error_set(&ctx->err, FOLIO_EXIT_FAILED, "%s: out of memory while loading",
                        ctx->fname);
}

/* Merge every chunk that is done and next in order.  One thread at a time
 * (merge_turn_run).  *cf / *cc: the next feed / chunk to merge. */
static void merge_ready(folio_dataset *ds, feed_ctx *ctx, int nf, int *cf, int *cc)
{
    while (*cf < nf) {
        feed_ctx *x = &ctx[*cf];
        if (*cc == 0 && x->n_chunks > 0 && !x->merging) {
            if (!__atomic_load_n(&x->chunks[0].done, __ATOMIC_ACQUIRE))
                return;
            merge_begin(ds, x);
            x->merging = true;
        }
        while (*cc < x->n_chunks && __atomic_load_n(&x->chunks[*cc].done, __ATOMIC_ACQUIRE)) {
            if (!x->err.code)
                merge_chunk(ds, x, &x->chunks[*cc]);
            else
                feed_chunk_free(&x->chunks[*cc]);
            (*cc)++;
        }
        if (*cc < x->n_chunks)
            return;
        merge_end(ds, x);
        (*cf)++;
        *cc = 0;
    }
}

/* issue 11 (r-twothr): the merger's turn.  Chunk ch is parsed: mark it done
 * and, unless another thread is merging, merge every chunk that is done and
 * next in order, outside the lock.  Merging used to run inside the
 * feed_merge critical section, so a thread that finished its chunk while
 * the other merged waited for the merge instead of parsing the next chunk
 * (at 2 threads the parse loop's only sleeps).  The lock covers the done
 * marks, the turn and the caller's counters; the merge order (feed, chunk)
 * is the same whatever the thread count.  Returns with the lock released. */
typedef struct merge_turn {
    omp_lock_t mu;
    bool merging;
    int cf, cc;               /* the next feed / chunk to merge (the merger's) */
} merge_turn;

static void merge_turn_run(merge_turn *m, folio_dataset *ds, feed_ctx *ctx, int nf)
{
    /* under m->mu, m->merging set by the caller */
    for (;;) {
        omp_unset_lock(&m->mu);
        merge_ready(ds, ctx, nf, &m->cf, &m->cc);
        omp_set_lock(&m->mu);
        /* a chunk marked done while merge_ready looked past it: once more */
        if (m->cf >= nf || !ctx[m->cf].chunks ||
            !__atomic_load_n(&ctx[m->cf].chunks[m->cc].done, __ATOMIC_ACQUIRE))
            break;
    }
    m->merging = false;
    omp_unset_lock(&m->mu);
}

static bool ctx_start(feed_ctx *ctx, folio_dataset *ds, int feed_index,
                      const folio_feed_def *def, const char *data, size_t len,
                      folio_error *err)
{
    memset(ctx, 0, sizeof *ctx);
    ctx->def = def;
    ctx->feed_index = feed_index;
    ctx->fname = display_name(def);
    ctx->data = data ? data : "";
    ctx->len = data ? len : 0;
    if (!ds || feed_index < 0 || feed_index >= ds->n_feeds) {
        folio_error_set(err, FOLIO_EXIT_FAILED, "%s: feed index %d out of range", ctx->fname,
                        feed_index);
        return false;
    }
    if (ds->pool->resolved) {
        folio_error_set(err, FOLIO_EXIT_FAILED, "%s: feed loaded after feed_resolve", ctx->fname);
        return false;
    }
    return true;
}

/* issue 10 part 5: a feed in a single-byte encoding is transcoded whole to
 * UTF-8 before its header is read and it is cut into chunks; the context
 * then reads the UTF-8 copy in *x (freed by the caller). */
static bool ctx_transcode(feed_ctx *ctx, folio_xlat *x, folio_error *err)
{
    if (!ctx->def->encoding)
        return true;
    if (!transcode_buffer(ctx->def->encoding, ctx->fname, ctx->data, ctx->len, x, err))
        return false;
    ctx->data = x->data;
    ctx->len = x->len;
    ctx->xlat = x;
    return true;
}

static int thread_count(int threads)
{
    int n = threads > 0 ? threads : omp_get_max_threads();
    return n < 1 ? 1 : n;
}

bool feed_load_buffer(folio_dataset *ds, int feed_index,
                      const folio_feed_def *def, const char *data, size_t len,
                      int threads, folio_error *err)
{
    feed_ctx ctx;
    folio_xlat x = {0};
    bool ok = false;
    if (!ctx_start(&ctx, ds, feed_index, def, data, len, err))
        return false;
    if (!ctx_transcode(&ctx, &x, err) || !feed_ctx_prepare(&ctx, err))
        goto out;
    int nt = thread_count(threads);
    if (nt > ctx.n_chunks)
        nt = ctx.n_chunks;
    merge_turn mt = {0};
    omp_init_lock(&mt.mu);
#pragma omp parallel for schedule(dynamic, 1) num_threads(nt)
    for (int c = 0; c < ctx.n_chunks; c++) {
        feed_chunk_parse(&ctx, &ctx.chunks[c]);
        omp_set_lock(&mt.mu);
        __atomic_store_n(&ctx.chunks[c].done, true, __ATOMIC_RELEASE);
        if (mt.merging) {
            omp_unset_lock(&mt.mu);
        } else {
            mt.merging = true;
            merge_turn_run(&mt, ds, &ctx, 1);
        }
    }
    omp_destroy_lock(&mt.mu);
    if (ctx.err.code) {
        folio_error_set(err, ctx.err.code, "%s", ctx.err.msg);
        goto out;
    }
    ds->stats[feed_index].bytes = data ? len : 0;
    folio_sha256_hex(data ? data : "", data ? len : 0, ds->stats[feed_index].sha256);
    ok = true;
out:
    feed_ctx_free(&ctx);
    transcode_free(&x);
    return ok;
}

/* ---- raw text of rows rejected by resolve ----------------------------------------- */

void feed_fill_raw(folio_dataset *ds, int feed, const folio_feed_def *def,
                   const char *data, size_t len)
{
    struct feed_pool *pool = ds->pool;
    /* wanted lines, ascending (rejects are sorted by (feed, line)) */
    size_t first = SIZE_MAX, n_want = 0;
    for (size_t i = 0; i < ds->n_rejects; i++)
        if (pool->needs_raw[i] && ds->rejects[i].feed == feed) {
            if (first == SIZE_MAX)
                first = i;
            n_want++;
        }
    if (!n_want)
        return;
    feed_scanner sc;
    feed_scanner_init(&sc, data, len, def->delimiter, def->quote);
    size_t pos = (len >= 3 && !memcmp(data, "\xEF\xBB\xBF", 3)) ? 3 : 0;
    uint64_t line = 1;
    size_t k = first;
    while (pos < len && k < ds->n_rejects && ds->rejects[k].feed == feed) {
        if (!pool->needs_raw[k]) {
            k++;
            continue;
        }
        uint32_t nl;
        bool oq;
        size_t end = feed_scan_record(&sc, pos, &nl, &oq);
        if (line == ds->rejects[k].line) {
            size_t rl = end - pos;
            if (rl && data[pos + rl - 1] == '\r')
                rl--;
            if (rl > 65536)
                rl = 65536;
            const char *raw = feed_strpool_copy(&pool->main, data + pos, rl);
            if (raw)
                ds->rejects[k].raw = raw;
            pool->needs_raw[k] = 0;
            k++;
        } else if (line > ds->rejects[k].line) {
            pool->needs_raw[k] = 0;   /* cannot happen for a record start */
            k++;
            continue;
        }
        line += nl + 1;
        pos = end < len ? end + 1 : len;
    }
}

/* ---- feed_load_all -------------------------------------------------------------------- */

/* A feed stays open (fd) while it is loaded: after the last read of its
 * mapping, feed_unchanged() compares the file (and what its path names now)
 * with the fstat taken when it was opened. */
typedef struct mapped_file {
    const char *data;
    size_t len;
    bool mapped;
    int fd;                       /* -1 when not open */
    struct stat st;               /* at open */
} mapped_file;

static bool map_file(const folio_job *job, int i, mapped_file *mf, folio_error *err)
{
    const folio_feed_def *def = &job->feeds[i];
    const char *path = def->path;
    mf->data = "";
    mf->len = 0;
    mf->mapped = false;
    char key[320];
    if (job->path)
        snprintf(key, sizeof key, "%s:%d: feeds[%d].path", job->path, def->line, i);
    else
        snprintf(key, sizeof key, "feeds[%d].path", i);
    /* a missing feed, a FIFO, device, socket or directory: a job error */
    int fd = folio_input_open(path, key, FOLIO_EXIT_USAGE, &mf->st, err);
    if (fd < 0)
        return false;
    mf->fd = fd;
    if (mf->st.st_size > 0) {
        void *p = mmap(NULL, (size_t)mf->st.st_size, PROT_READ, MAP_PRIVATE, fd, 0);
        if (p == MAP_FAILED) {
            folio_error_set(err, FOLIO_EXIT_FAILED, "%s: cannot map: %s", path, strerror(errno));
            return false;
        }
        madvise(p, (size_t)mf->st.st_size, MADV_SEQUENTIAL);
        mf->data = p;
        mf->len = (size_t)mf->st.st_size;
        mf->mapped = true;
    }
    return true;
}

/* ---- a feed truncated or rewritten while it is read -------------------------
 *
 * Reading a page of a mapping that lies past the end of a file truncated
 * after mmap raises SIGBUS.  While feed_load_all() runs, the feed mappings
 * are registered here.  The library installs no signal handler (issue 11:
 * signals belong to the program): a program that wants a truncated feed to
 * fail the run instead of killing the process installs a SIGBUS handler
 * that calls feed_sigbus_fault() (folio's: src/cli-process.c).  For an
 * address in a registered feed it maps anonymous zero pages over the rest
 * of that mapping (mmap MAP_FIXED, async-signal-safe), marks the feed and
 * returns true: the load goes on over zeros and feed_unchanged() then fails
 * the run, naming the file.  One load at a time registers its feeds (a
 * second concurrent load runs unregistered). */

typedef struct bus_range {
    uintptr_t lo, hi;             /* [lo, hi): the mapping, whole pages */
    volatile sig_atomic_t hit;
} bus_range;

static bus_range *volatile g_bus;
static volatile sig_atomic_t g_nbus;
static uintptr_t g_bus_page;
static int g_bus_owner;

bool feed_sigbus_fault(const void *addr)
{
    uintptr_t a = (uintptr_t)addr;
    bus_range *r = g_bus;
    for (int i = 0; r && i < g_nbus; i++) {
        if (a < r[i].lo || a >= r[i].hi)
            continue;
        uintptr_t pg = a & ~(g_bus_page - 1);
        if (mmap((void *)pg, r[i].hi - pg, PROT_READ,
                 MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0) != MAP_FAILED) {
            r[i].hit = 1;
            return true;            /* the read is retried and sees zeros */
        }
        break;
    }
    return false;
}

/* Register the mapped feeds; false if another load has registered its own. */
static bool bus_guard_start(bus_range *r, const mapped_file *mf, int nf)
{
    if (__atomic_exchange_n(&g_bus_owner, 1, __ATOMIC_ACQ_REL))
        return false;
    g_bus_page = (uintptr_t)sysconf(_SC_PAGESIZE);
    for (int i = 0; i < nf; i++) {
        r[i].lo = mf[i].mapped ? (uintptr_t)mf[i].data : 0;
        r[i].hi = mf[i].mapped ? (r[i].lo + mf[i].len + g_bus_page - 1) & ~(g_bus_page - 1) : 0;
        r[i].hit = 0;
    }
    g_nbus = nf;
    __atomic_store_n(&g_bus, r, __ATOMIC_SEQ_CST);
    return true;
}

static void bus_guard_end(void)
{
    __atomic_store_n(&g_bus, NULL, __ATOMIC_SEQ_CST);
    g_nbus = 0;
    __atomic_store_n(&g_bus_owner, 0, __ATOMIC_RELEASE);
}

static bool same_time(struct timespec a, struct timespec b)
{
    return a.tv_sec == b.tv_sec && a.tv_nsec == b.tv_nsec;
}

/* After the last read of feed i's mapping: the bytes parsed and hashed are
 * the file's only if it was not truncated (SIGBUS), its size, mtime and
 * ctime are those of the open (a write or a utime changes ctime), and its
 * path still names the same file (not replaced by a rename).  Timestamps
 * are as fine as the file system keeps them. */
static bool feed_unchanged(const char *path, const mapped_file *mf, bool truncated,
                           folio_error *err)
{
    struct stat now, at_path;
    const char *why = NULL;
    if (truncated)
        why = "it was truncated under the mapping";
    else if (fstat(mf->fd, &now) != 0)
        why = "it cannot be stat'ed any more";
    else if (stat(path, &at_path) != 0 || at_path.st_dev != mf->st.st_dev ||
             at_path.st_ino != mf->st.st_ino)
        why = "its path names another file now";
    else if (now.st_size != mf->st.st_size)
        why = "its size changed";
    else if (!same_time(now.st_mtim, mf->st.st_mtim) || !same_time(now.st_ctim, mf->st.st_ctim))
        why = "it was written to";
    if (!why)
        return true;
    folio_error_set(err, FOLIO_EXIT_FAILED,
                    "%s: changed while it was being read (%s); the statements would mix "
                    "old and new data: nothing was published, run again once the file is "
                    "complete", path, why);
    return false;
}

/* Test hook (e2e): with FOLIO_TEST_FEED_PAUSE=FILE set, the load creates
 * FILE once every feed is open and mapped, and waits (at most 60 s) until
 * FILE is removed, so a test can change a feed at exactly that point. */
static void test_pause_after_mapping(void)
{
    const char *p = getenv("FOLIO_TEST_FEED_PAUSE");
    if (!p || !*p)
        return;
    int fd = open(p, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (fd < 0)
        return;
    close(fd);
    struct timespec ts = {0, 10 * 1000 * 1000};
    for (int i = 0; i < 6000 && access(p, F_OK) == 0; i++)
        nanosleep(&ts, NULL);
}

/* Drop the whole pages inside [b, e) of a mapped file from our resident set
 * (they are re-read from the page cache if touched again). */
static void drop_pages(const mapped_file *mf, size_t b, size_t e)
{
    if (!mf->mapped)
        return;
    const size_t pg = (size_t)sysconf(_SC_PAGESIZE);
    uintptr_t base = (uintptr_t)mf->data;
    uintptr_t lo = (base + b + pg - 1) & ~(uintptr_t)(pg - 1);
    uintptr_t hi = (base + e) & ~(uintptr_t)(pg - 1);
    if (e == mf->len)
        hi = (base + e + pg - 1) & ~(uintptr_t)(pg - 1);
    if (hi > lo)
        madvise((void *)lo, hi - lo, MADV_DONTNEED);
}

/* SHA-256 of a mapped file in 4 MiB steps (round 26: was 16), dropping the pages
 * behind: the step is resident while it is hashed, beside the parsed chunks. */
static void sha256_dropping(const mapped_file *mf, char hex[65])
{
    EVP_MD_CTX *md = EVP_MD_CTX_new();
    unsigned char out[EVP_MAX_MD_SIZE];
    unsigned int n = 0;
    if (!md || !EVP_DigestInit_ex(md, EVP_sha256(), NULL)) {
        EVP_MD_CTX_free(md);
        folio_sha256_hex(mf->data, mf->len, hex);
        return;
    }
    const size_t step = 4u << 20;
    for (size_t off = 0; off < mf->len && !folio_stop; off += step) {  /* run stops */
        size_t k = mf->len - off < step ? mf->len - off : step;
        EVP_DigestUpdate(md, mf->data + off, k);
        drop_pages(mf, off, off + k);
    }
    EVP_DigestFinal_ex(md, out, &n);
    EVP_MD_CTX_free(md);
    static const char digits[] = "0123456789abcdef";
    for (unsigned i = 0; i < 32; i++) {
        hex[2 * i] = digits[out[i] >> 4];
        hex[2 * i + 1] = digits[out[i] & 15];
    }
    hex[64] = 0;
}

static void unmap_file(mapped_file *mf)
{
    if (mf->mapped)
        munmap((void *)mf->data, mf->len);
    mf->mapped = false;
    if (mf->fd >= 0)
        close(mf->fd);
    mf->fd = -1;
}

folio_dataset *feed_load_all(const folio_job *job, int threads, folio_error *err)
{
    return feed_load_all_progress(job, threads, NULL, NULL, err);
}

folio_dataset *feed_load_all_progress(const folio_job *job, int threads,
                                      folio_load_progress_fn progress, void *pctx,
                                      folio_error *err)
{
    return feed_load_all_work(job, threads, progress, pctx, NULL, err);
}

/* issue 12 part 1: the tables in work files under work_dir (tabspill.h) */
static bool spill_start(folio_dataset *ds, const folio_job *job, const char *work_dir,
                        folio_error *err)
{
    folio_tabspill *sp = malloc(sizeof *sp);
    if (!sp) {
        folio_error_set(err, FOLIO_EXIT_FAILED, "out of memory");
        return false;
    }
    tabspill_init(sp, work_dir);
    ds->pool->spill = sp;
    /* the chunks' strings: at most the feeds' bytes, templates aside (more
     * go to the heap); address space only, disk as used */
    uint64_t feeds = 0;
    for (int i = 0; i < job->n_feeds; i++) {
        struct stat st;
        if (job->feeds[i].path && stat(job->feeds[i].path, &st) == 0 && st.st_size > 0)
            feeds += (uint64_t)st.st_size;
    }
    if (!tabspill_region(sp, (size_t)(feeds * 2 + ((uint64_t)64 << 20)), err))
        return false;
    /* without it: untrimmed, the same tables.  Test hook (round 26): with
     * FOLIO_TEST_NO_TRIMMER set there is no trimmer thread, so the loops'
     * own trims (FEED_TICK_*) alone must keep the load under the budget */
    const char *nt = getenv("FOLIO_TEST_NO_TRIMMER");
    if (!nt || !*nt)
        tabspill_trim_start(sp, 5);
    return true;
}

/* After resolve: the record tables move to work files too. */
static bool spill_records(folio_dataset *ds, folio_error *err)
{
    folio_tabspill *sp = ds->pool->spill;
    return tabspill_table(sp, (void **)&ds->customers, ds->n_customers * sizeof *ds->customers,
                          err) &&
           tabspill_table(sp, (void **)&ds->accounts, ds->n_accounts * sizeof *ds->accounts,
                          err) &&
           tabspill_table(sp, (void **)&ds->holders, ds->n_holders * sizeof *ds->holders, err) &&
           tabspill_table(sp, (void **)&ds->contacts, ds->n_contacts * sizeof *ds->contacts,
                          err);
}

folio_dataset *feed_load_all_work(const folio_job *job, int threads,
                                  folio_load_progress_fn progress, void *pctx,
                                  const char *work_dir, folio_error *err)
{
    const int nf = job->n_feeds;
    folio_dataset *ds = feed_dataset_new(nf);
    if (ds && work_dir && !spill_start(ds, job, work_dir, err)) {
        feed_dataset_free(ds);
        return NULL;
    }
    mapped_file *mf = calloc((size_t)nf + 1, sizeof *mf);
    feed_ctx *ctx = calloc((size_t)nf + 1, sizeof *ctx);
    folio_error *errs = calloc((size_t)nf + 1, sizeof *errs);
    bus_range *bus = calloc((size_t)nf + 1, sizeof *bus);
    folio_xlat *xl = calloc((size_t)nf + 1, sizeof *xl);   /* transcoded feeds */
    bool ok = false, guarded = false;
    int nt = thread_count(threads);
    for (int i = 0; mf && i < nf; i++)
        mf[i].fd = -1;
    if (!ds || !mf || !ctx || !errs || !bus || !xl) {
        folio_error_set(err, FOLIO_EXIT_FAILED, "out of memory");
        goto out;
    }
    for (int i = 0; i < nf; i++) {
        const folio_feed_def *def = &job->feeds[i];
        if (!map_file(job, i, &mf[i], err))
            goto out;
        if (!ctx_start(&ctx[i], ds, i, def, mf[i].data, mf[i].len, err))
            goto out;
        ctx[i].spill = ds->pool->spill;     /* issue 12 part 1 */
    }
    {
        /* issue 11 (round 29): chunks small enough to balance the threads'
         * last tasks; not for a spilled load (its chunks stay 4 MB) */
        uint64_t total = 0;
        for (int i = 0; i < nf; i++)
            total += mf[i].len;
        size_t cb = ds->pool->spill ? 0 : feed_chunk_for(total, nt);
        for (int i = 0; i < nf; i++)
            ctx[i].chunk_bytes = cb;
    }
    guarded = bus_guard_start(bus, mf, nf);
    test_pause_after_mapping();
    /* prepare in parallel; report the first failing feed in job order */
#pragma omp parallel for schedule(dynamic, 1) num_threads(nt)
    for (int i = 0; i < nf; i++)
        if (ctx_transcode(&ctx[i], &xl[i], &errs[i])) {
            /* issue 12 part 1: the boundary scan drops the file's pages */
            ctx[i].drop_behind = mf[i].mapped && ctx[i].data == mf[i].data;
            feed_ctx_prepare(&ctx[i], &errs[i]);
        }
    for (int i = 0; i < nf; i++)
        if (errs[i].code) {
            folio_error_set(err, errs[i].code, "%s", errs[i].msg);
            goto out;
        }
    /* tasks: checksums first (long), then every chunk */
    size_t n_tasks = (size_t)nf;
    for (int i = 0; i < nf; i++)
        n_tasks += (size_t)ctx[i].n_chunks;
    struct task { int feed, chunk; } *tasks = malloc(n_tasks * sizeof *tasks);
    if (!tasks) {
        folio_error_set(err, FOLIO_EXIT_FAILED, "out of memory");
        goto out;
    }
    size_t t = 0;
    for (int i = 0; i < nf; i++)
        tasks[t++] = (struct task){i, -1};
    for (int i = 0; i < nf; i++)
        for (int c = 0; c < ctx[i].n_chunks; c++)
            tasks[t++] = (struct task){i, c};
    merge_turn mt = {0};
    omp_init_lock(&mt.mu);
    uint64_t bytes_total = 0, bytes_done = 0, records_done = 0;
    for (int i = 0; i < nf; i++)
        bytes_total += mf[i].len;
#pragma omp parallel for schedule(dynamic, 1) num_threads(nt)
    for (size_t k = 0; k < n_tasks; k++) {
        const struct task tk = tasks[k];
        if (folio_stop)                 /* a stop request: skip what is left */
            continue;
        if (tk.chunk < 0) {
            sha256_dropping(&mf[tk.feed], ds->stats[tk.feed].sha256);
            continue;
        }
        feed_chunk *ch = &ctx[tk.feed].chunks[tk.chunk];
        feed_chunk_parse(&ctx[tk.feed], ch);
        if (!xl[tk.feed].data)          /* offsets of the transcoded copy otherwise */
            drop_pages(&mf[tk.feed], ch->begin, ch->end);
        feed_pool_tick(ds->pool);       /* round 26: the chunk's strings (a spilled load) */
        size_t ch_bytes = ch->end - ch->begin;
        uint64_t ch_records = ch->records;
        omp_set_lock(&mt.mu);
        __atomic_store_n(&ch->done, true, __ATOMIC_RELEASE);
        bytes_done += ch_bytes;
        records_done += ch_records;
        if (progress)
            progress(pctx, records_done, bytes_done, bytes_total);
        if (mt.merging) {
            omp_unset_lock(&mt.mu);     /* the merger's turn takes it */
        } else {
            mt.merging = true;
            merge_turn_run(&mt, ds, ctx, nf);
        }
    }
    omp_destroy_lock(&mt.mu);
    free(tasks);
    if (folio_stopped(err))
        goto out;
    for (int i = 0; i < nf; i++) {
        if (ctx[i].err.code) {
            folio_error_set(err, ctx[i].err.code, "%s", ctx[i].err.msg);
            goto out;
        }
        ds->stats[i].bytes = mf[i].len;
        feed_ctx_free(&ctx[i]);
    }
    if (!feed_resolve(ds, err))
        goto out;
    if (ds->pool->spill && !spill_records(ds, err))   /* issue 12 part 1 */
        goto out;
    for (int i = 0; i < nf; i++)
        feed_fill_raw(ds, i, &job->feeds[i], xl[i].data ? xl[i].data : mf[i].data,
                      xl[i].data ? xl[i].len : mf[i].len);
    /* the mappings are not read after this point */
    for (int i = 0; i < nf; i++)
        if (!feed_unchanged(job->feeds[i].path, &mf[i], guarded && bus[i].hit, err))
            goto out;
    ok = true;
out:
    if (!ok && mf) {
        /* a load that failed over a changed file (a header cut by a
         * truncation, say) reports the change, the root cause */
        for (int i = 0; i < nf; i++) {
            folio_error chg = {0};
            if (mf[i].fd >= 0 &&
                !feed_unchanged(job->feeds[i].path, &mf[i], guarded && bus[i].hit, &chg)) {
                *err = chg;
                break;
            }
        }
    }
    if (guarded)
        bus_guard_end();
    for (int i = 0; ctx && mf && i < nf; i++) {
        feed_ctx_free(&ctx[i]);
        unmap_file(&mf[i]);
    }
    free(ctx);
    free(mf);
    free(errs);
    free(bus);
    for (int i = 0; xl && i < nf; i++)
        transcode_free(&xl[i]);
    free(xl);
    if (!ok) {
        feed_dataset_free(ds);
        return NULL;
    }
    return ds;
}

/* ---- rejects.csv ---------------------------------------------------------------- */

bool feed_write_rejects(const folio_dataset *ds, const folio_job *job,
                        const char *path, folio_error *err)
{
    folio_buf b;
    folio_buf_init(&b, 0);
    folio_buf_puts(&b, "file,line,column,reason,raw\n");
    for (size_t i = 0; i < ds->n_rejects; i++) {
        const folio_reject *r = &ds->rejects[i];
        const char *fname = NULL;
        if (r->feed < ds->n_feeds && ds->pool->feeds[r->feed].fname)
            fname = ds->pool->feeds[r->feed].fname;
        else if (job && r->feed < job->n_feeds)
            fname = display_name(&job->feeds[r->feed]);
        else
            fname = "";
        folio_buf_put_csv_field(&b, fname, strlen(fname));
        folio_buf_putc(&b, ',');
        folio_buf_put_int(&b, r->line);
        folio_buf_putc(&b, ',');
        folio_buf_put_csv_field(&b, r->column, strlen(r->column));
        folio_buf_putc(&b, ',');
        folio_buf_put_csv_field(&b, r->reason, strlen(r->reason));
        folio_buf_putc(&b, ',');
        folio_buf_put_csv_field(&b, r->raw, strlen(r->raw));
        folio_buf_putc(&b, '\n');
    }
    if (b.failed) {
        folio_error_set(err, FOLIO_EXIT_FAILED, "%s: out of memory writing rejects", path);
        folio_buf_free(&b);
        return false;
    }
    /* a run output like the others: created O_EXCL|O_NOFOLLOW under its .part
       name, fsync'd and renamed by the publish step (src/publish.c) */
    bool ok = folio_write_file_excl(path, b.data ? b.data : "", b.len, err);
    folio_buf_free(&b);
    return ok;
}
