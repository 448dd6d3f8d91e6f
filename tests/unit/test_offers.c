/* SPDX-License-Identifier: Apache-2.0 */
/* Unit tests: the offer catalogue and the white-space filler (src/offers*.c,
 * the compose hook).  Hand-built households against the sample layout; every
 * check is on the display list or on the decisions offers_fill reports. */
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

#include "folio/compose.h"
#include "folio/offers.h"

static char *root_path(const char *rel)
{
    const char *root = getenv("FOLIO_ROOT");
    static char buf[8][1024];
    static int k;
    char *b = buf[k++ & 7];
    snprintf(b, 1024, "%s/%s", root ? root : ".", rel);
    return b;
}

/* ---- fixture: one household H1 (two customers), one H2 ------------------------ */

typedef struct fixture {
    folio_job job;
    folio_layout *layout;
    folio_dataset ds;
    folio_households hs;
    folio_customer cust[3];
    folio_account acc[3];
    folio_txn txns[400];
    folio_contact contacts[8];
    folio_household hh[2];
    uint32_t cidx[3], aidx[3];
    char desc[400][40];
    folio_plan *plan;
    folio_offers *offers;
    char cat_path[64];
} fixture;

static fixture *make_fixture(int ntx)
{
    fixture *f = calloc(1, sizeof *f);
    folio_error err = {0};
    f->layout = layout_load(root_path("layouts/statement.yaml"), &err);
    if (!f->layout)
        fail_msg("layout: %s", err.msg);
    f->job.name = "test";
    f->job.bank_name = "Harbor & Pine Bank";
    f->job.seed = 20261101;
    folio_date_from_ymd(2026, 11, 1, &f->job.statement_date);
    folio_date_from_ymd(2026, 10, 1, &f->job.period_start);
    folio_date_from_ymd(2026, 10, 31, &f->job.period_end);
    const char *fn[3] = {"Ana", "Luis", "Zoë"};
    for (int i = 0; i < 3; i++) {
        folio_customer *c = &f->cust[i];
        c->id = i == 0 ? "C1" : i == 1 ? "C2" : "C3";
        c->household_id = i < 2 ? "H1" : "H2";
        c->first_name = fn[i];
        c->last_name = "Pérez";
        c->address1 = "12 Main St";
        c->address2 = "";
        c->city = "Portland";
        c->state = "ME";
        c->postal_code = "04101";
        c->country = "US";
        c->language = "en";
        c->email = "";
        c->segment = "mass";
        c->marketing_consent = true;
        c->birth_date = c->customer_since = FOLIO_DATE_NONE;
        c->line = (uint32_t)i + 2;
    }
    folio_money sum = 0;
    for (int i = 0; i < ntx; i++) {
        folio_txn *t = &f->txns[i];
        t->date = f->job.period_start + i * 30 / (ntx ? ntx : 1);
        t->amount = (i * 7919 % 50000) - 20000;
        sum += t->amount;
        snprintf(f->desc[i], sizeof f->desc[i], "TXN %04d POS PURCHASE", i);
        t->description = f->desc[i];
    }
    const char *ids[3] = {"100200300400", "500600700800", "4111000011112222"};
    const char *prod[3] = {"checking", "savings", "credit_card"};
    for (int i = 0; i < 3; i++) {
        folio_account *a = &f->acc[i];
        a->id = ids[i];
        a->owner = i == 2 ? 2 : 0;
        a->owner_id = f->cust[a->owner].id;
        a->product = prod[i];
        a->product_name = "";
        a->currency = "USD";
        a->due_date = a->opened_date = FOLIO_DATE_NONE;
        a->first_txn = (uint32_t)ntx;
    }
    f->acc[0].opening_balance = 1234567;
    f->acc[0].closing_balance = 1234567 + sum;
    f->acc[0].has_opening = true;
    f->acc[0].first_txn = 0;
    f->acc[0].n_txn = (uint32_t)ntx;
    f->acc[1].closing_balance = 25000;
    f->acc[2].closing_balance = 50000;
    f->ds.customers = f->cust; f->ds.n_customers = 3;
    f->ds.accounts = f->acc; f->ds.n_accounts = 3;
    f->ds.txns = f->txns; f->ds.n_txns = (size_t)ntx;
    f->ds.contacts = f->contacts;
    f->hh[0] = (folio_household){"H1", false, 0, 2, 0, 2};
    f->hh[1] = (folio_household){"H2", false, 2, 1, 2, 1};
    for (int i = 0; i < 3; i++)
        f->cidx[i] = f->aidx[i] = (uint32_t)i;
    f->hs.v = f->hh; f->hs.n = 2;
    f->hs.customer_idx = f->cidx;
    f->hs.account_idx = f->aidx;
    f->plan = compose_plan_new(&f->job, f->layout, &f->ds, &f->hs, &err);
    assert_non_null(f->plan);
    return f;
}

