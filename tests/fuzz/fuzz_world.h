/* SPDX-License-Identifier: Apache-2.0 */
/*
 * fuzz_world.h -- a small real statement run built once per process for the
 * harnesses that need households: `folio samples --households 5` into the
 * scratch directory, then the job, layout, feeds, households and compose plan
 * through the library's own loaders.
 */
#ifndef FOLIO_FUZZ_WORLD_H
#define FOLIO_FUZZ_WORLD_H

#include "fuzz_common.h"
#include "folio/compose.h"
#include "folio/feed.h"
#include "folio/household.h"
#include "folio/job.h"
#include "folio/layout.h"
#include "folio/samples.h"

typedef struct fz_world {
    folio_job *job;
    folio_layout *layout;
    folio_dataset *ds;
    folio_households hs;
    folio_plan *plan;
} fz_world;

static fz_world W;

static void fz_world_die(const char *what, const folio_error *err)
{
    fprintf(stderr, "fuzz setup: %s: %s\n", what, err->msg);
    exit(2);
}

static void fz_world_free(void)
{
    compose_plan_free(W.plan);
    household_free(&W.hs);
    feed_dataset_free(W.ds);
    layout_free(W.layout);
    job_free(W.job);
}

static inline void fz_world_init(void)
{
    folio_error err = {0};
    char dir[512], layout[600], job[600];
    snprintf(dir, sizeof dir, "%s/samples", fz_dir());
    snprintf(layout, sizeof layout, "%s/layouts/statement.yaml", fz_root());
    folio_samples_options so = {.households = 5, .seed = 7, .threads = 1, .layout_path = layout};
    if (!samples_generate(dir, &so, &err))
        fz_world_die("samples", &err);
    snprintf(job, sizeof job, "%s/job.yaml", dir);
    if (!(W.job = job_load(job, &err)))
        fz_world_die("job", &err);
    if (!(W.layout = layout_load(W.job->layout_path, &err)))
        fz_world_die("layout", &err);
    if (!(W.ds = feed_load_all(W.job, 1, &err)))
        fz_world_die("feeds", &err);
    const char *order[64];
    int n_order = 0;
    for (int i = 0; i < W.layout->n_products && n_order < 64; i++)
        order[n_order++] = W.layout->products[i].code;
    if (!household_group(W.ds, order, n_order, &W.hs, &err))
        fz_world_die("households", &err);
    if (!(W.plan = compose_plan_new(W.job, W.layout, W.ds, &W.hs, &err)))
        fz_world_die("plan", &err);
    atexit(fz_world_free);
}

#endif
