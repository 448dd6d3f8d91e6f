/* SPDX-License-Identifier: Apache-2.0 */
/*
 * run-proof-replay.c -- issue 12 part 3 (r-merge): the proof-only run
 * `folio merge` makes of each shard's job (folio/proof.h,
 * folio_proof_replay).  run.c calls run_proof_replay after the production
 * plan (load, households, compose and production as the shard ran them, so
 * piece ids, print files, pages and the finish of each piece are the
 * shard's), instead of the proof sample, print, records and publish.
 *
 * Per pick, in the merged sample order: its cover (the merged cover's
 * numbering, the keys it covers first over all shards, its merged keys)
 * and its statement composed again, finished as its piece was printed,
 * account numbers masked and the PROOF watermark and banner added, both
 * prepared for the merged writer's fonts and handed to replay->take.
 */
#include "run-stages.h"
#include "print.h"
#include "folio/compose.h"
#include "folio/finish.h"
#include "folio/household.h"
#include "folio/production.h"
#include "folio/proof.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static bool oom(folio_error *err)
{
    folio_error_set(err, FOLIO_EXIT_FAILED, "out of memory");
    return false;
}

/* The merged writer's fonts are the ones this shard's layout draws with. */
static bool same_fonts(const run_state *R, const folio_proof_replay *X, folio_error *err)
{
    const folio_layout *L = R->layout;
    bool same = L->n_fonts == X->n_fonts;
    for (int i = 0; same && i < L->n_fonts; i++)
        same = L->fonts[i].file && X->fonts[i].file &&
               !strcmp(L->fonts[i].file, X->fonts[i].file);
    if (!same)
        folio_error_set(err, FOLIO_EXIT_USAGE, "%s: the layout %s draws with other fonts "
                        "than the first shard's: the merged proof sample is one PDF, all "
                        "shards must use the same layout fonts", R->job->path,
                        R->job->layout_path);
    return same;
}

/* Household h composed again, finished as its piece (or, not printed,
 * with the duplex back only), masked, watermarked and prepared. */
static folio_pdf_prepared *statement_of(run_state *R, const folio_proof_replay *X, uint32_t h,
                                        uint32_t piece, uint32_t sample, uint32_t *pages,
                                        folio_arena *arena, folio_error *err)
{
    folio_dl_statement *st = proof_compose_again(R, h, arena, err);
    if (!st)
        return NULL;
    bool ok;
    if (piece == UINT32_MAX) {
        folio_finish f = {.duplex = R->job->duplex};
        ok = finish_statement(&f, st, NULL, err);
    } else {
        ok = print_finish_piece(R->job, R->layout, R->prod, R->pin, piece, st, err);
    }
    if (!ok)
        return NULL;
    const folio_household *hh = &R->hs.v[h];
    const char **num = calloc(hh->n_accounts ? hh->n_accounts : 1, sizeof *num);
    if (!num) {
        oom(err);
        return NULL;
    }
    for (uint32_t a = 0; a < hh->n_accounts; a++)
        num[a] = R->ds->accounts[R->hs.account_idx[hh->first_account + a]].id;
    char banner[300];
    snprintf(banner, sizeof banner, "PROOF \xE2\x80\x94 sample %u of %u \xE2\x80\x94 household "
             "%s \xE2\x80\x94 not for mailing", sample + 1, X->cover->n_picked, hh->id);
    const folio_layout *L = R->layout;
    ok = proof_mask_statement(st, num, hh->n_accounts, L->mask_char ? L->mask_char : '*') &&
         proof_watermark(st, L, banner);
    free(num);
    if (!ok) {
        folio_error_set(err, FOLIO_EXIT_FAILED, "proof of household %s: out of memory", hh->id);
        return NULL;
    }
    *pages = st->n_pages;
    return pdf_prepare_statement(X->fonts, X->n_fonts, X->pdf, st, err);
}

