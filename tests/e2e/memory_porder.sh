# SPDX-License-Identifier: Apache-2.0
# End-to-end test of issue 12 part 1 (round 24): a spilled run lays its
# transactions and texts out in household order (src/porder.c, phase
# "layout").  Sourced by run.sh (uses its run_test, $FOLIO, $WORK, $ROOT,
# fail_at, mem_same from memory.sh).

# 300 sample households, households by address (no household ids) and by
# accounts shared across the whole input (a disponent of the first third on
# an account of the last third), customers in English and Spanish, checking
# transactions with translated descriptions (code lists: packed texts, a
# code column per row) and a date attribute printed in its own column.
# Every piece a wrong layout would misplace -- an account's rows, their
# attribute and code values, a description's other language, a text copied
# short -- shows in the print files, the archive or the records.  The
# spilled run (1 and 2 threads) announces phase "layout" and its outputs are
# byte-identical to the in-memory run's, which has no such phase.
t_memory_porder() {
    local d="$WORK/mpo"
    "$FOLIO" samples --households 300 --seed 9 --out "$d" >/dev/null
    python3 - "$d" "$ROOT" <<'PY'
import csv, re, sys
d, root = sys.argv[1:3]
job = open(d + "/job.yaml", encoding="utf-8").read()
def sub(a, b):
    global job
    assert a in job, a
    job = job.replace(a, b, 1)
sub("      household_id: household_id\n", "")
sub("""    path: checking_transactions.csv
    columns:
      account_id: account_id
      date: posting_date
      description: description
""", """    path: checking_transactions.csv
    description: "{operation} {k_symbol} {bank}/{account}"
    columns:
      account_id: account_id
      date: posting_date
""")
sub("      amount: amount\n", """      amount: amount
    attributes:
      posted: {column: posting_date, type: date}
""")
sub("\nfeeds:\n", """
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
  - name: disp
    kind: holders
    path: disp.csv
    roles: {OWNER: owner, DISPONENT: disponent}
    columns: {account_id: acct, customer_id: client, role: type}
""")
job, k = re.subn(r'^layout: .*$', 'layout: "layout.yaml"', job, count=1, flags=re.M)
assert k == 1
open(d + "/job.yaml", "w", encoding="utf-8").write(job)
rows = list(csv.DictReader(open(d + "/customers.csv", encoding="utf-8")))
with open(d + "/customers.csv", "w", encoding="utf-8", newline="") as f:
    w = csv.DictWriter(f, fieldnames=list(rows[0].keys()), lineterminator="\n")
    w.writeheader()
    for i, r in enumerate(rows):
        r["language"] = "es" if i % 3 == 1 else "en"
        w.writerow(r)
pat = [("VKLAD", "", "", ""), ("PREVOD", " ", "AB", "12345678"),
       ("PREVOD", "SIPO", "", "87654321"), ("VYBER", "", "CD", "")]
rows = list(csv.DictReader(open(d + "/checking_transactions.csv", encoding="utf-8")))
with open(d + "/checking_transactions.csv", "w", encoding="utf-8", newline="") as f:
    f.write("account_id,posting_date,description,amount,operation,k_symbol,bank,account\n")
    for i, r in enumerate(rows):
        op, ks, bk, ac = pat[(i * 7 + len(r["account_id"])) % 4]
        f.write("%s,%s,%s,%s,%s,%s,%s,%s\n" % (r["account_id"], r["posting_date"],
                "unused", r["amount"], op, ks, bk, ac))
cust = rows_c = list(csv.DictReader(open(d + "/customers.csv", encoding="utf-8")))
acct = list(csv.DictReader(open(d + "/checking_accounts.csv", encoding="utf-8")))
owned = {}
for a in acct:
    owned.setdefault(a["customer_id"], a["account_id"])
by_addr = {}
for c in cust:
    by_addr.setdefault(c["address_line1"], c)
firsts = [c for c in by_addr.values() if c["customer_id"] in owned]
with open(d + "/disp.csv", "w", encoding="utf-8") as f:
    f.write("acct,client,type\n")
    for k in range(12):
        x, y = firsts[k * 2], firsts[-1 - k * 3]
        f.write("%s,%s,OWNER\n" % (owned[y["customer_id"]], y["customer_id"]))
        f.write("%s,%s,DISPONENT\n" % (owned[y["customer_id"]], x["customer_id"]))
lay = open(root + "/layouts/statement.yaml", encoding="utf-8").read()
lay = (lay.replace("../fonts/", root + "/fonts/")
          .replace("file: logo.png", "file: " + root + "/layouts/logo.png")
          .replace("library: paragraphs.yaml", "library: " + root + "/layouts/paragraphs.yaml"))
a = '- {field: description, title: {en: "Description", es: "Descripción"}, width: 250}'
assert a in lay
lay = lay.replace(a, '- {field: description, title: {en: "Description", es: "Descripción"}, width: 172}\n'
                  '    - {field: transaction.posted, title: "Posted", width: 78}')
open(d + "/layout.yaml", "w", encoding="utf-8").write(lay)
PY
    set +e
    FOLIO_TEST_PHASES=1 "$FOLIO" run "$d/job.yaml" --out "$d/a" --threads 2 --quiet \
        2>"$d/a.err"; rc0=$?
    FOLIO_TEST_PHASES=1 "$FOLIO" run "$d/job.yaml" --out "$d/s1" --threads 1 --quiet \
        --memory-limit 49M --work "$d/work" 2>"$d/s1.err"; rc1=$?
    FOLIO_TEST_PHASES=1 "$FOLIO" run "$d/job.yaml" --out "$d/s2" --threads 2 --quiet \
        --memory-limit 49M 2>"$d/s2.err"; rc2=$?
    set -e
    echo "exit codes: $rc0 $rc1 $rc2"
    [ "$rc0" = 0 ] || [ "$rc0" = 3 ] || { cat "$d/a.err"; fail_at "$LINENO"; }
    [ "$rc0" = "$rc1" ] && [ "$rc0" = "$rc2" ] || { cat "$d/s1.err"; fail_at "$LINENO"; }
    ! grep -q "^folio: phase layout$" "$d/a.err" || fail_at "$LINENO"
    grep -q "^folio: phase layout$" "$d/s1.err" || fail_at "$LINENO"
    grep -q "^folio: phase layout$" "$d/s2.err" || fail_at "$LINENO"
    python3 - "$d/a" <<'PY'
import json, sys
audit = [json.loads(l) for l in open(sys.argv[1] + "/audit.jsonl", encoding="utf-8")]
by = {}
for a in audit:
    by[a.get("household_by")] = by.get(a.get("household_by"), 0) + 1
assert by.get("shared_accounts", 0) >= 10, by
assert by.get("address", 0) >= 100, by
PY
    local txt
    txt=$(for f in "$d"/a/print/*.pdf; do pdftotext -raw "$f" -; done | tr '\n' ' ')
    case "$txt" in *Posted*) ;; *) fail_at "$LINENO" ;; esac
    case "$txt" in *Transferencia*) ;; *) fail_at "$LINENO" ;; esac
    case "$txt" in *"Cash deposit"*) ;; *) fail_at "$LINENO" ;; esac
    mem_same "$d/a" "$d/s1"
    mem_same "$d/a" "$d/s2"
    [ -z "$(ls -A "$d/work")" ] || { ls -la "$d/work"; fail_at "$LINENO"; }
}

# The journey samples (statement frequencies: intervals that move the
# plan's printed ranges of an account before the layout moves its rows;
# events; not_due.csv, statement_history.csv) and rejects: the spilled run
# equals the in-memory run at 2 threads, every file.
t_memory_porder_journey() {
    local d="$WORK/mpoj"
    "$FOLIO" samples --households 300 --seed 4 --journey --with-errors --out "$d" >/dev/null
    set +e
    "$FOLIO" run "$d/job.yaml" --out "$d/a" --threads 2 --quiet 2>/dev/null; rc0=$?
    FOLIO_TEST_PHASES=1 "$FOLIO" run "$d/job.yaml" --out "$d/s" --threads 2 --quiet \
        --memory-limit 49M 2>"$d/s.err"; rc1=$?
    set -e
    echo "exit codes: $rc0 $rc1"
    [ "$rc0" = 3 ] && [ "$rc1" = 3 ] || { cat "$d/s.err"; fail_at "$LINENO"; }
    grep -q "^folio: phase layout$" "$d/s.err" || fail_at "$LINENO"
    [ -s "$d/a/not_due.csv" ] && [ -s "$d/a/statement_history.csv" ] || fail_at "$LINENO"
    mem_same "$d/a" "$d/s"
}

# Round 28 (issue 12): without the records thread (1 thread, or spilled)
# the reconciliation and the manifest read the per-currency totals from one
# scan kept after the records (src/run-records-bg.c), not from six.  The
# figures stay the feeds' sums (recomputed here from the CSV files), and
# the 1-thread spilled and in-memory runs equal the 2-thread one.
t_memory_totals_serial() {
    local d="$WORK/mts"
    "$FOLIO" samples --households 300 --seed 3 --out "$d" >/dev/null
    set +e
    "$FOLIO" run "$d/job.yaml" --out "$d/a" --threads 2 --quiet; rc0=$?
    "$FOLIO" run "$d/job.yaml" --out "$d/m1" --threads 1 --quiet; rc1=$?
    "$FOLIO" run "$d/job.yaml" --out "$d/s1" --threads 1 --quiet --memory-limit 49M; rc2=$?
    set -e
    echo "exit codes: $rc0 $rc1 $rc2"
    [ "$rc0" = 0 ] && [ "$rc1" = 0 ] && [ "$rc2" = 0 ] || fail_at "$LINENO"
    python3 - "$d/s1/manifest.json" <<'PY'
import csv, json, sys
from decimal import Decimal
m = json.load(open(sys.argv[1], encoding="utf-8"))
total, n = Decimal(0), 0
for f in m["inputs"]:
    if f["kind"] != "transactions":
        continue
    s = sum(Decimal(r["amount"]) for r in csv.DictReader(open(f["file"], encoding="utf-8")))
    assert Decimal(str(f["amount_read"]["USD"])) == s, (f["feed"], f["amount_read"], s)
    total += s
    n += 1
assert n == 4, n
got = Decimal(str(m["control_totals"]["transactions"]["amount_read"]["USD"]))
assert got == total, (got, total)
PY
    mem_same "$d/a" "$d/m1"
    mem_same "$d/a" "$d/s1"
}

run_test memory_porder t_memory_porder
run_test memory_porder_journey t_memory_porder_journey
run_test memory_totals_serial t_memory_totals_serial
