/* SPDX-License-Identifier: Apache-2.0 */
/*
 * folio/zip.h -- a small zip writer and reader over zlib (APPNOTE 6.3.x).
 *
 * Writer: zip_create() -> zip_add()* -> zip_close() (or zip_abort()).
 * Entries are written as they are added, each local header followed by its
 * data (sizes and CRC-32 known up front, so no data descriptors); only the
 * central directory (about 100 bytes an entry) stays in memory until
 * zip_close writes it.  Entries are stored (method 0) or deflated (method 8,
 * raw deflate).  ZIP64 records are written exactly when needed: an entry
 * whose local header starts at or beyond 4 GiB gets a ZIP64 extra field in
 * its central header, and an archive of 65,535 entries or more, or whose
 * central directory starts or ends beyond 4 GiB, gets the ZIP64 end of
 * central directory record and locator.  Every entry carries the same DOS
 * date and time (the statement date, midnight) so archives are
 * byte-identical across runs.  The record layouts are drawn in src/zip.c.
 *
 * Reader: zip_open_read() maps a file, finds the end of central directory
 * (and its ZIP64 twin), and lists the entries from the central directory;
 * zip_entry_data() returns an entry's bytes (inflating when deflated) and
 * checks its CRC-32 against the directory.  Used by `folio verify` and the
 * tests; it reads what the writer writes plus any plain stored/deflated zip.
 *
 * Threads: a writer or reader belongs to one thread.
 */
#ifndef FOLIO_ZIP_H
#define FOLIO_ZIP_H

#include "folio/common.h"

#include <stdio.h>

#define FOLIO_ZIP_STORED 0
#define FOLIO_ZIP_DEFLATED 8

typedef struct folio_zip folio_zip;

/* Create `path` (truncated).  date: DOS timestamp of every entry. */
folio_zip *zip_create(const char *path, folio_date date, folio_error *err);

/* Append an entry.  method: FOLIO_ZIP_STORED (data written as is; crc is
 * the CRC-32 of data, computed by the caller, e.g. on another thread) or
 * FOLIO_ZIP_DEFLATED (compressed here; crc is ignored and computed).
 * Names are relative paths with '/' separators, at most 65,535 bytes. */
bool zip_add(folio_zip *z, const char *name, const void *data, size_t n, int method,
             uint32_t crc, folio_error *err);

/* Entries and bytes written so far (bytes: local headers and data). */
uint64_t zip_entries(const folio_zip *z);
uint64_t zip_offset(const folio_zip *z);

/* Write the central directory and end records, close the file and free the
 * writer (also on failure).  *bytes: the file size. */
bool zip_close(folio_zip *z, uint64_t *bytes, folio_error *err);

/* r-arch (issue 11): zip_hash_start right after zip_create makes the
 * writer keep a SHA-256 of every byte it writes; zip_close_sha256 is then
 * zip_close that also gives it (lowercase hex): the file need not be read
 * back.  Both fail on a zip not hashed from its first byte. */
bool zip_hash_start(folio_zip *z, folio_error *err);
bool zip_close_sha256(folio_zip *z, uint64_t *bytes, char hex[65], folio_error *err);

/* Close and free without finishing (the caller removes the file). */
void zip_abort(folio_zip *z);

/* ---- reader ------------------------------------------------------------ */

typedef struct folio_zip_entry {
    char *name;
    uint16_t method, flags;
    uint32_t crc;
    uint64_t csize, usize;
    uint64_t local;          /* offset of the local header */
    uint64_t data;           /* offset of the data (after the local header) */
} folio_zip_entry;

typedef struct folio_zip_reader {
    const unsigned char *map;
    size_t size;
    folio_zip_entry *entries;
    size_t n;
    bool zip64;              /* the archive has ZIP64 end records */
    char *path;
} folio_zip_reader;

/* Open and list.  Fails (err: "path: reason") on a file that is not a
 * complete zip: no end record, a central directory outside the file, a
 * local header that does not match its directory entry. */
folio_zip_reader *zip_open_read(const char *path, folio_error *err);

/* The bytes of entry i: for a stored entry a pointer into the mapping
 * (*owned = NULL), for a deflated one a malloc'd copy (*owned = it; free
 * it).  The CRC-32 and sizes are checked against the directory. */
const unsigned char *zip_entry_data(folio_zip_reader *r, size_t i, void **owned,
                                    folio_error *err);

/* Index of the entry named `name`, or -1. */
long zip_find(const folio_zip_reader *r, const char *name);

void zip_close_read(folio_zip_reader *r);

#endif
