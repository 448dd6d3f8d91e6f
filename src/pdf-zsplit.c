/* SPDX-License-Identifier: Apache-2.0 */
/*
 * pdf-zsplit.c -- round 25 (issue 14, tagging cost): the zlib stream of a
 * tagged document's object stream, its header of numbers coded on its own.
 *
 * An object stream (ISO 32000-1 7.5.7) starts with a header of N pairs of
 * integers (object number, offset): ~10 bytes an object, ~10 KB for the
 * ~1,000 structure elements of a 5-page statement.  Digits that change every
 * byte or two leave LZ77 little to find: libdeflate level 1 spent ~50
 * instructions a byte on it (against ~25 on the objects after it) for ~3.6
 * bits a character, which is what a Huffman code of the 12 characters gives
 * without any search.  So the header is written here as one deflate block
 * of literals with a code made from its own character counts (RFC 1951
 * 3.2.7), an empty stored block ends it on a byte boundary (as zlib's sync
 * flush does), and the objects follow as libdeflate's raw deflate stream;
 * the zlib wrapper (RFC 1950) has the Adler-32 of the whole.  Any inflater
 * reads it as one stream; the decoded bytes are the same.
 */
#include "pdf-private.h"

#include <libdeflate.h>
#include <pthread.h>
#include <string.h>

typedef struct bitw {
    unsigned char *p, *end;
    uint64_t acc;
    int n;
    bool over;
} bitw;

static void put_bits(bitw *w, uint32_t v, int n)
{
    w->acc |= (uint64_t)v << w->n;
    w->n += n;
    while (w->n >= 8) {
        if (w->p < w->end)
            *w->p++ = (unsigned char)w->acc;
        else
            w->over = true;
        w->acc >>= 8;
        w->n -= 8;
    }
}

static void flush_byte(bitw *w)
{
    if (w->n > 0)
        put_bits(w, 0, 8 - w->n);
}

/* The header coder's inner step: 32 of the *nb >= 32 bits in *acc go out
 * at *p, little-endian; false when fewer than 4 bytes are left before end. */
static inline bool spill32(unsigned char **p, const unsigned char *end, uint64_t *acc, int *nb)
{
    if (end - *p < 4)
        return false;
    unsigned char *q = *p;
    q[0] = (unsigned char)*acc;
    q[1] = (unsigned char)(*acc >> 8);
    q[2] = (unsigned char)(*acc >> 16);
    q[3] = (unsigned char)(*acc >> 24);
    *p = q + 4;
    *acc >>= 32;
    *nb -= 32;
    return true;
}

static uint32_t rev(uint32_t code, int len)
{
    uint32_t r = 0;
    for (int i = 0; i < len; i++, code >>= 1)
        r = r << 1 | (code & 1);
    return r;
}

/* Huffman code lengths of the k symbols with counts f (all > 0), k <= 13:
 * merge the two lightest until one is left; depth <= k - 1 <= 12. */
static void huff_lengths(const uint32_t *f, int k, uint8_t *len)
{
    uint64_t w[26];
    int parent[26], alive[26], m = k;
    for (int i = 0; i < k; i++) {
        w[i] = f[i];
        alive[i] = 1;
        parent[i] = -1;
    }
    if (k == 1) {
        len[0] = 1;
        return;
    }
    for (int left = k; left > 1; left--) {
        int a = -1, b = -1;
        for (int i = 0; i < m; i++) {
            if (!alive[i])
                continue;
            if (a < 0 || w[i] < w[a]) {
                b = a;
                a = i;
            } else if (b < 0 || w[i] < w[b]) {
                b = i;
            }
        }
        alive[a] = alive[b] = 0;
        w[m] = w[a] + w[b];
        alive[m] = 1;
        parent[m] = -1;
        parent[a] = parent[b] = m;
        m++;
    }
    for (int i = 0; i < k; i++) {
        int d = 0;
        for (int j = i; parent[j] >= 0; j = parent[j])
            d++;
        len[i] = (uint8_t)d;
    }
}

