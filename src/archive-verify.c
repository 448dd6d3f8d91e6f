/* SPDX-License-Identifier: Apache-2.0 */
/*
 * archive-verify.c -- `folio verify` of OUT/archive (folio/archive.h).
 *
 * For every *.zip in OUT/archive, in name order:
 *   1. open it with our reader (zip.h): end record, ZIP64 records, central
 *      directory, every local header against its directory entry;
 *   2. read every entry back and check its CRC-32 with zlib (inflating the
 *      deflated indexes);
 *   3. index.csv and index.json inside must equal NAME.index.csv and
 *      NAME.index.json beside the zip, byte for byte;
 *   4. every index row names a PDF entry of the zip, once, whose size and
 *      SHA-256 are the row's and whose page count (page objects) is the
 *      row's; every PDF entry has a row.
 * Then: the documents of all zips add up to the manifest's
 * counts.archive_documents, no ".part" file is left, and every file in
 * archive/ is one the manifest lists.
 */
#include "folio/archive.h"
#include "folio/zip.h"
#include "verify-private.h"

#include <dirent.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static bool ends_with(const char *s, const char *suf)
{
    size_t n = strlen(s), m = strlen(suf);
    return n >= m && !strcmp(s + n - m, suf);
}

/* Whole file into memory (NUL-terminated); NULL if unreadable. */
static char *slurp(const char *path, size_t *len)
{
    folio_error oerr = {0};
    FILE *fp = folio_input_fopen(path, NULL, FOLIO_EXIT_FAILED, &oerr);
    if (!fp)
        return NULL;
    folio_buf b;
    folio_buf_init(&b, (size_t)1 << 32);
    char chunk[65536];
    size_t n;
    while ((n = fread(chunk, 1, sizeof chunk, fp)) > 0)
        folio_buf_append(&b, chunk, n);
    fclose(fp);
    if (b.failed) {
        folio_buf_free(&b);
        return NULL;
    }
    if (!b.data)
        folio_buf_append(&b, "", 0);
    *len = b.len;
    return b.data;
}

/* "/Type /Page" (or "/Type/Page": r-arch3, the compact rewrite drops the
 * space) ending at a delimiter or white space (not /Pages, /PageLabel),
 * starting before d[lim], in d[0..n). */
static unsigned page_marks_to(const unsigned char *d, uint64_t n, uint64_t lim)
{
    unsigned c = 0;
    for (uint64_t i = 0; i < lim && i + 10 < n; i++) {
        if (d[i] != '/' || memcmp(d + i, "/Type", 5))
            continue;
        uint64_t j = i + 5;
        while (j < n && (d[j] == ' ' || d[j] == '\n' || d[j] == '\r' || d[j] == '\t'))
            j++;
        if (j + 5 < n && !memcmp(d + j, "/Page", 5) && strchr(" \t\r\n\f/<>[](){}%", d[j + 5]))
            c++;                /* (strchr finds NUL too: white space in PDF) */
    }
    return c;
}

static unsigned page_marks(const unsigned char *d, uint64_t n)
{
    return page_marks_to(d, n, n);
}

/* Page objects in a PDF: page_marks of the file and, for a tagged
 * document, of its deflated object streams (r-arch, src/pdf-compact.c:
 * "/Type/ObjStm ... /Length N>>" then "stream" EOL and N bytes). */
static unsigned pdf_page_objects(const unsigned char *d, uint64_t n)
{
    unsigned c = page_marks(d, n);
    static const char os[] = "/Type/ObjStm";
    for (uint64_t i = 0; i + sizeof os < n; i++) {
        if (d[i] != '/' || memcmp(d + i, os, sizeof os - 1))
            continue;
        const unsigned char *l = memmem(d + i, n - i, "/Length ", 8);
        const unsigned char *st = memmem(d + i, n - i, ">>\nstream", 9);
        if (!l || !st || l > st)
            continue;
        unsigned long len = strtoul((const char *)l + 8, NULL, 10);
        uint64_t at = (uint64_t)(st - d) + 9;
        if (at < n && d[at] == '\r')
            at++;
        if (at >= n || d[at] != '\n' || len > n - at - 1)
            continue;
        at++;
        z_stream z;
        memset(&z, 0, sizeof z);
        if (inflateInit(&z) != Z_OK)
            continue;
        unsigned char buf[65536 + 16];
        size_t keep = 0;                  /* bytes carried over a chunk boundary */
        z.next_in = (Bytef *)(d + at);
        z.avail_in = (uInt)len;
        int rc = Z_OK;
        while (rc == Z_OK) {
            z.next_out = buf + keep;
            z.avail_out = (uInt)(sizeof buf - 16 - keep);
            rc = inflate(&z, Z_NO_FLUSH);
            size_t have = (size_t)(z.next_out - buf);
            /* input used up with the output buffer full: zlib may still
               hold output (up to 258 bytes of a match), so inflate again */
            bool more = rc == Z_OK && (z.avail_in != 0 || z.avail_out == 0);
            /* a mark starting in the last 16 bytes is counted with the next
               chunk, which begins with them: seen once, cut or not */
            keep = more ? (have < 16 ? have : 16) : 0;
            c += page_marks_to(buf, have, have - keep);
            memmove(buf, buf + have - keep, keep);
            if (!more)
                break;
        }
        inflateEnd(&z);
        i = at + len - 1;
    }
    return c;
}

