/* SPDX-License-Identifier: Apache-2.0 */
/* Unit tests: content variations -- the paragraph library (src/paragraphs.c),
 * languages in the layout (src/layout.c) and their selection when composing
 * (src/compose.c): Spanish texts, state disclosures, the welcome paragraph,
 * fallback reported, merge-field and rule errors with their positions. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "folio/compose.h"
#include "folio/paragraphs.h"

static char *root_path(const char *rel)
{
    const char *root = getenv("FOLIO_ROOT");
    static char buf[8][1024];
    static int k;
    char *b = buf[k++ & 7];
    snprintf(b, 1024, "%s/%s", root ? root : ".", rel);
    return b;
}

static char tmpdir[256];

static int setup_dir(void **state)
{
    (void)state;
    snprintf(tmpdir, sizeof tmpdir, "/tmp/folio-var.XXXXXX");
    return mkdtemp(tmpdir) ? 0 : -1;
}

static int teardown_dir(void **state)
{
    (void)state;
    char cmd[300];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", tmpdir);
    return system(cmd) == 0 ? 0 : -1;
}

/* Write `text` to tmpdir/name; returns the path (static buffer ring). */
static const char *write_tmp(const char *name, const char *text)
{
    static char buf[4][512];
    static int k;
    char *p = buf[k++ & 3];
    snprintf(p, 512, "%s/%s", tmpdir, name);
    FILE *f = fopen(p, "w");
    assert_non_null(f);
    fputs(text, f);
    fclose(f);
    return p;
}

static char *read_all(const char *path)
{
    FILE *f = fopen(path, "rb");
    assert_non_null(f);
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    char *s = malloc((size_t)n + 1);
    assert_int_equal(fread(s, 1, (size_t)n, f), (size_t)n);
    s[n] = 0;
    fclose(f);
    return s;
}

/* s with every `from` replaced by `to` (malloc'ed); asserts `from` occurs. */
static char *replace(const char *s, const char *from, const char *to)
{
    size_t fl = strlen(from), tl = strlen(to), n = 0;
    for (const char *p = strstr(s, from); p; p = strstr(p + fl, from))
        n++;
    if (n == 0)
        fail_msg("'%s' not found", from);
    char *r = malloc(strlen(s) + n * (tl + 1) + 1), *o = r;
    for (const char *p = s, *q; ; p = q + fl) {
        q = strstr(p, from);
        if (!q) {
            strcpy(o, p);
            break;
        }
        memcpy(o, p, (size_t)(q - p));
        o += q - p;
        memcpy(o, to, tl);
        o += tl;
    }
    return r;
}

/* The sample layout with absolute font and library paths, edited by up to
 * two replacements (NULL = none), written to tmpdir/name. */
static const char *sample_layout(const char *name, const char *from, const char *to,
                                 const char *from2, const char *to2)
{
    char *s0 = read_all(root_path("layouts/statement.yaml"));
    char fonts[1100], lib[1100], logo[1100];
    snprintf(logo, sizeof logo, "file: %s", root_path("layouts/logo.png"));
    char *s = replace(s0, "file: logo.png", logo);   /* the sample logo, beside the layout */
    free(s0);
    snprintf(fonts, sizeof fonts, "%s/", root_path("fonts"));
    snprintf(lib, sizeof lib, "library: %s", root_path("layouts/paragraphs.yaml"));
    char *a = replace(s, "../fonts/", fonts);
    bool own_lib = from && !strncmp(from, "library: ", 9);
    char *b = own_lib ? strdup(a) : replace(a, "library: paragraphs.yaml", lib);
    char *c = from ? replace(b, from, to) : strdup(b);
    char *d = from2 ? replace(c, from2, to2) : strdup(c);
    const char *p = write_tmp(name, d);
    free(s); free(a); free(b); free(c); free(d);
    return p;
}

static const char *const LANGS[] = { "en", "es" };

/* ---- the library ---------------------------------------------------------- */

