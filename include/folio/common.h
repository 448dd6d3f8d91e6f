/* SPDX-License-Identifier: Apache-2.0 */
/*
 * folio/common.h -- shared vocabulary of every folio module.
 *
 * Money is never a float: folio_money is a signed 64-bit count of minor units
 * (cents for USD/EUR, the currency's smallest unit otherwise).  Dates are civil
 * dates held as a day number (days since 1970-01-01, proleptic Gregorian), never
 * time_t.  Errors: every fallible function takes a folio_error * and returns
 * false (or NULL / -1); the record keeps the FIRST message only, formatted as
 * "file:line: reason" where a location is known.  Only main() exits.
 *
 * Allocation policy: library code allocates from a folio_arena where the data
 * lives as long as a run or a household; plain malloc/free elsewhere.  Every
 * allocation failure is reported through folio_error, never by aborting.
 */
#ifndef FOLIO_COMMON_H
#define FOLIO_COMMON_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#define FOLIO_VERSION "0.1.0"

/* Exit codes of the folio command (DESIGN.md, contract). */
enum {
    FOLIO_EXIT_OK = 0,
    FOLIO_EXIT_FAILED = 1,   /* run failed; nothing half-written looks complete */
    FOLIO_EXIT_USAGE = 2,    /* bad usage or bad job/layout file */
    FOLIO_EXIT_REJECTS = 3   /* success, but input rows were rejected */
};

/* ---- errors ------------------------------------------------------------ */

typedef struct folio_error {
    int code;          /* 0 = no error; else a FOLIO_EXIT_* value */
    char msg[1024];    /* first message, "file:line: reason" */
} folio_error;

/* Record an error unless one is already recorded (first error wins).
 * code: FOLIO_EXIT_USAGE for bad input files, FOLIO_EXIT_FAILED otherwise. */
