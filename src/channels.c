/* SPDX-License-Identifier: Apache-2.0 */
/*
 * channels.c -- output.archive and output.channels of the job file, e-mail
 * address checks, and the channel decision per household (folio/archive.h).
 *
 *   output:
 *     channels:                       # first rule whose `when` holds decides
 *       - when: segment == "deceased"
 *         channel: none               # print | email | both | none
 *         reason: "deceased customer" # none only; default names the rule
 *     archive:
 *       enabled: true
 *       max_documents: 5000           # per zip, 1..1000000
 *       account_numbers: masked       # masked | full (index files)
 *       prefix: statements
 *       icc_profile: my-srgb.icc      # default: folio's built-in compact sRGB
 *       compression: 1                # deflate level of page content, 0..9
 *       tagged: true                  # PDF/A-2a + PDF/UA-1 (false: untagged PDF/A-1b)
 *
 * Decision for household h (channel_route):
 *   1. the primary customer's delivery preference;
 *   2. the first channel rule that holds (rules see `delivery` = the
 *      preference and `channel` = the channel of step 1) replaces it;
 *   3. email or both without a valid address of the primary customer ->
 *      print, with the reason in plan->households[h].note;
 *   none -> suppressed, reason "delivery preference is none" or the rule's.
 */
#include "folio/archive.h"
#include "folio/plan.h"
#include "folio/rules.h"
#include "yamltree.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>


static const char *const ARCHIVE_KEYS[] = { "enabled", "max_documents", "account_numbers",
                                            "prefix", "icc_profile", "compression",
                                            "tagged", NULL };   /* issue 14 part 2 */
static const char *const RULE_KEYS[] = { "when", "channel", "reason", NULL };
static const char *const MASK_NAMES[] = { "masked", "full", NULL };
/* in folio_channel order; "none" is FOLIO_CHANNEL_SUPPRESSED */
static const char *const CHANNEL_NAMES[] = { "print", "email", "both", "none", NULL };

void archive_options_free(folio_archive_options *a)
{
    free(a);
}

void channel_rules_free(folio_channel_rules *r)
{
    if (!r)
        return;
    for (int i = 0; i < r->n; i++) {
        rules_free(r->v[i].when);
        free(r->v[i].reason);
    }
    free(r->v);
    free(r->file);
    free(r);
}

static bool name_ok(const char *s)
{
    if (!*s)
        return false;
    for (; *s; s++)
        if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') || (*s >= '0' && *s <= '9') ||
              *s == '-' || *s == '_' || *s == '.'))
            return false;
    return true;
}

static bool read_archive(yt_doc *d, const yt_node *o, folio_archive_options *a)
{
    const yt_node *n = yt_child(d, o, "output", "archive", false);
    if (!n)
        return d->err->code == 0;
    if (!yt_expect_map(d, n, "output.archive") ||
        !yt_check_keys(d, n, "output.archive", ARCHIVE_KEYS))
        return false;
    a->line = n->line;
    int64_t md = a->max_documents, zl = a->compression;
    int mask = 0;
    char *prefix = NULL, *icc = NULL;
    bool ok = yt_bool(d, n, "output.archive", "enabled", false, &a->enabled) >= 0 &&
              yt_int(d, n, "output.archive", "max_documents", false, 1, 1000000, &md) >= 0 &&
              yt_enum(d, n, "output.archive", "account_numbers", false, MASK_NAMES, &mask) >= 0 &&
              yt_str(d, n, "output.archive", "prefix", false, &prefix) >= 0 &&
              yt_str(d, n, "output.archive", "icc_profile", false, &icc) >= 0 &&
              yt_int(d, n, "output.archive", "compression", false, 0, 9, &zl) >= 0 &&
              yt_bool(d, n, "output.archive", "tagged", false, &a->tagged) >= 0;
    if (ok) {
        a->max_documents = (uint32_t)md;
        a->compression = (int)zl;
        a->mask_accounts = mask == 0;
        if (prefix && (!name_ok(prefix) || strlen(prefix) >= sizeof a->prefix))
            ok = yt_fail(d, yt_get(n, "prefix"), "'output.archive.prefix' must be 1 to 63 "
                         "letters, digits, '-', '_' or '.', got '%s'", prefix);
        else if (prefix)
            snprintf(a->prefix, sizeof a->prefix, "%s", prefix);
        if (ok && icc) {
            /* Relative to the job file's directory, however long that is: a
             * path cut or taken relative to the working directory could name
             * another profile. */
            const char *slash = strrchr(d->path, '/');
            int dl = icc[0] == '/' || !slash ? 0 : (int)(slash - d->path);
            int len = dl ? snprintf(a->icc_profile, sizeof a->icc_profile, "%.*s/%s", dl,
                                    d->path, icc)
                         : snprintf(a->icc_profile, sizeof a->icc_profile, "%s", icc);
            if (len < 0 || (size_t)len >= sizeof a->icc_profile) {
                a->icc_profile[0] = '\0';
                ok = yt_fail(d, yt_get(n, "icc_profile"), "'output.archive.icc_profile' is "
                             "too long: %d bytes with the job file's directory (at most %zu)",
                             len, sizeof a->icc_profile - 1);
            } else {
                /* a named profile that cannot be read is the job's error, at the key */
                const yt_node *at = yt_get(n, "icc_profile");
                int st = yt_check_input(d, at, "output.archive.icc_profile", a->icc_profile,
                                        NULL);
                if (st < 0)
                    ok = false;
                else if (st == 0 || access(a->icc_profile, R_OK) != 0)
                    ok = yt_fail(d, at, "'output.archive.icc_profile': cannot read '%s': %s",
                                 a->icc_profile, strerror(errno));
            }
        }
    }
    free(prefix);
    free(icc);
    return ok;
}

