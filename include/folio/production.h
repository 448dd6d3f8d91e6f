/* SPDX-License-Identifier: Apache-2.0 */
/*
 * folio/production.h -- print production: mail streams, presort, splitting,
 * mail pieces, the inserter data file and `folio verify`.
 *
 * Order of calls (src/run.c):
 *   production_options_read()  from job.c, on the job's `output:` map: reads
 *                              `output.streams` and `output.pieces` (defaults
 *                              when absent);
 *   production_plan_new()      after pass 1, with one folio_piece_input per
 *                              print statement (household order): assigns each
 *                              statement to the first stream whose conditions
 *                              all hold, sorts every stream by normalised
 *                              postal code then household id, splits each
 *                              stream into print files of at most max_sheets
 *                              sheets (never inside a statement) and numbers
 *                              the mail pieces in print order;
 *   production_pieces_csv()    per print file, the rows of its pieces file;
 *   production_plan_free().
 *
 * Sheets: simplex, one page per sheet; duplex, every statement starts on a
 * new sheet, so a statement with an odd page count gets a blank back page and
 * takes ceil(pages / 2) sheets.
 *
 * Piece ids are "P" + 7 digits (more when the run has more than 9,999,999
 * pieces), sequential from P0000001 in print order: streams in configured
 * order, files in order, statements in file order.  The IMb serial of a
 * piece is serial_start + its index, zero-padded to 15 - len(mailer id)
 * digits (6-digit mailer id: 9 digits; 9-digit mailer id: 6 digits).
 *
 * Lifetime: a plan owns its arrays; the folio_piece_input array given to
 * production_plan_new() is not kept (its strings are not referenced later).
 */
#ifndef FOLIO_PRODUCTION_H
#define FOLIO_PRODUCTION_H

#include "folio/common.h"

#include <stdio.h>

struct yt_doc;
struct yt_node;

#define FOLIO_STREAM_NAME_MAX 32      /* bytes of a stream name, NUL excluded */

/* One mail stream of `output.streams`: a household goes to the first stream
 * whose conditions ALL hold (an absent condition always holds). */
typedef struct folio_stream_def {
    char *name;                 /* [A-Za-z0-9_-], unique, not "suppressed" */
    int8_t foreign;             /* -1 any; 0 domestic (US) only; 1 foreign only */
    int8_t channel;             /* -1 any; else a folio_channel (print or both) */
    uint32_t min_sheets;        /* 0 = no lower bound */
    uint32_t max_sheets;        /* 0 = no upper bound */
    char **segments; int n_segments;           /* primary customer's segment in list */
    char **states; int n_states;               /* state / region in list (case-insensitive) */
    char **countries; int n_countries;         /* country code in list (case-insensitive) */
    char **household_ids; int n_household_ids;/* household id in list (sorted) */
    int line;                   /* job file line (0 for built-in streams) */
    bool returned_only;         /* issue 10 part 7: the return-to-bank stream: only
                                   returned statements, which match no other stream */
} folio_stream_def;

typedef struct folio_production_options {
    folio_stream_def *streams;  /* in order; the last one has no conditions */
    int n_streams;
    bool default_added;         /* the last stream ("other") was added by folio */
    uint64_t serial_start;      /* output.pieces.serial_start (default 1) */
    char *mailer_id;            /* output.pieces.mailer_id: 6 or 9 digits, or NULL */
} folio_production_options;

/* Read `output.streams` and `output.pieces` from the job's `output:` map
 * (`output` may be NULL: defaults).  Errors are recorded through d ("path:
 * line:col: ...", exit 2).  Default streams: foreign (foreign: true), flats
 * (min_sheets: 11), letters (the rest).  A configured list whose last stream
 * has conditions gets a final stream "other" for the households matching
 * none.  Returns false on error (*out NULL). */
bool production_options_read(struct yt_doc *d, const struct yt_node *output,
                             folio_production_options **out);
/* The defaults, as if the job had no streams or pieces keys; NULL on OOM. */
folio_production_options *production_options_default(void);
void production_options_free(folio_production_options *o);

/* Serial digits for a mailer id: 9 for a 6-digit id (or none), 6 for 9 digits. */
int production_serial_digits(const char *mailer_id);

/* Sheets of a statement of `pages` composed pages. */
static inline uint32_t production_sheets(uint32_t pages, bool duplex)
{
    return duplex ? (pages + 1) / 2 : pages;
}
/* Pages it takes in a print file (a duplex statement is padded to even). */
static inline uint32_t production_printed_pages(uint32_t pages, bool duplex)
{
    return pages + (duplex && (pages & 1));
}

/* True when the country is the United States (empty, "US", "USA", "United
 * States", any case). */
bool production_is_us(const char *country);

/* Presort key of a postal code into buf (NUL-terminated, at most cap-1
 * bytes): US: the first five digits of the ZIP; elsewhere the letters
 * (upper-cased) and digits.  An empty key sorts last.  Returns its length. */
