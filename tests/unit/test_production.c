/* SPDX-License-Identifier: Apache-2.0 */
/* Unit tests: print production (src/production.c) and the page counters of
 * `folio verify` (src/verify.c). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "folio/production.h"
#include "yamltree.h"

static char g_tmp[64];

/* ---- helpers ------------------------------------------------------------ */

static const char *write_tmp(const char *name, const void *data, size_t n)
{
    static char path[128];
    snprintf(path, sizeof path, "%s/%s", g_tmp, name);
    FILE *fp = fopen(path, "wb");
    assert_non_null(fp);
    assert_int_equal(fwrite(data, 1, n, fp), n);
    fclose(fp);
    return path;
}

/* Parse `yaml` (the body of an output: map) with production_options_read.
 * Returns the options or NULL with err set. */
static folio_production_options *read_opts(const char *yaml, folio_error *err)
{
    const char *path = write_tmp("job.yaml", yaml, strlen(yaml));
    memset(err, 0, sizeof *err);
    yt_doc *d = yt_load(path, err);
    assert_non_null(d);
    const yt_node *out = yt_get(d->root, "output");
    folio_production_options *o = NULL;
    bool ok = production_options_read(d, out, &o);
    yt_free(d);
    assert_true(ok == (o != NULL));
    return o;
}

static void expect_opts_fail(const char *yaml, int line, int col, const char *what)
{
    folio_error err;
    folio_production_options *o = read_opts(yaml, &err);
    if (o) {
        production_options_free(o);
        fail_msg("accepted, expected failure: %s", what);
    }
    char prefix[200];
    snprintf(prefix, sizeof prefix, "%s/job.yaml:%d:%d: ", g_tmp, line, col);
    if (strncmp(err.msg, prefix, strlen(prefix)) || !strstr(err.msg, what))
        fail_msg("expected '%s...%s', got '%s'", prefix, what, err.msg);
    assert_int_equal(err.code, FOLIO_EXIT_USAGE);
}

static folio_piece_input pin(const char *hh, const char *zip, const char *country,
                             uint32_t pages)
{
    folio_piece_input in = {.household = hh, .postal_code = zip, .country = country,
                            .state = "ME", .segment = "mass", .channel = 0, .pages = pages};
    return in;
}

static uint64_t rng_state = 88172645463325252ULL;
static uint32_t rnd(uint32_t n)
{
    rng_state ^= rng_state << 13;
    rng_state ^= rng_state >> 7;
    rng_state ^= rng_state << 17;
    return (uint32_t)(rng_state % n);
}

/* ---- stream assignment -------------------------------------------------- */

static void test_default_streams(void **state)
{
    (void)state;
    folio_production_options *o = production_options_default();
    assert_non_null(o);
    assert_int_equal(o->n_streams, 3);
    assert_string_equal(o->streams[0].name, "foreign");
    assert_string_equal(o->streams[1].name, "flats");
    assert_string_equal(o->streams[2].name, "letters");
    folio_piece_input a = pin("H1", "04101", "US", 3);
    assert_int_equal(production_stream_of(o, &a, false), 2);
    a.pages = 10;                                   /* 10 sheets: still a letter */
    assert_int_equal(production_stream_of(o, &a, false), 2);
    a.pages = 11;
    assert_int_equal(production_stream_of(o, &a, false), 1);
    a.pages = 30;                                   /* the 30-page household */
    assert_int_equal(production_stream_of(o, &a, false), 1);
    assert_int_equal(production_stream_of(o, &a, true), 1);   /* 15 sheets duplex */
    a.pages = 20;                                   /* 10 sheets duplex */
    assert_int_equal(production_stream_of(o, &a, true), 2);
    a.pages = 21;                                   /* 11 sheets duplex */
    assert_int_equal(production_stream_of(o, &a, true), 1);
    folio_piece_input f = pin("H2", "SW1A 1AA", "GB", 40);
    assert_int_equal(production_stream_of(o, &f, false), 0);  /* foreign before flats */
    f.country = "usa";
    assert_int_equal(production_stream_of(o, &f, false), 1);
    f.country = "";
    assert_int_equal(production_stream_of(o, &f, false), 1);  /* no country = domestic */
    assert_int_equal(production_serial_digits(NULL), 9);
    assert_int_equal(production_serial_digits("123456"), 9);
    assert_int_equal(production_serial_digits("123456789"), 6);
    production_options_free(o);
}

