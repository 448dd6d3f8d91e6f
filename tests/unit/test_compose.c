/* SPDX-License-Identifier: Apache-2.0 */
/* Unit tests: composition (src/compose.c) on hand-built households with the
 * sample layout.  Checked on the display list itself: geometry, no overlaps,
 * every transaction once, totals, determinism. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <locale.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "folio/compose.h"
#include "folio/fonts.h"

static char *root_path(const char *rel)
{
    const char *root = getenv("FOLIO_ROOT");
    static char buf[8][1024];
    static int k;
    char *b = buf[k++ & 7];
    snprintf(b, 1024, "%s/%s", root ? root : ".", rel);
    return b;
}

typedef struct fixture {
    folio_job job;
    folio_layout *layout;
    folio_dataset ds;
    folio_households hs;
    folio_customer cust[4];
    folio_account acc[4];
    folio_txn *txns;
    folio_household hh[2];
    uint32_t cidx[4], aidx[4];
    char desc[500][64];
    folio_plan *plan;
} fixture;

static fixture *make_fixture(int ntx, bool long_desc)
{
    fixture *f = calloc(1, sizeof *f);
    folio_error err = {0};
    f->layout = layout_load(root_path("layouts/statement.yaml"), &err);
    if (!f->layout)
        fail_msg("layout: %s", err.msg);
    f->job.name = "test";
    f->job.bank_name = "Harbor & Pine Bank";
    f->job.bank_phone = "1-800-555-0142";
    f->job.bank_website = "www.example.com";
    folio_date_from_ymd(2026, 11, 1, &f->job.statement_date);
    folio_date_from_ymd(2026, 10, 1, &f->job.period_start);
    folio_date_from_ymd(2026, 10, 31, &f->job.period_end);
    /* household H1: Ana and Luis Pérez; one checking with ntx transactions and
       one savings with none.  household H2: one customer, one card. */
    const char *fn[3] = {"Ana", "Luis", "Zoë"};
    const char *ln[3] = {"Pérez", "Pérez", "Müller"};
    for (int i = 0; i < 3; i++) {
        folio_customer *c = &f->cust[i];
        c->id = i == 0 ? "C1" : i == 1 ? "C2" : "C3";
        c->household_id = i < 2 ? "H1" : "H2";
        c->first_name = fn[i];
        c->last_name = ln[i];
        c->address1 = "12 Main St";
        c->address2 = "";
        c->city = "Portland";
        c->state = "ME";
        c->postal_code = "04101";
        c->country = "US";
        c->language = "en";
        c->email = "";
        c->segment = "";
        c->line = (uint32_t)i + 2;
    }
    f->txns = calloc((size_t)ntx + 1, sizeof *f->txns);
    folio_money sum = 0;
    for (int i = 0; i < ntx; i++) {
        folio_txn *t = &f->txns[i];
        t->account = 0;
        t->date = f->job.period_start + i * 30 / (ntx ? ntx : 1);
        t->amount = (i * 7919 % 50000) - 20000;
        sum += t->amount;
        if (long_desc && i % 5 == 0)
            snprintf(f->desc[i % 500], 64, "TXN %04d A VERY LONG DESCRIPTION THAT MUST WRAP", i);
        else
            snprintf(f->desc[i % 500], 64, "TXN %04d POS PURCHASE", i);
        t->description = strdup(f->desc[i % 500]);
        t->line = (uint32_t)i + 2;
    }
    const char *ids[3] = {"100200300400", "500600700800", "4111000011112222"};
    const char *prod[3] = {"checking", "savings", "credit_card"};
    for (int i = 0; i < 3; i++) {
        folio_account *a = &f->acc[i];
        a->id = ids[i];
        a->owner_id = f->cust[i == 2 ? 2 : 0].id;
        a->owner = i == 2 ? 2 : (uint32_t)i;
        a->product = prod[i];
        a->product_name = "";
        a->currency = "USD";
        a->due_date = a->opened_date = FOLIO_DATE_NONE;
    }
    f->acc[0].opening_balance = 1234567;
    f->acc[0].closing_balance = 1234567 + sum;
    f->acc[0].has_opening = true;
    f->acc[0].first_txn = 0;
    f->acc[0].n_txn = (uint32_t)ntx;
    f->acc[1].closing_balance = 25000;
    f->acc[1].first_txn = (uint32_t)ntx;
    f->acc[2].closing_balance = 50000;
    f->acc[2].first_txn = (uint32_t)ntx;
    f->ds.customers = f->cust; f->ds.n_customers = 3;
    f->ds.accounts = f->acc; f->ds.n_accounts = 3;
    f->ds.txns = f->txns; f->ds.n_txns = (size_t)ntx;
    f->hh[0] = (folio_household){"H1", false, 0, 2, 0, 2};
    f->hh[1] = (folio_household){"H2", false, 2, 1, 2, 1};
    f->cidx[0] = 0; f->cidx[1] = 1; f->cidx[2] = 2;
    f->aidx[0] = 0; f->aidx[1] = 1; f->aidx[2] = 2;
    f->hs.v = f->hh; f->hs.n = 2;
    f->hs.customer_idx = f->cidx;
    f->hs.account_idx = f->aidx;
    f->plan = compose_plan_new(&f->job, f->layout, &f->ds, &f->hs, &err);
    assert_non_null(f->plan);
    return f;
}

