/* SPDX-License-Identifier: Apache-2.0 */
/*
 * household.c -- customers and accounts grouped into households.
 *
 * Address key (household_address_key): each part is decoded as UTF-8, Latin
 * letters with accents are folded to ASCII (é->E, ü->U, ł->L, ß->SS, æ->AE),
 * letters upper-cased; apostrophes vanish ("O'Neil" -> ONEIL), every other
 * ASCII punctuation mark separates words; '#' is the word APT.  Words are
 * joined by one space after abbreviating street types and directions the way
 * USPS Publication 28 does (STREET->ST, AVENUE->AVE, ROAD->RD, DRIVE->DR,
 * BOULEVARD->BLVD, LANE->LN, COURT->CT, PLACE->PL, TERRACE->TER,
 * CIRCLE->CIR, PARKWAY->PKWY, HIGHWAY->HWY, SQUARE->SQ, NORTH->N, SOUTH->S,
 * EAST->E, WEST->W, APARTMENT->APT, SUITE->STE); "APT APT" (from "Apt #4")
 * becomes one APT.  The postal code keeps letters and digits only; a US
 * ZIP+4 ("04101-1234") becomes its 5 digits.  USA / United States -> US.
 * Key = address1 "|" address2 "|" postal "|" country.
 *
 * household_group: a customer with a household id is in that household.  An
 * id-less customer joins the household of a customer with an id at the same
 * address key (the bytewise smallest such id, when several), else the
 * id-less customers of one key form household "A-" + 16 hex of SHA-256(key).
 * Everything is sorted on content (ids, feed, line, product order, account
 * ids), never on input position, so the result is the same for any input
 * order and thread count.
 */
#include "folio/household.h"
#include "plan-sort.h"          /* issue 11 (round 29): sorts on every thread */

#include <stdlib.h>
#include <string.h>

#define KEY_MAX 512

/* ---- normalisation -------------------------------------------------------------- */

/* ASCII fold of U+00C0..U+00FF ('.' = separator, lower-case codes = two
 * letters: a=AE, t=TH, s=SS). */
static const char fold_latin1[64] =
    "AAAAAAaCEEEEIIIIDNOOOOO.OUUUUYts"
    "AAAAAAaCEEEEIIIIDNOOOOO.OUUUUYtY";
/* U+0100..U+017F (i = IJ, o = OE). */
static const char fold_latin_a[128] =
    "AAAAAACCCCCCCCDDDDEEEEEEEEEEGGGGGGGGHHHHIIIIIIIIIIiiJJKKKLLLLLLL"
    "LLLNNNNNNNNNOOOOOOooRRRRRRSSSSSSSSTTTTTTUUUUUUUUUUUUWWYYYZZZZZZS";

typedef struct keybuf {
    char *p;
    size_t len, cap;
} keybuf;

static void kb_put(keybuf *k, const char *s, size_t n)
{
    if (k->cap == 0)
        return;
    if (k->len + n >= k->cap)
        n = k->cap - 1 - k->len;
    memcpy(k->p + k->len, s, n);
    k->len += n;
    k->p[k->len] = 0;
}

static const char *const abbrev[][2] = {
    {"STREET", "ST"}, {"AVENUE", "AVE"}, {"AV", "AVE"}, {"ROAD", "RD"},
    {"DRIVE", "DR"}, {"BOULEVARD", "BLVD"}, {"LANE", "LN"}, {"COURT", "CT"},
    {"PLACE", "PL"}, {"TERRACE", "TER"}, {"CIRCLE", "CIR"}, {"PARKWAY", "PKWY"},
    {"HIGHWAY", "HWY"}, {"SQUARE", "SQ"}, {"NORTH", "N"}, {"SOUTH", "S"},
    {"EAST", "E"}, {"WEST", "W"}, {"APARTMENT", "APT"}, {"SUITE", "STE"},
};

typedef struct words {
    keybuf *out;
    char w[128];
    size_t wl;
    bool any;          /* a word was written */
    bool last_apt;     /* the last word written was APT */
    bool abbreviate;
} words;

