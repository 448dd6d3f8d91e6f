/* SPDX-License-Identifier: Apache-2.0 */
/*
 * test_afp.c -- display list -> AFP (src/afp-*.c), checked in-process with the
 * `folio afpdump --check` checker (afp_check_buffer) and decoded back: page
 * groups, TLE values, page counts, text positions (AMI/AMB) and text, the
 * EBCDIC transcoding with counted substitution, determinism, two writers on
 * two threads, the job options, and hand-corrupted files that must fail with
 * a message naming the offset.
 *
 * Needs fonts/LiberationSans-*.ttf (`make fonts`); FOLIO_ROOT points at the
 * repository (default: the current directory).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "folio/afp.h"
#include "folio/dlist.h"
#include "folio/layout.h"
#include "cli.h"              /* afp_dump_main: the CLI's (src/cli-afpdump.c) */
#include "yamltree.h"

static folio_layout *layout;
static char tmpdir[] = "/tmp/folio-test-afp-XXXXXX";

/* ---- helpers ------------------------------------------------------------- */

static uint8_t *read_file(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    assert_non_null(f);
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    uint8_t *b = malloc((size_t)n + 1);
    assert_non_null(b);
    assert_int_equal(fread(b, 1, (size_t)n, f), (size_t)n);
    fclose(f);
    *len = (size_t)n;
    return b;
}

static void path_of(char *buf, size_t cap, const char *name)
{
    snprintf(buf, cap, "%s/%s", tmpdir, name);
}

/* A statement of `pages` pages: a header line, a rule, a shaded box with an
 * outline and a few text lines per page; the last page of a duplex
 * statement with an odd count gets a blank back. */
static folio_dl_statement *make_statement(folio_arena *a, const char *id, const char *name,
                                          int pages, bool blank_back)
{
    folio_dl_statement *st = dlist_statement_new(a, id, layout->page_w, layout->page_h);
    assert_non_null(st);
    for (int p = 0; p < pages; p++) {
        folio_dl_page *pg = dlist_page_add(st);
        assert_non_null(pg);
        char line[128];
        snprintf(line, sizeof line, "Statement for %s, page %d of %d", name, p + 1, pages);
        assert_true(dlist_page_add_text(st, pg, 1, 300, 960, 1160, 0x1F3A5F, line,
                                        strlen(line), true));
        assert_true(dlist_page_add_rule(st, pg, 960, 1300, 11280, 1300, 10, 0x999999));
        assert_true(dlist_page_add_rule(st, pg, 6000, 1400, 6000, 2400, 20, 0x000000));
        assert_true(dlist_page_add_box(st, pg, 960, 2000, 10320, 240, 0xEEF2F7, 0x1F3A5F, 20));
        for (int l = 0; l < 5; l++) {
            snprintf(line, sizeof line, "Line %d: balance $1,234.5%d", l, l);
            assert_true(dlist_page_add_text(st, pg, 0, 160, 960 + 37 * l, 3000 + 200 * l,
                                            0x000000, line, strlen(line), true));
        }
    }
    if (blank_back) {
        folio_dl_page *pg = dlist_page_add(st);
        assert_non_null(pg);
        pg->blank_back = true;
    }
    char np[16];
    snprintf(np, sizeof np, "%d", pages);
    assert_true(dlist_statement_add_tag(st, "household", id));
    assert_true(dlist_statement_add_tag(st, "name", name));
    assert_true(dlist_statement_add_tag(st, "postal_code", "10001-2345"));
    assert_true(dlist_statement_add_tag(st, "accounts", "****1234;****9876"));
    assert_true(dlist_statement_add_tag(st, "pages", np));
    return st;
}

typedef struct sample {
    folio_arena arena;
    folio_dl_statement *st[3];
    int n;
} sample;

static void sample_build(sample *s)
{
    folio_arena_init(&s->arena, 64 * 1024);
    s->st[0] = make_statement(&s->arena, "H0000001", "Ann Smith", 2, false);
    s->st[1] = make_statement(&s->arena, "HOUSEHOLD-0000002-LONG", "Zoë Müller", 3, true);
    s->st[2] = make_statement(&s->arena, "H3", "Bob O'Neil", 1, false);
    s->n = 3;
}

/* Write the sample to path; returns pages written. */
static uint32_t write_sample(const char *path, sample *s, uint64_t *subs)
{
    folio_error err = {0};
    folio_afp_options o;
    afp_options_default(&o);
    o.enabled = true;
    folio_afp_writer *w = afp_writer_open(path, layout, &o, &err);
    assert_non_null(w);
    for (int i = 0; i < s->n; i++)
        assert_true(afp_writer_add_statement(w, s->st[i], i == 1, &err));
    uint32_t pages = afp_writer_pages(w);
    assert_int_equal(afp_writer_groups(w), 3);
    if (subs)
        *subs = afp_writer_substitutions(w, NULL, 0);
    uint64_t bytes = 0;
    assert_true(afp_writer_close(w, &bytes, &err));
    assert_true(bytes > 0);
    return pages;
}

/* ---- a small independent structured-field walker for the tests ---------- */

