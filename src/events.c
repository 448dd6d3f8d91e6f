/* SPDX-License-Identifier: Apache-2.0 */
/*
 * events.c -- journey events and relationship stages (issue 15 part 2;
 * folio/events.h, docs/rules.md "Events", docs/job-file.md "Events feeds").
 *
 * Keys.  An event row names a customer id, an account id or a household id
 * (looked up in that order); a key that names none of them is a reject of
 * the row, never an event quietly lost.  After grouping, events_bind sorts
 * each household's events by (date, feed, line) so rules see them in date
 * order whatever the row order of the feed.
 *
 * Stages.  `stages:` in the job is a list of {name, when}; a household's
 * stage is the first whose rule holds ("" when none).  The rule field
 * `stage` evaluates them; inside a stage's own rule `stage` is unknown (a
 * stage cannot be defined by itself).
 */
#include "events-private.h"

#include "feed-private.h"
#include "yamltree.h"
#include "folio/attrs.h"
#include "folio/compose.h"
#include "folio/household.h"
#include "folio/job.h"
#include "plan-sort.h"          /* issue 11 (round 29): sorts on every thread */

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- keys ------------------------------------------------------------------ */

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

static int cmp_str_r(const void *a, const void *b, void *arg)
{
    (void)arg;
    return cmp_str(a, b);
}

static bool in_sorted(const char **v, size_t n, const char *k)
{
    return n && bsearch(&k, v, n, sizeof *v, cmp_str) != NULL;
}

bool events_resolve(folio_dataset *ds)
{
    if (!ds->n_events)
        return true;
    size_t nc = ds->n_customers, na = ds->n_accounts;
    const char **c = malloc((nc ? nc : 1) * sizeof *c);
    const char **a = malloc((na ? na : 1) * sizeof *a);
    const char **h = malloc((nc ? nc : 1) * sizeof *h);
    bool ok = c && a && h;
    size_t nh = 0;
    for (size_t i = 0; ok && i < nc; i++) {
        c[i] = ds->customers[i].id;
        if (ds->customers[i].household_id && *ds->customers[i].household_id)
            h[nh++] = ds->customers[i].household_id;
    }
    for (size_t i = 0; ok && i < na; i++)
        a[i] = ds->accounts[i].id;
    ok = ok && plan_sort(c, nc, sizeof *c, cmp_str_r, NULL, 0) &&
         plan_sort(a, na, sizeof *a, cmp_str_r, NULL, 0) &&
         plan_sort(h, nh, sizeof *h, cmp_str_r, NULL, 0);
    size_t w = 0;
    for (size_t i = 0; ok && i < ds->n_events; i++) {
        const folio_event *e = &ds->events[i];
        char reason[160];
        /* hard-attack2: a `statement` row is statement history (frequency.c
         * counts print / email only): another channel was skipped without a
         * word, so the household looked as if it had no history */
        if (!strcmp(e->type, "statement") && (!e->channel || (strcmp(e->channel, "print") &&
                                                             strcmp(e->channel, "email")))) {
            snprintf(reason, sizeof reason, "statement history row: channel '%.40s' is "
                     "neither print nor email", e->channel ? e->channel : "");
            ok = feed_reject_add(ds, e->feed, e->line, FOLIO_F_EVENT_CHANNEL, reason);
            continue;
        }
        if (in_sorted(c, nc, e->key) || in_sorted(a, na, e->key) || in_sorted(h, nh, e->key)) {
            ds->events[w++] = *e;
            continue;
        }
        snprintf(reason, sizeof reason,
                 "unknown key '%.60s': no customer, account or household has this id", e->key);
        ok = feed_reject_add(ds, e->feed, e->line, FOLIO_F_EVENT_KEY, reason);
    }
    if (ok)
        ds->n_events = w;
    free(c);
    free(a);
    free(h);
    return ok;
}

/* ---- per household --------------------------------------------------------- */

typedef struct ev_key {
    uint32_t hh, ev;
} ev_key;

/* arg: the dataset */
static int cmp_ev(const void *x, const void *y, void *arg)
{
    const ev_key *a = x, *b = y;
    if (a->hh != b->hh)
        return a->hh < b->hh ? -1 : 1;
    const folio_dataset *ds = arg;
    const folio_event *p = &ds->events[a->ev], *q = &ds->events[b->ev];
    if (p->date != q->date)
        return p->date < q->date ? -1 : 1;
    if (p->feed != q->feed)
        return p->feed < q->feed ? -1 : 1;
    return p->line < q->line ? -1 : p->line > q->line;
}

typedef struct id_hh {
    const char *id;
    uint32_t hh;
} id_hh;

