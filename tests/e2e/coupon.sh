# SPDX-License-Identifier: Apache-2.0
# End-to-end tests of issue 13 parts 3 and 4: the payment coupon and links
# in e-delivery.  Sourced by run.sh (uses its run_test, $FOLIO, $WORK).

# The sample layout with a coupon for cards and mortgages; the card feed in
# EUR (EPC/GiroCode QR), mortgages in USD (payment-URL QR).
coupon_job() {   # coupon_job DIR
    local d="$1"
    "$FOLIO" samples --households 60 --seed 5 --out "$d" >/dev/null
    sed -e "s#\.\./fonts/#$ROOT/fonts/#" -e "s#library: paragraphs.yaml#library: $ROOT/layouts/paragraphs.yaml#" \
        -e "s#file: logo.png#file: $ROOT/layouts/logo.png#" \
        "$ROOT/layouts/statement.yaml" > "$d/layout.yaml"
    cat >> "$d/layout.yaml" <<'YAML'

coupon:
  products: [credit_card, mortgage]
  payee: "Harbor and Pine Bank"
  remittance_address: ["Harbor & Pine Bank - Payments", "PO Box 4400", "Portland, ME 04112-4400"]
  iban: DE89370400440532013000
  bic: COBADEFFXXX
  pay_url: "https://pay.harborpine.example/card?account={account}&amount={amount}&currency={currency}&hh={household}"
  style: info
  label_style: label
  scan_style: td
YAML
    # every offer links to its response URL with the household's tracking ids
    sed -e 's#^    response_code: .*#&\n    response_url: "https://www.harborpine.example/respond?code={response_code}\&offer={offer}\&variant={variant}\&hh={household}"#' \
        "$ROOT/layouts/offers.yaml" > "$d/offers.yaml"
    grep -q 'response_url: "https://www.harborpine.example/respond?code={response_code}&offer=' "$d/offers.yaml"
    python3 - "$d" <<'PY'
import re, sys
d = sys.argv[1]
s = open(d + "/job.yaml", encoding="utf-8").read()
s = re.sub(r'(?m)^layout:.*$', 'layout: "%s/layout.yaml"' % d, s)
s = re.sub(r'(?m)^  catalogue:.*$', '  catalogue: "%s/offers.yaml"' % d, s)
s = s.replace("    product: credit_card\n", "    product: credit_card\n    dialect: {currency: EUR}\n", 1)
open(d + "/job.yaml", "w", encoding="utf-8").write(s)
open(d + "/job-print.yaml", "w", encoding="utf-8").write(
    s.replace("output:\n", "output:\n  archive:\n    enabled: false\n", 1))
PY
}

