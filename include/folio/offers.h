/* SPDX-License-Identifier: Apache-2.0 */
/*
 * folio/offers.h -- the offer catalogue and the white-space filler.
 *
 * The catalogue (layouts/offers.yaml, docs/offers.md) lists offers: what each
 * sells, marketing or service, a priority, an eligibility rule (rules.h), a
 * date window, channels, the sizes it renders at, text per language, A/B
 * variants with shares, a holdout share, a frequency cap ("at most N in M
 * months", counted in the contact-history feed) and a quiet period after a
 * product was opened.
 *
 * Order of calls:
 *   offers_options_read()  from job_load: the job's `offers:` section.
 *   offers_load()          once, after the layout is loaded: parses the
 *                          catalogue, compiles every rule, checks that every
 *                          text of every offer fits every size it declares
 *                          (with the layout's white-space styles).  Errors are
 *                          FOLIO_EXIT_USAGE, "offers.yaml:LINE:COL: ...".
 *   offers_bind()          once, after feeds are loaded: indexes the contact
 *                          history by household / customer id and sets up
 *                          the per-household memo of candidates, so a second
 *                          compose of a household (without audit) does not
 *                          evaluate the rules again.
 *   offers_fill()          per statement, from any thread (compose calls it
 *                          after the statement's own content and its headers
 *                          and footers are drawn): chooses and draws offers
 *                          into the free rectangles.  Pure function of its
 *                          inputs: composing twice gives the same pages.
 *   offers_free().
 *
 * Selection (per statement):
 *   1. Every offer, in priority order (priority descending, then id), is
 *      considered: date window, channel, consent (marketing only), quiet
 *      period, frequency cap, rule.  The first check that fails is the
 *      offer's result; an offer that passes is a candidate.
 *   2. Free rectangles, in this order: layout slots (white_space.slots) in page
 *      then layout order, the space left under the body of each page in page
 *      order, then the empty back side of the last sheet (duplex print, odd
 *      page count).  Each rectangle gets the first candidate not yet placed
 *      that has a size fitting it (its largest fitting size).  A candidate in
 *      its holdout group is recorded as held out instead of placed (once) and
 *      the next candidate is tried.  At most max_per_statement offers.
 *   3. A/B variant and holdout come from a stable 64-bit hash (FNV-1a with a
 *      splitmix64 finaliser) of the job seed, the household id and the offer
 *      id: the same household stays in its group as long as the seed stays.
 *
 * Drawing never moves or covers the statement's content: offers go only into
 * free rectangles, their ops are appended after the page's own ops, and a
 * layout slot that any op of the page touches is not used.  An offer on the
 * back side adds that page (it is counted in neither "Page x of y" nor
 * folio_compose_result.pages; production pads the same page anyway).
 */
#ifndef FOLIO_OFFERS_H
#define FOLIO_OFFERS_H

#include "folio/common.h"
#include "folio/dlist.h"
#include "folio/feed.h"
#include "folio/household.h"
#include "folio/job.h"
#include "folio/layout.h"

#define FOLIO_OFFERS_MAX 256            /* offers in one catalogue */
#define FOLIO_OFFERS_MAX_PICKS 16       /* placed + held out, per statement */
#define FOLIO_OFFERS_MAX_PER_STATEMENT 8

/* The job's `offers:` section (docs/job-file.md). */
typedef struct folio_offers_options {
    char *catalogue;                /* resolved path of the catalogue */
    int max_per_statement;          /* 1..8, default 2 */
    /* issue 15 parts 3/4 (pressure.h, uplift.h) */
    int household_cap_times;        /* household_cap.times, 0 = no household cap */
    int household_cap_days;         /* household_cap.days */
    int attribution_days;           /* uplift.attribution_days (default 30) */
    bool retire_below_control;      /* uplift.retire_below_control */
} folio_offers_options;

struct yt_doc;
struct yt_node;
/* Read `offers:` from the job's root map (absent = *out NULL).  Paths are
 * resolved against job_dir.  false with the doc's error set on a bad value. */
bool offers_options_read(struct yt_doc *d, const struct yt_node *root, const char *job_dir,
                         folio_offers_options **out);
void offers_options_free(folio_offers_options *o);

typedef enum folio_offer_kind {
    FOLIO_OFFER_MARKETING = 0, FOLIO_OFFER_SERVICE,
    FOLIO_OFFER_FEEDBACK            /* issue 15 part 3: a feedback request */
} folio_offer_kind;

/* Where a free rectangle came from. */
typedef enum folio_slot_kind {
    FOLIO_SLOT_LAYOUT = 0,          /* white_space.slots */
    FOLIO_SLOT_BOTTOM,              /* under the body of a page */
    FOLIO_SLOT_BACK                 /* empty back side of the last sheet */
} folio_slot_kind;

