/* SPDX-License-Identifier: Apache-2.0 */
/*
 * run-outputs.h -- the run's outputs in OUT (run-outputs.c).
 */
#ifndef FOLIO_RUN_OUTPUTS_H
#define FOLIO_RUN_OUTPUTS_H

#include "run-private.h"

/* True when MANIFEST (OUT/manifest.json) is absent or was written by this
 * same shard (or unsharded run); else err (exit 2) names both. */
bool same_shard_or_new(run_state *R, const char *manifest, folio_error *err);

/* Every file the run reads (job, layout, paragraphs, offers, feeds, fonts)
 * lies outside what it writes in OUT; else a job error. */
bool check_inputs(run_state *R, folio_error *err);

/* The publish list (calloc'd, the caller frees): every output, .part and
 * final name; rec[5] holds the record files' paths.  NULL when out of
 * memory. */
folio_pub_item *publish_items(run_state *R, char rec[][2][4200], size_t *n_out);

/* Remove the .part names of the print files and their pieces files. */
void unlink_parts(run_state *R);

/* A failed run: remove every .part name it may have written. */
void discard_parts(run_state *R);

#endif
