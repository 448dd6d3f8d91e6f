/* SPDX-License-Identifier: Apache-2.0 */
/*
 * cli-verify.c -- `folio verify OUT`: its option table (cli.h) and argv;
 * the checks are the library's (production_verify, verify.c).
 */
#include "cli.h"

#include "folio/production.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

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

