/* SPDX-License-Identifier: Apache-2.0 */
/*
 * test_porder.c -- issue 12 part 1 (round 24): a spilled dataset laid out in
 * household order (src/porder.c).  Over 400 sample households loaded into
 * work files: after porder_layout every account holds the same rows (every
 * field, the description's text) as before; the households' transactions
 * are one ascending run in household order (the order compose and the
 * record loops read them), and so are their texts; the accounts' codes
 * point into one compact pool; and an in-memory dataset is left alone.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "folio/feed.h"
#include "folio/holders.h"
#include "folio/household.h"
#include "folio/job.h"
#include "folio/samples.h"
#include "porder.h"

static char dir[256];

/* round 29: every 97th plain transaction row (no quotes, four fields) gets
 * a description of 700 bytes, longer than what porder.c reads past the
 * last text of an extent (512): the layout must still copy it whole */
static int lengthen_descriptions(const char *path)
{
    FILE *f = fopen(path, "r");
    if (!f)
        return -1;
    char tmp[700];
    snprintf(tmp, sizeof tmp, "%s.tmp", path);
    FILE *o = fopen(tmp, "w");
    if (!o) {
        fclose(f);
        return -1;
    }
    char line[4096];
    size_t n = 0, long_ones = 0;
    while (fgets(line, sizeof line, f)) {
        char *c1 = strchr(line, ','), *c2 = c1 ? strchr(c1 + 1, ',') : NULL;
        char *c3 = c2 ? strchr(c2 + 1, ',') : NULL;
        if (n++ && n % 97 == 0 && c3 && !strchr(c3 + 1, ',') && !strchr(line, '"')) {
            fprintf(o, "%.*sLONG %zu ", (int)(c2 + 1 - line), line, n);
            for (int k = 0; k < 690; k++)
                fputc('a' + (int)((n + (size_t)k) % 26), o);
            fputs(c3, o);
            long_ones++;
        } else
            fputs(line, o);
    }
    fclose(f);
    if (fclose(o) != 0 || !long_ones)
        return -1;
    return rename(tmp, path);
}

static int setup(void **state)
{
    (void)state;
    snprintf(dir, sizeof dir, "/tmp/folio-porder-%d", (int)getpid());
    char layout[4200];
    const char *root = getenv("FOLIO_ROOT");
    snprintf(layout, sizeof layout, "%s/layouts/statement.yaml", root ? root : ".");
    folio_samples_options so = {.households = 400, .seed = 3, .threads = 1,
                                .layout_path = layout};
    folio_error err = {0};
    if (!samples_generate(dir, &so, &err)) {
        fprintf(stderr, "samples_generate: %s\n", err.msg);
        return -1;
    }
    char path[600];
    snprintf(path, sizeof path, "%s/checking_transactions.csv", dir);
    return lengthen_descriptions(path);
}

static int teardown(void **state)
{
    (void)state;
    char cmd[512];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    return system(cmd) == 0 ? 0 : -1;
}

/* one transaction as text: every field but the description's address;
 * its account by id (round 25: the layout renumbers the accounts) */
