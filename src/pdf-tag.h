/* SPDX-License-Identifier: Apache-2.0 */
/*
 * pdf-tag.h -- issue 14 part 2: tagged PDF (PDF/UA-1 structure) for the
 * archive's PDF/A-2a documents (docs/accessibility.md).
 *
 * The display list says what every op is (dlist.h: structure nodes made
 * by compose).  While the PDF writer formats a statement's pages it asks
 * pdf_tag_op before each op which marked-content operators to put in front
 * of it (a new sequence when the element changes: EMC, then "/P <</MCID
 * n>> BDC" or "/Artifact BMC"), and pdf_tag_page_end what closes the page.
 * At the end pdf_tag_finish writes the structure tree into the libharu
 * document: StructTreeRoot > Document > elements (P, H1..H3, Sect, Table,
 * TR, TH with /Scope, TD, Figure with /Alt, Link with OBJR), the
 * ParentTree, StructParents on pages, StructParent, Contents and /Tabs /S
 * for link annotations, and in the catalog /MarkInfo, /Lang and
 * /ViewerPreferences /DisplayDocTitle.
 *
 * One tagger per writer (one thread); one statement per tagged document.
 */
#ifndef FOLIO_PDF_TAG_H
#define FOLIO_PDF_TAG_H

#include "folio/common.h"
#include "folio/dlist.h"

#include <hpdf.h>

/* Longest marked-content operator text pdf_tag_op / pdf_tag_page_end give. */
#define PDF_TAG_OPS_MAX 64

typedef struct pdf_tag pdf_tag;

pdf_tag *pdf_tag_new(void);
void pdf_tag_free(pdf_tag *t);

/* Take the structure of the statement the document holds (copied); false
 * (*why) on a second statement or out of memory. */
bool pdf_tag_statement(pdf_tag *t, const folio_dl_statement *st, const char **why);

/* The order to draw page pg's ops in: stably by the top-level element
 * (child of the Document) they belong to, in reading order, so that the
 * content stream reads in logical order (page 1's placed texts, drawn after
 * the body, come before it); an artifact goes with the op before it.  NULL
 * when that is the display list's own order (or out of memory). */
const uint32_t *pdf_tag_order(pdf_tag *t, const folio_dl_page *pg);

/* The operators (into out, PDF_TAG_OPS_MAX bytes) to write before op on
 * page `page` of the statement; 0 when the op continues the current
 * sequence.  The writer ends a text object (ET) before writing them. */
size_t pdf_tag_op(pdf_tag *t, uint32_t page, const folio_dl_op *op, char *out);

/* Whether the sequence the last pdf_tag_op opened holds text ops only (an
 * element other than a Figure: seq_of makes every other op an artifact),
 * so it may begin and end inside one text object (r-arch, issue 14
 * performance: a table's cells in one BT..ET). */
bool pdf_tag_text_only(const pdf_tag *t);

/* The operators that close the page's last sequence. */
size_t pdf_tag_page_end(pdf_tag *t, char *out);

/* Before the save: what of the structure lives in libharu's objects of
 * doc, whose pages first_page.. hold the statement (StructParents, link
 * annotations, catalog entries); the tree itself is pdf_tag_append's.  lang: BCP 47 code for /Lang (catalog and Document), NULL or
 * "" = none given (then "und" is never guessed: the caller must give one).
 * false with *why on failure. */
bool pdf_tag_finish(pdf_tag *t, HPDF_Doc doc, uint32_t first_page, const char *lang,
                    const char **why);

/* After the document (out from byte `start` on) was saved: rewrite it with
 * the structure tree (pdf-compact.h) -- the StructTreeRoot, the ParentTree
 * and the elements in one deflated object stream with libharu's other
 * non-stream objects, the catalog with /StructTreeRoot, a cross-reference
 * stream; deflated at `level` (the page content's; 1 when 0).  false
 * (*why) on failure. */
/* r-adoc (issue 11): cd non-NULL: the document was not saved by libharu but
 * written into cd (pdf-compact.h), and the result is appended to out. */
typedef struct pdf_cdoc pdf_cdoc;
bool pdf_tag_append(pdf_tag *t, folio_buf *out, size_t start, int level, pdf_cdoc *cd,
                    const char **why);

/* The XMP for a tagged document: the PDF/UA identification (pdfuaid:part
 * 1) and the PDF/A extension schema that declares it. */
void pdf_tag_xmp(folio_buf *b);
void pdf_tag_xmp_ns(folio_buf *b);     /* r-arch: its namespace attributes */

#endif
