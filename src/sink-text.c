/* SPDX-License-Identifier: Apache-2.0 */
/*
 * sink-text.c -- a plain-text print file as a sink (sink.h): the third print
 * format, one file and one row of the print formats table (src/print.c).
 *
 * prepare() renders a whole statement to text in the worker thread that
 * composed it; add_statement() only writes the bytes, in order.
 */
#include "folio/sink.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct text_blob {
    size_t len;
    uint64_t substituted;
    uint32_t ex[8];
    char data[];
} text_blob;

typedef struct text_sink {
    FILE *f;
    char *path;
    folio_sink_result res;
} text_sink;

typedef struct text_run {
    const folio_dl_op *op;
    uint32_t idx;
} text_run;

static int run_cmp(const void *a, const void *b)
{
    const text_run *x = a, *y = b;
    if (x->op->y != y->op->y)
        return x->op->y < y->op->y ? -1 : 1;
    if (x->op->x != y->op->x)
        return x->op->x < y->op->x ? -1 : 1;
    return x->idx < y->idx ? -1 : x->idx > y->idx;
}

static void note_subst(text_blob *tb, uint32_t cp)
{
    tb->substituted++;
    for (int k = 0; k < 8; k++) {
        if (tb->ex[k] == cp)
            return;
        if (!tb->ex[k]) {
            tb->ex[k] = cp;
            return;
        }
    }
}

/* Append one text run at column >= *col; control characters become '?'. */
static bool put_run(folio_buf *b, text_blob *tb, const folio_dl_op *op, int32_t col_w,
                    int64_t *col)
{
    int64_t want = op->x / col_w;
    if (*col > 0 && want < *col + 1)
        want = *col + 1;
    for (; *col < want; (*col)++)
        if (!folio_buf_putc(b, ' '))
            return false;
    for (uint32_t k = 0; k < op->len; k++) {
        unsigned char c = (unsigned char)op->text[k];
        if (c < 0x20 || c == 0x7F) {
            note_subst(tb, c ? c : 0x100);   /* 0 would read as "none" */
            c = '?';
        }
        if (!folio_buf_putc(b, (char)c))
            return false;
        if ((c & 0xC0) != 0x80)              /* one column per code point */
            (*col)++;
    }
    return true;
}

static void *text_prepare(const void *opt, const folio_dl_statement *st, folio_error *err)
{
    const folio_sink_text_options *o = opt;
    int32_t col_w = o && o->col_w > 0 ? o->col_w : 144;
    folio_buf b;
    folio_buf_init(&b, (size_t)1 << 30);
    text_blob tb = {0};
    text_run *runs = NULL;
    uint32_t cap = 0;
    bool ok = true;
    for (uint32_t p = 0; p < st->n_pages && ok; p++) {
        const folio_dl_page *pg = &st->pages[p];
        if (p > 0)
            ok = folio_buf_putc(&b, '\f');
        if (pg->blank_back)
            continue;
        uint32_t n = 0;
        for (uint32_t k = 0; k < pg->n_ops && ok; k++) {
            if (pg->ops[k].kind != FOLIO_DL_TEXT || !pg->ops[k].len)
                continue;
            if (n == cap) {
                uint32_t nc = cap ? 2 * cap : 64;
                text_run *r = realloc(runs, nc * sizeof *r);
                if (!r) {
                    ok = false;
                    break;
                }
                runs = r;
                cap = nc;
            }
            runs[n++] = (text_run){&pg->ops[k], k};
        }
        if (!ok)
            break;
        qsort(runs, n, sizeof *runs, run_cmp);
        int64_t col = 0;
        for (uint32_t k = 0; k < n && ok; k++) {
            if (k > 0 && runs[k].op->y != runs[k - 1].op->y) {
                ok = folio_buf_putc(&b, '\n');
                col = 0;
            }
            ok = ok && put_run(&b, &tb, runs[k].op, col_w, &col);
        }
        if (n && ok)
            ok = folio_buf_putc(&b, '\n');
    }
    free(runs);
    text_blob *out = ok ? malloc(sizeof *out + b.len) : NULL;
    if (!out) {
        folio_buf_free(&b);
        folio_error_set(err, FOLIO_EXIT_FAILED, "statement %s: text: out of memory", st->id);
        return NULL;
    }
    *out = tb;
    out->len = b.len;
    if (b.len)
        memcpy(out->data, b.data, b.len);
    folio_buf_free(&b);
    return out;
}

static void text_release(void *prepared)
{
    free(prepared);
}

static void *text_open(const void *opt, const char *path, folio_error *err)
{
    (void)opt;
    text_sink *s = calloc(1, sizeof *s);
    if (!s || !(s->path = strdup(path))) {
        free(s);
        folio_error_set(err, FOLIO_EXIT_FAILED, "%s: out of memory", path);
        return NULL;
    }
    if (!(s->f = fopen(path, "wb"))) {
        folio_error_set(err, FOLIO_EXIT_FAILED, "%s: cannot open: %s", path, strerror(errno));
        free(s->path);
        free(s);
        return NULL;
    }
    return s;
}

static bool text_add(void *self, const folio_dl_statement *st, void *prepared, folio_error *err)
{
    text_sink *s = self;
    const text_blob *tb = prepared;
    if ((s->res.statements && fputc('\f', s->f) == EOF) ||
        fwrite(tb->data, 1, tb->len, s->f) != tb->len) {
        folio_error_set(err, FOLIO_EXIT_FAILED, "%s: cannot write: %s", s->path,
                        strerror(errno));
        return false;
    }
    s->res.bytes += tb->len + (s->res.statements ? 1 : 0);
    s->res.statements++;
    s->res.pages += st->n_pages;
    for (int k = 0; k < 8 && tb->ex[k]; k++) {
        int q = 0;
        while (q < 8 && s->res.substituted_ex[q] && s->res.substituted_ex[q] != tb->ex[k])
            q++;
        if (q < 8)
            s->res.substituted_ex[q] = tb->ex[k];
    }
    s->res.substituted += tb->substituted;
    return true;
}

static bool text_close(void *self, folio_sink_result *res, folio_error *err)
{
    text_sink *s = self;
    *res = s->res;
    bool ok = fflush(s->f) == 0;
    int e = errno;
    if (fclose(s->f) != 0 && ok) {
        ok = false;
        e = errno;
    }
    if (!ok)
        folio_error_set(err, FOLIO_EXIT_FAILED, "%s: cannot write: %s", s->path, strerror(e));
    free(s->path);
    free(s);
    return ok;
}

static void text_abort(void *self)
{
    text_sink *s = self;
    fclose(s->f);
    free(s->path);
    free(s);
}

const folio_sink_type folio_sink_text = {
    .name = "text", .ext = ".txt", .open = text_open, .prepare = text_prepare,
    .release = text_release, .add_statement = text_add, .close = text_close,
    .abort = text_abort};
