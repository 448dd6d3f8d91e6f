/* SPDX-License-Identifier: Apache-2.0 */
/*
 * production.c -- mail streams, presort, splitting and mail pieces
 * (see include/folio/production.h for the order of calls).
 *
 * Algorithm of production_plan_new():
 *   1. stream of every statement: first stream whose conditions all hold;
 *   2. one index array sorted by (stream, postal key, household id, input
 *      index) -- a total order, so the result does not depend on qsort;
 *   3. walk it once: a new file starts at each new stream and whenever the
 *      next statement would push the file above max_sheets (a statement
 *      larger than max_sheets sits alone in its file, flagged oversize);
 *      pieces are numbered in that walk, so ids and serials follow print
 *      order.
 * Everything is O(n log n) in the number of print statements, single
 * threaded (a million statements plan in well under a second).
 */
#include "folio/production.h"

#include "yamltree.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* folio_channel values (compose.h); kept here so production does not depend
 * on the composer. */
enum { CH_PRINT = 0, CH_BOTH = 2 };

/* ---- options ------------------------------------------------------------- */

static const char *const OPT_STREAM_KEYS[] = {
    "name", "foreign", "min_sheets", "max_sheets", "segment", "state", "country",
    "channel", "household_ids", NULL};
static const char *const OPT_PIECES_KEYS[] = {"serial_start", "mailer_id", NULL};

static void stream_free(folio_stream_def *s)
{
    free(s->name);
    yt_strv_free(s->segments, s->n_segments);
    yt_strv_free(s->states, s->n_states);
    yt_strv_free(s->countries, s->n_countries);
    yt_strv_free(s->household_ids, s->n_household_ids);
}

/* production_options_free: free options and every stream; NULL is fine. */
void production_options_free(folio_production_options *o)
{
    if (!o)
        return;
    for (int i = 0; i < o->n_streams; i++)
        stream_free(&o->streams[i]);
    free(o->streams);
    free(o->mailer_id);
    free(o);
}

static folio_stream_def *stream_push(folio_production_options *o, const char *name)
{
    folio_stream_def *v = realloc(o->streams, ((size_t)o->n_streams + 1) * sizeof *v);
    if (!v)
        return NULL;
    o->streams = v;
    folio_stream_def *s = &v[o->n_streams];
    memset(s, 0, sizeof *s);
    s->foreign = -1;
    s->channel = -1;
    if (!(s->name = strdup(name)))
        return NULL;
    o->n_streams++;
    return s;
}

static bool has_conditions(const folio_stream_def *s)
{
    return s->foreign >= 0 || s->channel >= 0 || s->min_sheets || s->max_sheets ||
           s->n_segments || s->n_states || s->n_countries || s->n_household_ids;
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* production_options_default: foreign / flats (> 10 sheets) / letters. */
folio_production_options *production_options_default(void)
{
    folio_production_options *o = calloc(1, sizeof *o);
    if (!o)
        return NULL;
    o->serial_start = 1;
    folio_stream_def *s;
    if (!(s = stream_push(o, "foreign")))
        goto oom;
    s->foreign = 1;
    if (!(s = stream_push(o, "flats")))
        goto oom;
    s->min_sheets = 11;
    if (!stream_push(o, "letters"))
        goto oom;
    return o;
oom:
    production_options_free(o);
    return NULL;
}

static bool valid_name(const char *s)
{
    size_t n = strlen(s);
    if (n == 0 || n > FOLIO_STREAM_NAME_MAX)
        return false;
    for (; *s; s++)
        if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') || (*s >= '0' && *s <= '9') ||
              *s == '-' || *s == '_'))
            return false;
    return true;
}

