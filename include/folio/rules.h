/* SPDX-License-Identifier: Apache-2.0 */
/*
 * folio/rules.h -- the rules language: one small expression language used by
 * offer eligibility, layout variations and channel / mail-stream rules.
 *
 *   age >= 55 and state in ("CA", "NY") and holds("checking")
 *   not any(accounts where product == "credit_card" and days_since(opened_date) < 90)
 *   count(transactions where description contains "FOREIGN TRANSACTION FEE") >= 3
 *   sum(balance where product in ("savings", "checking")) > 25000
 *   card.utilization > 0.8
 *
 * docs/rules.md is the reference (types, operators, functions, fields).
 *
 * Order of calls:
 *   rules_compile()      once, when the job (offers, layout) is loaded: parses
 *                        and type-checks the text against a field catalogue.
 *                        An unknown field or function, a type error or a
 *                        syntax error fails with FOLIO_EXIT_USAGE and the
 *                        message "FILE:LINE:COL: reason" followed by the
 *                        expression's line and a caret under the column.
 *   rules_eval*()        per household, as often as needed: no allocation, no
 *                        parsing, bounded C stack (nesting is capped at compile
 *                        time).
 *   rules_free().
 *
 * Values.  Four types: bool, number, string, date.  A number is an exact
 * fixed-point decimal: int64 in units of 1/10000 (FOLIO_RULE_SCALE), so 0.8 is
 * 8000 and $12.34 is 123400; money never passes through a float.  A quotient
 * is rounded down to 4 decimals and flagged `inexact`; a comparison between an
 * inexact value and an exact one is still exact (0.80001 > 0.8 holds).  A
 * value may be `absent` (an empty birth date, the minimum of nothing): every
 * comparison with an absent operand is false.
 *
 * Threads: a compiled rule is immutable; any number of threads may evaluate
 * it at once, each with its own context.  Getters must be thread-safe.
 */
#ifndef FOLIO_RULES_H
#define FOLIO_RULES_H

#include "folio/common.h"
#include "folio/feed.h"
#include "folio/household.h"
#include "folio/job.h"

#define FOLIO_RULE_SCALE 10000          /* 1.0 as a rule number */
#define FOLIO_RULE_MAX_TEXT 16384       /* longest rule text, bytes */
#define FOLIO_RULE_MAX_NODES 4096       /* largest compiled rule */
#define FOLIO_RULE_MAX_DEPTH 48         /* deepest nesting of sub-expressions */

typedef enum folio_rule_type {
    FOLIO_RT_NONE = 0,     /* rules_compile: accept any result type */
    FOLIO_RT_BOOL,
    FOLIO_RT_NUMBER,
    FOLIO_RT_STRING,
    FOLIO_RT_DATE
} folio_rule_type;

/* What a field describes.  Fields of a customer are visible at the top level
 * (they mean the primary customer), inside `customers where` (that customer)
 * and inside `accounts/transactions where` (the account's owner). */
typedef enum folio_rule_scope {
    FOLIO_RS_HOUSEHOLD = 0,   /* index passed to the getter: household index */
    FOLIO_RS_CUSTOMER,        /* index into ds->customers */
    FOLIO_RS_ACCOUNT,         /* index into ds->accounts */
    FOLIO_RS_TXN,             /* index into ds->txns */
    FOLIO_RS_EVENT            /* issue 15 part 2: index into ds->events (folio/events.h) */
} folio_rule_scope;

/* One value.  The type is known from the expression, not stored here. */
typedef struct folio_rule_value {
    int64_t num;          /* NUMBER: units of 1/FOLIO_RULE_SCALE; DATE: folio_date;
                           * BOOL: 0 or 1 */
    const char *str;      /* STRING: bytes, not necessarily NUL-terminated;
                           * must stay valid for the evaluation */
    uint32_t len;         /* STRING: length in bytes */
    bool absent;          /* the value is unknown */
    bool inexact;         /* NUMBER: rounded down, the true value is a little
                           * greater than num */
    /* issue 10 part 6: NUMBER from money: its ISO 4217 code (NULL for a plain
     * number).  Sums, min/max and arithmetic over money of two currencies
     * are unknown, never a figure that adds EUR to USD (rules-eval.c). */
    const char *ccy;
} folio_rule_value;

/* The evaluation context: one household of one run.  Filled by the caller,
 * read-only during evaluation.  Zero unused fields; later modules add values
 * through `user` and their own catalogue fields. */
typedef struct folio_rule_ctx {
    const folio_dataset *ds;
    const folio_households *hs;
    const folio_job *job;         /* optional: gives each account feed's minor
                                   * digits; NULL = 2 decimals everywhere */
    uint32_t hh;                  /* household index into hs->v */
    folio_date today;             /* statement date: age, days_since(), ... */
    folio_date period_start, period_end;
    const char *channel;          /* "print", "email", ...; NULL reads as "" */
    const void *user;             /* for the getters of caller fields */
} folio_rule_ctx;

