/* SPDX-License-Identifier: Apache-2.0 */
/*
 * records.c -- the record files at OUT's top level that tell, per household
 * and per row, what the run did: suppressed.csv (what was not printed and
 * why), audit.jsonl (one object per household: channel, accounts, pages,
 * print file and page range, archive document, coverage keys) and
 * contact_history.csv (next month's contacts feed).  rejects.csv is written
 * by feed.c (feed_write_rejects), exceptions.csv by exceptions.c.
 *
 * issue 11: the three are record sinks (folio_sink_record_file, sink.h) on
 * the record ring (folio_record_ring_run, src/sink-records.c): one pass over
 * the households in household order whose make() (rec_make below) formats
 * each household's rows for each file from the run's decisions and spools
 * (nothing is composed); the sinks create their files under the .part names
 * (O_EXCL), append the rows in order, and close them all or -- on a write
 * error, a stop request (folio_stop) or a cancelled run -- abort them all,
 * removing every .part.  The run renames them at publish (run-outputs.c).
 */
#include "records.h"

#include "ccy-totals.h"
#include "run-spool.h"
#include "run-spill.h"   /* issue 12 part 1 */

#include "folio/exceptions.h"
#include "folio/frequency.h"   /* issue 11: statement_history.csv's rows */

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- the record ring's context ------------------------------------------- */

/* The record files on the ring, in the order they are opened (the order the
 * records thread wrote them before). */
enum { REC_HISTORY, REC_SUPPRESSED, REC_AUDIT, REC_CONTACTS, REC_N };

typedef struct rec_ctx {
    run_state *R;
    folio_money *sum_txn;                 /* suppressed.csv's control figures */
    uint64_t *n_acc, *n_txn;
    char reason_txn[128];
    uint32_t *file_of, *page_of, *piece_of;   /* audit.jsonl: by household */
    char *sbuf;                           /* issue 12 part 1: a record read back */
    size_t scap;
    int slot[REC_N];                      /* the file's sink, -1 = not written */
    char d[32];                           /* contact_history.csv's date, and length */
    size_t dn;
    char period_end[16];                  /* statement_history.csv's date */
    uint64_t *history_rows;
} rec_ctx;

/* ---- suppressed list ----------------------------------------------------- */

/* The first columns of an account or transaction row of suppressed.csv:
 * kind, account id, the feed's path, the line, the reason. */
static void suppressed_head(folio_buf *b, const char *kind, const char *id, const char *path,
                            uint32_t line, const char *reason)
{
    folio_buf_puts(b, kind);
    folio_buf_put_csv_field(b, id, strlen(id));
    folio_buf_putc(b, ',');
    folio_buf_put_csv_field(b, path, strlen(path));
    folio_buf_putc(b, ',');
    folio_buf_put_int(b, line);
    folio_buf_putc(b, ',');
    folio_buf_put_csv_field(b, reason, strlen(reason));
}

/* suppressed.csv's rows of household h: the household when suppressed, its
 * accounts suppressed, its transactions not printed. */