/* Load catalogue text as the fixture's offers (and bind the contacts). */
static folio_offers *load_cat(fixture *f, const char *yaml, int max_per, folio_error *err)
{
    snprintf(f->cat_path, sizeof f->cat_path, "/tmp/folio-offers-XXXXXX");
    int fd = mkstemp(f->cat_path);
    assert_true(fd >= 0);
    assert_int_equal(write(fd, yaml, strlen(yaml)), (ssize_t)strlen(yaml));
    close(fd);
    folio_offers_options opt = {.catalogue = f->cat_path, .max_per_statement = max_per};
    offers_free(f->offers);
    f->offers = offers_load(&opt, &f->job, f->layout, err);
    unlink(f->cat_path);
    if (f->offers) {
        folio_error e2 = {0};
        assert_true(offers_bind(f->offers, &f->ds, &f->hs, &e2));
    }
    f->plan->offers = f->offers;
    return f->offers;
}

static void free_fixture(fixture *f)
{
    compose_plan_free(f->plan);
    offers_free(f->offers);
    layout_free(f->layout);
    free(f);
}

/* one offer in catalogue syntax: id, kind, priority, sizes, extra keys */
static char *offer(char *buf, size_t cap, const char *id, const char *kind, int prio,
                   const char *sizes, const char *extra)
{
    snprintf(buf, cap,
             "  - id: %s\n    sells: \"%s product\"\n    kind: %s\n    priority: %d\n"
             "    channels: [print, email]\n    sizes: %s\n    response_code: RC-%s\n"
             "    content:\n      en: {headline: \"Headline %s\", body: \"Body of %s.\", "
             "cta: \"Call now\"}\n      es: {headline: \"Titular %s\", body: \"Texto de %s.\", "
             "cta: \"Llame ya\"}\n%s",
             id, id, kind, prio, sizes, id, id, id, id, id, extra ? extra : "");
    return buf;
}

static folio_offers_out run_fill(fixture *f, folio_dl_statement *st, size_t hh, uint32_t pages,
                                 bool back, folio_buf *audit, folio_buf *keys)
{
    folio_buf_init(audit, 1 << 20);
    folio_buf_init(keys, 1 << 16);
    folio_offers_out out = {.audit = audit, .keys = keys};
    assert_true(offers_fill(f->offers, f->layout, &f->ds, &f->hs, hh, 0, st, pages, back, &out));
    folio_buf_putc(audit, 0);
    folio_buf_putc(keys, 0);
    return out;
}

/* A statement page with one free rectangle of h points under the body and no
 * layout slot in play (its area is covered by a box). */
static folio_dl_statement *bare_statement(fixture *f, folio_arena *a, int32_t free_h_pt)
{
    const folio_layout *L = f->layout;
    folio_dl_statement *st = dlist_statement_new(a, "H1", L->page_w, L->page_h);
    folio_dl_page *pg = dlist_page_add(st);
    for (int i = 0; i < L->n_slots; i++)
        dlist_page_add_box(st, pg, L->slots[i].x, L->slots[i].y, L->slots[i].w, L->slots[i].h,
                           0xFFFFFF, 0, 0);
    int32_t h = free_h_pt * 20 + L->ws_gap;
    dlist_page_add_free(st, pg, L->margin_left, L->body_bottom - h,
                        L->page_w - L->margin_left - L->margin_right, h);
    return st;
}

/* ---- fitting -------------------------------------------------------------------- */

