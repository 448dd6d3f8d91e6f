/* SPDX-License-Identifier: Apache-2.0 */
/*
 * merge.c -- issue 12 part 3: `folio merge` and `folio verify` of a merged
 * directory (folio/merge.h).
 */
#include "folio/merge.h"
#include "folio/feed.h"
#include "folio/job.h"
#include "folio/production.h"
#include "folio/proof.h"
#include "merge-proofs.h"
#include "merge-spill.h"         /* r-harden (round 28) */
#include "report-html.h"          /* issue 12 part 3 (r-merge) */
#include "verify-private.h"

#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <signal.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

/* ---- small helpers -------------------------------------------------------------- */

/* A file read again after it was checked (the shards' manifests): NULL on
 * any failure, never a hang. */
static char *slurp(const char *path, size_t *n)
{
    folio_error e = {0};
    bool absent;
    return verify_slurp(path, n, FOLIO_EXIT_FAILED, &absent, &e);
}


static void dir_of(const char *path, char *out, size_t cap)
{
    snprintf(out, cap, "%s", path);
    char *s = strrchr(out, '/');
    if (s && s != out)
        *s = 0;
    else if (s)
        s[1] = 0;
    else
        snprintf(out, cap, ".");
}

/* Exact decimal sums of JSON numbers: mantissa scaled to `dec` decimals. */
typedef struct { __int128 m; int dec; bool bad; } decsum;

static void dec_add(decsum *d, const char *t)
{
    bool neg = *t == '-';
    if (neg || *t == '+')
        t++;
    __int128 m = 0;
    int dec = -1;
    for (; *t; t++) {
        if (*t == '.') {
            dec = 0;
            continue;
        }
        if (*t < '0' || *t > '9') {
            d->bad = true;
            return;
        }
        m = m * 10 + (*t - '0');
        if (dec >= 0)
            dec++;
    }
    if (dec < 0)
        dec = 0;
    while (d->dec < dec) {
        d->m *= 10;
        d->dec++;
    }
    while (dec < d->dec) {
        m *= 10;
        dec++;
    }
    d->m += neg ? -m : m;
}

static void dec_put(folio_buf *b, const decsum *d)
{
    __int128 m = d->m;
    if (m < 0) {
        folio_buf_putc(b, '-');
        m = -m;
    }
    char digits[64];
    int n = 0;
    do {
        digits[n++] = (char)('0' + (int)(m % 10));
        m /= 10;
    } while (m > 0 || n <= d->dec);
    for (int i = n - 1; i >= 0; i--) {
        folio_buf_putc(b, digits[i]);
        if (i == d->dec && d->dec > 0)
            folio_buf_putc(b, '.');
    }
}

/* Figures of the whole input: shards on the full feeds each report all of
 * them (every shard reads and rejects every row), so they count once. */
static bool whole_input_key(const char *k)
{
    static const char *const keys[] = {"rejected_rows", "read", "rejected", "amount_read",
                                       "amount_rejected", NULL};
    for (int i = 0; keys[i]; i++)
        if (!strcmp(k, keys[i]))
            return true;
    return false;
}

/* The same member of every shard's object, summed where it is a number
 * (once: the whole-input figures from the first shard only).  The members
 * are the union over the shards, in order of first appearance: a shard may
 * hold a currency (a key of a per-currency amount) that shard 1 has not. */
static void sum_tree(folio_buf *b, const verify_json *const *objs, int n, bool once)
{
    folio_buf_putc(b, '{');
    bool first = true;
    for (int os = 0; os < n && os < 1024; os++)
    for (int i = 0; i < verify_json_len(objs[os]); i++) {
        const char *k = verify_json_key_at(objs[os], i);
        const verify_json *v = verify_json_at(objs[os], i);
        bool seen = false;
        for (int e = 0; e < os && !seen; e++)
            seen = verify_json_get(objs[e], k) != NULL;
        if (seen)
            continue;
        const verify_json *sub[1024];
        int m = 0;
        for (int s = 0; s < n && s < 1024; s++) {
            const verify_json *x = verify_json_get(objs[s], k);
            if (x)
                sub[m++] = x;
        }
        if (once && whole_input_key(k) && m > 1)
            m = 1;       /* an object of whole-input figures (per currency): shard 1's */
        if (verify_json_is_obj(v)) {
            bool all = true;
            for (int s = 0; s < m; s++)
                all = all && verify_json_is_obj(sub[s]);
            if (!all)
                continue;
            if (!first)
                folio_buf_putc(b, ',');
            first = false;
            folio_buf_put_json_str(b, k, strlen(k));
            folio_buf_putc(b, ':');
            sum_tree(b, sub, m, once);
        } else if (verify_json_is_num(v)) {
            decsum d = {0};
            for (int s = 0; s < (once && whole_input_key(k) ? (m > 0) : m); s++)
                if (verify_json_is_num(sub[s]))
                    dec_add(&d, verify_json_text(sub[s]));
            if (d.bad)
                continue;
            if (!first)
                folio_buf_putc(b, ',');
            first = false;
            folio_buf_put_json_str(b, k, strlen(k));
            folio_buf_putc(b, ':');
            dec_put(b, &d);
        }
    }
    folio_buf_putc(b, '}');
}

/* ---- the shards ---------------------------------------------------------------- */

typedef struct {
    char dir[PATH_MAX];
    char job[PATH_MAX + 8];       /* the shard's job file */
    char part[PATH_MAX];          /* partition directory, "" when on full feeds */
    verify_json *man;
    int64_t index, count;
} shard_in;

typedef struct { char *name; uint64_t bytes; char sha[65]; } lfile;

typedef struct {
    lfile *v;
    size_t n, cap;
} lfiles;

static bool list_files(const char *root, const char *rel, lfiles *L, folio_error *err)
{
    char path[PATH_MAX * 2];
    snprintf(path, sizeof path, "%s%s%s", root, *rel ? "/" : "", rel);
    DIR *d = opendir(path);
    if (!d) {
        folio_error_set(err, FOLIO_EXIT_FAILED, "%s: %s", path, strerror(errno));
        return false;
    }
    struct dirent *e;
    char **names = NULL;
    size_t nn = 0, cn = 0;
    while ((e = readdir(d))) {
        if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, "..") ||
            !strcmp(e->d_name, ".folio.lock"))
            continue;
        if (nn == cn) {
            cn = cn ? cn * 2 : 32;
            char **nv = realloc(names, cn * sizeof *nv);
            if (!nv)
                break;
            names = nv;
        }
        names[nn++] = strdup(e->d_name);
    }
    closedir(d);
    for (size_t i = 0; i + 1 < nn; i++)           /* sorted: a stable listing */
        for (size_t j = i + 1; j < nn; j++)
            if (strcmp(names[i], names[j]) > 0) {
                char *t = names[i];
                names[i] = names[j];
                names[j] = t;
            }
    bool ok = true;
    for (size_t i = 0; i < nn && ok; i++) {
        char r[PATH_MAX];
        snprintf(r, sizeof r, "%s%s%s", rel, *rel ? "/" : "", names[i]);
        snprintf(path, sizeof path, "%s/%s", root, r);
        struct stat st;
        if (lstat(path, &st) != 0)
            continue;
        if (S_ISDIR(st.st_mode)) {
            ok = list_files(root, r, L, err);
            continue;
        }
        if (!S_ISREG(st.st_mode))
            continue;
        if (L->n == L->cap) {
            L->cap = L->cap ? L->cap * 2 : 64;
            lfile *nv = realloc(L->v, L->cap * sizeof *nv);
            if (!nv) {
                ok = false;
                break;
            }
            L->v = nv;
        }
        lfile *f = &L->v[L->n];
        f->name = strdup(r);
        ok = f->name && !folio_stopped(err) &&      /* r-harden: a SIGTERM */
             folio_sha256_file(path, f->sha, &f->bytes, err);
        if (ok)
            L->n++;
        else
            free(f->name);                          /* r-harden: not leaked */
    }
    for (size_t i = 0; i < nn; i++)
        free(names[i]);
    free(names);
    return ok;
}

static bool load_shard(shard_in *S, const char *dir, folio_error *err)
{
    if (!realpath(dir, S->dir)) {
        folio_error_set(err, FOLIO_EXIT_USAGE, "%s: %s", dir, strerror(errno));
        return false;
    }
    char path[PATH_MAX + 32];
    snprintf(path, sizeof path, "%s/manifest.json", S->dir);
    if (!(S->man = verify_json_read_file(path, err)))
        return false;
    const verify_json *job = verify_json_get(S->man, "job");
    const char *rd = verify_json_str(job, "run_dir"), *file = verify_json_str(job, "file");
    if (!job || !verify_json_int(job, "shard_index", &S->index) ||
        !verify_json_int(job, "shard_count", &S->count) || !file || S->count < 1) {
        folio_error_set(err, FOLIO_EXIT_USAGE,
                        "%s: not the manifest of a shard run (folio run --shard I/N)", path);
        return false;
    }
    if (file[0] == '/' || !rd)
        snprintf(S->job, sizeof S->job, "%s", file);
    else
        snprintf(S->job, sizeof S->job, "%s/%s", rd, file);
    char jd[PATH_MAX + 16];
    dir_of(S->job, jd, sizeof jd);
    snprintf(path, sizeof path, "%s/shard.json", jd);
    S->part[0] = 0;
    if (access(path, F_OK) == 0) {
        snprintf(path, sizeof path, "%s/..", jd);
        if (!realpath(path, S->part))
            S->part[0] = 0;
    }
    return true;
}

/* r-harden (round 26): every output file a shard's manifest lists
 * (outputs, piece_files, records, proofs.files) is in its OUT with the
 * bytes and SHA-256 listed.  A print file deleted or a pieces file cut
 * after the shard ran was merged with exit 0: the merged ticket listed the
 * files as they were then, and a mailing without them verified. */
static bool check_one(const shard_in *S, const lfiles *L, const verify_json *e,
                      folio_error *err)
{
    const char *file = verify_json_str(e, "file"), *sha = verify_json_str(e, "sha256");
    int64_t bytes = -1;
    if (!file || !sha)
        return true;
    verify_json_int(e, "bytes", &bytes);
    for (size_t i = 0; i < L->n; i++)
        if (!strcmp(L->v[i].name, file)) {
            if (!strcmp(L->v[i].sha, sha) && (bytes < 0 || (uint64_t)bytes == L->v[i].bytes))
                return true;
            char hex[65], path[PATH_MAX * 2];
            uint64_t db = 0;
            folio_error e2 = {0};
            snprintf(path, sizeof path, "%s/%s", S->dir, file);
            if (!strcmp(file, "report.html") && report_html_digest(path, hex, &db, &e2) &&
                !strcmp(hex, sha) && (bytes < 0 || (uint64_t)bytes == db))
                return true;            /* listed without its timings (report-html.h) */
            folio_error_set(err, FOLIO_EXIT_USAGE, "shard %lld: %s/%s: %llu bytes, SHA-256 "
                            "%.16s..., but the shard's manifest.json lists %lld bytes, "
                            "%.16s...: the file changed after the shard ran (run the "
                            "shard again)", (long long)S->index, S->dir, file,
                            (unsigned long long)L->v[i].bytes, L->v[i].sha,
                            (long long)bytes, sha);
            return false;
        }
    char path[PATH_MAX * 2];
    struct stat st;
    snprintf(path, sizeof path, "%s/%s", S->dir, file);
    if (lstat(path, &st) == 0) {        /* there, not a regular file: say what it is */
        int fd = folio_input_open(path, NULL, FOLIO_EXIT_USAGE, NULL, err);
        if (fd >= 0)
            close(fd);
        if (err->code)
            return false;
    }
    folio_error_set(err, FOLIO_EXIT_USAGE, "shard %lld: %s/%s: missing, but the shard's "
                    "manifest.json lists it (run the shard again)", (long long)S->index,
                    S->dir, file);
    return false;
}

