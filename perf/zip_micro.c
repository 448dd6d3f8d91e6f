/* SPDX-License-Identifier: Apache-2.0 */
/*
 * zip_micro.c -- issue 16 part 8: folio's zip writer (src/zip.c) next to
 * libzip (Debian libzip-dev) on the same archive entries.
 *
 * libzip exports zip_add, zip_close, zip_open, ... -- the names of folio's
 * own zip API (include/folio/zip.h) -- so the two cannot be linked into one
 * program: this file builds twice, and perf/zip_micro.sh runs the two
 * alternately and compares.
 *
 *   perf/zip_micro.sh ARCHIVE.zip [rounds]     (builds both, runs them alternately)
 *
 * or by hand:
 *   make build/libfolio.a
 *   cc -O2 -std=c11 -D_GNU_SOURCE -Iinclude perf/zip_micro.c build/libfolio.a \
 *      -lz -lcrypto -lm -o build/perf/zip_micro_folio
 *   cc -O2 -std=c11 -D_GNU_SOURCE -DWITH_LIBZIP perf/zip_micro.c -lzip -lcrypto \
 *      -o build/perf/zip_micro_libzip
 *   build/perf/zip_micro_folio ARCHIVE.zip [rounds]      (or _libzip)
 *
 * ARCHIVE.zip is an archive folio wrote (OUT/archive/NAME.zip): its entries
 * (the PDF/A documents, stored, and index.csv/index.json, deflated) are read
 * into memory once, then written `rounds` times (default 5) to
 * /tmp/zip_micro-PID.zip the way sink-archive.c writes them: documents
 * stored with their CRC-32 known (folio computes it on the worker threads,
 * so it is not timed for folio; libzip computes it itself in zip_close,
 * timed), the index files deflated, every entry dated the archive's DOS
 * date (the statement date, midnight), in the archive's order.
 *
 *   folio   zip_create, zip_add* (each entry written to the file as it is
 *           added), zip_close (central directory)
 *   libzip  zip_open(ZIP_CREATE | ZIP_TRUNCATE), zip_source_buffer +
 *           zip_file_add + zip_set_file_compression + zip_file_set_dostime
 *           per entry, zip_close (which writes every entry then, into a
 *           temporary file renamed at the end: the entries' bytes must stay
 *           in memory, or in files, until then)
 *
 * Printed, one line: writer, median wall and CPU seconds per round, MB/s
 * of archive written, file size, SHA-256 of the first round's file and
 * whether every round gave the same bytes.
 */
#include <openssl/evp.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#ifdef WITH_LIBZIP
#include <zip.h>
#else
#include "folio/zip.h"
#endif

typedef struct {
    char *name;
    const unsigned char *data;
    size_t n;
    int method;
    uint32_t crc;
} entry;

