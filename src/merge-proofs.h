/* SPDX-License-Identifier: Apache-2.0 */
/*
 * merge-proofs.h -- issue 12 part 3 (r-merge): the merged proof sample
 * rendered into one OUT/proofs/proof.pdf (merge-proofs.c).
 */
#ifndef FOLIO_MERGE_PROOFS_H
#define FOLIO_MERGE_PROOFS_H

#include "folio/proof.h"

typedef struct merge_proofs_pick {
    const char *household, *keys;   /* keys over all shards ("k\n"...) */
    int shard;                      /* 1-based */
} merge_proofs_pick;

typedef struct merge_proofs_result {
    bool written;                   /* proofs are on in the job: proof.pdf is there */
    uint32_t pages;
    uint32_t *first_page, *cover_pages, *statement_pages;   /* per pick */
} merge_proofs_result;

/* Render the picks of cover c (picks[i] is c's pick i) into out/proofs/
 * proof.pdf, as an unsharded run would: each shard's picks by a proof-only
 * run of jobs[shard-1] (--shard I/N) in a scratch directory out/.proof-work
 * (removed after).  A shard whose job, layout or feeds cannot be read is
 * a job error (exit 2) naming the shard and the path.  r is zeroed by the
 * caller; free with merge_proofs_free. */
bool merge_proofs_render(const char *out, const char *const *jobs, int n_shards,
                         const folio_proof_cover *c, const merge_proofs_pick *picks,
                         merge_proofs_result *r, folio_error *err);
void merge_proofs_free(merge_proofs_result *r);

/* Remove dir and everything under it, following no symbolic link (a link,
 * dir itself included, is removed as a link): merge's scratch directories
 * (.proof-work, .merge-work), also a killed merge's leftovers. */
void merge_rm_tree(const char *dir);

#endif