static bool check_listed(const shard_in *S, const lfiles *L, folio_error *err)
{
    static const char *const lists[] = {"outputs", "piece_files", "records"};
    for (size_t k = 0; k < sizeof lists / sizeof *lists; k++) {
        const verify_json *a = verify_json_get(S->man, lists[k]);
        for (int i = 0; i < verify_json_len(a); i++)
            if (!check_one(S, L, verify_json_at(a, i), err))
                return false;
    }
    const verify_json *pf = verify_json_get(verify_json_get(S->man, "proofs"), "files");
    for (int i = 0; i < verify_json_len(pf); i++)
        if (!check_one(S, L, verify_json_at(pf, i), err))
            return false;
    return true;
}

/* r-fixm: the row loops below (pieces, rejects, contacts, the frequency
 * records, audit.jsonl) run to millions of rows at scale; every
 * MERGE_TICK rows they take the stop test hook's tick and end on a stop
 * request (SIGTERM: cli-merge.c), so a stop is not left to the manifest. */
#define MERGE_TICK 4096
static bool merge_tick(uint64_t i)
{
    if (i % MERGE_TICK)
        return false;
    folio_test_stop_stall(false);
    return folio_stop != 0;
}

/* r-fixm: a test hook as `folio run`'s (cli-run.c): with FOLIO_TEST_PHASES
 * and FOLIO_TEST_STOP_AT=NAME set, merge stops itself (SIGSTOP) at the
 * start of step NAME (merge-contacts: the shards' new contact rows,
 * merge-rows: the frequency records), so a test signals a
 * merge that is certainly there. */
static void test_stop_at(const char *name)
{
    const char *at = getenv("FOLIO_TEST_STOP_AT");
    if (at && !strcmp(at, name) && getenv("FOLIO_TEST_PHASES"))
        raise(SIGSTOP);
}

/* ---- pieces: ids and serials unique ------------------------------------------- */

/* r-harden (round 28, issue 12): every piece id and serial of every shard
 * goes through an external sort (merge-spill.c) in the merge's work
 * directory: the checks are the same (each id and serial counted against
 * the one before it in sorted order), in memory that does not grow with
 * the pieces (50 million households: GBs of ids before). */
typedef struct { msort *ids, *serials; uint64_t n; int col_id, col_serial; folio_error *err; } pieces;

static bool piece_row(void *ctx, uint64_t row, char **f, const size_t *len, size_t n)
{
    pieces *P = ctx;
    (void)len;
    if (merge_tick(row))
        return false;                   /* r-fixm: read_csv says stopped */
    if (row == 1) {
        P->col_id = P->col_serial = -1;
        for (size_t i = 0; i < n; i++) {
            if (!strcmp(f[i], "piece_id"))
                P->col_id = (int)i;
            if (!strcmp(f[i], "imb_serial"))
                P->col_serial = (int)i;
        }
        return true;
    }
    const char *id = P->col_id >= 0 && (size_t)P->col_id < n ? f[P->col_id] : "";
    uint64_t s = 0;
    if (P->col_serial >= 0 && (size_t)P->col_serial < n)
        verify_parse_u(f[P->col_serial], &s);
    unsigned char be[8];                /* big-endian: byte order is number order */
    for (int i = 0; i < 8; i++)
        be[i] = (unsigned char)(s >> (56 - 8 * i));
    if (!msort_add(P->ids, id, strlen(id), P->err) || !msort_add(P->serials, be, 8, P->err))
        return false;
    P->n++;
    return true;
}

/* Sorted records of s: *dups, how many equal the one before; *last the
 * last record (8 bytes: a serial) when last != NULL. */
static bool sorted_dups(msort *s, int64_t *dups, uint64_t *last, folio_error *err)
{
    char *prev = NULL;
    size_t plen = 0, pcap = 0;
    bool have = false;
    const char *p;
    size_t n;
    int g;
    uint64_t i = 0;
    *dups = 0;
    while ((g = msort_next(s, &p, &n, err)) == 1) {
        if (merge_tick(++i) && folio_stopped(err)) {
            free(prev);
            return false;
        }
        if (have && n == plen && !memcmp(p, prev, n))
            (*dups)++;
        if (n > pcap) {
            char *nv = realloc(prev, n);
            if (!nv) {
                free(prev);
                folio_error_set(err, FOLIO_EXIT_FAILED, "merge: out of memory");
                return false;
            }
            prev = nv;
            pcap = n;
        }
        if (n)                  /* an empty id: prev may still be NULL */
            memcpy(prev, p, n);
        plen = n;
        have = true;
    }
    if (g == 0 && last && have && plen == 8) {
        *last = 0;
        for (int k = 0; k < 8; k++)
            *last = *last << 8 | (unsigned char)prev[k];
    }
    free(prev);
    return g == 0;
}

/* The merge's spill files go to OUT/.merge-work (removed at the end, and
 * at the start: a killed merge's).  Records of one sort held in memory:
 * MERGE_SORT_MEM bytes (FOLIO_TEST_MERGE_SORT_BYTES: smaller, for tests). */
#define MERGE_SORT_MEM ((size_t)32 << 20)

static size_t merge_sort_mem(void)
{
    const char *t = getenv("FOLIO_TEST_MERGE_SORT_BYTES");
    long long v = t ? atoll(t) : 0;
    return v > 0 ? (size_t)v : MERGE_SORT_MEM;
}

/* r-harden (round 28): verify_csv_read stops at a row callback's false
 * but returns true (verify.c's readers stop early on purpose); here a
 * refused row is a failure -- a spill file that could not be written, out
 * of memory, a .lines map changed, a stop request -- never the file's end:
 * the rows after it would be missing from the checks. */
typedef struct { verify_csv_row fn; void *ctx; uint64_t refused; } csv_guard;

static bool guard_row(void *ctx, uint64_t row, char **f, const size_t *len, size_t n)
{
    csv_guard *g = ctx;
    if (g->fn(g->ctx, row, f, len, n))
        return true;
    g->refused = row;
    return false;
}

static bool read_csv(const char *path, verify_csv_row fn, void *ctx, folio_error *err)
{
    size_t n;
    bool absent;
    char *t = verify_slurp(path, &n, FOLIO_EXIT_FAILED, &absent, err);
    if (!t)
        return false;
    char why[200];
    csv_guard g = {fn, ctx, 0};
    bool ok = verify_csv_read(t, n, guard_row, &g, why, sizeof why);
    free(t);
    if (ok && g.refused) {
        ok = false;
        snprintf(why, sizeof why, "row %llu not taken (out of memory)",
                 (unsigned long long)g.refused);
    }
    if (!ok && !folio_stopped(err) && !err->code)     /* r-fixm: a row callback saw a stop request */
        folio_error_set(err, FOLIO_EXIT_FAILED, "%s: %s", path, why);
    return ok;
}

/* ---- rejects ------------------------------------------------------------------ */

typedef struct { int feed; uint64_t line; char *cells[5]; } rrow;
typedef struct {
    rrow *v;
    size_t n, cap;
    const verify_json *feeds;     /* partition.json feeds, NULL: full feeds */
    const char *shard_part;       /* DIR/sII */
    uint64_t *per_feed;           /* rejects per partition feed */
    bool bad;
    int shard;                    /* 0-based, the shard being read */
    uint8_t *lines_ok;            /* per partition feed: this shard's .lines checked */
    folio_error lerr;             /* a .lines map not the one the cut wrote */
} rejects;

/* r-harden (round 28, issue 12): a shard's feeds/FILE.lines (its lines'
 * numbers in the full feed) is what the cut wrote -- partition.json's
 * lines_bytes and lines_sha256 -- before merge numbers rejects by it: an
 * edited map gave rejects.csv the lines of other rows, with exit 3. */
static bool lines_same(rejects *R, int fi, const char *file)
{
    if (R->lines_ok[fi])
        return true;
    const verify_json *sf = verify_json_at(verify_json_get(verify_json_at(R->feeds, fi),
                                                           "shard_files"), R->shard);
    const char *sha = verify_json_str(sf, "lines_sha256");
    int64_t bytes = -1;
    char path[PATH_MAX * 2], hex[65];
    snprintf(path, sizeof path, "%s/feeds/%s.lines", R->shard_part, file);
    if (!sha || !verify_json_int(sf, "lines_bytes", &bytes)) {
        folio_error_set(&R->lerr, FOLIO_EXIT_USAGE, "%s: partition.json records no digest "
                        "of it (a cut by an earlier folio): the shard's rejects cannot be "
                        "numbered by the full feed's lines; cut the feeds again", path);
        return false;
    }
    uint64_t got = 0;
    folio_error e = {0};
    if (!folio_sha256_file(path, hex, &got, &e) || got != (uint64_t)bytes || strcmp(hex, sha)) {
        folio_error_set(&R->lerr, FOLIO_EXIT_USAGE, "%s: %s, but partition.json records "
                        "%lld bytes, SHA-256 %.16s...: the map of the shard's lines to the "
                        "full feed's changed after the cut; cut the feeds again", path,
                        e.code ? e.msg : "another size or SHA-256", (long long)bytes, sha);
        return false;
    }
    R->lines_ok[fi] = 1;
    return true;
}

static uint64_t map_line(const char *shard_part, const char *file, uint64_t line)
{
    char path[PATH_MAX * 2];
    snprintf(path, sizeof path, "%s/feeds/%s.lines", shard_part, file);
    folio_error e = {0};
    FILE *f = folio_input_fopen(path, NULL, FOLIO_EXIT_FAILED, &e);
    if (!f)
        return 0;
    unsigned char b[4] = {0};
    bool ok = line >= 1 && fseeko(f, (off_t)((line - 1) * 4), SEEK_SET) == 0 &&
              fread(b, 1, 4, f) == 4;
    fclose(f);
    return ok ? (uint64_t)b[0] | (uint64_t)b[1] << 8 | (uint64_t)b[2] << 16 |
                    (uint64_t)b[3] << 24
              : 0;
}

static bool reject_row(void *ctx, uint64_t row, char **f, const size_t *len, size_t n)
{
    rejects *R = ctx;
    (void)len;
    if (merge_tick(row))
        return false;                   /* r-fixm: read_csv says stopped */
    if (row == 1 || n < 5)
        return true;
    if (R->n == R->cap) {
        R->cap = R->cap ? R->cap * 2 : 256;
        rrow *nv = realloc(R->v, R->cap * sizeof *nv);
        if (!nv)
            return false;
        R->v = nv;
    }
    rrow *r = &R->v[R->n];
    uint64_t line = 0;
    verify_parse_u(f[1], &line);
    r->feed = INT32_MAX;
    for (int i = 0; R->feeds && i < verify_json_len(R->feeds); i++) {
        const char *file = verify_json_str(verify_json_at(R->feeds, i), "file");
        if (file && !strcmp(file, f[0])) {
            r->feed = i;
            R->per_feed[i]++;
            break;
        }
    }
    if (R->feeds && r->feed != INT32_MAX && !lines_same(R, r->feed, f[0]))
        return false;
    if (R->feeds) {
        uint64_t l = map_line(R->shard_part, f[0], line);
        if (!l)
            R->bad = true;
        line = l;
    }
    r->line = line;
    for (int i = 0; i < 5; i++)
        r->cells[i] = strdup(f[i]);
    R->n++;
    return true;
}

static int cmp_rrow(const void *a, const void *b)
{
    const rrow *x = a, *y = b;
    if (x->feed != y->feed)
        return x->feed < y->feed ? -1 : 1;
    if (x->feed == INT32_MAX) {
        int c = strcmp(x->cells[0], y->cells[0]);
        if (c)
            return c;
    }
    return (x->line > y->line) - (x->line < y->line);
}

/* ---- contact history --------------------------------------------------------- */

/* The contact rows the job read, as `folio run` writes them (records.c
 * write_contact_history: header, then each row read). */
