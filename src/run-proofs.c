/* SPDX-License-Identifier: Apache-2.0 */
/*
 * run-proofs.c -- OUT/proofs of `folio run` (run-stages.h, proof.h).
 * Moved from run.c (issue 11 part 3); since issue 11 part 1 in two steps:
 *
 *   proofs_select (before the print stage): what the run knows about every
 *     household (keys, channel, piece, print file), the sample
 *     (proof_select) and the proof sink's options: picks sorted by
 *     household id, their account numbers and banners;
 *   the print ring feeds every printed statement to the proof sink
 *     (print_params.extra), which keeps the picked ones;
 *   write_proofs (after it): the picks the print ring did not carry (e-mail
 *     only, or no print format) through a small ring of their own --
 *     compose, finish as the piece would be, the same sink -- then
 *     proof_write, in pick order.
 */
#include "run-stages.h"
#include "run-report.h"
#include "sink-proof.h"
#include "folio/compose.h"
#include "folio/household.h"
#include "folio/production.h"
#include "publish.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

struct run_proofs {
    folio_proof_household *ph;          /* per household */
    uint32_t *piece_of;                 /* household -> piece index, UINT32_MAX */
    char *names;                        /* "print/NAME" of each print file, 200 each */
    char subject[128];
    folio_pdf_options pdfo;
    folio_proof_params pp;
    folio_proof_pick *picks;            /* sorted by id */
    const char **numbers;               /* every pick's account numbers */
    char (*banners)[300];
    folio_pdf_prepared **stmt;          /* per pick */
    uint32_t *stmt_pages;
    folio_sink_proof_options so;
    char dir[4200];
    char **keys;                        /* issue 12 part 1: the picks' keys (copies) */
    uint32_t n_keys;
};

void run_proofs_free(run_proofs *P)
{
    if (!P)
        return;
    for (uint32_t i = 0; P->stmt && i < P->so.n_picks; i++)
        if (P->stmt[i])
            pdf_prepared_free(P->stmt[i]);
    for (uint32_t i = 0; P->keys && i < P->n_keys; i++)
        free(P->keys[i]);
    free(P->keys);
    free(P->ph);
    free(P->piece_of);
    free(P->names);
    free(P->picks);
    free(P->numbers);
    free(P->banners);
    free(P->stmt);
    free(P->stmt_pages);
    free(P);
}

static int pick_cmp(const void *a, const void *b)
{
    return strcmp(((const folio_proof_pick *)a)->id, ((const folio_proof_pick *)b)->id);
}

static bool oom(folio_error *err)
{
    folio_error_set(err, FOLIO_EXIT_FAILED, "out of memory");
    return false;
}

const folio_sink_proof_options *proofs_sink_options(const run_state *R)
{
    return R->proofs ? &R->proofs->so : NULL;
}