static void test_fit_known_geometry(void **state)
{
    (void)state;
    fixture *f = make_fixture(10);
    char a[1024], b[1024], c[1024], cat[4096];
    offer(a, sizeof a, "BIG", "marketing", 90, "[{name: tall, height: 120}]", NULL);
    offer(b, sizeof b, "MID", "marketing", 80,
          "[{name: tall, height: 120}, {name: short, height: 60}]", NULL);
    offer(c, sizeof c, "LOW", "marketing", 70, "[{name: tiny, height: 55}]", NULL);
    snprintf(cat, sizeof cat, "offers:\n%s%s%s", a, b, c);
    folio_error err = {0};
    if (!load_cat(f, cat, 1, &err))
        fail_msg("catalogue: %s", err.msg);
    folio_arena ar;
    folio_arena_init(&ar, 1 << 16);
    folio_buf au, ke;

    /* 80 pt free: BIG (120) is too tall, MID fits with its smaller size */
    folio_dl_statement *st = bare_statement(f, &ar, 80);
    uint32_t ops0 = st->pages[0].n_ops;
    folio_offers_out out = run_fill(f, st, 0, 1, false, &au, &ke);
    assert_int_equal(out.n_picks, 1);
    assert_string_equal(offers_id(f->offers, out.picks[0].offer), "MID");
    assert_string_equal(offers_size_name(f->offers, out.picks[0].offer, out.picks[0].size), "short");
    assert_int_equal(out.picks[0].rect.h, 60 * 20);
    assert_true(out.picks[0].rect.y + out.picks[0].rect.h <= f->layout->body_bottom);
    assert_true(st->pages[0].n_ops > ops0);
    assert_non_null(strstr(au.data, "\"offer\":\"MID\",\"size\":\"short\""));
    assert_non_null(strstr(au.data, "{\"id\":\"BIG\",\"why\":\"no free space fits its sizes\"}"));
    assert_non_null(strstr(ke.data, "offer:MID\n"));
    assert_non_null(strstr(ke.data, "slot:bottom\n"));
    folio_buf_free(&au);
    folio_buf_free(&ke);
    folio_arena_reset(&ar);

    /* 57 pt: neither BIG nor MID fits, the lower-priority LOW does */
    st = bare_statement(f, &ar, 57);
    out = run_fill(f, st, 0, 1, false, &au, &ke);
    assert_int_equal(out.n_picks, 1);
    assert_string_equal(offers_id(f->offers, out.picks[0].offer), "LOW");
    folio_buf_free(&au);
    folio_buf_free(&ke);
    folio_arena_reset(&ar);

    /* 40 pt: nothing fits, nothing is drawn */
    st = bare_statement(f, &ar, 40);
    ops0 = st->pages[0].n_ops;
    out = run_fill(f, st, 0, 1, false, &au, &ke);
    assert_int_equal(out.n_picks, 0);
    assert_int_equal(st->pages[0].n_ops, ops0);
    assert_non_null(strstr(ke.data, "offers:none\n"));
    folio_buf_free(&au);
    folio_buf_free(&ke);
    folio_arena_free(&ar);
    free_fixture(f);
}

typedef struct bbox { int32_t x0, y0, x1, y1; } bbox;

static bbox op_box(const folio_layout *L, const folio_dl_op *op)
{
    if (op->kind == FOLIO_DL_TEXT) {
        const folio_font *fn = L->fonts[op->font].metrics;
        int32_t w = fonts_text_width(fn, op->text, op->len, op->size);
        int32_t asc = (int32_t)((int64_t)fonts_ascent(fn) * op->size / 1000);
        int32_t des = (int32_t)((int64_t)fonts_descent(fn) * op->size / 1000);
        return (bbox){op->x, op->y - asc, op->x + w, op->y + des};
    }
    if (op->kind == FOLIO_DL_BOX)
        return (bbox){op->x, op->y, op->x + op->w, op->y + op->h};
    int32_t hw = op->w / 2;
    return (bbox){(op->x < op->x2 ? op->x : op->x2) - hw, (op->y < op->y2 ? op->y : op->y2) - hw,
                  (op->x > op->x2 ? op->x : op->x2) + hw, (op->y > op->y2 ? op->y : op->y2) + hw};
}

static bool overlap(bbox a, bbox b)
{
    return a.x0 < b.x1 && b.x0 < a.x1 && a.y0 < b.y1 && b.y0 < a.y1;
}

static bool same_op(const folio_dl_op *a, const folio_dl_op *b)
{
    return a->kind == b->kind && a->x == b->x && a->y == b->y && a->x2 == b->x2 &&
           a->y2 == b->y2 && a->w == b->w && a->h == b->h && a->size == b->size &&
           a->len == b->len && (!a->len || !memcmp(a->text, b->text, a->len));
}

/* Composing with offers: the statement's own ops are unchanged (same ops, same
 * order, offers only appended), no offer op meets a statement op, and the page
 * count is the same with and without offers, duplex or not. */
