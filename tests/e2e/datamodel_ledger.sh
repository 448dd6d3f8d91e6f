# SPDX-License-Identifier: Apache-2.0
# End-to-end tests of issue 10 part 3: balances and posting order from the
# bank's ledger (balance_after, order_by, ledger.policy).  Sourced by run.sh
# (uses its run_test, $FOLIO, $WORK, $ROOT).

# A job over a small synthetic ledger in $1 with ledger.policy $2: account A1
# (interest row 0.05 short of its balance), A2 (a shuffled day, adds up).
dl_ledger_job() {
    local d="$1" policy="$2"
    mkdir -p "$d"
    sed -e 's/mask: *last4/mask: full/' -e "s#\.\./fonts/#$ROOT/fonts/#" \
        -e "s#file: logo.png#file: $ROOT/layouts/logo.png#" \
        -e "s#library: paragraphs.yaml#library: $ROOT/layouts/paragraphs.yaml#" \
        "$ROOT/layouts/statement.yaml" > "$d/layout.yaml"
    printf 'id,name,addr,zip\nc1,Ana Novak,1 Main St,04101\nc2,Jan Dvorak,2 Oak St,04102\n' > "$d/customers.csv"
    printf 'id,owner\nA1,c1\nA2,c2\n' > "$d/accounts.csv"
    printf '%s\n' 'tid;acct;date;amount;bal' \
        '1;A1;240131;100.00;100.00' \
        '2;A1;240210;50.00;150.00' \
        '3;A1;240229;3.45;153.40' \
        '4;A2;240131;100.00;100.00' \
        '5;A2;240205;-30.00;120.00' \
        '6;A2;240205;-20.00;150.00' \
        '7;A2;240205;70.00;170.00' > "$d/trans.csv"
    cat > "$d/job.yaml" <<YAML
job: {name: "ledger test"}
statement: {date: 2024-03-01, period: {start: 2024-02-01, end: 2024-02-29}}
bank: {name: "Test Bank"}
layout: layout.yaml
ledger: {policy: $policy}
feeds:
  - {name: customers, kind: customers, path: customers.csv, columns: {customer_id: id, full_name: name, address1: addr, postal_code: zip}}
  - {name: accounts, kind: accounts, path: accounts.csv, product: checking, columns: {account_id: id, customer_id: owner}}
  - name: trans
    kind: transactions
    path: trans.csv
    dialect: {delimiter: ";", date_format: YYMMDD, century_pivot: 50}
    columns: {account_id: acct, date: date, description: tid, amount: amount, balance_after: bal}
YAML
}

