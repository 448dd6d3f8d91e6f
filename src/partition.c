/* SPDX-License-Identifier: Apache-2.0 */
/*
 * partition.c -- issue 12 part 2: `folio partition` (folio/partition.h).
 *
 * 1. The job is loaded; its customers, accounts and holders feeds are read
 *    with the run's own loader and grouped with the run's own householding,
 *    so a household is exactly what `folio run` would form.
 * 2. Maps: customer id, account id and household id -> shard (FNV-1a of the
 *    household id, as `--shard`).
 * 3. Each feed is streamed once from a memory map: a quote-aware scanner
 *    cuts records, takes the key column and appends the record's bytes to
 *    its shard's file (holders, customers, accounts first, so a customer
 *    or account the run rejects goes where the rows naming it go: each
 *    shard then rejects them with the reasons a whole run gives).
 * 4. The job file is written once per shard with its path scalars replaced
 *    (feeds -> feeds/NAME, layout and catalogue absolute, output.dir out).
 */
#include "folio/partition.h"
#include "feed-private.h"
#include "folio/feed.h"
#include "folio/household.h"
#include "folio/job.h"
#include "yamltree.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <omp.h>
#include <openssl/evp.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static double cpu_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

int folio_shard_of(const char *id, int n)
{
    uint64_t h = 1469598103934665603ULL;          /* must stay run-households.c fnv1a */
    for (const char *s = id; *s; s++) {
        h ^= (unsigned char)*s;
        h *= 1099511628211ULL;
    }
    return n > 0 ? (int)(h % (uint64_t)n) : 0;
}

/* ---- id -> shard ------------------------------------------------------------ */

typedef struct { const char *k; uint32_t n; uint16_t shard; } pent;
typedef struct { pent *v; size_t cap, n; char **owned; size_t n_owned, cap_owned; } pmap;

static uint64_t hash_bytes(const char *s, size_t n)
{
    uint64_t h = 1469598103934665603ULL;
    for (size_t i = 0; i < n; i++) {
        h ^= (unsigned char)s[i];
        h *= 1099511628211ULL;
    }
    return h ^ (h >> 29);
}

static bool pmap_init(pmap *m, size_t want)
{
    size_t cap = 64;
    while (cap < want * 2 + 16)
        cap *= 2;
    m->v = calloc(cap, sizeof *m->v);
    m->cap = cap;
    return m->v != NULL;
}

static pent *pmap_slot(const pmap *m, const char *k, size_t n)
{
    size_t i = (size_t)hash_bytes(k, n) & (m->cap - 1);
    while (m->v[i].k && (m->v[i].n != n || memcmp(m->v[i].k, k, n)))
        i = (i + 1) & (m->cap - 1);
    return &m->v[i];
}

static int pmap_find(const pmap *m, const char *k, size_t n)
{
    if (!n)
        return -1;
    const pent *e = pmap_slot(m, k, n);
    return e->k ? e->shard : -1;
}

static bool pmap_grow(pmap *m)
{
    pmap g = {0};
    if (!pmap_init(&g, m->cap))
        return false;
    for (size_t i = 0; i < m->cap; i++)
        if (m->v[i].k)
            *pmap_slot(&g, m->v[i].k, m->v[i].n) = m->v[i];
    free(m->v);
    m->v = g.v;
    m->cap = g.cap;
    return true;
}

/* Adds k -> shard unless k is there; copy: the key is not owned elsewhere. */
static bool pmap_put(pmap *m, const char *k, size_t n, int shard, bool copy)
{
    if (!n)
        return true;
    if ((m->n + 1) * 2 > m->cap && !pmap_grow(m))
        return false;
    pent *e = pmap_slot(m, k, n);
    if (e->k)
        return true;
    if (copy) {
        char *c = malloc(n ? n : 1);
        if (!c)
            return false;
        memcpy(c, k, n);
        if (m->n_owned == m->cap_owned) {
            size_t nc = m->cap_owned ? m->cap_owned * 2 : 64;
            char **no = realloc(m->owned, nc * sizeof *no);
            if (!no) {
                free(c);
                return false;
            }
            m->owned = no;
            m->cap_owned = nc;
        }
        m->owned[m->n_owned++] = c;
        k = c;
    }
    *e = (pent){k, (uint32_t)n, (uint16_t)shard};
    m->n++;
    return true;
}

static void pmap_free(pmap *m)
{
    for (size_t i = 0; i < m->n_owned; i++)
        free(m->owned[i]);
    free(m->owned);
    free(m->v);
    memset(m, 0, sizeof *m);
}

/* ---- records ---------------------------------------------------------------- */

/* The record at p (< end): returns its end (after its LF, or end); *lines
 * gets the LFs it spans (at least 1 counted for the line it starts).
 * r-harden (round 26): the run's own scanner (feed_scan_record) cuts it:
 * a quote opens a quoted field only at a field's start.  The toggle on
 * every quote that was here took a stray quote inside an unquoted field
 * (`TV 55" screen`, a row the run rejects) as opening one, and glued the
 * rest of the file to that row: every later row went to its shard. */
static const char *record_end(feed_scanner *sc, const char *p, const char *end,
                              uint32_t *lines)
{
    uint32_t nl = 0;
    bool open_quote;
    size_t e = feed_scan_record(sc, (size_t)(p - sc->d), &nl, &open_quote);
    *lines = nl + 1;
    return e < sc->len ? sc->d + e + 1 : end;
}

/* Field k of the record [p, e) into buf (unquoted, blanks around trimmed);
 * returns its length, 0 when the record has no field k. */
static size_t field_at(const char *p, const char *e, char delim, char quote, int k,
                       char *buf, size_t cap)
{
    int idx = 0;
    size_t n = 0;
    bool inq = false, was_quoted = false;
    for (const char *q = p; q < e; q++) {
        char c = *q;
        if (quote && c == quote) {
            if (inq && q + 1 < e && q[1] == quote) {
                if (idx == k && n < cap)
                    buf[n++] = c;
                q++;
                continue;
            }
            inq = !inq;
            was_quoted = true;
            continue;
        }
        if (!inq && (c == delim || c == '\n' || c == '\r')) {
            if (idx == k)
                break;
            if (c != delim)
                break;
            idx++;
            continue;
        }
        if (idx == k && n < cap)
            buf[n++] = c;
    }
    if (idx != k)
        return 0;
    size_t a = 0;
    if (!was_quoted) {
        while (a < n && (buf[a] == ' ' || buf[a] == '\t'))
            a++;
        while (n > a && (buf[n - 1] == ' ' || buf[n - 1] == '\t'))
            n--;
    }
    if (a)
        memmove(buf, buf + a, n - a);
    return n - a;
}

