/* SPDX-License-Identifier: Apache-2.0 */
/*
 * uplift.c -- issue 15 part 4: responses matched to the contact history,
 * per offer and variant the response rate against the offer's holdout, the
 * uplift with Newcombe's hybrid score interval and the sample size needed
 * (folio/uplift.h; formulas in docs/offers.md "Measured uplift").
 *
 * Counts are integers; the interval is computed in double from them with
 * the formulas exactly as documented (an independent implementation in
 * tests/e2e/check_uplift.py gives the same digits) and printed rounded half
 * away from zero to 6 decimals.
 */
#include "folio/uplift.h"
#include "folio/offers.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

const char *const FOLIO_UPLIFT_REASONS[FOLIO_UPLIFT_N_REASONS] = {
    "no matching contact", "before the contact", "outside the attribution window",
    "variant mismatch"};

/* ---- the maths ------------------------------------------------------------ */

void uplift_wilson(int64_t x, int64_t n, double z, double *lo, double *hi)
{
    /* (2x + z^2 -+ z sqrt(z^2 + 4 x (1 - p))) / (2 (n + z^2)), p = x / n
     * (Newcombe 1998, method 3, without continuity correction) */
    double p = (double)x / (double)n, z2 = z * z;
    double root = z * sqrt(z2 + 4.0 * (double)x * (1.0 - p));
    double den = 2.0 * ((double)n + z2);
    *lo = (2.0 * (double)x + z2 - root) / den;
    *hi = (2.0 * (double)x + z2 + root) / den;
    if (*lo < 0.0)
        *lo = 0.0;
    if (*hi > 1.0)
        *hi = 1.0;
}

bool uplift_newcombe(int64_t x1, int64_t n1, int64_t x2, int64_t n2, double *lo, double *hi)
{
    if (n1 <= 0 || n2 <= 0)
        return false;
    double l1, u1, l2, u2;
    uplift_wilson(x1, n1, FOLIO_UPLIFT_Z95, &l1, &u1);
    uplift_wilson(x2, n2, FOLIO_UPLIFT_Z95, &l2, &u2);
    double p1 = (double)x1 / (double)n1, p2 = (double)x2 / (double)n2, d = p1 - p2;
    *lo = d - sqrt((p1 - l1) * (p1 - l1) + (u2 - p2) * (u2 - p2));
    *hi = d + sqrt((u1 - p1) * (u1 - p1) + (p2 - l2) * (p2 - l2));
    return true;
}

int64_t uplift_sample_size(double p1, double p2)
{
    if (p1 == p2)
        return -1;
    double pb = (p1 + p2) / 2.0;
    double a = FOLIO_UPLIFT_Z95 * sqrt(2.0 * pb * (1.0 - pb)) +
               FOLIO_UPLIFT_Z80 * sqrt(p1 * (1.0 - p1) + p2 * (1.0 - p2));
    double n = a * a / ((p1 - p2) * (p1 - p2));
    if (!(n < 9e18))
        return -1;
    return (int64_t)ceil(n);
}

/* ---- matching --------------------------------------------------------------- */

static const folio_dataset *S;   /* qsort has no context: set for one sort at a time */

static const char *var_of(const folio_contact *c)
{
    return c->variant ? c->variant : "";
}

static int cmp_key_offer(const folio_contact *a, const char *key, const char *offer)
{
    int c = strcmp(a->key, key);
    return c ? c : strcmp(a->offer_id, offer);
}

/* contacts by key, offer, date, then file order */
static int cmp_match(const void *pa, const void *pb)
{
    uint32_t x = *(const uint32_t *)pa, y = *(const uint32_t *)pb;
    const folio_contact *a = &S->contacts[x], *b = &S->contacts[y];
    int c = cmp_key_offer(a, b->key, b->offer_id);
    if (c)
        return c;
    if (a->date != b->date)
        return a->date < b->date ? -1 : 1;
    return (x > y) - (x < y);
}

/* contacts by offer, held-out last, variant */
static int cmp_group(const void *pa, const void *pb)
{
    uint32_t x = *(const uint32_t *)pa, y = *(const uint32_t *)pb;
    const folio_contact *a = &S->contacts[x], *b = &S->contacts[y];
    int c = strcmp(a->offer_id, b->offer_id);
    if (c)
        return c;
    if (a->holdout != b->holdout)
        return a->holdout ? 1 : -1;
    c = strcmp(var_of(a), var_of(b));
    return c ? c : (x > y) - (x < y);
}

