/* SPDX-License-Identifier: Apache-2.0 */
/*
 * disc-labels.h -- issue 14 part 1 (round 24): the words a disclosure
 * section prints around its figures (titles, row labels, column heads),
 * per statement language, from the paragraph library (docs/disclosures.md
 * "Labels and languages").
 *
 * Each label has a paragraph id "disc-KEY" (e.g. disc-new_balance,
 * disc-title-card_payment).  For every language the layout prints, a label
 * a requested section uses is the library's wording in that language; when
 * the library has none, the built-in English text is used for a language
 * whose code is "en" or "en-..." (it is the approved US wording the section
 * kinds were written with, docs/disclosures.md), and any other language is a
 * layout error at load (file:line:col), never English printed silently.
 */
#ifndef FOLIO_DISC_LABELS_H
#define FOLIO_DISC_LABELS_H

#include "folio/disclosures.h"
#include "folio/layout.h"
#include "folio/paragraphs.h"
#include "yamltree.h"

typedef enum disc_label {
    DL_TITLE0 = 0,                /* + folio_disc_kind: the section's default title */
    DL_PERIOD = FOLIO_DISC__COUNT, DL_YTD, DL_OVERDRAFT_FEES, DL_RETURNED_FEES,
    DL_INTEREST_PAID, DL_APY_EARNED, DL_DAYS, DL_INTEREST_PAID_YTD, DL_DAY,
    DL_NEW_BALANCE, DL_MINIMUM_DUE, DL_DUE_DATE, DL_LATE_FEE, DL_PENALTY_APR,
    DL_MIN_HEAD_PAY, DL_MIN_HEAD_TIME, DL_MIN_HEAD_TOTAL, DL_MIN_ONLY, DL_LESS_THAN_YEAR,
    DL_YEAR, DL_YEARS, DL_NEVER, DL_SAVINGS,
    DL_BALANCE_TYPE, DL_APR, DL_BALANCE_SUBJECT, DL_INTEREST_CHARGE, DL_PURCHASES,
    DL_CASH_ADVANCES, DL_TOTAL_INTEREST_CHARGE,
    DL_FEES_CHARGED, DL_INTEREST_CHARGED,
    DL_PRINCIPAL, DL_INTEREST, DL_ESCROW, DL_FEES, DL_AMOUNT_DUE, DL_TOTAL_AMOUNT_DUE,
    DL_PAST_PAYMENTS, DL_PAID_SINCE, DL_PAID_YTD, DL_TOTAL_PAID, DL_ESCROW_BALANCE,
    DL_DAYS_PAST_DUE, DL_AMOUNT_PAST_DUE,
    DL_SERVICE, DL_TIMES_USED, DL_TOTAL_FEES, DL_CREDIT_RATE, DL_OVERDRAFT_RATE,
    DL__COUNT
} disc_label;

/* The longest label wording (bytes): the longest English one is 77; a cell
 * (FOLIO_DISC_CELL) holds 95 bytes, and a label with its figures that does
 * not fit fails the statement rather than print shortened (disclosures.c). */
#define DISC_LABEL_MAX 80

/* Paragraph id of label k ("disc-new_balance"), into buf (>= 64 bytes). */
const char *disc_label_id(disc_label k, char *buf);
/* The built-in English text of label k. */
const char *disc_label_english(disc_label k);

/* The labels of n_languages languages: table[l * DL__COUNT + k], NULL where
 * no section asks for label k.  Owned strings; disc_labels_free.
 * para[l * DL__COUNT + k]: the library paragraph the wording came from (its
 * index in the library), -1 for the built-in English (round 25: the
 * manifest counts the statements that print each label paragraph).
 * plural[l]: how language l picks between the singular and the plural label
 * of a counted noun (DISC_PLURAL_*; round 25). */
typedef struct disc_labels {
    char **text;
    int *para;
    unsigned char *plural;
    int n_languages;
} disc_labels;

/* Round 25 (issue 14 leftovers): counted nouns ("1 day", "31 days", "1 year",
 * "5 years") in a language's plural rule for whole numbers (CLDR cardinal
 * rules): ONE = singular for 1 only (en, es, de, ...), ZERO_ONE = singular
 * for 0 and 1 (fr, pt, hi, ...).  A language whose rule needs more than two
 * forms (cs, pl, ru, ar, ...) or that folio does not know is refused at load
 * by a section that prints a counted noun: a wrong plural would be a
 * quietly different statement. */
enum { DISC_PLURAL_UNKNOWN = 0, DISC_PLURAL_ONE, DISC_PLURAL_ZERO_ONE };
/* The rule of language code `code` ("en", "pt-BR", ...). */
int disc_plural_rule(const char *code);
/* The singular label for n in rule `rule`? */
static inline bool disc_plural_singular(int rule, long n)
{
    return rule == DISC_PLURAL_ZERO_ONE ? (n == 0 || n == 1) : n == 1;
}

/* Resolve the labels section kind `kind` uses (and its default title unless
 * `own_title`) in every language of L into *t (allocated on the first
 * call).  false with the doc's error set at node n (the section) when a
 * language other than English has no wording for one of them, or at the
 * library's paragraph when its wording has merge fields. */
bool disc_labels_need(yt_doc *d, const yt_node *n, const char *where, const folio_layout *L,
                      const folio_paragraphs *lib, folio_disc_kind kind, bool own_title,
                      disc_labels *t);
void disc_labels_free(disc_labels *t);

/* The library paragraph of label k in language lang, -1: built-in. */
static inline int disc_label_para(const disc_labels *t, int lang, disc_label k)
{
    return t->para && lang >= 0 && lang < t->n_languages ? t->para[(size_t)lang * DL__COUNT + k]
                                                          : -1;
}

/* singular (k1) or plural (kn) label of a count n in language lang */
static inline disc_label disc_label_count(const disc_labels *t, int lang, long n, disc_label k1,
                                          disc_label kn)
{
    int rule = t->plural && lang >= 0 && lang < t->n_languages ? t->plural[lang]
                                                                : DISC_PLURAL_ONE;
    return disc_plural_singular(rule, n) ? k1 : kn;
}

/* Label k in language lang (index into the layout's languages). */
static inline const char *disc_label_text(const disc_labels *t, int lang, disc_label k)
{
    const char *s = t->text && lang >= 0 && lang < t->n_languages
                        ? t->text[(size_t)lang * DL__COUNT + k] : NULL;
    return s ? s : disc_label_english(k);
}

#endif
