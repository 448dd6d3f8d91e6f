/* SPDX-License-Identifier: Apache-2.0 */
/*
 * samples-uplift.c -- issue 15 part 5 (responses): `folio samples` also
 * writes last cycle's campaign with a planted effect, so the demo measures it:
 *
 *   offer_history.csv  a contacts feed: every sample household was part of
 *                      the SAV-RATE campaign of 2026-10-01 -- 10% held out
 *                      (channel holdout), the rest 50/50 variants A and B;
 *   responses.csv      a responses feed: each household responds with a
 *                      planted probability -- holdout 5%, A 3% (true uplift
 *                      -2 points), B 8% (true uplift +3 points) -- 0 to 27
 *                      days after the contact; plus responses that must not
 *                      be attributed (45 days late, unknown household);
 *   uplift.yaml        job.yaml with those two feeds instead of its contacts
 *                      feed, and offers.uplift
 *                      (attribution_days 30, retire_below_control) and a
 *                      household_cap, for `folio report uplift` and `folio run`.
 *
 * Pseudo-random from the samples seed (splitmix64 per household): the same
 * seed gives the same files.  tests/e2e/uplift.sh checks the planted effect.
 */
#include "samples-private.h"

#include "folio/common.h"

#include <stdio.h>
#include <string.h>

static uint64_t mix(uint64_t x)
{
    x += 0x9e3779b97f4a7c15ull;
    x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ull;
    x = (x ^ (x >> 27)) * 0x94d049bb133111ebull;
    return x ^ (x >> 31);
}

/* per mille: holdout, A, B (docs/offers.md "The uplift demo") */
static const int RATE_PM[3] = {50, 30, 80};
static const char *const GROUP[3] = {"holdout", "A", "B"};
static const char *const OUTCOMES[3] = {"clicked", "applied", "opened_account"};

static void put_key(folio_buf *b, uint64_t num)
{
    char k[24];
    snprintf(k, sizeof k, "H%09llu", (unsigned long long)num);
    folio_buf_puts(b, k);
}

static void put_date(folio_buf *b, folio_date d)
{
    char s[16];
    size_t n = folio_date_format(d, "YYYY-MM-DD", s, sizeof s);
    folio_buf_append(b, s, n);
}

bool samples_uplift_write(const char *out_dir, const char *job_text, size_t job_len,
                          uint64_t seed, uint64_t households, uint64_t (*hh_number)(uint64_t),
                          folio_error *err)
{
    folio_date d0;
    folio_date_from_ymd(2026, 10, 1, &d0);
    folio_buf hist, resp, job;
    folio_buf_init(&hist, (size_t)1 << 34);
    folio_buf_init(&resp, (size_t)1 << 34);
    folio_buf_init(&job, (size_t)1 << 24);
    folio_buf_puts(&hist, "contact_key,offer_id,contact_date,variant,channel\n");
    folio_buf_puts(&resp, "household_id,offer_id,variant,response_date,outcome\n");
    for (uint64_t h = 0; h < households; h++) {
        uint64_t r = mix(seed ^ mix(h ^ 0x75706c696674ull));   /* "uplift" */
        unsigned g0 = (unsigned)(r % 10000u);
        int g = g0 < 1000 ? 0 : g0 < 5500 ? 1 : 2;
        uint64_t num = hh_number(h);
        put_key(&hist, num);
        folio_buf_puts(&hist, ",SAV-RATE,");
        put_date(&hist, d0);
        folio_buf_puts(&hist, g ? (g == 1 ? ",A,print\n" : ",B,print\n") : ",,holdout\n");
        uint64_t r2 = mix(r);
        bool responds = (int)(r2 % 1000u) < RATE_PM[g];
        bool late = !responds && (r2 >> 20) % 250u == 0;
        if (!responds && !late)
            continue;
        put_key(&resp, num);
        folio_buf_puts(&resp, ",SAV-RATE,");
        folio_buf_puts(&resp, GROUP[g]);
        folio_buf_putc(&resp, ',');
        put_date(&resp, d0 + (late ? 45 : (folio_date)((r2 >> 32) % 28u)));
        folio_buf_putc(&resp, ',');
        folio_buf_puts(&resp, OUTCOMES[(r2 >> 40) % 3u]);
        folio_buf_putc(&resp, '\n');
    }
    /* a response from a household the campaign never reached */
    folio_buf_puts(&resp, "H999999999,SAV-RATE,A,2026-10-05,clicked\n");

    /* uplift.yaml: job.yaml with the two feeds before offers: / output: */
    const char *at = strstr(job_text, "\noffers:\n");
    bool has_offers = at != NULL;
    if (!at)
        at = strstr(job_text, "\noutput:\n");
    if (!at)
        at = job_text + job_len;
    folio_buf_puts(&job, "# uplift.yaml: job.yaml plus last cycle's campaign and its responses\n"
                         "# (issue 15; docs/offers.md \"Measured uplift\").\n");
    /* without job.yaml's own contacts feed: its rows carry no variant, and
     * the campaign below is the history this demo measures */
    const char *cf = strstr(job_text, "  - name: contacts\n    kind: contacts\n");
    if (cf && cf < at) {
        folio_buf_append(&job, job_text, (size_t)(cf - job_text));
        const char *next = strstr(cf + 1, "  - name: ");
        if (next && next < at)
            folio_buf_append(&job, next, (size_t)(at - next));
    } else {
        folio_buf_append(&job, job_text, (size_t)(at - job_text));
    }
    folio_buf_puts(&job, "  - name: offer-history\n    kind: contacts\n    path: offer_history.csv\n"
                         "    columns:\n      contact_key: contact_key\n      offer_id: offer_id\n"
                         "      contact_date: contact_date\n      variant: variant\n"
                         "      channel: channel\n"
                         "  - name: responses\n    kind: responses\n    path: responses.csv\n"
                         "    columns:\n      response_key: household_id\n      offer_id: offer_id\n"
                         "      variant: variant\n      response_date: response_date\n"
                         "      outcome: outcome\n");
    const char *rest = at;
    if (has_offers) {
        const char *end = strstr(at + 1, "\n\n");
        const char *out = strstr(at + 1, "\noutput:\n");
        if (!end || (out && out < end))
            end = out;
        if (!end)
            end = job_text + job_len;
        folio_buf_append(&job, at, (size_t)(end - at));
        folio_buf_puts(&job, "\n  household_cap: {times: 3, days: 90}\n"
                             "  uplift: {attribution_days: 30, retire_below_control: true}");
        rest = end;
    }
    folio_buf_append(&job, rest, (size_t)(job_text + job_len - rest));

    bool ok = !hist.failed && !resp.failed && !job.failed;
    if (!ok)
        folio_error_set(err, FOLIO_EXIT_FAILED, "samples: out of memory");
    char path[4200];
    static const char *const names[3] = {"offer_history.csv", "responses.csv", "uplift.yaml"};
    folio_buf *bufs[3] = {&hist, &resp, &job};
    for (int i = 0; ok && i < 3; i++) {
        snprintf(path, sizeof path, "%s/%s", out_dir, names[i]);
        ok = folio_write_file_atomic(path, bufs[i]->data, bufs[i]->len, err);
    }
    folio_buf_free(&hist);
    folio_buf_free(&resp);
    folio_buf_free(&job);
    return ok;
}
