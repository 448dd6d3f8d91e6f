/* SPDX-License-Identifier: Apache-2.0 */
/*
 * folio/uplift.h -- issue 15 part 4: measured uplift of offers.
 *
 * A `responses` feed (response_key = household or customer id, offer_id,
 * optional variant and outcome, response_date) is matched to the contact
 * history (the `contacts` feed, usually last run's OUT/contact_history.csv,
 * whose rows with channel "holdout" are the offer's held-out households):
 * a response belongs to the latest contact of the same key and offer dated
 * on or before it, when it falls within `attribution_days` of that contact
 * and its variant (when given) is the contact's ("holdout" or empty for a
 * held-out row).  Every other response is counted and listed with its reason
 * (no matching contact, before the first contact, outside the attribution
 * window, variant mismatch); a second response to a contact already
 * answered is counted as a repeat.
 *
 * Per offer and variant: contacts, responders (contacts with at least one
 * attributed response), the rate, the offer's holdout rate, the absolute
 * uplift (rate - holdout rate) with Newcombe's hybrid score 95% interval
 * (method 10 of Newcombe 1998, Wilson score intervals without continuity
 * correction), the relative uplift (absolute / holdout rate) and the sample
 * size per group needed to detect the observed difference (two-sided alpha
 * 0.05, power 0.8).  docs/offers.md gives the formulas and the rounding.
 */
#ifndef FOLIO_UPLIFT_H
#define FOLIO_UPLIFT_H

#include "folio/common.h"
#include "folio/feed.h"

#define FOLIO_UPLIFT_Z95 1.959963984540054      /* Phi^-1(0.975) */
#define FOLIO_UPLIFT_Z80 0.8416212335729143     /* Phi^-1(0.80) */

/* Wilson score interval of x successes in n trials at z (n > 0). */
void uplift_wilson(int64_t x, int64_t n, double z, double *lo, double *hi);

/* Newcombe's hybrid score interval (method 10) for p1 - p2 = x1/n1 - x2/n2
 * at 95%.  false when n1 or n2 is 0. */
bool uplift_newcombe(int64_t x1, int64_t n1, int64_t x2, int64_t n2, double *lo, double *hi);

/* Per-group sample size to detect p1 vs p2 (two-sided alpha 0.05, power
 * 0.8), rounded up; -1 when p1 == p2. */
int64_t uplift_sample_size(double p1, double p2);

/* One (offer, variant) group; variant "" for an offer without A/B test. */
typedef struct folio_uplift_row {
    const char *offer, *variant;
    int64_t contacts, responders;
    int64_t hold_contacts, hold_responders;   /* the offer's holdout */
    bool has_ci;                    /* contacts and hold_contacts > 0 */
    double rate, hold_rate, abs, lo, hi, rel;  /* rel: NaN when hold_rate is 0 */
    int64_t sample_size;            /* per group, -1 none */
    bool retire;                    /* the interval lies wholly below 0 */
    bool retired;                   /* ... and this run stopped showing it */
    const char *not_retired;        /* ... or why not (NULL) */
} folio_uplift_row;

typedef enum folio_uplift_reason {
    FOLIO_UPLIFT_NO_CONTACT = 0, FOLIO_UPLIFT_BEFORE_CONTACT, FOLIO_UPLIFT_OUTSIDE_WINDOW,
    FOLIO_UPLIFT_VARIANT_MISMATCH, FOLIO_UPLIFT_N_REASONS
} folio_uplift_reason;

typedef struct folio_uplift_miss {
    uint32_t response;              /* index into ds->responses */
    uint8_t reason;                 /* folio_uplift_reason */
} folio_uplift_miss;

typedef struct folio_uplift {
    int attribution_days;
    folio_uplift_row *rows; size_t n_rows;   /* by offer id, then variant */
    int64_t responses, matched, repeats;
    int64_t rejected;               /* rows of the responses feeds rejected on
                                     * reading (rejects.csv lists them) */
    int64_t unmatched[FOLIO_UPLIFT_N_REASONS];
    folio_uplift_miss *miss; size_t n_miss;  /* in feed order */
} folio_uplift;

extern const char *const FOLIO_UPLIFT_REASONS[FOLIO_UPLIFT_N_REASONS];

/* Match ds->responses to ds->contacts and compute every row.  NULL with err
 * on out of memory. */
folio_uplift *uplift_compute(const folio_dataset *ds, int attribution_days, folio_error *err);
void uplift_free(folio_uplift *u);

/* The result as one JSON object (docs/offers.md "Measured uplift"): rates
 * and bounds printed with %.6f, relative uplift with %.4f. */
void uplift_json(const folio_uplift *u, const folio_dataset *ds, const folio_job *job,
                 folio_buf *b);

/* The run's part (issue 15 part 4): when the job has a responses feed,
 * compute the uplift of ds; with offers.uplift.retire_below_control, retire
 * (offers_retire) every variant below its control.  *out NULL when the job
 * has no responses feed. */
struct folio_offers;
bool uplift_run(const folio_job *job, const folio_dataset *ds, struct folio_offers *offers,
                folio_uplift **out, folio_error *err);

/* The same members without the braces (the manifest's "uplift" object). */
void uplift_json_members(const folio_uplift *u, const folio_dataset *ds, const folio_job *job,
                         folio_buf *b);

/* A text table for people (the same figures, rates in percent). */
void uplift_text(const folio_uplift *u, const folio_dataset *ds, const folio_job *job,
                 folio_buf *b);

#endif
