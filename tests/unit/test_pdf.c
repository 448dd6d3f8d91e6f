/* SPDX-License-Identifier: Apache-2.0 */
/*
 * test_pdf.c -- display list -> PDF (src/pdf.c), checked with the poppler and
 * qpdf command-line tools: qpdf --check, pdftotext (text and its order),
 * pdffonts (embedded), pdfinfo (pages, size, info).  Also: byte-identical
 * reruns, two writers on two threads, no decimal comma under a French locale
 * (main calls setlocale(LC_ALL, "")), both content back ends, and our
 * ToUnicode CMaps (nothing on the tools' stderr, exact codes and form).
 *
 * Needs fonts/LiberationSans-*.ttf (`make fonts`); FOLIO_ROOT points at the
 * repository (default: the current directory).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <locale.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "folio/dlist.h"
#include "folio/pdf.h"
#include "pdf-enc1.h"   /* issue 11 (r-par): pdf_enc1_ascii_fast */
#include "pdf-private.h"   /* issue 11 (r-page): pdf_cover_check */
#include "pdf-stream.h" /* issue 11 (r-pwrite): pdfs_direct_off */
#include "cli.h"      /* cli_tune_allocator: the CLI's (src/cli-process.c) */

static char font_reg[4096], font_bold[4096];
static char tmpdir[] = "/tmp/folio-test-pdf-XXXXXX";

#define LETTER_W 12240
#define LETTER_H 15840
#define A4_W 11906
#define A4_H 16838

static folio_layout_font fonts2[2];

/* ---- helpers ------------------------------------------------------------- */

/* Run a shell command; returns its stdout (malloc'd, NUL-terminated) and the
 * exit status in *status. */
static char *run(const char *cmd, int *status)
{
    FILE *p = popen(cmd, "r");
    assert_non_null(p);
    size_t cap = 1 << 16, len = 0;
    char *out = malloc(cap);
    assert_non_null(out);
    size_t n;
    while ((n = fread(out + len, 1, cap - len - 1, p)) > 0) {
        len += n;
        if (cap - len < 2) {
            cap *= 2;
            out = realloc(out, cap);
            assert_non_null(out);
        }
    }
    out[len] = 0;
    int st = pclose(p);
    if (status)
        *status = WIFEXITED(st) ? WEXITSTATUS(st) : -1;
    return out;
}

static char *tool(const char *fmt, const char *path, int *status)
{
    char cmd[8192];
    snprintf(cmd, sizeof cmd, fmt, path);
    return run(cmd, status);
}

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

/* The distinct LiberationSans faces pdffonts lists, each checked embedded,
 * subset, with ToUnicode.  The direct back end lists a face twice when it
 * draws it with 2-byte codes and with 1-byte codes (issue 11: the 1-byte
 * twin, a second Type0 font on the same CIDFont). */
static int count_faces(char *fonts)
{
    char seen[8][128];
    int n = 0;
    for (char *line = strtok(fonts, "\n"); line; line = strtok(NULL, "\n")) {
        if (!strstr(line, "LiberationSans"))
            continue;
        /* columns emb sub uni */
        if (!strstr(line, " yes yes yes "))
            fail_msg("font not embedded with ToUnicode: %s", line);
        char name[128];
        snprintf(name, sizeof name, "%.*s", (int)strcspn(line, " "), line);
        int k = 0;
        while (k < n && strcmp(seen[k], name) != 0)
            k++;
        if (k == n && n < 8)
            snprintf(seen[n++], sizeof seen[0], "%s", name);
    }
    return n;
}

static void tmp_path(char *out, size_t cap, const char *name)
{
    snprintf(out, cap, "%s/%s", tmpdir, name);
}

static void add_text(folio_dl_statement *st, folio_dl_page *pg, int font, int32_t x,
                     int32_t y, uint32_t color, const char *s)
{
    assert_true(dlist_page_add_text(st, pg, (uint8_t)font, 180, x, y, color, s,
                                    strlen(s), true));
}

/* A two-page statement with the names and numbers the tests look for.
 * `salt` varies the content between statements. */
static folio_dl_statement *make_statement(folio_arena *a, int salt, int32_t w,
                                          int32_t h)
{
    char id[32], buf[128];
    snprintf(id, sizeof id, "HH%04d", salt);
    folio_dl_statement *st = dlist_statement_new(a, id, w, h);
    assert_non_null(st);
    folio_dl_page *pg = dlist_page_add(st);
    assert_non_null(pg);
    add_text(st, pg, 1, 1135, 1440, 0x003366, "First Example Bank");
    add_text(st, pg, 0, 1135, 1800, 0, "\xc5\x81ukasz M\xc3\xbcller");     /* Łukasz Müller */
    add_text(st, pg, 0, 1135, 2100, 0, "Jos\xc3\xa9 & Zo\xc3\xab (joint)"); /* José & Zoë */
    snprintf(buf, sizeof buf, "Account 1234-5678-%04d", salt);
    add_text(st, pg, 0, 1135, 2400, 0x333333, buf);
    assert_true(dlist_page_add_box(st, pg, 1135, 2700, 9000, 300, 0xDDDDDD, 0x999999, 10));
    add_text(st, pg, 1, 1200, 2900, 0, "Date");
    add_text(st, pg, 1, 2600, 2900, 0, "Description");
    add_text(st, pg, 1, 8000, 2900, 0, "Amount");
    for (int r = 0; r < 10; r++) {
        int32_t y = 3300 + r * 270;
        snprintf(buf, sizeof buf, "2026-10-%02d", r + 1);
        add_text(st, pg, 0, 1200, y, 0, buf);
        snprintf(buf, sizeof buf, "Payment \\ back-slash (%d)", r);
        add_text(st, pg, 0, 2600, y, 0, buf);
        snprintf(buf, sizeof buf, "-1,%03d.%02d", 100 + r + salt, 56);
        add_text(st, pg, 0, 8000, y, 0x990000, buf);
        assert_true(dlist_page_add_rule(st, pg, 1135, y + 60, 10135, y + 60, 5, 0xCCCCCC));
    }
    add_text(st, pg, 0, 9000, h - 720, 0x555555, "Page 1 of 2");
    pg = dlist_page_add(st);
    assert_non_null(pg);
    add_text(st, pg, 0, 1135, 1440, 0, "Closing balance 12,345.67");
    assert_true(dlist_page_add_box(st, pg, 1135, 2000, 4000, 1000, 0xEEF5FF, 0, 0));
    add_text(st, pg, 0, 9000, h - 720, 0x555555, "Page 2 of 2");
    return st;
}

static folio_pdf_options options(int compression)
{
    folio_pdf_options o = {.title = "October statements",
                           .author = "Banque Cr\xc3\xa9" "dit \xc5\x81\xc3\xb3" "d\xc5\xba",
                           .subject = "Statements 2026-10-01 to 2026-10-31",
                           .compression = compression};
    assert_true(folio_date_from_ymd(2026, 10, 31, &o.doc_date));
    return o;
}

/* Write n statements to path; returns the file size. */
static uint64_t write_pdf(const char *path, int n, int first_salt, int compression,
                          int32_t w, int32_t h)
{
    folio_error err = { 0 };
    folio_pdf_options o = options(compression);
    folio_pdf_writer *pw = pdf_writer_open(path, fonts2, 2, &o, &err);
    if (!pw)
        fail_msg("open: %s", err.msg);
    folio_arena a;
    folio_arena_init(&a, 1 << 16);
    for (int i = 0; i < n; i++) {
        folio_dl_statement *st = make_statement(&a, first_salt + i, w, h);
        if (!pdf_writer_add_statement(pw, st, &err))
            fail_msg("add: %s", err.msg);
        folio_arena_reset(&a);
    }
    folio_arena_free(&a);
    assert_int_equal(pdf_writer_pages(pw), (uint32_t)(2 * n));
    uint64_t bytes = 0;
    if (!pdf_writer_close(pw, &bytes, &err))
        fail_msg("close: %s", err.msg);
    assert_true(bytes > 1000);
    return bytes;
}

/* Value of "Key:   value" in pdfinfo output (static buffer). */
static const char *info_value(const char *info, const char *key)
{
    static char val[256];
    size_t kl = strlen(key);
    for (const char *l = info; l && *l; l = strchr(l, '\n') ? strchr(l, '\n') + 1 : NULL) {
        if (strncmp(l, key, kl) == 0 && l[kl] == ':') {
            const char *v = l + kl + 1;
            while (*v == ' ')
                v++;
            size_t n = strcspn(v, "\n");
            if (n >= sizeof val)
                n = sizeof val - 1;
            memcpy(val, v, n);
            val[n] = 0;
            return val;
        }
    }
    return "";
}

static void assert_info(const char *info, const char *key, const char *want)
{
    const char *got = info_value(info, key);
    if (strcmp(got, want) != 0)
        fail_msg("pdfinfo %s: \"%s\", want \"%s\"\n%s", key, got, want, info);
}

static void assert_in_order(const char *text, const char *const *want, int n)
{
    const char *at = text;
    for (int i = 0; i < n; i++) {
        const char *p = strstr(at, want[i]);
        if (!p)
            fail_msg("pdftotext: \"%s\" missing or out of order in:\n%s", want[i], text);
        at = p + strlen(want[i]);
    }
}

