/* SPDX-License-Identifier: Apache-2.0 */
/*
 * folio/layout.h -- the layout file: how a statement looks.
 *
 * A layout is YAML (layouts/statement.yaml is the sample; README.md has the
 * reference).  It is read and checked once: every key known, every style and
 * font name resolved, every merge field in every text checked against the
 * list below -- an unknown field is "layout.yaml:LINE:COL: unknown merge field
 * {customer.shoe_size}", never blank output.  Lengths in the file are points
 * (1/72 in); in this struct they are units (1/1440 in, see dlist.h).
 *
 * Lifetime: layout_free() frees everything, fonts included.
 */
#ifndef FOLIO_LAYOUT_H
#define FOLIO_LAYOUT_H

#include "folio/common.h"
#include "folio/fonts.h"

/* Merge fields usable in texts, written {group.name} in the layout. */
typedef enum folio_merge_field {
    FOLIO_M_LITERAL = 0,          /* not a field: a literal segment */
    FOLIO_M_BANK_NAME, FOLIO_M_BANK_PHONE, FOLIO_M_BANK_WEBSITE,
    FOLIO_M_BANK_ADDRESS,         /* lines joined with ", " */
    FOLIO_M_STATEMENT_DATE, FOLIO_M_PERIOD_START, FOLIO_M_PERIOD_END,
    FOLIO_M_PAGE, FOLIO_M_PAGES,
    FOLIO_M_HOUSEHOLD_ID,
    FOLIO_M_CUSTOMER_NAME,        /* addressee line: joint names */
    FOLIO_M_CUSTOMER_FIRST_NAME, FOLIO_M_CUSTOMER_LAST_NAME,
    FOLIO_M_CUSTOMER_ID,
    FOLIO_M_ACCOUNT_NUMBER,       /* masked or full as the layout says */
    FOLIO_M_ACCOUNT_PRODUCT,      /* product code */
    FOLIO_M_ACCOUNT_PRODUCT_NAME, /* feed's product name, else the product title */
    FOLIO_M_ACCOUNT_OPENING_BALANCE, FOLIO_M_ACCOUNT_CLOSING_BALANCE,
    FOLIO_M_ACCOUNT_TOTAL_DEBITS, FOLIO_M_ACCOUNT_TOTAL_CREDITS,
    FOLIO_M_ACCOUNT_TRANSACTION_COUNT,
    FOLIO_M_ACCOUNT_CREDIT_LIMIT, FOLIO_M_ACCOUNT_MINIMUM_DUE,
    FOLIO_M_ACCOUNT_DUE_DATE, FOLIO_M_ACCOUNT_RATE,
    FOLIO_M_ACCOUNT_OWNER_NAME,
    FOLIO_M_ACCOUNT_HOLDERS,      /* issue 10 part 2: "Jana Nováková (owner), ..." */
    FOLIO_M_ACCOUNT_CURRENCY,     /* issue 10 part 6: ISO 4217 code */
    FOLIO_M__COUNT
} folio_merge_field;

/* issue 10 part 1: an attribute of the job (folio/attrs.h) as a merge field,
 * {customer.NAME} or {account.NAME}: FOLIO_M_ATTR_CUSTOMER + i or
 * FOLIO_M_ATTR_ACCOUNT + i, i its index in job->attrs->v.  An {account.*}
 * attribute is an account field (layout_merge_field_is_account). */
#define FOLIO_M_ATTR_CUSTOMER 0x4000
#define FOLIO_M_ATTR_ACCOUNT  0x6000
#define FOLIO_M_ATTR_END      0x8000
/* issue 10 audit: {transaction.NAME} (a transaction attribute or code list),
 * FOLIO_M_ATTR_TXN + i: only in a transaction table column's `text:` */
#define FOLIO_M_ATTR_TXN      0x8000
#define FOLIO_M_ATTR_TXN_END  0xA000
struct folio_attrs;

/* Name of a merge field as written in a layout, e.g. "account.number". */
const char *layout_merge_field_name(folio_merge_field f);
/* True for fields that only make sense inside an account section. */
bool layout_merge_field_is_account(folio_merge_field f);

