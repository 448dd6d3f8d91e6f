/* SPDX-License-Identifier: Apache-2.0 */
/*
 * samples-private.h -- static tables behind `folio samples` (samples-data.c).
 *
 * Every table is a plain array plus its length.  The values were chosen by
 * hand to look like a US retail bank's customer base: common US names, names
 * with accents and apostrophes, real US city / state / ZIP pairs (each ZIP
 * appears once, so a house number + street + ZIP is unique), a few foreign
 * addresses, merchants, billers and employers.  Nothing is read at run time.
 */
#ifndef FOLIO_SAMPLES_PRIVATE_H
#define FOLIO_SAMPLES_PRIVATE_H

#include <stdint.h>

/* A group of names of one origin: given names by sex and family names. */
typedef struct samples_name_group {
    const char *const *female; int n_female;
    const char *const *male;   int n_male;
    const char *const *last;   int n_last;
    int weight;                /* relative frequency among non-Spanish households */
} samples_name_group;

extern const samples_name_group samples_name_groups[];
extern const int samples_n_name_groups;
extern const samples_name_group samples_hispanic_names;

typedef struct samples_city {
    const char *city, *state, *zip;
} samples_city;

extern const samples_city samples_us_cities[];
extern const int samples_n_us_cities;

extern const char *const samples_streets[];
extern const int samples_n_streets;
extern const char *const samples_street_types[];   /* [0] is "Street" */
extern const int samples_n_street_types;

/* Foreign addresses: street written after (number_first=0) or before the
 * house number. */
typedef struct samples_foreign {
    const char *country, *city, *state, *postal;
    const char *street;
    int number_first;
    int spanish;
} samples_foreign;

extern const samples_foreign samples_foreign_addrs[];
extern const int samples_n_foreign_addrs;

/* A merchant: name, amount range in cents, store_no: 1 = a store number
 * follows, 2 = a subscription charged at either min or max. */
typedef struct samples_merchant {
    const char *name;
    int32_t min_cents, max_cents;
    int store_no;
} samples_merchant;

extern const samples_merchant samples_local_merchants[];
extern const int samples_n_local_merchants;
/* Online merchants: the name already holds the city/state; '*' followed by
 * '%' in the name is replaced by a random reference. */
extern const samples_merchant samples_online_merchants[];
extern const int samples_n_online_merchants;
extern const samples_merchant samples_billers[];
extern const int samples_n_billers;
extern const samples_merchant samples_foreign_merchants[];
extern const int samples_n_foreign_merchants;

extern const char *const samples_employers[];
extern const int samples_n_employers;
extern const char *const samples_email_domains[];
extern const int samples_n_email_domains;

/* issue 15 part 5 (src/samples-uplift.c): offer_history.csv, responses.csv
 * with a planted uplift, and uplift.yaml (job_text: job.yaml's text). */
#include <stdbool.h>
#include <stddef.h>
struct folio_error;
bool samples_uplift_write(const char *out_dir, const char *job_text, size_t job_len,
                          uint64_t seed, uint64_t households, uint64_t (*hh_number)(uint64_t),
                          struct folio_error *err);

#endif
