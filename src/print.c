/* SPDX-License-Identifier: Apache-2.0 */
/*
 * print.c -- the print stage (print.h): production plan -> ring -> sinks.
 */
#include "print.h"
#include "sinks.h"         /* issue 11: open, add, close or abort together */

#include "folio/job.h"
#include "folio/marks.h"
#include "pdf-vt.h"          /* issue 14 part 3 */

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

/* The print formats.  A new format: its sink (src/sink-NAME.c), a row here,
 * its options in print_sink_options() and its job key (job.c). */
const print_format print_formats[FOLIO_PRINT_FORMATS] = {
    [FOLIO_PRINT_PDF] = {"pdf", &folio_sink_pdf},
    [FOLIO_PRINT_AFP] = {"afp", &folio_sink_afp},
    [FOLIO_PRINT_TEXT] = {"text", &folio_sink_text},
};

bool print_format_on(const folio_job *job, int k)
{
    switch (k) {
    case FOLIO_PRINT_PDF: return job->print_pdf;
    case FOLIO_PRINT_AFP: return job->afp && job->afp->enabled;
    case FOLIO_PRINT_TEXT: return job->print_text;
    default: return false;
    }
}

/* The options of every format, built once per run. */
typedef struct print_sink_opts {
    char subject[128];
    folio_sink_pdf_options pdf;
    folio_sink_afp_options afp;
    folio_sink_text_options text;
} print_sink_opts;

static const void *print_sink_options(const print_params *p, print_sink_opts *o, int k)
{
    const folio_job *J = p->job;
    switch (k) {
    case FOLIO_PRINT_PDF: {
        char d0[16], d1[16];
        folio_date_format(J->period_start, "YYYY-MM-DD", d0, sizeof d0);
        folio_date_format(J->period_end, "YYYY-MM-DD", d1, sizeof d1);
        snprintf(o->subject, sizeof o->subject, "Statements %s to %s", d0, d1);
        o->pdf = (folio_sink_pdf_options){
            .fonts = p->layout->fonts, .n_fonts = p->layout->n_fonts,
            .pdf = {.title = J->name, .author = J->bank_name, .subject = o->subject,
                    .doc_date = J->statement_date, .compression = J->compression,
                    .vt = J->pdfvt}};            /* issue 14 part 3 */
        return &o->pdf;
    }
    case FOLIO_PRINT_AFP:
        o->afp = (folio_sink_afp_options){.layout = p->layout, .afp = J->afp,
                                          .duplex = J->duplex};
        return &o->afp;
    case FOLIO_PRINT_TEXT:
        o->text = (folio_sink_text_options){.col_w = 0};
        return &o->text;
    default:
        return NULL;
    }
}

bool print_files_new(print_params *p, folio_error *err)
{
    p->files = calloc(p->prod->n_files ? p->prod->n_files : 1, sizeof *p->files);
    if (!p->files) {
        folio_error_set(err, FOLIO_EXIT_FAILED, "out of memory");
        return false;
    }
    p->n_files = p->prod->n_files;
    for (size_t i = 0; i < p->n_files; i++) {
        const folio_prod_file *pf = &p->prod->files[i];
        print_file *f = &p->files[i];
        snprintf(f->pieces_name, sizeof f->pieces_name, "%s.pieces.csv", pf->base);
        f->statements = pf->n_pieces;
        f->pages = pf->pages;
        f->sheets = pf->sheets;
        if (asprintf(&f->pieces_path, "%s/print/%s", p->out, f->pieces_name) < 0 ||
            asprintf(&f->pieces_part, "%s/print/%s.part", p->out, f->pieces_name) < 0) {
            f->pieces_path = f->pieces_part = NULL;
            folio_error_set(err, FOLIO_EXIT_FAILED, "out of memory");
            return false;
        }
        for (int k = 0; k < FOLIO_PRINT_FORMATS; k++) {
            print_output *o = &f->out[k];
            snprintf(o->name, sizeof o->name, "%s%s", pf->base, print_formats[k].type->ext);
            if (!print_format_on(p->job, k))
                continue;
            if (!f->name[0])
                memcpy(f->name, o->name, sizeof f->name);
            if (asprintf(&o->path, "%s/print/%s", p->out, o->name) < 0 ||
                asprintf(&o->part, "%s/print/%s.part", p->out, o->name) < 0) {
                o->path = o->part = NULL;
                folio_error_set(err, FOLIO_EXIT_FAILED, "out of memory");
                return false;
            }
        }
    }
    return true;
}

