/* SPDX-License-Identifier: Apache-2.0 */
/*
 * run-stages.h -- the stages of `folio run` in their own files (issue 11
 * part 3); run.c calls them in order.
 *
 *   run-households.c  plan: households, plan, routing, offers, the
 *                   per-household arrays and the shard's households
 *   run-compose.c   compose: every household once for its pages and
 *                   decisions; the e-delivery ones through the ordered
 *                   ring into the archive sink (sink-archive.h)
 *   run-plan.c      production: print files, run-level coverage keys
 *   run-proofs.c    the proof sample (proof.h)
 */
#ifndef FOLIO_RUN_STAGES_H
#define FOLIO_RUN_STAGES_H

#include "run-private.h"

/* The plan stage (run-households.c): households grouped, the plan and
 * what refines it (frequency, routing, names, ledger report, offers,
 * uplift), the per-household arrays and spools, R->in_shard; *t_plan: the
 * seconds compose_plan_new took. */
bool run_plan_stage(run_state *R, double *t_plan, folio_error *err);

/* The compose stage: every in-shard household not suppressed is composed
 * once (res[h], decided[h]); those routed to email or both go through the
 * ring into the archive (OUT/archive, .part names).  Errors: the failing
 * household with the lowest index wins, whatever the thread count. */
bool run_compose(run_state *R, folio_error *err);

/* Production plan and print files (run-plan.c). */
bool plan_files(run_state *R, folio_error *err);
/* Coverage keys only the run knows (run-plan.c). */
bool add_run_keys(run_state *R, folio_error *err);
/* OUT/proofs (run-proofs.c): the sample, before the print stage; the
 * proof sink's options for the print ring (NULL: proofs off); proof.pdf
 * and proofs.json after it. */
bool proofs_select(run_state *R, folio_error *err);
struct folio_sink_proof_options;
const struct folio_sink_proof_options *proofs_sink_options(const run_state *R);
bool write_proofs(run_state *R, folio_error *err);
folio_dl_statement *proof_compose_again(run_state *R, uint32_t h, folio_arena *arena,
                                        folio_error *err);
void run_proofs_free(run_proofs *P);

/* The document information of a PDF the run writes (run-plan.c). */
folio_pdf_options pdf_options_of(const folio_job *J, const char *what, char *subject,
                                 size_t cap);

/* issue 12 part 3 (r-merge): merge's proof-only run (run-proof-replay.c):
 * after the production plan, the merged sample's picks of this shard
 * rendered and handed to opt->proof_replay->take. */
bool run_proof_replay(run_state *R, folio_error *err);

#endif
