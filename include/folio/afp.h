/* SPDX-License-Identifier: Apache-2.0 */
/*
 * folio/afp.h -- display list -> AFP (MO:DCA-P) print stream, written
 * directly (no conversion from PDF), and the reader behind `folio afpdump`.
 *
 * A print file is one document:
 *
 *   [BRG  BRS BFM BDG MDD EDG (BMM MCC MMC PGP EMM)x2 EFM ERS  ERG]  inline form map (option)
 *   BDT
 *     per statement:  BNG  TLE*  IMM       (a long value: several TLEs, same name)
 *                       per page:  BPG  BAG MCF? PGD PTD EAG  [BPT PTX+ EPT]  EPG
 *                     ENG
 *   EDT
 *
 * Units are 1440 per inch on pages (PGD, PTD), so display-list coordinates
 * are written exactly.  Text is PTOCA: one chain per PTX (escape 2BD3, STO,
 * then AMI / AMB / SCFL / SEC / TRN chained, the last one unchained); rules
 * and filled boxes are Draw I-axis Rules (DIR) whose width extends in +B
 * (down the page): a box is one DIR of length w and width h.  Colours are
 * Set Extended Text Colour (RGB), which PTOCA applies to text and rules.
 * docs/afp.md has the details, the byte layouts and the choices made.
 *
 * Fonts: the layout names a printer font per layout font (character set +
 * code page, or a coded font; layout.h).  Every page maps the (font, size)
 * pairs it uses to local ids in its MCF; outline character sets get the size
 * in a Font Descriptor Specification triplet.  Text is transcoded from UTF-8
 * to the job's EBCDIC code page (500 by default, or 37); a code point the
 * code page lacks becomes the substitute character and is counted
 * (afp_writer_substitutions) -- never dropped.
 *
 * Threads: a writer belongs to one thread; writers on different threads are
 * independent (no globals but const tables).  The checker and dump functions
 * are reentrant.  Output is deterministic: no clock, no addresses.
 */
#ifndef FOLIO_AFP_H
#define FOLIO_AFP_H

#include "folio/common.h"
#include "folio/dlist.h"
#include "folio/layout.h"

#include <stdio.h>

struct yt_doc;
struct yt_node;

#define FOLIO_AFP_MAX_INDEX 16       /* TLEs per statement */

/* One statement tag written as a TLE: dlist tag `tag` -> attribute `attribute`. */
typedef struct folio_afp_index {
    char tag[32];                    /* e.g. "household" (a folio_dl_tag name) */
    char attribute[64];              /* e.g. "Household ID" (TLE attribute name) */
} folio_afp_index;

/* output.print.afp in the job (docs/job-file.md); afp_options_default()
 * gives the defaults listed there. */
typedef struct folio_afp_options {
    bool enabled;                    /* write .afp print files (default false) */
    int code_page;                   /* 500 (default) or 37; 1200 = UTF-16BE text with
                                      * Unicode fonts (issue 13 part 5) */
    char substitute;                 /* ASCII character for unmappable text: '?' */
    char medium_map_simplex[9];      /* IMM names, 1-8 chars: "F1SIMPLX" */
    char medium_map_duplex[9];       /*                       "F1DUPLEX" */
    bool inline_form_map;            /* write a resource group with a form map (default true) */
    char form_map[9];                /* its name: "F1FOLIO" */
    char document[9];                /* BDT name: "FOLIODOC" */
    folio_afp_index index[FOLIO_AFP_MAX_INDEX];
    int n_index;                     /* default: household, name, postal_code, accounts, pages */
} folio_afp_options;

/* Fill *o with the defaults (AFP disabled). */
void afp_options_default(folio_afp_options *o);

/* Read `output.print.afp` from the job's `output.print` map (`print` may be
 * NULL; an absent key gives *out NULL = no AFP).  Errors go through d
 * ("path:line:col: ...", exit 2) and return false with *out NULL.  The
 * result is freed with afp_options_free(). */
bool afp_options_read(struct yt_doc *d, const struct yt_node *print,
                      folio_afp_options **out);
void afp_options_free(folio_afp_options *o);

/* issue 13 part 5: with code page 1200 every layout font must name its
 * Unicode AFP font (fonts[].afp.unicode); false with err (exit 2) naming
 * the job, the layout and the font otherwise. */
bool afp_options_check_layout(const folio_afp_options *o, const char *job_path,
                              const folio_layout *layout, folio_error *err);

/* ---- writer -------------------------------------------------------------- */

typedef struct folio_afp_writer folio_afp_writer;

/* Start an AFP print file at `path` (the caller passes a temporary name and
 * renames it).  `layout` gives the fonts and their printer font names; it
 * must outlive the writer.  `opt` is copied (NULL: defaults).  Returns NULL
 * with err set. */
