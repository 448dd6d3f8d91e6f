/* SPDX-License-Identifier: Apache-2.0 */
/* Unit tests (issue 11): the record sinks and the record ring
 * (src/sink-records.c) and the pieces sink (src/sink-pieces.c).
 *
 * Fake record sinks log what the ring gives them: every sink sees its
 * records in item order, empty ones left out; a failing make(), add, done()
 * or close aborts every open sink (none closed after the failure) and the
 * first failure is the error.  The record file sink writes its head and its
 * records byte for byte, refuses a record out of order, and its abort (the
 * ring's, on any failure) removes the file.  The pieces sink writes exactly
 * production_pieces_csv's bytes with their SHA-256 and fails -- naming the
 * piece -- on a statement whose household, pages or sheets differ from the
 * plan, or when pieces are missing at close; the file is then removed. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "folio/production.h"
#include "folio/sink.h"

/* ---- fake record sinks ---------------------------------------------------- */

typedef struct fake_rs {
    int id;
    size_t log[64];
    size_t n_log;
    size_t fail_add;             /* seq whose add fails, SIZE_MAX none */
    bool fail_close;
    int *events;                 /* shared: 100 * id + 1 open, 2 close, 3 abort */
    int *n_events;
} fake_rs;

static void ev(fake_rs *F, int what)
{
    F->events[(*F->n_events)++] = 100 * F->id + what;
}

static void *frs_open(const void *opt, const char *path, folio_error *err)
{
    fake_rs *F = (fake_rs *)opt;
    (void)path;
    if (F->fail_close && F->fail_add == 999) {   /* open fails */
        folio_error_set(err, FOLIO_EXIT_FAILED, "open %d failed", F->id);
        return NULL;
    }
    ev(F, 1);
    return F;
}

static bool frs_add(void *self, const folio_record *rec, folio_error *err)
{
    fake_rs *F = self;
    if (rec->seq == F->fail_add) {
        folio_error_set(err, FOLIO_EXIT_FAILED, "sink %d failed at %zu", F->id, rec->seq);
        return false;
    }
    /* the record is this item's, for this sink: "ID:SEQ\n" */
    char want[32];
    snprintf(want, sizeof want, "%d:%zu\n", F->id, rec->seq);
    assert_int_equal(rec->len, strlen(want));
    assert_memory_equal(rec->data, want, rec->len);
    F->log[F->n_log++] = rec->seq;
    return true;
}

static bool frs_close(void *self, folio_sink_result *res, folio_error *err)
{
    fake_rs *F = self;
    ev(F, 2);
    if (F->fail_close) {
        folio_error_set(err, FOLIO_EXIT_FAILED, "close %d failed", F->id);
        return false;
    }
    res->statements = (uint32_t)F->n_log;
    return true;
}

static void frs_abort(void *self)
{
    ev((fake_rs *)self, 3);
}

static const folio_record_sink_type fake_rs_type = {
    .name = "fake", .open = frs_open, .add_record = frs_add, .close = frs_close,
    .abort = frs_abort};

typedef struct ring_ctx {
    size_t fail_make;            /* item whose make fails */
    bool fail_done;
    size_t made;                 /* items made */
} ring_ctx;

/* sink 0 gets a record from every item, sink 1 from the even ones */
static bool fmake(void *ctx, size_t i, folio_buf *out, folio_error *err)
{
    ring_ctx *C = ctx;
    if (i == C->fail_make) {
        folio_error_set(err, FOLIO_EXIT_FAILED, "make failed at %zu", i);
        return false;
    }
    C->made++;
    folio_buf_printf(&out[0], "0:%zu\n", i);
    if (i % 2 == 0)
        folio_buf_printf(&out[1], "1:%zu\n", i);
    return true;
}

static bool fdone(void *ctx, folio_error *err)
{
    ring_ctx *C = ctx;
    if (C->fail_done)
        folio_error_set(err, FOLIO_EXIT_FAILED, "done failed");
    return !C->fail_done;
}

