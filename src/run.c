/*
 * run.c -- `folio run` (see include/folio/run.h for the order of steps).
 *
 * Parallelism and determinism: pass 1 composes households with a dynamic
 * OpenMP schedule; per-household results go into arrays indexed by household,
 * and sums are integers, so nothing depends on scheduling.  Pass 2 gives each
 * print file to one thread; a file's bytes depend only on its statements.
 */
#include "folio/run.h"

#include "folio/afp.h"
#include "folio/archive.h"
#include "folio/compose.h"
#include "folio/exceptions.h"
#include "folio/feed.h"
#include "folio/household.h"
#include "folio/job.h"
#include "folio/layout.h"
#include "folio/offers.h"
#include "folio/marks.h"
#include "folio/paragraphs.h"
#include "folio/pdf.h"
#include "folio/production.h"
#include "folio/proof.h"
#include "print.h"
#include "publish.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <omp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}



typedef struct run_state {
    const folio_run_options *opt;
    folio_job *job;
    folio_layout *layout;
    folio_dataset *ds;
    folio_households hs;
    folio_plan *plan;
    folio_offers *offers;                 /* NULL when the job has no offers */
    char out[4096];
    /* per household */
    folio_compose_result *res;            /* res[h].audit/keys point into decided */
    char **decided;                       /* per household: audit members, '\0', keys (malloc) */
    uint8_t *in_shard;
    /* production: print statements (household order), the plan, its files */
    uint32_t *print_hh; size_t n_print;   /* household index of each print statement */
    folio_piece_input *pin;               /* production input per print statement */
    folio_production_plan *prod;
    const folio_production_options *popt;
    folio_production_options *popt_owned; /* defaults when the job has none */
    print_file *files; size_t n_files;
    folio_outdir od;                      /* OUT: its lock and directories (publish.h) */
    bool owned;                           /* OUT locked and cleaned: this run's to write */
    folio_proof_result proof;             /* proofs/ (proof.h) */
    folio_archive_result arch;            /* e-delivery archive (archive.h) */
    uint32_t *arch_doc;                   /* per household: archive document, UINT32_MAX = none */
    /* progress */
    double t0;
    double last_progress;                 /* when the load progress line was drawn */
    volatile uint64_t done;
    /* the print stage's time per stage, summed over threads (print.h) */
    double t_print_compose, t_print_prepare, t_print_write;
} run_state;

/* SIGINT / SIGTERM / SIGHUP set folio_stop (common.h): every long loop
 * (load, households, compose, print, archive, proofs, records) polls it and
 * stops, and the run fails (exit 1) through the normal cleanup, so a killed
 * run leaves no .part files and nothing that looks complete. */
static void on_signal(int sig)
{
    folio_stop = sig;
}

static bool stop_if_interrupted(folio_error *err)
{
    return !folio_stopped(err);
}

/* Test hook: with FOLIO_TEST_PHASES set, "folio: phase NAME" on stderr at
 * the start of each phase (tests/e2e signal a run in a known phase). */
static void phase(const char *name)
{
    static int on = -1;
    if (on < 0)
        on = getenv("FOLIO_TEST_PHASES") != NULL;
    if (on)
        fprintf(stderr, "folio: phase %s\n", name);
}

static bool afp_on(const run_state *R)
{
    return R->job->afp && R->job->afp->enabled;
}

static uint64_t fnv1a(const char *s)
{
    uint64_t h = 1469598103934665603ULL;
    for (; *s; s++) {
        h ^= (unsigned char)*s;
        h *= 1099511628211ULL;
    }
    return h;
}

static void progress(run_state *R, const char *what, uint64_t done, uint64_t total)
{
    if (!R->opt->progress)
        return;
    double el = now_s() - R->t0;
    double rate = el > 0 ? done / el : 0;
    double left = rate > 0 && total > done ? (total - done) / rate : 0;
    fprintf(stderr, "\r%-10s %llu/%llu  %.0f/s  elapsed %.0fs  left %.0fs   ", what,
            (unsigned long long)done, (unsigned long long)total, rate, el, left);
    fflush(stderr);
}

static void pages_progress(void *ctx, uint64_t done, uint64_t total)
{
    progress(ctx, "pages", done, total);
}

/* Loader progress: records and MB parsed, rate and time left by bytes. */
static void load_progress(void *ctx, uint64_t records, uint64_t bytes, uint64_t total)
{
    run_state *R = ctx;
    double now = now_s();
    if (now - R->last_progress < 0.2 && bytes < total)
        return;
    R->last_progress = now;
    double el = now - R->t0;
    double rate = el > 0 ? bytes / el : 0;
    double left = rate > 0 && total > bytes ? (total - bytes) / rate : 0;
    fprintf(stderr, "\r%-10s %llu records, %.0f/%.0f MB  %.1f MB/s  elapsed %.0fs  left %.0fs   ",
            "loaded", (unsigned long long)records, bytes / 1e6, total / 1e6, rate / 1e6, el,
            left);
    fflush(stderr);
}

/* Household index of the statement at position i of the print order. */
static uint32_t piece_hh(const run_state *R, size_t i)
{
    return R->print_hh[R->prod->pieces[i].input];
}

/* ---- suppressed list ----------------------------------------------------- */

static bool write_suppressed(run_state *R, const char *path, folio_money *sum_txn,
                             uint64_t *n_acc, uint64_t *n_txn, folio_error *err)
{
    const folio_dataset *ds = R->ds;
    const folio_job *J = R->job;
    folio_afile out;                    /* streamed: memory does not grow with the run */
    if (!folio_afile_open_excl(&out, path, err))
        return false;
    folio_buf b;
    folio_buf_init(&b, (size_t)1 << 30);
    folio_buf_puts(&b, "kind,id,file,line,reason,amount\n");
    *sum_txn = 0;
    *n_acc = *n_txn = 0;
    char d0[16], d1[16];
    folio_date_format(J->period_start, "YYYY-MM-DD", d0, sizeof d0);
    folio_date_format(J->period_end, "YYYY-MM-DD", d1, sizeof d1);
    char reason_txn[128];
    snprintf(reason_txn, sizeof reason_txn, "posting date outside the statement period %s..%s",
             d0, d1);
    for (size_t h = 0; h < R->hs.n && !folio_stop; h++) {
        if (!R->in_shard[h])
            continue;
        const folio_household *hh = &R->hs.v[h];
        const folio_household_plan *hp = &R->plan->households[h];
        bool hsup = hp->channel == FOLIO_CHANNEL_SUPPRESSED;
        if (hsup) {
            folio_buf_puts(&b, "household,");
            folio_buf_put_csv_field(&b, hh->id, strlen(hh->id));
            folio_buf_puts(&b, ",,,");
            folio_buf_put_csv_field(&b, hp->reason, strlen(hp->reason));
            folio_buf_puts(&b, ",\n");
        }
        for (uint32_t k = 0; k < hh->n_accounts; k++) {
            uint32_t ai = R->hs.account_idx[hh->first_account + k];
            const folio_account *a = &ds->accounts[ai];
            const folio_account_plan *ap = &R->plan->accounts[ai];
            bool asup = hsup || ap->suppressed;
            const char *areason = ap->suppressed ? ap->reason : hp->reason;
            if (asup) {
                (*n_acc)++;
                folio_buf_puts(&b, "account,");
                folio_buf_put_csv_field(&b, a->id, strlen(a->id));
                folio_buf_putc(&b, ',');
                const char *fp = J->feeds[a->feed].path;
                folio_buf_put_csv_field(&b, fp, strlen(fp));
                folio_buf_putc(&b, ',');
                folio_buf_put_int(&b, a->line);
                folio_buf_putc(&b, ',');
                folio_buf_put_csv_field(&b, areason, strlen(areason));
                folio_buf_puts(&b, ",\n");
            }
            for (uint32_t t = a->first_txn; t < a->first_txn + a->n_txn; t++) {
                bool inside = t >= ap->first && t < ap->first + ap->n;
                if (inside && !asup)
                    continue;
                const folio_txn *tx = &ds->txns[t];
                (*n_txn)++;
                if (!folio_money_add(sum_txn, tx->amount))   /* fails the commit */
                    folio_error_set(&out.err, FOLIO_EXIT_FAILED, "control totals: amount "
                                    "sum overflows: the amount suppressed");
                folio_buf_puts(&b, "transaction,");
                folio_buf_put_csv_field(&b, a->id, strlen(a->id));
                folio_buf_putc(&b, ',');
                const char *fp = J->feeds[tx->feed].path;
                folio_buf_put_csv_field(&b, fp, strlen(fp));
                folio_buf_putc(&b, ',');
                folio_buf_put_int(&b, tx->line);
                folio_buf_putc(&b, ',');
                const char *r = !inside ? reason_txn : areason;
                folio_buf_put_csv_field(&b, r, strlen(r));
                /* the amount: a number folio formats, never a formula */
                char am[40];
                folio_money_format(tx->amount, 2, '.', 0, am, sizeof am);
                folio_buf_putc(&b, ',');
                folio_buf_puts(&b, am);
                folio_buf_putc(&b, '\n');
            }
        }
        folio_afile_drain(&out, &b, (size_t)1 << 20);
    }
    folio_afile_drain(&out, &b, 0);
    folio_buf_free(&b);
    if (folio_stopped(err)) {
        folio_afile_abort(&out);
        return false;
    }
    return folio_afile_commit(&out, err);
}

/* ---- pass 1 --------------------------------------------------------------- */

/* Copy what compose decided for household h (audit members and coverage
 * keys, arena strings) to storage that lives for the run. */
static bool keep_decisions(run_state *R, size_t h, folio_error *err)
{
    folio_compose_result *res = &R->res[h];
    size_t na = strlen(res->audit), nk = strlen(res->keys);
    char *d = malloc(na + nk + 2);
    if (!d) {
        folio_error_set(err, FOLIO_EXIT_FAILED, "out of memory");
        return false;
    }
    memcpy(d, res->audit, na + 1);
    memcpy(d + na + 1, res->keys, nk + 1);
    R->decided[h] = d;
    res->audit = d;
    res->keys = d + na + 1;
    return true;
}

static bool pass1(run_state *R, folio_error *err)
{
    size_t n = R->hs.n;
    int failed = 0;
    size_t first_h = SIZE_MAX;          /* the first error in household order wins */
    folio_error first = {0};
    R->done = 0;
#pragma omp parallel
    {
        folio_arena arena;
        folio_arena_init(&arena, 256 * 1024);
        folio_error e = {0};
#pragma omp for schedule(dynamic, 64)
        for (size_t h = 0; h < n; h++) {
            size_t fh;                  /* households after a failed one: skipped */
#pragma omp atomic read
            fh = first_h;
            if (h > fh || folio_stop || !R->in_shard[h] ||
                R->plan->households[h].channel == FOLIO_CHANNEL_SUPPRESSED)
                continue;
            if (!compose_household(R->plan, h, &arena, &R->res[h], &e) ||
                !keep_decisions(R, h, &e)) {
#pragma omp critical(run_err)
                {
                    if (h < first_h) {
                        first = e;
#pragma omp atomic write
                        first_h = h;
                    }
                    failed = 1;
                }
                e.code = 0;             /* this thread's next failure is its own */
                e.msg[0] = '\0';
            }
            folio_arena_reset(&arena);
#pragma omp atomic
            R->done++;
            if (omp_get_thread_num() == 0 && (h & 255) == 0)
                progress(R, "composed", R->done, n);
        }
        folio_arena_free(&arena);
    }
    if (failed) {
        *err = first;
        return false;
    }
    return true;
}

/* ---- print files ------------------------------------------------------------ */

/* Production: print statements (channel print or both) -> mail streams,
 * presort, print files split at max_sheets, piece ids and IMb serials. */
