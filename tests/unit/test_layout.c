/* SPDX-License-Identifier: Apache-2.0 */
/* Unit tests: the layout file (src/layout.c).
 * Needs FOLIO_ROOT (the repository root) for layouts/ and fonts/. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "folio/layout.h"

static char g_root[512];
static char g_tmp[64];
static char g_fonts[1400];    /* "fonts:" block with absolute paths */

/* ---- helpers ------------------------------------------------------------- */

static folio_layout *load_root(const char *rel, folio_error *err)
{
    char path[700];
    snprintf(path, sizeof path, "%s/%s", g_root, rel);
    memset(err, 0, sizeof *err);
    return layout_load(path, err);
}

/* Write g_fonts + `text` to a scratch layout and load it. */
static folio_layout *load_text(const char *text, folio_error *err, char *path,
                               size_t cap)
{
    snprintf(path, cap, "%s/layout.yaml", g_tmp);
    FILE *fp = fopen(path, "w");
    assert_non_null(fp);
    fputs(g_fonts, fp);
    fputs(text, fp);
    fclose(fp);
    memset(err, 0, sizeof *err);
    return layout_load(path, err);
}

/* `text` is appended after the 3-line fonts block and the styles below, so
 * the first line of `text` is line 8. */
static const char STYLES[] =
    "styles:\n"
    "  body: {font: regular, size: 8.5}\n"
    "  bold: {font: bold, size: 10, leading: 12.25, color: \"#1f3A5f\"}\n"
    "  th: {font: bold, size: 7.5}\n";

static void expect_fail(const char *text, int line, int col, const char *what)
{
    char path[128], prefix[200], full[4096];
    snprintf(full, sizeof full, "%s%s", STYLES, text);
    folio_error err;
    folio_layout *L = load_text(full, &err, path, sizeof path);
    if (L) {
        layout_free(L);
        fail_msg("loaded but should fail: %s", what);
    }
    assert_int_equal(err.code, FOLIO_EXIT_USAGE);
    snprintf(prefix, sizeof prefix, "%s:%d:%d: ", path, line, col);
    if (strncmp(err.msg, prefix, strlen(prefix)) != 0 || !strstr(err.msg, what))
        fail_msg("expected '%s...%s', got '%s'", prefix, what, err.msg);
}

static int32_t cols_width(const folio_column *c, int n)
{
    int32_t w = 0;
    for (int i = 0; i < n; i++)
        w += c[i].width;
    return w;
}

/* ---- sample layouts ------------------------------------------------------ */

