/* SPDX-License-Identifier: Apache-2.0 */
/*
 * fuzz_common.h -- helpers shared by the libFuzzer harnesses of tests/fuzz/.
 *
 * Every harness defines LLVMFuzzerTestOneInput (and, when it needs one-time
 * setup, LLVMFuzzerInitialize).  The same sources build two ways:
 *   make fuzz          clang -fsanitize=fuzzer,address,undefined (libFuzzer main)
 *   make fuzz-replay   the default compiler + ASan/UBSan and tests/fuzz/replay.c,
 *                      which runs every corpus file and saved crash once.
 * Loaders that take a path get the input through a file in a private
 * scratch directory (/dev/shm when it exists), made once per process.
 */
#ifndef FOLIO_FUZZ_COMMON_H
#define FOLIO_FUZZ_COMMON_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "folio/common.h"

#ifndef FOLIO_FUZZ_ROOT
#define FOLIO_FUZZ_ROOT "."
#endif

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* The source tree (layouts/, fonts/): $FOLIO_ROOT, else the tree it was built from. */
static inline const char *fz_root(void)
{
    const char *r = getenv("FOLIO_ROOT");
    return r && *r ? r : FOLIO_FUZZ_ROOT;
}

/* A scratch directory of this process, removed at exit. */
static char fz_dir_buf[256];
static void fz_cleanup(void)
{
    if (fz_dir_buf[0]) {
        char cmd[300];
        snprintf(cmd, sizeof cmd, "rm -rf '%s'", fz_dir_buf);
        if (system(cmd) != 0) { /* best effort */ }
    }
}
static inline const char *fz_dir(void)
{
    if (!fz_dir_buf[0]) {
        /* FUZZ_SCRATCH: where `make fuzz` wants them (it removes that
         * directory at the end: libFuzzer's fork mode kills its workers, so
         * their atexit cleanup does not run) */
        const char *base = getenv("FUZZ_SCRATCH");
        if (base && *base)
            mkdir(base, 0700);
        else
            base = access("/dev/shm", W_OK) == 0 ? "/dev/shm" : "/tmp";
        snprintf(fz_dir_buf, sizeof fz_dir_buf, "%s/folio-fuzz-XXXXXX", base);
        if (!mkdtemp(fz_dir_buf)) {
            perror("mkdtemp");
            abort();
        }
        atexit(fz_cleanup);
    }
    return fz_dir_buf;
}

/* Write data to DIR/name (replacing it); returns the path (static buffer). */
static inline const char *fz_write(const char *name, const uint8_t *data, size_t size)
{
    static char path[512];
    snprintf(path, sizeof path, "%s/%s", fz_dir(), name);
    FILE *fp = fopen(path, "wb");
    if (!fp || (size && fwrite(data, 1, size, fp) != size) || fclose(fp) != 0) {
        perror(path);
        abort();
    }
    return path;
}

/* A loader error must be a clean one: a code and a message, and a usage
 * error must name a place ("file:..."). */
static inline void fz_check_error(const folio_error *err, const char *who)
{
    if (getenv("FUZZ_VERBOSE"))       /* see why a seed stops where it does */
        fprintf(stderr, "%s: %s\n", who, err->msg);
    if (err->code != FOLIO_EXIT_USAGE && err->code != FOLIO_EXIT_FAILED) {
        fprintf(stderr, "%s failed without an error code (code %d, msg \"%s\")\n", who,
                err->code, err->msg);
        abort();
    }
    if (!err->msg[0]) {
        fprintf(stderr, "%s failed with an empty message\n", who);
        abort();
    }
}

#endif