static bool plan_files(run_state *R, folio_error *err)
{
    size_t n = R->hs.n;
    R->print_hh = malloc((n ? n : 1) * sizeof *R->print_hh);
    R->pin = calloc(n ? n : 1, sizeof *R->pin);
    if (!R->print_hh || !R->pin) {
        folio_error_set(err, FOLIO_EXIT_FAILED, "out of memory");
        return false;
    }
    for (size_t h = 0; h < n; h++) {
        uint8_t ch = R->plan->households[h].channel;
        if (!R->in_shard[h] || (ch != FOLIO_CHANNEL_PRINT && ch != FOLIO_CHANNEL_BOTH))
            continue;
        const folio_household *hh = &R->hs.v[h];
        folio_piece_input *in = &R->pin[R->n_print];
        if (hh->n_customers) {
            const folio_customer *c =
                &R->ds->customers[R->hs.customer_idx[hh->first_customer]];
            in->postal_code = c->postal_code;
            in->country = c->country;
            in->state = c->state;
            in->segment = c->segment;
        }
        in->household = hh->id;
        in->channel = ch;
        in->pages = R->res[h].pages;
        R->print_hh[R->n_print++] = (uint32_t)h;
    }
    R->popt = R->job->production;
    if (!R->popt) {
        R->popt = R->popt_owned = production_options_default();
        if (!R->popt_owned) {
            folio_error_set(err, FOLIO_EXIT_FAILED, "out of memory");
            return false;
        }
    }
    char tag[32] = "";
    if (R->opt->shard_count > 0)
        snprintf(tag, sizeof tag, "s%02dof%02d", R->opt->shard_index, R->opt->shard_count);
    folio_production_params pp = {
        .duplex = R->job->duplex,
        .max_sheets = (uint32_t)(R->job->max_sheets_per_file > 0 ? R->job->max_sheets_per_file
                                                                  : 2000),
        .prefix = R->job->file_prefix,
        .tag = tag,
        .shard_index = R->opt->shard_index,
        .shard_count = R->opt->shard_count};
    R->prod = production_plan_new(R->popt, R->pin, R->n_print, &pp, err);
    if (!R->prod)
        return false;
    bool any = false;
    for (int k = 0; k < FOLIO_PRINT_FORMATS; k++)
        any = any || print_format_on(R->job, k);
    if (!any)
        return true;
    print_params pp2 = {.job = R->job, .prod = R->prod, .out = R->out};
    bool made = print_files_new(&pp2, err);
    R->files = pp2.files;
    R->n_files = pp2.n_files;
    if (!made)
        return false;
    for (size_t i = 0; i < R->n_files; i++) {
        const folio_prod_file *pf = &R->prod->files[i];
        const print_file *f = &R->files[i];
        if (pf->oversize && !R->opt->quiet)
            fprintf(stderr, "folio: warning: %s holds one statement of %u sheets, above "
                    "output.print.max_sheets (%d)\n", f->name, pf->sheets,
                    R->job->max_sheets_per_file);
    }
    return true;
}

/* The document information of a PDF the run writes: title and author from
 * the job, "WHAT YYYY-MM-DD to YYYY-MM-DD" as subject (into subject[cap]),
 * dates from the statement date so reruns are byte-identical. */
static folio_pdf_options pdf_options_of(const folio_job *J, const char *what, char *subject,
                                        size_t cap)
{
    char d0[16], d1[16];
    folio_date_format(J->period_start, "YYYY-MM-DD", d0, sizeof d0);
    folio_date_format(J->period_end, "YYYY-MM-DD", d1, sizeof d1);
    snprintf(subject, cap, "%s %s to %s", what, d0, d1);
    return (folio_pdf_options){.title = J->name, .author = J->bank_name, .subject = subject,
                               .doc_date = J->statement_date,
                               .compression = J->compression};
}

/* An existing OUT/manifest.json written by a different shard (or by an
 * unsharded run when this one is a shard, and the reverse) means two runs
 * share OUT: refuse, rather than overwrite the other's audit and manifest. */
static bool same_shard_or_new(run_state *R, const char *manifest, folio_error *err)
{
    if (access(manifest, F_OK) != 0)
        return true;
    /* refuses a FIFO or device planted under the manifest's name (no hang) */
    FILE *f = folio_input_fopen(manifest, "the earlier run's manifest", FOLIO_EXIT_USAGE, err);
    if (!f)
        return false;
    char buf[4096];
    size_t n = fread(buf, 1, sizeof buf - 1, f);
    fclose(f);
    buf[n] = '\0';
    const char *si = strstr(buf, "\"shard_index\":"), *sc = strstr(buf, "\"shard_count\":");
    if (!si || !sc)
        return true;                    /* not a folio manifest we know: replaced */
    char *e1, *e2;
    long oi = strtol(si + 14, &e1, 10), oc = strtol(sc + 14, &e2, 10);
    if (e1 == si + 14 || e2 == sc + 14)
        return true;                    /* not a folio manifest we know: replaced */
    if (oi == R->opt->shard_index && oc == R->opt->shard_count)
        return true;
    folio_error_set(err, FOLIO_EXIT_USAGE,
                    "%s: this directory holds the outputs of %s%d/%d; give each shard its "
                    "own --out directory (or remove it)", R->out,
                    oc > 0 ? "shard " : "an unsharded run ", (int)oi, (int)oc);
    return false;
}

/* Remove every temporary print output (a failed or unbalanced run). */
static void unlink_parts(run_state *R)
{
    print_unlink_parts(R->files, R->n_files);
}

/* Pass 2: the print files, written by every thread through the ordered ring
 * (print.h); the first error in print order wins. */
static bool pass2(run_state *R, folio_error *err)
{
    print_params pp = {
        .job = R->job, .layout = R->layout, .plan = R->plan, .prod = R->prod,
        .pin = R->pin, .print_hh = R->print_hh, .res = R->res, .out = R->out,
        .threads = R->opt->threads, .files = R->files, .n_files = R->n_files,
        .done = &R->done, .progress = pages_progress, .progress_ctx = R};
    bool ok = print_write(&pp, err);
    R->t_print_compose = pp.t_compose;
    R->t_print_prepare = pp.t_prepare;
    R->t_print_write = pp.t_write;
    return ok;
}


/* ---- run-level coverage keys and the proof sample ------------------------- */

/* Add key "kind:value" to b unless it is there; a newline in value becomes a
 * space, a value is cut at 200 bytes. */
static void run_key_add(folio_buf *b, const char *kind, const char *value, size_t vlen)
{
    char k[256];
    int n = snprintf(k, sizeof k, "%s:%.*s", kind, (int)(vlen > 200 ? 200 : vlen), value);
    if (n <= 0 || (size_t)n >= sizeof k)
        return;
    for (int i = 0; i < n; i++)
        if (k[i] == '\n' || k[i] == '\r')
            k[i] = ' ';
    for (const char *p = b->data, *end = p + b->len; p && p < end;) {
        const char *nl = memchr(p, '\n', (size_t)(end - p));
        if (!nl)
            break;
        if ((size_t)(nl - p) == (size_t)n && !memcmp(p, k, (size_t)n))
            return;
        p = nl + 1;
    }
    folio_buf_append(b, k, (size_t)n);
    folio_buf_putc(b, '\n');
}

/* The kind of a suppression reason: its text before any ':' or '(' (details
 * such as amounts differ per account; the kind is what a proof must show). */
static void run_key_reason(folio_buf *b, const char *reason)
{
    size_t n = strcspn(reason, ":(");
    while (n && reason[n - 1] == ' ')
        n--;
    run_key_add(b, "suppression", reason, n);
}

/* Coverage keys only the run knows, appended to each household's keys from
 * compose (so audit.jsonl "coverage" and the proof sample see one set):
 * channel:CH; suppression:KIND for a suppressed household, a suppressed
 * account or transactions outside the period of a composed one;
 * stream:NAME of a print statement; duplex:blank-back; pages:longest on the
 * statements with the most pages.  Suppressed households get keys too. */
static bool add_run_keys(run_state *R, folio_error *err)
{
    static const char *const chname[] = {"print", "email", "both", "suppressed"};
    size_t n = R->hs.n;
    uint32_t *stream_of = malloc((n ? n : 1) * sizeof *stream_of);
    if (!stream_of) {
        folio_error_set(err, FOLIO_EXIT_FAILED, "out of memory");
        return false;
    }
    for (size_t h = 0; h < n; h++)
        stream_of[h] = UINT32_MAX;
    for (size_t i = 0; i < R->prod->n_pieces; i++)
        stream_of[piece_hh(R, i)] = R->prod->pieces[i].stream;
    uint32_t longest = 0;
    for (size_t h = 0; h < n; h++)
        if (R->in_shard[h] && R->decided[h] && R->res[h].pages > longest)
            longest = R->res[h].pages;
    folio_buf b;
    folio_buf_init(&b, (size_t)1 << 24);
    bool ok = true;
    for (size_t h = 0; h < n && ok; h++) {
        if (!R->in_shard[h])
            continue;
        const folio_household_plan *hp = &R->plan->households[h];
        const folio_household *hh = &R->hs.v[h];
        bool composed = R->decided[h] != NULL;
        const char *audit = composed ? R->res[h].audit : "";
        folio_buf_reset(&b);
        if (composed)
            folio_buf_puts(&b, R->res[h].keys);
        const char *ch = chname[hp->channel & 3];
        run_key_add(&b, "channel", ch, strlen(ch));
        if (hp->channel == FOLIO_CHANNEL_SUPPRESSED && hp->reason)
            run_key_reason(&b, hp->reason);
        for (uint32_t k = 0; composed && k < hh->n_accounts; k++) {
            const folio_account_plan *ap =
                &R->plan->accounts[R->hs.account_idx[hh->first_account + k]];
            if (ap->suppressed && ap->reason)
                run_key_reason(&b, ap->reason);
            else if (ap->n_outside)
                run_key_reason(&b, "posting date outside the statement period");
        }
        if (stream_of[h] != UINT32_MAX) {
            const char *sn = R->prod->streams[stream_of[h]].name;
            run_key_add(&b, "stream", sn, strlen(sn));
            if (R->job->duplex && (R->res[h].pages & 1) && !R->res[h].offer_back_page)
                run_key_add(&b, "duplex", "blank-back", 10);
        }
        if (composed && R->res[h].pages == longest)
            run_key_add(&b, "pages", "longest", 7);
        size_t na = strlen(audit);
        char *d = b.failed ? NULL : malloc(na + b.len + 2);
        if (!d) {
            ok = false;
            break;
        }
        memcpy(d, audit, na + 1);
        memcpy(d + na + 1, b.data ? b.data : "", b.len);
        d[na + 1 + b.len] = 0;
        free(R->decided[h]);
        R->decided[h] = d;
        R->res[h].audit = d;
        R->res[h].keys = d + na + 1;
    }
    folio_buf_free(&b);
    free(stream_of);
    if (!ok)
        folio_error_set(err, FOLIO_EXIT_FAILED, "out of memory");
    return ok;
}

/* The proof's finish hook: household h finished as its printed piece is
 * (print_finish_piece: duplex back, inserter marks); a household without a
 * piece (e-mail) gets the duplex back only. */
typedef struct proof_ctx {
    run_state *R;
    const uint32_t *piece_of;           /* household -> piece index, UINT32_MAX */
} proof_ctx;

static bool proof_finish(void *ctx, size_t h, folio_dl_statement *st, folio_error *err)
{
    const proof_ctx *C = ctx;
    const folio_job *J = C->R->job;
    if (C->piece_of[h] == UINT32_MAX) {
        folio_finish f = {.duplex = J->duplex};
        return finish_statement(&f, st, NULL, err);
    }
    return print_finish_piece(J, C->R->layout, C->R->prod, C->R->pin, C->piece_of[h], st, err);
}

/* OUT/proofs/: the proof sample over the keys above (proof.h), written
 * under .part names; published with the print files. */