static void row_text(const folio_dataset *ds, const folio_txn *t, char *buf, size_t cap)
{
    size_t dl = 0;
    if (t->description && t->desc_langs > 1)
        for (int i = 0; i < t->desc_langs; i++)
            dl += strlen(t->description + dl) + 1;
    snprintf(buf, cap, "%s|%d|%lld|%lld|%lld|%u|%u|%u|%u|%s|%zu", ds->accounts[t->account].id,
             (int)t->date,
             (long long)t->amount, (long long)t->balance_after, (long long)t->seq, t->line,
             t->feed, t->desc_langs, t->ledger, t->description ? t->description : "(null)", dl);
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* every account as text (id, owner's id and name, holders by customer id
 * and role, attribute-free fields) followed by its rows; every customer as
 * text with its role; sorted, so the index order does not matter */
static char **snapshot(const folio_dataset *ds, size_t *n_out)
{
    size_t n = ds->n_txns + ds->n_accounts + ds->n_customers;
    char **v = calloc(n + 1, sizeof *v);
    assert_non_null(v);
    size_t at = 0;
    for (size_t a = 0; a < ds->n_accounts; a++) {
        const folio_account *ac = &ds->accounts[a];
        const folio_customer *o = &ds->customers[ac->owner];
        char b[2048];
        int len = snprintf(b, sizeof b, "A %s|%s|%s|%s|%s|%s|%lld|%u|", ac->id, ac->owner_id,
                           o->id, o->last_name, ac->product, ac->currency,
                           (long long)ac->closing_balance, ac->n_txn);
        const folio_holder *hd;
        size_t nh = holders_of_account(ds, (uint32_t)a, &hd);
        for (size_t i = 0; i < nh; i++) {
            assert_int_equal(hd[i].account, a);
            len += snprintf(b + len, sizeof b - (size_t)len, "%s/%s/%u/%u;", hd[i].account_id,
                            ds->customers[hd[i].customer].id, hd[i].role, hd[i].line);
        }
        for (uint32_t k = 0; k < ac->n_txn; k++) {
            assert_int_equal(ds->txns[ac->first_txn + k].account, a);
            char r[1024];
            row_text(ds, &ds->txns[ac->first_txn + k], r, sizeof r);
            len += snprintf(b + len, sizeof b - (size_t)len, "[%s]", r);
            if (len >= (int)sizeof b - 1) {   /* long accounts: one entry per row */
                v[at++] = strdup(b);
                len = snprintf(b, sizeof b, "A %s+", ac->id);
            }
        }
        v[at++] = strdup(b);
    }
    for (size_t c = 0; c < ds->n_customers; c++) {
        const folio_customer *cu = &ds->customers[c];
        char b[1024];
        snprintf(b, sizeof b, "C %s|%s|%s|%s|%s|%s|%s|%d", cu->id, cu->first_name, cu->last_name,
                 cu->address1, cu->postal_code, cu->language, cu->email,
                 feed_customer_role(ds, c));
        v[at++] = strdup(b);
    }
    qsort(v, at, sizeof *v, cmp_str);
    *n_out = at;
    return v;
}

static folio_dataset *load(const char *work, folio_job **job_out, folio_households *hs)
{
    char path[600];
    snprintf(path, sizeof path, "%s/job.yaml", dir);
    folio_error err = {0};
    folio_job *job = job_load(path, &err);
    assert_non_null(job);
    folio_dataset *ds = feed_load_all_work(job, 1, NULL, NULL, work, &err);
    assert_non_null(ds);
    const char *order[] = {"checking", "savings", "credit_card", "mortgage"};
    assert_true(household_group(ds, order, 4, hs, &err));
    *job_out = job;
    return ds;
}

static void test_layout_household_order(void **state)
{
    (void)state;
    char work[600];
    snprintf(work, sizeof work, "%s/work", dir);
    folio_job *job;
    folio_households hs;
    folio_dataset *ds = load(work, &job, &hs);
    assert_true(ds->n_txns > 10000);
    size_t n_before, n_after;
    char **before = snapshot(ds, &n_before);
    /* the households' customers and accounts, by id */
    char **hh_before = calloc(hs.n + 1, sizeof *hh_before);
    for (size_t h = 0; h < hs.n; h++) {
        char b[4096];
        int len = snprintf(b, sizeof b, "%s:", hs.v[h].id);
        for (uint32_t k = 0; k < hs.v[h].n_customers; k++)
            len += snprintf(b + len, sizeof b - (size_t)len, "%s,",
                            ds->customers[hs.customer_idx[hs.v[h].first_customer + k]].id);
        for (uint32_t k = 0; k < hs.v[h].n_accounts; k++)
            len += snprintf(b + len, sizeof b - (size_t)len, "%s,",
                            ds->accounts[hs.account_idx[hs.v[h].first_account + k]].id);
        hh_before[h] = strdup(b);
    }
    /* the load order is not the household order (else the test shows nothing) */
    size_t breaks = 0;
    uint32_t last = 0;
    for (size_t h = 0; h < hs.n; h++)
        for (uint32_t k = 0; k < hs.v[h].n_accounts; k++) {
            const folio_account *ac = &ds->accounts[hs.account_idx[hs.v[h].first_account + k]];
            if (ac->n_txn && ac->first_txn < last)
                breaks++;
            if (ac->n_txn)
                last = ac->first_txn;
        }
    assert_true(breaks > hs.n / 4);

    porder_stats st;
    folio_error err = {0};
    assert_true(porder_layout(ds, &hs, 2, &st, &err));
    assert_int_equal(st.txns_moved, ds->n_txns);
    assert_int_equal(st.renumbered, ds->n_customers + ds->n_accounts);
    assert_true(st.accounts_in_order > 0 && st.accounts_in_order <= ds->n_accounts);
    assert_true(st.strings_interned > 0);
    /* round 29: texts read ahead in extents, several a read; customers
     * read in runs (a household's lie together in the feed) */
    assert_true(st.ahead_reads > 0);
    assert_true(st.ahead_texts > 2 * st.ahead_reads);
    assert_true(st.customer_reads > 0 && st.customer_reads < ds->n_customers * 3 / 4);
    size_t long_descs = 0;
    for (size_t i = 0; i < ds->n_txns; i++) {
        const char *d = ds->txns[i].description;
        if (d && !strncmp(d, "LONG ", 5)) {
            assert_true(strlen(d) > 690);
            long_descs++;
        }
    }
    assert_true(long_descs > 10);

    /* the same rows per account */
    char **after = snapshot(ds, &n_after);
    assert_int_equal(n_before, n_after);
    for (size_t i = 0; i < n_after; i++) {
        assert_string_equal(before[i], after[i]);
        free(before[i]);
        free(after[i]);
    }
    free(before);
    free(after);
    /* the same households, and their customers and accounts numbered in
     * household order: 0, 1, 2, ... (a shared account: where first listed) */
    uint32_t next_c = 0, next_a = 0;
    size_t shared = 0;
    for (size_t h = 0; h < hs.n; h++) {
        char b[4096];
        int len = snprintf(b, sizeof b, "%s:", hs.v[h].id);
        for (uint32_t k = 0; k < hs.v[h].n_customers; k++) {
            uint32_t ci = hs.customer_idx[hs.v[h].first_customer + k];
            if (ci == next_c)
                next_c++;
            else
                assert_true(ci < next_c);
            len += snprintf(b + len, sizeof b - (size_t)len, "%s,", ds->customers[ci].id);
        }
        for (uint32_t k = 0; k < hs.v[h].n_accounts; k++) {
            uint32_t a = hs.account_idx[hs.v[h].first_account + k];
            if (a == next_a)
                next_a++;
            else {
                assert_true(a < next_a);
                shared++;
            }
            len += snprintf(b + len, sizeof b - (size_t)len, "%s,", ds->accounts[a].id);
        }
        assert_string_equal(hh_before[h], b);
        free(hh_before[h]);
    }
    free(hh_before);
    assert_int_equal(next_a, st.accounts_in_order);
    /* the holders sorted by the new account index, then feed and line */
    for (size_t i = 1; i < ds->n_holders; i++) {
        const folio_holder *p = &ds->holders[i - 1], *q = &ds->holders[i];
        assert_true(p->account < q->account ||
                    (p->account == q->account &&
                     (p->feed < q->feed || (p->feed == q->feed && p->line < q->line))));
    }
    /* one ascending run in household order, each account's rows contiguous */
    uint32_t next = 0;
    for (size_t a = 0; a < ds->n_accounts; a++) {
        assert_int_equal(ds->accounts[a].first_txn, next);
        next += ds->accounts[a].n_txn;
    }
    /* the texts copied in household order (round 25: customers' texts,
     * then accounts' and descriptions): the households' customers' ids
     * ascend in one region, and so do their accounts' (a new 4 MiB block
     * may lie below the last); a description shared by many rows is copied
     * once (the first copy) */
    size_t backwards = 0, descs = 0, desc_back = 0;
    const char *prev = NULL, *prev_a = NULL, *prev_d = NULL;
    for (size_t h = 0; h < hs.n; h++) {
        const folio_customer *c = &ds->customers[hs.customer_idx[hs.v[h].first_customer]];
        if (prev && c->id < prev)     /* ids: unique, never shared */
            backwards++;
        prev = c->id;
        for (uint32_t k = 0; k < hs.v[h].n_accounts; k++) {
            const folio_account *ac = &ds->accounts[hs.account_idx[hs.v[h].first_account + k]];
            if (prev_a && ac->id < prev_a)
                backwards++;
            prev_a = ac->id;
            for (uint32_t i = 0; i < ac->n_txn; i++) {
                const char *d = ds->txns[ac->first_txn + i].description;
                if (!d || !*d)
                    continue;
                descs++;
                desc_back += prev_d && d < prev_d;
                prev_d = d;
            }
        }
    }
    assert_true(backwards <= 2);
    assert_true(desc_back < descs / 2);   /* mostly in order: shared ones point back */
    assert_true(st.strings_copied > 0);
    /* the shared codes: equal texts, one pointer */
    for (size_t a = 1; a < ds->n_accounts; a++)
        if (!strcmp(ds->accounts[a].currency, ds->accounts[0].currency))
            assert_ptr_equal(ds->accounts[a].currency, ds->accounts[0].currency);
    household_free(&hs);
    feed_dataset_free(ds);
    job_free(job);
}

static void test_layout_in_memory_untouched(void **state)
{
    (void)state;
    folio_job *job;
    folio_households hs;
    folio_dataset *ds = load(NULL, &job, &hs);
    const folio_txn *t = ds->txns;
    uint32_t f0 = ds->accounts[ds->n_accounts - 1].first_txn;
    porder_stats st;
    folio_error err = {0};
    assert_true(porder_layout(ds, &hs, 1, &st, &err));
    assert_ptr_equal(ds->txns, t);
    assert_int_equal(ds->accounts[ds->n_accounts - 1].first_txn, f0);
    assert_int_equal(st.txns_moved, 0);
    household_free(&hs);
    feed_dataset_free(ds);
    job_free(job);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_layout_household_order),
        cmocka_unit_test(test_layout_in_memory_untouched),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
