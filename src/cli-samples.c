/* SPDX-License-Identifier: Apache-2.0 */
/*
 * cli-samples.c -- `folio samples`: its option table (cli.h) and argv; the
 * generator is the library's (samples.c).
 */
#include "cli.h"

#include "folio/samples.h"

#include <omp.h>
#include <stdio.h>

/* ---- folio samples ---------------------------------------------------------- */

enum { SAMPLES_SEED = 's', SAMPLES_WITH_ERRORS = CLI_LONG,
       SAMPLES_JOURNEY = CLI_LONG + 10 /* issue 15 */ };

static const cli_opt samples_opts[] = {
    {"households", 'n', "N", "number of households (required)"},
    {"seed", SAMPLES_SEED, "S", "random seed (default 1)"},
    {"out", 'o', "DIR", "output directory (default: samples-out)"},
    {"threads", 'j', "N", "worker threads (default: all cores)"},
    {"with-errors", SAMPLES_WITH_ERRORS, NULL, "also write a few bad rows, to see rejects at work"},
    {"journey", SAMPLES_JOURNEY, NULL,
     "also write statement frequency preferences and journey events (events.csv)"},
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
    bool have_n = false, journey = false;
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
        case SAMPLES_JOURNEY:       /* issue 15 part 5 */
            journey = true;
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
    if (!samples_generate(out, &o, &err) || (journey && !samples_journey(out, o.seed, &err))) {
        fprintf(stderr, "folio: %s\n", err.msg);
        return FOLIO_EXIT_FAILED;
    }
    printf("wrote sample feeds for %llu households and %s/job.yaml\n",
           (unsigned long long)o.households, out);
    return 0;
}

