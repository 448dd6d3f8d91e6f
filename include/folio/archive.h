/* SPDX-License-Identifier: Apache-2.0 */
/*
 * folio/archive.h -- e-delivery: channel routing, per-household PDF/A
 * documents packed into zip files with portal indexes, notifications.
 *
 * Channel routing (src/channels.c, declared in plan.h), once per household
 * inside compose_plan_new:
 *   the primary customer's delivery preference (print, email, both, none),
 *   then the job's channel rules (output.channels, first match wins) may
 *   override it; a household routed to email or both whose primary customer
 *   has no valid e-mail address falls back to print and the plan keeps the
 *   reason (audit.jsonl "channel_note"); none is suppressed with a reason.
 *
 * Archive (src/archive.c plans it, src/sink-archive.c writes it; issue 11):
 *   the run composes every e-delivery household once, in the ordered ring
 *   (sink.h), which measures it for the run and feeds the archive sink;
 *   the sink renders each statement as its own PDF/A-1b in memory on all
 *   threads and appends it to the current zip strictly in household order;
 *   memory holds one batch of documents, never the whole archive.  Each zip
 *   holds at most max_documents documents plus index.csv and index.json;
 *   the same two indexes are written beside it (NAME.index.csv/.json), and
 *   notifications.csv lists one e-mail to send per notified customer.
 *   Every file is written under a ".part" name; archive_publish() renames
 *   them, archive_discard() removes them.
 *
 * Names: documents PREFIX-HOUSEHOLD-PSTART_PEND.pdf (household id reduced
 * to letters, digits, '-', '_', '.', with an 8-hex-digit hash appended when
 * anything was replaced), zips PREFIX-PSTART_PEND[-sIIofNN]-0001.zip: two
 * runs of different periods never collide.
 */
#ifndef FOLIO_ARCHIVE_H
#define FOLIO_ARCHIVE_H

#include "folio/common.h"

#include <stdio.h>

struct yt_doc;
struct yt_node;
struct folio_plan;               /* plan.h */

/* output.archive */
typedef struct folio_archive_options {
    bool enabled;                /* default true */
    uint32_t max_documents;      /* documents per zip, default 5000 */
    bool mask_accounts;          /* account_numbers: masked (default) | full */
    char prefix[64];             /* default "statements" */
    char icc_profile[512];       /* "" (default): folio's compact sRGB (icc-srgb.c) */
    int compression;             /* deflate level of page content 0..9, default 1 */
    bool tagged;                 /* issue 14 part 2: tagged PDF/A-2a + PDF/UA-1 (default),
                                    false: untagged PDF/A-1b */
    int line;                    /* job file line of output.archive (0 = absent) */
} folio_archive_options;

/* One channel rule of output.channels. */
typedef struct folio_channel_rule {
    struct folio_rule *when;     /* compiled bool rule */
    uint8_t channel;             /* folio_channel; FOLIO_CHANNEL_SUPPRESSED = none */
    char *reason;                /* none: the suppression reason (may be NULL) */
    int line;
} folio_channel_rule;

typedef struct folio_channel_rules {
    folio_channel_rule *v;
    int n;
    char *file;                  /* the job file, for messages */
} folio_channel_rules;

/* Read output.archive and output.channels (output may be NULL: defaults).
 * *arch is always allocated on success; *rules is NULL without rules. */
bool archive_options_read(struct yt_doc *d, const struct yt_node *output,
                          folio_archive_options **arch, folio_channel_rules **rules);
void archive_options_free(folio_archive_options *arch);
void channel_rules_free(folio_channel_rules *rules);

/* Is s a usable e-mail address?  One '@', a non-empty local part of
 * printable ASCII without spaces, a domain of dot-separated labels of
 * letters, digits and '-' with at least one dot, at most 254 bytes.  On
 * false, *why says what is wrong. */
bool channel_email_valid(const char *s, const char **why);

/* channel_route(), the channel of one household, is the plan's (plan.h). */

/* ---- the archive writer ------------------------------------------------- */

#define FOLIO_ARCHIVE_NAME_MAX 208   /* a document file name, NUL included */

typedef struct folio_archive_zip {
    char name[192];              /* inside archive/ */
    char *path, *part;
    uint32_t first_doc, n_docs;  /* range of documents */
    uint64_t pages, bytes, pdf_bytes;
    char sha256[65];
    /* the indexes beside the zip */
    char csv_name[208], json_name[208];
    char *csv_path, *csv_part, *json_path, *json_part;
    uint64_t csv_bytes, json_bytes;
    char csv_sha256[65], json_sha256[65];
} folio_archive_zip;

typedef struct folio_archive_result {
    uint32_t *hh;                /* household of each document, household order */
    uint32_t *pages;             /* pages of each document */
    uint32_t *zip_of;            /* zip index of each document */
    char (*doc)[FOLIO_ARCHIVE_NAME_MAX]; /* document file name of each document */
    size_t n_docs;
    folio_archive_zip *zips;
    size_t n_zips;
    uint64_t pages_total, pdf_bytes, notifications;
    char notif_name[64];         /* "notifications.csv" ("notifications-s01of04.csv") */
    char *notif_path, *notif_part;
    uint64_t notif_bytes;
    char notif_sha256[65];
    double seconds;              /* wall time of the archive ring */
} folio_archive_result;

typedef struct folio_archive_params {
    const struct folio_plan *plan;
    const folio_archive_options *opt;
    const uint8_t *in_shard;     /* per household, NULL = all */
    const char *dir;             /* OUT/archive (created by the caller) */
    const char *tag;             /* shard tag ("" = none), e.g. "s01of04" */
    volatile uint64_t *progress; /* documents done (may be NULL) */
} folio_archive_params;

/* The archive of every household routed to email or both is planned by
 * archive_plan and written by the archive sink (src/sink-archive.h).  On
 * failure nothing is left but .part files, which archive_discard removes. */
bool archive_publish(folio_archive_result *res, folio_error *err);
void archive_discard(folio_archive_result *res);
void archive_result_free(folio_archive_result *res);

/* Account number as the archive index shows it: full, or every character
 * but the last four replaced by '*' when mask is set. */
void archive_mask(const char *id, bool mask, char *out, size_t cap);

/* `folio verify` of OUT/archive: every zip opens, every entry's CRC-32
 * matches, index.csv inside equals the index beside, every index row names
 * a document of the zip and the document's SHA-256 and page count match,
 * every document has a row, nothing half-written is left.  expect_docs:
 * the manifest's counts.archive_documents (-1 = unknown); listed(rel, ctx)
 * says whether the manifest lists "archive/NAME" (NULL: not checked).
 * tally (may be NULL) gets what the zips hold: zips read, documents and
 * pages their indexes list (folio verify compares them with the manifest's
 * counts).  Mismatches are printed to rep as "MISMATCH ..." lines; returns
 * their number. */
typedef struct archive_tally {
    unsigned files;
    uint64_t documents, pages;
} archive_tally;
unsigned archive_verify(const char *out_dir, int64_t expect_docs,
                        bool (*listed)(const char *rel, void *ctx), void *ctx, FILE *rep,
                        archive_tally *tally);

#endif
