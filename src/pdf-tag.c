/* SPDX-License-Identifier: Apache-2.0 */
/*
 * pdf-tag.c -- issue 14 part 2: the structure tree and marked content of the
 * archive's tagged PDF/A-2a documents (pdf-tag.h, docs/accessibility.md).
 *
 * Which element an op belongs to is the display list's (compose opens the
 * nodes); here only the PDF side:
 *   - an op's sequence is its node, except that RULE and BOX ops are always
 *     artifacts (decoration), IMAGE and PATH ops are artifacts unless their
 *     node is a Figure, and node 0 (the Document itself) means artifact;
 *   - a new sequence starts when that changes, so a table cell's text is one
 *     sequence, its stripe an artifact;
 *   - MCIDs count from 0 on every page; the ParentTree maps (page, MCID) to
 *     the element, and link annotations (StructParent after the pages) to
 *     their Link element;
 *   - elements with no content anywhere below them are dropped, except the
 *     cells of a row that is kept (tables stay regular: a TD with no /K);
 *   - an element's /K lists its own content (MCIDs, in page and content
 *     order, an MCR dictionary on pages other than its /Pg) and then its
 *     children in the order compose opened them: the logical reading order.
 */
#include "pdf-tag.h"

#include "pdf-compact.h"
#include "pdf-private.h"

#include <hpdf_objects.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *const SR_NAME[FOLIO_SR__COUNT] = {
    [FOLIO_SR_DOCUMENT] = "Document", [FOLIO_SR_SECT] = "Sect", [FOLIO_SR_H1] = "H1",
    [FOLIO_SR_H2] = "H2", [FOLIO_SR_H3] = "H3", [FOLIO_SR_P] = "P",
    [FOLIO_SR_TABLE] = "Table", [FOLIO_SR_TR] = "TR", [FOLIO_SR_TH] = "TH",
    [FOLIO_SR_TD] = "TD", [FOLIO_SR_L] = "L", [FOLIO_SR_LI] = "LI",
    [FOLIO_SR_LBODY] = "LBody", [FOLIO_SR_FIGURE] = "Figure", [FOLIO_SR_LINK] = "Link",
};

static const uint8_t SR_LEN[FOLIO_SR__COUNT] = {
    [FOLIO_SR_DOCUMENT] = 8, [FOLIO_SR_SECT] = 4, [FOLIO_SR_H1] = 2, [FOLIO_SR_H2] = 2,
    [FOLIO_SR_H3] = 2, [FOLIO_SR_P] = 1, [FOLIO_SR_TABLE] = 5, [FOLIO_SR_TR] = 2,
    [FOLIO_SR_TH] = 2, [FOLIO_SR_TD] = 2, [FOLIO_SR_L] = 1, [FOLIO_SR_LI] = 2,
    [FOLIO_SR_LBODY] = 5, [FOLIO_SR_FIGURE] = 6, [FOLIO_SR_LINK] = 4,
};

typedef struct tag_node {
    uint32_t parent;
    uint8_t role, scope;
    char *alt;
    int32_t link;
} tag_node;

typedef struct tag_mc {          /* one marked-content sequence with an MCID */
    uint32_t page, mcid, node;
} tag_mc;

typedef struct tag_fin {         /* what pdf_tag_finish found, per node */
    bool *keep;                  /* written */
    uint32_t *first_pg;          /* its /Pg (UINT32_MAX: none) */
    uint32_t *nmc, *mcl;         /* own MCs: mcl[nmc[i] .. nmc[i+1]) index mc */
    uint32_t *nkid, *kidl;       /* kept children: kidl[nkid[i] .. nkid[i+1]) */
    unsigned *page_id;           /* libharu object numbers of the pages */
    uint32_t *link_el;           /* ParentTree key pages+k -> Link node */
    unsigned *annot_id;          /* Link node -> its annotation's object number */
    uint32_t *num;               /* node -> place among the written elements */
    bool *inl;                   /* r-arch3 (issue 14): an empty cell, written inside its row */
    uint32_t n_kept, annot_key;
} tag_fin;

struct pdf_tag {
    tag_node *nodes;
    uint32_t n_nodes;
    bool have;                   /* a statement was given */
    uint32_t n_links;
    uint32_t *link_page;         /* page of each link */
    tag_mc *mc;
    size_t n_mc, cap_mc;
    uint32_t page, next_mcid;    /* the page being formatted */
    int64_t cur;                 /* open sequence: -1 none, -2 artifact, else node */
    uint32_t n_pages;
    uint32_t *top;               /* node -> its ancestor under the Document (0: none) */
    uint32_t *perm, *keys;       /* pdf_tag_order's */
    size_t cap_perm;
    tag_fin fin;                 /* pdf_tag_finish's, for pdf_tag_append */
    const char *lang;
    unsigned catalog_id;
    bool finished;
};

