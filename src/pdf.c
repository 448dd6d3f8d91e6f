/* SPDX-License-Identifier: Apache-2.0 */
/*
 * pdf.c -- display list -> PDF print stream (folio/pdf.h), on libharu 2.3.0.
 *
 * Interface order: pdf_writer_open (document, info, fonts) ->
 * pdf_writer_add_statement* (one libharu page per dlist page) ->
 * pdf_writer_close (save) or pdf_writer_abort.  add_statement is
 * pdf_prepare_statement + pdf_writer_add_prepared, which callers may also
 * use apart: prepare in worker threads, add in order (see "prepared
 * statements" below).
 *
 * libharu owns the document structure: pages tree, info dictionary, the
 * TrueType fonts as Type0/CIDFontType2 with Identity-H, /W widths and
 * CIDToGIDMap (the ToUnicode CMap and the embedded program are ours, see
 * below).  With UTF-8 encoding a CID is the Unicode code point (BMP), so
 * the text operand of Tj is the code points as 2 big-endian bytes each,
 * written as a literal string (half the size of hex; ( ) \ CR LF escaped).
 * Issue 11: print files and proofs (not the PDF/A archive) also give each
 * font a 1-byte twin, a second Type0 font on the same CIDFont with a fixed
 * 1-byte CMap (pdf-enc1.h: ASCII, Latin-1, the Windows-1252 symbols), page
 * resources E1, E2, ...; runs of those characters are written one byte
 * each (pdf_enc1_switch decides where a font switch pays).
 *
 * Page content, two back ends behind the same API:
 *
 *   direct (default)  we write the content stream ourselves: formatted with
 *       our own locale-free number routine and deflated with libdeflate
 *       (level = opt->compression when 1..9, else 6: zlib's scale; a
 *       compressor per level kept in a process-wide pool), handed to the
 *       page's stream (HPDF_PageAttr->stream) in one HPDF_Stream_Write.
 *       Fonts are registered in the page resources with
 *       HPDF_Page_GetLocalFontName.  libharu marks a glyph used when a
 *       width is asked for it, so the first time a code point is drawn in
 *       a font we ask HPDF_Font_TextWidth for it once (a bitmap per font
 *       remembers which were asked).  Our compressed stream gets its
 *       /Filter through the contents dictionary's write_fn hook, because
 *       libharu removes a /Filter key from an unfiltered stream.  Per page
 *       that is HPDF_AddPage, two size calls, one GetLocalFontName per font
 *       used and one HPDF_Stream_Write; no allocation once the writer's
 *       buffers have grown.
 *   libharu (FOLIO_PDF_BACKEND=libharu)  plain HPDF_Page_* calls; kept to
 *       compare output and speed (perf/pdf_micro.c).
 *
 * Font programs: each font is embedded as an hb-subset program of the
 * glyphs the document draws (pdf-subset.c: glyph ids kept, so libharu's
 * CIDToGIDMap and /W stay right; no hinting or layout tables), given to
 * libharu as the font descriptor it would otherwise build around its own
 * subset (the whole font with unused glyphs emptied).  The CIDToGIDMap and
 * ToUnicode streams are deflated by us too (libdeflate), not by libharu's
 * zlib at save time.
 *
 * Both back ends coalesce: text ops in a row share one BT/ET, and font, fill
 * colour, stroke colour and line width are set only when they change.
 *
 * ToUnicode: libharu 2.3.0 gives each UTF-8 Type0 font its encoding CMap as
 * /ToUnicode (begincidrange, CMapName /UTF-8), which is not a valid ToUnicode
 * CMap (poppler: "Invalid 'begincidrange' operator").  We replace its content
 * at save time from the stream dictionary's before_write_fn hook (attr points
 * at the writer and font): a CMapType 2 Adobe-Identity-UCS CMap with
 * codespace <0000> <FFFF> and one entry per code the content uses (the usage
 * bitmap, also kept by the libharu back end), sorted by code, bfrange for
 * runs within one high byte and bfchar for single codes, at most 100 entries
 * per block.  The code is the code point, so each maps to itself in UTF-16BE
 * (D800-DFFF, which only malformed UTF-8 could give, are skipped).
 * libharu deflates the stream like the font's other streams.
 *
 * Coordinates: dlist units are 1/1440 in, origin top-left, y down; PDF points
 * are 20 units, origin bottom-left: x_pt = x/20, y_pt = (page_h - y)/20,
 * computed in integers and printed exactly (multiples of 0.05).
 *
 * Determinism: no clock (dates come from the options), no random file ID
 * (libharu writes none without encryption), font subset tags are per
 * document.  The same statements give byte-identical files.
 *
 * Errors: libharu reports through pdf_on_error with the writer as user_data;
 * the first error is kept in w->err and the writer stops.
 */
#include "folio/pdf.h"
#include "pdf-afont.h"     /* issue 11 (r-arch4) */
#include "pdf-private.h"
#include "pdf-image.h"        /* issue 13 parts 1, 2 */
#include "pdf-link.h"      /* issue 13 part 4 */
#include "pdf-vt.h"        /* issue 14 part 3 */
#include "pdf-enc1.h"      /* issue 11: 1-byte codes */
#include "pdf-compact.h"   /* r-adoc (issue 11) */
#include "pdf-tag.h"       /* issue 14 part 2 */
#include "pdf-stream.h"    /* issue 11 (r-speed): written as it fills */

#include <errno.h>
#include <hpdf.h>
#include <hpdf_encoder.h>
#include <hpdf_font.h>
#include <hpdf_fontdef.h>
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <libdeflate.h>
#include <time.h>

#define PDF_MAX_FONTS 64
#define PDF_MAX_PAGE_BYTES (64u * 1024u * 1024u)   /* content of one page */
#define PDF_ZLEVEL 6     /* opt->compression outside 1..9 */
#define PDF_ARENA_CHUNKS 16              /* r-adoc: chunks of a document's arena */
#define PDF_ARENA_CHUNK (256u * 1024u)   /* bytes of its first chunks */
#define PDF_CMAP_BLOCK 100   /* entries per bfchar/bfrange block (CMap limit) */

struct folio_pdf_writer;

/* attr of a font's ToUnicode stream dictionary (see pdf_tounicode_write). */
typedef struct pdf_tounicode {
    struct folio_pdf_writer *w;
    int font;                  /* index into used[] */
} pdf_tounicode;

struct folio_pdf_writer {
    HPDF_Doc doc;
    char *path;
    folio_error err;           /* first error (libharu or ours) */
    bool failed;
    bool direct;               /* direct content streams (default) */
    bool enc1;                 /* issue 11: direct, not PDF/A: 1-byte twins */
    bool compress;
    int zlevel;                /* deflate level of page content, 0 = none */
    int n_fonts;
    HPDF_Font hfont[PDF_MAX_FONTS];
    uint8_t *used[PDF_MAX_FONTS];       /* 65536-bit map of code points marked */
    pdf_tounicode tounicode[PDF_MAX_FONTS];
    /* issue 11, direct back end: each font's 1-byte twin (pdf-enc1.h), a
     * Type0 font on the same CIDFont, and its ToUnicode hook's attr */
    HPDF_Dict hfont1[PDF_MAX_FONTS];
    pdf_tounicode tounicode1[PDF_MAX_FONTS];
    uint32_t pages;
    /* direct back end: the statement being added (pdf_writer_add_statement
     * prepares into it and appends it; its buffers are kept, so adding a
     * page allocates nothing once they have grown) */
    folio_pdf_prepared *prep;
    uint8_t alias[PDF_MAX_FONTS];      /* first layout font with the same file */
    const folio_layout_font *fonts;    /* the caller's (font files for subsets) */
    /* libharu back end: NUL-terminated copy of a text */
    char *tmp;
    size_t tmp_cap;
    folio_pdf_options opt;     /* copy (strings are the caller's) */
    folio_pdfa_options pdfa;   /* when is_pdfa (strings are the caller's) */
    folio_pdf_reuse *reuse;    /* w->doc belongs to it: HPDF_FreeDoc, not HPDF_Free */
    bool is_pdfa;
    bool reading;              /* pdf_writer_close_mem copies the memory stream */
    pdf_images *images;        /* issue 13: this document's image XObjects */
    struct pdf_res_entry *res_shared;   /* issue 11: page resources shared by pages */
    int n_res_shared;
    pdfvt_doc *vt;             /* issue 14 part 3: PDF/VT print file, NULL = plain */
    pdf_tag *tag;              /* issue 14 part 2: tagged (archive), else NULL */
    pdf_stream *ps;            /* issue 11 (r-speed): pages written as added, else NULL */
    /* issue 11 (r-arch4): a PDF/A document's fonts written by folio
     * (pdf-afont.h); t0 NULL: libharu's font */
    pdfa_font afont[PDF_MAX_FONTS];
};

/* See "a libharu document kept between documents" below. */
/* r-adoc (issue 11): a kept archive document's objects (~1,000 small
 * allocations a document, each freed one by one by HPDF_FreeDoc) come from
 * an arena emptied at once when the document is done.  See pdf_arena_alloc. */
typedef struct pdf_arena {
    unsigned char *chunk[PDF_ARENA_CHUNKS];
    size_t size[PDF_ARENA_CHUNKS];
    int n, cur;                        /* chunks made; the one allocated from */
    size_t used;                       /* in chunk[cur] */
} pdf_arena;

struct folio_pdf_reuse {
    pdf_arena arena;
    HPDF_Doc doc;
    int n;
    char *file[PDF_MAX_FONTS];         /* the font files' whole paths (owned) */
    const char *name[PDF_MAX_FONTS];   /* libharu's font name (owned by doc) */
};

static void pdf_reuse_forget(folio_pdf_reuse *r);

/* r-adoc (issue 11): libharu's allocator for kept (archive) documents.
 * Every block has a 16-byte head saying where it came from: the arena of
 * the document the calling thread is writing (pdf_arena_on: between
 * pdf_open and pdf_free, never while fonts or encoders that outlive the
 * document are loaded), else malloc.  Freeing an arena block does nothing;
 * pdf_free empties the arena after HPDF_FreeDoc, when none of its blocks
 * is referred to any more.  A document, a font definition or libharu's
 * own bookkeeping allocated outside a document is malloc'd as before. */
#define PDF_BLK_ARENA 0x6172656e61626c6bull   /* "arenablk" */
#define PDF_BLK_HEAP 0x68656170626c6f63ull    /* "heapbloc" */

static __thread pdf_arena *pdf_arena_on;

static void *pdf_arena_alloc(HPDF_UINT size)
{
    size_t need = ((size_t)size + 16 + 15) & ~(size_t)15;
    pdf_arena *a = pdf_arena_on;
    unsigned char *p = NULL;
    uint64_t tag = PDF_BLK_HEAP;
    if (a && need <= PDF_ARENA_CHUNK / 4) {
        while (a->cur < a->n && a->used + need > a->size[a->cur]) {
            a->cur++;
            a->used = 0;
        }
        if (a->cur == a->n && a->n < PDF_ARENA_CHUNKS &&
            (a->chunk[a->n] = malloc(PDF_ARENA_CHUNK)) != NULL) {
            a->size[a->n++] = PDF_ARENA_CHUNK;
            a->used = 0;
        }
        if (a->cur < a->n && a->used + need <= a->size[a->cur]) {
            p = a->chunk[a->cur] + a->used;
            a->used += need;
            tag = PDF_BLK_ARENA;
        }
    }
    if (!p && !(p = malloc(need)))
        return NULL;
    memcpy(p, &tag, sizeof tag);
    return p + 16;
}

static void pdf_arena_free(void *ptr)
{
    if (!ptr)
        return;
    unsigned char *p = (unsigned char *)ptr - 16;
    uint64_t tag;
    memcpy(&tag, p, sizeof tag);
    if (tag == PDF_BLK_HEAP)
        free(p);
    /* PDF_BLK_ARENA: emptied with its arena */
}

/* Empty a's chunks for the next document (the first four kept). */
static void pdf_arena_reset(pdf_arena *a)
{
    while (a->n > 4)
        free(a->chunk[--a->n]);
    a->cur = 0;
    a->used = 0;
}

static void pdf_arena_release(pdf_arena *a)
{
    for (int i = 0; i < a->n; i++)
        free(a->chunk[i]);
    a->n = a->cur = 0;
    a->used = 0;
}

/* FOLIO_TEST_NO_ARENA=1: every block malloc'd (tests compare the two) */
static bool pdf_arena_wanted(void)
{
    const char *e = getenv("FOLIO_TEST_NO_ARENA");
    return !(e && e[0] == '1');
}

/* Per-page graphics state both back ends track. */
typedef struct pdf_state {
    int font;                  /* -1 = none yet */
    int32_t size;
    uint32_t fill, stroke;     /* 0xFFFFFFFF = unknown */
    int32_t line_w;            /* -1 = unknown */
    bool in_text;
    int32_t tx, ty;            /* text line start, units from bottom-left */
    bool one;                  /* direct: font is the 1-byte twin (pdf-enc1.h) */
} pdf_state;

static const char *pdf_hpdf_reason(HPDF_STATUS e)
{
    switch (e) {
    case HPDF_FAILD_TO_ALLOC_MEM: return "out of memory";
    case HPDF_FILE_IO_ERROR: return "cannot write the file";
    case HPDF_FILE_OPEN_ERROR: return "cannot open the file for writing";
    case HPDF_TTF_INVALID_CMAP: return "font has no usable cmap";
    case HPDF_TTF_INVALID_FOMAT: return "font is not a TrueType font";
    case HPDF_TTF_MISSING_TABLE: return "font misses a required table";
    case HPDF_TTF_CANNOT_EMBEDDING_FONT: return "font licence forbids embedding";
    case HPDF_FONT_EXISTS: return "font loaded twice";
    default: return "PDF library error";
    }
}

/* libharu error callback; user_data is the writer. */
static void pdf_on_error(HPDF_STATUS e, HPDF_STATUS detail, void *user_data)
{
    int saved = errno;         /* the failed fwrite/fopen's, when it is I/O */
    folio_pdf_writer *w = user_data;
    if (e == HPDF_STREAM_EOF && w->reading)
        return;                /* the end of the memory stream, not an error */
    bool io = e == HPDF_FILE_IO_ERROR || e == HPDF_FILE_OPEN_ERROR ||
              detail == HPDF_FILE_IO_ERROR || detail == HPDF_FILE_OPEN_ERROR;
    if (!w->failed && io && saved)   /* name the cause: ENOSPC, EIO, EDQUOT ... */
        folio_error_set(&w->err, FOLIO_EXIT_FAILED, "%s: cannot write the file: %s "
                        "(libharu 0x%04X/%u)", w->path, strerror(saved), (unsigned)e,
                        (unsigned)detail);
    else if (!w->failed)
        folio_error_set(&w->err, FOLIO_EXIT_FAILED, "%s: %s (libharu 0x%04X/%u)",
                        w->path, pdf_hpdf_reason(e), (unsigned)e,
                        (unsigned)detail);
    w->failed = true;
}

static void pdf_fail(folio_pdf_writer *w, const char *why)
{
    if (!w->failed)
        folio_error_set(&w->err, FOLIO_EXIT_FAILED, "%s: %s", w->path, why);
    w->failed = true;
}

/* Copy the writer's first error to the caller's record. */
static void pdf_report(folio_pdf_writer *w, folio_error *err)
{
    if (w->err.code)
        folio_error_set(err, w->err.code, "%s", w->err.msg);
    else
        folio_error_set(err, FOLIO_EXIT_FAILED, "%s: PDF writer failed", w->path);
}

/* ---- libharu's byte loops (issue 11 part 4) ------------------------------ *
 *
 * libharu 2.3.0 copies and clears memory one byte at a time in HPDF_MemCpy
 * and HPDF_MemSet, and calls both through its PLT, so the definitions below
 * (in the executable, which the dynamic linker searches first) replace
 * them: libc's memcpy/memset, same results, same return values (the end of
 * the bytes written, as libharu's loops return).  Measured: ~5% of a
 * samples run at one thread -- mostly clearing a 128 KB code map for each
 * font of each archived document (CIDFontType2_New) and copying streams at
 * save time.  A build that links libharu statically or without the PLT
 * just keeps libharu's own loops; the output is the same either way. */
#include <hpdf_utils.h>

HPDF_BYTE *HPDF_MemCpy(HPDF_BYTE *out, const HPDF_BYTE *in, HPDF_UINT n)
{
    /* round 29: a few bytes by libharu's own forward loop -- most calls
     * copy 2 (CIDFontType2_New: one per code point, 65,535 a font and
     * print file), where memmove's call cost more than the copy */
    if (n <= 8 || (out > in && out < in + n)) {   /* the overlap: the loop repeats */
        for (HPDF_UINT i = 0; i < n; i++)
            out[i] = in[i];
        return out + n;
    }
    memmove(out, in, n);
    return out + n;
}

void *HPDF_MemSet(void *s, HPDF_BYTE c, HPDF_UINT n)
{
    memset(s, c, n);
    return (HPDF_BYTE *)s + n;
}

/* ---- number formatting (locale-free) ------------------------------------- */

/* "00".."99" */
static const char pdf_digits2[201] =
    "00010203040506070809101112131415161718192021222324252627282930313233343536373839"
    "40414243444546474849505152535455565758596061626364656667686970717273747576777879"
    "8081828384858687888990919293949596979899";

/* Write v units (1/20 pt) as points: "-12.35", "595", "0.05".  issue 11
 * (r-page): two digits at a time below 1,000 pt (every position of a page),
 * the digit loop above. */
static inline char *pdf_put_units(char *p, int64_t v)
{
    if (v < 0) {
        *p++ = '-';
        v = -v;
    }
    uint64_t whole = (uint64_t)v / 20;
    unsigned hund = (unsigned)((uint64_t)v % 20) * 5;
    if (whole < 10) {
        *p++ = (char)('0' + whole);
    } else if (whole < 100) {
        memcpy(p, pdf_digits2 + 2 * whole, 2);
        p += 2;
    } else if (whole < 1000) {
        *p++ = (char)('0' + whole / 100);
        memcpy(p, pdf_digits2 + 2 * (whole % 100), 2);
        p += 2;
    } else {
        char tmp[24];
        int n = 0;
        do {
            tmp[n++] = (char)('0' + whole % 10);
            whole /= 10;
        } while (whole);
        while (n)
            *p++ = tmp[--n];
    }
    if (hund) {
        *p++ = '.';
        *p++ = pdf_digits2[2 * hund];
        if (hund % 10)
            *p++ = pdf_digits2[2 * hund + 1];
    }
    return p;
}

/* c/255 as text with at most 3 decimals ("0.502"), for c = 0..255; built
 * once per process, read-only after (pthread_once). */
static char pdf_color[256][8];
static uint8_t pdf_color_len[256];
static pthread_once_t pdf_color_once = PTHREAD_ONCE_INIT;

static void pdf_color_table(void)
{
    for (int c = 0; c < 256; c++) {
        unsigned t = (unsigned)(c * 1000 + 127) / 255;   /* thousandths */
        char *p = pdf_color[c];
        if (t >= 1000) {
            *p++ = '1';
        } else if (t == 0) {
            *p++ = '0';
        } else {
            *p++ = '0';
            *p++ = '.';
            *p++ = (char)('0' + t / 100);
            t %= 100;
            if (t) {
                *p++ = (char)('0' + t / 10);
                if (t % 10)
                    *p++ = (char)('0' + t % 10);
            }
        }
        pdf_color_len[c] = (uint8_t)(p - pdf_color[c]);
    }
}

static inline char *pdf_put_rgb(char *p, uint32_t rgb, const char *op)
{
    for (int sh = 16; sh >= 0; sh -= 8) {
        unsigned c = (rgb >> sh) & 0xFF;
        memcpy(p, pdf_color[c], 8);
        p += pdf_color_len[c];
        *p++ = ' ';
    }
    *p++ = op[0];
    if (op[1])
        *p++ = op[1];
    *p++ = '\n';
    return p;
}

static inline char *pdf_put_str(char *p, const char *s, size_t n)
{
    memcpy(p, s, n);
    return p + n;
}

static HPDF_REAL pdf_pt(int64_t units)
{
    return (HPDF_REAL)units / 20.0f;
}

/* ---- glyph usage --------------------------------------------------------- */

/* Tell libharu's subsetter that cp is drawn in font fi (once per code point). */
static inline void pdf_mark_glyph(folio_pdf_writer *w, int fi, uint32_t cp,
                                  const unsigned char *s, size_t n)
{
    uint8_t *bits = w->used[fi];
    if (bits[cp >> 3] & (1u << (cp & 7)))
        return;
    bits[cp >> 3] |= (uint8_t)(1u << (cp & 7));
    if (!w->afont[fi].t0)      /* issue 11 (r-arch4): folio's own font needs no mark */
        HPDF_Font_TextWidth(w->hfont[fi], s, (HPDF_UINT)n);
}

/* ---- direct back end: prepared statements ---------------------------------- *
 *
 * pdf_prepare_statement formats every page's content stream and deflates it
 * without touching libharu or any writer, so it runs in any thread; it
 * records, per page, the fonts in the order the page first uses them (the
 * page's resource names are F1, F2, ... in that order: libharu's
 * HPDF_Page_GetLocalFontName numbers a page's fonts as they are added), and
 * per statement the code points drawn in each font, in the order they first
 * appear, with the UTF-8 bytes that drew them.  pdf_writer_add_prepared
 * then adds the pages in order: HPDF_AddPage, the size, the fonts in that
 * order (the names are checked), one HPDF_Stream_Write, and asks libharu
 * for a width of each code point the document has not drawn before (that
 * marks the glyph for libharu's subset).  The file is the one
 * pdf_writer_add_statement wrote before the split, byte for byte. */

