/* SPDX-License-Identifier: Apache-2.0 */
/*
 * disc-labels.c -- the labels of disclosure sections per language, from the
 * paragraph library (disc-labels.h; issue 14 part 1, round 24).
 */
#include "disc-labels.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct label_def {
    const char *key;              /* the paragraph id is "disc-" key */
    const char *en;               /* built-in English (approved US wording) */
} label_def;

static const label_def LABELS[DL__COUNT] = {
    [FOLIO_DISC_DEPOSIT_FEES] = {"title-deposit_fees", "Fees"},
    [FOLIO_DISC_DEPOSIT_INTEREST] = {"title-deposit_interest", "Interest"},
    [FOLIO_DISC_CARD_PAYMENT] = {"title-card_payment", "Payment Information"},
    [FOLIO_DISC_CARD_MINIMUM] = {"title-card_minimum_warning", "Minimum Payment Warning"},
    [FOLIO_DISC_CARD_INTEREST] = {"title-card_interest", "Interest Charge Calculation"},
    [FOLIO_DISC_CARD_TOTALS] = {"title-card_totals", "Fees and Interest Charged"},
    [FOLIO_DISC_LOAN_PAYMENT] = {"title-loan_payment", "Payment Breakdown"},
    [FOLIO_DISC_LOAN_DELINQUENCY] = {"title-loan_delinquency", "Delinquency Notice"},
    [FOLIO_DISC_EU_FEES] = {"title-eu_fees", "Statement of fees"},
    [DL_PERIOD] = {"total_period", "Total for this period"},
    [DL_YTD] = {"total_ytd", "Total year-to-date"},
    [DL_OVERDRAFT_FEES] = {"overdraft_fees", "Total Overdraft Fees"},
    [DL_RETURNED_FEES] = {"returned_item_fees", "Total Returned Item Fees"},
    [DL_INTEREST_PAID] = {"interest_paid", "Interest paid this period"},
    [DL_APY_EARNED] = {"apy_earned", "Annual Percentage Yield Earned"},
    [DL_DAYS] = {"days", "days"},
    [DL_DAY] = {"day", "day"},           /* round 25: "(1 day)" */
    [DL_INTEREST_PAID_YTD] = {"interest_paid_ytd", "Interest paid year-to-date"},
    [DL_NEW_BALANCE] = {"new_balance", "New Balance"},
    [DL_MINIMUM_DUE] = {"minimum_due", "Minimum Payment Due"},
    [DL_DUE_DATE] = {"due_date", "Payment Due Date"},
    [DL_LATE_FEE] = {"late_fee", "Late Payment Warning: late fee up to"},
    [DL_PENALTY_APR] = {"penalty_apr", "Late Payment Warning: Penalty APR up to"},
    [DL_MIN_HEAD_PAY] = {"minimum_head_pay",
                         "If you make no additional charges using this card and each month you pay..."},
    [DL_MIN_HEAD_TIME] = {"minimum_head_time",
                          "You will pay off the balance shown on this statement in about..."},
    [DL_MIN_HEAD_TOTAL] = {"minimum_head_total", "And you will end up paying an estimated total of..."},
    [DL_MIN_ONLY] = {"minimum_only", "Only the minimum payment"},
    [DL_LESS_THAN_YEAR] = {"less_than_year", "less than 1 year"},
    [DL_YEAR] = {"year", "year"},
    [DL_YEARS] = {"years", "years"},
    [DL_NEVER] = {"never", "never"},
    [DL_SAVINGS] = {"savings", "Savings"},
    [DL_BALANCE_TYPE] = {"balance_type", "Type of Balance"},
    [DL_APR] = {"apr", "Annual Percentage Rate (APR)"},
    [DL_BALANCE_SUBJECT] = {"balance_subject", "Balance Subject to Interest Rate"},
    [DL_INTEREST_CHARGE] = {"interest_charge", "Interest Charge"},
    [DL_PURCHASES] = {"purchases", "Purchases"},
    [DL_CASH_ADVANCES] = {"cash_advances", "Cash Advances"},
    [DL_TOTAL_INTEREST_CHARGE] = {"total_interest_charge", "Total interest charge"},
    [DL_FEES_CHARGED] = {"fees_charged", "Total fees charged"},
    [DL_INTEREST_CHARGED] = {"interest_charged", "Total interest charged"},
    [DL_PRINCIPAL] = {"principal", "Principal"},
    [DL_INTEREST] = {"interest", "Interest"},
    [DL_ESCROW] = {"escrow", "Escrow (taxes and insurance)"},
    [DL_FEES] = {"fees", "Fees"},
    [DL_AMOUNT_DUE] = {"amount_due", "Amount due"},
    [DL_TOTAL_AMOUNT_DUE] = {"total_amount_due", "Total amount due"},
    [DL_PAST_PAYMENTS] = {"past_payments", "Past payments breakdown"},
    [DL_PAID_SINCE] = {"paid_since", "Paid since last statement"},
    [DL_PAID_YTD] = {"paid_ytd", "Paid year-to-date"},
    [DL_TOTAL_PAID] = {"total_paid", "Total paid"},
    [DL_ESCROW_BALANCE] = {"escrow_balance", "Escrow balance"},
    [DL_DAYS_PAST_DUE] = {"days_past_due", "Days past due"},
    [DL_AMOUNT_PAST_DUE] = {"amount_past_due", "Amount past due"},
    [DL_SERVICE] = {"service", "Service"},
    [DL_TIMES_USED] = {"times_used", "Number of times used"},
    [DL_TOTAL_FEES] = {"total_fees", "Total fees"},
    [DL_CREDIT_RATE] = {"credit_rate", "Credit interest rate applied"},
    [DL_OVERDRAFT_RATE] = {"overdraft_rate", "Overdraft interest rate applied"},
};

