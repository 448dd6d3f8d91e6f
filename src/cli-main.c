/*
 * cli-main.c -- the folio command line: the top level (folio --help,
 * --version, the command) and the samples and verify commands.  Only the
 * cli-*.c files print a summary or exit; the library (every other file)
 * returns codes and error records.  Each command's options are one table
 * (cli.h) that drives its parser and its --help.
 *
 *   folio run [options] JOB.yaml          (cli-run.c)
 *   folio samples -n N [options]
 *   folio verify [options] OUT
 *   folio afpdump [--check] FILE.afp      (cli-afpdump.c)
 *   folio --help | --version | --bash-completion,  folio CMD --help
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
#include <errno.h>
#include <sys/stat.h>
#include <unistd.h>

/* ---- folio samples ---------------------------------------------------------- */

enum { SAMPLES_SEED = 's', SAMPLES_WITH_ERRORS = CLI_LONG };

static const cli_opt samples_opts[] = {
    {"households", 'n', "N", "number of households (required)"},
    {"seed", SAMPLES_SEED, "S", "random seed (default 1)"},
    {"out", 'o', "DIR", "output directory (default: samples-out)"},
    {"threads", 'j', "N", "worker threads (default: all cores)"},
    {"with-errors", SAMPLES_WITH_ERRORS, NULL, "also write a few bad rows, to see rejects at work"},
    {0},
};

static int cmd_samples(const cli_command *c, int argc, char **argv);

const cli_command cli_cmd_samples = {
    .name = "samples",
    .operands = "",
    .summary = "write realistic synthetic feeds and a job file",
    .about = "Write realistic synthetic feeds (customers, accounts and transactions of\n"
             "checking, savings, credit card and mortgage systems) and DIR/job.yaml that\n"
             "runs them with the sample layout, offers and paragraphs (those of the\n"
             "source tree, or of share/folio when folio is installed).  The same N and\n"
             "seed give byte-identical files.\n",
    .opts = samples_opts,
    .epilog = "exit status: 0 written, 1 could not write, 2 bad usage.\n",
    .main = cmd_samples,
};

static int cmd_samples(const cli_command *c, int argc, char **argv)
{
    folio_samples_options o = {.seed = 1};
    const char *out = "samples-out";
    bool have_n = false;
    cli_parser p;
    cli_begin(&p, c, argc, argv);
    const char *a;
    int id;
    while ((id = cli_next(&p, &a)) > 0) {
        switch (id) {
        case 'n':
            if (!cli_parse_u64(a, &o.households) || o.households < 1 || o.households > 100000000)
                return cli_usage(c, "--households needs a number from 1 to 100000000");
            have_n = true;
            break;
        case SAMPLES_SEED:
            if (!cli_parse_u64(a, &o.seed))
                return cli_usage(c, "--seed needs a non-negative integer");
            break;
        case 'o':
            out = a;
            break;
        case 'j':
            if (!parse_threads(a, &o.threads))
                return cli_usage(c, "--threads needs a number from 1 to 1024");
            break;
        case SAMPLES_WITH_ERRORS:
            o.with_errors = true;
            break;
        default:
            return cli_usage(c, "internal: option %d not handled", id);
        }
    }
    if (id == CLI_STOP)
        return p.status;
    int nargs;
    char **args = cli_args(&p, &nargs);
    if (nargs)
        return cli_usage(c, "unexpected operand '%s'", args[0]);
    if (!have_n)
        return cli_usage(c, "--households N is required");
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

/* ---- folio verify ----------------------------------------------------------- */

static const cli_opt verify_opts[] = {
    {0},
};

static int cmd_verify(const cli_command *c, int argc, char **argv);

const cli_command cli_cmd_verify = {
    .name = "verify",
    .operands = "OUT",
    .summary = "re-check an output directory against its manifest.json",
    .about = "Re-read OUT/manifest.json and check every file it lists against the files\n"
             "themselves: the print files (bytes, SHA-256, pages counted from the file --\n"
             "PDF page tree, AFP Begin Page fields -- sheets), the pieces files (one row\n"
             "per statement, contiguous page ranges, sums, first/last piece), stream\n"
             "totals; the e-delivery archive (every zip, its index.csv / index.json and\n"
             "the PDF/A documents in it, notifications.csv); the proof sample\n"
             "(proofs/proof.pdf against proofs.json); audit.jsonl, rejects.csv,\n"
             "exceptions.csv and suppressed.csv against the manifest's counts, control\n"
             "totals and reconciliation; the inputs' SHA-256; and nothing unlisted or\n"
             "half-written in print/, archive/ or proofs/.\n",
    .opts = verify_opts,
    .epilog = "exit status: 0 \"verified N files\" on stdout, 1 a mismatch (each listed on\n"
              "stdout), 2 bad usage or OUT is not a directory (message on stderr).\n",
    .main = cmd_verify,
};

static int cmd_verify(const cli_command *c, int argc, char **argv)
{
    cli_parser p;
    cli_begin(&p, c, argc, argv);
    const char *a;
    int id;
    while ((id = cli_next(&p, &a)) > 0)
        return cli_usage(c, "internal: option %d not handled", id);
    if (id == CLI_STOP)
        return p.status;
    int nargs;
    char **args = cli_args(&p, &nargs);
    if (nargs == 0)
        return cli_usage(c, "missing OUT directory");
    if (nargs > 1)
        return cli_usage(c, "only one output directory may be given");
    struct stat sb;
    if (stat(args[0], &sb) != 0)
        return cli_usage(c, "%s: %s", args[0], strerror(errno));
    if (!S_ISDIR(sb.st_mode))
        return cli_usage(c, "%s: not a directory", args[0]);
    return production_verify(args[0], stdout);
}

enum { MAIN_COMPLETION = CLI_LONG };

int main(int argc, char **argv)
{
    static const struct option longs[] = {
        {"help", no_argument, NULL, 'h'},
        {"version", no_argument, NULL, 'V'},
        {"bash-completion", no_argument, NULL, MAIN_COMPLETION},
        {0},
    };
    optind = 0;
    opterr = 0;
    int c;
    /* "+": stop at the command; its options are its own */
    while ((c = getopt_long(argc, argv, "+:hV", longs, NULL)) != -1) {
        switch (c) {
        case 'h':
            cli_help_main(stdout);
            return 0;
        case 'V':
            printf("folio %s\n", FOLIO_VERSION);
            return 0;
        case MAIN_COMPLETION:
            cli_bash_completion(stdout);
            return 0;
        default: {
            const char *bad = optind >= 1 && optind - 1 < argc ? argv[optind - 1] : "?";
            if (optopt && optopt < CLI_LONG && strncmp(bad, "--", 2) != 0)
                return cli_usage(NULL, "unknown option '-%c'", optopt);
            return cli_usage(NULL, "unknown option '%.*s'", (int)strcspn(bad, "="), bad);
        }
        }
    }
    if (optind >= argc)
        return cli_usage(NULL, "missing command");
    const char *cmd = argv[optind];
    if (!strcmp(cmd, "help")) {
        cli_help_main(stdout);
        return 0;
    }
    if (!strcmp(cmd, "version")) {
        printf("folio %s\n", FOLIO_VERSION);
        return 0;
    }
    for (int i = 0; cli_commands[i]; i++)
        if (!strcmp(cmd, cli_commands[i]->name))
            return cli_commands[i]->main(cli_commands[i], argc - optind, argv + optind);
    return cli_usage(NULL, "unknown command '%s'", cmd);
}