/* The 13 symbols the header may hold: digits, space, newline, end of block. */
static const uint16_t SYM[13] = {'0', '1', '2', '3', '4', '5', '6', '7', '8', '9', ' ', '\n', 256};

size_t pdf_deflate_split(int level, const unsigned char *in, size_t head, size_t n,
                         unsigned char *out, size_t cap)
{
    if (head >= n)
        return 0;
    return pdf_deflate_split2(level, in, head, in + head, n - head, out, cap);
}

/* r-tag7 (round 27): the header and the objects from two buffers (the
 * rewrite no longer copies them into one) */
size_t pdf_deflate_split2(int level, const unsigned char *in, size_t head,
                          const unsigned char *body, size_t body_n, unsigned char *out,
                          size_t cap)
{
    if (head == 0 || body_n == 0 || cap < 64)
        return 0;
    int8_t idx[256];
    memset(idx, -1, sizeof idx);
    for (int i = 0; i < 12; i++)
        idx[SYM[i]] = (int8_t)i;
    uint32_t f[13] = {0};
    for (size_t i = 0; i < head; i++) {
        int s = idx[in[i]];
        if (s < 0)
            return 0;                  /* not a header of numbers: the caller deflates it */
        f[s]++;
    }
    f[12] = 1;
    /* the symbols present, their lengths, canonical codes (RFC 1951 3.2.2) */
    uint32_t fk[13];
    int map[13], k = 0;
    for (int i = 0; i < 13; i++)
        if (f[i]) {
            fk[k] = f[i];
            map[k++] = i;
        }
    uint8_t lk[13], len[13] = {0};
    huff_lengths(fk, k, lk);
    for (int j = 0; j < k; j++)
        len[map[j]] = lk[j];
    uint8_t litlen[257] = {0};          /* by literal/length symbol */
    for (int i = 0; i < 13; i++)
        litlen[SYM[i]] = len[i];
    uint32_t bl_count[16] = {0}, next[16] = {0}, code[257] = {0};
    for (int s = 0; s < 257; s++)
        bl_count[litlen[s]]++;
    bl_count[0] = 0;
    for (int b = 1, c = 0; b < 16; b++) {
        c = (c + (int)bl_count[b - 1]) << 1;
        next[b] = (uint32_t)c;
    }
    for (int s = 0; s < 257; s++)
        if (litlen[s])
            code[s] = rev(next[litlen[s]]++, litlen[s]);

    bitw w = {.p = out, .end = out + cap};
    put_bits(&w, 0x78, 8);              /* zlib: deflate, 32 KB window */
    put_bits(&w, 0x01, 8);              /* (0x7801 % 31 == 0), no dictionary */
    put_bits(&w, 0, 1);                 /* not the last block */
    put_bits(&w, 2, 2);                 /* dynamic Huffman codes */
    put_bits(&w, 0, 5);                 /* HLIT: 257 literal/length codes */
    put_bits(&w, 0, 5);                 /* HDIST: 1 distance code */
    /* code length codes: length 4 for 0..13, 17, 18 (a complete code of 16
       symbols, canonical = symbol order); in the permuted order up to '1' */
    static const uint8_t ORD[19] = {16, 17, 18, 0, 8, 7, 9, 6, 10, 5, 11, 4, 12, 3, 13, 2, 14,
                                    1, 15};
    put_bits(&w, 18 - 4, 4);            /* HCLEN: 18 code length code lengths */
    for (int i = 0; i < 18; i++) {
        int s = ORD[i];
        put_bits(&w, (s <= 13 || s == 17 || s == 18) ? 4 : 0, 3);
    }
    uint32_t clc[19];
    for (int s = 0; s <= 13; s++)
        clc[s] = rev((uint32_t)s, 4);
    clc[17] = rev(14, 4);
    clc[18] = rev(15, 4);
    /* the 257 literal/length lengths then the distance length (1: one code,
       never used), zero runs as 17 / 18 */
    uint8_t seq[258];
    memcpy(seq, litlen, 257);
    seq[257] = 1;
    for (int i = 0; i < 258;) {
        if (seq[i] == 0) {
            int r = 1;
            while (i + r < 258 && seq[i + r] == 0 && r < 138)
                r++;
            if (r >= 11) {
                put_bits(&w, clc[18], 4);
                put_bits(&w, (uint32_t)(r - 11), 7);
                i += r;
                continue;
            }
            if (r >= 3) {
                put_bits(&w, clc[17], 4);
                put_bits(&w, (uint32_t)(r - 3), 3);
                i += r;
                continue;
            }
        }
        put_bits(&w, clc[seq[i]], 4);
        i++;
    }
    /* the header's characters: code | length << 16 (lengths <= 12), four
       bytes written at a time */
    uint32_t tab[256];
    for (int i = 0; i < 12; i++)
        tab[SYM[i]] = code[SYM[i]] | (uint32_t)litlen[SYM[i]] << 16;
    /* r-tag7 (round 27): two characters a step (their codes joined, <= 24
       bits), halving the chain of shifts through the bit count */
    uint32_t pc[144];
    uint8_t pl[144];
    for (int a = 0; a < 12; a++)
        for (int b = 0; b < 12; b++) {
            uint32_t ea = tab[SYM[a]], eb = tab[SYM[b]];
            pc[a * 12 + b] = (ea & 0xFFFF) | (eb & 0xFFFF) << (ea >> 16);
            pl[a * 12 + b] = (uint8_t)((ea >> 16) + (eb >> 16));
        }
    uint64_t acc = w.acc;
    int nb = w.n;
    unsigned char *p = w.p;
    size_t i2 = 0;
    for (; i2 + 1 < head; i2 += 2) {
        int pk = idx[in[i2]] * 12 + idx[in[i2 + 1]];
        acc |= (uint64_t)pc[pk] << nb;
        nb += pl[pk];
        if (nb >= 32 && !spill32(&p, w.end, &acc, &nb))
            return 0;                   /* out is too small: pdf_deflate instead */
    }
    for (size_t i = i2; i < head; i++) {    /* the last, odd one */
        uint32_t e = tab[in[i]];
        acc |= (uint64_t)(e & 0xFFFF) << nb;
        nb += (int)(e >> 16);
        if (nb >= 32 && !spill32(&p, w.end, &acc, &nb))
            return 0;                   /* out is too small: pdf_deflate instead */
    }
    w.acc = acc;
    w.n = nb;
    w.p = p;
    put_bits(&w, code[256], litlen[256]);
    /* an empty stored block: to a byte boundary */
    put_bits(&w, 0, 1);
    put_bits(&w, 0, 2);
    flush_byte(&w);
    put_bits(&w, 0x0000, 16);
    put_bits(&w, 0xFFFF, 16);
    if (w.over || w.n)
        return 0;
    size_t done = (size_t)(w.p - out);
    if (cap - done < 4)
        return 0;
    size_t zn = pdf_deflate_raw(level, body, body_n, out + done, cap - done - 4);
    if (!zn)
        return 0;
    done += zn;
    uint32_t a = libdeflate_adler32(libdeflate_adler32(1, in, head), body, body_n);
    out[done++] = (unsigned char)(a >> 24);
    out[done++] = (unsigned char)(a >> 16);
    out[done++] = (unsigned char)(a >> 8);
    out[done++] = (unsigned char)a;
    return done;
}

