/* SPDX-License-Identifier: Apache-2.0 */
/*
 * job.c -- the job file: parse (libyaml via yamltree), validate, resolve.
 *
 * Order of work: yt_load() builds the tree; then each top-level section is
 * read by one static function, every key checked against its allowed list
 * first so a typo is reported as "unknown key" rather than as a missing
 * required one; finally the cross-checks (feed kinds present, unique names,
 * period order).  The first problem stops the load: job_load() frees the
 * partial job and returns NULL, err holding "path:line:col: ...".
 *
 * The reference for every key is docs/job-file.md.
 */
#include "folio/afp.h"
#include "folio/archive.h"
#include "folio/holders.h"
#include "folio/events.h"
#include "folio/frequency.h"
#include "folio/codes.h"
#include "folio/job.h"
#include "folio/ledger.h"
#include "folio/marks.h"
#include "folio/offers.h"
#include "folio/pdf.h"
#include "folio/production.h"
#include "folio/products.h"
#include "folio/proof.h"
#include "folio/currency.h"
#include "folio/numbers.h"
#include "yamltree.h"
#include "attrs-private.h"
#include "pdf-vt.h"          /* issue 14 part 3 */

#include <stdio.h>
#include <sys/stat.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* ---- field keys --------------------------------------------------------- */

typedef struct field_key {
    folio_feed_kind kind;
    const char *key;
    folio_field field;
} field_key;

/* Column keys per feed kind (the same key may map a different field in
 * another kind: customer_id, account_id). */
static const field_key FIELD_KEYS[] = {
    { FOLIO_FEED_CUSTOMERS, "customer_id", FOLIO_F_CUSTOMER_ID },
    { FOLIO_FEED_CUSTOMERS, "household_id", FOLIO_F_HOUSEHOLD_ID },
    { FOLIO_FEED_CUSTOMERS, "first_name", FOLIO_F_FIRST_NAME },
    { FOLIO_FEED_CUSTOMERS, "last_name", FOLIO_F_LAST_NAME },
    { FOLIO_FEED_CUSTOMERS, "full_name", FOLIO_F_FULL_NAME },
    { FOLIO_FEED_CUSTOMERS, "birth_date", FOLIO_F_BIRTH_DATE },
    { FOLIO_FEED_CUSTOMERS, "address1", FOLIO_F_ADDRESS1 },
    { FOLIO_FEED_CUSTOMERS, "address2", FOLIO_F_ADDRESS2 },
    { FOLIO_FEED_CUSTOMERS, "city", FOLIO_F_CITY },
    { FOLIO_FEED_CUSTOMERS, "state", FOLIO_F_STATE },
    { FOLIO_FEED_CUSTOMERS, "postal_code", FOLIO_F_POSTAL_CODE },
    { FOLIO_FEED_CUSTOMERS, "country", FOLIO_F_COUNTRY },
    { FOLIO_FEED_CUSTOMERS, "language", FOLIO_F_LANGUAGE },
    { FOLIO_FEED_CUSTOMERS, "email", FOLIO_F_EMAIL },
    { FOLIO_FEED_CUSTOMERS, "delivery", FOLIO_F_DELIVERY },
    { FOLIO_FEED_CUSTOMERS, "marketing_consent", FOLIO_F_MARKETING_CONSENT },
    { FOLIO_FEED_CUSTOMERS, "segment", FOLIO_F_SEGMENT },
    { FOLIO_FEED_CUSTOMERS, "customer_since", FOLIO_F_CUSTOMER_SINCE },
    { FOLIO_FEED_ACCOUNTS, "account_id", FOLIO_F_ACCOUNT_ID },
    { FOLIO_FEED_ACCOUNTS, "customer_id", FOLIO_F_OWNER_ID },
    { FOLIO_FEED_ACCOUNTS, "product", FOLIO_F_PRODUCT },
    { FOLIO_FEED_ACCOUNTS, "product_name", FOLIO_F_PRODUCT_NAME },
    { FOLIO_FEED_ACCOUNTS, "opening_balance", FOLIO_F_OPENING_BALANCE },
    { FOLIO_FEED_ACCOUNTS, "closing_balance", FOLIO_F_CLOSING_BALANCE },
    { FOLIO_FEED_ACCOUNTS, "credit_limit", FOLIO_F_CREDIT_LIMIT },
    { FOLIO_FEED_ACCOUNTS, "interest_rate", FOLIO_F_INTEREST_RATE },
    { FOLIO_FEED_ACCOUNTS, "minimum_due", FOLIO_F_MINIMUM_DUE },
    { FOLIO_FEED_ACCOUNTS, "due_date", FOLIO_F_DUE_DATE },
    { FOLIO_FEED_ACCOUNTS, "opened_date", FOLIO_F_OPENED_DATE },
    { FOLIO_FEED_ACCOUNTS, "currency", FOLIO_F_CURRENCY },
    { FOLIO_FEED_TRANSACTIONS, "account_id", FOLIO_F_TXN_ACCOUNT_ID },
    { FOLIO_FEED_TRANSACTIONS, "date", FOLIO_F_TXN_DATE },
    { FOLIO_FEED_TRANSACTIONS, "description", FOLIO_F_DESCRIPTION },
    { FOLIO_FEED_TRANSACTIONS, "amount", FOLIO_F_AMOUNT },
    { FOLIO_FEED_TRANSACTIONS, "debit_amount", FOLIO_F_DEBIT_AMOUNT },
    { FOLIO_FEED_TRANSACTIONS, "credit_amount", FOLIO_F_CREDIT_AMOUNT },
    { FOLIO_FEED_TRANSACTIONS, "debit_flag", FOLIO_F_DEBIT_FLAG },
    { FOLIO_FEED_TRANSACTIONS, "transaction_id", FOLIO_F_TXN_ID },
    { FOLIO_FEED_CONTACTS, "contact_key", FOLIO_F_CONTACT_KEY },
    { FOLIO_FEED_CONTACTS, "offer_id", FOLIO_F_OFFER_ID },
    { FOLIO_FEED_CONTACTS, "contact_date", FOLIO_F_CONTACT_DATE },
    { FOLIO_FEED_HOLDERS, "account_id", FOLIO_F_HOLDER_ACCOUNT_ID },
    { FOLIO_FEED_HOLDERS, "customer_id", FOLIO_F_HOLDER_CUSTOMER_ID },
    { FOLIO_FEED_HOLDERS, "role", FOLIO_F_HOLDER_ROLE },
    /* issue 10 part 1: attribute feeds map their key; the rest is attributes: */
    { FOLIO_FEED_CUSTOMER_ATTRS, "customer_id", FOLIO_F_CUSTOMER_ID },
    { FOLIO_FEED_ACCOUNT_ATTRS, "account_id", FOLIO_F_ACCOUNT_ID },
    /* issue 10 part 3: ledger (folio/ledger.h) */
    { FOLIO_FEED_TRANSACTIONS, "balance_after", FOLIO_F_BALANCE_AFTER },
    { FOLIO_FEED_TRANSACTIONS, "order_by", FOLIO_F_ORDER_BY },
    /* issue 15 parts 3/4: contacts' variant / channel, the responses feed */
    { FOLIO_FEED_CONTACTS, "variant", FOLIO_F_CONTACT_VARIANT },
    { FOLIO_FEED_CONTACTS, "channel", FOLIO_F_CONTACT_CHANNEL },
    { FOLIO_FEED_RESPONSES, "response_key", FOLIO_F_RESP_KEY },
    { FOLIO_FEED_RESPONSES, "offer_id", FOLIO_F_RESP_OFFER },
    { FOLIO_FEED_RESPONSES, "variant", FOLIO_F_RESP_VARIANT },
    { FOLIO_FEED_RESPONSES, "response_date", FOLIO_F_RESP_DATE },
    { FOLIO_FEED_RESPONSES, "outcome", FOLIO_F_RESP_OUTCOME },
    /* issue 15 part 2: events feeds (folio/events.h) */
    { FOLIO_FEED_EVENTS, "key", FOLIO_F_EVENT_KEY },
    { FOLIO_FEED_EVENTS, "type", FOLIO_F_EVENT_TYPE },
    { FOLIO_FEED_EVENTS, "date", FOLIO_F_EVENT_DATE },
    { FOLIO_FEED_EVENTS, "channel", FOLIO_F_EVENT_CHANNEL },
};
#define N_FIELD_KEYS ((int)(sizeof FIELD_KEYS / sizeof FIELD_KEYS[0]))

