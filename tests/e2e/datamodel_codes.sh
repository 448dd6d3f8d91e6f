# SPDX-License-Identifier: Apache-2.0
# End-to-end tests of issue 10 parts 4 and 8 (code lists, description
# templates, debit/credit flags).  Sourced by run.sh (uses its run_test,
# $FOLIO, $WORK, $ROOT).

# A sample job whose checking transactions carry bank codes: operation
# (VKLAD, PREVOD, VYBER), a payment symbol (blank or SIPO) and the partner's
# bank and account (either may be blank), and whose description is a
# template over them.  $2: the language of every customer.
dmc_setup() {   # dmc_setup DIR LANG
    local d="$1"
    "$FOLIO" samples --households 3 --seed 5 --out "$d" >/dev/null
    python3 - "$d" "$2" <<'PY'
import csv, re, sys
d, lang = sys.argv[1:3]
rows = list(csv.DictReader(open(d + "/customers.csv", encoding="utf-8")))
with open(d + "/customers.csv", "w", encoding="utf-8", newline="") as f:
    w = csv.DictWriter(f, fieldnames=list(rows[0].keys()), lineterminator="\n")
    w.writeheader()
    for r in rows:
        r["language"] = lang
        r["delivery"] = "print"
        w.writerow(r)
pat = [("VKLAD", "", "", ""), ("PREVOD", " ", "AB", "12345678"),
       ("PREVOD", "SIPO", "", "87654321"), ("VYBER", "", "CD", "")]
rows = list(csv.DictReader(open(d + "/checking_transactions.csv", encoding="utf-8")))
with open(d + "/checking_transactions.csv", "w", encoding="utf-8", newline="") as f:
    f.write("account_id,posting_date,description,amount,operation,k_symbol,bank,account\n")
    for i, r in enumerate(rows):
        op, ks, bk, ac = pat[i % 4]
        f.write("%s,%s,%s,%s,%s,%s,%s,%s\n" % (r["account_id"], r["posting_date"],
                "unused", r["amount"], op, ks, bk, ac))
s = open(d + "/job.yaml", encoding="utf-8").read()
s = s.replace("""    path: checking_transactions.csv
    columns:
      account_id: account_id
      date: posting_date
      description: description
""", """    path: checking_transactions.csv
    description: "{operation} {k_symbol} {bank}/{account}"
    columns:
      account_id: account_id
      date: posting_date
""", 1)
s = s.replace("\nfeeds:\n", """
codes:
  operation:
    column: operation
    feeds: [checking-transactions]
    values:
      VKLAD: {en: "Cash deposit", es: "Depósito en efectivo"}
      PREVOD: {en: "Transfer", es: "Transferencia"}
      VYBER: {en: "Withdrawal", es: "Retirada"}
  k_symbol:
    column: k_symbol
    feeds: [checking-transactions]
    values:
      "": ""
      SIPO: {en: "Household payment", es: "Pago del hogar"}

feeds:
""", 1)
open(d + "/job.yaml", "w", encoding="utf-8").write(s)
PY
}

