/* SPDX-License-Identifier: Apache-2.0 */
/* Unit tests: a feed definition with the job loader's defaults (comma,
 * quoted, header, ISO dates, decimal point, 2 minor digits, USD, signed
 * amounts), for tests that build feeds without a job file. */
#ifndef FOLIO_TEST_FEED_DEFS_H
#define FOLIO_TEST_FEED_DEFS_H

#include "folio/job.h"

#include <string.h>

static inline folio_feed_def mkdef(folio_feed_kind kind, const char *path)
{
    folio_feed_def d;
    memset(&d, 0, sizeof d);
    d.name = (char *)path;
    d.path = (char *)path;
    d.kind = kind;
    d.delimiter = ',';
    d.quote = '"';
    d.header = true;
    d.date_format = (char *)"YYYY-MM-DD";
    d.decimal = '.';
    d.minor_digits = 2;
    d.currency = (char *)"USD";
    d.sign = FOLIO_SIGN_NEGATIVE_IS_DEBIT;
    return d;
}

#endif
