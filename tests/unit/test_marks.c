/* SPDX-License-Identifier: Apache-2.0 */
/* Unit tests: inserter marks and postal barcodes (src/marks.c).
 *
 * Everything is checked on the display list the module produces, decoded
 * back with code written here (not the module's):
 *   - OMR: marks -> track bits per sheet, compared with benchmark, set
 *     flags, parity and the wrap-around sequence computed independently;
 *   - DataMatrix: the page is written with the PDF writer, rasterised with
 *     pdftoppm at 300 dpi and decoded with dmtxread (Debian dmtx-utils);
 *   - IMb: bars -> A/D/F/T letters by height, compared with the USPS-B-3200
 *     published examples and with libzint's own module matrix.
 * Needs FOLIO_ROOT (layouts/, fonts/), pdftoppm and dmtxread on PATH.
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
#include <zint.h>

#include "folio/dlist.h"
#include "folio/fonts.h"
#include "folio/layout.h"
#include "folio/marks.h"
#include "folio/pdf.h"
#include "yamltree.h"

static char tmpdir[] = "/tmp/folio-marks-XXXXXX";
static folio_layout *L;

static char *root_path(const char *rel)
{
    const char *root = getenv("FOLIO_ROOT");
    static char buf[4][1024];
    static int k;
    char *b = buf[k++ & 3];
    snprintf(b, 1024, "%s/%s", root && *root ? root : ".", rel);
    return b;
}

/* ---- fixtures ------------------------------------------------------------- */

/* Load `output:` YAML text through the job-file readers.  Returns the
 * options (NULL when there is no marks key) or NULL with err set. */
static folio_marks_options *opts_from(const char *yaml, const char *pieces_mailer,
                                      folio_error *err)
{
    char path[256];
    snprintf(path, sizeof path, "%s/job.yaml", tmpdir);
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    fputs(yaml, f);
    fclose(f);
    folio_error_clear(err);
    yt_doc *d = yt_load(path, err);
    if (!d)
        return NULL;
    folio_marks_options *o = NULL;
    bool ok = marks_options_read(d, yt_get(d->root, "output"), pieces_mailer, &o);
    yt_free(d);
    if (!ok)
        assert_null(o);
    return o;
}

static folio_marks_options *opts_ok(const char *yaml, const char *pieces_mailer)
{
    folio_error err = {0};
    folio_marks_options *o = opts_from(yaml, pieces_mailer, &err);
    if (!o)
        fail_msg("options: %s", err.msg);
    return o;
}

/* A statement shaped like compose's output: the address block on page 1
 * (n_addr lines in the layout's address style), a body line on every page
 * at the body's left edge, a footer-like line in the bottom margin. */
static folio_dl_statement *statement(folio_arena *a, uint32_t pages, int n_addr,
                                     bool blank_last)
{
    folio_dl_statement *st = dlist_statement_new(a, "H1", L->page_w, L->page_h);
    assert_non_null(st);
    const folio_style *s = &L->styles[L->address_style];
    int32_t asc = (int32_t)((int64_t)fonts_ascent(L->fonts[s->font].metrics) * s->size / 1000);
    static const char *addr[6] = {"ANA PEREZ", "LUIS PEREZ", "12 MAIN ST", "APT 4",
                                  "PORTLAND ME 04101-1234", "USA"};
    for (uint32_t p = 0; p < pages; p++) {
        folio_dl_page *pg = dlist_page_add(st);
        assert_non_null(pg);
        if (blank_last && p == pages - 1) {
            pg->blank_back = true;
            continue;
        }
        if (p == 0)
            for (int i = 0; i < n_addr; i++)
                assert_true(dlist_page_add_text(st, pg, (uint8_t)s->font, s->size,
                                                L->address_x,
                                                L->address_y + asc + i * s->leading, 0,
                                                addr[i], strlen(addr[i]), false));
        int32_t top = p == 0 ? L->body_top_first : L->body_top;
        assert_true(dlist_page_add_text(st, pg, 0, 180, L->margin_left, top + 200, 0,
                                        "Account summary", 15, false));
        assert_true(dlist_page_add_box(st, pg, L->margin_left, top + 400,
                                       L->page_w - L->margin_left - L->margin_right, 300,
                                       0xEEEEEE, 0, 0));
        assert_true(dlist_page_add_text(st, pg, 0, 140, L->margin_left, 768 * 20, 0,
                                        "Member FDIC", 11, false));
    }
    return st;
}

/* ---- options ---------------------------------------------------------------- */

