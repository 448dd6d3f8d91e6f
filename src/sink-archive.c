/* SPDX-License-Identifier: Apache-2.0 */
/*
 * sink-archive.c -- the e-delivery archive sink (sink-archive.h).
 *
 *   prepare   (any worker thread) one statement -> its PDF/A-1b document
 *             in memory, CRC-32, SHA-256, page count, the accounts tag;
 *   add       (in document order) append the document to the current zip
 *             (stored: a PDF is compressed already), its index rows and
 *             notification rows; after a zip's last document add
 *             index.csv and index.json (deflated) to it, close it and write
 *             the same indexes beside it;
 *   close     notifications.csv.
 * A document's bytes depend only on its statement, a zip's bytes only on
 * its documents: the output is the same at any thread count.
 *
 * Index row (CSV columns, JSON keys):
 *   document, household, customers (';'-joined ids), accounts (';'-joined,
 *   masked or full), statement_date, period_start, period_end, pages, bytes,
 *   sha256.
 */
#include "sink-archive.h"

#include "folio/zip.h"

#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <libdeflate.h>

#define ARCHIVE_ACCOUNTS_MAX (64u << 20)   /* one document's accounts tag */

static const char ARCHIVE_CSV_HEADER[] =
    "document,household,customers,accounts,statement_date,period_start,period_end,pages,"
    "bytes,sha256\n";
static const char NOTIFY_CSV_HEADER[] =
    "address,customer,household,document,archive,period_start,period_end\n";

/* ---- the pool of kept libharu documents ----------------------------------- */

/* pdf_reuse objects are one thread's at a time: prepare() takes one from the
 * pool and gives it back, so fonts are parsed once per pooled document. */
struct archive_reuse_pool {
    pthread_mutex_t mu;
    folio_pdf_reuse *free[64];
    int n_free;
};

archive_reuse_pool *archive_pool_new(void)
{
    archive_reuse_pool *p = calloc(1, sizeof *p);
    if (p)
        pthread_mutex_init(&p->mu, NULL);
    return p;
}

void archive_pool_free(archive_reuse_pool *p)
{
    if (!p)
        return;
    for (int i = 0; i < p->n_free; i++)
        pdf_reuse_free(p->free[i]);
    pthread_mutex_destroy(&p->mu);
    free(p);
}

static folio_pdf_reuse *pool_take(archive_reuse_pool *p)
{
    if (!p)
        return NULL;
    folio_pdf_reuse *r = NULL;
    pthread_mutex_lock(&p->mu);
    if (p->n_free)
        r = p->free[--p->n_free];
    pthread_mutex_unlock(&p->mu);
    return r ? r : pdf_reuse_new();   /* NULL (out of memory) only costs speed */
}

static void pool_give(archive_reuse_pool *p, folio_pdf_reuse *r)
{
    if (!r)
        return;
    bool kept = false;
    if (p) {
        pthread_mutex_lock(&p->mu);
        if (p->n_free < (int)(sizeof p->free / sizeof p->free[0])) {
            p->free[p->n_free++] = r;
            kept = true;
        }
        pthread_mutex_unlock(&p->mu);
    }
    if (!kept)
        pdf_reuse_free(r);
}

/* ---- prepare: one document ------------------------------------------------ */

/* One rendered document waiting to be appended to its zip. */
typedef struct archive_doc {
    char name[FOLIO_ARCHIVE_NAME_MAX];
    folio_buf pdf;
    uint32_t crc;
    uint32_t pages;
    char sha256[65];
    folio_buf accounts;         /* the statement's "accounts" tag (space separated),
                                   grown as needed: never cut */
    char d0[16], d1[16];        /* issue 15 part 1 (r-chan): the document's own
                                   interval (its statement's), YYYY-MM-DD */
} archive_doc;

static void archive_release(void *prepared)
{
    archive_doc *d = prepared;
    if (!d)
        return;
    folio_buf_free(&d->pdf);
    folio_buf_free(&d->accounts);
    free(d);
}

