/* SPDX-License-Identifier: Apache-2.0 */
/*
 * cli-run.c -- `folio run`: argv, the signal handlers, allocator tuning,
 * and everything the run shows: progress lines and the test hook's phase
 * lines on stderr while it runs, then its warnings, the summary on stdout
 * and the exit message.  The library (folio_run) prints nothing; it hands
 * back a folio_run_report (folio/run.h).
 */
#include "cli.h"

#include "folio/partition.h"
#include "folio/pdf.h"
#include "folio/progress.h"
#include "folio/run.h"
#include "spool.h"

#include <pthread.h>
#include <signal.h>
#include <sys/resource.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

/* ---- the options of `folio run` (cli.h) -------------------------------------- */

enum { RUN_SHARD = CLI_LONG, RUN_WORK, RUN_MEMORY_LIMIT };   /* issue 12 part 1: the last two */

static int run_cmd(const cli_command *c, int argc, char **argv);

static const cli_opt run_opts[] = {
    {"out", 'o', "DIR", "output directory (default: the job's output.dir)"},
    {"threads", 'j', "N", "worker threads, 1 to 1024 (default: all cores)"},
    {"shard", RUN_SHARD, "I/N", "process only the households of shard I of N (1-based),\n"
                                "chosen by a hash of the household id"},
    {"quiet", 'q', NULL, "no summary on stdout and no progress line"},
    /* issue 12 part 1 */
    {"work", RUN_WORK, "DIR", "work files (spooled audit and coverage records) in DIR\n"
                              "(default: the output directory); removed at the end"},
    {"memory-limit", RUN_MEMORY_LIMIT, "SIZE", "memory budget (suffix K, M or G; default 1G):\n"
                                               "a job estimated above it keeps its transaction\n"
                                               "table in a work file under --work"},
    {0},
};

const cli_command cli_cmd_run = {
    .name = "run",
    .operands = "JOB.yaml",
    .summary = "run a statement job",
    .about = "Load the job's feeds, group accounts by household, compose one statement per\n"
             "household from the layout and write into DIR, as the job asks:\n"
             "  print/      the print streams (PDF or AFP) and their pieces files\n"
             "  archive/    the e-delivery archive: one tagged PDF/A-2a + PDF/UA-1\n"
             "              document per e-mail household (PDF/A-1b with archive.tagged:\n"
             "              false) in zips with index.csv / index.json, notifications.csv\n"
             "  proofs/     the proof sample: proof.pdf and proofs.json\n"
             "  audit.jsonl, rejects.csv, suppressed.csv, exceptions.csv,\n"
             "  contact_history.csv, report.html (the run as a page to look at)\n"
             "  and manifest.json (written last; `folio verify`)\n"
             "The job file is described in folio-job(5), the layout in folio-layout(5).\n",
    .opts = run_opts,
    .epilog = "On a terminal a progress line is shown on stderr.\n"
              "exit status: 0 success, 1 failed (no output published), 2 bad usage or bad\n"
              "job/layout file (message names file:line:col), 3 success with rejected rows.\n",
    .main = run_cmd,
};

static double mono_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

/* Progress lines (on a terminal; their text from folio_progress_event,
 * folio/progress.h: each redraw clears to the end of the line, rates over
 * the last seconds) and the phase clock of the summary's "phases" line.
 * The test hooks: with FOLIO_TEST_PHASES set, "folio: phase NAME" on stderr
 * at the start of each phase; with FOLIO_TEST_STOP_AT=NAME as well, the
 * process stops itself (SIGSTOP) right after announcing phase NAME, so a
 * test signals a run that is certainly in that phase and then sends SIGCONT
 * (a fast phase can otherwise end before the signal arrives). */
typedef struct progress_ui {
    folio_progress p;
    pthread_mutex_t mu;         /* around p and the writes to stderr */
    pthread_cond_t cv;
    bool stop, ticking;
    pthread_t ticker;
} progress_ui;

/* issue 11 (r-serial): with FOLIO_PHASE_CPU set, each phase's wall and
 * process CPU seconds (user + sys, all threads) on stderr after the run, so
 * the serial phases and the CPU a second thread adds are visible per phase
 * (perf/README.md, "Round 23: the serial path"). */
static struct {
    int n;
    char name[FOLIO_PHASES_MAX][24];
    double wall[FOLIO_PHASES_MAX], cpu[FOLIO_PHASES_MAX];
} phase_cpu;

static double process_cpu_s(void)
{
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    return (double)ru.ru_utime.tv_sec + ru.ru_utime.tv_usec / 1e6 +
           (double)ru.ru_stime.tv_sec + ru.ru_stime.tv_usec / 1e6;
}

