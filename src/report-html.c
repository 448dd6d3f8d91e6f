/* SPDX-License-Identifier: Apache-2.0 */
/*
 * report-html.c -- OUT/report.html: the run as a page to look at (issue 16
 * part 5).  Written from the run's state and totals, the same data as
 * manifest.json (manifest.c), records.c (suppressed.csv) and feed.c
 * (rejects.csv), before the manifest, which lists it with its SHA-256.
 *
 * Self-contained: inline CSS, inline SVG charts, no script, no font, image
 * or URL from anywhere (a Content-Security-Policy of default-src 'none' says
 * so to the browser); the only links are relative ones into the proof
 * sample (proofs/proof.pdf#page=N).  Every string that comes from the data
 * (household, account and file names, reasons, offer ids) is HTML-escaped.
 *
 * Deterministic: the same inputs give the same bytes at any thread count,
 * except the timings section, between the comments
 * "<!-- folio:timings:begin -->" and "<!-- folio:timings:end -->".
 *
 * Every chart is <svg class="chart" data-chart="ID"> whose bars are
 * <rect class="bar" data-label="..." data-series="..." data-value="N">, so
 * a checker can compare them with the manifest (tests/e2e/report_check.py).
 */
#include "report-html.h"
#include "fsync-pool.h"   /* issue 11 (r-serial) */
#include "run-private.h"
#include "run-report.h"

#include "folio/exceptions.h"
#include "folio/offers.h"
#include "folio/uplift.h"   /* issue 15 part 4 */

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

/* the section that differs from run to run (report_html_digest) */
#define TIMINGS_BEGIN "<!-- folio:timings:begin -->\n"
#define TIMINGS_END "<!-- folio:timings:end -->\n"

/* ---- HTML ------------------------------------------------------------------- */

/* s, escaped for HTML text and attribute values */
static void esc(folio_buf *b, const char *s)
{
    for (; s && *s; s++) {
        switch (*s) {
        case '&': folio_buf_puts(b, "&amp;"); break;
        case '<': folio_buf_puts(b, "&lt;"); break;
        case '>': folio_buf_puts(b, "&gt;"); break;
        case '"': folio_buf_puts(b, "&quot;"); break;
        case '\'': folio_buf_puts(b, "&#39;"); break;
        default:
            if ((unsigned char)*s < 0x20 && *s != '\t')
                folio_buf_putc(b, ' ');   /* no control characters in the page */
            else
                folio_buf_putc(b, *s);
        }
    }
}

/* the first `max` bytes of s, cut at a UTF-8 character boundary, escaped,
 * with "..." when cut */
static void esc_cut(folio_buf *b, const char *s, size_t max)
{
    size_t n = s ? strlen(s) : 0;
    if (n <= max) {
        esc(b, s);
        return;
    }
    while (max > 0 && ((unsigned char)s[max] & 0xC0) == 0x80)
        max--;
    char *c = strndup(s, max);
    esc(b, c ? c : "");
    free(c);
    folio_buf_puts(b, "...");
}

static void put_u(folio_buf *b, uint64_t v)
{
    folio_buf_put_int(b, (int64_t)v);
}

/* v with `dec` decimals, locale-free */
static void put_num(folio_buf *b, double v, int dec)
{
    if (dec <= 0) {
        folio_buf_put_int(b, (int64_t)llround(v));
        return;
    }
    double scale = 1;
    for (int i = 0; i < dec; i++)
        scale *= 10;
    folio_buf_put_fixed(b, (int64_t)llround(v * scale), dec);
}

/* <tr><th>k</th><td>v</td></tr> */
static void row_u(folio_buf *b, const char *k, uint64_t v)
{
    folio_buf_puts(b, "<tr><th>");
    esc(b, k);
    folio_buf_puts(b, "</th><td class=\"n\">");
    put_u(b, v);
    folio_buf_puts(b, "</td></tr>\n");
}

/* ---- charts ----------------------------------------------------------------- */

typedef struct chart_series {
    const char *name;
    const double *v;
} chart_series;

/* A horizontal bar chart of n labels and 1 or 2 series (values with `dec`
 * decimals).  Nothing but a "none" line when n is 0. */