/* The labels each kind prints (besides its title), DL__COUNT-terminated. */
static const disc_label USES[FOLIO_DISC__COUNT][16] = {
    [FOLIO_DISC_DEPOSIT_FEES] = {DL_PERIOD, DL_YTD, DL_OVERDRAFT_FEES, DL_RETURNED_FEES,
                                 DL__COUNT},
    [FOLIO_DISC_DEPOSIT_INTEREST] = {DL_INTEREST_PAID, DL_APY_EARNED, DL_DAYS, DL_DAY,
                                     DL_INTEREST_PAID_YTD, DL__COUNT},
    [FOLIO_DISC_CARD_PAYMENT] = {DL_NEW_BALANCE, DL_MINIMUM_DUE, DL_DUE_DATE, DL_LATE_FEE,
                                 DL_PENALTY_APR, DL__COUNT},
    [FOLIO_DISC_CARD_MINIMUM] = {DL_MIN_HEAD_PAY, DL_MIN_HEAD_TIME, DL_MIN_HEAD_TOTAL,
                                 DL_MIN_ONLY, DL_LESS_THAN_YEAR, DL_YEAR, DL_YEARS, DL_NEVER,
                                 DL_SAVINGS, DL__COUNT},
    [FOLIO_DISC_CARD_INTEREST] = {DL_BALANCE_TYPE, DL_APR, DL_BALANCE_SUBJECT,
                                  DL_INTEREST_CHARGE, DL_PURCHASES, DL_CASH_ADVANCES,
                                  DL_TOTAL_INTEREST_CHARGE, DL_DAYS, DL_DAY, DL__COUNT},
    [FOLIO_DISC_CARD_TOTALS] = {DL_PERIOD, DL_YTD, DL_FEES_CHARGED, DL_INTEREST_CHARGED,
                                DL__COUNT},
    [FOLIO_DISC_LOAN_PAYMENT] = {DL_PRINCIPAL, DL_INTEREST, DL_ESCROW, DL_FEES, DL_AMOUNT_DUE,
                                 DL_TOTAL_AMOUNT_DUE, DL_PAST_PAYMENTS, DL_PAID_SINCE,
                                 DL_PAID_YTD, DL_TOTAL_PAID, DL_ESCROW_BALANCE, DL__COUNT},
    [FOLIO_DISC_LOAN_DELINQUENCY] = {DL_DAYS_PAST_DUE, DL_AMOUNT_PAST_DUE, DL__COUNT},
    [FOLIO_DISC_EU_FEES] = {DL_SERVICE, DL_TIMES_USED, DL_TOTAL_FEES, DL_CREDIT_RATE,
                            DL_OVERDRAFT_RATE, DL__COUNT},
};

