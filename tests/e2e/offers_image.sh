# SPDX-License-Identifier: Apache-2.0
# End-to-end tests of the issue 13 leftover: pictures in offers, per
# language, in PDF and AFP (docs/offers.md "Images in offers").  Sourced by
# run.sh (uses its run_test, $FOLIO, $WORK, $ROOT); the checking is in
# tests/e2e/check_offers_image.py.

offimg_setup() {
    rm -rf "$1"
    "$FOLIO" samples --households 60 --seed 5 --out "$1" >/dev/null
    python3 "$ROOT/tests/e2e/check_offers_image.py" setup "$1" "$ROOT"
}

# The picture of the offer's language on exactly the pages that place it,
# once per PDF file and once per AFP resource group; valid AFP; the same
# bytes at 1 and 2 threads.
t_offers_image() {
    local d="$WORK/offimg"
    offimg_setup "$d"
    "$FOLIO" run "$d/job.yaml" --out "$d/out" --quiet
    "$FOLIO" run "$d/job.yaml" --out "$d/out2" --threads 2 --quiet
    for f in $(cd "$d/out" && ls print/*.pdf print/*.afp); do cmp "$d/out/$f" "$d/out2/$f"; done
    for f in "$d"/out/print/*.afp; do "$FOLIO" afpdump "$f" --check; done
    python3 "$ROOT/tests/e2e/check_offers_image.py" check "$d" "$d/out"
}
run_test offers_image t_offers_image

# A picture that cannot be read or decoded, or none in the default
# language: a catalogue error (exit 2) at its line and column, no output.
t_offers_image_errors() {
    local d="$WORK/offimg-err" rc
    offimg_setup "$d"
    offimg_expect() {   # offimg_expect SED-EXPR MESSAGE-REGEX
        sed -e "$1" "$d/offers.yaml" > "$d/bad.yaml"
        sed -e "s#$d/offers.yaml#$d/bad.yaml#" "$d/job.yaml" > "$d/job-bad.yaml"
        rm -rf "$d/o-bad"
        set +e
        "$FOLIO" run "$d/job-bad.yaml" --out "$d/o-bad" --quiet 2>"$d/err"
        rc=$?
        set -e
        [ "$rc" = 2 ] || { cat "$d/err"; echo "expected exit 2, got $rc"; return 1; }
        grep -Eq "^folio: $d/bad.yaml:[0-9]+:[0-9]+: $2" "$d/err" \
            || { cat "$d/err"; echo "message does not match: $2"; return 1; }
        [ ! -e "$d/o-bad/manifest.json" ]
    }
    offimg_expect 's/es: phone-es.png/es: missing.png/' \
        "'offers\[[0-9]+\]\.image\.file\.es': cannot use image 'missing.png': cannot read it"
    printf 'this is not a PNG' > "$d/broken.png"
    offimg_expect 's/en: phone-en.png/en: broken.png/' \
        "'offers\[[0-9]+\]\.image\.file\.en': cannot use image 'broken.png'"
    offimg_expect 's/{en: phone-en.png, es: phone-es.png}/{es: phone-es.png}/' \
        "'offers\[[0-9]+\]\.image\.file' has no image in the default language 'en'"
    offimg_expect 's/, width: 30, height: 30/, width: 30/' "missing required key 'height'"
}
run_test offers_image_errors t_offers_image_errors