/* Index of header name `name` among the header record's fields, -1 if absent. */
static int header_index(const char *p, const char *e, char delim, char quote, const char *name)
{
    /* r-harden (round 26): as long as the record (a header name of 512
     * bytes or more was cut here, never matched, and every row of the feed
     * went to shard 1) */
    size_t cap = (size_t)(e - p) + 1;
    char *buf = malloc(cap);
    int found = -1;
    if (!buf)
        return -1;
    size_t want = strlen(name);
    if ((size_t)(e - p) >= 3 && !memcmp(p, "\xEF\xBB\xBF", 3))
        p += 3;
    for (int k = 0; k < 4096 && found < 0; k++) {
        size_t n = field_at(p, e, delim, quote, k, buf, cap);
        if (n == want && !memcmp(buf, name, n)) {
            found = k;
            break;
        }
        if (!n) {
            /* an empty header cell or the end: look one further only if a
             * delimiter follows */
            int seen = 0;
            bool inq = false;
            for (const char *q = p; q < e; q++) {
                if (quote && *q == quote)
                    inq = !inq;
                else if (!inq && *q == delim)
                    seen++;
            }
            if (k >= seen)
                break;
        }
    }
    free(buf);
    return found;
}

/* ---- shard output files ------------------------------------------------------ */

/* A shard's output file and its .lines map, each through its own buffer
 * (one write(2) per MiB, no stdio per record). */
typedef struct {
    int fd;
    char *buf;
    size_t len;
    bool failed;
    EVP_MD_CTX *md;               /* a shard feed's SHA-256 as written, else NULL */
    uint64_t bytes;               /* written */
} obuf;

#define OBUF_CAP ((size_t)1 << 20)

static bool obuf_flush(obuf *o)
{
    size_t off = 0;
    if (o->md && o->len)
        EVP_DigestUpdate(o->md, o->buf, o->len);
    o->bytes += o->len;
    while (!o->failed && off < o->len) {
        ssize_t w = write(o->fd, o->buf + off, o->len - off);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0)
            o->failed = true;
        else
            off += (size_t)w;
    }
    o->len = 0;
    return !o->failed;
}

static bool obuf_put(obuf *o, const void *p, size_t n)
{
    if (o->len + n > OBUF_CAP && !obuf_flush(o))
        return false;
    if (n > OBUF_CAP) {
        size_t off = 0;
        if (o->md)
            EVP_DigestUpdate(o->md, p, n);
        o->bytes += n;
        while (off < n) {
            ssize_t w = write(o->fd, (const char *)p + off, n - off);
            if (w < 0 && errno == EINTR)
                continue;
            if (w <= 0)
                return !(o->failed = true);
            off += (size_t)w;
        }
        return true;
    }
    memcpy(o->buf + o->len, p, n);
    o->len += n;
    return true;
}

/* digest: the file's SHA-256 is taken as it is written (issue 12, r-harden
 * round 27: partition.json records it for `folio run` to check) */
static bool obuf_open(obuf *o, const char *path, bool digest)
{
    o->fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    o->buf = malloc(OBUF_CAP);
    o->len = 0;
    o->bytes = 0;
    o->md = digest ? EVP_MD_CTX_new() : NULL;
    o->failed = o->fd < 0 || !o->buf || (digest && (!o->md ||
                !EVP_DigestInit_ex(o->md, EVP_sha256(), NULL)));
    return !o->failed;
}

/* hex (when not NULL and the file was digested): its SHA-256 */
static bool obuf_close(obuf *o, char hex[65])
{
    bool ok = o->fd >= 0 && obuf_flush(o);
    if (o->fd >= 0 && close(o->fd) != 0)
        ok = false;
    if (o->md && hex) {
        unsigned char d[EVP_MAX_MD_SIZE];
        unsigned int n = 0;
        ok = EVP_DigestFinal_ex(o->md, d, &n) && n == 32 && ok;
        for (unsigned i = 0; i < 32; i++)
            snprintf(hex + 2 * i, 3, "%02x", d[i]);
    }
    EVP_MD_CTX_free(o->md);
    free(o->buf);
    o->fd = -1;
    o->buf = NULL;
    o->md = NULL;
    return ok;
}

typedef struct {
    obuf f, lines;
    uint64_t records;
} shard_out;

static bool put_lines(shard_out *o, uint32_t first, uint32_t n)
{
    for (uint32_t i = 0; i < n; i++) {
        uint32_t v = first + i;
        unsigned char b[4] = {(unsigned char)v, (unsigned char)(v >> 8),
                              (unsigned char)(v >> 16), (unsigned char)(v >> 24)};
        if (!obuf_put(&o->lines, b, 4))
            return false;
    }
    return true;
}

static bool put_record(shard_out *o, const char *p, const char *e, uint32_t line, uint32_t nl)
{
    size_t n = (size_t)(e - p);
    if (nl == 1 && n && e[-1] == '\n' && o->f.len + n <= OBUF_CAP &&
        o->lines.len + 4 <= OBUF_CAP) {
        /* issue 12 part 2 (r-merge): one line, room in both buffers */
        memcpy(o->f.buf + o->f.len, p, n);
        o->f.len += n;
        unsigned char *b = (unsigned char *)o->lines.buf + o->lines.len;
        b[0] = (unsigned char)line;
        b[1] = (unsigned char)(line >> 8);
        b[2] = (unsigned char)(line >> 16);
        b[3] = (unsigned char)(line >> 24);
        o->lines.len += 4;
        return true;
    }
    if (!obuf_put(&o->f, p, (size_t)(e - p)))
        return false;
    if (e > p && e[-1] != '\n' && !obuf_put(&o->f, "\n", 1))
        return false;
    return put_lines(o, line, nl);
}

typedef struct part {
    const folio_partition_options *o;
    folio_job *job;
    char dir[PATH_MAX];
    pmap cust, acct, hh;
    folio_partition_report *rep;
    uint64_t **per_shard;          /* [feed][shard] records */
    uint64_t **bytes;              /* [feed][shard] bytes of the shard's file */
    char (**sha)[65];              /* [feed][shard] its SHA-256 */
    char (**lsha)[65];             /* [feed][shard] its .lines map's (round 28) */
    uint64_t **lbytes;             /* [feed][shard] bytes of the .lines map */
    char id[33];                   /* the partition's id (random) */
} part;

static const char *base_name(const char *p)
{
    const char *s = strrchr(p, '/');
    return s ? s + 1 : p;
}

/* The key columns of a feed: primary (map), fallback (map); the primary map
 * learns the unknown ids of customers and accounts feeds. */
