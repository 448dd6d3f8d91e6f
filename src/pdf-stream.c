/* SPDX-License-Identifier: Apache-2.0 */
/*
 * pdf-stream.c -- a PDF print file written as it fills (pdf-stream.h).
 *
 * The file is libharu's own serialisation (HPDF_Obj_WriteValue of each
 * object, the xref entries as HPDF_Xref_WriteToStream formats them, the
 * trailer with Root, Info and Size), but objects are written in two rounds:
 * each page as soon as it is complete, then the rest in object-number order.
 * An xref entry whose byte_offset is not 0 has been written (the header
 * comes first, so no object starts at 0).
 */
#include "pdf-stream.h"

#include <errno.h>
#include <fcntl.h>
#include <hpdf_objects.h>
#include <hpdf_utils.h>
#include <openssl/evp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define PDFS_BUF (64u * 1024u)
/* Every PDFS_SYNC bytes written, the kernel is asked to start writing them
 * back (sync_file_range, no wait), so publishing's fsync after the run
 * finds the file mostly on disk instead of waiting for all of it. */
#define PDFS_SYNC ((uint64_t)8 << 20)
/* An xref entry's offset has 10 digits (ISO 32000-1 7.5.4): the largest
 * file position an object may start at. */
#define PDFS_MAX_OFFSET 9999999999ull

struct pdf_stream {
    HPDF_Doc doc;
    HPDF_Stream hs;               /* libharu writes into it: pdfs_put */
    int fd;
    EVP_MD_CTX *md;
    unsigned char *buf;
    size_t len;
    uint64_t bytes;               /* handed to write(2) */
    uint64_t synced;              /* writeback started up to here */
    int version;                  /* of the header written, -1 = none yet */
    int err_no;                   /* first write error */
    char *path;
    bool created;                 /* the file did not exist before: abort removes it */
    bool finished;
    char why[160];                /* the message of a write error */
    HPDF_Dict parent;             /* issue 11 (r-par): pdfs_grow_lists */
    HPDF_List kids;
    /* issue 11 (r-pwrite): the page tree's kids in order, every page's
     * (pdfs_page's and pdfs_page_direct's); written by pdfs_pages_root
     * once a page was written directly (libharu's Kids lacks those) */
    uint32_t *kid;
    size_t n_kid, cap_kid;
    bool direct;                  /* a page was written by pdfs_page_direct */
    /* r-harden (round 27, issue 12): libharu's stream size, xref offsets and
     * startxref are 32-bit, so a print file past 4 GiB wrapped them (and
     * failed as "short write").  Each object's offset is kept here in 64
     * bits ([object id]; 0: not written) and written from here. */
    uint64_t *off;
    size_t n_off;
    bool too_big;                 /* past PDFS_MAX_OFFSET: pdfs_io_why says so */
    bool nested;                  /* a page under another Pages than the root */
    char box[72];                 /* round 29: the MediaBox's "w h", box_n bytes */
    size_t box_n;
    float box_w, box_h;
};

/* libharu's header per HPDF_PDFVer (hpdf_doc.c) */
static const char *const pdfs_head[] = {
    "%PDF-1.2\012%\267\276\255\252\012", "%PDF-1.3\012%\267\276\255\252\012",
    "%PDF-1.4\012%\267\276\255\252\012", "%PDF-1.5\012%\267\276\255\252\012",
    "%PDF-1.6\012%\267\276\255\252\012", "%PDF-1.7\012%\267\276\255\252\012"};

/* round 29 (issue 11): the numbers of the per-page objects, the kids and
 * the xref rows written by hand, not by snprintf (~1,500 instructions a
 * call, ~9 calls a page, all in the writer's turn): the same bytes. */
static char *pdfs_put_u(char *p, uint64_t v)
{
    char t[20];
    int n = 0;
    do {
        t[n++] = (char)('0' + v % 10);
        v /= 10;
    } while (v);
    while (n)
        *p++ = t[--n];
    return p;
}