typedef struct sf {
    size_t off;
    uint32_t id;
    const uint8_t *d;
    size_t n;
} sf;

static int sf_list(const uint8_t *b, size_t len, sf *out, int max)
{
    int k = 0;
    for (size_t i = 0; i < len;) {
        assert_int_equal(b[i], 0x5A);
        size_t l = (size_t)b[i + 1] << 8 | b[i + 2];
        if (k < max)
            out[k] = (sf){i, (uint32_t)b[i + 3] << 16 | (uint32_t)b[i + 4] << 8 | b[i + 5],
                          b + i + 9, l - 8};
        k++;
        i += 1 + l;
    }
    return k;
}

static int count_id(const sf *f, int n, uint32_t id)
{
    int c = 0;
    for (int i = 0; i < n; i++)
        c += f[i].id == id;
    return c;
}

/* ---- tests --------------------------------------------------------------- */

static void test_write_valid_structure(void **state)
{
    (void)state;
    sample s;
    sample_build(&s);
    char path[512];
    path_of(path, sizeof path, "a.afp");
    uint32_t pages = write_sample(path, &s, NULL);
    assert_int_equal(pages, 2 + 4 + 1);              /* blank back counted */
    size_t len;
    uint8_t *b = read_file(path, &len);
    char msg[512];
    bool ok = afp_check_buffer(b, len, msg, sizeof msg);
    if (!ok)
        fprintf(stderr, "check: %s\n", msg);
    assert_true(ok);
    static sf f[4096];
    int n = sf_list(b, len, f, 4096);
    assert_true(n < 4096);
    assert_int_equal(count_id(f, n, 0xD3A8AD), 3);   /* BNG = statements */
    assert_int_equal(count_id(f, n, 0xD3A9AD), 3);
    assert_int_equal(count_id(f, n, 0xD3A8AF), 7);   /* BPG */
    assert_int_equal(count_id(f, n, 0xD3A9AF), 7);
    assert_int_equal(count_id(f, n, 0xD3ABCC), 3);   /* IMM */
    assert_int_equal(count_id(f, n, 0xD3A8CD), 1);   /* inline form map */
    assert_int_equal(count_id(f, n, 0xD3A090), 15);  /* 5 TLEs per group */
    assert_int_equal(count_id(f, n, 0xD3EE9B), 6);   /* a PTX per non-blank page */
    /* pages per group and TLE values per group equal the statement */
    int g = -1, pg = 0, tle = 0;
    for (int i = 0; i < n; i++) {
        if (f[i].id == 0xD3A8AD) {
            g++;
            pg = tle = 0;
            /* full name in the FQN triplet after the 8-byte token */
            char full[64];
            assert_int_equal(f[i].d[9], 0x02);
            afp_ebcdic_to_utf8(500, f[i].d + 12, f[i].d[8] - 4u, full, sizeof full);
            assert_string_equal(full, s.st[g]->id);
        } else if (f[i].id == 0xD3A8AF) {
            pg++;
        } else if (f[i].id == 0xD3A090) {
            const uint8_t *t = f[i].d;
            assert_int_equal(t[1], 0x02);
            assert_int_equal(t[2], 0x0B);
            const uint8_t *v = t + t[0];
            assert_int_equal(v[1], 0x36);
            char key[80], val[300];
            afp_ebcdic_to_utf8(500, t + 4, t[0] - 4u, key, sizeof key);
            afp_ebcdic_to_utf8(500, v + 4, v[0] - 4u, val, sizeof val);
            const char *tags[5] = {"Household ID", "Customer Name", "Postal Code",
                                   "Account Numbers", "Page Count"};
            assert_string_equal(key, tags[tle]);
            assert_string_equal(val, s.st[g]->tags[tle].value);
            tle++;
        } else if (f[i].id == 0xD3ABCC) {
            char mm[16];
            afp_ebcdic_to_utf8(500, f[i].d, 8, mm, sizeof mm);
            assert_string_equal(mm, g == 1 ? "F1DUPLEX" : "F1SIMPLX");
        } else if (f[i].id == 0xD3A9AD) {
            assert_int_equal(pg, (int)s.st[g]->n_pages);
            assert_int_equal(tle, 5);
        }
    }
    assert_int_equal(g, 2);
    free(b);
    folio_arena_free(&s.arena);
}

typedef struct run { uint32_t page; int32_t x, y; int font; char text[256]; } run;
typedef struct runs { run r[256]; int n; } runs;

static void on_text(void *ctx, uint32_t page, int32_t x, int32_t y, int font, const char *t,
                    size_t n)
{
    runs *rs = ctx;
    assert_true(rs->n < 256);
    run *r = &rs->r[rs->n++];
    r->page = page;
    r->x = x;
    r->y = y;
    r->font = font;
    snprintf(r->text, sizeof r->text, "%.*s", (int)n, t);
}

