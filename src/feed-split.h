/* SPDX-License-Identifier: Apache-2.0 */
/*
 * feed-split.h -- the scanning kernels of the feed parser (issue 11, round
 * 23: the load stage).  Not a public header.
 */
#ifndef FOLIO_FEED_SPLIT_H
#define FOLIO_FEED_SPLIT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* The positions of every `delim` byte in s[0..n), in order: the first `cap`
 * are stored in pos[], the return value is how many there are (it may be
 * more than cap).  *printable is set to whether every byte of s[0..n) is
 * printable ASCII (0x20..0x7E).  One pass, 16 bytes at a time where the
 * compiler has SSE2, a byte at a time otherwise; same result either way. */
size_t feed_split_delims(const char *s, size_t n, char delim, uint32_t *pos, size_t cap,
                         bool *printable);

/* The same, a byte at a time: the reference the unit test compares with. */
size_t feed_split_delims_ref(const char *s, size_t n, char delim, uint32_t *pos, size_t cap,
                             bool *printable);

/* The line at s[0..n): its length (the offset of the first LF, or n when
 * there is none) is returned; the positions of the delimiters before it
 * as above (*ndelim of them, the first cap stored); *printable: every byte
 * of the line, without one CR at its end, is printable ASCII.  For a region
 * the scanner knows to hold no quote, the line is exactly its record. */
size_t feed_scan_line(const char *s, size_t n, char delim, uint32_t *pos, size_t cap,
                      size_t *ndelim, bool *printable);
size_t feed_scan_line_ref(const char *s, size_t n, char delim, uint32_t *pos, size_t cap,
                          size_t *ndelim, bool *printable);

#endif