/* ---- round 26 (issue 14): the cross-reference stream ------------------------
 *
 * A tagged document's cross-reference stream (pdf-compact.c) is rows of
 * W = [1 w2 w3] bytes after a PNG Up predictor byte: the ~1,000 objects in
 * the object stream are all "2 (stream) (index)", so after the predictor
 * nearly every row is the row before it (02 00 00 00 00 01).  libdeflate
 * level 1 paid ~80,000 instructions a document for ~2.8 KB (its per-call
 * set-up and code building); here the only match looked for is the row
 * above (distance = row length), coded with the fixed Huffman codes of RFC
 * 1951 3.2.6: no search, no code to build. */

/* length symbol (257..285) and extra bits of a match length - 3 (0..255) */
static void len_sym(uint32_t x, uint32_t *sym, int *nb)
{
    if (x < 8) {
        *sym = 257 + x;
        *nb = 0;
    } else if (x == 255) {
        *sym = 285;
        *nb = 0;
    } else {
        int b = 31 - __builtin_clz(x) - 2;
        *sym = 257 + 4 * (uint32_t)(b + 1) + ((x >> b) & 3);
        *nb = b;
    }
}

/* fixed code of a literal/length symbol: reversed code | length << 16 */
static uint32_t fixed_ll_make(uint32_t s)
{
    if (s < 144)
        return rev(0x30 + s, 8) | 8u << 16;
    if (s < 256)
        return rev(0x190 + s - 144, 9) | 9u << 16;
    if (s < 280)
        return rev(s - 256, 7) | 7u << 16;
    return rev(0xC0 + s - 280, 8) | 8u << 16;
}

