/* SPDX-License-Identifier: Apache-2.0 */
/* fuzz_feed: the CSV feed loader (src/feed-parse.c, feed.c) and the
 * resolution and grouping after it (feed-resolve.c, household.c), in every
 * dialect a job can declare.
 *
 * Input: byte 0 and 1 choose the dialect (index below), then the CSV text of
 * up to six feeds -- customers, accounts, transactions, contacts, events,
 * responses -- in that order, separated by a line "@@@"
 * (tests/fuzz/corpus/fuzz_feed/ shows the shape).  After grouping, the
 * events are bound to households (events_bind) and the responses matched to
 * the contacts (uplift_compute).  The dialect is a real job file (written and loaded through
 * job_load once per dialect, then kept), so every combination that a job can
 * declare is reached and nothing else:
 *   delimiter , ; TAB |  x  quote " ' none  x  decimal . ,  x  date format
 *   (4)  x  transactions sign rule (4)  x  minor digits 2 0 4  x  header
 *   names (the key itself, or an upper-case name).
 * Combinations job_load refuses (a decimal comma with a comma delimiter, ...)
 * fall back to the default dialect. */
#include "fuzz_common.h"
#include <stdarg.h>
#include "folio/feed.h"
#include "folio/events.h"
#include "folio/household.h"
#include "folio/job.h"
#include "folio/uplift.h"
#include "feed-private.h"   /* feed_set_force_libcsv */

static const char DELIMS[] = {',', ';', '\t', '|'};
static const char *const DELIM_YAML[] = {"\",\"", "\";\"", "\"\\t\"", "\"|\""};
static const char *const QUOTE_YAML[] = {"'\"'", "\"'\"", "\"\""};
static const char *const DECIMAL_YAML[] = {"\".\"", "\",\""};
static const char *const DATES[] = {"YYYY-MM-DD", "DD.MM.YYYY", "MM/DD/YY", "YYYYMMDD*"};
static const char *const SIGNS[] = {"{sign: negative_is_debit}", "{sign: positive_is_debit}",
                                    "{sign: flag_column, debit_values: [D, DR], credit_values: [C, CR]}",
                                    "{sign: split_columns}"};
static const int MINORS[] = {2, 0, 4};
#define N_DIALECTS (4 * 3 * 2 * 4 * 4 * 3 * 2)

static folio_job *jobs[N_DIALECTS];

/* header name of a mapped key in header mode u */
static void col(char *out, size_t cap, const char *key, int upper)
{
    snprintf(out, cap, "%s", key);
    if (upper)
        for (char *c = out; *c; c++)
            if (*c >= 'a' && *c <= 'z')
                *c = (char)(*c - 32);
}

