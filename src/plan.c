/* SPDX-License-Identifier: Apache-2.0 */
/*
 * plan.c -- the plan stage (plan.h): per account and household what is
 * printed, suppressed, routed (channel, language, stream) before anything is
 * composed.  compose_plan_new moved here from compose.c (issue 11 part 3).
 */
#include "folio/plan.h"
#include "folio/archive.h"
#include "folio/attrs.h"
#include "folio/codes.h"
#include "folio/currency.h"
#include "folio/ledger.h"
#include "folio/rules.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static bool is_liability(const folio_plan *p, const folio_account_plan *ap)
{
    return ap->product >= 0 &&
           p->layout->products[ap->product].balance == FOLIO_BALANCE_LIABILITY;
}

folio_plan *compose_plan_new(const folio_job *job, const folio_layout *layout,
                             const folio_dataset *ds, const folio_households *hs,
                             folio_error *err)
{
    folio_plan *p = calloc(1, sizeof *p);
    if (!p) {
        folio_error_set(err, FOLIO_EXIT_FAILED, "out of memory");
        return NULL;
    }
    p->job = job;
    folio_arena_init(&p->reasons, 16 * 1024);
    p->layout = layout;
    p->ds = ds;
    p->hs = hs;
    p->accounts = calloc(ds->n_accounts ? ds->n_accounts : 1, sizeof *p->accounts);
    p->households = calloc(hs->n ? hs->n : 1, sizeof *p->households);
    if (!p->accounts || !p->households) {
        compose_plan_free(p);
        folio_error_set(err, FOLIO_EXIT_FAILED, "out of memory");
        return NULL;
    }
    char d0[16], d1[16];
    folio_date_format(job->period_start, "YYYY-MM-DD", d0, sizeof d0);
    folio_date_format(job->period_end, "YYYY-MM-DD", d1, sizeof d1);

    for (size_t i = 0; i < ds->n_accounts; i++) {
        const folio_account *a = &ds->accounts[i];
        folio_account_plan *ap = &p->accounts[i];
        ap->product = layout_product_find(layout, a->product);
        /* transactions are sorted by date within the account */
        uint32_t lo = a->first_txn, hi = a->first_txn + a->n_txn;
        uint32_t s = lo, e = hi;
        while (s < hi && ds->txns[s].date < job->period_start)
            s++;
        while (e > s && ds->txns[e - 1].date > job->period_end)
            e--;
        ap->first = s;
        ap->n = e - s;
        ap->n_outside = (s - lo) + (hi - e);
        /* every sum checked: the loader rejected the rows whose account
           totals overflow, what still does not fit fails the run */
        folio_money net = 0;
        bool ok = true;
        for (uint32_t k = lo; k < hi; k++) {
            folio_money amt = ds->txns[k].amount;
            if (k >= s && k < e)
                ok &= folio_money_add(&net, amt) &&
                      (amt < 0 ? folio_money_sub(&ap->debits, amt)
                               : folio_money_add(&ap->credits, amt));
            else
                ok &= folio_money_add(&ap->outside_sum, amt);
        }
        bool liab = is_liability(p, ap);
        ap->closing = a->closing_balance;
        folio_money derived = a->closing_balance;
        ok &= liab ? folio_money_add(&derived, net) : folio_money_sub(&derived, net);
        /* the running balance printed on every row, from the opening */
        folio_money bal = a->has_opening ? a->opening_balance : derived;
        for (uint32_t k = s; k < e && ok; k++)
            ok = liab ? folio_money_sub(&bal, ds->txns[k].amount)
                      : folio_money_add(&bal, ds->txns[k].amount);
        if (!ok) {
            folio_error_set(err, FOLIO_EXIT_FAILED,
                            "%s:%u: amount sum overflows: the totals or running balance of "
                            "account '%s' leave the representable range (no statement "
                            "prints a wrapped figure)",
                            job->feeds[a->feed].path, a->line, a->id);
            compose_plan_free(p);
            return NULL;
        }
        /* the opening printed, and the job's ledger policy when the bank's
           figures do not add up (issue 10 part 3, ledger.c) */
        if (!ledger_plan_account(p, i, derived, net, err)) {
            compose_plan_free(p);
            return NULL;
        }
    }

    for (size_t h = 0; h < hs->n; h++) {
        const folio_household *hh = &hs->v[h];
        folio_household_plan *hp = &p->households[h];
        const folio_customer *primary = &ds->customers[hs->customer_idx[hh->first_customer]];
        switch (primary->delivery) {
        case FOLIO_DELIVERY_EMAIL: hp->channel = FOLIO_CHANNEL_EMAIL; break;
        case FOLIO_DELIVERY_BOTH: hp->channel = FOLIO_CHANNEL_BOTH; break;
        case FOLIO_DELIVERY_NONE:
            hp->channel = FOLIO_CHANNEL_SUPPRESSED;
            hp->reason = "delivery preference is none";
            break;
        default: hp->channel = FOLIO_CHANNEL_PRINT; break;
        }
        channel_route(p, h);   /* job channel rules, e-mail fallback (channels.c) */
        for (uint32_t k = 0; k < hh->n_accounts; k++)
            if (!p->accounts[hs->account_idx[hh->first_account + k]].suppressed)
                hp->n_accounts_printed++;
        if (hp->channel != FOLIO_CHANNEL_SUPPRESSED && hp->n_accounts_printed == 0) {
            hp->channel = FOLIO_CHANNEL_SUPPRESSED;
            hp->reason = hh->n_accounts ? "every account of the household is suppressed"
                                        : "household holds no account";
        }
    }
    return p;
}

void compose_plan_free(folio_plan *p)
{
    if (!p)
        return;
    folio_arena_free(&p->reasons);
    free(p->accounts);
    free(p->households);
    free(p);
}