/* r-tag8 (round 28): the 286 codes reversed once per process, not per
 * token (~1,000 tokens a document) */
static uint32_t FIXED_LL[286];
static pthread_once_t fixed_once = PTHREAD_ONCE_INIT;

static void fixed_init(void)
{
    for (uint32_t s = 0; s < 286; s++)
        FIXED_LL[s] = fixed_ll_make(s);
}

static inline uint32_t fixed_ll(uint32_t s)
{
    return FIXED_LL[s];
}

size_t pdf_deflate_rows(const unsigned char *in, size_t n, size_t row, unsigned char *out,
                        size_t cap)
{
    if (row < 1 || row > 256 || cap < 16)
        return 0;
    pthread_once(&fixed_once, fixed_init);
    /* the one distance: its 5-bit code and extra bits */
    uint32_t y = (uint32_t)row - 1, ds, xb = 0;
    int nxb = 0;
    if (y < 4) {
        ds = y;
    } else {
        nxb = 31 - __builtin_clz(y) - 1;
        ds = 2 * (uint32_t)(nxb + 1) + ((y >> nxb) & 1);
        xb = y & ((1u << nxb) - 1);
    }
    uint32_t dcode = rev(ds, 5) | xb << 5;
    int dbits = 5 + nxb;
    bitw w = {.p = out, .end = out + cap};
    put_bits(&w, 0x78, 8);              /* zlib: deflate, 32 KB window */
    put_bits(&w, 0x01, 8);
    put_bits(&w, 1, 1);                 /* the last block */
    put_bits(&w, 1, 2);                 /* fixed Huffman codes */
    size_t i = 0;
    while (i < n && !w.over) {
        size_t l = 0;
        if (i >= row) {                 /* the bytes equal to the row above's */
            size_t max = n - i < 258 ? n - i : 258;
            while (l + 8 <= max) {
                uint64_t a, b;
                memcpy(&a, in + i + l, 8);
                memcpy(&b, in + i + l - row, 8);
                if (a != b)
                    break;
                l += 8;
            }
            while (l < max && in[i + l] == in[i + l - row])
                l++;
        }
        if (l < 3) {
            uint32_t c = fixed_ll(in[i]);
            put_bits(&w, c & 0xFFFF, (int)(c >> 16));
            i++;
            continue;
        }
        uint32_t s, x = (uint32_t)l - 3;
        int b;
        len_sym(x, &s, &b);
        uint32_t c = fixed_ll(s);
        put_bits(&w, c & 0xFFFF, (int)(c >> 16));
        if (b)
            put_bits(&w, x & ((1u << b) - 1), b);
        put_bits(&w, dcode, dbits);
        i += l;
    }
    uint32_t eob = fixed_ll(256);
    put_bits(&w, eob & 0xFFFF, (int)(eob >> 16));
    flush_byte(&w);
    if (w.over || (size_t)(w.end - w.p) < 4)
        return 0;
    uint32_t a = libdeflate_adler32(1, in, n);
    w.p[0] = (unsigned char)(a >> 24);
    w.p[1] = (unsigned char)(a >> 16);
    w.p[2] = (unsigned char)(a >> 8);
    w.p[3] = (unsigned char)a;
    return (size_t)(w.p + 4 - out);
}