static void check_valid(const char *path)
{
    int status;
    char *out = tool("qpdf --check '%s' 2>&1", path, &status);
    if (status != 0 || !strstr(out, "No syntax or stream encoding errors"))
        fail_msg("qpdf --check %s (%d):\n%s", path, status, out);
    free(out);
}

/* ---- tests --------------------------------------------------------------- */

static void check_text_and_fonts(const char *path)
{
    int status;
    check_valid(path);

    char *txt = tool("pdftotext '%s' - 2>/dev/null", path, &status);
    assert_int_equal(status, 0);
    static const char *const want[] = {
        "First Example Bank", "\xc5\x81ukasz M\xc3\xbcller",
        "Jos\xc3\xa9 & Zo\xc3\xab (joint)", "Account 1234-5678-0007",
        "Payment \\ back-slash (0)", "-1,107.56", "-1,116.56", "Page 1 of 2",
        "Closing balance 12,345.67", "Page 2 of 2",
    };
    assert_in_order(txt, want, (int)(sizeof want / sizeof want[0]));
    free(txt);

    char *fonts = tool("pdffonts '%s' 2>/dev/null", path, &status);
    assert_int_equal(status, 0);
    assert_int_equal(count_faces(fonts), 2);
    free(fonts);
}

static void test_letter_text_fonts_info(void **state)
{
    (void)state;
    char path[4200];
    tmp_path(path, sizeof path, "letter.pdf");
    write_pdf(path, 1, 7, 6, LETTER_W, LETTER_H);
    check_text_and_fonts(path);

    int status;
    char *info = tool("TZ=UTC pdfinfo '%s' 2>/dev/null", path, &status);
    assert_int_equal(status, 0);
    assert_info(info, "Pages", "2");
    assert_info(info, "Page size", "612 x 792 pts (letter)");
    assert_info(info, "Title", "October statements");
    assert_info(info, "Author", "Banque Cr\xc3\xa9" "dit \xc5\x81\xc3\xb3" "d\xc5\xba");
    assert_info(info, "Subject", "Statements 2026-10-01 to 2026-10-31");
    assert_info(info, "Creator", "folio " FOLIO_VERSION);
    assert_info(info, "CreationDate", "Sat Oct 31 00:00:00 2026 UTC");
    assert_info(info, "ModDate", "Sat Oct 31 00:00:00 2026 UTC");
    free(info);
}

static void test_a4_and_blank_back(void **state)
{
    (void)state;
    char path[4200];
    tmp_path(path, sizeof path, "a4.pdf");
    folio_error err = { 0 };
    folio_pdf_options o = options(1);
    folio_pdf_writer *pw = pdf_writer_open(path, fonts2, 2, &o, &err);
    assert_non_null(pw);
    folio_arena a;
    folio_arena_init(&a, 1 << 16);
    folio_dl_statement *st = make_statement(&a, 1, 11900, 16840);  /* 595 x 842 pt */
    folio_dl_page *pg = dlist_page_add(st);
    assert_non_null(pg);
    pg->blank_back = true;
    assert_true(pdf_writer_add_statement(pw, st, &err));
    assert_int_equal(pdf_writer_pages(pw), 3);
    folio_arena_free(&a);
    uint64_t bytes;
    assert_true(pdf_writer_close(pw, &bytes, &err));
    check_valid(path);
    int status;
    char *info = tool("pdfinfo '%s' 2>/dev/null", path, &status);
    assert_info(info, "Pages", "3");
    assert_info(info, "Page size", "595 x 842 pts (A4)");
    free(info);
    /* page 3 (the padding back) has no text */
    char cmd[8400];
    snprintf(cmd, sizeof cmd, "pdftotext -f 3 -l 3 '%s' - 2>/dev/null | tr -d ' \\n\\f'",
             path);
    char *txt = run(cmd, &status);
    assert_string_equal(txt, "");
    free(txt);

    /* ISO A4 (210 x 297 mm) as compose uses it */
    tmp_path(path, sizeof path, "a4iso.pdf");
    write_pdf(path, 1, 1, 1, A4_W, A4_H);
    info = tool("pdfinfo '%s' 2>/dev/null", path, &status);
    if (!strstr(info, "pts (A4)"))
        fail_msg("pdfinfo:\n%s", info);
    free(info);
}

/* Both content back ends give the same text; uncompressed output too. */
static void test_backends_and_raw(void **state)
{
    (void)state;
    char path[4200];
    tmp_path(path, sizeof path, "raw.pdf");
    write_pdf(path, 1, 7, 0, LETTER_W, LETTER_H);
    check_text_and_fonts(path);
    size_t n;
    char *raw = read_all(path, &n);
    /* uncompressed content: exact, locale-free numbers */
    assert_non_null(memmem(raw, n, "56.75 720 Td", 12));    /* x 1135, y 1440 */
    assert_non_null(memmem(raw, n, "/F1 9 Tf", 8));
    assert_non_null(memmem(raw, n, "0 0.2 0.4 rg", 12));       /* 0x003366 */
    assert_non_null(memmem(raw, n, "0.25 w", 6));
    assert_non_null(memmem(raw, n, " re B", 5));
    free(raw);

    char direct[4200];
    tmp_path(direct, sizeof direct, "direct.pdf");
    write_pdf(direct, 1, 7, 6, LETTER_W, LETTER_H);
    setenv("FOLIO_PDF_BACKEND", "libharu", 1);
    tmp_path(path, sizeof path, "libharu.pdf");
    write_pdf(path, 1, 7, 6, LETTER_W, LETTER_H);
    unsetenv("FOLIO_PDF_BACKEND");
    check_text_and_fonts(path);

    /* The direct back end marks the same glyphs for libharu's subsetter:
     * the embedded font programs are identical. */
    char *sub[2][2];
    const char *files[2] = { direct, path };
    for (int f = 0; f < 2; f++) {
        char *d = read_all(files[f], &n);
        const char *q = d;
        for (int k = 0; k < 2; k++) {
            q = memmem(q, n - (size_t)(q - d), "/FontFile2 ", 11);
            assert_non_null(q);
            q += 11;
            char cmd[8400];
            snprintf(cmd, sizeof cmd,
                     "qpdf --show-object=%d --filtered-stream-data '%s' | od -An -tx1 | md5sum",
                     atoi(q), files[f]);
            sub[f][k] = run(cmd, NULL);
            assert_true(strlen(sub[f][k]) > 32);
        }
        free(d);
    }
    assert_string_not_equal(sub[0][0], sub[0][1]);   /* regular vs bold */
    for (int k = 0; k < 2; k++) {
        assert_string_equal(sub[0][k], sub[1][k]);
        free(sub[0][k]);
        free(sub[1][k]);
    }
}

/* No decimal comma in any number of the page content, whatever the locale. */
static void test_no_decimal_comma(void **state)
{
    (void)state;
    char path[4200];
    tmp_path(path, sizeof path, "locale.pdf");
    write_pdf(path, 1, 3, 0, A4_W, A4_H);
    size_t n;
    char *raw = read_all(path, &n);
    /* Numbers in our content are ASCII digits; a decimal comma would show as
     * digit ',' digit outside strings.  Text strings (1-byte codes since
     * issue 11) are skipped: ( to the ) that is not escaped. */
    const char *c = raw;
    int scanned = 0;
    while ((c = memmem(c, n - (size_t)(c - raw), "stream\r\n", 8)) != NULL) {
        const char *end = memmem(c, n - (size_t)(c - raw), "endstream", 9);
        assert_non_null(end);
        if (memmem(c, (size_t)(end - c), " Td", 3)) {    /* a page content stream */
            scanned++;
            for (const char *q = c + 1; q + 1 < end; q++) {
                if (*q == '(') {
                    for (q++; q < end && *q != ')'; q++)
                        q += *q == '\\';
                    continue;
                }
                if (*q == ',' && q[-1] >= '0' && q[-1] <= '9' && q[1] >= '0' &&
                    q[1] <= '9')
                    fail_msg("decimal comma in page content near \"%.20s\"", q - 10);
            }
        }
        c = end;
    }
    assert_int_equal(scanned, 2);
    /* MediaBox and the libharu-written numbers */
    assert_null(memmem(raw, n, "595,", 4));
    free(raw);
}

static void test_deterministic(void **state)
{
    (void)state;
    char p1[4200], p2[4200];
    for (int comp = 0; comp <= 6; comp += 6) {
        tmp_path(p1, sizeof p1, "det1.pdf");
        tmp_path(p2, sizeof p2, "det2.pdf");
        uint64_t b1 = write_pdf(p1, 3, 10, comp, LETTER_W, LETTER_H);
        uint64_t b2 = write_pdf(p2, 3, 10, comp, LETTER_W, LETTER_H);
        assert_int_equal(b1, b2);
        size_t n1, n2;
        char *d1 = read_all(p1, &n1), *d2 = read_all(p2, &n2);
        assert_int_equal(n1, n2);
        assert_memory_equal(d1, d2, n1);
        free(d1);
        free(d2);
    }
}

struct par_job {
    const char *path;
    int salt;
    int32_t w, h;
};

static void *par_write(void *arg)
{
    struct par_job *j = arg;
    write_pdf(j->path, 20, j->salt, 6, j->w, j->h);
    return NULL;
}

