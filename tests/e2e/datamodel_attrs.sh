# SPDX-License-Identifier: Apache-2.0
# End-to-end tests of issue 10 part 1: attributes (typed columns of any feed,
# attribute feeds joined by id).  Sourced by run.sh (uses its run_test,
# $FOLIO, $WORK, $ROOT).

# A 6-household sample job in $1 with attributes:
#   customers feed:       seg (code over segment), joined (date, customer_since)
#   risk.csv (customer_attributes, by customer id): risk_band (code), points
#       (number), vip (bool), limit_hint (money), reviewed (date)
#   checking accounts:    tier (string, product_name)
#   checking transactions: posted (date, posting_date)
# $2 (optional): extra rows appended to risk.csv.
da_job() {
    local d="$1" extra="${2:-}"
    "$FOLIO" samples --households 6 --seed 11 --out "$d" >/dev/null
    python3 - "$d" "$ROOT" "$extra" <<'PY'
import csv, sys
d, root, extra = sys.argv[1:4]
job = open(d + "/job.yaml", encoding="utf-8").read()
def sub(a, b):
    global job
    assert a in job, a
    job = job.replace(a, b, 1)
sub("      customer_since: customer_since\n", """      customer_since: customer_since
    attributes:
      seg: {column: segment, type: code, values: [mass, affluent, senior, student, young_professional, small_business]}
      joined: {column: customer_since, type: date}
""")
sub("      opened_date: opened_date\n", """      opened_date: opened_date
    attributes:
      tier: {column: product_name, type: string}
""")
sub("      amount: amount\n", """      amount: amount
    attributes:
      posted: {column: posting_date, type: date}
""")
sub("  - name: contacts", """  - name: risk
    kind: customer_attributes
    path: risk.csv
    columns: {customer_id: CID}
    attributes:
      risk_band: {column: RISK, type: code, values: [low, mid, high]}
      points: {column: POINTS, type: number}
      vip: {column: VIP, type: bool}
      limit_hint: {column: LIMIT, type: money}
      reviewed: {column: REVIEWED, type: date}
  - name: contacts""")
sub('layout: "%s/layouts/statement.yaml"' % root, 'layout: "layout.yaml"')
sub('catalogue: "%s/layouts/offers.yaml"' % root, 'catalogue: "offers.yaml"')
open(d + "/job.yaml", "w", encoding="utf-8").write(job)
cust = list(csv.DictReader(open(d + "/customers.csv", encoding="utf-8")))
with open(d + "/risk.csv", "w", encoding="utf-8") as f:
    f.write("CID,RISK,POINTS,VIP,LIMIT,REVIEWED,NOTE\n")
    for i, c in enumerate(cust):
        f.write("%s,%s,%s,%s,%s,2026-0%d-15,unmapped %d\n" % (
            c["customer_id"], ["low", "mid", "high"][i % 3], "%d.25" % (i * 10),
            "yes" if i % 2 else "no", "%d.50" % (1000 * i), 1 + i % 9, i))
    f.write(extra.replace("\\n", "\n"))
lay = open(root + "/layouts/statement.yaml", encoding="utf-8").read()
lay = lay.replace("../fonts/", root + "/fonts/").replace("file: logo.png", "file: " + root + "/layouts/logo.png").replace("library: paragraphs.yaml",
                                                         "library: " + root + "/layouts/paragraphs.yaml")
a = '- {field: description, title: {en: "Description", es: "Descripción"}, width: 250}'
assert a in lay
lay = lay.replace(a, '- {field: description, title: {en: "Description", es: "Descripción"}, width: 172}\n'
                  '    - {field: transaction.posted, title: "Posted", width: 78}')
a = '  info_style: small'
lay = lay.replace(a, '''    - "Risk band {customer.risk_band} points {customer.points} tier {account.tier} reviewed {customer.reviewed}"
  info_style: small''', 1)
open(d + "/layout.yaml", "w", encoding="utf-8").write(lay)
open(d + "/offers.yaml", "w", encoding="utf-8").write('''default_language: en
offers:
  - id: VIP-HIGH
    sells: "Premium desk for high-risk VIPs"
    kind: service
    priority: 90
    rule: 'customer.risk_band == "high" or (customer.vip and customer.points >= 10.25 and customer.limit_hint > 999)'
    channels: [print, email]
    sizes:
      - {name: box, width: 168, height: 96}
      - {name: band, height: 66}
    content:
      en: {headline: "Attribute offer", body: "Chosen by attributes.", cta: "Call us"}
    response_code: VIP1
''')
PY
}

