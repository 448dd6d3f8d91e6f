/* SPDX-License-Identifier: Apache-2.0 */
/*
 * test_pdftag.c -- issue 14 part 2: the display list's structure nodes
 * (dlist.h) and the tagged PDF the archive writer makes of them
 * (src/pdf-tag.c): which ops are in which node, the marked-content operators
 * in front of them, the order of a page's content, and a whole tagged
 * PDF/A-2a document (structure tree, ParentTree, catalog, XMP) checked with
 * qpdf.  Needs fonts/ (make fonts) and /usr/share/color/icc/sRGB.icc.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "folio/dlist.h"
#include "folio/pdf.h"
#include "pdf-tag.h"
#include "pdf-compact.h"
#include "pdf-private.h"

#include <zlib.h>

static char font_reg[4096], font_bold[4096];

static int setup(void **state)
{
    (void)state;
    const char *root = getenv("FOLIO_ROOT");
    snprintf(font_reg, sizeof font_reg, "%s/fonts/LiberationSans-Regular.ttf", root ? root : ".");
    snprintf(font_bold, sizeof font_bold, "%s/fonts/LiberationSans-Bold.ttf", root ? root : ".");
    return 0;
}

/* A statement: H1, a table (header row + one row, a stripe), a figure with
 * alternate text, a running footer (no node) -- like compose makes it. */
static folio_dl_statement *sample(folio_arena *a)
{
    folio_dl_statement *st = dlist_statement_new(a, "H1", 12240, 15840);
    assert_non_null(st);
    st->lang = "es";
    folio_dl_page *pg = dlist_page_add(st);
    uint32_t h1 = dlist_struct_open(st, FOLIO_SR_H1);
    assert_int_equal(h1, 1);
    assert_true(dlist_page_add_text(st, pg, 1, 280, 1440, 1440, 0, "Resumen", 7, false));
    dlist_struct_close(st);
    uint32_t tab = dlist_struct_open(st, FOLIO_SR_TABLE);
    dlist_struct_open(st, FOLIO_SR_TR);
    uint32_t th = dlist_struct_open(st, FOLIO_SR_TH);
    dlist_struct_scope(st, th, FOLIO_SCOPE_COLUMN);
    assert_true(dlist_page_add_text(st, pg, 1, 180, 1440, 2000, 0, "Fecha", 5, false));
    dlist_struct_close(st);
    dlist_struct_close(st);
    dlist_struct_open(st, FOLIO_SR_TR);
    assert_true(dlist_page_add_box(st, pg, 1440, 2100, 5000, 300, 0xEEEEEE, 0, 0));
    dlist_struct_open(st, FOLIO_SR_TD);
    assert_true(dlist_page_add_text(st, pg, 0, 180, 1440, 2300, 0, "01/10", 5, false));
    dlist_struct_close(st);
    dlist_struct_close(st);
    dlist_struct_artifact(st, true);          /* a "continued" mark */
    assert_int_equal(dlist_struct_open(st, FOLIO_SR_P), 0);
    assert_true(dlist_page_add_text(st, pg, 0, 180, 1440, 2600, 0, "sigue", 5, false));
    dlist_struct_close(st);                   /* a no-op in artifact mode */
    dlist_struct_artifact(st, false);
    dlist_struct_artifact(st, false);         /* off when off: nothing */
    dlist_struct_close(st);                   /* the table */
    assert_int_equal(st->sn_cur, 0);
    uint32_t fig = dlist_struct_open(st, FOLIO_SR_FIGURE);
    const char *alt = "Gr\xc3\xa1" "fico de saldo";
    assert_true(dlist_struct_alt(st, fig, alt, strlen(alt)));
    folio_dl_seg seg[2] = {{FOLIO_SEG_MOVE, 1440, 4000, 0, 0, 0, 0},
                           {FOLIO_SEG_LINE, 4000, 4000, 0, 0, 0, 0}};
    assert_true(dlist_page_add_path(st, pg, seg, 2, FOLIO_PATH_STROKE, 0, 20, 0));
    assert_true(dlist_page_add_text(st, pg, 0, 160, 1440, 4200, 0, "100", 3, false));
    dlist_struct_close(st);
    /* drawn after the body into a node reserved before it: the footer (no
       node: an artifact) */
    uint32_t was = dlist_struct_enter(st, 0);
    assert_true(dlist_page_add_text(st, pg, 0, 160, 1440, 15000, 0, "P\xc3\xa1gina 1", 9, false));
    assert_true(dlist_page_add_rule(st, pg, 1440, 14900, 10000, 14900, 10, 0));
    dlist_struct_enter(st, was);
    (void)tab;
    return st;
}