typedef struct folio_tpl_seg {
    uint16_t field;               /* folio_merge_field; LITERAL uses text/len */
    uint16_t len;
    const char *text;
} folio_tpl_seg;

/* A text with merge fields, parsed once. */
typedef struct folio_template {
    folio_tpl_seg *segs;
    int n_segs;
    bool has_page_fields;         /* uses {page} or {pages} */
} folio_template;

typedef enum folio_align { FOLIO_ALIGN_LEFT = 0, FOLIO_ALIGN_RIGHT, FOLIO_ALIGN_CENTER } folio_align;

typedef struct folio_style {
    char *name;
    int font;                     /* index into layout->fonts */
    int32_t size;                 /* units */
    int32_t leading;              /* baseline-to-baseline, units */
    uint32_t color;               /* 0xRRGGBB */
    int32_t min_size;             /* smallest size a text too wide for its box
                                   * is shrunk to, units; 0 = 70% of size */
} folio_style;

/* A text placed at a fixed position of the page (header, footer, ...). */
typedef struct folio_placed_text {
    folio_template text;
    int style;                    /* index into layout->styles */
    int32_t x, y;                 /* units from the top-left; y = baseline */
    folio_align align;            /* x is the left edge, right edge or centre */
    /* The box the text must stay in: from x, `width` units toward the side
     * its alignment grows to (centred on x for center); 0 = up to the page
     * margin on that side (the page edge when x lies in that margin).  A
     * value too wide is shrunk down to min_size, then clipped (compose.c). */
    int32_t width;
    int32_t min_size;             /* units; 0 = the style's min_size */
} folio_placed_text;

typedef struct folio_layout_font {
    char *name;                   /* e.g. "regular" */
    char *file;                   /* resolved path of the .ttf */
    folio_font *metrics;          /* loaded by layout_load */
    /* AFP printer font (fonts[i].afp, docs/layout-file.md); all NULL = the
     * AFP writer's default (Helvetica outline character set, job code page) */
    char *afp_character_set;      /* e.g. "CZH200" (1-8 chars) */
    char *afp_code_page;          /* e.g. "T1V10500"; NULL = from the job's code page */
    char *afp_coded_font;         /* e.g. "X0H20090": instead of the two above */
    /* issue 13 part 5: the Unicode-enabled outline font used when the job's
     * AFP code page is 1200 (fonts[i].afp.unicode); all NULL = none */
    char *afp_u_character_set, *afp_u_code_page, *afp_u_coded_font;
} folio_layout_font;

typedef enum folio_column_field {
    /* summary columns */
    FOLIO_COL_PRODUCT_NAME = 1, FOLIO_COL_NUMBER, FOLIO_COL_OWNER,
    FOLIO_COL_OPENING, FOLIO_COL_CLOSING, FOLIO_COL_DEBITS, FOLIO_COL_CREDITS,
    /* transaction table columns */
    FOLIO_COL_DATE, FOLIO_COL_DESCRIPTION, FOLIO_COL_DEBIT, FOLIO_COL_CREDIT,
    FOLIO_COL_BALANCE, FOLIO_COL_AMOUNT,
    FOLIO_COL_ATTR,               /* issue 10 part 1: folio_column.attr */
    FOLIO_COL_TEXT                /* issue 10 audit: folio_column.text, per row */
} folio_column_field;

/* Name of a column field as written in a layout, e.g. "description". */
const char *layout_column_name(folio_column_field f);

typedef struct folio_column {
    folio_column_field field;
    int attr;                     /* FOLIO_COL_ATTR: index in job->attrs->v */
    folio_template text;          /* FOLIO_COL_TEXT: merge fields, {transaction.*} too */
    char *title;
    int32_t width;                /* units */
    folio_align align;
} folio_column;

typedef enum folio_balance_kind {
    FOLIO_BALANCE_ASSET = 0,      /* running balance += amount */
    FOLIO_BALANCE_LIABILITY       /* balance owed: running balance -= amount */
} folio_balance_kind;

