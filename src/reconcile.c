/* SPDX-License-Identifier: Apache-2.0 */
/*
 * reconcile.c -- the control totals of a run and the reconciliation that
 * must hold before anything is published: rows read = accepted + rejected,
 * amounts read - rejected = loaded = composed + suppressed, every account
 * and transaction in a household, pages composed = pages written (PDF and
 * AFP), and every household printed, archived, both, or suppressed with a
 * reason.  The checks go into manifest.json "reconciliation"; one that
 * fails fails the run (exit 1) and nothing is published.
 *
 * Every money total is a checked sum: the first that overflows fails the
 * run, named, instead of a wrapped figure in a "balanced" manifest.
 */
#include "reconcile.h"

#include "ccy-totals.h"
#include "manifest.h"
#include "run-report.h"
#include "run-spill.h"   /* issue 12 part 1 */
#include "run-records-bg.h"   /* issue 11 (r-serial) */

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MONEY_SUM(acc, v, what) \
    do { if (!folio_money_add(&(acc), (v)) && !overflow) overflow = (what); } while (0)

static void check(folio_buf *cj, bool *all, const char *name, const char *lhs, int64_t l,
                  const char *rhs, int64_t r, bool money)
{
    bool ok = l == r;
    if (!ok)
        *all = false;
    char a[40], c[40];
    if (money) {
        folio_money_format(l, 2, '.', 0, a, sizeof a);
        folio_money_format(r, 2, '.', 0, c, sizeof c);
    } else {
        snprintf(a, sizeof a, "%lld", (long long)l);
        snprintf(c, sizeof c, "%lld", (long long)r);
    }
    if (cj->len)
        folio_buf_putc(cj, ',');
    folio_buf_puts(cj, "\n    {");
    json_kv_str(cj, "check", name, true);
    folio_buf_printf(cj, "\"%s\":%s,\"%s\":%s,", lhs, a, rhs, c);
    folio_buf_puts(cj, "\"ok\":");
    folio_buf_puts(cj, ok ? "true}" : "false}");
}

/* Reconciliation of the channels: every household is printed, archived,
 * both, or suppressed with a reason; e-delivery documents are the
 * households routed to email or both, one to one, with the pages composed. */
static void check_channels(run_state *R, folio_buf *cj, bool *balanced,
                           void (*chk)(folio_buf *, bool *, const char *, const char *, int64_t,
                                       const char *, int64_t, bool))
{
    uint64_t n = 0, accounted = 0, edel = 0, printch = 0, sup_reason = 0, sup = 0;
    uint64_t pages_want = 0, pages_bad = 0;
    uint8_t *printed = calloc(R->hs.n ? R->hs.n : 1, 1);
    for (size_t i = 0; printed && i < R->n_print; i++)
        printed[R->print_hh[i]] = 1;
    for (size_t h = 0; h < R->hs.n; h++) {
        if (!R->in_shard[h])
            continue;
        n++;
        const folio_household_plan *hp = &R->plan->households[h];
        bool archived = R->arch_doc && R->arch_doc[h] != UINT32_MAX;
        bool pr = printed && printed[h];
        bool s = hp->channel == FOLIO_CHANNEL_SUPPRESSED;
        sup += s;
        sup_reason += s && hp->reason && *hp->reason;
        /* issue 15 part 1 (r-chan): a split household's archive document
         * is its own statement (R->res_arch) */
        const folio_compose_result *ra =
            R->res_arch && hp->split && hp->channel == FOLIO_CHANNEL_BOTH ? &R->res_arch[h]
                                                                          : &R->res[h];
        if (hp->channel == FOLIO_CHANNEL_EMAIL || hp->channel == FOLIO_CHANNEL_BOTH) {
            edel++;
            pages_want += ra->pages;
        }
        printch += hp->channel == FOLIO_CHANNEL_PRINT || hp->channel == FOLIO_CHANNEL_BOTH;
        bool ok = s ? !pr && !archived && hp->reason && *hp->reason
                    : hp->channel == FOLIO_CHANNEL_PRINT ? pr && !archived
                    : hp->channel == FOLIO_CHANNEL_EMAIL ? !pr && archived
                    : pr && archived;
        accounted += ok;
        if (archived && R->arch.pages[R->arch_doc[h]] != ra->pages)
            pages_bad++;
    }
    free(printed);
    chk(cj, balanced, "every household is printed, archived, both, or suppressed with a reason",
        "households", (int64_t)n, "accounted_for", (int64_t)accounted, false);
    chk(cj, balanced, "suppressed households have a reason", "suppressed", (int64_t)sup,
        "with_reason", (int64_t)sup_reason, false);
    chk(cj, balanced, "print statements = households routed to print or both", "routed",
        (int64_t)printch, "print_statements", (int64_t)R->n_print, false);
    chk(cj, balanced, "archive documents = households routed to email or both", "routed",
        (int64_t)edel, "documents", (int64_t)R->arch.n_docs, false);
    chk(cj, balanced, "archive pages composed = pages written", "composed", (int64_t)pages_want,
        "written", (int64_t)R->arch.pages_total, false);
    chk(cj, balanced, "every archive document has its household's page count", "documents",
        (int64_t)R->arch.n_docs, "matching", (int64_t)(R->arch.n_docs - pages_bad), false);
    if (R->arch_view) {         /* issue 15 part 1 (r-chan): per-channel statements */
        uint64_t planned, vrows, brows, composed = 0;
        frequency_split_rows(R->plan, R->arch_view, R->in_shard, &planned, &vrows, &brows);
        for (size_t h = 0; h < R->hs.n; h++)
            if (R->in_shard[h] && R->plan->households[h].split)
                composed += R->res_arch[h].txns;
        chk(cj, balanced, "rows on archive documents with their own interval = rows of "
            "that interval", "planned", (int64_t)planned, "composed", (int64_t)composed, false);
        chk(cj, balanced, "archive documents with their own interval account for every row "
            "of their accounts (printed or outside the interval)", "print_statements",
            (int64_t)brows, "archive_documents", (int64_t)vrows, false);
    }
}