static const char STREAMS_YAML[] =
    "output:\n"
    "  streams:\n"
    "    - {name: branch, household_ids: [H9, H3]}\n"
    "    - {name: foreign, foreign: true}\n"
    "    - {name: vip, segment: [affluent, private], channel: both}\n"
    "    - {name: texas, state: [tx]}\n"
    "    - {name: mid, min_sheets: 3, max_sheets: 5}\n"
    "  pieces: {serial_start: 500, mailer_id: \"123456789\"}\n";

static void test_configured_streams(void **state)
{
    (void)state;
    folio_error err;
    folio_production_options *o = read_opts(STREAMS_YAML, &err);
    if (!o)
        fail_msg("%s", err.msg);
    assert_int_equal(o->n_streams, 6);
    assert_true(o->default_added);
    assert_string_equal(o->streams[5].name, "other");
    assert_int_equal(o->serial_start, 500);
    assert_string_equal(o->mailer_id, "123456789");
    folio_piece_input in = pin("H3", "04101", "US", 1);
    assert_int_equal(production_stream_of(o, &in, false), 0);  /* branch wins over all */
    in.country = "DE";
    assert_int_equal(production_stream_of(o, &in, false), 0);
    in.household = "H4";
    assert_int_equal(production_stream_of(o, &in, false), 1);
    in.country = "US";
    in.segment = "affluent";
    assert_int_equal(production_stream_of(o, &in, false), 5);  /* vip needs channel both */
    in.channel = 2;
    assert_int_equal(production_stream_of(o, &in, false), 2);
    in.segment = "mass";
    in.state = "TX";                                           /* states: any case */
    assert_int_equal(production_stream_of(o, &in, false), 3);
    in.state = "ME";
    in.pages = 3;
    assert_int_equal(production_stream_of(o, &in, false), 4);
    in.pages = 6;
    assert_int_equal(production_stream_of(o, &in, false), 5);
    in.pages = 10;                                             /* duplex: 5 sheets */
    assert_int_equal(production_stream_of(o, &in, true), 4);
    production_options_free(o);

    /* a last stream without conditions takes the rest: nothing added */
    o = read_opts("output:\n  streams:\n    - {name: big, min_sheets: 4}\n"
                  "    - {name: rest}\n", &err);
    assert_non_null(o);
    assert_int_equal(o->n_streams, 2);
    assert_false(o->default_added);
    assert_int_equal(o->serial_start, 1);
    assert_null(o->mailer_id);
    production_options_free(o);
    /* no output map at all: the defaults */
    o = read_opts("job: {name: x}\n", &err);
    assert_non_null(o);
    assert_int_equal(o->n_streams, 3);
    production_options_free(o);
}

