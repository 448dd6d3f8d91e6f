/* SPDX-License-Identifier: Apache-2.0 */
/* Unit tests: the proof sample's greedy set cover (src/proof-cover.c) and
 * the account-number mask of the proof PDF (src/proof.c).  The cover is
 * checked on hand-made instances with known answers and, on random
 * instances, against a plain rescan-everything greedy written here. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "folio/job.h"
#include "folio/proof.h"

#include <unistd.h>

static folio_proof_cover build(const char *const *items, size_t n, uint32_t max)
{
    folio_proof_cover c;
    folio_error err = {0};
    if (!proof_cover_build(items, n, max, &c, &err))
        fail_msg("proof_cover_build: %s", err.msg);
    return c;
}

/* keys first covered by pick i, joined by ',' */
static const char *firsts(const folio_proof_cover *c, uint32_t i)
{
    static char buf[1024];
    buf[0] = 0;
    for (uint32_t j = c->first_off[i]; j < c->first_off[i + 1]; j++) {
        if (buf[0])
            strcat(buf, ",");
        strcat(buf, c->keys[c->first[j]]);
    }
    return buf;
}

static void test_known_instance(void **state)
{
    (void)state;
    const char *items[] = {
        "a\nb\n",           /* 0 */
        "b\nc\nd\n",        /* 1: most keys, taken first */
        "d\ne\n",           /* 2 */
        "a\ne\n",           /* 3: then the only one with both a and e */
    };
    folio_proof_cover c = build(items, 4, 0);
    assert_int_equal(c.n_keys, 5);
    assert_string_equal(c.keys[0], "a");
    assert_string_equal(c.keys[4], "e");
    assert_int_equal(c.n_items, 4);
    assert_int_equal(c.n_picked, 2);
    assert_int_equal(c.picked[0], 1);
    assert_int_equal(c.picked[1], 3);
    assert_string_equal(firsts(&c, 0), "b,c,d");
    assert_string_equal(firsts(&c, 1), "a,e");
    assert_int_equal(c.n_uncovered, 0);
    assert_false(c.capped);
    /* items per key: a 2, b 2, c 1, d 2, e 2 */
    assert_int_equal(c.key_items[0], 2);
    assert_int_equal(c.key_items[2], 1);
    proof_cover_free(&c);
}

static void test_ties_lowest_index(void **state)
{
    (void)state;
    /* equal gains: the lower index wins, whatever the key order */
    const char *items[] = {NULL, "q\np\n", "p\nq\n", "r\n", "r\n"};
    folio_proof_cover c = build(items, 5, 0);
    assert_int_equal(c.n_items, 4);
    assert_int_equal(c.n_picked, 2);
    assert_int_equal(c.picked[0], 1);
    assert_int_equal(c.picked[1], 3);
    proof_cover_free(&c);
    /* a key repeated inside an item counts once: item 1 has gain 1, not 3 */
    const char *dup[] = {"c\nd\n", "a\na\na\n", "", "\n\n"};
    c = build(dup, 4, 0);
    assert_int_equal(c.n_keys, 3);
    assert_int_equal(c.n_picked, 2);
    assert_int_equal(c.picked[0], 0);
    assert_int_equal(c.picked[1], 1);
    assert_int_equal(c.key_items[0], 1);     /* "a" is carried by one item */
    proof_cover_free(&c);
    /* a stale gain must be re-scored: after item 0, item 1 (stale 3, real 1)
     * loses to item 2 (2 new keys) */
    const char *stale[] = {"a\nb\nc\nd\n", "a\nb\nx\n", "y\nz\n"};
    c = build(stale, 3, 0);
    assert_int_equal(c.n_picked, 3);
    assert_int_equal(c.picked[0], 0);
    assert_int_equal(c.picked[1], 2);
    assert_int_equal(c.picked[2], 1);
    assert_string_equal(firsts(&c, 2), "x");
    proof_cover_free(&c);
}

static void test_cap(void **state)
{
    (void)state;
    const char *items[] = {"a\nb\n", "b\nc\nd\n", "d\ne\n", "a\ne\n"};
    folio_proof_cover c = build(items, 4, 1);
    assert_int_equal(c.n_picked, 1);
    assert_int_equal(c.picked[0], 1);
    assert_true(c.capped);
    assert_int_equal(c.n_uncovered, 2);
    assert_string_equal(c.keys[c.uncovered[0]], "a");
    assert_string_equal(c.keys[c.uncovered[1]], "e");
    proof_cover_free(&c);
    /* a cap that is not reached changes nothing */
    c = build(items, 4, 2);
    assert_int_equal(c.n_picked, 2);
    assert_false(c.capped);
    proof_cover_free(&c);
    /* nothing to cover */
    c = build(NULL, 0, 5);
    assert_int_equal(c.n_keys, 0);
    assert_int_equal(c.n_picked, 0);
    assert_false(c.capped);
    proof_cover_free(&c);
}

/* the textbook greedy: rescan every item each round */
static uint32_t naive(char keys[][8][4], const int *nk, int n, uint32_t *picked)
{
    char covered[64][4];
    int nc = 0;
    uint32_t np = 0;
    for (;;) {
        int best = -1, bestg = 0;
        for (int i = 0; i < n; i++) {
            int g = 0;
            for (int k = 0; k < nk[i]; k++) {
                bool seen = false;
                for (int j = 0; j < nc && !seen; j++)
                    seen = !strcmp(covered[j], keys[i][k]);
                for (int j = 0; j < k && !seen; j++)
                    seen = !strcmp(keys[i][j], keys[i][k]);
                g += !seen;
            }
            if (g > bestg) {
                best = i;
                bestg = g;
            }
        }
        if (best < 0)
            return np;
        picked[np++] = (uint32_t)best;
        for (int k = 0; k < nk[best]; k++) {
            bool seen = false;
            for (int j = 0; j < nc && !seen; j++)
                seen = !strcmp(covered[j], keys[best][k]);
            if (!seen)
                strcpy(covered[nc++], keys[best][k]);
        }
    }
}

