/* SPDX-License-Identifier: Apache-2.0 */
/*
 * offers-fill.c -- choosing and drawing offers in a statement's white space
 * (offers.h describes the order of selection).
 *
 * Cost per statement: one pass over the catalogue (a few comparisons and one
 * rule evaluation per offer), one binary search per household / customer id
 * in the contact index, and for each free rectangle a scan of the candidates;
 * no allocation besides the statement's arena (ops) and the audit buffers.
 *
 * The offer box: a filled, outlined rectangle; inside it, from the top, the
 * headline (headline style), the body (body style) and the call to action
 * (headline style), each wrapped to the box's inner width; the response code
 * sits at the bottom right in the code style.
 */
#include "offers-private.h"
#include "folio/links.h"     /* issue 13 part 4 */

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- hash ---------------------------------------------------------------------- */

static uint64_t fnv_bytes(uint64_t h, const void *p, size_t n)
{
    const unsigned char *s = p;
    for (size_t i = 0; i < n; i++) {
        h ^= s[i];
        h *= 1099511628211ULL;
    }
    return h;
}

uint32_t offers_bucket(uint64_t seed, const char *household, const char *offer,
                       const char *salt)
{
    unsigned char sb[8];
    for (int i = 0; i < 8; i++)
        sb[i] = (unsigned char)(seed >> (8 * i));
    uint64_t h = 14695981039346656037ULL;
    h = fnv_bytes(h, sb, 8);
    h = fnv_bytes(h, household, strlen(household) + 1);   /* the NUL separates */
    h = fnv_bytes(h, offer, strlen(offer) + 1);
    h = fnv_bytes(h, salt, strlen(salt));
    /* splitmix64 finaliser: FNV's low bits alone are not well mixed */
    h ^= h >> 30;
    h *= 0xbf58476d1ce4e5b9ULL;
    h ^= h >> 27;
    h *= 0x94d049bb133111ebULL;
    h ^= h >> 31;
    return (uint32_t)(h % 10000);
}

/* ---- the offer box ------------------------------------------------------------- */

static const folio_font *sfont(const folio_layout *L, int s)
{
    return L->fonts[L->styles[s].font].metrics;
}

static int32_t sascent(const folio_layout *L, int s)
{
    return (int32_t)(((int64_t)fonts_ascent(sfont(L, s)) * L->styles[s].size + 500) / 1000);
}

static int32_t sdescent(const folio_layout *L, int s)
{
    return (int32_t)(((int64_t)fonts_descent(sfont(L, s)) * L->styles[s].size + 500) / 1000);
}

/* Count in out the characters of t[0..n) the font f has no glyph for: they
 * are drawn as empty boxes, which is never silent (manifest notdef_chars). */
static void count_notdef(const folio_font *f, const char *t, size_t n, folio_offers_out *out)
{
    if (!out)
        return;
    uint32_t cp = 0;
    size_t missing = fonts_count_missing(f, t, n, &cp);
    if (missing && !out->notdef)
        out->notdef_cp = cp;
    out->notdef += (uint32_t)missing;
}

/* Wrap text in style s to width w from baseline-top cy; draw when st (and
 * count what has no glyph in out). */
static int32_t para(const folio_layout *L, int s, const char *text, int32_t x, int32_t w,
                    int32_t cy, folio_dl_statement *st, uint32_t pg, bool *oom,
                    folio_offers_out *out)
{
    const folio_style *sty = &L->styles[s];
    const folio_font *f = sfont(L, s);
    size_t len = strlen(text), off = 0;
    int32_t asc = sascent(L, s);
    while (off < len) {
        size_t next = 0;
        size_t take = fonts_fit(f, text + off, len - off, sty->size, w, &next);
        if (take == 0 && next == 0)
            break;
        if (st && take) {
            count_notdef(f, text + off, take, out);
            if (!dlist_page_add_text(st, &st->pages[pg], (uint8_t)sty->font, sty->size, x,
                                     cy + asc, sty->color, text + off, take, false))
                *oom = true;
        }
        cy += sty->leading;
        off += next ? next : take;
    }
    return cy;
}

