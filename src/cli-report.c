/* SPDX-License-Identifier: Apache-2.0 */
/*
 * cli-report.c -- `folio report uplift JOB`: issue 15 part 4, the measured
 * uplift of the job's offers from its contacts feed (last run's
 * OUT/contact_history.csv) and its responses feed (folio/uplift.h).  Reads
 * only those feeds; prints a table, or with --json the object the run's
 * manifest carries as "uplift".
 */
#include "cli.h"

#include "folio/feed.h"
#include "folio/job.h"
#include "folio/offers.h"
#include "folio/uplift.h"

#include <stdlib.h>
#include <string.h>

enum { OPT_JSON = CLI_LONG };

static const cli_opt report_opts[] = {
    {"json", OPT_JSON, NULL, "print the figures as JSON (the manifest's \"uplift\" object)"},
    {0},
};

static int cmd_report(const cli_command *c, int argc, char **argv);

const cli_command cli_cmd_report = {
    .name = "report",
    .operands = "uplift JOB.yaml",
    .summary = "measured uplift of offers from the job's responses feed",
    .about = "uplift: match the job's responses feed to its contacts feed (last run's\n"
             "OUT/contact_history.csv, whose \"holdout\" rows are each offer's control\n"
             "group) within offers.uplift.attribution_days, and print per offer and\n"
             "variant: contacts, responses, response rate, the holdout's rate, the\n"
             "absolute uplift with its 95% interval (Newcombe's hybrid score, method\n"
             "10), the relative uplift and the sample size per group needed to detect\n"
             "the observed difference (alpha 0.05 two-sided, power 0.8).  Responses\n"
             "that match no contact, fall outside the window or name another variant\n"
             "are counted and listed (docs/offers.md, \"Measured uplift\").\n",
    .opts = report_opts,
    .epilog = "exit status: 0 the report was printed, 1 a feed could not be read,\n"
              "2 bad usage, a job error or a job without a responses feed,\n"
              "3 the report was printed but rows of the contacts or responses feeds\n"
              "were rejected (each listed on standard error).\n",
    .main = cmd_report,
};

static int cmd_report(const cli_command *c, int argc, char **argv)
{
    cli_parser p;
    cli_begin(&p, c, argc, argv);
    const char *a;
    int id;
    bool json = false;
    while ((id = cli_next(&p, &a)) > 0)
        switch (id) {
        case OPT_JSON: json = true; break;
        default: return cli_usage(c, "internal: option %d not handled", id);
        }
    if (id == CLI_STOP)
        return p.status;
    int nargs;
    char **args = cli_args(&p, &nargs);
    if (nargs == 0)
        return cli_usage(c, "missing the report's name (uplift)");
    if (strcmp(args[0], "uplift"))
        return cli_usage(c, "unknown report '%s' (reports: uplift)", args[0]);
    if (nargs != 2)
        return cli_usage(c, nargs < 2 ? "missing JOB.yaml" : "only one job file may be given");
    folio_error err = {0};
    folio_job *J = job_load(args[1], &err);
    if (!J) {
        fprintf(stderr, "folio report: %s\n", err.msg);
        return FOLIO_EXIT_USAGE;
    }
    /* only the contacts and responses feeds are read */
    folio_feed_def *sub = calloc((size_t)J->n_feeds + 1, sizeof *sub);
    folio_job sj = *J;
    sj.feeds = sub;
    sj.n_feeds = 0;
    bool have = false;
    for (int i = 0; sub && i < J->n_feeds; i++)
        if (J->feeds[i].kind == FOLIO_FEED_CONTACTS || J->feeds[i].kind == FOLIO_FEED_RESPONSES) {
            have |= J->feeds[i].kind == FOLIO_FEED_RESPONSES;
            sub[sj.n_feeds++] = J->feeds[i];
        }
    int rc = 0;
    if (!sub) {
        fprintf(stderr, "folio report: out of memory\n");
        rc = FOLIO_EXIT_FAILED;
    } else if (!have) {
        fprintf(stderr, "folio report: %s: the job has no feed of kind responses\n", J->path);
        rc = FOLIO_EXIT_USAGE;
    }
    folio_dataset *ds = rc ? NULL : feed_load_all(&sj, 0, &err);
    folio_uplift *u = NULL;
    if (!rc && (!ds || !uplift_run(&sj, ds, NULL, &u, &err))) {
        fprintf(stderr, "folio report: %s\n", err.msg);
        rc = err.code ? err.code : FOLIO_EXIT_FAILED;
    }
    /* rows that could not be read are listed, as rejects.csv lists them in a run:
     * those of the contacts feed too (a dropped contact changes the figures),
     * and any reject makes the exit status 3, as in a run */
    for (size_t i = 0; u && i < ds->n_rejects; i++) {
        const folio_reject *rj = &ds->rejects[i];
        if (rc == 0)
            rc = FOLIO_EXIT_REJECTS;
        if (rj->feed < sj.n_feeds)
            fprintf(stderr, "folio report: %s:%u: rejected%s%s%s: %s\n", sj.feeds[rj->feed].path,
                    (unsigned)rj->line, rj->column[0] ? " (" : "", rj->column,
                    rj->column[0] ? ")" : "", rj->reason);
    }
    if (u) {
        folio_buf b;
        folio_buf_init(&b, 0);
        if (json) {
            uplift_json(u, ds, &sj, &b);
            folio_buf_putc(&b, '\n');
        } else {
            uplift_text(u, ds, &sj, &b);
        }
        if (b.failed) {
            fprintf(stderr, "folio report: out of memory\n");
            rc = FOLIO_EXIT_FAILED;
        } else {
            fwrite(b.data, 1, b.len, stdout);
        }
        folio_buf_free(&b);
    }
    uplift_free(u);
    feed_dataset_free(ds);
    free(sub);
    job_free(J);
    return rc;
}