pdf_tag *pdf_tag_new(void)
{
    pdf_tag *t = calloc(1, sizeof *t);
    if (t) {
        t->cur = -1;
        t->page = UINT32_MAX;
    }
    return t;
}

void pdf_tag_free(pdf_tag *t)
{
    if (!t)
        return;
    for (uint32_t i = 0; i < t->n_nodes; i++)
        free(t->nodes[i].alt);
    free(t->nodes);
    free(t->link_page);
    free(t->mc);
    free(t->top);
    free(t->perm);
    free(t->keys);
    free(t->fin.keep);
    free(t->fin.first_pg);
    free(t->fin.nmc);
    free(t->fin.nkid);
    free(t->fin.mcl);
    free(t->fin.kidl);
    free(t->fin.page_id);
    free(t->fin.link_el);
    free(t->fin.annot_id);
    free(t->fin.num);
    free(t->fin.inl);
    free(t);
}

bool pdf_tag_statement(pdf_tag *t, const folio_dl_statement *st, const char **why)
{
    if (t->have) {
        *why = "a tagged document holds one statement";
        return false;
    }
    t->have = true;
    uint32_t n = st->n_snodes ? st->n_snodes : 1;
    t->nodes = calloc(n, sizeof *t->nodes);
    t->link_page = calloc(st->n_links + 1, sizeof *t->link_page);
    if (!t->nodes || !t->link_page) {
        *why = "out of memory";
        return false;
    }
    t->n_nodes = n;
    t->nodes[0] = (tag_node){.role = FOLIO_SR_DOCUMENT, .link = -1};
    for (uint32_t i = 1; i < st->n_snodes; i++) {
        const folio_dl_snode *s = &st->snodes[i];
        t->nodes[i] = (tag_node){.parent = s->parent < i ? s->parent : 0,
                                 .role = s->role < FOLIO_SR__COUNT ? s->role : FOLIO_SR_P,
                                 .scope = s->scope, .link = s->link};
        if (s->alt && !(t->nodes[i].alt = strdup(s->alt))) {
            *why = "out of memory";
            return false;
        }
    }
    if (!(t->top = calloc(n, sizeof *t->top))) {
        *why = "out of memory";
        return false;
    }
    for (uint32_t i = 1; i < n; i++)      /* parents come before children */
        t->top[i] = t->nodes[i].parent == 0 ? i : t->top[t->nodes[i].parent];
    t->n_links = st->n_links;
    for (uint32_t i = 0; i < st->n_links; i++)
        t->link_page[i] = st->links[i].page;
    t->n_pages = st->n_pages;
    return true;
}

const uint32_t *pdf_tag_order(pdf_tag *t, const folio_dl_page *pg)
{
    uint32_t n = pg->n_ops;
    if (n > t->cap_perm) {
        free(t->perm);
        free(t->keys);
        t->perm = malloc((size_t)n * sizeof *t->perm);
        t->keys = malloc((size_t)n * sizeof *t->keys);
        t->cap_perm = t->perm && t->keys ? n : 0;
        if (!t->cap_perm)
            return NULL;
    }
    uint32_t k = 0;
    bool sorted = true;
    for (uint32_t i = 0; i < n; i++) {
        uint32_t sn = pg->ops[i].sn < t->n_nodes ? pg->ops[i].sn : 0;
        if (sn)
            k = t->top[sn];
        if (i && k < t->keys[i - 1])
            sorted = false;
        t->keys[i] = k;
    }
    if (sorted)
        return NULL;
    /* stable: each distinct key in ascending order, its ops in list order
       (a page has a few top-level elements) */
    uint32_t done = 0, lo = 0;
    while (done < n) {
        uint32_t next = UINT32_MAX;
        for (uint32_t i = 0; i < n; i++)
            if (t->keys[i] >= lo && t->keys[i] < next)
                next = t->keys[i];
        for (uint32_t i = 0; i < n; i++)
            if (t->keys[i] == next)
                t->perm[done++] = i;
        lo = next + 1;
    }
    return t->perm;
}

/* The sequence an op belongs to: -2 artifact, else its node. */
static int64_t seq_of(const pdf_tag *t, const folio_dl_op *op)
{
    uint32_t sn = op->sn < t->n_nodes ? op->sn : 0;
    if (sn == 0 || op->kind == FOLIO_DL_RULE || op->kind == FOLIO_DL_BOX)
        return -2;
    if ((op->kind == FOLIO_DL_IMAGE || op->kind == FOLIO_DL_PATH) &&
        t->nodes[sn].role != FOLIO_SR_FIGURE)
        return -2;
    return sn;
}

