/* SPDX-License-Identifier: Apache-2.0 */
/*
 * frequency.c -- statement frequency per channel (issue 15 part 1; the rule
 * is in folio/frequency.h and docs/job-file.md "Statement frequency").
 */
#include "folio/frequency.h"

#include "yamltree.h"
#include "folio/attrs.h"
#include "folio/compose.h"
#include "folio/events.h"
#include "folio/job.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum { CH_PRINT = 0, CH_EMAIL, CH_N };
static const char *const CH_NAME[CH_N] = {"print", "email"};

static const char *const FREQ_NAMES[] = {"monthly", "quarterly", "semi_annual", "annual", NULL};
static const int FREQ_MONTHS[] = {1, 3, 6, 12};

struct folio_frequency {
    int def[CH_N];                    /* index into FREQ_NAMES */
    const folio_attr_def *attr[CH_N]; /* customer attribute, NULL = the default only */
    /* r-chan: an account attribute (type code) giving an account its own
     * frequency on the channel; NULL = the household's for every account */
    const folio_attr_def *acc_attr[CH_N];
};

static const char *const FREQ_KEYS[] = {"print", "email", NULL};
static const char *const CH_KEYS[] = {"default", "attribute", "account_attribute", NULL};

void frequency_free(folio_frequency *f)
{
    free(f);
}

static int freq_index(const char *s)
{
    for (int i = 0; FREQ_NAMES[i]; i++)
        if (!strcmp(s, FREQ_NAMES[i]))
            return i;
    return -1;
}

/* `KEY: NAME` of a channel: NAME an attribute of record kind `rec` of type
 * code whose values are frequencies; *out stays NULL when KEY is absent. */
static bool read_attr(yt_doc *d, const yt_node *ch, folio_job *job, const char *where,
                      const char *key, const char *kind, int rec, const folio_attr_def **out)
{
    char *name = NULL;
    int got = yt_str(d, ch, where, key, false, &name);
    if (got <= 0)
        return got == 0;
    char q[96];
    snprintf(q, sizeof q, "%s.%s", kind, name);
    const folio_attr_def *a = attrs_find(job->attrs, q, strlen(q));
    const yt_node *an = yt_get(ch, key);
    if (!a || (int)a->rec != rec || a->type != FOLIO_AT_CODE) {
        bool ok = yt_fail(d, an, "'%s.%s': '%s' is not a%s %s attribute of type code (declare "
                          "it under a%s %ss feed's attributes:, values: [monthly, quarterly, "
                          "semi_annual, annual])", where, key, name, *kind == 'a' ? "n" : "",
                          kind, *kind == 'a' ? "n" : "", kind);
        free(name);
        return ok;
    }
    for (int v = 0; v < a->n_values; v++)
        if (freq_index(a->values[v]) < 0) {
            bool ok = yt_fail_at(d, a->line, a->col,
                                 "attribute %s: value '%s' is not a frequency (%s uses "
                                 "it; expected monthly, quarterly, semi_annual or annual)",
                                 name, a->values[v], where);
            free(name);
            return ok;
        }
    free(name);
    *out = a;
    return true;
}

bool frequency_read(yt_doc *d, const yt_node *root, folio_job *job)
{
    const yt_node *m = yt_child(d, root, "", "frequency", false);
    if (!m)
        return d->err->code == 0;
    if (!yt_expect_map(d, m, "frequency") || !yt_check_keys(d, m, "frequency", FREQ_KEYS))
        return false;
    folio_frequency *f = calloc(1, sizeof *f);
    if (!f) {
        folio_error_set(d->err, FOLIO_EXIT_FAILED, "out of memory");
        return false;
    }
    job->frequency = f;
    for (int c = 0; c < CH_N; c++) {
        const yt_node *ch = yt_child(d, m, "frequency", CH_NAME[c], false);
        if (!ch)
            continue;
        char where[32];
        snprintf(where, sizeof where, "frequency.%s", CH_NAME[c]);
        int def = 0;
        if (!yt_expect_map(d, ch, where) || !yt_check_keys(d, ch, where, CH_KEYS) ||
            yt_enum(d, ch, where, "default", false, FREQ_NAMES, &def) < 0)
            return false;
        f->def[c] = def;
        if (!read_attr(d, ch, job, where, "attribute", "customer", FOLIO_AR_CUSTOMER, &f->attr[c]) ||
            !read_attr(d, ch, job, where, "account_attribute", "account", FOLIO_AR_ACCOUNT,
                       &f->acc_attr[c]))
            return false;
    }
    return true;
}