static void *archive_prepare(const void *opt, const folio_dl_statement *st, folio_error *err)
{
    const folio_sink_archive_options *O = opt;
    const char *hid = st->id ? st->id : "";
    archive_doc *d = calloc(1, sizeof *d);
    if (!d) {
        folio_error_set(err, FOLIO_EXIT_FAILED, "out of memory");
        return NULL;
    }
    folio_buf_init(&d->pdf, (size_t)1 << 31);
    folio_buf_init(&d->accounts, ARCHIVE_ACCOUNTS_MAX);
    /* issue 15 part 1 (r-chan): a statement with its own interval is
     * named, titled and indexed by it (archive_plan names it the same) */
    snprintf(d->d0, sizeof d->d0, "%s", O->d0);
    snprintf(d->d1, sizeof d->d1, "%s", O->d1);
    if (st->period_start)
        folio_date_format(st->period_start, "YYYY-MM-DD", d->d0, sizeof d->d0);
    if (st->period_end)
        folio_date_format(st->period_end, "YYYY-MM-DD", d->d1, sizeof d->d1);
    archive_doc_name(O->opt->prefix, hid, d->d0, d->d1, d->name);
    size_t alen = 0;
    const char *av = "";
    for (uint32_t t = 0; t < st->n_tags; t++)
        if (!strcmp(st->tags[t].name, "accounts") && st->tags[t].value) {
            av = st->tags[t].value;
            alen = strlen(av);
        }
    if (!folio_buf_append(&d->accounts, av, alen + 1)) {   /* with its NUL */
        folio_error_set(err, FOLIO_EXIT_FAILED, "%s: household %s: the accounts list "
                        "(%zu bytes) does not fit the archive index (at most %u MiB or out "
                        "of memory)", d->name, hid, alen, ARCHIVE_ACCOUNTS_MAX >> 20);
        archive_release(d);
        return NULL;
    }
    const char *d0 = d->d0, *d1 = d->d1, *dd = O->dd;
    char title[512], subject[512], keywords[640], ident[FOLIO_ARCHIVE_NAME_MAX];
    snprintf(title, sizeof title, "%s statement %s to %s", O->bank_name ? O->bank_name : "",
             d0, d1);
    snprintf(subject, sizeof subject, "Statement for household %s, period %s to %s, dated %s",
             hid, d0, d1, dd);
    snprintf(keywords, sizeof keywords, "household=%s; period=%s/%s; statement_date=%s", hid,
             d0, d1, dd);
    snprintf(ident, sizeof ident, "%.*s", (int)strlen(d->name) - 4, d->name);
    folio_pdf_options po = {
        .title = title, .author = O->bank_name, .subject = subject,
        .doc_date = O->statement_date, .compression = O->opt->compression};
    folio_pdf_reuse *ru = pool_take(O->pool);
    folio_pdfa_options pa = {.keywords = keywords, .identifier = ident, .icc = O->icc,
                             .icc_len = O->icc_len, .statement = st, .reuse = ru,
                             .tagged = O->opt->tagged, .lang = st->lang};  /* issue 14 */
    folio_pdf_writer *w = pdf_writer_open_pdfa(d->name, O->fonts, O->n_fonts, &po, &pa, err);
    bool ok = w != NULL;
    if (ok && !pdf_writer_add_statement(w, st, err)) {
        pdf_writer_abort(w);
        ok = false;
    }
    if (ok) {
        d->pages = pdf_writer_pages(w);
        if (!pdf_writer_close_mem(w, &d->pdf, err) || d->pdf.failed) {
            folio_error_set(err, FOLIO_EXIT_FAILED, "%s: cannot render the document", d->name);
            ok = false;
        }
    }
    pool_give(O->pool, ru);
    if (!ok) {
        archive_release(d);
        return NULL;
    }
    /* r-adoc (issue 11): libdeflate's CRC-32 (the same value; carry-less
     * multiplication where the CPU has it, ~10x zlib's table walk) */
    d->crc = libdeflate_crc32(0, d->pdf.data, d->pdf.len);
    folio_sha256_hex(d->pdf.data, d->pdf.len, d->sha256);
    return d;
}

/* ---- add: the ordered appends ---------------------------------------------- */

typedef struct archive_sink {
    const folio_sink_archive_options *O;
    folio_archive_result *res;
    size_t next;                /* the next document */
    folio_zip *zw;              /* the zip being written, NULL between zips */
    folio_buf csv, json, notif;
} archive_sink;