/* Decimal digits of v at p; returns the end. */
static char *put_u(char *p, unsigned v)
{
    return pdf_put_dec_i(p, v);
}

/* r-tag6 (round 26): a string literal's bytes, its length known */
#define PUT_LIT(p, lit) ((char *)memcpy((p), (lit), sizeof(lit) - 1) + sizeof(lit) - 1)

/* a structure type's name */
static char *put_role(char *p, unsigned role)
{
    size_t n = SR_LEN[role];
    memcpy(p, SR_NAME[role], n);
    return p + n;
}

static char *put_s(char *p, const char *s)
{
    size_t n = strlen(s);
    memcpy(p, s, n);
    return p + n;
}

size_t pdf_tag_op(pdf_tag *t, uint32_t page, const folio_dl_op *op, char *out)
{
    if (op->kind == FOLIO_DL_TEXT && op->len == 0)
        return 0;                            /* draws nothing */
    if (page != t->page) {
        t->page = page;                      /* a new page: nothing open */
        t->next_mcid = 0;
        t->cur = -1;
    }
    int64_t want = seq_of(t, op);
    if (want == t->cur)
        return 0;
    size_t n = 0;
    if (t->cur != -1) {
        memcpy(out, "EMC\n", 4);
        n = 4;
    }
    t->cur = want;
    if (want == -2) {
        memcpy(out + n, "/Artifact BMC\n", 14);
        return n + 14;
    }
    if (t->n_mc == t->cap_mc) {
        size_t cap = t->cap_mc ? t->cap_mc * 2 : 256;
        tag_mc *m = realloc(t->mc, cap * sizeof *m);
        if (!m) {                            /* out of memory: an artifact */
            t->cur = -2;
            memcpy(out + n, "/Artifact BMC\n", 14);
            return n + 14;
        }
        t->mc = m;
        t->cap_mc = cap;
    }
    uint32_t mcid = t->next_mcid++;
    t->mc[t->n_mc++] = (tag_mc){page, mcid, (uint32_t)want};
    char *p = out + n;                       /* "/TD<</MCID 12>>BDC\n" (r-arch3: no */
    *p++ = '/';                              /* spaces where delimiters separate) */
    p = put_role(p, t->nodes[want].role);
    p = PUT_LIT(p, "<</MCID ");
    p = put_u(p, mcid);
    p = PUT_LIT(p, ">>BDC\n");
    return (size_t)(p - out);
}

bool pdf_tag_text_only(const pdf_tag *t)
{
    return t->cur >= 0 && t->nodes[t->cur].role != FOLIO_SR_FIGURE;
}

size_t pdf_tag_page_end(pdf_tag *t, char *out)
{
    bool open = t->cur != -1;
    t->cur = -1;
    t->page = UINT32_MAX;
    t->next_mcid = 0;
    if (!open)
        return 0;
    memcpy(out, "EMC\n", 4);
    return 4;
}

/* ---- the structure tree -------------------------------------------------- */

/* Elements are many (one per table cell) and small.  As libharu objects
 * each would cost ~70 bytes and an xref entry, tripling a document; so the
 * structure tree is written by pdf_tag_append after libharu has saved the
 * document: pdf_compact (pdf-compact.c) rewrites the file with the
 * StructTreeRoot, the ParentTree and every element in one deflated object
 * stream (ISO 32000-1 7.5.7) together with libharu's own dictionaries, the
 * catalog given /StructTreeRoot, and a cross-reference stream (7.5.8) --
 * allowed in PDF/A-2 (not in PDF/A-1).
 * pdf_tag_finish, before the save, does what lives in libharu's objects:
 * StructParents on pages, StructParent and Contents on link annotations,
 * /Tabs, and /MarkInfo, /Lang, /ViewerPreferences in the catalog. */

static bool lang_ok(const char *l)
{
    if (!l || !l[0] || strlen(l) > 35)
        return false;
    for (const char *c = l; *c; c++)
        if (!((*c >= 'a' && *c <= 'z') || (*c >= 'A' && *c <= 'Z') || (*c >= '0' && *c <= '9') ||
              *c == '-'))
            return false;
    return true;
}