/* v as exactly `width` digits, zero-padded (v < 10^width) */
static char *pdfs_put_u0(char *p, uint64_t v, int width)
{
    for (int i = width; i-- > 0;) {
        p[i] = (char)('0' + v % 10);
        v /= 10;
    }
    return p + width;
}

static char *pdfs_put_s(char *p, const char *s)
{
    size_t n = strlen(s);
    memcpy(p, s, n);
    return p + n;
}

static bool pdfs_drain(pdf_stream *ps)
{
    if (ps->err_no)
        return false;
    if (!EVP_DigestUpdate(ps->md, ps->buf, ps->len)) {
        ps->err_no = EIO;
        return false;
    }
    size_t off = 0;
    while (off < ps->len) {
        ssize_t n = write(ps->fd, ps->buf + off, ps->len - off);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0) {
            ps->err_no = n < 0 ? errno : EIO;
            return false;
        }
        off += (size_t)n;
    }
    ps->bytes += ps->len;
    ps->len = 0;
    if (ps->bytes - ps->synced >= PDFS_SYNC) {
        /* advisory: a file system without it just syncs at publish */
        (void)sync_file_range(ps->fd, (off_t)ps->synced, (off_t)(ps->bytes - ps->synced),
                              SYNC_FILE_RANGE_WRITE);
        ps->synced = ps->bytes;
    }
    return true;
}

/* "cannot write the file: <reason>" (the first write error's). */
static const char *pdfs_io_why(pdf_stream *ps)
{
    if (ps->too_big)
        return "the print file would pass 9,999,999,999 bytes, the largest offset a PDF "
               "cross-reference table holds: lower output.print.max_sheets to split the "
               "print files";
    if (!ps->err_no)
        return "cannot write the file";   /* libharu's own error, not the disk */
    snprintf(ps->why, sizeof ps->why, "cannot write the file: %s",
             strerror(ps->err_no));
    return ps->why;
}

static HPDF_STATUS pdfs_put(HPDF_Stream s, const HPDF_BYTE *p, HPDF_UINT n)
{
    pdf_stream *ps = s->attr;
    while (n) {
        size_t k = PDFS_BUF - ps->len;
        if (k > n)
            k = n;
        memcpy(ps->buf + ps->len, p, k);
        ps->len += k;
        p += k;
        n -= (HPDF_UINT)k;
        if (ps->len == PDFS_BUF && !pdfs_drain(ps))
            return HPDF_FILE_IO_ERROR;
    }
    return ps->err_no ? HPDF_FILE_IO_ERROR : HPDF_OK;
}

/* Object id starts here (its xref entry e): its 64-bit offset kept, and
 * e->byte_offset made non-zero ("written"). */
static bool pdfs_at(pdf_stream *ps, HPDF_UINT id, HPDF_XrefEntry e, const char **why)
{
    uint64_t pos = ps->bytes + ps->len;
    if (pos > PDFS_MAX_OFFSET) {
        ps->too_big = true;
        *why = pdfs_io_why(ps);
        return false;
    }
    if (id >= ps->n_off) {
        size_t n = id + 1 > ps->n_off * 2 ? id + 1024 : ps->n_off * 2;
        uint64_t *o = realloc(ps->off, n * sizeof *o);
        if (!o) {
            *why = "out of memory";
            return false;
        }
        memset(o + ps->n_off, 0, (n - ps->n_off) * sizeof *o);
        ps->off = o;
        ps->n_off = n;
    }
    ps->off[id] = pos;
    e->byte_offset = (HPDF_UINT32)pos ? (HPDF_UINT32)pos : 1u;
    return true;
}

