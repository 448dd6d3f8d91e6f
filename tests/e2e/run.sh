#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# End-to-end tests of the folio binary on generated data.
# Each test runs folio and checks real outcomes: qpdf --check, pdftotext,
# pdfinfo, and independent arithmetic over the input CSVs (tests/e2e/check.py).
# Prints one line per test ("ok   NAME" / "FAIL NAME (log: PATH)") and
# "e2e: N passed, N failed" last; exit status 1 if anything failed.  A failed
# test's full output is kept in $E2E_LOGDIR/NAME.log (default
# build/test-logs/e2e; CI also shows its last lines); times.txt there has
# each test's wall and CPU seconds.
set -u
ROOT="$(cd "$(dirname "$0")/../.." && pwd)"
FOLIO="${FOLIO:-$ROOT/build/folio}"
CHECK="python3 $ROOT/tests/e2e/check.py"
WORK="$(mktemp -d "${TMPDIR:-/tmp}/folio-e2e.XXXXXX")"
# (and the queued tests' subshells if the runner itself ends early)
trap 'kill $(jobs -pr) 2>/dev/null; rm -rf "$WORK"' EXIT
. "$ROOT/tests/python-path.sh" "$WORK"
export FOLIO ROOT WORK
pass=0; fail=0; failed_names=()
E2E_LOGDIR="${E2E_LOGDIR:-$ROOT/build/test-logs/e2e}"
mkdir -p "$E2E_LOGDIR"
rm -f "$E2E_LOGDIR"/*.log "$E2E_LOGDIR/times.txt"

# An assertion written as "A && B" does not stop a test under set -e when A
# fails (only the last command of a list counts): such lines end in
# "|| fail_at $LINENO".
fail_at() { echo "assertion failed at line $1"; exit 1; }

# wait_stopped PID: a run started with FOLIO_TEST_PHASES=1 and
# FOLIO_TEST_STOP_AT=PHASE stops itself (SIGSTOP) once it has announced
# PHASE; this waits until it has (state T), so whatever the test then sends
# (SIGTERM, SIGKILL, a second run, a planted file) meets the run in that
# phase however fast the phase is; "kill -CONT PID" lets it go on.
wait_stopped() {
    local i st
    for i in $(seq 1 6000); do
        st=$(awk '{print $3}' "/proc/$1/stat" 2>/dev/null || true)
        [ "$st" = T ] && return 0
        [ -z "$st" ] && { echo "process $1 ended before it stopped"; return 1; }
        sleep 0.01
    done
    echo "process $1 never stopped"; return 1
}

# child_cpu_ms: user+sys milliseconds of this shell's finished children (the
# second line of bash's "times", which must run in this shell, not in $(...));
# the scratch file is per shell ($BASHPID): tests run side by side
child_cpu_ms() {
    times > "$WORK/.times.$BASHPID"
    awk 'NR == 2 {
        n = 0
        for (i = 1; i <= 2; i++) { split($i, a, "m"); sub("s", "", a[2]); n += a[1] * 60000 + a[2] * 1000 }
        printf "%d\n", n }' "$WORK/.times.$BASHPID"
}

# The runner.  E2E_JOBS tests run side by side (default 2; E2E_JOBS=1: one
# after the other in list order, as before round 28).  The tests of one file
# (run.sh's own, each sourced file's) run one after the other in list order,
# as a later test may use an earlier one's files; different files' tests run
# in parallel, each in its own subshell (they use distinct $WORK/NAME dirs).
# A test that measures time or races a signal against a clock runs alone:
# "run_alone NAME FUNCTION" instead of "run_test ...".  Results are printed
# in list order whatever order the tests end in.
# run_test forks test I's subshell, which waits for a line on $Q/I.go; once
# the list is read, e2e_dispatch starts the tests, the first one in list
# order whose file's earlier tests have ended first, and reads each ended
# test's index from $Q/done; $Q/I.res is "rc wall cpu", $Q/I.log its output.
E2E_JOBS="${E2E_JOBS:-2}"
[[ "$E2E_JOBS" =~ ^[1-9][0-9]*$ ]] || { echo "E2E_JOBS must be a number >= 1"; exit 2; }
Q="$WORK/.queue"
mkdir -p "$Q"
mkfifo "$Q/done"
exec 6<>"$Q/done"
e2e_n=0; e2e_next=0
declare -A e2e_last   # file -> index of its last queued test
e2e_prev=(); e2e_alone=()

# e2e_one I NAME CMD...: test I, in its own subshell
e2e_one() {
    local i="$1" name="$2" go
    shift 2
    [ "$E2E_JOBS" = 1 ] || read -r go < "$Q/$i.go"
    export E2E_TEST="$name"
    local t0=$SECONDS c0 c1 rc me=$BASHPID
    child_cpu_ms > "$WORK/.c0.$me"; c0=$(cat "$WORK/.c0.$me")
    # not "if ( set -e; ... )": bash ignores -e inside an if condition, so an
    # assertion in the middle of a test could never fail it
    ( set -e; "$@" ) >"$Q/$i.log" 2>&1 6>&-   # a plain command: -e is honoured
    rc=$?
    child_cpu_ms > "$WORK/.c1.$me"; c1=$(cat "$WORK/.c1.$me")
    echo "$rc $((SECONDS - t0)) $((c1 - c0))" > "$Q/$i.res"
    echo "$i" >&6
}

# e2e_report: print the ended tests' lines in list order
e2e_report() {
    local name rc wall cpu log
    while [ "$e2e_next" -lt "$e2e_n" ] && [ -e "$Q/$e2e_next.res" ]; do
        name=$(cat "$Q/$e2e_next.name"); read -r rc wall cpu < "$Q/$e2e_next.res"
        log="$Q/$e2e_next.log"
        e2e_next=$((e2e_next + 1))
        # wall seconds and CPU seconds (user+sys of everything the test ran) per
        # test, to keep make test within its budget (sort -n times.txt); on a
        # shared machine the CPU figure is the one to compare
        printf '%d %d.%03d %s\n' "$wall" $((cpu / 1000)) $((cpu % 1000)) "$name" \
            >> "$E2E_LOGDIR/times.txt"
        if [ "$rc" = 0 ]; then
            # a test that could not run says so on the console (round 23 audit)
            pass=$((pass + 1)); echo "ok   $name$(sed -n '/^SKIP /{s/^/ (/;s/$/)/;p;q}' "$log")"
        else
            fail=$((fail + 1)); failed_names+=("$name")
            cp "$log" "$E2E_LOGDIR/$name.log"
            echo "FAIL $name (log: $E2E_LOGDIR/$name.log)"
            # CI keeps only the console: show the end of the log there
            if [ -n "${CI:-}" ]; then sed 's/^/     /' "$log" | tail -40; fi
        fi
    done
}

# e2e_dispatch: run the queued tests, E2E_JOBS at a time (a run_alone test
# with none beside it), the first startable in list order first
e2e_dispatch() {
    local -a st=()   # "" queued, r running, d done
    local i j p running=0 alone=0 ended=0
    while [ "$ended" -lt "$e2e_n" ]; do
        for ((i = e2e_next; i < e2e_n && running < E2E_JOBS && alone == 0; i++)); do
            [ -z "${st[$i]:-}" ] || continue
            p="${e2e_prev[$i]}"
            [ -z "$p" ] || [ "${st[$p]:-}" = d ] || continue
            if [ -n "${e2e_alone[$i]}" ]; then
                # nothing after it starts before it: the lanes drain for it
                [ "$running" = 0 ] || break
                alone=1
            fi
            st[$i]=r; running=$((running + 1))
            echo go > "$Q/$i.go"
        done
        read -r j <&6
        st[$j]=d; running=$((running - 1)); ended=$((ended + 1))
        [ -z "${e2e_alone[$j]}" ] || alone=0
        e2e_report
    done
}

run_test() {
    local name="$1"; shift
    # E2E_ONLY=REGEX runs only the tests whose name matches (during development)
    if [ -n "${E2E_ONLY:-}" ] && ! [[ "$name" =~ $E2E_ONLY ]]; then return 0; fi
    local i=$e2e_n file="${E2E_FILE:-${BASH_SOURCE[1]:--}}"
    e2e_prev[$i]="${e2e_last[$file]:-}"
    e2e_alone[$i]="${E2E_ALONE:-}"
    e2e_last[$file]=$i
    e2e_n=$((e2e_n + 1))
    echo "$name" > "$Q/$i.name"
    if [ "$E2E_JOBS" = 1 ]; then
        ( e2e_one "$i" "$name" "$@" )
        read -r _ <&6
        e2e_report
    else
        mkfifo "$Q/$i.go"
        ( e2e_one "$i" "$name" "$@" ) &
    fi
}
run_alone() { E2E_ALONE=1 E2E_FILE="${BASH_SOURCE[1]}" run_test "$@"; }

# A copy of the sample layout that prints full account numbers, so tests can
# find every account id in the PDF text.
full_layout() {   # one per test (tests run side by side), beside logo.png
    local f="$ROOT/layouts/.e2e-full-${E2E_TEST:-x}.yaml"
    sed -e 's/mask: *last4/mask: full/' "$ROOT/layouts/statement.yaml" > "$f"
    echo "$f"
}

use_layout() {   # use_layout JOB LAYOUT
    python3 - "$1" "$2" <<'PY'
import re, sys
job, layout = sys.argv[1], sys.argv[2]
s = open(job, encoding="utf-8").read()
s = re.sub(r'(?m)^layout:.*$', 'layout: "%s"' % layout, s)
open(job, "w", encoding="utf-8").write(s)
PY
}

t_cli() {
    "$FOLIO" --version | grep -q '^folio [0-9]'
    "$FOLIO" --help | grep -q '^  run JOB.yaml'
    "$FOLIO" run --help | grep -q -- '--threads'
    "$FOLIO" samples --help | grep -q -- '--households'
    set +e
    "$FOLIO" frobnicate 2>"$WORK/cli.err"; rc=$?
    set -e
    [ "$rc" = 2 ] && grep -q "unknown command" "$WORK/cli.err" || fail_at "$LINENO"
    set +e
    "$FOLIO" run --threads 0 job.yaml 2>/dev/null; rc=$?
    set -e
    [ "$rc" = 2 ]
}

t_samples_deterministic() {
    "$FOLIO" samples --households 300 --seed 7 --out "$WORK/s1" --threads 1 >/dev/null
    "$FOLIO" samples --households 300 --seed 7 --out "$WORK/s2" --threads 2 >/dev/null
    for f in "$WORK"/s1/*.csv; do cmp "$f" "$WORK/s2/$(basename "$f")"; done
}

# The main end-to-end run: sample feeds with a few bad rows.
t_end_to_end() {
    "$FOLIO" samples --households 400 --seed 11 --out "$WORK/e2e" --with-errors >/dev/null
    use_layout "$WORK/e2e/job.yaml" "$(full_layout)"
    set +e
    "$FOLIO" run "$WORK/e2e/job.yaml" --out "$WORK/e2e/out1" --threads 1 --quiet; rc=$?
    set -e
    [ "$rc" = 3 ] || { echo "expected exit 3 (rejects), got $rc"; exit 1; }
    ls "$WORK"/e2e/out1/print/*.pdf >/dev/null
    for f in "$WORK"/e2e/out1/print/*.pdf; do qpdf --check "$f" >/dev/null; done
    $CHECK end-to-end "$WORK/e2e" "$WORK/e2e/out1"
}

t_threads_identical() {
    [ -d "$WORK/e2e/out1" ] || { echo "needs t_end_to_end"; exit 1; }
    set +e
    "$FOLIO" run "$WORK/e2e/job.yaml" --out "$WORK/e2e/out2" --threads 2 --quiet; rc2=$?
    "$FOLIO" run "$WORK/e2e/job.yaml" --out "$WORK/e2e/out16" --threads 16 --quiet; rc16=$?
    set -e
    [ "$rc2" = 3 ] && [ "$rc16" = 3 ] || fail_at "$LINENO"
    for f in manifest.json rejects.csv suppressed.csv audit.jsonl contact_history.csv $(cd "$WORK/e2e/out1" && ls print/*.pdf print/*.pieces.csv); do
        cmp "$WORK/e2e/out1/$f" "$WORK/e2e/out2/$f"
        cmp "$WORK/e2e/out1/$f" "$WORK/e2e/out16/$f"
    done
}

t_split_files() {
    [ -d "$WORK/e2e" ] || { echo "needs t_end_to_end"; exit 1; }
    sed -e 's/max_sheets: *[0-9]*/max_sheets: 60/' "$WORK/e2e/job.yaml" > "$WORK/e2e/job-split.yaml"
    set +e
    "$FOLIO" run "$WORK/e2e/job-split.yaml" --out "$WORK/e2e/split" --quiet; rc=$?
    set -e
    [ "$rc" = 3 ]
    n=$(ls "$WORK"/e2e/split/print/*.pdf | wc -l)
    [ "$n" -gt 5 ] || { echo "expected several files, got $n"; exit 1; }
    $CHECK split "$WORK/e2e/split" 60
}

t_pagination() {
    python3 "$ROOT/tests/e2e/make_paginate.py" "$WORK/pg" "$ROOT/layouts/statement.yaml" 400
    "$FOLIO" run "$WORK/pg/job.yaml" --out "$WORK/pg/out" --quiet
    $CHECK paginate "$WORK/pg" "$WORK/pg/out" 400
}

t_a4_layout() {
    python3 "$ROOT/tests/e2e/make_paginate.py" "$WORK/a4" "$ROOT/layouts/statement-a4.yaml" 120
    "$FOLIO" run "$WORK/a4/job.yaml" --out "$WORK/a4/out" --quiet
    pdfinfo "$WORK"/a4/out/print/*.pdf | grep -q 'Page size: *595.* x 841.*'
    $CHECK paginate "$WORK/a4" "$WORK/a4/out" 120
}

t_bad_job() {
    mkdir -p "$WORK/bad"
    cp "$WORK/e2e/job.yaml" "$WORK/bad/job.yaml" 2>/dev/null || "$FOLIO" samples --households 5 --out "$WORK/bad" >/dev/null
    # an unknown key on a known line
    python3 - "$WORK/bad/job.yaml" <<'PY'
import sys
p = sys.argv[1]
lines = open(p, encoding="utf-8").read().split("\n")
for i, l in enumerate(lines):
    if l.startswith("statement:"):
        lines.insert(i + 1, "  colour: blue")
        print(i + 2)
        break
open(p.replace("job.yaml", "bad.yaml"), "w", encoding="utf-8").write("\n".join(lines))
PY
    line=$(grep -n '  colour: blue' "$WORK/bad/bad.yaml" | cut -d: -f1)
    set +e
    "$FOLIO" run "$WORK/bad/bad.yaml" --out "$WORK/bad/out" 2>"$WORK/bad/err"; rc=$?
    set -e
    cat "$WORK/bad/err"
    [ "$rc" = 2 ]
    grep -q "bad.yaml:$line:" "$WORK/bad/err"
    grep -q "colour" "$WORK/bad/err"
    [ ! -e "$WORK/bad/out/manifest.json" ]
    # a YAML syntax error
    printf 'job: {name: "x"\nstatement: [\n' > "$WORK/bad/syntax.yaml"
    set +e
    "$FOLIO" run "$WORK/bad/syntax.yaml" 2>"$WORK/bad/err2"; rc=$?
    set -e
    cat "$WORK/bad/err2"
    [ "$rc" = 2 ] && grep -q "syntax.yaml:[0-9]*:" "$WORK/bad/err2" || fail_at "$LINENO"
    # a missing feed file: a job error (2) naming the file, nothing published
    sed -e 's/customers.csv/nowhere.csv/' "$WORK/bad/job.yaml" > "$WORK/bad/missing.yaml"
    set +e
    "$FOLIO" run "$WORK/bad/missing.yaml" --out "$WORK/bad/out3" 2>"$WORK/bad/err3"; rc=$?
    set -e
    cat "$WORK/bad/err3"
    [ "$rc" = 2 ] && grep -q "nowhere.csv" "$WORK/bad/err3" || fail_at "$LINENO"
    [ ! -e "$WORK/bad/out3/manifest.json" ]
}

t_failed_run_publishes_nothing() {
    [ -d "$WORK/e2e" ] || { echo "needs t_end_to_end"; exit 1; }
    mkdir -p "$WORK/fail/out"
    echo '{"stale": true}' > "$WORK/fail/out/manifest.json"
    touch "$WORK/fail/out/print"          # print/ cannot be created: the run must fail
    set +e
    "$FOLIO" run "$WORK/e2e/job.yaml" --out "$WORK/fail/out" --quiet 2>"$WORK/fail/err"; rc=$?
    set -e
    cat "$WORK/fail/err"
    [ "$rc" = 1 ]
    [ ! -e "$WORK/fail/out/manifest.json" ] || { echo "stale manifest survived a failed run"; exit 1; }
}

t_french_locale() {
    [ -d "$WORK/e2e/out1" ] || { echo "needs t_end_to_end"; exit 1; }
    set +e
    LC_ALL=fr_FR.UTF-8 "$FOLIO" run "$WORK/e2e/job.yaml" --out "$WORK/e2e/outfr" --threads 2 --quiet; rc=$?
    set -e
    [ "$rc" = 3 ]
    for f in manifest.json $(cd "$WORK/e2e/out1" && ls print/*.pdf); do
        cmp "$WORK/e2e/out1/$f" "$WORK/e2e/outfr/$f"
    done
}

# Mail streams, presort and splitting on the sample feeds: simplex at 40
# sheets per file, then duplex at 25; every file verified by folio verify.
t_production_streams() {
    [ -d "$WORK/e2e" ] || { echo "needs t_end_to_end"; exit 1; }
    sed -e 's/max_sheets: *[0-9]*/max_sheets: 40/' "$WORK/e2e/job.yaml" > "$WORK/e2e/job-prod.yaml"
    set +e
    "$FOLIO" run "$WORK/e2e/job-prod.yaml" --out "$WORK/e2e/prod" --quiet; rc=$?
    set -e
    [ "$rc" = 3 ]
    ls "$WORK"/e2e/prod/print/*-letters-0002.pdf >/dev/null
    $CHECK production "$WORK/e2e" "$WORK/e2e/prod" 40
    "$FOLIO" verify "$WORK/e2e/prod" | grep -q '^verified [0-9]* files'
    sed -e 's/max_sheets: *[0-9]*/max_sheets: 25/' -e 's/duplex: *false/duplex: true/' \
        "$WORK/e2e/job.yaml" > "$WORK/e2e/job-duplex.yaml"
    grep -q 'duplex: true' "$WORK/e2e/job-duplex.yaml"
    set +e
    "$FOLIO" run "$WORK/e2e/job-duplex.yaml" --out "$WORK/e2e/duplex" --quiet; rc=$?
    set -e
    [ "$rc" = 3 ]
    $CHECK production "$WORK/e2e" "$WORK/e2e/duplex" 25
    "$FOLIO" verify "$WORK/e2e/duplex"
}

