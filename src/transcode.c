/* SPDX-License-Identifier: Apache-2.0 */
/*
 * transcode.c -- single-byte feed encodings to UTF-8 (folio/transcode.h).
 *
 * The byte -> code point table of an encoding is built with iconv (glibc's
 * converters), one byte at a time, when a feed is loaded; conversion is then
 * a table lookup per byte.  Because every encoding offered maps each byte on
 * its own, the result does not depend on where the file is cut, and LF is
 * LF: the chunked loader and the line numbers are unaffected.
 */
#include "folio/transcode.h"

#include <errno.h>
#include <iconv.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define CP_NONE 0xFFFFFFFFu

typedef struct enc_name { const char *canon, *iconv; } enc_name;

static const enc_name ENCODINGS[] = {
    {"utf-8", "UTF-8"},
    {"windows-1250", "WINDOWS-1250"}, {"windows-1251", "WINDOWS-1251"},
    {"windows-1252", "WINDOWS-1252"}, {"windows-1253", "WINDOWS-1253"},
    {"windows-1254", "WINDOWS-1254"}, {"windows-1255", "WINDOWS-1255"},
    {"windows-1256", "WINDOWS-1256"}, {"windows-1257", "WINDOWS-1257"},
    {"windows-1258", "WINDOWS-1258"},
    {"iso-8859-1", "ISO-8859-1"}, {"iso-8859-2", "ISO-8859-2"}, {"iso-8859-3", "ISO-8859-3"},
    {"iso-8859-4", "ISO-8859-4"}, {"iso-8859-5", "ISO-8859-5"}, {"iso-8859-6", "ISO-8859-6"},
    {"iso-8859-7", "ISO-8859-7"}, {"iso-8859-8", "ISO-8859-8"}, {"iso-8859-9", "ISO-8859-9"},
    {"iso-8859-10", "ISO-8859-10"}, {"iso-8859-13", "ISO-8859-13"},
    {"iso-8859-14", "ISO-8859-14"}, {"iso-8859-15", "ISO-8859-15"},
    {"iso-8859-16", "ISO-8859-16"},
    {"cp437", "CP437"}, {"cp850", "CP850"}, {"cp852", "CP852"},
    {"koi8-r", "KOI8-R"}, {"koi8-u", "KOI8-U"}, {"mac-roman", "MACINTOSH"},
};
#define N_ENCODINGS (sizeof ENCODINGS / sizeof ENCODINGS[0])

/* lower case, '_' and ' ' as '-', "cp125x" / "windows125x" as "windows-125x",
 * "latin1" / "latin2" as iso-8859-1 / -2, "utf8" as "utf-8" */
static void normalise(const char *in, char *out, size_t cap)
{
    size_t k = 0;
    for (; *in && k + 1 < cap; in++) {
        char c = *in;
        if (c >= 'A' && c <= 'Z')
            c = (char)(c - 'A' + 'a');
        if (c == '_' || c == ' ')
            c = '-';
        out[k++] = c;
    }
    out[k] = 0;
    char tmp[160];             /* longer than any prefix + out */
    if (!strncmp(out, "cp125", 5) && strlen(out) == 6)
        snprintf(tmp, sizeof tmp, "windows-%s", out + 2);
    else if (!strncmp(out, "windows125", 10) && strlen(out) == 11)
        snprintf(tmp, sizeof tmp, "windows-%s", out + 7);
    else if (!strcmp(out, "latin1") || !strcmp(out, "latin-1"))
        snprintf(tmp, sizeof tmp, "iso-8859-1");
    else if (!strcmp(out, "latin2") || !strcmp(out, "latin-2"))
        snprintf(tmp, sizeof tmp, "iso-8859-2");
    else if (!strcmp(out, "utf8"))
        snprintf(tmp, sizeof tmp, "utf-8");
    else if (!strncmp(out, "iso8859-", 8))
        snprintf(tmp, sizeof tmp, "iso-%s", out + 3);
    else
        return;
    size_t m = strlen(tmp);
    if (m >= cap)
        m = cap - 1;
    memcpy(out, tmp, m);
    out[m] = 0;
}

static const enc_name *find(const char *name)
{
    char n[64];
    normalise(name, n, sizeof n);
    for (size_t i = 0; i < N_ENCODINGS; i++)
        if (!strcmp(n, ENCODINGS[i].canon))
            return &ENCODINGS[i];
    return NULL;
}

bool transcode_known(const char *name, char *canon, size_t cap, const char **why)
{
    const enc_name *e = find(name);
    if (!e) {
        *why = "not an encoding folio reads (utf-8, windows-1250..1258, iso-8859-1..16, "
               "cp437, cp850, cp852, koi8-r, koi8-u, mac-roman; multi-byte encodings such "
               "as UTF-16 or Shift_JIS: convert the file to UTF-8 first)";
        return false;
    }
    if (strcmp(e->canon, "utf-8")) {
        iconv_t cd = iconv_open("UTF-8", e->iconv);
        if (cd == (iconv_t)-1) {
            *why = "this system's iconv has no converter for it";
            return false;
        }
        iconv_close(cd);
    }
    snprintf(canon, cap, "%s", e->canon);
    return true;
}

/* Code point of every byte in encoding e (CP_NONE: undefined). */
static bool build_table(const enc_name *e, uint32_t t[256])
{
    iconv_t cd = iconv_open("UTF-32LE", e->iconv);
    if (cd == (iconv_t)-1)
        return false;
    for (int b = 0; b < 256; b++) {
        char in = (char)b;
        unsigned char outb[16];
        char *ip = &in, *op = (char *)outb;
        size_t il = 1, ol = sizeof outb;
        iconv(cd, NULL, NULL, NULL, NULL);
        size_t r = iconv(cd, &ip, &il, &op, &ol);
        if (r == (size_t)-1 || il != 0 || sizeof outb - ol != 4)
            t[b] = CP_NONE;
        else
            t[b] = (uint32_t)outb[0] | (uint32_t)outb[1] << 8 | (uint32_t)outb[2] << 16 |
                   (uint32_t)outb[3] << 24;
    }
    iconv_close(cd);
    return true;
}

