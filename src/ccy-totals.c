/* SPDX-License-Identifier: Apache-2.0 */
/*
 * ccy-totals.c -- money outside the page, per currency (ccy-totals.h).
 */
#include "ccy-totals.h"

#include "folio/currency.h"
#include "manifest.h"
#include "run-spill.h"      /* issue 12 part 1 (round 23) */

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

size_t ccy_amount_str(const char *code, folio_money m, char *buf, size_t cap)
{
    int md = currency_minor_digits(code);
    return folio_money_format(m, md < 0 ? 2 : md, '.', 0, buf, cap);
}

ccy_sum *ccy_entry(ccy_totals *C, const char *code)
{
    int lo = 0, hi = C->n;
    while (lo < hi) {
        int mid = (lo + hi) / 2, c = memcmp(C->v[mid].code, code, 3);
        if (!c)
            return &C->v[mid];
        if (c < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    if (C->n == C->cap) {
        int cap = C->cap ? 2 * C->cap : 8;
        ccy_sum *v = realloc(C->v, (size_t)cap * sizeof *v);
        if (!v) {
            C->failed = true;
            return NULL;
        }
        C->v = v;
        C->cap = cap;
    }
    memmove(&C->v[lo + 1], &C->v[lo], (size_t)(C->n - lo) * sizeof *C->v);
    C->n++;
    ccy_sum *e = &C->v[lo];
    memset(e, 0, sizeof *e);
    memcpy(e->code, code, 3);
    e->md = currency_minor_digits(e->code);
    if (e->md < 0)
        e->md = 2;
    return e;
}

static void add(ccy_totals *C, folio_money *acc, folio_money v, const char *what)
{
    if (!folio_money_add(acc, v) && !C->overflow)
        C->overflow = what;
}

/* A currency code usable as a key: 3 letters, else "XXX" (ISO 4217's "no
 * currency"; the loader rejects an account with any other). */
static const char *code_of(const char *c)
{
    return c && strlen(c) == 3 ? c : "XXX";
}

/* m held with `held` minor digits, in the minor unit of a currency with md;
 * false when that is not exact or overflows. */
static bool rescale(folio_money m, int held, int md, folio_money *out)
{
    static const int64_t p10[] = {1, 10, 100, 1000, 10000, 100000, 1000000};
    if (held < 0 || md < 0 || held > 6 || md > 6)
        return false;
    if (held == md) {
        *out = m;
        return true;
    }
    if (held < md)
        return !__builtin_mul_overflow(m, p10[md - held], out);
    if (m % p10[held - md])
        return false;
    *out = m / p10[held - md];
    return true;
}

/* The rows' sums into C (feed < 0: every row; else feed's rows) and
 * loaded_f (per feed, in its own minor unit: what its loaded rows add up
 * to, so that "read" stays the feed statistics' figure -- any difference to
 * loaded + rejected shows in the feed currency's check); with F, each row's
 * also into F[its feed] (issue 12 part 1, round 25: one scan of every row
 * for the run's and each feed's totals, not one per feed). */
static void scan_rows(const run_state *R, int feed, ccy_totals *C, folio_money *loaded_f,
                      ccy_totals *F)
{
    const folio_dataset *ds = R->ds;
    const folio_job *J = R->job;
    for (size_t i = 0; i < ds->n_txns && !C->failed; i++) {
        if ((i & 4095) == 4095) {
            run_spill_tick(R, 1);   /* issue 12 part 1 (round 23): a scan of every row */
            if (folio_stop)         /* r-harden: a SIGTERM ends the scan */
                break;
        }
        const folio_txn *t = &ds->txns[i];
        if (feed >= 0 && t->feed != feed)
            continue;
        const char *code = code_of(ds->accounts[t->account].currency);
        ccy_sum *e = ccy_entry(C, code);
        if (!e)
            break;
        add(C, &e->loaded, t->amount, "the amount loaded");
        add(C, &e->read, t->amount, "the amount read");
        if (t->feed < J->n_feeds)
            add(C, &loaded_f[t->feed], t->amount, "the amount loaded");
        if (F && t->feed < J->n_feeds) {
            ccy_totals *G = &F[t->feed];
            ccy_sum *g = ccy_entry(G, code);
            if (g) {
                add(G, &g->loaded, t->amount, "the amount loaded");
                add(G, &g->read, t->amount, "the amount read");
            }
        }
    }
}

static bool finish(const run_state *R, int feed, ccy_totals *C, const folio_money *loaded_f,
                   folio_error *err);

bool ccy_totals_compute(const run_state *R, int feed, ccy_totals *C, folio_error *err)
{
    memset(C, 0, sizeof *C);
    folio_money *loaded_f = calloc((size_t)R->job->n_feeds + 1, sizeof *loaded_f);
    if (!loaded_f)
        C->failed = true;
    else
        scan_rows(R, feed, C, loaded_f, NULL);
    bool ok = finish(R, feed, C, loaded_f, err);
    free(loaded_f);
    return ok;
}

bool ccy_totals_compute_each(const run_state *R, ccy_totals *C, ccy_totals *F, bool *have,
                             folio_error *err)
{
    int nf = R->job->n_feeds;
    memset(C, 0, sizeof *C);
    for (int f = 0; f < nf; f++) {
        memset(&F[f], 0, sizeof F[f]);
        have[f] = false;
    }
    folio_money *loaded_f = calloc((size_t)nf + 1, sizeof *loaded_f);
    if (!loaded_f)
        C->failed = true;
    else
        scan_rows(R, -1, C, loaded_f, F);
    /* a feed's loaded sum is the run's (the same rows, in the same order);
     * when it overflowed there, the feed's own computation reports it */
    bool clean = !C->failed && !C->overflow;
    for (int f = 0; f < nf; f++) {
        folio_error fe = {0};
        if (R->job->feeds[f].kind != FOLIO_FEED_TRANSACTIONS)
            ccy_totals_free(&F[f]);
        else if (clean && !F[f].failed && !F[f].overflow)
            have[f] = finish(R, f, &F[f], loaded_f, &fe);
        else
            ccy_totals_free(&F[f]);
    }
    bool ok = finish(R, -1, C, loaded_f, err);
    free(loaded_f);
    return ok;
}

/* The feeds' rejected amounts and, with feed < 0, the shard's households */
static bool finish(const run_state *R, int feed, ccy_totals *C, const folio_money *loaded_f,
                   folio_error *err)
{
    const folio_dataset *ds = R->ds;
    const folio_job *J = R->job;
    for (int f = 0; f < J->n_feeds && !C->failed; f++) {
        const folio_feed_def *fd = &J->feeds[f];
        if (fd->kind != FOLIO_FEED_TRANSACTIONS || (feed >= 0 && f != feed))
            continue;
        ccy_sum *e = ccy_entry(C, code_of(fd->currency));
        if (!e)
            break;
        folio_money rj = ds->stats[f].amount_rejected, v, d = ds->stats[f].amount_read, dv;
        if (ds->stats[f].amount_overflow && !C->overflow)
            C->overflow = "the amount rejected";
        if (!folio_money_sub(&d, rj) || !folio_money_sub(&d, loaded_f[f]))
            C->overflow = "the amount read";
        if (!rescale(rj, fd->minor_digits, e->md, &v) ||
            !rescale(d, fd->minor_digits, e->md, &dv)) {
            folio_error_set(err, FOLIO_EXIT_FAILED, "control totals: feed '%s' reads amounts "
                            "with %d decimals, its currency %s has %d: its rejected amount "
                            "cannot be totalled in %s", fd->name, fd->minor_digits, e->code,
                            e->md, e->code);
            ccy_totals_free(C);
            return false;
        }
        add(C, &e->rejected, v, "the amount rejected");
        add(C, &e->read, v, "the amount read");
        add(C, &e->read, dv, "the amount read");   /* 0 when the feed reconciles */
    }
    for (size_t h = 0; feed < 0 && h < R->hs.n && !C->failed && !folio_stop; h++) {
        if (!R->in_shard[h])
            continue;
        run_spill_tick(R, RUN_SPILL_LIGHT);   /* issue 12 part 1 (round 23) */
        const folio_household *hh = &R->hs.v[h];
        bool hsup = R->plan->households[h].channel == FOLIO_CHANNEL_SUPPRESSED;
        for (uint32_t k = 0; k < hh->n_accounts && !C->failed; k++) {
            uint32_t ai = R->hs.account_idx[hh->first_account + k];
            const folio_account *a = &ds->accounts[ai];
            const folio_account_plan *ap = &R->plan->accounts[ai];
            ccy_sum *e = ccy_entry(C, code_of(a->currency));
            if (!e)
                break;
            bool asup = hsup || ap->suppressed;
            for (uint32_t t = a->first_txn; t < a->first_txn + a->n_txn; t++) {
                folio_money m = ds->txns[t].amount;
                bool inside = t >= ap->first && t < ap->first + ap->n;
                add(C, &e->shard, m, "the amount of the shard");
                if (inside && !asup)
                    add(C, &e->composed, m, "the amount composed");
                else
                    add(C, &e->suppressed, m, "the amount suppressed");
            }
        }
    }
    if (folio_stopped(err)) {           /* r-harden: stopped, the sums are partial */
        ccy_totals_free(C);
        return false;
    }
    if (C->failed) {
        folio_error_set(err, FOLIO_EXIT_FAILED, "control totals: out of memory");
        ccy_totals_free(C);
        return false;
    }
    if (C->overflow) {
        folio_error_set(err, FOLIO_EXIT_FAILED, "control totals: amount sum overflows: %s "
                        "leaves the representable range", C->overflow);
        ccy_totals_free(C);
        return false;
    }
    return true;
}

void ccy_totals_free(ccy_totals *C)
{
    free(C->v);
    memset(C, 0, sizeof *C);
}

static folio_money field(const ccy_sum *e, ccy_field f)
{
    switch (f) {
    case CCY_READ: return e->read;
    case CCY_REJECTED: return e->rejected;
    case CCY_LOADED: return e->loaded;
    case CCY_SHARD: return e->shard;
    case CCY_COMPOSED: return e->composed;
    case CCY_SUPPRESSED: return e->suppressed;
    }
    return 0;
}

void ccy_json_member(folio_buf *b, const char *key, const ccy_totals *C, ccy_field f,
                     bool comma)
{
    folio_buf_put_json_str(b, key, strlen(key));
    folio_buf_puts(b, ":{");
    for (int i = 0; i < C->n; i++) {
        char m[48];
        ccy_amount_str(C->v[i].code, field(&C->v[i], f), m, sizeof m);
        if (i)
            folio_buf_putc(b, ',');
        folio_buf_put_json_str(b, C->v[i].code, 3);
        folio_buf_putc(b, ':');
        folio_buf_puts(b, m);
    }
    folio_buf_putc(b, '}');
    if (comma)
        folio_buf_putc(b, ',');
}

static void check_money(folio_buf *cj, bool *all, const ccy_sum *e, const char *name,
                        const char *lhs, folio_money l, const char *rhs, folio_money r,
                        bool ok)
{
    char a[48], c[48], nm[160];
    if (!ok || l != r)
        *all = false;
    ccy_amount_str(e->code, l, a, sizeof a);
    ccy_amount_str(e->code, r, c, sizeof c);
    snprintf(nm, sizeof nm, "%s (%s)", name, e->code);
    if (cj->len)
        folio_buf_putc(cj, ',');
    folio_buf_puts(cj, "\n    {");
    json_kv_str(cj, "check", nm, true);
    folio_buf_printf(cj, "\"%s\":%s,\"%s\":%s,", lhs, a, rhs, c);
    folio_buf_puts(cj, "\"ok\":");
    folio_buf_puts(cj, ok && l == r ? "true}" : "false}");
}

void ccy_checks(const ccy_totals *C, bool sharded, folio_buf *cj, bool *balanced)
{
    (void)sharded;
    for (int i = 0; i < C->n; i++) {
        const ccy_sum *e = &C->v[i];
        folio_money rmr = e->read, cps = e->composed;
        bool ok1 = folio_money_sub(&rmr, e->rejected);
        bool ok2 = folio_money_add(&cps, e->suppressed);
        check_money(cj, balanced, e, "amount read - rejected = amount loaded",
                    "read_minus_rejected", rmr, "loaded", e->loaded, ok1);
        check_money(cj, balanced, e, "amount = composed + suppressed", "amount", e->shard,
                    "composed_plus_suppressed", cps, ok2);
    }
}
