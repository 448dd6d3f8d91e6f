/* SPDX-License-Identifier: Apache-2.0 */
/*
 * dlist-blob.c -- issue 11 part 2 (r-once): a statement as one flat block
 * (dlist-blob.h).
 *
 * Layout: the statement struct, its pages, every page's free rectangles,
 * its tags and links as they are in memory (8-aligned; pointers in them
 * are ignored), then one byte stream: every page's ops, the strings (tag
 * names and values, link URIs: a varint of length + 1, 0 for NULL, then
 * the bytes and a NUL), the structure nodes (role, scope, the distance to
 * the parent, link, alternate text), id and language.
 * An op is its kind, a 16-bit mask of the fields that are not 0 and those
 * fields as varints (signed ones zigzagged; y and sn as the difference
 * from the op before), then its text (TEXT), its segments (PATH) or its
 * image pointer (IMAGE).  A sample statement's ops are 64 bytes each in
 * memory and ~14 bytes plus the text here.
 */
#include "dlist-blob.h"

#include <stdint.h>
#include <string.h>

#define AL8(x) (((x) + 7) & ~(size_t)7)

enum { M_FONT = 1, M_FLAGS = 2, M_SIZE = 4, M_X = 8, M_Y = 16, M_X2 = 32, M_Y2 = 64,
       M_W = 128, M_H = 256, M_COLOR = 512, M_STROKE = 1024, M_LINE_W = 2048,
       M_LEN = 4096, M_SN = 8192 };

static inline uint64_t zz(int64_t v) { return ((uint64_t)v << 1) ^ (uint64_t)(v >> 63); }
static inline int64_t unzz(uint64_t u) { return (int64_t)(u >> 1) ^ -(int64_t)(u & 1); }

static inline unsigned char *put_var(unsigned char *p, uint64_t v)
{
    while (v >= 0x80) {
        *p++ = (unsigned char)(v | 0x80);
        v >>= 7;
    }
    *p++ = (unsigned char)v;
    return p;
}

static unsigned char *put_str(unsigned char *p, const char *s)
{
    if (!s)
        return put_var(p, 0);
    size_t n = strlen(s);
    p = put_var(p, (uint64_t)n + 1);
    memcpy(p, s, n + 1);
    return p + n + 1;
}

static size_t str_bound(const char *s)
{
    return s ? strlen(s) + 11 : 1;
}

/* the fixed part: struct, pages, free rectangles, tags, links, nodes */
static size_t fixed_size(const folio_dl_statement *st)
{
    size_t n = AL8(sizeof *st) + AL8((size_t)st->n_pages * sizeof *st->pages);
    for (uint32_t i = 0; i < st->n_pages; i++)
        n += AL8((size_t)st->pages[i].n_free * sizeof(folio_dl_rect));
    n += AL8((size_t)st->n_tags * sizeof *st->tags) +
         AL8((size_t)st->n_links * sizeof *st->links);
    return n;
}

#define SEG_BYTES 25                  /* kind and six int32: no padding bytes */
#define OP_MAX (1 + 2 + 1 + 13 * 10 + 8)   /* kind, mask, font, varints, image */

size_t dlist_blob_bound(const folio_dl_statement *st)
{
    size_t n = fixed_size(st);
    for (uint32_t i = 0; i < st->n_pages; i++) {
        const folio_dl_page *pg = &st->pages[i];
        for (uint32_t k = 0; k < pg->n_ops; k++) {
            const folio_dl_op *op = &pg->ops[k];
            n += OP_MAX;
            if (op->kind == FOLIO_DL_TEXT)
                n += op->len;
            else if (op->kind == FOLIO_DL_PATH && op->path)
                n += 10 + (size_t)op->path->n * SEG_BYTES;
        }
    }
    for (uint32_t i = 0; i < st->n_tags; i++)
        n += str_bound(st->tags[i].name) + str_bound(st->tags[i].value);
    for (uint32_t i = 0; i < st->n_links; i++)
        n += str_bound(st->links[i].uri);
    for (uint32_t i = 0; i < st->n_snodes; i++)
        n += str_bound(st->snodes[i].alt) + 2 + 2 * 10;
    return n + str_bound(st->id) + str_bound(st->lang) + 8;
}

static char *put_raw(char *p, const void *src, size_t n)
{
    if (n)
        memcpy(p, src, n);
    memset(p + n, 0, AL8(n) - n);       /* no stray bytes in the work file */
    return p + AL8(n);
}

