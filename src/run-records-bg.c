/* SPDX-License-Identifier: Apache-2.0 */
/*
 * run-records-bg.c -- the record files written while printing
 * (run-records-bg.h).
 */
#include "run-records-bg.h"

#include "records.h"
#include "folio/frequency.h"

#include <omp.h>
#include <stdio.h>

/* The record files of the records phase, in their old order. */
static bool records_all(run_state *R, totals *T, folio_error *err)
{
    char path[4200];
    snprintf(path, sizeof path, "%s/not_due.csv.part", R->out);   /* issue 15: the shard's */
    if (R->job->frequency && !frequency_write_not_due(R->plan, R->in_shard, path, &R->freq, err))
        return false;
    snprintf(path, sizeof path, "%s/statement_history.csv.part", R->out);   /* issue 15 */
    if (R->job->frequency &&
        !frequency_write_history(R->plan, R->in_shard, path, &R->freq.history_rows, err))
        return false;
    return records_write(R, T, err);
}

static void *records_main(void *arg)
{
    run_records_bg *b = arg;
    b->ok = records_all(b->R, b->T, &b->err);
    return NULL;
}

void run_records_begin(run_records_bg *b, run_state *R, totals *T)
{
    b->R = R;
    b->T = T;
    b->started = b->finished = false;
    int threads = R->opt->threads > 0 ? R->opt->threads : omp_get_max_threads();
    if (threads < 2 || R->mb.spill)
        return;                         /* one core: no one to overlap with */
    b->started = pthread_create(&b->th, NULL, records_main, b) == 0;
}

bool run_records_end(run_records_bg *b, folio_error *err)
{
    if (b->finished)
        return b->ok;
    b->finished = true;
    if (b->started) {
        pthread_join(b->th, NULL);
        if (!b->ok)
            *err = b->err;
        return b->ok;
    }
    b->ok = records_all(b->R, b->T, err);
    return b->ok;
}

void run_records_wait(run_records_bg *b)
{
    if (b->started && !b->finished) {
        pthread_join(b->th, NULL);
        b->finished = true;
    }
}
