/* SPDX-License-Identifier: Apache-2.0 */
/*
 * porder.c -- issue 12 part 1 (round 24): a spilled run's transactions in
 * household order, its shared texts in one compact pool (porder.h).
 */
#include "porder.h"
#include "feed-private.h"
#include "tabspill.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* ---- reading texts and rows without touching the mappings -------------- *
 *
 * The old tables and texts are read with pread from their work files (in
 * the page cache) and the new ones written with pwrite: a random read
 * through a mapping faulted 16 pages in (the kernel's fault-around) and
 * made them resident until the next trim; the layout pass itself touches
 * no mapped page but the customer and account rows it updates. */

#define WIN ((size_t)4 << 10)

/* round 27: the descriptions' reader keeps the last blocks it read, aligned
 * BLK-byte blocks of the old texts, in a direct-mapped cache: going through
 * the accounts in household order, a household's descriptions lie in a few
 * blocks of its chunk's texts (the ones many rows share, interned per
 * chunk, near its start), so one window at the last text read moved back
 * and forth (1.9 million 4 KiB reads for 6.3 million texts at 100,000
 * households). */
#define BLK ((size_t)16 << 10)
#define NBLK 256                /* 4 MiB */

typedef struct bcache {
    struct { const char *lo, *hi; } e[NBLK];    /* addresses each slot holds */
    char buf[NBLK][BLK];
} bcache;

/* round 29: the texts of a batch (an account's transactions, a run of
 * customers) read ahead in extents: their addresses sorted, the ones that
 * lie within XT_GAP of each other read with one pread of exactly the bytes
 * they span (and XT_TAIL more for the last one's length), instead of an
 * aligned 16 KiB block each (an account's own descriptions lie together,
 * in the order the loader met them, a few hundred bytes in all) */
#define XT_N 256
#define XT_GAP ((size_t)2 << 10)
#define XT_TAIL ((size_t)512)
#define XT_BUF ((size_t)1 << 20)

typedef struct xtents {
    size_t n, used;
    struct { const char *lo, *hi; size_t at; } e[XT_N];   /* sorted by lo */
    const char **tmp;           /* the batch's addresses, sorted */
    size_t tcap;
    char buf[XT_BUF];
} xtents;

/* a window onto the work file holding the texts last read */
typedef struct reader {
    folio_tabspill *ts;
    const char *lo, *hi;        /* addresses (in the mapping) the window holds */
    bcache *bc;                 /* round 27: or NULL */
    xtents *x;                  /* round 29: or NULL */
    uint64_t xt_reads, xt_texts, blk_reads;     /* round 29: porder_stats */
    char buf[WIN];
} reader;

/* [b, e) holds `nuls` NULs: *n the bytes up to the last one, without it */
static bool parts_in(const char *b, const char *e, int nuls, size_t *n)
{
    const char *q = b;
    for (int k = 0; k < nuls; k++) {
        const char *z = q < e ? memchr(q, 0, (size_t)(e - q)) : NULL;
        if (!z)
            return false;
        q = z + 1;
    }
    *n = (size_t)(q - b) - 1;
    return true;
}

/* text p from the block cache, or NULL (not in a work file, not read, or
 * running past its block: the window below reads it) */
static const char *bc_text(reader *r, const char *p, int nuls, size_t *n)
{
    bcache *c = r->bc;
    uintptr_t a = (uintptr_t)p & ~(uintptr_t)(BLK - 1);
    size_t slot = (size_t)((a / BLK * 0x9E3779B97F4A7C15ull) >> 56) % NBLK;
    if (!(p >= c->e[slot].lo && p < c->e[slot].hi)) {
        size_t off, len;
        int fd = tabspill_file_at(r->ts, p, &off, &len);
        if (fd < 0)
            return NULL;
        const char *base = p - off, *lo = (const char *)a, *hi = (const char *)a + BLK;
        if (lo < base)
            lo = base;
        if (hi > base + len)
            hi = base + len;
        c->e[slot].lo = c->e[slot].hi = NULL;
        ssize_t got = pread(fd, c->buf[slot], (size_t)(hi - lo), (off_t)(lo - base));
        r->blk_reads++;
        if (got <= 0 || p >= lo + got)
            return NULL;
        c->e[slot].lo = lo;
        c->e[slot].hi = lo + got;
    }
    const char *b = c->buf[slot] + (p - c->e[slot].lo);
    if (!parts_in(b, c->buf[slot] + (c->e[slot].hi - c->e[slot].lo), nuls, n))
        return NULL;
    return b;
}

/* text p from the extents read ahead, or NULL */
static const char *xt_text(const xtents *x, const char *p, int nuls, size_t *n)
{
    size_t lo = 0, hi = x->n;           /* the last extent starting at or before p */
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        if (x->e[mid].lo <= p)
            lo = mid + 1;
        else
            hi = mid;
    }
    if (!lo || p >= x->e[lo - 1].hi)
        return NULL;
    const char *b = x->buf + x->e[lo - 1].at + (p - x->e[lo - 1].lo);
    if (!parts_in(b, x->buf + x->e[lo - 1].at + (x->e[lo - 1].hi - x->e[lo - 1].lo), nuls, n))
        return NULL;
    return b;
}

