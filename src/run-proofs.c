/*
 * run-proofs.c -- OUT/proofs of `folio run` (run-stages.h, proof.h).
 * Moved from run.c (issue 11 part 3).
 */
#include "run-stages.h"
#include "run-report.h"
#include "folio/compose.h"
#include "folio/household.h"
#include "folio/production.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "publish.h"

/* The proof's finish hook: household h finished as its printed piece is
 * (print_finish_piece: duplex back, inserter marks); a household without a
 * piece (e-mail) gets the duplex back only. */
typedef struct proof_ctx {
    run_state *R;
    const uint32_t *piece_of;           /* household -> piece index, UINT32_MAX */
} proof_ctx;

static bool proof_finish(void *ctx, size_t h, folio_dl_statement *st, folio_error *err)
{
    const proof_ctx *C = ctx;
    const folio_job *J = C->R->job;
    if (C->piece_of[h] == UINT32_MAX) {
        folio_finish f = {.duplex = J->duplex};
        return finish_statement(&f, st, NULL, err);
    }
    return print_finish_piece(J, C->R->layout, C->R->prod, C->R->pin, C->piece_of[h], st, err);
}

/* OUT/proofs/: the proof sample over the keys above (proof.h), written
 * under .part names; published with the print files. */
bool write_proofs(run_state *R, folio_error *err)
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
    size_t n = R->hs.n;
    folio_proof_household *ph = calloc(n ? n : 1, sizeof *ph);
    uint32_t *piece_of = malloc((n ? n : 1) * sizeof *piece_of);
    char *names = NULL;
    if (!ph || !piece_of) {
        free(ph);
        free(piece_of);
        folio_error_set(err, FOLIO_EXIT_FAILED, "out of memory");
        return false;
    }
    for (size_t h = 0; h < n; h++)
        piece_of[h] = UINT32_MAX;
    if (R->n_files) {
        names = malloc(R->n_files * 200);
        if (!names) {
            free(ph);
            free(piece_of);
            folio_error_set(err, FOLIO_EXIT_FAILED, "out of memory");
            return false;
        }
        for (size_t i = 0; i < R->n_files; i++)
            snprintf(names + i * 200, 200, "print/%s", R->files[i].name);
    }
    for (size_t h = 0; h < n; h++) {
        if (!R->in_shard[h])
            continue;
        const folio_household_plan *hp = &R->plan->households[h];
        ph[h].keys = R->decided[h] ? R->res[h].keys : NULL;
        ph[h].channel = hp->channel;
        ph[h].reason = hp->channel == FOLIO_CHANNEL_SUPPRESSED ? hp->reason : NULL;
        ph[h].pages = hp->channel == FOLIO_CHANNEL_SUPPRESSED ? 0 : R->res[h].pages;
    }
    for (size_t i = 0; i < R->prod->n_pieces; i++) {
        const folio_prod_piece *pc = &R->prod->pieces[i];
        folio_proof_household *p = &ph[piece_hh(R, i)];
        piece_of[piece_hh(R, i)] = (uint32_t)i;
        p->piece = pc->id;
        p->stream = R->prod->streams[pc->stream].name;
        if (R->n_files) {
            p->print_file = names + (size_t)pc->file * 200;
            p->first_page = pc->first_page;
        }
    }
    const folio_job *J = R->job;
    char subject[128];
    folio_pdf_options pdfo = pdf_options_of(J, "Proof sample, statements", subject,
                                            sizeof subject);
    proof_ctx pctx = {.R = R, .piece_of = piece_of};
    folio_proof_params pp = {.opt = po, .plan = R->plan, .hh = ph, .duplex = J->duplex,
                             .pdf = &pdfo, .dir = dir, .finish = proof_finish,
                             .finish_ctx = &pctx};
    bool ok = proof_write(&pp, &R->proof, err);
    free(ph);
    free(piece_of);
    free(names);
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