static int cmp_idhh(const void *x, const void *y)
{
    return strcmp(((const id_hh *)x)->id, ((const id_hh *)y)->id);
}

static int cmp_idhh_r(const void *x, const void *y, void *arg)
{
    (void)arg;
    return cmp_idhh(x, y);
}

static int64_t find_hh(const id_hh *v, size_t n, const char *id)
{
    id_hh k = {id, 0};
    const id_hh *f = n ? bsearch(&k, v, n, sizeof *v, cmp_idhh) : NULL;
    return f ? (int64_t)f->hh : -1;
}

/* issue 15 part 2 (r-journey): the contact history is part of the
 * journey -- each row of a contacts feed (previous runs' contact_history.csv:
 * offers shown, feedback requests) that is no held-out row becomes an event
 * of type "contact" (event.offer = its offer id, channel ""), after the
 * feeds' events in ds->events; a second bind replaces them. */
static const char EV_CONTACT[] = "contact";

static bool add_contacts(folio_dataset *ds)
{
    while (ds->n_events && ds->events[ds->n_events - 1].type == EV_CONTACT)
        ds->n_events--;
    size_t add = 0;
    for (size_t i = 0; i < ds->n_contacts; i++)
        add += !ds->contacts[i].holdout;
    if (!add)
        return true;
    folio_event *v = realloc(ds->events, (ds->n_events + add) * sizeof *v);
    if (!v)
        return false;
    ds->events = v;
    for (size_t i = 0; i < ds->n_contacts; i++) {
        const folio_contact *c = &ds->contacts[i];
        if (c->holdout)
            continue;
        ds->events[ds->n_events++] = (folio_event){c->key, EV_CONTACT, "", c->date, UINT16_MAX,
                                                   (uint32_t)(i + 1), c->offer_id};
    }
    return true;
}

bool events_bind(folio_dataset *ds, const folio_households *hs, folio_error *err)
{
    free(ds->event_idx);
    free(ds->event_first);
    ds->event_idx = NULL;
    ds->event_first = calloc(hs->n + 1, sizeof *ds->event_first);
    if (!ds->event_first || !add_contacts(ds))
        goto oom;
    if (!ds->n_events)
        return true;
    size_t nc = 0, na = 0;
    for (size_t h = 0; h < hs->n; h++) {
        nc += hs->v[h].n_customers;
        na += hs->v[h].n_accounts;
    }
    id_hh *cu = malloc((nc ? nc : 1) * sizeof *cu), *ac = malloc((na ? na : 1) * sizeof *ac);
    ev_key *k = malloc(ds->n_events * sizeof *k);
    ds->event_idx = malloc(ds->n_events * sizeof *ds->event_idx);
    if (!cu || !ac || !k || !ds->event_idx) {
        free(cu);
        free(ac);
        free(k);
        goto oom;
    }
    nc = na = 0;
    for (size_t h = 0; h < hs->n; h++) {
        const folio_household *x = &hs->v[h];
        for (uint32_t j = 0; j < x->n_customers; j++)
            cu[nc++] = (id_hh){ds->customers[hs->customer_idx[x->first_customer + j]].id,
                               (uint32_t)h};
        for (uint32_t j = 0; j < x->n_accounts; j++)
            ac[na++] = (id_hh){ds->accounts[hs->account_idx[x->first_account + j]].id,
                               (uint32_t)h};
    }
    /* issue 12 part 1 (round 25): the ids sorted from a heap copy, read
     * once in household order -- a spilled run's texts are in mapped work
     * files, and the sort's compares at random faulted a page in (and the
     * trims out) at nearly every compare: 2,331,728 accounts at 1,000,000
     * households.  Without memory for the copy: sorted where they are. */
    size_t idb = 0;
    for (size_t i = 0; i < nc; i++)
        idb += strlen(cu[i].id) + 1;
    for (size_t i = 0; i < na; i++)
        idb += strlen(ac[i].id) + 1;
    char *ids = malloc(idb ? idb : 1);
    for (size_t i = 0, at = 0; ids && i < nc + na; i++) {
        id_hh *e = i < nc ? &cu[i] : &ac[i - nc];
        size_t l = strlen(e->id) + 1;
        memcpy(ids + at, e->id, l);
        e->id = ids + at;
        at += l;
    }
    if (!plan_sort(cu, nc, sizeof *cu, cmp_idhh_r, NULL, 0) ||
        !plan_sort(ac, na, sizeof *ac, cmp_idhh_r, NULL, 0)) {
        free(ids);
        free(cu);
        free(ac);
        free(k);
        goto oom;
    }
    /* each event's household on every thread, then kept in event order */
    const size_t ne = ds->n_events;
#pragma omp parallel for schedule(static)
    for (size_t i = 0; i < ne; i++) {
        const char *key = ds->events[i].key;
        int64_t h = find_hh(cu, nc, key);
        if (h < 0)
            h = find_hh(ac, na, key);
        if (h < 0) {            /* a household id: households are sorted by id */
            size_t lo = 0, hi = hs->n;
            while (lo < hi) {
                size_t mid = lo + (hi - lo) / 2;
                int c = strcmp(hs->v[mid].id, key);
                if (!c) {
                    h = (int64_t)mid;
                    break;
                }
                if (c < 0)
                    lo = mid + 1;
                else
                    hi = mid;
            }
        }
        /* h < 0: a customer or account left out of every household */
        k[i] = (ev_key){h < 0 ? UINT32_MAX : (uint32_t)h, (uint32_t)i};
    }
    size_t n = 0;
    for (size_t i = 0; i < ne; i++)
        if (k[i].hh != UINT32_MAX)
            k[n++] = k[i];
    if (!plan_sort(k, n, sizeof *k, cmp_ev, ds, 0)) {
        free(ids);
        free(cu);
        free(ac);
        free(k);
        goto oom;
    }
    for (size_t i = 0; i < n; i++) {
        ds->event_idx[i] = k[i].ev;
        ds->event_first[k[i].hh + 1]++;
    }
    for (size_t h = 0; h < hs->n; h++)
        ds->event_first[h + 1] += ds->event_first[h];
    free(ids);
    free(cu);
    free(ac);
    free(k);
    return true;
oom:
    folio_error_set(err, FOLIO_EXIT_FAILED, "out of memory indexing events");
    return false;
}

