/* SPDX-License-Identifier: Apache-2.0 */
/*
 * progress.c -- the progress line's text, its windowed rate and the phase
 * clock (folio/progress.h, issue 16 part 6).  Prints nothing: the caller
 * writes what folio_progress_event returns.
 */
#include "folio/progress.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

/* ---- the rate over a recent window -------------------------------------- */

void folio_rate_init(folio_rate_window *w, double span)
{
    memset(w, 0, sizeof *w);
    w->span = span > 0 ? span : FOLIO_RATE_SPAN;
}

static int rate_at(const folio_rate_window *w, int k)   /* k-th oldest */
{
    return (w->head + k) % FOLIO_RATE_SAMPLES;
}

void folio_rate_add(folio_rate_window *w, double t, uint64_t count)
{
    if (w->n > 0) {
        int last = rate_at(w, w->n - 1);
        if (count < w->v[last] || t < w->t[last]) {
            folio_rate_init(w, w->span);        /* a new counter: start again */
        } else if (w->n >= 2 && t - w->t[rate_at(w, w->n - 2)] < w->span / 32) {
            w->t[last] = t;                     /* too close: the newest moves on */
            w->v[last] = count;
            goto trim;
        }
    }
    if (w->n == FOLIO_RATE_SAMPLES) {           /* full: the oldest goes */
        w->head = rate_at(w, 1);
        w->n--;
    }
    int k = rate_at(w, w->n);
    w->t[k] = t;
    w->v[k] = count;
    w->n++;
trim:
    /* keep one sample at or before t - span (the window's base), drop older */
    while (w->n >= 3 && w->t[rate_at(w, 1)] <= t - w->span + 1e-9 * w->span) {
        w->head = rate_at(w, 1);
        w->n--;
    }
}

double folio_rate_per_s(const folio_rate_window *w)
{
    if (w->n < 2)
        return 0;
    int a = rate_at(w, 0), b = rate_at(w, w->n - 1);
    double dt = w->t[b] - w->t[a];
    return dt > 0 ? (double)(w->v[b] - w->v[a]) / dt : 0;
}

double folio_rate_left_s(const folio_rate_window *w, uint64_t done, uint64_t total)
{
    if (done >= total)
        return 0;
    double r = folio_rate_per_s(w);
    return r > 0 ? (double)(total - done) / r : -1;
}

/* ---- phase times ----------------------------------------------------------- */

void folio_phases_mark(folio_phase_clock *c, const char *name, double t)
{
    if (c->n == FOLIO_PHASES_MAX)
        return;                 /* the last entry absorbs the rest */
    snprintf(c->v[c->n].name, sizeof c->v[c->n].name, "%s", name ? name : "?");
    c->v[c->n].start = t;
    c->n++;
}

double folio_phases_seconds(const folio_phase_clock *c, int i, double t_end)
{
    if (i < 0 || i >= c->n)
        return 0;
    double end = i + 1 < c->n ? c->v[i + 1].start : t_end;
    return end > c->v[i].start ? end - c->v[i].start : 0;
}

size_t folio_phases_format(const folio_phase_clock *c, double t0, double t_end, char *buf,
                           size_t cap)
{
    size_t len = 0;
    if (cap)
        buf[0] = 0;
    for (int i = 0; i < c->n; i++) {
        bool seen = false;
        for (int j = 0; j < i && !seen; j++)
            seen = !strcmp(c->v[j].name, c->v[i].name);
        if (seen)
            continue;
        double s = 0;
        for (int j = i; j < c->n; j++)
            if (!strcmp(c->v[j].name, c->v[i].name))
                s += folio_phases_seconds(c, j, t_end);
        int k = snprintf(buf + len, len < cap ? cap - len : 0, "%s%s %.2fs", len ? ", " : "",
                         c->v[i].name, s);
        if (k > 0 && len + (size_t)k < cap)
            len += (size_t)k;
    }
    double other = c->n ? c->v[0].start - t0 : t_end - t0;
    int k = snprintf(buf + len, len < cap ? cap - len : 0, "%sother %.2fs", len ? ", " : "",
                     other > 0 ? other : 0.0);
    if (k > 0 && len + (size_t)k < cap)
        len += (size_t)k;
    return len;
}

/* ---- the line ---------------------------------------------------------------- */

void folio_progress_init(folio_progress *p, bool tty)
{
    memset(p, 0, sizeof *p);
    p->tty = tty;
    p->last_draw = -1;
    folio_rate_init(&p->rate, FOLIO_RATE_SPAN);
}

