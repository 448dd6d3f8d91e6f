/* SPDX-License-Identifier: Apache-2.0 */
/*
 * sinks.h -- a set of open sinks written together (issue 11): the formats
 * of one print file.  One place for the protocol around sink.h's types:
 * each file created, then opened; every statement to every sink in order;
 * at the end either every sink closed, in order (after a failed close the
 * rest are aborted, not closed), or -- when the run failed -- every open
 * sink aborted, in order, none closed.  src/sinks.c; used by print.c,
 * checked with fake sinks by tests/unit/test_sink.c.
 */
#ifndef FOLIO_SINKS_H
#define FOLIO_SINKS_H

#include "folio/sink.h"

#define FOLIO_SINKS_MAX 8

typedef struct folio_sinks {
    int n;
    const folio_sink_type *type[FOLIO_SINKS_MAX];
    const void *opt[FOLIO_SINKS_MAX];
    void *self[FOLIO_SINKS_MAX];  /* open instances (NULL: not open) */
    bool open;                    /* opened and not yet closed or aborted */
} folio_sinks;

/* Create paths[j] (never through a link, must not exist) and open sink j
 * on it, for every j.  On failure the sinks already open are aborted (the
 * files created are left to the caller). */
bool folio_sinks_open(folio_sinks *s, char *const *paths, folio_error *err);

/* Give st to every sink in order (prepared[j]: sink j's blob).  Stops at
 * the first failure; the set is then only good for folio_sinks_finish(...,
 * false, ...). */
bool folio_sinks_add(folio_sinks *s, const folio_dl_statement *st, void *const *prepared,
                     folio_error *err);

/* ok: close every sink in order into res[j]; after the first failed close
 * the rest are aborted.  !ok: abort every open sink in order (err is left
 * alone).  Returns whether every sink closed.  No-op when not open. */
bool folio_sinks_finish(folio_sinks *s, bool ok, folio_sink_result *const *res,
                        folio_error *err);

#endif
