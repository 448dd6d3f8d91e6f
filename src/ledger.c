/* SPDX-License-Identifier: Apache-2.0 */
/*
 * ledger.c -- balances and posting order from the bank's own ledger
 * (issue 10 part 3; the interface, the order of calls and the rules are in
 * include/folio/ledger.h).
 *
 * Posting order of one day (reconstruct_day): the rows r[0..n) in file order,
 * P the balance before the day (known unless it is the account's first day),
 * s = +1 (asset) or -1 (liability).  A row j "holds" after a row i when
 * bal[i] + s*amt[j] == bal[j], and as the day's first row when
 * P + s*amt[j] == bal[j].  The score of an order is the number of rows that
 * hold.  A dynamic programme over (set of rows placed, last row) keeps per
 * state the best score, how many orders reach it (capped at 2) and the row
 * before; rows of equal amount and balance are placed only in file order, so
 * orders that differ only by swapping them are one order.  The best order is
 * taken when exactly one order reaches the best score; otherwise the day
 * keeps file order and is ambiguous.  Cost: 2^n * n^2 for n <= 12 rows; a
 * larger day is taken only when, from P, exactly one row holds at every
 * step (an order where every row holds, forced, hence the only one).
 */
#include "folio/ledger.h"

#include "folio/compose.h"
#include "folio/exceptions.h"
#include "folio/household.h"
#include "folio/layout.h"
#include "feed-private.h"   /* round 26: the load's trims */
#include "yamltree.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- job file ------------------------------------------------------------ */

static const char *const LEDGER_KEYS[] = { "policy", NULL };
static const char *const POLICY_NAMES[] = { "suppress", "print", "fail", NULL };

bool ledger_options_read(yt_doc *d, const yt_node *root, folio_job *job)
{
    job->ledger_policy = FOLIO_LEDGER_SUPPRESS;
    const yt_node *l = yt_child(d, root, "", "ledger", false);
    if (l) {
        int pol = 0;
        if (!yt_expect_map(d, l, "ledger") || !yt_check_keys(d, l, "ledger", LEDGER_KEYS)
            || yt_enum(d, l, "ledger", "policy", false, POLICY_NAMES, &pol) < 0)
            return false;
        job->ledger_policy = pol;
    }
    /* closing_balance may be left out only when the bank's balances come
     * with the transactions */
    bool any_balance = false;
    for (int i = 0; i < job->n_feeds; i++)
        any_balance |= job->feeds[i].kind == FOLIO_FEED_TRANSACTIONS &&
                       job->feeds[i].columns[FOLIO_F_BALANCE_AFTER];
    const yt_node *fs = yt_get(root, "feeds");
    for (int i = 0; i < job->n_feeds && !any_balance; i++) {
        const folio_feed_def *f = &job->feeds[i];
        if (f->kind != FOLIO_FEED_ACCOUNTS || f->columns[FOLIO_F_CLOSING_BALANCE])
            continue;
        const yt_node *cols = fs && i < fs->n ? yt_get(fs->items[i], "columns") : NULL;
        return yt_fail(d, cols ? cols : root,
                       "feed '%s' (accounts) must map column 'closing_balance' in "
                       "'feeds[%d].columns' (or a transactions feed must map "
                       "'balance_after', the bank's balance after each row)", f->name, i);
    }
    return true;
}

/* ---- order ---------------------------------------------------------------- */

static bool is_liability(const folio_layout *L, const char *product)
{
    int p = layout_product_find(L, product);
    return p >= 0 && L->products[p].balance == FOLIO_BALANCE_LIABILITY;
}

/* bal + s*amt, false on overflow */
static bool step(folio_money bal, folio_money amt, int s, folio_money *out)
{
    return s > 0 ? !__builtin_add_overflow(bal, amt, out)
                 : !__builtin_sub_overflow(bal, amt, out);
}

static bool holds(folio_money before, const folio_txn *t, int s)
{
    folio_money v;
    return step(before, t->amount, s, &v) && v == t->balance_after;
}

typedef struct dp_state {
    int8_t score;                 /* -1: unreached */
    uint8_t count;                /* orders reaching the score, capped at 2 */
    int8_t prev;                  /* row placed before, -1 for the first */
} dp_state;