static void chart(folio_buf *b, const char *id, const char *title, size_t n,
                  const char *const *labels, const chart_series *s, int ns, int dec)
{
    folio_buf_puts(b, "<figure><figcaption>");
    esc(b, title);
    folio_buf_puts(b, "</figcaption>\n");
    if (n == 0) {
        folio_buf_puts(b, "<p class=\"none\">none</p></figure>\n");
        return;
    }
    double max = 0;
    for (int k = 0; k < ns; k++)
        for (size_t i = 0; i < n; i++)
            if (s[k].v[i] > max)
                max = s[k].v[i];
    const int label_w = 230, bar_w = 380, bar_h = 14, gap = 8, top = ns > 1 ? 22 : 4;
    int group_h = ns * (bar_h + 2) + gap;
    int height = top + (int)n * group_h + 4;
    folio_buf_puts(b, "<svg class=\"chart\" data-chart=\"");
    esc(b, id);
    folio_buf_printf(b, "\" width=\"720\" height=\"%d\" "
                     "viewBox=\"0 0 720 %d\" role=\"img\" aria-label=\"", height, height);
    esc(b, title);
    folio_buf_puts(b, "\">\n");
    if (ns > 1)                         /* legend */
        for (int k = 0; k < ns; k++) {
            folio_buf_printf(b, "<rect class=\"key s%d\" x=\"%d\" y=\"4\" width=\"12\" "
                             "height=\"12\"/><text x=\"%d\" y=\"14\">", k, label_w + k * 140,
                             label_w + k * 140 + 16);
            esc(b, s[k].name);
            folio_buf_puts(b, "</text>\n");
        }
    for (size_t i = 0; i < n; i++) {
        int y = top + (int)i * group_h;
        folio_buf_printf(b, "<text class=\"label\" x=\"%d\" y=\"%d\" text-anchor=\"end\">",
                         label_w - 6, y + bar_h - 3 + (ns > 1 ? (bar_h + 2) / 2 : 0));
        esc_cut(b, labels[i], 34);
        folio_buf_puts(b, "</text>\n");
        for (int k = 0; k < ns; k++) {
            double v = s[k].v[i];
            int w = max > 0 ? (int)llround(v / max * bar_w) : 0;
            if (v > 0 && w < 1)
                w = 1;
            int yy = y + k * (bar_h + 2);
            folio_buf_printf(b, "<rect class=\"bar s%d\" x=\"%d\" y=\"%d\" width=\"%d\" "
                             "height=\"%d\" data-label=\"", k, label_w, yy, w, bar_h);
            esc(b, labels[i]);
            folio_buf_puts(b, "\" data-series=\"");
            esc(b, s[k].name);
            folio_buf_puts(b, "\" data-value=\"");
            put_num(b, v, dec);
            folio_buf_printf(b, "\"/><text class=\"value\" x=\"%d\" y=\"%d\">",
                             label_w + w + 4, yy + bar_h - 3);
            put_num(b, v, dec);
            folio_buf_puts(b, "</text>\n");
        }
    }
    folio_buf_puts(b, "</svg></figure>\n");
}

/* ---- reasons: group, count, top 10 with examples -------------------------------- */

typedef struct reason_item {
    const char *reason;
    size_t idx;                         /* what it is about */
    size_t seq;                         /* its row in the record file (examples: the first) */
} reason_item;

typedef struct reason_group {
    const char *reason;
    uint64_t count;
    size_t first;                       /* its first item in the sorted items */
} reason_group;

static int cmp_item(const void *a, const void *b)
{
    const reason_item *x = a, *y = b;
    int c = strcmp(x->reason, y->reason);
    return c ? c : (x->seq > y->seq) - (x->seq < y->seq);
}

static int cmp_group(const void *a, const void *b)
{
    const reason_group *x = a, *y = b;
    if (x->count != y->count)
        return x->count < y->count ? 1 : -1;
    return strcmp(x->reason, y->reason);
}

typedef void (*example_fn)(const run_state *R, size_t idx, folio_buf *b);

/* The top 10 reasons of items[0..n) (sorted here): a chart and a table with
 * up to 3 examples each; the rest summed in one line. */
static bool reasons_section(const run_state *R, folio_buf *b, const char *id, const char *title,
                            const char *what, reason_item *items, size_t n, example_fn ex)
{
    qsort(items, n, sizeof *items, cmp_item);
    reason_group *g = calloc(n ? n : 1, sizeof *g);
    if (!g)
        return false;
    size_t ng = 0;
    for (size_t i = 0; i < n; i++) {
        if (!ng || strcmp(g[ng - 1].reason, items[i].reason))
            g[ng++] = (reason_group){items[i].reason, 0, i};
        g[ng - 1].count++;
    }
    qsort(g, ng, sizeof *g, cmp_group);
    size_t top = ng < 10 ? ng : 10;
    const char **labels = calloc(top + 1, sizeof *labels);
    double *v = calloc(top + 1, sizeof *v);
    if (!labels || !v) {
        free(g);
        free(labels);
        free(v);
        return false;
    }
    for (size_t i = 0; i < top; i++) {
        labels[i] = g[i].reason;
        v[i] = (double)g[i].count;
    }
    chart(b, id, title, top, labels, &(chart_series){what, v}, 1, 0);
    if (top) {
        folio_buf_puts(b, "<table class=\"reasons\"><tr><th>reason</th><th>");
        esc(b, what);
        folio_buf_puts(b, "</th><th>examples</th></tr>\n");
        for (size_t i = 0; i < top; i++) {
            folio_buf_puts(b, "<tr><td>");
            esc(b, g[i].reason);
            folio_buf_puts(b, "</td><td class=\"n\">");
            put_u(b, g[i].count);
            folio_buf_puts(b, "</td><td>");
            for (size_t k = 0; k < 3 && k < g[i].count; k++) {
                if (k)
                    folio_buf_puts(b, "; ");
                folio_buf_puts(b, "<code>");
                ex(R, items[g[i].first + k].idx, b);
                folio_buf_puts(b, "</code>");
            }
            folio_buf_puts(b, "</td></tr>\n");
        }
        folio_buf_puts(b, "</table>\n");
        if (ng > top) {
            uint64_t rest = 0;
            for (size_t i = top; i < ng; i++)
                rest += g[i].count;
            folio_buf_puts(b, "<p>and ");
            put_u(b, ng - top);
            folio_buf_puts(b, " more reason(s) with ");
            put_u(b, rest);
            folio_buf_puts(b, " more</p>\n");
        }
    }
    free(g);
    free(labels);
    free(v);
    return true;
}

/* a feed as rejects.csv names it: its file's base name (feed.c) */
static const char *feed_display(const folio_feed_def *def)
{
    if (def->path && *def->path) {
        const char *s = strrchr(def->path, '/');
        return s ? s + 1 : def->path;
    }
    return def->name && *def->name ? def->name : "feed";
}

