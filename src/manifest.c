/* SPDX-License-Identifier: Apache-2.0 */
/*
 * manifest.c -- OUT/manifest.json: what the run read (job, feeds, layout,
 * paragraphs, offer catalogue: bytes and SHA-256 as parsed), what it wrote
 * (every print, pieces, archive and record file with its counts, bytes and
 * SHA-256), the mail streams, the proof sample, the control totals and the
 * reconciliation checks.  `folio verify` (verify.c) re-checks OUT against it.
 *
 * Written last, under manifest.json.part, after every output it lists has
 * been written (their .part names are hashed here); publish renames it
 * after all of them.
 */
#include "manifest.h"

#include "ccy-totals.h"
#include "report-html.h"
#include "run-spool.h"
#include "run-records-bg.h"   /* issue 11 (r-serial) */
#include "fsync-pool.h"       /* issue 11 (r-serial) */
#include "run-spill.h"   /* issue 12 part 1 */

#include "folio/exceptions.h"
#include "folio/paragraphs.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* Manifest: e-delivery counts (inside "counts", after a comma) and the
 * archive's files (inside "outputs"). */
static void manifest_archive_counts(run_state *R, folio_buf *b)
{
    uint64_t fallback = 0;
    for (size_t h = 0; h < R->hs.n; h++)
        fallback += R->in_shard[h] && R->plan->households[h].note &&
                    R->plan->households[h].channel != FOLIO_CHANNEL_SUPPRESSED;
    folio_buf_puts(b, "\"archive_documents\":");
    folio_buf_put_int(b, (int64_t)R->arch.n_docs);
    folio_buf_puts(b, ",\"archive_pages\":");
    folio_buf_put_int(b, (int64_t)R->arch.pages_total);
    folio_buf_puts(b, ",\"archive_files\":");
    folio_buf_put_int(b, (int64_t)R->arch.n_zips);
    folio_buf_puts(b, ",\"notifications\":");
    folio_buf_put_int(b, (int64_t)R->arch.notifications);
    folio_buf_puts(b, ",\"channel_changed\":");
    folio_buf_put_int(b, (int64_t)fallback);
    folio_buf_putc(b, ',');
}

static void manifest_archive_file(folio_buf *b, const char *name, const char *format,
                                  const char *channel, int64_t docs, int64_t pages,
                                  uint64_t bytes, const char *sha)
{
    folio_buf_puts(b, b->len && b->data[b->len - 1] == '[' ? "\n    {" : ",\n    {");
    folio_buf_puts(b, "\"file\":\"archive/");
    folio_buf_puts(b, name);
    folio_buf_puts(b, "\",\"format\":\"");
    folio_buf_puts(b, format);
    folio_buf_puts(b, "\",\"channel\":\"");
    folio_buf_puts(b, channel);
    folio_buf_puts(b, "\",");
    if (docs >= 0) {
        folio_buf_puts(b, "\"documents\":");
        folio_buf_put_int(b, docs);
        folio_buf_putc(b, ',');
    }
    if (pages >= 0) {
        folio_buf_puts(b, "\"pages\":");
        folio_buf_put_int(b, pages);
        folio_buf_putc(b, ',');
    }
    folio_buf_puts(b, "\"bytes\":");
    folio_buf_put_int(b, (int64_t)bytes);
    folio_buf_puts(b, ",\"sha256\":\"");
    folio_buf_puts(b, sha);
    folio_buf_puts(b, "\"}");
}

static void manifest_archive_outputs(run_state *R, folio_buf *b)
{
    const folio_archive_result *A = &R->arch;
    for (size_t k = 0; k < A->n_zips; k++) {
        const folio_archive_zip *z = &A->zips[k];
        manifest_archive_file(b, z->name, "zip", "email", z->n_docs, (int64_t)z->pages, z->bytes,
                              z->sha256);
        manifest_archive_file(b, z->csv_name, "csv", "email", z->n_docs, -1, z->csv_bytes,
                              z->csv_sha256);
        manifest_archive_file(b, z->json_name, "json", "email", z->n_docs, -1, z->json_bytes,
                              z->json_sha256);
    }
    if (A->notif_path)
        manifest_archive_file(b, A->notif_name, "csv", "email", -1, -1, A->notif_bytes,
                              A->notif_sha256);
}