/* ---- rule fields ----------------------------------------------------------- */

void events_get_str(const folio_rule_ctx *ctx, const folio_rule_field *f, uint32_t i,
                    folio_rule_value *out)
{
    const folio_event *e = &ctx->ds->events[i];
    uintptr_t what = (uintptr_t)f->user;
    const char *s = what == 0 ? e->type : what == 1 ? e->channel : what == 2 ? e->key : e->offer;
    out->str = s ? s : "";
    out->len = (uint32_t)strlen(out->str);
}

void events_get_date(const folio_rule_ctx *ctx, const folio_rule_field *f, uint32_t i,
                     folio_rule_value *out)
{
    (void)f;
    folio_date d = ctx->ds->events[i].date;
    out->num = d;
    out->absent = d == FOLIO_DATE_NONE;
}

/* ---- stages ---------------------------------------------------------------- */

typedef struct stage_def {
    char *name;
    folio_rule *when;
} stage_def;

struct folio_stages {
    stage_def *v;
    int n;
};

static const char *const STAGE_KEYS[] = {"name", "when", NULL};

void stages_free(folio_stages *s)
{
    if (!s)
        return;
    for (int i = 0; i < s->n; i++) {
        free(s->v[i].name);
        rules_free(s->v[i].when);
    }
    free(s->v);
    free(s);
}

int stages_count(const folio_stages *s) { return s ? s->n : 0; }

const char *stages_name(const folio_stages *s, int i)
{
    return s && i >= 0 && i < s->n ? s->v[i].name : "";
}

static bool stage_name_ok(const char *s)
{
    size_t n = strlen(s);
    if (n < 1 || n > 40 || !(s[0] >= 'a' && s[0] <= 'z'))
        return false;
    for (size_t i = 0; i < n; i++)
        if (!((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= '0' && s[i] <= '9') || s[i] == '_'))
            return false;
    return true;
}

bool stages_read(yt_doc *d, const yt_node *root, folio_job *job)
{
    const yt_node *seq = yt_child(d, root, "", "stages", false);
    if (!seq)
        return d->err->code == 0;
    if (!yt_expect_seq(d, seq, "stages"))
        return false;
    folio_stages *s = calloc(1, sizeof *s);
    if (!s || !(s->v = calloc(seq->n ? (size_t)seq->n : 1, sizeof *s->v))) {
        free(s);
        folio_error_set(d->err, FOLIO_EXIT_FAILED, "out of memory");
        return false;
    }
    job->stages = s;
    for (int i = 0; i < seq->n; i++) {
        const yt_node *m = seq->items[i];
        char where[32];
        snprintf(where, sizeof where, "stages[%d]", i);
        if (!yt_expect_map(d, m, where) || !yt_check_keys(d, m, where, STAGE_KEYS))
            return false;
        stage_def *st = &s->v[s->n++];
        if (yt_str(d, m, where, "name", true, &st->name) < 0)
            return false;
        if (!stage_name_ok(st->name))
            return yt_fail(d, yt_get(m, "name"), "'%s.name' must be 1-40 of a-z 0-9 _, "
                           "starting with a letter", where);
        for (int j = 0; j < i; j++)
            if (!strcmp(s->v[j].name, st->name))
                return yt_fail(d, yt_get(m, "name"), "stage '%s' is listed twice", st->name);
        const yt_node *w = yt_child(d, m, where, "when", true);
        if (!w)
            return false;
        if (w->kind != YT_SCALAR || w->is_null)
            return yt_fail(d, w, "'%s.when' must be a rule (docs/rules.md)", where);
        folio_rule_source src = {.file = d->path, .line = w->line,
                                 .col = w->raw_one_line ? w->text_col : w->col,
                                 .cont_col = w->col};
        st->when = rules_compile(w->str, w->len, attrs_catalog(job->attrs), FOLIO_RT_BOOL,
                                 &src, d->err);
        if (!st->when)
            return false;
    }
    return true;
}

