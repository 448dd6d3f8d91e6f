/* SPDX-License-Identifier: Apache-2.0 */
/*
 * folio/merge.h -- issue 12 part 3: `folio merge SHARD_OUT... --out DIR`.
 *
 * One job ticket for a mailing run as N shards (`folio run --shard I/N`, on
 * the full feeds or on `folio partition`'s shard jobs).  DIR gets:
 *
 *   manifest.json        "merged": every shard (index, directory, every file
 *                        of its OUT with bytes and SHA-256 -- its manifest
 *                        too), the totals (every number of the shards'
 *                        `counts` and `control_totals` summed, whatever keys
 *                        they hold), the reconciliation across shards (each
 *                        shard 1..N once and balanced; per feed: the
 *                        partition's rows = the shards' rows, rejected rows
 *                        = rows of the merged rejects.csv; households; piece
 *                        ids and IMb serials unique) and next_serial_start
 *   rejects.csv          every shard's rejects once, named by the full
 *                        feed's file and line (partition's .lines maps),
 *                        in (feed, line) order; shards on the full feeds
 *                        all reject the same rows: taken from one shard
 *   contact_history.csv  the contacts the job read, once, then every
 *                        shard's new rows in household order: what an
 *                        unsharded run writes
 *   proofs/proofs.json   one proof sample over all shards' coverage keys
 *                        (greedy: the household covering most keys not yet
 *                        covered, then the lower id), each household named
 *                        with its shard, print file and pages there
 *   proofs/proof.pdf     issue 12 part 3: that sample rendered again from
 *                        the shards (src/merge-proofs.c): the unsharded
 *                        run's pages; a shard input missing or changed is
 *                        exit 2
 *
 * Mail streams are not concatenated: each shard's print files are presorted
 * within the shard and the manifest lists them all (docs/scale-out.md).
 * `folio verify DIR` re-hashes every listed file, verifies each shard's OUT
 * and recomputes the totals.
 */
#ifndef FOLIO_MERGE_H
#define FOLIO_MERGE_H
#include "folio/common.h"

typedef struct folio_merge_options {
    const char *const *shard_dirs;
    int n_shards;
    const char *out_dir;
} folio_merge_options;

typedef struct folio_merge_report {
    int shards;
    uint64_t files, households, rejects, contacts_new, proof_households;
    uint64_t next_serial_start;
    bool balanced;
} folio_merge_report;

/* FOLIO_EXIT_OK, _REJECTS (rows rejected or exceptions listed in a shard),
 * _USAGE (shards missing, doubled, of other counts) or _FAILED (I/O,
 * reconciliation does not balance: nothing is written as manifest.json). */
int folio_merge(const folio_merge_options *o, folio_merge_report *rep, folio_error *err);

#endif