static void feed_keys(part *P, const folio_feed_def *d, folio_field *k1, pmap **m1,
                      folio_field *k2, pmap **m2)
{
    *k2 = FOLIO_F__COUNT;
    *m2 = NULL;
    switch (d->kind) {
    case FOLIO_FEED_CUSTOMERS:
    case FOLIO_FEED_CUSTOMER_ATTRS:
        *k1 = FOLIO_F_CUSTOMER_ID; *m1 = &P->cust; break;
    case FOLIO_FEED_ACCOUNTS:
        *k1 = FOLIO_F_ACCOUNT_ID; *m1 = &P->acct;
        *k2 = FOLIO_F_OWNER_ID; *m2 = &P->cust; break;
    case FOLIO_FEED_ACCOUNT_ATTRS:
        *k1 = FOLIO_F_ACCOUNT_ID; *m1 = &P->acct; break;
    case FOLIO_FEED_TRANSACTIONS:
        *k1 = FOLIO_F_TXN_ACCOUNT_ID; *m1 = &P->acct; break;
    case FOLIO_FEED_HOLDERS:
        *k1 = FOLIO_F_HOLDER_ACCOUNT_ID; *m1 = &P->acct;
        *k2 = FOLIO_F_HOLDER_CUSTOMER_ID; *m2 = &P->cust; break;
    case FOLIO_FEED_RESPONSES:        /* issue 15 part 4: like contacts */
        *k1 = FOLIO_F_RESP_KEY; *m1 = &P->hh;
        *k2 = FOLIO_F_RESP_KEY; *m2 = &P->cust; break;
    case FOLIO_FEED_EVENTS:         /* issue 15 part 2: household or customer key */
        *k1 = FOLIO_F_EVENT_KEY; *m1 = &P->hh;
        *k2 = FOLIO_F_EVENT_KEY; *m2 = &P->cust; break;
    case FOLIO_FEED_CONTACTS:
    default:
        *k1 = FOLIO_F_CONTACT_KEY; *m1 = &P->hh;
        *k2 = FOLIO_F_CONTACT_KEY; *m2 = &P->cust; break;
    }
}

static bool split_feed(part *P, int fi, folio_error *err)
{
    const folio_feed_def *d = &P->job->feeds[fi];
    int N = P->o->shards;
    int fd = folio_input_open(d->path, NULL, FOLIO_EXIT_FAILED, NULL, err);
    if (fd < 0)
        return false;
    struct stat st;
    if (fstat(fd, &st) != 0) {
        folio_error_set(err, FOLIO_EXIT_FAILED, "%s: %s", d->path, strerror(errno));
        close(fd);
        return false;
    }
    size_t len = (size_t)st.st_size;
    const char *data = len ? mmap(NULL, len, PROT_READ, MAP_PRIVATE, fd, 0) : "";
    close(fd);
    if (data == MAP_FAILED) {
        folio_error_set(err, FOLIO_EXIT_FAILED, "%s: %s", d->path, strerror(errno));
        return false;
    }
    if (len)
        madvise((void *)data, len, MADV_SEQUENTIAL);
    feed_scanner sc;
    feed_scanner_init(&sc, data, len, d->delimiter, d->quote);
    shard_out *so = calloc((size_t)N, sizeof *so);
    bool ok = so != NULL;
    char path[PATH_MAX + 64];
    for (int s = 0; ok && s < N; s++)
        so[s].f.fd = so[s].lines.fd = -1;
    for (int s = 0; ok && s < N; s++) {
        snprintf(path, sizeof path, "%s/s%02d/feeds/%s", P->dir, s + 1, base_name(d->path));
        bool o1 = obuf_open(&so[s].f, path, true);
        snprintf(path + strlen(path), 8, ".lines");
        if (!o1 || !obuf_open(&so[s].lines, path, true)) {
            folio_error_set(err, FOLIO_EXIT_FAILED, "%s: %s", path, strerror(errno));
            ok = false;
        }
    }
    const char *p = data, *end = data + len;
    uint32_t line = 1;
    folio_field k1, k2;
    pmap *m1, *m2;
    feed_keys(P, d, &k1, &m1, &k2, &m2);
    int c1 = -1, c2 = -1;
    /* the header (and blank lines before it) goes to every shard */
    while (ok && p < end && d->header) {
        uint32_t nl;
        const char *e = record_end(&sc, p, end, &nl);
        const char *q = p;
        if (p == data && e - p >= 3 && !memcmp(p, "\xEF\xBB\xBF", 3))
            q += 3;                                  /* a BOM */
        while (q < e && (*q == ' ' || *q == '\t' || *q == '\r' || *q == '\n'))
            q++;
        for (int s = 0; ok && s < N; s++)
            ok = put_record(&so[s], p, e, line, nl);
        line += nl;
        const char *h = p;
        p = e;
        if (q < e) {                                 /* the header record */
            if (d->columns[k1])
                c1 = header_index(h, e, d->delimiter, d->quote, d->columns[k1]);
            if (k2 != FOLIO_F__COUNT && d->columns[k2])
                c2 = header_index(h, e, d->delimiter, d->quote, d->columns[k2]);
            break;
        }
    }
    /* r-harden (round 26): the key buffer grows to twice the record (key
     * and fallback key) -- a key of 1,024 bytes or more was cut to 1,023,
     * so ids sharing those bytes went to one shard, whose run rejected the
     * others' rows */
    char kbuf[1024], *key = kbuf;
    size_t kcap = sizeof kbuf;
    size_t dropped = 0;
    bool learn = d->kind == FOLIO_FEED_CUSTOMERS || d->kind == FOLIO_FEED_ACCOUNTS;
    /* issue 12 part 2 (r-merge): the split's scan.  A record with no quote
     * byte (nq: the next quote at or after p) is cut at its LF and its key
     * field found with memchr (glibc's vector scans), no byte loop; a CR
     * before the key's end, a quoted record or a blank-looking start go
     * through record_end and field_at as before, with the same result.
     * Rows of one account follow each other in a transactions feed: the
     * last key's shard is reused. */
    const char *nq = d->quote ? data : end;
    char last[sizeof kbuf];
    size_t last_n = 0;
    int last_s = -1;
    /* test hook: FOLIO_TEST_PARTITION_SLOW takes the byte path for every
     * record (tests/e2e/scale.sh compares the two) */
    bool slow = getenv("FOLIO_TEST_PARTITION_SLOW") != NULL;
    bool cache = !slow && !learn && d->kind != FOLIO_FEED_HOLDERS;
    while (ok && p < end) {
        if ((P->rep->records & 0xffff) == 0 && folio_stopped(err)) {
            ok = false;
            break;
        }
        uint32_t nl = 1;
        const char *e = NULL;
        size_t kn = 0;
        bool have_key = false;
        if (c1 >= 0 && !slow && *p != ' ' && *p != '\t' && *p != '\r' && *p != '\n') {
            if (p >= nq) {
                const char *qq = memchr(p, d->quote, (size_t)(end - p));
                nq = qq ? qq : end;
            }
            const char *lf = memchr(p, '\n', (size_t)(end - p));
            const char *le = lf ? lf : end;
            if (le <= nq) {
                const char *a = p, *b = NULL;
                for (int k = 0; a && k < c1; k++) {
                    a = memchr(a, d->delimiter, (size_t)(le - a));
                    a = a ? a + 1 : NULL;
                }
                if (a) {
                    b = memchr(a, d->delimiter, (size_t)(le - a));
                    b = b ? b : le;
                    if (b == le && b > a && b[-1] == '\r')
                        b--;                    /* a CRLF line's last field */
                }
                if (!a || ((size_t)(b - a) < sizeof kbuf && !memchr(p, '\r', (size_t)(b - p)))) {
                    e = lf ? lf + 1 : end;
                    have_key = true;            /* no field c1: kn 0 */
                    while (a && a < b && (*a == ' ' || *a == '\t'))
                        a++;
                    while (a && b > a && (b[-1] == ' ' || b[-1] == '\t'))
                        b--;
                    if (a) {
                        kn = (size_t)(b - a);
                        memcpy(key, a, kn);
                    }
                }
            }
        }
        if (!e) {
            e = record_end(&sc, p, end, &nl);
            const char *q = p;
            while (q < e && (*q == ' ' || *q == '\t' || *q == '\r' || *q == '\n'))
                q++;
            if (q == e) {                            /* blank line: not a record */
                line += nl;
                p = e;
                continue;
            }
        }
        if (2 * (size_t)(e - p) + 2 > kcap) {
            size_t nc = 2 * (size_t)(e - p) + 2;
            char *nk = key == kbuf ? malloc(nc) : realloc(key, nc);
            if (!nk) {
                folio_error_set(err, FOLIO_EXIT_FAILED, "out of memory");
                ok = false;
                break;
            }
            if (key == kbuf)
                memcpy(nk, kbuf, kn);
            key = nk;
            kcap = nc;
        }
        int s = -1;
        if (c1 >= 0 && !have_key)
            kn = field_at(p, e, d->delimiter, d->quote, c1, key, kcap);
        if (kn && cache && kn == last_n && !memcmp(key, last, kn)) {
            s = last_s;
        } else if (kn) {
            s = pmap_find(m1, key, kn);
            if (cache && s >= 0 && kn <= sizeof last) {
                memcpy(last, key, kn);
                last_n = kn;
                last_s = s;
            }
        }
        if (s < 0 && m2 && c2 >= 0) {
            size_t kn2 = field_at(p, e, d->delimiter, d->quote, c2, key + kn, kcap - kn);
            if (kn2)
                s = pmap_find(m2, key + kn, kn2);
        }
        if (s < 0)
            s = 0;                 /* names nothing accepted: shard 1 rejects it */
        if (learn && kn && !pmap_put(m1, key, kn, s, true)) {
            folio_error_set(err, FOLIO_EXIT_FAILED, "out of memory");
            ok = false;
            break;
        }
        /* a holders row naming a customer the run rejects: that customer's
         * row (and its accounts) go where the holders row goes, so the
         * shard rejects the link as "customer rejected", as a whole run */
        if (d->kind == FOLIO_FEED_HOLDERS && c2 >= 0) {
            size_t kc = field_at(p, e, d->delimiter, d->quote, c2, key, kcap);
            if (kc && pmap_find(&P->cust, key, kc) < 0 &&
                !pmap_put(&P->cust, key, kc, s, true)) {
                folio_error_set(err, FOLIO_EXIT_FAILED, "out of memory");
                ok = false;
                break;
            }
        }
        ok = put_record(&so[s], p, e, line, nl);
        so[s].records++;
        if ((size_t)(e - data) - dropped >= ((size_t)64 << 20)) {
            /* the pages read so far are not needed again: RSS stays flat */
            size_t upto = ((size_t)(e - data) / 4096) * 4096;
            madvise((void *)data, upto, MADV_DONTNEED);
            dropped = upto;
        }
        P->rep->records++;
        line += nl;
        p = e;
    }
    for (int s = 0; s < N && so; s++) {
        if (!obuf_close(&so[s].f, P->sha[fi][s]))
            ok = false;
        if (!obuf_close(&so[s].lines, P->lsha[fi][s]))
            ok = false;
        P->lbytes[fi][s] = so[s].lines.bytes;
        P->per_shard[fi][s] = so[s].records;
        P->bytes[fi][s] = so[s].f.bytes;
    }
    if (!ok)
        folio_error_set(err, FOLIO_EXIT_FAILED, "%s: writing the shard files failed: %s",
                        d->path, strerror(errno ? errno : EIO));
    if (key != kbuf)
        free(key);
    P->rep->bytes += len;
    if (len)
        munmap((void *)data, len);
    free(so);
    return ok;
}