void folio_error_set(folio_error *err, int code, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
void folio_error_clear(folio_error *err);

/* ---- money --------------------------------------------------------------- */

typedef int64_t folio_money;

/* Parse an amount exactly.  s[0..len) may have a leading '-' or '+', or a
 * trailing '-' (some mainframe exports), digits, at most one decimal separator
 * `dec` followed by at most `minor_digits` digits (fewer are padded: "12.3" with
 * 2 digits is 1230).  No grouping characters, no spaces inside, no exponent.
 * Fails on overflow of int64.  On failure *why (if non-NULL) points to a static
 * reason such as "not a number", "too many decimals", "out of range". */
bool folio_money_parse(const char *s, size_t len, char dec, int minor_digits,
                       folio_money *out, const char **why);

/* Checked money arithmetic, the only way folio sums amounts: *acc += v
 * (folio_money_sub: *acc -= v).  Returns false and leaves *acc unchanged when
 * the result is not representable in int64 -- the caller turns that into a
 * reject or a failed run, never a wrapped (wrong) figure. */
static inline bool folio_money_add(folio_money *acc, folio_money v)
{
    folio_money r;
    if (__builtin_add_overflow(*acc, v, &r))
        return false;
    *acc = r;
    return true;
}
static inline bool folio_money_sub(folio_money *acc, folio_money v)
{
    folio_money r;
    if (__builtin_sub_overflow(*acc, v, &r))
        return false;
    *acc = r;
    return true;
}

/* Format m with `minor_digits` decimals, decimal mark `dec` and thousands
 * separator `group` (0 for none), e.g. -123456 -> "-1,234.56".  Writes a NUL
 * terminated string into buf (cap >= 32 is always enough) and returns its
 * length.  Locale-independent. */
size_t folio_money_format(folio_money m, int minor_digits, char dec, char group,
                          char *buf, size_t cap);

/* ---- dates --------------------------------------------------------------- */

typedef int32_t folio_date;            /* days since 1970-01-01 */
#define FOLIO_DATE_NONE INT32_MIN      /* absent / empty date */

bool folio_date_from_ymd(int y, int m, int d, folio_date *out); /* false if invalid */
void folio_date_to_ymd(folio_date date, int *y, int *m, int *d);

/* Parse with a pattern made of YYYY, YY, MM, DD and literal characters,
 * e.g. "YYYY-MM-DD", "YYMMDD", "DD.MM.YYYY", "MM/DD/YYYY".  YY maps 00-69 to
 * 20xx and 70-99 to 19xx.  Trailing text after the pattern fails unless the
 * pattern ends with '*' (accept and ignore a tail such as " 00:00:00"). */
bool folio_date_parse(const char *s, size_t len, const char *pattern,
                      folio_date *out);
/* The same with an explicit century pivot for YY: 00..pivot-1 are 20xx,
 * pivot..99 are 19xx (0: all 19xx, 100: all 20xx).  Feeds use this with the
 * job's dialect.century_pivot (a YY format without one is a job error). */
bool folio_date_parse_pivot(const char *s, size_t len, const char *pattern, int pivot,
                            folio_date *out);

/* Check a folio_date_parse pattern: YYYY or YY, MM and DD exactly once
 * each, '*' only as the last character, no lone Y, M or D (a typo such as
 * "YYYMMDD" would reject every row).  On failure *why is a static reason. */
bool folio_date_pattern_check(const char *pattern, const char **why);

/* Format with the same pattern language plus "Mon" (Jan..Dec) and "Month"
 * (January..December, English).  Returns the length written. */
size_t folio_date_format(folio_date date, const char *pattern, char *buf,
                         size_t cap);

/* Whole months between two dates (floor), used by rules such as tenure. */
int folio_date_months_between(folio_date from, folio_date to);

/* ---- arena --------------------------------------------------------------- */

/* A bump allocator made of chained blocks.  Memory is valid until
 * folio_arena_reset() or folio_arena_free().  Not thread-safe: one per thread. */
typedef struct folio_arena_block folio_arena_block;
typedef struct folio_arena {
    folio_arena_block *head;     /* current block */
    size_t block_size;           /* default size of new blocks */
    size_t total;                /* bytes held in blocks */
} folio_arena;

void folio_arena_init(folio_arena *a, size_t block_size);
/* the first block is buf (16-aligned, size bytes, the caller's to release) */
void folio_arena_init_buf(folio_arena *a, void *buf, size_t size);
void *folio_arena_alloc(folio_arena *a, size_t n);           /* 16-aligned; NULL on OOM */
void *folio_arena_calloc(folio_arena *a, size_t n);
char *folio_arena_strndup(folio_arena *a, const char *s, size_t n);
char *folio_arena_strdup(folio_arena *a, const char *s);
void folio_arena_reset(folio_arena *a);   /* keep the first block, drop the rest */
void folio_arena_free(folio_arena *a);

/* ---- growable byte buffer (with a hard cap) ------------------------------ */

typedef struct folio_buf {
    char *data;
    size_t len, cap;
    size_t max;      /* hard cap; 0 = 1 GiB */
    bool failed;     /* sticky: an append hit OOM or the cap */
} folio_buf;

void folio_buf_init(folio_buf *b, size_t max);
bool folio_buf_append(folio_buf *b, const void *p, size_t n);
bool folio_buf_puts(folio_buf *b, const char *s);
bool folio_buf_printf(folio_buf *b, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));   /* only for non-numeric text! */
bool folio_buf_putc(folio_buf *b, char c);
bool folio_buf_put_int(folio_buf *b, int64_t v);            /* locale-free */
/* Fixed-point decimal: v / 10^decimals, trailing zeros trimmed: 1250,2 -> "12.5" */
bool folio_buf_put_fixed(folio_buf *b, int64_t v, int decimals);
/* JSON string literal with quotes and escapes (UTF-8 passed through). */
bool folio_buf_put_json_str(folio_buf *b, const char *s, size_t n);
/* CSV field of a file people open in a spreadsheet (rejects.csv,
 * suppressed.csv, pieces.csv, index.csv, notifications.csv,
 * contact_history.csv): quoted when it holds the delimiter, a quote, CR or
 * LF.  CSV injection (OWASP): a cell that starts with = + - @ TAB or CR is
 * written as a quoted field with a leading ' so a spreadsheet shows it as
 * text instead of running it as a formula; so that reading stays exact, a
 * cell that starts with ' followed by one of those characters or by another '
 * gets the same leading '.  folio_csv_cell_skip undoes it.  Numbers folio
 * formats itself (folio_buf_put_int, amounts) do not go through here and are
 * never prefixed: a column that only ever holds a number is not a formula. */