/* Round 25: the kinds that print a number followed by a counted noun
 * ("(31 days)", "5 years"), so need the language's plural rule. */
static bool counts(folio_disc_kind kind)
{
    return kind == FOLIO_DISC_DEPOSIT_INTEREST || kind == FOLIO_DISC_CARD_MINIMUM ||
           kind == FOLIO_DISC_CARD_INTEREST;
}

/* CLDR cardinal plural rules, whole numbers only, of the languages whose rule
 * has at most the two forms a label pair can hold.  Languages without a
 * plural (ja, zh, ...) use ONE: their singular and plural wordings are the
 * same word. */
int disc_plural_rule(const char *code)
{
    static const char *const one[] = {
        "en", "es", "de", "it", "nl", "sv", "da", "nb", "nn", "no", "fi", "et", "el", "hu",
        "bg", "ca", "gl", "eu", "af", "tr", "az", "ka", "sw", "ur", "ta", "te", "ml",
        "mr", "ne", "ja", "zh", "ko", "vi", "th", "id", "ms", "lo", "my", "km"};
    static const char *const zero_one[] = {"fr", "pt", "hi", "bn", "gu", "fa", "zu", "am",
                                           "hy", "kab", "kn", "as"};
    char base[8];
    size_t n = 0;
    while (code && code[n] && code[n] != '-' && code[n] != '_' && n < sizeof base - 1) {
        char ch = code[n];
        base[n++] = (char)(ch >= 'A' && ch <= 'Z' ? ch - 'A' + 'a' : ch);
    }
    base[n] = 0;
    if (code && code[n] && code[n] != '-' && code[n] != '_')
        return DISC_PLURAL_UNKNOWN;
    /* pt-PT has one for 1 only, pt and pt-BR for 0 and 1: the same from 1 up */
    for (size_t i = 0; i < sizeof one / sizeof *one; i++)
        if (!strcmp(base, one[i]))
            return DISC_PLURAL_ONE;
    for (size_t i = 0; i < sizeof zero_one / sizeof *zero_one; i++)
        if (!strcmp(base, zero_one[i]))
            return DISC_PLURAL_ZERO_ONE;
    return DISC_PLURAL_UNKNOWN;
}

const char *disc_label_id(disc_label k, char *buf)
{
    snprintf(buf, 64, "disc-%s", LABELS[k].key);
    return buf;
}

const char *disc_label_english(disc_label k)
{
    return (unsigned)k < DL__COUNT ? LABELS[k].en : "";
}

static bool is_english(const char *code)
{
    return (code[0] == 'e' || code[0] == 'E') && (code[1] == 'n' || code[1] == 'N')
           && (code[2] == 0 || code[2] == '-' || code[2] == '_');
}

/* r-harden (round 25): a label is one line of visible text.  A line
 * break drew it over the row above, blanks printed no heading, and
 * control or invisible format characters (bidi overrides, zero-width
 * spaces) changed or hid what the approved wording says -- all with
 * exit 0.  The joiners and marks that spelling needs stay allowed:
 * ZWNJ/ZWJ (U+200C/D: Persian, Indic scripts) and LRM/RLM (U+200E/F).
 * Returns the first offending code point's byte offset, or -1;
 * *cp the code point (0: nothing visible). */
