/* SPDX-License-Identifier: Apache-2.0 */
/*
 * marks.c -- inserter marks (OMR or DataMatrix) and the USPS Intelligent
 * Mail barcode, added to a statement's display list as BOX ops.
 *
 * Interface and order of calls: see include/folio/marks.h; the job keys and
 * the mark semantics are documented in docs/marks.md.
 *
 * Geometry (units of 1/1440 in, origin top-left, y down):
 *
 *   OMR field, one per sheet front        DataMatrix, one per sheet front
 *
 *     x                                     quiet zone (q modules)
 *     |<-length->|                          +------------------+
 *     ##########   track 0  y               |  +------------+  |
 *                  } pitch                  |  | n x n      |  |
 *     ##########   track 1  y + pitch       |  | modules    |  |
 *     ...                                   |  +------------+  |
 *     ##########   track n-1                +------------------+
 *   (absent marks leave their track empty;   (x, y) = first module; one BOX
 *    clear_zone surrounds the whole field)    per horizontal run of dark modules
 *
 *   IMb (page 1, address block): 65 bars, bar i at x + marks_imb_bar_x(i),
 *   FOLIO_IMB_BAR_W wide; with t = top of the full bar:
 *       F (full)       t            .. t + FULL_H
 *       A (ascender)   t            .. t + EXTEND_H + TRACKER_H
 *       D (descender)  t + EXTEND_H .. t + FULL_H
 *       T (tracker)    t + EXTEND_H .. t + EXTEND_H + TRACKER_H
 *
 * libzint does all symbol encoding (ECC 200 and the IMb's CRC, codewords
 * and bar mapping); this file only lays out the modules it returns.  zint
 * stores the module matrix bit-packed: module (row, col) is bit (col & 7)
 * of encoded_data[row][col >> 3].  For BARCODE_USPS_IMAIL it returns three
 * rows (ascender part, tracker, descender part) and 129 columns: bar i is
 * column 2i.
 */
#include "folio/marks.h"

#include "folio/fonts.h"
#include "yamltree.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zint.h>

#define BLACK 0x000000u

/* ---- small helpers ------------------------------------------------------- */

typedef struct rect {
    int32_t x, y, w, h;
} rect;

static bool rect_overlap(rect a, rect b)
{
    return a.x < b.x + b.w && b.x < a.x + a.w && a.y < b.y + b.h && b.y < a.y + a.h;
}

static bool rect_inside(rect in, rect out)
{
    return in.x >= out.x && in.y >= out.y && in.x + in.w <= out.x + out.w &&
           in.y + in.h <= out.y + out.h;
}

static rect rect_grow(rect r, int32_t by)
{
    return (rect){r.x - by, r.y - by, r.w + 2 * by, r.h + 2 * by};
}

/* Units as points, locale-free, at most 2 decimals: 250 -> "12.5". */
static const char *fmt_pt(int32_t units, char buf[24])
{
    int64_t v = (int64_t)units * 5;   /* hundredths of a point */
    bool neg = v < 0;
    if (neg)
        v = -v;
    int64_t ip = v / 100, fp = v % 100;
    if (fp == 0)
        snprintf(buf, 24, "%s%lld", neg ? "-" : "", (long long)ip);
    else if (fp % 10 == 0)
        snprintf(buf, 24, "%s%lld.%lld", neg ? "-" : "", (long long)ip, (long long)(fp / 10));
    else
        snprintf(buf, 24, "%s%lld.%02lld", neg ? "-" : "", (long long)ip, (long long)fp);
    return buf;
}

/* "x A..B pt, y C..D pt" of a rectangle. */
static const char *fmt_rect(rect r, char buf[128])
{
    char a[24], b[24], c[24], d[24];
    snprintf(buf, 128, "x %s..%s pt, y %s..%s pt", fmt_pt(r.x, a), fmt_pt(r.x + r.w, b),
             fmt_pt(r.y, c), fmt_pt(r.y + r.h, d));
    return buf;
}

static bool zint_module(const struct zint_symbol *s, int row, int col)
{
    return (s->encoded_data[row][col >> 3] >> (col & 7)) & 1;
}

/* ---- options -------------------------------------------------------------- */

static const char *const MARKS_KEYS[] = {"omr", "datamatrix", "imb", NULL};
static const char *const OMR_KEYS[] = {"profile", "x", "y", "pitch", "length", "thickness",
                                       "clear_zone", "tracks", "sequence_bits",
                                       "sequence_order", "parity", NULL};
static const char *const DM_KEYS[] = {"x", "y", "module", "quiet_zone", NULL};
static const char *const IMB_KEYS[] = {"barcode_id", "service_type", "mailer_id", "position",
                                       "dx", "dy", "window", NULL};
static const char *const PROFILES[] = {"pitney_bowes", NULL};
static const char *const TRACK_NAMES[] = {"benchmark", "begin_set", "end_set", "insert",
                                          "parity", "sequence", "safety", NULL};
static const char *const SEQ_ORDERS[] = {"lsb_first", "msb_first", NULL};
static const char *const PARITIES[] = {"even", "odd", NULL};
static const char *const POSITIONS[] = {"below", "above", "fixed", NULL};