typedef struct pdf_prep_page {
    size_t off, len;                   /* content stream in data[] */
    size_t raw_off, raw_n;             /* issue 11: ... formatted, in raw[] */
    uint8_t n_fonts;                   /* fonts (alias indices) in order of use */
    uint8_t fonts[PDF_MAX_FONTS];
    uint8_t n_fonts1;                  /* issue 11: 1-byte twins in order of use (E1, ...) */
    uint8_t fonts1[PDF_MAX_FONTS];
    uint8_t n_img;                     /* issue 13: images in order of use (X1, X2, ...) */
    const folio_image *img[PDF_PAGE_IMAGES];
} pdf_prep_page;

typedef struct pdf_mark {
    uint16_t cp;                       /* BMP code point, not 0 */
    uint8_t font;                      /* alias index */
    uint8_t n;                         /* UTF-8 bytes that drew it first */
    unsigned char b[4];
} pdf_mark;

struct folio_pdf_prepared {
    int n_fonts;
    int level;                         /* deflate level, 0 = none */
    bool enc1;                         /* issue 11: 1-byte twins (pdf-enc1.h) */
    uint8_t alias[PDF_MAX_FONTS];
    const char *why;                   /* first error (a constant string) */
    int32_t page_w, page_h;
    char id[96];                       /* the statement's id, for messages */
    pdf_prep_page *pages;
    uint32_t n_pages, cap_pages;
    unsigned char *data;               /* every page's stream, one after another */
    size_t data_len, data_cap;
    char *raw;                         /* every page's content before deflate */
    size_t raw_len, raw_cap;
    size_t page0;                      /* issue 11: where the page being formatted starts */
    pdf_mark *marks;
    size_t n_marks, cap_marks;
    uint8_t *seen;                     /* n_fonts x 65,536 bits: code point marked */
    /* issue 11 (r-page): n_fonts x 128 bytes, 0 where the ASCII character
     * is marked in that font and needs no escape, else 1 (pdf_text_ascii) */
    uint8_t *aflag;
    folio_pdf_stats stats;             /* of this statement */
    struct libdeflate_compressor *z;   /* from the pool, while filling */
    pdf_tag *tag;                      /* issue 14 part 2: the writer's, while filling */
    char tag_ops[PDF_TAG_OPS_MAX];
    bool tag_in_text;                  /* the open sequence began inside BT (r-arch) */
};

/* Process-wide totals (pdf_stats_get), added once per statement. */
static folio_pdf_stats pdf_totals;
static pthread_mutex_t pdf_totals_lock = PTHREAD_MUTEX_INITIALIZER;

/* issue 11 (r-pwrite): the monotonic clock, read in user space (vDSO): a
 * thread CPU clock read is a system call on this VM (1.35 us; 5 a statement
 * were ~2% of a print run's CPU).  So these figures are the busy time of
 * the working threads; the ring's stage split (sink.c) scales them to its
 * own thread CPU clocks, read once per batch. */
static inline uint64_t pdf_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

/* libdeflate compressors, kept between statements in a process-wide pool
 * per level (a compressor is ~0.2-0.7 MB: making one per page or per
 * statement would cost more than the deflate).  A statement takes one from
 * the pool and gives it back; the pool holds at most as many as threads
 * deflated at once, and is freed when the process exits.
 *
 * issue 11 (r-par): each thread keeps the last compressor it gave back
 * (per level, pdf_tl_z) and takes it again first.  From the shared stack
 * alone, two threads swapped compressors about every other statement, and
 * a compressor's hash tables (~200 KB cleared per page, more read) then
 * came from the other core's cache.  Every compressor made is listed in
 * pdf_all (at most PDF_POOL per level; one made beyond that is freed when
 * given back), so the process-exit destructor frees the ones threads hold
 * too. */
#define PDF_LEVELS 13
#define PDF_POOL 64
static pthread_mutex_t pdf_pool_lock = PTHREAD_MUTEX_INITIALIZER;
static struct libdeflate_compressor *pdf_pool[PDF_LEVELS][PDF_POOL];
static int pdf_pool_n[PDF_LEVELS];
static struct libdeflate_compressor *pdf_all[PDF_LEVELS][PDF_POOL];   /* issue 11 (r-par) */
static int pdf_all_n[PDF_LEVELS];
static __thread struct libdeflate_compressor *pdf_tl_z[PDF_LEVELS];
static bool pdf_pool_closed;   /* the exit destructor ran: a late give frees nothing */

static int pdf_level_ok(int level)
{
    return level >= 1 && level < PDF_LEVELS ? level : PDF_ZLEVEL;
}

static struct libdeflate_compressor *pdf_compressor_take(int level)
{
    level = pdf_level_ok(level);
    struct libdeflate_compressor *c = pdf_tl_z[level];
    if (c) {
        pdf_tl_z[level] = NULL;
        return c;
    }
    pthread_mutex_lock(&pdf_pool_lock);
    if (pdf_pool_n[level])
        c = pdf_pool[level][--pdf_pool_n[level]];
    pthread_mutex_unlock(&pdf_pool_lock);
    if (c)
        return c;
    c = libdeflate_alloc_compressor(level);
    pthread_mutex_lock(&pdf_pool_lock);
    if (c && pdf_all_n[level] < PDF_POOL)
        pdf_all[level][pdf_all_n[level]++] = c;
    pthread_mutex_unlock(&pdf_pool_lock);
    return c;
}

static void pdf_compressor_give(int level, struct libdeflate_compressor *c)
{
    if (!c)
        return;
    level = pdf_level_ok(level);
    pthread_mutex_lock(&pdf_pool_lock);
    if (pdf_pool_closed) {             /* freed by the destructor already: no double free */
        pthread_mutex_unlock(&pdf_pool_lock);
        return;
    }
    bool listed = false;
    for (int i = 0; i < pdf_all_n[level] && !listed; i++)
        listed = pdf_all[level][i] == c;
    if (listed && !pdf_tl_z[level]) {
        pdf_tl_z[level] = c;           /* this thread takes it again first */
        c = NULL;
    } else if (listed && pdf_pool_n[level] < PDF_POOL) {
        pdf_pool[level][pdf_pool_n[level]++] = c;
        c = NULL;
    }
    pthread_mutex_unlock(&pdf_pool_lock);
    if (c)
        libdeflate_free_compressor(c);
}

__attribute__((destructor)) static void pdf_pool_free(void)
{
    pthread_mutex_lock(&pdf_pool_lock);
    for (int l = 0; l < PDF_LEVELS; l++) {
        while (pdf_all_n[l])
            libdeflate_free_compressor(pdf_all[l][--pdf_all_n[l]]);
        pdf_pool_n[l] = 0;
        pdf_tl_z[l] = NULL;
    }
    pdf_pool_closed = true;
    pthread_mutex_unlock(&pdf_pool_lock);
}

/* Deflate n bytes into a zlib stream (FlateDecode) at out, cap bytes there;
 * returns the length, 0 on failure.  Level 1..12 (libdeflate's scale; 1..9
 * are zlib's levels in meaning). */
size_t pdf_deflate(int level, const void *in, size_t n, void *out, size_t cap)
{
    struct libdeflate_compressor *c = pdf_compressor_take(level);
    size_t z = c ? libdeflate_zlib_compress(c, in, n, out, cap) : 0;
    pdf_compressor_give(level, c);
    return z;
}

size_t pdf_deflate_raw(int level, const void *in, size_t n, void *out, size_t cap)
{
    struct libdeflate_compressor *c = pdf_compressor_take(level);
    size_t z = c ? libdeflate_deflate_compress(c, in, n, out, cap) : 0;
    pdf_compressor_give(level, c);
    return z;
}

size_t pdf_deflate_bound(size_t n)
{
    /* libdeflate's bound for any compressor (NULL: the worst case) */
    return libdeflate_zlib_compress_bound(NULL, n);
}

static bool pdf_grow(void **p, size_t *cap, size_t need, size_t elem, size_t first)
{
    if (*cap >= need)
        return true;
    size_t c = *cap ? *cap : first;
    while (c < need)
        c *= 2;
    void *q = realloc(*p, c * elem);
    if (!q)
        return false;
    *p = q;
    *cap = c;
    return true;
}

/* Room for `need` more bytes of page content. */
static bool pdf_reserve(folio_pdf_prepared *pp, size_t need)
{
    if (pp->raw_cap - pp->raw_len >= need)
        return true;
    if (pp->raw_len - pp->page0 + need > PDF_MAX_PAGE_BYTES) {
        pp->why = "page content larger than 64 MB";
        return false;
    }
    if (!pdf_grow((void **)&pp->raw, &pp->raw_cap, pp->raw_len + need, 1, 16384)) {
        pp->why = "out of memory";
        return false;
    }
    return true;
}

/* One byte of a literal string, escaped where PDF requires (or where a
 * reader would rewrite it: CR and LF). */
static inline char *pdf_put_byte(char *p, unsigned char b)
{
    static const uint8_t special[256] = {
        ['('] = '(', [')'] = ')', ['\\'] = '\\', ['\r'] = 'r', ['\n'] = 'n',
    };
    if (special[b]) {
        *p++ = '\\';
        *p++ = (char)special[b];
    } else {
        *p++ = (char)b;
    }
    return p;
}

/* Remember that code point cp (bytes s[0..n)) is drawn in font f. */
static inline bool pdf_note_mark(folio_pdf_prepared *pp, int f, uint32_t cp,
                                 const unsigned char *s, size_t n)
{
    uint8_t *bits = pp->seen + (size_t)f * 8192;
    if (bits[cp >> 3] & (1u << (cp & 7)))
        return true;
    if (!pdf_grow((void **)&pp->marks, &pp->cap_marks, pp->n_marks + 1, sizeof *pp->marks,
                  256)) {
        pp->why = "out of memory";
        return false;
    }
    bits[cp >> 3] |= (uint8_t)(1u << (cp & 7));
    if (cp < 128 && cp && cp != '(' && cp != ')' && cp != '\\' && cp != '\r' && cp != '\n')
        pp->aflag[(size_t)f * 128 + cp] = 0;
    pdf_mark *m = &pp->marks[pp->n_marks++];
    m->cp = (uint16_t)cp;
    m->font = (uint8_t)f;
    m->n = (uint8_t)(n > 4 ? 4 : n);
    memcpy(m->b, s, m->n);
    return true;
}

/* The code point at s[*i] (UTF-8, n bytes in all), *i moved past it: 0
 * (.notdef) for what is not a BMP code point. */
static inline uint32_t pdf_utf8_cp(const unsigned char *s, size_t n, size_t *i)
{
    uint32_t cp = s[(*i)++];
    if (cp < 0x80)
        return cp;
    int extra = cp >= 0xF0 ? 3 : cp >= 0xE0 ? 2 : cp >= 0xC0 ? 1 : 0;
    cp &= (uint32_t)(0x3F >> extra);
    for (int k = 0; k < extra && *i < n; k++, (*i)++)
        cp = cp << 6 | (s[*i] & 0x3F);
    return cp > 0xFFFF ? 0 : cp;
}

/* issue 11: whether the text s[i..n) goes on in the 1-byte twin: its next
 * character is in the 1-byte encoding and the bytes saved by writing the
 * run of such characters there (one each, not two) are more than the font
 * switches cost (~18 bytes each: "/E1 9 Tf", ") Tj", "(": one to the
 * twin unless free -- a font must be set anyway, or the twin is the
 * current font --, one back when other characters follow). */
#define PDF_ENC1_SWITCH 18
static inline bool pdf_enc1_switch(const unsigned char *s, size_t n, size_t i, bool free)
{
    size_t len = 0;
    int cost = free ? 0 : PDF_ENC1_SWITCH;
    while (i < n) {
        if (pdf_enc1_byte(pdf_utf8_cp(s, n, &i)) < 0)
            return len > 0 && (int)len > cost + PDF_ENC1_SWITCH;
        if ((int)++len > cost + PDF_ENC1_SWITCH)
            return true;                   /* saves more than any switches */
    }
    return (int)len > cost;                /* to the end of the text */
}

/* "/F<k> size Tf\n" selecting alias font f on page pg (or /E<k>, its 1-byte
 * twin), the font added to the page's list in order of first use. */
static inline char *pdf_put_font(char *p, pdf_prep_page *pg, int f, bool one, int32_t size)
{
    uint8_t *list = one ? pg->fonts1 : pg->fonts;
    uint8_t *nl = one ? &pg->n_fonts1 : &pg->n_fonts;
    int k = 0;       /* the page's resource name: F<k+1> (E<k+1>) */
    while (k < *nl && list[k] != f)
        k++;
    if (k == *nl)
        list[(*nl)++] = (uint8_t)f;
    *p++ = '/';
    *p++ = one ? 'E' : 'F';
    if (k + 1 >= 10)
        *p++ = (char)('0' + (k + 1) / 10);
    *p++ = (char)('0' + (k + 1) % 10);
    *p++ = ' ';
    p = pdf_put_units(p, size);
    return pdf_put_str(p, " Tf\n", 4);
}

/* A text run's fill colour (when it changes) and its move from the last
 * run's origin, then the string's "(": both text paths write these alike. */
static char *pdf_put_fill_move(char *p, pdf_state *gs, const folio_dl_op *op, int32_t page_h)
{
    if (op->color != gs->fill) {
        p = pdf_put_rgb(p, op->color, "rg");
        gs->fill = op->color;
    }
    int32_t x = op->x, y = page_h - op->y;
    p = pdf_put_units(p, (int64_t)x - gs->tx);
    *p++ = ' ';
    p = pdf_put_units(p, (int64_t)y - gs->ty);
    p = pdf_put_str(p, " Td\n(", 5);
    gs->tx = x;
    gs->ty = y;
    return p;
}

/* issue 11 (r-par): text all in ASCII (U+0000-007F: most of a statement's
 * text) in one pass, with exactly the bytes of the general loop of
 * pdf_direct_op.  Every such character is in the 1-byte encoding, so
 * pdf_enc1_switch over it reduces to its length: the whole text goes to the
 * 1-byte twin when switching is free (a font must be set anyway, or the
 * twin is the current font) or when it is longer than PDF_ENC1_SWITCH
 * characters, else it stays in 2-byte codes of the current font; one run
 * either way.  The general loop looked ahead over every character before
 * writing it (~2x the instructions per character). */
static bool pdf_ascii_off;   /* tests: pdf_enc1_ascii_fast(false) */

void pdf_enc1_ascii_fast(bool on)
{
    pdf_ascii_off = !on;
}

static inline bool pdf_ascii(const unsigned char *s, size_t n)
{
    if (pdf_ascii_off)
        return false;
    size_t i = 0;
    uint64_t acc = 0;
    for (; i + 8 <= n; i += 8) {
        uint64_t w;
        memcpy(&w, s + i, 8);
        acc |= w;
    }
    for (; i < n; i++)
        acc |= s[i];
    return !(acc & 0x8080808080808080ull);
}

static char *pdf_text_ascii(folio_pdf_prepared *pp, pdf_prep_page *pg, pdf_state *gs,
                            const folio_dl_op *op, int f, char *p, int32_t page_h)
{
    const unsigned char *s = (const unsigned char *)op->text;
    size_t n = op->len;
    bool free = op->font != gs->font || op->size != gs->size || gs->one;
    bool one = free || n > PDF_ENC1_SWITCH;
    if (op->font != gs->font || op->size != gs->size || one != gs->one) {
        p = pdf_put_font(p, pg, f, one, op->size);
        gs->font = op->font;
        gs->size = op->size;
        gs->one = one;
    }
    p = pdf_put_fill_move(p, gs, op, page_h);
    /* issue 11 (r-page): most runs hold only characters the statement has
     * drawn in this font already and none to escape: one table load per
     * character says so, and the text is copied as it is */
    const uint8_t *af = pp->aflag + (size_t)f * 128;
    unsigned any = 0;
    size_t i4 = 0;
    for (; i4 + 4 <= n; i4 += 4)
        any |= af[s[i4]] | af[s[i4 + 1]] | af[s[i4 + 2]] | af[s[i4 + 3]];
    for (; i4 < n; i4++)
        any |= af[s[i4]];
    if (!any) {
        if (one) {
            p = pdf_put_str(p, (const char *)s, n);
        } else {
            for (size_t i = 0; i < n; i++) {
                *p++ = 0;
                *p++ = (char)s[i];
            }
        }
        return pdf_put_str(p, ") Tj\n", 5);
    }
    /* the characters present, as a 128-bit set; those the statement has
     * not drawn in this font yet (pp->seen's first 128 bits, bit c of
     * byte c / 8) are marked in order of first appearance */
    uint64_t lo = 0, hi = 0;
    for (size_t i = 0; i < n; i++) {
        unsigned c = s[i];
        uint64_t b = (uint64_t)1 << (c & 63);
        if (c & 64)
            hi |= b;
        else
            lo |= b;
    }
    const uint8_t *bits = pp->seen + (size_t)f * 8192;
    uint64_t seen_lo = 0, seen_hi = 0;  /* byte by byte: the same on big-endian hosts */
    for (int b = 0; b < 8; b++) {
        seen_lo |= (uint64_t)bits[b] << 8 * b;
        seen_hi |= (uint64_t)bits[8 + b] << 8 * b;
    }
    uint64_t new_lo = lo & ~seen_lo & ~(uint64_t)1, new_hi = hi & ~seen_hi;   /* NUL: not */
    for (size_t i = 0; i < n && (new_lo | new_hi); i++) {
        unsigned c = s[i];
        uint64_t b = (uint64_t)1 << (c & 63);
        uint64_t *w = c & 64 ? &new_hi : &new_lo;
        if (*w & b) {
            *w &= ~b;
            if (!pdf_note_mark(pp, f, c, s + i, 1))
                return NULL;
        }
    }
    /* ( ) \\ CR LF are escaped (pdf_put_byte) */
    const uint64_t esc_lo = (uint64_t)1 << '(' | (uint64_t)1 << ')' | (uint64_t)1 << '\r' |
                            (uint64_t)1 << '\n';
    const uint64_t esc_hi = (uint64_t)1 << ('\\' - 64);
    if (one && !(lo & esc_lo) && !(hi & esc_hi)) {
        p = pdf_put_str(p, (const char *)s, n);
    } else {
        for (size_t i = 0; i < n; i++) {
            if (!one)
                *p++ = 0;
            p = pdf_put_byte(p, s[i]);
        }
    }
    return pdf_put_str(p, ") Tj\n", 5);
}

