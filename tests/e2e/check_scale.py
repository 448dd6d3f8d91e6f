#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""Issue 12: a merged shard run (folio merge) against an unsharded run.

usage: check_scale.py FULL_OUT MERGED_DIR [--text]

Asserts: the same households, each with the same pages, channel and
accounts; (--text) the same pdftotext text per printed statement (piece
ids, which carry the shard, and IMb barcode text masked); piece ids and IMb
serials unique across shards; rejects.csv and contact_history.csv of the
merge equal the unsharded ones byte for byte; the merged proof sample picks
the unsharded run's households; reconciliation balanced.
"""
import json, os, re, subprocess, sys

full, merged = sys.argv[1], sys.argv[2]
text = "--text" in sys.argv
m = json.load(open(os.path.join(merged, "manifest.json"), encoding="utf-8"))
assert m["reconciliation"]["balanced"] is True, m["reconciliation"]
assert all(c["ok"] for c in m["reconciliation"]["checks"]), m["reconciliation"]

def audit(d):
    out = {}
    for line in open(os.path.join(d, "audit.jsonl"), encoding="utf-8"):
        a = json.loads(line)
        out[a["household"]] = (d, a)
    return out

fa = audit(full)
sa = {}
for s in m["shards"]:
    for h, v in audit(s["dir"]).items():
        assert h not in sa, "household %s in two shards" % h
        sa[h] = v
assert set(fa) == set(sa), "households differ: %d vs %d, only unsharded %s, only shards %s" % (
    len(fa), len(sa), sorted(set(fa) - set(sa))[:5], sorted(set(sa) - set(fa))[:5])
for h, (_, a) in fa.items():
    b = sa[h][1]
    for k in ("pages", "channel", "accounts", "customers", "stream", "coverage"):
        if k == "coverage":   # pages:longest is shard-relative
            x = [c for c in a.get(k, []) if c != "pages:longest"]
            y = [c for c in b.get(k, []) if c != "pages:longest"]
        else:
            x, y = a.get(k), b.get(k)
        assert x == y, "household %s: %s %r vs %r" % (h, k, x, y)

pages_cache = {}
def pages_of(path):
    if path not in pages_cache:
        t = subprocess.run(["pdftotext", "-layout", path, "-"], check=True,
                           capture_output=True).stdout.decode("utf-8")
        pages_cache[path] = t.split("\f")
    return pages_cache[path]

mask = re.compile(r"P(\d\d-)?\d{7}")
if text:
    n = 0
    for h, (d, a) in fa.items():
        if not a.get("print_file"):
            continue
        sd, b = sa[h]
        x = pages_of(os.path.join(d, a["print_file"]))[a["first_page"] - 1:a["last_page"]]
        y = pages_of(os.path.join(sd, b["print_file"]))[b["first_page"] - 1:b["last_page"]]
        x = [mask.sub("PIECE", p) for p in x]
        y = [mask.sub("PIECE", p) for p in y]
        assert x == y, "household %s: statement text differs" % h
        n += 1
    assert n > 0, "no printed statement compared"
    print("text of %d printed statements equal" % n)

ids, serials = [], []
for s in m["shards"]:
    for f in s["files"]:
        if f["file"].endswith(".pieces.csv"):
            import csv
            for r in csv.DictReader(open(os.path.join(s["dir"], f["file"]), encoding="utf-8")):
                ids.append(r["piece_id"]); serials.append(int(r["imb_serial"]))
assert ids and len(ids) == len(set(ids)), "piece ids repeat across shards"
assert len(serials) == len(set(serials)), "IMb serials repeat across shards"
assert m["next_serial_start"] == max(serials) + 1, (m["next_serial_start"], max(serials))

for f in ("rejects.csv", "contact_history.csv"):
    # both fixtures reject rows and read a contact history: the files must
    # be there (an absent pair would make the comparison vacuous)
    a = os.path.join(full, f)
    assert os.path.exists(a) and os.path.exists(os.path.join(merged, f)), f
    x = open(a, "rb").read(); y = open(os.path.join(merged, f), "rb").read()
    assert x.count(b"\n") > 1, "%s of the unsharded run has no rows" % f
    assert x == y, "%s differs from the unsharded run's" % f
pa = json.load(open(os.path.join(full, "proofs", "proofs.json"), encoding="utf-8"))
pb = json.load(open(os.path.join(merged, "proofs", "proofs.json"), encoding="utf-8"))
assert [s["household"] for s in pa["samples"]] == [s["household"] for s in pb["samples"]], \
    "proof sample differs"
assert pa["keys_total"] == pb["keys_total"]
t = m["totals"]["counts"]
fm = json.load(open(os.path.join(full, "manifest.json"), encoding="utf-8"))
for k in ("households", "print_statements", "print_pages", "archive_documents", "rejected_rows"):
    assert t[k] == fm["counts"][k], "totals %s: %r vs %r" % (k, t[k], fm["counts"][k])
print("merged: %d households, %d pieces, %d proof samples: equal to the unsharded run"
      % (len(fa), len(ids), len(pb["samples"])))
