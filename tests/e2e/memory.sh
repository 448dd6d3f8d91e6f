# SPDX-License-Identifier: Apache-2.0
# End-to-end tests of issue 12 part 1 (bounded memory on one machine),
# sourced by run.sh: the spooled audit and coverage records under --work,
# and --memory-limit (a job above it runs with its transaction table in a
# work file).

# mem_same A B: every file of run A is byte-identical in run B and B has no
# other file (the lock file holds a pid).
mem_same() {
    diff -r -x .folio.lock -x report.html "$1" "$2" >/dev/null ||
        { diff -r -x .folio.lock -x report.html -q "$1" "$2"; return 1; }
    # report.html differs in its timings section only (manifest.json, compared
    # above, holds the SHA-256 of the rest); compare it without them
    if [ -f "$1/report.html" ] || [ -f "$2/report.html" ]; then
        cmp <(sed '/folio:timings:begin/,/folio:timings:end/d' "$1/report.html") \
            <(sed '/folio:timings:begin/,/folio:timings:end/d' "$2/report.html") || return 1
    fi
}

# The records spooled to --work: outputs byte-identical to the default
# (spooled in OUT) at 1, 2 and 16 threads, the work directory created and
# left empty, also after kill -9; a work directory that cannot be made
# fails the run (exit 1, named) and publishes nothing.
t_memory_work() {
    local d="$WORK/mw"
    "$FOLIO" samples --households 300 --seed 5 --with-errors --out "$d" >/dev/null
    set +e
    "$FOLIO" run "$d/job.yaml" --out "$d/a" --threads 1 --quiet; rc1=$?
    "$FOLIO" run "$d/job.yaml" --out "$d/b" --threads 2 --quiet --work "$d/work"; rc2=$?
    "$FOLIO" run "$d/job.yaml" --out "$d/c" --threads 16 --quiet --work="$d/work"; rc3=$?
    set -e
    [ "$rc1" = 3 ] && [ "$rc2" = 3 ] && [ "$rc3" = 3 ] || fail_at "$LINENO"
    ls "$d"/a/print/*.pdf "$d"/a/archive/*.zip "$d"/a/proofs/proof.pdf >/dev/null
    grep -q '"coverage":\["' "$d/a/audit.jsonl" || fail_at "$LINENO"
    grep -q '"paragraphs":\[{' "$d/a/audit.jsonl" || fail_at "$LINENO"
    mem_same "$d/a" "$d/b"
    mem_same "$d/a" "$d/c"
    [ -d "$d/work" ] && [ -z "$(ls -A "$d/work")" ] || { ls -la "$d/work"; fail_at "$LINENO"; }
    # nothing but folio's outputs in OUT (the spools had no name)
    [ "$(cd "$d/a" && ls -A | tr '\n' ' ')" = ".folio.lock archive audit.jsonl contact_history.csv exceptions.csv manifest.json print proofs rejects.csv report.html suppressed.csv " ] || { ls -A "$d/a"; fail_at "$LINENO"; }
    # kill -9 in the print stage: the work directory holds nothing
    FOLIO_TEST_PHASES=1 FOLIO_TEST_STOP_AT=print "$FOLIO" run "$d/job.yaml" --out "$d/k" \
        --threads 1 --quiet --work "$d/work2" 2>"$d/k.err" &
    local pid=$!
    wait_stopped $pid
    kill -9 $pid; wait $pid 2>/dev/null || true
    [ -d "$d/work2" ] && [ -z "$(ls -A "$d/work2")" ] || { ls -la "$d/work2"; fail_at "$LINENO"; }
    [ ! -e "$d/k/manifest.json" ] || fail_at "$LINENO"
    # a work directory that cannot be made: exit 1, named, nothing published
    : > "$d/plainfile"
    set +e
    "$FOLIO" run "$d/job.yaml" --out "$d/e" --quiet --work "$d/plainfile/sub" 2>"$d/e.err"; rc=$?
    set -e
    cat "$d/e.err"
    [ "$rc" = 1 ] || fail_at "$LINENO"
    grep -q "plainfile/sub: cannot create the work directory" "$d/e.err" || fail_at "$LINENO"
    [ ! -e "$d/e/manifest.json" ] && [ ! -e "$d/e/audit.jsonl" ] || fail_at "$LINENO"
    set +e
    "$FOLIO" run "$d/job.yaml" --out "$d/e" --quiet --work "" 2>"$d/e2.err"; rc=$?
    set -e
    [ "$rc" = 2 ] && grep -q -- "--work needs a directory" "$d/e2.err" || fail_at "$LINENO"
}

# --memory-limit: a limit below what any run needs and sizes that are not
# sizes are usage errors (exit 2) before anything in OUT changes; a limit
# the job fits runs as without one.
t_memory_limit() {
    local d="$WORK/ml"
    "$FOLIO" samples --households 120 --seed 6 --out "$d/small" >/dev/null
    "$FOLIO" run "$d/small/job.yaml" --out "$d/o" --quiet
    cp "$d/o/manifest.json" "$d/manifest.before"
    set +e
    "$FOLIO" run "$d/small/job.yaml" --out "$d/o" --quiet --memory-limit 1K 2>"$d/e2"; rc=$?
    set -e
    [ "$rc" = 2 ] && grep -q -- "--memory-limit 0 MiB is below what any run needs" "$d/e2" || fail_at "$LINENO"
    set +e
    "$FOLIO" run "$d/small/job.yaml" --out "$d/o" --quiet --memory-limit 48M 2>"$d/e4"; rc=$?
    set -e
    [ "$rc" = 2 ] && grep -q -- "--memory-limit 48 MiB is below what any run needs (about 49 MiB)" "$d/e4" || fail_at "$LINENO"
    for bad in 12X 1.5G -1M 0 ""; do
        set +e
        "$FOLIO" run "$d/small/job.yaml" --out "$d/o" --quiet --memory-limit "$bad" 2>"$d/e3"; rc=$?
        set -e
        [ "$rc" = 2 ] && grep -q -- "--memory-limit needs a size such as 512M or 2G" "$d/e3" || fail_at "$LINENO"
    done
    cmp "$d/o/manifest.json" "$d/manifest.before"
    # a limit the job fits: the same run, in memory (no note)
    "$FOLIO" run "$d/small/job.yaml" --out "$d/o2" --memory-limit 1G >/dev/null 2>"$d/e5"
    mem_same "$d/o" "$d/o2"
    ! grep -q "kept in a work file" "$d/e5" || fail_at "$LINENO"
}

# A job above --memory-limit runs with its transaction table in a work file
# (was: refused, exit 2) and its outputs are byte-identical to the
# in-memory run at 1, 2 and 16 threads, with households formed by address
# (no household ids) and by shared accounts (a holders feed linking
# customers far apart in the input and in household order); the note names
# the work directory, which is left empty.
t_memory_spill() {
    local d="$WORK/msp"
    "$FOLIO" samples --households 300 --seed 7 --with-errors --out "$d" >/dev/null
    python3 - "$d" <<'PY'
import csv, sys
d = sys.argv[1]
job = open(d + "/job.yaml", encoding="utf-8").read()
assert "      household_id: household_id\n" in job
job = job.replace("      household_id: household_id\n", "")
job = job.replace("feeds:\n", """feeds:
  - name: disp
    kind: holders
    path: disp.csv
    roles: {OWNER: owner, DISPONENT: disponent}
    columns: {account_id: acct, customer_id: client, role: type}
""", 1)
open(d + "/job.yaml", "w", encoding="utf-8").write(job)
cust = list(csv.DictReader(open(d + "/customers.csv", encoding="utf-8", errors="surrogateescape")))
acct = list(csv.DictReader(open(d + "/checking_accounts.csv", encoding="utf-8")))
owned = {}
for a in acct:
    owned.setdefault(a["customer_id"], a["account_id"])
by_addr = {}
for c in cust:
    by_addr.setdefault(c["address_line1"], c)
firsts = [c for c in by_addr.values() if c["customer_id"] in owned]
# customer k of the first third becomes disponent of an account of customer
# k of the last third: one household across the whole input
n = len(firsts) // 3
with open(d + "/disp.csv", "w", encoding="utf-8") as f:
    f.write("acct,client,type\n")
    for k in range(12):
        x, y = firsts[k * 2], firsts[-1 - k * 3]
        f.write("%s,%s,OWNER\n" % (owned[y["customer_id"]], y["customer_id"]))
        f.write("%s,%s,DISPONENT\n" % (owned[y["customer_id"]], x["customer_id"]))
PY
    set +e
    "$FOLIO" run "$d/job.yaml" --out "$d/a" --threads 1 --quiet; rc0=$?
    "$FOLIO" run "$d/job.yaml" --out "$d/s1" --threads 1 --memory-limit 49M \
        --work "$d/work" >/dev/null 2>"$d/s1.err"; rc1=$?
    "$FOLIO" run "$d/job.yaml" --out "$d/s2" --threads 2 --memory-limit 49M --quiet; rc2=$?
    "$FOLIO" run "$d/job.yaml" --out "$d/s16" --threads 16 --memory-limit 49M --quiet; rc3=$?
    set -e
    cat "$d/s1.err"
    [ "$rc0" = 3 ] && [ "$rc1" = 3 ] && [ "$rc2" = 3 ] && [ "$rc3" = 3 ] || fail_at "$LINENO"
    grep -q "folio: note: this job needs about [0-9]* MiB in memory, above --memory-limit 49 MiB: its tables ([0-9]* MiB) are kept in work files in $d/work" "$d/s1.err" || fail_at "$LINENO"
    python3 - "$d/a" <<'PY'
import json, sys
audit = [json.loads(l) for l in open(sys.argv[1] + "/audit.jsonl", encoding="utf-8")]
by = {}
for a in audit:
    by[a.get("household_by")] = by.get(a.get("household_by"), 0) + 1
assert by.get("shared_accounts", 0) >= 10, by
assert by.get("address", 0) >= 100, by
PY
    ls "$d"/a/print/*.pdf "$d"/a/archive/*.zip "$d"/a/proofs/proof.pdf >/dev/null
    mem_same "$d/a" "$d/s1"
    mem_same "$d/a" "$d/s2"
    mem_same "$d/a" "$d/s16"
    [ -d "$d/work" ] && [ -z "$(ls -A "$d/work")" ] || { ls -la "$d/work"; fail_at "$LINENO"; }
}

# Issue 12 part 1 (round 22): above the budget the run's per-household
# arrays (compose results, plan, households, spool offsets, production
# input and pieces) are mapped from work files too, not only the dataset's
# tables: stopped at the print phase, the run maps at least 16 work files
# (the dataset alone: 6), and it finishes byte-identical to the in-memory
# run after it is continued.
t_memory_spill_arrays() {
    local d="$WORK/mspa"
    "$FOLIO" samples --households 200 --seed 8 --out "$d" >/dev/null
    set +e
    "$FOLIO" run "$d/job.yaml" --out "$d/a" --threads 2 --quiet; rc0=$?
    set -e
    FOLIO_TEST_PHASES=1 FOLIO_TEST_STOP_AT=print "$FOLIO" run "$d/job.yaml" --out "$d/s" \
        --threads 2 --quiet --memory-limit 49M --work "$d/work" 2>"$d/s.err" &
    local pid=$!
    wait_stopped $pid
    local n
    n=$(grep -F "$d/work/" "/proc/$pid/maps" | awk '{print $5}' | sort -u | wc -l)
    kill -CONT $pid
    set +e
    wait $pid; rc1=$?
    set -e
    echo "work files mapped at the print phase: $n"
    [ "$rc0" = "$rc1" ] || fail_at "$LINENO"
    [ "$n" -ge 16 ] || fail_at "$LINENO"
    mem_same "$d/a" "$d/s"
    [ -z "$(ls -A "$d/work")" ] || { ls -la "$d/work"; fail_at "$LINENO"; }
}

# Issue 12 part 1 (round 23): a spilled run drops its work-file pages only
# while its resident memory is above 3/4 of --memory-limit, not at every
# tick: stopped at the print phase (which used to start trimmed) below that
# mark, the pages compose touched are still mapped (main: none); the whole
# run's peak RSS stays under the limit, and its outputs equal the in-memory
# run's.
t_memory_spill_high_water() {
    local d="$WORK/mshw"
    "$FOLIO" samples --households 200 --seed 8 --out "$d" >/dev/null
    set +e
    "$FOLIO" run "$d/job.yaml" --out "$d/a" --threads 2 --quiet; rc0=$?
    set -e
    FOLIO_TEST_PHASES=1 FOLIO_TEST_STOP_AT=print "$FOLIO" run "$d/job.yaml" --out "$d/s" \
        --threads 2 --quiet --memory-limit 49M --work "$d/work" 2>"$d/s.err" &
    local pid=$!
    wait_stopped $pid
    local rss work
    rss=$(awk '/^VmRSS:/{print $2}' "/proc/$pid/status")
    work=$(awk -v w="$d/work/" '/^[0-9a-f]+-/{inw = index($0, w) > 0}
        inw && /^Rss:/{s += $2} END{print s + 0}' "/proc/$pid/smaps")
    kill -CONT $pid
    set +e
    wait $pid; rc1=$?
    set -e
    echo "at the print phase: VmRSS $rss kB, work files resident $work kB"
    [ "$rc0" = "$rc1" ] || fail_at "$LINENO"
    mem_same "$d/a" "$d/s"
    if [ -n "${SANITIZER:-}" ]; then    # its shadow memory alone is above a 49M budget
        echo "sanitizer build: resident sizes not checked"
        return 0
    fi
    [ "$rss" -lt $((49 * 1024 * 3 / 4)) ] || fail_at "$LINENO"   # below the mark
    [ "$work" -ge 512 ] || fail_at "$LINENO"                     # so not trimmed
    if [ -x /usr/bin/time ]; then
        rm -rf "$d/s"
        set +e
        /usr/bin/time -f %M -o "$d/s.time" "$FOLIO" run "$d/job.yaml" --out "$d/s" \
            --threads 2 --quiet --memory-limit 49M; rc1=$?
        set -e
        echo "spilled run: peak RSS $(cat "$d/s.time") kB"
        [ "$rc0" = "$rc1" ] || fail_at "$LINENO"
        [ "$(tail -1 "$d/s.time")" -le $((49 * 1024)) ] || fail_at "$LINENO"
        mem_same "$d/a" "$d/s"
    fi
}

# Issue 12 part 1 (round 26): the load's own loops keep a spilled load under
# its budget.  20,000 sample households (a 53 MB transaction table, 95 MB of
# feeds) under --memory-limit 64M, with no trimmer thread at all (test hook
# FOLIO_TEST_NO_TRIMMER): stopped once loaded (phase plan), the peak RSS is
# below the limit (round 25's load, whose scans and sort did not trim, went
# to the tables' size).  Then a job that runs the load's optional passes
# spilled -- a feed with another scale (the currency check scans every
# row), transactions with order_by (the ledger pass), a transaction
# attribute -- is byte-identical to its in-memory run, and a mixed scale on
# one account is the same error (exit 2) spilled as in memory.
t_memory_load_ticks() {
    local d="$WORK/mlt"
    if [ -n "${SANITIZER:-}" ]; then    # its shadow memory alone is above a 49M budget
        echo "sanitizer build: resident sizes not checked"
    else
        "$FOLIO" samples --households 20000 --seed 11 --out "$d/big" >/dev/null
        FOLIO_TEST_NO_TRIMMER=1 FOLIO_TEST_PHASES=1 FOLIO_TEST_STOP_AT=plan "$FOLIO" run \
            "$d/big/job.yaml" --out "$d/bo" --threads 2 --quiet --memory-limit 64M \
            --work "$d/work" 2>"$d/big.err" &
        local pid=$! hwm
        wait_stopped $pid
        hwm=$(awk '/^VmHWM:/{print $2}' "/proc/$pid/status")
        kill -KILL $pid
        wait $pid 2>/dev/null || true
        echo "loaded without a trimmer thread: VmHWM $hwm kB (limit 65536 kB)"
        grep -q "^folio: phase plan$" "$d/big.err" || fail_at "$LINENO"
        [ "$hwm" -le $((64 * 1024)) ] || fail_at "$LINENO"
        rm -rf "$d/big" "$d/bo"
    fi
    "$FOLIO" samples --households 300 --seed 12 --with-errors --out "$d/f" >/dev/null
    python3 - "$d/f" <<'PY'
import csv, sys
d = sys.argv[1]
job = open(d + "/job.yaml", encoding="utf-8").read()
def sub(a, b):
    global job
    assert a in job, a
    job = job.replace(a, b, 1)
sub("""    path: contact_history.csv
""", """    path: contact_history.csv
    dialect: {minor_digits: 3}
""")
sub("""    path: checking_transactions.csv
    columns:
""", """    path: checking_transactions.csv
    attributes:
      posted: {column: posting_date, type: date}
    columns:
      order_by: seq
""")
open(d + "/job.yaml", "w", encoding="utf-8").write(job)
rows = list(csv.DictReader(open(d + "/checking_transactions.csv", encoding="utf-8",
                                errors="surrogateescape")))
with open(d + "/checking_transactions.csv", "w", encoding="utf-8", errors="surrogateescape",
          newline="") as f:
    w = csv.DictWriter(f, fieldnames=list(rows[0].keys()) + ["seq"], lineterminator="\n")
    w.writeheader()
    for i, r in enumerate(rows):
        r["seq"] = str(-i)          # the same day's rows in reverse file order
        w.writerow(r)
PY
    set +e
    "$FOLIO" run "$d/f/job.yaml" --out "$d/a" --threads 2 --quiet; rc0=$?
    FOLIO_TEST_NO_TRIMMER=1 "$FOLIO" run "$d/f/job.yaml" --out "$d/s1" --threads 1 --quiet \
        --memory-limit 49M; rc1=$?
    "$FOLIO" run "$d/f/job.yaml" --out "$d/s2" --threads 2 --quiet --memory-limit 49M; rc2=$?
    set -e
    echo "exit codes: $rc0 $rc1 $rc2"
    [ "$rc0" = 3 ] && [ "$rc1" = 3 ] && [ "$rc2" = 3 ] || fail_at "$LINENO"
    mem_same "$d/a" "$d/s1"
    mem_same "$d/a" "$d/s2"
    # the order_by column moved rows: a day with two rows prints them reversed
    python3 - "$d/f" "$d/a" <<'PY'
import csv, glob, subprocess, sys
d, out = sys.argv[1:3]
rows = list(csv.DictReader(open(d + "/checking_transactions.csv", encoding="utf-8",
                                errors="surrogateescape")))
txt = " ".join(subprocess.run(["pdftotext", "-raw", f, "-"], capture_output=True, text=True,
                              check=True).stdout for f in sorted(glob.glob(out + "/print/*.pdf")))
txt = " ".join(txt.split())
seen, fwd, rev = {}, 0, 0
for r in rows:                      # two rows of one account and day, texts printed once
    k = (r["account_id"], r["posting_date"])
    if k in seen:
        x, y = (" ".join(seen[k]["description"].split()), " ".join(r["description"].split()))
        if x != y and txt.count(x) == 1 and txt.count(y) == 1:
            fwd, rev = fwd + (txt.find(x) < txt.find(y)), rev + (txt.find(y) < txt.find(x))
    seen[k] = r
print("same-day pairs printed in reverse file order:", rev, "in file order:", fwd)
assert rev >= 100 and fwd * 100 <= rev, (rev, fwd)   # a text can repeat by chance
PY
    # a mixed scale on one account's rows: the same job error spilled as in memory
    sed -i 's/^    dialect: {minor_digits: 3}$//' "$d/f/job.yaml"
    python3 - "$d/f/job.yaml" <<'PY'
import sys
p = sys.argv[1]
job = open(p, encoding="utf-8").read()
a = "    path: savings_transactions.csv\n"
assert a in job
open(p, "w", encoding="utf-8").write(job.replace(a, a + "    dialect: {minor_digits: 3}\n", 1))
PY
    set +e
    "$FOLIO" run "$d/f/job.yaml" --out "$d/e" --quiet 2>"$d/e.err"; rc0=$?
    "$FOLIO" run "$d/f/job.yaml" --out "$d/es" --quiet --memory-limit 49M 2>"$d/es.err"; rc1=$?
    set -e
    cat "$d/e.err"
    [ "$rc0" = 2 ] && [ "$rc1" = 2 ] || fail_at "$LINENO"
    grep -q "reads amounts with 3 decimals, but its row at .*savings_transactions.csv line" \
        "$d/e.err" || fail_at "$LINENO"
    cmp "$d/e.err" "$d/es.err" || fail_at "$LINENO"
}

run_test memory_work t_memory_work
run_test memory_spill_high_water t_memory_spill_high_water
run_test memory_spill_arrays t_memory_spill_arrays
run_test memory_limit t_memory_limit
run_test memory_spill t_memory_spill
run_test memory_load_ticks t_memory_load_ticks