static bool suppressed_rows(rec_ctx *C, size_t h, folio_buf *b, folio_error *err)
{
    run_state *R = C->R;
    const folio_dataset *ds = R->ds;
    const folio_job *J = R->job;
    const folio_household *hh = &R->hs.v[h];
    const folio_household_plan *hp = &R->plan->households[h];
    bool hsup = hp->channel == FOLIO_CHANNEL_SUPPRESSED;
    if (hsup) {
        folio_buf_puts(b, "household,");
        folio_buf_put_csv_field(b, hh->id, strlen(hh->id));
        folio_buf_puts(b, ",,,");
        folio_buf_put_csv_field(b, hp->reason, strlen(hp->reason));
        folio_buf_puts(b, ",,\n");
    }
    for (uint32_t k = 0; k < hh->n_accounts; k++) {
        uint32_t ai = R->hs.account_idx[hh->first_account + k];
        const folio_account *a = &ds->accounts[ai];
        const folio_account_plan *ap = &R->plan->accounts[ai];
        bool asup = hsup || ap->suppressed;
        const char *areason = ap->suppressed ? ap->reason : hp->reason;
        if (asup) {
            (*C->n_acc)++;
            suppressed_head(b, "account,", a->id, J->feeds[a->feed].path, a->line, areason);
            folio_buf_puts(b, ",,");
            folio_buf_put_csv_field(b, a->currency, strlen(a->currency));
            folio_buf_putc(b, '\n');
        }
        for (uint32_t t = a->first_txn; t < a->first_txn + a->n_txn; t++) {
            bool inside = t >= ap->first && t < ap->first + ap->n;
            if (inside && !asup)
                continue;
            const folio_txn *tx = &ds->txns[t];
            (*C->n_txn)++;
            if (!folio_money_add(C->sum_txn, tx->amount)) {
                folio_error_set(err, FOLIO_EXIT_FAILED, "control totals: amount "
                                "sum overflows: the amount suppressed");
                return false;
            }
            suppressed_head(b, "transaction,", a->id, J->feeds[tx->feed].path, tx->line,
                            !inside ? C->reason_txn : areason);
            /* the amount: a number folio formats, never a formula */
            char am[48];
            ccy_amount_str(a->currency, tx->amount, am, sizeof am);
            folio_buf_putc(b, ',');
            folio_buf_puts(b, am);
            folio_buf_putc(b, ',');
            folio_buf_put_csv_field(b, a->currency, strlen(a->currency));
            folio_buf_putc(b, '\n');
        }
    }
    return true;
}

/* ---- audit trail ---------------------------------------------------------- */

/* audit.jsonl members of household h from channel routing and the archive:
 * "channel_note" (why the channel is not the preference, e.g. the e-mail
 * fallback to print), "archive" and "document" (where its e-delivery PDF is). */
static void audit_archive(run_state *R, size_t h, folio_buf *b)
{
    const folio_household_plan *hp = &R->plan->households[h];
    if (hp->note) {
        folio_buf_puts(b, ",\"channel_note\":");
        folio_buf_put_json_str(b, hp->note, strlen(hp->note));
    }
    uint32_t d = R->arch_doc ? R->arch_doc[h] : UINT32_MAX;
    if (d != UINT32_MAX) {
        const char *z = R->arch.zips[R->arch.zip_of[d]].name;
        folio_buf_puts(b, ",\"archive\":\"archive/");
        folio_buf_puts(b, z);
        folio_buf_puts(b, "\",\"document\":");
        folio_buf_put_json_str(b, R->arch.doc[d], strlen(R->arch.doc[d]));
    }
}

/* audit.jsonl's index: the piece, print file and first page of every
 * household printed. */
static bool audit_index(rec_ctx *C, folio_error *err)
{
    run_state *R = C->R;
    size_t n = R->hs.n;
    C->file_of = malloc((n ? n : 1) * sizeof *C->file_of);
    C->page_of = malloc((n ? n : 1) * sizeof *C->page_of);
    C->piece_of = malloc((n ? n : 1) * sizeof *C->piece_of);
    if (!C->file_of || !C->page_of || !C->piece_of) {
        folio_error_set(err, FOLIO_EXIT_FAILED, "out of memory");
        return false;
    }
    for (size_t h = 0; h < n; h++)
        C->file_of[h] = C->piece_of[h] = UINT32_MAX;
    for (size_t i = 0; i < R->prod->n_pieces; i++) {
        const folio_prod_piece *pc = &R->prod->pieces[i];
        uint32_t h = piece_hh(R, i);
        C->piece_of[h] = (uint32_t)i;
        if (R->n_files) {
            C->file_of[h] = pc->file;
            C->page_of[h] = pc->first_page;
        }
    }
    return true;
}