folio_afp_writer *afp_writer_open(const char *path, const folio_layout *layout,
                                  const folio_afp_options *opt, folio_error *err);

/* Append one statement as a named page group: BNG (name from st->id, first
 * 8 characters, the full id in an FQN triplet), one TLE per configured index
 * tag present in st->tags, an IMM selecting the duplex or simplex medium map,
 * then every page (blank_back pages are real, empty pages), ENG.  On failure
 * the writer is unusable (afp_writer_abort it). */
bool afp_writer_add_statement(folio_afp_writer *w, const folio_dl_statement *st,
                              bool duplex, folio_error *err);

/* Pages and page groups appended so far. */
uint32_t afp_writer_pages(const folio_afp_writer *w);
uint32_t afp_writer_groups(const folio_afp_writer *w);

/* Characters replaced by the substitute so far (text and TLE values).  The
 * first distinct substituted code points (at most `max`) go to examples[]
 * when it is non-NULL; unused slots are 0. */
uint64_t afp_writer_substitutions(const folio_afp_writer *w, uint32_t *examples,
                                  int max);

/* Index values longer than an attribute value may be (250 EBCDIC bytes) are
 * split at spaces into several TLEs with the same attribute name, in order
 * (a reader joins them with a space).  A single word longer than 250 bytes
 * (and a group full name over 250 bytes) is cut to 250 bytes and counted
 * here; `first` (may be NULL) gets "group G, ATTRIBUTE" of the first one.
 * afp_writer_close also prints a warning to stderr when the count is not 0. */
uint64_t afp_writer_cut_values(const folio_afp_writer *w, char *first, size_t cap);

/* Finish the document (EDT), write the rest and free the writer, also on
 * failure.  *bytes (may be NULL) gets the file size. */
bool afp_writer_close(folio_afp_writer *w, uint64_t *bytes, folio_error *err);

/* Free without finishing; the partial file is removed. */
void afp_writer_abort(folio_afp_writer *w);

/* ---- code page ----------------------------------------------------------- */

/* Transcode UTF-8 to EBCDIC code page `code_page` (500 or 37): writes at
 * most cap bytes to out, returns the count written; code points the code
 * page lacks (and invalid bytes) become `substitute` (ASCII) and are counted
 * in *substituted (may be NULL). */
size_t afp_transcode(int code_page, const char *utf8, size_t n, char substitute,
                     uint8_t *out, size_t cap, uint64_t *substituted);

/* EBCDIC -> UTF-8 (for dumps and tests); returns the bytes written (NUL
 * terminated when cap > 0). */
size_t afp_ebcdic_to_utf8(int code_page, const uint8_t *s, size_t n, char *out,
                          size_t cap);

/* ---- reading: check, dump, text ----------------------------------------- */

/* Called once per problem found: `offset` is the file offset it names. */
typedef void (*afp_problem_fn)(void *ctx, size_t offset, const char *reason);

/* Validate an AFP file held in memory: structured-field framing (0x5A,
 * lengths chaining to the end), known identifiers, begin/end nesting with
 * matching names, where each field may appear, triplet chains, TLE
 * structure, MCF repeating groups and the PTOCA chains of every PTX.
 * Framing errors stop the check; others are reported and it goes on (at
 * most AFP_MAX_PROBLEMS).  Returns the number of problems (0 = valid). */
#define AFP_MAX_PROBLEMS 50
unsigned afp_check(const uint8_t *buf, size_t len, afp_problem_fn fn, void *ctx);

/* afp_check reporting only the first problem into msg as
 * "offset 0x...: reason".  True when the buffer is valid. */
bool afp_check_buffer(const uint8_t *buf, size_t len, char *msg, size_t cap);

/* One line per structured field to out: offset, length, id, name and the
 * decoded essentials.  Stops at a framing error (returns false). */
bool afp_dump(const uint8_t *buf, size_t len, FILE *out);

/* A text run decoded back from the PTOCA of a page: absolute position in
 * page units (I = x, B = y from the top-left), local font id, UTF-8 text. */
typedef void (*afp_text_fn)(void *ctx, uint32_t page, int32_t x, int32_t y,
                            int font_id, const char *utf8, size_t n);

/* Walk every PTX of buf and report each TRN as a text run (page is 1-based
 * in file order).  Returns false when the framing or a chain is broken.
 * code_page 0: the one the BDT declares (1200 = UTF-16BE, issue 13 part 5). */
bool afp_walk_text(const uint8_t *buf, size_t len, int code_page, afp_text_fn fn,
                   void *ctx);

#endif
