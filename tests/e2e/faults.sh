# SPDX-License-Identifier: Apache-2.0
# Output directory and faults (sourced by run.sh): one run per OUT, no
# symbolic link followed and no input inside OUT, kill -9 at every publish
# rename, SIGTERM in every phase, a full disk in every phase.

# Milliseconds since the epoch.
ms() { date +%s%3N; }

# A second run into the OUT of a running one exits 2 at once naming the
# holder; the first then completes and verifies.
t_out_lock() {
    "$FOLIO" samples --households 200 --seed 41 --out "$WORK/lk" >/dev/null
    FOLIO_TEST_PHASES=1 FOLIO_TEST_STOP_AT=compose "$FOLIO" run "$WORK/lk/job.yaml" \
        --out "$WORK/lk/o" --quiet 2>"$WORK/lk/a.err" &
    local pid=$!
    wait_stopped $pid
    local t0; t0=$(ms)
    set +e
    "$FOLIO" run "$WORK/lk/job.yaml" --out "$WORK/lk/o" --quiet 2>"$WORK/lk/b.err"; rc=$?
    set -e
    local dt=$(( $(ms) - t0 ))
    cat "$WORK/lk/b.err"; echo "second run: rc $rc in $dt ms"
    [ "$rc" = 2 ] && [ "$dt" -lt 1000 ] || fail_at "$LINENO"
    grep -q "is in use by process $pid" "$WORK/lk/b.err"
    kill -CONT $pid
    set +e; wait $pid; rc=$?; set -e
    [ "$rc" = 0 ] || [ "$rc" = 3 ]
    "$FOLIO" verify "$WORK/lk/o" | grep -q '^verified [0-9]* files$'
    grep -qx "$pid" "$WORK/lk/o/.folio.lock"      # the lock file stays, by design
}

