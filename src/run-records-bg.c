/* SPDX-License-Identifier: Apache-2.0 */
/*
 * run-records-bg.c -- the record files written while printing
 * (run-records-bg.h).
 */
#include "run-records-bg.h"

#include "ccy-totals.h"
#include "manifest.h"          /* r-twothr */
#include "records.h"
#include "folio/frequency.h"
#include "folio/layout.h"
#include "folio/paragraphs.h"

#include <omp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/statvfs.h>   /* r-audit finding R1 */
#include <unistd.h>

static void precompute(run_state *R, const int *cancel);

/* The run stopped (a signal) or gave up (run_records_wait before the
 * records phase): the work ahead would be thrown away. */
static bool cancelled(const int *cancel)
{
    return folio_stop || __atomic_load_n(cancel, __ATOMIC_RELAXED);
}

/* r-harden (round 25): the record writers stop at their next household
 * (run_halted) instead of writing files the failed run throws away. */
static void cancel_now(run_records_bg *b)
{
    __atomic_store_n(&b->cancel, 1, __ATOMIC_RELAXED);
    __atomic_store_n(&b->R->records_cancel, 1, __ATOMIC_RELAXED);
}

/* The record files of the records phase: not_due.csv (its rows are the
 * frequency decisions' order, not household order: not on the ring), then
 * the record ring's files and exceptions.csv (records_write). */
static bool records_all(run_state *R, totals *T, folio_error *err)
{
    char path[4200];
    snprintf(path, sizeof path, "%s/not_due.csv.part", R->out);   /* issue 15: the shard's */
    if (R->job->frequency && !frequency_write_not_due(R->plan, R->in_shard, path, &R->freq, err))
        return false;
    /* issue 11: statement_history.csv and the others on the record ring */
    return records_write(R, T, err);
}

static void *records_main(void *arg)
{
    run_records_bg *b = arg;
    b->ok = records_all(b->R, b->T, &b->err);
    if (b->ok && !cancelled(&b->cancel))
        precompute(b->R, &b->cancel);               /* what the manifest would compute next */
    return NULL;
}

/* r-audit (round 24) finding R1: on a disk that fills up during the print
 * stage, records written beside the ring took space the print files then
 * missed, so which file a full disk named (a print file or a record file)
 * depended on timing at 2+ threads, and differed from 1 thread.  The
 * records overlap the print only when OUT's file system has room for what
 * the print and records stages write, estimated generously (the kept
 * statements' bytes, ~2x the print files, or 16 KiB a household, whichever
 * is more; 4 KiB a household of records; 64 MiB); else they are written
 * after the print, in the serial order, and a full disk names the same
 * file at every thread count.  statvfs failing: as before. */
static bool room_beside_print(const run_state *R)
{
    struct statvfs v;
    if (statvfs(R->out, &v) != 0)
        return true;
    uint64_t n = R->hs.n, kept = R->kept.bytes;
    uint64_t need = (kept > n * 16384 ? kept : n * 16384) + n * 4096 + ((uint64_t)64 << 20);
    return (uint64_t)v.f_bavail * (uint64_t)v.f_frsize >= need;
}

void run_records_begin(run_records_bg *b, run_state *R, totals *T)
{
    b->R = R;
    b->T = T;
    b->started = b->finished = false;
    int threads = R->opt->threads > 0 ? R->opt->threads : omp_get_max_threads();
    /* round 29 (issue 12): a spilled run too (its records ran after the
     * print on one core: 2.1 CPU s of a 45 s run at 100,000 households
     * under 256M); the records tick (run_spill_tick) like the print, so the
     * trims bound what both touch, and the thread's own buffers are small
     * (e2e memory_spill_high_water: the peak under a 49M budget) */
    if (threads < 2)
        return;                         /* one core: no one to overlap with */
    if (!room_beside_print(R))
        return;                         /* finding R1: a nearly full disk, serial order */
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
    /* round 28 (issue 12): and then what the thread computes ahead, here
     * too: the reconciliation and the manifest read one kept result instead
     * of scanning every transaction six times (the run's totals twice, each
     * transactions feed's once): a spilled 1,000,000-household run read its
     * 3 GB mapped table in each scan */
    if (b->ok && !b->R->pre && !cancelled(&b->cancel))
        precompute(b->R, &b->cancel);
    return b->ok;
}

void run_records_wait(run_records_bg *b)
{
    if (b->started && !b->finished) {
        cancel_now(b);
        pthread_join(b->th, NULL);
        b->finished = true;
    }
}

/* ---- computed ahead ------------------------------------------------------- */

