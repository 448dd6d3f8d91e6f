/* SPDX-License-Identifier: Apache-2.0 */
/*
 * offers-image.c -- issue 13 leftover: an offer's picture (docs/offers.md,
 * "Images in offers").
 *
 *   image:
 *     file: savings.png            # relative to the catalogue; or {en: a.png, es: b.png}
 *     width: 60                    # points: the picture's box, at the top right
 *     height: 60                   #   inside the offer box
 *     fit: contain                 # contain | cover | none (as layout images)
 *
 * The files are decoded once when the catalogue loads (image_load: a file
 * that cannot be read or decoded is a catalogue error at its line:col).
 * The offer's texts are set in the box's width less the picture's column,
 * and every size is measured with it (offers_box).  A statement gets the
 * picture of the language its offer text is printed in, else the default
 * language's.  The pictures also form a folio_graphics (offers_graphics),
 * so the AFP writer puts each in its resource group once per file, like the
 * layout's images.
 */
#include "offers-private.h"
#include "folio/graphics.h"
#include "folio/image.h"
#include "yamltree.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *const IMAGE_KEYS[] = { "file", "width", "height", "fit", NULL };
static const char *const FIT_NAMES[] = { "contain", "cover", "none", NULL };

static bool load_one(yt_doc *d, const yt_node *n, const char *name, const char *dir,
                     folio_image **out)
{
    char why[240];
    if (n->kind != YT_SCALAR || n->is_null || !n->str[0])
        return yt_fail(d, n, "'%s' must be an image file name", name);
    /* The whole path, however long: a cut path could name another file. */
    size_t k = strlen(dir) + strlen(n->str) + 2;
    char *path = malloc(k);
    if (!path) {
        folio_error_set(d->err, FOLIO_EXIT_FAILED, "%s: out of memory", d->path);
        return false;
    }
    if (n->str[0] == '/' || !dir[0])
        snprintf(path, k, "%s", n->str);
    else
        snprintf(path, k, "%s/%s", dir, n->str);
    *out = image_load(path, why, sizeof why);
    free(path);
    if (!*out)
        return yt_fail(d, n, "'%s': cannot use image '%s': %s", name, n->str, why);
    return true;
}

/* The picture per language under image.file (a name, or a map of languages). */
static bool read_files(yt_doc *d, const yt_node *f, const char *w, char *name,
                       size_t name_cap, const char *dir, const char *default_lang,
                       off_image *im)
{
    int cnt = f->kind == YT_MAP ? f->n : 1;
    if (cnt < 1)
        return yt_fail(d, f, "'%s.file' names no image", w);
    if (!(im->lang = calloc((size_t)cnt, sizeof *im->lang)) ||
        !(im->img = calloc((size_t)cnt, sizeof *im->img))) {
        folio_error_set(d->err, FOLIO_EXIT_FAILED, "%s: out of memory", d->path);
        return false;
    }
    bool has_default = false;
    for (int i = 0; i < cnt; i++) {
        const char *lang = f->kind == YT_MAP ? f->keys[i]->str : default_lang;
        const yt_node *v = f->kind == YT_MAP ? f->items[i] : f;
        size_t ll = strlen(lang);
        if (ll != 2 || lang[0] < 'a' || lang[0] > 'z' || lang[1] < 'a' || lang[1] > 'z')
            return yt_fail(d, f->kind == YT_MAP ? f->keys[i] : f, "'%s.file': '%s' is not "
                           "a two-letter language code", w, lang);
        snprintf(name, name_cap, "%s.file%s%s", w, f->kind == YT_MAP ? "." : "",
                 f->kind == YT_MAP ? lang : "");
        if (!(im->lang[i] = strdup(lang))) {
            folio_error_set(d->err, FOLIO_EXIT_FAILED, "%s: out of memory", d->path);
            return false;
        }
        im->n = i + 1;
        if (!load_one(d, v, name, dir, &im->img[i]))
            return false;
        has_default |= !strcmp(lang, default_lang);
    }
    if (!has_default)
        return yt_fail(d, f, "'%s.file' has no image in the default language '%s'", w,
                       default_lang);
    return true;
}

