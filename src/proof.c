/* SPDX-License-Identifier: Apache-2.0 */
/*
 * proof.c -- OUT/proofs/proof.pdf and OUT/proofs/proofs.json (folio/proof.h).
 *
 * proof_write: the cover (proof-cover.c) picks the households; then, one
 * thread, in pick order, per household:
 *   1. a cover page built as a display list with the layout's fonts: sample
 *      k of n, household, channel, where it is printed (file, pages, piece,
 *      stream) or why it is suppressed, the accounts (masked), the keys it
 *      covers first ("why picked") and the keys it shares with earlier
 *      samples; long lists continue on further cover pages;
 *   2. unless suppressed, the statement composed again, exactly as pass 2
 *      composes it for print, padded with the duplex blank back the same way
 *      and given the same inserter marks (the caller's decorate hook),
 *      but from a copy of the plan whose layout forces account-number masking
 *      (last four).  Masking can only change text widths, never where pages
 *      break -- compose breaks on line boxes -- but the page count is checked
 *      anyway: on a difference the statement is composed from the plan as it
 *      is and masked in the display list only;
 *   3. a safety net over every text op: any full account number of the
 *      household still present (a description quoting it, a layout that
 *      prints the number some other way) is masked in place;
 *   4. a "PROOF" watermark drawn first on every page (behind the content, in
 *      a light grey); a duplex blank back gets the watermark and a one-line
 *      note, so a reviewer sees that it is intentional.
 * Both files go to ".part" names; proof_publish renames them when the run
 * publishes its outputs, proof_discard removes them when it fails.
 *
 * Determinism: the sample depends only on the keys and the household order;
 * the PDF gets its dates from the job (folio_pdf_options), so a rerun -- at
 * any thread count -- gives the same bytes.
 */
#include "folio/proof.h"

#include "folio/finish.h"

#include "folio/fonts.h"
#include "folio/household.h"
#include "folio/layout.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static const char *const CHANNEL_NAME[] = {"print", "email", "both", "suppressed"};

#define WATERMARK_COLOR 0xE2E2E2u
#define WATERMARK_SIZE (96 * FOLIO_UNITS_PER_PT)

/* ---- masking ------------------------------------------------------------- */

bool proof_mask_statement(folio_dl_statement *st, const char *const *numbers, size_t n,
                          char mask_char)
{
    if (!mask_char)
        mask_char = '*';
    for (uint32_t pi = 0; pi < st->n_pages; pi++) {
        folio_dl_page *pg = &st->pages[pi];
        for (uint32_t oi = 0; oi < pg->n_ops; oi++) {
            folio_dl_op *op = &pg->ops[oi];
            if (op->kind != FOLIO_DL_TEXT || !op->len)
                continue;
            char *copy = NULL;
            for (size_t k = 0; k < n; k++) {
                size_t nl = numbers[k] ? strlen(numbers[k]) : 0;
                if (nl <= 4)
                    continue;
                const char *t = copy ? copy : op->text;
                size_t at = 0;
                const char *hit;
                while (at + nl <= op->len &&
                       (hit = memmem(t + at, op->len - at, numbers[k], nl))) {
                    if (!copy) {
                        copy = folio_arena_alloc(st->arena, op->len ? op->len : 1);
                        if (!copy)
                            return false;
                        memcpy(copy, op->text, op->len);
                        hit = copy + (hit - t);
                        t = copy;
                        op->text = copy;
                    }
                    memset(copy + (hit - t), mask_char, nl - 4);
                    at = (size_t)(hit - t) + nl;
                }
            }
        }
    }
    return true;
}

/* Masked form of one account number into buf: all but the last four. */
static void mask_number(const char *id, char mask_char, char *buf, size_t cap)
{
    size_t n = strlen(id), o = 0;
    for (size_t i = 0; i < n && o + 1 < cap; i++)
        buf[o++] = n > 4 && i + 4 < n ? mask_char : id[i];
    buf[o] = 0;
}

/* ---- page decoration -------------------------------------------------------- */

static int font_named(const folio_layout *L, const char *part)
{
    for (int i = 0; i < L->n_fonts; i++)
        if (L->fonts[i].name && strstr(L->fonts[i].name, part))
            return i;
    return 0;
}

/* Put a text op in front of every other op of the page (drawn first, so the
 * content covers it). */