static void test_sample_library(void **state)
{
    (void)state;
    folio_error err = {0};
    folio_paragraphs *lib = paragraphs_load(root_path("layouts/paragraphs.yaml"), LANGS, 2, &err);
    if (!lib)
        fail_msg("%s", err.msg);
    assert_int_equal(lib->n, 5);
    assert_int_equal(lib->n_warnings, 0);
    int ca = paragraphs_find(lib, "legal-ca"), ny = paragraphs_find(lib, "legal-ny");
    int def = paragraphs_find(lib, "legal-default"), wel = paragraphs_find(lib, "welcome");
    assert_true(ca >= 0 && ny >= 0 && def >= 0 && wel >= 0);
    assert_int_equal(paragraphs_find(lib, "legal-tx"), -1);
    assert_int_equal(lib->v[ca].version, 2);
    assert_non_null(lib->v[ca].condition);
    assert_non_null(lib->v[wel].condition);
    assert_null(lib->v[def].condition);
    assert_non_null(lib->v[ca].approved_by);
    assert_true(lib->v[ca].approved_date != FOLIO_DATE_NONE);
    for (int i = 0; i < lib->n; i++) {
        assert_true(lib->v[i].has[0] && lib->v[i].has[1]);
        assert_true(lib->v[i].uses_account == !strcmp(lib->v[i].id, "card-minimum-warning"));
        bool fb = true;
        const folio_template *t = paragraphs_text(&lib->v[i], 1, &fb);
        assert_false(fb);
        assert_ptr_equal(t, &lib->v[i].text[1]);
    }
    /* welcome greets by first name */
    bool first_name = false;
    for (int i = 0; i < lib->v[wel].text[1].n_segs; i++)
        first_name |= lib->v[wel].text[1].segs[i].field == FOLIO_M_CUSTOMER_FIRST_NAME;
    assert_true(first_name);
    paragraphs_free(lib);
}

static void test_missing_translation_falls_back(void **state)
{
    (void)state;
    const char *p = write_tmp("fb.yaml",
        "paragraphs:\n"
        "  - id: notice\n"
        "    version: 4\n"
        "    text:\n"
        "      en: \"Dear {customer.first_name}, our hours change.\"\n");
    folio_error err = {0};
    folio_paragraphs *lib = paragraphs_load(p, LANGS, 2, &err);
    if (!lib)
        fail_msg("%s", err.msg);
    assert_int_equal(lib->n_warnings, 1);
    assert_non_null(strstr(lib->warnings[0], "fb.yaml:5:7: warning: paragraph notice@4 has no 'es'"));
    bool fb = false;
    const folio_template *t = paragraphs_text(&lib->v[0], 1, &fb);
    assert_true(fb);
    assert_ptr_equal(t, &lib->v[0].text[0]);
    fb = true;
    paragraphs_text(&lib->v[0], 0, &fb);
    assert_false(fb);                      /* the fallback language itself */
    paragraphs_free(lib);
}

/* Load `text` as a library; expect exit 2 with `where` and `what` in the message. */
static void expect_lib_error(const char *text, const char *where, const char *what)
{
    const char *p = write_tmp("bad.yaml", text);
    folio_error err = {0};
    folio_paragraphs *lib = paragraphs_load(p, LANGS, 2, &err);
    if (lib)
        fail_msg("loaded, expected an error with %s", what);
    assert_int_equal(err.code, FOLIO_EXIT_USAGE);
    char w[600];
    snprintf(w, sizeof w, "%s:%s", p, where);
    if (!strstr(err.msg, w) || !strstr(err.msg, what))
        fail_msg("message '%s' lacks '%s' / '%s'", err.msg, w, what);
}

static void test_library_errors(void **state)
{
    (void)state;
    /* unknown merge field: at its '{' */
    expect_lib_error("paragraphs:\n  - id: x\n    version: 1\n    text:\n"
                     "      en: \"Hello {customer.first_name}\"\n"
                     "      es: \"Hola {customer.shoe_size}\"\n",
                     "6:17: ", "unknown merge field {customer.shoe_size}");
    /* a rule error: the rules module's message with position and caret */
    expect_lib_error("paragraphs:\n  - id: x\n    version: 1\n    condition: stat == \"CA\"\n"
                     "    text: {en: \"Hi\"}\n",
                     "4:16: ", "unknown field `stat`");
    expect_lib_error("paragraphs:\n  - id: x\n    version: 1\n    condition: state\n"
                     "    text: {en: \"Hi\"}\n",
                     "4:16: ", "");
    /* unknown key */
    expect_lib_error("paragraphs:\n  - id: x\n    version: 1\n    colour: blue\n"
                     "    text: {en: \"Hi\"}\n",
                     "4:5: ", "unknown key 'colour'");
    /* no fallback wording */
    expect_lib_error("paragraphs:\n  - id: x\n    version: 1\n    text: {es: \"Hola\"}\n",
                     "4:11: ", "no wording in the fallback language 'en'");
    /* a language the layout does not print */
    expect_lib_error("paragraphs:\n  - id: x\n    version: 1\n    text: {en: \"Hi\", fr: \"Salut\"}\n",
                     "4:22: ", "language 'fr' is not one the layout prints");
    /* version required, >= 1 */
    expect_lib_error("paragraphs:\n  - id: x\n    text: {en: \"Hi\"}\n",
                     "2:5: ", "version");
    expect_lib_error("paragraphs:\n  - id: x\n    version: 0\n    text: {en: \"Hi\"}\n",
                     "3:14: ", "version");
    /* duplicate id */
    expect_lib_error("paragraphs:\n  - {id: x, version: 1, text: {en: \"a\"}}\n"
                     "  - {id: x, version: 2, text: {en: \"b\"}}\n",
                     "3:10: ", "duplicate paragraph id 'x'");
    /* page numbers have no place in a flowing paragraph */
    expect_lib_error("paragraphs:\n  - id: x\n    version: 1\n    text: {en: \"See page {page}\"}\n",
                     "4:26: ", "{page} and {pages} cannot be used");
    /* unterminated brace */
    expect_lib_error("paragraphs:\n  - id: x\n    version: 1\n    text: {en: \"Hi {bank.name\"}\n",
                     "4:20: ", "unterminated '{'");
}

