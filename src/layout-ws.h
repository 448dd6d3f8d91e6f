/* SPDX-License-Identifier: Apache-2.0 */
/*
 * layout-ws.h -- (private) the layout's `white_space:` section: reserved
 * message slots and the styles offers are drawn with (src/layout-ws.c,
 * docs/layout-file.md).  Called by layout_load after every other section, so
 * styles, page size, body and address block are known.
 */
#ifndef FOLIO_LAYOUT_WS_H
#define FOLIO_LAYOUT_WS_H

#include "folio/layout.h"
#include "yamltree.h"

/* Read root.white_space into L (defaults when absent).  false with the
 * doc's error set ("layout.yaml:LINE:COL: ...") on a bad value. */
bool layout_white_space_read(yt_doc *d, const yt_node *root, folio_layout *L);
void layout_white_space_free(folio_layout *L);

#endif
