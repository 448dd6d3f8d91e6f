# SPDX-License-Identifier: Apache-2.0
# r-harden (round 25): robustness of issue 12's scale-out commands (merge,
# partition, the records thread, stop requests) and of round 24's new code.
# Sourced by run.sh (uses its run_test, wait_stopped, $FOLIO, $WORK, $ROOT).

h25_ms() { date +%s%3N; }

# h25_child PID: the pid of PID's child (folio under timeout), once forked
h25_child() {
    local i c
    for i in $(seq 1 500); do
        c=$(pgrep -P "$1" | head -1)
        [ -n "$c" ] && { echo "$c"; return 0; }
        sleep 0.01
    done
    echo "$1"
}

# h25_term_at JOB OUT PHASE STALL_MS [run args]: SIGTERM at the start of
# PHASE; every tick of a loop after the signal sleeps STALL_MS
# (FOLIO_TEST_STOP_STALL), so a loop that does not check the stop flag
# takes its ticks x STALL_MS.  Prints "rc ms".
h25_term_at() {
    local job="$1" out="$2" ph="$3" stall="$4" pid t0 rc
    shift 4
    set +e
    FOLIO_TEST_STOP_STALL=$stall FOLIO_TEST_PHASES=1 FOLIO_TEST_STOP_AT=$ph \
        timeout -s KILL 60 "$FOLIO" run "$job" --out "$out" --quiet "$@" 2>"$out.err" &
    pid=$!
    set -e
    local fp
    fp=$(h25_child $pid)
    wait_stopped "$fp" >&2
    t0=$(h25_ms); kill -TERM "$fp"; kill -CONT "$fp"
    set +e; wait $pid; rc=$?; set -e
    echo "$rc $(( $(h25_ms) - t0 ))"
}

# (3) A SIGTERM stops every phase of a spilled run promptly: the layout
# pass (porder.c), production's run keys, and the records phase's scans
# (reconcile's household and transaction scans, the per-currency totals,
# the contact history's loop) checked no stop flag -- at 1,000,000
# households a SIGTERM at the start of records took ~8 s.  With a 300 ms
# stall per tick after the signal, a loop that goes on takes seconds.
t_h25_stop_latency() {
    local d="$WORK/h25st" ph r rc ms
    "$FOLIO" samples --households 1500 --seed 44 --out "$d" >/dev/null
    for ph in layout production records; do
        r=$(h25_term_at "$d/job.yaml" "$d/o-$ph" $ph 300 --memory-limit 49M --threads 2)
        rc=${r% *}; ms=${r#* }
        echo "SIGTERM in $ph (spilled): rc $rc after $ms ms: $(tail -1 "$d/o-$ph.err")"
        [ "$rc" = 1 ] && [ "$ms" -lt 1500 ] || fail_at "$LINENO"
        grep -q "interrupted by signal 15" "$d/o-$ph.err" || fail_at "$LINENO"
        [ ! -e "$d/o-$ph/manifest.json" ] && [ ! -e "$d/o-$ph/audit.jsonl" ] || fail_at "$LINENO"
        [ -z "$(find "$d/o-$ph" -name '*.part')" ] || fail_at "$LINENO"
    done
    # in memory, 2 threads: the records written beside the print
    r=$(h25_term_at "$d/job.yaml" "$d/o-mem" records 300 --threads 2)
    rc=${r% *}; ms=${r#* }
    echo "SIGTERM in records (in memory): rc $rc after $ms ms"
    [ "$rc" = 1 ] && [ "$ms" -lt 1500 ] || fail_at "$LINENO"
}
run_test h25_stop_latency t_h25_stop_latency

# (5) The print stage fails (OUT/print made immutable at the start of
# print: its first file cannot be created) while the records thread
# writes: the run fails at once, exit 1 naming the print file, with no
# manifest and no record file; the records thread stops at its next
# household (a 200 ms stall per household once the run gave up: if it
# went on writing 1,500 households, the run would take 5 minutes).
t_h25_records_cancel() {
    local d="$WORK/h25rc" out pid rc t0 ms
    mkdir -p "$d/ci"
    chattr +i "$d/ci" 2>/dev/null || true
    touch "$d/ci/x" 2>/dev/null || true
    chattr -i "$d/ci" 2>/dev/null || true
    if [ -e "$d/ci/x" ]; then
        echo "SKIP: no immutable directories here (not root or not ext4)"; return 0
    fi
    "$FOLIO" samples --households 1500 --seed 45 --out "$d/f" >/dev/null
    out="$d/out"
    set +e
    FOLIO_TEST_STOP_STALL=200 FOLIO_TEST_PHASES=1 FOLIO_TEST_STOP_AT=print \
        timeout -s KILL 60 "$FOLIO" run "$d/f/job.yaml" --out "$out" --threads 2 --quiet \
        2>"$d/err" &
    pid=$!
    set -e
    local fp
    fp=$(h25_child $pid)
    wait_stopped "$fp"
    chattr +i "$out/print"
    t0=$(h25_ms); kill -CONT "$fp"
    set +e; wait $pid; rc=$?; set -e
    ms=$(( $(h25_ms) - t0 ))
    chattr -i "$out/print"
    cat "$d/err"
    echo "print failed: rc $rc after $ms ms"
    [ "$rc" = 1 ] && [ "$ms" -lt 3000 ] || fail_at "$LINENO"
    grep -q "print/statements-.*Operation not permitted" "$d/err" || fail_at "$LINENO"
    [ ! -e "$out/manifest.json" ] || fail_at "$LINENO"
    for f in suppressed.csv audit.jsonl contact_history.csv exceptions.csv rejects.csv; do
        [ ! -e "$out/$f" ] || fail_at "$LINENO"
    done
    [ -z "$(find "$out" -name '*.part')" ] || fail_at "$LINENO"
}
run_test h25_records_cancel t_h25_records_cancel
