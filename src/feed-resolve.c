/* SPDX-License-Identifier: Apache-2.0 */
/*
 * feed-resolve.c -- references between feeds.
 *
 * Order: customers (duplicates), accounts (duplicates, owners), transactions
 * (accounts), then the transaction sort and the reject sort.  Tables are first
 * put in (feed, line) order, so "the later occurrence" of a duplicate id is
 * well defined whatever order the feeds were loaded in.
 *
 * Id maps are open-addressing tables sized once (load <= 1/2).  An entry
 * remembers where the id was first seen (for "first at file:line") and the
 * index it resolved to, or ID_REJECTED when the first row holding the id was
 * rejected -- so a transaction of a rejected account is rejected with
 * "account 'X' rejected" rather than "unknown account_id 'X'".
 *
 * Transaction sort: counting sort by account into a permutation (stable, so
 * (feed, line) order is kept), each account's range sorted by
 * (date, feed, line) in parallel, then the permutation applied in place by
 * following cycles -- no second copy of the (large) table.
 */
#include "feed-private.h"
#include "folio/events.h"
#include "tabspill.h"   /* issue 12 part 1 (round 24): the sort ticks */

#include <omp.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define ID_REJECTED 0xFFFFFFFFu
#define ID_UNKNOWN  0xFFFFFFFEu

typedef struct idmap_ent {
    const char *key;
    uint32_t hash, val;
    uint32_t line;
    uint16_t feed;
} idmap_ent;

typedef struct idmap {
    idmap_ent *v;
    size_t cap;
} idmap;

static bool idmap_init(idmap *m, size_t n, struct feed_pool *pool)
{
    size_t cap = 16;
    while (cap < n * 2 + 16)
        cap *= 2;
    (void)pool;     /* issue 12 part 1: probed at random: stays in memory (a work file
                     * re-faulted after every trim made the load ten times slower) */
    m->v = calloc(cap, sizeof *m->v);
    m->cap = cap;
    return m->v != NULL;
}

static idmap_ent *idmap_slot(const idmap *m, const char *k, uint32_t h)
{
    size_t j = h & (m->cap - 1);
    for (;;) {
        idmap_ent *e = &m->v[j];
        if (!e->key || (e->hash == h && !strcmp(e->key, k)))
            return e;
        j = (j + 1) & (m->cap - 1);
    }
}

static const idmap_ent *idmap_find(const idmap *m, const char *k)
{
    const idmap_ent *e = idmap_slot(m, k, feed_hash(k, strlen(k)));
    return e->key ? e : NULL;
}

/* ---- rejects made here ---------------------------------------------------------- */

static bool add_reject(folio_dataset *ds, uint16_t feed, uint32_t line, folio_field col,
                       const char *fmt, ...) __attribute__((format(printf, 5, 6)));

static bool add_reject(folio_dataset *ds, uint16_t feed, uint32_t line, folio_field col,
                       const char *fmt, ...)
{
    struct feed_pool *pool = ds->pool;
    if (ds->n_rejects == pool->cap_rejects) {
        size_t nc = pool->cap_rejects ? pool->cap_rejects * 2 : 256;
        folio_reject *nr = realloc(ds->rejects, nc * sizeof *nr);
        if (!nr)
            return false;
        ds->rejects = nr;
        uint8_t *nn = realloc(pool->needs_raw, nc);
        if (!nn)
            return false;
        pool->needs_raw = nn;
        pool->cap_rejects = nc;
    }
    char reason[600];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(reason, sizeof reason, fmt, ap);
    va_end(ap);
    folio_reject *r = &ds->rejects[ds->n_rejects];
    r->feed = feed;
    r->line = line;
    r->column = feed < ds->n_feeds && pool->feeds[feed].col[col] ? pool->feeds[feed].col[col] : "";
    r->reason = feed_strpool_copy(&pool->main, reason, strlen(reason));
    r->raw = "";
    if (!r->reason)
        return false;
    pool->needs_raw[ds->n_rejects] = 1;
    ds->n_rejects++;
    if (feed < ds->n_feeds)
        ds->stats[feed].rejected++;
    return true;
}

bool feed_reject_add(folio_dataset *ds, uint16_t feed, uint32_t line, folio_field col,
                     const char *reason)
{
    return add_reject(ds, feed, line, col, "%s", reason);
}