static void ex_reject(const run_state *R, size_t idx, folio_buf *b)
{
    const folio_reject *r = &R->ds->rejects[idx];
    esc(b, r->feed < R->job->n_feeds ? feed_display(&R->job->feeds[r->feed]) : "");
    folio_buf_putc(b, ':');
    put_u(b, r->line);
    if (r->column && *r->column) {
        folio_buf_puts(b, " (");
        esc(b, r->column);
        folio_buf_putc(b, ')');
    }
}

static void ex_household(const run_state *R, size_t idx, folio_buf *b)
{
    folio_buf_puts(b, "household ");
    esc(b, R->hs.v[idx].id);
}

static void ex_account(const run_state *R, size_t idx, folio_buf *b)
{
    const folio_account *a = &R->ds->accounts[idx];
    folio_buf_puts(b, "account ");
    esc(b, a->id);
    folio_buf_puts(b, " at ");
    esc(b, R->job->feeds[a->feed].path);
    folio_buf_putc(b, ':');
    put_u(b, a->line);
}

/* Rejected rows (rejects.csv), suppressed households and accounts
 * (suppressed.csv's "household" and "account" rows: an account of a
 * suppressed household carries the household's reason, as there). */
static bool section_reasons(const run_state *R, folio_buf *b)
{
    const folio_dataset *ds = R->ds;
    size_t cap = ds->n_rejects + R->hs.n + ds->n_accounts + 1;
    reason_item *it = malloc(cap * sizeof *it);
    if (!it)
        return false;
    size_t n = 0;
    for (size_t i = 0; i < ds->n_rejects; i++, n++)
        it[n] = (reason_item){ds->rejects[i].reason ? ds->rejects[i].reason : "", i, n};
    folio_buf_puts(b, "<section id=\"rejects\"><h2>Rejected rows by reason</h2>\n"
                      "<p>From <a href=\"rejects.csv\">rejects.csv</a>: ");
    put_u(b, n);
    folio_buf_puts(b, " row(s); the ten most frequent reasons, with the first rows "
                      "(file:line) of each.</p>\n");
    bool ok = reasons_section(R, b, "rejects", "Rejected rows by reason (top 10)", "rows", it,
                              n, ex_reject);
    folio_buf_puts(b, "</section>\n");
    size_t nh = 0, na = 0;
    for (size_t h = 0; ok && h < R->hs.n; h++) {
        if (!R->in_shard[h])
            continue;
        const folio_household_plan *hp = &R->plan->households[h];
        if (hp->channel == FOLIO_CHANNEL_SUPPRESSED) {
            it[nh] = (reason_item){hp->reason ? hp->reason : "", h, nh};
            nh++;
        }
    }
    folio_buf_puts(b, "<section id=\"suppressions\"><h2>Suppressions by reason</h2>\n"
                      "<p>From <a href=\"suppressed.csv\">suppressed.csv</a>: ");
    put_u(b, nh);
    folio_buf_puts(b, " household(s) not sent a statement.</p>\n");
    ok = ok && reasons_section(R, b, "suppressed_households",
                               "Suppressed households by reason (top 10)", "households", it,
                               nh, ex_household);
    for (size_t h = 0; ok && h < R->hs.n; h++) {
        if (!R->in_shard[h])
            continue;
        const folio_household *hh = &R->hs.v[h];
        const folio_household_plan *hp = &R->plan->households[h];
        bool hsup = hp->channel == FOLIO_CHANNEL_SUPPRESSED;
        for (uint32_t k = 0; k < hh->n_accounts; k++) {
            uint32_t ai = R->hs.account_idx[hh->first_account + k];
            const folio_account_plan *ap = &R->plan->accounts[ai];
            if (hsup || ap->suppressed) {
                const char *r = ap->suppressed ? ap->reason : hp->reason;
                it[na] = (reason_item){r ? r : "", ai, na};
                na++;
            }
        }
    }
    ok = ok && reasons_section(R, b, "suppressed_accounts",
                               "Suppressed accounts by reason (top 10)", "accounts", it, na,
                               ex_account);
    folio_buf_puts(b, "</section>\n");
    free(it);
    return ok;
}

/* ---- sections ------------------------------------------------------------------- */

static const char *const CSS =
    "body{font-family:sans-serif;margin:1.5em auto;max-width:60em;color:#222;"
    "background:#fff;padding:0 1em}\n"
    "h1{font-size:1.5em}h2{font-size:1.2em;border-bottom:1px solid #ccc;margin-top:1.6em}\n"
    "table{border-collapse:collapse;margin:.5em 0}th,td{border:1px solid #ddd;"
    "padding:.2em .5em;text-align:left;vertical-align:top}td.n{text-align:right;"
    "font-variant-numeric:tabular-nums}\n"
    "figure{margin:.8em 0}figcaption{font-weight:bold;margin-bottom:.3em}\n"
    "svg.chart{max-width:100%;height:auto;font-size:12px}svg.chart text{fill:#222}\n"
    ".bar.s0,.key.s0{fill:#3b6ea8}.bar.s1,.key.s1{fill:#d98c2b}\n"
    "p.none{color:#777;font-style:italic}code{font-size:.9em}\n"
    ".hook{border:1px dashed #999;padding:.3em .8em;color:#555}\n"
    "nav a{margin-right:.8em}\n";

