/* SPDX-License-Identifier: Apache-2.0 */
/*
 * pdf-enc1.c -- issue 11: the 1-byte encoding of the direct PDF back end
 * (pdf-enc1.h): its table, its encoding CMap and its ToUnicode CMap.
 */
#include "pdf-enc1.h"

#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#define R16(b) b, b + 1, b + 2, b + 3, b + 4, b + 5, b + 6, b + 7, b + 8, b + 9, b + 10, \
    b + 11, b + 12, b + 13, b + 14, b + 15

const uint16_t pdf_enc1_cp[256] = {
    R16(0x00), R16(0x10), R16(0x20), R16(0x30), R16(0x40), R16(0x50), R16(0x60), R16(0x70),
    /* 80-9F: Windows-1252; its unassigned 81 8D 8F 90 9D carry other symbols */
    0x20AC, 0x20B9, 0x201A, 0x0192, 0x201E, 0x2026, 0x2020, 0x2021,
    0x02C6, 0x2030, 0x0160, 0x2039, 0x0152, 0x20BD, 0x017D, 0x20BA,
    0x20A9, 0x2018, 0x2019, 0x201C, 0x201D, 0x2022, 0x2013, 0x2014,
    0x02DC, 0x2122, 0x0161, 0x203A, 0x0153, 0x2212, 0x017E, 0x0178,
    R16(0xA0), R16(0xB0), R16(0xC0), R16(0xD0), R16(0xE0), R16(0xF0),
};

const char pdf_enc1_cmap[] =
    "%!PS-Adobe-3.0 Resource-CMap\n"
    "/CIDInit /ProcSet findresource begin\n"
    "12 dict begin\n"
    "begincmap\n"
    "/CIDSystemInfo 3 dict dup begin\n"
    "/Registry (Adobe) def\n"
    "/Ordering (Identity) def\n"
    "/Supplement 0 def\n"
    "end def\n"
    "/CMapName /Folio-Enc1-H def\n"
    "/CMapVersion 1 def\n"
    "/CMapType 1 def\n"
    "/WMode 0 def\n"
    "1 begincodespacerange\n"
    "<00> <FF>\n"
    "endcodespacerange\n"
    "2 begincidrange\n"
    "<00> <7F> 0\n"
    "<A0> <FF> 160\n"
    "endcidrange\n"
    "32 begincidchar\n"
    "<80> 8364\n<81> 8377\n<82> 8218\n<83> 402\n<84> 8222\n<85> 8230\n<86> 8224\n"
    "<87> 8225\n<88> 710\n<89> 8240\n<8A> 352\n<8B> 8249\n<8C> 338\n<8D> 8381\n"
    "<8E> 381\n<8F> 8378\n<90> 8361\n<91> 8216\n<92> 8217\n<93> 8220\n<94> 8221\n"
    "<95> 8226\n<96> 8211\n<97> 8212\n<98> 732\n<99> 8482\n<9A> 353\n<9B> 8250\n"
    "<9C> 339\n<9D> 8722\n<9E> 382\n<9F> 376\n"
    "endcidchar\n"
    "endcmap\n"
    "CMapName currentdict /CMap defineresource pop\n"
    "end\n"
    "end\n";

static const char tu_head[] =
    "/CIDInit /ProcSet findresource begin\n"
    "12 dict begin\n"
    "begincmap\n"
    "/CIDSystemInfo << /Registry (Adobe) /Ordering (UCS) /Supplement 0 >> def\n"
    "/CMapName /Adobe-Identity-UCS def\n"
    "/CMapType 2 def\n"
    "1 begincodespacerange\n"
    "<00> <FF>\n"
    "endcodespacerange\n";

static const char tu_tail[] =
    "endcmap\n"
    "CMapName currentdict /CMap defineresource pop\n"
    "end\n"
    "end\n";

static bool used_cp(const uint8_t *used, unsigned b)
{
    unsigned c = pdf_enc1_cp[b];
    return b != 0 && (used[c >> 3] >> (c & 7) & 1u);
}

/* one block of n entries (lo[i]..hi[i]), bfrange or bfchar */
static size_t tu_block(char *p, const uint8_t *lo, const uint8_t *hi, int n, bool range)
{
    size_t k = (size_t)sprintf(p, "%d %s\n", n, range ? "beginbfrange" : "beginbfchar");
    for (int i = 0; i < n; i++) {
        if (range)
            k += (size_t)sprintf(p + k, "<%02X> <%02X> <%04X>\n", lo[i], hi[i],
                                 pdf_enc1_cp[lo[i]]);
        else
            k += (size_t)sprintf(p + k, "<%02X> <%04X>\n", lo[i], pdf_enc1_cp[lo[i]]);
    }
    k += (size_t)sprintf(p + k, "%s\n", range ? "endbfrange" : "endbfchar");
    return k;
}

size_t pdf_enc1_tounicode(const uint8_t *used, char *buf, size_t cap)
{
    if (cap < PDF_ENC1_TOUNICODE_MAX)
        return 0;
    /* at most 255 entries of <= 22 bytes, 3 blocks per kind change: fits */
    size_t k = sizeof tu_head - 1;
    memcpy(buf, tu_head, k);
    uint8_t lo[100], hi[100];
    int n = 0;
    bool range = false;
    for (unsigned b = 1; b < 256;) {
        if (!used_cp(used, b)) {
            b++;
            continue;
        }
        unsigned e = b;   /* a run of bytes with consecutive code points */
        while (e < 255 && used_cp(used, e + 1) && pdf_enc1_cp[e + 1] == pdf_enc1_cp[e] + 1)
            e++;
        bool r = e > b;
        if (n && (r != range || n == 100)) {
            k += tu_block(buf + k, lo, hi, n, range);
            n = 0;
        }
        range = r;
        lo[n] = (uint8_t)b;
        hi[n] = (uint8_t)e;
        n++;
        b = e + 1;
    }
    if (n)
        k += tu_block(buf + k, lo, hi, n, range);
    memcpy(buf + k, tu_tail, sizeof tu_tail - 1);
    return k + sizeof tu_tail - 1;
}
