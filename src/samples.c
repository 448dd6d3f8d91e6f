/* SPDX-License-Identifier: Apache-2.0 */
/*
 * samples.c -- `folio samples`: realistic synthetic feeds and a job file.
 *
 * Interface: samples_generate() (include/folio/samples.h).
 *
 * Algorithm.  Household h (0-based) is generated from its own PRNG stream,
 * seeded from (seed, h) with splitmix64, so its rows depend on nothing but
 * (seed, h).  Identifiers are bijections of h, never counters:
 *   customer  "C" + 9 digits  = P(3h + k) over [0, 10^9)      (k < 3)
 *   household "H" + 9 digits  = P'(h) over [0, 10^9)
 *   account   12 digits       = 10^11 + P''(5h + slot) over [0, 9*10^11)
 * (P: a small Feistel permutation, see scramble()) *   US street address         = (house no, street, type, city) from h * K mod |space|
 * so ids are unique, look random, and every US household has its own
 * address (customers without a household id are grouped by address and must
 * never meet a neighbour).  Households are generated in chunks of CHUNK_HH
 * as OpenMP tasks (one output buffer set per chunk); a writer task appends
 * the previous round of chunks to the files, strictly in chunk order, while
 * the next round is generated: the files are byte-identical at any thread
 * count and memory does not grow with the number of households.  All numbers and dates are formatted by the integer code below.
 *
 * Files go to "NAME.tmp-PID" and are renamed when every file is complete;
 * job.yaml is written last, so its presence means the feeds are whole.
 *
 * Bad rows (with_errors): written right after the header lines, one per kind,
 * and listed in expected_rejects.csv (file, line, kind, key).
 */
#include "folio/samples.h"
#include "samples-private.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <omp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define SAMPLES_MAX_HOUSEHOLDS 100000000ull   /* ids stay unique below this */
#define CHUNK_HH 256                          /* households per parallel task */
#define SB_MAX ((size_t)1 << 30)              /* hard cap of one chunk buffer */
#define ROW_MAX 4096                          /* upper bound of one CSV row */
#define MAX_TX 320                            /* transactions of one account */

enum { F_CUST, F_CHK_A, F_CHK_T, F_SAV_A, F_SAV_T, F_CC_A, F_CC_T, F_MTG_A,
       F_MTG_T, F_CONTACT, F__N };
enum { P_CHK, P_SAV, P_CC, P_MTG, P__N };
enum { SEG_MASS, SEG_AFFLUENT, SEG_STUDENT, SEG_SENIOR, SEG_SMALL_BUSINESS };

static const char *const file_names[F__N] = {
    "customers.csv", "checking_accounts.csv", "checking_transactions.csv",
    "savings_accounts.csv", "savings_transactions.csv",
    "credit_card_accounts.csv", "credit_card_transactions.csv",
    "mortgage_accounts.csv", "mortgage_transactions.csv", "contact_history.csv",
};
static const char *const product_codes[P__N] = {
    "checking", "savings", "credit_card", "mortgage"
};
static const char *const segment_names[] = {
    "mass", "affluent", "student", "senior", "small_business"
};
static const char *const delivery_names[] = { "print", "email", "both", "none" };

static const char customers_header[] =
    "customer_id,household_id,first_name,last_name,birth_date,address_line1,"
    "address_line2,city,state,postal_code,country,language,email,delivery,"
    "marketing_consent,segment,customer_since\n";
static const char accounts_header[] =
    "account_id,customer_id,product_name,opening_balance,closing_balance,"
    "credit_limit,interest_rate,minimum_due,due_date,opened_date\n";
static const char txns_header[] = "account_id,posting_date,description,amount\n";
static const char contacts_header[] = "contact_key,offer_id,contact_date,channel\n";
/* Offer ids of layouts/offers.yaml that the sample contact history names. */
static const char *const sample_offers[] = {
    "SAV-RATE", "CARD-BT", "MTG-REFI", "TRAVEL-CARD", "RETIRE-55", "STUDENT", "PAPERLESS",
    "SVC-PHONE"
};

/* ---- output buffer: bounded, grown per row ------------------------------- */

typedef struct sbuf {
    char *p;
    size_t len, cap;
    bool failed;      /* sticky: OOM or SB_MAX reached */
} sbuf;

/* Room for n more bytes; NULL (and failed) when the cap or memory runs out. */
static char *sb_room(sbuf *b, size_t n)
{
    if (b->cap - b->len >= n)
        return b->p + b->len;
    if (b->failed || b->len + n > SB_MAX) {
        b->failed = true;
        return NULL;
    }
    size_t nc = b->cap ? b->cap : (size_t)1 << 16;
    while (nc < b->len + n)
        nc *= 2;
    if (nc > SB_MAX)
        nc = SB_MAX;
    char *np = realloc(b->p, nc);
    if (!np) {
        b->failed = true;
        return NULL;
    }
    b->p = np;
    b->cap = nc;
    return b->p + b->len;
}

static inline void sb_commit(sbuf *b, char *end) { b->len = (size_t)(end - b->p); }

/* ---- field writers: cursor in, cursor out (room reserved by the caller) -- */

static inline char *w_mem(char *w, const char *s, size_t n)
{
    memcpy(w, s, n);
    return w + n;
}

static inline char *w_str(char *w, const char *s) { return w_mem(w, s, strlen(s)); }

/* Bytes that force RFC 4180 quoting. */
static const unsigned char csv_special[256] = {
    [','] = 1, ['"'] = 1, ['\n'] = 1, ['\r'] = 1,
};

/* RFC 4180 field: quoted when it holds a comma, a quote, CR or LF.  Copies
 * while scanning; starts over with quotes on the first special byte. */
static char *w_csv(char *w, const char *s, size_t n)
{
    size_t i = 0;
    for (; i < n; i++) {
        unsigned char ch = (unsigned char)s[i];
        if (csv_special[ch])
            break;
        w[i] = (char)ch;
    }
    if (i == n)
        return w + n;
    *w++ = '"';
    for (i = 0; i < n; i++) {
        if (s[i] == '"')
            *w++ = '"';
        *w++ = s[i];
    }
    *w++ = '"';
    return w;
}

static inline char *w_csvs(char *w, const char *s) { return w_csv(w, s, strlen(s)); }

static char *w_uint(char *w, uint64_t v)
{
    char tmp[24];
    int n = 0;
    do {
        tmp[n++] = (char)('0' + v % 10);
        v /= 10;
    } while (v);
    while (n)
        *w++ = tmp[--n];
    return w;
}

static char *w_uint_pad(char *w, uint64_t v, int width)
{
    for (int i = width - 1; i >= 0; i--) {
        w[i] = (char)('0' + v % 10);
        v /= 10;
    }
    return w + width;
}

/* Signed amount in cents: -123456 -> "-1234.56". */
static char *w_cents(char *w, int64_t c)
{
    uint64_t u;
    if (c < 0) {
        *w++ = '-';
        u = (uint64_t)0 - (uint64_t)c;
    } else {
        u = (uint64_t)c;
    }
    w = w_uint(w, u / 100);
    *w++ = '.';
    *w++ = (char)('0' + (u / 10) % 10);
    *w++ = (char)('0' + u % 10);
    return w;
}

static char *w_date(char *w, folio_date d)
{
    int y, m, dd;
    folio_date_to_ymd(d, &y, &m, &dd);
    w = w_uint_pad(w, (uint64_t)y, 4);
    *w++ = '-';
    w = w_uint_pad(w, (uint64_t)m, 2);
    *w++ = '-';
    return w_uint_pad(w, (uint64_t)dd, 2);
}

/* Percent from thousandths, at least two decimals: 4125 -> "4.125",
 * 24990 -> "24.99", 500 -> "0.50". */
static char *w_rate(char *w, int32_t milli)
{
    w = w_uint(w, (uint64_t)milli / 1000);
    *w++ = '.';
    int frac = milli % 1000;
    *w++ = (char)('0' + frac / 100);
    *w++ = (char)('0' + frac / 10 % 10);
    if (frac % 10)
        *w++ = (char)('0' + frac % 10);
    return w;
}

/* ---- PRNG: splitmix64, one stream per household --------------------------- */

typedef struct rng { uint64_t s; } rng;