/* text p (`nuls` NUL-terminated parts) readable: in the window, or p itself
 * when it is not in a work file (heap, literal) or longer than the window;
 * *n: its bytes without the last NUL */
static const char *rd_text(reader *r, const char *p, int nuls, size_t *n)
{
    if (r->x && r->x->n) {
        const char *b = xt_text(r->x, p, nuls, n);
        if (b) {
            r->xt_texts++;
            return b;
        }
    }
    if (r->bc) {
        const char *b = bc_text(r, p, nuls, n);
        if (b)
            return b;
    }
    for (int pass = 0; pass < 2; pass++) {
        if (p >= r->lo && p < r->hi) {
            const char *b = r->buf + (p - r->lo), *e = r->buf + (r->hi - r->lo), *q = b;
            int k = 0;
            while (q < e && k < nuls) {
                const char *z = memchr(q, 0, (size_t)(e - q));
                if (!z)
                    break;
                q = z + 1;
                k++;
            }
            if (k == nuls) {
                *n = (size_t)(q - b) - 1;
                return b;
            }
        }
        if (pass)
            break;
        size_t off;
        int fd = tabspill_file_of(r->ts, p, &off);
        if (fd < 0)
            break;
        ssize_t got = pread(fd, r->buf, WIN, (off_t)off);
        if (got <= 0)
            break;
        r->lo = p;
        r->hi = p + got;
    }
    size_t len = 0;                     /* direct */
    for (int k = 0; k < nuls; k++)
        len += strlen(p + len) + 1;
    *n = len - 1;
    return p;
}

/* texts copied, in the order they are read, into the work-file string
 * region (tabspill_alloc), 4 MiB at a time, filled in memory and written
 * with pwrite; a full region keeps the rest where they are (the same text) */
#define MEMO_BITS 16

/* round 28: the accounts' and descriptions' memo, sized by the
 * transactions: one slot per 8 of them, 2^16 to 2^20 (16 MiB).  The
 * descriptions the loader interns per chunk are the texts asked for again
 * and again; with 2^16 slots at 100,000 households (6.3 million
 * transactions) they evicted each other, and every miss was a read of the
 * text's block (808,000 `pread`s) and one more copy of the text
 * (185.7 MB); with 2^20: 585,000 and 170.5 MB. */
static int memo_bits_for(size_t txns)
{
    int b = MEMO_BITS;
    while (b < 20 && ((size_t)1 << b) < txns / 8)
        b++;
    return b;
}

typedef struct carver {
    folio_tabspill *ts;
    /* the last copies by old address: a text many rows share (the loader
     * interns descriptions per chunk) is copied once and stays shared,
     * without reading it again from wherever it lies */
    struct { const char *old, *copy; } *memo;
    int bits;                   /* round 28: the memo's 2^bits slots */
    char *blk;                  /* the block's address in the region */
    size_t used;
    char *buf;                  /* its bytes until written */
    bool full, failed;
    uint64_t bytes;
} carver;

#define CARVE_BLOCK ((size_t)4 << 20)

static bool carve_flush(carver *c)
{
    if (!c->blk || !c->used)
        return true;
    size_t off;
    int fd = tabspill_file_of(c->ts, c->blk, &off);
    for (size_t done = 0; fd >= 0 && done < c->used;) {
        ssize_t w = pwrite(fd, c->buf + done, c->used - done, (off_t)(off + done));
        if (w <= 0) {
            fd = -1;
            break;
        }
        done += (size_t)w;
    }
    if (fd < 0)
        c->failed = true;
    c->used = 0;
    return fd >= 0;
}

/* the new address of text s (s[0..n] with its NULs) */
static const char *carve(carver *c, reader *r, const char *s, int nuls)
{
    if (!s || c->full || c->failed)     /* (no *s: it would fault the page in) */
        return s;
    size_t slot = (size_t)(((uintptr_t)s * 0x9E3779B97F4A7C15ull) >> (64 - c->bits));
    if (c->memo[slot].old == s)
        return c->memo[slot].copy;
    size_t n;
    const char *src = rd_text(r, s, nuls, &n);
    if (!n || n + 1 > CARVE_BLOCK / 4)
        return s;
    if (!c->blk || c->used + n + 1 > CARVE_BLOCK) {
        if (!carve_flush(c))
            return s;
        c->blk = tabspill_alloc(c->ts, CARVE_BLOCK);
        if (!c->blk) {
            c->full = true;
            return s;
        }
    }
    char *p = c->blk + c->used;
    memcpy(c->buf + c->used, src, n + 1);
    c->used += n + 1;
    c->bytes += n + 1;
    c->memo[slot].old = s;
    c->memo[slot].copy = p;
    return p;
}

#define CARVE(field) ((field) = carve(&cv, ra, (field), 1))

