# End-to-end tests of issue 9: text buffers, checked money sums, glyph
# coverage, fonts and the PDF writer.  Sourced by run.sh (uses its run_test,
# $FOLIO, $WORK, $ROOT).

# Write a small sample job into $1 (3 households).
hm_samples() {
    "$FOLIO" samples --households 3 --seed 5 --out "$1" >/dev/null
}

# Edit a YAML-ish text file in place with a Python regex substitution.
hm_sub() {   # hm_sub FILE PATTERN REPLACEMENT
    python3 - "$@" <<'PY'
import re, sys
p, pat, rep = sys.argv[1:4]
s = open(p, encoding="utf-8").read()
s2, n = re.subn(pat, lambda m: rep, s, flags=re.M)
assert n, "pattern not found: " + pat
open(p, "w", encoding="utf-8").write(s2)
PY
}

# Item 1: a bank address of 40 long lines is far over the 512 bytes the old
# `vl += snprintf` loop held (it wrote past the stack buffer, SIGSEGV); every
# line must reach the statement whole.
t_long_bank_address() {
    local d="$WORK/hm-addr"
    hm_samples "$d"
    local addr
    addr=$(python3 -c 'print("[" + ", ".join("\"Line %03d of a very long registered office address\"" % i for i in range(40)) + "]")')
    hm_sub "$d/job.yaml" '^  address: .*$' "  address: $addr"
    set +e
    "$FOLIO" run "$d/job.yaml" --out "$d/out" --quiet 2>"$d/err"; rc=$?
    set -e
    cat "$d/err"
    [ "$rc" = 0 ] || { echo "expected exit 0, got $rc"; exit 1; }
    # the paragraph that merges {bank.address} wraps it across lines: every
    # address line is printed whole, the last one included
    pdftotext "$d"/out/print/*.pdf "$d/text.txt"
    tr '\n' ' ' < "$d/text.txt" | tr -s ' ' > "$d/flat.txt"
    for i in 000 017 039; do
        grep -q "Line $i of a very long registered office address" "$d/flat.txt" \
            || { echo "address line $i missing"; exit 1; }
    done
}

run_test long_bank_address t_long_bank_address
