/* SPDX-License-Identifier: Apache-2.0 */
/*
 * run-plan.c -- the production stage of `folio run` (run-stages.h): print
 * statements -> production plan and print files; the coverage keys only
 * the run knows.  Moved from run.c (issue 11 part 3).
 */
#include "run-stages.h"
#include "run-report.h"
#include "run-spool.h"
#include "folio/compose.h"
#include "folio/household.h"
#include "folio/production.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* ---- print files ------------------------------------------------------------ */

/* Production: print statements (channel print or both) -> mail streams,
 * presort, print files split at max_sheets, piece ids and IMb serials. */
bool plan_files(run_state *R, folio_error *err)
{
    size_t n = R->hs.n;
    R->print_hh = malloc((n ? n : 1) * sizeof *R->print_hh);
    R->pin = calloc(n ? n : 1, sizeof *R->pin);
    if (!R->print_hh || !R->pin) {
        folio_error_set(err, FOLIO_EXIT_FAILED, "out of memory");
        return false;
    }
    for (size_t h = 0; h < n; h++) {
        uint8_t ch = R->plan->households[h].channel;
        if (!R->in_shard[h] || (ch != FOLIO_CHANNEL_PRINT && ch != FOLIO_CHANNEL_BOTH))
            continue;
        const folio_household *hh = &R->hs.v[h];
        folio_piece_input *in = &R->pin[R->n_print];
        if (hh->n_customers) {
            const folio_customer *c =
                &R->ds->customers[R->hs.customer_idx[hh->first_customer]];
            in->postal_code = c->postal_code;
            in->country = c->country;
            in->state = c->state;
            in->segment = c->segment;
        }
        in->household = hh->id;
        in->channel = ch;
        in->returned = R->plan->households[h].returned;
        in->pages = R->res[h].pages;
        R->print_hh[R->n_print++] = (uint32_t)h;
    }
    R->popt = R->job->production;
    if (!R->popt) {
        R->popt = R->popt_owned = production_options_default();
        if (!R->popt_owned) {
            folio_error_set(err, FOLIO_EXIT_FAILED, "out of memory");
            return false;
        }
    }
    char tag[32] = "";
    if (R->opt->shard_count > 0)
        snprintf(tag, sizeof tag, "s%02dof%02d", R->opt->shard_index, R->opt->shard_count);
    folio_production_params pp = {
        .duplex = R->job->duplex,
        .max_sheets = (uint32_t)(R->job->max_sheets_per_file > 0 ? R->job->max_sheets_per_file
                                                                  : 2000),
        .prefix = R->job->file_prefix,
        .tag = tag,
        .shard_index = R->opt->shard_index,
        .shard_count = R->opt->shard_count};
    R->prod = production_plan_new(R->popt, R->pin, R->n_print, &pp, err);
    if (!R->prod)
        return false;
    bool any = false;
    for (int k = 0; k < FOLIO_PRINT_FORMATS; k++)
        any = any || print_format_on(R->job, k);
    if (!any)
        return true;
    print_params pp2 = {.job = R->job, .prod = R->prod, .out = R->out};
    bool made = print_files_new(&pp2, err);
    R->files = pp2.files;
    R->n_files = pp2.n_files;
    if (!made)
        return false;
    for (size_t i = 0; i < R->n_files; i++) {
        const folio_prod_file *pf = &R->prod->files[i];
        const print_file *f = &R->files[i];
        if (pf->oversize && !R->opt->quiet)
            run_warn(R, "warning: %s holds one statement of %u sheets, above "
                    "output.print.max_sheets (%d)", f->name, pf->sheets,
                    R->job->max_sheets_per_file);
    }
    return true;
}

/* The document information of a PDF the run writes: title and author from
 * the job, "WHAT YYYY-MM-DD to YYYY-MM-DD" as subject (into subject[cap]),
 * dates from the statement date so reruns are byte-identical. */
folio_pdf_options pdf_options_of(const folio_job *J, const char *what, char *subject,
                                        size_t cap)
{
    char d0[16], d1[16];
    folio_date_format(J->period_start, "YYYY-MM-DD", d0, sizeof d0);
    folio_date_format(J->period_end, "YYYY-MM-DD", d1, sizeof d1);
    snprintf(subject, cap, "%s %s to %s", what, d0, d1);
    return (folio_pdf_options){.title = J->name, .author = J->bank_name, .subject = subject,
                               .doc_date = J->statement_date,
                               .compression = J->compression};
}

/* ---- run-level coverage keys and the proof sample ------------------------- */

/* Add key "kind:value" to b unless it is there; a newline in value becomes a
 * space, a value is cut at 200 bytes. */
static void run_key_add(folio_buf *b, const char *kind, const char *value, size_t vlen)
{
    char k[256];
    int n = snprintf(k, sizeof k, "%s:%.*s", kind, (int)(vlen > 200 ? 200 : vlen), value);
    if (n <= 0 || (size_t)n >= sizeof k)
        return;
    for (int i = 0; i < n; i++)
        if (k[i] == '\n' || k[i] == '\r')
            k[i] = ' ';
    for (const char *p = b->data, *end = p + b->len; p && p < end;) {
        const char *nl = memchr(p, '\n', (size_t)(end - p));
        if (!nl)
            break;
        if ((size_t)(nl - p) == (size_t)n && !memcmp(p, k, (size_t)n))
            return;
        p = nl + 1;
    }
    folio_buf_append(b, k, (size_t)n);
    folio_buf_putc(b, '\n');
}

/* The kind of a suppression reason: its text before any ':' or '(' (details
 * such as amounts differ per account; the kind is what a proof must show). */
