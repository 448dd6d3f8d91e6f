/* SPDX-License-Identifier: Apache-2.0 */
/*
 * deflate_micro.c -- zlib vs libdeflate on folio's own page content.
 *
 *   cc -O2 perf/deflate_micro.c -lz -ldeflate -o build/perf/deflate_micro
 *   build/perf/deflate_micro FILE.pdf [FONT.ttf ...]
 *
 * FILE.pdf is a folio print file written with output.print.compression: 0,
 * so its page content streams are stored raw: every stream without a
 * /Filter is taken as one page's content.  Each is deflated on its own (as
 * the writer does, one stream per page) with zlib levels 1, 6, 9 and
 * libdeflate levels 1-7, 9, 12, repeatedly for about a second each;
 * the table gives input MB/s (raw bytes / CPU seconds) and the output size
 * as a percentage of the input.  Any FONT.ttf given is measured the same
 * way as one stream (the font programs the archive deflates per document).
 */
#define _GNU_SOURCE      /* memmem */
#include <libdeflate.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <zlib.h>

typedef struct {
    const unsigned char *p;
    size_t n;
} blob;

static double cpu_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
    return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

static unsigned char *slurp(const char *path, size_t *n)
{
    FILE *f = fopen(path, "rb");
    if (!f) {
        perror(path);
        exit(2);
    }
    fseek(f, 0, SEEK_END);
    long sz = ftell(f);
    fseek(f, 0, SEEK_SET);
    unsigned char *d = malloc((size_t)sz + 1);
    if (!d || fread(d, 1, (size_t)sz, f) != (size_t)sz) {
        fprintf(stderr, "%s: cannot read\n", path);
        exit(2);
    }
    fclose(f);
    *n = (size_t)sz;
    return d;
}

/* Streams of a PDF whose dictionary has no /Filter. */
static size_t raw_streams(const unsigned char *d, size_t n, blob *out, size_t cap)
{
    size_t k = 0;
    const unsigned char *p = d, *end = d + n;
    while (k < cap) {
        const unsigned char *s = memmem(p, (size_t)(end - p), "stream", 6);
        if (!s || end - s < 8)
            break;
        if ((s > d && s[-1] == 'd') || (s[6] != '\n' && s[6] != '\r')) {
            p = s + 6;                        /* "endstream", or not a keyword */
            continue;
        }
        const unsigned char *body = s + 7 + (s[6] == '\r' && s[7] == '\n');
        const unsigned char *e = memmem(body, (size_t)(end - body), "endstream", 9);
        if (!e)
            break;
        /* the dictionary: back to the last "obj" */
        const unsigned char *o = s;
        while (o > d && !(o[0] == 'o' && o[1] == 'b' && o[2] == 'j'))
            o--;
        size_t len = (size_t)(e - body);
        while (len && (body[len - 1] == '\n' || body[len - 1] == '\r'))
            len--;
        if (!memmem(o, (size_t)(s - o), "/Filter", 7) && len > 0 &&
            !memmem(o, (size_t)(s - o), "/Subtype /XML", 13))
            out[k++] = (blob){ body, len };
        p = e + 9;
    }
    return k;
}

typedef struct {
    const char *name;
    int lib;                /* 0 zlib, 1 libdeflate */
    int level;
} method;

/* zlib as folio used it: one z_stream, deflateReset between streams (a
 * compress2 per stream would also time a 256 KB deflateInit each). */
static size_t run(const method *m, const blob *b, size_t nb, unsigned char *out, size_t cap,
                  struct libdeflate_compressor *c, z_stream *zs)
{
    size_t total = 0;
    for (size_t i = 0; i < nb; i++) {
        if (m->lib == 0) {
            deflateReset(zs);
            zs->next_in = (Bytef *)b[i].p;
            zs->avail_in = (uInt)b[i].n;
            zs->next_out = out;
            zs->avail_out = (uInt)cap;
            if (deflate(zs, Z_FINISH) != Z_STREAM_END)
                exit(3);
            total += cap - zs->avail_out;
        } else {
            size_t z = libdeflate_zlib_compress(c, b[i].p, b[i].n, out, cap);
            if (!z)
                exit(3);
            total += z;
        }
    }
    return total;
}

static void measure(const char *what, const blob *b, size_t nb)
{
    static const method ms[] = {
        { "zlib 1", 0, 1 }, { "zlib 6", 0, 6 }, { "zlib 9", 0, 9 },
        { "libdeflate 1", 1, 1 }, { "libdeflate 2", 1, 2 }, { "libdeflate 3", 1, 3 },
        { "libdeflate 4", 1, 4 }, { "libdeflate 5", 1, 5 }, { "libdeflate 6", 1, 6 },
        { "libdeflate 7", 1, 7 }, { "libdeflate 9", 1, 9 }, { "libdeflate 12", 1, 12 },
    };
    size_t raw = 0, maxn = 0;
    for (size_t i = 0; i < nb; i++) {
        raw += b[i].n;
        if (b[i].n > maxn)
            maxn = b[i].n;
    }
    size_t cap = compressBound((uLong)maxn) + 1024;
    unsigned char *out = malloc(cap);
    printf("%s: %zu streams, %.1f KB raw, %.0f bytes each on average\n", what, nb,
           raw / 1024.0, (double)raw / (double)nb);
    printf("  %-14s %10s %8s %10s\n", "method", "MB/s", "out %", "out KB");
    for (size_t k = 0; k < sizeof ms / sizeof ms[0]; k++) {
        struct libdeflate_compressor *c =
            ms[k].lib ? libdeflate_alloc_compressor(ms[k].level) : NULL;
        z_stream zs;
        memset(&zs, 0, sizeof zs);
        if (!ms[k].lib && deflateInit(&zs, ms[k].level) != Z_OK)
            exit(3);
        size_t z = run(&ms[k], b, nb, out, cap, c, &zs);    /* warm up */
        int reps = 0;
        double t0 = cpu_now(), t;
        do {
            run(&ms[k], b, nb, out, cap, c, &zs);
            reps++;
            t = cpu_now() - t0;
        } while (t < 1.0);
        printf("  %-14s %10.1f %8.1f %10.1f\n", ms[k].name, raw * (double)reps / t / 1e6,
               100.0 * (double)z / (double)raw, z / 1024.0);
        if (c)
            libdeflate_free_compressor(c);
        else
            deflateEnd(&zs);
    }
    free(out);
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        fprintf(stderr, "usage: %s FILE.pdf [FONT.ttf ...]\n", argv[0]);
        return 2;
    }
    size_t n;
    unsigned char *pdf = slurp(argv[1], &n);
    size_t cap = 1 << 20;
    blob *b = malloc(cap * sizeof *b);
    size_t nb = raw_streams(pdf, n, b, cap);
    if (nb == 0) {
        fprintf(stderr, "%s: no unfiltered streams (write it with compression: 0)\n", argv[1]);
        return 1;
    }
    measure("page content", b, nb);
    for (int i = 2; i < argc; i++) {
        size_t fn;
        unsigned char *f = slurp(argv[i], &fn);
        blob fb = { f, fn };
        measure(argv[i], &fb, 1);
        free(f);
    }
    free(b);
    free(pdf);
    return 0;
}