/* UTF-8 s as a PDF text string in hex: UTF-16BE with a BOM (BMP only). */
static char *put_text_hex(char *q, const char *s, size_t max_chars)
{
    static const char hx[] = "0123456789ABCDEF";
    q = PUT_LIT(q, "<FEFF");
    const unsigned char *p = (const unsigned char *)s;
    size_t n = strlen(s), k = 0;
    for (size_t i = 0; i < n && k < max_chars; k++) {
        uint32_t cp = p[i];
        int extra = cp >= 0xF0 ? 3 : cp >= 0xE0 ? 2 : cp >= 0xC0 ? 1 : 0;
        if (extra == 0 && cp >= 0x80)
            cp = 0xFFFD;
        else
            cp &= (uint32_t)(0x7F >> extra);
        i++;
        for (int j = 0; j < extra && i < n; j++, i++)
            cp = cp << 6 | (p[i] & 0x3F);
        if (cp > 0xFFFF)
            cp = 0xFFFD;
        else if (cp < 0x20)
            cp = 0x20;
        *q++ = hx[cp >> 12];
        *q++ = hx[(cp >> 8) & 15];
        *q++ = hx[(cp >> 4) & 15];
        *q++ = hx[cp & 15];
    }
    *q++ = '>';
    return q;
}

#define OK(x) ((x) == HPDF_OK)

static unsigned obj_id(const void *o)
{
    return ((const HPDF_Obj_Header *)o)->obj_id & 0x00FFFFFFu;
}

