/* SPDX-License-Identifier: Apache-2.0 */
/*
 * zip.c -- zip writer and reader (folio/zip.h), zlib for CRC-32 and deflate.
 *
 * All integers are little endian.  A file is
 *
 *     [local header 1][data 1] ... [local header n][data n]
 *     [central header 1] ... [central header n]
 *     [ZIP64 end of central directory record]     only when needed
 *     [ZIP64 end of central directory locator]    only when needed
 *     [end of central directory record]
 *
 * Local file header (written by zip_add, before the data):
 *
 *   OFFSET SIZE DESCRIPTION
 *      0     4  signature 0x04034b50 ("PK\3\4")
 *      4     2  version needed to extract: 20 (2.0)
 *      6     2  general purpose flags: bit 11 = name is UTF-8 (set when
 *               the name has a byte >= 0x80), nothing else
 *      8     2  method: 0 stored, 8 deflated
 *     10     2  DOS time (00:00:00 -> 0)
 *     12     2  DOS date ((year-1980) << 9 | month << 5 | day)
 *     14     4  CRC-32 of the uncompressed data
 *     18     4  compressed size
 *     22     4  uncompressed size
 *     26     2  n = name length
 *     28     2  m = extra field length (0: an entry is < 4 GiB, so its
 *               sizes always fit here)
 *     30     n  name
 *
 * Central directory header (kept in memory, written by zip_close):
 *
 *   OFFSET SIZE DESCRIPTION
 *      0     4  signature 0x02014b50 ("PK\1\2")
 *      4     2  version made by: 3 << 8 (Unix) | 45 (4.5, ZIP64)
 *      6     2  version needed: 45 when this entry has a ZIP64 extra, else 20
 *      8     2  flags (as in the local header)
 *     10     2  method
 *     12     4  DOS time, DOS date
 *     16     4  CRC-32
 *     20     4  compressed size
 *     24     4  uncompressed size
 *     28     2  n = name length
 *     30     2  m = extra length: 12 with a ZIP64 extra, else 0
 *     32     2  comment length (0)
 *     34     2  disk number start (0)
 *     36     2  internal attributes (0)
 *     38     4  external attributes: 0100644 << 16 (regular file rw-r--r--)
 *     42     4  local header offset, 0xFFFFFFFF when it is >= 4 GiB
 *     46     n  name
 *   46+n     m  ZIP64 extra: id 0x0001 (2), size 8 (2), local header
 *               offset (8) -- the only field that can overflow here
 *
 * ZIP64 end of central directory record (when entries >= 0xFFFF or the
 * directory's offset or size >= 0xFFFFFFFF):
 *
 *   OFFSET SIZE DESCRIPTION
 *      0     4  signature 0x06064b50 ("PK\6\6")
 *      4     8  size of the rest of the record: 44
 *     12     2  version made by (as above)
 *     14     2  version needed: 45
 *     16     4  number of this disk (0)
 *     20     4  disk where the central directory starts (0)
 *     24     8  entries on this disk
 *     32     8  entries in total
 *     40     8  size of the central directory
 *     48     8  offset of the central directory
 *
 * ZIP64 end of central directory locator:
 *
 *      0     4  signature 0x07064b50 ("PK\6\7")
 *      4     4  disk with the ZIP64 end record (0)
 *      8     8  offset of the ZIP64 end record
 *     16     4  total number of disks (1)
 *
 * End of central directory record (always last):
 *
 *      0     4  signature 0x06054b50 ("PK\5\6")
 *      4     2  number of this disk (0)
 *      6     2  disk where the central directory starts (0)
 *      8     2  entries on this disk      } 0xFFFF when >= 0xFFFF: read the
 *     10     2  entries in total          } ZIP64 record
 *     12     4  size of the central directory   } 0xFFFFFFFF when it does
 *     16     4  offset of the central directory } not fit: ZIP64 record
 *     20     2  comment length (0)
 */
#include "folio/zip.h"

#include <errno.h>
#include <openssl/evp.h>
#include <stdint.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

#define ZIP_SIG_LOCAL 0x04034b50u
#define ZIP_SIG_CENTRAL 0x02014b50u
#define ZIP_SIG_END 0x06054b50u
#define ZIP_SIG_END64 0x06064b50u
#define ZIP_SIG_LOC64 0x07064b50u
#define ZIP_MADE_BY (3u << 8 | 45u)
#define ZIP_MAX_ENTRY 0xFFFFFFFEu          /* an entry's size must fit 32 bits */

