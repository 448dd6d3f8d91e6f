/* SPDX-License-Identifier: Apache-2.0 */
/*
 * feed-private.h -- internals shared by src/feed*.c (not a public header).
 *
 * Files:
 *   feed.c          public API: dataset, feed_load_all, feed_load_buffer,
 *                   feed_write_rejects; chunking and the parallel schedule
 *   feed-parse.c    record scanner, libcsv per record, typed fields
 *   feed-resolve.c  id maps, duplicate/orphan rejects, transaction sort
 *   feed-split.c    issue 11: the SSE2 line/delimiter scan of quote-free records
 *
 * Record boundaries.  The scanner (feed_scan_record) is the single source of
 * truth for where a record starts and ends: a record ends at the first LF that
 * is outside a quoted field, where a quote opens a quoted field only as the
 * first non-blank character of a field (libcsv's rule), "" inside a quoted
 * field is an escaped quote, and the field closes at the next lone quote.
 * Each record is then parsed on its own by libcsv in strict mode, so a record
 * libcsv finds malformed is a reject, never a shifted boundary.  Because the
 * scanner is deterministic from any record start, a file cut into chunks at
 * record boundaries (found by one serial memchr-speed pre-scan) loads exactly
 * as the whole file does, whatever the chunk size or thread count.
 *
 * Memory.  Strings live in feed_strpool blocks (packed, 1-byte aligned, carved
 * from a folio_arena); within a chunk equal strings are interned (stored once).
 * After a chunk is merged its arena moves into the dataset's feed_pool.
 */
#ifndef FOLIO_FEED_PRIVATE_H
#define FOLIO_FEED_PRIVATE_H

#include "folio/feed.h"
#include "attrs-private.h"

/* ---- string pool ---------------------------------------------------------- */

typedef struct feed_intern_slot {
    const char *s;
    uint32_t len, hash;
} feed_intern_slot;

typedef struct feed_strpool {
    folio_arena arena;
    char *cur;                   /* packing block */
    size_t left;
    feed_intern_slot *slots;     /* intern table (open addressing) */
    size_t cap, n;
    bool failed;                 /* sticky OOM */
    struct folio_tabspill *spill;   /* issue 12 part 1: blocks from its region first */
} feed_strpool;

void feed_strpool_init(feed_strpool *sp);
/* Copy s[0..n) + NUL; NULL on OOM (sp->failed set). */
const char *feed_strpool_copy(feed_strpool *sp, const char *s, size_t n);
/* Like copy, but equal strings added before return the same pointer. */
const char *feed_strpool_intern(feed_strpool *sp, const char *s, size_t n);
/* Drop the intern table (the strings stay). */
void feed_strpool_forget(feed_strpool *sp);
void feed_strpool_free(feed_strpool *sp);

/* ---- per-feed data kept by the dataset ------------------------------------ */

typedef struct feed_info {
    const char *fname;                    /* basename of the path (or feed name) */
    const char *col[FOLIO_F__COUNT];      /* header name of each mapped field */
    bool loaded;
    /* issue 10 part 1: attributes staged until feed_resolve (attrs.c) */
    const folio_feed_def *def;
    attrs_stage ast;
} feed_info;

/* ids of rows rejected at load time (accounts, customers) so resolve can say
 * "account 'X' rejected" instead of "unknown account_id 'X'". */
typedef struct feed_idlist {
    const char **v;
    size_t n, cap;
} feed_idlist;

struct feed_pool {
    feed_strpool main;                    /* strings made by resolve etc. */
    folio_arena *arenas;                  /* arenas moved in from chunks */
    size_t n_arenas, cap_arenas;
    size_t cap_customers, cap_accounts, cap_txns, cap_contacts, cap_rejects;
    size_t cap_holders;                   /* issue 10 part 2 */
    size_t cap_responses;                 /* issue 15 part 4 */
    size_t cap_events;                    /* issue 15 part 2 */
    const char **txn_acct;                /* account id per txn until resolved */
    feed_info *feeds;                     /* n_feeds entries */
    feed_idlist rej_customers, rej_accounts;
    uint8_t *needs_raw;                   /* per reject: raw text still to fill */
    size_t cap_needs_raw;
    bool resolved;
    /* issue 12 part 1: a run above its memory budget (feed_load_all_work):
     * the transaction table and txn_acct grow in work files, the record
     * tables move there after resolve (tabspill.h); NULL otherwise */
    struct folio_tabspill *spill;
};

/* ---- chunks ---------------------------------------------------------------- */

