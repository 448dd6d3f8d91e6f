/* SPDX-License-Identifier: Apache-2.0 */
/* fuzz_paragraphs: paragraphs_load (src/paragraphs.c: approved wording,
 * conditions as rules, templates) with the sample layout's languages. */
#include "fuzz_common.h"
#include "folio/paragraphs.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const char *const langs[] = {"en", "es", "fr"};
    const char *path = fz_write("paragraphs.yaml", data, size);
    folio_error err = {0};
    folio_paragraphs *p = paragraphs_load(path, langs, 1 + (int)(size % 3), &err);
    if (!p)
        fz_check_error(&err, "paragraphs_load");
    paragraphs_free(p);
    return 0;
}