# A household with 30 pages goes to the flats stream; a custom stream list
# sends a household to "branch" by id.
t_flats_30_pages() {
    python3 "$ROOT/tests/e2e/make_paginate.py" "$WORK/flats" "$ROOT/layouts/statement.yaml" 1370
    "$FOLIO" run "$WORK/flats/job.yaml" --out "$WORK/flats/out" --quiet
    python3 - "$WORK/flats/out" <<'PY'
import csv, glob, json, os, sys
out = sys.argv[1]
audit = {json.loads(l)["household"]: json.loads(l) for l in open(os.path.join(out, "audit.jsonl"))}
h1 = audit["H1"]
assert h1["pages"] >= 30, "H1 has only %d pages: raise N" % h1["pages"]
assert h1["stream"] == "flats", h1
assert audit["H2"]["stream"] == "letters", audit["H2"]
sys.path.insert(0, os.path.join(os.environ["ROOT"], "tests", "e2e")); import folio_csv
rows = [r for p in sorted(glob.glob(os.path.join(out, "print", "*.pieces.csv"))) for r in folio_csv.DictReader(open(p, newline=""))]
big = [r for r in rows if r["household"] == "H1"][0]
assert big["stream"] == "flats" and big["file"].startswith("statements-flats-") and int(big["pages"]) == h1["pages"], big
m = json.load(open(os.path.join(out, "manifest.json")))
st = {s["name"]: s for s in m["streams"]}
assert st["flats"]["statements"] == 1 and st["letters"]["statements"] == 1 and st["foreign"]["statements"] == 0
print("H1: %d pages -> flats" % h1["pages"])
PY
    $CHECK production "$WORK/flats" "$WORK/flats/out" 1000
    "$FOLIO" verify "$WORK/flats/out"
    # custom streams: H2 returns to the branch, the rest falls to "other"
    python3 - "$WORK/flats/job.yaml" <<'PY'
import sys
p = sys.argv[1]
s = open(p).read().replace("output:\n", "output:\n  streams:\n    - {name: branch, household_ids: [H2]}\n"
                          "    - {name: big, min_sheets: 50}\n  pieces: {serial_start: 7000, mailer_id: \"901234567\"}\n")
open(p.replace("job.yaml", "job-branch.yaml"), "w").write(s)
PY
    "$FOLIO" run "$WORK/flats/job-branch.yaml" --out "$WORK/flats/branch" --quiet
    ls "$WORK"/flats/branch/print/statements-branch-0001.pdf "$WORK"/flats/branch/print/statements-other-0001.pdf
    head -2 "$WORK/flats/branch/print/statements-branch-0001.pieces.csv" | tail -1 | grep -q '^P0000001,H2,1,1,statements-branch-0001.pdf,1,1,007000,branch$'
    grep -q '^P0000002,H1,.*,007001,other$' "$WORK/flats/branch/print/statements-other-0001.pieces.csv"
    "$FOLIO" verify "$WORK/flats/branch"
}