static void test_options_defaults(void **state)
{
    (void)state;
    folio_error err = {0};
    assert_null(opts_from("output:\n  dir: out\n", NULL, &err));
    assert_int_equal(err.code, 0);

    folio_marks_options *o = opts_ok("output:\n  marks:\n    omr: {}\n"
                                     "    imb: {service_type: \"040\"}\n", "123456");
    assert_true(o->omr_on && o->imb_on && !o->dm_on);
    folio_omr_options def;
    marks_omr_profile_default(&def);
    assert_memory_equal(&o->omr, &def, sizeof def);
    assert_int_equal(o->omr.n_tracks, 8);
    assert_int_equal(o->omr.x, 240);
    assert_int_equal(o->omr.pitch, 240);
    assert_string_equal(o->imb.mailer_id, "123456");
    assert_string_equal(o->imb.barcode_id, "00");
    assert_string_equal(o->imb.service_type, "040");
    assert_int_equal(o->imb.position, FOLIO_IMB_BELOW);
    assert_int_equal(o->omr_line, 3);
    assert_int_equal(o->omr_col, 10);
    marks_options_free(o);

    /* a custom profile: lengths in points, msb first, odd parity, 4 bits */
    o = opts_ok("output:\n  marks:\n    omr:\n      x: 10.5\n      y: 300\n      pitch: 9\n"
                "      length: 20\n      thickness: 1.25\n      clear_zone: 0\n"
                "      tracks: [benchmark, sequence, insert, parity, safety]\n"
                "      sequence_bits: 4\n      sequence_order: msb_first\n"
                "      parity: odd\n", NULL);
    assert_int_equal(o->omr.x, 210);
    assert_int_equal(o->omr.y, 6000);
    assert_int_equal(o->omr.pitch, 180);
    assert_int_equal(o->omr.thickness, 25);
    assert_int_equal(o->omr.n_tracks, 8);
    assert_int_equal(o->omr.tracks[1].kind, FOLIO_OMR_SEQUENCE);
    assert_int_equal(o->omr.tracks[1].bit, 3);
    assert_int_equal(o->omr.tracks[4].bit, 0);
    assert_int_equal(o->omr.tracks[5].kind, FOLIO_OMR_INSERT);
    assert_true(o->omr.parity_odd);
    marks_options_free(o);
}