static void test_text_positions_decode_exactly(void **state)
{
    (void)state;
    sample s;
    sample_build(&s);
    char path[512];
    path_of(path, sizeof path, "pos.afp");
    write_sample(path, &s, NULL);
    size_t len;
    uint8_t *b = read_file(path, &len);
    static runs rs;
    rs.n = 0;
    assert_true(afp_walk_text(b, len, 500, on_text, &rs));
    int k = 0;
    uint32_t page = 0;
    for (int i = 0; i < s.n; i++) {
        for (uint32_t p = 0; p < s.st[i]->n_pages; p++) {
            page++;
            const folio_dl_page *pg = &s.st[i]->pages[p];
            for (uint32_t o = 0; o < pg->n_ops; o++) {
                const folio_dl_op *op = &pg->ops[o];
                if (op->kind != FOLIO_DL_TEXT)
                    continue;
                assert_true(k < rs.n);
                assert_int_equal(rs.r[k].page, page);
                assert_int_equal(rs.r[k].x, op->x);
                assert_int_equal(rs.r[k].y, op->y);
                char want[256];
                snprintf(want, sizeof want, "%.*s", (int)op->len, op->text);
                assert_string_equal(rs.r[k].text, want);
                k++;
            }
        }
    }
    assert_int_equal(k, rs.n);
    free(b);
    folio_arena_free(&s.arena);
}

static void test_codepage_substitution(void **state)
{
    (void)state;
    const char *in = "Zoë Müller Łukasz";
    uint8_t out[64];
    uint64_t subs = 0;
    size_t n = afp_transcode(500, in, strlen(in), '?', out, sizeof out, &subs);
    assert_int_equal(n, 17);
    assert_int_equal(subs, 1);
    assert_int_equal(out[0], 0xE9);                 /* Z in CP500 */
    assert_int_equal(out[2], 0x53);                 /* e with diaeresis */
    assert_int_equal(out[11], 0x6F);                /* '?' for L with stroke */
    char back[64];
    afp_ebcdic_to_utf8(500, out, n, back, sizeof back);
    assert_string_equal(back, "Zoë Müller ?ukasz");
    /* brackets differ between 500 and 37 */
    afp_transcode(500, "[]", 2, '?', out, sizeof out, NULL);
    assert_int_equal(out[0], 0x4A);
    afp_transcode(37, "[]", 2, '?', out, sizeof out, NULL);
    assert_int_equal(out[0], 0xBA);
    /* through the writer: counted, with the code point as an example */
    folio_arena a;
    folio_arena_init(&a, 16 * 1024);
    folio_dl_statement *st = dlist_statement_new(&a, "H9", layout->page_w, layout->page_h);
    folio_dl_page *pg = dlist_page_add(st);
    assert_true(dlist_page_add_text(st, pg, 0, 200, 1000, 1000, 0, in, strlen(in), false));
    char path[512];
    path_of(path, sizeof path, "cp.afp");
    folio_error err = {0};
    folio_afp_writer *w = afp_writer_open(path, layout, NULL, &err);
    assert_non_null(w);
    assert_true(afp_writer_add_statement(w, st, false, &err));
    uint32_t ex[4];
    assert_int_equal(afp_writer_substitutions(w, ex, 4), 1);
    assert_int_equal(ex[0], 0x141);
    assert_int_equal(ex[1], 0);
    assert_true(afp_writer_close(w, NULL, &err));
    size_t len;
    uint8_t *b = read_file(path, &len);
    static runs rs;
    rs.n = 0;
    assert_true(afp_walk_text(b, len, 500, on_text, &rs));
    assert_int_equal(rs.n, 1);
    assert_string_equal(rs.r[0].text, "Zoë Müller ?ukasz");
    free(b);
    folio_arena_free(&a);
}

static void test_deterministic(void **state)
{
    (void)state;
    sample s;
    sample_build(&s);
    char p1[512], p2[512];
    path_of(p1, sizeof p1, "d1.afp");
    path_of(p2, sizeof p2, "d2.afp");
    write_sample(p1, &s, NULL);
    write_sample(p2, &s, NULL);
    size_t l1, l2;
    uint8_t *b1 = read_file(p1, &l1), *b2 = read_file(p2, &l2);
    assert_int_equal(l1, l2);
    assert_memory_equal(b1, b2, l1);
    free(b1);
    free(b2);
    folio_arena_free(&s.arena);
}

typedef struct tjob { char path[512]; sample *s; int rounds; } tjob;

static void *thread_write(void *arg)
{
    tjob *j = arg;
    for (int r = 0; r < j->rounds; r++)
        write_sample(j->path, j->s, NULL);
    return NULL;
}

static void test_two_writers_two_threads(void **state)
{
    (void)state;
    sample s;
    sample_build(&s);
    char ref[512];
    path_of(ref, sizeof ref, "ref.afp");
    write_sample(ref, &s, NULL);
    tjob j[2];
    pthread_t t[2];
    for (int i = 0; i < 2; i++) {
        snprintf(j[i].path, sizeof j[i].path, "%s/t%d.afp", tmpdir, i);
        j[i].s = &s;
        j[i].rounds = 20;
        assert_int_equal(pthread_create(&t[i], NULL, thread_write, &j[i]), 0);
    }
    for (int i = 0; i < 2; i++)
        pthread_join(t[i], NULL);
    size_t lr, l;
    uint8_t *br = read_file(ref, &lr);
    for (int i = 0; i < 2; i++) {
        uint8_t *b = read_file(j[i].path, &l);
        assert_int_equal(l, lr);
        assert_memory_equal(b, br, l);
        free(b);
    }
    free(br);
    folio_arena_free(&s.arena);
}