struct folio_rule_field;

/* Read field f of record `index` (see folio_rule_scope) into *out, which
 * arrives zeroed.  Must not allocate and must be thread-safe. */
typedef void (*folio_rule_getter)(const folio_rule_ctx *ctx,
                                  const struct folio_rule_field *f,
                                  uint32_t index, folio_rule_value *out);

typedef struct folio_rule_field {
    const char *name;             /* e.g. "age", "card.utilization", "offer.shown_count" */
    folio_rule_scope scope;
    folio_rule_type type;
    folio_rule_getter get;
    const void *user;             /* free for the getter */
    const char *doc;              /* one line for documentation */
} folio_rule_field;

/* A field catalogue: an array of fields and the catalogue searched after it.
 * A module that adds fields chains its own in front of the default one:
 *   static const folio_rule_field mine[] = {{"channel.rank", ...}};
 *   folio_rule_catalog cat = {mine, 1, rules_catalog_default()};
 * The first field with a matching name (in the right scope) wins. */
typedef struct folio_rule_catalog {
    const folio_rule_field *fields;
    size_t n;
    const struct folio_rule_catalog *next;
} folio_rule_catalog;

/* The built-in household, customer, account and transaction fields
 * (docs/rules.md lists them).  Static; never freed. */
const folio_rule_catalog *rules_catalog_default(void);

/* Where the expression text sits in its file, for messages. */
typedef struct folio_rule_source {
    const char *file;             /* e.g. "offers.yaml"; NULL = "<rule>" */
    int line, col;                /* 1-based position of text[0]; 0 = 1 */
    int cont_col;                 /* column where continuation lines of a
                                   * multi-line text start (YAML block scalar
                                   * indent + 1); 0 = 1 */
} folio_rule_source;

typedef struct folio_rule folio_rule;

/* Compile `text` (len bytes; (size_t)-1 = NUL-terminated) against catalogue
 * `cat` (NULL = rules_catalog_default()).  want: the result type the caller
 * needs (FOLIO_RT_BOOL for eligibility), FOLIO_RT_NONE for any.  Returns the
 * rule, or NULL with err set (FOLIO_EXIT_USAGE for a bad rule, FOLIO_EXIT_FAILED
 * for out of memory).  The rule keeps its own copy of the text and of the
 * catalogue pointer: `cat` and its fields must outlive the rule. */
folio_rule *rules_compile(const char *text, size_t len, const folio_rule_catalog *cat,
                          folio_rule_type want, const folio_rule_source *src,
                          folio_error *err);
void rules_free(folio_rule *rule);

/* The type of the rule's result. */
folio_rule_type rules_result_type(const folio_rule *rule);
/* The rule's text as compiled (NUL-terminated). */
const char *rules_text(const folio_rule *rule);

/* Evaluate for household ctx->hh (ctx->ds and ctx->hs must be set).  Never
 * allocates.  *out gets the result. */
void rules_eval(const folio_rule *rule, const folio_rule_ctx *ctx, folio_rule_value *out);
/* Evaluate a bool rule: true when the result is true (absent counts false). */
bool rules_eval_bool(const folio_rule *rule, const folio_rule_ctx *ctx);

/* Why a bool rule came out false. */
typedef struct folio_rule_explain {
    bool result;
    uint32_t failed_off, failed_len;  /* the first false clause of the top-level
                                       * `and` chain (the whole rule when it is
                                       * not an `and`), as a byte span of
                                       * rules_text(); len 0 when result is true */
    char detail[160];                 /* value of the clause's left side, e.g.
                                       * "age = 42"; "" when not a comparison */
} folio_rule_explain;

/* Evaluate a bool rule and say which clause failed.  Never allocates; costs
 * one evaluation (clauses are evaluated in order, stopping at the first false
 * one) plus, for the detail, the failing clause's left side once more.
 * Returns ex->result. */
bool rules_eval_explain(const folio_rule *rule, const folio_rule_ctx *ctx,
                        folio_rule_explain *ex);

/* Format a value of type `t` for messages and the audit log ("42", "0.8",
 * "2026-10-31", "\"CA\"", "true", "unknown").  Locale-independent, no
 * allocation; returns the length written (NUL-terminated, truncated to cap). */
size_t rules_value_format(folio_rule_type t, const folio_rule_value *v, char *buf,
                          size_t cap);

/* Money of a given number of decimals (cents: 2) as a rule number. */
int64_t rules_number_from_money(folio_money m, int minor_digits, bool *inexact);

#endif
