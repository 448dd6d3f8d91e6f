/* SPDX-License-Identifier: Apache-2.0 */
/*
 * cli-afpdump.c -- `folio afpdump [--check] FILE.afp`: argv, reading the
 * file and printing; the checking and decoding are the library's
 * (afp_check, afp_dump in afp-read.c).
 */
#include "cli.h"

#include "folio/afp.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* ---- folio afpdump --------------------------------------------------------- */

enum { AFPDUMP_CHECK = CLI_LONG };

static int afpdump_cmd(const cli_command *c, int argc, char **argv);

static const cli_opt afpdump_opts[] = {
    {"check", AFPDUMP_CHECK, NULL, "validate instead: framing, known identifiers, begin/end\n"
                                   "nesting and names, placement, triplets, TLEs, MCF,\n"
                                   "PTOCA chains"},
    {0},
};

const cli_command cli_cmd_afpdump = {
    .name = "afpdump",
    .operands = "FILE.afp",
    .summary = "list or (--check) validate an AFP print file",
    .about = "List the structured fields of an AFP (MO:DCA) file, one per line: offset,\n"
             "length, identifier, name and the decoded essentials (group names, TLE\n"
             "key=value, medium maps, page sizes, fonts, text).\n",
    .opts = afpdump_opts,
    .epilog = "exit status: 0 listed / valid, 1 invalid (\"FILE: offset 0x...: reason\"\n"
              "lines on stdout), 2 bad usage or unreadable file.\n",
    .main = afpdump_cmd,
};

typedef struct report_ctx {
    const char *file;
} report_ctx;

static void report_line(void *ctx, size_t off, const char *reason)
{
    report_ctx *r = ctx;
    printf("%s: offset 0x%zX: %s\n", r->file, off, reason);
}

static uint8_t *read_all(const char *path, size_t *len, folio_error *err)
{
    int fd = folio_input_open(path, NULL, FOLIO_EXIT_USAGE, NULL, err);
    if (fd < 0)
        return NULL;
    struct stat sb;
    uint8_t *b = NULL;
    if (fstat(fd, &sb) == 0 && sb.st_size >= 0) {
        size_t n = (size_t)sb.st_size, got = 0;
        b = malloc(n ? n : 1);
        while (b && got < n) {
            ssize_t k = read(fd, b + got, n - got);
            if (k < 0 && errno == EINTR)
                continue;
            if (k <= 0) {
                free(b);
                b = NULL;
                break;
            }
            got += (size_t)k;
        }
        *len = n;
    }
    close(fd);
    return b;
}

static int afpdump_cmd(const cli_command *c, int argc, char **argv)
{
    bool check = false;
    cli_parser p;
    cli_begin(&p, c, argc, argv);
    const char *a;
    int id;
    while ((id = cli_next(&p, &a)) > 0) {
        if (id == AFPDUMP_CHECK)
            check = true;
        else
            return cli_usage(c, "internal: option %d not handled", id);
    }
    if (id == CLI_STOP)
        return p.status;
    int nargs;
    char **args = cli_args(&p, &nargs);
    if (nargs == 0)
        return cli_usage(c, "missing FILE");
    if (nargs > 1)
        return cli_usage(c, "only one file may be given");
    const char *file = args[0];
    size_t len = 0;
    folio_error rerr = {0};
    uint8_t *buf = read_all(file, &len, &rerr);
    if (!buf) {
        if (rerr.code)
            fprintf(stderr, "folio: %s\n", rerr.msg);
        else
            fprintf(stderr, "folio: %s: cannot read: %s\n", file, strerror(errno));
        return FOLIO_EXIT_USAGE;
    }
    int rc = 0;
    if (check) {
        report_ctx r = {file};
        unsigned n = afp_check(buf, len, report_line, &r);
        if (n) {
            if (n > AFP_MAX_PROBLEMS)
                printf("%s: %u more problems not listed\n", file, n - AFP_MAX_PROBLEMS);
            rc = FOLIO_EXIT_FAILED;
        } else {
            printf("%s: valid AFP (%zu bytes)\n", file, len);
        }
    } else if (!afp_dump(buf, len, stdout)) {
        char msg[300];
        afp_check_buffer(buf, len, msg, sizeof msg);
        printf("%s: %s\n", file, msg);
        rc = FOLIO_EXIT_FAILED;
    }
    free(buf);
    return rc;
}

int afp_dump_main(int argc, char **argv)
{
    return cli_call(&cli_cmd_afpdump, argc, argv);
}