static bool read_rules(yt_doc *d, const yt_node *o, folio_channel_rules **out)
{
    const yt_node *seq = yt_child(d, o, "output", "channels", false);
    if (!seq)
        return d->err->code == 0;
    if (!yt_expect_seq(d, seq, "output.channels"))
        return false;
    folio_channel_rules *r = calloc(1, sizeof *r);
    if (!r || !(r->v = calloc(seq->n ? (size_t)seq->n : 1, sizeof *r->v)) ||
        !(r->file = strdup(d->path))) {
        channel_rules_free(r);
        folio_error_set(d->err, FOLIO_EXIT_FAILED, "out of memory");
        return false;
    }
    *out = r;
    for (int i = 0; i < seq->n; i++) {
        const yt_node *m = seq->items[i];
        char where[48];
        snprintf(where, sizeof where, "output.channels[%d]", i);
        if (!yt_expect_map(d, m, where) || !yt_check_keys(d, m, where, RULE_KEYS))
            return false;
        /* the slot belongs to the list from now on, so channel_rules_free()
         * frees what an entry that fails half-way has already allocated */
        folio_channel_rule *cr = &r->v[r->n++];
        cr->line = m->line;
        int ch = 0;
        if (yt_enum(d, m, where, "channel", true, CHANNEL_NAMES, &ch) < 0 ||
            yt_str(d, m, where, "reason", false, &cr->reason) < 0)
            return false;
        cr->channel = (uint8_t)ch;
        const yt_node *w = yt_child(d, m, where, "when", true);
        if (!w)
            return false;
        if (w->kind != YT_SCALAR || w->is_null)
            return yt_fail(d, w, "'%s.when' must be a rule (docs/rules.md)", where);
        if (cr->reason && cr->channel != FOLIO_CHANNEL_SUPPRESSED)
            return yt_fail(d, yt_get(m, "reason"), "'%s.reason' is only for channel: none",
                           where);
        folio_rule_source src = { .file = d->path, .line = w->line,
                                  .col = w->raw_one_line ? w->text_col : w->col,
                                  .cont_col = w->col };
        cr->when = rules_compile(w->str, w->len, d->rules, FOLIO_RT_BOOL, &src, d->err);
        if (!cr->when)
            return false;
    }
    return true;
}

bool archive_options_read(struct yt_doc *d, const struct yt_node *output,
                          folio_archive_options **arch, folio_channel_rules **rules)
{
    folio_archive_options *a = calloc(1, sizeof *a);
    if (!a) {
        folio_error_set(d->err, FOLIO_EXIT_FAILED, "out of memory");
        return false;
    }
    a->enabled = true;
    a->max_documents = 5000;
    a->mask_accounts = true;
    /* level 1: page content is ~4% of an archived document (its font
     * programs ~85%), so level 6 saved 0.7% of the zip for ~17% more
     * archive time (perf/README.md) */
    a->compression = 1;
    a->tagged = true;          /* issue 14 part 2: PDF/A-2a + PDF/UA-1 */
    strcpy(a->prefix, "statements");
    a->icc_profile[0] = '\0'; /* issue 11 (r-arch3): folio's compact sRGB (icc-srgb.c) */
    *arch = a;
    *rules = NULL;
    if (!output)
        return true;
    return read_archive(d, output, a) && read_rules(d, output, rules);
}

/* ---- e-mail addresses ----------------------------------------------------- */