/* OUT/audit.jsonl: one JSON object per household, in household order: its
 * channel (and the reason when suppressed), customers, the accounts printed
 * and suppressed, pages, and where its statement is: print file and page
 * range.  Operations use it for reprints; tests use it to trace every account.
 * This is household h's line. */
static bool audit_row(rec_ctx *C, size_t h, folio_buf *b, folio_error *err)
{
    static const char *const chname[] = {"print", "email", "both", "suppressed"};
    run_state *R = C->R;
    const folio_household *hh = &R->hs.v[h];
    const folio_household_plan *hp = &R->plan->households[h];
    folio_buf_puts(b, "{\"household\":");
    folio_buf_put_json_str(b, hh->id, strlen(hh->id));
    folio_buf_puts(b, ",\"derived_id\":");
    folio_buf_puts(b, hh->derived ? "true" : "false");
    folio_buf_puts(b, ",\"household_by\":\"");
    folio_buf_puts(b, household_by_name(household_by(&R->hs, h)));
    folio_buf_putc(b, '"');
    if (R->plan->households[h].returned)
        folio_buf_puts(b, ",\"returned\":true");
    folio_buf_puts(b, ",\"channel\":\"");
    folio_buf_puts(b, chname[hp->channel]);
    folio_buf_putc(b, '"');
    if (hp->channel == FOLIO_CHANNEL_SUPPRESSED) {
        folio_buf_puts(b, ",\"reason\":");
        folio_buf_put_json_str(b, hp->reason, strlen(hp->reason));
    }
    audit_archive(R, h, b);
    folio_buf_puts(b, ",\"customers\":[");
    for (uint32_t k = 0; k < hh->n_customers; k++) {
        const char *id = R->ds->customers[R->hs.customer_idx[hh->first_customer + k]].id;
        if (k)
            folio_buf_putc(b, ',');
        folio_buf_put_json_str(b, id, strlen(id));
    }
    folio_buf_puts(b, "],\"accounts\":[");
    int na = 0;
    for (uint32_t k = 0; k < hh->n_accounts; k++) {
        uint32_t ai = R->hs.account_idx[hh->first_account + k];
        const folio_account_plan *ap = &R->plan->accounts[ai];
        const char *id = R->ds->accounts[ai].id;
        if (na++)
            folio_buf_putc(b, ',');
        folio_buf_puts(b, "{\"id\":");
        folio_buf_put_json_str(b, id, strlen(id));
        folio_buf_puts(b, ",\"transactions\":");
        folio_buf_put_int(b, ap->n);
        if (!ap->suppressed && hp->channel != FOLIO_CHANNEL_SUPPRESSED) {
            /* what the statement composed for it: folio verify adds
             * these up to control_totals.transactions.amount_composed */
            folio_money sum = 0;
            for (uint32_t t = ap->first; t < ap->first + ap->n; t++)
                if (__builtin_add_overflow(sum, R->ds->txns[t].amount, &sum))
                    b->failed = true;
            char am[48];
            const char *cc = R->ds->accounts[ai].currency;
            ccy_amount_str(cc, sum, am, sizeof am);   /* its minor unit */
            folio_buf_puts(b, ",\"amount\":");
            folio_buf_puts(b, am);
            folio_buf_puts(b, ",\"currency\":");
            folio_buf_put_json_str(b, cc, strlen(cc));
        }
        if (ap->suppressed) {
            folio_buf_puts(b, ",\"suppressed\":");
            folio_buf_put_json_str(b, ap->reason, strlen(ap->reason));
        }
        folio_buf_putc(b, '}');
    }
    folio_buf_puts(b, "],\"pages\":");
    folio_buf_put_int(b, hp->channel == FOLIO_CHANNEL_SUPPRESSED ? 0 : R->res[h].pages);
    if (C->piece_of[h] != UINT32_MAX) {
        const folio_prod_piece *pc = &R->prod->pieces[C->piece_of[h]];
        folio_buf_puts(b, ",\"stream\":");
        const char *sn = R->prod->streams[pc->stream].name;
        folio_buf_put_json_str(b, sn, strlen(sn));
        folio_buf_puts(b, ",\"piece\":\"");
        folio_buf_puts(b, pc->id);
        folio_buf_puts(b, "\",\"imb_serial\":");
        folio_buf_put_int(b, (int64_t)pc->serial);
    }
    if (C->file_of[h] != UINT32_MAX) {
        folio_buf_puts(b, ",\"print_file\":\"print/");
        folio_buf_puts(b, R->files[C->file_of[h]].name);
        folio_buf_puts(b, "\",\"first_page\":");
        folio_buf_put_int(b, C->page_of[h]);
        folio_buf_puts(b, ",\"last_page\":");
        folio_buf_put_int(b, C->page_of[h] + R->res[h].pages - 1);
    }
    if (R->decided[h]) {
        /* issue 12 part 1: audit members and keys from the spools */
        const char *audit = run_audit_get(R, h, &C->sbuf, &C->scap, err);
        if (!audit)
            return false;
        if (*audit) {
            folio_buf_putc(b, ',');
            folio_buf_puts(b, audit);
        }
        const char *keys = run_keys_get(R, h, &C->sbuf, &C->scap, err);
        if (!keys)
            return false;
        folio_buf_puts(b, ",\"coverage\":[");
        for (const char *k = keys; *k;) {
            const char *nl = strchr(k, '\n');
            if (k != keys)
                folio_buf_putc(b, ',');
            folio_buf_put_json_str(b, k, (size_t)(nl - k));
            k = nl + 1;
        }
        folio_buf_putc(b, ']');
    }
    folio_buf_puts(b, "}\n");
    return true;
}

