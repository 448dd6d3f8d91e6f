/* SPDX-License-Identifier: Apache-2.0 */
/*
 * folio/events.h -- journey events and relationship stages (issue 15 part 2).
 *
 * An `events` feed lists what happened to a customer, an account or a
 * household: a key (customer id, account id or household id), a type
 * ("payment", "notice", "complaint_open", ...), a date and an optional
 * channel.  Rules see them as the collection `events` (docs/rules.md):
 *   count(events where type == "notice" and date >= statement.date - 60)
 *   last(events, "payment")        the date of the latest payment event
 *
 * Order of calls:
 *   the feed loader parses rows (feed-parse.c) and events_resolve() (from
 *   feed_resolve) rejects the rows whose key names no customer, account or
 *   household (rejects.csv, exit 3);
 *   events_bind()      once, after households are grouped: orders each
 *                      household's events by date (ds->event_idx/event_first);
 *   stages_read()      from job_load: the job's `stages:` list;
 *   stage_of()         per household: the first stage whose rule holds.
 */
#ifndef FOLIO_EVENTS_H
#define FOLIO_EVENTS_H

#include "folio/common.h"

struct folio_dataset;
struct folio_households;
struct folio_job;
struct folio_rule_ctx;
struct yt_doc;
struct yt_node;

typedef struct folio_event {
    const char *key;              /* customer, account or household id */
    const char *type;             /* e.g. "payment" */
    const char *channel;          /* "" when the feed has none */
    folio_date date;
    uint16_t feed;                /* index into job->feeds */
    uint32_t line;                /* physical line of the row */
    /* issue 15 (r-journey): a contact row seen as an event (type "contact",
     * events_bind): its offer id; NULL for the events feeds' rows */
    const char *offer;
} folio_event;

/* Reject the events whose key is no customer, account or household id
 * (reason "unknown key 'X'"); keep the others.  false on out of memory. */
bool events_resolve(struct folio_dataset *ds);

/* Index the events by household (ds->event_idx, ds->event_first; each
 * household's events in date order), the contacts feeds' rows (not held
 * out) among them as events of type "contact" appended to ds->events.
 * false with err on out of memory. */
bool events_bind(struct folio_dataset *ds, const struct folio_households *hs,
                 folio_error *err);

/* Relationship stages: `stages:` of the job, first match wins. */
typedef struct folio_stages folio_stages;
bool stages_read(struct yt_doc *d, const struct yt_node *root, struct folio_job *job);
void stages_free(folio_stages *s);
int stages_count(const folio_stages *s);
const char *stages_name(const folio_stages *s, int i);
/* The stage of household ctx->hh: its name, or "" when no stage's rule holds
 * (or the job has none). */
const char *stage_of(const folio_stages *s, const struct folio_rule_ctx *ctx);

/* The audit members of household hh's journey (compose calls it): the
 * relationship stage ("stage":"new") when the job has stages, and the
 * statement interval ("interval":{"start":..,"end":..}) when a frequency
 * made it longer than the period.  Returns the stage ("" when none). */
struct folio_plan;
const char *journey_audit(const struct folio_plan *plan, size_t hh,
                          const struct folio_rule_ctx *ctx, folio_buf *audit);

#endif
