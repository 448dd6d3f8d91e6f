/* SPDX-License-Identifier: Apache-2.0 */
/*
 * afp-writer.c -- display list -> MO:DCA-P print file (folio/afp.h).
 *
 * Interface order: afp_writer_open (resource group with the inline form map
 * when asked, BDT) -> afp_writer_add_statement* (BNG TLE* IMM pages ENG) ->
 * afp_writer_close (EDT, flush) or afp_writer_abort.
 *
 * Buffering: every structured field is built in one growable byte buffer
 * (introducer first with a zero length, patched when the field ends); the
 * buffer is written to the file with write(2) when it passes 1 MiB at a
 * statement boundary and at close, so there is no syscall per field.  The hot
 * path (text ops) reserves a bound once per op and stores bytes through a
 * pointer.
 *
 * Page layout of one dlist page:
 *
 *   BPG "Pnnnnnnn"
 *     BAG  MCF (one repeating group per (font, size) used on the page)
 *          PGD (1440 units/in, page size)  PTD (same units and extent)  EAG
 *     BPT  PTX: 2BD3 STO AMI AMB SCFL SEC TRN ... DIR ...   EPT
 *   EPG
 *
 * Each PTX holds one PTOCA chain: every control sequence is written with its
 * chained type (odd) and the last one of the PTX is made unchained when the
 * PTX closes.  A PTX is closed and a new one started before it would pass the
 * 32767-byte field limit; the text state (position, font, colour) carries on
 * across PTX fields of the same object.
 *
 * Geometry (the PDF writer draws the same ops; dlist.h):
 *   TEXT  AMI x, AMB y (baseline), TRN with the EBCDIC bytes (<= 253 each).
 *   RULE  horizontal: AMI min x, AMB y - w/2, DIR length |dx| width w;
 *         vertical:   AMI x - w/2, AMB min y, DIR length w width |dy|
 *         (a PDF stroke is centred on its path); a slanted rule is an error.
 *   BOX   fill: AMI x, AMB y, DIR length w width h; outline (line_w > 0):
 *         four DIRs of width line_w centred on the edges, in the stroke colour.
 * A DIR's width extends in +B (down the page) from the current baseline, so
 * one convention covers rules and boxes (DBR is never needed).
 */
#include "afp-private.h"
#include "afp-image.h"          /* issue 13 parts 1, 2 */

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define AFP_FLUSH_AT (1u << 20)             /* write when the buffer passes 1 MiB */
#define AFP_BUF_MAX (512u << 20)            /* hard cap of the buffer */
#define AFP_PTX_MAX (AFP_SF_MAX - 8u)       /* data bytes of one PTX */
#define AFP_MAX_LIDS 127                    /* local font ids per page */
#define AFP_MAX_FONTS 64
#define AFP_EXAMPLES 16
#define AFP_VALUE_MAX 250                   /* bytes of an FQN name / attribute value */

typedef struct afp_lid {
    uint8_t font;
    int32_t size;                            /* 0 for a coded font (size in the font) */
} afp_lid;

struct folio_afp_writer {
    char *path;
    int fd;
    const folio_layout *layout;
    folio_afp_options opt;
    const uint8_t *cp;                       /* Unicode -> EBCDIC */
    uint8_t sub;                             /* EBCDIC substitute */
    /* output buffer */
    uint8_t *buf;
    size_t len, cap;
    uint64_t flushed;                        /* bytes already written to the file */
    size_t sf_start;                         /* open structured field, for its length */
    bool failed;
    folio_error err;
    /* counts */
    uint32_t pages, groups;
    uint64_t subs;
    uint32_t examples[AFP_EXAMPLES];
    uint64_t cuts;                           /* words cut to AFP_VALUE_MAX (afp.h) */
    char first_cut[160];                     /* "household H, attribute A" of the first */
    /* fonts: EBCDIC names */
    int n_fonts;
    uint8_t charset[AFP_MAX_FONTS][8], codepage[AFP_MAX_FONTS][8], coded[AFP_MAX_FONTS][8];
    bool is_coded[AFP_MAX_FONTS];
    uint8_t weight[AFP_MAX_FONTS];
    /* page state */
    afp_lid lids[AFP_MAX_LIDS];
    int n_lids;
    size_t ptx_start;                        /* buffer offset of the open PTX's 0x5A */
    size_t cs_last;                          /* offset of the last CS type byte, 0 = none */
    int cur_lid;
    uint32_t cur_color;
    int32_t cur_i, cur_b;
    /* scratch for transcoded text */
    uint8_t *tmp;
    size_t tmp_cap;
    /* issue 13 parts 1, 2: the layout's images (IOCA resources, once per
     * file) and the page's IOBs and graphics object (src/afp-image.c) */
    afp_images *images;
    folio_buf objs;
    /* issue 13 part 5: code page 1200: text, names and TLE values in
     * UTF-16BE (2 or 4 bytes a code point); cp stays CP 500 for tokens */
    bool unicode;
};