/* ---- corrupted files ----------------------------------------------------- */

static uint8_t *sample_bytes(size_t *len)
{
    sample s;
    sample_build(&s);
    char path[512];
    path_of(path, sizeof path, "c.afp");
    write_sample(path, &s, NULL);
    folio_arena_free(&s.arena);
    return read_file(path, len);
}

static int find_sf(const uint8_t *b, size_t len, uint32_t id, int nth, size_t *off)
{
    static sf f[4096];
    int n = sf_list(b, len, f, 4096);
    for (int i = 0; i < n; i++)
        if (f[i].id == id && nth-- == 0) {
            *off = f[i].off;
            return i;
        }
    fail_msg("structured field %06X not found", id);
    return -1;
}

static void expect_fail(const uint8_t *b, size_t len, const char *offset, const char *words)
{
    char msg[512];
    assert_false(afp_check_buffer(b, len, msg, sizeof msg));
    if (!strstr(msg, offset) || !strstr(msg, words))
        fail_msg("message '%s' lacks '%s' or '%s'", msg, offset, words);
}

static void test_corrupt_length_off_by_one(void **state)
{
    (void)state;
    size_t len, off;
    char at[32];
    for (int delta = -1; delta <= 1; delta += 2) {
        uint8_t *b = sample_bytes(&len);
        find_sf(b, len, 0xD3A8AF, 2, &off);                 /* third BPG */
        unsigned l = (unsigned)(b[off + 1] << 8 | b[off + 2]) + (unsigned)delta;
        b[off + 1] = (uint8_t)(l >> 8);
        b[off + 2] = (uint8_t)l;
        snprintf(at, sizeof at, "offset 0x%zX:", off);
        expect_fail(b, len, at, "does not chain");
        free(b);
    }
}

static void test_corrupt_missing_epg(void **state)
{
    (void)state;
    size_t len, off;
    uint8_t *b = sample_bytes(&len);
    find_sf(b, len, 0xD3A9AF, 0, &off);                     /* first EPG */
    size_t l = 1 + (size_t)(b[off + 1] << 8 | b[off + 2]);
    memmove(b + off, b + off + l, len - off - l);
    len -= l;
    /* the next field (the second BPG) now sits where the EPG was */
    char at[32];
    snprintf(at, sizeof at, "offset 0x%zX:", off);
    expect_fail(b, len, at, "missing EPG");
    free(b);
}

static void test_corrupt_unterminated_chain(void **state)
{
    (void)state;
    size_t len, off;
    uint8_t *b = sample_bytes(&len);
    find_sf(b, len, 0xD3EE9B, 0, &off);                     /* first PTX */
    size_t n = (size_t)(b[off + 1] << 8 | b[off + 2]) - 8;
    const uint8_t *d = b + off + 9;
    /* find the last control sequence of the chain and make it chained */
    size_t i = 2, last = 2;
    while (i < n) {
        last = i;
        i += d[i];
    }
    assert_int_equal(i, n);
    assert_int_equal(d[last + 1] & 1, 0);
    b[off + 9 + last + 1] |= 1;
    char at[32];
    snprintf(at, sizeof at, "offset 0x%zX:", off + 9 + last);
    expect_fail(b, len, at, "unterminated PTOCA chain");
    free(b);
}

static void test_corrupt_truncated(void **state)
{
    (void)state;
    size_t len, off;
    uint8_t *b = sample_bytes(&len);
    find_sf(b, len, 0xD3EE9B, 3, &off);
    char at[32];
    snprintf(at, sizeof at, "offset 0x%zX:", off);
    expect_fail(b, off + 20, at, "truncated");               /* cut inside a PTX */
    expect_fail(b, off + 4, at, "truncated");                /* cut inside its introducer */
    /* cut right after a complete field: nesting is left open */
    char msg[512];
    assert_false(afp_check_buffer(b, off, msg, sizeof msg));
    assert_non_null(strstr(msg, "end of file inside BPT"));
    free(b);
}

static void test_corrupt_mismatched_names(void **state)
{
    (void)state;
    size_t len, off;
    uint8_t *b = sample_bytes(&len);
    find_sf(b, len, 0xD3A9AD, 1, &off);                     /* second ENG */
    b[off + 9] = 0xC1;                                      /* 'A' */
    char at[32];
    snprintf(at, sizeof at, "offset 0x%zX:", off);
    expect_fail(b, len, at, "ENG name 'AOUSEHOL' does not match BNG 'HOUSEHOL'");
    free(b);
    /* unknown identifier, bad triplet in a TLE */
    b = sample_bytes(&len);
    find_sf(b, len, 0xD3A090, 0, &off);
    b[off + 9] = 0xF0;                                      /* triplet length past the end */
    snprintf(at, sizeof at, "offset 0x%zX:", off + 9);
    expect_fail(b, len, at, "triplet length");
    b[off + 5] = 0x11;
    snprintf(at, sizeof at, "offset 0x%zX:", off);
    expect_fail(b, len, at, "unknown structured field identifier D3A011");
    free(b);
}