/* Counts and sums over households, print files and feeds (see reconcile.h). */
void reconcile_totals(run_state *R, totals *T)
{
    /* every money total is a checked sum: the first that overflows fails the
     * run, named, instead of a wrapped figure in a "balanced" manifest */
    const char *overflow = NULL;
    size_t notdef_first = 0, shrunk_first = 0, clipped_first = 0;
    for (size_t h = 0; h < R->hs.n && !folio_stop; h++) {   /* r-harden: run.c checks */
        run_spill_tick(R, RUN_SPILL_LIGHT);   /* issue 12 part 1 */
        if (!R->in_shard[h])
            continue;
        T->households++;
        uint8_t ch = R->plan->households[h].channel;
        T->statements[ch]++;
        if (ch == FOLIO_CHANNEL_SUPPRESSED)
            continue;
        if (ch == FOLIO_CHANNEL_EMAIL)
            T->pages_email += R->res[h].pages;
        T->acc_composed += R->res[h].accounts;
        T->txn_composed += R->res[h].txns;
        MONEY_SUM(T->amt_composed, R->res[h].txn_sum, "the amount composed");
        if (R->res[h].notdef && !T->notdef_chars)
            notdef_first = h;
        T->notdef_chars += R->res[h].notdef;
        if (R->res[h].text_shrunk && !T->text_shrunk)
            shrunk_first = h;
        if (R->res[h].text_clipped && !T->text_clipped)
            clipped_first = h;
        T->text_shrunk += R->res[h].text_shrunk;
        T->text_clipped += R->res[h].text_clipped;
    }
    if (T->text_shrunk)
        run_warn(R, "warning: %llu text(s) too wide for their layout box were "
                "printed smaller (first: household %s, field %s); see manifest.json "
                "counts.text_shrunk and audit.jsonl \"text_fit\"",
                (unsigned long long)T->text_shrunk, R->hs.v[shrunk_first].id,
                R->res[shrunk_first].shrunk_field);
    if (T->text_clipped)
        run_warn(R, "warning: %llu text(s) too wide for their layout box even at "
                "the minimum size were cut short with an ellipsis (first: household %s, "
                "field %s); see manifest.json counts.text_clipped and audit.jsonl "
                "\"text_fit\"", (unsigned long long)T->text_clipped,
                R->hs.v[clipped_first].id, R->res[clipped_first].clipped_field);
    if (T->notdef_chars) {
        /* never silent, like the AFP substitutions: how many, the first one */
        const folio_compose_result *f = &R->res[notdef_first];
        run_warn(R, "warning: %llu character(s) have no glyph in the layout's "
                "fonts and were drawn as empty boxes (first: U+%04X in household %s, "
                "field %s); see manifest.json counts.notdef_chars",
                (unsigned long long)T->notdef_chars, (unsigned)f->notdef_cp,
                R->hs.v[notdef_first].id, f->notdef_field);
    }
    uint64_t afp_subst = 0;
    int first_fmt = 0;                  /* the pages of the first format written */
    while (first_fmt < FOLIO_PRINT_FORMATS - 1 && !print_format_on(R->job, first_fmt))
        first_fmt++;
    for (size_t i = 0; i < R->n_files; i++) {
        const print_file *f = &R->files[i];
        const folio_sink_result *afp = &f->out[FOLIO_PRINT_AFP].res;
        T->pages_print += f->out[first_fmt].res.pages;
        T->sheets += f->sheets;
        T->afp_pages += afp->pages;
        T->afp_groups += afp->statements;
        afp_subst += afp->substituted;
        T->afp_cut_values += afp->cut;
        T->text_pages += f->out[FOLIO_PRINT_TEXT].res.pages;
    }
    T->afp_substitutions = afp_subst;
    if (afp_subst) {
        /* never silent: name the characters (first distinct ones over all files) */
        char ex[128] = "";
        size_t el = 0;
        int shown = 0;
        for (size_t i = 0; i < R->n_files && shown < 8; i++)
            for (int k = 0; k < 8 && R->files[i].out[FOLIO_PRINT_AFP].res.substituted_ex[k] &&
                            shown < 8; k++) {
                uint32_t cp = R->files[i].out[FOLIO_PRINT_AFP].res.substituted_ex[k];
                char probe[16];
                snprintf(probe, sizeof probe, "U+%04X", (unsigned)cp);
                if (strstr(ex, probe))
                    continue;
                if (!folio_str_appendf(ex, sizeof ex, &el, "%sU+%04X", shown ? " " : "",
                                       (unsigned)cp))
                    break;
                shown++;
            }
        run_warn(R, "warning: %llu character(s) are not in AFP code page %d and "
                "were printed as '%c' (%s); see manifest.json counts.afp_substitutions",
                (unsigned long long)afp_subst, R->job->afp->code_page, R->job->afp->substitute, ex);
    }
    for (size_t i = 0; i < R->n_files; i++) {
        /* never silent: a word an AFP index value (TLE) or group name could
         * not hold was cut to 250 bytes; named per file (docs/afp.md).  The
         * writer counts it, the run warns (the library never prints). */
        const print_output *o = &R->files[i].out[FOLIO_PRINT_AFP];
        if (o->res.cut)
            run_warn(R, "warning: %s: %llu TLE value or group name word(s) longer than "
                    "250 bytes were cut to 250 (first: %s); see manifest.json "
                    "counts.afp_cut_values", o->path, (unsigned long long)o->res.cut,
                    o->res.cut_first);
    }
    T->rejects = R->ds->n_rejects;
    for (int i = 0; i < R->job->n_feeds; i++) {
        const folio_feed_stats *s = &R->ds->stats[i];
        if (R->job->feeds[i].kind == FOLIO_FEED_ACCOUNTS) {
            T->acc_read += s->records;
            T->acc_rejected += s->rejected;
        } else if (R->job->feeds[i].kind == FOLIO_FEED_TRANSACTIONS) {
            T->txn_read += s->records;
            T->txn_rejected += s->rejected;
            MONEY_SUM(T->amt_read, s->amount_read, "the amount read");
            MONEY_SUM(T->amt_rejected, s->amount_rejected, "the amount rejected");
            if (s->amount_overflow)
                overflow = "the amount rejected";
        }
    }
    for (size_t i = 0; i < R->ds->n_txns && !folio_stop; i++) {   /* r-harden */
        if ((i & 4095) == 4095)
            run_spill_tick(R, 1);   /* issue 12 part 1 (round 24): a scan of every row */
        MONEY_SUM(T->amt_loaded, R->ds->txns[i].amount, "the amount loaded");
    }
    T->overflow = overflow;
}