static void test_statement_letter(void **state)
{
    (void)state;
    folio_error err;
    folio_layout *L = load_root("layouts/statement.yaml", &err);
    if (!L)
        fail_msg("%s", err.msg);
    assert_int_equal(L->page_w, 612 * 20);
    assert_int_equal(L->page_h, 792 * 20);
    assert_int_equal(L->margin_top, 720);
    assert_int_equal(L->margin_left, 960);
    assert_int_equal(L->n_fonts, 2);
    assert_non_null(L->fonts[0].metrics);
    assert_non_null(L->fonts[1].metrics);
    assert_non_null(strstr(L->fonts[1].file, "layouts/../fonts/LiberationSans-Bold.ttf"));

    int period = layout_style_find(L, "period");
    assert_true(period >= 0);
    assert_int_equal(L->styles[period].size, 170);     /* 8.5 pt */
    assert_int_equal(L->styles[period].leading, 220);
    assert_int_equal(L->styles[period].color, 0x333333);
    int bold = layout_style_find(L, "h2");
    assert_int_equal(L->fonts[L->styles[bold].font].name[0], 'b');
    assert_int_equal(layout_style_find(L, "nope"), -1);

    assert_string_equal(L->date_format, "MM/DD/YYYY");
    assert_int_equal(L->money_decimal, '.');
    assert_int_equal(L->money_group, ',');
    assert_string_equal(L->currency_symbol, "$");
    assert_true(L->mask_account_numbers);
    assert_int_equal(L->mask_char, '*');

    /* printable width: both tables fill it exactly */
    int32_t avail = L->page_w - L->margin_left - L->margin_right;
    assert_int_equal(avail, 516 * 20);
    assert_int_equal(cols_width(L->summary_cols, L->n_summary_cols), avail);
    assert_int_equal(cols_width(L->table_cols, L->n_table_cols), avail);
    assert_int_equal(L->n_table_cols, 5);
    assert_int_equal(L->table_cols[0].field, FOLIO_COL_DATE);
    assert_int_equal(L->table_cols[4].field, FOLIO_COL_BALANCE);
    assert_int_equal(L->table_cols[4].align, FOLIO_ALIGN_RIGHT);
    assert_string_equal(L->table_cols[1].title, "Description");
    assert_int_equal(L->summary_cols[0].field, FOLIO_COL_PRODUCT_NAME);
    assert_int_equal(L->table_row_padding, 30);         /* 1.5 pt */
    assert_int_equal(L->cell_padding, 60);
    assert_int_equal(L->table_rule_color, 0xB0B0B0);
    assert_int_equal(L->table_stripe_color, 0xF3F5F8);

    /* address inside the #10 recipient window (63..387 x 144..225 pt) */
    assert_true(L->address_x >= 63 * 20);
    assert_true(L->address_x + L->address_w <= 387 * 20);
    assert_true(L->address_y >= 144 * 20);
    assert_true(L->address_y + L->address_h <= 225 * 20);
    /* five lines leave the bottom of the block for the IMb (output.marks.imb) */
    assert_int_equal(L->address_max_lines, 5);
    assert_true(L->body_top_first > L->address_y + L->address_h);
    assert_true(L->body_bottom < L->page_h - L->margin_bottom + 1);

    /* texts */
    assert_int_equal(L->n_header, 3);
    assert_int_equal(L->header[0].text.n_segs, 1);
    assert_int_equal(L->header[0].text.segs[0].field, FOLIO_M_BANK_NAME);
    assert_int_equal(L->header[0].x, 1600);   /* 80 pt: right of the logo */
    assert_int_equal(L->header[1].align, FOLIO_ALIGN_RIGHT);
    bool page_found = false;
    for (int i = 0; i < L->n_footer; i++)
        page_found |= L->footer[i].text.has_page_fields;
    assert_true(page_found);
    assert_false(L->header[0].text.has_page_fields);
    assert_true(L->n_first_page >= 3);
    assert_int_equal(L->n_section_info, 1);
    assert_int_equal(L->section_title.segs[0].field, FOLIO_M_ACCOUNT_PRODUCT_NAME);
    assert_string_equal(L->summary_total_label, "Total deposits");
    assert_string_equal(L->summary_total_owed_label, "Total owed");

    assert_int_equal(L->n_products, 5);
    int cc = layout_product_find(L, "credit_card");
    assert_int_equal(cc, 2);
    assert_int_equal(L->products[cc].balance, FOLIO_BALANCE_LIABILITY);
    assert_int_equal(L->products[0].balance, FOLIO_BALANCE_ASSET);
    assert_int_equal(layout_product_find(L, "boat"), -1);
    layout_free(L);
}

static void test_statement_a4(void **state)
{
    (void)state;
    folio_error err;
    folio_layout *L = load_root("layouts/statement-a4.yaml", &err);
    if (!L)
        fail_msg("%s", err.msg);
    assert_int_equal(L->page_w, 11906);
    assert_int_equal(L->page_h, 16838);
    int32_t avail = L->page_w - L->margin_left - L->margin_right;
    assert_true(cols_width(L->table_cols, L->n_table_cols) <= avail);
    assert_true(cols_width(L->summary_cols, L->n_summary_cols) <= avail);
    assert_int_equal(L->header[1].x, 10946);     /* 547.28 pt = 10945.6 units */
    assert_true(L->body_bottom <= L->page_h - L->margin_bottom);
    layout_free(L);
}

/* ---- defaults and conversions -------------------------------------------- */

