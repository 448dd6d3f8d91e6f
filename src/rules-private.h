/* SPDX-License-Identifier: Apache-2.0 */
/*
 * rules-private.h -- the compiled form of a rule, shared by rules-compile.c
 * (lexer, parser, type checker), rules-eval.c (evaluator, explain, value
 * formatting) and rules-fields.c (the default field catalogue).
 *
 * A compiled rule is one flat array of nodes; children are indexes into the
 * same array and always smaller than their parent's index, the root is the
 * last node.  Every node carries its static type and its byte span in the
 * rule text (for explain and messages).  String constants point into one pool
 * allocated with the rule.  Nothing in a rule changes after rules_compile().
 */
#ifndef FOLIO_RULES_PRIVATE_H
#define FOLIO_RULES_PRIVATE_H

#include "folio/rules.h"

#include <string.h>

#define RULES_NONE UINT32_MAX

typedef enum rules_op {
    ROP_CONST = 1,      /* num / str */
    ROP_FIELD,          /* field */
    ROP_AND, ROP_OR, ROP_NOT,
    ROP_CMP,            /* sub: rules_cmp */
    ROP_IN,             /* a: value; list of n consts at b..b+n-1; sub 1 = not in */
    ROP_CONTAINS,       /* a contains b (ASCII case-insensitive) */
    ROP_ADD, ROP_SUB, ROP_MUL, ROP_DIV, ROP_NEG,
    ROP_DATE_ADD,       /* date a + number b (days) */
    ROP_DATE_SUB,       /* date a - number b (days) */
    ROP_DATE_DIFF,      /* date a - date b: number of days */
    ROP_DAYS_SINCE, ROP_DAYS_UNTIL, ROP_MONTHS_SINCE, ROP_YEARS_SINCE,
    ROP_ABS,
    ROP_KNOWN,          /* a is not absent */
    ROP_HOLDS,          /* the accounts in view hold product a */
    ROP_AGG             /* sub: rules_agg; coll, src; a: value (or -1); b: predicate (or -1) */
} rules_op;

typedef enum rules_cmp { RCMP_EQ = 0, RCMP_NE, RCMP_LT, RCMP_LE, RCMP_GT, RCMP_GE } rules_cmp;

typedef enum rules_agg {
    RAGG_COUNT = 0, RAGG_SUM, RAGG_MIN, RAGG_MAX, RAGG_ANY, RAGG_ALL
} rules_agg;

/* RCOLL_TXNS: the statement period's transactions (period_start..period_end of
 * the context); RCOLL_HISTORY_TXNS (`history.transactions`): every loaded row,
 * before and after the period too (issue 10 part 8). */
typedef enum rules_coll {
    RCOLL_ACCOUNTS = 0, RCOLL_CUSTOMERS, RCOLL_TXNS, RCOLL_HISTORY_TXNS,
    RCOLL_EVENTS          /* issue 15 part 2: the household's events, by date */
} rules_coll;

/* Which records a collection covers, decided by the enclosing frame. */
typedef enum rules_src {
    RSRC_HOUSEHOLD = 0,   /* every record of the household */
    RSRC_CUSTOMER,        /* accounts (or their transactions) owned by the frame's customer */
    RSRC_ACCOUNT          /* the frame account's transactions */
} rules_src;

typedef struct rules_node {
    uint8_t op;           /* rules_op */
    uint8_t type;         /* folio_rule_type of the result */
    uint8_t sub;          /* rules_cmp / rules_agg / in: 1 = not in */
    uint8_t coll, src;    /* ROP_AGG */
    uint8_t scope;        /* ROP_FIELD: folio_rule_scope */
    int32_t a, b, n;      /* children (-1 = none); ROP_IN: b first list item, n count */
    uint32_t off, len;    /* source span */
    folio_rule_value k;   /* ROP_CONST */
    const folio_rule_field *field;   /* ROP_FIELD */
} rules_node;

struct folio_rule {
    rules_node *nodes;
    int32_t n_nodes;
    int32_t root;
    folio_rule_type type;
    char *text;           /* copy of the source, NUL-terminated */
    size_t text_len;
    char *pool;           /* decoded string constants */
    const folio_rule_catalog *cat;
};

/* helpers shared between files */
int64_t rules_mul_scale(int64_t a, int64_t b, bool *inexact);
int64_t rules_div_scale(int64_t a, int64_t b, bool *inexact);
int rules_compare(folio_rule_type t, const folio_rule_value *a, const folio_rule_value *b);

/* issue 10 part 6: fold currency `c` (NULL: not money) into *acc, the
 * currency of a sum or of an operand pair so far.  True when the two differ:
 * the caller's result is unknown, never a figure mixing currencies. */
static inline bool rules_ccy_mix(const char **acc, const char *c)
{
    if (!c)
        return false;
    if (!*acc) {
        *acc = c;
        return false;
    }
    return *acc != c && strcmp(*acc, c) != 0;
}

#endif