static void run_key_reason(folio_buf *b, const char *reason)
{
    size_t n = strcspn(reason, ":(");
    while (n && reason[n - 1] == ' ')
        n--;
    run_key_add(b, "suppression", reason, n);
}

/* issue 11 (r-serial): the final keys of household h (add_run_keys) into
 * fin; b, kbuf the calling thread's. */
static bool run_keys_one(run_state *R, size_t h, const uint32_t *stream_of, uint32_t longest,
                         folio_spool *fin, folio_buf *bp, char **kbuf, size_t *kcap,
                         folio_error *err)
{
    static const char *const chname[] = {"print", "email", "both", "suppressed"};
    folio_buf b = *bp;
    const folio_household_plan *hp = &R->plan->households[h];
    const folio_household *hh = &R->hs.v[h];
    bool composed = R->decided[h] != 0;
    folio_buf_reset(&b);
    if (composed) {
        const char *k0 = run_keys_get(R, h, kbuf, kcap, err);
        if (!k0) {
            *bp = b;
            return false;
        }
        folio_buf_puts(&b, k0);
    }
    const char *ch = chname[hp->channel & 3];
    run_key_add(&b, "channel", ch, strlen(ch));
    if (hp->channel == FOLIO_CHANNEL_SUPPRESSED && hp->reason)
        run_key_reason(&b, hp->reason);
    for (uint32_t k = 0; composed && k < hh->n_accounts; k++) {
        const folio_account_plan *ap =
            &R->plan->accounts[R->hs.account_idx[hh->first_account + k]];
        if (ap->suppressed && ap->reason)
            run_key_reason(&b, ap->reason);
        else if (ap->n_outside)
            run_key_reason(&b, "posting date outside the statement period");
    }
    if (stream_of[h] != UINT32_MAX) {
        const char *sn = R->prod->streams[stream_of[h]].name;
        run_key_add(&b, "stream", sn, strlen(sn));
        if (R->job->duplex && (R->res[h].pages & 1) && !R->res[h].offer_back_page)
            run_key_add(&b, "duplex", "blank-back", 10);
    }
    if (composed && R->res[h].pages == longest)
        run_key_add(&b, "pages", "longest", 7);
    *bp = b;
    if (b.failed) {
        folio_error_set(err, FOLIO_EXIT_FAILED, "out of memory");
        return false;
    }
    if (!spool_put(fin, h, b.data ? b.data : "", b.len, err))
        return false;
    R->decided[h] = 1;              /* suppressed households get keys too */
    return true;
}

/* Coverage keys only the run knows, appended to each household's keys from
 * compose (so audit.jsonl "coverage" and the proof sample see one set):
 * channel:CH; suppression:KIND for a suppressed household, a suppressed
 * account or transactions outside the period of a composed one;
 * stream:NAME of a print statement; duplex:blank-back; pages:longest on the
 * statements with the most pages.  Suppressed households get keys too. */
bool add_run_keys(run_state *R, folio_error *err)
{
    size_t n = R->hs.n;
    uint32_t *stream_of = malloc((n ? n : 1) * sizeof *stream_of);
    if (!stream_of) {
        folio_error_set(err, FOLIO_EXIT_FAILED, "out of memory");
        return false;
    }
    for (size_t h = 0; h < n; h++)
        stream_of[h] = UINT32_MAX;
    for (size_t i = 0; i < R->prod->n_pieces; i++)
        stream_of[piece_hh(R, i)] = R->prod->pieces[i].stream;
    uint32_t longest = 0;
    for (size_t h = 0; h < n; h++)
        if (R->in_shard[h] && R->decided[h] && R->res[h].pages > longest)
            longest = R->res[h].pages;
    /* issue 12 part 1: compose's keys from its spool, the final set into a
     * new one (household order) that replaces it.  issue 11 (r-serial): the
     * households in parallel (spool_put is safe from any thread; the spool's
     * order on disk is not an output); the failing household with the
     * lowest index names the error, as the loop in order did. */
    folio_spool fin;
    if (!spool_open(&fin, R->spool_keys.dir, n, err) ||
        !spool_buffered(&fin, err)) {   /* issue 11 (r-spool): flushed below */
        free(stream_of);
        spool_close(&fin);
        return false;
    }
    size_t failed_at = SIZE_MAX;
    folio_error first = {0};
#pragma omp parallel
    {
        folio_buf b;
        folio_buf_init(&b, (size_t)1 << 24);
        char *kbuf = NULL;
        size_t kcap = 0;
#pragma omp for schedule(dynamic, 256)
        for (size_t h = 0; h < n; h++) {
            size_t fa;
#pragma omp atomic read
            fa = failed_at;
            if (h > fa || !R->in_shard[h] || folio_stop)   /* r-harden: a SIGTERM */
                continue;
            folio_error e = {0};
            if (!run_keys_one(R, h, stream_of, longest, &fin, &b, &kbuf, &kcap, &e)) {
#pragma omp critical(run_keys_err)
                if (h < failed_at) {
                    first = e;
#pragma omp atomic write
                    failed_at = h;
                }
            }
        }
        folio_buf_free(&b);
        free(kbuf);
    }
    free(stream_of);
    if (failed_at != SIZE_MAX) {
        *err = first;
        spool_close(&fin);
        return false;
    }
    if (folio_stopped(err) || !spool_flush(&fin, err)) {   /* r-harden: keys partial */
        spool_close(&fin);
        return false;
    }
    fin.trim = R->spool_keys.trim;      /* issue 12: its mapping trimmed with the tables */
    spool_close(&R->spool_keys);
    R->spool_keys = fin;
    return true;
}