/* marks_omr_profile_default: the Pitney Bowes-style profile (marks.h). */
void marks_omr_profile_default(folio_omr_options *omr)
{
    memset(omr, 0, sizeof *omr);
    omr->x = 240;             /* 12 pt = 1/6 in from the left edge */
    omr->y = 5040;            /* 252 pt = 3.5 in from the top */
    omr->pitch = 240;         /* 1/6 in (4.23 mm) */
    omr->length = 480;        /* 24 pt = 1/3 in */
    omr->thickness = 30;      /* 1.5 pt = 0.021 in */
    omr->clear_zone = 144;    /* 7.2 pt = 0.1 in */
    omr->sequence_bits = 3;
    static const uint8_t kinds[] = {FOLIO_OMR_BENCHMARK, FOLIO_OMR_BEGIN_SET,
                                    FOLIO_OMR_END_SET, FOLIO_OMR_SEQUENCE,
                                    FOLIO_OMR_SEQUENCE, FOLIO_OMR_SEQUENCE,
                                    FOLIO_OMR_PARITY, FOLIO_OMR_SAFETY};
    int bit = 0;
    for (size_t i = 0; i < sizeof kinds; i++) {
        omr->tracks[i].kind = kinds[i];
        omr->tracks[i].bit = kinds[i] == FOLIO_OMR_SEQUENCE ? (uint8_t)bit++ : 0;
    }
    omr->n_tracks = (int)sizeof kinds;
}

/* Points with up to 2 decimals -> units (1 pt = 20 units, so 1/100 pt = 1/5 unit). */
static int read_len(yt_doc *d, const yt_node *map, const char *where, const char *key,
                    int64_t lo_pt100, int64_t hi_pt100, int32_t *units)
{
    int64_t v = 0;
    int r = yt_fixed(d, map, where, key, false, 2, lo_pt100, hi_pt100, &v);
    if (r > 0)
        *units = (int32_t)(v >= 0 ? (v + 2) / 5 : -((-v + 2) / 5));
    return r;
}

/* A string of exactly one of the given digit counts (0 terminates `counts`). */
static int read_digits(yt_doc *d, const yt_node *map, const char *where, const char *key,
                       const int *counts, const char *what, char *out, size_t cap)
{
    char *s = NULL;
    int r = yt_str(d, map, where, key, false, &s);
    if (r <= 0)
        return r;
    size_t n = strlen(s);
    bool ok = false;
    for (const int *c = counts; *c && !ok; c++)
        ok = n == (size_t)*c;
    for (size_t i = 0; i < n && ok; i++)
        ok = s[i] >= '0' && s[i] <= '9';
    if (!ok || n >= cap) {
        yt_fail(d, yt_get(map, key), "'%s.%s' must be %s, got '%s'", where, key, what, s);
        free(s);
        return -1;
    }
    memcpy(out, s, n + 1);
    free(s);
    return 1;
}

static bool read_omr(yt_doc *d, const yt_node *m, folio_omr_options *omr)
{
    const char *w = "output.marks.omr";
    if (!yt_expect_map(d, m, w) || !yt_check_keys(d, m, w, OMR_KEYS))
        return false;
    int profile = 0;
    if (yt_enum(d, m, w, "profile", false, PROFILES, &profile) < 0)
        return false;
    marks_omr_profile_default(omr);     /* the only profile so far */
    if (read_len(d, m, w, "x", 0, 100000, &omr->x) < 0 ||
        read_len(d, m, w, "y", 0, 100000, &omr->y) < 0 ||
        read_len(d, m, w, "pitch", 100, 7200, &omr->pitch) < 0 ||
        read_len(d, m, w, "length", 100, 7200, &omr->length) < 0 ||
        read_len(d, m, w, "thickness", 25, 1000, &omr->thickness) < 0 ||
        read_len(d, m, w, "clear_zone", 0, 7200, &omr->clear_zone) < 0)
        return false;
    int64_t bits = omr->sequence_bits;
    int order = 0, parity = 0;
    if (yt_int(d, m, w, "sequence_bits", false, 1, FOLIO_OMR_MAX_SEQ_BITS, &bits) < 0 ||
        yt_enum(d, m, w, "sequence_order", false, SEQ_ORDERS, &order) < 0 ||
        yt_enum(d, m, w, "parity", false, PARITIES, &parity) < 0)
        return false;
    omr->sequence_bits = (int)bits;
    omr->sequence_msb_first = order == 1;
    omr->parity_odd = parity == 1;
    if (omr->thickness >= omr->pitch)
        return yt_fail(d, m, "'%s.thickness' must be less than its pitch, or marks touch", w);

    /* tracks: names in order; `sequence` expands to sequence_bits tracks */
    const yt_node *tl = yt_get(m, "tracks");
    uint8_t kinds[FOLIO_OMR_MAX_TRACKS];
    int nk = 0;
    if (tl) {
        if (!yt_expect_seq(d, tl, "output.marks.omr.tracks"))
            return false;
        int seen[8] = {0};
        for (int i = 0; i < tl->n; i++) {
            char name[64];
            snprintf(name, sizeof name, "%s.tracks[%d]", w, i);
            int k;
            if (!yt_node_enum(d, tl->items[i], name, TRACK_NAMES, &k))
                return false;
            if (seen[k + 1]++)
                return yt_fail(d, tl->items[i], "'%s': '%s' is listed twice", name,
                               TRACK_NAMES[k]);
            if (nk >= FOLIO_OMR_MAX_TRACKS)
                return yt_fail(d, tl->items[i], "'%s': more than %d tracks", name,
                               FOLIO_OMR_MAX_TRACKS);
            kinds[nk++] = (uint8_t)(k + 1);
        }
        if (!seen[FOLIO_OMR_BENCHMARK])
            return yt_fail(d, tl, "'%s.tracks' must include 'benchmark' (the scanner "
                           "finds the mark field by it)", w);
        if (seen[FOLIO_OMR_END_SET] && seen[FOLIO_OMR_INSERT])
            return yt_fail(d, tl, "'%s.tracks' has both 'end_set' and 'insert', which "
                           "mean the same (last sheet of the piece): keep one", w);
    } else {
        for (int i = 0; i < omr->n_tracks; i++)
            if (i == 0 || omr->tracks[i].kind != FOLIO_OMR_SEQUENCE ||
                omr->tracks[i - 1].kind != FOLIO_OMR_SEQUENCE)
                kinds[nk++] = omr->tracks[i].kind;
    }
    int n = 0;
    for (int i = 0; i < nk; i++) {
        int reps = kinds[i] == FOLIO_OMR_SEQUENCE ? omr->sequence_bits : 1;
        if (n + reps > FOLIO_OMR_MAX_TRACKS)
            return yt_fail(d, tl ? tl : m, "'%s': more than %d tracks with %d sequence bits",
                           w, FOLIO_OMR_MAX_TRACKS, omr->sequence_bits);
        for (int b = 0; b < reps; b++) {
            omr->tracks[n].kind = kinds[i];
            omr->tracks[n].bit = kinds[i] != FOLIO_OMR_SEQUENCE ? 0
                                 : (uint8_t)(omr->sequence_msb_first ? reps - 1 - b : b);
            n++;
        }
    }
    omr->n_tracks = n;
    return true;
}

