/* SPDX-License-Identifier: Apache-2.0 */
/*
 * account-mask.h -- an account number as the layout shows it (round 21,
 * hard-attack2): every place that writes an account id into a statement
 * (the page, the coupon, a chart's alternate text in the tagged archive)
 * uses this one function, so none shows more than the layout's mask.
 */
#ifndef FOLIO_ACCOUNT_MASK_H
#define FOLIO_ACCOUNT_MASK_H

#include "folio/layout.h"

#include <stddef.h>

/* id as layout L shows it: in full (id itself is returned, whatever its
 * length), or with account_number.mask: last4 up to eight mask characters
 * and the last four written into buf (cap >= 13; ids of four or fewer in
 * full).  *len gets the length of what is returned. */
const char *account_display(const folio_layout *L, const char *id, char *buf, size_t cap,
                            size_t *len);

#endif
