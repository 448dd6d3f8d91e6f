/* SPDX-License-Identifier: Apache-2.0 */
/*
 * run-clean-bg.c -- OUT cleaned while the feeds load (run-clean-bg.h).
 */
#include "run-clean-bg.h"

#include <stdio.h>

static void *clean_main(void *arg)
{
    run_clean_bg *c = arg;
    c->ok = outdir_clean(c->od, c->tag, &c->err);
    return NULL;
}

bool run_clean_begin(run_clean_bg *c, folio_outdir *od, const char *tag, bool background,
                     folio_error *err)
{
    c->od = od;
    snprintf(c->tag, sizeof c->tag, "%s", tag ? tag : "");
    c->started = c->joined = false;
    if (background && pthread_create(&c->th, NULL, clean_main, c) == 0) {
        c->started = true;
        return true;
    }
    c->joined = true;
    c->ok = outdir_clean(od, c->tag, err);
    return c->ok;
}

bool run_clean_end(run_clean_bg *c, folio_error *err)
{
    if (!c->od)
        return true;                    /* never begun */
    if (!c->joined) {
        pthread_join(c->th, NULL);
        c->joined = true;
        if (!c->ok)
            *err = c->err;
    }
    return c->ok;
}