static bool add_miss(folio_uplift *u, size_t *cap, size_t r, int reason)
{
    if (u->n_miss == *cap) {
        size_t nc = *cap ? *cap * 2 : 64;
        folio_uplift_miss *m = realloc(u->miss, nc * sizeof *m);
        if (!m)
            return false;
        u->miss = m;
        *cap = nc;
    }
    u->miss[u->n_miss++] = (folio_uplift_miss){(uint32_t)r, (uint8_t)reason};
    u->unmatched[reason]++;
    return true;
}

folio_uplift *uplift_compute(const folio_dataset *ds, int attribution_days, folio_error *err)
{
    folio_uplift *u = calloc(1, sizeof *u);
    size_t nc = ds->n_contacts;
    uint32_t *idx = malloc((nc ? nc : 1) * sizeof *idx);
    uint8_t *answered = calloc(nc ? nc : 1, 1);
    size_t miss_cap = 0;
    if (!u || !idx || !answered)
        goto oom;
    u->attribution_days = attribution_days;
    for (size_t i = 0; i < nc; i++)
        idx[i] = (uint32_t)i;
    S = ds;
    qsort(idx, nc, sizeof *idx, cmp_match);
    S = NULL;
    u->responses = (int64_t)ds->n_responses;
    for (size_t r = 0; r < ds->n_responses; r++) {
        const folio_response *rp = &ds->responses[r];
        size_t lo = 0, hi = nc;
        while (lo < hi) {               /* first contact of (key, offer) */
            size_t mid = lo + (hi - lo) / 2;
            if (cmp_key_offer(&ds->contacts[idx[mid]], rp->key, rp->offer_id) < 0)
                lo = mid + 1;
            else
                hi = mid;
        }
        if (lo == nc || cmp_key_offer(&ds->contacts[idx[lo]], rp->key, rp->offer_id)) {
            if (!add_miss(u, &miss_cap, r, FOLIO_UPLIFT_NO_CONTACT))
                goto oom;
            continue;
        }
        /* the latest contact dated on or before the response */
        size_t best = SIZE_MAX;
        for (size_t k = lo; k < nc && !cmp_key_offer(&ds->contacts[idx[k]], rp->key, rp->offer_id);
             k++)
            if (ds->contacts[idx[k]].date <= rp->date)
                best = idx[k];
        int why = -1;
        if (best == SIZE_MAX)
            why = FOLIO_UPLIFT_BEFORE_CONTACT;
        else if (rp->date - ds->contacts[best].date > attribution_days)
            why = FOLIO_UPLIFT_OUTSIDE_WINDOW;
        else if (rp->variant[0]) {
            const folio_contact *c = &ds->contacts[best];
            if (c->holdout ? strcmp(rp->variant, "holdout") : strcmp(rp->variant, var_of(c)))
                why = FOLIO_UPLIFT_VARIANT_MISMATCH;
        }
        if (why >= 0) {
            if (!add_miss(u, &miss_cap, r, why))
                goto oom;
            continue;
        }
        u->matched++;
        if (answered[best])
            u->repeats++;
        answered[best] = 1;
    }
    /* groups */
    S = ds;
    qsort(idx, nc, sizeof *idx, cmp_group);
    S = NULL;
    size_t cap = 0;
    for (size_t i = 0; i < nc;) {
        const char *offer = ds->contacts[idx[i]].offer_id;
        size_t end = i;
        int64_t hn = 0, hx = 0;
        while (end < nc && !strcmp(ds->contacts[idx[end]].offer_id, offer)) {
            if (ds->contacts[idx[end]].holdout) {
                hn++;
                hx += answered[idx[end]];
            }
            end++;
        }
        for (size_t k = i; k < end && !ds->contacts[idx[k]].holdout;) {
            const char *var = var_of(&ds->contacts[idx[k]]);
            if (u->n_rows == cap) {
                size_t ncap = cap ? cap * 2 : 16;
                folio_uplift_row *nr = realloc(u->rows, ncap * sizeof *nr);
                if (!nr)
                    goto oom;
                u->rows = nr;
                cap = ncap;
            }
            folio_uplift_row *row = &u->rows[u->n_rows++];
            memset(row, 0, sizeof *row);
            row->offer = offer;
            row->variant = var;
            for (; k < end && !ds->contacts[idx[k]].holdout &&
                   !strcmp(var_of(&ds->contacts[idx[k]]), var); k++) {
                row->contacts++;
                row->responders += answered[idx[k]];
            }
            row->hold_contacts = hn;
            row->hold_responders = hx;
            row->rate = (double)row->responders / (double)row->contacts;
            row->hold_rate = hn ? (double)hx / (double)hn : NAN;
            row->rel = NAN;
            row->sample_size = -1;
            row->has_ci = uplift_newcombe(row->responders, row->contacts, hx, hn, &row->lo,
                                          &row->hi);
            if (row->has_ci) {
                row->abs = row->rate - row->hold_rate;
                if (hx > 0)
                    row->rel = row->abs / row->hold_rate;
                row->sample_size = uplift_sample_size(row->rate, row->hold_rate);
                row->retire = row->hi < 0.0;
            }
        }
        i = end;
    }
    free(idx);
    free(answered);
    return u;
oom:
    free(idx);
    free(answered);
    uplift_free(u);
    folio_error_set(err, FOLIO_EXIT_FAILED, "uplift: out of memory");
    return NULL;
}

