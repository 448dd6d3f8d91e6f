# SPDX-License-Identifier: Apache-2.0
# End-to-end tests of issue 10's remaining gaps: money outside the page per
# currency (manifest control totals, suppressed.csv, audit.jsonl, verify),
# households with more customers than the address block shows, code lists
# in rules and merge fields.  Sourced by run.sh (uses its run_test, $FOLIO,
# $WORK, $ROOT).

# A job with USD and EUR accounts (one feed, a currency column), JPY (0
# minor digits) and BHD (3) accounts, each with its transactions feed; rows
# outside the period, a household whose delivery is none, and a row for an
# unknown account in every transactions feed.
mc_setup() {   # mc_setup DIR
    mkdir -p "$1"
    python3 - "$1" "$ROOT/layouts/statement.yaml" <<'PY'
import sys
d, layout = sys.argv[1:3]
cust = [("C1", "H1", "Ann", "Abel", "print"), ("C2", "H1", "Bob", "Abel", "print"),
        ("C3", "H2", "Cid", "Cole", "print"), ("C4", "H3", "Dee", "Dunn", "none")]
with open(d + "/customers.csv", "w") as f:
    f.write("customer_id,household_id,first_name,last_name,address1,city,state,postal_code,"
            "country,delivery\n")
    for c, h, fn, ln, dl in cust:
        f.write(f"{c},{h},{fn},{ln},1 Main St,Portland,ME,04101,US,{dl}\n")
# (feed, account, owner, currency, opening, [(date, amount)])
accts = {
    "std": [("U1", "C1", "USD", "100.00", [("2026-10-02", "12.34"), ("2026-10-05", "-3.21"),
                                          ("2026-09-30", "7.77")]),
            ("E1", "C2", "EUR", "50.00", [("2026-10-03", "1000.01"), ("2026-10-09", "-0.02")]),
            ("U2", "C4", "USD", "10.00", [("2026-10-04", "5.55")]),
            ("E2", "C3", "EUR", "0.00", [("2026-10-07", "20.20"), ("2026-11-02", "-1.10")])],
    "jpy": [("J1", "C1", "JPY", "5000", [("2026-10-02", "1500"), ("2026-10-03", "-250"),
                                        ("2026-09-29", "999")]),
            ("J2", "C4", "JPY", "100", [("2026-10-08", "12345")]),
            ("J3", "C3", "JPY", "100", [("2026-10-08", "5")])],   # closing off by 1
    "bhd": [("B1", "C3", "BHD", "1.000", [("2026-10-02", "12.345"), ("2026-10-06", "-0.005"),
                                         ("2026-11-01", "3.333")])],
}
md = {"std": 2, "jpy": 0, "bhd": 3}
def units(s, m):
    neg = s.startswith("-"); s = s.lstrip("-")
    i, _, fr = s.partition(".")
    v = int(i) * 10 ** m + (int(fr.ljust(m, "0")) if m else 0)
    return -v if neg else v
def fmt(v, m):
    s = "-" if v < 0 else ""; v = abs(v)
    return s + (f"{v // 10**m}.{v % 10**m:0{m}d}" if m else str(v))
for k, rows in accts.items():
    with open(f"{d}/acc_{k}.csv", "w") as f:
        f.write("account_id,customer_id,opening_balance,closing_balance" +
                (",currency" if k == "std" else "") + "\n")
        for a, o, c, op, tx in rows:
            net = sum(units(x, md[k]) for dt, x in tx if "2026-10-01" <= dt <= "2026-10-31")
            cl = fmt(units(op, md[k]) + net + (-1 if a == "J3" else 0), md[k])
            f.write(f"{a},{o},{op},{cl}" + (f",{c}" if k == "std" else "") + "\n")
    with open(f"{d}/txn_{k}.csv", "w") as f:
        f.write("account_id,posting_date,description,amount\n")
        for a, o, c, op, tx in rows:
            for dt, x in tx:
                f.write(f"{a},{dt},Row {a} {dt},{x}\n")
        f.write(f"NOPE-{k},2026-10-10,Unknown account,{ {'std': '4.44', 'jpy': '77', 'bhd': '0.125'}[k] }\n")
feeds = []
for k in accts:
    dia = "" if k == "std" else f"\n    dialect: {{currency: {k.upper()}}}"
    cur = "\n      currency: currency" if k == "std" else ""
    feeds.append(f"""  - name: acc-{k}
    kind: accounts
    path: acc_{k}.csv
    product: checking{dia}
    columns:
      account_id: account_id
      customer_id: customer_id
      opening_balance: opening_balance
      closing_balance: closing_balance{cur}
  - name: txn-{k}
    kind: transactions
    path: txn_{k}.csv{dia}
    columns:
      account_id: account_id
      date: posting_date
      description: description
      amount: amount
""")
open(d + "/job.yaml", "w").write(f"""job:
  name: "Multi-currency"
  seed: 7
statement:
  date: 2026-11-01
  period: {{start: 2026-10-01, end: 2026-10-31}}
bank:
  name: "Harbor & Pine Bank"
  address: ["100 Harbor Street", "Portland, ME 04101"]
  currency: USD
layout: "{layout}"
feeds:
  - name: customers
    kind: customers
    path: customers.csv
    columns:
      customer_id: customer_id
      household_id: household_id
      first_name: first_name
      last_name: last_name
      address1: address1
      city: city
      state: state
      postal_code: postal_code
      country: country
      delivery: delivery
""" + "".join(feeds))
PY
}

