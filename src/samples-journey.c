/* SPDX-License-Identifier: Apache-2.0 */
/*
 * samples-journey.c -- `folio samples --journey` (issue 15 part 5 for parts 1
 * and 2): frequency preferences and journey events next to the sample feeds.
 *
 * Run after samples_generate: reads DIR/customers.csv (customer id,
 * household id, delivery), writes
 *   frequency.csv  customer_id,paper_frequency,email_frequency (a
 *                  customer_attributes feed; about 1 in 4 print customers
 *                  quarterly, a few semi-annual or annual, e-mail mostly
 *                  monthly)
 *   events.csv     key,type,date,channel: the last print statement of every
 *                  customer not printed monthly (so some are due this cycle
 *                  and some not), reminder notices with and without a payment
 *                  after them, open complaints, delinquencies, address changes
 * and adds both feeds, `frequency:` and `stages:` to DIR/job.yaml.  Every
 * choice is a hash of (seed, customer id), so the files depend on nothing
 * else: the same feeds and seed give the same bytes at any thread count.
 *
 * Round 22 (r-journey): a household whose print statement is due with a
 * longer interval (its last statement in July: August..October) needs the
 * months before October in the transactions feeds, or its statement would
 * begin before them (frequency-cover.c: an exception).  For every household
 * with a statement history the months from the day after its latest print
 * statement to September 30 are written into *_transactions.csv ahead of
 * the account's October rows (history_months below): October's rows again,
 * dated in each earlier month, from the month the account was opened; the
 * accounts' opening_balance stays the balance on October 1, so folio takes
 * the interval's opening from it less the rows between, and the ledger and
 * reconciliation hold by construction.  Where the balance going back would
 * fall below zero (a card paid off, a checking account that saves), a
 * month-end row -- a card payment, a transfer to savings -- keeps it >= 0.
 *
 * So that the demo shows the journey (issue 15 part 5), the job then names
 * journey-layout.yaml (the samples' layout with a notice sequence after the
 * summary: thank-you, final, second reminder), journey-paragraphs.yaml and
 * journey-offers.yaml (no marketing offer to a household with an open
 * complaint or a delinquency) -- journey_layout below.
 */
#include "folio/samples.h"
#include "folio/feed.h"
#include "folio/household.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static uint64_t mix(uint64_t z)
{
    z += 0x9e3779b97f4a7c15ull;
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
}

static uint64_t hash_id(uint64_t seed, const char *s, uint64_t salt)
{
    uint64_t h = 0xcbf29ce484222325ull;
    for (; *s; s++)
        h = (h ^ (unsigned char)*s) * 0x100000001b3ull;
    return mix(h ^ mix(seed * 31 + salt));
}

static char *slurp(const char *path, size_t *len, folio_error *err)
{
    FILE *f = folio_input_fopen(path, NULL, FOLIO_EXIT_FAILED, err);
    if (!f)
        return NULL;
    folio_buf b;
    folio_buf_init(&b, (size_t)1 << 34);
    char tmp[65536];
    size_t n;
    while ((n = fread(tmp, 1, sizeof tmp, f)) > 0)
        folio_buf_append(&b, tmp, n);
    bool bad = ferror(f) || b.failed;
    fclose(f);
    if (bad) {
        folio_buf_free(&b);
        folio_error_set(err, FOLIO_EXIT_FAILED, "%s: cannot read", path);
        return NULL;
    }
    folio_buf_putc(&b, '\0');
    *len = b.len - 1;
    return b.data;
}

/* The n-th (0-based) comma-separated cell of line [s, e): customers.csv
 * quotes no id or delivery cell, and the cells before delivery that may be
 * quoted (names, addresses) are skipped as quoted strings. */
static size_t cell(const char *s, const char *e, int n, const char **out)
{
    for (int k = 0; s <= e; k++) {
        const char *c = s;
        if (s < e && *s == '"') {
            for (s++; s < e; s++)
                if (*s == '"' && (s + 1 >= e || s[1] != '"'))
                    break;
                else if (*s == '"')
                    s++;
        }
        while (s < e && *s != ',')
            s++;
        if (k == n) {
            *out = c;
            return (size_t)(s - c);
        }
        s++;
    }
    *out = "";
    return 0;
}

/* The end of the CSV record at s (its '\n' or end): a quoted cell may hold
 * a line break (the samples plant one in a wire transfer's description). */
static const char *rec_end(const char *s, const char *end)
{
    bool q = false;
    for (; s < end; s++)
        if (*s == '"')
            q = !q;
        else if (*s == '\n' && !q)
            return s;
    return end;
}

static const char *const FREQ[] = {"monthly", "quarterly", "semi_annual", "annual"};
static const int MONTHS[] = {1, 3, 6, 12};
static const int MDAYS[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};