/* OUT/contact_history.csv: the contact rows read (feed order) and then one
 * row per offer this run showed (household order, slot order), so next
 * month's run reads it as its contacts feed.  Columns: the names the job's
 * first contacts feed maps (contact_key, offer_id, contact_date by default),
 * then variant, channel and response_code (empty on the rows read).  This
 * is the head: the header and the rows read; *fmt gets the date format. */
static void contact_head(run_state *R, folio_buf *b, const char **fmt_out)
{
    const folio_job *J = R->job;
    const char *cols[3] = {"contact_key", "offer_id", "contact_date"};
    const char *fmt = "YYYY-MM-DD";
    for (int i = 0; i < J->n_feeds; i++)
        if (J->feeds[i].kind == FOLIO_FEED_CONTACTS) {
            const folio_feed_def *f = &J->feeds[i];
            if (f->columns[FOLIO_F_CONTACT_KEY]) cols[0] = f->columns[FOLIO_F_CONTACT_KEY];
            if (f->columns[FOLIO_F_OFFER_ID]) cols[1] = f->columns[FOLIO_F_OFFER_ID];
            if (f->columns[FOLIO_F_CONTACT_DATE]) cols[2] = f->columns[FOLIO_F_CONTACT_DATE];
            if (f->date_format && f->date_format[0]) fmt = f->date_format;
            break;
        }
    for (int c = 0; c < 3; c++) {
        folio_buf_put_csv_field(b, cols[c], strlen(cols[c]));
        folio_buf_putc(b, ',');
    }
    folio_buf_puts(b, "variant,channel,response_code\n");
    char d[32];
    /* issue 12 part 3: a shard writes only its new rows; `folio merge` puts
     * the rows read in once (a shard on the full feeds read them all) */
    size_t n_read = R->opt->shard_count > 0 ? 0 : R->ds->n_contacts;
    for (size_t i = 0; i < n_read; i++) {
        const folio_contact *c = &R->ds->contacts[i];
        folio_buf_put_csv_field(b, c->key, strlen(c->key));
        folio_buf_putc(b, ',');
        folio_buf_put_csv_field(b, c->offer_id, strlen(c->offer_id));
        folio_buf_putc(b, ',');
        size_t n = folio_date_format(c->date, fmt, d, sizeof d);
        folio_buf_put_csv_field(b, d, n);
        /* issue 15: variant and channel as read (empty when not mapped) */
        folio_buf_putc(b, ',');
        folio_buf_put_csv_field(b, c->variant ? c->variant : "", c->variant ? strlen(c->variant) : 0);
        folio_buf_puts(b, c->holdout ? ",holdout,\n" : ",,\n");
    }
    *fmt_out = fmt;
}

