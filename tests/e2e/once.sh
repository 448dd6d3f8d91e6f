# SPDX-License-Identifier: Apache-2.0
# Issue 11 part 2 (r-once): every printed household is composed once.  The
# compose stage keeps each printed statement (src/stmt-spool.c, a work
# file); the print ring takes it back instead of composing the household
# again, and the finish stage (duplex padding, inserter marks, PDF/VT piece
# metadata) works on the statement it gets back.

once_same() {
    diff -r -x .folio.lock -x report.html "$1" "$2" >/dev/null ||
        { diff -r -x .folio.lock -x report.html -q "$1" "$2"; return 1; }
    cmp <(sed '/folio:timings:begin/,/folio:timings:end/d' "$1/report.html") \
        <(sed '/folio:timings:begin/,/folio:timings:end/d' "$2/report.html")
}

# Every print format (PDF/VT, AFP, text), duplex and inserter marks, with
# the e-delivery archive on (households printed and archived are kept from
# the archive's ring): the summary says every printed statement was kept
# and none composed again; the outputs are byte-identical to composing
# twice (FOLIO_TEST_COMPOSE_TWICE, the old way), at 1, 3 and 16 threads and
# in a spilled run (--memory-limit).
t_print_once() {
    local d="$WORK/once"
    "$FOLIO" samples --households 250 --seed 11 --with-errors --out "$d" >/dev/null
    sed -e 's/^    duplex: false$/    duplex: true\n    text: true\n    pdf_profile: pdfvt\n    afp: {code_page: 37}/' \
        -e 's/^output:$/output:\n  marks: {omr: {}, imb: {service_type: "040", mailer_id: "123456"}}/' \
        "$d/job.yaml" > "$d/job-all.yaml"
    grep -q 'pdf_profile: pdfvt' "$d/job-all.yaml" && grep -q '^  marks:' "$d/job-all.yaml" ||
        fail_at "$LINENO"
    local rc1 rc3 rc16 rct rcs
    set +e
    "$FOLIO" run "$d/job-all.yaml" --out "$d/a1" --threads 1 >"$d/a1.out"; rc1=$?
    "$FOLIO" run "$d/job-all.yaml" --out "$d/a3" --threads 3 --quiet; rc3=$?
    "$FOLIO" run "$d/job-all.yaml" --out "$d/a16" --threads 16 --quiet; rc16=$?
    FOLIO_TEST_COMPOSE_TWICE=1 "$FOLIO" run "$d/job-all.yaml" --out "$d/t2" --threads 2 \
        >"$d/t2.out"; rct=$?
    "$FOLIO" run "$d/job-all.yaml" --out "$d/s2" --threads 2 --memory-limit 49M \
        --work "$d/work" >"$d/s2.out" 2>"$d/s2.err"; rcs=$?
    set -e
    [ "$rc1" = 3 ] && [ "$rc3" = 3 ] && [ "$rc16" = 3 ] && [ "$rct" = 3 ] && [ "$rcs" = 3 ] ||
        fail_at "$LINENO"
    grep -q "kept in work files in $d/work" "$d/s2.err" || fail_at "$LINENO"   # spilled
    local n
    n=$(sed -n 's/^  print  *\([0-9]*\) statements,.*/\1/p' "$d/a1.out")
    echo "printed statements: $n"
    [ -n "$n" ] && [ "$n" -gt 100 ] || fail_at "$LINENO"
    grep "composed once" "$d/a1.out" "$d/t2.out" "$d/s2.out"
    for o in a1 s2; do
        grep -q "^  composed once  $n statements kept from compose ([0-9.]* MB work file), 0 composed again to print$" \
            "$d/$o.out" || fail_at "$LINENO"
    done
    # the hook: nothing kept, every printed household composed again
    grep -q "^  composed once  0 statements kept from compose (0.0 MB work file), $n composed again to print$" \
        "$d/t2.out" || fail_at "$LINENO"
    ls "$d"/a1/print/*.pdf "$d"/a1/print/*.afp "$d"/a1/print/*.txt "$d"/a1/archive/*.zip >/dev/null ||
        fail_at "$LINENO"
    once_same "$d/a1" "$d/t2" || fail_at "$LINENO"
    once_same "$d/a1" "$d/a3" || fail_at "$LINENO"
    once_same "$d/a1" "$d/a16" || fail_at "$LINENO"
    once_same "$d/a1" "$d/s2" || fail_at "$LINENO"
    [ -z "$(ls -A "$d/work")" ] || { ls -la "$d/work"; fail_at "$LINENO"; }
}

run_test print_once t_print_once
