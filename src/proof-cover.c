/* SPDX-License-Identifier: Apache-2.0 */
/*
 * proof-cover.c -- `output.proofs` options and the greedy set cover behind
 * the proof sample (folio/proof.h has the algorithm and its contract).
 *
 * Steps of proof_cover_build:
 *   1. intern: every key of every item gets an id through an open-addressing
 *      hash table of (pointer, length) views into the items' own strings;
 *      each item becomes a list of distinct ids (CSR: item_off / item_key; a
 *      per-key stamp drops a key repeated within one item);
 *   2. renumber the ids so that id order is strcmp order of the keys (reports
 *      and tests then read keys alphabetically);
 *   3. lazy greedy over a binary max-heap of (gain, item), see proof.h.
 */
#include "folio/proof.h"

#include "yamltree.h"

#include <stdlib.h>
#include <string.h>

/* ---- options --------------------------------------------------------------- */

static const char *const PROOF_KEYS[] = { "enabled", "max", NULL };

bool proof_options_read(yt_doc *d, const yt_node *output, folio_proof_options **out)
{
    *out = NULL;
    folio_proof_options *o = calloc(1, sizeof *o);
    if (!o) {
        folio_error_set(d->err, FOLIO_EXIT_FAILED, "%s: out of memory", d->path);
        return false;
    }
    o->enabled = true;
    o->max = 100;
    const yt_node *p = output ? yt_child(d, output, "output", "proofs", false) : NULL;
    if (d->err->code) {
        free(o);
        return false;
    }
    if (p) {
        const char *where = "output.proofs";
        int64_t max = o->max;
        bool ok = yt_expect_map(d, p, where) && yt_check_keys(d, p, where, PROOF_KEYS)
                  && yt_bool(d, p, where, "enabled", false, &o->enabled) >= 0
                  && yt_int(d, p, where, "max", false, 1, 1000000, &max) >= 0;
        if (!ok) {
            free(o);
            return false;
        }
        o->max = (uint32_t)max;
        o->line = p->line;
    }
    *out = o;
    return true;
}

void proof_options_free(folio_proof_options *o)
{
    free(o);
}

/* ---- interning --------------------------------------------------------- */

typedef struct kview {
    const char *p;
    uint32_t len;
} kview;

typedef struct ktable {
    uint32_t *slot;             /* key id + 1, 0 = empty */
    size_t cap;                 /* power of two */
    kview *keys;                /* by id */
    uint32_t n, kcap;
} ktable;

static uint64_t hash_bytes(const char *p, size_t n)
{
    uint64_t h = 1469598103934665603ULL;
    for (size_t i = 0; i < n; i++) {
        h ^= (unsigned char)p[i];
        h *= 1099511628211ULL;
    }
    return h ^ (h >> 29);
}

static bool kt_grow(ktable *t)
{
    size_t cap = t->cap ? t->cap * 2 : 256;
    uint32_t *s = calloc(cap, sizeof *s);
    if (!s)
        return false;
    for (uint32_t id = 0; id < t->n; id++) {
        size_t i = hash_bytes(t->keys[id].p, t->keys[id].len) & (cap - 1);
        while (s[i])
            i = (i + 1) & (cap - 1);
        s[i] = id + 1;
    }
    free(t->slot);
    t->slot = s;
    t->cap = cap;
    return true;
}

/* Id of key p[0..n), added when new; UINT32_MAX on OOM. */
static uint32_t kt_intern(ktable *t, const char *p, size_t n)
{
    if ((t->n + 1) * 2 > t->cap && !kt_grow(t))
        return UINT32_MAX;
    size_t i = hash_bytes(p, n) & (t->cap - 1);
    while (t->slot[i]) {
        const kview *k = &t->keys[t->slot[i] - 1];
        if (k->len == n && !memcmp(k->p, p, n))
            return t->slot[i] - 1;
        i = (i + 1) & (t->cap - 1);
    }
    if (t->n == t->kcap) {
        uint32_t nc = t->kcap ? t->kcap * 2 : 64;
        kview *nk = realloc(t->keys, nc * sizeof *nk);
        if (!nk)
            return UINT32_MAX;
        t->keys = nk;
        t->kcap = nc;
    }
    t->keys[t->n] = (kview){p, (uint32_t)n};
    t->slot[i] = ++t->n;
    return t->n - 1;
}

