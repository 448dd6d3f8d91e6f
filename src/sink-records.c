/* SPDX-License-Identifier: Apache-2.0 */
/*
 * sink-records.c -- the record sinks and the record ring (sink.h, issue
 * 11), and the buffered file the pieces and record sinks write through
 * (sink-file.h).
 */
#include "folio/sink.h"
#include "sink-file.h"

#include <errno.h>
#include <fcntl.h>
#include <openssl/evp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* 256 KiB: the four record files are open together (the writers they
 * replace, one at a time, drained at 1 MiB): peak RSS no higher */
#define SINK_FILE_BUF ((size_t)256 << 10)

/* ---- sink_file ------------------------------------------------------------ */

bool sink_file_open(sink_file *f, const char *path, bool create, bool sha256,
                    folio_error *err)
{
    memset(f, 0, sizeof *f);
    f->fd = -1;
    if (!(f->path = strdup(path))) {
        folio_error_set(err, FOLIO_EXIT_FAILED, "out of memory");
        return false;
    }
    f->fd = create ? folio_create_excl(path)
                   : open(path, O_WRONLY | O_TRUNC | O_NOFOLLOW | O_CLOEXEC);
    if (f->fd < 0) {
        folio_error_set(err, FOLIO_EXIT_FAILED, "%s: cannot %s: %s", path,
                        create ? "create" : "open", strerror(errno));
        free(f->path);
        return false;
    }
    if (sha256) {
        EVP_MD_CTX *md = EVP_MD_CTX_new();
        if (!md || !EVP_DigestInit_ex(md, EVP_sha256(), NULL)) {
            EVP_MD_CTX_free(md);
            folio_error_set(err, FOLIO_EXIT_FAILED, "%s: cannot start SHA-256", path);
            sink_file_abort(f);
            return false;
        }
        f->md = md;
    }
    folio_buf_init(&f->b, SINK_FILE_BUF * 2);
    return true;
}

static void flush(sink_file *f)
{
    if (f->err.code || !f->b.len)
        return;
    if (f->md && !EVP_DigestUpdate(f->md, f->b.data, f->b.len))
        folio_error_set(&f->err, FOLIO_EXIT_FAILED, "%s: SHA-256 failed", f->path);
    const char *p = f->b.data;
    size_t n = f->b.len;
    while (n && !f->err.code) {
        ssize_t w = write(f->fd, p, n);
        if (w < 0) {
            if (errno == EINTR)
                continue;
            folio_error_set(&f->err, FOLIO_EXIT_FAILED, "%s: write failed: %s", f->path,
                            strerror(errno));
            break;
        }
        p += w;
        n -= (size_t)w;
    }
    f->bytes += f->b.len;
    f->b.len = 0;
}

void sink_file_put(sink_file *f, const void *data, size_t n)
{
    if (f->err.code)
        return;
    if (f->b.len + n > SINK_FILE_BUF)
        flush(f);
    if (n > SINK_FILE_BUF) {               /* larger than the buffer: straight on */
        folio_buf big = {.data = (char *)data, .len = n};
        folio_buf keep = f->b;
        f->b = big;
        flush(f);
        f->b = keep;
        return;
    }
    if (!folio_buf_append(&f->b, data, n))
        folio_error_set(&f->err, FOLIO_EXIT_FAILED, "%s: out of memory", f->path);
}

static void release(sink_file *f)
{
    if (f->md)
        EVP_MD_CTX_free(f->md);
    f->md = NULL;
    folio_buf_free(&f->b);
    free(f->path);
    f->path = NULL;
}

void sink_file_abort(sink_file *f)
{
    if (f->fd >= 0) {
        close(f->fd);
        unlink(f->path);
    }
    f->fd = -1;
    release(f);
}

bool sink_file_close(sink_file *f, bool sync, uint64_t *bytes, char sha256[65],
                     folio_error *err)
{
    flush(f);
    if (!f->err.code) {
        int rs = sync ? fsync(f->fd) : 0, e = errno;
        int rc = close(f->fd);
        if (rc != 0 && rs == 0)
            e = errno;
        f->fd = -1;
        if (rs != 0 || rc != 0) {
            folio_error_set(&f->err, FOLIO_EXIT_FAILED, "%s: write failed: %s", f->path,
                            strerror(e));
            unlink(f->path);
        }
    }
    if (f->err.code) {
        *err = f->err;
        sink_file_abort(f);
        return false;
    }
    *bytes = f->bytes;
    if (sha256)
        sha256[0] = '\0';
    if (f->md && sha256) {
        unsigned char md[EVP_MAX_MD_SIZE];
        unsigned int mdlen = 0;
        if (!EVP_DigestFinal_ex(f->md, md, &mdlen) || mdlen != 32) {
            folio_error_set(err, FOLIO_EXIT_FAILED, "%s: SHA-256 failed", f->path);
            unlink(f->path);
            release(f);
            return false;
        }
        for (unsigned i = 0; i < 32; i++)
            snprintf(sha256 + 2 * i, 3, "%02x", md[i]);
    }
    release(f);
    return true;
}