static bool contacts_read_rows(const char *job_path, folio_buf *b, folio_afile *af,
                               folio_error *err)
{
    folio_job *J = job_load(job_path, err);
    if (!J)
        return false;
    folio_feed_def *sub = calloc((size_t)J->n_feeds + 1, sizeof *sub);
    folio_job sj = *J;
    sj.feeds = sub;
    sj.n_feeds = 0;
    const char *fmt = "YYYY-MM-DD";
    bool have = false;
    for (int i = 0; sub && i < J->n_feeds; i++)
        if (J->feeds[i].kind == FOLIO_FEED_CONTACTS) {
            if (!have && J->feeds[i].date_format && J->feeds[i].date_format[0])
                fmt = J->feeds[i].date_format;
            have = true;
            sub[sj.n_feeds++] = J->feeds[i];
        }
    folio_dataset *ds = sub && have ? feed_load_all(&sj, 0, err) : NULL;
    bool ok = !have || ds;
    char d[32];
    for (size_t i = 0; ds && i < ds->n_contacts; i++) {
        if (merge_tick(i + 1) && folio_stopped(err)) {     /* r-fixm */
            ok = false;
            break;
        }
        const folio_contact *c = &ds->contacts[i];
        folio_buf_put_csv_field(b, c->key, strlen(c->key));
        folio_buf_putc(b, ',');
        folio_buf_put_csv_field(b, c->offer_id, strlen(c->offer_id));
        folio_buf_putc(b, ',');
        size_t n = folio_date_format(c->date, fmt, d, sizeof d);
        folio_buf_put_csv_field(b, d, n);
        folio_buf_putc(b, ',');          /* issue 15: as records.c writes them */
        folio_buf_put_csv_field(b, c->variant ? c->variant : "", c->variant ? strlen(c->variant) : 0);
        folio_buf_puts(b, c->holdout ? ",holdout,\n" : ",,\n");
        if (!folio_afile_drain(af, b, (size_t)1 << 20)) {   /* r-harden (round 28) */
            ok = false;
            break;
        }
    }
    feed_dataset_free(ds);
    free(sub);
    job_free(J);
    return ok;
}

/* round 23 audit: the job's output.pieces.serial_start (1 when not set);
 * 0 with err when the job cannot be read. */
static uint64_t job_serial_start(const char *job_path, folio_error *err)
{
    folio_job *J = job_load(job_path, err);
    if (!J)
        return 0;
    uint64_t s = J->production ? J->production->serial_start : 1;
    job_free(J);
    return s ? s : 1;
}

/* The first cell of a CSV line, unquoted, the injection prefix undone. */
static size_t first_cell(const char *s, const char *e, char *out, size_t cap)
{
    size_t n = 0;
    if (s < e && *s == '"') {
        for (s++; s < e && n + 1 < cap; s++) {
            if (*s == '"') {
                if (s + 1 < e && s[1] == '"') {
                    out[n++] = '"';
                    s++;
                    continue;
                }
                break;
            }
            out[n++] = *s;
        }
    } else {
        for (; s < e && *s != ',' && *s != '\n' && n + 1 < cap; s++)
            out[n++] = *s;
    }
    out[n] = 0;
    size_t k = folio_csv_cell_skip(out, n);
    if (k)
        memmove(out, out + k, n - k + 1);
    return n - k;
}

/* r-harden (round 28, issue 12): each shard's contact_history.csv is read
 * a line at a time (its current line and first cell held, nothing more),
 * and the merged file is written as it grows (folio_afile): before, every
 * shard's file was read whole and the merged one built in memory. */
typedef struct {
    FILE *f;
    char *line;
    size_t cap, len;
    bool live;
    char key[1024];
} cfile;

/* Next line of c (with its '\n'); false at the end or on a read error
 * (*bad set, errno kept). */
static bool cf_next(cfile *c, bool *bad)
{
    errno = 0;
    ssize_t got = getline(&c->line, &c->cap, c->f);
    if (got <= 0) {
        c->live = false;
        if (ferror(c->f) || !feof(c->f))
            *bad = true;
        return false;
    }
    c->len = (size_t)got;
    first_cell(c->line, c->line + c->len, c->key, sizeof c->key);
    c->live = true;
    return true;
}

static bool merge_contacts(shard_in *S, int n, const char *orig_job, const char *out,
                           uint64_t *new_rows, folio_error *err)
{
    cfile *cf = calloc((size_t)n, sizeof *cf);
    if (!cf)
        return false;
    char path[PATH_MAX * 2];
    bool any = false, ok = true, bad = false;
    folio_buf b;
    folio_buf_init(&b, (size_t)1 << 36);
    for (int i = 0; i < n && ok; i++) {
        snprintf(path, sizeof path, "%s/contact_history.csv", S[i].dir);
        struct stat st;
        if (lstat(path, &st) != 0 && errno == ENOENT)
            continue;
        folio_error e = {0};
        cf[i].f = folio_input_fopen(path, NULL, FOLIO_EXIT_USAGE, &e);
        if (!cf[i].f) {                       /* there but unreadable: no quiet gap */
            folio_error_set(err, e.code, "%s", e.msg);
            ok = false;
            break;
        }
        /* the header: the first shard's that has the file is the merged one's */
        if (cf_next(&cf[i], &bad) && !any)
            folio_buf_append(&b, cf[i].line, cf[i].len);
        any = true;
        if (cf[i].live)
            cf_next(&cf[i], &bad);              /* its first data row */
        if (bad) {
            folio_error_set(err, FOLIO_EXIT_FAILED, "%s: %s", path,
                            errno ? strerror(errno) : "out of memory reading a line");
            ok = false;
        }
    }
    folio_afile af = {.fd = -1};
    bool opened = false;
    if (any && ok) {
        snprintf(path, sizeof path, "%s/contact_history.csv", out);
        ok = opened = folio_afile_open(&af, path, err);
        ok = ok && contacts_read_rows(orig_job, &b, &af, err);
        test_stop_at("merge-contacts");
        /* every shard's new rows, in household order (each shard's are) */
        for (uint64_t row = 1; ok; row++) {
            if (merge_tick(row) && folio_stopped(err)) {   /* r-fixm */
                ok = false;
                break;
            }
            int best = -1;
            for (int i = 0; i < n; i++)
                if (cf[i].live && (best < 0 || strcmp(cf[i].key, cf[best].key) < 0))
                    best = i;
            if (best < 0)
                break;
            folio_buf_append(&b, cf[best].line, cf[best].len);
            (*new_rows)++;
            if (!folio_afile_drain(&af, &b, (size_t)1 << 20)) {
                ok = false;
                break;
            }
            if (!cf_next(&cf[best], &bad) && bad) {
                snprintf(path, sizeof path, "%s/contact_history.csv", S[best].dir);
                folio_error_set(err, FOLIO_EXIT_FAILED, "%s: %s", path,
                                errno ? strerror(errno) : "out of memory reading a line");
                ok = false;
            }
        }
    }
    if (opened) {
        if (ok && folio_afile_drain(&af, &b, 0)) {
            ok = folio_afile_commit(&af, err);
        } else {
            if (!err->code)
                *err = af.err;
            if (!err->code)
                folio_error_set(err, FOLIO_EXIT_FAILED, "%s/contact_history.csv: out of memory",
                                out);
            folio_afile_abort(&af);
            ok = false;
        }
    }
    folio_buf_free(&b);
    for (int i = 0; i < n; i++) {
        if (cf[i].f)
            fclose(cf[i].f);
        free(cf[i].line);
    }
    free(cf);
    return ok;
}

/* ---- issue 15 (r-chan): frequency records, contact pressure, uplift ------------ */

/* Each shard's not_due.csv / statement_history.csv lists its own
 * households: the merged file is the header once and the shards' rows in
 * shard order (the same rows as one run).  *rows: data rows; *present:
 * the shards wrote the file. */
static bool merge_rows(shard_in *S, int n, const char *name, const char *out, uint64_t *rows,
                       bool *present, folio_error *err)
{
    /* r-harden (round 28, issue 12): read and written a block at a time
     * (folio_afile), not every shard's file held whole with the merged one */
    char path[PATH_MAX * 2];
    *rows = 0;
    *present = false;
    bool ok = true, opened = false;
    char *head = NULL, *blk = malloc(1 << 20);
    size_t hlen = 0;
    folio_afile af = {.fd = -1};
    if (!blk) {
        folio_error_set(err, FOLIO_EXIT_FAILED, "%s: out of memory", name);
        return false;
    }
    for (int i = 0; i < n && ok; i++) {
        snprintf(path, sizeof path, "%s/%s", S[i].dir, name);
        struct stat st;
        bool absent = lstat(path, &st) != 0 && errno == ENOENT;
        folio_error re = {0};
        FILE *f = absent ? NULL : folio_input_fopen(path, NULL, FOLIO_EXIT_USAGE, &re);
        if (!f && !absent) {                  /* there but unreadable */
            folio_error_set(err, re.code, "%s", re.msg);
            ok = false;
            continue;
        }
        if (!f) {
            if (*present) {
                folio_error_set(err, FOLIO_EXIT_USAGE, "%s: missing (shard 1 has %s)", path, name);
                ok = false;
            }
            continue;
        }
        char *h = NULL;
        size_t hc = 0;
        ssize_t hn = getline(&h, &hc, f);
        size_t hl = hn > 0 ? (size_t)hn : 0;
        if (!*present && i > 0) {
            folio_error_set(err, FOLIO_EXIT_USAGE, "%s: shard 1 has no %s", path, name);
            ok = false;
        } else if (!*present) {
            *present = true;
            head = h ? h : strdup("");
            h = NULL;
            hlen = hl;
            snprintf(path, sizeof path, "%s/%s", out, name);
            ok = opened = folio_afile_open(&af, path, err);
            ok = ok && folio_afile_write(&af, head ? head : "", hlen);
        } else if (hl != hlen || !head || memcmp(head, h, hl)) {
            folio_error_set(err, FOLIO_EXIT_USAGE, "%s: header differs from shard 1's", path);
            ok = false;
        }
        free(h);
        size_t got;
        uint64_t nl = 0;
        while (ok && (got = fread(blk, 1, 1 << 20, f)) > 0) {
            for (const char *q = blk, *e = blk + got; (q = memchr(q, '\n', (size_t)(e - q)));
                 q++)
                nl++;
            ok = folio_afile_write(&af, blk, got);
            if (ok && merge_tick(0) && folio_stopped(err))      /* r-fixm: a stop request */
                ok = false;
        }
        if (ok && ferror(f)) {
            snprintf(path, sizeof path, "%s/%s", S[i].dir, name);
            folio_error_set(err, FOLIO_EXIT_FAILED, "%s: %s", path, strerror(errno));
            ok = false;
        }
        *rows += nl;
        fclose(f);
    }
    if (opened) {
        if (ok) {
            ok = folio_afile_commit(&af, err);
        } else {
            if (!err->code)
                *err = af.err;
            folio_afile_abort(&af);
        }
    }
    free(head);
    free(blk);
    return ok;
}

/* The rows a shard's manifest gives for record file `name` (0 when none). */
static int64_t record_rows(const shard_in *s, const char *name)
{
    const verify_json *rec = verify_json_get(s->man, "records");
    for (int k = 0; k < verify_json_len(rec); k++) {
        const verify_json *e = verify_json_at(rec, k);
        const char *f = verify_json_str(e, "file");
        int64_t r = 0;
        if (f && !strcmp(f, name) && verify_json_int(e, "rows", &r))
            return r;
    }
    return 0;
}

/* The text of top-level member `key` of a manifest (its value, as written:
 * an object, array, string or scalar); NULL when absent.  Malloc'd. */
static char *raw_member(const char *dir, const char *key)
{
    char path[PATH_MAX + 32], pat[96];
    snprintf(path, sizeof path, "%s/manifest.json", dir);
    snprintf(pat, sizeof pat, "\n  \"%s\":", key);
    size_t len;
    char *t = slurp(path, &len);
    const char *p = t ? strstr(t, pat) : NULL;
    if (!p) {
        free(t);
        return NULL;
    }
    p += strlen(pat);
    const char *q = p;
    int depth = 0;
    bool str = false;
    for (; *q; q++) {
        if (str) {
            if (*q == '\\' && q[1])
                q++;
            else if (*q == '"')
                str = false;
            continue;
        }
        if (*q == '"')
            str = true;
        else if (*q == '{' || *q == '[')
            depth++;
        else if (*q == '}' || *q == ']') {
            if (depth == 0)
                break;
            if (--depth == 0) {
                q++;
                break;
            }
        } else if (*q == ',' && depth == 0)
            break;
    }
    char *v = strndup(p, (size_t)(q - p));
    free(t);
    return v;
}