# ledger.policy suppress (the default): A1 does not add up -> suppressed with
# the reason, listed as ledger_difference and ledger_row (line 4, -0.05);
# A2 printed in the balances' order, its day listed as reordered_day.
t_ledger_suppress() {
    local d="$WORK/ledger-suppress"
    dl_ledger_job "$d" suppress
    set +e
    "$FOLIO" run "$d/job.yaml" --out "$d/out" --quiet 2>"$d/err"; rc=$?
    set -e
    cat "$d/err"
    [ "$rc" = 3 ] || { echo "expected exit 3, got $rc"; exit 1; }
    grep -q '^account,A1,[^,]*accounts.csv,2,balance mismatch: opening 100.00 + transactions 53.45 != closing 153.40' "$d/out/suppressed.csv" \
        || { cat "$d/out/suppressed.csv"; fail_at "$LINENO"; }
    grep -q '^ledger_difference,.*,A1,accounts.csv,2,-0.05,suppressed,' "$d/out/exceptions.csv" || fail_at "$LINENO"
    grep -q '^ledger_row,.*,A1,trans.csv,4,-0.05,suppressed,' "$d/out/exceptions.csv" || fail_at "$LINENO"
    grep -q '^reordered_day,.*,A2,trans.csv,.*,reordered,2 of the 3 rows of 2024-02-05' "$d/out/exceptions.csv" \
        || { cat "$d/out/exceptions.csv"; fail_at "$LINENO"; }
    python3 - "$d/out/manifest.json" <<'PY'
import json, sys
c = json.load(open(sys.argv[1]))["counts"]
led = c["ledger"]
assert led["differences"] == {"suppressed": 1, "printed": 0}, led
assert led["rows_reordered"] == 2 and led["days_reordered"] == 1, led
assert led["rows_off"] == 1 and led["rows_checked"] == 5, led
assert c["exceptions"]["ledger_difference"] == 1 and c["exceptions"]["reordered_day"] == 1, c
PY
    # A2 printed in posting order: 7 (170.00), 6 (150.00), 5 (120.00)
    pdftotext -layout "$d"/out/print/*.pdf "$d/text.txt"
    grep -E '^ +02/05/2024 +[0-9]+ ' "$d/text.txt" | awk '{print $2, $NF}' | tr '\n' ' ' > "$d/rows.txt"
    [ "$(cat "$d/rows.txt")" = "7 170.00 6 150.00 5 120.00 " ] || { cat "$d/rows.txt"; fail_at "$LINENO"; }
    ! grep -q 'A1' "$d/text.txt" || fail_at "$LINENO"
    "$FOLIO" verify "$d/out" >/dev/null
}

# ledger.policy print: A1 printed with the bank's figures (153.40 on the
# interest row and as closing), listed with the difference.
t_ledger_print() {
    local d="$WORK/ledger-print"
    dl_ledger_job "$d" print
    set +e
    "$FOLIO" run "$d/job.yaml" --out "$d/out" --quiet 2>"$d/err"; rc=$?
    set -e
    [ "$rc" = 3 ] || { cat "$d/err"; echo "expected exit 3, got $rc"; exit 1; }
    grep -q '^ledger_difference,.*,A1,accounts.csv,2,-0.05,printed,' "$d/out/exceptions.csv" || fail_at "$LINENO"
    ! grep -q '^account,A1,' "$d/out/suppressed.csv" || fail_at "$LINENO"
    pdftotext -layout "$d"/out/print/*.pdf "$d/text.txt"
    grep -Eq '^ +02/29/2024 +3 +3.45 +153.40$' "$d/text.txt" || { cat "$d/text.txt"; fail_at "$LINENO"; }
    grep -Eq 'Closing balance +153.40$' "$d/text.txt" || fail_at "$LINENO"
    python3 -c 'import json,sys; l=json.load(open(sys.argv[1]))["counts"]["ledger"]; assert l["differences"]=={"suppressed":0,"printed":1}, l' "$d/out/manifest.json"
    "$FOLIO" verify "$d/out" >/dev/null
}

# ledger.policy fail: exit 1 naming the account and file:line; nothing published.
t_ledger_fail() {
    local d="$WORK/ledger-fail"
    dl_ledger_job "$d" fail
    set +e
    "$FOLIO" run "$d/job.yaml" --out "$d/out" --quiet 2>"$d/err"; rc=$?
    set -e
    cat "$d/err"
    [ "$rc" = 1 ] || { echo "expected exit 1, got $rc"; exit 1; }
    grep -q "accounts.csv:2: account 'A1': the bank's ledger does not add up" "$d/err" || fail_at "$LINENO"
    grep -q "trans.csv:4" "$d/err" || fail_at "$LINENO"
    [ ! -e "$d/out/manifest.json" ] || fail_at "$LINENO"
}

# closing_balance may be left out only when a transactions feed maps
# balance_after: otherwise a job error naming the accounts feed.
t_ledger_job_errors() {
    local d="$WORK/ledger-joberr"
    dl_ledger_job "$d" suppress
    sed -i 's/, balance_after: bal//' "$d/job.yaml"
    set +e
    "$FOLIO" run "$d/job.yaml" --out "$d/out" --quiet 2>"$d/err"; rc=$?
    set -e
    [ "$rc" = 2 ] || { cat "$d/err"; echo "expected exit 2, got $rc"; exit 1; }
    grep -q "job.yaml:[0-9]*:[0-9]*: feed 'accounts' (accounts) must map column 'closing_balance'" "$d/err" \
        || { cat "$d/err"; fail_at "$LINENO"; }
    dl_ledger_job "$d" sometimes
    set +e
    "$FOLIO" run "$d/job.yaml" --out "$d/out" --quiet 2>"$d/err"; rc=$?
    set -e
    [ "$rc" = 2 ] && grep -q "ledger.policy" "$d/err" || { cat "$d/err"; fail_at "$LINENO"; }
}

# The real berka export (../shared/data/berka), February 1994: the example
# job examples/berka/job.yaml as it is in the tree -- raw .asc files, holders
# from disp.asc, balances from the bank's balance column, Czech layout -- with
# only its data path made absolute (the example's relative path fits
# /work/main/examples/berka, not a worktree).  tests/e2e/check_berka.py checks
# the printed statements independently of folio's code.
t_ledger_berka() {
    local data="${FOLIO_BERKA:-$ROOT/../shared/data/berka}"
    [ -f "$data/trans_partial.asc" ] || data="$ROOT/../../shared/data/berka"
    [ -f "$data/trans_partial.asc" ] || data=/work/shared/data/berka
    if [ ! -f "$data/trans_partial.asc" ]; then
        echo "berka data not found (FOLIO_BERKA or ../shared/data/berka): skipped"
        return 0
    fi
    data=$(cd "$data" && pwd)
    local d="$WORK/ledger-berka" ex="$ROOT/examples/berka"
    mkdir -p "$d"
    sed "s|path: \.\./\.\./\.\./shared/data/berka/|path: $data/|; s|^layout: layout.yaml|layout: $ex/layout.yaml|" \
        "$ex/job.yaml" >"$d/job.yaml"
    [ "$(grep -c "path: $data/" "$d/job.yaml")" = 4 ] || { echo "data paths not rewritten"; exit 1; }
    set +e
    "$FOLIO" run "$d/job.yaml" --out "$d/out" --quiet 2>"$d/err"; rc=$?
    set -e
    [ "$rc" = 3 ] || { cat "$d/err"; echo "expected exit 3, got $rc"; exit 1; }
    python3 "$ROOT/tests/e2e/check_berka.py" --data "$data" --out "$d/out" \
        --start 1994-02-01 --end 1994-02-28 --min-printed 1000 \
        --date-format '%d.%m.%Y' --decimal , --group ' '
    # no names or addresses in client.asc: every printed statement is returned
    # to the bank and listed as undeliverable; codes print in Czech, CZK the
    # Czech way
    python3 - "$d/out" "$data" <<'PY'
import csv, json, sys
out = sys.argv[1]
audit = [json.loads(l) for l in open(out + "/audit.jsonl", encoding="utf-8")]
printed = {a["household"] for a in audit if a["channel"] == "print"}
assert printed and all(a.get("returned") for a in audit if a["channel"] == "print")
und = {e["household"] for e in csv.DictReader(open(out + "/exceptions.csv", encoding="utf-8"))
       if e["kind"] == "undeliverable" and e["action"] == "returned"}
assert und == printed, (len(und), len(printed))
assert not any(a["channel"] not in ("print", "suppressed") for a in audit)
by = {a["household_by"] for a in audit}
assert "shared_accounts" in by, by      # OWNER + DISPONENT of one account
# accounts opened after February 1994 (account.asc, read here): no statement,
# their households suppressed by the job's channel rule, with its reason
acc = list(csv.DictReader(open(sys.argv[2] + "/account.asc", encoding="ascii"), delimiter=";"))
late = {r["account_id"] for r in acc if r["date"] > "940228"}
shown = {x["id"] for a in audit if a["channel"] == "print"
         for x in a["accounts"]}
assert late and not (late & shown), sorted(late & shown)[:5]
sup = [r for r in csv.DictReader(open(out + "/suppressed.csv", encoding="utf-8"))
       if r["kind"] == "household"]
assert sup and all(r["reason"] == "every account opened after the statement period" for r in sup), sup[:3]
PY
    pdftotext -layout "$d"/out/print/*-return-*.pdf "$d/all.txt"
    grep -q "RETURN: undeliverable address" "$d/all.txt" || { echo "no return marking"; exit 1; }
    grep -Eq "Převod na účet SIPO \(inkaso plateb\) [A-Z]{2}/[0-9]+" "$d/all.txt" \
        || { echo "no Czech description from the template"; exit 1; }
    grep -Eq "[0-9]{1,3} [0-9]{3},[0-9]{2} Kč" "$d/all.txt" || { echo "no '1 234,50 Kč'"; exit 1; }
    "$FOLIO" verify "$d/out" >/dev/null || { echo "folio verify failed"; exit 1; }
}

run_test ledger_suppress t_ledger_suppress
run_test ledger_print t_ledger_print
run_test ledger_fail t_ledger_fail
run_test ledger_job_errors t_ledger_job_errors
run_test ledger_berka t_ledger_berka
