# SPDX-License-Identifier: Apache-2.0
# End-to-end tests of issue 13 parts 1 and 2: images and charts in layouts,
# in PDF (print and PDF/A archive) and AFP.  Sourced by run.sh (uses its
# run_test, $FOLIO, $WORK, $ROOT).  tests/e2e/check_graphics.py does the
# checking: pdfimages, rendered pixels against the logo, chart points
# recomputed from the feeds against the PDF content streams and the AFP GOCA.

# gfx_setup DIR HOUSEHOLDS: samples, the logos (PNG made here), a copy of the
# sample layout with `images:` and `charts:`, print PDF + AFP + archive.
gfx_setup() {
    local d="$1"
    "$FOLIO" samples --households "$2" --seed 11 --out "$d" >/dev/null
    cp "$ROOT/layouts/paragraphs.yaml" "$d/"
    python3 "$ROOT/tests/e2e/check_graphics.py" setup "$d" "$ROOT"
}

t_graphics_pdf_afp() {
    local d="$WORK/gfx"
    gfx_setup "$d" 40
    "$FOLIO" run "$d/job.yaml" --out "$d/out" --threads 2 --quiet
    "$FOLIO" run "$d/job.yaml" --out "$d/out1" --threads 1 --quiet
    # deterministic whatever the thread count, images and charts included
    for f in $(cd "$d/out" && ls print/*.pdf print/*.afp); do cmp "$d/out/$f" "$d/out1/$f"; done
    for f in "$d"/out/print/*.afp; do "$FOLIO" afpdump "$f" --check; done
    "$FOLIO" verify "$d/out"
    python3 "$ROOT/tests/e2e/check_graphics.py" check "$d" "$d/out"
}
run_test graphics_pdf_afp t_graphics_pdf_afp

# A JPEG (made by pdftoppm from a rendered page) is carried as it is: PDF
# DCTDecode, AFP IOCA with JPEG compression, once per file.
t_graphics_jpeg() {
    local d="$WORK/gfxj"
    gfx_setup "$d" 6
    "$FOLIO" run "$d/job.yaml" --out "$d/out0" --quiet
    pdftoppm -jpeg -r 36 -f 1 -l 1 -x 0 -y 0 -W 90 -H 45 "$(ls "$d"/out0/print/*.pdf | head -1)" "$d/photo"
    mv "$d"/photo*.jpg "$d/photo.jpg"
    sed -i 's#file: {en: logo.png, es: logo-es.png}#file: photo.jpg#' "$d/g.yaml"
    grep -q 'file: photo.jpg' "$d/g.yaml"
    "$FOLIO" run "$d/job.yaml" --out "$d/out" --quiet
    for f in "$d"/out/print/*.afp; do "$FOLIO" afpdump "$f" --check; done
    python3 "$ROOT/tests/e2e/check_graphics.py" jpeg "$d" "$d/out"
}
run_test graphics_jpeg t_graphics_jpeg

# An image that cannot be read or decoded is a layout error at load, with
# the layout's file:line:col -- never a failure in the middle of a run.
t_graphics_bad_image() {
    local d="$WORK/gfxb"
    gfx_setup "$d" 3
    local line
    line=$(grep -n 'file: {en: logo.png' "$d/g.yaml" | cut -d: -f1)
    for case in missing truncated text body; do
        case $case in
        missing)   sed -i 's#{en: logo.png, es: logo-es.png}#{en: logo.png, es: nosuch.png}#' "$d/g.yaml"
                   want="g.yaml:$line:[0-9]*: 'images\[0\].file': cannot use image '.*nosuch.png': cannot read it: No such file or directory" ;;
        truncated) sed -i 's#nosuch.png#cut.png#' "$d/g.yaml"; head -c 60 "$d/logo.png" > "$d/cut.png"
                   want="g.yaml:$line:[0-9]*: 'images\[0\].file': cannot use image '.*cut.png': .*PNG" ;;
        text)      sed -i 's#cut.png#notes.png#' "$d/g.yaml"; echo "not an image" > "$d/notes.png"
                   want="g.yaml:$line:[0-9]*: 'images\[0\].file': cannot use image '.*notes.png': not a PNG or JPEG image" ;;
        body)      sed -i 's#notes.png#logo-es.png#; s#^    y: 30$#    y: 300#' "$d/g.yaml"
                   want="g.yaml:$line:[0-9]*: 'images\[0\]': the image box overlaps the body area" ;;
        esac
        set +e
        "$FOLIO" run "$d/job.yaml" --out "$d/out-$case" --quiet 2> "$d/err-$case"; rc=$?
        set -e
        cat "$d/err-$case"
        [ "$rc" = 2 ] || fail_at $LINENO
        grep -q "$want" "$d/err-$case" || fail_at $LINENO
        [ ! -e "$d/out-$case/manifest.json" ] || fail_at $LINENO
    done
}
run_test graphics_bad_image t_graphics_bad_image

# afpdump --check reads image objects: a broken image segment or an IOB
# naming an image the resource group lacks is reported.
t_graphics_afp_check_detects() {
    local d="$WORK/gfxc"
    gfx_setup "$d" 3
    "$FOLIO" run "$d/job.yaml" --out "$d/out" --quiet
    local afp
    afp=$(ls "$d"/out/print/*.afp | head -1)
    "$FOLIO" afpdump "$afp" --check
    python3 "$ROOT/tests/e2e/check_graphics.py" corrupt "$afp" "$d/bad-seg.afp" "$d/bad-iob.afp"
    set +e
    "$FOLIO" afpdump "$d/bad-seg.afp" --check > "$d/seg.out" 2>&1; rc1=$?
    "$FOLIO" afpdump "$d/bad-iob.afp" --check > "$d/iob.out" 2>&1; rc2=$?
    set -e
    cat "$d/seg.out" "$d/iob.out"
    [ "$rc1" != 0 ] && grep -q "IOCA" "$d/seg.out" || fail_at $LINENO
    [ "$rc2" != 0 ] && grep -q "IOB includes image 'FIMX0001'" "$d/iob.out" || fail_at $LINENO
}
run_test graphics_afp_check_detects t_graphics_afp_check_detects
