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
    struct spool_wbuf *wb;      /* issue 11 (r-spool): spool_buffered's, or NULL */
    uint64_t n_buffered;        /* records in wb not yet written (atomic) */
} folio_spool;

/* A spool of n records in directory dir (created if missing, one level). */
bool spool_open(folio_spool *s, const char *dir, size_t n, folio_error *err);
/* Record i := text[0..len) (a NUL is added).  Thread-safe for distinct i. */
bool spool_put(folio_spool *s, size_t i, const char *text, size_t len, folio_error *err);

/* issue 11 (r-spool): buffered puts.  After spool_buffered(s), spool_put
 * from an OpenMP team's thread copies the record into that thread's own
 * buffer (SPOOL_WBUF bytes, one per team thread number, claimed by the
 * first thread that uses it) and writes the buffer with one pwrite when it
 * is full: at 5,000 households ~300 writes of 512 KB instead of ~15,000 of
 * ~5 KB, and two threads no longer queue on the file's inode lock once per
 * record.  A record is only there (spool_has, spool_get, spool_map) after
 * spool_flush, which the owner calls when no thread puts any more (after
 * the parallel region); reading a spool with records still buffered is an
 * internal error, never a missing record.  A thread that cannot have a
 * buffer (not in a team, its number taken by another thread, a record
 * larger than a buffer) writes directly as before.  The buffers are
 * mapped, not malloc'd, and unmapped by the flush (a worker's malloc arena
 * is not reused by the main thread: peak RSS).  false: out of memory. */
#define SPOOL_WBUF (512 * 1024)
bool spool_buffered(folio_spool *s, folio_error *err);
/* Write every buffered record and free the buffers (not thread-safe: no
 * spool_put at the same time).  false with err on a write error. */
bool spool_flush(folio_spool *s, folio_error *err);
/* Room for a record of at most `bound` bytes in the calling thread's
 * buffer, to be filled in place and committed with spool_commit (no other
 * put by this thread in between); NULL (err untouched, *failed false)
 * when the caller must use spool_put instead, NULL with *failed and err on
 * a write error. */
char *spool_room(folio_spool *s, size_t bound, bool *failed, folio_error *err);
/* Record i := the len bytes written at spool_room's pointer (a NUL is
 * added: bound must leave room for it). */
void spool_commit(folio_spool *s, size_t i, size_t len);
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