static bool read_dm(yt_doc *d, const yt_node *m, folio_dm_options *dm)
{
    const char *w = "output.marks.datamatrix";
    if (!yt_expect_map(d, m, w) || !yt_check_keys(d, m, w, DM_KEYS))
        return false;
    dm->x = 180;          /* 9 pt = 1/8 in */
    dm->y = 5040;         /* 252 pt = 3.5 in */
    dm->module = 30;      /* 1.5 pt = 0.0208 in: 6.25 dots at 300 dpi */
    dm->quiet_zone = 2;
    int64_t q = dm->quiet_zone;
    if (read_len(d, m, w, "x", 0, 100000, &dm->x) < 0 ||
        read_len(d, m, w, "y", 0, 100000, &dm->y) < 0 ||
        read_len(d, m, w, "module", 50, 1000, &dm->module) < 0 ||
        yt_int(d, m, w, "quiet_zone", false, 1, 10, &q) < 0)
        return false;
    dm->quiet_zone = (int)q;
    return true;
}

static bool read_imb(yt_doc *d, const yt_node *m, const char *pieces_mailer_id,
                     folio_imb_options *imb)
{
    const char *w = "output.marks.imb";
    if (!yt_expect_map(d, m, w) || !yt_check_keys(d, m, w, IMB_KEYS))
        return false;
    static const int two[] = {2, 0}, three[] = {3, 0}, six_nine[] = {6, 9, 0};
    strcpy(imb->barcode_id, "00");
    imb->window = 180;    /* 1/8 in */
    int pos = 0;
    if (read_digits(d, m, w, "barcode_id", two, "2 digits, the second 0-4",
                    imb->barcode_id, sizeof imb->barcode_id) < 0 ||
        read_digits(d, m, w, "service_type", three, "3 digits (the service type id)",
                    imb->service_type, sizeof imb->service_type) < 0 ||
        read_digits(d, m, w, "mailer_id", six_nine, "6 or 9 digits (the USPS mailer id)",
                    imb->mailer_id, sizeof imb->mailer_id) < 0 ||
        yt_enum(d, m, w, "position", false, POSITIONS, &pos) < 0 ||
        read_len(d, m, w, "dx", -100000, 100000, &imb->dx) < 0 ||
        read_len(d, m, w, "dy", -100000, 100000, &imb->dy) < 0 ||
        read_len(d, m, w, "window", 0, 7200, &imb->window) < 0)
        return false;
    imb->position = (folio_imb_position)pos;
    if (imb->barcode_id[1] > '4')
        return yt_fail(d, yt_get(m, "barcode_id"), "'%s.barcode_id' must be 2 digits, the "
                       "second 0-4, got '%s'", w, imb->barcode_id);
    if (!imb->service_type[0])
        return yt_fail(d, m, "missing required key 'service_type' in '%s' (the 3-digit "
                       "service type id of the IMb)", w);
    if (!imb->mailer_id[0]) {
        if (!pieces_mailer_id)
            return yt_fail(d, m, "'%s' needs a mailer id: set '%s.mailer_id' or "
                           "'output.pieces.mailer_id' (6 or 9 digits)", w, w);
        if (strlen(pieces_mailer_id) >= sizeof imb->mailer_id)
            return yt_fail(d, m, "'output.pieces.mailer_id' is too long for the IMb");
        strcpy(imb->mailer_id, pieces_mailer_id);
    } else if (pieces_mailer_id && strcmp(pieces_mailer_id, imb->mailer_id)) {
        return yt_fail(d, yt_get(m, "mailer_id"), "'%s.mailer_id' is '%s' but "
                       "'output.pieces.mailer_id' is '%s': they must be the same (the "
                       "serial width depends on it)", w, imb->mailer_id, pieces_mailer_id);
    } else if (!pieces_mailer_id && strlen(imb->mailer_id) == 9) {
        return yt_fail(d, yt_get(m, "mailer_id"), "'%s.mailer_id' has 9 digits: set "
                       "'output.pieces.mailer_id' to it as well, so the piece serials are "
                       "6 digits wide", w);
    }
    return true;
}

