/* SPDX-License-Identifier: Apache-2.0 */
/*
 * folio/frequency.h -- statement frequency per channel (issue 15 part 1;
 * docs/job-file.md "Statement frequency").
 *
 * The job's `frequency:` gives each channel (print, email) a default
 * frequency -- monthly, quarterly, semi_annual, annual -- and optionally a
 * customer attribute (type code) holding the customer's own.  A run decides
 * per household and channel whether a statement is due (frequency_apply):
 *
 *   with a statement history (an events row of type "statement" whose
 *   channel is the channel, dated before the period): due when at least N
 *   months (1, 3, 6, 12) lie between that statement's month and the
 *   period's last month; the statement then covers the day after it to the
 *   period end;
 *   without one: due when the period ends in a month that is a multiple of
 *   N (quarters end in March, June, September, December; half years in June
 *   and December; years in December); it covers N months ending with the
 *   period (the period start moved back N - 1 months).
 *
 * A household with no channel due is suppressed with the reason "not due:
 * ..." (suppressed.csv, reconciled like every suppressed household) and
 * listed in OUT/not_due.csv; a household routed to both with one channel
 * due goes to that channel only (listed too).  A due statement covering
 * more than the period gets its accounts re-planned from the interval
 * start: the rows from that date on are printed and the opening balance is
 * the balance on that date (the period's opening less the rows between).
 *
 * r-chan: a household on both channels whose print and e-mail statements
 * are due with different intervals gets two statements (the plan is the
 * print one's; frequency_archive_view gives the archive document's).  An
 * account attribute (`account_attribute`) gives an account its own
 * frequency: the channel is due when any account is, a due account covers
 * its own interval (account plan own_start), an account not due is left
 * out (suppressed with the reason, listed in not_due.csv).  not_due.csv
 * is written with the records, for the shard's households only.
 */
#ifndef FOLIO_FREQUENCY_H
#define FOLIO_FREQUENCY_H

#include "folio/common.h"

struct folio_job;
struct folio_plan;
struct yt_doc;
struct yt_node;

typedef struct folio_frequency folio_frequency;

/* Read `frequency:` (after the feeds, so attributes are known). */
bool frequency_read(struct yt_doc *d, const struct yt_node *root, struct folio_job *job);
void frequency_free(folio_frequency *f);

/* What frequency_apply decided, for the manifest. */
typedef struct folio_frequency_counts {
    uint64_t households_not_due;      /* no channel due: suppressed */
    uint64_t print_not_due, email_not_due;   /* channels dropped, whole or part */
    uint64_t extended;                /* due statements covering more than the period */
    uint64_t history_rows;            /* rows of statement_history.csv */
    uint64_t split;                   /* r-chan: print and archive due with different
                                       * intervals or accounts: two statements */
    uint64_t accounts_not_due;        /* r-chan: accounts left out (account-level) */
    struct folio_not_due *nd;         /* the rows of not_due.csv (frequency.c) */
} folio_frequency_counts;

typedef struct folio_not_due folio_not_due;

/* Decide due / not due for every household of plan (after compose_plan_new
 * and events_bind) and re-plan the accounts of extended statements; the
 * not-due rows are kept in counts for frequency_write_not_due.  No-op when
 * the job has no frequency:.  false with err on out of memory or a sum that
 * overflows. */
bool frequency_apply(struct folio_plan *plan, folio_frequency_counts *counts,
                     folio_error *err);

/* OUT/not_due.csv (r-chan): the rows of the households of the shard
 * (in_shard NULL = all); fills *counts (but history_rows) for them, so a
 * shard lists and counts only its own households and `folio merge` adds
 * them up. */
bool frequency_write_not_due(const struct folio_plan *plan, const uint8_t *in_shard,
                             const char *path, folio_frequency_counts *counts, folio_error *err);
void frequency_counts_free(folio_frequency_counts *counts);

/* OUT/statement_history.csv: `key,type,date,channel`, one row per statement
 * this run sent (household id, "statement", the period end, print or email)
 * -- an events feed for the next run, whose frequency then counts from it.
 * issue 11: written on the record ring (records.c, after the header line);
 * these are the rows of household h; date: the period end, YYYY-MM-DD.
 * *rows += the rows added. */
void frequency_history_rows(const struct folio_plan *plan, size_t h, const char *date,
                            struct folio_buf *b, uint64_t *rows);

/* r-chan: per-channel statements.  A household routed to both whose print
 * and e-mail statements are due with different intervals (e.g. e-mail
 * monthly, paper quarterly at a quarter end) gets two statements: the plan
 * is the print statement's (hp->split, hp->arch_start); the archive
 * document is composed from *out, a view of the plan whose accounts and
 * statement start are the archive's own interval (opening balance on
 * arch_start, the rows from it).  *out = NULL when no household is split.
 * Free with frequency_view_free (the view shares everything else).  Call
 * it after every routing decision (it also re-plans a split household
 * left with e-mail only, e.g. by an undeliverable address, for e-mail). */
bool frequency_archive_view(struct folio_plan *plan, struct folio_plan **out,
                            folio_error *err);
void frequency_view_free(struct folio_plan *view);
/* The first day of household h's statement in plan (or view). */
folio_date frequency_statement_start(const struct folio_plan *plan, size_t h);
/* For the reconciliation of split households (in_shard NULL = all): rows
 * the view prints (*planned), rows the view accounts for printed or outside
 * its interval (*view_rows) and the same for the print plan (*base_rows). */
void frequency_split_rows(const struct folio_plan *base, const struct folio_plan *view,
                          const uint8_t *in_shard, uint64_t *planned, uint64_t *view_rows,
                          uint64_t *base_rows);

#endif
