/* SPDX-License-Identifier: Apache-2.0 */
/*
 * folio/pdf.h -- display list -> PDF print stream (libharu).
 *
 * One folio_pdf_writer builds one PDF file: statements are appended in order,
 * each starting on a new page, and the file is written when the writer is
 * closed.  Fonts are the layout's TrueType fonts, embedded, with UTF-8 text so
 * pdftotext extracts it.  Document dates come from the options (the job's
 * statement date), never from the clock, so reruns are byte-identical.
 *
 * Threads: a writer belongs to one thread; different writers may run on
 * different threads at the same time (libharu state is per document; its
 * error handler gets the writer through user_data, no global jmp_buf).
 *
 * Memory: libharu holds a document's pages until it saves, so callers keep
 * files bounded (job output.print.max_sheets) and close each as it fills.
 * issue 11 (r-speed): a print file or proof (pdf_writer_open, direct back
 * end, not PDF/VT) is written as it fills instead: each page's content goes
 * to the file when added (src/pdf-stream.h); only its small dictionaries
 * stay until close.
 */
#ifndef FOLIO_PDF_H
#define FOLIO_PDF_H

#include "folio/common.h"
#include "folio/dlist.h"
#include "folio/layout.h"

/* Longest document-info string (Title = job.name, Author = bank.name) in
 * bytes of UTF-8: well under libharu's HPDF_LIMIT_MAX_STRING_LEN (65535)
 * even as UTF-16.  The job loader refuses longer names (exit 2). */
#define FOLIO_PDF_INFO_MAX 4096

typedef struct folio_pdf_options {
    const char *title;            /* document info Title */
    const char *author;           /* the bank's name */
    const char *subject;          /* e.g. "Statements 2026-10-01 to 2026-10-31" */
    folio_date doc_date;          /* CreationDate / ModDate (midnight UTC) */
    int compression;              /* 0 = none, else deflate page content
                                     (1-9: level, same meaning as zlib's --
                                     libdeflate at that level; else 6) */
    /* issue 14 part 3: a PDF/VT-1 print file (src/pdf-vt.h), NULL = plain */
    const struct folio_pdfvt_options *vt;
} folio_pdf_options;

typedef struct folio_pdf_writer folio_pdf_writer;

/* A libharu document kept between the small documents of one thread, so
 * their TrueType fonts are read and parsed once, not per document.  Owned
 * by one thread; pdf_reuse_free when done. */
typedef struct folio_pdf_reuse folio_pdf_reuse;
folio_pdf_reuse *pdf_reuse_new(void);
void pdf_reuse_free(folio_pdf_reuse *r);

/* PDF/A-1b (e-delivery archive, pdf_writer_open_pdfa): the file is PDF 1.4
 * with an XMP metadata stream holding the same values as the info
 * dictionary (dc:title, dc:creator, dc:description, pdf:Keywords, dates)
 * plus dc:identifier, an sRGB output intent from the ICC profile bytes
 * given, a trailer /ID derived from the identifier (no clock), and a
 * CIDSet per embedded font.  Strings and bytes must outlive the writer. */
typedef struct folio_pdfa_options {
    const char *keywords;         /* info Keywords / pdf:Keywords */
    const char *identifier;       /* dc:identifier, seeds the file ID */
    const void *icc;              /* ICC profile (RGB, 3 components) */
    size_t icc_len;
    const folio_dl_statement *statement;  /* the one statement, or NULL */
    folio_pdf_reuse *reuse;       /* this thread's kept document, or NULL */
    /* issue 14 part 2: a tagged PDF/A-2a + PDF/UA-1 document (structure
     * from the statement's display list, src/pdf-tag.c) instead of
     * PDF/A-1b; it holds one statement.  lang: its BCP 47 language. */
    bool tagged;
    const char *lang;
} folio_pdfa_options;

/* Start a document that will be written to `path` (the caller passes a
 * temporary name and renames it when the run succeeds).  fonts[i] is the
 * font of dlist ops with font == i.  Returns NULL with err set. */
folio_pdf_writer *pdf_writer_open(const char *path, const folio_layout_font *fonts,
                                  int n_fonts, const folio_pdf_options *opt,
                                  folio_error *err);