/* ---- languages in the layout -------------------------------------------------- */

static void test_sample_layout_languages(void **state)
{
    (void)state;
    const char *files[] = { "layouts/statement.yaml", "layouts/statement-a4.yaml" };
    for (int f = 0; f < 2; f++) {
        folio_error err = {0};
        folio_layout *L = layout_load(root_path(files[f]), &err);
        if (!L)
            fail_msg("%s", err.msg);
        assert_int_equal(L->n_languages, 2);
        assert_string_equal(L->languages[0], "en");
        assert_string_equal(L->languages[1], "es");
        /* every fixed text has its Spanish wording: nothing falls back */
        assert_int_equal(L->n_missing[1], 0);
        assert_int_equal(L->n_warnings, 0);
        assert_ptr_equal(L->variants[0], L);
        const folio_layout *E = L->variants[1];
        assert_string_equal(L->table_opening_label, "Opening balance");
        assert_string_equal(E->table_opening_label, "Saldo inicial");
        assert_string_equal(E->summary_total_label, "Total de depósitos");
        assert_string_equal(E->summary_cols[0].title, "Cuenta");
        assert_string_equal(E->table_cols[1].title, "Descripción");
        assert_string_equal(E->products[layout_product_find(E, "credit_card")].title,
                            "Tarjeta de crédito");
        /* the same geometry, fonts and products in both */
        assert_int_equal(E->n_products, L->n_products);
        assert_int_equal(E->n_footer, L->n_footer);
        assert_int_equal(E->body_bottom, L->body_bottom);
        assert_int_equal(layout_language_find(L, "es"), 1);
        assert_int_equal(layout_language_find(L, "ES-mx"), 1);
        assert_int_equal(layout_language_find(L, "en_US"), 0);
        assert_int_equal(layout_language_find(L, "fr"), -1);
        assert_int_equal(layout_language_find(L, "e"), -1);
        assert_non_null(L->paragraphs);
        assert_int_equal(L->places[FOLIO_PLACE_AFTER_SUMMARY].n_items, 1);
        assert_int_equal(L->places[FOLIO_PLACE_END].n_items, 1);
        assert_true(L->places[FOLIO_PLACE_END].items[0].first_of);
        assert_int_equal(L->places[FOLIO_PLACE_END].items[0].n, 3);
        int cc = layout_product_find(L, "credit_card");
        assert_non_null(L->after_account);
        assert_int_equal(L->after_account[cc].n_items, 1);
        assert_int_equal(L->after_account[layout_product_find(L, "checking")].n_items, 0);
        layout_free(L);
    }
}

static void test_layout_missing_translation(void **state)
{
    (void)state;
    /* summary.title loses its Spanish text; a plain English text too */
    const char *p = sample_layout("miss.yaml",
        "title: {en: \"Account summary\", es: \"Resumen de cuentas\"}",
        "title: {en: \"Account summary\"}",
        "empty: {en: \"No transactions in this period.\", es: \"No hay movimientos en este período.\"}",
        "empty: \"No transactions in this period.\"");
    folio_error err = {0};
    folio_layout *L = layout_load(p, &err);
    if (!L)
        fail_msg("%s", err.msg);
    assert_int_equal(L->n_missing[1], 2);
    assert_string_equal(L->missing[1], "table.empty, summary.title");
    assert_int_equal(L->n_warnings, 2);
    assert_non_null(strstr(L->warnings[0], "warning: 'table.empty' has no 'es' text; the 'en' text is used"));
    assert_non_null(strstr(L->warnings[1], "warning: 'summary.title' has no 'es' text"));
    assert_non_null(strstr(L->warnings[1], "miss.yaml:"));
    assert_string_equal(L->variants[1]->table_empty_text, "No transactions in this period.");
    assert_string_equal(L->variants[1]->table_opening_label, "Saldo inicial");
    layout_free(L);
}