static bool page_prepend_text(folio_dl_statement *st, folio_dl_page *pg, uint8_t font,
                              int32_t size, int32_t x, int32_t y, uint32_t color,
                              const char *text)
{
    folio_dl_op *ops = folio_arena_alloc(st->arena, (pg->n_ops + 1) * sizeof *ops);
    if (!ops)
        return false;
    memset(&ops[0], 0, sizeof ops[0]);
    ops[0].kind = FOLIO_DL_TEXT;
    ops[0].font = font;
    ops[0].size = size;
    ops[0].x = x;
    ops[0].y = y;
    ops[0].color = color;
    ops[0].len = (uint32_t)strlen(text);
    ops[0].text = text;
    if (pg->n_ops)
        memcpy(ops + 1, pg->ops, pg->n_ops * sizeof *ops);
    pg->ops = ops;
    pg->n_ops++;
    pg->cap_ops = pg->n_ops;
    return true;
}

/* The watermark behind every page, and a banner line in the top margin
 * (above the layout's content, so nothing covers it). */
bool proof_watermark(folio_dl_statement *st, const folio_layout *L, const char *banner)
{
    int f = font_named(L, "bold");
    const folio_font *m = L->fonts[f].metrics;
    int32_t w = fonts_text_width(m, "PROOF", 5, WATERMARK_SIZE);
    int32_t x = (st->page_w - w) / 2, y = st->page_h / 2 + WATERMARK_SIZE / 3;
    for (uint32_t pi = 0; pi < st->n_pages; pi++) {
        folio_dl_page *pg = &st->pages[pi];
        if (pg->blank_back) {
            static const char note[] = "Blank back page (duplex): printed empty.";
            int32_t sz = 9 * FOLIO_UNITS_PER_PT;
            const folio_font *r = L->fonts[font_named(L, "regular")].metrics;
            int32_t nw = fonts_text_width(r, note, sizeof note - 1, sz);
            pg->blank_back = false;
            if (!dlist_page_add_text(st, pg, (uint8_t)font_named(L, "regular"), sz,
                                     (st->page_w - nw) / 2, y + 3 * sz, 0x555555u, note,
                                     sizeof note - 1, false))
                return false;
        }
        if (!page_prepend_text(st, pg, (uint8_t)f, WATERMARK_SIZE, x, y, WATERMARK_COLOR,
                               "PROOF"))
            return false;
        int32_t bs = 8 * FOLIO_UNITS_PER_PT;
        int32_t by = L->margin_top * 2 / 3 > bs ? L->margin_top * 2 / 3 : bs;
        int32_t bw = fonts_text_width(m, banner, strlen(banner), bs);
        if (!dlist_page_add_text(st, pg, (uint8_t)f, bs, (st->page_w - bw) / 2, by, 0xB00020u,
                                 banner, strlen(banner), false))
            return false;
    }
    return true;
}

/* ---- cover pages ------------------------------------------------------------ */

typedef struct cover {
    folio_dl_statement *st;
    const folio_layout *L;
    int reg, bold;
    int32_t left, width, top, bottom, y;
    const char *cont;           /* heading of a continuation page, or NULL */
    bool oom;
} cover;

static void cover_newpage(cover *c)
{
    bool more = c->st->n_pages > 0;
    folio_dl_page *pg = dlist_page_add(c->st);
    if (!pg)
        c->oom = true;
    c->y = c->top;
    if (pg && more && c->cont) {
        int32_t sz = 10 * FOLIO_UNITS_PER_PT;
        if (!dlist_page_add_text(c->st, pg, (uint8_t)c->bold, sz, c->left, c->y + sz,
                                 0x1F3A5Fu, c->cont, strlen(c->cont), false))
            c->oom = true;
        c->y += sz * 2;
    }
}

/* One paragraph, wrapped to the text width; `indent` units from the left.
 * Invalid UTF-8 bytes are shown as '?'. */
