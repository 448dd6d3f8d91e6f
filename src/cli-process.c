/* SPDX-License-Identifier: Apache-2.0 */
/*
 * cli-process.c -- what the folio program sets for its whole process and the
 * library never does (issue 11): the allocator's tuning and the SIGBUS
 * handler that turns a feed truncated under its mapping into a run error.
 * cli_process_setup() is called first thing in main() (cli-main.c) and
 * `folio run` calls cli_tune_allocator(); run, merge and partition install
 * the SIGINT/SIGTERM/SIGHUP handlers with cli_stop_signals_on().
 */
#include "cli.h"

#include "folio/feed.h"
#include "membudget.h"

#include <malloc.h>
#include <pthread.h>
#include <signal.h>
#include <string.h>

static pthread_once_t tune_once = PTHREAD_ONCE_INIT;

static void tune_do(void)
{
    mallopt(M_TRIM_THRESHOLD, 512 * 1024 * 1024);
    mallopt(M_MMAP_THRESHOLD, 64 * 1024 * 1024);
}

/* Keep freed memory for reuse: no trimming back to the kernel, large blocks
 * from the heap, so the buffers a PDF document frees are reused by the next
 * one instead of being faulted in again.  Idempotent, thread-safe. */
void cli_tune_allocator(void)
{
    pthread_once(&tune_once, tune_do);
}

/* membudget.h's load hook: during the feed load, tables above 1 MiB are
 * mapped (realloc moves them with mremap instead of leaving the old block
 * in the heap); after it, the 64 MiB threshold of cli_tune_allocator again
 * and freed heap pages go back. */
void cli_load_allocator(bool begin)
{
    if (begin) {
        mallopt(M_MMAP_THRESHOLD, 1 << 20);
    } else {
        mallopt(M_MMAP_THRESHOLD, 64 << 20);
        malloc_trim(0);
    }
}

/* A feed truncated while it is mapped: feed_sigbus_fault() (feed.h) maps
 * zeros over it and the load then fails naming the file; any other SIGBUS
 * is the default's: a fault's access faults again and ends the process, and
 * a SIGBUS sent by a process (si_code <= 0: kill, sigqueue, tkill; there is
 * no access to repeat) is raised again, so it ends the process as it would
 * without this handler. */
static void on_sigbus(int sig, siginfo_t *si, void *uc)
{
    (void)uc;
    if (si->si_code > 0 && feed_sigbus_fault(si->si_addr))
        return;
    signal(sig, SIG_DFL);
    if (si->si_code <= 0)
        raise(sig);
}

void cli_process_setup(void)
{
    membudget_set_load_hook(cli_load_allocator);
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_sigaction = on_sigbus;
    sa.sa_flags = SA_SIGINFO;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGBUS, &sa, NULL);
}

static void on_stop_signal(int sig)
{
    folio_stop = sig;
}

void cli_stop_signals_on(cli_signals *old)
{
    cli_signals none;
    if (!old)
        old = &none;
    struct sigaction sa = {.sa_handler = on_stop_signal}, ign = {.sa_handler = SIG_IGN};
    sigemptyset(&sa.sa_mask);
    sigemptyset(&ign.sa_mask);
    folio_stop = 0;
    sigaction(SIGXFSZ, &ign, &old->xfsz);
    sigaction(SIGINT, &sa, &old->intr);
    sigaction(SIGTERM, &sa, &old->term);
    sigaction(SIGHUP, &sa, &old->hup);
}

void cli_stop_signals_off(const cli_signals *old)
{
    sigaction(SIGINT, &old->intr, NULL);
    sigaction(SIGTERM, &old->term, NULL);
    sigaction(SIGHUP, &old->hup, NULL);
    sigaction(SIGXFSZ, &old->xfsz, NULL);
}