/* ---- manifest ---------------------------------------------------------- */

static const char *kind_name(folio_feed_kind k)
{
    switch (k) {
    case FOLIO_FEED_CUSTOMERS: return "customers";
    case FOLIO_FEED_ACCOUNTS: return "accounts";
    case FOLIO_FEED_TRANSACTIONS: return "transactions";
    case FOLIO_FEED_CONTACTS: return "contacts";
    case FOLIO_FEED_HOLDERS: return "holders";
    case FOLIO_FEED_RESPONSES: return "responses";   /* issue 15 part 4 */
    case FOLIO_FEED_CUSTOMER_ATTRS: return "customer_attributes";
    case FOLIO_FEED_ACCOUNT_ATTRS: return "account_attributes";
    case FOLIO_FEED_EVENTS: return "events";      /* issue 15 part 2 */
    }
    return "?";
}

void json_kv_str(folio_buf *b, const char *k, const char *v, bool comma)
{
    folio_buf_put_json_str(b, k, strlen(k));
    folio_buf_putc(b, ':');
    folio_buf_put_json_str(b, v ? v : "", v ? strlen(v) : 0);
    if (comma)
        folio_buf_putc(b, ',');
}

static void json_kv_int(folio_buf *b, const char *k, int64_t v, bool comma)
{
    folio_buf_put_json_str(b, k, strlen(k));
    folio_buf_putc(b, ':');
    folio_buf_put_int(b, v);
    if (comma)
        folio_buf_putc(b, ',');
}

/* "file", "bytes" and "sha256" of an input (no comma after): what folio
 * verify compares the input with later -- the bytes that were parsed, as
 * hashed at load (the path may hold other bytes by now). */
static void json_file_ref(folio_buf *b, const char *path, const folio_input_id *id)
{
    json_kv_str(b, "file", path, true);
    json_kv_int(b, "bytes", (int64_t)id->bytes, true);
    json_kv_str(b, "sha256", id->sha256, false);
}

/* One entry of manifest "outputs": print file i in one format. */
static void manifest_output(folio_buf *b, run_state *R, size_t i, const char *name,
                            const char *format, uint64_t bytes, const char *sha)
{
    const print_file *f = &R->files[i];
    const folio_prod_file *pf = &R->prod->files[i];
    uint32_t lastp = pf->first_piece + pf->n_pieces - 1;
    char rel[256], prel[256];
    snprintf(rel, sizeof rel, "print/%s", name);
    snprintf(prel, sizeof prel, "print/%s", f->pieces_name);
    folio_buf_puts(b, b->len && b->data[b->len - 1] == '[' ? "\n    {" : ",\n    {");
    json_kv_str(b, "file", rel, true);
    json_kv_str(b, "format", format, true);
    json_kv_str(b, "channel", "print", true);
    json_kv_str(b, "stream", R->prod->streams[pf->stream].name, true);
    json_kv_int(b, "statements", f->statements, true);
    json_kv_int(b, "pages", f->pages, true);
    json_kv_int(b, "sheets", f->sheets, true);
    json_kv_str(b, "duplex", R->job->duplex ? "yes" : "no", true);
    if (pf->oversize)
        folio_buf_puts(b, "\"oversize\":true,");
    json_kv_str(b, "first_piece", R->prod->pieces[pf->first_piece].id, true);
    json_kv_str(b, "last_piece", R->prod->pieces[lastp].id, true);
    json_kv_str(b, "first_household", R->hs.v[piece_hh(R, pf->first_piece)].id, true);
    json_kv_str(b, "last_household", R->hs.v[piece_hh(R, lastp)].id, true);
    json_kv_str(b, "pieces", prel, true);
    json_kv_int(b, "bytes", (int64_t)bytes, true);
    json_kv_str(b, "sha256", sha, false);
    folio_buf_putc(b, '}');
}