static bool write_proofs(run_state *R, folio_error *err)
{
    char dir[4200], path[4300];
    snprintf(dir, sizeof dir, "%s/proofs", R->out);
    const folio_proof_options *po = R->job->proofs;
    if (!po || !po->enabled) {
        /* proofs of an earlier run in the same directory are not this run's */
        snprintf(path, sizeof path, "%s/proof.pdf", dir);
        unlink(path);
        snprintf(path, sizeof path, "%s/proofs.json", dir);
        unlink(path);
        return true;
    }
    if (!outdir_sub(&R->od, FOLIO_OUT_PROOFS, true, err))
        return false;
    size_t n = R->hs.n;
    folio_proof_household *ph = calloc(n ? n : 1, sizeof *ph);
    uint32_t *piece_of = malloc((n ? n : 1) * sizeof *piece_of);
    char *names = NULL;
    if (!ph || !piece_of) {
        free(ph);
        free(piece_of);
        folio_error_set(err, FOLIO_EXIT_FAILED, "out of memory");
        return false;
    }
    for (size_t h = 0; h < n; h++)
        piece_of[h] = UINT32_MAX;
    if (R->n_files) {
        names = malloc(R->n_files * 200);
        if (!names) {
            free(ph);
            free(piece_of);
            folio_error_set(err, FOLIO_EXIT_FAILED, "out of memory");
            return false;
        }
        for (size_t i = 0; i < R->n_files; i++)
            snprintf(names + i * 200, 200, "print/%s", R->files[i].name);
    }
    for (size_t h = 0; h < n; h++) {
        if (!R->in_shard[h])
            continue;
        const folio_household_plan *hp = &R->plan->households[h];
        ph[h].keys = R->decided[h] ? R->res[h].keys : NULL;
        ph[h].channel = hp->channel;
        ph[h].reason = hp->channel == FOLIO_CHANNEL_SUPPRESSED ? hp->reason : NULL;
        ph[h].pages = hp->channel == FOLIO_CHANNEL_SUPPRESSED ? 0 : R->res[h].pages;
    }
    for (size_t i = 0; i < R->prod->n_pieces; i++) {
        const folio_prod_piece *pc = &R->prod->pieces[i];
        folio_proof_household *p = &ph[piece_hh(R, i)];
        piece_of[piece_hh(R, i)] = (uint32_t)i;
        p->piece = pc->id;
        p->stream = R->prod->streams[pc->stream].name;
        if (R->n_files) {
            p->print_file = names + (size_t)pc->file * 200;
            p->first_page = pc->first_page;
        }
    }
    const folio_job *J = R->job;
    char subject[128];
    folio_pdf_options pdfo = pdf_options_of(J, "Proof sample, statements", subject,
                                            sizeof subject);
    proof_ctx pctx = {.R = R, .piece_of = piece_of};
    folio_proof_params pp = {.opt = po, .plan = R->plan, .hh = ph, .duplex = J->duplex,
                             .pdf = &pdfo, .dir = dir, .finish = proof_finish,
                             .finish_ctx = &pctx};
    bool ok = proof_write(&pp, &R->proof, err);
    free(ph);
    free(piece_of);
    free(names);
    if (ok && R->proof.cover.capped) {
        const folio_proof_cover *c = &R->proof.cover;
        fprintf(stderr, "folio: warning: the proof sample stops at output.proofs.max (%u "
                "households); %u of %u coverage keys are not covered:", po->max,
                c->n_uncovered, c->n_keys);
        for (uint32_t u = 0; u < c->n_uncovered && u < 10; u++)
            fprintf(stderr, " %s", c->keys[c->uncovered[u]]);
        fprintf(stderr, "%s (see proofs/proofs.json)\n", c->n_uncovered > 10 ? " ..." : "");
    }
    return ok;
}

/* ---- audit trail ---------------------------------------------------------- */

/* audit.jsonl members of household h from channel routing and the archive:
 * "channel_note" (why the channel is not the preference, e.g. the e-mail
 * fallback to print), "archive" and "document" (where its e-delivery PDF is). */
static void audit_archive(run_state *R, size_t h, folio_buf *b)
{
    const folio_household_plan *hp = &R->plan->households[h];
    if (hp->note) {
        folio_buf_puts(b, ",\"channel_note\":");
        folio_buf_put_json_str(b, hp->note, strlen(hp->note));
    }
    uint32_t d = R->arch_doc ? R->arch_doc[h] : UINT32_MAX;
    if (d != UINT32_MAX) {
        const char *z = R->arch.zips[R->arch.zip_of[d]].name;
        folio_buf_puts(b, ",\"archive\":\"archive/");
        folio_buf_puts(b, z);
        folio_buf_puts(b, "\",\"document\":");
        folio_buf_put_json_str(b, R->arch.doc[d], strlen(R->arch.doc[d]));
    }
}

/* Pass 3: the e-delivery archive of every household routed to email or
 * both (archive.h), into OUT/archive/ under .part names. */
static bool pass3_archive(run_state *R, folio_error *err)
{
    char dir[4200];
    snprintf(dir, sizeof dir, "%s/archive", R->out);
    if (!outdir_sub(&R->od, FOLIO_OUT_ARCHIVE, true, err))
        return false;
    char tag[32] = "";
    if (R->opt->shard_count > 0)
        snprintf(tag, sizeof tag, "s%02dof%02d", R->opt->shard_index, R->opt->shard_count);
    R->done = 0;
    folio_archive_params ap = {.plan = R->plan, .opt = R->job->archive, .in_shard = R->in_shard,
                               .dir = dir, .tag = tag, .progress = &R->done};
    if (!archive_write(&ap, &R->arch, err))
        return false;
    R->arch_doc = malloc((R->hs.n ? R->hs.n : 1) * sizeof *R->arch_doc);
    if (!R->arch_doc) {
        folio_error_set(err, FOLIO_EXIT_FAILED, "out of memory");
        return false;
    }
    for (size_t h = 0; h < R->hs.n; h++)
        R->arch_doc[h] = UINT32_MAX;
    for (size_t i = 0; i < R->arch.n_docs; i++)
        R->arch_doc[R->arch.hh[i]] = (uint32_t)i;
    return true;
}

/* Reconciliation of the channels: every household is printed, archived,
 * both, or suppressed with a reason; e-delivery documents are the
 * households routed to email or both, one to one, with the pages composed. */
static void check_channels(run_state *R, folio_buf *cj, bool *balanced,
                           void (*chk)(folio_buf *, bool *, const char *, const char *, int64_t,
                                       const char *, int64_t, bool))
{
    uint64_t n = 0, accounted = 0, edel = 0, printch = 0, sup_reason = 0, sup = 0;
    uint64_t pages_want = 0, pages_bad = 0;
    uint8_t *printed = calloc(R->hs.n ? R->hs.n : 1, 1);
    for (size_t i = 0; printed && i < R->n_print; i++)
        printed[R->print_hh[i]] = 1;
    for (size_t h = 0; h < R->hs.n; h++) {
        if (!R->in_shard[h])
            continue;
        n++;
        const folio_household_plan *hp = &R->plan->households[h];
        bool archived = R->arch_doc && R->arch_doc[h] != UINT32_MAX;
        bool pr = printed && printed[h];
        bool s = hp->channel == FOLIO_CHANNEL_SUPPRESSED;
        sup += s;
        sup_reason += s && hp->reason && *hp->reason;
        if (hp->channel == FOLIO_CHANNEL_EMAIL || hp->channel == FOLIO_CHANNEL_BOTH) {
            edel++;
            pages_want += R->res[h].pages;
        }
        printch += hp->channel == FOLIO_CHANNEL_PRINT || hp->channel == FOLIO_CHANNEL_BOTH;
        bool ok = s ? !pr && !archived && hp->reason && *hp->reason
                    : hp->channel == FOLIO_CHANNEL_PRINT ? pr && !archived
                    : hp->channel == FOLIO_CHANNEL_EMAIL ? !pr && archived
                    : pr && archived;
        accounted += ok;
        if (archived && R->arch.pages[R->arch_doc[h]] != R->res[h].pages)
            pages_bad++;
    }
    free(printed);
    chk(cj, balanced, "every household is printed, archived, both, or suppressed with a reason",
        "households", (int64_t)n, "accounted_for", (int64_t)accounted, false);
    chk(cj, balanced, "suppressed households have a reason", "suppressed", (int64_t)sup,
        "with_reason", (int64_t)sup_reason, false);
    chk(cj, balanced, "print statements = households routed to print or both", "routed",
        (int64_t)printch, "print_statements", (int64_t)R->n_print, false);
    chk(cj, balanced, "archive documents = households routed to email or both", "routed",
        (int64_t)edel, "documents", (int64_t)R->arch.n_docs, false);
    chk(cj, balanced, "archive pages composed = pages written", "composed", (int64_t)pages_want,
        "written", (int64_t)R->arch.pages_total, false);
    chk(cj, balanced, "every archive document has its household's page count", "documents",
        (int64_t)R->arch.n_docs, "matching", (int64_t)(R->arch.n_docs - pages_bad), false);
}

/* Manifest: e-delivery counts (inside "counts", after a comma) and the
 * archive's files (inside "outputs"). */
static void manifest_archive_counts(run_state *R, folio_buf *b)
{
    uint64_t fallback = 0;
    for (size_t h = 0; h < R->hs.n; h++)
        fallback += R->in_shard[h] && R->plan->households[h].note &&
                    R->plan->households[h].channel != FOLIO_CHANNEL_SUPPRESSED;
    folio_buf_puts(b, "\"archive_documents\":");
    folio_buf_put_int(b, (int64_t)R->arch.n_docs);
    folio_buf_puts(b, ",\"archive_pages\":");
    folio_buf_put_int(b, (int64_t)R->arch.pages_total);
    folio_buf_puts(b, ",\"archive_files\":");
    folio_buf_put_int(b, (int64_t)R->arch.n_zips);
    folio_buf_puts(b, ",\"notifications\":");
    folio_buf_put_int(b, (int64_t)R->arch.notifications);
    folio_buf_puts(b, ",\"channel_changed\":");
    folio_buf_put_int(b, (int64_t)fallback);
    folio_buf_putc(b, ',');
}

static void manifest_archive_file(folio_buf *b, const char *name, const char *format,
                                  const char *channel, int64_t docs, int64_t pages,
                                  uint64_t bytes, const char *sha)
{
    folio_buf_puts(b, b->len && b->data[b->len - 1] == '[' ? "\n    {" : ",\n    {");
    folio_buf_puts(b, "\"file\":\"archive/");
    folio_buf_puts(b, name);
    folio_buf_puts(b, "\",\"format\":\"");
    folio_buf_puts(b, format);
    folio_buf_puts(b, "\",\"channel\":\"");
    folio_buf_puts(b, channel);
    folio_buf_puts(b, "\",");
    if (docs >= 0) {
        folio_buf_puts(b, "\"documents\":");
        folio_buf_put_int(b, docs);
        folio_buf_putc(b, ',');
    }
    if (pages >= 0) {
        folio_buf_puts(b, "\"pages\":");
        folio_buf_put_int(b, pages);
        folio_buf_putc(b, ',');
    }
    folio_buf_puts(b, "\"bytes\":");
    folio_buf_put_int(b, (int64_t)bytes);
    folio_buf_puts(b, ",\"sha256\":\"");
    folio_buf_puts(b, sha);
    folio_buf_puts(b, "\"}");
}

static void manifest_archive_outputs(run_state *R, folio_buf *b)
{
    const folio_archive_result *A = &R->arch;
    for (size_t k = 0; k < A->n_zips; k++) {
        const folio_archive_zip *z = &A->zips[k];
        manifest_archive_file(b, z->name, "zip", "email", z->n_docs, (int64_t)z->pages, z->bytes,
                              z->sha256);
        manifest_archive_file(b, z->csv_name, "csv", "email", z->n_docs, -1, z->csv_bytes,
                              z->csv_sha256);
        manifest_archive_file(b, z->json_name, "json", "email", z->n_docs, -1, z->json_bytes,
                              z->json_sha256);
    }
    if (A->notif_path)
        manifest_archive_file(b, A->notif_name, "csv", "email", -1, -1, A->notif_bytes,
                              A->notif_sha256);
}

/* OUT/audit.jsonl: one JSON object per household, in household order: its
 * channel (and the reason when suppressed), customers, the accounts printed
 * and suppressed, pages, and where its statement is: print file and page
 * range.  Operations use it for reprints; tests use it to trace every account. */