static int append(char *buf, size_t cap, size_t *n, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
static int append(char *buf, size_t cap, size_t *n, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int k = vsnprintf(buf + *n, cap - *n, fmt, ap);
    va_end(ap);
    if (k < 0 || (size_t)k >= cap - *n)
        abort();
    *n += (size_t)k;
    return k;
}

static void columns(char *buf, size_t cap, size_t *n, const char *const *keys, int upper)
{
    append(buf, cap, n, "    columns: {");
    for (int i = 0; keys[i]; i++) {
        char c[64];
        col(c, sizeof c, keys[i], upper);
        append(buf, cap, n, "%s%s: %s", i ? ", " : "", keys[i], c);
    }
    append(buf, cap, n, "}\n");
}

static const char *const CUST_KEYS[] = {
    "customer_id", "household_id", "first_name", "last_name", "birth_date", "address1",
    "address2", "city", "state", "postal_code", "country", "language", "email", "delivery",
    "marketing_consent", "segment", "customer_since", NULL};
static const char *const ACCT_KEYS[] = {
    "account_id", "customer_id", "product", "product_name", "opening_balance",
    "closing_balance", "credit_limit", "interest_rate", "minimum_due", "due_date",
    "opened_date", "currency", NULL};
static const char *const TXN_PLAIN[] = {"account_id", "date", "description", "amount",
                                        "transaction_id", NULL};
static const char *const TXN_FLAG[] = {"account_id", "date", "description", "amount",
                                       "debit_flag", "transaction_id", NULL};
static const char *const TXN_SPLIT[] = {"account_id", "date", "description", "debit_amount",
                                        "credit_amount", "transaction_id", NULL};
static const char *const CONTACT_KEYS[] = {"contact_key", "offer_id", "contact_date", NULL};
static const char *const EVENT_KEYS[] = {"key", "type", "date", "channel", NULL};
static const char *const RESP_KEYS[] = {"response_key", "offer_id", "variant", "response_date",
                                        "outcome", NULL};

static folio_job *load_dialect(int idx)
{
    int k = idx;
    int delim = k % 4; k /= 4;
    int quote = k % 3; k /= 3;
    int dec = k % 2; k /= 2;
    int date = k % 4; k /= 4;
    int sign = k % 4; k /= 4;
    int minor = k % 3; k /= 3;
    int upper = k % 2;
    static char y[8192];
    size_t n = 0;
    append(y, sizeof y, &n,
           "job: {name: fuzz}\n"
           "statement: {date: 2026-11-01, period: {start: 2026-10-01, end: 2026-10-31}}\n"
           "bank: {name: B}\nlayout: l.yaml\nfeeds:\n");
    static const char *const kinds[] = {"customers", "accounts", "transactions", "contacts",
                                        "events", "responses"};
    for (int f = 0; f < 6; f++) {
        append(y, sizeof y, &n, "  - name: f%d\n    kind: %s\n    path: f%d.csv\n", f, kinds[f], f);
        append(y, sizeof y, &n,
               "    dialect: {delimiter: %s, quote: %s, decimal: %s, date_format: \"%s\", "
               "minor_digits: %d}\n",
               DELIM_YAML[delim], QUOTE_YAML[quote], DECIMAL_YAML[dec], DATES[date],
               MINORS[minor]);
        if (f == 0)
            columns(y, sizeof y, &n, CUST_KEYS, upper);
        else if (f == 1)
            columns(y, sizeof y, &n, ACCT_KEYS, upper);
        else if (f == 2) {
            append(y, sizeof y, &n, "    amounts: %s\n", SIGNS[sign]);
            columns(y, sizeof y, &n, sign == 2 ? TXN_FLAG : sign == 3 ? TXN_SPLIT : TXN_PLAIN,
                    upper);
        } else
            columns(y, sizeof y, &n, f == 3 ? CONTACT_KEYS : f == 4 ? EVENT_KEYS : RESP_KEYS,
                    upper);
    }
    char name[64];
    snprintf(name, sizeof name, "job-%d.yaml", idx);
    const char *path = fz_write(name, (const uint8_t *)y, n);
    folio_error err = {0};
    folio_job *j = job_load(path, &err);
    unlink(path);
    (void)DELIMS;
    return j;
}

static void free_jobs(void)
{
    for (int i = 0; i < N_DIALECTS; i++)
        job_free(jobs[i]);
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc; (void)argv;
    jobs[0] = load_dialect(0);
    if (!jobs[0]) {
        fprintf(stderr, "fuzz_feed: the default dialect does not load\n");
        exit(2);
    }
    atexit(free_jobs);
    return 0;
}

static const folio_job *dialect(int idx)
{
    if (!jobs[idx]) {
        jobs[idx] = load_dialect(idx);
        if (!jobs[idx])
            jobs[idx] = load_dialect(idx);   /* refused: fall back below */
    }
    return jobs[idx] ? jobs[idx] : jobs[0];
}

/* r-audit (round 24): the feeds loaded again with every record through
 * libcsv (feed_set_force_libcsv: no SSE2 splitter, no plain or simple-quoted
 * fast path) must give the same verdict, rows and rejects as the fast load;
 * the harness aborts on a difference. */
static void str_same(const char *what, size_t i, const char *a, const char *b)
{
    if ((a == NULL) != (b == NULL) || (a && strcmp(a, b) != 0)) {
        fprintf(stderr, "fuzz_feed: fast and libcsv loads differ: %s %zu: '%s' / '%s'\n", what,
                i, a ? a : "(null)", b ? b : "(null)");
        abort();
    }
}

static void loads_same(const folio_dataset *a, bool ok_a, const folio_error *ea,
                       const folio_dataset *b, bool ok_b, const folio_error *eb)
{
    char na[160], nb[160];
    snprintf(na, sizeof na, "ok %d err '%.60s' c %zu a %zu t %zu k %zu r %zu e %zu s %zu", ok_a,
             ea->msg, a->n_customers, a->n_accounts, a->n_txns, a->n_contacts, a->n_rejects,
             a->n_events, a->n_responses);
    snprintf(nb, sizeof nb, "ok %d err '%.60s' c %zu a %zu t %zu k %zu r %zu e %zu s %zu", ok_b,
             eb->msg, b->n_customers, b->n_accounts, b->n_txns, b->n_contacts, b->n_rejects,
             b->n_events, b->n_responses);
    str_same("counts", 0, na, nb);
    for (size_t i = 0; i < a->n_rejects; i++) {
        const folio_reject *x = &a->rejects[i], *y = &b->rejects[i];
        if (x->feed != y->feed || x->line != y->line)
            str_same("reject line", i, "fast", "libcsv");
        str_same("reject column", i, x->column, y->column);
        str_same("reject reason", i, x->reason, y->reason);
    }
    for (size_t i = 0; i < a->n_customers; i++) {
        str_same("customer id", i, a->customers[i].id, b->customers[i].id);
        str_same("customer name", i, a->customers[i].last_name, b->customers[i].last_name);
        str_same("customer city", i, a->customers[i].city, b->customers[i].city);
    }
    for (size_t i = 0; i < a->n_txns; i++) {
        const folio_txn *x = &a->txns[i], *y = &b->txns[i];
        if (x->amount != y->amount || x->date != y->date || x->line != y->line)
            str_same("transaction", i, "fast", "libcsv");
        if (!x->desc_langs && !y->desc_langs)
            str_same("description", i, x->description, y->description);
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 2)
        return 0;
    const folio_job *job = dialect((data[0] | data[1] << 8) % N_DIALECTS);
    const char *p = (const char *)data + 2, *end = (const char *)data + size;
    folio_dataset *ds = feed_dataset_new(job->n_feeds);
    if (!ds)
        return 0;
    folio_error err = {0};
    bool ok = true;
    for (int f = 0; f < job->n_feeds && ok; f++) {
        const char *sep = memmem(p, (size_t)(end - p), "\n@@@\n", 5);
        const char *stop = sep ? sep + 1 : end;
        /* an exact-size copy: the loader must not read past the feed */
        size_t len = (size_t)(stop - p);
        char *buf = malloc(len ? len : 1);
        memcpy(buf, p, len);
        ok = feed_load_buffer(ds, f, &job->feeds[f], buf, len, 1, &err);
        free(buf);
        if (!ok)
            fz_check_error(&err, "feed_load_buffer");
        if (!sep)
            break;
        p = sep + 5;
    }
    {   /* r-audit (round 24): the same feeds through libcsv only */
        folio_dataset *ds2 = feed_dataset_new(job->n_feeds);
        folio_error err2 = {0};
        bool ok2 = ds2 != NULL;
        const char *q = (const char *)data + 2;
        feed_set_force_libcsv(true);
        for (int f = 0; ds2 && f < job->n_feeds && ok2; f++) {
            const char *sep = memmem(q, (size_t)(end - q), "\n@@@\n", 5);
            const char *stop = sep ? sep + 1 : end;
            size_t len = (size_t)(stop - q);
            char *buf = malloc(len ? len : 1);
            memcpy(buf, q, len);
            ok2 = feed_load_buffer(ds2, f, &job->feeds[f], buf, len, 1, &err2);
            free(buf);
            if (!sep)
                break;
            q = sep + 5;
        }
        feed_set_force_libcsv(false);
        if (ds2)
            loads_same(ds, ok, &err, ds2, ok2, &err2);
        feed_dataset_free(ds2);
    }
    if (ok && feed_resolve(ds, &err)) {
        folio_households hs;
        memset(&hs, 0, sizeof hs);
        static const char *const order[] = {"checking", "savings", "credit_card", "mortgage"};
        if (household_group(ds, order, 4, &hs, &err)) {
            if (!events_bind(ds, &hs, &err))
                fz_check_error(&err, "events_bind");
            folio_uplift *u = uplift_compute(ds, 30, &err);
            if (u)
                uplift_free(u);
            else
                fz_check_error(&err, "uplift_compute");
            household_free(&hs);
        } else
            fz_check_error(&err, "household_group");
    } else if (ok) {
        fz_check_error(&err, "feed_resolve");
    }
    feed_dataset_free(ds);
    return 0;
}