/* Compare an index inside the zip with its twin beside it. */
static void check_twin(verify_report *V, folio_zip_reader *r, const char *zname, const char *inner,
                       const char *dir, const char *beside, const unsigned char *data)
{
    char path[4400];
    snprintf(path, sizeof path, "%s/%s", dir, beside);
    size_t n = 0;
    char *b = slurp(path, &n);
    long i = zip_find(r, inner);
    if (!b)
        verify_mismatch(V, "archive/%s: its %s is missing beside it", zname, beside);
    else if (i >= 0 && data &&
             (n != r->entries[i].usize || memcmp(b, data, n) != 0))
        verify_mismatch(V, "archive/%s: %s inside differs from archive/%s beside it", zname, inner,
               beside);
    free(b);
}

/* The rows of one index.csv (libcsv: quoted newlines, cells of any length). */
typedef struct index_rows {
    verify_report *V;
    folio_zip_reader *r;
    const char *zname;
    const unsigned char **data;
    uint8_t *rows;
    uint64_t docs, pages;
} index_rows;

static bool index_row(void *ctx, uint64_t line, char **f, const size_t *len, size_t nf)
{
    index_rows *X = ctx;
    verify_report *V = X->V;
    folio_zip_reader *r = X->r;
    const char *zname = X->zname;
    (void)len;
    if (line == 1) {
        if (nf != 10 || strcmp(f[0], "document") || strcmp(f[9], "sha256"))
            verify_mismatch(V, "archive/%s: index.csv has an unexpected header", zname);
        return true;
    }
    if (nf != 10) {
        verify_mismatch(V, "archive/%s: index.csv record %llu: %zu fields, 10 expected", zname,
                        (unsigned long long)line, nf);
        return true;
    }
    X->docs++;
    uint64_t ipages = 0, ibytes = 0;
    bool num_ok = verify_parse_u(f[7], &ipages) && verify_parse_u(f[8], &ibytes);
    if (!num_ok)
        verify_mismatch(V, "archive/%s: index.csv record %llu: pages '%s' or bytes '%s' is not "
                        "a number", zname, (unsigned long long)line, f[7], f[8]);
    X->pages += ipages;
    long di = zip_find(r, f[0]);
    if (di < 0 || !ends_with(f[0], ".pdf")) {
        verify_mismatch(V, "archive/%s: index.csv record %llu: document %s is not in the zip",
                        zname, (unsigned long long)line, f[0]);
        return true;
    }
    if (X->rows[di]++)
        verify_mismatch(V, "archive/%s: index.csv record %llu: document %s listed twice", zname,
                        (unsigned long long)line, f[0]);
    if (!X->data[di])
        return true;
    const folio_zip_entry *ze = &r->entries[di];
    char hex[65];
    folio_sha256_hex(X->data[di], ze->usize, hex);
    if (strcmp(hex, f[9]))
        verify_mismatch(V, "archive/%s: %s: sha256 %s, index says %s", zname, f[0], hex, f[9]);
    if (num_ok && ibytes != ze->usize)
        verify_mismatch(V, "archive/%s: %s: %llu bytes, index says %s", zname, f[0],
                        (unsigned long long)ze->usize, f[8]);
    unsigned pages = pdf_page_objects(X->data[di], ze->usize);
    if (num_ok && pages != ipages)
        verify_mismatch(V, "archive/%s: %s: %u pages, index says %s", zname, f[0], pages, f[7]);
    return true;
}