static bool write_audit(run_state *R, const char *path, folio_error *err)
{
    static const char *const chname[] = {"print", "email", "both", "suppressed"};
    size_t n = R->hs.n;
    uint32_t *file_of = malloc((n ? n : 1) * sizeof *file_of);
    uint32_t *page_of = malloc((n ? n : 1) * sizeof *page_of);
    uint32_t *piece_of = malloc((n ? n : 1) * sizeof *piece_of);
    if (!file_of || !page_of || !piece_of) {
        free(file_of);
        free(page_of);
        free(piece_of);
        folio_error_set(err, FOLIO_EXIT_FAILED, "out of memory");
        return false;
    }
    for (size_t h = 0; h < n; h++)
        file_of[h] = piece_of[h] = UINT32_MAX;
    for (size_t i = 0; i < R->prod->n_pieces; i++) {
        const folio_prod_piece *pc = &R->prod->pieces[i];
        uint32_t h = piece_hh(R, i);
        piece_of[h] = (uint32_t)i;
        if (R->n_files) {
            file_of[h] = pc->file;
            page_of[h] = pc->first_page;
        }
    }
    folio_afile out;                    /* streamed: memory does not grow with the run */
    if (!folio_afile_open_excl(&out, path, err)) {
        free(file_of);
        free(page_of);
        free(piece_of);
        return false;
    }
    folio_buf b;
    folio_buf_init(&b, (size_t)1 << 30);
    for (size_t h = 0; h < n && !folio_stop; h++) {
        folio_afile_drain(&out, &b, (size_t)1 << 20);
        if (!R->in_shard[h])
            continue;
        const folio_household *hh = &R->hs.v[h];
        const folio_household_plan *hp = &R->plan->households[h];
        folio_buf_puts(&b, "{\"household\":");
        folio_buf_put_json_str(&b, hh->id, strlen(hh->id));
        folio_buf_puts(&b, ",\"derived_id\":");
        folio_buf_puts(&b, hh->derived ? "true" : "false");
        folio_buf_puts(&b, ",\"channel\":\"");
        folio_buf_puts(&b, chname[hp->channel]);
        folio_buf_putc(&b, '"');
        if (hp->channel == FOLIO_CHANNEL_SUPPRESSED) {
            folio_buf_puts(&b, ",\"reason\":");
            folio_buf_put_json_str(&b, hp->reason, strlen(hp->reason));
        }
        audit_archive(R, h, &b);
        folio_buf_puts(&b, ",\"customers\":[");
        for (uint32_t k = 0; k < hh->n_customers; k++) {
            const char *id = R->ds->customers[R->hs.customer_idx[hh->first_customer + k]].id;
            if (k)
                folio_buf_putc(&b, ',');
            folio_buf_put_json_str(&b, id, strlen(id));
        }
        folio_buf_puts(&b, "],\"accounts\":[");
        int na = 0;
        for (uint32_t k = 0; k < hh->n_accounts; k++) {
            uint32_t ai = R->hs.account_idx[hh->first_account + k];
            const folio_account_plan *ap = &R->plan->accounts[ai];
            const char *id = R->ds->accounts[ai].id;
            if (na++)
                folio_buf_putc(&b, ',');
            folio_buf_puts(&b, "{\"id\":");
            folio_buf_put_json_str(&b, id, strlen(id));
            folio_buf_puts(&b, ",\"transactions\":");
            folio_buf_put_int(&b, ap->n);
            if (!ap->suppressed && hp->channel != FOLIO_CHANNEL_SUPPRESSED) {
                /* what the statement composed for it: folio verify adds
                 * these up to control_totals.transactions.amount_composed */
                folio_money sum = 0;
                for (uint32_t t = ap->first; t < ap->first + ap->n; t++)
                    if (__builtin_add_overflow(sum, R->ds->txns[t].amount, &sum))
                        b.failed = true;
                char am[40];
                folio_money_format(sum, 2, '.', 0, am, sizeof am);
                folio_buf_puts(&b, ",\"amount\":");
                folio_buf_puts(&b, am);
            }
            if (ap->suppressed) {
                folio_buf_puts(&b, ",\"suppressed\":");
                folio_buf_put_json_str(&b, ap->reason, strlen(ap->reason));
            }
            folio_buf_putc(&b, '}');
        }
        folio_buf_puts(&b, "],\"pages\":");
        folio_buf_put_int(&b, hp->channel == FOLIO_CHANNEL_SUPPRESSED ? 0 : R->res[h].pages);
        if (piece_of[h] != UINT32_MAX) {
            const folio_prod_piece *pc = &R->prod->pieces[piece_of[h]];
            folio_buf_puts(&b, ",\"stream\":");
            const char *sn = R->prod->streams[pc->stream].name;
            folio_buf_put_json_str(&b, sn, strlen(sn));
            folio_buf_puts(&b, ",\"piece\":\"");
            folio_buf_puts(&b, pc->id);
            folio_buf_puts(&b, "\",\"imb_serial\":");
            folio_buf_put_int(&b, (int64_t)pc->serial);
        }
        if (file_of[h] != UINT32_MAX) {
            folio_buf_puts(&b, ",\"print_file\":\"print/");
            folio_buf_puts(&b, R->files[file_of[h]].name);
            folio_buf_puts(&b, "\",\"first_page\":");
            folio_buf_put_int(&b, page_of[h]);
            folio_buf_puts(&b, ",\"last_page\":");
            folio_buf_put_int(&b, page_of[h] + R->res[h].pages - 1);
        }
        if (R->decided[h]) {
            const folio_compose_result *rs = &R->res[h];
            if (*rs->audit) {
                folio_buf_putc(&b, ',');
                folio_buf_puts(&b, rs->audit);
            }
            folio_buf_puts(&b, ",\"coverage\":[");
            for (const char *k = rs->keys; *k;) {
                const char *nl = strchr(k, '\n');
                if (k != rs->keys)
                    folio_buf_putc(&b, ',');
                folio_buf_put_json_str(&b, k, (size_t)(nl - k));
                k = nl + 1;
            }
            folio_buf_putc(&b, ']');
        }
        folio_buf_puts(&b, "}\n");
    }
    free(file_of);
    free(page_of);
    free(piece_of);
    folio_afile_drain(&out, &b, 0);
    folio_buf_free(&b);
    if (folio_stopped(err)) {
        folio_afile_abort(&out);
        return false;
    }
    return folio_afile_commit(&out, err);
}

/* ---- manifest ---------------------------------------------------------- */

typedef struct totals {
    uint64_t households, statements[4], pages_print, pages_email, sheets, rejects;
    uint64_t acc_read, acc_composed, acc_suppressed, acc_rejected;
    uint64_t txn_read, txn_composed, txn_suppressed, txn_rejected;
    folio_money amt_read, amt_accepted, amt_composed, amt_suppressed, amt_rejected;
    folio_money amt_loaded;     /* sum over the loaded transaction table */
    uint64_t afp_substitutions; /* characters the AFP code page lacked */
    uint64_t afp_cut_values;    /* AFP index values cut at 250 bytes */
    uint64_t notdef_chars;      /* characters drawn as .notdef (no glyph) */
    uint64_t text_shrunk, text_clipped;   /* texts too wide for their box */
} totals;

static const char *kind_name(folio_feed_kind k)
{
    switch (k) {
    case FOLIO_FEED_CUSTOMERS: return "customers";
    case FOLIO_FEED_ACCOUNTS: return "accounts";
    case FOLIO_FEED_TRANSACTIONS: return "transactions";
    case FOLIO_FEED_CONTACTS: return "contacts";
    }
    return "?";
}

static void json_kv_str(folio_buf *b, const char *k, const char *v, bool comma)
{
    folio_buf_put_json_str(b, k, strlen(k));
    folio_buf_putc(b, ':');
    folio_buf_put_json_str(b, v ? v : "", v ? strlen(v) : 0);
    if (comma)
        folio_buf_putc(b, ',');
}

static void json_kv_int(folio_buf *b, const char *k, int64_t v, bool comma)
{
    folio_buf_put_json_str(b, k, strlen(k));
    folio_buf_putc(b, ':');
    folio_buf_put_int(b, v);
    if (comma)
        folio_buf_putc(b, ',');
}

static void json_kv_money(folio_buf *b, const char *k, folio_money v, bool comma)
{
    char m[40];
    folio_money_format(v, 2, '.', 0, m, sizeof m);
    folio_buf_put_json_str(b, k, strlen(k));
    folio_buf_putc(b, ':');
    folio_buf_puts(b, m);
    if (comma)
        folio_buf_putc(b, ',');
}

/* "file", "bytes" and "sha256" of an input (no comma after): what folio
 * verify compares the input with later -- the bytes that were parsed, as
 * hashed at load (the path may hold other bytes by now). */
static void json_file_ref(folio_buf *b, const char *path, const folio_input_id *id)
{
    json_kv_str(b, "file", path, true);
    json_kv_int(b, "bytes", (int64_t)id->bytes, true);
    json_kv_str(b, "sha256", id->sha256, false);
}

/* One entry of manifest "outputs": print file i in one format. */
static void manifest_output(folio_buf *b, run_state *R, size_t i, const char *name,
                            const char *format, uint64_t bytes, const char *sha)
{
    const print_file *f = &R->files[i];
    const folio_prod_file *pf = &R->prod->files[i];
    uint32_t lastp = pf->first_piece + pf->n_pieces - 1;
    char rel[256], prel[256];
    snprintf(rel, sizeof rel, "print/%s", name);
    snprintf(prel, sizeof prel, "print/%s", f->pieces_name);
    folio_buf_puts(b, b->len && b->data[b->len - 1] == '[' ? "\n    {" : ",\n    {");
    json_kv_str(b, "file", rel, true);
    json_kv_str(b, "format", format, true);
    json_kv_str(b, "channel", "print", true);
    json_kv_str(b, "stream", R->prod->streams[pf->stream].name, true);
    json_kv_int(b, "statements", f->statements, true);
    json_kv_int(b, "pages", f->pages, true);
    json_kv_int(b, "sheets", f->sheets, true);
    json_kv_str(b, "duplex", R->job->duplex ? "yes" : "no", true);
    if (pf->oversize)
        folio_buf_puts(b, "\"oversize\":true,");
    json_kv_str(b, "first_piece", R->prod->pieces[pf->first_piece].id, true);
    json_kv_str(b, "last_piece", R->prod->pieces[lastp].id, true);
    json_kv_str(b, "first_household", R->hs.v[piece_hh(R, pf->first_piece)].id, true);
    json_kv_str(b, "last_household", R->hs.v[piece_hh(R, lastp)].id, true);
    json_kv_str(b, "pieces", prel, true);
    json_kv_int(b, "bytes", (int64_t)bytes, true);
    json_kv_str(b, "sha256", sha, false);
    folio_buf_putc(b, '}');
}

/* Manifest "variations": statements per language, how many used a fallback
 * text, the translations the layout lacks, and each paragraph id@version with
 * the number of statements that show it (from the coverage keys). */
static void manifest_variations(folio_buf *b, run_state *R)
{
    const folio_layout *L = R->layout;
    size_t nl = (size_t)L->n_languages;
    uint64_t *per = calloc(nl + 1, sizeof *per);
    const folio_paragraphs *lib = L->paragraphs;
    uint64_t *shown = calloc((size_t)(lib ? lib->n : 0) + 1, sizeof *shown);
    uint64_t fallback = 0;
    if (!per || !shown) {
        b->failed = true;
        free(per);
        free(shown);
        return;
    }
    for (size_t h = 0; h < R->hs.n; h++) {
        /* statements only: a suppressed household has coverage keys but no text */
        if (!R->in_shard[h] || !R->decided[h] ||
            R->plan->households[h].channel == FOLIO_CHANNEL_SUPPRESSED)
            continue;
        const folio_compose_result *rs = &R->res[h];
        if (rs->language < nl)
            per[rs->language]++;
        fallback += rs->fallback;
        for (const char *k = rs->keys; lib && *k;) {   /* "kind:value\n" lines */
            const char *eol = strchr(k, '\n');
            size_t len = eol ? (size_t)(eol - k) : strlen(k);
            const char *at = memchr(k, '@', len);
            if (len > 10 && !memcmp(k, "paragraph:", 10) && at)
                for (int i = 0; i < lib->n; i++)
                    if ((size_t)(at - k - 10) == strlen(lib->v[i].id)
                        && !memcmp(k + 10, lib->v[i].id, (size_t)(at - k - 10))
                        && atoi(at + 1) == lib->v[i].version)
                        shown[i]++;
            k += len + (eol != NULL);
        }
    }
    folio_buf_puts(b, "\n  \"variations\":{");
    json_kv_str(b, "fallback_language", L->languages[0], true);
    folio_buf_puts(b, "\"statements_by_language\":{");
    for (size_t l = 0; l < nl; l++)
        json_kv_int(b, L->languages[l], (int64_t)per[l], l + 1 < nl);
    folio_buf_puts(b, "},");
    json_kv_int(b, "fallback_statements", (int64_t)fallback, true);
    folio_buf_puts(b, "\"missing_translations\":{");
    for (size_t l = 1; l < nl; l++)
        json_kv_int(b, L->languages[l], L->n_missing[l], l + 1 < nl);
    folio_buf_puts(b, "},\"paragraphs\":[");
    for (int i = 0; lib && i < lib->n; i++) {
        folio_buf_puts(b, i ? ",{" : "{");
        json_kv_str(b, "id", lib->v[i].id, true);
        json_kv_int(b, "version", lib->v[i].version, true);
        if (lib->v[i].approved_by)
            json_kv_str(b, "approved_by", lib->v[i].approved_by, true);
        if (lib->v[i].approved_date != FOLIO_DATE_NONE) {
            char d[16];
            folio_date_format(lib->v[i].approved_date, "YYYY-MM-DD", d, sizeof d);
            json_kv_str(b, "approved_date", d, true);
        }
        json_kv_int(b, "statements", (int64_t)shown[i], false);
        folio_buf_putc(b, '}');
    }
    folio_buf_puts(b, "]},");
    free(per);
    free(shown);
}