size_t dlist_blob_encode(const folio_dl_statement *st, void *dst)
{
    char *b = dst, *p = b;
    p = put_raw(p, st, sizeof *st);
    p = put_raw(p, st->pages, (size_t)st->n_pages * sizeof *st->pages);
    for (uint32_t i = 0; i < st->n_pages; i++)
        p = put_raw(p, st->pages[i].free_rects, (size_t)st->pages[i].n_free * sizeof(folio_dl_rect));
    p = put_raw(p, st->tags, (size_t)st->n_tags * sizeof *st->tags);
    for (uint32_t i = 0; i < st->n_links; i++) {   /* field by field: no padding bytes */
        folio_dl_link l;
        memset(&l, 0, sizeof l);
        l.page = st->links[i].page;
        l.x = st->links[i].x;
        l.y = st->links[i].y;
        l.w = st->links[i].w;
        l.h = st->links[i].h;
        memcpy(p + (size_t)i * sizeof l, &l, sizeof l);
    }
    p += AL8((size_t)st->n_links * sizeof *st->links);
    unsigned char *q = (unsigned char *)p;
    int64_t py = 0, psn = 0;
    for (uint32_t i = 0; i < st->n_pages; i++) {
        const folio_dl_page *pg = &st->pages[i];
        for (uint32_t k = 0; k < pg->n_ops; k++) {
            const folio_dl_op *op = &pg->ops[k];
            int64_t dy = (int64_t)op->y - py, dsn = (int64_t)op->sn - psn;
            unsigned m = (op->font ? M_FONT : 0) | (op->flags ? M_FLAGS : 0) |
                         (op->size ? M_SIZE : 0) | (op->x ? M_X : 0) | (dy ? M_Y : 0) |
                         (op->x2 ? M_X2 : 0) | (op->y2 ? M_Y2 : 0) | (op->w ? M_W : 0) |
                         (op->h ? M_H : 0) | (op->color ? M_COLOR : 0) |
                         (op->stroke ? M_STROKE : 0) | (op->line_w ? M_LINE_W : 0) |
                         (op->len ? M_LEN : 0) | (dsn ? M_SN : 0);
            *q++ = op->kind;
            *q++ = (unsigned char)m;
            *q++ = (unsigned char)(m >> 8);
            if (m & M_FONT) *q++ = op->font;
            if (m & M_FLAGS) q = put_var(q, op->flags);
            if (m & M_SIZE) q = put_var(q, zz(op->size));
            if (m & M_X) q = put_var(q, zz(op->x));
            if (m & M_Y) q = put_var(q, zz(dy));
            if (m & M_X2) q = put_var(q, zz(op->x2));
            if (m & M_Y2) q = put_var(q, zz(op->y2));
            if (m & M_W) q = put_var(q, zz(op->w));
            if (m & M_H) q = put_var(q, zz(op->h));
            if (m & M_COLOR) q = put_var(q, op->color);
            if (m & M_STROKE) q = put_var(q, op->stroke);
            if (m & M_LINE_W) q = put_var(q, zz(op->line_w));
            if (m & M_LEN) q = put_var(q, op->len);
            if (m & M_SN) q = put_var(q, zz(dsn));
            py = op->y;
            psn = op->sn;
            if (op->kind == FOLIO_DL_TEXT) {
                if (op->len)
                    memcpy(q, op->text, op->len);
                q += op->len;
            } else if (op->kind == FOLIO_DL_PATH) {
                uint32_t n = op->path ? op->path->n : 0;
                q = put_var(q, op->path ? (uint64_t)n + 1 : 0);
                for (uint32_t j = 0; j < n; j++) {
                    const folio_dl_seg *g = &op->path->segs[j];
                    int32_t v[6] = {g->x, g->y, g->c1x, g->c1y, g->c2x, g->c2y};
                    *q++ = g->kind;
                    memcpy(q, v, sizeof v);
                    q += sizeof v;
                }
            } else if (op->kind == FOLIO_DL_IMAGE) {
                memcpy(q, &op->image, sizeof op->image);
                q += sizeof op->image;
            }
        }
    }
    for (uint32_t i = 0; i < st->n_tags; i++) {
        q = put_str(q, st->tags[i].name);
        q = put_str(q, st->tags[i].value);
    }
    for (uint32_t i = 0; i < st->n_links; i++)
        q = put_str(q, st->links[i].uri);
    for (uint32_t i = 0; i < st->n_snodes; i++) {   /* 24 bytes each in memory */
        const folio_dl_snode *sn = &st->snodes[i];
        *q++ = sn->role;
        *q++ = sn->scope;
        q = put_var(q, zz((int64_t)i - sn->parent));
        q = put_var(q, zz(sn->link));
        q = put_str(q, sn->alt);
    }
    q = put_str(q, st->id);
    q = put_str(q, st->lang);
    size_t n = (size_t)((char *)q - b);
    memset(q, 0, AL8(n) - n);
    return AL8(n);
}

/* ---- decoding -------------------------------------------------------------- */

typedef struct rd {
    const unsigned char *p, *end;
    bool bad;
} rd;