/* ---- the decision ----------------------------------------------------------- */

static int month_index(folio_date d)
{
    int y, m, dd;
    folio_date_to_ymd(d, &y, &m, &dd);
    return y * 12 + (m - 1);
}

/* d moved back k months, the day clamped to the month's length */
static folio_date months_back(folio_date d, int k)
{
    int y, m, dd;
    folio_date_to_ymd(d, &y, &m, &dd);
    int mi = y * 12 + (m - 1) - k;
    y = mi / 12;
    m = mi % 12 + 1;
    folio_date out;
    while (dd > 28 && !folio_date_from_ymd(y, m, dd, &out))
        dd--;
    if (!folio_date_from_ymd(y, m, dd, &out))
        return d;
    return out;
}

/* The latest "statement" event of channel ch before `before` among the
 * household's events whose key is `key` (NULL = any key of the household);
 * FOLIO_DATE_NONE when none. */
static folio_date last_statement(const folio_dataset *ds, size_t h, const char *ch,
                                 folio_date before, const char *key)
{
    folio_date best = FOLIO_DATE_NONE;
    if (!ds->event_first)
        return best;
    for (uint32_t k = ds->event_first[h]; k < ds->event_first[h + 1]; k++) {
        const folio_event *e = &ds->events[ds->event_idx[k]];
        if (e->date < before && !strcmp(e->type, "statement") && e->channel &&
            !strcmp(e->channel, ch) && e->date > best && (!key || !strcmp(e->key, key)))
            best = e->date;
    }
    return best;
}

typedef struct decision {
    bool due;
    folio_date start;                 /* interval start when due */
    int freq;                         /* index into FREQ_NAMES */
    folio_date last;                  /* last statement, FOLIO_DATE_NONE = none */
    char why[200];                    /* when not due */
} decision;

/* Due or not, and the interval, for frequency dc->freq after the last
 * statement dc->last; `who` prefixes the reason ("" or "account A5 "). */
static void schedule(const folio_job *J, int c, const char *who, decision *dc)
{
    int n = FREQ_MONTHS[dc->freq];
    folio_date ps = J->period_start, pe = J->period_end;
    char d[16];
    if (dc->last != FOLIO_DATE_NONE) {
        int gap = month_index(pe) - month_index(dc->last);
        dc->due = gap >= n;
        dc->start = dc->last + 1 > ps ? ps : dc->last + 1;
        folio_date_format(dc->last, "YYYY-MM-DD", d, sizeof d);
        snprintf(dc->why, sizeof dc->why, "not due: %s%s %s, last %s statement %s (%d month%s ago)",
                 who, CH_NAME[c], FREQ_NAMES[dc->freq], CH_NAME[c], d, gap, gap == 1 ? "" : "s");
        return;
    }
    int y, m, dd;
    folio_date_to_ymd(pe, &y, &m, &dd);
    dc->due = m % n == 0;
    dc->start = months_back(ps, n - 1);
    snprintf(dc->why, sizeof dc->why, "not due: %s%s %s, due when the period ends in a month "
             "divisible by %d (this one ends in month %d)", who, CH_NAME[c],
             FREQ_NAMES[dc->freq], n, m);
}

static void decide(const folio_job *J, const folio_plan *p, size_t h, int c, decision *dc)
{
    const folio_frequency *F = J->frequency;
    const folio_households *hs = p->hs;
    const folio_dataset *ds = p->ds;
    memset(dc, 0, sizeof *dc);
    dc->freq = F->def[c];
    if (F->attr[c] && hs->v[h].n_customers) {
        uint32_t ci = hs->customer_idx[hs->v[h].first_customer];
        folio_attr_val v = attrs_value(ds, F->attr[c], ci);
        int fi = v.str ? freq_index(v.str) : -1;
        if (fi >= 0)
            dc->freq = fi;
    }
    dc->last = last_statement(ds, h, CH_NAME[c], J->period_start, NULL);
    schedule(J, c, "", dc);
}

/* Account ai's own decision on channel c when its account attribute holds
 * a frequency (true; its history: statement events keyed by the account
 * id), else the household's hd (false). */
