# SPDX-License-Identifier: Apache-2.0
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

# Item 2: two credits of 92,233,720,368,547,758.07 (the int64 maximum) on one
# account.  Summed with a wrap, 10.00 + 2 x max is 9.98: the old code printed
# "Credits $9.98" with a closing balance of 9.98, a balanced reconciliation and
# exit 0.  Each row whose account totals would overflow is now a reject
# naming file:line and "amount sum overflows"; the account no longer
# balances, so it is suppressed (listed), and nothing prints 9.98.
t_money_sum_overflow() {
    local d="$WORK/hm-sum"
    hm_samples "$d"
    python3 - "$d" <<'PY'
import csv, sys
d = sys.argv[1]
cust = [r for r in csv.DictReader(open(d + "/customers.csv", encoding="utf-8"))
        if r["delivery"] == "print"][0]
with open(d + "/checking_accounts.csv", "a", encoding="utf-8") as f:
    f.write("999000000001,%s,Everyday Checking,0.00,9.98,,,,,2020-01-01\n" % cust["customer_id"])
with open(d + "/checking_transactions.csv", "a", encoding="utf-8") as f:
    f.write("999000000001,2026-10-05,SMALL CREDIT,10.00\n")
    f.write("999000000001,2026-10-06,HUGE CREDIT ONE,92233720368547758.07\n")
    f.write("999000000001,2026-10-07,HUGE CREDIT TWO,92233720368547758.07\n")
PY
    local n
    n=$(wc -l < "$d/checking_transactions.csv")
    set +e
    "$FOLIO" run "$d/job.yaml" --out "$d/out" --quiet 2>"$d/err"; rc=$?
    set -e
    cat "$d/err"
    [ "$rc" = 3 ] || { echo "expected exit 3 (rejects), got $rc"; exit 1; }
    # the two huge rows are the file's last two lines
    grep -q "^checking_transactions.csv,$((n - 1)),amount,amount sum overflows" "$d/out/rejects.csv"
    grep -q "^checking_transactions.csv,$n,amount,amount sum overflows" "$d/out/rejects.csv"
    grep -q "^account,999000000001,.*balance mismatch" "$d/out/suppressed.csv"
    for f in "$d"/out/print/*.pdf; do pdftotext "$f" - ; done > "$d/text.txt"
    ! grep -q '9\.98' "$d/text.txt" || { echo "a wrapped sum was printed"; exit 1; }
    ! grep -q '999000000001' "$d/text.txt"
    python3 - "$d/out/manifest.json" <<'PY'
import json, sys
m = json.load(open(sys.argv[1], encoding="utf-8"))
r = m["reconciliation"]
assert r["balanced"] is True, r
PY
    "$FOLIO" verify "$d/out" >/dev/null
}

run_test money_sum_overflow t_money_sum_overflow

# Item 2, later sums: two accounts of one household each credited
# 50,000,000,000,000,000.00 -- every row and account total fits, but the
# household's summary totals (and the run's control totals) do not: the run
# fails (exit 1) naming the household and what overflowed, publishes no
# manifest, and no wrapped total is printed anywhere.
t_money_total_overflow() {
    local d="$WORK/hm-tot"
    hm_samples "$d"
    python3 - "$d" <<'PY'
import csv, sys
d = sys.argv[1]
cust = [r for r in csv.DictReader(open(d + "/customers.csv", encoding="utf-8"))
        if r["delivery"] == "print"][0]
big = "50000000000000000.00"
for feed, acct in (("checking", "999000000002"), ("savings", "999000000003")):
    with open("%s/%s_accounts.csv" % (d, feed), "a", encoding="utf-8") as f:
        f.write("%s,%s,Big,0.00,%s,,,,,2020-01-01\n" % (acct, cust["customer_id"], big))
    with open("%s/%s_transactions.csv" % (d, feed), "a", encoding="utf-8") as f:
        f.write("%s,2026-10-05,BIG CREDIT,%s\n" % (acct, big))
print(cust["household_id"])
PY
    local hh
    hh=$(python3 -c 'import csv,sys; print([r for r in csv.DictReader(open(sys.argv[1])) if r["delivery"]=="print"][0]["household_id"])' "$d/customers.csv")
    set +e
    "$FOLIO" run "$d/job.yaml" --out "$d/out" --quiet 2>"$d/err"; rc=$?
    set -e
    cat "$d/err"
    [ "$rc" = 1 ] || { echo "expected exit 1, got $rc"; exit 1; }
    grep -q "household $hh: amount sum overflows: the summary totals" "$d/err"
    [ ! -e "$d/out/manifest.json" ]
}

run_test money_total_overflow t_money_total_overflow

# Item 2, the running balance: an opening balance 1.00 under the maximum, a
# credit of 5.00 and a debit of 5.00.  Opening, closing and every total fit,
# but the balance printed after the credit does not: the run fails (exit 1)
# naming the account's file:line, instead of printing a wrapped balance.
t_money_running_balance_overflow() {
    local d="$WORK/hm-run"
    hm_samples "$d"
    python3 - "$d" <<'PY'
import csv, sys
d = sys.argv[1]
cust = [r for r in csv.DictReader(open(d + "/customers.csv", encoding="utf-8"))
        if r["delivery"] == "print"][0]
top = "92233720368547757.07"
with open(d + "/savings_accounts.csv", "a", encoding="utf-8") as f:
    f.write("999000000004,%s,Top,%s,%s,,,,,2020-01-01\n" % (cust["customer_id"], top, top))
with open(d + "/savings_transactions.csv", "a", encoding="utf-8") as f:
    f.write("999000000004,2026-10-05,UP,5.00\n999000000004,2026-10-06,DOWN,-5.00\n")
PY
    local line
    line=$(wc -l < "$d/savings_accounts.csv")
    set +e
    "$FOLIO" run "$d/job.yaml" --out "$d/out" --quiet 2>"$d/err"; rc=$?
    set -e
    cat "$d/err"
    [ "$rc" = 1 ] || { echo "expected exit 1, got $rc"; exit 1; }
    grep -q "savings_accounts.csv:$line: amount sum overflows: .* account '999000000004'" "$d/err"
    [ ! -e "$d/out/manifest.json" ]
}

run_test money_running_balance_overflow t_money_running_balance_overflow

# Item 16: characters the font has no glyph for are drawn as empty boxes;
# they are counted (manifest counts.notdef_chars) and reported on stderr with
# the first household and field.  A customer named in CJK and Arabic (2 + 4
# characters, printed once in the address block) and one transaction
# description with 2 CJK characters: 8 in all.
t_notdef_count() {
    local d="$WORK/hm-notdef"
    hm_samples "$d"
    local hh
    hh=$(python3 - "$d" <<'PY'
import csv, glob, sys
d = sys.argv[1]
def rewrite(path, change):
    rows = list(csv.DictReader(open(path, encoding="utf-8")))
    fields = list(rows[0].keys())
    done = change(rows)
    w = csv.DictWriter(open(path, "w", encoding="utf-8", newline=""), fieldnames=fields,
                       lineterminator="\n")
    w.writeheader(); w.writerows(rows)
    return done
def name(rows):
    c = [r for r in rows if r["delivery"] == "print"][0]
    c["first_name"], c["last_name"] = "山田", "محمد"
    return c
c = rewrite(d + "/customers.csv", name)
accts = set()
for p in glob.glob(d + "/*_accounts.csv"):
    accts |= {r["account_id"] for r in csv.DictReader(open(p, encoding="utf-8"))
              if r["customer_id"] == c["customer_id"]}
def desc(rows):
    for r in rows:
        if r["account_id"] in accts and r["posting_date"].startswith("2026-10"):
            r["description"] = "咖啡 COFFEE"
            return True
    return False
assert any(rewrite(p, desc) for p in sorted(glob.glob(d + "/*_transactions.csv"))
           if open(p, encoding="utf-8").read().count("\n") > 1), "no transaction to edit"
print(c["household_id"])
PY
)
    set +e
    "$FOLIO" run "$d/job.yaml" --out "$d/out" --quiet 2>"$d/err"; rc=$?
    set -e
    cat "$d/err"
    [ "$rc" = 0 ] || { echo "expected exit 0, got $rc"; exit 1; }
    grep -q "warning: 8 character(s) have no glyph .* (first: U+5C71 in household $hh, field customer name)" "$d/err"
    python3 - "$d/out/manifest.json" <<'PY'
import json, sys
c = json.load(open(sys.argv[1], encoding="utf-8"))["counts"]
assert c["notdef_chars"] == 8, c.get("notdef_chars")
PY
    "$FOLIO" verify "$d/out" >/dev/null
}

run_test notdef_count t_notdef_count

# The offer boxes are drawn by the offers module, not by compose's text
# helper: a catalogue headline with a character the font lacks (U+2713) must
# be counted too -- once per offer drawn -- and named "offer text".
t_notdef_offer_text() {
    local d="$WORK/hm-notdef-offer"
    "$FOLIO" samples --households 60 --seed 5 --out "$d" >/dev/null
    sed -e 's/headline: "/headline: "\xe2\x9c\x93 /' "$ROOT/layouts/offers.yaml" > "$d/offers.yaml"
    grep -q '✓' "$d/offers.yaml"
    hm_sub "$d/job.yaml" '(?m)^  catalogue:.*$' "  catalogue: \"$d/offers.yaml\""
    set +e
    "$FOLIO" run "$d/job.yaml" --out "$d/out" --quiet 2>"$d/err"; rc=$?
    set -e
    cat "$d/err"
    [ "$rc" = 0 ] || { echo "expected exit 0, got $rc"; exit 1; }
    grep -q "warning: [0-9]* character(s) have no glyph .* (first: U+2713 in household .*, field offer text)" "$d/err"
    python3 - "$d/out/manifest.json" <<'PY'
import json, sys
m = json.load(open(sys.argv[1], encoding="utf-8"))
# every offer placed shows one U+2713 in its headline; nothing else lacks a glyph
assert m["offers"]["shown"] > 0
assert m["counts"]["notdef_chars"] == m["offers"]["shown"], (m["counts"]["notdef_chars"], m["offers"]["shown"])
PY
}

run_test notdef_offer_text t_notdef_offer_text

# Item 15: a truncated TrueType file is a layout error at the font's position
# (exit 2), found at load -- not a libharu error (or a run that exits 0 with
# a damaged font) in the middle of the print files.
t_truncated_font() {
    local d="$WORK/hm-font"
    hm_samples "$d"
    local reg="$ROOT/fonts/LiberationSans-Regular.ttf" bold="$ROOT/fonts/LiberationSans-Bold.ttf"
    sed -e "s#file: ../fonts/LiberationSans-Regular.ttf#file: $d/trunc.ttf#" \
        -e "s#file: ../fonts/LiberationSans-Bold.ttf#file: $bold#" \
        "$ROOT/layouts/statement.yaml" > "$d/layout.yaml"
    for f in "$ROOT"/layouts/paragraphs.yaml "$ROOT"/layouts/offers.yaml; do cp "$f" "$d/"; done
    use_layout "$d/job.yaml" "$d/layout.yaml"
    local line col
    line=$(grep -n "file: $d/trunc.ttf" "$d/layout.yaml" | cut -d: -f1)
    col=$(awk -v l="$line" 'NR==l { print index($0, "file:") + 6 }' "$d/layout.yaml")
    # 100 KB cuts the glyph outlines; 405,000 bytes only the last table
    for n in 100000 320000 405000; do
        head -c "$n" "$reg" > "$d/trunc.ttf"
        set +e
        "$FOLIO" run "$d/job.yaml" --out "$d/out$n" --quiet 2>"$d/err$n"; rc=$?
        set -e
        cat "$d/err$n"
        [ "$rc" = 2 ] || { echo "$n bytes: expected exit 2, got $rc"; exit 1; }
        grep -q "layout.yaml:$line:$col: cannot load font 'regular': .*truncated TrueType file" "$d/err$n"
        [ ! -e "$d/out$n/manifest.json" ]
    done
}

# Item 15: job.name is the Title of every PDF; one longer than the PDF
# document-info limit is a job error at its position (exit 2).
t_long_job_name() {
    local d="$WORK/hm-jobname"
    hm_samples "$d"
    local long
    long=$(python3 -c 'print("N" * 70000)')
    hm_sub "$d/job.yaml" '^  name: "Harbor.*$' "  name: \"$long\""
    local line
    line=$(grep -n '^  name: "NNN' "$d/job.yaml" | cut -d: -f1)
    set +e
    "$FOLIO" run "$d/job.yaml" --out "$d/out" --quiet 2>"$d/err"; rc=$?
    set -e
    cut -c1-300 "$d/err"
    [ "$rc" = 2 ] || { echo "expected exit 2, got $rc"; exit 1; }
    grep -q "job.yaml:$line:9: 'job.name' is 70000 bytes long: at most 4096" "$d/err"
    [ ! -e "$d/out/manifest.json" ]
}

run_test truncated_font t_truncated_font
run_test long_job_name t_long_job_name

# Item 15: a disk that fills while a PDF is written: the run fails (exit 1),
# names ENOSPC ("No space left on device") for the PDF, and publishes no
# manifest -- not only a libharu error code.  Needs root for a small tmpfs.
# The archive is off: with subset fonts its zip, written before the print
# file, would be what fills the 100 KB first (the PDF is ~60 KB now).
t_pdf_disk_full() {
    local d="$WORK/hm-full" mnt="$WORK/hm-full/mnt"
    hm_samples "$d"
    hm_sub "$d/job.yaml" '(?m)^output:$' $'output:\n  archive:\n    enabled: false'
    grep -q '^    enabled: false' "$d/job.yaml"
    mkdir -p "$mnt"
    if ! mount -t tmpfs -o size=100k tmpfs "$mnt" 2>/dev/null; then
        echo "SKIP: cannot mount a tmpfs (not root)"; return 0
    fi
    set +e
    "$FOLIO" run "$d/job.yaml" --out "$mnt/out" --quiet 2>"$d/err"; rc=$?
    set -e
    umount "$mnt"
    cat "$d/err"
    [ "$rc" = 1 ] || { echo "expected exit 1, got $rc"; exit 1; }
    grep -q '\.pdf\.part: cannot write the file: No space left on device' "$d/err"
}

run_test pdf_disk_full t_pdf_disk_full