static uint64_t get_var(rd *r)
{
    uint64_t v = 0;
    if (r->bad)
        return 0;
    for (int s = 0; s < 64; s += 7) {
        if (r->p >= r->end) {
            r->bad = true;
            return 0;
        }
        unsigned char c = *r->p++;
        v |= (uint64_t)(c & 0x7f) << s;
        if (!(c & 0x80))
            return v;
    }
    r->bad = true;
    return 0;
}

static const void *get_bytes(rd *r, size_t n)
{
    if (r->bad || (size_t)(r->end - r->p) < n) {
        r->bad = true;
        return NULL;
    }
    const void *at = r->p;
    r->p += n;
    return at;
}

static const char *get_str(rd *r)
{
    uint64_t n = get_var(r);
    if (n == 0 || r->bad)
        return NULL;
    const char *s = get_bytes(r, (size_t)n);
    if (s && s[n - 1] != '\0')
        r->bad = true;
    return r->bad ? NULL : s;
}

/* the next raw array of n bytes of the fixed part */
static void *take_raw(char **p, const char *end, size_t n, bool *bad)
{
    if (*bad || (size_t)(end - *p) < AL8(n)) {
        *bad = true;
        return NULL;
    }
    void *at = n ? *p : NULL;
    *p += AL8(n);
    return at;
}

/* r-audit (round 24) finding A1: the indices a kept statement carries
 * (op kind and structure node, path segment kinds, a node's parent, role,
 * scope and link, a link's page, the current nodes) are checked against the
 * arrays read back: a damaged work file that still decodes is refused here
 * instead of indexing past snodes[], links[] or pages[] in the writers. */
static bool indices_ok(const folio_dl_statement *st)
{
    uint32_t ns = st->n_snodes;
    if ((st->sn_cur && st->sn_cur >= ns) || (st->sn_art && st->sn_art >= ns))
        return false;
    for (uint32_t i = 0; i < st->n_pages; i++)
        for (uint32_t k = 0; k < st->pages[i].n_ops; k++) {
            const folio_dl_op *op = &st->pages[i].ops[k];
            if (op->kind < FOLIO_DL_TEXT || op->kind > FOLIO_DL_PATH || (op->sn && op->sn >= ns))
                return false;
            if (op->kind == FOLIO_DL_TEXT && op->len && !op->text)
                return false;
            for (uint32_t j = 0; op->kind == FOLIO_DL_PATH && op->path && j < op->path->n; j++)
                if (op->path->segs[j].kind > FOLIO_SEG_CLOSE)
                    return false;
        }
    for (uint32_t i = 0; i < ns; i++) {
        const folio_dl_snode *sn = &st->snodes[i];
        if (sn->parent >= ns || sn->role >= FOLIO_SR__COUNT || sn->scope > FOLIO_SCOPE_ROW ||
            (sn->link != -1 && (sn->link < 0 || (uint32_t)sn->link >= st->n_links)))
            return false;
    }
    for (uint32_t i = 0; i < st->n_links; i++)
        if (st->links[i].page >= st->n_pages)
            return false;
    return true;
}