/* marks_options_read: read output.marks (marks.h). */
bool marks_options_read(yt_doc *d, const yt_node *output, const char *pieces_mailer_id,
                        folio_marks_options **out)
{
    *out = NULL;
    if (!output)
        return true;
    const yt_node *m = yt_get(output, "marks");
    if (!m)
        return true;
    if (!yt_expect_map(d, m, "output.marks") || !yt_check_keys(d, m, "output.marks", MARKS_KEYS))
        return false;
    folio_marks_options *o = calloc(1, sizeof *o);
    if (!o || !(o->src = strdup(d->path))) {
        free(o);
        folio_error_set(d->err, FOLIO_EXIT_FAILED, "%s: out of memory", d->path);
        return false;
    }
    const yt_node *omr = yt_get(m, "omr"), *dm = yt_get(m, "datamatrix"),
                  *imb = yt_get(m, "imb");
    bool ok = true;
    if (omr && dm)
        ok = yt_fail(d, dm, "'output.marks' has both 'omr' and 'datamatrix': an inserter "
                     "reads one kind of control mark, keep one");
    if (ok && omr) {
        o->omr_on = true;
        o->omr_line = omr->line;
        o->omr_col = omr->col;
        ok = read_omr(d, omr, &o->omr);
    }
    if (ok && dm) {
        o->dm_on = true;
        o->dm_line = dm->line;
        o->dm_col = dm->col;
        ok = read_dm(d, dm, &o->dm);
    }
    if (ok && imb) {
        o->imb_on = true;
        o->imb_line = imb->line;
        o->imb_col = imb->col;
        ok = read_imb(d, imb, pieces_mailer_id, &o->imb);
    }
    if (!ok) {
        marks_options_free(o);
        return false;
    }
    *out = o;
    return true;
}

/* marks_options_free: NULL is fine. */
void marks_options_free(folio_marks_options *o)
{
    if (!o)
        return;
    free(o->src);
    free(o);
}

/* ---- content helpers ------------------------------------------------------ */

/* marks_dm_content: "<piece>|<sheet>|<sheets>|<E|N>" (marks.h). */
size_t marks_dm_content(const char *piece_id, uint32_t sheet, uint32_t sheets, char *buf,
                        size_t cap)
{
    int n = snprintf(buf, cap, "%s|%u|%u|%c", piece_id, sheet, sheets,
                     sheet == sheets ? 'E' : 'N');
    return n < 0 || (size_t)n >= cap ? 0 : (size_t)n;
}

/* marks_imb_data: libzint input "TRACKING[-ROUTING]" (marks.h). */
bool marks_imb_data(const folio_imb_options *imb, uint64_t serial, const char *routing_zip,
                    char *buf, size_t cap, folio_error *err)
{
    int sd = 15 - (int)strlen(imb->mailer_id);
    uint64_t lim = 1;
    for (int i = 0; i < sd; i++)
        lim *= 10;
    if (serial >= lim) {
        folio_error_set(err, FOLIO_EXIT_FAILED, "IMb serial %llu does not fit in %d digits "
                        "(mailer id %s)", (unsigned long long)serial, sd, imb->mailer_id);
        return false;
    }
    char zip[16];
    int nz = 0;
    for (const char *p = routing_zip ? routing_zip : ""; *p; p++) {
        if (*p >= '0' && *p <= '9') {
            if (nz < 12)
                zip[nz] = *p;
            nz++;
        } else if (*p != '-' && *p != ' ') {
            nz = -1;
            break;
        }
    }
    if (nz != 0 && nz != 5 && nz != 9 && nz != 11) {
        folio_error_set(err, FOLIO_EXIT_FAILED, "routing ZIP '%s' is not a US ZIP code (5, "
                        "9 or 11 digits, '-' and spaces allowed)", routing_zip);
        return false;
    }
    zip[nz] = 0;
    int n = snprintf(buf, cap, "%s%s%s%0*llu%s%s", imb->barcode_id, imb->service_type,
                     imb->mailer_id, sd, (unsigned long long)serial, nz ? "-" : "", zip);
    if (n < 0 || (size_t)n >= cap) {
        folio_error_set(err, FOLIO_EXIT_FAILED, "IMb data does not fit its buffer");
        return false;
    }
    return true;
}

/* ---- zones ---------------------------------------------------------------- */

/* The body area of page 1 (first) or of the later pages. */
static rect body_rect(const folio_layout *L, bool first)
{
    int32_t top = first ? L->body_top_first : L->body_top;
    return (rect){L->margin_left, top, L->page_w - L->margin_right - L->margin_left,
                  L->body_bottom - top};
}