typedef struct folio_product {
    char *code;                   /* matches folio_account.product */
    char *title;                  /* e.g. "Checking" */
    folio_balance_kind balance;
} folio_product;

/* A rectangle the layout reserves for messages (white_space.slots). */
typedef enum folio_ws_page { FOLIO_WS_FIRST = 0, FOLIO_WS_EVERY, FOLIO_WS_LAST } folio_ws_page;
typedef struct folio_ws_slot {
    char *name;
    folio_ws_page page;
    int32_t x, y, w, h;           /* units, top-left origin */
} folio_ws_slot;
/* Where the layout places paragraphs of the library (layout key
 * `paragraphs:`, docs/paragraphs.md). */
typedef enum folio_para_place_kind {
    FOLIO_PLACE_AFTER_SUMMARY = 0,    /* under the account summary */
    FOLIO_PLACE_END,                  /* after the last account section */
    FOLIO_PLACE__COUNT
} folio_para_place_kind;

/* One entry of a place: a paragraph, or a `first_of` list of which the first
 * whose condition holds is shown (e.g. legal-ca, legal-ny, legal-default). */
typedef struct folio_para_item {
    int *para;                    /* indexes into layout->paragraphs->v */
    int n;
    bool first_of;
} folio_para_item;

typedef struct folio_para_place {
    folio_para_item *items;
    int n_items;
} folio_para_place;

struct folio_paragraphs;

typedef struct folio_layout {
    char *path;
    folio_input_id input;         /* size and SHA-256 of the bytes parsed */
    /* page */
    int32_t page_w, page_h;
    int32_t margin_top, margin_right, margin_bottom, margin_left;
    /* fonts and styles */
    folio_layout_font *fonts; int n_fonts;
    folio_style *styles;      int n_styles;
    /* formats */
    char *date_format;            /* pattern, see folio_date_format */
    char money_decimal, money_group;
    char *currency_symbol;        /* prefix, "" for none */
    bool mask_account_numbers;    /* account_number.mask: last4 */
    char mask_char;               /* '*' by default */
    /* fixed elements */
    folio_placed_text *header; int n_header;         /* every page */
    folio_placed_text *first_page; int n_first_page; /* page 1 only */
    folio_placed_text *footer; int n_footer;         /* every page */
    /* address block (#10 window envelope) */
    int32_t address_x, address_y, address_w, address_h;
    int address_style;
    int address_max_lines;        /* 6 by default */
    int address_max_names;        /* issue 10 gaps: addressee names shown, 3 by
                                   * default (more customers: an exception) */
    /* body area */
    int32_t body_top_first;       /* y where the body starts on page 1 */
    int32_t body_top;             /* y where the body starts on later pages */
    int32_t body_bottom;          /* y the body must not pass */
    /* summary */
    folio_template summary_title;
    int summary_title_style, summary_header_style, summary_row_style;
    folio_column *summary_cols; int n_summary_cols;
    char *summary_total_label;           /* total of deposit (asset) accounts */
    char *summary_total_owed_label;      /* total of liability accounts (summary.total_owed_label, default "Total owed") */
    int32_t summary_space_after;
    /* products in statement order */
    folio_product *products; int n_products;
    /* account section */
    folio_template section_title;
    int section_title_style;
    folio_template *section_info; int n_section_info;  /* lines under the title */
    int section_info_style;
    int32_t section_space_after;
    /* transaction table */
    folio_column *table_cols; int n_table_cols;
    int table_header_style, table_row_style;
    folio_template table_continued;      /* title repeated on a continued page */
    folio_template table_continued_next; /* mark at the bottom of a broken page */
    char *table_opening_label;    /* first row: "Opening balance" */
    char *table_closing_label;    /* last row: "Closing balance" */
    char *table_empty_text;       /* when there are no transactions */
    uint32_t table_rule_color;
    uint32_t table_stripe_color;  /* 0xFFFFFF = no stripes */
    int32_t table_row_padding;    /* extra space between rows, units */
    int32_t cell_padding;         /* horizontal padding inside cells */
    /* white space for offers (white_space:, src/layout-ws.c) */
    folio_ws_slot *slots; int n_slots;
    int ws_headline_style, ws_body_style, ws_code_style;
    uint32_t ws_fill, ws_border;  /* offer box fill and outline colours */
    int32_t ws_padding;           /* inside the offer box */
    int32_t ws_gap;               /* space kept between the body and an offer under it */
    /* ---- languages and paragraphs (docs/layout-file.md "Languages",
     * docs/paragraphs.md).  A text may be a map {en: ..., es: ...}.  The
     * layout as loaded holds the texts of languages[0], the fallback;
     * variants[l] is the same layout with language l's texts (variants[0] is
     * the layout itself).  Variants own their own copies of everything and
     * have n_languages 0, no variants and no paragraphs. */
    char **languages; int n_languages;   /* >= 1 for a loaded layout */
    struct folio_layout **variants;      /* n_languages entries */
    uint32_t *n_missing;                 /* per language: texts that fell back */
    char **missing;                      /* per language: their names, ", "-joined */
    char **warnings; int n_warnings;     /* "file:line:col: warning: ..." */
    struct folio_paragraphs *paragraphs; /* the library; NULL when none */
    folio_para_place places[FOLIO_PLACE__COUNT];
    folio_para_place *after_account;     /* per product (n_products), NULL = none:
                                          * under each account section of it */
    int paragraph_style;                 /* paragraphs.style */
    int32_t paragraph_space_after;       /* paragraphs.space_after, units */
    /* issue 10 part 6: money per currency (currencies:, src/currency.c) */
    struct folio_currency_style *currencies; int n_currencies;
    /* issue 14 part 1: disclosure sections per product (disclosures:,
     * folio/disclosures.h); NULL = none.  Only on the loaded layout, not on
     * its language variants. */
    struct folio_disclosures *disclosures;
    /* issue 13 parts 1, 2: images and charts (folio/graphics.h); only in
     * the loaded layout (variants[0]), NULL when it has none */
    struct folio_graphics *graphics;
    /* issue 13 part 3: the payment coupon (coupon:, folio/coupon.h), NULL = none */
    struct folio_coupon *coupon;
    /* issue 13 leftover: the offer catalogue's pictures (offers_graphics),
     * set by the run after the catalogue loads, so print writers carry them
     * like the layout's images; owned by the catalogue, NULL = none */
    const struct folio_graphics *offer_graphics;
} folio_layout;