typedef struct feed_chunk {
    size_t begin, end;            /* byte range of whole records */
    uint32_t lines;               /* LF count in [begin, end) */
    feed_strpool sp;
    folio_customer *cust; size_t n_cust, cap_cust;
    folio_account *acct;  size_t n_acct, cap_acct;
    folio_txn *txn;       size_t n_txn, cap_txn;
    const char **txn_acct;        /* parallel to txn */
    folio_contact *con;   size_t n_con, cap_con;
    folio_holder *hold;   size_t n_hold, cap_hold;   /* issue 10 part 2 */
    folio_response *resp; size_t n_resp, cap_resp;   /* issue 15 part 4 */
    struct folio_event *ev; size_t n_ev, cap_ev;     /* issue 15 part 2 */
    folio_reject *rej;    size_t n_rej, cap_rej;   /* line relative to chunk */
    feed_idlist rej_ids;          /* ids of rejected customers/accounts */
    uint64_t records;
    folio_money amount_read;
    char *desc_buf;               /* issue 10 part 4: description rendering */
    size_t desc_cap;
    bool oom;
    bool done;                    /* parsed (atomic: merge_turn_run) */
    attrs_stage ast;              /* issue 10 part 1: attribute values of the rows */
} feed_chunk;

/* Everything about one feed being loaded. */
typedef struct feed_ctx {
    const folio_feed_def *def;
    int feed_index;
    const char *fname;
    const char *data;
    size_t len;
    size_t body;                  /* offset of the first data record */
    uint32_t body_line;           /* 1-based line of offset `body` */
    int n_cols;
    const char **cols;            /* header names (in hdr_sp) */
    int map[FOLIO_F__COUNT];      /* field -> column index, -1 unmapped */
    uint8_t *col_class;           /* per column: FEED_COL_* (what it may hold) */
    int *attr_col;                /* issue 10 part 1: column of each def->attrs[k] */
    feed_strpool hdr_sp;
    struct folio_tabspill *spill;   /* issue 12 part 1: the chunks' strings (or NULL) */
    bool drop_behind;               /* issue 12 part 1: data is the file's mapping */
    feed_chunk *chunks;
    int n_chunks;
    /* issue 10 part 4: the code lists applying to this feed (list index and
     * header column of each) and the description template's columns */
    int n_code_cols;
    int *code_list, *code_col;    /* n_code_cols each (in hdr_sp) */
    int *tpl_col;                 /* per template placeholder (in hdr_sp) */
    uint64_t next_line;           /* merge: line of the next chunk's start */
    bool merging;                 /* merge_begin done */
    folio_error err;              /* merge failures */
    const struct folio_xlat *xlat; /* issue 10 part 5: data transcoded from the feed's
                                     encoding (its undefined bytes), NULL = UTF-8 */
    /* issue 11 (round 23, the load): set by feed_ctx_prepare when its scan
     * saw that data[quote_free_from, len) holds no quote character, so a
     * chunk there needs no quote search of its own */
    bool quote_free_known;
    size_t quote_free_from;
    /* issue 11 (round 29): the chunk size the loader asks for (0: the
     * default, feed_set_chunking); a feed splits above twice that */
    size_t chunk_bytes;
} feed_ctx;

/* What the characters of a column may be (feed-parse.c, checked per row):
 * every column: valid UTF-8, no NUL byte; a mapped column: no C0 control,
 * DEL, C1 control or U+FEFF -- except TAB, CR and LF in a free-text column
 * (a transaction description: shown as spaces). */
enum { FEED_COL_UNMAPPED = 0, FEED_COL_LINE = 1, FEED_COL_TEXT = 2 };
/* The first character of s[0..n) (valid UTF-8) a field may not hold: NUL,
 * a C0 control (TAB, CR and LF pass when `text`), DEL, a C1 control or
 * U+FEFF.  Returns true with its code point in *cp. */
bool feed_text_control(const char *s, size_t n, bool text, uint32_t *cp);

/* Record scanner over one buffer.  Calls must move forward (pos never
 * decreases); it caches the next quote so a file with few quotes is scanned
 * at memchr speed. */
typedef struct feed_scanner {
    const char *d;
    size_t len;
    char delim, quote;
    size_t q_from, q_at;          /* first quote at or after q_from is q_at */
    bool drop;                    /* issue 12 part 1: d is a mapped file; the quote
                                   * search drops the pages it has passed */
} feed_scanner;

void feed_scanner_init(feed_scanner *sc, const char *d, size_t len, char delim,
                       char quote);
/* End of the record starting at `pos`: offset of its LF, or len.  *nl gets
 * the LFs inside the record (quoted newlines, the final LF excluded);
 * *open_quote is set when the data ends inside a quoted field. */
size_t feed_scan_record(feed_scanner *sc, size_t pos, uint32_t *nl,
                        bool *open_quote);
/* Offset of the first quote at or after pos (len if none). */
size_t feed_scan_next_quote(feed_scanner *sc, size_t pos);

/* 32-bit hash of a byte string (intern tables and id maps). */
uint32_t feed_hash(const char *s, size_t n);

/* feed-parse.c */
bool feed_ctx_prepare(feed_ctx *ctx, folio_error *err);
void feed_chunk_parse(const feed_ctx *ctx, feed_chunk *ch);
void feed_chunk_free(feed_chunk *ch);
void feed_ctx_free(feed_ctx *ctx);