int32_t offers_box(const folio_layout *L, const off_text *t, const char *code, int32_t w,
                   folio_dl_statement *st, uint32_t pg, int32_t x, int32_t y, int32_t h,
                   bool *oom, folio_offers_out *out, const off_image *im,
                   const struct folio_image *img)
{
    int32_t pad = L->ws_padding;
    int32_t iw = w - 2 * pad;
    /* issue 13 leftover: a picture takes a column at the right, above the code */
    int32_t pic_need = 0;
    if (im && im->n) {
        iw -= im->w + pad;
        pic_need = 2 * pad + im->h + L->styles[L->ws_code_style].leading;
    }
    if (iw < 200)
        return INT32_MAX / 2;            /* narrower than 10 pt: never fits */
    if (st && !dlist_page_add_box(st, &st->pages[pg], x, y, w, h, L->ws_fill, L->ws_border, 10))
        *oom = true;
    if (st && img && !offers_image_draw(im, img, st, pg, x + w - pad - im->w, y + pad))
        *oom = true;
    int32_t cy = y + pad;
    cy = para(L, L->ws_headline_style, t->headline, x + pad, iw, cy, st, pg, oom, out);
    cy = para(L, L->ws_body_style, t->body, x + pad, iw, cy, st, pg, oom, out);
    cy = para(L, L->ws_headline_style, t->cta, x + pad, iw, cy, st, pg, oom, out);
    int cs = L->ws_code_style;
    cy += L->styles[cs].leading;
    if (st) {
        const folio_style *sty = &L->styles[cs];
        size_t n = strlen(code);
        int32_t cw = fonts_text_width(sfont(L, cs), code, n, sty->size);
        count_notdef(sfont(L, cs), code, n, out);
        if (!dlist_page_add_text(st, &st->pages[pg], (uint8_t)sty->font, sty->size,
                                 x + w - pad - cw, y + h - pad - sdescent(L, cs), sty->color,
                                 code, n, false))
            *oom = true;
    }
    return cy + pad - y > pic_need ? cy + pad - y : pic_need;
}

/* ---- free rectangles ------------------------------------------------------- */

typedef struct frect {
    folio_dl_rect r;
    uint32_t page;
    uint8_t kind;                 /* folio_slot_kind */
    const char *name;             /* slot name, "bottom", "back" */
} frect;

#define MAX_RECTS 64

static bool intersects(const folio_dl_rect *a, int32_t x, int32_t y, int32_t w, int32_t h)
{
    return a->x < x + w && x < a->x + a->w && a->y < y + h && y < a->y + a->h;
}

/* Does any op of page pg touch rectangle r? */
static bool page_touches(const folio_layout *L, const folio_dl_page *pg, const folio_dl_rect *r)
{
    for (uint32_t i = 0; i < pg->n_ops; i++) {
        const folio_dl_op *op = &pg->ops[i];
        switch (op->kind) {
        case FOLIO_DL_TEXT: {
            if (op->font >= L->n_fonts)
                return true;
            const folio_font *f = L->fonts[op->font].metrics;
            int32_t asc = (int32_t)(((int64_t)fonts_ascent(f) * op->size + 999) / 1000);
            int32_t des = (int32_t)(((int64_t)fonts_descent(f) * op->size + 999) / 1000);
            if (op->y - asc >= r->y + r->h || op->y + des <= r->y)
                break;
            int32_t w = fonts_text_width(f, op->text, op->len, op->size);
            if (intersects(r, op->x, op->y - asc, w, asc + des))
                return true;
            break;
        }
        case FOLIO_DL_RULE: {
            int32_t x0 = op->x < op->x2 ? op->x : op->x2, y0 = op->y < op->y2 ? op->y : op->y2;
            int32_t hw = op->w / 2 + 1;
            if (intersects(r, x0 - hw, y0 - hw, abs(op->x2 - op->x) + 2 * hw,
                           abs(op->y2 - op->y) + 2 * hw))
                return true;
            break;
        }
        case FOLIO_DL_BOX:
            if (intersects(r, op->x, op->y, op->w, op->h))
                return true;
            break;
        case FOLIO_DL_IMAGE:                 /* issue 13: what the op covers */
        case FOLIO_DL_PATH: {
            folio_dl_rect b;
            dlist_op_bounds(op, &b);
            if (intersects(r, b.x, b.y, b.w, b.h))
                return true;
            break;
        }
        default:
            return true;
        }
    }
    return false;
}