/* Index rows of one document, CSV and JSON. */
static void archive_index_row(archive_sink *k, size_t i, const char *hid,
                              const folio_archive_person *pp, uint32_t np,
                              const archive_doc *s)
{
    const folio_sink_archive_options *O = k->O;
    const folio_archive_result *res = k->res;
    folio_buf *csv = &k->csv, *json = &k->json;
    const char *d0 = s->d0, *d1 = s->d1, *dd = O->dd;   /* r-chan: the document's */
    folio_buf cust, acc;
    folio_buf_init(&cust, 0);
    folio_buf_init(&acc, 0);
    for (uint32_t q = 0; q < np; q++) {
        if (q)
            folio_buf_putc(&cust, ';');
        folio_buf_puts(&cust, pp[q].id);
    }
    char small_id[256], small_one[256];
    for (const char *a = s->accounts.data ? s->accounts.data : ""; *a;) {
        const char *e = strchr(a, ' ');
        size_t n = e ? (size_t)(e - a) : strlen(a);
        /* a long account number gets its own buffers: never cut */
        char *id = n < sizeof small_id ? small_id : malloc(n + 1);
        char *one = n < sizeof small_one ? small_one : malloc(n + 1);
        if (id && one) {
            memcpy(id, a, n);
            id[n] = 0;
            archive_mask(id, O->opt->mask_accounts, one, n + 1);
            if (acc.len)
                folio_buf_putc(&acc, ';');
            folio_buf_puts(&acc, one);
        } else {
            acc.failed = true;
        }
        if (id != small_id)
            free(id);
        if (one != small_one)
            free(one);
        a += n + (e ? 1 : 0);
    }
    if (cust.failed || acc.failed)          /* out of memory: the index must not be short */
        csv->failed = json->failed = true;
    const char *c = cust.data ? cust.data : "", *ac = acc.data ? acc.data : "";
    folio_buf_put_csv_field(csv, res->doc[i], strlen(res->doc[i]));
    folio_buf_putc(csv, ',');
    folio_buf_put_csv_field(csv, hid, strlen(hid));
    folio_buf_putc(csv, ',');
    folio_buf_put_csv_field(csv, c, strlen(c));
    folio_buf_putc(csv, ',');
    folio_buf_put_csv_field(csv, ac, strlen(ac));
    folio_buf_putc(csv, ',');
    folio_buf_puts(csv, dd);
    folio_buf_putc(csv, ',');
    folio_buf_puts(csv, d0);
    folio_buf_putc(csv, ',');
    folio_buf_puts(csv, d1);
    folio_buf_putc(csv, ',');
    folio_buf_put_int(csv, s->pages);
    folio_buf_putc(csv, ',');
    folio_buf_put_int(csv, (int64_t)s->pdf.len);
    folio_buf_putc(csv, ',');
    folio_buf_puts(csv, s->sha256);
    folio_buf_putc(csv, '\n');

    folio_buf_puts(json, json->len && json->data[json->len - 1] == '[' ? "\n    {" : ",\n    {");
    folio_buf_puts(json, "\"document\":");
    folio_buf_put_json_str(json, res->doc[i], strlen(res->doc[i]));
    folio_buf_puts(json, ",\"household\":");
    folio_buf_put_json_str(json, hid, strlen(hid));
    folio_buf_puts(json, ",\"customers\":[");
    for (uint32_t q = 0; q < np; q++) {
        if (q)
            folio_buf_putc(json, ',');
        folio_buf_put_json_str(json, pp[q].id, strlen(pp[q].id));
    }
    folio_buf_puts(json, "],\"accounts\":[");
    for (const char *a = ac; *a;) {
        const char *e = strchr(a, ';');
        size_t n = e ? (size_t)(e - a) : strlen(a);
        if (a != ac)
            folio_buf_putc(json, ',');
        folio_buf_put_json_str(json, a, n);
        a += n + (e ? 1 : 0);
    }
    folio_buf_puts(json, "],\"statement_date\":\"");
    folio_buf_puts(json, dd);
    folio_buf_puts(json, "\",\"period_start\":\"");
    folio_buf_puts(json, d0);
    folio_buf_puts(json, "\",\"period_end\":\"");
    folio_buf_puts(json, d1);
    folio_buf_puts(json, "\",\"pages\":");
    folio_buf_put_int(json, s->pages);
    folio_buf_puts(json, ",\"bytes\":");
    folio_buf_put_int(json, (int64_t)s->pdf.len);
    folio_buf_puts(json, ",\"sha256\":\"");
    folio_buf_puts(json, s->sha256);
    folio_buf_puts(json, "\"}");
    folio_buf_free(&cust);
    folio_buf_free(&acc);
}

