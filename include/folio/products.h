/* SPDX-License-Identifier: Apache-2.0 */
/*
 * folio/products.h -- the export's product codes mapped to the layout's
 * product kinds (issue 10 part 6).
 *
 * `products: {girokonto: checking, kreditkarte: credit_card}` in the job maps
 * each product code of the accounts feeds to a product of the layout.  Once
 * bound to the layout (products_bind(), before the feeds are read), every
 * account's product must be known: through the map when the job has one,
 * else as a layout product code itself.  An account whose product nothing
 * maps is a reject naming the code; a feed whose fixed `product:` is unknown
 * is a job error.  There is no default kind: a card is never printed as a
 * deposit account.
 */
#ifndef FOLIO_PRODUCTS_H
#define FOLIO_PRODUCTS_H

#include "folio/common.h"

struct folio_job;
struct folio_layout;
struct yt_doc;
struct yt_node;

typedef struct folio_products {
    char **code;                  /* as written in the export */
    char **kind;                  /* a layout product code */
    int *line, *col;              /* of each entry in the job file */
    int n;
    bool from_job;                /* the job has a products: map (else the layout's codes) */
} folio_products;

/* Read the job's top-level `products:` map (absent: *out stays NULL). */
bool products_read(struct yt_doc *d, const struct yt_node *root, folio_products **out);
void products_free(folio_products *p);

/* Check the map against the layout (every kind a layout product), build the
 * identity map from the layout when the job has none, and check each
 * accounts feed's fixed `product:`.  Sets every accounts feed's
 * def->products.  False with err (FOLIO_EXIT_USAGE, "job:line:col: ...").
 * Call once after job_load and layout_load, before the feeds are read. */
bool products_bind(struct folio_job *job, const struct folio_layout *layout,
                   folio_error *err);

/* The layout kind of export code s[0..n), NULL when nothing maps it. */
const char *products_kind(const folio_products *p, const char *s, size_t n);

#endif