/* issue 13 part 5: code page 1200: UTF-16BE text and TLE values, Unicode
 * fonts from the layout, no substitution; decoded back exactly, also a text
 * longer than one TRN with a 4-byte code point at the 252-byte boundary. */
static void test_unicode_cp1200(void **state)
{
    (void)state;
    folio_arena a;
    folio_arena_init(&a, 64 * 1024);
    const char *name = "Ng\xe1\xbb\x8d" "c \xc4\x90\xe1\xba\xb7ng";        /* Ngọc Đặng */
    folio_dl_statement *st = make_statement(&a, "H1", name, 1, false);
    char big[600];
    memset(big, 'x', 125);                  /* 125 units = 250 bytes, then U+1F600 */
    strcpy(big + 125, "\xf0\x9f\x98\x80 \xc5\x81ukasz \xc5\xbb\xc3\xb3\xc5\x82w");
    assert_true(dlist_page_add_text(st, &st->pages[0], 0, 160, 960, 9000, 0, big, strlen(big),
                                    true));
    for (int i = 0; i < layout->n_fonts; i++) {
        layout->fonts[i].afp_u_character_set = strdup("CZH200");
        layout->fonts[i].afp_u_code_page = strdup("T1UTF16B");
    }
    folio_afp_options o;
    afp_options_default(&o);
    o.enabled = true;
    o.code_page = 1200;
    char path[512];
    path_of(path, sizeof path, "u.afp");
    folio_error err = {0};
    folio_afp_writer *w = afp_writer_open(path, layout, &o, &err);
    assert_non_null(w);
    assert_true(afp_writer_add_statement(w, st, false, &err));
    assert_int_equal(afp_writer_substitutions(w, NULL, 0), 0);
    assert_true(afp_writer_close(w, NULL, &err));
    for (int i = 0; i < layout->n_fonts; i++) {
        free(layout->fonts[i].afp_u_character_set);
        free(layout->fonts[i].afp_u_code_page);
        layout->fonts[i].afp_u_character_set = layout->fonts[i].afp_u_code_page = NULL;
    }
    size_t len;
    uint8_t *b = read_file(path, &len);
    char msg[512];
    if (!afp_check_buffer(b, len, msg, sizeof msg))
        fail_msg("%s", msg);
    static runs rs;
    rs.n = 0;
    assert_true(afp_walk_text(b, len, 0, on_text, &rs));    /* 0: the BDT's CCSID */
    bool saw_name = false, saw_big = false;
    for (int k = 0; k < rs.n; k++) {
        saw_name |= strstr(rs.r[k].text, name) != NULL;
        saw_big |= !strcmp(rs.r[k].text, big);
    }
    assert_true(saw_name);
    assert_true(saw_big);
    /* the MCF names the layout's Unicode font; a TLE value is UTF-16BE */
    static const uint8_t cp[8] = {0xE3, 0xF1, 0xE4, 0xE3, 0xC6, 0xF1, 0xF6, 0xC2}; /* T1UTF16B */
    static const uint8_t u16[4] = {0x00, 0x4E, 0x00, 0x67};  /* "Ng" */
    bool found = false, tle = false;
    for (size_t i = 0; i + 8 <= len; i++) {
        found |= !memcmp(b + i, cp, 8);
        tle |= !memcmp(b + i, u16, 4);
    }
    assert_true(found);
    assert_true(tle);
    free(b);
    /* without Unicode fonts in the layout: refused */
    assert_null(afp_writer_open(path, layout, &o, &err));
    assert_int_equal(err.code, FOLIO_EXIT_USAGE);
    assert_non_null(strstr(err.msg, "names no Unicode AFP font"));
    folio_arena_free(&a);
}

/* ---- issue 13 part 5: names on begin/end fields, outline flag -------------- */

static void test_names_and_outline_flag(void **state)
{
    (void)state;
    size_t len, off, bpg;
    uint8_t *b = sample_bytes(&len);
    static const uint32_t ids[] = {0xD3A8C4, 0xD3A9C4, 0xD3A8C9, 0xD3A9C9, 0xD3A89B, 0xD3A99B};
    find_sf(b, len, 0xD3A8AF, 0, &bpg);                     /* first BPG */
    for (size_t k = 0; k < sizeof ids / sizeof ids[0]; k++) {
        find_sf(b, len, ids[k], 0, &off);
        unsigned l = (unsigned)(b[off + 1] << 8 | b[off + 2]);
        if (l < 16)
            fail_msg("field %06X has no 8-byte name (length %u)", ids[k], l);
        if (k >= 2 && memcmp(b + off + 9, b + bpg + 9, 8))
            fail_msg("field %06X is not named like its page", ids[k]);
    }
    /* the MCF's FDS of an outline character set: font usage flags X'60' */
    find_sf(b, len, 0xD3AB8A, 0, &off);
    size_t l = (size_t)(b[off + 1] << 8 | b[off + 2]);
    size_t fds = 0;
    for (size_t i = off + 9; i + 20 <= off + 1 + l; i++)
        if (b[i] == 20 && b[i + 1] == 0x1F) {
            fds = i;
            break;
        }
    assert_true(fds > 0);
    assert_int_equal(b[fds + 19], 0x60);
    b[fds + 19] = 0x00;
    expect_fail(b, len, "offset 0x", "font usage flags X'00', not X'60'");
    free(b);
    /* a BAG without its name (the old writer's) fails the check */
    b = sample_bytes(&len);
    find_sf(b, len, 0xD3A8C9, 0, &off);
    uint8_t *c = malloc(len);
    assert_non_null(c);
    memcpy(c, b, off + 9);
    c[off + 1] = 0x00;
    c[off + 2] = 0x08;
    memcpy(c + off + 9, b + off + 17, len - off - 17);
    char at[32];
    snprintf(at, sizeof at, "offset 0x%zX:", off);
    expect_fail(c, len - 8, at, "BAG without a name");
    free(c);
    free(b);
}