static void test_streams_errors(void **state)
{
    (void)state;
    expect_opts_fail("output:\n  streams:\n    - {name: a, colour: red}\n", 3, 17,
                     "unknown key 'colour'");
    expect_opts_fail("output:\n  streams:\n    - {name: a}\n    - {name: a}\n", 4, 14,
                     "defined twice");
    expect_opts_fail("output:\n  streams:\n    - {name: suppressed}\n", 3, 14, "reserved");
    expect_opts_fail("output:\n  streams:\n    - {name: \"a b\"}\n", 3, 14, "letters, digits");
    expect_opts_fail("output:\n  streams:\n    - {name: a, min_sheets: 5, max_sheets: 4}\n",
                     3, 44, "below min_sheets");
    expect_opts_fail("output:\n  streams:\n    - {foreign: true}\n", 3, 7,
                     "missing required key 'name'");
    expect_opts_fail("output:\n  streams: []\n", 2, 12, "is empty");
    expect_opts_fail("output:\n  streams:\n    - {name: a, channel: email}\n", 3, 26,
                     "channel");
    expect_opts_fail("output:\n  streams:\n    - {name: a, segment: mass}\n", 3, 26,
                     "must be a list");
    expect_opts_fail("output:\n  pieces: {mailer_id: \"12345\"}\n", 2, 23, "6 or 9 digits");
    expect_opts_fail("output:\n  pieces: {mailer_id: \"123456789\", serial_start: 1000000}\n",
                     2, 50, "serial_start");
    expect_opts_fail("output:\n  streams:\n    - {name: other, min_sheets: 2}\n"
                     "    - {name: b, min_sheets: 1}\n", 3, 7, "'other'");
}

/* ---- presort ----------------------------------------------------------------- */

static void test_postal_key(void **state)
{
    (void)state;
    char k[24];
    assert_int_equal(production_postal_key("78701-1234", "US", k, sizeof k), 5);
    assert_string_equal(k, "78701");
    production_postal_key("787011234", "US", k, sizeof k);
    assert_string_equal(k, "78701");
    production_postal_key(" 04101 ", "", k, sizeof k);
    assert_string_equal(k, "04101");
    production_postal_key("sw1a 1aa", "GB", k, sizeof k);
    assert_string_equal(k, "SW1A1AA");
    production_postal_key("10115", "DE", k, sizeof k);
    assert_string_equal(k, "10115");
    assert_int_equal(production_postal_key(NULL, "US", k, sizeof k), 0);
    assert_string_equal(k, "");
    assert_int_equal(production_postal_key("ABCDEFGH", "GB", k, 4), 3);   /* capped */
    assert_string_equal(k, "ABC");
}

static void test_sort_order(void **state)
{
    (void)state;
    folio_production_options *o = production_options_default();
    folio_piece_input in[] = {
        pin("H5", "78701-1234", "US", 2), pin("H1", "78701", "US", 1),
        pin("H2", "04101", "US", 2),      pin("H9", "", "US", 1),
        pin("H3", "10115", "DE", 1),      pin("H4", "90210", "US", 30),
        pin("H0", "99501", "US", 1),      pin("H7", "75001", "FR", 1),
        pin("H8", "00501", "US", 12),
    };
    size_t n = sizeof in / sizeof in[0];
    folio_production_params pp = {.max_sheets = 2000};
    folio_error err = {0};
    folio_production_plan *p = production_plan_new(o, in, n, &pp, &err);
    assert_non_null(p);
    const char *want[] = {"H3", "H7", "H8", "H4", "H2", "H1", "H5", "H0", "H9"};
    assert_int_equal(p->n_pieces, n);
    for (size_t i = 0; i < n; i++)
        assert_string_equal(in[p->pieces[i].input].household, want[i]);
    assert_int_equal(p->n_files, 3);
    assert_string_equal(p->files[0].base, "statements-foreign-0001");
    assert_string_equal(p->files[1].base, "statements-flats-0001");
    assert_string_equal(p->files[2].base, "statements-letters-0001");
    assert_int_equal(p->streams[1].statements, 2);
    assert_int_equal(p->streams[1].sheets, 42);

    /* the same statements in any input order give the same print order */
    for (int round = 0; round < 20; round++) {
        folio_piece_input sh[sizeof in / sizeof in[0]];
        memcpy(sh, in, sizeof in);
        for (size_t i = n - 1; i > 0; i--) {
            size_t j = rnd((uint32_t)i + 1);
            folio_piece_input t = sh[i];
            sh[i] = sh[j];
            sh[j] = t;
        }
        folio_production_plan *q = production_plan_new(o, sh, n, &pp, &err);
        assert_non_null(q);
        for (size_t i = 0; i < n; i++) {
            assert_string_equal(sh[q->pieces[i].input].household, want[i]);
            assert_string_equal(q->pieces[i].id, p->pieces[i].id);
        }
        production_plan_free(q);
    }
    production_plan_free(p);
    production_options_free(o);
}

