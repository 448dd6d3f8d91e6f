# SPDX-License-Identifier: Apache-2.0
# Issue 12 part 3 (gaps): folio merge finds shards that do not reconcile
# with the partition they came from -- a feed row given to two shards, a row
# given to none -- and fails (exit 1, "the shards do not reconcile"),
# leaving manifest.json.failed with the failed check and no manifest.json,
# so verify refuses the directory.  Sourced by run.sh after scale.sh (uses
# its sc_fixture, and run.sh's run_test, $FOLIO, $WORK, $ROOT).

# mb_case DIR TAMPER: partition DIR/feeds into 2 shards, apply TAMPER (a
# python snippet editing shard 1's and 2's feeds, given their directories),
# run both shards, merge; the merge must fail on the reconciliation.
mb_case() {
    local d="$1" rc i
    rm -rf "$d/part" "$d/o1" "$d/o2" "$d/merged"
    "$FOLIO" partition "$d/feeds/job.yaml" --shards 2 --out "$d/part" >/dev/null
    python3 -c "$2" "$d/part/s01/feeds" "$d/part/s02/feeds"
    # r-harden (round 27): a shard run refuses feeds that are not the ones
    # partition.json records (exit 2) ...
    set +e
    for i in 1 2; do
        "$FOLIO" run "$d/part/s0$i/job.yaml" --shard $i/2 --out "$d/o$i" --quiet 2>/dev/null
        [ $? = 2 ] && break
    done
    rc=$?
    set -e
    [ "$rc" = 0 ] || fail_at "$LINENO"
    # ... so to reach merge's own check, partition.json records the tampered
    # files (as a partition that miscounted would have)
    python3 - "$d/part" <<'PY'
import hashlib, json, os, sys
p = sys.argv[1]; j = json.load(open(os.path.join(p, "partition.json")))
for f in j["feeds"]:
    for s, rec in enumerate(f["shard_files"]):
        b = open(os.path.join(p, "s%02d" % (s + 1), "feeds", f["file"]), "rb").read()
        rec["bytes"], rec["sha256"] = len(b), hashlib.sha256(b).hexdigest()
json.dump(j, open(os.path.join(p, "partition.json"), "w"), indent=2)
PY
    for i in 1 2; do
        set +e
        "$FOLIO" run "$d/part/s0$i/job.yaml" --shard $i/2 --out "$d/o$i" --quiet 2>/dev/null; rc=$?
        set -e
        [ "$rc" = 0 ] || [ "$rc" = 3 ] || fail_at "$LINENO"
        grep -q '"balanced":true' "$d/o$i/manifest.json" || fail_at "$LINENO"   # each shard alone is fine
    done
    set +e
    "$FOLIO" merge "$d/o1" "$d/o2" --out "$d/merged" >"$d/merge.out" 2>"$d/merge.err"; rc=$?
    set -e
    cat "$d/merge.err"
    [ "$rc" = 1 ] || { echo "merge exit $rc, expected 1"; fail_at "$LINENO"; }
    grep -q "the shards do not reconcile (see the checks in $d/merged/manifest.json.failed)" \
        "$d/merge.err" || fail_at "$LINENO"
    [ ! -e "$d/merged/manifest.json" ] || { echo "a manifest published"; fail_at "$LINENO"; }
    [ -s "$d/merged/manifest.json.failed" ] || fail_at "$LINENO"
    set +e
    "$FOLIO" verify "$d/merged" >/dev/null 2>&1; rc=$?
    set -e
    [ "$rc" != 0 ] || { echo "verify accepted an unreconciled merge"; fail_at "$LINENO"; }
}

t_merge_unbalanced() {
    local d="$WORK/mb"
    sc_fixture "$d/feeds" 60
    # 1. a customers row of shard 1 given to shard 2 as well (counted twice)
    mb_case "$d" '
import sys
s1, s2 = sys.argv[1:3]
rows = open(s1 + "/customers.csv", encoding="utf-8", errors="surrogateescape").read().split("\n")
row = next(r for r in rows[1:] if r.startswith("C") and not r.startswith("CBAD")
          and r.count(",") > 8 and "\"" not in r)
with open(s2 + "/customers.csv", "a", encoding="utf-8", errors="surrogateescape") as f:
    f.write(("" if open(s2 + "/customers.csv", "rb").read().endswith(b"\n") else "\n") + row + "\n")
print("row in both shards:", row[:40])
'
    python3 - "$d/merged/manifest.json.failed" 1 <<'PY'
import json, sys
m = json.load(open(sys.argv[1], encoding="utf-8"))
assert m["reconciliation"]["balanced"] is False
bad = [c for c in m["reconciliation"]["checks"] if not c["ok"]]
want = [c for c in bad if c["check"].startswith("feed ") and "customers" in c["check"]
        and c["check"].endswith("rows = rows of the shards")]
assert want and want[0]["in_shards"] == want[0]["rows"] + int(sys.argv[2]), bad
print("failed checks:", [c["check"] for c in bad])
PY
    # 2. a transactions row of shard 2 given to no shard (dropped)
    mb_case "$d" '
import sys
s2 = sys.argv[2]
p = s2 + "/checking_transactions.csv"
t = open(p, encoding="utf-8", errors="surrogateescape").read().rstrip("\n").split("\n")
assert len(t) > 3
print("row in no shard:", t[-1][:40])
open(p, "w", encoding="utf-8", errors="surrogateescape").write("\n".join(t[:-1]) + "\n")
'
    python3 - "$d/merged/manifest.json.failed" <<'PY'
import json, sys
m = json.load(open(sys.argv[1], encoding="utf-8"))
bad = [c for c in m["reconciliation"]["checks"] if not c["ok"]]
want = [c for c in bad if "checking" in c["check"] and "transactions" in c["check"]
        and c["check"].endswith("rows = rows of the shards")]
assert want and want[0]["in_shards"] == want[0]["rows"] - 1, bad
print("failed checks:", [c["check"] for c in bad])
PY
}
run_test merge_unbalanced t_merge_unbalanced