static const char *feed_fname(const folio_dataset *ds, uint16_t feed)
{
    const char *s = feed < ds->n_feeds ? ds->pool->feeds[feed].fname : NULL;
    return s ? s : "?";
}

/* ---- ordering helpers ------------------------------------------------------------ */

#define BY_FEED_LINE(type, name)                                              \
    static int name(const void *a, const void *b)                             \
    {                                                                         \
        const type *x = a, *y = b;                                            \
        if (x->feed != y->feed)                                               \
            return x->feed < y->feed ? -1 : 1;                                \
        return x->line < y->line ? -1 : x->line > y->line;                    \
    }
BY_FEED_LINE(folio_customer, cmp_cust)
BY_FEED_LINE(folio_account, cmp_acct)

typedef struct rej_pair {
    folio_reject r;
    uint8_t need;
} rej_pair;

static int cmp_rej(const void *a, const void *b)
{
    const folio_reject *x = &((const rej_pair *)a)->r, *y = &((const rej_pair *)b)->r;
    if (x->feed != y->feed)
        return x->feed < y->feed ? -1 : 1;
    return x->line < y->line ? -1 : x->line > y->line;
}

/* The transaction sort's comparison: t the table; round 26: every row it
 * reads is a touch of the thread's feed_seek (a spilled table trims). */
typedef struct txn_cmp {
    const folio_txn *t;
    const struct feed_pool *pool;
    feed_seek sk;
} txn_cmp;

static int cmp_txn_idx(const void *a, const void *b, void *arg)
{
    txn_cmp *c = arg;
    const folio_txn *x = &c->t[*(const uint32_t *)a], *y = &c->t[*(const uint32_t *)b];
    if (c->pool) {
        feed_seek_touch(c->pool, &c->sk, x);
        feed_seek_touch(c->pool, &c->sk, y);
    }
    if (x->date != y->date)
        return x->date < y->date ? -1 : 1;
    if (x->feed != y->feed)
        return x->feed < y->feed ? -1 : 1;
    return x->line < y->line ? -1 : x->line > y->line;
}

static bool sorted_by_feed_line(const struct feed_pool *pool, const void *base, size_t n,
                                size_t size, int (*cmp)(const void *, const void *))
{
    const char *p = base;
    for (size_t i = 1; i < n; i++) {
        feed_tick_at(pool, i, FEED_TICK_ROWS);      /* round 26: a spilled table */
        if (cmp(p + (i - 1) * size, p + i * size) > 0)
            return false;
    }
    return true;
}

/* ---- the passes --------------------------------------------------------------------- */

static bool resolve_customers(folio_dataset *ds, idmap *cm)
{
    struct feed_pool *pool = ds->pool;
    if (!sorted_by_feed_line(pool, ds->customers, ds->n_customers, sizeof *ds->customers, cmp_cust))
        qsort(ds->customers, ds->n_customers, sizeof *ds->customers, cmp_cust);
    if (!idmap_init(cm, ds->n_customers + pool->rej_customers.n, pool))
        return false;
    size_t j = 0;
    feed_seek sk = {0};
    for (size_t i = 0; i < ds->n_customers; i++) {
        feed_seek_touch(pool, &sk, ds->customers[i].id);    /* round 26 */
        folio_customer c = ds->customers[i];
        uint32_t h = feed_hash(c.id, strlen(c.id));
        idmap_ent *e = idmap_slot(cm, c.id, h);
        if (e->key) {
            if (!add_reject(ds, c.feed, c.line, FOLIO_F_CUSTOMER_ID,
                            "duplicate customer_id '%s' (first at %s:%u)", c.id,
                            feed_fname(ds, e->feed), e->line))
                return false;
            continue;
        }
        *e = (idmap_ent){c.id, h, (uint32_t)j, c.line, c.feed};
        ds->customers[j++] = c;
    }
    ds->n_customers = j;
    for (size_t i = 0; i < pool->rej_customers.n; i++) {
        const char *k = pool->rej_customers.v[i];
        uint32_t h = feed_hash(k, strlen(k));
        idmap_ent *e = idmap_slot(cm, k, h);
        if (!e->key)
            *e = (idmap_ent){k, h, ID_REJECTED, 0, 0};
    }
    return true;
}

/* issue 14 part 1 (gaps): keys[g] = the ids account_attributes feed g has a
 * row for, built for the feeds whose attributes a disclosure section reads
 * (feed_def.need_attrs, set by disclosures_bind) */
