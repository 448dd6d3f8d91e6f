# SPDX-License-Identifier: Apache-2.0
# End-to-end tests of `folio verify` against tampering and of the CSV
# injection rule; sourced by tests/e2e/run.sh (uses FOLIO, ROOT, WORK).

# vt_expect DIR WORDS...: verify DIR exits 1 and its report holds WORDS
vt_expect() {
    local d="$1"; shift
    set +e
    "$FOLIO" verify "$d" > "$d.out"; local rc=$?
    set -e
    cat "$d.out"
    [ "$rc" = 1 ] || { echo "verify $d: exit $rc, expected 1"; return 1; }
    grep -q -- "$*" "$d.out" || { echo "verify $d: no '$*' in the report"; return 1; }
}

# vt_copy NAME: a fresh copy of the valid run (the inputs stay shared)
vt_copy() { rm -rf "$WORK/vt/$1"; cp -r "$WORK/vt/out" "$WORK/vt/$1"; echo "$WORK/vt/$1"; }

# vt_manifest DIR PYTHON: edit DIR/manifest.json with python (m is the dict)
vt_manifest() {
    python3 - "$1/manifest.json" "$2" <<'PY'
import json, sys
p, code = sys.argv[1], sys.argv[2]
m = json.load(open(p, encoding="utf-8"))
exec(code)
open(p, "w", encoding="utf-8").write(json.dumps(m, indent=1))
PY
}

# Every tampering below leaves each file's checksum consistent with the
# manifest (or edits only the manifest), so only recomputation finds it.
t_verify_tampering() {
    rm -rf "$WORK/vt"; mkdir -p "$WORK/vt"
    "$FOLIO" samples --households 120 --seed 31 --out "$WORK/vt/feeds" >/dev/null
    "$FOLIO" run "$WORK/vt/feeds/job.yaml" --out "$WORK/vt/out" --quiet
    "$FOLIO" verify "$WORK/vt/out" | grep -q '^verified [0-9]* files$'
    # counts
    d=$(vt_copy counts); vt_manifest "$d" 'm["counts"]["households"] += 1'
    vt_expect "$d" "counts.households is"
    d=$(vt_copy counts2); vt_manifest "$d" 'm["counts"]["statements"]["print"] -= 1; m["counts"]["statements"]["email"] += 1'
    vt_expect "$d" "counts.statements.print is"
    # control totals
    d=$(vt_copy ct); vt_manifest "$d" 'from decimal import Decimal as D
t = m["control_totals"]["transactions"]["amount_composed"]; t["USD"] = float(D(str(t["USD"])) + D("100.00"))'
    vt_expect "$d" "control_totals.transactions.amount_composed.USD is"
    d=$(vt_copy ct2); vt_manifest "$d" 'm["control_totals"]["accounts"]["suppressed"] += 1'
    vt_expect "$d" "control_totals.accounts.suppressed is"
    # reconciliation.balanced, and one check's ok
    d=$(vt_copy bal); vt_manifest "$d" 'm["reconciliation"]["balanced"] = False'
    vt_expect "$d" "reconciliation.balanced is false"
    d=$(vt_copy bal2); vt_manifest "$d" 'c = m["reconciliation"]["checks"][0]; c["read"] += 5'
    vt_expect "$d" "reconciliation 'account rows read = accepted + rejected'"
    # an input changed by one byte, an input deleted
    cp -r "$WORK/vt/feeds" "$WORK/vt/feeds.keep"
    python3 - "$WORK/vt/feeds/savings_accounts.csv" <<'PY'
import sys
p = sys.argv[1]; b = bytearray(open(p, "rb").read()); b[-3] ^= 1; open(p, "wb").write(b)
PY
    vt_expect "$WORK/vt/out" "input $WORK/vt/feeds/savings_accounts.csv (feed savings-accounts): changed since the run"
    rm "$WORK/vt/feeds/savings_accounts.csv"
    vt_expect "$WORK/vt/out" "input $WORK/vt/feeds/savings_accounts.csv (feed savings-accounts): missing"
    rm -rf "$WORK/vt/feeds"; mv "$WORK/vt/feeds.keep" "$WORK/vt/feeds"
    python3 - "$WORK/vt/feeds/job.yaml" <<'PY'
import sys
open(sys.argv[1], "a").write("\n# edited\n")
PY
    vt_expect "$WORK/vt/out" "(job): changed since the run"
    rm -rf "$WORK/vt/feeds"; "$FOLIO" samples --households 120 --seed 31 --out "$WORK/vt/feeds" >/dev/null
    "$FOLIO" verify "$WORK/vt/out" | grep -q '^verified [0-9]* files$'
    # a moved input directory is a note, not a failure
    mv "$WORK/vt/feeds" "$WORK/vt/feeds.moved"
    "$FOLIO" verify "$WORK/vt/out" > "$WORK/vt/moved.out"
    grep -q "^NOTE input .*customers.csv (feed customers): unreachable" "$WORK/vt/moved.out"
    grep -q "^verified [0-9]* files (.* note(s)" "$WORK/vt/moved.out"
    mv "$WORK/vt/feeds.moved" "$WORK/vt/feeds"
    # a stray file at the top level
    d=$(vt_copy stray); echo x > "$d/notes.txt"
    vt_expect "$d" "notes.txt: not a file folio writes"
    d=$(vt_copy lock); : > "$d/.folio.lock"; "$FOLIO" verify "$d" | grep -q '^verified'
    # a print file dropped, the manifest made consistent as an attacker would
    "$FOLIO" run "$WORK/vt/feeds/job.yaml" --out "$WORK/vt/split" --quiet \
        --threads 1 >/dev/null 2>&1 || true
    sed -e 's/max_sheets: *[0-9]*/max_sheets: 40/' "$WORK/vt/feeds/job.yaml" > "$WORK/vt/feeds/job-split.yaml"
    rm -rf "$WORK/vt/split"
    "$FOLIO" run "$WORK/vt/feeds/job-split.yaml" --out "$WORK/vt/split" --quiet
    "$FOLIO" verify "$WORK/vt/split" | grep -q '^verified'
    d="$WORK/vt/drop"; rm -rf "$d"; cp -r "$WORK/vt/split" "$d"
    python3 - "$d" <<'PY'
import json, sys, os
d = sys.argv[1]; p = d + "/manifest.json"
m = json.load(open(p))
pdfs = [o for o in m["outputs"] if o["format"] == "pdf"]
assert len(pdfs) > 1, "need several print files"
o = pdfs[-1]; pf = [x for x in m["piece_files"] if x["print_file"] == o["file"]][0]
os.remove(os.path.join(d, o["file"])); os.remove(os.path.join(d, pf["file"]))
m["outputs"].remove(o); m["piece_files"].remove(pf)
c = m["counts"]
c["print_files"] -= 1; c["print_pages"] -= o["pages"]; c["print_sheets"] -= o["sheets"]
c["print_statements"] -= o["statements"]; c["households"] -= o["statements"]
c["statements"]["print"] -= o["statements"]
for s in m["streams"]:
    if s["name"] == o["stream"]:
        s["statements"] -= o["statements"]; s["pages"] -= o["pages"]; s["sheets"] -= o["sheets"]; s["files"] -= 1
        s["last_piece"] = pdfs[-2]["last_piece"]
json.dump(m, open(p, "w"), indent=1)
PY
    vt_expect "$d" "which the manifest does not list"
}