static const char JOB_FEEDS[] =
    "  # issue 15 (folio samples --journey): frequency preferences and journey events\n"
    "  - name: frequency-preferences\n"
    "    kind: customer_attributes\n"
    "    path: frequency.csv\n"
    "    columns: {customer_id: customer_id}\n"
    "    attributes:\n"
    "      paper_frequency: {column: paper_frequency, type: code, values: [monthly, quarterly, semi_annual, annual]}\n"
    "      email_frequency: {column: email_frequency, type: code, values: [monthly, quarterly, semi_annual, annual]}\n"
    "  - name: events\n"
    "    kind: events\n"
    "    path: events.csv\n"
    "    columns: {key: key, type: type, date: date, channel: channel}\n";

static const char JOB_TAIL[] =
    "\n# issue 15 (folio samples --journey): statements due per channel, and the\n"
    "# relationship stage of each household (audit.jsonl \"stage\", rule field `stage`)\n"
    "frequency:\n"
    "  print: {default: monthly, attribute: paper_frequency}\n"
    "  email: {default: monthly, attribute: email_frequency}\n"
    "stages:\n"
    "  - {name: at_risk, when: 'any(events where type in (\"complaint_open\", \"delinquency\"))'}\n"
    "  - {name: new, when: 'days_since(customer_since) < 90'}\n"
    "  - {name: dormant, when: 'count(transactions) == 0'}\n"
    "  - {name: established, when: 'true'}\n";

/* ---- the months before October (round 22, r-journey) ------------------------ */

/* a string -> int map, open addressing; keys copied */
typedef struct smap {
    char **key;
    int *val;
    size_t cap, n;
    bool failed;
} smap;

static size_t smap_slot(const smap *m, const char *k, size_t n)
{
    uint64_t h = 0xcbf29ce484222325ull;
    for (size_t i = 0; i < n; i++)
        h = (h ^ (unsigned char)k[i]) * 0x100000001b3ull;
    size_t at = (size_t)mix(h) & (m->cap - 1);
    while (m->key[at] && (strlen(m->key[at]) != n || memcmp(m->key[at], k, n)))
        at = (at + 1) & (m->cap - 1);
    return at;
}

static void smap_free(smap *m)
{
    for (size_t i = 0; i < m->cap; i++)
        free(m->key[i]);
    free(m->key);
    free(m->val);
    memset(m, 0, sizeof *m);
}

/* *out = the value of key [k, k+n), false when absent */
static bool smap_get(const smap *m, const char *k, size_t n, int *out)
{
    if (!m->cap)
        return false;
    size_t at = smap_slot(m, k, n);
    if (!m->key[at])
        return false;
    *out = m->val[at];
    return true;
}

/* set key [k, k+n) to v; `keep_max`: only raise an existing value */
static void smap_put(smap *m, const char *k, size_t n, int v, bool keep_max)
{
    if (m->failed)
        return;
    if ((m->n + 1) * 2 > m->cap) {
        smap o = *m;
        m->cap = o.cap ? o.cap * 2 : 1024;
        m->key = calloc(m->cap, sizeof *m->key);
        m->val = calloc(m->cap, sizeof *m->val);
        m->n = 0;
        if (!m->key || !m->val) {
            free(m->key);
            free(m->val);
            *m = o;
            m->failed = true;
            return;
        }
        for (size_t i = 0; i < o.cap; i++)
            if (o.key[i]) {
                size_t at = smap_slot(m, o.key[i], strlen(o.key[i]));
                m->key[at] = o.key[i];
                m->val[at] = o.val[i];
                m->n++;
            }
        free(o.key);
        free(o.val);
    }
    size_t at = smap_slot(m, k, n);
    if (m->key[at]) {
        if (!keep_max || v > m->val[at])
            m->val[at] = v;
        return;
    }
    m->key[at] = malloc(n + 1);
    if (!m->key[at]) {
        m->failed = true;
        return;
    }
    memcpy(m->key[at], k, n);
    m->key[at][n] = '\0';
    m->val[at] = v;
    m->n++;
}

/* "-1234.5" / "12.34" -> cents; false when it is no such number */
static bool cents_of(const char *s, size_t n, int64_t *out)
{
    size_t i = 0;
    bool neg = n > 0 && s[0] == '-';
    i += neg;
    int64_t v = 0;
    int frac = -1;
    if (i >= n)
        return false;
    for (; i < n; i++) {
        if (s[i] == '.' && frac < 0) {
            frac = 0;
            continue;
        }
        if (s[i] < '0' || s[i] > '9' || frac >= 2 || v > INT64_MAX / 100)
            return false;
        v = v * 10 + (s[i] - '0');
        if (frac >= 0)
            frac++;
    }
    for (int f = frac < 0 ? 0 : frac; f < 2; f++)
        v *= 10;
    *out = neg ? -v : v;
    return true;
}

static void put_cents(folio_buf *b, int64_t c)
{
    if (c < 0) {
        folio_buf_putc(b, '-');
        c = -c;
    }
    folio_buf_printf(b, "%lld.%02lld", (long long)(c / 100), (long long)(c % 100));
}

enum { OCT_MI = 2026 * 12 + 9 };      /* month index of October 2026 */