void print_files_free(print_file *files, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        free(files[i].pieces_path);
        free(files[i].pieces_part);
        for (int k = 0; k < FOLIO_PRINT_FORMATS; k++) {
            free(files[i].out[k].path);
            free(files[i].out[k].part);
        }
    }
    free(files);
}

void print_unlink_parts(print_file *files, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        for (int k = 0; k < FOLIO_PRINT_FORMATS; k++)
            if (files[i].out[k].part)
                unlink(files[i].out[k].part);
        if (files[i].pieces_part)
            unlink(files[i].pieces_part);
    }
}

bool print_finish_piece(const folio_job *job, const folio_layout *layout,
                        const folio_production_plan *prod, const folio_piece_input *pin,
                        size_t piece, folio_dl_statement *st, folio_error *err)
{
    const folio_prod_piece *pc = &prod->pieces[piece];
    const folio_piece_input *in = &pin[pc->input];
    /* every statement starts on a new sheet, so its first sheet in the file
     * follows from its first page */
    folio_piece_marks pm = {
        .piece_id = pc->id, .imb_serial = pc->serial, .routing_zip = in->postal_code,
        .no_imb = !production_is_us(in->country), .duplex = job->duplex,
        .first_sheet = job->duplex ? (pc->first_page + 1) / 2 : pc->first_page};
    folio_finish f = {.duplex = job->duplex, .marks = job->marks, .layout = layout};
    return finish_statement(&f, st, &pm, err);
}

/* ---- the ring's callbacks ------------------------------------------------- */

typedef struct print_run {
    print_params *p;
    print_sink_opts opts;
    int fmt[FOLIO_PRINT_FORMATS];          /* formats written, in table order */
    const folio_sink_type *types[FOLIO_PRINT_FORMATS];
    const void *topt[FOLIO_PRINT_FORMATS];
    int n_fmt;
    size_t cur;                            /* file being written */
    folio_sinks sinks;                     /* its sinks (the formats, then the
                                            * pieces file); .open: a file is open */
    folio_sink_pieces_options pieces_opt;  /* issue 11: the pieces sink's, per file */
    uint64_t total_pages, last_progress;
    uint64_t composed_again;               /* issue 11 part 2 (r-once) */
} print_run;