typedef struct workspace {
    dp_state *dp;                 /* (1 << LEDGER_EXACT_MAX) * LEDGER_EXACT_MAX */
    folio_txn *tmp;               /* cap rows each: grown to the largest day */
    int *order;
    bool *used;
    size_t cap;
} workspace;

/* Rows identical in amount and balance: twin[j] = the previous such row, -1. */
static void find_twins(const folio_txn *r, int n, int *twin)
{
    for (int j = 0; j < n; j++) {
        twin[j] = -1;
        for (int i = j - 1; i >= 0; i--)
            if (r[i].amount == r[j].amount && r[i].balance_after == r[j].balance_after) {
                twin[j] = i;
                break;
            }
    }
}

/* The unique best order of r[0..n) into order[], or false (ambiguous). */
static bool best_order_exact(const folio_txn *r, int n, bool have_p, folio_money p, int s,
                             dp_state *dp, int *order)
{
    int twin[LEDGER_EXACT_MAX];
    find_twins(r, n, twin);
    uint32_t full = (1u << n) - 1;
    for (uint32_t m = 0; m <= full; m++)
        for (int j = 0; j < n; j++)
            dp[m * (uint32_t)n + (uint32_t)j] = (dp_state){-1, 0, -1};
    for (int j = 0; j < n; j++)
        if (twin[j] < 0)
            dp[(1u << j) * (uint32_t)n + (uint32_t)j] =
                (dp_state){(int8_t)(have_p && holds(p, &r[j], s)), 1, -1};
    for (uint32_t m = 1; m <= full; m++)
        for (int i = 0; i < n; i++) {
            const dp_state *a = &dp[m * (uint32_t)n + (uint32_t)i];
            if (!(m >> i & 1) || a->score < 0)
                continue;
            for (int j = 0; j < n; j++) {
                if (m >> j & 1 || (twin[j] >= 0 && !(m >> twin[j] & 1)))
                    continue;
                int sc = a->score + holds(r[i].balance_after, &r[j], s);
                dp_state *b = &dp[(m | 1u << j) * (uint32_t)n + (uint32_t)j];
                if (sc > b->score)
                    *b = (dp_state){(int8_t)sc, a->count, (int8_t)i};
                else if (sc == b->score)
                    b->count = (uint8_t)(b->count + a->count > 2 ? 2 : b->count + a->count);
            }
        }
    int best = -1, last = -1, count = 0;
    for (int j = 0; j < n; j++) {
        const dp_state *a = &dp[full * (uint32_t)n + (uint32_t)j];
        if (a->score > best) {
            best = a->score;
            last = j;
            count = a->count;
        } else if (a->score == best && best >= 0) {
            count += a->count;
        }
    }
    if (count != 1)
        return false;
    uint32_t m = full;
    for (int k = n - 1; k >= 0; k--) {
        order[k] = last;
        int pv = dp[m * (uint32_t)n + (uint32_t)last].prev;
        m &= ~(1u << last);
        last = pv;
    }
    return true;
}

/* A day too large for the exact search: the order forced from p, or false. */
static bool forced_order(const folio_txn *r, int n, bool have_p, folio_money p, int s,
                         int *order, bool *used)
{
    if (!have_p)
        return false;
    memset(used, 0, (size_t)n);
    for (int k = 0; k < n; k++) {
        int pick = -1;
        for (int j = 0; j < n; j++) {
            if (used[j] || !holds(p, &r[j], s))
                continue;
            bool twin_first = false;  /* an identical unused row comes first */
            for (int i = 0; i < j && !twin_first; i++)
                twin_first = !used[i] && r[i].amount == r[j].amount &&
                             r[i].balance_after == r[j].balance_after;
            if (twin_first)
                continue;
            if (pick >= 0)
                return false;         /* two rows hold: not forced */
            pick = j;
        }
        if (pick < 0)
            return false;
        used[pick] = true;
        order[k] = pick;
        p = r[pick].balance_after;
    }
    return true;
}

/* Put the day's rows in posting order (see the file comment); marks.
 * Returns false on out of memory only. */
