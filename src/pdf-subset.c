/* SPDX-License-Identifier: Apache-2.0 */
/*
 * pdf-subset.c -- TrueType glyph subsets for embedding (pdf-private.h),
 * with HarfBuzz's hb-subset.
 *
 * libharu 2.3.0 embeds a TrueType font as the whole font with the glyphs it
 * was not asked for emptied, hinting, kerning and layout tables kept: ~45 KB
 * deflated per Liberation Sans face, 85% of an archived 3-page statement.
 * Here the program is cut to the glyphs the document draws (glyph ids kept,
 * so libharu's CIDToGIDMap and /W stay right), without hinting (fpgm, prep,
 * cvt and the glyphs' instructions; PDF viewers and printers rasterise at
 * device resolution) and without the layout tables (GSUB, GPOS, GDEF, kern:
 * the text is positioned already).  .notdef keeps its outline.  The output
 * depends only on the font file and the glyph set.
 *
 * Faces: each font file is read once per process and preprocessed for
 * repeated subsetting (hb_subset_preprocess); the faces are shared by all
 * threads (HarfBuzz objects are safe to use from several threads) and freed
 * at exit.
 */
#include "pdf-private.h"

#include "folio/common.h"

#include <hb-subset.h>
#include <hb.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#define SUBSET_FACES 16

typedef struct subset_face {
    char *file;
    hb_face_t *face;                   /* preprocessed */
} subset_face;

static pthread_mutex_t subset_lock = PTHREAD_MUTEX_INITIALIZER;
static subset_face subset_faces[SUBSET_FACES];
static int subset_n;

__attribute__((destructor)) static void subset_free_all(void)
{
    pthread_mutex_lock(&subset_lock);
    for (int i = 0; i < subset_n; i++) {
        hb_face_destroy(subset_faces[i].face);
        free(subset_faces[i].file);
    }
    subset_n = 0;
    pthread_mutex_unlock(&subset_lock);
}

/* The preprocessed face of `file`, or NULL; a reference the caller
 * destroys.  The first SUBSET_FACES files' faces are kept for the process;
 * a file past them gets a face of its own each call (r-harden, issue 12:
 * it was NULL, "unreadable", so which fonts a run of more than 16 could
 * subset -- and its bytes -- depended on the order threads first asked). */
static hb_face_t *subset_face_of(const char *file)
{
    hb_face_t *face = NULL;
    pthread_mutex_lock(&subset_lock);
    for (int i = 0; i < subset_n && !face; i++)
        if (!strcmp(subset_faces[i].file, file))
            face = hb_face_reference(subset_faces[i].face);
    if (!face) {
        hb_blob_t *blob = hb_blob_create_from_file_or_fail(file);
        hb_face_t *raw = blob ? hb_face_create(blob, 0) : NULL;
        hb_blob_destroy(blob);
        if (raw && hb_face_get_glyph_count(raw) > 0) {
            face = hb_subset_preprocess(raw);
            char *name = strdup(file);
            if (face && name && face != hb_face_get_empty()) {
                if (subset_n < SUBSET_FACES) {
                    subset_faces[subset_n].file = name;
                    subset_faces[subset_n].face = hb_face_reference(face);
                    subset_n++;
                } else {
                    free(name);
                }
            } else {
                hb_face_destroy(face);
                free(name);
                face = NULL;
            }
        }
        hb_face_destroy(raw);
    }
    pthread_mutex_unlock(&subset_lock);
    return face;
}

/* issue 11 (r-arch4): whether HarfBuzz reads font `file` (its face kept). */
bool pdf_subset_readable(const char *file)
{
    hb_face_t *face = subset_face_of(file);
    hb_face_destroy(face);
    return face != NULL;
}

bool pdf_subset_font(const char *file, const uint32_t *gids, size_t n_gids,
                     const uint32_t *codes, size_t n_codes, unsigned char **out,
                     size_t *out_len)
{
    return pdf_subset_font_renum(file, gids, n_gids, codes, n_codes, NULL, out, out_len);
}

