/* SPDX-License-Identifier: Apache-2.0 */
/*
 * workdir.h -- round 21 hard-attack2: where `folio run --work DIR` may be.
 * A work directory inside the output directory stays there after the run
 * (empty), and `folio verify` reports it as a stray entry of a run that
 * succeeded; the CLI refuses it up front (exit 2).
 */
#ifndef FOLIO_WORKDIR_H
#define FOLIO_WORKDIR_H

#include <stdbool.h>

/* Is work strictly inside out?  Both are made absolute and their existing
 * parts resolved (symlinks, "..", "."); the parts that do not exist yet are
 * compared as written. */
bool workdir_inside(const char *work, const char *out);

#endif
