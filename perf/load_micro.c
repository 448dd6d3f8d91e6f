/* SPDX-License-Identifier: Apache-2.0 */
/*
 * load_micro.c -- the load stage of `folio run` alone (issue 11, round 23):
 * job and layout, feed_load_all_work at 1 thread, ledger_prepare and
 * household_group, as run.c calls them.  Not built by default:
 *
 *   make build/libfolio.a build/libfolio-cli.a
 *   cc -O2 -std=c11 -D_GNU_SOURCE -fopenmp -Iinclude -Isrc perf/load_micro.c \
 *      build/libfolio-cli.a build/libfolio.a -lhpdf -lcsv -lyaml -ldeflate -lharfbuzz-subset \
 *      -lharfbuzz -lz -lcrypto -lpng -lzint -lm -o build/load_micro
 *   build/load_micro JOB.yaml [repeats]
 *   valgrind --tool=callgrind --toggle-collect=load_stage build/load_micro JOB.yaml
 *
 * Prints the CPU seconds of the load stage (min over repeats), the feed
 * bytes and MB/s per core, and the counts (rows, households) to compare.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "folio/common.h"
#include "folio/feed.h"
#include "folio/household.h"
#include "folio/job.h"
#include "folio/layout.h"
#include "folio/ledger.h"
#include "folio/products.h"
#include "cli.h"            /* src/: cli_load_allocator, the CLI's (cli-process.c) */

static double cpu_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
    return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

__attribute__((noinline)) static int load_stage(const folio_job *job, const folio_layout *lay,
                                                size_t *n_hh, folio_error *err)
{
    cli_load_allocator(true);   /* the setting folio run loads with */
    folio_dataset *ds = feed_load_all_work(job, 1, NULL, NULL, NULL, err);
    cli_load_allocator(false);
    if (!ds || !ledger_prepare(ds, job, lay, err))
        return 1;
    const char *order[64];
    int n_order = 0;
    for (int i = 0; i < lay->n_products && n_order < 64; i++)
        order[n_order++] = lay->products[i].code;
    folio_households hs;
    memset(&hs, 0, sizeof hs);
    if (!household_group(ds, order, n_order, &hs, err))
        return 1;
    *n_hh = hs.n;
    household_free(&hs);
    feed_dataset_free(ds);
    return 0;
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        fprintf(stderr, "usage: load_micro JOB.yaml [repeats]\n");
        return 2;
    }
    int reps = argc > 2 ? atoi(argv[2]) : 1;
    folio_error err = {0};
    folio_job *job = job_load(argv[1], &err);
    folio_layout *lay = job ? layout_load_attrs(job->layout_path, job->attrs, &err) : NULL;
    if (!lay || !products_bind(job, lay, &err)) {
        fprintf(stderr, "%s\n", err.msg);
        return 2;
    }
    double best = 1e9;
    size_t n_hh = 0;
    for (int i = 0; i < reps; i++) {
        double t = cpu_s();
        if (load_stage(job, lay, &n_hh, &err)) {
            fprintf(stderr, "%s\n", err.msg);
            return 1;
        }
        t = cpu_s() - t;
        if (t < best)
            best = t;
    }
    unsigned long long bytes = 0;
    for (int i = 0; i < job->n_feeds; i++) {
        struct stat st;
        if (stat(job->feeds[i].path, &st) == 0)
            bytes += (unsigned long long)st.st_size;
    }
    printf("load: %.3f CPU s, %llu bytes, %.1f MB/s per core, %zu households\n", best, bytes,
           bytes / 1e6 / best, n_hh);
    return 0;
}
