/* SPDX-License-Identifier: Apache-2.0 */
/*
 * folio/attrs.h -- attributes: any column of any feed, typed, by name
 * (issue 10 part 1; docs/job-file.md "Attributes").
 *
 * The job declares them under a feed:
 *
 *   attributes:
 *     risk_band: {column: RISK, type: code, values: [low, mid, high]}
 *     rewards_points: {column: POINTS, type: number}
 *
 * A customers (or customer_attributes) feed gives customer attributes, an
 * accounts (or account_attributes) feed account attributes, a transactions
 * feed transaction attributes.  Values are checked at load like built-in
 * fields (a bad value rejects the row, naming the column and why); an empty
 * cell is unknown (`required: true` makes it a reject).  Rows of an
 * attribute feed are joined to their customer / account by id: an unknown id
 * or the same id twice in one feed is a reject.
 *
 * Storage: one array of 8-byte values per record kind, ds->attr_vals[kind],
 * record-major (value of attribute slot s of record i at [i * width + s]);
 * strings live in the dataset's pool.  A transaction code list (issue 10
 * audit) is a 2-byte index into its list, ds->attr_codes (attrs_compact).
 * Nothing is stored for a job without attributes.
 *
 * Reached by name everywhere a built-in field is: rules (customer.NAME,
 * account.NAME, transaction.NAME: attrs_catalog()), layout merge fields
 * ({customer.NAME}, {account.NAME}) and table columns (field: account.NAME in
 * the summary, transaction.NAME or account.NAME in the transaction table).
 */
#ifndef FOLIO_ATTRS_H
#define FOLIO_ATTRS_H

#include "folio/common.h"

struct folio_code_list;
struct folio_codes;

typedef enum folio_attr_type {
    FOLIO_AT_STRING = 0, FOLIO_AT_NUMBER, FOLIO_AT_MONEY, FOLIO_AT_DATE,
    FOLIO_AT_BOOL, FOLIO_AT_CODE
} folio_attr_type;

/* The record kind an attribute describes. */
typedef enum folio_attr_rec {
    FOLIO_AR_CUSTOMER = 0, FOLIO_AR_ACCOUNT, FOLIO_AR_TXN, FOLIO_AR__COUNT
} folio_attr_rec;

#define FOLIO_ATTR_MAX 1024            /* attributes in one job */
#define FOLIO_ATTR_ABSENT INT64_MIN    /* numeric value of an unknown cell */

typedef struct folio_attr_def {
    char *name;                   /* e.g. "risk_band" */
    char *qname;                  /* "customer.risk_band" (rules, merge fields) */
    char *column;                 /* header name in the feed */
    folio_attr_type type;
    folio_attr_rec rec;
    int feed;                     /* index of the feed in the job */
    int slot;                     /* index among the attributes of `rec` */
    int minor_digits;             /* money: the feed's */
    bool required;                /* an empty cell is a reject */
    char **values;                /* code: the allowed values */
    int n_values;
    int line, col;                /* in the job file */
    /* issue 10 (gaps): a code list reachable as a field.  For every list of
     * the job's codes: an attribute transaction.<list> (account.<list> for
     * an accounts feed its `feeds:` names) is made per feed it applies to,
     * all sharing one slot; its value is the list's code (a pointer to the
     * job's string), shown decoded in the statement's language. */
    const struct folio_code_list *code_list;   /* NULL: a declared attribute */
    const struct folio_codes *codes;
} folio_attr_def;

/* One value: num for number (rule units, 1/10000), money (minor units), date
 * (folio_date), bool (0/1); FOLIO_ATTR_ABSENT when unknown.  str for string
 * and code, NULL when unknown. */
typedef union folio_attr_val {
    int64_t num;
    const char *str;
} folio_attr_val;

struct folio_rule_field;
struct folio_rule_catalog;
struct folio_dataset;

/* The job's attributes (job->attrs; NULL when none). */
typedef struct folio_attrs {
    folio_attr_def *v;            /* grouped by feed, in job order */
    int n;
    int width[FOLIO_AR__COUNT];   /* attributes per record kind */
    int code_width;               /* issue 10 audit: transaction code lists
                                   * (attrs_compact: ds->attr_codes) */
    struct folio_rule_field *fields;       /* one per attribute */
    struct folio_rule_catalog *catalog;    /* fields, then the default ones */
} folio_attrs;

const char *attrs_type_name(folio_attr_type t);

/* Find an attribute by qualified name ("customer.risk_band", n bytes);
 * NULL when attrs is NULL or there is none. */
const folio_attr_def *attrs_find(const folio_attrs *attrs, const char *qname, size_t n);

/* issue 10 audit: a transaction code list's attribute, stored as a 2-byte
 * index (ds->attr_codes) instead of an 8-byte value. */
static inline bool attrs_compact(const folio_attr_def *a)
{
    return a->code_list && a->rec == FOLIO_AR_TXN;
}

/* True when the dataset holds values of attribute a (false: unknown). */
bool attrs_loaded(const struct folio_dataset *ds, const folio_attr_def *a);

/* The value of attribute a of record `index` of its kind. */
folio_attr_val attrs_value(const struct folio_dataset *ds, const folio_attr_def *a,
                           uint32_t index);

/* How merge fields and table cells show values (the layout's formats). */
typedef struct folio_attr_fmt {
    const char *date_format;
    char money_decimal, money_group;
    const char *currency_symbol;  /* before money values; NULL = none */
    const char *language;         /* issue 10 (gaps): the statement's, for code
                                   * lists' texts; NULL = the first language */
} folio_attr_fmt;

/* Text of value v of attribute a: *s points at it (into buf or the pool),
 * returns its length; "" when unknown. */
size_t attrs_format(const folio_attr_def *a, folio_attr_val v, const folio_attr_fmt *fmt,
                    char *buf, size_t cap, const char **s);

/* issue 10 part 6 (audit): a money attribute's value of record `rec` as the
 * statement prints money: the account's currency (account and transaction
 * attributes; a customer attribute: its feed's currency, else the job's),
 * styled by the layout's currencies (currency_format, with the symbol).
 * "" when unknown.  Returns the length written to buf. */
struct folio_job;
struct folio_layout;
size_t attrs_money_text(const struct folio_job *job, const struct folio_dataset *ds,
                        const struct folio_layout *L, const folio_attr_def *a, uint32_t rec,
                        char *buf, size_t cap);

/* The rules catalogue with the attributes (rules_catalog_default() when
 * attrs is NULL). */
const struct folio_rule_catalog *attrs_catalog(const folio_attrs *attrs);

#endif
