/* SPDX-License-Identifier: Apache-2.0 */
/*
 * run-report.c -- what a run tells its caller: events while it runs
 * (phases, progress), warnings, and at the end the report the CLI prints as
 * the summary (folio/run.h).  The library prints nothing; src/cli-run.c
 * does.
 */
#include "run-report.h"

#include "folio/exceptions.h"
#include "folio/feed.h"
#include "folio/pdf.h"

#include <omp.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void run_event(run_state *R, const folio_run_event *ev)
{
    if (ev->kind == FOLIO_RUN_PHASE)    /* issue 16 part 5: the report's timings */
        folio_phases_mark(&R->phases, ev->name, ev->elapsed);
    if (R->opt->on_event)
        R->opt->on_event(R->opt->event_ctx, ev);
}

void run_warn(run_state *R, const char *fmt, ...)
{
    folio_run_report *rep = R->rep;
    char **v = realloc(rep->warnings, (rep->n_warnings + 1) * sizeof *v);
    if (!v)
        return;                         /* out of memory: the warning is lost, not the run */
    rep->warnings = v;
    va_list ap;
    va_start(ap, fmt);
    int n = vasprintf(&v[rep->n_warnings], fmt, ap);
    va_end(ap);
    if (n >= 0)
        rep->n_warnings++;
}

/* Statements per language and how many used a fallback text (the summary's
 * languages line). */
static void report_languages(const run_state *R, folio_run_report *rep)
{
    const folio_layout *L = R->layout;
    int nl = L->n_languages < 16 ? L->n_languages : 16;
    rep->languages = calloc((size_t)nl + 1, sizeof *rep->languages);
    rep->by_language = calloc((size_t)nl + 1, sizeof *rep->by_language);
    if (!rep->languages || !rep->by_language)
        return;
    uint64_t per[16] = {0}, fallback = 0;
    for (size_t h = 0; h < R->hs.n; h++)
        if (R->in_shard[h] && R->decided[h] &&
            R->plan->households[h].channel != FOLIO_CHANNEL_SUPPRESSED) {
            per[R->res[h].language & 15]++;
            fallback += R->res[h].fallback;
        }
    for (int l = 0; l < nl; l++) {
        rep->languages[l] = strdup(L->languages[l]);
        rep->by_language[l] = per[l];
    }
    rep->n_languages = nl;
    rep->fallback_statements = fallback;
}

/* Statements with an offer, offers shown and held out. */
static void report_offers(const run_state *R, folio_run_report *rep)
{
    if (!R->offers)
        return;
    uint64_t with = 0, shown = 0, held = 0, stmts = 0;
    for (size_t h = 0; h < R->hs.n; h++) {
        if (!R->in_shard[h] || !R->decided[h] ||
            R->plan->households[h].channel == FOLIO_CHANNEL_SUPPRESSED)
            continue;
        const folio_compose_result *rs = &R->res[h];
        bool any = false;
        stmts++;
        for (int i = 0; i < rs->n_offers; i++) {
            if (rs->offers[i].holdout) {
                held++;
            } else {
                shown++;
                any = true;
            }
        }
        with += any;
    }
    rep->offers = true;
    rep->offers_shown = shown;
    rep->offers_statements_with = with;
    rep->offers_statements = stmts;
    rep->offers_held_out = held;
}

