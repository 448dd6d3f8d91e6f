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

typedef struct tag_node {
    uint32_t parent;
    uint8_t role, scope;
    char *alt;
    int32_t link;
} tag_node;

typedef struct tag_mc {          /* one marked-content sequence with an MCID */
    uint32_t page, mcid, node;
} tag_mc;

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
    int k = snprintf(out + n, PDF_TAG_OPS_MAX - n, "/%s <</MCID %u>> BDC\n",
                     SR_NAME[t->nodes[want].role], mcid);
    return n + (size_t)k;
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

/* A PDF text string of UTF-8 s: ASCII as is, else UTF-16BE with a BOM. */
static HPDF_Obj_Header *text_string(HPDF_Doc doc, const char *s)
{
    size_t n = strlen(s);
    bool ascii = true;
    for (size_t i = 0; i < n; i++)
        if ((unsigned char)s[i] >= 0x80 || (unsigned char)s[i] < 0x20)
            ascii = false;
    if (ascii)
        return (HPDF_Obj_Header *)HPDF_String_New(doc->mmgr, s, NULL);
    unsigned char *u = malloc(2 * n + 2);
    if (!u)
        return NULL;
    size_t k = 0;
    u[k++] = 0xFE;
    u[k++] = 0xFF;
    const unsigned char *p = (const unsigned char *)s;
    for (size_t i = 0; i < n;) {
        uint32_t cp = p[i];
        int extra = cp >= 0xF0 ? 3 : cp >= 0xE0 ? 2 : cp >= 0xC0 ? 1 : 0;
        cp &= (uint32_t)(0x3F >> extra);
        if (extra == 0)
            cp = p[i] < 0x80 ? p[i] : 0xFFFD;
        i++;
        for (int j = 0; j < extra && i < n; j++, i++)
            cp = cp << 6 | (p[i] & 0x3F);
        if (cp > 0xFFFF || cp < 0x20)
            cp = cp < 0x20 ? 0x20 : 0xFFFD;   /* BMP only: the fonts map nothing else */
        u[k++] = (unsigned char)(cp >> 8);
        u[k++] = (unsigned char)cp;
    }
    HPDF_Binary b = HPDF_Binary_New(doc->mmgr, u, (HPDF_UINT)k);
    free(u);
    return (HPDF_Obj_Header *)b;
}

#define OK(x) ((x) == HPDF_OK)