/* job_field_key: the key naming field f in the `columns:` map of the feed
 * kind that has it ("customer_id" for both CUSTOMER_ID and OWNER_ID).
 * Returns "?" for an out-of-range value. */
const char *job_field_key(folio_field f)
{
    for (int i = 0; i < N_FIELD_KEYS; i++)
        if (FIELD_KEYS[i].field == f)
            return FIELD_KEYS[i].key;
    return "?";
}

static const char *const KIND_NAMES[] = { "customers", "accounts",
                                          "transactions", "contacts", "holders",
                                          "customer_attributes", "account_attributes",
                                          "responses" /* issue 15 part 4 */,
                                          "events" /* issue 15 part 2 */,
                                          NULL };
static const char *const SIGN_NAMES[] = { "negative_is_debit",
                                          "positive_is_debit", "flag_column",
                                          "split_columns", NULL };

static const char *const TOP_KEYS[] = { "job", "statement", "bank", "layout",
                                        "feeds", "output", "offers", "households",
                                        "codes", "products",
                                        "ledger" /* issue 10 part 3 */,
                                        "frequency", "stages" /* issue 15 parts 1, 2 */,
                                        NULL };
static const char *const JOB_KEYS[] = { "name", "seed", NULL };
static const char *const STATEMENT_KEYS[] = { "date", "period", NULL };
static const char *const PERIOD_KEYS[] = { "start", "end", NULL };
static const char *const BANK_KEYS[] = { "name", "address", "phone", "website",
                                         "currency", NULL };
static const char *const FEED_KEYS[] = { "name", "kind", "path", "product",
                                         "dialect", "amounts", "columns", "roles",
                                         "attributes", "key", "description", NULL };
