# SPDX-License-Identifier: Apache-2.0
# End-to-end tests of issue 14 part 1 (round 24): disclosure sections' labels
# come from the paragraph library by the statement's language
# (docs/disclosures.md "Labels and languages").  Sourced by run.sh after
# disclosures.sh (uses its disc_setup and disc_run).

# The examples/disclosures fixture with every customer's language column
# set to $2 (the job maps it).
dl_setup() {
    disc_setup "$1"
    sed -i -e '1s/$/,lang/' -e "2,\$s/\$/,$2/" "$1/customers.csv"
    sed -i 's/delivery: delivery}/delivery: delivery, language: lang}/' "$1/job.yaml"
    grep -q "language: lang" "$1/job.yaml" || { echo "job.yaml: no language column mapped"; return 1; }
}

# Statements in Spanish print the library's Spanish labels, titles and column
# heads (never the built-in English ones); in English the same run prints
# the English wording.
t_disclosures_labels_language() {
    local d="$WORK/disc-labels-es"
    dl_setup "$d" es
    disc_run "$d" 0
    local f
    : > "$d/es.txt"
    for f in "$d"/out/print/*.pdf; do pdftotext -layout "$f" - >> "$d/es.txt"; done
    local w
    for w in "Información de pago" "Saldo nuevo" "Pago mínimo a pagar" "Aviso sobre el pago mínimo" \
             "Solo el pago mínimo" "Cálculo del cargo por intereses" "Cargos e intereses cobrados" \
             "Desglose del pago" "Desglose de pagos anteriores" "Aviso de morosidad" "Días de atraso" \
             "Relación de comisiones" "Número de veces utilizado" "Rendimiento porcentual anual obtenido"; do
        grep -q "$w" "$d/es.txt" || { echo "Spanish statement lacks label '$w'"; exit 1; }
    done
    for w in "Payment Information" "New Balance" "Minimum Payment Due" "Only the minimum payment" \
             "Payment Breakdown" "Statement of fees" "Days past due" "Annual Percentage Yield"; do
        if grep -q "$w" "$d/es.txt"; then echo "Spanish statement prints English label '$w'"; exit 1; fi
    done
    local e="$WORK/disc-labels-en"
    dl_setup "$e" en
    disc_run "$e" 0
    : > "$e/en.txt"
    for f in "$e"/out/print/*.pdf; do pdftotext -layout "$f" - >> "$e/en.txt"; done
    for w in "Payment Information" "New Balance" "Only the minimum payment" "Statement of fees"; do
        grep -q "$w" "$e/en.txt" || { echo "English statement lacks label '$w'"; exit 1; }
    done
}
run_test disclosures_labels_language t_disclosures_labels_language

# A language the layout prints without a label a requested section uses is
# a layout error at load naming the section (layout.yaml:LINE:COL, exit 2),
# never English printed silently; a label with merge fields names the
# library's line.
t_disclosures_labels_missing() {
    local d="$WORK/disc-labels-missing" line pl
    dl_setup "$d" es
    line=$(grep -n "kind: card_payment" "$d/layout.yaml" | cut -d: -f1)
    python3 - "$d/paragraphs.yaml" <<'PY'
import sys
p = sys.argv[1]
s = open(p, encoding="utf-8").read()
a = '      es: "Saldo nuevo"\n'
assert a in s
open(p, "w", encoding="utf-8").write(s.replace(a, ""))
PY
    disc_run "$d" 2
    grep -q "layout.yaml:$line:9: 'disclosures.products.credit_card\[0\]' (kind card_payment) is printed in language 'es', but the paragraph library has no 'es' wording for its label 'New Balance' (add paragraph 'disc-new_balance' with text.es" "$d/err" \
        || { cat "$d/err"; exit 1; }
    [ ! -e "$d/out/manifest.json" ]
    # a label's wording with a merge field
    dl_setup "$d" es
    pl=$(grep -n "id: disc-new_balance" "$d/paragraphs.yaml" | cut -d: -f1)
    sed -i 's/      es: "Saldo nuevo"/      es: "Saldo nuevo {bank.name}"/' "$d/paragraphs.yaml"
    disc_run "$d" 2
    grep -q "paragraphs.yaml:$pl:5: paragraph 'disc-new_balance' is a disclosure label: its 'es' wording must be plain text" "$d/err" \
        || { cat "$d/err"; exit 1; }
    # a label's wording too long for a cell: refused at load, never cut
    # (round 24 review: cells hold 95 bytes; "ñ" is 2 of them)
    dl_setup "$d" es
    sed -i 's/      es: "Saldo nuevo"/      es: "Saldo nuevo después de todos los pagos, cargos, créditos e intereses del período actual"/' "$d/paragraphs.yaml"
    disc_run "$d" 2
    grep -q "paragraphs.yaml:$pl:5: paragraph 'disc-new_balance' is a disclosure label: its 'es' wording is 90 bytes, longer than the 80 a label may have" "$d/err" \
        || { cat "$d/err"; exit 1; }
    [ ! -e "$d/out/manifest.json" ]
}
run_test disclosures_labels_missing t_disclosures_labels_missing

# Round 25: counted nouns take the language's plural form.  A one-day period
# prints "(1 day)" / "(1 día)", never "(1 days)" / "(1 días)"; the usual
# 31-day period the plural.  A layout language whose plural rule folio does
# not model (Czech: 1, 2-4, 5+) is refused at load when a section prints a
# count (layout.yaml:LINE:COL, exit 2, no manifest).
t_disclosures_labels_plural() {
    local d="$WORK/disc-labels-plural" lang w f
    for lang in en es; do
        dl_setup "$d" "$lang"
        disc_run "$d" 0
        : > "$d/31.txt"
        for f in "$d"/out/print/*.pdf; do pdftotext -layout "$f" - >> "$d/31.txt"; done
        w=$([ "$lang" = en ] && echo "(31 days)" || echo "(31 días)")
        grep -qF "$w" "$d/31.txt" || { echo "$lang: no '$w'"; exit 1; }
        dl_setup "$d" "$lang"
        sed -i 's/period: {start: 2026-10-01, end: 2026-10-31}/period: {start: 2026-10-31, end: 2026-10-31}/' "$d/job.yaml"
        grep -q "start: 2026-10-31, end: 2026-10-31" "$d/job.yaml" || { echo "job.yaml: period not set"; exit 1; }
        disc_run "$d" 0
        : > "$d/1.txt"
        for f in "$d"/out/print/*.pdf; do pdftotext -layout "$f" - >> "$d/1.txt"; done
        if [ "$lang" = en ]; then
            [ "$(grep -cF "Annual Percentage Yield Earned (1 day)" "$d/1.txt")" -ge 1 ] || { echo "en: no '(1 day)' APY row"; exit 1; }
            [ "$(grep -cF "Total interest charge (1 day)" "$d/1.txt")" -ge 1 ] || { echo "en: no '(1 day)' interest row"; exit 1; }
            if grep -qF "(1 days)" "$d/1.txt"; then echo "en: '(1 days)' printed"; exit 1; fi
        else
            grep -qF "(1 día)" "$d/1.txt" || { echo "es: no '(1 día)'"; exit 1; }
            if grep -qF "(1 días)" "$d/1.txt"; then echo "es: '(1 días)' printed"; exit 1; fi
        fi
    done
    dl_setup "$d" es
    sed -i 's/^languages: \[en, es\]/languages: [en, es, cs]/' "$d/layout.yaml"
    # every label has a Czech wording (the Spanish one), so only the plural stops it
    sed -i 's/^      es: \(.*\)$/      es: \1\n      cs: \1/' "$d/paragraphs.yaml"
    grep -q '^      cs: "Saldo nuevo"' "$d/paragraphs.yaml" || { echo "paragraphs.yaml: no cs"; exit 1; }
    grep -q "^languages: \[en, es, cs\]" "$d/layout.yaml" || { echo "layout.yaml: languages not set"; exit 1; }
    local line
    line=$(grep -n "kind: card_minimum_warning" "$d/layout.yaml" | cut -d: -f1)
    disc_run "$d" 2
    grep -q "layout.yaml:$line:9: 'disclosures.products.credit_card\[1\]' (kind card_minimum_warning) prints counts .* in language 'cs', whose plural forms folio does not model" "$d/err" \
        || { cat "$d/err"; exit 1; }
    [ ! -e "$d/out/manifest.json" ]
}
run_test disclosures_labels_plural t_disclosures_labels_plural

# Round 25: the label paragraphs (disc-KEY) a statement prints are counted in
# the manifest's paragraph usage like any other paragraph: for labels whose
# wording appears nowhere else, the count equals the statements whose text
# shows it (pdftotext of the print files, split at "Page 1 of"), in English
# and in Spanish statements.
t_disclosures_labels_manifest() {
    local d="$WORK/disc-labels-manifest" lang
    for lang in en es; do
        dl_setup "$d" "$lang"
        disc_run "$d" 0
        python3 - "$d" "$lang" <<'PY'
import glob, json, re, subprocess, sys
d, lang = sys.argv[1], sys.argv[2]
stmts = []
for f in sorted(glob.glob(d + "/out/print/*.pdf")):
    n = int(re.search(r"Pages:\s+(\d+)", subprocess.run(["pdfinfo", f], capture_output=True, text=True).stdout).group(1))
    for p in range(1, n + 1):
        t = subprocess.run(["pdftotext", "-layout", "-f", str(p), "-l", str(p), f, "-"],
                           capture_output=True, text=True).stdout
        if re.search(r"(Page|Página) 1 (of|de) ", t) or not stmts:
            stmts.append("")
        stmts[-1] += t
assert len(stmts) >= 3, len(stmts)
m = json.load(open(d + "/out/manifest.json"))
use = {p["id"]: p["statements"] for p in m["variations"]["paragraphs"]}
lib = open(d + "/paragraphs.yaml", encoding="utf-8").read()
ids = ["disc-title-card_payment", "disc-minimum_due", "disc-title-card_minimum_warning",
       "disc-minimum_only", "disc-title-card_interest",
       "disc-title-deposit_interest", "disc-apy_earned", "disc-title-loan_payment",
       "disc-escrow_balance", "disc-title-loan_delinquency", "disc-days_past_due",
       "disc-title-eu_fees", "disc-times_used"]
checked = 0
for i in ids:
    blk = lib[lib.index("  - id: %s\n" % i):]
    blk = blk[:blk.index("\n\n")] if "\n\n" in blk else blk
    word = re.search(r'\n      %s: "([^"]*)"' % lang, blk).group(1)
    shown = sum(1 for s in stmts if word in re.sub(r"\s+", " ", s))
    assert shown > 0, (i, word)
    assert use.get(i) == shown, "%s (%r): manifest %s statements, the print files %d" % (i, word, use.get(i), shown)
    checked += 1
zero = [i for i, n in use.items() if i.startswith("disc-") and n == 0]
assert all(i in ("disc-less_than_year", "disc-year", "disc-day") for i in zero), zero
print("checked", checked, "labels")
PY
    done
}
run_test disclosures_labels_manifest t_disclosures_labels_manifest