folio_dl_statement *dlist_blob_decode(void *blob, size_t len, struct folio_arena *arena)
{
    char *b = blob, *p = b, *end = b + len;
    bool bad = false;
    folio_dl_statement *st = take_raw(&p, end, sizeof *st, &bad);
    if (!st)
        return NULL;
    st->arena = arena;
    st->pages = take_raw(&p, end, (size_t)st->n_pages * sizeof *st->pages, &bad);
    st->cap_pages = st->n_pages;
    for (uint32_t i = 0; i < st->n_pages && !bad; i++) {
        folio_dl_page *pg = &st->pages[i];
        pg->free_rects = take_raw(&p, end, (size_t)pg->n_free * sizeof(folio_dl_rect), &bad);
        pg->cap_free = pg->n_free;
    }
    st->tags = take_raw(&p, end, (size_t)st->n_tags * sizeof *st->tags, &bad);
    st->cap_tags = st->n_tags;
    st->links = take_raw(&p, end, (size_t)st->n_links * sizeof *st->links, &bad);
    st->cap_links = st->n_links;
    st->snodes = NULL;
    st->cap_snodes = st->n_snodes;
    /* counts from a damaged block never size an allocation: every structure
     * node and op takes at least 3 bytes of what is left */
    if (bad || st->n_snodes > (size_t)(end - p) / 3)
        return NULL;
    if (st->n_snodes &&
        !(st->snodes = folio_arena_alloc(arena, (size_t)st->n_snodes * sizeof *st->snodes)))
        return NULL;
    rd r = {(const unsigned char *)p, (const unsigned char *)end, false};
    int64_t py = 0, psn = 0;
    for (uint32_t i = 0; i < st->n_pages && !r.bad; i++) {
        folio_dl_page *pg = &st->pages[i];
        pg->cap_ops = pg->n_ops;
        pg->ops = NULL;
        if (!pg->n_ops)
            continue;
        if (pg->n_ops > (size_t)(r.end - r.p) / 3) {
            r.bad = true;
            break;
        }
        pg->ops = folio_arena_alloc(arena, (size_t)pg->n_ops * sizeof *pg->ops);
        if (!pg->ops)
            return NULL;
        for (uint32_t k = 0; k < pg->n_ops && !r.bad; k++) {
            folio_dl_op *op = &pg->ops[k];
            memset(op, 0, sizeof *op);
            const unsigned char *h = get_bytes(&r, 3);
            if (!h)
                break;
            op->kind = h[0];
            unsigned m = (unsigned)h[1] | (unsigned)h[2] << 8;
            if (m & M_FONT) {
                const unsigned char *f = get_bytes(&r, 1);
                op->font = f ? *f : 0;
            }
            if (m & M_FLAGS) op->flags = (uint16_t)get_var(&r);
            if (m & M_SIZE) op->size = (int32_t)unzz(get_var(&r));
            if (m & M_X) op->x = (int32_t)unzz(get_var(&r));
            op->y = (int32_t)(py + ((m & M_Y) ? unzz(get_var(&r)) : 0));
            if (m & M_X2) op->x2 = (int32_t)unzz(get_var(&r));
            if (m & M_Y2) op->y2 = (int32_t)unzz(get_var(&r));
            if (m & M_W) op->w = (int32_t)unzz(get_var(&r));
            if (m & M_H) op->h = (int32_t)unzz(get_var(&r));
            if (m & M_COLOR) op->color = (uint32_t)get_var(&r);
            if (m & M_STROKE) op->stroke = (uint32_t)get_var(&r);
            if (m & M_LINE_W) op->line_w = (int32_t)unzz(get_var(&r));
            if (m & M_LEN) op->len = (uint32_t)get_var(&r);
            op->sn = (uint32_t)(psn + ((m & M_SN) ? unzz(get_var(&r)) : 0));
            py = op->y;
            psn = op->sn;
            if (op->kind == FOLIO_DL_TEXT) {
                op->text = op->len ? get_bytes(&r, op->len) : "";
            } else if (op->kind == FOLIO_DL_PATH) {
                uint64_t n1 = get_var(&r);
                if (n1 && !r.bad) {
                    if (n1 - 1 > (uint64_t)(r.end - r.p) / SEG_BYTES) {
                        r.bad = true;
                        break;
                    }
                    const unsigned char *src = get_bytes(&r, (size_t)(n1 - 1) * SEG_BYTES);
                    if (!src)
                        break;
                    folio_dl_path *pa = folio_arena_alloc(arena, sizeof *pa);
                    folio_dl_seg *sg =
                        n1 > 1 ? folio_arena_calloc(arena, (size_t)(n1 - 1) * sizeof *sg) : NULL;
                    if (!pa || (n1 > 1 && !sg))
                        return NULL;
                    for (uint64_t j = 0; j + 1 < n1; j++, src += SEG_BYTES) {
                        int32_t v[6];
                        memcpy(v, src + 1, sizeof v);
                        sg[j] = (folio_dl_seg){.kind = src[0], .x = v[0], .y = v[1],
                                               .c1x = v[2], .c1y = v[3], .c2x = v[4],
                                               .c2y = v[5]};
                    }
                    pa->n = (uint32_t)(n1 - 1);
                    pa->segs = sg;
                    op->path = pa;
                }
            } else if (op->kind == FOLIO_DL_IMAGE) {
                const void *ip = get_bytes(&r, sizeof op->image);
                if (ip)
                    memcpy(&op->image, ip, sizeof op->image);
            }
        }
    }
    for (uint32_t i = 0; i < st->n_tags && !r.bad; i++) {
        st->tags[i].name = get_str(&r);
        st->tags[i].value = get_str(&r);
    }
    for (uint32_t i = 0; i < st->n_links && !r.bad; i++)
        st->links[i].uri = get_str(&r);
    for (uint32_t i = 0; i < st->n_snodes && !r.bad; i++) {
        folio_dl_snode *sn = &st->snodes[i];
        const unsigned char *rs = get_bytes(&r, 2);
        if (!rs)
            break;
        sn->role = rs[0];
        sn->scope = rs[1];
        sn->parent = (uint32_t)((int64_t)i - unzz(get_var(&r)));
        sn->link = (int32_t)unzz(get_var(&r));
        sn->alt = get_str(&r);
    }
    st->id = get_str(&r);
    st->lang = get_str(&r);
    if (r.bad || !st->id || !indices_ok(st))   /* finding A1 */
        return NULL;
    return st;
}