static void fmt_left(char *s, size_t cap, double left)
{
    if (left < 0)
        snprintf(s, cap, "--");
    else if (left < 100)
        snprintf(s, cap, "%.0fs", left);
    else {   /* whole seconds first: 119.6 s is 2m00s, not 1m60s (hard-attack2) */
        double t = floor(left + 0.5);
        snprintf(s, cap, "%.0fm%02.0fs", floor(t / 60), fmod(t, 60));
    }
}

/* "\r" + text (cut to 78 columns of ASCII) + ESC[K */
static size_t draw(char *buf, size_t cap, const char *text)
{
    int n = snprintf(buf, cap, "\r%.78s\033[K", text);
    return n < 0 ? 0 : (size_t)n < cap ? (size_t)n : cap - 1;
}

/* The line for the last count (p->last) with the time moved on to now:
 * elapsed grows, the time left shrinks by the time since that count. */
static size_t render(folio_progress *p, double now, char *buf, size_t cap)
{
    const folio_run_event *ev = &p->last;
    char line[256], left[32];
    double since = now - p->last_at > 0 ? now - p->last_at : 0;
    double el = ev->elapsed + since;
    p->last_draw = now;
    if (ev->kind == FOLIO_RUN_PHASE) {
        snprintf(line, sizeof line, "%-9s elapsed %.0fs", p->phase, el);
        return draw(buf, cap, line);
    }
    double rate = folio_rate_per_s(&p->rate);
    double l = folio_rate_left_s(&p->rate, ev->done, ev->total);
    if (l > 0)
        l = l > since ? l - since : 0;
    fmt_left(left, sizeof left, l);
    if (ev->kind == FOLIO_RUN_LOADING)
        snprintf(line, sizeof line, "%-9s %llu records, %.0f/%.0f MB  %.1f MB/s  "
                 "elapsed %.0fs  left %s", p->phase[0] ? p->phase : "load",
                 (unsigned long long)ev->records, ev->done / 1e6, ev->total / 1e6,
                 rate / 1e6, el, left);
    else
        snprintf(line, sizeof line, "%-9s %s %llu/%llu  %.0f/s  elapsed %.0fs  left %s",
                 p->phase, p->counter, (unsigned long long)ev->done,
                 (unsigned long long)ev->total, rate, el, left);
    return draw(buf, cap, line);
}

size_t folio_progress_event(folio_progress *p, const folio_run_event *ev, double now,
                            char *buf, size_t cap)
{
    if (cap)
        buf[0] = 0;
    switch (ev->kind) {
    case FOLIO_RUN_PHASE:
        folio_phases_mark(&p->phases, ev->name, now);
        snprintf(p->phase, sizeof p->phase, "%s", ev->name ? ev->name : "?");
        p->counter[0] = 0;
        folio_rate_init(&p->rate, p->rate.span);
        p->last = (folio_run_event){.kind = FOLIO_RUN_PHASE, .elapsed = ev->elapsed};
        p->last_at = now;
        p->live = true;
        return p->tty ? render(p, now, buf, cap) : 0;
    case FOLIO_RUN_LOADING:
    case FOLIO_RUN_COUNTING: {
        const char *name = ev->kind == FOLIO_RUN_LOADING ? "bytes" : ev->name ? ev->name : "";
        if (strcmp(name, p->counter)) {
            snprintf(p->counter, sizeof p->counter, "%s", name);
            folio_rate_init(&p->rate, p->rate.span);
        }
        folio_rate_add(&p->rate, now, ev->done);
        p->last = *ev;
        p->last.name = NULL;            /* p->counter holds it */
        p->last_at = now;
        p->live = true;
        if (!p->tty || (p->last_draw >= 0 && now - p->last_draw < 0.1 && ev->done < ev->total))
            return 0;
        return render(p, now, buf, cap);
    }
    case FOLIO_RUN_PROGRESS_END:
        p->live = false;
        if (!p->tty)
            return 0;
        return draw(buf, cap, "");
    }
    return 0;
}

size_t folio_progress_tick(folio_progress *p, double now, char *buf, size_t cap)
{
    if (cap)
        buf[0] = 0;
    if (!p->tty || !p->live || (p->last_draw >= 0 && now - p->last_draw < 1.0))
        return 0;
    return render(p, now, buf, cap);
}