# folio verify: passes on a fresh run, fails on one changed byte of a print
# file or a pieces file, a missing file, an unlisted file; usage errors exit 2.
t_verify() {
    [ -d "$WORK/e2e/out1" ] || { echo "needs t_end_to_end"; exit 1; }
    "$FOLIO" verify "$WORK/e2e/out1" > "$WORK/v.out"
    cat "$WORK/v.out"
    grep -q '^verified [0-9]* files$' "$WORK/v.out"
    flip() {    # flip DIR FILE: copy the run to DIR and change one byte of FILE in the middle
        rm -rf "$1"; cp -r "$WORK/e2e/out1" "$1"
        python3 - "$1/$2" <<'PY'
import sys
p = sys.argv[1]
b = bytearray(open(p, "rb").read())
b[len(b) // 2] ^= 0x01
open(p, "wb").write(b)
PY
    }
    pdf=$(cd "$WORK/e2e/out1" && ls print/*.pdf | head -1)
    flip "$WORK/v1" "$pdf"
    set +e
    "$FOLIO" verify "$WORK/v1" > "$WORK/v1.out"; rc=$?
    set -e
    cat "$WORK/v1.out"
    [ "$rc" = 1 ] && grep -q "MISMATCH $pdf: sha256" "$WORK/v1.out" || fail_at "$LINENO"
    pieces=$(cd "$WORK/e2e/out1" && ls print/*.pieces.csv | head -1)
    flip "$WORK/v2" "$pieces"
    set +e
    "$FOLIO" verify "$WORK/v2" > "$WORK/v2.out"; rc=$?
    set -e
    [ "$rc" = 1 ] && grep -q "MISMATCH $pieces" "$WORK/v2.out" || fail_at "$LINENO"
    # the audit trail and the rejects are protected too
    for rec in audit.jsonl rejects.csv; do
        flip "$WORK/v4" "$rec"
        set +e
        "$FOLIO" verify "$WORK/v4" > "$WORK/v4.out"; rc=$?
        set -e
        [ "$rc" = 1 ] && grep -q "MISMATCH $rec: sha256" "$WORK/v4.out" || fail_at "$LINENO"
    done
    rm -rf "$WORK/v3"; cp -r "$WORK/e2e/out1" "$WORK/v3"
    rm "$WORK/v3/$pdf"; touch "$WORK/v3/print/stray.pdf"
    set +e
    "$FOLIO" verify "$WORK/v3" > "$WORK/v3.out"; rc=$?
    set -e
    cat "$WORK/v3.out"
    [ "$rc" = 1 ] && grep -q "MISMATCH $pdf: cannot read" "$WORK/v3.out" && grep -q "stray.pdf: in print/ but not in the manifest" "$WORK/v3.out" || fail_at "$LINENO"
    set +e
    "$FOLIO" verify 2>/dev/null; rc=$?
    [ "$rc" = 2 ] || exit 1
    "$FOLIO" verify "$WORK/nowhere" >"$WORK/nowhere.out" 2>"$WORK/nowhere.err"; rc=$?
    # issue 16: a missing OUT is a usage error, told on stderr
    [ "$rc" = 2 ] && [ ! -s "$WORK/nowhere.out" ] && grep -q "nowhere: No such file" "$WORK/nowhere.err" || exit 1
    set -e
}

# Offers (docs/offers.md): the samples job with its catalogue and contact
# history, printed duplex so empty back sides are filled too; threads give
# identical outputs; audit, manifest, contact history and the PDFs agree
# (check_offers.py); a second run fed the written contact history enforces
# the frequency caps.
t_offers() {
    "$FOLIO" samples --households 500 --seed 5 --out "$WORK/of" >/dev/null || exit 1
    grep -q '^offers:' "$WORK/of/job.yaml" || exit 1
    grep -q 'path: contact_history.csv' "$WORK/of/job.yaml" || exit 1
    sed -i 's/duplex: false/duplex: true/' "$WORK/of/job.yaml" || exit 1
    "$FOLIO" run "$WORK/of/job.yaml" --out "$WORK/of/out1" --threads 2 --quiet || exit 1
    "$FOLIO" run "$WORK/of/job.yaml" --out "$WORK/of/out1t" --threads 1 --quiet || exit 1
    for f in audit.jsonl contact_history.csv manifest.json $(cd "$WORK/of/out1" && ls print/*.pdf); do
        cmp "$WORK/of/out1/$f" "$WORK/of/out1t/$f" || exit 1
    done
    grep -q '"slot":"back"' "$WORK/of/out1/audit.jsonl" || exit 1
    python3 "$ROOT/tests/e2e/check_offers.py" run "$WORK/of" "$WORK/of/out1" "$ROOT/layouts/offers.yaml" || exit 1
    sed "s#path: contact_history.csv#path: $WORK/of/out1/contact_history.csv#" "$WORK/of/job.yaml" > "$WORK/of/job2.yaml" || exit 1
    "$FOLIO" run "$WORK/of/job2.yaml" --out "$WORK/of/out2" --quiet || exit 1
    python3 "$ROOT/tests/e2e/check_offers.py" next-month "$WORK/of/out1" "$WORK/of/out2" "$ROOT/layouts/offers.yaml" || exit 1
    # a bad rule in the catalogue: exit 2, file:line:column and a caret
    sed -e "s/rule: 'card.utilization > 0.6'/rule: 'card.utilisation > 0.6'/" "$ROOT/layouts/offers.yaml" > "$WORK/of/bad-offers.yaml" || exit 1
    line=$(grep -n "card.utilisation" "$WORK/of/bad-offers.yaml" | cut -d: -f1)
    sed "s#^  catalogue: .*#  catalogue: \"$WORK/of/bad-offers.yaml\"#" "$WORK/of/job.yaml" > "$WORK/of/job-bad.yaml" || exit 1
    set +e
    "$FOLIO" run "$WORK/of/job-bad.yaml" --out "$WORK/of/bad" 2>"$WORK/of/bad.err"; rc=$?
    set -e
    cat "$WORK/of/bad.err"
    [ "$rc" = 2 ] || exit 1
    grep -q "bad-offers.yaml:$line:12: unknown field" "$WORK/of/bad.err" || exit 1
    grep -q '^ *\^' "$WORK/of/bad.err" || exit 1
}

# Content variations: language by the primary customer, state disclosures,
# the welcome paragraph -- decided independently by check_variations.py from
# the customers feed and compared with pdftotext and the audit trail; the same
# bytes under a French locale; a missing translation falls back, reported;
# unknown merge fields in the layout or the paragraph library are exit 2.
CHECKV="python3 $ROOT/tests/e2e/check_variations.py"
t_variations() {
    "$FOLIO" samples --households 600 --seed 23 --out "$WORK/var" >/dev/null
    "$FOLIO" run "$WORK/var/job.yaml" --out "$WORK/var/out" --threads 2 --quiet 2>"$WORK/var/err"
    [ ! -s "$WORK/var/err" ] || { cat "$WORK/var/err"; echo "unexpected warnings"; exit 1; }
    $CHECKV run "$WORK/var" "$WORK/var/out"
    LC_ALL=fr_FR.UTF-8 "$FOLIO" run "$WORK/var/job.yaml" --out "$WORK/var/fr" --threads 1 --quiet
    for f in manifest.json audit.jsonl $(cd "$WORK/var/out" && ls print/*.pdf); do
        [ "$f" = manifest.json ] && continue
        cmp "$WORK/var/out/$f" "$WORK/var/fr/$f"
    done
    # the Spanish summary title removed: Spanish statements fall back, reported
    L="$ROOT/layouts/.e2e-var-missing.yaml"
    sed -e 's/title: {en: "Account summary", es: "Resumen de cuentas"}/title: {en: "Account summary"}/' \
        "$ROOT/layouts/statement.yaml" > "$L"
    ! cmp -s "$L" "$ROOT/layouts/statement.yaml"
    cp "$WORK/var/job.yaml" "$WORK/var/job-missing.yaml"
    use_layout "$WORK/var/job-missing.yaml" "$L"
    "$FOLIO" run "$WORK/var/job-missing.yaml" --out "$WORK/var/missing" --quiet 2>"$WORK/var/err2"
    cat "$WORK/var/err2"
    grep -q "^folio: $L:[0-9]*:[0-9]*: warning: 'summary.title' has no 'es' text; the 'en' text is used$" "$WORK/var/err2"
    $CHECKV fallback "$WORK/var" "$WORK/var/missing" summary.title
    # an unknown merge field in a Spanish layout text: exit 2 at its position
    sed -e 's/es: "Resumen de cuentas"/es: "Resumen de {customer.shoe_size}"/' \
        "$ROOT/layouts/statement.yaml" > "$L"
    line=$(grep -n 'customer.shoe_size' "$L" | cut -d: -f1)
    col=$(( $(sed -n "${line}p" "$L" | sed 's/{customer.shoe_size.*//' | wc -c) ))
    set +e
    "$FOLIO" run "$WORK/var/job-missing.yaml" --out "$WORK/var/bad" 2>"$WORK/var/err3"; rc=$?
    set -e
    cat "$WORK/var/err3"
    [ "$rc" = 2 ] && grep -q "$L:$line:$col: unknown merge field {customer.shoe_size}" "$WORK/var/err3" || fail_at "$LINENO"
    [ ! -e "$WORK/var/bad/manifest.json" ]
    # ... and in the paragraph library
    LIB="$ROOT/layouts/.e2e-var-lib.yaml"
    sed -e 's/Bienvenido a {bank.name}, {customer.first_name}/Bienvenido a {bank.name}, {customer.nickname}/' \
        "$ROOT/layouts/paragraphs.yaml" > "$LIB"
    sed -e "s|library: paragraphs.yaml|library: $LIB|" "$ROOT/layouts/statement.yaml" > "$L"
    line=$(grep -n 'customer.nickname' "$LIB" | cut -d: -f1)
    col=$(( $(sed -n "${line}p" "$LIB" | sed 's/{customer.nickname.*//' | wc -c) ))
    set +e
    "$FOLIO" run "$WORK/var/job-missing.yaml" --out "$WORK/var/bad" 2>"$WORK/var/err4"; rc=$?
    set -e
    cat "$WORK/var/err4"
    [ "$rc" = 2 ] && grep -q "$LIB:$line:$col: 'paragraphs\[0\].text.es': unknown merge field {customer.nickname}" "$WORK/var/err4" || fail_at "$LINENO"
    rm -f "$L" "$LIB"
}

# Proof sample (issue 5 part 3): the e2e run prints full account numbers, so
# masking is tested for real; the sample is checked against a greedy cover
# recomputed from audit.jsonl, and must be identical on a rerun and at any
# thread count.
with_proofs() {   # with_proofs JOB OUT_JOB 'YAML MAP'
    python3 - "$1" "$2" "$3" <<'PY'
import sys
src, dst, m = sys.argv[1:4]
s = open(src, encoding="utf-8").read().replace("output:\n", "output:\n  proofs: %s\n" % m, 1)
open(dst, "w", encoding="utf-8").write(s)
PY
}

t_proofs() {
    [ -d "$WORK/e2e/out1" ] || { echo "needs t_end_to_end"; exit 1; }
    $CHECK proofs "$WORK/e2e/out1"
    set +e
    "$FOLIO" run "$WORK/e2e/job.yaml" --out "$WORK/e2e/proof-rerun" --threads 1 --quiet; rc1=$?
    "$FOLIO" run "$WORK/e2e/job.yaml" --out "$WORK/e2e/proof-t2" --threads 2 --quiet; rc2=$?
    set -e
    [ "$rc1" = 3 ] && [ "$rc2" = 3 ] || fail_at "$LINENO"
    for f in proofs/proof.pdf proofs/proofs.json audit.jsonl; do
        cmp "$WORK/e2e/out1/$f" "$WORK/e2e/proof-rerun/$f"
        cmp "$WORK/e2e/out1/$f" "$WORK/e2e/proof-t2/$f"
    done
    # the print stream shows full numbers (so the check above means something)
    pdftotext "$WORK/e2e/out1/print/statements-letters-0001.pdf" - | grep -Eq '[0-9]{9,}'
    "$FOLIO" verify "$WORK/e2e/proof-t2" | grep -q '^verified [0-9]* files$'
    # verify notices a changed proof, a stray file and a leftover part
    python3 - "$WORK/e2e/proof-t2/proofs/proof.pdf" <<'PY'
import sys
p = sys.argv[1]
b = bytearray(open(p, "rb").read()); b[len(b) // 2] ^= 1
open(p, "wb").write(b)
PY
    touch "$WORK/e2e/proof-t2/proofs/old.pdf" "$WORK/e2e/proof-t2/proofs/proofs.json.part"
    set +e
    "$FOLIO" verify "$WORK/e2e/proof-t2" > "$WORK/pv.out"; rc=$?
    set -e
    cat "$WORK/pv.out"
    [ "$rc" = 1 ]
    grep -q 'MISMATCH proofs/proof.pdf: sha256' "$WORK/pv.out"
    grep -q 'MISMATCH proofs/old.pdf: in proofs/ but not in the manifest' "$WORK/pv.out"
    grep -q 'MISMATCH proofs/proofs.json.part: temporary file left behind' "$WORK/pv.out"
}

t_proofs_cap() {
    [ -d "$WORK/e2e" ] || { echo "needs t_end_to_end"; exit 1; }
    with_proofs "$WORK/e2e/job.yaml" "$WORK/e2e/job-cap.yaml" '{enabled: yes, max: 2}'
    set +e
    "$FOLIO" run "$WORK/e2e/job-cap.yaml" --out "$WORK/e2e/cap" --quiet 2>"$WORK/cap.err"; rc=$?
    set -e
    cat "$WORK/cap.err"
    [ "$rc" = 3 ]
    grep -q 'warning: the proof sample stops at output.proofs.max (2 households)' "$WORK/cap.err"
    $CHECK proofs "$WORK/e2e/cap" 2
    "$FOLIO" verify "$WORK/e2e/cap" | grep -q '^verified'
    # disabled: no proofs, and the manifest says so
    with_proofs "$WORK/e2e/job.yaml" "$WORK/e2e/job-noproof.yaml" '{enabled: no}'
    set +e
    "$FOLIO" run "$WORK/e2e/job-noproof.yaml" --out "$WORK/e2e/cap" --quiet; rc=$?
    set -e
    [ "$rc" = 3 ]
    [ ! -e "$WORK/e2e/cap/proofs/proof.pdf" ] && [ ! -e "$WORK/e2e/cap/proofs/proofs.json" ] || fail_at "$LINENO"
    grep -q '"proofs":{"enabled":false}' "$WORK/e2e/cap/manifest.json"
    "$FOLIO" verify "$WORK/e2e/cap" | grep -q '^verified'
    # bad values: exit 2 with file:line
    with_proofs "$WORK/e2e/job.yaml" "$WORK/e2e/job-badproof.yaml" '{max: 0}'
    line=$(grep -n '  proofs:' "$WORK/e2e/job-badproof.yaml" | cut -d: -f1)
    set +e
    "$FOLIO" run "$WORK/e2e/job-badproof.yaml" --out "$WORK/e2e/badproof" 2>"$WORK/bp.err"; rc=$?
    set -e
    cat "$WORK/bp.err"
    [ "$rc" = 2 ] && grep -q "job-badproof.yaml:$line:.*output.proofs.max" "$WORK/bp.err" || fail_at "$LINENO"
}

t_proofs_duplex() {
    [ -d "$WORK/e2e/duplex" ] || { echo "needs t_production_streams"; exit 1; }
    grep -q '"duplex:blank-back"' "$WORK/e2e/duplex/audit.jsonl"
    $CHECK proofs "$WORK/e2e/duplex"
    grep -q '"duplex:blank-back"' "$WORK/e2e/duplex/proofs/proofs.json"
    pdftotext "$WORK/e2e/duplex/proofs/proof.pdf" - | grep -q 'Blank back page (duplex)'
}

# AFP beside the PDF, duplex, DataMatrix and IMb marks, several files:
# every AFP passes afpdump --check; page groups, TLEs and pages match the
# pieces files, the PDFs and the feeds (check_print.py parses the AFP
# itself); hand-corrupted copies fail; DataMatrix decoded from rendered
# pages equals the pieces file; identical at 1 and 2 threads; AFP-only works.
print_job() {   # print_job SRC DST  -- append AFP + marks settings to a samples job
    sed -e 's/max_sheets: *[0-9]*/max_sheets: 60/' -e 's/duplex: *false/duplex: true/' "$1" > "$2"
    cat >> "$2" <<'YAML'
    afp: {code_page: 500, index: {household: Household ID, name: Customer Name, postal_code: Postal Code, accounts: Account Numbers, pages: Page Count}}
  pieces: {mailer_id: "123456"}
  marks:
    datamatrix: {}
    imb: {service_type: "040"}
YAML
}

t_afp_print() {
    "$FOLIO" samples --households 300 --seed 11 --out "$WORK/afp" >/dev/null
    print_job "$WORK/afp/job.yaml" "$WORK/afp/job-print.yaml"
    "$FOLIO" run "$WORK/afp/job-print.yaml" --out "$WORK/afp/o1" --threads 1 --quiet 2>"$WORK/afp/err1"
    "$FOLIO" run "$WORK/afp/job-print.yaml" --out "$WORK/afp/o2" --threads 2 --quiet 2>/dev/null
    ls "$WORK"/afp/o1/print/*-letters-0002.afp >/dev/null
    for f in "$WORK"/afp/o1/print/*.afp; do
        "$FOLIO" afpdump --check "$f"
        cmp "$f" "$WORK/afp/o2/print/$(basename "$f")"
    done
    python3 "$ROOT/tests/e2e/check_print.py" afp "$WORK/afp/o1" "$WORK/afp"
    python3 "$ROOT/tests/e2e/check_print.py" corrupt "$(ls "$WORK"/afp/o1/print/*.afp | head -1)" "$WORK/afp"
    python3 "$ROOT/tests/e2e/check_print.py" datamatrix "$WORK/afp/o1" 8
    # characters code page 500 lacks (e.g. the L with stroke of Lukasz) are counted and named
    subst=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["counts"]["afp_substitutions"])' "$WORK/afp/o1/manifest.json")
    [ "$subst" -gt 0 ] && grep -q "not in AFP code page 500" "$WORK/afp/err1" || fail_at "$LINENO"
    "$FOLIO" verify "$WORK/afp/o1" | grep -q '^verified [0-9]* files'
    afp=$(cd "$WORK/afp/o1" && ls print/*.afp | head -1)
    python3 - "$WORK/afp/o1/$afp" <<'PY'
import sys
p = sys.argv[1]
b = bytearray(open(p, "rb").read())
b[len(b) // 2] ^= 0x01
open(p, "wb").write(b)
PY
    set +e
    "$FOLIO" verify "$WORK/afp/o1" > "$WORK/afp/v.out"; rc=$?
    set -e
    [ "$rc" = 1 ] && grep -q "MISMATCH $afp: sha256" "$WORK/afp/v.out" || fail_at "$LINENO"
    # AFP only
    sed -e 's/pdf: *true/pdf: false/' "$WORK/afp/job-print.yaml" > "$WORK/afp/job-afponly.yaml"
    "$FOLIO" run "$WORK/afp/job-afponly.yaml" --out "$WORK/afp/o3" --quiet 2>/dev/null
    [ -z "$(ls "$WORK"/afp/o3/print/*.pdf 2>/dev/null)" ]
    for f in "$WORK"/afp/o3/print/*.afp; do cmp "$f" "$WORK/afp/o2/print/$(basename "$f")"; done
    "$FOLIO" verify "$WORK/afp/o3" | grep -q '^verified [0-9]* files'
}

# The plain-text print format (output.print.text), checked against the PDF of
# the same run with pdftotext/pdfinfo (check_text.py): pages, and the
# characters of every page; duplex backs and marks included.  A text-only job
# writes the same .txt files.
t_text_print() {
    "$FOLIO" samples --households 200 --seed 11 --out "$WORK/txt" >/dev/null
    print_job "$WORK/txt/job.yaml" "$WORK/txt/job-print.yaml"
    sed -i -e 's/pdf: *true/pdf: true\n    text: true/' "$WORK/txt/job-print.yaml"
    "$FOLIO" run "$WORK/txt/job-print.yaml" --out "$WORK/txt/o1" --threads 2 --quiet 2>/dev/null
    [ "$(ls "$WORK"/txt/o1/print/*.txt | wc -l)" -gt 1 ] || fail_at "$LINENO"
    python3 "$ROOT/tests/e2e/check_text.py" "$WORK/txt/o1"
    "$FOLIO" verify "$WORK/txt/o1" | grep -q '^verified [0-9]* files'
    grep -q '"text pages = print pages composed"' "$WORK/txt/o1/manifest.json" || fail_at "$LINENO"
    sed -e 's/pdf: *true/pdf: false/' "$WORK/txt/job-print.yaml" > "$WORK/txt/job-textonly.yaml"
    "$FOLIO" run "$WORK/txt/job-textonly.yaml" --out "$WORK/txt/o2" --threads 1 --quiet 2>/dev/null
    [ -z "$(ls "$WORK"/txt/o2/print/*.pdf 2>/dev/null)" ] || fail_at "$LINENO"
    for f in "$WORK"/txt/o1/print/*.txt; do cmp "$f" "$WORK/txt/o2/print/$(basename "$f")"; done
}

# One print file written by every thread (the ordered ring): PDF, AFP and
# text byte-identical at 1, 2, 3 and 16 threads.
t_one_file_threads() {
    "$FOLIO" samples --households 300 --seed 5 --out "$WORK/one" >/dev/null
    print_job "$WORK/one/job.yaml" "$WORK/one/job-one.yaml"
    sed -i -e 's/max_sheets: *[0-9]*/max_sheets: 1000000/' \
        -e 's/pdf: *true/pdf: true\n    text: true/' "$WORK/one/job-one.yaml"
    printf '  streams:\n    - name: all\n' >> "$WORK/one/job-one.yaml"
    for t in 1 2 3 16; do
        "$FOLIO" run "$WORK/one/job-one.yaml" --out "$WORK/one/o$t" --threads $t --quiet 2>/dev/null
    done
    [ "$(ls "$WORK"/one/o1/print/*.pdf | wc -l)" = 1 ] || fail_at "$LINENO"
    for f in $(cd "$WORK/one/o1" && ls print/*); do
        for t in 2 3 16; do cmp "$WORK/one/o1/$f" "$WORK/one/o$t/$f"; done
    done
}

# OMR marks read back from rendered pages: benchmark, begin/end of set,
# wrap-around sequence and even parity computed independently in the test.
t_omr_marks() {
    [ -d "$WORK/afp" ] || { echo "needs t_afp_print"; exit 1; }
    sed -e 's/max_sheets: *[0-9]*/max_sheets: 50/' "$WORK/afp/job.yaml" > "$WORK/afp/job-omr.yaml"
    printf '  marks:\n    omr: {}\n' >> "$WORK/afp/job-omr.yaml"
    "$FOLIO" run "$WORK/afp/job-omr.yaml" --out "$WORK/afp/omr" --quiet
    python3 "$ROOT/tests/e2e/check_print.py" omr "$WORK/afp/omr" 40
    # a mark field over the body is refused before anything is written
    sed -e 's/omr: {}/omr: {x: 100}/' "$WORK/afp/job-omr.yaml" > "$WORK/afp/job-omr-bad.yaml"
    set +e
    "$FOLIO" run "$WORK/afp/job-omr-bad.yaml" --out "$WORK/afp/omr-bad" --quiet 2>"$WORK/afp/omr-bad.err"; rc=$?
    set -e
    cat "$WORK/afp/omr-bad.err"
    [ "$rc" = 2 ] && grep -q "job-omr-bad.yaml:[0-9]*:[0-9]*:" "$WORK/afp/omr-bad.err" || fail_at "$LINENO"
    [ ! -e "$WORK/afp/omr-bad/manifest.json" ]
}

# the proofs of runs with inserter marks (DataMatrix + IMb duplex, OMR):
# each proof page draws the same marks as its printed page
t_proofs_marks() {
    [ -d "$WORK/afp/o1" ] && [ -d "$WORK/afp/omr" ] || { echo "needs t_afp_print, t_omr_marks"; exit 1; }
    $CHECK proofs "$WORK/afp/o1"
    $CHECK proofs "$WORK/afp/omr"
}
source "$ROOT/tests/e2e/archive.sh"    # t_archive, t_archive_verify_detects, t_archive_verify_numbers, t_archive_size
source "$ROOT/tests/e2e/verify.sh"     # t_verify_tampering, t_verify_pieces_audit, t_verify_long_ids, t_csv_injection
source "$ROOT/tests/e2e/faults.sh"     # OUT lock, inputs, kill -9, SIGTERM, full disk

# A rerun into the same OUT removes the earlier run's outputs (verify passes,
# nothing of the first run left); a run stopped by a file-size limit, a full
# disk or SIGTERM exits 1 and leaves no .part, no manifest and no print file.
t_rerun_and_failures() {
    "$FOLIO" samples --households 1500 --seed 21 --out "$WORK/rr/big" >/dev/null
    "$FOLIO" samples --households 200 --seed 22 --out "$WORK/rr/small" >/dev/null
    sed -i -e 's/max_sheets: *[0-9]*/max_sheets: 200/' "$WORK/rr/big/job.yaml"
    "$FOLIO" run "$WORK/rr/big/job.yaml" --out "$WORK/rr/o" --quiet
    nbig=$(ls "$WORK/rr/o/print" | wc -l)
    "$FOLIO" run "$WORK/rr/small/job.yaml" --out "$WORK/rr/o" --quiet
    nsmall=$(ls "$WORK/rr/o/print" | wc -l)
    [ "$nsmall" -lt "$nbig" ]
    "$FOLIO" verify "$WORK/rr/o" | grep -q '^verified [0-9]* files$'
    # only folio's own names are removed: a user's files there stay
    echo keep > "$WORK/rr/o/print/notes.csv"; mkdir -p "$WORK/rr/o/proofs"
    echo '{}' > "$WORK/rr/o/proofs/signoff.json"
    "$FOLIO" run "$WORK/rr/small/job.yaml" --out "$WORK/rr/o" --quiet
    [ -f "$WORK/rr/o/print/notes.csv" ] && [ -f "$WORK/rr/o/proofs/signoff.json" ] || fail_at "$LINENO"
    # a run that reads last month's contact_history.csv from its own OUT is
    # a job error (the run would replace its input), and leaves it untouched
    cp "$WORK/rr/o/contact_history.csv" "$WORK/rr/ch-before.csv"
    sed -e "s#path: *contact_history.csv#path: $WORK/rr/o/contact_history.csv#" \
        "$WORK/rr/small/job.yaml" > "$WORK/rr/small/job-ch.yaml"
    grep -q "path: $WORK/rr/o/contact_history.csv" "$WORK/rr/small/job-ch.yaml"
    set +e
    "$FOLIO" run "$WORK/rr/small/job-ch.yaml" --out "$WORK/rr/o" --quiet 2>"$WORK/rr/ch.err"; rc=$?
    set -e
    [ "$rc" = 2 ] && grep -q "inside the output directory" "$WORK/rr/ch.err" || fail_at "$LINENO"
    cmp "$WORK/rr/ch-before.csv" "$WORK/rr/o/contact_history.csv"
    # a run that fails at publishing (the manifest cannot be written)
    # publishes nothing and leaves no .part
    mkdir "$WORK/rr/o/manifest.json.part"
    set +e
    "$FOLIO" run "$WORK/rr/small/job.yaml" --out "$WORK/rr/o" --quiet 2>/dev/null; rc=$?
    set -e
    rmdir "$WORK/rr/o/manifest.json.part"
    [ "$rc" = 1 ] && [ ! -e "$WORK/rr/o/contact_history.csv" ] && [ ! -e "$WORK/rr/o/audit.jsonl" ] || fail_at "$LINENO"
    [ ! -e "$WORK/rr/o/manifest.json" ] && [ -z "$(find "$WORK/rr/o" -name '*.part')" ] || fail_at "$LINENO"
    set +e
    ( ulimit -f 2000; "$FOLIO" run "$WORK/rr/big/job.yaml" --out "$WORK/rr/ul" --quiet ) 2>"$WORK/rr/ul.err"; rc=$?
    set -e
    cat "$WORK/rr/ul.err"
    [ "$rc" = 1 ] && grep -q "File too large" "$WORK/rr/ul.err" || fail_at "$LINENO"
    [ -z "$(find "$WORK/rr/ul" -name '*.part')" ] && [ ! -e "$WORK/rr/ul/manifest.json" ] || fail_at "$LINENO"
    [ -z "$(find "$WORK/rr/ul/print" "$WORK/rr/ul/archive" "$WORK/rr/ul/proofs" -type f 2>/dev/null)" ]
    set +e
    "$FOLIO" run "$WORK/rr/big/job.yaml" --out "$WORK/rr/sig" --quiet --threads 1 2>"$WORK/rr/sig.err" &
    pid=$!
    sleep 0.3; kill -TERM $pid; wait $pid; rc=$?
    set -e
    cat "$WORK/rr/sig.err"
    # the run may have finished before the signal on a fast machine: then it is complete
    if [ "$rc" = 1 ]; then
        grep -q "interrupted by signal" "$WORK/rr/sig.err"
        [ -z "$(find "$WORK/rr/sig" -name '*.part')" ] && [ ! -e "$WORK/rr/sig/manifest.json" ] || fail_at "$LINENO"
        [ -z "$(find "$WORK/rr/sig/print" -type f 2>/dev/null)" ]
    else
        [ "$rc" = 0 ] && "$FOLIO" verify "$WORK/rr/sig" >/dev/null || fail_at "$LINENO"
    fi
}

# Shards: piece ids and IMb serials never repeat across shards; every
# household is in exactly one shard; a shard refuses another shard's OUT.
t_shards() {
    "$FOLIO" samples --households 400 --seed 31 --out "$WORK/sh" >/dev/null
    for i in 1 2; do
        "$FOLIO" run "$WORK/sh/job.yaml" --shard $i/2 --out "$WORK/sh/o$i" --quiet
        "$FOLIO" verify "$WORK/sh/o$i" >/dev/null
    done
    python3 - "$WORK/sh/o1" "$WORK/sh/o2" <<'PY'
import csv, glob, json, os, sys
sys.path.insert(0, os.path.join(os.environ["ROOT"], "tests", "e2e")); import folio_csv
ids, serials, hh = [], [], []
for out in sys.argv[1:]:
    for p in glob.glob(out + "/print/*.pieces.csv"):
        for r in folio_csv.DictReader(open(p, encoding="utf-8", newline="")):
            ids.append(r["piece_id"]); serials.append(r["imb_serial"])
    hh += [json.loads(l)["household"] for l in open(out + "/audit.jsonl", encoding="utf-8")]
assert ids and len(ids) == len(set(ids)), "piece ids repeat across shards"
assert len(serials) == len(set(serials)), "IMb serials repeat across shards"
assert len(hh) == len(set(hh)) == 400, (len(hh), len(set(hh)))
PY
    set +e
    "$FOLIO" run "$WORK/sh/job.yaml" --shard 2/2 --out "$WORK/sh/o1" --quiet 2>"$WORK/sh/err"; rc=$?
    set -e
    cat "$WORK/sh/err"
    [ "$rc" = 2 ] && grep -q "give each shard its own --out" "$WORK/sh/err" || fail_at "$LINENO"
    "$FOLIO" verify "$WORK/sh/o1" >/dev/null
}

# Inputs that are not regular files (issue 9, item 8): a FIFO (or a directory,
# a device) as a feed, the job, the layout, a catalogue, a paragraph library or
# a font is a job error (exit 2) naming the key and the path -- never a hang.
t_inputs_not_regular() {
    local D="$WORK/nreg"
    mkdir -p "$D"
    "$FOLIO" samples --households 20 --seed 5 --out "$D/s" >/dev/null
    mkfifo "$D/fifo"
    expect2() {   # expect2 NAME JOB WHAT...: exit 2 within 20 s, stderr has every WHAT
        local name="$1" job="$2"; shift 2
        set +e
        timeout 20 "$FOLIO" run "$job" --out "$D/o-$name" --quiet 2>"$D/$name.err"; rc=$?
        set -e
        cat "$D/$name.err"
        [ "$rc" = 2 ] || { echo "$name: expected exit 2, got $rc"; return 1; }
        for w in "$@"; do
            grep -qF -- "$w" "$D/$name.err" || { echo "$name: stderr lacks '$w'"; return 1; }
        done
        [ ! -e "$D/o-$name/manifest.json" ]
    }
    # a feed: at the job's line:col of feeds[0].path
    sed -e "s|path: customers.csv|path: $D/fifo|" "$D/s/job.yaml" > "$D/feed.yaml"
    line=$(grep -n "path: $D/fifo" "$D/feed.yaml" | cut -d: -f1)
    expect2 feed "$D/feed.yaml" "feed.yaml:$line:" "feeds[0].path" "$D/fifo" "is a FIFO"
    # a directory as a feed
    mkdir -p "$D/dir.csv"
    sed -e "s|path: customers.csv|path: $D/dir.csv|" "$D/s/job.yaml" > "$D/dir.yaml"
    expect2 dir "$D/dir.yaml" "feeds[0].path" "$D/dir.csv" "is a directory"
    # the job file itself
    expect2 job "$D/fifo" "$D/fifo" "is a FIFO"
    # the layout
    sed -e "s|^layout:.*|layout: \"$D/fifo\"|" "$D/s/job.yaml" > "$D/layout.yaml"
    expect2 layout "$D/layout.yaml" "'layout'" "$D/fifo" "is a FIFO"
    # the offer catalogue
    sed -e "s|catalogue:.*|catalogue: \"$D/fifo\"|" "$D/s/job.yaml" > "$D/cat.yaml"
    grep -q "catalogue: \"$D/fifo\"" "$D/cat.yaml"
    expect2 catalogue "$D/cat.yaml" "offers.catalogue" "$D/fifo" "is a FIFO"
    # the paragraph library and a font, named by the layout
    cp -r "$ROOT/layouts" "$D/layouts"
    ln -s "$ROOT/fonts" "$D/fonts"            # the layouts name ../fonts/
    sed -e "s|library:.*|library: \"$D/fifo\"|" "$ROOT/layouts/statement.yaml" > "$D/layouts/para.yaml"
    grep -q "library: \"$D/fifo\"" "$D/layouts/para.yaml"
    sed -e "s|^layout:.*|layout: \"$D/layouts/para.yaml\"|" "$D/s/job.yaml" > "$D/para.yaml"
    expect2 paragraphs "$D/para.yaml" "para.yaml:" "paragraphs.library" "$D/fifo" "is a FIFO"
    sed -e "s|\.\./fonts/LiberationSans-Regular\.ttf|$D/fifo|" "$ROOT/layouts/statement.yaml" > "$D/layouts/font.yaml"
    grep -q "file: $D/fifo" "$D/layouts/font.yaml"
    sed -e "s|^layout:.*|layout: \"$D/layouts/font.yaml\"|" "$D/s/job.yaml" > "$D/font.yaml"
    expect2 font "$D/font.yaml" "font.yaml:" "$D/fifo" "is a FIFO"
}

# A feed changed while folio loads it (issue 9, item 10): truncated (the
# mapping would raise SIGBUS), rewritten in place, or replaced by a rename.
# FOLIO_TEST_FEED_PAUSE makes the load wait, once every feed is mapped, until
# the test removes the pause file: the change lands at a known point.  The run
# fails (exit 1) naming the file, and publishes nothing.
t_feed_changed_while_loading() {
    local D="$WORK/chg"
    "$FOLIO" samples --households 1500 --seed 9 --out "$D/s" >/dev/null
    local feed="$D/s/checking_transactions.csv"
    cp "$feed" "$D/orig.csv"
    [ "$(stat -c %s "$feed")" -gt 1000000 ]
    for how in truncate rewrite replace; do
        cp "$D/orig.csv" "$feed"
        rm -f "$D/pause"
        set +e
        FOLIO_TEST_FEED_PAUSE="$D/pause" timeout 120 "$FOLIO" run "$D/s/job.yaml" \
            --out "$D/o-$how" --quiet 2>"$D/$how.err" &
        pid=$!
        for _ in $(seq 600); do [ -e "$D/pause" ] && break; kill -0 $pid 2>/dev/null || break; sleep 0.05; done
        [ -e "$D/pause" ]; paused=$?
        case $how in
        truncate) truncate -s 5000 "$feed" ;;
        rewrite) python3 - "$feed" <<'PY2'
import sys
with open(sys.argv[1], "r+b") as f:       # same size, other digits
    f.seek(600000); b = f.read(4096); f.seek(600000)
    f.write(bytes(48 + (c - 48 + 1) % 10 if 48 <= c <= 57 else c for c in b))
PY2
        ;;
        replace) cp "$D/orig.csv" "$D/new.csv"; mv "$D/new.csv" "$feed" ;;
        esac
        rm -f "$D/pause"
        wait $pid; rc=$?
        set -e
        cat "$D/$how.err"
        [ "$paused" = 0 ] || { echo "$how: the load never paused (FOLIO_TEST_FEED_PAUSE)"; exit 1; }
        [ "$rc" = 1 ] || { echo "$how: expected exit 1, got $rc"; exit 1; }
        grep -qF "$feed: changed while it was being read" "$D/$how.err"
        [ ! -e "$D/o-$how/manifest.json" ] || { echo "$how: a manifest was published"; exit 1; }
    done
    # unchanged: the same pause, then a normal run whose manifest hashes the file
    cp "$D/orig.csv" "$feed"
    rm -f "$D/pause"
    FOLIO_TEST_FEED_PAUSE="$D/pause" "$FOLIO" run "$D/s/job.yaml" --out "$D/o-ok" --quiet &
    pid=$!
    for _ in $(seq 600); do [ -e "$D/pause" ] && break; sleep 0.05; done
    rm -f "$D/pause"
    wait $pid
    grep -q "$(sha256sum "$feed" | cut -c1-64)" "$D/o-ok/manifest.json"
}

# Rules nested thousands of levels deep (offers.yaml, a job's channel rule)
# are a job error naming file:line:col, not a stack overflow or a rule that
# compiles (docs/rules.md: nesting 48 deep).
t_deep_rules() {
    "$FOLIO" samples --households 5 --seed 3 --out "$WORK/dr" >/dev/null || exit 1
    python3 - "$ROOT/layouts/offers.yaml" "$WORK/dr" <<'PY'
import sys
src, d = sys.argv[1], sys.argv[2]
deep = "(" * 8000 + "card.utilization > 0.6" + ")" * 8000
s = open(src, encoding="utf-8").read()
assert "rule: 'card.utilization > 0.6'" in s
open(d + "/offers.yaml", "w").write(s.replace("rule: 'card.utilization > 0.6'", "rule: '%s'" % deep))
job = open(d + "/job.yaml", encoding="utf-8").read()
open(d + "/job-offers.yaml", "w").write(job.replace(src, d + "/offers.yaml"))
open(d + "/job-channels.yaml", "w").write(job.replace("output:\n", "output:\n  channels:\n    - {when: '%s', channel: none}\n" % ("not " * 3000 + "true"), 1))
PY
    line=$(grep -n "rule: '((" "$WORK/dr/offers.yaml" | cut -d: -f1)
    set +e
    "$FOLIO" run "$WORK/dr/job-offers.yaml" --out "$WORK/dr/o1" 2>"$WORK/dr/err1"; rc1=$?
    "$FOLIO" run "$WORK/dr/job-channels.yaml" --out "$WORK/dr/o2" 2>"$WORK/dr/err2"; rc2=$?
    set -e
    head -c 300 "$WORK/dr/err1"; echo; head -c 300 "$WORK/dr/err2"; echo
    [ "$rc1" = 2 ] && [ "$rc2" = 2 ] || fail_at "$LINENO"
    grep -q "offers.yaml:$line:60: expression nested deeper than 48" "$WORK/dr/err1"
    cline=$(grep -n "when: 'not not" "$WORK/dr/job-channels.yaml" | cut -d: -f1)
    grep -q "job-channels.yaml:$cline:$((15 + 48 * 4)): expression nested deeper than 48" "$WORK/dr/err2"
}

# The job, layout, paragraph library and offers catalogue edited once folio
# has read them (during the feed load): the manifest records the bytes that
# were parsed, not what the paths hold at the end of the run, so verify
# names each as changed since the run.
t_yaml_inputs_changed_during_run() {
    local D="$WORK/ychg"
    "$FOLIO" samples --households 200 --seed 5 --out "$D/s" >/dev/null
    mkdir -p "$D/lay"
    sed -e "s|file: \.\./fonts/|file: $ROOT/fonts/|" -e "s|file: logo.png|file: $ROOT/layouts/logo.png|" \
        "$ROOT/layouts/statement.yaml" > "$D/lay/statement.yaml"
    cp "$ROOT/layouts/paragraphs.yaml" "$ROOT/layouts/offers.yaml" "$D/lay/"
    use_layout "$D/s/job.yaml" "$D/lay/statement.yaml"
    sed -i "s|^  catalogue:.*|  catalogue: \"$D/lay/offers.yaml\"|" "$D/s/job.yaml"
    grep -q "catalogue: \"$D/lay/offers.yaml\"" "$D/s/job.yaml"
    local files="$D/s/job.yaml $D/lay/statement.yaml $D/lay/paragraphs.yaml $D/lay/offers.yaml"
    sha256sum $files > "$D/before.sha"
    rm -f "$D/pause"
    FOLIO_TEST_FEED_PAUSE="$D/pause" timeout 120 "$FOLIO" run "$D/s/job.yaml" --out "$D/o" --quiet &
    pid=$!
    for _ in $(seq 600); do [ -e "$D/pause" ] && break; sleep 0.05; done
    [ -e "$D/pause" ] || { echo "the load never paused"; exit 1; }
    for f in $files; do printf '\n# edited during the run\n' >> "$f"; done
    rm -f "$D/pause"
    wait $pid
    python3 - "$D/o/manifest.json" "$D/before.sha" <<'PY'
import json, sys
m = json.load(open(sys.argv[1]))
want = {l.split()[1]: l.split()[0] for l in open(sys.argv[2])}
got = {m["job"]["file"]: m["job"]["sha256"], m["layout"]["file"]: m["layout"]["sha256"],
       m["paragraphs"]["file"]: m["paragraphs"]["sha256"],
       m["offers"]["catalogue"]: m["offers"]["sha256"]}
for f, h in want.items():
    g = [v for k, v in got.items() if k.endswith(f.split("/")[-1])]
    assert g == [h], (f, g, h)
PY
    set +e
    "$FOLIO" verify "$D/o" > "$D/v.out"; rc=$?
    set -e
    cat "$D/v.out"
    [ "$rc" = 1 ]
    for f in statement.yaml paragraphs.yaml offers.yaml job.yaml; do
        grep -q "$f.*changed since the run" "$D/v.out" || { echo "verify does not name $f"; exit 1; }
    done
}

run_test cli t_cli
run_test samples_deterministic t_samples_deterministic
run_test end_to_end t_end_to_end
run_test threads_identical t_threads_identical
run_test french_locale t_french_locale
run_test split_files t_split_files
run_test pagination_400 t_pagination
run_test a4_layout t_a4_layout
run_test bad_job t_bad_job
run_test failed_run_publishes_nothing t_failed_run_publishes_nothing
run_test production_streams t_production_streams
run_test flats_30_pages t_flats_30_pages
run_test verify t_verify
run_test verify_tampering t_verify_tampering
run_test verify_pieces_audit t_verify_pieces_audit
run_test verify_long_ids t_verify_long_ids
run_test csv_injection t_csv_injection
run_test rerun_and_failures t_rerun_and_failures
run_test shards t_shards
run_test proofs t_proofs
run_test proofs_cap t_proofs_cap
run_test proofs_duplex t_proofs_duplex
run_test afp_print t_afp_print
run_test text_print t_text_print
run_test one_file_threads t_one_file_threads
run_test omr_marks t_omr_marks
run_test proofs_marks t_proofs_marks
run_test variations t_variations
run_test archive t_archive
run_test archive_verify_detects t_archive_verify_detects
run_test archive_verify_numbers t_archive_verify_numbers
run_test archive_size t_archive_size
run_test offers t_offers
run_test inputs_not_regular t_inputs_not_regular
run_test feed_changed_while_loading t_feed_changed_while_loading
run_test yaml_inputs_changed_during_run t_yaml_inputs_changed_during_run
. "$ROOT/tests/e2e/hardening_money.sh"   # issue 9: buffers, money sums, glyphs, fonts
. "$ROOT/tests/e2e/datamodel_holders.sh" # issue 10 parts 2, 7: holders, households, undeliverable
. "$ROOT/tests/e2e/datamodel_ledger.sh"  # issue 10 part 3: balances and order from the ledger
run_alone out_lock t_out_lock            # second run refused in < 1 s
run_test out_inputs t_out_inputs
run_test kill_at_rename t_kill_at_rename
run_alone sigterm_phases t_sigterm_phases  # stops in < 1 s
run_test full_disk t_full_disk
run_test deep_rules t_deep_rules
. "$ROOT/tests/e2e/hardening_fit.sh"     # issue 9: texts too wide for their box
. "$ROOT/tests/e2e/errors.sh"            # issue 11: the first error in household order
. "$ROOT/tests/e2e/datamodel_attrs.sh"   # issue 10 part 1: attributes
. "$ROOT/tests/e2e/datamodel_codes.sh"   # issue 10 parts 4, 8: code lists, templates
. "$ROOT/tests/e2e/datamodel_numbers.sh" # issue 10 parts 5, 6: numbers, encodings, currencies
. "$ROOT/tests/e2e/datamodel_audit.sh"   # issue 10 audit (round 22): gaps found
. "$ROOT/tests/e2e/scale.sh"            # issue 12 parts 2, 3: partition, merge
. "$ROOT/tests/e2e/merge_balance.sh"    # issue 12 part 3 (gaps): merge finds unreconciled shards
. "$ROOT/tests/e2e/scale_slurm.sh"      # issue 12: the same through a real local Slurm
. "$ROOT/tests/e2e/memory.sh"           # issue 12 part 1: spooled records, --memory-limit
. "$ROOT/tests/e2e/memory_porder.sh"    # issue 12 part 1 (round 24): spilled runs in household order
. "$ROOT/tests/e2e/disclosures.sh"       # issue 14 part 1: disclosure sections
. "$ROOT/tests/e2e/disc_labels.sh"       # issue 14 part 1, round 24: labels by language
. "$ROOT/tests/e2e/pdfvt.sh"             # issue 14 part 3: PDF/VT-1 print files
. "$ROOT/tests/e2e/graphics.sh"          # issue 13 parts 1, 2: images and charts
. "$ROOT/tests/e2e/coupon.sh"            # issue 13 parts 3, 4: payment coupon, links
. "$ROOT/tests/e2e/coupon_lang.sh"       # issue 13 leftover: coupon texts per language
. "$ROOT/tests/e2e/coupon_window.sh"     # issue 13 leftover: the return envelope's window
. "$ROOT/tests/e2e/offers_image.sh"      # issue 13 leftover: pictures in offers
. "$ROOT/tests/e2e/longpath.sh"          # paths longer than the old fixed buffers
. "$ROOT/tests/e2e/cost13.sh"            # issue 13 performance: the bench's with/without jobs
. "$ROOT/tests/e2e/tagged.sh"            # issue 14 part 2: tagged PDF/UA archive documents
. "$ROOT/tests/e2e/archive_compact.sh"   # issues 11, 14 (r-arch): compact tagged documents
. "$ROOT/tests/e2e/archive_lean.sh"      # issues 11, 14 (r-arch3): compact sRGB, no CIDSet, lean fonts
. "$ROOT/tests/e2e/afp_unicode.sh"       # issue 13 part 5: AFP code page 1200
. "$ROOT/tests/e2e/money_ccy.sh"        # issue 10 gaps: money per currency, names, codes in rules
. "$ROOT/tests/e2e/cli.sh"               # issue 16 part 1: CLI conventions, help vs parser
. "$ROOT/tests/e2e/help_current.sh"      # issue 16 parts 1, 3: help and folio(1) name the archive format
. "$ROOT/tests/e2e/library.sh"           # issue 11 part 3: no printing, signals, mallopt in the library
. "$ROOT/tests/e2e/install.sh"           # issue 16 parts 2, 3: make install, .deb, man pages
. "$ROOT/tests/e2e/docs.sh"              # issue 16 part 4: key references, README commands, docs image
. "$ROOT/tests/e2e/report.sh"            # issue 16 parts 5, 6: report.html, progress line
. "$ROOT/tests/e2e/uplift.sh"            # issue 15 parts 3, 4: uplift, contact pressure
. "$ROOT/tests/e2e/journey.sh"           # issue 15 parts 1, 2: frequency, journey events
. "$ROOT/tests/e2e/frequency.sh"         # issue 15 part 1 (r-chan): per-channel statements, merge
. "$ROOT/tests/e2e/journey_r22.sh"       # issue 15 (r-journey): clean journey samples, events to the statement date, input opens
. "$ROOT/tests/e2e/attack.sh"            # round 21 hard-attack2: hostile inputs to stop 20's features
. "$ROOT/tests/e2e/speed.sh"             # issue 11: print stages (plan, compose, render, deflate, write)
. "$ROOT/tests/e2e/audit1214.sh"         # round 23 audit of issues 12, 14 (r-audit): gaps closed
. "$ROOT/tests/e2e/serial.sh"            # issue 11 (r-serial): records while printing, publish fsyncs
. "$ROOT/tests/e2e/once.sh"              # issue 11 part 2 (r-once): each printed household composed once
. "$ROOT/tests/e2e/audit24.sh"           # r-audit (round 24): review of round 23 (work files, records)
. "$ROOT/tests/e2e/harden25.sh"          # r-harden (round 25): merge, records thread, stops, attacks
. "$ROOT/tests/e2e/harden26.sh"          # r-harden (round 26): partition stops, stale shards, attacks
. "$ROOT/tests/e2e/harden27.sh"          # r-harden (round 27): shard runs check their partition, merge memory
. "$ROOT/tests/e2e/harden28.sh"          # r-harden (round 28): merge memory at scale, shard checks
. "$ROOT/tests/e2e/records_sink.sh"      # issue 11 (r-records): record and pieces sinks fail mid-run
[ "$E2E_JOBS" = 1 ] || e2e_dispatch
rm -f "$ROOT"/layouts/.e2e-full-*.yaml

[ "$fail" = 0 ] || echo "failed: ${failed_names[*]}"
[ -z "${E2E_COUNTS:-}" ] || echo "$pass $fail" >"$E2E_COUNTS"
echo "e2e: $pass passed, $fail failed"
[ "$fail" = 0 ]
