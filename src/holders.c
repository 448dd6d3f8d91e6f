/* SPDX-License-Identifier: Apache-2.0 */
/*
 * holders.c -- issue 10 part 2 (holders feeds, roles, the `households:` job
 * section) and part 7 (oversize and undeliverable households).  See
 * include/folio/holders.h; the reference is docs/job-file.md ("Holders" and
 * "Households").
 *
 *   feeds:
 *     - name: disp
 *       kind: holders
 *       path: disp.asc
 *       roles: {OWNER: owner, DISPONENT: disponent}
 *       columns: {account_id: account_id, customer_id: client_id, role: type}
 *   households:
 *     max_customers: 12        # 1..100000; a larger household is suppressed
 *     undeliverable: suppress  # suppress | return
 */
#include "folio/holders.h"
#include "folio/compose.h"
#include "folio/job.h"
#include "folio/production.h"
#include "yamltree.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* ---- roles ------------------------------------------------------------------- */

static const char *const ROLE_NAMES[FOLIO_ROLE__COUNT + 1] = {
    "", "owner", "joint", "authorised_user", "disponent", NULL,
};
/* for the yt_enum of a roles: value (index + 1 = role) */
static const char *const ROLE_CHOICES[] = {"owner", "joint", "authorised_user", "disponent",
                                           NULL};
static const char *const HOUSEHOLDS_KEYS[] = {"max_customers", "undeliverable", NULL};
static const char *const UNDELIVERABLE_NAMES[] = {"suppress", "return", NULL};

const char *folio_role_name(int role)
{
    return role > 0 && role < FOLIO_ROLE__COUNT ? ROLE_NAMES[role] : "";
}

int folio_role_from_name(const char *s, size_t n)
{
    for (int r = 1; r < FOLIO_ROLE__COUNT; r++)
        if (strlen(ROLE_NAMES[r]) == n && !strncasecmp(s, ROLE_NAMES[r], n))
            return r;
    if (n == 15 && !strncasecmp(s, "authorized_user", n))
        return FOLIO_ROLE_AUTHORISED;
    return FOLIO_ROLE_NONE;
}

int holders_role_lookup(const folio_feed_def *def, const char *s, size_t n)
{
    if (!def->n_roles)
        return folio_role_from_name(s, n);
    for (int i = 0; i < def->n_roles; i++)
        if (strlen(def->roles[i].code) == n && !memcmp(def->roles[i].code, s, n))
            return def->roles[i].role;
    return FOLIO_ROLE_NONE;
}

void holders_role_codes(const folio_feed_def *def, char *buf, size_t cap)
{
    size_t len = 0;
    buf[0] = 0;
    int n = def->n_roles ? def->n_roles : FOLIO_ROLE__COUNT - 1;
    for (int i = 0; i < n && len < cap; i++) {
        const char *c = def->n_roles ? def->roles[i].code : ROLE_NAMES[i + 1];
        int w = snprintf(buf + len, cap - len, "%s%s", i ? ", " : "", c);
        if (w < 0)
            break;
        len += (size_t)w;
    }
    if (def->n_roles && len < cap)
        snprintf(buf + len, cap - len, " (roles: of feed '%s')", def->name ? def->name : "?");
}

const char *folio_role_label(int role)
{
    return role == FOLIO_ROLE_AUTHORISED ? "authorised user" : folio_role_name(role);
}

size_t holders_of_account(const folio_dataset *ds, uint32_t account, const folio_holder **first)
{
    size_t lo = 0, hi = ds->n_holders;
    *first = ds->holders;
    if (!hi)
        return 0;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (ds->holders[mid].account < account)
            lo = mid + 1;
        else
            hi = mid;
    }
    size_t e = lo;
    while (e < ds->n_holders && ds->holders[e].account == account)
        e++;
    *first = ds->holders + lo;
    return e - lo;
}

/* ---- job ------------------------------------------------------------------------ */

bool holders_feed_read(yt_doc *d, folio_feed_def *f, const yt_node *feed, const char *where)
{
    char rw[128];
    yt_name(rw, sizeof rw, where, "roles");
    const yt_node *rm = yt_child(d, feed, where, "roles", false);
    if (!rm)
        return true;
    if (f->kind != FOLIO_FEED_HOLDERS)
        return yt_fail(d, rm, "'%s' is only allowed in a holders feed", rw);
    if (!yt_expect_map(d, rm, rw))
        return false;
    if (rm->n == 0)
        return yt_fail(d, rm, "'%s' must list at least one code", rw);
    f->roles = calloc((size_t)rm->n, sizeof *f->roles);
    if (!f->roles) {
        folio_error_set(d->err, FOLIO_EXIT_FAILED, "%s: out of memory", d->path);
        return false;
    }
    for (int i = 0; i < rm->n; i++) {
        const yt_node *k = rm->keys[i];
        char name[200];
        snprintf(name, sizeof name, "%s.%s", rw, k->str);
        if (!k->len)
            return yt_fail(d, k, "'%s' has an empty code", rw);
        int role = 0;
        if (!yt_node_enum(d, rm->items[i], name, ROLE_CHOICES, &role))
            return false;
        if (!(f->roles[i].code = strdup(k->str))) {
            folio_error_set(d->err, FOLIO_EXIT_FAILED, "%s: out of memory", d->path);
            return false;
        }
        f->roles[i].role = (uint8_t)(role + 1);
        f->n_roles = i + 1;
    }
    return true;
}

