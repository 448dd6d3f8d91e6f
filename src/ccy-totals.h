/* SPDX-License-Identifier: Apache-2.0 */
/*
 * ccy-totals.h -- money outside the page, per currency (issue 10 part 6,
 * remaining gaps): the manifest's control totals, the reconciliation's
 * amount checks and every record file amount are kept per ISO 4217
 * currency and written with that currency's minor unit (JPY 0, EUR 2,
 * BHD 3), never summed across currencies (ccy-totals.c).
 *
 * A transaction counts in its account's currency; a transaction rejected
 * because its account is unknown (or was rejected) counts in its feed's
 * currency (dialect.currency, else bank.currency).
 */
#ifndef FOLIO_CCY_TOTALS_H
#define FOLIO_CCY_TOTALS_H

#include "run-private.h"

typedef struct ccy_sum {
    char code[4];                 /* ISO 4217 */
    int md;                       /* its minor digits */
    folio_money read, rejected, loaded;   /* feeds: read = loaded + rejected */
    folio_money shard, composed, suppressed;   /* the shard's households */
} ccy_sum;

typedef struct ccy_totals {
    ccy_sum *v;                   /* sorted by code */
    int n, cap;
    const char *overflow;         /* the first sum that overflowed, or NULL */
    bool failed;                  /* out of memory */
} ccy_totals;

/* Money field of a ccy_sum, for the writers below. */
typedef enum { CCY_READ, CCY_REJECTED, CCY_LOADED, CCY_SHARD, CCY_COMPOSED,
               CCY_SUPPRESSED } ccy_field;

/* The per-currency totals of the run: of feed `feed` only (read, rejected,
 * loaded), or with feed < 0 of every feed and the shard's households
 * (shard, composed and suppressed as audit.jsonl and suppressed.csv list
 * them).  False with err set when a sum overflows or memory runs out. */
bool ccy_totals_compute(const run_state *R, int feed, ccy_totals *C, folio_error *err);
/* issue 12 part 1 (round 25): the run's totals (feed < 0 above) into C and
 * each transactions feed's into F[f] (have[f] true; F and have: one per
 * job feed), in one scan of the rows instead of one per feed; a feed whose
 * totals fail is left out (have[f] false: ccy_totals_compute reports it).
 * Returns what ccy_totals_compute(R, -1, C, err) would. */
bool ccy_totals_compute_each(const run_state *R, ccy_totals *C, ccy_totals *F, bool *have,
                             folio_error *err);
void ccy_totals_free(ccy_totals *C);

/* The entry of `code` (its first 3 letters), added zeroed in code order
 * when new; NULL (C->failed) when out of memory. */
ccy_sum *ccy_entry(ccy_totals *C, const char *code);

/* "key":{"EUR":1.50,"JPY":120,...} (every currency of C, in code order);
 * a comma after it when comma is set. */
void ccy_json_member(folio_buf *b, const char *key, const ccy_totals *C, ccy_field f,
                     bool comma);

/* The reconciliation's amount checks, one pair per currency: "amount read -
 * rejected = amount loaded (EUR)" and "amount = composed + suppressed
 * (EUR)" (JSON objects appended to cj after a comma); *balanced false when
 * one does not hold. */
void ccy_checks(const ccy_totals *C, bool sharded, folio_buf *cj, bool *balanced);

/* An amount of `code`, held in its minor unit, as a plain number with the
 * currency's minor digits ("-1234.50" EUR, "120" JPY, "1.250" BHD) into buf
 * (cap >= 40); an unknown code gets 2. */
size_t ccy_amount_str(const char *code, folio_money m, char *buf, size_t cap);

#endif