static long label_bad(const char *s, uint32_t *cp)
{
    const unsigned char *p = (const unsigned char *)s;
    bool visible = false;
    for (size_t i = 0; p[i];) {
        uint32_t c = p[i];
        size_t n = c < 0x80 ? 1 : c < 0xE0 ? 2 : c < 0xF0 ? 3 : 4;
        if (n > 1) {
            c &= 0x3Fu >> (n - 1);
            for (size_t k = 1; k < n && p[i + k]; k++)
                c = c << 6 | (p[i + k] & 0x3Fu);
        }
        /* r-harden (round 26): the other invisible format characters too
         * (Mongolian vowel separator, interlinear annotation, tag
         * characters, musical, Egyptian and shorthand format controls):
         * a font with a zero-width glyph for them hides them as above */
        if (c < 0x20 || (c >= 0x7F && c < 0xA0) || c == 0x200B ||
            (c >= 0x2028 && c <= 0x202E) || (c >= 0x2060 && c <= 0x2069) || c == 0xFEFF ||
            c == 0xAD || c == 0x180E || (c >= 0xFFF9 && c <= 0xFFFB) ||
            (c >= 0xE0000 && c <= 0xE007F) || (c >= 0x1D173 && c <= 0x1D17A) ||
            (c >= 0x13430 && c <= 0x1343F) || (c >= 0x1BCA0 && c <= 0x1BCA3)) {
            *cp = c;
            return (long)i;
        }
        /* blanks, and the fillers and joiners that draw nothing on their
         * own (Hangul fillers, braille blank, CGJ, variation selectors:
         * r-harden round 26), make no visible label */
        visible = visible || (c != ' ' && c != 0xA0 && c != 0x3000 &&
                              !(c >= 0x2000 && c <= 0x200A) && c != 0x115F && c != 0x1160 &&
                              c != 0x3164 && c != 0xFFA0 && c != 0x2800 && c != 0x034F &&
                              !(c >= 0xFE00 && c <= 0xFE0F) && !(c >= 0xE0100 && c <= 0xE01EF) &&
                              c != 0x200C && c != 0x200D && c != 0x200E && c != 0x200F);
        for (size_t k = 0; k < n && p[i]; k++)     /* (YAML gave valid UTF-8) */
            i++;
    }
    *cp = 0;
    return visible ? -1 : 0;
}

/* Wording of label k in language l into t, or an error. */
static bool resolve(yt_doc *d, const yt_node *n, const char *where, const folio_layout *L,
                    const folio_paragraphs *lib, folio_disc_kind kind, disc_label k, int l,
                    disc_labels *t)
{
    char **slot = &t->text[(size_t)l * DL__COUNT + k];
    if (*slot)
        return true;
    char id[64];
    disc_label_id(k, id);
    int pi = lib ? paragraphs_find(lib, id) : -1;
    const char *lang = L->languages[l];
    if (pi >= 0 && lib->v[pi].has[l]) {
        const folio_paragraph *p = &lib->v[pi];
        const folio_template *tp = &p->text[l];
        size_t len = 0;
        for (int s = 0; s < tp->n_segs; s++) {
            if (tp->segs[s].field != FOLIO_M_LITERAL) {
                folio_error_set(d->err, FOLIO_EXIT_USAGE,
                                "%s:%d:%d: paragraph '%s' is a disclosure label: its '%s' "
                                "wording must be plain text, without merge fields",
                                lib->path, p->line, p->col, id, lang);
                return false;
            }
            len += tp->segs[s].len;
        }
        char *s = malloc(len + 1);
        if (!s) {
            folio_error_set(d->err, FOLIO_EXIT_FAILED, "%s: out of memory", d->path);
            return false;
        }
        len = 0;
        for (int g = 0; g < tp->n_segs; g++) {
            memcpy(s + len, tp->segs[g].text, tp->segs[g].len);
            len += tp->segs[g].len;
        }
        s[len] = 0;
        uint32_t bad_cp;
        long bad = label_bad(s, &bad_cp);
        if (bad >= 0) {                 /* r-harden (round 25) */
            char what[48];
            if (bad_cp)
                snprintf(what, sizeof what, "U+%04X at byte %ld", (unsigned)bad_cp, bad);
            else
                snprintf(what, sizeof what, "nothing but blanks");
            folio_error_set(d->err, FOLIO_EXIT_USAGE,
                            "%s:%d:%d: paragraph '%s' is a disclosure label: its '%s' wording "
                            "must be one line of visible text (%s)", lib->path, p->line,
                            p->col, id, lang, what);
            free(s);
            return false;
        }
        if (len > DISC_LABEL_MAX) {     /* a disclosure cell holds 95 bytes with its figures */
            folio_error_set(d->err, FOLIO_EXIT_USAGE,
                            "%s:%d:%d: paragraph '%s' is a disclosure label: its '%s' wording "
                            "is %zu bytes, longer than the %d a label may have",
                            lib->path, p->line, p->col, id, lang, len, DISC_LABEL_MAX);
            free(s);
            return false;
        }
        *slot = s;
        t->para[(size_t)l * DL__COUNT + k] = pi;
        return true;
    }
    if (is_english(lang)) {
        if (!(*slot = strdup(LABELS[k].en))) {
            folio_error_set(d->err, FOLIO_EXIT_FAILED, "%s: out of memory", d->path);
            return false;
        }
        return true;
    }
    return yt_fail(d, n, "'%s' (kind %s) is printed in language '%s', but the paragraph "
                   "library has no '%s' wording for its label '%s' (add paragraph '%s' with "
                   "text.%s; built-in labels are English only)", where,
                   disclosures_kind_name(kind), lang, lang, LABELS[k].en, id, lang);
}