/* new_gids NULL: glyph ids kept (HB_SUBSET_FLAGS_RETAIN_GIDS).  Else the
 * glyphs are renumbered 0..k-1 (hb-subset's own order: .notdef, then the
 * kept glyphs by old id) and new_gids[i] is gids[i]'s new id: loca and hmtx
 * then hold k entries, not one per glyph below the highest id drawn (r-arch,
 * issue 11/14 archive size: ~1 KB deflated per Liberation Sans face). */
bool pdf_subset_font_renum(const char *file, const uint32_t *gids, size_t n_gids,
                           const uint32_t *codes, size_t n_codes, uint32_t *new_gids,
                           unsigned char **out, size_t *out_len)
{
    *out = NULL;
    *out_len = 0;
    if (new_gids) {                    /* round 26: folio's own, same bytes */
        int rc = pdf_ttsub_renum(file, gids, n_gids, codes, n_codes, new_gids, out, out_len);
        if (rc)
            return rc > 0;
    }
    hb_face_t *face = subset_face_of(file);
    if (!face)
        return false;
    hb_subset_input_t *in = hb_subset_input_create_or_fail();
    if (!in) {
        hb_face_destroy(face);
        return false;
    }
    hb_set_t *g = hb_subset_input_glyph_set(in);
    hb_set_add(g, 0);                          /* .notdef */
    for (size_t i = 0; i < n_gids; i++)
        hb_set_add(g, gids[i]);
    hb_set_t *u = hb_subset_input_unicode_set(in);
    for (size_t i = 0; i < n_codes; i++)
        hb_set_add(u, codes[i]);
    hb_set_t *drop = hb_subset_input_set(in, HB_SUBSET_SETS_DROP_TABLE_TAG);
    static const char *const tables[] = { "GSUB", "GPOS", "GDEF", "kern", "DSIG", "gasp",
                                          "hdmx", "LTSH", "VDMX", "JSTF", "PCLT", "morx",
                                          "feat", "BASE", "meta" };
    for (size_t i = 0; i < sizeof tables / sizeof tables[0]; i++)
        hb_set_add(drop, hb_tag_from_string(tables[i], 4));
    if (new_gids) {
        /* r-arch3 (issue 11 archive size): a renumbered subset is only ever
         * a CIDFontType2 program reached through its CIDToGIDMap, which
         * needs no cmap (ISO 32000-1 9.9: cmap is for simple TrueType
         * fonts), nor glyph names (post) or the name table; OS/2 stays (its
         * fsType is the embedding permission PDF/A relies on). ~0.5 KB
         * deflated a document */
        static const char *const cid_drop[] = { "cmap", "post", "name" };
        for (size_t i = 0; i < sizeof cid_drop / sizeof cid_drop[0]; i++)
            hb_set_add(drop, hb_tag_from_string(cid_drop[i], 4));
    }
    /* the name table: family and subfamily only (r-arch, issue 11: the
     * default 0..6 in two platforms is ~200 bytes deflated per font) */
    hb_set_t *names = hb_subset_input_set(in, HB_SUBSET_SETS_NAME_ID);
    hb_set_clear(names);
    hb_set_add(names, 1);
    hb_set_add(names, 2);
    hb_subset_input_set_flags(in, HB_SUBSET_FLAGS_NO_HINTING | HB_SUBSET_FLAGS_NOTDEF_OUTLINE |
                                      (new_gids ? 0u : HB_SUBSET_FLAGS_RETAIN_GIDS));
    hb_face_t *sub = NULL;
    if (new_gids) {
        hb_subset_plan_t *plan = hb_subset_plan_create_or_fail(face, in);
        const hb_map_t *m = plan ? hb_subset_plan_old_to_new_glyph_mapping(plan) : NULL;
        bool all = m != NULL;
        for (size_t i = 0; all && i < n_gids; i++) {
            hb_codepoint_t v = hb_map_get(m, gids[i]);
            all = v != HB_MAP_VALUE_INVALID;     /* every glyph asked for is kept */
            new_gids[i] = v;
        }
        if (all)
            sub = hb_subset_plan_execute_or_fail(plan);
        hb_subset_plan_destroy(plan);
    } else {
        sub = hb_subset_or_fail(face, in);
    }
    hb_subset_input_destroy(in);
    hb_face_destroy(face);
    if (!sub)
        return false;
    hb_blob_t *blob = hb_face_reference_blob(sub);
    unsigned len = 0;
    const char *data = hb_blob_get_data(blob, &len);
    bool ok = false;
    if (data && len > 0 && (*out = malloc(len)) != NULL) {
        memcpy(*out, data, len);
        *out_len = len;
        ok = true;
    }
    hb_blob_destroy(blob);
    hb_face_destroy(sub);
    return ok;
}