void uplift_free(folio_uplift *u)
{
    if (!u)
        return;
    free(u->rows);
    free(u->miss);
    free(u);
}

bool uplift_run(const folio_job *job, const folio_dataset *ds, struct folio_offers *offers,
                folio_uplift **out, folio_error *err)
{
    *out = NULL;
    bool any = false;
    for (int i = 0; i < job->n_feeds; i++)
        any |= job->feeds[i].kind == FOLIO_FEED_RESPONSES;
    if (!any)
        return true;
    int days = job->offers ? job->offers->attribution_days : 30;
    folio_uplift *u = uplift_compute(ds, days, err);
    if (!u)
        return false;
    for (int i = 0; i < job->n_feeds && i < ds->n_feeds; i++)
        if (job->feeds[i].kind == FOLIO_FEED_RESPONSES)
            u->rejected += (int64_t)ds->stats[i].rejected;
    bool retire = job->offers && job->offers->retire_below_control && offers;
    for (size_t i = 0; retire && i < u->n_rows; i++) {
        folio_uplift_row *r = &u->rows[i];
        if (!r->retire)
            continue;
        if (!r->variant[0])
            r->not_retired = "the offer has no A/B variants";
        else if (!(r->retired = offers_retire(offers, r->offer, r->variant)))
            r->not_retired = "not in the catalogue, or the offer's last variant";
    }
    *out = u;
    return true;
}

/* ---- printing ---------------------------------------------------------------- */

/* x rounded half away from zero to `dec` decimals, all digits printed
 * (locale-free; dec <= 9). */
static void put_dec(folio_buf *b, double x, int dec)
{
    double scale = 1.0;
    for (int i = 0; i < dec; i++)
        scale *= 10.0;
    double r = floor(fabs(x) * scale + 0.5);
    int64_t v = (int64_t)r;
    int64_t p = (int64_t)scale;
    if (x < 0 && v)
        folio_buf_putc(b, '-');
    folio_buf_put_int(b, v / p);
    if (dec) {
        char frac[16];
        int64_t f = v % p;
        for (int i = dec - 1; i >= 0; i--) {
            frac[i] = (char)('0' + f % 10);
            f /= 10;
        }
        frac[dec] = 0;
        folio_buf_putc(b, '.');
        folio_buf_puts(b, frac);
    }
}

static void jstr(folio_buf *b, const char *s)
{
    folio_buf_put_json_str(b, s, strlen(s));
}

void uplift_json(const folio_uplift *u, const folio_dataset *ds, const folio_job *job,
                 folio_buf *b)
{
    folio_buf_putc(b, '{');
    uplift_json_members(u, ds, job, b);
    folio_buf_putc(b, '}');
}

