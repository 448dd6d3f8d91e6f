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