/* "contact_pressure" summed over the shards (each counts its own
 * households; the cap is the job's, from shard 1) and "uplift" once (every
 * shard measures the whole responses feed: the same figures, checked). */
static void merge_contacts_figures(folio_buf *m, shard_in *S, int n, int64_t *uplift_differ)
{
    *uplift_differ = 0;
    char *cap = n ? raw_member(S[0].dir, "contact_pressure") : NULL;
    if (cap) {
        const verify_json *hc[1024], *wh[1024];
        int k = 0;
        for (int i = 0; i < n && i < 1024; i++) {
            const verify_json *cp = verify_json_get(S[i].man, "contact_pressure");
            const verify_json *a = verify_json_get(cp, "contacts_per_household");
            const verify_json *b = verify_json_get(cp, "withheld");
            if (verify_json_is_obj(a) && verify_json_is_obj(b)) {
                hc[k] = a;
                wh[k++] = b;
            }
        }
        const verify_json *c0 = verify_json_get(S[0].man, "contact_pressure");
        const verify_json *hcap = verify_json_get(c0, "household_cap");
        folio_buf_puts(m, ",\n  \"contact_pressure\":{\"household_cap\":");
        if (verify_json_is_obj(hcap)) {
            int64_t times = 0, days = 0;
            verify_json_int(hcap, "times", &times);
            verify_json_int(hcap, "days", &days);
            folio_buf_printf(m, "{\"times\":%lld,\"days\":%lld}", (long long)times,
                             (long long)days);
        } else {
            folio_buf_puts(m, "null");
        }
        folio_buf_puts(m, ",\"contacts_per_household\":");
        sum_tree(m, hc, k, false);
        folio_buf_puts(m, ",\"withheld\":");
        sum_tree(m, wh, k, false);
        folio_buf_puts(m, "}");
        free(cap);
    }
    char *u0 = n ? raw_member(S[0].dir, "uplift") : NULL;
    for (int i = 1; i < n; i++) {
        char *ui = raw_member(S[i].dir, "uplift");
        *uplift_differ += (u0 == NULL) != (ui == NULL) || (u0 && ui && strcmp(u0, ui));
        free(ui);
    }
    if (u0 && *uplift_differ && S[0].part[0]) {
        /* shards of a partition measure their own responses: the figures
         * (rates, intervals) do not add up -- said, not summed */
        folio_buf_puts(m, ",\n  \"uplift\":\"per shard: the partition's shards measure "
                          "their own responses; see each shard's manifest\"");
        *uplift_differ = 0;
    } else if (u0) {
        folio_buf_puts(m, ",\n  \"uplift\":");
        folio_buf_puts(m, u0);
    }
    free(u0);
}

/* ---- proof sample over all shards -------------------------------------------- */

/* Every household of every shard with its coverage keys (audit.jsonl), in
 * household id order -- the run's order -- and proof_cover_build, the run's
 * own greedy cover, over them.  "pages:longest" is shard-relative: it stays
 * only on the households whose pages are the longest of all shards. */
typedef struct { char *hh; const char *file, *keys; int shard; int64_t first, last, pages, lp; bool longest; } phh;

/* r-harden (round 28, issue 12): the greedy cover takes, among items of
 * equal gain, the one first in household id order; households with the
 * same coverage keys always have equal gains, so only the first of them
 * (by id) can ever be picked.  Merge keeps one household per key set (the
 * first by id; a shard's "pages:longest" households apart, by their
 * pages, until the longest of all shards is known): the same picks in
 * memory that grows with the key sets (a few hundred), not with the
 * households (an id string and ~60 bytes each before). */
typedef struct { phh *v; size_t n, cap; uint32_t *slot; size_t scap; } pgroups;

static uint64_t mpool_hash(const char *s, size_t n);

static phh *pgroup(pgroups *G, const phh *y, bool *ok)
{
    int64_t lp = y->longest ? y->pages : -1;
    if ((G->n + 1) * 2 > G->scap) {
        size_t nc = G->scap ? G->scap * 2 : 256;
        uint32_t *ns = calloc(nc, sizeof *ns);
        if (!ns) {
            *ok = false;
            return NULL;
        }
        for (size_t i = 0; i < G->n; i++) {
            size_t j = (mpool_hash((const char *)&G->v[i].keys, sizeof G->v[i].keys) ^
                        (uint64_t)G->v[i].lp * 0x9E3779B97F4A7C15ULL) & (nc - 1);
            while (ns[j])
                j = (j + 1) & (nc - 1);
            ns[j] = (uint32_t)i + 1;
        }
        free(G->slot);
        G->slot = ns;
        G->scap = nc;
    }
    size_t j = (mpool_hash((const char *)&y->keys, sizeof y->keys) ^
                (uint64_t)lp * 0x9E3779B97F4A7C15ULL) & (G->scap - 1);
    for (; G->slot[j]; j = (j + 1) & (G->scap - 1)) {
        phh *g = &G->v[G->slot[j] - 1];
        if (g->keys == y->keys && g->lp == lp)
            return g;
    }
    if (G->n == G->cap) {
        size_t nc = G->cap ? G->cap * 2 : 64;
        phh *nv = realloc(G->v, nc * sizeof *nv);
        if (!nv) {
            *ok = false;
            return NULL;
        }
        G->v = nv;
        G->cap = nc;
    }
    phh *g = &G->v[G->n];
    memset(g, 0, sizeof *g);
    g->keys = y->keys;
    g->lp = lp;
    G->slot[j] = (uint32_t)++G->n;
    return g;
}

/* r-harden (round 27, issue 12): merge held ~1 KB a household -- each
 * shard's audit.jsonl read whole, and every household's print file name
 * and coverage keys as text of its own.  audit.jsonl is now read a line at
 * a time, and file names and key sets (a few hundred different ones among
 * millions of households) are kept once each in this pool. */
typedef struct { char **v; size_t cap, n; } mpool;

static uint64_t mpool_hash(const char *s, size_t n)
{
    uint64_t h = 1469598103934665603ULL;
    for (size_t i = 0; i < n; i++)
        h = (h ^ (unsigned char)s[i]) * 1099511628211ULL;
    return h ^ (h >> 29);
}

static const char *mpool_get(mpool *p, const char *s, size_t len)
{
    if ((p->n + 1) * 2 > p->cap) {
        size_t nc = p->cap ? p->cap * 2 : 1024;
        char **nv = calloc(nc, sizeof *nv);
        if (!nv)
            return NULL;
        for (size_t i = 0; i < p->cap; i++)
            if (p->v[i]) {
                size_t j = mpool_hash(p->v[i], strlen(p->v[i])) & (nc - 1);
                while (nv[j])
                    j = (j + 1) & (nc - 1);
                nv[j] = p->v[i];
            }
        free(p->v);
        p->v = nv;
        p->cap = nc;
    }
    size_t j = mpool_hash(s, len) & (p->cap - 1);
    for (; p->v[j]; j = (j + 1) & (p->cap - 1))
        if (!strncmp(p->v[j], s, len) && p->v[j][len] == 0)
            return p->v[j];
    char *c = malloc(len + 1);
    if (!c)
        return NULL;
    memcpy(c, s, len);
    c[len] = 0;
    p->v[j] = c;
    p->n++;
    return c;
}

static void mpool_free(mpool *p)
{
    for (size_t i = 0; i < p->cap; i++)
        free(p->v[i]);
    free(p->v);
    memset(p, 0, sizeof *p);
}

static int cmp_phh(const void *a, const void *b)
{
    return strcmp(((const phh *)a)->hh, ((const phh *)b)->hh);
}

/* issue 12 part 3 (r-merge): the picks are rendered again from their
 * shard's job and feeds, which must be the ones the shard ran: each input
 * the shard's manifest lists (job file, layout, paragraphs, offer
 * catalogue, feeds) is hashed again.  Missing or changed: a job error. */
static bool input_same(const shard_in *S, const char *file, const char *sha, folio_error *err)
{
    if (!file || !sha)
        return true;
    const char *rd = verify_json_str(verify_json_get(S->man, "job"), "run_dir");
    char path[PATH_MAX * 2], got[65];
    if (file[0] == '/' || !rd)
        snprintf(path, sizeof path, "%s", file);
    else
        snprintf(path, sizeof path, "%s/%s", rd, file);
    if (access(path, R_OK) != 0) {
        folio_error_set(err, FOLIO_EXIT_USAGE, "shard %lld: %s: %s (the merged proof sample "
                        "renders the shard's picks again from its job and feeds: they must "
                        "stay at their paths until the merge)", (long long)S->index, path,
                        strerror(errno));
        return false;
    }
    folio_error e = {0};
    if (!folio_sha256_file(path, got, NULL, &e) || strcmp(got, sha)) {
        folio_error_set(err, FOLIO_EXIT_USAGE, "shard %lld: %s changed since the shard ran "
                        "(sha256 %.12s..., the shard read %.12s...): its proof statements "
                        "would not be the ones printed", (long long)S->index, path,
                        e.code ? "?" : got, sha);
        return false;
    }
    return true;
}

static bool shard_inputs_same(const shard_in *S, folio_error *err)
{
    const verify_json *m = S->man;
    if (!input_same(S, S->job, verify_json_str(verify_json_get(m, "job"), "sha256"), err))
        return false;
    static const char *const one[][2] = {{"layout", "file"}, {"paragraphs", "file"},
                                         {"offers", "catalogue"}};
    for (size_t i = 0; i < sizeof one / sizeof one[0]; i++) {
        const verify_json *o = verify_json_get(m, one[i][0]);
        if (!input_same(S, verify_json_str(o, one[i][1]), verify_json_str(o, "sha256"), err))
            return false;
    }
    const verify_json *in = verify_json_get(m, "inputs");
    for (int i = 0; i < verify_json_len(in); i++) {
        const verify_json *f = verify_json_at(in, i);
        if (!input_same(S, verify_json_str(f, "file"), verify_json_str(f, "sha256"), err))
            return false;
    }
    return true;
}

/* r-harden (round 25): output.proofs.enabled as the shards ran (a shard
 * manifest without it: enabled); shards that disagree ran different jobs.
 * Returns 1, 0, or -1 with err set. */
static int proofs_enabled(const shard_in *S, int n, folio_error *err)
{
    int on = -1;
    for (int s = 0; s < n; s++) {
        const verify_json *pr = verify_json_get(S[s].man, "proofs");
        int e = verify_json_bool(pr, "enabled") == 0 ? 0 : 1;
        if (on >= 0 && e != on) {
            folio_error_set(err, FOLIO_EXIT_USAGE, "%s: output.proofs.enabled is %s there "
                            "and %s in shard 1 (%s): the shards ran different jobs",
                            S[s].dir, e ? "true" : "false", on ? "true" : "false", S[0].dir);
            return -1;
        }
        on = e;
    }
    return on;
}

