/* SPDX-License-Identifier: Apache-2.0 */
/*
 * test_samples.c -- `folio samples`: determinism, integrity of the feeds,
 * bad rows, job file.  The CSV files are read back with libcsv (an
 * independent reader), never with folio's own feed loader.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <csv.h>
#include <dirent.h>
#include <sys/stat.h>
#include <unistd.h>

#include "folio/samples.h"
#include "folio/job.h"
#include "folio/offers.h"

static const char *const csv_files[] = {
    "customers.csv", "checking_accounts.csv", "checking_transactions.csv",
    "savings_accounts.csv", "savings_transactions.csv",
    "credit_card_accounts.csv", "credit_card_transactions.csv",
    "mortgage_accounts.csv", "mortgage_transactions.csv", "contact_history.csv",
};
#define N_CSV 10
static const char *const products[] = { "checking", "savings", "credit_card", "mortgage" };

/* ---- helpers -------------------------------------------------------------- */

static char *make_tmpdir(void)
{
    char tmpl[] = "/tmp/folio-samples-XXXXXX";
    char *d = mkdtemp(tmpl);
    assert_non_null(d);
    return strdup(d);
}

static void remove_dir(char *dir)
{
    DIR *d = opendir(dir);
    if (d) {
        struct dirent *e;
        while ((e = readdir(d))) {
            if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
                continue;
            char p[4096];
            snprintf(p, sizeof p, "%s/%s", dir, e->d_name);
            unlink(p);
        }
        closedir(d);
    }
    rmdir(dir);
    free(dir);
}

static void generate(const char *dir, uint64_t households, uint64_t seed, int threads,
                     bool with_errors)
{
    folio_samples_options o = {
        .households = households, .seed = seed, .threads = threads,
        .layout_path = NULL, .with_errors = with_errors,
    };
    folio_error err = {0};
    bool ok = samples_generate(dir, &o, &err);
    if (!ok)
        fprintf(stderr, "samples_generate: %s\n", err.msg);
    assert_true(ok);
    assert_int_equal(err.code, 0);
}

/* SHA-256 of every output file, concatenated. */
static void hash_all(const char *dir, char out[11][65])
{
    folio_error err = {0};
    char p[4096];
    for (int i = 0; i < N_CSV; i++) {
        snprintf(p, sizeof p, "%s/%s", dir, csv_files[i]);
        assert_true(folio_sha256_file(p, out[i], NULL, &err));
    }
    snprintf(p, sizeof p, "%s/job.yaml", dir);
    assert_true(folio_sha256_file(p, out[N_CSV], NULL, &err));
    out[10][0] = 0;
}

static char *read_file(const char *dir, const char *name, size_t *len)
{
    char p[4096];
    snprintf(p, sizeof p, "%s/%s", dir, name);
    FILE *f = fopen(p, "rb");
    if (!f)
        return NULL;
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    char *buf = malloc((size_t)n + 1);
    assert_non_null(buf);
    assert_int_equal(fread(buf, 1, (size_t)n, f), (size_t)n);
    buf[n] = 0;
    fclose(f);
    *len = (size_t)n;
    return buf;
}

/* A parsed CSV file: rows of NUL-terminated fields. */
typedef struct table {
    char ***rows;
    int *nf;
    size_t n, cap;
    /* parser state */
    char **cur;
    int cur_n, cur_cap;
    bool any_quoted_comma, any_newline;
} table;

static void cb_field(void *s, size_t len, void *data)
{
    table *t = data;
    if (t->cur_n == t->cur_cap) {
        t->cur_cap = t->cur_cap ? t->cur_cap * 2 : 32;
        t->cur = realloc(t->cur, sizeof(char *) * (size_t)t->cur_cap);
    }
    char *f = malloc(len + 1);
    memcpy(f, s, len);
    f[len] = 0;
    if (memchr(f, '\n', len))
        t->any_newline = true;
    if (memchr(f, ',', len))
        t->any_quoted_comma = true;
    t->cur[t->cur_n++] = f;
}

static void cb_row(int c, void *data)
{
    (void)c;
    table *t = data;
    if (t->n == t->cap) {
        t->cap = t->cap ? t->cap * 2 : 1024;
        t->rows = realloc(t->rows, sizeof(char **) * t->cap);
        t->nf = realloc(t->nf, sizeof(int) * t->cap);
    }
    t->rows[t->n] = t->cur;
    t->nf[t->n] = t->cur_n;
    t->n++;
    t->cur = NULL;
    t->cur_n = t->cur_cap = 0;
}

