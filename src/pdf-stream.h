/* SPDX-License-Identifier: Apache-2.0 */
/*
 * pdf-stream.h -- a PDF print file written as it fills (issue 11, r-speed).
 *
 * libharu keeps every object of a document until HPDF_SaveToFile writes them
 * all after the last page; the file was then read back for its SHA-256.  For
 * a print file that is serial work after the last page, on one thread while
 * the others wait.  Here each page (its dictionary, its content stream and
 * the stream's Length) is written to the file as soon as pdf.c has added it,
 * through a buffer that also feeds the SHA-256, and its content bytes are
 * freed; at close only the document-level objects (fonts, resources, the
 * page tree, info), the cross-reference table and the trailer are left.
 * Objects keep libharu's numbers and bytes; only their order in the file
 * differs (pages before fonts).  The bytes depend only on the order pages
 * are added, never on threads.
 *
 * Used by pdf.c for direct, non-PDF/A, non-PDF/VT documents written to a
 * file (print files, proofs).  Private to the library.
 */
#ifndef FOLIO_PDF_STREAM_H
#define FOLIO_PDF_STREAM_H

#include <hpdf.h>
#include <stdbool.h>
#include <stdint.h>

typedef struct pdf_stream pdf_stream;

/* Write doc to path (truncated; never through a symbolic link), opened
 * when the first page is written.  NULL with *why on failure. */
pdf_stream *pdfs_open(HPDF_Doc doc, const char *path, const char **why);
/* Write page (added by pdf.c and complete: nothing changes it any more)
 * with its content stream, and free the content's bytes.  false with *why;
 * *why NULL: the file could not be created and nothing was written (the
 * caller may save the document whole, where the error is reported). */
bool pdfs_page(pdf_stream *ps, HPDF_Page page, const char **why);
/* issue 11 (r-pwrite): a page without libharu's page objects.  Reserve
 * its three object numbers (page, contents, Length: *id, *id + 1, *id + 2)
 * where HPDF_AddPage would have made them, then write them: a page
 * dictionary of MediaBox [0 0 w h], the shared indirect dictionary res as
 * its Resources, the root of the page tree as its Parent, and data (the
 * page's content, deflated) as its content stream.  Same bytes as libharu
 * would write for the page HPDF_AddPage makes and pdf.c fills.  false with
 * *why (pdfs_page_reserve: *why NULL as in pdfs_page). */
bool pdfs_page_reserve(pdf_stream *ps, uint32_t *id, const char **why);
/* Tests only: true sends every page through libharu (pdfs_page), so a
 * test compares the two ways byte for byte. */
extern bool pdfs_direct_off;
extern uint64_t pdfs_direct_pages;   /* pages pdfs_page_direct wrote */
bool pdfs_page_direct(pdf_stream *ps, uint32_t id, float w, float h, HPDF_Dict res,
                      const void *data, size_t len, const char **why);
/* Write every object not written yet, the cross-reference table and the
 * trailer; close the file.  *bytes its size, sha256 its SHA-256 (hex). */
bool pdfs_finish(pdf_stream *ps, uint64_t *bytes, char sha256[65], const char **why);
/* Close without finishing: a file it created is removed, one the caller
 * created is left to the caller; also after pdfs_finish.  Must run before
 * the document is freed. */
void pdfs_free(pdf_stream *ps);

#endif