pdf_stream *pdfs_open(HPDF_Doc doc, const char *path, const char **why)
{
    if (doc->xref->prev || doc->xref->start_offset != 0) {
        *why = "internal error: a document with more than one cross-reference section";
        return NULL;
    }
    pdf_stream *ps = calloc(1, sizeof *ps);
    if (!ps || !(ps->buf = malloc(PDFS_BUF)) || !(ps->md = EVP_MD_CTX_new()) ||
        !EVP_DigestInit_ex(ps->md, EVP_sha256(), NULL)) {
        *why = "out of memory";
        pdfs_free(ps);
        return NULL;
    }
    ps->doc = doc;
    ps->fd = -1;
    ps->version = -1;
    if (!(ps->hs = HPDF_CallbackWriter_New(doc->mmgr, pdfs_put, ps))) {
        *why = "out of memory";
        pdfs_free(ps);
        return NULL;
    }
    if (!(ps->path = strdup(path))) {
        *why = "out of memory";
        pdfs_free(ps);
        return NULL;
    }
    return ps;
}

/* The file is opened with the first page: a writer that fails or is
 * aborted before it leaves no file behind, and one whose file cannot be
 * created says so where libharu's save would (*why = NULL: nothing was
 * written, the caller saves the document whole instead). */
static bool pdfs_header(pdf_stream *ps, const char **why)
{
    if (ps->version >= 0)
        return true;
    int fl = O_WRONLY | O_CLOEXEC | O_NOFOLLOW;
    ps->fd = open(ps->path, fl | O_CREAT | O_EXCL, 0666);
    ps->created = ps->fd >= 0;
    if (ps->fd < 0 && errno == EEXIST)         /* the caller's empty .part */
        ps->fd = open(ps->path, fl | O_TRUNC);
    if (ps->fd < 0) {
        *why = NULL;
        return false;
    }
    int v = (int)ps->doc->pdf_version;
    if (v < 0 || v >= (int)(sizeof pdfs_head / sizeof *pdfs_head)) {
        *why = "internal error: unknown PDF version";
        return false;
    }
    ps->version = v;
    if (HPDF_Stream_WriteStr(ps->hs, pdfs_head[v]) != HPDF_OK) {
        *why = pdfs_io_why(ps);
        return false;
    }
    return true;
}

/* test hook (tests/e2e/harden27.sh): FOLIO_TEST_PDF_HOLE=N puts N NUL
 * bytes (PDF white space) after the first page as a hole in a sparse file,
 * so the later objects start past 4 GiB without writing 4 GiB (after the
 * first page, not the header: readers parse the first object to see
 * whether the file is linearized, through the whole hole) */
static void pdfs_test_hole(pdf_stream *ps)
{
    const char *hole = getenv("FOLIO_TEST_PDF_HOLE");
    uint64_t hn = hole ? strtoull(hole, NULL, 10) : 0;
    if (hn && pdfs_drain(ps)) {
        static const unsigned char zero[1 << 16];
        for (uint64_t k = 0; k < hn; k += sizeof zero)
            EVP_DigestUpdate(ps->md, zero, hn - k < sizeof zero ? hn - k : sizeof zero);
        if (lseek(ps->fd, (off_t)hn, SEEK_CUR) < 0)
            ps->err_no = errno;
        ps->bytes += hn;
        ps->synced = ps->bytes;
        ps->hs->size += (HPDF_UINT)hn;
    }
}

static bool pdfs_pages_root(pdf_stream *ps, HPDF_XrefEntry e, const char **why);

/* Write object id (as HPDF_Xref_WriteToStream does) unless it was. */
static bool pdfs_obj(pdf_stream *ps, HPDF_UINT id, const char **why)
{
    HPDF_Xref x = ps->doc->xref;
    HPDF_XrefEntry e = id < x->entries->count ? HPDF_Xref_GetEntry(x, id) : NULL;
    if (e && e->byte_offset)
        return true;      /* written (pdfs_page_direct's have no object) */
    if (!e || !e->obj) {
        *why = "internal error: a PDF object without its cross-reference entry";
        return false;
    }
    if (ps->direct && e->obj == ps->doc->root_pages)
        return pdfs_pages_root(ps, e, why);
    char head[48];
    if (!pdfs_at(ps, id, e, why))
        return false;
    char *hp = pdfs_put_u(head, id);
    *hp++ = ' ';
    hp = pdfs_put_s(pdfs_put_u(hp, e->gen_no), " obj\012");
    *hp = 0;
    if (HPDF_Stream_WriteStr(ps->hs, head) != HPDF_OK ||
        HPDF_Obj_WriteValue(e->obj, ps->hs, NULL) != HPDF_OK ||
        HPDF_Stream_WriteStr(ps->hs, "\012endobj\012") != HPDF_OK) {
        *why = pdfs_io_why(ps);
        return false;
    }
    return true;
}

