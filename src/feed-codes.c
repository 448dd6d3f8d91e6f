/* SPDX-License-Identifier: Apache-2.0 */
/*
 * feed-codes.c -- the loader's side of code lists and description templates
 * (issue 10 part 4; the lists themselves are in codes.c).
 *
 * feed_codes_prepare() runs once per feed, after the header is read: it finds
 * the header column of every code list applying to the feed and of every
 * template placeholder (a code-list placeholder reads its list's column).
 * feed_codes_row() runs per row of such a feed: every code column is looked
 * up (a value not listed is a reject naming the list), then the description
 * is rendered for each language (codes_render).  A feed without lists or a
 * template never calls it: the common path costs one test per row.
 */
#include "feed-private.h"
#include "folio/codes.h"

#include <string.h>

/* Column index of header name `want` (feed_header_column), or -1 with err set. */
static int header_col(feed_ctx *ctx, uint32_t hdr_line, const char *want, const char *what,
                      folio_error *err)
{
    return feed_header_column((const char *const *)ctx->cols, ctx->n_cols, ctx->fname, hdr_line,
                              want, what, "", err);
}

/* feed_codes_prepare: see feed-private.h. */
bool feed_codes_prepare(feed_ctx *ctx, uint32_t hdr_line, folio_error *err)
{
    const folio_feed_def *def = ctx->def;
    const folio_codes *c = def->codes;
    const folio_desc_template *t = def->description;
    ctx->n_code_cols = 0;
    if (c && c->n_lists) {
        ctx->code_list = folio_arena_alloc(&ctx->hdr_sp.arena, (size_t)c->n_lists * sizeof(int));
        ctx->code_col = folio_arena_alloc(&ctx->hdr_sp.arena, (size_t)c->n_lists * sizeof(int));
        if (!ctx->code_list || !ctx->code_col)
            goto nomem;
        for (int l = 0; l < c->n_lists; l++) {
            if (!codes_list_applies(&c->lists[l], def))
                continue;
            char what[300];
            snprintf(what, sizeof what, "code list '%.200s'", c->lists[l].name);
            int col = header_col(ctx, hdr_line, c->lists[l].column, what, err);
            if (col < 0)
                return false;
            ctx->code_list[ctx->n_code_cols] = l;
            ctx->code_col[ctx->n_code_cols++] = col;
            if (ctx->col_class[col] == FEED_COL_UNMAPPED)
                ctx->col_class[col] = FEED_COL_LINE;
        }
    }
    if (!t)
        return true;
    ctx->tpl_col = folio_arena_alloc(&ctx->hdr_sp.arena, (size_t)t->n_parts * sizeof(int));
    if (!ctx->tpl_col)
        goto nomem;
    for (int k = 0; k < t->n_parts; k++) {
        const folio_tpl_part *p = &t->parts[k];
        if (p->list >= 0 && !codes_list_applies(&c->lists[p->list], def)) {
            folio_error_set(err, FOLIO_EXIT_USAGE, "%s: feed '%s': the description template "
                            "names code list '%s', which does not apply to this feed (see "
                            "codes.%s.feeds)", ctx->fname, def->name ? def->name : "?",
                            p->name, p->name);
            return false;
        }
        const char *col = p->list >= 0 ? c->lists[p->list].column : p->name;
        int i = header_col(ctx, hdr_line, col, "description template", err);
        if (i < 0)
            return false;
        ctx->tpl_col[k] = i;
        if (ctx->col_class[i] == FEED_COL_UNMAPPED)
            ctx->col_class[i] = FEED_COL_TEXT;
    }
    return true;
nomem:
    folio_error_set(err, FOLIO_EXIT_FAILED, "%s: out of memory", ctx->fname);
    return false;
}

/* feed_codes_row: see feed-private.h. */
int feed_codes_row(const feed_ctx *ctx, feed_chunk *ch, const char *buf, const size_t *off,
                   const size_t *flen, size_t *len, int *n_langs, int *bad_col,
                   const char **bad_list)
{
    const folio_feed_def *def = ctx->def;
    const folio_codes *c = def->codes;
    const folio_desc_template *t = def->description;
    int found[256];                         /* value index per applying list */
    *len = 0;
    *n_langs = 0;
    for (int k = 0; k < ctx->n_code_cols; k++) {
        int col = ctx->code_col[k];
        const folio_code_list *l = &c->lists[ctx->code_list[k]];
        const char *s = buf + off[col];
        size_t n = flen[col];
        while (n && (*s == ' ' || *s == '\t'))
            s++, n--;
        while (n && (s[n - 1] == ' ' || s[n - 1] == '\t'))
            n--;
        found[k] = codes_find(l, s, n);
        if (found[k] < 0) {
            *bad_col = col;
            *bad_list = l->name;
            return 1;
        }
    }
    if (!t)
        return 0;
    const char *vals[32];
    size_t lens[32];
    int idx[32];
    for (int k = 0; k < t->n_parts; k++) {
        int col = ctx->tpl_col[k];
        vals[k] = buf + off[col];
        lens[k] = flen[col];
        idx[k] = -1;
        for (int j = 0; t->parts[k].list >= 0 && j < ctx->n_code_cols; j++)
            if (ctx->code_list[j] == t->parts[k].list)
                idx[k] = found[j];
    }
    int r = codes_render(c, t, vals, lens, idx, &ch->desc_buf, &ch->desc_cap, len);
    if (r < 0)
        return -1;
    *n_langs = r;
    return 0;
}