static const char *const DIALECT_KEYS[] = { "delimiter", "quote", "header",
                                            "date_format", "decimal",
                                            "minor_digits", "currency",
                                            /* issue 10 part 5 */
                                            "group", "parentheses", "cr_dr",
                                            "encoding", "century_pivot", NULL };
static const char *const AMOUNTS_KEYS[] = { "sign", "debit_values", "credit_values",
                                             NULL };
static const char *const OUTPUT_KEYS[] = { "dir", "print", "streams", "pieces", "marks",
                                            "proofs", "archive", "channels",
                                            "report", /* issue 16 part 5 */ NULL };
static const char *const PRINT_KEYS[] = { "pdf", "max_sheets", "duplex",
                                          "compression", "prefix", "afp", "text",
                                          "pdf_profile", "icc_profile", /* issue 14 part 3 */
                                          NULL };

/* ---- helpers ------------------------------------------------------------- */

static char *dup_or_fail(yt_doc *d, const char *s)
{
    char *r = strdup(s);
    if (!r)
        folio_error_set(d->err, FOLIO_EXIT_FAILED, "%s: out of memory", d->path);
    return r;
}

/* dir + "/" + path for relative paths ("." keeps path as is); absolute paths
 * are kept. */
static char *resolve_path(yt_doc *d, const char *dir, const char *path)
{
    if (path[0] == '/' || !strcmp(dir, "."))
        return dup_or_fail(d, path);
    size_t n = strlen(dir) + strlen(path) + 2;
    char *r = malloc(n);
    if (!r) {
        folio_error_set(d->err, FOLIO_EXIT_FAILED, "%s: out of memory", d->path);
        return NULL;
    }
    snprintf(r, n, "%s/%s", dir, path);
    return r;
}

/* Read a required-or-optional path key and resolve it. */
static int read_path(yt_doc *d, const folio_job *job, const yt_node *map,
                     const char *where, const char *key, bool required,
                     char **out)
{
    char *raw = NULL;
    int r = yt_str(d, map, where, key, required, &raw);
    if (r <= 0)
        return r;
    if (!*raw) {
        char name[256];
        free(raw);
        yt_fail(d, yt_get(map, key), "'%s' must not be empty",
                yt_name(name, sizeof name, where, key));
        return -1;
    }
    char *res = resolve_path(d, job->dir, raw);
    free(raw);
    if (!res)
        return -1;
    free(*out);
    *out = res;
    return 1;
}

static bool is_currency(const char *s)
{
    return currency_minor_digits(s) >= 0;      /* the ISO 4217 table */
}

static int read_currency(yt_doc *d, const yt_node *map, const char *where,
                         char **out)
{
    int r = yt_str(d, map, where, "currency", false, out);
    if (r == 1 && !is_currency(*out)) {
        char name[256];
        yt_fail(d, yt_get(map, "currency"),
                "'%s' must be an ISO 4217 code (USD, EUR, CZK, ...), got '%s'",
                yt_name(name, sizeof name, where, "currency"), *out);
        return -1;
    }
    return r;
}

/* ---- sections ------------------------------------------------------------ */

static bool read_job_section(yt_doc *d, folio_job *job, const yt_node *root)
{
    const yt_node *j = yt_child(d, root, "", "job", true);
    if (!j || !yt_expect_map(d, j, "job") || !yt_check_keys(d, j, "job", JOB_KEYS))
        return false;
    if (yt_str(d, j, "job", "name", true, &job->name) < 0)
        return false;
    if (strlen(job->name) > FOLIO_PDF_INFO_MAX)   /* it is every PDF's Title */
        return yt_fail(d, yt_get(j, "name"), "'job.name' is %zu bytes long: at most %d "
                       "(the PDF document-info string limit)", strlen(job->name),
                       FOLIO_PDF_INFO_MAX);
    int64_t seed = 1;
    if (yt_int(d, j, "job", "seed", false, 0, INT64_MAX, &seed) < 0)
        return false;
    job->seed = (uint64_t)seed;
    return true;
}

static bool read_statement(yt_doc *d, folio_job *job, const yt_node *root)
{
    const yt_node *s = yt_child(d, root, "", "statement", true);
    if (!s || !yt_expect_map(d, s, "statement")
        || !yt_check_keys(d, s, "statement", STATEMENT_KEYS))
        return false;
    if (yt_date(d, s, "statement", "date", true, &job->statement_date) < 0)
        return false;
    const yt_node *p = yt_child(d, s, "statement", "period", true);
    if (!p || !yt_expect_map(d, p, "statement.period")
        || !yt_check_keys(d, p, "statement.period", PERIOD_KEYS))
        return false;
    if (yt_date(d, p, "statement.period", "start", true, &job->period_start) < 0
        || yt_date(d, p, "statement.period", "end", true, &job->period_end) < 0)
        return false;
    if (job->period_end < job->period_start) {
        const yt_node *e = yt_get(p, "end"), *st = yt_get(p, "start");
        return yt_fail(d, e, "'statement.period.end' (%s) is before "
                       "'statement.period.start' (%s)", e->str, st->str);
    }
    return true;
}