/* Append one op to the page content.  Returns false on failure (pp->why). */
static bool pdf_direct_op(folio_pdf_prepared *pp, pdf_prep_page *pg, pdf_state *gs,
                          const folio_dl_op *op, int32_t page_h)
{
    /* bound: numbers <= 24 chars, 4 hex per input byte at most */
    /* text: 4 bytes per input byte at most, and a font switch (< 44
     * bytes) at most per character (issue 11: 1-byte runs) */
    size_t need = 256 + (op->kind == FOLIO_DL_TEXT ? (size_t)op->len * 48 : 0);
    if (op->kind == FOLIO_DL_PATH)                 /* issue 13 part 2 */
        need += pdf_graphic_bound(op);
    if (!pdf_reserve(pp, need))
        return false;
    char *p = pp->raw + pp->raw_len;

    if (op->kind == FOLIO_DL_TEXT) {
        if (op->font >= pp->n_fonts) {
            pp->why = "text op uses an unknown font";
            return false;
        }
        if (op->len == 0)
            return true;     /* nothing to draw */
        int f = pp->alias[op->font];
        if (!gs->in_text) {
            p = pdf_put_str(p, "BT\n", 3);
            gs->in_text = true;
            gs->tx = gs->ty = 0;
        }
        if (pp->enc1 && pdf_ascii((const unsigned char *)op->text, op->len)) {
            if (!(p = pdf_text_ascii(pp, pg, gs, op, f, p, page_h)))   /* issue 11 (r-par) */
                return false;
            pp->raw_len = (size_t)(p - pp->raw);
            return true;
        }
        /* issue 11: runs of characters of the 1-byte encoding are shown in
         * the font's 1-byte twin (/E<k>, one byte each), the others in the
         * font itself (/F<k>, 2-byte CIDs; which can show any character,
         * so short 1-byte runs amid others stay in it: pdf_enc1_switch);
         * the first run's font is set before the colour and position, as
         * for a single font */
        const unsigned char *s = (const unsigned char *)op->text;
        size_t n = op->len, i = 0;
        bool first = true;
        while (i < n) {
            bool one = pp->enc1 &&
                       pdf_enc1_switch(s, n, i, op->font != gs->font ||
                                       op->size != gs->size || gs->one);
            if (op->font != gs->font || op->size != gs->size || one != gs->one) {
                if (!first)
                    p = pdf_put_str(p, ") Tj\n", 5);
                p = pdf_put_font(p, pg, f, one, op->size);
                gs->font = op->font;
                gs->size = op->size;
                gs->one = one;
                if (!first)
                    *p++ = '(';
            }
            if (first) {
                p = pdf_put_fill_move(p, gs, op, page_h);
                first = false;
            }
            /* Literal string (binary), escaping ( ) \\ CR LF: one byte per
             * character (1-byte twin) or 2-byte CIDs = code points. */
            while (i < n) {
                size_t at = i;
                uint32_t cp = pdf_utf8_cp(s, n, &i);
                int b = pp->enc1 ? pdf_enc1_byte(cp) : -1;
                if (one ? b < 0 : b >= 0 && pdf_enc1_switch(s, n, at, false)) {
                    i = at;
                    break;
                }
                if (cp && !pdf_note_mark(pp, f, cp, s + at, i - at))
                    return false;
                if (one) {
                    p = pdf_put_byte(p, (unsigned char)b);
                } else {
                    p = pdf_put_byte(p, (unsigned char)(cp >> 8));
                    p = pdf_put_byte(p, (unsigned char)cp);
                }
            }
        }
        p = pdf_put_str(p, ") Tj\n", 5);
        pp->raw_len = (size_t)(p - pp->raw);
        return true;
    }

    if (gs->in_text) {
        p = pdf_put_str(p, "ET\n", 3);
        gs->in_text = false;
    }
    if (op->kind == FOLIO_DL_IMAGE || op->kind == FOLIO_DL_PATH) {   /* issue 13 */
        int k = 0;
        if (op->kind == FOLIO_DL_IMAGE) {
            while (k < pg->n_img && pg->img[k] != op->image)
                k++;
            if (k == PDF_PAGE_IMAGES) {
                pp->why = "more than 16 different images on one page";
                return false;
            }
            if (k == pg->n_img)
                pg->img[pg->n_img++] = op->image;
        }
        p = pdf_graphic_put(p, op, page_h, k + 1);
    } else if (op->kind == FOLIO_DL_RULE) {
        if (op->w != gs->line_w) {
            p = pdf_put_units(p, op->w);
            p = pdf_put_str(p, " w\n", 3);
            gs->line_w = op->w;
        }
        if (op->color != gs->stroke) {
            p = pdf_put_rgb(p, op->color, "RG");
            gs->stroke = op->color;
        }
        p = pdf_put_units(p, op->x);
        *p++ = ' ';
        p = pdf_put_units(p, (int64_t)page_h - op->y);
        p = pdf_put_str(p, " m ", 3);
        p = pdf_put_units(p, op->x2);
        *p++ = ' ';
        p = pdf_put_units(p, (int64_t)page_h - op->y2);
        p = pdf_put_str(p, " l S\n", 5);
    } else if (op->kind == FOLIO_DL_BOX) {
        if (op->color != gs->fill) {
            p = pdf_put_rgb(p, op->color, "rg");
            gs->fill = op->color;
        }
        if (op->line_w > 0) {
            if (op->line_w != gs->line_w) {
                p = pdf_put_units(p, op->line_w);
                p = pdf_put_str(p, " w\n", 3);
                gs->line_w = op->line_w;
            }
            if (op->stroke != gs->stroke) {
                p = pdf_put_rgb(p, op->stroke, "RG");
                gs->stroke = op->stroke;
            }
        }
        p = pdf_put_units(p, op->x);
        *p++ = ' ';
        p = pdf_put_units(p, (int64_t)page_h - op->y - op->h);
        *p++ = ' ';
        p = pdf_put_units(p, op->w);
        *p++ = ' ';
        p = pdf_put_units(p, op->h);
        p = pdf_put_str(p, op->line_w > 0 ? " re B\n" : " re f\n", 6);
    } else {
        pp->why = "unknown display-list op";
        return false;
    }
    pp->raw_len = (size_t)(p - pp->raw);
    return true;
}

/* issue 14 part 2: write n bytes of marked-content operators (pp->tag_ops)
 * before the next op.  A sequence that holds text only (`stay`,
 * pdf_tag_text_only) opens inside a text object (the current one, or BT
 * here), so a table's cells share one BT..ET; any other outside one.  Either way a sequence ends in the text
 * object it began in (EMC before ET) or encloses it (ET before EMC). */
static bool pdf_tag_mark(folio_pdf_prepared *pp, pdf_state *gs, size_t n, bool stay)
{
    if (n == 0)
        return true;
    if (!pdf_reserve(pp, n + 6))
        return false;
    const char *ops = pp->tag_ops;
    char *r = pp->raw + pp->raw_len;
    if (n >= 4 && !memcmp(ops, "EMC\n", 4)) {   /* close the open sequence */
        if (gs->in_text && !pp->tag_in_text) {    /* it encloses this text object */
            r = pdf_put_str(r, "ET\n", 3);
            gs->in_text = false;
        }
        r = pdf_put_str(r, ops, 4);
        ops += 4;
        n -= 4;
    }
    if (n > 0) {                                  /* open the next one */
        if (stay && !gs->in_text) {               /* as pdf_direct_op opens one */
            r = pdf_put_str(r, "BT\n", 3);
            gs->in_text = true;
            gs->tx = gs->ty = 0;
        } else if (!stay && gs->in_text) {
            r = pdf_put_str(r, "ET\n", 3);
            gs->in_text = false;
        }
        r = pdf_put_str(r, ops, n);
        pp->tag_in_text = gs->in_text;
    }
    pp->raw_len = (size_t)(r - pp->raw);
    return true;
}

/* Move page pg's formatted content (raw[raw_off..]) into data, deflated
 * when asked.  issue 11: called for every page once the statement is
 * formatted, so the deflate is timed once per statement (a thread CPU
 * clock read is a system call: two per page were ~3% of a print run). */
static bool pdf_prep_flush(folio_pdf_prepared *pp, pdf_prep_page *pg)
{
    size_t n = pg->raw_n;
    const char *raw = pp->raw + pg->raw_off;
    pg->off = pp->data_len;
    pg->len = 0;
    if (n == 0)
        return true;
    size_t bound = pp->level ? pdf_deflate_bound(n) : n;
    if (!pdf_grow((void **)&pp->data, &pp->data_cap, pp->data_len + bound, 1, 65536)) {
        pp->why = "out of memory";
        return false;
    }
    if (pp->level) {
        size_t z = 0;
        if (!pp->z)
            pp->z = pdf_compressor_take(pp->level);
        if (pp->z)
            z = libdeflate_zlib_compress(pp->z, raw, n, pp->data + pp->data_len, bound);
        if (z == 0) {
            pp->why = "cannot compress a page";
            return false;
        }
        n = z;
    } else {
        memcpy(pp->data + pp->data_len, raw, n);
    }
    pg->len = n;
    pp->data_len += n;
    pp->stats.content_bytes += pg->raw_n;
    pp->stats.stream_bytes += n;
    return true;
}

/* Empty pp for a new statement, keeping its buffers. */
static void pdf_prep_reset(folio_pdf_prepared *pp)
{
    pp->n_marks = 0;        /* seen / aflag: cleared by pdf_scratch_give */
    pp->n_pages = 0;
    pp->data_len = 0;
    pp->raw_len = 0;
    pp->page0 = 0;
    pp->why = NULL;
    pp->id[0] = 0;
    memset(&pp->stats, 0, sizeof pp->stats);
}

/* Level of page content for options opt: 0 = none, else 1..9. */
static int pdf_level(const folio_pdf_options *opt)
{
    if (!opt || opt->compression == 0)
        return 0;
    return opt->compression >= 1 && opt->compression <= 9 ? opt->compression : PDF_ZLEVEL;
}

/* alias[i] = the first layout font with font i's file (one PDF font). */
static void pdf_alias(const folio_layout_font *fonts, int n_fonts, uint8_t *alias)
{
    for (int i = 0; i < n_fonts && i < PDF_MAX_FONTS; i++) {
        alias[i] = (uint8_t)i;
        for (int j = 0; j < i; j++)
            if (fonts[i].file && fonts[j].file && !strcmp(fonts[i].file, fonts[j].file)) {
                alias[i] = (uint8_t)j;
                break;
            }
    }
}

static folio_pdf_prepared *pdf_prep_new(int n_fonts)
{
    folio_pdf_prepared *pp = calloc(1, sizeof *pp);
    if (!pp)
        return NULL;
    pp->n_fonts = n_fonts;  /* seen / aflag: the filling thread's (pdf_scratch_lend) */
    return pp;
}

/* issue 11: prepared statements kept for reuse, so a statement's buffers
 * (content, deflated streams, the 8 KB-per-font code bitmap) are not
 * allocated, cleared and freed again for every statement.  A blob that
 * grew unusually large is freed instead, so the pool holds no more than
 * the ring had in flight at once, of ordinary size. */
#define PDF_PREP_POOL 256
#define PDF_PREP_KEEP ((size_t)1 << 20)  /* bytes of content or streams kept */
static pthread_mutex_t pdf_prep_lock = PTHREAD_MUTEX_INITIALIZER;
static folio_pdf_prepared *pdf_prep_pool[PDF_PREP_POOL];
static int pdf_prep_pool_n;

static folio_pdf_prepared *pdf_prep_take(int n_fonts)
{
    folio_pdf_prepared *pp = NULL;
    pthread_mutex_lock(&pdf_prep_lock);
    for (int i = pdf_prep_pool_n - 1; i >= 0; i--)
        if (pdf_prep_pool[i]->n_fonts == n_fonts) {
            pp = pdf_prep_pool[i];
            pdf_prep_pool[i] = pdf_prep_pool[--pdf_prep_pool_n];
            break;
        }
    pthread_mutex_unlock(&pdf_prep_lock);
    return pp ? pp : pdf_prep_new(n_fonts);
}

static void pdf_prep_destroy(folio_pdf_prepared *pp)
{
    free(pp->pages);
    free(pp->data);
    free(pp->raw);
    free(pp->marks);
    free(pp->seen);
    free(pp->aflag);
    free(pp);
}

void pdf_prepared_free(folio_pdf_prepared *pp)
{
    if (!pp)
        return;
    if (pp->z || pp->tag || pp->data_cap > PDF_PREP_KEEP || pp->raw_cap > PDF_PREP_KEEP) {
        pdf_prep_destroy(pp);
        return;
    }
    pthread_mutex_lock(&pdf_prep_lock);
    if (pdf_prep_pool_n < PDF_PREP_POOL) {
        pdf_prep_pool[pdf_prep_pool_n++] = pp;
        pp = NULL;
    }
    pthread_mutex_unlock(&pdf_prep_lock);
    if (pp)
        pdf_prep_destroy(pp);
}

__attribute__((destructor)) static void pdf_prep_pool_free(void)
{
    pthread_mutex_lock(&pdf_prep_lock);
    while (pdf_prep_pool_n)
        pdf_prep_destroy(pdf_prep_pool[--pdf_prep_pool_n]);
    pthread_mutex_unlock(&pdf_prep_lock);
}

/* Format and deflate every page of st into pp (emptied first).  Errors are
 * kept in pp->why. */
/* issue 11 (r-twothr, round 29): a statement's page content before deflate
 * (raw) and its code-point bitmaps (seen, aflag) are needed only while
 * pdf_prep_fill runs, so they live in buffers of the filling thread, lent
 * to pp for the fill and taken back after it, not in each prepared
 * statement.  Kept in pp, every statement in flight held them (the ring's
 * slots x its batch: 88 at 2 threads, 24 at 1), each faulted in on first
 * use (~1,300 page faults more at 2 threads than at 1) and cold in the
 * cache when its turn came again; now one set per thread, warm.  Content
 * that grew beyond PDF_PREP_KEEP is freed, as the pool does. */
static pthread_key_t pdf_scratch_key;
static pthread_once_t pdf_scratch_once = PTHREAD_ONCE_INIT;
static bool pdf_scratch_ok;

typedef struct pdf_scratch {
    char *raw;
    size_t raw_cap;
    uint8_t *seen, *aflag;      /* n_fonts x 8192 bytes, n_fonts x 128 */
    int n_fonts;
} pdf_scratch;

static void pdf_scratch_free(void *v)
{
    pdf_scratch *b = v;
    if (b) {
        free(b->raw);
        free(b->seen);
        free(b->aflag);
    }
    free(b);
}

static void pdf_scratch_init(void)
{
    pdf_scratch_ok = pthread_key_create(&pdf_scratch_key, pdf_scratch_free) == 0;
}

/* The calling thread's buffers into pp; false (pp->why set) without memory. */
static bool pdf_scratch_lend(folio_pdf_prepared *pp)
{
    pthread_once(&pdf_scratch_once, pdf_scratch_init);
    pdf_scratch *b = pdf_scratch_ok ? pthread_getspecific(pdf_scratch_key) : NULL;
    if (!b && pdf_scratch_ok && (b = calloc(1, sizeof *b)) != NULL &&
        pthread_setspecific(pdf_scratch_key, b) != 0) {
        free(b);
        b = NULL;
    }
    pdf_scratch none = {0}, *use = b ? b : &none;   /* no key: pp's own, freed by give */
    int nf = pp->n_fonts > 0 ? pp->n_fonts : 1;
    if (!use->seen || use->n_fonts < nf) {
        free(use->seen);
        free(use->aflag);
        use->seen = calloc((size_t)nf, 8192);
        use->aflag = malloc((size_t)nf * 128);
        if (use->aflag)
            memset(use->aflag, 1, (size_t)nf * 128);
        use->n_fonts = nf;
        if (!use->seen || !use->aflag) {
            free(use->seen);
            free(use->aflag);
            use->seen = use->aflag = NULL;
            pp->why = "out of memory";
            return false;
        }
    }
    pp->seen = use->seen;
    pp->aflag = use->aflag;
    pp->raw = use->raw;
    pp->raw_cap = use->raw_cap;
    memset(use, 0, sizeof *use);
    return true;
}

/* pp's buffers back to the calling thread, the bitmaps cleared by its marks
 * (or freed: no thread key, or content beyond PDF_PREP_KEEP); pp keeps none,
 * only its marks (pdf_emit). */
static void pdf_scratch_give(folio_pdf_prepared *pp)
{
    for (size_t i = 0; pp->seen && i < pp->n_marks; i++) {
        const pdf_mark *m = &pp->marks[i];
        pp->seen[(size_t)m->font * 8192 + (m->cp >> 3)] = 0;
        if (m->cp < 128)
            pp->aflag[(size_t)m->font * 128 + m->cp] = 1;
    }
    pdf_scratch *b = pdf_scratch_ok ? pthread_getspecific(pdf_scratch_key) : NULL;
    if (b && !b->seen) {
        b->seen = pp->seen;
        b->aflag = pp->aflag;
        b->n_fonts = pp->n_fonts > 0 ? pp->n_fonts : 1;
    } else {
        free(pp->seen);
        free(pp->aflag);
    }
    if (b && !b->raw && pp->raw_cap <= PDF_PREP_KEEP) {
        b->raw = pp->raw;
        b->raw_cap = pp->raw_cap;
    } else {
        free(pp->raw);
    }
    pp->seen = pp->aflag = NULL;
    pp->raw = NULL;
    pp->raw_cap = 0;
    pp->raw_len = 0;
}

static void pdf_prep_fill_lent(folio_pdf_prepared *pp, const folio_dl_statement *st)
{
    uint64_t t0 = pdf_ns();
    snprintf(pp->id, sizeof pp->id, "%s", st->id ? st->id : "?");
    pp->page_w = st->page_w;
    pp->page_h = st->page_h;
    if (st->page_w <= 0 || st->page_h <= 0 || st->page_w > 14400 * 20 ||
        st->page_h > 14400 * 20) {
        pp->why = "statement has an invalid page size";
        return;
    }
    if (pp->cap_pages < st->n_pages) {
        size_t cap = pp->cap_pages;
        if (!pdf_grow((void **)&pp->pages, &cap, st->n_pages, sizeof *pp->pages, 8)) {
            pp->why = "out of memory";
            return;
        }
        pp->cap_pages = (uint32_t)cap;
    }
    for (uint32_t pi = 0; pi < st->n_pages && !pp->why; pi++) {
        const folio_dl_page *dp = &st->pages[pi];
        pdf_prep_page *pg = &pp->pages[pp->n_pages++];
        pg->n_fonts = 0;
        pg->n_fonts1 = 0;
        pg->n_img = 0;
        pg->off = pg->len = 0;
        pg->raw_off = pp->page0 = pp->raw_len;   /* issue 11: pages one after another */
        pdf_state gs = { .font = -1, .size = -1, .fill = 0xFFFFFFFFu,
                         .stroke = 0xFFFFFFFFu, .line_w = -1 };
        uint32_t n_ops = dp->blank_back ? 0 : dp->n_ops;
        bool ok = true;
        /* issue 14 part 2: tagged, in reading order, in marked content */
        const uint32_t *order = pp->tag && n_ops ? pdf_tag_order(pp->tag, dp) : NULL;
        for (uint32_t oi = 0; oi < n_ops && ok; oi++) {
            const folio_dl_op *op = &dp->ops[order ? order[oi] : oi];
            if (pp->tag) {
                size_t tn = pdf_tag_op(pp->tag, pi, op, pp->tag_ops);
                ok = pdf_tag_mark(pp, &gs, tn, pdf_tag_text_only(pp->tag));
            }
            ok = ok && pdf_direct_op(pp, pg, &gs, op, st->page_h);
        }
        if (ok && pp->tag)              /* issue 14 part 2 (EMC before its ET) */
            ok = pdf_tag_mark(pp, &gs, pdf_tag_page_end(pp->tag, pp->tag_ops), false);
        if (ok && gs.in_text && pdf_reserve(pp, 3)) {
            memcpy(pp->raw + pp->raw_len, "ET\n", 3);
            pp->raw_len += 3;
            gs.in_text = false;
        }
        pg->raw_n = pp->raw_len - pg->raw_off;
    }
    /* issue 11: then every page formatted so far is deflated (a failed
     * page is the last one and is never written: pdf_emit) */
    uint64_t t1 = pdf_ns();
    uint32_t n_ok = pp->why && pp->n_pages ? pp->n_pages - 1 : pp->n_pages;
    for (uint32_t pi = 0; pi < n_ok && !pp->why; pi++)
        if (!pdf_prep_flush(pp, &pp->pages[pi]))
            pp->n_pages = pi + 1;        /* the failed page ends the statement */
    pdf_compressor_give(pp->level, pp->z);
    pp->z = NULL;
    uint64_t t2 = pdf_ns();
    pp->stats.pages = pp->n_pages;
    pp->stats.deflate_ns = pp->level ? t2 - t1 : 0;
    pp->stats.format_ns = t2 - t0 - pp->stats.deflate_ns;
}

static void pdf_prep_fill(folio_pdf_prepared *pp, const folio_dl_statement *st)
{
    pthread_once(&pdf_color_once, pdf_color_table);
    pdf_prep_reset(pp);
    if (pdf_scratch_lend(pp))
        pdf_prep_fill_lent(pp, st);
    pdf_scratch_give(pp);
}

/* Format and deflate a statement's pages (see pdf.h): no libharu, no state
 * shared with other threads. */
folio_pdf_prepared *pdf_prepare_statement(const folio_layout_font *fonts, int n_fonts,
                                          const folio_pdf_options *opt,
                                          const folio_dl_statement *st, folio_error *err)
{
    if (n_fonts < 1 || n_fonts > PDF_MAX_FONTS) {
        folio_error_set(err, FOLIO_EXIT_FAILED, "%d fonts (1 to %d allowed)", n_fonts,
                        PDF_MAX_FONTS);
        return NULL;
    }
    folio_pdf_prepared *pp = pdf_prep_take(n_fonts);
    if (!pp) {
        folio_error_set(err, FOLIO_EXIT_FAILED, "out of memory");
        return NULL;
    }
    pp->level = pdf_level(opt);
    pp->enc1 = true;          /* issue 11: for pdf_writer_open's writers */
    pdf_alias(fonts, n_fonts, pp->alias);
    pdf_prep_fill(pp, st);
    return pp;
}

double pdf_prepared_deflate_s(const folio_pdf_prepared *pp)
{
    return pp ? pp->stats.deflate_ns / 1e9 : 0.0;
}

/* write_fn of a page's contents dictionary: our stream is deflated. */
static HPDF_STATUS pdf_write_filter(HPDF_Dict dict, HPDF_Stream stream)
{
    (void)dict;
    return HPDF_Stream_WriteStr(stream, "/Filter /FlateDecode\012");
}

/* A stream object holding z, deflated already: libharu writes it as is,
 * with /Filter /FlateDecode (font programs, the archive's CIDToGIDMaps). */
HPDF_Dict pdf_deflated_stream(HPDF_MMgr mm, HPDF_Xref xref, const unsigned char *z, size_t zlen)
{
    HPDF_Dict s = HPDF_DictStream_New(mm, xref);
    if (!s || HPDF_Stream_Write(s->stream, z, (HPDF_UINT)zlen) != HPDF_OK)
        return NULL;
    s->filter = HPDF_STREAM_FILTER_NONE;
    s->write_fn = pdf_write_filter;
    return s;
}

/* issue 11: add the 1-byte twins of alias fonts list[0..n) to page's font
 * resources as E1, E2, ... (libharu's own fonts are F1, F2, ...). */
static void pdf_page_fonts1(folio_pdf_writer *w, HPDF_Page page, const uint8_t *list, int n)
{
    HPDF_PageAttr attr = (HPDF_PageAttr)page->attr;
    if (!attr->fonts) {       /* as HPDF_Page_GetLocalFontName makes it */
        HPDF_Dict res = HPDF_Page_GetInheritableItem(page, "Resources", HPDF_OCLASS_DICT);
        HPDF_Dict fd = res ? HPDF_Dict_New(page->mmgr) : NULL;
        if (!fd || HPDF_Dict_Add(res, "Font", fd) != HPDF_OK) {
            pdf_fail(w, "cannot add a font to the page resources");
            return;
        }
        attr->fonts = fd;
    }
    for (int k = 0; k < n; k++) {
        char name[16];
        snprintf(name, sizeof name, "E%d", k + 1);
        HPDF_Dict f = w->hfont1[list[k]];
        if (!f || HPDF_Dict_Add(attr->fonts, name, f) != HPDF_OK) {
            pdf_fail(w, "cannot add a font to the page resources");
            return;
        }
    }
}