# OUT never follows a symbolic link inside it, and never holds an input.
t_out_inputs() {
    "$FOLIO" samples --households 200 --seed 42 --out "$WORK/oi" >/dev/null
    cp "$WORK/oi/contact_history.csv" "$WORK/oi/contacts-before.csv"
    # --out . in the feed directory: the contacts feed is contact_history.csv
    set +e
    ( cd "$WORK/oi" && "$FOLIO" run job.yaml --out . --quiet ) 2>"$WORK/oi/e1"; rc=$?
    set -e
    cat "$WORK/oi/e1"
    [ "$rc" = 2 ] && grep -q "contact_history.csv: the feed 'contacts' is inside the output directory" "$WORK/oi/e1" || fail_at "$LINENO"
    cmp "$WORK/oi/contact_history.csv" "$WORK/oi/contacts-before.csv"
    [ ! -e "$WORK/oi/manifest.json" ] && [ ! -e "$WORK/oi/rejects.csv" ] || fail_at "$LINENO"
    # a FIFO planted as OUT/manifest.json: refused (exit 2), never a hang
    mkdir -p "$WORK/oi/o0" && mkfifo "$WORK/oi/o0/manifest.json"
    set +e
    timeout 20 "$FOLIO" run "$WORK/oi/job.yaml" --out "$WORK/oi/o0" --quiet 2>"$WORK/oi/e0"; rc=$?
    set -e
    cat "$WORK/oi/e0"
    [ "$rc" = 2 ] && grep -q "o0/manifest.json: is a FIFO" "$WORK/oi/e0" || fail_at "$LINENO"
    # a feed inside OUT/print/
    mkdir -p "$WORK/oi/o2/print"
    cp "$WORK/oi/customers.csv" "$WORK/oi/o2/print/statements-letters-0001.pieces.csv"
    sed "s#path: *customers.csv#path: $WORK/oi/o2/print/statements-letters-0001.pieces.csv#" \
        "$WORK/oi/job.yaml" > "$WORK/oi/job2.yaml"
    grep -q "o2/print/statements-letters-0001.pieces.csv" "$WORK/oi/job2.yaml"
    set +e
    "$FOLIO" run "$WORK/oi/job2.yaml" --out "$WORK/oi/o2" --quiet 2>"$WORK/oi/e2"; rc=$?
    set -e
    cat "$WORK/oi/e2"
    [ "$rc" = 2 ] && grep -q "is inside the output directory .*(print)" "$WORK/oi/e2" || fail_at "$LINENO"
    cmp "$WORK/oi/customers.csv" "$WORK/oi/o2/print/statements-letters-0001.pieces.csv"
    # a hard link of a feed under a record file's name
    mkdir -p "$WORK/oi/o3"
    ln "$WORK/oi/customers.csv" "$WORK/oi/o3/audit.jsonl"
    set +e
    "$FOLIO" run "$WORK/oi/job.yaml" --out "$WORK/oi/o3" --quiet 2>"$WORK/oi/e3"; rc=$?
    set -e
    cat "$WORK/oi/e3"
    [ "$rc" = 2 ] && grep -q "feed 'customers' is inside the output directory" "$WORK/oi/e3" || fail_at "$LINENO"
    cmp "$WORK/oi/customers.csv" "$WORK/oi/o3/audit.jsonl"
    # OUT/print -> ../elsewhere is refused, nothing written there
    mkdir -p "$WORK/oi/o4" "$WORK/oi/elsewhere"
    ln -s ../elsewhere "$WORK/oi/o4/print"
    set +e
    "$FOLIO" run "$WORK/oi/job.yaml" --out "$WORK/oi/o4" --quiet 2>"$WORK/oi/e4"; rc=$?
    set -e
    cat "$WORK/oi/e4"
    [ "$rc" = 2 ] && grep -q "o4/print: is a symbolic link" "$WORK/oi/e4" || fail_at "$LINENO"
    [ -z "$(ls -A "$WORK/oi/elsewhere")" ]
    # a symbolic link planted at a .part name is never written through
    mkdir -p "$WORK/oi/o5"
    "$FOLIO" run "$WORK/oi/job.yaml" --out "$WORK/oi/o5" --quiet || [ $? = 3 ]
    echo keep > "$WORK/oi/victim"
    set +e
    FOLIO_TEST_PHASES=1 FOLIO_TEST_STOP_AT=load "$FOLIO" run "$WORK/oi/job.yaml" \
        --out "$WORK/oi/o5" --quiet 2>"$WORK/oi/e5" &
    set -e
    local pid=$!
    wait_stopped $pid
    ln -sf "$WORK/oi/victim" "$WORK/oi/o5/audit.jsonl.part" 2>/dev/null || true
    kill -CONT $pid
    set +e; wait $pid; rc=$?; set -e
    cat "$WORK/oi/e5"
    [ "$(cat "$WORK/oi/victim")" = keep ]
}

