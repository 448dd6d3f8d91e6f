/* SPDX-License-Identifier: Apache-2.0 */
/*
 * folio/proof.h -- the compliance proof sample: the fewest households whose
 * statements, between them, show every variation that occurred in a run.
 *
 * Coverage keys are strings "kind:value" (compose.h, folio_compose_result.keys;
 * run.c adds the run-level ones: channel, mail stream, suppression reasons,
 * duplex blank back, longest statement).  This module does not know what a
 * kind means: it covers whatever keys occur.
 *
 * Order of calls (src/run-proofs.c):
 *   proof_options_read()    from job.c, on the job's `output:` map;
 *   proof_select()          the sample, before the print stage: greedy set
 *                           cover (proof_cover_build, below);
 *   (the print ring and the proof stage feed the picked statements to the
 *    proof sink, src/sink-proof.h)
 *   proof_write()           OUT/proofs/proof.pdf and proofs.json under
 *                           ".part" names;
 *   proof_publish()         rename both to their final names, or
 *   proof_discard()         unlink the parts (the run failed);
 *   proof_manifest_json()   the manifest's "proofs" member;
 *   proof_result_free().
 *
 * The cover (proof_cover_build): U = every distinct key of every item.
 * Repeat: pick the item that carries the most keys not yet covered; ties go
 * to the lowest item index (run.c: household order, which is sorted on
 * content, so the sample never depends on threads).  Stop when U is covered,
 * when no item adds a key, or after `max` picks -- then the keys left are
 * "uncovered" and reported.  Lazy evaluation: an item's gain only shrinks as
 * keys get covered, so items sit in a max-heap on (stale gain, -index) and
 * the top is re-scored before it is taken; that picks exactly what the
 * naive rescan-everything loop picks, in O(total keys * log items).
 */
#ifndef FOLIO_PROOF_H
#define FOLIO_PROOF_H

#include "folio/common.h"
#include "folio/compose.h"
#include "folio/pdf.h"
#include "folio/proof-mark.h"   /* proof_watermark, proof_mask_statement */

struct yt_doc;
struct yt_node;

/* ---- options: `output.proofs` ---------------------------------------- */

typedef struct folio_proof_options {
    bool enabled;               /* default true */
    uint32_t max;               /* most households in the sample (default 100) */
    int line;                   /* job file line of output.proofs, 0 when absent */
} folio_proof_options;

/* Read `output.proofs` from the job's `output:` map (`output` may be NULL:
 * defaults).  Errors "path:line:col: ..." through d.  *out is always
 * allocated on success (free with proof_options_free). */
bool proof_options_read(struct yt_doc *d, const struct yt_node *output,
                        folio_proof_options **out);
void proof_options_free(folio_proof_options *o);

/* ---- the cover --------------------------------------------------------- */

typedef struct folio_proof_cover {
    char **keys;                /* every distinct key, sorted bytewise (strcmp) */
    uint32_t n_keys;
    uint32_t *key_items;        /* per key: how many items carry it */
    size_t n_items;             /* items that took part (keys != NULL) */
    uint32_t *picked;           /* item indexes in pick order */
    uint32_t n_picked;
    /* keys first covered by picked[i]: first[first_off[i] .. first_off[i+1]),
     * indexes into keys[], ascending */
    uint32_t *first_off, *first;
    uint32_t *uncovered;        /* indexes into keys[], ascending */
    uint32_t n_uncovered;
    bool capped;                /* stopped by max with keys left */
} folio_proof_cover;

/* Cover the keys of items[0..n): items[i] is "key\nkey\n..." (each key ends
 * with '\n'; empty lines are ignored; a key repeated within an item counts
 * once) or NULL when item i takes no part.  max: most picks (0 = no limit).
 * Returns false with err on out of memory (c is then empty). */
bool proof_cover_build(const char *const *items, size_t n, uint32_t max,
                       folio_proof_cover *c, folio_error *err);
void proof_cover_free(folio_proof_cover *c);

/* ---- the proof files ------------------------------------------------- */

/* What the run knows about one household, for its cover page. */
typedef struct folio_proof_household {
    const char *keys;           /* coverage keys ("kind:value\n" each); NULL = not in
                                   this run (another shard) */
    uint8_t channel;            /* folio_channel */
    const char *reason;         /* why suppressed (channel suppressed), else NULL */
    uint32_t pages;             /* composed pages (0 when suppressed) */
    const char *stream;         /* mail stream, NULL when not printed */
    const char *piece;          /* piece id, NULL when not printed */
    const char *print_file;     /* "print/NAME.pdf", NULL when no print file */
    uint32_t first_page;        /* 1-based page of the statement in print_file */
} folio_proof_household;

typedef struct folio_proof_params {
    const folio_proof_options *opt;
    const folio_plan *plan;     /* households, accounts (cover pages only) */
    const folio_proof_household *hh;   /* one per plan->hs->v */
    bool duplex;                /* pad odd statements with a blank back, as printed */
    const folio_pdf_options *pdf;      /* title, author, dates, compression */
    const char *dir;            /* OUT/proofs (created by the caller) */
    /* issue 11 part 1: per pick, the statement as printed (finish stage
     * included), masked, watermarked and prepared for the PDF writer by the
     * proof sink (src/sink-proof.h), and its pages; NULL for a suppressed
     * pick.  proof.c never composes. */
    folio_pdf_prepared *const *stmt;
    const uint32_t *stmt_pages;
} folio_proof_params;

