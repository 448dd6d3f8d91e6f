/* SPDX-License-Identifier: Apache-2.0 */
/*
 * spool.h -- issue 12 part 1: records a run holds until its end (audit
 * members, coverage keys) kept in a file instead of RAM.
 *
 * A spool is one anonymous file in the run's work directory (--work DIR,
 * default OUT): O_TMPFILE where the file system has it, else a name that
 * is unlinked at once -- so the file never has a name a crash could leave
 * behind, and the space is returned when the run closes it.  Record i (one
 * per household) is a NUL-terminated text written once by spool_put, from
 * any thread (distinct i), and read back by spool_get or, for a reader
 * that needs every record at once (the proof sample), through
 * spool_map.  Offsets and lengths are 12 bytes per record in RAM; the text
 * lives in the page cache, which the kernel may drop.
 */
#ifndef FOLIO_SPOOL_H
#define FOLIO_SPOOL_H

#include "folio/common.h"

#include <stddef.h>
#include <stdint.h>

typedef struct folio_spool {
    int fd;                     /* -1: closed */
    char dir[4096];             /* for messages */
    uint64_t end;               /* bytes written so far (atomic) */
    uint64_t *off;              /* per record; UINT64_MAX = none */
    uint32_t *len;              /* per record, with its NUL */
    size_t n;
    const char *map;            /* spool_map's mapping, or NULL */
    size_t map_len;
    struct folio_tabspill *trim;   /* issue 12 part 1 (round 23): its mapping is trimmed
                                    * with these tables (spilled runs), or NULL */
} folio_spool;

/* A spool of n records in directory dir (created if missing, one level). */
bool spool_open(folio_spool *s, const char *dir, size_t n, folio_error *err);
/* Record i := text[0..len) (a NUL is added).  Thread-safe for distinct i. */
bool spool_put(folio_spool *s, size_t i, const char *text, size_t len, folio_error *err);
/* Record i into *buf (grown with realloc, *cap its size; free it when
 * done), NUL-terminated; NULL when record i was never written, or on a
 * read error or out of memory (err set, *failed true). */
const char *spool_get(const folio_spool *s, size_t i, char **buf, size_t *cap,
                      bool *failed, folio_error *err);
bool spool_has(const folio_spool *s, size_t i);
/* Map the whole file read-only; spool_at(s, i) is then record i in the
 * mapping (NULL when never written), valid until spool_unmap/close. */
bool spool_map(folio_spool *s, folio_error *err);
const char *spool_at(const folio_spool *s, size_t i);
void spool_unmap(folio_spool *s);
/* Bytes of text written (the footprint moved out of RAM). */
static inline uint64_t spool_bytes(const folio_spool *s) { return s->end; }
void spool_close(folio_spool *s);

/* Parse SIZE: digits with an optional K, M or G suffix (powers of 1024,
 * optionally followed by "iB" or "B"); false when it is not one. */
bool folio_parse_size(const char *s, uint64_t *out);

#endif