/* ---- long index values: several TLEs, never a silent cut ------------------ */

/* Values of the TLEs of group g (0-based) with attribute `attr`, each
 * checked to be <= 250 bytes and the run to be consecutive; joined with one
 * space into out.  Returns how many TLEs there were. */
static int tle_join(const uint8_t *b, size_t len, int g, const char *attr, char *out,
                    size_t cap)
{
    static sf f[4096];
    int n = sf_list(b, len, f, 4096);
    assert_true(n < 4096);
    int grp = -1, count = 0, last = -2;
    size_t o = 0;
    out[0] = 0;
    for (int i = 0; i < n; i++) {
        if (f[i].id == 0xD3A8AD)
            grp++;
        if (f[i].id != 0xD3A090 || grp != g)
            continue;
        const uint8_t *t = f[i].d, *v = t + t[0];
        char key[80], val[600];
        afp_ebcdic_to_utf8(500, t + 4, t[0] - 4u, key, sizeof key);
        if (strcmp(key, attr))
            continue;
        assert_int_equal(v[1], 0x36);
        assert_true(v[0] - 4u <= 250);                       /* the MO:DCA limit */
        assert_true(f[i].n == (size_t)t[0] + v[0]);          /* nothing else in the TLE */
        if (count)
            assert_int_equal(last, i - 1);                   /* consecutive, in order */
        last = i;
        afp_ebcdic_to_utf8(500, v + 4, v[0] - 4u, val, sizeof val);
        folio_str_appendf(out, cap, &o, "%s%s", count ? " " : "", val);
        assert_true(o < cap);
        count++;
    }
    return count;
}

static void test_long_tle_values_split(void **state)
{
    (void)state;
    folio_arena a;
    folio_arena_init(&a, 64 * 1024);
    /* a household of 60 accounts: 60 x 16 characters + spaces = 1019 bytes */
    char accounts[2048] = "";
    size_t o = 0;
    for (int k = 0; k < 60; k++)
        folio_str_appendf(accounts, sizeof accounts, &o, "%sACCT-%011d", k ? " " : "",
                              70000000 + k * 7919);
    assert_int_equal(strlen(accounts), 60 * 16 + 59);
    /* a customer name with spaces over the limit, and one whose single word is */
    char name[512], word[301];
    o = 0;
    for (int k = 0; o < 300; k++)
        folio_str_appendf(name, sizeof name, &o, "%sMüller-%02d", k ? " " : "", k);
    memset(word, 'W', 300);
    word[300] = 0;
    char name2[400];
    snprintf(name2, sizeof name2, "%s Smith", word);
    folio_dl_statement *st[3];
    st[0] = dlist_statement_new(&a, "HH000060", layout->page_w, layout->page_h);
    st[1] = dlist_statement_new(&a, "HH000061", layout->page_w, layout->page_h);
    st[2] = dlist_statement_new(&a, "HH000062", layout->page_w, layout->page_h);
    for (int i = 0; i < 3; i++) {
        assert_non_null(st[i]);
        assert_non_null(dlist_page_add(st[i]));
        assert_true(dlist_statement_add_tag(st[i], "household", st[i]->id));
        assert_true(dlist_statement_add_tag(st[i], "name", i == 1 ? name2 : name));
        assert_true(dlist_statement_add_tag(st[i], "accounts", i == 0 ? accounts
                                                               : "ACCT-1 ACCT-2"));
        assert_true(dlist_statement_add_tag(st[i], "pages", "1"));
    }
    char path[512];
    path_of(path, sizeof path, "long.afp");
    folio_error err = {0};
    folio_afp_options opt;
    afp_options_default(&opt);
    opt.enabled = true;
    folio_afp_writer *w = afp_writer_open(path, layout, &opt, &err);
    assert_non_null(w);
    for (int i = 0; i < 3; i++)
        assert_true(afp_writer_add_statement(w, st[i], false, &err));
    char first[200];
    assert_int_equal(afp_writer_cut_values(w, first, sizeof first), 1);   /* only name2 */
    assert_string_equal(first, "group HH000061, Customer Name");
    assert_int_equal(afp_writer_substitutions(w, NULL, 0), 0);
    assert_true(afp_writer_close(w, NULL, &err));

    size_t len;
    uint8_t *b = read_file(path, &len);
    char msg[512];
    if (!afp_check_buffer(b, len, msg, sizeof msg))
        fail_msg("check: %s", msg);
    static char joined[4096];
    /* 1019 bytes in TLEs of at most 250 bytes of whole account numbers: 15 of
     * them take 15 x 16 + 14 = 254 bytes, too many, so 14 per TLE (237 bytes)
     * and 60 = 4 x 14 + 4 make 5 TLEs */
    assert_int_equal(tle_join(b, len, 0, "Account Numbers", joined, sizeof joined), 5);
    assert_string_equal(joined, accounts);
    assert_int_equal(tle_join(b, len, 0, "Customer Name", joined, sizeof joined), 2);
    assert_string_equal(joined, name);
    assert_int_equal(tle_join(b, len, 0, "Household ID", joined, sizeof joined), 1);
    assert_string_equal(joined, "HH000060");
    /* the single 300-byte word is cut to 250 (and counted above), the rest kept */
    assert_int_equal(tle_join(b, len, 1, "Customer Name", joined, sizeof joined), 2);
    assert_int_equal(strlen(joined), 250 + 1 + 5);
    assert_memory_equal(joined, word, 250);
    assert_string_equal(joined + 251, "Smith");
    assert_int_equal(tle_join(b, len, 2, "Account Numbers", joined, sizeof joined), 1);
    assert_string_equal(joined, "ACCT-1 ACCT-2");
    /* the lister shows each part as its own TLE line */
    char out[512];
    path_of(out, sizeof out, "long.txt");
    FILE *f = fopen(out, "w");
    assert_true(afp_dump(b, len, f));
    fclose(f);
    size_t tl;
    char *t = (char *)read_file(out, &tl);
    t[tl] = 0;
    int lines = 0;
    for (const char *q = t; (q = strstr(q, "attribute='Account Numbers'")); q++)
        lines++;
    assert_int_equal(lines, 5 + 1 + 1);
    free(t);
    free(b);
    folio_arena_free(&a);
}

