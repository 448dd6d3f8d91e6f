/* SPDX-License-Identifier: Apache-2.0 */
/* fuzz_offers: offers_load (src/offers.c: catalogue, sizes, texts, variants,
 * rules) on an offer catalogue checked against the sample layout and job,
 * then offers_bind to the sample households' contact history. */
#include "fuzz_world.h"
#include "folio/offers.h"

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc; (void)argv;
    fz_world_init();
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *path = fz_write("offers.yaml", data, size);
    folio_offers_options opt = {.catalogue = (char *)path, .max_per_statement = 2};
    folio_error err = {0};
    folio_offers *o = offers_load(&opt, W.job, W.layout, &err);
    if (!o) {
        fz_check_error(&err, "offers_load");
        return 0;
    }
    if (!offers_bind(o, W.ds, &W.hs, &err))
        fz_check_error(&err, "offers_bind");
    for (int i = 0; i < offers_count(o); i++)
        if (!offers_id(o, i))
            abort();
    offers_free(o);
    return 0;
}