/* issue 13 part 5: UTF-8 -> the document's encoding (EBCDIC or UTF-16BE). */
static size_t afp_encode(folio_afp_writer *w, const char *s, size_t n, uint8_t *out,
                         size_t cap, uint64_t *subs, uint32_t *examples, int max)
{
    if (w->unicode)
        return afp_transcode_utf16(w->opt.substitute ? w->opt.substitute : '?', s, n, out,
                                   cap, subs, examples, max);
    return afp_transcode_table(w->cp, w->sub, s, n, out, cap, subs, examples, max);
}

/* A surrogate pair must not be cut: the length to keep of e[0..k). */
static size_t afp_cut_at(const folio_afp_writer *w, const uint8_t *e, size_t k)
{
    if (w->unicode && k >= 2 && (k & 1) == 0 && e[k - 2] >= 0xD8 && e[k - 2] <= 0xDB)
        return k - 2;
    return w->unicode ? k & ~(size_t)1 : k;
}

/* Is e[k] (a code unit) a space? */
static bool afp_space(const folio_afp_writer *w, const uint8_t *e, size_t k)
{
    return w->unicode ? e[k] == 0x00 && e[k + 1] == 0x20 : e[k] == 0x40;
}

/* ---- buffer ---------------------------------------------------------------- */

static bool afp_fail(folio_afp_writer *w, const char *fmt, const char *arg)
{
    if (!w->failed) {
        w->failed = true;
        folio_error_set(&w->err, FOLIO_EXIT_FAILED, fmt, w->path, arg ? arg : "");
    }
    return false;
}

static bool afp_reserve(folio_afp_writer *w, size_t need)
{
    if (w->failed)
        return false;
    if (w->len + need <= w->cap)
        return true;
    size_t cap = w->cap ? w->cap : (1u << 16);
    while (cap < w->len + need)
        cap *= 2;
    if (cap > AFP_BUF_MAX)
        return afp_fail(w, "%s: AFP buffer over its cap (a statement too large?)%s", NULL);
    uint8_t *nb = realloc(w->buf, cap);
    if (!nb)
        return afp_fail(w, "%s: out of memory%s", NULL);
    w->buf = nb;
    w->cap = cap;
    return true;
}

static inline uint8_t *put2(uint8_t *p, uint32_t v)
{
    p[0] = (uint8_t)(v >> 8);
    p[1] = (uint8_t)v;
    return p + 2;
}

static inline uint8_t *put3(uint8_t *p, uint32_t v)
{
    p[0] = (uint8_t)(v >> 16);
    p[1] = (uint8_t)(v >> 8);
    p[2] = (uint8_t)v;
    return p + 3;
}

/* Append n bytes (buffer space reserved by the caller or here). */
static bool afp_put(folio_afp_writer *w, const void *p, size_t n)
{
    if (!afp_reserve(w, n))
        return false;
    memcpy(w->buf + w->len, p, n);
    w->len += n;
    return true;
}

/* Start a structured field: the length is patched by sf_end. */
static bool sf_begin(folio_afp_writer *w, uint32_t id)
{
    if (!afp_reserve(w, AFP_SF_HEAD))
        return false;
    uint8_t *p = w->buf + w->len;
    p[0] = 0x5A;
    p[1] = p[2] = 0;
    put3(p + 3, id);
    p[6] = p[7] = p[8] = 0;
    w->sf_start = w->len;
    w->len += AFP_SF_HEAD;
    return true;
}

static bool sf_end(folio_afp_writer *w)
{
    if (w->failed)
        return false;
    size_t n = w->len - w->sf_start - 1;
    if (n > AFP_SF_MAX)
        return afp_fail(w, "%s: internal error: structured field over 32767 bytes%s", NULL);
    put2(w->buf + w->sf_start + 1, (uint32_t)n);
    return true;
}

/* A whole field with an 8-byte name (or no data when name is NULL). */
static bool sf_named(folio_afp_writer *w, uint32_t id, const uint8_t *name8)
{
    return sf_begin(w, id) && (!name8 || afp_put(w, name8, 8)) && sf_end(w);
}

/* Write the buffer to the file. */
static bool afp_flush(folio_afp_writer *w)
{
    if (w->failed)
        return false;
    size_t off = 0;
    while (off < w->len) {
        ssize_t k = write(w->fd, w->buf + off, w->len - off);
        if (k < 0) {
            if (errno == EINTR)
                continue;
            return afp_fail(w, "%s: write failed: %s", strerror(errno));
        }
        off += (size_t)k;
    }
    w->flushed += w->len;
    w->len = 0;
    return true;
}

/* ---- triplets -------------------------------------------------------------- */

/* Transcode utf8[0..n) into w->tmp; returns the EBCDIC length (one byte per
 * code point, so never more than n) or (size_t)-1 when out of memory. */
static size_t afp_transcode_tmp(folio_afp_writer *w, const char *s, size_t n)
{
    size_t need = w->unicode ? 2 * n : n;    /* issue 13 part 5 */
    if (need > w->tmp_cap) {
        uint8_t *t = realloc(w->tmp, need);
        if (!t) {
            afp_fail(w, "%s: out of memory%s", NULL);
            return (size_t)-1;
        }
        w->tmp = t;
        w->tmp_cap = need;
    }
    return afp_encode(w, s, n, w->tmp, need, &w->subs, w->examples, AFP_EXAMPLES);
}

