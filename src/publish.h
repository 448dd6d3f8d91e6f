/* SPDX-License-Identifier: Apache-2.0 */
/*
 * publish.h -- `folio run`'s output directory: the lock, the subdirectories
 * opened without following symbolic links, the inputs OUT must not hold,
 * the leftovers of earlier runs, and the ordered publish step (publish.c).
 */
#ifndef FOLIO_PUBLISH_H
#define FOLIO_PUBLISH_H

#include "folio/common.h"

/* OUT's subdirectories folio manages (and nothing else in them). */
enum { FOLIO_OUT_TOP = -1, FOLIO_OUT_PRINT = 0, FOLIO_OUT_ARCHIVE, FOLIO_OUT_PROOFS,
       FOLIO_OUT_NSUB };

/* The name of the lock file inside OUT.  It holds the PID of the run that
 * holds it; it is never removed (removing a lock file races with a run that
 * has just opened it), so it stays in OUT between runs. */
#define FOLIO_LOCK_NAME ".folio.lock"

typedef struct folio_outdir {
    char path[4096];
    int fd;                        /* OUT, -1 = not open */
    int lock_fd;                   /* OUT/.folio.lock, locked (flock) */
    int sub[FOLIO_OUT_NSUB];       /* print/, archive/, proofs/: -1 = not open */
} folio_outdir;

/* Nothing open yet (outdir_close is then a no-op). */
void outdir_init(folio_outdir *o);
/* Create OUT (mkdir -p), open it and take its lock: a second run into the
 * same OUT fails at once (FOLIO_EXIT_USAGE, "OUT is in use by process N").
 * Opens the subdirectories that exist; a subdirectory that is a symbolic
 * link is FOLIO_EXIT_USAGE naming it.  o is usable by outdir_close after
 * any return. */
bool outdir_open(folio_outdir *o, const char *path, folio_error *err);
/* Open subdirectory which (FOLIO_OUT_*), creating it when create is set:
 * never through a symbolic link.  true with sub[which] == -1 when it does
 * not exist and create is false. */
bool outdir_sub(folio_outdir *o, int which, bool create, folio_error *err);
/* Close every fd; the lock goes with it (the lock file stays). */
void outdir_close(folio_outdir *o);

/* An input of the run (feed, job, layout, catalogue, font ...) that OUT
 * would overwrite or remove: in OUT under a name folio writes there, inside
 * print/, archive/ or proofs/, or the same file (st_dev/st_ino) as one of
 * them.  FOLIO_EXIT_USAGE naming the input and what it is. */
typedef struct folio_input {
    const char *what;              /* e.g. "feed 'contacts'", "layout" */
    const char *path;
} folio_input;
bool outdir_check_inputs(const folio_outdir *o, const folio_input *in, size_t n,
                         folio_error *err);

/* Before the run writes anything: remove the manifest (OUT fsync'd), the
 * leftovers of folio's own names (*.part, *.tmp-*) and the outputs of an
 * earlier run (the record files, and in print/, archive/, proofs/ the
 * kinds of files folio writes there; a shard, tag "-sIIofNN", only its
 * own).  Regular files only, never a user's file of another name. */
bool outdir_clean(folio_outdir *o, const char *shard_tag, folio_error *err);

/* One output: the file written as part, published as final (paths inside
 * directory dir, FOLIO_OUT_*). */
typedef struct folio_pub_item {
    int dir;
    const char *part, *final;
} folio_pub_item;

/* The publish step (order in publish.c).  manifest_part is OUT/manifest.json
 * .part, published last.  On failure every name this call renamed is removed
 * again and the error says which rename failed. */
bool outdir_publish(folio_outdir *o, const folio_pub_item *items, size_t n,
                    const char *manifest_part, folio_error *err);

#endif
