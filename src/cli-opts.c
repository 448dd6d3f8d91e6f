/* SPDX-License-Identifier: Apache-2.0 */
/*
 * cli-opts.c -- one table per subcommand (cli.h) drives getopt_long, the
 * --help text and the bash completion.
 *
 * getopt_long keeps its state in globals (optind, optarg, optopt): a parser
 * restarts it (optind = 0) and reports errors itself (opterr = 0, a leading
 * ':' in the short options so a missing value is told from an unknown
 * option).  Options and operands may come in any order (GNU permutation);
 * "--" ends the options.
 */
#include "cli.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

static const cli_opt help_opt = {"help", 'h', NULL, "show this help and exit"};

int cli_usage(const cli_command *cmd, const char *fmt, ...)
{
    char msg[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    if (cmd)
        fprintf(stderr, "folio %s: %s (see 'folio %s --help')\n", cmd->name, msg, cmd->name);
    else
        fprintf(stderr, "folio: %s (see 'folio --help')\n", msg);
    return FOLIO_EXIT_USAGE;
}

int bad_usage(const char *msg, const char *usage)
{
    /* the command's name from "usage: folio CMD ..." */
    const char *p = usage ? strstr(usage, "folio ") : NULL;
    if (p) {
        p += 6;
        size_t n = strcspn(p, " \n");
        if (n && p[0] != '-' && p[0] != 'C' && n < 40) {
            fprintf(stderr, "folio %.*s: %s (see 'folio %.*s --help')\n", (int)n, p, msg,
                    (int)n, p);
            return FOLIO_EXIT_USAGE;
        }
    }
    fprintf(stderr, "folio: %s (see 'folio --help')\n", msg);
    return FOLIO_EXIT_USAGE;
}

bool cli_parse_u64(const char *s, uint64_t *out)
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
    if (!cli_parse_u64(s, &v) || v < 1 || v > 1024)
        return false;
    *out = (int)v;
    return true;
}

/* The table's rows and then --help. */
static const cli_opt *opt_at(const cli_command *cmd, int i)
{
    int n = 0;
    while (cmd->opts && cmd->opts[n].name)
        n++;
    return i < n ? &cmd->opts[i] : i == n ? &help_opt : NULL;
}

static const cli_opt *opt_by_id(const cli_command *cmd, int id)
{
    const cli_opt *o;
    for (int i = 0; (o = opt_at(cmd, i)); i++)
        if (o->id == id)
            return o;
    return NULL;
}

void cli_begin(cli_parser *p, const cli_command *cmd, int argc, char **argv)
{
    memset(p, 0, sizeof *p);
    p->cmd = cmd;
    p->argc = argc;
    p->argv = argv;
    size_t ns = 0, nl = 0;
    p->shorts[ns++] = ':';
    const cli_opt *o;
    for (int i = 0; (o = opt_at(cmd, i)) && nl < CLI_MAX_OPTS + 1; i++) {
        p->longs[nl++] = (struct option){o->name, o->arg ? required_argument : no_argument,
                                         NULL, o->id};
        if (o->id > 0 && o->id < CLI_LONG) {
            p->shorts[ns++] = (char)o->id;
            if (o->arg)
                p->shorts[ns++] = ':';
        }
    }
    p->shorts[ns] = 0;
    optind = 0;        /* GNU: restart, whatever parsed before */
    opterr = 0;
}

/* The text of the option getopt just stopped at, for a message. */
static const char *bad_arg(cli_parser *p)
{
    int i = optind - 1;
    return i >= 1 && i < p->argc ? p->argv[i] : "?";
}

int cli_next(cli_parser *p, const char **arg)
{
    *arg = NULL;
    int c = getopt_long(p->argc, p->argv, p->shorts, p->longs, NULL);
    if (c == -1)
        return CLI_DONE;
    const cli_command *cmd = p->cmd;
    if (c == ':') {
        const cli_opt *o = opt_by_id(cmd, optopt);
        if (o && o->id < CLI_LONG && strncmp(bad_arg(p), "--", 2) != 0)
            p->status = cli_usage(cmd, "option '-%c' needs a value (%s)", o->id, o->arg);
        else
            p->status = cli_usage(cmd, "option '--%s' needs a value (%s)", o ? o->name : "?",
                                  o && o->arg ? o->arg : "?");
        return CLI_STOP;
    }
    if (c == '?') {
        /* a known option here can only be a flag given "--flag=value"; a
         * short letter is unknown (bad_arg may be an earlier element when
         * the letter is inside a bundle: "-qx"); else an unknown long one */
        const cli_opt *o = optopt ? opt_by_id(cmd, optopt) : NULL;
        const char *a = bad_arg(p);
        if (o)
            p->status = cli_usage(cmd, "option '--%s' takes no value", o->name);
        else if (optopt)
            p->status = cli_usage(cmd, "unknown option '-%c'", optopt);
        else
            p->status = cli_usage(cmd, "unknown option '%.*s'", (int)strcspn(a, "="), a);
        return CLI_STOP;
    }
    if (c == 'h') {
        cli_help(cmd, stdout);
        p->status = 0;
        return CLI_STOP;
    }
    *arg = optarg;
    return c;
}

char **cli_args(cli_parser *p, int *n)
{
    int i = optind < 1 ? 1 : optind;
    *n = i < p->argc ? p->argc - i : 0;
    return p->argv + i;
}

