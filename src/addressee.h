/* SPDX-License-Identifier: Apache-2.0 */
/*
 * addressee.h -- how many customers' names the address block shows, and the
 * households it cannot name in full (issue 10, remaining gap of part 2:
 * never a name silently dropped).  addressee.c.
 *
 * The layout says how many names the block shows: `address.max_names`
 * (default 3, at most 12), within `address.max_lines` less the address
 * lines.  Names share a line while it fits the box ("Ana & Luis Pérez",
 * "Ana, Luis & Eva Pérez": compose_addressee).  A household whose names
 * still do not all fit is printed with the names that do and listed in
 * OUT/exceptions.csv as `names_truncated`.
 */
#ifndef FOLIO_ADDRESSEE_H
#define FOLIO_ADDRESSEE_H

#include "folio/compose.h"
#include "folio/exceptions.h"
#include "folio/layout.h"

/* Lines of layout L's address block left for names when c is the primary
 * customer (at least 1). */
int addressee_name_room(const folio_layout *L, const folio_customer *c);

/* List every household that is printed or e-mailed (not suppressed, not
 * returned to the bank) whose address block shows fewer names than it has
 * customers: kind names_truncated, action "printed N of M names".  False
 * with err on out of memory. */
bool addressee_check(const folio_plan *p, folio_exceptions *x, folio_error *err);

#endif