static int collect_rects(const folio_layout *L, const folio_dl_statement *st, uint32_t pages,
                         bool back_side, frect *out)
{
    int n = 0;
    for (uint32_t p = 0; p < pages; p++)
        for (int s = 0; s < L->n_slots && n < MAX_RECTS; s++) {
            const folio_ws_slot *sl = &L->slots[s];
            bool on = sl->page == FOLIO_WS_EVERY || (sl->page == FOLIO_WS_FIRST && p == 0) ||
                      (sl->page == FOLIO_WS_LAST && p == pages - 1);
            if (!on)
                continue;
            folio_dl_rect r = {sl->x, sl->y, sl->w, sl->h};
            if (page_touches(L, &st->pages[p], &r))
                continue;         /* something is printed there: never cover it */
            out[n++] = (frect){r, p, FOLIO_SLOT_LAYOUT, sl->name};
        }
    for (uint32_t p = 0; p < pages; p++)
        for (uint32_t k = 0; k < st->pages[p].n_free && n < MAX_RECTS; k++) {
            folio_dl_rect r = st->pages[p].free_rects[k];
            r.y += L->ws_gap;
            r.h -= L->ws_gap;
            if (r.h > 0 && r.w > 0)
                out[n++] = (frect){r, p, FOLIO_SLOT_BOTTOM, "bottom"};
        }
    if (back_side && n < MAX_RECTS) {
        folio_dl_rect r = {L->margin_left, L->body_top, L->page_w - L->margin_left - L->margin_right,
                           L->body_bottom - L->body_top};
        out[n++] = (frect){r, pages, FOLIO_SLOT_BACK, "back"};
    }
    return n;
}

/* ---- selection --------------------------------------------------------------- */

typedef enum verdict {
    V_OK = 0, V_WINDOW, V_CHANNEL, V_CONSENT, V_QUIET, V_CAP, V_RULE,
    V_FEEDBACK                    /* issue 15 part 3 */
} verdict;
static const char *const VERDICT[] = {"eligible", "outside date window", "channel not allowed",
                                      "marketing opt-out", "quiet period", "frequency cap",
                                      "rule false", "feedback quiet period"};

static void key_line(folio_buf *b, const char *a, const char *c, const char *d)
{
    /* keys are deduplicated by compose; just write the line */
    folio_buf_puts(b, a);
    folio_buf_puts(b, c);
    if (d) {
        folio_buf_putc(b, '/');
        folio_buf_puts(b, d);
    }
    folio_buf_putc(b, '\n');
}

static void json_str(folio_buf *b, const char *s)
{
    folio_buf_put_json_str(b, s, strlen(s));
}

/* Contacts of the household (its id and every customer's id) per offer. */
static void count_contacts(const folio_offers *o, size_t hh, uint16_t *counts)
{
    const folio_household *h = &o->hs->v[hh];
    const folio_dataset *ds = o->ds;
    for (uint32_t k = 0; k <= h->n_customers; k++) {
        size_t lo, hi;
        offers_contact_range(o, offers_member_key(o, h, k), &lo, &hi);
        for (; lo < hi; lo++) {
            uint32_t c = o->contacts[lo];
            int16_t of = o->contact_offer[c];
            if (ds->contacts[c].holdout)      /* issue 15: a held-out row is no contact */
                continue;
            if (of >= 0 && o->v[of].cap_times && ds->contacts[c].date > o->v[of].cap_after &&
                counts[of] < UINT16_MAX)
                counts[of]++;
        }
    }
}

