/* SPDX-License-Identifier: Apache-2.0 */
/*
 * rules-eval.c -- evaluating a compiled rule for one household, explaining a
 * false result, and formatting values.
 *
 * The evaluator walks the node array recursively from the root.  It never
 * allocates: values live in C locals, and the recursion depth is bounded by
 * FOLIO_RULE_MAX_DEPTH (checked at compile time; `and` / `or` chains are
 * right-deep and walked in a loop).  A frame (customer, account, transaction
 * indexes) says which records the fields read; collections (`accounts where`,
 * ...) open a new frame per record.
 *
 * Number semantics: fixed point 1/10000.  `inexact` means "rounded down, the
 * true value lies strictly between num and num + 1 unit"; operations keep that
 * meaning where they can (+, - and negation of an inexact value, comparison of
 * an inexact value with an exact one) so ratios compare exactly.
 */
#include "rules-private.h"
#include "folio/events.h"                /* issue 15 (r-journey): event dates */

#include <string.h>

typedef struct frame {
    uint32_t cust, acct, txn;
    uint32_t ev;          /* issue 15 part 2: index into ds->events */
} frame;

static void ev(const folio_rule *r, const folio_rule_ctx *ctx, frame fr, int32_t i,
               folio_rule_value *out);

static bool evb(const folio_rule *r, const folio_rule_ctx *ctx, frame fr, int32_t i)
{
    folio_rule_value v;
    ev(r, ctx, fr, i, &v);
    return !v.absent && v.num != 0;
}

/* ---- number helpers ----------------------------------------------------- */

static int64_t sat(__int128 v)
{
    if (v > INT64_MAX) return INT64_MAX;
    if (v < -INT64_MAX) return -INT64_MAX;
    return (int64_t)v;
}

static __int128 floor_div(__int128 a, __int128 b, bool *inexact)
{
    __int128 q = a / b, rem = a % b;
    if (rem != 0) {
        *inexact = true;
        if ((rem < 0) != (b < 0))
            q--;
    }
    return q;
}

int64_t rules_mul_scale(int64_t a, int64_t b, bool *inexact)
{
    return sat(floor_div((__int128)a * b, FOLIO_RULE_SCALE, inexact));
}

int64_t rules_div_scale(int64_t a, int64_t b, bool *inexact)
{
    return sat(floor_div((__int128)a * FOLIO_RULE_SCALE, b, inexact));
}

int64_t rules_number_from_money(folio_money m, int minor_digits, bool *inexact)
{
    static const int64_t p10[] = {1, 10, 100, 1000, 10000, 100000, 1000000, 10000000,
                                  100000000};
    bool dummy = false;
    if (!inexact)
        inexact = &dummy;
    if (minor_digits < 0)
        minor_digits = 0;
    if (minor_digits <= 4)
        return sat((__int128)m * p10[4 - minor_digits]);
    if (minor_digits > 8)
        minor_digits = 8;
    return sat(floor_div(m, p10[minor_digits - 4], inexact));
}

int rules_compare(folio_rule_type t, const folio_rule_value *a, const folio_rule_value *b)
{
    if (t == FOLIO_RT_STRING) {
        size_t n = a->len < b->len ? a->len : b->len;
        int c = n ? memcmp(a->str, b->str, n) : 0;
        if (c)
            return c < 0 ? -1 : 1;
        return (a->len > b->len) - (a->len < b->len);
    }
    if (a->num != b->num)
        return a->num < b->num ? -1 : 1;
    /* equal units: an inexact side is a little greater than the exact one */
    return (int)a->inexact - (int)b->inexact;
}

static bool cmp_holds(int sub, int c)
{
    switch (sub) {
    case RCMP_EQ: return c == 0;
    case RCMP_NE: return c != 0;
    case RCMP_LT: return c < 0;
    case RCMP_LE: return c <= 0;
    case RCMP_GT: return c > 0;
    default: return c >= 0;
    }
}

