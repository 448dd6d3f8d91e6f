/* SPDX-License-Identifier: Apache-2.0 */
/*
 * links.c -- issue 13 part 4: URLs printed on a statement become link areas
 * (folio/links.h).  Runs after compose drew everything (header, footer,
 * offers), so every printed URL is seen once, where it is printed.
 */
#include "folio/links.h"

#include "folio/fonts.h"
#include "folio/layout.h"

#include <string.h>

static bool starts(const char *t, size_t n, const char *p)
{
    size_t k = strlen(p);
    if (n < k)
        return false;
    for (size_t i = 0; i < k; i++)
        if ((t[i] | (t[i] >= 'A' && t[i] <= 'Z' ? 0x20 : 0)) != p[i])
            return false;
    return true;
}

bool links_find(const char *t, size_t n, size_t from, size_t *off, size_t *len, bool *www)
{
    for (size_t i = from; i < n; i++) {
        if (i > 0 && t[i - 1] != ' ' && t[i - 1] != '(' && t[i - 1] != '<')
            continue;
        bool w = starts(t + i, n - i, "www.");
        if (!w && !starts(t + i, n - i, "https://") && !starts(t + i, n - i, "http://"))
            continue;
        size_t e = i;
        while (e < n && t[e] != ' ' && (unsigned char)t[e] > 0x20 && (unsigned char)t[e] < 0x7f)
            e++;
        while (e > i && strchr(".,;:)]>", t[e - 1]))
            e--;
        size_t pre = w ? 4 : t[i + 4] == 's' || t[i + 4] == 'S' ? 8 : 7;
        if (e - i <= pre || !memchr(t + i + pre, '.', e - i - pre))
            continue;                      /* "www." alone, "https://x": no host */
        *off = i;
        *len = e - i;
        *www = w;
        return true;
    }
    return false;
}

bool links_collect(const folio_layout *L, folio_dl_statement *st)
{
    char uri[2048];
    for (uint32_t p = 0; p < st->n_pages; p++) {
        const folio_dl_page *pg = &st->pages[p];
        for (uint32_t i = 0; i < pg->n_ops; i++) {
            const folio_dl_op *op = &pg->ops[i];
            if (op->kind != FOLIO_DL_TEXT || op->font >= L->n_fonts)
                continue;
            const folio_font *f = L->fonts[op->font].metrics;
            size_t off, len, from = 0;
            bool www;
            while (links_find(op->text, op->len, from, &off, &len, &www)) {
                from = off + len;
                size_t k = www ? 8 : 0;
                if (k + len + 1 > sizeof uri)
                    continue;
                memcpy(uri, "https://", k);
                memcpy(uri + k, op->text + off, len);
                int32_t x = op->x + fonts_text_width(f, op->text, off, op->size);
                int32_t w = fonts_text_width(f, op->text + off, len, op->size);
                int32_t asc = (int32_t)((int64_t)fonts_ascent(f) * op->size / 1000);
                int32_t desc = (int32_t)((int64_t)fonts_descent(f) * op->size / 1000);
                if (!dlist_statement_add_link(st, p, x, op->y - asc, w, asc + desc, uri, k + len) ||
                    !dlist_struct_link(st, op->sn, st->n_links - 1))   /* issue 14 part 2 */
                    return false;
            }
        }
    }
    return true;
}

bool links_template_ok(const char *tpl, const char *const *names, int n, size_t *bad)
{
    for (const char *p = tpl; *p; p++) {
        if (*p != '{')
            continue;
        const char *e = strchr(p, '}');
        bool ok = false;
        for (int i = 0; e && i < n; i++)
            ok |= (size_t)(e - p - 1) == strlen(names[i]) &&
                  !memcmp(p + 1, names[i], (size_t)(e - p - 1));
        if (!ok) {
            *bad = (size_t)(p - tpl);
            return false;
        }
        p = e;
    }
    return true;
}

bool links_add_template(folio_dl_statement *st, uint32_t page, int32_t x, int32_t y,
                        int32_t w, int32_t h, const char *tpl, const char *const *names,
                        const char *const *values, int n)
{
    static const char hex[] = "0123456789ABCDEF";
    char uri[2048];
    size_t o = 0;
    for (const char *p = tpl; *p; p++) {
        const char *e = *p == '{' ? strchr(p, '}') : NULL;
        int k = -1;
        for (int i = 0; e && i < n; i++)
            if ((size_t)(e - p - 1) == strlen(names[i]) &&
                !memcmp(p + 1, names[i], (size_t)(e - p - 1)))
                k = i;
        if (k < 0) {
            if (o + 2 > sizeof uri)
                return false;
            uri[o++] = *p;
            continue;
        }
        for (const unsigned char *v = (const unsigned char *)(values[k] ? values[k] : ""); *v; v++) {
            if (o + 4 > sizeof uri)
                return false;
            if ((*v >= 'A' && *v <= 'Z') || (*v >= 'a' && *v <= 'z') || (*v >= '0' && *v <= '9') ||
                *v == '-' || *v == '.' || *v == '_' || *v == '~') {
                uri[o++] = (char)*v;
            } else {
                uri[o++] = '%';
                uri[o++] = hex[*v >> 4];
                uri[o++] = hex[*v & 15];
            }
        }
        p = e;
    }
    return dlist_statement_add_link(st, page, x, y, w, h, uri, o);
}
