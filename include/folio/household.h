/* SPDX-License-Identifier: Apache-2.0 */
/*
 * folio/household.h -- grouping customers and their accounts into households.
 *
 * A customer with a household id belongs to that household.  A customer
 * without one is placed by its normalised address key (household_address_key):
 * if another customer with an id has the same key the customer joins that
 * household, else all id-less customers sharing the key form a household whose
 * id is "A-" followed by the first 16 hex digits of the key's SHA-256.
 *
 * Households come out sorted by id (bytewise), customers inside by
 * (feed, line), accounts by the product order given (then account id), so the
 * result does not depend on input order or thread count.
 *
 * The primary customer (first in the household) decides the delivery channel
 * and the language.
 */
#ifndef FOLIO_HOUSEHOLD_H
#define FOLIO_HOUSEHOLD_H

#include "folio/feed.h"

/* Which rule made a household (issue 10 part 2; audit "household_by"). */
enum { FOLIO_HH_BY_ID = 0, FOLIO_HH_BY_SHARED, FOLIO_HH_BY_ADDRESS, FOLIO_HH_BY_CUSTOMER };
/* "id", "shared_accounts", "address", "customer" */
const char *household_by_name(int by);

typedef struct folio_household {
    const char *id;
    bool derived;                 /* id derived (address key or shared accounts) */
    uint32_t first_customer, n_customers;   /* range into hs->customer_idx */
    uint32_t first_account, n_accounts;     /* range into hs->account_idx */
} folio_household;

typedef struct folio_households {
    folio_household *v; size_t n;
    uint32_t *customer_idx;       /* indexes into ds->customers */
    uint32_t *account_idx;        /* indexes into ds->accounts */
    char *ids;                    /* storage for derived ids */
    uint8_t *by;                  /* issue 10 part 2: per household, FOLIO_HH_BY_*
                                     (household_by_name); NULL = all "id" */
} folio_households;

/* The rule that formed household h (FOLIO_HH_BY_ID when hs->by is NULL). */
static inline int household_by(const folio_households *hs, size_t h)
{
    return hs->by ? hs->by[h] : FOLIO_HH_BY_ID;
}

/* Normalised address key of a customer: upper-case ASCII letters/digits of
 * address1, address2 and postal code (first 5 chars for US ZIP+4) and country,
 * punctuation dropped, whitespace collapsed, street types abbreviated (STREET->ST,
 * AVENUE->AVE, ...; see src/household.c).  Writes a NUL-terminated key into buf, returns
 * its length. */
size_t household_address_key(const folio_customer *c, char *buf, size_t cap);

/* Group.  product_order lists product codes in statement order; products not
 * listed come after, in code order. */
bool household_group(const folio_dataset *ds, const char *const *product_order,
                     int n_products, folio_households *out, folio_error *err);
void household_free(folio_households *hs);

#endif