/* ---- issue 11: page resources shared between pages ------------------------ *
 *
 * libharu gives every page its own /Resources dictionary (a ProcSet array
 * of 5 names, a /Font dictionary, an /XObject one): ~10 objects made, kept
 * until the file is saved, written and freed per page.  In print files and
 * proofs (w->enc1: the direct back end, not PDF/A) pages that use the same
 * fonts and images in the same order -- so the same resource names F1..,
 * E1.., X1.. -- share one indirect /Resources dictionary instead, with the
 * same entries.  Up to PDF_RES_SHARED distinct sets per file; a page with
 * another set gets its own, as before. */
#define PDF_RES_SHARED 64

typedef struct pdf_res_entry {
    uint8_t n_fonts, n_fonts1, n_img;
    uint8_t fonts[PDF_MAX_FONTS], fonts1[PDF_MAX_FONTS];
    HPDF_Image img[PDF_PAGE_IMAGES];
    HPDF_Dict res;
} pdf_res_entry;

static bool pdf_res_same(const pdf_res_entry *a, const pdf_prep_page *pg, const HPDF_Image *img)
{
    return a->n_fonts == pg->n_fonts && a->n_fonts1 == pg->n_fonts1 && a->n_img == pg->n_img &&
           !memcmp(a->fonts, pg->fonts, pg->n_fonts) &&
           !memcmp(a->fonts1, pg->fonts1, pg->n_fonts1) &&
           !memcmp(a->img, img, (size_t)pg->n_img * sizeof *img);
}

/* The shared /Resources for page pg (its images' XObjects img), made on
 * first use; NULL when the table is full or on failure (w->failed set). */
static HPDF_Dict pdf_res_shared(folio_pdf_writer *w, const pdf_prep_page *pg,
                                const HPDF_Image *img)
{
    for (int i = 0; i < w->n_res_shared; i++)
        if (pdf_res_same(&w->res_shared[i], pg, img))
            return w->res_shared[i].res;
    if (w->n_res_shared == PDF_RES_SHARED)
        return NULL;
    if (!w->res_shared &&
        !(w->res_shared = calloc(PDF_RES_SHARED, sizeof *w->res_shared))) {
        pdf_fail(w, "out of memory");
        return NULL;
    }
    HPDF_MMgr mm = w->doc->mmgr;
    HPDF_Dict res = HPDF_Dict_New(mm);
    if (!res || HPDF_Xref_Add(w->doc->xref, res) != HPDF_OK) {   /* freed by Xref_Add */
        pdf_fail(w, "cannot add a font to the page resources");
        return NULL;
    }
    /* as libharu's own: ProcSet (obsolete, kept for compatibility), Font, XObject */
    HPDF_Array ps = HPDF_Array_New(mm);
    bool ok = ps && HPDF_Dict_Add(res, "ProcSet", ps) == HPDF_OK;
    static const char *const procs[] = {"PDF", "Text", "ImageB", "ImageC", "ImageI"};
    for (int i = 0; ok && i < 5; i++)
        ok = HPDF_Array_AddName(ps, procs[i]) == HPDF_OK;
    if (ok && pg->n_fonts + pg->n_fonts1) {
        HPDF_Dict fd = HPDF_Dict_New(mm);
        ok = fd && HPDF_Dict_Add(res, "Font", fd) == HPDF_OK;
        char name[16];
        for (int k = 0; ok && k < pg->n_fonts; k++) {
            snprintf(name, sizeof name, "F%d", k + 1);
            ok = w->hfont[pg->fonts[k]] &&
                 HPDF_Dict_Add(fd, name, w->hfont[pg->fonts[k]]) == HPDF_OK;
        }
        for (int k = 0; ok && k < pg->n_fonts1; k++) {
            snprintf(name, sizeof name, "E%d", k + 1);
            ok = w->hfont1[pg->fonts1[k]] &&
                 HPDF_Dict_Add(fd, name, w->hfont1[pg->fonts1[k]]) == HPDF_OK;
        }
    }
    if (ok && pg->n_img) {
        HPDF_Dict xd = HPDF_Dict_New(mm);
        ok = xd && HPDF_Dict_Add(res, "XObject", xd) == HPDF_OK;
        char name[16];
        for (int k = 0; ok && k < pg->n_img; k++) {
            snprintf(name, sizeof name, "X%d", k + 1);
            ok = HPDF_Dict_Add(xd, name, img[k]) == HPDF_OK;
        }
    }
    if (!ok) {
        pdf_fail(w, "cannot add a font to the page resources");
        return NULL;
    }
    pdf_res_entry *e = &w->res_shared[w->n_res_shared++];
    e->n_fonts = pg->n_fonts;
    e->n_fonts1 = pg->n_fonts1;
    e->n_img = pg->n_img;
    memcpy(e->fonts, pg->fonts, pg->n_fonts);
    memcpy(e->fonts1, pg->fonts1, pg->n_fonts1);
    memcpy(e->img, img, (size_t)pg->n_img * sizeof *img);
    e->res = res;
    return res;
}

/* issue 11 (r-pwrite): page pi of pp written to a print file without
 * libharu's page objects (pdfs_page_direct), when its resources are shared
 * and its content deflated; false (w->failed unset) where the page takes
 * libharu's way instead: the same bytes either way. */
static bool pdf_emit_direct(folio_pdf_writer *w, const folio_pdf_prepared *pp, uint32_t pi)
{
    const pdf_prep_page *pg = &pp->pages[pi];
    HPDF_REAL pw = pdf_pt(pp->page_w), ph = pdf_pt(pp->page_h);
    /* libharu's page sizes (HPDF_Page_SetWidth refuses others); a shared
     * set is found or made unless the table is full; the failing page of a
     * statement is libharu's (pdf_emit stops there) */
    if (pdfs_direct_off || !w->ps || !w->enc1 || !pp->level || !pg->len || w->n_res_shared >= PDF_RES_SHARED ||
        pw < 3 || pw > 14400 || ph < 3 || ph > 14400 || (pi + 1 == pp->n_pages && pp->why))
        return false;
    uint32_t id;
    const char *why = NULL;
    if (!pdfs_page_reserve(w->ps, &id, &why)) {
        if (why) {
            pdf_fail(w, why);
        } else {                         /* no file: saved whole, fails there */
            pdfs_free(w->ps);
            w->ps = NULL;
        }
        return false;
    }
    HPDF_Image img[PDF_PAGE_IMAGES];
    for (int k = 0; k < pg->n_img && !w->failed; k++)
        if (!(img[k] = pdf_image_xobject(w->doc, &w->images, pg->img[k])))
            pdf_fail(w, "cannot add an image to the page resources");
    HPDF_Dict shared = w->failed ? NULL : pdf_res_shared(w, pg, img);
    if (!shared) {
        if (!w->failed)
            pdf_fail(w, "internal error: no shared resources for a page");
        return false;
    }
    if (!pdfs_page_direct(w->ps, id, pw, ph, shared, pp->data + pg->off, pg->len, &why)) {
        pdf_fail(w, why);
        return false;
    }
    w->pages++;
    return true;
}

/* Append the pages of pp to w's document, in order. */
static bool pdf_emit(folio_pdf_writer *w, folio_pdf_prepared *pp, folio_error *err)
{
    uint64_t t0 = pdf_ns();
    if (pp->why && !strcmp(pp->why, "statement has an invalid page size")) {
        pdf_fail(w, pp->why);
        folio_error_set(err, FOLIO_EXIT_FAILED, "%s (statement %s)", w->err.msg, pp->id);
        return false;
    }
    if (pp->n_fonts != w->n_fonts || pp->level != w->zlevel || pp->enc1 != w->enc1 ||
        memcmp(pp->alias, w->alias, (size_t)w->n_fonts)) {
        pdf_fail(w, "statement prepared for other fonts or another compression");
        pdf_report(w, err);
        return false;
    }
    /* libharu marks a glyph for its subset when it measures it */
    for (size_t i = 0; i < pp->n_marks; i++) {
        const pdf_mark *m = &pp->marks[i];
        pdf_mark_glyph(w, m->font, m->cp, m->b, m->n);
    }
    for (uint32_t pi = 0; pi < pp->n_pages && !w->failed; pi++) {
        const pdf_prep_page *pg = &pp->pages[pi];
        if (pdf_emit_direct(w, pp, pi))          /* issue 11 (r-pwrite) */
            continue;
        if (w->failed)
            break;
        HPDF_Page page = HPDF_AddPage(w->doc);
        if (!page)
            break;
        HPDF_Page_SetWidth(page, pdf_pt(pp->page_w));
        HPDF_Page_SetHeight(page, pdf_pt(pp->page_h));
        HPDF_Dict shared = NULL;                 /* issue 11: print files, proofs */
        if (w->enc1) {
            HPDF_Image img[PDF_PAGE_IMAGES];
            for (int k = 0; k < pg->n_img && !w->failed; k++)
                if (!(img[k] = pdf_image_xobject(w->doc, &w->images, pg->img[k])))
                    pdf_fail(w, "cannot add an image to the page resources");
            shared = w->failed ? NULL : pdf_res_shared(w, pg, img);
            if (shared && HPDF_Dict_Add(page, "Resources", shared) != HPDF_OK)
                pdf_fail(w, "cannot add a font to the page resources");
        }
        for (int k = 0; k < pg->n_fonts && !shared && !w->failed; k++) {
            const char *name = HPDF_Page_GetLocalFontName(page, w->hfont[pg->fonts[k]]);
            if (!name) {
                pdf_fail(w, "cannot add a font to the page resources");
                break;
            }
            if (name[0] != 'F' || atoi(name + 1) != k + 1) {
                pdf_fail(w, "libharu named a page font unexpectedly");
                break;
            }
        }
        if (pg->n_fonts1 && !shared && !w->failed)   /* issue 11: E1, E2, ... */
            pdf_page_fonts1(w, page, pg->fonts1, pg->n_fonts1);
        for (int k = 0; k < pg->n_img && !shared && !w->failed; k++) {   /* issue 13: X<k+1> */
            HPDF_Image x = pdf_image_xobject(w->doc, &w->images, pg->img[k]);
            const char *name = x ? HPDF_Page_GetXObjectName(page, x) : NULL;
            if (!name || name[0] != 'X' || atoi(name + 1) != k + 1)
                pdf_fail(w, "cannot add an image to the page resources");
        }
        if (w->failed)
            break;
        if (pi + 1 == pp->n_pages && pp->why)
            break;                     /* the page that failed to format */
        if (pg->len) {
            HPDF_PageAttr attr = (HPDF_PageAttr)page->attr;
            if (pp->level) {
                attr->contents->filter = HPDF_STREAM_FILTER_NONE;
                attr->contents->write_fn = pdf_write_filter;
            }
            /* issue 11: the page's content in one block of its own size,
             * not in libharu's 4 KB blocks (a print file keeps every page
             * until it is saved: ~1.7 KB less per page, fewer blocks) */
            HPDF_Stream ms = HPDF_MemStream_New(page->mmgr, (HPDF_UINT)pg->len);
            if (ms && attr->contents->stream == attr->stream) {
                HPDF_Stream_Free(attr->stream);
                attr->contents->stream = attr->stream = ms;
            } else if (ms) {
                HPDF_Stream_Free(ms);
            }
            if (HPDF_Stream_Write(attr->stream, pp->data + pg->off, (HPDF_UINT)pg->len) !=
                HPDF_OK)
                pdf_fail(w, "cannot write page content");
        }
        if (w->failed)
            break;
        w->pages++;
        const char *ps_why = NULL;           /* issue 11 (r-speed): pdf-stream.h */
        if (w->ps && !pdfs_page(w->ps, page, &ps_why)) {
            if (ps_why) {
                pdf_fail(w, ps_why);
            } else {                         /* no file: saved whole, fails there */
                pdfs_free(w->ps);
                w->ps = NULL;
            }
        }
    }
    if (!w->failed && pp->why)
        pdf_fail(w, pp->why);
    pp->stats.emit_ns = pdf_ns() - t0;
    pthread_mutex_lock(&pdf_totals_lock);
    pdf_totals.statements++;
    pdf_totals.pages += pp->stats.pages;
    pdf_totals.content_bytes += pp->stats.content_bytes;
    pdf_totals.stream_bytes += pp->stats.stream_bytes;
    pdf_totals.format_ns += pp->stats.format_ns;
    pdf_totals.deflate_ns += pp->stats.deflate_ns;
    pdf_totals.emit_ns += pp->stats.emit_ns;
    pthread_mutex_unlock(&pdf_totals_lock);
    if (w->failed) {
        pdf_report(w, err);
        return false;
    }
    return true;
}

/* Totals of the PDF writers of this process (see pdf.h). */
void pdf_stats_get(folio_pdf_stats *out)
{
    pthread_mutex_lock(&pdf_totals_lock);
    *out = pdf_totals;
    pthread_mutex_unlock(&pdf_totals_lock);
}

static bool pdf_deflate_in_place(folio_pdf_writer *w, HPDF_Dict d, bool map);

/* ---- ToUnicode CMap ------------------------------------------------------ */

static const char pdf_cmap_head[] =
    "/CIDInit /ProcSet findresource begin\n"
    "12 dict begin\n"
    "begincmap\n"
    "/CIDSystemInfo << /Registry (Adobe) /Ordering (UCS) /Supplement 0 >> def\n"
    "/CMapName /Adobe-Identity-UCS def\n"
    "/CMapType 2 def\n"
    "1 begincodespacerange\n"
    "<0000> <FFFF>\n"
    "endcodespacerange\n";

static const char pdf_cmap_tail[] =
    "endcmap\n"
    "CMapName currentdict /CMap defineresource pop\n"
    "end\n"
    "end\n";

/* CMap text on its way into a libharu stream: a buffer drained with one
 * HPDF_Stream_Write when full, and the pending bfchar/bfrange block. */
typedef struct pdf_cmap_out {
    HPDF_Stream stream;
    HPDF_STATUS st;
    size_t len;
    char buf[8192];
    bool range;                       /* kind of the pending entries */
    int n;                            /* pending entries */
    uint16_t lo[PDF_CMAP_BLOCK], hi[PDF_CMAP_BLOCK];
} pdf_cmap_out;

static void pdf_cmap_drain(pdf_cmap_out *o)
{
    if (o->st == HPDF_OK && o->len)
        o->st = HPDF_Stream_Write(o->stream, (const HPDF_BYTE *)o->buf,
                                  (HPDF_UINT)o->len);
    o->len = 0;
}

/* Append n bytes (n <= sizeof buf). */
static void pdf_cmap_put(pdf_cmap_out *o, const char *s, size_t n)
{
    if (sizeof o->buf - o->len < n)
        pdf_cmap_drain(o);
    memcpy(o->buf + o->len, s, n);
    o->len += n;
}

static inline char *pdf_put_hex4(char *p, unsigned v)
{
    static const char hex[] = "0123456789ABCDEF";
    *p++ = '<';
    for (int sh = 12; sh >= 0; sh -= 4)
        *p++ = hex[(v >> sh) & 15];
    *p++ = '>';
    return p;
}

/* Write the pending entries as one block:
 *   "3 beginbfchar\n<00E9> <00E9>\n...endbfchar\n"
 *   "2 beginbfrange\n<0020> <007E> <0020>\n...endbfrange\n"
 * The destination is the code itself: code = code point (UTF-16BE, BMP). */
static void pdf_cmap_block(pdf_cmap_out *o)
{
    if (o->n == 0)
        return;
    if (sizeof o->buf - o->len < 32 + (size_t)o->n * 22)
        pdf_cmap_drain(o);
    char *p = o->buf + o->len;
    if (o->n >= 100)
        *p++ = (char)('0' + o->n / 100);
    if (o->n >= 10)
        *p++ = (char)('0' + o->n / 10 % 10);
    *p++ = (char)('0' + o->n % 10);
    p = pdf_put_str(p, o->range ? " beginbfrange\n" : " beginbfchar\n",
                    o->range ? 14 : 13);
    for (int i = 0; i < o->n; i++) {
        p = pdf_put_hex4(p, o->lo[i]);
        *p++ = ' ';
        if (o->range) {
            p = pdf_put_hex4(p, o->hi[i]);
            *p++ = ' ';
        }
        p = pdf_put_hex4(p, o->lo[i]);
        *p++ = '\n';
    }
    p = pdf_put_str(p, o->range ? "endbfrange\n" : "endbfchar\n", o->range ? 11 : 10);
    o->len = (size_t)(p - o->buf);
    o->n = 0;
}

/* Queue codes lo..hi (same high byte) as a bfrange, or lo as a bfchar. */
static void pdf_cmap_entry(pdf_cmap_out *o, unsigned lo, unsigned hi)
{
    bool range = hi > lo;
    if (o->n && (o->range != range || o->n == PDF_CMAP_BLOCK))
        pdf_cmap_block(o);
    o->range = range;
    o->lo[o->n] = (uint16_t)lo;
    o->hi[o->n] = (uint16_t)hi;
    o->n++;
}

static inline bool pdf_code_used(const uint8_t *bits, unsigned c)
{
    return (bits[c >> 3] >> (c & 7)) & 1u && (c < 0xD800 || c > 0xDFFF);
}

/* before_write_fn of a font's ToUnicode stream (attr: pdf_tounicode): replace
 * libharu's content with a ToUnicode CMap of the codes the document uses.
 * Runs when HPDF_SaveToFile writes the object, after the last page. */
static HPDF_STATUS pdf_tounicode_write(HPDF_Dict dict)
{
    const pdf_tounicode *tu = dict->attr;
    folio_pdf_writer *w = tu->w;
    const uint8_t *bits = w->used[tu->font];

    /* keys of an encoding CMap stream, meaningless on a ToUnicode stream */
    HPDF_Dict_RemoveElement(dict, "Type");
    HPDF_Dict_RemoveElement(dict, "CMapName");
    HPDF_Dict_RemoveElement(dict, "CIDSystemInfo");
    HPDF_Dict_RemoveElement(dict, "WMode");
    HPDF_MemStream_FreeData(dict->stream);

    pdf_cmap_out *o = malloc(sizeof *o);
    if (!o) {
        pdf_fail(w, "out of memory");
        return HPDF_FAILD_TO_ALLOC_MEM;
    }
    o->stream = dict->stream;
    o->st = HPDF_OK;
    o->len = 0;
    o->n = 0;
    pdf_cmap_put(o, pdf_cmap_head, sizeof pdf_cmap_head - 1);
    /* code 0 is never drawn (NUL and non-BMP text become .notdef) */
    for (unsigned c = 1; c <= 0xFFFF;) {
        /* r-adoc (issue 11): 64 empty codes at a time (a document draws a
         * few hundred of 65,536: ~0.1 M instructions a font byte by byte) */
        if ((c & 63) == 0) {
            uint64_t v;
            memcpy(&v, bits + (c >> 3), sizeof v);
            if (!v) {
                c += 64;
                continue;
            }
        }
        if ((c & 7) == 0 && bits[c >> 3] == 0) {
            c += 8;
            continue;
        }
        if (!pdf_code_used(bits, c)) {
            c++;
            continue;
        }
        unsigned e = c;   /* a bfrange stays within one high byte */
        while ((e & 0xFF) != 0xFF && pdf_code_used(bits, e + 1))
            e++;
        pdf_cmap_entry(o, c, e);
        c = e + 1;
    }
    pdf_cmap_block(o);
    pdf_cmap_put(o, pdf_cmap_tail, sizeof pdf_cmap_tail - 1);
    pdf_cmap_drain(o);
    HPDF_STATUS st = o->st;
    free(o);
    if (st != HPDF_OK)
        pdf_fail(w, "cannot write a ToUnicode CMap");
    else if ((dict->filter & HPDF_STREAM_FILTER_FLATE_DECODE) && !dict->write_fn &&
             !pdf_deflate_in_place(w, dict, false)) {
        pdf_fail(w, "cannot deflate a ToUnicode CMap");
        st = HPDF_FAILD_TO_ALLOC_MEM;
    }
    return st;
}

/* ---- issue 11: 1-byte twins of the fonts (pdf-enc1.h) ---------------------- */

/* before_write_fn of a 1-byte twin's ToUnicode stream (attr: pdf_tounicode). */
static HPDF_STATUS pdf_tounicode1_write(HPDF_Dict dict)
{
    const pdf_tounicode *tu = dict->attr;
    folio_pdf_writer *w = tu->w;
    char *buf = malloc(PDF_ENC1_TOUNICODE_MAX);
    if (!buf) {
        pdf_fail(w, "out of memory");
        return HPDF_FAILD_TO_ALLOC_MEM;
    }
    size_t n = pdf_enc1_tounicode(w->used[tu->font], buf, PDF_ENC1_TOUNICODE_MAX);
    HPDF_MemStream_FreeData(dict->stream);
    HPDF_STATUS st = HPDF_Stream_Write(dict->stream, (const HPDF_BYTE *)buf, (HPDF_UINT)n);
    free(buf);
    if (st != HPDF_OK)
        pdf_fail(w, "cannot write a ToUnicode CMap");
    else if (w->compress && !pdf_deflate_in_place(w, dict, false)) {
        pdf_fail(w, "cannot deflate a ToUnicode CMap");
        st = HPDF_FAILD_TO_ALLOC_MEM;
    }
    return st;
}

/* before_write_fn of a 1-byte twin (attr: pdf_tounicode): the BaseFont of
 * the font it is the twin of, as libharu named it (subset tag included). */
