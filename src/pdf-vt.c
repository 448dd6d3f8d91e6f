/* SPDX-License-Identifier: Apache-2.0 */
/*
 * pdf-vt.c -- issue 14 part 3: PDF/VT-1 print files on a PDF/X-4 base
 * (pdf-vt.h has the list of what is added; docs/job-file.md the clauses).
 *
 * Everything here is a document-level object added through libharu's
 * object API around pdf.c's pages; page content is not touched, so a
 * PDF/VT file's pages draw exactly what the plain print file's do.
 */
#include "pdf-vt.h"
#include "yamltree.h"

#include <hpdf.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#define PDFVT_MAX_ICC (4u << 20)
/* piece nodes per inner /DParts array: well under the 8,191 elements an
 * array may hold in PDF 1.x readers (ISO 32000-1 Annex C) */
#define PDFVT_PER_ARRAY 4096

/* ---- options (job file) --------------------------------------------------- */

static const char *const PROFILE_NAMES[] = { "plain", "pdfvt", NULL };

static uint32_t be32(const unsigned char *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

/* The profile's description (tag 'desc', type 'desc' or 'mluc'), ASCII
 * printable only, into out; false when there is none. */
static bool icc_description(const unsigned char *b, size_t n, char *out, size_t cap)
{
    if (n < 132 || cap < 2)
        return false;
    uint32_t tags = be32(b + 128);
    for (uint32_t i = 0; i < tags && 144 + 12 * (size_t)i <= n; i++) {
        const unsigned char *e = b + 132 + 12 * (size_t)i;
        if (memcmp(e, "desc", 4) != 0)
            continue;
        uint32_t off = be32(e + 4), len = be32(e + 8);
        if (off > n || len > n - off || len < 12)
            return false;
        const unsigned char *t = b + off;
        size_t k = 0;
        if (memcmp(t, "desc", 4) == 0) {           /* ICC v2: ASCII count, text */
            uint32_t cnt = be32(t + 8);
            for (uint32_t j = 0; j < cnt && 12 + j < len && t[12 + j] && k + 1 < cap; j++)
                if (t[12 + j] >= 0x20 && t[12 + j] < 0x7F)
                    out[k++] = (char)t[12 + j];
        } else if (memcmp(t, "mluc", 4) == 0 && len >= 28) {  /* ICC v4: first record */
            uint32_t rl = be32(t + 20), ro = be32(t + 24);
            for (uint32_t j = 0; j + 1 < rl && ro + j + 1 < len && k + 1 < cap; j += 2)
                if (t[ro + j] == 0 && t[ro + j + 1] >= 0x20 && t[ro + j + 1] < 0x7F)
                    out[k++] = (char)t[ro + j + 1];
        }
        out[k] = 0;
        return k > 0;
    }
    return false;
}

bool pdfvt_options_read(yt_doc *d, const yt_node *print, const char *job_dir,
                        bool pdf_on, folio_pdfvt_options **out)
{
    *out = NULL;
    int profile = 0;
    char *icc = NULL;
    if (yt_enum(d, print, "output.print", "pdf_profile", false, PROFILE_NAMES, &profile) < 0 ||
        yt_str(d, print, "output.print", "icc_profile", false, &icc) < 0)
        return false;
    const yt_node *at = yt_get(print, icc ? "icc_profile" : "pdf_profile");
    if (profile != 1) {
        free(icc);
        return !at || !icc ? true
                           : yt_fail(d, at, "'output.print.icc_profile' is only used with "
                                     "'output.print.pdf_profile: pdfvt'");
    }
    if (!pdf_on) {
        free(icc);
        return yt_fail(d, yt_get(print, "pdf_profile"), "'output.print.pdf_profile: pdfvt' "
                       "needs the PDF print file ('output.print.pdf' is false)");
    }
    folio_pdfvt_options *o = calloc(1, sizeof *o);
    if (!o) {
        free(icc);
        folio_error_set(d->err, FOLIO_EXIT_FAILED, "%s: out of memory", d->path);
        return false;
    }
    int len;
    if (!icc || icc[0] == '/')
        len = snprintf(o->icc_path, sizeof o->icc_path, "%s", icc ? icc : PDFVT_DEFAULT_ICC);
    else
        len = snprintf(o->icc_path, sizeof o->icc_path, "%s/%s", job_dir ? job_dir : ".", icc);
    free(icc);
    if (len < 0 || (size_t)len >= sizeof o->icc_path) {   /* a cut path names another file */
        free(o);
        return yt_fail(d, at, "'output.print.icc_profile' is too long: %d bytes with the job "
                       "file's directory (at most %zu)", len, sizeof o->icc_path - 1);
    }
    /* hard-attack2: folio_input_fopen, so a FIFO or device named as the
     * profile is refused instead of hanging the job load */
    struct stat ist;
    bool special = stat(o->icc_path, &ist) == 0 && !S_ISREG(ist.st_mode);
    folio_error oe = {0};
    FILE *fp = folio_input_fopen(o->icc_path, NULL, FOLIO_EXIT_USAGE, &oe);
    unsigned char *b = fp ? malloc(PDFVT_MAX_ICC) : NULL;
    size_t n = b ? fread(b, 1, PDFVT_MAX_ICC, fp) : 0;
    bool rerr = fp && ferror(fp);
    if (fp)
        fclose(fp);
    const char *bad = special ? "is not a regular file"
                      : !fp || rerr ? "cannot be read (install icc-profiles-free or set "
                                      "output.print.icc_profile)"
                      : !b ? "out of memory"
                      : n < 132 || n == PDFVT_MAX_ICC || memcmp(b + 36, "acsp", 4) != 0
                          ? "is not an ICC profile"
                      : memcmp(b + 16, "RGB ", 4) != 0
                          ? "is not an RGB profile (folio's print colours are RGB)"
                      : memcmp(b + 12, "mntr", 4) != 0 && memcmp(b + 12, "prtr", 4) != 0
                          ? "is not an output or monitor profile (class prtr or mntr)"
                          : NULL;
    if (bad) {
        free(b);
        yt_fail(d, at, "ICC output profile %s %s", o->icc_path, bad);
        free(o);
        return false;
    }
    o->icc = b;
    o->icc_len = n;
    if (!icc_description(b, n, o->condition, sizeof o->condition)) {
        const char *base = strrchr(o->icc_path, '/');
        snprintf(o->condition, sizeof o->condition, "%.120s", base ? base + 1 : o->icc_path);
    }
    *out = o;
    return true;
}

void pdfvt_options_free(folio_pdfvt_options *o)
{
    if (o)
        free(o->icc);
    free(o);
}

bool pdfvt_tag_piece(folio_dl_statement *st, const char *piece_id, uint32_t sheets,
                     const char *stream, const char *imb_serial, const char *file)
{
    char n[16];
    snprintf(n, sizeof n, "%u", sheets);
    return dlist_statement_add_tag(st, "piece_id", piece_id) &&
           dlist_statement_add_tag(st, "sheets", n) &&
           dlist_statement_add_tag(st, "stream", stream) &&
           dlist_statement_add_tag(st, "imb_serial", imb_serial) &&
           dlist_statement_add_tag(st, "file", file);
}

/* ---- the document ---------------------------------------------------------- */

struct pdfvt_doc {
    const folio_pdfvt_options *o;
    HPDF_Dict root;               /* the root DPart node (the print file) */
    HPDF_Array outer;             /* its /DParts: arrays of piece nodes ... */
    HPDF_Array leaves;            /* ... the last one, at most PDFVT_PER_ARRAY long */
    uint32_t pieces, pages;
    char first_piece[32];
};

static const char *tag_of(const folio_dl_statement *st, const char *name)
{
    for (uint32_t t = 0; t < st->n_tags; t++)
        if (!strcmp(st->tags[t].name, name))
            return st->tags[t].value ? st->tags[t].value : "";
    return NULL;
}

/* A text string: PDFDocEncoding when it is printable ASCII, else UTF-16BE
 * with a byte order mark (written as hex). */
static HPDF_STATUS add_text(HPDF_Doc doc, HPDF_Dict d, const char *key, const char *s)
{
    bool ascii = true;
    for (const unsigned char *p = (const unsigned char *)s; *p && ascii; p++)
        ascii = *p >= 0x20 && *p < 0x7F;
    if (ascii)
        return HPDF_Dict_Add(d, key, HPDF_String_New(doc->mmgr, s, NULL));
    size_t n = strlen(s);
    unsigned char *u = malloc(2 * n + 4);
    if (!u)
        return HPDF_FAILD_TO_ALLOC_MEM;
    size_t k = 0;
    u[k++] = 0xFE;
    u[k++] = 0xFF;
    for (const unsigned char *p = (const unsigned char *)s; *p;) {
        uint32_t c = *p++;
        int more = c >= 0xF0 ? 3 : c >= 0xE0 ? 2 : c >= 0xC0 ? 1 : 0;
        c &= more == 3 ? 0x07 : more == 2 ? 0x0F : more == 1 ? 0x1F : 0x7F;
        for (; more > 0 && (*p & 0xC0) == 0x80; more--)
            c = c << 6 | (*p++ & 0x3F);
        if (c > 0xFFFF)            /* outside the BMP: a replacement character */
            c = 0xFFFD;
        u[k++] = (unsigned char)(c >> 8);
        u[k++] = (unsigned char)c;
    }
    HPDF_STATUS r = HPDF_Dict_Add(d, key, HPDF_Binary_New(doc->mmgr, u, (HPDF_UINT)k));
    free(u);
    return r;
}

static HPDF_Dict new_indirect(HPDF_Doc doc)
{
    HPDF_Dict d = HPDF_Dict_New(doc->mmgr);
    return d && HPDF_Xref_Add(doc->xref, d) == HPDF_OK ? d : NULL;
}

pdfvt_doc *pdfvt_begin(HPDF_Doc doc, const folio_pdfvt_options *o, const char **why)
{
    pdfvt_doc *v = calloc(1, sizeof *v);
    if (!v) {
        *why = "out of memory";
        return NULL;
    }
    v->o = o;
    doc->pdf_version = HPDF_VER_16;          /* PDF/X-4: 1.6 or later */
    HPDF_Dict dproot = new_indirect(doc);
    v->root = new_indirect(doc);
    HPDF_Array outer = v->outer = HPDF_Array_New(doc->mmgr);
    v->leaves = HPDF_Array_New(doc->mmgr);
    HPDF_Array names = HPDF_Array_New(doc->mmgr);
    if (!dproot || !v->root || !outer || !v->leaves || !names ||
        HPDF_Dict_AddName(dproot, "Type", "DPartRoot") != HPDF_OK ||
        HPDF_Dict_Add(dproot, "DPartRootNode", v->root) != HPDF_OK ||
        HPDF_Dict_AddNumber(dproot, "RecordLevel", 1) != HPDF_OK ||
        HPDF_Array_Add(names, HPDF_Name_New(doc->mmgr, "PrintFile")) != HPDF_OK ||
        HPDF_Array_Add(names, HPDF_Name_New(doc->mmgr, "Piece")) != HPDF_OK ||
        HPDF_Dict_Add(dproot, "NodeNameList", names) != HPDF_OK ||
        HPDF_Dict_AddName(v->root, "Type", "DPart") != HPDF_OK ||
        HPDF_Array_Add(outer, v->leaves) != HPDF_OK ||
        HPDF_Dict_Add(v->root, "DParts", outer) != HPDF_OK ||
        HPDF_Dict_Add(doc->catalog, "DPartRoot", dproot) != HPDF_OK) {
        *why = "cannot write the PDF/VT document part root";
        free(v);
        return NULL;
    }
    return v;
}

bool pdfvt_piece(pdfvt_doc *v, HPDF_Doc doc, const folio_dl_statement *st, uint32_t first,
                 uint32_t end, const char **why)
{
    *why = "cannot write a PDF/VT document part";
    if (end <= first)
        return (*why = "a PDF/VT document part without pages"), false;
    const char *hh = st->id ? st->id : "";
    const char *piece = tag_of(st, "piece_id");
    const char *sheets = tag_of(st, "sheets");
    if (!piece || !sheets)               /* before any object is made */
        return (*why = "a PDF/VT piece without its piece id and sheets"), false;
    HPDF_Page p0 = HPDF_GetPageByIndex(doc, first);
    HPDF_Page p1 = HPDF_GetPageByIndex(doc, end - 1);
    HPDF_Dict node = new_indirect(doc);
    HPDF_Dict dpm = HPDF_Dict_New(doc->mmgr);
    HPDF_Dict fd = HPDF_Dict_New(doc->mmgr);
    HPDF_Dict cip = HPDF_Dict_New(doc->mmgr);
    HPDF_Dict rcp = HPDF_Dict_New(doc->mmgr);
    if (!p0 || !p1 || !node || !dpm || !fd || !cip || !rcp)
        return false;
    if (HPDF_Array_Items(v->leaves) >= PDFVT_PER_ARRAY) {
        HPDF_Array next = HPDF_Array_New(doc->mmgr);
        if (!next || HPDF_Array_Add(v->outer, next) != HPDF_OK)
            return false;
        v->leaves = next;
    }
    if (!v->pieces)
        snprintf(v->first_piece, sizeof v->first_piece, "%s", piece);
    /* folio's own metadata (docs/job-file.md), then the CIP4 recipient id */
    static const char *const TEXT_TAGS[][2] = {
        {"PieceId", "piece_id"}, {"Name", "name"}, {"PostalCode", "postal_code"},
        {"Accounts", "accounts"}, {"Stream", "stream"}, {"IMbSerial", "imb_serial"},
        {"File", "file"}};
    bool ok = add_text(doc, fd, "Household", hh) == HPDF_OK;
    for (size_t i = 0; ok && i < sizeof TEXT_TAGS / sizeof TEXT_TAGS[0]; i++) {
        const char *val = tag_of(st, TEXT_TAGS[i][1]);
        if (val)
            ok = add_text(doc, fd, TEXT_TAGS[i][0], val) == HPDF_OK;
    }
    ok = ok && HPDF_Dict_AddNumber(fd, "FirstPage", (HPDF_INT)(first + 1)) == HPDF_OK &&
         HPDF_Dict_AddNumber(fd, "Pages", (HPDF_INT)(end - first)) == HPDF_OK &&
         HPDF_Dict_AddNumber(fd, "Sheets", (HPDF_INT)strtol(sheets, NULL, 10)) == HPDF_OK &&
         add_text(doc, rcp, "CIP4_UniqueID", hh) == HPDF_OK &&
         HPDF_Dict_Add(cip, "CIP4_Recipient", rcp) == HPDF_OK &&
         HPDF_Dict_Add(dpm, "CIP4_Root", cip) == HPDF_OK &&
         HPDF_Dict_Add(dpm, "Folio", fd) == HPDF_OK &&
         HPDF_Dict_AddName(node, "Type", "DPart") == HPDF_OK &&
         HPDF_Dict_Add(node, "Parent", v->root) == HPDF_OK &&
         HPDF_Dict_Add(node, "Start", p0) == HPDF_OK &&
         (end - first == 1 || HPDF_Dict_Add(node, "End", p1) == HPDF_OK) &&
         HPDF_Dict_Add(node, "DPM", dpm) == HPDF_OK &&
         HPDF_Array_Add(v->leaves, node) == HPDF_OK;
    for (uint32_t p = first; ok && p < end; p++) {
        HPDF_Page pg = HPDF_GetPageByIndex(doc, p);
        HPDF_Box mb = {0, 0, pg ? HPDF_Page_GetWidth(pg) : 0, pg ? HPDF_Page_GetHeight(pg) : 0};
        ok = pg && HPDF_Dict_Add(pg, "DPart", node) == HPDF_OK &&
             HPDF_Dict_Add(pg, "TrimBox", HPDF_Box_Array_New(doc->mmgr, mb)) == HPDF_OK;
    }
    if (ok) {
        v->pieces++;
        v->pages += end - first;
    }
    return ok;
}

/* XML character data */
static void xml_text(folio_buf *b, const char *s)
{
    for (; s && *s; s++) {
        switch (*s) {
        case '<': folio_buf_puts(b, "&lt;"); break;
        case '>': folio_buf_puts(b, "&gt;"); break;
        case '&': folio_buf_puts(b, "&amp;"); break;
        case '"': folio_buf_puts(b, "&quot;"); break;
        default:
            if ((unsigned char)*s >= 0x20 || *s == '\t' || *s == '\n')
                folio_buf_putc(b, *s);
        }
    }
}

static void xmp_prop(folio_buf *b, const char *prop, const char *v)
{
    if (!v)
        return;
    folio_buf_printf(b, "<%s>", prop);
    xml_text(b, v);
    folio_buf_printf(b, "</%s>\n", prop);
}

/* The XMP packet: every value that has an Info twin equals it. */
static void xmp(HPDF_Doc doc, const char *docid, folio_buf *b)
{
    const char *title = HPDF_GetInfoAttr(doc, HPDF_INFO_TITLE);
    const char *author = HPDF_GetInfoAttr(doc, HPDF_INFO_AUTHOR);
    const char *subject = HPDF_GetInfoAttr(doc, HPDF_INFO_SUBJECT);
    const char *producer = HPDF_GetInfoAttr(doc, HPDF_INFO_PRODUCER);
    const char *creator = HPDF_GetInfoAttr(doc, HPDF_INFO_CREATOR);
    const char *cd = HPDF_GetInfoAttr(doc, HPDF_INFO_CREATION_DATE);
    char date[32] = "1970-01-01T00:00:00Z";
    /* Info dates are D:YYYYMMDDHHmmSS... */
    if (cd && strlen(cd) >= 16 && !strncmp(cd, "D:", 2))
        snprintf(date, sizeof date, "%.4s-%.2s-%.2sT%.2s:%.2s:%.2sZ", cd + 2, cd + 6, cd + 8,
                 cd + 10, cd + 12, cd + 14);
    folio_buf_puts(b, "<?xpacket begin=\"\xEF\xBB\xBF\" id=\"W5M0MpCehiHzreSzNTczkc9d\"?>\n"
                      "<x:xmpmeta xmlns:x=\"adobe:ns:meta/\">\n"
                      "<rdf:RDF xmlns:rdf=\"http://www.w3.org/1999/02/22-rdf-syntax-ns#\">\n"
                      "<rdf:Description rdf:about=\"\"\n"
                      " xmlns:dc=\"http://purl.org/dc/elements/1.1/\"\n"
                      " xmlns:xmp=\"http://ns.adobe.com/xap/1.0/\"\n"
                      " xmlns:xmpMM=\"http://ns.adobe.com/xap/1.0/mm/\"\n"
                      " xmlns:pdf=\"http://ns.adobe.com/pdf/1.3/\"\n"
                      " xmlns:pdfxid=\"http://www.npes.org/pdfx/ns/id/\"\n"
                      " xmlns:pdfvtid=\"http://www.npes.org/pdfvt/ns/id/\">\n"
                      "<dc:format>application/pdf</dc:format>\n");
    if (title) {
        folio_buf_puts(b, "<dc:title><rdf:Alt><rdf:li xml:lang=\"x-default\">");
        xml_text(b, title);
        folio_buf_puts(b, "</rdf:li></rdf:Alt></dc:title>\n");
    }
    if (author) {
        folio_buf_puts(b, "<dc:creator><rdf:Seq><rdf:li>");
        xml_text(b, author);
        folio_buf_puts(b, "</rdf:li></rdf:Seq></dc:creator>\n");
    }
    if (subject) {
        folio_buf_puts(b, "<dc:description><rdf:Alt><rdf:li xml:lang=\"x-default\">");
        xml_text(b, subject);
        folio_buf_puts(b, "</rdf:li></rdf:Alt></dc:description>\n");
    }
    xmp_prop(b, "xmp:CreatorTool", creator);
    xmp_prop(b, "xmp:CreateDate", date);
    xmp_prop(b, "xmp:ModifyDate", date);
    xmp_prop(b, "xmp:MetadataDate", date);
    xmp_prop(b, "xmpMM:DocumentID", docid);
    xmp_prop(b, "xmpMM:VersionID", "1");
    xmp_prop(b, "xmpMM:RenditionClass", "default");
    xmp_prop(b, "pdf:Producer", producer);
    xmp_prop(b, "pdf:Trapped", "False");
    xmp_prop(b, "pdfxid:GTS_PDFXVersion", "PDF/X-4");
    xmp_prop(b, "pdfvtid:GTS_PDFVTVersion", "PDF/VT-1");
    xmp_prop(b, "pdfvtid:GTS_PDFVTModDate", date);
    folio_buf_puts(b, "</rdf:Description>\n</rdf:RDF>\n</x:xmpmeta>\n");
    for (int i = 0; i < 8; i++)
        folio_buf_puts(b, "                                                                \n");
    folio_buf_puts(b, "<?xpacket end=\"w\"?>");
}

bool pdfvt_finish(pdfvt_doc *v, HPDF_Doc doc, const char *name, const char **why)
{
    /* document id: SHA-256 of the file name, title and first piece (no clock) */
    const char *title = HPDF_GetInfoAttr(doc, HPDF_INFO_TITLE);
    folio_buf s;
    folio_buf_init(&s, 1 << 16);
    folio_buf_printf(&s, "%s\n%s\n%s\n%u\n", name ? name : "", title ? title : "",
                     v->first_piece, v->pages);
    char hex[65];
    folio_sha256_hex(s.data ? s.data : "", s.len, hex);
    folio_buf_free(&s);
    char docid[64];
    snprintf(docid, sizeof docid, "uuid:%.8s-%.4s-%.4s-%.4s-%.12s", hex, hex + 8, hex + 12,
             hex + 16, hex + 20);
    HPDF_BYTE id[16];
    for (int i = 0; i < 16; i++) {
        unsigned x;
        sscanf(hex + 2 * i, "%2x", &x);
        id[i] = (HPDF_BYTE)x;
    }

    folio_buf x;
    folio_buf_init(&x, 1 << 20);
    xmp(doc, docid, &x);
    HPDF_Dict meta = x.failed ? NULL : HPDF_DictStream_New(doc->mmgr, doc->xref);
    bool ok = meta && HPDF_Dict_AddName(meta, "Type", "Metadata") == HPDF_OK &&
              HPDF_Dict_AddName(meta, "Subtype", "XML") == HPDF_OK &&
              HPDF_Stream_Write(meta->stream, (const HPDF_BYTE *)x.data,
                                (HPDF_UINT)x.len) == HPDF_OK &&
              HPDF_Dict_Add(doc->catalog, "Metadata", meta) == HPDF_OK;
    folio_buf_free(&x);
    if (!ok)
        return (*why = "cannot write the PDF/VT XMP metadata"), false;
    meta->filter = HPDF_STREAM_FILTER_NONE;  /* readable by any pre-flight */

    HPDF_Dict icc = HPDF_DictStream_New(doc->mmgr, doc->xref);
    HPDF_Dict intent = HPDF_Dict_New(doc->mmgr);
    HPDF_Array intents = HPDF_Array_New(doc->mmgr);
    ok = icc && intent && intents && HPDF_Dict_AddNumber(icc, "N", 3) == HPDF_OK &&
         HPDF_Stream_Write(icc->stream, v->o->icc, (HPDF_UINT)v->o->icc_len) == HPDF_OK &&
         HPDF_Dict_AddName(intent, "Type", "OutputIntent") == HPDF_OK &&
         HPDF_Dict_AddName(intent, "S", "GTS_PDFX") == HPDF_OK &&
         HPDF_Dict_Add(intent, "OutputConditionIdentifier",
                       HPDF_String_New(doc->mmgr, "Custom", NULL)) == HPDF_OK &&
         HPDF_Dict_Add(intent, "OutputCondition",
                       HPDF_String_New(doc->mmgr, v->o->condition, NULL)) == HPDF_OK &&
         HPDF_Dict_Add(intent, "Info",
                       HPDF_String_New(doc->mmgr, v->o->condition, NULL)) == HPDF_OK &&
         HPDF_Dict_Add(intent, "DestOutputProfile", icc) == HPDF_OK &&
         HPDF_Array_Add(intents, intent) == HPDF_OK &&
         HPDF_Dict_Add(doc->catalog, "OutputIntents", intents) == HPDF_OK;
    if (!ok)
        return (*why = "cannot write the PDF/X output intent"), false;
    icc->filter = HPDF_STREAM_FILTER_FLATE_DECODE;

    HPDF_Dict info = doc->info;
    HPDF_Array ida = HPDF_Array_New(doc->mmgr);
    HPDF_Dict fd = HPDF_Dict_New(doc->mmgr);
    char n[24];
    snprintf(n, sizeof n, "%u", v->pieces);
    ok = info && ida && fd && HPDF_Dict_AddName(info, "Trapped", "False") == HPDF_OK &&
         HPDF_Dict_Add(info, "GTS_PDFXVersion",
                       HPDF_String_New(doc->mmgr, "PDF/X-4", NULL)) == HPDF_OK &&
         HPDF_Array_Add(ida, HPDF_Binary_New(doc->mmgr, id, 16)) == HPDF_OK &&
         HPDF_Array_Add(ida, HPDF_Binary_New(doc->mmgr, id, 16)) == HPDF_OK &&
         HPDF_Dict_Add(doc->trailer, "ID", ida) == HPDF_OK &&
         add_text(doc, fd, "File", name ? name : "") == HPDF_OK &&
         HPDF_Dict_AddNumber(fd, "Pieces", (HPDF_INT)v->pieces) == HPDF_OK &&
         HPDF_Dict_AddNumber(fd, "Pages", (HPDF_INT)v->pages) == HPDF_OK;
    HPDF_Dict dpm = ok ? HPDF_Dict_New(doc->mmgr) : NULL;
    ok = dpm && HPDF_Dict_Add(dpm, "Folio", fd) == HPDF_OK &&
         HPDF_Dict_Add(v->root, "DPM", dpm) == HPDF_OK;
    if (!ok)
        return (*why = "cannot write the PDF/X document information"), false;
    return true;
}

void pdfvt_free(pdfvt_doc *v)
{
    free(v);   /* the objects belong to the libharu document */
}