static const off_text *pick_text(const folio_offers *o, const off_offer *of, const off_variant *va,
                                 const char *lang)
{
    for (int pass = 0; pass < 2; pass++) {
        const char *l = pass ? o->default_lang : lang;
        for (int i = 0; i < va->n_texts; i++)
            if (!strcmp(va->texts[i].lang, l))
                return &va->texts[i];
        for (int i = 0; i < of->n_texts; i++)
            if (!strcmp(of->texts[i].lang, l))
                return &of->texts[i];
    }
    return &of->texts[0];
}

static const char *const CH_NAMES[] = {"print", "email", "both"};

bool offers_fill(const folio_offers *o, const folio_layout *L, const folio_dataset *ds,
                 const folio_households *hs, size_t hh, int channel, folio_dl_statement *st,
                 uint32_t pages, bool back_side, folio_offers_out *out)
{
    const folio_household *h = &hs->v[hh];
    const folio_customer *primary = &ds->customers[hs->customer_idx[h->first_customer]];
    folio_buf *A = out->audit, *K = out->keys;
    bool explain = A && K;        /* else: choose only (compose's second pass) */
    out->n_picks = 0;
    out->back_page = false;
    bool oom = false;

    const char *lang = out->language && out->language[0] ? out->language
                       : primary->language && primary->language[0] ? primary->language : "en";
    uint8_t cand[FOLIO_OFFERS_MAX];
    int n_cand = 0;
    /* The first pass left the candidates in the memo: the second pass (no
     * explaining) takes them from there instead of evaluating again. */
    uint8_t *memo = o->memo && hh < o->memo_n ? o->memo + hh * o->memo_stride : NULL;
    uint16_t *press = NULL;       /* issue 15 part 3: set when explaining */
    if (!explain && memo && memo[0]) {
        for (int i = 0; i < o->n; i++)
            if (memo[1 + i / 8] >> (i % 8) & 1)
                cand[n_cand++] = (uint8_t)o->order[i];
        goto fill;
    }
    if (memo)
        memset(memo, 0, o->memo_stride);
    /* issue 15 part 3: this household's figures (first pass only) */
    press = o->press && hh < o->memo_n ? o->press + hh * FOLIO_PRESS_N : NULL;
    if (press)
        memset(press, 0, sizeof *press * FOLIO_PRESS_N);

    /* household facts used by several offers */
    bool opted_out = false;
    for (uint32_t k = 0; k < h->n_customers; k++)
        if (!ds->customers[hs->customer_idx[h->first_customer + k]].marketing_consent)
            opted_out = true;
    uint16_t counts[FOLIO_OFFERS_MAX];
    memset(counts, 0, sizeof(uint16_t) * (size_t)o->n);
    if (o->ds)
        count_contacts(o, hh, counts);
    folio_rule_ctx ctx = {.ds = ds, .hs = hs, .job = o->job, .hh = (uint32_t)hh,
                          .today = o->job->statement_date,
                          /* issue 15 part 1 (r-chan): the statement's own interval */
                          .period_start = st && st->period_start ? st->period_start
                                                                 : o->job->period_start,
                          .period_end = o->job->period_end,
                          .channel = channel >= 0 && channel <= 2 ? CH_NAMES[channel] : ""};

    /* 1. consider every offer */
    if (explain) {
        folio_buf_puts(A, "\"offers\":{\"language\":");
        json_str(A, lang);
        folio_buf_puts(A, ",\"marketing_consent\":");
        folio_buf_puts(A, opted_out ? "false" : "true");
        folio_buf_puts(A, ",\"considered\":[");
    }
    for (int i = 0; i < o->n; i++) {
        int oi = o->order[i];
        const off_offer *of = &o->v[oi];
        verdict v = V_OK;
        folio_rule_explain ex = {0};
        const char *quiet_product = NULL;
        if ((of->from != FOLIO_DATE_NONE && ctx.today < of->from) ||
            (of->until != FOLIO_DATE_NONE && ctx.today > of->until))
            v = V_WINDOW;
        else if ((channel == 0 && !of->print) || (channel == 1 && !of->email) ||
                 (channel == 2 && !(of->print && of->email)))
            v = V_CHANNEL;
        else if (of->kind == FOLIO_OFFER_MARKETING && opted_out)
            v = V_CONSENT;
        if (v == V_OK && of->n_quiet) {
            for (uint32_t k = 0; k < h->n_accounts && !quiet_product; k++) {
                const folio_account *a = &ds->accounts[hs->account_idx[h->first_account + k]];
                if (a->opened_date == FOLIO_DATE_NONE || a->opened_date > ctx.today ||
                    ctx.today - a->opened_date >= of->quiet_days)
                    continue;
                for (int q = 0; q < of->n_quiet; q++)
                    if (!strcmp(a->product, of->quiet[q]))
                        quiet_product = a->product;
            }
            if (quiet_product)
                v = V_QUIET;
        }
        if (v == V_OK && of->cap_times && counts[oi] >= of->cap_times)
            v = V_CAP;
        if (v == V_OK && of->kind == FOLIO_OFFER_FEEDBACK &&      /* issue 15 part 3 */
            pressure_feedback_recent(o, hh, of->feedback_quiet_days))
            v = V_FEEDBACK;
        if (press && (v == V_CAP || v == V_FEEDBACK))
            press[v == V_CAP ? FOLIO_PRESS_OFFER_CAP : FOLIO_PRESS_FEEDBACK_QUIET]++;
        if (v == V_OK && of->rule &&
            !(explain ? rules_eval_explain(of->rule, &ctx, &ex) : rules_eval_bool(of->rule, &ctx)))
            v = V_RULE;
        if (v == V_OK) {
            cand[n_cand++] = (uint8_t)oi;
            if (memo)
                memo[1 + i / 8] |= (uint8_t)(1u << (i % 8));
        }
        if (!explain)
            continue;
        if (i)
            folio_buf_putc(A, ',');
        /* kept short: 100,000 lines of this are written and kept per run */
        folio_buf_puts(A, "{\"id\":");
        json_str(A, of->id);
        folio_buf_puts(A, ",\"result\":");
        json_str(A, VERDICT[v]);
        if (of->cap_times && counts[oi] && v != V_WINDOW && v != V_CHANNEL) {
            folio_buf_puts(A, ",\"contacts\":");
            folio_buf_put_int(A, counts[oi]);
        }
        if (v == V_CAP) {
            folio_buf_puts(A, ",\"cap\":");
            folio_buf_put_int(A, of->cap_times);
            folio_buf_puts(A, ",\"cap_months\":");
            folio_buf_put_int(A, of->cap_months);
        }
        if (v == V_QUIET) {
            folio_buf_puts(A, ",\"opened\":");
            json_str(A, quiet_product);
            folio_buf_puts(A, ",\"quiet_days\":");
            folio_buf_put_int(A, of->quiet_days);
        }
        if (v == V_RULE) {
            folio_buf_puts(A, ",\"failed_clause\":");
            folio_buf_put_json_str(A, rules_text(of->rule) + ex.failed_off, ex.failed_len);
            if (ex.detail[0]) {
                /* detail is "LEFT SIDE = value": the left side is in the clause */
                const char *val = ex.detail, *eq;
                while ((eq = strstr(val, " = ")))
                    val = eq + 3;
                folio_buf_puts(A, ",\"value\":");
                json_str(A, val);
            }
        }
        folio_buf_putc(A, '}');
        if (v == V_CONSENT)
            folio_buf_puts(K, "offers:opted-out\n");
        else if (v == V_CAP)
            folio_buf_puts(K, "offers:capped\n");
        else if (v == V_QUIET)
            folio_buf_puts(K, "offers:quiet\n");
        else if (v == V_FEEDBACK)
            folio_buf_puts(K, "offers:feedback-quiet\n");
    }
    if (explain)
        folio_buf_puts(A, "]");
    if (memo)
        memo[0] = 1;

fill:;    /* a declaration follows: C11 needs a statement after a label (clang) */
    /* 2. free rectangles, 3. fill them */
    frect rects[MAX_RECTS];
    int n_rects = collect_rects(L, st, pages, back_side, rects);
    bool used[FOLIO_OFFERS_MAX] = {false};
    frect orig[MAX_RECTS];
    memcpy(orig, rects, sizeof(frect) * (size_t)n_rects);
    int placed = 0;
    /* issue 15 part 3: the household's contacts so far (history in the
     * window, the notification of an e-delivered statement) */
    unsigned sent = pressure_history(o, hh) + (channel == 1 || channel == 2 ? 1u : 0u);
    uint8_t withheld[FOLIO_OFFERS_MAX];
    int n_withheld = 0;
    if (explain)
        folio_buf_puts(A, ",\"placed\":[");
    for (int ri = 0; ri < n_rects && placed < o->max_per; ri++) {
        const frect fr0 = rects[ri], *fr = &fr0;
        for (int c = 0; c < n_cand; c++) {
            int oi = cand[c];
            if (used[oi])
                continue;
            const off_offer *of = &o->v[oi];
            int sz = -1;
            for (int s = 0; s < of->n_sizes && sz < 0; s++)
                if (of->sizes[s].w <= fr->r.w && of->sizes[s].h <= fr->r.h &&
                    (!of->sizes[s].full_page || fr->kind == FOLIO_SLOT_BACK))
                    sz = s;
            if (sz < 0)
                continue;
            used[oi] = true;
            if (o->hh_cap_times && of->kind != FOLIO_OFFER_SERVICE &&
                sent >= (unsigned)o->hh_cap_times) {     /* issue 15 part 3 */
                withheld[n_withheld++] = (uint8_t)oi;
                if (explain)
                    folio_buf_puts(K, "offers:household-cap\n");
                continue;
            }
            if (out->n_picks >= FOLIO_OFFERS_MAX_PICKS)
                break;
            folio_offer_pick *pk = &out->picks[out->n_picks++];
            memset(pk, 0, sizeof *pk);
            pk->offer = (uint16_t)oi;
            if (of->holdout_bp && offers_bucket(o->seed, h->id, of->id, "holdout") <
                                      (uint32_t)of->holdout_bp) {
                pk->holdout = 1;
                if (explain)
                    key_line(K, "holdout:", of->id, NULL);
                continue;         /* held out: the rectangle goes to the next offer */
            }
            int var = 0;
            if (of->n_variants > 1) {
                uint32_t b = offers_bucket(o->seed, h->id, of->id, "variant");
                /* issue 15 part 4: retired variants' shares go to the others,
                 * in proportion (without retirements live == 10000) */
                uint32_t live = 0, acc = 0;
                for (int k = 0; k < of->n_variants; k++)
                    live += of->variants[k].retired ? 0u : (uint32_t)of->variants[k].share_bp;
                b = (uint32_t)((uint64_t)b * live / 10000u);
                int last = of->n_variants - 1;
                while (last > 0 && of->variants[last].retired)
                    last--;
                for (var = 0; var < last; var++) {
                    if (of->variants[var].retired)
                        continue;
                    acc += (uint32_t)of->variants[var].share_bp;
                    if (b < acc)
                        break;
                }
            }
            sent++;
            const off_variant *va = &of->variants[var];
            const off_size *z = &of->sizes[sz];
            const off_text *t = pick_text(o, of, va, lang);
            const char *code = va->code ? va->code : of->code;
            if (fr->kind == FOLIO_SLOT_BACK && !out->back_page) {
                if (!dlist_page_add(st)) {
                    oom = true;
                    break;
                }
                out->back_page = true;
            }
            folio_dl_rect box = {fr->r.x, fr->r.y, z->w, z->h};
            offers_box(L, t, code, z->w, st, fr->page, box.x, box.y, box.h, &oom, out,
                       &of->image, of->image.n ? offers_image_for(&of->image, t->lang,
                                                                   o->default_lang) : NULL);
            if (of->response_url) {   /* issue 13 part 4: the box links to the response URL */
                const char *vals[4] = {code, of->id, va->id ? va->id : "", h->id};
                if (!links_add_template(st, fr->page, box.x, box.y, z->w, box.h,
                                        of->response_url, OFFER_URL_FIELDS, vals, 4))
                    oom = true;
            }
            /* the rest of the rectangle, under this offer, stays free */
            frect *rest = &rects[ri];
            rest->r.y += z->h + L->ws_gap;
            rest->r.h -= z->h + L->ws_gap;
            if (rest->r.h > 0)
                ri--;             /* try it again */
            pk->variant = (uint8_t)var;
            pk->size = (uint8_t)sz;
            pk->slot_kind = fr->kind;
            pk->page = (uint16_t)fr->page;
            pk->rect = box;
            if (!explain) {
                placed++;
                break;
            }
            if (placed)
                folio_buf_putc(A, ',');
            placed++;
            folio_buf_puts(A, "{\"slot\":");
            json_str(A, fr->name);
            folio_buf_puts(A, ",\"page\":");
            folio_buf_put_int(A, fr->page + 1);
            folio_buf_puts(A, ",\"offer\":");
            json_str(A, of->id);
            folio_buf_puts(A, ",\"size\":");
            json_str(A, z->name);
            if (va->id) {
                folio_buf_puts(A, ",\"variant\":");
                json_str(A, va->id);
            }
            folio_buf_puts(A, ",\"language\":");
            json_str(A, t->lang);
            if (strcmp(t->lang, lang)) {
                folio_buf_puts(A, ",\"language_fallback\":");
                json_str(A, lang);
                key_line(K, "offer-language-fallback:", lang, NULL);
            }
            folio_buf_puts(A, ",\"response_code\":");
            json_str(A, code);
            folio_buf_putc(A, '}');
            key_line(K, "offer:", of->id, va->id);
            key_line(K, "slot:", fr->name, NULL);
            break;
        }
    }
    if (press) {
        press[FOLIO_PRESS_CONTACTS] = (uint16_t)(sent < UINT16_MAX ? sent : UINT16_MAX);
        press[FOLIO_PRESS_HOUSEHOLD_CAP] = (uint16_t)n_withheld;
    }
    if (!explain)
        return !oom;
    if (n_withheld) {                         /* issue 15 part 3 */
        folio_buf_puts(A, "],\"household_cap\":{\"contacts\":");
        folio_buf_put_int(A, sent);
        folio_buf_puts(A, ",\"cap\":");
        folio_buf_put_int(A, o->hh_cap_times);
        folio_buf_puts(A, ",\"days\":");
        folio_buf_put_int(A, o->hh_cap_days);
        folio_buf_puts(A, ",\"withheld\":[");
        for (int i = 0; i < n_withheld; i++) {
            if (i)
                folio_buf_putc(A, ',');
            json_str(A, o->v[withheld[i]].id);
        }
        folio_buf_puts(A, "]}");
        folio_buf_puts(A, ",\"held_out\":[");
    } else
        folio_buf_puts(A, "],\"held_out\":[");
    int nh = 0;
    for (int i = 0; i < out->n_picks; i++)
        if (out->picks[i].holdout) {
            if (nh++)
                folio_buf_putc(A, ',');
            json_str(A, o->v[out->picks[i].offer].id);
        }
    /* eligible offers that found no place, and why */
    folio_buf_puts(A, "],\"not_placed\":[");
    int nn = 0;
    for (int c = 0; c < n_cand; c++) {
        if (used[cand[c]])
            continue;
        if (nn++)
            folio_buf_putc(A, ',');
        folio_buf_puts(A, "{\"id\":");
        json_str(A, o->v[cand[c]].id);
        const off_offer *of = &o->v[cand[c]];
        bool fits = false;
        for (int ri = 0; ri < n_rects && !fits; ri++)
            for (int k = 0; k < of->n_sizes && !fits; k++)
                fits = of->sizes[k].w <= orig[ri].r.w && of->sizes[k].h <= orig[ri].r.h &&
                       (!of->sizes[k].full_page || orig[ri].kind == FOLIO_SLOT_BACK);
        folio_buf_puts(A, !fits ? ",\"why\":\"no free space fits its sizes\"}"
                          : placed >= o->max_per ? ",\"why\":\"max_per_statement reached\"}"
                                                 : ",\"why\":\"space taken by higher-priority offers\"}");
    }
    folio_buf_puts(A, "]}");
    if (!placed)
        folio_buf_puts(K, "offers:none\n");
    return !oom;
}