static void test_defaults(void **state)
{
    (void)state;
    char path[128];
    folio_error err;
    folio_layout *L = load_text(STYLES, &err, path, sizeof path);
    if (!L)
        fail_msg("%s", err.msg);
    assert_int_equal(L->page_w, 12240);
    assert_int_equal(L->margin_right, 720);
    assert_int_equal(L->styles[0].size, 170);
    assert_int_equal(L->styles[0].leading, 204);        /* 1.2 x 170 */
    assert_int_equal(L->styles[0].color, 0);
    assert_int_equal(L->styles[1].leading, 245);        /* 12.25 pt */
    assert_int_equal(L->styles[1].color, 0x1F3A5F);
    assert_string_equal(L->date_format, "MM/DD/YYYY");
    assert_string_equal(L->currency_symbol, "$");
    assert_int_equal(L->n_header + L->n_first_page + L->n_footer, 0);
    assert_int_equal(L->address_x, 63 * 20);
    assert_int_equal(L->address_max_lines, 6);
    assert_int_equal(L->body_top, 720);
    assert_int_equal(L->body_top_first, 720);
    assert_int_equal(L->body_bottom, 15840 - 720);
    int32_t avail = 12240 - 1440;
    assert_int_equal(L->n_summary_cols, 4);
    assert_int_equal(cols_width(L->summary_cols, 4), avail);
    assert_int_equal(L->summary_cols[3].align, FOLIO_ALIGN_RIGHT);
    assert_string_equal(L->summary_cols[0].title, "Product name");
    assert_int_equal(L->n_table_cols, 5);
    assert_int_equal(cols_width(L->table_cols, 5), avail);
    assert_int_equal(L->table_cols[1].field, FOLIO_COL_DESCRIPTION);
    assert_int_equal(L->table_stripe_color, 0xFFFFFF);
    assert_int_equal(L->n_products, 5);
    assert_int_equal(layout_product_find(L, "mortgage"), 3);
    assert_string_equal(L->table_empty_text, "No transactions in this period.");
    assert_int_equal(L->section_title.n_segs, 3);
    assert_string_equal(L->summary_total_owed_label, "Total owed");
    layout_free(L);

    /* explicit page size in points, decimal comma money */
    char text[2048];
    snprintf(text, sizeof text, "%s%s", STYLES,
             "page: {size: [419.5, 595.25], margins: {left: 10.05}}\n"
             "format: {money: {decimal: \",\"}, date: \"DD.MM.YYYY\"}\n"
             "account_number: {mask: full}\n"
             "table: {columns: [{field: amount, width: 100}]}\n"
             "summary: {columns: [{field: owner, width: 50.5, align: center}]}\n");
    L = load_text(text, &err, path, sizeof path);
    if (!L)
        fail_msg("%s", err.msg);
    assert_int_equal(L->page_w, 8390);
    assert_int_equal(L->page_h, 11905);
    assert_int_equal(L->margin_left, 201);
    assert_int_equal(L->money_decimal, ',');
    assert_int_equal(L->money_group, '.');
    assert_false(L->mask_account_numbers);
    assert_int_equal(L->table_cols[0].align, FOLIO_ALIGN_RIGHT);
    assert_int_equal(L->summary_cols[0].width, 1010);
    assert_int_equal(L->summary_cols[0].align, FOLIO_ALIGN_CENTER);
    assert_string_equal(L->summary_cols[0].title, "");
    layout_free(L);
}

/* ---- errors ---------------------------------------------------------------- */