static HPDF_STATUS pdf_font1_write(HPDF_Dict dict)
{
    const pdf_tounicode *tu = dict->attr;
    folio_pdf_writer *w = tu->w;
    HPDF_Name base = HPDF_Dict_GetItem(w->hfont[tu->font], "BaseFont", HPDF_OCLASS_NAME);
    if (!base) {
        pdf_fail(w, "libharu font has no BaseFont");
        return HPDF_INVALID_OBJECT;
    }
    return HPDF_Dict_AddName(dict, "BaseFont", base->value);
}

/* Make font fi's 1-byte twin: a Type0 font with the 1-byte CMap as its
 * /Encoding on fi's CIDFont, its own ToUnicode.  The CIDFont's
 * CIDSystemInfo becomes Adobe-Identity-0, the CMap's (libharu writes the
 * ordering "Identity-H"; PDF/A-1 6.3.3.1 wants the two to agree for an
 * encoding that is not Identity-H/V). */
static void pdf_font1_new(folio_pdf_writer *w, int fi)
{
    HPDF_MMgr mm = w->doc->mmgr;
    HPDF_Xref xref = w->doc->xref;
    HPDF_Array desc = HPDF_Dict_GetItem(w->hfont[fi], "DescendantFonts", HPDF_OCLASS_ARRAY);
    HPDF_Dict cid = desc ? HPDF_Array_GetItem(desc, 0, HPDF_OCLASS_DICT) : NULL;
    HPDF_Dict csi = cid ? HPDF_Dict_GetItem(cid, "CIDSystemInfo", HPDF_OCLASS_DICT) : NULL;
    HPDF_Dict f = csi ? HPDF_Dict_New(mm) : NULL;
    HPDF_Array d1 = f ? HPDF_Array_New(mm) : NULL;
    HPDF_Dict enc = d1 ? HPDF_DictStream_New(mm, xref) : NULL;
    HPDF_Dict esi = enc ? HPDF_Dict_New(mm) : NULL;
    HPDF_Dict tu = esi ? HPDF_DictStream_New(mm, xref) : NULL;
    if (!tu) {
        HPDF_ResetError(w->doc);
        pdf_fail(w, "cannot make a font's 1-byte encoding");
        return;
    }
    HPDF_STATUS r = HPDF_Xref_Add(xref, f);
    r += HPDF_Dict_Add(csi, "Ordering", HPDF_String_New(mm, "Identity", NULL));
    r += HPDF_Dict_AddName(f, "Type", "Font");
    r += HPDF_Dict_AddName(f, "Subtype", "Type0");
    r += HPDF_Dict_Add(f, "Encoding", enc);
    r += HPDF_Array_Add(d1, cid);
    r += HPDF_Dict_Add(f, "DescendantFonts", d1);
    r += HPDF_Dict_Add(f, "ToUnicode", tu);
    r += HPDF_Dict_AddName(enc, "Type", "CMap");
    r += HPDF_Dict_AddName(enc, "CMapName", "Folio-Enc1-H");
    r += HPDF_Dict_Add(esi, "Registry", HPDF_String_New(mm, "Adobe", NULL));
    r += HPDF_Dict_Add(esi, "Ordering", HPDF_String_New(mm, "Identity", NULL));
    r += HPDF_Dict_AddNumber(esi, "Supplement", 0);
    r += HPDF_Dict_Add(enc, "CIDSystemInfo", esi);
    r += HPDF_Dict_AddNumber(enc, "WMode", 0);
    r += HPDF_Stream_Write(enc->stream, (const HPDF_BYTE *)pdf_enc1_cmap,
                           (HPDF_UINT)strlen(pdf_enc1_cmap));
    if (r != HPDF_OK || (w->compress && !pdf_deflate_in_place(w, enc, false))) {
        pdf_fail(w, "cannot make a font's 1-byte encoding");
        return;
    }
    w->tounicode1[fi] = (pdf_tounicode){ w, fi };
    f->attr = &w->tounicode1[fi];
    f->before_write_fn = pdf_font1_write;
    tu->attr = &w->tounicode1[fi];
    tu->before_write_fn = pdf_tounicode1_write;
    w->hfont1[fi] = f;
}

/* Route font fi's ToUnicode stream through pdf_tounicode_write. */
static void pdf_tounicode_hook(folio_pdf_writer *w, int fi)
{
    HPDF_Dict cmap = HPDF_Dict_GetItem(w->hfont[fi], "ToUnicode", HPDF_OCLASS_DICT);
    if (!cmap || !cmap->stream || cmap->attr || cmap->before_write_fn) {
        pdf_fail(w, "libharu font has no ToUnicode stream to replace");
        return;
    }
    w->tounicode[fi] = (pdf_tounicode){ w, fi };
    cmap->attr = &w->tounicode[fi];
    cmap->before_write_fn = pdf_tounicode_write;
}

/* ---- PDF/A-1b --------------------------------------------------------------- */

/* XML text of s (&, <, >, quotes escaped; UTF-8 passed through). */
static void pdf_xml_text(folio_buf *b, const char *s)
{
    for (; s && *s; s++) {
        switch (*s) {
        case '&': folio_buf_puts(b, "&amp;"); break;
        case '<': folio_buf_puts(b, "&lt;"); break;
        case '>': folio_buf_puts(b, "&gt;"); break;
        case '"': folio_buf_puts(b, "&quot;"); break;
        case '\'': folio_buf_puts(b, "&apos;"); break;
        default:
            if ((unsigned char)*s >= 0x20 || *s == '\t' || *s == '\n')
                folio_buf_putc(b, *s);
        }
    }
}

/* ---- deflated streams shared between documents ---------------------------- *
 *
 * The archive writes thousands of small documents that embed the same font
 * programs and ICC profile.  Deflating them is most of a document's cost, so
 * the deflated bytes are kept in a small process-wide cache keyed by the
 * raw bytes themselves, compared whole (r-arch: a memcmp of the ~7 KB ICC
 * profile per document instead of its SHA-256; zlib output depends only on
 * its input and level:
 * a hit and a miss write the same file).  Font programs repeat when
 * documents embed the same glyph set: pdf_open marks a standard set (ASCII,
 * Latin-1 and Latin Extended-A letters, common punctuation) in every PDF/A
 * document. */

#define PDF_ZCACHE_SLOTS 16
#define PDF_ZCACHE_MAX (8u << 20)      /* raw bytes of one cached stream */

typedef struct pdf_zentry {
    unsigned char *raw;        /* the key: n raw bytes */
    size_t n;
    unsigned char *z;
    size_t zlen;
} pdf_zentry;

static pthread_mutex_t pdf_zlock = PTHREAD_MUTEX_INITIALIZER;
static pdf_zentry pdf_zcache[PDF_ZCACHE_SLOTS];
static int pdf_zn;

__attribute__((destructor)) static void pdf_zcache_free(void)
{
    pthread_mutex_lock(&pdf_zlock);
    for (int i = 0; i < pdf_zn; i++) {
        free(pdf_zcache[i].raw);
        free(pdf_zcache[i].z);
    }
    pdf_zn = 0;
    pthread_mutex_unlock(&pdf_zlock);
}


/* A deflated font program and its /Length1 (raw length). */
typedef struct pdf_fentry {
    unsigned char *z;
    size_t zlen;
    unsigned length1;
} pdf_fentry;

#define PDF_FONT_LEVEL 6               /* deflate level of font programs (9 or 12:
                                          1% smaller, 1.5-10x the time; perf/README.md) */

/* issue 11 part 4: the level of a document's font programs, CIDToGIDMaps
 * and ToUnicode CMaps -- its content level when that is 1..5 (the
 * archive's default 1), else PDF_FONT_LEVEL.  A subset program deflates
 * 1.5-1.8x faster at 1 than at 6 and comes out 1.5-2% larger (~0.2 KB of a
 * ~28 KB archived document); print files (6) are unchanged. */
static int pdf_aux_level(const folio_pdf_writer *w)
{
    return w->zlevel >= 1 && w->zlevel < PDF_FONT_LEVEL ? w->zlevel : PDF_FONT_LEVEL;
}

/* d joins the xref, then the FontDescriptor keys libharu 2.3.0 writes, in
 * its order (it writes no CapHeight); the archive's own fonts
 * (pdf-afont.c) use it too. */
HPDF_STATUS pdf_descriptor_keys(HPDF_Dict d, HPDF_Xref xref, HPDF_MMgr mm, HPDF_FontDef def)
{
    HPDF_TTFontDefAttr da = def->attr;
    HPDF_STATUS r = HPDF_Xref_Add(xref, d);
    r += HPDF_Dict_AddName(d, "Type", "FontDescriptor");
    r += HPDF_Dict_AddNumber(d, "Ascent", def->ascent);
    r += HPDF_Dict_AddNumber(d, "Descent", def->descent);
    r += HPDF_Dict_AddNumber(d, "Flags", (HPDF_INT32)def->flags);
    r += HPDF_Dict_Add(d, "FontBBox", HPDF_Box_Array_New(mm, def->font_bbox));
    r += HPDF_Dict_AddName(d, "FontName", da->base_font);
    r += HPDF_Dict_AddNumber(d, "ItalicAngle", def->italic_angle);
    r += HPDF_Dict_AddNumber(d, "StemV", def->stemv);
    r += HPDF_Dict_AddNumber(d, "XHeight", def->x_height);
    return r;
}

/* The descriptor libharu 2.3.0 builds for def -- the same keys in the same
 * order (it writes no CapHeight) -- with FontFile2 = the deflated program
 * c.  Set as def->descriptor, libharu's before-write hook then uses it
 * instead of writing its own subset. */
static bool pdf_descriptor_from_cache(folio_pdf_writer *w, HPDF_FontAttr fa,
                                      const pdf_fentry *c)
{
    HPDF_FontDef def = fa->fontdef;
    HPDF_MMgr mm = w->doc->mmgr;
    HPDF_Dict d = HPDF_Dict_New(mm);
    HPDF_Dict ff = d ? pdf_deflated_stream(mm, fa->xref, c->z, c->zlen) : NULL;
    if (!ff)
        return false;
    HPDF_STATUS r = HPDF_Dict_Add(d, "FontFile2", ff);
    r += HPDF_Dict_AddNumber(ff, "Length1", (HPDF_INT32)c->length1);
    if (!w->tag) {   /* r-arch3: Type 1 keys, not written in a tagged document */
        r += HPDF_Dict_AddNumber(ff, "Length2", 0);
        r += HPDF_Dict_AddNumber(ff, "Length3", 0);
    }
    r += pdf_descriptor_keys(d, fa->xref, mm, def);
    if (r != HPDF_OK)
        return false;
    def->descriptor = d;
    return true;
}

/* Deflate stream dictionary d's raw content ourselves (libdeflate) when
 * libharu would deflate it at save (zlib, with a compressor made and freed
 * per stream): the same /Filter, a faster deflate.  Anything unexpected
 * leaves the stream to libharu. */
static bool pdf_deflate_own(folio_pdf_writer *w, HPDF_Dict d)
{
    if (!d || !d->stream || !(d->filter & HPDF_STREAM_FILTER_FLATE_DECODE) ||
        d->write_fn || d->before_write_fn)
        return true;
    return pdf_deflate_in_place(w, d, false);
}

/* pdf_deflate_own's work, for a stream known to be deflated at save; map:
 * a print file's or proof's CIDToGIDMap (pdf_map_deflate_bytes). */
static bool pdf_deflate_in_place(folio_pdf_writer *w, HPDF_Dict d, bool map)
{
    HPDF_Stream st = d->stream;
    HPDF_UINT32 n = HPDF_Stream_Size(st);
    if (n == 0 || n > PDF_MAX_PAGE_BYTES)
        return true;
    size_t cap = pdf_deflate_bound(n);
    unsigned char *raw = malloc(n + cap);
    if (!raw)
        return false;
    unsigned char *z = raw + n;
    HPDF_UINT got = n;
    if (HPDF_Stream_Seek(st, 0, HPDF_SEEK_SET) != HPDF_OK ||
        HPDF_Stream_Read(st, raw, &got) != HPDF_OK || got != n) {
        HPDF_ResetError(w->doc);
        free(raw);
        return true;                   /* left to libharu, as before */
    }
    /* round 27: small streams (ToUnicode CMaps, encodings) repeat from
     * document to document: keyed by their own bytes, deflated once */
    size_t zlen = map ? pdf_map_deflate_bytes(raw, n, z, cap)
                      : pdf_deflate_keyed(raw, n <= 8192 ? n : 0, pdf_aux_level(w), raw, n, z, cap);
    bool ok = zlen > 0;
    if (ok) {
        HPDF_MemStream_FreeData(st);
        ok = HPDF_Stream_Write(st, z, (HPDF_UINT)zlen) == HPDF_OK;
        /* a /Filter key libharu put in the dictionary itself (it does so
         * for a CIDToGIDMap) would come out twice */
        (void)HPDF_Dict_RemoveElement(d, "Filter");   /* not found: no error */
        d->filter = HPDF_STREAM_FILTER_NONE;
        d->write_fn = pdf_write_filter;
    }
    free(raw);
    return ok;
}

/* before_write_fn of a CIDToGIDMap we deflated: libharu's CIDFont hook
 * (written just before) sets the map's filter to the font's again. */
static HPDF_STATUS pdf_keep_own_filter(HPDF_Dict d)
{
    d->filter = HPDF_STREAM_FILTER_NONE;
    return HPDF_OK;
}

static bool pdf_embed_subset(folio_pdf_writer *w, int fi);

/* round 29 (issue 11): a print file's or proof's CIDToGIDMap.  libharu sets
 * the map's /Filter only when it writes the CIDFont, so pdf_deflate_own
 * found it unfiltered and libharu deflated it at close with zlib: 128 KB
 * (every code point's glyph, two bytes each) per font and file, ~7 M
 * instructions, in the writer's turn.  A whole-font file's map is the same
 * for every file of the process (pdf_cover_codes), so it is deflated once
 * (libdeflate at zlib's default level 6, as libharu asked of zlib) and kept
 * with its raw bytes: a map equal to a kept one, byte for byte, takes the
 * kept deflated bytes.  Deflate output depends only on its input and level,
 * so the file is the same whichever thread made the entry. */
#define PDF_MAPS 8
typedef struct pdf_map_entry {
    uint64_t hash;
    size_t n, zlen;
    unsigned char *raw, *z;            /* one block: raw then z */
} pdf_map_entry;
static pthread_mutex_t pdf_map_lock = PTHREAD_MUTEX_INITIALIZER;
static pdf_map_entry pdf_maps[PDF_MAPS];
static int pdf_maps_n;

__attribute__((destructor)) static void pdf_maps_free(void)
{
    pthread_mutex_lock(&pdf_map_lock);
    while (pdf_maps_n)
        free(pdf_maps[--pdf_maps_n].raw);
    pthread_mutex_unlock(&pdf_map_lock);
}

static uint64_t pdf_map_hash(const unsigned char *p, size_t n)
{
    uint64_t h = 1469598103934665603ull;
    size_t i = 0;
    for (; i + 8 <= n; i += 8) {
        uint64_t v;
        memcpy(&v, p + i, 8);
        h = (h ^ v) * 1099511628211ull;
        h ^= h >> 29;
    }
    for (; i < n; i++)
        h = (h ^ p[i]) * 1099511628211ull;
    return h ^ (uint64_t)n;
}

/* Deflate n raw bytes into z (cap bytes there); 0 on failure. */
size_t pdf_map_deflate_bytes(const unsigned char *raw, size_t n, unsigned char *z, size_t cap)
{
    uint64_t h = pdf_map_hash(raw, n);
    size_t got = 0;
    pthread_mutex_lock(&pdf_map_lock);
    for (int i = 0; i < pdf_maps_n && !got; i++) {
        const pdf_map_entry *e = &pdf_maps[i];
        if (e->hash == h && e->n == n && e->zlen <= cap && !memcmp(e->raw, raw, n)) {
            memcpy(z, e->z, e->zlen);
            got = e->zlen;
        }
    }
    pthread_mutex_unlock(&pdf_map_lock);
    if (got)
        return got;
    size_t zlen = pdf_deflate(PDF_ZLEVEL, raw, n, z, cap);
    if (!zlen)
        return 0;
    unsigned char *keep = malloc(n + zlen);
    if (!keep)
        return zlen;                   /* not kept: the same bytes next time */
    memcpy(keep, raw, n);
    memcpy(keep + n, z, zlen);
    pthread_mutex_lock(&pdf_map_lock);
    if (pdf_maps_n < PDF_MAPS) {
        pdf_maps[pdf_maps_n++] = (pdf_map_entry){.hash = h, .n = n, .zlen = zlen,
                                                 .raw = keep, .z = keep + n};
        keep = NULL;
    }
    pthread_mutex_unlock(&pdf_map_lock);
    free(keep);
    return zlen;
}

/* CIDToGIDMap d of a print file or proof deflated here (see above). */
static bool pdf_map_deflate(folio_pdf_writer *w, HPDF_Dict d)
{
    return pdf_deflate_in_place(w, d, true);
}

/* Before the save: each font's program an hb-subset one (a PDF/A document
 * has them already, made before its CIDSets), its CIDToGIDMap deflated by
 * pdf_deflate_own, or by pdf_map_deflate in a print file or proof. */
static void pdf_fonts_deflate(folio_pdf_writer *w)
{
    for (int i = 0; i < w->n_fonts && !w->failed; i++) {
        if (w->alias[i] != i)
            continue;
        (void)pdf_embed_subset(w, i);   /* false: libharu's own subset */
        if (w->failed)
            break;
        HPDF_Array desc = HPDF_Dict_GetItem(w->hfont[i], "DescendantFonts",
                                            HPDF_OCLASS_ARRAY);
        HPDF_Dict cid = desc ? HPDF_Array_GetItem(desc, 0, HPDF_OCLASS_DICT) : NULL;
        HPDF_Dict map = cid ? HPDF_Dict_GetItem(cid, "CIDToGIDMap", HPDF_OCLASS_DICT) : NULL;
        bool mine = map && map->stream && w->enc1 && w->compress && !map->write_fn &&
                    !map->before_write_fn;       /* round 29 */
        if (!(mine ? pdf_map_deflate(w, map) : pdf_deflate_own(w, map)))
            pdf_fail(w, "cannot deflate a CIDToGIDMap");
        else if (map && map->write_fn == pdf_write_filter)
            map->before_write_fn = pdf_keep_own_filter;
        HPDF_ResetError(w->doc);        /* a font without a map is not an error */
    }
}

/* Replace the content of stream dictionary d (raw bytes in its memory
 * stream, n of them) with its deflated form, from the cache when seen. */
static bool pdf_deflate_shared(folio_pdf_writer *w, HPDF_Dict d)
{
    HPDF_Stream st = d->stream;
    HPDF_UINT32 n = HPDF_Stream_Size(st);
    if (n == 0 || n > PDF_ZCACHE_MAX)
        return true;                   /* libharu deflates it as usual */
    unsigned char *raw = malloc(n);
    if (!raw)
        return false;
    HPDF_UINT got = n;
    if (HPDF_Stream_Seek(st, 0, HPDF_SEEK_SET) != HPDF_OK ||
        HPDF_Stream_Read(st, raw, &got) != HPDF_OK || got != n) {
        HPDF_ResetError(w->doc);
        free(raw);
        return true;                   /* leave it to libharu */
    }
    unsigned char *z = NULL;
    size_t zlen = 0;
    pthread_mutex_lock(&pdf_zlock);
    for (int i = 0; i < pdf_zn; i++)
        if (pdf_zcache[i].n == n && !memcmp(pdf_zcache[i].raw, raw, n)) {
            z = malloc(pdf_zcache[i].zlen);
            if (z) {
                memcpy(z, pdf_zcache[i].z, pdf_zcache[i].zlen);
                zlen = pdf_zcache[i].zlen;
            }
            break;
        }
    pthread_mutex_unlock(&pdf_zlock);
    if (!z) {
        size_t cap = pdf_deflate_bound(n);
        z = malloc(cap);
        zlen = z ? pdf_deflate(PDF_ZLEVEL, raw, n, z, cap) : 0;
        if (zlen == 0) {
            free(z);
            free(raw);
            return false;
        }
        pthread_mutex_lock(&pdf_zlock);
        bool have = false;
        for (int i = 0; i < pdf_zn; i++)
            have |= pdf_zcache[i].n == n && !memcmp(pdf_zcache[i].raw, raw, n);
        if (!have && pdf_zn < PDF_ZCACHE_SLOTS) {
            unsigned char *c = malloc(zlen), *r = malloc(n);
            if (c && r) {
                memcpy(c, z, zlen);
                memcpy(r, raw, n);
                pdf_zcache[pdf_zn] = (pdf_zentry){.raw = r, .n = n, .z = c, .zlen = zlen};
                pdf_zn++;
            } else {
                free(c);
                free(r);
            }
        }
        pthread_mutex_unlock(&pdf_zlock);
    }
    free(raw);
    HPDF_MemStream_FreeData(st);
    bool ok = HPDF_Stream_Write(st, z, (HPDF_UINT)zlen) == HPDF_OK;
    free(z);
    d->filter = HPDF_STREAM_FILTER_NONE;
    d->write_fn = pdf_write_filter;
    return ok;
}

/* A language-alternative property: <dc:title><rdf:Alt><rdf:li ...>v</...> */
static void pdf_xmp_alt(folio_buf *b, const char *prop, const char *v)
{
    folio_buf_printf(b, "<%s><rdf:Alt><rdf:li xml:lang=\"x-default\">", prop);
    pdf_xml_text(b, v);
    folio_buf_printf(b, "</rdf:li></rdf:Alt></%s>\n", prop);
}