static void free_fixture(fixture *f)
{
    compose_plan_free(f->plan);
    layout_free(f->layout);
    for (size_t i = 0; i < f->ds.n_txns; i++)
        free((char *)f->txns[i].description);
    free(f->txns);
    free(f);
}

typedef struct bbox { int32_t x0, y0, x1, y1; } bbox;

static bbox text_box(const folio_layout *L, const folio_dl_op *op)
{
    const folio_font *fn = L->fonts[op->font].metrics;
    int32_t w = fonts_text_width(fn, op->text, op->len, op->size);
    int32_t asc = (int32_t)((int64_t)fonts_ascent(fn) * op->size / 1000);
    int32_t des = (int32_t)((int64_t)fonts_descent(fn) * op->size / 1000);
    return (bbox){op->x, op->y - asc, op->x + w, op->y + des};
}

static bool overlap(bbox a, bbox b)
{
    return a.x0 < b.x1 && b.x0 < a.x1 && a.y0 < b.y1 && b.y0 < a.y1;
}

static int count_text(const folio_dl_statement *st, const char *needle)
{
    int n = 0;
    size_t nl = strlen(needle);
    for (uint32_t p = 0; p < st->n_pages; p++)
        for (uint32_t i = 0; i < st->pages[p].n_ops; i++) {
            const folio_dl_op *op = &st->pages[p].ops[i];
            if (op->kind != FOLIO_DL_TEXT || op->len < nl)
                continue;
            for (uint32_t k = 0; k + nl <= op->len; k++)
                if (!memcmp(op->text + k, needle, nl)) { n++; break; }
        }
    return n;
}