static bool read_bank(yt_doc *d, folio_job *job, const yt_node *root)
{
    const yt_node *b = yt_child(d, root, "", "bank", true);
    if (!b || !yt_expect_map(d, b, "bank") || !yt_check_keys(d, b, "bank", BANK_KEYS))
        return false;
    if (yt_str(d, b, "bank", "name", true, &job->bank_name) < 0
        || yt_strv(d, b, "bank", "address", false, &job->bank_address,
                   &job->n_bank_address) < 0
        || yt_str(d, b, "bank", "phone", false, &job->bank_phone) < 0
        || yt_str(d, b, "bank", "website", false, &job->bank_website) < 0
        || read_currency(d, b, "bank", &job->currency) < 0)
        return false;
    if (strlen(job->bank_name) > FOLIO_PDF_INFO_MAX)   /* every PDF's Author */
        return yt_fail(d, yt_get(b, "name"), "'bank.name' is %zu bytes long: at most %d "
                       "(the PDF document-info string limit)", strlen(job->bank_name),
                       FOLIO_PDF_INFO_MAX);
    if (!job->currency && !(job->currency = dup_or_fail(d, "USD")))
        return false;
    return true;
}

/* The columns: map of one feed. */
static bool read_columns(yt_doc *d, folio_feed_def *f, const yt_node *cols,
                         const char *where)
{
    const char *allowed[FOLIO_F__COUNT + 1];
    int na = 0;
    for (int i = 0; i < N_FIELD_KEYS; i++)
        if (FIELD_KEYS[i].kind == f->kind)
            allowed[na++] = FIELD_KEYS[i].key;
    allowed[na] = NULL;
    if (!yt_expect_map(d, cols, where) || !yt_check_keys(d, cols, where, allowed))
        return false;
    for (int i = 0; i < N_FIELD_KEYS; i++) {
        if (FIELD_KEYS[i].kind != f->kind)
            continue;
        char *h = NULL;
        int r = yt_str(d, cols, where, FIELD_KEYS[i].key, false, &h);
        if (r < 0)
            return false;
        if (r == 1 && !*h) {
            char name[256];
            free(h);
            return yt_fail(d, yt_get(cols, FIELD_KEYS[i].key),
                           "'%s' must name a header column, got ''",
                           yt_name(name, sizeof name, where, FIELD_KEYS[i].key));
        }
        f->columns[FIELD_KEYS[i].field] = h;
    }
    return true;
}

/* Every column the kind (and sign rule) needs must be mapped. */
static bool check_required_columns(yt_doc *d, const folio_feed_def *f,
                                   const yt_node *cols, const char *where)
{
    folio_field need[8];
    int n = 0;
    switch (f->kind) {
    case FOLIO_FEED_CUSTOMERS: {
        need[n++] = FOLIO_F_CUSTOMER_ID;
        /* An export with no postal data at all (no name nor address column,
         * e.g. the PKDD'99 client.asc) is allowed: its customers have no
         * usable address, so every print household is an `undeliverable`
         * exception (holders_route), never a blank address block.  Map one
         * part of a postal address and the name and line 1 are required. */
        static const folio_field POSTAL[] = {
            FOLIO_F_FIRST_NAME, FOLIO_F_LAST_NAME, FOLIO_F_FULL_NAME, FOLIO_F_ADDRESS1,
            FOLIO_F_ADDRESS2, FOLIO_F_CITY, FOLIO_F_STATE, FOLIO_F_POSTAL_CODE};
        bool postal = false;
        for (size_t i = 0; i < sizeof POSTAL / sizeof *POSTAL; i++)
            postal = postal || f->columns[POSTAL[i]];
        if (!postal)
            break;
        need[n++] = FOLIO_F_ADDRESS1;
        if (!f->columns[FOLIO_F_LAST_NAME] && !f->columns[FOLIO_F_FULL_NAME])
            return yt_fail(d, cols, "feed '%s' (customers) must map 'last_name' "
                           "or 'full_name' in '%s'", f->name, where);
        break;
    }
    case FOLIO_FEED_ACCOUNTS:
        need[n++] = FOLIO_F_ACCOUNT_ID;   /* customer_id: see read_feeds (holders) */
        /* closing_balance: required unless a transactions feed maps
           balance_after (ledger_options_read checks it, all feeds read) */
        break;
    case FOLIO_FEED_HOLDERS:
        need[n++] = FOLIO_F_HOLDER_ACCOUNT_ID;
        need[n++] = FOLIO_F_HOLDER_CUSTOMER_ID;
        need[n++] = FOLIO_F_HOLDER_ROLE;
        break;
    case FOLIO_FEED_TRANSACTIONS:
        need[n++] = FOLIO_F_TXN_ACCOUNT_ID;
        need[n++] = FOLIO_F_TXN_DATE;
        if (f->sign == FOLIO_SIGN_SPLIT_COLUMNS) {
            need[n++] = FOLIO_F_DEBIT_AMOUNT;
            need[n++] = FOLIO_F_CREDIT_AMOUNT;
        } else {
            need[n++] = FOLIO_F_AMOUNT;
            if (f->sign == FOLIO_SIGN_FLAG_COLUMN)
                need[n++] = FOLIO_F_DEBIT_FLAG;
        }
        break;
    case FOLIO_FEED_CONTACTS:
        need[n++] = FOLIO_F_CONTACT_KEY;
        need[n++] = FOLIO_F_OFFER_ID;
        need[n++] = FOLIO_F_CONTACT_DATE;
        break;
    case FOLIO_FEED_CUSTOMER_ATTRS:    /* the key: attrs_read_feed */
    case FOLIO_FEED_ACCOUNT_ATTRS: break;
    case FOLIO_FEED_RESPONSES:         /* issue 15 part 4 */
        need[n++] = FOLIO_F_RESP_KEY;
        need[n++] = FOLIO_F_RESP_OFFER;
        need[n++] = FOLIO_F_RESP_DATE;
        break;
    case FOLIO_FEED_EVENTS:            /* issue 15 part 2 */
        need[n++] = FOLIO_F_EVENT_KEY;
        need[n++] = FOLIO_F_EVENT_TYPE;
        need[n++] = FOLIO_F_EVENT_DATE;
        break;
    }
    for (int i = 0; i < n; i++) {
        if (f->columns[need[i]])
            continue;
        const char *why = "";
        if (need[i] == FOLIO_F_DEBIT_AMOUNT || need[i] == FOLIO_F_CREDIT_AMOUNT)
            why = " (amounts.sign is split_columns)";
        else if (need[i] == FOLIO_F_DEBIT_FLAG)
            why = " (amounts.sign is flag_column)";
        return yt_fail(d, cols, "feed '%s' (%s) must map column '%s' in '%s'%s",
                       f->name, KIND_NAMES[f->kind - 1], job_field_key(need[i]),
                       where, why);
    }
    return true;
}

