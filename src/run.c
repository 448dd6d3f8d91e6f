/*
 * run.c -- `folio run` (see include/folio/run.h for the order of steps).
 *
 * Parallelism and determinism: pass 1 composes households with a dynamic
 * OpenMP schedule; per-household results go into arrays indexed by household,
 * and sums are integers, so nothing depends on scheduling.  Pass 2 gives each
 * print file to one thread; a file's bytes depend only on its statements.
 */
#include "folio/codes.h"
#include "folio/products.h"
#include "folio/currency.h"
#include "folio/run.h"

#include "folio/afp.h"
#include "folio/archive.h"
#include "folio/compose.h"
#include "folio/exceptions.h"
#include "folio/holders.h"
#include "folio/feed.h"
#include "folio/household.h"
#include "folio/job.h"
#include "folio/layout.h"
#include "folio/ledger.h"
#include "folio/offers.h"
#include "folio/marks.h"
#include "folio/paragraphs.h"
#include "folio/pdf.h"
#include "folio/production.h"
#include "folio/proof.h"
#include "print.h"
#include "publish.h"
#include "manifest.h"
#include "reconcile.h"
#include "records.h"
#include "run-outputs.h"
#include "run-private.h"
#include "addressee.h"
#include "run-report.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <omp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}


static bool stop_if_interrupted(folio_error *err)
{
    return !folio_stopped(err);
}

