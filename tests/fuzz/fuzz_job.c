/* SPDX-License-Identifier: Apache-2.0 */
/* fuzz_job: job_load (src/job.c and the sections it reads: feeds, output,
 * channels and their rules, archive, production, marks, AFP, proofs, offers
 * options) on a job file; src/yamltree.c underneath. */
#include "fuzz_common.h"
#include "folio/job.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *path = fz_write("job.yaml", data, size);
    folio_error err = {0};
    folio_job *job = job_load(path, &err);
    if (!job)
        fz_check_error(&err, "job_load");
    job_free(job);
    return 0;
}