static HPDF_UINT pdfs_id(const void *obj)
{
    return ((const HPDF_Obj_Header *)obj)->obj_id & 0x00FFFFFF;
}

/* issue 11 (r-par): libharu grows a list by a fixed step (a page tree's
 * Kids array by 20 items, copying it whole each time into a new block:
 * quadratic in the pages of a file, ~4% of a 13,000-page file's CPU and
 * fresh pages to fault in).  Growing by half the count instead changes
 * only when blocks are reallocated, not what the list holds. */
static void pdfs_grow_lists(pdf_stream *ps, HPDF_PageAttr attr)
{
    if (attr->parent != ps->parent) {
        ps->parent = attr->parent;
        HPDF_Array kids = HPDF_Dict_GetItem(attr->parent, "Kids", HPDF_OCLASS_ARRAY);
        ps->kids = kids ? kids->list : NULL;
    }
    HPDF_List lists[3] = {ps->kids, ps->doc->page_list, ps->doc->xref->entries};
    for (int i = 0; i < 3; i++)
        if (lists[i] && lists[i]->items_per_block < lists[i]->count / 2)
            lists[i]->items_per_block = lists[i]->count / 2;
}

/* issue 11 (r-pwrite): one more kid of the page tree */
static bool pdfs_kid(pdf_stream *ps, uint32_t id, const char **why)
{
    if (ps->n_kid == 1)
        pdfs_test_hole(ps);            /* the second page */
    if (ps->n_kid == ps->cap_kid) {
        size_t cap = ps->cap_kid ? ps->cap_kid * 2 : 1024;
        uint32_t *k = realloc(ps->kid, cap * sizeof *k);
        if (!k) {
            *why = "out of memory";
            return false;
        }
        ps->kid = k;
        ps->cap_kid = cap;
    }
    ps->kid[ps->n_kid++] = id;
    return true;
}

bool pdfs_page(pdf_stream *ps, HPDF_Page page, const char **why)
{
    if (!pdfs_header(ps, why))
        return false;
    HPDF_PageAttr attr = (HPDF_PageAttr)page->attr;
    pdfs_grow_lists(ps, attr);            /* issue 11 (r-par) */
    if (attr->parent != ps->doc->root_pages)
        ps->nested = true;
    if (!pdfs_kid(ps, pdfs_id(page), why))
        return false;
    HPDF_Dict c = attr->contents;
    if (!(page->header.obj_id & HPDF_OTYPE_INDIRECT) || !c ||
        !(c->header.obj_id & HPDF_OTYPE_INDIRECT)) {
        *why = "internal error: a page that is not an indirect object";
        return false;
    }
    if (!pdfs_obj(ps, pdfs_id(page), why) || !pdfs_obj(ps, pdfs_id(c), why))
        return false;
    /* the stream's Length is an object of its own, set while it was written */
    HPDF_Number len = HPDF_Dict_GetItem(c, "Length", HPDF_OCLASS_NUMBER);
    if (len && (len->header.obj_id & HPDF_OTYPE_INDIRECT) && !pdfs_obj(ps, pdfs_id(len), why))
        return false;
    if (c->stream && c->stream->type == HPDF_STREAM_MEMORY)
        HPDF_MemStream_FreeData(c->stream);
    return true;
}