/* The XMP packet of a PDF/A-1b document.  Every value equals its info
 * dictionary twin (ISO 19005-1 6.7.3): Title = dc:title, Author =
 * dc:creator, Subject = dc:description, Keywords = pdf:Keywords, Creator =
 * xmp:CreatorTool, Producer = pdf:Producer, CreationDate / ModDate =
 * xmp:CreateDate / xmp:ModifyDate.  Only predefined schemas are used, so no
 * extension schema is needed; the period and the household are in the
 * title, description and keywords, the document id in dc:identifier. */
static void pdf_xmp(folio_pdf_writer *w, folio_buf *b)
{
    const folio_pdf_options *o = &w->opt;
    int y, m, d;
    folio_date_to_ymd(o->doc_date == FOLIO_DATE_NONE ? 0 : o->doc_date, &y, &m, &d);
    char date[32];
    snprintf(date, sizeof date, "%04d-%02d-%02dT00:00:00Z", y, m, d);
    const char *producer = HPDF_GetInfoAttr(w->doc, HPDF_INFO_PRODUCER);
    folio_buf_puts(b, "<?xpacket begin=\"\xEF\xBB\xBF\" id=\"W5M0MpCehiHzreSzNTczkc9d\"?>\n"
                      "<x:xmpmeta xmlns:x=\"adobe:ns:meta/\">\n"
                      "<rdf:RDF xmlns:rdf=\"http://www.w3.org/1999/02/22-rdf-syntax-ns#\">\n");
    /* r-arch (issue 11/14 archive size): a tagged document's properties
     * share one rdf:Description (~240 bytes of its unfiltered XMP) */
    bool one = w->tag != NULL;
    folio_buf_puts(b, "<rdf:Description rdf:about=\"\" "
                      "xmlns:dc=\"http://purl.org/dc/elements/1.1/\"");
    if (one) {
        folio_buf_puts(b, " xmlns:xmp=\"http://ns.adobe.com/xap/1.0/\""
                          " xmlns:pdf=\"http://ns.adobe.com/pdf/1.3/\""
                          " xmlns:pdfaid=\"http://www.aiim.org/pdfa/ns/id/\"");
        pdf_tag_xmp_ns(b);
    }
    /* r-arch3 (issue 11 archive size): the unfiltered packet of a tagged
     * document leaves out what PDF/A and PDF/UA do not ask for (dc:format,
     * xmp:MetadataDate: ~100 bytes) */
    folio_buf_puts(b, one ? ">\n" : ">\n<dc:format>application/pdf</dc:format>\n");
    if (o->title)
        pdf_xmp_alt(b, "dc:title", o->title);
    if (o->author) {
        folio_buf_puts(b, "<dc:creator><rdf:Seq><rdf:li>");
        pdf_xml_text(b, o->author);
        folio_buf_puts(b, "</rdf:li></rdf:Seq></dc:creator>\n");
    }
    if (o->subject)
        pdf_xmp_alt(b, "dc:description", o->subject);
    if (w->pdfa.identifier) {
        folio_buf_puts(b, "<dc:identifier>");
        pdf_xml_text(b, w->pdfa.identifier);
        folio_buf_puts(b, "</dc:identifier>\n");
    }
    if (!one)
        folio_buf_puts(b, "</rdf:Description>\n"
                          "<rdf:Description rdf:about=\"\" "
                          "xmlns:xmp=\"http://ns.adobe.com/xap/1.0/\">\n");
    folio_buf_puts(b, "<xmp:CreatorTool>folio " FOLIO_VERSION "</xmp:CreatorTool>\n");
    folio_buf_printf(b, "<xmp:CreateDate>%s</xmp:CreateDate>\n"
                        "<xmp:ModifyDate>%s</xmp:ModifyDate>\n", date, date);
    if (!one)
        folio_buf_printf(b, "<xmp:MetadataDate>%s</xmp:MetadataDate>\n", date);
    if (!one)
        folio_buf_puts(b, "</rdf:Description>\n"
                          "<rdf:Description rdf:about=\"\" "
                          "xmlns:pdf=\"http://ns.adobe.com/pdf/1.3/\">\n");
    if (w->pdfa.keywords) {
        folio_buf_puts(b, "<pdf:Keywords>");
        pdf_xml_text(b, w->pdfa.keywords);
        folio_buf_puts(b, "</pdf:Keywords>\n");
    }
    if (producer) {
        folio_buf_puts(b, "<pdf:Producer>");
        pdf_xml_text(b, producer);
        folio_buf_puts(b, "</pdf:Producer>\n");
    }
    if (!one)
        folio_buf_puts(b, "</rdf:Description>\n"
                          "<rdf:Description rdf:about=\"\" "
                          "xmlns:pdfaid=\"http://www.aiim.org/pdfa/ns/id/\">\n");
    /* issue 14 part 2: tagged documents are PDF/A-2a and PDF/UA-1 */
    folio_buf_puts(b, w->tag ? "<pdfaid:part>2</pdfaid:part>\n"
                               "<pdfaid:conformance>A</pdfaid:conformance>\n"
                             : "<pdfaid:part>1</pdfaid:part>\n"
                               "<pdfaid:conformance>B</pdfaid:conformance>\n");
    if (w->tag)
        pdf_tag_xmp(b);
    folio_buf_puts(b, "</rdf:Description>\n");
    folio_buf_puts(b, "</rdf:RDF>\n"
                      "</x:xmpmeta>\n");
    /* the recommended padding lets an editor update the packet in place;
     * not in a tagged archive document (r-arch, issue 11: sealed, its
     * SHA-256 in the index; the object stream rewrite moves bytes anyway) */
    for (int i = 0; i < (w->tag ? 0 : 8); i++)
        folio_buf_puts(b, "                                                                \n");
    folio_buf_puts(b, "<?xpacket end=\"w\"?>");
}

/* r-arch (issue 11/14 archive size): rewrite CIDToGIDMap stream m (raw,
 * libharu's: 2 bytes per CID, big-endian glyph ids; CID = code point) for a
 * renumbered subset: CID codes[k] (ascending) gets renum[k]; any other CID
 * (libharu maps one above the highest drawn) gets 0.  Before the map is
 * deflated (pdf_fonts_deflate).  false leaves the map unchanged and the
 * caller falls back to libharu's own subset. */
static bool pdf_cidmap_renum(folio_pdf_writer *w, HPDF_Dict m, const uint32_t *codes,
                             const uint32_t *renum, size_t n)
{
    HPDF_Stream st = m->stream;
    HPDF_UINT32 len = st ? HPDF_Stream_Size(st) : 0;
    if (!st || len == 0 || (len & 1) || len > 2 * 65536 || m->write_fn)
        return false;
    unsigned char *raw = calloc(1, len);
    if (!raw)
        return false;
    size_t k = 0;
    for (HPDF_UINT32 c = 0; c < len / 2; c++) {
        while (k < n && codes[k] < c)
            k++;
        unsigned g = k < n && codes[k] == c ? renum[k] : 0;
        raw[2 * c] = (unsigned char)(g >> 8);
        raw[2 * c + 1] = (unsigned char)g;
    }
    HPDF_MemStream_FreeData(st);
    bool ok = HPDF_Stream_Write(st, raw, len) == HPDF_OK;
    if (!ok)
        pdf_fail(w, "cannot rewrite a CIDToGIDMap");
    free(raw);
    return ok;
}

/* Give font fi a descriptor whose FontFile2 is an hb-subset program of
 * the glyphs the document draws (pdf-subset.c), deflated: ~5-10 KB where
 * libharu's own subset is ~45 KB.  The glyphs are those libharu's
 * CIDToGIDMap gives the codes drawn (CID = code point), so the ids agree.
 * Returns false, leaving the font to libharu's subset, when the program
 * cannot be made (a font HarfBuzz cannot read). */
static bool pdf_embed_subset(folio_pdf_writer *w, int fi)
{
    HPDF_Font t0 = w->hfont[fi];
    HPDF_FontAttr fa = t0 ? t0->attr : NULL;
    HPDF_FontDef def = fa ? fa->fontdef : NULL;
    if (!def || def->type != HPDF_FONTDEF_TYPE_TRUETYPE || def->descriptor ||
        !w->fonts || !w->fonts[fi].file)
        return def && def->descriptor;
    const uint8_t *bits = w->used[fi];
    uint32_t *codes = malloc(sizeof(uint32_t) * 2 * 65536);
    if (!codes)
        return false;
    uint32_t *gids = codes + 65536;
    size_t n = 0;
    for (unsigned b = 0; b < 8192; b++) {
        if (!bits[b])
            continue;
        for (unsigned c = b * 8; c < b * 8 + 8; c++)
            if (c && pdf_code_used(bits, c)) {
                codes[n] = c;
                gids[n] = HPDF_TTFontDef_GetGlyphid(def, (HPDF_UINT16)c);
                n++;
            }
    }
    size_t plen = 0;
    pdf_fentry e = {0};
    /* r-arch (issue 11/14 archive size): a PDF/A document's subset is
     * renumbered and its CIDToGIDMap rewritten to the new ids */
    uint32_t *renum = w->is_pdfa && fa->map_stream ? malloc(sizeof(uint32_t) * (n + 1)) : NULL;
    bool ok = pdf_subset_deflated_renum(w->fonts[fi].file, gids, codes, n, pdf_aux_level(w),
                                        renum, &e.z, &e.zlen, &plen);
    if (ok && renum)
        ok = pdf_cidmap_renum(w, fa->map_stream, codes, renum, n);
    free(renum);
    free(codes);
    if (!ok) {
        free(e.z);
        return false;
    }
    e.length1 = (unsigned)plen;
    ok = e.zlen && pdf_descriptor_from_cache(w, fa, &e);
    free(e.z);
    if (!ok && !w->failed)
        pdf_fail(w, "cannot embed a font subset");
    return ok;
}

/* CIDSet of font fi (PDF/A-1 6.3.5): one bit per CID, most significant bit
 * first, set for every CID the subset holds: CID 0 (.notdef) and each code
 * the document drew (CID = code point, Identity-H). */
static void pdf_cidset(folio_pdf_writer *w, int fi)
{
    HPDF_Array desc = HPDF_Dict_GetItem(w->hfont[fi], "DescendantFonts", HPDF_OCLASS_ARRAY);
    HPDF_Dict cid = desc ? HPDF_Array_GetItem(desc, 0, HPDF_OCLASS_DICT) : NULL;
    /* libharu 2.3.0 creates the CIDFont's descriptor (and saves the glyph
     * subset into it) in the Type0 font's before-write hook; every page is
     * drawn by now, so run it here, and the save finds the descriptor made
     * (the hook only builds a descriptor that is missing) */
    HPDF_Font t0 = w->hfont[fi];
    HPDF_Dict fd = cid ? HPDF_Dict_GetItem(cid, "FontDescriptor", HPDF_OCLASS_DICT) : NULL;
    bool fresh = false;                  /* libharu wrote its own subset just now */
    if (cid && !fd && t0->before_write_fn) {
        fresh = !pdf_embed_subset(w, fi);
        if (w->failed)
            return;
        if (t0->before_write_fn(t0) == HPDF_OK)
            fd = HPDF_Dict_GetItem(cid, "FontDescriptor", HPDF_OCLASS_DICT);
    }
    if (!fd) {
        pdf_fail(w, "libharu font has no CID font descriptor for a CIDSet");
        return;
    }
    if (HPDF_Dict_GetItem(fd, "CIDSet", HPDF_OCLASS_DICT))
        return;                          /* a font shared by two layout fonts */
    HPDF_Dict ff = HPDF_Dict_GetItem(fd, "FontFile2", HPDF_OCLASS_DICT);
    if (fresh && ff && ff->stream && ff->write_fn != pdf_write_filter &&
        !pdf_deflate_shared(w, ff)) {
        pdf_fail(w, "cannot deflate a font program");
        return;
    }
    if (w->tag)
        return;    /* r-arch3 (issue 14): PDF/A-2 makes CIDSet optional (ISO 19005-2 6.2.11.4.2) */
    const uint8_t *bits = w->used[fi];
    unsigned last = 0;
    /* whole words at a time (r-arch3, issue 11: bytes were ~0.15 M
     * instructions a font): a document uses a few hundred of 65,536 codes */
    for (unsigned b = 8192; b >= 8 && !last; b -= 8) {
        uint64_t v;
        memcpy(&v, bits + b - 8, sizeof v);
        for (unsigned c = b * 8; v && c-- > (b - 8) * 8;)
            if (c && pdf_code_used(bits, c)) {
                last = c;
                break;
            }
    }
    unsigned char set[8192];
    size_t n = last / 8 + 1;
    memset(set, 0, n);
    set[0] = 0x80;                       /* CID 0 */
    for (unsigned c = 1; c <= last; c++) {
        if ((c & 63) == 0) {
            uint64_t v;
            memcpy(&v, bits + (c >> 3), sizeof v);
            if (!v) {
                c += 63;
                continue;
            }
        }
        if ((c & 7) == 0 && bits[c >> 3] == 0) {
            c += 7;
            continue;
        }
        if (pdf_code_used(bits, c))
            set[c >> 3] |= (unsigned char)(0x80u >> (c & 7));
    }
    HPDF_Dict s = HPDF_DictStream_New(w->doc->mmgr, w->doc->xref);
    /* a few bytes: not worth a deflate stream -- unless a code far up
     * (a CJK or symbol character) makes it ~1 KB of zeros (r-arch, issue 11) */
    unsigned char z[256];
    size_t zn = n > 128 ? pdf_deflate(pdf_aux_level(w), set, n, z, sizeof z) : 0;
    if (!s || HPDF_Stream_Write(s->stream, zn ? z : set, (HPDF_UINT)(zn ? zn : n)) != HPDF_OK ||
        (zn && HPDF_Dict_AddName(s, "Filter", "FlateDecode") != HPDF_OK) ||
        HPDF_Dict_Add(fd, "CIDSet", s) != HPDF_OK) {
        pdf_fail(w, "cannot write a CIDSet");
        return;
    }
    s->filter = HPDF_STREAM_FILTER_NONE;
}

/* Before saving a PDF/A-1b document: XMP metadata (never filtered), the
 * sRGB output intent, a file ID that depends only on the identifier (no
 * clock: reruns are byte-identical), CIDSets. */
static void pdf_pdfa_finish(folio_pdf_writer *w)
{
    HPDF_Doc doc = w->doc;
    if (!w->pdfa.icc || w->pdfa.icc_len < 128) {
        pdf_fail(w, "PDF/A needs an ICC output profile");
        return;
    }
    folio_buf x;
    folio_buf_init(&x, 1 << 20);
    pdf_xmp(w, &x);
    HPDF_Dict meta = x.failed ? NULL : HPDF_DictStream_New(doc->mmgr, doc->xref);
    if (!meta || HPDF_Dict_AddName(meta, "Type", "Metadata") != HPDF_OK ||
        HPDF_Dict_AddName(meta, "Subtype", "XML") != HPDF_OK ||
        HPDF_Stream_Write(meta->stream, (const HPDF_BYTE *)x.data, (HPDF_UINT)x.len) != HPDF_OK ||
        HPDF_Dict_Add(doc->catalog, "Metadata", meta) != HPDF_OK) {
        folio_buf_free(&x);
        pdf_fail(w, "cannot write the XMP metadata");
        return;
    }
    folio_buf_free(&x);
    meta->filter = HPDF_STREAM_FILTER_NONE;

    HPDF_Dict icc = HPDF_DictStream_New(doc->mmgr, doc->xref);
    HPDF_Dict intent = HPDF_Dict_New(doc->mmgr);
    HPDF_Array intents = HPDF_Array_New(doc->mmgr);
    if (!icc || !intent || !intents ||
        HPDF_Dict_AddNumber(icc, "N", 3) != HPDF_OK ||
        HPDF_Stream_Write(icc->stream, w->pdfa.icc, (HPDF_UINT)w->pdfa.icc_len) != HPDF_OK ||
        HPDF_Dict_AddName(intent, "Type", "OutputIntent") != HPDF_OK ||
        HPDF_Dict_AddName(intent, "S", "GTS_PDFA1") != HPDF_OK ||
        HPDF_Dict_Add(intent, "OutputConditionIdentifier",
                      HPDF_String_New(doc->mmgr, "sRGB IEC61966-2.1", NULL)) != HPDF_OK ||
        HPDF_Dict_Add(intent, "Info", HPDF_String_New(doc->mmgr, "sRGB IEC61966-2.1",
                                                      NULL)) != HPDF_OK ||
        HPDF_Dict_Add(intent, "DestOutputProfile", icc) != HPDF_OK ||
        HPDF_Array_Add(intents, intent) != HPDF_OK ||
        HPDF_Dict_Add(doc->catalog, "OutputIntents", intents) != HPDF_OK) {
        pdf_fail(w, "cannot write the output intent");
        return;
    }
    if (!pdf_deflate_shared(w, icc)) {
        pdf_fail(w, "cannot deflate the ICC profile");
        return;
    }

    /* /ID [<a> <a>]: the first 16 bytes of SHA-256(identifier, title) */
    folio_buf idb;
    folio_buf_init(&idb, 1 << 16);
    folio_buf_puts(&idb, w->pdfa.identifier ? w->pdfa.identifier : "");
    folio_buf_putc(&idb, '\n');
    folio_buf_puts(&idb, w->opt.title ? w->opt.title : "");
    char hex[65];
    folio_sha256_hex(idb.data ? idb.data : "", idb.len, hex);
    folio_buf_free(&idb);
    HPDF_BYTE id[16];
    for (int i = 0; i < 16; i++) {
        unsigned v;
        sscanf(hex + 2 * i, "%2x", &v);
        id[i] = (HPDF_BYTE)v;
    }
    HPDF_Array ida = HPDF_Array_New(doc->mmgr);
    if (!ida || HPDF_Array_Add(ida, HPDF_Binary_New(doc->mmgr, id, 16)) != HPDF_OK ||
        HPDF_Array_Add(ida, HPDF_Binary_New(doc->mmgr, id, 16)) != HPDF_OK ||
        HPDF_Dict_Add(doc->trailer, "ID", ida) != HPDF_OK) {
        pdf_fail(w, "cannot write the file ID");
        return;
    }
    for (int i = 0; i < w->n_fonts && !w->failed; i++) {   /* issue 11 (r-arch4) */
        const char *why = NULL;
        if (w->afont[i].t0 && !pdfa_font_end(doc, &w->afont[i], w->fonts[i].file, w->used[i],
                                             pdf_aux_level(w), &why))
            pdf_fail(w, why);
    }
    for (int i = 0; i < w->n_fonts && !w->failed; i++)
        pdf_cidset(w, i);
    const char *tag_why = NULL;              /* issue 14 part 2 */
    if (!w->failed && w->tag && !pdf_tag_finish(w->tag, doc, 0, w->pdfa.lang, &tag_why))
        pdf_fail(w, tag_why);
}

/* ---- libharu back end ---------------------------------------------------- */


static HPDF_REAL pdf_c(uint32_t rgb, int sh)
{
    return (HPDF_REAL)((rgb >> sh) & 0xFF) / 255.0f;
}

/* Record the codes a text shows for the ToUnicode CMap (libharu measures and
 * marks glyphs itself in HPDF_Page_ShowText).  Decodes like the direct back
 * end: the code is the BMP code point; anything else draws nothing we map. */
static void pdf_note_codes(folio_pdf_writer *w, int fi, const unsigned char *s,
                           size_t n)
{
    uint8_t *bits = w->used[fi];
    for (size_t i = 0; i < n;) {
        uint32_t cp = s[i++];
        if (cp >= 0x80) {
            int extra = cp >= 0xF0 ? 3 : cp >= 0xE0 ? 2 : cp >= 0xC0 ? 1 : 0;
            cp &= (uint32_t)(0x3F >> extra);
            for (int k = 0; k < extra && i < n; k++, i++)
                cp = cp << 6 | (s[i] & 0x3F);
            if (cp > 0xFFFF)
                cp = 0;
        }
        bits[cp >> 3] |= (uint8_t)(1u << (cp & 7));
    }
}