static _Thread_local int g_in_stage;   /* `stage` inside a stage rule: unknown */

const char *stage_of(const folio_stages *s, const folio_rule_ctx *ctx)
{
    if (!s || g_in_stage)
        return "";
    g_in_stage = 1;
    const char *r = "";
    for (int i = 0; i < s->n; i++)
        if (rules_eval_bool(s->v[i].when, ctx)) {
            r = s->v[i].name;
            break;
        }
    g_in_stage = 0;
    return r;
}

void events_get_stage(const folio_rule_ctx *ctx, const folio_rule_field *f, uint32_t i,
                      folio_rule_value *out)
{
    (void)f;
    (void)i;
    if (!ctx->job || !ctx->job->stages || g_in_stage) {
        out->str = "";
        out->absent = ctx->job && ctx->job->stages && g_in_stage;
        return;
    }
    out->str = stage_of(ctx->job->stages, ctx);
    out->len = (uint32_t)strlen(out->str);
}

/* ---- audit ------------------------------------------------------------------ */

const char *journey_audit(const folio_plan *plan, size_t hh, const folio_rule_ctx *ctx,
                          folio_buf *audit)
{
    const folio_job *J = plan->job;
    const char *stage = "";
    if (J->stages) {
        stage = stage_of(J->stages, ctx);
        if (audit->len)
            folio_buf_putc(audit, ',');
        folio_buf_puts(audit, "\"stage\":");
        folio_buf_put_json_str(audit, stage, strlen(stage));
    }
    const folio_household_plan *hp = &plan->households[hh];
    if (hp->own_period) {
        char a[16], b[16];
        folio_date_format(hp->period_start, "YYYY-MM-DD", a, sizeof a);
        folio_date_format(J->period_end, "YYYY-MM-DD", b, sizeof b);
        if (audit->len)
            folio_buf_putc(audit, ',');
        folio_buf_printf(audit, "\"interval\":{\"start\":\"%s\",\"end\":\"%s\"}", a, b);
    }
    /* issue 15 part 1 (r-chan): accounts with their own frequency's interval */
    const folio_household *x = &plan->hs->v[hh];
    bool any = false;
    for (uint32_t k = 0; k < x->n_accounts; k++) {
        uint32_t ai = plan->hs->account_idx[x->first_account + k];
        const folio_account_plan *ap = &plan->accounts[ai];
        if (ap->suppressed || !ap->own_start)
            continue;
        char a[16], b[16];
        folio_date_format(ap->own_start, "YYYY-MM-DD", a, sizeof a);
        folio_date_format(J->period_end, "YYYY-MM-DD", b, sizeof b);
        if (!any && audit->len)
            folio_buf_putc(audit, ',');
        folio_buf_puts(audit, any ? "," : "\"account_intervals\":{");
        any = true;
        const char *id = plan->ds->accounts[ai].id;
        folio_buf_put_json_str(audit, id, strlen(id));
        folio_buf_printf(audit, ":{\"start\":\"%s\",\"end\":\"%s\"}", a, b);
    }
    if (any)
        folio_buf_putc(audit, '}');
    if (hp->split) {            /* issue 15 part 1 (r-chan): the archive document's own */
        char a[16], b[16];
        folio_date_format(hp->arch_start, "YYYY-MM-DD", a, sizeof a);
        folio_date_format(J->period_end, "YYYY-MM-DD", b, sizeof b);
        if (audit->len)
            folio_buf_putc(audit, ',');
        folio_buf_printf(audit, "\"archive_interval\":{\"start\":\"%s\",\"end\":\"%s\"}",
                         a, b);
    }
    return stage;
}
