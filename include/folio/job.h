/* SPDX-License-Identifier: Apache-2.0 */
/*
 * folio/job.h -- the job file: what to read, how to read it, what to write.
 *
 * A job file is YAML (parsed with libyaml).  Every key is known: an unknown
 * key, a missing required key or a value of the wrong shape is an error
 * "job.yaml:LINE:COL: what was found, what is expected" (exit 2).  Relative
 * paths in the job are relative to the job file's directory and are stored
 * resolved.  The full reference is in README.md ("Job file reference").
 *
 * Lifetime: everything hangs off the folio_job and is freed by job_free().
 */
#ifndef FOLIO_JOB_H
#define FOLIO_JOB_H

#include "folio/common.h"

typedef enum folio_feed_kind {
    FOLIO_FEED_CUSTOMERS = 1,
    FOLIO_FEED_ACCOUNTS,
    FOLIO_FEED_TRANSACTIONS,
    FOLIO_FEED_CONTACTS,         /* contact history (offers issue) */
    FOLIO_FEED_HOLDERS,          /* issue 10 part 2: account-customer links (holders.h) */
    /* issue 10 part 1: attribute feeds, joined to a record by its id */
    FOLIO_FEED_CUSTOMER_ATTRS,   /* customer_attributes: customer_id + attributes */
    FOLIO_FEED_ACCOUNT_ATTRS,    /* account_attributes: account_id + attributes */
    /* issue 15 part 4: responses to offers (uplift.h) */
    FOLIO_FEED_RESPONSES,
    /* issue 15 part 2: journey events (folio/events.h) */
    FOLIO_FEED_EVENTS            /* events: key (customer/account/household), type, date */
} folio_feed_kind;

/* Logical fields a feed can map.  The job maps each to a header name. */
typedef enum folio_field {
    /* customers */
    FOLIO_F_CUSTOMER_ID = 0, FOLIO_F_HOUSEHOLD_ID, FOLIO_F_FIRST_NAME,
    FOLIO_F_LAST_NAME, FOLIO_F_FULL_NAME, FOLIO_F_BIRTH_DATE, FOLIO_F_ADDRESS1,
    FOLIO_F_ADDRESS2, FOLIO_F_CITY, FOLIO_F_STATE, FOLIO_F_POSTAL_CODE,
    FOLIO_F_COUNTRY, FOLIO_F_LANGUAGE, FOLIO_F_EMAIL, FOLIO_F_DELIVERY,
    FOLIO_F_MARKETING_CONSENT, FOLIO_F_SEGMENT, FOLIO_F_CUSTOMER_SINCE,
    /* accounts */
    FOLIO_F_ACCOUNT_ID, FOLIO_F_OWNER_ID /* customer id owning the account */,
    FOLIO_F_PRODUCT, FOLIO_F_PRODUCT_NAME, FOLIO_F_OPENING_BALANCE,
    FOLIO_F_CLOSING_BALANCE, FOLIO_F_CREDIT_LIMIT, FOLIO_F_INTEREST_RATE,
    FOLIO_F_MINIMUM_DUE, FOLIO_F_DUE_DATE, FOLIO_F_OPENED_DATE, FOLIO_F_CURRENCY,
    /* transactions */
    FOLIO_F_TXN_ACCOUNT_ID, FOLIO_F_TXN_DATE, FOLIO_F_DESCRIPTION,
    FOLIO_F_AMOUNT, FOLIO_F_DEBIT_AMOUNT, FOLIO_F_CREDIT_AMOUNT,
    FOLIO_F_DEBIT_FLAG /* column whose value marks a debit */, FOLIO_F_TXN_ID,
    /* contacts */
    FOLIO_F_CONTACT_KEY /* household or customer id */, FOLIO_F_OFFER_ID,
    FOLIO_F_CONTACT_DATE,
    /* holders (issue 10 part 2) */
    FOLIO_F_HOLDER_ACCOUNT_ID, FOLIO_F_HOLDER_CUSTOMER_ID, FOLIO_F_HOLDER_ROLE,
    /* issue 10 part 3: ledger (transactions; folio/ledger.h) */
    FOLIO_F_BALANCE_AFTER /* the bank's balance after the row */,
    FOLIO_F_ORDER_BY /* posting sequence within a day (a whole number) */,
    /* issue 15 parts 3/4: contacts' variant and channel ("holdout" marks a
     * held-out household), and the responses feed (uplift.h) */
    FOLIO_F_CONTACT_VARIANT, FOLIO_F_CONTACT_CHANNEL,
    FOLIO_F_RESP_KEY, FOLIO_F_RESP_OFFER, FOLIO_F_RESP_VARIANT, FOLIO_F_RESP_DATE,
    FOLIO_F_RESP_OUTCOME,
    /* issue 15 part 2: events feeds (folio/events.h) */
    FOLIO_F_EVENT_KEY /* customer, account or household id */, FOLIO_F_EVENT_TYPE,
    FOLIO_F_EVENT_DATE, FOLIO_F_EVENT_CHANNEL /* optional: print, email, ... */,
    FOLIO_F__COUNT
} folio_field;