/* ---- splitting, pieces -------------------------------------------------------- */

static void check_split(size_t n, uint32_t max, bool duplex, uint32_t max_pages)
{
    folio_production_options *o = production_options_default();
    folio_piece_input *in = calloc(n, sizeof *in);
    char (*ids)[16] = calloc(n, sizeof *ids);
    char (*zips)[8] = calloc(n, sizeof *zips);
    static const char *const countries[] = {"US", "US", "US", "US", "US", "CA", "MX"};
    for (size_t i = 0; i < n; i++) {
        snprintf(ids[i], sizeof ids[i], "H%06zu", (i * 7919) % 1000003);
        snprintf(zips[i], sizeof zips[i], "%05u", rnd(100000));
        in[i] = pin(ids[i], zips[i], countries[rnd(7)], 1 + rnd(max_pages));
    }
    in[n / 2].pages = 2 * max + 7;      /* one statement above the maximum */
    folio_production_params pp = {.duplex = duplex, .max_sheets = max, .prefix = "nov"};
    folio_error err = {0};
    folio_production_plan *p = production_plan_new(o, in, n, &pp, &err);
    if (!p)
        fail_msg("%s", err.msg);
    assert_int_equal(p->n_pieces, n);
    uint8_t *seen = calloc(n, 1);
    uint32_t oversize = 0;
    size_t piece = 0;
    for (size_t fi = 0; fi < p->n_files; fi++) {
        const folio_prod_file *f = &p->files[fi];
        assert_int_equal(f->first_piece, piece);    /* files tile the print order */
        assert_true(f->n_pieces > 0);
        uint32_t sheets = 0, pages = 0;
        for (uint32_t k = 0; k < f->n_pieces; k++, piece++) {
            const folio_prod_piece *pc = &p->pieces[piece];
            assert_int_equal(pc->file, fi);
            assert_int_equal(pc->stream, f->stream);          /* never mixes streams */
            assert_int_equal(pc->first_page, pages + 1);      /* contiguous */
            uint32_t cp = in[pc->input].pages;
            assert_int_equal(pc->sheets, duplex ? (cp + 1) / 2 : cp);
            assert_int_equal(pc->pages, duplex ? cp + (cp & 1) : cp);
            assert_false(seen[pc->input]);                    /* each statement once */
            seen[pc->input] = 1;
            sheets += pc->sheets;
            pages += pc->pages;
        }
        assert_int_equal(f->sheets, sheets);
        assert_int_equal(f->pages, pages);
        if (f->sheets > max) {
            assert_int_equal(f->n_pieces, 1);                 /* only alone */
            assert_true(f->oversize);
            oversize++;
        } else {
            assert_false(f->oversize);
        }
        if (fi > 0 && p->files[fi - 1].stream == f->stream) {
            /* a file was closed only because the next statement did not fit */
            assert_true(p->files[fi - 1].sheets + p->pieces[f->first_piece].sheets > max);
        }
    }
    assert_int_equal(piece, n);
    assert_int_equal(oversize, p->oversize_files);
    assert_true(oversize >= 1);
    /* ids: sequential, unique; serials: start + index, 9 digits by default */
    for (size_t i = 0; i < n; i++) {
        assert_true(seen[i]);
        char want[24];
        snprintf(want, sizeof want, "P%07zu", i + 1);
        assert_string_equal(p->pieces[i].id, want);
        assert_int_equal(p->pieces[i].serial, 1 + i);
    }
    /* streams in configured order, each a run of files */
    uint32_t prev = 0;
    for (size_t fi = 0; fi < p->n_files; fi++) {
        assert_true(p->files[fi].stream >= prev);
        prev = p->files[fi].stream;
    }
    production_plan_free(p);
    free(seen);
    free(in);
    free(ids);
    free(zips);
    production_options_free(o);
}

