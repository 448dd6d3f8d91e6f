/* SPDX-License-Identifier: Apache-2.0 */
/*
 * folio/sink.h -- the output side of the pipeline: sinks and the ordered ring.
 *
 * Stages run in one direction:
 *   plan     what is printed, suppressed, routed (compose_plan_new, plan.h)
 *   compose  household -> display-list statement (compose_household)
 *   finish   duplex padding, inserter marks, index tags (finish.h)
 *   ring     batches of finished statements, made by every thread, handed
 *            to the sinks strictly in order (folio_ring_run below)
 *   sinks    one per output file: PDF, AFP, plain text, ... (this file)
 *
 * A sink sees display lists only (dlist.h) and its own options: never the
 * feeds, the households or the job.  Adding an output format is one sink
 * type (one new file, src/sink-NAME.c) and one row of the print formats
 * table (src/print.c).
 *
 * Threads: prepare() is called from any worker thread, concurrently with
 * itself and with add_statement() of any instance of the type; it may read
 * only `opt` and the statement.  Everything else (open, add_statement,
 * close, abort) is called by one thread at a time, in order.
 */
#ifndef FOLIO_SINK_H
#define FOLIO_SINK_H

#include "folio/afp.h"
#include "folio/common.h"
#include "folio/dlist.h"
#include "folio/pdf.h"

/* What a sink wrote, filled by close(). */
typedef struct folio_sink_result {
    uint64_t bytes;              /* size of the file */
    uint32_t pages;              /* pages written (blank backs included) */
    uint32_t statements;         /* statements (page groups) written */
    uint64_t substituted;        /* characters the format could not show
                                  * (written as a substitute) */
    uint32_t substituted_ex[8];  /* the first distinct ones (0 = none) */
    uint64_t cut;                /* index values cut to fit the format */
    char cut_first[160];         /* the first one cut ("group G, ATTRIBUTE") */
    char sha256[65];             /* issue 11 (r-speed): the file's SHA-256 when the
                                  * sink computed it as it wrote, "" = not known */
} folio_sink_result;

typedef struct folio_sink_type {
    const char *name;            /* "pdf", "afp", "text": the manifest format */
    const char *ext;             /* file name extension, ".pdf" */
    /* Start writing to `path` (created by the caller, empty).  opt is the
     * type's own options struct; returns the instance or NULL with err. */
    void *(*open)(const void *opt, const char *path, folio_error *err);
    /* Optional (NULL = none): thread-safe work on one statement (render,
     * compress), done by the worker that composed it.  Returns an opaque
     * blob handed to add_statement and then freed with release(); NULL with
     * err set on failure. */
    void *(*prepare)(const void *opt, const folio_dl_statement *st, folio_error *err);
    void (*release)(void *prepared);
    /* issue 11 (speed): optional, the seconds of prepare() that went to
     * compressing this blob (part of prepare's time), for the stage split:
     * busy time on the monotonic clock (r-pwrite), which the ring scales to
     * the batch's thread CPU time */
    double (*deflate_s)(const void *prepared);
    /* Append one statement, in order.  prepared is prepare()'s blob (NULL
     * without prepare).  On failure the instance is only good for abort(). */
    bool (*add_statement)(void *self, const folio_dl_statement *st, void *prepared,
                          folio_error *err);
    /* Finish the file, fill *res and free the instance (also on failure). */
    bool (*close)(void *self, folio_sink_result *res, folio_error *err);
    /* Free without finishing; the partial file is left to the caller. */
    void (*abort)(void *self);
} folio_sink_type;

/* ---- the print formats (src/sink-*.c) ------------------------------------ */

/* PDF print file (libharu, pdf.h).  prepare formats and deflates the pages
 * in the worker threads (pdf_prepare_statement); add_statement appends them
 * in order (pdf_writer_add_prepared). */
typedef struct folio_sink_pdf_options {
    const folio_layout_font *fonts;
    int n_fonts;
    folio_pdf_options pdf;
} folio_sink_pdf_options;
extern const folio_sink_type folio_sink_pdf;

/* AFP print file (MO:DCA-P, afp.h). */
typedef struct folio_sink_afp_options {
    const folio_layout *layout;
    const folio_afp_options *afp;
    bool duplex;                 /* IMM per statement: duplex medium map */
} folio_sink_afp_options;
extern const folio_sink_type folio_sink_afp;

/* Plain-text print file (src/sink-text.c): UTF-8, one line per baseline of
 * text on the page (runs left to right, placed at column x / col_w, at
 * least one space apart), rules and boxes left out, a form feed (0x0C)
 * before every page but the first, blank back sides as empty pages.
 * Control characters in text are written as '?' (counted as substituted),
 * so a page break is always a page break. */
typedef struct folio_sink_text_options {
    int32_t col_w;               /* units per column (0 = 144: 10 per inch) */
} folio_sink_text_options;
extern const folio_sink_type folio_sink_text;

