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
 */
#include "folio/samples.h"

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
    const char *s = strchr(cs, '\n');
    for (s = s ? s + 1 : cs + len; s < cs + len;) {
        const char *e = strchr(s, '\n');
        if (!e)
            e = cs + len;
        const char *id, *hid, *dl;
        size_t nid = cell(s, e, 0, &id), nh = cell(s, e, 1, &hid), nd = cell(s, e, 13, &dl);
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
        if (prints && paper > 0) {
            /* the last print statement 1..N months before October 2026 */
            int back = 1 + (int)((r >> 16) % (uint64_t)MONTHS[paper]);
            int m = 10 - back, y = 2026;
            while (m < 1) {
                m += 12;
                y--;
            }
            folio_buf_printf(&ev, "%s,statement,%04d-%02d-%02d,print\n", cid, y, m, MDAYS[m - 1]);
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
    }
    free(cs);
    /* job.yaml: the two feeds at the head of feeds:, the sections at the end */
    const char *f = strstr(js, "\nfeeds:\n");
    folio_buf jb;
    folio_buf_init(&jb, (size_t)1 << 30);
    bool ok = f != NULL;
    if (ok) {
        size_t at = (size_t)(f - js) + 8;
        folio_buf_append(&jb, js, at);
        folio_buf_puts(&jb, JOB_FEEDS);
        folio_buf_append(&jb, js + at, jlen - at);
        folio_buf_puts(&jb, JOB_TAIL);
    } else {
        folio_error_set(err, FOLIO_EXIT_FAILED, "%s: no feeds: section", job);
    }
    free(js);
    if (fq.failed || ev.failed || jb.failed) {
        ok = false;
        folio_error_set(err, FOLIO_EXIT_FAILED, "out of memory writing journey samples");
    }
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