void holders_feed_free(folio_feed_def *f)
{
    for (int i = 0; i < f->n_roles; i++)
        free(f->roles[i].code);
    free(f->roles);
    f->roles = NULL;
    f->n_roles = 0;
}

bool holders_job_read(yt_doc *d, const yt_node *root, folio_job *job)
{
    job->household_max = FOLIO_HOUSEHOLD_MAX_DEFAULT;
    job->undeliverable = FOLIO_UNDELIVERABLE_SUPPRESS;
    const yt_node *h = yt_child(d, root, "", "households", false);
    if (h) {
        if (!yt_expect_map(d, h, "households") ||
            !yt_check_keys(d, h, "households", HOUSEHOLDS_KEYS))
            return false;
        int64_t mx = job->household_max;
        int u = 0;
        if (yt_int(d, h, "households", "max_customers", false, 1, 100000, &mx) < 0 ||
            yt_enum(d, h, "households", "undeliverable", false, UNDELIVERABLE_NAMES, &u) < 0)
            return false;
        job->household_max = (int)mx;
        job->undeliverable = u;
    }
    if (job->undeliverable != FOLIO_UNDELIVERABLE_RETURN || !job->production)
        return true;
    /* the return-to-bank stream goes first: a returned statement matches it
     * and no other (production_stream_of) */
    folio_production_options *o = job->production;
    for (int i = 0; i < o->n_streams; i++)
        if (!strcmp(o->streams[i].name, FOLIO_RETURN_STREAM))
            return yt_fail(d, yt_get(h, "undeliverable"), "'households.undeliverable' is "
                           "return: the stream name '%s' (output.streams, line %d) is "
                           "reserved for the return-to-bank statements",
                           FOLIO_RETURN_STREAM, o->streams[i].line);
    folio_stream_def *v = realloc(o->streams, ((size_t)o->n_streams + 1) * sizeof *v);
    if (!v) {
        folio_error_set(d->err, FOLIO_EXIT_FAILED, "%s: out of memory", d->path);
        return false;
    }
    o->streams = v;
    memmove(v + 1, v, (size_t)o->n_streams * sizeof *v);
    memset(v, 0, sizeof *v);
    v->foreign = -1;
    v->channel = -1;
    v->returned_only = true;
    o->n_streams++;
    if (!(v->name = strdup(FOLIO_RETURN_STREAM))) {
        folio_error_set(d->err, FOLIO_EXIT_FAILED, "%s: out of memory", d->path);
        return false;
    }
    return true;
}

/* ---- addresses ---------------------------------------------------------------- */

/* Countries (ISO 3166-1 alpha-2) whose mail needs no postal code: the
 * Universal Postal Union's list of countries without a postcode system,
 * plus Ireland (Eircode is optional) and Hong Kong.  Every other country --
 * an empty country is the United States -- needs one. */
static const char *const NO_POSTCODE[] = {
    "AE", "AG", "AN", "AO", "AW", "BF", "BI", "BJ", "BO", "BS", "BW", "BZ", "CD", "CF",
    "CG", "CI", "CK", "CM", "DJ", "DM", "ER", "FJ", "GA", "GD", "GH", "GM", "GQ", "GY",
    "HK", "IE", "KI", "KM", "KN", "KP", "LY", "ML", "MO", "MR", "MW", "NR", "NU", "QA",
    "RW", "SB", "SC", "SL", "SR", "SS", "ST", "SY", "TD", "TF", "TG", "TK", "TL", "TO",
    "TV", "UG", "VU", "YE", "ZW",
};

static bool blank(const char *s)
{
    for (; s && *s; s++)
        if (*s != ' ' && *s != '\t')
            return false;
    return true;
}

