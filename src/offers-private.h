/* SPDX-License-Identifier: Apache-2.0 */
/*
 * offers-private.h -- (private) the loaded catalogue, shared by offers.c
 * (loading, checking, contact index) and offers-fill.c (selection, drawing).
 *
 * Everything is owned by the folio_offers and freed by offers_free().
 */
#ifndef FOLIO_OFFERS_PRIVATE_H
#define FOLIO_OFFERS_PRIVATE_H

#include "folio/offers.h"
#include "folio/rules.h"

#define OFF_MAX_SIZES 8
#define OFF_MAX_VARIANTS 8

/* The words of one offer in one language. */
typedef struct off_text {
    char *lang;                   /* ISO 639-1, lower case */
    char *headline, *body, *cta;
} off_text;

typedef struct off_variant {
    char *id;                     /* NULL: the offer has no A/B test */
    int32_t share_bp;             /* basis points, the shares add up to 10000 */
    off_text *texts; int n_texts; /* overrides of the offer's texts (may be 0) */
    char *code;                   /* response code, NULL = the offer's */
    bool retired;                 /* issue 15 part 4: below control, not shown */
} off_variant;

typedef struct off_size {
    char *name;
    int32_t w, h;                 /* units; w = the layout's body width when not given */
    bool full_page;               /* the whole body area of a page */
} off_size;

/* issue 13 leftover: the offer's picture (offers-image.c), n 0 = none. */
typedef struct off_image {
    char **lang;                  /* language of each file */
    struct folio_image **img;     /* decoded, owned */
    int n;
    int32_t w, h;                 /* units: the picture's box, top right in the offer */
    uint8_t fit;                  /* folio_fit */
} off_image;

typedef struct off_offer {
    char *id, *sells;
    folio_offer_kind kind;
    int64_t priority;
    folio_rule *rule;             /* NULL = everyone */
    folio_date from, until;       /* FOLIO_DATE_NONE = open */
    bool print, email;            /* channels */
    off_size sizes[OFF_MAX_SIZES]; int n_sizes;   /* largest area first */
    off_text *texts; int n_texts;
    char *code;                   /* response code */
    char *response_url;           /* issue 13 part 4: link of the e-delivered offer, NULL = none */
    off_image image;              /* issue 13 leftover: picture, image.n 0 = none */
    off_variant variants[OFF_MAX_VARIANTS]; int n_variants;   /* >= 1 */
    int32_t holdout_bp;           /* basis points of households held out */
    int cap_times, cap_months;    /* 0 = no cap */
    folio_date cap_after;         /* contacts after this date count for the cap */
    char **quiet; int n_quiet;    /* products whose opening starts a quiet period */
    int quiet_days;
    int feedback_quiet_days;      /* issue 15 part 3: kind feedback, default 180 */
    int line;                     /* catalogue line of the offer */
} off_offer;

/* issue 13 part 4: the placeholders of an offer's response_url. */
extern const char *const OFFER_URL_FIELDS[4];

struct folio_offers {
    char *path;
    folio_input_id input;         /* size and SHA-256 of the bytes parsed */
    char *default_lang;
    off_offer *v; int n;
    int *order;                   /* offer indexes, priority descending, then id */
    int max_per;
    const folio_job *job;
    uint64_t seed;
    folio_date today;
    /* contact history (offers_bind) */
    const folio_dataset *ds;
    const folio_households *hs;
    uint32_t *contacts;           /* ds->contacts indexes sorted by key, then input order */
    int16_t *contact_offer;       /* per ds->contacts: catalogue index, -1 unknown offer */
    size_t n_contacts;
    /* Candidates per household, written by offers_fill when it explains
     * (compose's first pass) and read when it does not (the second pass, after
     * the first has finished): byte 0 = known, then one bit per offer in
     * priority order.  Each household is written by one thread only. */
    uint8_t *memo;
    size_t memo_n, memo_stride;
    struct folio_graphics *gfx;   /* issue 13 leftover: the pictures, for AFP resources */
    /* issue 15 part 3: household cap (pressure.c); press[hh * FOLIO_PRESS_N
     * + what], written by the first pass like memo */
    int hh_cap_times, hh_cap_days;
    uint16_t *press;
};

/* issue 15 part 3 (pressure.c): contacts of household hh in the history
 * inside the household cap's window (every offer, held-out rows not
 * counted), and whether it had a feedback request within `days`. */
/* The contact rows of `key` (o->contacts[*lo .. *hi), sorted by key), and
 * the key of household h's member k (0: the household id, then its
 * customers' ids), in pressure.c; the caps count both. */
void offers_contact_range(const folio_offers *o, const char *key, size_t *lo, size_t *hi);
const char *offers_member_key(const folio_offers *o, const folio_household *h, uint32_t k);
unsigned pressure_history(const folio_offers *o, size_t hh);
bool pressure_feedback_recent(const folio_offers *o, size_t hh, int days);

/* Height in units the offer box needs for text t at width w (the box's
 * outer width), or draw it when st != NULL (page index pg, top-left x,y,
 * height h); then out (may be NULL) counts the characters drawn as
 * .notdef.  Returns the height needed. */
int32_t offers_box(const folio_layout *L, const off_text *t, const char *code, int32_t w,
                   folio_dl_statement *st, uint32_t pg, int32_t x, int32_t y, int32_t h,
                   bool *oom, folio_offers_out *out, const off_image *im,
                   const struct folio_image *img);

/* ---- issue 13 leftover: pictures in offers (offers-image.c) ---- */
struct yt_doc;
struct yt_node;
/* Read `image:` of offer node `offer` into *im (n 0 when absent); files
 * relative to the catalogue.  false with d's error (file:line:col). */
bool offers_image_read(struct yt_doc *d, const struct yt_node *offer, const char *where,
                       const char *default_lang, const char *catalogue, off_image *im);
void offers_image_free(off_image *im);
/* The picture for language lang, else the default language's. */
const struct folio_image *offers_image_for(const off_image *im, const char *lang,
                                           const char *default_lang);
/* Draw img in im's box at (bx, by) on page pg.  false on out of memory. */
bool offers_image_draw(const off_image *im, const struct folio_image *img,
                       folio_dl_statement *st, uint32_t pg, int32_t bx, int32_t by);
bool offers_graphics_build(folio_offers *o);   /* false: out of memory */
void offers_graphics_free(folio_offers *o);

#endif