# Each attribute type with a bad value is a reject naming file, line, column
# and why; an unknown id and a repeated id in an attribute feed are rejects;
# the unmapped NOTE column stays ignored.
t_attrs_rejects() {
    local d="$WORK/da-rej"
    da_job "$d"
    local c1 c2
    c1=$(sed -n 2p "$d/customers.csv" | cut -d, -f1)
    c2=$(sed -n 3p "$d/customers.csv" | cut -d, -f1)
    python3 - "$d" "$c1" "$c2" <<'PY'
import sys
d, c1, c2 = sys.argv[1:4]
rows = [
    "NOBODY,low,1,no,1.00,2026-01-01,x",          # unknown customer_id
    c1 + ",mid,2,no,1.00,2026-01-01,x",           # c1 is already on line 2
    c2 + ",extreme,1,no,1.00,2026-01-01,x",       # code not in the list
    c2 + ",low,many,no,1.00,2026-01-01,x",        # number
    c2 + ",low,1,perhaps,1.00,2026-01-01,x",      # bool
    c2 + ",low,1,no,1.005,2026-01-01,x",          # money: too many decimals
    c2 + ",low,1,no,1.00,2026-13-01,x",           # date
]
open(d + "/risk.csv", "a", encoding="utf-8").write("\n".join(rows) + "\n")
PY
    local n
    n=$(($(wc -l < "$d/risk.csv")))
    set +e
    "$FOLIO" run "$d/job.yaml" --out "$d/out" --quiet 2>"$d/err"; rc=$?
    set -e
    [ "$rc" = 3 ] || { cat "$d/err"; echo "expected exit 3, got $rc"; exit 1; }
    python3 - "$d/out/rejects.csv" "$n" <<'PY'
import csv, sys
rows = [r for r in csv.DictReader(open(sys.argv[1], encoding="utf-8")) if r["file"] == "risk.csv"]
last = int(sys.argv[2])
want = [
    (last - 6, "CID", "unknown customer_id 'NOBODY'"),
    (last - 5, "CID", "duplicate customer_id"),
    (last - 4, "RISK", "invalid risk_band 'extreme': not in the list of customer.risk_band (low, mid, high)"),
    (last - 3, "POINTS", "invalid points 'many' (number)"),
    (last - 2, "VIP", "invalid vip 'perhaps' (bool)"),
    (last - 1, "LIMIT", "invalid limit_hint '1.005' (money): too many decimals"),
    (last, "REVIEWED", "invalid reviewed '2026-13-01' (date)"),
]
got = {int(r["line"]): r for r in rows}
assert len(rows) == len(want), rows
for line, col, reason in want:
    r = got.get(line)
    assert r, "no reject at risk.csv:%d (%s)" % (line, sorted(got))
    assert r["column"] == col, (line, r)
    assert r["reason"].startswith(reason), (line, r["reason"], reason)
print("ok: %d attribute rejects with line, column and reason" % len(want))
PY
    python3 - "$d/out/manifest.json" <<'PY'
import json, sys
m = json.load(open(sys.argv[1]))
f = [i for i in m["inputs"] if i["feed"] == "risk"][0]
assert f["kind"] == "customer_attributes" and f["rejected"] == 7, f
assert f["accepted"] == f["rows"] - 7 and f["accepted"] > 0, f
PY
}

# A mapped column missing from the header is a job error (exit 2) naming
# the file, its header line and the attribute.
t_attrs_missing_column() {
    local d="$WORK/da-miss"
    da_job "$d"
    sed -i 's/column: RISK,/column: RISK_BAND,/' "$d/job.yaml"
    set +e
    "$FOLIO" run "$d/job.yaml" --out "$d/out" --quiet 2>"$d/err"; rc=$?
    set -e
    cat "$d/err"
    [ "$rc" = 2 ] || { echo "expected exit 2, got $rc"; exit 1; }
    grep -q "risk.csv:1: column 'RISK_BAND' (attribute risk_band, job line [0-9]*) not found in header" "$d/err" \
        || { echo "message lacks file:line and the attribute"; exit 1; }
    [ ! -e "$d/out/manifest.json" ] || { echo "a manifest was published"; exit 1; }
}

# An attribute may not shadow a built-in field; a bad type or a code without
# values is a job error at its line and column.
t_attrs_job_errors() {
    local d="$WORK/da-shadow" rc
    da_job "$d"
    cp "$d/job.yaml" "$d/job.orig"
    sed -i 's/^      points: {column: POINTS/      balance: {column: POINTS/' "$d/job.yaml"
    set +e
    "$FOLIO" run "$d/job.yaml" --out "$d/out" --quiet 2>"$d/err"; rc=$?
    set -e
    cat "$d/err"
    [ "$rc" = 2 ] || { echo "expected exit 2, got $rc"; exit 1; }
    grep -Eq "job.yaml:[0-9]+:7: attribute 'balance' of feed 'risk' has the name of a rule field" "$d/err" \
        || { echo "shadowing not reported at its line:col"; exit 1; }
    cp "$d/job.orig" "$d/job.yaml"
    sed -i 's/type: code, values: \[low, mid, high\]/type: code/' "$d/job.yaml"
    set +e
    "$FOLIO" run "$d/job.yaml" --out "$d/out" --quiet 2>"$d/err"; rc=$?
    set -e
    cat "$d/err"
    [ "$rc" = 2 ] && grep -Eq "job.yaml:[0-9]+:[0-9]+: missing required key 'values'" "$d/err" \
        || { echo "code without values accepted"; exit 1; }
    cp "$d/job.orig" "$d/job.yaml"
    sed -i 's/type: number}/type: integer}/' "$d/job.yaml"
    set +e
    "$FOLIO" run "$d/job.yaml" --out "$d/out" --quiet 2>"$d/err"; rc=$?
    set -e
    cat "$d/err"
    [ "$rc" = 2 ] && grep -q "integer" "$d/err" || { echo "bad type accepted"; exit 1; }
}

