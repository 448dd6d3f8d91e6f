# SPDX-License-Identifier: Apache-2.0
# End-to-end tests of issue 14 part 1: disclosure sections computed by folio
# (docs/disclosures.md).  Sourced by run.sh (uses its run_test, $FOLIO,
# $WORK, $ROOT).  The data is examples/disclosures: card, deposit,
# mortgage and EU accounts; its layout asks for every section.

# A copy of the fixture in $1 (the tests edit the copy).
disc_setup() {
    rm -rf "$1"
    mkdir -p "$1"
    cp "$ROOT"/examples/disclosures/* "$1/"
    sed -i "s#\.\./\.\./fonts/#$ROOT/fonts/#" "$1/layout.yaml"
}

# Run the copy in $1, expecting exit $2 (stderr in $1/err).
disc_run() {
    set +e
    "$FOLIO" run "$1/job.yaml" --out "$1/out" --quiet 2>"$1/err"
    local rc=$?
    set -e
    [ "$rc" = "$2" ] || { cat "$1/err"; echo "expected exit $2, got $rc"; return 1; }
}

# Every figure of every section, recomputed in Python with decimal from the
# feeds (the minimum-payment table by an independent amortisation), is on
# the printed statement; the delinquency notice only for the past-due loan.
t_disclosures_figures() {
    local d="$WORK/disc-figures"
    disc_setup "$d"
    disc_run "$d" 0
    python3 "$ROOT/tests/e2e/check_disclosures.py" "$d" "$d/out"
    # the check places each figure under its own account: with the ids of two
    # cards of one statement swapped in the feeds it reads (not in folio's),
    # the same figures are under the other card's heading, and it fails
    mkdir -p "$d/swapped"
    cp "$d"/*.csv "$d"/*.yaml "$d/swapped/"
    sed -i 's/^K1001,/KTMP,/; s/^K3003,/K1001,/; s/^KTMP,/K3003,/' \
        "$d/swapped/card_accounts.csv" "$d/swapped/card_transactions.csv"
    if python3 "$ROOT/tests/e2e/check_disclosures.py" "$d/swapped" "$d/out" 2>"$d/swapped.err"; then
        echo "check_disclosures.py passed figures printed under another account"; exit 1
    fi
    grep -q "MISSING: New Balance \$3,456.78 (household H1, account Credit card \*3003" \
        "$d/swapped.err" || { cat "$d/swapped.err"; exit 1; }
    # every kind is a coverage key of the proof sample
    for k in card_payment card_minimum_warning card_interest card_totals deposit_fees \
             deposit_interest loan_payment loan_delinquency eu_fees; do
        grep -q "disclosure:$k" "$d/out/proofs/proofs.json" \
            || { echo "no coverage key disclosure:$k"; exit 1; }
    done
}
run_test disclosures_figures t_disclosures_figures

# The same statements at 1 and 2 threads: byte-identical print files.
t_disclosures_deterministic() {
    local d="$WORK/disc-det"
    disc_setup "$d"
    "$FOLIO" run "$d/job.yaml" --out "$d/o1" --threads 1 --quiet 2>/dev/null
    "$FOLIO" run "$d/job.yaml" --out "$d/o2" --threads 2 --quiet 2>/dev/null
    for f in "$d"/o1/print/*.pdf; do cmp "$f" "$d/o2/print/$(basename "$f")"; done
}
run_test disclosures_deterministic t_disclosures_deterministic

# A section whose inputs are missing or cannot feed it is a layout error at
# load naming layout.yaml:LINE:COL (exit 2), never a section printed with
# zeros; no statement is written.
t_disclosures_missing_inputs() {
    local d="$WORK/disc-missing" line
    # 1. a required input left out: the section's own line
    disc_setup "$d"
    line=$(grep -n "kind: card_payment" "$d/layout.yaml" | cut -d: -f1)
    sed -i '/^        late_fee: 40.00$/d' "$d/layout.yaml"
    disc_run "$d" 2
    grep -q "layout.yaml:$line:9: 'disclosures.products.credit_card\[0\]' (kind card_payment) needs 'late_fee'" "$d/err" \
        || { cat "$d/err"; exit 1; }
    [ ! -e "$d/out/manifest.json" ]
    # 2. an attribute the job does not declare
    disc_setup "$d"
    line=$(grep -n "escrow_balance: account.escrow_balance" "$d/layout.yaml" | cut -d: -f1)
    sed -i 's/escrow_balance: account.escrow_balance/escrow_balance: account.escrow_bal/' "$d/layout.yaml"
    disc_run "$d" 2
    grep -q "layout.yaml:$line:25: .*'account.escrow_bal' is not an account attribute of the job" "$d/err" \
        || { cat "$d/err"; exit 1; }
    # 3. an attribute that may be empty (not required: true)
    disc_setup "$d"
    sed -i 's/escrow_balance: {column: escrow_balance, type: money, required: true}/escrow_balance: {column: escrow_balance, type: money}/' "$d/job.yaml"
    disc_run "$d" 2
    grep -q "layout.yaml:$line:25: .*account.escrow_balance must be declared 'required: true'" "$d/err" \
        || { cat "$d/err"; exit 1; }
    # 4. an attribute of the wrong type
    disc_setup "$d"
    line=$(grep -n "penalty_apr: account.penalty_apr" "$d/layout.yaml" | cut -d: -f1)
    sed -i 's/penalty_apr: account.penalty_apr/penalty_apr: account.fees_ytd/' "$d/layout.yaml"
    disc_run "$d" 2
    grep -q "layout.yaml:$line:22: .*attribute account.fees_ytd is of type money, the section needs number" "$d/err" \
        || { cat "$d/err"; exit 1; }
    # 5. an account field the feed does not map (due_date of the cards feed)
    disc_setup "$d"
    line=$(grep -n "due_date: account.due_date" "$d/layout.yaml" | cut -d: -f1)
    sed -i 's/, due_date: due}/}/' "$d/job.yaml"
    disc_run "$d" 2
    grep -q "layout.yaml:$line:19: disclosure 'card_payment' of product 'credit_card' uses account.due_date, but accounts feed 'cards' of .*job.yaml maps no 'due_date' column" "$d/err" \
        || { cat "$d/err"; exit 1; }
    # 6. a category value its code list does not have; a paragraph not in the library
    disc_setup "$d"
    line=$(grep -n "fees: \[FEE\]" "$d/layout.yaml" | head -1 | cut -d: -f1)
    sed -i 's/fees: \[FEE\]/fees: [FEES]/' "$d/layout.yaml"
    disc_run "$d" 2
    grep -q "layout.yaml:$line:15: .*'FEES' is not a value of transaction.card_cat" "$d/err" \
        || { cat "$d/err"; exit 1; }
    disc_setup "$d"
    line=$(grep -n "never: card-never-paid-off" "$d/layout.yaml" | cut -d: -f1)
    sed -i 's/never: card-never-paid-off/never: card-never/' "$d/layout.yaml"
    disc_run "$d" 2
    grep -q "layout.yaml:$line:16: .*no paragraph 'card-never'" "$d/err" || { cat "$d/err"; exit 1; }
}
run_test disclosures_missing_inputs t_disclosures_missing_inputs

# The sample data: `folio samples` feeds with the sample layout plus the card
# payment-information box and the minimum-payment warning table (2% of the
# balance, at least $35.00) show them on every card statement, print and
# e-mail, with the figures of an independent decimal amortisation.
t_disclosures_samples() {
    local d="$WORK/disc-samples"
    rm -rf "$d"
    "$FOLIO" samples --households 80 --seed 14 --out "$d" >/dev/null
    python3 - "$d" "$ROOT" <<'PY'
import sys
d, root = sys.argv[1:3]
lay = open(root + "/layouts/statement.yaml", encoding="utf-8").read()
lay = lay.replace("../fonts/", root + "/fonts/").replace("file: logo.png", "file: " + root + "/layouts/logo.png").replace("library: paragraphs.yaml",
                                                         "library: paragraphs.yaml")
lay += """
disclosures:
  products:
    credit_card:
      - kind: card_payment
        minimum_due: account.minimum_due
        due_date: account.due_date
        late_fee: 40.00
        penalty_apr: 29.99
        warning: card-late-payment
      - kind: card_minimum_warning
        apr: account.rate
        minimum_payment: {percent: 2, floor: 35.00, plus_interest: false}
        never: card-never-paid-off
"""
open(d + "/layout.yaml", "w", encoding="utf-8").write(lay)
lib = open(root + "/layouts/paragraphs.yaml", encoding="utf-8").read()
ex = open(root + "/examples/disclosures/paragraphs.yaml", encoding="utf-8").read()
lib += ex[ex.index("  - id: card-late-payment"):ex.index("  - id: card-minimum-note")]
open(d + "/paragraphs.yaml", "w", encoding="utf-8").write(lib)
job = open(d + "/job.yaml", encoding="utf-8").read()
a = 'layout: "%s/layouts/statement.yaml"' % root
assert a in job
open(d + "/job.yaml", "w", encoding="utf-8").write(job.replace(a, 'layout: "layout.yaml"'))
PY
    "$FOLIO" run "$d/job.yaml" --out "$d/out" --quiet 2>/dev/null
    python3 "$ROOT/tests/e2e/check_disclosures.py" "$d" "$d/out" --samples
    grep -q "disclosure:card_minimum_warning" "$d/out/proofs/proofs.json"
}
run_test disclosures_samples t_disclosures_samples

# Issue 14 part 1 (gaps): a card account that the account_attributes feed
# carrying its section inputs has no row for is a reject at load (exit 3,
# rejects.csv at the account's own row, naming the feed and the account),
# never a run that fails at compose (exit 1) nor a section with zeros; the
# other statements are written, and the rejected card is on no statement.
t_disclosures_attr_row_missing() {
    local d="$WORK/disc-attrrow"
    disc_setup "$d"
    python3 - "$d" <<'PY'
import csv, sys
d = sys.argv[1]
job = open(d + "/job.yaml", encoding="utf-8").read()
attrs = job[job.index("    attributes:\n      purchase_adb"):job.index("  - name: card_txns")]
job = job.replace(attrs, "")
job = job.replace("  - name: card_txns", "  - name: card_attrs\n    kind: account_attributes\n"
                  "    path: card_attrs.csv\n    columns: {account_id: acct}\n" + attrs +
                  "  - name: card_txns")
open(d + "/job.yaml", "w", encoding="utf-8").write(job)
rows = list(csv.reader(open(d + "/card_accounts.csv", encoding="utf-8")))
keep = [0, 6, 7, 8, 9, 10, 11]
assert rows[0][6] == "purchase_adb" and rows[0][11] == "penalty_apr"
with open(d + "/card_attrs.csv", "w", encoding="utf-8", newline="") as f:
    w = csv.writer(f, lineterminator="\n")
    for r in rows:
        if r[0] != "K2002":
            w.writerow([r[i] for i in keep])
PY
    grep -q "kind: account_attributes" "$d/job.yaml"
    disc_run "$d" 3
    python3 - "$d" <<'PY'
import csv, sys
d = sys.argv[1]
rej = list(csv.DictReader(open(d + "/out/rejects.csv", encoding="utf-8")))
line = [i for i, l in enumerate(open(d + "/card_accounts.csv", encoding="utf-8"), 1)
        if l.startswith("K2002,")][0]
acct = [r for r in rej if r["file"] == "card_accounts.csv"]
assert len(acct) == 1, rej
r = acct[0]
assert int(r["line"]) == line, r
assert "account_attributes feed 'card_attrs' (card_attrs.csv) has no row for account 'K2002'" \
    in r["reason"] and "product 'credit_card'" in r["reason"], r
# its transactions go with it, as for any rejected account
tx = [x for x in rej if x["file"] == "card_transactions.csv"]
n = sum(1 for l in open(d + "/card_transactions.csv", encoding="utf-8") if l.startswith("K2002,"))
assert len(tx) == n and all("account 'K2002' rejected" in x["reason"] for x in tx), tx
print("reject:", r["reason"])
PY
    [ -s "$d/out/manifest.json" ] || { echo "no manifest"; exit 1; }
    local text
    text=$(for f in "$d"/out/print/*.pdf; do pdftotext -layout "$f" -; done)
    echo "$text" | grep -q "Minimum Payment Due" || { echo "no card box at all"; exit 1; }
    # the payment box of K1001 and K3003 only (K2002's is "New Balance $1,200.00")
    [ "$(echo "$text" | grep -c "New Balance")" = 2 ] || { echo "$text"; exit 1; }
    if echo "$text" | grep -q "New Balance *\$1,200\.00"; then
        echo "the rejected card K2002 is on a statement"; exit 1
    fi
}
run_test disclosures_attr_row_missing t_disclosures_attr_row_missing