static char lower(char c) { return c >= 'A' && c <= 'Z' ? (char)(c + 32) : c; }

static bool contains_ci(const char *h, size_t hn, const char *n, size_t nn)
{
    if (nn == 0)
        return true;
    for (size_t i = 0; i + nn <= hn; i++) {
        size_t k = 0;
        while (k < nn && lower(h[i + k]) == lower(n[k]))
            k++;
        if (k == nn)
            return true;
    }
    return false;
}

/* negate keeping the inexact meaning: -x for x in (v, v+1) lies in (-v-1, -v) */
static void negate(folio_rule_value *v)
{
    v->num = v->inexact ? sat(-(__int128)v->num - 1) : sat(-(__int128)v->num);
}

/* ---- collections ---------------------------------------------------------- */

typedef struct agg_state {
    int64_t count;
    __int128 sum;
    bool inexact, have, result, stop;
    bool mixed;           /* issue 10 part 6: money of two currencies */
    const char *ccy;
    folio_rule_value best;
} agg_state;

static void agg_item(const folio_rule *r, const folio_rule_ctx *ctx, const rules_node *n,
                     frame fr, agg_state *st)
{
    if (n->sub == RAGG_ALL) {
        if (!evb(r, ctx, fr, n->b)) {
            st->result = false;
            st->stop = true;
        }
        return;
    }
    if (n->b >= 0 && !evb(r, ctx, fr, n->b))
        return;
    switch (n->sub) {
    case RAGG_COUNT:
        st->count++;
        return;
    case RAGG_ANY:
        st->result = true;
        st->stop = true;
        return;
    default:
        break;
    }
    folio_rule_value v;
    ev(r, ctx, fr, n->a, &v);
    if (v.absent)
        return;
    if (rules_ccy_mix(&st->ccy, v.ccy)) {   /* issue 10 part 6 */
        st->mixed = true;
        st->stop = true;
        return;
    }
    if (n->sub == RAGG_SUM) {
        st->sum += v.num;
        st->inexact |= v.inexact;
        return;
    }
    int c = st->have ? rules_compare((folio_rule_type)n->type, &v, &st->best) : 0;
    if (!st->have || (n->sub == RAGG_MIN ? c < 0 : c > 0))
        st->best = v;
    st->have = true;
}

/* `transactions` are the statement period's rows (the rows the statement
 * prints); `history.transactions` every row loaded (issue 10 part 8). */
static inline bool txn_in_view(const folio_rule_ctx *ctx, const rules_node *n, uint32_t t)
{
    if (n->coll == RCOLL_HISTORY_TXNS)
        return true;
    folio_date d = ctx->ds->txns[t].date;
    return d >= ctx->period_start && d <= ctx->period_end;
}