/* Two writers on two threads at once: both valid, identical to sequential. */
static void test_concurrent_writers(void **state)
{
    (void)state;
    char seq[2][4200], par[2][4200];
    for (int i = 0; i < 2; i++) {
        char name[32];
        snprintf(name, sizeof name, "seq%d.pdf", i);
        tmp_path(seq[i], sizeof seq[i], name);
        snprintf(name, sizeof name, "par%d.pdf", i);
        tmp_path(par[i], sizeof par[i], name);
        write_pdf(seq[i], 20, 100 * i, 6, i ? A4_W : LETTER_W, i ? A4_H : LETTER_H);
    }
    /* pthreads rather than OpenMP: joined threads keep valgrind quiet */
    pthread_t th[2];
    struct par_job jobs[2];
    for (int i = 0; i < 2; i++) {
        jobs[i] = (struct par_job){ par[i], 100 * i, i ? A4_W : LETTER_W,
                                    i ? A4_H : LETTER_H };
        assert_int_equal(pthread_create(&th[i], NULL, par_write, &jobs[i]), 0);
    }
    for (int i = 0; i < 2; i++)
        assert_int_equal(pthread_join(th[i], NULL), 0);
    for (int i = 0; i < 2; i++) {
        check_valid(par[i]);
        size_t n1, n2;
        char *d1 = read_all(seq[i], &n1), *d2 = read_all(par[i], &n2);
        assert_int_equal(n1, n2);
        assert_memory_equal(d1, d2, n1);
        free(d1);
        free(d2);
    }
}

/* ---- ToUnicode ----------------------------------------------------------- */

/* Texts of the ToUnicode test: per font, the strings drawn on one page. */
static const char *const tu_text0[] = {
    "\xc5\x81ukasz M\xc3\xbcller",                       /* Łukasz Müller */
    "Jos\xc3\xa9 & Zo\xc3\xab",                          /* José & Zoë */
    "Total \xe2\x82\xac 1.234,56",                       /* € */
    "\xe2\x80\x9cquoted\xe2\x80\x9d \xe2\x80\x98single\xe2\x80\x99", /* “” ‘’ */
    "Payment \\ back-slash (1) \x7f",
};
static const char *const tu_text1[] = { "Bold \xc3\x9f\xc3\xa6 \xe2\x80\x94 end" };

/* Every other code point of a range as UTF-8 (isolated codes: bfchar). */
static void tu_sparse(char *out, size_t cap, uint32_t from, uint32_t to)
{
    size_t k = 0;
    for (uint32_t c = from; c <= to; c += 2) {
        assert_true(k + 4 < cap);
        if (c < 0x800) {
            out[k++] = (char)(0xC0 | c >> 6);
        } else {
            out[k++] = (char)(0xE0 | c >> 12);
            out[k++] = (char)(0x80 | ((c >> 6) & 0x3F));
        }
        out[k++] = (char)(0x80 | (c & 0x3F));
    }
    out[k] = 0;
}

/* Latin Extended-A, Greek and Cyrillic, every other letter: more than 100
 * isolated codes, so bfchar needs several blocks. */
static char tu_sparse_a[256], tu_sparse_g[256], tu_sparse_c[256];
/* A run across a high-byte boundary (U+00F0..U+0110): two bfranges. */
static const char tu_run[] =
    "\xc3\xb0\xc3\xb1\xc3\xb2\xc3\xb3\xc3\xb4\xc3\xb5\xc3\xb6\xc3\xb7\xc3\xb8"
    "\xc3\xb9\xc3\xba\xc3\xbb\xc3\xbc\xc3\xbd\xc3\xbe\xc3\xbf\xc4\x80\xc4\x81"
    "\xc4\x82\xc4\x83\xc4\x84\xc4\x85\xc4\x86\xc4\x87\xc4\x88\xc4\x89\xc4\x8a"
    "\xc4\x8b\xc4\x8c\xc4\x8d\xc4\x8e\xc4\x8f\xc4\x90";

static void tu_mark(uint8_t *bits, const char *s)
{
    size_t n = strlen(s);
    for (size_t i = 0; i < n;) {
        uint32_t cp;
        int k = folio_utf8_next(s + i, n - i, &cp);
        assert_true(k > 0);
        i += (size_t)k;
        assert_true(cp > 0 && cp <= 0xFFFF);
        bits[cp >> 3] |= (uint8_t)(1u << (cp & 7));
    }
}

static void tu_write(const char *path, uint8_t *want0, uint8_t *want1)
{
    tu_sparse(tu_sparse_a, sizeof tu_sparse_a, 0x0113, 0x017F);
    tu_sparse(tu_sparse_g, sizeof tu_sparse_g, 0x03B1, 0x03C9);
    tu_sparse(tu_sparse_c, sizeof tu_sparse_c, 0x0400, 0x045F);
    const char *extra0[] = { tu_sparse_a, tu_sparse_g, tu_sparse_c, tu_run };
    folio_error err = { 0 };
    folio_pdf_options o = options(6);
    folio_pdf_writer *pw = pdf_writer_open(path, fonts2, 2, &o, &err);
    if (!pw)
        fail_msg("open: %s", err.msg);
    folio_arena a;
    folio_arena_init(&a, 1 << 16);
    folio_dl_statement *st = dlist_statement_new(&a, "TU", LETTER_W, LETTER_H);
    folio_dl_page *pg = dlist_page_add(st);
    assert_non_null(pg);
    int32_t y = 1440;
    for (size_t i = 0; i < sizeof tu_text0 / sizeof tu_text0[0]; i++, y += 300) {
        add_text(st, pg, 0, 1135, y, 0, tu_text0[i]);
        tu_mark(want0, tu_text0[i]);
    }
    for (size_t i = 0; i < sizeof extra0 / sizeof extra0[0]; i++, y += 300) {
        add_text(st, pg, 0, 1135, y, 0, extra0[i]);
        tu_mark(want0, extra0[i]);
    }
    pg = dlist_page_add(st);     /* the bold font only on page 2 */
    assert_non_null(pg);
    add_text(st, pg, 1, 1135, 1440, 0, tu_text1[0]);
    tu_mark(want1, tu_text1[0]);
    if (!pdf_writer_add_statement(pw, st, &err))
        fail_msg("add: %s", err.msg);
    folio_arena_free(&a);
    uint64_t bytes;
    if (!pdf_writer_close(pw, &bytes, &err))
        fail_msg("close: %s", err.msg);
}

/* Run a tool (fmt with %s for the path) and return what it printed on
 * stderr; stdout is dropped. */
static char *tool_stderr(const char *fmt, const char *path, int *status)
{
    char cmd[8400], full[8500];
    snprintf(cmd, sizeof cmd, fmt, path);
    snprintf(full, sizeof full, "%s 2>&1 >/dev/null", cmd);
    return run(full, status);
}

static int hexval(const char *p)
{
    int v = 0;
    for (int i = 0; i < 4; i++) {
        char c = p[i];
        int d = c >= '0' && c <= '9' ? c - '0' : c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;
        if (d < 0)
            fail_msg("bad hex in CMap near \"%.12s\"", p);
        v = v * 16 + d;
    }
    return v;
}

/* Parse a ToUnicode CMap and check its form; the codes it maps go to *got.
 * Every code must map to itself (code = BMP code point), blocks hold 1..100
 * entries and say how many, entries come sorted by code, a bfrange stays
 * within one high byte. */
static void tu_check_cmap(const char *cm, uint8_t *got)
{
    assert_null(strstr(cm, "cidrange"));
    assert_null(strstr(cm, "notdefrange"));
    assert_non_null(strstr(cm, "/CIDSystemInfo << /Registry (Adobe) /Ordering (UCS) "
                               "/Supplement 0 >> def"));
    assert_non_null(strstr(cm, "/CMapName /Adobe-Identity-UCS def"));
    assert_non_null(strstr(cm, "/CMapType 2 def"));
    assert_non_null(strstr(cm, "1 begincodespacerange\n<0000> <FFFF>\nendcodespacerange\n"));
    assert_non_null(strstr(cm, "endcmap\nCMapName currentdict /CMap defineresource pop"));
    int last = -1, blocks = 0;
    const char *p = cm;
    while ((p = strstr(p, " beginbf")) != NULL) {
        const char *ln = p;
        while (ln > cm && ln[-1] != '\n')
            ln--;
        int count = atoi(ln);
        bool range = strncmp(p, " beginbfrange\n", 14) == 0;
        if (!range && strncmp(p, " beginbfchar\n", 13) != 0)
            fail_msg("bad block header near \"%.30s\"", ln);
        p = strchr(p, '\n') + 1;
        int n = 0;
        while (*p == '<') {
            int lo = hexval(p + 1), hi = lo, dst;
            p += 6;
            assert_int_equal(*p++, ' ');
            if (range) {
                assert_int_equal(*p, '<');
                hi = hexval(p + 1);
                p += 6;
                assert_int_equal(*p++, ' ');
                assert_true(hi > lo);
                assert_int_equal(hi >> 8, lo >> 8);
            }
            assert_int_equal(*p, '<');
            dst = hexval(p + 1);
            p += 6;
            assert_int_equal(*p++, '\n');
            assert_int_equal(dst, lo);
            assert_true(lo > last);
            for (int c = lo; c <= hi; c++)
                got[c >> 3] |= (uint8_t)(1u << (c & 7));
            last = hi;
            n++;
        }
        if (strncmp(p, range ? "endbfrange\n" : "endbfchar\n", range ? 11 : 10) != 0)
            fail_msg("block not closed near \"%.30s\"", p);
        assert_int_equal(n, count);
        assert_true(n >= 1 && n <= 100);
        blocks++;
    }
    (void)blocks;
}