/* YAML key of each field in a feed's `columns:` map, e.g. "customer_id". */
const char *job_field_key(folio_field f);

typedef enum folio_sign_rule {
    FOLIO_SIGN_NEGATIVE_IS_DEBIT = 0,  /* default: amount is signed, < 0 debit */
    FOLIO_SIGN_POSITIVE_IS_DEBIT,      /* e.g. card feeds: purchases positive */
    FOLIO_SIGN_FLAG_COLUMN,            /* amount unsigned; debit_flag column value in debit_values
                                        * (debit) or credit_values (credit), else a reject */
    FOLIO_SIGN_SPLIT_COLUMNS           /* separate debit_amount / credit_amount columns */
} folio_sign_rule;

typedef struct folio_feed_def {
    char *name;                 /* unique name in the job, e.g. "checking-transactions" */
    folio_feed_kind kind;
    char *path;                 /* resolved path */
    char *product;              /* accounts feeds: product code when no column */
    /* dialect */
    char delimiter;             /* ',', ';', '\t', '|' */
    char quote;                 /* '"' by default, 0 = none */
    bool header;                /* first record is a header (required for mapping by name) */
    char *date_format;          /* e.g. "YYYY-MM-DD" */
    char decimal;               /* '.' or ',' */
    int minor_digits;           /* decimals of the currency: 2 by default */
    char *currency;             /* ISO 4217, default from job */
    folio_sign_rule sign;
    char **debit_values;        /* FOLIO_SIGN_FLAG_COLUMN: values meaning debit */
    int n_debit_values;
    /* issue 10 part 4: the flag values meaning credit (required with
     * flag_column); a flag in neither list is a reject, never a credit;
     * the description template (description:, NULL = none) and the job's
     * code lists (borrowed from folio_job.codes, NULL = none) */
    char **credit_values;
    int n_credit_values;
    struct folio_desc_template *description;
    const struct folio_codes *codes;
    /* columns[f] = header name mapped to field f, or NULL if unmapped */
    char *columns[FOLIO_F__COUNT];
    int line;                   /* job file line of this feed (for messages) */
    /* issue 10 part 2: holders feeds: the export's role codes (holders.h) */
    struct folio_role_code *roles;
    int n_roles;
    /* issue 10 part 1: attributes mapped from this feed (into job->attrs->v) */
    const struct folio_attr_def *attrs;
    int n_attrs;
    bool key_is_line;           /* attribute feed, key: line_number: a row's id is
                                 * its line number in the file (no id column) */
    /* issue 10 part 5: numbers, text and dates (src/numbers.c, src/transcode.c) */
    char group;                 /* dialect.group: thousands separator, 0 = none */
    bool parentheses, cr_dr;    /* dialect: "(1.00)" and "1.00 DR" are negative */
    bool has_century_pivot;     /* dialect.century_pivot given */
    int century_pivot;          /* YY below it is 20YY, else 19YY */
    char *encoding;             /* dialect.encoding (canonical), NULL = UTF-8 */
    folio_date statement_date;  /* the job's: a birth date after it is a reject */
    /* issue 10 part 6: products and currencies (src/products.c, src/currency.c) */
    const struct folio_products *products; /* accounts feeds: set by products_bind,
                                             NULL = product codes unchecked */
    /* issue 14 part 1 (audit): accounts feeds, set by disclosures_bind:
     * need_fields[i] (FOLIO_NEED_* bits) are the fields a disclosure of
     * product need_products[i] reads; a row of that product with the cell
     * empty is rejected (borrowed from the layout's disclosures) */
    const char *const *need_products;
    const uint8_t *need_fields;
    int n_need;
    /* issue 14 part 1 (gaps): need_attrs[i] = the account attributes the
     * sections of product need_products[i] read, NULL-terminated; an account
     * of the product that an attribute's feed has no row for is rejected at
     * load (feed-resolve.c), never a failed compose */
    const struct folio_attr_def *const *const *need_attrs;
} folio_feed_def;