static bool pdf_hpdf_op(folio_pdf_writer *w, HPDF_Page page, pdf_state *gs,
                        const folio_dl_op *op, int32_t page_h)
{
    if (op->kind == FOLIO_DL_TEXT) {
        if (op->font >= w->n_fonts) {
            pdf_fail(w, "text op uses an unknown font");
            return false;
        }
        if (op->len == 0)
            return true;
        if (!gs->in_text) {
            HPDF_Page_BeginText(page);
            gs->in_text = true;
            gs->tx = gs->ty = 0;
        }
        if (op->font != gs->font || op->size != gs->size) {
            HPDF_Page_SetFontAndSize(page, w->hfont[op->font], pdf_pt(op->size));
            gs->font = op->font;
            gs->size = op->size;
        }
        if (op->color != gs->fill) {
            HPDF_Page_SetRGBFill(page, pdf_c(op->color, 16), pdf_c(op->color, 8),
                                 pdf_c(op->color, 0));
            gs->fill = op->color;
        }
        int32_t x = op->x, y = page_h - op->y;
        HPDF_Page_MoveTextPos(page, pdf_pt((int64_t)x - gs->tx),
                              pdf_pt((int64_t)y - gs->ty));
        gs->tx = x;
        gs->ty = y;
        if (op->len + 1 > w->tmp_cap) {
            char *t = realloc(w->tmp, op->len + 1);
            if (!t) {
                pdf_fail(w, "out of memory");
                return false;
            }
            w->tmp = t;
            w->tmp_cap = op->len + 1;
        }
        memcpy(w->tmp, op->text, op->len);
        w->tmp[op->len] = 0;
        pdf_note_codes(w, op->font, (const unsigned char *)op->text, op->len);
        HPDF_Page_ShowText(page, w->tmp);
        return !w->failed;
    }
    if (gs->in_text) {
        HPDF_Page_EndText(page);
        gs->in_text = false;
    }
    if (op->kind == FOLIO_DL_RULE) {
        if (op->w != gs->line_w) {
            HPDF_Page_SetLineWidth(page, pdf_pt(op->w));
            gs->line_w = op->w;
        }
        if (op->color != gs->stroke) {
            HPDF_Page_SetRGBStroke(page, pdf_c(op->color, 16), pdf_c(op->color, 8),
                                   pdf_c(op->color, 0));
            gs->stroke = op->color;
        }
        HPDF_Page_MoveTo(page, pdf_pt(op->x), pdf_pt((int64_t)page_h - op->y));
        HPDF_Page_LineTo(page, pdf_pt(op->x2), pdf_pt((int64_t)page_h - op->y2));
        HPDF_Page_Stroke(page);
    } else if (op->kind == FOLIO_DL_BOX) {
        if (op->color != gs->fill) {
            HPDF_Page_SetRGBFill(page, pdf_c(op->color, 16), pdf_c(op->color, 8),
                                 pdf_c(op->color, 0));
            gs->fill = op->color;
        }
        if (op->line_w > 0) {
            if (op->line_w != gs->line_w) {
                HPDF_Page_SetLineWidth(page, pdf_pt(op->line_w));
                gs->line_w = op->line_w;
            }
            if (op->stroke != gs->stroke) {
                HPDF_Page_SetRGBStroke(page, pdf_c(op->stroke, 16),
                                       pdf_c(op->stroke, 8), pdf_c(op->stroke, 0));
                gs->stroke = op->stroke;
            }
        }
        HPDF_Page_Rectangle(page, pdf_pt(op->x),
                            pdf_pt((int64_t)page_h - op->y - op->h), pdf_pt(op->w),
                            pdf_pt(op->h));
        if (op->line_w > 0)
            HPDF_Page_FillStroke(page);
        else
            HPDF_Page_Fill(page);
    } else if (op->kind == FOLIO_DL_IMAGE || op->kind == FOLIO_DL_PATH) {   /* issue 13 */
        if (!pdf_graphic_hpdf(w->doc, &w->images, page, op, page_h))
            pdf_fail(w, "cannot draw an image or a path");
    } else {
        pdf_fail(w, "unknown display-list op");
        return false;
    }
    return !w->failed;
}

/* ---- public API ---------------------------------------------------------- */

static void pdf_free(folio_pdf_writer *w)
{
    if (!w)
        return;
    pdfs_free(w->ps);                /* issue 11 (r-speed): before its document */
    w->ps = NULL;
    if (w->doc && w->reuse && !w->failed) {
        HPDF_FreeDoc(w->doc);  /* keeps the loaded fonts for the next document */
    } else if (w->doc) {
        HPDF_Free(w->doc);
        if (w->reuse)          /* a failed document: start the next one afresh */
            pdf_reuse_forget(w->reuse);
    }
    if (w->reuse) {            /* r-adoc: the document's blocks, all at once */
        pdf_arena_on = NULL;
        pdf_arena_reset(&w->reuse->arena);
    }
    for (int i = 0; i < PDF_MAX_FONTS; i++) {
        bool shared = false;
        for (int j = 0; j < i; j++)
            shared |= w->used[j] == w->used[i];
        if (!shared)
            free(w->used[i]);
    }
    pdf_prepared_free(w->prep);
    pdf_images_free(w->images);      /* issue 13 */
    free(w->res_shared);             /* issue 11: the dictionaries are the document's */
    pdfvt_free(w->vt);               /* issue 14 part 3 */
    pdf_tag_free(w->tag);            /* issue 14 part 2 */
    free(w->tmp);
    free(w->path);
    free(w);
}

/* The code points (BMP, not 0) that statement st draws in layout fonts
 * whose file is the file of font fi, as a 65,536-bit map. */
static void pdf_codes_of(const folio_dl_statement *st, const folio_layout_font *fonts,
                         int n_fonts, int fi, uint8_t *bits)
{
    bool same[PDF_MAX_FONTS] = {false};
    if (n_fonts > PDF_MAX_FONTS)        /* the writers refuse more at open */
        n_fonts = PDF_MAX_FONTS;
    for (int k = 0; k < n_fonts; k++)
        same[k] = fonts[k].file && !strcmp(fonts[k].file, fonts[fi].file);
    for (uint32_t p = 0; p < st->n_pages; p++) {
        const folio_dl_page *pg = &st->pages[p];
        for (uint32_t o = 0; o < pg->n_ops; o++) {
            const folio_dl_op *op = &pg->ops[o];
            if (op->kind != FOLIO_DL_TEXT || op->font >= n_fonts || !same[op->font])
                continue;
            for (size_t i = 0; i < op->len;) {
                uint32_t cp;
                size_t k = (size_t)folio_utf8_next(op->text + i, op->len - i, &cp);
                i += k ? k : 1;
                if (cp && cp <= 0xFFFF)
                    bits[cp >> 3] |= (uint8_t)(1u << (cp & 7));
            }
        }
    }
}

/* Set (or clear) cid_map/unicode_map of the codes in bits: CID = code. */
static void pdf_encoder_map(HPDF_CMapEncoderAttr a, const uint8_t *bits, bool set)
{
    for (unsigned b = 0; b < 8192; b++) {
        if ((b & 7) == 0) {    /* r-arch: 64 empty codes at a time (a few hundred set) */
            uint64_t w8;
            memcpy(&w8, bits + b, 8);
            if (!w8) {
                b += 7;
                continue;
            }
        }
        if (!bits[b])
            continue;
        for (unsigned k = 0; k < 8; k++) {
            unsigned c = b * 8 + k;
            if (c == 0 || !(bits[b] >> k & 1))
                continue;
            a->cid_map[c >> 8][c & 0xFF] = set ? (HPDF_UINT16)c : 0;
            a->unicode_map[c >> 8][c & 0xFF] = set ? (HPDF_UNICODE)c : 0;
        }
    }
}

/* HPDF_GetFont for a document that draws only statement st.  libharu
 * 2.3.0 builds a UTF-8 CIDFont by asking the font's cmap for every one of
 * the 65,536 BMP code points (a linear search each) and writes /W and the
 * CIDToGIDMap up to the highest: about 12 ms and 20 KB per font, the
 * largest cost of a small document.  Its CMap-encoder branch asks only the
 * codes whose cid_map entry is set, so for the call the UTF-8 encoder
 * answers through HPDF_CMapEncoder_ToUnicode with cid_map/unicode_map
 * holding exactly the code points st draws (CID = code point, as with
 * UTF-8), and is put back as it was right after. */
static HPDF_Font pdf_get_font_mapped(folio_pdf_writer *w, const char *name,
                                     const uint8_t *bits);

static HPDF_Font pdf_get_font_for(folio_pdf_writer *w, const char *name,
                                  const folio_layout_font *fonts, int n_fonts, int fi,
                                  const folio_dl_statement *st)
{
    uint8_t *bits = calloc(1, 8192);
    if (!bits)
        return HPDF_GetFont(w->doc, name, "UTF-8");
    pdf_codes_of(st, fonts, n_fonts, fi, bits);
    bits[0x20 >> 3] |= 1u << (0x20 & 7);         /* never an empty map */
    /* libharu writes /W and the CIDToGIDMap for CIDs below the highest one
     * mapped, not including it: map one more code above the last used */
    unsigned top = 0x20;
    for (unsigned b = 8192; b-- > 0;)
        if (bits[b]) {
            for (unsigned k = 8; k-- > 0;)
                if (bits[b] >> k & 1) {
                    top = b * 8 + k;
                    break;
                }
            break;
        }
    if (top < 0xFFFF)
        bits[(top + 1) >> 3] |= (uint8_t)(1u << ((top + 1) & 7));
    HPDF_Font f = pdf_get_font_mapped(w, name, bits);
    free(bits);
    return f;
}

/* HPDF_GetFont through libharu's CMap-encoder branch with exactly the codes
 * in bits mapped (CID = code point), the UTF-8 encoder put back after. */
static HPDF_Font pdf_get_font_mapped(folio_pdf_writer *w, const char *name,
                                     const uint8_t *bits)
{
    HPDF_Encoder e = HPDF_GetEncoder(w->doc, "UTF-8");
    if (!e || !e->attr)
        return HPDF_GetFont(w->doc, name, "UTF-8");
    HPDF_CMapEncoderAttr a = e->attr;
    HPDF_Encoder_ToUnicode_Func saved = e->to_unicode_fn;
    /* libharu's UTF-8 encoder never reads these maps (it decodes UTF-8
     * itself), yet they are not all zero when it is made (seen: a few
     * stray entries, e.g. code 0x0002 -> CID 0xAC): clear them, so that
     * only our codes are mapped, in a new document and in a kept one */
    memset(a->cid_map, 0, sizeof a->cid_map);
    memset(a->unicode_map, 0, sizeof a->unicode_map);
    pdf_encoder_map(a, bits, true);
    e->to_unicode_fn = HPDF_CMapEncoder_ToUnicode;
    HPDF_Font f = HPDF_GetFont(w->doc, name, "UTF-8");
    e->to_unicode_fn = saved;
    pdf_encoder_map(a, bits, false);
    return f;
}

/* ---- whole-font documents (print files, proofs) -- issue 11 part 4 --------- *
 *
 * A print file cannot know its code points when it opens, so libharu's
 * UTF-8 branch builds its CIDFonts: it asks the cmap for each of the 65,536
 * codes (a linear search of the segments each, ~25 ms per font -- serial,
 * in the writer's turn, for every print file).  It keeps each code's glyph
 * (0 where the font has none) and takes 0xFFFF as the highest CID.  The
 * CMap-encoder branch gives the same CIDFont when it is asked for exactly
 * the codes with a glyph, plus 0xFFFF: the same glyph map, the same highest
 * CID, so the same /W and CIDToGIDMap.  Those codes are found once per font
 * file per process (the same 65,536 questions, once) and kept here.  A font
 * giving code 0 a glyph (which the CMap branch would leave out) keeps
 * libharu's own way. */

#define PDF_COVER_FONTS 16

typedef struct pdf_cover {
    char *file;
    uint8_t *bits;             /* 65,536-bit map, NULL: use HPDF_GetFont */
} pdf_cover;

static pthread_mutex_t pdf_cover_lock = PTHREAD_MUTEX_INITIALIZER;
static pdf_cover pdf_covers[PDF_COVER_FONTS];
static int pdf_cover_n;

__attribute__((destructor)) static void pdf_cover_free(void)
{
    pthread_mutex_lock(&pdf_cover_lock);
    for (int i = 0; i < pdf_cover_n; i++) {
        free(pdf_covers[i].file);
        free(pdf_covers[i].bits);
    }
    pdf_cover_n = 0;
    pthread_mutex_unlock(&pdf_cover_lock);
}

/* issue 11 (r-page): the codes 1..0xFFFE HPDF_TTFontDef_GetGlyphid gives a
 * glyph, from the format 4 segments libharu read, walked once: its answer
 * for code c comes from the first segment whose end is >= c, so one index
 * that only moves forward finds it for c in order (~20 instructions a code
 * where libharu's linear search took ~650: 85 M instructions a run for two
 * fonts).  Where that lookup would leave the segments or the glyph array,
 * libharu itself is asked. */
static void pdf_cover_codes(HPDF_FontDef def, uint8_t *bits)
{
    HPDF_TTFontDefAttr a = def->attr;
    const HPDF_TTF_CmapRange *m = &a->cmap;
    unsigned seg = m->seg_count_x2 / 2u, i = 0;
    bool walk = m->format != 0 && seg > 0;
    for (unsigned c = 1; c < 0xFFFF; c++) {
        unsigned gid;
        if (walk)
            while (i < seg && m->end_count[i] < c)
                i++;
        if (!walk || i == seg) {
            gid = HPDF_TTFontDef_GetGlyphid(def, (HPDF_UINT16)c);
        } else if (m->start_count[i] > c) {
            gid = 0;
        } else if (m->id_range_offset[i] == 0) {
            gid = (HPDF_UINT16)(c + (unsigned)(int)m->id_delta[i]);
        } else {
            HPDF_UINT idx = m->id_range_offset[i] / 2u + (c - m->start_count[i]) - (seg - i);
            gid = idx < m->glyph_id_array_count
                      ? (HPDF_UINT16)(m->glyph_id_array[idx] + (unsigned)(int)m->id_delta[i])
                      : HPDF_TTFontDef_GetGlyphid(def, (HPDF_UINT16)c);
        }
        if (gid)
            bits[c >> 3] |= (uint8_t)(1u << (c & 7));
    }
}

/* Tests (pdf-private.h): whether pdf_cover_codes gives, for the TrueType
 * font `file`, the codes libharu's HPDF_TTFontDef_GetGlyphid gives a glyph:
 * 1 the same, 0 not, -1 the font cannot be loaded. */
int pdf_cover_check(const char *file)
{
    HPDF_Doc doc = HPDF_New(NULL, NULL);
    if (!doc)
        return -1;
    const char *name = HPDF_LoadTTFontFromFile(doc, file, HPDF_TRUE);
    HPDF_FontDef def = name ? HPDF_GetFontDef(doc, name) : NULL;
    int same = -1;
    uint8_t *mine = calloc(1, 8192), *theirs = calloc(1, 8192);
    if (def && mine && theirs && def->type == HPDF_FONTDEF_TYPE_TRUETYPE) {
        pdf_cover_codes(def, mine);
        for (unsigned c = 1; c < 0xFFFF; c++)
            if (HPDF_TTFontDef_GetGlyphid(def, (HPDF_UINT16)c) != 0)
                theirs[c >> 3] |= (uint8_t)(1u << (c & 7));
        same = memcmp(mine, theirs, 8192) == 0;
    }
    free(mine);
    free(theirs);
    HPDF_Free(doc);
    return same;
}

static HPDF_Font pdf_get_font_whole(folio_pdf_writer *w, const char *name, const char *file)
{
    pthread_mutex_lock(&pdf_cover_lock);
    int k = 0;
    while (k < pdf_cover_n && strcmp(pdf_covers[k].file, file) != 0)
        k++;
    if (k == pdf_cover_n && k < PDF_COVER_FONTS) {
        HPDF_FontDef def = HPDF_GetFontDef(w->doc, name);
        char *f = strdup(file);
        uint8_t *bits = calloc(1, 8192);
        if (def && f && bits && def->type == HPDF_FONTDEF_TYPE_TRUETYPE &&
            HPDF_TTFontDef_GetGlyphid(def, 0) == 0) {
            pdf_cover_codes(def, bits);   /* r-page: test_pdf's test_cover_codes */
            bits[0xFFFF >> 3] |= (uint8_t)(1u << (0xFFFF & 7));
        } else {
            free(bits);
            bits = NULL;
        }
        HPDF_ResetError(w->doc);
        if (f) {
            pdf_covers[k] = (pdf_cover){.file = f, .bits = bits};
            pdf_cover_n++;
        } else {
            free(bits);
        }
    }
    const uint8_t *bits = k < pdf_cover_n ? pdf_covers[k].bits : NULL;
    pthread_mutex_unlock(&pdf_cover_lock);
    /* the map is never freed before exit: read it without the lock */
    return bits ? pdf_get_font_mapped(w, name, bits) : HPDF_GetFont(w->doc, name, "UTF-8");
}

/* ---- a libharu document kept between documents ------------------------------ *
 *
 * HPDF_FreeDoc revokes a document but keeps its font definitions: the
 * TrueType files stay read and parsed, and libharu's cleanup of a font
 * definition (descriptor dropped, glyph-used flags back to .notdef only)
 * makes the next document's subset depend on that document alone.  One per
 * thread; a failed document frees it (pdf_reuse_forget) so the next starts
 * from nothing. */

folio_pdf_reuse *pdf_reuse_new(void)
{
    return calloc(1, sizeof(folio_pdf_reuse));
}


static void pdf_reuse_forget(folio_pdf_reuse *r)
{
    r->doc = NULL;
    for (int i = 0; i < r->n; i++)
        free(r->file[i]);
    r->n = 0;
}

void pdf_reuse_free(folio_pdf_reuse *r)
{
    if (!r)
        return;
    if (r->doc)
        HPDF_Free(r->doc);
    pdf_arena_release(&r->arena);
    for (int i = 0; i < r->n; i++)
        free(r->file[i]);
    free(r);
}

/* The name of `file` when the kept document has loaded it, else NULL. */
static const char *pdf_reuse_font(const folio_pdf_reuse *r, const char *file)
{
    for (int i = 0; i < r->n; i++)
        if (!strcmp(r->file[i], file))
            return r->name[i];
    return NULL;
}

/* Set an info string.  ASCII goes through HPDF_SetInfoAttr; anything else
 * (e.g. "Banque Crédit Łódź") as a UTF-16BE text string with a byte order
 * mark, which libharu's SetInfoAttr cannot express (it would write the UTF-8
 * bytes as PDFDocEncoding). */
static void pdf_set_info(folio_pdf_writer *w, HPDF_InfoType type, const char *key,
                         const char *utf8)
{
    size_t n = strlen(utf8);
    bool ascii = true;
    for (size_t i = 0; i < n; i++)
        ascii &= (unsigned char)utf8[i] < 0x80;
    if (n > FOLIO_PDF_INFO_MAX) {       /* the job loader refuses these */
        pdf_fail(w, "document info string longer than 4096 bytes");
        return;
    }
    if (ascii) {
        HPDF_SetInfoAttr(w->doc, type, utf8);
        return;
    }
    size_t bad;
    if (!folio_utf8_valid(utf8, n, &bad)) {
        pdf_fail(w, "document info string is not valid UTF-8");
        return;
    }
    HPDF_SetInfoAttr(w->doc, type, "");   /* creates the info dictionary */
    unsigned char buf[2 + 4 * FOLIO_PDF_INFO_MAX];
    size_t k = 0;
    buf[k++] = 0xFE;
    buf[k++] = 0xFF;
    for (size_t i = 0; i < n;) {
        uint32_t cp;
        i += (size_t)folio_utf8_next(utf8 + i, n - i, &cp);
        if (cp > 0xFFFF) {
            uint32_t v = cp - 0x10000;
            uint32_t hi = 0xD800 | (v >> 10), lo = 0xDC00 | (v & 0x3FF);
            buf[k++] = (unsigned char)(hi >> 8);
            buf[k++] = (unsigned char)hi;
            cp = lo;
        }
        buf[k++] = (unsigned char)(cp >> 8);
        buf[k++] = (unsigned char)cp;
    }
    if (!w->failed && w->doc->info)
        HPDF_Dict_Add(w->doc->info, key, HPDF_Binary_New(w->doc->mmgr, buf, (HPDF_UINT)k));
}

static HPDF_Date pdf_date(folio_date d)
{
    HPDF_Date hd;
    memset(&hd, 0, sizeof hd);
    int y, m, day;
    folio_date_to_ymd(d == FOLIO_DATE_NONE ? 0 : d, &y, &m, &day);
    hd.year = y;
    hd.month = m;
    hd.day = day;
    hd.ind = 'Z';
    return hd;
}

/* Serve font `name`'s TrueType program from memory.  libharu 2.3.0 keeps
 * the font file open as a stdio stream and, for every glyph a document uses
 * for the first time, seeks to it (an lseek system call: fseek drops the
 * stdio buffer) to check for a composite glyph; a subset is saved by more
 * seeks and reads.  A kept document (the archive) marks the standard glyph
 * set again in every document: those seeks were a fifth of an archived
 * document's time.  The file is read once into a memory stream of the same
 * document (freed with the font definition) that replaces the file stream.
 * Bytes and offsets are the file's, so the output is unchanged.  Returns
 * false only when the font cannot be read; the file stream then stays. */
static bool pdf_font_in_memory(HPDF_Doc doc, const char *name, const char *file)
{
    HPDF_FontDef def = HPDF_GetFontDef(doc, name);
    if (!def || def->type != HPDF_FONTDEF_TYPE_TRUETYPE || !def->attr)
        return false;
    HPDF_TTFontDefAttr a = def->attr;
    if (!a->stream || a->stream->type != HPDF_STREAM_FILE)
        return false;
    folio_error oerr = {0};
    FILE *fp = folio_input_fopen(file, NULL, FOLIO_EXIT_FAILED, &oerr);
    if (!fp)
        return false;
    struct stat sb;
    unsigned char *buf = NULL;
    size_t n = 0;
    if (fstat(fileno(fp), &sb) == 0 && sb.st_size > 0 && sb.st_size < (64 << 20) &&
        (buf = malloc((size_t)sb.st_size)) != NULL)
        n = fread(buf, 1, (size_t)sb.st_size, fp);
    fclose(fp);
    if (!buf || n != (size_t)sb.st_size) {
        free(buf);
        return false;
    }
    HPDF_Stream ms = HPDF_MemStream_New(doc->mmgr, (HPDF_UINT)n);
    if (!ms || HPDF_Stream_Write(ms, buf, (HPDF_UINT)n) != HPDF_OK) {
        if (ms)
            HPDF_Stream_Free(ms);
        free(buf);
        HPDF_ResetError(doc);
        return false;
    }
    free(buf);
    HPDF_Stream_Free(a->stream);
    a->stream = ms;
    return true;
}