static void expect_layout_error(const char *from, const char *to, const char *what)
{
    const char *p = sample_layout("badl.yaml", from, to, NULL, NULL);
    folio_error err = {0};
    folio_layout *L = layout_load(p, &err);
    if (L)
        fail_msg("loaded, expected an error with %s", what);
    if (err.code != FOLIO_EXIT_USAGE || !strstr(err.msg, what))
        fail_msg("code %d, message '%s' lacks '%s'", err.code, err.msg, what);
    /* the message starts with file:line:col */
    char *q = strstr(err.msg, ".yaml:");
    assert_non_null(q);
    int line = 0, col = 0;
    assert_int_equal(sscanf(q + 6, "%d:%d:", &line, &col), 2);
    assert_true(line > 0 && col > 0);
}

static void test_layout_errors(void **state)
{
    (void)state;
    expect_layout_error("es: \"Resumen de cuentas\"", "fr: \"Sommaire\"",
                        "'fr' is not a language of this layout");
    expect_layout_error("title: {en: \"Account summary\", es: \"Resumen de cuentas\"}",
                        "title: {es: \"Resumen de cuentas\"}",
                        "'summary.title' has no text in the fallback language 'en'");
    expect_layout_error("es: \"Resumen de cuentas\"", "es: \"Resumen de {customer.shoe_size}\"",
                        "unknown merge field {customer.shoe_size}");
    expect_layout_error("fallback_language: en", "fallback_language: fr",
                        "'fallback_language' 'fr' is not one of 'languages' (en, es)");
    expect_layout_error("languages: [en, es]", "languages: [en, ES]",
                        "ISO 639 language code");
    expect_layout_error("[legal-ca, legal-ny, legal-default]", "[legal-ca, legal-tx]",
                        "unknown paragraph 'legal-tx'");
    expect_layout_error("after_summary: [welcome]", "after_summary: [welcome]\n  colour: red",
                        "unknown key 'colour'");
    expect_layout_error("library: ", "library: /nonexistent/",
                        "'paragraphs.library': cannot read '/nonexistent/paragraphs.yaml'");
    expect_layout_error("    credit_card: [card-minimum-warning]",
                        "    debit_card: [card-minimum-warning]",
                        "'debit_card' is not a product of this layout");
}

/* A paragraph with {account.*} fields has no account outside a section. */
static void test_account_field_placement(void **state)
{
    (void)state;
    const char *lib = write_tmp("acc.yaml",
        "paragraphs:\n"
        "  - id: due\n"
        "    version: 1\n"
        "    text: {en: \"Pay {account.minimum_due} by {account.due_date}.\"}\n");
    char to[700];
    snprintf(to, sizeof to, "library: %s", lib);
    const char *p = sample_layout("accl.yaml", "library: paragraphs.yaml", to,
                                  "after_summary: [welcome]", "after_summary: [due]");
    folio_error err = {0};
    folio_layout *L = layout_load(p, &err);
    assert_null(L);
    assert_int_equal(err.code, FOLIO_EXIT_USAGE);
    assert_non_null(strstr(err.msg, "paragraph 'due' uses {account.*} merge fields"));
    assert_non_null(strstr(err.msg, "'paragraphs.after_summary[0]'"));
    assert_non_null(strstr(err.msg, "place it under 'paragraphs.after_account'"));
}

/* ---- composing -------------------------------------------------------------------- */

typedef struct fixture {
    folio_job job;
    folio_layout *layout;
    folio_dataset ds;
    folio_households hs;
    folio_customer cust[4];
    folio_account acc[4];
    folio_txn txns[80];
    char desc[80][48];
    folio_household hh[4];
    uint32_t cidx[4], aidx[4];
    folio_plan *plan;
} fixture;

/* Households: H1 Spanish, California, joined 20 days ago, 60 transactions;
 * H2 English, New York, an old customer; H3 French (not printed by the
 * layout), Maine; H4 English, Texas. */