# Attributes reach an offer rule (audit: eligible exactly where Python says),
# merge fields in the section info ({customer.*} and {account.*}) and a
# table column (transaction.posted): pdftotext shows the values.
t_attrs_end_to_end() {
    local d="$WORK/da-e2e"
    da_job "$d"
    set +e
    "$FOLIO" run "$d/job.yaml" --out "$d/out" --quiet 2>"$d/err"; rc=$?
    set -e
    [ "$rc" = 0 ] || { cat "$d/err"; echo "expected exit 0, got $rc"; exit 1; }
    for f in "$d"/out/print/*.pdf; do pdftotext -layout "$f" - ; done > "$d/print.txt"
    python3 - "$d" <<'PY'
import csv, json, sys, re
d = sys.argv[1]
risk = {r["CID"]: r for r in csv.DictReader(open(d + "/risk.csv", encoding="utf-8"))}
def eligible(r):
    return r["RISK"] == "high" or (r["VIP"] == "yes" and float(r["POINTS"]) >= 10.25
                                   and float(r["LIMIT"]) > 999)
text = open(d + "/print.txt", encoding="utf-8").read()
n_elig = 0
for line in open(d + "/out/audit.jsonl", encoding="utf-8"):
    a = json.loads(line)
    prim = a["customers"][0]
    want = eligible(risk[prim])
    if "offers" not in a:
        continue
    res = [c for c in a["offers"]["considered"] if c["id"] == "VIP-HIGH"][0]["result"]
    got = res == "eligible"
    assert got == want, (prim, res, risk[prim])
    n_elig += got
    if a["channel"] in ("print", "both"):
        r = risk[prim]
        pts = r["POINTS"]
        # merge fields: the primary customer's risk band, points and review date
        m = "Risk band %s points %s" % (r["RISK"], pts)
        assert m in text, m
        y, mo, dd = r["REVIEWED"].split("-")
        assert ("reviewed %s/%s/%s" % (mo, dd, y)) in text, r["REVIEWED"]
assert n_elig > 0
# the account attribute (tier = product_name) and the Posted column
assert re.search(r"tier (Everyday|Senior|Premier|Student|Platinum|Cash|Rewards|[A-Z][a-z]+ )", text), "no tier"
assert "Posted" in text
txn = list(csv.DictReader(open(d + "/checking_transactions.csv", encoding="utf-8")))
posted = [l for l in text.splitlines() if re.match(r"\s*10/\d\d/2026\s.*10/\d\d/2026", l)]
assert posted, "no row shows the posted date column"
print("ok: %d eligible, merge fields and table column printed" % n_elig)
PY
}

# examples/bank-marketing: bank.csv read as it is (joined by line number);
# the eligible customers of every offer, recounted independently in Python,
# equal folio's audit, and each eligible customer is shown its offer.
t_bank_marketing_example() {
    local bank="${FOLIO_DATA:-$ROOT/../shared/data}/bankmarketing/bank.csv"
    [ -f "$bank" ] || bank=/work/shared/data/bankmarketing/bank.csv
    if [ ! -f "$bank" ]; then echo "skip: bank.csv not found"; return 0; fi
    local d="$WORK/bank-marketing" ex="$ROOT/examples/bank-marketing"
    mkdir -p "$d"
    cp "$ex/job.yaml" "$ex/offers.yaml" "$d/"
    python3 "$ex/make_feeds.py" "$bank" "$d/feeds"
    sed -i "s|path: ../../../shared/data/bankmarketing/bank.csv|path: $bank|; s|^layout: ../../layouts/|layout: $ROOT/layouts/|" "$d/job.yaml"
    set +e
    "$FOLIO" run "$d/job.yaml" --out "$d/out" --quiet 2>"$d/err"; rc=$?
    set -e
    [ "$rc" = 0 ] || { cat "$d/err"; echo "expected exit 0, got $rc"; exit 1; }
    python3 "$ex/check.py" "$bank" "$d/out"
}

run_test attrs_rejects t_attrs_rejects
run_test attrs_missing_column t_attrs_missing_column
run_test attrs_job_errors t_attrs_job_errors
run_test attrs_end_to_end t_attrs_end_to_end
run_test bank_marketing_example t_bank_marketing_example