static void test_pagination_geometry(void **state)
{
    (void)state;
    fixture *f = make_fixture(400, false);
    folio_arena a;
    folio_arena_init(&a, 1 << 16);
    folio_error err = {0};
    folio_compose_result res;
    folio_dl_statement *st = compose_household(f->plan, 0, &a, &res, &err);
    assert_non_null(st);
    assert_true(st->n_pages >= 6);      /* 400 rows at ~45 per page */
    assert_int_equal(res.pages, st->n_pages);
    assert_int_equal(res.txns, 400);
    assert_int_equal(res.accounts, 2);
    folio_money sum = 0;
    for (int i = 0; i < 400; i++) sum += f->txns[i].amount;
    assert_true(res.txn_sum == sum);
    /* every transaction exactly once */
    char needle[32];
    for (int i = 0; i < 400; i++) {
        snprintf(needle, sizeof needle, "TXN %04d ", i);
        assert_int_equal(count_text(st, needle), 1);
    }
    const folio_layout *L = f->layout;
    for (uint32_t p = 0; p < st->n_pages; p++) {
        const folio_dl_page *pg = &st->pages[p];
        char pn[64];
        snprintf(pn, sizeof pn, "Page %u of %u", p + 1, st->n_pages);
        /* page numbers, header repeated, no overlap, inside the page */
        int found = 0;
        for (uint32_t i = 0; i < pg->n_ops; i++) {
            const folio_dl_op *op = &pg->ops[i];
            if (op->kind != FOLIO_DL_TEXT) continue;
            if (op->len == strlen(pn) && !memcmp(op->text, pn, op->len)) found = 1;
            bbox b = text_box(L, op);
            assert_true(b.x0 >= 0 && b.x1 <= L->page_w && b.y0 >= 0 && b.y1 <= L->page_h);
            for (uint32_t j = i + 1; j < pg->n_ops; j++) {
                const folio_dl_op *o2 = &pg->ops[j];
                if (o2->kind != FOLIO_DL_TEXT) continue;
                if (overlap(b, text_box(L, o2)))
                    fail_msg("page %u: '%.*s' overlaps '%.*s'", p + 1, (int)op->len, op->text,
                             (int)o2->len, o2->text);
            }
            /* body text stays between body top and bottom (header/footer excluded) */
        }
        assert_true(found);
        /* free rectangles do not cover any text */
        for (uint32_t r = 0; r < pg->n_free; r++) {
            bbox fr = {pg->free_rects[r].x, pg->free_rects[r].y,
                       pg->free_rects[r].x + pg->free_rects[r].w,
                       pg->free_rects[r].y + pg->free_rects[r].h};
            assert_true(fr.y1 <= L->body_bottom);
            for (uint32_t i = 0; i < pg->n_ops; i++)
                if (pg->ops[i].kind == FOLIO_DL_TEXT)
                    assert_false(overlap(fr, text_box(L, &pg->ops[i])));
        }
    }
    /* the table's column header is on every page (the summary has no such column;
       a page may hold two tables' headers: the sample layout's balance chart in
       the checking section moves the savings table onto its last page) */
    for (uint32_t p = 0; p < st->n_pages; p++) {
        folio_dl_statement one = *st;
        one.pages = &st->pages[p];
        one.n_pages = 1;
        if (count_text(&one, "Description") < 1)
            fail_msg("page %u has no table header", p + 1);
    }
    /* every page of the checking table after its first has the continued title:
       the table ends on the page with the first "Closing balance" row */
    uint32_t end_page = 0;
    for (uint32_t p = 0; p < st->n_pages && !end_page; p++)
        for (uint32_t i = 0; i < st->pages[p].n_ops; i++)
            if (st->pages[p].ops[i].len == strlen(L->table_closing_label) &&
                !memcmp(st->pages[p].ops[i].text, L->table_closing_label, st->pages[p].ops[i].len)) {
                end_page = p;
                break;
            }
    assert_true(end_page >= 5);
    assert_int_equal(count_text(st, "(continued)"), (int)end_page);
    assert_int_equal(count_text(st, "Continued on next page"), (int)end_page);
    /* determinism: composing again gives the same ops */
    folio_arena b;
    folio_arena_init(&b, 1 << 12);
    folio_compose_result res2;
    folio_dl_statement *st2 = compose_household(f->plan, 0, &b, &res2, &err);
    assert_int_equal(st2->n_pages, st->n_pages);
    for (uint32_t p = 0; p < st->n_pages; p++) {
        assert_int_equal(st2->pages[p].n_ops, st->pages[p].n_ops);
        for (uint32_t i = 0; i < st->pages[p].n_ops; i++) {
            const folio_dl_op *x = &st->pages[p].ops[i], *y = &st2->pages[p].ops[i];
            assert_int_equal(x->x, y->x);
            assert_int_equal(x->y, y->y);
            assert_int_equal(x->len, y->len);
            if (x->len) assert_memory_equal(x->text, y->text, x->len);
        }
    }
    folio_arena_free(&a);
    folio_arena_free(&b);
    free_fixture(f);
}