bool run_proof_replay(run_state *R, folio_error *err)
{
    const folio_proof_replay *X = R->opt->proof_replay;
    if (!same_fonts(R, X, err))
        return false;
    size_t n = R->hs.n;
    uint32_t np = X->n_picks;
    uint32_t *hof = malloc((np ? np : 1) * sizeof *hof);
    uint32_t *piece = malloc((np ? np : 1) * sizeof *piece);
    uint32_t *picked = malloc((X->cover->n_picked ? X->cover->n_picked : 1) * sizeof *picked);
    folio_proof_household *ph = calloc(n ? n : 1, sizeof *ph);
    char (*names)[200] = calloc(np ? np : 1, sizeof *names);
    bool ok = hof && piece && picked && ph && names;
    if (!ok)
        oom(err);
    for (uint32_t i = 0; ok && i < X->cover->n_picked; i++)
        picked[i] = UINT32_MAX;
    /* the picks' households here (picks are few: a scan of the households) */
    for (uint32_t p = 0; ok && p < np; p++) {
        hof[p] = piece[p] = UINT32_MAX;
        for (size_t h = 0; h < n && hof[p] == UINT32_MAX; h++)
            if (R->in_shard[h] && !strcmp(R->hs.v[h].id, X->picks[p].household))
                hof[p] = (uint32_t)h;
        if (hof[p] == UINT32_MAX) {
            folio_error_set(err, FOLIO_EXIT_USAGE, "%s: household %s of the merged proof "
                            "sample is not in this shard (were its feeds changed after the "
                            "shard ran?)", R->job->path, X->picks[p].household);
            ok = false;
        } else if (X->picks[p].sample >= X->cover->n_picked) {
            ok = false;
            folio_error_set(err, FOLIO_EXIT_FAILED, "internal error: proof sample %u of %u",
                            X->picks[p].sample + 1, X->cover->n_picked);
        } else {
            picked[X->picks[p].sample] = hof[p];
        }
    }
    for (size_t i = 0; ok && i < R->prod->n_pieces; i++) {
        uint32_t h = piece_hh(R, i);
        for (uint32_t p = 0; p < np; p++)
            if (hof[p] == h)
                piece[p] = (uint32_t)i;
    }
    /* what the cover says about each pick: the shard's piece, file, pages */
    for (uint32_t p = 0; ok && p < np; p++) {
        uint32_t h = hof[p];
        const folio_household_plan *hp = &R->plan->households[h];
        folio_proof_household *x = &ph[h];
        x->keys = X->picks[p].keys;
        x->channel = hp->channel;
        x->reason = hp->channel == FOLIO_CHANNEL_SUPPRESSED ? hp->reason : NULL;
        x->pages = hp->channel == FOLIO_CHANNEL_SUPPRESSED ? 0 : R->res[h].pages;
        if (piece[p] != UINT32_MAX) {
            const folio_prod_piece *pc = &R->prod->pieces[piece[p]];
            x->piece = pc->id;
            x->stream = R->prod->streams[pc->stream].name;
            if (R->n_files) {
                snprintf(names[p], sizeof names[p], "print/%s", R->files[pc->file].name);
                x->print_file = names[p];
                x->first_page = pc->first_page;
            }
        }
    }
    folio_proof_cover lc = *X->cover;   /* the merged cover, picks mapped to here */
    lc.picked = picked;
    folio_proof_params pp = {.opt = R->job->proofs, .plan = R->plan, .hh = ph,
                             .duplex = R->job->duplex, .pdf = X->pdf};
    R->plan->skip_decisions = true;     /* pass 1 kept them */
    folio_arena arena;
    folio_arena_init(&arena, 256 * 1024);
    for (uint32_t p = 0; ok && p < np; p++) {
        uint32_t h = hof[p], pages = 0;
        folio_pdf_prepared *stmt = NULL, *cov = NULL;
        if (ph[h].channel != FOLIO_CHANNEL_SUPPRESSED)
            ok = (stmt = statement_of(R, X, h, piece[p], X->picks[p].sample, &pages, &arena,
                                      err)) != NULL;
        folio_arena_reset(&arena);
        folio_dl_statement *c = ok ? proof_cover_statement(&pp, &lc, X->picks[p].sample, &arena)
                                   : NULL;
        if (ok && !c)
            ok = oom(err);
        if (ok)
            ok = (cov = pdf_prepare_statement(X->fonts, X->n_fonts, X->pdf, c, err)) != NULL;
        folio_arena_reset(&arena);
        if (ok) {
            ok = X->take(X->ctx, X->picks[p].sample, cov, stmt, pages, err);
        } else {
            if (stmt)
                pdf_prepared_free(stmt);
            if (cov)
                pdf_prepared_free(cov);
        }
        if (ok && folio_stopped(err))
            ok = false;
    }
    folio_arena_free(&arena);
    X->keep(X->ctx, R->layout, R->offers);      /* images drawn by what take got */
    R->layout = NULL;
    R->offers = NULL;
    free(hof);
    free(piece);
    free(picked);
    free(ph);
    free(names);
    return ok;
}