static table *load_table(const char *dir, const char *name)
{
    size_t len;
    char *buf = read_file(dir, name, &len);
    assert_non_null(buf);
    assert_null(memchr(buf, '\r', len));            /* LF line ends only */
    assert_true(len > 0 && buf[len - 1] == '\n');
    table *t = calloc(1, sizeof *t);
    struct csv_parser p;
    assert_int_equal(csv_init(&p, CSV_STRICT | CSV_STRICT_FINI), 0);
    assert_int_equal(csv_parse(&p, buf, len, cb_field, cb_row, t), len);
    assert_int_equal(csv_fini(&p, cb_field, cb_row, t), 0);
    csv_free(&p);
    free(buf);
    assert_true(t->n >= 1);
    return t;
}

static void free_table(table *t)
{
    for (size_t i = 0; i < t->n; i++) {
        for (int j = 0; j < t->nf[i]; j++)
            free(t->rows[i][j]);
        free(t->rows[i]);
    }
    free(t->rows);
    free(t->nf);
    free(t);
}

static int col(const table *t, const char *name)
{
    for (int j = 0; j < t->nf[0]; j++)
        if (!strcmp(t->rows[0][j], name))
            return j;
    fail_msg("column %s missing", name);
    return -1;
}

/* Parse "-123.45" exactly (the format samples promises), in cents. */
static bool parse_cents(const char *s, int64_t *out)
{
    bool neg = false;
    if (*s == '-') {
        neg = true;
        s++;
    }
    if (!*s)
        return false;
    int64_t v = 0;
    int digits = 0;
    while (*s >= '0' && *s <= '9') {
        v = v * 10 + (*s++ - '0');
        digits++;
    }
    if (!digits || s[0] != '.' || !(s[1] >= '0' && s[1] <= '9') ||
        !(s[2] >= '0' && s[2] <= '9') || s[3])
        return false;
    v = v * 100 + (s[1] - '0') * 10 + (s[2] - '0');
    *out = neg ? -v : v;
    return true;
}

static bool valid_date(const char *s)
{
    folio_date d;
    return strlen(s) == 10 && folio_date_parse(s, 10, "YYYY-MM-DD", &d);
}

/* Simple string set (open addressing) for ids. */
typedef struct strset {
    const char **v;
    int64_t *val;
    size_t cap, n;
} strset;

static uint64_t hash_str(const char *s)
{
    uint64_t h = 1469598103934665603ull;
    while (*s)
        h = (h ^ (unsigned char)*s++) * 1099511628211ull;
    return h;
}

static void set_init(strset *s, size_t cap)
{
    s->cap = cap * 2 + 16;
    s->v = calloc(s->cap, sizeof *s->v);
    s->val = calloc(s->cap, sizeof *s->val);
    s->n = 0;
}

/* Returns the slot; *found says if it was there. */
static size_t set_slot(strset *s, const char *k, bool *found)
{
    size_t i = hash_str(k) % s->cap;
    while (s->v[i]) {
        if (!strcmp(s->v[i], k)) {
            *found = true;
            return i;
        }
        i = (i + 1) % s->cap;
    }
    *found = false;
    return i;
}

static bool set_add(strset *s, const char *k, int64_t val)
{
    bool found;
    size_t i = set_slot(s, k, &found);
    if (found)
        return false;
    assert_true(s->n + 1 < s->cap);
    s->v[i] = k;
    s->val[i] = val;
    s->n++;
    return true;
}

static int64_t *set_get(strset *s, const char *k)
{
    bool found;
    size_t i = set_slot(s, k, &found);
    return found ? &s->val[i] : NULL;
}

static void set_free(strset *s)
{
    free(s->v);
    free(s->val);
}

/* Rough address key: upper-case ASCII letters and digits of address1 +
 * address2 as words, STREET -> ST, plus the 5-digit postal code. */