static bool proof_sample(shard_in *S, int n, const char *out, folio_buf *man,
                         uint64_t *chosen_n, folio_error *err)
{
    pgroups G = {0};
    mpool pool = {0};
    size_t nh = 0;
    int64_t max = 100, longest = 0;
    char path[PATH_MAX * 2];
    bool ok = true;
    int on = proofs_enabled(S, n, err);
    if (on < 0)
        return false;
    if (!on) {
        /* r-harden: no proofs, as an unsharded run of the job: none of an
         * earlier merge stays, and the manifest says why there are none */
        static const char *const old[] = {"proofs/proof.pdf", "proofs/proofs.json",
                                          "proofs/proof.pdf.part", "proofs"};
        for (size_t i = 0; i < sizeof old / sizeof *old; i++) {
            snprintf(path, sizeof path, "%s/%s", out, old[i]);
            if (remove(path) != 0 && errno != ENOENT && i + 1 < sizeof old / sizeof *old) {
                folio_error_set(err, FOLIO_EXIT_FAILED, "%s: %s", path, strerror(errno));
                return false;
            }
        }
        folio_buf_puts(man, ",\n  \"proofs\":{\"enabled\":false}");
        *chosen_n = 0;
        return true;
    }
    for (int s = 0; s < n && ok; s++) {
        const verify_json *pr = verify_json_get(S[s].man, "proofs");
        int64_t m;
        if (pr && verify_json_int(pr, "max", &m) && m > 0)
            max = m;
        snprintf(path, sizeof path, "%s/audit.jsonl", S[s].dir);
        struct stat ast;
        bool absent = lstat(path, &ast) != 0 && errno == ENOENT;
        FILE *af = absent ? NULL : folio_input_fopen(path, NULL, FOLIO_EXIT_USAGE, err);
        if (!af && !absent)
            ok = false;                       /* there but unreadable */
        uint64_t line = 0;
        char *t = NULL;                       /* one line at a time (r-harden, round 27) */
        size_t tcap = 0;
        ssize_t got;
        while (af && ok && (got = getline(&t, &tcap, af)) > 0) {
            if (merge_tick(++line) && folio_stopped(err)) {     /* r-fixm */
                ok = false;
                break;
            }
            verify_json *v = verify_json_parse(t, (size_t)got - (t[got - 1] == '\n'), NULL, 0);
            const verify_json *cov = verify_json_get(v, "coverage");
            const char *hh = verify_json_str(v, "household");
            if (!v || !hh || !verify_json_len(cov)) {
                verify_json_free(v);
                continue;
            }
            phh y = {0};
            const char *pf = verify_json_str(v, "print_file");
            y.file = mpool_get(&pool, pf ? pf : "", strlen(pf ? pf : ""));
            y.shard = (int)S[s].index;
            verify_json_int(v, "first_page", &y.first);
            verify_json_int(v, "last_page", &y.last);
            verify_json_int(v, "pages", &y.pages);
            folio_buf kb;
            folio_buf_init(&kb, 0);
            for (int k = 0; k < verify_json_len(cov); k++) {
                const char *kt = verify_json_text(verify_json_at(cov, k));
                if (kt && !strcmp(kt, "pages:longest")) {
                    y.longest = true;
                    continue;
                }
                folio_buf_puts(&kb, kt ? kt : "");
                folio_buf_putc(&kb, '\n');
            }
            if (y.longest && y.pages > longest)
                longest = y.pages;
            y.keys = kb.failed ? NULL : mpool_get(&pool, kb.data ? kb.data : "", kb.len);
            folio_buf_free(&kb);
            nh++;
            phh *g = (ok = y.file && y.keys) ? pgroup(&G, &y, &ok) : NULL;
            if (g && (!g->hh || strcmp(hh, g->hh) < 0)) {   /* the group's first household */
                char *id = strdup(hh);
                if (!id)
                    ok = false;
                else {
                    free(g->hh);
                    y.hh = id;
                    y.lp = g->lp;
                    *g = y;
                }
            }
            verify_json_free(v);
        }
        /* getline's -1 is end of file only with feof: a read error sets
           ferror, but a failed allocation sets neither (glibc), and taking
           it for the end would drop the shard's later households from the
           proof sample (review, round 27) */
        if (af && ok && (ferror(af) || !feof(af))) {
            int e = errno;
            folio_error_set(err, FOLIO_EXIT_FAILED, "%s:%llu: %s", path,
                            (unsigned long long)line + 1,
                            ferror(af) ? strerror(e) : "out of memory reading the line");
            ok = false;
        }
        if (af)
            fclose(af);
        free(t);
    }
    phh *H = G.v;                       /* one household a group, in id order */
    size_t ng = G.n;
    for (size_t h = 0; ok && h < ng; h++)
        if (H[h].longest && H[h].pages == longest) {
            size_t k = strlen(H[h].keys);
            char *nk = malloc(k + 15);
            if (nk) {
                memcpy(nk, H[h].keys, k);
                memcpy(nk + k, "pages:longest\n", 15);
                H[h].keys = mpool_get(&pool, nk, k + 14);
            }
            ok = nk && H[h].keys;
            free(nk);
        }
    if (ok && ng)
        qsort(H, ng, sizeof *H, cmp_phh);
    const char **items = calloc(ng + 1, sizeof *items);
    for (size_t h = 0; items && h < ng; h++)
        items[h] = H[h].keys;
    folio_proof_cover c = {0};
    ok = ok && items && proof_cover_build(items, ng, (uint32_t)max, &c, err);
    /* issue 12 part 3 (r-merge): the picks rendered again from their shards
     * into one proofs/proof.pdf (merge-proofs.c) */
    merge_proofs_result mr = {0};
    {
        const char **jobs = calloc((size_t)n + 1, sizeof *jobs);
        merge_proofs_pick *mp = calloc(c.n_picked + 1, sizeof *mp);
        for (int s = 0; jobs && s < n; s++)
            jobs[s] = S[s].job;
        for (uint32_t i = 0; mp && i < c.n_picked; i++)
            mp[i] = (merge_proofs_pick){.household = H[c.picked[i]].hh,
                                        .keys = H[c.picked[i]].keys,
                                        .shard = H[c.picked[i]].shard};
        if (ok && (!jobs || !mp))
            ok = false;
        for (int s = 0; ok && s < n; s++) {     /* the shards with picks: inputs unchanged */
            bool picks = false;
            for (uint32_t i = 0; i < c.n_picked && !picks; i++)
                picks = mp[i].shard == (int)S[s].index;
            ok = !picks || shard_inputs_same(&S[s], err);
        }
        if (ok)        /* r-harden: an empty sample too: proof.pdf says so */
            ok = merge_proofs_render(out, jobs, n, &c, mp, &mr, err);
        free(jobs);
        free(mp);
    }
    folio_buf b;
    folio_buf_init(&b, 0);
    folio_buf_puts(&b, "{\n  \"generator\":\"folio " FOLIO_VERSION "\",\n  \"households\":");
    folio_buf_put_int(&b, (int64_t)nh);
    folio_buf_puts(&b, ",\n  \"keys_total\":");
    folio_buf_put_int(&b, c.n_keys);
    folio_buf_puts(&b, ",\n  \"keys_covered\":");
    folio_buf_put_int(&b, (int64_t)c.n_keys - c.n_uncovered);
    if (mr.written) {                   /* issue 12 part 3 (r-merge) */
        folio_buf_puts(&b, ",\n  \"file\":\"proofs/proof.pdf\",\n  \"pages\":");
        folio_buf_put_int(&b, mr.pages);
    }
    folio_buf_puts(&b, ",\n  \"samples\":[");
    for (uint32_t i = 0; ok && i < c.n_picked; i++) {
        const phh *x = &H[c.picked[i]];
        folio_buf_puts(&b, i ? ",\n    {\"sample\":" : "\n    {\"sample\":");
        folio_buf_put_int(&b, i + 1);
        folio_buf_puts(&b, ",\"household\":");
        folio_buf_put_json_str(&b, x->hh, strlen(x->hh));
        folio_buf_puts(&b, ",\"shard\":");
        folio_buf_put_int(&b, x->shard);
        folio_buf_puts(&b, ",\"print_file\":");
        folio_buf_put_json_str(&b, x->file, strlen(x->file));
        folio_buf_puts(&b, ",\"first_page\":");
        folio_buf_put_int(&b, x->first);
        folio_buf_puts(&b, ",\"last_page\":");
        folio_buf_put_int(&b, x->last);
        if (mr.written) {               /* issue 12 part 3 (r-merge): its pages in proof.pdf */
            folio_buf_puts(&b, ",\"proof_first_page\":");
            folio_buf_put_int(&b, mr.first_page[i]);
            folio_buf_puts(&b, ",\"cover_pages\":");
            folio_buf_put_int(&b, mr.cover_pages[i]);
            folio_buf_puts(&b, ",\"statement_pages\":");
            folio_buf_put_int(&b, mr.statement_pages[i]);
        }
        folio_buf_puts(&b, ",\"covers\":[");
        for (uint32_t k = c.first_off[i]; k < c.first_off[i + 1]; k++) {
            const char *kt = c.keys[c.first[k]];
            if (k > c.first_off[i])
                folio_buf_putc(&b, ',');
            folio_buf_put_json_str(&b, kt, strlen(kt));
        }
        folio_buf_puts(&b, "]}");
    }
    folio_buf_puts(&b, "\n  ],\n  \"uncovered\":[");
    for (uint32_t u = 0; ok && u < c.n_uncovered; u++) {
        const char *kt = c.keys[c.uncovered[u]];
        if (u)
            folio_buf_putc(&b, ',');
        folio_buf_put_json_str(&b, kt, strlen(kt));
    }
    folio_buf_puts(&b, "]\n}\n");
    snprintf(path, sizeof path, "%s/proofs", out);
    ok = ok && !b.failed && folio_mkdirs(path, err);
    snprintf(path, sizeof path, "%s/proofs/proofs.json", out);
    ok = ok && folio_write_file_atomic(path, b.data, b.len, err);
    /* r-fixm: "enabled":true tells verify this merge's rules apply (an
     * earlier release's merge wrote no "enabled") */
    folio_buf_puts(man, ",\n  \"proofs\":{\"enabled\":true,\"file\":\"proofs/proofs.json\","
                        "\"households\":");
    folio_buf_put_int(man, c.n_picked);
    if (mr.written) {                   /* issue 12 part 3 (r-merge) */
        folio_buf_puts(man, ",\"pages\":");
        folio_buf_put_int(man, mr.pages);
    }
    folio_buf_puts(man, ",\"keys_total\":");
    folio_buf_put_int(man, c.n_keys);
    folio_buf_puts(man, ",\"keys_covered\":");
    folio_buf_put_int(man, (int64_t)c.n_keys - c.n_uncovered);
    folio_buf_puts(man, "}");
    *chosen_n = c.n_picked;
    if (!ok && !err->code)
        folio_error_set(err, FOLIO_EXIT_FAILED, "the proof sample: out of memory");
    folio_buf_free(&b);
    merge_proofs_free(&mr);
    proof_cover_free(&c);
    free(items);
    for (size_t h = 0; h < G.n; h++)
        free(G.v[h].hh);
    free(G.v);
    free(G.slot);
    mpool_free(&pool);
    return ok;
}

/* ---- the merge --------------------------------------------------------------- */

static void check(folio_buf *b, bool *balanced, bool *first, const char *what, int64_t l,
                  const char *ln, int64_t r, const char *rn)
{
    bool ok = l == r;
    *balanced = *balanced && ok;
    folio_buf_puts(b, *first ? "\n    {\"check\":" : ",\n    {\"check\":");
    *first = false;
    folio_buf_put_json_str(b, what, strlen(what));
    folio_buf_puts(b, ",");
    folio_buf_put_json_str(b, ln, strlen(ln));
    folio_buf_putc(b, ':');
    folio_buf_put_int(b, l);
    folio_buf_puts(b, ",");
    folio_buf_put_json_str(b, rn, strlen(rn));
    folio_buf_putc(b, ':');
    folio_buf_put_int(b, r);
    folio_buf_puts(b, ok ? ",\"ok\":true}" : ",\"ok\":false}");
}

static bool put_file_sum(folio_buf *m, const char *out, const char *rel, folio_error *err)
{
    char path[PATH_MAX * 2], sha[65];
    uint64_t bytes;
    snprintf(path, sizeof path, "%s/%s", out, rel);
    if (access(path, F_OK) != 0)
        return true;
    if (!folio_sha256_file(path, sha, &bytes, err))
        return false;
    folio_buf_puts(m, ",\n    {\"file\":");
    folio_buf_put_json_str(m, rel, strlen(rel));
    folio_buf_puts(m, ",\"bytes\":");
    folio_buf_put_int(m, (int64_t)bytes);
    folio_buf_puts(m, ",\"sha256\":\"");
    folio_buf_puts(m, sha);
    folio_buf_puts(m, "\"}");
    return true;
}