static bool read_stream(yt_doc *d, const yt_node *n, const char *where,
                        folio_production_options *o)
{
    if (!yt_expect_map(d, n, where) || !yt_check_keys(d, n, where, OPT_STREAM_KEYS))
        return false;
    char *name = NULL;
    if (yt_str(d, n, where, "name", true, &name) < 0)
        return false;
    const yt_node *nn = yt_get(n, "name");
    if (!valid_name(name)) {
        yt_fail(d, nn, "'%s.name' must be 1 to %d letters, digits, '-' or '_', got '%s'", where,
                FOLIO_STREAM_NAME_MAX, name);
        free(name);
        return false;
    }
    if (!strcmp(name, "suppressed")) {
        yt_fail(d, nn, "'%s.name': 'suppressed' is reserved (suppressed households are "
                "never printed)", where);
        free(name);
        return false;
    }
    for (int i = 0; i < o->n_streams; i++)
        if (!strcmp(o->streams[i].name, name)) {
            yt_fail(d, nn, "'%s.name': stream '%s' is defined twice", where, name);
            free(name);
            return false;
        }
    folio_stream_def *s = stream_push(o, name);
    free(name);
    if (!s) {
        folio_error_set(d->err, FOLIO_EXIT_FAILED, "%s: out of memory", d->path);
        return false;
    }
    s->line = n->line;
    bool fb;
    int r = yt_bool(d, n, where, "foreign", false, &fb);
    if (r < 0)
        return false;
    if (r > 0)
        s->foreign = fb ? 1 : 0;
    int64_t v = 0;
    if ((r = yt_int(d, n, where, "min_sheets", false, 1, 1000000, &v)) < 0)
        return false;
    if (r > 0)
        s->min_sheets = (uint32_t)v;
    if ((r = yt_int(d, n, where, "max_sheets", false, 1, 1000000, &v)) < 0)
        return false;
    if (r > 0)
        s->max_sheets = (uint32_t)v;
    if (s->min_sheets && s->max_sheets && s->min_sheets > s->max_sheets)
        return yt_fail(d, yt_get(n, "max_sheets"), "'%s.max_sheets' (%u) is below min_sheets "
                       "(%u): no statement could match", where, s->max_sheets, s->min_sheets);
    static const char *const channels[] = {"print", "both", NULL};
    int ch;
    if ((r = yt_enum(d, n, where, "channel", false, channels, &ch)) < 0)
        return false;
    if (r > 0)
        s->channel = ch == 0 ? CH_PRINT : CH_BOTH;
    if (yt_strv(d, n, where, "segment", false, &s->segments, &s->n_segments) < 0 ||
        yt_strv(d, n, where, "state", false, &s->states, &s->n_states) < 0 ||
        yt_strv(d, n, where, "country", false, &s->countries, &s->n_countries) < 0 ||
        yt_strv(d, n, where, "household_ids", false, &s->household_ids,
                &s->n_household_ids) < 0)
        return false;
    if (s->n_household_ids)
        qsort(s->household_ids, (size_t)s->n_household_ids, sizeof *s->household_ids, cmp_str);
    return true;
}

static bool read_pieces(yt_doc *d, const yt_node *p, folio_production_options *o)
{
    const char *where = "output.pieces";
    if (!yt_expect_map(d, p, where) || !yt_check_keys(d, p, where, OPT_PIECES_KEYS))
        return false;
    if (yt_str(d, p, where, "mailer_id", false, &o->mailer_id) < 0)
        return false;
    if (o->mailer_id) {
        size_t n = strlen(o->mailer_id);
        bool ok = n == 6 || n == 9;
        for (const char *c = o->mailer_id; *c && ok; c++)
            ok = *c >= '0' && *c <= '9';
        if (!ok)
            return yt_fail(d, yt_get(p, "mailer_id"), "'%s.mailer_id' must be 6 or 9 digits "
                           "(the USPS mailer id), got '%s'", where, o->mailer_id);
    }
    int digits = production_serial_digits(o->mailer_id);
    int64_t max = 1;
    for (int i = 0; i < digits; i++)
        max *= 10;
    int64_t v = (int64_t)o->serial_start;
    if (yt_int(d, p, where, "serial_start", false, 0, max - 1, &v) < 0)
        return false;
    o->serial_start = (uint64_t)v;
    return true;
}