bool proofs_select(run_state *R, folio_error *err)
{
    char dir[4200], path[4300];
    snprintf(dir, sizeof dir, "%s/proofs", R->out);
    const folio_proof_options *po = R->job->proofs;
    if (!po || !po->enabled) {
        /* proofs of an earlier run in the same directory are not this run's */
        snprintf(path, sizeof path, "%s/proof.pdf", dir);
        unlink(path);
        snprintf(path, sizeof path, "%s/proofs.json", dir);
        unlink(path);
        return true;
    }
    if (!outdir_sub(&R->od, FOLIO_OUT_PROOFS, true, err))
        return false;
    run_proofs *P = R->proofs = calloc(1, sizeof *P);
    if (!P)
        return oom(err);
    snprintf(P->dir, sizeof P->dir, "%s", dir);
    size_t n = R->hs.n;
    P->ph = calloc(n ? n : 1, sizeof *P->ph);
    P->piece_of = malloc((n ? n : 1) * sizeof *P->piece_of);
    if (!P->ph || !P->piece_of)
        return oom(err);
    /* issue 12 part 1: the sample needs every household's keys at once:
     * the keys spool mapped for the selection, the picks' keys copied */
    if (!spool_map(&R->spool_keys, err))
        return false;
    folio_proof_household *ph = P->ph;
    for (size_t h = 0; h < n; h++)
        P->piece_of[h] = UINT32_MAX;
    if (R->n_files) {
        P->names = malloc(R->n_files * 200);
        if (!P->names)
            return oom(err);
        for (size_t i = 0; i < R->n_files; i++)
            snprintf(P->names + i * 200, 200, "print/%s", R->files[i].name);
    }
    for (size_t h = 0; h < n; h++) {
        if (!R->in_shard[h])
            continue;
        const folio_household_plan *hp = &R->plan->households[h];
        ph[h].keys = R->decided[h] ? spool_at(&R->spool_keys, h) : NULL;   /* issue 12.1 */
        ph[h].channel = hp->channel;
        ph[h].reason = hp->channel == FOLIO_CHANNEL_SUPPRESSED ? hp->reason : NULL;
        ph[h].pages = hp->channel == FOLIO_CHANNEL_SUPPRESSED ? 0 : R->res[h].pages;
    }
    for (size_t i = 0; i < R->prod->n_pieces; i++) {
        const folio_prod_piece *pc = &R->prod->pieces[i];
        folio_proof_household *p = &ph[piece_hh(R, i)];
        P->piece_of[piece_hh(R, i)] = (uint32_t)i;
        p->piece = pc->id;
        p->stream = R->prod->streams[pc->stream].name;
        if (R->n_files) {
            p->print_file = P->names + (size_t)pc->file * 200;
            p->first_page = pc->first_page;
        }
    }
    const folio_job *J = R->job;
    P->pdfo = pdf_options_of(J, "Proof sample, statements", P->subject, sizeof P->subject);
    P->pp = (folio_proof_params){.opt = po, .plan = R->plan, .hh = ph, .duplex = J->duplex,
                                 .pdf = &P->pdfo, .dir = P->dir};
    bool selected = proof_select(&P->pp, &R->proof, err);
    const folio_proof_cover *c = &R->proof.cover;
    if (selected) {
        P->n_keys = c->n_picked;
        P->keys = calloc(c->n_picked ? c->n_picked : 1, sizeof *P->keys);
        for (uint32_t i = 0; P->keys && i < c->n_picked; i++) {
            const char *k = ph[c->picked[i]].keys;
            if (k && !(P->keys[i] = strdup(k))) {
                selected = false;
                break;
            }
        }
        if (!P->keys)
            selected = false;
        if (!selected)
            oom(err);
    }
    for (size_t h = 0; h < n; h++)      /* nothing points into the mapping */
        ph[h].keys = NULL;
    for (uint32_t i = 0; selected && i < c->n_picked; i++)
        ph[c->picked[i]].keys = P->keys[i];
    spool_unmap(&R->spool_keys);
    if (!selected)
        return false;
    /* the sink's picks: household id, account numbers, banner */
    const folio_proof_cover *pc = &R->proof.cover;
    uint32_t np = pc->n_picked;
    size_t n_num = 0;
    for (uint32_t i = 0; i < np; i++)
        n_num += R->hs.v[pc->picked[i]].n_accounts;
    P->picks = calloc(np ? np : 1, sizeof *P->picks);
    P->numbers = calloc(n_num ? n_num : 1, sizeof *P->numbers);
    P->banners = calloc(np ? np : 1, sizeof *P->banners);
    P->stmt = calloc(np ? np : 1, sizeof *P->stmt);
    P->stmt_pages = calloc(np ? np : 1, sizeof *P->stmt_pages);
    if (!P->picks || !P->numbers || !P->banners || !P->stmt || !P->stmt_pages)
        return oom(err);
    size_t k = 0;
    for (uint32_t i = 0; i < np; i++) {
        const folio_household *hh = &R->hs.v[pc->picked[i]];
        folio_proof_pick *pk = &P->picks[i];
        pk->id = hh->id;
        pk->pick = i;
        pk->numbers = P->numbers + k;
        pk->n_numbers = hh->n_accounts;
        for (uint32_t a = 0; a < hh->n_accounts; a++)
            P->numbers[k++] = R->ds->accounts[R->hs.account_idx[hh->first_account + a]].id;
        snprintf(P->banners[i], sizeof P->banners[i], "PROOF \xE2\x80\x94 sample %u of %u "
                 "\xE2\x80\x94 household %s \xE2\x80\x94 not for mailing", i + 1, np, hh->id);
        pk->banner = P->banners[i];
    }
    qsort(P->picks, np, sizeof *P->picks, pick_cmp);
    P->so = (folio_sink_proof_options){
        .layout = R->layout, .pdf = P->pdfo,
        .mask_char = R->layout->mask_char ? R->layout->mask_char : '*', .picks = P->picks,
        .n_picks = np, .stmt = P->stmt, .stmt_pages = P->stmt_pages};
    P->pp.stmt = P->stmt;
    P->pp.stmt_pages = P->stmt_pages;
    return true;
}

/* ---- the picks the print ring did not carry -------------------------------- */

