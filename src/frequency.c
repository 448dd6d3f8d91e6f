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
};

static const char *const FREQ_KEYS[] = {"print", "email", NULL};
static const char *const CH_KEYS[] = {"default", "attribute", NULL};

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
        char *name = NULL;
        int got = yt_str(d, ch, where, "attribute", false, &name);
        if (got < 0)
            return false;
        if (!got)
            continue;
        char q[64];
        snprintf(q, sizeof q, "customer.%s", name);
        const folio_attr_def *a = attrs_find(job->attrs, q, strlen(q));
        const yt_node *an = yt_get(ch, "attribute");
        if (!a || a->rec != FOLIO_AR_CUSTOMER || a->type != FOLIO_AT_CODE) {
            bool ok = yt_fail(d, an, "'%s.attribute': '%s' is not a customer attribute of "
                              "type code (declare it under a customers feed's attributes:, "
                              "values: [monthly, quarterly, semi_annual, annual])", where, name);
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
        f->attr[c] = a;
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

/* The household's latest "statement" event of channel ch before `before`
 * (FOLIO_DATE_NONE when none). */
static folio_date last_statement(const folio_dataset *ds, size_t h, const char *ch,
                                 folio_date before)
{
    folio_date best = FOLIO_DATE_NONE;
    if (!ds->event_first)
        return best;
    for (uint32_t k = ds->event_first[h]; k < ds->event_first[h + 1]; k++) {
        const folio_event *e = &ds->events[ds->event_idx[k]];
        if (e->date < before && !strcmp(e->type, "statement") && e->channel &&
            !strcmp(e->channel, ch) && e->date > best)
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

static void decide(const folio_job *J, const folio_plan *p, size_t h, int c, decision *dc)
{
    const folio_frequency *F = J->frequency;
    const folio_households *hs = p->hs;
    const folio_dataset *ds = p->ds;
    dc->freq = F->def[c];
    if (F->attr[c] && hs->v[h].n_customers) {
        uint32_t ci = hs->customer_idx[hs->v[h].first_customer];
        folio_attr_val v = attrs_value(ds, F->attr[c], ci);
        int fi = v.str ? freq_index(v.str) : -1;
        if (fi >= 0)
            dc->freq = fi;
    }
    int n = FREQ_MONTHS[dc->freq];
    folio_date ps = J->period_start, pe = J->period_end;
    dc->last = last_statement(ds, h, CH_NAME[c], ps);
    char d[16];
    if (dc->last != FOLIO_DATE_NONE) {
        int gap = month_index(pe) - month_index(dc->last);
        dc->due = gap >= n;
        dc->start = dc->last + 1 > ps ? ps : dc->last + 1;
        folio_date_format(dc->last, "YYYY-MM-DD", d, sizeof d);
        snprintf(dc->why, sizeof dc->why, "not due: %s %s, last %s statement %s (%d month%s ago)",
                 CH_NAME[c], FREQ_NAMES[dc->freq], CH_NAME[c], d, gap, gap == 1 ? "" : "s");
        return;
    }
    int y, m, dd;
    folio_date_to_ymd(pe, &y, &m, &dd);
    dc->due = m % n == 0;
    dc->start = months_back(ps, n - 1);
    snprintf(dc->why, sizeof dc->why, "not due: %s %s, due when the period ends in a month "
             "divisible by %d (this one ends in month %d)", CH_NAME[c], FREQ_NAMES[dc->freq],
             n, m);
}

static bool liability(const folio_plan *p, const folio_account_plan *ap)
{
    return ap->product >= 0 &&
           p->layout->products[ap->product].balance == FOLIO_BALANCE_LIABILITY;
}

/* Re-plan the accounts of household h in accs[] to start on `start`: the
 * rows dated from start are printed, those before it are outside the
 * statement, and the opening is the balance on start (the period's opening
 * less the rows between, or plus the rows no longer printed).  Works both
 * ways, so one plan can be moved to another channel's interval. */
static bool retarget(const folio_plan *p, folio_account_plan *accs, size_t h, folio_date start,
                     folio_error *err)
{
    const folio_households *hs = p->hs;
    const folio_dataset *ds = p->ds;
    const folio_household *x = &hs->v[h];
    for (uint32_t k = 0; k < x->n_accounts; k++) {
        uint32_t ai = hs->account_idx[x->first_account + k];
        folio_account_plan *ap = &accs[ai];
        const folio_account *a = &ds->accounts[ai];
        if (ap->suppressed)
            continue;
        bool ok = true, liab = liability(p, ap);
        /* narrow: printed rows before start go outside */
        while (ok && ap->n > 0 && ds->txns[ap->first].date < start) {
            folio_money amt = ds->txns[ap->first].amount;
            ok = folio_money_add(&ap->outside_sum, amt) &&
                 (amt < 0 ? folio_money_add(&ap->debits, amt)
                          : folio_money_sub(&ap->credits, amt)) &&
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
                 (amt < 0 ? folio_money_sub(&ap->debits, amt)
                          : folio_money_add(&ap->credits, amt)) &&
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
    }
    return true;
}

static bool extend(folio_plan *p, size_t h, folio_date start, folio_error *err)
{
    return retarget(p, p->accounts, h, start, err);
}

bool frequency_apply(folio_plan *p, const char *csv_path, folio_frequency_counts *counts,
                     folio_error *err)
{
    const folio_job *J = p->job;
    memset(counts, 0, sizeof *counts);
    folio_buf b;
    folio_buf_init(&b, (size_t)1 << 30);
    folio_buf_puts(&b, "household,channel,frequency,last_statement,action,reason\n");
    for (size_t h = 0; J->frequency && h < p->hs->n; h++) {
        folio_household_plan *hp = &p->households[h];
        if (hp->channel == FOLIO_CHANNEL_SUPPRESSED)
            continue;
        bool want[CH_N] = {hp->channel == FOLIO_CHANNEL_PRINT || hp->channel == FOLIO_CHANNEL_BOTH,
                           hp->channel == FOLIO_CHANNEL_EMAIL || hp->channel == FOLIO_CHANNEL_BOTH};
        decision dc[CH_N];
        memset(dc, 0, sizeof dc);
        bool due[CH_N] = {false, false};
        for (int c = 0; c < CH_N; c++) {
            if (!want[c])
                continue;
            decide(J, p, h, c, &dc[c]);
            due[c] = dc[c].due;
        }
        /* r-chan: each channel's statement covers its own interval: this
         * plan is the print statement's (or the only one's); an archive
         * document with a different interval gets its own view of the
         * accounts (frequency_archive_view) */
        folio_date start = due[CH_PRINT] ? dc[CH_PRINT].start
                           : due[CH_EMAIL] ? dc[CH_EMAIL].start : J->period_start;
        if (due[CH_PRINT] && due[CH_EMAIL] && dc[CH_PRINT].start != dc[CH_EMAIL].start) {
            hp->split = true;
            hp->arch_start = dc[CH_EMAIL].start;
            counts->split++;
        }
        const char *action = NULL;
        if (!due[CH_PRINT] && !due[CH_EMAIL]) {
            hp->channel = FOLIO_CHANNEL_SUPPRESSED;
            hp->reason = want[CH_PRINT] ? "not due: no statement is due on any channel this cycle"
                                        : "not due: no statement is due on any channel this cycle";
            for (int c = 0; c < CH_N; c++)
                if (want[c]) {
                    hp->reason = folio_arena_strdup(&p->reasons, dc[c].why);
                    if (!hp->reason)
                        goto oom;
                    break;
                }
            counts->households_not_due++;
            action = "suppressed";
        } else if (want[CH_PRINT] && want[CH_EMAIL] && !(due[CH_PRINT] && due[CH_EMAIL])) {
            hp->channel = due[CH_PRINT] ? FOLIO_CHANNEL_PRINT : FOLIO_CHANNEL_EMAIL;
            hp->note = due[CH_PRINT] ? "email statement not due (frequency)"
                                     : "print statement not due (frequency)";
            action = due[CH_PRINT] ? "printed only" : "emailed only";
        }
        for (int c = 0; c < CH_N; c++) {
            if (!want[c] || due[c])
                continue;
            (*(c == CH_PRINT ? &counts->print_not_due : &counts->email_not_due))++;
            char d[16] = "";
            if (dc[c].last != FOLIO_DATE_NONE)
                folio_date_format(dc[c].last, "YYYY-MM-DD", d, sizeof d);
            const char *id = p->hs->v[h].id;
            folio_buf_put_csv_field(&b, id, strlen(id));
            folio_buf_printf(&b, ",%s,%s,%s,%s,", CH_NAME[c], FREQ_NAMES[dc[c].freq], d, action);
            folio_buf_put_csv_field(&b, dc[c].why, strlen(dc[c].why));
            folio_buf_putc(&b, '\n');
        }
        if (hp->channel != FOLIO_CHANNEL_SUPPRESSED && start < J->period_start) {
            hp->own_period = true;
            hp->period_start = start;
            counts->extended++;
            if (!extend(p, h, start, err)) {
                folio_buf_free(&b);
                return false;
            }
        }
    }
    if (b.failed)
        goto oom;
    bool ok = !csv_path || folio_write_file_excl(csv_path, b.data, b.len, err);
    folio_buf_free(&b);
    return ok;
oom:
    folio_buf_free(&b);
    folio_error_set(err, FOLIO_EXIT_FAILED, "out of memory deciding statement frequency");
    return false;
}

/* ---- the run's statement history -------------------------------------------- */

bool frequency_write_history(const folio_plan *p, const uint8_t *in_shard, const char *path,
                             uint64_t *rows, folio_error *err)
{
    folio_buf b;
    folio_buf_init(&b, (size_t)1 << 32);
    folio_buf_puts(&b, "key,type,date,channel\n");
    char d[16];
    folio_date_format(p->job->period_end, "YYYY-MM-DD", d, sizeof d);
    *rows = 0;
    for (size_t h = 0; h < p->hs->n; h++) {
        if (in_shard && !in_shard[h])
            continue;
        uint8_t ch = p->households[h].channel;
        for (int c = 0; c < CH_N; c++) {
            bool sent = c == CH_PRINT ? ch == FOLIO_CHANNEL_PRINT || ch == FOLIO_CHANNEL_BOTH
                                      : ch == FOLIO_CHANNEL_EMAIL || ch == FOLIO_CHANNEL_BOTH;
            if (!sent)
                continue;
            const char *id = p->hs->v[h].id;
            folio_buf_put_csv_field(&b, id, strlen(id));
            folio_buf_printf(&b, ",statement,%s,%s\n", d, CH_NAME[c]);
            (*rows)++;
        }
    }
    if (b.failed) {
        folio_buf_free(&b);
        folio_error_set(err, FOLIO_EXIT_FAILED, "out of memory writing the statement history");
        return false;
    }
    bool ok = folio_write_file_excl(path, b.data, b.len, err);
    folio_buf_free(&b);
    return ok;
}

/* ---- the archive documents' own view (r-chan) -------------------------------- */

bool frequency_archive_view(const folio_plan *p, folio_plan **out, folio_error *err)
{
    *out = NULL;
    size_t nh = p->hs->n, any = 0;
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
        if (!retarget(v, acc, h, x->arch_start, err)) {
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