static bool attr_keys(folio_dataset *ds, idmap *keys)
{
    struct feed_pool *pool = ds->pool;
    for (int f = 0; f < ds->n_feeds; f++) {
        const folio_feed_def *def = pool->feeds[f].def;
        for (int i = 0; def && def->need_attrs && i < def->n_need; i++)
            for (const folio_attr_def *const *x = def->need_attrs[i]; x && *x; x++) {
                int g = (*x)->feed;
                const feed_info *fi = g >= 0 && g < ds->n_feeds ? &pool->feeds[g] : NULL;
                if (!fi || !fi->def || fi->def->kind != FOLIO_FEED_ACCOUNT_ATTRS ||
                    fi->def->key_is_line || keys[g].v || !fi->ast.key)
                    continue;
                if (!idmap_init(&keys[g], fi->ast.n, pool))
                    return false;
                for (size_t r = 0; r < fi->ast.n; r++) {
                    const char *k = fi->ast.key[r];
                    idmap_ent *e = idmap_slot(&keys[g], k, feed_hash(k, strlen(k)));
                    if (!e->key)
                        *e = (idmap_ent){k, feed_hash(k, strlen(k)), 0, fi->ast.line[r],
                                         (uint16_t)g};
                }
            }
    }
    return true;
}

/* The first attribute a disclosure of account a's product reads that a has
 * no value row for: an account_attributes feed with no row naming it, or
 * another accounts feed's attribute.  Its own feed's cells are checked by
 * `required: true` at parse; a key: line_number feed is left to compose. */
static const folio_attr_def *attr_missing(const folio_dataset *ds, const folio_account *a,
                                          const idmap *keys)
{
    const folio_feed_def *def = ds->pool->feeds[a->feed].def;
    for (int i = 0; def && def->need_attrs && i < def->n_need; i++) {
        if (strcmp(def->need_products[i], a->product))
            continue;
        for (const folio_attr_def *const *x = def->need_attrs[i]; x && *x; x++) {
            int g = (*x)->feed;
            const folio_feed_def *gd = ds->pool->feeds[g].def;
            if (g == a->feed || (gd && gd->kind == FOLIO_FEED_ACCOUNT_ATTRS &&
                                 (gd->key_is_line || (keys[g].v && idmap_find(&keys[g], a->id)))))
                continue;
            return *x;
        }
    }
    return NULL;
}

static bool resolve_accounts_keys(folio_dataset *ds, const idmap *cm, idmap *am,
                                  const idmap *keys);

static bool resolve_accounts(folio_dataset *ds, const idmap *cm, idmap *am)
{
    idmap *keys = calloc((size_t)ds->n_feeds + 1, sizeof *keys);
    bool ok = keys && attr_keys(ds, keys);
    for (int g = 0; !ok && keys && g < ds->n_feeds; g++)
        free(keys[g].v);
    if (!ok) {
        free(keys);
        return false;
    }
    ok = resolve_accounts_keys(ds, cm, am, keys);
    for (int g = 0; g < ds->n_feeds; g++)
        free(keys[g].v);
    free(keys);
    return ok;
}

