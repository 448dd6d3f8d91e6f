/* SPDX-License-Identifier: Apache-2.0 */
/*
 * folio/ledger.h -- balances and posting order from the bank's own ledger
 * (issue 10 part 3).
 *
 * A transactions feed may map the bank's running balance after each row
 * (`columns: {balance_after: BALANCE}`) and a posting sequence
 * (`columns: {order_by: SEQ}`, a whole number).  Then:
 *
 *   ledger_prepare()   once, after feed_load_all() (and before households and
 *                      the plan): puts each account-day's rows in posting
 *                      order and completes the account's balances from the
 *                      ledger.
 *       Order:  by order_by (then file order) where every row of the day has
 *               one; else, where every row of the day has a balance_after, the
 *               order is reconstructed from the balances: each row's balance
 *               is the balance before it plus its amount (minus, for a
 *               liability product of the layout), starting from the previous
 *               day's last balance.  Of all orders of the day's rows, the one
 *               with the most rows that hold is taken when it is the only one
 *               (rows of equal amount and balance are interchangeable and keep
 *               file order); when several orders tie, file order is kept and
 *               the day is marked ambiguous.  A day of more than
 *               LEDGER_EXACT_MAX rows is taken only as a chain forced at every
 *               step.  Marks: FOLIO_TXN_REORDERED / FOLIO_TXN_AMBIGUOUS.
 *       Balances (accounts whose every transaction has a balance_after):
 *               opening, when the accounts feed has none: the balance after
 *               the last row before the period, else the first later row's
 *               balance minus its amount; closing, when none: the balance
 *               after the last period row, else the opening.  Both are
 *               written into the account (has_opening set, no_closing
 *               cleared, ledger_derived says which came from here).  Each
 *               period row is checked: the bank's balance before it plus its
 *               amount must be its balance (the first row starts from the
 *               opening); rows that fail are counted (rows_off).
 *   ledger_plan_account()  from compose_plan_new, per account: the opening
 *               printed, and what the job's `ledger.policy` does when the
 *               bank's figures do not add up (closing != opening + amounts,
 *               or a row that does not hold): suppress (the account is
 *               suppressed with a reason), print (the bank's figures are
 *               printed as they are: every row's balance_after, its closing)
 *               or fail (the run fails, exit 1, naming the account's
 *               file:line).  An account whose closing is unknown (no column
 *               or an empty cell, and no ledger) is suppressed.
 *   ledger_report()    after the plan: adds to ds->exceptions one
 *               ledger_difference per account that does not add up (amount:
 *               closing - (opening + amounts), the sum of its rows'
 *               differences when the balances come from the ledger), one
 *               ledger_row per period row that does not hold (amount: the
 *               bank's balance minus the balance before plus the amount),
 *               one reordered_day / ambiguous_order per account and period
 *               day; fills the counts the manifest prints (ledger_manifest).
 *
 * Nothing here prints or exits; errors go through folio_error.
 */
#ifndef FOLIO_LEDGER_H
#define FOLIO_LEDGER_H

#include "folio/common.h"
#include "folio/job.h"
#include "folio/feed.h"

struct folio_layout;
struct folio_plan;
struct folio_households;

typedef enum folio_ledger_policy {
    FOLIO_LEDGER_SUPPRESS = 0,   /* default: today's behaviour */
    FOLIO_LEDGER_PRINT,
    FOLIO_LEDGER_FAIL
} folio_ledger_policy;

/* the bank's figures of one day are reconstructed exactly up to this many
 * rows (2^n * n^2 steps); larger days only as a forced chain */
#define LEDGER_EXACT_MAX 12

/* folio_txn.ledger bits */
#define FOLIO_TXN_HAS_BALANCE 0x01u  /* balance_after is the bank's */
#define FOLIO_TXN_HAS_SEQ     0x02u  /* seq is the order_by value */
#define FOLIO_TXN_REORDERED   0x04u  /* its day was put in the balances' order */
#define FOLIO_TXN_AMBIGUOUS   0x08u  /* its day's balances allow several orders */
/* folio_account.ledger_derived bits */
#define FOLIO_LEDGER_OPENING  0x01u  /* opening_balance derived from the ledger */
#define FOLIO_LEDGER_CLOSING  0x02u  /* closing_balance derived from the ledger */
#define FOLIO_LEDGER_ACCOUNT  0x04u  /* every transaction carries a balance_after */

/* What the ledger did, for the manifest (counts.ledger). */
typedef struct folio_ledger_counts {
    uint64_t accounts;          /* accounts whose balances come from the ledger */
    uint64_t rows_checked;      /* period rows checked against balance_after */
    uint64_t rows_off;          /* ... of those, rows that do not hold */
    uint64_t rows_reordered;    /* period rows moved from file order by the balances */
    uint64_t days_reordered, days_ambiguous;   /* period account-days */
    uint64_t suppressed, printed;              /* accounts that do not add up, by policy */
    uint64_t no_closing;        /* accounts suppressed: closing balance unknown */
} folio_ledger_counts;

/* Read the job's `ledger:` section ({policy: suppress|print|fail}) into
 * job->ledger_policy and check that every accounts feed without a
 * closing_balance column has a transactions feed mapping balance_after.
 * `d` and `root` are the job's yamltree document and root (yamltree.h);
 * returns false with the document's error set. */
struct yt_doc;
struct yt_node;
bool ledger_options_read(struct yt_doc *d, const struct yt_node *root, folio_job *job);

/* Order and balances from the ledger (see above).  `layout` gives each
 * product's balance kind.  Returns false only on out of memory. */
bool ledger_prepare(folio_dataset *ds, const folio_job *job,
                    const struct folio_layout *layout, folio_error *err);

/* Plan account i (ds index): set plan->accounts[i].opening and, when the
 * bank's figures do not add up, apply the job's policy.  `derived` is the
 * closing minus the period's net (the opening the amounts imply), `net` the
 * signed sum of the period's amounts (holder's view).  Returns false with
 * err (FOLIO_EXIT_FAILED) under policy fail or out of memory. */
bool ledger_plan_account(struct folio_plan *plan, size_t i, folio_money derived,
                         folio_money net, folio_error *err);

/* Add the ledger's exceptions to ds->exceptions and fill *counts (see
 * above).  Returns false on out of memory. */
bool ledger_report(const struct folio_plan *plan, folio_dataset *ds,
                   folio_ledger_counts *counts, folio_error *err);

/* Append `"ledger":{...},` (counts.ledger of the manifest) to b. */
void ledger_manifest(const folio_ledger_counts *counts, folio_buf *b);

#endif