static int days_in(int mi)
{
    int y = mi / 12, m = mi % 12;
    bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    return MDAYS[m] + (m == 1 && leap);
}

typedef struct hist_acct {
    int months;                       /* months before October to write */
    int opened_mi, opened_day;        /* when the account was opened */
    int64_t opening;                  /* balance on October 1, cents */
} hist_acct;

/* a transactions record [s, e) and the index of its account in acc[] */
typedef struct line {
    const char *s, *e;
    int acct;
} line;

/* The day of month mi on which October's row l is written again (its
 * October day, at most the month's last), 0 when that is before the
 * account was opened. */
static int copy_day(const line *l, int mi, const hist_acct *h)
{
    const char *dt;
    size_t ndt = cell(l->s, l->e, 1, &dt);
    int dd = 1;
    if (ndt != 10 || sscanf(dt + 8, "%2d", &dd) != 1 || dd < 1)
        dd = 1;
    if (dd > days_in(mi))
        dd = days_in(mi);
    return mi == h->opened_mi && dd < h->opened_day ? 0 : dd;
}

/* One product's accounts file and transactions file: the months before
 * October for the accounts whose customer (cust: customer id -> household
 * number) belongs to a household with hmonths[number] > 0; the
 * transactions file rewritten. */
static bool history_product(const char *dir, const char *product, int kind,
                            const smap *cust, const int *hmonths, uint64_t *rows,
                            folio_error *err)
{
    /* kind: 0 checking, 1 savings, 2 credit card, 3 mortgage */
    static const char *const OPENS[] = {"OPENING DEPOSIT", "OPENING DEPOSIT", "BALANCE TRANSFER",
                                        "LOAN DISBURSEMENT"};
    static const char *const TOPS[] = {"ONLINE TRANSFER TO SAVINGS", "TRANSFER TO CHECKING",
                                       "PAYMENT - THANK YOU", "PAYMENT - THANK YOU"};
    bool liability = kind >= 2;
    char ap[4200], tp[4200];
    snprintf(ap, sizeof ap, "%s/%s_accounts.csv", dir, product);
    snprintf(tp, sizeof tp, "%s/%s_transactions.csv", dir, product);
    size_t alen, tlen;
    char *as = slurp(ap, &alen, err);
    if (!as)
        return false;
    char *ts = slurp(tp, &tlen, err);
    if (!ts) {
        free(as);
        return false;
    }
    /* the accounts that need months: id -> index into acc[] */
    smap need = {0};
    hist_acct *acc = NULL;
    size_t nacc = 0, cap = 0;
    bool ok = true;
    const char *s = strchr(as, '\n');
    for (s = s ? s + 1 : as + alen; ok && s < as + alen;) {
        const char *e = rec_end(s, as + alen);
        const char *id, *cu, *op, *od;
        size_t nid = cell(s, e, 0, &id), ncu = cell(s, e, 1, &cu), nop = cell(s, e, 3, &op),
               nod = cell(s, e, 9, &od);
        s = e + 1;
        int hix, months;
        if (!nid || !smap_get(cust, cu, ncu, &hix) || (months = hmonths[hix]) <= 0)
            continue;
        hist_acct h = {months, 0, 1, 0};
        if (!cents_of(op, nop, &h.opening))
            continue;                 /* no opening balance: leave it alone */
        int oy, om, odd;
        if (nod == 10 && sscanf(od, "%4d-%2d-%2d", &oy, &om, &odd) == 3) {
            h.opened_mi = oy * 12 + om - 1;
            h.opened_day = odd;
        }
        if (nacc == cap) {
            cap = cap ? cap * 2 : 256;
            hist_acct *na = realloc(acc, cap * sizeof *na);
            if (!na) {
                ok = false;
                break;
            }
            acc = na;
        }
        acc[nacc] = h;
        smap_put(&need, id, nid, (int)nacc++, false);
        ok = !need.failed;
    }
    /* every record of the file, in file order; acct = the index in acc[]
     * of an October row to write again, else -1 */
    line *L = NULL;
    size_t nl = 0, lcap = 0;
    const char *body = strchr(ts, '\n');
    body = body ? body + 1 : ts + tlen;
    for (s = body; ok && s < ts + tlen;) {
        const char *e = rec_end(s, ts + tlen);
        const char *id, *dt, *am;
        size_t nid = cell(s, e, 0, &id), ndt = cell(s, e, 1, &dt), nam = cell(s, e, 3, &am);
        int a = -1, dd = 0;
        int64_t c;
        /* only an October row that reads (date, amount) is written again;
         * a bad row (--with-errors) stays where it is, a reject as planted */
        if (ndt == 10 && !memcmp(dt, "2026-10-", 8) && sscanf(dt + 8, "%2d", &dd) == 1 &&
            dd >= 1 && dd <= 31 && cents_of(am, nam, &c))
            smap_get(&need, id, nid, &a);
        if (nl == lcap) {
            lcap = lcap ? lcap * 2 : 4096;
            line *nv = realloc(L, lcap * sizeof *nv);
            if (!nv) {
                ok = false;
                break;
            }
            L = nv;
        }
        L[nl++] = (line){s, e, a};
        s = e + 1;
    }
    /* each account's lines, in file order: by[at[a] .. at[a + 1]) */
    size_t *at = calloc(nacc + 1, sizeof *at), *by = calloc(nl + 1, sizeof *by);
    ok = ok && at && by;
    for (size_t i = 0; ok && i < nl; i++)
        if (L[i].acct >= 0)
            at[L[i].acct + 1]++;
    for (size_t a = 0; ok && a < nacc; a++)
        at[a + 1] += at[a];
    size_t *fill = ok ? calloc(nacc + 1, sizeof *fill) : NULL;
    ok = ok && fill;
    for (size_t i = 0; ok && i < nl; i++)
        if (L[i].acct >= 0)
            by[at[L[i].acct] + fill[L[i].acct]++] = i;
    free(fill);
    folio_buf out;
    folio_buf_init(&out, (size_t)1 << 36);
    folio_buf_append(&out, ts, (size_t)(body - ts));
    bool *done = nacc ? calloc(nacc, sizeof *done) : NULL;
    int64_t *net = NULL;
    ok = ok && (!nacc || done);
    for (size_t i = 0; ok && i < nl; i++) {
        int a = L[i].acct;
        if (a >= 0 && !done[a]) {
            done[a] = true;
            const hist_acct *h = &acc[a];
            /* going back month by month from October 1: the balance at
             * each month's start, a month-end row where it would fall
             * below 100.00, and the opening row in the month the account
             * was opened (from zero); then the months written forward,
             * ahead of the account's first October row */
            free(net);
            net = calloc((size_t)h->months + 1, sizeof *net);   /* month-end rows */
            if (!net) {
                ok = false;
                break;
            }
            int64_t bal = h->opening, opening_row = 0;
            for (int k = 1; k <= h->months && OCT_MI - k >= h->opened_mi; k++) {
                int mi = OCT_MI - k;
                for (size_t q = at[a]; q < at[a + 1]; q++) {
                    const char *am;
                    size_t nam = cell(L[by[q]].s, L[by[q]].e, 3, &am);
                    int64_t c;
                    if (copy_day(&L[by[q]], mi, h) && cents_of(am, nam, &c))
                        bal = liability ? bal + c : bal - c;
                }
                if (bal < 10000) {            /* going back it would dip below 100.00 */
                    net[k] = (10000 - bal + 9999) / 10000 * 10000;
                    bal += net[k];
                }
                if (mi == h->opened_mi) {     /* opened this month: from zero */
                    opening_row = bal;
                    bal = 0;
                }
            }
            const char *id;
            size_t nid = cell(L[i].s, L[i].e, 0, &id);
            for (int k = h->months; k >= 1; k--) {
                int mi = OCT_MI - k;
                if (mi < h->opened_mi)
                    continue;
                int y = mi / 12, m = mi % 12 + 1, dim = days_in(mi);
                if (mi == h->opened_mi && opening_row) {
                    folio_buf_append(&out, id, nid);
                    folio_buf_printf(&out, ",%04d-%02d-%02d,%s,", y, m, h->opened_day,
                                     OPENS[kind]);
                    put_cents(&out, liability ? -opening_row : opening_row);
                    folio_buf_putc(&out, '\n');
                    (*rows)++;
                }
                for (size_t q = at[a]; q < at[a + 1]; q++) {
                    const line *l = &L[by[q]];
                    int dd = copy_day(l, mi, h);
                    if (!dd)
                        continue;
                    const char *dt;
                    size_t ndt = cell(l->s, l->e, 1, &dt);
                    folio_buf_append(&out, l->s, (size_t)(dt - l->s));
                    folio_buf_printf(&out, "%04d-%02d-%02d", y, m, dd);
                    folio_buf_append(&out, dt + ndt, (size_t)(l->e - (dt + ndt)));
                    folio_buf_putc(&out, '\n');
                    (*rows)++;
                }
                if (net[k]) {
                    folio_buf_append(&out, id, nid);
                    folio_buf_printf(&out, ",%04d-%02d-%02d,%s,", y, m, dim,
                                     TOPS[kind]);
                    put_cents(&out, liability ? net[k] : -net[k]);
                    folio_buf_putc(&out, '\n');
                    (*rows)++;
                }
            }
        }
        folio_buf_append(&out, L[i].s, (size_t)(L[i].e - L[i].s));
        if (L[i].e < ts + tlen)
            folio_buf_putc(&out, '\n');
    }
    if (!ok || out.failed || need.failed)
        folio_error_set(err, FOLIO_EXIT_FAILED, "out of memory writing %s", tp);
    ok = ok && !out.failed && !need.failed && folio_write_file_atomic(tp, out.data, out.len, err);
    folio_buf_free(&out);
    free(net);
    free(done);
    free(at);
    free(by);
    free(L);
    free(acc);
    smap_free(&need);
    free(as);
    free(ts);
    return ok;
}