/* The summary's languages line: statements per language and how many used a
 * fallback text (only when the layout prints more than one language). */
static void print_languages(const run_state *R)
{
    const folio_layout *L = R->layout;
    if (L->n_languages < 2)
        return;
    uint64_t per[16] = {0}, fallback = 0;
    for (size_t h = 0; h < R->hs.n; h++)
        if (R->in_shard[h] && R->decided[h] &&
            R->plan->households[h].channel != FOLIO_CHANNEL_SUPPRESSED) {
            per[R->res[h].language & 15]++;
            fallback += R->res[h].fallback;
        }
    printf("  languages     ");
    for (int l = 0; l < L->n_languages && l < 16; l++)
        printf("%s %s %llu", l ? "," : "", L->languages[l], (unsigned long long)per[l]);
    printf(" (%llu with fallback text%s)\n", (unsigned long long)fallback,
           fallback ? ", see audit.jsonl" : "");
}

/* ---- offers -------------------------------------------------------------------- */

/* Summary line: statements with an offer, offers shown and held out. */
static void print_offers(const run_state *R)
{
    if (!R->offers)
        return;
    uint64_t with = 0, shown = 0, held = 0, stmts = 0;
    for (size_t h = 0; h < R->hs.n; h++) {
        if (!R->in_shard[h] || !R->decided[h] ||
            R->plan->households[h].channel == FOLIO_CHANNEL_SUPPRESSED)
            continue;
        const folio_compose_result *rs = &R->res[h];
        bool any = false;
        stmts++;
        for (int i = 0; i < rs->n_offers; i++) {
            if (rs->offers[i].holdout) {
                held++;
            } else {
                shown++;
                any = true;
            }
        }
        with += any;
    }
    printf("  offers         %llu shown on %llu of %llu statements, %llu held out "
           "(contact_history.csv, audit.jsonl)\n", (unsigned long long)shown,
           (unsigned long long)with, (unsigned long long)stmts, (unsigned long long)held);
}

/* Manifest "offers" (inside "layout"'s sibling list, written after it):
 * the catalogue, and per offer and variant how many statements showed it and
 * how many households were held out (offers.h). */
static void manifest_offers(run_state *R, folio_buf *b)
{
    const folio_offers *o = R->offers;
    int n = offers_count(o);
    uint64_t (*shown)[8] = calloc((size_t)n, sizeof *shown);
    uint64_t *held = calloc((size_t)n, sizeof *held);
    uint64_t with = 0, total_shown = 0, total_held = 0;
    if (!shown || !held) {
        b->failed = true;
        free(shown);
        free(held);
        return;
    }
    for (size_t h = 0; h < R->hs.n; h++) {
        if (!R->in_shard[h] || !R->decided[h])
            continue;
        const folio_compose_result *rs = &R->res[h];
        bool any = false;
        for (int i = 0; i < rs->n_offers; i++) {
            const folio_offer_shown *s = &rs->offers[i];
            if (s->holdout) {
                held[s->offer]++;
                total_held++;
            } else {
                shown[s->offer][s->variant & 7]++;
                total_shown++;
                any = true;
            }
        }
        with += any;
    }
    const folio_input_id *cat = offers_input(R->offers);   /* the bytes parsed */
    folio_buf_puts(b, "},\n  \"offers\":{");
    json_kv_str(b, "catalogue", R->job->offers->catalogue, true);
    json_kv_int(b, "bytes", (int64_t)cat->bytes, true);
    json_kv_str(b, "sha256", cat->sha256, true);
    json_kv_int(b, "max_per_statement", R->job->offers->max_per_statement, true);
    json_kv_int(b, "statements_with_offers", (int64_t)with, true);
    json_kv_int(b, "shown", (int64_t)total_shown, true);
    json_kv_int(b, "held_out", (int64_t)total_held, true);
    {
        char hp[4200], hsha[65] = "";
        uint64_t hbytes = 0;
        folio_error he = {0};
        snprintf(hp, sizeof hp, "%s/contact_history.csv.part", R->out); /* renamed at publish */
        if (!folio_sha256_file(hp, hsha, &hbytes, &he))
            hsha[0] = 0;
        folio_buf_puts(b, "\"contact_history\":{");
        json_kv_str(b, "file", "contact_history.csv", true);
        json_kv_int(b, "rows_read", (int64_t)R->ds->n_contacts, true);
        json_kv_int(b, "rows_added", (int64_t)total_shown, true);
        json_kv_int(b, "bytes", (int64_t)hbytes, true);
        json_kv_str(b, "sha256", hsha, false);
        folio_buf_puts(b, "},");
    }
    folio_buf_puts(b, "\"by_offer\":[");
    for (int i = 0; i < n; i++) {
        uint64_t s = 0;
        for (int v = 0; v < offers_variant_count(o, i); v++)
            s += shown[i][v];
        folio_buf_puts(b, i ? ",\n    {" : "\n    {");
        json_kv_str(b, "id", offers_id(o, i), true);
        json_kv_int(b, "shown", (int64_t)s, true);
        json_kv_int(b, "held_out", (int64_t)held[i], true);
        folio_buf_puts(b, "\"variants\":[");
        for (int v = 0; v < offers_variant_count(o, i); v++) {
            const char *vid = offers_variant_id(o, i, v);
            folio_buf_puts(b, v ? ",{" : "{");
            json_kv_str(b, "id", vid ? vid : "", true);
            json_kv_str(b, "response_code", offers_response_code(o, i, v), true);
            json_kv_int(b, "shown", (int64_t)shown[i][v], false);
            folio_buf_putc(b, '}');
        }
        folio_buf_puts(b, "]}");
    }
    folio_buf_puts(b, "\n  ]");
    free(shown);
    free(held);
}

/* OUT/contact_history.csv: the contact rows read (feed order) and then one
 * row per offer this run showed (household order, slot order), so next
 * month's run reads it as its contacts feed.  Columns: the names the job's
 * first contacts feed maps (contact_key, offer_id, contact_date by default),
 * then variant, channel and response_code (empty on the rows read). */
static bool write_contact_history(run_state *R, const char *path, folio_error *err)
{
    static const char *const chname[] = {"print", "email", "both"};
    const folio_job *J = R->job;
    const char *cols[3] = {"contact_key", "offer_id", "contact_date"};
    const char *fmt = "YYYY-MM-DD";
    for (int i = 0; i < J->n_feeds; i++)
        if (J->feeds[i].kind == FOLIO_FEED_CONTACTS) {
            const folio_feed_def *f = &J->feeds[i];
            if (f->columns[FOLIO_F_CONTACT_KEY]) cols[0] = f->columns[FOLIO_F_CONTACT_KEY];
            if (f->columns[FOLIO_F_OFFER_ID]) cols[1] = f->columns[FOLIO_F_OFFER_ID];
            if (f->columns[FOLIO_F_CONTACT_DATE]) cols[2] = f->columns[FOLIO_F_CONTACT_DATE];
            if (f->date_format && f->date_format[0]) fmt = f->date_format;
            break;
        }
    folio_buf b;
    folio_buf_init(&b, (size_t)1 << 34);
    for (int c = 0; c < 3; c++) {
        folio_buf_put_csv_field(&b, cols[c], strlen(cols[c]));
        folio_buf_putc(&b, ',');
    }
    folio_buf_puts(&b, "variant,channel,response_code\n");
    char d[32];
    for (size_t i = 0; i < R->ds->n_contacts; i++) {
        const folio_contact *c = &R->ds->contacts[i];
        folio_buf_put_csv_field(&b, c->key, strlen(c->key));
        folio_buf_putc(&b, ',');
        folio_buf_put_csv_field(&b, c->offer_id, strlen(c->offer_id));
        folio_buf_putc(&b, ',');
        size_t n = folio_date_format(c->date, fmt, d, sizeof d);
        folio_buf_put_csv_field(&b, d, n);
        folio_buf_puts(&b, ",,,\n");
    }
    size_t dn = folio_date_format(J->statement_date, fmt, d, sizeof d);
    for (size_t h = 0; h < R->hs.n; h++) {
        if (!R->in_shard[h] || !R->decided[h])
            continue;
        const folio_compose_result *rs = &R->res[h];
        uint8_t ch = R->plan->households[h].channel;
        for (int i = 0; i < rs->n_offers; i++) {
            const folio_offer_shown *s = &rs->offers[i];
            if (s->holdout)
                continue;
            const char *id = R->hs.v[h].id, *oid = offers_id(R->offers, s->offer);
            const char *vid = offers_variant_id(R->offers, s->offer, s->variant);
            const char *code = offers_response_code(R->offers, s->offer, s->variant);
            folio_buf_put_csv_field(&b, id, strlen(id));
            folio_buf_putc(&b, ',');
            folio_buf_put_csv_field(&b, oid, strlen(oid));
            folio_buf_putc(&b, ',');
            folio_buf_put_csv_field(&b, d, dn);
            folio_buf_putc(&b, ',');
            if (vid)
                folio_buf_put_csv_field(&b, vid, strlen(vid));
            folio_buf_putc(&b, ',');
            folio_buf_puts(&b, ch < 3 ? chname[ch] : "");
            folio_buf_putc(&b, ',');
            folio_buf_put_csv_field(&b, code, strlen(code));
            folio_buf_putc(&b, '\n');
        }
    }
    bool ok = !b.failed;
    if (!ok)
        folio_error_set(err, FOLIO_EXIT_FAILED, "%s: out of memory", path);
    else
        ok = folio_write_file_excl(path, b.data, b.len, err);
    folio_buf_free(&b);
    return ok;
}