static rect address_rect(const folio_layout *L)
{
    return (rect){L->address_x, L->address_y, L->address_w, L->address_h};
}

/* The OMR mark field (without clear zone). */
static rect omr_field(const folio_omr_options *m)
{
    return (rect){m->x, m->y, m->length, (m->n_tracks - 1) * m->pitch + m->thickness};
}

/* Symbol side in modules for a content, via libzint; 0 on failure. */
static int dm_encode(const char *content, struct zint_symbol **out, char *why, size_t cap)
{
    struct zint_symbol *s = ZBarcode_Create();
    if (!s) {
        snprintf(why, cap, "out of memory");
        return 0;
    }
    s->symbology = BARCODE_DATAMATRIX;
    s->option_3 = DM_SQUARE;
    s->input_mode = DATA_MODE;
    int rc = ZBarcode_Encode(s, (const unsigned char *)content, (int)strlen(content));
    if (rc >= ZINT_ERROR || s->rows <= 0 || s->rows != s->width) {
        snprintf(why, cap, "libzint could not encode a DataMatrix of '%s': %s", content,
                 s->errtxt);
        ZBarcode_Delete(s);
        return 0;
    }
    *out = s;
    return s->rows;
}

/* The DataMatrix area including its quiet zone, for an n x n symbol. */
static rect dm_zone(const folio_dm_options *dm, int n)
{
    int32_t q = dm->quiet_zone * dm->module;
    return (rect){dm->x - q, dm->y - q, n * dm->module + 2 * q, n * dm->module + 2 * q};
}

/* Check one zone against the page, the body and (unless allow_address) the
 * address block; the message names the job key. */
static bool zone_check(const folio_marks_options *o, const folio_layout *L, rect zone,
                       const char *key, int line, int col, bool allow_address,
                       folio_error *err)
{
    char zb[128], ob[128];
    rect page = {0, 0, L->page_w, L->page_h};
    if (!rect_inside(zone, page)) {
        char pw[24], ph[24];
        (void)ob;
        folio_error_set(err, FOLIO_EXIT_USAGE, "%s:%d:%d: '%s' (%s, with its clear zone) "
                        "does not fit on the %s x %s pt page of layout %s", o->src, line, col,
                        key, fmt_rect(zone, zb), fmt_pt(L->page_w, pw), fmt_pt(L->page_h, ph),
                        L->path);
        return false;
    }
    /* marks on every sheet meet both body areas; the IMb only page 1's */
    rect body = body_rect(L, true);
    if (!allow_address && !rect_overlap(zone, body))
        body = body_rect(L, false);
    if (rect_overlap(zone, body)) {
        folio_error_set(err, FOLIO_EXIT_USAGE, "%s:%d:%d: '%s' (%s, with its clear zone) "
                        "overlaps the body area of layout %s (%s): place it in the left or "
                        "right margin", o->src, line, col, key, fmt_rect(zone, zb), L->path,
                        fmt_rect(body, ob));
        return false;
    }
    rect addr = address_rect(L);
    if (!allow_address && rect_overlap(zone, addr)) {
        folio_error_set(err, FOLIO_EXIT_USAGE, "%s:%d:%d: '%s' (%s, with its clear zone) "
                        "overlaps the address block of layout %s (%s)", o->src, line, col,
                        key, fmt_rect(zone, zb), L->path, fmt_rect(addr, ob));
        return false;
    }
    return true;
}

/* Ascent / descent of a text op's font in units (approximate without metrics). */
static void text_extent(const folio_layout *L, int font, int32_t size, int32_t *asc,
                        int32_t *desc)
{
    const folio_font *f = L && font >= 0 && font < L->n_fonts ? L->fonts[font].metrics : NULL;
    *asc = f ? (int32_t)(((int64_t)fonts_ascent(f) * size + 999) / 1000) : size;
    *desc = f ? (int32_t)(((int64_t)fonts_descent(f) * size + 999) / 1000) : size / 4;
}

/* Bounding box of an op. */
static rect op_rect(const folio_layout *L, const folio_dl_op *op)
{
    switch (op->kind) {
    case FOLIO_DL_TEXT: {
        int32_t asc, desc;
        text_extent(L, op->font, op->size, &asc, &desc);
        const folio_font *f = op->font < L->n_fonts ? L->fonts[op->font].metrics : NULL;
        int32_t w = f ? fonts_text_width(f, op->text, op->len, op->size)
                      : (int32_t)((int64_t)op->size * op->len * 6 / 10);
        return (rect){op->x, op->y - asc, w, asc + desc};
    }
    case FOLIO_DL_RULE: {
        int32_t x0 = op->x < op->x2 ? op->x : op->x2, x1 = op->x < op->x2 ? op->x2 : op->x;
        int32_t y0 = op->y < op->y2 ? op->y : op->y2, y1 = op->y < op->y2 ? op->y2 : op->y;
        int32_t hw = (op->w + 1) / 2;
        return (rect){x0 - hw, y0 - hw, x1 - x0 + 2 * hw, y1 - y0 + 2 * hw};
    }
    case FOLIO_DL_IMAGE:                 /* issue 13: what the op covers */
    case FOLIO_DL_PATH: {
        folio_dl_rect b;
        dlist_op_bounds(op, &b);
        return (rect){b.x, b.y, b.w, b.h};
    }
    default: {
        int32_t hw = op->line_w > 0 ? (op->line_w + 1) / 2 : 0;
        return (rect){op->x - hw, op->y - hw, op->w + 2 * hw, op->h + 2 * hw};
    }
    }
}

