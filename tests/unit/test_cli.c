/* SPDX-License-Identifier: Apache-2.0 */
/*
 * test_cli.c -- the command line's option tables (src/cli-opts.c, cli.h):
 * every subcommand's --help names exactly the options its parser accepts,
 * and the parser takes --opt=value, --opt value, -o value, -ovalue and --.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

static char *help_of(const cli_command *c)
{
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    assert_non_null(f);
    cli_help(c, f);
    fclose(f);
    return buf;
}

/* "--name" followed by '=', a space or the end of a line. */
static bool mentions(const char *text, const char *prefix, const char *name)
{
    char pat[96];
    snprintf(pat, sizeof pat, "%s%s", prefix, name);
    for (const char *p = text; (p = strstr(p, pat)); p++) {
        char after = p[strlen(pat)];
        bool start = p == text || p[-1] == ' ' || p[-1] == '\n';
        if (start && (after == '=' || after == ' ' || after == '\n' || after == ','))
            return true;
    }
    return false;
}

static const cli_opt *find_long(const cli_command *c, const char *name, size_t n)
{
    if (n == 4 && !strncmp(name, "help", 4))
        return c->opts;     /* added by cli_begin: any non-NULL */
    for (const cli_opt *o = c->opts; o->name; o++)
        if (strlen(o->name) == n && !strncmp(o->name, name, n))
            return o;
    return NULL;
}

/* Parse one option alone; returns its id (or CLI_STOP / CLI_DONE). */
static int parse_one(const cli_command *c, char *a1, char *a2, const char **arg)
{
    char *argv[] = {(char *)c->name, a1, a2, NULL};
    cli_parser p;
    cli_begin(&p, c, a2 ? 3 : 2, argv);
    return cli_next(&p, arg);
}

/* Every option of every table is in the help (long and short form) and is
 * accepted by the parser in every form; every --word of the help is an
 * option of the table. */
static void test_help_matches_parser(void **state)
{
    (void)state;
    int ncmd = 0;
    for (int i = 0; cli_commands[i]; i++, ncmd++) {
        const cli_command *c = cli_commands[i];
        char *h = help_of(c);
        assert_true(mentions(h, "--", "help"));
        assert_true(mentions(h, "-", "h"));
        for (const cli_opt *o = c->opts; o->name; o++) {
            if (!mentions(h, "--", o->name))
                fail_msg("folio %s --help does not name --%s", c->name, o->name);
            char sh[2] = {(char)o->id, 0};
            if (o->id < CLI_LONG && !mentions(h, "-", sh))
                fail_msg("folio %s --help does not name -%c", c->name, o->id);
            assert_true(o->id > 0 && o->id != 'h');
            for (const cli_opt *q = o + 1; q->name; q++) {
                assert_int_not_equal(q->id, o->id);
                assert_string_not_equal(q->name, o->name);
            }
            /* the parser takes it: --opt=V, --opt V, -c V, -cV */
            char eq[80], lo[80], val[] = "7";
            const char *arg;
            snprintf(lo, sizeof lo, "--%s", o->name);
            snprintf(eq, sizeof eq, "--%s=7", o->name);
            if (o->arg) {
                assert_int_equal(parse_one(c, eq, NULL, &arg), o->id);
                assert_string_equal(arg, "7");
                assert_int_equal(parse_one(c, lo, val, &arg), o->id);
                assert_string_equal(arg, "7");
                if (o->id < CLI_LONG) {
                    char s1[3] = {'-', (char)o->id, 0}, s2[4] = {'-', (char)o->id, '7', 0};
                    assert_int_equal(parse_one(c, s1, val, &arg), o->id);
                    assert_string_equal(arg, "7");
                    assert_int_equal(parse_one(c, s2, NULL, &arg), o->id);
                    assert_string_equal(arg, "7");
                }
                /* a value is required */
                assert_int_equal(parse_one(c, lo, NULL, &arg), CLI_STOP);
            } else {
                assert_int_equal(parse_one(c, lo, NULL, &arg), o->id);
                assert_null(arg);
                assert_int_equal(parse_one(c, eq, NULL, &arg), CLI_STOP);
            }
        }
        /* nothing in the help that the parser does not take */
        for (const char *p = h; (p = strstr(p, "--")); p += 2) {
            if (p > h && p[-1] != ' ' && p[-1] != '\n' && p[-1] != '(' && p[-1] != '`')
                continue;
            const char *n = p + 2;
            size_t len = 0;
            while (isalnum((unsigned char)n[len]) || n[len] == '-')
                len++;
            if (len == 0)
                continue;          /* "--" alone: end of options */
            if (!find_long(c, n, len))
                fail_msg("folio %s --help names --%.*s, which its parser does not take",
                         c->name, (int)len, n);
        }
        free(h);
    }
    assert_true(ncmd >= 4);
}

/* Options anywhere, "--" ends them, unknown ones stop with status 2. */
static void test_parser_forms(void **state)
{
    (void)state;
    char *argv[] = {"run", "job.yaml", "--out", "o1", "-qj2", "--", "-x", NULL};
    cli_parser p;
    cli_begin(&p, &cli_cmd_run, 7, argv);
    const char *arg;
    assert_int_equal(cli_next(&p, &arg), 'o');
    assert_string_equal(arg, "o1");
    assert_int_equal(cli_next(&p, &arg), 'q');
    assert_int_equal(cli_next(&p, &arg), 'j');
    assert_string_equal(arg, "2");
    assert_int_equal(cli_next(&p, &arg), CLI_DONE);
    int n;
    char **ops = cli_args(&p, &n);
    assert_int_equal(n, 2);
    assert_string_equal(ops[0], "job.yaml");
    assert_string_equal(ops[1], "-x");

    char *bad[] = {"run", "--bogus", "job.yaml", NULL};
    cli_begin(&p, &cli_cmd_run, 3, bad);
    assert_int_equal(cli_next(&p, &arg), CLI_STOP);
    assert_int_equal(p.status, 2);

    char *help[] = {"verify", "-h", NULL};
    FILE *saved = stdout;
    stdout = fopen("/dev/null", "w");
    cli_begin(&p, &cli_cmd_verify, 2, help);
    int r = cli_next(&p, &arg);
    fclose(stdout);
    stdout = saved;
    assert_int_equal(r, CLI_STOP);
    assert_int_equal(p.status, 0);
}

/* The old entry points still take argv without the command's name. */
static void test_old_entry_points(void **state)
{
    (void)state;
    char *a[] = {"--check", NULL};
    assert_int_equal(afp_dump_main(1, a), 2);      /* missing FILE */
    char *b[] = {"--threads", "0", "job.yaml", NULL};
    assert_int_equal(cmd_run(3, b), 2);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_help_matches_parser),
        cmocka_unit_test(test_parser_forms),
        cmocka_unit_test(test_old_entry_points),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