static fixture *make_fixture(const char *layout_path)
{
    fixture *f = calloc(1, sizeof *f);
    folio_error err = {0};
    f->layout = layout_load(layout_path, &err);
    if (!f->layout)
        fail_msg("layout: %s", err.msg);
    f->job.name = "test";
    f->job.bank_name = "Harbor & Pine Bank";
    f->job.bank_phone = "1-800-555-0142";
    f->job.bank_website = "www.example.com";
    folio_date_from_ymd(2026, 11, 1, &f->job.statement_date);
    folio_date_from_ymd(2026, 10, 1, &f->job.period_start);
    folio_date_from_ymd(2026, 10, 31, &f->job.period_end);
    static const char *const fn[4] = {"Ana", "Grace", "Élodie", "Bob"};
    static const char *const ln[4] = {"Pérez", "Hopper", "Martin", "Smith"};
    static const char *const st[4] = {"CA", "NY", "ME", "TX"};
    static const char *const lang[4] = {"es", "en", "fr", "en"};
    static const char *const hid[4] = {"H1", "H2", "H3", "H4"};
    static const char *const cid[4] = {"C1", "C2", "C3", "C4"};
    static const char *const aid[4] = {"100200300400", "500600700800", "900100200300",
                                       "400500600700"};
    for (int i = 0; i < 4; i++) {
        folio_customer *c = &f->cust[i];
        c->id = cid[i];
        c->household_id = hid[i];
        c->first_name = fn[i];
        c->last_name = ln[i];
        c->address1 = "12 Main St";
        c->address2 = "";
        c->city = "Springfield";
        c->state = st[i];
        c->postal_code = "04101";
        c->country = "US";
        c->language = lang[i];
        c->email = "";
        c->segment = "";
        c->line = (uint32_t)i + 2;
        c->customer_since = i == 0 ? f->job.statement_date - 20 : f->job.statement_date - 4000;
        c->birth_date = FOLIO_DATE_NONE;
        folio_account *a = &f->acc[i];
        a->id = aid[i];
        a->owner_id = c->id;
        a->owner = (uint32_t)i;
        a->product = "checking";
        a->product_name = "";
        a->currency = "USD";
        a->due_date = a->opened_date = FOLIO_DATE_NONE;
        a->closing_balance = 100000 + i;
        f->hh[i] = (folio_household){hid[i], false, (uint32_t)i, 1, (uint32_t)i, 1};
        f->cidx[i] = f->aidx[i] = (uint32_t)i;
    }
    folio_money sum = 0;
    for (int i = 0; i < 60; i++) {
        folio_txn *t = &f->txns[i];
        t->account = 0;
        t->date = f->job.period_start + i / 2;
        t->amount = -1000 - i;
        sum += t->amount;
        snprintf(f->desc[i], sizeof f->desc[i], "TXN %04d POS PURCHASE", i);
        t->description = f->desc[i];
    }
    f->acc[3].product = "credit_card";
    f->acc[3].minimum_due = 2500;
    f->acc[3].closing_balance = 123456;
    f->acc[0].opening_balance = f->acc[0].closing_balance - sum;
    f->acc[0].has_opening = true;
    f->acc[0].n_txn = 60;
    for (int i = 1; i < 4; i++)
        f->acc[i].first_txn = 60;
    f->ds.customers = f->cust; f->ds.n_customers = 4;
    f->ds.accounts = f->acc; f->ds.n_accounts = 4;
    f->ds.txns = f->txns; f->ds.n_txns = 60;
    f->hs.v = f->hh; f->hs.n = 4;
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
    free(f);
}

/* All text of the statement, ops joined by '\n'. */
static char *all_text(const folio_dl_statement *st)
{
    size_t n = 1;
    for (uint32_t p = 0; p < st->n_pages; p++)
        for (uint32_t i = 0; i < st->pages[p].n_ops; i++)
            n += st->pages[p].ops[i].len + 1;
    char *s = malloc(n), *o = s;
    for (uint32_t p = 0; p < st->n_pages; p++)
        for (uint32_t i = 0; i < st->pages[p].n_ops; i++) {
            const folio_dl_op *op = &st->pages[p].ops[i];
            if (op->kind != FOLIO_DL_TEXT)
                continue;
            memcpy(o, op->text, op->len);
            o += op->len;
            *o++ = '\n';
        }
    *o = 0;
    return s;
}

/* Compose household hh; its text, audit and keys copied out. */
typedef struct composed {
    char *text, *audit, *keys;
    folio_compose_result res;
    uint32_t pages;
} composed;