bool offers_image_read(yt_doc *d, const yt_node *offer, const char *where,
                       const char *default_lang, const char *catalogue, off_image *im)
{
    const yt_node *n = yt_get(offer, "image");
    if (!n)
        return true;
    char w[96], name[128];
    snprintf(w, sizeof w, "%s.image", where);
    if (!yt_expect_map(d, n, w) || !yt_check_keys(d, n, w, IMAGE_KEYS))
        return false;
    int64_t wd = 0, ht = 0;
    int fit = 0;
    if (yt_fixed(d, n, w, "width", true, 2, 100, 100000, &wd) < 0 ||
        yt_fixed(d, n, w, "height", true, 2, 100, 100000, &ht) < 0 ||
        yt_enum(d, n, w, "fit", false, FIT_NAMES, &fit) < 0)
        return false;
    im->w = (int32_t)((wd * 20 + 50) / 100);
    im->h = (int32_t)((ht * 20 + 50) / 100);
    im->fit = (uint8_t)fit;
    const yt_node *f = yt_get(n, "file");
    if (!f)
        return yt_fail(d, n, "'%s': missing required key 'file'", w);
    const char *slash = strrchr(catalogue, '/');
    char *dir = strndup(catalogue, slash ? (size_t)(slash - catalogue) : 0);
    if (!dir) {
        folio_error_set(d->err, FOLIO_EXIT_FAILED, "%s: out of memory", d->path);
        return false;
    }
    bool ok = read_files(d, f, w, name, sizeof name, dir, default_lang, im);
    free(dir);
    return ok;
}

void offers_image_free(off_image *im)
{
    for (int i = 0; i < im->n; i++) {
        free(im->lang[i]);
        image_free(im->img[i]);
    }
    free(im->lang);
    free(im->img);
    memset(im, 0, sizeof *im);
}

const folio_image *offers_image_for(const off_image *im, const char *lang,
                                    const char *default_lang)
{
    const folio_image *dflt = NULL;
    for (int i = 0; i < im->n; i++) {
        if (!strcmp(im->lang[i], lang))
            return im->img[i];
        if (!strcmp(im->lang[i], default_lang))
            dflt = im->img[i];
    }
    return dflt;
}

bool offers_image_draw(const off_image *im, const folio_image *img, folio_dl_statement *st,
                       uint32_t pg, int32_t bx, int32_t by)
{
    folio_layout_image e = {.x = bx, .y = by, .w = im->w, .h = im->h, .fit = im->fit};
    int32_t x, y, w, h;
    graphics_image_place(&e, img, &x, &y, &w, &h);
    return dlist_page_add_image(st, &st->pages[pg], img, x, y, w, h, bx, by, im->w, im->h);
}

bool offers_graphics_build(folio_offers *o)
{
    int n = 0;
    for (int i = 0; i < o->n; i++)
        n += o->v[i].image.n;
    if (!n)
        return true;
    folio_graphics *g = calloc(1, sizeof *g);
    folio_image **files = calloc((size_t)n, sizeof *files);
    folio_layout_image *el = calloc((size_t)n, sizeof *el);
    if (!g || !files || !el) {
        free(g);
        free(files);
        free(el);
        return false;
    }
    int k = 0;
    for (int i = 0; i < o->n; i++) {
        const off_image *im = &o->v[i].image;
        for (int j = 0; j < im->n; j++, k++) {
            files[k] = im->img[j];
            el[k] = (folio_layout_image){.file = &files[k], .w = im->w, .h = im->h,
                                         .fit = im->fit};
        }
    }
    g->images = files;            /* borrowed: the offers own the images */
    g->n_images = n;
    g->el = el;
    g->n_el = n;
    o->gfx = g;
    return true;
}

void offers_graphics_free(folio_offers *o)
{
    if (!o->gfx)
        return;
    free(o->gfx->images);
    free(o->gfx->el);
    free(o->gfx);
    o->gfx = NULL;
}

const folio_graphics *offers_graphics(const folio_offers *o)
{
    return o ? o->gfx : NULL;
}
