/* SPDX-License-Identifier: Apache-2.0 */
/* workdir.c -- round 21 hard-attack2: --work inside OUT (workdir.h). */
#include "workdir.h"

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* path made absolute: its longest existing prefix by realpath, the rest
 * appended component by component ("." skipped, ".." drops one). */
static bool resolve(const char *path, char *out, size_t cap)
{
    char abs[2 * PATH_MAX];
    if (path[0] == '/') {
        if (snprintf(abs, sizeof abs, "%s", path) >= (int)sizeof abs)
            return false;
    } else {
        char cwd[PATH_MAX];
        if (!getcwd(cwd, sizeof cwd) ||
            snprintf(abs, sizeof abs, "%s/%s", cwd, path) >= (int)sizeof abs)
            return false;
    }
    size_t cut = strlen(abs);
    char real[PATH_MAX];
    for (;;) {                          /* the longest prefix that exists */
        char save = abs[cut];
        abs[cut] = 0;
        bool ok = realpath(cut ? abs : "/", real) != NULL;
        abs[cut] = save;
        if (ok)
            break;
        while (cut > 0 && abs[cut - 1] != '/')
            cut--;
        if (cut > 0)
            cut--;                      /* before that '/' */
        if (cut == 0) {
            snprintf(real, sizeof real, "/");
            break;
        }
    }
    size_t n = (size_t)snprintf(out, cap, "%s", strcmp(real, "/") ? real : "");
    if (n >= cap)
        return false;
    for (const char *p = abs + cut; *p;) {
        while (*p == '/')
            p++;
        const char *e = p;
        while (*e && *e != '/')
            e++;
        size_t k = (size_t)(e - p);
        if (k == 0 || (k == 1 && p[0] == '.')) {
            /* nothing */
        } else if (k == 2 && p[0] == '.' && p[1] == '.') {
            while (n > 0 && out[n - 1] != '/')
                n--;
            if (n > 0)
                n--;
            out[n] = 0;
        } else {
            if (n + 1 + k + 1 > cap)
                return false;
            out[n++] = '/';
            memcpy(out + n, p, k);
            n += k;
            out[n] = 0;
        }
        p = e;
    }
    if (n == 0)
        snprintf(out, cap, "/");
    return true;
}

bool workdir_inside(const char *work, const char *out)
{
    char w[2 * PATH_MAX], o[2 * PATH_MAX];
    if (!resolve(work, w, sizeof w) || !resolve(out, o, sizeof o))
        return false;
    size_t n = strlen(o);
    if (n == 1)                         /* OUT is / */
        return strcmp(w, "/") != 0;
    return strncmp(w, o, n) == 0 && w[n] == '/';
}