/* production_options_read: output.streams and output.pieces (see header). */
bool production_options_read(struct yt_doc *d, const struct yt_node *output,
                             folio_production_options **out)
{
    *out = NULL;
    const yt_node *sl = output ? yt_get(output, "streams") : NULL;
    const yt_node *pk = output ? yt_get(output, "pieces") : NULL;
    folio_production_options *o;
    if (!sl) {
        o = production_options_default();
    } else {
        o = calloc(1, sizeof *o);
        if (o)
            o->serial_start = 1;
    }
    if (!o) {
        folio_error_set(d->err, FOLIO_EXIT_FAILED, "%s: out of memory", d->path);
        return false;
    }
    if (sl) {
        if (!yt_expect_seq(d, sl, "output.streams"))
            goto fail;
        if (sl->n == 0) {
            yt_fail(d, sl, "'output.streams' is empty: list at least one stream, or leave "
                    "the key out for the default streams (foreign, flats, letters)");
            goto fail;
        }
        if (sl->n > 64) {
            yt_fail(d, sl, "'output.streams' has %d streams, at most 64 are allowed", sl->n);
            goto fail;
        }
        for (int i = 0; i < sl->n; i++) {
            char where[64];
            snprintf(where, sizeof where, "output.streams[%d]", i);
            if (!read_stream(d, sl->items[i], where, o))
                goto fail;
        }
        if (has_conditions(&o->streams[o->n_streams - 1])) {
            for (int i = 0; i < o->n_streams; i++)
                if (!strcmp(o->streams[i].name, "other")) {
                    yt_fail(d, sl->items[i], "'output.streams[%d].name': 'other' is the "
                            "default stream folio adds after a last stream with conditions; "
                            "make 'other' the last stream, without conditions", i);
                    goto fail;
                }
            if (!stream_push(o, "other")) {
                folio_error_set(d->err, FOLIO_EXIT_FAILED, "%s: out of memory", d->path);
                goto fail;
            }
            o->default_added = true;
        }
    }
    if (pk && !read_pieces(d, pk, o))
        goto fail;
    *out = o;
    return true;
fail:
    production_options_free(o);
    return false;
}

/* production_serial_digits: 15 digits minus the mailer id's. */
int production_serial_digits(const char *mailer_id)
{
    return mailer_id && strlen(mailer_id) == 9 ? 6 : 9;
}

/* ---- stream assignment ---------------------------------------------------- */

/* production_is_us: empty, US, USA, United States (any case). */
bool production_is_us(const char *c)
{
    if (!c)
        return true;
    while (*c == ' ')
        c++;
    return !*c || !strcasecmp(c, "US") || !strcasecmp(c, "USA") ||
           !strcasecmp(c, "United States") || !strcasecmp(c, "United States of America");
}

static bool in_list_ci(char *const *v, int n, const char *s)
{
    for (int i = 0; i < n; i++)
        if (!strcasecmp(v[i], s ? s : ""))
            return true;
    return false;
}

static bool in_list(char *const *v, int n, const char *s)
{
    for (int i = 0; i < n; i++)
        if (!strcmp(v[i], s ? s : ""))
            return true;
    return false;
}

/* production_stream_of: first stream whose conditions all hold. */
int production_stream_of(const folio_production_options *o, const folio_piece_input *in,
                         bool duplex)
{
    uint32_t sheets = production_sheets(in->pages, duplex);
    bool foreign = !production_is_us(in->country);
    for (int i = 0; i < o->n_streams; i++) {
        const folio_stream_def *s = &o->streams[i];
        if (s->returned_only != in->returned)
            continue;
        if (s->foreign >= 0 && (s->foreign == 1) != foreign)
            continue;
        if (s->channel >= 0 && s->channel != in->channel)
            continue;
        if (s->min_sheets && sheets < s->min_sheets)
            continue;
        if (s->max_sheets && sheets > s->max_sheets)
            continue;
        if (s->n_segments && !in_list(s->segments, s->n_segments, in->segment))
            continue;
        if (s->n_states && !in_list_ci(s->states, s->n_states, in->state))
            continue;
        if (s->n_countries && !in_list_ci(s->countries, s->n_countries, in->country))
            continue;
        if (s->n_household_ids) {
            const char *key = in->household ? in->household : "";
            if (!bsearch(&key, s->household_ids, (size_t)s->n_household_ids,
                         sizeof *s->household_ids, cmp_str))
                continue;
        }
        return i;
    }
    return -1;
}

/* ---- presort ---------------------------------------------------------------- */

/* production_postal_key: see header. */
size_t production_postal_key(const char *pc, const char *country, char *buf, size_t cap)
{
    size_t n = 0;
    if (!cap)
        return 0;
    bool us = production_is_us(country);
    for (const char *c = pc ? pc : ""; *c && n + 1 < cap; c++) {
        char ch = *c;
        if (ch >= '0' && ch <= '9') {
            buf[n++] = ch;
            if (us && n == 5)
                break;
        } else if (!us && ch >= 'a' && ch <= 'z') {
            buf[n++] = (char)(ch - 'a' + 'A');
        } else if (!us && ch >= 'A' && ch <= 'Z') {
            buf[n++] = ch;
        } else if (us && ch == '-') {
            break;              /* ZIP+4: the first five digits are the key */
        }
    }
    buf[n] = 0;
    return n;
}

typedef struct sort_item {
    uint32_t input;
    uint32_t stream;
    char key[24];
    const char *household;
} sort_item;

