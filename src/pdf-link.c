/* SPDX-License-Identifier: Apache-2.0 */
/*
 * pdf-link.c -- issue 13 part 4: link annotations in the archive's PDF/A
 * documents (pdf-link.h).  libharu builds the annotation and its URI
 * action; the Print flag is added to the annotation dictionary here.
 */
#include "pdf-link.h"

#include <hpdf_objects.h>

bool pdf_links_write(HPDF_Doc doc, uint32_t first_page, const folio_dl_statement *st,
                     const char **why)
{
    for (uint32_t i = 0; i < st->n_links; i++) {
        const folio_dl_link *l = &st->links[i];
        for (const char *c = l->uri; *c; c++)
            if (*c <= 0x20 || *c >= 0x7f || *c == '(' || *c == ')' || *c == '\\') {
                *why = "a link URI that is not plain printable ASCII";
                return false;
            }
        HPDF_Page page = HPDF_GetPageByIndex(doc, first_page + l->page);
        if (!page) {
            *why = "a link on a page the document does not have";
            return false;
        }
        float h = (float)st->page_h / 20.0f;
        HPDF_Rect r = {(float)l->x / 20.0f, h - (float)(l->y + l->h) / 20.0f,
                       (float)(l->x + l->w) / 20.0f, h - (float)l->y / 20.0f};
        HPDF_Annotation a = HPDF_Page_CreateURILinkAnnot(page, r, l->uri);
        if (!a || HPDF_LinkAnnot_SetBorderStyle(a, 0, 0, 0) != HPDF_OK ||
            HPDF_Dict_AddNumber((HPDF_Dict)a, "F", 4) != HPDF_OK) {
            *why = "libharu could not add a link annotation";
            return false;
        }
    }
    return true;
}