static void section_head(run_state *R, folio_buf *b, bool balanced)
{
    const folio_job *J = R->job;
    char d[16], p0[16], p1[16];
    folio_date_format(J->statement_date, "YYYY-MM-DD", d, sizeof d);
    folio_date_format(J->period_start, "YYYY-MM-DD", p0, sizeof p0);
    folio_date_format(J->period_end, "YYYY-MM-DD", p1, sizeof p1);
    folio_buf_puts(b, "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\n"
                      "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src "
                      "'none'; style-src 'unsafe-inline'\">\n"
                      "<meta name=\"viewport\" content=\"width=device-width\">\n<title>folio "
                      "run report: ");
    esc(b, J->name);
    folio_buf_puts(b, "</title>\n<style>\n");
    folio_buf_puts(b, CSS);
    folio_buf_puts(b, "</style></head>\n<body>\n<h1>Run report: ");
    esc(b, J->name);
    folio_buf_puts(b, "</h1>\n<p>Statement date ");
    esc(b, d);
    folio_buf_puts(b, ", period ");
    esc(b, p0);
    folio_buf_puts(b, " to ");
    esc(b, p1);
    if (R->opt->shard_count > 0)
        folio_buf_printf(b, ", shard %d of %d", R->opt->shard_index, R->opt->shard_count);
    folio_buf_puts(b, ". Written by folio " FOLIO_VERSION " with <a href=\"manifest.json\">"
                      "manifest.json</a> (its figures; <code>folio verify</code> checks both). "
                      "Reconciliation: <strong>");
    folio_buf_puts(b, balanced ? "balanced" : "NOT balanced");
    folio_buf_puts(b, "</strong>.</p>\n<nav><a href=\"#channels\">channels</a><a href=\"#files\">"
                      "files</a><a href=\"#rejects\">rejects</a><a href=\"#suppressions\">"
                      "suppressions</a><a href=\"#exceptions\">exceptions</a><a href=\"#offers\">"
                      "offers</a><a href=\"#languages\">languages</a><a href=\"#proofs\">proofs"
                      "</a><a href=\"#timings\">timings</a></nav>\n");
}

static bool section_channels(run_state *R, const totals *T, folio_buf *b)
{
    static const char *const ch[] = {"print", "email", "both", "suppressed"};
    double v[4];
    for (int i = 0; i < 4; i++)
        v[i] = (double)T->statements[i];
    folio_buf_puts(b, "<section id=\"channels\"><h2>Households and statements</h2>\n<table>");
    row_u(b, "households", T->households);
    row_u(b, "print statements", R->n_print);
    row_u(b, "print pages", T->pages_print);
    row_u(b, "print sheets", T->sheets);
    row_u(b, "archive documents (e-mail)", R->arch.n_docs);
    row_u(b, "archive pages", R->arch.pages_total);
    row_u(b, "notifications", R->arch.notifications);
    row_u(b, "rejected rows", T->rejects);
    row_u(b, "exceptions", R->ds->exceptions.n);
    folio_buf_puts(b, "</table>\n");
    chart(b, "channels", "Households by channel", 4, (const char *const *)ch,
          &(chart_series){"households", v}, 1, 0);
    /* mail streams in configured order, then the suppressed (manifest "streams") */
    uint32_t ns = R->prod->n_streams;
    const char **lab = calloc(ns + 1, sizeof *lab);
    double *sv = calloc(ns + 1, sizeof *sv);
    if (!lab || !sv) {
        free(lab);
        free(sv);
        return false;
    }
    folio_buf_puts(b, "<table><tr><th>stream</th><th>statements</th><th>pages</th>"
                      "<th>sheets</th><th>files</th></tr>\n");
    for (uint32_t s = 0; s < ns; s++) {
        const folio_prod_stream *ps = &R->prod->streams[s];
        lab[s] = ps->name;
        sv[s] = (double)ps->statements;
        folio_buf_puts(b, "<tr><td>");
        esc(b, ps->name);
        folio_buf_puts(b, "</td><td class=\"n\">");
        put_u(b, ps->statements);
        folio_buf_puts(b, "</td><td class=\"n\">");
        put_u(b, ps->pages);
        folio_buf_puts(b, "</td><td class=\"n\">");
        put_u(b, ps->sheets);
        folio_buf_puts(b, "</td><td class=\"n\">");
        put_u(b, R->n_files ? ps->n_files : 0);
        folio_buf_puts(b, "</td></tr>\n");
    }
    lab[ns] = "suppressed";
    sv[ns] = (double)T->statements[FOLIO_CHANNEL_SUPPRESSED];
    folio_buf_puts(b, "</table>\n");
    chart(b, "streams", "Statements per mail stream", ns + 1, lab,
          &(chart_series){"statements", sv}, 1, 0);
    folio_buf_puts(b, "</section>\n");
    free(lab);
    free(sv);
    return true;
}