/* The households as folio forms them (household.c): a customer with a
 * household id is in it; an id-less one joins the bytewise smallest id at
 * its address key (household_address_key), else the id-less customers of
 * one key form one household. */
typedef struct hh_rec {
    char *cid, *hid, *key;
    int need;                         /* months before October; -1 none */
} hh_rec;
typedef struct households {
    hh_rec *v;
    size_t n, cap;
    bool failed;
} households;

/* cell [c, c+n) without its quotes ("" -> ") as a new string */
static char *unquoted(const char *c, size_t n)
{
    char *o = malloc(n + 1);
    if (!o)
        return NULL;
    size_t k = 0;
    bool q = n >= 2 && c[0] == '"' && c[n - 1] == '"';
    for (size_t i = q, e = q ? n - 1 : n; i < e; i++) {
        o[k++] = c[i];
        if (q && c[i] == '"' && i + 1 < e && c[i + 1] == '"')
            i++;
    }
    o[k] = '\0';
    return o;
}

static void hh_add(households *H, const char *cid, size_t nid, const char *hid, size_t nh,
                   const char *s, const char *e, int need)
{
    if (H->failed)
        return;
    if (H->n == H->cap) {
        H->cap = H->cap ? H->cap * 2 : 1024;
        hh_rec *nv = realloc(H->v, H->cap * sizeof *nv);
        if (!nv) {
            H->failed = true;
            return;
        }
        H->v = nv;
    }
    const char *a1, *a2, *pc, *co;
    size_t n1 = cell(s, e, 5, &a1), n2 = cell(s, e, 6, &a2), np = cell(s, e, 9, &pc),
           nc = cell(s, e, 10, &co);
    folio_customer c;
    memset(&c, 0, sizeof c);
    c.address1 = unquoted(a1, n1);
    c.address2 = unquoted(a2, n2);
    c.postal_code = unquoted(pc, np);
    c.country = unquoted(co, nc);
    char key[512];
    hh_rec *r = &H->v[H->n];
    r->need = need;
    r->cid = unquoted(cid, nid);
    r->hid = unquoted(hid, nh);
    r->key = NULL;
    if (c.address1 && c.address2 && c.postal_code && c.country) {
        household_address_key(&c, key, sizeof key);
        r->key = strdup(key);
    }
    free((char *)c.address1);
    free((char *)c.address2);
    free((char *)c.postal_code);
    free((char *)c.country);
    if (!r->cid || !r->hid || !r->key) {
        free(r->cid);
        free(r->hid);
        free(r->key);
        H->failed = true;
        return;
    }
    H->n++;
}