static void phase_cpu_mark(const char *name)
{
    if (phase_cpu.n == FOLIO_PHASES_MAX)
        return;
    snprintf(phase_cpu.name[phase_cpu.n], sizeof phase_cpu.name[0], "%s", name ? name : "end");
    phase_cpu.wall[phase_cpu.n] = mono_s();
    phase_cpu.cpu[phase_cpu.n] = process_cpu_s();
    phase_cpu.n++;
}

static void phase_cpu_print(double t_start)
{
    if (!getenv("FOLIO_PHASE_CPU") || phase_cpu.n == 0)
        return;
    phase_cpu_mark(NULL);
    fprintf(stderr, "folio: phase-cpu start wall %.3f cpu %.3f\n",
            phase_cpu.wall[0] - t_start, phase_cpu.cpu[0]);
    for (int i = 0; i + 1 < phase_cpu.n; i++)
        fprintf(stderr, "folio: phase-cpu %s wall %.3f cpu %.3f\n", phase_cpu.name[i],
                phase_cpu.wall[i + 1] - phase_cpu.wall[i], phase_cpu.cpu[i + 1] - phase_cpu.cpu[i]);
}

static void on_event(void *ctx, const folio_run_event *ev)
{
    progress_ui *u = ctx;
    static int phases = -1;
    pthread_mutex_lock(&u->mu);
    if (ev->kind == FOLIO_RUN_PHASE) {
        phase_cpu_mark(ev->name);
        if (phases < 0)
            phases = getenv("FOLIO_TEST_PHASES") != NULL;
        if (phases) {
            fprintf(stderr, "folio: phase %s\n", ev->name);
            fflush(stderr);
            const char *stop = getenv("FOLIO_TEST_STOP_AT");
            if (stop && strcmp(stop, ev->name) == 0)
                raise(SIGSTOP);
        }
    }
    char line[512];
    if (folio_progress_event(&u->p, ev, mono_s(), line, sizeof line)) {
        fputs(line, stderr);
        fflush(stderr);
    }
    pthread_mutex_unlock(&u->mu);
}

/* On a terminal: redraw the line every second nothing else did, so the
 * elapsed time moves in phases without counts (folio_progress_tick). */
static void *progress_ticker(void *arg)
{
    progress_ui *u = arg;
    sigset_t all;                       /* signals go to the run's threads */
    sigfillset(&all);
    pthread_sigmask(SIG_BLOCK, &all, NULL);
    pthread_mutex_lock(&u->mu);
    while (!u->stop) {
        struct timespec ts;
        clock_gettime(CLOCK_REALTIME, &ts);
        ts.tv_nsec += 250000000L;
        if (ts.tv_nsec >= 1000000000L) {
            ts.tv_sec++;
            ts.tv_nsec -= 1000000000L;
        }
        pthread_cond_timedwait(&u->cv, &u->mu, &ts);
        char line[512];
        if (!u->stop && folio_progress_tick(&u->p, mono_s(), line, sizeof line)) {
            fputs(line, stderr);
            fflush(stderr);
        }
    }
    pthread_mutex_unlock(&u->mu);
    return NULL;
}

static void progress_stop(progress_ui *u)
{
    if (!u->ticking)
        return;
    pthread_mutex_lock(&u->mu);
    u->stop = true;
    pthread_cond_signal(&u->cv);
    pthread_mutex_unlock(&u->mu);
    pthread_join(u->ticker, NULL);
    u->ticking = false;
}

/* SIGINT / SIGTERM / SIGHUP set folio_stop (common.h): every long loop
 * (load, households, compose, archive, print, proofs, records) polls it and
 * stops, and the run fails (exit 1) through the normal cleanup, so a killed
 * run leaves no .part files and nothing that looks complete.  folio_run
 * with those handlers installed (cli_stop_signals_on, src/cli-process.c:
 * SIGXFSZ ignored too, so a file-size limit makes writes fail with EFBIG)
 * and the old ones restored after. */
static int run_with_signals(const folio_run_options *o, folio_run_report *rep, folio_error *err)
{
    cli_signals old;
    cli_stop_signals_on(&old);
    int rc = folio_run(o, rep, err);
    cli_stop_signals_off(&old);
    return rc;
}