bool pdf_tag_finish(pdf_tag *t, HPDF_Doc doc, uint32_t first_page, const char *lang,
                    const char **why)
{
    *why = "cannot write the structure tree";
    if (!t->have) {
        *why = "a tagged document without a statement";
        return false;
    }
    t->lang = lang_ok(lang) ? lang : NULL;
    uint32_t nn = t->n_nodes, np = t->n_pages;
    HPDF_MMgr mm = doc->mmgr;
    tag_fin *f = &t->fin;
    f->keep = calloc(nn, sizeof *f->keep);
    f->first_pg = calloc(nn, sizeof *f->first_pg);
    f->nmc = calloc((size_t)nn + 1, sizeof *f->nmc);
    f->nkid = calloc((size_t)nn + 1, sizeof *f->nkid);
    f->mcl = malloc((t->n_mc + 1) * sizeof *f->mcl);
    f->kidl = malloc((size_t)nn * sizeof *f->kidl);
    f->page_id = calloc((size_t)np + 1, sizeof *f->page_id);
    f->link_el = calloc((size_t)nn + 1, sizeof *f->link_el);
    f->annot_id = calloc((size_t)nn + 1, sizeof *f->annot_id);
    f->num = calloc((size_t)nn + 1, sizeof *f->num);
    f->inl = calloc((size_t)nn + 1, sizeof *f->inl);
    uint32_t *fill = calloc((size_t)nn + 1, sizeof *fill);
    bool ok = f->keep && f->first_pg && f->nmc && f->nkid && f->mcl && f->kidl && f->page_id &&
              f->link_el && f->annot_id && f->num && f->inl && fill;
    if (!ok)
        *why = "out of memory";
    HPDF_Page *pages = ok ? calloc((size_t)np + 1, sizeof *pages) : NULL;
    ok = ok && pages;
    for (uint32_t p = 0; ok && p < np; p++) {
        pages[p] = HPDF_GetPageByIndex(doc, first_page + p);
        ok = pages[p] != NULL;
        if (ok)
            f->page_id[p] = obj_id(pages[p]);
    }
    /* which elements are written */
    for (uint32_t i = 0; ok && i < nn; i++)
        f->first_pg[i] = UINT32_MAX;
    for (size_t i = 0; ok && i < t->n_mc; i++) {
        uint32_t n = t->mc[i].node;
        f->keep[n] = true;
        f->nmc[n + 1]++;
        if (f->first_pg[n] == UINT32_MAX)
            f->first_pg[n] = t->mc[i].page;
    }
    for (uint32_t i = 1; ok && i < nn; i++)
        if (t->nodes[i].role == FOLIO_SR_LINK && t->nodes[i].link >= 0 &&
            (uint32_t)t->nodes[i].link < t->n_links)
            f->keep[i] = true;
    for (uint32_t i = nn; ok && i-- > 1;)
        if (f->keep[i])
            f->keep[t->nodes[i].parent] = true;
    for (uint32_t i = 1; ok && i < nn; i++)   /* the cells of a kept row stay */
        if ((t->nodes[i].role == FOLIO_SR_TD || t->nodes[i].role == FOLIO_SR_TH) &&
            f->keep[t->nodes[i].parent])
            f->keep[i] = true;
    if (ok)
        f->keep[0] = true;
    /* CSR lists: own MCs in content order, kept children in creation order;
       num[i]: the element's place in the object stream */
    /* r-arch3 (issue 14 part 2 cost): a table cell with no content and no
       kept children (an empty TD/TH of a kept row) is not in the ParentTree,
       so nothing refers to it indirectly: it is written as a direct
       dictionary in its row's /K (ISO 32000-1 14.7.2, Table 323: /K holds
       structure element dictionaries; only /P must be an indirect
       reference), saving an object stream entry and its reference */
    for (uint32_t i = 1; ok && i < nn; i++)
        if (f->keep[i] && t->nodes[i].parent)
            fill[t->nodes[i].parent] = 1;       /* has a kept child */
    for (uint32_t i = 1; ok && i < nn; i++)
        f->inl[i] = f->keep[i] && !fill[i] && f->nmc[i + 1] == 0 &&
                    (t->nodes[i].role == FOLIO_SR_TD || t->nodes[i].role == FOLIO_SR_TH) &&
                    t->nodes[t->nodes[i].parent].role == FOLIO_SR_TR;
    if (ok)
        memset(fill, 0, (size_t)(nn + 1) * sizeof *fill);
    uint32_t kept = 0;
    for (uint32_t i = 0; ok && i < nn; i++)
        if (f->keep[i]) {
            if (!f->inl[i])
                f->num[i] = kept++;
            if (i)
                f->nkid[t->nodes[i].parent + 1]++;
        }
    f->n_kept = kept;
    for (uint32_t i = 0; ok && i < nn; i++) {
        f->nmc[i + 1] += f->nmc[i];
        f->nkid[i + 1] += f->nkid[i];
    }
    for (size_t i = 0; ok && i < t->n_mc; i++) {
        uint32_t n = t->mc[i].node;
        f->mcl[f->nmc[n] + fill[n]++] = (uint32_t)i;
    }
    if (ok)
        memset(fill, 0, (size_t)(nn + 1) * sizeof *fill);
    for (uint32_t i = 1; ok && i < nn; i++)
        if (f->keep[i]) {
            uint32_t p = t->nodes[i].parent;
            f->kidl[f->nkid[p] + fill[p]++] = i;
        }
    /* the link annotations: StructParent (keys after the pages), Contents,
       the page's tab order */
    f->annot_key = np;
    for (uint32_t i = 1; ok && i < nn; i++) {
        const tag_node *n = &t->nodes[i];
        if (!f->keep[i] || n->role != FOLIO_SR_LINK)
            continue;
        uint32_t lp = t->link_page[n->link], nth = 0;
        for (int32_t j = 0; j < n->link; j++)
            nth += t->link_page[j] == lp;
        HPDF_Page page = lp < np ? pages[lp] : NULL;
        HPDF_Array an = page ? HPDF_Dict_GetItem(page, "Annots", HPDF_OCLASS_ARRAY) : NULL;
        HPDF_Dict a = an ? HPDF_Array_GetItem(an, nth, HPDF_OCLASS_DICT) : NULL;
        HPDF_Dict act = a ? HPDF_Dict_GetItem(a, "A", HPDF_OCLASS_DICT) : NULL;
        HPDF_String uri = act ? HPDF_Dict_GetItem(act, "URI", HPDF_OCLASS_STRING) : NULL;
        ok = a && OK(HPDF_Dict_AddNumber(a, "StructParent", (HPDF_INT32)f->annot_key)) &&
             OK(HPDF_Dict_Add(a, "Contents", HPDF_String_New(mm, uri ? (const char *)uri->value
                                                                      : "link", NULL)));
        if (ok && !HPDF_Dict_GetItem(page, "Tabs", HPDF_OCLASS_NAME))
            ok = OK(HPDF_Dict_AddName(page, "Tabs", "S"));
        if (ok) {
            f->link_el[f->annot_key - np] = i;
            f->annot_id[i] = obj_id(a);           /* for the OBJR in its body */
            f->first_pg[i] = lp;                  /* its /Pg */
        }
        f->annot_key++;
    }
    for (uint32_t p = 0; ok && p < np; p++)
        ok = OK(HPDF_Dict_AddNumber(pages[p], "StructParents", (HPDF_INT32)p));
    /* the catalog (its /StructTreeRoot comes with the update) */
    HPDF_Dict mark = ok ? HPDF_Dict_New(mm) : NULL;
    HPDF_Dict vp = ok ? HPDF_Dict_New(mm) : NULL;
    ok = ok && mark && vp && OK(HPDF_Dict_Add(mark, "Marked", HPDF_Boolean_New(mm, HPDF_TRUE))) &&
         OK(HPDF_Dict_Add(doc->catalog, "MarkInfo", mark)) &&
         OK(HPDF_Dict_Add(vp, "DisplayDocTitle", HPDF_Boolean_New(mm, HPDF_TRUE))) &&
         OK(HPDF_Dict_Add(doc->catalog, "ViewerPreferences", vp)) &&
         OK(HPDF_Dict_AddName(doc->catalog, "Version", "1.7"));   /* object streams */
    if (ok && t->lang)
        ok = OK(HPDF_Dict_Add(doc->catalog, "Lang", HPDF_String_New(mm, t->lang, NULL)));
    t->catalog_id = ok ? obj_id(doc->catalog) : 0;
    t->finished = ok;
    free(fill);
    free(pages);
    return ok;
}

