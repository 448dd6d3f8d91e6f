/* SPDX-License-Identifier: Apache-2.0 */
/*
 * test_pdfvt.c -- issue 14 part 3: the PDF/VT document parts of a print
 * file written through pdf.h's writer with opt.vt (src/pdf-vt.c).
 *
 * The e2e test (tests/e2e/pdfvt.sh) checks real runs against the pieces
 * files; here: a statement without piece tags is an error, not a DPart
 * without metadata; more pieces than one /DParts array holds go on in a
 * second array; the same statements give the same bytes.
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
#include "pdf-vt.h"

static char font_reg[4096];
static char tmpdir[] = "/tmp/folio-test-pdfvt-XXXXXX";
static folio_layout_font fonts1[1];
static folio_pdfvt_options vt;

static char *read_all(const char *path, size_t *n)
{
    FILE *f = fopen(path, "rb");
    assert_non_null(f);
    fseek(f, 0, SEEK_END);
    long sz = ftell(f);
    fseek(f, 0, SEEK_SET);
    char *buf = malloc((size_t)sz + 1);
    assert_non_null(buf);
    assert_int_equal(fread(buf, 1, (size_t)sz, f), (size_t)sz);
    buf[sz] = 0;
    fclose(f);
    *n = (size_t)sz;
    return buf;
}

static size_t count(const char *b, size_t n, const char *s)
{
    size_t k = 0, l = strlen(s);
    for (const char *p = b; (p = memmem(p, n - (size_t)(p - b), s, l)); p += l)
        k++;
    return k;
}

/* A one-page statement of household HHnnnn, tagged as the print stage
 * tags pieces when `tagged`. */
static folio_dl_statement *piece(folio_arena *a, int i, bool tagged)
{
    char id[32], pid[32];
    snprintf(id, sizeof id, "HH%04d", i);
    snprintf(pid, sizeof pid, "P%07d", i + 1);
    folio_dl_statement *st = dlist_statement_new(a, id, 12240, 15840);
    assert_non_null(st);
    folio_dl_page *pg = dlist_page_add(st);
    assert_non_null(pg);
    assert_true(dlist_page_add_text(st, pg, 0, 200, 1440, 1440, 0, id, strlen(id), true));
    if (tagged)
        assert_true(pdfvt_tag_piece(st, pid, 1, "letters", "000000001", "x.pdf"));
    return st;
}

static char *write_file(const char *name, int n, size_t *len)
{
    char path[512];
    snprintf(path, sizeof path, "%s/%s", tmpdir, name);
    folio_pdf_options o = {.title = "t", .author = "bank", .subject = "s", .doc_date = 20392,
                           .compression = 6, .vt = &vt};
    folio_error err = {0};
    folio_pdf_writer *w = pdf_writer_open(path, fonts1, 1, &o, &err);
    assert_non_null(w);
    for (int i = 0; i < n; i++) {
        folio_arena a;
        folio_arena_init(&a, 1 << 16);
        folio_dl_statement *st = piece(&a, i, true);
        uint32_t first = pdf_writer_pages(w);
        assert_true(pdf_writer_add_statement(w, st, &err));
        assert_true(pdf_writer_piece(w, st, first, &err));
        folio_arena_free(&a);
    }
    assert_true(pdf_writer_close(w, NULL, &err));
    return read_all(path, len);
}