static bool write_manifest(run_state *R, const totals *T, bool balanced,
                           const char *checks_json, folio_error *err)
{
    const folio_job *J = R->job;
    folio_buf b;
    folio_buf_init(&b, (size_t)1 << 30);
    char d[16];
    folio_buf_puts(&b, "{\n  ");
    json_kv_str(&b, "generator", "folio " FOLIO_VERSION, true);
    folio_buf_puts(&b, "\n  \"job\":{");
    json_kv_str(&b, "name", J->name, true);
    folio_date_format(J->statement_date, "YYYY-MM-DD", d, sizeof d);
    json_kv_str(&b, "statement_date", d, true);
    folio_date_format(J->period_start, "YYYY-MM-DD", d, sizeof d);
    json_kv_str(&b, "period_start", d, true);
    folio_date_format(J->period_end, "YYYY-MM-DD", d, sizeof d);
    json_kv_str(&b, "period_end", d, true);
    json_kv_int(&b, "shard_index", R->opt->shard_index, true);
    json_kv_int(&b, "shard_count", R->opt->shard_count, true);
    /* folio verify re-hashes every input; relative paths are from here */
    char cwd[4096];
    json_kv_str(&b, "run_dir", getcwd(cwd, sizeof cwd) ? cwd : "", true);
    json_file_ref(&b, J->path, &J->input);
    folio_buf_puts(&b, "},\n  \"inputs\":[");
    for (int i = 0; i < J->n_feeds; i++) {
        const folio_feed_stats *s = &R->ds->stats[i];
        folio_buf_puts(&b, i ? ",\n    {" : "\n    {");
        json_kv_str(&b, "feed", J->feeds[i].name, true);
        json_kv_str(&b, "kind", kind_name(J->feeds[i].kind), true);
        json_kv_str(&b, "file", J->feeds[i].path, true);
        json_kv_int(&b, "bytes", (int64_t)s->bytes, true);
        json_kv_str(&b, "sha256", s->sha256, true);
        json_kv_int(&b, "rows", (int64_t)s->records, true);
        json_kv_int(&b, "accepted", (int64_t)s->accepted, true);
        json_kv_int(&b, "rejected", (int64_t)s->rejected, false);
        if (J->feeds[i].kind == FOLIO_FEED_TRANSACTIONS) {
            folio_buf_putc(&b, ',');
            json_kv_money(&b, "amount_read", s->amount_read, true);
            json_kv_money(&b, "amount_rejected", s->amount_rejected, false);
        }
        folio_buf_putc(&b, '}');
    }
    folio_buf_puts(&b, "\n  ],\n  \"layout\":{");
    json_file_ref(&b, R->layout->path, &R->layout->input);
    if (R->layout->paragraphs) {
        folio_buf_puts(&b, "},\n  \"paragraphs\":{");
        json_file_ref(&b, R->layout->paragraphs->path, &R->layout->paragraphs->input);
    }
    if (R->offers)
        manifest_offers(R, &b);
    folio_buf_puts(&b, "},\n  \"counts\":{");
    json_kv_int(&b, "households", (int64_t)T->households, true);
    folio_buf_puts(&b, "\"statements\":{");
    json_kv_int(&b, "print", (int64_t)T->statements[FOLIO_CHANNEL_PRINT], true);
    json_kv_int(&b, "email", (int64_t)T->statements[FOLIO_CHANNEL_EMAIL], true);
    json_kv_int(&b, "both", (int64_t)T->statements[FOLIO_CHANNEL_BOTH], true);
    json_kv_int(&b, "suppressed", (int64_t)T->statements[FOLIO_CHANNEL_SUPPRESSED], false);
    folio_buf_puts(&b, "},");
    json_kv_int(&b, "print_statements", (int64_t)R->n_print, true);
    json_kv_int(&b, "print_pages", (int64_t)T->pages_print, true);
    json_kv_int(&b, "print_sheets", (int64_t)T->sheets, true);
    json_kv_int(&b, "email_only_pages", (int64_t)T->pages_email, true);
    json_kv_int(&b, "print_files", (int64_t)R->n_files, true);
    json_kv_int(&b, "oversize_files", R->n_files ? (int64_t)R->prod->oversize_files : 0, true);
    if (afp_on(R))
        json_kv_int(&b, "afp_substitutions", (int64_t)T->afp_substitutions, true);
    if (afp_on(R))
        json_kv_int(&b, "afp_cut_values", (int64_t)T->afp_cut_values, true);
    json_kv_int(&b, "notdef_chars", (int64_t)T->notdef_chars, true);
    json_kv_int(&b, "text_shrunk", (int64_t)T->text_shrunk, true);
    json_kv_int(&b, "text_clipped", (int64_t)T->text_clipped, true);
    manifest_archive_counts(R, &b);
    json_kv_int(&b, "rejected_rows", (int64_t)T->rejects, true);
    folio_buf_puts(&b, "\"exceptions\":{");
    for (int k = 0; k < FOLIO_EXC__COUNT; k++)
        json_kv_int(&b, folio_exception_kind_name((folio_exception_kind)k),
                    (int64_t)R->ds->exceptions.count[k], true);
    json_kv_int(&b, "total", (int64_t)R->ds->exceptions.n, false);
    folio_buf_putc(&b, '}');
    folio_buf_puts(&b, "},");
    manifest_variations(&b, R);
    folio_buf_puts(&b, "\n  \"outputs\":[");
    for (size_t i = 0; i < R->n_files; i++)
        for (int k = 0; k < FOLIO_PRINT_FORMATS; k++)
            if (print_format_on(J, k))
                manifest_output(&b, R, i, R->files[i].out[k].name, print_formats[k].key,
                                R->files[i].out[k].res.bytes, R->files[i].out[k].sha256);
    manifest_archive_outputs(R, &b);
    /* the record files: what was rejected, suppressed and decided, so
     * `folio verify` protects the audit trail like the print files */
    folio_buf_puts(&b, "\n  ],\n  \"records\":[");
    {
        static const char *const rec[] = {"audit.jsonl", "rejects.csv", "suppressed.csv",
                                          "contact_history.csv", "exceptions.csv"};
        int nrec = 0;
        for (size_t k = 0; k < sizeof rec / sizeof *rec; k++) {
            char rp[4200], hex[65];
            uint64_t bytes = 0;
            folio_error e = {0};
            snprintf(rp, sizeof rp, "%s/%s.part", R->out, rec[k]);   /* renamed at publish */
            if (access(rp, F_OK) != 0)
                continue;               /* e.g. no contact history in this job */
            if (!folio_sha256_file(rp, hex, &bytes, &e)) {
                *err = e;
                folio_buf_free(&b);
                return false;
            }
            folio_buf_puts(&b, nrec++ ? ",\n    {" : "\n    {");
            json_kv_str(&b, "file", rec[k], true);
            if (k == 0)
                json_kv_int(&b, "rows", (int64_t)T->households, true);
            else if (k == 1)
                json_kv_int(&b, "rows", (int64_t)T->rejects, true);
            else if (k == 4)
                json_kv_int(&b, "rows", (int64_t)R->ds->exceptions.n, true);
            json_kv_int(&b, "bytes", (int64_t)bytes, true);
            json_kv_str(&b, "sha256", hex, false);
            folio_buf_putc(&b, '}');
        }
    }
    /* the inserter data files, one per print file */
    folio_buf_puts(&b, "\n  ],\n  \"piece_files\":[");
    for (size_t i = 0; i < R->n_files; i++) {
        const print_file *f = &R->files[i];
        const folio_prod_file *pf = &R->prod->files[i];
        char rel[256], prel[256];
        snprintf(rel, sizeof rel, "print/%s", f->name);
        snprintf(prel, sizeof prel, "print/%s", f->pieces_name);
        folio_buf_puts(&b, i ? ",\n    {" : "\n    {");
        json_kv_str(&b, "file", prel, true);
        json_kv_str(&b, "format", "csv", true);
        json_kv_str(&b, "print_file", rel, true);
        json_kv_str(&b, "stream", R->prod->streams[pf->stream].name, true);
        json_kv_int(&b, "pieces", pf->n_pieces, true);
        json_kv_int(&b, "bytes", (int64_t)f->pieces_bytes, true);
        json_kv_str(&b, "sha256", f->pieces_sha256, false);
        folio_buf_putc(&b, '}');
    }
    /* mail streams in configured order, then the suppressed households */
    folio_buf_puts(&b, "\n  ],\n  \"streams\":[");
    for (uint32_t s = 0; s < R->prod->n_streams; s++) {
        const folio_prod_stream *ps = &R->prod->streams[s];
        folio_buf_puts(&b, s ? ",\n    {" : "\n    {");
        json_kv_str(&b, "name", ps->name, true);
        folio_buf_puts(&b, "\"printed\":true,");
        json_kv_int(&b, "statements", (int64_t)ps->statements, true);
        json_kv_int(&b, "pages", (int64_t)ps->pages, true);
        json_kv_int(&b, "sheets", (int64_t)ps->sheets, true);
        json_kv_int(&b, "files", R->n_files ? ps->n_files : 0, ps->statements > 0);
        if (ps->statements) {
            const folio_prod_file *ff = &R->prod->files[ps->first_file];
            const folio_prod_file *lf = &R->prod->files[ps->first_file + ps->n_files - 1];
            json_kv_str(&b, "first_piece", R->prod->pieces[ff->first_piece].id, true);
            json_kv_str(&b, "last_piece",
                        R->prod->pieces[lf->first_piece + lf->n_pieces - 1].id, false);
        }
        folio_buf_putc(&b, '}');
    }
    folio_buf_puts(&b, R->prod->n_streams ? ",\n    {" : "\n    {");
    json_kv_str(&b, "name", "suppressed", true);
    folio_buf_puts(&b, "\"printed\":false,");
    json_kv_int(&b, "statements", (int64_t)T->statements[FOLIO_CHANNEL_SUPPRESSED], false);
    folio_buf_putc(&b, '}');
    folio_buf_puts(&b, "\n  ],\n  ");
    proof_manifest_json(&R->proof, J->proofs, &b);
    folio_buf_puts(&b, ",\n  \"control_totals\":{\n    \"accounts\":{");
    json_kv_int(&b, "read", (int64_t)T->acc_read, true);
    json_kv_int(&b, "rejected", (int64_t)T->acc_rejected, true);
    json_kv_int(&b, "composed", (int64_t)T->acc_composed, true);
    json_kv_int(&b, "suppressed", (int64_t)T->acc_suppressed, false);
    folio_buf_puts(&b, "},\n    \"transactions\":{");
    json_kv_int(&b, "read", (int64_t)T->txn_read, true);
    json_kv_int(&b, "rejected", (int64_t)T->txn_rejected, true);
    json_kv_int(&b, "composed", (int64_t)T->txn_composed, true);
    json_kv_int(&b, "suppressed", (int64_t)T->txn_suppressed, true);
    json_kv_money(&b, "amount_read", T->amt_read, true);
    json_kv_money(&b, "amount_rejected", T->amt_rejected, true);
    json_kv_money(&b, "amount_composed", T->amt_composed, true);
    json_kv_money(&b, "amount_suppressed", T->amt_suppressed, false);
    folio_buf_puts(&b, "}\n  },\n  \"reconciliation\":{");
    folio_buf_puts(&b, "\"balanced\":");
    folio_buf_puts(&b, balanced ? "true" : "false");
    folio_buf_puts(&b, ",\"checks\":[");
    folio_buf_puts(&b, checks_json);
    folio_buf_puts(&b, "]}\n}\n");
    char path[4200];
    snprintf(path, sizeof path, "%s/manifest.json.part", R->out);
    /* durable under its .part name; renamed after every output it lists */
    bool ok = !b.failed && folio_write_file_excl(path, b.data, b.len, err);
    if (b.failed)
        folio_error_set(err, FOLIO_EXIT_FAILED, "%s: out of memory", path);
    folio_buf_free(&b);
    return ok;
}

static void check(folio_buf *cj, bool *all, const char *name, const char *lhs, int64_t l,
                  const char *rhs, int64_t r, bool money)
{
    bool ok = l == r;
    if (!ok)
        *all = false;
    char a[40], c[40];
    if (money) {
        folio_money_format(l, 2, '.', 0, a, sizeof a);
        folio_money_format(r, 2, '.', 0, c, sizeof c);
    } else {
        snprintf(a, sizeof a, "%lld", (long long)l);
        snprintf(c, sizeof c, "%lld", (long long)r);
    }
    if (cj->len)
        folio_buf_putc(cj, ',');
    folio_buf_puts(cj, "\n    {");
    json_kv_str(cj, "check", name, true);
    folio_buf_printf(cj, "\"%s\":%s,\"%s\":%s,", lhs, a, rhs, c);
    folio_buf_puts(cj, "\"ok\":");
    folio_buf_puts(cj, ok ? "true}" : "false}");
}

/* ---- the run ----------------------------------------------------------- */

/* Every file the run reads must lie outside what it writes in OUT
 * (publish.h outdir_check_inputs): an input there is a job error. */
static bool check_inputs(run_state *R, folio_error *err)
{
    const folio_job *J = R->job;
    const folio_layout *L = R->layout;
    size_t cap = 4 + (size_t)J->n_feeds + (size_t)L->n_fonts, n = 0;
    folio_input *in = calloc(cap, sizeof *in);
    char (*what)[96] = calloc(cap, sizeof *what);
    if (!in || !what) {
        free(in);
        free(what);
        folio_error_set(err, FOLIO_EXIT_FAILED, "out of memory");
        return false;
    }
    in[n++] = (folio_input){"job file", J->path};
    in[n++] = (folio_input){"layout", J->layout_path};
    if (L->paragraphs)
        in[n++] = (folio_input){"paragraph library", L->paragraphs->path};
    if (J->offers)
        in[n++] = (folio_input){"offer catalogue", J->offers->catalogue};
    for (int i = 0; i < J->n_feeds; i++) {
        snprintf(what[n], sizeof what[n], "feed '%s'", J->feeds[i].name);
        in[n] = (folio_input){what[n], J->feeds[i].path};
        n++;
    }
    for (int i = 0; i < L->n_fonts; i++) {
        snprintf(what[n], sizeof what[n], "font '%s'", L->fonts[i].name);
        in[n] = (folio_input){what[n], L->fonts[i].file};
        n++;
    }
    bool ok = outdir_check_inputs(&R->od, in, n, err);
    free(in);
    free(what);
    return ok;
}

/* The record files at OUT's top level, in publishing order; the contact
 * history (last) only when the job has offers. */
static const char *const record_names[] = {"rejects.csv", "exceptions.csv", "suppressed.csv",
                                           "audit.jsonl", "contact_history.csv"};

