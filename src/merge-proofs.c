/* SPDX-License-Identifier: Apache-2.0 */
/*
 * merge-proofs.c -- issue 12 part 3 (r-merge): the merged proof sample in
 * one proof.pdf (merge-proofs.h).
 *
 * merge.c chooses the sample over all shards' coverage keys (the run's own
 * greedy cover).  The picks' statements are not in the merged directory:
 * each shard's picks are rendered again by a proof-only run of that shard's
 * job (folio_run_options.proof_replay, run-proof-replay.c), which reads the
 * shard's feeds, forms its households, composes and plans production as the
 * shard did, then hands back per pick its cover and its statement as
 * printed (masked, watermarked), prepared for this writer's fonts.  Shards
 * run one after another, so the memory is one shard run's; the covers and
 * statements (at most output.proofs.max) wait here and are written in pick
 * order: the same pages an unsharded run writes, each cover citing the
 * shard's print file, pages and piece.
 */
#define _XOPEN_SOURCE 700
#include "merge-proofs.h"
#include "run-stages.h"
#include "folio/job.h"
#include "folio/layout.h"
#include "folio/offers.h"
#include "folio/run.h"

#include <errno.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

typedef struct {
    folio_pdf_prepared **cover, **stmt;
    uint32_t *stmt_pages;
    uint32_t n;
    folio_layout **layouts;             /* the shards' (their images), kept until written */
    folio_offers **offers;
    uint32_t n_kept;                    /* at most one per pick */
} taken;

static void keep(void *ctx, folio_layout *L, folio_offers *O)
{
    taken *T = ctx;
    if (T->n_kept < T->n) {
        T->layouts[T->n_kept] = L;
        T->offers[T->n_kept++] = O;
    }
}

static bool take(void *ctx, uint32_t sample, folio_pdf_prepared *cover,
                 folio_pdf_prepared *stmt, uint32_t stmt_pages, folio_error *err)
{
    taken *T = ctx;
    if (sample >= T->n || T->cover[sample]) {
        pdf_prepared_free(cover);
        if (stmt)
            pdf_prepared_free(stmt);
        folio_error_set(err, FOLIO_EXIT_FAILED, "internal error: proof sample %u rendered "
                        "twice", sample + 1);
        return false;
    }
    T->cover[sample] = cover;
    T->stmt[sample] = stmt;
    T->stmt_pages[sample] = stmt_pages;
    return true;
}

static int rm_one(const char *p, const struct stat *sb, int flag, struct FTW *f)
{
    (void)sb;
    (void)flag;
    (void)f;
    return remove(p) != 0 && errno != ENOENT ? -1 : 0;
}

void merge_rm_tree(const char *dir)
{
    nftw(dir, rm_one, 16, FTW_DEPTH | FTW_PHYS);
}

void merge_proofs_free(merge_proofs_result *r)
{
    free(r->first_page);
    free(r->cover_pages);
    free(r->statement_pages);
    memset(r, 0, sizeof *r);
}