static void test_errors(void **state)
{
    (void)state;
    /* merge field: the column points at the '{' inside a plain scalar ... */
    expect_fail("header:\n  - text: Hi {customer.shoe_size}!\n    x: 1\n    y: 2\n", 9, 14,
                "unknown merge field {customer.shoe_size} (known: bank.name, bank.phone");
    /* ... and inside a one-line quoted scalar */
    expect_fail("footer:\n  - {text: \"Page {page} of {pagez}\", x: 1, y: 2}\n", 9, 28,
                "unknown merge field {pagez}");
    /* multi-line (folded) scalar: the column of the scalar */
    expect_fail("section:\n  title: >\n    Account\n    {account.nmber}\n", 9, 10,
                "unknown merge field {account.nmber}");
    expect_fail("header:\n  - {text: \"{bank.name\", x: 1, y: 2}\n", 9, 13,
                "'header[0].text': unterminated '{'");
    expect_fail("header:\n  - {text: \"a } b\", x: 1, y: 2}\n", 9, 15,
                "'header[0].text': unmatched '}'");
    /* account fields outside section and table texts */
    expect_fail("first_page:\n  - {text: \"Acct {account.number}\", x: 1, y: 2}\n", 9, 18,
                "merge field {account.number} can only be used in section and table "
                "texts, not in 'first_page[0].text'");
    expect_fail("summary: {title: \"{account.number}\"}\n", 8, 19, "can only be used");
    /* styles */
    expect_fail("header:\n  - {text: x, style: heading, x: 1, y: 2}\n", 9, 22,
                "'header[0].style': unknown style 'heading' (styles: body, bold, th)");
    expect_fail("table: {row_style: tdd}\n", 8, 20, "'table.row_style': unknown style 'tdd'");
    /* unknown keys, with the list of known ones */
    expect_fail("table: {stripes: \"#FFFFFF\"}\n", 8, 9,
                "unknown key 'stripes' in 'table' (expected one of: header_style, row_style");
    expect_fail("colour: red\n", 8, 1, "unknown top-level key 'colour'");
    /* colours */
    expect_fail("table: {rule_color: \"#12345\"}\n", 8, 21,
                "'table.rule_color' must be a colour \"#RRGGBB\", got '#12345'");
    expect_fail("table:\n  rule_color: #123456\n", 9, 14, "an unquoted # starts a YAML comment");
    /* geometry */
    expect_fail("table:\n  columns:\n    - {field: date, width: 300}\n"
                "    - {field: description, width: 300}\n", 10, 5,
                "'table.columns' are 600 pt wide in all, more than the 540 pt between the margins");
    expect_fail("table: {columns: [{field: owner, width: 10}]}\n", 8, 27,
                "'table.columns[0].field' must be one of date, description, debit, credit, "
                "balance, amount, got 'owner'");
    expect_fail("page: {size: tabloid}\n", 8, 14, "'page.size' must be one of letter, a4, legal");
    expect_fail("header:\n  - {text: x, x: 1.234, y: 2}\n", 9, 18,
                "'header[0].x' must be a number from 0 to 10000 (at most 2 decimals), got '1.234'");
    expect_fail("body: {top: 700, bottom: 600}\n", 8, 7, "'body': top and first_page_top");
    expect_fail("styles2: {}\n", 8, 1, "unknown top-level key");
    expect_fail("format: {money: {decimal: \".\", group: \".\"}}\n", 8, 39,
                "'format.money.group' is the same character");
}

static void test_style_errors(void **state)
{
    (void)state;
    char path[128];
    folio_error err;
    /* line 4 is the first style */
    assert_null(load_text("styles:\n  body: {font: italic, size: 9}\n", &err, path, sizeof path));
    assert_non_null(strstr(err.msg, "layout.yaml:5:16: 'styles.body.font': unknown font 'italic'"));
    assert_null(load_text("styles:\n  body: {font: regular, size: 0}\n", &err, path, sizeof path));
    assert_non_null(strstr(err.msg, "layout.yaml:5:31: 'styles.body.size' must be a number from 0.01"));
    assert_null(load_text("styles:\n  body: {font: regular}\n", &err, path, sizeof path));
    assert_non_null(strstr(err.msg, "layout.yaml:5:9: missing required key 'size' in 'styles.body'"));
}