/* Count a word cut to AFP_VALUE_MAX bytes; the first one is named. */
static void afp_note_cut(folio_afp_writer *w, const char *group, const char *attribute)
{
    if (!w->cuts++)
        snprintf(w->first_cut, sizeof w->first_cut, "group %.60s, %.80s", group, attribute);
}

/* Fully Qualified Name triplet with ASCII/UTF-8 text transcoded to EBCDIC.
 * An FQN holds at most AFP_VALUE_MAX bytes of name: a longer one is cut and
 * counted (afp_writer_cut_values), never dropped silently. */
static bool tr_fqn_text(folio_afp_writer *w, uint8_t type, const char *s, size_t n,
                        const char *group)
{
    size_t k = afp_transcode_tmp(w, s, n);
    if (k == (size_t)-1 || !afp_reserve(w, 4 + AFP_VALUE_MAX))
        return false;
    if (k > AFP_VALUE_MAX) {
        afp_note_cut(w, group, type == FQN_ATTRIBUTE_GID ? "attribute name" : "full name");
        k = afp_cut_at(w, w->tmp, AFP_VALUE_MAX);
    }
    uint8_t *p = w->buf + w->len;
    if (k)
        memcpy(p + 4, w->tmp, k);
    if (k == 0 && w->unicode) {              /* an FQN needs one character */
        p[4 + k++] = 0x00;
        p[4 + k++] = 0x20;
    } else if (k == 0) {
        p[4 + k++] = 0x40;
    }
    p[0] = (uint8_t)(4 + k);
    p[1] = TR_FQN;
    p[2] = type;
    p[3] = 0x00;                             /* character-string name */
    w->len += 4 + k;
    return true;
}

/* One TLE: attribute name, value e[0..n) (EBCDIC, <= AFP_VALUE_MAX bytes). */
static bool afp_tle1(folio_afp_writer *w, const char *attribute, const uint8_t *e, size_t n,
                     const char *group)
{
    if (!sf_begin(w, SF_TLE)
        || !tr_fqn_text(w, FQN_ATTRIBUTE_GID, attribute, strlen(attribute), group)
        || !afp_reserve(w, 4 + n))
        return false;
    uint8_t *p = w->buf + w->len;
    p[0] = (uint8_t)(4 + n);
    p[1] = TR_ATTR_VALUE;
    p[2] = p[3] = 0;                         /* reserved */
    if (n)
        memcpy(p + 4, e, n);
    w->len += 4 + n;
    return sf_end(w);
}

/* The TLEs of one attribute.  A value of at most AFP_VALUE_MAX EBCDIC bytes
 * is one TLE.  A longer one is split at spaces into several TLEs with the
 * same attribute name, in order, each as long as it can be; joining their
 * values with one space gives the value back (runs of spaces become one).  A
 * single word longer than AFP_VALUE_MAX is cut to that length and counted
 * (afp_writer_cut_values). */
static bool afp_tle(folio_afp_writer *w, const char *attribute, const char *v,
                    const char *group)
{
    size_t n = afp_transcode_tmp(w, v, strlen(v));
    if (n == (size_t)-1)
        return false;
    /* w->tmp is reused by tr_fqn_text for the attribute name: work on a copy */
    uint8_t small[AFP_VALUE_MAX];
    uint8_t *e = n <= AFP_VALUE_MAX ? small : malloc(n);
    size_t u = w->unicode ? 2 : 1;           /* issue 13 part 5: code unit size */
    if (!e)
        return afp_fail(w, "%s: out of memory%s", NULL);
    if (n)
        memcpy(e, w->tmp, n);
    if (n <= AFP_VALUE_MAX)
        return afp_tle1(w, attribute, e, n, group);
    bool ok = true;
    int written = 0;
    size_t i = 0;
    while (ok && i < n) {
        while (i < n && afp_space(w, e, i))  /* EBCDIC (or UTF-16) space */
            i += u;
        if (i == n)
            break;
        size_t end = i, j = i;
        /* take whole words while they fit */
        while (j < n) {
            size_t we = j;
            while (we < n && !afp_space(w, e, we))
                we += u;
            if (we - i > AFP_VALUE_MAX)
                break;
            end = we;
            j = we;
            while (j < n && afp_space(w, e, j))
                j += u;
        }
        size_t next = end;
        if (end == i) {                      /* one word longer than the limit */
            afp_note_cut(w, group, attribute);
            end = i + afp_cut_at(w, e + i, AFP_VALUE_MAX);
            next = end;
            while (next < n && !afp_space(w, e, next))
                next += u;
        }
        ok = afp_tle1(w, attribute, e + i, end - i, group);
        written++;
        i = next;
    }
    if (ok && !written)                      /* only spaces: keep the attribute */
        ok = afp_tle1(w, attribute, e, 0, group);
    free(e);
    return ok;
}

/* ---- resource group: inline form map ------------------------------------ */

