/* SPDX-License-Identifier: Apache-2.0 */
/*
 * folio/plan.h -- the plan stage: per household, what is printed, sent or
 * suppressed, and why.
 *
 *   compose_plan_new()   (compose.h, for now in compose.c) once per run:
 *                        account periods and balances, suppression, and
 *                        for every household channel_route() below;
 *   channel_route()      (src/channels.c) the channel of one household: the
 *                        primary customer's delivery preference, then the
 *                        job's channel rules (output.channels, first match
 *                        wins); email/both without a valid address falls
 *                        back to print with a note; none is suppressed.
 *
 * The plan is read by compose, the print stage and the archive; sinks never
 * see it (they get display lists).
 */
#ifndef FOLIO_PLAN_H
#define FOLIO_PLAN_H

#include "folio/compose.h"

/* Decide household h's channel: sets plan->households[h].channel, .reason
 * (suppressed) and .note (fallback).  Called by compose_plan_new; reasons
 * are formatted into plan->reasons. */
void channel_route(folio_plan *plan, size_t h);

#endif