static void agg_eval(const folio_rule *r, const folio_rule_ctx *ctx, frame fr,
                     const rules_node *n, folio_rule_value *out)
{
    const folio_dataset *ds = ctx->ds;
    const folio_households *hs = ctx->hs;
    const folio_household *h = &hs->v[ctx->hh];
    agg_state st;
    memset(&st, 0, sizeof st);
    st.result = n->sub == RAGG_ALL;

    if (n->coll == RCOLL_EVENTS) {      /* issue 15 part 2: date order */
        const uint32_t *ef = ds->event_first;
        for (uint32_t k = ef ? ef[ctx->hh] : 0; ef && k < ef[ctx->hh + 1] && !st.stop; k++) {
            /* issue 15 (r-journey): a statement sees the journey up to its
             * own date -- events dated after the statement date (a later
             * extract, a rerun of an earlier cycle) are not in `events` */
            if (ctx->today != FOLIO_DATE_NONE && ds->events[ds->event_idx[k]].date > ctx->today)
                continue;
            frame f = {fr.cust, RULES_NONE, RULES_NONE, ds->event_idx[k]};
            agg_item(r, ctx, n, f, &st);
        }
    } else if (n->coll == RCOLL_CUSTOMERS) {
        for (uint32_t j = 0; j < h->n_customers && !st.stop; j++) {
            frame f = {hs->customer_idx[h->first_customer + j], RULES_NONE, RULES_NONE, RULES_NONE};
            agg_item(r, ctx, n, f, &st);
        }
    } else if (n->coll != RCOLL_CUSTOMERS && n->coll != RCOLL_ACCOUNTS
               && n->src == RSRC_ACCOUNT) {
        const folio_account *a = &ds->accounts[fr.acct];
        for (uint32_t t = a->first_txn; t < a->first_txn + a->n_txn && !st.stop; t++) {
            if (!txn_in_view(ctx, n, t))
                continue;
            frame f = {a->owner, fr.acct, t, RULES_NONE};
            agg_item(r, ctx, n, f, &st);
        }
    } else {
        for (uint32_t j = 0; j < h->n_accounts && !st.stop; j++) {
            uint32_t ai = hs->account_idx[h->first_account + j];
            const folio_account *a = &ds->accounts[ai];
            if (n->src == RSRC_CUSTOMER && a->owner != fr.cust)
                continue;
            if (n->coll == RCOLL_ACCOUNTS) {
                frame f = {a->owner, ai, RULES_NONE, RULES_NONE};
                agg_item(r, ctx, n, f, &st);
                continue;
            }
            for (uint32_t t = a->first_txn; t < a->first_txn + a->n_txn && !st.stop; t++) {
                if (!txn_in_view(ctx, n, t))
                    continue;
                frame f = {a->owner, ai, t, RULES_NONE};
                agg_item(r, ctx, n, f, &st);
            }
        }
    }
    if (st.mixed) {     /* issue 10 part 6: never a sum of EUR and USD */
        out->absent = true;
        return;
    }
    switch (n->sub) {
    case RAGG_COUNT:
        out->num = sat((__int128)st.count * FOLIO_RULE_SCALE);
        break;
    case RAGG_SUM:
        out->num = sat(st.sum);
        out->inexact = st.inexact;
        out->ccy = st.ccy;
        break;
    case RAGG_MIN:
    case RAGG_MAX:
        if (st.have)
            *out = st.best;
        else
            out->absent = true;
        break;
    default:
        out->num = st.result;
        break;
    }
}

static bool holds_eval(const folio_rule_ctx *ctx, frame fr, const rules_node *n,
                       const folio_rule_value *want)
{
    const folio_households *hs = ctx->hs;
    const folio_household *h = &hs->v[ctx->hh];
    for (uint32_t j = 0; j < h->n_accounts; j++) {
        const folio_account *a = &ctx->ds->accounts[hs->account_idx[h->first_account + j]];
        if (n->src == RSRC_CUSTOMER && a->owner != fr.cust)
            continue;
        const char *p = a->product ? a->product : "";
        size_t len = strlen(p);
        if (len == want->len && memcmp(p, want->str, len) == 0)
            return true;
    }
    return false;
}

/* ---- the evaluator -------------------------------------------------------- */

