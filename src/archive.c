/*
 * archive.c -- the e-delivery archive writer (folio/archive.h).
 *
 * Order of work in archive_write:
 *   1. list the documents: households routed to email or both, in
 *      household order (the order of the zips and of every index);
 *   2. read the ICC output profile once;
 *   3. per batch k of ARCHIVE_BATCH_PER_THREAD x threads documents, in one
 *      parallel region (OpenMP; each thread its own arena):
 *        one thread (omp single nowait), strictly in document order
 *          (archive_append): append each slot of batch k-1 to the current
 *          zip (stored: a PDF is compressed already), add its index rows and
 *          notification rows; when a zip holds max_documents documents (or
 *          the last one), add index.csv and index.json (deflated) to it,
 *          close it and write the same indexes beside it;
 *        meanwhile the other threads, and that one when done (dynamic
 *          schedule): compose_household -> pdf writer (PDF/A-1b) -> bytes
 *          in memory, CRC-32, SHA-256, page count -- into batch k's slots
 *          (two sets of slots, used in turn);
 *      then the last batch is appended.  The appends (a file write of ~110 KB
 *      per document) overlap rendering instead of holding every thread.
 *      A document's bytes depend only on its household, a zip's bytes only
 *      on its documents: output is the same for any thread count, and memory
 *      holds two batches of documents, not the archive.
 *   4. notifications.csv.
 * Every file is written under NAME.part; archive_publish renames.
 *
 * Index row (CSV columns, JSON keys):
 *   document, household, customers (';'-joined ids), accounts (';'-joined,
 *   masked or full), statement_date, period_start, period_end, pages, bytes,
 *   sha256.
 */
#include "folio/archive.h"
#include "folio/plan.h"

#include "folio/pdf.h"
#include "folio/zip.h"

#include <errno.h>
#include <omp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <zlib.h>

#define ARCHIVE_BATCH_PER_THREAD 16
#define ARCHIVE_MAX_ICC (4u << 20)
#define ARCHIVE_ACCOUNTS_MAX (64u << 20)   /* one document's accounts tag */

static const char ARCHIVE_CSV_HEADER[] =
    "document,household,customers,accounts,statement_date,period_start,period_end,pages,"
    "bytes,sha256\n";
static const char NOTIFY_CSV_HEADER[] =
    "address,customer,household,document,archive,period_start,period_end\n";

/* One rendered document waiting to be appended to its zip. */
typedef struct archive_slot {
    folio_buf pdf;
    uint32_t crc;
    uint32_t pages;
    char sha256[65];
    folio_buf accounts;         /* the statement's "accounts" tag (space separated),
                                   grown as needed: never cut */
    folio_error err;
    bool failed;
} archive_slot;

void archive_mask(const char *id, bool mask, char *out, size_t cap)
{
    size_t n = strlen(id);
    if (cap == 0)
        return;
    if (n >= cap)
        n = cap - 1;
    for (size_t i = 0; i < n; i++)
        out[i] = mask && i + 4 < n ? '*' : id[i];
    out[n] = 0;
}

/* PREFIX-HOUSEHOLD-PSTART_PEND.pdf; the household id reduced to safe
 * characters, with 8 hex digits of its SHA-256 when anything changed. */
static void archive_doc_name(const char *prefix, const char *hid, const char *d0,
                             const char *d1, char out[FOLIO_ARCHIVE_NAME_MAX])
{
    char safe[80];
    size_t n = 0;
    bool changed = false;
    for (const char *p = hid; *p; p++) {
        char c = *p;
        bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                  c == '-' || c == '_' || (c == '.' && p != hid);
        if (n + 1 >= 48) {
            changed = true;
            break;
        }
        safe[n++] = ok ? c : '_';
        changed |= !ok;
    }
    safe[n] = 0;
    if (changed || n == 0) {
        char hex[65];
        folio_sha256_hex(hid, strlen(hid), hex);
        snprintf(safe + n, sizeof safe - n, "-%.8s", hex);
    }
    snprintf(out, FOLIO_ARCHIVE_NAME_MAX, "%s-%s-%s_%s.pdf", prefix, safe, d0, d1);
}