/* cust: customer id -> household number; *months: per household number the
 * months before October its statement may cover (the fewest among its
 * customers with a print statement history, that is the day after its
 * latest one), -1 without history.  Frees the records. */
static bool hh_resolve(households *H, smap *cust, int **months)
{
    smap at_key = {0}, num = {0};
    bool ok = !H->failed;
    /* the smallest household id at each address key */
    for (size_t i = 0; ok && i < H->n; i++) {
        hh_rec *r = &H->v[i];
        int o;
        if (!*r->hid)
            continue;
        if (!smap_get(&at_key, r->key, strlen(r->key), &o) || strcmp(r->hid, H->v[o].hid) < 0)
            smap_put(&at_key, r->key, strlen(r->key), (int)i, false);
        ok = !at_key.failed;
    }
    int *m = ok ? malloc((H->n + 1) * sizeof *m) : NULL;
    ok = ok && m;
    int nn = 0;
    char name[600];
    for (size_t i = 0; ok && i < H->n; i++) {
        hh_rec *r = &H->v[i];
        int o, h;
        if (*r->hid)
            snprintf(name, sizeof name, "I%s", r->hid);
        else if (smap_get(&at_key, r->key, strlen(r->key), &o))
            snprintf(name, sizeof name, "I%s", H->v[o].hid);
        else
            snprintf(name, sizeof name, "K%s", r->key);
        if (!smap_get(&num, name, strlen(name), &h)) {
            h = nn;
            m[nn++] = -1;
            smap_put(&num, name, strlen(name), h, false);
        }
        if (r->need >= 0 && (m[h] < 0 || r->need < m[h]))
            m[h] = r->need;
        smap_put(cust, r->cid, strlen(r->cid), h, false);
        ok = !num.failed && !cust->failed;
    }
    for (size_t i = 0; i < H->n; i++) {
        free(H->v[i].cid);
        free(H->v[i].hid);
        free(H->v[i].key);
    }
    free(H->v);
    smap_free(&at_key);
    smap_free(&num);
    if (!ok) {
        free(m);
        m = NULL;
    }
    *months = m;
    return ok;
}

/* ---- the notice sequence and cross-sell by context in the demo ------------- */