static void test_no_overlap_same_pages(void **state)
{
    (void)state;
    static const char *const cat =
        "offers:\n"
        "  - id: ANY\n    sells: s\n    kind: marketing\n    priority: 9\n"
        "    channels: [print]\n    response_code: ANY1\n"
        "    sizes: [{name: box, width: 168, height: 96}, {name: band, height: 55}, "
        "{name: page, full_page: true}]\n"
        "    content: {en: {headline: \"Any headline\", body: \"Body text.\", cta: \"Act\"}}\n"
        "  - id: TWO\n    sells: s\n    kind: service\n    priority: 5\n"
        "    channels: [print]\n    response_code: TWO1\n"
        "    sizes: [{name: band, height: 55}]\n"
        "    content: {en: {headline: \"Second\", body: \"More.\", cta: \"Go\"}}\n"
        "  - id: THREE\n    sells: s\n    kind: service\n    priority: 4\n"
        "    channels: [print]\n    response_code: THREE1\n"
        "    sizes: [{name: band, height: 55}]\n"
        "    content: {en: {headline: \"Third\", body: \"More.\", cta: \"Go\"}}\n"
        "  - id: PAGEONLY\n    sells: s\n    kind: service\n    priority: 1\n"
        "    channels: [print]\n    response_code: PAGE1\n"
        "    sizes: [{name: page, full_page: true}]\n"
        "    content: {en: {headline: \"Whole page\", body: \"More.\", cta: \"Go\"}}\n";
    for (int ntx = 5; ntx <= 125; ntx += 15)
        for (int duplex = 0; duplex < 2; duplex++) {
            fixture *f = make_fixture(ntx);
            f->job.duplex = duplex;
            folio_arena a0, a1;
            folio_arena_init(&a0, 1 << 16);
            folio_arena_init(&a1, 1 << 16);
            folio_error err = {0};
            folio_compose_result r0, r1;
            folio_dl_statement *s0 = compose_household(f->plan, 0, &a0, &r0, &err);
            assert_non_null(s0);
            if (!load_cat(f, cat, 8, &err))
                fail_msg("catalogue: %s", err.msg);
            folio_dl_statement *s1 = compose_household(f->plan, 0, &a1, &r1, &err);
            assert_non_null(s1);
            assert_int_equal(r0.pages, r1.pages);
            assert_int_equal(r0.pages, s0->n_pages);
            assert_int_equal(s1->n_pages, r1.pages + (r1.offer_back_page ? 1 : 0));
            if (r1.offer_back_page)
                assert_true(duplex && (r1.pages & 1));
            if (duplex && (r1.pages & 1))
                assert_true(r1.offer_back_page);   /* PAGEONLY fits only there */
            assert_true(r1.n_offers >= 1);
            int placed = 0;
            for (uint32_t p = 0; p < r1.pages; p++) {
                const folio_dl_page *g0 = &s0->pages[p], *g1 = &s1->pages[p];
                assert_true(g1->n_ops >= g0->n_ops);
                for (uint32_t i = 0; i < g0->n_ops; i++)
                    assert_true(same_op(&g0->ops[i], &g1->ops[i]));
                for (uint32_t k = g0->n_ops; k < g1->n_ops; k++) {
                    bbox ob = op_box(f->layout, &g1->ops[k]);
                    assert_true(ob.y0 >= 0 && ob.y1 <= f->layout->page_h);
                    for (uint32_t i = 0; i < g0->n_ops; i++)
                        if (overlap(ob, op_box(f->layout, &g0->ops[i])))
                            fail_msg("ntx %d page %u: offer op %u overlaps statement op %u",
                                     ntx, p + 1, k, i);
                }
                placed += g1->n_ops > g0->n_ops;
            }
            /* the audit names what was placed; the text is on the page */
            assert_non_null(strstr(r1.audit, "\"offer\":\"ANY\""));
            assert_non_null(strstr(r1.keys, "offer:ANY\n"));
            assert_true(placed + r1.offer_back_page >= 1);
            /* the second pass (no audit) draws exactly the same pages */
            folio_arena a2;
            folio_arena_init(&a2, 1 << 16);
            folio_compose_result r2;
            f->plan->skip_decisions = true;
            folio_dl_statement *s2 = compose_household(f->plan, 0, &a2, &r2, &err);
            f->plan->skip_decisions = false;
            assert_non_null(s2);
            assert_int_equal(s2->n_pages, s1->n_pages);
            assert_int_equal(r2.n_offers, r1.n_offers);
            assert_memory_equal(r2.offers, r1.offers, sizeof r1.offers[0] * r1.n_offers);
            assert_null(strstr(r2.audit, "\"offers\""));
            for (uint32_t p = 0; p < s1->n_pages; p++) {
                assert_int_equal(s2->pages[p].n_ops, s1->pages[p].n_ops);
                for (uint32_t i = 0; i < s1->pages[p].n_ops; i++)
                    assert_true(same_op(&s1->pages[p].ops[i], &s2->pages[p].ops[i]));
            }
            folio_arena_free(&a2);
            folio_arena_free(&a0);
            folio_arena_free(&a1);
            free_fixture(f);
        }
}