/* contact_history.csv's rows of household h: the offers it was shown. */
static void contact_rows(rec_ctx *C, size_t h, folio_buf *b)
{
    static const char *const chname[] = {"print", "email", "both"};
    run_state *R = C->R;
    const char *d = C->d;
    size_t dn = C->dn;
    const folio_compose_result *rs = &R->res[h];
    uint8_t ch = R->plan->households[h].channel;
    for (int i = 0; i < rs->n_offers; i++) {
        const folio_offer_shown *s = &rs->offers[i];
        if (s->holdout)
            continue;
        const char *id = R->hs.v[h].id, *oid = offers_id(R->offers, s->offer);
        const char *vid = offers_variant_id(R->offers, s->offer, s->variant);
        const char *code = offers_response_code(R->offers, s->offer, s->variant);
        folio_buf_put_csv_field(b, id, strlen(id));
        folio_buf_putc(b, ',');
        folio_buf_put_csv_field(b, oid, strlen(oid));
        folio_buf_putc(b, ',');
        folio_buf_put_csv_field(b, d, dn);
        folio_buf_putc(b, ',');
        if (vid)
            folio_buf_put_csv_field(b, vid, strlen(vid));
        folio_buf_putc(b, ',');
        folio_buf_puts(b, ch < 3 ? chname[ch] : "");
        folio_buf_putc(b, ',');
        folio_buf_put_csv_field(b, code, strlen(code));
        folio_buf_putc(b, '\n');
    }
    /* issue 15 part 4: then the offers it was held out of, channel
     * "holdout": the control group of `folio report uplift`, and no
     * contact for any cap */
    for (int i = 0; i < rs->n_offers; i++) {
        const folio_offer_shown *s = &rs->offers[i];
        if (!s->holdout)
            continue;
        const char *id = R->hs.v[h].id, *oid = offers_id(R->offers, s->offer);
        folio_buf_put_csv_field(b, id, strlen(id));
        folio_buf_putc(b, ',');
        folio_buf_put_csv_field(b, oid, strlen(oid));
        folio_buf_putc(b, ',');
        folio_buf_put_csv_field(b, d, dn);
        folio_buf_puts(b, ",,holdout,\n");
    }
}

/* ---- the record ring ------------------------------------------------------ */

/* make(): household h's rows for each record file (none outside the shard).
 * r-harden: stops at the next household on a stop request or when the run
 * gave up (run_halted). */
static bool rec_make(void *ctx, size_t h, folio_buf *out, folio_error *err)
{
    rec_ctx *C = ctx;
    run_state *R = C->R;
    run_spill_tick(R, RUN_SPILL_LIGHT);   /* issue 12 part 1 (round 24): a 1M peak */
    if (run_halted(R) && !run_go_on(R, err))
        return false;
    if (!R->in_shard[h])
        return true;
    if (C->slot[REC_HISTORY] >= 0)          /* issue 15 (frequency.c) */
        frequency_history_rows(R->plan, h, C->period_end, &out[C->slot[REC_HISTORY]],
                               C->history_rows);
    if (!suppressed_rows(C, h, &out[C->slot[REC_SUPPRESSED]], err) ||
        !audit_row(C, h, &out[C->slot[REC_AUDIT]], err))
        return false;
    if (C->slot[REC_CONTACTS] >= 0 && R->decided[h])
        contact_rows(C, h, &out[C->slot[REC_CONTACTS]]);
    return true;
}