static void address_key(const char *a1, const char *a2, const char *zip, char *out, size_t cap)
{
    size_t n = 0;
    const char *parts[2] = { a1, a2 };
    for (int p = 0; p < 2; p++) {
        const char *s = parts[p];
        while (*s) {
            while (*s && !((*s >= 'A' && *s <= 'Z') || (*s >= 'a' && *s <= 'z') ||
                           (*s >= '0' && *s <= '9') || (unsigned char)*s >= 0x80))
                s++;
            char word[128];
            size_t w = 0;
            while (*s && ((*s >= 'A' && *s <= 'Z') || (*s >= 'a' && *s <= 'z') ||
                          (*s >= '0' && *s <= '9') || (unsigned char)*s >= 0x80)) {
                char ch = *s++;
                if (ch >= 'a' && ch <= 'z')
                    ch = (char)(ch - 32);
                if (w < sizeof word - 1)
                    word[w++] = ch;
            }
            word[w] = 0;
            if (!w)
                continue;
            if (!strcmp(word, "STREET"))
                strcpy(word, "ST");
            folio_str_appendf(out, cap, &n, "%s ", word);
        }
        folio_str_appendf(out, cap, &n, "|");
    }
    folio_str_appendf(out, cap, &n, "%.5s", zip);
}

/* ---- tests ------------------------------------------------------------------ */

static void test_same_seed_same_bytes_any_threads(void **state)
{
    (void)state;
    char *a = make_tmpdir(), *b = make_tmpdir(), *c = make_tmpdir();
    /* 3000 households: several chunks and several rounds at any thread count */
    generate(a, 3000, 42, 1, false);
    generate(b, 3000, 42, 2, false);
    generate(c, 3000, 42, 3, false);   /* a different round size */
    char ha[11][65], hb[11][65], hc[11][65];
    hash_all(a, ha);
    hash_all(b, hb);
    hash_all(c, hc);
    for (int i = 0; i <= N_CSV; i++) {
        assert_string_equal(ha[i], hb[i]);
        assert_string_equal(hb[i], hc[i]);
    }
    /* no temporary files left behind, no rejects list without errors */
    DIR *d = opendir(b);
    struct dirent *e;
    int files = 0;
    while ((e = readdir(d))) {
        if (e->d_name[0] == '.')
            continue;
        assert_null(strstr(e->d_name, ".tmp-"));
        files++;
    }
    closedir(d);
    assert_int_equal(files, N_CSV + 1 + 3);   /* issue 15: offer_history, responses, uplift.yaml */
    remove_dir(a);
    remove_dir(b);
    remove_dir(c);
}

static void test_different_seeds_differ(void **state)
{
    (void)state;
    char *a = make_tmpdir(), *b = make_tmpdir();
    generate(a, 200, 1, 0, false);
    generate(b, 200, 2, 0, false);
    char ha[11][65], hb[11][65];
    hash_all(a, ha);
    hash_all(b, hb);
    for (int i = 0; i < N_CSV; i++)
        assert_string_not_equal(ha[i], hb[i]);
    remove_dir(a);
    remove_dir(b);
}

