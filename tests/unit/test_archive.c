/* SPDX-License-Identifier: Apache-2.0 */
/*
 * test_archive.c -- the zip writer and reader (src/zip.c), PDF/A-1b
 * documents in memory (pdf_writer_set_pdfa, pdf_writer_close_mem), e-mail
 * address checks and account masking (src/channels.c, src/archive.c).
 *
 * The zips are checked by other programs too: `unzip -t`, `unzip -l` and
 * `python3 -m zipfile -t`.  A zip of 70,001 entries must carry ZIP64 end
 * records (more than 65,535 entries) and still open everywhere.  PDF/A
 * documents: qpdf --check, XMP declaring PDF/A-1b, pdffonts all embedded.
 *
 * Needs fonts/LiberationSans-*.ttf (`make fonts`) and
 * /usr/share/color/icc/sRGB.icc (icc-profiles-free).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <locale.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zlib.h>

#include "folio/archive.h"
#include "folio/dlist.h"
#include "folio/pdf.h"
#include "folio/zip.h"

static char tmpdir[] = "/tmp/folio-test-archive-XXXXXX";
static char font_reg[4096], font_bold[4096];

static void tmp_path(char *out, size_t cap, const char *name)
{
    snprintf(out, cap, "%s/%s", tmpdir, name);
}

/* Run a shell command; return its exit status and (optionally) stdout. */
static int run(const char *cmd, char *out, size_t cap)
{
    FILE *p = popen(cmd, "r");
    if (!p)
        return -1;
    size_t n = 0;
    char buf[4096];
    size_t k;
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

static uint32_t crc_of(const void *d, size_t n)
{
    return (uint32_t)crc32(crc32(0L, Z_NULL, 0), d, (uInt)n);
}

/* ---- zip ------------------------------------------------------------------ */

static void test_zip_small_roundtrip(void **state)
{
    (void)state;
    char path[4200];
    tmp_path(path, sizeof path, "small.zip");
    folio_error err = {0};
    folio_date d;
    assert_true(folio_date_from_ymd(2026, 11, 1, &d));
    folio_zip *z = zip_create(path, d, &err);
    assert_non_null(z);
    const char *a = "%PDF-1.4 first document\n";
    char big[20000];
    for (size_t i = 0; i < sizeof big; i++)
        big[i] = (char)('a' + i % 7);
    assert_true(zip_add(z, "a.pdf", a, strlen(a), FOLIO_ZIP_STORED, crc_of(a, strlen(a)), &err));
    assert_true(zip_add(z, "index.csv", big, sizeof big, FOLIO_ZIP_DEFLATED, 0, &err));
    assert_true(zip_add(z, "caf\xc3\xa9.txt", "x", 1, FOLIO_ZIP_STORED, crc_of("x", 1), &err));
    uint64_t bytes = 0;
    assert_true(zip_close(z, &bytes, &err));
    assert_true(bytes > 0 && bytes < sizeof big);      /* the index was deflated */

    folio_zip_reader *r = zip_open_read(path, &err);
    assert_non_null(r);
    assert_int_equal(r->n, 3);
    assert_false(r->zip64);
    assert_string_equal(r->entries[0].name, "a.pdf");
    assert_int_equal(r->entries[0].method, FOLIO_ZIP_STORED);
    assert_int_equal(r->entries[1].method, FOLIO_ZIP_DEFLATED);
    assert_int_equal(r->entries[2].flags & (1u << 11), 1u << 11);   /* UTF-8 name */
    void *own = NULL;
    const unsigned char *p = zip_entry_data(r, 1, &own, &err);
    assert_non_null(p);
    assert_memory_equal(p, big, sizeof big);
    free(own);
    p = zip_entry_data(r, 0, &own, &err);
    assert_non_null(p);
    assert_memory_equal(p, a, strlen(a));
    assert_null(own);
    assert_int_equal(zip_find(r, "index.csv"), 1);
    assert_int_equal(zip_find(r, "nope"), -1);
    zip_close_read(r);

    char cmd[4400], out[8192];
    snprintf(cmd, sizeof cmd, "unzip -tq '%s'", path);
    assert_int_equal(run(cmd, out, sizeof out), 0);
    snprintf(cmd, sizeof cmd, "python3 -m zipfile -t '%s'", path);
    assert_int_equal(run(cmd, out, sizeof out), 0);

    /* a changed byte in a stored document fails its CRC */
    FILE *fp = fopen(path, "r+b");
    assert_non_null(fp);
    fseek(fp, 30 + 5 + 3, SEEK_SET);     /* inside a.pdf's data */
    fputc('X', fp);
    fclose(fp);
    r = zip_open_read(path, &err);
    assert_non_null(r);
    folio_error e2 = {0};
    assert_null(zip_entry_data(r, 0, &own, &e2));
    assert_non_null(strstr(e2.msg, "CRC-32"));
    zip_close_read(r);
    snprintf(cmd, sizeof cmd, "unzip -tq '%s' >/dev/null 2>&1", path);
    assert_int_not_equal(run(cmd, NULL, 0), 0);

    /* a truncated file is not a zip */
    assert_int_equal(truncate(path, 100), 0);
    folio_error e3 = {0};
    assert_null(zip_open_read(path, &e3));
    assert_non_null(strstr(e3.msg, "not a valid zip"));
}

/* More than 65,535 entries: ZIP64 end records, and every tool reads it. */
/* r-arch (issue 11): the digest zip_close_sha256 takes while writing is the
 * SHA-256 of the file on disk (central directory and end records included);
 * a zip not hashed from its first byte is refused. */
static void test_zip_hash_while_writing(void **state)
{
    (void)state;
    char path[4200];
    tmp_path(path, sizeof path, "hashed.zip");
    folio_error err = {0};
    folio_zip *z = zip_create(path, 0, &err);
    assert_non_null(z);
    assert_true(zip_hash_start(z, &err));
    char big[30000];
    for (size_t i = 0; i < sizeof big; i++)
        big[i] = (char)('a' + i % 11);
    assert_true(zip_add(z, "a.pdf", big, 1000, FOLIO_ZIP_STORED, crc_of(big, 1000), &err));
    assert_true(zip_add(z, "index.csv", big, sizeof big, FOLIO_ZIP_DEFLATED, 0, &err));
    uint64_t bytes = 0;
    char hex[65], file_hex[65];
    assert_true(zip_close_sha256(z, &bytes, hex, &err));
    uint64_t fbytes = 0;
    assert_true(folio_sha256_file(path, file_hex, &fbytes, &err));
    assert_int_equal(fbytes, bytes);
    assert_string_equal(hex, file_hex);

    z = zip_create(path, 0, &err);                   /* not hashed: refused */
    assert_non_null(z);
    assert_true(zip_add(z, "a.pdf", big, 10, FOLIO_ZIP_STORED, crc_of(big, 10), &err));
    assert_false(zip_hash_start(z, &err));           /* too late */
    folio_error e2 = {0};
    assert_false(zip_close_sha256(z, &bytes, hex, &e2));
    assert_non_null(strstr(e2.msg, "not hashed"));
}

static void test_zip64_many_entries(void **state)
{
    (void)state;
    char path[4200];
    tmp_path(path, sizeof path, "many.zip");
    folio_error err = {0};
    folio_zip *z = zip_create(path, 0, &err);
    assert_non_null(z);
    enum { N = 70000 };
    for (int i = 0; i < N; i++) {
        char name[64], doc[96];
        snprintf(name, sizeof name, "doc-%06d.pdf", i);
        int n = snprintf(doc, sizeof doc, "%%PDF-1.4\n%% small document %d\n%%%%EOF\n", i);
        assert_true(zip_add(z, name, doc, (size_t)n, FOLIO_ZIP_STORED, crc_of(doc, (size_t)n),
                            &err));
    }
    const char idx[] = "document,pages\n";
    assert_true(zip_add(z, "index.csv", idx, sizeof idx - 1, FOLIO_ZIP_DEFLATED, 0, &err));
    assert_int_equal(zip_entries(z), N + 1);
    uint64_t bytes = 0;
    assert_true(zip_close(z, &bytes, &err));

    folio_zip_reader *r = zip_open_read(path, &err);
    assert_non_null(r);
    assert_true(r->zip64);
    assert_int_equal(r->n, N + 1);
    for (size_t i = 0; i < r->n; i += 997) {
        void *own = NULL;
        assert_non_null(zip_entry_data(r, i, &own, &err));
        free(own);
    }
    assert_string_equal(r->entries[N - 1].name, "doc-069999.pdf");
    zip_close_read(r);

    char cmd[4400], out[4096];
    /* unzip's totals line and its CRC test of every entry (unzip -l and
     * python's zipfile -t say the same but take seconds over 70,001
     * entries; make test runs this twice) */
    snprintf(cmd, sizeof cmd, "unzip -Zt '%s'", path);
    assert_int_equal(run(cmd, out, sizeof out), 0);
    assert_non_null(strstr(out, "70001 files"));
    snprintf(cmd, sizeof cmd, "unzip -tq '%s'", path);
    assert_int_equal(run(cmd, out, sizeof out), 0);
    assert_non_null(strstr(out, "No errors detected"));
    snprintf(cmd, sizeof cmd,
             "python3 -c \"import zipfile,sys; z=zipfile.ZipFile(sys.argv[1]); "
             "print(len(z.namelist()), z.read('doc-012345.pdf').decode().split()[-2])\" '%s'",
             path);
    assert_int_equal(run(cmd, out, sizeof out), 0);
    assert_string_equal(out, "70001 12345\n");
    unlink(path);
}

/* ---- PDF/A in memory -------------------------------------------------------- */

static void test_pdfa_document(void **state)
{
    (void)state;
    folio_arena arena;
    folio_arena_init(&arena, 64 * 1024);
    folio_dl_statement *st = dlist_statement_new(&arena, "H1", 12240, 15840);
    folio_dl_page *pg = dlist_page_add(st);
    const char *t1 = "Statement for Zo\xc3\xab & Ann <Smith>";
    assert_true(dlist_page_add_text(st, pg, 0, 200, 1440, 1440, 0x000000, t1, strlen(t1), true));
    pg = dlist_page_add(st);
    assert_true(dlist_page_add_text(st, pg, 1, 180, 1440, 2000, 0x333333, "Page 2", 6, true));

    FILE *fp = fopen("/usr/share/color/icc/sRGB.icc", "rb");
    assert_non_null(fp);
    static unsigned char icc[65536];
    size_t icc_len = fread(icc, 1, sizeof icc, fp);
    fclose(fp);

    folio_layout_font fonts[2] = {{.name = "regular", .file = font_reg},
                                  {.name = "bold", .file = font_bold}};
    folio_pdf_options po = {.title = "Banque Cr\xc3\xa9" "dit statement 2026-10",
                            .author = "Banque Cr\xc3\xa9" "dit", .subject = "household H1",
                            .compression = 6};
    assert_true(folio_date_from_ymd(2026, 11, 1, &po.doc_date));
    folio_pdfa_options pa = {.keywords = "household=H1; period=2026-10-01/2026-10-31",
                             .identifier = "statements-H1-2026-10-01_2026-10-31",
                             .icc = icc, .icc_len = icc_len};
    /* [0], [1]: fonts narrowed to the statement's code points, twice;
     * [2]: libharu's full font mapping -- the same text either way */
    folio_buf out[3];
    for (int k = 0; k < 3; k++) {
        folio_error err = {0};
        pa.statement = k < 2 ? st : NULL;
        folio_pdf_writer *w = pdf_writer_open_pdfa("H1.pdf", fonts, 2, &po, &pa, &err);
        assert_non_null(w);
        assert_true(pdf_writer_add_statement(w, st, &err));
        folio_buf_init(&out[k], 1 << 26);
        assert_true(pdf_writer_close_mem(w, &out[k], &err));
    }
    /* no clock in the file: two renderings are byte-identical */
    assert_int_equal(out[0].len, out[1].len);
    assert_memory_equal(out[0].data, out[1].data, out[0].len);
    assert_memory_equal(out[0].data, "%PDF-1.4", 8);

    char path[4200], cmd[9000];
    static char res[65536];
    tmp_path(path, sizeof path, "pdfa.pdf");
    fp = fopen(path, "wb");
    assert_non_null(fp);
    assert_int_equal(fwrite(out[0].data, 1, out[0].len, fp), out[0].len);
    fclose(fp);
    snprintf(cmd, sizeof cmd, "qpdf --check '%s' 2>&1", path);
    assert_int_equal(run(cmd, res, sizeof res), 0);
    /* XMP: PDF/A-1b, and the values of the info dictionary */
    snprintf(cmd, sizeof cmd, "pdfinfo -meta '%s'", path);
    assert_int_equal(run(cmd, res, sizeof res), 0);
    assert_non_null(strstr(res, "<pdfaid:part>1</pdfaid:part>"));
    assert_non_null(strstr(res, "<pdfaid:conformance>B</pdfaid:conformance>"));
    assert_non_null(strstr(res, "Banque Cr\xc3\xa9" "dit statement 2026-10"));
    assert_non_null(strstr(res, "<dc:identifier>statements-H1-2026-10-01_2026-10-31<"));
    assert_non_null(strstr(res, "<xmp:CreateDate>2026-11-01T00:00:00Z</xmp:CreateDate>"));
    /* output intent and ID */
    snprintf(cmd, sizeof cmd, "qpdf --show-object=trailer '%s'; qpdf --show-object=1 '%s'",
             path, path);
    assert_int_equal(run(cmd, res, sizeof res), 0);
    assert_non_null(strstr(res, "/ID ["));
    assert_non_null(strstr(res, "/GTS_PDFA1"));
    assert_non_null(strstr(res, "/DestOutputProfile"));
    snprintf(cmd, sizeof cmd, "pdffonts '%s' | tail -n +3 | awk '{print $(NF-4)}' | sort -u",
             path);
    assert_int_equal(run(cmd, res, sizeof res), 0);
    assert_string_equal(res, "yes\n");
    snprintf(cmd, sizeof cmd, "pdftotext '%s' - 2>&1", path);
    assert_int_equal(run(cmd, res, sizeof res), 0);
    assert_non_null(strstr(res, "Statement for Zo\xc3\xab & Ann <Smith>"));
    assert_non_null(strstr(res, "Page 2"));
    /* the same text and glyph widths with libharu's full mapping */
    static char res2[65536];
    char path2[4200];
    tmp_path(path2, sizeof path2, "pdfa-full.pdf");
    fp = fopen(path2, "wb");
    assert_non_null(fp);
    assert_int_equal(fwrite(out[2].data, 1, out[2].len, fp), out[2].len);
    fclose(fp);
    snprintf(cmd, sizeof cmd, "pdftotext -layout '%s' - 2>&1", path2);
    assert_int_equal(run(cmd, res2, sizeof res2), 0);
    snprintf(cmd, sizeof cmd, "pdftotext -layout '%s' - 2>&1", path);
    assert_int_equal(run(cmd, res, sizeof res), 0);
    assert_string_equal(res, res2);
    /* every glyph at the same place with the same width (a CID missing from
     * /W or the CIDToGIDMap would change a word's box) */
    snprintf(cmd, sizeof cmd, "pdftotext -bbox '%s' - | grep '<word'", path2);
    assert_int_equal(run(cmd, res2, sizeof res2), 0);
    snprintf(cmd, sizeof cmd, "pdftotext -bbox '%s' - | grep '<word'", path);
    assert_int_equal(run(cmd, res, sizeof res), 0);
    assert_string_equal(res, res2);
    snprintf(cmd, sizeof cmd, "qpdf --check '%s' 2>&1", path2);
    assert_int_equal(run(cmd, res2, sizeof res2), 0);
    for (int k = 0; k < 3; k++)
        folio_buf_free(&out[k]);
    folio_arena_free(&arena);
}

/* ---- channels and masking ---------------------------------------------------- */

static void test_email_valid(void **state)
{
    (void)state;
    const char *good[] = {"ann@example.com", "a.b+tag@mail.example.co.uk", "x_y-z@d-1.org"};
    const char *bad[] = {"", "ann", "ann@", "@example.com", "ann@example", "ann@@example.com",
                         "ann smith@example.com", "ann@exa mple.com", ".ann@example.com",
                         "ann.@example.com", "an..n@example.com", "ann@example..com",
                         "ann@-example.com", "ann@example-.com", "ann@ex_ample.com"};
    for (size_t i = 0; i < sizeof good / sizeof *good; i++) {
        const char *why = "set";
        assert_true(channel_email_valid(good[i], &why));
        assert_null(why);
    }
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        const char *why = NULL;
        assert_false(channel_email_valid(bad[i], &why));
        assert_non_null(why);
    }
    assert_false(channel_email_valid(NULL, NULL));
}

