/* SPDX-License-Identifier: Apache-2.0 */
/*
 * records.c -- the record files at OUT's top level that tell, per household
 * and per row, what the run did: suppressed.csv (what was not printed and
 * why), audit.jsonl (one object per household: channel, accounts, pages,
 * print file and page range, archive document, coverage keys) and
 * contact_history.csv (next month's contacts feed).  rejects.csv is written
 * by feed.c (feed_write_rejects), exceptions.csv by exceptions.c.
 *
 * Each writer creates its file under the .part name it is given (O_EXCL),
 * streams household by household and stops on folio_stop; the run renames
 * it at publish (run-outputs.c).
 */
#include "records.h"

#include "ccy-totals.h"
#include "run-spool.h"
#include "run-spill.h"   /* issue 12 part 1 */

#include "folio/exceptions.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- suppressed list ----------------------------------------------------- */

bool write_suppressed(run_state *R, const char *path, folio_money *sum_txn,
                             uint64_t *n_acc, uint64_t *n_txn, folio_error *err)
{
    const folio_dataset *ds = R->ds;
    const folio_job *J = R->job;
    folio_afile out;                    /* streamed: memory does not grow with the run */
    if (!folio_afile_open_excl(&out, path, err))
        return false;
    folio_buf b;
    folio_buf_init(&b, (size_t)1 << 30);
    /* issue 10 part 6: the amount in its currency's minor unit, and which */
    folio_buf_puts(&b, "kind,id,file,line,reason,amount,currency\n");
    *sum_txn = 0;
    *n_acc = *n_txn = 0;
    char d0[16], d1[16];
    folio_date_format(J->period_start, "YYYY-MM-DD", d0, sizeof d0);
    folio_date_format(J->period_end, "YYYY-MM-DD", d1, sizeof d1);
    char reason_txn[128];
    snprintf(reason_txn, sizeof reason_txn, "posting date outside the statement period %s..%s",
             d0, d1);
    for (size_t h = 0; h < R->hs.n && !run_halted(R); h++) {   /* r-harden: and cancelled */
        run_spill_tick(R, RUN_SPILL_LIGHT);   /* issue 12 part 1 (round 24): a 1M peak */
        if (!R->in_shard[h])
            continue;
        const folio_household *hh = &R->hs.v[h];
        const folio_household_plan *hp = &R->plan->households[h];
        bool hsup = hp->channel == FOLIO_CHANNEL_SUPPRESSED;
        if (hsup) {
            folio_buf_puts(&b, "household,");
            folio_buf_put_csv_field(&b, hh->id, strlen(hh->id));
            folio_buf_puts(&b, ",,,");
            folio_buf_put_csv_field(&b, hp->reason, strlen(hp->reason));
            folio_buf_puts(&b, ",,\n");
        }
        for (uint32_t k = 0; k < hh->n_accounts; k++) {
            uint32_t ai = R->hs.account_idx[hh->first_account + k];
            const folio_account *a = &ds->accounts[ai];
            const folio_account_plan *ap = &R->plan->accounts[ai];
            bool asup = hsup || ap->suppressed;
            const char *areason = ap->suppressed ? ap->reason : hp->reason;
            if (asup) {
                (*n_acc)++;
                folio_buf_puts(&b, "account,");
                folio_buf_put_csv_field(&b, a->id, strlen(a->id));
                folio_buf_putc(&b, ',');
                const char *fp = J->feeds[a->feed].path;
                folio_buf_put_csv_field(&b, fp, strlen(fp));
                folio_buf_putc(&b, ',');
                folio_buf_put_int(&b, a->line);
                folio_buf_putc(&b, ',');
                folio_buf_put_csv_field(&b, areason, strlen(areason));
                folio_buf_puts(&b, ",,");
                folio_buf_put_csv_field(&b, a->currency, strlen(a->currency));
                folio_buf_putc(&b, '\n');
            }
            for (uint32_t t = a->first_txn; t < a->first_txn + a->n_txn; t++) {
                bool inside = t >= ap->first && t < ap->first + ap->n;
                if (inside && !asup)
                    continue;
                const folio_txn *tx = &ds->txns[t];
                (*n_txn)++;
                if (!folio_money_add(sum_txn, tx->amount))   /* fails the commit */
                    folio_error_set(&out.err, FOLIO_EXIT_FAILED, "control totals: amount "
                                    "sum overflows: the amount suppressed");
                folio_buf_puts(&b, "transaction,");
                folio_buf_put_csv_field(&b, a->id, strlen(a->id));
                folio_buf_putc(&b, ',');
                const char *fp = J->feeds[tx->feed].path;
                folio_buf_put_csv_field(&b, fp, strlen(fp));
                folio_buf_putc(&b, ',');
                folio_buf_put_int(&b, tx->line);
                folio_buf_putc(&b, ',');
                const char *r = !inside ? reason_txn : areason;
                folio_buf_put_csv_field(&b, r, strlen(r));
                /* the amount: a number folio formats, never a formula */
                char am[48];
                ccy_amount_str(a->currency, tx->amount, am, sizeof am);
                folio_buf_putc(&b, ',');
                folio_buf_puts(&b, am);
                folio_buf_putc(&b, ',');
                folio_buf_put_csv_field(&b, a->currency, strlen(a->currency));
                folio_buf_putc(&b, '\n');
            }
        }
        folio_afile_drain(&out, &b, (size_t)1 << 20);
    }
    folio_afile_drain(&out, &b, 0);
    folio_buf_free(&b);
    if (!run_go_on(R, err)) {
        folio_afile_abort(&out);
        return false;
    }
    return folio_afile_commit(&out, err);
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

/* OUT/audit.jsonl: one JSON object per household, in household order: its
 * channel (and the reason when suppressed), customers, the accounts printed
 * and suppressed, pages, and where its statement is: print file and page
 * range.  Operations use it for reprints; tests use it to trace every account. */
bool write_audit(run_state *R, const char *path, folio_error *err)
{
    static const char *const chname[] = {"print", "email", "both", "suppressed"};
    size_t n = R->hs.n;
    uint32_t *file_of = malloc((n ? n : 1) * sizeof *file_of);
    uint32_t *page_of = malloc((n ? n : 1) * sizeof *page_of);
    uint32_t *piece_of = malloc((n ? n : 1) * sizeof *piece_of);
    if (!file_of || !page_of || !piece_of) {
        free(file_of);
        free(page_of);
        free(piece_of);
        folio_error_set(err, FOLIO_EXIT_FAILED, "out of memory");
        return false;
    }
    for (size_t h = 0; h < n; h++)
        file_of[h] = piece_of[h] = UINT32_MAX;
    for (size_t i = 0; i < R->prod->n_pieces; i++) {
        const folio_prod_piece *pc = &R->prod->pieces[i];
        uint32_t h = piece_hh(R, i);
        piece_of[h] = (uint32_t)i;
        if (R->n_files) {
            file_of[h] = pc->file;
            page_of[h] = pc->first_page;
        }
    }
    folio_afile out;                    /* streamed: memory does not grow with the run */
    if (!folio_afile_open_excl(&out, path, err)) {
        free(file_of);
        free(page_of);
        free(piece_of);
        return false;
    }
    folio_buf b;
    folio_buf_init(&b, (size_t)1 << 30);
    char *sbuf = NULL;                  /* issue 12 part 1: a record read back */
    size_t scap = 0;
    bool spool_failed = false;
    for (size_t h = 0; h < n && !run_halted(R); h++) {   /* r-harden: and cancelled */
        run_spill_tick(R, RUN_SPILL_LIGHT);   /* issue 12 part 1 */
        folio_afile_drain(&out, &b, (size_t)1 << 20);
        if (!R->in_shard[h])
            continue;
        const folio_household *hh = &R->hs.v[h];
        const folio_household_plan *hp = &R->plan->households[h];
        folio_buf_puts(&b, "{\"household\":");
        folio_buf_put_json_str(&b, hh->id, strlen(hh->id));
        folio_buf_puts(&b, ",\"derived_id\":");
        folio_buf_puts(&b, hh->derived ? "true" : "false");
        folio_buf_puts(&b, ",\"household_by\":\"");
        folio_buf_puts(&b, household_by_name(household_by(&R->hs, h)));
        folio_buf_putc(&b, '"');
        if (R->plan->households[h].returned)
            folio_buf_puts(&b, ",\"returned\":true");
        folio_buf_puts(&b, ",\"channel\":\"");
        folio_buf_puts(&b, chname[hp->channel]);
        folio_buf_putc(&b, '"');
        if (hp->channel == FOLIO_CHANNEL_SUPPRESSED) {
            folio_buf_puts(&b, ",\"reason\":");
            folio_buf_put_json_str(&b, hp->reason, strlen(hp->reason));
        }
        audit_archive(R, h, &b);
        folio_buf_puts(&b, ",\"customers\":[");
        for (uint32_t k = 0; k < hh->n_customers; k++) {
            const char *id = R->ds->customers[R->hs.customer_idx[hh->first_customer + k]].id;
            if (k)
                folio_buf_putc(&b, ',');
            folio_buf_put_json_str(&b, id, strlen(id));
        }
        folio_buf_puts(&b, "],\"accounts\":[");
        int na = 0;
        for (uint32_t k = 0; k < hh->n_accounts; k++) {
            uint32_t ai = R->hs.account_idx[hh->first_account + k];
            const folio_account_plan *ap = &R->plan->accounts[ai];
            const char *id = R->ds->accounts[ai].id;
            if (na++)
                folio_buf_putc(&b, ',');
            folio_buf_puts(&b, "{\"id\":");
            folio_buf_put_json_str(&b, id, strlen(id));
            folio_buf_puts(&b, ",\"transactions\":");
            folio_buf_put_int(&b, ap->n);
            if (!ap->suppressed && hp->channel != FOLIO_CHANNEL_SUPPRESSED) {
                /* what the statement composed for it: folio verify adds
                 * these up to control_totals.transactions.amount_composed */
                folio_money sum = 0;
                for (uint32_t t = ap->first; t < ap->first + ap->n; t++)
                    if (__builtin_add_overflow(sum, R->ds->txns[t].amount, &sum))
                        b.failed = true;
                char am[48];
                const char *cc = R->ds->accounts[ai].currency;
                ccy_amount_str(cc, sum, am, sizeof am);   /* its minor unit */
                folio_buf_puts(&b, ",\"amount\":");
                folio_buf_puts(&b, am);
                folio_buf_puts(&b, ",\"currency\":");
                folio_buf_put_json_str(&b, cc, strlen(cc));
            }
            if (ap->suppressed) {
                folio_buf_puts(&b, ",\"suppressed\":");
                folio_buf_put_json_str(&b, ap->reason, strlen(ap->reason));
            }
            folio_buf_putc(&b, '}');
        }
        folio_buf_puts(&b, "],\"pages\":");
        folio_buf_put_int(&b, hp->channel == FOLIO_CHANNEL_SUPPRESSED ? 0 : R->res[h].pages);
        if (piece_of[h] != UINT32_MAX) {
            const folio_prod_piece *pc = &R->prod->pieces[piece_of[h]];
            folio_buf_puts(&b, ",\"stream\":");
            const char *sn = R->prod->streams[pc->stream].name;
            folio_buf_put_json_str(&b, sn, strlen(sn));
            folio_buf_puts(&b, ",\"piece\":\"");
            folio_buf_puts(&b, pc->id);
            folio_buf_puts(&b, "\",\"imb_serial\":");
            folio_buf_put_int(&b, (int64_t)pc->serial);
        }
        if (file_of[h] != UINT32_MAX) {
            folio_buf_puts(&b, ",\"print_file\":\"print/");
            folio_buf_puts(&b, R->files[file_of[h]].name);
            folio_buf_puts(&b, "\",\"first_page\":");
            folio_buf_put_int(&b, page_of[h]);
            folio_buf_puts(&b, ",\"last_page\":");
            folio_buf_put_int(&b, page_of[h] + R->res[h].pages - 1);
        }
        if (R->decided[h]) {
            /* issue 12 part 1: audit members and keys from the spools */
            const char *audit = run_audit_get(R, h, &sbuf, &scap, err);
            if (!audit) {
                spool_failed = true;
                break;
            }
            if (*audit) {
                folio_buf_putc(&b, ',');
                folio_buf_puts(&b, audit);
            }
            const char *keys = run_keys_get(R, h, &sbuf, &scap, err);
            if (!keys) {
                spool_failed = true;
                break;
            }
            folio_buf_puts(&b, ",\"coverage\":[");
            for (const char *k = keys; *k;) {
                const char *nl = strchr(k, '\n');
                if (k != keys)
                    folio_buf_putc(&b, ',');
                folio_buf_put_json_str(&b, k, (size_t)(nl - k));
                k = nl + 1;
            }
            folio_buf_putc(&b, ']');
        }
        folio_buf_puts(&b, "}\n");
    }
    free(sbuf);
    free(file_of);
    free(page_of);
    free(piece_of);
    folio_afile_drain(&out, &b, 0);
    folio_buf_free(&b);
    if (spool_failed || !run_go_on(R, err)) {
        folio_afile_abort(&out);
        return false;
    }
    return folio_afile_commit(&out, err);
}

/* OUT/contact_history.csv: the contact rows read (feed order) and then one
 * row per offer this run showed (household order, slot order), so next
 * month's run reads it as its contacts feed.  Columns: the names the job's
 * first contacts feed maps (contact_key, offer_id, contact_date by default),
 * then variant, channel and response_code (empty on the rows read). */
bool write_contact_history(run_state *R, const char *path, folio_error *err)
{
    static const char *const chname[] = {"print", "email", "both"};
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
    folio_buf b;
    folio_buf_init(&b, (size_t)1 << 34);
    for (int c = 0; c < 3; c++) {
        folio_buf_put_csv_field(&b, cols[c], strlen(cols[c]));
        folio_buf_putc(&b, ',');
    }
    folio_buf_puts(&b, "variant,channel,response_code\n");
    char d[32];
    /* issue 12 part 3: a shard writes only its new rows; `folio merge` puts
     * the rows read in once (a shard on the full feeds read them all) */
    size_t n_read = R->opt->shard_count > 0 ? 0 : R->ds->n_contacts;
    for (size_t i = 0; i < n_read; i++) {
        const folio_contact *c = &R->ds->contacts[i];
        folio_buf_put_csv_field(&b, c->key, strlen(c->key));
        folio_buf_putc(&b, ',');
        folio_buf_put_csv_field(&b, c->offer_id, strlen(c->offer_id));
        folio_buf_putc(&b, ',');
        size_t n = folio_date_format(c->date, fmt, d, sizeof d);
        folio_buf_put_csv_field(&b, d, n);
        /* issue 15: variant and channel as read (empty when not mapped) */
        folio_buf_putc(&b, ',');
        folio_buf_put_csv_field(&b, c->variant ? c->variant : "", c->variant ? strlen(c->variant) : 0);
        folio_buf_puts(&b, c->holdout ? ",holdout,\n" : ",,\n");
    }
    size_t dn = folio_date_format(J->statement_date, fmt, d, sizeof d);
    for (size_t h = 0; h < R->hs.n && !run_halted(R); h++) {   /* r-harden */
        run_spill_tick(R, RUN_SPILL_LIGHT);   /* issue 12 part 1 */
        if (!R->in_shard[h] || !R->decided[h])
            continue;
        const folio_compose_result *rs = &R->res[h];
        uint8_t ch = R->plan->households[h].channel;
        for (int i = 0; i < rs->n_offers; i++) {
            const folio_offer_shown *s = &rs->offers[i];
            if (s->holdout)
                continue;
            const char *id = R->hs.v[h].id, *oid = offers_id(R->offers, s->offer);
            const char *vid = offers_variant_id(R->offers, s->offer, s->variant);
            const char *code = offers_response_code(R->offers, s->offer, s->variant);
            folio_buf_put_csv_field(&b, id, strlen(id));
            folio_buf_putc(&b, ',');
            folio_buf_put_csv_field(&b, oid, strlen(oid));
            folio_buf_putc(&b, ',');
            folio_buf_put_csv_field(&b, d, dn);
            folio_buf_putc(&b, ',');
            if (vid)
                folio_buf_put_csv_field(&b, vid, strlen(vid));
            folio_buf_putc(&b, ',');
            folio_buf_puts(&b, ch < 3 ? chname[ch] : "");
            folio_buf_putc(&b, ',');
            folio_buf_put_csv_field(&b, code, strlen(code));
            folio_buf_putc(&b, '\n');
        }
        /* issue 15 part 4: then the offers it was held out of, channel
         * "holdout": the control group of `folio report uplift`, and no
         * contact for any cap */
        for (int i = 0; i < rs->n_offers; i++) {
            const folio_offer_shown *s = &rs->offers[i];
            if (!s->holdout)
                continue;
            const char *id = R->hs.v[h].id, *oid = offers_id(R->offers, s->offer);
            folio_buf_put_csv_field(&b, id, strlen(id));
            folio_buf_putc(&b, ',');
            folio_buf_put_csv_field(&b, oid, strlen(oid));
            folio_buf_putc(&b, ',');
            folio_buf_put_csv_field(&b, d, dn);
            folio_buf_puts(&b, ",,holdout,\n");
        }
    }
    bool ok = run_go_on(R, err) && !b.failed;   /* r-harden: not a partial file */
    if (!ok && !err->code)
        folio_error_set(err, FOLIO_EXIT_FAILED, "%s: out of memory", path);
    else if (ok)
        ok = folio_write_file_excl(path, b.data, b.len, err);
    folio_buf_free(&b);
    return ok;
}

/* The record files of a run at OUT's top level, in this order (each under
 * its .part name): suppressed.csv (fills T's suppressed figures),
 * audit.jsonl, exceptions.csv and, when the job has offers,
 * contact_history.csv. */
bool records_write(run_state *R, totals *T, folio_error *err)
{
    char path[4200];
    /* the record files, like every output, stay .part until publishing */
    snprintf(path, sizeof path, "%s/suppressed.csv.part", R->out);
    if (!write_suppressed(R, path, &T->amt_suppressed, &T->acc_suppressed, &T->txn_suppressed, err))
        return false;
    snprintf(path, sizeof path, "%s/audit.jsonl.part", R->out);
    if (!write_audit(R, path, err))
        return false;
    /* cases an operator must look at (folio/exceptions.h): written even when
       empty, so a run without exceptions says so */
    snprintf(path, sizeof path, "%s/exceptions.csv.part", R->out);
    if (!run_go_on(R, err) || !folio_exceptions_write(&R->ds->exceptions, path, err))
        return false;
    /* next month's input: a failed run must not replace it */
    snprintf(path, sizeof path, "%s/contact_history.csv.part", R->out);
    if (R->offers && !write_contact_history(R, path, err))
        return false;
    return true;
}