static bool reconstruct_day(folio_txn *r, int n, bool have_p, folio_money p, int s,
                            workspace *w)
{
    if ((size_t)n > w->cap) {
        size_t cap = (size_t)n * 2;
        folio_txn *t = realloc(w->tmp, cap * sizeof *t);
        if (t)
            w->tmp = t;
        int *o = realloc(w->order, cap * sizeof *o);
        if (o)
            w->order = o;
        bool *u = realloc(w->used, cap * sizeof *u);
        if (u)
            w->used = u;
        if (!t || !o || !u)
            return false;
        w->cap = cap;
    }
    bool ok = n <= LEDGER_EXACT_MAX ? best_order_exact(r, n, have_p, p, s, w->dp, w->order)
                                    : forced_order(r, n, have_p, p, s, w->order, w->used);
    if (!ok) {
        for (int k = 0; k < n; k++)
            r[k].ledger |= FOLIO_TXN_AMBIGUOUS;
        return true;
    }
    for (int k = 0; k < n; k++) {
        w->tmp[k] = r[w->order[k]];
        if (w->order[k] != k)
            w->tmp[k].ledger |= FOLIO_TXN_REORDERED;
    }
    memcpy(r, w->tmp, (size_t)n * sizeof *r);
    return true;
}

static int cmp_seq(const void *a, const void *b)
{
    const folio_txn *x = a, *y = b;
    if (x->seq != y->seq)
        return x->seq < y->seq ? -1 : 1;
    if (x->feed != y->feed)
        return x->feed < y->feed ? -1 : 1;
    return x->line < y->line ? -1 : x->line > y->line;
}

/* Opening, closing and the row check of an account whose every row has the
 * bank's balance (rows ordered). */
static void derive_balances(folio_account *a, const folio_txn *t, const folio_job *job,
                            int s)
{
    uint32_t lo = a->first_txn, hi = lo + a->n_txn, b = lo, e;
    while (b < hi && t[b].date < job->period_start)
        b++;
    e = b;
    while (e < hi && t[e].date <= job->period_end)
        e++;
    a->ledger_derived |= FOLIO_LEDGER_ACCOUNT;
    if (!a->has_opening) {
        folio_money open;
        if (b > lo)
            open = t[b - 1].balance_after;
        else if (!step(t[b].balance_after, t[b].amount, -s, &open))
            return;               /* not representable: closing stays unknown */
        a->opening_balance = open;
        a->has_opening = true;
        a->ledger_derived |= FOLIO_LEDGER_OPENING;
    }
    if (a->no_closing) {
        a->closing_balance = e > b ? t[e - 1].balance_after : a->opening_balance;
        a->no_closing = false;
        a->ledger_derived |= FOLIO_LEDGER_CLOSING;
    }
    folio_money before = a->opening_balance;
    a->rows_off = 0;
    for (uint32_t k = b; k < e; k++) {
        a->rows_off += !holds(before, &t[k], s);
        before = t[k].balance_after;
    }
}

bool ledger_prepare(folio_dataset *ds, const folio_job *job, const folio_layout *layout,
                    folio_error *err)
{
    /* issue 12 (round 26): the ledger bits are set only by a feed that maps
     * balance_after or order_by (feed-parse.c); with none, no row has one,
     * and the pass over the table (3.3 GB at 1,000,000 households) is saved */
    bool mapped = false;
    for (int f = 0; f < ds->n_feeds && !mapped; f++) {
        const folio_feed_def *def = ds->pool->feeds[f].def;
        mapped = def && (def->columns[FOLIO_F_BALANCE_AFTER] || def->columns[FOLIO_F_ORDER_BY]);
    }
    if (!mapped)
        return true;
    workspace w = {0};
    w.dp = malloc(((size_t)1 << LEDGER_EXACT_MAX) * LEDGER_EXACT_MAX * sizeof *w.dp);
    bool ok = w.dp != NULL;
    size_t rows = 0;
    for (size_t ai = 0; ok && ai < ds->n_accounts; ai++) {
        folio_account *a = &ds->accounts[ai];
        if ((rows += a->n_txn) > FEED_TICK_ROWS) {  /* round 26: a spilled table, in order */
            rows = 0;
            feed_pool_tick(ds->pool);
        }
        folio_txn *t = ds->txns;
        uint32_t lo = a->first_txn, hi = lo + a->n_txn;
        uint8_t all = FOLIO_TXN_HAS_BALANCE | FOLIO_TXN_HAS_SEQ, any = 0;
        for (uint32_t k = lo; k < hi; k++) {
            all &= t[k].ledger;
            any |= t[k].ledger;
        }
        if (!any)
            continue;
        int s = is_liability(layout, a->product) ? -1 : 1;
        bool have_p = false;
        folio_money p = 0;
        for (uint32_t d0 = lo, d1; ok && d0 < hi; d0 = d1) {
            uint8_t day = FOLIO_TXN_HAS_BALANCE | FOLIO_TXN_HAS_SEQ;
            for (d1 = d0; d1 < hi && t[d1].date == t[d0].date; d1++)
                day &= t[d1].ledger;
            int n = (int)(d1 - d0);
            if (n > 1 && (day & FOLIO_TXN_HAS_SEQ))
                qsort(&t[d0], (size_t)n, sizeof *t, cmp_seq);
            else if (n > 1 && (day & FOLIO_TXN_HAS_BALANCE))
                ok = reconstruct_day(&t[d0], n, have_p, p, s, &w);
            have_p = day & FOLIO_TXN_HAS_BALANCE;
            p = t[d1 - 1].balance_after;
        }
        if (ok && (all & FOLIO_TXN_HAS_BALANCE))
            derive_balances(a, t, job, s);
    }
    free(w.dp);
    free(w.tmp);
    free(w.order);
    free(w.used);
    if (!ok)
        folio_error_set(err, FOLIO_EXIT_FAILED, "out of memory ordering transactions");
    return ok;
}

