/* SPDX-License-Identifier: Apache-2.0 */
/*
 * yamltree.h -- (private) a YAML file as a small tree, plus the validating
 * readers the job and layout loaders are built from.
 *
 * libyaml does all of the parsing (event API); this module only builds a tree
 * of map / sequence / scalar nodes, each remembering where it starts in the
 * file (1-based line and column, columns counted in characters as libyaml
 * counts them).  Then every value is read through a yt_* reader that checks
 * its shape and range and, on failure, records ONE message in the caller's
 * folio_error, always of the form
 *
 *     path:LINE:COL: 'feeds[2].dialect.delimiter' must be one of ',' ';' '\t' '|', got 'x'
 *
 * with code FOLIO_EXIT_USAGE.  Names such as 'feeds[2].dialect' are built by
 * the caller ("where") and the reader appends ".key".  Sequence indexes are
 * 0-based.
 *
 * Rules enforced at load time: one document per file, no aliases, keys are
 * scalars, duplicate keys in one mapping are errors, nesting depth <= 64.
 * A plain scalar that is empty, "~" or "null" is YAML null: readers treat a
 * null value like an absent key.
 *
 * Lifetime: every node and string belongs to the yt_doc; yt_free() frees all.
 * Not thread-safe per document (nothing global is kept).
 */
#ifndef FOLIO_YAMLTREE_H
#define FOLIO_YAMLTREE_H

#include "folio/common.h"

typedef enum yt_kind { YT_SCALAR = 1, YT_MAP, YT_SEQ } yt_kind;

typedef struct yt_node yt_node;
struct yt_node {
    yt_kind kind;
    int line, col;          /* 1-based start of the node */
    /* scalar */
    char *str;              /* NUL-terminated value (never NULL for scalars) */
    size_t len;
    bool is_null;           /* plain "", "~", "null" */
    bool raw_one_line;      /* source text on one line equals the value, so  */
    int text_col;           /*   str[i] sits at column text_col + chars(i)    */
    /* map: keys[i] -> items[i];  seq: items[i] */
    int n, cap;
    yt_node **keys;
    yt_node **items;
};

#define YT_MAX_FILE (64 << 20)  /* bytes of one YAML file (job, layout, catalogues) */

typedef struct yt_doc {
    char *path;             /* as given to yt_load */
    folio_input_id input;   /* size and SHA-256 of the bytes parsed */
    yt_node *root;          /* never NULL after a successful load */
    folio_error *err;       /* where readers record messages */
    const struct folio_rule_catalog *rules; /* fields rules in this document see
                                             * (the job's attributes); NULL = default */
} yt_doc;

/* Parse a whole YAML file.  Returns NULL with err set (FOLIO_EXIT_USAGE,
 * "path:line:col: ...") on an unreadable file, a syntax error, an alias,
 * a duplicate key or an empty document.  The doc keeps `err` for readers. */
yt_doc *yt_load(const char *path, folio_error *err);
void yt_free(yt_doc *doc);

/* Human name of a node kind: "a string", "a map", "a list". */
const char *yt_kind_name(const yt_node *n);

/* Column in the file of byte `off` of a scalar's value when it sits raw on
 * one line; else the node's own column. */
int yt_col_at(const yt_node *n, size_t off);

/* Record "path:LINE:COL: <message>" at node n (first error wins).
 * Always returns false so callers can `return yt_fail(...)`. */
