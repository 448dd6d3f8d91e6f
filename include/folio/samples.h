/* SPDX-License-Identifier: Apache-2.0 */
/*
 * folio/samples.h -- realistic synthetic feeds and a job file that runs them.
 *
 * samples_generate() writes into out_dir:
 *   customers.csv, {checking,savings,credit_card,mortgage}_accounts.csv,
 *   {checking,savings,credit_card,mortgage}_transactions.csv, job.yaml
 * The same (households, seed) always gives byte-identical files, whatever the
 * thread count.  With with_errors, one bad row of each kind is written near the
 * top of the files and listed in expected_rejects.csv (file,line,kind,key) so
 * tests can assert each reject.  job.yaml is written last: its presence means
 * the feeds are complete.
 */
#ifndef FOLIO_SAMPLES_H
#define FOLIO_SAMPLES_H

#include "folio/common.h"

typedef struct folio_samples_options {
    uint64_t households;
    uint64_t seed;
    int threads;                  /* 0 = all cores */
    const char *layout_path;      /* written into job.yaml; NULL = find layouts/statement.yaml */
    bool with_errors;             /* also write a few bad rows (for reject tests) */
} folio_samples_options;

/* Returns false with err set on I/O failure. Files are written under
 * temporary names and renamed when complete. */
bool samples_generate(const char *out_dir, const folio_samples_options *opt,
                      folio_error *err);

/* issue 15 part 5 (parts 1, 2): after samples_generate into out_dir, write
 * frequency.csv and events.csv and add them, `frequency:` and `stages:` to
 * out_dir/job.yaml (src/samples-journey.c).  Deterministic in (feeds, seed). */
bool samples_journey(const char *out_dir, uint64_t seed, folio_error *err);

#endif