static composed compose(fixture *f, size_t hh)
{
    folio_arena a;
    folio_arena_init(&a, 1 << 16);
    folio_error err = {0};
    composed c;
    folio_dl_statement *st = compose_household(f->plan, hh, &a, &c.res, &err);
    if (!st)
        fail_msg("%s", err.msg);
    const folio_layout *L = f->layout;
    int32_t bl = L->margin_left, br = L->page_w - L->margin_right;
    /* nothing leaves the body's width; body text stays above body.bottom */
    for (uint32_t p = 0; p < st->n_pages; p++)
        for (uint32_t i = 0; i < st->pages[p].n_ops; i++) {
            const folio_dl_op *op = &st->pages[p].ops[i];
            if (op->kind != FOLIO_DL_TEXT)
                continue;
            int32_t w = fonts_text_width(L->fonts[op->font].metrics, op->text, op->len, op->size);
            assert_true(op->x >= bl && op->x + w <= br);
        }
    c.text = all_text(st);
    c.audit = strdup(c.res.audit);
    c.keys = strdup(c.res.keys);
    c.pages = st->n_pages;
    folio_arena_free(&a);
    return c;
}

static void composed_free(composed *c)
{
    free(c->text);
    free(c->audit);
    free(c->keys);
}

static void test_spanish_california_new_customer(void **state)
{
    (void)state;
    fixture *f = make_fixture(root_path("layouts/statement.yaml"));
    composed c = compose(f, 0);
    /* Spanish fixed texts */
    assert_non_null(strstr(c.text, "Resumen de cuentas"));
    assert_non_null(strstr(c.text, "Saldo inicial"));
    assert_non_null(strstr(c.text, "Cuenta de cheques"));
    assert_non_null(strstr(c.text, "Continúa en la página siguiente"));
    assert_non_null(strstr(c.text, "(continuación)"));
    char pg[64];
    snprintf(pg, sizeof pg, "Página 1 de %u", c.pages);
    assert_non_null(strstr(c.text, pg));
    assert_null(strstr(c.text, "Account summary"));
    assert_null(strstr(c.text, "Opening balance"));
    assert_null(strstr(c.text, "Page 1 of"));
    /* the Californian disclosure, in Spanish, and no other state's */
    assert_non_null(strstr(c.text, "Residentes de California"));
    assert_null(strstr(c.text, "Nueva York"));
    assert_null(strstr(c.text, "California residents"));
    /* welcome: joined 20 days ago, greeted by first name */
    assert_non_null(strstr(c.text, "Bienvenido a Harbor & Pine Bank, Ana."));
    /* audit and coverage */
    assert_non_null(strstr(c.audit, "\"language\":\"es\""));
    assert_non_null(strstr(c.audit, "{\"id\":\"welcome\",\"version\":1,\"place\":\"after_summary\","
                                    "\"shown\":true,\"language\":\"es\","
                                    "\"rule\":\"days_since(customer_since) < 90\"}"));
    assert_non_null(strstr(c.audit, "{\"id\":\"legal-ca\",\"version\":2,\"place\":\"end\","
                                    "\"shown\":true,\"language\":\"es\""));
    assert_null(strstr(c.audit, "\"legal-ny\""));    /* first_of stopped at legal-ca */
    assert_null(strstr(c.audit, "card-minimum"));    /* no card in this household */
    assert_null(strstr(c.audit, "\"fallback\""));
    assert_non_null(strstr(c.keys, "language:es\n"));
    assert_non_null(strstr(c.keys, "paragraph:legal-ca@2\n"));
    assert_non_null(strstr(c.keys, "paragraph:welcome@1\n"));
    assert_int_equal(c.res.language, 1);
    assert_false(c.res.fallback);
    /* composing again gives the same statement (pass 1 and pass 2 agree) */
    composed d = compose(f, 0);
    assert_int_equal(d.pages, c.pages);
    assert_string_equal(d.text, c.text);
    assert_string_equal(d.audit, c.audit);
    composed_free(&d);
    composed_free(&c);
    free_fixture(f);
}