static void test_split_simplex(void **state)
{
    (void)state;
    check_split(5000, 100, false, 14);
    check_split(300, 3, false, 4);
}

static void test_split_duplex(void **state)
{
    (void)state;
    check_split(5000, 100, true, 31);
    check_split(1000, 1, true, 2);        /* one sheet per file */
}

static void test_pieces_csv_and_serials(void **state)
{
    (void)state;
    folio_error err;
    folio_production_options *o = read_opts(
        "output:\n  streams:\n    - {name: letters}\n"
        "  pieces: {serial_start: 999998, mailer_id: \"123456789\"}\n", &err);
    assert_non_null(o);
    folio_piece_input in[] = {pin("H,2", "04102", "US", 3), pin("H1", "04101", "US", 2)};
    folio_production_params pp = {.duplex = true, .max_sheets = 10, .tag = "s01of02"};
    folio_production_plan *p = production_plan_new(o, in, 2, &pp, &err);
    assert_non_null(p);
    assert_int_equal(p->serial_digits, 6);
    assert_string_equal(p->files[0].base, "statements-letters-s01of02-0001");
    folio_buf b;
    folio_buf_init(&b, 1 << 20);
    assert_true(production_pieces_csv(p, 0, in, "statements-letters-s01of02-0001.pdf", &b));
    folio_buf_putc(&b, 0);
    assert_string_equal(b.data,
        "piece_id,household,sheets,pages,file,first_page,last_page,imb_serial,stream\n"
        "P0000001,H1,1,2,statements-letters-s01of02-0001.pdf,1,2,999998,letters\n"
        "P0000002,\"H,2\",2,4,statements-letters-s01of02-0001.pdf,3,6,999999,letters\n");
    folio_buf_free(&b);
    production_plan_free(p);
    /* a third piece would need serial 1000000: seven digits */
    folio_piece_input in3[] = {in[0], in[1], pin("H3", "1", "US", 1)};
    memset(&err, 0, sizeof err);
    assert_null(production_plan_new(o, in3, 3, &pp, &err));
    assert_non_null(strstr(err.msg, "serial numbers exhausted"));
    production_options_free(o);
    /* an empty run plans nothing */
    o = production_options_default();
    p = production_plan_new(o, NULL, 0, &pp, &err);
    assert_non_null(p);
    assert_int_equal(p->n_files, 0);
    assert_int_equal(p->n_pieces, 0);
    production_plan_free(p);
    production_options_free(o);
}

/* ---- page counters of folio verify ------------------------------------------ */

/* A PDF with n pages written by hand; with `update`, an incremental update
 * appends a new Pages object saying n + 1 (one more page) and an xref
 * section with /Prev. */
static size_t make_pdf(char *buf, size_t cap, int n, bool update)
{
    size_t off[64] = {0};
    size_t len = 0;
#define PUT(...) folio_str_appendf(buf, cap, &len, __VA_ARGS__)
    PUT("%%PDF-1.4\n%%\xe2\xe3\xcf\xd3\n");
    off[1] = len;
    PUT("1 0 obj\n<< /Type /Catalog /Pages 2 0 R >>\nendobj\n");
    off[2] = len;
    PUT("2 0 obj\n<< /Type /Pages /Kids [");
    for (int i = 0; i < n; i++)
        PUT("%d 0 R ", 3 + i);
    PUT("] /Count %d >>\nendobj\n", n);
    for (int i = 0; i < n; i++) {
        off[3 + i] = len;
        PUT("%d 0 obj\n<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] "
            "/Resources << /Font << /F1 << /Count 99 >> >> >> >>\nendobj\n", 3 + i);
    }
    size_t xref = len;
    PUT("xref\n0 %d\n0000000000 65535 f\r\n", 3 + n);
    for (int i = 1; i < 3 + n; i++)
        PUT("%010zu 00000 n\r\n", off[i]);
    PUT("trailer\n<< /Size %d /Info << /Title (a \\) /Root 9 0 R) >> /Root 1 0 R >>\n"
        "startxref\n%zu\n%%%%EOF\n", 3 + n, xref);
    if (update) {
        size_t o2 = len;
        PUT("2 0 obj\n<< /Kids [] /Count %d /Type /Pages >>\nendobj\n", n + 1);
        size_t x2 = len;
        PUT("xref\n2 1\n%010zu 00000 n\r\ntrailer\n<< /Size %d /Root 1 0 R /Prev %zu >>\n"
            "startxref\n%zu\n%%%%EOF\n", o2, 3 + n, xref, x2);
    }
#undef PUT
    assert_true(len < cap);
    return len;
}

