#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Run the cmocka unit binaries quietly: one line per program, the full output
# in LOGDIR/NAME.log (named on failure).  Each program runs twice: in the C
# locale and under a decimal-comma locale (fr_FR.UTF-8), which must not
# change anything folio writes.
#   tests/run-unit.sh LOGDIR BIN...
# Writes "PASS FAIL" to LOGDIR/counts; exit 1 if anything failed.
set -u
logdir="$1"; shift
. "$(dirname "$0")/python-path.sh" "$logdir"
mkdir -p "$logdir"
pass=0; fail=0
for t in "$@"; do
    name="$(basename "$t")"
    log="$logdir/$name.log"
    ok=1
    ./"$t" >"$log" 2>&1 || ok=0
    if [ "$ok" = 1 ]; then
        { echo; echo "== again under LC_ALL=fr_FR.UTF-8"; } >>"$log"
        LC_ALL=fr_FR.UTF-8 LC_NUMERIC=fr_FR.UTF-8 ./"$t" >>"$log" 2>&1 || ok=2
    fi
    if [ "$ok" = 1 ]; then
        pass=$((pass + 1)); echo "ok   unit $name"
    else
        fail=$((fail + 1))
        why=""; [ "$ok" = 2 ] && why=" under a French locale"
        echo "FAIL unit $name$why (log: $log)"
        # CI keeps only the console: show the end of the log there
        if [ -n "${CI:-}" ]; then tail -40 "$log" | sed 's/^/     /'; fi
    fi
done
echo "$pass $fail" >"$logdir/counts"
echo "unit: $pass passed, $fail failed"
[ "$fail" = 0 ]
