/* SPDX-License-Identifier: Apache-2.0 */
/*
 * porder.c -- issue 12 part 1 (round 24): a spilled run's transactions in
 * household order, its shared texts in one compact pool (porder.h).
 */
#include "porder.h"
#include "feed-private.h"
#include "tabspill.h"

#include <stdlib.h>
#include <string.h>

/* the bytes of a description: a plain string, or desc_langs texts packed
 * back to back (codes.h), without the last NUL */
static size_t desc_len(const folio_txn *t)
{
    const char *s = t->description;
    if (t->desc_langs <= 1)
        return strlen(s);
    size_t n = 0;
    for (int i = 0; i < t->desc_langs; i++)
        n += strlen(s + n) + 1;
    return n - 1;
}

/* texts copied, in the order they are read, into the work-file string
 * region (tabspill_alloc), 4 MiB at a time; a full region keeps the rest
 * where they are (the same text) */
typedef struct carver {
    folio_tabspill *ts;
    char *cur;
    size_t left;
    bool full;
    uint64_t bytes;
} carver;

#define CARVE_BLOCK ((size_t)4 << 20)

static const char *carve(carver *c, const char *s, size_t n)
{
    if (!s || !n || c->full || n + 1 > CARVE_BLOCK / 4)
        return s;
    if (c->left < n + 1) {
        c->cur = tabspill_alloc(c->ts, CARVE_BLOCK);
        c->left = c->cur ? CARVE_BLOCK : 0;
        if (!c->cur) {
            c->full = true;
            return s;
        }
    }
    char *p = c->cur;
    memcpy(p, s, n + 1);                /* with the NUL (and a packed text's) */
    c->cur += n + 1;
    c->left -= n + 1;
    c->bytes += n + 1;
    return p;
}

#define CARVE(c, field) ((field) = carve((c), (field), (field) ? strlen(field) : 0))

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

/* every 4096 rows: the trims of the spilled tables (tabspill.h) */
#define TICK(ds) tabspill_tick((ds)->pool->spill, 4096)