struct folio_zip {
    FILE *fp;
    char *path;
    uint64_t off;              /* bytes written */
    uint64_t n;                /* entries */
    uint16_t dos_time, dos_date;
    folio_buf cd;              /* central directory */
    unsigned char *z;          /* deflate output */
    size_t zcap;
    EVP_MD_CTX *md;            /* r-arch: SHA-256 of the bytes written, or NULL */
    bool failed;
};

static inline unsigned char *put16(unsigned char *p, unsigned v)
{
    p[0] = (unsigned char)v;
    p[1] = (unsigned char)(v >> 8);
    return p + 2;
}

static inline unsigned char *put32(unsigned char *p, uint32_t v)
{
    p[0] = (unsigned char)v;
    p[1] = (unsigned char)(v >> 8);
    p[2] = (unsigned char)(v >> 16);
    p[3] = (unsigned char)(v >> 24);
    return p + 4;
}

static inline unsigned char *put64(unsigned char *p, uint64_t v)
{
    p = put32(p, (uint32_t)v);
    return put32(p, (uint32_t)(v >> 32));
}

static inline uint16_t get16(const unsigned char *p)
{
    return (uint16_t)(p[0] | p[1] << 8);
}

static inline uint32_t get32(const unsigned char *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static inline uint64_t get64(const unsigned char *p)
{
    return (uint64_t)get32(p) | (uint64_t)get32(p + 4) << 32;
}

/* ---- writer -------------------------------------------------------------- */

static bool zip_fail(folio_zip *z, folio_error *err, const char *why)
{
    if (!z->failed)
        folio_error_set(err, FOLIO_EXIT_FAILED, "%s: %s", z->path, why);
    z->failed = true;
    return false;
}

static bool zip_write(folio_zip *z, const void *p, size_t n, folio_error *err)
{
    if (n && fwrite(p, 1, n, z->fp) != n)
        return zip_fail(z, err, strerror(errno));
    if (n && z->md && !EVP_DigestUpdate(z->md, p, n))
        return zip_fail(z, err, "sha256 update failed");
    z->off += n;
    return true;
}

folio_zip *zip_create(const char *path, folio_date date, folio_error *err)
{
    folio_zip *z = calloc(1, sizeof *z);
    if (!z || !(z->path = strdup(path))) {
        free(z);
        folio_error_set(err, FOLIO_EXIT_FAILED, "%s: out of memory", path);
        return NULL;
    }
    z->fp = fopen(path, "wb");
    if (!z->fp) {
        folio_error_set(err, FOLIO_EXIT_FAILED, "%s: cannot create: %s", path,
                        strerror(errno));
        free(z->path);
        free(z);
        return NULL;
    }
    setvbuf(z->fp, NULL, _IOFBF, 1 << 20);
    int y = 1980, m = 1, d = 1;
    if (date != FOLIO_DATE_NONE)
        folio_date_to_ymd(date, &y, &m, &d);
    if (y < 1980)
        y = 1980, m = 1, d = 1;
    if (y > 2107)
        y = 2107;
    z->dos_date = (uint16_t)((y - 1980) << 9 | m << 5 | d);
    z->dos_time = 0;
    folio_buf_init(&z->cd, (size_t)1 << 32);
    return z;
}

uint64_t zip_entries(const folio_zip *z)
{
    return z->n;
}

uint64_t zip_offset(const folio_zip *z)
{
    return z->off;
}

/* Raw deflate of data into z->z; returns the compressed size or SIZE_MAX. */
static size_t zip_deflate(folio_zip *z, const void *data, size_t n)
{
    z_stream s;
    memset(&s, 0, sizeof s);
    if (deflateInit2(&s, 6, Z_DEFLATED, -15, 8, Z_DEFAULT_STRATEGY) != Z_OK)
        return SIZE_MAX;
    size_t bound = deflateBound(&s, (uLong)n);
    if (bound > z->zcap) {
        unsigned char *p = realloc(z->z, bound);
        if (!p) {
            deflateEnd(&s);
            return SIZE_MAX;
        }
        z->z = p;
        z->zcap = bound;
    }
    s.next_in = (Bytef *)data;
    s.avail_in = (uInt)n;
    s.next_out = z->z;
    s.avail_out = (uInt)z->zcap;
    int r = deflate(&s, Z_FINISH);
    size_t out = z->zcap - s.avail_out;
    deflateEnd(&s);
    return r == Z_STREAM_END ? out : SIZE_MAX;
}

bool zip_add(folio_zip *z, const char *name, const void *data, size_t n, int method,
             uint32_t crc, folio_error *err)
{
    if (z->failed)
        return zip_fail(z, err, "writer failed earlier");
    size_t nl = strlen(name);
    if (nl == 0 || nl > 0xFFFF)
        return zip_fail(z, err, "entry name empty or longer than 65,535 bytes");
    if (n > ZIP_MAX_ENTRY)
        return zip_fail(z, err, "entry of 4 GiB or more");
    const void *out = data;
    size_t csize = n;
    if (method == FOLIO_ZIP_DEFLATED) {
        crc = (uint32_t)crc32(crc32(0L, Z_NULL, 0), data, (uInt)n);
        csize = zip_deflate(z, data, n);
        if (csize == SIZE_MAX)
            return zip_fail(z, err, "zlib failed to deflate an entry");
        out = z->z;
    } else if (method != FOLIO_ZIP_STORED) {
        return zip_fail(z, err, "unknown zip method");
    }
    unsigned flags = 0;
    for (size_t i = 0; i < nl; i++)
        if ((unsigned char)name[i] >= 0x80)
            flags = 1u << 11;
    uint64_t local = z->off;
    unsigned char h[30], *p = h;
    p = put32(p, ZIP_SIG_LOCAL);
    p = put16(p, 20);
    p = put16(p, flags);
    p = put16(p, (unsigned)method);
    p = put16(p, z->dos_time);
    p = put16(p, z->dos_date);
    p = put32(p, crc);
    p = put32(p, (uint32_t)csize);
    p = put32(p, (uint32_t)n);
    p = put16(p, (unsigned)nl);
    put16(p, 0);
    if (!zip_write(z, h, sizeof h, err) || !zip_write(z, name, nl, err) ||
        !zip_write(z, out, csize, err))
        return false;

    bool big = local >= 0xFFFFFFFFu;
    unsigned char c[46 + 12], *q = c;
    q = put32(q, ZIP_SIG_CENTRAL);
    q = put16(q, ZIP_MADE_BY);
    q = put16(q, big ? 45 : 20);
    q = put16(q, flags);
    q = put16(q, (unsigned)method);
    q = put16(q, z->dos_time);
    q = put16(q, z->dos_date);
    q = put32(q, crc);
    q = put32(q, (uint32_t)csize);
    q = put32(q, (uint32_t)n);
    q = put16(q, (unsigned)nl);
    q = put16(q, big ? 12 : 0);
    q = put16(q, 0);
    q = put16(q, 0);
    q = put16(q, 0);
    q = put32(q, 0100644u << 16);
    q = put32(q, big ? 0xFFFFFFFFu : (uint32_t)local);
    folio_buf_append(&z->cd, c, 46);
    folio_buf_append(&z->cd, name, nl);
    if (big) {
        unsigned char *e = c + 46;
        e = put16(e, 0x0001);
        e = put16(e, 8);
        put64(e, local);
        folio_buf_append(&z->cd, c + 46, 12);
    }
    if (z->cd.failed)
        return zip_fail(z, err, "out of memory (central directory)");
    z->n++;
    return true;
}

static void zip_free(folio_zip *z)
{
    if (z->fp)
        fclose(z->fp);
    EVP_MD_CTX_free(z->md);
    folio_buf_free(&z->cd);
    free(z->z);
    free(z->path);
    free(z);
}

/* r-arch (issue 11 archive): the archive hashed each zip by reading it
 * back after closing it, a second pass over every document's bytes in the
 * serial part of the run; the digest is now taken as the bytes are written. */
bool zip_hash_start(folio_zip *z, folio_error *err)
{
    if (z->off || z->md)
        return zip_fail(z, err, "internal error: zip hash started late");
    z->md = EVP_MD_CTX_new();
    if (!z->md || !EVP_DigestInit_ex(z->md, EVP_sha256(), NULL))
        return zip_fail(z, err, "sha256 init failed");
    return true;
}

static bool zip_finish(folio_zip *z, uint64_t *bytes, char *hex, folio_error *err);

bool zip_close_sha256(folio_zip *z, uint64_t *bytes, char hex[65], folio_error *err)
{
    hex[0] = 0;
    if (!z->md) {
        folio_error_set(err, FOLIO_EXIT_FAILED, "%s: internal error: zip not hashed", z->path);
        zip_abort(z);
        return false;
    }
    return zip_finish(z, bytes, hex, err);
}

bool zip_close(folio_zip *z, uint64_t *bytes, folio_error *err)
{
    return zip_finish(z, bytes, NULL, err);
}

static bool zip_finish(folio_zip *z, uint64_t *bytes, char *hex, folio_error *err)
{
    if (bytes)
        *bytes = 0;
    bool ok = !z->failed;
    uint64_t cd_off = z->off, cd_size = z->cd.len;
    if (ok)
        ok = zip_write(z, z->cd.data ? z->cd.data : "", z->cd.len, err);
    bool z64 = z->n >= 0xFFFF || cd_off >= 0xFFFFFFFFu || cd_size >= 0xFFFFFFFFu;
    if (ok && z64) {
        uint64_t end64 = z->off;
        unsigned char r[56 + 20], *p = r;
        p = put32(p, ZIP_SIG_END64);
        p = put64(p, 44);
        p = put16(p, ZIP_MADE_BY);
        p = put16(p, 45);
        p = put32(p, 0);
        p = put32(p, 0);
        p = put64(p, z->n);
        p = put64(p, z->n);
        p = put64(p, cd_size);
        p = put64(p, cd_off);
        p = put32(p, ZIP_SIG_LOC64);
        p = put32(p, 0);
        p = put64(p, end64);
        put32(p, 1);
        ok = zip_write(z, r, sizeof r, err);
    }
    if (ok) {
        unsigned char e[22], *p = e;
        unsigned cnt = z->n >= 0xFFFF ? 0xFFFFu : (unsigned)z->n;
        p = put32(p, ZIP_SIG_END);
        p = put16(p, 0);
        p = put16(p, 0);
        p = put16(p, cnt);
        p = put16(p, cnt);
        p = put32(p, cd_size >= 0xFFFFFFFFu ? 0xFFFFFFFFu : (uint32_t)cd_size);
        p = put32(p, cd_off >= 0xFFFFFFFFu ? 0xFFFFFFFFu : (uint32_t)cd_off);
        put16(p, 0);
        ok = zip_write(z, e, sizeof e, err);
    }
    if (ok && fflush(z->fp) != 0)
        ok = zip_fail(z, err, strerror(errno));
    if (ok && fclose(z->fp) != 0)
        ok = zip_fail(z, err, strerror(errno));
    z->fp = NULL;
    if (ok && bytes)
        *bytes = z->off;
    if (ok && hex) {                    /* the digest of every byte written */
        unsigned char d[EVP_MAX_MD_SIZE];
        unsigned dn = 0;
        ok = EVP_DigestFinal_ex(z->md, d, &dn) && dn == 32;
        for (unsigned i = 0; ok && i < 32; i++)
            snprintf(hex + 2 * i, 3, "%02x", d[i]);
        if (!ok)
            zip_fail(z, err, "sha256 final failed");
    }
    zip_free(z);
    return ok;
}

void zip_abort(folio_zip *z)
{
    if (z)
        zip_free(z);
}

/* ---- reader -------------------------------------------------------------- */

static folio_zip_reader *zip_bad(folio_zip_reader *r, folio_error *err, const char *why)
{
    folio_error_set(err, FOLIO_EXIT_FAILED, "%s: not a valid zip: %s", r->path, why);
    zip_close_read(r);
    return NULL;
}

folio_zip_reader *zip_open_read(const char *path, folio_error *err)
{
    folio_zip_reader *r = calloc(1, sizeof *r);
    if (!r || !(r->path = strdup(path))) {
        free(r);
        folio_error_set(err, FOLIO_EXIT_FAILED, "%s: out of memory", path);
        return NULL;
    }
    struct stat sb;
    int fd = folio_input_open(path, NULL, FOLIO_EXIT_FAILED, &sb, err);
    if (fd < 0) {
        zip_close_read(r);
        return NULL;
    }
    r->size = (size_t)sb.st_size;
    if (r->size) {
        void *m = mmap(NULL, r->size, PROT_READ, MAP_PRIVATE, fd, 0);
        if (m == MAP_FAILED) {
            close(fd);
            folio_error_set(err, FOLIO_EXIT_FAILED, "%s: cannot map: %s", path,
                            strerror(errno));
            zip_close_read(r);
            return NULL;
        }
        r->map = m;
    }
    close(fd);
    const unsigned char *d = r->map;
    size_t n = r->size;
    if (n < 22)
        return zip_bad(r, err, "shorter than an end record");
    /* the end record: last 22 bytes plus a comment of up to 65,535 */
    size_t lo = n > 22 + 0xFFFF ? n - 22 - 0xFFFF : 0, e = SIZE_MAX;
    for (size_t i = n - 22 + 1; i-- > lo;)
        if (get32(d + i) == ZIP_SIG_END && i + 22 + get16(d + i + 20) == n) {
            e = i;
            break;
        }
    if (e == SIZE_MAX)
        return zip_bad(r, err, "no end of central directory record");
    uint64_t count = get16(d + e + 10), cd_size = get32(d + e + 12), cd_off = get32(d + e + 16);
    if (e >= 20 && get32(d + e - 20) == ZIP_SIG_LOC64) {
        uint64_t e64 = get64(d + e - 20 + 8);
        if (e64 > n - 56 || get32(d + e64) != ZIP_SIG_END64)
            return zip_bad(r, err, "ZIP64 locator points at no ZIP64 end record");
        r->zip64 = true;
        count = get64(d + e64 + 32);
        cd_size = get64(d + e64 + 40);
        cd_off = get64(d + e64 + 48);
    } else if (count == 0xFFFF || cd_size == 0xFFFFFFFFu || cd_off == 0xFFFFFFFFu) {
        return zip_bad(r, err, "end record needs ZIP64 but there is no locator");
    }
    if (cd_off > n || cd_size > n - cd_off)
        return zip_bad(r, err, "central directory outside the file");
    if (count > cd_size / 46 + 1)
        return zip_bad(r, err, "entry count larger than the central directory");
    r->entries = calloc(count ? count : 1, sizeof *r->entries);
    if (!r->entries)
        return zip_bad(r, err, "out of memory");
    size_t p = cd_off, end = cd_off + cd_size;
    for (uint64_t i = 0; i < count; i++) {
        if (end - p < 46 || get32(d + p) != ZIP_SIG_CENTRAL)
            return zip_bad(r, err, "bad central directory header");
        folio_zip_entry *z = &r->entries[r->n];
        z->flags = get16(d + p + 8);
        z->method = get16(d + p + 10);
        z->crc = get32(d + p + 16);
        z->csize = get32(d + p + 20);
        z->usize = get32(d + p + 24);
        size_t nl = get16(d + p + 28), xl = get16(d + p + 30), cl = get16(d + p + 32);
        z->local = get32(d + p + 42);
        if (end - p - 46 < nl + xl + cl)
            return zip_bad(r, err, "central directory entry runs past its end");
        /* ZIP64 extra: the fields that are all ones, in order */
        for (size_t x = p + 46 + nl; x + 4 <= p + 46 + nl + xl;) {
            unsigned id = get16(d + x), sz = get16(d + x + 2);
            if (x + 4 + sz > p + 46 + nl + xl)
                return zip_bad(r, err, "extra field runs past its entry");
            if (id == 0x0001) {
                size_t f = x + 4, fe = x + 4 + sz;
                if (z->usize == 0xFFFFFFFFu && f + 8 <= fe)
                    z->usize = get64(d + f), f += 8;
                if (z->csize == 0xFFFFFFFFu && f + 8 <= fe)
                    z->csize = get64(d + f), f += 8;
                if (z->local == 0xFFFFFFFFu && f + 8 <= fe)
                    z->local = get64(d + f);
            }
            x += 4 + sz;
        }
        /* a NUL inside a name would cut it (and make strndup's copy shorter
         * than nl, which the local-header compare below must not read past) */
        if (memchr(d + p + 46, '\0', nl))
            return zip_bad(r, err, "an entry name holds a NUL byte");
        z->name = strndup((const char *)d + p + 46, nl);
        if (!z->name)
            return zip_bad(r, err, "out of memory");
        r->n++;
        if (n < 30 || z->local > n - 30 || get32(d + z->local) != ZIP_SIG_LOCAL)
            return zip_bad(r, err, "an entry's local header is missing");
        size_t lnl = get16(d + z->local + 26), lxl = get16(d + z->local + 28);
        if (lnl != nl || nl > n - 30 - z->local ||
            memcmp(d + z->local + 30, d + p + 46, nl) != 0 ||
            get16(d + z->local + 8) != z->method)
            return zip_bad(r, err, "a local header does not match its directory entry");
        z->data = z->local + 30 + lnl + lxl;
        if (z->data > n || z->csize > n - z->data)
            return zip_bad(r, err, "an entry's data runs past the end of the file");
        if (z->data + z->csize > cd_off)
            return zip_bad(r, err, "an entry's data overlaps the central directory");
        p += 46 + nl + xl + cl;
    }
    if (p != end)
        return zip_bad(r, err, "central directory size does not match its entries");
    return r;
}

const unsigned char *zip_entry_data(folio_zip_reader *r, size_t i, void **owned,
                                    folio_error *err)
{
    *owned = NULL;
    const folio_zip_entry *z = &r->entries[i];
    const unsigned char *src = r->map + z->data;
    const unsigned char *out = src;
    if (z->method == FOLIO_ZIP_STORED) {
        if (z->csize != z->usize) {
            folio_error_set(err, FOLIO_EXIT_FAILED, "%s: %s: stored entry with two sizes",
                            r->path, z->name);
            return NULL;
        }
    } else if (z->method == FOLIO_ZIP_DEFLATED) {
        /* deflate expands at most ~1,032:1: a larger declared size is a damaged
         * (or hostile) directory, not a reason to allocate it; one inflate call
         * takes 32-bit counts (folio deflates only its small index files) */
        if (z->usize > (uint64_t)z->csize * 1032 + 64 || z->usize > UINT32_MAX ||
            z->csize > UINT32_MAX) {
            folio_error_set(err, FOLIO_EXIT_FAILED, "%s: %s: deflated entry sizes %llu/%llu "
                            "are impossible or over 4 GiB", r->path, z->name,
                            (unsigned long long)z->csize, (unsigned long long)z->usize);
            return NULL;
        }
        unsigned char *buf = malloc(z->usize ? z->usize : 1);
        if (!buf) {
            folio_error_set(err, FOLIO_EXIT_FAILED, "%s: out of memory", r->path);
            return NULL;
        }
        z_stream s;
        memset(&s, 0, sizeof s);
        int ok = inflateInit2(&s, -15) == Z_OK;
        if (ok) {
            s.next_in = (Bytef *)src;
            s.avail_in = (uInt)z->csize;
            s.next_out = buf;
            s.avail_out = (uInt)z->usize;
            ok = inflate(&s, Z_FINISH) == Z_STREAM_END && s.total_out == z->usize &&
                 s.avail_in == 0;
            inflateEnd(&s);
        }
        if (!ok) {
            free(buf);
            folio_error_set(err, FOLIO_EXIT_FAILED, "%s: %s: deflated data is damaged",
                            r->path, z->name);
            return NULL;
        }
        *owned = buf;
        out = buf;
    } else {
        folio_error_set(err, FOLIO_EXIT_FAILED, "%s: %s: unsupported method %u", r->path,
                        z->name, z->method);
        return NULL;
    }
    uLong crc = crc32(0L, Z_NULL, 0);
    for (uint64_t k = 0; k < z->usize;) {
        uint64_t step = z->usize - k > (1u << 30) ? (1u << 30) : z->usize - k;
        crc = crc32(crc, out + k, (uInt)step);
        k += step;
    }
    if ((uint32_t)crc != z->crc) {
        folio_error_set(err, FOLIO_EXIT_FAILED, "%s: %s: CRC-32 %08x, directory says %08x",
                        r->path, z->name, (unsigned)crc, (unsigned)z->crc);
        free(*owned);
        *owned = NULL;
        return NULL;
    }
    return out;
}

long zip_find(const folio_zip_reader *r, const char *name)
{
    for (size_t i = 0; i < r->n; i++)
        if (!strcmp(r->entries[i].name, name))
            return (long)i;
    return -1;
}

void zip_close_read(folio_zip_reader *r)
{
    if (!r)
        return;
    for (size_t i = 0; i < r->n; i++)
        free(r->entries[i].name);
    free(r->entries);
    if (r->map)
        munmap((void *)r->map, r->size);
    free(r->path);
    free(r);
}