/* The start of a phase, to the caller (the CLI's test hook prints it). */
static void phase(run_state *R, const char *name)
{
    run_event(R, &(folio_run_event){.kind = FOLIO_RUN_PHASE, .name = name,
                                    .elapsed = now_s() - R->t0});
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
    run_event(R, &(folio_run_event){.kind = FOLIO_RUN_COUNTING, .name = what, .done = done,
                                    .total = total, .elapsed = now_s() - R->t0});
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
    run_event(R, &(folio_run_event){.kind = FOLIO_RUN_LOADING, .done = bytes, .total = total,
                                    .records = records, .elapsed = now - R->t0});
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

/* Errors: the failing household with the lowest index wins, so the message
 * does not depend on the thread count.  After a failure at household f,
 * households above f are skipped, those below it still composed (one of
 * them may fail first in household order). */
static bool pass1(run_state *R, folio_error *err)
{
    size_t n = R->hs.n;
    size_t failed_at = SIZE_MAX;        /* lowest failing household so far */
    folio_error first = {0};
    R->done = 0;
#pragma omp parallel
    {
        folio_arena arena;
        folio_arena_init(&arena, 256 * 1024);
        folio_error e = {0};
#pragma omp for schedule(dynamic, 64)
        for (size_t h = 0; h < n; h++) {
            size_t f;
#pragma omp atomic read
            f = failed_at;
            if (h > f || folio_stop || !R->in_shard[h] ||
                R->plan->households[h].channel == FOLIO_CHANNEL_SUPPRESSED)
                continue;
            if (!compose_household(R->plan, h, &arena, &R->res[h], &e) ||
                !keep_decisions(R, h, &e)) {
#pragma omp critical(run_err)
                {
                    if (h < failed_at) {
                        first = e;
#pragma omp atomic write
                        failed_at = h;
                    }
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
    if (failed_at != SIZE_MAX) {
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
        in->returned = R->plan->households[h].returned;
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
            run_warn(R, "warning: %s holds one statement of %u sheets, above "
                    "output.print.max_sheets (%d)", f->name, pf->sheets,
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
        folio_buf w;
        folio_buf_init(&w, 1 << 20);
        folio_buf_printf(&w, "warning: the proof sample stops at output.proofs.max (%u "
                         "households); %u of %u coverage keys are not covered:", po->max,
                         c->n_uncovered, c->n_keys);
        for (uint32_t u = 0; u < c->n_uncovered && u < 10; u++)
            folio_buf_printf(&w, " %s", c->keys[c->uncovered[u]]);
        folio_buf_printf(&w, "%s (see proofs/proofs.json)", c->n_uncovered > 10 ? " ..." : "");
        if (!w.failed)
            run_warn(R, "%.*s", (int)w.len, w.data);
        folio_buf_free(&w);
    }
    return ok;
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

/* ---- the run ----------------------------------------------------------- */

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

int folio_run(const folio_run_options *opt, folio_run_report *rep, folio_error *err)
{
    run_state R = {.opt = opt, .t0 = now_s()};
    R.rep = rep ? rep : &R.own_rep;
    outdir_init(&R.od);
    int rc = FOLIO_EXIT_FAILED;
    if (opt->threads > 0)
        omp_set_num_threads(opt->threads);

    R.job = job_load(opt->job_path, err);
    if (!R.job) {
        rc = FOLIO_EXIT_USAGE;
        goto done;
    }
    R.layout = layout_load_attrs(R.job->layout_path, R.job->attrs, err);
    if (!R.layout || (R.job->marks && !marks_check_layout(R.job->marks, R.layout, err))
        || (R.job->codes && !codes_bind_layout(R.job->codes, R.job->path, R.layout, err))
        || !products_bind(R.job, R.layout, err)) {         /* issue 10 part 6 */
        rc = err->code == FOLIO_EXIT_FAILED ? FOLIO_EXIT_FAILED : FOLIO_EXIT_USAGE;
        goto done;
    }
    if (R.job->offers && !(R.offers = offers_load(R.job->offers, R.job, R.layout, err))) {
        rc = err->code == FOLIO_EXIT_USAGE ? FOLIO_EXIT_USAGE : FOLIO_EXIT_FAILED;
        goto done;
    }
    for (int i = 0; i < R.layout->n_warnings; i++)   /* missing translations */
        run_warn(&R, "%s", R.layout->warnings[i]);
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
    phase(&R, "load");
    double t_load = now_s();
    R.ds = feed_load_all_progress(R.job, opt->threads, opt->progress ? load_progress : NULL,
                                  &R, err);
    if (!R.ds || !currency_check_scales(R.job, R.ds, err) || !stop_if_interrupted(err))
        goto done;
    t_load = now_s() - t_load;
    /* issue 10 part 3: posting order and balances from the bank's ledger */
    if (!ledger_prepare(R.ds, R.job, R.layout, err))
        goto done;
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
    if (!holders_route(R.plan, &R.ds->exceptions, err))   /* oversize, undeliverable */
        goto done;
    if (!addressee_check(R.plan, &R.ds->exceptions, err))   /* issue 10 gaps: names */
        goto done;
    if (!ledger_report(R.plan, R.ds, &R.ledger, err))   /* issue 10 part 3 */
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

    phase(&R, "compose");
    double t_compose = now_s();
    if (!pass1(&R, err) || !stop_if_interrupted(err))
        goto done;
    t_compose = now_s() - t_compose;
    double t_prod = now_s();
    if (!plan_files(&R, err) || !add_run_keys(&R, err))
        goto done;
    t_plan += now_s() - t_prod;
    phase(&R, "print");
    double t_write = now_s();
    R.plan->skip_decisions = true;   /* pass 1 kept them (keep_decisions) */
    if (!pass2(&R, err) || !stop_if_interrupted(err))
        goto done;
    t_write = now_s() - t_write;
    phase(&R, "archive");
    if (!pass3_archive(&R, err) || !stop_if_interrupted(err))
        goto done;
    phase(&R, "proofs");
    double t_proof = now_s();
    if (!write_proofs(&R, err) || !stop_if_interrupted(err))
        goto done;
    t_proof = now_s() - t_proof;
    if (opt->progress)
        run_event(&R, &(folio_run_event){.kind = FOLIO_RUN_PROGRESS_END,
                                         .elapsed = now_s() - R.t0});

    /* ---- reconciliation ---- */
    phase(&R, "records");
    totals T = {0};
    reconcile_totals(&R, &T);
    if (!records_write(&R, &T, err))
        goto done;
    folio_buf cj;
    folio_buf_init(&cj, 1 << 20);
    bool balanced = true;
    if (!reconcile_check(&R, &T, &cj, &balanced, err)) {
        folio_buf_free(&cj);
        goto done;
    }
    phase(&R, "publish");
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

    run_times times = {.total = now_s() - R.t0, .load = t_load, .compose = t_compose,
                       .plan = t_plan,
                       .write = t_write, .proof = t_proof};
    run_report_fill(&R, &T, &times);
    rc = T.rejects || R.ds->exceptions.n ? FOLIO_EXIT_REJECTS : FOLIO_EXIT_OK;
done:
    if (rc == FOLIO_EXIT_FAILED && err->code == FOLIO_EXIT_USAGE)
        rc = FOLIO_EXIT_USAGE;          /* e.g. a mapped column missing from a feed */
    if ((rc == FOLIO_EXIT_FAILED || rc == FOLIO_EXIT_USAGE) && R.owned)
        discard_parts(&R);  /* nothing half-written stays (publishing undoes itself) */
    run_free(&R);
    outdir_close(&R.od);                /* releases the lock */
    if (!rep)
        folio_run_report_free(&R.own_rep);
    return rc;
}
