# SPDX-License-Identifier: Apache-2.0
# End-to-end tests of issue 9, item 15: a merged value too wide for its
# layout box.  Sourced by run.sh (uses its run_test, $FOLIO, $WORK, $ROOT).

# Give every customer of the sample job in $1 an id of $2 characters (the
# customers of the household with the smallest id, $3): the old id padded with X, in the customer
# feed and in every account feed, so the households stay the same.
fit_long_ids() {   # fit_long_ids DIR LEN FIRST_LEN
    python3 - "$@" <<'PY'
import csv, glob, sys
d, n, first = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
cust = list(csv.DictReader(open(d + "/customers.csv", encoding="utf-8")))
h0 = min(c["household_id"] for c in cust if c["household_id"])
new = {c["customer_id"]: c["customer_id"].ljust(first if c["household_id"] == h0 else n, "X")
       for c in cust}
for p in [d + "/customers.csv"] + glob.glob(d + "/*_accounts.csv"):
    rd = csv.DictReader(open(p, encoding="utf-8"))
    rows = list(rd)
    for r in rows:
        r["customer_id"] = new[r["customer_id"]]
    w = csv.DictWriter(open(p, "w", encoding="utf-8", newline=""), fieldnames=rd.fieldnames,
                       lineterminator="\n")
    w.writeheader(); w.writerows(rows)
PY
}

# Check OUT ($1) of a run whose every statement clipped its customer id with
# ellipsis $2: pdftotext shows the cut id, ending in the ellipsis, inside its
# 76 pt box (x 488..564 in layouts/statement.yaml), and no word of any print
# or archive page lies outside the margins (x 48..564); the manifest counts
# one clip per composed statement and audit.jsonl lists it per household.
fit_check_out() {   # fit_check_out OUT ELLIPSIS
    python3 - "$1" "$2" <<'PY'
import glob, json, re, subprocess, sys, tempfile, zipfile
out, ell = sys.argv[1], sys.argv[2]
m = json.load(open(out + "/manifest.json", encoding="utf-8"))
c = m["counts"]
composed = c["statements"]["print"] + c["statements"]["email"] + c["statements"]["both"]
assert composed > 0
assert c["text_clipped"] == composed, (c["text_clipped"], composed)
assert c["text_shrunk"] == 0, c["text_shrunk"]
fits = 0
for line in open(out + "/audit.jsonl", encoding="utf-8"):
    a = json.loads(line)
    if a["channel"] == "suppressed":
        assert "text_fit" not in a, a["household"]
        continue
    assert a["text_fit"] == [{"field": "customer.id", "fit": "clipped", "page": 1,
                              "times": 1, "size": 5.25}], a.get("text_fit")
    assert "text:clipped" in a["coverage"], a["coverage"]
    fits += 1
assert fits == composed
pdfs = glob.glob(out + "/print/*.pdf")
tmp = tempfile.mkdtemp()
for z in glob.glob(out + "/archive/*.zip"):
    with zipfile.ZipFile(z) as zf:
        for name in zf.namelist():
            if name.endswith(".pdf"):
                pdfs.append(zf.extract(name, tmp))
assert pdfs
word = re.compile(r'<word xMin="([-0-9.]+)" yMin="[-0-9.]+" xMax="([-0-9.]+)" '
                  r'yMax="[-0-9.]+">([^<]*)</word>')
ids = 0
for p in pdfs:
    html = subprocess.run(["pdftotext", "-bbox", p, "-"], capture_output=True, text=True,
                          check=True).stdout
    for x0, x1, w in word.findall(html):
        x0, x1 = float(x0), float(x1)
        assert 47.9 <= x0 and x1 <= 564.1, (p, x0, x1, w[:40])
        if re.fullmatch(r"C[0-9]{9}X*" + re.escape(ell), w):
            ids += 1
            assert 487.9 <= x0 and x1 <= 564.1, (p, x0, x1, w)
            assert len(w) < 60, w
assert ids >= 1, "no clipped customer id in the PDFs"
print("ok: %d statements clipped, %d ids seen in %d PDFs" % (composed, ids, len(pdfs)))
PY
}

