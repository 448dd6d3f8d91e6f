/* SPDX-License-Identifier: Apache-2.0 */
/*
 * events-private.h -- the rule fields of events and stages (issue 15 part 2),
 * listed in the default catalogue (rules-fields.c), read in events.c.
 */
#ifndef FOLIO_EVENTS_PRIVATE_H
#define FOLIO_EVENTS_PRIVATE_H

#include "folio/events.h"
#include "folio/rules.h"

/* f->user: 0 type, 1 channel, 2 key */
void events_get_str(const folio_rule_ctx *ctx, const folio_rule_field *f, uint32_t i,
                    folio_rule_value *out);
void events_get_date(const folio_rule_ctx *ctx, const folio_rule_field *f, uint32_t i,
                     folio_rule_value *out);
/* the household's relationship stage (job stages:), "" when none */
void events_get_stage(const folio_rule_ctx *ctx, const folio_rule_field *f, uint32_t i,
                      folio_rule_value *out);

#endif