static void test_nodes(void **state)
{
    (void)state;
    folio_arena a;
    folio_arena_init(&a, 1 << 16);
    folio_dl_statement *st = sample(&a);
    const folio_dl_page *pg = &st->pages[0];
    /* ops carry the node open when they were added */
    assert_int_equal(pg->ops[0].sn, 1);                       /* H1 */
    assert_int_equal(st->snodes[pg->ops[1].sn].role, FOLIO_SR_TH);
    assert_int_equal(st->snodes[pg->ops[1].sn].scope, FOLIO_SCOPE_COLUMN);
    assert_int_equal(st->snodes[pg->ops[2].sn].role, FOLIO_SR_TR);   /* the stripe */
    assert_int_equal(st->snodes[pg->ops[3].sn].role, FOLIO_SR_TD);
    assert_int_equal(pg->ops[4].sn, 0);                       /* artifact mode */
    assert_int_equal(st->snodes[pg->ops[5].sn].role, FOLIO_SR_FIGURE);
    assert_string_equal(st->snodes[pg->ops[5].sn].alt, "Gr\xc3\xa1" "fico de saldo");
    assert_int_equal(pg->ops[7].sn, 0);                       /* the footer */
    /* parents: TD -> TR -> Table -> Document */
    const folio_dl_snode *td = &st->snodes[pg->ops[3].sn];
    assert_int_equal(st->snodes[td->parent].role, FOLIO_SR_TR);
    assert_int_equal(st->snodes[st->snodes[td->parent].parent].role, FOLIO_SR_TABLE);
    assert_int_equal(st->snodes[st->snodes[td->parent].parent].parent, 0);
    /* a link under the TD */
    assert_true(dlist_statement_add_link(st, 0, 0, 0, 10, 10, "https://x.example", 17));
    assert_true(dlist_struct_link(st, pg->ops[3].sn, 0));
    assert_int_equal(st->snodes[st->n_snodes - 1].role, FOLIO_SR_LINK);
    assert_int_equal(st->snodes[st->n_snodes - 1].link, 0);
    folio_arena_free(&a);
}

/* The operators in front of each op: a sequence per element, artifacts for
 * the stripe, the mark, the footer and the rule; MCIDs from 0 per page. */
static void test_marked_content(void **state)
{
    (void)state;
    folio_arena a;
    folio_arena_init(&a, 1 << 16);
    folio_dl_statement *st = sample(&a);
    pdf_tag *t = pdf_tag_new();
    const char *why = NULL;
    assert_true(pdf_tag_statement(t, st, &why));
    assert_false(pdf_tag_statement(t, st, &why));            /* one statement */
    assert_string_equal(why, "a tagged document holds one statement");
    const char *want[] = {
        "/H1<</MCID 0>>BDC\n", "EMC\n/TH<</MCID 1>>BDC\n", "EMC\n/Artifact BMC\n",
        "EMC\n/TD<</MCID 2>>BDC\n", "EMC\n/Artifact BMC\n",
        "EMC\n/Figure<</MCID 3>>BDC\n", "", "EMC\n/Artifact BMC\n", "",
    };
    const folio_dl_page *pg = &st->pages[0];
    assert_int_equal(pg->n_ops, 9);
    assert_null(pdf_tag_order(t, pg));                        /* already in order */
    char out[PDF_TAG_OPS_MAX + 1];
    for (uint32_t i = 0; i < pg->n_ops; i++) {
        size_t n = pdf_tag_op(t, 0, &pg->ops[i], out);
        out[n] = 0;
        assert_string_equal(out, want[i]);
    }
    size_t n = pdf_tag_page_end(t, out);
    out[n] = 0;
    assert_string_equal(out, "EMC\n");
    /* the next page starts at MCID 0 again */
    n = pdf_tag_op(t, 1, &pg->ops[0], out);
    out[n] = 0;
    assert_string_equal(out, "/H1<</MCID 0>>BDC\n");
    pdf_tag_free(t);
    folio_arena_free(&a);
}

/* Content drawn after the body into a node reserved before it is written
 * first: the content stream reads in the structure's order. */