static void test_feeds_are_consistent(void **state)
{
    (void)state;
    char *dir = make_tmpdir();
    const uint64_t H = 200;
    generate(dir, H, 7, 0, false);

    /* customers */
    table *cu = load_table(dir, "customers.csv");
    static const char *const cust_hdr[] = {
        "customer_id", "household_id", "first_name", "last_name", "birth_date",
        "address_line1", "address_line2", "city", "state", "postal_code", "country",
        "language", "email", "delivery", "marketing_consent", "segment", "customer_since"
    };
    assert_int_equal(cu->nf[0], 17);
    for (int j = 0; j < 17; j++)
        assert_string_equal(cu->rows[0][j], cust_hdr[j]);
    int c_id = col(cu, "customer_id"), c_hh = col(cu, "household_id");
    int c_first = col(cu, "first_name"), c_last = col(cu, "last_name");
    int c_a1 = col(cu, "address_line1"), c_a2 = col(cu, "address_line2");
    int c_zip = col(cu, "postal_code"), c_lang = col(cu, "language");
    int c_del = col(cu, "delivery"), c_mc = col(cu, "marketing_consent");
    int c_birth = col(cu, "birth_date"), c_since = col(cu, "customer_since");
    int c_country = col(cu, "country");

    strset custs, hh_size, keys;
    set_init(&custs, cu->n);
    set_init(&hh_size, cu->n);
    set_init(&keys, cu->n);
    size_t blank = 0, nonascii = 0, spanish = 0, foreign = 0, quoted_comma_names = 0;
    char (*keybuf)[600] = calloc(cu->n, sizeof *keybuf);
    for (size_t i = 1; i < cu->n; i++) {
        char **r = cu->rows[i];
        assert_int_equal(cu->nf[i], 17);
        assert_true(folio_utf8_valid(r[c_first], strlen(r[c_first]), NULL));
        assert_true(folio_utf8_valid(r[c_last], strlen(r[c_last]), NULL));
        assert_true(set_add(&custs, r[c_id], 0));          /* unique */
        assert_true(valid_date(r[c_birth]));
        assert_true(valid_date(r[c_since]));
        assert_true(!strcmp(r[c_lang], "en") || !strcmp(r[c_lang], "es"));
        assert_true(!strcmp(r[c_del], "print") || !strcmp(r[c_del], "email") ||
                    !strcmp(r[c_del], "both") || !strcmp(r[c_del], "none"));
        assert_true(!strcmp(r[c_mc], "yes") || !strcmp(r[c_mc], "no"));
        assert_true(r[c_a1][0] != 0);
        if (r[c_hh][0] == 0) {
            blank++;
            assert_string_equal(r[c_country], "US");
        } else {
            int64_t *v = set_get(&hh_size, r[c_hh]);
            if (v)
                (*v)++;
            else
                set_add(&hh_size, r[c_hh], 1);
        }
        for (const char *p = r[c_first]; *p; p++)
            if ((unsigned char)*p >= 0x80) {
                nonascii++;
                break;
            }
        if (strchr(r[c_last], ',') || strchr(r[c_a2], ','))
            quoted_comma_names++;
        if (!strcmp(r[c_lang], "es"))
            spanish++;
        if (strcmp(r[c_country], "US"))
            foreign++;
    }
    size_t n_cust = cu->n - 1;
    assert_true(n_cust >= H && n_cust <= 3 * H);
    /* some households have 2-3 customers with an id, some customers none */
    size_t multi = 0;
    for (size_t i = 0; i < hh_size.cap; i++)
        if (hh_size.v[i] && hh_size.val[i] >= 2)
            multi++;
    assert_true(multi >= H / 5);
    assert_true(blank >= n_cust / 50 && blank <= n_cust / 5);
    assert_true(nonascii >= 5);
    assert_true(spanish >= n_cust / 30);
    assert_true(quoted_comma_names >= 1);
    (void)foreign;

    /* Householding by address: an id-less customer's address key (street
     * type, case, spacing and ZIP+4 normalised) must belong to exactly one
     * household with an id, or only to id-less customers; and no two
     * households share an address. */
    for (size_t i = 1; i < cu->n; i++) {
        char **r = cu->rows[i];
        address_key(r[c_a1], r[c_a2], r[c_zip], keybuf[i], sizeof keybuf[i]);
    }
    strset key_hh;
    set_init(&key_hh, cu->n);
    for (size_t i = 1; i < cu->n; i++) {
        char **r = cu->rows[i];
        if (!r[c_hh][0] || strcmp(r[c_country], "US"))
            continue;
        int64_t *v = set_get(&key_hh, keybuf[i]);
        if (v)
            assert_int_equal(*v, (int64_t)hash_str(r[c_hh]) & 0x7FFFFFFFFFFF);
        else
            set_add(&key_hh, keybuf[i], (int64_t)hash_str(r[c_hh]) & 0x7FFFFFFFFFFF);
    }
    size_t blank_joined = 0;
    for (size_t i = 1; i < cu->n; i++)
        if (!cu->rows[i][c_hh][0] && set_get(&key_hh, keybuf[i]))
            blank_joined++;
    assert_true(blank_joined >= blank * 8 / 10);
    set_free(&key_hh);

    /* accounts: unique ids across all systems, owners exist */
    strset accts;
    set_init(&accts, 20 * H);
    table *at[4];
    size_t n_accts[4] = {0};
    for (int p = 0; p < 4; p++) {
        char name[64];
        snprintf(name, sizeof name, "%s_accounts.csv", products[p]);
        at[p] = load_table(dir, name);
        table *t = at[p];
        assert_int_equal(t->nf[0], 10);
        int a_id = col(t, "account_id"), a_cust = col(t, "customer_id");
        int a_op = col(t, "opening_balance"), a_cl = col(t, "closing_balance");
        int a_lim = col(t, "credit_limit"), a_due = col(t, "due_date");
        int a_open = col(t, "opened_date");
        (void)col(t, "product_name"); (void)col(t, "interest_rate"); (void)col(t, "minimum_due");
        for (size_t i = 1; i < t->n; i++) {
            char **r = t->rows[i];
            assert_int_equal(t->nf[i], 10);
            size_t idlen = strlen(r[a_id]);
            assert_true(idlen >= 10 && idlen <= 12);
            assert_true(set_add(&accts, r[a_id], 0));
            assert_non_null(set_get(&custs, r[a_cust]));
            int64_t v;
            assert_true(parse_cents(r[a_op], &v));
            assert_true(parse_cents(r[a_cl], &v));
            assert_true(valid_date(r[a_open]));
            if (p == 2) {
                assert_true(parse_cents(r[a_lim], &v) && v > 0);
                assert_true(valid_date(r[a_due]));
            }
            if (p == 3)
                assert_true(valid_date(r[a_due]));
            n_accts[p]++;
        }
    }
    /* holdings roughly as specified: checking ~95%, savings ~55%, ... */
    assert_true(n_accts[0] >= H * 85 / 100);
    assert_true(n_accts[1] >= H * 35 / 100 && n_accts[1] <= H * 80 / 100);
    assert_true(n_accts[2] >= H * 25 / 100 && n_accts[2] <= H * 65 / 100);
    assert_true(n_accts[3] >= H * 8 / 100 && n_accts[3] <= H * 35 / 100);

    /* transactions: reference existing accounts of the same system, dates in
     * the period, amounts exact; balances add up by the sign rules */
    size_t n_tx = 0;
    bool quoted_comma = false, newline = false, quote_char = false;
    folio_date p0, p1;
    folio_date_from_ymd(2026, 10, 1, &p0);
    folio_date_from_ymd(2026, 10, 31, &p1);
    for (int p = 0; p < 4; p++) {
        char name[64];
        snprintf(name, sizeof name, "%s_transactions.csv", products[p]);
        table *t = load_table(dir, name);
        assert_int_equal(t->nf[0], 4);
        assert_string_equal(t->rows[0][0], "account_id");
        assert_string_equal(t->rows[0][1], "posting_date");
        assert_string_equal(t->rows[0][2], "description");
        assert_string_equal(t->rows[0][3], "amount");
        strset sums;
        set_init(&sums, at[p]->n);
        for (size_t i = 1; i < at[p]->n; i++)
            set_add(&sums, at[p]->rows[i][0], 0);
        for (size_t i = 1; i < t->n; i++) {
            char **r = t->rows[i];
            assert_int_equal(t->nf[i], 4);
            int64_t *sum = set_get(&sums, r[0]);
            assert_non_null(sum);
            folio_date d;
            assert_true(folio_date_parse(r[1], strlen(r[1]), "YYYY-MM-DD", &d));
            assert_true(d >= p0 && d <= p1);
            int64_t v;
            assert_true(parse_cents(r[3], &v));
            assert_true(v != 0);
            *sum += v;
            if (strchr(r[2], ','))
                quoted_comma = true;
            if (strchr(r[2], '"'))
                quote_char = true;
            if (strchr(r[2], '\n'))
                newline = true;
            assert_true(folio_utf8_valid(r[2], strlen(r[2]), NULL));
            n_tx++;
        }
        table *a = at[p];
        int a_op = col(a, "opening_balance"), a_cl = col(a, "closing_balance");
        for (size_t i = 1; i < a->n; i++) {
            int64_t op, cl;
            assert_true(parse_cents(a->rows[i][a_op], &op));
            assert_true(parse_cents(a->rows[i][a_cl], &cl));
            int64_t sum = *set_get(&sums, a->rows[i][0]);
            if (p < 2)
                assert_true(cl == op + sum);    /* assets */
            else
                assert_true(cl == op - sum);    /* liabilities: owed is positive */
        }
        set_free(&sums);
        free_table(t);
    }
    /* ~70 transaction rows per household on average */
    assert_true(n_tx >= H * 45 && n_tx <= H * 100);
    assert_true(quoted_comma);
    assert_true(quote_char);
    assert_true(newline || H < 100);

    for (int p = 0; p < 4; p++)
        free_table(at[p]);
    free(keybuf);
    set_free(&accts);
    set_free(&custs);
    set_free(&hh_size);
    set_free(&keys);
    free_table(cu);
    remove_dir(dir);
}

