/* SPDX-License-Identifier: Apache-2.0 */
/*
 * verify-private.h -- what verify.c and archive-verify.c share: the one
 * mismatch reporter and the CSV reader for the files folio writes.
 *
 * A report line is "MISMATCH what" (counted: verify fails) or "NOTE what"
 * (not counted: something verify could not check, e.g. an input whose
 * directory is no longer reachable).
 */
#ifndef FOLIO_VERIFY_PRIVATE_H
#define FOLIO_VERIFY_PRIVATE_H

#include "folio/common.h"

#include <stdio.h>

typedef struct verify_report {
    FILE *rep;
    unsigned mismatches;
    unsigned notes;
    unsigned files;          /* files checked */
} verify_report;

void verify_mismatch(verify_report *V, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
void verify_note(verify_report *V, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* One record of a CSV file: f[0..n) NUL-terminated cells (lengths in len),
 * the CSV-injection prefix already undone (folio_csv_cell_skip); `row` is
 * the record number, 1 for the header.  Return false to stop reading. */
typedef bool (*verify_csv_row)(void *ctx, uint64_t row, char **f, const size_t *len, size_t n);

/* Read d[0..n) as RFC 4180 CSV with libcsv (quoted newlines and cells of any
 * length; a record ends at LF or CRLF).  False with a reason in why[] when
 * the text is not valid CSV. */
bool verify_csv_read(const void *d, size_t n, verify_csv_row fn, void *ctx, char *why,
                     size_t why_cap);

/* A count or size cell: decimal digits only (no sign, space or tail), fits
 * uint64_t.  False otherwise -- strtoull would read "3x", " 3" and "-1". */
bool verify_parse_u(const char *s, uint64_t *v);

/* issue 12 part 3: verify.c's JSON reader for merge.c.  parse returns NULL
 * with a reason in why[] on invalid JSON; members by key or index. */
typedef struct jv verify_json;
verify_json *verify_json_parse(const char *s, size_t n, char *why, size_t why_cap);
void verify_json_free(verify_json *v);
/* verify.c (round 27: shared by merge.c and partition-check.c): a file read
 * whole through folio_input_fopen (a FIFO, directory or device is an error
 * with `code`; *absent: the path does not exist), NUL-terminated; and a JSON
 * file that must hold an object. */
char *verify_slurp(const char *path, size_t *n, int code, bool *absent, folio_error *err);
verify_json *verify_json_read_file(const char *path, folio_error *err);
const verify_json *verify_json_get(const verify_json *o, const char *key);
const char *verify_json_str(const verify_json *o, const char *key);
bool verify_json_int(const verify_json *o, const char *key, int64_t *out);
int verify_json_bool(const verify_json *o, const char *key);   /* 1, 0; -1: no bool there */
int verify_json_len(const verify_json *v);
const verify_json *verify_json_at(const verify_json *v, int i);
const char *verify_json_key_at(const verify_json *v, int i);
const char *verify_json_text(const verify_json *v);
bool verify_json_is_num(const verify_json *v);
bool verify_json_is_obj(const verify_json *v);
/* issue 12: a merged directory (`folio merge`) is verified by merge.c */
int merge_verify(const char *dir, FILE *rep);
bool merge_is_merged(const char *dir);

#endif