/* Shards: piece ids carry the shard, and shard I of N draws serial_start +
 * (I-1) + k*N (issue 12: interleaved over the whole range, so two shards
 * never repeat a serial and no shard's share shrinks with N). */
static void test_shard_ids_and_serials(void **state)
{
    (void)state;
    folio_error err;
    folio_production_options *o = read_opts(
        "output:\n  streams:\n    - {name: letters}\n"
        "  pieces: {serial_start: 1, mailer_id: \"123456789\"}\n", &err);
    assert_non_null(o);
    folio_piece_input in[] = {pin("H1", "04101", "US", 1), pin("H2", "04102", "US", 1)};
    uint64_t first[4];
    for (int s = 1; s <= 4; s++) {
        folio_production_params pp = {.max_sheets = 10, .tag = "t", .shard_index = s,
                                      .shard_count = 4};
        folio_production_plan *p = production_plan_new(o, in, 2, &pp, &err);
        assert_non_null(p);
        char want[32];
        snprintf(want, sizeof want, "P%02d-0000001", s);
        assert_string_equal(p->pieces[0].id, want);
        first[s - 1] = p->pieces[0].serial;
        assert_int_equal(first[s - 1], 1 + (uint64_t)(s - 1));
        assert_int_equal(p->pieces[1].serial, first[s - 1] + 4);
        production_plan_free(p);
    }
    production_options_free(o);
    /* the last serials of the range: shard 4 of 4 from 999,993 draws 999,996
     * and 1,000,000 -- which does not fit 6 digits: an error, never a wrap */
    o = read_opts("output:\n  streams:\n    - {name: letters}\n"
                  "  pieces: {serial_start: 999993, mailer_id: \"123456789\"}\n", &err);
    assert_non_null(o);
    folio_production_params p3 = {.max_sheets = 10, .tag = "t", .shard_index = 3,
                                  .shard_count = 4};
    folio_production_plan *p = production_plan_new(o, in, 2, &p3, &err);
    assert_non_null(p);
    assert_int_equal(p->pieces[0].serial, 999995);
    assert_int_equal(p->pieces[1].serial, 999999);
    production_plan_free(p);
    folio_production_params p4 = {.max_sheets = 10, .tag = "t", .shard_index = 4,
                                  .shard_count = 4};
    memset(&err, 0, sizeof err);
    assert_null(production_plan_new(o, in, 2, &p4, &err));
    assert_non_null(strstr(err.msg, "IMb serial numbers exhausted"));
    production_options_free(o);
}