/* Per paragraph of the layout's library, the statements that show it (from
 * the coverage keys, "paragraph:ID@VERSION" lines): shown[lib->n], zeroed
 * by the caller.  False when a household's keys cannot be read, or when
 * *cancel (may be NULL: not asked) turns non-zero -- the records thread's
 * precompute stops with the run (review, round 27). */
bool manifest_paragraphs_shown(const run_state *R, uint64_t *shown, const int *cancel)
{
    const folio_paragraphs *lib = R->layout->paragraphs;
    char *kbuf = NULL;                  /* issue 12 part 1 */
    size_t kcap = 0;
    folio_error kerr = {0};
    bool ok = true;
    for (size_t h = 0; lib && h < R->hs.n; h++) {
        run_spill_tick(R, RUN_SPILL_LIGHT);   /* issue 12 part 1 */
        if (cancel && (h & 4095) == 0 && __atomic_load_n(cancel, __ATOMIC_RELAXED)) {
            ok = false;
            break;
        }
        /* statements only: a suppressed household has coverage keys but no text */
        if (!R->in_shard[h] || !R->decided[h] ||
            R->plan->households[h].channel == FOLIO_CHANNEL_SUPPRESSED)
            continue;
        /* issue 12 part 1: the keys from their spool */
        const char *keys = run_keys_get(R, h, &kbuf, &kcap, &kerr);
        if (!keys) {
            ok = false;
            break;
        }
        for (const char *k = keys; *k;) {   /* "kind:value\n" lines */
            const char *eol = strchr(k, '\n');
            size_t len = eol ? (size_t)(eol - k) : strlen(k);
            const char *at = memchr(k, '@', len);
            if (len > 10 && !memcmp(k, "paragraph:", 10) && at)
                for (int i = 0; i < lib->n; i++)
                    if ((size_t)(at - k - 10) == strlen(lib->v[i].id)
                        && !memcmp(k + 10, lib->v[i].id, (size_t)(at - k - 10))
                        && atoi(at + 1) == lib->v[i].version)
                        shown[i]++;
            k += len + (eol != NULL);
        }
    }
    free(kbuf);
    return ok;
}

/* Manifest "variations": statements per language, how many used a fallback
 * text, the translations the layout lacks, and each paragraph id@version with
 * the number of statements that show it (from the coverage keys). */
static void manifest_variations(folio_buf *b, run_state *R)
{
    const folio_layout *L = R->layout;
    size_t nl = (size_t)L->n_languages;
    uint64_t *per = calloc(nl + 1, sizeof *per);
    const folio_paragraphs *lib = L->paragraphs;
    uint64_t *shown = calloc((size_t)(lib ? lib->n : 0) + 1, sizeof *shown);
    uint64_t fallback = 0;
    if (!per || !shown) {
        b->failed = true;
        free(per);
        free(shown);
        return;
    }
    for (size_t h = 0; h < R->hs.n; h++) {
        run_spill_tick(R, RUN_SPILL_LIGHT);   /* issue 12 part 1 */
        /* statements only: a suppressed household has coverage keys but no text */
        if (!R->in_shard[h] || !R->decided[h] ||
            R->plan->households[h].channel == FOLIO_CHANNEL_SUPPRESSED)
            continue;
        const folio_compose_result *rs = &R->res[h];
        if (rs->language < nl)
            per[rs->language]++;
        fallback += rs->fallback;
    }
    /* r-twothr: counted by the records thread at 2+ threads */
    if (lib && !run_paragraphs_shown(R, shown))
        b->failed = true;
    folio_buf_puts(b, "\n  \"variations\":{");
    json_kv_str(b, "fallback_language", L->languages[0], true);
    folio_buf_puts(b, "\"statements_by_language\":{");
    for (size_t l = 0; l < nl; l++)
        json_kv_int(b, L->languages[l], (int64_t)per[l], l + 1 < nl);
    folio_buf_puts(b, "},");
    json_kv_int(b, "fallback_statements", (int64_t)fallback, true);
    folio_buf_puts(b, "\"missing_translations\":{");
    for (size_t l = 1; l < nl; l++)
        json_kv_int(b, L->languages[l], L->n_missing[l], l + 1 < nl);
    folio_buf_puts(b, "},\"paragraphs\":[");
    for (int i = 0; lib && i < lib->n; i++) {
        folio_buf_puts(b, i ? ",{" : "{");
        json_kv_str(b, "id", lib->v[i].id, true);
        json_kv_int(b, "version", lib->v[i].version, true);
        if (lib->v[i].approved_by)
            json_kv_str(b, "approved_by", lib->v[i].approved_by, true);
        if (lib->v[i].approved_date != FOLIO_DATE_NONE) {
            char d[16];
            folio_date_format(lib->v[i].approved_date, "YYYY-MM-DD", d, sizeof d);
            json_kv_str(b, "approved_date", d, true);
        }
        json_kv_int(b, "statements", (int64_t)shown[i], false);
        folio_buf_putc(b, '}');
    }
    folio_buf_puts(b, "]},");
    free(per);
    free(shown);
}