/* ---- the record file sink ------------------------------------------------- */

typedef struct record_file {
    sink_file f;
    size_t next_seq;              /* the lowest seq the next record may have */
    uint32_t records;
} record_file;

static void *rf_open(const void *opt, const char *path, folio_error *err)
{
    const folio_sink_record_file_options *o = opt;
    record_file *s = calloc(1, sizeof *s);
    if (!s) {
        folio_error_set(err, FOLIO_EXIT_FAILED, "out of memory");
        return NULL;
    }
    if (!sink_file_open(&s->f, path, true, false, err)) {
        free(s);
        return NULL;
    }
    if (o && o->head_len)
        sink_file_put(&s->f, o->head, o->head_len);
    return s;
}

static bool rf_add(void *self, const folio_record *rec, folio_error *err)
{
    record_file *s = self;
    if (rec->seq < s->next_seq) {
        folio_error_set(err, FOLIO_EXIT_FAILED,
                        "internal error: %s: record %zu after record %zu", s->f.path, rec->seq,
                        s->next_seq - 1);
        return false;
    }
    s->next_seq = rec->seq + 1;
    s->records++;
    sink_file_put(&s->f, rec->data, rec->len);
    if (s->f.err.code) {
        *err = s->f.err;
        return false;
    }
    return true;
}

static bool rf_close(void *self, folio_sink_result *res, folio_error *err)
{
    record_file *s = self;
    folio_sink_result r = {.statements = s->records};
    bool ok = sink_file_close(&s->f, true, &r.bytes, r.sha256, err);
    if (ok && res)
        *res = r;
    free(s);
    return ok;
}

static void rf_abort(void *self)
{
    record_file *s = self;
    sink_file_abort(&s->f);
    free(s);
}

const folio_record_sink_type folio_sink_record_file = {
    .name = "records", .open = rf_open, .add_record = rf_add, .close = rf_close,
    .abort = rf_abort};

/* ---- the record ring ------------------------------------------------------ */

bool folio_record_ring_run(folio_record_ring *r, folio_error *err)
{
    int n = r->n_sinks;
    if (n < 0 || n > FOLIO_RECORD_RING_MAX) {
        folio_error_set(err, FOLIO_EXIT_FAILED, "internal error: %d record sinks", n);
        return false;
    }
    void *self[FOLIO_RECORD_RING_MAX] = {0};
    folio_buf out[FOLIO_RECORD_RING_MAX];
    for (int j = 0; j < n; j++)
        folio_buf_init(&out[j], (size_t)1 << 30);
    bool ok = true;
    int opened = 0;
    for (; ok && opened < n; opened++)
        if (!(self[opened] = r->type[opened]->open(r->opt[opened], r->path[opened], err)))
            ok = false;
    for (size_t i = 0; ok && i < r->n; i++) {
        for (int j = 0; j < n; j++)
            out[j].len = 0;
        if (!(ok = r->make(r->ctx, i, out, err)))
            break;
        for (int j = 0; ok && j < n; j++) {
            if (out[j].failed) {
                folio_error_set(err, FOLIO_EXIT_FAILED, "%s: out of memory", r->path[j]);
                ok = false;
            } else if (out[j].len) {
                folio_record rec = {.seq = i, .data = out[j].data, .len = out[j].len};
                ok = r->type[j]->add_record(self[j], &rec, err);
            }
        }
    }
    if (ok && r->done)
        ok = r->done(r->ctx, err);
    for (int j = 0; j < n; j++) {
        if (!self[j])
            continue;
        if (ok) {
            folio_sink_result tmp, *res = r->res ? &r->res[j] : &tmp;
            ok = r->type[j]->close(self[j], res, err);
        } else {
            r->type[j]->abort(self[j]);
        }
        self[j] = NULL;
    }
    for (int j = 0; j < n; j++)
        folio_buf_free(&out[j]);
    return ok;
}