/* The totals object of the shards' manifests (counts and control_totals). */
static void put_totals(folio_buf *b, shard_in *S, int n)
{
    bool once = n > 0 && !S[0].part[0];      /* shards on the full feeds */
    static const char *const parts[] = {"counts", "control_totals"};
    folio_buf_puts(b, "{");
    for (int p = 0; p < 2; p++) {
        const verify_json *objs[1024];
        int m = 0;
        for (int s = 0; s < n && s < 1024; s++) {
            const verify_json *o = verify_json_get(S[s].man, parts[p]);
            if (verify_json_is_obj(o))
                objs[m++] = o;
        }
        if (p)
            folio_buf_putc(b, ',');
        folio_buf_put_json_str(b, parts[p], strlen(parts[p]));
        folio_buf_putc(b, ':');
        if (m)
            sum_tree(b, objs, m, once);
        else
            folio_buf_puts(b, "{}");
    }
    folio_buf_puts(b, "}");
}

/* r-harden (round 25): the shards ran one job.  Shards on the full feeds
 * read the same job file and feeds (by SHA-256, feed by feed); a
 * partition's shards each have their own job file and feeds, so there the
 * layout, paragraphs, catalogue and the statement's dates must agree.
 * Shards of two jobs merged with exit 0 into one "mailing" before. */
static bool same_job(const shard_in *S, int n, folio_error *err)
{
    static const char *const one[][2] = {{"layout", "sha256"}, {"paragraphs", "sha256"},
                                         {"offers", "sha256"}, {"job", "statement_date"},
                                         {"job", "period_start"}, {"job", "period_end"},
                                         {"job", "sha256"}};
    bool full = !S[0].part[0];
    for (int s = 1; s < n; s++) {
        const char *what = NULL;
        for (size_t k = 0; !what && k < sizeof one / sizeof *one; k++) {
            if (!full && k == sizeof one / sizeof *one - 1)
                break;                  /* a partition: a job file per shard */
            const char *a = verify_json_str(verify_json_get(S[0].man, one[k][0]), one[k][1]);
            const char *b = verify_json_str(verify_json_get(S[s].man, one[k][0]), one[k][1]);
            if ((a || b) && (!a || !b || strcmp(a, b)))
                what = one[k][0];
        }
        const verify_json *ia = verify_json_get(S[0].man, "inputs");
        const verify_json *ib = verify_json_get(S[s].man, "inputs");
        if (!what && full && verify_json_len(ia) != verify_json_len(ib))
            what = "feeds";
        for (int i = 0; !what && full && i < verify_json_len(ia); i++) {
            const char *a = verify_json_str(verify_json_at(ia, i), "sha256");
            const char *b = verify_json_str(verify_json_at(ib, i), "sha256");
            if (!a || !b || strcmp(a, b))
                what = "feeds";
        }
        if (what) {
            folio_error_set(err, FOLIO_EXIT_USAGE, "%s: shard %lld ran another job than shard "
                            "1 (%s): its %s differ%s: merge needs the shards of one run",
                            S[s].dir, (long long)S[s].index, S[0].dir, what,
                            !strcmp(what, "feeds") || !strcmp(what, "paragraphs") ? "" : "s");
            return false;
        }
    }
    return true;
}

/* r-harden (round 25): `path` made absolute and canonical as far as it
 * exists (the rest, not yet made, appended as given). */
static bool canon_path(const char *path, char *out, size_t cap)
{
    char head[PATH_MAX], rest[PATH_MAX] = "", res[PATH_MAX], t[2 * PATH_MAX + 2];
    snprintf(head, sizeof head, "%s", path);
    while (!realpath(head, res)) {
        char *s = strrchr(head, '/');
        const char *leaf = s ? s + 1 : head;
        snprintf(t, sizeof t, "%s%s%s", leaf, *rest ? "/" : "", rest);
        if (strlen(t) >= sizeof rest)
            return false;
        memcpy(rest, t, strlen(t) + 1);
        if (!s)
            snprintf(head, sizeof head, ".");
        else if (s == head)
            head[1] = 0;
        else
            *s = 0;
        if (!strcmp(head, ".") && !realpath(head, res))
            return false;
    }
    return snprintf(out, cap, "%s%s%s", res, *rest && strcmp(res, "/") ? "/" : "", rest) <
           (int)cap;
}

/* a is b or inside it */
static bool path_under(const char *a, const char *b)
{
    size_t n = strlen(b);
    if (n == 1 && b[0] == '/')
        return true;
    return !strncmp(a, b, n) && (a[n] == '/' || !a[n]);
}

/* DIR/manifest.json is one folio wrote: a JSON object whose "generator" is
 * "folio VERSION" (a run's manifest.c, merge, proof and archive write it).
 * Not readable or not that: some other program's (a web app's manifest). */
static bool folio_manifest_in(const char *dir)
{
    char path[PATH_MAX * 2 + 32];
    snprintf(path, sizeof path, "%s/manifest.json", strcmp(dir, "/") ? dir : "");
    size_t n;
    char *t = slurp(path, &n);
    if (!t)
        return false;
    verify_json *v = verify_json_parse(t, n, NULL, 0);
    free(t);
    const char *g = v && verify_json_is_obj(v) ? verify_json_str(v, "generator") : NULL;
    bool ours = g && !strncmp(g, "folio ", 6);
    verify_json_free(v);
    return ours;
}

/* r-harden (round 25): OUT the same as a shard's directory or inside it:
 * merge deleted and rewrote that shard's manifest.json and record files
 * (or listed its own outputs among the shard's files). */
static bool out_apart(const folio_merge_options *o, const shard_in *S, int n, folio_error *err)
{
    char co[PATH_MAX * 2], cs[PATH_MAX * 2];
    if (!canon_path(o->out_dir, co, sizeof co)) {
        folio_error_set(err, FOLIO_EXIT_USAGE, "%s: %s", o->out_dir, strerror(errno));
        return false;
    }
    for (int i = 0; i < n; i++) {
        if (!canon_path(S[i].dir, cs, sizeof cs))
            continue;                   /* loaded above: it exists */
        if (path_under(co, cs)) {
            const char *how = !strcmp(co, cs) ? "" : "inside ";
            folio_error_set(err, FOLIO_EXIT_USAGE, "--out %s is %sshard %lld's directory "
                            "%s: merge writes manifest.json, rejects.csv and "
                            "contact_history.csv there; give a directory of its own",
                            o->out_dir, how, (long long)S[i].index, S[i].dir);
            return false;
        }
    }
    /* r-harden (round 26): OUT inside another run's OUT (its .folio.lock,
     * which a run never removes, or a manifest.json folio wrote), or OUT
     * itself a run's OUT: that run's next start removes what it does not
     * know there, and its verify and manifest do not list the merge's
     * files.  OUT itself holding an earlier merge's ticket is a merge run
     * again: allowed.  A manifest.json above OUT that folio did not write
     * (a web app's) is no run's (review of round 26); one in OUT itself
     * is refused all the same: merge would replace it. */
    char up[PATH_MAX * 2], probe[PATH_MAX * 2 + 32];
    snprintf(up, sizeof up, "%s", co);
    for (bool self = true;; self = false) {
        const char *why = NULL;
        snprintf(probe, sizeof probe, "%s/.folio.lock", strcmp(up, "/") ? up : "");
        if (access(probe, F_OK) == 0)
            why = "holds a run's .folio.lock";
        snprintf(probe, sizeof probe, "%s/manifest.json", strcmp(up, "/") ? up : "");
        if (!why && (self ? access(probe, F_OK) == 0 : folio_manifest_in(up)) &&
            !(self && merge_is_merged(up))) {
            if (self && !folio_manifest_in(up)) {
                folio_error_set(err, FOLIO_EXIT_USAGE, "--out %s holds a manifest.json "
                                "that folio did not write: merge would replace it; give "
                                "a directory of its own", o->out_dir);
                return false;
            }
            why = "holds a folio manifest.json";
        }
        if (why) {
            folio_error_set(err, FOLIO_EXIT_USAGE, "--out %s is %sthe output directory of "
                            "another run (%s %s): merge's files there would be removed by "
                            "that run's next start and listed by no manifest; give a "
                            "directory of its own", o->out_dir, self ? "" : "inside ", up,
                            why);
            return false;
        }
        char *sl = strrchr(up, '/');
        if (!sl || !strcmp(up, "/"))
            break;
        if (sl == up)
            up[1] = 0;
        else
            *sl = 0;
    }
    return true;
}