static bool decide_account(const folio_job *J, const folio_plan *p, size_t h, int c,
                           uint32_t ai, const decision *hd, decision *out)
{
    const folio_frequency *F = J->frequency;
    *out = *hd;
    if (!F->acc_attr[c])
        return false;
    folio_attr_val v = attrs_value(p->ds, F->acc_attr[c], ai);
    int fi = v.str ? freq_index(v.str) : -1;
    if (fi < 0)
        return false;
    const char *id = p->ds->accounts[ai].id;
    memset(out, 0, sizeof *out);
    out->freq = fi;
    out->last = last_statement(p->ds, h, CH_NAME[c], J->period_start, id);
    char who[96];
    snprintf(who, sizeof who, "account %.80s ", id);
    schedule(J, c, who, out);
    return true;
}

static bool liability(const folio_plan *p, const folio_account_plan *ap)
{
    return ap->product >= 0 &&
           p->layout->products[ap->product].balance == FOLIO_BALANCE_LIABILITY;
}

/* Re-plan account ai in accs[] to start on `start`: the rows dated from
 * start are printed, those before it are outside the statement, and the
 * opening is the balance on start (the period's opening less the rows
 * between, or plus the rows no longer printed).  Works both ways, so one
 * plan can be moved to another channel's interval. */
static bool retarget(const folio_plan *p, folio_account_plan *accs, uint32_t ai,
                     folio_date start, folio_error *err)
{
    const folio_dataset *ds = p->ds;
    folio_account_plan *ap = &accs[ai];
    const folio_account *a = &ds->accounts[ai];
    bool ok = true, liab = liability(p, ap);
    /* narrow: printed rows before start go outside */
    while (ok && ap->n > 0 && ds->txns[ap->first].date < start) {
        folio_money amt = ds->txns[ap->first].amount;
        ok = folio_money_add(&ap->outside_sum, amt) &&
             (amt < 0 ? folio_money_add(&ap->debits, amt) : folio_money_sub(&ap->credits, amt)) &&
             (liab ? folio_money_sub(&ap->opening, amt) : folio_money_add(&ap->opening, amt));
        ap->first++;
        ap->n--;
        ap->n_outside++;
    }
    /* extend: rows from start before the printed ones come in */
    uint32_t lo = a->first_txn, b = ap->first;
    while (b > lo && ds->txns[b - 1].date >= start)
        b--;
    for (uint32_t t = b; t < ap->first && ok; t++) {
        folio_money amt = ds->txns[t].amount;
        ok = folio_money_sub(&ap->outside_sum, amt) &&
             (amt < 0 ? folio_money_sub(&ap->debits, amt) : folio_money_add(&ap->credits, amt)) &&
             (liab ? folio_money_add(&ap->opening, amt) : folio_money_sub(&ap->opening, amt));
    }
    if (!ok) {
        folio_error_set(err, FOLIO_EXIT_FAILED, "account '%s': amount sum overflows "
                        "moving the statement to its frequency's interval", a->id);
        return false;
    }
    ap->n_outside -= ap->first - b;
    ap->n += ap->first - b;
    ap->first = b;
    return true;
}

/* not_due.csv rows, kept until the run knows its shard */
enum { ND_HOUSEHOLD, ND_CHANNEL, ND_ACCOUNT };
typedef struct nd_row {
    uint32_t h;
    uint8_t ch, kind;
    bool first;                       /* the household's first ND_HOUSEHOLD row */
    size_t off;                       /* into text: the CSV line */
} nd_row;
struct folio_not_due {
    folio_buf text;
    nd_row *v;
    size_t n, cap;
};

static bool nd_add(folio_not_due *nd, const folio_plan *p, size_t h, int c, uint8_t kind,
                   bool first, const decision *dc, const char *action)
{
    if (nd->n == nd->cap) {
        size_t cap = nd->cap ? nd->cap * 2 : 64;
        nd_row *v = realloc(nd->v, cap * sizeof *v);
        if (!v)
            return false;
        nd->v = v;
        nd->cap = cap;
    }
    nd->v[nd->n++] = (nd_row){.h = (uint32_t)h, .ch = (uint8_t)c, .kind = kind, .first = first,
                              .off = nd->text.len};
    char d[16] = "";
    if (dc->last != FOLIO_DATE_NONE)
        folio_date_format(dc->last, "YYYY-MM-DD", d, sizeof d);
    const char *id = p->hs->v[h].id;
    folio_buf_put_csv_field(&nd->text, id, strlen(id));
    folio_buf_printf(&nd->text, ",%s,%s,%s,%s,", CH_NAME[c], FREQ_NAMES[dc->freq], d, action);
    folio_buf_put_csv_field(&nd->text, dc->why, strlen(dc->why));
    folio_buf_putc(&nd->text, '\n');
    return !nd->text.failed;
}