/* ---- plan ----------------------------------------------------------------- */

static const char *display_name(const folio_feed_def *def)
{
    const char *s = def->path ? strrchr(def->path, '/') : NULL;
    return s ? s + 1 : def->path && *def->path ? def->path : def->name;
}

/* The first period row of plan account i that does not hold, or NULL. */
static const folio_txn *first_row_off(const folio_plan *plan, size_t i, int s)
{
    const folio_account_plan *ap = &plan->accounts[i];
    folio_money before = ap->opening;
    for (uint32_t k = 0; k < ap->n; k++) {
        const folio_txn *t = &plan->ds->txns[ap->first + k];
        if (!holds(before, t, s))
            return t;
        before = t->balance_after;
    }
    return NULL;
}

bool ledger_plan_account(folio_plan *plan, size_t i, folio_money derived, folio_money net,
                         folio_error *err)
{
    const folio_account *a = &plan->ds->accounts[i];
    folio_account_plan *ap = &plan->accounts[i];
    const folio_job *job = plan->job;
    if (a->no_closing) {
        ap->opening = a->has_opening ? a->opening_balance : 0;
        ap->suppressed = true;
        ap->reason = "closing balance unknown: no closing_balance for the account and "
                     "its transactions carry no balance_after";
        return true;
    }
    if (!a->has_opening) {
        ap->opening = derived;    /* derived from the closing: adds up by definition */
        return true;
    }
    ap->opening = a->opening_balance;
    if (derived == a->opening_balance && !a->rows_off)
        return true;
    bool liab = ap->product >= 0 &&
                plan->layout->products[ap->product].balance == FOLIO_BALANCE_LIABILITY;
    int s = liab ? -1 : 1;
    ap->ledger_off = true;
    /* closing - (opening + s*net) = derived - opening, since the caller's
       derived is closing - s*net */
    if (__builtin_sub_overflow(derived, a->opening_balance, &ap->ledger_diff)) {
        folio_error_set(err, FOLIO_EXIT_FAILED,
                        "%s:%u: amount sum overflows: the ledger difference of account '%s' "
                        "leaves the representable range", job->feeds[a->feed].path, a->line,
                        a->id);
        return false;
    }
    char o[32], c[32], n[32], dd[32], why[512];
    int amd = job->feeds && a->feed < job->n_feeds ? job->feeds[a->feed].minor_digits
                                                  : 2;   /* the account's minor unit */
    folio_money_format(a->opening_balance, amd, '.', 0, o, sizeof o);
    folio_money_format(a->closing_balance, amd, '.', 0, c, sizeof c);
    folio_money_format(liab ? -net : net, amd, '.', 0, n, sizeof n);
    folio_money_format(ap->ledger_diff, amd, '.', 0, dd, sizeof dd);
    const folio_txn *row = first_row_off(plan, i, s);
    if (derived != a->opening_balance)
        snprintf(why, sizeof why,
                 "balance mismatch: opening %s %s transactions %s != closing %s (%s)", o,
                 liab ? "+ charges net of payments" : "+", n, c, liab ? "liability" : "asset");
    else
        snprintf(why, sizeof why,
                 "balance mismatch: %u row(s) whose balance_after is not the balance "
                 "before plus the amount, first at %s:%u", a->rows_off,
                 row ? display_name(&job->feeds[row->feed]) : "?", row ? row->line : 0);
    switch (job->ledger_policy) {
    case FOLIO_LEDGER_PRINT:
        ap->bank_figures = true;
        return true;
    case FOLIO_LEDGER_FAIL:
        if (row)
            folio_error_set(err, FOLIO_EXIT_FAILED,
                            "%s:%u: account '%s': the bank's ledger does not add up "
                            "(difference %s; %s); first row that does not hold: %s:%u "
                            "(ledger.policy is fail)",
                            job->feeds[a->feed].path, a->line, a->id, dd, why,
                            job->feeds[row->feed].path, row->line);
        else
            folio_error_set(err, FOLIO_EXIT_FAILED,
                            "%s:%u: account '%s': the bank's ledger does not add up "
                            "(difference %s; %s) (ledger.policy is fail)",
                            job->feeds[a->feed].path, a->line, a->id, dd, why);
        return false;
    default:
        ap->suppressed = true;
        ap->reason = folio_arena_strdup(&plan->reasons, why);
        if (!ap->reason) {
            folio_error_set(err, FOLIO_EXIT_FAILED, "out of memory");
            return false;
        }
        return true;
    }
}