static int cmp_item(const void *a, const void *b)
{
    const sort_item *x = a, *y = b;
    if (x->stream != y->stream)
        return x->stream < y->stream ? -1 : 1;
    bool xe = !x->key[0], ye = !y->key[0];
    if (xe != ye)
        return xe ? 1 : -1;     /* no postal code: last */
    int c = strcmp(x->key, y->key);
    if (c)
        return c;
    c = strcmp(x->household, y->household);
    if (c)
        return c;
    return x->input < y->input ? -1 : x->input > y->input;
}

/* ---- the plan ------------------------------------------------------------------ */

/* production_plan_free: NULL is fine. */
void production_plan_free(folio_production_plan *p)
{
    if (!p)
        return;
    free(p->streams);
    free(p->pieces);
    free(p->files);
    free(p);
}

/* production_plan_new: streams, presort, files, pieces (see header). */
folio_production_plan *production_plan_new(const folio_production_options *o,
                                           const folio_piece_input *in, size_t n,
                                           const folio_production_params *prm,
                                           folio_error *err)
{
    if (n > UINT32_MAX - 1) {
        folio_error_set(err, FOLIO_EXIT_FAILED, "too many print statements (%zu)", n);
        return NULL;
    }
    folio_production_plan *p = calloc(1, sizeof *p);
    sort_item *items = malloc((n ? n : 1) * sizeof *items);
    if (!p || !items)
        goto oom;
    p->n_streams = (uint32_t)o->n_streams;
    p->streams = calloc(p->n_streams ? p->n_streams : 1, sizeof *p->streams);
    p->pieces = calloc(n ? n : 1, sizeof *p->pieces);
    if (!p->streams || !p->pieces)
        goto oom;
    for (uint32_t s = 0; s < p->n_streams; s++)
        p->streams[s].name = o->streams[s].name;
    p->serial_digits = production_serial_digits(o->mailer_id);
    uint64_t serial_cap = 1;
    for (int i = 0; i < p->serial_digits; i++)
        serial_cap *= 10;
    /* issue 12 part 3: shard I of N draws serial_start + (I-1) + k*N, its
     * k-th piece: shards interleave over the whole range (none gets a
     * shrinking block), `folio merge` records the next free serial as
     * next_serial_start for next month's output.pieces.serial_start */
    uint64_t serial0 = o->serial_start, serial_step = 1, serial_end = serial_cap;
    if (prm->shard_count > 0) {
        serial0 = o->serial_start + (uint64_t)(prm->shard_index - 1);
        serial_step = (uint64_t)prm->shard_count;
    }
    if (n && (serial0 >= serial_end ||
              (uint64_t)(n - 1) > (serial_end - 1 - serial0) / serial_step)) {
        folio_error_set(err, FOLIO_EXIT_USAGE,
                        "IMb serial numbers exhausted: %zu pieces from serial %llu do not fit "
                        "in %d digits%s (output.pieces.serial_start, output.pieces.mailer_id)",
                        n, (unsigned long long)serial0, p->serial_digits,
                        prm->shard_count > 0 ? " with this shard's every N-th serial" : "");
        goto fail;
    }
    for (size_t i = 0; i < n; i++) {
        int s = production_stream_of(o, &in[i], prm->duplex);
        if (s < 0) {
            folio_error_set(err, FOLIO_EXIT_FAILED,
                            "internal error: household %s matches no mail stream",
                            in[i].household);
            goto fail;
        }
        items[i].input = (uint32_t)i;
        items[i].stream = (uint32_t)s;
        items[i].household = in[i].household ? in[i].household : "";
        production_postal_key(in[i].postal_code, in[i].country, items[i].key,
                              sizeof items[i].key);
    }
    qsort(items, n, sizeof *items, cmp_item);

    uint32_t max = prm->max_sheets ? prm->max_sheets : 2000;
    const char *prefix = prm->prefix && *prm->prefix ? prm->prefix : "statements";
    size_t cap_files = 0;
    folio_prod_file *f = NULL;
    uint32_t file_no = 0;       /* per stream */
    for (size_t i = 0; i < n; i++) {
        const sort_item *it = &items[i];
        uint32_t pages = production_printed_pages(in[it->input].pages, prm->duplex);
        uint32_t sheets = production_sheets(in[it->input].pages, prm->duplex);
        bool new_stream = !f || f->stream != it->stream;
        if (new_stream || (f->n_pieces > 0 && f->sheets + sheets > max)) {
            if (p->n_files == cap_files) {
                size_t nc = cap_files ? cap_files * 2 : 16;
                folio_prod_file *nf = realloc(p->files, nc * sizeof *nf);
                if (!nf)
                    goto oom;
                p->files = nf;
                cap_files = nc;
            }
            if (new_stream) {
                file_no = 0;
                p->streams[it->stream].first_file = (uint32_t)p->n_files;
            }
            f = &p->files[p->n_files++];
            memset(f, 0, sizeof *f);
            f->stream = it->stream;
            f->first_piece = (uint32_t)i;
            file_no++;
            int w = prm->tag && *prm->tag
                        ? snprintf(f->base, sizeof f->base, "%s-%s-%s-%04u", prefix,
                                   o->streams[it->stream].name, prm->tag, file_no)
                        : snprintf(f->base, sizeof f->base, "%s-%s-%04u", prefix,
                                   o->streams[it->stream].name, file_no);
            if (w < 0 || (size_t)w >= sizeof f->base) {
                folio_error_set(err, FOLIO_EXIT_USAGE, "print file name too long: %s-%s-...",
                                prefix, o->streams[it->stream].name);
                goto fail;
            }
            p->streams[it->stream].n_files++;
        }
        folio_prod_piece *pc = &p->pieces[i];
        if (prm->shard_count > 0)
            snprintf(pc->id, sizeof pc->id, "P%02d-%07u", prm->shard_index, (unsigned)(i + 1));
        else
            snprintf(pc->id, sizeof pc->id, "P%07u", (unsigned)(i + 1));
        pc->input = it->input;
        pc->stream = it->stream;
        pc->file = (uint32_t)(p->n_files - 1);
        pc->pages = pages;
        pc->sheets = sheets;
        pc->first_page = f->pages + 1;
        pc->serial = serial0 + (uint64_t)i * serial_step;
        f->n_pieces++;
        f->pages += pages;
        f->sheets += sheets;
        if (f->sheets > max && !f->oversize) {
            f->oversize = true;         /* a single statement above the maximum */
            p->oversize_files++;
        }
        folio_prod_stream *st = &p->streams[it->stream];
        st->statements++;
        st->pages += pages;
        st->sheets += sheets;
    }
    p->n_pieces = n;
    free(items);
    return p;
oom:
    folio_error_set(err, FOLIO_EXIT_FAILED, "out of memory planning print production");
fail:
    free(items);
    production_plan_free(p);
    return NULL;
}

