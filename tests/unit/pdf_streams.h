/* SPDX-License-Identifier: Apache-2.0 */
/*
 * pdf_streams.h -- the unit tests' one reader of a PDF's deflated streams
 * (font programs, maps, content), for tests that check what a writer put in
 * them.  Include after cmocka.h, zlib.h and string.h (with _GNU_SOURCE for
 * memmem, as the Makefile sets).
 */
#ifndef FOLIO_TEST_PDF_STREAMS_H
#define FOLIO_TEST_PDF_STREAMS_H

#include <stdbool.h>

/* The next zlib stream of pdf[0..len) from *pos on that inflates completely
 * into out (cap bytes): its data in the file (*z, *zlen deflated bytes) and
 * its inflated length (*got).  Moves *pos past it; false when none is left.
 * Streams that are not zlib, or do not fit in cap, are skipped. */
static bool pdf_next_stream(const void *pdf, size_t len, size_t *pos, unsigned char *out,
                            size_t cap, const unsigned char **z, size_t *zlen, size_t *got)
{
    const unsigned char *base = pdf, *end = base + len;
    const unsigned char *p = base + *pos;
    while ((p = memmem(p, (size_t)(end - p), "stream", 6)) != NULL) {
        bool endstream = p > base && p[-1] == 'd';
        p += 6;
        if (endstream)
            continue;
        if (p < end && *p == '\r')
            p++;
        if (p < end && *p == '\n')
            p++;
        z_stream zs;
        memset(&zs, 0, sizeof zs);
        assert_int_equal(inflateInit(&zs), Z_OK);
        zs.next_in = (Bytef *)p;
        zs.avail_in = (uInt)(end - p);
        zs.next_out = out;
        zs.avail_out = (uInt)cap;
        int r = inflate(&zs, Z_FINISH);
        *got = zs.total_out;
        *zlen = zs.total_in;
        inflateEnd(&zs);
        if (r == Z_STREAM_END) {
            *z = p;
            *pos = (size_t)(p - base) + *zlen;
            return true;
        }
    }
    *pos = len;
    return false;
}

#endif