/* ---- issue 11 (r-pwrite): pages written without libharu's objects ------ *
 *
 * HPDF_AddPage makes ~40 objects a page (the page dictionary, a Resources
 * dictionary with a ProcSet array of 5 names -- replaced at once by the
 * shared one --, a graphics state, the contents stream and its Length) in
 * the writer's turn, which is serial.  A page whose resources are shared
 * (pdf.c) needs none of them: its three objects are numbered here, in the
 * order libharu would number them, and written as the bytes libharu writes
 * for them (HPDF_Dict_Write: "<<\n", "/Key value\n" per entry, ">>"). */

bool pdfs_direct_off;
uint64_t pdfs_direct_pages;

bool pdfs_page_reserve(pdf_stream *ps, uint32_t *id, const char **why)
{
    if (!pdfs_header(ps, why))
        return false;
    HPDF_Doc doc = ps->doc;
    if (doc->cur_pages != doc->root_pages || !doc->root_pages) {
        *why = "internal error: a page tree with more than one level";
        return false;
    }
    HPDF_List l = doc->xref->entries;
    /* the PDF object limit HPDF_Xref_Add checks for libharu's own objects
     * (8,388,607: ISO 32000-1 C.2): a file past it is refused, not written */
    if (l->count + 3 > HPDF_LIMIT_MAX_XREF_ELEMENT) {
        *why = "too many objects for one PDF file (lower output.print.max_sheets)";
        return false;
    }
    if (l->items_per_block < l->count / 2)      /* as pdfs_grow_lists */
        l->items_per_block = l->count / 2;
    for (int k = 0; k < 3; k++) {
        HPDF_XrefEntry e = HPDF_GetMem(doc->mmgr, sizeof *e);
        if (!e) {
            *why = "out of memory";
            return false;
        }
        *e = (HPDF_XrefEntry_Rec){.entry_typ = HPDF_IN_USE_ENTRY, .obj = NULL};
        if (HPDF_List_Add(l, e) != HPDF_OK) {
            HPDF_FreeMem(doc->mmgr, e);
            *why = "out of memory";
            return false;
        }
    }
    *id = (uint32_t)(l->count - 3);
    return true;
}

/* "N 0 R" of an indirect object */
static char *pdfs_ref(char *p, const void *obj)
{
    const HPDF_Obj_Header *h = obj;
    p = pdfs_put_u(p, h->obj_id & 0x00FFFFFF);
    *p++ = ' ';
    p = pdfs_put_u(p, h->gen_no);
    return pdfs_put_s(p, " R");
}