typedef struct proof_ring {
    run_state *R;
    uint32_t *hh;                        /* households to make */
} proof_ring;

/* Household h composed again for its proof (here and in merge's proof-only
 * run, run-proof-replay.c): the pages must be those it was printed with. */
folio_dl_statement *proof_compose_again(run_state *R, uint32_t h, folio_arena *arena,
                                        folio_error *err)
{
    folio_compose_result res;
    folio_dl_statement *st = compose_household(R->plan, h, arena, &res, err);
    if (st && res.pages != R->res[h].pages) {
        folio_error_set(err, FOLIO_EXIT_FAILED, "internal error: proof of household %s "
                        "composed to %u pages, printed with %u", st->id, res.pages,
                        R->res[h].pages);
        return NULL;
    }
    return st;
}

/* Household h as its printed piece is finished (print_finish_piece: duplex
 * back, inserter marks); a household without a piece (e-mail) gets the
 * duplex back only. */
static folio_dl_statement *proof_make(void *ctx, size_t i, folio_arena *arena,
                                      folio_error *err)
{
    proof_ring *Q = ctx;
    run_state *R = Q->R;
    if (folio_stopped(err))
        return NULL;
    uint32_t h = Q->hh[i];
    folio_dl_statement *st = proof_compose_again(R, h, arena, err);
    if (!st)
        return NULL;
    uint32_t piece = R->proofs->piece_of[h];
    bool ok;
    if (piece == UINT32_MAX) {
        folio_finish f = {.duplex = R->job->duplex};
        ok = finish_statement(&f, st, NULL, err);
    } else {
        ok = print_finish_piece(R->job, R->layout, R->prod, R->pin, piece, st, err);
    }
    return ok ? st : NULL;
}

static bool proof_deliver(void *ctx, size_t i, const folio_dl_statement *st,
                          void *const *prepared, folio_error *err)
{
    proof_ring *Q = ctx;
    return folio_sink_proof.add_statement(&Q->R->proofs->so, st, prepared[0], err);
}

bool write_proofs(run_state *R, folio_error *err)
{
    run_proofs *P = R->proofs;
    if (!P)
        return true;                    /* proofs off */
    const folio_proof_cover *pc = &R->proof.cover;
    proof_ring Q = {.R = R, .hh = malloc((pc->n_picked ? pc->n_picked : 1) * sizeof *Q.hh)};
    if (!Q.hh)
        return oom(err);
    size_t n = 0;                       /* in household order: errors in that order */
    for (uint32_t i = 0; i < pc->n_picked; i++) {
        uint32_t h = pc->picked[i];
        if (!P->stmt[i] && P->ph[h].channel != FOLIO_CHANNEL_SUPPRESSED)
            Q.hh[n++] = h;
    }
    for (size_t a = 1; a < n; a++)      /* insertion sort: at most max picks */
        for (size_t b = a; b > 0 && Q.hh[b - 1] > Q.hh[b]; b--) {
            uint32_t t = Q.hh[b];
            Q.hh[b] = Q.hh[b - 1];
            Q.hh[b - 1] = t;
        }
    const folio_sink_type *types[1] = {&folio_sink_proof};
    const void *topt[1] = {&P->so};
    folio_ring ring = {.n = n, .batch = 4, .threads = R->opt->threads, .ctx = &Q,
                       .make = proof_make, .prep = types, .prep_opt = topt, .n_prep = 1,
                       .deliver = proof_deliver};
    bool ok = folio_ring_run(&ring, err);
    free(Q.hh);
    if (!ok)
        return false;
    ok = proof_write(&P->pp, &R->proof, err);
    const folio_proof_options *po = R->job->proofs;
    if (ok && R->proof.cover.capped) {
        const folio_proof_cover *c = &R->proof.cover;
        folio_buf w;
        folio_buf_init(&w, 1 << 20);
        folio_buf_printf(&w, "warning: the proof sample stops at output.proofs.max (%u "
                         "households); %u of %u coverage keys are not covered:", po->max,
                         c->n_uncovered, c->n_keys);
        for (uint32_t u = 0; u < c->n_uncovered && u < 10; u++)
            folio_buf_printf(&w, " %s", c->keys[c->uncovered[u]]);
        folio_buf_printf(&w, "%s (see proofs/proofs.json)", c->n_uncovered > 10 ? " ..." : "");
        if (!w.failed)
            run_warn(R, "%.*s", (int)w.len, w.data);
        folio_buf_free(&w);
    }
    return ok;
}