static void test_wrap_and_joint_names(void **state)
{
    (void)state;
    fixture *f = make_fixture(30, true);
    folio_arena a;
    folio_arena_init(&a, 1 << 16);
    folio_error err = {0};
    folio_compose_result res;
    folio_dl_statement *st = compose_household(f->plan, 0, &a, &res, &err);
    assert_non_null(st);
    /* joint addressee on one line */
    assert_int_equal(count_text(st, "Ana & Luis Pérez"), 1);
    /* long descriptions wrap: the tail of a wrapped description is its own op */
    assert_int_equal(count_text(st, "WRAP"), 6);
    int starts = count_text(st, "A VERY LONG");
    assert_int_equal(starts, 6);
    /* savings without transactions shows the empty text */
    assert_int_equal(count_text(st, f->layout->table_empty_text), 1);
    /* account numbers are masked to the last four by the sample layout */
    assert_int_equal(count_text(st, "100200300400"), 0);
    assert_true(count_text(st, "0400") >= 1);
    folio_arena_reset(&a);
    st = compose_household(f->plan, 1, &a, &res, &err);
    assert_non_null(st);
    assert_true(count_text(st, "Zoë Müller") >= 1);      /* the address block */
    folio_arena_free(&a);
    free_fixture(f);
}

/* issue 10 gaps: more customers than address lines share lines while they
 * fit ("Ana, Luis & Eva Pérez"); *named says how many the lines name. */
static void test_addressee_packing(void **state)
{
    (void)state;
    fixture *f = make_fixture(3, false);
    f->cust[3] = f->cust[1];
    f->cust[3].id = "C4";
    f->cust[3].first_name = "Eva";
    f->cidx[0] = 0; f->cidx[1] = 1; f->cidx[2] = 3; f->cidx[3] = 2;
    f->hh[0].n_customers = 3;
    f->hh[1].first_customer = 3;
    f->ds.n_customers = 4;
    const folio_layout *L = f->layout;
    int s = L->address_style;
    const folio_font *font = L->fonts[L->styles[s].font].metrics;
    int32_t size = L->styles[s].size;
    const char *three = "Ana, Luis & Eva Pérez", *two = "Ana & Luis Pérez";
    int32_t w3 = fonts_text_width(font, three, strlen(three), size);
    int32_t w2 = fonts_text_width(font, two, strlen(two), size);
    assert_true(w2 < w3);
    folio_arena a;
    folio_arena_init(&a, 1 << 12);
    const char *lines[16];
    uint32_t named = 99;
    assert_int_equal(compose_addressee(f->plan, 0, font, size, w3, lines, 1, &a, &named), 1);
    assert_string_equal(lines[0], three);
    assert_int_equal(named, 3);
    assert_int_equal(compose_addressee(f->plan, 0, font, size, w3 - 1, lines, 1, &a, &named), 1);
    assert_string_equal(lines[0], two);
    assert_int_equal(named, 2);                  /* Eva is not named: an exception */
    assert_int_equal(compose_addressee(f->plan, 0, font, size, w3 - 1, lines, 2, &a, &named), 2);
    assert_string_equal(lines[1], "Eva Pérez");
    assert_int_equal(named, 3);
    assert_int_equal(compose_addressee(f->plan, 0, font, size, w3, lines, 3, &a, &named), 3);
    assert_string_equal(lines[2], "Eva Pérez");  /* room for all: one per line */
    assert_int_equal(named, 3);
    f->cust[3].last_name = "Ruiz";               /* no shared last name: full names */
    assert_int_equal(compose_addressee(f->plan, 0, font, size, 100000, lines, 1, &a, &named), 1);
    assert_string_equal(lines[0], "Ana Pérez, Luis Pérez & Eva Ruiz");
    assert_int_equal(named, 3);
    folio_arena_free(&a);
    f->hh[0].n_customers = 2;
    f->hh[1].first_customer = 2;
    f->cidx[2] = 2;
    free_fixture(f);
}