/* ---- deflated subsets, kept by glyph set (issue 11 part 4) ----------------
 *
 * Archived documents are small and many: each subsets and deflates its two
 * fonts (~0.1 ms each), and a quarter to a third of them draw exactly the
 * code points an earlier document drew (measured: 1,088 subsets, 792
 * different, in the samples job of 2,000 households).  The deflated program
 * depends only on the font file, the codes, their glyphs and the level, so
 * it is kept under that key: the first different sets of the
 * process, shared by all threads; a set seen again is copied, not made.
 * Output is the same bytes whichever thread made the entry first. */

/* round 26: 4 MB of deflated programs (~890 sets of ~4.7 KB; peak RSS
 * +~5 MB), was 256 sets: in an e-mail-only run of 3,000 households 44% of
 * the 5,152 programs asked for repeat an earlier set; the first 256 sets
 * serve 24%, 890 37%, 1,780 (8 MB) 43% */
#define SUBSET_CACHE_BYTES ((size_t)4 << 20)
#define SUBSET_BUCKETS 2048          /* hash buckets (power of two) */

typedef struct subset_entry {
    struct subset_entry *next;       /* in its bucket */
    uint64_t hash;
    const char *file;                /* subset_faces[].file (kept for the process) */
    int level;
    size_t n;
    uint32_t *codes, *gids;          /* [n] each, one allocation */
    uint32_t *new_gids;              /* [n] (renumbered entries), else NULL */
    unsigned char *z;
    size_t zlen;
    size_t raw_len;
} subset_entry;

static subset_entry *subset_bucket[SUBSET_BUCKETS];
static size_t subset_cached;         /* bytes of deflated programs kept */

static uint64_t subset_hash(const char *file, int level, const uint32_t *codes,
                            const uint32_t *gids, size_t n)
{
    uint64_t h = 1469598103934665603ull;
#define SUBSET_MIX(v) (h = (h ^ (uint64_t)(v)) * 1099511628211ull)
    for (const char *p = file; *p; p++)
        SUBSET_MIX((unsigned char)*p);
    SUBSET_MIX(level);   /* level < 0: a renumbered subset (see callers) */
    SUBSET_MIX(n);
    for (size_t i = 0; i < n; i++) {
        SUBSET_MIX(codes[i]);
        SUBSET_MIX(gids[i]);
    }
#undef SUBSET_MIX
    return h;
}

/* The font files of the cache's keys, kept for the process.  Round 26: no
 * longer the HarfBuzz faces' names -- an archived document's programs come
 * from pdf-ttsub.c, and no face may exist (the cache never hit then). */
static char *subset_keys[SUBSET_FACES];
static int subset_nkeys;

/* file's key (one pointer per file name), NULL when unknown and !make (or
 * the table is full) */
static const char *subset_file_key(const char *file, bool make)
{
    const char *k = NULL;
    pthread_mutex_lock(&subset_lock);
    for (int i = 0; i < subset_nkeys && !k; i++)
        if (!strcmp(subset_keys[i], file))
            k = subset_keys[i];
    if (!k && make && subset_nkeys < SUBSET_FACES &&
        (subset_keys[subset_nkeys] = strdup(file)) != NULL)
        k = subset_keys[subset_nkeys++];
    pthread_mutex_unlock(&subset_lock);
    return k;
}