static bool resolve_accounts_keys(folio_dataset *ds, const idmap *cm, idmap *am,
                                  const idmap *keys)
{
    struct feed_pool *pool = ds->pool;
    if (!sorted_by_feed_line(pool, ds->accounts, ds->n_accounts, sizeof *ds->accounts, cmp_acct))
        qsort(ds->accounts, ds->n_accounts, sizeof *ds->accounts, cmp_acct);
    if (!idmap_init(am, ds->n_accounts + pool->rej_accounts.n, pool))
        return false;
    size_t j = 0;
    feed_seek sk = {0}, so = {0};
    for (size_t i = 0; i < ds->n_accounts; i++) {
        feed_seek_touch(pool, &sk, ds->accounts[i].id);     /* round 26 */
        folio_account a = ds->accounts[i];
        uint32_t h = feed_hash(a.id, strlen(a.id));
        idmap_ent *e = idmap_slot(am, a.id, h);
        if (e->key) {
            if (!add_reject(ds, a.feed, a.line, FOLIO_F_ACCOUNT_ID,
                            "duplicate account_id '%s' (first at %s:%u)", a.id,
                            feed_fname(ds, e->feed), e->line))
                return false;
            continue;
        }
        *e = (idmap_ent){a.id, h, ID_REJECTED, a.line, a.feed};
        const folio_attr_def *miss = attr_missing(ds, &a, keys);
        if (miss) {
            const folio_feed_def *gd = pool->feeds[miss->feed].def;
            bool af = gd && gd->kind == FOLIO_FEED_ACCOUNT_ATTRS;
            if (!add_reject(ds, a.feed, a.line, FOLIO_F_ACCOUNT_ID,
                            "%s '%s' (%s) has no row for account '%s': a disclosure of "
                            "product '%s' needs %s", af ? "account_attributes feed"
                            : "accounts feed", gd ? gd->name : "?",
                            feed_fname(ds, (uint16_t)miss->feed), a.id, a.product, miss->qname) ||
                !feed_idlist_push(&pool->rej_accounts, a.id))   /* r-harden: attrs.c says why */
                return false;
            continue;
        }
        if (!*a.owner_id) {                /* no customer_id column: owner from holders */
            a.owner = ID_UNKNOWN;
            e->val = (uint32_t)j;
            ds->accounts[j++] = a;
            continue;
        }
        const idmap_ent *o = idmap_find(cm, a.owner_id);
        feed_seek_touch(pool, &so, o ? o->key : a.owner_id);   /* round 26: at random */
        if (!o || o->val == ID_REJECTED) {
            bool okr = o ? add_reject(ds, a.feed, a.line, FOLIO_F_OWNER_ID,
                                      "customer '%s' rejected", a.owner_id)
                         : add_reject(ds, a.feed, a.line, FOLIO_F_OWNER_ID,
                                      "unknown customer_id '%s'", a.owner_id);
            if (!okr || !feed_idlist_push(&pool->rej_accounts, a.id))   /* r-harden */
                return false;
            continue;
        }
        a.owner = o->val;
        e->val = (uint32_t)j;
        ds->accounts[j++] = a;
    }
    ds->n_accounts = j;
    for (size_t i = 0; i < pool->rej_accounts.n; i++) {
        const char *k = pool->rej_accounts.v[i];
        uint32_t h = feed_hash(k, strlen(k));
        idmap_ent *e = idmap_slot(am, k, h);
        if (!e->key)
            *e = (idmap_ent){k, h, ID_REJECTED, 0, 0};
    }
    return true;
}

/* ---- holders (issue 10 part 2, folio/holders.h) ------------------------------------ */

BY_FEED_LINE(folio_holder, cmp_hold)

static int cmp_hold_pair(const void *a, const void *b, void *arg)
{
    const folio_holder *v = arg;
    const folio_holder *x = &v[*(const uint32_t *)a], *y = &v[*(const uint32_t *)b];
    if (x->account != y->account)
        return x->account < y->account ? -1 : 1;
    if (x->customer != y->customer)
        return x->customer < y->customer ? -1 : 1;
    if (x->feed != y->feed)
        return x->feed < y->feed ? -1 : 1;
    return x->line < y->line ? -1 : x->line > y->line;
}

static int cmp_hold_acct(const void *a, const void *b)
{
    const folio_holder *x = a, *y = b;
    if (x->account != y->account)
        return x->account < y->account ? -1 : 1;
    return cmp_hold(a, b);
}

/* Resolve holders rows in (feed, line) order: unknown or rejected account or
 * customer, a second row for one (account, customer) pair and a second
 * owner of one account are rejects.  An account left without an owner (no
 * customer_id column, no owner holder) is rejected, with its holders rows;
 * the account map then says "account 'X' rejected" to its transactions. */
