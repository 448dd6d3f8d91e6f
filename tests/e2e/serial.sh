# SPDX-License-Identifier: Apache-2.0
# End-to-end tests of issue 11 (r-serial): the serial path of a run -- the
# record files written by their own thread while the print ring runs, the
# per-currency totals and record digests computed there, publish's fsyncs
# issued together, and the FOLIO_PHASE_CPU hook.
# Sourced by run.sh (uses its run_test, fail_at, $FOLIO, $WORK, $ROOT).

# Every file of two output directories is the same (report.html has a
# timings section, .folio.lock the PID: left out).
serial_same() {
    local a="$1" b="$2" f
    diff <(cd "$a" && find . -type f ! -name report.html ! -name .folio.lock | sort) \
         <(cd "$b" && find . -type f ! -name report.html ! -name .folio.lock | sort) || return 1
    while read -r f; do
        cmp -s "$a/$f" "$b/$f" || { echo "differs: $f"; return 1; }
    done < <(cd "$a" && find . -type f ! -name report.html ! -name .folio.lock)
}

# The record files (audit.jsonl, suppressed.csv, contact_history.csv,
# exceptions.csv, not_due.csv, statement_history.csv) and the manifest
# (their digests, per-currency totals) are byte-identical at 1, 2, 3 and 16
# threads, where from 2 threads on they are written during printing.
t_serial_records_threads() {
    local d="$WORK/serial-rec" t
    "$FOLIO" samples --households 300 --seed 71 --out "$d" >/dev/null
    mkdir -p "$d/freq"
    python3 "$ROOT/tests/e2e/check_frequency.py" feeds "$d/freq" "$ROOT"
    for t in 1 2 3 16; do
        "$FOLIO" run "$d/job.yaml" --out "$d/o$t" -j $t --quiet || [ $? = 3 ]
        "$FOLIO" run "$d/freq/job-dec.yaml" --out "$d/f$t" -j $t --quiet
    done
    [ -s "$d/o1/contact_history.csv" ] && [ -s "$d/o1/audit.jsonl" ] || fail_at "$LINENO"
    [ -s "$d/f1/not_due.csv" ] || [ -s "$d/f1/statement_history.csv" ] || fail_at "$LINENO"
    for t in 2 3 16; do
        serial_same "$d/o1" "$d/o$t" || fail_at "$LINENO"
        serial_same "$d/f1" "$d/f$t" || fail_at "$LINENO"
    done
    "$FOLIO" verify "$d/o2" >/dev/null
    "$FOLIO" verify "$d/f2" >/dev/null
}

# A single print file whose writes fail mid-run (a file size limit: EFBIG)
# while the record files, smaller than the limit, are being written beside
# it: exit 1 with the same message at 1 and 2 threads, nothing published,
# no .part file left (the record thread is waited for before they go).
t_serial_print_fails() {
    local d="$WORK/serial-fail"
    "$FOLIO" samples --households 300 --seed 72 --out "$d" >/dev/null
    # one stream, one file, no archive (as perf/bench's single-file job)
    sed -i -e 's/^    max_sheets: [0-9]*$/    max_sheets: 1000000/' \
        -e 's/^output:$/output:\n  archive:\n    enabled: false\n  streams:\n    - name: all/' \
        "$d/job.yaml"
    grep -q '^    - name: all' "$d/job.yaml" || fail_at "$LINENO"
    "$FOLIO" run "$d/job.yaml" --out "$d/ref" -j 1 --quiet || [ $? = 3 ]
    [ "$(ls "$d"/ref/print/*.pdf | wc -l)" = 1 ] || fail_at "$LINENO"
    local pdf rec kib
    pdf=$(stat -c %s "$d"/ref/print/*.pdf)
    rec=$(stat -c %s "$d/ref/audit.jsonl" "$d/ref/suppressed.csv" "$d/ref/contact_history.csv" \
          | sort -n | tail -1)
    [ "$rec" -lt "$pdf" ] || fail_at "$LINENO"
    kib=$(( (rec + pdf) / 2 / 1024 ))
    local t rc
    for t in 1 2; do
        set +e
        # composed twice: the kept statements' work file (larger than the
        # print file) would reach the limit first (tests/e2e/once.sh)
        ( ulimit -f "$kib"; FOLIO_TEST_COMPOSE_TWICE=1 "$FOLIO" run "$d/job.yaml" --out "$d/o$t" \
              -j $t --quiet ) 2>"$d/e$t"
        rc=$?
        set -e
        echo "limit $kib KiB, $t thread(s): rc $rc: $(tail -1 "$d/e$t")"
        [ "$rc" = 1 ] || fail_at "$LINENO"
        grep -q "File too large" "$d/e$t" || fail_at "$LINENO"
        [ ! -e "$d/o$t/manifest.json" ] || fail_at "$LINENO"
        for f in audit.jsonl suppressed.csv contact_history.csv exceptions.csv rejects.csv; do
            [ ! -e "$d/o$t/$f" ] || { echo "published $f"; fail_at "$LINENO"; }
        done
        [ -z "$(find "$d/o$t" -name '*.part' -o -name '*.tmp-*')" ] || fail_at "$LINENO"
        [ -z "$(find "$d/o$t/print" -type f)" ] || fail_at "$LINENO"
    done
    grep -q "/o1/print/statements-all-0001.pdf.part: .*File too large" "$d/e1" || fail_at "$LINENO"
    cmp <(sed "s#/o1/#/OUT/#g" "$d/e1") <(sed "s#/o2/#/OUT/#g" "$d/e2") || fail_at "$LINENO"
    # the same OUT then takes a complete run
    "$FOLIO" run "$d/job.yaml" --out "$d/o2" -j 2 --quiet || [ $? = 3 ]
    serial_same "$d/ref" "$d/o2" || fail_at "$LINENO"
}

# FOLIO_PHASE_CPU=1: wall and CPU seconds of every phase on stderr after the
# run (perf/README.md "Round 23: the serial path"); nothing without it.
t_serial_phase_cpu() {
    local d="$WORK/serial-cpu" ph
    "$FOLIO" samples --households 100 --seed 73 --out "$d" >/dev/null
    FOLIO_PHASE_CPU=1 "$FOLIO" run "$d/job.yaml" --out "$d/o" -j 2 --quiet 2>"$d/err" || [ $? = 3 ]
    cat "$d/err"
    for ph in start load plan compose production print proofs records publish; do
        grep -Eq "^folio: phase-cpu $ph wall [0-9]+\.[0-9]{3} cpu [0-9]+\.[0-9]{3}$" "$d/err" \
            || { echo "no line for $ph"; fail_at "$LINENO"; }
    done
    "$FOLIO" run "$d/job.yaml" --out "$d/o" -j 2 --quiet 2>"$d/err2" || [ $? = 3 ]
    ! grep -q "phase-cpu" "$d/err2" || fail_at "$LINENO"
}

run_test serial_records_threads t_serial_records_threads
run_test serial_print_fails t_serial_print_fails
run_test serial_phase_cpu t_serial_phase_cpu
