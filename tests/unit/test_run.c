/* SPDX-License-Identifier: Apache-2.0 */
/*
 * test_run.c -- folio_run through the library: it prints nothing (the CLI
 * prints the summary, warnings and progress from the report and the
 * events), fills the report, and reports every phase.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <fcntl.h>
#include <ftw.h>
#include <locale.h>
#include <sys/stat.h>
#include <unistd.h>

#include "folio/run.h"
#include "folio/samples.h"

static int rm_one(const char *p, const struct stat *sb, int flag, struct FTW *ftw)
{
    (void)sb; (void)flag; (void)ftw;
    return remove(p);
}

static void rm_rf(const char *dir)
{
    nftw(dir, rm_one, 16, FTW_DEPTH | FTW_PHYS);
}

/* stdout and stderr of this process go to a file until unredirect. */
typedef struct redirect {
    int saved_out, saved_err, fd;
    char path[256];
} redirect;

static void redirect_on(redirect *r, const char *dir)
{
    snprintf(r->path, sizeof r->path, "%s/printed.txt", dir);
    fflush(stdout);
    fflush(stderr);
    r->fd = open(r->path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
    assert_true(r->fd >= 0);
    r->saved_out = dup(1);
    r->saved_err = dup(2);
    dup2(r->fd, 1);
    dup2(r->fd, 2);
}

/* Restore stdout/stderr; returns how many bytes were printed meanwhile. */
static long redirect_off(redirect *r)
{
    fflush(stdout);
    fflush(stderr);
    dup2(r->saved_out, 1);
    dup2(r->saved_err, 2);
    close(r->saved_out);
    close(r->saved_err);
    close(r->fd);
    struct stat sb;
    assert_int_equal(stat(r->path, &sb), 0);
    if (sb.st_size) {                   /* show what leaked */
        FILE *f = fopen(r->path, "r");
        char buf[512];
        size_t n = f ? fread(buf, 1, sizeof buf - 1, f) : 0;
        buf[n] = 0;
        if (f)
            fclose(f);
        fprintf(stderr, "printed by the library:\n%s\n", buf);
    }
    return (long)sb.st_size;
}

typedef struct events {
    int phases, progress;
    char names[256];
} events;

static void count_event(void *ctx, const folio_run_event *ev)
{
    events *e = ctx;
    if (ev->kind == FOLIO_RUN_PHASE) {
        e->phases++;
        strncat(e->names, ev->name, sizeof e->names - strlen(e->names) - 2);
        strcat(e->names, " ");
    } else {
        e->progress++;
    }
}

/* A successful run (some rows rejected: exit 3) prints nothing, with or
 * without progress events and warnings; the report holds the figures the
 * CLI prints. */
static void test_run_prints_nothing(void **state)
{
    (void)state;
    char tmpl[] = "/tmp/folio-run-XXXXXX";
    char *dir = mkdtemp(tmpl);
    assert_non_null(dir);
    char feeds[300], out[300], job[320];
    snprintf(feeds, sizeof feeds, "%s/feeds", dir);
    snprintf(out, sizeof out, "%s/out", dir);
    snprintf(job, sizeof job, "%s/job.yaml", feeds);
    folio_samples_options so = {.households = 40, .seed = 7, .threads = 2, .with_errors = true};
    folio_error err = {0};
    assert_true(samples_generate(feeds, &so, &err));

    events ev = {0};
    folio_run_options o = {.job_path = job, .out_dir = out, .threads = 2, .progress = true,
                           .on_event = count_event, .event_ctx = &ev};
    folio_run_report rep = {0};
    redirect r;
    redirect_on(&r, dir);
    int rc = folio_run(&o, &rep, &err);
    long printed = redirect_off(&r);
    assert_int_equal(printed, 0);
    if (rc != FOLIO_EXIT_REJECTS)
        fprintf(stderr, "rc %d: %s\n", rc, err.msg);
    assert_int_equal(rc, FOLIO_EXIT_REJECTS);
    assert_int_equal(rep.households, 40);
    assert_true(rep.rejects > 0);
    assert_true(rep.print_pages > 0);
    assert_true(rep.txn_read == rep.txn_composed + rep.txn_suppressed + rep.txn_rejected);
    assert_non_null(rep.job_name);
    assert_string_equal(rep.out_dir, out);
    assert_int_equal(ev.phases, 10);
    /* issue 11 part 1: the archive is written in the compose stage; issue 16
     * parts 5, 6: plan, production and report are phases of their own */
    assert_string_equal(ev.names, "load plan compose archive production print proofs records "
                                  "report publish ");
    assert_true(ev.progress > 0);
    char rp[400];                       /* issue 16 part 5: published with the run */
    snprintf(rp, sizeof rp, "%s/report.html", out);
    assert_int_equal(access(rp, R_OK), 0);
    folio_run_report_free(&rep);
    assert_null(rep.warnings);

    /* a failed run (no such job file): exit 2, the reason in err, nothing printed */
    folio_run_options bad = {.job_path = "/nonexistent/folio/job.yaml", .out_dir = out};
    folio_error e2 = {0};
    redirect_on(&r, dir);
    rc = folio_run(&bad, NULL, &e2);
    printed = redirect_off(&r);
    assert_int_equal(printed, 0);
    assert_int_equal(rc, FOLIO_EXIT_USAGE);
    assert_non_null(strstr(e2.msg, "/nonexistent/folio/job.yaml"));
    rm_rf(dir);
}

/* Replace the first occurrence of `old` in file path with `new`. */
static void edit_file(const char *path, const char *old, const char *new)
{
    FILE *f = fopen(path, "rb");
    assert_non_null(f);
    static char buf[1 << 20], out[(1 << 20) + 4096];
    size_t n = fread(buf, 1, sizeof buf - 1, f);
    fclose(f);
    buf[n] = 0;
    char *at = strstr(buf, old);
    assert_non_null(at);
    size_t head = (size_t)(at - buf);
    assert_true(n - strlen(old) + strlen(new) < sizeof out);
    memcpy(out, buf, head);
    strcpy(out + head, new);
    strcat(out + head, at + strlen(old));
    f = fopen(path, "wb");
    assert_non_null(f);
    fwrite(out, 1, strlen(out), f);
    fclose(f);
}

/* issue 11 part 3: an AFP index value (TLE) cut to 250 bytes is never
 * silent, but the library does not print it (it did, on stderr, from the
 * AFP writer's close): the run reports it as a warning naming the file, the
 * count and the first value cut, which the CLI prints. */
static void test_run_afp_cut_warns(void **state)
{
    (void)state;
    char tmpl[] = "/tmp/folio-run-XXXXXX";
    char *dir = mkdtemp(tmpl);
    assert_non_null(dir);
    char feeds[300], out[300], job[320], cust[320];
    snprintf(feeds, sizeof feeds, "%s/feeds", dir);
    snprintf(out, sizeof out, "%s/out", dir);
    snprintf(job, sizeof job, "%s/job.yaml", feeds);
    snprintf(cust, sizeof cust, "%s/customers.csv", feeds);
    folio_samples_options so = {.households = 6, .seed = 7, .threads = 1};
    folio_error err = {0};
    assert_true(samples_generate(feeds, &so, &err));
    edit_file(job, "    pdf: true\n", "    pdf: true\n    afp: {code_page: 37}\n");
    /* the first customer's last name: one 300-byte word (its line's
     * ",en," language column follows a few fields later, so the first
     * data line's 4th field is the one after the third comma) */
    FILE *f = fopen(cust, "rb");
    assert_non_null(f);
    char line[4096];
    assert_non_null(fgets(line, sizeof line, f));        /* header */
    assert_non_null(fgets(line, sizeof line, f));
    fclose(f);
    char *p = line;
    for (int k = 0; k < 3; k++) {
        p = strchr(p, ',');
        assert_non_null(p);
        p++;
    }
    char *e = strchr(p, ',');
    assert_non_null(e);
    char old[4200], repl[4200], word[301];
    memset(word, 'W', 300);
    word[300] = 0;
    snprintf(old, sizeof old, "%.*s", (int)(e - line) + 1, line);
    snprintf(repl, sizeof repl, "%.*s%s,", (int)(p - line), line, word);
    edit_file(cust, old, repl);

    folio_run_options o = {.job_path = job, .out_dir = out, .threads = 2};
    folio_run_report rep = {0};
    redirect r;
    redirect_on(&r, dir);
    int rc = folio_run(&o, &rep, &err);
    long printed = redirect_off(&r);
    if (rc != FOLIO_EXIT_OK)
        fprintf(stderr, "rc %d: %s\n", rc, err.msg);
    assert_int_equal(rc, FOLIO_EXIT_OK);
    assert_int_equal(printed, 0);
    size_t found = 0;
    for (size_t i = 0; i < rep.n_warnings; i++) {
        const char *w = rep.warnings[i];
        if (!strstr(w, "TLE value"))
            continue;
        found++;
        assert_non_null(strstr(w, ".afp: "));
        assert_non_null(strstr(w, out));
        assert_non_null(strstr(w, "were cut to 250 (first: group "));
        assert_non_null(strstr(w, "counts.afp_cut_values"));
    }
    assert_int_equal(found, 1);          /* one print file, one warning */
    folio_run_report_free(&rep);
    rm_rf(dir);
}

int main(void)
{
    setlocale(LC_ALL, "");
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_run_prints_nothing),
        cmocka_unit_test(test_run_afp_cut_warns),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