static void ev(const folio_rule *r, const folio_rule_ctx *ctx, frame fr, int32_t i,
               folio_rule_value *out)
{
    const rules_node *n = &r->nodes[i];
    folio_rule_value a, b;
    memset(out, 0, sizeof *out);
    switch ((rules_op)n->op) {
    case ROP_CONST:
        *out = n->k;
        return;
    case ROP_FIELD: {
        uint32_t idx = n->scope == FOLIO_RS_HOUSEHOLD ? ctx->hh
                     : n->scope == FOLIO_RS_CUSTOMER ? fr.cust
                     : n->scope == FOLIO_RS_ACCOUNT ? fr.acct
                     : n->scope == FOLIO_RS_EVENT ? fr.ev : fr.txn;
        if (idx == RULES_NONE) {
            out->absent = true;
            out->str = "";
            return;
        }
        n->field->get(ctx, n->field, idx, out);
        return;
    }
    case ROP_AND:
        for (;;) {
            if (!evb(r, ctx, fr, n->a))
                return;
            n = &r->nodes[n->b];
            if (n->op != ROP_AND) {
                out->num = evb(r, ctx, fr, (int32_t)(n - r->nodes));
                return;
            }
        }
    case ROP_OR:
        for (;;) {
            if (evb(r, ctx, fr, n->a)) {
                out->num = 1;
                return;
            }
            n = &r->nodes[n->b];
            if (n->op != ROP_OR) {
                out->num = evb(r, ctx, fr, (int32_t)(n - r->nodes));
                return;
            }
        }
    case ROP_NOT:
        out->num = !evb(r, ctx, fr, n->a);
        return;
    case ROP_CMP:
        ev(r, ctx, fr, n->a, &a);
        ev(r, ctx, fr, n->b, &b);
        if (!a.absent && !b.absent && !rules_ccy_mix(&a.ccy, b.ccy))   /* issue 10 part 6 */
            out->num = cmp_holds(n->sub, rules_compare((folio_rule_type)r->nodes[n->a].type, &a, &b));
        return;
    case ROP_IN: {
        ev(r, ctx, fr, n->a, &a);
        if (a.absent)
            return;
        folio_rule_type t = (folio_rule_type)r->nodes[n->a].type;
        bool found = false;
        for (int32_t k = 0; k < n->n && !found; k++)
            found = rules_compare(t, &a, &r->nodes[n->b + k].k) == 0;
        out->num = found != (n->sub != 0);
        return;
    }
    case ROP_CONTAINS:
        ev(r, ctx, fr, n->a, &a);
        ev(r, ctx, fr, n->b, &b);
        if (!a.absent && !b.absent)
            out->num = contains_ci(a.str, a.len, b.str, b.len);
        return;
    case ROP_ADD:
    case ROP_SUB:
    case ROP_MUL:
    case ROP_DIV:
        ev(r, ctx, fr, n->a, &a);
        ev(r, ctx, fr, n->b, &b);
        if (a.absent || b.absent) {
            out->absent = true;
            return;
        }
        /* issue 10 part 6: money of two currencies neither adds nor
         * compares in ratio; money / money of one currency is a number */
        out->ccy = a.ccy;
        if (rules_ccy_mix(&out->ccy, b.ccy)) {
            out->absent = true;
            out->ccy = NULL;
            return;
        }
        if (n->op == ROP_DIV && a.ccy && b.ccy)
            out->ccy = NULL;
        out->inexact = a.inexact || b.inexact;
        if (n->op == ROP_ADD) {
            out->num = sat((__int128)a.num + b.num);
        } else if (n->op == ROP_SUB) {
            /* a - b with b in (b, b+1): the result lies in (a-b-1, a-b) */
            out->num = sat((__int128)a.num - b.num - (b.inexact && !a.inexact));
        } else if (n->op == ROP_MUL) {
            out->num = rules_mul_scale(a.num, b.num, &out->inexact);
        } else if (b.num == 0) {
            out->absent = true;   /* x / 0 is unknown */
        } else {
            out->num = rules_div_scale(a.num, b.num, &out->inexact);
        }
        return;
    case ROP_NEG:
    case ROP_ABS:
        ev(r, ctx, fr, n->a, out);
        if (!out->absent && (n->op == ROP_NEG || out->num < 0))
            negate(out);
        return;
    case ROP_DATE_ADD:
    case ROP_DATE_SUB: {
        ev(r, ctx, fr, n->a, &a);
        ev(r, ctx, fr, n->b, &b);
        if (a.absent || b.absent) {
            out->absent = true;
            return;
        }
        bool ix = false;
        __int128 days = floor_div(b.num, FOLIO_RULE_SCALE, &ix);
        __int128 d = n->op == ROP_DATE_ADD ? a.num + days : a.num - days;
        if (d <= INT32_MIN || d > INT32_MAX)
            out->absent = true;
        else
            out->num = (int64_t)d;
        return;
    }
    case ROP_DATE_DIFF:
        ev(r, ctx, fr, n->a, &a);
        ev(r, ctx, fr, n->b, &b);
        if (a.absent || b.absent)
            out->absent = true;
        else
            out->num = (a.num - b.num) * FOLIO_RULE_SCALE;
        return;
    case ROP_DAYS_SINCE:
    case ROP_DAYS_UNTIL:
    case ROP_MONTHS_SINCE:
    case ROP_YEARS_SINCE: {
        ev(r, ctx, fr, n->a, &a);
        if (a.absent || ctx->today == FOLIO_DATE_NONE) {
            out->absent = true;
            return;
        }
        int64_t v;
        if (n->op == ROP_DAYS_SINCE)
            v = (int64_t)ctx->today - a.num;
        else if (n->op == ROP_DAYS_UNTIL)
            v = a.num - (int64_t)ctx->today;
        else {
            int m = folio_date_months_between((folio_date)a.num, ctx->today);
            v = n->op == ROP_MONTHS_SINCE ? m : (m >= 0 ? m / 12 : -((-m + 11) / 12));
        }
        out->num = v * FOLIO_RULE_SCALE;
        return;
    }
    case ROP_KNOWN:
        ev(r, ctx, fr, n->a, &a);
        out->num = !a.absent;
        return;
    case ROP_HOLDS:
        ev(r, ctx, fr, n->a, &a);
        out->num = !a.absent && holds_eval(ctx, fr, n, &a);
        return;
    case ROP_AGG:
        agg_eval(r, ctx, fr, n, out);
        return;
    }
    out->absent = true;
}