void uplift_json_members(const folio_uplift *u, const folio_dataset *ds, const folio_job *job,
                         folio_buf *b)
{
    folio_buf_puts(b, "\"attribution_days\":");
    folio_buf_put_int(b, u->attribution_days);
    folio_buf_puts(b, ",\"method\":\"Newcombe hybrid score (method 10), 95%\"");
    folio_buf_puts(b, ",\"responses\":");
    folio_buf_put_int(b, u->responses);
    folio_buf_puts(b, ",\"matched\":");
    folio_buf_put_int(b, u->matched);
    folio_buf_puts(b, ",\"repeats\":");
    folio_buf_put_int(b, u->repeats);
    folio_buf_puts(b, ",\"rejected\":");
    folio_buf_put_int(b, u->rejected);
    folio_buf_puts(b, ",\"unmatched\":{");
    for (int i = 0; i < FOLIO_UPLIFT_N_REASONS; i++) {
        if (i)
            folio_buf_putc(b, ',');
        jstr(b, FOLIO_UPLIFT_REASONS[i]);
        folio_buf_putc(b, ':');
        folio_buf_put_int(b, u->unmatched[i]);
    }
    folio_buf_puts(b, "},\"by_variant\":[");
    for (size_t i = 0; i < u->n_rows; i++) {
        const folio_uplift_row *r = &u->rows[i];
        folio_buf_puts(b, i ? ",\n    {\"offer\":" : "\n    {\"offer\":");
        jstr(b, r->offer);
        folio_buf_puts(b, ",\"variant\":");
        jstr(b, r->variant);
        folio_buf_puts(b, ",\"contacts\":");
        folio_buf_put_int(b, r->contacts);
        folio_buf_puts(b, ",\"responses\":");
        folio_buf_put_int(b, r->responders);
        folio_buf_puts(b, ",\"rate\":");
        put_dec(b, r->rate, 6);
        folio_buf_puts(b, ",\"holdout_contacts\":");
        folio_buf_put_int(b, r->hold_contacts);
        folio_buf_puts(b, ",\"holdout_responses\":");
        folio_buf_put_int(b, r->hold_responders);
        folio_buf_puts(b, ",\"holdout_rate\":");
        if (r->hold_contacts)
            put_dec(b, r->hold_rate, 6);
        else
            folio_buf_puts(b, "null");
        if (r->has_ci) {
            folio_buf_puts(b, ",\"uplift\":");
            put_dec(b, r->abs, 6);
            folio_buf_puts(b, ",\"ci95\":[");
            put_dec(b, r->lo, 6);
            folio_buf_putc(b, ',');
            put_dec(b, r->hi, 6);
            folio_buf_puts(b, "],\"relative_uplift\":");
            if (isnan(r->rel))
                folio_buf_puts(b, "null");
            else
                put_dec(b, r->rel, 4);
            folio_buf_puts(b, ",\"sample_size\":");
            if (r->sample_size >= 0)
                folio_buf_put_int(b, r->sample_size);
            else
                folio_buf_puts(b, "null");
            folio_buf_puts(b, r->retire ? ",\"below_control\":true" : ",\"below_control\":false");
            if (r->retired)
                folio_buf_puts(b, ",\"retired\":true");
            else if (r->not_retired) {
                folio_buf_puts(b, ",\"not_retired\":");
                jstr(b, r->not_retired);
            }
        } else {
            folio_buf_puts(b, ",\"uplift\":null,\"ci95\":null,\"relative_uplift\":null,"
                              "\"sample_size\":null,\"below_control\":false");
        }
        folio_buf_putc(b, '}');
    }
    folio_buf_puts(b, "],\"unmatched_responses\":[");
    char d[32];
    for (size_t i = 0; i < u->n_miss; i++) {
        const folio_response *rp = &ds->responses[u->miss[i].response];
        folio_buf_puts(b, i ? ",\n    {\"feed\":" : "\n    {\"feed\":");
        jstr(b, job && rp->feed < job->n_feeds ? job->feeds[rp->feed].name : "");
        folio_buf_puts(b, ",\"line\":");
        folio_buf_put_int(b, rp->line);
        folio_buf_puts(b, ",\"key\":");
        jstr(b, rp->key);
        folio_buf_puts(b, ",\"offer\":");
        jstr(b, rp->offer_id);
        folio_buf_puts(b, ",\"date\":");
        size_t n = folio_date_format(rp->date, "YYYY-MM-DD", d, sizeof d);
        folio_buf_put_json_str(b, d, n);
        folio_buf_puts(b, ",\"reason\":");
        jstr(b, FOLIO_UPLIFT_REASONS[u->miss[i].reason]);
        folio_buf_putc(b, '}');
    }
    folio_buf_puts(b, "]");
}