# The manifest's control totals, the reconciliation, suppressed.csv and the
# audit's account amounts, recomputed per currency from the feeds by Python
# (exact decimals): no sum across currencies, every amount in its currency's
# minor unit (JPY 1500, BHD 12.345).
t_money_per_currency() {
    local d="$WORK/mc"
    rm -rf "$d"
    mc_setup "$d"
    set +e
    "$FOLIO" run "$d/job.yaml" --out "$d/out" --quiet 2>"$d/err"; rc=$?
    set -e
    cat "$d/err"
    [ "$rc" = 3 ] || { echo "expected exit 3 (rejects), got $rc"; exit 1; }
    "$FOLIO" verify "$d/out"
    python3 - "$d" <<'PY'
import csv, json, sys
from decimal import Decimal as D
d = sys.argv[1]
m = json.load(open(d + "/out/manifest.json"), parse_float=D)
feeds = {"std": "USD", "jpy": "JPY", "bhd": "BHD"}
ccy = {}                       # account -> currency
for k in feeds:
    for r in csv.DictReader(open(f"{d}/acc_{k}.csv")):
        ccy[r["account_id"]] = r.get("currency") or feeds[k]
sup_hh = {r["customer_id"] for r in csv.DictReader(open(d + "/customers.csv"))
          if r["delivery"] == "none"}
owner = {}
for k in feeds:
    for r in csv.DictReader(open(f"{d}/acc_{k}.csv")):
        owner[r["account_id"]] = r["customer_id"]
want = {c: {x: D(0) for x in ("amount_read", "amount_rejected", "amount_composed",
                                 "amount_suppressed")} for c in ("USD", "EUR", "JPY", "BHD")}
rows_sup, per_acct = [], {}
for k in feeds:
    for r in csv.DictReader(open(f"{d}/txn_{k}.csv")):
        a, amt = r["account_id"], D(r["amount"])
        c = ccy.get(a, feeds[k])
        want[c]["amount_read"] += amt
        if a not in ccy:
            want[c]["amount_rejected"] += amt
            continue
        inside = "2026-10-01" <= r["posting_date"] <= "2026-10-31"
        if inside and owner[a] not in sup_hh and a != "J3":   # J3: balance mismatch
            want[c]["amount_composed"] += amt
            per_acct[a] = per_acct.get(a, D(0)) + amt
        else:
            want[c]["amount_suppressed"] += amt
            rows_sup.append((a, r["amount"], c))
ct = m["control_totals"]["transactions"]
for key in ("amount_read", "amount_rejected", "amount_composed", "amount_suppressed"):
    got = ct[key]
    assert isinstance(got, dict), f"{key}: not per currency: {got!r}"
    assert set(got) == set(want), f"{key}: currencies {sorted(got)} != {sorted(want)}"
    for c in want:
        assert got[c] == want[c][key], f"{key}.{c}: manifest {got[c]}, feeds {want[c][key]}"
# the figures carry the currency's minor digits
for c, md in (("JPY", 0), ("BHD", 3), ("EUR", 2), ("USD", 2)):
    frac = str(ct["amount_composed"][c]).partition(".")[2]
    assert len(frac) == md, f"amount_composed.{c} = {ct['amount_composed'][c]}: not {md} decimals"
checks = {c["check"]: c for c in m["reconciliation"]["checks"]}
for c in want:
    for name in ("amount read - rejected = amount loaded", "amount = composed + suppressed"):
        assert checks[f"{name} ({c})"]["ok"] is True, (name, c)
assert not [n for n in checks if n.startswith("amount") and "(" not in n], "a mixed amount check"
# suppressed.csv: every suppressed row with its source amount text and currency
sup = [(r["id"], r["amount"], r["currency"]) for r in csv.DictReader(open(d + "/out/suppressed.csv"))
       if r["kind"] == "transaction"]
assert sorted(sup) == sorted(rows_sup), (sup, rows_sup)
# audit.jsonl: each composed account's amount, exact, with its currency
seen = 0
for line in open(d + "/out/audit.jsonl"):
    h = json.loads(line, parse_float=D)
    for a in h["accounts"]:
        if "amount" in a:
            assert a["currency"] == ccy[a["id"]], a
            assert a["amount"] == per_acct.get(a["id"], D(0)), (a, per_acct.get(a["id"]))
            frac = str(a["amount"]).partition(".")[2]
            assert len(frac) == {"JPY": 0, "BHD": 3}.get(a["currency"], 2), a
            seen += 1
assert seen == 5, seen
# the ledger's reason in the account's minor unit (JPY: no decimals)
why = [r["reason"] for r in csv.DictReader(open(d + "/out/suppressed.csv")) if r["id"] == "J3"
       and r["kind"] == "account"]
assert why == ["balance mismatch: opening 100 + transactions 5 != closing 104 (asset)"], why
print("per-currency totals exact:", {c: str(want[c]["amount_composed"]) for c in want})
PY
}