static bool read_dialect(yt_doc *d, const folio_job *job, folio_feed_def *f,
                         const yt_node *feed, const char *where)
{
    /* defaults */
    f->delimiter = ',';
    f->quote = '"';
    f->header = true;
    f->decimal = '.';
    f->minor_digits = 2;
    if (!(f->date_format = dup_or_fail(d, "YYYY-MM-DD")))
        return false;
    char dw[128];
    yt_name(dw, sizeof dw, where, "dialect");
    const yt_node *dl = yt_child(d, feed, where, "dialect", false);
    if (dl) {
        if (!yt_expect_map(d, dl, dw) || !yt_check_keys(d, dl, dw, DIALECT_KEYS))
            return false;
        int64_t md = 2;
        if (yt_char(d, dl, dw, "delimiter", false, ",;\t|", false, &f->delimiter) < 0
            || yt_char(d, dl, dw, "quote", false, NULL, true, &f->quote) < 0
            || yt_bool(d, dl, dw, "header", false, &f->header) < 0
            || yt_str(d, dl, dw, "date_format", false, &f->date_format) < 0
            || yt_char(d, dl, dw, "decimal", false, ".,", false, &f->decimal) < 0
            || yt_int(d, dl, dw, "minor_digits", false, 0, 4, &md) < 0
            || read_currency(d, dl, dw, &f->currency) < 0)
            return false;
        f->minor_digits = (int)md;
        char name[160];
        if (!f->header)
            return yt_fail(d, yt_get(dl, "header"), "'%s' must be true: columns "
                           "are mapped by header name",
                           yt_name(name, sizeof name, dw, "header"));
        if (f->quote && f->quote == f->delimiter)
            return yt_fail(d, yt_get(dl, "quote"), "'%s' is the same character "
                           "as the delimiter", yt_name(name, sizeof name, dw, "quote"));
        const char *p = f->date_format, *why = NULL;
        if (!folio_date_pattern_check(p, &why))
            return yt_fail(d, yt_get(dl, "date_format"), "'%s' is not a usable date format "
                           "('%s'): %s", yt_name(name, sizeof name, dw, "date_format"), p,
                           why);
        if (!numbers_dialect_read(d, dl, dw, f))
            return false;
    }
    if (!f->currency && !(f->currency = dup_or_fail(d, job->currency)))
        return false;
    /* issue 10 part 6: amounts are read in the currency's minor units */
    if (!(dl && yt_get(dl, "minor_digits")))
        f->minor_digits = currency_minor_digits(f->currency);
    f->statement_date = job->statement_date;
    return true;
}