# QR decoded by zbarimg = the payload built from the feeds, scan-line check
# digit recomputed, cut line and window position (check_coupon.py).
t_coupon() {
    command -v zbarimg >/dev/null || { echo "zbarimg missing (Debian zbar-tools: make deps)"; exit 1; }
    coupon_job "$WORK/cp"
    "$FOLIO" run "$WORK/cp/job.yaml" --out "$WORK/cp/out" --quiet
    python3 "$ROOT/tests/e2e/check_coupon.py" coupon "$WORK/cp/out" "$WORK/cp"
    # identical at 2 threads
    "$FOLIO" run "$WORK/cp/job.yaml" --out "$WORK/cp/out2" --threads 2 --quiet
    for f in $(cd "$WORK/cp/out" && ls print/*.pdf); do cmp "$WORK/cp/out/$f" "$WORK/cp/out2/$f"; done
}

# Archive PDFs carry URI link annotations for the website and the pay-now
# URL, print PDFs none, and the archive's PDF/A checks still pass.
t_links() {
    [ -d "$WORK/cp/out" ] || { echo "needs t_coupon"; exit 1; }
    python3 "$ROOT/tests/e2e/check_coupon.py" links "$WORK/cp/out" "$WORK/cp"
    # the archive test's job (channel rule, broken addresses, masked numbers)
    # with the coupon layout: check_archive.py's PDF/A checks still pass
    local a="$WORK/cpa"
    archive_job "$a"
    sed -e 's/mask: *last4/mask: full/' "$WORK/cp/layout.yaml" > "$a/layout.yaml"
    python3 - "$a" "$WORK/cp" <<'PY'
import re, sys
d = sys.argv[1]
s = open(d + "/job.yaml", encoding="utf-8").read()
s = re.sub(r'(?m)^layout:.*$', 'layout: "%s/layout.yaml"' % d, s)
s = re.sub(r'(?m)^  catalogue:.*$', '  catalogue: "%s/offers.yaml"' % sys.argv[2], s)
s = s.replace("    product: credit_card\n", "    product: credit_card\n    dialect: {currency: EUR}\n", 1)
open(d + "/job.yaml", "w", encoding="utf-8").write(s)
open(d + "/job-print.yaml", "w", encoding="utf-8").write(s.replace("max_documents: 20", "enabled: false"))
PY
    "$FOLIO" run "$a/job.yaml" --out "$a/out" --quiet
    "$FOLIO" run "$a/job-print.yaml" --out "$a/outp" --quiet
    python3 "$ROOT/tests/e2e/check_archive.py" "$a" "$a/out" "$a/outp"
    python3 "$ROOT/tests/e2e/check_coupon.py" links "$a/out" "$a"
    "$FOLIO" verify "$a/out" | grep -q '^verified'
}

# Missing inputs for a layout that asks for a coupon: a layout error with
# file:line:col, never a coupon with blanks.
t_coupon_errors() {
    [ -d "$WORK/cp" ] || { echo "needs t_coupon"; exit 1; }
    local d="$WORK/cp" rc
    grep -v '^  iban:' "$d/layout.yaml" > "$d/layout-noiban.yaml"
    sed -e "s#$d/layout.yaml#$d/layout-noiban.yaml#" "$d/job.yaml" > "$d/job-noiban.yaml"
    rc=0; "$FOLIO" run "$d/job-noiban.yaml" --out "$d/e1" --quiet 2>"$d/e1.err" || rc=$?
    cat "$d/e1.err"
    [ "$rc" = 2 ] && grep -q "layout-noiban.yaml:[0-9]*:[0-9]*: coupon: missing required key 'iban'" "$d/e1.err" || fail_at "$LINENO"
    [ ! -e "$d/e1/manifest.json" ]
    sed -e 's/^  iban: .*/  iban: DE89370400440532013001/' "$d/layout.yaml" > "$d/layout-badiban.yaml"
    sed -e "s#$d/layout.yaml#$d/layout-badiban.yaml#" "$d/job.yaml" > "$d/job-badiban.yaml"
    rc=0; "$FOLIO" run "$d/job-badiban.yaml" --out "$d/e2" --quiet 2>"$d/e2.err" || rc=$?
    cat "$d/e2.err"
    [ "$rc" = 2 ] && grep -q "layout-badiban.yaml:[0-9]*:[0-9]*: 'coupon.iban' .* is not a valid IBAN" "$d/e2.err" || fail_at "$LINENO"
    grep -v '^  remittance_address:' "$d/layout.yaml" > "$d/layout-noaddr.yaml"
    sed -e "s#$d/layout.yaml#$d/layout-noaddr.yaml#" "$d/job.yaml" > "$d/job-noaddr.yaml"
    rc=0; "$FOLIO" run "$d/job-noaddr.yaml" --out "$d/e3" --quiet 2>"$d/e3.err" || rc=$?
    cat "$d/e3.err"
    [ "$rc" = 2 ] && grep -q "layout-noaddr.yaml:[0-9]*:[0-9]*: missing required key 'remittance_address'" "$d/e3.err" || fail_at "$LINENO"
    # six address lines do not fit the #9 envelope window
    sed -e 's/^  remittance_address: \[/  remittance_address: ["A", "B", "C", /' "$d/layout.yaml" > "$d/layout-long.yaml"
    sed -e "s#$d/layout.yaml#$d/layout-long.yaml#" "$d/job.yaml" > "$d/job-long.yaml"
    rc=0; "$FOLIO" run "$d/job-long.yaml" --out "$d/e4" --quiet 2>"$d/e4.err" || rc=$?
    cat "$d/e4.err"
    [ "$rc" = 2 ] && grep -q "layout-long.yaml:[0-9]*:[0-9]*: 'coupon.remittance_address': 6 lines .* do not fit the #9 envelope window" "$d/e4.err" || fail_at "$LINENO"
    # a card account without a due date: the run fails naming it, no output
    python3 - "$d" <<'PY'
import csv, io, sys
d = sys.argv[1]
rows = list(csv.reader(open(d + "/credit_card_accounts.csv", encoding="utf-8")))
i = rows[0].index("due_date")
rows[1][i] = ""
open(d + "/acct-id", "w").write(rows[1][0])
out = io.StringIO(); csv.writer(out, lineterminator="\n").writerows(rows)
open(d + "/credit_card_accounts.csv", "w", encoding="utf-8", newline="").write(out.getvalue())
PY
    rc=0; "$FOLIO" run "$d/job.yaml" --out "$d/e5" --quiet 2>"$d/e5.err" || rc=$?
    cat "$d/e5.err"
    [ "$rc" = 1 ] && grep -q "payment coupon: account $(cat "$d/acct-id") has no due date" "$d/e5.err" || fail_at "$LINENO"
    [ ! -e "$d/e5/manifest.json" ]
}

run_test coupon t_coupon
run_test links t_links
run_test coupon_errors t_coupon_errors