bool disc_labels_need(yt_doc *d, const yt_node *n, const char *where, const folio_layout *L,
                      const folio_paragraphs *lib, folio_disc_kind kind, bool own_title,
                      disc_labels *t)
{
    int nl = L->n_languages > 0 ? L->n_languages : 1;
    if (!t->text) {
        t->text = calloc((size_t)nl * DL__COUNT, sizeof *t->text);
        t->para = malloc((size_t)nl * DL__COUNT * sizeof *t->para);
        t->plural = calloc((size_t)nl, 1);
        if (!t->text || !t->para || !t->plural) {
            folio_error_set(d->err, FOLIO_EXIT_FAILED, "%s: out of memory", d->path);
            return false;
        }
        for (size_t i = 0; i < (size_t)nl * DL__COUNT; i++)
            t->para[i] = -1;
        for (int l = 0; l < nl; l++)
            t->plural[l] = DISC_PLURAL_ONE;    /* no language list: English */
        t->n_languages = nl;
    }
    if (L->n_languages <= 0 || !L->languages)
        return true;          /* no language list: disc_label's English */
    for (int l = 0; l < nl; l++) {
        int rule = disc_plural_rule(L->languages[l]);
        if (counts(kind) && rule == DISC_PLURAL_UNKNOWN)
            return yt_fail(d, n, "'%s' (kind %s) prints counts (\"31 days\", \"5 years\") in "
                           "language '%s', whose plural forms folio does not model (it "
                           "knows languages with a singular and one plural form, e.g. en, "
                           "es, fr, de, pt): a wrong plural would print a different "
                           "statement", where, disclosures_kind_name(kind), L->languages[l]);
        t->plural[l] = (unsigned char)(rule ? rule : DISC_PLURAL_ONE);
        if (!own_title && !resolve(d, n, where, L, lib, kind, (disc_label)kind, l, t))
            return false;
        for (const disc_label *u = USES[kind]; *u != DL__COUNT; u++)
            if (!resolve(d, n, where, L, lib, kind, *u, l, t))
                return false;
    }
    return true;
}

void disc_labels_free(disc_labels *t)
{
    if (t->text)
        for (size_t i = 0; i < (size_t)t->n_languages * DL__COUNT; i++)
            free(t->text[i]);
    free(t->text);
    free(t->para);
    free(t->plural);
    t->text = NULL;
    t->para = NULL;
    t->plural = NULL;
}