/* Plan household h's accounts in accs[] for its statement on channel c
 * (hd: the household's decision): each account from its own interval's
 * start, an account whose own frequency is not due left out (suppressed
 * with the reason, listed in nd when nd is not NULL). */
static bool plan_channel(folio_plan *p, folio_account_plan *accs, folio_household_plan *hp,
                         size_t h, int c, const decision *hd, folio_not_due *nd,
                         folio_arena *reasons, folio_error *err)
{
    const folio_households *hs = p->hs;
    const folio_household *x = &hs->v[h];
    for (uint32_t k = 0; k < x->n_accounts; k++) {
        uint32_t ai = hs->account_idx[x->first_account + k];
        folio_account_plan *ap = &accs[ai];
        if (ap->not_due) {            /* left out on the other channel: back in */
            ap->not_due = false;
            ap->suppressed = false;
            ap->reason = NULL;
            hp->n_accounts_printed++;
        }
        if (ap->suppressed)
            continue;
        decision ad;
        bool own = decide_account(p->job, p, h, c, ai, hd, &ad);
        ap->own_start = 0;
        /* not due on its own, or without its own value in a household that
         * is not due (the statement is due for another account's sake) */
        if (!ad.due) {
            ap->suppressed = ap->not_due = true;
            ap->reason = folio_arena_strdup(reasons, ad.why);
            hp->n_accounts_printed--;
            if (!ap->reason || (nd && !nd_add(nd, p, h, c, ND_ACCOUNT, false, &ad,
                                              "account left out"))) {
                folio_error_set(err, FOLIO_EXIT_FAILED, "out of memory deciding statement "
                                "frequency");
                return false;
            }
            continue;
        }
        folio_date s = own ? ad.start : hd->start;
        if (own && s != (hp->own_period ? hp->period_start : p->job->period_start))
            ap->own_start = s;
        if (!retarget(p, accs, ai, s, err))
            return false;
    }
    return true;
}

/* Channel c of household h: due when the household is (no account
 * attribute) or when any of its accounts is; the interval start of the
 * statement (the household's own when it is due, else the earliest of its
 * due accounts); *acc_differs: some account's own decision differs from
 * the household's. */
static bool channel_due(const folio_plan *p, size_t h, int c, const decision *hd,
                        folio_date *start)
{
    const folio_households *hs = p->hs;
    const folio_household *x = &hs->v[h];
    bool due = hd->due;
    *start = hd->due ? hd->start : p->job->period_start;
    if (!p->job->frequency->acc_attr[c])
        return due;
    bool any = false;
    folio_date earliest = p->job->period_start;
    for (uint32_t k = 0; k < x->n_accounts; k++) {
        uint32_t ai = hs->account_idx[x->first_account + k];
        if (p->accounts[ai].suppressed && !p->accounts[ai].not_due)
            continue;
        decision ad;
        decide_account(p->job, p, h, c, ai, hd, &ad);
        if (ad.due) {
            any = true;
            if (ad.start < earliest)
                earliest = ad.start;
        }
    }
    if (!hd->due && any)
        *start = earliest;
    return any;
}

/* Do the print and e-mail statements of household h differ (interval or
 * accounts)? */
static bool channels_differ(const folio_plan *p, size_t h, const decision dc[CH_N])
{
    if (dc[CH_PRINT].start != dc[CH_EMAIL].start)
        return true;
    const folio_frequency *F = p->job->frequency;
    if (!F->acc_attr[CH_PRINT] && !F->acc_attr[CH_EMAIL])
        return false;
    const folio_households *hs = p->hs;
    const folio_household *x = &hs->v[h];
    for (uint32_t k = 0; k < x->n_accounts; k++) {
        uint32_t ai = hs->account_idx[x->first_account + k];
        decision a, b;
        decide_account(p->job, p, h, CH_PRINT, ai, &dc[CH_PRINT], &a);
        decide_account(p->job, p, h, CH_EMAIL, ai, &dc[CH_EMAIL], &b);
        if (a.due != b.due || (a.due && a.start != b.start))
            return true;
    }
    return false;
}