static int ptr_cmp(const void *a, const void *b)
{
    uintptr_t x = (uintptr_t)*(const char *const *)a, y = (uintptr_t)*(const char *const *)b;
    return x < y ? -1 : x > y;
}

/* round 29: read ahead the k texts at ps[] (any may be NULL) that carve
 * would read (not in c's memo) and that lie in a work file near another
 * one of them, in extents (xtents above); a text alone is left to the block
 * cache.  What cannot be read ahead is read as before. */
static void prefetch(reader *r, const carver *c, const char *const *ps, size_t k)
{
    xtents *x = r->x;
    if (!x)
        return;
    x->n = x->used = 0;
    if (k > x->tcap) {
        size_t cap = k < 1024 ? 1024 : k;
        const char **t = realloc(x->tmp, cap * sizeof *t);
        if (!t)
            return;
        x->tmp = t;
        x->tcap = cap;
    }
    size_t m = 0;
    for (size_t i = 0; i < k; i++) {
        const char *s = ps[i];
        if (!s)
            continue;
        size_t slot = (size_t)(((uintptr_t)s * 0x9E3779B97F4A7C15ull) >> (64 - c->bits));
        if (c->memo[slot].old != s)
            x->tmp[m++] = s;
    }
    if (m < 2)
        return;
    qsort(x->tmp, m, sizeof *x->tmp, ptr_cmp);
    for (size_t i = 0; i < m && x->n < XT_N;) {
        const char *lo = x->tmp[i];
        size_t off, len;
        int fd = tabspill_file_at(r->ts, lo, &off, &len);
        if (fd < 0) {
            i++;
            continue;
        }
        const char *end = lo - off + len, *last = lo;
        size_t j = i + 1;
        while (j < m && x->tmp[j] < end && (size_t)(x->tmp[j] - last) <= XT_GAP &&
               (size_t)(x->tmp[j] - lo) + XT_TAIL <= XT_BUF - x->used) {
            last = x->tmp[j];
            j++;
        }
        bool alone = true;              /* the same text many times counts once */
        for (size_t q = i + 1; q < j && alone; q++)
            alone = x->tmp[q] == lo;
        size_t want = (size_t)(last - lo) + XT_TAIL;
        if (want > (size_t)(end - lo))
            want = (size_t)(end - lo);
        if (alone && r->bc) {           /* its block read already: no read */
            const bcache *bc = r->bc;
            uintptr_t a = (uintptr_t)lo & ~(uintptr_t)(BLK - 1);
            size_t slot = (size_t)((a / BLK * 0x9E3779B97F4A7C15ull) >> 56) % NBLK;
            if (lo >= bc->e[slot].lo && lo < bc->e[slot].hi) {
                i = j;
                continue;
            }
        }
        if (want > XT_BUF - x->used) {
            i = j;
            continue;
        }
        ssize_t got = pread(fd, x->buf + x->used, want, (off_t)off);
        r->xt_reads++;
        if (got > 0) {
            x->e[x->n].lo = lo;
            x->e[x->n].hi = lo + got;
            x->e[x->n].at = x->used;
            x->n++;
            x->used += (size_t)got;
        }
        i = j;
    }
}

typedef struct interner {
    feed_strpool sp;            /* heap blocks: compact, never trimmed */
    size_t bytes;
    bool full;
} interner;

static const char *intern(interner *in, const char *s, size_t n)
{
    if (!s || !n || in->full)
        return s;
    size_t before = in->sp.n;
    const char *p = feed_strpool_intern(&in->sp, s, n);
    if (!p) {                           /* out of memory: keep the old pointer */
        in->sp.failed = false;
        in->full = true;
        return s;
    }
    if (in->sp.n != before && (in->bytes += n + 1) >= PORDER_INTERN_MAX)
        in->full = true;                /* many distinct texts: the rest stay */
    return p;
}

/* the trims of the spilled tables (tabspill.h): every 256 households */
#define TICK(ds) tabspill_tick((ds)->pool->spill, 1)

/* one row of a table read or written with pread/pwrite (a table in the
 * heap: directly) */
typedef struct rowfile {
    int fd;
    size_t off;
    char *mem;
    size_t size;
} rowfile;

static rowfile rowfile_of(folio_tabspill *ts, void *table, size_t size)
{
    rowfile f = {.fd = -1, .mem = table, .size = size};
    if (table)
        f.fd = tabspill_file_of(ts, table, &f.off);
    return f;
}

static bool row_io(const rowfile *f, size_t i, void *row, bool write)
{
    if (f->fd < 0) {
        if (write)
            memcpy(f->mem + i * f->size, row, f->size);
        else
            memcpy(row, f->mem + i * f->size, f->size);
        return true;
    }
    off_t at = (off_t)(f->off + i * f->size);
    ssize_t r = write ? pwrite(f->fd, row, f->size, at) : pread(f->fd, row, f->size, at);
    return r == (ssize_t)f->size;
}

