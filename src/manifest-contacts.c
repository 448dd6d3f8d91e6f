/* SPDX-License-Identifier: Apache-2.0 */
/*
 * manifest-contacts.c -- issue 15 parts 3 and 4 in OUT/manifest.json:
 *
 *   "contact_pressure": the household cap (times, days or null), the
 *     distribution of contacts per household with a statement (suppressed
 *     households have none; the figure the cap compares:
 *     history inside the window, this run's notification and offers shown;
 *     "N": households with N contacts, ascending) and how many offers each
 *     cap withheld (offer_cap: the offer's own cap, feedback_quiet: the
 *     feedback request's quiet period, household_cap).
 *   "uplift": uplift_json_members (folio/uplift.h) of the responses read.
 */
#include "manifest.h"
#include "folio/uplift.h"

#include <stdlib.h>

void manifest_contacts(run_state *R, folio_buf *b)
{
    if (R->offers) {
        const folio_offers_options *oo = R->job->offers;
        uint64_t withheld[FOLIO_PRESS_N] = {0};
        uint64_t *hist = calloc(UINT16_MAX + 1u, sizeof *hist);
        if (!hist) {
            b->failed = true;
            return;
        }
        unsigned top = 0;
        for (size_t h = 0; h < R->hs.n; h++) {
            if (!R->in_shard[h] || !R->decided[h] ||   /* statements with offers chosen */
                R->plan->households[h].channel == FOLIO_CHANNEL_SUPPRESSED)
                continue;
            unsigned c = offers_pressure(R->offers, h, FOLIO_PRESS_CONTACTS);
            hist[c]++;
            if (c > top)
                top = c;
            for (int k = 1; k < FOLIO_PRESS_N; k++)
                withheld[k] += offers_pressure(R->offers, h, k);
        }
        folio_buf_puts(b, "},\n  \"contact_pressure\":{\"household_cap\":");
        if (oo->household_cap_times) {
            folio_buf_puts(b, "{\"times\":");
            folio_buf_put_int(b, oo->household_cap_times);
            folio_buf_puts(b, ",\"days\":");
            folio_buf_put_int(b, oo->household_cap_days);
            folio_buf_puts(b, "}");
        } else {
            folio_buf_puts(b, "null");
        }
        folio_buf_puts(b, ",\"contacts_per_household\":{");
        bool first = true;
        for (unsigned c = 0; c <= top; c++) {
            if (!hist[c])
                continue;
            if (!first)
                folio_buf_putc(b, ',');
            first = false;
            folio_buf_putc(b, '"');
            folio_buf_put_int(b, c);
            folio_buf_puts(b, "\":");
            folio_buf_put_int(b, (int64_t)hist[c]);
        }
        folio_buf_puts(b, "},\"withheld\":{\"offer_cap\":");
        folio_buf_put_int(b, (int64_t)withheld[FOLIO_PRESS_OFFER_CAP]);
        folio_buf_puts(b, ",\"feedback_quiet\":");
        folio_buf_put_int(b, (int64_t)withheld[FOLIO_PRESS_FEEDBACK_QUIET]);
        folio_buf_puts(b, ",\"household_cap\":");
        folio_buf_put_int(b, (int64_t)withheld[FOLIO_PRESS_HOUSEHOLD_CAP]);
        folio_buf_puts(b, "}");
        free(hist);
    }
    if (R->uplift) {
        folio_buf_puts(b, "},\n  \"uplift\":{");
        uplift_json_members(R->uplift, R->ds, R->job, b);
    }
}