void frequency_counts_free(folio_frequency_counts *counts)
{
    if (!counts || !counts->nd)
        return;
    folio_buf_free(&counts->nd->text);
    free(counts->nd->v);
    free(counts->nd);
    counts->nd = NULL;
}

bool frequency_apply(folio_plan *p, folio_frequency_counts *counts, folio_error *err)
{
    const folio_job *J = p->job;
    memset(counts, 0, sizeof *counts);
    if (!J->frequency)
        return true;
    folio_not_due *nd = calloc(1, sizeof *nd);
    if (!nd)
        goto oom;
    counts->nd = nd;
    folio_buf_init(&nd->text, (size_t)1 << 30);
    for (size_t h = 0; h < p->hs->n; h++) {
        folio_household_plan *hp = &p->households[h];
        if (hp->channel == FOLIO_CHANNEL_SUPPRESSED)
            continue;
        bool want[CH_N] = {hp->channel == FOLIO_CHANNEL_PRINT || hp->channel == FOLIO_CHANNEL_BOTH,
                           hp->channel == FOLIO_CHANNEL_EMAIL || hp->channel == FOLIO_CHANNEL_BOTH};
        decision dc[CH_N];
        memset(dc, 0, sizeof dc);
        bool due[CH_N] = {false, false};
        folio_date st[CH_N] = {J->period_start, J->period_start};
        for (int c = 0; c < CH_N; c++) {
            if (!want[c])
                continue;
            decide(J, p, h, c, &dc[c]);
            due[c] = channel_due(p, h, c, &dc[c], &st[c]);
        }
        /* r-chan: each channel's statement covers its own interval: this
         * plan is the print statement's (or the only one's); an archive
         * document that differs gets its own view of the accounts
         * (frequency_archive_view) */
        int bc = due[CH_PRINT] ? CH_PRINT : CH_EMAIL;
        const char *action = NULL;
        if (!due[CH_PRINT] && !due[CH_EMAIL]) {
            hp->channel = FOLIO_CHANNEL_SUPPRESSED;
            for (int c = 0; c < CH_N; c++)
                if (want[c]) {
                    hp->reason = folio_arena_strdup(&p->reasons, dc[c].why);
                    if (!hp->reason)
                        goto oom;
                    break;
                }
            action = "suppressed";
        } else if (want[CH_PRINT] && want[CH_EMAIL] && !(due[CH_PRINT] && due[CH_EMAIL])) {
            hp->channel = due[CH_PRINT] ? FOLIO_CHANNEL_PRINT : FOLIO_CHANNEL_EMAIL;
            hp->note = due[CH_PRINT] ? "email statement not due (frequency)"
                                     : "print statement not due (frequency)";
            action = due[CH_PRINT] ? "printed only" : "emailed only";
        } else if (due[CH_PRINT] && due[CH_EMAIL] &&
                   (st[CH_PRINT] != st[CH_EMAIL] || channels_differ(p, h, dc))) {
            hp->split = true;
            hp->arch_start = st[CH_EMAIL];
        }
        bool first = true;
        for (int c = 0; c < CH_N; c++) {
            if (!want[c] || due[c])
                continue;
            decision shown = dc[c];
            if (dc[c].due)            /* due itself, but every account left out */
                snprintf(shown.why, sizeof shown.why, "not due: no account of the household "
                         "is due on %s this cycle", CH_NAME[c]);
            if (!nd_add(nd, p, h, c, action[0] == 's' ? ND_HOUSEHOLD : ND_CHANNEL, first,
                        &shown, action))
                goto oom;
            first = false;
        }
        if (hp->channel == FOLIO_CHANNEL_SUPPRESSED)
            continue;
        if (st[bc] < J->period_start) {
            hp->own_period = true;
            hp->period_start = st[bc];
        }
        if (!plan_channel(p, p->accounts, hp, h, bc, &dc[bc], nd, &p->reasons, err))
            return false;
        if (hp->n_accounts_printed == 0) {  /* cannot happen when due: kept honest */
            hp->channel = FOLIO_CHANNEL_SUPPRESSED;
            hp->reason = "not due: no account of the household is due this cycle";
        }
    }
    if (nd->text.failed)
        goto oom;
    return true;
oom:
    folio_error_set(err, FOLIO_EXIT_FAILED, "out of memory deciding statement frequency");
    return false;
}

