# SPDX-License-Identifier: Apache-2.0
# End-to-end tests of issue 12 part 1 (bounded memory on one machine),
# sourced by run.sh: the spooled audit and coverage records under --work,
# and --memory-limit.

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

# --memory-limit: a job estimated above the limit is refused (exit 2) before
# anything in OUT changes, naming the estimate and the shards that fit; a
# limit it fits runs as without one; bad sizes are usage errors.
t_memory_limit() {
    local d="$WORK/ml"
    "$FOLIO" samples --households 3000 --seed 6 --out "$d" >/dev/null
    "$FOLIO" samples --households 120 --seed 6 --out "$d/small" >/dev/null
    "$FOLIO" run "$d/small/job.yaml" --out "$d/o" --quiet
    cp "$d/o/manifest.json" "$d/manifest.before"
    set +e
    "$FOLIO" run "$d/job.yaml" --out "$d/o" --quiet --memory-limit 65M 2>"$d/e1"; rc=$?
    set -e
    cat "$d/e1"
    [ "$rc" = 2 ] || fail_at "$LINENO"
    grep -q "this job needs about [0-9]* MiB (feeds [0-9]* MB), above --memory-limit 65 MiB" "$d/e1" || fail_at "$LINENO"
    grep -q "folio partition JOB --shards 2 --out DIR" "$d/e1" || fail_at "$LINENO"
    cmp "$d/o/manifest.json" "$d/manifest.before"       # the earlier run is untouched
    set +e
    "$FOLIO" run "$d/job.yaml" --out "$d/o" --quiet --memory-limit 1K 2>"$d/e2"; rc=$?
    set -e
    [ "$rc" = 2 ] && grep -q -- "--memory-limit 0 MiB is below what any run needs" "$d/e2" || fail_at "$LINENO"
    for bad in 12X 1.5G -1M 0 ""; do
        set +e
        "$FOLIO" run "$d/small/job.yaml" --out "$d/o" --quiet --memory-limit "$bad" 2>"$d/e3"; rc=$?
        set -e
        [ "$rc" = 2 ] && grep -q -- "--memory-limit needs a size such as 512M or 2G" "$d/e3" || fail_at "$LINENO"
    done
    cmp "$d/o/manifest.json" "$d/manifest.before"
    # a limit the job fits: the same run
    "$FOLIO" run "$d/small/job.yaml" --out "$d/o2" --quiet --memory-limit 1G
    mem_same "$d/o" "$d/o2"
}

run_test memory_work t_memory_work
run_test memory_limit t_memory_limit