/* The publish list: every output of the run, .part and final name. */
static folio_pub_item *publish_items(run_state *R, char rec[][2][4200], size_t *n_out)
{
    size_t cap = (FOLIO_PRINT_FORMATS + 1) * R->n_files + 2 + 3 * R->arch.n_zips + 1 + 5, n = 0;
    folio_pub_item *it = calloc(cap, sizeof *it);
    if (!it)
        return NULL;
    for (size_t i = 0; i < R->n_files; i++) {
        const print_file *f = &R->files[i];
        for (int k = 0; k < FOLIO_PRINT_FORMATS; k++)
            if (print_format_on(R->job, k))
                it[n++] = (folio_pub_item){FOLIO_OUT_PRINT, f->out[k].part, f->out[k].path};
        it[n++] = (folio_pub_item){FOLIO_OUT_PRINT, f->pieces_part, f->pieces_path};
    }
    if (R->proof.written) {
        it[n++] = (folio_pub_item){FOLIO_OUT_PROOFS, R->proof.pdf_part, R->proof.pdf_path};
        it[n++] = (folio_pub_item){FOLIO_OUT_PROOFS, R->proof.json_part, R->proof.json_path};
    }
    for (size_t k = 0; k < R->arch.n_zips; k++) {
        const folio_archive_zip *z = &R->arch.zips[k];
        it[n++] = (folio_pub_item){FOLIO_OUT_ARCHIVE, z->part, z->path};
        it[n++] = (folio_pub_item){FOLIO_OUT_ARCHIVE, z->csv_part, z->csv_path};
        it[n++] = (folio_pub_item){FOLIO_OUT_ARCHIVE, z->json_part, z->json_path};
    }
    if (R->arch.notif_part)
        it[n++] = (folio_pub_item){FOLIO_OUT_ARCHIVE, R->arch.notif_part, R->arch.notif_path};
    size_t n_rec = sizeof record_names / sizeof *record_names - (R->offers ? 0 : 1);
    for (size_t k = 0; k < n_rec; k++) {
        snprintf(rec[k][0], sizeof rec[k][0], "%s/%s.part", R->out, record_names[k]);
        snprintf(rec[k][1], sizeof rec[k][1], "%s/%s", R->out, record_names[k]);
        it[n++] = (folio_pub_item){FOLIO_OUT_TOP, rec[k][0], rec[k][1]};
    }
    *n_out = n;
    return it;
}

/* A failed run: remove every .part name it may have written. */
static void discard_parts(run_state *R)
{
    unlink_parts(R);
    archive_discard(&R->arch);
    proof_discard(&R->proof);
    char path[4200];
    for (size_t k = 0; k < sizeof record_names / sizeof *record_names; k++) {
        snprintf(path, sizeof path, "%s/%s.part", R->out, record_names[k]);
        unlink(path);
    }
    snprintf(path, sizeof path, "%s/manifest.json.part", R->out);
    unlink(path);
}

static void run_free(run_state *R)
{
    size_t n_hh = R->hs.n;          /* household_free zeroes R->hs */
    compose_plan_free(R->plan);
    offers_free(R->offers);
    household_free(&R->hs);
    feed_dataset_free(R->ds);
    layout_free(R->layout);
    job_free(R->job);
    if (R->decided)
        for (size_t h = 0; h < n_hh; h++)
            free(R->decided[h]);
    free(R->decided);
    free(R->res);
    free(R->in_shard);
    free(R->print_hh);
    free(R->pin);
    production_plan_free(R->prod);
    production_options_free(R->popt_owned);
    print_files_free(R->files, R->n_files);
    proof_discard(&R->proof);
    proof_result_free(&R->proof);
    archive_result_free(&R->arch);
    free(R->arch_doc);
}

int folio_run(const folio_run_options *opt, folio_error *err)
{
    run_state R = {.opt = opt, .t0 = now_s()};
    /* a file-size limit makes writes fail with EFBIG (handled) instead of
     * killing the process with .part files left behind */
    struct sigaction ign = {.sa_handler = SIG_IGN}, old_xfsz;
    sigemptyset(&ign.sa_mask);
    sigaction(SIGXFSZ, &ign, &old_xfsz);
    folio_stop = 0;
    outdir_init(&R.od);
    struct sigaction sa = {.sa_handler = on_signal}, old_int, old_term, old_hup;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGINT, &sa, &old_int);
    sigaction(SIGTERM, &sa, &old_term);
    sigaction(SIGHUP, &sa, &old_hup);
    int rc = FOLIO_EXIT_FAILED;
    if (opt->threads > 0)
        omp_set_num_threads(opt->threads);
    pdf_tune_allocator();

    R.job = job_load(opt->job_path, err);
    if (!R.job) {
        rc = FOLIO_EXIT_USAGE;
        goto done;
    }
    R.layout = layout_load(R.job->layout_path, err);
    if (!R.layout || (R.job->marks && !marks_check_layout(R.job->marks, R.layout, err))) {
        rc = FOLIO_EXIT_USAGE;
        goto done;
    }
    if (R.job->offers && !(R.offers = offers_load(R.job->offers, R.job, R.layout, err))) {
        rc = err->code == FOLIO_EXIT_USAGE ? FOLIO_EXIT_USAGE : FOLIO_EXIT_FAILED;
        goto done;
    }
    for (int i = 0; i < R.layout->n_warnings; i++)   /* missing translations */
        fprintf(stderr, "folio: %s\n", R.layout->warnings[i]);
    snprintf(R.out, sizeof R.out, "%s", opt->out_dir ? opt->out_dir : R.job->out_dir);
    char path[4200];
    /* one run per OUT (its lock), and OUT's subdirectories never through a
     * symbolic link; nothing in OUT changes until the checks below pass */
    if (!outdir_open(&R.od, R.out, err))
        goto done;
    /* each shard writes its own OUT: the record files and the manifest
     * carry no shard tag, so a shard must not overwrite another's */
    snprintf(path, sizeof path, "%s/manifest.json", R.out);
    if (!same_shard_or_new(&R, path, err)) {
        rc = FOLIO_EXIT_USAGE;
        goto done;
    }
    if (!check_inputs(&R, err))
        goto done;
    /* the old manifest (first), leftovers and the earlier run's outputs: a
     * stale manifest would make a failed run look complete, and stale print
     * files would be mailed again */
    {
        char tag[32] = "";
        if (opt->shard_count > 0)
            snprintf(tag, sizeof tag, "-s%02dof%02d", opt->shard_index, opt->shard_count);
        if (!outdir_clean(&R.od, tag, err))
            goto done;
    }
    R.owned = true;
    if (!outdir_sub(&R.od, FOLIO_OUT_PRINT, true, err))
        goto done;
    phase("load");
    double t_load = now_s();
    R.ds = feed_load_all_progress(R.job, opt->threads, opt->progress ? load_progress : NULL,
                                  &R, err);
    if (!R.ds || !stop_if_interrupted(err))
        goto done;
    t_load = now_s() - t_load;
    snprintf(path, sizeof path, "%s/rejects.csv.part", R.out);
    if (!feed_write_rejects(R.ds, R.job, path, err))
        goto done;

    {
        const char *order[64];
        int n_order = 0;
        for (int i = 0; i < R.layout->n_products && n_order < 64; i++)
            order[n_order++] = R.layout->products[i].code;
        if (!household_group(R.ds, order, n_order, &R.hs, err) || !stop_if_interrupted(err))
            goto done;
    }
    double t_plan = now_s();
    R.plan = compose_plan_new(R.job, R.layout, R.ds, &R.hs, err);
    t_plan = now_s() - t_plan;
    if (!R.plan || !stop_if_interrupted(err))
        goto done;
    if (R.offers) {
        if (!offers_bind(R.offers, R.ds, &R.hs, err))
            goto done;
        R.plan->offers = R.offers;
    }
    R.res = calloc(R.hs.n ? R.hs.n : 1, sizeof *R.res);
    R.decided = calloc(R.hs.n ? R.hs.n : 1, sizeof *R.decided);
    R.in_shard = malloc(R.hs.n ? R.hs.n : 1);
    if (!R.res || !R.decided || !R.in_shard) {
        folio_error_set(err, FOLIO_EXIT_FAILED, "out of memory");
        goto done;
    }
    for (size_t h = 0; h < R.hs.n; h++)
        R.in_shard[h] = opt->shard_count <= 0 ||
                        (int)(fnv1a(R.hs.v[h].id) % (uint64_t)opt->shard_count) ==
                            opt->shard_index - 1;

    phase("compose");
    double t_compose = now_s();
    if (!pass1(&R, err) || !stop_if_interrupted(err))
        goto done;
    t_compose = now_s() - t_compose;
    double t_prod = now_s();
    if (!plan_files(&R, err) || !add_run_keys(&R, err))
        goto done;
    t_plan += now_s() - t_prod;
    phase("print");
    double t_write = now_s();
    R.plan->skip_decisions = true;   /* pass 1 kept them (keep_decisions) */
    if (!pass2(&R, err) || !stop_if_interrupted(err))
        goto done;
    t_write = now_s() - t_write;
    phase("archive");
    if (!pass3_archive(&R, err) || !stop_if_interrupted(err))
        goto done;
    phase("proofs");
    double t_proof = now_s();
    if (!write_proofs(&R, err) || !stop_if_interrupted(err))
        goto done;
    t_proof = now_s() - t_proof;
    if (opt->progress)
        fprintf(stderr, "\r%-78s\r", "");

    /* ---- reconciliation ---- */
    phase("records");
    totals T = {0};
    /* every money total is a checked sum: the first that overflows fails the
     * run, named, instead of a wrapped figure in a "balanced" manifest */
    const char *overflow = NULL;
    size_t notdef_first = 0, shrunk_first = 0, clipped_first = 0;