/* ---- BDT and BRS: 2 reserved bytes after the name ------------------------- */

static void test_bdt_brs_reserved_bytes(void **state)
{
    (void)state;
    size_t len, off;
    uint8_t *b = sample_bytes(&len);
    /* BDT: name, X'0000', CGCSGID triplet (6 bytes, X'01'), nothing else */
    find_sf(b, len, 0xD3A8A8, 0, &off);
    const uint8_t *d = b + off + 9;
    assert_int_equal((b[off + 1] << 8 | b[off + 2]) - 8, 8 + 2 + 6);
    assert_int_equal(d[8], 0);
    assert_int_equal(d[9], 0);
    assert_int_equal(d[10], 6);
    assert_int_equal(d[11], 0x01);
    assert_int_equal(d[14] << 8 | d[15], 500);
    /* BRS: name, X'0000', Resource Object Type triplet (10 bytes, X'21', form map) */
    find_sf(b, len, 0xD3A8CE, 0, &off);
    d = b + off + 9;
    assert_int_equal((b[off + 1] << 8 | b[off + 2]) - 8, 8 + 2 + 10);
    assert_int_equal(d[8], 0);
    assert_int_equal(d[9], 0);
    assert_int_equal(d[10], 10);
    assert_int_equal(d[11], 0x21);
    assert_int_equal(d[12], 0xFE);
    /* the layout without the reserved bytes (triplets right after the name)
     * is refused, at the byte after the name */
    for (int k = 0; k < 2; k++) {
        uint32_t id = k ? 0xD3A8CEu : 0xD3A8A8u;
        find_sf(b, len, id, 0, &off);
        uint8_t *c = malloc(len);
        assert_non_null(c);
        memcpy(c, b, off + 17);
        memcpy(c + off + 17, b + off + 19, len - off - 19);
        unsigned l = (unsigned)(b[off + 1] << 8 | b[off + 2]) - 2;
        c[off + 1] = (uint8_t)(l >> 8);
        c[off + 2] = (uint8_t)l;
        char at[32];
        snprintf(at, sizeof at, "offset 0x%zX:", off + 17);
        expect_fail(c, len - 2, at, k ? "BRS: bytes 8-9 after the name are reserved"
                                      : "BDT: bytes 8-9 after the name are reserved");
        free(c);
    }
    free(b);
}

/* ---- dump and the command ------------------------------------------------- */