static bool afp_medium_map(folio_afp_writer *w, const char *name, bool duplex)
{
    uint8_t n8[8];
    afp_name8(name, n8);
    /* MCC: copies 1..1 use MMC 1 */
    static const uint8_t mcc[] = {0x00, 0x01, 0x00, 0x01, 0x00, 0x01};
    /* MMC id 1, constant FF, keyword F4 = duplex control: 01 simplex, 02 duplex */
    uint8_t mmc[] = {0x01, 0xFF, 0xF4, duplex ? 0x02 : 0x01};
    /* PGP format 2: constant 01, then per side a 10-byte repeating group:
     * RGLength 10, XmOset 0, YmOset 0 (3 bytes each), PGorient 0 (2),
     * SHside 00 front / 01 back */
    uint8_t pgp[21] = {0x01};
    pgp[1] = 10;
    pgp[11] = 10;
    pgp[20] = 0x01;
    size_t npgp = duplex ? 21 : 11;
    return sf_named(w, SF_BMM, n8)
        && sf_begin(w, SF_MCC) && afp_put(w, mcc, sizeof mcc) && sf_end(w)
        && sf_begin(w, SF_MMC) && afp_put(w, mmc, sizeof mmc) && sf_end(w)
        && sf_begin(w, SF_PGP) && afp_put(w, pgp, npgp) && sf_end(w)
        && sf_named(w, SF_EMM, n8);
}

/* issue 13 part 1: the layout's images as IOCA resources in the file's
 * resource group; afp_image_group: a group holding only them (no inline
 * form map), none when the layout has no images. */
static void afp_free(folio_afp_writer *w);

static bool afp_put_images(folio_afp_writer *w)
{
    folio_buf_reset(&w->objs);
    if (!afp_images_resources(w->images, &w->objs))
        return afp_fail(w, "%s: out of memory%s", NULL);
    return !w->objs.len || afp_put(w, w->objs.data, w->objs.len);   /* none: no memcpy(NULL) */
}

static bool afp_image_group(folio_afp_writer *w)
{
    uint8_t rg[8];
    afp_name8("FOLIORG", rg);
    return !w->images || (sf_named(w, SF_BRG, rg) && afp_put_images(w)
                          && sf_named(w, SF_ERG, rg));
}

static bool afp_resource_group(folio_afp_writer *w)
{
    uint8_t rg[8], fm[8];
    afp_name8("FOLIORG", rg);
    afp_name8(w->opt.form_map, fm);
    int32_t pw = w->layout ? w->layout->page_w : 12240, ph = w->layout ? w->layout->page_h : 15840;
    uint8_t mdd[13], *p = mdd;
    *p++ = 0x00;                             /* XmBase, YmBase: 10 inches */
    *p++ = 0x00;
    p = put2(p, 14400);                      /* units per 10 inches = 1440/in */
    p = put2(p, 14400);
    p = put3(p, (uint32_t)pw);
    p = put3(p, (uint32_t)ph);
    *p++ = 0x00;                             /* MDD flags */
    static const uint8_t rtype[10] = {10, TR_RESOURCE_TYPE, 0xFE /* form map */};
    return sf_named(w, SF_BRG, rg)
        && sf_begin(w, SF_BRS) && afp_put(w, fm, 8) && afp_put(w, "\0\0", 2)
        && afp_put(w, rtype, sizeof rtype)
        && sf_end(w)
        && sf_named(w, SF_BFM, fm)
        && sf_named(w, SF_BDG, fm)             /* issue 13 part 5: named, like FOP */
        && sf_begin(w, SF_MDD) && afp_put(w, mdd, sizeof mdd) && sf_end(w)
        && sf_named(w, SF_EDG, fm)
        && afp_medium_map(w, w->opt.medium_map_simplex, false)
        && afp_medium_map(w, w->opt.medium_map_duplex, true)
        && sf_named(w, SF_EFM, fm)
        && sf_named(w, SF_ERS, fm)
        && afp_put_images(w)               /* issue 13 part 1 */
        && sf_named(w, SF_ERG, rg);
}

/* ---- open ------------------------------------------------------------------- */

static bool font_is_bold(const folio_layout_font *f)
{
    const char *s[2] = {f->name, f->file};
    for (int k = 0; k < 2; k++)
        for (const char *c = s[k]; c && *c; c++)
            if ((c[0] | 0x20) == 'b' && (c[1] | 0x20) == 'o' && (c[2] | 0x20) == 'l'
                && (c[3] | 0x20) == 'd')
                return true;
    return false;
}