static void test_balance_mismatch_suppressed(void **state)
{
    (void)state;
    fixture *f = make_fixture(10, false);
    compose_plan_free(f->plan);
    f->acc[0].closing_balance += 1;       /* one cent off */
    folio_error err = {0};
    f->plan = compose_plan_new(&f->job, f->layout, &f->ds, &f->hs, &err);
    assert_true(f->plan->accounts[0].suppressed);
    assert_non_null(strstr(f->plan->accounts[0].reason, "balance mismatch"));
    assert_false(f->plan->accounts[1].suppressed);
    folio_arena a;
    folio_arena_init(&a, 1 << 16);
    folio_compose_result res;
    folio_dl_statement *st = compose_household(f->plan, 0, &a, &res, &err);
    assert_non_null(st);
    assert_int_equal(res.accounts, 1);
    assert_int_equal(res.txns, 0);
    folio_arena_free(&a);
    free_fixture(f);
}

static void test_period_and_delivery(void **state)
{
    (void)state;
    fixture *f = make_fixture(10, false);
    compose_plan_free(f->plan);
    f->txns[0].date = f->job.period_start - 1;     /* before the period */
    f->acc[0].has_opening = false;                  /* derive the opening */
    f->cust[2].delivery = FOLIO_DELIVERY_NONE;
    folio_error err = {0};
    f->plan = compose_plan_new(&f->job, f->layout, &f->ds, &f->hs, &err);
    assert_int_equal(f->plan->accounts[0].n_outside, 1);
    assert_int_equal(f->plan->accounts[0].n, 9);
    assert_int_equal(f->plan->households[1].channel, FOLIO_CHANNEL_SUPPRESSED);
    assert_non_null(strstr(f->plan->households[1].reason, "none"));
    folio_money in = 0;
    for (int i = 1; i < 10; i++) in += f->txns[i].amount;
    assert_true(f->plan->accounts[0].opening == f->acc[0].closing_balance - in);
    free_fixture(f);
}

/* An e-mail household of a job built by hand, without archive options
 * (job->archive NULL: channels.c routes it all the same): composed, with
 * its structure tree kept (review, round 27: compose read the options
 * without a check and crashed). */
static void test_email_no_archive(void **state)
{
    (void)state;
    fixture *f = make_fixture(10, false);
    compose_plan_free(f->plan);
    f->cust[0].delivery = FOLIO_DELIVERY_EMAIL;
    f->cust[0].email = "ana@example.com";
    folio_error err = {0};
    f->plan = compose_plan_new(&f->job, f->layout, &f->ds, &f->hs, &err);
    assert_non_null(f->plan);
    assert_null(f->job.archive);
    assert_int_equal(f->plan->households[0].channel, FOLIO_CHANNEL_EMAIL);
    folio_arena a;
    folio_arena_init(&a, 1 << 16);
    folio_compose_result res;
    folio_dl_statement *st = compose_household(f->plan, 0, &a, &res, &err);
    assert_non_null(st);
    assert_true(res.pages >= 1);
    assert_true(st->n_snodes > 0);
    folio_arena_free(&a);
    free_fixture(f);
}

int main(void)
{
    setlocale(LC_ALL, "");
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_pagination_geometry),
        cmocka_unit_test(test_email_no_archive),
        cmocka_unit_test(test_wrap_and_joint_names),
        cmocka_unit_test(test_addressee_packing),
        cmocka_unit_test(test_balance_mismatch_suppressed),
        cmocka_unit_test(test_period_and_delivery),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