typedef struct folio_proof_result {
    folio_proof_cover cover;
    uint32_t *sample_first_page;  /* per pick: first page of its cover in proof.pdf */
    uint32_t *sample_pages;       /* per pick: pages (cover + statement) */
    uint32_t *statement_pages;    /* per pick: statement pages, blank back included */
    uint32_t pages;               /* pages of proof.pdf */
    uint64_t pdf_bytes, json_bytes;
    char pdf_sha256[65], json_sha256[65];
    char *pdf_path, *pdf_part, *json_path, *json_part;
    bool written;                 /* both parts are complete */
    bool published;               /* ... and renamed to their final names */
} folio_proof_result;

/* Pick the sample (the cover below, over p->hh[].keys) into r->cover;
 * before the statements are written, so the sinks know the picks.
 * r must be zeroed by the caller. */
bool proof_select(const folio_proof_params *p, folio_proof_result *r, folio_error *err);

/* Write proof.pdf and proofs.json under ".part" names in p->dir for the
 * sample proof_select picked.  Per sampled household, in pick order: a cover page (why it was
 * picked: the keys it covers first; then its other keys and where it is
 * printed), then -- unless suppressed -- its statement exactly as printed
 * (p->stmt: duplex blank back included) with account numbers masked to the
 * last four and a "PROOF" watermark behind every page.  A suppressed
 * household has only its cover page, with the reason.  Free r with
 * proof_result_free. */
bool proof_write(const folio_proof_params *p, folio_proof_result *r, folio_error *err);

/* Rename the parts to proof.pdf and proofs.json.  */
bool proof_publish(folio_proof_result *r, folio_error *err);
/* Remove the parts unless published (a failed run; safe to call always). */
void proof_discard(folio_proof_result *r);
void proof_result_free(folio_proof_result *r);

/* Append the manifest member `"proofs":{...}` (no leading comma): enabled,
 * max, households in the sample, keys total / covered, uncovered keys, and
 * "files": proof.pdf (format pdf, pages) and proofs.json (format json), each
 * with bytes and sha256.  When proofs are disabled: {"enabled":false}. */
void proof_manifest_json(const folio_proof_result *r, const folio_proof_options *opt,
                         folio_buf *b);

/* ---- issue 12 part 3 (r-merge): the merged proof sample, rendered again --
 *
 * `folio merge` picks one sample over all shards (src/merge.c) and renders
 * it into one proof.pdf: each shard's picks are rendered again by a
 * proof-only run of that shard's job (folio_run_options.proof_replay,
 * src/run-proof-replay.c): load, households, compose and production as the
 * shard ran them, then per pick its cover (the merged cover's numbering and
 * keys) and its statement as printed, masked and watermarked, prepared for
 * the merged writer's fonts and handed to `take`.  Nothing else is written
 * (the run's OUT is a scratch directory). */
typedef struct folio_proof_replay_pick {
    const char *household;      /* id */
    const char *keys;           /* its coverage keys over all shards ("k\n"...) */
    uint32_t sample;            /* 0-based place in the merged pick order */
} folio_proof_replay_pick;

/* One rendered pick: its cover and (NULL when suppressed) its statement;
 * both become the callee's (free with pdf_prepared_free). */
typedef bool (*folio_proof_replay_fn)(void *ctx, uint32_t sample, folio_pdf_prepared *cover,
                                      folio_pdf_prepared *stmt, uint32_t stmt_pages,
                                      folio_error *err);

typedef struct folio_proof_replay {
    const folio_proof_cover *cover;     /* the merged cover (picked[] unused) */
    const folio_proof_replay_pick *picks;   /* this shard's picks */
    uint32_t n_picks;
    const folio_layout_font *fonts;     /* the merged writer's fonts (same files as */
    int n_fonts;                        /*  the shard's layout: checked) */
    const folio_pdf_options *pdf;
    folio_proof_replay_fn take;
    /* the prepared statements draw the layout's and the offers' images
     * until they are written: the run hands both over (the callee frees
     * them with layout_free / offers_free after its writer is closed) */
    void (*keep)(void *ctx, folio_layout *layout, struct folio_offers *offers);
    void *ctx;
} folio_proof_replay;

/* The cover page(s) of pick i of pc (household pc->picked[i] of p->plan)
 * as proof_write draws it; NULL when out of memory. */
folio_dl_statement *proof_cover_statement(const folio_proof_params *p,
                                          const folio_proof_cover *pc, uint32_t i,
                                          folio_arena *arena);

/* r-harden (round 25): the one page of an empty sample ("no households in
 * this run: nothing to review"), as proof_write and folio merge draw it;
 * NULL when out of memory. */
folio_dl_statement *proof_empty_page(const folio_layout *L, folio_arena *arena);

#endif