# folio verify recomputes each currency's totals: a JPY control total changed
# by one yen (the others untouched) is a MISMATCH naming JPY.
t_money_verify_per_currency() {
    local d="$WORK/mcv"
    rm -rf "$d"
    mc_setup "$d"
    set +e
    "$FOLIO" run "$d/job.yaml" --out "$d/out" --quiet 2>/dev/null
    set -e
    "$FOLIO" verify "$d/out" >/dev/null
    for key in amount_composed amount_suppressed amount_read amount_rejected inputs:amount_read; do
        cp "$d/out/manifest.json" "$d/manifest.orig"
        python3 - "$d/out/manifest.json" "$key" <<'PY'
import json, re, sys
p, key = sys.argv[1:3]
s = open(p).read()
# the control total, or (key "inputs:K") the JPY feed's figure in inputs[]
start = s.index('"control_totals"') if not key.startswith("inputs:") else s.index('"inputs"')
key = key.split(":")[-1]
m = re.compile(r'"' + key + r'":\{[^}]*"JPY":(-?\d+)').search(s, start)
assert m, "no per-currency " + key
s = s[:m.start(1)] + str(int(m.group(1)) + 1) + s[m.end(1):]
open(p, "w").write(s)
PY
        set +e
        "$FOLIO" verify "$d/out" >"$d/v.txt" 2>&1; rc=$?
        set -e
        cat "$d/v.txt"
        [ "$rc" = 1 ] || { echo "$key: verify exit $rc, expected 1"; exit 1; }
        grep -q "control_totals.transactions.${key#inputs:}.JPY is" "$d/v.txt" ||
            { echo "$key: no mismatch naming JPY"; exit 1; }
        if grep -q "\.USD\|\.EUR\|\.BHD" "$d/v.txt"; then echo "$key: other currency blamed"; exit 1; fi
        cp "$d/manifest.orig" "$d/out/manifest.json"
    done
    "$FOLIO" verify "$d/out" >/dev/null
}
run_test money_per_currency t_money_per_currency
run_test money_verify_per_currency t_money_verify_per_currency