static void pad(folio_buf *b, size_t from, size_t width)
{
    while (b->len - from < width)
        folio_buf_putc(b, ' ');
}

void uplift_text(const folio_uplift *u, const folio_dataset *ds, const folio_job *job,
                 folio_buf *b)
{
    folio_buf_puts(b, "uplift: responses within ");
    folio_buf_put_int(b, u->attribution_days);
    folio_buf_puts(b, " days of the contact; 95% interval: Newcombe hybrid score (method 10)\n");
    folio_buf_puts(b, "offer                variant   contacts  resp    rate%  holdout%  "
                      "uplift pp  95% interval pp     relative  n/group\n");
    for (size_t i = 0; i < u->n_rows; i++) {
        const folio_uplift_row *r = &u->rows[i];
        size_t s = b->len;
        folio_buf_puts(b, r->offer);
        pad(b, s, 21);
        folio_buf_puts(b, r->variant[0] ? r->variant : "-");
        pad(b, s, 31);
        folio_buf_put_int(b, r->contacts);
        pad(b, s, 41);
        folio_buf_put_int(b, r->responders);
        pad(b, s, 48);
        put_dec(b, r->rate * 100.0, 2);
        pad(b, s, 57);
        if (r->hold_contacts)
            put_dec(b, r->hold_rate * 100.0, 2);
        else
            folio_buf_puts(b, "-");
        pad(b, s, 67);
        if (r->has_ci) {
            put_dec(b, r->abs * 100.0, 2);
            pad(b, s, 78);
            folio_buf_putc(b, '[');
            put_dec(b, r->lo * 100.0, 2);
            folio_buf_puts(b, ", ");
            put_dec(b, r->hi * 100.0, 2);
            folio_buf_putc(b, ']');
            pad(b, s, 95);
            if (isnan(r->rel))
                folio_buf_puts(b, "-");
            else {
                put_dec(b, r->rel * 100.0, 1);
                folio_buf_putc(b, '%');
            }
            pad(b, s, 105);
            if (r->sample_size >= 0)
                folio_buf_put_int(b, r->sample_size);
            else
                folio_buf_puts(b, "-");
            if (r->retire)
                folio_buf_puts(b, "  below control");
        } else {
            folio_buf_puts(b, "- (no holdout)");
        }
        folio_buf_putc(b, '\n');
    }
    folio_buf_puts(b, "responses ");
    folio_buf_put_int(b, u->responses);
    folio_buf_puts(b, ", attributed ");
    folio_buf_put_int(b, u->matched);
    folio_buf_puts(b, " (repeats ");
    folio_buf_put_int(b, u->repeats);
    folio_buf_puts(b, "), rejected rows ");
    folio_buf_put_int(b, u->rejected);
    for (int i = 0; i < FOLIO_UPLIFT_N_REASONS; i++) {
        folio_buf_puts(b, ", ");
        folio_buf_puts(b, FOLIO_UPLIFT_REASONS[i]);
        folio_buf_puts(b, " ");
        folio_buf_put_int(b, u->unmatched[i]);
    }
    folio_buf_putc(b, '\n');
    char d[32];
    for (size_t i = 0; i < u->n_miss; i++) {
        const folio_response *rp = &ds->responses[u->miss[i].response];
        folio_buf_puts(b, "  not attributed: ");
        folio_buf_puts(b, job && rp->feed < job->n_feeds ? job->feeds[rp->feed].path : "?");
        folio_buf_putc(b, ':');
        folio_buf_put_int(b, rp->line);
        folio_buf_puts(b, ": ");
        folio_buf_puts(b, rp->key);
        folio_buf_putc(b, ' ');
        folio_buf_puts(b, rp->offer_id);
        folio_buf_putc(b, ' ');
        size_t n = folio_date_format(rp->date, "YYYY-MM-DD", d, sizeof d);
        folio_buf_append(b, d, n);
        folio_buf_puts(b, ": ");
        folio_buf_puts(b, FOLIO_UPLIFT_REASONS[u->miss[i].reason]);
        folio_buf_putc(b, '\n');
    }
}