/* The offer speaks the statement's language: Spanish for a Spanish customer;
 * English (the layout's fallback) for a French one, with no fallback of its own. */
static void test_offer_language(void **state)
{
    (void)state;
    char a[1024], cat[2048];
    offer(a, sizeof a, "LANG", "service", 5, "[{name: band, height: 55}]", NULL);
    snprintf(cat, sizeof cat, "offers:\n%s", a);
    const char *langs[3] = {"es", "fr", "en"};
    const char *want[3] = {"Titular LANG", "Headline LANG", "Headline LANG"};
    for (int i = 0; i < 3; i++) {
        fixture *f = make_fixture(5);
        f->cust[0].language = langs[i];
        folio_error err = {0};
        if (!load_cat(f, cat, 2, &err))
            fail_msg("catalogue: %s", err.msg);
        folio_arena ar;
        folio_arena_init(&ar, 1 << 16);
        folio_compose_result r;
        folio_dl_statement *st = compose_household(f->plan, 0, &ar, &r, &err);
        assert_non_null(st);
        int found = 0;
        for (uint32_t p = 0; p < st->n_pages; p++)
            for (uint32_t k = 0; k < st->pages[p].n_ops; k++) {
                const folio_dl_op *op = &st->pages[p].ops[k];
                found += op->kind == FOLIO_DL_TEXT && op->len == strlen(want[i]) &&
                         !memcmp(op->text, want[i], op->len);
            }
        assert_int_equal(found, 1);
        assert_null(strstr(r.audit, "language_fallback"));
        folio_arena_free(&ar);
        free_fixture(f);
    }
}

/* ---- consent, caps, quiet period -------------------------------------------- */

static const char *CAT_CCQ =
    "offers:\n"
    "  - id: MKT\n    sells: s\n    kind: marketing\n    priority: 9\n"
    "    channels: [print]\n    response_code: MKT1\n    sizes: [{name: band, height: 55}]\n"
    "    content: {en: {headline: \"Marketing\", body: \"B.\", cta: \"Go\"}}\n"
    "    cap: {times: 2, months: 6}\n"
    "  - id: CARD\n    sells: s\n    kind: marketing\n    priority: 8\n"
    "    channels: [print]\n    response_code: CARD1\n    sizes: [{name: band, height: 55}]\n"
    "    content: {en: {headline: \"Card\", body: \"B.\", cta: \"Go\"}}\n"
    "    quiet: {products: [credit_card], days: 90}\n"
    "  - id: SVC\n    sells: s\n    kind: service\n    priority: 1\n"
    "    channels: [print]\n    response_code: SVC1\n    sizes: [{name: band, height: 55}]\n"
    "    content: {en: {headline: \"Service\", body: \"B.\", cta: \"Go\"}}\n";

static bool shown(const fixture *f, const folio_offers_out *o, const char *id)
{
    for (int i = 0; i < o->n_picks; i++)
        if (!o->picks[i].holdout && !strcmp(offers_id(f->offers, o->picks[i].offer), id))
            return true;
    return false;
}

static void fill_h2(fixture *f, folio_offers_out *out, folio_buf *au, folio_buf *ke)
{
    folio_arena ar;
    folio_arena_init(&ar, 1 << 16);
    /* H2 (customer C3, the card): a page with room for three bands */
    folio_dl_statement *st = bare_statement(f, &ar, 200);
    *out = run_fill(f, st, 1, 1, false, au, ke);
    folio_arena_free(&ar);
}

