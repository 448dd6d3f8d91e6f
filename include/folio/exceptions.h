/* SPDX-License-Identifier: Apache-2.0 */
/*
 * folio/exceptions.h -- cases an operator must look at: OUT/exceptions.csv.
 *
 * A reject (rejects.csv) is an input row folio could not read.  An exception
 * is a case folio read exactly but that a person must decide on or know
 * about before the mailing goes out: the bank's own ledger does not add up,
 * a household is larger than the job allows, same-day rows were reordered
 * from the bank's balances, a print household has no usable address.  Every
 * exception says what folio did about it (its `action`: suppressed, printed,
 * returned, reordered, ...), so nothing is ever a quiet default.
 *
 * The list is filled during the run (load, householding, planning) and
 * written once, at the end, as OUT/exceptions.csv:
 *
 *   kind,household,customer,account,file,line,amount,action,detail
 *
 * sorted by (household, account, customer, kind, file, line, detail) so the
 * file is the same at any thread count, whatever order cases were found in.
 * `amount` is a signed decimal (minor units / 10^minor_digits) or empty.
 * The manifest counts each kind (counts.exceptions.KIND) and the run exits 3
 * when the file has a row (see README, "Exit status").
 *
 * Not thread-safe: add from one thread at a time (collect per household in
 * parallel stages and add afterwards, or hold a lock).
 */
#ifndef FOLIO_EXCEPTIONS_H
#define FOLIO_EXCEPTIONS_H

#include "folio/common.h"

typedef enum folio_exception_kind {
    FOLIO_EXC_LEDGER_DIFFERENCE = 0, /* bank's closing != opening + sum of amounts */
    FOLIO_EXC_LEDGER_ROW,            /* a row's running balance != the bank's balance column */
    FOLIO_EXC_REORDERED_DAY,         /* same-day rows put in posting order from the balances */
    FOLIO_EXC_AMBIGUOUS_ORDER,       /* the balances allow several orders: file order kept */
    FOLIO_EXC_OVERSIZE_HOUSEHOLD,    /* more customers than the job's household limit */
    FOLIO_EXC_UNDELIVERABLE,         /* print household without a usable address */
    FOLIO_EXC_NAMES_TRUNCATED,       /* issue 10 gaps: more customers than the address
                                      * block shows names (addressee.h) */
    FOLIO_EXC_OTHER,                 /* anything else a stage wants an operator to see */
    FOLIO_EXC__COUNT
} folio_exception_kind;

/* "ledger_difference", "ledger_row", "reordered_day", "ambiguous_order",
 * "oversize_household", "undeliverable", "other". */
const char *folio_exception_kind_name(folio_exception_kind k);

typedef struct folio_exception {
    folio_exception_kind kind;
    char *household, *customer, *account;   /* ids, "" when not applicable */
    char *file;                 /* input file (display name), "" when none */
    uint32_t line;              /* its line, 0 when none */
    bool has_amount;
    folio_money amount;         /* e.g. the ledger difference */
    int minor_digits;           /* of amount */
    char *action;               /* what folio did: "suppressed", "printed", ... */
    char *detail;               /* one line, for a person */
} folio_exception;

typedef struct folio_exceptions {
    folio_exception *v;
    size_t n, cap;
    uint64_t count[FOLIO_EXC__COUNT];
    bool failed;                /* out of memory while adding: the run must fail */
} folio_exceptions;

void folio_exceptions_init(folio_exceptions *x);
void folio_exceptions_free(folio_exceptions *x);

/* Add one case.  household/customer/account/file may be NULL (written
 * empty); amount is used when has_amount.  Returns false (and sets
 * x->failed) on out of memory. */
bool folio_exceptions_add(folio_exceptions *x, folio_exception_kind kind,
                          const char *household, const char *customer,
                          const char *account, const char *file, uint32_t line,
                          bool has_amount, folio_money amount, int minor_digits,
                          const char *action, const char *detail_fmt, ...)
    __attribute__((format(printf, 12, 13)));

/* Move every case of `from` to the end of `into` (from is left empty). */
bool folio_exceptions_take(folio_exceptions *into, folio_exceptions *from);

/* Sort into the file's order (see above). */
void folio_exceptions_sort(folio_exceptions *x);

/* Write the CSV (header row first, sorted) to a new file at path (it must
 * not exist: folio_write_file_excl).  Cells are written with
 * folio_buf_put_csv_field (formula-safe). */
bool folio_exceptions_write(folio_exceptions *x, const char *path, folio_error *err);

#endif