static bool resolve_holders(folio_dataset *ds, const idmap *cm, idmap *am)
{
    const size_t n = ds->n_holders, na = ds->n_accounts;
    folio_holder *v = ds->holders;
    if (!sorted_by_feed_line(ds->pool, v, n, sizeof *v, cmp_hold))
        qsort(v, n, sizeof *v, cmp_hold);
    uint32_t *perm = malloc((n + 1) * sizeof *perm);
    uint8_t *dup = calloc(n + 1, 1);
    uint32_t *remap = malloc((na + 1) * sizeof *remap);
    free(ds->customer_role);
    ds->customer_role = calloc(ds->n_customers + 1, 1);
    bool ok = perm && dup && remap && ds->customer_role;
    /* indexes; ID_UNKNOWN / ID_REJECTED marks a row to reject */
    feed_seek sa = {0}, sc = {0};
    for (size_t i = 0; ok && i < n; i++) {
        const idmap_ent *a = idmap_find(am, v[i].account_id);
        const idmap_ent *c = idmap_find(cm, v[i].customer_id);
        feed_seek_touch(ds->pool, &sa, a ? a->key : v[i].account_id);   /* round 26 */
        feed_seek_touch(ds->pool, &sc, c ? c->key : v[i].customer_id);
        v[i].account = a ? a->val : ID_UNKNOWN;
        v[i].customer = c ? c->val : ID_UNKNOWN;
        perm[i] = (uint32_t)i;
    }
    if (ok)
        qsort_r(perm, n, sizeof *perm, cmp_hold_pair, v);
    for (size_t k = 1; ok && k < n; k++) {
        const folio_holder *x = &v[perm[k - 1]], *y = &v[perm[k]];
        if (x->account == y->account && x->customer == y->customer && x->account < na &&
            x->customer < ds->n_customers)
            dup[perm[k]] = 1;
    }
    size_t j = 0;
    for (size_t i = 0; ok && i < n; i++) {
        folio_holder h = v[i];
        if (h.account < na)
            feed_seek_touch(ds->pool, &sa, &ds->accounts[h.account]);  /* round 26 */
        if (h.account >= na) {
            ok = add_reject(ds, h.feed, h.line, FOLIO_F_HOLDER_ACCOUNT_ID,
                            h.account == ID_REJECTED ? "account '%s' rejected"
                                                     : "unknown account_id '%s'",
                            h.account_id);
            continue;
        }
        if (h.customer >= ds->n_customers) {
            ok = add_reject(ds, h.feed, h.line, FOLIO_F_HOLDER_CUSTOMER_ID,
                            h.customer == ID_REJECTED ? "customer '%s' rejected"
                                                      : "unknown customer_id '%s'",
                            h.customer_id);
            continue;
        }
        folio_account *a = &ds->accounts[h.account];
        if (dup[i]) {
            ok = add_reject(ds, h.feed, h.line, FOLIO_F_HOLDER_CUSTOMER_ID,
                            "duplicate holder: customer '%s' is already a holder of "
                            "account '%s'", h.customer_id, h.account_id);
            continue;
        }
        if (h.role == FOLIO_ROLE_OWNER && a->owner != ID_UNKNOWN && a->owner != h.customer) {
            ok = add_reject(ds, h.feed, h.line, FOLIO_F_HOLDER_ROLE,
                            "account '%s' already has owner '%s' (a second holder of the "
                            "account takes role joint)", h.account_id,
                            ds->customers[a->owner].id);
            continue;
        }
        if (h.role != FOLIO_ROLE_OWNER && a->owner == h.customer) {
            ok = add_reject(ds, h.feed, h.line, FOLIO_F_HOLDER_ROLE,
                            "customer '%s' is the owner of account '%s', listed here as %s",
                            h.customer_id, h.account_id, folio_role_name(h.role));
            continue;
        }
        if (h.role == FOLIO_ROLE_OWNER)
            a->owner = h.customer;
        v[j++] = h;
    }
    /* accounts without an owner */
    size_t ka = 0;
    for (size_t i = 0; ok && i < na; i++) {
        feed_tick_at(ds->pool, i, FEED_TICK_ROWS);      /* round 26: a spilled table */
        folio_account *a = &ds->accounts[i];
        if (a->owner == ID_UNKNOWN) {
            remap[i] = ID_REJECTED;
            ok = add_reject(ds, a->feed, a->line, FOLIO_F_ACCOUNT_ID,
                            "account '%s' has no owner: no customer_id column and no holder "
                            "with role owner", a->id) &&
                 feed_idlist_push(&ds->pool->rej_accounts, a->id);   /* r-harden */
            continue;
        }
        remap[i] = (uint32_t)ka;
        ds->accounts[ka++] = *a;
    }
    if (ok && ka < na) {
        ds->n_accounts = ka;
        for (size_t s = 0; s < am->cap; s++)
            if (am->v[s].key && am->v[s].val < na)
                am->v[s].val = remap[am->v[s].val];
        size_t k = 0;
        for (size_t i = 0; ok && i < j; i++) {
            feed_tick_at(ds->pool, i, FEED_TICK_ROWS);      /* round 26 */
            folio_holder h = v[i];
            if (remap[h.account] == ID_REJECTED) {
                ok = add_reject(ds, h.feed, h.line, FOLIO_F_HOLDER_ACCOUNT_ID,
                                "account '%s' rejected (it has no owner)", h.account_id);
                continue;
            }
            h.account = remap[h.account];
            v[k++] = h;
        }
        j = k;
    }
    ds->n_holders = j;
    if (ok && j > 1)
        qsort(v, j, sizeof *v, cmp_hold_acct);
    /* each customer's strongest role */
    uint8_t *role = ds->customer_role;
    for (size_t i = 0; ok && i < ds->n_accounts; i++) {
        feed_tick_at(ds->pool, i, FEED_TICK_ROWS);      /* round 26 */
        role[ds->accounts[i].owner] = FOLIO_ROLE_OWNER;
    }
    for (size_t i = 0; ok && i < j; i++) {
        feed_tick_at(ds->pool, i, FEED_TICK_ROWS);      /* round 26 */
        uint8_t *r = &role[v[i].customer];
        if (!*r || v[i].role < *r)
            *r = v[i].role;
    }
    free(perm);
    free(dup);
    free(remap);
    return ok;
}

