/* SPDX-License-Identifier: Apache-2.0 */
/*
 * folio/feed.h -- loading the job's feeds into typed record tables.
 *
 * feed_load_all() reads every feed of a job with libcsv, in parallel over files
 * and, for a large file, over chunks of it (split at record boundaries found by
 * a quote-aware scan, so quoted fields holding newlines stay whole).  Rows are
 * validated and typed (money in minor units, civil dates, UTF-8 checked).  A row
 * that fails goes to the reject list with file, line, column and reason and the
 * raw row text; the run goes on.  After all files are read, references are
 * resolved: an account whose customer is unknown, a transaction whose account
 * is unknown, and a duplicate id (the second and later occurrences) are rejects
 * too.  Record order in the tables is deterministic (feed order in the job, then
 * line order), whatever the number of threads.
 *
 * Transactions are finally sorted by (account index, date, input order) so
 * each account's transactions are one contiguous range [first_txn, +n_txn).
 *
 * Lifetime: the dataset owns every string (one pool); feed_dataset_free().
 */
#ifndef FOLIO_FEED_H
#define FOLIO_FEED_H

#include "folio/common.h"
#include "folio/job.h"
#include "folio/exceptions.h"
#include "folio/holders.h"

typedef enum folio_delivery {
    FOLIO_DELIVERY_PRINT = 0,
    FOLIO_DELIVERY_EMAIL,
    FOLIO_DELIVERY_BOTH,
    FOLIO_DELIVERY_NONE
} folio_delivery;

typedef struct folio_customer {
    const char *id;
    const char *household_id;     /* "" when absent: derive from the address */
    const char *first_name, *last_name;   /* last_name holds the full name if only full_name mapped */
    const char *address1, *address2, *city, *state, *postal_code, *country;
    const char *language;         /* lower-case ISO 639-1, default "en" */
    const char *email, *segment;
    folio_date birth_date, customer_since;   /* FOLIO_DATE_NONE if absent */
    uint8_t delivery;             /* folio_delivery; default print */
    bool marketing_consent;       /* default true */
    uint16_t feed;                /* index of the feed in the job */
    uint32_t line;                /* line of the record's first line */
} folio_customer;

typedef struct folio_account {
    const char *id;
    const char *owner_id;
    uint32_t owner;               /* index into customers (resolved) */
    const char *product;          /* product code, e.g. "checking" */
    const char *product_name;     /* "" when absent */
    const char *currency;
    folio_money opening_balance;  /* 0 when absent (has_opening false): compose
                                   * derives it from closing and the net of the
                                   * transactions, by the product's balance kind
                                   * (asset/liability), which lives in the layout */
    folio_money closing_balance;
    folio_money credit_limit, minimum_due;   /* 0 when absent */
    int32_t rate_milli_pct;       /* interest rate in 1/1000 percent (4.25% = 4250) */
    folio_date due_date, opened_date;
    bool has_opening;             /* opening_balance came from the feed */
    uint16_t feed;
    uint32_t line;
    uint32_t first_txn, n_txn;    /* range in the sorted transactions */
    /* issue 10 part 3: ledger (folio/ledger.h) */
    bool no_closing;              /* closing_balance unknown (column unmapped or
                                   * empty) and not derived from the ledger */
    uint8_t ledger_derived;       /* FOLIO_LEDGER_* bits */
    uint32_t rows_off;            /* period rows whose balance_after does not hold */
} folio_account;

/* issue 12 part 1: fields ordered by size, no padding: 48 bytes (56
 * before); the table is the largest one a run holds (~68 rows a household
 * in the samples).  test_feed checks the size. */
typedef struct folio_txn {
    uint32_t account;             /* index into accounts */
    folio_date date;
    folio_money amount;           /* signed: credit > 0, debit < 0 (holder's view) */
    const char *description;      /* desc_langs > 1: one text per language of
                                   * job->codes, packed (folio/codes.h) */
    /* issue 10 part 3: ledger (folio/ledger.h) */
    folio_money balance_after;    /* the bank's balance after the row (FOLIO_TXN_HAS_BALANCE) */
    int64_t seq;                  /* order_by value (FOLIO_TXN_HAS_SEQ) */
    uint32_t line;
    uint16_t feed;
    uint8_t desc_langs;           /* issue 10 part 4: 0 = a plain string */
    uint8_t ledger;               /* FOLIO_TXN_* bits */
} folio_txn;

typedef struct folio_contact {
    const char *key;              /* household or customer id */
    const char *offer_id;
    folio_date date;
    /* issue 15 parts 3/4: the variant shown ("" none or unmapped) and
     * whether the row records a held-out household (channel "holdout"):
     * such a row is no contact for caps, only the control group of uplift */
    const char *variant;
    bool holdout;
} folio_contact;

/* issue 15 part 4: one row of a responses feed (uplift.h). */
typedef struct folio_response {
    const char *key;              /* household or customer id */
    const char *offer_id;
    const char *variant;          /* "" = not given */
    const char *outcome;          /* "" = not given */
    folio_date date;
    uint16_t feed;                /* index into job->feeds */
    uint32_t line;                /* physical line of the row */
} folio_response;

typedef struct folio_reject {
    uint16_t feed;                /* index into job->feeds */
    uint32_t line;                /* physical line where the record starts */
    const char *column;           /* header name, or "" for the whole row */
    const char *reason;
    const char *raw;              /* the raw record text as read */
} folio_reject;

/* Per-feed statistics for the manifest and the reconciliation. */
typedef struct folio_feed_stats {
    uint64_t bytes;
    char sha256[65];
    uint64_t records;             /* data records read (header excluded) */
    uint64_t accepted, rejected;
    folio_money amount_read;      /* transactions: sum of every amount that parsed,
                                     set by feed_resolve (file order)
                                     (a row that would make it overflow is rejected,
                                     "amount sum overflows", and not counted) */
    folio_money amount_rejected;  /* ... of those, the ones rejected later */
    bool amount_overflow;         /* amount_rejected is not representable: the run
                                     must fail (a control total cannot be printed) */
} folio_feed_stats;