static void test_dump_and_main(void **state)
{
    (void)state;
    sample s;
    sample_build(&s);
    char path[512], out[512];
    path_of(path, sizeof path, "m.afp");
    path_of(out, sizeof out, "m.txt");
    write_sample(path, &s, NULL);
    folio_arena_free(&s.arena);
    size_t len;
    uint8_t *b = read_file(path, &len);
    FILE *f = fopen(out, "w");
    assert_true(afp_dump(b, len, f));
    fclose(f);
    size_t tl;
    char *t = (char *)read_file(out, &tl);
    t[tl] = 0;
    assert_non_null(strstr(t, "BNG name='HOUSEHOL' full-name='HOUSEHOLD-0000002-LONG'"));
    assert_non_null(strstr(t, "TLE  attribute='Customer Name' value='Zoë Müller'"));
    assert_non_null(strstr(t, "IMM name='F1DUPLEX'"));
    assert_non_null(strstr(t, "PGD units=14400/10in size=12240x15840 (8.50 x 11.00 in)"));
    assert_non_null(strstr(t, "MMC mmc=1 duplex"));
    free(t);
    free(b);
    char *argv1[] = {path, "--check"};
    assert_int_equal(afp_dump_main(2, argv1), 0);
    char *argv2[] = {"--check"};
    assert_int_equal(afp_dump_main(1, argv2), 2);
    char *argv3[] = {path, "--bogus"};
    assert_int_equal(afp_dump_main(2, argv3), 2);
    /* a corrupted file fails with exit 1 */
    b = read_file(path, &len);
    f = fopen(path, "w");
    fwrite(b, 1, len - 3, f);
    fclose(f);
    free(b);
    assert_int_equal(afp_dump_main(2, argv1), 1);
}

/* ---- options ---------------------------------------------------------------- */

static int read_opts(const char *yaml, folio_afp_options **o, char *msg, size_t cap)
{
    char path[512];
    path_of(path, sizeof path, "job.yaml");
    FILE *f = fopen(path, "w");
    fputs(yaml, f);
    fclose(f);
    folio_error err = {0};
    yt_doc *d = yt_load(path, &err);
    assert_non_null(d);
    const yt_node *print = yt_get(yt_get(d->root, "output"), "print");
    bool ok = afp_options_read(d, print, o);
    snprintf(msg, cap, "%s", err.msg);
    yt_free(d);
    return ok;
}

static void test_options(void **state)
{
    (void)state;
    folio_afp_options *o = NULL;
    char msg[1024];
    assert_true(read_opts("output:\n  print:\n    pdf: yes\n", &o, msg, sizeof msg));
    assert_null(o);
    assert_true(read_opts("output:\n  print:\n    afp:\n      code_page: 37\n"
                          "      medium_maps: {simplex: m1s, duplex: M1D}\n"
                          "      form_map: {inline: no}\n"
                          "      index: {household: HH, pages: Pages}\n", &o, msg, sizeof msg));
    assert_non_null(o);
    assert_true(o->enabled);
    assert_int_equal(o->code_page, 37);
    assert_string_equal(o->medium_map_simplex, "M1S");
    assert_string_equal(o->medium_map_duplex, "M1D");
    assert_false(o->inline_form_map);
    assert_int_equal(o->n_index, 2);
    assert_string_equal(o->index[1].tag, "pages");
    assert_string_equal(o->index[1].attribute, "Pages");
    afp_options_free(o);
    assert_false(read_opts("output:\n  print:\n    afp: {code_page: 1252}\n", &o, msg,
                           sizeof msg));
    assert_non_null(strstr(msg, "job.yaml:3:"));
    assert_non_null(strstr(msg, "must be 500, 37 or 1200"));
    assert_false(read_opts("output:\n  print:\n    afp:\n      index: {shoe_size: S}\n", &o,
                           msg, sizeof msg));
    assert_non_null(strstr(msg, "unknown statement tag 'shoe_size'"));
    assert_false(read_opts("output:\n  print:\n    afp:\n      medium_maps: {simplex: "
                           "TOOLONGNAME}\n", &o, msg, sizeof msg));
    assert_non_null(strstr(msg, "1 to 8 characters"));
}

/* ---- setup ------------------------------------------------------------------ */

static int setup(void **state)
{
    (void)state;
    const char *root = getenv("FOLIO_ROOT");
    char path[4096];
    snprintf(path, sizeof path, "%s/layouts/statement.yaml", root ? root : ".");
    folio_error err = {0};
    layout = layout_load(path, &err);
    if (!layout) {
        fprintf(stderr, "layout: %s\n", err.msg);
        return -1;
    }
    return mkdtemp(tmpdir) ? 0 : -1;
}

static int teardown(void **state)
{
    (void)state;
    layout_free(layout);
    char cmd[600];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", tmpdir);
    return system(cmd) == 0 ? 0 : -1;
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_write_valid_structure),
        cmocka_unit_test(test_text_positions_decode_exactly),
        cmocka_unit_test(test_codepage_substitution),
        cmocka_unit_test(test_deterministic),
        cmocka_unit_test(test_two_writers_two_threads),
        cmocka_unit_test(test_corrupt_length_off_by_one),
        cmocka_unit_test(test_corrupt_missing_epg),
        cmocka_unit_test(test_names_and_outline_flag),   /* issue 13 part 5 */
        cmocka_unit_test(test_unicode_cp1200),
        cmocka_unit_test(test_corrupt_unterminated_chain),
        cmocka_unit_test(test_corrupt_truncated),
        cmocka_unit_test(test_corrupt_mismatched_names),
        cmocka_unit_test(test_long_tle_values_split),
        cmocka_unit_test(test_bdt_brs_reserved_bytes),
        cmocka_unit_test(test_dump_and_main),
        cmocka_unit_test(test_options),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
