# SPDX-License-Identifier: Apache-2.0
# End-to-end tests of issue 10 parts 5 and 6: numbers, text and dates as
# banks export them; products and currencies.  Sourced by run.sh (uses its
# run_test, $FOLIO, $WORK, $ROOT).

dn_samples() {   # dn_samples DIR: a small sample job (4 households)
    "$FOLIO" samples --households 4 --seed 11 --out "$1" >/dev/null
}

dn_sub() {   # dn_sub FILE PATTERN REPLACEMENT (Python regex, must match)
    python3 - "$@" <<'PY'
import re, sys
p, pat, rep = sys.argv[1:4]
s = open(p, encoding="utf-8").read()
s2, n = re.subn(pat, lambda m: rep, s, count=1, flags=re.M)
assert n, "pattern not found: " + pat
open(p, "w", encoding="utf-8").write(s2)
PY
}

dn_run() {   # dn_run JOB OUT: run folio, leave its exit status in $rc, stderr in OUT.err
    set +e
    "$FOLIO" run "$1" --out "$2" --quiet 2>"$2.err"; rc=$?
    set -e
    cat "$2.err"
}

# The eu-bank example: Windows-1252 bytes, ';', DD.MM.YYYY, 1.234,56 with a
# trailing minus, German product codes, EUR and USD in one household.  The
# checker decodes the CSVs itself (cp1252) and recomputes every total per
# currency: each printed, none summed across currencies, the symbol after
# the EUR amounts, every name, street and description printed with the
# original characters.
t_eu_bank_example() {
    local d="$WORK/dn-eu"
    dn_run "$ROOT/examples/eu-bank/job.yaml" "$d"
    [ "$rc" = 0 ] || { echo "expected exit 0, got $rc"; exit 1; }
    pdftotext -layout "$d"/print/*.pdf "$d/text.txt"
    python3 - "$ROOT/examples/eu-bank" "$d/text.txt" <<'PY'
import csv, io, sys
from decimal import Decimal
ex, txt = sys.argv[1], sys.argv[2]
text = open(txt, encoding="utf-8").read()
flat = " ".join(text.split())
def rows(name):
    raw = open(f"{ex}/{name}", "rb").read()
    assert b"\xe4" in raw or b"\xfc" in raw or b"\xdf" in raw, name + ": not windows-1252 bytes"
    return list(csv.DictReader(io.StringIO(raw.decode("cp1252")), delimiter=";"))
def amt(s):
    neg = s.endswith("-") or s.startswith("-")
    v = Decimal(s.strip("-").replace(".", "").replace(",", "."))
    return -v if neg else v
def eur(v):   # 1.234,56 €
    s = f"{abs(v):,.2f}".replace(",", "X").replace(".", ",").replace("X", ".")
    return ("-" if v < 0 else "") + s + " €"
def usd(v):
    return ("-" if v < 0 else "") + f"US${abs(v):,.2f}"
kunden, konten, ums = rows("kunden.csv"), rows("konten.csv"), rows("umsaetze.csv")
# umlauts round trip: the original characters, not mojibake
for k in kunden:
    for f in ("Vorname", "Nachname", "Strasse", "Ort"):
        assert k[f] in flat, f"{f} {k[f]!r} not in the PDF text"
for u in ums:
    assert u["Verwendungszweck"] in flat, f"description {u['Verwendungszweck']!r} not printed"
assert "Ã" not in text, "mojibake in the PDF text"
# per-currency totals of household H1: deposits per currency, never mixed
owner_hh = {k["Kundennr"]: k["Haushalt"] for k in kunden}
tot = {}
for a in konten:
    if owner_hh[a["Kundennr"]] != "H1" or a["Produkt"] == "kreditkarte":
        continue
    t = tot.setdefault(a["Waehrung"], [Decimal(0), Decimal(0)])
    t[0] += amt(a["Anfangssaldo"]); t[1] += amt(a["Endsaldo"])
assert set(tot) == {"EUR", "USD"}
line_eur = f"Total deposits (EUR) {eur(tot['EUR'][0])} {eur(tot['EUR'][1])}"
line_usd = f"Total deposits (USD) {usd(tot['USD'][0])} {usd(tot['USD'][1])}"
assert line_eur in flat, "missing: " + line_eur
assert line_usd in flat, "missing: " + line_usd
mixed = tot["EUR"][1] + tot["USD"][1]
for s in (eur(mixed), f"{mixed:,.2f}", eur(tot["EUR"][0] + tot["USD"][0])):
    assert s not in flat, "a sum across currencies is printed: " + s
# every closing balance in its currency's style: EUR symbol after, USD before
for a in konten:
    want = eur(amt(a["Endsaldo"])) if a["Waehrung"] == "EUR" else usd(amt(a["Endsaldo"]))
    assert want in flat, f"closing {want} of {a['Kontonr']} not printed"
assert "$" not in flat.replace("US$", ""), "a bare $ printed on a EUR statement"
# {account.currency} in the section title
for a in konten:
    t = f"{a['Bezeichnung']} {a['Kontonr']} {a['Waehrung']}"
    assert t in flat, "section title without the currency: " + t
print("eu-bank ok:", line_eur, "|", line_usd)
PY
}
run_test eu_bank_example t_eu_bank_example

# bank.currency: EUR used to print "$" on every amount.
t_eur_symbol() {
    local d="$WORK/dn-eur"
    dn_samples "$d"
    dn_sub "$d/job.yaml" '^  currency: USD$' '  currency: EUR'
    dn_run "$d/job.yaml" "$d/out"
    [ "$rc" = 0 ] || { echo "expected exit 0, got $rc"; exit 1; }
    pdftotext "$d"/out/print/*.pdf "$d/text.txt"
    grep -q '[0-9],[0-9][0-9] €' "$d/text.txt" || { echo "no '1.234,56 €' amount"; exit 1; }
    if grep -q '\$[0-9]' "$d/text.txt"; then echo "a \$ amount on a EUR statement:"; grep -m3 '\$[0-9]' "$d/text.txt"; exit 1; fi
}
run_test eur_symbol t_eur_symbol

# A layout's currencies: map styles a currency; a code that is not ISO 4217
# is a layout error naming its line.
t_layout_currencies() {
    local d="$WORK/dn-lcur"
    dn_samples "$d"
    dn_sub "$d/job.yaml" '^  currency: USD$' '  currency: EUR'
    python3 - "$ROOT/layouts/statement.yaml" "$d/layout.yaml" <<'PY'
import sys
s = open(sys.argv[1], encoding="utf-8").read().replace("../fonts/", sys.argv[1].rsplit("/", 2)[0] + "/fonts/")
s = s.replace("file: logo.png", "file: " + sys.argv[1].rsplit("/", 1)[0] + "/logo.png")
s = s.replace("library: paragraphs.yaml", "library: " + sys.argv[1].rsplit("/", 1)[0] + "/paragraphs.yaml")
s += '\ncurrencies:\n  EUR: {symbol: "EUR", position: before, space: true, decimal: ",", group: "."}\n'
open(sys.argv[2], "w", encoding="utf-8").write(s)
PY
    use_layout "$d/job.yaml" "$d/layout.yaml"
    dn_run "$d/job.yaml" "$d/out"
    [ "$rc" = 0 ] || { echo "expected exit 0, got $rc"; exit 1; }
    pdftotext "$d"/out/print/*.pdf "$d/text.txt"
    grep -q 'EUR [0-9.]*[0-9],[0-9][0-9]' "$d/text.txt" || { echo "no 'EUR 1.234,56'"; exit 1; }
    echo '  XEU: {symbol: "x"}' >> "$d/layout.yaml"
    dn_run "$d/job.yaml" "$d/out2"
    [ "$rc" = 2 ] || { echo "expected exit 2, got $rc"; exit 1; }
    grep -q "layout.yaml:[0-9]*:[0-9]*: 'currencies': 'XEU' is not an ISO 4217" "$d/out2.err"
}
run_test layout_currencies t_layout_currencies

# A feed whose fixed product the layout does not know: every account would
# have printed as a deposit account (exit 0).  Now a job error naming it.
t_unknown_feed_product() {
    local d="$WORK/dn-prodf"
    dn_samples "$d"
    dn_sub "$d/job.yaml" '^    product: credit_card$' '    product: platinum_card'
    dn_run "$d/job.yaml" "$d/out"
    [ "$rc" = 2 ] || { echo "expected exit 2, got $rc"; exit 1; }
    grep -q "job.yaml:[0-9]*: feed 'credit_card-accounts': product 'platinum_card' is not a product of the layout" "$d/out.err" ||
        grep -q "product 'platinum_card' is not a product of the layout" "$d/out.err"
}
run_test unknown_feed_product t_unknown_feed_product

# One account whose product code nothing maps: a reject naming the code
# (its transactions go with it), never a default kind.
t_unknown_product_code() {
    local d="$WORK/dn-prodr"
    mkdir -p "$d"
    cp "$ROOT"/examples/eu-bank/*.csv "$ROOT"/examples/eu-bank/*.yaml "$d/"
    sed -i 's#\.\./\.\./#'"$ROOT"'/#' "$d/layout.yaml"
    python3 - "$d/konten.csv" <<'PY'
import sys
p = sys.argv[1]
b = open(p, "rb").read()
assert b.count(b";kreditkarte;") == 1
open(p, "wb").write(b.replace(b";kreditkarte;", b";visa_gold;"))
PY
    dn_run "$d/job.yaml" "$d/out"
    [ "$rc" = 3 ] || { echo "expected exit 3, got $rc"; exit 1; }
    grep -q "unknown product code 'visa_gold' (not in the job's products: map)" "$d/out/rejects.csv"
    pdftotext "$d"/out/print/*.pdf "$d/text.txt"
    ! grep -q "DE4410004" "$d/text.txt" || { echo "the rejected card is printed"; exit 1; }
}
run_test unknown_product_code t_unknown_product_code

# A birth date after the statement date: a reject (a YY year read in the
# wrong century, or a typo), not a customer born in the future.
t_future_birth_date() {
    local d="$WORK/dn-birth"
    dn_samples "$d"
    python3 - "$d/customers.csv" <<'PY'
import csv, sys
p = sys.argv[1]
rows = list(csv.reader(open(p, encoding="utf-8", newline="")))
i = rows[0].index("birth_date")
rows[1][i] = "2031-05-17"
csv.writer(open(p, "w", encoding="utf-8", newline="")).writerows(rows)
PY
    dn_run "$d/job.yaml" "$d/out"
    [ "$rc" = 3 ] || { echo "expected exit 3, got $rc"; exit 1; }
    grep -q "birth date 2031-05-17 is after the statement date" "$d/out/rejects.csv"
}
run_test future_birth_date t_future_birth_date

# Two-digit years: a YY date_format without century_pivot is a job error
# (it used to pivot at 70 without a word: 1911-1969 became 2011-2069);
# with the pivot, years read as the job says.
t_century_pivot() {
    local d="$WORK/dn-pivot"
    dn_samples "$d"
    python3 - "$d/customers.csv" <<'PY'
import csv, sys
p = sys.argv[1]
rows = list(csv.reader(open(p, encoding="utf-8", newline="")))
for col in ("birth_date", "customer_since"):
    i = rows[0].index(col)
    for r in rows[1:]:
        if r[i]:
            y, m, d = r[i].split("-"); r[i] = y[2:] + m + d
i = rows[0].index("birth_date")
rows[1][i] = "450312"        # 1945, or 2045 with the old silent pivot
csv.writer(open(p, "w", encoding="utf-8", newline="")).writerows(rows)
PY
    python3 - "$d/job.yaml" <<'PY'
import sys
p = sys.argv[1]
s = open(p, encoding="utf-8").read()
s = s.replace("    path: customers.csv\n", "    path: customers.csv\n    dialect: {date_format: YYMMDD}\n", 1)
open(p, "w", encoding="utf-8").write(s)
PY
    dn_run "$d/job.yaml" "$d/out"
    [ "$rc" = 2 ] || { echo "expected exit 2, got $rc"; exit 1; }
    grep -q "job.yaml:[0-9]*:[0-9]*: 'feeds\[0\].dialect.date_format' ('YYMMDD') has a two-digit year" "$d/out.err"
    dn_sub "$d/job.yaml" 'date_format: YYMMDD' 'date_format: YYMMDD, century_pivot: 30'
    dn_run "$d/job.yaml" "$d/out2"
    [ "$rc" = 0 ] || [ "$rc" = 3 ] || { echo "expected exit 0 or 3, got $rc"; exit 1; }
    # customer 1 (born 1945) is printed, not rejected; any reject is a birth
    # date that the pivot puts after the statement date
    id=$(python3 -c 'import csv,sys; print(list(csv.DictReader(open(sys.argv[1])))[0]["customer_id"])' "$d/customers.csv")
    ! grep -q "^customers.csv,2," "$d/out2/rejects.csv" || { echo "customer $id rejected"; exit 1; }
    if [ "$rc" = 3 ]; then
        ! grep -v "^file,\|birth date" "$d/out2/rejects.csv" | grep -q . || { cat "$d/out2/rejects.csv"; exit 1; }
    fi
}
run_test century_pivot t_century_pivot

# Encodings: a declared windows-1252 feed that is really UTF-8 is a job
# error (every umlaut would print as two wrong characters); a byte the
# encoding leaves undefined rejects its row naming the byte's file offset.
t_encoding_errors() {
    local d="$WORK/dn-enc"
    mkdir -p "$d"
    cp "$ROOT"/examples/eu-bank/*.csv "$ROOT"/examples/eu-bank/*.yaml "$d/"
    sed -i 's#\.\./\.\./#'"$ROOT"'/#' "$d/layout.yaml"
    iconv -f windows-1252 -t utf-8 "$ROOT/examples/eu-bank/kunden.csv" > "$d/kunden.csv"
    dn_run "$d/job.yaml" "$d/out"
    [ "$rc" = 2 ] || { echo "expected exit 2, got $rc"; exit 1; }
    grep -q "kunden.csv: the file is valid UTF-8 with multi-byte characters, but the feed's dialect.encoding is windows-1252" "$d/out.err"
    cp "$ROOT/examples/eu-bank/kunden.csv" "$d/kunden.csv"
    python3 - "$d/umsaetze.csv" > "$d/offset" <<'PY'
import sys
p = sys.argv[1]
b = open(p, "rb").read()
b = b.replace(b"Zinsen", b"Zin\x81sen")
open(p, "wb").write(b)
print(b.index(b"\x81"))
PY
    dn_run "$d/job.yaml" "$d/out2"
    [ "$rc" = 3 ] || { echo "expected exit 3, got $rc"; exit 1; }
    grep -q "byte 0x81 at file offset $(cat "$d/offset") is not a character in windows-1252" "$d/out2/rejects.csv"
    # an encoding folio does not read: a job error naming the line
    sed -i '0,/encoding: windows-1252/s//encoding: shift_jis/' "$d/job.yaml"
    dn_run "$d/job.yaml" "$d/out3"
    [ "$rc" = 2 ] || { echo "expected exit 2, got $rc"; exit 1; }
    grep -q "job.yaml:[0-9]*:[0-9]*: 'feeds\[0\].dialect.encoding' is 'shift_jis': not an encoding folio reads" "$d/out3.err"
}
run_test encoding_errors t_encoding_errors

# AFP code pages 500/37 have no €: the writer substitutes it and counts it
# (stderr and manifest), never silently.
t_afp_euro_counted() {
    local d="$WORK/dn-afp"
    dn_samples "$d"
    dn_sub "$d/job.yaml" '^  currency: USD$' '  currency: EUR'
    python3 - "$d/job.yaml" <<'PY'
import re, sys
p = sys.argv[1]
s = open(p, encoding="utf-8").read()
if re.search(r"(?m)^output:", s):
    s = re.sub(r"(?m)^output:\n", "output:\n  print:\n    afp: {enabled: yes}\n", s, count=1) if "\n  print:" not in s else \
        re.sub(r"(?m)^  print:\n", "  print:\n    afp: {enabled: yes}\n", s, count=1)
else:
    s += "\noutput:\n  print:\n    afp: {enabled: yes}\n"
open(p, "w", encoding="utf-8").write(s)
PY
    dn_run "$d/job.yaml" "$d/out"
    [ "$rc" = 0 ] || { echo "expected exit 0, got $rc"; exit 1; }
    grep -q "not in AFP code page 500 and were printed as '?' (.*U+20AC" "$d/out.err"
    python3 -c 'import json,sys; m=json.load(open(sys.argv[1])); n=m["counts"]["afp_substitutions"]; assert n > 0, n; print("afp substitutions", n)' "$d/out/manifest.json"
}
run_test afp_euro_counted t_afp_euro_counted

# A transactions feed read in another minor unit than its accounts (3
# decimals against cents): its amounts would be added to the balances ten
# times too large.  A job error naming both feeds.
t_minor_unit_mismatch() {
    local d="$WORK/dn-scale"
    dn_samples "$d"
    python3 - "$d/job.yaml" <<'PY'
import sys
p = sys.argv[1]
s = open(p, encoding="utf-8").read()
s = s.replace("    path: checking_transactions.csv\n",
              "    path: checking_transactions.csv\n    dialect: {minor_digits: 3}\n", 1)
open(p, "w", encoding="utf-8").write(s)
PY
    dn_run "$d/job.yaml" "$d/out"
    [ "$rc" = 2 ] || { echo "expected exit 2, got $rc"; exit 1; }
    grep -q "job.yaml:[0-9]*: feed 'checking-transactions' reads amounts with 3 decimals, but its row at .*checking_transactions.csv line [0-9]* posts to account '.*' (USD) of feed 'checking-accounts', read with 2" "$d/out.err"
}
run_test minor_unit_mismatch t_minor_unit_mismatch