/* Add a rejected transaction's amount to its feed's amount_rejected. */
static void note_rejected_amount(folio_dataset *ds, const folio_txn *t)
{
    if (t->feed < ds->n_feeds &&
        !folio_money_add(&ds->stats[t->feed].amount_rejected, t->amount))
        ds->stats[t->feed].amount_overflow = true;
}

/* Attach each transaction to its account, in file order (feed, line), and
 * keep every money sum exact: a row whose amount would make its feed's
 * amount total, or its account's total of credits or of debits, leave the
 * int64 range is rejected ("amount sum overflows") -- never summed with a
 * wrap.  With each account's credits and debits representable, every sum the
 * composer takes over a subset of them (period credits, debits, net) is too. */
static bool resolve_txns(folio_dataset *ds, const idmap *am)
{
    struct feed_pool *pool = ds->pool;
    const size_t n = ds->n_txns;
    if (n > UINT32_MAX - 2)
        return false;
    uint32_t *st = feed_pool_scratch(pool, (n + 1) * sizeof *st);   /* issue 12 part 1 */
    if (!st)
        return false;
    const char *const *ids = pool->txn_acct;
    /* issue 11 (r-twothr): the fast path.  When every row's account
     * resolves and the sum of all |amounts| fits an int64, no feed total and
     * no account's credits or debits can overflow, so the serial pass below
     * would keep every row in place and reject none: then the feed totals
     * are summed per thread here (exact integers: any order gives the same
     * sums) and the accounts set in parallel.  Not for a spilled table
     * (its rows are read and written in order, tabspill.h). */
    const int nf = ds->n_feeds;
    uint64_t *fsum = pool->spill ? NULL : calloc((size_t)nf + 1, sizeof *fsum);
    uint64_t abs_total = 0;
    bool fast = fsum != NULL;
#pragma omp parallel
    {
        /* issue 11 (round 23, the load): ids are interned per chunk, so a
         * run of one account's rows repeats one pointer: one lookup */
        const char *prev = NULL;
        uint32_t pv = ID_UNKNOWN;
        feed_seek sk = {0};
        uint64_t *my_f = fast ? calloc((size_t)nf + 1, sizeof *my_f) : NULL;
        uint64_t my_abs = 0;
        bool my_fast = my_f != NULL;
#pragma omp for schedule(static)
        for (size_t i = 0; i < n; i++) {
            feed_tick_at(pool, i, FEED_TICK_ROWS);  /* round 26: ids and st in order */
            if (ids[i] != prev) {
                const idmap_ent *e = idmap_find(am, ids[i]);
                feed_seek_touch(pool, &sk, e ? e->key : ids[i]);    /* at random */
                prev = ids[i];
                pv = e ? e->val : ID_UNKNOWN;
            }
            st[i] = pv;
            if (my_fast) {
                const folio_txn *t = &ds->txns[i];
                uint64_t a = t->amount < 0 ? -(uint64_t)t->amount : (uint64_t)t->amount;
                my_abs = my_abs + a < my_abs ? UINT64_MAX : my_abs + a;
                if (t->feed < nf)
                    my_f[t->feed] += (uint64_t)t->amount;      /* modulo 2^64 */
                if (pv == ID_UNKNOWN || pv == ID_REJECTED)
                    my_fast = false;
            }
        }
#pragma omp critical(resolve_txns_fast)
        {
            if (!my_fast)
                fast = false;
            abs_total = abs_total + my_abs < abs_total ? UINT64_MAX : abs_total + my_abs;
            for (int f = 0; my_f && f < nf; f++)
                fsum[f] += my_f[f];
        }
        free(my_f);
    }
    if (fast && abs_total <= (uint64_t)INT64_MAX) {
        /* every partial sum is within +-abs_total: the modulo sums are exact */
        for (int f = 0; f < nf; f++)
            ds->stats[f].amount_read = (folio_money)fsum[f];
        folio_txn *tx = ds->txns;
#pragma omp parallel for schedule(static)
        for (size_t i = 0; i < n; i++)
            tx[i].account = st[i];
        free(fsum);
        feed_pool_free_table(pool, st);
        return true;
    }
    free(fsum);
    /* per account: [0] credits, [1] debits (as a negative sum) */
    folio_money (*acc_sum)[2] = calloc(ds->n_accounts + 1, sizeof *acc_sum);
    if (!acc_sum) {
        feed_pool_free_table(pool, st);
        return false;
    }
    for (int f = 0; f < ds->n_feeds; f++)
        ds->stats[f].amount_read = 0;
    size_t j = 0;
    bool ok = true;
    for (size_t i = 0; i < n && ok; i++) {
        feed_tick_at(pool, i, FEED_TICK_ROWS);      /* round 26: the table in order */
        folio_txn t = ds->txns[i];
        if (t.feed < ds->n_feeds && !folio_money_add(&ds->stats[t.feed].amount_read, t.amount)) {
            /* not counted as read: like an amount that does not parse */
            ok = add_reject(ds, t.feed, t.line, FOLIO_F_AMOUNT,
                            "amount sum overflows: the total of the feed's amounts would "
                            "leave the representable range");
            continue;
        }
        if (st[i] == ID_UNKNOWN || st[i] == ID_REJECTED) {
            ok = st[i] == ID_UNKNOWN
                     ? add_reject(ds, t.feed, t.line, FOLIO_F_TXN_ACCOUNT_ID,
                                  "unknown account_id '%s'", ids[i])
                     : add_reject(ds, t.feed, t.line, FOLIO_F_TXN_ACCOUNT_ID,
                                  "account '%s' rejected", ids[i]);
            note_rejected_amount(ds, &t);
            continue;
        }
        folio_money *sum = &acc_sum[st[i]][t.amount < 0];
        if (!folio_money_add(sum, t.amount)) {
            ok = add_reject(ds, t.feed, t.line, FOLIO_F_AMOUNT,
                            "amount sum overflows: the %s of account '%s' would leave the "
                            "representable range", t.amount < 0 ? "debits" : "credits",
                            ids[i]);
            note_rejected_amount(ds, &t);
            continue;
        }
        t.account = st[i];
        ds->txns[j++] = t;
    }
    free(acc_sum);
    feed_pool_free_table(pool, st);
    ds->n_txns = j;
    return ok;
}

