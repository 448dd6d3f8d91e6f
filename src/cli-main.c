/*
 * cli-main.c -- the folio command line: argv and the commands.  Only the
 * cli-*.c files print a summary or exit; the library (every other file)
 * returns codes and error records.
 *
 *   folio run JOB.yaml [--out DIR] [--threads N] [--shard I/N] [--quiet]
 *   folio samples --households N [--seed S] [--out DIR] [--threads N] [--with-errors]
 *   folio verify OUT
 *   folio --help | --version,  folio CMD --help
 */
#include "folio/afp.h"
#include "folio/common.h"
#include "folio/production.h"
#include "folio/samples.h"
#include "cli.h"

#include <omp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static const char *const usage_main =
    "usage: folio COMMAND [options]\n"
    "\n"
    "folio turns a bank's product feeds into consolidated customer statements:\n"
    "one statement per household, print-ready PDF, with a manifest that reconciles.\n"
    "\n"
    "commands:\n"
    "  run JOB.yaml       run a statement job (see `folio run --help`)\n"
    "  samples            write realistic synthetic feeds and a job file\n"
    "  verify OUT         re-check an output directory against its manifest.json\n"
    "  afpdump FILE.afp   list or (--check) validate an AFP print file\n"
    "  partition JOB      cut a job's feeds into shards (--shards N --out DIR)\n"
    "  merge SHARD_OUT... merge shard runs into one job ticket (--out DIR)\n"
    "\n"
    "options:\n"
    "  --help             this text; `folio COMMAND --help` for a command\n"
    "  --version          print the version\n"
    "\n"
    "exit status: 0 success, 1 the run failed, 2 bad usage or bad job/layout file,\n"
    "             3 success but some input rows were rejected (see OUT/rejects.csv)\n";

static const char *const usage_samples =
    "usage: folio samples --households N [--seed S] [--out DIR] [--threads N] [--with-errors]\n"
    "\n"
    "Write realistic synthetic feeds (customers, accounts and transactions of\n"
    "checking, savings, credit card and mortgage systems) and DIR/job.yaml that\n"
    "runs them.  The same N and seed give byte-identical files.\n"
    "\n"
    "  --households N  number of households (required)\n"
    "  --seed S        random seed (default 1)\n"
    "  --out DIR       output directory (default: samples-out)\n"
    "  --threads N     worker threads (default: all cores)\n"
    "  --with-errors   also write a few bad rows, to see rejects at work\n";

static const char *const usage_verify =
    "usage: folio verify OUT\n"
    "\n"
    "Re-read OUT/manifest.json and check every print file and pieces file it\n"
    "lists against the files themselves: bytes, SHA-256, pages counted from the\n"
    "file (PDF page tree, AFP Begin Page fields), sheets from pages, pieces rows\n"
    "(one per statement, contiguous page ranges, sums, first/last piece), stream\n"
    "totals, and nothing unlisted or half-written in OUT/print.\n"
    "\n"
    "exit status: 0 \"verified N files\", 1 a mismatch (each listed on stdout),\n"
    "2 bad usage.\n";

int bad_usage(const char *msg, const char *usage)
{
    fprintf(stderr, "folio: %s\n\n%s", msg, usage);
    return FOLIO_EXIT_USAGE;
}

static bool parse_u64(const char *s, uint64_t *out)
{
    if (!s || !*s)
        return false;
    uint64_t v = 0;
    for (; *s; s++) {
        if (*s < '0' || *s > '9' || v > (UINT64_MAX - 9) / 10)
            return false;
        v = v * 10 + (uint64_t)(*s - '0');
    }
    *out = v;
    return true;
}

bool parse_threads(const char *s, int *out)
{
    uint64_t v;
    if (!parse_u64(s, &v) || v < 1 || v > 1024)
        return false;
    *out = (int)v;
    return true;
}

static int cmd_samples(int argc, char **argv)
{
    folio_samples_options o = {.seed = 1};
    const char *out = "samples-out";
    bool have_n = false;
    for (int i = 0; i < argc; i++) {
        const char *a = argv[i];
        if (!strcmp(a, "--help") || !strcmp(a, "-h")) {
            fputs(usage_samples, stdout);
            return 0;
        } else if (!strcmp(a, "--households") && i + 1 < argc) {
            if (!parse_u64(argv[++i], &o.households) || o.households < 1 ||
                o.households > 100000000)
                return bad_usage("--households needs a number from 1 to 100000000", usage_samples);
            have_n = true;
        } else if (!strcmp(a, "--seed") && i + 1 < argc) {
            if (!parse_u64(argv[++i], &o.seed))
                return bad_usage("--seed needs a non-negative integer", usage_samples);
        } else if (!strcmp(a, "--out") && i + 1 < argc) {
            out = argv[++i];
        } else if (!strcmp(a, "--threads") && i + 1 < argc) {
            if (!parse_threads(argv[++i], &o.threads))
                return bad_usage("--threads needs a number from 1 to 1024", usage_samples);
        } else if (!strcmp(a, "--with-errors")) {
            o.with_errors = true;
        } else {
            char m[256];
            snprintf(m, sizeof m, "unknown or incomplete option '%s'", a);
            return bad_usage(m, usage_samples);
        }
    }
    if (!have_n)
        return bad_usage("--households N is required", usage_samples);
    if (o.threads > 0)
        omp_set_num_threads(o.threads);
    folio_error err = {0};
    if (!samples_generate(out, &o, &err)) {
        fprintf(stderr, "folio: %s\n", err.msg);
        return FOLIO_EXIT_FAILED;
    }
    printf("wrote sample feeds for %llu households and %s/job.yaml\n",
           (unsigned long long)o.households, out);
    return 0;
}

static int cmd_verify(int argc, char **argv)
{
    const char *dir = NULL;
    for (int i = 0; i < argc; i++) {
        const char *a = argv[i];
        if (!strcmp(a, "--help") || !strcmp(a, "-h")) {
            fputs(usage_verify, stdout);
            return 0;
        } else if (a[0] == '-') {
            char m[256];
            snprintf(m, sizeof m, "unknown option '%s'", a);
            return bad_usage(m, usage_verify);
        } else if (dir) {
            return bad_usage("only one output directory may be given", usage_verify);
        } else {
            dir = a;
        }
    }
    if (!dir)
        return bad_usage("missing OUT directory", usage_verify);
    return production_verify(dir, stdout);
}

int main(int argc, char **argv)
{
    if (argc < 2)
        return bad_usage("missing command", usage_main);
    const char *cmd = argv[1];
    if (!strcmp(cmd, "--help") || !strcmp(cmd, "-h") || !strcmp(cmd, "help")) {
        fputs(usage_main, stdout);
        return 0;
    }
    if (!strcmp(cmd, "--version") || !strcmp(cmd, "version")) {
        printf("folio %s\n", FOLIO_VERSION);
        return 0;
    }
    if (!strcmp(cmd, "run"))
        return cmd_run(argc - 2, argv + 2);
    if (!strcmp(cmd, "samples"))
        return cmd_samples(argc - 2, argv + 2);
    if (!strcmp(cmd, "verify"))
        return cmd_verify(argc - 2, argv + 2);
    if (!strcmp(cmd, "afpdump"))
        return afp_dump_main(argc - 2, argv + 2);
    if (!strcmp(cmd, "partition"))                      /* issue 12 */
        return cmd_partition(argc - 2, argv + 2);
    if (!strcmp(cmd, "merge"))
        return cmd_merge(argc - 2, argv + 2);
    char m[256];
    snprintf(m, sizeof m, "unknown command '%s'", cmd);
    return bad_usage(m, usage_main);
}
