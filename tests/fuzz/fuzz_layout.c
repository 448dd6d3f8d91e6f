/* SPDX-License-Identifier: Apache-2.0 */
/* fuzz_layout: layout_load (src/layout.c, layout-ws.c, fonts) on a layout
 * file placed in a directory where ../fonts/ and paragraphs.yaml resolve
 * as for layouts/statement.yaml. */
#include "fuzz_common.h"
#include "folio/layout.h"

#include <sys/stat.h>

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc; (void)argv;
    char a[600], b[600];
    snprintf(a, sizeof a, "%s/fonts", fz_root());
    snprintf(b, sizeof b, "%s/fonts", fz_dir());
    if (symlink(a, b) != 0)
        perror(b);
    snprintf(b, sizeof b, "%s/layouts", fz_dir());
    mkdir(b, 0700);
    snprintf(a, sizeof a, "%s/layouts/paragraphs.yaml", fz_root());
    snprintf(b, sizeof b, "%s/layouts/paragraphs.yaml", fz_dir());
    if (symlink(a, b) != 0)
        perror(b);
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *path = fz_write("layouts/layout.yaml", data, size);
    folio_error err = {0};
    folio_layout *L = layout_load(path, &err);
    if (!L)
        fz_check_error(&err, "layout_load");
    layout_free(L);
    return 0;
}