static void test_consent_caps_quiet(void **state)
{
    (void)state;
    fixture *f = make_fixture(10);
    folio_error err = {0};
    if (!load_cat(f, CAT_CCQ, 3, &err))
        fail_msg("catalogue: %s", err.msg);
    folio_offers_out out;
    folio_buf au, ke;

    fill_h2(f, &out, &au, &ke);
    assert_true(shown(f, &out, "MKT") && shown(f, &out, "CARD") && shown(f, &out, "SVC"));
    folio_buf_free(&au); folio_buf_free(&ke);

    /* opted out: no marketing offer, the service message still */
    f->cust[2].marketing_consent = false;
    fill_h2(f, &out, &au, &ke);
    assert_false(shown(f, &out, "MKT"));
    assert_false(shown(f, &out, "CARD"));
    assert_true(shown(f, &out, "SVC"));
    assert_non_null(strstr(au.data, "{\"id\":\"MKT\",\"result\":\"marketing opt-out\""));
    assert_non_null(strstr(ke.data, "offers:opted-out\n"));
    folio_buf_free(&au); folio_buf_free(&ke);
    f->cust[2].marketing_consent = true;

    /* quiet period: a card opened 30 days ago blocks CARD, 120 days ago does not */
    f->acc[2].opened_date = f->job.statement_date - 30;
    fill_h2(f, &out, &au, &ke);
    assert_false(shown(f, &out, "CARD"));
    assert_true(shown(f, &out, "MKT"));
    assert_non_null(strstr(au.data, "\"result\":\"quiet period\",\"opened\":\"credit_card\""));
    folio_buf_free(&au); folio_buf_free(&ke);
    f->acc[2].opened_date = f->job.statement_date - 120;
    fill_h2(f, &out, &au, &ke);
    assert_true(shown(f, &out, "CARD"));
    folio_buf_free(&au); folio_buf_free(&ke);

    /* cap 2 in 6 months: two contacts (one by household id, one by customer
     * id) within 6 months reach it; one inside and one 7 months ago do not */
    folio_date d = f->job.statement_date;
    f->contacts[0] = (folio_contact){"H2", "MKT", d - 20, "", false};
    f->contacts[1] = (folio_contact){"C3", "MKT", d - 200, "", false};
    f->contacts[2] = (folio_contact){"H1", "MKT", d - 10, "", false};     /* another household */
    f->contacts[3] = (folio_contact){"H2", "NOT-IN-CATALOGUE", d - 10, "", false};
    f->ds.n_contacts = 4;
    assert_true(offers_bind(f->offers, &f->ds, &f->hs, &err));
    fill_h2(f, &out, &au, &ke);
    assert_true(shown(f, &out, "MKT"));
    assert_non_null(strstr(au.data, "\"id\":\"MKT\",\"result\":\"eligible\",\"contacts\":1"));
    folio_buf_free(&au); folio_buf_free(&ke);
    f->contacts[1].date = d - 150;
    assert_true(offers_bind(f->offers, &f->ds, &f->hs, &err));
    fill_h2(f, &out, &au, &ke);
    assert_false(shown(f, &out, "MKT"));
    assert_true(shown(f, &out, "CARD"));
    assert_non_null(strstr(au.data, "\"result\":\"frequency cap\",\"contacts\":2,\"cap\":2"));
    assert_non_null(strstr(ke.data, "offers:capped\n"));
    folio_buf_free(&au); folio_buf_free(&ke);
    free_fixture(f);
}

static void test_max_per_statement_and_once(void **state)
{
    (void)state;
    fixture *f = make_fixture(10);
    folio_error err = {0};
    if (!load_cat(f, CAT_CCQ, 2, &err))
        fail_msg("catalogue: %s", err.msg);
    folio_offers_out out;
    folio_buf au, ke;
    fill_h2(f, &out, &au, &ke);
    assert_int_equal(out.n_picks, 2);   /* three fit, two allowed */
    assert_true(out.picks[0].offer != out.picks[1].offer);
    assert_non_null(strstr(au.data, "{\"id\":\"SVC\",\"why\":\"max_per_statement reached\"}"));
    folio_buf_free(&au); folio_buf_free(&ke);
    free_fixture(f);
}

/* ---- A/B and holdout ---------------------------------------------------------- */

