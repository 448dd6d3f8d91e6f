/* SPDX-License-Identifier: Apache-2.0 */
/* frequency-cover.c -- do the transactions feeds reach back to a statement's
 * interval? (frequency-cover.h; round 21 hard-attack2) */
#include "frequency-cover.h"

#include "folio/compose.h"
#include "folio/exceptions.h"
#include "folio/feed.h"
#include "folio/household.h"
#include "folio/job.h"

#include <string.h>

static int month_of(folio_date d)
{
    int y, m, dd;
    folio_date_to_ymd(d, &y, &m, &dd);
    return y * 12 + (m - 1);
}

static const char *base_name(const char *path)
{
    const char *s = strrchr(path, '/');
    return s ? s + 1 : path;
}

bool frequency_cover_check(const folio_plan *p, folio_exceptions *x, folio_error *err)
{
    const folio_dataset *ds = p->ds;
    bool any = false;
    for (size_t h = 0; h < p->hs->n && !any; h++)
        any = p->households[h].own_period;
    if (!any)
        return true;
    /* the feeds' first row (earliest date, then feed and line) */
    const folio_txn *first = NULL;
    for (size_t i = 0; i < ds->n_txns; i++) {
        const folio_txn *t = &ds->txns[i];
        if (t->date == FOLIO_DATE_NONE)
            continue;
        if (!first || t->date < first->date ||
            (t->date == first->date &&
             (t->feed < first->feed || (t->feed == first->feed && t->line < first->line))))
            first = t;
    }
    if (!first)                         /* no rows at all: nothing is left out */
        return true;
    const folio_job *J = p->job;
    char f[16], s[16], e[16];
    folio_date_format(first->date, "YYYY-MM-DD", f, sizeof f);
    folio_date_format(J->period_end, "YYYY-MM-DD", e, sizeof e);
    const char *file = first->feed < J->n_feeds ? base_name(J->feeds[first->feed].path) : "";
    for (size_t h = 0; h < p->hs->n; h++) {
        const folio_household_plan *hp = &p->households[h];
        if (!hp->own_period || hp->channel == FOLIO_CHANNEL_SUPPRESSED ||
            month_of(hp->period_start) >= month_of(first->date))
            continue;
        folio_date_format(hp->period_start, "YYYY-MM-DD", s, sizeof s);
        if (!folio_exceptions_add(x, FOLIO_EXC_OTHER, p->hs->v[h].id, NULL, NULL, file,
                                  first->line, false, 0, 0, "sent",
                                  "statement interval %s to %s (frequency) begins before the "
                                  "transactions feeds (first row %s): its rows and opening "
                                  "balance before %s are not shown", s, e, f, f)) {
            folio_error_set(err, FOLIO_EXIT_FAILED, "out of memory listing exceptions");
            return false;
        }
    }
    return true;
}
