/* SPDX-License-Identifier: Apache-2.0 */
/*
 * archive.c -- the e-delivery archive's plan (folio/archive.h,
 * src/sink-archive.h): which households get a document, the names of the
 * documents and zips, the ICC profile; then publish / discard / free.
 *
 * The documents themselves are written by the archive sink
 * (src/sink-archive.c) from the statements the run composes once and
 * feeds through the ordered ring (issue 11 part 1): documents in household
 * order, at most max_documents per zip.  Every file is written under
 * NAME.part; archive_publish renames.
 */
#include "folio/archive.h"
#include "folio/frequency.h"  /* issue 15 (r-chan) */
#include "folio/plan.h"
#include "icc-srgb.h"
#include "sink-archive.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define ARCHIVE_MAX_ICC (4u << 20)

void archive_mask(const char *id, bool mask, char *out, size_t cap)
{
    size_t n = strlen(id);
    if (cap == 0)
        return;
    if (n >= cap)
        n = cap - 1;
    for (size_t i = 0; i < n; i++)
        out[i] = mask && i + 4 < n ? '*' : id[i];
    out[n] = 0;
}

/* PREFIX-HOUSEHOLD-PSTART_PEND.pdf; the household id reduced to safe
 * characters, with 8 hex digits of its SHA-256 when anything changed. */
void archive_doc_name(const char *prefix, const char *hid, const char *d0,
                             const char *d1, char out[FOLIO_ARCHIVE_NAME_MAX])
{
    char safe[80];
    size_t n = 0;
    bool changed = false;
    for (const char *p = hid; *p; p++) {
        char c = *p;
        bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                  c == '-' || c == '_' || (c == '.' && p != hid);
        if (n + 1 >= 48) {
            changed = true;
            break;
        }
        safe[n++] = ok ? c : '_';
        changed |= !ok;
    }
    safe[n] = 0;
    if (changed || n == 0) {
        char hex[65];
        folio_sha256_hex(hid, strlen(hid), hex);
        snprintf(safe + n, sizeof safe - n, "-%.8s", hex);
    }
    snprintf(out, FOLIO_ARCHIVE_NAME_MAX, "%s-%s-%s_%s.pdf", prefix, safe, d0, d1);
}

static bool read_icc(const char *path, unsigned char **data, size_t *len, folio_error *err)
{
    folio_error oerr = {0};
    FILE *fp = folio_input_fopen(path, NULL, FOLIO_EXIT_FAILED, &oerr);
    if (!fp) {
        folio_error_set(err, oerr.code, "cannot read the ICC output profile for PDF/A: %s "
                        "(install icc-profiles-free or set output.archive.icc_profile)",
                        oerr.msg);
        return false;
    }
    unsigned char *b = malloc(ARCHIVE_MAX_ICC);
    size_t n = b ? fread(b, 1, ARCHIVE_MAX_ICC, fp) : 0;
    fclose(fp);
    /* an RGB display or output profile: bytes 16..19 are the colour space */
    if (!b || n < 128 || n == ARCHIVE_MAX_ICC || memcmp(b + 16, "RGB ", 4) != 0 ||
        memcmp(b + 36, "acsp", 4) != 0) {
        free(b);
        folio_error_set(err, FOLIO_EXIT_FAILED, "%s: not an RGB ICC profile", path);
        return false;
    }
    *data = b;
    *len = n;
    return true;
}

static bool oom(folio_error *err)
{
    folio_error_set(err, FOLIO_EXIT_FAILED, "out of memory");
    return false;
}

