# SPDX-License-Identifier: Apache-2.0
# End-to-end tests of issue 11 (print speed goals): the print stage per
# stage.  Sourced by run.sh (uses its run_test, $FOLIO, $WORK).

# `folio run` names the five print stages -- plan, compose, render,
# deflate, write -- so perf/bench can show the next bottleneck; deflate is
# the compression of page content (none with output.print.compression 0,
# some CPU time at the default level 6), render the formatting.
t_print_stages() {
    local d="$WORK/stages"
    "$FOLIO" samples --households 150 --seed 3 --out "$d" >/dev/null
    sed -e 's/^output:$/output:\n  archive:\n    enabled: false/' "$d/job.yaml" > "$d/job-p.yaml"
    sed -e 's/^    prefix: statements$/    prefix: statements\n    compression: 0/' \
        "$d/job-p.yaml" > "$d/job-c0.yaml"
    grep -q '^    compression: 0$' "$d/job-c0.yaml" || fail_at "$LINENO"
    local re='^  stages         plan [0-9.]+s, compose [0-9.]+s, render [0-9.]+s, deflate ([0-9.]+)s, write [0-9.]+s \(print, CPU seconds\)$'
    "$FOLIO" run "$d/job-p.yaml" --out "$d/o6" --threads 2 > "$d/o6.txt" 2>/dev/null || [ $? = 3 ]
    "$FOLIO" run "$d/job-c0.yaml" --out "$d/o0" --threads 2 > "$d/o0.txt" 2>/dev/null || [ $? = 3 ]
    grep -E "$re" "$d/o6.txt" || { cat "$d/o6.txt"; fail_at "$LINENO"; }
    grep -E "$re" "$d/o0.txt" || { cat "$d/o0.txt"; fail_at "$LINENO"; }
    local z6 z0
    z6=$(grep -E "$re" "$d/o6.txt" | sed -E "s/$re/\1/")
    z0=$(grep -E "$re" "$d/o0.txt" | sed -E "s/$re/\1/")
    [ "$z0" = 0.00 ] || { echo "deflate $z0 s without compression"; fail_at "$LINENO"; }
    [ "$z6" != 0.00 ] || { echo "deflate 0.00 s at level 6"; fail_at "$LINENO"; }
    # the stored streams are the same pages: same text
    for f in "$d"/o6/print/*.pdf; do
        cmp <(pdftotext "$f" -) <(pdftotext "$d/o0/print/$(basename "$f")" -) || fail_at "$LINENO"
    done
}

run_test print_stages t_print_stages
