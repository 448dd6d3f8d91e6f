/* SPDX-License-Identifier: Apache-2.0 */
/*
 * folio/paragraphs.h -- the paragraph library: approved wording, once.
 *
 * Compliance approves a paragraph (a legal disclosure, a welcome text) once,
 * in one file (layouts/paragraphs.yaml, reference docs/paragraphs.md); a
 * layout places paragraphs by id (layout key `paragraphs:`).  Each paragraph
 * has an id, a version, optional approval data, an optional condition (a rule,
 * docs/rules.md) and its wording per language, with merge fields checked
 * here, when the library loads.
 *
 * Order of calls:
 *   paragraphs_load()      once, by layout_load(): reads and checks the file,
 *                          compiles every condition and parses every text.
 *   paragraphs_find(), paragraphs_text()   any time, from any thread.
 *   paragraphs_free().
 *
 * Languages: the caller (the layout) gives the list of languages it prints,
 * the first being the fallback.  A paragraph must have wording in the
 * fallback language; a language missing from a paragraph is allowed but
 * reported (a warning in `warnings`, and `fallback` from paragraphs_text()).
 *
 * Lifetime: everything hangs off the folio_paragraphs; paragraphs_free().
 */
#ifndef FOLIO_PARAGRAPHS_H
#define FOLIO_PARAGRAPHS_H

#include "folio/common.h"
#include "folio/layout.h"
#include "folio/rules.h"

typedef struct folio_paragraph {
    char *id;                     /* e.g. "legal-ca" */
    int32_t version;              /* >= 1 */
    char *approved_by;            /* NULL when not given */
    folio_date approved_date;     /* FOLIO_DATE_NONE when not given */
    folio_rule *condition;        /* NULL: shown wherever it is placed */
    folio_template *text;         /* one per language of the library */
    uint8_t *has;                 /* has[l]: wording in language l is given */
    bool uses_account;            /* a text uses an {account.*} field */
    int line, col;                /* position of the entry, for messages */
} folio_paragraph;

typedef struct folio_paragraphs {
    char *path;
    folio_input_id input;         /* size and SHA-256 of the bytes parsed */
    int n_languages;              /* as given to paragraphs_load */
    folio_paragraph *v;
    int n;
    char **warnings;              /* "path:line:col: ..." (missing wording) */
    int n_warnings;
} folio_paragraphs;

/* Read the library at `path`.  languages[0..n_languages) are the languages
 * the layout prints, languages[0] the fallback.  Returns NULL with err
 * (FOLIO_EXIT_USAGE, "path:line:col: ...") on an unknown key, a missing id,
 * version or fallback wording, a duplicate id, a wording in a language the
 * layout does not print, an unknown merge field, {page}/{pages} (a paragraph
 * flows in the body, it has no fixed page), or a bad condition (the rules
 * module's message, with a caret). */
folio_paragraphs *paragraphs_load(const char *path, const char *const *languages,
                                  int n_languages, folio_error *err);
/* The same, with the job's attributes (issue 10 part 1) usable in conditions
 * and texts; NULL = none. */
struct folio_attrs;
folio_paragraphs *paragraphs_load_attrs(const char *path, const char *const *languages,
                                        int n_languages, const struct folio_attrs *attrs,
                                        folio_error *err);
void paragraphs_free(folio_paragraphs *lib);

/* Index of the paragraph with `id`, -1 if none. */
int paragraphs_find(const folio_paragraphs *lib, const char *id);

/* The wording of p in language `lang` (index into the load's languages); the
 * fallback language's when that is missing, with *fallback = true. */
const folio_template *paragraphs_text(const folio_paragraph *p, int lang, bool *fallback);

#endif
