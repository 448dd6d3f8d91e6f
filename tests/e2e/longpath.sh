# SPDX-License-Identifier: Apache-2.0
# End-to-end tests of paths longer than the fixed buffers folio once cut
# them into.  A cut path, or one taken relative to the working directory
# instead of the job or catalogue, can name another file: each case is now
# either the whole path or a job error (exit 2, file:line:col).  Sourced by
# run.sh (uses its run_test, $FOLIO, $WORK, $ROOT).

# A directory path of more than 1,400 bytes under $WORK/$1.
longpath_dir() {
    local seg d i
    seg=$(printf 'x%.0s' $(seq 1 200))
    d="$WORK/$1"
    rm -rf "$d"
    for i in 1 2 3 4 5 6 7; do d="$d/$seg$i"; done
    mkdir -p "$d"
    printf '%s' "$d"
}

# An offer catalogue in a long directory: its pictures are read from the
# catalogue's own directory (the path was cut at 1,024 bytes).
t_longpath_offer_image() {
    local d
    d=$(longpath_dir longpath-offimg)/s
    offimg_setup "$d"
    "$FOLIO" run "$d/job.yaml" --out "$d/out" --quiet
    python3 "$ROOT/tests/e2e/check_offers_image.py" check "$d" "$d/out"
    rm -rf "$WORK/longpath-offimg"
}
run_test longpath_offer_image t_longpath_offer_image

# The archive's ICC profile named relative to a job file whose directory
# is too long for it: a job error at the key (it was read relative to the
# working directory, where another profile of that name was used).
t_longpath_archive_icc() {
    local d rc
    d=$(longpath_dir longpath-icc)/s
    "$FOLIO" samples --households 8 --seed 2 --out "$d" >/dev/null
    cp /usr/share/color/icc/sRGB.icc "$d/my.icc"
    printf '  archive:\n    icc_profile: my.icc\n' >> "$d/job.yaml"
    mkdir -p "$WORK/longpath-cwd"
    cp /usr/share/color/icc/sRGB.icc "$WORK/longpath-cwd/my.icc"
    set +e
    (cd "$WORK/longpath-cwd" && "$FOLIO" run "$d/job.yaml" --out "$WORK/longpath-cwd/out" \
        --quiet 2>"$WORK/longpath-cwd/err")
    rc=$?
    set -e
    [ "$rc" = 2 ] || { cat "$WORK/longpath-cwd/err"; echo "expected exit 2, got $rc"; return 1; }
    grep -Eq "job.yaml:[0-9]+:[0-9]+: 'output.archive.icc_profile' is too long" \
        "$WORK/longpath-cwd/err" || { cat "$WORK/longpath-cwd/err"; return 1; }
    [ ! -e "$WORK/longpath-cwd/out/manifest.json" ]
    rm -rf "$WORK/longpath-icc" "$WORK/longpath-cwd"
}
run_test longpath_archive_icc t_longpath_archive_icc

# An archive ICC profile the job names but that cannot be read is a job
# error at its key before anything is written (it was exit 1 at run time,
# after the print files were composed).
t_archive_icc_unreadable() {
    local d="$WORK/icc-unread" rc
    rm -rf "$d"
    "$FOLIO" samples --households 8 --seed 2 --out "$d" >/dev/null
    printf '  archive:\n    icc_profile: nonexist.icc\n' >> "$d/job.yaml"
    set +e
    "$FOLIO" run "$d/job.yaml" --out "$d/out" --quiet 2>"$d/err"
    rc=$?
    set -e
    [ "$rc" = 2 ] || { cat "$d/err"; echo "expected exit 2, got $rc"; return 1; }
    grep -Eq "^folio: $d/job.yaml:[0-9]+:[0-9]+: 'output.archive.icc_profile': cannot read '$d/nonexist.icc'" \
        "$d/err" || { cat "$d/err"; return 1; }
    [ ! -e "$d/out" ]
}
run_test archive_icc_unreadable t_archive_icc_unreadable

# Layout fonts in a directory of more than 512 bytes: every archive
# document has both faces.  The archive keeps its fonts loaded from one
# document to the next by file path; those paths were kept cut at 511 bytes,
# which never matched again, so every document read its fonts anew (this
# test guards the whole-path lookup that replaced it; it passes on both).
t_longpath_fonts() {
    local d fd x
    d="$WORK/longpath-fonts"
    fd=$(longpath_dir longpath-fonts/f)
    rm -rf "$d/s"
    "$FOLIO" samples --households 40 --seed 4 --out "$d/s" >/dev/null
    cp "$ROOT/fonts/LiberationSans-Regular.ttf" "$ROOT/fonts/LiberationSans-Bold.ttf" "$fd/"
    sed -e "s#file: ../fonts/#file: $fd/#" -e "s#library: paragraphs.yaml#library: $ROOT/layouts/paragraphs.yaml#" \
        -e "s#file: logo.png#file: $ROOT/layouts/logo.png#" "$ROOT/layouts/statement.yaml" > "$d/s/layout.yaml"
    grep -q "$fd/LiberationSans-Bold.ttf" "$d/s/layout.yaml"
    sed -i -e "s#^layout: .*#layout: \"$d/s/layout.yaml\"#" "$d/s/job.yaml"
    "$FOLIO" run "$d/s/job.yaml" --out "$d/out" --quiet
    mkdir -p "$d/docs"
    (cd "$d/docs" && for x in "$d"/out/archive/*.zip; do unzip -qo "$x"; done)
    [ "$(ls "$d/docs"/*.pdf | wc -l)" -ge 3 ]
    for x in "$d/docs"/*.pdf; do
        pdffonts "$x" | grep -q '+LiberationSans-Bold' || { echo "no bold font in $x"; return 1; }
        pdffonts "$x" | grep -Eq '\+LiberationSans[[:space:]]' || { echo "no regular font in $x"; return 1; }
    done
    rm -rf "$d"
}
run_test longpath_fonts t_longpath_fonts