/* Small pieces gathered on the stack, appended to b in chunks. */
typedef struct tag_emit {
    folio_buf *b;
    char tmp[4096];              /* r-tag5: no single need above 2,400 (a longer
                                    /Alt goes through a buffer of its own) */
    size_t n;
} tag_emit;

static void emit_flush(tag_emit *e)
{
    if (e->n)
        folio_buf_append(e->b, e->tmp, e->n);
    e->n = 0;
}

static char *emit_room(tag_emit *e, size_t need)
{
    if (e->n + need > sizeof e->tmp)
        emit_flush(e);
    return e->tmp + e->n;
}

static void emit_done(tag_emit *e, char *end)
{
    e->n = (size_t)(end - e->tmp);
}

static char *put_ref(char *q, unsigned id)
{
    q = put_u(q, id);
    memcpy(q, " 0 R", 4);
    return q + 4;
}

static char *put_scope(char *q, const tag_node *nd)
{
    return nd->scope == FOLIO_SCOPE_ROW ? PUT_LIT(q, "/A<</O/Table/Scope/Row>>")
                                        : PUT_LIT(q, "/A<</O/Table/Scope/Column>>");
}

/* r-arch3: a text string as a literal when s is printable ASCII (PDFDocEncoding
 * agrees; ( ) \ escaped), else UTF-16BE hex (put_text_hex): an /Alt of n
 * ASCII characters is ~n bytes instead of 4n + 6. */
static char *put_text(char *q, const char *s, size_t max_chars)
{
    size_t n = 0;
    for (const char *c = s; *c; c++, n++)
        if (*c < 0x20 || *c > 0x7E || n >= max_chars)
            return put_text_hex(q, s, max_chars);
    *q++ = '(';
    for (const char *c = s; *c; c++) {
        if (*c == '(' || *c == ')' || *c == '\\')
            *q++ = '\\';
        *q++ = *c;
    }
    *q++ = ')';
    return q;
}

