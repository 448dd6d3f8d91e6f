/* SPDX-License-Identifier: Apache-2.0 */
/* fuzz_zip: the zip reader of `folio verify` (src/zip.c zip_open_read,
 * zip_entry_data, zip_find) and archive_verify (src/archive-verify.c) with
 * the input as the only archive zip of an output directory. */
#include "fuzz_common.h"
#include "folio/archive.h"
#include "folio/zip.h"

#include <sys/stat.h>
#include <zlib.h>

/* FUZZ_ZIP_SEED=PATH: write a small archive zip with folio's own zip writer
 * (an index.csv, an index.json and one stored and one deflated document)
 * for tests/fuzz/make_seeds.py, and exit. */
static void write_seed(const char *path)
{
    static const char pdf[] = "%PDF-1.4\n1 0 obj <</Type /Page>> endobj\n"
                              "2 0 obj <</Type /Pages /Count 1>> endobj\ntrailer\n%%EOF\n";
    char hex[65], csv[1024];
    folio_sha256_hex(pdf, sizeof pdf - 1, hex);
    snprintf(csv, sizeof csv,
             "document,household,customers,accounts,statement_date,period_start,period_end,"
             "pages,bytes,sha256\n"
             "a.pdf,H1,C1,****1234,2026-11-01,2026-10-01,2026-10-31,1,%zu,%s\n"
             "\"b.pdf\",H2,\"C2;C3\",****9,2026-11-01,2026-10-01,2026-10-31,1,%zu,%s\n",
             sizeof pdf - 1, hex, sizeof pdf - 1, hex);
    static const char json[] = "{\"documents\":2}\n";
    folio_error err = {0};
    folio_date d = 0;
    folio_date_from_ymd(2026, 11, 1, &d);
    folio_zip *z = zip_create(path, d, &err);
    uint32_t crc = (uint32_t)crc32(crc32(0L, Z_NULL, 0), (const Bytef *)pdf, sizeof pdf - 1);
    if (!z || !zip_add(z, "a.pdf", pdf, sizeof pdf - 1, FOLIO_ZIP_STORED, crc, &err) ||
        !zip_add(z, "b.pdf", pdf, sizeof pdf - 1, FOLIO_ZIP_DEFLATED, 0, &err) ||
        !zip_add(z, "index.csv", csv, strlen(csv), FOLIO_ZIP_DEFLATED, 0, &err) ||
        !zip_add(z, "index.json", json, sizeof json - 1, FOLIO_ZIP_DEFLATED, 0, &err) ||
        !zip_close(z, NULL, &err)) {
        fprintf(stderr, "fuzz_zip: seed: %s\n", err.msg);
        exit(1);
    }
    exit(0);
}

static FILE *devnull;
static char zpath[600];

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc; (void)argv;
    if (getenv("FUZZ_ZIP_SEED"))
        write_seed(getenv("FUZZ_ZIP_SEED"));
    devnull = fopen("/dev/null", "w");
    char d[512];
    snprintf(d, sizeof d, "%s/out", fz_dir());
    mkdir(d, 0700);
    snprintf(d, sizeof d, "%s/out/archive", fz_dir());
    mkdir(d, 0700);
    snprintf(zpath, sizeof zpath, "%s/statements-0001.zip", d);
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    FILE *fp = fopen(zpath, "wb");
    if (!fp || (size && fwrite(data, 1, size, fp) != size) || fclose(fp) != 0)
        abort();
    folio_error err = {0};
    folio_zip_reader *r = zip_open_read(zpath, &err);
    if (!r) {
        fz_check_error(&err, "zip_open_read");
    } else {
        for (size_t i = 0; i < r->n; i++) {
            void *owned = NULL;
            folio_error e2 = {0};
            const unsigned char *p = zip_entry_data(r, i, &owned, &e2);
            if (p) {
                volatile unsigned char sink = 0;
                if (r->entries[i].usize)        /* first and last byte are readable */
                    sink ^= p[0] ^ p[r->entries[i].usize - 1];
                (void)sink;
            } else {
                fz_check_error(&e2, "zip_entry_data");
            }
            free(owned);
            if (zip_find(r, r->entries[i].name) < 0)
                abort();
        }
        /* the index files beside the zip are its own (verify compares them),
         * so the checks after that comparison are reached */
        static const char *const twins[] = {"index.csv", "index.json"};
        for (int k = 0; k < 2; k++) {
            char tw[700];
            snprintf(tw, sizeof tw, "%.*s.%s", (int)strlen(zpath) - 4, zpath, twins[k]);
            long i = zip_find(r, twins[k]);
            void *owned = NULL;
            folio_error e3 = {0};
            const unsigned char *p = i >= 0 ? zip_entry_data(r, (size_t)i, &owned, &e3) : NULL;
            FILE *tf = fopen(tw, "wb");
            if (!tf)
                abort();
            if (p && r->entries[i].usize)
                fwrite(p, 1, r->entries[i].usize, tf);
            fclose(tf);
            free(owned);
        }
        zip_close_read(r);
    }
    char out[512];
    snprintf(out, sizeof out, "%s/out", fz_dir());
    archive_tally tally = {0};
    archive_verify(out, -1, NULL, NULL, devnull, &tally);
    return 0;
}