bool folio_buf_put_csv_field(folio_buf *b, const char *s, size_t n);
/* 1 when the cell s[0..n) (already unquoted) carries the leading ' that
 * folio_buf_put_csv_field added, else 0: the value is s + skip. */
size_t folio_csv_cell_skip(const char *s, size_t n);
void folio_buf_reset(folio_buf *b);
void folio_buf_free(folio_buf *b);

/* ---- bounded append into a fixed buffer ----------------------------------- */

/* Append printf-formatted text at buf[*len] for a buffer of `cap` bytes.
 * Never writes past buf[cap-1]; buf stays NUL-terminated.  Returns true when
 * the whole text fit; on truncation the text ends in "..." (cap >= 4), *len is
 * cap-1 and every later call returns false without writing.  For messages
 * only: text that lands on a statement must go into a growable folio_buf
 * (a cut text there would be a quietly different statement).  Never use the
 * `len += snprintf(buf + len, cap - len, ...)` idiom: once len passes cap the
 * size wraps and the write runs past the buffer. */
bool folio_str_appendf(char *buf, size_t cap, size_t *len, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

/* ---- UTF-8 --------------------------------------------------------------- */

/* Length of the valid UTF-8 prefix... returns true when s[0..n) is entirely
 * valid UTF-8 (no overlongs, no surrogates, <= U+10FFFF); on failure *bad_at
 * is the byte offset of the first bad sequence. */
bool folio_utf8_valid(const char *s, size_t n, size_t *bad_at);
/* Decode one code point at s (valid UTF-8 assumed); returns bytes used. */
int folio_utf8_next(const char *s, size_t n, uint32_t *cp);

/* ---- files --------------------------------------------------------------- */

/* Every input folio reads (job, layout, catalogues, feeds, fonts, ICC
 * profile, the files verify and afpdump read) is opened by this one helper,
 * so a FIFO, a device, a socket or a directory given as an input can neither
 * hang the run nor be read as data:
 *   1. stat(path): anything but a regular file is refused without opening it
 *      (opening a tape rewinds it, a tty may become the controlling one);
 *   2. open(O_RDONLY | O_NONBLOCK | O_NOCTTY | O_CLOEXEC): a FIFO swapped in
 *      after the stat cannot block the open;
 *   3. fstat(fd): the file really opened must be regular (S_ISREG);
 *   4. O_NONBLOCK is cleared, so reads behave as usual.
 * `key` names where the path comes from ("feeds[2].path", "layout", "font
 * 'body'") and NULL when the path itself says it; messages:
 *   "KEY: PATH: cannot open: REASON"      code `open_code`
 *   "KEY: PATH: is a FIFO, not a regular file"   FOLIO_EXIT_USAGE
 * open_code: FOLIO_EXIT_USAGE for a file a job or layout names,
 * FOLIO_EXIT_FAILED where a missing file is an operational failure (a feed
 * not delivered yet, an output being verified).  Returns the fd (caller
 * closes) or -1; *st, when not NULL, gets the fstat of the open file. */
struct stat;
int folio_input_open(const char *path, const char *key, int open_code, struct stat *st,
                     folio_error *err);
/* The same as a stdio stream ("rb"); NULL on failure. */
FILE *folio_input_fopen(const char *path, const char *key, int open_code,
                                   folio_error *err);
/* "a FIFO", "a directory", "a character device", "a block device",
 * "a socket", "a symbolic link" or "a special file" for a st_mode. */
const char *folio_file_kind(unsigned mode);

/* SHA-256 of a whole file as 64 lowercase hex chars + NUL. */
bool folio_sha256_file(const char *path, char hex[65], uint64_t *bytes,
                       folio_error *err);
void folio_sha256_hex(const void *data, size_t n, char hex[65]);

/* An input file as folio read it: the size and SHA-256 of the very bytes
 * that were parsed (taken at load, not by re-reading the path later, which
 * may by then hold other bytes).  The manifest records these. */
typedef struct folio_input_id {
    uint64_t bytes;
    char sha256[65];
} folio_input_id;

/* Write a file atomically: data goes to "path.tmp-PID", fsync, rename.
 * (Not for `folio run`'s outputs: those use the _excl forms below.) */
bool folio_write_file_atomic(const char *path, const void *data, size_t n,
                             folio_error *err);

/* The same, written in pieces, for files too large to hold in memory:
 * open, write as often as needed (folio_afile_drain writes a buffer out and
 * empties it once it holds `at_least` bytes), commit (fsync, rename) or
 * abort (remove).  After a failed write, commit fails and removes the file. */
typedef struct folio_afile {
    int fd;
    char path[4096], tmp[4200];
    folio_error err;             /* the first failure */
} folio_afile;
bool folio_afile_open(folio_afile *f, const char *path, folio_error *err);
bool folio_afile_write(folio_afile *f, const void *data, size_t n);
bool folio_afile_drain(folio_afile *f, folio_buf *b, size_t at_least);
bool folio_afile_commit(folio_afile *f, folio_error *err);
void folio_afile_abort(folio_afile *f);
/* mkdir -p */
bool folio_mkdirs(const char *path, folio_error *err);

/* Output files of a run (`folio run` writes every output under a ".part"
 * name and renames it when publishing, src/publish.c): create path for
 * writing only if nothing of that name exists (O_EXCL), never through a
 * symbolic link (O_NOFOLLOW).  folio_create_excl returns the fd or -1 with
 * errno set; folio_fopen_excl the stream or NULL. */
int folio_create_excl(const char *path);
FILE *folio_fopen_excl(const char *path);
/* folio_afile written straight to path (created as above, no temporary
 * name): commit fsyncs and closes, abort removes it. */
bool folio_afile_open_excl(folio_afile *f, const char *path, folio_error *err);
/* The whole file at once, straight to path (as folio_afile_open_excl). */
bool folio_write_file_excl(const char *path, const void *data, size_t n, folio_error *err);

/* Set to the signal number by the SIGINT/SIGTERM/SIGHUP handler of `folio
 * run`, `folio merge` and `folio partition` (cli-run.c, cli-merge.c,
 * cli-partition.c; the library installs no handler).
 * Every long loop of the library polls it (per record, household or page,
 * a cheap read) and stops with an error, so a stop request is honoured
 * within a fraction of a second in every phase.  Inside an OpenMP loop the
 * remaining iterations are skipped. */
extern volatile int folio_stop;     /* sig_atomic_t (checked in common.c) */
/* Record "interrupted by signal N; nothing was published" and return true
 * when a stop was requested; false otherwise. */
bool folio_stopped(folio_error *err);
/* Test hook (e2e, r-harden round 25): with FOLIO_TEST_STOP_STALL=MS set,
 * once a stop is requested (folio_stop) each tick of a long loop (the run's
 * and the work files' trim ticks, and merge's row loops every 4096 rows:
 * merge.c merge_tick, call this) sleeps MS milliseconds: a loop
 * that goes on after a SIGTERM instead of checking folio_stop then takes
 * its ticks x MS to end, which a test measures.  `stopping`: the caller's
 * own stop request (a run that gave up its record files).  Nothing without
 * the variable. */
void folio_test_stop_stall(bool stopping);

#endif