void run_report_fill(run_state *R, const totals *T, const run_times *t)
{
    folio_run_report *rep = R->rep;
    rep->job_name = strdup(R->job->name ? R->job->name : "");
    rep->out_dir = strdup(R->out);
    rep->households = T->households;
    memcpy(rep->statements, T->statements, sizeof rep->statements);
    rep->print_statements = R->n_print;
    rep->print_files = R->n_files;
    rep->print_pages = T->pages_print;
    rep->print_sheets = T->sheets;
    rep->streams = calloc(R->prod->n_streams + 1, sizeof *rep->streams);
    for (uint32_t s = 0; rep->streams && s < R->prod->n_streams; s++) {
        const folio_prod_stream *ps = &R->prod->streams[s];
        if (!ps->statements)
            continue;
        folio_run_stream_summary *o = &rep->streams[rep->n_streams++];
        o->name = strdup(ps->name);
        o->statements = ps->statements;
        o->sheets = ps->sheets;
        o->files = R->n_files ? ps->n_files : 0;
    }
    rep->archive_documents = R->arch.n_docs;
    rep->archive_pages = R->arch.pages_total;
    rep->archive_zips = R->arch.n_zips;
    rep->notifications = R->arch.notifications;
    rep->archive_seconds = R->arch.seconds;
    rep->acc_read = T->acc_read;
    rep->acc_composed = T->acc_composed;
    rep->acc_suppressed = T->acc_suppressed;
    rep->acc_rejected = T->acc_rejected;
    rep->txn_read = T->txn_read;
    rep->txn_composed = T->txn_composed;
    rep->txn_suppressed = T->txn_suppressed;
    rep->txn_rejected = T->txn_rejected;
    report_languages(R, rep);
    report_offers(R, rep);
    if (R->proof.written) {
        rep->proofs = true;
        rep->proof_households = R->proof.cover.n_picked;
        rep->proof_pages = R->proof.pages;
        rep->proof_keys = R->proof.cover.n_keys;
        rep->proof_keys_covered = R->proof.cover.n_keys - R->proof.cover.n_uncovered;
        rep->proof_seconds = t->proof;
    }
    rep->rejects = T->rejects;
    rep->exceptions = R->ds->exceptions.n;
    size_t nl = R->ds->exceptions.n < 20 ? R->ds->exceptions.n : 20;
    rep->exception_lines = nl ? calloc(nl, sizeof *rep->exception_lines) : NULL;
    for (size_t i = 0; rep->exception_lines && i < nl; i++) {   /* sorted when written */
        const folio_exception *e = &R->ds->exceptions.v[i];
        if (asprintf(&rep->exception_lines[rep->n_exception_lines], "%s: household %s: %s (%s)",
                     folio_exception_kind_name(e->kind), e->household, e->detail,
                     e->action) < 0)
            break;
        rep->n_exception_lines++;
    }
    rep->seconds = t->total;
    rep->load_seconds = t->load;
    rep->compose_seconds = t->compose;
    rep->write_seconds = t->write;
    rep->threads = omp_get_max_threads();
    /* the print stage per stage, CPU seconds summed over the threads */
    rep->stage_plan_s = t->plan;
    rep->stage_compose_s = R->t_print_compose;
    rep->stage_prepare_s = R->t_print_prepare;
    rep->stage_write_s = R->t_print_write;
    rep->stage_deflate_s = R->t_print_deflate;          /* issue 11 */
    rep->stage_render_s = R->t_print_prepare - R->t_print_deflate;
    rep->kept = R->kept.n_kept;          /* issue 11 part 2 (r-once) */
    rep->kept_bytes = R->kept.bytes;
    rep->composed_again = R->composed_again;
    folio_pdf_stats ps;   /* every PDF writer of the run: print, archive, proofs */
    pdf_stats_get(&ps);
    rep->pdf_pages = ps.pages;
    rep->pdf_format_s = ps.format_ns / 1e9;
    rep->pdf_deflate_s = ps.deflate_ns / 1e9;
    rep->pdf_emit_s = ps.emit_ns / 1e9;
}

void folio_run_report_free(folio_run_report *rep)
{
    if (!rep)
        return;
    free(rep->job_name);
    free(rep->out_dir);
    for (size_t s = 0; s < rep->n_streams; s++)
        free(rep->streams[s].name);
    free(rep->streams);
    for (int l = 0; rep->languages && l < rep->n_languages; l++)
        free(rep->languages[l]);
    free(rep->languages);
    free(rep->by_language);
    for (size_t i = 0; i < rep->n_warnings; i++)
        free(rep->warnings[i]);
    free(rep->warnings);
    for (size_t i = 0; i < rep->n_exception_lines; i++)
        free(rep->exception_lines[i]);
    free(rep->exception_lines);
    memset(rep, 0, sizeof *rep);
}