folio_afp_writer *afp_writer_open(const char *path, const folio_layout *layout,
                                  const folio_afp_options *opt, folio_error *err)
{
    folio_afp_writer *w = calloc(1, sizeof *w);
    if (!w || !(w->path = strdup(path))) {
        free(w);
        folio_error_set(err, FOLIO_EXIT_FAILED, "%s: out of memory", path);
        return NULL;
    }
    w->fd = -1;
    w->layout = layout;
    if (opt)
        w->opt = *opt;
    else
        afp_options_default(&w->opt);
    /* issue 13 part 5: with 1200, CP 500 still encodes the 8-byte tokens */
    if (!(w->cp = afp_cp_from_ucs(w->opt.code_page == 1200 ? 500 : w->opt.code_page))) {
        folio_error_set(err, FOLIO_EXIT_USAGE, "%s: unsupported AFP code page %d (500, 37 or 1200)",
                        path, w->opt.code_page);
        free(w->path);
        free(w);
        return NULL;
    }
    w->sub = w->cp[(unsigned char)(w->opt.substitute ? w->opt.substitute : '?') & 0x7F];
    /* issue 13 part 5: UTF-16BE text; every layout font must name its
     * Unicode-enabled outline font (fonts[i].afp.unicode) */
    w->unicode = w->opt.code_page == 1200;
    for (int i = 0; w->unicode && layout && i < layout->n_fonts; i++)
        if (!layout->fonts[i].afp_u_coded_font && !layout->fonts[i].afp_u_character_set) {
            folio_error_set(err, FOLIO_EXIT_USAGE, "%s: layout font '%s' names no Unicode "
                            "AFP font (fonts[].afp.unicode in %s) but output.print.afp."
                            "code_page is 1200", path, layout->fonts[i].name, layout->path);
            free(w->path);
            free(w);
            return NULL;
        }
    w->n_fonts = layout ? layout->n_fonts : 0;
    if (w->n_fonts > AFP_MAX_FONTS)
        w->n_fonts = AFP_MAX_FONTS;
    const char *cpname = w->opt.code_page == 37 ? "T1V10037" : "T1V10500";
    for (int i = 0; i < w->n_fonts; i++) {
        const folio_layout_font *f = &layout->fonts[i];
        bool bold = font_is_bold(f);
        w->weight[i] = bold ? 0x07 : 0x05;
        if (w->unicode && f->afp_u_coded_font) {            /* issue 13 part 5 */
            w->is_coded[i] = true;
            afp_name8(f->afp_u_coded_font, w->coded[i]);
        } else if (w->unicode) {
            afp_name8(f->afp_u_character_set, w->charset[i]);
            afp_name8(f->afp_u_code_page, w->codepage[i]);
        } else if (f->afp_coded_font) {
            w->is_coded[i] = true;
            afp_name8(f->afp_coded_font, w->coded[i]);
        } else {
            afp_name8(f->afp_character_set ? f->afp_character_set
                                           : bold ? "CZH400" : "CZH200", w->charset[i]);
            afp_name8(f->afp_code_page ? f->afp_code_page : cpname, w->codepage[i]);
        }
    }
    folio_buf_init(&w->objs, 0);             /* issue 13: images, once per file */
    char iwhy[240];
    if (layout && !afp_images_new2(layout->graphics, layout->n_languages,
                                   layout->offer_graphics,    /* issue 13 leftover */
                                   &w->images, iwhy, sizeof iwhy)) {
        folio_error_set(err, FOLIO_EXIT_FAILED, "%s: %s", path, iwhy);
        free(w->path);
        free(w);
        return NULL;
    }
    w->fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (w->fd < 0) {
        folio_error_set(err, FOLIO_EXIT_FAILED, "%s: cannot create: %s", path, strerror(errno));
        afp_free(w);                         /* issue 13: with its images */
        return NULL;
    }
    uint8_t doc[8];
    afp_name8(w->opt.document, doc);
    /* BDT: name, 2 reserved bytes (X'0000'), then the triplets: CGCSGID of the
     * names and TLE values (GCSGID 697 + CPGID) */
    uint8_t cg[6] = {6, TR_CGCSGID, 0x02, 0xB9, 0x00, 0x00};
    put2(cg + 4, (uint32_t)w->opt.code_page);
    if (w->unicode)                          /* issue 13 part 5: GCSGID 0 + CCSID 1200 */
        cg[2] = cg[3] = 0;
    bool ok = (!w->opt.inline_form_map ? afp_image_group(w) : afp_resource_group(w))
              && sf_begin(w, SF_BDT) && afp_put(w, doc, 8) && afp_put(w, "\0\0", 2)
              && afp_put(w, cg, sizeof cg)
              && sf_end(w);
    if (!ok) {
        folio_error_set(err, w->err.code, "%s", w->err.msg);
        afp_writer_abort(w);
        return NULL;
    }
    return w;
}

/* ---- page content ------------------------------------------------------------ */

/* Local id (1-based) of a (font, size) pair on this page; adds it. */
static int lid_of(folio_afp_writer *w, uint8_t font, int32_t size)
{
    if (font < w->n_fonts && w->is_coded[font])
        size = 0;
    for (int i = 0; i < w->n_lids; i++)
        if (w->lids[i].font == font && w->lids[i].size == size)
            return i + 1;
    if (w->n_lids >= AFP_MAX_LIDS)
        return -1;
    w->lids[w->n_lids] = (afp_lid){font, size};
    return ++w->n_lids;
}

