/*
 * cli.h -- the folio command line's own files (src/cli-*.c, not in
 * libfolio.a): only they print summaries, parse argv and exit.
 */
#ifndef FOLIO_CLI_H
#define FOLIO_CLI_H

#include "folio/common.h"

/* "folio: MSG", a blank line and USAGE on stderr; returns exit status 2. */
int bad_usage(const char *msg, const char *usage);

/* A --threads value from 1 to 1024. */
bool parse_threads(const char *s, int *out);

/* `folio run ...` (argv[0] is the first argument after "run"). */
int cmd_run(int argc, char **argv);

/* `folio afpdump FILE [--check]` (argv[0] is the first argument after
 * "afpdump").  Exit status 0 valid / listed, 1 invalid (one line per problem
 * on stdout: "FILE: offset 0x...: reason"), 2 bad usage. */
int afp_dump_main(int argc, char **argv);

/* issue 12: `folio partition ...` and `folio merge ...` (argv[0] is the first
 * argument after the command; cli-partition.c, cli-merge.c). */
int cmd_partition(int argc, char **argv);
int cmd_merge(int argc, char **argv);
#endif