bool archive_plan(const folio_archive_params *P, folio_archive_result *res, unsigned char **icc,
                  size_t *icc_len, folio_error *err)
{
    const folio_plan *plan = P->plan;
    const folio_job *J = plan->job;
    const folio_archive_options *O = P->opt;
    size_t nh = plan->hs->n;
    memset(res, 0, sizeof *res);
    res->hh = malloc((nh ? nh : 1) * sizeof *res->hh);
    if (!res->hh)
        return oom(err);
    for (size_t h = 0; h < nh; h++) {
        uint8_t ch = plan->households[h].channel;
        if ((!P->in_shard || P->in_shard[h]) &&
            (ch == FOLIO_CHANNEL_EMAIL || ch == FOLIO_CHANNEL_BOTH))
            res->hh[res->n_docs++] = (uint32_t)h;
    }
    size_t n = res->n_docs;
    char d0[16], d1[16];
    folio_date_format(J->period_start, "YYYY-MM-DD", d0, sizeof d0);
    folio_date_format(J->period_end, "YYYY-MM-DD", d1, sizeof d1);
    uint32_t per = O->max_documents ? O->max_documents : 5000;
    res->n_zips = (n + per - 1) / per;
    res->pages = calloc(n ? n : 1, sizeof *res->pages);
    res->zip_of = calloc(n ? n : 1, sizeof *res->zip_of);
    res->doc = calloc(n ? n : 1, sizeof *res->doc);
    res->zips = calloc(res->n_zips ? res->n_zips : 1, sizeof *res->zips);
    /* shards of one run may share OUT: their notification files must not collide */
    snprintf(res->notif_name, sizeof res->notif_name, "notifications%s%s.csv",
             P->tag && *P->tag ? "-" : "", P->tag && *P->tag ? P->tag : "");
    if (!res->pages || !res->zip_of || !res->doc || !res->zips ||
        asprintf(&res->notif_path, "%s/%s", P->dir, res->notif_name) < 0 ||
        asprintf(&res->notif_part, "%s/%s.part", P->dir, res->notif_name) < 0)
        return oom(err);
    for (size_t i = 0; i < n; i++) {
        /* issue 15 part 1 (r-chan): named by the document's own interval */
        char s0[16];
        folio_date_format(frequency_statement_start(plan, res->hh[i]), "YYYY-MM-DD", s0,
                          sizeof s0);
        archive_doc_name(O->prefix, plan->hs->v[res->hh[i]].id, s0, d1, res->doc[i]);
        res->zip_of[i] = (uint32_t)(i / per);
    }
    const char *tag = P->tag && *P->tag ? P->tag : NULL;
    for (size_t k = 0; k < res->n_zips; k++) {
        folio_archive_zip *z = &res->zips[k];
        char base[160];
        snprintf(base, sizeof base, "%s-%s_%s%s%s-%04zu", O->prefix, d0, d1, tag ? "-" : "",
                 tag ? tag : "", k + 1);
        snprintf(z->name, sizeof z->name, "%s.zip", base);
        snprintf(z->csv_name, sizeof z->csv_name, "%s.index.csv", base);
        snprintf(z->json_name, sizeof z->json_name, "%s.index.json", base);
        z->first_doc = (uint32_t)(k * per);
        z->n_docs = (uint32_t)(n - k * per < per ? n - k * per : per);
        if (asprintf(&z->path, "%s/%s", P->dir, z->name) < 0 ||
            asprintf(&z->part, "%s/%s.part", P->dir, z->name) < 0 ||
            asprintf(&z->csv_path, "%s/%s", P->dir, z->csv_name) < 0 ||
            asprintf(&z->csv_part, "%s/%s.part", P->dir, z->csv_name) < 0 ||
            asprintf(&z->json_path, "%s/%s", P->dir, z->json_name) < 0 ||
            asprintf(&z->json_part, "%s/%s.part", P->dir, z->json_name) < 0)
            return oom(err);
    }

    *icc = NULL;
    *icc_len = 0;
    if (n && !O->icc_profile[0]) {   /* issue 11 (r-arch3): the built-in compact sRGB */
        if (!folio_icc_srgb(icc, icc_len))
            return oom(err);
        return true;
    }
    return n == 0 || read_icc(O->icc_profile, icc, icc_len, err);
}

bool archive_publish(folio_archive_result *res, folio_error *err)
{
    for (size_t k = 0; k < res->n_zips; k++) {
        folio_archive_zip *z = &res->zips[k];
        const char *from[3] = {z->part, z->csv_part, z->json_part};
        const char *to[3] = {z->path, z->csv_path, z->json_path};
        for (int j = 0; j < 3; j++)
            if (rename(from[j], to[j]) != 0) {
                folio_error_set(err, FOLIO_EXIT_FAILED, "%s: rename failed: %s", to[j],
                                strerror(errno));
                return false;
            }
    }
    if (res->notif_part && rename(res->notif_part, res->notif_path) != 0) {
        folio_error_set(err, FOLIO_EXIT_FAILED, "%s: rename failed: %s", res->notif_path,
                        strerror(errno));
        return false;
    }
    return true;
}

void archive_discard(folio_archive_result *res)
{
    for (size_t k = 0; k < res->n_zips; k++) {
        folio_archive_zip *z = &res->zips[k];
        if (z->part)
            unlink(z->part);
        if (z->csv_part)
            unlink(z->csv_part);
        if (z->json_part)
            unlink(z->json_part);
    }
    if (res->notif_part)
        unlink(res->notif_part);
}

void archive_result_free(folio_archive_result *res)
{
    for (size_t k = 0; res->zips && k < res->n_zips; k++) {
        folio_archive_zip *z = &res->zips[k];
        free(z->path);
        free(z->part);
        free(z->csv_path);
        free(z->csv_part);
        free(z->json_path);
        free(z->json_part);
    }
    free(res->zips);
    free(res->hh);
    free(res->pages);
    free(res->zip_of);
    free(res->doc);
    free(res->notif_path);
    free(res->notif_part);
    memset(res, 0, sizeof *res);
}
