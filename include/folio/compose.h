/* SPDX-License-Identifier: Apache-2.0 */
/*
 * folio/compose.h -- one household + the layout -> a display-list statement.
 *
 * Order of calls:
 *   compose_plan_new()      once, after loading and grouping: decides per
 *                           account what is printed (transactions inside the
 *                           statement period, opening balance derived when the
 *                           feed has none) and what is suppressed and why
 *                           (transactions outside the period, an account whose
 *                           opening + transactions != closing, a household whose
 *                           delivery preference is "none").
 *   compose_household()     per household, from any thread, with that
 *                           thread's arena; pure function of its inputs, so
 *                           composing twice gives the same pages.
 *   compose_plan_free()
 *
 * Pagination: the body flows from body.first_page_top (page 1) or body.top to
 * body.bottom.  Summary first, then one section per account in the household's
 * account order; a transaction table breaks between rows, never inside one: the
 * broken page gets the "continued on next page" mark, the next page repeats the
 * section title (table.continued) and the column header.  Page numbers
 * ("Page x of y") are drawn after the body, when y is known.  The space left
 * under the body on each page is recorded as a free rectangle.
 */
#ifndef FOLIO_COMPOSE_H
#define FOLIO_COMPOSE_H

#include "folio/dlist.h"
#include "folio/feed.h"
#include "folio/household.h"
#include "folio/job.h"
#include "folio/layout.h"
#include "folio/offers.h"

typedef enum folio_channel {
    FOLIO_CHANNEL_PRINT = 0,
    FOLIO_CHANNEL_EMAIL,
    FOLIO_CHANNEL_BOTH,
    FOLIO_CHANNEL_SUPPRESSED
} folio_channel;

typedef struct folio_account_plan {
    folio_money opening, closing;     /* as printed */
    folio_money debits, credits;      /* sums of the printed rows, both >= 0 */
    uint32_t first, n;                /* printed transactions: ds->txns[first..first+n) */
    uint32_t n_outside;               /* transactions outside the period (suppressed) */
    folio_money outside_sum;
    int product;                      /* index into layout->products, -1 if not listed */
    bool suppressed;                  /* the whole account is suppressed */
    const char *reason;               /* why (static or plan-owned string) */
    /* issue 10 part 3: ledger (folio/ledger.h) */
    bool ledger_off;                  /* the bank's figures do not add up */
    bool bank_figures;                /* printed as the bank's (ledger.policy print) */
    folio_money ledger_diff;          /* closing - (opening + period amounts) */
    /* issue 15 part 1 (r-chan): account-level frequency (frequency.h) */
    folio_date own_start;             /* its own interval's start, 0 = the statement's */
    bool not_due;                     /* suppressed: its own frequency is not due */
} folio_account_plan;

typedef struct folio_household_plan {
    uint8_t channel;                  /* folio_channel */
    const char *reason;               /* when suppressed */
    const char *note;                 /* why the channel differs from the
                                       * preference (e-mail fallback, a
                                       * channel rule), NULL when it does not */
    uint32_t n_accounts_printed;
    bool returned;                    /* undeliverable: printed addressed to the bank
                                       * in the stream "return" (holders.h) */
    /* issue 15 part 1: a due statement covering more than the job's period
     * (its frequency's interval, folio/frequency.h) starts here */
    bool own_period;
    folio_date period_start;          /* when own_period */
    /* issue 15 part 1 (r-chan): both channels due with different intervals:
     * this plan is the print statement's, the archive document covers its
     * own interval from arch_start (frequency_archive_view, frequency.h) */
    bool split;
    folio_date arch_start;
} folio_household_plan;

typedef struct folio_plan {
    const folio_job *job;
    const folio_layout *layout;
    const folio_dataset *ds;
    const folio_households *hs;
    folio_account_plan *accounts;     /* one per ds->accounts */
    folio_household_plan *households; /* one per hs->v */
    folio_arena reasons;              /* storage for formatted reasons */
    const folio_offers *offers;       /* NULL = no offers; set by the caller after
                                       * compose_plan_new (offers.h) */
    bool skip_decisions;              /* set by the caller when it has kept the
                                       * audit and keys of every household (pass 2):
                                       * offers are chosen the same, not explained */
    /* issue 15 part 1 (r-chan): set on the archive documents' view of the
     * plan (frequency_archive_view): accounts[] and households[] are the
     * view's own copies, freed with frequency_view_free */
    bool is_view;
} folio_plan;

folio_plan *compose_plan_new(const folio_job *job, const folio_layout *layout,
                             const folio_dataset *ds, const folio_households *hs,
                             folio_error *err);
void compose_plan_free(folio_plan *plan);

/* What composing one household put on paper, for the reconciliation. */
typedef struct folio_compose_result {
    uint32_t pages;
    uint32_t accounts;                /* account sections composed */
    uint64_t txns;                    /* transaction rows composed */
    folio_money txn_sum;              /* signed sum of the amounts of those rows */
    /* What was decided while composing, for the audit log and the proof
     * sample.  Both are NUL-terminated strings in the statement's arena
     * (valid until it is reset; copy them to keep them), never NULL:
     *   audit: JSON object members without braces, e.g.
     *          "language":"es","offers":[...]  ("" when none)
     *   keys:  coverage keys "kind:value", one per line, each once, e.g.
     *          "language:es\npages:3\ntable:continued\n" -- every variation
     *          a proof reviewer must see at least once. */
    const char *audit;
    const char *keys;
    /* Offers shown or held out, in slot order (offers.h); pages above never
     * counts an offer-only back side. */
    folio_offer_shown offers[FOLIO_OFFERS_MAX_PICKS];
    uint8_t n_offers;
    bool offer_back_page;             /* st has one more page than `pages`: an
                                       * offer on the back of the last sheet */
    uint8_t language;                 /* index into layout->languages */
    bool fallback;                    /* some text was in the fallback language */
    /* Characters drawn as the font's .notdef glyph (an empty box): code
     * points the style's font has no glyph for (CJK or Arabic in a Latin
     * font, emoji, C0 controls, U+FEFF).  The first one, and where it was:
     * a static or arena string such as "{customer.name}", "description". */
    uint32_t notdef;
    uint32_t notdef_cp;
    const char *notdef_field;
    /* Texts wider than their layout box (a placed text's width or the page
     * margins, the body width for titles): drawn smaller (shrunk, down to
     * the minimum size) or, still too wide, cut with an ellipsis (clipped).
     * Counted per text drawn; the field of the first of each (static). */
    uint32_t text_shrunk, text_clipped;
    const char *shrunk_field, *clipped_field;
} folio_compose_result;

/* Compose household hh.  The statement lives in `arena` (reset it between
 * households).  Returns NULL with err on failure (out of memory). */
folio_dl_statement *compose_household(const folio_plan *plan, size_t hh,
                                      folio_arena *arena, folio_compose_result *res,
                                      folio_error *err);

/* The addressee line(s): joint names on one line when they fit `width` units
 * in font/size, else one line per customer.  Writes up to max_lines lines
 * (arena strings) into lines[]; returns the count.  Issue 10 gaps: more
 * customers than max_lines are packed several to a line ("Ana, Luis & Eva
 * Pérez", "Ana Pérez & Luis Gómez") while a line fits `width`; *named
 * (may be NULL) is how many customers the lines name -- fewer than the
 * household's is an exception (addressee.h). */
int compose_addressee(const folio_plan *plan, size_t hh, const folio_font *font,
                      int32_t size, int32_t width, const char **lines,
                      int max_lines, folio_arena *arena, uint32_t *named);

#endif