static size_t put_utf8(uint32_t cp, char *o)
{
    if (cp < 0x80) {
        o[0] = (char)cp;
        return 1;
    }
    if (cp < 0x800) {
        o[0] = (char)(0xC0 | cp >> 6);
        o[1] = (char)(0x80 | (cp & 0x3F));
        return 2;
    }
    if (cp < 0x10000) {
        o[0] = (char)(0xE0 | cp >> 12);
        o[1] = (char)(0x80 | (cp >> 6 & 0x3F));
        o[2] = (char)(0x80 | (cp & 0x3F));
        return 3;
    }
    o[0] = (char)(0xF0 | cp >> 18);
    o[1] = (char)(0x80 | (cp >> 12 & 0x3F));
    o[2] = (char)(0x80 | (cp >> 6 & 0x3F));
    o[3] = (char)(0x80 | (cp & 0x3F));
    return 4;
}

/* A file that is valid UTF-8 and has at least one multi-byte character is
 * almost surely UTF-8, not the single-byte encoding declared: windows-1252
 * text (an umlaut followed by a letter) practically never forms valid UTF-8. */
static bool looks_utf8(const char *s, size_t n)
{
    bool multi = false;
    for (size_t i = 0; i < n && !multi; i++)
        multi = (unsigned char)s[i] >= 0x80;
    return multi && folio_utf8_valid(s, n, NULL);
}

bool transcode_buffer(const char *encoding, const char *fname, const char *src, size_t n,
                      folio_xlat *x, folio_error *err)
{
    memset(x, 0, sizeof *x);
    const enc_name *e = find(encoding);
    uint32_t t[256];
    if (!e || !build_table(e, t)) {
        folio_error_set(err, FOLIO_EXIT_USAGE, "%s: encoding '%s' is not available", fname,
                        encoding);
        return false;
    }
    const unsigned char *u = (const unsigned char *)src;
    if (n >= 3 && u[0] == 0xEF && u[1] == 0xBB && u[2] == 0xBF) {
        folio_error_set(err, FOLIO_EXIT_USAGE, "%s: the file starts with a UTF-8 byte order "
                        "mark but the feed's dialect.encoding is %s: remove the encoding "
                        "key (the file is UTF-8)", fname, e->canon);
        return false;
    }
    if (n >= 2 && ((u[0] == 0xFF && u[1] == 0xFE) || (u[0] == 0xFE && u[1] == 0xFF))) {
        folio_error_set(err, FOLIO_EXIT_USAGE, "%s: the file starts with a UTF-16 byte order "
                        "mark but the feed's dialect.encoding is %s: convert it to UTF-8",
                        fname, e->canon);
        return false;
    }
    if (looks_utf8(src, n)) {
        folio_error_set(err, FOLIO_EXIT_USAGE, "%s: the file is valid UTF-8 with multi-byte "
                        "characters, but the feed's dialect.encoding is %s: every such "
                        "character would print as two or three wrong ones; remove the "
                        "encoding key if the file is UTF-8", fname, e->canon);
        return false;
    }
    size_t cap = 0, nbad = 0;
    for (size_t i = 0; i < n; i++) {
        uint32_t cp = t[u[i]];
        cap += cp == CP_NONE ? 1 : cp < 0x80 ? 1 : cp < 0x800 ? 2 : cp < 0x10000 ? 3 : 4;
        nbad += cp == CP_NONE;
    }
    x->data = malloc(cap + 1);
    if (nbad) {
        x->bad_out = malloc(nbad * sizeof *x->bad_out);
        x->bad_src = malloc(nbad * sizeof *x->bad_src);
        x->bad_byte = malloc(nbad);
    }
    if (!x->data || (nbad && (!x->bad_out || !x->bad_src || !x->bad_byte))) {
        transcode_free(x);
        folio_error_set(err, FOLIO_EXIT_FAILED, "%s: out of memory transcoding from %s", fname,
                        e->canon);
        return false;
    }
    char *o = x->data;
    for (size_t i = 0; i < n; i++) {
        uint32_t cp = t[u[i]];
        if (cp < 0x80) {
            *o++ = (char)cp;
        } else if (cp == CP_NONE) {
            x->bad_out[x->n_bad] = (size_t)(o - x->data);
            x->bad_src[x->n_bad] = i;
            x->bad_byte[x->n_bad++] = u[i];
            *o++ = (char)0xFF;
        } else {
            o += put_utf8(cp, o);
        }
    }
    x->len = (size_t)(o - x->data);
    x->data[x->len] = 0;
    return true;
}

bool transcode_bad_in(const folio_xlat *x, size_t b, size_t e, size_t *src_off, unsigned *byte)
{
    size_t lo = 0, hi = x->n_bad;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (x->bad_out[mid] < b)
            lo = mid + 1;
        else
            hi = mid;
    }
    if (lo < x->n_bad && x->bad_out[lo] < e) {
        *src_off = x->bad_src[lo];
        *byte = x->bad_byte[lo];
        return true;
    }
    return false;
}

void transcode_free(folio_xlat *x)
{
    free(x->data);
    free(x->bad_out);
    free(x->bad_src);
    free(x->bad_byte);
    memset(x, 0, sizeof *x);
}