/* Under subset_lock: the entry for the key, or NULL. */
static subset_entry *subset_find(uint64_t h, const char *fk, int level, const uint32_t *codes,
                                 const uint32_t *gids, size_t n)
{
    for (subset_entry *e = subset_bucket[h & (SUBSET_BUCKETS - 1)]; e; e = e->next)
        if (e->hash == h && e->file == fk && e->level == level && e->n == n &&
            !memcmp(e->codes, codes, n * sizeof *codes) &&
            !memcmp(e->gids, gids, n * sizeof *gids))
            return e;
    return NULL;
}

bool pdf_subset_deflated(const char *file, const uint32_t *gids, const uint32_t *codes,
                         size_t n, int level, unsigned char **z, size_t *zlen,
                         size_t *raw_len)
{
    return pdf_subset_deflated_renum(file, gids, codes, n, level, NULL, z, zlen, raw_len);
}

bool pdf_subset_deflated_renum(const char *file, const uint32_t *gids, const uint32_t *codes,
                               size_t n, int level, uint32_t *new_gids, unsigned char **z,
                               size_t *zlen, size_t *raw_len)
{
    *z = NULL;
    *zlen = *raw_len = 0;
    int key = new_gids ? -level : level;       /* renumbered subsets apart */
    const char *fk = subset_file_key(file, false);  /* NULL until a program is made */
    uint64_t h = subset_hash(file, key, codes, gids, n);
    if (fk) {
        pthread_mutex_lock(&subset_lock);
        subset_entry *e = subset_find(h, fk, key, codes, gids, n);
        if (e && (*z = malloc(e->zlen)) != NULL) {
            memcpy(*z, e->z, e->zlen);
            *zlen = e->zlen;
            *raw_len = e->raw_len;
            if (new_gids)
                memcpy(new_gids, e->new_gids, n * sizeof *new_gids);
        }
        pthread_mutex_unlock(&subset_lock);
        if (*z)
            return true;
    }
    unsigned char *prog = NULL;
    size_t plen = 0;
    if (!pdf_subset_font_renum(file, gids, n, codes, n, new_gids, &prog, &plen))
        return false;
    size_t cap = pdf_deflate_bound(plen);
    *z = malloc(cap);
    *zlen = *z ? pdf_deflate(level, prog, plen, *z, cap) : 0;
    free(prog);
    if (*zlen == 0) {
        free(*z);
        *z = NULL;
        return false;
    }
    *raw_len = plen;
    fk = subset_file_key(file, true);
    pthread_mutex_lock(&subset_lock);
    if (fk && subset_cached + *zlen <= SUBSET_CACHE_BYTES && !subset_find(h, fk, key, codes, gids, n)) {
        subset_entry *e = calloc(1, sizeof *e);
        uint32_t *keys = malloc(3 * n * sizeof *keys + 1);
        unsigned char *copy = malloc(*zlen);
        if (e && keys && copy) {
            memcpy(keys, codes, n * sizeof *keys);
            memcpy(keys + n, gids, n * sizeof *keys);
            if (new_gids)
                memcpy(keys + 2 * n, new_gids, n * sizeof *keys);
            memcpy(copy, *z, *zlen);
            *e = (subset_entry){.hash = h, .file = fk, .level = key, .n = n, .codes = keys,
                                .gids = keys + n, .new_gids = new_gids ? keys + 2 * n : NULL,
                                .z = copy, .zlen = *zlen, .raw_len = plen};
            e->next = subset_bucket[h & (SUBSET_BUCKETS - 1)];
            subset_bucket[h & (SUBSET_BUCKETS - 1)] = e;
            subset_cached += *zlen;
        } else {
            free(e);
            free(keys);
            free(copy);
        }
    }
    pthread_mutex_unlock(&subset_lock);
    return true;
}

__attribute__((destructor)) static void subset_cache_free(void)
{
    pthread_mutex_lock(&subset_lock);
    for (int b = 0; b < SUBSET_BUCKETS; b++)
        while (subset_bucket[b]) {
            subset_entry *e = subset_bucket[b];
            subset_bucket[b] = e->next;
            free(e->codes);
            free(e->z);
            free(e);
        }
    subset_cached = 0;
    for (int i = 0; i < subset_nkeys; i++)
        free(subset_keys[i]);
    subset_nkeys = 0;
    pthread_mutex_unlock(&subset_lock);
}