/* issue 11: the 1-byte twin's ToUnicode CMap: codespace <00> <FF>, each
 * code maps to its code point in the 1-byte encoding (pdf-enc1.h), sorted,
 * bfranges of bytes with consecutive code points.  Codes go to *got. */
static const uint16_t enc1_hi[32] = {
    0x20AC, 0x20B9, 0x201A, 0x0192, 0x201E, 0x2026, 0x2020, 0x2021,
    0x02C6, 0x2030, 0x0160, 0x2039, 0x0152, 0x20BD, 0x017D, 0x20BA,
    0x20A9, 0x2018, 0x2019, 0x201C, 0x201D, 0x2022, 0x2013, 0x2014,
    0x02DC, 0x2122, 0x0161, 0x203A, 0x0153, 0x2212, 0x017E, 0x0178,
};

static unsigned enc1_cp(unsigned b)
{
    return b >= 0x80 && b < 0xA0 ? enc1_hi[b - 0x80] : b;
}

static void tu_check_cmap1(const char *cm, uint8_t *got)
{
    assert_non_null(strstr(cm, "1 begincodespacerange\n<00> <FF>\nendcodespacerange\n"));
    assert_non_null(strstr(cm, "/CMapName /Adobe-Identity-UCS def"));
    int last = -1;
    const char *p = cm;
    while ((p = strstr(p, " beginbf")) != NULL) {
        bool range = strncmp(p, " beginbfrange\n", 14) == 0;
        p = strchr(p, '\n') + 1;
        while (*p == '<') {
            unsigned lo, hi, dst;
            int used = 0;
            if (range)
                assert_int_equal(sscanf(p, "<%2X> <%2X> <%4X>\n%n", &lo, &hi, &dst, &used), 3);
            else
                assert_int_equal(sscanf(p, "<%2X> <%4X>\n%n", &lo, &dst, &used), 2);
            if (!range)
                hi = lo;
            assert_true(used > 0);
            p += used;
            assert_true((int)lo > last && hi >= lo && hi < 256);
            assert_int_equal(dst, enc1_cp(lo));
            for (unsigned b = lo; b <= hi; b++) {
                unsigned c = enc1_cp(b);
                assert_int_equal(c, dst + (b - lo));
                got[c >> 3] |= (uint8_t)(1u << (c & 7));
            }
            last = (int)hi;
        }
    }
}

/* The ToUnicode stream of each font (object number from the raw file, data
 * through qpdf). */
static void tu_cmaps(const char *path, char *cmap[], int count)
{
    size_t n;
    char *raw = read_all(path, &n);
    const char *q = raw;
    for (int k = 0; k < count; k++) {
        q = memmem(q, n - (size_t)(q - raw), "/ToUnicode ", 11);
        assert_non_null(q);
        q += 11;
        char cmd[8400];
        snprintf(cmd, sizeof cmd,
                 "qpdf --show-object=%d --filtered-stream-data '%s' 2>&1", atoi(q), path);
        int status;
        cmap[k] = run(cmd, &status);
        assert_int_equal(status, 0);
    }
    assert_null(memmem(q, n - (size_t)(q - raw), "/ToUnicode ", 11));
    /* the stream dictionary is a plain ToUnicode stream now */
    assert_null(memmem(raw, n, "/CMapName /UTF-8", 16));
    free(raw);
}

/* libharu wrote its encoding CMap (begincidrange) as ToUnicode; ours is a
 * real ToUnicode CMap: no tool complains, text extracts exactly, and it maps
 * exactly the codes drawn with each font.  Both content back ends. */
static void test_tounicode(void **state)
{
    (void)state;
    for (int backend = 0; backend < 2; backend++) {
        char path[4200];
        tmp_path(path, sizeof path, backend ? "tu-libharu.pdf" : "tu-direct.pdf");
        if (backend)
            setenv("FOLIO_PDF_BACKEND", "libharu", 1);
        static uint8_t want[2][8192], got[2][8192];
        memset(want, 0, sizeof want);
        memset(got, 0, sizeof got);
        tu_write(path, want[0], want[1]);
        unsetenv("FOLIO_PDF_BACKEND");

        /* nothing on stderr from any tool (poppler prints "Syntax Warning:
         * Invalid 'begincidrange' operator in ToUnicode CMap" for libharu's) */
        static const char *const tools[] = {
            "pdftotext '%s' -", "pdftotext -layout '%s' -", "pdffonts '%s'",
            "pdfinfo '%s'", "qpdf --check '%s'",
        };
        for (size_t t = 0; t < sizeof tools / sizeof tools[0]; t++) {
            int status;
            char *err = tool_stderr(tools[t], path, &status);
            if (status != 0 || err[0])
                fail_msg("%s (exit %d) printed on stderr:\n%s", tools[t], status, err);
            free(err);
        }

        int status;
        char *txt = tool("pdftotext '%s' - 2>/dev/null", path, &status);
        assert_int_equal(status, 0);
        const char *const order[] = {
            tu_text0[0], tu_text0[1], tu_text0[2], tu_text0[3], tu_text0[4],
            tu_sparse_a, tu_sparse_g, tu_sparse_c, tu_run, tu_text1[0],
        };
        assert_in_order(txt, order, (int)(sizeof order / sizeof order[0]));
        free(txt);

        char *fonts = tool("pdffonts '%s' 2>/dev/null", path, &status);
        assert_int_equal(status, 0);
        assert_int_equal(count_faces(fonts), 2);
        free(fonts);

        if (backend) {
            char *cm[2];
            tu_cmaps(path, cm, 2);
            for (int k = 0; k < 2; k++) {
                tu_check_cmap(cm[k], got[k]);
                assert_memory_equal(got[k], want[k], 8192);
            }
            /* spot checks: Ł, €, “ and the split run U+00F0..U+0110 */
            assert_non_null(strstr(cm[0], "<0141> <0141>\n"));
            assert_non_null(strstr(cm[0], "<20AC> <20AC>\n"));
            assert_non_null(strstr(cm[0], "<201C> <201D> <201C>\n"));
            assert_non_null(strstr(cm[0], "<00F0> <00FF> <00F0>\n<0100> <0110> <0100>\n"));
            assert_non_null(strstr(cm[0], "100 beginbfchar\n"));
            assert_non_null(strstr(cm[1], "<2014> <2014>\n"));
            free(cm[0]);
            free(cm[1]);
            continue;
        }
        /* direct (issue 11): per face its own CMap (2-byte codes) and its
         * 1-byte twin's, in that order; together exactly the codes drawn */
        char *cm[4];
        tu_cmaps(path, cm, 4);
        for (int k = 0; k < 4; k++) {
            if (k % 2 == 0)
                tu_check_cmap(cm[k], got[k / 2]);
            else
                tu_check_cmap1(cm[k], got[k / 2]);
        }
        for (int f = 0; f < 2; f++)
            assert_memory_equal(got[f], want[f], 8192);
        /* spot checks: Ł (2-byte), €, “” and the split run U+00F0..U+0110 */
        assert_non_null(strstr(cm[0], "<0141> <0141>\n"));
        assert_non_null(strstr(cm[1], "<80> <20AC>\n"));
        assert_non_null(strstr(cm[1], "<93> <94> <201C>\n"));
        assert_non_null(strstr(cm[1], "<F0> <FF> <00F0>\n"));
        assert_non_null(strstr(cm[0], "<0100> <0110> <0100>\n"));
        assert_non_null(strstr(cm[0], "100 beginbfchar\n"));
        assert_non_null(strstr(cm[3], "<97> <2014>\n"));
        for (int k = 0; k < 4; k++)
            free(cm[k]);
    }
}