/* ---- the shard job files ------------------------------------------------------ */

typedef struct { int line, col; char *value; } edit;

static int cmp_edit(const void *a, const void *b)
{
    const edit *x = a, *y = b;
    return x->line != y->line ? (y->line > x->line) - (y->line < x->line)
                              : (y->col > x->col) - (y->col < x->col);
}

/* An absolute path for a job path scalar (relative to the job's directory). */
static char *abs_path(const char *job_dir, const char *raw)
{
    char joined[PATH_MAX * 2], *r;
    if (raw[0] == '/')
        snprintf(joined, sizeof joined, "%s", raw);
    else
        snprintf(joined, sizeof joined, "%s/%s", job_dir, raw);
    if ((r = realpath(joined, NULL)))
        return r;
    if (joined[0] == '/')
        return strdup(joined);
    char cwd[PATH_MAX];
    if (!getcwd(cwd, sizeof cwd))
        return strdup(joined);
    char *out = NULL;
    return asprintf(&out, "%s/%s", cwd, joined) < 0 ? NULL : out;
}

static bool add_edit(edit *ed, int *n, const yt_node *node, char *value)
{
    if (!node || node->kind != YT_SCALAR || !value) {
        free(value);
        return node == NULL;
    }
    ed[*n] = (edit){node->line, node->col, value};
    (*n)++;
    return true;
}

