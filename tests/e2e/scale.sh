# SPDX-License-Identifier: Apache-2.0
# End-to-end tests of issue 12 parts 2 and 3: folio partition, shard runs,
# folio merge and folio verify of a merged directory.  Sourced by run.sh
# (uses its run_test, $FOLIO, $WORK, $ROOT); tests/e2e/scale_slurm.sh runs
# the same pipeline through a real Slurm.

# sc_fixture DIR HOUSEHOLDS: sample feeds with bad rows, where half of the
# customers have no household id (householding by address) and a holders
# feed links customers at different addresses (by shared accounts), plus a
# holders row naming an unknown account (a reject).
sc_fixture() {
    "$FOLIO" samples --households "$2" --seed 5 --with-errors --out "$1" >/dev/null
    python3 - "$1" <<'PY'
import csv, sys
d = sys.argv[1]
p = d + "/customers.csv"
rows = list(csv.DictReader(open(p, encoding="utf-8", errors="surrogateescape")))
for i, r in enumerate(rows):
    if i % 2 and not r["customer_id"].startswith("CBAD"):
        r["household_id"] = ""
# quoted records over several lines: the shards' line maps must follow
rows[6]["address_line2"] = "Floor 2\nRear"
rows[9]["last_name"] = "O'Neil, \"Jr\"\n"
w = csv.DictWriter(open(p, "w", encoding="utf-8", errors="surrogateescape", newline=""),
                   fieldnames=list(rows[0]))
w.writeheader(); w.writerows(rows)
acct = list(csv.DictReader(open(d + "/checking_accounts.csv", encoding="utf-8")))
idless = [r for r in rows if not r["household_id"]]
owner = {a["customer_id"]: a["account_id"] for a in acct}
pairs = [(x, y) for x, y in zip(idless[0::2], idless[1::2])
         if y["customer_id"] in owner and x["address_line1"] != y["address_line1"]][:12]
with open(d + "/disp.csv", "w", encoding="utf-8") as f:
    f.write("acct,client,type\n")
    for x, y in pairs:
        f.write("%s,%s,DISPONENT\n" % (owner[y["customer_id"]], x["customer_id"]))
    f.write("NOPE,%s,DISPONENT\n" % rows[3]["customer_id"])
job = open(d + "/job.yaml", encoding="utf-8").read()
job = job.replace("feeds:\n", """feeds:
  - name: disp
    kind: holders
    path: disp.csv
    roles: {OWNER: owner, DISPONENT: disponent}
    columns: {account_id: acct, customer_id: client, role: type}
""", 1)
# the layout and the catalogue by relative paths: a shard job must still find them
import os, re
job = re.sub(r'(?m)^(layout|  catalogue): "([^"]+)"$',
             lambda m: '%s: %s' % (m.group(1), os.path.relpath(m.group(2), d)), job)
assert "layout: ../" in job, job[:800]
open(d + "/job.yaml", "w", encoding="utf-8").write(job)
PY
}

# sc_serials SHARD_OUT I N START: shard I of N drew START+I-1, +N, +2N, ...
sc_serials() {
    python3 - "$@" <<'PY'
import csv, glob, sys
out, i, n, start = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
s = sorted(int(r["imb_serial"]) for f in glob.glob(out + "/print/*.pieces.csv")
           for r in csv.DictReader(open(f, encoding="utf-8")))
assert s, "no pieces in " + out
want = [start + i - 1 + k * n for k in range(len(s))]
assert s == want, "shard %d serials %r..., expected %r..." % (i, s[:4], want[:4])
PY
}

# sc_proof_same FULL MERGED: the merged proofs/proof.pdf has the unsharded
# run's pages and text, but for the cover line that cites where the
# statement was printed (the shard's file, pages and piece), which must be
# the shard's (issue 12 part 3).
sc_proof_same() {
    python3 - "$1" "$2" <<'PY'
import json, os, re, subprocess, sys
full, merged = sys.argv[1:3]
def pages(d):
    t = subprocess.run(["pdftotext", "-layout", d + "/proofs/proof.pdf", "-"], check=True,
                       capture_output=True).stdout.decode("utf-8")
    return t.split("\f")[:-1]
a, b = pages(full), pages(merged)
assert len(a) == len(b) and len(a) > 1, (len(a), len(b))
cite = re.compile(r"Printed in (\S+), pages (\d+) to (\d+) \(piece (\S+), mail stream")
pj = json.load(open(merged + "/proofs/proofs.json", encoding="utf-8"))
m = json.load(open(merged + "/manifest.json", encoding="utf-8"))
dirs = {i + 1: s["dir"] for i, s in enumerate(m["shards"])}
n = 0
for s in pj["samples"]:
    cover = b[s["proof_first_page"] - 1]
    c = cite.search(cover)
    if not c:
        continue
    assert c.group(1) == s["print_file"] and int(c.group(2)) == s["first_page"], (c.groups(), s)
    assert "-s%02dof" % s["shard"] in c.group(1), (c.group(1), s["shard"])
    pc = [r for r in open(os.path.join(dirs[s["shard"]], c.group(1)[:-4] + ".pieces.csv"),
                          encoding="utf-8") if r.startswith(c.group(4) + ",")]
    assert pc, "piece %s not in shard %d" % (c.group(4), s["shard"])
    n += 1
assert n > 0, "no cover cites a print file"
norm = lambda p: cite.sub("Printed in FILE", p)
for i, (x, y) in enumerate(zip(a, b)):
    assert norm(x) == norm(y), "proof.pdf page %d differs:\n%s\n---\n%s" % (i + 1, x[:800], y[:800])
assert pj["pages"] == len(b) and m["proofs"]["pages"] == len(b), pj["pages"]
assert any(f["file"] == "proofs/proof.pdf" for f in m["files"]), "proof.pdf not in the manifest"
print("merged proof.pdf: %d pages, text equal to the unsharded run's (%d covers cite "
      "their shard)" % (len(b), n))
PY
}