bool pdf_tag_append(pdf_tag *t, folio_buf *out, size_t start, int level, pdf_cdoc *cd,
                    const char **why)
{
    *why = "cannot append the structure tree";
    if (!t->finished)
        return false;
    const tag_fin *f = &t->fin;
    unsigned size = cd ? pdf_cdoc_size(cd)      /* r-adoc: not saved by libharu */
                       : pdf_compact_size(out->data + start, out->len - start);
    if (!size)
        return false;
    /* numbers: StructTreeRoot = size, ParentTree = size + 1, elements
       size + 2 + num[i] (pdf_compact numbers its extra objects from size) */
    unsigned root = size, ptree = size + 1, el0 = size + 2;
    unsigned n_obj = 2 + f->n_kept;
    uint32_t nn = t->n_nodes, np = t->n_pages;

    /* the objects of the stream, one after another; offs[k] where each starts */
    folio_buf body;
    folio_buf_init(&body, (size_t)1 << 30);
    {   /* r-arch: ~40 bytes an element, ~8 a ParentTree entry: one allocation */
        size_t guess = (size_t)f->n_kept * 64 + t->n_mc * 12 + 4096;
        if ((body.data = malloc(guess)) != NULL) {
            body.cap = guess;
            body.data[0] = 0;
        }
    }
    size_t *offs = calloc((size_t)n_obj + 1, sizeof *offs);
    if (!offs) {
        folio_buf_free(&body);
        *why = "out of memory";
        return false;
    }
    tag_emit e;                        /* r-tag5: tmp not cleared (12 KB) */
    e.b = &body;
    e.n = 0;
    char *q = emit_room(&e, 256);
    offs[0] = 0;
    q = PUT_LIT(q, "<</Type/StructTreeRoot/K ");
    q = put_ref(q, el0 + f->num[0]);
    q = PUT_LIT(q, "/ParentTree ");
    q = put_ref(q, ptree);
    q = PUT_LIT(q, "/ParentTreeNextKey ");
    q = put_u(q, f->annot_key);
    q = PUT_LIT(q, ">>\n");
    emit_done(&e, q);
    emit_flush(&e);
    offs[1] = body.len;               /* the ParentTree: (page, MCID) -> element */
    folio_buf_puts(&body, "<</Nums[");
    size_t mi = 0;
    for (uint32_t p = 0; p < np; p++) {
        q = emit_room(&e, 32);
        if (p)
            *q++ = ' ';
        q = put_u(q, p);
        *q++ = '[';
        emit_done(&e, q);
        for (uint32_t c = 0; mi < t->n_mc && t->mc[mi].page == p; mi++, c++) {
            q = emit_room(&e, 32);
            if (c)
                *q++ = ' ';
            q = put_ref(q, el0 + f->num[t->mc[mi].node]);
            emit_done(&e, q);
        }
        q = emit_room(&e, 2);
        *q++ = ']';
        emit_done(&e, q);
    }
    for (uint32_t k = np; k < f->annot_key; k++) {
        q = emit_room(&e, 48);
        *q++ = ' ';
        q = put_u(q, k);
        *q++ = ' ';
        q = put_ref(q, el0 + f->num[f->link_el[k - np]]);
        emit_done(&e, q);
    }
    q = emit_room(&e, 8);
    q = PUT_LIT(q, "]>>\n");
    emit_done(&e, q);
    emit_flush(&e);
    bool ok = mi == t->n_mc;
    for (uint32_t i = 0; ok && i < nn; i++) {   /* the elements, in num order */
        if (!f->keep[i] || f->inl[i])
            continue;
        const tag_node *nd = &t->nodes[i];
        offs[2 + f->num[i]] = body.len + e.n;   /* r-tag5: no flush per element */
        size_t alt = nd->role == FOLIO_SR_FIGURE && nd->alt ? strlen(nd->alt) : 0;
        if (alt > 2000)
            alt = 2000;
        bool long_alt = alt * 4 + 16 > 2048;   /* r-tag5: it would overrun tmp */
        q = emit_room(&e, 256 + (long_alt ? 0 : alt * 4));
        q = PUT_LIT(q, "<</S/");
        q = put_role(q, nd->role);
        q = PUT_LIT(q, "/P ");
        q = put_ref(q, i ? el0 + f->num[nd->parent] : root);
        if (f->first_pg[i] != UINT32_MAX) {
            q = PUT_LIT(q, "/Pg ");
            q = put_ref(q, f->page_id[f->first_pg[i]]);
        }
        if (nd->role == FOLIO_SR_TH)
            q = put_scope(q, nd);
        if (nd->role == FOLIO_SR_FIGURE) {
            q = PUT_LIT(q, "/Alt");
            const char *at = nd->alt && nd->alt[0] ? nd->alt : "Figure";
            if (long_alt) {                     /* up to 8,006 bytes: its own buffer */
                emit_done(&e, q);
                emit_flush(&e);
                char *big = malloc(alt * 4 + 16);
                if (!big) {
                    ok = false;
                    *why = "out of memory";
                    break;
                }
                folio_buf_append(&body, big, (size_t)(put_text(big, at, 2000) - big));
                free(big);
                q = emit_room(&e, 256);
            } else {
                q = put_text(q, at, 2000);
            }
        }
        if (i == 0 && t->lang) {
            q = PUT_LIT(q, "/Lang(");
            q = put_s(q, t->lang);
            *q++ = ')';
        }
        uint32_t k_own = f->nmc[i + 1] - f->nmc[i], k_kids = f->nkid[i + 1] - f->nkid[i];
        bool objr = nd->role == FOLIO_SR_LINK;
        uint32_t k_n = k_own + k_kids + (objr ? 1 : 0);
        if (k_n) {
            q = PUT_LIT(q, "/K[");
            if (k_n == 1)
                q[-1] = ' ';                    /* "/K " */
        }
        emit_done(&e, q);
        /* r-tag8 (round 28): room for the whole /K at once when it is small
           (a cell: one MCID; a row: a few references) */
        bool one = (size_t)k_own * 64 + (size_t)k_kids * 96 + 96 <= 2048;
        if (one)
            q = emit_room(&e, (size_t)k_own * 64 + (size_t)k_kids * 96 + 96);
        for (uint32_t k = f->nmc[i]; k < f->nmc[i + 1]; k++) {
            const tag_mc *m = &t->mc[f->mcl[k]];
            if (!one)
                q = emit_room(&e, 64);
            if (k > f->nmc[i])
                *q++ = ' ';
            if (m->page == f->first_pg[i]) {
                q = put_u(q, m->mcid);
            } else {
                q = PUT_LIT(q, "<</Type/MCR/Pg ");
                q = put_ref(q, f->page_id[m->page]);
                q = PUT_LIT(q, "/MCID ");
                q = put_u(q, m->mcid);
                q = PUT_LIT(q, ">>");
            }
            if (!one)
                emit_done(&e, q);
        }
        for (uint32_t k = f->nkid[i]; k < f->nkid[i + 1]; k++) {
            uint32_t c = f->kidl[k];
            if (!one)
                q = emit_room(&e, 96);
            if (f->inl[c]) {                    /* an empty cell, direct */
                q = t->nodes[c].role == FOLIO_SR_TH ? PUT_LIT(q, "<</S/TH/P ")
                                                    : PUT_LIT(q, "<</S/TD/P ");
                q = put_ref(q, el0 + f->num[i]);
                if (t->nodes[c].role == FOLIO_SR_TH)
                    q = put_scope(q, &t->nodes[c]);
                q = PUT_LIT(q, ">>");
            } else {
                if (k > f->nkid[i] || k_own)
                    *q++ = ' ';
                q = put_ref(q, el0 + f->num[c]);
            }
            if (!one)
                emit_done(&e, q);
        }
        if (!one)
            q = emit_room(&e, 96);
        if (objr) {
            q = PUT_LIT(q, "<</Type/OBJR/Obj ");
            q = put_ref(q, f->annot_id[i]);
            q = PUT_LIT(q, "/Pg ");
            q = put_ref(q, f->page_id[f->first_pg[i]]);
            q = PUT_LIT(q, ">>");
        }
        if (k_n > 1)
            *q++ = ']';
        q = PUT_LIT(q, ">>");    /* r-arch3: no separator; the offsets delimit objects */
        emit_done(&e, q);
    }
    emit_flush(&e);
    offs[n_obj] = body.len;
    /* the whole document rewritten: libharu's objects and these in one
       object stream, a cross-reference stream (pdf-compact.c; issue 11) */
    char cat_add[48];
    snprintf(cat_add, sizeof cat_add, "/StructTreeRoot %u 0 R", root);
    ok = ok && !body.failed &&
         (cd ? pdf_cdoc_finish(cd, out, cat_add, n_obj, body.data, offs,
                               level >= 1 && level <= 12 ? level : 1, why)
             : pdf_compact(out, start, cat_add, n_obj, body.data, offs,
                           level >= 1 && level <= 12 ? level : 1, why));
    free(offs);
    folio_buf_free(&body);
    return ok;
}

