/* SPDX-License-Identifier: Apache-2.0 */
/*
 * cli-merge.c -- issue 12 part 3: `folio merge SHARD_OUT... --out DIR`
 * (folio/merge.h): argv, the summary and the exit message.
 */
#include "cli.h"

#include "folio/merge.h"

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const cli_opt merge_opts[] = {
    {"out", 'o', "DIR", "where the merged ticket goes (required)"},
    {0},
};

static int cmd_merge(const cli_command *c, int argc, char **argv);

/* r-harden (round 25): SIGINT / SIGTERM / SIGHUP set folio_stop, as for
 * `folio run`: merge and its proof-only shard runs stop at their next
 * check, remove their scratch directory (OUT/.proof-work) and exit 1
 * without a manifest, instead of dying with the scratch left behind
 * (cli_stop_signals_on, src/cli-process.c). */

const cli_command cli_cmd_merge = {
    .name = "merge",
    .operands = "SHARD_OUT...",
    .summary = "merge shard runs into one job ticket",
    .about = "Merge the output directories of the N shards of one run (`folio run` as\n"
             "shard I/N, on the full feeds or on folio partition's shard jobs) into one job\n"
             "ticket: DIR/manifest.json (every shard's files with SHA-256, totals,\n"
             "reconciliation across shards, next_serial_start), DIR/rejects.csv (each\n"
             "rejected row once, by the full feed's line), DIR/contact_history.csv (for\n"
             "next month) and DIR/proofs/proofs.json (one sample over all shards).\n"
             "`folio verify DIR` checks it.\n",
    .opts = merge_opts,
    .epilog = "exit status: 0 success, 1 failed (the shards do not reconcile, or\n"
              "stopped: no manifest.json), 2 bad usage, shards missing/doubled or of\n"
              "different jobs, --out inside a shard or another run's OUT, 3 success\n"
              "with rejected rows or exceptions.\n",
    .main = cmd_merge,
};

static int cmd_merge(const cli_command *c, int argc, char **argv)
{
    const char *out = NULL;
    cli_parser p;
    cli_begin(&p, c, argc, argv);
    const char *a;
    int id;
    while ((id = cli_next(&p, &a)) > 0) {
        switch (id) {
        case 'o':
            out = a;
            break;
        default:
            return cli_usage(c, "internal: option %d not handled", id);
        }
    }
    if (id == CLI_STOP)
        return p.status;
    int n;
    char **args = cli_args(&p, &n);
    if (!n)
        return cli_usage(c, "missing SHARD_OUT directories");
    if (!out)
        return cli_usage(c, "--out DIR is required");
    folio_merge_options o = {.shard_dirs = (const char *const *)args, .n_shards = n, .out_dir = out};
    folio_merge_report rep;
    folio_error err = {0};
    cli_stop_signals_on(NULL);
    int rc = folio_merge(&o, &rep, &err);
    if (rc == 1 || rc == 2) {
        fprintf(stderr, "folio: %s\n", err.msg);
        return rc;
    }
    printf("merged %d shards into %s: %llu households, %llu files, %llu rejected rows, "
           "%llu new contacts, proof sample %llu households, next_serial_start %llu\n",
           rep.shards, out, (unsigned long long)rep.households, (unsigned long long)rep.files,
           (unsigned long long)rep.rejects, (unsigned long long)rep.contacts_new,
           (unsigned long long)rep.proof_households,
           (unsigned long long)rep.next_serial_start);
    if (rc == 3)
        fprintf(stderr, "folio: rows were rejected or exceptions listed (see %s/rejects.csv "
                        "and the shards' exceptions.csv)\n", out);
    return rc;
}
