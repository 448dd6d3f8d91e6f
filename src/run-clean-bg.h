/* SPDX-License-Identifier: Apache-2.0 */
/*
 * run-clean-bg.h -- OUT cleaned while the feeds load (issue 11, r-serial).
 *
 * outdir_clean (publish.h) removes the old manifest, fsyncs OUT, then
 * removes the earlier run's outputs.  The fsync waits for the file system's
 * journal (after a rerun or an `rm -rf OUT` it commits every removal:
 * 0.05-0.15 s measured here), and it came before the load on one thread --
 * serial wall time at any thread count.  Nothing the load does touches OUT
 * (its inputs are never inside OUT: check_inputs), so the clean runs in a
 * thread of its own while the feeds load, and the run waits for it before
 * it writes anything there.  The order inside the clean is unchanged (the
 * manifest durably gone first), and so is which error wins: the clean's,
 * then the load's.  Not when the tables spill to work files, whose default
 * place is OUT.
 */
#ifndef FOLIO_RUN_CLEAN_BG_H
#define FOLIO_RUN_CLEAN_BG_H

#include "run-private.h"

#include <pthread.h>

typedef struct run_clean_bg {
    folio_outdir *od;
    char tag[32];
    pthread_t th;
    bool started, joined, ok;
    folio_error err;
} run_clean_bg;

/* Start cleaning OUT (in a thread, or now when `background` is false or no
 * thread can be made); false with err set when a clean done now failed. */
bool run_clean_begin(run_clean_bg *c, folio_outdir *od, const char *tag, bool background,
                     folio_error *err);
/* Wait for it; false with err set when it failed.  Safe to call again. */
bool run_clean_end(run_clean_bg *c, folio_error *err);

#endif