/* ---- round 27 (issue 11): small deflated streams kept by key --------------
 *
 * An archived document's CIDToGIDMap and ToUnicode CMap depend only on the
 * codes its font draws (and the subset's glyph numbers), like its font
 * program, and a third of the sets repeat an earlier document's.  Each is
 * a separate deflate call of 1-16 KB (~60-70 K instructions; two of each a
 * document), so the deflated bytes are kept under a key the caller gives
 * (the map's codes and glyphs, the CMap's own text): a repeated key is a
 * copy, not a deflate.  Deflate output depends only on its input and level,
 * so the bytes are the same whichever thread made the entry. */

#define ZKEEP_BYTES ((size_t)2 << 20)   /* keys and deflated bytes kept */
#define ZKEEP_BUCKETS 1024
#define ZKEEP_KEY_MAX 16384             /* longer keys are not kept */

typedef struct zkeep_entry {
    struct zkeep_entry *next;
    uint64_t hash;
    int level;
    size_t klen, zlen;
    unsigned char data[];            /* key, then the deflated bytes */
} zkeep_entry;

static pthread_mutex_t zkeep_lock = PTHREAD_MUTEX_INITIALIZER;
static zkeep_entry *zkeep_bucket[ZKEEP_BUCKETS];
static size_t zkeep_bytes;

static uint64_t zkeep_hash(const unsigned char *k, size_t n, int level)
{
    uint64_t h = 1469598103934665603ull ^ (uint64_t)(unsigned)level;
    size_t i = 0;
    for (; i + 8 <= n; i += 8) {     /* 8 bytes a step */
        uint64_t v;
        memcpy(&v, k + i, 8);
        h = (h ^ v) * 1099511628211ull;
        h ^= h >> 29;
    }
    for (; i < n; i++)
        h = (h ^ k[i]) * 1099511628211ull;
    return h ^ (uint64_t)n;
}

size_t pdf_deflate_keyed(const void *key, size_t klen, int level, const void *in, size_t n,
                         void *out, size_t cap)
{
    if (klen == 0 || klen > ZKEEP_KEY_MAX)
        return pdf_deflate(level, in, n, out, cap);
    uint64_t h = zkeep_hash(key, klen, level);
    size_t got = 0;
    pthread_mutex_lock(&zkeep_lock);
    for (zkeep_entry *e = zkeep_bucket[h & (ZKEEP_BUCKETS - 1)]; e; e = e->next)
        if (e->hash == h && e->level == level && e->klen == klen &&
            !memcmp(e->data, key, klen)) {
            if (e->zlen <= cap) {
                memcpy(out, e->data + klen, e->zlen);
                got = e->zlen;
            }
            break;
        }
    pthread_mutex_unlock(&zkeep_lock);
    if (got)
        return got;
    size_t zlen = pdf_deflate(level, in, n, out, cap);
    if (!zlen)
        return 0;
    size_t sz = sizeof(zkeep_entry) + klen + zlen;
    pthread_mutex_lock(&zkeep_lock);
    zkeep_entry *e = NULL;
    if (zkeep_bytes + sz <= ZKEEP_BYTES && (e = malloc(sz)) != NULL) {
        e->hash = h;
        e->level = level;
        e->klen = klen;
        e->zlen = zlen;
        memcpy(e->data, key, klen);
        memcpy(e->data + klen, out, zlen);
        e->next = zkeep_bucket[h & (ZKEEP_BUCKETS - 1)];
        zkeep_bucket[h & (ZKEEP_BUCKETS - 1)] = e;
        zkeep_bytes += sz;
    }
    pthread_mutex_unlock(&zkeep_lock);
    return zlen;
}

__attribute__((destructor)) static void zkeep_free(void)
{
    pthread_mutex_lock(&zkeep_lock);
    for (int b = 0; b < ZKEEP_BUCKETS; b++)
        while (zkeep_bucket[b]) {
            zkeep_entry *e = zkeep_bucket[b];
            zkeep_bucket[b] = e->next;
            free(e);
        }
    zkeep_bytes = 0;
    pthread_mutex_unlock(&zkeep_lock);
}