static bool read_icc(const char *path, unsigned char **data, size_t *len, folio_error *err)
{
    folio_error oerr = {0};
    FILE *fp = folio_input_fopen(path, NULL, FOLIO_EXIT_FAILED, &oerr);
    if (!fp) {
        folio_error_set(err, oerr.code, "cannot read the ICC output profile for PDF/A: %s "
                        "(install icc-profiles-free or set output.archive.icc_profile)",
                        oerr.msg);
        return false;
    }
    unsigned char *b = malloc(ARCHIVE_MAX_ICC);
    size_t n = b ? fread(b, 1, ARCHIVE_MAX_ICC, fp) : 0;
    fclose(fp);
    /* an RGB display or output profile: bytes 16..19 are the colour space */
    if (!b || n < 128 || n == ARCHIVE_MAX_ICC || memcmp(b + 16, "RGB ", 4) != 0 ||
        memcmp(b + 36, "acsp", 4) != 0) {
        free(b);
        folio_error_set(err, FOLIO_EXIT_FAILED, "%s: not an RGB ICC profile", path);
        return false;
    }
    *data = b;
    *len = n;
    return true;
}

/* Render document i (household h) into slot s: compose, PDF/A, checksums. */
static void archive_render(const folio_archive_params *P, const folio_archive_result *res,
                           size_t i, archive_slot *s, folio_arena *arena, folio_pdf_reuse *ru,
                           const unsigned char *icc, size_t icc_len, const char *d0,
                           const char *d1, const char *dd)
{
    const folio_plan *plan = P->plan;
    const folio_job *J = plan->job;
    uint32_t h = res->hh[i];
    const char *hid = plan->hs->v[h].id;
    folio_buf_reset(&s->pdf);
    s->failed = false;
    folio_compose_result cr;
    folio_dl_statement *st = compose_household(plan, h, arena, &cr, &s->err);
    if (!st) {
        s->failed = true;
        return;
    }
    folio_buf_reset(&s->accounts);
    size_t alen = 0;
    const char *av = "";
    for (uint32_t t = 0; t < st->n_tags; t++)
        if (!strcmp(st->tags[t].name, "accounts") && st->tags[t].value) {
            av = st->tags[t].value;
            alen = strlen(av);
        }
    if (!folio_buf_append(&s->accounts, av, alen + 1)) {   /* with its NUL */
        folio_error_set(&s->err, FOLIO_EXIT_FAILED, "%s: household %s: the accounts list "
                        "(%zu bytes) does not fit the archive index (at most %u MiB or out "
                        "of memory)", res->doc[i], hid, alen, ARCHIVE_ACCOUNTS_MAX >> 20);
        s->failed = true;
        return;
    }
    char title[512], subject[512], keywords[640], ident[FOLIO_ARCHIVE_NAME_MAX];
    snprintf(title, sizeof title, "%s statement %s to %s", J->bank_name ? J->bank_name : "",
             d0, d1);
    snprintf(subject, sizeof subject, "Statement for household %s, period %s to %s, dated %s",
             hid, d0, d1, dd);
    snprintf(keywords, sizeof keywords, "household=%s; period=%s/%s; statement_date=%s", hid,
             d0, d1, dd);
    snprintf(ident, sizeof ident, "%.*s", (int)strlen(res->doc[i]) - 4, res->doc[i]);
    folio_pdf_options po = {
        .title = title, .author = J->bank_name, .subject = subject,
        .doc_date = J->statement_date, .compression = P->opt->compression};
    folio_pdfa_options pa = {.keywords = keywords, .identifier = ident, .icc = icc,
                             .icc_len = icc_len, .statement = st, .reuse = ru};
    const folio_layout *L = plan->layout;
    folio_pdf_writer *w = pdf_writer_open_pdfa(res->doc[i], L->fonts, L->n_fonts, &po, &pa,
                                               &s->err);
    if (!w) {
        s->failed = true;
        return;
    }
    if (!pdf_writer_add_statement(w, st, &s->err)) {
        pdf_writer_abort(w);
        s->failed = true;
        return;
    }
    s->pages = pdf_writer_pages(w);
    if (!pdf_writer_close_mem(w, &s->pdf, &s->err) || s->pdf.failed) {
        folio_error_set(&s->err, FOLIO_EXIT_FAILED, "%s: cannot render the document",
                        res->doc[i]);
        s->failed = true;
        return;
    }
    s->crc = (uint32_t)crc32(crc32(0L, Z_NULL, 0), (const Bytef *)s->pdf.data,
                             (uInt)s->pdf.len);
    folio_sha256_hex(s->pdf.data, s->pdf.len, s->sha256);
}