static folio_dl_statement *print_make(void *ctx, size_t i, folio_arena *arena,
                                      folio_error *err)
{
    print_run *P = ctx;
    const print_params *p = P->p;
    if (folio_stopped(err))
        return NULL;
    const folio_prod_piece *piece = &p->prod->pieces[i];
    uint32_t h = p->print_hh[piece->input];
    folio_dl_statement *st;
    if (p->kept && stmt_spool_has(p->kept, h)) {   /* issue 11 part 2 (r-once): once */
        if (!(st = stmt_spool_take(p->kept, h, arena, err)))
            return NULL;
        /* the statement read back is this household's (a damaged work file
         * that still decodes never prints another; its pages are checked
         * against the piece below) */
        if (strcmp(st->id, p->plan->hs->v[h].id) != 0) {
            folio_error_set(err, FOLIO_EXIT_FAILED,
                            "internal error: the kept statement of household %s reads back "
                            "as household %s", p->plan->hs->v[h].id, st->id);
            return NULL;
        }
    } else {
        folio_compose_result res;
        st = compose_household(p->plan, h, arena, &res, err);
        if (!st)
            return NULL;
        __atomic_add_fetch(&P->composed_again, 1, __ATOMIC_RELAXED);
        if (res.pages != p->res[h].pages) {
            folio_error_set(err, FOLIO_EXIT_FAILED,
                            "internal error: household %s composed to %u pages, then %u",
                            st->id, p->res[h].pages, res.pages);
            return NULL;
        }
    }
    if (!print_finish_piece(p->job, p->layout, p->prod, p->pin, i, st, err))
        return NULL;
    if (p->job->pdfvt) {                 /* issue 14 part 3: the DPart's metadata */
        char serial[24];
        snprintf(serial, sizeof serial, "%0*llu", p->prod->serial_digits,
                 (unsigned long long)piece->serial);
        if (!pdfvt_tag_piece(st, piece->id, piece->sheets, p->prod->streams[piece->stream].name,
                             serial, p->files[piece->file].out[FOLIO_PRINT_PDF].name)) {
            folio_error_set(err, FOLIO_EXIT_FAILED, "out of memory");
            return NULL;
        }
    }
    if (st->n_pages != piece->pages) {
        folio_error_set(err, FOLIO_EXIT_FAILED,
                        "internal error: piece %s has %u pages, %u planned", piece->id,
                        st->n_pages, piece->pages);
        return NULL;
    }
    return st;
}

/* Create the .part of print file i's formats and open their sinks. */
static bool open_file(print_run *P, size_t i, folio_error *err)
{
    print_file *f = &P->p->files[i];
    char *parts[FOLIO_PRINT_FORMATS + 1];
    for (int j = 0; j < P->n_fmt; j++)
        parts[j] = f->out[P->fmt[j]].part;
    parts[P->n_fmt] = f->pieces_part;      /* issue 11: the pieces sink, last */
    P->pieces_opt.file = i;                /* its options are the file's */
    P->pieces_opt.file_name = f->name;
    P->cur = i;
    return folio_sinks_open(&P->sinks, parts, err);
}

/* Close the sinks of the open file (its pieces file last), check what they
 * wrote against the plan and checksum it. */
static bool close_file(print_run *P, folio_error *err)
{
    print_file *f = &P->p->files[P->cur];
    folio_sink_result *res[FOLIO_PRINT_FORMATS + 1], pres = {0};
    for (int j = 0; j < P->n_fmt; j++)
        res[j] = &f->out[P->fmt[j]].res;
    res[P->n_fmt] = &pres;
    bool ok = folio_sinks_finish(&P->sinks, true, res, err);
    if (ok) {                              /* issue 11: hashed as it was written */
        f->pieces_bytes = pres.bytes;
        memcpy(f->pieces_sha256, pres.sha256, sizeof f->pieces_sha256);
    }
    for (int j = 0; ok && j < P->n_fmt; j++) {
        print_output *o = &f->out[P->fmt[j]];
        if (o->res.pages != f->pages || o->res.statements != f->statements) {
            folio_error_set(err, FOLIO_EXIT_FAILED,
                            "internal error: %s has %u pages in %u statements, %u pages in "
                            "%u statements planned", o->name, o->res.pages,
                            o->res.statements, f->pages, f->statements);
            ok = false;
        } else if (o->res.sha256[0]) {     /* issue 11 (r-speed): hashed as written */
            memcpy(o->sha256, o->res.sha256, sizeof o->sha256);
        } else {
            ok = folio_sha256_file(o->part, o->sha256, NULL, err);
        }
    }
    return ok;
}