static bool section_files(run_state *R, folio_buf *b)
{
    size_t n = R->n_files;
    const char **lab = calloc(n + 1, sizeof *lab);
    double *pg = calloc(n + 1, sizeof *pg), *sh = calloc(n + 1, sizeof *sh);
    if (!lab || !pg || !sh) {
        free(lab);
        free(pg);
        free(sh);
        return false;
    }
    folio_buf_puts(b, "<section id=\"files\"><h2>Print files</h2>\n<table><tr><th>file</th>"
                      "<th>stream</th><th>statements</th><th>pages</th><th>sheets</th></tr>\n");
    for (size_t i = 0; i < n; i++) {
        const print_file *f = &R->files[i];
        lab[i] = f->name;
        pg[i] = f->pages;
        sh[i] = f->sheets;
        folio_buf_puts(b, "<tr><td>");
        for (int k = 0, first = 1; k < FOLIO_PRINT_FORMATS; k++)
            if (print_format_on(R->job, k)) {
                if (!first)
                    folio_buf_puts(b, ", ");
                first = 0;
                folio_buf_puts(b, "<a href=\"print/");
                esc(b, f->out[k].name);
                folio_buf_puts(b, "\">");
                esc(b, f->out[k].name);
                folio_buf_puts(b, "</a>");
            }
        folio_buf_puts(b, "</td><td>");
        esc(b, R->prod->streams[R->prod->files[i].stream].name);
        folio_buf_puts(b, "</td><td class=\"n\">");
        put_u(b, f->statements);
        folio_buf_puts(b, "</td><td class=\"n\">");
        put_u(b, f->pages);
        folio_buf_puts(b, "</td><td class=\"n\">");
        put_u(b, f->sheets);
        folio_buf_puts(b, "</td></tr>\n");
    }
    folio_buf_puts(b, "</table>\n");
    chart(b, "files", "Pages and sheets per print file", n, lab,
          (chart_series[]){{"pages", pg}, {"sheets", sh}}, 2, 0);
    if (R->arch.n_zips) {
        folio_buf_puts(b, "<h3>E-delivery archive</h3>\n<table><tr><th>zip</th><th>documents"
                          "</th><th>pages</th></tr>\n");
        for (size_t k = 0; k < R->arch.n_zips; k++) {
            const folio_archive_zip *z = &R->arch.zips[k];
            folio_buf_puts(b, "<tr><td><a href=\"archive/");
            esc(b, z->name);
            folio_buf_puts(b, "\">");
            esc(b, z->name);
            folio_buf_puts(b, "</a></td><td class=\"n\">");
            put_u(b, z->n_docs);
            folio_buf_puts(b, "</td><td class=\"n\">");
            put_u(b, z->pages);
            folio_buf_puts(b, "</td></tr>\n");
        }
        folio_buf_puts(b, "</table>\n");
    }
    folio_buf_puts(b, "</section>\n");
    free(lab);
    free(pg);
    free(sh);
    return true;
}

static void section_exceptions(run_state *R, folio_buf *b)
{
    const folio_exceptions *x = &R->ds->exceptions;
    const char *lab[FOLIO_EXC__COUNT];
    double v[FOLIO_EXC__COUNT];
    size_t n = 0;
    for (int k = 0; k < FOLIO_EXC__COUNT; k++)
        if (x->count[k]) {
            lab[n] = folio_exception_kind_name((folio_exception_kind)k);
            v[n++] = (double)x->count[k];
        }
    folio_buf_puts(b, "<section id=\"exceptions\"><h2>Exceptions</h2>\n<p>");
    put_u(b, x->n);
    folio_buf_puts(b, " case(s) for operations in <a href=\"exceptions.csv\">exceptions.csv</a>"
                      "; the first 20:</p>\n");
    chart(b, "exceptions", "Exceptions by kind", n, lab, &(chart_series){"cases", v}, 1, 0);
    if (x->n) {
        folio_buf_puts(b, "<table><tr><th>kind</th><th>household</th><th>where</th>"
                          "<th>detail</th><th>action</th></tr>\n");
        for (size_t i = 0; i < x->n && i < 20; i++) {
            const folio_exception *e = &x->v[i];
            folio_buf_puts(b, "<tr><td>");
            esc(b, folio_exception_kind_name(e->kind));
            folio_buf_puts(b, "</td><td>");
            esc(b, e->household);
            folio_buf_puts(b, "</td><td>");
            if (e->file && *e->file) {
                esc(b, e->file);
                if (e->line) {
                    folio_buf_putc(b, ':');
                    put_u(b, e->line);
                }
            }
            folio_buf_puts(b, "</td><td>");
            esc(b, e->detail);
            folio_buf_puts(b, "</td><td>");
            esc(b, e->action);
            folio_buf_puts(b, "</td></tr>\n");
        }
        folio_buf_puts(b, "</table>\n");
    }
    folio_buf_puts(b, "</section>\n");
}

/* Issue 15 part 4: the uplift figures of the manifest's "uplift" section
 * (uplift.c computes them once for both): per offer and variant the response
 * rate shown vs held out, the difference with its 95% interval (Newcombe
 * hybrid score), the relative uplift, the sample size per group needed, and
 * whether the variant was retired.  Rates and differences in percent points
 * with 2 decimals, rounded half away from zero like the manifest's 6. */
static void put_pct(folio_buf *b, double v)
{
    if (!isfinite(v) || fabs(v) > 1e12) {   /* hard-attack2: no holdout (NaN) was */
        folio_buf_putc(b, '-');             /* llround(NaN), "-92233720368547758.08" */
        return;
    }
    char tmp[48];        /* always 2 decimals: a table column, not a JSON number */
    size_t n = folio_money_format((int64_t)llround(v * 10000.0), 2, '.', 0, tmp, sizeof tmp);
    folio_buf_append(b, tmp, n);
}

