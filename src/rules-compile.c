/* SPDX-License-Identifier: Apache-2.0 */
/*
 * rules-compile.c -- rules_compile(): lexer, recursive-descent parser and
 * type checker in one pass, producing the flat node array of rules-private.h.
 *
 * The text is cut into tokens first (so `sum(EXPR of COLLECTION ...)` can look
 * ahead for its collection); the parser then builds nodes bottom-up, checking
 * each operand's type as soon as the node is made, and resolving every field
 * name against the catalogue in the scope of the enclosing collection.
 *
 * Grammar (lowest precedence first):
 *   or     := and ('or' and)*
 *   and    := not ('and' not)*
 *   not    := 'not' not | cmp
 *   cmp    := add [ ('=='|'!='|'<'|'<='|'>'|'>=') add
 *                 | ['not'] 'in' '(' literal (',' literal)* ')'
 *                 | 'contains' add ]
 *   add    := mul (('+'|'-') mul)*
 *   mul    := unary (('*'|'/') unary)*
 *   unary  := '-' unary | primary
 *   primary:= NUMBER | STRING | 'true' | 'false' | '(' or ')'
 *           | NAME '(' arguments ')' | NAME
 * `and` / `or` chains are built right-deep so the evaluator walks them in a
 * loop; the nesting depth of everything else is capped (FOLIO_RULE_MAX_DEPTH)
 * so evaluation needs a bounded C stack.
 *
 * Errors: the first one stops the compile; the message is
 * "FILE:LINE:COL: reason" then the rule's line and a caret under the column.
 */
#include "rules-private.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef enum tkind {
    T_EOF = 0, T_IDENT, T_NUMBER, T_STRING, T_LP, T_RP, T_COMMA,
    T_EQ, T_NE, T_LT, T_LE, T_GT, T_GE, T_PLUS, T_MINUS, T_STAR, T_SLASH
} tkind;

typedef struct token {
    uint8_t kind;
    uint32_t off, len;
    int64_t num;          /* T_NUMBER: scaled value */
    uint32_t soff, slen;  /* T_STRING: decoded bytes in the pool */
} token;

/* runtime frame kinds while compiling: the folio_rule_scope of the records
 * the innermost collection iterates over (HOUSEHOLD at the top level) */
typedef struct parser {
    const char *text;
    size_t len;
    const folio_rule_source *src;
    folio_error *err;
    bool failed;
    token *toks;
    int ntok, pos;
    rules_node *nodes;
    int32_t nn, cap;
    char *pool;
    size_t plen;
    const folio_rule_catalog *cat;
    uint8_t frame;
    int depth;            /* open parentheses, calls, `not`s and unary minuses */
} parser;

static const char *const type_names[] = {"value", "bool", "number", "string", "date"};

/* ---- messages ------------------------------------------------------------ */

typedef struct msgbuf {
    char *p;
    size_t n, cap;
} msgbuf;

static void mb_put(msgbuf *m, const char *s, size_t n)
{
    for (size_t i = 0; i < n && m->n + 1 < m->cap; i++)
        m->p[m->n++] = s[i];
    m->p[m->n] = 0;
}

static void mb_puts(msgbuf *m, const char *s) { mb_put(m, s, strlen(s)); }

static bool is_cont(unsigned char c) { return (c & 0xC0) == 0x80; }