/* The summary on stdout (tests grep it: keep the wording). */
static void print_summary(const folio_run_report *r, const char *phases, double wall)
{
    printf("folio %s: %s\n", FOLIO_VERSION, r->job_name);
    printf("  households     %llu  (print %llu, e-mail %llu, both %llu, suppressed %llu)\n",
           (unsigned long long)r->households, (unsigned long long)r->statements[0],
           (unsigned long long)r->statements[1], (unsigned long long)r->statements[2],
           (unsigned long long)r->statements[3]);
    printf("  print          %zu statements, %llu pages, %llu sheets, %zu file(s) in %s/print\n",
           r->print_statements, (unsigned long long)r->print_pages,
           (unsigned long long)r->print_sheets, r->print_files, r->out_dir);
    for (size_t s = 0; s < r->n_streams; s++) {
        const folio_run_stream_summary *ps = &r->streams[s];
        printf("    stream %-12s %llu statements, %llu sheets, %u file(s)\n",
               ps->name ? ps->name : "?", (unsigned long long)ps->statements,
               (unsigned long long)ps->sheets, ps->files);
    }
    printf("  archive        %zu documents, %llu pages, %zu zip(s), %llu notification(s) "
           "in %s/archive (%.2fs)\n", r->archive_documents, (unsigned long long)r->archive_pages,
           r->archive_zips, (unsigned long long)r->notifications, r->out_dir,
           r->archive_seconds);
    printf("  accounts       %llu read, %llu composed, %llu suppressed, %llu rejected\n",
           (unsigned long long)r->acc_read, (unsigned long long)r->acc_composed,
           (unsigned long long)r->acc_suppressed, (unsigned long long)r->acc_rejected);
    printf("  transactions   %llu read, %llu composed, %llu suppressed, %llu rejected\n",
           (unsigned long long)r->txn_read, (unsigned long long)r->txn_composed,
           (unsigned long long)r->txn_suppressed, (unsigned long long)r->txn_rejected);
    if (r->n_languages >= 2) {
        /* statements per language and how many used a fallback text */
        printf("  languages     ");
        for (int l = 0; l < r->n_languages; l++)
            printf("%s %s %llu", l ? "," : "", r->languages[l] ? r->languages[l] : "?",
                   (unsigned long long)r->by_language[l]);
        printf(" (%llu with fallback text%s)\n", (unsigned long long)r->fallback_statements,
               r->fallback_statements ? ", see audit.jsonl" : "");
    }
    if (r->offers)
        printf("  offers         %llu shown on %llu of %llu statements, %llu held out "
               "(contact_history.csv, audit.jsonl)\n", (unsigned long long)r->offers_shown,
               (unsigned long long)r->offers_statements_with,
               (unsigned long long)r->offers_statements,
               (unsigned long long)r->offers_held_out);
    printf("  reconciliation balanced (manifest.json)\n");
    if (r->proofs)
        printf("  proofs         %u household(s), %u pages, %u of %u coverage keys -> "
               "%s/proofs/proof.pdf (%.2fs)\n", r->proof_households, r->proof_pages,
               r->proof_keys_covered, r->proof_keys, r->out_dir, r->proof_seconds);
    printf("  rejects        %llu row(s)%s\n", (unsigned long long)r->rejects,
           r->rejects ? " -> rejects.csv" : "");
    printf("  exceptions     %zu case(s)%s\n", r->exceptions,
           r->exceptions ? " -> exceptions.csv" : "");
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    printf("  time           %.2fs (load %.2fs, compose %.2fs, write %.2fs), %d thread(s), "
           "%.0f pages/s, peak RSS %ld MB\n",
           r->seconds, r->load_seconds, r->compose_seconds, r->write_seconds, r->threads,
           r->seconds > 0 ? r->print_pages / r->seconds : 0.0, ru.ru_maxrss / 1024);
    /* issue 11: prepare = render + deflate */
    printf("  stages         plan %.2fs, compose %.2fs, render %.2fs, deflate %.2fs, "
           "write %.2fs (print, CPU seconds)\n", r->stage_plan_s, r->stage_compose_s,
           r->stage_render_s, r->stage_deflate_s, r->stage_write_s);
    /* issue 11 part 2 (r-once): printed statements composed once */
    printf("  composed once  %llu statements kept from compose (%.1f MB work file), "
           "%llu composed again to print\n", (unsigned long long)r->kept,
           r->kept_bytes / 1e6, (unsigned long long)r->composed_again);
    printf("  pdf pages      %llu: format %.2fs, deflate %.2fs, emit %.2fs (busy, all threads)\n",
           (unsigned long long)r->pdf_pages, r->pdf_format_s, r->pdf_deflate_s, r->pdf_emit_s);
    /* issue 16 part 6: wall seconds per phase, adding up to the wall time */
    printf("  phases         %s = %.2fs wall\n", phases, wall);
}