static bool afp_mcf(folio_afp_writer *w)
{
    if (!w->n_lids)
        return true;
    if (!sf_begin(w, SF_MCF) || !afp_reserve(w, (size_t)w->n_lids * 64))
        return false;
    uint8_t *p = w->buf + w->len;
    for (int i = 0; i < w->n_lids; i++) {
        const afp_lid *l = &w->lids[i];
        uint8_t *rg = p;
        p += 2;
        if (w->is_coded[l->font]) {
            *p++ = 12, *p++ = TR_FQN, *p++ = FQN_CODED_FONT, *p++ = 0x00;
            memcpy(p, w->coded[l->font], 8);
            p += 8;
        } else {
            *p++ = 12, *p++ = TR_FQN, *p++ = FQN_CODE_PAGE, *p++ = 0x00;
            memcpy(p, w->codepage[l->font], 8);
            p += 8;
            *p++ = 12, *p++ = TR_FQN, *p++ = FQN_CHARSET, *p++ = 0x00;
            memcpy(p, w->charset[l->font], 8);
            p += 8;
        }
        *p++ = 4, *p++ = TR_LOCAL_ID, *p++ = 0x05, *p++ = (uint8_t)(i + 1);
        if (!w->is_coded[l->font]) {
            /* Font Descriptor Specification: weight, width class, height and
             * width in 1440ths of an inch (= dlist units), flags 0 */
            memset(p, 0, 20);
            p[0] = 20;
            p[1] = TR_FDS;
            p[2] = w->weight[l->font];
            p[3] = 0x05;
            put2(p + 4, (uint32_t)l->size);
            put2(p + 6, (uint32_t)l->size);
            p[19] = 0x60;                    /* issue 13 part 5: font usage flags: outline */
            p += 20;
        }
        put2(rg, (uint32_t)(p - rg));
    }
    w->len = (size_t)(p - w->buf);
    return sf_end(w);
}

static bool ptx_open(folio_afp_writer *w)
{
    if (!sf_begin(w, SF_PTX) || !afp_put(w, "\x2B\xD3", 2))
        return false;
    w->ptx_start = w->sf_start;
    w->cs_last = 0;
    return true;
}

static bool ptx_close(folio_afp_writer *w)
{
    if (w->cs_last)
        w->buf[w->cs_last] &= 0xFE;          /* the chain ends here */
    w->sf_start = w->ptx_start;
    return sf_end(w);
}

/* Make room for `need` more bytes of control sequences in the open PTX. */
static bool cs_room(folio_afp_writer *w, size_t need)
{
    if (w->len - w->ptx_start - AFP_SF_HEAD + need > AFP_PTX_MAX - 2
        && (!ptx_close(w) || !ptx_open(w)))
        return false;
    return afp_reserve(w, need);
}

/* Append one chained control sequence (buffer room made by cs_room). */
static inline void cs_put(folio_afp_writer *w, uint8_t type, const uint8_t *par, size_t n)
{
    uint8_t *p = w->buf + w->len;
    p[0] = (uint8_t)(n + 2);
    p[1] = (uint8_t)(type | 1);
    memcpy(p + 2, par, n);
    w->cs_last = w->len + 1;
    w->len += n + 2;
}

static bool cs_move(folio_afp_writer *w, int32_t i, int32_t b)
{
    if (i < -32768 || i > 32767 || b < -32768 || b > 32767)
        return afp_fail(w, "%s: a position is off the AFP page range%s", NULL);
    if (!cs_room(w, 8))
        return false;
    uint8_t v[2];
    if (i != w->cur_i) {
        put2(v, (uint32_t)(uint16_t)(int16_t)i);
        cs_put(w, CS_AMI, v, 2);
        w->cur_i = i;
    }
    if (b != w->cur_b) {
        put2(v, (uint32_t)(uint16_t)(int16_t)b);
        cs_put(w, CS_AMB, v, 2);
        w->cur_b = b;
    }
    return true;
}

static bool cs_color(folio_afp_writer *w, uint32_t rgb)
{
    if (rgb == w->cur_color)
        return true;
    if (!cs_room(w, 15))
        return false;
    /* SEC: reserved, colour space 01 (RGB), 4 reserved, component sizes
     * 8 8 8 0, then R G B */
    uint8_t v[13] = {0x00, 0x01, 0, 0, 0, 0, 8, 8, 8, 0,
                     (uint8_t)(rgb >> 16), (uint8_t)(rgb >> 8), (uint8_t)rgb};
    cs_put(w, CS_SEC, v, sizeof v);
    w->cur_color = rgb;
    return true;
}

/* A filled rectangle: DIR from (x, y), length len along I, width wid down. */
static bool cs_rect(folio_afp_writer *w, int32_t x, int32_t y, int32_t len, int32_t wid)
{
    if (len <= 0 || wid <= 0)
        return true;
    if (len > 32767 || wid > 32767)
        return afp_fail(w, "%s: a rule or box is larger than the AFP page range%s", NULL);
    if (!cs_move(w, x, y) || !cs_room(w, 7))
        return false;
    uint8_t v[5];
    put2(v, (uint32_t)len);
    put2(v + 2, (uint32_t)wid);
    v[4] = 0;                                /* fraction of the width */
    cs_put(w, CS_DIR, v, sizeof v);
    return true;
}