/* One decision of offers_fill: an offer placed, or held out. */
typedef struct folio_offer_pick {
    uint16_t offer;                 /* index into the catalogue */
    uint8_t variant;                /* index into the offer's variants */
    uint8_t size;                   /* index into the offer's sizes (placed) */
    uint8_t holdout;                /* 1: held out, not shown */
    uint8_t slot_kind;              /* folio_slot_kind (placed) */
    uint16_t page;                  /* 0-based page (placed) */
    folio_dl_rect rect;             /* where it was drawn (placed) */
} folio_offer_pick;

/* What a statement showed or held out, kept by the run for the manifest and
 * OUT/contact_history.csv (4 bytes: the run keeps one array per household). */
typedef struct folio_offer_shown {
    uint16_t offer;                 /* index into the catalogue */
    uint8_t variant;                /* index into the offer's variants */
    uint8_t holdout;                /* 1: held out, not shown */
} folio_offer_shown;

typedef struct folio_offers folio_offers;

/* Load and check the catalogue at opt->catalogue against `layout` (sizes,
 * styles) and `job` (seed, statement date).  NULL with err on failure. */
folio_offers *offers_load(const folio_offers_options *opt, const folio_job *job,
                          const folio_layout *layout, folio_error *err);
void offers_free(folio_offers *o);
/* issue 13 leftover: the catalogue's pictures as a folio_graphics (one
 * element per file, one language each) for the AFP resource group; NULL
 * when no offer has one.  Owned by o. */
struct folio_graphics;
const struct folio_graphics *offers_graphics(const folio_offers *o);

/* Index the contact history of ds (call once after feed_load_all; ds must
 * outlive o's use).  false with err on out of memory. */
bool offers_bind(folio_offers *o, const folio_dataset *ds, const folio_households *hs,
                 folio_error *err);

/* Catalogue facts for reports. */
int offers_count(const folio_offers *o);
/* Size and SHA-256 of the catalogue bytes that were parsed. */
const folio_input_id *offers_input(const folio_offers *o);
const char *offers_id(const folio_offers *o, int offer);
int offers_variant_count(const folio_offers *o, int offer);
const char *offers_variant_id(const folio_offers *o, int offer, int variant);
const char *offers_size_name(const folio_offers *o, int offer, int size);
/* The response code printed for (offer, variant). */
const char *offers_response_code(const folio_offers *o, int offer, int variant);

/* issue 15 part 3 (src/pressure.c): what offers_fill counted for household
 * hh in compose's first pass: FOLIO_PRESS_CONTACTS = its contacts (history
 * inside household_cap.days, this run's notification and offers shown), the
 * others = offers withheld by the offer's own cap, the feedback quiet period
 * and the household cap.  0 before compose. */
enum { FOLIO_PRESS_CONTACTS = 0, FOLIO_PRESS_OFFER_CAP, FOLIO_PRESS_FEEDBACK_QUIET,
       FOLIO_PRESS_HOUSEHOLD_CAP, FOLIO_PRESS_N };
unsigned offers_pressure(const folio_offers *o, size_t hh, int what);
/* issue 15 part 4: stop showing variant `variant` of offer `offer` (its share
 * goes to the other variants).  false when the catalogue has no such offer
 * or variant, or it is the offer's last variant shown. */
bool offers_retire(folio_offers *o, const char *offer, const char *variant);

/* What offers_fill reports back to compose. */
typedef struct folio_offers_out {
    folio_offer_pick picks[FOLIO_OFFERS_MAX_PICKS];
    int n_picks;
    bool back_page;                 /* an offer page was appended */
    folio_buf *audit;               /* gets one JSON member: "offers":{...} */
    folio_buf *keys;                /* gets coverage keys, one per line */
    const char *language;           /* in: the statement's language, so offers
                                     * match it; NULL = the primary customer's */
    uint32_t notdef;                /* out: characters of the offer text drawn as
                                     * .notdef (no glyph in the style's font) */
    uint32_t notdef_cp;             /* ... the first of them */
} folio_offers_out;

/* Choose and draw the offers of household hh's statement st, whose own
 * content fills st->pages[0..pages).  channel: 0 print, 1 email, 2 both
 * (folio_channel).  back_side: the statement is printed duplex and `pages`
 * is odd, so the back of the last sheet is free.  Never allocates beyond the
 * statement's arena and the out buffers.  false on out of memory. */
bool offers_fill(const folio_offers *o, const folio_layout *layout, const folio_dataset *ds,
                 const folio_households *hs, size_t hh, int channel, folio_dl_statement *st,
                 uint32_t pages, bool back_side, folio_offers_out *out);

/* The stable hash used for A/B and holdout (exposed for tests): a value in
 * [0, 10000) from (seed, household id, offer id, salt). */
uint32_t offers_bucket(uint64_t seed, const char *household, const char *offer,
                       const char *salt);

#endif
