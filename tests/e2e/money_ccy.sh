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
            ("J2", "C4", "JPY", "100", [("2026-10-08", "12345")])],
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
            cl = fmt(units(op, md[k]) + net, md[k])
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
        if inside and owner[a] not in sup_hh:
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
    for key in amount_composed amount_suppressed amount_read; do
        cp "$d/out/manifest.json" "$d/manifest.orig"
        python3 - "$d/out/manifest.json" "$key" <<'PY'
import json, re, sys
p, key = sys.argv[1:3]
s = open(p).read()
m = re.search(r'"' + key + r'":\{[^}]*"JPY":(-?\d+)', s)
assert m, "no per-currency " + key
s = s[:m.start(1)] + str(int(m.group(1)) + 1) + s[m.end(1):]
open(p, "w").write(s)
PY
        set +e
        "$FOLIO" verify "$d/out" >"$d/v.txt" 2>&1; rc=$?
        set -e
        cat "$d/v.txt"
        [ "$rc" = 1 ] || { echo "$key: verify exit $rc, expected 1"; exit 1; }
        grep -q "control_totals.transactions.$key.JPY is" "$d/v.txt" ||
            { echo "$key: no mismatch naming JPY"; exit 1; }
        if grep -q "\.USD\|\.EUR\|\.BHD" "$d/v.txt"; then echo "$key: other currency blamed"; exit 1; fi
        cp "$d/manifest.orig" "$d/out/manifest.json"
    done
    "$FOLIO" verify "$d/out" >/dev/null
}
run_test money_per_currency t_money_per_currency
run_test money_verify_per_currency t_money_verify_per_currency