/* Placed texts' boxes: width and min_size (item and style). */
static void test_fit_keys(void **state)
{
    (void)state;
    char path[128], full[2048];
    folio_error err;
    snprintf(full, sizeof full, "%s%s",
             "styles:\n  info: {font: regular, size: 7.5, min_size: 6}\n"
             "  body: {font: regular, size: 8.5}\n",
             "first_page:\n"
             "  - {text: \"{customer.id}\", style: info, x: 564, y: 136, align: right, width: 76}\n"
             "  - {text: \"{bank.website}\", style: body, x: 48, y: 10, min_size: 4.25}\n");
    folio_layout *L = load_text(full, &err, path, sizeof path);
    if (!L)
        fail_msg("%s", err.msg);
    assert_int_equal(L->styles[0].min_size, 120);
    assert_int_equal(L->styles[1].min_size, 0);             /* 70% of the size */
    assert_int_equal(L->first_page[0].width, 76 * 20);
    assert_int_equal(L->first_page[0].min_size, 0);         /* the style's */
    assert_int_equal(L->first_page[1].width, 0);            /* up to the margin */
    assert_int_equal(L->first_page[1].min_size, 85);
    layout_free(L);
    /* errors name the key's position */
    expect_fail("first_page:\n  - {text: x, x: 564, y: 2, align: right, width: 600}\n", 9, 50,
                "'first_page[0]': the box of width 600 from x reaches past the edge of the page");
    expect_fail("footer:\n  - {text: x, x: 500, y: 2, width: 200}\n", 9, 36,
                "reaches past the edge of the page");
    expect_fail("header:\n  - {text: x, x: 5, y: 2, width: 0}\n", 9, 34,
                "'header[0].width' must be a number from 0.01");
    expect_fail("header:\n  - {text: x, style: th, x: 5, y: 2, min_size: 8}\n", 9, 48,
                "'header[0].min_size' (8) is larger than the size of its style (7.5)");
    char path2[128];
    assert_null(load_text("styles:\n  body: {font: regular, size: 9, min_size: 9.5}\n", &err,
                          path2, sizeof path2));
    assert_non_null(strstr(err.msg, "layout.yaml:5:44: 'styles.body.min_size' (9.5) is larger "
                                    "than its size (9)"));
}

static void test_missing_font(void **state)
{
    (void)state;
    char path[128];
    snprintf(path, sizeof path, "%s/layout.yaml", g_tmp);
    FILE *fp = fopen(path, "w");
    assert_non_null(fp);
    fputs("fonts:\n  - {name: regular, file: nowhere.ttf}\nstyles: {b: {font: regular, size: 9}}\n", fp);
    fclose(fp);
    folio_error err = { 0 };
    assert_null(layout_load(path, &err));
    assert_int_equal(err.code, FOLIO_EXIT_USAGE);
    char prefix[400];
    snprintf(prefix, sizeof prefix, "%s:2:27: cannot load font 'regular': %s/nowhere.ttf", path,
             g_tmp);
    if (strncmp(err.msg, prefix, strlen(prefix)))
        fail_msg("got '%s'", err.msg);
}

/* ---- templates --------------------------------------------------------------- */

static void expect_seg(const folio_template *t, int i, int field, const char *text)
{
    assert_true(i < t->n_segs);
    assert_int_equal(t->segs[i].field, field);
    if (field == FOLIO_M_LITERAL) {
        assert_int_equal(t->segs[i].len, strlen(text));
        assert_memory_equal(t->segs[i].text, text, strlen(text));
    }
}