# A 6-household sample job whose checking transactions carry a merchant code
# (mcc) decoded by code list `category`, and whose checking accounts carry a
# package code decoded by list `pkg` (an accounts feed named in its feeds:).
mf_job() {   # mf_job DIR
    local d="$1"
    "$FOLIO" samples --households 6 --seed 21 --out "$d" >/dev/null
    python3 - "$d" "$ROOT" <<'PY'
import csv, sys
d, root = sys.argv[1:3]
mcc = ["5411", "5812", "5411", "4111", " 5411 ", ""]
rows = list(csv.DictReader(open(d + "/checking_transactions.csv", encoding="utf-8")))
with open(d + "/checking_transactions.csv", "w", encoding="utf-8", newline="") as f:
    w = csv.writer(f, lineterminator="\n")
    w.writerow(list(rows[0].keys()) + ["mcc"])
    for i, r in enumerate(rows):
        w.writerow(list(r.values()) + [mcc[(i * 7 + len(r["account_id"])) % len(mcc)]])
rows = list(csv.DictReader(open(d + "/checking_accounts.csv", encoding="utf-8")))
with open(d + "/checking_accounts.csv", "w", encoding="utf-8", newline="") as f:
    w = csv.writer(f, lineterminator="\n")
    w.writerow(list(rows[0].keys()) + ["pkg"])
    for i, r in enumerate(rows):
        w.writerow(list(r.values()) + ["G" if i % 2 else "S"])
job = open(d + "/job.yaml", encoding="utf-8").read()
def sub(a, b):
    global job
    assert a in job, a
    job = job.replace(a, b, 1)
sub("\nfeeds:\n", """
codes:
  category:
    column: mcc
    feeds: [checking-transactions]
    values:
      "5411": groceries
      "5812": {en: dining, es: restaurantes}
      "4111": transport
      "": ""
  pkg:
    column: pkg
    feeds: [checking-accounts]
    values:
      G: {en: "Gold package", es: "Paquete oro"}
      S: {en: "Silver package", es: "Paquete plata"}

feeds:
""")
import re
job, n1 = re.subn(r'layout: "[^"]*/layouts/statement.yaml"', 'layout: "layout.yaml"', job)
job, n2 = re.subn(r'catalogue: "[^"]*/layouts/offers.yaml"', 'catalogue: "offers.yaml"', job)
assert n1 == 1 and n2 == 1, (n1, n2)
open(d + "/job.yaml", "w", encoding="utf-8").write(job)
lay = open(root + "/layouts/statement.yaml", encoding="utf-8").read()
lay = lay.replace("../fonts/", root + "/fonts/").replace("file: logo.png", "file: " + root + "/layouts/logo.png").replace("library: paragraphs.yaml",
                                                         "library: " + root + "/layouts/paragraphs.yaml")
a = '- {field: description, title: {en: "Description", es: "Descripción"}, width: 250}'
assert a in lay
lay = lay.replace(a, '- {field: description, title: {en: "Description", es: "Descripción"}, width: 172}\n'
                  '    - {field: transaction.category, title: "Category", width: 78}')
a = '  info_style: small'
assert a in lay
lay = lay.replace(a, '''    - "Package: {account.pkg}"
  info_style: small''', 1)
open(d + "/layout.yaml", "w", encoding="utf-8").write(lay)
open(d + "/offers.yaml", "w", encoding="utf-8").write('''default_language: en
offers:
  - id: GROCER
    sells: "Grocery cashback card"
    kind: marketing
    priority: 90
    rule: 'count(transactions where transaction.category == "groceries") >= 3 and any(accounts where account.pkg == "Gold package" or account.pkg == "Paquete oro")'
    channels: [print, email]
    sizes:
      - {name: box, width: 168, height: 96}
      - {name: band, height: 66}
    content:
      en: {headline: "Cashback on groceries", body: "Chosen by category.", cta: "Call us"}
    response_code: GRO1
''')
PY
}