static bool sort_txns(folio_dataset *ds)
{
    const size_t n = ds->n_txns, na = ds->n_accounts;
    uint32_t *start = calloc(na + 1, sizeof *start);
    uint32_t *perm = malloc((n + 1) * sizeof *perm);
    if (!start || !perm) {
        free(start);
        free(perm);
        return false;
    }
    /* issue 12 part 1 (round 24): a spilled table's scans and the apply
     * below tick (tabspill.h): at 1,000,000 households they took the peak
     * RSS from ~0.8 to 1.6 GiB between two runs of the trimmer thread */
    struct folio_tabspill *sp = ds->pool ? ds->pool->spill : NULL;
    for (size_t i = 0; i < n; i++) {
        if ((i & 65535) == 65535)
            tabspill_tick(sp, 1);
        start[ds->txns[i].account + 1]++;
    }
    for (size_t a = 0; a < na; a++) {
        feed_tick_at(ds->pool, a, FEED_TICK_ROWS);      /* round 26 */
        ds->accounts[a].n_txn = start[a + 1];
        start[a + 1] += start[a];
        ds->accounts[a].first_txn = start[a];
    }
    /* stable placement: start[a] is now the next free slot of account a */
    for (size_t i = 0; i < n; i++) {
        if ((i & 65535) == 65535)
            tabspill_tick(sp, 1);       /* round 24 */
        perm[start[ds->txns[i].account]++] = (uint32_t)i;
    }
    free(start);
    folio_txn *t = ds->txns;
#pragma omp parallel
    {
        /* round 26: the rows read through perm (in order when a feed lists
         * an account's rows together, at random if not) are touches */
        txn_cmp tc = {t, sp ? ds->pool : NULL, {0}};
#pragma omp for schedule(dynamic, 256)
        for (size_t a = 0; a < na; a++) {
            uint32_t f = ds->accounts[a].first_txn, c = ds->accounts[a].n_txn;
            /* issue 11 (round 23, the load): a feed in date order per account
             * is sorted already (the order is total: date, feed, line) */
            uint32_t k = 1;
            while (k < c && cmp_txn_idx(&perm[f + k - 1], &perm[f + k], &tc) <= 0)
                k++;
            if (k >= c)
                continue;
            if (c > 32) {
                qsort_r(perm + f, c, sizeof *perm, cmp_txn_idx, &tc);
            } else {
                uint32_t *v = perm + f;          /* a month of one account: insertion sort */
                for (uint32_t i = 1; i < c; i++) {
                    uint32_t key = v[i], j = i;
                    while (j > 0 && cmp_txn_idx(&v[j - 1], &key, &tc) > 0) {
                        v[j] = v[j - 1];
                        j--;
                    }
                    v[j] = key;
                }
            }
        }
    }
    /* apply: new[k] = old[perm[k]], following cycles; perm[k] = k marks done */
    feed_seek sk = {0};
    for (size_t k = 0; k < n; k++) {
        if (perm[k] == k)
            continue;
        folio_txn tmp = t[k];
        size_t j = k;
        for (;;) {
            size_t src = perm[j];
            if (sp)     /* round 24, 26: reads of the table, at random if perm is */
                feed_seek_touch(ds->pool, &sk, &t[src]);
            perm[j] = (uint32_t)j;
            if (src == k) {
                t[j] = tmp;
                break;
            }
            t[j] = t[src];
            j = src;
        }
    }
    free(perm);
    return true;
}