/* Pieces file of one print file (src/sink-pieces.c, issue 11): the
 * inserter's rows (production_pieces_csv's header, then one
 * production_pieces_row per statement).  Options per print file (print.c
 * points them at the file before opening it).  add_statement checks the
 * statement against the file's next planned piece -- household id, pages,
 * sheets -- and fails on any difference (a job error naming the piece, never
 * a pieces file that describes something else than the print file); close
 * fails when pieces are missing.  close hashes as written (res->sha256). */
struct folio_production_plan;
struct folio_piece_input;
typedef struct folio_sink_pieces_options {
    const struct folio_production_plan *plan;
    const struct folio_piece_input *in;   /* the plan's inputs (household ids) */
    size_t file;                 /* plan->files[file] */
    const char *file_name;       /* the `file` column: BASE.pdf */
    bool duplex;                 /* sheets = ceil(pages / 2) */
} folio_sink_pieces_options;
extern const folio_sink_type folio_sink_pieces;

/* ---- record sinks (src/sink-records.c, issue 11) --------------------------
 *
 * The record files (suppressed.csv, audit.jsonl, contact_history.csv) hold
 * one record per household in household order, of households that never
 * reach the print ring too (suppressed, e-mail only).  Their items are not
 * display lists: a folio_record is the rows one household adds to one file,
 * made by the record ring's make() from the run's decisions (records.c,
 * nothing composed).  A record sink shares the protocol of folio_sink_type
 * (open, add, close, abort) and, like it, never sees the feeds, households
 * or job. */
typedef struct folio_record {
    size_t seq;                  /* position in the run (household index):
                                  * strictly increasing per sink */
    const char *data;            /* whole lines */
    size_t len;
} folio_record;

typedef struct folio_record_sink_type {
    const char *name;
    /* Create `path` (O_EXCL, never through a link) and start writing. */
    void *(*open)(const void *opt, const char *path, folio_error *err);
    /* Append one record, in order.  On failure only good for abort(). */
    bool (*add_record)(void *self, const folio_record *rec, folio_error *err);
    /* Finish the file (bytes, statements = records, sha256 as written) and
     * free the instance, also on failure (the file is then removed). */
    bool (*close)(void *self, folio_sink_result *res, folio_error *err);
    /* Free without finishing and remove the file. */
    void (*abort)(void *self);
} folio_record_sink_type;

/* A record file: `head` (a header line, or rows that come before every
 * household's, e.g. the contacts read) and then the records' bytes, written
 * through a 256 KiB buffer; close fsyncs. */
typedef struct folio_sink_record_file_options {
    const char *head;
    size_t head_len;
} folio_sink_record_file_options;
extern const folio_record_sink_type folio_sink_record_file;

/* The record ring: items 0..n-1 (households) in order on the calling thread
 * (the records thread, run-records-bg.c).  Every sink opened in order on
 * path[j]; make() fills out[j] with item i's record for sink j (left empty:
 * none); each non-empty one goes to add_record in sink order.  done()
 * (optional) runs after the last item.  Then every sink closed in order
 * into res[j] (after a failed close the rest aborted); on any failure every
 * open sink aborted, its file removed, and err is the first failure. */
#define FOLIO_RECORD_RING_MAX 8
typedef struct folio_record_ring {
    size_t n;
    void *ctx;
    int n_sinks;
    const folio_record_sink_type *const *type;
    const void *const *opt;
    const char *const *path;
    bool (*make)(void *ctx, size_t i, folio_buf *out, folio_error *err);
    bool (*done)(void *ctx, folio_error *err);
    folio_sink_result *res;      /* [n_sinks], out */
} folio_record_ring;

bool folio_record_ring_run(folio_record_ring *r, folio_error *err);

/* ---- the ordered ring ----------------------------------------------------- */

/* Items 0..n-1 (statements in output order) are made in batches by every
 * thread: make() composes and finishes item i into the batch's arena, then
 * prepare() of each of the n_prep sink types runs on it.  deliver() gets the
 * items strictly in order, one call at a time (whichever thread holds the
 * writer's turn), with the blobs of each type; they are released after it
 * returns.  Memory holds at most `slots` batches.
 *
 * Errors: the error of the lowest item wins (make, prepare or deliver), so
 * the message does not depend on the number of threads; every item before
 * it is made and delivered, none after it is delivered. */
typedef struct folio_ring {
    size_t n;                    /* items */
    uint32_t batch;              /* items per batch (0 = 16) */
    int threads;                 /* worker threads (<= 0: OpenMP's default) */
    void *ctx;
    folio_dl_statement *(*make)(void *ctx, size_t i, folio_arena *arena, folio_error *err);
    const folio_sink_type *const *prep;  /* types whose prepare() runs per item */
    const void *const *prep_opt;         /* ... with these options */
    int n_prep;
    bool (*deliver)(void *ctx, size_t i, const folio_dl_statement *st, void *const *prepared,
                    folio_error *err);
    /* out: CPU seconds of the threads in make, prepare, deliver (summed) */
    double t_make, t_prepare, t_deliver;
    double t_deflate;            /* issue 11: the part of t_prepare spent compressing */
} folio_ring;

#define FOLIO_RING_MAX_PREP 8

bool folio_ring_run(folio_ring *r, folio_error *err);

#endif