static void word_end(words *ws)
{
    if (!ws->wl)
        return;
    const char *s = ws->w;
    size_t n = ws->wl;
    if (ws->abbreviate)
        for (size_t i = 0; i < sizeof abbrev / sizeof abbrev[0]; i++)
            if (strlen(abbrev[i][0]) == n && !memcmp(abbrev[i][0], s, n)) {
                s = abbrev[i][1];
                n = strlen(s);
                break;
            }
    bool apt = n == 3 && !memcmp(s, "APT", 3);
    if (!(apt && ws->last_apt)) {
        if (ws->any)
            kb_put(ws->out, " ", 1);
        kb_put(ws->out, s, n);
        ws->any = true;
    }
    ws->last_apt = apt;
    ws->wl = 0;
}

static void word_add(words *ws, const char *s, size_t n)
{
    if (ws->wl + n < sizeof ws->w) {
        memcpy(ws->w + ws->wl, s, n);
        ws->wl += n;
    }
}

static void norm_part(const char *s, keybuf *out, bool abbreviate)
{
    words ws = {.out = out, .abbreviate = abbreviate};
    size_t n = s ? strlen(s) : 0, i = 0;
    while (i < n) {
        unsigned char c = (unsigned char)s[i];
        if (c < 0x80) {
            i++;
            if (c >= 'a' && c <= 'z')
                c = (unsigned char)(c - 'a' + 'A');
            if ((c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')) {
                char ch = (char)c;
                word_add(&ws, &ch, 1);
            } else if (c == '\'') {
                /* O'Neil -> ONEIL */
            } else if (c == '#') {
                word_end(&ws);
                word_add(&ws, "APT", 3);
                word_end(&ws);
            } else {
                word_end(&ws);
            }
            continue;
        }
        uint32_t cp;
        size_t bad;
        int k;
        if (!folio_utf8_valid(s + i, n - i < 4 ? n - i : 4, &bad) && bad == 0) {
            i++;                             /* stray byte: drop it */
            continue;
        }
        k = folio_utf8_next(s + i, n - i, &cp);
        if (k <= 0)
            k = 1;
        char f = 0;
        if (cp >= 0xC0 && cp <= 0xFF)
            f = fold_latin1[cp - 0xC0];
        else if (cp >= 0x100 && cp <= 0x17F)
            f = fold_latin_a[cp - 0x100];
        if (f == '.') {
            word_end(&ws);
        } else if (f == 'a') {
            word_add(&ws, "AE", 2);
        } else if (f == 't') {
            word_add(&ws, "TH", 2);
        } else if (f == 's') {
            word_add(&ws, "SS", 2);
        } else if (f == 'i') {
            word_add(&ws, "IJ", 2);
        } else if (f == 'o') {
            word_add(&ws, "OE", 2);
        } else if (f) {
            word_add(&ws, &f, 1);
        } else if (cp == 0x2019 || cp == 0x2018) {
            /* typographic apostrophe: dropped like ' */
        } else if (cp == 0xA0 || (cp >= 0x2000 && cp <= 0x206F) || cp == 0x3000) {
            word_end(&ws);                   /* spaces, dashes, general punctuation */
        } else {
            word_add(&ws, s + i, (size_t)k); /* other scripts: kept as is */
        }
        i += (size_t)k;
    }
    word_end(&ws);
}

static bool us_country(const char *c)
{
    return !*c || !strcmp(c, "US") || !strcmp(c, "USA") || !strcmp(c, "U S A") ||
           !strcmp(c, "U S") || !strcmp(c, "UNITED STATES") ||
           !strcmp(c, "UNITED STATES OF AMERICA");
}

size_t household_address_key(const folio_customer *c, char *buf, size_t cap)
{
    keybuf k = {buf, 0, cap};
    if (cap)
        buf[0] = 0;
    norm_part(c->address1, &k, true);
    kb_put(&k, "|", 1);
    norm_part(c->address2, &k, true);
    kb_put(&k, "|", 1);

    char country[64];
    keybuf ck = {country, 0, sizeof country};
    country[0] = 0;
    norm_part(c->country, &ck, false);
    bool us = us_country(country);
    if (us && *country)
        strcpy(country, "US");

    char postal[32];
    size_t pl = 0;
    const char *p = c->postal_code ? c->postal_code : "";
    for (; *p && pl < sizeof postal - 1; p++) {
        char ch = *p;
        if (ch >= 'a' && ch <= 'z')
            ch = (char)(ch - 'a' + 'A');
        if ((ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9'))
            postal[pl++] = ch;
    }
    postal[pl] = 0;
    if (us && pl == 9 && strspn(postal, "0123456789") == 9)
        postal[5] = 0, pl = 5;               /* ZIP+4 -> ZIP */
    kb_put(&k, postal, strlen(postal));
    kb_put(&k, "|", 1);
    kb_put(&k, country, strlen(country));
    return k.len;
}

/* ---- shared accounts (issue 10 part 2) ------------------------------------------- */

typedef struct cust_key {
    const char *hid;        /* household id (given or derived) */
    const char *addr;       /* address key */
    bool derived;
    uint8_t by;             /* FOLIO_HH_BY_* */
} cust_key;


static uint32_t uf_find(uint32_t *parent, uint32_t i)
{
    while (parent[i] != i) {
        parent[i] = parent[parent[i]];     /* path halving */
        i = parent[i];
    }
    return i;
}

/* Union by the smaller index as root: the result is a function of the set
 * of links, not of their order. */
static void uf_union(uint32_t *parent, uint32_t a, uint32_t b)
{
    a = uf_find(parent, a);
    b = uf_find(parent, b);
    if (a < b)
        parent[b] = a;
    else if (b < a)
        parent[a] = b;
}

/* Customers without a household id who share an account (owner and holders,
 * through any chain of accounts) get one household: the bytewise smallest
 * household id given to a member of the chain, else "S-" + 16 hex digits of
 * SHA-256 of the bytewise smallest member id.  Returns false on OOM. */
static bool group_shared(const folio_dataset *ds, cust_key *ck, char *ids)
{
    const size_t n = ds->n_customers;
    if (!ds->n_holders)
        return true;
    uint32_t *parent = malloc((n + 1) * sizeof *parent);
    uint32_t *size = calloc(n + 1, sizeof *size);
    const char **best_hid = calloc(n + 1, sizeof *best_hid);
    const char **min_id = calloc(n + 1, sizeof *min_id);
    bool ok = parent && size && best_hid && min_id;
    for (size_t i = 0; ok && i < n; i++)
        parent[i] = (uint32_t)i;
    for (size_t i = 0; ok && i < ds->n_holders; i++) {
        const folio_holder *h = &ds->holders[i];
        if (h->account < ds->n_accounts && h->customer < n &&
            ds->accounts[h->account].owner < n)
            uf_union(parent, h->customer, ds->accounts[h->account].owner);
    }
    for (size_t i = 0; ok && i < n; i++) {
        uint32_t r = uf_find(parent, (uint32_t)i);
        size[r]++;
        if (!ck[i].derived) {
            if (!best_hid[r] || strcmp(ck[i].hid, best_hid[r]) < 0)
                best_hid[r] = ck[i].hid;
        } else if (!min_id[r] || strcmp(ds->customers[i].id, min_id[r]) < 0) {
            min_id[r] = ds->customers[i].id;
        }
    }
    for (size_t i = 0; ok && i < n; i++) {
        uint32_t r = uf_find(parent, (uint32_t)i);
        if (size[r] < 2 || !ck[i].derived)
            continue;
        if (best_hid[r]) {
            ck[i].hid = best_hid[r];
            ck[i].derived = false;
            ck[i].by = FOLIO_HH_BY_ID;
            continue;
        }
        char *id = ids + i * 19;
        if (ck[r].by != FOLIO_HH_BY_SHARED || r == i) {
            char hex[65];
            folio_sha256_hex(min_id[r], strlen(min_id[r]), hex);
            id[0] = 'S';
            id[1] = '-';
            memcpy(id + 2, hex, 16);
            id[18] = 0;
        } else {
            memcpy(id, ck[r].hid, 19);
        }
        ck[i].hid = id;
        ck[i].by = FOLIO_HH_BY_SHARED;
    }
    free(parent);
    free(size);
    free(best_hid);
    free(min_id);
    return ok;
}

/* ---- grouping --------------------------------------------------------------------- */

typedef struct group_ctx {
    const folio_dataset *ds;
    const cust_key *ck;
    const uint32_t *hh_of_cust;
    const char *const *product_order;
    int n_products;
} group_ctx;

/* (address key, household id) of customers holding an id */
static int cmp_addr_id(const void *a, const void *b, void *arg)
{
    const cust_key *ck = arg;
    const cust_key *x = &ck[*(const uint32_t *)a], *y = &ck[*(const uint32_t *)b];
    int c = strcmp(x->addr, y->addr);
    return c ? c : strcmp(x->hid, y->hid);
}

static int cmp_cust_hh(const void *a, const void *b, void *arg)
{
    const group_ctx *g = arg;
    uint32_t i = *(const uint32_t *)a, j = *(const uint32_t *)b;
    int c = strcmp(g->ck[i].hid, g->ck[j].hid);
    if (c)
        return c;
    const folio_customer *x = &g->ds->customers[i], *y = &g->ds->customers[j];
    if (x->feed != y->feed)
        return x->feed < y->feed ? -1 : 1;
    if (x->line != y->line)
        return x->line < y->line ? -1 : 1;
    return strcmp(x->id, y->id);
}

static int product_rank(const group_ctx *g, const char *code)
{
    for (int i = 0; i < g->n_products; i++)
        if (g->product_order[i] && !strcmp(g->product_order[i], code))
            return i;
    return g->n_products;
}

static int cmp_acct_hh(const void *a, const void *b, void *arg)
{
    const group_ctx *g = arg;
    const folio_account *x = &g->ds->accounts[*(const uint32_t *)a];
    const folio_account *y = &g->ds->accounts[*(const uint32_t *)b];
    uint32_t hx = g->hh_of_cust[x->owner], hy = g->hh_of_cust[y->owner];
    if (hx != hy)
        return hx < hy ? -1 : 1;
    int rx = product_rank(g, x->product), ry = product_rank(g, y->product);
    if (rx != ry)
        return rx < ry ? -1 : 1;
    int c = rx == g->n_products ? strcmp(x->product, y->product) : 0;
    return c ? c : strcmp(x->id, y->id);
}

/* first index in sorted[0..n) whose address key is >= key */
static size_t lower_bound_addr(const uint32_t *sorted, size_t n, const cust_key *ck,
                               const char *key)
{
    size_t lo = 0, hi = n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (strcmp(ck[sorted[mid]].addr, key) < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

bool household_group(const folio_dataset *ds, const char *const *product_order,
                     int n_products, folio_households *out, folio_error *err)
{
    memset(out, 0, sizeof *out);
    const size_t n = ds->n_customers;
    cust_key *ck = calloc(n + 1, sizeof *ck);
    char *addr = malloc((n + 1) * 160);       /* address keys, truncated at 159 */
    uint32_t *with_id = malloc((n + 1) * sizeof *with_id);
    uint32_t *order = malloc((n + 1) * sizeof *order);
    uint32_t *hh_of = malloc((n + 1) * sizeof *hh_of);
    uint32_t *acc = malloc((ds->n_accounts + 1) * sizeof *acc);
    out->ids = malloc((n + 1) * 19);
    out->customer_idx = malloc((n + 1) * sizeof *out->customer_idx);
    out->v = calloc(n + 1, sizeof *out->v);
    out->by = calloc(n + 1, 1);
    out->account_idx = malloc((ds->n_accounts + 1) * sizeof *out->account_idx);
    bool ok = false;
    if (!ck || !addr || !with_id || !order || !hh_of || !acc || !out->ids ||
        !out->customer_idx || !out->v || !out->account_idx || !out->by) {
        folio_error_set(err, FOLIO_EXIT_FAILED, "out of memory while grouping households");
        goto out;
    }

    /* address keys (long keys are hashed into the derived id in full) */
#pragma omp parallel for schedule(static)
    for (size_t i = 0; i < n; i++) {
        const folio_customer *c = &ds->customers[i];
        char full[KEY_MAX];
        size_t kl = household_address_key(c, full, sizeof full);
        char *a = addr + i * 160;
        memcpy(a, full, kl < 159 ? kl : 159);
        a[kl < 159 ? kl : 159] = 0;
        ck[i].addr = a;
        if (c->household_id && *c->household_id) {
            ck[i].hid = c->household_id;
        } else {
            /* no street, no postal code: nothing to group by (an empty key
             * would put every such customer in one household) */
            bool none = !strncmp(full, "|||", 3);
            char hex[65];
            if (none)
                folio_sha256_hex(c->id, strlen(c->id), hex);
            else
                folio_sha256_hex(full, kl, hex);
            char *id = out->ids + i * 19;
            id[0] = none ? 'C' : 'A';
            id[1] = '-';
            memcpy(id + 2, hex, 16);
            id[18] = 0;
            ck[i].hid = id;
            ck[i].derived = true;
            ck[i].by = none ? FOLIO_HH_BY_CUSTOMER : FOLIO_HH_BY_ADDRESS;
        }
    }
    if (!group_shared(ds, ck, out->ids)) {
        folio_error_set(err, FOLIO_EXIT_FAILED, "out of memory while grouping households");
        goto out;
    }
    /* id-less customers join an id holder at the same address */
    size_t nw = 0;
    for (size_t i = 0; i < n; i++)
        if (!ck[i].derived)
            with_id[nw++] = (uint32_t)i;
    if (!plan_sort(with_id, nw, sizeof *with_id, cmp_addr_id, ck, 0))
        goto sort_oom;
    /* each reads only id holders' keys, which this loop never changes */
#pragma omp parallel for schedule(static)
    for (size_t i = 0; i < n; i++) {
        if (!ck[i].derived || ck[i].by != FOLIO_HH_BY_ADDRESS)
            continue;
        size_t lb = lower_bound_addr(with_id, nw, ck, ck[i].addr);
        if (lb < nw && !strcmp(ck[with_id[lb]].addr, ck[i].addr)) {
            ck[i].hid = ck[with_id[lb]].hid;      /* smallest id at the key */
            ck[i].derived = false;
            ck[i].by = FOLIO_HH_BY_ID;
        }
    }
    /* customers sorted by (household id, feed, line) form the households */
    for (size_t i = 0; i < n; i++)
        order[i] = (uint32_t)i;
    group_ctx g = {ds, ck, hh_of, product_order, n_products};
    if (!plan_sort(order, n, sizeof *order, cmp_cust_hh, &g, 0))
        goto sort_oom;
    size_t nh = 0;
    for (size_t k = 0; k < n; k++) {
        uint32_t i = order[k];
        if (nh == 0 || strcmp(out->v[nh - 1].id, ck[i].hid) != 0) {
            folio_household *h = &out->v[nh++];
            h->id = ck[i].hid;
            h->derived = ck[i].derived;
            out->by[nh - 1] = ck[i].by;
            h->first_customer = (uint32_t)k;
            h->n_customers = 0;
        }
        out->v[nh - 1].n_customers++;
        out->customer_idx[k] = i;
        hh_of[i] = (uint32_t)(nh - 1);
    }
    out->n = nh;

    /* accounts by (household, product order, product code, account id) */
    size_t na = 0;
    for (size_t a = 0; a < ds->n_accounts; a++)
        if (ds->accounts[a].owner < n)
            acc[na++] = (uint32_t)a;
    if (!plan_sort(acc, na, sizeof *acc, cmp_acct_hh, &g, 0))
        goto sort_oom;
    for (size_t k = 0; k < na; k++) {
        uint32_t h = hh_of[ds->accounts[acc[k]].owner];
        folio_household *hh = &out->v[h];
        if (hh->n_accounts == 0)
            hh->first_account = (uint32_t)k;
        hh->n_accounts++;
        out->account_idx[k] = acc[k];
    }
    for (size_t h = 0; h < nh; h++)
        if (out->v[h].n_accounts == 0)
            out->v[h].first_account = (uint32_t)na;
    ok = true;
    goto out;
sort_oom:
    folio_error_set(err, FOLIO_EXIT_FAILED, "out of memory while grouping households");
out:
    free(ck);
    free(addr);
    free(with_id);
    free(order);
    free(hh_of);
    free(acc);
    if (!ok)
        household_free(out);
    return ok;
}

const char *household_by_name(int by)
{
    switch (by) {
    case FOLIO_HH_BY_SHARED: return "shared_accounts";
    case FOLIO_HH_BY_ADDRESS: return "address";
    case FOLIO_HH_BY_CUSTOMER: return "customer";
    default: return "id";
    }
}

void household_free(folio_households *hs)
{
    if (!hs)
        return;
    free(hs->v);
    free(hs->customer_idx);
    free(hs->account_idx);
    free(hs->ids);
    free(hs->by);
    memset(hs, 0, sizeof *hs);
}
