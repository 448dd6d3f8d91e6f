/* SPDX-License-Identifier: Apache-2.0 */
/*
 * sinks.c -- a set of open sinks written together (sinks.h).
 */
#include "sinks.h"

#include <errno.h>
#include <string.h>
#include <unistd.h>

static void abort_all(folio_sinks *s)
{
    for (int j = 0; j < s->n; j++)
        if (s->self[j]) {
            s->type[j]->abort(s->self[j]);
            s->self[j] = NULL;
        }
    s->open = false;
}

bool folio_sinks_open(folio_sinks *s, char *const *paths, folio_error *err)
{
    for (int j = 0; j < s->n; j++) {
        int fd = folio_create_excl(paths[j]);   /* never through a link */
        if (fd < 0) {
            folio_error_set(err, FOLIO_EXIT_FAILED, "%s: cannot create: %s", paths[j],
                            strerror(errno));
            abort_all(s);
            return false;
        }
        close(fd);
        if (!(s->self[j] = s->type[j]->open(s->opt[j], paths[j], err))) {
            abort_all(s);
            return false;
        }
    }
    s->open = true;
    return true;
}

bool folio_sinks_add(folio_sinks *s, const folio_dl_statement *st, void *const *prepared,
                     folio_error *err)
{
    for (int j = 0; j < s->n; j++)
        if (!s->type[j]->add_statement(s->self[j], st, prepared ? prepared[j] : NULL, err))
            return false;
    return true;
}

bool folio_sinks_finish(folio_sinks *s, bool ok, folio_sink_result *const *res,
                        folio_error *err)
{
    if (!s->open)
        return ok;
    if (!ok) {
        abort_all(s);
        return false;
    }
    for (int j = 0; j < s->n; j++) {
        void *self = s->self[j];
        s->self[j] = NULL;
        if (!ok)
            s->type[j]->abort(self);
        else
            ok = s->type[j]->close(self, res[j], err);
    }
    s->open = false;
    return ok;
}