# partition -> 3 shard runs -> merge: the merged set equals the unsharded
# run (households formed by id, address and shared accounts across shard
# boundaries; text per statement), rejects once, one contact history, one
# proof sample, serials interleaved; verify accepts the merged directory
# and finds a byte changed in a shard's print file.
t_scale_partition_merge() {
    local d="$WORK/sc"
    sc_fixture "$d/feeds" 240
    set +e
    "$FOLIO" run "$d/feeds/job.yaml" --out "$d/full" --quiet; rc=$?
    set -e
    [ "$rc" = 3 ] || fail_at "$LINENO"
    python3 - "$d/full" <<'PY'
import json, sys
by = {json.loads(l)["household_by"] for l in open(sys.argv[1] + "/audit.jsonl")}
assert {"id", "address", "shared_accounts"} <= by, by
PY
    "$FOLIO" partition "$d/feeds/job.yaml" --shards 3 --out "$d/part" | tee "$d/part.out"
    grep -q "partitioned .* into 3 shards" "$d/part.out" || fail_at "$LINENO"
    for i in 1 2 3; do
        set +e
        "$FOLIO" run "$d/part/s0$i/job.yaml" --shard $i/3 --out "$d/o$i" --quiet; rc=$?
        set -e
        [ "$rc" = 0 ] || [ "$rc" = 3 ] || fail_at "$LINENO"
        sc_serials "$d/o$i" $i 3 1
        # a shard writes only its new contact rows: none of the rows read
        python3 - "$d/o$i/contact_history.csv" <<'PY'
import csv, sys
rows = list(csv.DictReader(open(sys.argv[1], encoding="utf-8")))
assert rows and all(r["channel"] for r in rows), "input rows in a shard's contact history"
PY
    done
    set +e
    "$FOLIO" merge "$d/o1" "$d/o2" "$d/o3" --out "$d/merged" >"$d/merge.out" 2>&1; rc=$?
    set -e
    cat "$d/merge.out"
    [ "$rc" = 3 ] || fail_at "$LINENO"
    python3 "$ROOT/tests/e2e/check_scale.py" "$d/full" "$d/merged" --text
    "$FOLIO" verify "$d/merged" > "$d/v.out" || { cat "$d/v.out"; fail_at "$LINENO"; }
    grep -q "verified .* files of 3 shards" "$d/v.out" || fail_at "$LINENO"
    # a shard missing or given twice: exit 2
    set +e
    "$FOLIO" merge "$d/o1" "$d/o3" --out "$d/m2" 2>"$d/m2.err"; rc=$?
    set -e
    [ "$rc" = 2 ] && grep -q "merge needs shards 1 to N" "$d/m2.err" || fail_at "$LINENO"
    # issue 12 part 3 (r-merge): one proof.pdf rendered again from the shards
    sc_proof_same "$d/full" "$d/merged"
    # a shard's feed gone (or changed) since it ran: exit 2 naming shard and path
    local cf="$d/part/s02/feeds/customers.csv"
    mv "$cf" "$cf.x"
    set +e
    "$FOLIO" merge "$d/o1" "$d/o2" "$d/o3" --out "$d/m3" 2>"$d/m3.err"; rc=$?
    set -e
    mv "$cf.x" "$cf"
    cat "$d/m3.err"
    [ "$rc" = 2 ] && grep -q "shard 2: $cf: No such file or directory" "$d/m3.err" || fail_at "$LINENO"
    [ ! -e "$d/m3/manifest.json" ] && [ ! -e "$d/m3/proofs/proof.pdf" ] || fail_at "$LINENO"
    printf '\n' >> "$cf"
    set +e
    "$FOLIO" merge "$d/o1" "$d/o2" "$d/o3" --out "$d/m3" 2>"$d/m3.err"; rc=$?
    set -e
    truncate -s -1 "$cf"
    [ "$rc" = 2 ] && grep -q "shard 2: $cf changed since the shard ran" "$d/m3.err" || fail_at "$LINENO"
    # one byte of a shard's print file changed: verify names it
    local pf
    pf=$(ls "$d"/o2/print/*.pdf | head -1)
    printf 'X' | dd of="$pf" bs=1 seek=200 conv=notrunc 2>/dev/null
    set +e
    "$FOLIO" verify "$d/merged" > "$d/v2.out"; rc=$?
    set -e
    [ "$rc" = 1 ] || fail_at "$LINENO"
    grep -q "MISMATCH shard 2: print/$(basename "$pf")" "$d/v2.out" || { cat "$d/v2.out"; fail_at "$LINENO"; }
}
run_test scale_partition_merge t_scale_partition_merge

# --shard I/N on the full feeds (every shard reads everything) merges to the
# same: rejects and read figures counted once, not N times.
t_scale_full_feed_merge() {
    local d="$WORK/scf"
    sc_fixture "$d/feeds" 120
    set +e
    "$FOLIO" run "$d/feeds/job.yaml" --out "$d/full" --quiet
    for i in 1 2; do "$FOLIO" run "$d/feeds/job.yaml" --shard $i/2 --out "$d/o$i" --quiet; done
    "$FOLIO" merge "$d/o2" "$d/o1" --out "$d/merged" >/dev/null 2>&1; rc=$?
    set -e
    [ "$rc" = 3 ] || fail_at "$LINENO"
    python3 "$ROOT/tests/e2e/check_scale.py" "$d/full" "$d/merged"
    sc_proof_same "$d/full" "$d/merged"     # issue 12 part 3: shards on the full feeds too
    python3 - "$d/full/manifest.json" "$d/merged/manifest.json" <<'PY'
import json, sys
a = json.load(open(sys.argv[1]))["control_totals"]
b = json.load(open(sys.argv[2]))["totals"]["control_totals"]
assert a == b, (a, b)
PY
    "$FOLIO" verify "$d/merged" >/dev/null
}
run_test scale_full_feed_merge t_scale_full_feed_merge

# What a partition cannot keep is a job error naming the feed.
t_scale_partition_refuses() {
    local d="$WORK/scr"
    "$FOLIO" samples --households 20 --out "$d" >/dev/null
    mkdir -p "$d/x"
    cp "$d/savings_accounts.csv" "$d/x/checking_accounts.csv"
    sed -i 's|path: savings_accounts.csv|path: x/checking_accounts.csv|' "$d/job.yaml"
    set +e
    "$FOLIO" partition "$d/job.yaml" --shards 2 --out "$d/part" 2>"$d/err"; rc=$?
    set -e
    cat "$d/err"
    [ "$rc" = 2 ] && grep -q "job.yaml:[0-9]*: feeds '.*' and '.*' have the same file name checking_accounts.csv" "$d/err" || fail_at "$LINENO"
    set +e
    "$FOLIO" partition "$d/job.yaml" --out "$d/part" 2>"$d/err"; rc=$?
    set -e
    [ "$rc" = 2 ] && grep -q -- "--shards N is required" "$d/err" || fail_at "$LINENO"
}
run_test scale_partition_refuses t_scale_partition_refuses

# issue 12 part 2 (r-merge): the split's memchr path and last-key reuse cut
# the same shard files as the byte path (FOLIO_TEST_PARTITION_SLOW) on
# records that test its edges: spaces and tabs around the key, CRLF, a CR
# inside the key, blank lines, quoted keys, CRLF customers, no final LF.
t_scale_partition_edges() {
    local d="$WORK/sce"
    "$FOLIO" samples --households 60 --seed 3 --with-errors --out "$d/feeds" >/dev/null
    python3 - "$d/feeds" <<'PY'
import sys
d = sys.argv[1] + "/"
t = open(d + "checking_transactions.csv", "rb").read().split(b"\n")
out = []
for i, l in enumerate(t):
    if not l:
        out.append(l); continue
    k, rest = l.split(b",", 1) if b"," in l else (l, b"")
    if i % 7 == 1: l = k + b" \t," + rest
    elif i % 7 == 0 and i % 2: l = b"  " + l
    elif i % 7 == 2: l = l + b"\r"
    elif i % 7 == 3: l = b"\t" + l
    elif i % 7 == 4: l = k + b"\r," + rest
    elif i % 7 == 5: out.append(b"   ")
    elif i % 7 == 6: l = b'"' + k + b'",' + rest
    out.append(l)
open(d + "checking_transactions.csv", "wb").write(b"\n".join(out).rstrip(b"\n"))
c = open(d + "customers.csv", "rb").read().replace(b"\n", b"\r\n")
open(d + "customers.csv", "wb").write(c)
PY
    "$FOLIO" partition "$d/feeds/job.yaml" --shards 3 --out "$d/fast" -j1 >/dev/null
    FOLIO_TEST_PARTITION_SLOW=1 "$FOLIO" partition "$d/feeds/job.yaml" --shards 3 --out "$d/slow" -j1 >/dev/null
    diff -r "$d/fast" "$d/slow" || fail_at "$LINENO"
    # and the records really spread over the shards
    [ "$(cat "$d"/fast/s0*/feeds/checking_transactions.csv | wc -l)" -gt 300 ] || fail_at "$LINENO"
    for i in 1 2 3; do
        [ "$(wc -l < "$d/fast/s0$i/feeds/checking_transactions.csv")" -gt 50 ] || fail_at "$LINENO"
    done
}
run_test scale_partition_edges t_scale_partition_edges
