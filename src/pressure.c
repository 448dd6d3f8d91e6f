/* SPDX-License-Identifier: Apache-2.0 */
/*
 * pressure.c -- issue 15 part 3: contact pressure across everything folio
 * sends a household, and the retirement of variants (issue 15 part 4).
 *
 * The household cap (offers.household_cap: {times, days}) counts, per
 * household, the rows of the contact history keyed by the household id or
 * any of its customers' ids dated within `days` before the statement date
 * (any offer, known to the catalogue or not, of any kind; held-out rows are
 * no contact), plus this run's communications: the e-mail notification of
 * an e-delivered statement and every offer placed so far on the statement.
 * offers-fill.c withholds a marketing offer or feedback request once the
 * count has reached `times` (service messages are never withheld, they
 * count).  The per-household figures land in o->press for the manifest's
 * histogram and withheld counts (manifest.c).
 */
#include "offers-private.h"

#include <string.h>

/* the contact rows of key: [*lo, *hi) in o->contacts */
void offers_contact_range(const folio_offers *o, const char *key, size_t *lo_out, size_t *hi_out)
{
    const folio_dataset *ds = o->ds;
    size_t lo = 0, hi = o->n_contacts;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (strcmp(ds->contacts[o->contacts[mid]].key, key) < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    size_t e = lo;
    while (e < o->n_contacts && !strcmp(ds->contacts[o->contacts[e]].key, key))
        e++;
    *lo_out = lo;
    *hi_out = e;
}

const char *offers_member_key(const folio_offers *o, const folio_household *h, uint32_t k)
{
    if (k == 0)
        return h->id;
    return o->ds->customers[o->hs->customer_idx[h->first_customer + k - 1]].id;
}

unsigned pressure_history(const folio_offers *o, size_t hh)
{
    if (!o->ds || !o->hh_cap_days)
        return 0;
    const folio_household *h = &o->hs->v[hh];
    unsigned n = 0;
    for (uint32_t k = 0; k <= h->n_customers; k++) {
        const char *key = offers_member_key(o, h, k);
        if (k && !strcmp(key, h->id))
            continue;                   /* a customer id equal to the household id */
        size_t lo, hi;
        offers_contact_range(o, key, &lo, &hi);
        for (size_t i = lo; i < hi; i++) {
            const folio_contact *c = &o->ds->contacts[o->contacts[i]];
            if (!c->holdout && c->date <= o->today && o->today - c->date < o->hh_cap_days)
                n++;
        }
    }
    return n;
}

bool pressure_feedback_recent(const folio_offers *o, size_t hh, int days)
{
    if (!o->ds)
        return false;
    const folio_household *h = &o->hs->v[hh];
    for (uint32_t k = 0; k <= h->n_customers; k++) {
        size_t lo, hi;
        offers_contact_range(o, offers_member_key(o, h, k), &lo, &hi);
        for (size_t i = lo; i < hi; i++) {
            uint32_t ci = o->contacts[i];
            const folio_contact *c = &o->ds->contacts[ci];
            int16_t of = o->contact_offer[ci];
            if (of >= 0 && o->v[of].kind == FOLIO_OFFER_FEEDBACK && !c->holdout &&
                c->date <= o->today && o->today - c->date < days)
                return true;
        }
    }
    return false;
}

unsigned offers_pressure(const folio_offers *o, size_t hh, int what)
{
    if (!o || !o->press || hh >= o->memo_n || what < 0 || what >= FOLIO_PRESS_N)
        return 0;
    return o->press[hh * FOLIO_PRESS_N + (size_t)what];
}

bool offers_retire(folio_offers *o, const char *offer, const char *variant)
{
    for (int i = 0; i < o->n; i++) {
        off_offer *of = &o->v[i];
        if (strcmp(of->id, offer))
            continue;
        int live = 0, at = -1;
        for (int v = 0; v < of->n_variants; v++) {
            live += !of->variants[v].retired;
            if (of->variants[v].id && !strcmp(of->variants[v].id, variant))
                at = v;
        }
        if (at < 0 || of->variants[at].retired || live <= 1)
            return false;
        of->variants[at].retired = true;
        return true;
    }
    return false;
}
