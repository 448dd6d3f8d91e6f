/* SPDX-License-Identifier: Apache-2.0 */
/*
 * afp-image.h -- (private) images (IOCA) and paths (GOCA) in the AFP writer
 * (issue 13 parts 1, 2; src/afp-image.c), and their checks for afpdump.
 */
#ifndef FOLIO_AFP_IMAGE_H
#define FOLIO_AFP_IMAGE_H

#include "folio/dlist.h"
#include "folio/graphics.h"

/* structured fields (one block; afp-private.h has the others) */
#define SF_BIM 0xD3A8FBu  /* Begin Image Object */
#define SF_EIM 0xD3A9FBu
#define SF_BOG 0xD3A8C7u  /* Begin Object Environment Group */
#define SF_EOG 0xD3A9C7u
#define SF_OBD 0xD3A66Bu  /* Object Area Descriptor */
#define SF_OBP 0xD3AC6Bu  /* Object Area Position */
#define SF_MIO 0xD3ABFBu  /* Map Image Object */
#define SF_IDD 0xD3A6FBu  /* Image Data Descriptor */
#define SF_IPD 0xD3EEFBu  /* Image Picture Data */
#define SF_IOB 0xD3AFC3u  /* Include Object */
#define SF_BGR 0xD3A8BBu  /* Begin Graphics Object */
#define SF_EGR 0xD3A9BBu
#define SF_MGO 0xD3ABBBu  /* Map Graphics Object */
#define SF_GDD 0xD3A6BBu  /* Graphics Data Descriptor */
#define SF_GAD 0xD3EEBBu  /* Graphics Data */

/* The image resources of one print file: one IOCA object per (image,
 * presented size) the layout can draw, named FIMnnnnn. */
typedef struct afp_images afp_images;

/* NULL (and why) when an image cannot be carried; *out NULL when the
 * layout has no images. */
bool afp_images_new(const folio_graphics *g, int n_languages, afp_images **out, char *why,
                    size_t cap);
/* issue 13 leftover: the same with extra's elements too (one language each:
 * the offers' pictures). */
bool afp_images_new2(const folio_graphics *g, int n_languages, const folio_graphics *extra,
                     afp_images **out, char *why, size_t cap);
void afp_images_free(afp_images *t);
/* The resources (BRS BIM ... EIM ERS each) for the file's resource group. */
bool afp_images_resources(afp_images *t, folio_buf *out);
/* The objects of page pg's IMAGE and PATH ops (IOBs, one graphics object
 * BGR ... EGR), appended to out; false with why. */
bool afp_page_objects(afp_images *t, const folio_dl_page *pg, int32_t page_w, int32_t page_h,
                      uint32_t page_no, folio_buf *out, char *why, size_t cap);
/* true when page pg has IMAGE or PATH ops. */
bool afp_page_has_objects(const folio_dl_page *pg);

/* afpdump --check: the IOCA image segment of one image object (its IPD
 * data concatenated) and one GAD field's drawing orders.  false with why. */
bool afp_ioca_check(const uint8_t *d, size_t n, char *why, size_t cap);
bool afp_goca_check(const uint8_t *d, size_t n, char *why, size_t cap);

#endif