# vt_edit DIR REL PYTHON: edit DIR/REL with python (t is its text), then put
# its new size and SHA-256 in the manifest, as an attacker who knows the
# format would: only a cross-check between files can find it
vt_edit() {
    python3 - "$1" "$2" "$3" <<'PY'
import hashlib, json, os, sys
d, rel, code = sys.argv[1:4]
p = os.path.join(d, rel)
t = open(p, encoding="utf-8", newline="").read()
exec(code)
open(p, "w", encoding="utf-8", newline="").write(t)
m = json.load(open(d + "/manifest.json", encoding="utf-8"))
b = open(p, "rb").read()
hit = 0
for sec in ("outputs", "records", "piece_files"):
    for o in m.get(sec, []):
        if o.get("file") == rel:
            o["sha256"] = hashlib.sha256(b).hexdigest(); o["bytes"] = len(b); hit += 1
assert hit, rel
json.dump(m, open(d + "/manifest.json", "w", encoding="utf-8"), indent=1)
PY
}

# The pieces files and audit.jsonl say the same of every printed household:
# a piece given to another household, or an audit record's page count
# edited, each with its checksum made consistent, is a mismatch.
t_verify_pieces_audit() {
    [ -d "$WORK/vt/out" ] || { echo "needs t_verify_tampering"; exit 1; }
    pf=$(cd "$WORK/vt/out" && ls print/*.pieces.csv | head -1)
    d=$(vt_copy pa1)
    vt_edit "$d" "$pf" 'L = t.split("\n"); f = L[2].split(","); f[1] = "H000000000"; L[2] = ",".join(f); t = "\n".join(L)'
    vt_expect "$d" "its pieces file says household H000000000"
    d=$(vt_copy pa2)
    vt_edit "$d" audit.jsonl 'import re; t = re.sub(r"(\"piece\":\"P[0-9]+\".*?)(\"first_page\":)([0-9]+)", lambda x: x.group(1) + x.group(2) + str(int(x.group(3)) + 1), t, count=1)'
    vt_expect "$d" "audit.jsonl:1: piece P"
    # two printed households' records exchange their pieces
    d=$(vt_copy pa3)
    vt_edit "$d" audit.jsonl 'import re
ps = re.findall(r"\"piece\":\"(P[0-9]+)\"", t)[:2]
t = t.replace(ps[0], "TMP").replace(ps[1], ps[0]).replace("TMP", ps[1])'
    vt_expect "$d" "the audit says household"
    # stream figures no run can hold: the sum of two files must not wrap
    [ -d "$WORK/vt/split" ] || { echo "needs t_verify_tampering"; exit 1; }
    d="$WORK/vt/wrap"; rm -rf "$d"; cp -r "$WORK/vt/split" "$d"
    vt_manifest "$d" 'for o in m["outputs"]: o["statements"] = 1 << 62'
    vt_expect "$d" "files' statements, pages or sheets overflow when added up"
}

# A household id holding a quoted comma and quote, and one over 4 KB: a valid
# run verifies (pieces.csv and index.csv are read as CSV, not as lines). A
# quoted newline in an id is a reject at load (single-line field).
t_verify_long_ids() {
    rm -rf "$WORK/vl"; mkdir -p "$WORK/vl"
    "$FOLIO" samples --households 30 --seed 9 --out "$WORK/vl/feeds" >/dev/null
    python3 - "$WORK/vl/feeds" <<'PY'
import csv, io, sys
d = sys.argv[1]
rows = list(csv.reader(open(d + "/customers.csv", encoding="utf-8", newline="")))
h = rows[0]; ih = h.index("household_id")
old = {}
for n, r in enumerate(rows[1:3]):
    new = 'HQ"uo,te' if n == 0 else "HLONG" + "x" * 5000
    old[r[ih]] = new
for r in rows[1:]:
    if r[ih] in old:
        r[ih] = old[r[ih]]
out = io.StringIO(); csv.writer(out, lineterminator="\n").writerows(rows)
open(d + "/customers.csv", "w", encoding="utf-8", newline="").write(out.getvalue())
PY
    set +e
    "$FOLIO" run "$WORK/vl/feeds/job.yaml" --out "$WORK/vl/out" --quiet; rc=$?
    set -e
    [ "$rc" = 0 ] || [ "$rc" = 3 ]
    grep -q '"HQ\\"uo,te"' "$WORK/vl/out/audit.jsonl"
    grep -q 'HLONGxxxx' "$WORK/vl/out/audit.jsonl"
    "$FOLIO" verify "$WORK/vl/out" > "$WORK/vl/v.out" || { cat "$WORK/vl/v.out"; exit 1; }
    grep -q '^verified [0-9]* files$' "$WORK/vl/v.out"
}

# CSV injection (README "Output directory"): ids, names and raw lines that
# start with = + - @ TAB are written with a leading ' in every CSV; verify
# passes; next month's run reads the contact history back exactly (the
# frequency cap applies to the household whose id starts with '=').
t_csv_injection() {
    rm -rf "$WORK/ci"; mkdir -p "$WORK/ci"
    "$FOLIO" samples --households 200 --seed 5 --out "$WORK/ci/feeds" >/dev/null
    python3 - "$WORK/ci/feeds" <<'PY'
import csv, io, sys
d = sys.argv[1]
def rw(name, fn):
    rows = list(csv.reader(open(d + "/" + name, encoding="utf-8", newline="")))
    fn(rows)
    out = io.StringIO(); csv.writer(out, lineterminator="\n").writerows(rows)
    open(d + "/" + name, "w", encoding="utf-8", newline="").write(out.getvalue())
new = ['=HYPERLINK("http://x.example/?a=1","click")', "+1H", "-2H", "@SUM(A1)"]
ren = {}
def cust(rows):
    h = rows[0]; ih = h.index("household_id"); idl = h.index("delivery")
    for r in rows[1:]:
        if r[ih] not in ren and len(ren) < len(new) and r[idl] in ("print", "both"):
            ren[r[ih]] = new[len(ren)]
    for r in rows[1:]:
        r[ih] = ren.get(r[ih], r[ih])
rw("customers.csv", cust)
def con(rows):
    # the first household gets a recent contact for every offer (cap 1 a month)
    ik = rows[0].index("contact_key")
    for r in rows[1:]:
        r[ik] = ren.get(r[ik], r[ik])
rw("contact_history.csv", con)
def txn(rows):   # a rejected row whose raw text starts with '-'
    rows.append(["-12.50 not an account", "2026-10-15", "BAD", "-12.50"])
    rows.append(["\tTAB not an account", "2026-10-15", "BAD", "1.00"])
rw("checking_transactions.csv", txn)
open(d + "/renamed.txt", "w").write("\n".join(new))
PY
    set +e
    "$FOLIO" run "$WORK/ci/feeds/job.yaml" --out "$WORK/ci/o1" --quiet; rc=$?
    set -e
    [ "$rc" = 3 ] || { echo "run 1: exit $rc"; exit 1; }
    "$FOLIO" verify "$WORK/ci/o1" | tee "$WORK/ci/v1.out" | grep -q '^verified [0-9]* files$' || { cat "$WORK/ci/v1.out"; exit 1; }
    # the raw cells carry the prefix; no cell of any CSV starts with a formula character
    grep -q "\"'-12.50 not an account" "$WORK/ci/o1/rejects.csv"
    grep -q "\"'=HYPERLINK(\"\"http" "$WORK/ci/o1/print/"*.pieces.csv
    python3 - "$WORK/ci/o1" <<'PY'
import csv, glob, os, re, sys
out = sys.argv[1]
files = [os.path.join(out, f) for f in ("rejects.csv", "suppressed.csv", "contact_history.csv")]
files += glob.glob(out + "/print/*.csv") + glob.glob(out + "/archive/*.csv")
seen = set()
for p in files:
    rows = list(csv.reader(open(p, encoding="utf-8", newline="")))
    for row in rows:
        for i, c in enumerate(row):
            if rows[0][i] == "amount":  # a number folio formats: never prefixed
                assert c == "amount" or re.fullmatch(r"(-?[0-9]+[.][0-9][0-9])?", c), (p, c)
                continue
            assert not c or c[0] not in "=+-@\t\r", (p, c)
            if c[:1] == "'":
                seen.add(c[1:2])
assert {"=", "+", "-", "@", "\t"} <= seen, seen
PY
    # the contact history round trip: this run's contact history is the next
    # run's contacts feed; the ids come back exact, so every household shown
    # an offer now is not shown the same offer again under a cap of 1
    python3 - "$WORK/ci/feeds" "$WORK/ci/o1" <<'PY'
import sys, os
sys.path.insert(0, os.path.join(os.environ["ROOT"], "tests", "e2e")); import folio_csv
d, out = sys.argv[1:]
new = open(d + "/renamed.txt").read().split("\n")
rows = list(folio_csv.DictReader(open(out + "/contact_history.csv", encoding="utf-8", newline="")))
keys = {r["contact_key"] for r in rows}
shown = [k for k in new if k in keys]
assert shown, "no renamed household was shown an offer"
open(d + "/shown.txt", "w").write("\n".join(shown))
PY
    cp "$WORK/ci/o1/contact_history.csv" "$WORK/ci/feeds/contact_history.csv"
    python3 - "$WORK/ci/feeds/job.yaml" "$ROOT/layouts/offers.yaml" "$WORK/ci/offers.yaml" <<'PY'
import re, sys
job, src, dst = sys.argv[1:]
o = open(src).read()
o = re.sub(r"cap: *\{times: *\d+", "cap: {times: 1", o)
open(dst, "w").write(o)
s = open(job).read()
s = re.sub(r'(?m)^(\s*catalogue:).*$', r'\1 "%s"' % dst, s)
open(job, "w").write(s)
PY
    set +e
    "$FOLIO" run "$WORK/ci/feeds/job.yaml" --out "$WORK/ci/o2" --quiet; rc=$?
    set -e
    [ "$rc" = 3 ] || { echo "run 2: exit $rc"; exit 1; }
    python3 - "$WORK/ci/feeds" "$WORK/ci/o1" "$WORK/ci/o2" <<'PY'
import json, sys
d, o1, o2 = sys.argv[1:]
shown = open(d + "/shown.txt").read().split("\n")
def offers(out):
    r = {}
    for l in open(out + "/audit.jsonl", encoding="utf-8"):
        h = json.loads(l)
        r[h["household"]] = [p["offer"] for p in (h.get("offers") or {}).get("placed", [])]
    return r
import yaml
cat = yaml.safe_load(open(d + "/../offers.yaml"))
capped = {o["id"] for o in cat["offers"] if o.get("cap")}
a, b = offers(o1), offers(o2)
n = 0
for k in shown:
    assert k in b, "household %r lost its id" % k
    n += len(set(a[k]) & capped)
    again = set(a[k]) & set(b[k]) & capped
    assert not again, "household %r shown %s again despite the contact history" % (k, again)
assert n, "no renamed household was shown a capped offer"
PY
    "$FOLIO" verify "$WORK/ci/o2" | grep -q '^verified [0-9]* files$'
}