/* Fail when `zone` overlaps any of the first n_ops ops of page pi. */
static bool page_check(const folio_layout *L, const folio_dl_statement *st, uint32_t pi,
                       uint32_t n_ops, rect zone, const char *what, const char *piece,
                       folio_error *err)
{
    const folio_dl_page *pg = &st->pages[pi];
    for (uint32_t i = 0; i < n_ops; i++) {
        const folio_dl_op *op = &pg->ops[i];
        rect r = op_rect(L, op);
        if (r.w > 0 && r.h > 0 && rect_overlap(zone, r)) {
            char zb[128], ob[128];
            int tl = op->kind == FOLIO_DL_TEXT ? (int)(op->len < 40 ? op->len : 40) : 0;
            folio_error_set(err, FOLIO_EXIT_FAILED, "piece %s (statement %s) page %u: the %s "
                            "(%s, with its clear zone) overlaps a printed %s at %s%s%.*s%s",
                            piece, st->id ? st->id : "?", pi + 1, what, fmt_rect(zone, zb),
                            op->kind == FOLIO_DL_TEXT ? "text" : op->kind == FOLIO_DL_RULE
                                                                   ? "rule"
                            : op->kind == FOLIO_DL_IMAGE ? "image"       /* issue 13 */
                            : op->kind == FOLIO_DL_PATH ? "chart" : "box",
                            fmt_rect(r, ob), tl ? " '" : "", tl, tl ? op->text : "",
                            tl ? "'" : "");
            return false;
        }
    }
    return true;
}

/* ---- IMb placement --------------------------------------------------------- */

/* Top-left of bar 0 (top of a full bar) on page 1 for the given address
 * lines: first_top is the top of the first line's glyphs (ascent), last_bottom
 * the bottom of the last line's (descent); unused without lines. */
static void imb_place(const folio_imb_options *imb, const folio_layout *L, int32_t first_top,
                      int32_t last_bottom, bool have_lines, int32_t *x, int32_t *y)
{
    *x = L->address_x + imb->dx;
    if (imb->position == FOLIO_IMB_FIXED || !have_lines)
        *y = L->address_y;
    else if (imb->position == FOLIO_IMB_BELOW)
        *y = last_bottom + FOLIO_IMB_CLEAR_Y;
    else
        *y = first_top - FOLIO_IMB_CLEAR_Y - FOLIO_IMB_FULL_H;
    *y += imb->dy;
}

static rect imb_zone(int32_t x, int32_t y)
{
    return (rect){x - FOLIO_IMB_CLEAR_X, y - FOLIO_IMB_CLEAR_Y,
                  FOLIO_IMB_LENGTH + 2 * FOLIO_IMB_CLEAR_X,
                  FOLIO_IMB_FULL_H + 2 * FOLIO_IMB_CLEAR_Y};
}

/* The address block widened by the window clearance: where the IMb may go. */
static rect imb_window(const folio_imb_options *imb, const folio_layout *L)
{
    return rect_grow(address_rect(L), imb->window);
}

/* marks_check_layout: zones against page, body and address block (marks.h). */
bool marks_check_layout(const folio_marks_options *o, const folio_layout *L, folio_error *err)
{
    if (!o)
        return true;
    rect omr = {0, 0, 0, 0}, dm = {0, 0, 0, 0};
    if (o->omr_on) {
        omr = rect_grow(omr_field(&o->omr), o->omr.clear_zone);
        if (!zone_check(o, L, omr, "output.marks.omr", o->omr_line, o->omr_col, false, err))
            return false;
    }
    if (o->dm_on) {
        /* a typical content: a long piece id and four-digit sheet numbers */
        struct zint_symbol *s = NULL;
        char why[200];
        int n = dm_encode("P00000001|9999|9999|N", &s, why, sizeof why);
        if (!n) {
            folio_error_set(err, FOLIO_EXIT_FAILED, "%s", why);
            return false;
        }
        ZBarcode_Delete(s);
        dm = dm_zone(&o->dm, n);
        if (!zone_check(o, L, dm, "output.marks.datamatrix", o->dm_line, o->dm_col, false, err))
            return false;
    }
    if (o->imb_on) {
        const folio_imb_options *imb = &o->imb;
        rect win = imb_window(imb, L);
        /* worst case: a full block of address lines in the address style */
        int32_t first_top = L->address_y, last_bottom = L->address_y;
        if (L->address_style >= 0 && L->address_style < L->n_styles) {
            const folio_style *s = &L->styles[L->address_style];
            int32_t asc, desc;
            text_extent(L, s->font, s->size, &asc, &desc);
            int lines = L->address_max_lines > 0 ? L->address_max_lines : 6;
            last_bottom = L->address_y + asc + (lines - 1) * s->leading + desc;
        }
        int32_t x, y;
        imb_place(imb, L, first_top, last_bottom, true, &x, &y);
        rect z = imb_zone(x, y);
        char zb[128], wb[128];
        if (!rect_inside(z, win)) {
            folio_error_set(err, FOLIO_EXIT_USAGE, "%s:%d:%d: 'output.marks.imb' (%s with "
                            "its clear zone, placed %s) does not fit in the address block of "
                            "layout %s widened by the window clearance (%s)%s", o->src,
                            o->imb_line, o->imb_col, fmt_rect(z, zb),
                            POSITIONS[imb->position], L->path, fmt_rect(win, wb),
                            imb->position == FOLIO_IMB_FIXED ? ""
                            : ": lower the layout's address max_lines, or move it with dx/dy");
            return false;
        }
        if (!zone_check(o, L, z, "output.marks.imb", o->imb_line, o->imb_col, true, err))
            return false;
        if ((o->omr_on && rect_overlap(z, omr)) || (o->dm_on && rect_overlap(z, dm))) {
            folio_error_set(err, FOLIO_EXIT_USAGE, "%s:%d:%d: 'output.marks.imb' (%s) "
                            "overlaps the inserter marks", o->src, o->imb_line, o->imb_col,
                            fmt_rect(z, zb));
            return false;
        }
    }
    return true;
}