/* "  -o, --out=DIR        text" with continuation lines under the text. */
static void help_row(FILE *f, const cli_opt *o)
{
    char left[64];
    int n = snprintf(left, sizeof left, "  %c%c%s--%s%s%s",
                     o->id < CLI_LONG ? '-' : ' ', o->id < CLI_LONG ? o->id : ' ',
                     o->id < CLI_LONG ? ", " : "  ", o->name, o->arg ? "=" : "",
                     o->arg ? o->arg : "");
    const int col = 24;
    fputs(left, f);
    if (n >= col - 1) {
        fputc('\n', f);
        n = 0;
    }
    const char *h = o->help ? o->help : "";
    for (;;) {
        size_t len = strcspn(h, "\n");
        fprintf(f, "%*s%.*s\n", col - n, "", (int)len, h);
        if (!h[len])
            break;
        h += len + 1;
        n = 0;
    }
}

void cli_help(const cli_command *cmd, FILE *f)
{
    fprintf(f, "usage: folio %s [options]%s%s\n\n", cmd->name,
            cmd->operands && cmd->operands[0] ? " " : "", cmd->operands ? cmd->operands : "");
    if (cmd->about)
        fprintf(f, "%s\n", cmd->about);
    fputs("options:\n", f);
    const cli_opt *o;
    for (int i = 0; (o = opt_at(cmd, i)); i++)
        help_row(f, o);
    fputs("  --                    end of options: what follows is an operand\n", f);
    if (cmd->epilog)
        fprintf(f, "\n%s", cmd->epilog);
}

void cli_help_main(FILE *f)
{
    fputs("usage: folio COMMAND [options] [operands]\n"
          "\n"
          "folio turns a bank's product feeds into consolidated customer statements:\n"
          "one statement per household -- print streams (PDF or AFP), a PDF/A archive,\n"
          "a proof sample, audit trail and a manifest that reconciles.\n"
          "\n"
          "commands:\n", f);
    for (int i = 0; cli_commands[i]; i++) {
        const cli_command *c = cli_commands[i];
        char left[64];
        snprintf(left, sizeof left, "%s %s", c->name, c->operands ? c->operands : "");
        fprintf(f, "  %-20s %s\n", left, c->summary);
    }
    fputs("\n"
          "options:\n"
          "  -h, --help             this text; `folio COMMAND --help` for a command\n"
          "  -V, --version          print the version\n"
          "      --bash-completion  print the bash completion script (installed by\n"
          "                         `make install` and the Debian package)\n"
          "\n"
          "exit status: 0 success, 1 the run failed, 2 bad usage or bad job/layout file,\n"
          "             3 success but some input rows were rejected (see OUT/rejects.csv)\n"
          "manual: man folio, man 5 folio-job, man 5 folio-layout\n", f);
}

void cli_bash_completion(FILE *f)
{
    fputs("# bash completion for folio -- generated by `folio --bash-completion`\n"
          "# from the option tables of the command line (src/cli-*.c)\n"
          "_folio()\n{\n"
          "    local cur prev cmd i\n"
          "    cur=\"${COMP_WORDS[COMP_CWORD]}\"\n"
          "    prev=\"${COMP_WORDS[COMP_CWORD-1]}\"\n"
          "    cmd=\"\"\n"
          "    for ((i = 1; i < COMP_CWORD; i++)); do\n"
          "        case \"${COMP_WORDS[i]}\" in -*) ;; *) cmd=\"${COMP_WORDS[i]}\"; break ;; esac\n"
          "    done\n"
          "    if [ -z \"$cmd\" ]; then\n"
          "        COMPREPLY=($(compgen -W \"", f);
    for (int i = 0; cli_commands[i]; i++)
        fprintf(f, "%s ", cli_commands[i]->name);
    fputs("--help --version --bash-completion -h -V\" -- \"$cur\"))\n"
          "        return\n"
          "    fi\n"
          "    case \"$cmd\" in\n", f);
    for (int i = 0; cli_commands[i]; i++) {
        const cli_command *c = cli_commands[i];
        const cli_opt *o;
        /* options whose value is a directory or file: complete paths */
        fprintf(f, "    %s)\n        case \"$prev\" in\n", c->name);
        for (int k = 0; (o = opt_at(c, k)); k++) {
            if (!o->arg)
                continue;
            bool dir = !strcmp(o->arg, "DIR");
            bool file = strstr(o->arg, "FILE") != NULL;
            fprintf(f, "            --%s", o->name);
            if (o->id < CLI_LONG)
                fprintf(f, "|-%c", o->id);
            fprintf(f, ") %s; return ;;\n",
                    dir ? "COMPREPLY=($(compgen -d -- \"$cur\"))"
                        : file ? "COMPREPLY=($(compgen -f -- \"$cur\"))" : "COMPREPLY=()");
        }
        fputs("        esac\n        if [[ \"$cur\" == -* ]]; then\n"
              "            COMPREPLY=($(compgen -W \"", f);
        for (int k = 0; (o = opt_at(c, k)); k++)
            fprintf(f, "--%s ", o->name);
        fputs("\" -- \"$cur\"))\n        else\n"
              "            COMPREPLY=($(compgen -f -- \"$cur\"))\n        fi\n        ;;\n", f);
    }
    fputs("    esac\n}\ncomplete -o filenames -F _folio folio\n", f);
}

int cli_call(const cli_command *c, int argc, char **argv)
{
    char **av = calloc((size_t)argc + 2, sizeof *av);
    if (!av)
        return FOLIO_EXIT_FAILED;
    av[0] = (char *)c->name;
    for (int i = 0; i < argc; i++)
        av[i + 1] = argv[i];
    int rc = c->main(c, argc + 1, av);
    free(av);
    return rc;
}