bool porder_layout(folio_dataset *ds, const folio_households *hs, porder_stats *st,
                   folio_error *err)
{
    porder_stats dummy;
    if (!st)
        st = &dummy;
    memset(st, 0, sizeof *st);
    struct feed_pool *pool = ds->pool;
    if (!pool || !pool->spill)
        return true;
    size_t n = ds->n_txns, na = ds->n_accounts;
    int aw = ds->attr_width[2], cw = ds->attr_code_width;
    folio_txn *nt = NULL;
    union folio_attr_val *nav = NULL;
    uint16_t *nac = NULL;
    uint32_t *first = malloc((na ? na : 1) * sizeof *first);
    uint8_t *placed = calloc(na ? na : 1, 1);
    interner in = {0};
    feed_strpool_init(&in.sp);
    carver cv = {.ts = pool->spill};
    bool ok = first && placed;
    if (ok && n) {
        void *p = NULL;                 /* a new work file, written in order */
        if (!tabspill_grow(pool->spill, &p, 0, n * sizeof *nt, err))
            goto fail_noerr;
        nt = p;
    }
    if (ok && n && aw > 0 && ds->attr_vals[2])
        ok = (nav = malloc(n * (size_t)aw * sizeof *nav)) != NULL;
    if (ok && n && cw > 0 && ds->attr_codes)
        ok = (nac = malloc(n * (size_t)cw * sizeof *nac)) != NULL;
    if (!ok) {
        folio_error_set(err, FOLIO_EXIT_FAILED, "out of memory");
        goto fail;
    }
    /* the order: households' accounts (each household's own order), then
     * the accounts of no household (index order) */
    size_t pos = 0;
    for (size_t h = 0; h <= hs->n; h++) {
        for (uint32_t k = 0; h < hs->n && k < hs->v[h].n_customers; k++) {
            uint32_t ci = hs->customer_idx[hs->v[h].first_customer + k];
            if (ci >= ds->n_customers)
                continue;
            folio_customer *c = &ds->customers[ci];
            CARVE(&cv, c->id);
            CARVE(&cv, c->household_id);
            CARVE(&cv, c->first_name);
            CARVE(&cv, c->last_name);
            CARVE(&cv, c->address1);
            CARVE(&cv, c->address2);
            CARVE(&cv, c->city);
            CARVE(&cv, c->state);
            CARVE(&cv, c->postal_code);
            CARVE(&cv, c->country);
            CARVE(&cv, c->email);
            CARVE(&cv, c->segment);
            c->language = intern(&in, c->language, c->language ? strlen(c->language) : 0);
        }
        size_t k0 = h < hs->n ? hs->v[h].first_account : 0;
        size_t k1 = h < hs->n ? k0 + hs->v[h].n_accounts : na;
        for (size_t k = k0; k < k1; k++) {
            uint32_t a = h < hs->n ? hs->account_idx[k] : (uint32_t)k;
            if (a >= na || placed[a])
                continue;
            placed[a] = 1;
            st->accounts_in_order += h < hs->n;
            const folio_account *ac = &ds->accounts[a];
            if ((size_t)ac->first_txn + ac->n_txn > n || pos + ac->n_txn > n) {
                folio_error_set(err, FOLIO_EXIT_FAILED,
                                "internal error: account %u's transactions out of range", a);
                goto fail;
            }
            memcpy(&nt[pos], &ds->txns[ac->first_txn], ac->n_txn * sizeof *nt);
            if (nav)
                memcpy(&nav[pos * (size_t)aw], &ds->attr_vals[2][ac->first_txn * (size_t)aw],
                       ac->n_txn * (size_t)aw * sizeof *nav);
            if (nac)
                memcpy(&nac[pos * (size_t)cw], &ds->attr_codes[ac->first_txn * (size_t)cw],
                       ac->n_txn * (size_t)cw * sizeof *nac);
            first[a] = (uint32_t)pos;
            folio_account *aw_ = &ds->accounts[a];
            CARVE(&cv, aw_->id);
            CARVE(&cv, aw_->owner_id);
            CARVE(&cv, aw_->product_name);
            for (uint32_t i = 0; i < ac->n_txn; i++, pos++) {
                folio_txn *t = &nt[pos];
                if (t->description)
                    t->description = carve(&cv, t->description, desc_len(t));
                if ((pos & 4095) == 0)
                    TICK(ds);
            }
        }
    }
    if (pos != n) {                     /* a row of no account: not after resolve */
        folio_error_set(err, FOLIO_EXIT_FAILED,
                        "internal error: %zu of %zu transactions in no account's range", n - pos,
                        n);
        goto fail;
    }
    for (size_t a = 0; a < na; a++) {
        folio_account *ac = &ds->accounts[a];
        ac->first_txn = first[a];
        ac->product = intern(&in, ac->product, ac->product ? strlen(ac->product) : 0);
        ac->currency = intern(&in, ac->currency, ac->currency ? strlen(ac->currency) : 0);
        if ((a & 4095) == 0)
            TICK(ds);
    }
    st->strings_interned = in.sp.n;
    st->strings_bytes = in.bytes;
    st->strings_copied = cv.bytes;
    /* the pool owns the texts from here; if it cannot take them (out of
     * memory) they are left allocated -- the rows point there -- and the
     * run fails */
    bool adopted = feed_pool_adopt(pool, &in.sp);
    if (!adopted)
        folio_error_set(err, FOLIO_EXIT_FAILED, "out of memory");
    feed_pool_free_table(pool, ds->txns);
    ds->txns = nt;
    if (nav) {
        free(ds->attr_vals[2]);
        ds->attr_vals[2] = nav;
    }
    if (nac) {
        free(ds->attr_codes);
        ds->attr_codes = nac;
    }
    st->txns_moved = n;
    free(first);
    free(placed);
    return adopted;
fail_noerr:
fail:
    free(first);
    free(placed);
    free(nav);
    free(nac);
    if (nt)
        feed_pool_free_table(pool, nt);
    feed_strpool_free(&in.sp);
    return false;
}