/* done(): a stop after the last household still fails the files. */
static bool rec_done(void *ctx, folio_error *err)
{
    rec_ctx *C = ctx;
    return run_go_on(C->R, err);
}

bool records_write(run_state *R, totals *T, folio_error *err)
{
    const folio_job *J = R->job;
    rec_ctx C = {.R = R, .sum_txn = &T->amt_suppressed, .n_acc = &T->acc_suppressed,
                 .n_txn = &T->txn_suppressed, .history_rows = &R->freq.history_rows};
    bool on[REC_N] = {[REC_HISTORY] = J->frequency != NULL, [REC_SUPPRESSED] = true,
                      [REC_AUDIT] = true, [REC_CONTACTS] = R->offers != NULL};
    *C.sum_txn = 0;
    *C.n_acc = *C.n_txn = 0;
    char d0[16], d1[16];
    folio_date_format(J->period_start, "YYYY-MM-DD", d0, sizeof d0);
    folio_date_format(J->period_end, "YYYY-MM-DD", d1, sizeof d1);
    snprintf(C.reason_txn, sizeof C.reason_txn,
             "posting date outside the statement period %s..%s", d0, d1);
    memcpy(C.period_end, d1, sizeof d1);
    if (on[REC_HISTORY])
        *C.history_rows = 0;
    folio_buf chead;
    folio_buf_init(&chead, (size_t)1 << 34);
    bool ok = audit_index(&C, err);
    if (ok && on[REC_CONTACTS]) {
        const char *fmt;
        contact_head(R, &chead, &fmt);
        C.dn = folio_date_format(J->statement_date, fmt, C.d, sizeof C.d);
        if (chead.failed) {
            folio_error_set(err, FOLIO_EXIT_FAILED, "%s/contact_history.csv.part: out of memory",
                            R->out);
            ok = false;
        }
    }
    /* the record files, like every output, stay .part until publishing;
     * contact_history.csv is next month's input: a failed run must not
     * replace it */
    static const char *const name[REC_N] = {"statement_history.csv", "suppressed.csv",
                                            "audit.jsonl", "contact_history.csv"};
    static const char hist_head[] = "key,type,date,channel\n";
    static const char supp_head[] = "kind,id,file,line,reason,amount,currency\n";
    folio_sink_record_file_options opt[REC_N] = {
        [REC_HISTORY] = {hist_head, sizeof hist_head - 1},
        [REC_SUPPRESSED] = {supp_head, sizeof supp_head - 1},   /* issue 10 part 6 */
        [REC_CONTACTS] = {chead.data, chead.len}};
    char paths[REC_N][4200];
    const folio_record_sink_type *type[REC_N];
    const void *topt[REC_N];
    const char *tpath[REC_N];
    int n = 0;
    for (int k = 0; k < REC_N; k++) {
        C.slot[k] = on[k] ? n : -1;
        if (!on[k])
            continue;
        snprintf(paths[k], sizeof paths[k], "%s/%s.part", R->out, name[k]);
        type[n] = &folio_sink_record_file;
        topt[n] = &opt[k];
        tpath[n++] = paths[k];
    }
    folio_record_ring ring = {.n = R->hs.n, .ctx = &C, .n_sinks = n, .type = type,
                              .opt = topt, .path = tpath, .make = rec_make, .done = rec_done};
    ok = ok && folio_record_ring_run(&ring, err);
    folio_buf_free(&chead);
    free(C.sbuf);
    free(C.file_of);
    free(C.page_of);
    free(C.piece_of);
    /* cases an operator must look at (folio/exceptions.h): written even when
       empty, so a run without exceptions says so */
    char path[4200];
    snprintf(path, sizeof path, "%s/exceptions.csv.part", R->out);
    return ok && run_go_on(R, err) && folio_exceptions_write(&R->ds->exceptions, path, err);
}
