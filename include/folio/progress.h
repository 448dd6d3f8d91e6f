/* SPDX-License-Identifier: Apache-2.0 */
/*
 * folio/progress.h -- what a run's progress line and its phase times say,
 * computed here and printed by the caller (issue 16 part 6).
 *
 * The library never prints: folio_run sends events (folio/run.h) to the
 * callback the CLI installs; the CLI passes each to folio_progress_event,
 * which returns the text to write on stderr (nothing when it is not a
 * terminal, or when the last redraw was less than 0.1 s ago).  Every redraw
 * is "\r" + the line + ESC[K, so nothing of a longer earlier line stays.
 *
 * Rates and time left come from a recent window (folio_rate_window: the
 * last FOLIO_RATE_SPAN seconds), never from the start of the run, and start
 * again when the counter changes (a new phase or a new name).
 *
 * Phase times (folio_phase_clock): each phase runs from its start to the
 * start of the next one, the last to the end of the run; the time before the
 * first phase is "other".  So the phases and "other" add up to the wall time
 * by construction.
 */
#ifndef FOLIO_PROGRESS_H
#define FOLIO_PROGRESS_H

#include "folio/common.h"
#include "folio/run.h"

#define FOLIO_RATE_SPAN 5.0     /* seconds the rate looks back */
#define FOLIO_RATE_SAMPLES 64

/* (time, count) samples of one counter; the rate is over the samples of
 * the last `span` seconds (plus the newest sample at or before that edge,
 * so a window of evenly spaced samples covers the full span). */
typedef struct folio_rate_window {
    double span;
    double t[FOLIO_RATE_SAMPLES];
    uint64_t v[FOLIO_RATE_SAMPLES];
    int head, n;                /* ring: oldest at head */
} folio_rate_window;

void folio_rate_init(folio_rate_window *w, double span);
/* Add a sample; a count below the newest one starts the window again.
 * Samples closer than span/32 to the newest replace it (so the ring holds
 * the whole span however often this is called). */
void folio_rate_add(folio_rate_window *w, double t, uint64_t count);
/* Counts per second over the window; 0 with fewer than two samples. */
double folio_rate_per_s(const folio_rate_window *w);
/* Seconds until `total` at the window's rate; -1 when unknown (no rate). */
double folio_rate_left_s(const folio_rate_window *w, uint64_t done, uint64_t total);

#define FOLIO_PHASES_MAX 24

typedef struct folio_phase_clock {
    int n;
    struct {
        char name[24];
        double start;           /* seconds, on the caller's clock */
    } v[FOLIO_PHASES_MAX];
} folio_phase_clock;

/* A phase starts at t (a name seen again starts a new entry; past
 * FOLIO_PHASES_MAX the last entry absorbs the rest). */
void folio_phases_mark(folio_phase_clock *c, const char *name, double t);
/* Seconds of phase i when the run ended at t_end. */
double folio_phases_seconds(const folio_phase_clock *c, int i, double t_end);
/* "load 1.20s, plan 0.10s, ..., other 0.01s" for a run from t0 to t_end
 * (phases of the same name are summed, in order of first start; "other" is
 * the time before the first phase).  Returns the length written. */
size_t folio_phases_format(const folio_phase_clock *c, double t0, double t_end, char *buf,
                           size_t cap);

/* The progress line of a run. */
typedef struct folio_progress {
    bool tty;                   /* stderr is a terminal: draw; else nothing */
    char phase[24];             /* the current phase */
    char counter[24];           /* the name of the current counter */
    folio_rate_window rate;
    double last_draw;           /* when the line was drawn last (< 0: never) */
    folio_run_event last;       /* the last phase start or count (name: counter) */
    double last_at;             /* ... and when it came */
    bool live;                  /* a line is up (between a phase and PROGRESS_END) */
    folio_phase_clock phases;
} folio_progress;

void folio_progress_init(folio_progress *p, bool tty);
/* One event at time `now` (seconds on the caller's clock; phases are marked
 * on it).  Writes the text to show on stderr into buf (NUL-terminated) and
 * returns its length, 0 when there is nothing to show. */
size_t folio_progress_event(folio_progress *p, const folio_run_event *ev, double now,
                            char *buf, size_t cap);
/* When nothing was drawn for a second: the last line again with the time
 * moved on to now (elapsed grows, time left shrinks), so a phase that sends
 * no counts (plan, records, publish) or a long gap between counts never
 * freezes the line.  The CLI calls it from a timer thread (under the lock
 * it takes around folio_progress_event).  0 when there is nothing to draw. */
size_t folio_progress_tick(folio_progress *p, double now, char *buf, size_t cap);

#endif