/* Notification rows of document i: the customers people() marks (the
 * primary customer, whose address routing checked, and every other
 * customer with a valid address who asked for e-mail or both). */
static uint64_t archive_notify(archive_sink *k, size_t i, const char *hid,
                               const folio_archive_person *pp, uint32_t np, const char *zip,
                               const archive_doc *s)
{
    folio_buf *b = &k->notif;
    const char *d0 = s->d0, *d1 = s->d1;     /* r-chan: the document's interval */
    const char *name = k->res->doc[i];
    uint64_t n = 0;
    char doc[FOLIO_ARCHIVE_NAME_MAX];
    snprintf(doc, sizeof doc, "%.*s", (int)strlen(name) - 4, name);
    for (uint32_t q = 0; q < np; q++) {
        if (!pp[q].notify)
            continue;
        folio_buf_put_csv_field(b, pp[q].email, strlen(pp[q].email));
        folio_buf_putc(b, ',');
        folio_buf_put_csv_field(b, pp[q].id, strlen(pp[q].id));
        folio_buf_putc(b, ',');
        folio_buf_put_csv_field(b, hid, strlen(hid));
        folio_buf_putc(b, ',');
        folio_buf_put_csv_field(b, doc, strlen(doc));
        folio_buf_putc(b, ',');
        folio_buf_put_csv_field(b, zip, strlen(zip));
        folio_buf_putc(b, ',');
        folio_buf_puts(b, d0);
        folio_buf_putc(b, ',');
        folio_buf_puts(b, d1);
        folio_buf_putc(b, '\n');
        n++;
    }
    return n;
}

static bool write_part(const char *part, const folio_buf *b, uint64_t *bytes, char sha[65],
                       folio_error *err)
{
    FILE *fp = folio_fopen_excl(part);          /* a new file, never through a link */
    bool ok = fp && (b->len == 0 || fwrite(b->data, 1, b->len, fp) == b->len);
    if (fp && fclose(fp) != 0)
        ok = false;
    if (!ok) {
        folio_error_set(err, FOLIO_EXIT_FAILED, "%s: cannot write: %s", part, strerror(errno));
        return false;
    }
    *bytes = b->len;
    folio_sha256_hex(b->data ? b->data : "", b->len, sha);
    return true;
}

static bool oom(folio_error *err)
{
    folio_error_set(err, FOLIO_EXIT_FAILED, "out of memory");
    return false;
}

/* Finish zip z: indexes inside (deflated) and beside, close, checksum. */
static bool archive_finish_zip(folio_zip *zw, folio_archive_zip *z, folio_buf *csv,
                               folio_buf *json, folio_error *err)
{
    folio_buf_puts(json, "\n  ]\n}\n");
    if (csv->failed || json->failed) {
        zip_abort(zw);
        return oom(err);
    }
    if (!zip_add(zw, "index.csv", csv->data, csv->len, FOLIO_ZIP_DEFLATED, 0, err) ||
        !zip_add(zw, "index.json", json->data, json->len, FOLIO_ZIP_DEFLATED, 0, err)) {
        zip_abort(zw);
        return false;
    }
    /* r-arch: hashed as written (zip_hash_start), not read back */
    if (!zip_close_sha256(zw, &z->bytes, z->sha256, err))
        return false;
    return write_part(z->csv_part, csv, &z->csv_bytes, z->csv_sha256, err) &&
           write_part(z->json_part, json, &z->json_bytes, z->json_sha256, err);
}

static void json_head(folio_buf *j, const char *zip, const char *d0, const char *d1,
                      const char *dd)
{
    folio_buf_reset(j);
    folio_buf_puts(j, "{\n  \"generator\":\"folio " FOLIO_VERSION "\",\n  \"archive\":");
    folio_buf_put_json_str(j, zip, strlen(zip));
    folio_buf_puts(j, ",\n  \"statement_date\":\"");
    folio_buf_puts(j, dd);
    folio_buf_puts(j, "\",\n  \"period_start\":\"");
    folio_buf_puts(j, d0);
    folio_buf_puts(j, "\",\n  \"period_end\":\"");
    folio_buf_puts(j, d1);
    folio_buf_puts(j, "\",\n  \"documents\":[");
}