static inline uint64_t rng_next(rng *r)
{
    uint64_t z = (r->s += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
}

static void rng_seed(rng *r, uint64_t seed, uint64_t h)
{
    rng t = { seed ^ 0x6A09E667F3BCC909ull };
    uint64_t a = rng_next(&t);
    r->s = a ^ (h * 0xD1B54A32D192ED03ull);
    rng_next(r);
}

/* Uniform in [0, n). */
static inline uint32_t rng_below(rng *r, uint32_t n)
{
    return (uint32_t)(((rng_next(r) >> 32) * (uint64_t)n) >> 32);
}

/* Uniform in [lo, hi]. */
static inline int64_t rng_range(rng *r, int64_t lo, int64_t hi)
{
    if (hi <= lo)
        return lo;
    return lo + (int64_t)(((unsigned __int128)rng_next(r) * (uint64_t)(hi - lo + 1)) >> 64);
}

/* True with probability p / 1000. */
static inline bool rng_pm(rng *r, uint32_t p) { return rng_below(r, 1000) < p; }

/* ---- generation context (constant during a run) -------------------------- */

typedef struct gen_ctx {
    uint64_t seed;
    uint64_t addr_space, addr_mul, addr_add;   /* US address bijection */
    folio_date oct1;                           /* 2026-10-01 */
    folio_date sep30;                          /* 2026-09-30 */
    char day_str[32][11];                      /* "2026-10-DD" */
    char (*city_label)[40];                    /* "PORTLAND ME" per US city */
    int name_weight_total;
} gen_ctx;

static uint64_t gcd_u64(uint64_t a, uint64_t b)
{
    while (b) {
        uint64_t t = a % b;
        a = b;
        b = t;
    }
    return a;
}

static void ctx_init(gen_ctx *c, uint64_t seed)
{
    memset(c, 0, sizeof *c);
    c->seed = seed;
    c->addr_space = 9999ull * (uint64_t)samples_n_streets *
                    (uint64_t)samples_n_street_types * (uint64_t)samples_n_us_cities;
    uint64_t k = 1000003ull * 7919ull;
    while (gcd_u64(k, c->addr_space) != 1)
        k++;
    c->addr_mul = k;
    c->addr_add = 271828182ull % c->addr_space;
    folio_date_from_ymd(2026, 10, 1, &c->oct1);
    folio_date_from_ymd(2026, 9, 30, &c->sep30);
    for (int d = 1; d <= 31; d++) {
        char *w = w_str(c->day_str[d], "2026-10-");
        w = w_uint_pad(w, (uint64_t)d, 2);
        *w = 0;
    }
    for (int i = 0; i < samples_n_name_groups; i++)
        c->name_weight_total += samples_name_groups[i].weight;
}

/* Upper-case "CITY ST" labels of the US cities (merchant locations). */
static bool ctx_labels(gen_ctx *c)
{
    c->city_label = calloc((size_t)samples_n_us_cities, sizeof *c->city_label);
    if (!c->city_label)
        return false;
    for (int i = 0; i < samples_n_us_cities; i++) {
        char *o = c->city_label[i];
        size_t n = 0;
        for (const char *p = samples_us_cities[i].city; *p && n < 30; p++)
            o[n++] = (*p >= 'a' && *p <= 'z') ? (char)(*p - 32) : *p;
        o[n++] = ' ';
        memcpy(o + n, samples_us_cities[i].state, 2);
        o[n + 2] = 0;
    }
    return true;
}

static inline uint64_t perm_mod(uint64_t x, uint64_t mul, uint64_t add, uint64_t m)
{
    return (uint64_t)(((unsigned __int128)x * mul + add) % m);
}

static inline uint64_t mix64(uint64_t z)
{
    z = (z ^ (z >> 33)) * 0xFF51AFD7ED558CCDull;
    z = (z ^ (z >> 33)) * 0xC4CEB9FE1A85EC53ull;
    return z ^ (z >> 33);
}

/* A bijection of [0, m_hi * m_lo): a balanced-enough Feistel network over
 * the pair (x / m_lo, x % m_lo); each round adds a keyed hash of the other
 * half, which is invertible, so distinct inputs give distinct ids. */
static uint64_t scramble(uint64_t x, uint64_t m_hi, uint64_t m_lo, uint64_t key)
{
    uint64_t hi = x / m_lo, lo = x % m_lo;
    for (uint64_t round = 0; round < 3; round++) {
        lo = (lo + mix64(hi ^ (key + round * 0x9E3779B97F4A7C15ull)) % m_lo) % m_lo;
        hi = (hi + mix64(lo ^ (key + round * 0xC2B2AE3D27D4EB4Full + 1)) % m_hi) % m_hi;
    }
    return hi * m_lo + lo;
}

static uint64_t customer_number(uint64_t h, int k)
{
    return scramble(h * 3 + (uint64_t)k, 10000, 100000, 0xC0570ull);
}

static uint64_t household_number(uint64_t h)
{
    return scramble(h, 10000, 100000, 0x40115ull);
}

static uint64_t account_number(uint64_t h, int slot)
{
    return 100000000000ull + scramble(h * 5 + (uint64_t)slot, 900000, 1000000, 0xACC7ull);
}

/* ---- household model ----------------------------------------------------- */

typedef struct cust {
    uint64_t num;
    const char *first, *last, *suffix;
    folio_date birth, since;
    int segment, delivery;
    bool consent, blank_hh;
    int variant;                /* address spelling variant (blank_hh only) */
    char email[96];
    int email_len;
} cust;

typedef struct account {
    int product, slot, owner;
    uint64_t id;
    char id_str[13];
} account;

typedef struct household {
    uint64_t h;
    int n_cust;
    cust c[3];
    const samples_name_group *names;
    bool es;
    const samples_foreign *fa;  /* NULL: US address */
    const samples_city *city;
    int city_index;             /* -1 for foreign addresses */
    uint32_t house_no;
    int street, stype;
    char addr2[40];
    int zip4;                   /* -1: plain ZIP */
    int n_acct;
    account a[6];
    int income_kind;            /* 0 payroll, 1 social security, 2 student, 3 business */
    const char *employer;
} household;

typedef struct txn {
    int64_t amount;
    uint32_t off;
    uint16_t len;
    uint8_t day;
} txn;

typedef struct txlist {
    int n;
    size_t used;
    txn t[MAX_TX];
    txn sorted[MAX_TX];
    char text[MAX_TX * 200];
} txlist;

/* A description under construction (always NUL terminated, bounded). */
typedef struct dbuf {
    char s[200];
    int n;
} dbuf;

static void d_put(dbuf *d, const char *s)
{
    size_t n = strlen(s), room = sizeof d->s - 1 - (size_t)d->n;
    if (n > room)
        n = room;
    memcpy(d->s + d->n, s, n);
    d->n += (int)n;
    d->s[d->n] = 0;
}

/* Upper-case ASCII letters of s. */
static void d_put_upper(dbuf *d, const char *s)
{
    while (*s && d->n < (int)sizeof d->s - 1) {
        char ch = *s++;
        if (ch >= 'a' && ch <= 'z')
            ch = (char)(ch - 32);
        d->s[d->n++] = ch;
    }
    d->s[d->n] = 0;
}

static void d_num(dbuf *d, uint64_t v, int width)
{
    char tmp[24];
    char *e = width ? w_uint_pad(tmp, v, width) : w_uint(tmp, v);
    *e = 0;
    d_put(d, tmp);
}

/* Random reference of n upper-case letters and digits. */
static void d_ref(dbuf *d, rng *r, int n)
{
    static const char al[] = "0123456789ABCDEFGHJKLMNPQRSTUVWXYZ";
    char tmp[16];
    for (int i = 0; i < n && i < 15; i++)
        tmp[i] = al[rng_below(r, sizeof al - 1)];
    tmp[n < 15 ? n : 15] = 0;
    d_put(d, tmp);
}

static void tx_add(txlist *tl, int day, int64_t amount, const dbuf *d)
{
    if (tl->n >= MAX_TX)
        return;
    txn *t = &tl->t[tl->n++];
    t->amount = amount;
    t->day = (uint8_t)day;
    t->off = (uint32_t)tl->used;
    t->len = (uint16_t)d->n;
    memcpy(tl->text + tl->used, d->s, (size_t)d->n);
    tl->used += (size_t)d->n;
}

/* Sort by day, stable (counting sort): tl->sorted. */
static void tx_sort(txlist *tl)
{
    int count[33] = {0};
    for (int i = 0; i < tl->n; i++)
        count[tl->t[i].day + 1]++;
    for (int d = 1; d < 33; d++)
        count[d] += count[d - 1];
    for (int i = 0; i < tl->n; i++)
        tl->sorted[count[tl->t[i].day]++] = tl->t[i];
}

static int64_t tx_sum(const txlist *tl)
{
    int64_t s = 0;
    for (int i = 0; i < tl->n; i++)
        s += tl->t[i].amount;
    return s;
}

/* October 2026 starts on a Thursday.  Weekend days post on the next
 * business day; the 31st (a Saturday) posts on Friday the 30th. */
static int biz_day(int d)
{
    int dow = (3 + d - 1) % 7;   /* 0 = Monday */
    if (dow == 5)
        d += 2;
    else if (dow == 6)
        d += 1;
    return d > 31 ? 30 : d;
}

static int rand_day(rng *r) { return biz_day(1 + (int)rng_below(r, 31)); }

/* ---- names and e-mail ---------------------------------------------------- */

static const samples_name_group *pick_group(const gen_ctx *ctx, rng *r)
{
    int x = (int)rng_below(r, (uint32_t)ctx->name_weight_total);
    for (int i = 0; i < samples_n_name_groups; i++) {
        x -= samples_name_groups[i].weight;
        if (x < 0)
            return &samples_name_groups[i];
    }
    return &samples_name_groups[0];
}

static const char *pick_first(const samples_name_group *g, rng *r, bool female)
{
    return female ? g->female[rng_below(r, (uint32_t)g->n_female)]
                  : g->male[rng_below(r, (uint32_t)g->n_male)];
}

static const char *pick_last(const samples_name_group *g, rng *r)
{
    return g->last[rng_below(r, (uint32_t)g->n_last)];
}

/* ASCII fold of a Latin code point for e-mail addresses: writes 0..2
 * letters into out (NUL terminated). */
static void fold_cp(uint32_t cp, char out[3])
{
    static const char ext_a[] =   /* U+0100..U+017F */
        "aaaaaaccccccccdd" "ddeeeeeeeeeegggg" "gggghhhhiiiiiiii" "iijjjjkkklllllll"
        "lllnnnnnnnnnoooo" "oooorrrrrrssssss" "ssttttttuuuuuuuu" "uuuuwwyyyzzzzzzs";
    static const char lat1[] = "aaaaaaaceeeeiiiidnooooo_ouuuuyts"; /* U+00C0..U+00DF */
    out[0] = out[1] = out[2] = 0;
    if (cp >= 0x100 && cp < 0x180)
        out[0] = ext_a[cp - 0x100];
    else if (cp == 0xDF) {
        out[0] = 's';
        out[1] = 's';
    } else if (cp == 0xC6 || cp == 0xE6) {
        out[0] = 'a';
        out[1] = 'e';
    } else if (cp == 0xFF)
        out[0] = 'y';
    else if (cp >= 0xC0 && cp <= 0xFF) {
        char ch = lat1[(cp - 0xC0) & 31];
        if (ch != '_')
            out[0] = ch;
    } else if (cp == 0x1A0 || cp == 0x1A1)
        out[0] = 'o';
    else if (cp == 0x1AF || cp == 0x1B0)
        out[0] = 'u';
    else if (cp >= 0x1EA0 && cp <= 0x1EF9)
        out[0] = cp <= 0x1EB7 ? 'a' : cp <= 0x1EC7 ? 'e' : cp <= 0x1ECB ? 'i'
               : cp <= 0x1EE3 ? 'o' : cp <= 0x1EF1 ? 'u' : 'y';
}

/* Lower-case ASCII letters of a name, accents folded, other marks dropped. */
static int fold_name(const char *s, char *out, int cap)
{
    int n = 0;
    size_t len = strlen(s);
    size_t i = 0;
    while (i < len && n < cap - 3) {
        unsigned char ch = (unsigned char)s[i];
        if (ch < 0x80) {
            if (ch >= 'A' && ch <= 'Z')
                out[n++] = (char)(ch + 32);
            else if ((ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9'))
                out[n++] = (char)ch;
            i++;
            continue;
        }
        uint32_t cp;
        int used = folio_utf8_next(s + i, len - i, &cp);
        if (used <= 0)
            used = 1;
        char f[3];
        fold_cp(cp, f);
        for (int k = 0; f[k] && n < cap - 1; k++)
            out[n++] = f[k];
        i += (size_t)used;
    }
    out[n] = 0;
    return n;
}

static void make_email(cust *c, rng *r)
{
    char f[40], l[40];
    int fn = fold_name(c->first, f, sizeof f);
    int ln = fold_name(c->last, l, sizeof l);
    if (fn == 0)
        memcpy(f, "customer", (size_t)(fn = 8) + 1);
    if (ln == 0)
        memcpy(l, "x", (size_t)(ln = 1) + 1);
    dbuf d = {.n = 0};
    switch (rng_below(r, 6)) {
    case 0: d_put(&d, f); d_put(&d, "."); d_put(&d, l); break;
    case 1: d_put(&d, f); d_put(&d, l); break;
    case 2: f[1] = 0; d_put(&d, f); d_put(&d, l); break;
    case 3: d_put(&d, f); d_put(&d, "_"); d_put(&d, l); break;
    case 4: d_put(&d, f); d_put(&d, "."); d_put(&d, l); d_num(&d, rng_range(r, 1, 99), 0); break;
    default: d_put(&d, l); d_put(&d, "."); d_put(&d, f); d_num(&d, rng_range(r, 60, 2005), 0); break;
    }
    d_put(&d, "@");
    d_put(&d, samples_email_domains[rng_below(r, (uint32_t)samples_n_email_domains)]);
    int n = d.n < (int)sizeof c->email - 1 ? d.n : (int)sizeof c->email - 1;
    memcpy(c->email, d.s, (size_t)n);
    c->email[n] = 0;
    c->email_len = n;
}

/* ---- household: people and address --------------------------------------- */

static folio_date date_between(rng *r, folio_date lo, folio_date hi)
{
    if (hi <= lo)
        return lo;
    return (folio_date)rng_range(r, lo, hi);
}

static folio_date ymd(int y, int m, int d)
{
    folio_date out = 0;
    folio_date_from_ymd(y, m, d, &out);
    return out;
}

static void fill_customer(const gen_ctx *ctx, cust *c, rng *r, int age_lo, int age_hi)
{
    folio_date ref = ctx->oct1;
    folio_date lo = ref - (folio_date)(age_hi * 36525 / 100);
    folio_date hi = ref - (folio_date)(age_lo * 36525 / 100);
    c->birth = date_between(r, lo, hi);
    int age = (int)((ref - c->birth) * 100 / 36525);
    if (age >= 65)
        c->segment = rng_pm(r, 750) ? SEG_SENIOR : (rng_pm(r, 300) ? SEG_AFFLUENT : SEG_MASS);
    else if (age <= 24)
        c->segment = rng_pm(r, 700) ? SEG_STUDENT : SEG_MASS;
    else {
        uint32_t x = rng_below(r, 1000);
        c->segment = x < 700 ? SEG_MASS : x < 900 ? SEG_AFFLUENT : SEG_SMALL_BUSINESS;
    }
    folio_date adult = c->birth + 18 * 365 + 4;
    folio_date since_lo = adult > ymd(1986, 1, 2) ? adult : ymd(1986, 1, 2);
    if (since_lo > ctx->sep30 - 30)
        since_lo = ctx->sep30 - 30;
    c->since = date_between(r, since_lo, ctx->sep30);
    /* about 1 customer in 40 joined within the 90 days before the statement
     * date (the layout's welcome paragraph); decided from the draw itself, so
     * the random stream -- every other field -- stays as it was */
    if (c->since % 40 == 0)
        c->since = ctx->sep30 - (folio_date)((c->since / 40) % 58);
    uint32_t x = rng_below(r, 1000);
    c->delivery = x < 700 ? 0 : x < 900 ? 1 : x < 980 ? 2 : 3;
    c->consent = !rng_pm(r, 70);
    if (c->delivery == 1 || c->delivery == 2 || rng_pm(r, 800))
        make_email(c, r);
    else
        c->email_len = 0;
}

static void make_household(const gen_ctx *ctx, household *hh, rng *r, uint64_t h)
{
    memset(hh, 0, sizeof *hh);
    hh->h = h;
    /* address */
    if (rng_pm(r, 10)) {
        hh->fa = &samples_foreign_addrs[rng_below(r, (uint32_t)samples_n_foreign_addrs)];
        hh->city_index = -1;
        hh->house_no = (uint32_t)rng_range(r, 1, 240);
    } else {
        uint64_t p = perm_mod(h, ctx->addr_mul, ctx->addr_add, ctx->addr_space);
        hh->house_no = (uint32_t)(p % 9999) + 1;
        p /= 9999;
        hh->street = (int)(p % (uint64_t)samples_n_streets);
        p /= (uint64_t)samples_n_streets;
        hh->stype = (int)(p % (uint64_t)samples_n_street_types);
        p /= (uint64_t)samples_n_street_types;
        hh->city_index = (int)(p % (uint64_t)samples_n_us_cities);
        hh->city = &samples_us_cities[hh->city_index];
    }
    uint32_t a2 = rng_below(r, 1000);
    if (a2 < 140) {
        dbuf d = {.n = 0};
        d_put(&d, "Apt ");
        d_num(&d, (uint64_t)rng_range(r, 1, 48), 0);
        if (rng_pm(r, 300)) {
            char l[2] = {(char)('A' + rng_below(r, 6)), 0};
            d_put(&d, l);
        }
        memcpy(hh->addr2, d.s, (size_t)d.n + 1);
    } else if (a2 < 170) {
        memcpy(hh->addr2, "Apt 4, Rear", 12);
    } else if (a2 < 200) {
        dbuf d = {.n = 0};
        d_put(&d, "Unit ");
        d_num(&d, (uint64_t)rng_range(r, 1, 30), 0);
        memcpy(hh->addr2, d.s, (size_t)d.n + 1);
    } else if (a2 < 210) {
        dbuf d = {.n = 0};
        d_put(&d, "Suite ");
        d_num(&d, (uint64_t)rng_range(r, 100, 450), 0);
        memcpy(hh->addr2, d.s, (size_t)d.n + 1);
    } else if (a2 < 215) {
        memcpy(hh->addr2, "c/o \"Bud\" Miller, Trustee", 26);
    }
    hh->zip4 = (!hh->fa && rng_pm(r, 250)) ? (int)rng_range(r, 1, 9999) : -1;

    /* language and names */
    if (hh->fa)
        hh->es = hh->fa->spanish;
    else
        hh->es = rng_pm(r, 121);
    hh->names = hh->es ? &samples_hispanic_names : pick_group(ctx, r);

    uint32_t nc = rng_below(r, 1000);
    hh->n_cust = nc < 480 ? 1 : nc < 900 ? 2 : 3;

    cust *p = &hh->c[0];
    bool female = rng_pm(r, 520);
    p->first = pick_first(hh->names, r, female);
    p->last = pick_last(hh->names, r);
    if (!female && rng_pm(r, 30)) {
        static const char *const sfx[] = { ", Jr.", ", Jr.", ", Sr.", " III", ", II" };
        p->suffix = sfx[rng_below(r, 5)];
    }
    int age = 19 + (int)(rng_below(r, 74) + rng_below(r, 74)) / 2;   /* mean ~55 */
    fill_customer(ctx, p, r, age, age + 1);
    int p_age = (int)((ctx->oct1 - p->birth) * 100 / 36525);
    if (hh->n_cust >= 2) {
        cust *s = &hh->c[1];
        bool s_female = rng_pm(r, 90) ? female : !female;
        const samples_name_group *g = rng_pm(r, 850) ? hh->names : pick_group(ctx, r);
        s->first = pick_first(g, r, s_female);
        s->last = rng_pm(r, 650) ? p->last : pick_last(g, r);
        int lo = p_age - 7 < 18 ? 18 : p_age - 7;
        fill_customer(ctx, s, r, lo, p_age + 7);
    }
    if (hh->n_cust == 3) {
        cust *k = &hh->c[2];
        k->first = pick_first(hh->names, r, rng_pm(r, 500));
        if (p_age >= 40) {
            k->last = rng_pm(r, 900) ? p->last : pick_last(hh->names, r);
            int hi = p_age - 18 < 18 ? 18 : p_age - 18;
            fill_customer(ctx, k, r, 18, hi);
        } else {   /* a parent living with them */
            k->last = pick_last(hh->names, r);
            fill_customer(ctx, k, r, p_age + 20, p_age + 35 > 99 ? 99 : p_age + 35);
        }
    }
    for (int i = 0; i < hh->n_cust; i++)
        hh->c[i].num = customer_number(h, i);
    /* Customers without a household id: found by address.  US only (the
     * address is unique to the household); spelled a little differently. */
    if (!hh->fa) {
        for (int i = 1; i < hh->n_cust; i++)
            if (rng_pm(r, 200)) {
                hh->c[i].blank_hh = true;
                hh->c[i].variant = 1 + (int)rng_below(r, 15);
            }
        if (hh->n_cust == 1 && rng_pm(r, 8)) {
            hh->c[0].blank_hh = true;
            hh->c[0].variant = 0;
        }
    }

    /* income of the household (for checking deposits) */
    int seg = p->segment;
    hh->income_kind = seg == SEG_SENIOR ? 1 : seg == SEG_STUDENT ? 2
                      : seg == SEG_SMALL_BUSINESS ? 3 : 0;
    hh->employer = samples_employers[rng_below(r, (uint32_t)samples_n_employers)];
}

/* Address line 1 in the given spelling variant (bit 0: street type
 * abbreviated "St."/"ST", bit 1: upper case, bit 2: doubled spaces; bit 3,
 * used by the caller, toggles the ZIP+4 suffix). */
static int format_address1(const household *hh, int variant, char *out, int cap)
{
    dbuf d = {.n = 0};
    if (hh->fa) {
        if (hh->fa->number_first) {
            d_num(&d, hh->house_no, 0);
            d_put(&d, " ");
            d_put(&d, hh->fa->street);
        } else {
            d_put(&d, hh->fa->street);
            d_put(&d, " ");
            d_num(&d, hh->house_no, 0);
        }
    } else {
        const char *sp = (variant & 4) ? "  " : " ";
        const char *street = samples_streets[hh->street];
        bool ascii = true;
        for (const char *q = street; *q; q++)
            if ((unsigned char)*q >= 0x80)
                ascii = false;
        d_num(&d, hh->house_no, 0);
        d_put(&d, sp);
        if ((variant & 2) && ascii)
            d_put_upper(&d, street);
        else
            d_put(&d, street);
        d_put(&d, sp);
        const char *type = samples_street_types[hh->stype];
        if ((variant & 1) && hh->stype == 0)
            type = (variant & 2) ? "ST" : "St.";
        if ((variant & 2) && ascii)
            d_put_upper(&d, type);
        else
            d_put(&d, type);
    }
    int n = d.n < cap - 1 ? d.n : cap - 1;
    memcpy(out, d.s, (size_t)n);
    out[n] = 0;
    return n;
}

static char *write_customer(char *w, const household *hh, const cust *c)
{
    char tmp[200];
    *w++ = 'C';
    w = w_uint_pad(w, c->num, 9);
    *w++ = ',';
    if (!c->blank_hh) {
        *w++ = 'H';
        w = w_uint_pad(w, household_number(hh->h), 9);
    }
    *w++ = ',';
    w = w_csvs(w, c->first);
    *w++ = ',';
    if (c->suffix) {
        size_t a = strlen(c->last), b = strlen(c->suffix);
        memcpy(tmp, c->last, a);
        memcpy(tmp + a, c->suffix, b);
        w = w_csv(w, tmp, a + b);
    } else {
        w = w_csvs(w, c->last);
    }
    *w++ = ',';
    w = w_date(w, c->birth);
    *w++ = ',';
    int n = format_address1(hh, c->variant, tmp, sizeof tmp);
    w = w_csv(w, tmp, (size_t)n);
    *w++ = ',';
    if (hh->addr2[0]) {
        if (c->variant & 2) {   /* upper-case ASCII */
            dbuf d = {.n = 0};
            d_put_upper(&d, hh->addr2);
            w = w_csv(w, d.s, (size_t)d.n);
        } else {
            w = w_csvs(w, hh->addr2);
        }
    }
    *w++ = ',';
    if (hh->fa) {
        w = w_csvs(w, hh->fa->city);
        *w++ = ',';
        w = w_csvs(w, hh->fa->state);
        *w++ = ',';
        w = w_csvs(w, hh->fa->postal);
        *w++ = ',';
        w = w_str(w, hh->fa->country);
    } else {
        w = w_csvs(w, hh->city->city);
        *w++ = ',';
        w = w_str(w, hh->city->state);
        *w++ = ',';
        w = w_str(w, hh->city->zip);
        /* variant bit 3 toggles the ZIP+4 suffix: same 5-digit ZIP */
        bool plus4 = hh->zip4 >= 0;
        if (c->variant & 8)
            plus4 = !plus4;
        if (plus4) {
            *w++ = '-';
            w = w_uint_pad(w, (uint64_t)(hh->zip4 >= 0 ? hh->zip4 : 1000 + (int)(hh->h % 8999)), 4);
        }
        *w++ = ',';
        w = w_str(w, "US");
    }
    *w++ = ',';
    w = w_str(w, hh->es ? "es" : "en");
    *w++ = ',';
    w = w_mem(w, c->email, (size_t)c->email_len);
    *w++ = ',';
    w = w_str(w, delivery_names[c->delivery]);
    *w++ = ',';
    w = w_str(w, c->consent ? "yes" : "no");
    *w++ = ',';
    w = w_str(w, segment_names[c->segment]);
    *w++ = ',';
    w = w_date(w, c->since);
    *w++ = '\n';
    return w;
}

/* ---- transactions -------------------------------------------------------- */

typedef struct acct_gen {
    txlist *tl;
    rng *r;
    const household *hh;
    const gen_ctx *ctx;
    const char *sav_last4, *chk_last4, *cc_last4;
} acct_gen;

static void d_city(dbuf *d, const gen_ctx *ctx, const household *hh, rng *r)
{
    int i = hh->city_index;
    if (i < 0 || rng_pm(r, 150))
        i = (int)rng_below(r, (uint32_t)samples_n_us_cities);
    d_put(d, ctx->city_label[i]);
}

static void d_person(dbuf *d, rng *r)
{
    /* any name group, mixed case as the payment network sends it */
    uint32_t x = rng_below(r, 10);
    const samples_name_group *g = x < 7 ? &samples_name_groups[0]
                                        : &samples_name_groups[rng_below(r, (uint32_t)samples_n_name_groups)];
    d_put(d, pick_first(g, r, rng_pm(r, 500)));
    d_put(d, " ");
    d_put(d, pick_last(g, r));
}

static int64_t merchant_amount(rng *r, const samples_merchant *m)
{
    if (m->store_no == 2)   /* subscription: one of two plan prices */
        return rng_pm(r, 500) ? m->min_cents : m->max_cents;
    return rng_range(r, m->min_cents, m->max_cents);
}

/* A purchase: local, online or (rarely) foreign.  prefix: "POS PURCHASE "
 * for checking, "" for cards.  Adds one or two transactions. */
static void gen_purchase(acct_gen *g, const char *prefix, int day)
{
    rng *r = g->r;
    dbuf d = {.n = 0};
    uint32_t x = rng_below(r, 1000);
    if (x < 6) {
        const samples_merchant *m =
            &samples_foreign_merchants[rng_below(r, (uint32_t)samples_n_foreign_merchants)];
        d_put(&d, m->name);
        int64_t amt = merchant_amount(r, m);
        tx_add(g->tl, day, -amt, &d);
        d.n = 0;
        d_put(&d, "FOREIGN TRANSACTION FEE");
        tx_add(g->tl, day, -(amt * 3 / 100 > 0 ? amt * 3 / 100 : 1), &d);
        return;
    }
    if (x < 300) {
        const samples_merchant *m =
            &samples_online_merchants[rng_below(r, (uint32_t)samples_n_online_merchants)];
        for (const char *p = m->name; *p; p++) {
            if (*p == '%')
                d_ref(&d, r, 5);
            else if (d.n < (int)sizeof d.s - 1)
                d.s[d.n++] = *p;
        }
        d.s[d.n] = 0;
        tx_add(g->tl, day, -merchant_amount(r, m), &d);
        return;
    }
    const samples_merchant *m =
        &samples_local_merchants[rng_below(r, (uint32_t)samples_n_local_merchants)];
    d_put(&d, prefix);
    d_put(&d, m->name);
    if (m->store_no) {
        d_put(&d, " #");
        d_num(&d, (uint64_t)rng_range(r, 100, 9999), 0);
    }
    d_put(&d, " ");
    d_city(&d, g->ctx, g->hh, r);
    tx_add(g->tl, day, -merchant_amount(r, m), &d);
}

/* One of the descriptions that need CSV quoting (commas, quotes). */
static void gen_tricky(acct_gen *g, bool card, int day, int check_no)
{
    rng *r = g->r;
    dbuf d = {.n = 0};
    switch (rng_below(r, card ? 3 : 5)) {
    case 0:
        if (!card) d_put(&d, "POS PURCHASE ");
        d_put(&d, "\"THE DAILY GRIND\" CAFE, ");
        d_city(&d, g->ctx, g->hh, r);
        tx_add(g->tl, day, -rng_range(r, 350, 2400), &d);
        break;
    case 1:
        if (!card) d_put(&d, "ACH DEBIT ");
        d_put(&d, "SMITH, BARNES & CO LLP LEGAL FEES");
        tx_add(g->tl, day, -rng_range(r, 15000, 90000), &d);
        break;
    case 2:
        if (!card) d_put(&d, "POS PURCHASE ");
        d_put(&d, "JOE'S PIZZA, INC #");
        d_num(&d, (uint64_t)rng_range(r, 10, 99), 0);
        d_put(&d, " ");
        d_city(&d, g->ctx, g->hh, r);
        tx_add(g->tl, day, -rng_range(r, 1200, 6500), &d);
        break;
    case 3:
        d_put(&d, "CHECK #");
        d_num(&d, (uint64_t)check_no, 0);
        d_put(&d, " MEMO \"RENT, OCTOBER\"");
        tx_add(g->tl, day, -rng_range(r, 60000, 240000), &d);
        break;
    default:
        d_put(&d, "ZELLE PAYMENT TO ");
        d_person(&d, r);
        d_put(&d, " MEMO \"THANKS!\"");
        tx_add(g->tl, day, -rng_range(r, 1000, 30000), &d);
        break;
    }
}

/* A description with an embedded line break. */
static void gen_multiline(acct_gen *g, bool card, int day)
{
    rng *r = g->r;
    dbuf d = {.n = 0};
    if (card) {
        d_put(&d, "MERCHANT CREDIT ADJUSTMENT\nREF ");
        d_ref(&d, r, 10);
        tx_add(g->tl, day, rng_range(r, 500, 9000), &d);
    } else if (rng_pm(r, 500)) {
        d_put(&d, "ZELLE PAYMENT FROM ");
        d_person(&d, r);
        d_put(&d, "\nMEMO: DINNER, THANKS");
        tx_add(g->tl, day, rng_range(r, 1500, 12000), &d);
    } else {
        d_put(&d, "WIRE TRANSFER IN\nORIG: ");
        d_person(&d, r);
        d_put(&d, " REF 2026");
        d_num(&d, (uint64_t)rng_range(r, 0, 999999), 6);
        tx_add(g->tl, day, rng_range(r, 50000, 800000), &d);
    }
}

static int checking_count(rng *r)
{
    if (rng_pm(r, 40))
        return (int)rng_range(r, 60, 150);   /* heavy users: several pages */
    /* 10..60, skewed towards busy accounts (max of four draws) */
    uint32_t m = 0;
    for (int i = 0; i < 4; i++) {
        uint32_t x = rng_below(r, 51);
        m = x > m ? x : m;
    }
    return 10 + (int)m;
}

static void gen_income(acct_gen *g)
{
    rng *r = g->r;
    const household *hh = g->hh;
    dbuf d = {.n = 0};
    switch (hh->income_kind) {
    case 1: {   /* retired */
        d_put(&d, "SSA TREAS 310 XXSOC SEC");
        tx_add(g->tl, biz_day(3), rng_range(r, 110000, 380000), &d);
        if (rng_pm(r, 450)) {
            d.n = 0;
            d_put(&d, "ACH CREDIT PENSION ");
            d_put(&d, hh->employer);
            tx_add(g->tl, 1, rng_range(r, 40000, 260000), &d);
        }
        break;
    }
    case 2: {   /* student: small part-time pay or help from home */
        int pays = (int)rng_range(r, 1, 2);
        for (int i = 0; i < pays; i++) {
            d.n = 0;
            d_put(&d, "ACH CREDIT PAYROLL STATE UNIVERSITY DINING");
            tx_add(g->tl, i ? 16 : 2, rng_range(r, 18000, 75000), &d);
        }
        break;
    }
    case 3: {   /* small business: deposits */
        int n = (int)rng_range(r, 2, 6);
        for (int i = 0; i < n; i++) {
            d.n = 0;
            if (rng_pm(r, 500)) {
                d_put(&d, "MOBILE DEPOSIT REF #");
                d_num(&d, (uint64_t)rng_range(r, 0, 999999999), 9);
            } else {
                d_put(&d, "DEPOSIT AT BRANCH");
            }
            tx_add(g->tl, rand_day(r), rng_range(r, 40000, 900000), &d);
        }
        break;
    }
    default: {  /* payroll: semimonthly or biweekly */
        int64_t pay = rng_range(r, 90000, 480000);
        if (hh->c[0].segment == SEG_AFFLUENT)
            pay = rng_range(r, 350000, 1200000);
        static const int semi[] = {1, 15}, bi1[] = {2, 16, 30}, bi2[] = {9, 23};
        const int *days;
        int nd;
        uint32_t k = rng_below(r, 3);
        if (k == 0) { days = semi; nd = 2; }
        else if (k == 1) { days = bi1; nd = 3; }
        else { days = bi2; nd = 2; }
        for (int i = 0; i < nd; i++) {
            d.n = 0;
            d_put(&d, "ACH CREDIT PAYROLL ");
            d_put(&d, hh->employer);
            tx_add(g->tl, biz_day(days[i]), pay, &d);
        }
        if (hh->n_cust > 1 && rng_pm(r, 500)) {   /* second earner */
            int64_t pay2 = rng_range(r, 80000, 350000);
            const char *emp2 = samples_employers[rng_below(r, (uint32_t)samples_n_employers)];
            for (int i = 0; i < 2; i++) {
                d.n = 0;
                d_put(&d, "DIRECT DEP ");
                d_put(&d, emp2);
                d_put(&d, " PPD");
                tx_add(g->tl, biz_day(i ? 22 : 8), pay2, &d);
            }
        }
        break;
    }
    }
}

/* Checking: returns the transactions in g->tl; the caller derives balances. */
static void gen_checking(acct_gen *g, int n_target, bool interest, bool fee)
{
    rng *r = g->r;
    txlist *tl = g->tl;
    int check_no = (int)rng_range(r, 1001, 4800);
    gen_income(g);
    while (tl->n < n_target && tl->n < MAX_TX - 8) {
        int day = rand_day(r);
        dbuf d = {.n = 0};
        uint32_t special = rng_below(r, 10000);
        if (special < 30) {
            gen_multiline(g, false, day);
            continue;
        }
        if (special < 230) {
            gen_tricky(g, false, day, check_no++);
            continue;
        }
        uint32_t k = rng_below(r, 1000);
        if (k < 420) {
            gen_purchase(g, "POS PURCHASE ", day);
        } else if (k < 500) {
            if (rng_pm(r, 800)) {
                d_put(&d, "ATM WITHDRAWAL #");
                d_num(&d, (uint64_t)rng_range(r, 1000, 9999), 0);
                d_put(&d, " ");
                d_city(&d, g->ctx, g->hh, r);
                tx_add(tl, day, -20 * 100 * rng_range(r, 1, 20), &d);
            } else {
                d_put(&d, "NON-NETWORK ATM WITHDRAWAL ");
                d_city(&d, g->ctx, g->hh, r);
                tx_add(tl, day, -20 * 100 * rng_range(r, 1, 10), &d);
                d.n = 0;
                d_put(&d, "NON-NETWORK ATM FEE");
                tx_add(tl, day, -350, &d);
            }
        } else if (k < 560) {
            d_put(&d, "CHECK #");
            d_num(&d, (uint64_t)check_no++, 0);
            tx_add(tl, day, -rng_range(r, 2500, 250000), &d);
        } else if (k < 690) {
            const samples_merchant *m = &samples_billers[rng_below(r, (uint32_t)samples_n_billers)];
            d_put(&d, "ACH DEBIT ");
            d_put(&d, m->name);
            tx_add(tl, day, -merchant_amount(r, m), &d);
        } else if (k < 750) {
            d_put(&d, "ZELLE PAYMENT TO ");
            d_person(&d, r);
            tx_add(tl, day, -rng_range(r, 1000, 50000), &d);
        } else if (k < 790) {
            d_put(&d, "ZELLE PAYMENT FROM ");
            d_person(&d, r);
            tx_add(tl, day, rng_range(r, 1000, 40000), &d);
        } else if (k < 830) {
            if (g->sav_last4) {
                d_put(&d, "ONLINE TRANSFER TO SAVINGS XXXXXXXX");
                d_put(&d, g->sav_last4);
            } else {
                d_put(&d, "ONLINE TRANSFER TO EXTERNAL ACCT XXXX");
                d_num(&d, (uint64_t)rng_range(r, 0, 9999), 4);
            }
            tx_add(tl, day, -100 * rng_range(r, 2, 100) * 5, &d);
        } else if (k < 860) {
            if (g->cc_last4) {
                d_put(&d, "ONLINE PAYMENT TO CREDIT CARD XXXXXXXX");
                d_put(&d, g->cc_last4);
            } else {
                d_put(&d, "ACH DEBIT DISCOVER E-PAYMENT");
            }
            tx_add(tl, day, -rng_range(r, 2500, 150000), &d);
        } else if (k < 890) {
            d_put(&d, "MOBILE DEPOSIT REF #");
            d_num(&d, (uint64_t)rng_range(r, 0, 999999999), 9);
            tx_add(tl, day, rng_range(r, 2000, 150000), &d);
        } else if (k < 910) {
            d_put(&d, "ATM CASH DEPOSIT ");
            d_city(&d, g->ctx, g->hh, r);
            tx_add(tl, day, 100 * rng_range(r, 20, 800), &d);
        } else {
            gen_purchase(g, "DEBIT CARD PURCHASE ", day);
        }
    }
    if (fee) {
        dbuf d = {.n = 0};
        d_put(&d, "MONTHLY SERVICE FEE");
        tx_add(tl, 30, -1200, &d);
    }
    if (interest) {
        dbuf d = {.n = 0};
        d_put(&d, "INTEREST PAID");
        tx_add(tl, 31, rng_range(r, 1, 900), &d);
    }
}

static void gen_savings(acct_gen *g, int64_t opening, int32_t rate_milli)
{
    rng *r = g->r;
    uint32_t x = rng_below(r, 100);
    int n = x < 15 ? 0 : x < 45 ? 1 : x < 75 ? 2 : x < 90 ? 3 : 4;
    int64_t out_budget = opening / 2;
    for (int i = 0; i < n; i++) {
        dbuf d = {.n = 0};
        uint32_t k = rng_below(r, 100);
        if (i == n - 1 && rate_milli > 0 && opening > 10000) {
            int64_t interest = opening * rate_milli / 1200000;
            if (interest > 0) {
                d_put(&d, "INTEREST PAID");
                tx_add(g->tl, 31, interest, &d);
                continue;
            }
        }
        if (k < 55 || out_budget < 2500) {
            d_put(&d, k < 30 ? "AUTOMATIC TRANSFER FROM CHECKING XXXXXXXX" : "ONLINE TRANSFER FROM CHECKING XXXXXXXX");
            d_put(&d, g->chk_last4 ? g->chk_last4 : "0000");
            tx_add(g->tl, rand_day(r), 100 * rng_range(r, 25, 2000), &d);
        } else if (k < 85) {
            d_put(&d, "ONLINE TRANSFER TO CHECKING XXXXXXXX");
            d_put(&d, g->chk_last4 ? g->chk_last4 : "0000");
            int64_t amt = 100 * rng_range(r, 25, out_budget / 100 > 25 ? out_budget / 100 : 25);
            out_budget -= amt;
            tx_add(g->tl, rand_day(r), -amt, &d);
        } else {
            d_put(&d, "WITHDRAWAL AT BRANCH ");
            d_city(&d, g->ctx, g->hh, r);
            int64_t amt = 100 * rng_range(r, 20, out_budget / 100 > 20 ? out_budget / 100 : 20);
            out_budget -= amt;
            tx_add(g->tl, rand_day(r), -amt, &d);
        }
    }
}

static int card_count(rng *r)
{
    uint32_t a = rng_below(r, 41), b = rng_below(r, 41), c = rng_below(r, 41);
    uint32_t m = a > b ? a : b;
    return (int)(m > c ? m : c);
}

/* Credit card: purchases negative, payments and returns positive. */
static void gen_card(acct_gen *g, int64_t opening, int32_t apr_milli, int n_target)
{
    rng *r = g->r;
    txlist *tl = g->tl;
    if (opening > 0 && n_target > 0 && rng_pm(r, 850)) {
        dbuf d = {.n = 0};
        d_put(&d, rng_pm(r, 400) ? "AUTOPAY PAYMENT - THANK YOU" : "PAYMENT - THANK YOU");
        uint32_t how = rng_below(r, 3);
        int64_t pay = how == 0 ? opening
                    : how == 1 ? (opening < 3500 ? opening : 3500 + opening / 100)
                    : rng_range(r, opening / 10 + 1, opening);
        if (pay > opening)
            pay = opening;
        tx_add(tl, biz_day((int)rng_range(r, 1, 24)), pay, &d);
        if (how != 0 && apr_milli > 0) {
            int64_t interest = (opening - pay) * apr_milli / 1200000;
            if (interest > 0) {
                d.n = 0;
                d_put(&d, "INTEREST CHARGE ON PURCHASES");
                tx_add(tl, 27, -interest, &d);
            }
        }
    } else if (opening > 0 && n_target > 0 && rng_pm(r, 500)) {
        dbuf d = {.n = 0};
        d_put(&d, "LATE FEE");
        tx_add(tl, 26, -rng_range(r, 2900, 4100), &d);
    }
    while (tl->n < n_target && tl->n < MAX_TX - 4) {
        int day = rand_day(r);
        uint32_t special = rng_below(r, 10000);
        if (special < 30) {
            gen_multiline(g, true, day);
            continue;
        }
        if (special < 230) {
            gen_tricky(g, true, day, 0);
            continue;
        }
        if (rng_pm(r, 30)) {
            dbuf d = {.n = 0};
            const samples_merchant *m =
                &samples_local_merchants[rng_below(r, (uint32_t)samples_n_local_merchants)];
            d_put(&d, "RETURN ");
            d_put(&d, m->name);
            tx_add(tl, day, merchant_amount(r, m), &d);
            continue;
        }
        gen_purchase(g, "", day);
    }
}

/* ---- household rows ------------------------------------------------------- */

typedef struct chunk {
    sbuf out[F__N];
    txlist *tl;
} chunk;

static void acct_id_str(account *a)
{
    char *e = w_uint_pad(a->id_str, a->id, 12);
    *e = 0;
}

/* Write an account row and its transactions.  Closing balance by the rules:
 * assets closing = opening + sum, liabilities closing = opening - sum. */
static bool write_account(chunk *ck, int fa, int ft, const household *hh, const account *a,
                          const char *product_name, int64_t opening, int64_t closing,
                          int64_t credit_limit, int32_t rate_milli, int64_t min_due,
                          folio_date due, folio_date opened, const gen_ctx *ctx)
{
    char *w = sb_room(&ck->out[fa], ROW_MAX);
    if (!w)
        return false;
    w = w_mem(w, a->id_str, 12);
    *w++ = ',';
    *w++ = 'C';
    w = w_uint_pad(w, hh->c[a->owner].num, 9);
    *w++ = ',';
    w = w_csvs(w, product_name);
    *w++ = ',';
    w = w_cents(w, opening);
    *w++ = ',';
    w = w_cents(w, closing);
    *w++ = ',';
    if (credit_limit > 0)
        w = w_cents(w, credit_limit);
    *w++ = ',';
    if (rate_milli > 0)
        w = w_rate(w, rate_milli);
    *w++ = ',';
    if (min_due >= 0)
        w = w_cents(w, min_due);
    *w++ = ',';
    if (due != FOLIO_DATE_NONE)
        w = w_date(w, due);
    *w++ = ',';
    w = w_date(w, opened);
    *w++ = '\n';
    sb_commit(&ck->out[fa], w);

    txlist *tl = ck->tl;
    tx_sort(tl);
    /* each row: 12 + 1 + 10 + 1 + quoted description + 1 + amount + 1 */
    size_t need = (size_t)tl->n * 64 + tl->used * 2 + 64;
    w = sb_room(&ck->out[ft], need);
    if (!w)
        return false;
    for (int i = 0; i < tl->n; i++) {
        const txn *t = &tl->sorted[i];
        w = w_mem(w, a->id_str, 12);
        *w++ = ',';
        w = w_mem(w, ctx->day_str[t->day], 10);
        *w++ = ',';
        w = w_csv(w, tl->text + t->off, t->len);
        *w++ = ',';
        w = w_cents(w, t->amount);
        *w++ = '\n';
    }
    sb_commit(&ck->out[ft], w);
    return true;
}

static void tx_reset(txlist *tl)
{
    tl->n = 0;
    tl->used = 0;
}

static folio_date opened_for(const gen_ctx *ctx, const household *hh, int owner, rng *r)
{
    return date_between(r, hh->c[owner].since, ctx->sep30);
}

/* Contact history: about 3 households in 10 were shown 1 to 3 offers of the
 * sample catalogue in the six months before the period.  Its own PRNG stream
 * (seed, h, salt), so the other feeds do not change with it.  The key is the
 * household id, or the first customer's id when it has none. */
static bool gen_contacts(const gen_ctx *ctx, const household *hh, uint64_t h, chunk *ck)
{
    rng r;
    rng_seed(&r, ctx->seed ^ 0x636f6e7461637473ull, h);
    if (!rng_pm(&r, 300))
        return true;
    int n = 1 + (int)rng_below(&r, 3);
    char *w = sb_room(&ck->out[F_CONTACT], (size_t)n * 96);
    if (!w)
        return false;
    for (int i = 0; i < n; i++) {
        if (hh->c[0].blank_hh) {
            *w++ = 'C';
            w = w_uint_pad(w, hh->c[0].num, 9);
        } else {
            *w++ = 'H';
            w = w_uint_pad(w, household_number(h), 9);
        }
        *w++ = ',';
        w = w_str(w, sample_offers[rng_below(&r, (uint32_t)(sizeof sample_offers /
                                                              sizeof sample_offers[0]))]);
        *w++ = ',';
        w = w_date(w, ctx->sep30 - (folio_date)rng_below(&r, 180));
        w = w_str(w, rng_pm(&r, 700) ? ",print\n" : ",email\n");
    }
    sb_commit(&ck->out[F_CONTACT], w);
    return true;
}

static bool gen_household(const gen_ctx *ctx, uint64_t h, chunk *ck)
{
    rng r;
    rng_seed(&r, ctx->seed, h);
    household hh;
    make_household(ctx, &hh, &r, h);

    /* customers */
    char *w = sb_room(&ck->out[F_CUST], (size_t)ROW_MAX * 3);
    if (!w)
        return false;
    for (int i = 0; i < hh.n_cust; i++)
        w = write_customer(w, &hh, &hh.c[i]);
    sb_commit(&ck->out[F_CUST], w);

    /* which products */
    int seg = hh.c[0].segment;
    bool chk = h == 0 || rng_pm(&r, 952);
    int n_chk = chk ? (rng_pm(&r, 120) ? 2 : 1) : 0;
    bool sav = rng_pm(&r, seg == SEG_AFFLUENT ? 750 : seg == SEG_STUDENT ? 350 : 540);
    bool cc = rng_pm(&r, seg == SEG_STUDENT ? 300 : 460);
    bool mtg = rng_pm(&r, seg == SEG_STUDENT ? 10 : seg == SEG_AFFLUENT ? 380 : 200);
    if (!n_chk && !sav && !cc && !mtg)
        n_chk = 1;
    hh.n_acct = 0;
    int slots[6], products[6], na = 0;
    for (int i = 0; i < n_chk; i++) { slots[na] = i; products[na++] = P_CHK; }
    if (sav) { slots[na] = 2; products[na++] = P_SAV; }
    if (cc) { slots[na] = 3; products[na++] = P_CC; }
    if (mtg) { slots[na] = 4; products[na++] = P_MTG; }
    for (int i = 0; i < na; i++) {
        account *a = &hh.a[i];
        a->product = products[i];
        a->slot = slots[i];
        a->id = account_number(h, slots[i]);
        a->owner = (hh.n_cust == 1 || rng_pm(&r, 750)) ? 0 : (int)rng_below(&r, (uint32_t)hh.n_cust);
        acct_id_str(a);
    }
    hh.n_acct = na;

    acct_gen g = {.tl = ck->tl, .r = &r, .hh = &hh, .ctx = ctx};
    for (int i = 0; i < na; i++) {
        const char *last4 = hh.a[i].id_str + 8;
        if (hh.a[i].product == P_SAV) g.sav_last4 = last4;
        if (hh.a[i].product == P_CHK && !g.chk_last4) g.chk_last4 = last4;
        if (hh.a[i].product == P_CC) g.cc_last4 = last4;
    }

    for (int i = 0; i < na; i++) {
        account *a = &hh.a[i];
        int oseg = hh.c[a->owner].segment;
        folio_date opened = opened_for(ctx, &hh, a->owner, &r);
        tx_reset(ck->tl);
        bool ok = true;
        switch (a->product) {
        case P_CHK: {
            static const char *const names[] = {
                "Everyday Checking", "Premier Checking", "Student Checking",
                "Senior Advantage Checking", "Business Checking", "Interest Checking"
            };
            int ni = oseg == SEG_STUDENT ? 2 : oseg == SEG_SENIOR ? 3
                     : oseg == SEG_SMALL_BUSINESS ? 4 : oseg == SEG_AFFLUENT ? 1
                     : (rng_pm(&r, 150) ? 5 : 0);
            if (a->slot == 1)   /* second checking: a plain one, quieter */
                ni = rng_pm(&r, 500) ? 0 : 5;
            bool interest = ni == 1 || ni == 5;
            int32_t rate = interest ? (int32_t)rng_range(&r, 10, 50) : 0;
            int n = checking_count(&r);
            if (a->slot == 1)
                n = (int)rng_range(&r, 12, 45);
            gen_checking(&g, n, interest, ni == 0 && rng_pm(&r, 120));
            int64_t opening = rng_pm(&r, 200) ? rng_range(&r, 50000, 2500000) : rng_range(&r, 20000, 600000);
            /* keep the running balance above zero (2% may dip: overdraft) */
            if (!rng_pm(&r, 20)) {
                tx_sort(ck->tl);
                int64_t run = 0, low = 0;
                for (int t = 0; t < ck->tl->n; t++) {
                    run += ck->tl->sorted[t].amount;
                    if (run < low)
                        low = run;
                }
                if (opening + low < 0)
                    opening = -low + rng_range(&r, 2500, 250000);
            }
            int64_t closing = opening + tx_sum(ck->tl);
            ok = write_account(ck, F_CHK_A, F_CHK_T, &hh, a, names[ni], opening, closing,
                               0, rate, -1, FOLIO_DATE_NONE, opened, ctx);
            break;
        }
        case P_SAV: {
            static const char *const names[] = {
                "Everyday Savings", "Premier Savings", "High-Yield Savings",
                "Money Market Savings", "Kids Savings"
            };
            int ni = oseg == SEG_AFFLUENT ? (int)rng_range(&r, 1, 3) : (rng_pm(&r, 850) ? 0 : 4);
            static const int32_t rates[] = {500, 2250, 4100, 3350, 1000};
            int32_t rate = rates[ni];
            int64_t opening = ni ? rng_range(&r, 500000, 25000000) : rng_range(&r, 2500, 1500000);
            gen_savings(&g, opening, rate);
            int64_t closing = opening + tx_sum(ck->tl);
            ok = write_account(ck, F_SAV_A, F_SAV_T, &hh, a, names[ni], opening, closing,
                               0, rate, -1, FOLIO_DATE_NONE, opened, ctx);
            break;
        }
        case P_CC: {
            static const char *const names[] = {
                "Platinum Rewards Visa", "Cash Back Mastercard",
                "Harbor Travel Visa Signature", "Secured Visa", "Student Visa"
            };
            int ni = oseg == SEG_STUDENT ? 4 : oseg == SEG_AFFLUENT ? 2
                     : rng_pm(&r, 60) ? 3 : (int)rng_below(&r, 2);
            int64_t limit = 100 * 100 * (ni == 4 || ni == 3 ? rng_range(&r, 5, 25)
                                                          : rng_range(&r, 20, 300));
            int32_t apr = (int32_t)(rng_range(&r, 0, 48) * 250 + 17990);  /* 17.99..29.99 */
            int64_t opening = rng_pm(&r, 250) ? 0 : rng_range(&r, 100, limit * 7 / 10);
            gen_card(&g, opening, apr, card_count(&r));
            int64_t closing = opening - tx_sum(ck->tl);
            int64_t due = 0;
            if (closing > 0) {
                due = closing * 2 / 100;
                if (due < 3500)
                    due = closing < 3500 ? closing : 3500;
            }
            folio_date due_date = ymd(2026, 11, (int)rng_range(&r, 18, 28));
            ok = write_account(ck, F_CC_A, F_CC_T, &hh, a, names[ni], opening, closing,
                               limit, apr, due, due_date, opened, ctx);
            break;
        }
        default: {
            static const char *const names[] = {
                "30-Year Fixed Mortgage", "15-Year Fixed Mortgage", "5/1 ARM Mortgage",
                "Jumbo 30-Year Fixed Mortgage"
            };
            int ni = (int)rng_below(&r, 3);
            int64_t opening = rng_range(&r, 6000000, 62000000);
            if (oseg == SEG_AFFLUENT && rng_pm(&r, 300)) {
                ni = 3;
                opening = rng_range(&r, 76000000, 240000000);
            }
            int32_t rate = (int32_t)(2750 + 125 * rng_range(&r, 0, 38));   /* 2.750..7.500 */
            int64_t interest = opening * rate / 1200000;
            int64_t principal = opening / rng_range(&r, 120, 340);
            int64_t payment = interest + principal;
            int day = biz_day(rng_pm(&r, 700) ? 1 : 15);
            dbuf d = {.n = 0};
            if (rng_pm(&r, 800)) {
                d_put(&d, "INTEREST CHARGED 10/01-10/31");
                tx_add(ck->tl, 1, -interest, &d);
                d.n = 0;
                d_put(&d, "MORTGAGE PAYMENT - PRINCIPAL/INTEREST");
                tx_add(ck->tl, day, payment, &d);
            } else {
                d_put(&d, "MORTGAGE PAYMENT - PRINCIPAL");
                tx_add(ck->tl, day, principal, &d);
            }
            int64_t closing = opening - tx_sum(ck->tl);
            int64_t next_due = closing * rate / 1200000 + principal;
            folio_date due_date = ymd(2026, 11, day >= 15 ? 15 : 1);
            folio_date mopened = opened;
            if (mopened > ctx->sep30 - 60)
                mopened = ctx->sep30 - 60 - (folio_date)rng_below(&r, 3000);
            ok = write_account(ck, F_MTG_A, F_MTG_T, &hh, a, names[ni], opening, closing,
                               0, rate, next_due, due_date, mopened, ctx);
            break;
        }
        }
        if (!ok)
            return false;
    }
    return gen_contacts(ctx, &hh, h, ck);
}

/* ---- files ---------------------------------------------------------------- */

static bool write_all(int fd, const char *p, size_t n, const char *path, folio_error *err)
{
    while (n) {
        ssize_t w = write(fd, p, n);
        if (w < 0) {
            if (errno == EINTR)
                continue;
            folio_error_set(err, FOLIO_EXIT_FAILED, "%s: write failed: %s", path, strerror(errno));
            return false;
        }
        p += w;
        n -= (size_t)w;
    }
    return true;
}

static bool join_path(char *out, size_t cap, const char *dir, const char *name,
                      const char *suffix, folio_error *err)
{
    int n = snprintf(out, cap, "%s/%s%s", dir, name, suffix ? suffix : "");
    if (n < 0 || (size_t)n >= cap) {
        folio_error_set(err, FOLIO_EXIT_FAILED, "%s: path too long", dir);
        return false;
    }
    return true;
}

/* Walk up from dir looking for layouts/statement.yaml; absolute path in out. */
static bool find_layout_from(const char *start, char *out, size_t cap)
{
    char dir[PATH_MAX];
    if (strlen(start) >= sizeof dir)
        return false;
    strcpy(dir, start);
    for (;;) {
        char cand[PATH_MAX + 32];
        snprintf(cand, sizeof cand, "%s/layouts/statement.yaml", dir[0] ? dir : "");
        if (access(cand, R_OK) == 0) {
            char real[PATH_MAX];
            if (realpath(cand, real) && strlen(real) < cap) {
                strcpy(out, real);
                return true;
            }
        }
        char *slash = strrchr(dir, '/');
        if (!slash || dir[0] == 0)
            return false;
        *slash = 0;
    }
}

static void find_layout(const folio_samples_options *opt, char *out, size_t cap)
{
    if (opt->layout_path && opt->layout_path[0]) {
        char real[PATH_MAX];
        if (realpath(opt->layout_path, real) && strlen(real) < cap)
            strcpy(out, real);
        else
            snprintf(out, cap, "%s", opt->layout_path);
        return;
    }
    char exe[PATH_MAX];
    ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
    if (n > 0) {
        exe[n] = 0;
        char *slash = strrchr(exe, '/');
        if (slash)
            *slash = 0;
        /* issue 16 part 2: installed (PREFIX/bin/folio), the samples are in
         * PREFIX/share/folio; in a source tree, walk up from build/ */
        char inst[PATH_MAX + 64], real[PATH_MAX];
        snprintf(inst, sizeof inst, "%s/../share/folio/layouts/statement.yaml", exe);
        if (realpath(inst, real) && strlen(real) < cap) {
            strcpy(out, real);
            return;
        }
        if (find_layout_from(exe, out, cap))
            return;
    }
    const char *root = getenv("FOLIO_ROOT");
    if (root && root[0] && find_layout_from(root, out, cap))
        return;
    char cwd[PATH_MAX];
    if (getcwd(cwd, sizeof cwd) && find_layout_from(cwd, out, cap))
        return;
    snprintf(out, cap, "layouts/statement.yaml");   /* not found: job_load will say so */
}

/* YAML double-quoted scalar. */
static void yaml_quoted(folio_buf *b, const char *s)
{
    folio_buf_putc(b, '"');
    for (; *s; s++) {
        if (*s == '"' || *s == '\\')
            folio_buf_putc(b, '\\');
        folio_buf_putc(b, *s);
    }
    folio_buf_putc(b, '"');
}

static void yaml_columns(folio_buf *b, const char *const *pairs)
{
    folio_buf_puts(b, "    columns:\n");
    for (int i = 0; pairs[i]; i += 2) {
        folio_buf_puts(b, "      ");
        folio_buf_puts(b, pairs[i]);
        folio_buf_puts(b, ": ");
        folio_buf_puts(b, pairs[i + 1]);
        folio_buf_putc(b, '\n');
    }
}

static bool write_job(const char *out_dir, const folio_samples_options *opt, folio_error *err)
{
    static const char *const cust_cols[] = {
        "customer_id", "customer_id", "household_id", "household_id",
        "first_name", "first_name", "last_name", "last_name",
        "birth_date", "birth_date", "address1", "address_line1",
        "address2", "address_line2", "city", "city", "state", "state",
        "postal_code", "postal_code", "country", "country",
        "language", "language", "email", "email", "delivery", "delivery",
        "marketing_consent", "marketing_consent", "segment", "segment",
        "customer_since", "customer_since", NULL
    };
    static const char *const acct_cols[] = {
        "account_id", "account_id", "customer_id", "customer_id",
        "product_name", "product_name", "opening_balance", "opening_balance",
        "closing_balance", "closing_balance", "credit_limit", "credit_limit",
        "interest_rate", "interest_rate", "minimum_due", "minimum_due",
        "due_date", "due_date", "opened_date", "opened_date", NULL
    };
    static const char *const txn_cols[] = {
        "account_id", "account_id", "date", "posting_date",
        "description", "description", "amount", "amount", NULL
    };
    char layout[PATH_MAX];
    find_layout(opt, layout, sizeof layout);

    folio_buf b;
    folio_buf_init(&b, 1 << 20);
    folio_buf_puts(&b, "# Written by `folio samples`: ");
    folio_buf_put_int(&b, (int64_t)opt->households);
    folio_buf_puts(&b, " households, seed ");
    folio_buf_put_int(&b, (int64_t)(opt->seed & 0x7FFFFFFFFFFFFFFFull));
    folio_buf_puts(&b, ".\n# Reference: docs/job-file.md\n\n");
    folio_buf_puts(&b, "job:\n  name: \"Harbor & Pine Bank - October 2026 statements\"\n"
                       "  seed: 20261101\n\n");
    folio_buf_puts(&b, "statement:\n  date: 2026-11-01\n  period:\n"
                       "    start: 2026-10-01\n    end: 2026-10-31\n\n");
    folio_buf_puts(&b, "bank:\n  name: \"Harbor & Pine Bank\"\n"
                       "  address: [\"100 Harbor Street\", \"Portland, ME 04101\"]\n"
                       "  phone: \"1-800-555-0142\"\n"
                       "  website: \"www.harborpine.example\"\n"
                       "  currency: USD\n\n");
    folio_buf_puts(&b, "layout: ");
    yaml_quoted(&b, layout);
    folio_buf_puts(&b, "\n\nfeeds:\n");
    folio_buf_puts(&b, "  - name: customers\n    kind: customers\n    path: customers.csv\n");
    yaml_columns(&b, cust_cols);
    for (int p = 0; p < P__N; p++) {
        folio_buf_puts(&b, "  - name: ");
        folio_buf_puts(&b, product_codes[p]);
        folio_buf_puts(&b, "-accounts\n    kind: accounts\n    path: ");
        folio_buf_puts(&b, file_names[F_CHK_A + 2 * p]);
        folio_buf_puts(&b, "\n    product: ");
        folio_buf_puts(&b, product_codes[p]);
        folio_buf_putc(&b, '\n');
        yaml_columns(&b, acct_cols);
        folio_buf_puts(&b, "  - name: ");
        folio_buf_puts(&b, product_codes[p]);
        folio_buf_puts(&b, "-transactions\n    kind: transactions\n    path: ");
        folio_buf_puts(&b, file_names[F_CHK_T + 2 * p]);
        folio_buf_putc(&b, '\n');
        yaml_columns(&b, txn_cols);
    }
    folio_buf_puts(&b, "  - name: contacts\n    kind: contacts\n    path: ");
    folio_buf_puts(&b, file_names[F_CONTACT]);
    folio_buf_puts(&b, "\n    columns:\n      contact_key: contact_key\n"
                       "      offer_id: offer_id\n      contact_date: contact_date\n");
    /* the offer catalogue beside the layout (docs/offers.md), when there is
     * one; before output:, which stays last so tools can append to it */
    char cat[PATH_MAX + 16];
    const char *slash = strrchr(layout, '/');
    int dl = slash ? (int)(slash - layout) : 0;
    snprintf(cat, sizeof cat, "%.*s%soffers.yaml", dl, layout, slash ? "/" : "");
    if (access(cat, R_OK) == 0) {
        folio_buf_puts(&b, "\noffers:\n  catalogue: ");
        yaml_quoted(&b, cat);
        folio_buf_puts(&b, "\n  max_per_statement: 2\n");
    }
    folio_buf_puts(&b, "\noutput:\n  print:\n    pdf: true\n    max_sheets: 2000\n"
                       "    duplex: false\n    prefix: statements\n");
    bool ok = !b.failed;
    char path[PATH_MAX];
    if (!ok)
        folio_error_set(err, FOLIO_EXIT_FAILED, "job.yaml: out of memory");
    else if (!samples_uplift_write(out_dir, b.data, b.len, opt->seed, opt->households,
                                   household_number, err))   /* issue 15 part 5 */
        ok = false;
    else if (join_path(path, sizeof path, out_dir, "job.yaml", NULL, err))
        ok = folio_write_file_atomic(path, b.data, b.len, err);
    else
        ok = false;
    folio_buf_free(&b);
    return ok;
}

/* Bad rows, one per kind, right after the headers (with_errors). */
static bool write_bad_rows(int fds[F__N], char tmp_paths[F__N][PATH_MAX],
                           const char *out_dir, folio_error *err)
{
    char acct0[13], cust0[11];
    char *e = w_uint_pad(acct0, account_number(0, 0), 12);
    *e = 0;
    cust0[0] = 'C';
    e = w_uint_pad(cust0 + 1, customer_number(0, 0), 9);
    *e = 0;
    char row[512];

    static const char bad_cust[] =
        "CBAD000001,HBAD000001,Ana,Inv\xC3\x28lido \xFF,1980-01-01,1 Bad Row Street,,"
        "Portland,ME,04101,US,en,,print,yes,mass,2020-01-01\n";
    if (!write_all(fds[F_CUST], bad_cust, sizeof bad_cust - 1, tmp_paths[F_CUST], err))
        return false;

    int n = snprintf(row, sizeof row,
                     "%s,2026-10-15,BAD ROW: AMOUNT NOT A NUMBER,12.3x\n"
                     "%s,2026-13-45,BAD ROW: IMPOSSIBLE DATE,-5.00\n"
                     "000000000000,2026-10-15,BAD ROW: UNKNOWN ACCOUNT,-7.50\n"
                     "%s,2026-10-15,BAD ROW: MISSING AMOUNT FIELD\n",
                     acct0, acct0, acct0);
    if (!write_all(fds[F_CHK_T], row, (size_t)n, tmp_paths[F_CHK_T], err))
        return false;

    n = snprintf(row, sizeof row,
                 "%s,%s,Everyday Savings,100.00,100.00,,0.50,,,2020-01-01\n", acct0, cust0);
    if (!write_all(fds[F_SAV_A], row, (size_t)n, tmp_paths[F_SAV_A], err))
        return false;

    char list[1024];
    n = snprintf(list, sizeof list,
                 "file,line,kind,key\n"
                 "customers.csv,2,invalid_utf8,CBAD000001\n"
                 "checking_transactions.csv,2,bad_money,%s\n"
                 "checking_transactions.csv,3,bad_date,%s\n"
                 "checking_transactions.csv,4,unknown_account,000000000000\n"
                 "checking_transactions.csv,5,missing_field,%s\n"
                 "savings_accounts.csv,2,duplicate_account,%s\n",
                 acct0, acct0, acct0, acct0);
    char path[PATH_MAX];
    if (!join_path(path, sizeof path, out_dir, "expected_rejects.csv", NULL, err))
        return false;
    return folio_write_file_atomic(path, list, (size_t)n, err);
}

/* Generate households [lo, hi) into one chunk's buffers (reset first). */
static bool gen_chunk(const gen_ctx *ctx, chunk *ck, uint64_t lo, uint64_t hi)
{
    for (int f = 0; f < F__N; f++)
        ck->out[f].len = 0;
    for (uint64_t h = lo; h < hi; h++)
        if (!gen_household(ctx, h, ck))
            return false;
    return true;
}

/* Append the first nc chunks of a set to the files, file by file, in order. */
static bool write_set(const int fds[F__N], chunk *set, int nc, char (*tmp)[PATH_MAX],
                      folio_error *err)
{
    for (int f = 0; f < F__N; f++)
        for (int c = 0; c < nc; c++)
            if (!write_all(fds[f], set[c].out[f].p, set[c].out[f].len, tmp[f], err))
                return false;
    return true;
}

bool samples_generate(const char *out_dir, const folio_samples_options *opt,
                      folio_error *err)
{
    if (!out_dir || !opt) {
        folio_error_set(err, FOLIO_EXIT_USAGE, "samples: no output directory or options");
        return false;
    }
    if (opt->households < 1 || opt->households > SAMPLES_MAX_HOUSEHOLDS) {
        folio_error_set(err, FOLIO_EXIT_USAGE,
                        "samples: --households must be between 1 and %llu",
                        (unsigned long long)SAMPLES_MAX_HOUSEHOLDS);
        return false;
    }
    if (!folio_mkdirs(out_dir, err))
        return false;

    gen_ctx *ctx = malloc(sizeof *ctx);
    if (!ctx) {
        folio_error_set(err, FOLIO_EXIT_FAILED, "samples: out of memory");
        return false;
    }
    ctx_init(ctx, opt->seed);
    if (!ctx_labels(ctx)) {
        free(ctx);
        folio_error_set(err, FOLIO_EXIT_FAILED, "samples: out of memory");
        return false;
    }

    int threads = opt->threads > 0 ? opt->threads : omp_get_max_threads();
    if (threads < 1)
        threads = 1;
    /* chunks per round: enough to keep every thread busy, bounded so memory
     * stays ~2 x 64 x 1.3 MB whatever the thread count */
    int n_chunks = threads * 2 < 4 ? 4 : threads * 2 > 64 ? 64 : threads * 2;
    chunk *chunks = calloc((size_t)n_chunks * 2, sizeof *chunks);
    char (*tmp)[PATH_MAX] = malloc(sizeof(char[F__N][PATH_MAX]));
    char (*fin)[PATH_MAX] = malloc(sizeof(char[F__N][PATH_MAX]));
    int fds[F__N];
    for (int f = 0; f < F__N; f++)
        fds[f] = -1;
    bool ok = chunks && tmp && fin;
    if (!ok)
        folio_error_set(err, FOLIO_EXIT_FAILED, "samples: out of memory");
    for (int c = 0; ok && c < n_chunks * 2; c++) {
        chunks[c].tl = malloc(sizeof(txlist));
        if (!chunks[c].tl) {
            folio_error_set(err, FOLIO_EXIT_FAILED, "samples: out of memory");
            ok = false;
        }
    }

    char suffix[32];
    snprintf(suffix, sizeof suffix, ".tmp-%ld", (long)getpid());
    for (int f = 0; ok && f < F__N; f++) {
        if (!join_path(tmp[f], PATH_MAX, out_dir, file_names[f], suffix, err) ||
            !join_path(fin[f], PATH_MAX, out_dir, file_names[f], NULL, err)) {
            ok = false;
            break;
        }
        fds[f] = open(tmp[f], O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
        if (fds[f] < 0) {
            folio_error_set(err, FOLIO_EXIT_FAILED, "%s: cannot create: %s", tmp[f], strerror(errno));
            ok = false;
            break;
        }
        const char *hdr = f == F_CUST ? customers_header
                        : f == F_CONTACT ? contacts_header
                        : (f % 2 == 1) ? accounts_header : txns_header;
        ok = write_all(fds[f], hdr, strlen(hdr), tmp[f], err);
    }
    if (ok && opt->with_errors)
        ok = write_bad_rows(fds, tmp, out_dir, err);

    /* Rounds of n_chunks chunks: while the tasks of round r generate into
     * one set of chunk buffers, a writer task appends round r-1 (the other
     * set) to the files, strictly in chunk order. */
    uint64_t n_hh = opt->households;
    uint64_t per_round = (uint64_t)n_chunks * CHUNK_HH;
    int bad = 0;
#pragma omp parallel num_threads(threads)
#pragma omp single
    {
        int cur = 0, pending = -1, pending_nc = 0;
        for (uint64_t base = 0; ok && base < n_hh; base += per_round) {
            uint64_t left = n_hh - base;
            int nc = (int)((left + CHUNK_HH - 1) / CHUNK_HH);
            if (nc > n_chunks)
                nc = n_chunks;
            chunk *set = chunks + (size_t)cur * (size_t)n_chunks;
            for (int c = 0; c < nc; c++) {
#pragma omp task firstprivate(c, set, base) shared(bad)
                {
                    uint64_t lo = base + (uint64_t)c * CHUNK_HH;
                    uint64_t hi = lo + CHUNK_HH < n_hh ? lo + CHUNK_HH : n_hh;
                    if (!gen_chunk(ctx, &set[c], lo, hi)) {
#pragma omp atomic write
                        bad = 1;
                    }
                }
            }
            if (pending >= 0) {
                chunk *wset = chunks + (size_t)pending * (size_t)n_chunks;
                int wnc = pending_nc;
#pragma omp task firstprivate(wset, wnc) shared(ok, fds, tmp, err)
                ok = write_set(fds, wset, wnc, tmp, err);
            }
#pragma omp taskwait
            if (bad) {
                folio_error_set(err, FOLIO_EXIT_FAILED,
                                "samples: out of memory (chunk buffer cap %zu bytes)", SB_MAX);
                ok = false;
            }
            pending = cur;
            pending_nc = nc;
            cur ^= 1;
        }
        if (ok && pending >= 0)
            ok = write_set(fds, chunks + (size_t)pending * (size_t)n_chunks, pending_nc, tmp, err);
    }

    for (int f = 0; f < F__N; f++)
        if (fds[f] >= 0 && close(fds[f]) != 0 && ok) {
            folio_error_set(err, FOLIO_EXIT_FAILED, "%s: close failed: %s", tmp[f], strerror(errno));
            ok = false;
        }
    /* From here on the old job.yaml (if any) must not point at a mix of old
     * and new feeds: it goes first and comes back last. */
    char job_path[PATH_MAX], list_path[PATH_MAX];
    if (ok && (!join_path(job_path, sizeof job_path, out_dir, "job.yaml", NULL, err) ||
               !join_path(list_path, sizeof list_path, out_dir, "expected_rejects.csv", NULL, err)))
        ok = false;
    if (ok) {
        unlink(job_path);
        if (!opt->with_errors)
            unlink(list_path);   /* a stale list would promise rejects */
    }
    for (int f = 0; ok && f < F__N; f++)
        if (rename(tmp[f], fin[f]) != 0) {
            folio_error_set(err, FOLIO_EXIT_FAILED, "%s: rename failed: %s", fin[f], strerror(errno));
            ok = false;
        }
    if (!ok && tmp)
        for (int f = 0; f < F__N; f++)
            if (fds[f] >= 0)
                unlink(tmp[f]);
    if (ok)
        ok = write_job(out_dir, opt, err);

    if (chunks)
        for (int c = 0; c < n_chunks * 2; c++) {
            for (int f = 0; f < F__N; f++)
                free(chunks[c].out[f].p);
            free(chunks[c].tl);
        }
    free(chunks);
    free(tmp);
    free(fin);
    free(ctx->city_label);
    free(ctx);
    return ok;
}