/* Index rows of one document, CSV and JSON. */
static void archive_index_row(const folio_archive_params *P, const folio_archive_result *res,
                              size_t i, const archive_slot *s, folio_buf *csv, folio_buf *json,
                              const char *d0, const char *d1, const char *dd)
{
    const folio_plan *plan = P->plan;
    const folio_households *hs = plan->hs;
    const folio_household *hh = &hs->v[res->hh[i]];
    folio_buf cust, acc;
    folio_buf_init(&cust, 0);
    folio_buf_init(&acc, 0);
    for (uint32_t k = 0; k < hh->n_customers; k++) {
        if (k)
            folio_buf_putc(&cust, ';');
        folio_buf_puts(&cust, plan->ds->customers[hs->customer_idx[hh->first_customer + k]].id);
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
            archive_mask(id, P->opt->mask_accounts, one, n + 1);
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
    folio_buf_put_csv_field(csv, hh->id, strlen(hh->id));
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
    folio_buf_put_json_str(json, hh->id, strlen(hh->id));
    folio_buf_puts(json, ",\"customers\":[");
    for (uint32_t k = 0; k < hh->n_customers; k++) {
        const char *id = plan->ds->customers[hs->customer_idx[hh->first_customer + k]].id;
        if (k)
            folio_buf_putc(json, ',');
        folio_buf_put_json_str(json, id, strlen(id));
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

/* Notification rows of document i: the primary customer (routing made sure
 * the address is valid) and every other customer of the household with a
 * valid address who asked for e-mail or both. */
static uint64_t archive_notify(const folio_archive_params *P, const folio_archive_result *res,
                               size_t i, const char *zip, folio_buf *b, const char *d0,
                               const char *d1)
{
    const folio_plan *plan = P->plan;
    const folio_households *hs = plan->hs;
    const folio_household *hh = &hs->v[res->hh[i]];
    uint64_t n = 0;
    char doc[FOLIO_ARCHIVE_NAME_MAX];
    snprintf(doc, sizeof doc, "%.*s", (int)strlen(res->doc[i]) - 4, res->doc[i]);
    for (uint32_t k = 0; k < hh->n_customers; k++) {
        const folio_customer *c = &plan->ds->customers[hs->customer_idx[hh->first_customer + k]];
        if (!channel_email_valid(c->email, NULL))
            continue;
        if (k && c->delivery != FOLIO_DELIVERY_EMAIL && c->delivery != FOLIO_DELIVERY_BOTH)
            continue;
        folio_buf_put_csv_field(b, c->email, strlen(c->email));
        folio_buf_putc(b, ',');
        folio_buf_put_csv_field(b, c->id, strlen(c->id));
        folio_buf_putc(b, ',');
        folio_buf_put_csv_field(b, hh->id, strlen(hh->id));
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
    if (csv->failed || json->failed)
        return oom(err);
    if (!zip_add(zw, "index.csv", csv->data, csv->len, FOLIO_ZIP_DEFLATED, 0, err) ||
        !zip_add(zw, "index.json", json->data, json->len, FOLIO_ZIP_DEFLATED, 0, err)) {
        zip_abort(zw);
        return false;
    }
    if (!zip_close(zw, &z->bytes, err))
        return false;
    return folio_sha256_file(z->part, z->sha256, NULL, err) &&
           write_part(z->csv_part, csv, &z->csv_bytes, z->csv_sha256, err) &&
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

static double mono(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

/* State of the ordered appends (archive_append), touched by one thread at
 * a time. */
typedef struct archive_sink {
    folio_zip *zw;             /* the zip being written, NULL between zips */
    folio_buf csv, json, notif;
} archive_sink;

/* Append rendered document i (slot s) to its zip, index and notification
 * rows; finish the zip after its last document.  Called in document order. */
static bool archive_append(const folio_archive_params *P, folio_archive_result *res,
                           size_t i, archive_slot *s, archive_sink *k, const char *d0,
                           const char *d1, const char *dd, folio_error *err)
{
    if (s->failed) {
        *err = s->err;
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
        k->zw = zip_create(z->part, P->plan->job->statement_date, err);
        if (!k->zw)
            return false;
        folio_buf_reset(&k->csv);
        folio_buf_puts(&k->csv, ARCHIVE_CSV_HEADER);
        json_head(&k->json, z->name, d0, d1, dd);
    }
    if (!zip_add(k->zw, res->doc[i], s->pdf.data, s->pdf.len, FOLIO_ZIP_STORED, s->crc, err))
        return false;
    res->pages[i] = s->pages;
    z->pages += s->pages;
    z->pdf_bytes += s->pdf.len;
    res->pages_total += s->pages;
    res->pdf_bytes += s->pdf.len;
    archive_index_row(P, res, i, s, &k->csv, &k->json, d0, d1, dd);
    res->notifications += archive_notify(P, res, i, z->name, &k->notif, d0, d1);
    if (i + 1 == (size_t)z->first_doc + z->n_docs) {
        folio_zip *w = k->zw;
        k->zw = NULL;
        return archive_finish_zip(w, z, &k->csv, &k->json, err);
    }
    return true;
}

bool archive_write(const folio_archive_params *P, folio_archive_result *res, folio_error *err)
{
    double t0 = mono();
    const folio_plan *plan = P->plan;
    const folio_job *J = plan->job;
    const folio_archive_options *O = P->opt;
    size_t nh = plan->hs->n;
    memset(res, 0, sizeof *res);
    res->hh = malloc((nh ? nh : 1) * sizeof *res->hh);
    if (!res->hh)
        return oom(err);
    for (size_t h = 0; h < nh; h++) {
        uint8_t ch = plan->households[h].channel;
        if ((!P->in_shard || P->in_shard[h]) &&
            (ch == FOLIO_CHANNEL_EMAIL || ch == FOLIO_CHANNEL_BOTH))
            res->hh[res->n_docs++] = (uint32_t)h;
    }
    size_t n = res->n_docs;
    char d0[16], d1[16], dd[16];
    folio_date_format(J->period_start, "YYYY-MM-DD", d0, sizeof d0);
    folio_date_format(J->period_end, "YYYY-MM-DD", d1, sizeof d1);
    folio_date_format(J->statement_date, "YYYY-MM-DD", dd, sizeof dd);
    uint32_t per = O->max_documents ? O->max_documents : 5000;
    res->n_zips = (n + per - 1) / per;
    res->pages = calloc(n ? n : 1, sizeof *res->pages);
    res->zip_of = calloc(n ? n : 1, sizeof *res->zip_of);
    res->doc = calloc(n ? n : 1, sizeof *res->doc);
    res->zips = calloc(res->n_zips ? res->n_zips : 1, sizeof *res->zips);
    /* shards of one run may share OUT: their notification files must not collide */
    snprintf(res->notif_name, sizeof res->notif_name, "notifications%s%s.csv",
             P->tag && *P->tag ? "-" : "", P->tag && *P->tag ? P->tag : "");
    if (!res->pages || !res->zip_of || !res->doc || !res->zips ||
        asprintf(&res->notif_path, "%s/%s", P->dir, res->notif_name) < 0 ||
        asprintf(&res->notif_part, "%s/%s.part", P->dir, res->notif_name) < 0)
        return oom(err);
    for (size_t i = 0; i < n; i++) {
        archive_doc_name(O->prefix, plan->hs->v[res->hh[i]].id, d0, d1, res->doc[i]);
        res->zip_of[i] = (uint32_t)(i / per);
    }
    const char *tag = P->tag && *P->tag ? P->tag : NULL;
    for (size_t k = 0; k < res->n_zips; k++) {
        folio_archive_zip *z = &res->zips[k];
        char base[160];
        snprintf(base, sizeof base, "%s-%s_%s%s%s-%04zu", O->prefix, d0, d1, tag ? "-" : "",
                 tag ? tag : "", k + 1);
        snprintf(z->name, sizeof z->name, "%s.zip", base);
        snprintf(z->csv_name, sizeof z->csv_name, "%s.index.csv", base);
        snprintf(z->json_name, sizeof z->json_name, "%s.index.json", base);
        z->first_doc = (uint32_t)(k * per);
        z->n_docs = (uint32_t)(n - k * per < per ? n - k * per : per);
        if (asprintf(&z->path, "%s/%s", P->dir, z->name) < 0 ||
            asprintf(&z->part, "%s/%s.part", P->dir, z->name) < 0 ||
            asprintf(&z->csv_path, "%s/%s", P->dir, z->csv_name) < 0 ||
            asprintf(&z->csv_part, "%s/%s.part", P->dir, z->csv_name) < 0 ||
            asprintf(&z->json_path, "%s/%s", P->dir, z->json_name) < 0 ||
            asprintf(&z->json_part, "%s/%s.part", P->dir, z->json_name) < 0)
            return oom(err);
    }

    unsigned char *icc = NULL;
    size_t icc_len = 0;
    if (n && !read_icc(O->icc_profile, &icc, &icc_len, err))
        return false;
    int nt = omp_get_max_threads();
    size_t T = (size_t)(nt > 0 ? nt : 1);
    size_t B = (size_t)ARCHIVE_BATCH_PER_THREAD * T;
    archive_slot *slots = calloc(2 * B, sizeof *slots);   /* batch k: slots + (k & 1) * B */
    folio_arena *arenas = calloc(T, sizeof *arenas);
    folio_pdf_reuse **reuse = calloc(T, sizeof *reuse);
    archive_sink sink = {0};
    folio_buf_init(&sink.csv, (size_t)1 << 32);
    folio_buf_init(&sink.json, (size_t)1 << 32);
    folio_buf_init(&sink.notif, (size_t)1 << 34);
    folio_buf_puts(&sink.notif, NOTIFY_CSV_HEADER);
    int good = slots && arenas && reuse;      /* cleared (atomically) by the first error */
    if (!good)
        oom(err);
    for (size_t j = 0; good && j < 2 * B; j++) {
        folio_buf_init(&slots[j].pdf, (size_t)1 << 31);
        folio_buf_init(&slots[j].accounts, ARCHIVE_ACCOUNTS_MAX);
    }
    for (size_t t = 0; good && t < T; t++) {
        folio_arena_init(&arenas[t], 256 * 1024);
        reuse[t] = pdf_reuse_new();   /* NULL (out of memory) only costs speed */
    }
    size_t nb = (n + B - 1) / B;               /* batches */
    if (good && n) {
#pragma omp parallel num_threads((int)T)
        {
            size_t t = (size_t)omp_get_thread_num();
            /* step k: append batch k-1 (one thread) and render batch k */
            for (size_t k = 0; k <= nb; k++) {
#pragma omp single nowait
                {
                    for (size_t i = k ? (k - 1) * B : n; i < n && i < k * B; i++) {
                        int go;
#pragma omp atomic read
                        go = good;
                        if (go && folio_stopped(err)) {     /* SIGTERM: stop here */
#pragma omp atomic write
                            good = 0;
                            go = 0;
                        }
                        if (!go)
                            break;
                        archive_slot *s = &slots[((k - 1) & 1) * B + (i - (k - 1) * B)];
                        if (!archive_append(P, res, i, s, &sink, d0, d1, dd, err)) {
#pragma omp atomic write
                            good = 0;
                        }
                    }
                }
                size_t b0 = k * B, b1 = k < nb ? (n - b0 < B ? n : b0 + B) : b0;
#pragma omp for schedule(dynamic, 1)
                for (size_t i = b0; i < b1; i++) {
                    int go;
#pragma omp atomic read
                    go = good;
                    if (!go || folio_stop)      /* skip the rest after a stop request */
                        continue;
                    archive_slot *s = &slots[(k & 1) * B + (i - b0)];
                    archive_render(P, res, i, s, &arenas[t], reuse[t], icc, icc_len, d0, d1,
                                   dd);
                    folio_arena_reset(&arenas[t]);
                    if (P->progress) {
#pragma omp atomic
                        (*P->progress)++;
                    }
                }
            }
        }
    }
    bool ok = good != 0;
    if (ok && folio_stopped(err))
        ok = false;
    if (sink.zw)
        zip_abort(sink.zw);
    if (ok && sink.notif.failed)
        ok = oom(err);
    if (ok)
        ok = write_part(res->notif_part, &sink.notif, &res->notif_bytes, res->notif_sha256,
                        err);
    for (size_t j = 0; slots && j < 2 * B; j++) {
        folio_buf_free(&slots[j].pdf);
        folio_buf_free(&slots[j].accounts);
    }
    for (size_t t = 0; arenas && t < T; t++)
        folio_arena_free(&arenas[t]);
    for (size_t t = 0; reuse && t < T; t++)
        pdf_reuse_free(reuse[t]);
    free(reuse);
    free(slots);
    free(arenas);
    folio_buf_free(&sink.csv);
    folio_buf_free(&sink.json);
    folio_buf_free(&sink.notif);
    free(icc);
    res->seconds = mono() - t0;
    if (!ok)
        archive_discard(res);
    return ok;
}

bool archive_publish(folio_archive_result *res, folio_error *err)
{
    for (size_t k = 0; k < res->n_zips; k++) {
        folio_archive_zip *z = &res->zips[k];
        const char *from[3] = {z->part, z->csv_part, z->json_part};
        const char *to[3] = {z->path, z->csv_path, z->json_path};
        for (int j = 0; j < 3; j++)
            if (rename(from[j], to[j]) != 0) {
                folio_error_set(err, FOLIO_EXIT_FAILED, "%s: rename failed: %s", to[j],
                                strerror(errno));
                return false;
            }
    }
    if (res->notif_part && rename(res->notif_part, res->notif_path) != 0) {
        folio_error_set(err, FOLIO_EXIT_FAILED, "%s: rename failed: %s", res->notif_path,
                        strerror(errno));
        return false;
    }
    return true;
}

void archive_discard(folio_archive_result *res)
{
    for (size_t k = 0; k < res->n_zips; k++) {
        folio_archive_zip *z = &res->zips[k];
        if (z->part)
            unlink(z->part);
        if (z->csv_part)
            unlink(z->csv_part);
        if (z->json_part)
            unlink(z->json_part);
    }
    if (res->notif_part)
        unlink(res->notif_part);
}

void archive_result_free(folio_archive_result *res)
{
    for (size_t k = 0; res->zips && k < res->n_zips; k++) {
        folio_archive_zip *z = &res->zips[k];
        free(z->path);
        free(z->part);
        free(z->csv_path);
        free(z->csv_part);
        free(z->json_path);
        free(z->json_part);
    }
    free(res->zips);
    free(res->hh);
    free(res->pages);
    free(res->zip_of);
    free(res->doc);
    free(res->notif_path);
    free(res->notif_part);
    memset(res, 0, sizeof *res);
}
