/* SPDX-License-Identifier: Apache-2.0 */
/*
 * products.c -- export product codes -> layout product kinds
 * (folio/products.h).
 */
#include "folio/products.h"
#include "folio/job.h"
#include "folio/layout.h"
#include "yamltree.h"

#include <stdlib.h>
#include <string.h>

static bool oom(yt_doc *d)
{
    folio_error_set(d->err, FOLIO_EXIT_FAILED, "%s: out of memory", d->path);
    return false;
}

static folio_products *alloc_products(int n)
{
    folio_products *p = calloc(1, sizeof *p);
    if (!p)
        return NULL;
    size_t k = (size_t)n + 1;
    p->code = calloc(k, sizeof *p->code);
    p->kind = calloc(k, sizeof *p->kind);
    p->line = calloc(k, sizeof *p->line);
    p->col = calloc(k, sizeof *p->col);
    if (!p->code || !p->kind || !p->line || !p->col) {
        products_free(p);
        return NULL;
    }
    return p;
}

bool products_read(yt_doc *d, const yt_node *root, folio_products **out)
{
    *out = NULL;
    const yt_node *m = yt_child(d, root, "", "products", false);
    if (!m)
        return !d->err->code;
    if (!yt_expect_map(d, m, "products"))
        return false;
    folio_products *p = alloc_products(m->n);
    if (!p)
        return oom(d);
    *out = p;
    p->from_job = true;
    for (int i = 0; i < m->n; i++) {
        const yt_node *k = m->keys[i], *v = m->items[i];
        if (!*k->str)
            return yt_fail(d, k, "'products': an empty product code");
        for (int j = 0; j < i; j++)
            if (!strcmp(p->code[j], k->str))
                return yt_fail(d, k, "'products': code '%.60s' is mapped twice (first at "
                               "line %d)", k->str, p->line[j]);
        char name[96];
        snprintf(name, sizeof name, "products.%.60s", k->str);
        if (!(p->code[i] = strdup(k->str)))
            return oom(d);
        p->line[i] = k->line;
        p->col[i] = k->col;
        p->n = i + 1;
        if (!yt_node_str(d, v, name, &p->kind[i]))
            return false;
        if (!*p->kind[i])
            return yt_fail(d, v, "'%s' must name a product of the layout", name);
    }
    return true;
}

void products_free(folio_products *p)
{
    if (!p)
        return;
    for (int i = 0; i < p->n; i++) {
        free(p->code[i]);
        free(p->kind[i]);
    }
    free(p->code);
    free(p->kind);
    free(p->line);
    free(p->col);
    free(p);
}

const char *products_kind(const folio_products *p, const char *s, size_t n)
{
    for (int i = 0; p && i < p->n; i++)
        if (strlen(p->code[i]) == n && !memcmp(p->code[i], s, n))
            return p->kind[i];
    return NULL;
}

bool products_bind(folio_job *job, const folio_layout *layout, folio_error *err)
{
    folio_products *p = job->products;
    if (p) {
        for (int i = 0; i < p->n; i++)
            if (layout_product_find(layout, p->kind[i]) < 0) {
                char list[400];
                size_t ll = 0;
                list[0] = 0;
                for (int k = 0; k < layout->n_products; k++)
                    if (!folio_str_appendf(list, sizeof list, &ll, "%s%s", k ? ", " : "",
                                           layout->products[k].code))
                        break;
                folio_error_set(err, FOLIO_EXIT_USAGE,
                                "%s:%d:%d: 'products.%s' maps to '%s', which is not a product "
                                "of the layout %s (its products: %s)", job->path, p->line[i],
                                p->col[i], p->code[i], p->kind[i], layout->path, list);
                return false;
            }
    } else {
        p = alloc_products(layout->n_products);
        if (!p) {
            folio_error_set(err, FOLIO_EXIT_FAILED, "out of memory");
            return false;
        }
        job->products = p;
        for (int k = 0; k < layout->n_products; k++) {
            p->code[k] = strdup(layout->products[k].code);
            p->kind[k] = strdup(layout->products[k].code);
            p->n = k + 1;
            if (!p->code[k] || !p->kind[k]) {
                folio_error_set(err, FOLIO_EXIT_FAILED, "out of memory");
                return false;
            }
        }
    }
    for (int i = 0; i < job->n_feeds; i++) {
        folio_feed_def *f = &job->feeds[i];
        if (f->kind != FOLIO_FEED_ACCOUNTS)
            continue;
        f->products = p;
        if (f->product && *f->product && !f->columns[FOLIO_F_PRODUCT] &&
            !products_kind(p, f->product, strlen(f->product))) {
            folio_error_set(err, FOLIO_EXIT_USAGE,
                            "%s:%d: feed '%s': product '%s' is %s: every account of the feed "
                            "would be rejected (map it in the job's products:, e.g. "
                            "'products: {%s: checking}')", job->path, f->line, f->name,
                            f->product, p->from_job ? "not in the job's products: map"
                                                    : "not a product of the layout",
                            f->product);
            return false;
        }
    }
    return true;
}