static bool sort_rejects(folio_dataset *ds)
{
    const size_t n = ds->n_rejects;
    if (n < 2)
        return true;
    rej_pair *v = malloc(n * sizeof *v);
    if (!v)
        return false;
    for (size_t i = 0; i < n; i++) {
        v[i].r = ds->rejects[i];
        v[i].need = ds->pool->needs_raw[i];
    }
    qsort(v, n, sizeof *v, cmp_rej);
    for (size_t i = 0; i < n; i++) {
        ds->rejects[i] = v[i].r;
        ds->pool->needs_raw[i] = v[i].need;
    }
    free(v);
    return true;
}

bool feed_resolve(folio_dataset *ds, folio_error *err)
{
    struct feed_pool *pool = ds->pool;
    if (pool->resolved) {
        folio_error_set(err, FOLIO_EXIT_FAILED, "feed_resolve: dataset already resolved");
        return false;
    }
    idmap cm = {0}, am = {0};
    bool ok = resolve_customers(ds, &cm) && resolve_accounts(ds, &cm, &am) &&
              resolve_holders(ds, &cm, &am) && resolve_txns(ds, &am);
    /* issue 12 part 1: the id maps (24 bytes a slot, 2-4 slots a record) are
     * not needed by the sort: freed first, they never add to its permutation */
    free(cm.v);
    free(am.v);
    ok = ok && sort_txns(ds) &&
              attrs_resolve(ds) &&
              events_resolve(ds) &&           /* issue 15 part 2 */
              sort_rejects(ds);
    if (!ok) {
        folio_error_set(err, FOLIO_EXIT_FAILED, "out of memory while resolving feeds");
        return false;
    }
    for (int f = 0; f < ds->n_feeds; f++)
        ds->stats[f].accepted = ds->stats[f].records - ds->stats[f].rejected;
    feed_pool_free_table(pool, pool->txn_acct);   /* issue 12 part 1: maybe spilled */
    pool->txn_acct = NULL;
    pool->cap_txns = ds->n_txns;     /* txn_acct is gone: no more growth */
    pool->resolved = true;
    return true;
}