static frame top_frame(const folio_rule_ctx *ctx)
{
    const folio_household *h = &ctx->hs->v[ctx->hh];
    frame f = {RULES_NONE, RULES_NONE, RULES_NONE, RULES_NONE};
    if (h->n_customers)
        f.cust = ctx->hs->customer_idx[h->first_customer];
    return f;
}

void rules_eval(const folio_rule *rule, const folio_rule_ctx *ctx, folio_rule_value *out)
{
    ev(rule, ctx, top_frame(ctx), rule->root, out);
}

bool rules_eval_bool(const folio_rule *rule, const folio_rule_ctx *ctx)
{
    return evb(rule, ctx, top_frame(ctx), rule->root);
}

/* ---- explain -------------------------------------------------------------- */

/* first false leaf of the `and` tree at i, or -1 when it is true */
static int32_t first_false(const folio_rule *r, const folio_rule_ctx *ctx, frame fr, int32_t i)
{
    while (r->nodes[i].op == ROP_AND) {
        int32_t f = first_false(r, ctx, fr, r->nodes[i].a);
        if (f >= 0)
            return f;
        i = r->nodes[i].b;
    }
    return evb(r, ctx, fr, i) ? -1 : i;
}

static size_t put(char *buf, size_t cap, size_t at, const char *s, size_t n)
{
    for (size_t k = 0; k < n && at + 1 < cap; k++)
        buf[at++] = s[k];
    if (cap)
        buf[at < cap ? at : cap - 1] = 0;
    return at;
}