static int cmp_key_ids(const void *a, const void *b, void *base)
{
    const kview *x = &((const kview *)base)[*(const uint32_t *)a];
    const kview *y = &((const kview *)base)[*(const uint32_t *)b];
    int c = memcmp(x->p, y->p, x->len < y->len ? x->len : y->len);
    if (c)
        return c;
    return x->len < y->len ? -1 : x->len > y->len;
}

static int cmp_u32(const void *a, const void *b)
{
    uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
    return x < y ? -1 : x > y;
}

/* ---- heap -------------------------------------------------------------- */

typedef struct hent {
    uint32_t gain, item;
} hent;

/* a is taken before b: more gain, then the lower item index */
static bool hbefore(hent a, hent b)
{
    return a.gain > b.gain || (a.gain == b.gain && a.item < b.item);
}

static void hsift_down(hent *h, size_t n, size_t i)
{
    for (;;) {
        size_t l = 2 * i + 1, r = l + 1, m = i;
        if (l < n && hbefore(h[l], h[m]))
            m = l;
        if (r < n && hbefore(h[r], h[m]))
            m = r;
        if (m == i)
            return;
        hent t = h[i];
        h[i] = h[m];
        h[m] = t;
        i = m;
    }
}

/* ---- cover ------------------------------------------------------------- */

void proof_cover_free(folio_proof_cover *c)
{
    if (!c)
        return;
    for (uint32_t i = 0; i < c->n_keys; i++)
        free(c->keys[i]);
    free(c->keys);
    free(c->key_items);
    free(c->picked);
    free(c->first_off);
    free(c->first);
    free(c->uncovered);
    memset(c, 0, sizeof *c);
}

