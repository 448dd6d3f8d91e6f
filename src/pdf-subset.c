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

/* The preprocessed face of `file` (kept for the process), or NULL. */
static hb_face_t *subset_face_of(const char *file)
{
    hb_face_t *face = NULL;
    pthread_mutex_lock(&subset_lock);
    for (int i = 0; i < subset_n && !face; i++)
        if (!strcmp(subset_faces[i].file, file))
            face = subset_faces[i].face;
    if (!face && subset_n < SUBSET_FACES) {
        hb_blob_t *blob = hb_blob_create_from_file_or_fail(file);
        hb_face_t *raw = blob ? hb_face_create(blob, 0) : NULL;
        hb_blob_destroy(blob);
        if (raw && hb_face_get_glyph_count(raw) > 0) {
            face = hb_subset_preprocess(raw);
            char *name = strdup(file);
            if (face && name && face != hb_face_get_empty()) {
                subset_faces[subset_n].file = name;
                subset_faces[subset_n].face = face;
                subset_n++;
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

bool pdf_subset_font(const char *file, const uint32_t *gids, size_t n_gids,
                     const uint32_t *codes, size_t n_codes, unsigned char **out,
                     size_t *out_len)
{
    *out = NULL;
    *out_len = 0;
    hb_face_t *face = subset_face_of(file);
    if (!face)
        return false;
    hb_subset_input_t *in = hb_subset_input_create_or_fail();
    if (!in)
        return false;
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
    hb_subset_input_set_flags(in, HB_SUBSET_FLAGS_NO_HINTING | HB_SUBSET_FLAGS_RETAIN_GIDS |
                                      HB_SUBSET_FLAGS_NOTDEF_OUTLINE);
    hb_face_t *sub = hb_subset_or_fail(face, in);
    hb_subset_input_destroy(in);
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