static bool read_amounts(yt_doc *d, folio_feed_def *f, const yt_node *feed,
                         const char *where)
{
    char aw[128], name[160];
    yt_name(aw, sizeof aw, where, "amounts");
    const yt_node *am = yt_child(d, feed, where, "amounts", false);
    f->sign = FOLIO_SIGN_NEGATIVE_IS_DEBIT;
    if (!am)
        return true;
    if (f->kind != FOLIO_FEED_TRANSACTIONS)
        return yt_fail(d, am, "'%s' is only allowed in a transactions feed", aw);
    if (!yt_expect_map(d, am, aw) || !yt_check_keys(d, am, aw, AMOUNTS_KEYS))
        return false;
    int sign = 0;
    if (yt_enum(d, am, aw, "sign", false, SIGN_NAMES, &sign) < 0)
        return false;
    f->sign = (folio_sign_rule)sign;
    const yt_node *dv = yt_child(d, am, aw, "debit_values", false);
    const yt_node *cv = yt_child(d, am, aw, "credit_values", false);
    if (f->sign == FOLIO_SIGN_FLAG_COLUMN) {
        if (yt_strv(d, am, aw, "debit_values", true, &f->debit_values,
                    &f->n_debit_values) < 0)
            return false;
        if (f->n_debit_values == 0)
            return yt_fail(d, dv, "'%s' must list at least one value",
                           yt_name(name, sizeof name, aw, "debit_values"));
        /* issue 10 part 4: without the credit values every unknown flag
         * would post as a credit; both lists, and a flag in neither is a reject */
        if (!cv)
            return yt_fail(d, am, "missing required key 'credit_values' in '%s': with sign: "
                           "flag_column list the flag values meaning credit too (a row whose "
                           "flag is in neither list is rejected)", aw);
        if (yt_strv(d, am, aw, "credit_values", true, &f->credit_values,
                    &f->n_credit_values) < 0)
            return false;
        if (f->n_credit_values == 0)
            return yt_fail(d, cv, "'%s' must list at least one value",
                           yt_name(name, sizeof name, aw, "credit_values"));
        for (int i = 0; i < f->n_credit_values; i++)
            for (int k = 0; k < f->n_debit_values; k++)
                if (!strcasecmp(f->credit_values[i], f->debit_values[k]))
                    return yt_fail(d, cv->items[i], "'%s' lists '%s', which is also in "
                                   "'debit_values'",
                                   yt_name(name, sizeof name, aw, "credit_values"),
                                   f->credit_values[i]);
    } else if (dv || cv) {
        return yt_fail(d, dv ? dv : cv, "'%s' is only used with sign: flag_column",
                       yt_name(name, sizeof name, aw, dv ? "debit_values" : "credit_values"));
    }
    return true;
}

static bool read_feed(yt_doc *d, folio_job *job, folio_feed_def *f,
                      const yt_node *feed, const char *where)
{
    if (!yt_expect_map(d, feed, where) || !yt_check_keys(d, feed, where, FEED_KEYS))
        return false;
    f->line = feed->line;
    int kind = 0;
    if (yt_str(d, feed, where, "name", true, &f->name) < 0
        || yt_enum(d, feed, where, "kind", true, KIND_NAMES, &kind) < 0)
        return false;
    f->kind = (folio_feed_kind)(kind + 1);
    if (!*f->name)
        return yt_fail(d, yt_get(feed, "name"), "'%s.name' must not be empty", where);
    if (read_path(d, job, feed, where, "path", true, &f->path) < 0)
        return false;
    const yt_node *prod = yt_child(d, feed, where, "product", false);
    if (prod && f->kind != FOLIO_FEED_ACCOUNTS)
        return yt_fail(d, prod, "'%s.product' is only allowed in an accounts feed",
                       where);
    if (yt_str(d, feed, where, "product", false, &f->product) < 0)
        return false;
    if (!read_dialect(d, job, f, feed, where) || !read_amounts(d, f, feed, where)
        || !holders_feed_read(d, f, feed, where))
        return false;
    char cw[128];
    yt_name(cw, sizeof cw, where, "columns");
    const yt_node *cols = yt_child(d, feed, where, "columns", true);
    if (!cols || !read_columns(d, f, cols, cw)
        || !check_required_columns(d, f, cols, cw))
        return false;
    if (f->kind == FOLIO_FEED_ACCOUNTS && !f->columns[FOLIO_F_PRODUCT]
        && (!f->product || !*f->product))
        return yt_fail(d, feed, "feed '%s' (accounts) needs a 'product' column "
                       "in '%s' or a 'product:' code", f->name, cw);
    /* issue 10 part 4: a description template over several columns */
    f->codes = job->codes;
    const yt_node *dt = yt_get(feed, "description");
    if (dt) {
        char dw[160];
        yt_name(dw, sizeof dw, where, "description");
        if (f->kind != FOLIO_FEED_TRANSACTIONS)
            return yt_fail(d, dt, "'%s' is only allowed in a transactions feed", dw);
        if (f->columns[FOLIO_F_DESCRIPTION])
            return yt_fail(d, dt, "'%s' and '%s.description' both give the description: "
                           "keep one", dw, cw);
        if (!codes_template_read(d, job->codes, dt, dw, &f->description))
            return false;
    }
    return attrs_read_feed(d, job, (int)(f - job->feeds), feed, where);
}

