/* SPDX-License-Identifier: Apache-2.0 */
/*
 * folio/partition.h -- issue 12 part 2: `folio partition JOB --shards N --out DIR`.
 *
 * Cuts a job's feeds into N complete feed sets, one per shard, so that each
 * cluster task reads only its share.  A household falls wholly in one shard,
 * the shard `folio run --shard I/N` on the full feeds would choose: the
 * customers, accounts and holders feeds are loaded and grouped exactly as a
 * run does (household_group: id, shared accounts, address key), and shard I
 * holds the households whose id hashes to I (folio_shard_of).  Every other
 * row follows its key: a transaction or an account attribute its account, a
 * customer attribute its customer, a contact its household or customer.  A
 * row whose key names nothing the run would accept (it will be rejected)
 * goes to the shard of the row it collides with (a duplicate id) or else to
 * shard 1: every input row lands in exactly one shard, so a reject is
 * reported once, by one shard.
 *
 * DIR/partition.json      the partition: job, N, per feed rows per shard
 * DIR/sII/job.yaml        the job with its feeds at feeds/NAME (same base
 *                         names, so rejects.csv names the same files), the
 *                         layout and catalogue by absolute path, output.dir out
 * DIR/sII/feeds/NAME      the shard's rows, header first, bytes as read
 * DIR/sII/feeds/NAME.lines  for each line of the shard's file, the line of
 *                         the full file it came from (uint32 little-endian):
 *                         `folio merge` names rejects by their real line
 * DIR/sII/shard.json      {"index": I, "count": N, "partition": ID}
 *                         (ID: partition.json's "id"; partition.json also
 *                         records each shard file's bytes and SHA-256)
 *
 * Run each shard with `folio run DIR/sII/job.yaml --shard I/N`.
 */
#ifndef FOLIO_PARTITION_H
#define FOLIO_PARTITION_H
#include "folio/common.h"

typedef struct folio_partition_options {
    const char *job_path;
    const char *out_dir;
    int shards;                   /* N >= 1 */
    int threads;                  /* loading customers/accounts/holders; 0 = all */
} folio_partition_options;

typedef struct folio_partition_report {
    uint64_t bytes, records;      /* of every feed */
    uint64_t households;
    double seconds, load_seconds, split_seconds;
    double split_cpu_seconds;     /* CPU time of the split (one thread) */
} folio_partition_report;

/* Returns a FOLIO_EXIT_* code (0 on success); on 1 or 2 err says why. */
int folio_partition(const folio_partition_options *o, folio_partition_report *rep,
                    folio_error *err);

/* r-harden (round 27): before `folio run JOB --shard I/N`.  When JOB is a
 * shard's job (JOB's directory holds shard.json) the shard must be
 * shard_index/shard_count (0/0: no --shard) of a complete partition
 * (partition.json there, no .partition-incomplete), and the job's feeds
 * exactly this shard's feeds/ files with the sizes and SHA-256 that
 * partition.json records.  FOLIO_EXIT_OK, or FOLIO_EXIT_USAGE (1 when a
 * file cannot be read) with err naming the file (src/partition-check.c). */
int folio_partition_check_shard(const char *job_path, int shard_index, int shard_count,
                                folio_error *err);

/* The 0-based shard of a household id among n: the FNV-1a hash of the id
 * modulo n -- the rule of `folio run --shard` (src/run.c). */
int folio_shard_of(const char *household_id, int n);

#endif