static void test_english_new_york_and_default(void **state)
{
    (void)state;
    fixture *f = make_fixture(root_path("layouts/statement.yaml"));
    composed c = compose(f, 1);
    assert_non_null(strstr(c.text, "Account summary"));
    assert_non_null(strstr(c.text, "Page 1 of 1"));
    assert_non_null(strstr(c.text, "New York residents"));
    assert_null(strstr(c.text, "California"));
    assert_null(strstr(c.text, "Welcome"));
    assert_non_null(strstr(c.audit, "\"language\":\"en\""));
    /* the rules that failed are in the audit, with the failing clause */
    assert_non_null(strstr(c.audit, "{\"id\":\"welcome\",\"version\":1,\"place\":\"after_summary\","
                                    "\"shown\":false,\"rule\":\"days_since(customer_since) < 90\","
                                    "\"failed\":\"days_since(customer_since) < 90 "
                                    "(days_since(customer_since) = 4000)\"}"));
    assert_non_null(strstr(c.audit, "\"id\":\"legal-ca\",\"version\":2,\"place\":\"end\","
                                    "\"shown\":false"));
    assert_non_null(strstr(c.audit, "\"failed\":\"state == \\\"CA\\\" (state = \\\"NY\\\")\""));
    assert_non_null(strstr(c.keys, "paragraph:legal-ny@1\n"));
    assert_null(strstr(c.keys, "paragraph:welcome"));
    composed_free(&c);
    /* Texas: neither CA nor NY -> the default disclosure */
    c = compose(f, 3);
    assert_non_null(strstr(c.text, "consumerfinance.gov"));
    assert_non_null(strstr(c.keys, "paragraph:legal-default@3\n"));
    assert_null(strstr(c.text, "residents"));
    /* the card's own paragraph, with its account's fields, under its section */
    assert_non_null(strstr(c.text, "Minimum payment warning: if you make only the minimum payment of $25.00"));
    assert_non_null(strstr(c.text, "$1,234.56."));
    assert_non_null(strstr(c.audit, "{\"id\":\"card-minimum-warning\",\"version\":1,"
                                    "\"place\":\"after_account\",\"account\":\"400500600700\","
                                    "\"shown\":true,\"language\":\"en\",\"rule\":null}"));
    assert_non_null(strstr(c.keys, "paragraph:card-minimum-warning@1\n"));
    composed_free(&c);
    free_fixture(f);
}

static void test_unsupported_language_falls_back(void **state)
{
    (void)state;
    fixture *f = make_fixture(root_path("layouts/statement.yaml"));
    composed c = compose(f, 2);              /* French: not printed */
    assert_non_null(strstr(c.text, "Account summary"));
    assert_non_null(strstr(c.audit, "\"language\":\"en\",\"language_requested\":\"fr\","
                                    "\"fallback\":{\"from\":\"fr\",\"to\":\"en\""));
    assert_non_null(strstr(c.keys, "fallback:fr->en\n"));
    assert_true(c.res.fallback);
    assert_int_equal(c.res.language, 0);
    composed_free(&c);
    free_fixture(f);
}

static void test_missing_translation_reported(void **state)
{
    (void)state;
    /* the Spanish summary title is missing, and the CA paragraph has no
     * Spanish wording in this library */
    char *lib = read_all(root_path("layouts/paragraphs.yaml"));
    char *l2 = replace(lib, "      es: \"Residentes de California:", "      #es: \"Residentes de California:");
    const char *lp = write_tmp("lib2.yaml", l2);
    char to[600];
    snprintf(to, sizeof to, "library: %s", lp);
    free(lib);
    free(l2);
    char *s0 = read_all(root_path("layouts/statement.yaml"));
    char fonts[1100], logo[1100];
    snprintf(logo, sizeof logo, "file: %s", root_path("layouts/logo.png"));
    char *s = replace(s0, "file: logo.png", logo);   /* the sample logo, beside the layout */
    free(s0);
    snprintf(fonts, sizeof fonts, "%s/", root_path("fonts"));
    char *a = replace(s, "../fonts/", fonts);
    char *b = replace(a, "library: paragraphs.yaml", to);
    char *c2 = replace(b, "title: {en: \"Account summary\", es: \"Resumen de cuentas\"}",
                       "title: {en: \"Account summary\"}");
    const char *p = write_tmp("miss2.yaml", c2);
    free(s); free(a); free(b); free(c2);

    fixture *f = make_fixture(p);
    assert_int_equal(f->layout->n_warnings, 2);   /* the title and the paragraph */
    composed c = compose(f, 0);
    assert_non_null(strstr(c.text, "Account summary"));     /* fell back */
    assert_non_null(strstr(c.text, "Saldo inicial"));       /* the rest is Spanish */
    assert_non_null(strstr(c.text, "California residents"));
    assert_non_null(strstr(c.text, "Bienvenido"));
    assert_non_null(strstr(c.audit, "\"fallback\":{\"from\":\"es\",\"to\":\"en\","
                                    "\"texts\":[\"summary.title\"],\"paragraphs\":true}"));
    assert_non_null(strstr(c.audit, "\"id\":\"legal-ca\",\"version\":2,\"place\":\"end\","
                                    "\"shown\":true,\"language\":\"en\""));
    assert_non_null(strstr(c.keys, "fallback:es->en\n"));
    assert_true(c.res.fallback);
    composed_free(&c);
    /* an English household is not a fallback */
    c = compose(f, 1);
    assert_false(c.res.fallback);
    assert_null(strstr(c.audit, "fallback"));
    composed_free(&c);
    free_fixture(f);
}

