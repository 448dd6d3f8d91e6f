/* SPDX-License-Identifier: Apache-2.0 */
/*
 * addressee.c -- the names of the address block (addressee.h).
 */
#include "addressee.h"

#include "folio/fonts.h"

#include <stdio.h>
#include <string.h>

static bool is_us(const char *cc)
{
    return !cc || !cc[0] || !strcmp(cc, "US") || !strcmp(cc, "USA");
}

int addressee_name_room(const folio_layout *L, const folio_customer *c)
{
    int maxl = L->address_max_lines > 0 ? L->address_max_lines : 6;
    if (maxl > 12)
        maxl = 12;
    int max_names = L->address_max_names > 0 ? L->address_max_names : 3;
    /* line 1, line 2 when given, city line, country outside the US */
    int n_addr = 1 + (c->address2 && c->address2[0]) + 1 + !is_us(c->country);
    int room = maxl - n_addr;
    if (room < 1)
        room = 1;
    return room < max_names ? room : max_names;
}

static const char *base_name(const char *path)
{
    const char *s = path ? strrchr(path, '/') : NULL;
    return s ? s + 1 : path ? path : "";
}

bool addressee_check(const folio_plan *p, folio_exceptions *x, folio_error *err)
{
    const folio_households *hs = p->hs;
    const folio_dataset *ds = p->ds;
    const folio_layout *L = p->layout;
    int s = L->address_style;
    const folio_font *font = L->fonts[L->styles[s].font].metrics;
    folio_arena arena;
    folio_arena_init(&arena, 4096);
    bool ok = true;
    for (size_t h = 0; h < hs->n && ok; h++) {
        const folio_household *hh = &hs->v[h];
        const folio_household_plan *hp = &p->households[h];
        if (hh->n_customers < 2 || hp->channel == FOLIO_CHANNEL_SUPPRESSED || hp->returned)
            continue;
        const folio_customer *c = &ds->customers[hs->customer_idx[hh->first_customer]];
        int room = addressee_name_room(L, c);
        if ((uint32_t)room >= hh->n_customers)
            continue;
        /* what the composer prints: joint lines may name several */
        const char *lines[16];
        uint32_t shown = 0;
        folio_arena_reset(&arena);
        compose_addressee(p, h, font, L->styles[s].size, L->address_w, lines, room, &arena,
                          &shown);
        if (shown >= hh->n_customers)
            continue;
        ok = folio_exceptions_add(x, FOLIO_EXC_NAMES_TRUNCATED, hh->id, c->id, NULL,
                                  base_name(p->job->feeds[c->feed].path), c->line, false, 0, 0,
                                  "printed", "%u customers; the address block shows %u "
                                  "name(s) (layout address.max_names %d, address.max_lines %d)",
                                  hh->n_customers, shown, L->address_max_names,
                                  L->address_max_lines);
    }
    folio_arena_free(&arena);
    if (!ok)
        folio_error_set(err, FOLIO_EXIT_FAILED, "out of memory while listing addressees");
    return ok;
}