bool channel_email_valid(const char *s, const char **why)
{
    const char *w = NULL;
    size_t n = s ? strlen(s) : 0;
    const char *at = n ? strchr(s, '@') : NULL;
    if (n == 0)
        w = "no e-mail address";
    else if (n > 254)
        w = "e-mail address longer than 254 characters";
    else if (!at || strchr(at + 1, '@'))
        w = "e-mail address needs exactly one '@'";
    else if (at == s || at - s > 64)
        w = "e-mail address has an empty or too long local part";
    if (!w)
        for (const char *p = s; p < at; p++)
            if ((unsigned char)*p <= 0x20 || (unsigned char)*p >= 0x7F || *p == '"' ||
                *p == '(' || *p == ')' || *p == ',' || *p == ':' || *p == ';' || *p == '<' ||
                *p == '>' || *p == '[' || *p == '\\' || *p == ']') {
                w = "e-mail address has a space or a character not allowed before '@'";
                break;
            }
    if (!w && (s[0] == '.' || at[-1] == '.' || strstr(s, "..")))
        w = "e-mail address has a misplaced '.'";
    if (!w) {
        const char *dom = at + 1;
        int labels = 0;
        size_t len = 0;
        bool bad = !*dom;
        for (const char *p = dom; !bad; p++) {
            if (*p == '.' || *p == 0) {
                if (len == 0 || len > 63 || p[-1] == '-')
                    bad = true;
                labels++;
                len = 0;
                if (*p == 0)
                    break;
            } else if ((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
                       (*p >= '0' && *p <= '9') || (*p == '-' && len > 0)) {
                len++;
            } else {
                bad = true;
            }
        }
        if (bad || labels < 2)
            w = "e-mail address has no valid domain";
    }
    if (why)
        *why = w;
    return w == NULL;
}

/* ---- routing -------------------------------------------------------------- */

static const char *route_reason(folio_plan *p, const char *fmt, const char *a, const char *b)
{
    char tmp[512];
    snprintf(tmp, sizeof tmp, fmt, a, b);
    const char *s = folio_arena_strdup(&p->reasons, tmp);
    return s ? s : "channel decided (reason lost: out of memory)";
}

void channel_route(folio_plan *p, size_t h)
{
    const folio_job *job = p->job;
    const folio_households *hs = p->hs;
    const folio_dataset *ds = p->ds;
    const folio_household *hh = &hs->v[h];
    folio_household_plan *hp = &p->households[h];
    if (!hh->n_customers)
        return;
    const folio_customer *c = &ds->customers[hs->customer_idx[hh->first_customer]];
    uint8_t ch = c->delivery > FOLIO_DELIVERY_NONE ? FOLIO_CHANNEL_PRINT : c->delivery;
    const char *why_rule = NULL;
    const folio_channel_rules *rules = job->channels;
    for (int i = 0; rules && i < rules->n; i++) {
        folio_rule_ctx ctx = { .ds = ds, .hs = hs, .job = job, .hh = (uint32_t)h,
                               .today = job->statement_date,
                               .period_start = job->period_start,
                               .period_end = job->period_end,
                               .channel = CHANNEL_NAMES[ch] };
        if (!rules_eval_bool(rules->v[i].when, &ctx))
            continue;
        const folio_channel_rule *r = &rules->v[i];
        char line[16];
        snprintf(line, sizeof line, "%d", r->line);
        if (r->channel == FOLIO_CHANNEL_SUPPRESSED && r->reason)
            why_rule = route_reason(p, "%s%s", r->reason, "");
        else
            why_rule = route_reason(p, "channel rule at %s:%s", rules->file, line);
        if (r->channel != ch) {
            hp->note = route_reason(p, "%s (preference %s)", why_rule,
                                    CHANNEL_NAMES[c->delivery > 3 ? 0 : c->delivery]);
            ch = r->channel;
        }
        break;
    }
    if (ch == FOLIO_CHANNEL_SUPPRESSED) {
        hp->channel = FOLIO_CHANNEL_SUPPRESSED;
        hp->reason = why_rule ? why_rule : "delivery preference is none";
        return;
    }
    const char *why = NULL;
    if ((ch == FOLIO_CHANNEL_EMAIL || ch == FOLIO_CHANNEL_BOTH) && job->archive &&
        !job->archive->enabled) {
        hp->note = "e-delivery archive disabled (output.archive.enabled: false): printed";
        ch = FOLIO_CHANNEL_PRINT;
    } else if ((ch == FOLIO_CHANNEL_EMAIL || ch == FOLIO_CHANNEL_BOTH) &&
               !channel_email_valid(c->email, &why)) {
        hp->note = route_reason(p, "%s: printed instead of %s", why,
                                ch == FOLIO_CHANNEL_EMAIL ? "e-mail" : "print and e-mail");
        ch = FOLIO_CHANNEL_PRINT;
    }
    hp->channel = ch;
}
