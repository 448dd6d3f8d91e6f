/* SPDX-License-Identifier: Apache-2.0 */
/*
 * feed-split.c -- the scanning kernels of the feed parser (issue 11, round
 * 23: the load stage).  A record without quotes is split at its delimiters
 * in one pass that also finds the LF ending it and tells whether the record
 * is printable ASCII (then it needs no UTF-8 or control-character check):
 * 16 bytes per step with SSE2 (every x86-64 compiler has it), a byte per
 * step elsewhere.  The *_ref functions are the byte loops the unit tests
 * compare with.
 */
#include "feed-split.h"

#include <string.h>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

static inline bool byte_printable(unsigned char c)
{
    return c >= 0x20 && c < 0x7F;
}

size_t feed_split_delims_ref(const char *s, size_t n, char delim, uint32_t *pos, size_t cap,
                             bool *printable)
{
    size_t k = 0;
    bool ok = true;
    for (size_t i = 0; i < n; i++) {
        if (s[i] == delim) {
            if (k < cap)
                pos[k] = (uint32_t)i;
            k++;
        }
        ok = ok && byte_printable((unsigned char)s[i]);
    }
    *printable = ok;
    return k;
}

size_t feed_scan_line_ref(const char *s, size_t n, char delim, uint32_t *pos, size_t cap,
                          size_t *ndelim, bool *printable)
{
    const char *lf = memchr(s, '\n', n);
    size_t len = lf ? (size_t)(lf - s) : n, body = len;
    if (body && s[body - 1] == '\r')
        body--;
    bool ok;
    *ndelim = feed_split_delims_ref(s, len, delim, pos, cap, &ok);
    feed_split_delims_ref(s, body, delim, pos, 0, printable);
    return len;
}

#if defined(__SSE2__)
/* The masks of one 16-byte block: delimiters, LFs, CRs, and bytes that are
 * not printable ASCII (CR among them). */
typedef struct blockm {
    unsigned d, lf, cr, bad;
} blockm;

static inline blockm block(const char *p, char delim)
{
    const __m128i x = _mm_loadu_si128((const __m128i *)(const void *)p);
    blockm b;
    b.d = (unsigned)_mm_movemask_epi8(_mm_cmpeq_epi8(x, _mm_set1_epi8(delim)));
    b.lf = (unsigned)_mm_movemask_epi8(_mm_cmpeq_epi8(x, _mm_set1_epi8('\n')));
    b.cr = (unsigned)_mm_movemask_epi8(_mm_cmpeq_epi8(x, _mm_set1_epi8('\r')));
    /* signed: 0x80..0xFF are negative, so "< 0x20" finds them as well */
    b.bad = (unsigned)_mm_movemask_epi8(_mm_or_si128(_mm_cmplt_epi8(x, _mm_set1_epi8(0x20)),
                                                     _mm_cmpeq_epi8(x, _mm_set1_epi8(0x7F))));
    return b;
}

/* The block of s[i..n) when fewer than 16 bytes are left: the last 16 bytes
 * of s when there are that many (bits before i cleared), else a padded copy.
 * *base: the offset of bit 0 in s. */
static inline blockm tail_block(const char *s, size_t n, size_t i, char delim, size_t *base)
{
    blockm b;
    unsigned valid;
    if (n >= 16) {
        *base = n - 16;
        b = block(s + n - 16, delim);
        valid = 0xFFFFu & ~((1u << (i - (n - 16))) - 1u);
    } else {
        char tmp[16];
        memset(tmp, ' ', sizeof tmp);
        memcpy(tmp, s + i, n - i);
        *base = i;
        b = block(tmp, delim);
        valid = (1u << (n - i)) - 1u;
    }
    b.d &= valid;
    b.lf &= valid;
    b.cr &= valid;
    b.bad &= valid;
    return b;
}
#endif

size_t feed_split_delims(const char *s, size_t n, char delim, uint32_t *pos, size_t cap,
                         bool *printable)
{
#if defined(__SSE2__)
    size_t i = 0, k = 0;
    unsigned bad = 0;
    for (;;) {
        blockm b;
        size_t base = i;
        if (i + 16 <= n)
            b = block(s + i, delim);
        else if (i < n)
            b = tail_block(s, n, i, delim, &base);
        else
            break;
        bad |= b.bad;                   /* a CR among them */
        for (unsigned m = b.d; m; m &= m - 1) {
            if (k < cap)
                pos[k] = (uint32_t)(base + (unsigned)__builtin_ctz(m));
            k++;
        }
        i += 16;
    }
    *printable = bad == 0;
    return k;
#else
    return feed_split_delims_ref(s, n, delim, pos, cap, printable);
#endif
}

size_t feed_scan_line(const char *s, size_t n, char delim, uint32_t *pos, size_t cap,
                      size_t *ndelim, bool *printable)
{
#if defined(__SSE2__)
    size_t i = 0, k = 0, len = n;
    unsigned bad = 0, crs = 0;
    for (;;) {
        blockm b;
        size_t base = i;
        if (i + 16 <= n)
            b = block(s + i, delim);
        else if (i < n)
            b = tail_block(s, n, i, delim, &base);
        else
            break;
        unsigned d = b.d, stop = 0xFFFFu;
        if (b.lf) {                     /* keep the bits before the first LF */
            unsigned at = (unsigned)__builtin_ctz(b.lf);
            len = base + at;
            stop = (1u << at) - 1u;
            d &= stop;
        }
        bad |= b.bad & ~b.cr & stop;
        unsigned crm = b.cr & stop;          /* counted up to 2: enough */
        if (crm)
            crs += crm & (crm - 1) ? 2u : 1u;
        for (unsigned m = d; m; m &= m - 1) {
            if (k < cap)
                pos[k] = (uint32_t)(base + (unsigned)__builtin_ctz(m));
            k++;
        }
        if (b.lf)
            break;
        i += 16;
    }
    /* one CR as the line's last byte is not part of the record */
    *printable = bad == 0 && (crs == 0 || (crs == 1 && s[len - 1] == '\r'));
    *ndelim = k;
    return len;
#else
    return feed_scan_line_ref(s, n, delim, pos, cap, ndelim, printable);
#endif
}