static const char NOTICE_PARAS[] =
    "\n  # folio samples --journey (issue 15 part 2): a notice sequence from the\n"
    "  # journey events; the layout prints the first whose condition holds\n"
    "  - id: notice-thanks\n"
    "    version: 1\n"
    "    condition: count(events where type == \"notice\") >= 1 and last(events, \"payment\").date > last(events, \"notice\")\n"
    "    text:\n"
    "      en: \"Thank you for your payment, {customer.first_name}. Your account is up to date.\"\n"
    "      es: \"Gracias por su pago, {customer.first_name}. Su cuenta est\u00e1 al d\u00eda.\"\n"
    "  - id: notice-final\n"
    "    version: 1\n"
    "    condition: count(events where type == \"notice\" and date >= statement.date - 90) >= 2\n"
    "    text:\n"
    "      en: \"Final reminder: your payment is overdue. Please pay the amount due now or call {bank.phone}.\"\n"
    "      es: \"\u00daltimo aviso: su pago est\u00e1 vencido. Pague el importe adeudado ahora o llame al {bank.phone}.\"\n"
    "  - id: notice-second\n"
    "    version: 1\n"
    "    condition: count(events where type == \"notice\") == 1\n"
    "    text:\n"
    "      en: \"Second reminder: we have not received your payment yet. Please pay the amount due or call {bank.phone}.\"\n"
    "      es: \"Segundo aviso: a\u00fan no hemos recibido su pago. Pague el importe adeudado o llame al {bank.phone}.\"\n";

static const char NO_XSELL[] =
    " and not any(events where type in (\"complaint_open\", \"delinquency\"))";

/* The quoted value of `key: "..."` at the start of a line of js (no
 * escapes: folio samples writes plain paths), NULL when absent. */
static char *quoted_value(const char *js, const char *key)
{
    char pat[64];
    snprintf(pat, sizeof pat, "\n%s\"", key);
    const char *p = strstr(js, pat);
    if (!p)
        return NULL;
    p += strlen(pat);
    const char *q = strchr(p, '"');
    if (!q || memchr(p, '\n', (size_t)(q - p)))
        return NULL;
    return strndup(p, (size_t)(q - p));
}

/* b += s with every `from` replaced by `to`; *n = how many */
static void put_replaced(folio_buf *b, const char *s, const char *from, const char *to, int *n)
{
    size_t fl = strlen(from);
    for (const char *p; (p = strstr(s, from)); s = p + fl) {
        folio_buf_append(b, s, (size_t)(p - s));
        folio_buf_puts(b, to);
        (*n)++;
    }
    folio_buf_puts(b, s);
}

/* DIR/journey-layout.yaml (the job's layout with the notice sequence after
 * the summary, its fonts, logo and library made absolute / local),
 * DIR/journey-paragraphs.yaml (the library and the notices) and
 * DIR/journey-offers.yaml (each marketing offer's rule `and not any(events
 * where type in ("complaint_open", "delinquency"))`); *job_out = job text
 * naming them.  A layout or catalogue not shaped like the samples' own
 * (a pattern missing) leaves the job as it is. */