typedef struct folio_dataset {
    folio_customer *customers; size_t n_customers;
    folio_account *accounts;   size_t n_accounts;
    folio_txn *txns;           size_t n_txns;
    folio_contact *contacts;   size_t n_contacts;
    folio_holder *holders;     size_t n_holders;   /* issue 10 part 2: holders feeds'
                                                      rows, sorted by (account, feed,
                                                      line) after resolve (holders.h) */
    uint8_t *customer_role;    /* per customer: the strongest folio_role held (owner >
                                  joint > authorised user > disponent), set by resolve;
                                  read with feed_customer_role() */
    folio_reject *rejects;     size_t n_rejects;   /* sorted by (feed, line) */
    folio_response *responses; size_t n_responses; /* issue 15 part 4, feed order */
    /* issue 15 part 2: events feeds' rows (folio/events.h); by household after
     * events_bind: event_idx[event_first[h] .. event_first[h + 1]) in date order */
    struct folio_event *events; size_t n_events;
    uint32_t *event_idx, *event_first;
    folio_feed_stats *stats;   /* one per job feed */
    int n_feeds;
    folio_exceptions exceptions; /* cases for OUT/exceptions.csv found at load and
                                   later (folio/exceptions.h); freed with the dataset */
    struct feed_pool *pool;    /* owns all strings */
    /* issue 10 part 1: attribute values (folio/attrs.h), per record kind
     * (customer, account, transaction): record i's slot s at
     * [i * attr_width[k] + s]; NULL when the kind has none */
    union folio_attr_val *attr_vals[3];
    int attr_width[3];
    /* issue 10 audit: the code lists of transactions (transaction.<list>),
     * 2 bytes per row and list: the value's index in its list, record i's
     * list slot s at [i * attr_code_width + s]; 0xFFFF = none (attrs.c) */
    uint16_t *attr_codes;
    int attr_code_width;
} folio_dataset;

/* Load every feed of the job with up to `threads` threads (0 = all cores).
 * Returns NULL only on a failure that stops the run (file cannot be opened,
 * header lacks a mapped column, out of memory): err says which.  Bad rows
 * never fail the load. */
folio_dataset *feed_load_all(const folio_job *job, int threads, folio_error *err);

/* The same, calling progress(ctx, records parsed, bytes parsed, bytes of all
 * feeds) after every chunk, from one thread at a time (the caller decides
 * how often to print). */
typedef void (*folio_load_progress_fn)(void *ctx, uint64_t records, uint64_t bytes,
                                       uint64_t bytes_total);
folio_dataset *feed_load_all_progress(const folio_job *job, int threads,
                                      folio_load_progress_fn progress, void *ctx,
                                      folio_error *err);
void feed_dataset_free(folio_dataset *ds);
/* issue 12 part 1: the same load with the transaction table growing in a
 * work file in work_dir and the customer, account, holder and contact
 * tables moved there after resolve, mapped and their resident pages
 * trimmed (src/tabspill.h): the same dataset, in less memory.  NULL
 * work_dir: feed_load_all_progress.  feed_spilled_bytes: the most bytes of
 * tables the work files held at once (0: none). */
folio_dataset *feed_load_all_work(const folio_job *job, int threads,
                                  folio_load_progress_fn progress, void *ctx,
                                  const char *work_dir, folio_error *err);
uint64_t feed_spilled_bytes(const folio_dataset *ds);

/* issue 11: a feed truncated while it is loaded.  Feeds are mapped; reading
 * past the end of a file truncated after the map raises SIGBUS.  The library
 * installs no signal handler: a program's SIGBUS handler (SA_SIGINFO) calls
 * this with si_addr.  True: the address was in a feed being loaded, the
 * rest of its mapping now reads as zeros and the load fails, naming the
 * file ("changed while it was being read"); return from the handler.  False:
 * not a feed's, the handler must not return into the faulting access
 * (restore SIG_DFL and return: it faults again and ends the process).
 * Async-signal-safe.  Without such a handler a truncated feed ends the
 * process with SIGBUS.  folio's: src/cli-process.c. */
bool feed_sigbus_fault(const void *addr);

/* Customer i's strongest role (FOLIO_ROLE_NONE when it holds nothing). */
static inline int feed_customer_role(const folio_dataset *ds, size_t i)
{
    return ds->customer_role && i < ds->n_customers ? ds->customer_role[i] : FOLIO_ROLE_NONE;
}

/* Write rejects as CSV: file,line,column,reason,raw (header row first), to a
 * new file at path (it must not exist: folio_write_file_excl). */
bool feed_write_rejects(const folio_dataset *ds, const folio_job *job,
                        const char *path, folio_error *err);

/* Lower-level, used by tests and feed_load_all: load one feed from memory.
 * `data` is the whole file content.  Results are appended to ds (customers,
 * accounts, txns or contacts depending on def->kind; rejects).  References
 * between feeds are not resolved here. */
bool feed_load_buffer(folio_dataset *ds, int feed_index,
                      const folio_feed_def *def, const char *data, size_t len,
                      int threads, folio_error *err);
/* Resolve references (owner ids, account ids), reject orphans and duplicate
 * ids, sort transactions and rejects.  Missing opening balances are NOT
 * derived here (see folio_account.opening_balance).  Call once, after every
 * feed_load_buffer(). */
bool feed_resolve(folio_dataset *ds, folio_error *err);
folio_dataset *feed_dataset_new(int n_feeds);

#endif
