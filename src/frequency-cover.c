/* SPDX-License-Identifier: Apache-2.0 */
/* frequency-cover.c -- do the transactions feeds reach back to a statement's
 * interval? (frequency-cover.h; round 21 hard-attack2) */
#include "frequency-cover.h"

#include "folio/compose.h"
#include "folio/exceptions.h"
#include "folio/feed.h"
#include "folio/household.h"
#include "folio/job.h"

#include <stdlib.h>
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

/* the earlier of two rows (date, then feed, then line); NULL = none */
static const folio_txn *earlier(const folio_txn *a, const folio_txn *b)
{
    if (!a)
        return b;
    if (!b)
        return a;
    if (b->date < a->date ||
        (b->date == a->date && (b->feed < a->feed || (b->feed == a->feed && b->line < a->line))))
        return b;
    return a;
}

/* round 22 (r-journey): where the rows of an account can begin.  Each
 * accounts feed's rows come from some transactions feeds (one per product,
 * or one per month...); its cover is the earliest first row among the
 * transactions feeds that carry rows of its accounts, so one product's
 * short feed is seen even when another product's feed reaches back (the
 * earliest row of all feeds hid it), and an account quiet in the first
 * month of month-split feeds is not taken for a short feed.  An accounts
 * feed without rows: the earliest row of all. */
static bool feed_covers(const folio_dataset *ds, size_t nf, const folio_txn **cover,
                        const folio_txn **first_all)
{
    const folio_txn **tfirst = calloc(nf ? nf : 1, sizeof *tfirst);
    unsigned char *carries = calloc(nf ? nf * nf : 1, 1);
    if (!tfirst || !carries) {
        free(tfirst);
        free(carries);
        return false;
    }
    *first_all = NULL;
    for (size_t i = 0; i < ds->n_txns; i++) {
        const folio_txn *t = &ds->txns[i];
        if (t->date == FOLIO_DATE_NONE || t->feed >= nf || t->account >= ds->n_accounts)
            continue;
        tfirst[t->feed] = earlier(tfirst[t->feed], t);
        *first_all = earlier(*first_all, t);
        uint16_t af = ds->accounts[t->account].feed;
        if (af < nf)
            carries[af * nf + t->feed] = 1;
    }
    for (size_t a = 0; a < nf; a++) {
        cover[a] = NULL;
        for (size_t t = 0; t < nf; t++)
            if (carries[a * nf + t])
                cover[a] = earlier(cover[a], tfirst[t]);
    }
    free(tfirst);
    free(carries);
    return true;
}

bool frequency_cover_check(const folio_plan *p, folio_exceptions *x, folio_error *err)
{
    const folio_dataset *ds = p->ds;
    const folio_job *J = p->job;
    bool any = false;
    for (size_t h = 0; h < p->hs->n && !any; h++)
        any = p->households[h].own_period || p->households[h].split;
    for (size_t a = 0; a < ds->n_accounts && !any; a++)
        any = p->accounts[a].own_start != 0;
    if (!any)
        return true;
    size_t nf = J->n_feeds;
    const folio_txn **cover = calloc(nf ? nf : 1, sizeof *cover), *first_all = NULL;
    if (!cover || !feed_covers(ds, nf, cover, &first_all)) {
        free(cover);
        folio_error_set(err, FOLIO_EXIT_FAILED, "out of memory checking the statement intervals");
        return false;
    }
    bool ok = true;
    char f[16], s[16], e[16];
    folio_date_format(J->period_end, "YYYY-MM-DD", e, sizeof e);
    for (size_t h = 0; ok && first_all && h < p->hs->n; h++) {
        const folio_household_plan *hp = &p->households[h];
        if (hp->channel == FOLIO_CHANNEL_SUPPRESSED)
            continue;
        folio_date hs_start = hp->own_period ? hp->period_start : J->period_start;
        const folio_household *hh = &p->hs->v[h];
        for (uint32_t k = 0; k < hh->n_accounts; k++) {
            uint32_t ai = p->hs->account_idx[hh->first_account + k];
            const folio_account_plan *ap = &p->accounts[ai];
            const folio_account *a = &ds->accounts[ai];
            if (ap->suppressed)
                continue;
            /* the earliest day a statement of this household shows for it:
             * its own interval's start, the print statement's, the archive
             * document's (split) -- from the day the account was opened */
            folio_date start = ap->own_start ? ap->own_start : hs_start;
            if (hp->split && hp->arch_start < start)
                start = hp->arch_start;
            folio_date need = start;
            if (a->opened_date != FOLIO_DATE_NONE && a->opened_date > need)
                need = a->opened_date;
            const folio_txn *c = a->feed < nf && cover[a->feed] ? cover[a->feed] : first_all;
            if (start >= J->period_start || month_of(need) >= month_of(c->date))
                continue;
            folio_date_format(c->date, "YYYY-MM-DD", f, sizeof f);
            folio_date_format(start, "YYYY-MM-DD", s, sizeof s);
            const char *file = c->feed < nf ? base_name(J->feeds[c->feed].path) : "";
            if (!folio_exceptions_add(x, FOLIO_EXC_OTHER, hh->id, NULL, NULL, file,
                                      c->line, false, 0, 0, "sent",
                                      "statement interval %s to %s (frequency) begins before the "
                                      "transactions feeds (first row %s): its rows and opening "
                                      "balance before %s are not shown", s, e, f, f)) {
                folio_error_set(err, FOLIO_EXIT_FAILED, "out of memory listing exceptions");
                ok = false;
            }
            break;                    /* one exception a household */
        }
    }
    free(cover);
    return ok;
}