static bool write_shard_jobs(part *P, folio_error *err)
{
    yt_doc *doc = yt_load(P->job->path, err);
    if (!doc)
        return false;
    const folio_job *J = P->job;
    int cap = J->n_feeds + 8, n = 0;
    edit *ed = calloc((size_t)cap, sizeof *ed);
    char *text = NULL;
    size_t tlen = 0;
    bool ok = ed != NULL;
    const yt_node *root = doc->root, *feeds = yt_get(root, "feeds");
    for (int i = 0; ok && feeds && i < feeds->n; i++) {
        char *v = NULL;
        ok = asprintf(&v, "feeds/%s", base_name(J->feeds[i].path)) >= 0 &&
             add_edit(ed, &n, yt_get(feeds->items[i], "path"), v);
    }
    const yt_node *lay = yt_get(root, "layout"), *out = yt_get(root, "output"),
                  *off = yt_get(root, "offers");
    if (ok && lay && lay->kind == YT_SCALAR)
        ok = add_edit(ed, &n, lay, abs_path(J->dir, lay->str));
    if (ok && out && yt_get(out, "dir"))
        ok = add_edit(ed, &n, yt_get(out, "dir"), strdup("out"));
    if (ok && off && off->kind == YT_MAP && yt_get(off, "catalogue"))
        ok = add_edit(ed, &n, yt_get(off, "catalogue"),
                      abs_path(J->dir, yt_get(off, "catalogue")->str));
    if (!ok)
        folio_error_set(err, FOLIO_EXIT_USAGE, "%s: a path key is not a plain value", J->path);
    /* issue 15 (r-journey): the job file again through folio_input_fopen */
    FILE *f = ok ? folio_input_fopen(J->path, NULL, FOLIO_EXIT_FAILED, err) : NULL;
    if (ok && !f)
        ok = false;
    if (f) {
        text = malloc(YT_MAX_FILE + 1);
        tlen = text ? fread(text, 1, YT_MAX_FILE, f) : 0;
        fclose(f);
        ok = text != NULL;
    }
    qsort(ed, (size_t)n, sizeof *ed, cmp_edit);   /* last first: offsets stay valid */
    folio_buf b;
    folio_buf_init(&b, (size_t)YT_MAX_FILE * 2);
    if (ok)
        folio_buf_append(&b, text, tlen);
    for (int i = 0; ok && i < n; i++) {
        /* the byte offset of line:col (columns count characters) */
        size_t off0 = 0;
        for (int l = 1; l < ed[i].line && off0 < b.len; off0++)
            if (b.data[off0] == '\n')
                l++;
        size_t a = off0;
        for (int c = 1; c < ed[i].col && a < b.len && b.data[a] != '\n'; a++)
            if (((unsigned char)b.data[a] & 0xC0) != 0x80)
                c++;
        while (a < b.len && ((unsigned char)b.data[a] & 0xC0) == 0x80)
            a++;
        size_t z = a;
        char q = a < b.len ? b.data[a] : 0;
        if (q == '"' || q == '\'') {
            for (z = a + 1; z < b.len && b.data[z] != '\n'; z++) {
                if (q == '"' && b.data[z] == '\\') {
                    z++;
                    continue;
                }
                if (b.data[z] == q) {
                    if (q == '\'' && z + 1 < b.len && b.data[z + 1] == '\'') {
                        z++;
                        continue;
                    }
                    break;
                }
            }
            if (z >= b.len || b.data[z] != q) {
                ok = false;
                break;
            }
            z++;
        } else {
            while (z < b.len && b.data[z] != '\n' && b.data[z] != '#' &&
                   b.data[z] != ',' && b.data[z] != '}' && b.data[z] != '\r')
                z++;
            while (z > a && (b.data[z - 1] == ' ' || b.data[z - 1] == '\t'))
                z--;
        }
        folio_buf r;
        folio_buf_init(&r, 0);
        folio_buf_putc(&r, '"');
        for (const char *s = ed[i].value; *s; s++) {
            if (*s == '"' || *s == '\\')
                folio_buf_putc(&r, '\\');
            folio_buf_putc(&r, *s);
        }
        folio_buf_putc(&r, '"');
        folio_buf nb;
        folio_buf_init(&nb, (size_t)YT_MAX_FILE * 2);
        folio_buf_append(&nb, b.data, a);
        folio_buf_append(&nb, r.data, r.len);
        folio_buf_append(&nb, b.data + z, b.len - z);
        ok = !nb.failed && !r.failed;
        folio_buf_free(&r);
        folio_buf_free(&b);
        b = nb;
    }
    if (!ok && !err->code)
        folio_error_set(err, FOLIO_EXIT_USAGE, "%s: cannot rewrite a path of the job file",
                        J->path);
    char path[PATH_MAX + 64];
    for (int s = 0; ok && s < P->o->shards; s++) {
        snprintf(path, sizeof path, "%s/s%02d/job.yaml", P->dir, s + 1);
        ok = folio_write_file_atomic(path, b.data, b.len, err);
        char js[128];
        int jn = snprintf(js, sizeof js, "{\"index\": %d, \"count\": %d, \"partition\": \"%s\"}\n",
                          s + 1, P->o->shards, P->id);
        snprintf(path, sizeof path, "%s/s%02d/shard.json", P->dir, s + 1);
        ok = ok && folio_write_file_atomic(path, js, (size_t)jn, err);
    }
    folio_buf_free(&b);
    for (int i = 0; i < n; i++)
        free(ed[i].value);
    free(ed);
    free(text);
    yt_free(doc);
    return ok;
}

static bool write_partition_json(part *P, folio_error *err)
{
    folio_buf b;
    folio_buf_init(&b, 0);
    char *job = abs_path(".", P->job->path);
    folio_buf_puts(&b, "{\n  \"job\": ");
    folio_buf_put_json_str(&b, job ? job : P->job->path, strlen(job ? job : P->job->path));
    free(job);
    folio_buf_puts(&b, ",\n  \"job_sha256\": ");
    folio_buf_put_json_str(&b, P->job->input.sha256, strlen(P->job->input.sha256));
    folio_buf_puts(&b, ",\n  \"id\": ");
    folio_buf_put_json_str(&b, P->id, strlen(P->id));
    folio_buf_puts(&b, ",\n  \"shards\": ");
    folio_buf_put_int(&b, P->o->shards);
    folio_buf_puts(&b, ",\n  \"households\": ");
    folio_buf_put_int(&b, (int64_t)P->rep->households);
    folio_buf_puts(&b, ",\n  \"feeds\": [");
    for (int f = 0; f < P->job->n_feeds; f++) {
        const folio_feed_def *d = &P->job->feeds[f];
        uint64_t total = 0;
        for (int s = 0; s < P->o->shards; s++)
            total += P->per_shard[f][s];
        folio_buf_puts(&b, f ? ",\n    {\"name\": " : "\n    {\"name\": ");
        folio_buf_put_json_str(&b, d->name, strlen(d->name));
        folio_buf_puts(&b, ", \"file\": ");
        folio_buf_put_json_str(&b, base_name(d->path), strlen(base_name(d->path)));
        folio_buf_puts(&b, ", \"records\": ");
        folio_buf_put_int(&b, (int64_t)total);
        folio_buf_puts(&b, ", \"per_shard\": [");
        for (int s = 0; s < P->o->shards; s++) {
            if (s)
                folio_buf_puts(&b, ", ");
            folio_buf_put_int(&b, (int64_t)P->per_shard[f][s]);
        }
        /* r-harden (round 27): each shard's file, checked by `folio run` */
        folio_buf_puts(&b, "], \"shard_files\": [");
        for (int s = 0; s < P->o->shards; s++) {
            folio_buf_puts(&b, s ? ", {\"bytes\": " : "{\"bytes\": ");
            folio_buf_put_int(&b, (int64_t)P->bytes[f][s]);
            folio_buf_puts(&b, ", \"sha256\": ");
            folio_buf_put_json_str(&b, P->sha[f][s], 64);
            if (P->lsha[f][s][0]) {      /* r-harden (round 28): merge checks it */
                folio_buf_puts(&b, ", \"lines_bytes\": ");
                folio_buf_put_int(&b, (int64_t)P->lbytes[f][s]);
                folio_buf_puts(&b, ", \"lines_sha256\": ");
                folio_buf_put_json_str(&b, P->lsha[f][s], 64);
            }
            folio_buf_putc(&b, '}');
        }
        folio_buf_puts(&b, "]}");
    }
    folio_buf_puts(&b, "\n  ]\n}\n");
    char path[PATH_MAX + 32];
    snprintf(path, sizeof path, "%s/partition.json", P->dir);
    bool ok = !b.failed && folio_write_file_atomic(path, b.data, b.len, err);
    folio_buf_free(&b);
    return ok;
}

