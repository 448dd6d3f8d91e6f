#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Run the cmocka unit binaries quietly, UNIT_JOBS (default 2) at a time: one
# line per program in argument order, the full output in LOGDIR/NAME.log
# (named on failure).  Each program runs twice: in the C
# locale and under a decimal-comma locale (fr_FR.UTF-8), which must not
# change anything folio writes.
#   tests/run-unit.sh LOGDIR BIN...
# Writes "PASS FAIL" to LOGDIR/counts; exit 1 if anything failed.
set -u
logdir="$1"; shift
. "$(dirname "$0")/python-path.sh" "$logdir"
mkdir -p "$logdir"
# UNIT_JOBS programs run side by side (default 2; 1: one after the other);
# the lines come in the order of the arguments whatever order they end in.
jobs_max="${UNIT_JOBS:-2}"
[[ "$jobs_max" =~ ^[1-9][0-9]*$ ]] || { echo "UNIT_JOBS must be a number >= 1"; exit 2; }
pass=0; fail=0

# one_unit BIN: runs it twice; its result (1 ok, 0 failed, 2 failed under
# the French locale) in LOGDIR/NAME.status once it has ended
one_unit() {
    local t="$1" name log ok=1
    name="$(basename "$t")"; log="$logdir/$name.log"
    ./"$t" >"$log" 2>&1 || ok=0
    if [ "$ok" = 1 ]; then
        { echo; echo "== again under LC_ALL=fr_FR.UTF-8"; } >>"$log"
        LC_ALL=fr_FR.UTF-8 LC_NUMERIC=fr_FR.UTF-8 ./"$t" >>"$log" 2>&1 || ok=2
    fi
    echo "$ok" >"$logdir/$name.status"
}

report() {   # report BIN: its line (and on failure, in CI, its log's end)
    local name log ok
    name="$(basename "$1")"; log="$logdir/$name.log"
    ok=$(cat "$logdir/$name.status" 2>/dev/null || echo 0)
    rm -f "$logdir/$name.status"
    if [ "$ok" = 1 ]; then
        pass=$((pass + 1)); echo "ok   unit $name"
    else
        fail=$((fail + 1))
        why=""; [ "$ok" = 2 ] && why=" under a French locale"
        echo "FAIL unit $name$why (log: $log)"
        # CI keeps only the console: show the end of the log there
        if [ -n "${CI:-}" ]; then tail -40 "$log" | sed 's/^/     /'; fi
    fi
}

bins=("$@"); pids=(); next=0; running=0
for ((i = 0; i < ${#bins[@]}; i++)); do
    rm -f "$logdir/$(basename "${bins[$i]}").status"
    if [ "$running" -ge "$jobs_max" ]; then wait -n; running=$((running - 1)); fi
    one_unit "${bins[$i]}" &
    pids[$i]=$!; running=$((running + 1))
    # the lines of the programs that have ended, in order
    while [ "$next" -lt "$i" ] && ! kill -0 "${pids[$next]}" 2>/dev/null; do
        wait "${pids[$next]}"; report "${bins[$next]}"; next=$((next + 1))
    done
done
while [ "$next" -lt "${#bins[@]}" ]; do
    wait "${pids[$next]}"; report "${bins[$next]}"; next=$((next + 1))
done
echo "$pass $fail" >"$logdir/counts"
echo "unit: $pass passed, $fail failed"
[ "$fail" = 0 ]