static void test_templates(void **state)
{
    (void)state;
    folio_template t;
    int bad = -7;
    char name[64];

    assert_true(layout_template_parse("Hello {customer.first_name}!", &t, &bad, name, sizeof name));
    assert_int_equal(t.n_segs, 3);
    expect_seg(&t, 0, FOLIO_M_LITERAL, "Hello ");
    expect_seg(&t, 1, FOLIO_M_CUSTOMER_FIRST_NAME, NULL);
    expect_seg(&t, 2, FOLIO_M_LITERAL, "!");
    assert_false(t.has_page_fields);
    layout_template_free(&t);
    assert_null(t.segs);

    /* escaped braces become literal text, merged into one segment */
    assert_true(layout_template_parse("a{{b}}c {{page}}", &t, &bad, name, sizeof name));
    assert_int_equal(t.n_segs, 1);
    expect_seg(&t, 0, FOLIO_M_LITERAL, "a{b}c {page}");
    assert_false(t.has_page_fields);
    layout_template_free(&t);

    /* adjacent fields, no literal between them */
    assert_true(layout_template_parse("{page}{pages}", &t, &bad, name, sizeof name));
    assert_int_equal(t.n_segs, 2);
    expect_seg(&t, 0, FOLIO_M_PAGE, NULL);
    expect_seg(&t, 1, FOLIO_M_PAGES, NULL);
    assert_true(t.has_page_fields);
    layout_template_free(&t);

    /* {{ directly before a field */
    assert_true(layout_template_parse("{{{bank.name}}}", &t, &bad, name, sizeof name));
    assert_int_equal(t.n_segs, 3);
    expect_seg(&t, 0, FOLIO_M_LITERAL, "{");
    expect_seg(&t, 1, FOLIO_M_BANK_NAME, NULL);
    expect_seg(&t, 2, FOLIO_M_LITERAL, "}");
    layout_template_free(&t);

    assert_true(layout_template_parse("", &t, &bad, name, sizeof name));
    assert_int_equal(t.n_segs, 0);
    layout_template_free(&t);

    /* errors */
    assert_false(layout_template_parse("x {bank.nam} y", &t, &bad, name, sizeof name));
    assert_int_equal(bad, 2);
    assert_string_equal(name, "bank.nam");
    assert_null(t.segs);
    assert_false(layout_template_parse("ab {page", &t, &bad, name, sizeof name));
    assert_int_equal(bad, 3);
    assert_string_equal(name, "");
    assert_false(layout_template_parse("{page} }", &t, &bad, name, sizeof name));
    assert_int_equal(bad, 7);
    assert_false(layout_template_parse("{}", &t, &bad, name, sizeof name));
    assert_int_equal(bad, 0);
    assert_false(layout_template_parse("{ page}", &t, &bad, name, sizeof name));
    assert_string_equal(name, " page");
}

static void test_merge_names(void **state)
{
    (void)state;
    assert_string_equal(layout_merge_field_name(FOLIO_M_ACCOUNT_NUMBER), "account.number");
    assert_string_equal(layout_merge_field_name(FOLIO_M_PERIOD_END), "statement.period_end");
    assert_string_equal(layout_merge_field_name(FOLIO_M_LITERAL), "");
    assert_true(layout_merge_field_is_account(FOLIO_M_ACCOUNT_OWNER_NAME));
    assert_true(layout_merge_field_is_account(FOLIO_M_ACCOUNT_NUMBER));
    assert_false(layout_merge_field_is_account(FOLIO_M_CUSTOMER_ID));
    assert_false(layout_merge_field_is_account(FOLIO_M_PAGES));
    /* every field round-trips through the parser */
    for (int f = 1; f < FOLIO_M__COUNT; f++) {
        char s[80];
        folio_template t;
        int bad;
        const char *n = layout_merge_field_name((folio_merge_field)f);
        assert_true(strlen(n) > 0);
        snprintf(s, sizeof s, "{%s}", n);
        assert_true(layout_template_parse(s, &t, &bad, NULL, 0));
        assert_int_equal(t.n_segs, 1);
        assert_int_equal(t.segs[0].field, f);
        layout_template_free(&t);
    }
}

static int setup(void **state)
{
    (void)state;
    const char *root = getenv("FOLIO_ROOT");
    snprintf(g_root, sizeof g_root, "%s", root ? root : ".");
    snprintf(g_fonts, sizeof g_fonts,
             "fonts:\n  - {name: regular, file: %s/fonts/LiberationSans-Regular.ttf}\n"
             "  - {name: bold, file: %s/fonts/LiberationSans-Bold.ttf}\n", g_root, g_root);
    snprintf(g_tmp, sizeof g_tmp, "/tmp/folio-test-layout-XXXXXX");
    return mkdtemp(g_tmp) ? 0 : -1;
}

static int teardown(void **state)
{
    (void)state;
    char p[128];
    snprintf(p, sizeof p, "%s/layout.yaml", g_tmp);
    unlink(p);
    rmdir(g_tmp);
    return 0;
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_statement_letter),
        cmocka_unit_test(test_statement_a4),
        cmocka_unit_test(test_defaults),
        cmocka_unit_test(test_errors),
        cmocka_unit_test(test_style_errors),
        cmocka_unit_test(test_fit_keys),
        cmocka_unit_test(test_missing_font),
        cmocka_unit_test(test_templates),
        cmocka_unit_test(test_merge_names),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