static void test_pdf_pages(void **state)
{
    (void)state;
    char *buf = malloc(1 << 16);
    uint32_t pages = 0;
    folio_error err = {0};
    for (int n = 0; n <= 7; n += 7) {
        size_t len = make_pdf(buf, 1 << 16, n, false);
        const char *path = write_tmp("a.pdf", buf, len);
        if (!production_pdf_pages(path, &pages, &err))
            fail_msg("%s", err.msg);
        assert_int_equal(pages, n);
    }
    size_t len = make_pdf(buf, 1 << 16, 5, true);
    const char *path = write_tmp("b.pdf", buf, len);
    assert_true(production_pdf_pages(path, &pages, &err));
    assert_int_equal(pages, 6);            /* the newest Pages object wins */
    /* a broken xref offset is reported, not guessed */
    len = make_pdf(buf, 1 << 16, 3, false);
    char *x = strstr(buf, "startxref\n") + 10;
    x[0] = x[0] == '1' ? '2' : '1';
    path = write_tmp("c.pdf", buf, len);
    memset(&err, 0, sizeof err);
    assert_false(production_pdf_pages(path, &pages, &err));
    assert_non_null(strstr(err.msg, "c.pdf"));
    /* truncated */
    len = make_pdf(buf, 1 << 16, 3, false);
    path = write_tmp("d.pdf", buf, len - 30);
    memset(&err, 0, sizeof err);
    assert_false(production_pdf_pages(path, &pages, &err));
    assert_non_null(strstr(err.msg, "startxref"));
    path = write_tmp("e.pdf", "hello", 5);
    memset(&err, 0, sizeof err);
    assert_false(production_pdf_pages(path, &pages, &err));
    free(buf);
}

static size_t sf(unsigned char *b, const unsigned char id[3], size_t data)
{
    size_t len = 8 + data;
    b[0] = 0x5A;
    b[1] = (unsigned char)(len >> 8);
    b[2] = (unsigned char)len;
    memcpy(b + 3, id, 3);
    memset(b + 6, 0, 3 + data);
    return 1 + len;
}

static void test_afp_pages(void **state)
{
    (void)state;
    static const unsigned char BDT[3] = {0xD3, 0xA8, 0xA8}, BPG[3] = {0xD3, 0xA8, 0xAF},
                               EPG[3] = {0xD3, 0xA9, 0xAF}, EDT[3] = {0xD3, 0xA9, 0xA8},
                               PTX[3] = {0xD3, 0xEE, 0x9B};
    unsigned char b[4096];
    size_t n = sf(b, BDT, 8);
    for (int i = 0; i < 4; i++) {
        n += sf(b + n, BPG, 8);
        n += sf(b + n, PTX, 100 + (size_t)i);
        b[n - 50] = 0x5A;                    /* 0x5A inside data is just data */
        n += sf(b + n, EPG, 8);
    }
    n += sf(b + n, EDT, 8);
    uint32_t pages = 0;
    folio_error err = {0};
    const char *path = write_tmp("a.afp", b, n);
    if (!production_afp_pages(path, &pages, &err))
        fail_msg("%s", err.msg);
    assert_int_equal(pages, 4);
    /* length one too long on the first BPG (offset 17): the chain breaks */
    b[17 + 2] += 1;
    path = write_tmp("b.afp", b, n);
    assert_false(production_afp_pages(path, &pages, &err));
    assert_non_null(strstr(err.msg, "offset 35: expected 0x5A"));
    b[17 + 2] -= 1;
    path = write_tmp("c.afp", b, n - 3);     /* truncated */
    memset(&err, 0, sizeof err);
    assert_false(production_afp_pages(path, &pages, &err));
    assert_non_null(strstr(err.msg, "past the end"));
}

static int setup(void **state)
{
    (void)state;
    snprintf(g_tmp, sizeof g_tmp, "/tmp/folio-test-production-XXXXXX");
    assert_non_null(mkdtemp(g_tmp));
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", g_tmp);
    return system(cmd) == 0 ? 0 : 1;
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_default_streams),
        cmocka_unit_test(test_configured_streams),
        cmocka_unit_test(test_streams_errors),
        cmocka_unit_test(test_postal_key),
        cmocka_unit_test(test_sort_order),
        cmocka_unit_test(test_split_simplex),
        cmocka_unit_test(test_split_duplex),
        cmocka_unit_test(test_pieces_csv_and_serials),
        cmocka_unit_test(test_shard_ids_and_serials),
        cmocka_unit_test(test_pdf_pages),
        cmocka_unit_test(test_afp_pages),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
