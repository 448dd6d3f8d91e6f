/* SPDX-License-Identifier: Apache-2.0 */
/*
 * icc-srgb.c -- folio's own compact sRGB ICC profile for the archive's
 * PDF/A output intent (icc-srgb.h; issue 11: an archived 3-page document
 * <= 35 KB, r-arch3).
 *
 * The default profile used to be /usr/share/color/icc/sRGB.icc (lcms, 6,922
 * bytes: three 1,024-entry tone curves, ~2.4 KB deflated in every document).
 * This one is an ICC v2.1 display (mntr) RGB -> XYZ matrix/TRC profile of
 * 592 bytes, built from the numbers of IEC 61966-2-1:
 *   - the colorants: the sRGB primaries (the standard's RGB -> XYZ matrix,
 *     D65) adapted to the PCS illuminant D50 with the Bradford transform,
 *     as s15Fixed16 (rXYZ, gXYZ, bXYZ);
 *   - the media white point D65 (wtpt), as v2 display profiles give it;
 *   - one tone curve shared by rTRC, gTRC and bTRC (ICC.1 allows tags to
 *     share their data): the sRGB transfer function sampled at 64 points
 *     (x <= 0.04045: x / 12.92, else ((x + 0.055) / 1.055)^2.4, times 65,535,
 *     rounded), which the CMM interpolates linearly: at most 6.3 of 65,535
 *     (0.01%) from the exact curve, far below a visible difference;
 *   - desc "sRGB IEC61966-2.1" (the output intent's identifier), cprt.
 * The numbers are constants (not computed with pow at run time), so the bytes
 * are the same on every machine.  tests/e2e/archive_icc.sh checks the profile
 * against lcms (Pillow's ImageCms) and the system's sRGB.icc.
 */
#include "icc-srgb.h"

#include <stdlib.h>
#include <string.h>

static const uint16_t SRGB_TRC[64] = {
        0,    81,   161,   244,   345,   466,   609,   776,
      965,  1180,  1420,  1687,  1980,  2301,  2651,  3030,
     3439,  3879,  4349,  4851,  5386,  5953,  6554,  7189,
     7858,  8562,  9302, 10078, 10890, 11739, 12626, 13551,
    14513, 15515, 16556, 17636, 18757, 19918, 21120, 22363,
    23648, 24974, 26344, 27756, 29211, 30710, 32253, 33840,
    35471, 37148, 38870, 40638, 42452, 44312, 46219, 48173,
    50174, 52223, 54320, 56465, 58659, 60901, 63193, 65535,
};

/* s15Fixed16 (value * 65,536) */
static const int32_t SRGB_WTPT[3] = {62290, 65536, 71358};      /* D65 0.95047 1 1.08883 */
static const int32_t SRGB_RXYZ[3] = {28575, 14577, 911};        /* 0.43602 0.22243 0.01391 */
static const int32_t SRGB_GXYZ[3] = {25237, 46984, 6364};       /* 0.38509 0.71693 0.09711 */
static const int32_t SRGB_BXYZ[3] = {9381, 3974, 46814};        /* 0.14314 0.06064 0.71432 */

static const char SRGB_DESC[] = "sRGB IEC61966-2.1";
static const char SRGB_CPRT[] = "No copyright, use freely";

static unsigned char *be32(unsigned char *p, uint32_t v)
{
    p[0] = (unsigned char)(v >> 24);
    p[1] = (unsigned char)(v >> 16);
    p[2] = (unsigned char)(v >> 8);
    p[3] = (unsigned char)v;
    return p + 4;
}

static unsigned char *sig(unsigned char *p, const char *s)
{
    memcpy(p, s, 4);
    return p + 4;
}

static size_t pad4(size_t n)
{
    return (n + 3) & ~(size_t)3;
}

/* One tag's data at p (4-byte aligned): returns its unpadded size. */
static size_t xyz_tag(unsigned char *p, const int32_t v[3])
{
    unsigned char *q = sig(p, "XYZ ");
    q = be32(q, 0);
    for (int i = 0; i < 3; i++)
        q = be32(q, (uint32_t)v[i]);
    return (size_t)(q - p);
}

bool folio_icc_srgb(unsigned char **data, size_t *len)
{
    enum { N_TAGS = 9 };
    size_t desc_n = sizeof SRGB_DESC;             /* with its NUL */
    size_t desc = 12 + desc_n + 4 + 4 + 2 + 1 + 67; /* textDescriptionType */
    size_t cprt = 8 + sizeof SRGB_CPRT;            /* textType */
    size_t curv = 12 + 2 * 64;
    size_t off_desc = 128 + 4 + 12 * N_TAGS;
    size_t off_cprt = off_desc + pad4(desc);
    size_t off_wtpt = off_cprt + pad4(cprt);
    size_t off_r = off_wtpt + 20, off_g = off_r + 20, off_b = off_g + 20;
    size_t off_trc = off_b + 20;
    size_t total = off_trc + pad4(curv);
    unsigned char *b = calloc(1, total);
    if (!b)
        return false;
    /* the header (ICC.1:2001-04, 6.1) */
    be32(b, (uint32_t)total);
    be32(b + 8, 0x02100000u);                       /* version 2.1 */
    sig(b + 12, "mntr");
    sig(b + 16, "RGB ");
    sig(b + 20, "XYZ ");
    unsigned char *t = b + 24;                      /* date: 2026-12-07 00:00:00 */
    static const uint16_t date[6] = {2026, 12, 7, 0, 0, 0};
    for (int i = 0; i < 6; i++, t += 2) {
        t[0] = (unsigned char)(date[i] >> 8);
        t[1] = (unsigned char)date[i];
    }
    sig(b + 36, "acsp");
    be32(b + 64, 0);                                /* perceptual */
    be32(b + 68, 63190);                            /* PCS illuminant D50 */
    be32(b + 72, 65536);
    be32(b + 76, 54061);
    /* the tag table */
    const struct { const char *s; size_t off, n; } tags[N_TAGS] = {
        {"desc", off_desc, desc}, {"cprt", off_cprt, cprt}, {"wtpt", off_wtpt, 20},
        {"rXYZ", off_r, 20},      {"gXYZ", off_g, 20},      {"bXYZ", off_b, 20},
        {"rTRC", off_trc, curv},  {"gTRC", off_trc, curv},  {"bTRC", off_trc, curv},
    };
    unsigned char *p = be32(b + 128, N_TAGS);
    for (int i = 0; i < N_TAGS; i++) {
        p = sig(p, tags[i].s);
        p = be32(p, (uint32_t)tags[i].off);
        p = be32(p, (uint32_t)tags[i].n);
    }
    /* desc: ASCII count and text; Unicode and ScriptCode parts empty */
    p = sig(b + off_desc, "desc");
    p = be32(p + 4, (uint32_t)desc_n);
    memcpy(p, SRGB_DESC, desc_n);
    /* cprt */
    p = sig(b + off_cprt, "text");
    memcpy(p + 4, SRGB_CPRT, sizeof SRGB_CPRT);
    xyz_tag(b + off_wtpt, SRGB_WTPT);
    xyz_tag(b + off_r, SRGB_RXYZ);
    xyz_tag(b + off_g, SRGB_GXYZ);
    xyz_tag(b + off_b, SRGB_BXYZ);
    p = sig(b + off_trc, "curv");
    p = be32(p + 4, 64);
    for (int i = 0; i < 64; i++, p += 2) {
        p[0] = (unsigned char)(SRGB_TRC[i] >> 8);
        p[1] = (unsigned char)SRGB_TRC[i];
    }
    *data = b;
    *len = total;
    return true;
}