#define PRE_FILES 8

struct run_pre {
    bool have_all;
    ccy_totals all;             /* feed -1 */
    ccy_totals *feed;           /* [n_feeds], have_feed[i] */
    bool *have_feed;
    uint64_t *shown;            /* r-twothr: [paragraphs], NULL = not kept */
    int n_files;
    struct {
        char path[4200];
        char hex[65];
        uint64_t bytes;
    } files[PRE_FILES];
};

static bool ccy_copy(const ccy_totals *from, ccy_totals *to)
{
    *to = *from;
    to->v = NULL;
    to->cap = to->n;
    if (!from->n)
        return true;
    to->v = malloc((size_t)from->n * sizeof *to->v);
    if (!to->v)
        return false;
    memcpy(to->v, from->v, (size_t)from->n * sizeof *to->v);
    return true;
}

/* In the records thread, after the record files: failures keep nothing
 * (the later call computes again and reports them in its place). */
static void precompute(run_state *R, const int *cancel)
{
    struct run_pre *P = calloc(1, sizeof *P);
    if (!P)
        return;
    int nf = R->job->n_feeds;
    P->feed = calloc((size_t)(nf ? nf : 1), sizeof *P->feed);
    P->have_feed = calloc((size_t)(nf ? nf : 1), sizeof *P->have_feed);
    if (!P->feed || !P->have_feed) {
        free(P->feed);
        free(P->have_feed);
        free(P);
        return;
    }
    folio_error e = {0};
    /* issue 12 part 1 (round 25): every feed's totals in the same scan */
    P->have_all = !cancelled(cancel) &&
                  ccy_totals_compute_each(R, &P->all, P->feed, P->have_feed, &e);
    if (!P->have_all)
        ccy_totals_free(&P->all);
    const folio_paragraphs *lib = R->layout->paragraphs;      /* r-twothr */
    if (lib && !cancelled(cancel) &&
        (P->shown = calloc((size_t)lib->n + 1, sizeof *P->shown)) &&
        !manifest_paragraphs_shown(R, P->shown, cancel)) {
        free(P->shown);
        P->shown = NULL;
    }
    static const char *const rec[] = {"audit.jsonl", "rejects.csv", "suppressed.csv",
                                      "contact_history.csv", "exceptions.csv", "not_due.csv",
                                      "statement_history.csv"};
    for (size_t k = 0; k < sizeof rec / sizeof *rec && P->n_files < PRE_FILES; k++) {
        char *path = P->files[P->n_files].path;
        snprintf(path, sizeof P->files[0].path, "%s/%s.part", R->out, rec[k]);
        folio_error he = {0};
        if (!cancelled(cancel) && access(path, F_OK) == 0 &&
            folio_sha256_file(path, P->files[P->n_files].hex, &P->files[P->n_files].bytes, &he))
            P->n_files++;
    }
    R->pre = P;
}

bool run_ccy_totals(const run_state *R, int feed, ccy_totals *C, folio_error *err)
{
    const struct run_pre *P = R->pre;
    if (P && feed < 0 && P->have_all && ccy_copy(&P->all, C))
        return true;
    if (P && feed >= 0 && feed < R->job->n_feeds && P->have_feed[feed] &&
        ccy_copy(&P->feed[feed], C))
        return true;
    return ccy_totals_compute(R, feed, C, err);
}

bool run_record_sha256(const run_state *R, const char *path, char hex[65], uint64_t *bytes,
                       folio_error *err)
{
    const struct run_pre *P = R->pre;
    for (int k = 0; P && k < P->n_files; k++)
        if (!strcmp(P->files[k].path, path)) {
            memcpy(hex, P->files[k].hex, 65);
            *bytes = P->files[k].bytes;
            return true;
        }
    return folio_sha256_file(path, hex, bytes, err);
}

bool run_paragraphs_shown(const run_state *R, uint64_t *shown)
{
    const struct run_pre *P = R->pre;
    if (P && P->shown) {
        memcpy(shown, P->shown, (size_t)R->layout->paragraphs->n * sizeof *shown);
        return true;
    }
    return manifest_paragraphs_shown(R, shown, NULL);
}

void run_pre_free(run_state *R)
{
    struct run_pre *P = R->pre;
    if (!P)
        return;
    free(P->shown);
    if (P->have_all)
        ccy_totals_free(&P->all);
    for (int i = 0; i < R->job->n_feeds; i++)
        if (P->have_feed[i])
            ccy_totals_free(&P->feed[i]);
    free(P->feed);
    free(P->have_feed);
    free(P);
    R->pre = NULL;
}
