/* SPDX-License-Identifier: Apache-2.0 */
/*
 * folio/holders.h -- issue 10 part 2 (link tables) and part 7 (undeliverable).
 *
 * Holders.  A `holders` feed links accounts and customers many-to-many: one
 * row per (account id, customer id, role).  The role column holds the
 * export's own code (berka's OWNER / DISPONENT); the feed's `roles:` map
 * translates each code to one of folio's roles; a code the map does not
 * list is a reject naming the codes it does list.  Without a `roles:` map
 * the column must hold folio's own role names.
 *
 * Owner.  An account's owner is its accounts feed `customer_id` column when
 * that is mapped, else the holder with role `owner`.  An account without an
 * owner (no column, no owner holder) is a reject of the account row -- a
 * statement must be addressed to someone.  A second owner of one account is
 * a reject of the later holder row (joint owners use role `joint`).
 *
 * Households (household_group, household.c): a household id column wins;
 * else customers linked through shared accounts (connected components of the
 * customer-account graph, union-find, deterministic) form one household; a
 * customer who shares no account with anyone is placed by the normalised
 * address key.  folio_household.by records which rule made each household.
 *
 * Outcomes (holders_route, undeliverable.c): after planning, a household over
 * the job's size limit is suppressed (exception oversize_household), and a
 * print household whose primary customer has no usable address (no line 1,
 * or no postal code where its country uses one) goes to the job's
 * `undeliverable` outcome: suppressed with the reason, or a return-to-bank
 * statement addressed to the bank in the stream "return" (exception
 * undeliverable).  Nothing is printed with a blank address block.
 */
#ifndef FOLIO_HOLDERS_H
#define FOLIO_HOLDERS_H

#include "folio/common.h"

struct yt_doc;
struct yt_node;
struct folio_job;
struct folio_feed_def;
struct folio_plan;
struct folio_exceptions;
struct folio_customer;

typedef enum folio_role {
    FOLIO_ROLE_NONE = 0,          /* holds no account */
    FOLIO_ROLE_OWNER,
    FOLIO_ROLE_JOINT,
    FOLIO_ROLE_AUTHORISED,        /* "authorised_user" */
    FOLIO_ROLE_DISPONENT,
    FOLIO_ROLE__COUNT
} folio_role;

/* "", "owner", "joint", "authorised_user", "disponent". */
const char *folio_role_name(int role);
/* folio's role name (case-insensitive; "authorized_user" accepted) -> role,
 * FOLIO_ROLE_NONE when it is none of them. */
int folio_role_from_name(const char *s, size_t n);

typedef struct folio_holder {
    const char *account_id, *customer_id;
    uint32_t account, customer;   /* indexes (resolved) */
    uint8_t role;                 /* folio_role */
    uint16_t feed;
    uint32_t line;
} folio_holder;

/* One code of a holders feed's `roles:` map. */
typedef struct folio_role_code {
    char *code;                   /* the export's value, compared exactly */
    uint8_t role;
} folio_role_code;

/* The role of a holders row's role value under the feed's map:
 * FOLIO_ROLE_NONE when unknown. */
int holders_role_lookup(const struct folio_feed_def *def, const char *s, size_t n);
/* "OWNER, DISPONENT" (the map's codes) or folio's names: for reject reasons. */
void holders_role_codes(const struct folio_feed_def *def, char *buf, size_t cap);

/* The holders rows of account `account` (ds->holders is sorted by account):
 * *first gets the first, returns the count (0 when none).  The owner may be
 * among them (when it came from a holder row) or not (customer_id column). */
struct folio_dataset;
size_t holders_of_account(const struct folio_dataset *ds, uint32_t account,
                          const folio_holder **first);
/* "owner", "joint", "authorised user", "disponent": a role as printed. */
const char *folio_role_label(int role);

/* Undeliverable outcome (job key households.undeliverable). */
typedef enum folio_undeliverable {
    FOLIO_UNDELIVERABLE_SUPPRESS = 0,
    FOLIO_UNDELIVERABLE_RETURN
} folio_undeliverable;

#define FOLIO_HOUSEHOLD_MAX_DEFAULT 12
#define FOLIO_RETURN_STREAM "return"

/* Job reading (job.c call sites). */
bool holders_feed_read(struct yt_doc *d, struct folio_feed_def *f,
                       const struct yt_node *feed, const char *where);
void holders_feed_free(struct folio_feed_def *f);
/* The top-level `households:` map (defaults when absent); with
 * `undeliverable: return` the stream "return" is put first in the job's
 * mail streams. */
bool holders_job_read(struct yt_doc *d, const struct yt_node *root, struct folio_job *job);

/* Does the customer's address reach a letterbox?  false with *why ("no
 * address line 1", "no postal code (country XX uses postal codes)"). */
bool holders_address_usable(const struct folio_customer *c, const char **why);

/* Oversize and undeliverable households (see above): changes the plan's
 * channels and adds the exceptions.  Returns false on out of memory. */
bool holders_route(struct folio_plan *plan, struct folio_exceptions *x, folio_error *err);

#endif