static bool print_deliver(void *ctx, size_t i, const folio_dl_statement *st,
                          void *const *prepared, folio_error *err)
{
    print_run *P = ctx;
    const print_params *p = P->p;
    size_t fi = p->prod->pieces[i].file;
    if (P->sinks.open && fi != P->cur && !close_file(P, err))
        return false;
    if (!P->sinks.open) {
        if (fi >= p->n_files || i != p->prod->files[fi].first_piece) {
            folio_error_set(err, FOLIO_EXIT_FAILED,
                            "internal error: piece %zu out of its print file's order", i);
            return false;
        }
        if (!open_file(P, fi, err))
            return false;
    }
    if (!folio_sinks_add(&P->sinks, st, prepared, err))
        return false;
    if (p->extra && !p->extra->add_statement(p->extra_self, st, prepared[P->n_fmt + 1], err))
        return false;                   /* issue 11 part 1: the proof sample */
    *p->done += st->n_pages;
    /* issue 12 part 1: every 64 pages (was 2,000): the callback also trims a
     * spilled run's work-file pages (run-spill.h) */
    if (p->progress && *p->done - P->last_progress >= 64) {
        P->last_progress = *p->done;
        p->progress(p->progress_ctx, *p->done, P->total_pages);
    }
    return true;
}

bool print_write(print_params *p, folio_error *err)
{
    print_run P = {.p = p};
    for (int k = 0; k < FOLIO_PRINT_FORMATS; k++) {
        if (!print_format_on(p->job, k))
            continue;
        P.fmt[P.n_fmt] = k;
        P.types[P.n_fmt] = print_formats[k].type;
        P.topt[P.n_fmt] = print_sink_options(p, &P.opts, k);
        P.n_fmt++;
    }
    /* issue 11: the pieces file is a sink of every print file, after the
     * formats; no prepare() (its slot in the ring's blobs stays NULL) */
    P.pieces_opt = (folio_sink_pieces_options){.plan = p->prod, .in = p->pin,
                                               .duplex = p->job->duplex};
    P.sinks.n = P.n_fmt + 1;
    memcpy(P.sinks.type, P.types, sizeof P.types);
    memcpy(P.sinks.opt, P.topt, sizeof P.topt);
    P.sinks.type[P.n_fmt] = &folio_sink_pieces;
    P.sinks.opt[P.n_fmt] = &P.pieces_opt;
    size_t n = 0;
    for (size_t i = 0; i < p->n_files; i++) {
        P.total_pages += p->files[i].pages;
        n += p->files[i].statements;
    }
    *p->done = 0;
    /* the formats' prepare, the pieces sink's (none), then the extra sink's
     * (issue 11 part 1): blob j is sink j's (folio_sinks_add) */
    const folio_sink_type *prep[FOLIO_PRINT_FORMATS + 2];
    const void *prep_opt[FOLIO_PRINT_FORMATS + 2];
    memcpy(prep, P.sinks.type, sizeof *prep * (size_t)P.sinks.n);
    memcpy(prep_opt, P.sinks.opt, sizeof *prep_opt * (size_t)P.sinks.n);
    int n_prep = P.sinks.n;
    if (p->extra) {
        prep[n_prep] = p->extra;
        prep_opt[n_prep++] = p->extra_opt;
    }
    folio_ring ring = {
        .n = n, .batch = 8, .threads = p->threads, .ctx = &P, .make = print_make,
        .prep = prep, .prep_opt = prep_opt, .n_prep = n_prep, .deliver = print_deliver};
    bool ok = folio_ring_run(&ring, err);
    struct timespec t0, t1;
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t0);
    if (ok && P.sinks.open)
        ok = close_file(&P, err);
    else
        folio_sinks_finish(&P.sinks, false, NULL, err);   /* every sink aborted, none closed */
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t1);
    p->t_compose = ring.t_make;
    p->composed_again = P.composed_again;   /* issue 11 part 2 (r-once) */
    p->t_prepare = ring.t_prepare;
    p->t_deflate = ring.t_deflate;        /* issue 11: stage split */
    p->t_write = ring.t_deliver + (double)(t1.tv_sec - t0.tv_sec) +
                 (t1.tv_nsec - t0.tv_nsec) / 1e9;   /* the last file's close */
    if (!ok)
        print_unlink_parts(p->files, p->n_files);
    return ok;
}