static void test_mask(void **state)
{
    (void)state;
    char out[64];
    archive_mask("CHK-00012345", true, out, sizeof out);
    assert_string_equal(out, "********2345");
    archive_mask("CHK-00012345", false, out, sizeof out);
    assert_string_equal(out, "CHK-00012345");
    archive_mask("123", true, out, sizeof out);
    assert_string_equal(out, "123");
}

static int cleanup(void **state)
{
    (void)state;
    char cmd[200];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", tmpdir);
    return system(cmd) == 0 ? 0 : -1;
}

int main(void)
{
    setlocale(LC_ALL, "");
    const char *root = getenv("FOLIO_ROOT");
    if (!root || !*root)
        root = ".";
    snprintf(font_reg, sizeof font_reg, "%s/fonts/LiberationSans-Regular.ttf", root);
    snprintf(font_bold, sizeof font_bold, "%s/fonts/LiberationSans-Bold.ttf", root);
    if (!mkdtemp(tmpdir)) {
        perror("mkdtemp");
        return 1;
    }
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_zip_small_roundtrip),
        cmocka_unit_test(test_zip64_many_entries),
        cmocka_unit_test(test_zip_hash_while_writing),
        cmocka_unit_test(test_pdfa_document),
        cmocka_unit_test(test_email_valid),
        cmocka_unit_test(test_mask),
    };
    return cmocka_run_group_tests(tests, NULL, cleanup);
}