/* Manifest "offers" (inside "layout"'s sibling list, written after it):
 * the catalogue, and per offer and variant how many statements showed it and
 * how many households were held out (offers.h). */
static void manifest_offers(run_state *R, folio_buf *b)
{
    const folio_offers *o = R->offers;
    int n = offers_count(o);
    uint64_t (*shown)[8] = calloc((size_t)n, sizeof *shown);
    uint64_t *held = calloc((size_t)n, sizeof *held);
    uint64_t with = 0, total_shown = 0, total_held = 0;
    if (!shown || !held) {
        b->failed = true;
        free(shown);
        free(held);
        return;
    }
    for (size_t h = 0; h < R->hs.n; h++) {
        if (!R->in_shard[h] || !R->decided[h])
            continue;
        const folio_compose_result *rs = &R->res[h];
        bool any = false;
        for (int i = 0; i < rs->n_offers; i++) {
            const folio_offer_shown *s = &rs->offers[i];
            if (s->holdout) {
                held[s->offer]++;
                total_held++;
            } else {
                shown[s->offer][s->variant & 7]++;
                total_shown++;
                any = true;
            }
        }
        with += any;
    }
    const folio_input_id *cat = offers_input(R->offers);   /* the bytes parsed */
    folio_buf_puts(b, "},\n  \"offers\":{");
    json_kv_str(b, "catalogue", R->job->offers->catalogue, true);
    json_kv_int(b, "bytes", (int64_t)cat->bytes, true);
    json_kv_str(b, "sha256", cat->sha256, true);
    json_kv_int(b, "max_per_statement", R->job->offers->max_per_statement, true);
    json_kv_int(b, "statements_with_offers", (int64_t)with, true);
    json_kv_int(b, "shown", (int64_t)total_shown, true);
    json_kv_int(b, "held_out", (int64_t)total_held, true);
    {
        char hp[4200], hsha[65] = "";
        uint64_t hbytes = 0;
        folio_error he = {0};
        snprintf(hp, sizeof hp, "%s/contact_history.csv.part", R->out); /* renamed at publish */
        /* r-twothr: hashed already by the records thread at 2+ threads */
        if (!run_record_sha256(R, hp, hsha, &hbytes, &he))
            hsha[0] = 0;
        folio_buf_puts(b, "\"contact_history\":{");
        json_kv_str(b, "file", "contact_history.csv", true);
        json_kv_int(b, "rows_read", (int64_t)R->ds->n_contacts, true);
        json_kv_int(b, "rows_added", (int64_t)total_shown, true);
        json_kv_int(b, "rows_held_out", (int64_t)total_held, true);   /* issue 15 part 4 */
        json_kv_int(b, "bytes", (int64_t)hbytes, true);
        json_kv_str(b, "sha256", hsha, false);
        folio_buf_puts(b, "},");
    }
    folio_buf_puts(b, "\"by_offer\":[");
    for (int i = 0; i < n; i++) {
        uint64_t s = 0;
        for (int v = 0; v < offers_variant_count(o, i); v++)
            s += shown[i][v];
        folio_buf_puts(b, i ? ",\n    {" : "\n    {");
        json_kv_str(b, "id", offers_id(o, i), true);
        json_kv_int(b, "shown", (int64_t)s, true);
        json_kv_int(b, "held_out", (int64_t)held[i], true);
        folio_buf_puts(b, "\"variants\":[");
        for (int v = 0; v < offers_variant_count(o, i); v++) {
            const char *vid = offers_variant_id(o, i, v);
            folio_buf_puts(b, v ? ",{" : "{");
            json_kv_str(b, "id", vid ? vid : "", true);
            json_kv_str(b, "response_code", offers_response_code(o, i, v), true);
            json_kv_int(b, "shown", (int64_t)shown[i][v], false);
            folio_buf_putc(b, '}');
        }
        folio_buf_puts(b, "]}");
    }
    folio_buf_puts(b, "\n  ]");
    free(shown);
    free(held);
}