bool pdf_tag_finish(pdf_tag *t, HPDF_Doc doc, uint32_t first_page, const char *lang,
                    const char **why)
{
    *why = "cannot write the structure tree";
    if (!t->have) {
        *why = "a tagged document without a statement";
        return false;
    }
    uint32_t nn = t->n_nodes;
    bool *keep = calloc(nn, sizeof *keep);
    HPDF_Dict *el = calloc(nn, sizeof *el);
    uint32_t *first_pg = calloc(nn, sizeof *first_pg);
    uint32_t *per_page = calloc((size_t)t->n_pages + 1, sizeof *per_page);
    HPDF_Array *ptarr = calloc((size_t)t->n_pages + 1, sizeof *ptarr);
    bool ok = keep && el && first_pg && per_page && ptarr;
    if (!ok)
        *why = "out of memory";
    HPDF_MMgr mm = doc->mmgr;

    /* which elements are written */
    for (uint32_t i = 0; ok && i < nn; i++)
        first_pg[i] = UINT32_MAX;
    for (size_t i = 0; ok && i < t->n_mc; i++) {
        keep[t->mc[i].node] = true;
        if (first_pg[t->mc[i].node] == UINT32_MAX)
            first_pg[t->mc[i].node] = t->mc[i].page;
        if (t->mc[i].page < t->n_pages)
            per_page[t->mc[i].page]++;
    }
    for (uint32_t i = 1; ok && i < nn; i++)
        if (t->nodes[i].role == FOLIO_SR_LINK && t->nodes[i].link >= 0 &&
            (uint32_t)t->nodes[i].link < t->n_links)
            keep[i] = true;
    for (uint32_t i = nn; ok && i-- > 1;)
        if (keep[i])
            keep[t->nodes[i].parent] = true;
    for (uint32_t i = 1; ok && i < nn; i++)
        if ((t->nodes[i].role == FOLIO_SR_TD || t->nodes[i].role == FOLIO_SR_TH) &&
            keep[t->nodes[i].parent])
            keep[i] = true;
    if (ok)
        keep[0] = true;

    /* the root, then every element (indirect), then their /K */
    HPDF_Dict root = ok ? HPDF_Dict_New(mm) : NULL;
    ok = root && OK(HPDF_Xref_Add(doc->xref, root)) &&
         OK(HPDF_Dict_AddName(root, "Type", "StructTreeRoot"));
    for (uint32_t i = 0; ok && i < nn; i++) {
        if (!keep[i])
            continue;
        const tag_node *n = &t->nodes[i];
        el[i] = HPDF_Dict_New(mm);
        ok = el[i] && OK(HPDF_Xref_Add(doc->xref, el[i])) &&
             OK(HPDF_Dict_AddName(el[i], "Type", "StructElem")) &&
             OK(HPDF_Dict_AddName(el[i], "S", SR_NAME[n->role])) &&
             OK(HPDF_Dict_Add(el[i], "P", i ? el[n->parent] : root));
        uint32_t pg = first_pg[i];
        if (ok && pg == UINT32_MAX && n->role == FOLIO_SR_LINK)
            pg = t->link_page[n->link];
        if (ok && pg != UINT32_MAX) {
            HPDF_Page page = HPDF_GetPageByIndex(doc, first_page + pg);
            ok = page && OK(HPDF_Dict_Add(el[i], "Pg", page));
        }
        if (ok && n->role == FOLIO_SR_TH) {
            HPDF_Dict a = HPDF_Dict_New(mm);
            ok = a && OK(HPDF_Dict_AddName(a, "O", "Table")) &&
                 OK(HPDF_Dict_AddName(a, "Scope", n->scope == FOLIO_SCOPE_ROW ? "Row"
                                                                                : "Column")) &&
                 OK(HPDF_Dict_Add(el[i], "A", a));
        }
        if (ok && n->role == FOLIO_SR_FIGURE) {
            HPDF_Obj_Header *s = text_string(doc, n->alt && n->alt[0] ? n->alt : "Figure");
            ok = s && OK(HPDF_Dict_Add(el[i], "Alt", s));
        }
        if (ok && i == 0 && lang && lang[0])
            ok = OK(HPDF_Dict_Add(el[0], "Lang", HPDF_String_New(mm, lang, NULL)));
    }
    /* /K: own content, then the kept children in creation order */
    HPDF_Array *kids = ok ? calloc(nn, sizeof *kids) : NULL;
    ok = ok && kids;
    for (size_t i = 0; ok && i < t->n_mc; i++) {
        const tag_mc *m = &t->mc[i];
        HPDF_Array *k = &kids[m->node];
        if (!*k && (!(*k = HPDF_Array_New(mm)) || !OK(HPDF_Dict_Add(el[m->node], "K", *k)))) {
            ok = false;
            break;
        }
        if (m->page == first_pg[m->node]) {
            ok = OK(HPDF_Array_AddNumber(*k, (HPDF_INT32)m->mcid));
        } else {
            HPDF_Dict r = HPDF_Dict_New(mm);
            HPDF_Page page = HPDF_GetPageByIndex(doc, first_page + m->page);
            ok = r && page && OK(HPDF_Array_Add(*k, r)) &&
                 OK(HPDF_Dict_AddName(r, "Type", "MCR")) && OK(HPDF_Dict_Add(r, "Pg", page)) &&
                 OK(HPDF_Dict_AddNumber(r, "MCID", (HPDF_INT32)m->mcid));
        }
    }
    uint32_t annot_key = t->n_pages;          /* StructParent of annotations */
    uint32_t *links = ok ? calloc((size_t)nn + 1, sizeof *links) : NULL;
    ok = ok && links;
    uint32_t *annot_seen = ok ? calloc((size_t)t->n_pages + 1, sizeof *annot_seen) : NULL;
    ok = ok && annot_seen;
    for (uint32_t i = 1; ok && i < nn; i++) {
        if (!keep[i])
            continue;
        uint32_t p = t->nodes[i].parent;
        HPDF_Array *k = &kids[p];
        if (!*k && (!(*k = HPDF_Array_New(mm)) || !OK(HPDF_Dict_Add(el[p], "K", *k)))) {
            ok = false;
            break;
        }
        ok = OK(HPDF_Array_Add(*k, el[i]));
        const tag_node *n = &t->nodes[i];
        if (ok && n->role == FOLIO_SR_LINK && n->link >= 0 && (uint32_t)n->link < t->n_links) {
            /* the link's annotation: the k-th on its page (pdf-link.c adds
               them in link order) */
            uint32_t lp = t->link_page[n->link], nth = 0;
            for (int32_t j = 0; j < n->link; j++)
                nth += t->link_page[j] == lp;
            HPDF_Page page = HPDF_GetPageByIndex(doc, first_page + lp);
            HPDF_Array an = page ? HPDF_Dict_GetItem(page, "Annots", HPDF_OCLASS_ARRAY) : NULL;
            HPDF_Dict a = an ? HPDF_Array_GetItem(an, nth, HPDF_OCLASS_DICT) : NULL;
            HPDF_Dict objr = HPDF_Dict_New(mm);
            HPDF_Array lk = HPDF_Array_New(mm);
            ok = a && objr && lk && OK(HPDF_Dict_AddName(objr, "Type", "OBJR")) &&
                 OK(HPDF_Dict_Add(objr, "Obj", a)) && OK(HPDF_Dict_Add(objr, "Pg", page)) &&
                 OK(HPDF_Array_Add(lk, objr));
            ok = ok && OK(HPDF_Dict_Add(el[i], "K", lk));   /* a Link has no MCIDs */
            /* the annotation: its StructParent, its text (PDF/UA 7.18.5)
               and the page's tab order (7.18.3) */
            HPDF_Dict act = ok ? HPDF_Dict_GetItem(a, "A", HPDF_OCLASS_DICT) : NULL;
            HPDF_String uri = act ? HPDF_Dict_GetItem(act, "URI", HPDF_OCLASS_STRING) : NULL;
            ok = ok && OK(HPDF_Dict_AddNumber(a, "StructParent", (HPDF_INT32)annot_key)) &&
                 OK(HPDF_Dict_Add(a, "Contents",
                                  HPDF_String_New(mm, uri ? (const char *)uri->value
                                                          : "link", NULL))) &&
                 true;
            links[annot_key++ - t->n_pages] = i;
            if (ok && !annot_seen[lp]++)
                ok = OK(HPDF_Dict_AddName(page, "Tabs", "S"));
        }
    }
    /* the ParentTree: page i's MCIDs -> elements, keys 0..pages-1 first */
    HPDF_Array pnums = ok ? HPDF_Array_New(mm) : NULL;
    ok = ok && pnums;
    for (uint32_t p = 0; ok && p < t->n_pages; p++) {
        ptarr[p] = HPDF_Array_New(mm);
        HPDF_Page page = HPDF_GetPageByIndex(doc, first_page + p);
        ok = ptarr[p] && page && OK(HPDF_Array_AddNumber(pnums, (HPDF_INT32)p)) &&
             OK(HPDF_Array_Add(pnums, ptarr[p])) &&
             OK(HPDF_Dict_AddNumber(page, "StructParents", (HPDF_INT32)p));
    }
    for (size_t i = 0; ok && i < t->n_mc; i++)   /* MCIDs count up per page */
        ok = t->mc[i].page < t->n_pages &&
             OK(HPDF_Array_Add(ptarr[t->mc[i].page], el[t->mc[i].node]));
    for (uint32_t k = t->n_pages; ok && k < annot_key; k++)   /* then the links */
        ok = OK(HPDF_Array_AddNumber(pnums, (HPDF_INT32)k)) &&
             OK(HPDF_Array_Add(pnums, el[links[k - t->n_pages]]));
    HPDF_Dict ptree = ok ? HPDF_Dict_New(mm) : NULL;
    ok = ok && ptree && OK(HPDF_Xref_Add(doc->xref, ptree)) &&
         OK(HPDF_Dict_Add(ptree, "Nums", pnums)) && OK(HPDF_Dict_Add(root, "ParentTree", ptree)) &&
         OK(HPDF_Dict_AddNumber(root, "ParentTreeNextKey", (HPDF_INT32)annot_key)) &&
         OK(HPDF_Dict_Add(root, "K", el[0]));
    /* the catalog */
    HPDF_Dict mark = ok ? HPDF_Dict_New(mm) : NULL;
    HPDF_Dict vp = ok ? HPDF_Dict_New(mm) : NULL;
    ok = ok && mark && vp && OK(HPDF_Dict_Add(mark, "Marked", HPDF_Boolean_New(mm, HPDF_TRUE))) &&
         OK(HPDF_Dict_Add(doc->catalog, "MarkInfo", mark)) &&
         OK(HPDF_Dict_Add(vp, "DisplayDocTitle", HPDF_Boolean_New(mm, HPDF_TRUE))) &&
         OK(HPDF_Dict_Add(doc->catalog, "ViewerPreferences", vp)) &&
         OK(HPDF_Dict_Add(doc->catalog, "StructTreeRoot", root));
    if (ok && lang && lang[0])
        ok = OK(HPDF_Dict_Add(doc->catalog, "Lang", HPDF_String_New(mm, lang, NULL)));
    free(annot_seen);
    free(links);
    free(kids);
    free(keep);
    free(el);
    free(first_pg);
    free(per_page);
    free(ptarr);
    return ok;
}

void pdf_tag_xmp(folio_buf *b)
{
    folio_buf_puts(
        b,
        "<rdf:Description rdf:about=\"\" "
        "xmlns:pdfuaid=\"http://www.aiim.org/pdfua/ns/id/\">\n"
        "<pdfuaid:part>1</pdfuaid:part>\n"
        "</rdf:Description>\n"
        "<rdf:Description rdf:about=\"\" "
        "xmlns:pdfaExtension=\"http://www.aiim.org/pdfa/ns/extension/\" "
        "xmlns:pdfaSchema=\"http://www.aiim.org/pdfa/ns/schema#\" "
        "xmlns:pdfaProperty=\"http://www.aiim.org/pdfa/ns/property#\">\n"
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
        "</rdf:li></rdf:Bag></pdfaExtension:schemas>\n"
        "</rdf:Description>\n");
}