# A code list's decoded value is a rule field (transaction.category,
# account.pkg: the offer is eligible exactly where Python's recount says), a
# table column (transaction.category) and a merge field ({account.pkg}), in
# the statement's language.
t_codes_as_fields() {
    local d="$WORK/mf"
    rm -rf "$d"
    mf_job "$d"
    set +e
    "$FOLIO" run "$d/job.yaml" --out "$d/out" --quiet 2>"$d/err"; rc=$?
    set -e
    [ "$rc" = 0 ] || { cat "$d/err"; echo "expected exit 0, got $rc"; exit 1; }
    for f in "$d"/out/print/*.pdf; do pdftotext -layout "$f" - ; done > "$d/print.txt"
    python3 - "$d" <<'PY'
import csv, json, sys
d = sys.argv[1]
cust = {r["customer_id"]: r for r in csv.DictReader(open(d + "/customers.csv", encoding="utf-8"))}
acc = list(csv.DictReader(open(d + "/checking_accounts.csv", encoding="utf-8")))
txn = list(csv.DictReader(open(d + "/checking_transactions.csv", encoding="utf-8")))
pkg = {a["account_id"]: a["pkg"] for a in acc}
groc = {}
for t in txn:
    if "2026-10-01" <= t["posting_date"] <= "2026-10-31" and t["mcc"].strip() == "5411":
        groc[t["account_id"]] = groc.get(t["account_id"], 0) + 1
text = open(d + "/print.txt", encoding="utf-8").read()
n_elig = n_not = 0
for line in open(d + "/out/audit.jsonl", encoding="utf-8"):
    a = json.loads(line)
    if "offers" not in a:
        continue
    ids = [x["id"] for x in a["accounts"]]
    want = sum(groc.get(i, 0) for i in ids) >= 3 and any(pkg.get(i) == "G" for i in ids)
    res = [c for c in a["offers"]["considered"] if c["id"] == "GROCER"][0]["result"]
    assert (res == "eligible") == want, (a["household"], res, want)
    n_elig += want
    n_not += not want
assert n_elig and n_not, (n_elig, n_not)
# the table column and the merge field, decoded (English and Spanish statements)
assert "groceries" in text and "transport" in text, "category column not decoded"
import re
assert not re.search(r"(?<![\d*])(5411|5812|4111)(?!\d)", text), "raw code printed"
langs = {c["language"] for c in cust.values() if c["delivery"] in ("print", "both")}
if "en" in langs:
    assert "dining" in text and ("Package: Gold package" in text or "Package: Silver package" in text)
if "es" in langs:
    assert "restaurantes" in text and "Paquete" in text
print("ok: %d eligible, %d not; languages %s" % (n_elig, n_not, sorted(langs)))
PY
}

# A value not in an accounts feed's code list is a reject naming the list.
t_codes_account_reject() {
    local d="$WORK/mfr"
    rm -rf "$d"
    mf_job "$d"
    sed -i '2s/,[GS]$/,X/' "$d/checking_accounts.csv"
    set +e
    "$FOLIO" run "$d/job.yaml" --out "$d/out" --quiet 2>"$d/err"; rc=$?
    set -e
    [ "$rc" = 3 ] || { cat "$d/err"; echo "expected exit 3, got $rc"; exit 1; }
    grep -q "^checking_accounts.csv,2,pkg,value 'X' is not in code list 'pkg'" "$d/out/rejects.csv" ||
        { cat "$d/out/rejects.csv"; echo "no reject naming the list"; exit 1; }
}
run_test codes_as_fields t_codes_as_fields
run_test codes_account_reject t_codes_account_reject

# A household of 5 customers, one of 2 and one of 1 (US addresses).
an_setup() {   # an_setup DIR
    mkdir -p "$1"
    python3 - "$1" "$ROOT" <<'PY'
import sys
d, root = sys.argv[1:3]
names = [("C1", "H1", "Alexandrina", "Featherstonehaugh-Abercromby"),
         ("C2", "H1", "Bartholomew", "Cholmondeley-Bowes-Lyonshall"),
         ("C3", "H1", "Cassiopeia", "Marjoribanks-Carew-Pendleton"),
         ("C4", "H1", "Demetrius", "Wolstenholme-Dunn-Fitzwilliam"),
         ("C5", "H1", "Evangeline", "Auchinleck-Ellis-Montgomery"),
         ("C6", "H2", "Fay", "Bond"), ("C7", "H2", "Gus", "Cole"), ("C8", "H3", "Hal", "Dunn"),
         ("C9", "H4", "Ann", "Abel"), ("C10", "H4", "Bob", "Abel"), ("C11", "H4", "Cat", "Abel"),
         ("C12", "H4", "Dan", "Abel")]
with open(d + "/customers.csv", "w") as f:
    f.write("customer_id,household_id,first_name,last_name,address1,city,state,postal_code,country\n")
    for c, h, fn, ln in names:
        f.write(f"{c},{h},{fn},{ln},1 Main St,Portland,ME,04101,US\n")
with open(d + "/accounts.csv", "w") as f:
    f.write("account_id,customer_id,opening_balance,closing_balance\n")
    for i, c in enumerate(("C1", "C6", "C8", "C9")):
        f.write(f"A{i},{c},10.00,10.00\n")
open(d + "/transactions.csv", "w").write("account_id,posting_date,description,amount\n")
lay = open(root + "/layouts/statement.yaml", encoding="utf-8").read()
lay = lay.replace("../fonts/", root + "/fonts/").replace("file: logo.png", "file: " + root + "/layouts/logo.png").replace("library: paragraphs.yaml",
                                                         "library: " + root + "/layouts/paragraphs.yaml")
open(d + "/layout.yaml", "w").write(lay)
a = "address: {x: 72, y: 152, width: 300, height: 66, style: address, max_lines: 5}"
assert a in lay
open(d + "/layout5.yaml", "w").write(lay.replace(a, a[:-1] + ", max_names: 5}").replace("max_lines: 5,", "max_lines: 7,"))
job = f"""job: {{name: "Names", seed: 3}}
statement: {{date: 2026-11-01, period: {{start: 2026-10-01, end: 2026-10-31}}}}
bank: {{name: "Harbor & Pine Bank", address: ["100 Harbor Street", "Portland, ME 04101"], currency: USD}}
layout: LAYOUT
feeds:
  - {{name: customers, kind: customers, path: customers.csv, columns: {{customer_id: customer_id,
     household_id: household_id, first_name: first_name, last_name: last_name, address1: address1,
     city: city, state: state, postal_code: postal_code, country: country}}}}
  - {{name: accounts, kind: accounts, path: accounts.csv, product: checking, columns: {{account_id: account_id,
     customer_id: customer_id, opening_balance: opening_balance, closing_balance: closing_balance}}}}
  - {{name: transactions, kind: transactions, path: transactions.csv, columns: {{account_id: account_id,
     date: posting_date, description: description, amount: amount}}}}
"""
open(d + "/job.yaml", "w").write(job.replace("LAYOUT", "layout.yaml"))
open(d + "/job5.yaml", "w").write(job.replace("LAYOUT", "layout5.yaml"))
PY
}

# More customers than the address block shows names: never silently cut.
# Default (3 names): names share a line while it fits ("Ann, Bob, Cat & Dan
# Abel"); five long names that do not are printed 3 and the household listed
# as names_truncated (exit 3, counted in the manifest); the 2-customer
# household gets its joint line and is not listed.  With address.max_names: 5 (and room
# in max_lines) all five names are printed and nothing is listed.
t_address_names_truncated() {
    local d="$WORK/an"
    rm -rf "$d"
    an_setup "$d"
    set +e
    "$FOLIO" run "$d/job.yaml" --out "$d/out" --quiet 2>"$d/err"; rc=$?
    set -e
    cat "$d/err"
    [ "$rc" = 3 ] || { echo "expected exit 3 (an exception), got $rc"; exit 1; }
    grep -qF 'names_truncated,H1,C1,,customers.csv,2,,printed,"5 customers; the address block shows 3 name(s) (layout address.max_names 3, address.max_lines 5)"' "$d/out/exceptions.csv" ||
        { cat "$d/out/exceptions.csv"; echo "no names_truncated row for H1"; exit 1; }
    [ "$(grep -c '^names_truncated' "$d/out/exceptions.csv")" = 1 ] || { cat "$d/out/exceptions.csv"; exit 1; }
    grep -q '"names_truncated":1' "$d/out/manifest.json" || { echo "not counted"; exit 1; }
    "$FOLIO" verify "$d/out" | grep -q '^verified'
    pdftotext -layout "$d"/out/print/*.pdf "$d/t.txt"
    grep -q "Cassiopeia Marjoribanks-Carew-Pendleton" "$d/t.txt" || fail_at "$LINENO"
    ! grep -q "Demetrius\|Evangeline" "$d/t.txt" || fail_at "$LINENO"
    grep -q "Fay Bond & Gus Cole" "$d/t.txt" || fail_at "$LINENO"
    # four short names of one family share a line: all named, no exception
    grep -q "Ann, Bob, Cat & Dan Abel" "$d/t.txt" || fail_at "$LINENO"
    set +e
    "$FOLIO" run "$d/job5.yaml" --out "$d/out5" --quiet 2>"$d/err5"; rc=$?
    set -e
    cat "$d/err5"
    [ "$rc" = 0 ] || { cat "$d/out5/exceptions.csv"; echo "expected exit 0, got $rc"; exit 1; }
    pdftotext -layout "$d"/out5/print/*.pdf "$d/t5.txt"
    for n in "Alexandrina Featherstonehaugh-Abercromby" "Bartholomew Cholmondeley-Bowes-Lyonshall" \
             "Cassiopeia Marjoribanks-Carew-Pendleton" "Demetrius Wolstenholme-Dunn-Fitzwilliam" "Evangeline Auchinleck-Ellis-Montgomery"; do
        grep -q "$n" "$d/t5.txt" || { echo "$n not printed"; exit 1; }
    done
    [ "$(wc -l < "$d/out5/exceptions.csv")" = 1 ] || fail_at "$LINENO"
}
run_test address_names_truncated t_address_names_truncated

# Shards of a job whose currencies are spread unevenly over households (a
# shard may have no EUR, or only JPY) merge to the unsharded per-currency
# control totals: folio merge takes the union of the shards' currencies,
# and with shards on the full feeds counts the whole-input amounts once.
t_money_merge_per_currency() {
    local d="$WORK/mcm"
    rm -rf "$d"
    mc_setup "$d"
    set +e
    "$FOLIO" run "$d/job.yaml" --out "$d/full" --quiet 2>/dev/null
    "$FOLIO" partition "$d/job.yaml" --shards 3 --out "$d/part" >/dev/null || exit 1
    for i in 1 2 3; do
        "$FOLIO" run "$d/part/s0$i/job.yaml" --shard $i/3 --out "$d/p$i" --quiet 2>/dev/null
        "$FOLIO" run "$d/job.yaml" --shard $i/3 --out "$d/f$i" --quiet 2>/dev/null
    done
    "$FOLIO" merge "$d/p1" "$d/p2" "$d/p3" --out "$d/mp" >/dev/null 2>&1; rc1=$?
    "$FOLIO" merge "$d/f1" "$d/f2" "$d/f3" --out "$d/mf" >/dev/null 2>&1; rc2=$?
    set -e
    [ "$rc1" = 3 ] && [ "$rc2" = 3 ] || { echo "merge exit $rc1 / $rc2, expected 3"; exit 1; }
    python3 - "$d" <<'PY'
import json, sys
from decimal import Decimal as D
d = sys.argv[1]
full = json.load(open(d + "/full/manifest.json"), parse_float=D)["control_totals"]
# the fixture's currencies are not in every shard: the test means something
ccys = []
for i in (1, 2, 3):
    t = json.load(open(f"{d}/p{i}/manifest.json"), parse_float=D)["control_totals"]
    ccys.append(set(t["transactions"]["amount_composed"]))
assert any(c != ccys[0] for c in ccys), ccys
for m in ("mp", "mf"):
    got = json.load(open(f"{d}/{m}/manifest.json"), parse_float=D)["totals"]["control_totals"]
    assert got == full, (m, got, full)
print("merged per-currency totals equal the unsharded run's:", sorted(full["transactions"]["amount_composed"]))
PY
    "$FOLIO" verify "$d/mp" >/dev/null
    "$FOLIO" verify "$d/mf" >/dev/null
}
run_test money_merge_per_currency t_money_merge_per_currency