size_t production_postal_key(const char *postal_code, const char *country,
                             char *buf, size_t cap);

/* What production needs to know about one print statement. */
typedef struct folio_piece_input {
    const char *household;      /* unique in the run */
    const char *postal_code, *country, *state, *segment;  /* primary customer; NULL = "" */
    uint8_t channel;            /* folio_channel: print or both */
    uint32_t pages;             /* composed pages, without duplex padding */
    bool returned;              /* undeliverable, returned to the bank (holders.h) */
} folio_piece_input;

/* Index of the stream a statement goes to (first match; never -1 when the
 * options come from production_options_read / _default). */
int production_stream_of(const folio_production_options *o,
                         const folio_piece_input *in, bool duplex);

typedef struct folio_prod_piece {
    char id[16];                /* "P0000001" */
    uint32_t input;             /* index into the inputs given to the plan */
    uint32_t stream, file;      /* indexes into plan->streams, plan->files */
    uint32_t pages;             /* printed pages (duplex padding included) */
    uint32_t sheets;
    uint32_t first_page;        /* 1-based page of the file where it starts */
    uint64_t serial;            /* IMb serial number */
} folio_prod_piece;

typedef struct folio_prod_file {
    char base[160];             /* file name without extension, e.g. "statements-letters-0001" */
    uint32_t stream;
    uint32_t first_piece, n_pieces;   /* range of plan->pieces */
    uint32_t pages, sheets;
    bool oversize;              /* one statement alone above max_sheets */
} folio_prod_file;

typedef struct folio_prod_stream {
    const char *name;           /* points into the options */
    uint32_t first_file, n_files;
    uint64_t statements, pages, sheets;
} folio_prod_stream;

typedef struct folio_production_params {
    bool duplex;
    uint32_t max_sheets;        /* per print file (0: 2000) */
    const char *prefix;         /* file names: PREFIX-STREAM[-TAG]-NNNN ("statements") */
    const char *tag;            /* e.g. "s01of04" for shards, or NULL */
    int shard_index, shard_count; /* --shard I/N (0/0: no shards): piece ids get the
                                     shard ("P03-0000001") and the IMb serial range
                                     from serial_start is split in N equal blocks, so
                                     ids and serials stay unique across the shards */
} folio_production_params;

typedef struct folio_production_plan {
    folio_prod_stream *streams; uint32_t n_streams;   /* as configured */
    folio_prod_piece *pieces;   size_t n_pieces;      /* print order */
    folio_prod_file *files;     size_t n_files;       /* print order */
    int serial_digits;
    uint32_t oversize_files;
} folio_production_plan;

/* Plan production for n print statements.  Returns NULL with err set on OOM
 * or when the serials would not fit their width. */
folio_production_plan *production_plan_new(const folio_production_options *o,
                                           const folio_piece_input *in, size_t n,
                                           const folio_production_params *p,
                                           folio_error *err);
void production_plan_free(folio_production_plan *plan);

/* Append the pieces file of plan->files[file] to b: a header row
 * "piece_id,household,sheets,pages,file,first_page,last_page,imb_serial,stream"
 * and one row per piece; `file_name` is what the `file` column says (the
 * print file the inserter runs, e.g. "statements-letters-0001.pdf").
 * Returns false if b failed (OOM / cap). */
bool production_pieces_csv(const folio_production_plan *plan, size_t file,
                           const folio_piece_input *in, const char *file_name,
                           folio_buf *b);
/* The same a row at a time (issue 11: the pieces sink, sink-pieces.c): the
 * header line, and the row of plan->pieces[piece]. */
void production_pieces_header(folio_buf *b);
void production_pieces_row(const folio_production_plan *plan, size_t piece,
                           const folio_piece_input *in, const char *file_name,
                           folio_buf *b);

/* ---- folio verify (src/verify.c) --------------------------------------- */

/* Page count of a PDF from its page tree: trailer /Root -> /Pages -> /Count,
 * objects found through the xref table(s).  False with err naming the file
 * and what is wrong. */
bool production_pdf_pages(const char *path, uint32_t *pages, folio_error *err);
/* Pages of an AFP file: Begin Page (D3A8AF) fields, walking the 0x5A framing
 * from start to end.  False with err naming the offset of a framing error. */
bool production_afp_pages(const char *path, uint32_t *pages, folio_error *err);

/* Check an output directory against its manifest.json: every listed file's
 * bytes and SHA-256, pages counted from the file, sheets from pages, pieces
 * files (rows = statements, contiguous page ranges, sums, first/last piece),
 * stream totals, and no unlisted or temporary files in print/.  Each mismatch
 * is one line on `report`; a summary "verified N files" when all hold.
 * Returns FOLIO_EXIT_OK, FOLIO_EXIT_FAILED (mismatches, or no readable
 * manifest). */
int production_verify(const char *out_dir, FILE *report);

#endif