static void section_uplift(run_state *R, folio_buf *b)
{
    folio_buf_puts(b, "<section id=\"uplift\"><h3>Uplift</h3>\n"
                      "<!-- folio:uplift-hook: uplift figures (issue 15 part 4) -->\n");
    const folio_uplift *u = R->uplift;
    if (!u) {
        folio_buf_puts(b, "<p>No uplift figures in this run (they need a responses feed).</p>"
                          "</section>\n");
        return;
    }
    folio_buf_puts(b, "<p>");
    put_u(b, (uint64_t)u->responses);
    folio_buf_puts(b, " response(s) read, ");
    put_u(b, (uint64_t)u->matched);
    folio_buf_puts(b, " attributed within ");
    put_u(b, (uint64_t)u->attribution_days);
    folio_buf_puts(b, " days of a contact, ");
    put_u(b, (uint64_t)u->repeats);
    folio_buf_puts(b, " repeat(s); not attributed:");
    for (int k = 0; k < FOLIO_UPLIFT_N_REASONS; k++) {
        folio_buf_puts(b, k ? ", " : " ");
        esc(b, FOLIO_UPLIFT_REASONS[k]);
        folio_buf_puts(b, " ");
        put_u(b, (uint64_t)u->unmatched[k]);
    }
    folio_buf_puts(b, ".</p>\n<table class=\"uplift\"><tr><th>offer</th><th>variant</th>"
                      "<th>contacts</th><th>responders</th><th>rate %</th><th>holdout</th>"
                      "<th>holdout rate %</th><th>uplift (points)</th>"
                      "<th>95% interval (points)</th><th>relative %</th>"
                      "<th>per group needed</th><th>status</th></tr>\n");
    for (size_t i = 0; i < u->n_rows; i++) {
        const folio_uplift_row *r = &u->rows[i];
        folio_buf_puts(b, "<tr><td>");
        esc(b, r->offer);
        folio_buf_puts(b, "</td><td>");
        esc(b, r->variant[0] ? r->variant : "-");
        folio_buf_puts(b, "</td><td>");
        put_u(b, (uint64_t)r->contacts);
        folio_buf_puts(b, "</td><td>");
        put_u(b, (uint64_t)r->responders);
        folio_buf_puts(b, "</td><td>");
        put_pct(b, r->rate);
        folio_buf_puts(b, "</td><td>");
        put_u(b, (uint64_t)r->hold_contacts);
        folio_buf_puts(b, "</td><td>");
        put_pct(b, r->hold_rate);
        folio_buf_puts(b, "</td><td>");
        if (r->has_ci) {
            put_pct(b, r->abs);
            folio_buf_puts(b, "</td><td>");
            put_pct(b, r->lo);
            folio_buf_puts(b, " to ");
            put_pct(b, r->hi);
        } else {
            folio_buf_puts(b, "-</td><td>no holdout or no contacts");
        }
        folio_buf_puts(b, "</td><td>");
        if (r->has_ci && r->rel == r->rel)      /* NaN when the holdout rate is 0 */
            put_pct(b, r->rel);
        else
            folio_buf_puts(b, "-");
        folio_buf_puts(b, "</td><td>");
        if (r->sample_size >= 0)
            put_u(b, (uint64_t)r->sample_size);
        else
            folio_buf_puts(b, "-");
        folio_buf_puts(b, "</td><td>");
        folio_buf_puts(b, r->retired ? "retired in this run"
                          : r->retire ? "below control"
                          : r->has_ci && r->lo > 0 ? "above control" : "");
        if (r->retire && !r->retired && r->not_retired) {
            folio_buf_puts(b, " (not retired: ");
            esc(b, r->not_retired);
            folio_buf_puts(b, ")");
        }
        folio_buf_puts(b, "</td></tr>\n");
    }
    folio_buf_puts(b, "</table></section>\n");
}

static bool section_offers(run_state *R, folio_buf *b)
{
    folio_buf_puts(b, "<section id=\"offers\"><h2>Offers</h2>\n");
    if (!R->offers) {
        folio_buf_puts(b, "<p class=\"none\">The job has no offers.</p></section>\n");
        return true;
    }
    const folio_offers *o = R->offers;
    int n = offers_count(o);
    uint64_t (*shown)[8] = calloc((size_t)n + 1, sizeof *shown);
    uint64_t *held = calloc((size_t)n + 1, sizeof *held);
    size_t nv = 0;
    for (int i = 0; i < n; i++)
        nv += (size_t)offers_variant_count(o, i);
    char **vl = calloc(nv + 1, sizeof *vl);
    double *vv = calloc(nv + 1, sizeof *vv), *os = calloc((size_t)n + 1, sizeof *os),
           *oh = calloc((size_t)n + 1, sizeof *oh);
    const char **ol = calloc((size_t)n + 1, sizeof *ol);
    bool ok = shown && held && vl && vv && os && oh && ol;
    /* the same tally as the manifest's "offers" (manifest.c) */
    for (size_t h = 0; ok && h < R->hs.n; h++) {
        if (!R->in_shard[h] || !R->decided[h])
            continue;
        const folio_compose_result *rs = &R->res[h];
        for (int i = 0; i < rs->n_offers; i++) {
            const folio_offer_shown *s = &rs->offers[i];
            if (s->holdout)
                held[s->offer]++;
            else
                shown[s->offer][s->variant & 7]++;
        }
    }
    if (ok) {
        folio_buf_puts(b, "<table><tr><th>offer</th><th>variant</th><th>shown</th>"
                          "<th>held out</th></tr>\n");
        size_t k = 0;
        for (int i = 0; i < n; i++) {
            ol[i] = offers_id(o, i);
            oh[i] = (double)held[i];
            for (int v = 0; v < offers_variant_count(o, i); v++) {
                const char *vid = offers_variant_id(o, i, v);
                os[i] += (double)shown[i][v];
                if (asprintf(&vl[k], "%s%s%s", ol[i], vid && *vid ? " / " : "",
                             vid ? vid : "") < 0)
                    vl[k] = NULL;
                vv[k] = (double)shown[i][v];
                ok = ok && vl[k];
                k++;
                folio_buf_puts(b, "<tr><td>");
                esc(b, ol[i]);
                folio_buf_puts(b, "</td><td>");
                esc(b, vid ? vid : "");
                folio_buf_puts(b, "</td><td class=\"n\">");
                put_u(b, shown[i][v]);
                folio_buf_puts(b, "</td><td class=\"n\">");
                if (v == 0)
                    put_u(b, held[i]);
                folio_buf_puts(b, "</td></tr>\n");
            }
        }
        folio_buf_puts(b, "</table>\n");
    }
    if (ok) {
        chart(b, "offers", "Offers: shown vs held out", (size_t)n, ol,
              (chart_series[]){{"shown", os}, {"held out", oh}}, 2, 0);
        chart(b, "offer_variants", "Offers shown per variant", nv, (const char *const *)vl,
              &(chart_series){"shown", vv}, 1, 0);
        section_uplift(R, b);
    }
    folio_buf_puts(b, "</section>\n");
    for (size_t k = 0; vl && k < nv; k++)
        free(vl[k]);
    free(vl);
    free(vv);
    free(os);
    free(oh);
    free(ol);
    free(shown);
    free(held);
    return ok;
}