/* ---- exceptions and counts ------------------------------------------------ */

bool ledger_report(const folio_plan *plan, folio_dataset *ds, folio_ledger_counts *counts,
                   folio_error *err)
{
    memset(counts, 0, sizeof *counts);
    const folio_households *hs = plan->hs;
    const folio_job *job = plan->job;
    uint32_t *hh_of = malloc((ds->n_accounts ? ds->n_accounts : 1) * sizeof *hh_of);
    if (!hh_of) {
        folio_error_set(err, FOLIO_EXIT_FAILED, "out of memory");
        return false;
    }
    for (size_t i = 0; i < ds->n_accounts; i++)
        hh_of[i] = UINT32_MAX;
    for (size_t h = 0; h < hs->n; h++)
        for (uint32_t k = 0; k < hs->v[h].n_accounts; k++)
            hh_of[hs->account_idx[hs->v[h].first_account + k]] = (uint32_t)h;
    folio_exceptions *x = &ds->exceptions;
    bool ok = true;
    for (size_t i = 0; ok && i < ds->n_accounts; i++) {
        const folio_account *a = &ds->accounts[i];
        const folio_account_plan *ap = &plan->accounts[i];
        const char *hh = hh_of[i] != UINT32_MAX ? hs->v[hh_of[i]].id : "";
        const folio_feed_def *af = &job->feeds[a->feed];
        int md = af->minor_digits;
        bool hsup = hh_of[i] == UINT32_MAX ||
                    plan->households[hh_of[i]].channel == FOLIO_CHANNEL_SUPPRESSED;
        const char *action = ap->suppressed || hsup ? "suppressed" : "printed";
        if (a->no_closing)
            counts->no_closing++;
        if (a->ledger_derived & FOLIO_LEDGER_ACCOUNT)
            counts->accounts++;
        if (ap->ledger_off) {
            if (ap->suppressed)
                counts->suppressed++;
            else
                counts->printed++;
            if (ap->ledger_diff)
                ok = folio_exceptions_add(x, FOLIO_EXC_LEDGER_DIFFERENCE, hh, a->owner_id, a->id,
                                          display_name(af), a->line, true, ap->ledger_diff, md,
                                          action, "the bank's closing balance is not the opening "
                                          "plus the period's amounts (ledger.policy %s)",
                                          job->ledger_policy == FOLIO_LEDGER_PRINT ? "print"
                                                                                   : "suppress");
        }
        int s = ap->product >= 0 &&
                plan->layout->products[ap->product].balance == FOLIO_BALANCE_LIABILITY ? -1 : 1;
        bool checked = a->ledger_derived & FOLIO_LEDGER_ACCOUNT;
        if (!checked) {
            /* issue 11 (round 29): an account whose rows carry no reorder or
             * ambiguity mark has nothing to count or report below (the
             * usual case: no feed maps balance_after or order_by) */
            uint8_t marks = 0;
            for (uint32_t k = 0; k < ap->n; k++)
                marks |= ds->txns[ap->first + k].ledger;
            if (!(marks & (FOLIO_TXN_REORDERED | FOLIO_TXN_AMBIGUOUS)))
                continue;
        }
        folio_money before = ap->opening;
        for (uint32_t k = 0; ok && k < ap->n;) {
            /* one period day: its rows' checks, then its order */
            uint32_t e = k, moved = 0;
            uint8_t marks = 0;
            const folio_txn *t0 = &ds->txns[ap->first + k];
            while (e < ap->n && ds->txns[ap->first + e].date == t0->date) {
                const folio_txn *t = &ds->txns[ap->first + e];
                marks |= t->ledger;
                moved += (t->ledger & FOLIO_TXN_REORDERED) != 0;
                if (checked) {
                    counts->rows_checked++;
                    folio_money want = 0;
                    bool fits = step(before, t->amount, s, &want);
                    if (!fits || want != t->balance_after) {
                        counts->rows_off++;
                        char bb[32], bw[32];
                        folio_money_format(t->balance_after, md, '.', 0, bb, sizeof bb);
                        folio_money_format(want, md, '.', 0, bw, sizeof bw);
                        folio_money diff = 0;
                        bool has = fits && !__builtin_sub_overflow(t->balance_after, want, &diff);
                        ok = ok && folio_exceptions_add(
                                       x, FOLIO_EXC_LEDGER_ROW, hh, a->owner_id, a->id,
                                       display_name(&job->feeds[t->feed]), t->line, has, diff,
                                       md, action,
                                       "the bank's balance after the row is %s; the balance "
                                       "before it plus its amount is %s", bb,
                                       fits ? bw : "out of range");
                    }
                    before = t->balance_after;
                }
                e++;
            }
            char day[16] = "";
            if (moved || (marks & FOLIO_TXN_AMBIGUOUS))   /* round 29: only when said */
                folio_date_format(t0->date, "YYYY-MM-DD", day, sizeof day);
            if (moved) {
                counts->rows_reordered += moved;
                counts->days_reordered++;
                ok = ok && folio_exceptions_add(
                               x, FOLIO_EXC_REORDERED_DAY, hh, a->owner_id, a->id,
                               display_name(&job->feeds[t0->feed]), t0->line, false, 0, md,
                               "reordered", "%u of the %u rows of %s put in the order the "
                               "bank's balances give (not file order)", moved, e - k, day);
            }
            if (marks & FOLIO_TXN_AMBIGUOUS) {
                counts->days_ambiguous++;
                ok = ok && folio_exceptions_add(
                               x, FOLIO_EXC_AMBIGUOUS_ORDER, hh, a->owner_id, a->id,
                               display_name(&job->feeds[t0->feed]), t0->line, false, 0, md,
                               "file order kept", "the bank's balances allow more than one "
                               "order of the %u rows of %s: printed in file order", e - k,
                               day);
            }
            k = e;
        }
    }
    free(hh_of);
    if (!ok)
        folio_error_set(err, FOLIO_EXIT_FAILED, "out of memory listing ledger exceptions");
    return ok;
}

void ledger_manifest(const folio_ledger_counts *c, folio_buf *b)
{
    char tmp[512];
    snprintf(tmp, sizeof tmp,
             "\"ledger\":{\"accounts\":%llu,\"rows_checked\":%llu,\"rows_off\":%llu,"
             "\"rows_reordered\":%llu,\"days_reordered\":%llu,\"days_ambiguous\":%llu,"
             "\"differences\":{\"suppressed\":%llu,\"printed\":%llu},"
             "\"no_closing\":%llu},",
             (unsigned long long)c->accounts, (unsigned long long)c->rows_checked,
             (unsigned long long)c->rows_off, (unsigned long long)c->rows_reordered,
             (unsigned long long)c->days_reordered, (unsigned long long)c->days_ambiguous,
             (unsigned long long)c->suppressed, (unsigned long long)c->printed,
             (unsigned long long)c->no_closing);
    folio_buf_puts(b, tmp);
}
