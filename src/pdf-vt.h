/* SPDX-License-Identifier: Apache-2.0 */
/*
 * pdf-vt.h -- issue 14 part 3: PDF/VT-1 print files on a PDF/X-4 base
 * (job key output.print.pdf_profile: pdfvt; docs/job-file.md "PDF/VT print
 * files").
 *
 * What a PDF/VT print file adds to the plain print PDF (pdf.c), all as
 * document-level objects -- page content is the same bytes:
 *   - PDF 1.6 header, a trailer /ID, Info /Trapped /False and
 *     /GTS_PDFXVersion (PDF/X-4);
 *   - an XMP metadata stream: dc/xmp/pdf values equal to the Info
 *     dictionary, xmpMM DocumentID/VersionID/RenditionClass, pdfxid
 *     GTS_PDFXVersion "PDF/X-4", pdfvtid GTS_PDFVTVersion "PDF/VT-1" and
 *     GTS_PDFVTModDate;
 *   - an output intent /GTS_PDFX with the ICC profile embedded
 *     (DestOutputProfile).  The profile is RGB: folio draws in DeviceRGB,
 *     which PDF/X-4 allows when the output intent's colour space is RGB,
 *     so no colour in the file needs converting;
 *   - /TrimBox = /MediaBox on every page;
 *   - /DPartRoot: one root DPart (the print file) whose /DParts holds one
 *     leaf DPart per piece (statement), /Start and /End its first and last
 *     page, /DPM its metadata (docs/job-file.md lists the keys); every page
 *     has /DPart pointing at its piece's node.
 *
 * Piece metadata comes from the statement's tags (pdfvt_tag_piece, called
 * by the print stage for each piece: piece id, sheets, stream, IMb serial,
 * print file) and compose's (household, name).
 */
#ifndef FOLIO_PDF_VT_H
#define FOLIO_PDF_VT_H

#include "folio/common.h"
#include "folio/dlist.h"

struct yt_doc;
struct yt_node;
struct _HPDF_Doc_Rec;

#define PDFVT_DEFAULT_ICC "/usr/share/color/icc/sRGB.icc"

/* output.print.pdf_profile: pdfvt (and output.print.icc_profile). */
typedef struct folio_pdfvt_options {
    char icc_path[640];
    unsigned char *icc;           /* the profile's bytes (RGB, class mntr or prtr) */
    size_t icc_len;
    char condition[128];          /* OutputConditionIdentifier: the profile's
                                     description tag, else its file name */
} folio_pdfvt_options;

/* Read output.print.pdf_profile / icc_profile of the `print` map into *out
 * (NULL for plain, the default).  job_dir resolves a relative profile path;
 * pdf_on: output.print.pdf (pdfvt without a PDF print file is an error).
 * false with the doc's error (file:line:col) on a bad value, or a profile
 * that cannot be read or is not an RGB ICC output/monitor profile. */
bool pdfvt_options_read(struct yt_doc *d, const struct yt_node *print, const char *job_dir,
                        bool pdf_on, folio_pdfvt_options **out);
void pdfvt_options_free(folio_pdfvt_options *o);

/* The print stage's piece data as statement tags (piece_id, sheets, stream,
 * imb_serial, file).  false when out of memory. */
bool pdfvt_tag_piece(folio_dl_statement *st, const char *piece_id, uint32_t sheets,
                     const char *stream, const char *imb_serial, const char *file);

/* One PDF/VT document being built (pdf.c holds it). */
typedef struct pdfvt_doc pdfvt_doc;
/* After the document is created: PDF version, catalog /DPartRoot. */
pdfvt_doc *pdfvt_begin(struct _HPDF_Doc_Rec *doc, const folio_pdfvt_options *o,
                       const char **why);
/* After a statement's pages [first, end) are added (0-based). */
bool pdfvt_piece(pdfvt_doc *v, struct _HPDF_Doc_Rec *doc, const folio_dl_statement *st,
                 uint32_t first, uint32_t end, const char **why);
/* Before saving: XMP, output intent, Info keys, file ID, root DPM.
 * `name` is the file's final name (it seeds the document and file IDs). */
bool pdfvt_finish(pdfvt_doc *v, struct _HPDF_Doc_Rec *doc, const char *name,
                  const char **why);
void pdfvt_free(pdfvt_doc *v);

#endif
