# SPDX-License-Identifier: Apache-2.0
# End-to-end tests of issue 13 part 5: AFP for every name (code page 1200,
# UTF-16BE with the layout's Unicode fonts).  Sourced by run.sh (uses its
# run_test, $FOLIO, $WORK, fail_at).

# The sample feeds (names in Polish, Czech, Vietnamese ...) printed as AFP
# with code_page 1200: every page's text decoded from the AFP by
# check_afp_unicode.py equals pdftotext's text of the PDF twin, no
# substitutions, valid for afpdump --check; without Unicode fonts in the
# layout the job is refused (exit 2) before anything is written.
t_afp_unicode() {
    local d="$WORK/afpu" rc
    "$FOLIO" samples --households 100 --seed 11 --out "$d" >/dev/null
    sed -e "s#\.\./fonts/#$ROOT/fonts/#" -e "s#library: paragraphs.yaml#library: $ROOT/layouts/paragraphs.yaml#" \
        -e "s#file: logo.png#file: $ROOT/layouts/logo.png#" \
        -e 's#^  - {name: regular, file: \(.*\)}#  - {name: regular, file: \1, afp: {unicode: {character_set: CZH200, code_page: T1UTF16B}}}#' \
        -e 's#^  - {name: bold, file: \(.*\)}#  - {name: bold, file: \1, afp: {unicode: {character_set: CZH400, code_page: T1UTF16B}}}#' \
        "$ROOT/layouts/statement.yaml" > "$d/layout.yaml"
    grep -q 'unicode: {character_set: CZH400' "$d/layout.yaml"
    python3 - "$d" <<'PY'
import re, sys
d = sys.argv[1]
s = open(d + "/job.yaml", encoding="utf-8").read()
s = re.sub(r'(?m)^layout:.*$', 'layout: "%s/layout.yaml"' % d, s)
s = s.replace("    prefix: statements\n", "    prefix: statements\n"
              "    afp: {code_page: 1200, index: {household: Household ID, name: Customer Name}}\n", 1)
open(d + "/job.yaml", "w", encoding="utf-8").write(s)
PY
    "$FOLIO" run "$d/job.yaml" --out "$d/out" --quiet
    for f in "$d"/out/print/*.afp; do "$FOLIO" afpdump --check "$f"; done
    python3 "$ROOT/tests/e2e/check_afp_unicode.py" "$d/out" "$d/customers.csv"
    # afpdump decodes the TLE values as UTF-16 (names beyond Latin-1 shown)
    "$FOLIO" afpdump "$d/out/print/statements-letters-0001.afp" |
        python3 -c 'import sys; sys.exit(not any(ord(c) > 0xFF for l in sys.stdin if " TLE " in l for c in l))' || fail_at "$LINENO"
    # the sample layout names no Unicode font: refused, nothing written
    sed -e "s#layout: \"$d/layout.yaml\"#layout: \"$ROOT/layouts/statement.yaml\"#" "$d/job.yaml" > "$d/job-nofont.yaml"
    rc=0; "$FOLIO" run "$d/job-nofont.yaml" --out "$d/bad" --quiet 2>"$d/bad.err" || rc=$?
    cat "$d/bad.err"
    [ "$rc" = 2 ] && grep -q "code_page 1200 (UTF-16) needs a Unicode AFP font for every layout font, but font 'regular'" "$d/bad.err" || fail_at "$LINENO"
    [ ! -e "$d/bad" ]
}

run_test afp_unicode t_afp_unicode