/* One zip; returns the number of documents in its index. */
static uint64_t verify_zip(verify_report *V, const char *dir, const char *zname,
                           archive_tally *tally)
{
    char path[4400];
    snprintf(path, sizeof path, "%s/%s", dir, zname);
    folio_error e = {0};
    folio_zip_reader *r = zip_open_read(path, &e);
    if (!r) {
        verify_mismatch(V, "archive/%s: %s", zname, e.msg);
        return 0;
    }
    /* every entry's CRC; keep the indexes' bytes */
    void **owned = calloc(r->n ? r->n : 1, sizeof *owned);
    const unsigned char **data = calloc(r->n ? r->n : 1, sizeof *data);
    uint8_t *rows = calloc(r->n ? r->n : 1, 1);
    if (!owned || !data || !rows) {
        verify_mismatch(V, "archive/%s: out of memory", zname);
        free(owned);
        free(data);
        free(rows);
        zip_close_read(r);
        return 0;
    }
    for (size_t i = 0; i < r->n; i++) {
        folio_error ee = {0};
        data[i] = zip_entry_data(r, i, &owned[i], &ee);
        if (!data[i])
            verify_mismatch(V, "%s", ee.msg[0] ? ee.msg : "unreadable entry");
    }
    char base[256];
    snprintf(base, sizeof base, "%.*s", (int)strlen(zname) - 4, zname);
    char twin[300];
    long ci = zip_find(r, "index.csv"), ji = zip_find(r, "index.json");
    if (ci < 0)
        verify_mismatch(V, "archive/%s: no index.csv inside", zname);
    if (ji < 0)
        verify_mismatch(V, "archive/%s: no index.json inside", zname);
    snprintf(twin, sizeof twin, "%s.index.csv", base);
    check_twin(V, r, zname, "index.csv", dir, twin, ci >= 0 ? data[ci] : NULL);
    snprintf(twin, sizeof twin, "%s.index.json", base);
    check_twin(V, r, zname, "index.json", dir, twin, ji >= 0 ? data[ji] : NULL);
    index_rows X = {.V = V, .r = r, .zname = zname, .data = data, .rows = rows};
    if (ci >= 0 && data[ci]) {
        char why[200];
        if (!verify_csv_read(data[ci], r->entries[ci].usize, index_row, &X, why, sizeof why))
            verify_mismatch(V, "archive/%s: index.csv: %s", zname, why);
    }
    uint64_t docs = X.docs;
    if (tally)
        tally->pages += X.pages;
    for (size_t i = 0; i < r->n; i++)
        if (ends_with(r->entries[i].name, ".pdf") && !rows[i])
            verify_mismatch(V, "archive/%s: %s has no index row", zname, r->entries[i].name);
    for (size_t i = 0; i < r->n; i++)
        free(owned[i]);
    free(owned);
    free(data);
    free(rows);
    zip_close_read(r);
    return docs;
}

unsigned archive_verify(const char *out_dir, int64_t expect_docs,
                        bool (*listed)(const char *rel, void *ctx), void *ctx, FILE *rep,
                        archive_tally *tally)
{
    verify_report V = {.rep = rep};
    char dir[4200];
    snprintf(dir, sizeof dir, "%s/archive", out_dir);
    DIR *dd = opendir(dir);
    if (!dd) {
        if (expect_docs > 0)
            verify_mismatch(&V, "archive/: missing, the manifest counts %lld archive documents",
                   (long long)expect_docs);
        return V.mismatches;
    }
    char **names = NULL;
    size_t n = 0, cap = 0;
    struct dirent *de;
    while ((de = readdir(dd))) {
        if (de->d_name[0] == '.')
            continue;
        if (n == cap) {
            cap = cap ? cap * 2 : 64;
            char **nn = realloc(names, cap * sizeof *names);
            if (!nn)
                break;
            names = nn;
        }
        names[n] = strdup(de->d_name);
        if (names[n])
            n++;
    }
    closedir(dd);
    if (n)
        qsort(names, n, sizeof *names, cmp_str);
    uint64_t docs = 0;
    for (size_t i = 0; i < n; i++) {
        char rel[600];
        snprintf(rel, sizeof rel, "archive/%s", names[i]);
        if (ends_with(names[i], ".part"))
            verify_mismatch(&V, "%s: temporary file left behind", rel);
        else if (listed && !listed(rel, ctx))
            verify_mismatch(&V, "%s: in archive/ but not in the manifest", rel);
        if (ends_with(names[i], ".zip")) {
            docs += verify_zip(&V, dir, names[i], tally);
            if (tally)
                tally->files++;
        }
        free(names[i]);
    }
    free(names);
    if (tally)
        tally->documents = docs;
    if (expect_docs >= 0 && docs != (uint64_t)expect_docs)
        verify_mismatch(&V, "archive/: the zips index %llu documents, the manifest counts %lld",
               (unsigned long long)docs, (long long)expect_docs);
    return V.mismatches;
}
