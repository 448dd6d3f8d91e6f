/* SPDX-License-Identifier: Apache-2.0 */
/*
 * cli.h -- the folio command line's own files (src/cli-*.c, not in
 * libfolio.a): only they print summaries, parse argv and exit.
 *
 * Every subcommand is ONE table, a cli_command: its options (cli_opt rows),
 * synopsis, description and exit-status text.  That one table drives both
 * getopt_long (cli_begin / cli_next) and the --help text (cli_help), the
 * bash completion (`folio --bash-completion`) and the test that compares
 * help with parser (tests/unit/test_cli.c), so they cannot drift apart.
 *
 * Adding a subcommand (e.g. `folio partition`):
 *   1. in src/cli-partition.c: a `static const cli_opt partition_opts[]`
 *      ending in {0}, a `const cli_command cli_cmd_partition = {...}`, and
 *      `static int cmd_partition(const cli_command *c, int argc, char **argv)`
 *      that loops `while ((id = cli_next(&p, &arg)) > 0) switch (id) {...}`
 *      (see cmd_samples in cli-main.c) and reads the operands with cli_args;
 *   2. declare `extern const cli_command cli_cmd_partition;` below and add
 *      `&cli_cmd_partition,` to cli_commands[] in src/cli-commands.c.
 * Conventions (README "Command line"): --opt=value and --opt value, short
 * options for the common ones (-o DIR, -j N threads, -q quiet), -h/--help
 * on every command (added by cli_begin), -- ends the options; a usage error
 * is ONE line on stderr with a hint ("see 'folio run --help'"), exit 2.
 */
#ifndef FOLIO_CLI_H
#define FOLIO_CLI_H

#include "folio/common.h"

#include <getopt.h>
#include <signal.h>
#include <stdio.h>

/* One option of a subcommand. */
typedef struct cli_opt {
    const char *name;   /* long name without "--" ("out") */
    int id;             /* its short letter ('o'), or CLI_LONG + n for a long-only option */
    const char *arg;    /* the value's name in the help ("DIR"); NULL: a flag */
    const char *help;   /* what it does; '\n' starts a continuation line */
} cli_opt;

#define CLI_LONG 256    /* ids from here on have no short form */
#define CLI_MAX_OPTS 48

typedef struct cli_command {
    const char *name;       /* "run" */
    const char *operands;   /* after the options in the synopsis: "JOB.yaml" ("" none) */
    const char *summary;    /* one line for `folio --help` */
    const char *about;      /* the description, between synopsis and options */
    const cli_opt *opts;    /* ends with {0}; -h/--help is added by cli_begin */
    const char *epilog;     /* after the options: exit status, files */
    int (*main)(const struct cli_command *cmd, int argc, char **argv);  /* argv[0]: the name */
} cli_command;

/* Every subcommand, NULL-terminated (src/cli-commands.c). */
extern const cli_command *const cli_commands[];
extern const cli_command cli_cmd_run, cli_cmd_samples, cli_cmd_verify, cli_cmd_afpdump;
extern const cli_command cli_cmd_partition, cli_cmd_merge;   /* issue 12 */
extern const cli_command cli_cmd_report;                     /* issue 15 part 4 */

/* The parser of one command line.  Fields are private to cli-opts.c except
 * status (the exit status when cli_next returns CLI_STOP). */
typedef struct cli_parser {
    const cli_command *cmd;
    int argc;
    char **argv;
    struct option longs[CLI_MAX_OPTS + 2];
    char shorts[3 * CLI_MAX_OPTS + 4];
    int status;
} cli_parser;

enum { CLI_DONE = 0, CLI_STOP = -1 };

/* Start parsing argv (argv[0] is the command's name; getopt_long may
 * reorder the rest).  No allocation: nothing to free. */
void cli_begin(cli_parser *p, const cli_command *cmd, int argc, char **argv);

/* The next option: its id (> 0) with *arg its value (NULL for a flag);
 * CLI_DONE when the options are over (operands: cli_args); CLI_STOP when
 * the caller must return p->status: --help was printed (0) or a usage
 * error was reported on stderr (2). */
int cli_next(cli_parser *p, const char **arg);

/* After CLI_DONE: the operands (what is not an option, and all after --). */
char **cli_args(cli_parser *p, int *n);

/* A usage error of CMD: "folio CMD: MSG (see 'folio CMD --help')" on
 * stderr, one line; returns 2.  cmd NULL: the top level. */
int cli_usage(const cli_command *cmd, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* CMD's --help: synopsis, description, every option of its table, epilog. */
void cli_help(const cli_command *cmd, FILE *f);

/* `folio --help` and `folio --bash-completion`, generated from cli_commands. */
void cli_help_main(FILE *f);
void cli_bash_completion(FILE *f);

/* Kept for subcommands written before the tables: "folio: MSG" and a hint
 * naming the command of USAGE ("usage: folio CMD ...") on stderr; returns 2. */
int bad_usage(const char *msg, const char *usage);

/* A --threads value from 1 to 1024. */
bool parse_threads(const char *s, int *out);

/* Unsigned decimal, the whole string. */
bool cli_parse_u64(const char *s, uint64_t *out);

/* `folio run ...` and `folio afpdump FILE [--check]` as before the tables:
 * argv[0] is the first argument after the command's name.  afpdump: exit 0
 * valid / listed, 1 invalid (one line per problem on stdout: "FILE: offset
 * 0x...: reason"), 2 bad usage. */
int cmd_run(int argc, char **argv);
int afp_dump_main(int argc, char **argv);

/* Run command c on the arguments after its name (argv[0] is the first of
 * them): what cmd_run and afp_dump_main do for their command. */
int cli_call(const cli_command *c, int argc, char **argv);

/* issue 11: what the program sets for its process and the library never
 * does (src/cli-process.c).  cli_process_setup: first thing in main(): the
 * SIGBUS handler for feeds truncated while mapped (feed_sigbus_fault) and
 * the allocator setting around feed loads (membudget_set_load_hook).
 * cli_tune_allocator: keep freed memory for reuse (`folio run`). */
void cli_process_setup(void);
void cli_tune_allocator(void);
void cli_load_allocator(bool begin);

/* SIGINT / SIGTERM / SIGHUP set folio_stop (common.h) and SIGXFSZ is
 * ignored (a write over the size limit fails with EFBIG instead of killing
 * the process with .part files left behind), for `folio run`, `merge` and
 * `partition`: their long loops poll folio_stop, stop, clean up and exit 1.
 * cli_stop_signals_on saves the old actions in *old (when not NULL);
 * cli_stop_signals_off puts them back. */
typedef struct cli_signals {
    struct sigaction intr, term, hup, xfsz;
} cli_signals;
void cli_stop_signals_on(cli_signals *old);
void cli_stop_signals_off(const cli_signals *old);

#endif