# Kill -9 at every rename of a run (strace injects SIGKILL at the K-th
# rename/renameat; without strace the run's own test hook does), starting
# from a complete run: after each kill either the previous run verifies or
# there is no manifest.json, nothing of folio's temporary names is published;
# a rerun then succeeds and leaves no leftovers.
t_kill_at_rename() {
    "$FOLIO" samples --households 200 --seed 43 --out "$WORK/kr" >/dev/null
    local out="$WORK/kr/o" k rc
    "$FOLIO" run "$WORK/kr/job.yaml" --out "$out" --quiet || [ $? = 3 ]
    local have_strace=0
    command -v strace >/dev/null && strace -o /dev/null true 2>/dev/null && have_strace=1
    for k in $(seq 1 200); do
        set +e
        if [ "$have_strace" = 1 ]; then
            # LeakSanitizer cannot run under ptrace: no leak check in this run
            ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0" \
            strace -f -qq -o /dev/null -e trace=rename,renameat,renameat2 \
                -e inject=rename,renameat,renameat2:signal=SIGKILL:when=$k \
                "$FOLIO" run "$WORK/kr/job.yaml" --out "$out" --quiet 2>/dev/null
        else
            FOLIO_TEST_KILL_AT_RENAME=$k "$FOLIO" run "$WORK/kr/job.yaml" --out "$out" \
                --quiet 2>/dev/null
        fi
        rc=$?
        set -e
        if [ "$rc" = 0 ] || [ "$rc" = 3 ]; then
            echo "rename $k: the run completed"; break
        fi
        [ "$rc" = 137 ] || { echo "rename $k: rc $rc"; exit 1; }
        if [ -e "$out/manifest.json" ]; then
            "$FOLIO" verify "$out" >/dev/null || { echo "rename $k: manifest of an incomplete run"; exit 1; }
        fi
        # the rerun (no kill) succeeds and leaves nothing of the killed run
        "$FOLIO" run "$WORK/kr/job.yaml" --out "$out" --quiet || [ $? = 3 ]
        "$FOLIO" verify "$out" >/dev/null
        left=$(find "$out" -name '*.part' -o -name '*.tmp-*')
        [ -z "$left" ] || { echo "rename $k: leftovers after a rerun: $left"; exit 1; }
    done
    [ "$k" -gt 3 ] && [ "$k" -lt 200 ] || fail_at "$LINENO"
    # killed in the middle of the run (print phase): nothing is published,
    # not even the record files, and the rerun cleans every leftover
    set +e
    FOLIO_TEST_PHASES=1 FOLIO_TEST_STOP_AT=print "$FOLIO" run "$WORK/kr/job.yaml" --out "$out" \
        --quiet 2>"$WORK/kr/e" &
    local pid=$!
    set -e
    wait_stopped $pid
    kill -KILL $pid; set +e; wait $pid; set -e
    ls -la "$out"
    for f in manifest.json rejects.csv suppressed.csv audit.jsonl contact_history.csv; do
        [ ! -e "$out/$f" ] || { echo "killed run published $f"; exit 1; }
    done
    "$FOLIO" run "$WORK/kr/job.yaml" --out "$out" --quiet || [ $? = 3 ]
    [ -z "$(find "$out" -name '*.part' -o -name '*.tmp-*')" ]
}

# SIGTERM at the start of each phase: exit 1 within a second, no .part file,
# no manifest, no record file.
t_sigterm_phases() {
    "$FOLIO" samples --households 300 --seed 44 --out "$WORK/st" >/dev/null
    local ph out rc t0 dt
    for ph in load compose print archive proofs; do
        out="$WORK/st/o-$ph"
        set +e
        FOLIO_TEST_PHASES=1 FOLIO_TEST_STOP_AT=$ph "$FOLIO" run "$WORK/st/job.yaml" --out "$out" \
            --quiet 2>"$out.err" &
        local pid=$!
        set -e
        wait_stopped $pid
        t0=$(ms); kill -TERM $pid; kill -CONT $pid
        set +e; wait $pid; rc=$?; set -e
        dt=$(( $(ms) - t0 ))
        echo "SIGTERM in $ph: rc $rc after $dt ms"; tail -1 "$out.err"
        [ "$rc" = 1 ] && [ "$dt" -lt 1000 ] || fail_at "$LINENO"
        grep -q "interrupted by signal 15" "$out.err"
        [ -z "$(find "$out" -name '*.part' -o -name '*.tmp-*')" ] && [ ! -e "$out/manifest.json" ] || fail_at "$LINENO"
        [ ! -e "$out/rejects.csv" ] && [ ! -e "$out/audit.jsonl" ] || fail_at "$LINENO"
        [ -z "$(find "$out/print" "$out/archive" "$out/proofs" -type f 2>/dev/null)" ]
    done
}