/* Run the ring over 10 items with two fake sinks; returns ok. */
static bool run2(fake_rs *a, fake_rs *b, ring_ctx *C, int *events, int *n_events,
                 folio_sink_result *res, folio_error *err)
{
    *n_events = 0;
    a->id = 0, b->id = 1;
    a->events = b->events = events;
    a->n_events = b->n_events = n_events;
    a->n_log = b->n_log = 0;
    const folio_record_sink_type *type[2] = {&fake_rs_type, &fake_rs_type};
    const void *opt[2] = {a, b};
    const char *path[2] = {"a", "b"};
    folio_record_ring r = {.n = 10, .ctx = C, .n_sinks = 2, .type = type, .opt = opt,
                           .path = path, .make = fmake, .done = fdone, .res = res};
    memset(err, 0, sizeof *err);
    return folio_record_ring_run(&r, err);
}

static void test_ring_order(void **state)
{
    (void)state;
    fake_rs a = {.fail_add = SIZE_MAX}, b = {.fail_add = SIZE_MAX};
    ring_ctx C = {.fail_make = SIZE_MAX};
    int events[16], n_events;
    folio_sink_result res[2] = {{0}};
    folio_error err;
    assert_true(run2(&a, &b, &C, events, &n_events, res, &err));
    assert_int_equal(a.n_log, 10);
    for (size_t i = 0; i < 10; i++)
        assert_int_equal(a.log[i], i);
    assert_int_equal(b.n_log, 5);            /* the empty records left out */
    for (size_t i = 0; i < 5; i++)
        assert_int_equal(b.log[i], 2 * i);
    assert_int_equal(res[0].statements, 10);
    assert_int_equal(res[1].statements, 5);
    int want[] = {1, 101, 2, 102};            /* opened in order, closed in order */
    assert_int_equal(n_events, 4);
    assert_memory_equal(events, want, sizeof want);
}

static void test_ring_errors(void **state)
{
    (void)state;
    int events[16], n_events;
    folio_error err;
    /* make fails at 6: both aborted, none closed, nothing made after it */
    fake_rs a = {.fail_add = SIZE_MAX}, b = {.fail_add = SIZE_MAX};
    ring_ctx C = {.fail_make = 6};
    assert_false(run2(&a, &b, &C, events, &n_events, NULL, &err));
    assert_string_equal(err.msg, "make failed at 6");
    assert_int_equal(C.made, 6);
    assert_int_equal(a.n_log, 6);
    int want_abort[] = {1, 101, 3, 103};
    assert_int_equal(n_events, 4);
    assert_memory_equal(events, want_abort, sizeof want_abort);
    /* sink 1's add fails at 4: sink 0 got 0..4, nothing after; both aborted */
    fake_rs a2 = {.fail_add = SIZE_MAX}, b2 = {.fail_add = 4};
    ring_ctx C2 = {.fail_make = SIZE_MAX};
    assert_false(run2(&a2, &b2, &C2, events, &n_events, NULL, &err));
    assert_string_equal(err.msg, "sink 1 failed at 4");
    assert_int_equal(C2.made, 5);
    assert_int_equal(a2.n_log, 5);
    assert_int_equal(b2.n_log, 2);
    assert_int_equal(n_events, 4);
    assert_memory_equal(events, want_abort, sizeof want_abort);
    /* done() fails after the last item: aborted, not closed */
    fake_rs a3 = {.fail_add = SIZE_MAX}, b3 = {.fail_add = SIZE_MAX};
    ring_ctx C3 = {.fail_make = SIZE_MAX, .fail_done = true};
    assert_false(run2(&a3, &b3, &C3, events, &n_events, NULL, &err));
    assert_string_equal(err.msg, "done failed");
    assert_memory_equal(events, want_abort, sizeof want_abort);
    /* sink 0's close fails: sink 1 is aborted, not closed; its error wins */
    fake_rs a4 = {.fail_add = SIZE_MAX, .fail_close = true}, b4 = {.fail_add = SIZE_MAX};
    ring_ctx C4 = {.fail_make = SIZE_MAX};
    assert_false(run2(&a4, &b4, &C4, events, &n_events, NULL, &err));
    assert_string_equal(err.msg, "close 0 failed");
    int want_close[] = {1, 101, 2, 103};
    assert_int_equal(n_events, 4);
    assert_memory_equal(events, want_close, sizeof want_close);
    /* sink 1 cannot open: sink 0 aborted, nothing made */
    fake_rs a5 = {.fail_add = SIZE_MAX}, b5 = {.fail_add = 999, .fail_close = true};
    ring_ctx C5 = {.fail_make = SIZE_MAX};
    assert_false(run2(&a5, &b5, &C5, events, &n_events, NULL, &err));
    assert_string_equal(err.msg, "open 1 failed");
    assert_int_equal(C5.made, 0);
    int want_open[] = {1, 3};
    assert_int_equal(n_events, 2);
    assert_memory_equal(events, want_open, sizeof want_open);
}

