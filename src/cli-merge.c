/*
 * cli-merge.c -- issue 12 part 3: `folio merge SHARD_OUT... --out DIR`
 * (folio/merge.h): argv, the summary and the exit message.
 */
#include "cli.h"

#include "folio/merge.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *const usage_merge =
    "usage: folio merge SHARD_OUT... --out DIR\n"
    "\n"
    "Merge the output directories of the N shards of one run (folio run --shard\n"
    "I/N, on the full feeds or on folio partition's shard jobs) into one job\n"
    "ticket: DIR/manifest.json (every shard's files with SHA-256, totals,\n"
    "reconciliation across shards, next_serial_start), DIR/rejects.csv (each\n"
    "rejected row once, by the full feed's line), DIR/contact_history.csv (for\n"
    "next month) and DIR/proofs/proofs.json (one sample over all shards).\n"
    "`folio verify DIR` checks it.\n"
    "\n"
    "  --out DIR       where the merged ticket goes\n"
    "\n"
    "exit status: 0 success, 1 failed (the shards do not reconcile: no\n"
    "manifest.json), 2 bad usage or shards missing/doubled, 3 success with\n"
    "rejected rows or exceptions.\n";

int cmd_merge(int argc, char **argv)
{
    const char **dirs = calloc((size_t)argc + 1, sizeof *dirs);
    int n = 0;
    const char *out = NULL;
    if (!dirs)
        return 1;
    for (int i = 0; i < argc; i++) {
        const char *a = argv[i];
        if (!strcmp(a, "--help") || !strcmp(a, "-h")) {
            fputs(usage_merge, stdout);
            free(dirs);
            return 0;
        } else if (!strcmp(a, "--out") && i + 1 < argc) {
            out = argv[++i];
        } else if (a[0] == '-') {
            char m[256];
            snprintf(m, sizeof m, "unknown option '%s'", a);
            free(dirs);
            return bad_usage(m, usage_merge);
        } else {
            dirs[n++] = a;
        }
    }
    if (!n || !out) {
        free(dirs);
        return bad_usage(!n ? "missing SHARD_OUT directories" : "--out DIR is required",
                         usage_merge);
    }
    folio_merge_options o = {.shard_dirs = dirs, .n_shards = n, .out_dir = out};
    folio_merge_report rep;
    folio_error err = {0};
    int rc = folio_merge(&o, &rep, &err);
    free(dirs);
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