/* Start a document (pdf_writer_open, pdf_writer_open_pdfa). */
static folio_pdf_writer *pdf_open(const char *path, const folio_layout_font *fonts,
                                  int n_fonts, const folio_pdf_options *opt,
                                  const folio_pdfa_options *pa, folio_error *err)
{
    if (n_fonts < 1 || n_fonts > PDF_MAX_FONTS) {
        folio_error_set(err, FOLIO_EXIT_FAILED, "%s: %d fonts (1 to %d allowed)",
                        path, n_fonts, PDF_MAX_FONTS);
        return NULL;
    }
    folio_pdf_writer *w = calloc(1, sizeof *w);
    if (!w || !(w->path = strdup(path))) {
        free(w);
        folio_error_set(err, FOLIO_EXIT_FAILED, "%s: out of memory", path);
        return NULL;
    }
    const char *backend = getenv("FOLIO_PDF_BACKEND");
    w->direct = !(backend && strcmp(backend, "libharu") == 0);
    w->compress = opt && opt->compression != 0;
    w->zlevel = pdf_level(opt);
    w->n_fonts = n_fonts;
    pdf_alias(fonts, n_fonts, w->alias);
    w->fonts = fonts;
    if (opt)
        w->opt = *opt;
    if (pa) {
        w->pdfa = *pa;
        w->is_pdfa = true;
    }
    /* issue 11: print files and proofs write the common characters with 1
     * byte; archived PDF/A documents (small, ~5% page content) keep 2-byte
     * codes, which need no second font per face */
    w->enc1 = w->direct && !w->is_pdfa;

    folio_pdf_reuse *ru = pa ? pa->reuse : NULL;
    bool arena = ru && pdf_arena_wanted();     /* r-adoc */
    if (ru && ru->doc) {
        w->doc = ru->doc;
        w->reuse = ru;
        if (arena && ru->doc->mmgr->alloc_fn == pdf_arena_alloc)
            pdf_arena_on = &ru->arena;
        w->doc->error.user_data = w;          /* errors go to this writer */
        if (HPDF_NewDoc(w->doc) != HPDF_OK) {
            w->failed = true;
            folio_error_set(err, FOLIO_EXIT_FAILED, "%s: cannot create a PDF document",
                            path);
            pdf_free(w);
            return NULL;
        }
    } else {
        w->doc = arena ? HPDF_NewEx(pdf_on_error, pdf_arena_alloc, pdf_arena_free, 0, w)
                       : HPDF_NewEx(pdf_on_error, NULL, NULL, 0, w);
        if (!w->doc) {
            folio_error_set(err, FOLIO_EXIT_FAILED, "%s: cannot create a PDF document",
                            path);
            pdf_free(w);
            return NULL;
        }
        HPDF_UseUTFEncodings(w->doc);
        if (ru) {
            ru->doc = w->doc;
            ru->n = 0;
            w->reuse = ru;
            pdf_arena_reset(&ru->arena);
            if (arena)
                pdf_arena_on = &ru->arena;
        }
    }
    /* Fonts and CMaps always deflated by libharu; page content by us (direct)
     * or by libharu (libharu back end) when compression is on. */
    HPDF_SetCompressionMode(w->doc, w->compress && !w->direct
                                        ? HPDF_COMP_ALL : HPDF_COMP_METADATA);
    char creator[64];
    snprintf(creator, sizeof creator, "folio %s", FOLIO_VERSION);
    HPDF_SetInfoAttr(w->doc, HPDF_INFO_CREATOR, creator);
    if (opt && opt->title)
        pdf_set_info(w, HPDF_INFO_TITLE, "Title", opt->title);
    if (opt && opt->author)
        pdf_set_info(w, HPDF_INFO_AUTHOR, "Author", opt->author);
    if (opt && opt->subject)
        pdf_set_info(w, HPDF_INFO_SUBJECT, "Subject", opt->subject);
    if (pa && pa->tagged && w->direct) {   /* issue 14 part 2: PDF/A-2a + PDF/UA-1 */
        if (!(w->tag = pdf_tag_new())) {
            folio_error_set(err, FOLIO_EXIT_FAILED, "%s: out of memory", path);
            pdf_free(w);
            return NULL;
        }
    }
    if (pa) {
        w->doc->pdf_version = HPDF_VER_14;   /* PDF/A-2 allows 1.4 too */
        if (pa->keywords)
            pdf_set_info(w, HPDF_INFO_KEYWORDS, "Keywords", pa->keywords);
    }
    if (opt && opt->vt && !pa) {             /* issue 14 part 3 */
        const char *why = NULL;
        if (!(w->vt = pdfvt_begin(w->doc, opt->vt, &why)))
            pdf_fail(w, why);
    }
    HPDF_Date d = pdf_date(opt ? opt->doc_date : 0);
    HPDF_SetInfoDateAttr(w->doc, HPDF_INFO_CREATION_DATE, d);
    HPDF_SetInfoDateAttr(w->doc, HPDF_INFO_MOD_DATE, d);

    for (int i = 0; i < n_fonts && !w->failed; i++) {
        if (!fonts[i].file) {
            pdf_fail(w, "a layout font has no file");
            break;
        }
        int same = -1;
        for (int j = 0; j < i; j++)
            if (strcmp(fonts[j].file, fonts[i].file) == 0)
                same = j;
        if (same >= 0) {   /* one libharu font, one usage map */
            w->hfont[i] = w->hfont[same];
            w->hfont1[i] = w->hfont1[same];
            w->used[i] = w->used[same];
            continue;
        }
        const char *name = w->reuse ? pdf_reuse_font(w->reuse, fonts[i].file) : NULL;
        pdf_arena *keep = pdf_arena_on;       /* r-adoc: what outlives the document */
        pdf_arena_on = NULL;                  /* (font definitions, encoders) is malloc'd */
        if (!name) {
            name = HPDF_LoadTTFontFromFile(w->doc, fonts[i].file, HPDF_TRUE);
            if (name)          /* false: libharu keeps reading the file */
                (void)pdf_font_in_memory(w->doc, name, fonts[i].file);
            /* the whole path: two paths cut to one length could share a font */
            if (name && w->reuse && w->reuse->n < PDF_MAX_FONTS &&
                (w->reuse->file[w->reuse->n] = strdup(fonts[i].file)))
                w->reuse->name[w->reuse->n++] = name;
        }
        /* issue 11 (r-arch4): a PDF/A document's fonts written by folio
         * (pdf-afont.h) when HarfBuzz reads the file; else libharu's */
        HPDF_FontDef adef = name && pa && pa->statement && w->direct
                                ? HPDF_GetFontDef(w->doc, name) : NULL;
        bool afont = adef && adef->type == HPDF_FONTDEF_TYPE_TRUETYPE &&
                     pdfa_font_usable(fonts[i].file);
        if (afont)             /* folio's own font objects: the document's */
            pdf_arena_on = keep;
        if (afont) {
            const char *why = NULL;
            if (pdfa_font_begin(w->doc, adef, &w->afont[i], &why))
                w->hfont[i] = (HPDF_Font)w->afont[i].t0;
            else
                pdf_fail(w, why);
        } else if (name && pa && pa->statement) {
            w->hfont[i] = pdf_get_font_for(w, name, fonts, n_fonts, i, pa->statement);
        }
        else if (name)
            w->hfont[i] = pdf_get_font_whole(w, name, fonts[i].file);
        pdf_arena_on = keep;
        if (!name || !w->hfont[i]) {
            if (!w->failed)
                pdf_fail(w, "cannot load font");
            /* name the font file in the message */
            const char *why = w->err.msg;
            size_t pl = strlen(path);
            if (strncmp(why, path, pl) == 0 && why[pl] == ':')
                why += pl + 2;
            folio_error_set(err, FOLIO_EXIT_USAGE, "%s: font %s: %s", path,
                            fonts[i].file, why);
            pdf_free(w);
            return NULL;
        }
        w->used[i] = calloc(1, 8192);
        if (!w->used[i])
            pdf_fail(w, "out of memory");
        else
            pdf_tounicode_hook(w, i);
        if (w->enc1 && !w->failed)           /* issue 11 */
            pdf_font1_new(w, i);
    }
    /* issue 11 (r-speed): a print file or proof is written as it fills
     * (pdf-stream.h); PDF/A, tagged and PDF/VT documents are saved whole */
    if (!w->failed && w->direct && !w->is_pdfa && !w->tag && !w->vt && !w->reuse) {
        const char *why = NULL;
        if (!(w->ps = pdfs_open(w->doc, path, &why)))
            pdf_fail(w, why);
    }
    if (w->failed) {
        pdf_report(w, err);
        pdf_free(w);
        return NULL;
    }
    return w;
}

/* Start a document written to `path` at close (see pdf.h). */
folio_pdf_writer *pdf_writer_open(const char *path, const folio_layout_font *fonts,
                                  int n_fonts, const folio_pdf_options *opt,
                                  folio_error *err)
{
    return pdf_open(path, fonts, n_fonts, opt, NULL, err);
}

/* Start a PDF/A-1b document (see pdf.h). */
folio_pdf_writer *pdf_writer_open_pdfa(const char *path, const folio_layout_font *fonts,
                                       int n_fonts, const folio_pdf_options *opt,
                                       const folio_pdfa_options *pa, folio_error *err)
{
    return pdf_open(path, fonts, n_fonts, opt, pa, err);
}

/* Append every page of a statement (see pdf.h). */
bool pdf_writer_add_statement(folio_pdf_writer *w, const folio_dl_statement *st,
                              folio_error *err)
{
    if (w->failed) {
        pdf_report(w, err);
        return false;
    }
    if (w->direct) {           /* prepare here, into the writer's own buffers */
        if (!w->prep) {
            w->prep = pdf_prep_take(w->n_fonts);   /* the pool the ring uses too */
            if (!w->prep) {
                pdf_fail(w, "out of memory");
                pdf_report(w, err);
                return false;
            }
            w->prep->level = w->zlevel;
            w->prep->enc1 = w->enc1;
            memcpy(w->prep->alias, w->alias, sizeof w->alias);
        }
        const char *tag_why = NULL;         /* issue 14 part 2 */
        if (w->tag && !pdf_tag_statement(w->tag, st, &tag_why)) {
            pdf_fail(w, tag_why);
            pdf_report(w, err);
            return false;
        }
        w->prep->tag = w->tag;
        pdf_prep_fill(w->prep, st);
        w->prep->tag = NULL;
        uint32_t first = w->pages;
        if (!pdf_emit(w, w->prep, err))
            return false;
        /* issue 13 part 4: links only in the archive's PDF/A documents */
        const char *why = NULL;
        if (w->is_pdfa && st->n_links && !pdf_links_write(w->doc, first, st, &why)) {
            pdf_fail(w, why);
            pdf_report(w, err);
            return false;
        }
        return true;
    }
    if (st->page_w <= 0 || st->page_h <= 0 || st->page_w > 14400 * 20 ||
        st->page_h > 14400 * 20) {
        pdf_fail(w, "statement has an invalid page size");
        folio_error_set(err, FOLIO_EXIT_FAILED, "%s (statement %s)", w->err.msg,
                        st->id ? st->id : "?");
        return false;
    }
    for (uint32_t pi = 0; pi < st->n_pages; pi++) {
        const folio_dl_page *pg = &st->pages[pi];
        HPDF_Page page = HPDF_AddPage(w->doc);
        if (!page)
            break;
        HPDF_Page_SetWidth(page, pdf_pt(st->page_w));
        HPDF_Page_SetHeight(page, pdf_pt(st->page_h));
        pdf_state gs = { .font = -1, .size = -1, .fill = 0xFFFFFFFFu,
                         .stroke = 0xFFFFFFFFu, .line_w = -1 };
        uint32_t n_ops = pg->blank_back ? 0 : pg->n_ops;
        bool ok = true;
        for (uint32_t oi = 0; oi < n_ops && ok; oi++)
            ok = pdf_hpdf_op(w, page, &gs, &pg->ops[oi], st->page_h);
        if (ok && gs.in_text)
            HPDF_Page_EndText(page);
        if (w->failed)
            break;
        w->pages++;
    }
    if (w->failed) {
        pdf_report(w, err);
        return false;
    }
    return true;
}

/* Append a prepared statement (see pdf.h). */
bool pdf_writer_add_prepared(folio_pdf_writer *w, folio_pdf_prepared *pp, folio_error *err)
{
    if (w->failed) {
        pdf_report(w, err);
        return false;
    }
    if (!w->direct) {
        pdf_fail(w, "prepared statements need the direct back end");
        pdf_report(w, err);
        return false;
    }
    return pdf_emit(w, pp, err);
}

/* Pages appended so far. */
uint32_t pdf_writer_pages(const folio_pdf_writer *w)
{
    return w->pages;
}

/* issue 14 part 3: a PDF/VT print file's piece (DPart) after its pages
 * first.. were added (see pdf.h), and its document-level objects before
 * the save (pdf-vt.c). */
bool pdf_writer_piece(folio_pdf_writer *w, const folio_dl_statement *st, uint32_t first,
                      folio_error *err)
{
    const char *why = NULL;
    if (w->failed) {
        pdf_report(w, err);
        return false;
    }
    if (!w->vt)
        return true;
    if (!pdfvt_piece(w->vt, w->doc, st, first, w->pages, &why)) {
        pdf_fail(w, why);
        pdf_report(w, err);
        return false;
    }
    return true;
}

static void pdf_vt_finish(folio_pdf_writer *w)
{
    if (!w->vt || w->failed)
        return;
    const char *base = strrchr(w->path, '/');
    char name[256];
    snprintf(name, sizeof name, "%s", base ? base + 1 : w->path);
    size_t n = strlen(name);
    if (n > 5 && !strcmp(name + n - 5, ".part"))
        name[n - 5] = 0;
    const char *why = NULL;
    if (!pdfvt_finish(w->vt, w->doc, name, &why))
        pdf_fail(w, why);
}

/* issue 11 (r-speed): the rest of a document written as it filled. */
static bool pdf_close_streamed(folio_pdf_writer *w, uint64_t *bytes, char *sha256,
                               folio_error *err)
{
    if (!w->failed)
        pdf_fonts_deflate(w);
    uint64_t n = 0;
    char hex[65] = "";
    const char *why = NULL;
    if (!w->failed && !pdfs_finish(w->ps, &n, hex, &why))
        pdf_fail(w, why);
    bool ok = !w->failed;
    if (ok && bytes)
        *bytes = n;
    if (ok && sha256)
        memcpy(sha256, hex, sizeof hex);
    if (!ok)
        pdf_report(w, err);
    pdf_free(w);
    return ok;
}

/* Write the file and free the writer (see pdf.h). */
bool pdf_writer_close(folio_pdf_writer *w, uint64_t *bytes, folio_error *err)
{
    return pdf_writer_close_sha(w, bytes, NULL, err);
}

/* The largest file libharu saves whole with offsets it can write: 2^32 - 1.
 * Test hook (tests/e2e/harden27.sh): FOLIO_TEST_PDF_WHOLE_LIMIT=N lowers it,
 * so the refusal is tested without writing 4 GiB. */
static uint64_t pdf_whole_limit(void)
{
    const char *t = getenv("FOLIO_TEST_PDF_WHOLE_LIMIT");
    if (t && *t)
        return strtoull(t, NULL, 10);
    return UINT32_MAX;
}

/* The same, with the file's SHA-256 when it was computed as written. */
bool pdf_writer_close_sha(folio_pdf_writer *w, uint64_t *bytes, char sha256[65],
                          folio_error *err)
{
    if (bytes)
        *bytes = 0;
    if (sha256)
        sha256[0] = '\0';
    if (w->ps)                                /* issue 11 (r-speed) */
        return pdf_close_streamed(w, bytes, sha256, err);
    if (w->tag) {        /* issue 14 part 2: the tree is appended to the saved bytes */
        folio_buf m;
        folio_buf_init(&m, (size_t)1 << 31);
        char *path = strdup(w->path);
        if (!path) {
            pdf_writer_abort(w);
            folio_error_set(err, FOLIO_EXIT_FAILED, "out of memory");
            return false;
        }
        bool ok = pdf_writer_close_mem(w, &m, err);
        FILE *fp = ok ? fopen(path, "wb") : NULL;
        ok = fp && fwrite(m.data, 1, m.len, fp) == m.len;
        if (fp && fclose(fp) != 0)
            ok = false;
        if (!ok && fp)
            folio_error_set(err, FOLIO_EXIT_FAILED, "%s: cannot write the file", path);
        if (ok && bytes)
            *bytes = m.len;
        free(path);
        folio_buf_free(&m);
        return ok;
    }
    if (!w->failed && w->is_pdfa)
        pdf_pdfa_finish(w);
    pdf_vt_finish(w);                         /* issue 14 part 3 */
    errno = 0;
    if (!w->failed)
        pdf_fonts_deflate(w);
    if (!w->failed)
        HPDF_SaveToFile(w->doc, w->path);
    int saved = errno;        /* libharu ignores fclose: a lost last flush */
    bool ok = !w->failed;
    if (ok) {
        struct stat sb;
        char tail[8] = "";
        FILE *fp = fopen(w->path, "rb");
        bool whole = fp && fseek(fp, -6, SEEK_END) == 0 && fread(tail, 1, 6, fp) == 6 &&
                     memmem(tail, 6, "%%EOF", 5);
        if (fp)
            fclose(fp);
        if (stat(w->path, &sb) != 0) {
            pdf_fail(w, "written file is missing");
            ok = false;
        } else if (!whole) {
            char why[160];
            snprintf(why, sizeof why, "cannot write the file: %s (it ends before %%%%EOF)",
                     strerror(saved ? saved : EIO));
            pdf_fail(w, why);
            ok = false;
        } else if ((uint64_t)sb.st_size > pdf_whole_limit()) {
            /* round 27 (issue 12): libharu's offsets are 32-bit; past 4 GiB
               its xref would point into the wrong bytes */
            pdf_fail(w, "a PDF saved whole (PDF/VT, reused or proof file) cannot pass 4 GiB "
                        "(4,294,967,295 bytes: libharu's offsets are 32-bit): lower "
                        "output.print.max_sheets to split the print files");
            ok = false;
        } else if (bytes) {
            *bytes = (uint64_t)sb.st_size;
        }
    }
    if (!ok)
        pdf_report(w, err);
    pdf_free(w);
    return ok;
}

/* Write the document into a buffer and free the writer (see pdf.h). */
/* tests: FOLIO_TEST_ADOC_SAVE=1 saves tagged documents through libharu and
 * rewrites the bytes (the way before r-adoc), to compare the two */
static bool pdf_adoc_save(void)
{
    const char *e = getenv("FOLIO_TEST_ADOC_SAVE");
    return e && e[0] == '1';
}

bool pdf_writer_close_mem(folio_pdf_writer *w, folio_buf *out, folio_error *err)
{
    size_t start = out->len;         /* issue 14 part 2: where the document begins */
    if (w->ps) {                     /* issue 11 (r-speed): a file writer */
        pdf_fail(w, "internal error: a document written to its file kept in memory");
        pdf_report(w, err);
        pdf_free(w);
        return false;
    }
    if (!w->failed && w->is_pdfa)
        pdf_pdfa_finish(w);
    pdf_vt_finish(w);                         /* issue 14 part 3 */
    if (!w->failed)
        pdf_fonts_deflate(w);
    /* r-adoc (issue 11): a tagged document is written from its objects
     * straight into the compact form (pdf-compact.h), not saved by libharu
     * and read back; FOLIO_TEST_ADOC_SAVE=1 keeps the old way (tests) */
    if (!w->failed && w->tag && !pdf_adoc_save()) {
        const char *why = NULL;
        pdf_cdoc *cd = pdf_cdoc_write(w->doc, &why);
        if (!cd)
            pdf_fail(w, why);
        else if (!pdf_tag_append(w->tag, out, start, w->zlevel, cd, &why))
            pdf_fail(w, why);
        pdf_cdoc_free(cd);
        bool ok = !w->failed;
        if (!ok)
            pdf_report(w, err);
        pdf_free(w);
        return ok;
    }
    if (!w->failed)
        HPDF_SaveToStream(w->doc);
    if (!w->failed) {
        /* libharu's memory stream is a list of small blocks: copy it out in
         * chunks; HPDF_ReadFromStream says HPDF_STREAM_EOF on the last one */
        uint64_t want = HPDF_GetStreamSize(w->doc), got = 0;
        unsigned char chunk[16384];
        w->reading = true;
        while (got < want) {
            HPDF_UINT32 n = sizeof chunk;
            HPDF_STATUS st = HPDF_ReadFromStream(w->doc, chunk, &n);
            if (st != HPDF_OK && st != HPDF_STREAM_EOF) {
                pdf_fail(w, "cannot read the document back from memory");
                break;
            }
            if (n && !folio_buf_append(out, chunk, n)) {
                pdf_fail(w, "out of memory");
                break;
            }
            got += n;
            if (st == HPDF_STREAM_EOF || n == 0)
                break;
        }
        w->reading = false;
        HPDF_ResetError(w->doc);
        if (!w->failed && got != want)
            pdf_fail(w, "short read of the document from memory");
        const char *tag_why = NULL;          /* issue 14 part 2: the structure tree */
        if (!w->failed && w->tag &&
            !pdf_tag_append(w->tag, out, start, w->zlevel, NULL, &tag_why))
            pdf_fail(w, tag_why);
    }
    bool ok = !w->failed;
    if (!ok)
        pdf_report(w, err);
    pdf_free(w);
    return ok;
}

/* Free without writing anything. */
void pdf_writer_abort(folio_pdf_writer *w)
{
    pdf_free(w);
}
