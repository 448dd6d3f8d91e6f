/* SPDX-License-Identifier: Apache-2.0 */
/*
 * cli-commands.c -- every subcommand of folio, in the order `folio --help`
 * lists them.  A new subcommand is one line here plus its table (cli.h).
 */
#include "cli.h"

const cli_command *const cli_commands[] = {
    &cli_cmd_run,
    &cli_cmd_samples,
    &cli_cmd_verify,
    &cli_cmd_afpdump,
    &cli_cmd_partition,
    &cli_cmd_merge,
    &cli_cmd_report,      /* issue 15 part 4 */
    NULL,
};
