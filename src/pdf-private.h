/* SPDX-License-Identifier: Apache-2.0 */
/*
 * pdf-private.h -- what the PDF writer's parts share (pdf.c, pdf-subset.c):
 * deflate (libdeflate, pooled compressors) and font subsets (hb-subset).
 */
#ifndef FOLIO_PDF_PRIVATE_H
#define FOLIO_PDF_PRIVATE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Deflate n bytes of `in` into a zlib-format stream (PDF FlateDecode) at
 * out (cap bytes); returns its length, 0 on failure.  level 1..12
 * (libdeflate's scale; 1..9 mean what zlib's levels mean), else 6.  The
 * output depends only on the input and the level.  Thread-safe. */
size_t pdf_deflate(int level, const void *in, size_t n, void *out, size_t cap);

/* Bytes pdf_deflate may need for n bytes of input, at any level. */
size_t pdf_deflate_bound(size_t n);
/* round 29: a print file's CIDToGIDMap (n raw bytes) deflated at level 6,
 * kept with its raw bytes so an equal map is a copy; 0 on failure */
size_t pdf_map_deflate_bytes(const unsigned char *raw, size_t n, unsigned char *z, size_t cap);

/* Round 25: pdf_deflate's raw deflate stream (RFC 1951, no zlib wrapper). */
size_t pdf_deflate_raw(int level, const void *in, size_t n, void *out, size_t cap);

/* Round 25 (pdf-zsplit.c): the zlib stream of in[0..n) whose first `head`
 * bytes are digits, spaces and newlines (an object stream's header): those
 * coded as one block of Huffman-coded literals, the rest by libdeflate at
 * `level`.  0 when in[0..head) holds another byte or out is too small (the
 * caller then uses pdf_deflate, whose bytes differ but are as deterministic);
 * cap >= pdf_deflate_bound(n) + 256 leaves room for the header block's code
 * tables in all but pathological inputs. */
size_t pdf_deflate_split(int level, const unsigned char *in, size_t head, size_t n,
                         unsigned char *out, size_t cap);
/* Round 27: the same with the header in[0..head) and the objects
 * body[0..body_n) in two buffers (pdf_deflate_split: body = in + head). */
size_t pdf_deflate_split2(int level, const unsigned char *in, size_t head,
                          const unsigned char *body, size_t body_n, unsigned char *out,
                          size_t cap);

/* Round 26 (pdf-zsplit.c): the zlib stream of in[0..n), rows of `row`
 * bytes (a cross-reference stream after its PNG Up predictor), the only
 * match looked for the row above, fixed Huffman codes.  0 when out (cap
 * bytes) is too small or row is not 1..256 (the caller then uses
 * pdf_deflate). */
size_t pdf_deflate_rows(const unsigned char *in, size_t n, size_t row, unsigned char *out,
                        size_t cap);

/* A TrueType program of font `file` holding only glyphs gids[] (and
 * .notdef), glyph ids unchanged, no hinting, no layout tables; codes[] (the
 * code points drawn) give its cmap.  *out is malloc'd.  false when the font
 * cannot be read or subset (*out NULL).  Thread-safe (pdf-subset.c). */
bool pdf_subset_font(const char *file, const uint32_t *gids, size_t n_gids,
                     const uint32_t *codes, size_t n_codes, unsigned char **out,
                     size_t *out_len);

/* pdf_subset_font of the n codes[] and their gids[] (one each), deflated at
 * `level`: *z (malloc'd, *zlen bytes) and the program's raw length.  The
 * first sets seen are kept for the process and served again as copies
 * (issue 11 part 4); the bytes equal a fresh subset's.  Thread-safe. */
bool pdf_subset_deflated(const char *file, const uint32_t *gids, const uint32_t *codes,
                         size_t n, int level, unsigned char **z, size_t *zlen,
                         size_t *raw_len);

/* r-arch (issue 11/14 archive size): the same with the glyphs renumbered
 * when new_gids is not NULL: new_gids[i] is gids[i]'s id in the program
 * (the caller rewrites its CIDToGIDMap); NULL keeps the ids as above.
 * Cached apart from the kept-id programs. */
bool pdf_subset_font_renum(const char *file, const uint32_t *gids, size_t n_gids,
                           const uint32_t *codes, size_t n_codes, uint32_t *new_gids,
                           unsigned char **out, size_t *out_len);
bool pdf_subset_deflated_renum(const char *file, const uint32_t *gids, const uint32_t *codes,
                               size_t n, int level, uint32_t *new_gids, unsigned char **z,
                               size_t *zlen, size_t *raw_len);

/* round 27 (issue 11, pdf-subset.c): pdf_deflate of in[n], the deflated
 * bytes kept for the process under `key` (klen bytes, which must determine
 * in[n]: e.g. in itself), so a repeated key is copied, not deflated again.
 * Same bytes as pdf_deflate.  Thread-safe. */
size_t pdf_deflate_keyed(const void *key, size_t klen, int level, const void *in, size_t n,
                         void *out, size_t cap);

/* issue 11 (round 26, pdf-ttsub.c): pdf_subset_font_renum's program
 * (new_gids not NULL) written by folio itself, the bytes hb-subset writes.
 * 1 done (*out malloc'd), 0 not this font or glyph set (use hb-subset;
 * also when FOLIO_TEST_HB_SUBSET=1), -1 out of memory.  Thread-safe. */
int pdf_ttsub_renum(const char *file, const uint32_t *gids, size_t n_gids,
                    const uint32_t *codes, size_t n_codes, uint32_t *new_gids,
                    unsigned char **out, size_t *out_len);

/* round 26: whether pdf_ttsub_renum reads font `file` (its face kept). */
bool pdf_ttsub_usable(const char *file);
/* tests: the most cmap entries one face has held (bounded by 0x110000) */
extern size_t pdf_ttsub_map_peak;

/* issue 11 (r-arch4): whether HarfBuzz can read font `file` for a subset
 * (its face is then kept for the process).  Thread-safe. */
bool pdf_subset_readable(const char *file);

/* Tests (issue 11, r-page): 1 when the print files' code cover of TrueType
 * font `file` (pdf.c, walked from libharu's cmap segments) equals libharu's
 * own answer code by code, 0 when not, -1 when the font cannot be loaded. */
int pdf_cover_check(const char *file);

#endif