enum { FOLIO_NEED_MINIMUM_DUE = 1, FOLIO_NEED_DUE_DATE = 2, FOLIO_NEED_RATE = 4 };

typedef struct folio_job {
    char *path;                 /* the job file as given */
    folio_input_id input;       /* size and SHA-256 of the bytes parsed */
    char *dir;                  /* its directory */
    char *name;                 /* job.name */
    uint64_t seed;              /* job.seed: A/B and sampling */
    folio_date statement_date;  /* statement.date */
    folio_date period_start, period_end;
    /* bank identity */
    char *bank_name;
    char **bank_address;        /* lines */
    int n_bank_address;
    char *bank_phone, *bank_website;
    char *currency;             /* default currency, "USD" */
    char *layout_path;          /* resolved path of the layout file */
    folio_feed_def *feeds;
    int n_feeds;
    /* output */
    char *out_dir;              /* resolved; --out overrides */
    bool print_pdf;             /* output.print.pdf (default true) */
    bool print_text;            /* output.print.text: plain-text print files (default false) */
    int max_sheets_per_file;    /* output.print.max_sheets (default 2000) */
    bool duplex;                /* output.print.duplex (default false) */
    int compression;            /* output.print.compression 0..9 (default 6) */
    char *file_prefix;          /* output.print.prefix (default "statements") */
    bool report;                /* output.report: OUT/report.html (default true; issue 16.5) */
    struct folio_production_options *production; /* output.streams / output.pieces (production.h) */
    struct folio_marks_options *marks; /* output.marks, NULL = no marks (marks.h) */
    struct folio_afp_options *afp; /* output.print.afp, NULL = no AFP (afp.h) */
    /* issue 14 part 3: output.print.pdf_profile: pdfvt, NULL = plain (src/pdf-vt.h) */
    struct folio_pdfvt_options *pdfvt;
    struct folio_offers_options *offers; /* offers:, NULL = no offers (offers.h) */
    struct folio_proof_options *proofs; /* output.proofs, never NULL after job_load (proof.h) */
    struct folio_archive_options *archive; /* output.archive (archive.h), never NULL */
    struct folio_channel_rules *channels;  /* output.channels, NULL = none (archive.h) */
    /* issue 10 parts 2 and 7: households: (holders.h) */
    int household_max;          /* households.max_customers (default 12) */
    int undeliverable;          /* households.undeliverable: folio_undeliverable */
    bool has_holders;           /* a holders feed is listed */
    struct folio_attrs *attrs;  /* issue 10 part 1: feeds' attributes, NULL = none (attrs.h) */
    struct folio_codes *codes;  /* issue 10 part 4: codes:, NULL = none (codes.h) */
    /* issue 10 part 6: products (src/products.c) */
    struct folio_products *products; /* products: map; NULL until products_bind
                                        when the job has none */
    /* issue 10 part 3: ledger (folio/ledger.h) */
    int ledger_policy;          /* ledger.policy: folio_ledger_policy (default suppress) */
    /* issue 15 parts 1 and 2: frequency: and stages: (folio/frequency.h, folio/events.h) */
    struct folio_frequency *frequency;  /* NULL = every channel monthly (due every run) */
    struct folio_stages *stages;        /* NULL = no relationship stages */
} folio_job;

/* Parse and validate a job file.  Returns NULL with err set (code
 * FOLIO_EXIT_USAGE) on any problem, message "path:line:col: ...". */
folio_job *job_load(const char *path, folio_error *err);
void job_free(folio_job *job);

#endif