/* A paragraph flows: a long one wraps to the body width (checked in
 * compose()) and breaks across pages without passing body.bottom. */
static void test_long_paragraph_paginates(void **state)
{
    (void)state;
    char text[8000];
    size_t o = (size_t)snprintf(text, sizeof text, "paragraphs:\n  - id: long\n    version: 1\n"
                                "    text:\n      en: \"");
    for (int i = 0; i < 150; i++)
        folio_str_appendf(text, sizeof text, &o, "Clause %03d of the terms applies. ", i);
    folio_str_appendf(text, sizeof text, &o, "\"\n");
    const char *lp = write_tmp("long.yaml", text);
    char to[600];
    snprintf(to, sizeof to, "library: %s", lp);
    const char *p0 = sample_layout("long0.yaml", "library: paragraphs.yaml", to,
                                   "after_summary: [welcome]", "after_summary: [long]");
    char *s = read_all(p0);
    char *d0 = replace(s, "    - first_of: [legal-ca, legal-ny, legal-default]", "    - long");
    char *d = replace(d0, "credit_card: [card-minimum-warning]", "credit_card: []");
    free(d0);
    const char *p = write_tmp("longl.yaml", d);
    free(s); free(d);
    fixture *f = make_fixture(p);
    folio_arena ar;
    folio_arena_init(&ar, 1 << 16);
    folio_error err = {0};
    folio_compose_result res;
    folio_dl_statement *st = compose_household(f->plan, 3, &ar, &res, &err);
    assert_non_null(st);
    assert_true(st->n_pages >= 2);
    const folio_layout *L = f->layout;
    int seen = 0;
    for (uint32_t pg = 0; pg < st->n_pages; pg++)
        for (uint32_t i = 0; i < st->pages[pg].n_ops; i++) {
            const folio_dl_op *op = &st->pages[pg].ops[i];
            if (op->kind != FOLIO_DL_TEXT || !memmem(op->text, op->len, "Clause", 6))
                continue;
            assert_true(op->y <= L->body_bottom);
            assert_true(op->y >= (pg ? L->body_top : L->body_top_first));
            seen++;
        }
    assert_true(seen > 20);
    /* every clause printed, twice (two places), nothing lost: the body's
     * text in order, lines joined by the space the wrap consumed */
    size_t cap = 1, used = 0;
    for (uint32_t pg = 0; pg < st->n_pages; pg++)
        for (uint32_t i = 0; i < st->pages[pg].n_ops; i++)
            cap += st->pages[pg].ops[i].len + 1;
    char *all = malloc(cap);
    for (uint32_t pg = 0; pg < st->n_pages; pg++)
        for (uint32_t i = 0; i < st->pages[pg].n_ops; i++) {
            const folio_dl_op *op = &st->pages[pg].ops[i];
            if (op->kind != FOLIO_DL_TEXT || op->y > L->body_bottom
                || op->y < (pg ? L->body_top : L->body_top_first))
                continue;
            memcpy(all + used, op->text, op->len);
            used += op->len;
            all[used++] = ' ';
        }
    all[used] = 0;
    for (int i = 0; i < 150; i++) {
        char n[32];
        snprintf(n, sizeof n, "Clause %03d", i);
        char *x = strstr(all, n);
        assert_non_null(x);
        assert_non_null(strstr(x + 1, n));
    }
    free(all);
    folio_arena_free(&ar);
    free_fixture(f);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_sample_library),
        cmocka_unit_test(test_missing_translation_falls_back),
        cmocka_unit_test(test_library_errors),
        cmocka_unit_test(test_sample_layout_languages),
        cmocka_unit_test(test_layout_missing_translation),
        cmocka_unit_test(test_layout_errors),
        cmocka_unit_test(test_account_field_placement),
        cmocka_unit_test(test_spanish_california_new_customer),
        cmocka_unit_test(test_english_new_york_and_default),
        cmocka_unit_test(test_unsupported_language_falls_back),
        cmocka_unit_test(test_missing_translation_reported),
        cmocka_unit_test(test_long_paragraph_paginates),
    };
    return cmocka_run_group_tests(tests, setup_dir, teardown_dir);
}
