/* SPDX-License-Identifier: Apache-2.0 */
/*
 * print.h -- the print stage of `folio run`: the production plan's print
 * files written through the ordered ring (sink.h) into one sink per format.
 *
 * Every thread composes (compose_household), finishes (finish.h) and
 * prepares (sink prepare) batches of statements in print order; the sinks
 * get them strictly in that order, opening a print file at its first piece
 * and closing it after its last.  So one print file is written by all
 * cores, and the bytes do not depend on the thread count.
 */
#ifndef FOLIO_PRINT_H
#define FOLIO_PRINT_H

#include "folio/compose.h"
#include "folio/finish.h"
#include "folio/production.h"
#include "folio/sink.h"
#include "stmt-spool.h"     /* issue 11 part 2 (r-once) */

/* The print formats, in the order of print_formats[] (print.c). */
enum { FOLIO_PRINT_PDF, FOLIO_PRINT_AFP, FOLIO_PRINT_TEXT, FOLIO_PRINT_FORMATS };

/* One format of one print file. */
typedef struct print_output {
    char name[192];               /* inside print/: BASE.pdf */
    char *path, *part;            /* final and temporary path */
    char sha256[65];
    folio_sink_result res;        /* bytes, pages, statements, substitutions */
} print_output;

/* One print file of the production plan (files[i] is plan->files[i]). */
typedef struct print_file {
    char name[192];               /* the name of its first format (PDF, else
                                     AFP, else text): how records name it */
    char pieces_name[192];        /* its pieces file: BASE.pieces.csv */
    char *pieces_path, *pieces_part;
    uint32_t statements, pages, sheets;   /* planned */
    uint64_t pieces_bytes;
    char pieces_sha256[65];
    print_output out[FOLIO_PRINT_FORMATS];
    folio_error err;
} print_file;

typedef struct print_format {
    const char *key;              /* output.print.KEY */
    const folio_sink_type *type;
} print_format;
extern const print_format print_formats[FOLIO_PRINT_FORMATS];

/* Is format k written by this job? */
bool print_format_on(const folio_job *job, int k);

typedef struct print_params {
    const folio_job *job;
    const folio_layout *layout;
    const folio_plan *plan;
    const folio_production_plan *prod;
    const folio_piece_input *pin;
    const uint32_t *print_hh;     /* household of each production input */
    const folio_compose_result *res;  /* pass 1's result per household */
    /* issue 11 part 2 (r-once): pass 1's statements by household (NULL =
     * none): a household kept there is taken, not composed again;
     * composed_again (out) counts the others */
    stmt_spool *kept;
    uint64_t composed_again;
    const char *out;              /* OUT */
    int threads;
    print_file *files;
    size_t n_files;
    /* issue 11 part 1: one more sink that gets every statement after the
     * formats (the proof sample, sink-proof.h); NULL = none.  extra_self
     * is its open instance (the caller opens and closes it). */
    const folio_sink_type *extra;
    const void *extra_opt;
    void *extra_self;
    volatile uint64_t *done;      /* pages written (progress) */
    void (*progress)(void *ctx, uint64_t done, uint64_t total);
    void *progress_ctx;
    /* out: CPU seconds summed over threads: compose + finish, the sinks'
     * prepare, the ordered write (add_statement, close, checksums) */
    double t_compose, t_prepare, t_write;
    double t_deflate;             /* issue 11: the part of t_prepare spent deflating */
} print_params;

/* Fill files[] (names and paths) from the production plan. */
bool print_files_new(print_params *p, folio_error *err);
void print_files_free(print_file *files, size_t n);
/* Write every print file (under .part names) and its pieces file.  On
 * failure every .part is removed; err is the error of the first statement
 * in print order. */
bool print_write(print_params *p, folio_error *err);
/* Remove every temporary print output. */
void print_unlink_parts(print_file *files, size_t n);

/* The finish stage of production piece `piece` (duplex padding, marks as
 * printed), for print files and the proof sample alike. */
bool print_finish_piece(const folio_job *job, const folio_layout *layout,
                        const folio_production_plan *prod, const folio_piece_input *pin,
                        size_t piece, folio_dl_statement *st, folio_error *err);

#endif
