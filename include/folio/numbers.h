/* SPDX-License-Identifier: Apache-2.0 */
/*
 * folio/numbers.h -- numbers and dates as banks export them (issue 10 part 5).
 *
 * A feed's dialect says how its amounts are written: the decimal mark, an
 * optional thousands separator (`group`: "." "," " " "'" or none; strict:
 * groups of exactly three digits, a misplaced separator is a reject), and
 * the negative forms it accepts besides a leading '-': a trailing '-'
 * (always), parentheses "(1.234,56)" (`parentheses: true`), a "CR"/"DR"
 * suffix (`cr_dr: true`: DR is negative).  Two-digit years ("YY") need an
 * explicit `century_pivot` (00..pivot-1 -> 20xx, pivot..99 -> 19xx).
 *
 * The library never prints; job-file problems go through yt_fail (exit 2).
 */
#ifndef FOLIO_NUMBERS_H
#define FOLIO_NUMBERS_H

#include "folio/common.h"
#include "folio/job.h"

/* Parse an amount of feed `def` (decimal, group, minor_digits, negative
 * forms).  Same contract as folio_money_parse: false with *why a static
 * reason ("misplaced thousands separator", "two signs", ...). */
bool numbers_money_parse(const folio_feed_def *def, const char *s, size_t n,
                         folio_money *out, const char **why);

/* The same with minor_digits decimals instead of the feed's (a `number`
 * attribute: 4); the feed's decimal mark, group and negative forms. */
bool numbers_amount_parse(const folio_feed_def *def, int minor_digits, const char *s,
                          size_t n, folio_money *out, const char **why);

/* Parse a date of feed `def`: its date_format and century_pivot. */
bool numbers_date_parse(const folio_feed_def *def, const char *s, size_t n,
                        folio_date *out);

/* True when the pattern has a two-digit year (YY that is not part of YYYY). */
bool numbers_pattern_has_yy(const char *pattern);

struct yt_doc;
struct yt_node;
/* Read the part-5 dialect keys (group, parentheses, cr_dr, encoding,
 * century_pivot) of map `dl` named `dw` into f, and check a YY date_format
 * has a century_pivot.  dl may be NULL (defaults).  False on a job error. */
bool numbers_dialect_read(struct yt_doc *d, const struct yt_node *dl, const char *dw,
                          folio_feed_def *f);

#endif