dmc_text() {   # dmc_text DIR -> DIR/flat.txt: the print files' text on one line
    for f in "$1"/out/print/*.pdf; do pdftotext -raw "$f" - ; done | tr '\n' ' ' | tr -s ' ' > "$1/flat.txt"
}

# The translated description is printed in the customer's language, with the
# blank parts of the template dropped: no double space, no dangling "/".
t_codes_translated_per_language() {
    local d
    for lang in en es; do
        d="$WORK/dmc-$lang"
        dmc_setup "$d" "$lang"
        set +e
        "$FOLIO" run "$d/job.yaml" --out "$d/out" --quiet 2>"$d/err"; rc=$?
        set -e
        cat "$d/err"
        [ "$rc" = 0 ] || { echo "$lang: expected exit 0, got $rc"; exit 1; }
        dmc_text "$d"
        if [ "$lang" = en ]; then
            want=("Cash deposit" "Transfer AB/12345678" "Transfer Household payment 87654321"
                  "Withdrawal CD")
            gone="Depósito"
        else
            want=("Depósito en efectivo" "Transferencia AB/12345678"
                  "Transferencia Pago del hogar 87654321" "Retirada CD")
            gone="Cash deposit"
        fi
        for w in "${want[@]}"; do
            grep -qF "$w" "$d/flat.txt" || { echo "$lang: '$w' not printed"; exit 1; }
        done
        if grep -qF "$gone" "$d/flat.txt"; then echo "$lang: '$gone' printed"; exit 1; fi
        if grep -qE "CD/|/ |VKLAD|PREVOD|unused" "$d/flat.txt"; then
            echo "$lang: raw code, unused column or dangling separator printed"; exit 1
        fi
    done
}
run_test codes_translated_per_language t_codes_translated_per_language

# A value not in its code list is a reject naming the list, the file, the
# line and the column (exit 3); the row is not printed.
t_codes_value_not_in_list() {
    local d="$WORK/dmc-reject"
    dmc_setup "$d" en
    printf '%s\n' "$(sed -n 2p "$d/checking_transactions.csv" | sed 's/,VKLAD,/,POPLATEK,/;s/,PREVOD,/,POPLATEK,/;s/,VYBER,/,POPLATEK,/')" \
        >> "$d/checking_transactions.csv"
    local n
    n=$(wc -l < "$d/checking_transactions.csv")
    set +e
    "$FOLIO" run "$d/job.yaml" --out "$d/out" --quiet 2>"$d/err"; rc=$?
    set -e
    [ "$rc" = 3 ] || { cat "$d/err"; echo "expected exit 3, got $rc"; exit 1; }
    grep -q "^checking_transactions.csv,$n,operation,value 'POPLATEK' is not in code list 'operation'," \
        "$d/out/rejects.csv" || { cat "$d/out/rejects.csv"; exit 1; }
}
run_test codes_value_not_in_list t_codes_value_not_in_list

# A translated value without a text in a language the layout prints (es) is
# a job error naming the job file's line and column, before any output.
t_codes_missing_translation() {
    local d="$WORK/dmc-missing"
    dmc_setup "$d" en
    python3 - "$d/job.yaml" <<'PY'
import sys
p = sys.argv[1]
s = open(p, encoding="utf-8").read()
s = s.replace('VYBER: {en: "Withdrawal", es: "Retirada"}', 'VYBER: {en: "Withdrawal"}')
open(p, "w", encoding="utf-8").write(s)
PY
    local line
    line=$(grep -n 'VYBER: {en: "Withdrawal"}' "$d/job.yaml" | cut -d: -f1)
    set +e
    "$FOLIO" run "$d/job.yaml" --out "$d/out" --quiet 2>"$d/err"; rc=$?
    set -e
    cat "$d/err"
    [ "$rc" = 2 ] || { echo "expected exit 2, got $rc"; exit 1; }
    grep -q "job.yaml:$line:7: code list 'operation': value 'VYBER' has no 'es' text, and the layout prints 'es' statements" "$d/err"
    [ ! -e "$d/out/manifest.json" ] || { echo "a manifest was written"; exit 1; }
}
run_test codes_missing_translation t_codes_missing_translation

# Issue 10 part 4: an unknown debit flag was silently posted as a credit
# (exit 0).  With flag_column both lists are given and a flag in neither is a
# reject naming the value; a job without credit_values is a job error.
t_debit_flag_unknown() {
    local d="$WORK/dmc-flag"
    "$FOLIO" samples --households 3 --seed 5 --out "$d" >/dev/null
    python3 - "$d" <<'PY'
import csv, sys
d = sys.argv[1]
rows = list(csv.DictReader(open(d + "/checking_transactions.csv", encoding="utf-8")))
with open(d + "/checking_transactions.csv", "w", encoding="utf-8", newline="") as f:
    f.write("account_id,posting_date,description,amount,dc\n")
    for i, r in enumerate(rows):
        a = r["amount"]
        flag = "D" if a.startswith("-") else "C"
        if i == 1:
            flag = "X"
        f.write('%s,%s,"%s",%s,%s\n' % (r["account_id"], r["posting_date"],
                r["description"].replace('"', '""'), a.lstrip("-"), flag))
s = open(d + "/job.yaml", encoding="utf-8").read()
s = s.replace("""    path: checking_transactions.csv
    columns:
""", """    path: checking_transactions.csv
    amounts: {sign: flag_column, debit_values: [D], credit_values: [C]}
    columns:
      debit_flag: dc
""", 1)
open(d + "/job.yaml", "w", encoding="utf-8").write(s)
PY
    set +e
    "$FOLIO" run "$d/job.yaml" --out "$d/out" --quiet 2>"$d/err"; rc=$?
    set -e
    [ "$rc" = 3 ] || { cat "$d/err"; echo "expected exit 3, got $rc"; exit 1; }
    grep -q "^checking_transactions.csv,3,dc,debit flag 'X' is neither a debit value ('D') nor a credit value ('C')," \
        "$d/out/rejects.csv" || { cat "$d/out/rejects.csv"; exit 1; }
    # without credit_values: a job error, not a guess
    sed -i 's/, credit_values: \[C\]//' "$d/job.yaml"
    set +e
    "$FOLIO" run "$d/job.yaml" --out "$d/out2" --quiet 2>"$d/err"; rc=$?
    set -e
    [ "$rc" = 2 ] || { cat "$d/err"; echo "expected exit 2, got $rc"; exit 1; }
    grep -q "missing required key 'credit_values'" "$d/err"
}
run_test debit_flag_unknown t_debit_flag_unknown