static bool section_languages(run_state *R, folio_buf *b)
{
    const folio_layout *L = R->layout;
    size_t nl = (size_t)L->n_languages;
    double *per = calloc(nl + 1, sizeof *per);
    if (!per)
        return false;
    uint64_t fallback = 0;
    for (size_t h = 0; h < R->hs.n; h++) {   /* as the manifest's "variations" */
        if (!R->in_shard[h] || !R->decided[h] ||
            R->plan->households[h].channel == FOLIO_CHANNEL_SUPPRESSED)
            continue;
        if (R->res[h].language < nl)
            per[R->res[h].language]++;
        fallback += R->res[h].fallback;
    }
    folio_buf_puts(b, "<section id=\"languages\"><h2>Languages</h2>\n<p>");
    put_u(b, fallback);
    folio_buf_puts(b, " statement(s) used a text of the fallback language (");
    esc(b, L->languages[0]);
    folio_buf_puts(b, ").</p>\n");
    chart(b, "languages", "Statements by language", nl, (const char *const *)L->languages,
          &(chart_series){"statements", per}, 1, 0);
    folio_buf_puts(b, "</section>\n");
    free(per);
    return true;
}

static void section_proofs(run_state *R, folio_buf *b)
{
    const folio_proof_result *P = &R->proof;
    folio_buf_puts(b, "<section id=\"proofs\"><h2>Proof sample</h2>\n");
    if (!P->written) {
        folio_buf_puts(b, "<p class=\"none\">No proof sample in this run.</p></section>\n");
        return;
    }
    const folio_proof_cover *c = &P->cover;
    folio_buf_puts(b, "<p>");
    put_u(b, c->n_picked);
    folio_buf_puts(b, " household(s), ");
    put_u(b, P->pages);
    folio_buf_puts(b, " pages in <a href=\"proofs/proof.pdf\">proofs/proof.pdf</a>, covering ");
    put_u(b, c->n_keys - c->n_uncovered);
    folio_buf_puts(b, " of ");
    put_u(b, c->n_keys);
    folio_buf_puts(b, " variations.</p>\n<table><tr><th>#</th><th>household</th><th>pages</th>"
                      "<th>in proof.pdf</th><th>first shows</th></tr>\n");
    for (uint32_t i = 0; i < c->n_picked; i++) {
        folio_buf_puts(b, "<tr><td class=\"n\">");
        put_u(b, i + 1);
        folio_buf_puts(b, "</td><td>");
        esc(b, R->hs.v[c->picked[i]].id);
        folio_buf_puts(b, "</td><td class=\"n\">");
        put_u(b, P->sample_pages[i]);
        folio_buf_puts(b, "</td><td><a class=\"proof\" href=\"proofs/proof.pdf#page=");
        put_u(b, P->sample_first_page[i]);
        folio_buf_puts(b, "\">page ");
        put_u(b, P->sample_first_page[i]);
        folio_buf_puts(b, "</a></td><td>");
        uint32_t a = c->first_off[i], e = c->first_off[i + 1];
        for (uint32_t k = a; k < e && k < a + 4; k++) {
            if (k > a)
                folio_buf_puts(b, ", ");
            folio_buf_puts(b, "<code>");
            esc_cut(b, c->keys[c->first[k]], 60);
            folio_buf_puts(b, "</code>");
        }
        if (e - a > 4)
            folio_buf_printf(b, " and %u more", e - a - 4);
        folio_buf_puts(b, "</td></tr>\n");
    }
    folio_buf_puts(b, "</table>\n</section>\n");
}

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

/* Wall seconds per phase from the run's start to now (the report is
 * written at the end of the records phase; publishing follows). */
