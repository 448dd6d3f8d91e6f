#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# perf/scale.sh -- issue 12: measure the scale-out pipeline on one machine.
#
#   perf/scale.sh [HOUSEHOLDS] [SHARDS] [THREADS]     (default 100000 4 2)
#
# Generates sample feeds (cached in perf/out/feeds-N-s1), then measures with
# /usr/bin/time: the unsharded run, `folio partition`, each shard's run on
# its partition (--shard I/N) and `folio merge`; prints wall and CPU seconds
# and peak RSS per step, the input bytes each shard read, and checks the
# merge with `folio verify`.  Outputs go to perf/out/scale-N-S/ (git-ignored).
#
# Issue 12 part 1 (memory on one machine):
#   SCALE_STEPS=run   only the unsharded run (peak RSS at N households)
#   SCALE_PRINT_ONLY=1  the job with output.archive.enabled: false (print only)
# and the line "estimate" shows what `--memory-limit` estimates for the job.
#   SCALE_LIMIT=SIZE  also the run with --memory-limit SIZE ("spilled": the
#                     dataset's tables and strings in work files) and a check
#                     that its outputs equal the in-memory run's
set -eu
N=${1:-100000}; S=${2:-4}; T=${3:-2}
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
F="$ROOT/build/folio"
OUT="$ROOT/perf/out/scale-$N-$S"
FEEDS="$ROOT/perf/out/feeds-$N-s1"
mkdir -p "$ROOT/perf/out"
[ -f "$FEEDS/job.yaml" ] || "$F" samples --households "$N" --seed 1 --out "$FEEDS" >/dev/null
rm -rf "$OUT"; mkdir -p "$OUT"
JOB="$FEEDS/job.yaml"
if [ "${SCALE_PRINT_ONLY:-0}" = 1 ]; then      # issue 12 part 1: print only
    JOB="$FEEDS/job-print-only.yaml"
    sed 's/^output:$/output:\n  archive:\n    enabled: false/' "$FEEDS/job.yaml" > "$JOB"
fi
step() {   # step NAME CMD...: one row of the table
    local name="$1"; shift
    set +e
    /usr/bin/time -f "%e %U %S %M" -o "$OUT/$name.time" "$@" >"$OUT/$name.out" 2>&1
    local rc=$?
    set -e
    [ "$rc" = 0 ] || [ "$rc" = 3 ] || { cat "$OUT/$name.out"; exit 1; }
    read -r e u s m < "$OUT/$name.time"
    awk -v n="$name" -v e="$e" -v u="$u" -v s="$s" -v m="$m" 'BEGIN { printf "%-12s %8.1f %8.1f %8.0f\n", n, e, u + s, m / 1024 }'
}
echo "load average: $(cut -d' ' -f1-3 /proc/loadavg); $N households, $S shards, $T threads"
echo "feeds: $(du -sb "$FEEDS" | cut -f1) bytes"
printf '%-12s %8s %8s %8s\n' step wall_s cpu_s rss_MB
step unsharded "$F" run "$JOB" --out "$OUT/full" --threads "$T" --quiet
if [ -n "${SCALE_LIMIT:-}" ]; then            # issue 12 part 1: the spilled run
    step spilled "$F" run "$JOB" --out "$OUT/spilled" --threads "$T" --memory-limit "$SCALE_LIMIT"
    grep "note:" "$OUT/spilled.out" || true
    diff -r -x .folio.lock -x report.html "$OUT/full" "$OUT/spilled" >/dev/null &&
        echo "spilled      outputs byte-identical to the in-memory run" ||
        { echo "spilled      outputs DIFFER from the in-memory run"; exit 1; }
fi
[ "${SCALE_STEPS:-all}" = run ] && exit 0
step partition "$F" partition "$FEEDS/job.yaml" --shards "$S" --out "$OUT/part" --threads "$T"
for i in $(seq "$S"); do
    step "shard$i" "$F" run "$OUT/part/s$(printf %02d "$i")/job.yaml" --shard "$i/$S" \
        --out "$OUT/o$i" --threads "$T" --quiet
done
step merge "$F" merge $(for i in $(seq "$S"); do echo "$OUT/o$i"; done) --out "$OUT/merged"
sed -n 1p "$OUT/partition.out"
echo "shard 1 input bytes: $(du -cb "$OUT"/part/s01/feeds/*.csv | tail -1 | cut -f1)"
"$F" verify "$OUT/merged" | tail -1