static bool journey_layout(const char *dir, const char *js, folio_buf *job_out,
                           bool *changed, folio_error *err)
{
    *changed = false;
    char *lay = quoted_value(js, "layout: "), *cat = quoted_value(js, "  catalogue: ");
    char *lt = NULL, *pt = NULL, *ct = NULL;
    bool ok = true;
    size_t n;
    if (!lay || !cat)
        goto keep;
    char ld[4096];
    snprintf(ld, sizeof ld, "%s", lay);
    char *slash = strrchr(ld, '/');
    if (slash)
        *slash = '\0';
    else
        snprintf(ld, sizeof ld, ".");
    char pp[4200];
    snprintf(pp, sizeof pp, "%s/paragraphs.yaml", ld);
    folio_error e = {0};
    if (!(lt = slurp(lay, &n, &e)) || !(pt = slurp(pp, &n, &e)) || !(ct = slurp(cat, &n, &e)))
        goto keep;
    folio_buf L, P, C;
    folio_buf_init(&L, (size_t)1 << 26);
    folio_buf_init(&P, (size_t)1 << 26);
    folio_buf_init(&C, (size_t)1 << 26);
    /* the layout: four edits, each where the samples' layout has it */
    char fonts[4200], logo[4200];
    snprintf(fonts, sizeof fonts, "file: %s/../fonts/", ld);
    snprintf(logo, sizeof logo, "file: %s/logo.png", ld);
    int nf = 0, nl = 0, nb = 0, na = 0;
    folio_buf t1, t2, t3;
    folio_buf_init(&t1, (size_t)1 << 26);
    folio_buf_init(&t2, (size_t)1 << 26);
    folio_buf_init(&t3, (size_t)1 << 26);
    put_replaced(&t1, lt, "file: ../fonts/", fonts, &nf);
    folio_buf_putc(&t1, '\0');
    put_replaced(&t2, t1.failed ? "" : t1.data, "file: logo.png", logo, &nl);
    folio_buf_putc(&t2, '\0');
    put_replaced(&t3, t2.failed ? "" : t2.data, "library: paragraphs.yaml",
                 "library: journey-paragraphs.yaml", &nb);
    folio_buf_putc(&t3, '\0');
    put_replaced(&L, t3.failed ? "" : t3.data, "after_summary: [welcome]",
                 "after_summary: [welcome, {first_of: [notice-thanks, notice-final, notice-second]}]",
                 &na);
    folio_buf_free(&t1);
    folio_buf_free(&t2);
    folio_buf_free(&t3);
    folio_buf_puts(&P, pt);
    folio_buf_puts(&P, NOTICE_PARAS);
    /* the catalogue: `rule: '...'` of each offer of kind marketing */
    int nr = 0;
    bool marketing = false;
    for (const char *s = ct; *s;) {
        const char *e2 = strchr(s, '\n');
        size_t len = e2 ? (size_t)(e2 - s) + 1 : strlen(s);
        if (!strncmp(s, "  - id: ", 8))
            marketing = false;
        else if (!strncmp(s, "    kind: marketing", 19))
            marketing = true;
        const char *end = s + len - (e2 ? 1 : 0);
        if (marketing && !strncmp(s, "    rule: '", 11) && end > s + 11 && end[-1] == '\'') {
            folio_buf_puts(&C, "    rule: '(");
            folio_buf_append(&C, s + 11, (size_t)(end - 1 - (s + 11)));
            folio_buf_puts(&C, ")");
            folio_buf_puts(&C, NO_XSELL);
            folio_buf_puts(&C, "'\n");
            nr++;
        } else {
            folio_buf_append(&C, s, len);
        }
        s += len;
    }
    if (nf == 2 && nl == 1 && nb == 1 && na == 1 && nr > 0) {
        char p1[4200], p2[4200], p3[4200];
        snprintf(p1, sizeof p1, "%s/journey-layout.yaml", dir);
        snprintf(p2, sizeof p2, "%s/journey-paragraphs.yaml", dir);
        snprintf(p3, sizeof p3, "%s/journey-offers.yaml", dir);
        ok = !L.failed && !P.failed && !C.failed;
        if (!ok)
            folio_error_set(err, FOLIO_EXIT_FAILED, "out of memory writing the journey layout");
        ok = ok && folio_write_file_atomic(p1, L.data, L.len, err) &&
             folio_write_file_atomic(p2, P.data, P.len, err) &&
             folio_write_file_atomic(p3, C.data, C.len, err);
        if (ok) {
            char from[4200], to[64];
            int k = 0;
            folio_buf j1;
            folio_buf_init(&j1, (size_t)1 << 30);
            snprintf(from, sizeof from, "layout: \"%s\"", lay);
            put_replaced(&j1, js, from, "layout: \"journey-layout.yaml\"", &k);
            folio_buf_putc(&j1, '\0');
            snprintf(from, sizeof from, "catalogue: \"%s\"", cat);
            snprintf(to, sizeof to, "catalogue: \"journey-offers.yaml\"");
            put_replaced(job_out, j1.failed ? "" : j1.data, from, to, &k);
            folio_buf_free(&j1);
            *changed = k == 2;
        }
    }
    folio_buf_free(&L);
    folio_buf_free(&P);
    folio_buf_free(&C);
keep:
    free(lay);
    free(cat);
    free(lt);
    free(pt);
    free(ct);
    return ok;
}

