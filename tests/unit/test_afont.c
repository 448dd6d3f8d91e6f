/* SPDX-License-Identifier: Apache-2.0 */
/*
 * test_afont.c -- issue 11 (r-arch4): an archived (PDF/A) document's fonts
 * are written by folio (src/pdf-afont.c), not built by libharu:
 *
 *   - no HPDF_GetFont for an archived document whose fonts HarfBuzz reads
 *     (libharu's Type0/CIDFont constructor was ~2.3 M instructions a
 *     document); a print file still uses it (counted by interposing the
 *     symbol in this binary);
 *   - the objects are right: qpdf --check clean, every font embedded, a
 *     subset, with a ToUnicode map (pdffonts), CIDSystemInfo
 *     Adobe-Identity-0, text and every word's box equal to the same
 *     statement drawn with libharu's own CIDFont (so /W and the
 *     CIDToGIDMap give the same widths and glyphs, codes far up included:
 *     the euro sign, the bullet), tagged and untagged; a font the
 *     statement never draws is still embedded (the space alone).
 *
 * Needs fonts/LiberationSans-*.ttf (`make fonts`), the sRGB profile of
 * icc-profiles-free, qpdf and poppler-utils.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <dlfcn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <hpdf.h>

#include "folio/dlist.h"
#include "folio/job.h"
#include "folio/pdf.h"

static char tmpdir[] = "/tmp/folio-test-afont-XXXXXX";
static char font_reg[4096], font_bold[4096];
static unsigned char icc[65536];
static size_t icc_len;

/* HPDF_GetFont, counted: this definition wins over libharu's for folio's
 * calls (the executable's symbol), the real one is found next. */
static int getfont_calls;

HPDF_Font HPDF_GetFont(HPDF_Doc pdf, const char *font_name, const char *encoding_name)
{
    typedef HPDF_Font (*fn)(HPDF_Doc, const char *, const char *);
    static fn real;
    if (!real)
        real = (fn)dlsym(RTLD_NEXT, "HPDF_GetFont");
    getfont_calls++;
    return real ? real(pdf, font_name, encoding_name) : NULL;
}

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

static const char TEXT[] = "Balance 1.234,50 \xe2\x82\xac \xe2\x80\xa2 Zo\xc3\xab Nguy\xe1\xbb\x85n";

/* PDF/A document of one page drawing TEXT in the regular font (the bold
 * font drawn nowhere); `known`: the statement given at open (the archive's
 * way), else libharu's whole-font CIDFont.  Written to tmpdir/name. */
static void render(bool known, bool tagged, const char *name, char *path, size_t cap)
{
    folio_arena arena;
    folio_arena_init(&arena, 64 * 1024);
    folio_dl_statement *st = dlist_statement_new(&arena, "H1", 12240, 15840);
    folio_dl_page *pg = dlist_page_add(st);
    assert_true(dlist_page_add_text(st, pg, 0, 200, 1440, 1440, 0x000000, TEXT,
                                    strlen(TEXT), true));
    assert_true(dlist_page_add_text(st, pg, 0, 200, 1440, 2880, 0x000000, "Page 1", 6, true));
    folio_layout_font fonts[2] = {{.name = "regular", .file = font_reg},
                                  {.name = "bold", .file = font_bold}};
    folio_pdf_options po = {.title = "statement", .author = "bank", .subject = "H1",
                            .compression = 1};
    assert_true(folio_date_from_ymd(2026, 11, 1, &po.doc_date));
    folio_pdfa_options pa = {.keywords = "household=H1", .identifier = "statements-H1",
                             .icc = icc, .icc_len = icc_len, .statement = known ? st : NULL,
                             .tagged = tagged, .lang = "en"};
    folio_error err = {0};
    folio_pdf_writer *w = pdf_writer_open_pdfa("H1.pdf", fonts, 2, &po, &pa, &err);
    assert_non_null(w);
    assert_true(pdf_writer_add_statement(w, st, &err));
    folio_buf out;
    folio_buf_init(&out, 1 << 26);
    assert_true(pdf_writer_close_mem(w, &out, &err));
    snprintf(path, cap, "%s/%s", tmpdir, name);
    FILE *fp = fopen(path, "wb");
    assert_non_null(fp);
    assert_int_equal(fwrite(out.data, 1, out.len, fp), out.len);
    fclose(fp);
    folio_buf_free(&out);
    folio_arena_free(&arena);
}