/* ---- a partition that did not finish (r-harden, round 26) -------------------- */

/* DIR/.partition-incomplete exists from before the first sII directory is
 * made until after partition.json is written: sII directories beside it
 * are what a partition that was killed (or failed) left, and the next
 * partition into DIR removes them, whatever N was; sII directories
 * without it and without partition.json are not folio's to remove. */
#define PART_MARK ".partition-incomplete"

/* "sNN" or "sNNN": a shard directory's name */
static bool shard_name(const char *n)
{
    size_t k = strlen(n);
    if (n[0] != 's' || k < 3 || k > 4)
        return false;
    for (size_t i = 1; i < k; i++)
        if (n[i] < '0' || n[i] > '9')
            return false;
    return true;
}

/* What a partition writes in a shard directory: job.yaml, shard.json (and
 * their temporary names), feeds/ with plain files. */
static bool own_file(const char *n)
{
    return !strcmp(n, "job.yaml") || !strcmp(n, "shard.json") ||
           !strncmp(n, "job.yaml.tmp-", 13) || !strncmp(n, "shard.json.tmp-", 15);
}

/* A stream over the entries of directory fd from its first entry, fd itself
 * left open for the caller (closedir closes a dup). */
static DIR *dir_of_fd(int fd, const char *shown, folio_error *err)
{
    int dfd = dup(fd);
    DIR *d = dfd >= 0 ? fdopendir(dfd) : NULL;
    if (!d) {
        if (dfd >= 0)
            close(dfd);
        folio_error_set(err, FOLIO_EXIT_FAILED, "%s: %s", shown, strerror(errno));
        return NULL;
    }
    rewinddir(d);                      /* the dup shares fd's offset */
    return d;
}

/* One pass over the entries of directory fd (its entries named relative to
 * it, never through a link): with rm false each is checked to be what a
 * partition writes there (feeds: plain files, a shard directory: own_file
 * and feeds/), with rm true each such entry is removed -- so a shard
 * directory holding anything else (a shard's out/, a link) is refused
 * whole, not half removed (review of r-harden, round 26). */