# A customer id of 300 and one of 5,000 characters (items 15): the old code
# ran the id off the left edge of the page (PDF, exit 0, quietly different)
# and the AFP writer failed the whole run ("a position is off the AFP page
# range", exit 1).  Now the id is shrunk to the minimum size, then cut with
# an ellipsis inside its box, counted and warned; PDF, archive, proofs and
# AFP all print the same, the AFP file is valid and the run verifies.
t_fit_long_customer_id() {
    local d="$WORK/fit-id"
    "$FOLIO" samples --households 6 --seed 5 --out "$d" >/dev/null
    fit_long_ids "$d" 5000 300
    # PDF print, archive and proofs (the sample job's defaults): U+2026
    set +e
    "$FOLIO" run "$d/job.yaml" --out "$d/out" --quiet 2>"$d/err"; rc=$?
    set -e
    cat "$d/err"
    [ "$rc" = 0 ] || { echo "expected exit 0, got $rc"; exit 1; }
    # the warning names the first household composed (audit.jsonl is in
    # household order)
    local hh
    hh=$(python3 -c 'import json,sys; print(next(a["household"] for a in map(json.loads, open(sys.argv[1])) if a["channel"] != "suppressed"))' \
         "$d/out/audit.jsonl")
    grep -q "warning: [0-9]* text(s) too wide for their layout box even at the minimum size were cut short with an ellipsis (first: household $hh, field customer.id); see manifest.json counts.text_clipped" "$d/err"
    fit_check_out "$d/out" "…"
    "$FOLIO" verify "$d/out" >/dev/null
    # the same with AFP: the AFP code pages lack U+2026, so both print "..."
    sed -i 's/^    pdf: true/    pdf: true\n    afp: {}/' "$d/job.yaml"
    grep -q '^    afp: {}' "$d/job.yaml"
    set +e
    "$FOLIO" run "$d/job.yaml" --out "$d/out-afp" --quiet 2>"$d/err-afp"; rc=$?
    set -e
    cat "$d/err-afp"
    [ "$rc" = 0 ] || { echo "AFP: expected exit 0, got $rc"; exit 1; }
    grep -q "cut short with an ellipsis (first: household $hh, field customer.id)" "$d/err-afp"
    fit_check_out "$d/out-afp" "..."
    local n=0 a
    for a in "$d"/out-afp/print/*.afp; do
        "$FOLIO" afpdump --check "$a"
        n=$((n + 1))
    done
    [ "$n" -ge 1 ]
    "$FOLIO" verify "$d/out-afp" >/dev/null
}

# A bank website longer than its box but not by much is printed smaller (and
# counted), not cut; a layout without `width` keeps the text between the
# page margins; min_size of the style is honoured.
t_fit_shrink_and_margins() {
    local d="$WORK/fit-shrink"
    "$FOLIO" samples --households 3 --seed 5 --out "$d" >/dev/null
    # 30 characters: 7.5 pt is too wide for the 112 pt box, 6.5 pt fits
    sed -i 's/^  website: .*/  website: "www.harbor-and-pine-bank.example"/' "$d/job.yaml"
    # the customer id without a width, and a 200-character bank name in the
    # header at x 48 growing right: both bounded by the margins
    sed -e 's/\({customer.id}", style: info, x: 564, y: 136, align: right\), width: 76}/\1}/' \
        -e "s#file: \.\./fonts/#file: $ROOT/fonts/#" -e "s#file: logo.png#file: $ROOT/layouts/logo.png#" \
        -e 's/^  info: *{font: regular, size: 7.5,/  info:    {font: regular, size: 7.5, min_size: 6.5,/' \
        "$ROOT/layouts/statement.yaml" > "$d/layout.yaml"
    grep -q 'min_size: 6.5' "$d/layout.yaml"
    grep -q '{customer.id}", style: info, x: 564, y: 136, align: right}' "$d/layout.yaml"
    cp "$ROOT"/layouts/paragraphs.yaml "$ROOT"/layouts/offers.yaml "$d/"
    use_layout "$d/job.yaml" "$d/layout.yaml"
    fit_long_ids "$d" 40 110
    local long
    long=$(python3 -c 'print("Harbor and Pine " * 12)')
    sed -i "s/^  name: \"Harbor & Pine Bank\"/  name: \"$long\"/" "$d/job.yaml"
    set +e
    "$FOLIO" run "$d/job.yaml" --out "$d/out" --quiet 2>"$d/err"; rc=$?
    set -e
    cat "$d/err"
    [ "$rc" = 0 ] || { echo "expected exit 0, got $rc"; exit 1; }
    grep -q "text(s) too wide for their layout box were printed smaller (first: household .*, field bank.website)" "$d/err"
    grep -q "cut short with an ellipsis (first: household .*, field bank.name)" "$d/err"
    python3 - "$d/out" <<'PY'
import glob, json, re, subprocess, sys
out = sys.argv[1]
c = json.load(open(out + "/manifest.json", encoding="utf-8"))["counts"]
pages = c["print_pages"]
assert c["text_shrunk"] >= 1, c
assert c["text_clipped"] >= pages, c        # the bank name on every printed page
fit = {}
for line in open(out + "/audit.jsonl", encoding="utf-8"):
    for f in json.loads(line).get("text_fit", []):
        fit.setdefault((f["field"], f["fit"]), []).append(f)
w = fit[("bank.website", "shrunk")]
assert all(6.5 <= f["size"] < 7.5 for f in w), w
assert all(f["size"] == 10.5 for f in fit[("bank.name", "clipped")])    # 70% of 15
# the customer id (40 characters, 110 in the first household) fits
# between the margins, shrunk or not: never clipped, never left of x 48
assert ("customer.id", "clipped") not in fit, fit.keys()
word = re.compile(r'<word xMin="([-0-9.]+)" yMin="[-0-9.]+" xMax="([-0-9.]+)"')
for p in glob.glob(out + "/print/*.pdf"):
    html = subprocess.run(["pdftotext", "-bbox", p, "-"], capture_output=True, text=True,
                          check=True).stdout
    for x0, x1 in word.findall(html):
        assert 47.9 <= float(x0) and float(x1) <= 564.1, (p, x0, x1)
    assert "…" in html
print("ok", {k: len(v) for k, v in fit.items()})
PY
    "$FOLIO" verify "$d/out" >/dev/null
}

