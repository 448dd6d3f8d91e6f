/* SPDX-License-Identifier: Apache-2.0 */
/*
 * frequency-cover.h -- round 21 hard-attack2: a statement extended to its
 * frequency's interval (frequency.c) prints the rows of that interval from
 * the transactions feeds and takes its opening balance from them.  When the
 * feeds begin after the interval's first month (a monthly feed only), the
 * statement says "08/01 to 10/31" over October's rows with October's
 * opening balance; each such household is an exception (exceptions.csv,
 * kind other, exit 3) naming the interval and the feeds' first row.
 * Round 22 (r-journey): per account, against the transactions feeds that
 * carry rows of its accounts feed, for the print, archive (split) and
 * account-own intervals, from the account's opened_date.
 */
#ifndef FOLIO_FREQUENCY_COVER_H
#define FOLIO_FREQUENCY_COVER_H

#include "folio/common.h"

#include <stdbool.h>

struct folio_plan;
struct folio_exceptions;

/* After frequency_apply: an exception for every household one of whose
 * statements shows an account from a month before the month of the first
 * row of the transactions feeds that carry that account's kind of rows.
 * false with err only on out of memory. */
bool frequency_cover_check(const struct folio_plan *p, struct folio_exceptions *x,
                           folio_error *err);

#endif