static bool read_feeds(yt_doc *d, folio_job *job, const yt_node *root)
{
    const yt_node *fs = yt_child(d, root, "", "feeds", true);
    if (!fs || !yt_expect_seq(d, fs, "feeds"))
        return false;
    if (fs->n > 4096)
        return yt_fail(d, fs, "more than 4096 feeds");
    job->feeds = calloc((size_t)fs->n + 1, sizeof *job->feeds);
    if (!job->feeds) {
        folio_error_set(d->err, FOLIO_EXIT_FAILED, "%s: out of memory", d->path);
        return false;
    }
    /* identity of each feed file: the same file listed twice (also through
     * a symlink or a hard link) would load every row twice */
    struct file_id { dev_t dev; ino_t ino; bool known; } *ids =
        calloc((size_t)fs->n + 1, sizeof *ids);
    if (!ids) {
        folio_error_set(d->err, FOLIO_EXIT_FAILED, "%s: out of memory", d->path);
        return false;
    }
    int have[sizeof KIND_NAMES / sizeof *KIND_NAMES] = { 0 };   /* one per feed kind (+1) */
    bool ok = true;
    for (int i = 0; ok && i < fs->n; i++) {
        char where[32], key[48];
        snprintf(where, sizeof where, "feeds[%d]", i);
        snprintf(key, sizeof key, "feeds[%d].path", i);
        folio_feed_def *f = &job->feeds[i];
        job->n_feeds = i + 1;                  /* so job_free sees it */
        if (!read_feed(d, job, f, fs->items[i], where)) {
            ok = false;
            break;
        }
        for (int k = 0; k < i; k++)
            if (!strcmp(job->feeds[k].name, f->name)) {
                ok = yt_fail(d, yt_get(fs->items[i], "name"),
                             "duplicate feed name '%s' (first at line %d)",
                             f->name, job->feeds[k].line);
                break;
            }
        struct stat st;
        const yt_node *pn = yt_get(fs->items[i], "path");
        int r = ok ? yt_check_input(d, pn, key, f->path, &st) : -1;
        if (r < 0) {
            ok = false;
            break;
        }
        if (r == 1) {
            ids[i] = (struct file_id){ st.st_dev, st.st_ino, true };
            for (int k = 0; k < i && ok; k++)
                if (ids[k].known && ids[k].dev == st.st_dev && ids[k].ino == st.st_ino)
                    ok = yt_fail(d, pn, "'%s' is the same file as 'feeds[%d].path' "
                                 "(line %d): '%s' and '%s'; each feed file may be "
                                 "listed once", key, k, job->feeds[k].line,
                                 job->feeds[k].path, f->path);
        }
        have[f->kind]++;
    }
    free(ids);
    if (!ok || !attrs_job_finish(d, job))
        return false;
    /* an account's owner: its customer_id column, else a holders feed */
    job->has_holders = have[FOLIO_FEED_HOLDERS] > 0;
    for (int i = 0; i < job->n_feeds && !job->has_holders; i++)
        if (job->feeds[i].kind == FOLIO_FEED_ACCOUNTS && !job->feeds[i].columns[FOLIO_F_OWNER_ID])
            return yt_fail(d, yt_get(fs->items[i], "columns"), "feed '%s' (accounts) must map "
                           "column 'customer_id' in 'feeds[%d].columns' (or the job needs a "
                           "holders feed naming each account's owner)", job->feeds[i].name, i);
    d->rules = attrs_catalog(job->attrs);      /* output.channels rules see them */
    static const folio_feed_kind need[] = { FOLIO_FEED_CUSTOMERS,
                                            FOLIO_FEED_ACCOUNTS,
                                            FOLIO_FEED_TRANSACTIONS };
    for (int i = 0; i < 3; i++)
        if (!have[need[i]])
            return yt_fail(d, fs, "'feeds' needs at least one %s feed (kind: %s)",
                           KIND_NAMES[need[i] - 1], KIND_NAMES[need[i] - 1]);
    return true;
}

