/* SPDX-License-Identifier: Apache-2.0 */
/*
 * test_archperf.c -- what makes an archived document cheap must not change
 * what it is (src/pdf.c PDF/A path, src/channels.c output.archive):
 *
 *   - glyph subsets: each embedded font program holds the glyphs the
 *     document draws and nothing else (hb-subset, glyph ids kept; .notdef
 *     keeps its outline), so a document drawing fewer letters embeds a
 *     smaller program, while each document's text, fonts and PDF/A checks
 *     stay as they were;
 *   - font programs served from memory and a libharu document kept between
 *     documents: the bytes equal those of a fresh document, in any order;
 *   - output.archive.compression: default 1, 0..9, bad values are job errors
 *     with file:line:col; it is also the deflate level of the font programs
 *     when 1..5, else 6 (issue 11 part 4);
 *   - the archive's appends run beside the rendering of the next batch: a zip
 *     that cannot be created in the middle of a run (its .part name is a
 *     directory) fails the run with the path, exit 1, and leaves no other
 *     .part and no zip behind (runs build/folio next to this test binary).
 *
 * Needs fonts/LiberationSans-*.ttf (`make fonts`), the sRGB profile of
 * icc-profiles-free, qpdf and poppler-utils.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>
#include <zlib.h>
#include <libdeflate.h>

#include "pdf_streams.h"

#include "folio/archive.h"
#include "folio/dlist.h"
#include "folio/job.h"
#include "folio/pdf.h"

static char tmpdir[] = "/tmp/folio-test-archperf-XXXXXX";
static char folio_bin[4200];                  /* ../folio from this binary */
static char font_reg[4096], font_bold[4096];
static unsigned char icc[65536];
static size_t icc_len;