/* r-arch (issue 11/14 archive size): the tagged document's XMP is one
 * rdf:Description (pdf.c); these are its PDF/UA namespaces and properties. */
void pdf_tag_xmp_ns(folio_buf *b)
{
    folio_buf_puts(b, " xmlns:pdfuaid=\"http://www.aiim.org/pdfua/ns/id/\""
                      " xmlns:pdfaExtension=\"http://www.aiim.org/pdfa/ns/extension/\""
                      " xmlns:pdfaSchema=\"http://www.aiim.org/pdfa/ns/schema#\""
                      " xmlns:pdfaProperty=\"http://www.aiim.org/pdfa/ns/property#\"");
}

void pdf_tag_xmp(folio_buf *b)
{
    folio_buf_puts(
        b,
        "<pdfuaid:part>1</pdfuaid:part>\n"
        "<pdfaExtension:schemas><rdf:Bag><rdf:li rdf:parseType=\"Resource\">\n"
        "<pdfaSchema:schema>PDF/UA Universal Accessibility Schema</pdfaSchema:schema>\n"
        "<pdfaSchema:namespaceURI>http://www.aiim.org/pdfua/ns/id/</pdfaSchema:namespaceURI>\n"
        "<pdfaSchema:prefix>pdfuaid</pdfaSchema:prefix>\n"
        "<pdfaSchema:property><rdf:Seq><rdf:li rdf:parseType=\"Resource\">\n"
        "<pdfaProperty:name>part</pdfaProperty:name>\n"
        "<pdfaProperty:valueType>Integer</pdfaProperty:valueType>\n"
        "<pdfaProperty:category>internal</pdfaProperty:category>\n"
        "<pdfaProperty:description>Part of ISO 14289 the file conforms to"
        "</pdfaProperty:description>\n"
        "</rdf:li></rdf:Seq></pdfaSchema:property>\n"
        "</rdf:li></rdf:Bag></pdfaExtension:schemas>\n");
}