int folio_merge(const folio_merge_options *o, folio_merge_report *rep, folio_error *err)
{
    folio_merge_report own = {0};
    if (!rep)
        rep = &own;
    memset(rep, 0, sizeof *rep);
    int n = o->n_shards, rc = FOLIO_EXIT_FAILED;
    shard_in *S = calloc((size_t)(n > 0 ? n : 1), sizeof *S);
    verify_json *part = NULL;
    rejects R = {0};
    pieces P = {0};
    lfiles *L = calloc((size_t)(n > 0 ? n : 1), sizeof *L);
    folio_buf m;
    folio_buf_init(&m, (size_t)1 << 34);
    char path[PATH_MAX * 2], work[PATH_MAX * 2] = "";
    int out_fd = -1;               /* OUT, flock'd while this merge runs */
    if (!S || !L)
        goto oom;
    for (int i = 0; i < n; i++)
        if (!load_shard(&S[i], o->shard_dirs[i], err)) {
            rc = FOLIO_EXIT_USAGE;
            goto done;
        }
    /* shards 1..N, each once, in index order */
    for (int i = 0; i < n; i++)
        for (int j = i + 1; j < n; j++)
            if (S[j].index < S[i].index) {
                shard_in t = S[i];
                S[i] = S[j];
                S[j] = t;
            }
    for (int i = 0; i < n; i++) {
        if (S[i].count != n || S[i].index != i + 1) {
            folio_error_set(err, FOLIO_EXIT_USAGE,
                            "%s: shard %lld/%lld, but %d shard directories were given: "
                            "merge needs shards 1 to N of one run, each once",
                            S[i].dir, (long long)S[i].index, (long long)S[i].count, n);
            rc = FOLIO_EXIT_USAGE;
            goto done;
        }
        if (strcmp(S[i].part, S[0].part)) {
            folio_error_set(err, FOLIO_EXIT_USAGE, "%s: a shard of another partition (%s)",
                            S[i].dir, S[i].part[0] ? S[i].part : "the full feeds");
            rc = FOLIO_EXIT_USAGE;
            goto done;
        }
    }
    if (!same_job(S, n, err) || !out_apart(o, S, n, err)) {     /* r-harden (round 25) */
        rc = FOLIO_EXIT_USAGE;
        goto done;
    }
    if (!folio_mkdirs(o->out_dir, err))
        goto done;
    /* One merge per OUT (review of round 28: two merges into one OUT, a
     * retry beside the first, removed each other's .merge-work run files
     * and both failed): an exclusive flock on OUT itself, held to the end.
     * Not OUT/.folio.lock: that name marks a run's OUT, which merge
     * refuses as its --out (out_apart). */
    out_fd = open(o->out_dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW);
    if (out_fd < 0 || flock(out_fd, LOCK_EX | LOCK_NB) != 0) {
        if (out_fd >= 0 && errno == EWOULDBLOCK) {
            folio_error_set(err, FOLIO_EXIT_USAGE, "--out %s is in use by another folio "
                            "merge; one merge per output directory", o->out_dir);
            rc = FOLIO_EXIT_USAGE;
        } else {
            folio_error_set(err, FOLIO_EXIT_FAILED, "--out %s: cannot lock: %s", o->out_dir,
                            strerror(errno));
        }
        goto done;
    }
    snprintf(path, sizeof path, "%s/manifest.json", o->out_dir);
    unlink(path);                  /* a half-merged DIR never looks complete */
    snprintf(path, sizeof path, "%s/proofs/proof.pdf", o->out_dir);
    unlink(path);                  /* issue 12 part 3: an earlier merge's proof is not this one's */
    const char *orig_job = S[0].job;
    if (S[0].part[0]) {
        snprintf(path, sizeof path, "%s/partition.json", S[0].part);
        if (!(part = verify_json_read_file(path, err))) {
            rc = FOLIO_EXIT_USAGE;
            goto done;
        }
        orig_job = verify_json_str(part, "job");
        if (!orig_job) {
            folio_error_set(err, FOLIO_EXIT_USAGE, "%s: no job", path);
            rc = FOLIO_EXIT_USAGE;
            goto done;
        }
    }
    /* every file of every shard */
    for (int i = 0; i < n; i++) {
        if (!list_files(S[i].dir, "", &L[i], err))
            goto done;
        if (!check_listed(&S[i], &L[i], err)) {     /* r-harden (round 26) */
            rc = FOLIO_EXIT_USAGE;
            goto done;
        }
        rep->files += L[i].n;
    }
    /* pieces (r-harden, round 28: sorted in spill files, merge-spill.c) */
    snprintf(work, sizeof work, "%s/.merge-work", o->out_dir);
    merge_rm_tree(work);
    if (!folio_mkdirs(work, err))
        goto done;
    P.err = err;
    P.ids = msort_open(work, "ids", merge_sort_mem(), err);
    P.serials = P.ids ? msort_open(work, "serials", merge_sort_mem(), err) : NULL;
    if (!P.serials)
        goto done;
    for (int i = 0; i < n; i++)
        for (size_t f = 0; f < L[i].n; f++) {
            size_t k = strlen(L[i].v[f].name);
            if (k > 11 && !strcmp(L[i].v[f].name + k - 11, ".pieces.csv")) {
                snprintf(path, sizeof path, "%s/%s", S[i].dir, L[i].v[f].name);
                if (!read_csv(path, piece_row, &P, err))
                    goto done;
            }
        }
    int64_t dup_ids = 0, dup_serials = 0;
    uint64_t last_serial = 0;
    if (!msort_done(P.ids, err) || !sorted_dups(P.ids, &dup_ids, NULL, err))
        goto done;
    msort_close(P.ids);
    P.ids = NULL;
    if (!msort_done(P.serials, err) || !sorted_dups(P.serials, &dup_serials, &last_serial, err))
        goto done;
    msort_close(P.serials);
    P.serials = NULL;
    /* round 23 audit (issue 12 part 3): a mailing without a printed piece
     * keeps the job's serial_start -- 0 would hand next month serials that
     * earlier months used */
    rep->next_serial_start = P.n ? last_serial + 1 : job_serial_start(orig_job, err);
    if (!rep->next_serial_start) {
        rc = err->code == FOLIO_EXIT_USAGE ? FOLIO_EXIT_USAGE : FOLIO_EXIT_FAILED;
        goto done;
    }
    /* rejects */
    const verify_json *pfeeds = part ? verify_json_get(part, "feeds") : NULL;
    R.feeds = pfeeds;
    R.per_feed = calloc((size_t)verify_json_len(pfeeds) + 1, sizeof *R.per_feed);
    R.lines_ok = calloc((size_t)verify_json_len(pfeeds) + 1, 1);
    if (!R.per_feed || !R.lines_ok)
        goto oom;
    for (int i = 0; i < n; i++) {
        if (!part && i > 0)
            break;                 /* full feeds: every shard rejected the same rows */
        char sp[PATH_MAX + 16];
        snprintf(sp, sizeof sp, "%s/s%02d", S[0].part, i + 1);
        R.shard_part = sp;
        R.shard = i;
        memset(R.lines_ok, 0, (size_t)verify_json_len(pfeeds) + 1);
        snprintf(path, sizeof path, "%s/rejects.csv", S[i].dir);
        if (!read_csv(path, reject_row, &R, err)) {
            if (R.lerr.code) {          /* r-harden (round 28) */
                *err = R.lerr;
                rc = FOLIO_EXIT_USAGE;
            }
            goto done;
        }
    }
    if (part && R.n)               /* full feeds: shard 1's order is the run's */
        qsort(R.v, R.n, sizeof *R.v, cmp_rrow);
    {
        folio_buf b;
        folio_buf_init(&b, (size_t)1 << 34);
        folio_buf_puts(&b, "file,line,column,reason,raw\n");
        for (size_t i = 0; i < R.n; i++) {
            const rrow *r = &R.v[i];
            folio_buf_put_csv_field(&b, r->cells[0], strlen(r->cells[0]));
            folio_buf_putc(&b, ',');
            folio_buf_put_int(&b, (int64_t)r->line);
            for (int c = 2; c < 5; c++) {
                folio_buf_putc(&b, ',');
                folio_buf_put_csv_field(&b, r->cells[c], strlen(r->cells[c]));
            }
            folio_buf_putc(&b, '\n');
        }
        snprintf(path, sizeof path, "%s/rejects.csv", o->out_dir);
        bool ok = !b.failed && folio_write_file_atomic(path, b.data, b.len, err);
        folio_buf_free(&b);
        if (!ok)
            goto done;
        rep->rejects = R.n;
    }
    if (!merge_contacts(S, n, orig_job, o->out_dir, &rep->contacts_new, err)) {
        rc = err->code == FOLIO_EXIT_USAGE ? FOLIO_EXIT_USAGE : FOLIO_EXIT_FAILED;
        goto done;
    }
    /* issue 15 (r-chan): the frequency records, each shard's own households */
    uint64_t nd_rows = 0, hist_rows = 0;
    bool has_nd = false, has_hist = false;
    test_stop_at("merge-rows");
    if (!merge_rows(S, n, "not_due.csv", o->out_dir, &nd_rows, &has_nd, err) ||
        !merge_rows(S, n, "statement_history.csv", o->out_dir, &hist_rows, &has_hist, err)) {
        rc = err->code == FOLIO_EXIT_USAGE ? FOLIO_EXIT_USAGE : FOLIO_EXIT_FAILED;
        goto done;
    }
    /* the manifest */
    folio_buf_puts(&m, "{\n  \"generator\":\"folio " FOLIO_VERSION "\",\n  \"merged\":{\"shards\":");
    folio_buf_put_int(&m, n);
    folio_buf_puts(&m, ",\"job\":");
    folio_buf_put_json_str(&m, orig_job, strlen(orig_job));
    folio_buf_puts(&m, ",\"partition\":");
    if (S[0].part[0])
        folio_buf_put_json_str(&m, S[0].part, strlen(S[0].part));
    else
        folio_buf_puts(&m, "null");
    folio_buf_puts(&m, ",\"mail_streams\":\"per shard: each shard's print files are "
                       "presorted within the shard\"},\n  \"shards\":[");
    bool balanced = true, exc = false;
    int64_t households = 0;
    for (int i = 0; i < n; i++) {
        folio_buf_puts(&m, i ? ",\n   {\"index\":" : "\n   {\"index\":");
        folio_buf_put_int(&m, i + 1);
        folio_buf_puts(&m, ",\"dir\":");
        folio_buf_put_json_str(&m, S[i].dir, strlen(S[i].dir));
        folio_buf_puts(&m, ",\"files\":[");
        for (size_t f = 0; f < L[i].n; f++) {
            folio_buf_puts(&m, f ? ",\n     {\"file\":" : "\n     {\"file\":");
            folio_buf_put_json_str(&m, L[i].v[f].name, strlen(L[i].v[f].name));
            folio_buf_puts(&m, ",\"bytes\":");
            folio_buf_put_int(&m, (int64_t)L[i].v[f].bytes);
            folio_buf_puts(&m, ",\"sha256\":\"");
            folio_buf_puts(&m, L[i].v[f].sha);
            folio_buf_puts(&m, "\"}");
        }
        folio_buf_puts(&m, "]}");
        const verify_json *c = verify_json_get(S[i].man, "counts"), *x;
        int64_t v = 0;
        verify_json_int(c, "households", &v);
        households += v;
        if ((x = verify_json_get(c, "exceptions")) && verify_json_int(x, "total", &v) && v)
            exc = true;
    }
    folio_buf_puts(&m, "\n  ],\n  \"totals\":");
    put_totals(&m, S, n);
    rep->households = (uint64_t)households;
    int64_t uplift_differ = 0;       /* issue 15 (r-chan) */
    merge_contacts_figures(&m, S, n, &uplift_differ);
    folio_buf_puts(&m, ",\n  \"next_serial_start\":");
    folio_buf_put_int(&m, (int64_t)rep->next_serial_start);
    folio_buf_puts(&m, ",\n  \"reconciliation\":{\"checks\":[");
    bool first = true;
    for (int i = 0; i < n; i++) {
        const verify_json *rc_ = verify_json_get(S[i].man, "reconciliation");
        const verify_json *bal = verify_json_get(rc_, "balanced");
        const char *bt = bal ? verify_json_text(bal) : NULL;
        (void)bt;
        char what[80];
        snprintf(what, sizeof what, "shard %d of %d reconciles", i + 1, n);
        /* bools are not numbers here: read the shard's own text */
        snprintf(path, sizeof path, "%s/manifest.json", S[i].dir);
        size_t tl;
        char *t = slurp(path, &tl);
        bool sb = t && strstr(t, "\"balanced\":true");
        free(t);
        check(&m, &balanced, &first, what, sb, "balanced", 1, "expected");
    }
    if (part) {
        int64_t ph = 0;
        verify_json_int(part, "households", &ph);
        check(&m, &balanced, &first, "households of the partition = households of the shards",
              ph, "partition", households, "shards");
        for (int f = 0; f < verify_json_len(pfeeds); f++) {
            const verify_json *pf = verify_json_at(pfeeds, f);
            const char *name = verify_json_str(pf, "name");
            int64_t rows = 0, srows = 0, srej = 0;
            verify_json_int(pf, "records", &rows);
            for (int i = 0; i < n; i++) {
                const verify_json *in = verify_json_get(S[i].man, "inputs");
                for (int k = 0; k < verify_json_len(in); k++) {
                    const verify_json *e = verify_json_at(in, k);
                    const char *fn = verify_json_str(e, "feed");
                    int64_t r = 0, j = 0;
                    if (fn && name && !strcmp(fn, name) && verify_json_int(e, "rows", &r)) {
                        srows += r;
                        if (verify_json_int(e, "rejected", &j))
                            srej += j;
                    }
                }
            }
            char what[512];
            snprintf(what, sizeof what, "feed %s: rows = rows of the shards", name ? name : "?");
            check(&m, &balanced, &first, what, rows, "rows", srows, "in_shards");
            snprintf(what, sizeof what, "feed %s: rejected by the shards = rows of rejects.csv",
                     name ? name : "?");
            check(&m, &balanced, &first, what, srej, "rejected", (int64_t)R.per_feed[f],
                  "rejects_csv");
        }
        check(&m, &balanced, &first, "rejects.csv rows name a line of the full feed",
              R.bad ? 1 : 0, "unmapped", 0, "expected");
    }
    if (has_nd || has_hist) {        /* issue 15 (r-chan): each household once */
        int64_t snd = 0, shist = 0;
        for (int i = 0; i < n; i++) {
            snd += record_rows(&S[i], "not_due.csv");
            shist += record_rows(&S[i], "statement_history.csv");
        }
        check(&m, &balanced, &first, "not_due.csv rows = rows the shards' manifests give",
              (int64_t)nd_rows, "merged", snd, "shards");
        check(&m, &balanced, &first, "statement_history.csv rows = rows the shards' manifests "
              "give", (int64_t)hist_rows, "merged", shist, "shards");
    }
    check(&m, &balanced, &first, "uplift figures the same in every shard (counted once)",
          uplift_differ, "differing", 0, "expected");
    check(&m, &balanced, &first, "piece ids unique across shards", dup_ids, "repeated", 0,
          "expected");
    check(&m, &balanced, &first, "IMb serials unique across shards", dup_serials, "repeated",
          0, "expected");
    folio_buf_puts(&m, "\n  ],\"balanced\":");
    folio_buf_puts(&m, balanced ? "true}" : "false}");
    rep->balanced = balanced;
    if (!proof_sample(S, n, o->out_dir, &m, &rep->proof_households, err)) {
        /* issue 12 part 3: a shard's job or feeds missing is a job error */
        rc = err->code == FOLIO_EXIT_USAGE ? FOLIO_EXIT_USAGE : FOLIO_EXIT_FAILED;
        goto done;
    }
    folio_buf_puts(&m, ",\n  \"files\":[{\"file\":\"manifest.json\"}");
    if (!put_file_sum(&m, o->out_dir, "rejects.csv", err) ||
        !put_file_sum(&m, o->out_dir, "contact_history.csv", err) ||
        !put_file_sum(&m, o->out_dir, "not_due.csv", err) ||          /* issue 15 (r-chan) */
        !put_file_sum(&m, o->out_dir, "statement_history.csv", err) ||
        !put_file_sum(&m, o->out_dir, "proofs/proofs.json", err) ||
        !put_file_sum(&m, o->out_dir, "proofs/proof.pdf", err))   /* issue 12 part 3 */
        goto done;
    folio_buf_puts(&m, "]\n}\n");
    if (folio_stopped(err))             /* r-harden, r-fixm: stopped: no manifest, not even */
        goto done;                      /* manifest.json.failed */
    if (!balanced) {
        folio_error_set(err, FOLIO_EXIT_FAILED,
                        "the shards do not reconcile (see the checks in %s/manifest.json.failed)",
                        o->out_dir);
        snprintf(path, sizeof path, "%s/manifest.json.failed", o->out_dir);
        folio_error e2 = {0};
        folio_write_file_atomic(path, m.data, m.len, &e2);
        goto done;
    }
    snprintf(path, sizeof path, "%s/manifest.json", o->out_dir);
    if (m.failed || !folio_write_file_atomic(path, m.data, m.len, err))
        goto done;
    rep->shards = n;
    rc = R.n || exc ? FOLIO_EXIT_REJECTS : FOLIO_EXIT_OK;
    goto done;
oom:
    folio_error_set(err, FOLIO_EXIT_FAILED, "out of memory");
done:
    folio_buf_free(&m);
    for (int i = 0; S && i < n; i++)
        verify_json_free(S[i].man);
    for (int i = 0; L && i < n; i++) {
        for (size_t f = 0; f < L[i].n; f++)
            free(L[i].v[f].name);
        free(L[i].v);
    }
    for (size_t i = 0; i < R.n; i++)
        for (int c = 0; c < 5; c++)
            free(R.v[i].cells[c]);
    free(R.v);
    free(R.per_feed);
    free(R.lines_ok);
    msort_close(P.ids);
    msort_close(P.serials);
    if (work[0])
        merge_rm_tree(work);
    if (out_fd >= 0)
        close(out_fd);             /* the lock goes with it */
    verify_json_free(part);
    free(S);
    free(L);
    return rc;
}