/* Read and check a layout.  Returns NULL with err (FOLIO_EXIT_USAGE,
 * "path:line:col: ...") on any problem, including a font file that cannot be
 * read. */
folio_layout *layout_load(const char *path, folio_error *err);
/* The same, with the job's attributes usable as merge fields, table
 * columns and in paragraph conditions (NULL = none). */
folio_layout *layout_load_attrs(const char *path, const struct folio_attrs *attrs,
                                folio_error *err);
void layout_free(folio_layout *layout);

/* Parse "Hello {customer.first_name}" into *out (storage malloc'ed, freed by
 * layout_template_free).  "{{" and "}}" are literal braces.  On an unknown
 * field returns false and sets *bad_col to the 0-based offset of the '{'. */
bool layout_template_parse(const char *s, folio_template *out, int *bad_col,
                           char *bad_name, size_t bad_name_cap);
/* The same, knowing the job's attributes (NULL = none). */
bool layout_template_parse_attrs(const char *s, const struct folio_attrs *attrs,
                                 folio_template *out, int *bad_col, char *bad_name,
                                 size_t bad_name_cap);
void layout_template_free(folio_template *t);

/* Index of the language `code` (e.g. "es", "es-MX" matches "es"; any case)
 * in layout->languages, -1 if the layout does not print it. */
int layout_language_find(const folio_layout *layout, const char *code);

int layout_style_find(const folio_layout *layout, const char *name);  /* -1 if none */
int layout_product_find(const folio_layout *layout, const char *code); /* -1 if none */

#endif