/* ---- the record file sink --------------------------------------------------- */

static char *slurp(const char *path, size_t *n)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    char *d = calloc(1, 1 << 22);
    *n = fread(d, 1, (1 << 22) - 1, f);
    fclose(f);
    return d;
}

static bool rmake(void *ctx, size_t i, folio_buf *out, folio_error *err)
{
    size_t *fail = ctx;
    if (i == *fail) {
        folio_error_set(err, FOLIO_EXIT_FAILED, "stop at %zu", i);
        return false;
    }
    folio_buf_printf(&out[0], "row,%zu\n", i);
    if (i == 3)                                 /* a record larger than the buffer */
        for (int k = 0; k < 150000; k++)
            folio_buf_puts(&out[1], "0123456789\n");
    return true;
}

static void test_record_file(void **state)
{
    (void)state;
    char dir[] = "/tmp/folio-test-recsink-XXXXXX";
    assert_non_null(mkdtemp(dir));
    char p0[128], p1[128];
    snprintf(p0, sizeof p0, "%s/a.csv.part", dir);
    snprintf(p1, sizeof p1, "%s/b.csv.part", dir);
    folio_sink_record_file_options o0 = {"kind,id\n", 8}, o1 = {NULL, 0};
    const folio_record_sink_type *type[2] = {&folio_sink_record_file, &folio_sink_record_file};
    const void *opt[2] = {&o0, &o1};
    const char *path[2] = {p0, p1};
    size_t fail = SIZE_MAX;
    folio_sink_result res[2];
    folio_record_ring r = {.n = 5, .ctx = &fail, .n_sinks = 2, .type = type, .opt = opt,
                           .path = path, .make = rmake, .res = res};
    folio_error err = {0};
    assert_true(folio_record_ring_run(&r, &err));
    size_t n;
    char *d = slurp(p0, &n);
    assert_non_null(d);
    const char *want = "kind,id\nrow,0\nrow,1\nrow,2\nrow,3\nrow,4\n";
    assert_int_equal(n, strlen(want));
    assert_memory_equal(d, want, n);
    assert_int_equal(res[0].bytes, n);
    assert_int_equal(res[0].statements, 5);
    free(d);
    struct stat st;
    assert_int_equal(stat(p1, &st), 0);
    assert_int_equal(st.st_size, 1650000);
    assert_int_equal(res[1].bytes, 1650000);
    assert_int_equal(res[1].statements, 1);
    /* the files exist now: a second ring cannot create them (O_EXCL) */
    memset(&err, 0, sizeof err);
    assert_false(folio_record_ring_run(&r, &err));
    assert_non_null(strstr(err.msg, "a.csv.part: cannot create"));
    unlink(p0);
    unlink(p1);
    /* a failure mid-run: both .part files removed */
    fail = 4;
    memset(&err, 0, sizeof err);
    assert_false(folio_record_ring_run(&r, &err));
    assert_string_equal(err.msg, "stop at 4");
    assert_int_equal(access(p0, F_OK), -1);
    assert_int_equal(access(p1, F_OK), -1);
    /* a record out of order: refused */
    void *s = folio_sink_record_file.open(&o0, p0, &err);
    assert_non_null(s);
    folio_record a = {.seq = 5, .data = "x\n", .len = 2}, b = {.seq = 5, .data = "y\n", .len = 2};
    assert_true(folio_sink_record_file.add_record(s, &a, &err));
    memset(&err, 0, sizeof err);
    assert_false(folio_sink_record_file.add_record(s, &b, &err));
    assert_non_null(strstr(err.msg, "record 5 after record 5"));
    folio_sink_record_file.abort(s);
    assert_int_equal(access(p0, F_OK), -1);
    rmdir(dir);
}

/* ---- the pieces sink -------------------------------------------------------- */