#define MONEY_SUM(acc, v, what) \
    do { if (!folio_money_add(&(acc), (v)) && !overflow) overflow = (what); } while (0)
    for (size_t h = 0; h < R.hs.n; h++) {
        if (!R.in_shard[h])
            continue;
        T.households++;
        uint8_t ch = R.plan->households[h].channel;
        T.statements[ch]++;
        if (ch == FOLIO_CHANNEL_SUPPRESSED)
            continue;
        if (ch == FOLIO_CHANNEL_EMAIL)
            T.pages_email += R.res[h].pages;
        T.acc_composed += R.res[h].accounts;
        T.txn_composed += R.res[h].txns;
        MONEY_SUM(T.amt_composed, R.res[h].txn_sum, "the amount composed");
        if (R.res[h].notdef && !T.notdef_chars)
            notdef_first = h;
        T.notdef_chars += R.res[h].notdef;
        if (R.res[h].text_shrunk && !T.text_shrunk)
            shrunk_first = h;
        if (R.res[h].text_clipped && !T.text_clipped)
            clipped_first = h;
        T.text_shrunk += R.res[h].text_shrunk;
        T.text_clipped += R.res[h].text_clipped;
    }
    if (T.text_shrunk)
        fprintf(stderr, "folio: warning: %llu text(s) too wide for their layout box were "
                "printed smaller (first: household %s, field %s); see manifest.json "
                "counts.text_shrunk and audit.jsonl \"text_fit\"\n",
                (unsigned long long)T.text_shrunk, R.hs.v[shrunk_first].id,
                R.res[shrunk_first].shrunk_field);
    if (T.text_clipped)
        fprintf(stderr, "folio: warning: %llu text(s) too wide for their layout box even at "
                "the minimum size were cut short with an ellipsis (first: household %s, "
                "field %s); see manifest.json counts.text_clipped and audit.jsonl "
                "\"text_fit\"\n", (unsigned long long)T.text_clipped,
                R.hs.v[clipped_first].id, R.res[clipped_first].clipped_field);
    if (T.notdef_chars) {
        /* never silent, like the AFP substitutions: how many, the first one */
        const folio_compose_result *f = &R.res[notdef_first];
        fprintf(stderr, "folio: warning: %llu character(s) have no glyph in the layout's "
                "fonts and were drawn as empty boxes (first: U+%04X in household %s, "
                "field %s); see manifest.json counts.notdef_chars\n",
                (unsigned long long)T.notdef_chars, (unsigned)f->notdef_cp,
                R.hs.v[notdef_first].id, f->notdef_field);
    }
    uint64_t afp_pages = 0, afp_groups = 0, afp_subst = 0, text_pages = 0;
    int first_fmt = 0;
    while (first_fmt < FOLIO_PRINT_FORMATS - 1 && !print_format_on(R.job, first_fmt))
        first_fmt++;
    for (size_t i = 0; i < R.n_files; i++) {
        const print_file *f = &R.files[i];
        const folio_sink_result *afp = &f->out[FOLIO_PRINT_AFP].res;
        T.pages_print += f->out[first_fmt].res.pages;
        T.sheets += f->sheets;
        afp_pages += afp->pages;
        afp_groups += afp->statements;
        afp_subst += afp->substituted;
        T.afp_cut_values += afp->cut;
        text_pages += f->out[FOLIO_PRINT_TEXT].res.pages;
    }
    T.afp_substitutions = afp_subst;
    if (afp_subst) {
        /* never silent: name the characters (first distinct ones over all files) */
        char ex[128] = "";
        size_t el = 0;
        int shown = 0;
        for (size_t i = 0; i < R.n_files && shown < 8; i++)
            for (int k = 0; k < 8 && R.files[i].out[FOLIO_PRINT_AFP].res.substituted_ex[k] &&
                            shown < 8; k++) {
                uint32_t cp = R.files[i].out[FOLIO_PRINT_AFP].res.substituted_ex[k];
                char probe[16];
                snprintf(probe, sizeof probe, "U+%04X", (unsigned)cp);
                if (strstr(ex, probe))
                    continue;
                if (!folio_str_appendf(ex, sizeof ex, &el, "%sU+%04X", shown ? " " : "",
                                       (unsigned)cp))
                    break;
                shown++;
            }
        fprintf(stderr, "folio: warning: %llu character(s) are not in AFP code page %d and "
                "were printed as '%c' (%s); see manifest.json counts.afp_substitutions\n",
                (unsigned long long)afp_subst, R.job->afp->code_page, R.job->afp->substitute, ex);
    }
    T.rejects = R.ds->n_rejects;
    for (int i = 0; i < R.job->n_feeds; i++) {
        const folio_feed_stats *s = &R.ds->stats[i];
        if (R.job->feeds[i].kind == FOLIO_FEED_ACCOUNTS) {
            T.acc_read += s->records;
            T.acc_rejected += s->rejected;
        } else if (R.job->feeds[i].kind == FOLIO_FEED_TRANSACTIONS) {
            T.txn_read += s->records;
            T.txn_rejected += s->rejected;
            MONEY_SUM(T.amt_read, s->amount_read, "the amount read");
            MONEY_SUM(T.amt_rejected, s->amount_rejected, "the amount rejected");
            if (s->amount_overflow)
                overflow = "the amount rejected";
        }
    }
    for (size_t i = 0; i < R.ds->n_txns; i++)
        MONEY_SUM(T.amt_loaded, R.ds->txns[i].amount, "the amount loaded");
    /* the record files, like every output, stay .part until publishing */
    snprintf(path, sizeof path, "%s/suppressed.csv.part", R.out);
    if (!write_suppressed(&R, path, &T.amt_suppressed, &T.acc_suppressed, &T.txn_suppressed, err))
        goto done;
    snprintf(path, sizeof path, "%s/audit.jsonl.part", R.out);
    if (!write_audit(&R, path, err))
        goto done;
    /* cases an operator must look at (folio/exceptions.h): written even when
       empty, so a run without exceptions says so */
    snprintf(path, sizeof path, "%s/exceptions.csv.part", R.out);
    if (!folio_exceptions_write(&R.ds->exceptions, path, err))
        goto done;
    /* next month's input: a failed run must not replace it */
    snprintf(path, sizeof path, "%s/contact_history.csv.part", R.out);
    if (R.offers && !write_contact_history(&R, path, err))
        goto done;

    folio_buf cj;
    folio_buf_init(&cj, 1 << 20);
    bool balanced = true;
    uint64_t acc_shard = 0, txn_shard = 0;
    folio_money amt_shard = 0;
    for (size_t h = 0; h < R.hs.n; h++) {
        if (!R.in_shard[h])
            continue;
        const folio_household *hh = &R.hs.v[h];
        acc_shard += hh->n_accounts;
        for (uint32_t k = 0; k < hh->n_accounts; k++) {
            const folio_account *a = &R.ds->accounts[R.hs.account_idx[hh->first_account + k]];
            txn_shard += a->n_txn;
            for (uint32_t t = a->first_txn; t < a->first_txn + a->n_txn; t++)
                MONEY_SUM(amt_shard, R.ds->txns[t].amount, "the amount of the shard");
        }
    }
    folio_money read_minus_rej = T.amt_read, composed_plus_sup = T.amt_composed;
    if (!folio_money_sub(&read_minus_rej, T.amt_rejected))
        overflow = "amount read - rejected";
    if (!folio_money_add(&composed_plus_sup, T.amt_suppressed))
        overflow = "amount composed + suppressed";
    if (overflow) {
        /* a control total that cannot be represented is not printed wrapped */
        folio_error_set(err, FOLIO_EXIT_FAILED, "control totals: amount sum overflows: %s "
                        "leaves the representable range", overflow);
        folio_buf_free(&cj);
        goto done;
    }
    bool sharded = opt->shard_count > 0;
    check(&cj, &balanced, "account rows read = accepted + rejected", "read", (int64_t)T.acc_read,
          "accepted_plus_rejected", (int64_t)(R.ds->n_accounts + T.acc_rejected), false);
    check(&cj, &balanced, "transaction rows read = accepted + rejected", "read",
          (int64_t)T.txn_read, "accepted_plus_rejected",
          (int64_t)(R.ds->n_txns + T.txn_rejected), false);
    check(&cj, &balanced, "amount read - rejected = amount loaded", "read_minus_rejected",
          read_minus_rej, "loaded", T.amt_loaded, true);
    if (!sharded) {
        check(&cj, &balanced, "every loaded account belongs to a household", "loaded",
              (int64_t)R.ds->n_accounts, "in_households", (int64_t)acc_shard, false);
        check(&cj, &balanced, "every loaded transaction belongs to a household", "loaded",
              (int64_t)R.ds->n_txns, "in_households", (int64_t)txn_shard, false);
    }
    check(&cj, &balanced, "accounts = composed + suppressed", "accounts", (int64_t)acc_shard,
          "composed_plus_suppressed", (int64_t)(T.acc_composed + T.acc_suppressed), false);
    check(&cj, &balanced, "transactions = composed + suppressed", "transactions",
          (int64_t)txn_shard, "composed_plus_suppressed",
          (int64_t)(T.txn_composed + T.txn_suppressed), false);
    check(&cj, &balanced, "amount = composed + suppressed", "amount", amt_shard,
          "composed_plus_suppressed", composed_plus_sup, true);
    {
        uint64_t pages1 = 0;
        for (size_t i = 0; i < R.n_print; i++) {
            uint32_t pg = R.res[R.print_hh[i]].pages;
            pages1 += pg + (R.job->duplex && (pg & 1));
        }
        check(&cj, &balanced, "print pages composed = pages written", "composed",
              (int64_t)pages1, "written", (int64_t)T.pages_print, false);
        if (afp_on(&R)) {
            check(&cj, &balanced, "AFP pages = print pages composed", "afp_pages",
                  (int64_t)afp_pages, "composed", (int64_t)pages1, false);
            check(&cj, &balanced, "AFP page groups = print statements", "afp_page_groups",
                  (int64_t)afp_groups, "print_statements", (int64_t)R.n_print, false);
        }
        if (R.job->print_text)
            check(&cj, &balanced, "text pages = print pages composed", "text_pages",
                  (int64_t)text_pages, "composed", (int64_t)pages1, false);
    }
    check_channels(&R, &cj, &balanced, check);
    if (cj.failed) {
        folio_buf_free(&cj);
        folio_error_set(err, FOLIO_EXIT_FAILED, "out of memory");
        goto done;
    }
    if (!balanced) {
        fprintf(stderr, "folio: reconciliation FAILED:%s\n", cj.data);
        folio_buf_free(&cj);
        folio_error_set(err, FOLIO_EXIT_FAILED,
                        "%s: the run does not reconcile; no output was published (see the checks "
                        "above)", R.job->path);
        goto done;
    }
    phase("publish");
    /* publish (the order is described at the top of publish.c): the
     * manifest is written under a .part name first (a full disk fails here,
     * before anything is renamed), then every output is fsync'd and renamed,
     * the directories fsync'd, and the manifest renamed last */
    if (!stop_if_interrupted(err) ||
        !write_manifest(&R, &T, balanced, cj.data ? cj.data : "", err)) {
        folio_buf_free(&cj);
        goto done;
    }
    folio_buf_free(&cj);
    {
        char rec[5][2][4200];
        size_t n_items = 0;
        folio_pub_item *items = publish_items(&R, rec, &n_items);
        if (!items) {
            folio_error_set(err, FOLIO_EXIT_FAILED, "out of memory");
            goto done;
        }
        snprintf(path, sizeof path, "%s/manifest.json.part", R.out);
        bool ok = outdir_publish(&R.od, items, n_items, path, err);
        free(items);
        if (!ok)
            goto done;
        R.proof.published = R.proof.written;
    }

    double total = now_s() - R.t0;
    if (!opt->quiet) {
        struct rusage ru;
        getrusage(RUSAGE_SELF, &ru);
        printf("folio %s: %s\n", FOLIO_VERSION, R.job->name);
        printf("  households     %llu  (print %llu, e-mail %llu, both %llu, suppressed %llu)\n",
               (unsigned long long)T.households, (unsigned long long)T.statements[0],
               (unsigned long long)T.statements[1], (unsigned long long)T.statements[2],
               (unsigned long long)T.statements[3]);
        printf("  print          %zu statements, %llu pages, %llu sheets, %zu file(s) in %s/print\n",
               R.n_print, (unsigned long long)T.pages_print, (unsigned long long)T.sheets,
               R.n_files, R.out);
        for (uint32_t s = 0; s < R.prod->n_streams; s++) {
            const folio_prod_stream *ps = &R.prod->streams[s];
            if (ps->statements)
                printf("    stream %-12s %llu statements, %llu sheets, %u file(s)\n", ps->name,
                       (unsigned long long)ps->statements, (unsigned long long)ps->sheets,
                       R.n_files ? ps->n_files : 0);
        }
        printf("  archive        %zu documents, %llu pages, %zu zip(s), %llu notification(s) "
               "in %s/archive (%.2fs)\n", R.arch.n_docs, (unsigned long long)R.arch.pages_total,
               R.arch.n_zips, (unsigned long long)R.arch.notifications, R.out, R.arch.seconds);
        printf("  accounts       %llu read, %llu composed, %llu suppressed, %llu rejected\n",
               (unsigned long long)T.acc_read, (unsigned long long)T.acc_composed,
               (unsigned long long)T.acc_suppressed, (unsigned long long)T.acc_rejected);
        printf("  transactions   %llu read, %llu composed, %llu suppressed, %llu rejected\n",
               (unsigned long long)T.txn_read, (unsigned long long)T.txn_composed,
               (unsigned long long)T.txn_suppressed, (unsigned long long)T.txn_rejected);
        print_languages(&R);
        print_offers(&R);
        printf("  reconciliation balanced (manifest.json)\n");
        if (R.proof.written)
            printf("  proofs         %u household(s), %u pages, %u of %u coverage keys -> "
                   "%s/proofs/proof.pdf (%.2fs)\n", R.proof.cover.n_picked, R.proof.pages,
                   R.proof.cover.n_keys - R.proof.cover.n_uncovered, R.proof.cover.n_keys,
                   R.out, t_proof);
        printf("  rejects        %llu row(s)%s\n", (unsigned long long)T.rejects,
               T.rejects ? " -> rejects.csv" : "");
        printf("  exceptions     %zu case(s)%s\n", R.ds->exceptions.n,
               R.ds->exceptions.n ? " -> exceptions.csv" : "");
        printf("  time           %.2fs (load %.2fs, compose %.2fs, write %.2fs), %d thread(s), "
               "%.0f pages/s, peak RSS %ld MB\n",
               total, t_load, t_compose, t_write, omp_get_max_threads(),
               total > 0 ? T.pages_print / total : 0.0, ru.ru_maxrss / 1024);
        /* the print stage per stage, in CPU seconds summed over the threads
         * (plan: wall): the next bottleneck shows here */
        printf("  stages         plan %.2fs, compose %.2fs, prepare %.2fs, write %.2fs "
               "(print, CPU seconds)\n", t_plan, R.t_print_compose, R.t_print_prepare,
               R.t_print_write);
    }
    if (R.ds->exceptions.n)
        fprintf(stderr, "folio: %zu exception(s) for operations are listed in %s/exceptions.csv\n",
                R.ds->exceptions.n, R.out);
    rc = T.rejects || R.ds->exceptions.n ? FOLIO_EXIT_REJECTS : FOLIO_EXIT_OK;
done:
    if (opt->progress && rc == FOLIO_EXIT_FAILED)
        fprintf(stderr, "\n");
    if (rc == FOLIO_EXIT_FAILED && err->code == FOLIO_EXIT_USAGE)
        rc = FOLIO_EXIT_USAGE;          /* e.g. a mapped column missing from a feed */
    if ((rc == FOLIO_EXIT_FAILED || rc == FOLIO_EXIT_USAGE) && R.owned)
        discard_parts(&R);  /* nothing half-written stays (publishing undoes itself) */
    run_free(&R);
    outdir_close(&R.od);                /* releases the lock */
    sigaction(SIGINT, &old_int, NULL);
    sigaction(SIGTERM, &old_term, NULL);
    sigaction(SIGHUP, &old_hup, NULL);
    sigaction(SIGXFSZ, &old_xfsz, NULL);
    return rc;
}