static void test_many_pieces_and_determinism(void **state)
{
    (void)state;
    size_t n1, n2;
    char *a = write_file("same.pdf", 4100, &n1);
    char *b = write_file("same.pdf", 4100, &n2);
    assert_int_equal(n1, n2);
    assert_memory_equal(a, b, n1);
    assert_true(n1 > 9 && !memcmp(a, "%PDF-1.6", 8));
    /* the root and 4,100 leaves; every page points at its leaf */
    assert_int_equal(count(a, n1, "/Type /DPart\n") + count(a, n1, "/Type /DPart\r") +
                         count(a, n1, "/Type /DPart "), 4101);
    assert_int_equal(count(a, n1, "/DPart "), 4100);
    /* /DParts [ [ 4,096 leaves ] [ 4 leaves ] ] */
    const char *d = memmem(a, n1, "/DParts [", 9);
    assert_non_null(d);
    int depth = 0, inner = 0;
    for (const char *p = d + 8; p < a + n1; p++) {
        if (*p == '[' && ++depth == 2)
            inner++;
        else if (*p == ']' && --depth == 0)
            break;
    }
    assert_int_equal(inner, 2);
    assert_int_equal(count(a, n1, "/PieceId (P0004100)"), 1);
    free(a);
    free(b);
}

static void test_untagged_statement_fails(void **state)
{
    (void)state;
    char path[512];
    snprintf(path, sizeof path, "%s/u.pdf", tmpdir);
    folio_pdf_options o = {.title = "t", .compression = 6, .vt = &vt};
    folio_error err = {0};
    folio_pdf_writer *w = pdf_writer_open(path, fonts1, 1, &o, &err);
    assert_non_null(w);
    folio_arena a;
    folio_arena_init(&a, 1 << 16);
    folio_dl_statement *st = piece(&a, 0, false);
    assert_true(pdf_writer_add_statement(w, st, &err));
    assert_false(pdf_writer_piece(w, st, 0, &err));
    assert_non_null(strstr(err.msg, "without its piece id"));
    pdf_writer_abort(w);
    folio_arena_free(&a);
}

/* a plain writer ignores pdf_writer_piece: no DPart, PDF 1.3 */
static void test_plain_unchanged(void **state)
{
    (void)state;
    char path[512];
    snprintf(path, sizeof path, "%s/p.pdf", tmpdir);
    folio_pdf_options o = {.title = "t", .compression = 6};
    folio_error err = {0};
    folio_pdf_writer *w = pdf_writer_open(path, fonts1, 1, &o, &err);
    assert_non_null(w);
    folio_arena a;
    folio_arena_init(&a, 1 << 16);
    folio_dl_statement *st = piece(&a, 0, true);
    assert_true(pdf_writer_add_statement(w, st, &err));
    assert_true(pdf_writer_piece(w, st, 0, &err));
    assert_true(pdf_writer_close(w, NULL, &err));
    folio_arena_free(&a);
    size_t n;
    char *b = read_all(path, &n);
    assert_true(!memcmp(b, "%PDF-1.3", 8));
    assert_int_equal(count(b, n, "DPart"), 0);
    assert_int_equal(count(b, n, "OutputIntent"), 0);
    free(b);
}

static int cleanup(void **state)
{
    (void)state;
    char cmd[256];
    snprintf(cmd, sizeof cmd, "rm -rf %s", tmpdir);
    return system(cmd) == 0 ? 0 : 1;
}

int main(void)
{
    const char *root = getenv("FOLIO_ROOT");
    if (!root || !*root)
        root = ".";
    snprintf(font_reg, sizeof font_reg, "%s/fonts/LiberationSans-Regular.ttf", root);
    fonts1[0] = (folio_layout_font){.name = "regular", .file = font_reg};
    FILE *f = fopen(PDFVT_DEFAULT_ICC, "rb");
    if (!f) {
        printf("skipped: %s missing (Debian icc-profiles-free)\n", PDFVT_DEFAULT_ICC);
        return 0;
    }
    static unsigned char icc[1 << 16];
    vt.icc = icc;
    vt.icc_len = fread(icc, 1, sizeof icc, f);
    fclose(f);
    snprintf(vt.condition, sizeof vt.condition, "sRGB");
    if (!mkdtemp(tmpdir)) {
        perror("mkdtemp");
        return 1;
    }
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_many_pieces_and_determinism),
        cmocka_unit_test(test_untagged_statement_fails),
        cmocka_unit_test(test_plain_unchanged),
    };
    return cmocka_run_group_tests(tests, NULL, cleanup);
}