static void test_ab_shares_and_holdout(void **state)
{
    (void)state;
    int var[3] = {0}, held = 0;
    char id[32];
    for (int h = 0; h < 10000; h++) {
        snprintf(id, sizeof id, "H%09d", h * 7919 + 13);
        uint32_t v = offers_bucket(20261101, id, "SAV-RATE", "variant");
        uint32_t o = offers_bucket(20261101, id, "SAV-RATE", "holdout");
        assert_true(v < 10000 && o < 10000);
        /* shares 50 / 30 / 20 */
        var[v < 5000 ? 0 : v < 8000 ? 1 : 2]++;
        held += o < 1000;                       /* holdout 10% */
        /* the same on a rerun; variant and holdout are independent draws */
        assert_int_equal(v, offers_bucket(20261101, id, "SAV-RATE", "variant"));
    }
    assert_in_range(var[0], 4800, 5200);
    assert_in_range(var[1], 2820, 3180);
    assert_in_range(var[2], 1840, 2160);
    assert_in_range(held, 880, 1120);
    /* another seed or offer gives another, equally fair assignment */
    int same = 0;
    for (int h = 0; h < 1000; h++) {
        snprintf(id, sizeof id, "H%09d", h);
        same += (offers_bucket(1, id, "SAV-RATE", "variant") < 5000) ==
                (offers_bucket(2, id, "SAV-RATE", "variant") < 5000);
    }
    assert_in_range(same, 430, 570);

    /* through the filler: variant shares and holdout on 10,000 households */
    fixture *f = make_fixture(0);
    static const char *const cat =
        "offers:\n"
        "  - id: AB\n    sells: s\n    kind: marketing\n    priority: 9\n"
        "    channels: [print]\n    response_code: AB-A\n    sizes: [{name: band, height: 55}]\n"
        "    content: {en: {headline: \"A\", body: \"B.\", cta: \"Go\"}}\n"
        "    holdout: 10\n"
        "    variants:\n      - {id: A, share: 70}\n"
        "      - {id: B, share: 30, response_code: AB-B, content: {en: {headline: \"B head\", "
        "body: \"B.\", cta: \"Go\"}}}\n";
    folio_error err = {0};
    if (!load_cat(f, cat, 1, &err))
        fail_msg("catalogue: %s", err.msg);
    assert_string_equal(offers_response_code(f->offers, 0, 1), "AB-B");
    assert_string_equal(offers_response_code(f->offers, 0, 0), "AB-A");
    int n[2] = {0}, ho = 0;
    static char ids[10000][16];
    for (int h = 0; h < 10000; h++) {
        snprintf(ids[h], sizeof ids[h], "HH%06d", h);
        f->hh[0].id = ids[h];
        folio_offers_out out;
        folio_buf au, ke;
        folio_arena ar;
        folio_arena_init(&ar, 1 << 14);
        folio_dl_statement *st = bare_statement(f, &ar, 100);
        out = run_fill(f, st, 0, 1, false, &au, &ke);
        assert_int_equal(out.n_picks, 1);
        if (out.picks[0].holdout) {
            ho++;
            assert_non_null(strstr(ke.data, "holdout:AB\n"));
            assert_non_null(strstr(au.data, "\"held_out\":[\"AB\"]"));
            assert_int_equal(offers_bucket(f->job.seed, ids[h], "AB", "holdout") < 1000, 1);
        } else {
            n[out.picks[0].variant]++;
            assert_non_null(strstr(ke.data, out.picks[0].variant ? "offer:AB/B\n" : "offer:AB/A\n"));
        }
        folio_buf_free(&au); folio_buf_free(&ke);
        folio_arena_free(&ar);
    }
    assert_in_range(ho, 880, 1120);
    assert_in_range(n[0] * 1000 / (n[0] + n[1]), 680, 720);
    f->hh[0].id = "H1";
    free_fixture(f);
}

/* ---- catalogue errors -------------------------------------------------------- */

static void expect_error(const char *yaml, const char *needle)
{
    fixture *f = make_fixture(0);
    folio_error err = {0};
    assert_null(load_cat(f, yaml, 2, &err));
    assert_int_equal(err.code, FOLIO_EXIT_USAGE);
    if (!strstr(err.msg, needle))
        fail_msg("expected '%s' in: %s", needle, err.msg);
    assert_non_null(strstr(err.msg, "/tmp/folio-offers-"));
    free_fixture(f);
}

static void test_catalogue_errors(void **state)
{
    (void)state;
    char a[1024], cat[4096];
    offer(a, sizeof a, "X", "marketing", 1, "[{name: band, height: 55}]", "    colour: red\n");
    snprintf(cat, sizeof cat, "offers:\n%s", a);
    expect_error(cat, ":12:5: unknown key 'colour'");
    offer(a, sizeof a, "X", "marketing", 1, "[{name: band, height: 55}]",
          "    rule: 'age >= 55 and shoe_size > 3'\n");
    snprintf(cat, sizeof cat, "offers:\n%s", a);
    expect_error(cat, ":12:26: unknown field `shoe_size`");
    offer(a, sizeof a, "X", "marketing", 1, "[{name: band, height: 12}]", NULL);
    snprintf(cat, sizeof cat, "offers:\n%s", a);
    expect_error(cat, "offer X: the 'en' text needs");
    offer(a, sizeof a, "X", "marketing", 1, "[{name: band, height: 55}]",
          "    variants: [{id: A, share: 50}, {id: B, share: 40}]\n");
    snprintf(cat, sizeof cat, "offers:\n%s", a);
    expect_error(cat, "the shares must add up to 100, they add up to 90.00");
    offer(a, sizeof a, "X", "advert", 1, "[{name: band, height: 55}]", NULL);
    snprintf(cat, sizeof cat, "offers:\n%s", a);
    expect_error(cat, ":4:11: 'offers[0].kind' must be one of");
    char b[1024];
    offer(a, sizeof a, "X", "marketing", 1, "[{name: band, height: 55}]", NULL);
    offer(b, sizeof b, "X", "service", 1, "[{name: band, height: 55}]", NULL);
    snprintf(cat, sizeof cat, "offers:\n%s%s", a, b);
    expect_error(cat, "duplicate offer id 'X'");
}