static void test_errors(void **state)
{
    (void)state;
    folio_error err = { 0 };
    folio_pdf_options o = options(6);

    /* missing font file: open fails naming it */
    folio_layout_font bad[1] = { { .name = "regular", .file = "/nonexistent/font.ttf" } };
    assert_null(pdf_writer_open("/tmp/never.pdf", bad, 1, &o, &err));
    assert_int_not_equal(err.code, 0);
    assert_non_null(strstr(err.msg, "/nonexistent/font.ttf"));

    /* no fonts */
    folio_error_clear(&err);
    assert_null(pdf_writer_open("/tmp/never.pdf", fonts2, 0, &o, &err));
    assert_int_not_equal(err.code, 0);

    /* unwritable path: close fails, names the file */
    folio_error_clear(&err);
    folio_pdf_writer *pw = pdf_writer_open("/nonexistent/dir/out.pdf", fonts2, 2, &o,
                                           &err);
    assert_non_null(pw);
    folio_arena a;
    folio_arena_init(&a, 1 << 16);
    assert_true(pdf_writer_add_statement(pw, make_statement(&a, 1, LETTER_W, LETTER_H),
                                         &err));
    uint64_t bytes = 99;
    assert_false(pdf_writer_close(pw, &bytes, &err));
    assert_int_equal(bytes, 0);
    assert_non_null(strstr(err.msg, "/nonexistent/dir/out.pdf"));

    /* text op with a font index past the table */
    folio_error_clear(&err);
    pw = pdf_writer_open("/tmp/never.pdf", fonts2, 2, &o, &err);
    assert_non_null(pw);
    folio_arena_reset(&a);
    folio_dl_statement *st = dlist_statement_new(&a, "X", LETTER_W, LETTER_H);
    folio_dl_page *pg = dlist_page_add(st);
    assert_true(dlist_page_add_text(st, pg, 5, 180, 100, 100, 0, "x", 1, false));
    assert_false(pdf_writer_add_statement(pw, st, &err));
    assert_non_null(strstr(err.msg, "font"));
    pdf_writer_abort(pw);
    assert_int_equal(access("/tmp/never.pdf", F_OK), -1);

    /* abort writes nothing */
    char path[4200];
    tmp_path(path, sizeof path, "aborted.pdf");
    pw = pdf_writer_open(path, fonts2, 2, &o, &err);
    assert_non_null(pw);
    pdf_writer_abort(pw);
    assert_int_equal(access(path, F_OK), -1);
    folio_arena_free(&a);
}


/* issue 11 (r-speed): a print file is written as its pages are added
 * (pdf-stream.h), not saved whole at close, and its SHA-256 is computed as
 * it is written.  Before: nothing was on disk until close. */
static void test_written_as_it_fills(void **state)
{
    (void)state;
    folio_error err = { 0 };
    folio_pdf_options o = options(6);
    char path[4200], cmd[8600];
    tmp_path(path, sizeof path, "streamed.pdf");
    unlink(path);
    folio_pdf_writer *pw = pdf_writer_open(path, fonts2, 2, &o, &err);
    assert_non_null(pw);
    assert_int_equal(access(path, F_OK), -1);          /* nothing before a page */
    folio_arena a;
    folio_arena_init(&a, 1 << 16);
    struct stat sb;
    off_t last = 0;
    for (int i = 0; i < 300; i++) {
        assert_true(pdf_writer_add_statement(pw, make_statement(&a, i, LETTER_W, LETTER_H),
                                             &err));
        folio_arena_reset(&a);
        if (i % 50 == 49) {      /* the file grows with the pages (64 KB buffer) */
            assert_int_equal(stat(path, &sb), 0);
            assert_true(sb.st_size >= last);
            last = sb.st_size;
        }
    }
    assert_true(last > 0);
    uint64_t bytes = 0;
    char sha[65] = "x", want[65];
    assert_true(pdf_writer_close_sha(pw, &bytes, sha, &err));
    assert_int_equal(stat(path, &sb), 0);
    assert_int_equal(bytes, (uint64_t)sb.st_size);
    assert_true(folio_sha256_file(path, want, NULL, &err));
    assert_string_equal(sha, want);
    /* a whole, readable PDF: every page and its text */
    int status = 0;
    snprintf(cmd, sizeof cmd, "pdfinfo '%s' 2>&1 | grep '^Pages:'", path);
    char *out = run(cmd, &status);
    assert_non_null(strstr(out, " 600\n"));
    free(out);
    snprintf(cmd, sizeof cmd, "pdftotext -f 599 -l 599 '%s' - 2>&1", path);
    out = run(cmd, &status);
    assert_int_equal(status, 0);
    assert_non_null(strstr(out, "5678-0299"));
    free(out);

    /* aborted after pages: a file the writer created goes; the caller's
     * own (empty .part) is left to the caller */
    pw = pdf_writer_open(path, fonts2, 2, &o, &err);
    unlink(path);
    for (int i = 0; i < 30; i++) {
        assert_true(pdf_writer_add_statement(pw, make_statement(&a, i, LETTER_W, LETTER_H),
                                             &err));
        folio_arena_reset(&a);
    }
    assert_int_equal(access(path, F_OK), 0);
    pdf_writer_abort(pw);
    assert_int_equal(access(path, F_OK), -1);
    FILE *fp = fopen(path, "w");
    assert_non_null(fp);
    fclose(fp);
    pw = pdf_writer_open(path, fonts2, 2, &o, &err);
    assert_true(pdf_writer_add_statement(pw, make_statement(&a, 1, LETTER_W, LETTER_H), &err));
    pdf_writer_abort(pw);
    assert_int_equal(access(path, F_OK), 0);
    unlink(path);
    folio_arena_free(&a);
}

/* ---- prepared statements (pdf_prepare_statement in threads) -------------- */

#define PREP_N 24
#define PREP_THREADS 4

static folio_layout_font fonts3[3];

/* make_statement plus a line in font 2 (font 0's file: one PDF font under
 * two layout fonts) and code points that differ between statements, so
 * each statement marks glyphs the earlier ones did not. */
static folio_dl_statement *make_statement3(folio_arena *a, int salt)
{
    folio_dl_statement *st = make_statement(a, salt, salt % 3 ? LETTER_W : A4_W,
                                            salt % 3 ? LETTER_H : A4_H);
    folio_dl_page *pg = &st->pages[0];
    char buf[64];
    unsigned cp = 0x391 + (unsigned)salt % 24;          /* Greek capitals */
    snprintf(buf, sizeof buf, "Greek %c%c and \xe2\x82\xac %d", (char)(0xC0 | cp >> 6),
             (char)(0x80 | (cp & 0x3F)), salt);
    add_text(st, pg, 2, 1135, 6500, 0x112233, buf);
    add_text(st, pg, 1, 1135, 6800, 0, "bold after the alias");
    return st;
}

struct prep_job {
    int t, comp;
    folio_dl_statement **st;
    folio_pdf_prepared **out;
};

static void *prep_thread(void *arg)
{
    struct prep_job *j = arg;
    folio_pdf_options o = options(j->comp);
    for (int i = j->t; i < PREP_N; i += PREP_THREADS) {
        folio_error err = { 0 };
        j->out[i] = pdf_prepare_statement(fonts3, 3, &o, j->st[i], &err);
    }
    return NULL;
}

/* Statements prepared in 4 threads (out of order) and added in order give
 * the file pdf_writer_add_statement gives, byte for byte. */
static void test_prepared_in_threads(void **state)
{
    (void)state;
    folio_arena a;
    folio_arena_init(&a, 1 << 16);
    folio_dl_statement *st[PREP_N];
    for (int i = 0; i < PREP_N; i++)
        st[i] = make_statement3(&a, i);
    /* libdeflate's levels 1 (the default) and 6 */
    static const int comps[] = { 0, 1, 6 };
    for (size_t ci = 0; ci < sizeof comps / sizeof comps[0]; ci++) {
        int comp = comps[ci];
        folio_error err = { 0 };
        folio_pdf_options o = options(comp);
        char ser[4200], par[4200];
        tmp_path(ser, sizeof ser, "prep-serial.pdf");
        tmp_path(par, sizeof par, "prep-threads.pdf");
        folio_pdf_writer *w = pdf_writer_open(ser, fonts3, 3, &o, &err);
        assert_non_null(w);
        for (int i = 0; i < PREP_N; i++)
            if (!pdf_writer_add_statement(w, st[i], &err))
                fail_msg("add: %s", err.msg);
        assert_true(pdf_writer_close(w, NULL, &err));

        folio_pdf_prepared *pp[PREP_N] = { 0 };
        pthread_t th[PREP_THREADS];
        struct prep_job jobs[PREP_THREADS];
        for (int t = 0; t < PREP_THREADS; t++) {
            jobs[t] = (struct prep_job){ t, comp, st, pp };
            assert_int_equal(pthread_create(&th[t], NULL, prep_thread, &jobs[t]), 0);
        }
        for (int t = 0; t < PREP_THREADS; t++)
            assert_int_equal(pthread_join(th[t], NULL), 0);
        w = pdf_writer_open(par, fonts3, 3, &o, &err);
        assert_non_null(w);
        for (int i = 0; i < PREP_N; i++) {
            assert_non_null(pp[i]);
            if (!pdf_writer_add_prepared(w, pp[i], &err))
                fail_msg("add_prepared: %s", err.msg);
            pdf_prepared_free(pp[i]);
        }
        assert_int_equal(pdf_writer_pages(w), 2 * PREP_N);
        assert_true(pdf_writer_close(w, NULL, &err));
        check_valid(par);
        size_t n1, n2;
        char *d1 = read_all(ser, &n1), *d2 = read_all(par, &n2);
        assert_int_equal(n1, n2);
        assert_memory_equal(d1, d2, n1);
        free(d1);
        free(d2);
        /* the text of the aliased font and of every statement is there */
        int status;
        char *txt = tool("pdftotext '%s' - 2>/dev/null", par, &status);
        assert_int_equal(status, 0);
        assert_non_null(strstr(txt, "Greek \xce\x91 and \xe2\x82\xac 0"));
        assert_non_null(strstr(txt, "Greek \xce\xa8 and \xe2\x82\xac 23"));
        assert_non_null(strstr(txt, "bold after the alias"));
        free(txt);
    }
    folio_arena_free(&a);
}