static bool afp_text(folio_afp_writer *w, const folio_dl_op *op)
{
    if (op->len == 0)
        return true;
    int lid = lid_of(w, op->font, op->size);
    if (lid < 0)
        return afp_fail(w, "%s: more than 127 font and size pairs on one page%s", NULL);
    if (lid != w->cur_lid) {
        if (!cs_room(w, 3))
            return false;
        uint8_t v = (uint8_t)lid;
        cs_put(w, CS_SCFL, &v, 1);
        w->cur_lid = lid;
    }
    if (!cs_color(w, op->color) || !cs_move(w, op->x, op->y))
        return false;
    size_t need = w->unicode ? 2 * (size_t)op->len : op->len;   /* issue 13 part 5 */
    if (need > w->tmp_cap) {
        size_t cap = w->tmp_cap ? w->tmp_cap : 1024;
        while (cap < need)
            cap *= 2;
        uint8_t *t = realloc(w->tmp, cap);
        if (!t)
            return afp_fail(w, "%s: out of memory%s", NULL);
        w->tmp = t;
        w->tmp_cap = cap;
    }
    size_t n = afp_encode(w, op->text, op->len, w->tmp, w->tmp_cap, &w->subs, w->examples,
                          AFP_EXAMPLES);
    for (size_t off = 0; off < n;) {
        size_t k = n - off < 253 ? n - off : afp_cut_at(w, w->tmp + off, 252);
        if (!cs_room(w, k + 2))
            return false;
        cs_put(w, CS_TRN, w->tmp + off, k);
        off += k;
    }
    w->cur_i = INT32_MIN;                    /* the text advanced the inline position */
    return true;
}

static bool afp_op(folio_afp_writer *w, const folio_dl_op *op)
{
    switch (op->kind) {
    case FOLIO_DL_TEXT:
        return afp_text(w, op);
    case FOLIO_DL_RULE: {
        int32_t lw = op->w > 0 ? op->w : 1;
        if (!cs_color(w, op->color))
            return false;
        if (op->y == op->y2) {
            int32_t x0 = op->x < op->x2 ? op->x : op->x2;
            return cs_rect(w, x0, op->y - lw / 2, abs(op->x2 - op->x), lw);
        }
        if (op->x == op->x2) {
            int32_t y0 = op->y < op->y2 ? op->y : op->y2;
            return cs_rect(w, op->x - lw / 2, y0, lw, abs(op->y2 - op->y));
        }
        return afp_fail(w, "%s: a slanted rule cannot be drawn in AFP text%s", NULL);
    }
    case FOLIO_DL_BOX: {
        if (!cs_color(w, op->color) || !cs_rect(w, op->x, op->y, op->w, op->h))
            return false;
        if (op->line_w > 0) {
            int32_t l = op->line_w, h2 = l / 2;
            if (!cs_color(w, op->stroke)
                || !cs_rect(w, op->x - h2, op->y - h2, op->w + l, l)
                || !cs_rect(w, op->x - h2, op->y + op->h - h2, op->w + l, l)
                || !cs_rect(w, op->x - h2, op->y - h2, l, op->h + l)
                || !cs_rect(w, op->x + op->w - h2, op->y - h2, l, op->h + l))
                return false;
        }
        return true;
    }
    case FOLIO_DL_IMAGE:                     /* issue 13: objects after the text */
    case FOLIO_DL_PATH:
        return true;
    default:
        return afp_fail(w, "%s: unknown display-list op%s", NULL);
    }
}

static bool afp_page(folio_afp_writer *w, const folio_dl_statement *st, const folio_dl_page *pg)
{
    uint8_t name[8];
    char a[12];
    uint32_t num = (w->pages + 1) % 10000000u;
    a[0] = 'P';
    for (int k = 7; k >= 1; k--, num /= 10)
        a[k] = (char)('0' + num % 10);
    a[8] = 0;
    afp_name8(a, name);
    uint32_t n_ops = pg->blank_back ? 0 : pg->n_ops;
    w->n_lids = 0;
    for (uint32_t i = 0; i < n_ops; i++)
        if (pg->ops[i].kind == FOLIO_DL_TEXT && pg->ops[i].len
            && lid_of(w, pg->ops[i].font, pg->ops[i].size) < 0)
            return afp_fail(w, "%s: more than 127 font and size pairs on one page%s", NULL);
    for (uint32_t i = 0; i < n_ops; i++)
        if (pg->ops[i].kind == FOLIO_DL_TEXT && pg->ops[i].font >= w->n_fonts)
            return afp_fail(w, "%s: a text op uses an unknown font%s", NULL);
    uint32_t pw = (uint32_t)st->page_w, ph = (uint32_t)st->page_h;
    uint8_t pgd[15], ptd[14], *p;
    p = pgd;
    *p++ = 0x00, *p++ = 0x00;
    p = put2(p, 14400), p = put2(p, 14400);
    p = put3(p, pw), p = put3(p, ph);
    p[0] = p[1] = p[2] = 0;
    p = ptd;
    *p++ = 0x00, *p++ = 0x00;
    p = put2(p, 14400), p = put2(p, 14400);
    p = put3(p, pw), p = put3(p, ph);
    p[0] = p[1] = 0;
    /* issue 13 part 5: BAG/EAG and BPT/EPT carry the page's name */
    if (!sf_named(w, SF_BPG, name) || !sf_named(w, SF_BAG, name) || !afp_mcf(w)
        || !sf_begin(w, SF_PGD) || !afp_put(w, pgd, sizeof pgd) || !sf_end(w)
        || !sf_begin(w, SF_PTD) || !afp_put(w, ptd, sizeof ptd) || !sf_end(w)
        || !sf_named(w, SF_EAG, name))
        return false;
    if (n_ops) {
        if (!sf_named(w, SF_BPT, name) || !ptx_open(w) || !cs_room(w, 6))
            return false;
        static const uint8_t sto[4] = {0x00, 0x00, 0x2D, 0x00};   /* I 0 deg, B 90 deg */
        cs_put(w, CS_STO, sto, 4);
        w->cur_lid = -1;
        w->cur_color = 0xFF000000u;          /* unset: the first op sets it */
        w->cur_i = w->cur_b = INT32_MIN;
        for (uint32_t i = 0; i < n_ops; i++)
            if (!afp_op(w, &pg->ops[i]))
                return false;
        if (!ptx_close(w) || !sf_named(w, SF_EPT, name))
            return false;
    }
    if (n_ops && afp_page_has_objects(pg)) {  /* issue 13: IOBs, graphics object */
        char why[200];
        folio_buf_reset(&w->objs);
        if (!afp_page_objects(w->images, pg, st->page_w, st->page_h, w->pages + 1, &w->objs,
                              why, sizeof why))
            return afp_fail(w, "%s: %s", why);
        if (w->objs.len && !afp_put(w, w->objs.data, w->objs.len))
            return false;
    }
    if (!sf_named(w, SF_EPG, name))
        return false;
    w->pages++;
    return true;
}