# A full disk (a small tmpfs as OUT) in each phase: exit 1 naming ENOSPC,
# nothing published.  Sizes from a reference run: the files in the order
# the run writes them, each rounded up to a 4 KiB page.
t_full_disk() {
    local mnt="$WORK/fd/mnt"
    mkdir -p "$mnt"
    if ! mount -t tmpfs -o size=64k tmpfs "$mnt" 2>/dev/null; then
        echo "SKIP: cannot mount a tmpfs here (not root?)"; return 0
    fi
    umount "$mnt"
    "$FOLIO" samples --households 200 --seed 45 --out "$WORK/fd" >/dev/null
    # 300 rows with a bad amount: a rejects.csv of some size
    for i in $(seq 1 300); do
        echo "REJ$i,2026-10-03,not-a-number,rejected row $i padding padding padding"
    done > "$WORK/fd/bad.rows"
    python3 - "$WORK/fd" <<'PY'
import csv, sys
d = sys.argv[1]
p = d + "/checking_transactions.csv"
rows = list(csv.reader(open(p, encoding="utf-8")))
hdr, first = rows[0], rows[1]
amt = [i for i, h in enumerate(hdr) if "amount" in h.lower()][0]
with open(p, "a", encoding="utf-8", newline="") as f:
    w = csv.writer(f)
    for i in range(300):
        r = list(first); r[amt] = "not-a-number-%d-padding-padding-padding-padding" % i
        w.writerow(r)
PY
    local ref="$WORK/fd/ref"
    "$FOLIO" run "$WORK/fd/job.yaml" --out "$ref" --quiet || [ $? = 3 ]
    [ "$(wc -l < "$ref/rejects.csv")" -gt 300 ]
    local sizes
    sizes=$(python3 - "$ref" <<'PY'
import glob, os, sys
o = sys.argv[1]
pg = lambda p: (os.path.getsize(p) + 4095) // 4096 * 4
g = lambda pat: sorted(glob.glob(o + "/" + pat))
lock = 4
rej = pg(o + "/rejects.csv")
prn = sum(pg(p) for p in g("print/*"))
arc = sum(pg(p) for p in g("archive/*"))
prf = sum(pg(p) for p in g("proofs/*"))
rec = sum(pg(o + "/" + f) for f in ("suppressed.csv", "audit.jsonl", "contact_history.csv"))
man = pg(o + "/manifest.json")
rep = pg(o + "/report.html")            # issue 16 part 5: written after the records
biggest_print = max(pg(p) for p in g("print/*"))
biggest_arc = max(pg(p) for p in g("archive/*"))
# KiB of the tmpfs for a disk that fills in: load output (rejects.csv),
# print, archive, records, manifest
print("rejects", lock + rej // 2)
print("print", lock + rej + biggest_print // 2)
print("archive", lock + rej + prn + biggest_arc // 2)
print("records", lock + rej + prn + arc + prf + rec // 2)
print("report", lock + rej + prn + arc + prf + rec + rep // 2)
print("manifest", lock + rej + prn + arc + prf + rec + rep + max(man - 8, 0))
PY
)
    echo "$sizes"
    local ph kib rc
    while read -r ph kib; do
        mount -t tmpfs -o size=${kib}k tmpfs "$mnt"
        set +e
        "$FOLIO" run "$WORK/fd/job.yaml" --out "$mnt/o" --quiet 2>"$WORK/fd/$ph.err"; rc=$?
        set -e
        echo "full disk in $ph (${kib} KiB): rc $rc: $(tail -1 "$WORK/fd/$ph.err")"
        local bad=""
        [ "$rc" = 1 ] || bad="rc $rc"
        grep -q "No space left on device" "$WORK/fd/$ph.err" || bad="$bad; ENOSPC not named"
        [ ! -e "$mnt/o/manifest.json" ] || bad="$bad; manifest published"
        for f in rejects.csv suppressed.csv audit.jsonl contact_history.csv report.html; do
            [ ! -e "$mnt/o/$f" ] || bad="$bad; $f published"
        done
        [ -z "$(find "$mnt/o" -name '*.part' -o -name '*.tmp-*')" ] || bad="$bad; leftovers"
        [ -z "$(find "$mnt/o/print" "$mnt/o/archive" "$mnt/o/proofs" -type f 2>/dev/null)" ] || bad="$bad; outputs left"
        umount "$mnt"
        [ -z "$bad" ] || { echo "full disk in $ph: $bad"; exit 1; }
    done <<< "$sizes"
}
