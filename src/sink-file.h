/* SPDX-License-Identifier: Apache-2.0 */
/*
 * sink-file.h -- the buffered file behind the pieces and record sinks
 * (src/sink-records.c, issue 11): bytes gathered in a 256 KiB buffer, written
 * with write(2), optionally hashed (SHA-256) as written; abort removes the
 * file.  The first failure is kept and reported by close.
 */
#ifndef FOLIO_SINK_FILE_H
#define FOLIO_SINK_FILE_H

#include "folio/common.h"

typedef struct sink_file {
    int fd;
    char *path;
    folio_buf b;
    void *md;                     /* EVP_MD_CTX, NULL = not hashed */
    uint64_t bytes;
    folio_error err;              /* the first failure */
} sink_file;

/* create: the file must not exist (folio_create_excl); else path exists
 * (created empty by the caller, folio_sinks_open) and is opened for
 * writing, never through a link. */
bool sink_file_open(sink_file *f, const char *path, bool create, bool sha256,
                    folio_error *err);
void sink_file_put(sink_file *f, const void *data, size_t n);
/* Write the rest, fsync when sync, close: bytes and (when hashed) sha256.
 * On failure the file is removed and err set. */
bool sink_file_close(sink_file *f, bool sync, uint64_t *bytes, char sha256[65],
                     folio_error *err);
/* Close and remove the file. */
void sink_file_abort(sink_file *f);

#endif
