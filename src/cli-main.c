/* SPDX-License-Identifier: Apache-2.0 */
/*
 * cli-main.c -- the folio command line: the top level (folio --help,
 * --version, --bash-completion, the command).  Only the
 * cli-*.c files print a summary or exit; the library (every other file)
 * returns codes and error records.  Each command's options are one table
 * (cli.h) that drives its parser and its --help.
 *
 *   folio run [options] JOB.yaml          (cli-run.c)
 *   folio samples -n N [options]            (cli-samples.c)
 *   folio verify OUT                        (cli-verify.c)
 *   folio afpdump [--check] FILE.afp      (cli-afpdump.c)
 *   folio --help | --version | --bash-completion,  folio CMD --help
 */
#include "folio/afp.h"
#include "folio/common.h"
#include "folio/production.h"
#include "cli.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

enum { MAIN_COMPLETION = CLI_LONG };

int main(int argc, char **argv)
{
    static const struct option longs[] = {
        {"help", no_argument, NULL, 'h'},
        {"version", no_argument, NULL, 'V'},
        {"bash-completion", no_argument, NULL, MAIN_COMPLETION},
        {0},
    };
    cli_process_setup();                /* issue 11: SIGBUS, allocator (cli-process.c) */
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