bool proof_cover_build(const char *const *items, size_t n, uint32_t max,
                       folio_proof_cover *c, folio_error *err)
{
    memset(c, 0, sizeof *c);
    ktable t = {0};
    size_t *off = malloc((n + 1) * sizeof *off);
    uint32_t *ik = NULL, *stamp = NULL, *rank = NULL, *order = NULL;
    uint8_t *covered = NULL;
    hent *heap = NULL;
    size_t nik = 0, cap_ik = 0;
    bool ok = off != NULL;
    /* 1. intern */
    for (size_t i = 0; ok && i < n; i++) {
        off[i] = nik;
        if (!items[i])
            continue;
        c->n_items++;
        for (const char *p = items[i]; *p && ok;) {
            const char *nl = strchr(p, '\n');
            size_t len = nl ? (size_t)(nl - p) : strlen(p);
            if (len) {
                uint32_t id = kt_intern(&t, p, len);
                if (id == UINT32_MAX) {
                    ok = false;
                    break;
                }
                if (nik == cap_ik) {
                    size_t nc = cap_ik ? cap_ik * 2 : 1024;
                    uint32_t *x = realloc(ik, nc * sizeof *x);
                    if (!x) {
                        ok = false;
                        break;
                    }
                    ik = x;
                    cap_ik = nc;
                }
                ik[nik++] = id;
            }
            p = nl ? nl + 1 : p + len;
        }
    }
    if (ok)
        off[n] = nik;
    uint32_t K = t.n;
    /* drop repeats within an item (stamp = item + 1) and count items per key */
    if (ok) {
        stamp = calloc(K ? K : 1, sizeof *stamp);
        c->key_items = calloc(K ? K : 1, sizeof *c->key_items);
        ok = stamp && c->key_items;
    }
    if (ok) {
        size_t w = 0;
        for (size_t i = 0; i < n; i++) {
            size_t b = off[i], e = off[i + 1];
            off[i] = w;
            for (size_t j = b; j < e; j++) {
                uint32_t id = ik[j];
                if (stamp[id] == (uint32_t)i + 1)
                    continue;
                stamp[id] = (uint32_t)i + 1;
                c->key_items[id]++;
                ik[w++] = id;
            }
        }
        off[n] = w;
    }
    /* 2. renumber in strcmp order */
    if (ok) {
        order = malloc((K ? K : 1) * sizeof *order);
        rank = malloc((K ? K : 1) * sizeof *rank);
        c->keys = calloc(K ? K : 1, sizeof *c->keys);
        ok = order && rank && c->keys;
    }
    if (ok) {
        for (uint32_t i = 0; i < K; i++)
            order[i] = i;
        qsort_r(order, K, sizeof *order, cmp_key_ids, t.keys);
        for (uint32_t r = 0; r < K; r++)
            rank[order[r]] = r;
        c->n_keys = K;
        for (uint32_t r = 0; r < K && ok; r++) {
            const kview *k = &t.keys[order[r]];
            c->keys[r] = malloc(k->len + 1);
            if (!c->keys[r]) {
                ok = false;
                break;
            }
            memcpy(c->keys[r], k->p, k->len);
            c->keys[r][k->len] = 0;
        }
        /* counts follow the keys */
        for (uint32_t i = 0; ok && i < K; i++)
            stamp[rank[i]] = c->key_items[i];
        if (ok)
            memcpy(c->key_items, stamp, K * sizeof *stamp);
        for (size_t j = 0; ok && j < off[n]; j++)
            ik[j] = rank[ik[j]];
    }
    /* 3. lazy greedy */
    size_t nh = 0;
    if (ok) {
        covered = calloc(K ? K : 1, 1);
        heap = malloc((n ? n : 1) * sizeof *heap);
        uint32_t cap_pick = max && max < K ? max : K;
        c->picked = malloc((cap_pick ? cap_pick : 1) * sizeof *c->picked);
        c->first_off = malloc((cap_pick + 1) * sizeof *c->first_off);
        c->first = malloc((K ? K : 1) * sizeof *c->first);
        c->uncovered = malloc((K ? K : 1) * sizeof *c->uncovered);
        ok = covered && heap && c->picked && c->first_off && c->first && c->uncovered;
    }
    if (ok) {
        for (size_t i = 0; i < n; i++)
            if (off[i + 1] > off[i])
                heap[nh++] = (hent){(uint32_t)(off[i + 1] - off[i]), (uint32_t)i};
        for (size_t i = nh / 2; i-- > 0;)
            hsift_down(heap, nh, i);
        uint32_t n_cov = 0, nf = 0;
        c->first_off[0] = 0;
        while (nh && n_cov < K && (!max || c->n_picked < max)) {
            hent top = heap[0];
            uint32_t g = 0;
            for (size_t j = off[top.item]; j < off[top.item + 1]; j++)
                g += !covered[ik[j]];
            if (g == 0) {
                heap[0] = heap[--nh];
                hsift_down(heap, nh, 0);
                continue;
            }
            if (g < top.gain) {
                heap[0].gain = g;
                hsift_down(heap, nh, 0);
                continue;
            }
            /* still the best: take it */
            heap[0] = heap[--nh];
            hsift_down(heap, nh, 0);
            uint32_t f0 = nf;
            for (size_t j = off[top.item]; j < off[top.item + 1]; j++)
                if (!covered[ik[j]]) {
                    covered[ik[j]] = 1;
                    c->first[nf++] = ik[j];
                }
            qsort(c->first + f0, nf - f0, sizeof *c->first, cmp_u32);
            n_cov += nf - f0;
            c->picked[c->n_picked++] = top.item;
            c->first_off[c->n_picked] = nf;
        }
        for (uint32_t k = 0; k < K; k++)
            if (!covered[k])
                c->uncovered[c->n_uncovered++] = k;
        c->capped = c->n_uncovered > 0;
    }
    free(off);
    free(ik);
    free(stamp);
    free(rank);
    free(order);
    free(covered);
    free(heap);
    free(t.slot);
    free(t.keys);
    if (!ok) {
        proof_cover_free(c);
        folio_error_set(err, FOLIO_EXIT_FAILED, "proof sample: out of memory");
    }
    return ok;
}