/* ---- verify a merged directory ------------------------------------------------ */

bool merge_is_merged(const char *dir)
{
    char path[PATH_MAX + 32];
    snprintf(path, sizeof path, "%s/manifest.json", dir);
    folio_error e = {0};                 /* not readable: verify says so */
    FILE *f = folio_input_fopen(path, NULL, FOLIO_EXIT_FAILED, &e);
    if (!f)
        return false;
    char head[256] = {0};
    size_t r = fread(head, 1, sizeof head - 1, f);
    fclose(f);
    head[r] = 0;
    return strstr(head, "\"merged\":{") != NULL;
}

static void check_sums(verify_report *V, const char *root, const verify_json *files,
                       const char *label)
{
    char path[PATH_MAX * 2], sha[65];
    for (int i = 0; i < verify_json_len(files); i++) {
        const verify_json *f = verify_json_at(files, i);
        const char *rel = verify_json_str(f, "file"), *want = verify_json_str(f, "sha256");
        int64_t bytes = -1;
        if (!rel || !want)
            continue;
        verify_json_int(f, "bytes", &bytes);
        snprintf(path, sizeof path, "%s/%s", root, rel);
        uint64_t got = 0;
        folio_error e = {0};
        if (!folio_sha256_file(path, sha, &got, &e))
            verify_mismatch(V, "%s%s: cannot read: %s", label, rel, e.msg);
        else if ((int64_t)got != bytes || strcmp(sha, want))
            verify_mismatch(V, "%s%s: %llu bytes, SHA-256 %.12s..., manifest says %lld bytes, "
                            "%.12s...", label, rel, (unsigned long long)got, sha,
                            (long long)bytes, want);
        V->files++;
    }
}

/* r-harden (round 25): the merged proof sample as merge writes it: with
 * proofs on, proofs/proof.pdf and proofs/proofs.json both listed, the
 * PDF's pages = the manifest's = proofs.json's, one sample per household
 * the manifest counts, the samples tiling the PDF in order (an empty
 * sample: its one page); with proofs off, no proof file at all.  A
 * manifest without "enabled" (an earlier merge's): the listed files only. */
static void merged_check_proofs(verify_report *V, const char *dir, const verify_json *man)
{
    const verify_json *pr = verify_json_get(man, "proofs"), *files = verify_json_get(man, "files");
    char path[PATH_MAX + 64];
    bool listed[2] = {false, false};
    static const char *const rel[2] = {"proofs/proof.pdf", "proofs/proofs.json"};
    for (int i = 0; i < verify_json_len(files); i++) {
        const char *f = verify_json_str(verify_json_at(files, i), "file");
        for (int k = 0; f && k < 2; k++)
            listed[k] = listed[k] || !strcmp(f, rel[k]);
    }
    if (!pr) {
        verify_mismatch(V, "manifest.json: no \"proofs\"");
        return;
    }
    int enabled = verify_json_bool(pr, "enabled");
    if (enabled < 0)        /* r-fixm: the previous release's merge wrote no "enabled" and,
                             * proofs off or an empty sample, only proofs.json: its
                             * listed files are checked (check_sums), nothing more */
        return;
    if (enabled == 0) {
        for (int k = 0; k < 2; k++) {
            snprintf(path, sizeof path, "%s/%s", dir, rel[k]);
            if (listed[k] || access(path, F_OK) == 0)
                verify_mismatch(V, "%s: proofs are off (manifest.json), yet the file is %s",
                                rel[k], listed[k] ? "listed" : "there");
        }
        return;
    }
    for (int k = 0; k < 2; k++)
        if (!listed[k])
            verify_mismatch(V, "manifest.json: the proof sample's %s is not listed", rel[k]);
    if (!listed[0] || !listed[1])
        return;
    snprintf(path, sizeof path, "%s/proofs/proof.pdf", dir);
    uint32_t pages = 0;
    folio_error pe = {0};
    if (!production_pdf_pages(path, &pages, &pe)) {
        verify_mismatch(V, "proofs/proof.pdf: cannot count pages: %s", pe.msg);
        return;
    }
    int64_t mpages = -1, mh = -1, jpages = -1;
    verify_json_int(pr, "pages", &mpages);
    verify_json_int(pr, "households", &mh);
    snprintf(path, sizeof path, "%s/proofs/proofs.json", dir);
    folio_error je = {0};
    verify_json *pj = verify_json_read_file(path, &je);
    if (!pj) {
        verify_mismatch(V, "proofs/proofs.json: %s", je.msg);
        return;
    }
    verify_json_int(pj, "pages", &jpages);
    if (mpages != (int64_t)pages || jpages != (int64_t)pages)
        verify_mismatch(V, "proofs/proof.pdf: %u pages, manifest.json says %lld, proofs.json "
                        "%lld", pages, (long long)mpages, (long long)jpages);
    const verify_json *sm = verify_json_get(pj, "samples");
    int ns = verify_json_len(sm);
    if (ns != mh)
        verify_mismatch(V, "proofs/proofs.json: %d samples, manifest.json says %lld", ns,
                        (long long)mh);
    int64_t end = 0;
    for (int i = 0; i < ns; i++) {
        const verify_json *s = verify_json_at(sm, i);
        int64_t f = -1, c = -1, st = -1;
        if (!verify_json_int(s, "proof_first_page", &f) || !verify_json_int(s, "cover_pages", &c)
            || !verify_json_int(s, "statement_pages", &st) || f != end + 1 || c < 1 || st < 0) {
            verify_mismatch(V, "proofs/proofs.json: sample %d starts at page %lld of proof.pdf "
                            "(cover %lld, statement %lld pages), expected page %lld", i + 1,
                            (long long)f, (long long)c, (long long)st, (long long)(end + 1));
            break;
        }
        end = f + c + st - 1;
    }
    if (end != (int64_t)pages && !(ns == 0 && pages == 1))
        verify_mismatch(V, "proofs/proofs.json: the samples end at page %lld, proof.pdf has %u",
                        (long long)end, pages);
    verify_json_free(pj);
}

int merge_verify(const char *dir, FILE *rep)
{
    verify_report V = {.rep = rep};
    char path[PATH_MAX + 32];
    snprintf(path, sizeof path, "%s/manifest.json", dir);
    folio_error e = {0};
    verify_json *man = verify_json_read_file(path, &e);
    if (!man) {
        fprintf(rep, "folio verify: %s\n", e.msg);
        return FOLIO_EXIT_FAILED;
    }
    const verify_json *shards = verify_json_get(man, "shards");
    int n = verify_json_len(shards);
    shard_in *S = calloc((size_t)(n > 0 ? n : 1), sizeof *S);
    bool loaded = S != NULL;
    for (int i = 0; S && i < n; i++) {
        const verify_json *s = verify_json_at(shards, i);
        const char *sd = verify_json_str(s, "dir");
        char label[PATH_MAX + 16];
        snprintf(label, sizeof label, "shard %d: ", i + 1);
        if (!sd) {
            verify_mismatch(&V, "shard %d: no directory", i + 1);
            loaded = false;
            continue;
        }
        check_sums(&V, sd, verify_json_get(s, "files"), label);
        /* the shard's own run, against its own manifest */
        fprintf(rep, "shard %d: %s\n", i + 1, sd);
        if (production_verify(sd, rep) != 0)
            verify_mismatch(&V, "shard %d: %s does not verify", i + 1, sd);
        folio_error le = {0};
        if (!load_shard(&S[i], sd, &le)) {
            verify_mismatch(&V, "shard %d: %s", i + 1, le.msg);
            loaded = false;
        }
    }
    check_sums(&V, dir, verify_json_get(man, "files"), "");
    merged_check_proofs(&V, dir, man);  /* r-harden (round 25) */
    /* the totals again from the shards' manifests */
    if (loaded && n > 0) {
        folio_buf b;
        folio_buf_init(&b, 0);
        put_totals(&b, S, n);
        verify_json *t = b.failed ? NULL : verify_json_parse(b.data, b.len, NULL, 0);
        const verify_json *mt = verify_json_get(man, "totals");
        /* both are written by put_totals: compare them as text */
        folio_buf a;
        folio_buf_init(&a, 0);
        const char *ms = strstr(b.data ? b.data : "", "{");
        (void)ms;
        snprintf(path, sizeof path, "%s/manifest.json", dir);
        size_t tl;
        char *txt = slurp(path, &tl);
        const char *at = txt ? strstr(txt, "\"totals\":") : NULL;
        if (!t || !mt || !at || strncmp(at + 9, b.data, b.len))
            verify_mismatch(&V, "totals: the shards' manifests sum to %.*s", (int)(b.len > 300 ? 300 : b.len),
                            b.data ? b.data : "");
        free(txt);
        folio_buf_free(&a);
        verify_json_free(t);
        folio_buf_free(&b);
    }
    const verify_json *rc_ = verify_json_get(man, "reconciliation");
    const verify_json *checks = verify_json_get(rc_, "checks");
    for (int i = 0; i < verify_json_len(checks); i++) {
        const verify_json *c = verify_json_at(checks, i);
        const verify_json *ok = verify_json_get(c, "ok");
        (void)ok;
        /* a check holds when its two figures agree */
        const char *nums[2] = {0};
        int k = 0;
        for (int j = 0; j < verify_json_len(c) && k < 2; j++)
            if (verify_json_is_num(verify_json_at(c, j)))
                nums[k++] = verify_json_text(verify_json_at(c, j));
        if (k == 2 && strcmp(nums[0], nums[1]))
            verify_mismatch(&V, "reconciliation: %s: %s vs %s",
                            verify_json_str(c, "check") ? verify_json_str(c, "check") : "?",
                            nums[0], nums[1]);
    }
    for (int i = 0; S && i < n; i++)
        verify_json_free(S[i].man);
    free(S);
    verify_json_free(man);
    if (V.mismatches) {
        fprintf(rep, "folio verify: %u mismatch(es) in the merged directory %s\n", V.mismatches,
                dir);
        return FOLIO_EXIT_FAILED;
    }
    fprintf(rep, "verified %u files of %d shards\n", V.files, n);
    return FOLIO_EXIT_OK;
}