static void test_order(void **state)
{
    (void)state;
    folio_arena a;
    folio_arena_init(&a, 1 << 16);
    folio_dl_statement *st = dlist_statement_new(&a, "H2", 12240, 15840);
    folio_dl_page *pg = dlist_page_add(st);
    uint32_t front = dlist_struct_open(st, FOLIO_SR_SECT);
    dlist_struct_close(st);
    dlist_struct_open(st, FOLIO_SR_P);
    assert_true(dlist_page_add_text(st, pg, 0, 180, 1440, 3000, 0, "body", 4, false));
    dlist_struct_close(st);
    assert_true(dlist_page_add_text(st, pg, 0, 180, 1440, 15000, 0, "footer", 6, false));
    uint32_t was = dlist_struct_enter(st, front);
    dlist_struct_open(st, FOLIO_SR_P);
    assert_true(dlist_page_add_text(st, pg, 0, 180, 8000, 1000, 0, "date", 4, false));
    dlist_struct_close(st);
    dlist_struct_enter(st, was);
    pdf_tag *t = pdf_tag_new();
    const char *why;
    assert_true(pdf_tag_statement(t, st, &why));
    const uint32_t *o = pdf_tag_order(t, pg);
    assert_non_null(o);
    /* front (date) first; the footer artifact stays after the op before it */
    assert_int_equal(o[0], 2);
    assert_int_equal(o[1], 0);
    assert_int_equal(o[2], 1);
    pdf_tag_free(t);
    folio_arena_free(&a);
}

static size_t got;                 /* bytes run() read (the output holds NULs) */

static int run(const char *cmd, char *out, size_t cap)
{
    FILE *p = popen(cmd, "r");
    assert_non_null(p);
    got = fread(out, 1, cap - 1, p);
    out[got] = 0;
    return pclose(p);
}

static const void *has(const char *res, const char *s)
{
    return memmem(res, got, s, strlen(s));
}

/* A whole tagged document: qpdf finds it clean and its objects hold the
 * structure tree, ParentTree, StructParents, catalog entries and XMP; the
 * same statement untagged is PDF/A-1b without any of them. */
static void test_document(void **state)
{
    (void)state;
    folio_arena a;
    folio_arena_init(&a, 1 << 16);
    folio_dl_statement *st = sample(&a);
    FILE *fp = fopen("/usr/share/color/icc/sRGB.icc", "rb");
    assert_non_null(fp);
    static unsigned char icc[65536];
    size_t icc_len = fread(icc, 1, sizeof icc, fp);
    fclose(fp);
    folio_layout_font fonts[2] = {{.name = "regular", .file = font_reg},
                                  {.name = "bold", .file = font_bold}};
    folio_pdf_options po = {.title = "Banco statement 2026-10", .author = "Banco",
                            .compression = 0};
    assert_true(folio_date_from_ymd(2026, 11, 1, &po.doc_date));
    static char res[1 << 22];
    for (int tagged = 1; tagged >= 0; tagged--) {
        folio_pdfa_options pa = {.identifier = "statements-H1", .icc = icc, .icc_len = icc_len,
                                 .statement = st, .tagged = tagged, .lang = st->lang};
        folio_error err = {0};
        folio_pdf_writer *w = pdf_writer_open_pdfa("H1.pdf", fonts, 2, &po, &pa, &err);
        assert_non_null(w);
        assert_true(pdf_writer_add_statement(w, st, &err));
        folio_buf out;
        folio_buf_init(&out, 1 << 26);
        assert_true(pdf_writer_close_mem(w, &out, &err));
        char path[] = "/tmp/folio-pdftag-XXXXXX";
        int fd = mkstemp(path);
        assert_true(fd >= 0);
        assert_int_equal(write(fd, out.data, out.len), (ssize_t)out.len);
        close(fd);
        char cmd[512];
        snprintf(cmd, sizeof cmd, "qpdf --check '%s' >/dev/null 2>&1 && "
                 "qpdf --qdf --object-streams=disable --decode-level=none '%s' - 2>/dev/null", path, path);
        assert_int_equal(run(cmd, res, sizeof res), 0);
        if (tagged) {
            assert_non_null(has(res, "/StructTreeRoot"));
            assert_non_null(has(res, "/MarkInfo <<\n    /Marked true\n  >>"));
            assert_non_null(has(res, "/Lang (es)"));
            assert_non_null(has(res, "/DisplayDocTitle true"));
            assert_non_null(has(res, "/S /Document"));
            assert_non_null(has(res, "/S /TH"));
            assert_non_null(has(res, "/Scope /Column"));
            assert_non_null(has(res, "/S /Figure"));
            assert_non_null(has(res, "/Alt <feff0047007200e10066"));   /* UTF-16BE "Gráf" */
            assert_non_null(has(res, "/StructParents 0"));
            assert_non_null(has(res, "/ParentTree"));
            assert_non_null(has(res, "/Artifact BMC"));
            assert_non_null(has(res, "/TD<</MCID 2>>BDC"));
            assert_non_null(has(res, "<pdfaid:part>2</pdfaid:part>"));
            assert_non_null(has(res, "<pdfaid:conformance>A</pdfaid:conformance>"));
            assert_non_null(has(res, "<pdfuaid:part>1</pdfuaid:part>"));
            assert_null(has(res, "/S /P\n"));       /* the artifact-mode P: no element */
        } else {
            assert_null(has(res, "/StructTreeRoot"));
            assert_null(has(res, "/MarkInfo"));
            assert_null(has(res, "BDC"));
            assert_non_null(has(res, "<pdfaid:conformance>B</pdfaid:conformance>"));
        }
        unlink(path);
        folio_buf_free(&out);
    }
    folio_arena_free(&a);
}