bool write_manifest(run_state *R, const totals *T, bool balanced,
                           const char *checks_json, folio_error *err)
{
    const folio_job *J = R->job;
    folio_buf b;
    folio_buf_init(&b, (size_t)1 << 30);
    char d[16];
    folio_buf_puts(&b, "{\n  ");
    json_kv_str(&b, "generator", "folio " FOLIO_VERSION, true);
    folio_buf_puts(&b, "\n  \"job\":{");
    json_kv_str(&b, "name", J->name, true);
    folio_date_format(J->statement_date, "YYYY-MM-DD", d, sizeof d);
    json_kv_str(&b, "statement_date", d, true);
    folio_date_format(J->period_start, "YYYY-MM-DD", d, sizeof d);
    json_kv_str(&b, "period_start", d, true);
    folio_date_format(J->period_end, "YYYY-MM-DD", d, sizeof d);
    json_kv_str(&b, "period_end", d, true);
    json_kv_int(&b, "shard_index", R->opt->shard_index, true);
    json_kv_int(&b, "shard_count", R->opt->shard_count, true);
    /* folio verify re-hashes every input; relative paths are from here */
    char cwd[4096];
    json_kv_str(&b, "run_dir", getcwd(cwd, sizeof cwd) ? cwd : "", true);
    json_file_ref(&b, J->path, &J->input);
    folio_buf_puts(&b, "},\n  \"inputs\":[");
    for (int i = 0; i < J->n_feeds; i++) {
        const folio_feed_stats *s = &R->ds->stats[i];
        folio_buf_puts(&b, i ? ",\n    {" : "\n    {");
        json_kv_str(&b, "feed", J->feeds[i].name, true);
        json_kv_str(&b, "kind", kind_name(J->feeds[i].kind), true);
        json_kv_str(&b, "file", J->feeds[i].path, true);
        json_kv_int(&b, "bytes", (int64_t)s->bytes, true);
        json_kv_str(&b, "sha256", s->sha256, true);
        json_kv_int(&b, "rows", (int64_t)s->records, true);
        json_kv_int(&b, "accepted", (int64_t)s->accepted, true);
        json_kv_int(&b, "rejected", (int64_t)s->rejected, false);
        if (J->feeds[i].kind == FOLIO_FEED_TRANSACTIONS) {
            /* issue 10 part 6: per currency, in its minor unit */
            ccy_totals fc;
            if (!run_ccy_totals(R, i, &fc, err)) {   /* issue 11 (r-serial) */
                folio_buf_free(&b);
                return false;
            }
            folio_buf_putc(&b, ',');
            ccy_json_member(&b, "amount_read", &fc, CCY_READ, true);
            ccy_json_member(&b, "amount_rejected", &fc, CCY_REJECTED, false);
            ccy_totals_free(&fc);
        }
        folio_buf_putc(&b, '}');
    }
    folio_buf_puts(&b, "\n  ],\n  \"layout\":{");
    json_file_ref(&b, R->layout->path, &R->layout->input);
    if (R->layout->paragraphs) {
        folio_buf_puts(&b, "},\n  \"paragraphs\":{");
        json_file_ref(&b, R->layout->paragraphs->path, &R->layout->paragraphs->input);
    }
    if (R->offers)
        manifest_offers(R, &b);
    manifest_contacts(R, &b);                   /* issue 15 parts 3/4 */
    folio_buf_puts(&b, "},\n  \"counts\":{");
    json_kv_int(&b, "households", (int64_t)T->households, true);
    folio_buf_puts(&b, "\"statements\":{");
    json_kv_int(&b, "print", (int64_t)T->statements[FOLIO_CHANNEL_PRINT], true);
    json_kv_int(&b, "email", (int64_t)T->statements[FOLIO_CHANNEL_EMAIL], true);
    json_kv_int(&b, "both", (int64_t)T->statements[FOLIO_CHANNEL_BOTH], true);
    json_kv_int(&b, "suppressed", (int64_t)T->statements[FOLIO_CHANNEL_SUPPRESSED], false);
    folio_buf_puts(&b, "},");
    json_kv_int(&b, "print_statements", (int64_t)R->n_print, true);
    json_kv_int(&b, "print_pages", (int64_t)T->pages_print, true);
    json_kv_int(&b, "print_sheets", (int64_t)T->sheets, true);
    json_kv_int(&b, "email_only_pages", (int64_t)T->pages_email, true);
    json_kv_int(&b, "print_files", (int64_t)R->n_files, true);
    json_kv_int(&b, "oversize_files", R->n_files ? (int64_t)R->prod->oversize_files : 0, true);
    if (afp_on(R))
        json_kv_int(&b, "afp_substitutions", (int64_t)T->afp_substitutions, true);
    if (afp_on(R))
        json_kv_int(&b, "afp_cut_values", (int64_t)T->afp_cut_values, true);
    json_kv_int(&b, "notdef_chars", (int64_t)T->notdef_chars, true);
    json_kv_int(&b, "text_shrunk", (int64_t)T->text_shrunk, true);
    json_kv_int(&b, "text_clipped", (int64_t)T->text_clipped, true);
    manifest_archive_counts(R, &b);
    json_kv_int(&b, "rejected_rows", (int64_t)T->rejects, true);
    ledger_manifest(&R->ledger, &b);   /* issue 10 part 3: counts.ledger */
    if (R->job->frequency)             /* issue 15 part 1: counts.not_due */
        folio_buf_printf(&b, "\"not_due\":{\"households\":%llu,\"print\":%llu,\"email\":%llu,"
                         "\"extended\":%llu,\"split\":%llu,\"accounts\":%llu},",   /* r-chan */
                         (unsigned long long)R->freq.households_not_due,
                         (unsigned long long)R->freq.print_not_due,
                         (unsigned long long)R->freq.email_not_due,
                         (unsigned long long)R->freq.extended,
                         (unsigned long long)R->freq.split,
                         (unsigned long long)R->freq.accounts_not_due);
    folio_buf_puts(&b, "\"exceptions\":{");
    for (int k = 0; k < FOLIO_EXC__COUNT; k++)
        json_kv_int(&b, folio_exception_kind_name((folio_exception_kind)k),
                    (int64_t)R->ds->exceptions.count[k], true);
    json_kv_int(&b, "total", (int64_t)R->ds->exceptions.n, false);
    folio_buf_putc(&b, '}');
    folio_buf_puts(&b, "},");
    manifest_variations(&b, R);
    folio_buf_puts(&b, "\n  \"outputs\":[");
    for (size_t i = 0; i < R->n_files; i++)
        for (int k = 0; k < FOLIO_PRINT_FORMATS; k++)
            if (print_format_on(J, k))
                manifest_output(&b, R, i, R->files[i].out[k].name, print_formats[k].key,
                                R->files[i].out[k].res.bytes, R->files[i].out[k].sha256);
    manifest_archive_outputs(R, &b);
    /* the record files: what was rejected, suppressed and decided, so
     * `folio verify` protects the audit trail like the print files */
    folio_buf_puts(&b, "\n  ],\n  \"records\":[");
    {
        static const char *const rec[] = {"audit.jsonl", "rejects.csv", "suppressed.csv",
                                          "contact_history.csv", "exceptions.csv",
                                          "not_due.csv", "statement_history.csv" /* issue 15 */,
                                          "report.html" /* issue 16 part 5: last, k == 7 */};
        int nrec = 0;
        for (size_t k = 0; k < sizeof rec / sizeof *rec; k++) {
            char rp[4200], hex[65];
            uint64_t bytes = 0;
            folio_error e = {0};
            snprintf(rp, sizeof rp, "%s/%s.part", R->out, rec[k]);   /* renamed at publish */
            if (access(rp, F_OK) != 0)
                continue;               /* e.g. no contact history in this job */
            bool rep = k == 7;          /* issue 16 part 5: without its timings */
            if (!(rep ? report_html_digest(rp, hex, &bytes, &e)
                      : run_record_sha256(R, rp, hex, &bytes, &e))) {   /* r-serial */
                *err = e;
                folio_buf_free(&b);
                return false;
            }
            folio_buf_puts(&b, nrec++ ? ",\n    {" : "\n    {");
            json_kv_str(&b, "file", rec[k], true);
            if (rep)
                json_kv_str(&b, "hashed", "without its timings section", true);
            if (k == 0)
                json_kv_int(&b, "rows", (int64_t)T->households, true);
            else if (k == 1)
                json_kv_int(&b, "rows", (int64_t)T->rejects, true);
            else if (k == 4)
                json_kv_int(&b, "rows", (int64_t)R->ds->exceptions.n, true);
            else if (k == 5)
                json_kv_int(&b, "rows", (int64_t)(R->freq.print_not_due + R->freq.email_not_due +
                                                  R->freq.accounts_not_due),   /* r-chan */
                            true);
            else if (k == 6)
                json_kv_int(&b, "rows", (int64_t)R->freq.history_rows, true);
            json_kv_int(&b, "bytes", (int64_t)bytes, true);
            json_kv_str(&b, "sha256", hex, false);
            folio_buf_putc(&b, '}');
        }
    }
    /* the inserter data files, one per print file */
    folio_buf_puts(&b, "\n  ],\n  \"piece_files\":[");
    for (size_t i = 0; i < R->n_files; i++) {
        const print_file *f = &R->files[i];
        const folio_prod_file *pf = &R->prod->files[i];
        char rel[256], prel[256];
        snprintf(rel, sizeof rel, "print/%s", f->name);
        snprintf(prel, sizeof prel, "print/%s", f->pieces_name);
        folio_buf_puts(&b, i ? ",\n    {" : "\n    {");
        json_kv_str(&b, "file", prel, true);
        json_kv_str(&b, "format", "csv", true);
        json_kv_str(&b, "print_file", rel, true);
        json_kv_str(&b, "stream", R->prod->streams[pf->stream].name, true);
        json_kv_int(&b, "pieces", pf->n_pieces, true);
        json_kv_int(&b, "bytes", (int64_t)f->pieces_bytes, true);
        json_kv_str(&b, "sha256", f->pieces_sha256, false);
        folio_buf_putc(&b, '}');
    }
    /* mail streams in configured order, then the suppressed households */
    folio_buf_puts(&b, "\n  ],\n  \"streams\":[");
    for (uint32_t s = 0; s < R->prod->n_streams; s++) {
        const folio_prod_stream *ps = &R->prod->streams[s];
        folio_buf_puts(&b, s ? ",\n    {" : "\n    {");
        json_kv_str(&b, "name", ps->name, true);
        folio_buf_puts(&b, "\"printed\":true,");
        json_kv_int(&b, "statements", (int64_t)ps->statements, true);
        json_kv_int(&b, "pages", (int64_t)ps->pages, true);
        json_kv_int(&b, "sheets", (int64_t)ps->sheets, true);
        json_kv_int(&b, "files", R->n_files ? ps->n_files : 0, ps->statements > 0);
        if (ps->statements) {
            const folio_prod_file *ff = &R->prod->files[ps->first_file];
            const folio_prod_file *lf = &R->prod->files[ps->first_file + ps->n_files - 1];
            json_kv_str(&b, "first_piece", R->prod->pieces[ff->first_piece].id, true);
            json_kv_str(&b, "last_piece",
                        R->prod->pieces[lf->first_piece + lf->n_pieces - 1].id, false);
        }
        folio_buf_putc(&b, '}');
    }
    folio_buf_puts(&b, R->prod->n_streams ? ",\n    {" : "\n    {");
    json_kv_str(&b, "name", "suppressed", true);
    folio_buf_puts(&b, "\"printed\":false,");
    json_kv_int(&b, "statements", (int64_t)T->statements[FOLIO_CHANNEL_SUPPRESSED], false);
    folio_buf_putc(&b, '}');
    folio_buf_puts(&b, "\n  ],\n  ");
    proof_manifest_json(&R->proof, J->proofs, &b);
    folio_buf_puts(&b, ",\n  \"control_totals\":{\n    \"accounts\":{");
    json_kv_int(&b, "read", (int64_t)T->acc_read, true);
    json_kv_int(&b, "rejected", (int64_t)T->acc_rejected, true);
    json_kv_int(&b, "composed", (int64_t)T->acc_composed, true);
    json_kv_int(&b, "suppressed", (int64_t)T->acc_suppressed, false);
    folio_buf_puts(&b, "},\n    \"transactions\":{");
    json_kv_int(&b, "read", (int64_t)T->txn_read, true);
    json_kv_int(&b, "rejected", (int64_t)T->txn_rejected, true);
    json_kv_int(&b, "composed", (int64_t)T->txn_composed, true);
    json_kv_int(&b, "suppressed", (int64_t)T->txn_suppressed, true);
    {
        /* issue 10 part 6: {"EUR":..,"JPY":..} per amount, never summed
         * across currencies */
        ccy_totals ct;
        if (!run_ccy_totals(R, -1, &ct, err)) {   /* issue 11 (r-serial) */
            folio_buf_free(&b);
            return false;
        }
        ccy_json_member(&b, "amount_read", &ct, CCY_READ, true);
        ccy_json_member(&b, "amount_rejected", &ct, CCY_REJECTED, true);
        ccy_json_member(&b, "amount_composed", &ct, CCY_COMPOSED, true);
        ccy_json_member(&b, "amount_suppressed", &ct, CCY_SUPPRESSED, false);
        ccy_totals_free(&ct);
    }
    folio_buf_puts(&b, "}\n  },\n  \"reconciliation\":{");
    folio_buf_puts(&b, "\"balanced\":");
    folio_buf_puts(&b, balanced ? "true" : "false");
    folio_buf_puts(&b, ",\"checks\":[");
    folio_buf_puts(&b, checks_json);
    folio_buf_puts(&b, "]}\n}\n");
    char path[4200];
    snprintf(path, sizeof path, "%s/manifest.json.part", R->out);
    /* durable under its .part name; renamed after every output it lists */
    /* issue 11 (r-serial): fsync'd by publish with the other outputs */
    bool ok = !b.failed && folio_write_part_unsynced(path, b.data, b.len, err);
    if (b.failed)
        folio_error_set(err, FOLIO_EXIT_FAILED, "%s: out of memory", path);
    folio_buf_free(&b);
    return ok;
}