static bool shard_pass(int fd, const char *shown, bool feeds, bool rm, folio_error *err)
{
    DIR *d = dir_of_fd(fd, shown, err);
    if (!d)
        return false;
    struct dirent *e;
    bool ok = true;
    while (ok && (e = readdir(d))) {
        const char *n = e->d_name;
        if (!strcmp(n, ".") || !strcmp(n, ".."))
            continue;
        struct stat st;
        if (fstatat(fd, n, &st, AT_SYMLINK_NOFOLLOW) != 0) {
            if (errno == ENOENT)
                continue;
            folio_error_set(err, FOLIO_EXIT_FAILED, "%s/%s: %s", shown, n, strerror(errno));
            ok = false;
        } else if (!feeds && !strcmp(n, "feeds") && S_ISDIR(st.st_mode)) {
            int ffd = openat(fd, n, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
            char sub[PATH_MAX + 300];
            snprintf(sub, sizeof sub, "%s/feeds", shown);
            if (ffd < 0) {
                folio_error_set(err, FOLIO_EXIT_FAILED, "%s: %s", sub, strerror(errno));
                ok = false;
                break;
            }
            ok = shard_pass(ffd, sub, true, rm, err);
            close(ffd);
            if (ok && rm && unlinkat(fd, n, AT_REMOVEDIR) != 0 && errno != ENOENT) {
                folio_error_set(err, FOLIO_EXIT_FAILED, "%s: %s", sub, strerror(errno));
                ok = false;
            }
        } else if (S_ISREG(st.st_mode) && (feeds || own_file(n))) {
            if (rm && unlinkat(fd, n, 0) != 0 && errno != ENOENT) {
                folio_error_set(err, FOLIO_EXIT_FAILED, "%s/%s: %s", shown, n,
                                strerror(errno));
                ok = false;
            }
        } else {
            folio_error_set(err, FOLIO_EXIT_USAGE, "%s/%s: not written by folio "
                            "partition; remove it or give an empty directory", shown, n);
            ok = false;
        }
    }
    closedir(d);
    return ok;
}

/* Shard directory NAME in DIR (dirfd): with rm false, checks that it is a
 * real directory (not a link: opened with O_NOFOLLOW) holding only what a
 * partition writes; with rm true, removes that and the directory (a missing
 * one is fine).  Anything else is named in err (exit 2) and stays. */
static bool shard_dir(int dirfd, const char *dir, const char *name, bool rm, folio_error *err)
{
    char shown[PATH_MAX + 300];
    snprintf(shown, sizeof shown, "%s/%s", dir, name);
    int fd = openat(dirfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    if (fd < 0) {
        if (errno == ENOENT)
            return true;
        if (errno == ELOOP || errno == ENOTDIR) {
            folio_error_set(err, FOLIO_EXIT_USAGE, "%s: not a directory (a symbolic link "
                            "or a file); folio partition writes its shards only into "
                            "directories of its own: remove it or give an empty "
                            "directory", shown);
            return false;
        }
        folio_error_set(err, FOLIO_EXIT_FAILED, "%s: %s", shown, strerror(errno));
        return false;
    }
    bool ok = shard_pass(fd, shown, false, false, err) &&
              (!rm || shard_pass(fd, shown, false, true, err));
    close(fd);
    if (ok && rm && unlinkat(dirfd, name, AT_REMOVEDIR) != 0 && errno != ENOENT) {
        folio_error_set(err, FOLIO_EXIT_FAILED, "%s: %s", shown, strerror(errno));
        ok = false;
    }
    return ok;
}

/* Before a partition into DIR (no partition.json there, its lock held):
 * every sII an unfinished partition left (DIR/.partition-incomplete) is
 * removed, those beyond this N too, so no later run or merge finds a shard
 * of another cut; sII without the mark are refused, and so is any sII that
 * is not a real directory (a link: the partition would write and remove
 * through it) or holds what a partition does not write.  All are checked
 * before any is removed. */
static bool clear_unfinished(int dirfd, const char *dir, folio_error *err)
{
    struct stat st;
    bool ours = fstatat(dirfd, PART_MARK, &st, AT_SYMLINK_NOFOLLOW) == 0;
    for (int rm = 0; rm < 2; rm++) {
        DIR *d = dir_of_fd(dirfd, dir, err);
        if (!d)
            return false;
        struct dirent *e;
        bool ok = true;
        while (ok && (e = readdir(d))) {
            if (!shard_name(e->d_name))
                continue;
            if (ours) {
                ok = shard_dir(dirfd, dir, e->d_name, rm, err);
            } else if (fstatat(dirfd, e->d_name, &st, AT_SYMLINK_NOFOLLOW) == 0 &&
                       !S_ISDIR(st.st_mode)) {
                ok = shard_dir(dirfd, dir, e->d_name, false, err);  /* names it */
            } else {
                folio_error_set(err, FOLIO_EXIT_USAGE, "%s: holds %s, which no unfinished "
                                "folio partition left (no %s); give an empty directory",
                                dir, e->d_name, PART_MARK);
                ok = false;
            }
        }
        closedir(d);
        if (!ok)
            return false;
    }
    return true;
}

/* A failed or stopped partition: its shard directories go, then the mark
 * (a kill before this leaves the mark: the next partition clears up). */
static void remove_unfinished(int dirfd, const char *dir, int shards)
{
    char name[16];
    folio_error e2 = {0};
    bool ok = true;
    for (int s = 0; s < shards; s++) {
        snprintf(name, sizeof name, "s%02d", s + 1);
        ok = shard_dir(dirfd, dir, name, true, &e2) && ok;
    }
    if (ok)
        unlinkat(dirfd, PART_MARK, 0);
}

/* A test hook as merge's (merge.c): with FOLIO_TEST_PHASES and
 * FOLIO_TEST_STOP_AT=NAME set, partition stops itself (SIGSTOP) at the
 * start of step NAME (partition-split: the split of the second feed, the
 * first one's shard files written; partition-jobs: the shard job files). */
static void test_stop_at(const char *name)
{
    const char *at = getenv("FOLIO_TEST_STOP_AT");
    if (at && !strcmp(at, name) && getenv("FOLIO_TEST_PHASES"))
        raise(SIGSTOP);
}

/* The order feeds are split in: holders first (they place the customers the
 * run rejects), customers, accounts (they place the accounts the run rejects,
 * for their transactions), then the rest.  (The households are formed from
 * ranks 0-2 before any split.) */
static int kind_rank(int kind)
{
    return kind == FOLIO_FEED_HOLDERS ? 0 : kind == FOLIO_FEED_CUSTOMERS ? 1
         : kind == FOLIO_FEED_ACCOUNTS ? 2 : 3;
}

int folio_partition(const folio_partition_options *o, folio_partition_report *rep,
                    folio_error *err)
{
    folio_partition_report own = {0};
    part P = {.o = o, .rep = rep ? rep : &own};
    memset(P.rep, 0, sizeof *P.rep);
    double t0 = now_s();
    int rc = FOLIO_EXIT_FAILED;
    folio_dataset *ds = NULL;
    folio_households hs = {0};
    folio_feed_def *sub = NULL;
    bool made = false;                 /* shard directories made: removed on failure */
    int dirfd = -1;                    /* DIR, flock'ed while the partition runs */
    if (o->shards < 1 || o->shards > 999) {
        folio_error_set(err, FOLIO_EXIT_USAGE, "--shards needs a number from 1 to 999");
        return FOLIO_EXIT_USAGE;
    }
    if (o->threads > 0)
        omp_set_num_threads(o->threads);
    P.job = job_load(o->job_path, err);
    if (!P.job)
        return FOLIO_EXIT_USAGE;
    folio_job *J = P.job;
    /* what a partition cannot keep: rows joined by line number, files
     * without a header, two feeds of one base name */
    for (int f = 0; f < J->n_feeds; f++) {
        const folio_feed_def *d = &J->feeds[f];
        if (d->key_is_line || !d->header) {
            folio_error_set(err, FOLIO_EXIT_USAGE,
                            "%s:%d: feed '%s' %s; folio partition routes rows by their key "
                            "column", J->path, d->line, d->name,
                            d->key_is_line ? "joins its rows by line number"
                                           : "has no header row");
            rc = FOLIO_EXIT_USAGE;
            goto done;
        }
        for (int g = 0; g < f; g++)
            if (!strcmp(base_name(J->feeds[g].path), base_name(d->path))) {
                folio_error_set(err, FOLIO_EXIT_USAGE,
                                "%s:%d: feeds '%s' and '%s' have the same file name %s; a "
                                "shard keeps the names (rejects.csv names them)", J->path,
                                d->line, J->feeds[g].name, d->name, base_name(d->path));
                rc = FOLIO_EXIT_USAGE;
                goto done;
            }
    }
    if (!realpath(o->out_dir, P.dir)) {
        if (!folio_mkdirs(o->out_dir, err) || !realpath(o->out_dir, P.dir)) {
            folio_error_set(err, FOLIO_EXIT_FAILED, "%s: %s", o->out_dir, strerror(errno));
            goto done;
        }
    }
    /* One partition into DIR at a time (review of r-harden, round 26): a
     * second one took the first's sII, beside its mark, as left over and
     * removed them under it.  An exclusive flock on DIR itself -- no file
     * to leave behind -- held until exit; a killed partition's goes with
     * it. */
    dirfd = open(P.dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (dirfd < 0) {
        folio_error_set(err, FOLIO_EXIT_FAILED, "%s: %s", o->out_dir, strerror(errno));
        goto done;
    }
    if (flock(dirfd, LOCK_EX | LOCK_NB) != 0) {
        if (errno == EWOULDBLOCK) {
            folio_error_set(err, FOLIO_EXIT_USAGE, "%s: another folio partition is cutting "
                            "into it (it holds the directory's lock); wait for it to end "
                            "or give another directory", o->out_dir);
            rc = FOLIO_EXIT_USAGE;
        } else {
            folio_error_set(err, FOLIO_EXIT_FAILED, "%s: cannot lock: %s", o->out_dir,
                            strerror(errno));
        }
        goto done;
    }
    char path[PATH_MAX + 32];
    snprintf(path, sizeof path, "%s/partition.json", P.dir);
    if (access(path, F_OK) == 0) {
        folio_error_set(err, FOLIO_EXIT_USAGE,
                        "%s: already holds a partition; give an empty directory", o->out_dir);
        rc = FOLIO_EXIT_USAGE;
        goto done;
    }
    if (!clear_unfinished(dirfd, P.dir, err)) {
        rc = err->code;
        goto done;
    }
    snprintf(path, sizeof path, "%s/" PART_MARK, P.dir);
    if (!folio_write_file_atomic(path, "", 0, err))
        goto done;
    made = true;

    for (int s = 0; s < o->shards; s++) {  /* none there now: made, not followed */
        char name[24], feeds[32];
        snprintf(name, sizeof name, "s%02d", s + 1);
        snprintf(feeds, sizeof feeds, "%s/feeds", name);
        const char *bad = mkdirat(dirfd, name, 0755) != 0 ? name
                        : mkdirat(dirfd, feeds, 0755) != 0 ? feeds : NULL;
        if (bad) {
            folio_error_set(err, FOLIO_EXIT_FAILED, "%s/%s: cannot create directory: %s",
                            P.dir, bad, strerror(errno));
            goto done;
        }
    }
    /* 1. households from the customers, accounts and holders feeds */
    double tl = now_s();
    sub = calloc((size_t)J->n_feeds + 1, sizeof *sub);
    if (!sub)
        goto oom;
    folio_job sj = *J;
    sj.feeds = sub;
    sj.n_feeds = 0;
    for (int f = 0; f < J->n_feeds; f++)
        if (kind_rank(J->feeds[f].kind) < 3)
            sub[sj.n_feeds++] = J->feeds[f];
    ds = feed_load_all(&sj, o->threads, err);
    if (!ds || !household_group(ds, NULL, 0, &hs, err))
        goto done;
    P.rep->households = hs.n;
    if (!pmap_init(&P.cust, ds->n_customers) || !pmap_init(&P.acct, ds->n_accounts) ||
        !pmap_init(&P.hh, hs.n))
        goto oom;
    for (size_t h = 0; h < hs.n; h++) {
        const folio_household *v = &hs.v[h];
        int s = folio_shard_of(v->id, o->shards);
        if (!pmap_put(&P.hh, v->id, strlen(v->id), s, true))
            goto oom;
        for (uint32_t i = 0; i < v->n_customers; i++) {
            const char *id = ds->customers[hs.customer_idx[v->first_customer + i]].id;
            if (!pmap_put(&P.cust, id, strlen(id), s, true))
                goto oom;
        }
        for (uint32_t i = 0; i < v->n_accounts; i++) {
            const char *id = ds->accounts[hs.account_idx[v->first_account + i]].id;
            if (!pmap_put(&P.acct, id, strlen(id), s, true))
                goto oom;
        }
    }
    household_free(&hs);
    memset(&hs, 0, sizeof hs);
    feed_dataset_free(ds);
    ds = NULL;
    P.rep->load_seconds = now_s() - tl;
    /* 2. every feed streamed once, customers/accounts/holders first */
    double tsp = now_s(), csp = cpu_s();
    P.per_shard = calloc((size_t)J->n_feeds + 1, sizeof *P.per_shard);
    if (!P.per_shard)
        goto oom;
    P.bytes = calloc((size_t)J->n_feeds + 1, sizeof *P.bytes);
    P.sha = calloc((size_t)J->n_feeds + 1, sizeof *P.sha);
    P.lsha = calloc((size_t)J->n_feeds + 1, sizeof *P.lsha);
    P.lbytes = calloc((size_t)J->n_feeds + 1, sizeof *P.lbytes);
    if (!P.bytes || !P.sha || !P.lsha || !P.lbytes)
        goto oom;
    for (int f = 0; f < J->n_feeds; f++)
        if (!(P.per_shard[f] = calloc((size_t)o->shards, sizeof **P.per_shard)) ||
            !(P.bytes[f] = calloc((size_t)o->shards, sizeof **P.bytes)) ||
            !(P.sha[f] = calloc((size_t)o->shards, sizeof **P.sha)) ||
            !(P.lsha[f] = calloc((size_t)o->shards, sizeof **P.lsha)) ||
            !(P.lbytes[f] = calloc((size_t)o->shards, sizeof **P.lbytes)))
            goto oom;
    int nsplit = 0;
    for (int rank = 0; rank < 4; rank++)
        for (int f = 0; f < J->n_feeds; f++)
            if (kind_rank(J->feeds[f].kind) == rank) {
                if (nsplit++ == 1)
                    test_stop_at("partition-split");
                if (!split_feed(&P, f, err))
                    goto done;
            }
    P.rep->split_seconds = now_s() - tsp;
    P.rep->split_cpu_seconds = cpu_s() - csp;
    test_stop_at("partition-jobs");
    {   /* the partition's id, named by every shard.json (r-harden, round 27):
         * of its content -- job, N, every shard file's SHA-256 -- so the same
         * cut twice is the same bytes */
        folio_buf ib;
        folio_buf_init(&ib, 0);
        folio_buf_puts(&ib, J->input.sha256);
        folio_buf_put_int(&ib, o->shards);
        for (int f = 0; f < J->n_feeds; f++)
            for (int s = 0; s < o->shards; s++)
                folio_buf_append(&ib, P.sha[f][s], 64);
        char hex[65];
        folio_sha256_hex(ib.data ? ib.data : "", ib.len, hex);
        folio_buf_free(&ib);
        memcpy(P.id, hex, 32);
        P.id[32] = 0;
    }
    if (folio_stopped(err) || !write_shard_jobs(&P, err) || folio_stopped(err) ||
        !write_partition_json(&P, err)) {
        rc = err->code ? err->code : FOLIO_EXIT_FAILED;
        goto done;
    }
    snprintf(path, sizeof path, "%s/" PART_MARK, P.dir);
    unlink(path);                      /* partition.json is there: complete */
    made = false;
    rc = FOLIO_EXIT_OK;
    goto done;
oom:
    folio_error_set(err, FOLIO_EXIT_FAILED, "out of memory");
done:
    if (made)                          /* r-harden (round 26): nothing half cut stays */
        remove_unfinished(dirfd, P.dir, o->shards);
    if (dirfd >= 0)
        close(dirfd);                  /* the lock goes with it */
    P.rep->seconds = now_s() - t0;
    for (int f = 0; f < J->n_feeds; f++) {
        free(P.per_shard ? P.per_shard[f] : NULL);
        free(P.bytes ? P.bytes[f] : NULL);
        free(P.sha ? P.sha[f] : NULL);
        free(P.lsha ? P.lsha[f] : NULL);
        free(P.lbytes ? P.lbytes[f] : NULL);
    }
    free(P.per_shard);
    free(P.bytes);
    free(P.sha);
    free(P.lsha);
    free(P.lbytes);
    pmap_free(&P.cust);
    pmap_free(&P.acct);
    pmap_free(&P.hh);
    household_free(&hs);
    feed_dataset_free(ds);
    free(sub);
    job_free(J);
    if (rc == FOLIO_EXIT_FAILED && err->code == FOLIO_EXIT_USAGE)
        rc = FOLIO_EXIT_USAGE;
    return rc;
}
