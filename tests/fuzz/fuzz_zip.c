/* fuzz_zip: the zip reader of `folio verify` (src/zip.c zip_open_read,
 * zip_entry_data, zip_find) and archive_verify (src/archive-verify.c) with
 * the input as the only archive zip of an output directory. */
#include "fuzz_common.h"
#include "folio/archive.h"
#include "folio/zip.h"

#include <sys/stat.h>

static FILE *devnull;
static char zpath[600];

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc; (void)argv;
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
        zip_find(r, "index.csv");
        zip_close_read(r);
    }
    char out[512];
    snprintf(out, sizeof out, "%s/out", fz_dir());
    unsigned files = 0;
    archive_verify(out, -1, NULL, NULL, devnull, &files);
    return 0;
}