/* A description with an embedded newline shows up at N=200 for most seeds;
 * for a fixed seed over 2,000 households it must. */
static void test_embedded_newline_present(void **state)
{
    (void)state;
    char *dir = make_tmpdir();
    generate(dir, 2000, 3, 0, false);
    table *t = load_table(dir, "checking_transactions.csv");
    assert_true(t->any_newline);
    assert_true(t->any_quoted_comma);
    free_table(t);
    remove_dir(dir);
}

static int line_of(const char *buf, int line, char *out, size_t cap)
{
    const char *p = buf;
    for (int i = 1; i < line && p; i++) {
        p = strchr(p, '\n');
        if (p)
            p++;
    }
    if (!p)
        return -1;
    const char *e = strchr(p, '\n');
    size_t n = e ? (size_t)(e - p) : strlen(p);
    if (n >= cap)
        n = cap - 1;
    memcpy(out, p, n);
    out[n] = 0;
    return (int)n;
}

static void test_bad_rows(void **state)
{
    (void)state;
    char *dir = make_tmpdir();
    generate(dir, 50, 11, 0, true);
    size_t len;
    char *list = read_file(dir, "expected_rejects.csv", &len);
    assert_non_null(list);
    assert_non_null(strstr(list, "file,line,kind,key\n"));
    static const char *const kinds[] = {
        "invalid_utf8", "bad_money", "bad_date", "unknown_account", "missing_field",
        "duplicate_account"
    };
    for (int k = 0; k < 6; k++)
        assert_non_null(strstr(list, kinds[k]));

    char line[1024];
    char *cust = read_file(dir, "customers.csv", &len);
    assert_true(line_of(cust, 2, line, sizeof line) > 0);
    assert_false(folio_utf8_valid(line, strlen(line), NULL));
    assert_true(folio_utf8_valid(cust, (size_t)(strchr(cust, '\n') - cust), NULL));

    char *tx = read_file(dir, "checking_transactions.csv", &len);
    assert_true(line_of(tx, 2, line, sizeof line) > 0);
    assert_non_null(strstr(line, ",12.3x"));
    char acct0[32];
    memcpy(acct0, line, 12);
    acct0[12] = 0;
    assert_true(line_of(tx, 3, line, sizeof line) > 0);
    assert_non_null(strstr(line, ",2026-13-45,"));
    assert_true(line_of(tx, 4, line, sizeof line) > 0);
    assert_non_null(strstr(line, "UNKNOWN ACCOUNT"));
    assert_true(line_of(tx, 5, line, sizeof line) > 0);
    int commas = 0;
    for (char *p = line; *p; p++)
        commas += *p == ',';
    assert_int_equal(commas, 2);   /* 3 fields, header has 4 */

    /* the duplicate in savings repeats a real checking account id */
    char *sav = read_file(dir, "savings_accounts.csv", &len);
    assert_true(line_of(sav, 2, line, sizeof line) > 0);
    assert_memory_equal(line, acct0, 12);
    char *chk = read_file(dir, "checking_accounts.csv", &len);
    char needle[40];
    snprintf(needle, sizeof needle, "\n%s,", acct0);
    assert_non_null(strstr(chk, needle));
    /* the unknown account is really unknown */
    assert_true(line_of(tx, 4, line, sizeof line) > 0);
    char unknown[40];
    snprintf(unknown, sizeof unknown, "\n%.12s,", line);
    assert_null(strstr(chk, unknown));

    free(list);
    free(cust);
    free(tx);
    free(sav);
    free(chk);

    /* without errors: every file is valid UTF-8 and there is no list */
    char *clean = make_tmpdir();
    generate(clean, 50, 11, 0, false);
    for (int i = 0; i < N_CSV; i++) {
        char *b = read_file(clean, csv_files[i], &len);
        assert_non_null(b);
        size_t bad_at = 0;
        assert_true(folio_utf8_valid(b, len, &bad_at));
        free(b);
    }
    assert_null(read_file(clean, "expected_rejects.csv", &len));
    remove_dir(clean);

    /* regenerating without errors into the same directory drops the stale list */
    generate(dir, 50, 11, 0, false);
    assert_null(read_file(dir, "expected_rejects.csv", &len));
    char *cust2 = read_file(dir, "customers.csv", &len);
    assert_true(folio_utf8_valid(cust2, len, NULL));
    free(cust2);
    remove_dir(dir);
}