/* rows i .. i+n of a table, in one read */
static bool rows_get(const rowfile *f, size_t i, size_t n, void *rows)
{
    if (f->fd < 0) {
        memcpy(rows, f->mem + i * f->size, n * f->size);
        return true;
    }
    size_t len = n * f->size, done = 0;
    while (done < len) {
        ssize_t g = pread(f->fd, (char *)rows + done, len - done,
                          (off_t)(f->off + i * f->size + done));
        if (g <= 0)
            return false;
        done += (size_t)g;
    }
    return true;
}

/* rows of the new table filled in memory and written with pwrite */
#define BATCH ((size_t)1 << 16)

static bool put_rows(int fd, folio_txn *dst_map, const folio_txn *b, size_t n, size_t at)
{
    if (fd < 0) {
        memcpy(&dst_map[at], b, n * sizeof *b);
        return true;
    }
    const char *p = (const char *)b;
    size_t len = n * sizeof *b, done = 0;
    while (done < len) {
        ssize_t w = pwrite(fd, p + done, len - done, (off_t)(at * sizeof *b + done));
        if (w <= 0)
            return false;
        done += (size_t)w;
    }
    return true;
}

static bool get_rows(int fd, size_t base, const folio_txn *src_map, folio_txn *b, size_t n,
                     size_t at)
{
    if (fd < 0) {
        memcpy(b, &src_map[at], n * sizeof *b);
        return true;
    }
    char *p = (char *)b;
    size_t len = n * sizeof *b, done = 0;
    while (done < len) {
        ssize_t g = pread(fd, p + done, len - done, (off_t)(base + at * sizeof *b + done));
        if (g <= 0)
            return false;
        done += (size_t)g;
    }
    return true;
}

/* a new table written in order: rows gathered in memory, written with
 * pwrite (a heap table: copied) */
typedef struct tabw {
    rowfile f;
    char *buf;
    size_t fill, at;
    bool ok;
} tabw;

#define TABW_ROWS ((size_t)4096)

static bool tabw_open(tabw *w, folio_tabspill *ts, void **table, size_t rows, size_t size,
                      folio_error *err)
{
    memset(w, 0, sizeof *w);
    w->ok = true;
    if (!rows)
        return true;
    void *p = NULL;
    if (!tabspill_grow(ts, &p, 0, rows * size, err))
        return w->ok = false;
    *table = p;
    w->f = rowfile_of(ts, p, size);
    w->buf = malloc(TABW_ROWS * size);
    if (!w->buf) {
        folio_error_set(err, FOLIO_EXIT_FAILED, "out of memory");
        return w->ok = false;
    }
    return true;
}

static void tabw_flush(tabw *w)
{
    if (!w->fill || !w->ok)
        return;
    size_t len = w->fill * w->f.size, done = 0;
    if (w->f.fd < 0)
        memcpy(w->f.mem + w->at * w->f.size, w->buf, len);
    else
        while (done < len) {
            ssize_t r = pwrite(w->f.fd, w->buf + done, len - done,
                               (off_t)(w->f.off + w->at * w->f.size + done));
            if (r <= 0) {
                w->ok = false;
                return;
            }
            done += (size_t)r;
        }
    w->at += w->fill;
    w->fill = 0;
}

static void tabw_put(tabw *w, const void *row)
{
    if (!w->ok)         /* a failed write keeps fill at TABW_ROWS: nothing more */
        return;
    memcpy(w->buf + w->fill * w->f.size, row, w->f.size);
    if (++w->fill == TABW_ROWS)
        tabw_flush(w);
}

/* the new numbering: customers and accounts in the order the households
 * list them (first listing wins: an account shared by two households goes
 * with the first), then those of no household in index order */
static void number(uint32_t *nw, uint32_t *old, size_t n, const uint32_t *idx,
                   const folio_household *v, size_t nh, bool customers, uint64_t *in_order)
{
    for (size_t i = 0; i < n; i++)
        nw[i] = UINT32_MAX;
    uint32_t j = 0;
    for (size_t h = 0; h < nh; h++) {
        uint32_t k0 = customers ? v[h].first_customer : v[h].first_account;
        uint32_t k1 = k0 + (customers ? v[h].n_customers : v[h].n_accounts);
        for (uint32_t k = k0; k < k1; k++) {
            uint32_t i = idx[k];
            if (i < n && nw[i] == UINT32_MAX) {
                nw[i] = j;
                old[j++] = i;
            }
        }
    }
    if (in_order)
        *in_order = j;
    for (size_t i = 0; i < n; i++)
        if (nw[i] == UINT32_MAX) {
            nw[i] = j;
            old[j++] = (uint32_t)i;
        }
}

/* idx[0 .. end) renumbered, end the largest range end of the households */
static void renumber_idx(uint32_t *idx, const uint32_t *nw, size_t n, const folio_household *v,
                         size_t nh, bool customers)
{
    size_t end = 0;
    for (size_t h = 0; h < nh; h++) {
        size_t e = customers ? (size_t)v[h].first_customer + v[h].n_customers
                             : (size_t)v[h].first_account + v[h].n_accounts;
        if (e > end)
            end = e;
    }
    for (size_t k = 0; k < end; k++)
        if (idx[k] < n)
            idx[k] = nw[idx[k]];
}

