/* SPDX-License-Identifier: Apache-2.0 */
/*
 * porder.h -- issue 12 part 1 (round 24): a spilled run's tables laid out in
 * the order the run reads them (porder.c).
 *
 * Compose and the record loops visit households in household order (ids,
 * bytewise: households.h), which is a random permutation of the order the
 * feeds were loaded in; in a spilled run (tables in mapped work files whose
 * pages are dropped above the high-water mark, tabspill.h) nearly every
 * household's rows were on pages dropped since the loop was last near them.
 * porder_layout, called once householding and the plan are known (the
 * plan's loops over every account in index order read the load's layout
 * sequentially; its ranges are moved by the caller):
 *
 *   - rewrites the transaction table, one pass, account by account in
 *     household order (each household's accounts in its own order, then the
 *     accounts of no household in index order), into a new work-file table,
 *     and sets every account's first_txn; the transaction attribute rows
 *     (attr_vals, attr_codes) move with their rows; the old table is
 *     released.  An account's rows stay in their order, so every reader that
 *     indexes [first_txn, +n_txn) sees the same rows;
 *   - copies the texts a household's statement reads -- its customers'
 *     (ids, names, address, e-mail, segment), its accounts' (ids, product
 *     name) and its transactions' descriptions (mostly distinct in the
 *     samples: 111,053 of 200,000 rows) -- into the work-file string region
 *     in the same order, next to each other; codes shared by many rows
 *     (language, product, currency; interned per load chunk, so spread over
 *     every chunk's strings) go into one compact heap pool instead.  A full
 *     region or pool keeps the rest where they are (the same text).
 *
 *   - round 25: renumbers the customers and accounts in the same order
 *     (the households' customers and accounts as householding lists them,
 *     the first listing of a shared account wins, then those of no
 *     household in index order) and writes their tables, the holders' rows
 *     (sorted by the new account index, then feed and line, as before) and
 *     the customer and account attribute rows and roles in that order; every
 *     index into them (transactions' account, accounts' owner, holders,
 *     hs->customer_idx/account_idx) is renumbered.  The loops that went in
 *     household order and read these rows by index at random (records, the
 *     control totals, the plan's rows) now read them in order.
 *
 * Nothing printed changes: the strings keep their bytes, and no output
 * depends on the index order (exceptions are sorted by content, households
 * by id, accounts inside by product and id).  In-memory runs are left
 * alone.
 */
#ifndef FOLIO_PORDER_H
#define FOLIO_PORDER_H

#include "folio/feed.h"
#include "folio/household.h"

#define PORDER_INTERN_MAX ((size_t)64 << 20)

typedef struct porder_stats {
    uint64_t txns_moved;        /* rows written to the new table */
    uint64_t accounts_in_order; /* accounts placed in household order */
    uint64_t strings_interned;  /* distinct texts in the compact pool */
    uint64_t strings_bytes;
    uint64_t strings_copied;    /* bytes of texts copied in household order */
    uint64_t renumbered;        /* customers + accounts renumbered (round 25) */
    /* round 29: reads of the old work files */
    uint64_t ahead_reads;       /* extents read ahead (a batch's texts that lie together) */
    uint64_t ahead_texts;       /* texts found in them */
    uint64_t block_reads;       /* 16 KiB blocks read for the other texts */
    uint64_t customer_reads;    /* reads of customer rows (runs of adjacent ones) */
} porder_stats;

/* Lay ds out in household order (above), renumbering its customers and
 * accounts (round 25) and hs's indices into them.  Call it right after
 * householding, before anything else keeps an index into ds (events, the
 * plan, offers).  ds must be spilled (its pool has work files); otherwise
 * returns true and does nothing.  false + err only on a failure to read or
 * write a work file or out of memory: the dataset may then be half laid
 * out, and the run must stop (it fails, exit 1).  With threads != 1 (0: all
 * cores) the
 * customers' rows are written in a second thread beside the accounts'. */
bool porder_layout(folio_dataset *ds, folio_households *hs, int threads, porder_stats *st,
                   folio_error *err);

#endif
