/* SPDX-License-Identifier: Apache-2.0 */
/* fuzz_pdf: a PDF round trip.  The households of a small sample run get
 * their names, address, product names, transaction descriptions and amounts
 * from the input; each household is composed (src/compose.c) and written by
 * the PDF writer (src/pdf.c) into memory.  The writer must return success or
 * a clean error; a PDF must start with %PDF- and end with %%EOF.  With
 * FUZZ_QPDF=1 in the environment each PDF also goes through `qpdf --check`
 * (slow: set for the replay in `make test`, not while fuzzing).
 *
 * Input: text pieces separated by newlines, used in order for household 0's
 * customers (first, last name, address1, address2, city, state, postal code),
 * its accounts (product name), then its transactions (description, amount);
 * an amount is the piece read as an integer number of cents, clamped to
 * +-10^13 so the sums stay representable (money overflow has its own test).
 * When the pieces run out the sample values stay. */
#include "fuzz_world.h"
#include "folio/pdf.h"

#include <sys/wait.h>

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc; (void)argv;
    fz_world_init();
    return 0;
}

typedef struct pieces {
    const char *p, *end;
    char *store;          /* NUL-terminated copies, one block per input */
    size_t used, cap;
} pieces;

static const char *next_piece(pieces *ps)
{
    if (ps->p >= ps->end)
        return NULL;
    const char *nl = memchr(ps->p, '\n', (size_t)(ps->end - ps->p));
    size_t n = nl ? (size_t)(nl - ps->p) : (size_t)(ps->end - ps->p);
    char *s = ps->store + ps->used;
    memcpy(s, ps->p, n);
    s[n] = 0;
    ps->used += n + 1;
    ps->p += n + (nl ? 1 : 0);
    return s;
}

static void take(pieces *ps, const char **field)
{
    const char *s = next_piece(ps);
    if (s)
        *field = s;
}

static void take_amount(pieces *ps, folio_money *m)
{
    const char *s = next_piece(ps);
    if (!s)
        return;
    long long v = strtoll(s, NULL, 10);
    const long long lim = 10000000000000LL;
    *m = v > lim ? lim : v < -lim ? -lim : v;
}

static void qpdf_check(const folio_buf *pdf)
{
    const char *path = fz_write("check.pdf", (const uint8_t *)pdf->data, pdf->len);
    char cmd[700];
    snprintf(cmd, sizeof cmd, "qpdf --check '%s' >/dev/null 2>&1", path);
    int rc = system(cmd);
    /* 0 = fine, 3 = warnings only */
    if (rc == -1 || !WIFEXITED(rc) || (WEXITSTATUS(rc) != 0 && WEXITSTATUS(rc) != 3)) {
        fprintf(stderr, "qpdf --check failed (status %d) on the PDF written\n", rc);
        abort();
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (W.hs.n == 0)
        return 0;
    pieces ps = {(const char *)data, (const char *)data + size, malloc(size + 1024), 0,
                 size + 1024};
    if (!ps.store)
        return 0;
    /* a private copy of the dataset's records; the strings stay the sample's
     * unless the input gives one */
    folio_dataset ds = *W.ds;
    ds.customers = malloc(W.ds->n_customers * sizeof *ds.customers + 1);
    ds.accounts = malloc(W.ds->n_accounts * sizeof *ds.accounts + 1);
    ds.txns = malloc(W.ds->n_txns * sizeof *ds.txns + 1);
    memcpy(ds.customers, W.ds->customers, W.ds->n_customers * sizeof *ds.customers);
    memcpy(ds.accounts, W.ds->accounts, W.ds->n_accounts * sizeof *ds.accounts);
    memcpy(ds.txns, W.ds->txns, W.ds->n_txns * sizeof *ds.txns);
    size_t hh = size ? data[0] % W.hs.n : 0;
    const folio_household *h = &W.hs.v[hh];
    for (uint32_t i = 0; i < h->n_customers; i++) {
        folio_customer *c = &ds.customers[W.hs.customer_idx[h->first_customer + i]];
        take(&ps, &c->first_name);
        take(&ps, &c->last_name);
        take(&ps, &c->address1);
        take(&ps, &c->address2);
        take(&ps, &c->city);
        take(&ps, &c->state);
        take(&ps, &c->postal_code);
    }
    for (uint32_t i = 0; i < h->n_accounts; i++) {
        folio_account *a = &ds.accounts[W.hs.account_idx[h->first_account + i]];
        take(&ps, &a->product_name);
        folio_money sum = 0;
        for (uint32_t t = 0; t < a->n_txn; t++) {
            folio_txn *x = &ds.txns[a->first_txn + t];
            take(&ps, &x->description);
            take_amount(&ps, &x->amount);
            sum += x->amount;
        }
        a->closing_balance = a->opening_balance + sum;   /* keep it reconciled */
    }
    folio_error err = {0};
    folio_plan *plan = compose_plan_new(W.job, W.layout, &ds, &W.hs, &err);
    if (!plan) {
        fz_check_error(&err, "compose_plan_new");
        goto out;
    }
    folio_arena arena;
    folio_arena_init(&arena, 1 << 16);
    folio_compose_result res;
    folio_dl_statement *st = compose_household(plan, hh, &arena, &res, &err);
    if (!st) {
        fz_check_error(&err, "compose_household");
    } else {
        folio_pdf_options po = {.title = W.job->name, .author = W.job->bank_name,
                                .subject = "fuzz", .doc_date = W.job->statement_date,
                                .compression = 1};
        folio_pdf_writer *w = pdf_writer_open("fuzz.pdf", W.layout->fonts, W.layout->n_fonts,
                                              &po, &err);
        if (!w) {
            fz_check_error(&err, "pdf_writer_open");
        } else if (!pdf_writer_add_statement(w, st, &err)) {
            fz_check_error(&err, "pdf_writer_add_statement");
            pdf_writer_abort(w);
        } else {
            folio_buf out;
            folio_buf_init(&out, 0);
            if (!pdf_writer_close_mem(w, &out, &err)) {
                fz_check_error(&err, "pdf_writer_close_mem");
            } else {
                if (out.len < 16 || memcmp(out.data, "%PDF-", 5) != 0) {
                    fprintf(stderr, "the PDF does not start with %%PDF-\n");
                    abort();
                }
                size_t e = out.len;
                while (e > 0 && (out.data[e - 1] == '\n' || out.data[e - 1] == '\r'))
                    e--;
                if (e < 5 || memcmp(out.data + e - 5, "%%EOF", 5) != 0) {
                    fprintf(stderr, "the PDF does not end with %%%%EOF\n");
                    abort();
                }
                if (getenv("FUZZ_QPDF"))
                    qpdf_check(&out);
            }
            folio_buf_free(&out);
        }
    }
    folio_arena_free(&arena);
    compose_plan_free(plan);
out:
    free(ds.customers);
    free(ds.accounts);
    free(ds.txns);
    free(ps.store);
    return 0;
}
