# SPDX-License-Identifier: Apache-2.0
# End-to-end tests of issue 14 part 3: PDF/VT-1 print files on a PDF/X-4
# base (output.print.pdf_profile: pdfvt; docs/job-file.md "PDF/VT print
# files").  Sourced by run.sh (uses its run_test, $FOLIO, $WORK, $ROOT).

# Sample feeds, duplex, small print files (several per run); job-plain.yaml
# and job-vt.yaml differ only in pdf_profile.
pdfvt_job() {
    local d="$1"
    rm -rf "$d"
    "$FOLIO" samples --households 40 --seed 3 --out "$d" >/dev/null
    sed -i -e 's/duplex: false/duplex: true/' -e 's/max_sheets: 2000/max_sheets: 25/' "$d/job.yaml"
    cp "$d/job.yaml" "$d/job-plain.yaml"
    sed -e 's/^    prefix: statements$/&\n    pdf_profile: pdfvt/' "$d/job.yaml" > "$d/job-vt.yaml"
    grep -q 'pdf_profile: pdfvt' "$d/job-vt.yaml"
}

# DPart per piece with the pieces.csv metadata, qpdf --check, output intent
# with a parsing ICC profile, XMP ids, TrimBox, colours, pages equal to the
# plain file's (check_pdfvt.py); the plain file is unchanged by the option;
# the same bytes at 1 and 2 threads.
t_pdfvt() {
    local d="$WORK/pdfvt"
    pdfvt_job "$d"
    "$FOLIO" run "$d/job-plain.yaml" --out "$d/plain" --quiet
    "$FOLIO" run "$d/job-vt.yaml" --out "$d/vt" --quiet
    [ "$(ls "$d/vt/print/"*.pdf | wc -l)" -ge 2 ]
    python3 "$ROOT/tests/e2e/check_pdfvt.py" "$d/plain" "$d/vt"
    "$FOLIO" run "$d/job-vt.yaml" --out "$d/vt2" --threads 2 --quiet
    for f in $(cd "$d/vt" && ls print/*.pdf); do cmp "$d/vt/$f" "$d/vt2/$f"; done
    # the manifest's checksums are of the PDF/VT files
    "$FOLIO" verify "$d/vt" | grep -q '^verified'
}
run_test pdfvt t_pdfvt

# A bad profile name, a profile that cannot be read or is not RGB, and
# icc_profile without pdfvt are job errors (exit 2) naming file:line:col.
t_pdfvt_errors() {
    local d="$WORK/pdfvt-err" rc
    pdfvt_job "$d"
    vt_expect() {   # vt_expect SED-EXPR MESSAGE-REGEX
        sed -e "$1" "$d/job-vt.yaml" > "$d/bad.yaml"
        set +e
        "$FOLIO" run "$d/bad.yaml" --out "$d/o-bad" --quiet 2>"$d/err"
        rc=$?
        set -e
        [ "$rc" = 2 ] || { cat "$d/err"; echo "expected exit 2, got $rc"; return 1; }
        grep -Eq "^folio: $d/bad.yaml:[0-9]+:[0-9]+: .*$2" "$d/err" \
            || { cat "$d/err"; echo "message does not match: $2"; return 1; }
    }
    vt_expect 's/pdf_profile: pdfvt/pdf_profile: pdfx/' "pdf_profile"
    vt_expect "s#pdf_profile: pdfvt#&\n    icc_profile: $d/missing.icc#" "missing.icc cannot be read"
    vt_expect 's#pdf_profile: pdfvt#&\n    icc_profile: /usr/share/color/icc/Gray.icc#' "not an RGB profile"
    printf 'not an icc profile at all, just some bytes%0200d' 0 > "$d/junk.icc"
    vt_expect 's#pdf_profile: pdfvt#&\n    icc_profile: junk.icc#' "junk.icc is not an ICC profile"
    vt_expect 's#pdf_profile: pdfvt#pdf_profile: plain\n    icc_profile: x.icc#' "only used with"
    vt_expect 's#    pdf: true#    pdf: false\n    text: true#' "needs the PDF print file"
}
run_test pdfvt_errors t_pdfvt_errors