/* feed-resolve.c: a reject found after load (reason copied) */
bool feed_reject_add(folio_dataset *ds, uint16_t feed, uint32_t line, folio_field col,
                     const char *reason);
/* feed-codes.c (issue 10 part 4): resolve the code-list and template
 * columns of ctx against its header (after the field mapping; a column
 * missing from the header is a job error, FOLIO_EXIT_USAGE). */
/* The index of header column `want` in cols[0..n_cols): the exact name
 * wins, else a match ignoring case; either must be the only one (which of
 * two same-named columns holds the data cannot be guessed).  -1 with err set
 * (FOLIO_EXIT_USAGE, "FILE:LINE: column 'X' (WHAT) ...") when it is missing
 * or appears twice; dup_hint ("" or ": what to do") ends the second message. */
int feed_header_column(const char *const *cols, int n_cols, const char *fname, uint32_t hdr_line,
                       const char *want, const char *what, const char *dup_hint,
                       folio_error *err);
bool feed_codes_prepare(feed_ctx *ctx, uint32_t hdr_line, folio_error *err);
/* One row: look every code column up and render the description into
 * ch->desc_buf.  Returns 0 (ok: *len, *n_langs set; *len is 0 with no
 * template), 1 (a value not in its list: *bad_col, *bad_list set) or -1
 * (out of memory). */
int feed_codes_row(const feed_ctx *ctx, feed_chunk *ch, const char *buf, const size_t *off,
                   const size_t *flen, size_t *len, int *n_langs, int *bad_col,
                   const char **bad_list);

/* feed.c */
bool feed_pool_adopt(struct feed_pool *pool, feed_strpool *sp);
bool feed_idlist_push(feed_idlist *l, const char *s);
/* Free a table of the pool's dataset: unmapped when it is spilled (issue
 * 12 part 1), else free(). */
void feed_pool_free_table(struct feed_pool *pool, void *p);
/* issue 12 part 1 (round 22): a zeroed scratch array of `bytes` for a
 * sequential pass over every record (resolve's account per transaction):
 * in a work file when the pool is spilled (its pages trimmed like the
 * tables'), else calloc.  Not for arrays probed at random (id maps, sort
 * permutations): every probe would fault again after each trim.  NULL when
 * out of memory.  Free it with feed_pool_free_table. */
void *feed_pool_scratch(struct feed_pool *pool, size_t bytes);
/* issue 12 part 1 (round 26): the load's loops over spilled tables trim
 * (tabspill_tick: only over the high-water mark) every FEED_TICK_ROWS rows
 * read or written in order, and every FEED_TICK_SEEKS + 1 "far" touches (a
 * row or string more than FEED_SEEK_NEAR bytes from the one touched before):
 * a fault in a work file maps the whole page-cache folio around the page,
 * up to 2 MiB on ext4 (Linux 6.18), so 32 far touches can map 64 MiB.
 * Nothing when the pool is not spilled. */
#define FEED_TICK_ROWS  16383u
#define FEED_TICK_SEEKS 31u
#define FEED_SEEK_NEAR  ((uintptr_t)64 << 10)
void feed_pool_tick(const struct feed_pool *pool);
static inline void feed_tick_at(const struct feed_pool *pool, size_t i, size_t mask)
{
    if ((i & mask) == mask)
        feed_pool_tick(pool);
}
/* One thread's touches of spilled data: feed_seek_touch(pool, &s, p) for
 * each row or string p read, in whatever order. */
typedef struct feed_seek {
    uintptr_t last;
    size_t rows, far;
} feed_seek;
static inline void feed_seek_touch(const struct feed_pool *pool, feed_seek *s, const void *p)
{
    uintptr_t a = (uintptr_t)p, d = a > s->last ? a - s->last : s->last - a;
    s->last = a;
    bool far = d > FEED_SEEK_NEAR && (++s->far & FEED_TICK_SEEKS) == 0;
    if (far || (++s->rows & FEED_TICK_ROWS) == 0)
        feed_pool_tick(pool);
}

/* Fill the raw text of rejects made by feed_resolve for `feed` from the
 * feed's data (the same bytes that were loaded). */
void feed_fill_raw(folio_dataset *ds, int feed, const folio_feed_def *def,
                   const char *data, size_t len);

/* Test hook: files larger than `split_min` bytes are cut into chunks of about
 * `chunk` bytes (defaults 8 MiB and 4 MiB).  0 restores a default. */
void feed_set_chunking(size_t split_min, size_t chunk);
/* The chunk size for feed_ctx.chunk_bytes: a load of `total` bytes on nt
 * threads (0: the default). */
size_t feed_chunk_for(uint64_t total, int nt);
/* Test hook: send every record through libcsv (no quote-free fast path). */
void feed_set_force_libcsv(bool on);

#endif
