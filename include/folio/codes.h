/* SPDX-License-Identifier: Apache-2.0 */
/*
 * folio/codes.h -- code lists and derived description text (issue 10 part 4).
 *
 * A job's `codes:` section names lists that translate the values of a
 * transactions column into text per language:
 *
 *   codes:
 *     operation:
 *       column: operation              # header name in the transactions feed(s)
 *       feeds: [trans]                 # optional: default every transactions feed
 *       values:
 *         VKLAD: {en: Cash deposit, cs: Vklad}
 *         VYBER: ATM                   # a plain text: the same in every language
 *         "": ""                       # an empty cell is allowed, and prints nothing
 *
 * Every row of a feed a list applies to is checked at load: a value (trimmed
 * of surrounding spaces, compared exactly) that is not listed is a reject
 * "value 'X' is not in code list 'operation'".  A transactions feed's
 * `description:` may be a template over several columns,
 * "{operation} {k_symbol} {bank}/{account}", rendered at load (rules in
 * docs/job-file.md "Description templates"); a placeholder naming a code list
 * prints the value's text in the statement's language.
 *
 * Languages.  A description that holds translated text is stored packed: one
 * text per language of folio_codes.langs, each NUL-terminated, back to back,
 * with folio_txn.desc_langs saying how many (0: a plain string).  Readers that
 * do not know about languages see the first language's text.
 * codes_bind_layout() checks, before any feed is read, that every translated
 * value has a text in every language the layout prints (a job error
 * otherwise) and records the layout's fallback language.
 *
 * Lifetime: everything hangs off folio_job.codes and the feed definitions;
 * job_free() frees it (codes_free, codes_template_free).
 */
#ifndef FOLIO_CODES_H
#define FOLIO_CODES_H

#include "folio/common.h"

struct yt_doc;
struct yt_node;
struct folio_job;
struct folio_feed_def;
struct folio_layout;
struct folio_txn;

typedef struct folio_code_value {
    char *code;                 /* the value as it appears in the feed */
    char *plain;                /* a plain text (every language), or NULL */
    char **text;                /* per language of folio_codes.langs (NULL: none) */
    int line, col;              /* of the value in the job file */
} folio_code_value;

typedef struct folio_code_list {
    char *name;
    char *column;               /* header name */
    char **feeds;               /* feed names; n_feeds 0 = every transactions feed */
    int n_feeds;
    folio_code_value *values;   /* sorted by code (bytewise) */
    int n_values;
    int line, col;
} folio_code_list;

#define FOLIO_CODES_MAX_LANGS 16

typedef struct folio_codes {
    folio_code_list *lists;
    int n_lists;
    char **langs;               /* every language any list translates into */
    int n_langs;
    /* set by codes_bind_layout: the languages the layout prints, as indexes
     * into langs (-1: no list translates into it), and its fallback */
    bool bound;
    int printed[FOLIO_CODES_MAX_LANGS];
    int n_printed;
    int fallback;               /* index into langs, -1 when none */
} folio_codes;

/* One placeholder of a description template and the literal text before it. */
typedef struct folio_tpl_part {
    char *lit;                  /* literal text before the placeholder ("" none) */
    char *name;                 /* the placeholder: a code list or a header name */
    int list;                   /* index into folio_codes.lists, -1 = a column */
} folio_tpl_part;

typedef struct folio_desc_template {
    char *text;                 /* the template as written */
    folio_tpl_part *parts;
    int n_parts;
    char *tail;                 /* literal text after the last placeholder */
    int line, col;
} folio_desc_template;

/* Read the job's top-level `codes:` (absent: *out stays NULL).  Returns false
 * with the error recorded in d (job file line and column). */
bool codes_options_read(struct yt_doc *d, const struct yt_node *root, folio_codes **out);
void codes_free(folio_codes *c);

/* Read a transactions feed's `description:` template (node `n`, named
 * `where`), resolving placeholders against `codes` (may be NULL). */
bool codes_template_read(struct yt_doc *d, const folio_codes *codes, const struct yt_node *n,
                         const char *where, folio_desc_template **out);
void codes_template_free(folio_desc_template *t);

/* Cross-checks once every feed is read: a list's `feeds:` names transactions
 * feeds of the job.  false with the error in d. */
bool codes_check_feeds(struct yt_doc *d, const struct yt_node *root,
                       const struct folio_job *job);

/* Does list `l` apply to feed `def`? */
bool codes_list_applies(const folio_code_list *l, const struct folio_feed_def *def);

/* issue 10 (gaps): does list `l` make a field of feed `def`'s records: a
 * transactions feed it applies to, or an accounts feed its `feeds:` names
 * (transaction.<list> / account.<list>: folio/attrs.h)? */
bool codes_list_attaches(const folio_code_list *l, const struct folio_feed_def *def);

/* Bind the lists to the layout's languages: every value translated per
 * language needs a text in each language the layout prints.  Returns false
 * with err (FOLIO_EXIT_USAGE, "job:line:col: ...") otherwise. */
bool codes_bind_layout(folio_codes *c, const char *job_path, const struct folio_layout *layout,
                       folio_error *err);

/* Index of value s[0..n) in list l, -1 when not listed. */
int codes_find(const folio_code_list *l, const char *s, size_t n);
/* The text of value v in language index `lang` (0 when < 0). */
const char *codes_value_text(const folio_code_value *v, int lang);

/* The language index (into c->langs) a statement in language `code` shows:
 * the code itself when a list translates into it and the layout prints it,
 * else the layout's fallback language; 0 when c is NULL or unbound and the
 * code is not found. */
int codes_lang_index(const folio_codes *c, const char *code);

/* A transaction's description in language index `lang` (see "Languages"
 * above): never NULL. */
const char *codes_txn_text(const struct folio_txn *t, int lang);

/* Render one row's description into buf (growable, malloc'ed, *cap bytes):
 * vals[k], lens[k] are the placeholder columns' values, codes_idx[k] the
 * value index in its list (-1 for a column placeholder).  Returns the number
 * of packed texts (0 = one plain string), the total length in *len (NULs
 * included), or -1 when out of memory. */
int codes_render(const folio_codes *c, const folio_desc_template *t,
                 const char *const *vals, const size_t *lens, const int *codes_idx,
                 char **buf, size_t *cap, size_t *len);

#endif