/* A layout slot over the body area is refused with its position. */
static void test_layout_slot_errors(void **state)
{
    (void)state;
    FILE *in = fopen(root_path("layouts/statement.yaml"), "rb");
    assert_non_null(in);
    static char text[65536];
    size_t n = fread(text, 1, sizeof text - 1, in);
    fclose(in);
    text[n] = 0;
    char *slot = strstr(text, "{name: message, page: first, x: 396, y: 148,");
    assert_non_null(slot);
    memcpy(slot + strlen("{name: message, page: first, x: 396, y: "), "348", 3);
    int line = 1;
    for (char *p = text; p < slot; p++)
        line += *p == '\n';
    const char *path = root_path("layouts/.test-offers-slot.yaml");
    FILE *out = fopen(path, "wb");
    assert_non_null(out);
    fwrite(text, 1, n, out);
    fclose(out);
    folio_error err = {0};
    folio_layout *L = layout_load(path, &err);
    unlink(path);
    assert_null(L);
    assert_int_equal(err.code, FOLIO_EXIT_USAGE);
    char want[64];
    snprintf(want, sizeof want, ".test-offers-slot.yaml:%d:", line);
    if (!strstr(err.msg, want) || !strstr(err.msg, "overlaps the body area"))
        fail_msg("got: %s", err.msg);
}

/* The sample catalogue loads against the sample layout: every text fits. */
static void test_sample_catalogue(void **state)
{
    (void)state;
    fixture *f = make_fixture(0);
    folio_offers_options opt = {.catalogue = root_path("layouts/offers.yaml"), .max_per_statement = 2};
    folio_error err = {0};
    folio_offers *o = offers_load(&opt, &f->job, f->layout, &err);
    if (!o)
        fail_msg("%s", err.msg);
    assert_true(offers_count(o) >= 8);
    int service = 0, ab = 0;
    for (int i = 0; i < offers_count(o); i++) {
        ab += offers_variant_count(o, i) > 1;
        service += !strcmp(offers_id(o, i), "SVC-PHONE");
    }
    assert_int_equal(service, 1);
    assert_true(ab >= 1);
    offers_free(o);
    free_fixture(f);
}

/* issue 15 part 4: retiring variants -- never the last one shown, never an
 * offer without variants or a name the catalogue does not have. */
static void test_retire_variant(void **state)
{
    (void)state;
    fixture *f = make_fixture(0);
    folio_offers_options opt = {.catalogue = root_path("layouts/offers.yaml"), .max_per_statement = 2};
    folio_error err = {0};
    folio_offers *o = offers_load(&opt, &f->job, f->layout, &err);
    if (!o)
        fail_msg("%s", err.msg);
    assert_true(offers_retire(o, "SAV-RATE", "A"));
    assert_false(offers_retire(o, "SAV-RATE", "A"));     /* already retired */
    assert_false(offers_retire(o, "SAV-RATE", "B"));     /* the last one shown */
    assert_false(offers_retire(o, "CARD-BT", ""));       /* no A/B test */
    assert_false(offers_retire(o, "NO-SUCH", "A"));
    assert_false(offers_retire(o, "SAV-RATE", "Z"));
    offers_free(o);
    free_fixture(f);
}

int main(void)
{
    setlocale(LC_ALL, "");
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_fit_known_geometry),
        cmocka_unit_test(test_no_overlap_same_pages),
        cmocka_unit_test(test_offer_language),
        cmocka_unit_test(test_consent_caps_quiet),
        cmocka_unit_test(test_max_per_statement_and_once),
        cmocka_unit_test(test_ab_shares_and_holdout),
        cmocka_unit_test(test_catalogue_errors),
        cmocka_unit_test(test_layout_slot_errors),
        cmocka_unit_test(test_sample_catalogue),
        cmocka_unit_test(test_retire_variant),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