static double now(clockid_t c)
{
    struct timespec ts;
    clock_gettime(c, &ts);
    return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

static void sha_file(const char *path, unsigned char out[32], long *size)
{
    FILE *f = fopen(path, "rb");
    if (!f) {
        memset(out, 0, 32);
        *size = -1;
        return;
    }
    EVP_MD_CTX *c = EVP_MD_CTX_new();
    EVP_DigestInit_ex(c, EVP_sha256(), NULL);
    static unsigned char buf[1 << 16];
    size_t k;
    *size = 0;
    while ((k = fread(buf, 1, sizeof buf, f)) > 0) {
        EVP_DigestUpdate(c, buf, k);
        *size += (long)k;
    }
    EVP_DigestFinal_ex(c, out, NULL);
    EVP_MD_CTX_free(c);
    fclose(f);
}

#ifndef WITH_LIBZIP
static bool write_folio(const char *path, const entry *e, size_t n, folio_date date)
{
    folio_error err = { 0 };
    folio_zip *z = zip_create(path, date, &err);
    if (!z) {
        fprintf(stderr, "folio: %s\n", err.msg);
        return false;
    }
    for (size_t i = 0; i < n; i++)
        if (!zip_add(z, e[i].name, e[i].data, e[i].n, e[i].method, e[i].crc, &err)) {
            fprintf(stderr, "folio: %s\n", err.msg);
            zip_abort(z);
            return false;
        }
    uint64_t bytes;
    if (!zip_close(z, &bytes, &err)) {
        fprintf(stderr, "folio: %s\n", err.msg);
        return false;
    }
    return true;
}

#else
static bool write_libzip(const char *path, const entry *e, size_t n, uint16_t dtime,
                         uint16_t ddate)
{
    int ze = 0;
    zip_t *za = zip_open(path, ZIP_CREATE | ZIP_TRUNCATE, &ze);
    if (!za) {
        fprintf(stderr, "libzip: cannot open %s (%d)\n", path, ze);
        return false;
    }
    for (size_t i = 0; i < n; i++) {
        zip_source_t *s = zip_source_buffer(za, e[i].data, e[i].n, 0);
        zip_int64_t k = s ? zip_file_add(za, e[i].name, s, ZIP_FL_ENC_UTF_8) : -1;
        if (k < 0) {
            fprintf(stderr, "libzip: %s\n", zip_strerror(za));
            zip_source_free(s);
            zip_discard(za);
            return false;
        }
        if (zip_set_file_compression(za, (zip_uint64_t)k,
                                     e[i].method ? ZIP_CM_DEFLATE : ZIP_CM_STORE, 6) < 0 ||
            zip_file_set_dostime(za, (zip_uint64_t)k, dtime, ddate, 0) < 0) {
            fprintf(stderr, "libzip: %s\n", zip_strerror(za));
            zip_discard(za);
            return false;
        }
    }
    if (zip_close(za) < 0) {
        fprintf(stderr, "libzip: %s\n", zip_strerror(za));
        zip_discard(za);
        return false;
    }
    return true;
}

#endif

static int cmpd(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

/* The archive's entries, read with the writer's own library. */
static entry *read_entries(const char *path, size_t *n, uint16_t *dtime, uint16_t *ddate)
{
#ifdef WITH_LIBZIP
    int ze = 0;
    zip_t *za = zip_open(path, ZIP_RDONLY, &ze);
    if (!za)
        return NULL;
    zip_int64_t m = zip_get_num_entries(za, 0);
    entry *e = calloc((size_t)m, sizeof *e);
    for (zip_int64_t i = 0; i < m; i++) {
        zip_stat_t st;
        zip_stat_index(za, (zip_uint64_t)i, 0, &st);
        unsigned char *d = malloc(st.size + 1);
        zip_file_t *f = zip_fopen_index(za, (zip_uint64_t)i, 0);
        if (!f || zip_fread(f, d, st.size) != (zip_int64_t)st.size)
            return NULL;
        zip_fclose(f);
        e[i] = (entry){ strdup(st.name), d, st.size, st.comp_method == ZIP_CM_STORE ? 0 : 8,
                        st.crc };
    }
    zip_close(za);
    *n = (size_t)m;
#else
    folio_error err = { 0 };
    folio_zip_reader *r = zip_open_read(path, &err);
    if (!r) {
        fprintf(stderr, "%s\n", err.msg);
        return NULL;
    }
    entry *e = calloc(r->n, sizeof *e);
    for (size_t i = 0; i < r->n; i++) {
        void *owned = NULL;
        const unsigned char *d = zip_entry_data(r, i, &owned, &err);
        if (!d)
            return NULL;
        unsigned char *copy = malloc(r->entries[i].usize + 1);
        memcpy(copy, d, r->entries[i].usize);
        free(owned);
        e[i] = (entry){ strdup(r->entries[i].name), copy, r->entries[i].usize,
                        r->entries[i].method, r->entries[i].crc };
    }
    *n = r->n;
    zip_close_read(r);
#endif
    FILE *f = fopen(path, "rb");
    unsigned char h[14];
    if (!f || fread(h, 1, 14, f) != 14)
        return NULL;
    fclose(f);
    *dtime = (uint16_t)(h[10] | h[11] << 8);
    *ddate = (uint16_t)(h[12] | h[13] << 8);
    return e;
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        fprintf(stderr, "usage: %s ARCHIVE.zip [rounds]\n", argv[0]);
        return 2;
    }
    int rounds = argc > 2 ? atoi(argv[2]) : 5;
    if (rounds < 1 || rounds > 100)
        rounds = 5;
    size_t n = 0;
    uint16_t dtime, ddate;
    entry *e = read_entries(argv[1], &n, &dtime, &ddate);
    if (!e) {
        fprintf(stderr, "%s: cannot read the archive\n", argv[1]);
        return 1;
    }
    size_t total = 0;
    for (size_t i = 0; i < n; i++)
        total += e[i].n;
#ifndef WITH_LIBZIP
    folio_date date;
    if (dtime != 0 || !folio_date_from_ymd(1980 + (ddate >> 9), (ddate >> 5) & 15, ddate & 31,
                                           &date)) {
        fprintf(stderr, "unexpected DOS time/date %04x %04x\n", dtime, ddate);
        return 1;
    }
    const char *name = "folio-zip.c";
#else
    const char *name = "libzip";
#endif
    char path[64];
    snprintf(path, sizeof path, "/tmp/zip_micro-%d.zip", (int)getpid());
    unsigned char sha0[32], sha[32];
    bool same = true;
    long size = 0;
    double wall[100], cpu[100];
    for (int k = 0; k < rounds; k++) {
        double t0 = now(CLOCK_MONOTONIC), c0 = now(CLOCK_PROCESS_CPUTIME_ID);
#ifndef WITH_LIBZIP
        bool ok = write_folio(path, e, n, date);
#else
        bool ok = write_libzip(path, e, n, dtime, ddate);
#endif
        wall[k] = now(CLOCK_MONOTONIC) - t0;
        cpu[k] = now(CLOCK_PROCESS_CPUTIME_ID) - c0;
        if (!ok)
            return 1;
        sha_file(path, k ? sha : sha0, &size);
        if (k && memcmp(sha, sha0, 32))
            same = false;
    }
    qsort(wall, (size_t)rounds, sizeof(double), cmpd);
    qsort(cpu, (size_t)rounds, sizeof(double), cmpd);
    double w = wall[rounds / 2];
    printf("%-12s entries %zu (%.1f MB)  wall %.3f s  cpu %.3f s  %.0f MB/s  %ld bytes  sha256 ",
           name, n, total / 1e6, w, cpu[rounds / 2], size / 1e6 / w, size);
    for (int i = 0; i < 8; i++)
        printf("%02x", sha0[i]);
    printf("...  same bytes every round: %s\n", same ? "yes" : "NO");
    remove(path);
    for (size_t i = 0; i < n; i++) {
        free(e[i].name);
        free((void *)e[i].data);
    }
    free(e);
    return 0;
}