static void cover_text(cover *c, bool bold, int32_t size, uint32_t color, int32_t indent,
                       const char *text)
{
    if (c->oom)
        return;
    size_t len = strlen(text);
    char *t = folio_arena_strndup(c->st->arena, text, len);
    if (!t) {
        c->oom = true;
        return;
    }
    size_t bad;
    while (!folio_utf8_valid(t, len, &bad))
        t[bad] = '?';
    int font = bold ? c->bold : c->reg;
    const folio_font *m = c->L->fonts[font].metrics;
    int32_t lead = size * 14 / 10;
    size_t at = 0;
    do {
        size_t next;
        size_t k = len > at ? fonts_fit(m, t + at, len - at, size, c->width - indent, &next)
                            : 0;
        if (len <= at)
            next = 0;
        if (c->y + lead > c->bottom)
            cover_newpage(c);
        if (c->oom)
            return;
        if (k && !dlist_page_add_text(c->st, &c->st->pages[c->st->n_pages - 1], (uint8_t)font,
                                      size, c->left + indent, c->y + size, color, t + at, k,
                                      false)) {
            c->oom = true;
            return;
        }
        c->y += lead;
        at += next ? next : len - at;
    } while (at < len);
}

static void cover_gap(cover *c, int32_t units)
{
    c->y += units;
}

static void cover_keys(cover *c, const folio_proof_cover *pc, const uint32_t *ids, size_t n)
{
    for (size_t i = 0; i < n && !c->oom; i++) {
        char line[600];
        snprintf(line, sizeof line, "\xE2\x80\xA2 %s", pc->keys[ids[i]]);
        cover_text(c, false, 10 * FOLIO_UNITS_PER_PT, 0x000000u, 12 * FOLIO_UNITS_PER_PT,
                   line);
    }
}

