/* SPDX-License-Identifier: Apache-2.0 */
/*
 * cli-partition.c -- issue 12 part 2: `folio partition JOB --shards N --out DIR`
 * (folio/partition.h): argv, the summary and the exit message.
 */
#include "cli.h"

#include "folio/partition.h"

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum { PARTITION_SHARDS = CLI_LONG };

static const cli_opt partition_opts[] = {
    {"shards", PARTITION_SHARDS, "N", "number of shards, 1 to 999 (required)"},
    {"out", 'o', "DIR", "where the shards go: an empty or new directory (required)"},
    {"threads", 'j', "N", "threads for loading customers and accounts (default: all cores)"},
    {0},
};

static int cmd_partition(const cli_command *c, int argc, char **argv);

/* r-harden (round 26): SIGINT / SIGTERM / SIGHUP set folio_stop, as for
 * `folio run` and `folio merge`: the load and the split stop at their next
 * check, the shard directories made so far are removed and partition
 * exits 1 without partition.json, instead of dying with half-cut feeds
 * (cli_stop_signals_on, src/cli-process.c). */

const cli_command cli_cmd_partition = {
    .name = "partition",
    .operands = "JOB.yaml",
    .summary = "cut a job's feeds into N shards (docs/scale-out.md)",
    .about = "Cut the job's feeds into N feed sets, one per shard, each household wholly\n"
             "in the shard I/N that `folio run` puts it in on the full feeds; writes\n"
             "DIR/sII/job.yaml and DIR/sII/feeds/ per shard and DIR/partition.json.\n"
             "Then run shard I's job as shard I/N into its own output directory (see\n"
             "`folio run --help`) and join the outputs with `folio merge`.\n"
             "partition.json is written last; a partition that fails or is stopped\n"
             "removes its sII directories, and one killed outright leaves\n"
             "DIR/.partition-incomplete: the next partition into DIR removes every sII\n"
             "it finds there (any N) before it cuts.\n",
    .opts = partition_opts,
    .epilog = "exit status: 0 success, 1 failed or stopped (no partition.json), 2 bad\n"
              "usage or bad job file, or DIR holds sII directories folio did not leave.\n",
    .main = cmd_partition,
};

static int cmd_partition(const cli_command *c, int argc, char **argv)
{
    folio_partition_options o = {0};
    cli_parser p;
    cli_begin(&p, c, argc, argv);
    const char *a;
    int id;
    while ((id = cli_next(&p, &a)) > 0) {
        switch (id) {
        case PARTITION_SHARDS: {
            char *e;
            long v = strtol(a, &e, 10);
            if (!*a || *e || v < 1 || v > 999)
                return cli_usage(c, "--shards needs a number from 1 to 999");
            o.shards = (int)v;
            break;
        }
        case 'o':
            o.out_dir = a;
            break;
        case 'j':
            if (!parse_threads(a, &o.threads))
                return cli_usage(c, "--threads needs a number from 1 to 1024");
            break;
        default:
            return cli_usage(c, "internal: option %d not handled", id);
        }
    }
    if (id == CLI_STOP)
        return p.status;
    int nargs;
    char **args = cli_args(&p, &nargs);
    if (nargs > 1)
        return cli_usage(c, "only one job file may be given");
    if (nargs < 1)
        return cli_usage(c, "missing JOB.yaml");
    o.job_path = args[0];
    if (!o.shards)
        return cli_usage(c, "--shards N is required");
    if (!o.out_dir)
        return cli_usage(c, "--out DIR is required");
    folio_error err = {0};
    folio_partition_report rep;
    cli_stop_signals_on(NULL);
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