# The address block: a name or address line wider than the window used to be
# cut at the window edge (or at its last space) with no trace -- a mailing
# address quietly different.  Now it is smaller, then cut with an ellipsis,
# counted and reported like any text too wide for its box, and stays inside
# the window (x 72..372 in layouts/statement.yaml).
t_fit_address_block() {
    local d="$WORK/fit-addr"
    "$FOLIO" samples --households 3 --seed 5 --out "$d" >/dev/null
    python3 - "$d/customers.csv" <<'PY'
import csv, sys
p = sys.argv[1]
rd = csv.DictReader(open(p, encoding="utf-8")); rows = list(rd)
for r in rows:
    r["last_name"] += " Of The Very Long Family Name Of Many Generations Past" * 3
    r["address_line1"] += " Building Of The Extremely Long Office Park Address Line" * 3
w = csv.DictWriter(open(p, "w", encoding="utf-8", newline=""), fieldnames=rd.fieldnames,
                   lineterminator="\n")
w.writeheader(); w.writerows(rows)
PY
    set +e
    "$FOLIO" run "$d/job.yaml" --out "$d/out" --quiet 2>"$d/err"; rc=$?
    set -e
    cat "$d/err"
    [ "$rc" = 0 ] || { echo "expected exit 0, got $rc"; exit 1; }
    grep -q "cut short with an ellipsis (first: household .*, field customer name)" "$d/err"
    python3 - "$d/out" <<'PY'
import glob, json, re, subprocess, sys
out = sys.argv[1]
c = json.load(open(out + "/manifest.json", encoding="utf-8"))["counts"]
composed = c["statements"]["print"] + c["statements"]["email"] + c["statements"]["both"]
assert c["text_clipped"] >= 2 * composed, c          # a name and an address line each
fields = set()
for line in open(out + "/audit.jsonl", encoding="utf-8"):
    fields |= {(f["field"], f["fit"]) for f in json.loads(line).get("text_fit", [])}
assert {("customer name", "clipped"), ("address", "clipped")} <= fields, fields
word = re.compile(r'<word xMin="([-0-9.]+)" yMin="([-0-9.]+)" xMax="([-0-9.]+)" '
                  r'yMax="[-0-9.]+">([^<]*)</word>')
seen = 0
for p in glob.glob(out + "/print/*.pdf"):
    html = subprocess.run(["pdftotext", "-bbox", "-f", "1", "-l", "1", p, "-"],
                          capture_output=True, text=True, check=True).stdout
    for x0, y0, x1, w in word.findall(html):
        if 140 < float(y0) < 220 and float(x0) < 380:      # the window
            assert float(x0) >= 71.9 and float(x1) <= 372.1, (x0, x1, w)
            seen += w.endswith("…")
assert seen >= 2, seen
print("ok", sorted(fields), seen)
PY
    "$FOLIO" verify "$d/out" >/dev/null
}

run_test fit_long_customer_id t_fit_long_customer_id
run_test fit_shrink_and_margins t_fit_shrink_and_margins
run_test fit_address_block t_fit_address_block