bool holders_address_usable(const folio_customer *c, const char **why)
{
    if (blank(c->address1)) {
        *why = "no address line 1";
        return false;
    }
    if (!blank(c->postal_code))
        return true;
    const char *cc = c->country ? c->country : "";
    if (strlen(cc) == 2)
        for (size_t i = 0; i < sizeof NO_POSTCODE / sizeof *NO_POSTCODE; i++)
            if (!strcasecmp(cc, NO_POSTCODE[i]))
                return true;
    *why = "no postal code";
    return false;
}

/* ---- outcomes --------------------------------------------------------------------- */


static const char *base_name(const char *path)
{
    const char *s = path ? strrchr(path, '/') : NULL;
    return s ? s + 1 : path ? path : "";
}

bool holders_route(folio_plan *p, folio_exceptions *x, folio_error *err)
{
    const folio_households *hs = p->hs;
    const folio_dataset *ds = p->ds;
    const folio_job *job = p->job;
    const int max = job->household_max > 0 ? job->household_max : FOLIO_HOUSEHOLD_MAX_DEFAULT;
    for (size_t h = 0; h < hs->n; h++) {
        const folio_household *hh = &hs->v[h];
        folio_household_plan *hp = &p->households[h];
        if (!hh->n_customers)
            continue;
        const folio_customer *c = &ds->customers[hs->customer_idx[hh->first_customer]];
        if (hh->n_customers > (uint32_t)max) {
            char r[160];
            snprintf(r, sizeof r, "oversize household: %u customers (households.max_customers "
                     "is %d)", hh->n_customers, max);
            const char *reason = folio_arena_strdup(&p->reasons, r);
            if (!reason)
                goto oom;
            bool was = hp->channel != FOLIO_CHANNEL_SUPPRESSED;
            if (!folio_exceptions_add(x, FOLIO_EXC_OVERSIZE_HOUSEHOLD, hh->id, c->id, NULL,
                                      base_name(job->feeds[c->feed].path), c->line, false, 0, 0,
                                      "suppressed", "%u customers (household_by %s), more "
                                      "than households.max_customers (%d)%s", hh->n_customers,
                                      household_by_name(household_by(hs, h)), max,
                                      was ? "" : "; already suppressed for another reason"))
                goto oom;
            if (was) {
                hp->channel = FOLIO_CHANNEL_SUPPRESSED;
                hp->reason = reason;
            }
            continue;
        }
        /* a customers feed may map no name at all (berka): an e-mailed
           statement would then address nobody -- never sent blank */
        if ((hp->channel == FOLIO_CHANNEL_EMAIL || hp->channel == FOLIO_CHANNEL_BOTH) &&
            !(c->last_name && *c->last_name) && !(c->first_name && *c->first_name)) {
            const char *action = "printed only";
            if (hp->channel == FOLIO_CHANNEL_BOTH) {
                hp->channel = FOLIO_CHANNEL_PRINT;
                hp->note = "no customer name: not e-mailed, printed only";
            } else {
                hp->channel = FOLIO_CHANNEL_SUPPRESSED;
                hp->reason = "no customer name: an e-mailed statement would address nobody";
                action = "suppressed";
            }
            if (!folio_exceptions_add(x, FOLIO_EXC_OTHER, hh->id, c->id, NULL,
                                      base_name(job->feeds[c->feed].path), c->line, false, 0, 0,
                                      action, "no customer name for an e-mailed statement (the "
                                      "customers feed maps no name column)"))
                goto oom;
        }
        if (hp->channel != FOLIO_CHANNEL_PRINT && hp->channel != FOLIO_CHANNEL_BOTH)
            continue;
        const char *why = NULL;
        if (holders_address_usable(c, &why))
            continue;
        const char *action;
        if (job->undeliverable == FOLIO_UNDELIVERABLE_RETURN) {
            hp->returned = true;
            action = "returned";
        } else if (hp->channel == FOLIO_CHANNEL_BOTH) {
            hp->channel = FOLIO_CHANNEL_EMAIL;
            hp->note = "undeliverable address: the print copy is suppressed, e-mailed only";
            action = "emailed only";
        } else {
            char r[160];
            snprintf(r, sizeof r, "undeliverable address: %s", why);
            const char *reason = folio_arena_strdup(&p->reasons, r);
            if (!reason)
                goto oom;
            hp->channel = FOLIO_CHANNEL_SUPPRESSED;
            hp->reason = reason;
            action = "suppressed";
        }
        if (!folio_exceptions_add(x, FOLIO_EXC_UNDELIVERABLE, hh->id, c->id, NULL,
                                  base_name(job->feeds[c->feed].path), c->line, false, 0, 0, action,
                                  "%s (country '%s')", why, c->country ? c->country : ""))
            goto oom;
    }
    return true;
oom:
    folio_error_set(err, FOLIO_EXIT_FAILED, "out of memory while routing households");
    return false;
}
