/* SPDX-License-Identifier: Apache-2.0 */
/* fuzz_afp: afp_check (`folio afpdump --check`), afp_dump and afp_walk_text
 * on an AFP print stream held in memory (src/afp-read.c). */
#include "fuzz_common.h"
#include "folio/afp.h"

static FILE *devnull;
static unsigned long problems, runs;

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc; (void)argv;
    devnull = fopen("/dev/null", "w");
    return 0;
}

static void on_problem(void *ctx, size_t off, const char *reason)
{
    size_t len = *(size_t *)ctx;
    if (off > len || !reason || !reason[0]) {
        fprintf(stderr, "afp_check: problem at offset %zu of %zu: \"%s\"\n", off, len,
                reason ? reason : "(null)");
        abort();
    }
    problems++;
}

static void on_text(void *ctx, uint32_t page, int32_t x, int32_t y, int font, const char *s,
                    size_t n)
{
    (void)ctx; (void)page; (void)x; (void)y; (void)font;
    if (n && !s)
        abort();
    for (size_t i = 0; i < n; i++)      /* touch every byte reported */
        runs += (unsigned char)s[i] == 0xFF;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    size_t len = size;
    unsigned n = afp_check(data, size, on_problem, &len);
    char msg[256];
    bool ok = afp_check_buffer(data, size, msg, sizeof msg);
    if (ok != (n == 0)) {
        fprintf(stderr, "afp_check found %u problems but afp_check_buffer says %s\n", n,
                ok ? "valid" : msg);
        abort();
    }
    afp_dump(data, size, devnull);
    afp_walk_text(data, size, 37, on_text, NULL);
    afp_walk_text(data, size, 500, on_text, NULL);
    return 0;
}
