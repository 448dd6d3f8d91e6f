/* SPDX-License-Identifier: Apache-2.0 */
/* icc-srgb.h -- folio's compact built-in sRGB ICC profile (icc-srgb.c),
 * the archive's default PDF/A output intent (issue 11, r-arch3). */
#ifndef FOLIO_ICC_SRGB_H
#define FOLIO_ICC_SRGB_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* The profile's bytes in a new malloc'd buffer (*data, *len); false when
 * out of memory. */
bool folio_icc_srgb(unsigned char **data, size_t *len);

#endif