bool frequency_write_not_due(const folio_plan *p, const uint8_t *in_shard, const char *path,
                             folio_frequency_counts *counts, folio_error *err)
{
    uint64_t hist = counts->history_rows;
    folio_not_due *nd = counts->nd;
    memset(counts, 0, sizeof *counts);
    counts->nd = nd;
    counts->history_rows = hist;
    folio_buf b;
    folio_buf_init(&b, (size_t)1 << 30);
    folio_buf_puts(&b, "household,channel,frequency,last_statement,action,reason\n");
    for (size_t i = 0; nd && i < nd->n; i++) {
        const nd_row *r = &nd->v[i];
        if (in_shard && !in_shard[r->h])
            continue;
        /* the row runs to the next one's start (a quoted field may hold a
         * line break) */
        size_t end = i + 1 < nd->n ? nd->v[i + 1].off : nd->text.len;
        folio_buf_append(&b, nd->text.data + r->off, end - r->off);
        if (r->kind == ND_ACCOUNT) {
            counts->accounts_not_due++;
            continue;
        }
        counts->households_not_due += r->kind == ND_HOUSEHOLD && r->first;
        (*(r->ch == CH_PRINT ? &counts->print_not_due : &counts->email_not_due))++;
    }
    for (size_t h = 0; p->job->frequency && h < p->hs->n; h++) {
        const folio_household_plan *hp = &p->households[h];
        if ((in_shard && !in_shard[h]) || hp->channel == FOLIO_CHANNEL_SUPPRESSED)
            continue;
        counts->extended += hp->own_period;
        counts->split += hp->split && hp->channel == FOLIO_CHANNEL_BOTH;
    }
    if (b.failed) {
        folio_buf_free(&b);
        folio_error_set(err, FOLIO_EXIT_FAILED, "out of memory writing not_due.csv");
        return false;
    }
    bool ok = folio_write_file_excl(path, b.data, b.len, err);
    folio_buf_free(&b);
    return ok;
}

/* ---- the run's statement history -------------------------------------------- */

void frequency_history_rows(const folio_plan *p, size_t h, const char *d, folio_buf *b,
                            uint64_t *rows)
{
    const folio_frequency *F = p->job->frequency;
    const folio_households *hs = p->hs;
    const folio_household_plan *hp = &p->households[h];
    uint8_t ch = hp->channel;
    for (int c = 0; c < CH_N; c++) {
        bool sent = c == CH_PRINT ? ch == FOLIO_CHANNEL_PRINT || ch == FOLIO_CHANNEL_BOTH
                                  : ch == FOLIO_CHANNEL_EMAIL || ch == FOLIO_CHANNEL_BOTH;
        if (!sent)
            continue;
        const char *id = hs->v[h].id;
        folio_buf_put_csv_field(b, id, strlen(id));
        folio_buf_printf(b, ",statement,%s,%s\n", d, CH_NAME[c]);
        (*rows)++;
        /* r-chan: an account with its own frequency on the channel has
         * its own history row (its next decision counts from it) when
         * the statement of that channel carried it */
        if (!F || !F->acc_attr[c])
            continue;
        bool arch_own = c == CH_EMAIL && hp->split && ch == FOLIO_CHANNEL_BOTH;
        for (uint32_t k = 0; k < hs->v[h].n_accounts; k++) {
            uint32_t ai = hs->account_idx[hs->v[h].first_account + k];
            folio_attr_val v = attrs_value(p->ds, F->acc_attr[c], ai);
            if (!v.str || freq_index(v.str) < 0)
                continue;
            decision hd, ad;
            if (arch_own || c != (ch == FOLIO_CHANNEL_EMAIL ? CH_EMAIL : CH_PRINT)) {
                decide(p->job, p, h, c, &hd);
                decide_account(p->job, p, h, c, ai, &hd, &ad);
                if (!ad.due)
                    continue;
            } else if (p->accounts[ai].suppressed) {
                continue;
            }
            const char *aid = p->ds->accounts[ai].id;
            folio_buf_put_csv_field(b, aid, strlen(aid));
            folio_buf_printf(b, ",statement,%s,%s\n", d, CH_NAME[c]);
            (*rows)++;
        }
    }
}

