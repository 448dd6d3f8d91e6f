/* SPDX-License-Identifier: Apache-2.0 */
/*
 * manifest.h -- manifest.json of a run (manifest.c).
 */
#ifndef FOLIO_MANIFEST_H
#define FOLIO_MANIFEST_H

#include "run-private.h"

/* Write OUT/manifest.json.part from the run's state, the totals and the
 * reconciliation (checks_json: the checks as JSON objects, comma-separated).
 * Returns false with err set (a record file unreadable, out of memory, a
 * write error). */
bool write_manifest(run_state *R, const totals *T, bool balanced,
                    const char *checks_json, folio_error *err);

/* "k":"v" with JSON escaping, and a comma after it when comma is set. */
void json_kv_str(folio_buf *b, const char *k, const char *v, bool comma);

/* issue 15 parts 3/4 (src/manifest-contacts.c): the manifest's
 * "contact_pressure" and, with a responses feed, "uplift" objects, each
 * opened with "},\n  \"name\":{" and left open like manifest_offers. */
void manifest_contacts(run_state *R, folio_buf *b);

/* The statements showing each paragraph of the layout's library
 * (shown[n], zeroed by the caller); false when the keys cannot be read. */
bool manifest_paragraphs_shown(const run_state *R, uint64_t *shown, const int *cancel);

#endif