static void test_job_file(void **state)
{
    (void)state;
    char *dir = make_tmpdir();
    char layout[4096];
    snprintf(layout, sizeof layout, "%s/my-layout.yaml", dir);
    FILE *f = fopen(layout, "w");
    assert_non_null(f);
    fputs("# placeholder\n", f);
    fclose(f);
    folio_samples_options o = { .households = 20, .seed = 5, .threads = 0,
                                .layout_path = layout, .with_errors = false };
    folio_error err = {0};
    assert_true(samples_generate(dir, &o, &err));
    size_t len;
    char *job = read_file(dir, "job.yaml", &len);
    assert_non_null(job);
    char want[4200];
    snprintf(want, sizeof want, "layout: \"%s\"\n", layout);
    assert_non_null(strstr(job, want));
    assert_non_null(strstr(job, "  date: 2026-11-01\n"));
    assert_non_null(strstr(job, "    start: 2026-10-01\n    end: 2026-10-31\n"));
    assert_non_null(strstr(job, "  name: \"Harbor & Pine Bank\"\n"));
    assert_non_null(strstr(job, "    max_sheets: 2000\n"));
    assert_non_null(strstr(job, "      address1: address_line1\n"));
    assert_non_null(strstr(job, "      date: posting_date\n"));
    for (int p = 0; p < 4; p++) {
        char key[64];
        snprintf(key, sizeof key, "    product: %s\n", products[p]);
        assert_non_null(strstr(job, key));
    }
    free(job);

    /* the job loads with folio's own job parser, feeds resolved */
    char path[4096];
    snprintf(path, sizeof path, "%s/job.yaml", dir);
    folio_job *j = job_load(path, &err);
    if (!j)
        fail_msg("job_load: %s", err.msg);
    assert_int_equal(j->n_feeds, 10);
    assert_int_equal(j->feeds[9].kind, FOLIO_FEED_CONTACTS);
    assert_string_equal(j->feeds[9].columns[FOLIO_F_OFFER_ID], "offer_id");
    assert_null(j->offers);              /* no offers.yaml beside this layout */
    assert_int_equal(j->feeds[0].kind, FOLIO_FEED_CUSTOMERS);
    assert_string_equal(j->feeds[0].columns[FOLIO_F_ADDRESS1], "address_line1");
    assert_string_equal(j->feeds[1].product, "checking");
    assert_int_equal(j->feeds[1].kind, FOLIO_FEED_ACCOUNTS);
    assert_string_equal(j->feeds[2].columns[FOLIO_F_TXN_DATE], "posting_date");
    assert_int_equal(j->max_sheets_per_file, 2000);
    folio_date d;
    folio_date_from_ymd(2026, 11, 1, &d);
    assert_int_equal(j->statement_date, d);
    job_free(j);

    /* with an offer catalogue beside the layout, the job names it */
    char cat[4200];
    snprintf(cat, sizeof cat, "%s/offers.yaml", dir);
    f = fopen(cat, "w");
    assert_non_null(f);
    fputs("# placeholder\n", f);
    fclose(f);
    assert_true(samples_generate(dir, &o, &err));
    j = job_load(path, &err);
    if (!j)
        fail_msg("job_load: %s", err.msg);
    assert_non_null(j->offers);
    assert_string_equal(j->offers->catalogue, cat);
    assert_int_equal(j->offers->max_per_statement, 2);
    job_free(j);
    remove_dir(dir);
}

static void test_bad_arguments(void **state)
{
    (void)state;
    folio_samples_options o = { .households = 0, .seed = 1 };
    folio_error err = {0};
    assert_false(samples_generate("/tmp/folio-samples-never", &o, &err));
    assert_int_equal(err.code, FOLIO_EXIT_USAGE);
    assert_non_null(strstr(err.msg, "households"));

    folio_error err2 = {0};
    o.households = 5;
    assert_false(samples_generate("/proc/folio-cannot-create/x", &o, &err2));
    assert_int_equal(err2.code, FOLIO_EXIT_FAILED);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_same_seed_same_bytes_any_threads),
        cmocka_unit_test(test_different_seeds_differ),
        cmocka_unit_test(test_feeds_are_consistent),
        cmocka_unit_test(test_embedded_newline_present),
        cmocka_unit_test(test_bad_rows),
        cmocka_unit_test(test_job_file),
        cmocka_unit_test(test_bad_arguments),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