/* Like pdf_writer_open, for a PDF/A-1b document.  When pa->statement is
 * set the document must hold only that statement: its fonts then map only
 * the code points it draws (fast and small; see pdf.c). */
folio_pdf_writer *pdf_writer_open_pdfa(const char *path, const folio_layout_font *fonts,
                                       int n_fonts, const folio_pdf_options *opt,
                                       const folio_pdfa_options *pa, folio_error *err);

/* Append every page of a statement.  On failure the writer is unusable
 * (close it with pdf_writer_abort). */
bool pdf_writer_add_statement(folio_pdf_writer *w, const folio_dl_statement *st,
                              folio_error *err);

/* A statement whose pages are formatted and deflated, ready to append.
 *
 * pdf_prepare_statement is thread-safe: it calls no libharu function and
 * touches no writer and no shared mutable state, so worker threads can
 * prepare statements while one thread appends them in order with
 * pdf_writer_add_prepared (which must get them in the order the file is to
 * have them; it only adds pages, their font resources and their streams,
 * and marks the glyphs the statement draws).  fonts, n_fonts and opt must
 * be those the writer was opened with (checked: a mismatch fails the
 * writer).  The file is byte-identical to pdf_writer_add_statement's, which
 * is prepare + add.  A statement the writer cannot represent (bad page
 * size, unknown font or op, a page over 64 MB) is not an error here: it is
 * kept in the result and reported by pdf_writer_add_prepared, in order, as
 * pdf_writer_add_statement would.  NULL only when out of memory (err set).
 * The result does not point into st. */
typedef struct folio_pdf_prepared folio_pdf_prepared;
folio_pdf_prepared *pdf_prepare_statement(const folio_layout_font *fonts, int n_fonts,
                                          const folio_pdf_options *opt,
                                          const folio_dl_statement *st, folio_error *err);
/* Append a prepared statement's pages.  On failure the writer is unusable
 * (close it with pdf_writer_abort).  p stays the caller's. */
bool pdf_writer_add_prepared(folio_pdf_writer *w, folio_pdf_prepared *p, folio_error *err);
void pdf_prepared_free(folio_pdf_prepared *p);
/* issue 11: CPU seconds pdf_prepare_statement spent deflating p's pages. */
double pdf_prepared_deflate_s(const folio_pdf_prepared *p);

/* Time and bytes of the PDF page content of this process so far, summed
 * over threads (CPU time of the thread that did the work): formatting
 * content streams, deflating them, and appending them to libharu
 * documents.  For a run's per-stage breakdown. */
typedef struct folio_pdf_stats {
    uint64_t statements, pages;
    uint64_t content_bytes;       /* page content before deflate */
    uint64_t stream_bytes;        /* ... and as written */
    uint64_t format_ns, deflate_ns, emit_ns;
} folio_pdf_stats;
void pdf_stats_get(folio_pdf_stats *out);

/* Pages appended so far. */
uint32_t pdf_writer_pages(const folio_pdf_writer *w);

/* issue 14 part 3: in a PDF/VT print file (opt->vt), make the statement
 * whose pages start at page `first` (0-based; the last added are its last)
 * a document part with its metadata from st's tags.  Nothing for a plain
 * file.  On failure the writer is unusable. */
bool pdf_writer_piece(folio_pdf_writer *w, const folio_dl_statement *st, uint32_t first,
                      folio_error *err);

/* Write the file and free the writer (also on failure).  *bytes gets the
 * file size. */
bool pdf_writer_close(folio_pdf_writer *w, uint64_t *bytes, folio_error *err);
/* issue 11 (r-speed): the same; sha256 gets the file's SHA-256 (hex) when it
 * was computed as the file was written (print files, proofs), else "". */
bool pdf_writer_close_sha(folio_pdf_writer *w, uint64_t *bytes, char sha256[65],
                          folio_error *err);

/* Write the document into `out` (appended) instead of a file and free the
 * writer (also on failure).  The path given to pdf_writer_open only names
 * the document in messages. */
bool pdf_writer_close_mem(folio_pdf_writer *w, folio_buf *out, folio_error *err);

/* Free without writing anything. */
void pdf_writer_abort(folio_pdf_writer *w);

#endif