static void test_random_against_naive(void **state)
{
    (void)state;
    uint64_t s = 12345;
    for (int round = 0; round < 300; round++) {
        int n = 1 + (int)(s % 40);
        char keys[40][8][4];
        int nk[40];
        char text[40][64];
        const char *items[40];
        for (int i = 0; i < n; i++) {
            s = s * 6364136223846793005ULL + 1442695040888963407ULL;
            nk[i] = (int)((s >> 33) % 8);
            text[i][0] = 0;
            for (int k = 0; k < nk[i]; k++) {
                s = s * 6364136223846793005ULL + 1442695040888963407ULL;
                snprintf(keys[i][k], 4, "k%u", (unsigned)((s >> 33) % 30));
                strcat(text[i], keys[i][k]);
                strcat(text[i], "\n");
            }
            items[i] = text[i];
        }
        uint32_t want[64];
        uint32_t nw = naive(keys, nk, n, want);
        folio_proof_cover c = build(items, (size_t)n, 0);
        assert_int_equal(c.n_picked, nw);
        for (uint32_t i = 0; i < nw; i++)
            assert_int_equal(c.picked[i], want[i]);
        assert_int_equal(c.n_uncovered, 0);
        proof_cover_free(&c);
    }
}

static void test_mask_statement(void **state)
{
    (void)state;
    folio_arena a;
    folio_arena_init(&a, 4096);
    folio_dl_statement *st = dlist_statement_new(&a, "H1", 12240, 15840);
    folio_dl_page *pg = dlist_page_add(st);
    assert_non_null(pg);
    const char t1[] = "Transfer 4400123456789 to 4400123456789";
    const char t2[] = "ref 5678 and 998877";
    assert_true(dlist_page_add_text(st, pg, 0, 180, 0, 0, 0, t1, strlen(t1), false));
    assert_true(dlist_page_add_text(st, pg, 0, 180, 0, 0, 0, t2, strlen(t2), false));
    const char *nums[] = {"4400123456789", "5678", "998877"};
    assert_true(proof_mask_statement(st, nums, 3, 0));
    assert_memory_equal(pg->ops[0].text, "Transfer *********6789 to *********6789",
                        pg->ops[0].len);
    assert_memory_equal(pg->ops[1].text, "ref 5678 and **8877", pg->ops[1].len);
    /* the caller's strings are untouched (the ops were copied) */
    assert_string_equal(t1, "Transfer 4400123456789 to 4400123456789");
    folio_arena_free(&a);
}

/* output.proofs through job_load: defaults, values, errors with line:col */
static folio_job *load_job(const char *output, folio_error *err, char *path, size_t cap)
{
    snprintf(path, cap, "/tmp/folio-test-proof-%d.yaml", (int)getpid());
    FILE *fp = fopen(path, "w");
    assert_non_null(fp);
    fprintf(fp,
            "job: {name: J}\n"
            "statement: {date: 2026-11-01, period: {start: 2026-10-01, end: 2026-10-31}}\n"
            "bank: {name: B}\n"
            "layout: l.yaml\n"
            "feeds:\n"
            "  - {name: c, kind: customers, path: c.csv, columns: {customer_id: id, last_name: n, "
            "address1: a}}\n"
            "  - {name: a, kind: accounts, path: a.csv, product: checking, columns: {account_id: "
            "id, customer_id: c, closing_balance: b}}\n"
            "  - {name: t, kind: transactions, path: t.csv, columns: {account_id: a, date: d, "
            "amount: x}}\n"
            "%s", output);
    fclose(fp);
    memset(err, 0, sizeof *err);
    folio_job *job = job_load(path, err);
    unlink(path);
    return job;
}

static void test_options(void **state)
{
    (void)state;
    char path[128], prefix[160];
    folio_error err;
    folio_job *job = load_job("", &err, path, sizeof path);
    if (!job)
        fail_msg("%s", err.msg);
    assert_non_null(job->proofs);
    assert_true(job->proofs->enabled);
    assert_int_equal(job->proofs->max, 100);
    job_free(job);
    job = load_job("output:\n  proofs: {enabled: no, max: 7}\n", &err, path, sizeof path);
    if (!job)
        fail_msg("%s", err.msg);
    assert_false(job->proofs->enabled);
    assert_int_equal(job->proofs->max, 7);
    assert_int_equal(job->proofs->line, 10);
    job_free(job);
    job = load_job("output:\n  proofs: {max: 0}\n", &err, path, sizeof path);
    assert_null(job);
    assert_int_equal(err.code, FOLIO_EXIT_USAGE);
    snprintf(prefix, sizeof prefix, "%s:10:", path);
    if (strncmp(err.msg, prefix, strlen(prefix)) || !strstr(err.msg, "output.proofs.max"))
        fail_msg("got '%s'", err.msg);
    job = load_job("output:\n  proofs: {colour: red}\n", &err, path, sizeof path);
    assert_null(job);
    if (strncmp(err.msg, prefix, strlen(prefix)) || !strstr(err.msg, "colour"))
        fail_msg("got '%s'", err.msg);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_known_instance),
        cmocka_unit_test(test_ties_lowest_index),
        cmocka_unit_test(test_cap),
        cmocka_unit_test(test_random_against_naive),
        cmocka_unit_test(test_mask_statement),
        cmocka_unit_test(test_options),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