/* ---- apply ------------------------------------------------------------------ */

static bool oom(folio_error *err, const char *piece)
{
    folio_error_set(err, FOLIO_EXIT_FAILED, "piece %s: out of memory adding marks", piece);
    return false;
}

/* OMR marks of sheet k (0-based) of `sheets` on page pi. */
static bool omr_draw(const folio_omr_options *m, folio_dl_statement *st, uint32_t pi,
                     uint32_t k, uint32_t sheets, uint32_t first_sheet, const char *piece,
                     folio_error *err)
{
    uint32_t seq = (uint32_t)(((uint64_t)first_sheet + k) & ((1u << m->sequence_bits) - 1));
    bool on[FOLIO_OMR_MAX_TRACKS];
    int count = 0, parity_track = -1;
    for (int t = 0; t < m->n_tracks; t++) {
        switch (m->tracks[t].kind) {
        case FOLIO_OMR_BENCHMARK:
        case FOLIO_OMR_SAFETY: on[t] = true; break;
        case FOLIO_OMR_BEGIN_SET: on[t] = k == 0; break;
        case FOLIO_OMR_END_SET:
        case FOLIO_OMR_INSERT: on[t] = k + 1 == sheets; break;
        case FOLIO_OMR_SEQUENCE: on[t] = (seq >> m->tracks[t].bit) & 1; break;
        default: on[t] = false; parity_track = t; break;
        }
        count += on[t];
    }
    if (parity_track >= 0)
        on[parity_track] = (count & 1) != (m->parity_odd ? 1 : 0);
    for (int t = 0; t < m->n_tracks; t++)
        if (on[t] && !dlist_page_add_box(st, &st->pages[pi], m->x, m->y + t * m->pitch,
                                         m->length, m->thickness, BLACK, 0, 0))
            return oom(err, piece);
    return true;
}

/* Draw an n x n zint module matrix at (x, y): one box per horizontal run. */
static bool matrix_draw(const struct zint_symbol *s, folio_dl_statement *st, uint32_t pi,
                        int32_t x, int32_t y, int32_t mod, const char *piece, folio_error *err)
{
    for (int r = 0; r < s->rows; r++) {
        int c = 0;
        while (c < s->width) {
            if (!zint_module(s, r, c)) {
                c++;
                continue;
            }
            int c0 = c;
            while (c < s->width && zint_module(s, r, c))
                c++;
            if (!dlist_page_add_box(st, &st->pages[pi], x + c0 * mod, y + r * mod,
                                    (c - c0) * mod, mod, BLACK, 0, 0))
                return oom(err, piece);
        }
    }
    return true;
}

static bool imb_draw(const folio_marks_options *o, const folio_layout *L,
                     folio_dl_statement *st, const folio_piece_marks *piece,
                     folio_error *err)
{
    const char *pid = piece->piece_id ? piece->piece_id : "?";
    char data[48];
    folio_error e2 = {0};
    if (!marks_imb_data(&o->imb, piece->imb_serial, piece->routing_zip, data, sizeof data,
                        &e2)) {
        folio_error_set(err, FOLIO_EXIT_FAILED, "piece %s (statement %s): %s", pid,
                        st->id ? st->id : "?", e2.msg);
        return false;
    }
    /* the address lines: text ops of page 1 whose baseline start is in the block */
    const folio_dl_page *pg = &st->pages[0];
    rect addr = address_rect(L);
    bool have = false;
    int32_t first_top = 0, last_bottom = 0;
    for (uint32_t i = 0; i < pg->n_ops; i++) {
        const folio_dl_op *op = &pg->ops[i];
        if (op->kind != FOLIO_DL_TEXT || op->x < addr.x || op->x >= addr.x + addr.w ||
            op->y < addr.y || op->y > addr.y + addr.h)
            continue;
        int32_t asc, desc;
        text_extent(L, op->font, op->size, &asc, &desc);
        if (!have || op->y - asc < first_top)
            first_top = op->y - asc;
        if (!have || op->y + desc > last_bottom)
            last_bottom = op->y + desc;
        have = true;
    }
    int32_t x, y;
    imb_place(&o->imb, L, first_top, last_bottom, have, &x, &y);
    rect z = imb_zone(x, y), win = imb_window(&o->imb, L);
    if (!rect_inside(z, win)) {
        char zb[128], wb[128];
        folio_error_set(err, FOLIO_EXIT_FAILED, "piece %s (statement %s): the IMb (%s with "
                        "its clear zone) does not fit in the address window (%s)", pid,
                        st->id ? st->id : "?", fmt_rect(z, zb), fmt_rect(win, wb));
        return false;
    }
    if (!page_check(L, st, 0, pg->n_ops, z, "IMb", pid, err))
        return false;

    struct zint_symbol *s = ZBarcode_Create();
    if (!s)
        return oom(err, pid);
    s->symbology = BARCODE_USPS_IMAIL;
    int rc = ZBarcode_Encode(s, (const unsigned char *)data, (int)strlen(data));
    if (rc >= ZINT_ERROR || s->rows != 3 || s->width != 2 * FOLIO_IMB_BARS - 1) {
        folio_error_set(err, FOLIO_EXIT_FAILED, "piece %s: libzint could not encode the IMb "
                        "'%s': %s", pid, data, s->errtxt);
        ZBarcode_Delete(s);
        return false;
    }
    bool ok = true;
    for (int i = 0; i < FOLIO_IMB_BARS && ok; i++) {
        bool asc = zint_module(s, 0, 2 * i), desc = zint_module(s, 2, 2 * i);
        int32_t top = y + (asc ? 0 : FOLIO_IMB_EXTEND_H);
        int32_t bottom = y + FOLIO_IMB_EXTEND_H + FOLIO_IMB_TRACKER_H +
                         (desc ? FOLIO_IMB_EXTEND_H : 0);
        ok = dlist_page_add_box(st, &st->pages[0], x + marks_imb_bar_x(i), top,
                                FOLIO_IMB_BAR_W, bottom - top, BLACK, 0, 0);
    }
    ZBarcode_Delete(s);
    return ok || oom(err, pid);
}

