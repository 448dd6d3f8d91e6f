/*
 * cli-partition.c -- issue 12 part 2: `folio partition JOB --shards N --out DIR`
 * (folio/partition.h): argv, the summary and the exit message.
 */
#include "cli.h"

#include "folio/partition.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *const usage_partition =
    "usage: folio partition JOB.yaml --shards N --out DIR [--threads N]\n"
    "\n"
    "Cut the job's feeds into N feed sets, one per shard, each household wholly\n"
    "in the shard `folio run --shard I/N` would give it; writes DIR/sII/job.yaml\n"
    "and DIR/sII/feeds/ per shard and DIR/partition.json.  Run each shard with\n"
    "`folio run DIR/sII/job.yaml --shard I/N --out OUT_I`, then `folio merge`.\n"
    "\n"
    "  --shards N      number of shards (1 to 999)\n"
    "  --out DIR       where the shards go (empty or new directory)\n"
    "  --threads N     threads for loading customers and accounts (default: all)\n"
    "\n"
    "exit status: 0 success, 1 failed, 2 bad usage or bad job file.\n";

int cmd_partition(int argc, char **argv)
{
    folio_partition_options o = {0};
    for (int i = 0; i < argc; i++) {
        const char *a = argv[i];
        if (!strcmp(a, "--help") || !strcmp(a, "-h")) {
            fputs(usage_partition, stdout);
            return 0;
        } else if (!strcmp(a, "--shards") && i + 1 < argc) {
            char *e;
            long v = strtol(argv[++i], &e, 10);
            if (*e || v < 1 || v > 999)
                return bad_usage("--shards needs a number from 1 to 999", usage_partition);
            o.shards = (int)v;
        } else if (!strcmp(a, "--out") && i + 1 < argc) {
            o.out_dir = argv[++i];
        } else if (!strcmp(a, "--threads") && i + 1 < argc) {
            if (!parse_threads(argv[++i], &o.threads))
                return bad_usage("--threads needs a number from 1 to 1024", usage_partition);
        } else if (a[0] == '-') {
            char m[256];
            snprintf(m, sizeof m, "unknown option '%s'", a);
            return bad_usage(m, usage_partition);
        } else if (o.job_path) {
            return bad_usage("only one job file may be given", usage_partition);
        } else {
            o.job_path = a;
        }
    }
    if (!o.job_path)
        return bad_usage("missing JOB.yaml", usage_partition);
    if (!o.shards)
        return bad_usage("--shards N is required", usage_partition);
    if (!o.out_dir)
        return bad_usage("--out DIR is required", usage_partition);
    folio_error err = {0};
    folio_partition_report rep;
    int rc = folio_partition(&o, &rep, &err);
    if (rc != 0) {
        fprintf(stderr, "folio: %s\n", err.msg);
        return rc;
    }
    printf("partitioned %llu households, %llu records (%.1f MB) into %d shards in %s "
           "(households %.2fs, split %.2fs, %.2fs CPU: %.0f MB/s per core)\n",
           (unsigned long long)rep.households, (unsigned long long)rep.records,
           rep.bytes / 1e6, o.shards, o.out_dir, rep.load_seconds, rep.split_seconds,
           rep.split_cpu_seconds,
           rep.split_cpu_seconds > 0 ? rep.bytes / 1e6 / rep.split_cpu_seconds : 0.0);
    return 0;
}