bool pdfs_page_direct(pdf_stream *ps, uint32_t id, float w, float h, HPDF_Dict res,
                      const void *data, size_t len, const char **why)
{
    HPDF_Xref x = ps->doc->xref;
    if (id + 3 > x->entries->count || !res || !(res->header.obj_id & HPDF_OTYPE_INDIRECT)) {
        *why = "internal error: a page written directly without its objects";
        return false;
    }
    if (!pdfs_kid(ps, id, why))
        return false;
    ps->direct = true;
    /* the MediaBox's numbers as HPDF_Stream_WriteReal writes them, made
     * once for the page size (round 29) */
    if (!ps->box_n || ps->box_w != w || ps->box_h != h) {
        char *q = HPDF_FToA(ps->box, w, ps->box + 32);
        *q++ = ' ';
        q = HPDF_FToA(q, h, ps->box + sizeof ps->box - 1);
        ps->box_n = (size_t)(q - ps->box);
        ps->box_w = w;
        ps->box_h = h;
    }
    char b[320];
    if (!pdfs_at(ps, id, HPDF_Xref_GetEntry(x, id), why))
        return false;
    char *p = pdfs_put_s(pdfs_put_u(b, id), " 0 obj\012<<\012/Type /Page\012/MediaBox [ 0 0 ");
    memcpy(p, ps->box, ps->box_n);
    p = pdfs_put_s(p + ps->box_n, " ]\012/Contents ");
    p = pdfs_put_s(pdfs_put_u(p, id + 1), " 0 R\012/Resources ");
    p = pdfs_put_s(pdfs_ref(p, res), "\012/Parent ");
    p = pdfs_put_s(pdfs_ref(p, ps->doc->root_pages), "\012>>\012endobj\012");
    bool ok = HPDF_Stream_Write(ps->hs, (const HPDF_BYTE *)b, (HPDF_UINT)(p - b)) == HPDF_OK;
    ok = ok && pdfs_at(ps, id + 1, HPDF_Xref_GetEntry(x, id + 1), why);
    p = pdfs_put_s(pdfs_put_u(b, id + 1), " 0 obj\012<<\012/Length ");
    p = pdfs_put_s(pdfs_put_u(p, id + 2), " 0 R\012/Filter /FlateDecode\012>>\012stream\015\012");
    ok = ok && HPDF_Stream_Write(ps->hs, (const HPDF_BYTE *)b, (HPDF_UINT)(p - b)) == HPDF_OK &&
         HPDF_Stream_Write(ps->hs, data, (HPDF_UINT)len) == HPDF_OK &&
         HPDF_Stream_WriteStr(ps->hs, "\012endstream\012endobj\012") == HPDF_OK;
    ok = ok && pdfs_at(ps, id + 2, HPDF_Xref_GetEntry(x, id + 2), why);
    p = pdfs_put_s(pdfs_put_u(b, id + 2), " 0 obj\012");
    p = pdfs_put_s(pdfs_put_u(p, len), "\012endobj\012");
    ok = ok && HPDF_Stream_Write(ps->hs, (const HPDF_BYTE *)b, (HPDF_UINT)(p - b)) == HPDF_OK;
    if (!ok)
        *why = pdfs_io_why(ps);
    else
        __atomic_add_fetch(&pdfs_direct_pages, 1, __ATOMIC_RELAXED);
    return ok;
}

/* The page tree's root as libharu writes it (Pages_BeforeWrite counts the
 * kids), from the kids in order: it is /Type /Pages, /Kids, /Count. */
static bool pdfs_pages_root(pdf_stream *ps, HPDF_XrefEntry e, const char **why)
{
    HPDF_Dict root = ps->doc->root_pages;
    if (ps->nested || root->list->count != 3 || !HPDF_Dict_GetItem(root, "Kids", HPDF_OCLASS_ARRAY) ||
        !HPDF_Dict_GetItem(root, "Count", HPDF_OCLASS_NUMBER)) {
        *why = "internal error: a page tree written directly has other entries";
        return false;
    }
    char b[64];
    if (!pdfs_at(ps, pdfs_id(root), e, why))
        return false;
    int n = snprintf(b, sizeof b, "%u %u obj\012<<\012/Type /Pages\012/Kids [ ",
                     (unsigned)pdfs_id(root), (unsigned)e->gen_no);
    bool ok = HPDF_Stream_Write(ps->hs, (const HPDF_BYTE *)b, (HPDF_UINT)n) == HPDF_OK;
    for (size_t i = 0; ok && i < ps->n_kid; i++) {
        char *p = pdfs_put_s(pdfs_put_u(b, ps->kid[i]), " 0 R ");
        ok = HPDF_Stream_Write(ps->hs, (const HPDF_BYTE *)b, (HPDF_UINT)(p - b)) == HPDF_OK;
    }
    n = snprintf(b, sizeof b, "]\012/Count %zu\012>>\012endobj\012", ps->n_kid);
    ok = ok && HPDF_Stream_Write(ps->hs, (const HPDF_BYTE *)b, (HPDF_UINT)n) == HPDF_OK;
    if (!ok)
        *why = pdfs_io_why(ps);
    return ok;
}