static bool piece_id_ok(const char *id)
{
    if (!id || !*id || strlen(id) > 64)
        return false;
    for (const char *p = id; *p; p++)
        if (*p < 0x20 || *p > 0x7e || *p == '|')
            return false;
    return true;
}

/* marks_apply: add the configured marks to st (marks.h). */
bool marks_apply(const folio_marks_options *o, const folio_layout *L, folio_dl_statement *st,
                 const folio_piece_marks *piece, folio_error *err)
{
    if (!o || (!o->omr_on && !o->dm_on && !o->imb_on) || st->n_pages == 0)
        return true;
    const char *pid = piece->piece_id ? piece->piece_id : "?";
    if ((o->dm_on || o->omr_on) && !piece_id_ok(piece->piece_id)) {
        folio_error_set(err, FOLIO_EXIT_FAILED, "statement %s: piece id '%s' must be 1-64 "
                        "printable ASCII characters without '|'", st->id ? st->id : "?", pid);
        return false;
    }
    /* the IMb first: it looks for the address lines among page 1's ops */
    if (o->imb_on && !piece->no_imb && !imb_draw(o, L, st, piece, err))
        return false;
    uint32_t step = piece->duplex ? 2 : 1;
    uint32_t sheets = (st->n_pages + step - 1) / step;
    rect omr = rect_grow(omr_field(&o->omr), o->omr.clear_zone);
    for (uint32_t k = 0; k < sheets && (o->omr_on || o->dm_on); k++) {
        uint32_t pi = k * step;
        if (st->pages[pi].blank_back) {
            folio_error_set(err, FOLIO_EXIT_FAILED, "piece %s: page %u is a blank padding "
                            "page but the front of sheet %u", pid, pi + 1, k + 1);
            return false;
        }
        uint32_t n_ops = st->pages[pi].n_ops;   /* ops before ours (the IMb is ours) */
        if (pi == 0 && o->imb_on && !piece->no_imb)
            n_ops -= FOLIO_IMB_BARS;
        if (o->omr_on) {
            if (!page_check(L, st, pi, n_ops, omr, "OMR mark field", pid, err) ||
                !omr_draw(&o->omr, st, pi, k, sheets, piece->first_sheet, pid, err))
                return false;
        } else {
            char content[96], why[200];
            if (!marks_dm_content(piece->piece_id, k + 1, sheets, content, sizeof content)) {
                folio_error_set(err, FOLIO_EXIT_FAILED, "piece %s: DataMatrix content too "
                                "long", pid);
                return false;
            }
            struct zint_symbol *s = NULL;
            int n = dm_encode(content, &s, why, sizeof why);
            if (!n) {
                folio_error_set(err, FOLIO_EXIT_FAILED, "piece %s: %s", pid, why);
                return false;
            }
            rect z = dm_zone(&o->dm, n), body = body_rect(L, pi == 0);
            bool ok = true;
            if (rect_overlap(z, body)) {
                char zb[128], bb[128];
                folio_error_set(err, FOLIO_EXIT_FAILED, "piece %s: the %dx%d DataMatrix (%s "
                                "with its quiet zone) overlaps the body area (%s)", pid, n, n,
                                fmt_rect(z, zb), fmt_rect(body, bb));
                ok = false;
            }
            ok = ok && page_check(L, st, pi, n_ops, z, "DataMatrix", pid, err) &&
                 matrix_draw(s, st, pi, o->dm.x, o->dm.y, o->dm.module, pid, err);
            ZBarcode_Delete(s);
            if (!ok)
                return false;
        }
    }
    return true;
}