/* The checks, after the record files (see reconcile.h). */
bool reconcile_check(run_state *R, totals *T, folio_buf *cj, bool *balanced, folio_error *err)
{
    const char *overflow = T->overflow;
    uint64_t acc_shard = 0, txn_shard = 0;
    folio_money amt_shard = 0;
    for (size_t h = 0; h < R->hs.n && !folio_stop; h++) {   /* r-harden */
        run_spill_tick(R, RUN_SPILL_LIGHT);   /* issue 12 part 1 (round 24) */
        if (!R->in_shard[h])
            continue;
        const folio_household *hh = &R->hs.v[h];
        acc_shard += hh->n_accounts;
        for (uint32_t k = 0; k < hh->n_accounts; k++) {
            const folio_account *a = &R->ds->accounts[R->hs.account_idx[hh->first_account + k]];
            txn_shard += a->n_txn;
            for (uint32_t t = a->first_txn; t < a->first_txn + a->n_txn; t++)
                MONEY_SUM(amt_shard, R->ds->txns[t].amount, "the amount of the shard");
        }
    }
    if (folio_stopped(err))             /* r-harden: the sums above are partial */
        return false;
    folio_money read_minus_rej = T->amt_read, composed_plus_sup = T->amt_composed;
    if (!folio_money_sub(&read_minus_rej, T->amt_rejected))
        overflow = "amount read - rejected";
    if (!folio_money_add(&composed_plus_sup, T->amt_suppressed))
        overflow = "amount composed + suppressed";
    if (overflow) {
        /* a control total that cannot be represented is not printed wrapped */
        folio_error_set(err, FOLIO_EXIT_FAILED, "control totals: amount sum overflows: %s "
                        "leaves the representable range", overflow);
        return false;
    }
    bool sharded = R->opt->shard_count > 0;
    check(cj, balanced, "account rows read = accepted + rejected", "read", (int64_t)T->acc_read,
          "accepted_plus_rejected", (int64_t)(R->ds->n_accounts + T->acc_rejected), false);
    check(cj, balanced, "transaction rows read = accepted + rejected", "read",
          (int64_t)T->txn_read, "accepted_plus_rejected",
          (int64_t)(R->ds->n_txns + T->txn_rejected), false);
    /* issue 10 part 6: the amount checks per currency, never across them */
    ccy_totals ccy;
    if (!run_ccy_totals(R, -1, &ccy, err))   /* issue 11 (r-serial) */
        return false;
    if (!sharded) {
        check(cj, balanced, "every loaded account belongs to a household", "loaded",
              (int64_t)R->ds->n_accounts, "in_households", (int64_t)acc_shard, false);
        check(cj, balanced, "every loaded transaction belongs to a household", "loaded",
              (int64_t)R->ds->n_txns, "in_households", (int64_t)txn_shard, false);
    }
    check(cj, balanced, "accounts = composed + suppressed", "accounts", (int64_t)acc_shard,
          "composed_plus_suppressed", (int64_t)(T->acc_composed + T->acc_suppressed), false);
    check(cj, balanced, "transactions = composed + suppressed", "transactions",
          (int64_t)txn_shard, "composed_plus_suppressed",
          (int64_t)(T->txn_composed + T->txn_suppressed), false);
    ccy_checks(&ccy, sharded, cj, balanced);
    {
        /* the statements' and suppressed.csv's own sums against the plan's
         * per-currency figures: a checksum in minor units, not money */
        folio_money pc = 0, ps = 0;
        bool ok = true;
        for (int i = 0; i < ccy.n; i++)
            ok = folio_money_add(&pc, ccy.v[i].composed) &&
                 folio_money_add(&ps, ccy.v[i].suppressed) && ok;
        check(cj, balanced, "amounts on the statements = amounts composed per currency "
              "(checksum in minor units)", "statements", T->amt_composed, "per_currency",
              ok ? pc : ~T->amt_composed, false);
        check(cj, balanced, "amounts in suppressed.csv = amounts suppressed per currency "
              "(checksum in minor units)", "suppressed_csv", T->amt_suppressed, "per_currency",
              ok ? ps : ~T->amt_suppressed, false);
    }
    ccy_totals_free(&ccy);
    {
        uint64_t pages1 = 0;
        for (size_t i = 0; i < R->n_print; i++) {
            uint32_t pg = R->res[R->print_hh[i]].pages;
            pages1 += pg + (R->job->duplex && (pg & 1));
        }
        check(cj, balanced, "print pages composed = pages written", "composed",
              (int64_t)pages1, "written", (int64_t)T->pages_print, false);
        if (afp_on(R)) {
            check(cj, balanced, "AFP pages = print pages composed", "afp_pages",
                  (int64_t)T->afp_pages, "composed", (int64_t)pages1, false);
            check(cj, balanced, "AFP page groups = print statements", "afp_page_groups",
                  (int64_t)T->afp_groups, "print_statements", (int64_t)R->n_print, false);
        }
        if (R->job->print_text)
            check(cj, balanced, "text pages = print pages composed", "text_pages",
                  (int64_t)T->text_pages, "composed", (int64_t)pages1, false);
    }
    check_channels(R, cj, balanced, check);
    if (cj->failed) {
        folio_buf_free(cj);
        folio_error_set(err, FOLIO_EXIT_FAILED, "out of memory");
        return false;
    }
    if (!*balanced) {
        run_warn(R, "reconciliation FAILED:%s", cj->data);
        folio_buf_free(cj);
        folio_error_set(err, FOLIO_EXIT_FAILED,
                        "%s: the run does not reconcile; no output was published (see the checks "
                        "above)", R->job->path);
        return false;
    }
    return true;
}