bool pdfs_finish(pdf_stream *ps, uint64_t *bytes, char sha256[65], const char **why)
{
    HPDF_Doc doc = ps->doc;
    HPDF_Xref x = doc->xref;
    if (!pdfs_header(ps, why)) {
        if (!*why)
            *why = "cannot create the file";
        return false;
    }
    if ((int)doc->pdf_version != ps->version) {
        *why = "internal error: the PDF version changed after the first page was written";
        return false;
    }
    /* hpdf_doc.c PrepareTrailer */
    if (!doc->info || HPDF_Dict_Add(doc->trailer, "Root", doc->catalog) != HPDF_OK ||
        HPDF_Dict_Add(doc->trailer, "Info", doc->info) != HPDF_OK) {
        *why = "cannot write the trailer";
        return false;
    }
    for (HPDF_UINT i = 1; i < x->entries->count; i++)
        if (!pdfs_obj(ps, i, why))
            return false;
    /* hpdf_xref.c: the table, then the trailer */
    char line[64];
    uint64_t xaddr = ps->bytes + ps->len;     /* r-harden (round 27): 64-bit */
    x->addr = (HPDF_UINT32)xaddr;
    snprintf(line, sizeof line, "xref\0120 %u\012", (unsigned)x->entries->count);
    bool ok = HPDF_Stream_WriteStr(ps->hs, line) == HPDF_OK;
    for (HPDF_UINT i = 0; ok && i < x->entries->count; i++) {
        HPDF_XrefEntry e = HPDF_Xref_GetEntry(x, i);
        uint64_t at = e->entry_typ == HPDF_IN_USE_ENTRY && i < ps->n_off ? ps->off[i]
                                                                          : e->byte_offset;
        char *p = line;
        if (at <= PDFS_MAX_OFFSET) {       /* gen_no is 16-bit: 5 digits */
            p = pdfs_put_u0(p, at, 10);
            *p++ = ' ';
            p = pdfs_put_u0(p, e->gen_no, 5);
            *p++ = ' ';
            *p++ = (char)e->entry_typ;
            *p++ = '\015';
            *p++ = '\012';
        } else {   /* wider than the row (never written: pdfs_at refuses it) */
            p += snprintf(line, sizeof line, "%010llu %05u %c\015\012",
                          (unsigned long long)at, (unsigned)e->gen_no, e->entry_typ);
        }
        ok = HPDF_Stream_Write(ps->hs, (const HPDF_BYTE *)line, (HPDF_UINT)(p - line)) ==
             HPDF_OK;
    }
    ok = ok && HPDF_Dict_AddNumber(x->trailer, "Size", (HPDF_INT32)x->entries->count) ==
                   HPDF_OK;
    ok = ok && HPDF_Stream_WriteStr(ps->hs, "trailer\012") == HPDF_OK &&
         HPDF_Dict_Write(x->trailer, ps->hs, NULL) == HPDF_OK;
    snprintf(line, sizeof line, "\012startxref\012%llu\012%%%%EOF\012",
             (unsigned long long)xaddr);
    ok = ok && HPDF_Stream_WriteStr(ps->hs, line) == HPDF_OK && pdfs_drain(ps);
    unsigned char md[EVP_MAX_MD_SIZE];
    unsigned int mdlen = 0;
    ok = ok && EVP_DigestFinal_ex(ps->md, md, &mdlen) && mdlen == 32;
    if (ok && close(ps->fd) != 0) {
        ps->err_no = errno;
        ok = false;
    }
    ps->fd = -1;
    ps->finished = ok;
    if (!ok) {
        *why = pdfs_io_why(ps);
        return false;
    }
    if ((HPDF_UINT)ps->bytes != ps->hs->size) {      /* libharu's size is 32-bit */
        *why = "internal error: short write of the file";
        return false;
    }
    for (unsigned i = 0; i < 32; i++)
        snprintf(sha256 + 2 * i, 3, "%02x", md[i]);
    *bytes = ps->bytes;
    return true;
}

void pdfs_free(pdf_stream *ps)
{
    if (!ps)
        return;
    if (ps->hs)
        HPDF_Stream_Free(ps->hs);
    if (ps->fd >= 0)
        close(ps->fd);
    if (ps->created && !ps->finished)
        unlink(ps->path);
    free(ps->path);
    free(ps->kid);
    free(ps->off);
    EVP_MD_CTX_free(ps->md);
    free(ps->buf);
    free(ps);
}