bool samples_journey(const char *dir, uint64_t seed, folio_error *err)
{
    char path[4200], job[4200];
    snprintf(path, sizeof path, "%s/customers.csv", dir);
    size_t len;
    char *cs = slurp(path, &len, err);
    if (!cs)
        return false;
    snprintf(job, sizeof job, "%s/job.yaml", dir);
    size_t jlen;
    char *js = slurp(job, &jlen, err);
    if (!js) {
        free(cs);
        return false;
    }
    folio_buf fq, ev;
    folio_buf_init(&fq, (size_t)1 << 34);
    folio_buf_init(&ev, (size_t)1 << 34);
    folio_buf_puts(&fq, "customer_id,paper_frequency,email_frequency\n");
    folio_buf_puts(&ev, "key,type,date,channel\n");
    households hhs = {0};
    const char *s = strchr(cs, '\n');
    for (s = s ? s + 1 : cs + len; s < cs + len;) {
        const char *e = rec_end(s, cs + len);
        const char *id, *hid, *dl;
        size_t nid = cell(s, e, 0, &id), nh = cell(s, e, 1, &hid), nd = cell(s, e, 13, &dl);
        const char *rs = s;
        s = e + 1;
        if (!nid || nid > 60)
            continue;
        char cid[64];
        memcpy(cid, id, nid);
        cid[nid] = '\0';
        uint64_t r = hash_id(seed, cid, 1);
        int paper = r % 100 < 70 ? 0 : r % 100 < 90 ? 1 : r % 100 < 96 ? 2 : 3;
        int email = (r >> 8) % 100 < 90 ? 0 : 1;
        folio_buf_printf(&fq, "%s,%s,%s\n", cid, FREQ[paper], FREQ[email]);
        bool prints = (nd == 5 && !memcmp(dl, "print", 5)) || (nd == 4 && !memcmp(dl, "both", 4));
        int need = -1;                /* months before October, -1: no history */
        if (prints && paper > 0) {
            /* the last print statement 1..N months before October 2026 */
            int back = 1 + (int)((r >> 16) % (uint64_t)MONTHS[paper]);
            int m = 10 - back, y = 2026;
            while (m < 1) {
                m += 12;
                y--;
            }
            folio_buf_printf(&ev, "%s,statement,%04d-%02d-%02d,print\n", cid, y, m, MDAYS[m - 1]);
            need = back - 1;          /* from the day after it to September 30 */
        }
        uint64_t j = hash_id(seed, cid, 2);
        if (j % 100 < 8) {          /* a reminder in September */
            folio_buf_printf(&ev, "%s,notice,2026-09-%02d,print\n", cid, 10 + (int)((j >> 8) % 15));
            int what = (int)((j >> 16) % 3);
            if (what == 0)          /* paid after it: the thank-you variant */
                folio_buf_printf(&ev, "%s,payment,2026-10-%02d,\n", cid, 1 + (int)((j >> 24) % 20));
            else if (what == 1)     /* a second reminder in October */
                folio_buf_printf(&ev, "%s,notice,2026-10-%02d,print\n", cid, 5 + (int)((j >> 24) % 15));
        }
        if ((j >> 32) % 100 < 3 && nh) {
            char h[64];
            size_t k = nh < sizeof h ? nh : sizeof h - 1;
            memcpy(h, hid, k);
            h[k] = '\0';
            folio_buf_printf(&ev, "%s,complaint_open,2026-10-%02d,\n", h, 1 + (int)((j >> 40) % 28));
        }
        if ((j >> 48) % 100 < 2)
            folio_buf_printf(&ev, "%s,delinquency,2026-10-15,\n", cid);
        if ((j >> 56) % 100 < 4)
            folio_buf_printf(&ev, "%s,address_changed,2026-%02d-%02d,\n", cid,
                             8 + (int)((j >> 20) % 3), 1 + (int)((j >> 28) % 28));
        hh_add(&hhs, cid, nid, hid, nh, rs, e, need);
    }
    free(cs);
    /* the months before October the due households' statements cover */
    static const char *const PRODUCT[] = {"checking", "savings", "credit_card", "mortgage"};
    uint64_t hist_rows = 0;
    smap cust = {0};
    int *hmonths = NULL;
    bool hok = hh_resolve(&hhs, &cust, &hmonths);
    if (!hok)
        folio_error_set(err, FOLIO_EXIT_FAILED, "out of memory reading %s", path);
    for (int k = 0; hok && k < 4; k++)
        hok = history_product(dir, PRODUCT[k], k, &cust, hmonths, &hist_rows, err);
    smap_free(&cust);
    free(hmonths);
    /* job.yaml: the two feeds at the head of feeds:, the sections at the end */
    const char *f = strstr(js, "\nfeeds:\n");
    folio_buf jb;
    folio_buf_init(&jb, (size_t)1 << 30);
    bool ok = hok && f != NULL;
    if (ok) {
        size_t at = (size_t)(f - js) + 8;
        folio_buf_append(&jb, js, at);
        folio_buf_puts(&jb, JOB_FEEDS);
        folio_buf_append(&jb, js + at, jlen - at);
        folio_buf_puts(&jb, JOB_TAIL);
    } else if (hok) {
        folio_error_set(err, FOLIO_EXIT_FAILED, "%s: no feeds: section", job);
    }
    free(js);
    if (fq.failed || ev.failed || jb.failed) {
        ok = false;
        folio_error_set(err, FOLIO_EXIT_FAILED, "out of memory writing journey samples");
    }
    /* the demo shows the notice sequence and no cross-sell by context */
    folio_buf jl;
    folio_buf_init(&jl, (size_t)1 << 30);
    bool changed = false;
    if (ok) {
        folio_buf_putc(&jb, '\0');
        jb.len--;
        ok = !jb.failed && journey_layout(dir, jb.data, &jl, &changed, err);
    }
    if (ok && changed && !jl.failed) {
        folio_buf t = jb;
        jb = jl;
        jl = t;
    }
    folio_buf_free(&jl);
    char p1[4200], p2[4200];
    snprintf(p1, sizeof p1, "%s/frequency.csv", dir);
    snprintf(p2, sizeof p2, "%s/events.csv", dir);
    ok = ok && folio_write_file_atomic(p1, fq.data, fq.len, err) &&
         folio_write_file_atomic(p2, ev.data, ev.len, err) &&
         folio_write_file_atomic(job, jb.data, jb.len, err);
    folio_buf_free(&fq);
    folio_buf_free(&ev);
    folio_buf_free(&jb);
    return ok;
}
