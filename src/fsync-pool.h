/* SPDX-License-Identifier: Apache-2.0 */
/*
 * fsync-pool.h -- fsync many files and directories at once (issue 11,
 * r-serial).
 *
 * Publishing made every output durable one fsync after another: on a
 * journalled file system each fsync of a file whose data is already written
 * back still waits for a device cache flush (~4 ms on the shared machine),
 * so a run with 9 print files and its records spent ~0.1-0.2 s of wall time
 * in publish at any thread count -- serial time, the same at 1 and 2
 * threads.  Issued from several threads together, the waits overlap (the
 * block layer merges the pending flushes), so the whole set costs about as
 * much as the slowest one.  Which file failed does not depend on timing:
 * the failing entry with the lowest index is reported.
 */
#ifndef FOLIO_FSYNC_POOL_H
#define FOLIO_FSYNC_POOL_H

#include <stdbool.h>
#include <stddef.h>

struct folio_error;

typedef struct folio_fsync_entry {
    int dfd;                    /* a directory fd */
    const char *name;           /* a file in it, opened O_NOFOLLOW; NULL: fsync dfd itself */
    int err;                    /* out: 0, or the errno of the open / fsync */
} folio_fsync_entry;

/* fsync every entry (with up to `threads` threads, at least 1; entries with
 * dfd < 0 and no name are skipped).  Returns the index of the first failing
 * entry (its err set), or n when all are durable. */
size_t folio_fsync_all(folio_fsync_entry *v, size_t n, int threads);

/* Write data to path, a new ".part" file (created exclusively, never
 * through a link), closed but NOT fsync'd: for the files written last
 * before publishing (report.html, manifest.json.part), which publish
 * fsyncs together with every other output before it renames anything
 * (publish.c step 2).  folio_write_file_excl fsyncs each on its own
 * first: a serial wait of 10-30 ms per file here.  A write or close error
 * fails here, an error only fsync finds fails at publish. */
bool folio_write_part_unsynced(const char *path, const void *data, size_t n,
                               struct folio_error *err);

#endif