/* attribute rows (width w per record) in the new order; NULL: none */
static union folio_attr_val *permute_attrs(const union folio_attr_val *v, int w,
                                           const uint32_t *old, size_t n, bool *oom)
{
    if (!v || w <= 0 || !n)
        return NULL;
    union folio_attr_val *p = malloc((n * (size_t)w + 1) * sizeof *p);
    if (!p) {
        *oom = true;
        return NULL;
    }
    for (size_t j = 0; j < n; j++)
        memcpy(&p[j * (size_t)w], &v[old[j] * (size_t)w], (size_t)w * sizeof *p);
    return p;
}

/* the customers' rows and texts in the new order (round 25): in a thread
 * of their own beside the accounts' when the run has two or more; their
 * own text cursor and code pool, so the two share nothing but the string
 * region (tabspill_alloc: any thread) and the trims */
typedef struct cust_job {
    folio_dataset *ds;
    const uint32_t *c_old;
    size_t nc;
    rowfile fc;
    tabw *wc;
    uint8_t *nrole;
    reader *rc;
    carver cv;
    interner in;
    bool io;
    uint64_t row_reads;             /* round 29 */
    bool stopped;                   /* left at a SIGTERM (folio_stop) */
} cust_job;

/* round 29: customers read in runs (a household's customers lie together
 * in the old order), at most CRUN rows a read */
#define CRUN 64

static void *cust_run(void *arg)
{
    cust_job *J = arg;
    folio_dataset *ds = J->ds;
    carver *c = &J->cv;
    folio_customer rows[CRUN];
    const char *ps[CRUN * 12];
    size_t next_tick = 0;
    for (size_t j = 0, r; j < J->nc && J->io && J->wc->ok && !J->stopped; j += r) {
        if (j >= next_tick) {
            TICK(ds);
            J->stopped = folio_stop != 0;   /* r-harden: a SIGTERM ends the pass */
            next_tick = (j | 255) + 1;
        }
        for (r = 1; r < CRUN && j + r < J->nc && J->c_old[j + r] == J->c_old[j] + r; r++)
            ;
        J->row_reads++;
        if (!rows_get(&J->fc, J->c_old[j], r, rows)) {
            J->io = false;
            break;
        }
        size_t k = 0;
        for (size_t q = 0; q < r; q++) {
            folio_customer *cu = &rows[q];
            const char *f[12] = {cu->id, cu->household_id, cu->first_name, cu->last_name,
                                 cu->address1, cu->address2, cu->city, cu->state,
                                 cu->postal_code, cu->country, cu->email, cu->segment};
            memcpy(&ps[k], f, sizeof f);
            k += 12;
        }
        prefetch(J->rc, c, ps, k);
        for (size_t q = 0; q < r; q++) {
            folio_customer *cu = &rows[q];
            uint32_t ci = J->c_old[j + q];
#define CC(field) ((field) = carve(c, J->rc, (field), 1))
            CC(cu->id);
            CC(cu->household_id);
            CC(cu->first_name);
            CC(cu->last_name);
            CC(cu->address1);
            CC(cu->address2);
            CC(cu->city);
            CC(cu->state);
            CC(cu->postal_code);
            CC(cu->country);
            CC(cu->email);
            CC(cu->segment);
#undef CC
            cu->language = intern(&J->in, cu->language, cu->language ? strlen(cu->language) : 0);
            tabw_put(J->wc, cu);
            if (J->nrole)
                J->nrole[j + q] = ds->customer_role[ci];
        }
    }
    tabw_flush(J->wc);
    J->io = J->io && J->wc->ok && carve_flush(c) && !c->failed;
    return NULL;
}