static void test_no_libharu_font(void **state)
{
    (void)state;
    char path[4200];
    getfont_calls = 0;
    render(true, false, "counted.pdf", path, sizeof path);
    assert_int_equal(getfont_calls, 0);
    render(true, true, "counted-tagged.pdf", path, sizeof path);
    assert_int_equal(getfont_calls, 0);
    /* libharu's font where the code points are not known (and in print
     * files): the counter sees the calls */
    render(false, false, "whole.pdf", path, sizeof path);
    assert_true(getfont_calls >= 2);
    unlink(path);
    snprintf(path, sizeof path, "%s/counted.pdf", tmpdir);
    unlink(path);
    snprintf(path, sizeof path, "%s/counted-tagged.pdf", tmpdir);
    unlink(path);
}

static void test_objects(void **state)
{
    (void)state;
    char own[4200], lib[4200], cmd[9000];
    static char res[65536], res2[65536];
    render(false, false, "libharu.pdf", lib, sizeof lib);
    for (int tagged = 0; tagged < 2; tagged++) {
        render(true, tagged, tagged ? "own-tagged.pdf" : "own.pdf", own, sizeof own);
        snprintf(cmd, sizeof cmd, "qpdf --check '%s' 2>&1", own);
        if (run(cmd, res, sizeof res) != 0)
            fail_msg("qpdf --check: %s", res);
        /* the page's font: embedded, subset, ToUnicode */
        snprintf(cmd, sizeof cmd, "pdffonts '%s' | tail -n +3 | awk '{print $(NF-4), $(NF-3), "
                 "$(NF-2)}'", own);
        assert_int_equal(run(cmd, res, sizeof res), 0);
        assert_string_equal(res, "yes yes yes\n");
        /* the CIDFont Adobe-Identity, its program embedded (qpdf drops the
         * bold font no page uses: written with the space, valid, unused) */
        snprintf(cmd, sizeof cmd, "qpdf --qdf --object-streams=disable '%s' - | "
                 "grep -a -c -e '/Ordering (Identity)' -e '/FontFile2 '", own);
        assert_int_equal(run(cmd, res, sizeof res), 0);
        assert_string_equal(res, "2\n");
        /* the same text, every word in the same box as libharu's CIDFont */
        snprintf(cmd, sizeof cmd, "pdftotext -bbox '%s' - | grep '<word'", lib);
        assert_int_equal(run(cmd, res2, sizeof res2), 0);
        snprintf(cmd, sizeof cmd, "pdftotext -bbox '%s' - | grep '<word'", own);
        assert_int_equal(run(cmd, res, sizeof res), 0);
        assert_string_equal(res, res2);
        assert_non_null(strstr(res, ">\xe2\x82\xac</word>"));
        assert_non_null(strstr(res, ">Nguy\xe1\xbb\x85n</word>"));
        /* and the same pixels */
        snprintf(cmd, sizeof cmd, "pdftoppm -r 72 -gray '%s' | cmp -s - <(pdftoppm -r 72 -gray '%s')"
                 " && echo same", own, lib);
        char bash[9400];
        snprintf(bash, sizeof bash, "bash -c \"%s\"", cmd);
        assert_int_equal(run(bash, res, sizeof res), 0);
        assert_string_equal(res, "same\n");
        unlink(own);
    }
    unlink(lib);
}

static int setup(void **state)
{
    (void)state;
    if (!mkdtemp(tmpdir))
        return -1;
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
        cmocka_unit_test(test_no_libharu_font),
        cmocka_unit_test(test_objects),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