/* production_pieces_header / _row / _csv: the inserter data rows (see
 * header); issue 11: a row at a time for the pieces sink (sink-pieces.c). */
void production_pieces_header(folio_buf *b)
{
    folio_buf_puts(b, "piece_id,household,sheets,pages,file,first_page,last_page,imb_serial,"
                      "stream\n");
}

void production_pieces_row(const folio_production_plan *plan, size_t piece,
                           const folio_piece_input *in, const char *file_name, folio_buf *b)
{
    const folio_prod_piece *pc = &plan->pieces[piece];
    const char *stream = plan->streams[pc->stream].name;
    const char *hh = in[pc->input].household ? in[pc->input].household : "";
    char serial[24];
    snprintf(serial, sizeof serial, "%0*llu", plan->serial_digits,
             (unsigned long long)pc->serial);
    folio_buf_put_csv_field(b, pc->id, strlen(pc->id));
    folio_buf_putc(b, ',');
    folio_buf_put_csv_field(b, hh, strlen(hh));
    folio_buf_putc(b, ',');
    folio_buf_put_int(b, pc->sheets);
    folio_buf_putc(b, ',');
    folio_buf_put_int(b, pc->pages);
    folio_buf_putc(b, ',');
    folio_buf_put_csv_field(b, file_name, strlen(file_name));
    folio_buf_putc(b, ',');
    folio_buf_put_int(b, pc->first_page);
    folio_buf_putc(b, ',');
    folio_buf_put_int(b, (int64_t)pc->first_page + pc->pages - 1);
    folio_buf_putc(b, ',');
    folio_buf_puts(b, serial);
    folio_buf_putc(b, ',');
    folio_buf_put_csv_field(b, stream, strlen(stream));
    folio_buf_putc(b, '\n');
}

bool production_pieces_csv(const folio_production_plan *plan, size_t file,
                           const folio_piece_input *in, const char *file_name, folio_buf *b)
{
    const folio_prod_file *f = &plan->files[file];
    production_pieces_header(b);
    for (uint32_t k = 0; k < f->n_pieces; k++)
        production_pieces_row(plan, f->first_piece + k, in, file_name, b);
    return !b->failed;
}