/* issue 11 (r-twothr, round 29): a statement's content before deflate is
 * formatted in a buffer of the preparing thread, lent for the fill and
 * taken back.  One thread prepares a statement of > 1 MB of content (its
 * buffer too large to keep: freed), then every statement in reverse order
 * (the buffer reused with the longer content of the one before still in
 * it); another thread prepares them in order.  Both sets, added in order,
 * give the serial writer's file byte for byte; a thread's buffer goes with
 * the thread (its key's destructor). */
struct scratch_job {
    folio_dl_statement **st, *big;
    folio_pdf_prepared **out;
    bool reverse;
};

static void *scratch_thread(void *arg)
{
    struct scratch_job *j = arg;
    folio_pdf_options o = options(6);
    folio_error err = { 0 };
    if (j->big) {
        folio_pdf_prepared *b = pdf_prepare_statement(fonts3, 3, &o, j->big, &err);
        assert_non_null(b);
        pdf_prepared_free(b);
    }
    for (int k = 0; k < PREP_N; k++) {
        int i = j->reverse ? PREP_N - 1 - k : k;
        j->out[i] = pdf_prepare_statement(fonts3, 3, &o, j->st[i], &err);
    }
    return NULL;
}

static void test_prepared_scratch(void **state)
{
    (void)state;
    folio_arena a;
    folio_arena_init(&a, 1 << 20);
    folio_dl_statement *st[PREP_N];
    for (int i = 0; i < PREP_N; i++) {
        st[i] = make_statement3(&a, i);
        for (int r = 0; r < i % 5 * 40; r++)      /* content of different lengths */
            add_text(st[i], &st[i]->pages[0], r % 2, 1200, 200 + r * 30, 0, "padding line");
    }
    folio_dl_statement *big = make_statement3(&a, 99);
    for (int r = 0; r < 40000; r++)              /* ~40 bytes each: > 1 MB */
        add_text(big, &big->pages[0], r % 2, 1200 + r % 7, 200 + r % 9000, 0, "big statement line");
    folio_error err = { 0 };
    folio_pdf_options o = options(6);
    char ser[4200], par[4200];
    tmp_path(ser, sizeof ser, "scratch-serial.pdf");
    tmp_path(par, sizeof par, "scratch-threads.pdf");
    folio_pdf_writer *w = pdf_writer_open(ser, fonts3, 3, &o, &err);
    assert_non_null(w);
    for (int i = 0; i < PREP_N; i++)
        if (!pdf_writer_add_statement(w, st[i], &err))
            fail_msg("add: %s", err.msg);
    assert_true(pdf_writer_close(w, NULL, &err));
    size_t n1, n2;
    char *d1 = read_all(ser, &n1);
    for (int run = 0; run < 2; run++) {
        folio_pdf_prepared *pp[PREP_N] = { 0 };
        struct scratch_job j = { st, run ? NULL : big, pp, run == 0 };
        pthread_t th;
        assert_int_equal(pthread_create(&th, NULL, scratch_thread, &j), 0);
        assert_int_equal(pthread_join(th, NULL), 0);
        w = pdf_writer_open(par, fonts3, 3, &o, &err);
        assert_non_null(w);
        for (int i = 0; i < PREP_N; i++) {
            assert_non_null(pp[i]);
            if (!pdf_writer_add_prepared(w, pp[i], &err))
                fail_msg("add_prepared: %s", err.msg);
            pdf_prepared_free(pp[i]);
        }
        assert_true(pdf_writer_close(w, NULL, &err));
        char *d2 = read_all(par, &n2);
        assert_int_equal(n1, n2);
        assert_memory_equal(d1, d2, n1);
        free(d2);
    }
    free(d1);
    folio_arena_free(&a);
}

/* issue 11 (r-pwrite): print pages written without libharu's page objects
 * (pdfs_page_direct) give the file libharu's own page objects give, byte
 * for byte: pages of two sizes, three fonts in changing sets (several
 * shared resource dictionaries), prepared and added in order; at
 * compression 0 every page takes libharu's way in both files. */
static void test_direct_pages_same_bytes(void **state)
{
    (void)state;
    folio_arena a;
    folio_arena_init(&a, 1 << 16);
    enum { N = 40 };
    for (int comp = 0; comp <= 1; comp++) {
        char path[2][4200];
        for (int way = 0; way < 2; way++) {
            folio_error err = { 0 };
            folio_pdf_options o = options(comp);
            tmp_path(path[way], sizeof path[way], way ? "direct-pages.pdf" : "hpdf-pages.pdf");
            pdfs_direct_off = way == 0;
            uint64_t direct0 = pdfs_direct_pages;
            folio_pdf_writer *w = pdf_writer_open(path[way], fonts3, 3, &o, &err);
            assert_non_null(w);
            for (int i = 0; i < N; i++) {
                folio_dl_statement *st = i % 4 == 3 ? make_statement(&a, i, LETTER_W, LETTER_H)
                                                    : make_statement3(&a, i);
                folio_pdf_prepared *pp = pdf_prepare_statement(fonts3, 3, &o, st, &err);
                assert_non_null(pp);
                if (!pdf_writer_add_prepared(w, pp, &err))
                    fail_msg("add_prepared: %s", err.msg);
                pdf_prepared_free(pp);
                folio_arena_reset(&a);
            }
            assert_int_equal(pdf_writer_pages(w), 2 * N);
            /* every page written directly, or none (compression 0) */
            assert_int_equal(pdfs_direct_pages - direct0, way && comp ? 2 * N : 0);
            uint64_t bytes = 0;
            char sha[65] = "", want[65];
            assert_true(pdf_writer_close_sha(w, &bytes, sha, &err));
            assert_true(folio_sha256_file(path[way], want, NULL, &err));
            assert_string_equal(sha, want);
            check_valid(path[way]);
        }
        pdfs_direct_off = false;
        size_t n1, n2;
        char *d1 = read_all(path[0], &n1), *d2 = read_all(path[1], &n2);
        assert_int_equal(n1, n2);
        assert_memory_equal(d1, d2, n1);
        /* a page tree of 80 kids, written from its list */
        assert_non_null(memmem(d2, n2, "/Type /Pages\n/Kids [ ", 20));
        assert_non_null(memmem(d2, n2, " R ]\n/Count 80\n>>", 17));
        free(d1);
        free(d2);
        int status;
        char *out = tool("pdfinfo '%s' 2>&1 | grep '^Pages:'", path[1], &status);
        assert_non_null(strstr(out, " 80\n"));
        free(out);
        out = tool("pdftotext '%s' - 2>/dev/null", path[1], &status);
        assert_int_equal(status, 0);
        assert_non_null(strstr(out, "bold after the alias"));
        free(out);
    }
    folio_arena_free(&a);
}

/* issue 11: a prepared statement says how long its pages took to deflate
 * (the ring's deflate stage); none without compression.  Blobs are reused
 * (pdf.c's pool) and a reused one gives the same bytes as a new one. */
static void test_prepared_deflate_time(void **state)
{
    (void)state;
    folio_arena a;
    folio_arena_init(&a, 1 << 16);
    folio_dl_statement *st = make_statement3(&a, 5);
    folio_error err = { 0 };
    folio_pdf_options o6 = options(6), o0 = options(0);
    folio_pdf_prepared *p6 = pdf_prepare_statement(fonts3, 3, &o6, st, &err);
    folio_pdf_prepared *p0 = pdf_prepare_statement(fonts3, 3, &o0, st, &err);
    assert_non_null(p6);
    assert_non_null(p0);
    assert_true(pdf_prepared_deflate_s(p6) > 0.0);
    assert_true(pdf_prepared_deflate_s(p0) == 0.0);
    assert_true(pdf_prepared_deflate_s(NULL) == 0.0);
    pdf_prepared_free(p0);
    pdf_prepared_free(p6);
    /* a blob used for other statements, then this one, writes as a new one */
    char f1[4200], f2[4200];
    tmp_path(f1, sizeof f1, "prep-reuse-1.pdf");
    tmp_path(f2, sizeof f2, "prep-reuse-2.pdf");
    for (int round = 0; round < 2; round++) {
        folio_pdf_writer *w = pdf_writer_open(round ? f2 : f1, fonts3, 3, &o6, &err);
        assert_non_null(w);
        if (round) {
            for (int i = 0; i < 6; i++) {   /* used and given back to the pool */
                folio_pdf_prepared *q = pdf_prepare_statement(fonts3, 3, &o6,
                                                              make_statement3(&a, 11 + i), &err);
                assert_non_null(q);
                pdf_prepared_free(q);
            }
        }
        folio_pdf_prepared *q = pdf_prepare_statement(fonts3, 3, &o6, st, &err);
        assert_non_null(q);
        assert_true(pdf_writer_add_prepared(w, q, &err));
        pdf_prepared_free(q);
        assert_true(pdf_writer_close(w, NULL, &err));
    }
    size_t n1, n2;
    char *d1 = read_all(f1, &n1), *d2 = read_all(f2, &n2);
    assert_int_equal(n1, n2);
    assert_memory_equal(d1, d2, n1);
    free(d1);
    free(d2);
    folio_arena_free(&a);
}

/* A statement the writer cannot represent fails at add, in order, with the
 * message add_statement gives; a statement prepared for other options is
 * refused. */
