/* SPDX-License-Identifier: Apache-2.0 */
/*
 * exceptions.c -- the operator's exception list (folio/exceptions.h).
 */
#include "folio/exceptions.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *const kind_names[FOLIO_EXC__COUNT] = {
    [FOLIO_EXC_LEDGER_DIFFERENCE] = "ledger_difference",
    [FOLIO_EXC_LEDGER_ROW] = "ledger_row",
    [FOLIO_EXC_REORDERED_DAY] = "reordered_day",
    [FOLIO_EXC_AMBIGUOUS_ORDER] = "ambiguous_order",
    [FOLIO_EXC_OVERSIZE_HOUSEHOLD] = "oversize_household",
    [FOLIO_EXC_UNDELIVERABLE] = "undeliverable",
    [FOLIO_EXC_NAMES_TRUNCATED] = "names_truncated",
    [FOLIO_EXC_OTHER] = "other",
};

const char *folio_exception_kind_name(folio_exception_kind k)
{
    return (unsigned)k < FOLIO_EXC__COUNT ? kind_names[k] : "other";
}

void folio_exceptions_init(folio_exceptions *x)
{
    memset(x, 0, sizeof *x);
}

static void exc_free_one(folio_exception *e)
{
    free(e->household);
    free(e->customer);
    free(e->account);
    free(e->file);
    free(e->action);
    free(e->detail);
}

void folio_exceptions_free(folio_exceptions *x)
{
    if (!x)
        return;
    for (size_t i = 0; i < x->n; i++)
        exc_free_one(&x->v[i]);
    free(x->v);
    memset(x, 0, sizeof *x);
}

static char *dup_or_empty(const char *s)
{
    return strdup(s ? s : "");
}

static bool grow(folio_exceptions *x, size_t more)
{
    if (x->n + more <= x->cap)
        return true;
    size_t cap = x->cap ? x->cap : 16;
    while (cap < x->n + more)
        cap *= 2;
    folio_exception *v = realloc(x->v, cap * sizeof *v);
    if (!v)
        return false;
    x->v = v;
    x->cap = cap;
    return true;
}

bool folio_exceptions_add(folio_exceptions *x, folio_exception_kind kind,
                          const char *household, const char *customer,
                          const char *account, const char *file, uint32_t line,
                          bool has_amount, folio_money amount, int minor_digits,
                          const char *action, const char *detail_fmt, ...)
{
    if ((unsigned)kind >= FOLIO_EXC__COUNT)
        kind = FOLIO_EXC_OTHER;
    if (x->failed || !grow(x, 1)) {
        x->failed = true;
        return false;
    }
    folio_exception e = {.kind = kind, .line = line, .has_amount = has_amount,
                         .amount = has_amount ? amount : 0,
                         .minor_digits = minor_digits < 0 ? 0 : minor_digits > 18 ? 18 : minor_digits};
    e.household = dup_or_empty(household);
    e.customer = dup_or_empty(customer);
    e.account = dup_or_empty(account);
    e.file = dup_or_empty(file);
    e.action = dup_or_empty(action);
    va_list ap;
    va_start(ap, detail_fmt);
    int n = vasprintf(&e.detail, detail_fmt, ap);
    va_end(ap);
    if (n < 0)
        e.detail = NULL;
    if (!e.household || !e.customer || !e.account || !e.file || !e.action || !e.detail) {
        exc_free_one(&e);
        x->failed = true;
        return false;
    }
    /* one line per cell: a detail never breaks the row */
    for (char *p = e.detail; *p; p++)
        if (*p == '\n' || *p == '\r')
            *p = ' ';
    x->v[x->n++] = e;
    x->count[kind]++;
    return true;
}

bool folio_exceptions_take(folio_exceptions *into, folio_exceptions *from)
{
    if (from->failed)
        into->failed = true;
    if (!from->n)
        return !into->failed;
    if (!grow(into, from->n)) {
        into->failed = true;
        return false;
    }
    memcpy(into->v + into->n, from->v, from->n * sizeof *from->v);
    into->n += from->n;
    for (int k = 0; k < FOLIO_EXC__COUNT; k++)
        into->count[k] += from->count[k];
    free(from->v);
    from->v = NULL;
    from->n = from->cap = 0;
    memset(from->count, 0, sizeof from->count);
    return !into->failed;
}

static int exc_cmp(const void *pa, const void *pb)
{
    const folio_exception *a = pa, *b = pb;
    int c;
    if ((c = strcmp(a->household, b->household)) != 0)
        return c;
    if ((c = strcmp(a->account, b->account)) != 0)
        return c;
    if ((c = strcmp(a->customer, b->customer)) != 0)
        return c;
    if (a->kind != b->kind)
        return a->kind < b->kind ? -1 : 1;
    if ((c = strcmp(a->file, b->file)) != 0)
        return c;
    if (a->line != b->line)
        return a->line < b->line ? -1 : 1;
    if ((c = strcmp(a->detail, b->detail)) != 0)
        return c;
    if (a->has_amount != b->has_amount)
        return a->has_amount ? 1 : -1;
    if (a->amount != b->amount)
        return a->amount < b->amount ? -1 : 1;
    return strcmp(a->action, b->action);
}

void folio_exceptions_sort(folio_exceptions *x)
{
    if (x->n > 1)
        qsort(x->v, x->n, sizeof *x->v, exc_cmp);
}

static void put_field(folio_buf *b, const char *s, bool comma)
{
    folio_buf_put_csv_field(b, s, strlen(s));
    if (comma)
        folio_buf_putc(b, ',');
}

bool folio_exceptions_write(folio_exceptions *x, const char *path, folio_error *err)
{
    if (x->failed) {
        folio_error_set(err, FOLIO_EXIT_FAILED, "%s: out of memory listing exceptions", path);
        return false;
    }
    folio_exceptions_sort(x);
    folio_buf b;
    folio_buf_init(&b, 0);
    folio_buf_puts(&b, "kind,household,customer,account,file,line,amount,action,detail\n");
    for (size_t i = 0; i < x->n; i++) {
        const folio_exception *e = &x->v[i];
        put_field(&b, folio_exception_kind_name(e->kind), true);
        put_field(&b, e->household, true);
        put_field(&b, e->customer, true);
        put_field(&b, e->account, true);
        put_field(&b, e->file, true);
        if (e->line)
            folio_buf_put_int(&b, e->line);
        folio_buf_putc(&b, ',');
        if (e->has_amount) {
            char tmp[48];
            size_t n = folio_money_format(e->amount, e->minor_digits, '.', 0, tmp, sizeof tmp);
            folio_buf_append(&b, tmp, n);
        }
        folio_buf_putc(&b, ',');
        put_field(&b, e->action, true);
        put_field(&b, e->detail, false);
        folio_buf_putc(&b, '\n');
    }
    if (b.failed) {
        folio_error_set(err, FOLIO_EXIT_FAILED, "%s: out of memory writing exceptions", path);
        folio_buf_free(&b);
        return false;
    }
    bool ok = folio_write_file_excl(path, b.data ? b.data : "", b.len, err);
    folio_buf_free(&b);
    return ok;
}