/* r-tag4 (round 24): pdf_put_dec's short-number paths write the digits
 * printf writes, at every length boundary and beyond. */
static void test_put_dec(void **state)
{
    (void)state;
    char a[32], b[32];
    static const uint64_t big[] = {99999, 100000, 123456789, 4294967295u, 4294967296u,
                                   18446744073709551615u};
    for (uint64_t v = 0; v < 120000 + 6; v++) {
        uint64_t x = v < 120000 ? v : big[v - 120000];
        char *e = pdf_put_dec(a, x);
        *e = 0;
        snprintf(b, sizeof b, "%llu", (unsigned long long)x);
        assert_string_equal(a, b);
    }
}

/* r-tag5 (round 25): the object stream's header Huffman-coded on its own,
 * the rest by libdeflate, decodes (with zlib, an independent inflater) to
 * the same bytes, for headers of every shape; a header with another byte is
 * left to pdf_deflate (0). */
static void test_zsplit(void **state)
{
    (void)state;
    static unsigned char in[300000], out[400000], back[300000];
    static const char *const heads[] = {"7", "1 0\n", "0000000000", "12 0 13 41 14 77 15 130\n",
                                        NULL};
    for (int c = 0; c < 6; c++) {
        size_t h;
        if (heads[c < 4 ? c : 0] && c < 4) {
            h = strlen(heads[c]);
            memcpy(in, heads[c], h);
        } else {                            /* ~1,000 or ~20,000 objects */
            char *w = (char *)in;
            unsigned n = c == 4 ? 1000 : 20000, off = 0;
            for (unsigned k = 0; k < n; k++, off += 30 + k % 17)
                w += sprintf(w, "%s%u %u", k ? " " : "", 45 + k, off);
            *w++ = '\n';
            h = (size_t)(w - (char *)in);
        }
        size_t n = h;
        for (unsigned k = 0; n < h + 50000; k++)
            n += (size_t)sprintf((char *)in + n, "<</S/TD/P %u 0 R/Pg 12 0 R/K %u>>", 400 + k / 4, k);
        size_t zn = pdf_deflate_split(1, in, h, n, out, sizeof out);
        assert_true(zn > 0);
        uLongf bn = sizeof back;
        assert_int_equal(uncompress(back, &bn, out, zn), Z_OK);
        assert_int_equal(bn, n);
        assert_memory_equal(back, in, n);
        if (c == 4) {                       /* no larger than one libdeflate stream */
            size_t zd = pdf_deflate(1, in, n, back, sizeof back);
            assert_true(zd > 0);
            assert_true(zn <= zd + 64);
        }
    }
    size_t small = pdf_deflate_split(1, in, 20, 60, out, 40);   /* out too small */
    assert_int_equal(small, 0);
    memcpy(in, "1 0 2 x\n<<>>", 12);
    assert_int_equal(pdf_deflate_split(1, in, 8, 12, out, sizeof out), 0);
    assert_int_equal(pdf_deflate_split(1, in, 0, 12, out, sizeof out), 0);
}

/* r-tag6 (round 26): the cross-reference stream's coder (the row above as
 * the only match, fixed Huffman codes) decodes with zlib to the same bytes:
 * an xref stream's shape (runs of equal rows broken by other rows), random
 * bytes (all literals, every literal code length), rows of 1 and 256 bytes,
 * matches longer than 258, nothing at all; too small an out or a row length
 * out of range gives 0 (the caller deflates). */