static void test_options_errors(void **state)
{
    (void)state;
    static const struct {
        const char *yaml, *mailer, *want;
    } cases[] = {
        {"output:\n  marks:\n    omr: {}\n    colour: red\n", NULL,
         "job.yaml:4:5: unknown key 'colour' in 'output.marks'"},
        {"output:\n  marks:\n    omr: {}\n    datamatrix: {}\n", NULL,
         "job.yaml:4:17: 'output.marks' has both 'omr' and 'datamatrix'"},
        {"output:\n  marks:\n    omr: {tracks: [begin_set, safety]}\n", NULL,
         "must include 'benchmark'"},
        {"output:\n  marks:\n    omr: {tracks: [benchmark, parity, parity]}\n", NULL,
         "'output.marks.omr.tracks[2]': 'parity' is listed twice"},
        {"output:\n  marks:\n    omr: {tracks: [benchmark, end_set, insert]}\n", NULL,
         "both 'end_set' and 'insert'"},
        {"output:\n  marks:\n    omr: {tracks: [benchmark, stripe]}\n", NULL,
         "job.yaml:3:31: 'output.marks.omr.tracks[1]'"},
        {"output:\n  marks:\n    omr: {thickness: 8, pitch: 8}\n", NULL,
         "'output.marks.omr.thickness' must be less than its pitch"},
        {"output:\n  marks:\n    omr: {sequence_bits: 9}\n", NULL,
         "'output.marks.omr.sequence_bits'"},
        {"output:\n  marks:\n    omr: {length: 0}\n", NULL, "'output.marks.omr.length'"},
        {"output:\n  marks:\n    imb: {service_type: \"040\", barcode_id: \"05\"}\n", "123456",
         "job.yaml:3:44: 'output.marks.imb.barcode_id' must be 2 digits, the second 0-4, got '05'"},
        {"output:\n  marks:\n    imb: {service_type: \"40\"}\n", "123456",
         "'output.marks.imb.service_type' must be 3 digits"},
        {"output:\n  marks:\n    imb: {barcode_id: \"00\"}\n", "123456",
         "missing required key 'service_type'"},
        {"output:\n  marks:\n    imb: {service_type: \"040\", mailer_id: \"12345\"}\n", NULL,
         "'output.marks.imb.mailer_id' must be 6 or 9 digits"},
        {"output:\n  marks:\n    imb: {service_type: \"040\", mailer_id: \"12345a\"}\n", NULL,
         "'output.marks.imb.mailer_id' must be 6 or 9 digits"},
        {"output:\n  marks:\n    imb: {service_type: \"040\"}\n", NULL,
         "'output.marks.imb' needs a mailer id"},
        {"output:\n  marks:\n    imb: {service_type: \"040\", mailer_id: \"654321\"}\n", "123456",
         "they must be the same"},
        {"output:\n  marks:\n    imb: {service_type: \"040\", mailer_id: \"123456789\"}\n", NULL,
         "'output.marks.imb.mailer_id' has 9 digits"},
        {"output:\n  marks:\n    imb: {service_type: \"040\", position: left}\n", "123456",
         "'output.marks.imb.position'"},
        {"output:\n  marks:\n    datamatrix: {quiet_zone: 0}\n", NULL,
         "'output.marks.datamatrix.quiet_zone'"},
        {"output:\n  marks: [omr]\n", NULL, "'output.marks' must be a map"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        folio_error err = {0};
        folio_marks_options *o = opts_from(cases[i].yaml, cases[i].mailer, &err);
        if (o || err.code != FOLIO_EXIT_USAGE || !strstr(err.msg, cases[i].want))
            fail_msg("case %zu: got '%s', want '%s'", i, err.msg, cases[i].want);
    }
}

/* ---- layout check ------------------------------------------------------------ */

static void test_check_layout(void **state)
{
    (void)state;
    folio_error err = {0};
    folio_marks_options *o = opts_ok("output:\n  marks:\n    omr: {}\n", NULL);
    if (!marks_check_layout(o, L, &err))
        fail_msg("%s", err.msg);
    marks_options_free(o);

    /* marks that reach into the body (left margin is 48 pt) */
    o = opts_ok("output:\n  marks:\n    omr: {x: 30}\n", NULL);
    assert_false(marks_check_layout(o, L, &err));
    assert_int_equal(err.code, FOLIO_EXIT_USAGE);
    assert_non_null(strstr(err.msg, "job.yaml:3:10: 'output.marks.omr' (x 22.8..61.2 pt, "));
    assert_non_null(strstr(err.msg, "overlaps the body area"));
    marks_options_free(o);

    /* right margin: fine; off the page: not */
    folio_error_clear(&err);
    o = opts_ok("output:\n  marks:\n    omr: {x: 572}\n", NULL);
    if (!marks_check_layout(o, L, &err))
        fail_msg("%s", err.msg);
    marks_options_free(o);
    o = opts_ok("output:\n  marks:\n    omr: {x: 590}\n", NULL);
    assert_false(marks_check_layout(o, L, &err));
    assert_non_null(strstr(err.msg, "does not fit on the 612 x 792 pt page"));
    marks_options_free(o);

    /* in the top margin, over the address block */
    folio_error_clear(&err);
    o = opts_ok("output:\n  marks:\n    datamatrix: {x: 80, y: 150}\n", NULL);
    assert_false(marks_check_layout(o, L, &err));
    /* the top margin is body area on later pages (body.top 92 pt) */
    assert_non_null(strstr(err.msg, "overlaps the body area"));
    assert_non_null(strstr(err.msg, "y 92..744 pt"));
    marks_options_free(o);
    folio_error_clear(&err);
    o = opts_ok("output:\n  marks:\n    datamatrix: {}\n", NULL);
    if (!marks_check_layout(o, L, &err))
        fail_msg("%s", err.msg);
    marks_options_free(o);

    /* the IMb under six address lines does not fit the window; under four it does */
    o = opts_ok("output:\n  marks:\n    imb: {service_type: \"040\"}\n", "123456");
    int keep = L->address_max_lines;
    L->address_max_lines = 6;
    assert_false(marks_check_layout(o, L, &err));
    assert_non_null(strstr(err.msg, "does not fit in the address block"));
    assert_non_null(strstr(err.msg, "max_lines"));
    folio_error_clear(&err);
    L->address_max_lines = 4;
    if (!marks_check_layout(o, L, &err))
        fail_msg("%s", err.msg);
    L->address_max_lines = keep;
    marks_options_free(o);
}

/* ---- OMR ------------------------------------------------------------------------ */

/* Decode the OMR field of one page: bit t set when a mark sits on track t.
 * Every box in the field must be exactly a mark at a track position. */
static uint32_t omr_decode(const folio_dl_page *pg, int32_t x, int32_t y, int32_t pitch,
                           int32_t len, int32_t thick, int n_tracks, int *n_marks)
{
    uint32_t bits = 0;
    *n_marks = 0;
    for (uint32_t i = 0; i < pg->n_ops; i++) {
        const folio_dl_op *op = &pg->ops[i];
        if (op->kind != FOLIO_DL_BOX || op->x + op->w <= x || op->x >= x + len ||
            op->y + op->h <= y || op->y >= y + n_tracks * pitch)
            continue;
        assert_int_equal(op->x, x);
        assert_int_equal(op->w, len);
        assert_int_equal(op->h, thick);
        assert_int_equal(op->color, 0x000000);
        assert_int_equal((op->y - y) % pitch, 0);
        int t = (op->y - y) / pitch;
        assert_true(t >= 0 && t < n_tracks);
        assert_false(bits & (1u << t));
        bits |= 1u << t;
        (*n_marks)++;
    }
    return bits;
}

static int popcount(uint32_t v)
{
    int n = 0;
    for (; v; v &= v - 1)
        n++;
    return n;
}

/* The default profile's tracks: 0 benchmark, 1 begin, 2 end, 3-5 seq bits
 * 1/2/4, 6 parity (even), 7 safety -- from docs/marks.md, not the code. */
static uint32_t expect_default(uint32_t k, uint32_t sheets, uint32_t seqno)
{
    uint32_t bits = 1u | (1u << 7);
    if (k == 0)
        bits |= 1u << 1;
    if (k == sheets - 1)
        bits |= 1u << 2;
    uint32_t seq = seqno % 8;
    for (int b = 0; b < 3; b++)
        if (seq & (1u << b))
            bits |= 1u << (3 + b);
    if (popcount(bits) % 2)
        bits |= 1u << 6;
    return bits;
}

static void test_omr_five_sheets(void **state)
{
    (void)state;
    folio_arena a;
    folio_arena_init(&a, 1 << 16);
    folio_marks_options *o = opts_ok("output:\n  marks:\n    omr: {}\n", NULL);
    folio_error err = {0};
    /* two pieces of one print file: 5 sheets from sheet 1, 4 sheets from 6 */
    uint32_t prev_seq = 0, expect_n = 0;
    static const uint32_t sizes[2] = {5, 4};
    uint32_t first = 1;
    for (int pc = 0; pc < 2; pc++) {
        folio_arena_reset(&a);
        folio_dl_statement *st = statement(&a, sizes[pc], 3, false);
        uint32_t before[8];
        for (uint32_t p = 0; p < st->n_pages; p++)
            before[p] = st->pages[p].n_ops;
        folio_piece_marks pm = {.piece_id = pc ? "P0000002" : "P0000001",
                                .first_sheet = first};
        assert_true(marks_apply(o, L, st, &pm, &err));
        for (uint32_t k = 0; k < sizes[pc]; k++) {
            const folio_dl_page *pg = &st->pages[k];
            int n;
            uint32_t bits = omr_decode(pg, 240, 5040, 240, 480, 30, 8, &n);
            assert_int_equal(pg->n_ops - before[k], (uint32_t)n);  /* only marks added */
            uint32_t want = expect_default(k, sizes[pc], first + k);
            if (bits != want)
                fail_msg("piece %d sheet %u: marks %02x, expected %02x", pc, k + 1, bits, want);
            /* the worked example of docs/marks.md (tracks 0..7 as its columns) */
            static const char *doc_rows[5] = {"11010001", "10001011", "10011001",
                                              "10000111", "10110111"};
            if (pc == 0)
                for (int t = 0; t < 8; t++)
                    assert_int_equal((bits >> t) & 1, doc_rows[k][t] - '0');
            assert_true(bits & 1u);                        /* benchmark */
            assert_true(bits & 0x80u);                     /* safety */
            assert_int_equal(popcount(bits) % 2, 0);       /* even parity */
            assert_int_equal(!!(bits & 2u), k == 0);
            assert_int_equal(!!(bits & 4u), k == sizes[pc] - 1);
            /* the wrap-around sequence steps by one across sheets and pieces */
            uint32_t seq = (bits >> 3) & 7;
            if (expect_n)
                assert_int_equal(seq, (prev_seq + 1) % 8);
            prev_seq = seq;
            expect_n++;
        }
        first += sizes[pc];
    }
    assert_int_equal(expect_n, 9);
    assert_int_equal(prev_seq, 9 % 8);       /* sheet 9 of the file */
    marks_options_free(o);

    /* custom profile: msb-first 4-bit sequence, insert mark, odd parity */
    o = opts_ok("output:\n  marks:\n    omr:\n      x: 572\n      length: 28\n"
                "      tracks: [benchmark, sequence, insert, parity, safety]\n"
                "      sequence_bits: 4\n      sequence_order: msb_first\n"
                "      parity: odd\n", NULL);
    if (!marks_check_layout(o, L, &err))
        fail_msg("%s", err.msg);
    folio_arena_reset(&a);
    folio_dl_statement *st = statement(&a, 5, 3, false);
    folio_piece_marks pm = {.piece_id = "P0000003", .first_sheet = 14};
    assert_true(marks_apply(o, L, st, &pm, &err));
    for (uint32_t k = 0; k < 5; k++) {
        int n;
        uint32_t bits = omr_decode(&st->pages[k], 572 * 20, 5040, 240, 560, 30, 8, &n);
        uint32_t seq = (14 + k) % 16;
        uint32_t want = 1u | (1u << 7);
        for (int b = 0; b < 4; b++)              /* tracks 1..4 = bits 8,4,2,1 */
            if (seq & (8u >> b))
                want |= 1u << (1 + b);
        if (k == 4)
            want |= 1u << 5;
        if (popcount(want) % 2 == 0)
            want |= 1u << 6;
        assert_int_equal(bits, want);
        assert_int_equal(popcount(bits) % 2, 1);
    }
    marks_options_free(o);
    folio_arena_free(&a);
}

static void test_omr_duplex(void **state)
{
    (void)state;
    folio_arena a;
    folio_arena_init(&a, 1 << 16);
    folio_marks_options *o = opts_ok("output:\n  marks:\n    omr: {}\n", NULL);
    folio_error err = {0};
    /* 9 composed pages + a blank back = 10 pages, 5 sheets */
    folio_dl_statement *st = statement(&a, 10, 3, true);
    uint32_t before[10];
    for (uint32_t p = 0; p < 10; p++)
        before[p] = st->pages[p].n_ops;
    folio_piece_marks pm = {.piece_id = "P0000009", .duplex = true, .first_sheet = 3};
    assert_true(marks_apply(o, L, st, &pm, &err));
    for (uint32_t p = 0; p < 10; p++) {
        int n;
        uint32_t bits = omr_decode(&st->pages[p], 240, 5040, 240, 480, 30, 8, &n);
        if (p % 2) {
            assert_int_equal(n, 0);                         /* backs: nothing */
            assert_int_equal(st->pages[p].n_ops, before[p]);
        } else {
            assert_int_equal(bits, expect_default(p / 2, 5, 3 + p / 2));
        }
    }
    assert_true(st->pages[9].blank_back);
    assert_int_equal(st->pages[9].n_ops, 0);

    /* simplex with a blank page as a sheet front is refused */
    folio_arena_reset(&a);
    st = statement(&a, 3, 3, true);
    pm.duplex = false;
    assert_false(marks_apply(o, L, st, &pm, &err));
    assert_non_null(strstr(err.msg, "page 3 is a blank padding page"));
    marks_options_free(o);
    folio_arena_free(&a);
}

static void test_omr_overlap_content(void **state)
{
    (void)state;
    folio_arena a;
    folio_arena_init(&a, 1 << 16);
    folio_marks_options *o = opts_ok("output:\n  marks:\n    omr: {}\n", NULL);
    folio_error err = {0};
    folio_dl_statement *st = statement(&a, 2, 3, false);
    /* a note printed in the left margin of page 2, beside the mark field */
    assert_true(dlist_page_add_text(st, &st->pages[1], 0, 160, 500, 5600, 0, "Note", 4,
                                    false));
    folio_piece_marks pm = {.piece_id = "P0000001", .first_sheet = 1};
    assert_false(marks_apply(o, L, st, &pm, &err));
    assert_int_equal(err.code, FOLIO_EXIT_FAILED);
    assert_non_null(strstr(err.msg, "piece P0000001 (statement H1) page 2: the OMR mark field"));
    assert_non_null(strstr(err.msg, "overlaps a printed text"));
    assert_non_null(strstr(err.msg, "'Note'"));
    /* bad piece ids */
    folio_error_clear(&err);
    folio_arena_reset(&a);
    st = statement(&a, 1, 3, false);
    pm.piece_id = "P1|2";
    assert_false(marks_apply(o, L, st, &pm, &err));
    assert_non_null(strstr(err.msg, "without '|'"));
    marks_options_free(o);
    folio_arena_free(&a);
}

/* ---- DataMatrix ------------------------------------------------------------------ */

static bool run_capture(const char *cmd, char *out, size_t cap)
{
    FILE *p = popen(cmd, "r");
    if (!p)
        return false;
    size_t n = fread(out, 1, cap - 1, p);
    out[n] = 0;
    while (n && (out[n - 1] == '\n' || out[n - 1] == '\r'))
        out[--n] = 0;
    return pclose(p) == 0;
}

static void test_datamatrix_decoded(void **state)
{
    (void)state;
    folio_arena a;
    folio_arena_init(&a, 1 << 16);
    folio_marks_options *o = opts_ok("output:\n  marks:\n    datamatrix: {}\n", NULL);
    folio_error err = {0};
    if (!marks_check_layout(o, L, &err))
        fail_msg("%s", err.msg);
    /* 6 pages duplex = 3 sheets: symbols on pages 1, 3, 5 */
    folio_dl_statement *st = statement(&a, 6, 3, false);
    uint32_t before[6];
    for (uint32_t p = 0; p < 6; p++)
        before[p] = st->pages[p].n_ops;
    folio_piece_marks pm = {.piece_id = "P0000042", .duplex = true, .first_sheet = 11};
    assert_true(marks_apply(o, L, st, &pm, &err));

    /* the boxes tile exactly zint's module matrix, merged into row runs */
    for (uint32_t p = 0; p < 6; p++) {
        if (p % 2) {
            assert_int_equal(st->pages[p].n_ops, before[p]);
            continue;
        }
        char content[64];
        snprintf(content, sizeof content, "P0000042|%u|3|%c", p / 2 + 1, p == 4 ? 'E' : 'N');
        struct zint_symbol *s = ZBarcode_Create();
        s->symbology = BARCODE_DATAMATRIX;
        s->option_3 = DM_SQUARE;
        assert_true(ZBarcode_Encode(s, (const unsigned char *)content, 0) < ZINT_ERROR);
        static unsigned char grid[144][144];
        memset(grid, 0, sizeof grid);
        uint32_t boxes = 0, dark = 0;
        for (uint32_t i = before[p]; i < st->pages[p].n_ops; i++) {
            const folio_dl_op *op = &st->pages[p].ops[i];
            assert_int_equal(op->kind, FOLIO_DL_BOX);
            assert_int_equal((op->x - 180) % 30, 0);
            assert_int_equal((op->y - 5040) % 30, 0);
            assert_int_equal(op->h, 30);
            int r = (op->y - 5040) / 30, c0 = (op->x - 180) / 30, w = op->w / 30;
            assert_true(r >= 0 && r < s->rows && c0 >= 0 && c0 + w <= s->width);
            for (int c = c0; c < c0 + w; c++) {
                assert_int_equal(grid[r][c], 0);
                grid[r][c] = 1;
            }
            boxes++;
        }
        for (int r = 0; r < s->rows; r++)
            for (int c = 0; c < s->width; c++) {
                int set = (s->encoded_data[r][c >> 3] >> (c & 7)) & 1;
                assert_int_equal(grid[r][c], set);
                dark += (uint32_t)set;
            }
        assert_true(boxes < dark);      /* runs were merged */
        ZBarcode_Delete(s);
    }

    /* render, rasterise the left margin at 300 dpi, decode */
    char pdf[512], cmd[2048], out[256];
    snprintf(pdf, sizeof pdf, "%s/dm.pdf", tmpdir);
    folio_pdf_options po = {.title = "marks", .author = "test", .subject = "dm",
                            .compression = 6};
    folio_date_from_ymd(2026, 11, 1, &po.doc_date);
    folio_pdf_writer *w = pdf_writer_open(pdf, L->fonts, L->n_fonts, &po, &err);
    assert_non_null(w);
    assert_true(pdf_writer_add_statement(w, st, &err));
    assert_true(pdf_writer_close(w, NULL, &err));
    for (int p = 1; p <= 5; p += 2) {
        /* x 0..0.8 in, y 3.2..4.4 in of the page */
        snprintf(cmd, sizeof cmd, "pdftoppm -r 300 -png -f %d -l %d -x 0 -y 960 -W 240 "
                 "-H 360 '%s' '%s/pg' 2>/dev/null && dmtxread -N1 -m 5000 '%s/pg-%d.png'", p, p, pdf,
                 tmpdir, tmpdir, p);
        if (!run_capture(cmd, out, sizeof out))
            fail_msg("'%s' failed (output '%s')", cmd, out);
        char want[64];
        marks_dm_content("P0000042", (uint32_t)(p + 1) / 2, 3, want, sizeof want);
        assert_string_equal(out, want);
    }
    assert_true(strcmp(out, "P0000042|3|3|E") == 0);
    marks_options_free(o);
    folio_arena_free(&a);
}

/* ---- IMb --------------------------------------------------------------------------- */

/* The bars on page 1 as A/D/F/T by their extent around the tracker band. */
static void imb_decode(const folio_dl_page *pg, uint32_t from, char letters[66],
                       int32_t *x0, int32_t *top)
{
    assert_int_equal(pg->n_ops - from, 65);
    int32_t ymin = INT32_MAX, ymax = INT32_MIN;
    for (uint32_t i = from; i < pg->n_ops; i++) {
        const folio_dl_op *op = &pg->ops[i];
        if (op->y < ymin)
            ymin = op->y;
        if (op->y + op->h > ymax)
            ymax = op->y + op->h;
    }
    /* full height 0.125..0.165 in */
    assert_true(ymax - ymin >= 180 && ymax - ymin <= 238);
    int heights[4] = {0}, nh = 0;
    for (uint32_t i = from; i < pg->n_ops; i++) {
        const folio_dl_op *op = &pg->ops[i];
        int k = (int)(i - from);
        assert_int_equal(op->kind, FOLIO_DL_BOX);
        assert_int_equal(op->color, 0);
        /* 0.015..0.025 in wide, 20..24 bars per inch */
        assert_true(op->w >= 22 && op->w <= 36);
        if (k) {
            int32_t step = op->x - pg->ops[i - 1].x;
            assert_true(step >= 1440 / 24 && step <= 1440 / 20 + 1);
        }
        bool up = op->y == ymin, down = op->y + op->h == ymax;
        letters[k] = up && down ? 'F' : up ? 'A' : down ? 'D' : 'T';
        bool seen = false;
        for (int h = 0; h < nh; h++)
            seen |= heights[h] == op->h;
        if (!seen)
            heights[nh++] = op->h;
        if (letters[k] == 'T')   /* tracker 0.039..0.057 in */
            assert_true(op->h >= 56 && op->h <= 82);
    }
    letters[65] = 0;
    *x0 = pg->ops[from].x;
    *top = ymin;
    /* overall length 2.667..3.225 in */
    const folio_dl_op *last = &pg->ops[pg->n_ops - 1];
    assert_true(last->x + last->w - *x0 >= 3840 && last->x + last->w - *x0 <= 4644);
    assert_true(nh <= 4);
}

/* libzint's letters for the same data, read from its module matrix here. */
static void zint_letters(const char *data, char letters[66])
{
    struct zint_symbol *s = ZBarcode_Create();
    s->symbology = BARCODE_USPS_IMAIL;
    assert_true(ZBarcode_Encode(s, (const unsigned char *)data, 0) < ZINT_ERROR);
    for (int i = 0; i < 65; i++) {
        int c = 2 * i;
        int up = (s->encoded_data[0][c >> 3] >> (c & 7)) & 1;
        int dn = (s->encoded_data[2][c >> 3] >> (c & 7)) & 1;
        letters[i] = up && dn ? 'F' : up ? 'A' : dn ? 'D' : 'T';
    }
    letters[65] = 0;
    ZBarcode_Delete(s);
}

static void test_imb_vectors(void **state)
{
    (void)state;
    /* USPS-B-3200 worked examples: tracking 01 234 567094 987654321 with
     * routing codes of 0, 5, 9 and 11 digits; and an encoding from the USPS
     * PostalPro encoder (barcode id 23, STID 270, MID 592831). */
    static const struct {
        const char *yaml_ids, *mailer, *zip, *bars;
        uint64_t serial;
    } v[] = {
        {"barcode_id: \"01\", service_type: \"234\"", "567094", NULL,
         "ATTFATTDTTADTAATTDTDTATTDAFDDFADFDFTFFFFFTATFAAAATDFFTDAADFTFDTDT", 987654321},
        {"barcode_id: \"01\", service_type: \"234\"", "567094", "01234",
         "DTTAFADDTTFTDTFTFDTDDADADAFADFATDDFTAAAFDTTADFAAATDFDTDFADDDTDFFT", 987654321},
        {"barcode_id: \"01\", service_type: \"234\"", "567094", "01234-5678",
         "ADFTTAFDTTTTFATTADTAAATFTFTATDAAAFDDADATATDTDTTDFDTDATADADTDFFTFA", 987654321},
        {"barcode_id: \"01\", service_type: \"234\"", "567094", "01234-5678-91",
         "AADTFFDFTDADTAADAATFDTDDAAADDTDTTDAFADADDDTFFFDDTTTADFAAADFTDAADA", 987654321},
        {"barcode_id: \"23\", service_type: \"270\"", "592831", "96713024817",
         "DDADATADTAATDTTTDFDTTFTFFADTFTDFTATAAFTTFATDAATATDATATFADAADDTFDT", 482031240},
    };
    folio_arena a;
    folio_arena_init(&a, 1 << 16);
    int keep = L->address_max_lines;
    L->address_max_lines = 4;
    for (size_t i = 0; i < sizeof v / sizeof v[0]; i++) {
        char yaml[256];
        snprintf(yaml, sizeof yaml, "output:\n  marks:\n    imb: {%s}\n", v[i].yaml_ids);
        folio_marks_options *o = opts_ok(yaml, v[i].mailer);
        folio_error err = {0};
        if (!marks_check_layout(o, L, &err))
        fail_msg("%s", err.msg);
        folio_arena_reset(&a);
        folio_dl_statement *st = statement(&a, 2, 4, false);
        uint32_t before = st->pages[0].n_ops, before2 = st->pages[1].n_ops;
        folio_piece_marks pm = {.piece_id = "P0000001", .imb_serial = v[i].serial,
                                .routing_zip = v[i].zip, .first_sheet = 1};
        if (!marks_apply(o, L, st, &pm, &err))
            fail_msg("vector %zu: %s", i, err.msg);
        assert_int_equal(st->pages[1].n_ops, before2);      /* page 1 only */
        char got[66], ref[66], data[48];
        int32_t x0, top;
        imb_decode(&st->pages[0], before, got, &x0, &top);
        assert_string_equal(got, v[i].bars);
        assert_true(marks_imb_data(&o->imb, v[i].serial, v[i].zip, data, sizeof data, &err));
        zint_letters(data, ref);
        assert_string_equal(got, ref);
        /* under the last (4th) address line, left-aligned with it, in the window */
        const folio_dl_op *line4 = &st->pages[0].ops[3];
        assert_int_equal(x0, L->address_x);
        assert_true(top > line4->y);
        assert_true(top - line4->y < 200);
        assert_true(top + 208 + 40 <= L->address_y + L->address_h + 180);
        marks_options_free(o);
    }
    L->address_max_lines = keep;
    folio_arena_free(&a);
}

static void test_imb_placement_and_errors(void **state)
{
    (void)state;
    folio_arena a;
    folio_arena_init(&a, 1 << 16);
    folio_error err = {0};
    char data[48];

    /* 9-digit mailer id: 6-digit serial */
    folio_marks_options *o = opts_ok("output:\n  marks:\n    imb: {service_type: \"300\", "
                                     "mailer_id: \"901234567\"}\n", "901234567");
    assert_true(marks_imb_data(&o->imb, 42, "04101", data, sizeof data, &err));
    assert_string_equal(data, "00300901234567000042-04101");
    assert_false(marks_imb_data(&o->imb, 1000000, "04101", data, sizeof data, &err));
    assert_non_null(strstr(err.msg, "does not fit in 6 digits"));
    folio_error_clear(&err);
    assert_false(marks_imb_data(&o->imb, 1, "0410", data, sizeof data, &err));
    assert_non_null(strstr(err.msg, "routing ZIP '0410'"));
    folio_error_clear(&err);
    assert_false(marks_imb_data(&o->imb, 1, "K1A 0B1", data, sizeof data, &err));
    folio_error_clear(&err);

    /* a foreign postal code in marks_apply names the piece; no_imb skips it */
    folio_dl_statement *st = statement(&a, 1, 3, false);
    uint32_t before = st->pages[0].n_ops;
    folio_piece_marks pm = {.piece_id = "P0000007", .imb_serial = 5, .routing_zip = "SW1A 1AA",
                            .first_sheet = 1};
    assert_false(marks_apply(o, L, st, &pm, &err));
    assert_non_null(strstr(err.msg, "piece P0000007 (statement H1): routing ZIP 'SW1A 1AA'"));
    folio_error_clear(&err);
    pm.no_imb = true;
    assert_true(marks_apply(o, L, st, &pm, &err));
    assert_int_equal(st->pages[0].n_ops, before);
    marks_options_free(o);

    /* above the name: the bars end above the first line's glyphs */
    o = opts_ok("output:\n  marks:\n    imb: {service_type: \"040\", position: above, "
                "window: 15}\n", "123456");
    folio_arena_reset(&a);
    st = statement(&a, 1, 2, false);
    before = st->pages[0].n_ops;
    pm = (folio_piece_marks){.piece_id = "P1", .imb_serial = 5, .routing_zip = "04101",
                             .first_sheet = 1};
    if (!marks_apply(o, L, st, &pm, &err))
        fail_msg("%s", err.msg);
    char got[66];
    int32_t x0, top;
    imb_decode(&st->pages[0], before, got, &x0, &top);
    const folio_dl_op *name = &st->pages[0].ops[0];
    int32_t name_top = name->y - (int32_t)((int64_t)fonts_ascent(L->fonts[name->font].metrics) *
                                           name->size / 1000);
    /* clear zone 0.028 in (40 units); ascent rounding 1 unit */
    int32_t gap = name_top - (top + 208);
    assert_true(gap >= 40 && gap <= 41);
    assert_int_equal(x0, L->address_x);
    assert_true(top - 40 >= L->address_y - 300);          /* inside the window */
    assert_true(top - 40 < L->address_y - 180);           /* needed the wider one */
    marks_options_free(o);

    /* six lines: below does not fit the window at run time either */
    o = opts_ok("output:\n  marks:\n    imb: {service_type: \"040\"}\n", "123456");
    folio_arena_reset(&a);
    st = statement(&a, 1, 6, false);
    assert_false(marks_apply(o, L, st, &pm, &err));
    assert_non_null(strstr(err.msg, "piece P1 (statement H1): the IMb"));
    assert_non_null(strstr(err.msg, "does not fit in the address window"));
    marks_options_free(o);
    folio_arena_free(&a);
}

static void test_no_marks(void **state)
{
    (void)state;
    folio_arena a;
    folio_arena_init(&a, 1 << 16);
    folio_dl_statement *st = statement(&a, 2, 3, false);
    uint32_t n0 = st->pages[0].n_ops;
    folio_piece_marks pm = {.piece_id = "P1", .first_sheet = 1};
    folio_error err = {0};
    assert_true(marks_apply(NULL, L, st, &pm, &err));
    assert_int_equal(st->pages[0].n_ops, n0);
    assert_true(marks_check_layout(NULL, L, &err));
    folio_arena_free(&a);
}

static int cleanup(void **state)
{
    (void)state;
    layout_free(L);
    char cmd[256];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", tmpdir);
    return system(cmd) == 0 ? 0 : -1;
}

int main(void)
{
    setlocale(LC_ALL, "");
    if (!mkdtemp(tmpdir)) {
        perror("mkdtemp");
        return 1;
    }
    folio_error err = {0};
    L = layout_load(root_path("layouts/statement.yaml"), &err);
    if (!L) {
        fprintf(stderr, "layout: %s\n", err.msg);
        return 1;
    }
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_options_defaults),
        cmocka_unit_test(test_options_errors),
        cmocka_unit_test(test_check_layout),
        cmocka_unit_test(test_omr_five_sheets),
        cmocka_unit_test(test_omr_duplex),
        cmocka_unit_test(test_omr_overlap_content),
        cmocka_unit_test(test_datamatrix_decoded),
        cmocka_unit_test(test_imb_vectors),
        cmocka_unit_test(test_imb_placement_and_errors),
        cmocka_unit_test(test_no_marks),
    };
    return cmocka_run_group_tests(tests, NULL, cleanup);
}