/* Index of key k (text) in the sorted key table, UINT32_MAX if absent. */
static uint32_t key_index(const folio_proof_cover *pc, const char *k, size_t len)
{
    uint32_t lo = 0, hi = pc->n_keys;
    while (lo < hi) {
        uint32_t mid = lo + (hi - lo) / 2;
        const char *s = pc->keys[mid];
        int r = strncmp(s, k, len);
        if (r == 0)
            r = s[len] ? 1 : 0;
        if (r == 0)
            return mid;
        if (r < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    return UINT32_MAX;
}

/* The cover of pick i (household h) in a new statement. */
static folio_dl_statement *cover_build(const folio_proof_params *p, const folio_proof_cover *pc,
                                       uint32_t i, folio_arena *arena)
{
    const folio_plan *plan = p->plan;
    const folio_layout *L = plan->layout;
    const folio_households *hs = plan->hs;
    uint32_t h = pc->picked[i];
    const folio_household *hh = &hs->v[h];
    const folio_proof_household *ph = &p->hh[h];
    cover c = {.L = L, .reg = font_named(L, "regular"), .bold = font_named(L, "bold")};
    c.st = dlist_statement_new(arena, hh->id, L->page_w, L->page_h);
    if (!c.st)
        return NULL;
    c.left = L->margin_left;
    c.width = L->page_w - L->margin_left - L->margin_right;
    c.top = L->margin_top;
    c.bottom = L->page_h - L->margin_bottom;
    cover_newpage(&c);
    char *cont = folio_arena_alloc(arena, 200);
    if (cont)
        snprintf(cont, 200, "PROOF \xE2\x80\x94 sample %u of %u, household %s (cover, "
                 "continued)", i + 1, pc->n_picked, hh->id);
    c.cont = cont;
    const int32_t T = 16 * FOLIO_UNITS_PER_PT, B = 10 * FOLIO_UNITS_PER_PT,
                  S = 9 * FOLIO_UNITS_PER_PT;
    char line[1200], d0[16], d1[16], d2[16];
    snprintf(line, sizeof line, "PROOF \xE2\x80\x94 sample %u of %u", i + 1, pc->n_picked);
    cover_text(&c, true, T, 0x1F3A5Fu, 0, line);
    const folio_job *J = plan->job;
    folio_date_format(J->statement_date, "YYYY-MM-DD", d0, sizeof d0);
    folio_date_format(J->period_start, "YYYY-MM-DD", d1, sizeof d1);
    folio_date_format(J->period_end, "YYYY-MM-DD", d2, sizeof d2);
    snprintf(line, sizeof line, "%s \xE2\x80\x94 statement date %s, period %s to %s",
             J->name ? J->name : "", d0, d1, d2);
    cover_text(&c, false, S, 0x333333u, 0, line);
    cover_text(&c, false, S, 0x333333u, 0,
               "For compliance review only. Not for mailing. Account numbers are masked "
               "to the last four digits on this proof only.");
    cover_gap(&c, B);
    uint32_t printed_pages = ph->pages + (p->duplex && (ph->pages & 1));
    snprintf(line, sizeof line, "Household %s \xC2\xB7 channel %s \xC2\xB7 %u page%s", hh->id,
             CHANNEL_NAME[ph->channel & 3], ph->pages, ph->pages == 1 ? "" : "s");
    cover_text(&c, true, B, 0x000000u, 0, line);
    if (ph->channel == FOLIO_CHANNEL_SUPPRESSED) {
        snprintf(line, sizeof line, "Suppressed: %s. No statement is produced; this household "
                 "is listed for review only.", ph->reason ? ph->reason : "(no reason)");
        cover_text(&c, false, B, 0x9B1C1Cu, 0, line);
    } else if (ph->print_file) {
        snprintf(line, sizeof line, "Printed in %s, pages %u to %u (piece %s, mail stream %s)",
                 ph->print_file, ph->first_page, ph->first_page + printed_pages - 1,
                 ph->piece ? ph->piece : "-", ph->stream ? ph->stream : "-");
        cover_text(&c, false, B, 0x000000u, 0, line);
    } else if (ph->piece) {
        snprintf(line, sizeof line, "Print piece %s, mail stream %s (no PDF print file in this "
                 "run)", ph->piece, ph->stream ? ph->stream : "-");
        cover_text(&c, false, B, 0x000000u, 0, line);
    } else {
        cover_text(&c, false, B, 0x000000u, 0, "Not printed (electronic delivery only).");
    }
    /* customers and accounts */
    for (uint32_t k = 0; k < hh->n_customers && k < 8; k++) {
        const folio_customer *cu = &plan->ds->customers[hs->customer_idx[hh->first_customer + k]];
        snprintf(line, sizeof line, "Customer %s: %s%s%s", cu->id,
                 cu->first_name ? cu->first_name : "", cu->first_name ? " " : "",
                 cu->last_name ? cu->last_name : "");
        cover_text(&c, false, B, 0x000000u, 0, line);
    }
    char mask = L->mask_char ? L->mask_char : '*';
    for (uint32_t k = 0; k < hh->n_accounts && !c.oom; k++) {
        uint32_t ai = hs->account_idx[hh->first_account + k];
        const folio_account *a = &plan->ds->accounts[ai];
        const folio_account_plan *ap = &plan->accounts[ai];
        char mn[128];
        mask_number(a->id, mask, mn, sizeof mn);
        snprintf(line, sizeof line, "Account %s (%s)%s%s", mn, a->product ? a->product : "",
                 ap->suppressed ? " \xE2\x80\x94 suppressed: " : "",
                 ap->suppressed && ap->reason ? ap->reason : "");
        /* the reason may quote amounts, never the number; mask anyway */
        cover_text(&c, false, B, 0x000000u, 0, line);
    }
    cover_gap(&c, B);
    uint32_t f0 = pc->first_off[i], f1 = pc->first_off[i + 1];
    snprintf(line, sizeof line, "Why this statement is in the sample: it is the first to show "
             "%u variation%s", f1 - f0, f1 - f0 == 1 ? "" : "s");
    cover_text(&c, true, B, 0x1F3A5Fu, 0, line);
    cover_keys(&c, pc, pc->first + f0, f1 - f0);
    /* its other keys, already covered by earlier samples */
    uint32_t *other = NULL;
    size_t n_other = 0;
    if (ph->keys) {
        size_t cap = 1;
        for (const char *q = ph->keys; *q; q++)
            cap += *q == '\n';
        other = folio_arena_alloc(arena, cap * sizeof *other);
        if (!other)
            c.oom = true;
        for (const char *q = ph->keys; other && *q;) {
            const char *nl = strchr(q, '\n');
            size_t len = nl ? (size_t)(nl - q) : strlen(q);
            uint32_t id = len ? key_index(pc, q, len) : UINT32_MAX;
            bool first = false;
            for (uint32_t j = f0; j < f1 && !first; j++)
                first = pc->first[j] == id;
            bool dup = false;
            for (size_t j = 0; j < n_other && !dup; j++)
                dup = other[j] == id;
            if (id != UINT32_MAX && !first && !dup && n_other < cap)
                other[n_other++] = id;
            q = nl ? nl + 1 : q + len;
        }
    }
    if (n_other) {
        cover_gap(&c, B / 2);
        cover_text(&c, true, B, 0x1F3A5Fu, 0, "Also shows (first shown by an earlier sample):");
        cover_keys(&c, pc, other, n_other);
    }
    cover_gap(&c, B);
    cover_text(&c, false, S, 0x333333u, 0,
               ph->channel == FOLIO_CHANNEL_SUPPRESSED
                   ? "End of this sample."
                   : "The statement follows, composed exactly as printed, with a PROOF "
                     "watermark.");
    return c.oom ? NULL : c.st;
}

/* issue 12 part 3 (r-merge): the cover for merge's re-rendered sample */
folio_dl_statement *proof_cover_statement(const folio_proof_params *p,
                                          const folio_proof_cover *pc, uint32_t i,
                                          folio_arena *arena)
{
    return cover_build(p, pc, i, arena);
}

/* r-harden (round 25): the page of an empty sample, for proof_write and
 * folio merge alike */
folio_dl_statement *proof_empty_page(const folio_layout *L, folio_arena *arena)
{
    cover c = {.L = L, .reg = font_named(L, "regular"), .bold = font_named(L, "bold")};
    c.st = dlist_statement_new(arena, "none", L->page_w, L->page_h);
    if (c.st) {
        c.left = L->margin_left;
        c.width = L->page_w - L->margin_left - L->margin_right;
        c.top = L->margin_top;
        c.bottom = L->page_h - L->margin_bottom;
        cover_newpage(&c);
        cover_text(&c, true, 16 * FOLIO_UNITS_PER_PT, 0x1F3A5Fu, 0,
                   "PROOF \xE2\x80\x94 no households in this run: nothing to review.");
    }
    return c.st && !c.oom ? c.st : NULL;
}

/* ---- proofs.json ---------------------------------------------------------------- */

static void json_key_list(folio_buf *b, const folio_proof_cover *pc, const uint32_t *ids,
                          size_t n)
{
    folio_buf_putc(b, '[');
    for (size_t i = 0; i < n; i++) {
        if (i)
            folio_buf_putc(b, ',');
        folio_buf_put_json_str(b, pc->keys[ids[i]], strlen(pc->keys[ids[i]]));
    }
    folio_buf_putc(b, ']');
}

static void json_lines(folio_buf *b, const char *keys)
{
    folio_buf_putc(b, '[');
    bool any = false;
    for (const char *q = keys ? keys : ""; *q;) {
        const char *nl = strchr(q, '\n');
        size_t len = nl ? (size_t)(nl - q) : strlen(q);
        if (len) {
            if (any)
                folio_buf_putc(b, ',');
            folio_buf_put_json_str(b, q, len);
            any = true;
        }
        q = nl ? nl + 1 : q + len;
    }
    folio_buf_putc(b, ']');
}

static void proofs_json(const folio_proof_params *p, const folio_proof_result *r, folio_buf *b)
{
    const folio_proof_cover *pc = &r->cover;
    const folio_households *hs = p->plan->hs;
    folio_buf_puts(b, "{\n  \"generator\":\"folio " FOLIO_VERSION "\",\n  \"job\":");
    const char *jn = p->plan->job->name ? p->plan->job->name : "";
    folio_buf_put_json_str(b, jn, strlen(jn));
    folio_buf_puts(b, ",\n  \"file\":\"proofs/proof.pdf\",\n  \"pages\":");
    folio_buf_put_int(b, r->pages);
    folio_buf_puts(b, ",\n  \"max\":");
    folio_buf_put_int(b, p->opt->max);
    folio_buf_puts(b, ",\n  \"households\":");
    folio_buf_put_int(b, (int64_t)pc->n_items);
    folio_buf_puts(b, ",\n  \"keys_total\":");
    folio_buf_put_int(b, pc->n_keys);
    folio_buf_puts(b, ",\n  \"keys_covered\":");
    folio_buf_put_int(b, pc->n_keys - pc->n_uncovered);
    folio_buf_puts(b, ",\n  \"complete\":");
    folio_buf_puts(b, pc->n_uncovered ? "false" : "true");
    /* page counts 1..max with no statement: no sample can show them */
    uint32_t maxp = 0;
    uint8_t *seen = NULL;
    for (int pass = 0; pass < 2; pass++) {
        for (uint32_t k = 0; k < pc->n_keys; k++) {
            const char *q = pc->keys[k];
            if (strncmp(q, "pages:", 6) || q[6] < '1' || q[6] > '9' || strlen(q + 6) > 6 ||
                strspn(q + 6, "0123456789") != strlen(q + 6))
                continue;
            uint32_t v = (uint32_t)atoi(q + 6);
            if (!pass && v > maxp)
                maxp = v;
            else if (pass && seen)
                seen[v] = 1;
        }
        if (!pass && !(seen = calloc(maxp + 1, 1)))
            break;
    }
    folio_buf_puts(b, ",\n  \"pages_not_seen\":[");
    for (uint32_t v = 1, any = 0; seen && v <= maxp; v++)
        if (!seen[v]) {
            if (any++)
                folio_buf_putc(b, ',');
            folio_buf_put_int(b, v);
        }
    folio_buf_putc(b, ']');
    free(seen);
    folio_buf_puts(b, ",\n  \"samples\":[");
    for (uint32_t i = 0; i < pc->n_picked; i++) {
        uint32_t h = pc->picked[i];
        const folio_proof_household *ph = &p->hh[h];
        folio_buf_puts(b, i ? ",\n    {" : "\n    {");
        folio_buf_puts(b, "\"sample\":");
        folio_buf_put_int(b, i + 1);
        folio_buf_puts(b, ",\"household\":");
        folio_buf_put_json_str(b, hs->v[h].id, strlen(hs->v[h].id));
        folio_buf_puts(b, ",\"channel\":\"");
        folio_buf_puts(b, CHANNEL_NAME[ph->channel & 3]);
        folio_buf_putc(b, '"');
        if (ph->channel == FOLIO_CHANNEL_SUPPRESSED && ph->reason) {
            folio_buf_puts(b, ",\"reason\":");
            folio_buf_put_json_str(b, ph->reason, strlen(ph->reason));
        }
        folio_buf_puts(b, ",\"first_page\":");
        folio_buf_put_int(b, r->sample_first_page[i]);
        folio_buf_puts(b, ",\"last_page\":");
        folio_buf_put_int(b, r->sample_first_page[i] + r->sample_pages[i] - 1);
        folio_buf_puts(b, ",\"cover_pages\":");
        folio_buf_put_int(b, r->sample_pages[i] - r->statement_pages[i]);
        folio_buf_puts(b, ",\"statement_pages\":");
        folio_buf_put_int(b, r->statement_pages[i]);
        if (ph->print_file) {
            folio_buf_puts(b, ",\"print_file\":");
            folio_buf_put_json_str(b, ph->print_file, strlen(ph->print_file));
            folio_buf_puts(b, ",\"print_first_page\":");
            folio_buf_put_int(b, ph->first_page);
        }
        if (ph->piece) {
            folio_buf_puts(b, ",\"piece\":");
            folio_buf_put_json_str(b, ph->piece, strlen(ph->piece));
        }
        folio_buf_puts(b, ",\n     \"covers\":");
        json_key_list(b, pc, pc->first + pc->first_off[i], pc->first_off[i + 1] - pc->first_off[i]);
        folio_buf_puts(b, ",\n     \"keys\":");
        json_lines(b, ph->keys);
        folio_buf_putc(b, '}');
    }
    folio_buf_puts(b, pc->n_picked ? "\n  ],\n  \"uncovered\":[" : "],\n  \"uncovered\":[");
    for (uint32_t u = 0; u < pc->n_uncovered; u++) {
        uint32_t k = pc->uncovered[u];
        folio_buf_puts(b, u ? ",\n    {\"key\":" : "\n    {\"key\":");
        folio_buf_put_json_str(b, pc->keys[k], strlen(pc->keys[k]));
        folio_buf_puts(b, ",\"households\":");
        folio_buf_put_int(b, pc->key_items[k]);
        folio_buf_putc(b, '}');
    }
    folio_buf_puts(b, pc->n_uncovered ? "\n  ]\n}\n" : "]\n}\n");
}

/* ---- write / publish ---------------------------------------------------------- */

static bool write_part(const char *part, const folio_buf *b, char sha[65], uint64_t *bytes,
                       folio_error *err)
{
    FILE *fp = folio_fopen_excl(part);          /* a new file, never through a link */
    bool ok = fp && fwrite(b->data, 1, b->len, fp) == b->len;
    if (fp && fclose(fp) != 0)
        ok = false;
    if (!ok) {
        folio_error_set(err, FOLIO_EXIT_FAILED, "%s: cannot write: %s", part, strerror(errno));
        return false;
    }
    folio_sha256_hex(b->data, b->len, sha);
    *bytes = b->len;
    return true;
}

bool proof_select(const folio_proof_params *p, folio_proof_result *r, folio_error *err)
{
    size_t n = p->plan->hs->n;
    const char **items = malloc((n ? n : 1) * sizeof *items);
    if (!items) {
        folio_error_set(err, FOLIO_EXIT_FAILED, "proof sample: out of memory");
        return false;
    }
    for (size_t h = 0; h < n; h++)
        items[h] = p->hh[h].keys;
    bool ok = proof_cover_build(items, n, p->opt->max, &r->cover, err);
    free(items);
    return ok;
}

bool proof_write(const folio_proof_params *p, folio_proof_result *r, folio_error *err)
{
    const folio_plan *plan = p->plan;
    const folio_layout *L = plan->layout;
    const folio_households *hs = plan->hs;
    const folio_proof_cover *pc = &r->cover;
    uint32_t np = pc->n_picked ? pc->n_picked : 1;
    r->sample_first_page = calloc(np, sizeof *r->sample_first_page);
    r->sample_pages = calloc(np, sizeof *r->sample_pages);
    r->statement_pages = calloc(np, sizeof *r->statement_pages);
    if (!r->sample_first_page || !r->sample_pages || !r->statement_pages ||
        asprintf(&r->pdf_path, "%s/proof.pdf", p->dir) < 0 ||
        asprintf(&r->pdf_part, "%s/proof.pdf.part", p->dir) < 0 ||
        asprintf(&r->json_path, "%s/proofs.json", p->dir) < 0 ||
        asprintf(&r->json_part, "%s/proofs.json.part", p->dir) < 0) {
        folio_error_set(err, FOLIO_EXIT_FAILED, "proof sample: out of memory");
        return false;
    }
    int fd = folio_create_excl(r->pdf_part);    /* a new file, never through a link */
    if (fd < 0) {
        folio_error_set(err, FOLIO_EXIT_FAILED, "%s: cannot create: %s", r->pdf_part,
                        strerror(errno));
        return false;
    }
    close(fd);
    folio_pdf_writer *w = pdf_writer_open(r->pdf_part, L->fonts, L->n_fonts, p->pdf, err);
    if (!w) {
        unlink(r->pdf_part);
        return false;
    }
    folio_arena arena;
    folio_arena_init(&arena, 256 * 1024);
    for (uint32_t i = 0; i < pc->n_picked; i++) {
        uint32_t h = pc->picked[i];
        const folio_household *hh = &hs->v[h];
        const folio_proof_household *ph = &p->hh[h];
        if (folio_stopped(err))         /* a stop request (SIGTERM) */
            goto fail;
        r->sample_first_page[i] = pdf_writer_pages(w) + 1;
        folio_dl_statement *st = cover_build(p, pc, i, &arena);
        if (!st) {
            folio_error_set(err, FOLIO_EXIT_FAILED, "proof cover of household %s: out of memory",
                            hh->id);
            goto fail;
        }
        if (!pdf_writer_add_statement(w, st, err))
            goto fail;
        folio_arena_reset(&arena);
        if (ph->channel != FOLIO_CHANNEL_SUPPRESSED) {
            /* the statement as printed, prepared by the proof sink */
            if (!p->stmt || !p->stmt[i]) {
                folio_error_set(err, FOLIO_EXIT_FAILED, "internal error: the statement of "
                                "proof sample %u (household %s) was not delivered", i + 1,
                                hh->id);
                goto fail;
            }
            r->statement_pages[i] = p->stmt_pages[i];
            if (!pdf_writer_add_prepared(w, p->stmt[i], err))
                goto fail;
        }
        r->sample_pages[i] = pdf_writer_pages(w) + 1 - r->sample_first_page[i];
    }
    if (pc->n_picked == 0) {
        /* an empty sample (no household in this run or shard) still gets a
         * page that says so, never a PDF without pages */
        folio_dl_statement *none = proof_empty_page(L, &arena);   /* r-harden: shared */
        if (!none) {
            folio_error_set(err, FOLIO_EXIT_FAILED, "out of memory");
            goto fail;
        }
        if (!pdf_writer_add_statement(w, none, err))
            goto fail;
    }
    folio_arena_free(&arena);
    r->pages = pdf_writer_pages(w);
    if (!pdf_writer_close(w, &r->pdf_bytes, err) ||
        !folio_sha256_file(r->pdf_part, r->pdf_sha256, NULL, err)) {
        unlink(r->pdf_part);
        return false;
    }
    folio_buf b;
    folio_buf_init(&b, (size_t)1 << 30);
    proofs_json(p, r, &b);
    bool ok = !b.failed;
    if (!ok)
        folio_error_set(err, FOLIO_EXIT_FAILED, "%s: out of memory", r->json_part);
    else
        ok = write_part(r->json_part, &b, r->json_sha256, &r->json_bytes, err);
    folio_buf_free(&b);
    if (!ok) {
        unlink(r->pdf_part);
        unlink(r->json_part);
        return false;
    }
    r->written = true;
    return true;
fail:
    pdf_writer_abort(w);
    folio_arena_free(&arena);
    unlink(r->pdf_part);
    return false;
}

bool proof_publish(folio_proof_result *r, folio_error *err)
{
    if (!r->written)
        return true;
    if (rename(r->pdf_part, r->pdf_path) != 0 || rename(r->json_part, r->json_path) != 0) {
        folio_error_set(err, FOLIO_EXIT_FAILED, "%s: rename failed: %s", r->pdf_path,
                        strerror(errno));
        return false;
    }
    r->published = true;
    return true;
}

void proof_discard(folio_proof_result *r)
{
    if (!r->written || r->published)
        return;
    unlink(r->pdf_part);
    unlink(r->json_part);
    r->written = false;
}

void proof_result_free(folio_proof_result *r)
{
    proof_cover_free(&r->cover);
    free(r->sample_first_page);
    free(r->sample_pages);
    free(r->statement_pages);
    free(r->pdf_path);
    free(r->pdf_part);
    free(r->json_path);
    free(r->json_part);
    memset(r, 0, sizeof *r);
}

void proof_manifest_json(const folio_proof_result *r, const folio_proof_options *opt,
                         folio_buf *b)
{
    folio_buf_puts(b, "\"proofs\":{");
    if (!opt || !opt->enabled || !r->written) {
        folio_buf_puts(b, "\"enabled\":false}");
        return;
    }
    const folio_proof_cover *pc = &r->cover;
    folio_buf_puts(b, "\"enabled\":true,\"max\":");
    folio_buf_put_int(b, opt->max);
    folio_buf_puts(b, ",\"households\":");
    folio_buf_put_int(b, (int64_t)pc->n_items);
    folio_buf_puts(b, ",\"sampled\":");
    folio_buf_put_int(b, pc->n_picked);
    folio_buf_puts(b, ",\"keys_total\":");
    folio_buf_put_int(b, pc->n_keys);
    folio_buf_puts(b, ",\"keys_covered\":");
    folio_buf_put_int(b, pc->n_keys - pc->n_uncovered);
    folio_buf_puts(b, ",\"uncovered\":");
    json_key_list(b, pc, pc->uncovered, pc->n_uncovered);
    folio_buf_puts(b, ",\n    \"files\":[\n      {\"file\":\"proofs/proof.pdf\",\"format\":\"pdf\","
                      "\"pages\":");
    folio_buf_put_int(b, r->pages);
    folio_buf_puts(b, ",\"bytes\":");
    folio_buf_put_int(b, (int64_t)r->pdf_bytes);
    folio_buf_puts(b, ",\"sha256\":\"");
    folio_buf_puts(b, r->pdf_sha256);
    folio_buf_puts(b, "\"},\n      {\"file\":\"proofs/proofs.json\",\"format\":\"json\","
                      "\"samples\":");
    folio_buf_put_int(b, pc->n_picked);
    folio_buf_puts(b, ",\"bytes\":");
    folio_buf_put_int(b, (int64_t)r->json_bytes);
    folio_buf_puts(b, ",\"sha256\":\"");
    folio_buf_puts(b, r->json_sha256);
    folio_buf_puts(b, "\"}]}");
}