/* ---- statements ---------------------------------------------------------- */

bool afp_writer_add_statement(folio_afp_writer *w, const folio_dl_statement *st, bool duplex,
                              folio_error *err)
{
    if (w->failed) {
        folio_error_set(err, w->err.code, "%s", w->err.msg);
        return false;
    }
    const char *id = st->id ? st->id : "";
    uint8_t name[8];
    size_t k = afp_transcode_table(w->cp, w->sub, id, strlen(id), name, 8, NULL, NULL, 0);
    memset(name + k, 0x40, 8 - k);
    bool ok = sf_begin(w, SF_BNG) && afp_put(w, name, 8)
              && tr_fqn_text(w, FQN_REPLACE_FIRST_GID, id, strlen(id), id) && sf_end(w);
    for (int i = 0; ok && i < w->opt.n_index; i++) {
        const folio_afp_index *ix = &w->opt.index[i];
        for (uint32_t t = 0; t < st->n_tags; t++) {
            if (strcmp(st->tags[t].name, ix->tag))
                continue;
            ok = afp_tle(w, ix->attribute, st->tags[t].value ? st->tags[t].value : "", id);
            break;
        }
    }
    uint8_t mm[8];
    afp_name8(duplex ? w->opt.medium_map_duplex : w->opt.medium_map_simplex, mm);
    ok = ok && sf_named(w, SF_IMM, mm);
    for (uint32_t i = 0; ok && i < st->n_pages; i++)
        ok = afp_page(w, st, &st->pages[i]);
    ok = ok && sf_named(w, SF_ENG, name);
    if (ok && w->len >= AFP_FLUSH_AT)
        ok = afp_flush(w);
    if (!ok) {
        folio_error_set(err, w->err.code ? w->err.code : FOLIO_EXIT_FAILED, "%s",
                        w->err.msg[0] ? w->err.msg : "AFP writer failed");
        return false;
    }
    w->groups++;
    return true;
}

uint32_t afp_writer_pages(const folio_afp_writer *w) { return w->pages; }
uint32_t afp_writer_groups(const folio_afp_writer *w) { return w->groups; }

uint64_t afp_writer_substitutions(const folio_afp_writer *w, uint32_t *examples, int max)
{
    for (int i = 0; examples && i < max; i++)
        examples[i] = i < AFP_EXAMPLES ? w->examples[i] : 0;
    return w->subs;
}

uint64_t afp_writer_cut_values(const folio_afp_writer *w, char *first, size_t cap)
{
    if (first && cap)
        snprintf(first, cap, "%s", w->cuts ? w->first_cut : "");
    return w->cuts;
}

static void afp_free(folio_afp_writer *w)
{
    if (w->fd >= 0)
        close(w->fd);
    free(w->buf);
    free(w->tmp);
    afp_images_free(w->images);              /* issue 13 */
    folio_buf_free(&w->objs);
    free(w->path);
    free(w);
}

bool afp_writer_close(folio_afp_writer *w, uint64_t *bytes, folio_error *err)
{
    if (!w)
        return false;
    uint8_t doc[8];
    afp_name8(w->opt.document, doc);
    bool ok = sf_named(w, SF_EDT, doc) && afp_flush(w);
    if (ok && close(w->fd) != 0)
        ok = afp_fail(w, "%s: close failed: %s", strerror(errno));
    w->fd = -1;
    if (!ok) {
        folio_error_set(err, w->err.code ? w->err.code : FOLIO_EXIT_FAILED, "%s", w->err.msg);
        unlink(w->path);
    } else {
        if (bytes)
            *bytes = w->flushed;
        /* a word the 250-byte limit cut is never silent, but the library
         * does not print: afp_writer_cut_values() gives the count and the
         * first one, which the run turns into a warning (docs/afp.md) */
    }
    afp_free(w);
    return ok;
}

void afp_writer_abort(folio_afp_writer *w)
{
    if (!w)
        return;
    if (w->fd >= 0) {
        close(w->fd);
        w->fd = -1;
        unlink(w->path);
    }
    afp_free(w);
}