static void test_pieces_sink(void **state)
{
    (void)state;
    folio_prod_stream streams[1] = {{.name = "letters", .n_files = 1}};
    folio_prod_piece pieces[2] = {
        {.id = "P0000001", .input = 1, .pages = 2, .sheets = 1, .first_page = 1, .serial = 41},
        {.id = "P0000002", .input = 0, .pages = 4, .sheets = 2, .first_page = 3, .serial = 42}};
    folio_prod_file files[1] = {{.base = "statements-letters-0001", .n_pieces = 2,
                                 .pages = 6, .sheets = 3}};
    folio_production_plan plan = {.streams = streams, .n_streams = 1, .pieces = pieces,
                                  .n_pieces = 2, .files = files, .n_files = 1,
                                  .serial_digits = 9};
    folio_piece_input in[2] = {{.household = "H,2"}, {.household = "H1"}};
    folio_sink_pieces_options o = {.plan = &plan, .in = in, .file = 0,
                                   .file_name = "statements-letters-0001.pdf",
                                   .duplex = true};
    char path[] = "/tmp/folio-test-pieces-XXXXXX";
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    close(fd);
    folio_arena arena;
    folio_arena_init(&arena, 64 * 1024);
    folio_dl_statement *s1 = dlist_statement_new(&arena, "H1", 12240, 15840);
    folio_dl_statement *s2 = dlist_statement_new(&arena, "H,2", 12240, 15840);
    for (int k = 0; k < 2; k++)
        assert_non_null(dlist_page_add(s1));
    for (int k = 0; k < 4; k++)
        assert_non_null(dlist_page_add(s2));
    folio_error err = {0};
    void *s = folio_sink_pieces.open(&o, path, &err);
    assert_non_null(s);
    assert_true(folio_sink_pieces.add_statement(s, s1, NULL, &err));
    assert_true(folio_sink_pieces.add_statement(s, s2, NULL, &err));
    folio_sink_result res = {0};
    assert_true(folio_sink_pieces.close(s, &res, &err));
    folio_buf want;
    folio_buf_init(&want, 1 << 20);
    assert_true(production_pieces_csv(&plan, 0, in, "statements-letters-0001.pdf", &want));
    size_t n;
    char *d = slurp(path, &n);
    assert_int_equal(n, want.len);
    assert_memory_equal(d, want.data, n);
    free(d);
    char hex[65];
    folio_sha256_hex(want.data, want.len, hex);
    assert_string_equal(res.sha256, hex);
    assert_int_equal(res.bytes, want.len);
    assert_int_equal(res.statements, 2);
    assert_int_equal(res.pages, 6);
    /* a statement whose pages differ from the plan: an error naming the
     * piece, the file removed at abort */
    folio_dl_statement *s2b = dlist_statement_new(&arena, "H,2", 12240, 15840);
    for (int k = 0; k < 6; k++)
        assert_non_null(dlist_page_add(s2b));
    s = folio_sink_pieces.open(&o, path, &err);
    assert_non_null(s);
    assert_true(folio_sink_pieces.add_statement(s, s1, NULL, &err));
    memset(&err, 0, sizeof err);
    assert_false(folio_sink_pieces.add_statement(s, s2b, NULL, &err));
    assert_non_null(strstr(err.msg, "piece P0000002 is household H,2, 4 pages, 2 sheets, but "
                                    "the statement written is household H,2, 6 pages, 3 sheets"));
    folio_sink_pieces.abort(s);
    assert_int_equal(access(path, F_OK), -1);
    /* another household in the piece's place */
    fd = open(path, O_CREAT | O_WRONLY | O_EXCL, 0644);
    assert_true(fd >= 0);
    close(fd);
    s = folio_sink_pieces.open(&o, path, &err);
    memset(&err, 0, sizeof err);
    assert_false(folio_sink_pieces.add_statement(s, s2, NULL, &err));
    assert_non_null(strstr(err.msg, "piece P0000001 is household H1"));
    folio_sink_pieces.abort(s);
    /* a piece missing at close: an error, the file removed */
    fd = open(path, O_CREAT | O_WRONLY | O_EXCL, 0644);
    assert_true(fd >= 0);
    close(fd);
    s = folio_sink_pieces.open(&o, path, &err);
    assert_true(folio_sink_pieces.add_statement(s, s1, NULL, &err));
    memset(&err, 0, sizeof err);
    assert_false(folio_sink_pieces.close(s, &res, &err));
    assert_non_null(strstr(err.msg, "1 of the 2 pieces planned written"));
    assert_int_equal(access(path, F_OK), -1);
    folio_buf_free(&want);
    folio_arena_free(&arena);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_ring_order),
        cmocka_unit_test(test_ring_errors),
        cmocka_unit_test(test_record_file),
        cmocka_unit_test(test_pieces_sink),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