bool rules_eval_explain(const folio_rule *rule, const folio_rule_ctx *ctx,
                        folio_rule_explain *ex)
{
    memset(ex, 0, sizeof *ex);
    frame fr = top_frame(ctx);
    int32_t f = first_false(rule, ctx, fr, rule->root);
    ex->result = f < 0;
    if (f < 0)
        return true;
    const rules_node *n = &rule->nodes[f];
    ex->failed_off = n->off;
    ex->failed_len = n->len;
    int32_t left = -1;
    if (n->op == ROP_CMP || n->op == ROP_IN || n->op == ROP_CONTAINS)
        left = n->a;
    else if (n->op == ROP_FIELD)
        left = f;
    if (left >= 0 && rule->nodes[left].op != ROP_CONST) {
        const rules_node *l = &rule->nodes[left];
        folio_rule_value v;
        ev(rule, ctx, fr, left, &v);
        size_t at = put(ex->detail, sizeof ex->detail, 0, rule->text + l->off,
                        l->len > 80 ? 80 : l->len);
        if (l->len > 80)
            at = put(ex->detail, sizeof ex->detail, at, "...", 3);
        at = put(ex->detail, sizeof ex->detail, at, " = ", 3);
        rules_value_format((folio_rule_type)l->type, &v, ex->detail + at, sizeof ex->detail - at);
    }
    return false;
}

/* ---- formatting ----------------------------------------------------------- */

size_t rules_value_format(folio_rule_type t, const folio_rule_value *v, char *buf, size_t cap)
{
    char tmp[64];
    size_t n = 0;
    if (cap == 0)
        return 0;
    if (v->absent)
        return put(buf, cap, 0, "unknown", 7);
    switch (t) {
    case FOLIO_RT_BOOL:
        return v->num ? put(buf, cap, 0, "true", 4) : put(buf, cap, 0, "false", 5);
    case FOLIO_RT_DATE: {
        int y, m, d;
        folio_date_to_ymd((folio_date)v->num, &y, &m, &d);
        if (y < 0 || y > 9999)
            return put(buf, cap, 0, "unknown", 7);
        tmp[0] = (char)('0' + y / 1000); tmp[1] = (char)('0' + y / 100 % 10);
        tmp[2] = (char)('0' + y / 10 % 10); tmp[3] = (char)('0' + y % 10);
        tmp[4] = '-'; tmp[5] = (char)('0' + m / 10); tmp[6] = (char)('0' + m % 10);
        tmp[7] = '-'; tmp[8] = (char)('0' + d / 10); tmp[9] = (char)('0' + d % 10);
        return put(buf, cap, 0, tmp, 10);
    }
    case FOLIO_RT_STRING: {
        size_t at = put(buf, cap, 0, "\"", 1);
        for (uint32_t k = 0; k < v->len && k < 100; k++) {
            char c = v->str[k];
            if (c == '"' || c == '\\')
                at = put(buf, cap, at, "\\", 1);
            at = put(buf, cap, at, &c, 1);
        }
        if (v->len > 100)
            at = put(buf, cap, at, "...", 3);
        return put(buf, cap, at, "\"", 1);
    }
    default: {
        /* fixed point, 4 decimals, trailing zeros trimmed; no locale */
        uint64_t u = v->num < 0 ? (uint64_t)0 - (uint64_t)v->num : (uint64_t)v->num;
        uint64_t ip = u / FOLIO_RULE_SCALE, fp = u % FOLIO_RULE_SCALE;
        char digits[24];
        int nd = 0;
        do {
            digits[nd++] = (char)('0' + ip % 10);
            ip /= 10;
        } while (ip);
        if (v->num < 0)
            tmp[n++] = '-';
        while (nd)
            tmp[n++] = digits[--nd];
        if (fp || v->inexact) {
            tmp[n++] = '.';
            char f[4];
            for (int k = 3; k >= 0; k--) {
                f[k] = (char)('0' + fp % 10);
                fp /= 10;
            }
            int keep = 4;
            while (!v->inexact && keep > 1 && f[keep - 1] == '0')
                keep--;
            memcpy(tmp + n, f, (size_t)keep);
            n += (size_t)keep;
            if (v->inexact) {   /* rounded down: the true value is a little more */
                memcpy(tmp + n, "...", 3);
                n += 3;
            }
        }
        return put(buf, cap, 0, tmp, n);
    }
    }
}