bool merge_proofs_render(const char *out, const char *const *jobs, int n_shards,
                         const folio_proof_cover *c, const merge_proofs_pick *picks,
                         merge_proofs_result *r, folio_error *err)
{
    folio_job *J = job_load(jobs[0], err);
    if (!J) {                   /* a bad job is exit 2; out of memory or I/O stays 1 */
        err->code = err->code == FOLIO_EXIT_FAILED ? FOLIO_EXIT_FAILED : FOLIO_EXIT_USAGE;
        return false;
    }
    if (!J->proofs || !J->proofs->enabled) {    /* the shards wrote no proofs either */
        job_free(J);
        return true;
    }
    folio_layout *L = layout_load_attrs(J->layout_path, J->attrs, err);
    if (!L) {
        err->code = err->code == FOLIO_EXIT_FAILED ? FOLIO_EXIT_FAILED : FOLIO_EXIT_USAGE;
        job_free(J);
        return false;
    }
    char subject[128];
    folio_pdf_options pdfo = pdf_options_of(J, "Proof sample, statements", subject,
                                            sizeof subject);
    uint32_t np = c->n_picked, n1 = np ? np : 1;
    taken T = {.cover = calloc(n1, sizeof *T.cover), .stmt = calloc(n1, sizeof *T.stmt),
               .stmt_pages = calloc(n1, sizeof *T.stmt_pages), .n = np,
               .layouts = calloc(n1, sizeof *T.layouts), .offers = calloc(n1, sizeof *T.offers)};
    folio_proof_replay_pick *rp = calloc(n1, sizeof *rp);
    r->first_page = calloc(n1, sizeof *r->first_page);
    r->cover_pages = calloc(n1, sizeof *r->cover_pages);
    r->statement_pages = calloc(n1, sizeof *r->statement_pages);
    bool ok = T.cover && T.stmt && T.stmt_pages && T.layouts && T.offers && rp && r->first_page && r->cover_pages &&
              r->statement_pages;
    if (!ok)
        folio_error_set(err, FOLIO_EXIT_FAILED, "the proof sample: out of memory");
    char work[4200], sdir[4300], part[4300], path[4300];
    snprintf(work, sizeof work, "%s/.proof-work", out);
    merge_rm_tree(work);                /* a killed merge's leftovers */
    ok = ok && folio_mkdirs(work, err);
    for (int s = 1; ok && s <= n_shards; s++) {
        uint32_t k = 0;
        for (uint32_t i = 0; i < np; i++)
            if (picks[i].shard == s)
                rp[k++] = (folio_proof_replay_pick){.household = picks[i].household,
                                                    .keys = picks[i].keys, .sample = i};
        if (!k)
            continue;
        folio_proof_replay X = {.cover = c, .picks = rp, .n_picks = k, .fonts = L->fonts,
                                .n_fonts = L->n_fonts, .pdf = &pdfo, .take = take, .keep = keep,
                                .ctx = &T};
        snprintf(sdir, sizeof sdir, "%s/s%02d", work, s);
        folio_run_options ro = {.job_path = jobs[s - 1], .out_dir = sdir, .shard_index = s,
                                .shard_count = n_shards, .quiet = true, .proof_replay = &X};
        folio_error e = {0};
        int rc = folio_run(&ro, NULL, &e);
        if (rc != FOLIO_EXIT_OK && rc != FOLIO_EXIT_REJECTS) {
            folio_error_set(err, rc == FOLIO_EXIT_USAGE ? FOLIO_EXIT_USAGE : FOLIO_EXIT_FAILED,
                            "shard %d: its proof households are rendered again from its job "
                            "%s: %s", s, jobs[s - 1], e.msg);
            ok = false;
        }
    }
    merge_rm_tree(work);
    /* every pick rendered, in pick order into one PDF */
    for (uint32_t i = 0; ok && i < np; i++)
        if (!T.cover[i]) {
            folio_error_set(err, FOLIO_EXIT_FAILED, "internal error: proof sample %u (household "
                            "%s, shard %d) was not rendered", i + 1, picks[i].household,
                            picks[i].shard);
            ok = false;
        }
    snprintf(path, sizeof path, "%s/proofs", out);
    ok = ok && folio_mkdirs(path, err);
    snprintf(part, sizeof part, "%s/proofs/proof.pdf.part", out);
    snprintf(path, sizeof path, "%s/proofs/proof.pdf", out);
    folio_pdf_writer *w = NULL;
    if (ok) {
        unlink(part);
        int fd = folio_create_excl(part);
        if (fd < 0) {
            folio_error_set(err, FOLIO_EXIT_FAILED, "%s: cannot create: %s", part,
                            strerror(errno));
            ok = false;
        } else {
            close(fd);
            ok = (w = pdf_writer_open(part, L->fonts, L->n_fonts, &pdfo, err)) != NULL;
        }
    }
    for (uint32_t i = 0; ok && i < np; i++) {
        r->first_page[i] = pdf_writer_pages(w) + 1;
        ok = pdf_writer_add_prepared(w, T.cover[i], err);
        r->cover_pages[i] = pdf_writer_pages(w) + 1 - r->first_page[i];
        if (ok && T.stmt[i])
            ok = pdf_writer_add_prepared(w, T.stmt[i], err);
        r->statement_pages[i] = T.stmt[i] ? T.stmt_pages[i] : 0;
    }
    if (w && ok && np == 0) {
        /* r-harden (round 25): an empty sample (no household in any shard)
         * gets the page that says so, as an unsharded run's proof.pdf */
        folio_arena a;
        folio_arena_init(&a, 64 * 1024);
        folio_dl_statement *none = proof_empty_page(L, &a);
        if (!none)
            folio_error_set(err, FOLIO_EXIT_FAILED, "the proof sample: out of memory");
        ok = none && pdf_writer_add_statement(w, none, err);
        folio_arena_free(&a);
    }
    if (w && ok) {
        r->pages = pdf_writer_pages(w);
        ok = pdf_writer_close(w, NULL, err) && rename(part, path) == 0;
        if (!ok && !err->code)
            folio_error_set(err, FOLIO_EXIT_FAILED, "%s: rename failed: %s", path,
                            strerror(errno));
    } else if (w) {
        pdf_writer_abort(w);
    }
    if (!ok)
        unlink(part);
    r->written = ok;
    for (uint32_t i = 0; i < np && T.cover && T.stmt; i++) {
        if (T.cover[i])
            pdf_prepared_free(T.cover[i]);
        if (T.stmt[i])
            pdf_prepared_free(T.stmt[i]);
    }
    for (uint32_t i = 0; i < T.n_kept; i++) {
        offers_free(T.offers[i]);
        layout_free(T.layouts[i]);
    }
    free(T.layouts);
    free(T.offers);
    free(T.cover);
    free(T.stmt);
    free(T.stmt_pages);
    free(rp);
    layout_free(L);
    job_free(J);
    return ok;
}