static void add_then_fail(folio_dl_statement *good, folio_dl_statement *bad,
                          const folio_pdf_options *prep_opt, bool prepared, folio_error *err)
{
    folio_pdf_options o = options(6);
    folio_pdf_writer *w = pdf_writer_open("/tmp/never.pdf", fonts3, 3, &o, err);
    assert_non_null(w);
    if (prepared) {
        folio_pdf_prepared *p1 = pdf_prepare_statement(fonts3, 3, &o, good, err);
        folio_pdf_prepared *p2 = pdf_prepare_statement(fonts3, 3, prep_opt, bad, err);
        assert_non_null(p1);
        assert_non_null(p2);
        assert_int_equal(err->code, 0);      /* kept in p2, not reported yet */
        assert_true(pdf_writer_add_prepared(w, p1, err));
        assert_false(pdf_writer_add_prepared(w, p2, err));
        pdf_prepared_free(p1);
        pdf_prepared_free(p2);
    } else {
        assert_true(pdf_writer_add_statement(w, good, err));
        assert_false(pdf_writer_add_statement(w, bad, err));
    }
    pdf_writer_abort(w);
    assert_int_equal(access("/tmp/never.pdf", F_OK), -1);
}

/* ---- issue 11: 1-byte codes (pdf-enc1.h) ------------------------------------ */

static int u8put(unsigned c, char *o)
{
    if (c < 0x80) {
        o[0] = (char)c;
        return 1;
    }
    if (c < 0x800) {
        o[0] = (char)(0xC0 | c >> 6);
        o[1] = (char)(0x80 | (c & 0x3F));
        return 2;
    }
    o[0] = (char)(0xE0 | c >> 12);
    o[1] = (char)(0x80 | ((c >> 6) & 0x3F));
    o[2] = (char)(0x80 | (c & 0x3F));
    return 3;
}

#define HAS(raw, len, lit) memmem(raw, len, lit, sizeof lit - 1)

/* Lines mixing scripts, each character class switching between the 1-byte
 * twin and the 2-byte font inside one text op. */
static const char *const enc1_lines[] = {
    "Plain ASCII (parens) \\ back-slash 12,345.67",
    "Zo\xc3\xab \xc3\x9cnal \xe2\x80\x93 5 \xe2\x82\xac \xe2\x80\x9cquoted\xe2\x80\x9d "
    "\xc2\xa3\xc2\xa5 \xe2\x82\xb9\xe2\x82\xbd \xe2\x88\x92" "1",            /* Zoë Ünal – 5 € “” £¥ ₹₽ −1 */
    "\xd0\x98\xd0\xb2\xd0\xb0\xd0\xbd \xd0\x9f\xd0\xb5\xd1\x82\xd1\x80\xd0\xbe\xd0\xb2", /* Иван Петров */
    "Smith \xd0\x98\xd0\xb2\xd0\xb0\xd0\xbd \xce\x95\xce\xbb\xce\xad\xce\xbd\xce\xb7 "
    "\xe7\x8e\x8b\xe5\xb0\x8f\xe6\x98\x8e 5\xe2\x82\xac",   /* Smith Иван Ελένη 王小明 5€ */
    "\xc5\x81\xc3\xb3" "d\xc5\xba \xc5\xa0koda \xc5\x92uvre Ng\xe1\xbb\xb3" "en",  /* Łódź Škoda Œuvre Ngỳen */
};

/* Text s in lines of 30 characters from y on (a line must fit the page for
 * pdftotext); returns the next y. */
static int32_t enc1_lines_of(folio_dl_statement *st, folio_dl_page *pg, int font, int32_t y,
                             const char *s)
{
    for (size_t i = 0; s[i]; y += 300) {
        size_t j = i;
        for (int n = 0; n < 30 && s[j]; n++) {
            uint32_t cp;
            j += (size_t)folio_utf8_next(s + j, strlen(s + j), &cp);
        }
        char line[256];
        snprintf(line, sizeof line, "%.*s", (int)(j - i), s + i);
        add_text(st, pg, font, 400, y, 0, line);
        i = j;
    }
    return y;
}

/* A statement of enc1_lines, plus a line of every character of the 1-byte
 * encoding and a line of 300 other code points (> 256 distinct characters
 * in one document), written by a print writer (the 1-byte twins). */
static void enc1_write(const char *path, char *all, size_t all_cap, char *many,
                       size_t many_cap)
{
    size_t k = 0;
    for (unsigned b = 0x21; b < 0x100; b++) {        /* no space: one word */
        unsigned c = b >= 0x80 && b < 0xA0 ? enc1_hi[b - 0x80] : b;
        if (b == 0x7F || b == 0xA0 || b == 0xAD)
            continue;                            /* DEL, NBSP, soft hyphen */
        assert_true(k + 4 < all_cap);
        k += (size_t)u8put(c, all + k);
    }
    all[k] = 0;
    k = 0;
    for (unsigned c = 0x0410; c < 0x0410 + 64; c++)       /* Cyrillic */
        k += (size_t)u8put(c, many + k);
    for (unsigned c = 0x03B1; c < 0x03B1 + 25; c++)       /* Greek */
        k += (size_t)u8put(c, many + k);
    for (unsigned c = 0x4E00; c < 0x4E00 + 211; c++)      /* CJK */
        k += (size_t)u8put(c, many + k);
    assert_true(k < many_cap);
    many[k] = 0;

    folio_error err = { 0 };
    folio_pdf_options o = options(0);              /* raw content: read below */
    folio_pdf_writer *pw = pdf_writer_open(path, fonts2, 2, &o, &err);
    if (!pw)
        fail_msg("open: %s", err.msg);
    folio_arena a;
    folio_arena_init(&a, 1 << 16);
    folio_dl_statement *st = dlist_statement_new(&a, "ENC1", LETTER_W, LETTER_H);
    folio_dl_page *pg = dlist_page_add(st);
    assert_non_null(pg);
    int32_t y = 1440;
    for (size_t i = 0; i < sizeof enc1_lines / sizeof enc1_lines[0]; i++, y += 300)
        add_text(st, pg, (int)(i & 1), 400, y, 0, enc1_lines[i]);
    y = enc1_lines_of(st, pg, 0, y, all);
    /* Arabic with Latin (pdftotext orders it its own way: compared with
     * the 2-byte back end's text below) */
    add_text(st, pg, 0, 400, y, 0, "\xd9\x85\xd8\xad\xd9\x85\xd8\xaf Ahmed 5\xe2\x82\xac");
    y += 300;
    (void)enc1_lines_of(st, pg, 1, y, many);
    if (!pdf_writer_add_statement(pw, st, &err))
        fail_msg("add: %s", err.msg);
    folio_arena_free(&a);
    uint64_t bytes;
    if (!pdf_writer_close(pw, &bytes, &err))
        fail_msg("close: %s", err.msg);
}

static void test_one_byte_codes(void **state)
{
    (void)state;
    char path[4200];
    tmp_path(path, sizeof path, "enc1.pdf");
    static char all[1024], many[2048];
    enc1_write(path, all, sizeof all, many, sizeof many);
    check_valid(path);

    /* no tool complains; the text extracts exactly, every script */
    static const char *const tools[] = {
        "pdftotext '%s' -", "pdffonts '%s'", "pdfinfo '%s'", "qpdf --check '%s'",
    };
    for (size_t t = 0; t < sizeof tools / sizeof tools[0]; t++) {
        int status;
        char *err = tool_stderr(tools[t], path, &status);
        if (status != 0 || err[0])
            fail_msg("%s (exit %d) printed on stderr:\n%s", tools[t], status, err);
        free(err);
    }
    int status;
    char *txt = tool("pdftotext '%s' - 2>/dev/null", path, &status);
    assert_int_equal(status, 0);
    const char *want[8];
    int n = 0;
    for (size_t i = 0; i < sizeof enc1_lines / sizeof enc1_lines[0]; i++)
        want[n++] = enc1_lines[i];
    assert_in_order(txt, want, n);
    /* the 300 other code points, line by line, in order */
    char *flat = malloc(strlen(txt) + 1);
    assert_non_null(flat);
    size_t k = 0;
    for (const char *q = txt; *q; q++)
        if (*q != '\n' && *q != ' ')
            flat[k++] = *q;
    flat[k] = 0;
    if (!strstr(flat, many))
        fail_msg("the 300 code points do not extract:\n%s", txt);
    if (!strstr(flat, all))
        fail_msg("the 1-byte encoding's characters do not extract:\n%s", txt);
    free(flat);

    /* the same statement with 2-byte codes only (libharu back end): the
     * same text, Arabic included */
    char path2[4200];
    tmp_path(path2, sizeof path2, "enc1-2byte.pdf");
    setenv("FOLIO_PDF_BACKEND", "libharu", 1);
    enc1_write(path2, all, sizeof all, many, sizeof many);
    unsetenv("FOLIO_PDF_BACKEND");
    char *txt2 = tool("pdftotext '%s' - 2>/dev/null", path2, &status);
    assert_int_equal(status, 0);
    assert_string_equal(txt, txt2);
    free(txt2);
    free(txt);

    char *fonts = tool("pdffonts '%s' 2>/dev/null", path, &status);
    assert_int_equal(status, 0);
    assert_int_equal(count_faces(fonts), 2);
    free(fonts);

    /* the content: ASCII and Latin-1 one byte each (no NUL high bytes),
     * the 1-byte twin as /E1, the others 2-byte CIDs in /F1 /F2 */
    size_t len;
    char *raw = read_all(path, &len);
    assert_non_null(HAS(raw, len, "/E1 9 Tf\n0 0 0 rg\n20 720 Td\n"
                                  "(Plain ASCII \\(parens\\) \\\\ back-slash 12,345.67) Tj"));
    assert_non_null(HAS(raw, len, "/E2 9 Tf\n0 -15 Td\n(Zo\xeb \xdcnal \x96 5 \x80 \x93quoted\x94 "
                                  "\xa3\xa5 \x81\x8d \x9d" "1) Tj"));
    /* a short 1-byte run amid others stays in the 2-byte font (a font
     * switch costs more than it saves): one string for Иван Петров */
    assert_non_null(HAS(raw, len, "/F1 9 Tf\n0 -15 Td\n(\x04\x18\x04\x32\x04\x30\x04\x3d"
                                  "\x00 \x04\x1f"));
    assert_non_null(memmem(raw, len, "/CMapName /Folio-Enc1-H", 23));
    free(raw);
}

