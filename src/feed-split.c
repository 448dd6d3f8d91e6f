/* SPDX-License-Identifier: Apache-2.0 */
/*
 * feed-split.c -- the scanning kernels of the feed parser (issue 11, round
 * 23: the load stage).  A record without quotes is split at its delimiters
 * in one pass that also tells whether the record is printable ASCII (then it
 * needs no UTF-8 or control-character check): 16 bytes per step with SSE2
 * (every x86-64 compiler has it), a byte per step elsewhere.
 */
#include "feed-split.h"

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

size_t feed_split_delims(const char *s, size_t n, char delim, uint32_t *pos, size_t cap,
                         bool *printable)
{
    size_t i = 0, k = 0;
    bool ok = true;
#if defined(__SSE2__)
    const __m128i vd = _mm_set1_epi8(delim), lo = _mm_set1_epi8(0x20),
                  del = _mm_set1_epi8(0x7F);
    __m128i bad = _mm_setzero_si128();
    for (; i + 16 <= n; i += 16) {
        const __m128i x = _mm_loadu_si128((const __m128i *)(const void *)(s + i));
        /* signed: 0x80..0xFF are negative, so "< 0x20" finds them as well */
        bad = _mm_or_si128(bad, _mm_or_si128(_mm_cmplt_epi8(x, lo), _mm_cmpeq_epi8(x, del)));
        unsigned m = (unsigned)_mm_movemask_epi8(_mm_cmpeq_epi8(x, vd));
        while (m) {
            if (k < cap)
                pos[k] = (uint32_t)(i + (unsigned)__builtin_ctz(m));
            k++;
            m &= m - 1;
        }
    }
    ok = _mm_movemask_epi8(bad) == 0;
#endif
    for (; i < n; i++) {
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