static void section_timings(run_state *R, folio_buf *b)
{
    const folio_phase_clock *c = &R->phases;
    double end = now_s() - R->t0;
    const char *lab[FOLIO_PHASES_MAX + 1];
    double v[FOLIO_PHASES_MAX + 1];
    size_t n = 0;
    for (int i = 0; i < c->n; i++) {
        lab[n] = c->v[i].name;
        v[n++] = folio_phases_seconds(c, i, end);
    }
    lab[n] = "other";                   /* before the first phase: job, layout, OUT */
    v[n++] = c->n ? c->v[0].start : end;
    folio_buf_puts(b, TIMINGS_BEGIN "<section id=\"timings\"><h2>Timings</h2>\n"
                      "<p>Wall seconds per phase, ");
    put_num(b, end, 3);
    folio_buf_puts(b, " s in all up to writing this report (publishing follows); the only "
                      "part of this page that changes from run to run.</p>\n");
    chart(b, "timings", "Seconds per phase", n, lab, &(chart_series){"seconds", v}, 1, 3);
    folio_buf_puts(b, "<p id=\"timings-total\" data-value=\"");
    put_num(b, end, 3);
    folio_buf_puts(b, "\"></p></section>\n" TIMINGS_END);
}

/* Only folio's own elements in the timings section: every '<' opens or
 * closes one of them. */
static bool timings_clean(const char *s, size_t n)
{
    static const char *const ok[] = {"section", "h2", "p", "figure", "figcaption", "svg",
                                     "rect", "text"};
    for (size_t i = 0; i < n; i++) {
        if (s[i] != '<')
            continue;
        size_t j = i + 1 + (i + 1 < n && s[i + 1] == '/');
        bool known = false;
        for (size_t k = 0; k < sizeof ok / sizeof *ok && !known; k++) {
            size_t L = strlen(ok[k]);
            known = j + L < n && !memcmp(s + j, ok[k], L) &&
                    (s[j + L] == ' ' || s[j + L] == '>' || s[j + L] == '/' || s[j + L] == '\n');
        }
        if (!known)
            return false;
        /* nor attributes that load, link, style or run anything */
        const char *gt = memchr(s + i, '>', n - i);
        size_t end = gt ? (size_t)(gt - s) : n;
        for (size_t k = i; k + 4 < end; k++)
            if ((s[k] == ' ' && (!strncasecmp(s + k + 1, "on", 2) ||
                                 !strncasecmp(s + k + 1, "href", 4) ||
                                 !strncasecmp(s + k + 1, "src", 3) ||
                                 !strncasecmp(s + k + 1, "style", 5) ||
                                 !strncasecmp(s + k + 1, "xlink", 5))) ||
                !strncasecmp(s + k, "url(", 4))
                return false;
    }
    return true;
}

bool report_html_digest(const char *path, char hex[65], uint64_t *bytes, folio_error *err)
{
    FILE *f = fopen(path, "rb");
    if (!f) {
        folio_error_set(err, FOLIO_EXIT_FAILED, "report.html: cannot read: %s", strerror(errno));
        return false;
    }
    folio_buf b;
    folio_buf_init(&b, (size_t)1 << 30);
    char chunk[65536];
    size_t n;
    while ((n = fread(chunk, 1, sizeof chunk, f)) > 0)
        folio_buf_append(&b, chunk, n);
    bool rd = !ferror(f);
    fclose(f);
    if (!rd || b.failed) {
        folio_error_set(err, FOLIO_EXIT_FAILED, "report.html: cannot read");
        folio_buf_free(&b);
        return false;
    }
    folio_buf_putc(&b, '\0');
    const char *s = b.data;
    const char *a = strstr(s, TIMINGS_BEGIN);
    const char *e = a ? strstr(a, TIMINGS_END) : NULL;
    bool ok = a && e && !strstr(a + 1, TIMINGS_BEGIN) && !strstr(e + 1, TIMINGS_END) &&
              timings_clean(a + strlen(TIMINGS_BEGIN), (size_t)(e - a) - strlen(TIMINGS_BEGIN));
    if (!ok) {
        folio_error_set(err, FOLIO_EXIT_FAILED, "report.html: its timings section is missing "
                        "or holds more than folio writes there");
        folio_buf_free(&b);
        return false;
    }
    e += strlen(TIMINGS_END);
    size_t len = b.len - 1, cut = (size_t)(e - a);
    memmove((char *)a, e, len - (size_t)(e - s) + 1);
    folio_sha256_hex(s, len - cut, hex);
    *bytes = len - cut;
    folio_buf_free(&b);
    return true;
}

bool report_html_write(run_state *R, const totals *T, bool balanced, folio_error *err)
{
    if (!R->job->report)
        return true;
    /* a phase of its own: its cost shows in the summary's phases line */
    run_event(R, &(folio_run_event){.kind = FOLIO_RUN_PHASE, .name = "report",
                                    .elapsed = now_s() - R->t0});
    snprintf(R->report_part, sizeof R->report_part, "%s/report.html.part", R->out);
    snprintf(R->report_path, sizeof R->report_path, "%s/report.html", R->out);
    folio_buf b;
    folio_buf_init(&b, (size_t)1 << 30);
    section_head(R, &b, balanced);
    bool ok = section_channels(R, T, &b) && section_files(R, &b) && section_reasons(R, &b);
    if (ok) {
        section_exceptions(R, &b);
        ok = section_offers(R, &b) && section_languages(R, &b);
    }
    if (ok) {
        section_proofs(R, &b);
        section_timings(R, &b);
        folio_buf_puts(&b, "</body></html>\n");
    }
    if (!ok || b.failed) {
        folio_error_set(err, FOLIO_EXIT_FAILED, "%s: out of memory", R->report_part);
        folio_buf_free(&b);
        return false;
    }
    ok = folio_write_part_unsynced(R->report_part, b.data, b.len, err);   /* issue 11 (r-serial): fsync'd at publish */
    folio_buf_free(&b);
    R->report_written = ok;
    return ok;
}