bool porder_layout(folio_dataset *ds, folio_households *hs, int threads, porder_stats *st,
                   folio_error *err)
{
    porder_stats dummy;
    if (!st)
        st = &dummy;
    memset(st, 0, sizeof *st);
    struct feed_pool *pool = ds->pool;
    if (!pool || !pool->spill)
        return true;
    folio_tabspill *ts = pool->spill;
    size_t n = ds->n_txns, na = ds->n_accounts, nc = ds->n_customers, nho = ds->n_holders;
    int aw = ds->attr_width[2], cw = ds->attr_code_width;
    folio_txn *nt = NULL, *tb = malloc(BATCH * sizeof *tb);
    folio_customer *ncu = NULL;
    folio_account *nac_rows = NULL;
    folio_holder *nho_rows = NULL;
    union folio_attr_val *nav = NULL, *ncv = NULL, *naav = NULL;
    uint16_t *nac = NULL;
    uint8_t *nrole = NULL;
    bool adopted = false, taken = false;  /* taken: the dataset took the new tables */
    uint32_t *c_new = malloc((nc ? nc : 1) * sizeof *c_new);
    uint32_t *c_old = malloc((nc ? nc : 1) * sizeof *c_old);
    uint32_t *a_new = malloc((na ? na : 1) * sizeof *a_new);
    uint32_t *a_old = malloc((na ? na : 1) * sizeof *a_old);
    uint32_t *h0 = NULL, *hn = NULL;
    reader *rc = malloc(sizeof *rc), *ra = malloc(sizeof *ra);   /* customers, accounts */
    reader *rd = malloc(sizeof *rd);    /* descriptions */
    bcache *bc = malloc(sizeof *bc);    /* round 27: their blocks */
    bcache *bcc = malloc(sizeof *bcc), *bca = malloc(sizeof *bca);
    xtents *xc = calloc(1, sizeof *xc), *xa = calloc(1, sizeof *xa), *xd = calloc(1, sizeof *xd);
    const char **dps = malloc(BATCH * sizeof *dps);     /* round 29: descriptions to read */
    interner in = {0};
    feed_strpool_init(&in.sp);
    int memo_bits = memo_bits_for(n);
    carver cv = {.ts = ts, .buf = malloc(CARVE_BLOCK), .bits = memo_bits,
                 .memo = calloc((size_t)1 << memo_bits, sizeof *cv.memo)};
    tabw wc = {.ok = true}, wa = {.ok = true}, wh = {.ok = true};
    bool oom = false;
    bool ok = tb && rc && ra && rd && bc && bcc && bca && xc && xa && xd && dps && cv.buf && cv.memo && c_new && c_old && a_new && a_old;
    rowfile fc = rowfile_of(ts, ds->customers, sizeof *ds->customers);
    rowfile fa = rowfile_of(ts, ds->accounts, sizeof *ds->accounts);
    rowfile fh = rowfile_of(ts, ds->holders, sizeof *ds->holders);
    if (rc)
        *rc = (reader){.ts = ts, .bc = bcc, .x = xc};
    if (ra)
        *ra = (reader){.ts = ts, .bc = bca, .x = xa};
    if (bcc)
        memset(bcc->e, 0, sizeof bcc->e);
    if (bca)
        memset(bca->e, 0, sizeof bca->e);
    if (rd)
        *rd = (reader){.ts = ts, .bc = bc, .x = xd};
    if (bc)
        memset(bc->e, 0, sizeof bc->e);
    if (!ok) {
        folio_error_set(err, FOLIO_EXIT_FAILED, "out of memory");
        goto fail;
    }
    if (n) {
        void *p = NULL;                 /* a new work file, written in order */
        if (!tabspill_grow(ts, &p, 0, n * sizeof *nt, err))
            goto fail;
        nt = p;
    }
    if (!tabw_open(&wc, ts, (void **)&ncu, nc, sizeof *ncu, err) ||
        !tabw_open(&wa, ts, (void **)&nac_rows, na, sizeof *nac_rows, err) ||
        !tabw_open(&wh, ts, (void **)&nho_rows, nho, sizeof *nho_rows, err))
        goto fail;
    if (n && aw > 0 && ds->attr_vals[2])
        ok = (nav = malloc(n * (size_t)aw * sizeof *nav)) != NULL;
    if (ok && n && cw > 0 && ds->attr_codes)
        ok = (nac = malloc(n * (size_t)cw * sizeof *nac)) != NULL;
    if (ok && ds->customer_role)
        ok = (nrole = calloc(nc + 1, 1)) != NULL;
    if (ok && nho)
        ok = (h0 = malloc(na ? na * sizeof *h0 : 1)) && (hn = calloc(na ? na : 1, sizeof *hn));
    if (!ok) {
        folio_error_set(err, FOLIO_EXIT_FAILED, "out of memory");
        goto fail;
    }
    /* issue 12 part 1 (round 25): the new numbering, so that every loop in
     * household order (and every loop in index order) reads the customer,
     * account, holder and plan rows in order */
    number(c_new, c_old, nc, hs->customer_idx, hs->v, hs->n, true, NULL);
    number(a_new, a_old, na, hs->account_idx, hs->v, hs->n, false, &st->accounts_in_order);
    ncv = permute_attrs(ds->attr_vals[0], ds->attr_width[0], c_old, nc, &oom);
    naav = permute_attrs(ds->attr_vals[1], ds->attr_width[1], a_old, na, &oom);
    if (oom) {
        folio_error_set(err, FOLIO_EXIT_FAILED, "out of memory");
        goto fail;
    }
    bool io = true, bad = false;
    /* the customers: beside the accounts in a second thread, or first */
    cust_job cj = {.ds = ds, .c_old = c_old, .nc = nc, .fc = fc, .wc = &wc, .nrole = nrole,
                   .rc = rc, .io = true,
                   .cv = {.ts = ts, .buf = malloc(CARVE_BLOCK), .bits = MEMO_BITS,
                          .memo = calloc((size_t)1 << MEMO_BITS, sizeof *cj.cv.memo)}};
    feed_strpool_init(&cj.in.sp);
    if (!cj.cv.buf || !cj.cv.memo) {
        free(cj.cv.buf);
        free(cj.cv.memo);
        folio_error_set(err, FOLIO_EXIT_FAILED, "out of memory");
        goto fail;
    }
    pthread_t cth;
    bool joined = true;
    if (threads != 1 && nc && pthread_create(&cth, NULL, cust_run, &cj) == 0)
        joined = false;
    else
        cust_run(&cj);
    /* the holders' rows of each old account (sorted by account, feed, line) */
    folio_holder *hb = nho ? malloc(TABW_ROWS * sizeof *hb) : NULL;
    if (nho && !hb)
        io = false;
    for (size_t i0 = 0, last = 0; i0 < nho && io && !bad; i0 += TABW_ROWS) {
        size_t take = nho - i0 < TABW_ROWS ? nho - i0 : TABW_ROWS;
        if (!rows_get(&fh, i0, take, hb)) {
            io = false;
            break;
        }
        for (size_t i = i0; i < i0 + take; i++) {
            const folio_holder *hr = &hb[i - i0];
            if (hr->account >= na || hr->account < last) {
                folio_error_set(err, FOLIO_EXIT_FAILED,
                                "internal error: holders row %zu out of account order", i);
                bad = true;
                break;
            }
            if (!hn[hr->account]++)
                h0[hr->account] = (uint32_t)i;
            last = hr->account;
        }
    }
    /* the accounts, their transactions and holders, in the new order */
    size_t pos = 0, fill = 0;           /* rows placed; rows in tb not yet written */
#define FLUSH() (io = io && put_rows(fd_new(), nt, tb, fill, pos - fill), fill = 0)
    size_t off_old = 0, off_new = 0;
    int fd_old = n ? tabspill_file_of(ts, ds->txns, &off_old) : -1;
    int fdn = n ? tabspill_file_of(ts, nt, &off_new) : -1;
#define fd_new() fdn
    for (size_t j = 0; j < na && io && wa.ok && wh.ok && !bad; j++) {
        if ((j & 255) == 0) {
            TICK(ds);
            if (folio_stopped(err)) {   /* r-harden: a SIGTERM ends the pass */
                bad = true;             /* the customers' thread is joined below */
                break;
            }
        }
        uint32_t a = a_old[j];
        folio_account ar, *ac = &ar;
        if (!row_io(&fa, a, ac, false)) {
            io = false;
            break;
        }
        uint32_t f0 = ac->first_txn, m = ac->n_txn;
        if ((size_t)f0 + m > n || pos + m > n) {
            folio_error_set(err, FOLIO_EXIT_FAILED,
                            "internal error: account %u's transactions out of range", a);
            bad = true;
            break;
        }
        if (nav)
            memcpy(&nav[pos * (size_t)aw], &ds->attr_vals[2][f0 * (size_t)aw],
                   m * (size_t)aw * sizeof *nav);
        if (nac)
            memcpy(&nac[pos * (size_t)cw], &ds->attr_codes[f0 * (size_t)cw],
                   m * (size_t)cw * sizeof *nac);
        ac->first_txn = (uint32_t)pos;
        if (ac->owner < nc)
            ac->owner = c_new[ac->owner];
        {
            const char *ap[3] = {ac->id, ac->owner_id, ac->product_name};
            prefetch(ra, &cv, ap, 3);
        }
        CARVE(ac->id);
        CARVE(ac->owner_id);
        CARVE(ac->product_name);
        ac->product = intern(&in, ac->product, ac->product ? strlen(ac->product) : 0);
        ac->currency = intern(&in, ac->currency, ac->currency ? strlen(ac->currency) : 0);
        tabw_put(&wa, ac);
        for (uint32_t k0 = 0; nho && k0 < hn[a] && io; k0 += (uint32_t)TABW_ROWS) {
            uint32_t take = hn[a] - k0 < TABW_ROWS ? hn[a] - k0 : (uint32_t)TABW_ROWS;
            if (!rows_get(&fh, h0[a] + k0, take, hb)) {
                io = false;
                break;
            }
            for (uint32_t k = 0; k < take; k++) {
                hb[k].account = (uint32_t)j;
                if (hb[k].customer < nc)
                    hb[k].customer = c_new[hb[k].customer];
                tabw_put(&wh, &hb[k]);
            }
        }
        for (uint32_t done = 0; done < m && io;) {   /* in batches of BATCH rows */
            if (fill == BATCH)
                FLUSH();
            uint32_t take = m - done;
            if (take > BATCH - fill)
                take = (uint32_t)(BATCH - fill);
            if (!get_rows(fd_old, off_old, ds->txns, &tb[fill], take, f0 + done)) {
                io = false;
                break;
            }
            for (uint32_t i = 0; i < take; i++)
                dps[i] = tb[fill + i].description;
            prefetch(rd, &cv, dps, take);
            for (uint32_t i = 0; i < take; i++) {
                folio_txn *t = &tb[fill + i];
                t->account = (uint32_t)j;
                t->description = carve(&cv, rd, t->description,
                                       t->desc_langs > 1 ? t->desc_langs : 1);
            }
            fill += take;
            pos += take;
            done += take;
        }
    }
    FLUSH();
#undef FLUSH
#undef fd_new
    tabw_flush(&wa);
    tabw_flush(&wh);
    free(hb);
    if (!joined)
        pthread_join(cth, NULL);
    bool c_ok = cj.io;
    free(cj.cv.buf);
    free(cj.cv.memo);
    st->strings_interned += cj.in.sp.n;
    st->strings_bytes += cj.in.bytes;
    st->strings_copied += cj.cv.bytes;
    st->customer_reads = cj.row_reads;
    for (reader *r3[3] = {rc, ra, rd}, **q = r3; q < r3 + 3; q++) {
        st->ahead_reads += (*q)->xt_reads;
        st->ahead_texts += (*q)->xt_texts;
        st->block_reads += (*q)->blk_reads;
    }
    if (!bad && cj.stopped)
        bad = folio_stopped(err);
    if (bad || !feed_pool_adopt(pool, &cj.in.sp)) {
        if (!bad)
            folio_error_set(err, FOLIO_EXIT_FAILED, "out of memory");
        feed_strpool_free(&cj.in.sp);   /* only the new rows, freed below, point there */
        goto fail;
    }
    if (!io || !c_ok || !wc.ok || !wa.ok || !wh.ok || !carve_flush(&cv) || cv.failed) {
        folio_error_set(err, FOLIO_EXIT_FAILED, "%s: cannot read or write a work file",
                        ts->dir);
        goto fail;
    }
    if (pos != n || wh.at != nho) {     /* a row of no account: not after resolve */
        folio_error_set(err, FOLIO_EXIT_FAILED,
                        "internal error: %zu of %zu transactions, %zu of %zu holders rows in "
                        "no account's range", n - pos, n, nho - wh.at, nho);
        goto fail;
    }
    st->strings_interned += in.sp.n;
    st->strings_bytes += in.bytes;
    st->strings_copied += cv.bytes;
    /* the pool owns the texts from here; if it cannot take them (out of
     * memory) they are left allocated -- the rows point there -- and the
     * run fails */
    adopted = feed_pool_adopt(pool, &in.sp);
    if (!adopted)
        folio_error_set(err, FOLIO_EXIT_FAILED, "out of memory");
    renumber_idx(hs->customer_idx, c_new, nc, hs->v, hs->n, true);
    renumber_idx(hs->account_idx, a_new, na, hs->v, hs->n, false);
    feed_pool_free_table(pool, ds->txns);
    ds->txns = nt;
    if (nc) {
        feed_pool_free_table(pool, ds->customers);
        ds->customers = ncu;
    }
    if (na) {
        feed_pool_free_table(pool, ds->accounts);
        ds->accounts = nac_rows;
    }
    if (nho) {
        feed_pool_free_table(pool, ds->holders);
        ds->holders = nho_rows;
    }
    if (nrole) {
        free(ds->customer_role);
        ds->customer_role = nrole;
    }
    if (ncv) {
        free(ds->attr_vals[0]);
        ds->attr_vals[0] = ncv;
    }
    if (naav) {
        free(ds->attr_vals[1]);
        ds->attr_vals[1] = naav;
    }
    if (nav) {
        free(ds->attr_vals[2]);
        ds->attr_vals[2] = nav;
    }
    if (nac) {
        free(ds->attr_codes);
        ds->attr_codes = nac;
    }
    st->txns_moved = n;
    st->renumbered = nc + na;
    /* the dataset owns the new tables and arrays now; the texts are the
     * pool's (or, not adopted, left for the rows that point there) */
    nt = NULL;
    ncu = NULL;
    nac_rows = NULL;
    nho_rows = NULL;
    nav = ncv = naav = NULL;
    nac = NULL;
    nrole = NULL;
    taken = true;
fail:                                   /* and the way out of success (taken) */
    free(wc.buf);
    free(wa.buf);
    free(wh.buf);
    free(c_new);
    free(c_old);
    free(a_new);
    free(a_old);
    free(h0);
    free(hn);
    free(nav);
    free(nac);
    free(ncv);
    free(naav);
    free(nrole);
    free(tb);
    free(rc);
    free(ra);
    free(rd);
    free(bc);
    free(bcc);
    free(bca);
    if (xc)
        free(xc->tmp);
    if (xa)
        free(xa->tmp);
    if (xd)
        free(xd->tmp);
    free(xc);
    free(xa);
    free(xd);
    free(dps);
    free(cv.buf);
    free(cv.memo);
    if (nt)
        feed_pool_free_table(pool, nt);
    if (ncu)
        feed_pool_free_table(pool, ncu);
    if (nac_rows)
        feed_pool_free_table(pool, nac_rows);
    if (nho_rows)
        feed_pool_free_table(pool, nho_rows);
    if (taken)
        return adopted;
    feed_strpool_free(&in.sp);
    return false;
}