/* issue 11 (r-par): text all in ASCII takes a one-pass path; the file is
 * byte for byte the one the general loop writes (pdf_enc1_ascii_fast off),
 * for random ASCII texts of 0..60 characters (the 1-byte twin is chosen
 * by length: 18 characters and fewer stay in the current 2-byte font),
 * with ( ) \\ CR LF NUL, font, size and colour changes, and non-ASCII
 * texts between them (which leave the 2-byte font or the twin current). */
static void ascii_write(const char *path, unsigned seed)
{
    folio_error err = { 0 };
    folio_pdf_options o = options(0);
    folio_pdf_writer *pw = pdf_writer_open(path, fonts2, 2, &o, &err);
    if (!pw)
        fail_msg("open: %s", err.msg);
    folio_arena a;
    folio_arena_init(&a, 1 << 16);
    folio_dl_statement *st = dlist_statement_new(&a, "ASCII", LETTER_W, LETTER_H);
    static const char pick[] = "abcXYZ 0123456789.,-/#*()\\\r\n\0";
    static const char *const other[] = { "\xc3\xa9t\xc3\xa9", "\xd0\x98\xd0\xb2\xd0\xb0\xd0\xbd",
                                         "Zo\xc3\xab \xe2\x82\xac 5", "\xe7\x8e\x8b" };
    for (int pi = 0; pi < 4; pi++) {
        folio_dl_page *pg = dlist_page_add(st);
        assert_non_null(pg);
        for (int k = 0; k < 120; k++) {
            seed = seed * 1103515245u + 12345u;
            unsigned r = seed >> 8;
            char t[64];
            size_t n = r % 61;
            for (size_t i = 0; i < n; i++) {
                seed = seed * 1103515245u + 12345u;
                t[i] = pick[(seed >> 8) % (sizeof pick - 1)];
            }
            const char *s = t;
            if (r % 7 == 0) {
                s = other[(r >> 3) % 4];
                n = strlen(s);
            }
            int32_t size = r % 5 == 0 ? 200 : 180;
            uint32_t color = r % 3 == 0 ? 0x336699 : 0;
            assert_true(dlist_page_add_text(st, pg, (uint8_t)((r >> 5) % 2), size,
                                            400 + (int32_t)(r % 900), 1440 + k * 100, color,
                                            s, n, true));
        }
    }
    if (!pdf_writer_add_statement(pw, st, &err))
        fail_msg("add: %s", err.msg);
    folio_arena_free(&a);
    if (!pdf_writer_close(pw, NULL, &err))
        fail_msg("close: %s", err.msg);
}

static void test_ascii_fast_path(void **state)
{
    (void)state;
    for (unsigned seed = 1; seed <= 3; seed++) {
        char fast[4200], slow[4200];
        tmp_path(fast, sizeof fast, "ascii-fast.pdf");
        tmp_path(slow, sizeof slow, "ascii-slow.pdf");
        ascii_write(fast, seed);
        pdf_enc1_ascii_fast(false);
        ascii_write(slow, seed);
        pdf_enc1_ascii_fast(true);
        size_t n1, n2;
        char *d1 = read_all(fast, &n1), *d2 = read_all(slow, &n2);
        assert_int_equal(n1, n2);
        assert_memory_equal(d1, d2, n1);
        /* both kinds of text are there: the twin (/E) and 2-byte runs */
        assert_non_null(HAS(d1, n1, "/E1 9 Tf"));
        assert_non_null(HAS(d1, n1, "/F1 9 Tf"));
        free(d1);
        free(d2);
        check_valid(fast);
    }
}

static void test_prepared_errors(void **state)
{
    (void)state;
    folio_arena a;
    folio_arena_init(&a, 1 << 16);
    folio_pdf_options o = options(6), o1 = options(1);
    folio_dl_statement *good = make_statement3(&a, 5);
    folio_dl_statement *badfont = dlist_statement_new(&a, "BAD1", LETTER_W, LETTER_H);
    folio_dl_page *pg = dlist_page_add(badfont);
    assert_true(dlist_page_add_text(badfont, pg, 7, 180, 100, 100, 0, "x", 1, false));
    folio_dl_statement *badsize = dlist_statement_new(&a, "BAD2", 0, LETTER_H);
    assert_non_null(dlist_page_add(badsize));

    folio_dl_statement *bads[2] = { badfont, badsize };
    for (int i = 0; i < 2; i++) {
        folio_error e1 = { 0 }, e2 = { 0 };
        add_then_fail(good, bads[i], &o, false, &e1);
        add_then_fail(good, bads[i], &o, true, &e2);
        assert_int_not_equal(e1.code, 0);
        assert_int_equal(e1.code, e2.code);
        assert_string_equal(e1.msg, e2.msg);
    }
    folio_error e3 = { 0 };
    add_then_fail(good, good, &o1, true, &e3);     /* level 1, the writer's is 6 */
    assert_non_null(strstr(e3.msg, "prepared for other fonts or another compression"));
    folio_arena_free(&a);
}

static int cleanup(void **state)
{
    (void)state;
    char cmd[4200];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", tmpdir);
    return system(cmd) == 0 ? 0 : -1;
}

/* issue 11 (r-page): a print file's fonts map every code with a glyph,
 * found by walking libharu's cmap segments once; the codes are libharu's
 * own answers, code by code, for the sample fonts and the system's DejaVu
 * fonts (when installed: other cmaps, more segments). */
static void test_cover_codes(void **state)
{
    (void)state;
    assert_int_equal(pdf_cover_check(font_reg), 1);
    assert_int_equal(pdf_cover_check(font_bold), 1);
    const char *more[] = {"/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf",
                          "/usr/share/fonts/truetype/dejavu/DejaVuSerif-Bold.ttf",
                          "/usr/share/fonts/truetype/dejavu/DejaVuSansMono.ttf"};
    for (size_t i = 0; i < sizeof more / sizeof more[0]; i++)
        if (access(more[i], R_OK) == 0)
            assert_int_equal(pdf_cover_check(more[i]), 1);
}

int main(void)
{
    setlocale(LC_ALL, "");   /* make the decimal-comma check real */
    cli_tune_allocator();    /* as `folio run` (src/cli-process.c) */
    const char *root = getenv("FOLIO_ROOT");
    if (!root || !*root)
        root = ".";
    snprintf(font_reg, sizeof font_reg, "%s/fonts/LiberationSans-Regular.ttf", root);
    snprintf(font_bold, sizeof font_bold, "%s/fonts/LiberationSans-Bold.ttf", root);
    fonts2[0] = (folio_layout_font){ .name = "regular", .file = font_reg };
    fonts2[1] = (folio_layout_font){ .name = "bold", .file = font_bold };
    fonts3[0] = fonts2[0];
    fonts3[1] = fonts2[1];
    fonts3[2] = (folio_layout_font){ .name = "body", .file = font_reg };
    if (!mkdtemp(tmpdir)) {
        perror("mkdtemp");
        return 1;
    }
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_letter_text_fonts_info),
        cmocka_unit_test(test_a4_and_blank_back),
        cmocka_unit_test(test_backends_and_raw),
        cmocka_unit_test(test_no_decimal_comma),
        cmocka_unit_test(test_deterministic),
        cmocka_unit_test(test_concurrent_writers),
        cmocka_unit_test(test_tounicode),
        cmocka_unit_test(test_errors),
        cmocka_unit_test(test_written_as_it_fills),   /* issue 11 (r-speed) */
        cmocka_unit_test(test_prepared_in_threads),
        cmocka_unit_test(test_prepared_scratch),
        cmocka_unit_test(test_prepared_deflate_time),
        cmocka_unit_test(test_direct_pages_same_bytes),   /* issue 11 (r-pwrite) */
        cmocka_unit_test(test_prepared_errors),
        cmocka_unit_test(test_one_byte_codes),    /* issue 11 */
        cmocka_unit_test(test_ascii_fast_path),   /* issue 11 (r-par) */
        cmocka_unit_test(test_cover_codes),       /* issue 11 (r-page) */
    };
    return cmocka_run_group_tests(tests, NULL, cleanup);
}