/* Record the first error at byte offset `off` of the rule text. */
static void perr(parser *p, uint32_t off, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static void perr(parser *p, uint32_t off, const char *fmt, ...)
{
    if (p->failed)
        return;
    p->failed = true;
    if (off > p->len)
        off = (uint32_t)p->len;
    /* line and column (columns count UTF-8 characters, like libyaml); a line
     * ends at LF, CR or CR LF, as in YAML, and the same test finds the end of
     * the line below, so ls <= off <= le always holds for the window */
    size_t ls = 0;
    int nl = 0;
    for (size_t i = 0; i < off; i++)
        if (p->text[i] == '\n' || (p->text[i] == '\r' && (i + 1 >= p->len || p->text[i + 1] != '\n'))) {
            nl++;
            ls = i + 1;
        }
    if (off > ls && p->text[off - 1] == '\r')   /* at the LF of a CR LF: point at the CR */
        off--;
    int chars = 0;
    for (size_t i = ls; i < off; i++)
        if (!is_cont((unsigned char)p->text[i]))
            chars++;
    const folio_rule_source *s = p->src;
    int line = (s && s->line > 0 ? s->line : 1) + nl;
    int col0 = nl == 0 ? (s && s->col > 0 ? s->col : 1) : (s && s->cont_col > 0 ? s->cont_col : 1);
    size_t le = ls;
    while (le < p->len && p->text[le] != '\n' && p->text[le] != '\r')
        le++;

    char reason[400];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(reason, sizeof reason, fmt, ap);
    va_end(ap);

    char out[sizeof p->err->msg];
    msgbuf m = {out, 0, sizeof out};
    out[0] = 0;
    char head[300];
    snprintf(head, sizeof head, "%s:%d:%d: ", s && s->file ? s->file : "<rule>", line,
             col0 + chars);
    mb_puts(&m, head);
    mb_puts(&m, reason);
    /* the rule's line, cut to a window of about 100 characters around the spot */
    size_t ws = ls, we = le;
    if (off - ws > 70) {
        ws = off - 60;
        while (ws < off && is_cont((unsigned char)p->text[ws]))
            ws++;
    }
    if (we - ws > 110) {
        we = ws + 110;
        while (we > off && we < le && is_cont((unsigned char)p->text[we]))
            we--;
    }
    mb_puts(&m, "\n  ");
    if (ws > ls)
        mb_puts(&m, "...");
    mb_put(&m, p->text + ws, we - ws);
    if (we < le)
        mb_puts(&m, "...");
    mb_puts(&m, "\n  ");
    if (ws > ls)
        mb_puts(&m, "   ");
    for (size_t i = ws; i < off; i++) {
        unsigned char c = (unsigned char)p->text[i];
        if (is_cont(c))
            continue;
        mb_put(&m, c == '\t' ? "\t" : " ", 1);
    }
    mb_puts(&m, "^");
    folio_error_set(p->err, FOLIO_EXIT_USAGE, "%s", out);
}

/* Enter one level of nesting (a parenthesis, a call, `not`, unary minus).
 * The parser recurses once per level, so the bound is checked here, before
 * the recursion, and not only on the finished tree: deeply nested text must
 * fail with a message, not overflow the C stack.  Pair with nest_out(). */
static bool nest_in(parser *p, uint32_t off)
{
    if (++p->depth <= FOLIO_RULE_MAX_DEPTH)
        return true;
    perr(p, off, "expression nested deeper than %d", FOLIO_RULE_MAX_DEPTH);
    return false;
}

static void nest_out(parser *p) { p->depth--; }

/* ---- lexer ---------------------------------------------------------------- */

static bool id_start(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_'; }
static bool id_char(char c) { return id_start(c) || (c >= '0' && c <= '9'); }
static bool digit(char c) { return c >= '0' && c <= '9'; }

static int hexval(char c)
{
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

static size_t utf8_put(char *o, uint32_t cp)
{
    if (cp < 0x80) { o[0] = (char)cp; return 1; }
    if (cp < 0x800) { o[0] = (char)(0xC0 | (cp >> 6)); o[1] = (char)(0x80 | (cp & 0x3F)); return 2; }
    if (cp < 0x10000) {
        o[0] = (char)(0xE0 | (cp >> 12)); o[1] = (char)(0x80 | ((cp >> 6) & 0x3F));
        o[2] = (char)(0x80 | (cp & 0x3F)); return 3;
    }
    o[0] = (char)(0xF0 | (cp >> 18)); o[1] = (char)(0x80 | ((cp >> 12) & 0x3F));
    o[2] = (char)(0x80 | ((cp >> 6) & 0x3F)); o[3] = (char)(0x80 | (cp & 0x3F)); return 4;
}

static bool lex_string(parser *p, size_t *i, token *t)
{
    char q = p->text[*i];
    size_t j = *i + 1;
    t->soff = (uint32_t)p->plen;
    for (;;) {
        if (j >= p->len || p->text[j] == '\n') {
            perr(p, t->off, "string not closed: a %c is missing", q);
            return false;
        }
        char c = p->text[j];
        if (c == q) {
            j++;
            break;
        }
        if (c != '\\') {
            p->pool[p->plen++] = c;
            j++;
            continue;
        }
        char e = j + 1 < p->len ? p->text[j + 1] : 0;
        switch (e) {
        case '"': case '\'': case '\\': case '/': p->pool[p->plen++] = e; j += 2; break;
        case 'n': p->pool[p->plen++] = '\n'; j += 2; break;
        case 't': p->pool[p->plen++] = '\t'; j += 2; break;
        case 'r': p->pool[p->plen++] = '\r'; j += 2; break;
        case 'u': {
            uint32_t cp = 0;
            for (int k = 0; k < 4; k++) {
                int h = j + 2 + (size_t)k < p->len ? hexval(p->text[j + 2 + k]) : -1;
                if (h < 0) {
                    perr(p, (uint32_t)j, "\\u needs four hex digits");
                    return false;
                }
                cp = cp * 16 + (uint32_t)h;
            }
            if (cp == 0 || (cp >= 0xD800 && cp <= 0xDFFF)) {
                perr(p, (uint32_t)j, "\\u%04X is not a character allowed in a string", (unsigned)cp);
                return false;
            }
            /* \uXXXX is 6 bytes of source and at most 3 of UTF-8: the pool fits */
            p->plen += utf8_put(p->pool + p->plen, cp);
            j += 6;
            break;
        }
        default:
            perr(p, (uint32_t)j, "unknown escape in a string (use \\\" \\' \\\\ \\n \\t \\r or \\uXXXX)");
            return false;
        }
    }
    t->kind = T_STRING;
    t->slen = (uint32_t)p->plen - t->soff;
    p->pool[p->plen++] = 0;   /* NUL-terminate each constant for convenience */
    t->len = (uint32_t)(j - *i);
    *i = j;
    return true;
}

static bool lex_number(parser *p, size_t *i, token *t)
{
    size_t j = *i;
    int64_t v = 0;
    while (j < p->len && digit(p->text[j])) {
        if (__builtin_mul_overflow(v, 10, &v) || __builtin_add_overflow(v, p->text[j] - '0', &v))
            goto range;
        j++;
    }
    int dec = 0;
    if (j < p->len && p->text[j] == '.') {
        if (j + 1 >= p->len || !digit(p->text[j + 1])) {
            perr(p, (uint32_t)(j + 1), "a digit must follow the decimal point");
            return false;
        }
        j++;
        while (j < p->len && digit(p->text[j])) {
            if (++dec > 4) {
                perr(p, (uint32_t)j, "too many decimals: numbers have at most 4");
                return false;
            }
            if (__builtin_mul_overflow(v, 10, &v) || __builtin_add_overflow(v, p->text[j] - '0', &v))
                goto range;
            j++;
        }
    }
    for (; dec < 4; dec++)
        if (__builtin_mul_overflow(v, 10, &v))
            goto range;
    if (j < p->len && (id_char(p->text[j]) || p->text[j] == '.')) {
        perr(p, (uint32_t)j, "unexpected character after a number");
        return false;
    }
    t->kind = T_NUMBER;
    t->num = v;
    t->len = (uint32_t)(j - *i);
    *i = j;
    return true;
range:
    perr(p, t->off, "number out of range");
    return false;
}

static bool lex(parser *p)
{
    size_t i = 0;
    p->ntok = 0;
    for (;;) {
        while (i < p->len && (p->text[i] == ' ' || p->text[i] == '\t' || p->text[i] == '\n' ||
                              p->text[i] == '\r'))
            i++;
        token *t = &p->toks[p->ntok++];
        memset(t, 0, sizeof *t);
        t->off = (uint32_t)i;
        if (i >= p->len) {
            t->kind = T_EOF;
            return true;
        }
        char c = p->text[i], c2 = i + 1 < p->len ? p->text[i + 1] : 0;
        t->len = 1;
        if (id_start(c)) {
            size_t j = i + 1;
            for (;;) {
                while (j < p->len && id_char(p->text[j]))
                    j++;
                if (j + 1 < p->len && p->text[j] == '.' && id_start(p->text[j + 1]))
                    j++;
                else
                    break;
            }
            t->kind = T_IDENT;
            t->len = (uint32_t)(j - i);
            i = j;
            continue;
        }
        /* issue 15 part 2: `.date` right after `)`, as in last(events, "x").date */
        if (c == '.' && p->ntok >= 2 && p->toks[p->ntok - 2].kind == T_RP && id_start(c2)) {
            size_t j = i + 1;
            while (j < p->len && id_char(p->text[j]))
                j++;
            t->kind = T_IDENT;
            t->len = (uint32_t)(j - i);
            i = j;
            continue;
        }
        if (digit(c)) {
            if (!lex_number(p, &i, t))
                return false;
            continue;
        }
        if (c == '"' || c == '\'') {
            if (!lex_string(p, &i, t))
                return false;
            continue;
        }
        switch (c) {
        case '(': t->kind = T_LP; break;
        case ')': t->kind = T_RP; break;
        case ',': t->kind = T_COMMA; break;
        case '+': t->kind = T_PLUS; break;
        case '-': t->kind = T_MINUS; break;
        case '*': t->kind = T_STAR; break;
        case '/': t->kind = T_SLASH; break;
        case '<': t->kind = c2 == '=' ? T_LE : T_LT; break;
        case '>': t->kind = c2 == '=' ? T_GE : T_GT; break;
        case '=':
            if (c2 == '>' || c2 == '<') {
                perr(p, t->off, "write %c= instead of =%c", c2, c2);
                return false;
            }
            if (c2 != '=') {
                perr(p, t->off, "single '=': write == to compare");
                return false;
            }
            t->kind = T_EQ;
            break;
        case '!':
            if (c2 != '=') {
                perr(p, t->off, "unexpected '!': write `not` to negate, != for not equal");
                return false;
            }
            t->kind = T_NE;
            break;
        default:
            if ((unsigned char)c >= 0x80)
                perr(p, t->off, "unexpected character (outside a string)");
            else
                perr(p, t->off, "unexpected character '%c'", c);
            return false;
        }
        if (t->kind == T_LE || t->kind == T_GE || t->kind == T_EQ || t->kind == T_NE)
            t->len = 2;
        i += t->len;
    }
}

/* ---- parser helpers ------------------------------------------------------- */

static token *tok(parser *p) { return &p->toks[p->pos]; }
static token *tok_at(parser *p, int k)
{
    int i = p->pos + k;
    return &p->toks[i < p->ntok ? i : p->ntok - 1];
}

static bool tok_is(const parser *p, const token *t, const char *kw)
{
    size_t n = strlen(kw);
    return t->kind == T_IDENT && t->len == n && memcmp(p->text + t->off, kw, n) == 0;
}

static bool kw(parser *p, const char *k) { return tok_is(p, tok(p), k); }

static bool reserved(const parser *p, const token *t)
{
    static const char *const words[] = {"and", "or", "not", "in", "where", "of", "contains",
                                        "true", "false"};
    for (size_t i = 0; i < sizeof words / sizeof *words; i++)
        if (tok_is(p, t, words[i]))
            return true;
    return false;
}

/* "`text`" of a token for messages */
static const char *tok_desc(parser *p, const token *t, char *buf, size_t cap)
{
    if (t->kind == T_EOF)
        return "the end of the rule";
    int n = t->len > 40 ? 40 : (int)t->len;
    snprintf(buf, cap, "`%.*s`", n, p->text + t->off);
    return buf;
}

static bool expect(parser *p, tkind k, const char *what)
{
    if (tok(p)->kind == k) {
        p->pos++;
        return true;
    }
    char b[64];
    perr(p, tok(p)->off, "expected %s, found %s", what, tok_desc(p, tok(p), b, sizeof b));
    return false;
}

static int32_t node_new(parser *p, uint8_t op, uint8_t type, uint32_t off, uint32_t end)
{
    if (p->nn >= p->cap) {
        perr(p, off, "rule too large (more than %d parts)", FOLIO_RULE_MAX_NODES);
        return -1;
    }
    rules_node *n = &p->nodes[p->nn];
    memset(n, 0, sizeof *n);
    n->op = op;
    n->type = type;
    n->a = n->b = -1;
    n->off = off;
    n->len = end - off;
    return p->nn++;
}

static uint32_t n_end(const parser *p, int32_t i) { return p->nodes[i].off + p->nodes[i].len; }
static uint8_t n_type(const parser *p, int32_t i) { return p->nodes[i].type; }

static int32_t node2(parser *p, uint8_t op, uint8_t type, int32_t a, int32_t b)
{
    int32_t i = node_new(p, op, type, p->nodes[a].off, n_end(p, b));
    if (i >= 0) {
        p->nodes[i].a = a;
        p->nodes[i].b = b;
    }
    return i;
}

static bool want_type(parser *p, int32_t i, uint8_t want, const char *who)
{
    if (n_type(p, i) == want)
        return true;
    perr(p, p->nodes[i].off, "%s needs a %s, found a %s", who, type_names[want],
         type_names[n_type(p, i)]);
    return false;
}

static int32_t p_or(parser *p);

/* ---- field lookup --------------------------------------------------------- */

static bool scope_visible(uint8_t frame, folio_rule_scope s)
{
    switch (s) {
    case FOLIO_RS_HOUSEHOLD:
    case FOLIO_RS_CUSTOMER: return true;
    case FOLIO_RS_ACCOUNT: return frame == FOLIO_RS_ACCOUNT || frame == FOLIO_RS_TXN;
    case FOLIO_RS_TXN: return frame == FOLIO_RS_TXN;
    case FOLIO_RS_EVENT: return frame == FOLIO_RS_EVENT;   /* issue 15 part 2 */
    }
    return false;
}

static const folio_rule_field *field_find(const parser *p, const char *name, size_t n,
                                          int scope)
{
    for (const folio_rule_catalog *c = p->cat; c; c = c->next)
        for (size_t i = 0; i < c->n; i++) {
            const folio_rule_field *f = &c->fields[i];
            if ((scope < 0 || (int)f->scope == scope) && strlen(f->name) == n &&
                memcmp(f->name, name, n) == 0)
                return f;
        }
    return NULL;
}

static size_t edit_distance(const char *a, size_t na, const char *b, size_t nb)
{
    size_t row[48];
    if (na >= 47 || nb >= 47)
        return 99;
    for (size_t j = 0; j <= nb; j++)
        row[j] = j;
    for (size_t i = 1; i <= na; i++) {
        size_t diag = row[0];
        row[0] = i;
        for (size_t j = 1; j <= nb; j++) {
            size_t up = row[j];
            size_t best = diag + (a[i - 1] != b[j - 1]);
            if (up + 1 < best) best = up + 1;
            if (row[j - 1] + 1 < best) best = row[j - 1] + 1;
            row[j] = best;
            diag = up;
        }
    }
    return row[nb];
}

static const char *const scope_words[] = {"household", "customer", "account", "transaction",
                                          "event"};
static const char *const scope_colls[] = {"", "customers", "accounts", "transactions",
                                          "events"};

static int32_t p_field(parser *p, token *t)
{
    const char *name = p->text + t->off;
    /* innermost scope first */
    static const int order[5][4] = {
        {FOLIO_RS_HOUSEHOLD, FOLIO_RS_CUSTOMER, -1, -1},
        {FOLIO_RS_CUSTOMER, FOLIO_RS_HOUSEHOLD, -1, -1},
        {FOLIO_RS_ACCOUNT, FOLIO_RS_CUSTOMER, FOLIO_RS_HOUSEHOLD, -1},
        {FOLIO_RS_TXN, FOLIO_RS_ACCOUNT, FOLIO_RS_CUSTOMER, FOLIO_RS_HOUSEHOLD},
        {FOLIO_RS_EVENT, FOLIO_RS_CUSTOMER, FOLIO_RS_HOUSEHOLD, -1},   /* issue 15 */
    };
    const folio_rule_field *f = NULL;
    for (int k = 0; k < 4 && !f && order[p->frame][k] >= 0; k++)
        f = field_find(p, name, t->len, order[p->frame][k]);
    if (!f) {
        const folio_rule_field *other = field_find(p, name, t->len, -1);
        if (other && !scope_visible(p->frame, other->scope)) {
            perr(p, t->off, "`%.*s` is a field of each %s: use it inside a collection, "
                 "e.g. count(%s where %.*s ...)", (int)t->len, name,
                 scope_words[other->scope], scope_colls[other->scope], (int)t->len, name);
            return -1;
        }
        /* suggest the closest visible name */
        const char *best = NULL;
        size_t bd = 3;
        for (const folio_rule_catalog *c = p->cat; c; c = c->next)
            for (size_t i = 0; i < c->n; i++) {
                if (!scope_visible(p->frame, c->fields[i].scope))
                    continue;
                size_t d = edit_distance(name, t->len, c->fields[i].name, strlen(c->fields[i].name));
                if (d < bd) {
                    bd = d;
                    best = c->fields[i].name;
                }
            }
        if (best)
            perr(p, t->off, "unknown field `%.*s` (did you mean `%s`?)", (int)t->len, name, best);
        else
            perr(p, t->off, "unknown field `%.*s` (docs/rules.md lists the fields)", (int)t->len,
                 name);
        return -1;
    }
    int32_t i = node_new(p, ROP_FIELD, (uint8_t)f->type, t->off, t->off + t->len);
    if (i >= 0) {
        p->nodes[i].field = f;
        p->nodes[i].scope = (uint8_t)f->scope;
    }
    return i;
}

/* ---- literals ------------------------------------------------------------- */

static int32_t const_node(parser *p, uint8_t type, uint32_t off, uint32_t end, int64_t num)
{
    int32_t i = node_new(p, ROP_CONST, type, off, end);
    if (i >= 0)
        p->nodes[i].k.num = num;
    return i;
}

static int32_t string_node(parser *p, token *t)
{
    int32_t i = node_new(p, ROP_CONST, FOLIO_RT_STRING, t->off, t->off + t->len);
    if (i >= 0) {
        p->nodes[i].k.str = p->pool + t->soff;
        p->nodes[i].k.len = t->slen;
    }
    return i;
}

/* date("YYYY-MM-DD"), the name token already consumed; t is the name */
static int32_t p_date_literal(parser *p, token *name)
{
    if (!expect(p, T_LP, "( after date"))
        return -1;
    token *s = tok(p);
    if (s->kind != T_STRING) {
        perr(p, s->off, "date() takes a literal string \"YYYY-MM-DD\"");
        return -1;
    }
    folio_date d;
    if (!folio_date_parse(p->pool + s->soff, s->slen, "YYYY-MM-DD", &d)) {
        perr(p, s->off + 1, "not a date: write \"YYYY-MM-DD\", e.g. \"2026-10-31\"");
        return -1;
    }
    p->pos++;
    uint32_t end = tok(p)->off + 1;
    if (!expect(p, T_RP, ")"))
        return -1;
    return const_node(p, FOLIO_RT_DATE, name->off, end, d);
}

/* one literal of an `in` list */
static int32_t p_literal(parser *p)
{
    token *t = tok(p);
    if (t->kind == T_MINUS && tok_at(p, 1)->kind == T_NUMBER) {
        token *n = tok_at(p, 1);
        p->pos += 2;
        return const_node(p, FOLIO_RT_NUMBER, t->off, n->off + n->len, -n->num);
    }
    if (t->kind == T_NUMBER) {
        p->pos++;
        return const_node(p, FOLIO_RT_NUMBER, t->off, t->off + t->len, t->num);
    }
    if (t->kind == T_STRING) {
        p->pos++;
        return string_node(p, t);
    }
    if (tok_is(p, t, "true") || tok_is(p, t, "false")) {
        p->pos++;
        return const_node(p, FOLIO_RT_BOOL, t->off, t->off + t->len, tok_is(p, t, "true"));
    }
    if (tok_is(p, t, "date") && tok_at(p, 1)->kind == T_LP) {
        p->pos++;
        return p_date_literal(p, t);
    }
    char b[64];
    perr(p, t->off, "the list after `in` holds literal values only, found %s",
         tok_desc(p, t, b, sizeof b));
    return -1;
}

/* ---- functions ------------------------------------------------------------ */

static int coll_of(parser *p, token *t)
{
    if (tok_is(p, t, "accounts")) return RCOLL_ACCOUNTS;
    if (tok_is(p, t, "customers")) return RCOLL_CUSTOMERS;
    if (tok_is(p, t, "transactions")) return RCOLL_TXNS;
    if (tok_is(p, t, "history.transactions")) return RCOLL_HISTORY_TXNS;
    if (tok_is(p, t, "events")) return RCOLL_EVENTS;     /* issue 15 part 2 */
    char b[64];
    perr(p, t->off, "expected accounts, customers, transactions, history.transactions "
         "or events, found %s",
         tok_desc(p, t, b, sizeof b));
    return -1;
}

/* the frame a collection's records open, and which records it covers */
static void coll_frame(uint8_t outer, int coll, uint8_t *frame, uint8_t *src)
{
    switch (coll) {
    case RCOLL_ACCOUNTS:
        *frame = FOLIO_RS_ACCOUNT;
        *src = outer == FOLIO_RS_CUSTOMER ? RSRC_CUSTOMER : RSRC_HOUSEHOLD;
        break;
    case RCOLL_TXNS:
    case RCOLL_HISTORY_TXNS:
        *frame = FOLIO_RS_TXN;
        *src = outer == FOLIO_RS_ACCOUNT ? RSRC_ACCOUNT
             : outer == FOLIO_RS_CUSTOMER ? RSRC_CUSTOMER : RSRC_HOUSEHOLD;
        break;
    case RCOLL_EVENTS:                  /* issue 15 part 2: the household's */
        *frame = FOLIO_RS_EVENT;
        *src = RSRC_HOUSEHOLD;
        break;
    default:
        *frame = FOLIO_RS_CUSTOMER;
        *src = RSRC_HOUSEHOLD;
        break;
    }
}

/* count / any / all / sum / min / max; `name` consumed, at '(' */
static int32_t p_aggregate(parser *p, token *name, int agg)
{
    p->pos++;   /* ( */
    int coll;
    uint8_t outer = p->frame, frame, src;
    int32_t val = -1, pred = -1;
    if (agg == RAGG_COUNT || agg == RAGG_ANY || agg == RAGG_ALL) {
        coll = coll_of(p, tok(p));
        if (coll < 0)
            return -1;
        p->pos++;
        coll_frame(outer, coll, &frame, &src);
    } else {
        /* look ahead for `of COLLECTION` at this parenthesis depth */
        coll = RCOLL_ACCOUNTS;
        int depth = 0;
        for (int k = p->pos; k < p->ntok && p->toks[k].kind != T_EOF; k++) {
            token *t = &p->toks[k];
            if (t->kind == T_LP) depth++;
            else if (t->kind == T_RP && depth-- == 0) break;
            else if (depth == 0 && tok_is(p, t, "of")) {
                coll = coll_of(p, &p->toks[k + 1]);
                if (coll < 0)
                    return -1;
                break;
            }
        }
        coll_frame(outer, coll, &frame, &src);
        p->frame = frame;
        val = p_or(p);
        p->frame = outer;
        if (val < 0)
            return -1;
        if (agg == RAGG_SUM && !want_type(p, val, FOLIO_RT_NUMBER, "sum()"))
            return -1;
        if (agg != RAGG_SUM && n_type(p, val) != FOLIO_RT_NUMBER && n_type(p, val) != FOLIO_RT_DATE) {
            perr(p, p->nodes[val].off, "%s() needs a number or a date, found a %s",
                 agg == RAGG_MIN ? "min" : "max", type_names[n_type(p, val)]);
            return -1;
        }
        if (kw(p, "of"))
            p->pos += 2;
    }
    if (kw(p, "where")) {
        p->pos++;
        p->frame = frame;
        pred = p_or(p);
        p->frame = outer;
        if (pred < 0 || !want_type(p, pred, FOLIO_RT_BOOL, "`where`"))
            return -1;
    } else if (agg == RAGG_ALL) {
        perr(p, tok(p)->off, "all() needs `where` and a condition");
        return -1;
    }
    uint32_t end = tok(p)->off + 1;
    if (tok(p)->kind != T_RP) {
        char b[64];
        perr(p, tok(p)->off, "expected %s or ), found %s",
             agg <= RAGG_MAX && agg != RAGG_COUNT && !kw(p, "where") ? "`of`, `where`" : "`where`",
             tok_desc(p, tok(p), b, sizeof b));
        return -1;
    }
    p->pos++;
    uint8_t type = agg == RAGG_ANY || agg == RAGG_ALL ? FOLIO_RT_BOOL
                 : agg == RAGG_COUNT ? FOLIO_RT_NUMBER : n_type(p, val);
    int32_t i = node_new(p, ROP_AGG, type, name->off, end);
    if (i >= 0) {
        rules_node *n = &p->nodes[i];
        n->sub = (uint8_t)agg;
        n->coll = (uint8_t)coll;
        n->src = src;
        n->a = val;
        n->b = pred;
    }
    return i;
}

/* issue 15 part 2: last(events, "TYPE") -- the date of the household's latest
 * event of that type (unknown when none); the same nodes as
 * max(date of events where type == "TYPE").  `.date` after the call is
 * accepted and changes nothing. */
static int32_t p_last(parser *p, token *name)
{
    p->pos++;   /* ( */
    token *c = tok(p);
    if (!tok_is(p, c, "events")) {
        char b[64];
        perr(p, c->off, "last() takes events and a type: last(events, \"payment\"), found %s",
             tok_desc(p, c, b, sizeof b));
        return -1;
    }
    p->pos++;
    if (!expect(p, T_COMMA, ", after events"))
        return -1;
    token *s = tok(p);
    if (s->kind != T_STRING) {
        perr(p, s->off, "last(events, ...) takes a literal string: the event type");
        return -1;
    }
    p->pos++;
    uint32_t end = tok(p)->off + 1;
    if (!expect(p, T_RP, ")"))
        return -1;
    const folio_rule_field *fd = field_find(p, "date", 4, FOLIO_RS_EVENT);
    const folio_rule_field *ft = field_find(p, "type", 4, FOLIO_RS_EVENT);
    if (!fd || !ft) {
        perr(p, name->off, "last(): this catalogue has no event fields");
        return -1;
    }
    int32_t val = node_new(p, ROP_FIELD, FOLIO_RT_DATE, name->off, end);
    int32_t tf = val < 0 ? -1 : node_new(p, ROP_FIELD, FOLIO_RT_STRING, name->off, end);
    int32_t k = tf < 0 ? -1 : string_node(p, s);
    int32_t cmp = k < 0 ? -1 : node_new(p, ROP_CMP, FOLIO_RT_BOOL, name->off, end);
    int32_t i = cmp < 0 ? -1 : node_new(p, ROP_AGG, FOLIO_RT_DATE, name->off, end);
    if (i < 0)
        return -1;
    p->nodes[val].field = fd;
    p->nodes[val].scope = FOLIO_RS_EVENT;
    p->nodes[tf].field = ft;
    p->nodes[tf].scope = FOLIO_RS_EVENT;
    p->nodes[cmp].sub = RCMP_EQ;
    p->nodes[cmp].a = tf;
    p->nodes[cmp].b = k;
    rules_node *n = &p->nodes[i];
    n->sub = RAGG_MAX;
    n->coll = RCOLL_EVENTS;
    n->src = RSRC_HOUSEHOLD;
    n->a = val;
    n->b = cmp;
    /* last(events, "x").date: the lexer reads ".date" after `)` as a name */
    token *d = tok(p);
    if (d->kind == T_IDENT && d->len == 5 && !memcmp(p->text + d->off, ".date", 5)) {
        p->nodes[i].len = d->off + 5 - p->nodes[i].off;
        p->pos++;
    }
    return i;
}

/* a function of one argument */
static int32_t p_unary_fn(parser *p, token *name, uint8_t op, uint8_t arg_type, uint8_t type)
{
    p->pos++;   /* ( */
    int32_t a = p_or(p);
    if (a < 0)
        return -1;
    char who[40];
    snprintf(who, sizeof who, "%.*s()", (int)(name->len > 30 ? 30 : name->len), p->text + name->off);
    if (arg_type != FOLIO_RT_NONE && !want_type(p, a, arg_type, who))
        return -1;
    if (tok(p)->kind == T_COMMA) {
        perr(p, tok(p)->off, "%s takes one argument", who);
        return -1;
    }
    uint32_t end = tok(p)->off + 1;
    if (!expect(p, T_RP, ")"))
        return -1;
    int32_t i = node_new(p, op, type, name->off, end);
    if (i >= 0)
        p->nodes[i].a = a;
    return i;
}

static int32_t p_call(parser *p, token *name)
{
    static const struct { const char *name; int kind; uint8_t op, arg, type; } fns[] = {
        {"days_since", 0, ROP_DAYS_SINCE, FOLIO_RT_DATE, FOLIO_RT_NUMBER},
        {"days_until", 0, ROP_DAYS_UNTIL, FOLIO_RT_DATE, FOLIO_RT_NUMBER},
        {"months_since", 0, ROP_MONTHS_SINCE, FOLIO_RT_DATE, FOLIO_RT_NUMBER},
        {"years_since", 0, ROP_YEARS_SINCE, FOLIO_RT_DATE, FOLIO_RT_NUMBER},
        {"abs", 0, ROP_ABS, FOLIO_RT_NUMBER, FOLIO_RT_NUMBER},
        {"known", 0, ROP_KNOWN, FOLIO_RT_NONE, FOLIO_RT_BOOL},
        {"holds", 0, ROP_HOLDS, FOLIO_RT_STRING, FOLIO_RT_BOOL},
        {"count", 1, RAGG_COUNT, 0, 0},
        {"sum", 1, RAGG_SUM, 0, 0},
        {"min", 1, RAGG_MIN, 0, 0},
        {"max", 1, RAGG_MAX, 0, 0},
        {"any", 1, RAGG_ANY, 0, 0},
        {"all", 1, RAGG_ALL, 0, 0},
        {"last", 2, 0, 0, 0},           /* issue 15 part 2: last(events, "type") */
    };
    if (tok_is(p, name, "date"))
        return p_date_literal(p, name);
    for (size_t k = 0; k < sizeof fns / sizeof *fns; k++) {
        if (!tok_is(p, name, fns[k].name))
            continue;
        if (!nest_in(p, name->off))
            return -1;
        int32_t i;
        if (fns[k].kind == 2)
            i = p_last(p, name);
        else if (fns[k].kind)
            i = p_aggregate(p, name, fns[k].op);
        else
            i = p_unary_fn(p, name, fns[k].op, fns[k].arg, fns[k].type);
        nest_out(p);
        if (i >= 0 && fns[k].op == ROP_HOLDS && !fns[k].kind)   /* the accounts in view */
            p->nodes[i].src = p->frame == FOLIO_RS_CUSTOMER ? RSRC_CUSTOMER : RSRC_HOUSEHOLD;
        return i;
    }
    perr(p, name->off, "unknown function `%.*s` (functions: date, days_since, days_until, "
         "months_since, years_since, abs, known, holds, count, sum, min, max, any, all, last)",
         (int)(name->len > 40 ? 40 : name->len), p->text + name->off);
    return -1;
}

/* ---- expressions ---------------------------------------------------------- */

static int32_t p_unary(parser *p);

static int32_t p_primary(parser *p)
{
    token *t = tok(p);
    char b[64];
    switch (t->kind) {
    case T_NUMBER:
        p->pos++;
        return const_node(p, FOLIO_RT_NUMBER, t->off, t->off + t->len, t->num);
    case T_STRING:
        p->pos++;
        return string_node(p, t);
    case T_LP: {
        if (!nest_in(p, t->off))
            return -1;
        p->pos++;
        int32_t e = p_or(p);
        nest_out(p);
        if (e < 0)
            return -1;
        uint32_t end = tok(p)->off + 1;
        if (!expect(p, T_RP, ")"))
            return -1;
        /* the span includes the parentheses (explain prints the clause) */
        p->nodes[e].len = end - t->off;
        p->nodes[e].off = t->off;
        return e;
    }
    case T_IDENT:
        if (tok_is(p, t, "true") || tok_is(p, t, "false")) {
            p->pos++;
            return const_node(p, FOLIO_RT_BOOL, t->off, t->off + t->len, tok_is(p, t, "true"));
        }
        if (reserved(p, t))
            break;
        p->pos++;
        if (tok(p)->kind == T_LP)
            return p_call(p, t);
        return p_field(p, t);
    default:
        break;
    }
    perr(p, t->off, "expected a value, found %s", tok_desc(p, t, b, sizeof b));
    return -1;
}

static int32_t p_unary(parser *p)
{
    token *t = tok(p);
    if (t->kind != T_MINUS)
        return p_primary(p);
    if (!nest_in(p, t->off))
        return -1;
    p->pos++;
    int32_t a = p_unary(p);
    nest_out(p);
    if (a < 0 || !want_type(p, a, FOLIO_RT_NUMBER, "unary -"))
        return -1;
    if (p->nodes[a].op == ROP_CONST) {   /* fold -5 into one constant */
        p->nodes[a].k.num = -p->nodes[a].k.num;
        p->nodes[a].len = n_end(p, a) - t->off;
        p->nodes[a].off = t->off;
        return a;
    }
    int32_t i = node_new(p, ROP_NEG, FOLIO_RT_NUMBER, t->off, n_end(p, a));
    if (i >= 0)
        p->nodes[i].a = a;
    return i;
}

static int32_t p_mul(parser *p)
{
    int32_t l = p_unary(p);
    while (l >= 0 && (tok(p)->kind == T_STAR || tok(p)->kind == T_SLASH)) {
        token *op = tok(p);
        p->pos++;
        int32_t r = p_unary(p);
        if (r < 0)
            return -1;
        const char *w = op->kind == T_STAR ? "*" : "/";
        if (!want_type(p, l, FOLIO_RT_NUMBER, w) || !want_type(p, r, FOLIO_RT_NUMBER, w))
            return -1;
        l = node2(p, op->kind == T_STAR ? ROP_MUL : ROP_DIV, FOLIO_RT_NUMBER, l, r);
    }
    return l;
}

static int32_t p_add(parser *p)
{
    int32_t l = p_mul(p);
    while (l >= 0 && (tok(p)->kind == T_PLUS || tok(p)->kind == T_MINUS)) {
        token *op = tok(p);
        bool plus = op->kind == T_PLUS;
        p->pos++;
        int32_t r = p_mul(p);
        if (r < 0)
            return -1;
        uint8_t lt = n_type(p, l), rt = n_type(p, r);
        if (lt == FOLIO_RT_NUMBER && rt == FOLIO_RT_NUMBER)
            l = node2(p, plus ? ROP_ADD : ROP_SUB, FOLIO_RT_NUMBER, l, r);
        else if (lt == FOLIO_RT_DATE && rt == FOLIO_RT_NUMBER)
            l = node2(p, plus ? ROP_DATE_ADD : ROP_DATE_SUB, FOLIO_RT_DATE, l, r);
        else if (plus && lt == FOLIO_RT_NUMBER && rt == FOLIO_RT_DATE)
            l = node2(p, ROP_DATE_ADD, FOLIO_RT_DATE, r, l);
        else if (!plus && lt == FOLIO_RT_DATE && rt == FOLIO_RT_DATE)
            l = node2(p, ROP_DATE_DIFF, FOLIO_RT_NUMBER, l, r);
        else {
            perr(p, op->off, "cannot %s a %s %s a %s", plus ? "add" : "subtract",
                 type_names[rt], plus ? "to" : "from", type_names[lt]);
            return -1;
        }
        if (l >= 0 && (lt == FOLIO_RT_DATE || rt == FOLIO_RT_DATE)) {
            /* keep the span in source order even when operands were swapped */
            rules_node *n = &p->nodes[l];
            uint32_t s = p->nodes[n->a].off < p->nodes[n->b].off ? p->nodes[n->a].off : p->nodes[n->b].off;
            uint32_t e1 = n_end(p, n->a), e2 = n_end(p, n->b);
            n->off = s;
            n->len = (e1 > e2 ? e1 : e2) - s;
        }
    }
    return l;
}

static int cmp_of(tkind k)
{
    switch (k) {
    case T_EQ: return RCMP_EQ;
    case T_NE: return RCMP_NE;
    case T_LT: return RCMP_LT;
    case T_LE: return RCMP_LE;
    case T_GT: return RCMP_GT;
    case T_GE: return RCMP_GE;
    default: return -1;
    }
}

static int32_t p_cmp(parser *p)
{
    int32_t l = p_add(p);
    if (l < 0)
        return -1;
    token *op = tok(p);
    int c = cmp_of(op->kind);
    int32_t res;
    if (c >= 0) {
        p->pos++;
        int32_t r = p_add(p);
        if (r < 0)
            return -1;
        uint8_t lt = n_type(p, l), rt = n_type(p, r);
        if (lt != rt) {
            bool date_str = (lt == FOLIO_RT_DATE && rt == FOLIO_RT_STRING) ||
                            (lt == FOLIO_RT_STRING && rt == FOLIO_RT_DATE);
            perr(p, op->off, "cannot compare a %s with a %s%s", type_names[lt], type_names[rt],
                 date_str ? " (write a date as date(\"YYYY-MM-DD\"))" : "");
            return -1;
        }
        if (lt == FOLIO_RT_BOOL && c != RCMP_EQ && c != RCMP_NE) {
            perr(p, op->off, "bools compare only with == and !=");
            return -1;
        }
        res = node2(p, ROP_CMP, FOLIO_RT_BOOL, l, r);
        if (res >= 0)
            p->nodes[res].sub = (uint8_t)c;
    } else if (kw(p, "in") || (kw(p, "not") && tok_is(p, tok_at(p, 1), "in"))) {
        bool neg = kw(p, "not");
        p->pos += neg ? 2 : 1;
        if (!expect(p, T_LP, "( and a list of values after `in`"))
            return -1;
        int32_t first = p->nn, n = 0;
        for (;;) {
            int32_t e = p_literal(p);
            if (e < 0)
                return -1;
            if (n_type(p, e) != n_type(p, l)) {
                perr(p, p->nodes[e].off, "the list holds a %s but the left side is a %s",
                     type_names[n_type(p, e)], type_names[n_type(p, l)]);
                return -1;
            }
            n++;
            if (tok(p)->kind == T_COMMA) {
                p->pos++;
                continue;
            }
            break;
        }
        uint32_t end = tok(p)->off + 1;
        if (!expect(p, T_RP, ", or )"))
            return -1;
        res = node_new(p, ROP_IN, FOLIO_RT_BOOL, p->nodes[l].off, end);
        if (res >= 0) {
            p->nodes[res].a = l;
            p->nodes[res].b = first;
            p->nodes[res].n = n;
            p->nodes[res].sub = neg;
        }
    } else if (kw(p, "contains")) {
        p->pos++;
        int32_t r = p_add(p);
        if (r < 0 || !want_type(p, l, FOLIO_RT_STRING, "`contains`") ||
            !want_type(p, r, FOLIO_RT_STRING, "`contains`"))
            return -1;
        res = node2(p, ROP_CONTAINS, FOLIO_RT_BOOL, l, r);
    } else {
        return l;
    }
    if (res >= 0 && (cmp_of(tok(p)->kind) >= 0 || kw(p, "in") || kw(p, "contains"))) {
        perr(p, tok(p)->off, "comparisons do not chain: join them with `and`");
        return -1;
    }
    return res;
}

static int32_t p_not(parser *p)
{
    token *t = tok(p);
    if (!tok_is(p, t, "not"))
        return p_cmp(p);
    if (!nest_in(p, t->off))
        return -1;
    p->pos++;
    int32_t a = p_not(p);
    nest_out(p);
    if (a < 0 || !want_type(p, a, FOLIO_RT_BOOL, "`not`"))
        return -1;
    int32_t i = node_new(p, ROP_NOT, FOLIO_RT_BOOL, t->off, n_end(p, a));
    if (i >= 0)
        p->nodes[i].a = a;
    return i;
}

/* right-deep: a and (b and (c ...)) so the evaluator loops instead of recursing */
static int32_t p_and(parser *p)
{
    int32_t l = p_not(p);
    if (l < 0 || !kw(p, "and"))
        return l;
    p->pos++;
    int32_t r = p_and(p);
    if (r < 0 || !want_type(p, l, FOLIO_RT_BOOL, "`and`") || !want_type(p, r, FOLIO_RT_BOOL, "`and`"))
        return -1;
    return node2(p, ROP_AND, FOLIO_RT_BOOL, l, r);
}

static int32_t p_or(parser *p)
{
    int32_t l = p_and(p);
    if (l < 0 || !kw(p, "or"))
        return l;
    p->pos++;
    int32_t r = p_or(p);
    if (r < 0 || !want_type(p, l, FOLIO_RT_BOOL, "`or`") || !want_type(p, r, FOLIO_RT_BOOL, "`or`"))
        return -1;
    return node2(p, ROP_OR, FOLIO_RT_BOOL, l, r);
}

/* ---- depth check ---------------------------------------------------------- */

/* Recursion depth the evaluator needs for node i (and/or chains loop over
 * their right side, so only their left side adds depth). */
static int node_depth(const rules_node *nodes, int32_t i, int *memo)
{
    if (i < 0)
        return 0;
    if (memo[i])
        return memo[i];
    const rules_node *n = &nodes[i];
    int d = 0, x;
    if (n->op == ROP_AND || n->op == ROP_OR) {
        d = node_depth(nodes, n->a, memo) + 1;
        x = node_depth(nodes, n->b, memo);
        if (x > d) d = x;
    } else {
        d = node_depth(nodes, n->a, memo);
        if (n->op != ROP_IN) {
            x = node_depth(nodes, n->b, memo);
            if (x > d) d = x;
        }
        d++;
    }
    memo[i] = d;
    return d;
}

/* ---- entry ----------------------------------------------------------------- */

folio_rule *rules_compile(const char *text, size_t len, const folio_rule_catalog *cat,
                          folio_rule_type want, const folio_rule_source *src,
                          folio_error *err)
{
    if (!text)
        text = "";
    if (len == (size_t)-1)
        len = strlen(text);
    parser p;
    memset(&p, 0, sizeof p);
    p.text = text;
    p.len = len;
    p.src = src;
    p.err = err;
    p.cat = cat ? cat : rules_catalog_default();
    p.frame = FOLIO_RS_HOUSEHOLD;
    if (len > FOLIO_RULE_MAX_TEXT) {
        perr(&p, 0, "rule too long (%zu bytes, at most %d)", len, FOLIO_RULE_MAX_TEXT);
        return NULL;
    }
    if (memchr(text, 0, len)) {
        perr(&p, (uint32_t)((const char *)memchr(text, 0, len) - text), "NUL byte in the rule");
        return NULL;
    }
    folio_rule *r = calloc(1, sizeof *r);
    p.toks = malloc((len + 2) * sizeof *p.toks);
    p.pool = malloc(len + 2);
    if (!r || !p.toks || !p.pool) {
        folio_error_set(err, FOLIO_EXIT_FAILED, "out of memory compiling a rule");
        goto fail;
    }
    if (!lex(&p))
        goto fail;
    if (p.ntok == 1) {
        perr(&p, 0, "empty rule");
        goto fail;
    }
    p.cap = p.ntok < FOLIO_RULE_MAX_NODES ? p.ntok : FOLIO_RULE_MAX_NODES;
    p.nodes = malloc((size_t)p.cap * sizeof *p.nodes);
    if (!p.nodes) {
        folio_error_set(err, FOLIO_EXIT_FAILED, "out of memory compiling a rule");
        goto fail;
    }
    int32_t root = p_or(&p);
    if (root < 0)
        goto fail;
    if (tok(&p)->kind != T_EOF) {
        char b[64];
        token *t = tok(&p);
        bool value = t->kind == T_IDENT || t->kind == T_NUMBER || t->kind == T_STRING ||
                     t->kind == T_LP;
        perr(&p, t->off, "unexpected %s%s", tok_desc(&p, t, b, sizeof b),
             value ? " (missing `and` or `or` before it?)" : "");
        goto fail;
    }
    if (want != FOLIO_RT_NONE && p.nodes[root].type != want) {
        perr(&p, p.nodes[root].off, "the rule must give a %s, this one gives a %s",
             type_names[want], type_names[p.nodes[root].type]);
        goto fail;
    }
    int *memo = calloc((size_t)p.nn, sizeof *memo);
    if (!memo) {
        folio_error_set(err, FOLIO_EXIT_FAILED, "out of memory compiling a rule");
        goto fail;
    }
    int depth = 0;
    for (int32_t i = 0; i < p.nn; i++) {
        int d = node_depth(p.nodes, i, memo);
        if (d > depth)
            depth = d;
        if (d > FOLIO_RULE_MAX_DEPTH) {
            free(memo);
            perr(&p, p.nodes[i].off, "expression nested deeper than %d", FOLIO_RULE_MAX_DEPTH);
            goto fail;
        }
    }
    free(memo);

    r->text = malloc(len + 1);
    if (!r->text) {
        folio_error_set(err, FOLIO_EXIT_FAILED, "out of memory compiling a rule");
        goto fail;
    }
    memcpy(r->text, text, len);
    r->text[len] = 0;
    r->text_len = len;
    r->nodes = p.nodes;
    r->n_nodes = p.nn;
    r->root = root;
    r->type = (folio_rule_type)p.nodes[root].type;
    r->pool = p.pool;
    r->cat = p.cat;
    free(p.toks);
    return r;
fail:
    free(p.toks);
    free(p.pool);
    free(p.nodes);
    if (r)
        free(r->text);
    free(r);
    return NULL;
}

void rules_free(folio_rule *rule)
{
    if (!rule)
        return;
    free(rule->nodes);
    free(rule->text);
    free(rule->pool);
    free(rule);
}

folio_rule_type rules_result_type(const folio_rule *rule) { return rule->type; }

const char *rules_text(const folio_rule *rule) { return rule->text; }
