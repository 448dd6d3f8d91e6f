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