static int run_cmd(const cli_command *c, int argc, char **argv)
{
    folio_run_options o = {0};
    cli_parser p;
    cli_begin(&p, c, argc, argv);
    const char *a;
    int id;
    while ((id = cli_next(&p, &a)) > 0) {
        switch (id) {
        case 'o':
            o.out_dir = a;
            break;
        case 'j':
            if (!parse_threads(a, &o.threads))
                return cli_usage(c, "--threads needs a number from 1 to 1024");
            break;
        case RUN_SHARD: {
            int si, sn;
            char extra;
            if (sscanf(a, "%d/%d%c", &si, &sn, &extra) != 2 || sn < 1 || si < 1 || si > sn)
                return cli_usage(c, "--shard needs I/N with 1 <= I <= N, e.g. 2/4");
            o.shard_index = si;
            o.shard_count = sn;
            break;
        }
        case 'q':
            o.quiet = true;
            break;
        case RUN_WORK:                  /* issue 12 part 1 */
            if (!*a)
                return cli_usage(c, "--work needs a directory");
            o.work_dir = a;
            break;
        case RUN_MEMORY_LIMIT:
            if (!folio_parse_size(a, &o.memory_limit) || !o.memory_limit)
                return cli_usage(c, "--memory-limit needs a size such as 512M or 2G");
            break;
        default:
            return cli_usage(c, "internal: option %d not handled", id);
        }
    }
    if (id == CLI_STOP)
        return p.status;
    int nargs;
    char **args = cli_args(&p, &nargs);
    if (nargs == 0)
        return cli_usage(c, "missing JOB.yaml");
    if (nargs > 1)
        return cli_usage(c, "only one job file may be given");
    o.job_path = args[0];
    o.progress = !o.quiet && isatty(2);
    progress_ui ui = {.mu = PTHREAD_MUTEX_INITIALIZER, .cv = PTHREAD_COND_INITIALIZER};
    folio_progress_init(&ui.p, o.progress);
    o.on_event = on_event;
    o.event_ctx = &ui;
    folio_error err = {0};
    folio_run_report rep = {0};
    /* r-harden (round 27): a partition's shard job runs only as its shard,
     * on its own complete, unchanged feeds (src/partition-check.c) */
    int pc = folio_partition_check_shard(o.job_path, o.shard_index, o.shard_count, &err);
    if (pc != FOLIO_EXIT_OK) {
        fprintf(stderr, "folio: %s\n", err.msg[0] ? err.msg : "shard check failed");
        return pc;
    }
    cli_tune_allocator();               /* keep freed memory for reuse (cli-process.c) */
    double t_start = mono_s();
    if (o.progress)
        ui.ticking = pthread_create(&ui.ticker, NULL, progress_ticker, &ui) == 0;
    int rc = run_with_signals(&o, &rep, &err);
    progress_stop(&ui);
    double t_end = mono_s();
    phase_cpu_print(t_start);
    char phases[1024];
    folio_phases_format(&ui.p.phases, t_start, t_end, phases, sizeof phases);
    if (o.progress && rc == FOLIO_EXIT_FAILED)
        fprintf(stderr, "\n");         /* keep the last line: where it stopped */
    else if (o.progress)
        fputs("\r\033[K", stderr);      /* the summary starts on a clean line */
    for (size_t i = 0; i < rep.n_warnings; i++)
        fprintf(stderr, "folio: %s\n", rep.warnings[i]);
    if (rc == FOLIO_EXIT_OK || rc == FOLIO_EXIT_REJECTS) {
        if (!o.quiet)
            print_summary(&rep, phases, t_end - t_start);
        if (rep.exceptions) {
            fprintf(stderr, "folio: %zu exception(s) for operations are listed in "
                    "%s/exceptions.csv\n", rep.exceptions, rep.out_dir);
            for (size_t i = 0; i < rep.n_exception_lines; i++)
                fprintf(stderr, "folio: %s\n", rep.exception_lines[i]);
            if (rep.exceptions > rep.n_exception_lines)
                fprintf(stderr, "folio: ... and %zu more in exceptions.csv\n",
                        rep.exceptions - rep.n_exception_lines);
        }
    }
    folio_run_report_free(&rep);
    if (rc == FOLIO_EXIT_USAGE || rc == FOLIO_EXIT_FAILED)
        fprintf(stderr, "folio: %s\n", err.msg[0] ? err.msg : "run failed");
    else if (rc == FOLIO_EXIT_REJECTS && !o.quiet)
        fprintf(stderr, "folio: some input rows were rejected: see rejects.csv (exit 3)\n");
    return rc;
}

int cmd_run(int argc, char **argv)
{
    return cli_call(&cli_cmd_run, argc, argv);
}