bool yt_fail(yt_doc *d, const yt_node *n, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* The same at an explicit line and column. */
bool yt_fail_at(yt_doc *d, int line, int col, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

/* An input path named at node n under key `key`: fails at the node when the
 * path exists and is not a regular file (a FIFO, a device, a socket, a
 * directory), so the job error names the key, the path and LINE:COL.  A
 * missing file passes (it is reported when opened).  The file is opened
 * later by folio_input_open(), which checks again.  *st (when not NULL) gets
 * the stat; returns 1 = regular file, 0 = absent, -1 = failed. */
struct stat;
int yt_check_input(yt_doc *d, const yt_node *n, const char *key, const char *path,
                   struct stat *st);

/* Join where + "." + key (or key alone when where is "") into buf. */
const char *yt_name(char *buf, size_t cap, const char *where, const char *key);

/* ---- shapes ------------------------------------------------------------- */

/* Check that n is a map (or a list): else "'name' must be a map, got a list". */
bool yt_expect_map(yt_doc *d, const yt_node *n, const char *name);
bool yt_expect_seq(yt_doc *d, const yt_node *n, const char *name);

/* Child of a map by key, NULL if absent or null-valued. */
const yt_node *yt_get(const yt_node *map, const char *key);

/* Check every key of `map` is in the NULL-terminated list `allowed`:
 * "unknown key 'foo' in 'feeds[2]' (expected one of: name, kind, ...)". */
bool yt_check_keys(yt_doc *d, const yt_node *map, const char *where,
                   const char *const *allowed);

/* Child by key; when missing and `required`, "missing required key 'key' in
 * 'where'" at the map.  Returns NULL when absent (check d->err->code). */
const yt_node *yt_child(yt_doc *d, const yt_node *map, const char *where,
                        const char *key, bool required);

/* ---- typed readers on a node ------------------------------------------- *
 * `name` is the full dotted name used in messages.  Return true on success. */

/* Any scalar; *out is a malloc'ed copy (caller frees).  Empty allowed. */
bool yt_node_str(yt_doc *d, const yt_node *n, const char *name, char **out);
/* Integer in [lo, hi]. */
bool yt_node_int(yt_doc *d, const yt_node *n, const char *name, int64_t lo,
                 int64_t hi, int64_t *out);
/* Decimal number with at most `decimals` fractional digits, as a fixed-point
 * integer scaled by 10^decimals ("11.5" with 2 -> 1150), within [lo, hi] in
 * those scaled units.  No locale, no strtod. */
bool yt_node_fixed(yt_doc *d, const yt_node *n, const char *name, int decimals,
                   int64_t lo, int64_t hi, int64_t *out);
/* yes / no / true / false (any case). */
bool yt_node_bool(yt_doc *d, const yt_node *n, const char *name, bool *out);
/* YYYY-MM-DD. */
bool yt_node_date(yt_doc *d, const yt_node *n, const char *name, folio_date *out);
/* One character out of `allowed` (NULL = any single ASCII printable or tab);
 * with allow_empty, "" gives 0.  A two-character "\t" is accepted as a tab. */
bool yt_node_char(yt_doc *d, const yt_node *n, const char *name,
                  const char *allowed, bool allow_empty, char *out);
/* One of the NULL-terminated `choices`; *out is its index. */
bool yt_node_enum(yt_doc *d, const yt_node *n, const char *name,
                  const char *const *choices, int *out);
/* A list of scalars (a lone scalar is NOT accepted); malloc'ed array of
 * malloc'ed strings, freed by yt_strv_free. */
bool yt_node_strv(yt_doc *d, const yt_node *n, const char *name, char ***out,
                  int *n_out);
void yt_strv_free(char **v, int n);

/* ---- typed readers on map[key] ---------------------------------------- *
 * Return 1 when read, 0 when the key is absent or null (then *out is left
 * untouched, unless `required`, which makes absence an error), -1 on error. */
int yt_str(yt_doc *d, const yt_node *map, const char *where, const char *key,
           bool required, char **out);     /* frees a previous *out on success */
int yt_int(yt_doc *d, const yt_node *map, const char *where, const char *key,
           bool required, int64_t lo, int64_t hi, int64_t *out);
int yt_fixed(yt_doc *d, const yt_node *map, const char *where, const char *key,
             bool required, int decimals, int64_t lo, int64_t hi, int64_t *out);
int yt_bool(yt_doc *d, const yt_node *map, const char *where, const char *key,
            bool required, bool *out);
int yt_date(yt_doc *d, const yt_node *map, const char *where, const char *key,
            bool required, folio_date *out);
int yt_char(yt_doc *d, const yt_node *map, const char *where, const char *key,
            bool required, const char *allowed, bool allow_empty, char *out);
int yt_enum(yt_doc *d, const yt_node *map, const char *where, const char *key,
            bool required, const char *const *choices, int *out);
int yt_strv(yt_doc *d, const yt_node *map, const char *where, const char *key,
            bool required, char ***out, int *n_out);

#endif
