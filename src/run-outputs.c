/* SPDX-License-Identifier: Apache-2.0 */
/*
 * run-outputs.c -- what a run keeps in OUT and how it leaves it: refuse an
 * OUT that holds another shard's outputs, refuse inputs inside OUT, the
 * list of every output to publish (.part name -> final name), and the
 * removal of every .part name when the run fails.  The mechanisms (the
 * lock, stale-output removal, fsync and rename order) are publish.c's; this
 * file knows the run's names.
 */
#include "run-outputs.h"

#include "folio/paragraphs.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* An existing OUT/manifest.json written by a different shard (or by an
 * unsharded run when this one is a shard, and the reverse) means two runs
 * share OUT: refuse, rather than overwrite the other's audit and manifest. */
bool same_shard_or_new(run_state *R, const char *manifest, folio_error *err)
{
    if (access(manifest, F_OK) != 0)
        return true;
    /* refuses a FIFO or device planted under the manifest's name (no hang) */
    FILE *f = folio_input_fopen(manifest, "the earlier run's manifest", FOLIO_EXIT_USAGE, err);
    if (!f)
        return false;
    char buf[4096];
    size_t n = fread(buf, 1, sizeof buf - 1, f);
    fclose(f);
    buf[n] = '\0';
    const char *si = strstr(buf, "\"shard_index\":"), *sc = strstr(buf, "\"shard_count\":");
    if (!si || !sc)
        return true;                    /* not a folio manifest we know: replaced */
    char *e1, *e2;
    long oi = strtol(si + 14, &e1, 10), oc = strtol(sc + 14, &e2, 10);
    if (e1 == si + 14 || e2 == sc + 14)
        return true;                    /* not a folio manifest we know: replaced */
    if (oi == R->opt->shard_index && oc == R->opt->shard_count)
        return true;
    folio_error_set(err, FOLIO_EXIT_USAGE,
                    "%s: this directory holds the outputs of %s%d/%d; give each shard its "
                    "own --out directory (or remove it)", R->out,
                    oc > 0 ? "shard " : "an unsharded run ", (int)oi, (int)oc);
    return false;
}

/* Remove every temporary print output (a failed or unbalanced run). */
void unlink_parts(run_state *R)
{
    print_unlink_parts(R->files, R->n_files);
}

/* Every file the run reads must lie outside what it writes in OUT
 * (publish.h outdir_check_inputs): an input there is a job error. */
bool check_inputs(run_state *R, folio_error *err)
{
    const folio_job *J = R->job;
    const folio_layout *L = R->layout;
    size_t cap = 4 + (size_t)J->n_feeds + (size_t)L->n_fonts, n = 0;
    folio_input *in = calloc(cap, sizeof *in);
    char (*what)[96] = calloc(cap, sizeof *what);
    if (!in || !what) {
        free(in);
        free(what);
        folio_error_set(err, FOLIO_EXIT_FAILED, "out of memory");
        return false;
    }
    in[n++] = (folio_input){"job file", J->path};
    in[n++] = (folio_input){"layout", J->layout_path};
    if (L->paragraphs)
        in[n++] = (folio_input){"paragraph library", L->paragraphs->path};
    if (J->offers)
        in[n++] = (folio_input){"offer catalogue", J->offers->catalogue};
    for (int i = 0; i < J->n_feeds; i++) {
        snprintf(what[n], sizeof what[n], "feed '%s'", J->feeds[i].name);
        in[n] = (folio_input){what[n], J->feeds[i].path};
        n++;
    }
    for (int i = 0; i < L->n_fonts; i++) {
        snprintf(what[n], sizeof what[n], "font '%s'", L->fonts[i].name);
        in[n] = (folio_input){what[n], L->fonts[i].file};
        n++;
    }
    bool ok = outdir_check_inputs(&R->od, in, n, err);
    free(in);
    free(what);
    return ok;
}

/* The record files at OUT's top level, in publishing order; the contact
 * history (last) only when the job has offers. */
static const char *const record_names[] = {"rejects.csv", "exceptions.csv", "suppressed.csv",
                                           "audit.jsonl", "contact_history.csv",
                                           "not_due.csv", "statement_history.csv" /* issue 15 */};

/* The publish list: every output of the run, .part and final name. */
folio_pub_item *publish_items(run_state *R, char rec[][2][4200], size_t *n_out)
{
    size_t cap = (FOLIO_PRINT_FORMATS + 1) * R->n_files + 2 + 3 * R->arch.n_zips + 1 + 7 + 1, n = 0;
    folio_pub_item *it = calloc(cap, sizeof *it);
    if (!it)
        return NULL;
    for (size_t i = 0; i < R->n_files; i++) {
        const print_file *f = &R->files[i];
        for (int k = 0; k < FOLIO_PRINT_FORMATS; k++)
            if (print_format_on(R->job, k))
                it[n++] = (folio_pub_item){FOLIO_OUT_PRINT, f->out[k].part, f->out[k].path};
        it[n++] = (folio_pub_item){FOLIO_OUT_PRINT, f->pieces_part, f->pieces_path};
    }
    if (R->proof.written) {
        it[n++] = (folio_pub_item){FOLIO_OUT_PROOFS, R->proof.pdf_part, R->proof.pdf_path};
        it[n++] = (folio_pub_item){FOLIO_OUT_PROOFS, R->proof.json_part, R->proof.json_path};
    }
    for (size_t k = 0; k < R->arch.n_zips; k++) {
        const folio_archive_zip *z = &R->arch.zips[k];
        it[n++] = (folio_pub_item){FOLIO_OUT_ARCHIVE, z->part, z->path};
        it[n++] = (folio_pub_item){FOLIO_OUT_ARCHIVE, z->csv_part, z->csv_path};
        it[n++] = (folio_pub_item){FOLIO_OUT_ARCHIVE, z->json_part, z->json_path};
    }
    if (R->arch.notif_part)
        it[n++] = (folio_pub_item){FOLIO_OUT_ARCHIVE, R->arch.notif_part, R->arch.notif_path};
    size_t n_rec = sizeof record_names / sizeof *record_names;
    for (size_t k = 0, r = 0; k < n_rec; k++) {
        if ((k == 4 && !R->offers) || (k >= 5 && !R->job->frequency))   /* issue 15 part 1 */
            continue;
        snprintf(rec[r][0], sizeof rec[r][0], "%s/%s.part", R->out, record_names[k]);
        snprintf(rec[r][1], sizeof rec[r][1], "%s/%s", R->out, record_names[k]);
        it[n++] = (folio_pub_item){FOLIO_OUT_TOP, rec[r][0], rec[r][1]};
        r++;
    }
    if (R->report_written)             /* issue 16 part 5: report.html */
        it[n++] = (folio_pub_item){FOLIO_OUT_TOP, R->report_part, R->report_path};
    *n_out = n;
    return it;
}

/* A failed run: remove every .part name it may have written. */
void discard_parts(run_state *R)
{
    unlink_parts(R);
    archive_discard(&R->arch);
    proof_discard(&R->proof);
    char path[4200];
    for (size_t k = 0; k < sizeof record_names / sizeof *record_names; k++) {
        snprintf(path, sizeof path, "%s/%s.part", R->out, record_names[k]);
        unlink(path);
    }
    snprintf(path, sizeof path, "%s/manifest.json.part", R->out);
    unlink(path);
    if (R->report_written)             /* issue 16 part 5 */
        unlink(R->report_part);
}