/* path: unused (the archive writes the files archive_plan named). */
static void *archive_open(const void *opt, const char *path, folio_error *err)
{
    (void)path;
    const folio_sink_archive_options *O = opt;
    archive_sink *k = calloc(1, sizeof *k);
    if (!k) {
        oom(err);
        return NULL;
    }
    k->O = O;
    k->res = O->res;
    folio_buf_init(&k->csv, (size_t)1 << 32);
    folio_buf_init(&k->json, (size_t)1 << 32);
    folio_buf_init(&k->notif, (size_t)1 << 34);
    folio_buf_puts(&k->notif, NOTIFY_CSV_HEADER);
    return k;
}

static bool archive_add(void *self, const folio_dl_statement *st, void *prepared,
                        folio_error *err)
{
    archive_sink *k = self;
    const folio_sink_archive_options *O = k->O;
    folio_archive_result *res = k->res;
    archive_doc *s = prepared;
    size_t i = k->next;
    if (i >= res->n_docs || !s || strcmp(s->name, res->doc[i]) != 0) {
        folio_error_set(err, FOLIO_EXIT_FAILED, "internal error: archive document %zu of %zu "
                        "out of order", i, res->n_docs);
        return false;
    }
    folio_archive_zip *z = &res->zips[res->zip_of[i]];
    if (!k->zw) {
        int fd = folio_create_excl(z->part);    /* a new file, never through a link */
        if (fd < 0) {
            folio_error_set(err, FOLIO_EXIT_FAILED, "%s: cannot create: %s", z->part,
                            strerror(errno));
            return false;
        }
        close(fd);
        k->zw = zip_create(z->part, O->statement_date, err);
        if (!k->zw)
            return false;
        if (!zip_hash_start(k->zw, err))
            return false;
        folio_buf_reset(&k->csv);
        folio_buf_puts(&k->csv, ARCHIVE_CSV_HEADER);
        json_head(&k->json, z->name, O->d0, O->d1, O->dd);
    }
    if (!zip_add(k->zw, res->doc[i], s->pdf.data, s->pdf.len, FOLIO_ZIP_STORED, s->crc, err))
        return false;
    k->next++;
    res->pages[i] = s->pages;
    z->pages += s->pages;
    z->pdf_bytes += s->pdf.len;
    res->pages_total += s->pages;
    res->pdf_bytes += s->pdf.len;
    const folio_archive_person *pp = NULL;
    uint32_t np = O->people ? O->people(O->people_ctx, res->hh[i], &pp) : 0;
    if (np == UINT32_MAX)
        return oom(err);
    const char *hid = st->id ? st->id : "";
    archive_index_row(k, i, hid, pp, np, s);
    res->notifications += archive_notify(k, i, hid, pp, np, z->name, s);
    if (i + 1 == (size_t)z->first_doc + z->n_docs) {
        folio_zip *w = k->zw;
        k->zw = NULL;
        return archive_finish_zip(w, z, &k->csv, &k->json, err);
    }
    return true;
}

static void archive_abort(void *self)
{
    archive_sink *k = self;
    if (!k)
        return;
    if (k->zw)
        zip_abort(k->zw);
    folio_buf_free(&k->csv);
    folio_buf_free(&k->json);
    folio_buf_free(&k->notif);
    free(k);
}

static bool archive_close(void *self, folio_sink_result *r, folio_error *err)
{
    archive_sink *k = self;
    folio_archive_result *res = k->res;
    bool ok = true;
    if (k->next != res->n_docs) {
        folio_error_set(err, FOLIO_EXIT_FAILED, "internal error: %zu archive documents "
                        "written, %zu planned", k->next, res->n_docs);
        ok = false;
    }
    if (ok && k->notif.failed)
        ok = oom(err);
    if (ok)
        ok = write_part(res->notif_part, &k->notif, &res->notif_bytes, res->notif_sha256, err);
    if (r) {
        memset(r, 0, sizeof *r);
        r->pages = (uint32_t)res->pages_total;
        r->statements = (uint32_t)k->next;
        r->bytes = res->pdf_bytes;
    }
    archive_abort(k);
    return ok;
}

const folio_sink_type folio_sink_archive = {
    .name = "archive",
    .ext = ".zip",
    .open = archive_open,
    .prepare = archive_prepare,
    .release = archive_release,
    .add_statement = archive_add,
    .close = archive_close,
    .abort = archive_abort,
};