static void test_deflate_rows(void **state)
{
    (void)state;
    static unsigned char in[70000], out[90000], back[70000];
    unsigned seed = 7;
    for (int c = 0; c < 6; c++) {
        size_t row = c == 0 ? 6 : c == 1 ? 5 : c == 2 ? 1 : c == 3 ? 256 : c == 4 ? 9 : 6;
        size_t n = c == 5 ? 0 : 60000;
        for (size_t i = 0; i < n; i++) {
            seed = seed * 1103515245u + 12345u;
            if (c == 1)                     /* random: literals only */
                in[i] = (unsigned char)(seed >> 16);
            else if ((i / row) % 37 == 5)   /* now and then another row */
                in[i] = (unsigned char)(seed >> 16);
            else
                in[i] = (unsigned char)(i % row == row - 1 ? 1 : i % row == 0 ? 2 : 0);
        }
        size_t zn = pdf_deflate_rows(in, n, row, out, sizeof out);
        assert_true(zn > 0);
        uLongf bn = sizeof back;
        assert_int_equal(uncompress(back, &bn, out, zn), Z_OK);
        assert_int_equal(bn, n);
        assert_memory_equal(back, in, n);
        if (c == 0)                         /* runs of rows: a few bytes a run */
            assert_true(zn < n / 8);
    }
    assert_int_equal(pdf_deflate_rows(in, 60000, 6, out, 100), 0);
    assert_int_equal(pdf_deflate_rows(in, 100, 0, out, sizeof out), 0);
    assert_int_equal(pdf_deflate_rows(in, 100, 257, out, sizeof out), 0);
}

/* r-tag5: a Figure's /Alt of 2,000 non-ASCII characters (written as UTF-16BE
 * hex, ~8,000 bytes, cut there) fits the element writer's buffer: the tagged
 * document passes qpdf --check and carries it. */
static void test_long_alt(void **state)
{
    (void)state;
    folio_arena a;
    folio_arena_init(&a, 1 << 16);
    folio_dl_statement *st = sample(&a);
    static char alt[2500 * 2 + 1];
    for (int i = 0; i < 2500; i++)
        memcpy(alt + 2 * i, "\xc3\xa9", 2);           /* e acute */
    uint32_t fig = 0;
    for (uint32_t i = 1; i < st->n_snodes; i++)
        if (st->snodes[i].role == FOLIO_SR_FIGURE)
            fig = i;
    assert_true(fig > 0);
    st->snodes[fig].alt = alt;
    folio_layout_font fonts[2] = {{.name = "regular", .file = font_reg},
                                  {.name = "bold", .file = font_bold}};
    folio_pdf_options po = {.title = "Banco", .author = "Banco", .compression = 1};
    assert_true(folio_date_from_ymd(2026, 11, 1, &po.doc_date));
    FILE *fp = fopen("/usr/share/color/icc/sRGB.icc", "rb");
    assert_non_null(fp);
    static unsigned char icc[65536];
    size_t icc_len = fread(icc, 1, sizeof icc, fp);
    fclose(fp);
    folio_pdfa_options pa = {.identifier = "statements-H1", .icc = icc, .icc_len = icc_len,
                             .statement = st, .tagged = 1, .lang = st->lang};
    folio_error err = {0};
    folio_pdf_writer *w = pdf_writer_open_pdfa("H1.pdf", fonts, 2, &po, &pa, &err);
    assert_non_null(w);
    assert_true(pdf_writer_add_statement(w, st, &err));
    folio_buf out;
    folio_buf_init(&out, 1 << 26);
    assert_true(pdf_writer_close_mem(w, &out, &err));
    char path[] = "/tmp/folio-pdftag-XXXXXX";
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    assert_int_equal(write(fd, out.data, out.len), (ssize_t)out.len);
    close(fd);
    static char res[1 << 22];
    char cmd[512];
    snprintf(cmd, sizeof cmd, "qpdf --check '%s' >/dev/null 2>&1 && "
             "qpdf --qdf --object-streams=disable '%s' - 2>/dev/null", path, path);
    assert_int_equal(run(cmd, res, sizeof res), 0);
    assert_non_null(has(res, "/Alt <feff00e900e900e900e9"));
    unlink(path);
    folio_buf_free(&out);
    folio_arena_free(&a);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_nodes),
        cmocka_unit_test(test_put_dec),
        cmocka_unit_test(test_deflate_rows),
        cmocka_unit_test(test_marked_content),
        cmocka_unit_test(test_order),
        cmocka_unit_test(test_document),
        cmocka_unit_test(test_zsplit),
        cmocka_unit_test(test_long_alt),
    };
    return cmocka_run_group_tests(tests, setup, NULL);
}