/* ---- the archive documents' own view (r-chan) -------------------------------- */

bool frequency_archive_view(folio_plan *p, folio_plan **out, folio_error *err)
{
    *out = NULL;
    size_t nh = p->hs->n, any = 0;
    /* routing after the decision may have left one channel (an undeliverable
     * address: e-mailed only): that statement is the household's only one,
     * so the plan becomes the e-mail statement's when that is what is left */
    for (size_t h = 0; h < nh; h++) {
        folio_household_plan *x = &p->households[h];
        if (!x->split || x->channel == FOLIO_CHANNEL_BOTH)
            continue;
        x->split = false;
        if (x->channel != FOLIO_CHANNEL_EMAIL)
            continue;
        x->own_period = x->arch_start < p->job->period_start;
        x->period_start = x->arch_start;
        decision hd;
        decide(p->job, p, h, CH_EMAIL, &hd);
        if (!plan_channel(p, p->accounts, x, h, CH_EMAIL, &hd, NULL, &p->reasons, err))
            return false;
    }
    for (size_t h = 0; h < nh; h++)
        any += p->households[h].split && p->households[h].channel == FOLIO_CHANNEL_BOTH;
    if (!any)
        return true;
    size_t na = p->ds->n_accounts;
    folio_plan *v = malloc(sizeof *v);
    folio_account_plan *acc = malloc((na ? na : 1) * sizeof *acc);
    folio_household_plan *hh = malloc(nh * sizeof *hh);
    if (!v || !acc || !hh) {
        free(v);
        free(acc);
        free(hh);
        folio_error_set(err, FOLIO_EXIT_FAILED, "out of memory planning the archive documents");
        return false;
    }
    *v = *p;
    memcpy(acc, p->accounts, na * sizeof *acc);
    memcpy(hh, p->households, nh * sizeof *hh);
    v->accounts = acc;
    v->households = hh;
    v->is_view = true;
    /* one contact per household: the archive document shows the offers
     * chosen (and explained in the audit) for the household's print
     * statement, not a second choice */
    v->skip_decisions = true;
    for (size_t h = 0; h < nh; h++) {
        folio_household_plan *x = &hh[h];
        if (!x->split || x->channel != FOLIO_CHANNEL_BOTH)
            continue;
        x->split = false;
        x->own_period = x->arch_start < p->job->period_start;
        x->period_start = x->arch_start;
        decision hd;
        decide(p->job, p, h, CH_EMAIL, &hd);
        /* the view's reasons go to the plan's arena (no thread runs yet) */
        if (!plan_channel(v, acc, x, h, CH_EMAIL, &hd, NULL, &p->reasons, err)) {
            frequency_view_free(v);
            return false;
        }
    }
    *out = v;
    return true;
}

void frequency_view_free(folio_plan *v)
{
    if (!v || !v->is_view)
        return;
    free(v->accounts);
    free(v->households);
    free(v);
}

folio_date frequency_statement_start(const folio_plan *p, size_t h)
{
    const folio_household_plan *x = &p->households[h];
    return x->own_period ? x->period_start : p->job->period_start;
}

void frequency_split_rows(const folio_plan *base, const folio_plan *view, const uint8_t *in_shard,
                          uint64_t *planned, uint64_t *view_rows, uint64_t *base_rows)
{
    *planned = *view_rows = *base_rows = 0;
    const folio_households *hs = base->hs;
    for (size_t h = 0; view && h < hs->n; h++) {
        const folio_household_plan *x = &base->households[h];
        if ((in_shard && !in_shard[h]) || !x->split || x->channel != FOLIO_CHANNEL_BOTH)
            continue;
        for (uint32_t k = 0; k < hs->v[h].n_accounts; k++) {
            uint32_t ai = hs->account_idx[hs->v[h].first_account + k];
            const folio_account_plan *v = &view->accounts[ai], *b = &base->accounts[ai];
            if (!v->suppressed)
                *planned += v->n;
            *view_rows += (uint64_t)v->n + v->n_outside;
            *base_rows += (uint64_t)b->n + b->n_outside;
        }
    }
}