static int run(const char *cmd, char *out, size_t cap)
{
    FILE *p = popen(cmd, "r");
    if (!p)
        return -1;
    size_t n = 0, k;
    char buf[4096];
    while ((k = fread(buf, 1, sizeof buf, p)) > 0)
        if (out && n + 1 < cap) {
            size_t c = k < cap - 1 - n ? k : cap - 1 - n;
            memcpy(out + n, buf, c);
            n += c;
        }
    if (out && cap)
        out[n] = 0;
    int st = pclose(p);
    return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

static int render_compression = 1;           /* output.archive.compression */

/* PDF/A document of one page drawing `text` in the regular font. */
static void render(const char *text, folio_pdf_reuse *ru, folio_buf *out)
{
    folio_arena arena;
    folio_arena_init(&arena, 64 * 1024);
    folio_dl_statement *st = dlist_statement_new(&arena, "H1", 12240, 15840);
    folio_dl_page *pg = dlist_page_add(st);
    assert_true(dlist_page_add_text(st, pg, 0, 200, 1440, 1440, 0x000000, text, strlen(text),
                                    true));
    folio_layout_font fonts[2] = {{.name = "regular", .file = font_reg},
                                  {.name = "bold", .file = font_bold}};
    folio_pdf_options po = {.title = "statement", .author = "bank", .subject = "H1",
                            .compression = render_compression};
    assert_true(folio_date_from_ymd(2026, 11, 1, &po.doc_date));
    folio_pdfa_options pa = {.keywords = "household=H1", .identifier = "statements-H1",
                             .icc = icc, .icc_len = icc_len, .statement = st, .reuse = ru};
    folio_error err = {0};
    folio_pdf_writer *w = pdf_writer_open_pdfa("H1.pdf", fonts, 2, &po, &pa, &err);
    assert_non_null(w);
    assert_true(pdf_writer_add_statement(w, st, &err));
    folio_buf_init(out, 1 << 26);
    assert_true(pdf_writer_close_mem(w, out, &err));
    folio_arena_free(&arena);
}

/* Where each program font_programs found starts in prog. */
static size_t prog_off[8];

/* The TrueType programs (inflated FontFile2 streams) of a PDF, in file
 * order, concatenated into prog (each at prog_off[i]); returns how many. */
static int font_programs(const folio_buf *pdf, folio_buf *prog)
{
    int n = 0;
    static unsigned char raw[4 << 20];
    const unsigned char *z;
    size_t pos = 0, zlen, got;
    while (pdf_next_stream(pdf->data, pdf->len, &pos, raw, sizeof raw, &z, &zlen, &got))
        if (got > 12 && !memcmp(raw, "\0\1\0\0", 4) &&
            memmem(raw, 12 + 16 * 20 < got ? 12 + 16 * 20 : got, "glyf", 4)) {
            if (n < 8)
                prog_off[n] = prog->len;
            folio_buf_append(prog, raw, got);
            n++;
        }
    return n;
}

static unsigned be16(const unsigned char *p)
{
    return (unsigned)p[0] << 8 | p[1];
}

static unsigned long be32(const unsigned char *p)
{
    return (unsigned long)p[0] << 24 | (unsigned long)p[1] << 16 | (unsigned long)p[2] << 8 |
           p[3];
}

/* Glyphs with an outline (a non-empty loca entry) in TrueType program k
 * of prog (font_programs); -1 when a table is missing. */
static int ttf_outlines(const folio_buf *prog, int k)
{
    const unsigned char *t = (const unsigned char *)prog->data + prog_off[k];
    const unsigned char *head = NULL, *loca = NULL, *maxp = NULL;
    for (unsigned i = 0, n = be16(t + 4); i < n; i++) {
        const unsigned char *r = t + 12 + 16 * i;
        const unsigned char *at = t + be32(r + 8);
        if (!memcmp(r, "head", 4))
            head = at;
        else if (!memcmp(r, "loca", 4))
            loca = at;
        else if (!memcmp(r, "maxp", 4))
            maxp = at;
    }
    if (!head || !loca || !maxp)
        return -1;
    int longloca = be16(head + 50) != 0, count = 0;
    for (unsigned g = 0, n = be16(maxp + 4); g < n; g++) {
        unsigned long a = longloca ? be32(loca + 4 * g) : 2ul * be16(loca + 2 * g);
        unsigned long b = longloca ? be32(loca + 4 * g + 4) : 2ul * be16(loca + 2 * g + 2);
        count += b > a;
    }
    return count;
}

static void save(const folio_buf *b, const char *name, char *path, size_t cap)
{
    snprintf(path, cap, "%s/%s", tmpdir, name);
    FILE *fp = fopen(path, "wb");
    assert_non_null(fp);
    assert_int_equal(fwrite(b->data, 1, b->len, fp), b->len);
    fclose(fp);
}

static void test_glyph_subsets(void **state)
{
    (void)state;
    /* ư (U+01B0) and ơ (U+01A1): one block, U+0180..U+01BF, outside the
     * standard set; ễ (U+1EC5) another block */
    const char *ascii = "Truong Van Anh";
    const char *both = "Tr\xc6\xb0\xc6\xa1ng V\xc4\x83n Anh";
    const char *one = "T\xc6\xb0 Anh";
    const char *other = "Nguy\xe1\xbb\x85n";
    folio_buf d_ascii, d_both, d_one, d_other, d_kept[4];
    render(ascii, NULL, &d_ascii);
    render(both, NULL, &d_both);
    render(one, NULL, &d_one);
    render(other, NULL, &d_other);

    folio_buf p_ascii, p_both, p_one, p_other;
    folio_buf_init(&p_ascii, 1 << 26);
    folio_buf_init(&p_both, 1 << 26);
    folio_buf_init(&p_one, 1 << 26);
    folio_buf_init(&p_other, 1 << 26);
    /* regular and bold: both embedded in a PDF/A document */
    /* exactly the glyphs drawn: "Truong Van Anh" has 10 letters with an
     * outline (T r u o n g V a A h; the space has none), plus .notdef; the
     * bold font draws nothing: .notdef alone (counted right after each
     * font_programs, which sets prog_off) */
    assert_int_equal(font_programs(&d_ascii, &p_ascii), 2);
    assert_int_equal(ttf_outlines(&p_ascii, 0), 11);
    assert_int_equal(ttf_outlines(&p_ascii, 1), 1);
    assert_int_equal(font_programs(&d_both, &p_both), 2);
    assert_int_equal(ttf_outlines(&p_both, 1), 1);
    /* "T\u01b0 Anh": T, u-horn, A, n, h and .notdef, and the components of
     * a composite u-horn (at most two) */
    assert_int_equal(font_programs(&d_one, &p_one), 2);
    int one_glyphs = ttf_outlines(&p_one, 0);
    assert_true(one_glyphs >= 6 && one_glyphs <= 8);
    assert_int_equal(font_programs(&d_other, &p_other), 2);
    /* fewer letters, a smaller program; other letters, another program */
    assert_true(p_one.len < p_both.len);
    assert_true(p_ascii.len < p_both.len);
    assert_true(p_other.len != p_both.len ||
                memcmp(p_other.data, p_both.data, p_both.len) != 0);

    /* a kept libharu document (fonts served from memory, glyph flags left by
     * the previous document) writes the same bytes as a fresh one */
    folio_pdf_reuse *ru = pdf_reuse_new();
    assert_non_null(ru);
    const char *order[4] = {other, both, ascii, one};
    const folio_buf *fresh[4] = {&d_other, &d_both, &d_ascii, &d_one};
    for (int k = 0; k < 4; k++) {
        render(order[k], ru, &d_kept[k]);
        assert_int_equal(d_kept[k].len, fresh[k]->len);
        assert_memory_equal(d_kept[k].data, fresh[k]->data, fresh[k]->len);
    }
    pdf_reuse_free(ru);

    /* the documents are still what they were: valid, fonts embedded, text */
    char path[4200], cmd[9000];
    static char res[65536];
    const folio_buf *docs[2] = {&d_both, &d_other};
    const char *texts[2] = {both, other};
    for (int k = 0; k < 2; k++) {
        save(docs[k], k ? "other.pdf" : "both.pdf", path, sizeof path);
        snprintf(cmd, sizeof cmd, "qpdf --check '%s' 2>&1", path);
        assert_int_equal(run(cmd, res, sizeof res), 0);
        snprintf(cmd, sizeof cmd, "pdffonts '%s' | tail -n +3 | awk '{print $(NF-4)}' | "
                 "sort -u", path);
        assert_int_equal(run(cmd, res, sizeof res), 0);
        assert_string_equal(res, "yes\n");
        snprintf(cmd, sizeof cmd, "pdftotext '%s' - 2>&1", path);
        assert_int_equal(run(cmd, res, sizeof res), 0);
        if (!strstr(res, texts[k]))
            fail_msg("pdftotext: '%s' not in '%s'", texts[k], res);
        snprintf(cmd, sizeof cmd, "pdfinfo -meta '%s'", path);
        assert_int_equal(run(cmd, res, sizeof res), 0);
        assert_non_null(strstr(res, "<pdfaid:part>1</pdfaid:part>"));
        unlink(path);
    }
    folio_buf_free(&d_ascii);
    folio_buf_free(&d_both);
    folio_buf_free(&d_one);
    folio_buf_free(&d_other);
    for (int k = 0; k < 4; k++)
        folio_buf_free(&d_kept[k]);
    folio_buf_free(&p_ascii);
    folio_buf_free(&p_both);
    folio_buf_free(&p_one);
    folio_buf_free(&p_other);
}

/* ---- output.archive.compression ---------------------------------------------- */

static const char JOB_HEAD[] =
    "job: {name: J}\n"
    "statement: {date: 2026-11-01, period: {start: 2026-10-01, end: 2026-10-31}}\n"
    "bank: {name: B}\n"
    "layout: l.yaml\n"
    "feeds:\n"
    "  - {name: c, kind: customers, path: c.csv, columns: {customer_id: id, last_name: n, "
    "address1: a}}\n"
    "  - {name: a, kind: accounts, path: a.csv, product: checking, columns: {account_id: id, "
    "customer_id: c, closing_balance: b}}\n"
    "  - {name: t, kind: transactions, path: t.csv, columns: {account_id: a, date: d, "
    "amount: x}}\n";

static folio_job *load(const char *tail, folio_error *err, char *path, size_t cap)
{
    snprintf(path, cap, "%s/job.yaml", tmpdir);
    FILE *fp = fopen(path, "w");
    assert_non_null(fp);
    fputs(JOB_HEAD, fp);
    fputs(tail, fp);
    fclose(fp);
    memset(err, 0, sizeof *err);
    return job_load(path, err);
}

static void test_compression_key(void **state)
{
    (void)state;
    char path[4200];
    folio_error err;
    folio_job *j = load("", &err, path, sizeof path);
    if (!j)
        fail_msg("%s", err.msg);
    assert_int_equal(j->archive->compression, 1);
    assert_int_equal(j->compression, 1);           /* print keeps its own level */
    job_free(j);
    j = load("output:\n  archive:\n    compression: 9\n", &err, path, sizeof path);
    if (!j)
        fail_msg("%s", err.msg);
    assert_int_equal(j->archive->compression, 9);
    assert_int_equal(j->compression, 1);
    job_free(j);
    j = load("output:\n  archive:\n    compression: 0\n", &err, path, sizeof path);
    assert_non_null(j);
    assert_int_equal(j->archive->compression, 0);
    job_free(j);
    j = load("output:\n  archive:\n    compression: 10\n", &err, path, sizeof path);
    assert_null(j);
    assert_int_equal(err.code, FOLIO_EXIT_USAGE);
    char prefix[4300];
    snprintf(prefix, sizeof prefix, "%s:11:", path);
    if (strncmp(err.msg, prefix, strlen(prefix)) != 0 || !strstr(err.msg, "compression"))
        fail_msg("expected '%s...compression...', got '%s'", prefix, err.msg);
    unlink(path);
}

/* ---- a failure in the middle of the archive pipeline ------------------------- */

static void test_archive_fails_midway(void **state)
{
    (void)state;
    if (access(folio_bin, X_OK) != 0)
        fail_msg("%s: not found (build folio first)", folio_bin);
    char cmd[12000];
    static char res[65536];
    /* 300 households, 5 documents per zip: zips 0001, 0002 are written (and
     * several batches rendered) before 0003 cannot be created */
    snprintf(cmd, sizeof cmd,
             "set -e; cd '%s'; '%s' samples --households 300 --seed 5 --out f >/dev/null; "
             "sed -i 's/^output:/output:\\n  archive:\\n    max_documents: 5/' f/job.yaml; "
             "mkdir -p out/archive/statements-2026-10-01_2026-10-31-0003.zip.part; "
             "'%s' run f/job.yaml --out out --threads 2 --quiet 2>&1 || echo rc=$?",
             tmpdir, folio_bin, folio_bin);
    run(cmd, res, sizeof res);
    if (!strstr(res, "rc=1") ||
        !strstr(res, "statements-2026-10-01_2026-10-31-0003.zip.part: cannot create"))
        fail_msg("expected exit 1 naming the zip, got: %s", res);
    snprintf(cmd, sizeof cmd,
             "cd '%s/out' && find . -name '*.part' -o -name '*.zip' -o -name 'manifest.json' "
             "| sort", tmpdir);
    assert_int_equal(run(cmd, res, sizeof res), 0);
    assert_string_equal(res, "./archive/statements-2026-10-01_2026-10-31-0003.zip.part\n");
    snprintf(cmd, sizeof cmd, "rm -rf '%s/f' '%s/out'", tmpdir, tmpdir);
    assert_int_equal(run(cmd, NULL, 0), 0);
}

/* ---- font programs deflated at the document's level (issue 11) ------------- */

/* Check each FontFile2 stream (a zlib stream inflating to a TrueType
 * program) of pdf equals libdeflate's output at `level` for its program;
 * returns how many were checked. */
static int fonts_at_level(const folio_buf *pdf, int level)
{
    int n = 0;
    static unsigned char raw[4 << 20], again[4 << 20];
    struct libdeflate_compressor *c = libdeflate_alloc_compressor(level);
    assert_non_null(c);
    const unsigned char *z;
    size_t pos = 0, zlen, got;
    while (pdf_next_stream(pdf->data, pdf->len, &pos, raw, sizeof raw, &z, &zlen, &got))
        if (got > 12 && !memcmp(raw, "\0\1\0\0", 4)) {
            size_t k = libdeflate_zlib_compress(c, raw, got, again, sizeof again);
            if (k != zlen || memcmp(again, z, k) != 0)
                fail_msg("font program %d: %zu bytes, not libdeflate level %d's %zu", n, zlen,
                         level, k);
            n++;
        }
    libdeflate_free_compressor(c);
    return n;
}

static void test_font_level(void **state)
{
    (void)state;
    const int cases[][2] = {{1, 1}, {3, 3}, {6, 6}, {9, 6}, {0, 6}};   /* compression, level */
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        render_compression = cases[i][0];
        folio_buf pdf;
        render("Statement 123", NULL, &pdf);
        assert_int_equal(fonts_at_level(&pdf, cases[i][1]), 2);   /* regular, bold */
        folio_buf_free(&pdf);
    }
    render_compression = 1;
}

static int setup(void **state)
{
    (void)state;
    if (!mkdtemp(tmpdir))
        return -1;
    char self[4096];
    ssize_t k = readlink("/proc/self/exe", self, sizeof self - 1);
    if (k <= 0)
        return -1;
    self[k] = 0;
    char *slash = strrchr(self, '/');
    if (slash)
        *slash = 0;
    snprintf(folio_bin, sizeof folio_bin, "%s/../folio", self);
    const char *root = getenv("FOLIO_ROOT");
    snprintf(font_reg, sizeof font_reg, "%s/fonts/LiberationSans-Regular.ttf",
             root ? root : ".");
    snprintf(font_bold, sizeof font_bold, "%s/fonts/LiberationSans-Bold.ttf",
             root ? root : ".");
    FILE *fp = fopen("/usr/share/color/icc/sRGB.icc", "rb");
    if (!fp)
        return -1;
    icc_len = fread(icc, 1, sizeof icc, fp);
    fclose(fp);
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    rmdir(tmpdir);
    return 0;
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_glyph_subsets),
        cmocka_unit_test(test_compression_key),
        cmocka_unit_test(test_font_level),
        cmocka_unit_test(test_archive_fails_midway),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