static bool read_output(yt_doc *d, folio_job *job, const yt_node *root)
{
    job->print_pdf = true;
    job->max_sheets_per_file = 2000;
    job->duplex = false;
    job->compression = 1;              /* issue 11: see docs/job-file.md */
    job->report = true;                 /* issue 16 part 5: output.report */
    if (!(job->file_prefix = dup_or_fail(d, "statements")))
        return false;
    const yt_node *o = yt_child(d, root, "", "output", false);
    if (o) {
        if (!yt_expect_map(d, o, "output")
            || !yt_check_keys(d, o, "output", OUTPUT_KEYS))
            return false;
        if (read_path(d, job, o, "output", "dir", false, &job->out_dir) < 0)
            return false;
        if (yt_bool(d, o, "output", "report", false, &job->report) < 0)   /* issue 16.5 */
            return false;
        const yt_node *p = yt_child(d, o, "output", "print", false);
        if (p) {
            if (!yt_expect_map(d, p, "output.print")
                || !yt_check_keys(d, p, "output.print", PRINT_KEYS))
                return false;
            int64_t ms = job->max_sheets_per_file, c = job->compression;
            if (yt_bool(d, p, "output.print", "pdf", false, &job->print_pdf) < 0
                || yt_bool(d, p, "output.print", "text", false, &job->print_text) < 0
                || yt_int(d, p, "output.print", "max_sheets", false, 1, 1000000, &ms) < 0
                || yt_bool(d, p, "output.print", "duplex", false, &job->duplex) < 0
                || yt_int(d, p, "output.print", "compression", false, 0, 9, &c) < 0
                || yt_str(d, p, "output.print", "prefix", false, &job->file_prefix) < 0)
                return false;
            job->max_sheets_per_file = (int)ms;
            job->compression = (int)c;
            const char *s = job->file_prefix;
            bool ok = *s != 0;
            for (; *s && ok; s++)
                ok = (*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z')
                     || (*s >= '0' && *s <= '9') || *s == '-' || *s == '_'
                     || *s == '.';
            if (!ok)
                return yt_fail(d, yt_get(p, "prefix"), "'output.print.prefix' "
                               "must be a file name prefix of letters, digits, "
                               "'-', '_' and '.', got '%s'", job->file_prefix);
            if (!afp_options_read(d, p, &job->afp))
                return false;
            if (!pdfvt_options_read(d, p, job->dir, job->print_pdf, &job->pdfvt))   /* issue 14 part 3 */
                return false;
            if (!job->print_pdf && !job->print_text && !(job->afp && job->afp->enabled))
                return yt_fail(d, yt_get(p, "pdf"), "'output.print.pdf' is false and no AFP "
                               "is enabled (output.print.afp): print statements (and e-mail "
                               "customers falling back to print) would have no print file");
        }
    }
    if (!production_options_read(d, o, &job->production))
        return false;
    if (!marks_options_read(d, o, job->production->mailer_id, &job->marks))
        return false;
    if (!proof_options_read(d, o, &job->proofs))
        return false;
    if (!archive_options_read(d, o, &job->archive, &job->channels))
        return false;
    if (!job->out_dir && !(job->out_dir = resolve_path(d, job->dir, "out")))
        return false;
    return true;
}

/* ---- public -------------------------------------------------------------- */

/* job_load: parse and validate the job file at `path` (see job.h). */
folio_job *job_load(const char *path, folio_error *err)
{
    folio_job *job = calloc(1, sizeof *job);
    if (!job) {
        folio_error_set(err, FOLIO_EXIT_FAILED, "%s: out of memory", path);
        return NULL;
    }
    job->path = strdup(path);
    const char *slash = strrchr(path, '/');
    if (!slash)
        job->dir = strdup(".");
    else if (slash == path)
        job->dir = strdup("/");
    else
        job->dir = strndup(path, (size_t)(slash - path));
    if (!job->path || !job->dir) {
        folio_error_set(err, FOLIO_EXIT_FAILED, "%s: out of memory", path);
        job_free(job);
        return NULL;
    }
    if (!strcmp(job->dir, "/")) {      /* "/" + "/" + x would double the slash */
        free(job->dir);
        job->dir = strdup("");
        if (!job->dir) {
            job_free(job);
            return NULL;
        }
    }
    yt_doc *d = yt_load(path, err);
    if (!d) {
        job_free(job);
        return NULL;
    }
    job->input = d->input;
    const yt_node *root = d->root;
    bool ok = yt_expect_map(d, root, "the job file")
              && yt_check_keys(d, root, "", TOP_KEYS)
              && read_job_section(d, job, root)
              && read_statement(d, job, root)
              && read_bank(d, job, root)
              && codes_options_read(d, root, &job->codes)
              && read_path(d, job, root, "", "layout", true, &job->layout_path) > 0
              && yt_check_input(d, yt_get(root, "layout"), "layout", job->layout_path,
                                NULL) >= 0
              && read_feeds(d, job, root)
              && codes_check_feeds(d, root, job)
              && ledger_options_read(d, root, job)        /* issue 10 part 3 */
              && read_output(d, job, root)
              && holders_job_read(d, root, job)
              && offers_options_read(d, root, job->dir, &job->offers)
              && products_read(d, root, &job->products)
              && frequency_read(d, root, job)             /* issue 15 part 1 */
              && stages_read(d, root, job);               /* issue 15 part 2 */
    yt_free(d);
    if (!ok) {
        if (!err->code)
            folio_error_set(err, FOLIO_EXIT_USAGE, "%s: invalid job file", path);
        job_free(job);
        return NULL;
    }
    return job;
}

/* job_free: free the job and everything it holds; NULL is fine. */
void job_free(folio_job *job)
{
    if (!job)
        return;
    for (int i = 0; i < job->n_feeds; i++) {
        folio_feed_def *f = &job->feeds[i];
        free(f->name);
        free(f->path);
        free(f->product);
        free(f->date_format);
        free(f->currency);
        free(f->encoding);
        yt_strv_free(f->debit_values, f->n_debit_values);
        holders_feed_free(f);
        yt_strv_free(f->credit_values, f->n_credit_values);
        codes_template_free(f->description);
        for (int c = 0; c < FOLIO_F__COUNT; c++)
            free(f->columns[c]);
    }
    free(job->feeds);
    free(job->path);
    free(job->dir);
    free(job->name);
    free(job->bank_name);
    yt_strv_free(job->bank_address, job->n_bank_address);
    free(job->bank_phone);
    free(job->bank_website);
    free(job->currency);
    free(job->layout_path);
    free(job->out_dir);
    free(job->file_prefix);
    production_options_free(job->production);
    marks_options_free(job->marks);
    afp_options_free(job->afp);
    pdfvt_options_free(job->pdfvt);          /* issue 14 part 3 */
    offers_options_free(job->offers);
    proof_options_free(job->proofs);
    archive_options_free(job->archive);
    channel_rules_free(job->channels);
    attrs_free(job->attrs);
    codes_free(job->codes);
    products_free(job->products);
    frequency_free(job->frequency);     /* issue 15 parts 1, 2 */
    stages_free(job->stages);
    free(job);
}
