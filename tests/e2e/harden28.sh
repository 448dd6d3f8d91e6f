# SPDX-License-Identifier: Apache-2.0
# r-harden (round 28): issue 12 at the issue's scale -- `folio merge` in
# memory that does not grow with the households; the shard checks' gaps.
# Sourced by run.sh (uses its run_test, fail_at, $FOLIO, $WORK, $ROOT).

# h28_pad SRC DST K DUPID DUPSERIAL: a copy of shard OUT SRC as if it held K
# more households: K pieces (in files of 5,000, as a print file's), K new
# contact rows and K audit lines with an existing household's coverage keys
# (ids after every real one: never the first of their key set), the
# shard's manifest updated to the files' new sizes and digests.  DUPID /
# DUPSERIAL (may be empty): one more piece with that id / serial.
h28_pad() {
    cp -a "$1" "$2"
    python3 - "$2" "$3" "$4" "$5" <<'PY'
import hashlib, json, os, re, sys
d, k, dup_id, dup_serial = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4]
man = open(os.path.join(d, "manifest.json")).read()
def append(rel, data):
    p = os.path.join(d, rel)
    old = open(p, "rb").read()
    with open(p, "ab") as f:
        f.write(data)
    new = old + data
    global man
    o, n = hashlib.sha256(old).hexdigest(), hashlib.sha256(new).hexdigest()
    assert o in man, rel
    man = man.replace(o, n)
    man, c = re.subn(r'("file":"%s",(?:"[a-z_]+":\d+,)*"bytes":)%d\b' % (re.escape(rel), len(old)),
                     r"\g<1>%d" % len(new), man)
    assert c >= 1, rel
head = "piece_id,household,sheets,pages,file,first_page,last_page,imb_serial,stream\n"
rows = ["Q%08d,~pad%08d,1,1,pad.pdf,1,1,%09d,letters\n" % (i, i, 800000000 + i) for i in range(k)]
if dup_id:
    rows.append("%s,~padd,1,1,pad.pdf,1,1,%09d,letters\n" % (dup_id, 799999999))
if dup_serial:
    rows.append("Qdup,~pads,1,1,pad.pdf,1,1,%s,letters\n" % dup_serial)
for f in range(0, len(rows), 5000):
    open(os.path.join(d, "print", "zz-pad-%04d.pieces.csv" % (f // 5000)), "w").write(
        head + "".join(rows[f:f + 5000]))
append("contact_history.csv", "".join(
    "~pad%08d,PAD,2026-11-01,,print,\n" % i for i in range(k)).encode())
src = None
for line in open(os.path.join(d, "audit.jsonl")):
    j = json.loads(line)
    if j.get("coverage") and "pages:longest" not in j["coverage"]:
        src = j
        break
assert src, "no household with coverage keys"
keep = {x: src[x] for x in ("coverage", "pages", "print_file", "first_page", "last_page")
        if x in src}
tail = json.dumps(keep, separators=(",", ":"))[1:] + "\n"
lines = ['{"household":"~pad%08d",' % i + tail for i in range(k)]
append("audit.jsonl", "".join(lines).encode())
open(os.path.join(d, "manifest.json"), "w").write(man)
PY
}

# (1) merge held every piece id and serial (to find repeats across shards),
# every shard's contact_history.csv and the merged one, and one record per
# household for the proof cover: at 50 million households many GB on the
# merge node.  Now the ids and serials are sorted in spill files under
# OUT/.merge-work (merge-spill.c; FOLIO_TEST_MERGE_SORT_BYTES makes its
# in-memory run 64 KiB here, not 32 MiB, so that 60,000 pieces spill in
# runs as 50 million would: ~24 runs, ~94 at 240,000, merged 32 at a time),
# the files are streamed and the cover keeps one household per key set.
# Two sizes, 60,000 and 240,000 households more in one shard: the peak RSS
# differs by less than 6 MB (main a006447: +47 MB from 100,000 to 400,000),
# the outputs are the padded shards' exactly, the spill directory is gone,
# and a piece id or serial repeated across shards is still found among
# ~94 runs of 16 KiB (exit 1, counted as Python counts).
t_h28_merge_bound() {
    local d="$WORK/h28mb" rc i k m
    rm -rf "$d"; mkdir -p "$d"
    two_shards "$d" 300 83 || fail_at "$LINENO"
    for k in 60000 240000; do
        h28_pad "$d/o1" "$d/o1-$k" "$k" "" ""
        set +e
        FOLIO_TEST_MERGE_SORT_BYTES=65536 /usr/bin/time -f '%M' -o "$d/rss-$k" \
            "$FOLIO" merge "$d/o1-$k" "$d/o2" --out "$d/m-$k" >/dev/null 2>"$d/m-$k.err"
        rc=$?; set -e
        cat "$d/m-$k.err"; echo "merge of 300 + $k households: peak RSS $(cat "$d/rss-$k") KB"
        [ "$rc" = 0 ] || [ "$rc" = 3 ] || fail_at "$LINENO"
        [ ! -e "$d/m-$k/.merge-work" ] || fail_at "$LINENO"
        # the same merge, the padded rows added, nothing else
        python3 - "$d/m0" "$d/m-$k" "$k" <<'PY' || fail_at "$LINENO"
import json, sys
a, b, k = sys.argv[1], sys.argv[2], int(sys.argv[3])
ca, cb = open(a + "/contact_history.csv").read(), open(b + "/contact_history.csv").read()
pad = "".join("~pad%08d,PAD,2026-11-01,,print,\n" % i for i in range(k))
assert cb == ca + pad, "contact history"
pa, pb = (json.load(open(x + "/proofs/proofs.json")) for x in (a, b))
assert pa["samples"] and pa["samples"] == pb["samples"], (pa["samples"], pb["samples"])
assert pb["households"] == pa["households"] + k, (pa["households"], pb["households"])
ma, mb = (json.load(open(x + "/manifest.json")) for x in (a, b))
assert ma["next_serial_start"] < 800000000 and mb["next_serial_start"] == 800000000 + k, mb
PY
    done
    if [ -n "${SANITIZER:-}" ]; then    # ASan's shadow and quarantine: not the program's
        echo "sanitizer build: resident size not checked"
    else
        m=$(( $(cat "$d/rss-240000") - $(cat "$d/rss-60000") ))
        echo "peak RSS difference: $m KB"
        [ "$m" -lt 6144 ] || fail_at "$LINENO"
        [ "$(cat "$d/rss-240000")" -lt 102400 ] || fail_at "$LINENO"
    fi
    # repeats across shards: one piece id of shard 2 again in shard 1, then
    # one IMb serial of shard 2 again in shard 1, among 60,000 padded pieces
    local id serial
    id=$(awk -F, 'NR == 2 {print $1; exit}' "$d"/o2/print/*.pieces.csv)
    serial=$(awk -F, 'NR == 2 {print $8; exit}' "$d"/o2/print/*.pieces.csv)
    [ -n "$id" ] && [ -n "$serial" ] || fail_at "$LINENO"
    h28_pad "$d/o1" "$d/o1-di" 60000 "$id" ""
    h28_pad "$d/o1" "$d/o1-ds" 60000 "" "$serial"
    for m in di ds; do
        set +e
        FOLIO_TEST_MERGE_SORT_BYTES=16384 "$FOLIO" merge "$d/o1-$m" "$d/o2" --out "$d/m-$m" \
            >/dev/null 2>"$d/m-$m.err"
        rc=$?; set -e
        cat "$d/m-$m.err"
        [ "$rc" = 1 ] || fail_at "$LINENO"
        [ ! -e "$d/m-$m/manifest.json" ] || fail_at "$LINENO"
        [ ! -e "$d/m-$m/.merge-work" ] || fail_at "$LINENO"
        python3 - "$d/m-$m/manifest.json.failed" "$m" "$d/o1-$m" "$d/o2" <<'PY' || fail_at "$LINENO"
import collections, csv, glob, json, sys
j = json.load(open(sys.argv[1]))
ids, serials = collections.Counter(), collections.Counter()
for d in sys.argv[3:]:
    for f in glob.glob(d + "/print/*.pieces.csv"):
        for r in csv.DictReader(open(f)):
            ids[r["piece_id"]] += 1
            serials[int(r["imb_serial"])] += 1
want = {"piece ids unique across shards": sum(v - 1 for v in ids.values()),
        "IMb serials unique across shards": sum(v - 1 for v in serials.values())}
got = {c["check"]: c["repeated"] for c in j["reconciliation"]["checks"] if c["check"] in want}
assert got == want, (got, want)
assert want["piece ids unique across shards" if sys.argv[2] == "di"
            else "IMb serials unique across shards"] == 1, want
PY
    done
}
run_test h28_merge_bound t_h28_merge_bound

# (2) the shard checks of round 27 ran only for a job file beside its
# shard.json: a shard's job copied out of its directory (feeds by absolute
# path), or a shard directory whose shard.json was removed, ran the
# shard's subset of households unchecked with exit 0.  Now a job reading a
# feed in DIR/feeds, DIR a shard's directory (shard.json) or one of a
# partition's (partition.json above it), is exit 2 naming the feed and the
# file; the whole job's own feeds and the shard's own job still run.
t_h28_shard_gaps() {
    local d="$WORK/h28sg" rc
    rm -rf "$d"; mkdir -p "$d"
    "$FOLIO" samples --households 60 --seed 85 --out "$d/f" >/dev/null
    "$FOLIO" partition "$d/f/job.yaml" --shards 2 --out "$d/p" >/dev/null
    sed "s#path: \"feeds/#path: \"$d/p/s01/feeds/#" "$d/p/s01/job.yaml" > "$d/copy.yaml"
    grep -q "$d/p/s01/feeds/customers.csv" "$d/copy.yaml" || fail_at "$LINENO"
    for a in "--shard 1/2" ""; do
        # shellcheck disable=SC2086
        rc=$(h27_run_rc "$d/copy.yaml" "$d/copy.err" $a --out "$d/oc")
        cat "$d/copy.err"
        [ "$rc" = 2 ] || fail_at "$LINENO"
        grep -q "copy.yaml:[0-9]*: feed '.*' is a feed of the partition shard $d/p/s01 " "$d/copy.err" || fail_at "$LINENO"
        [ ! -e "$d/oc/manifest.json" ] || fail_at "$LINENO"
    done
    cp -a "$d/p" "$d/p2"
    rm "$d/p2/s01/shard.json"
    rc=$(h27_run_rc "$d/p2/s01/job.yaml" "$d/ns.err" --shard 1/2 --out "$d/ons")
    cat "$d/ns.err"
    [ "$rc" = 2 ] || fail_at "$LINENO"
    grep -q "s01/shard.json is missing" "$d/ns.err" || fail_at "$LINENO"
    [ ! -e "$d/ons/manifest.json" ] || fail_at "$LINENO"
    rc=$(h27_run_rc "$d/p/s01/job.yaml" "$d/ok.err" --shard 1/2 --out "$d/ok")
    { [ "$rc" = 0 ] || [ "$rc" = 3 ]; } || { cat "$d/ok.err"; fail_at "$LINENO"; }
    rc=$(h27_run_rc "$d/f/job.yaml" "$d/whole.err" --out "$d/whole")
    { [ "$rc" = 0 ] || [ "$rc" = 3 ]; } || { cat "$d/whole.err"; fail_at "$LINENO"; }
    # (review) a full job cut into the directory above its own: its feeds
    # sit in X/dec/feeds beside X/partition.json, but dec is no shard (sNN)
    # of it: the full job still runs
    "$FOLIO" samples --households 60 --seed 85 --out "$d/x/dec" >/dev/null
    mkdir "$d/x/dec/feeds"; mv "$d"/x/dec/*.csv "$d/x/dec/feeds/"
    sed -i 's#^\(\s*path: \)\([^/]*\.csv\)$#\1feeds/\2#' "$d/x/dec/job.yaml"
    [ "$(grep -c 'path: feeds/' "$d/x/dec/job.yaml")" -ge 5 ] || fail_at "$LINENO"
    "$FOLIO" partition "$d/x/dec/job.yaml" --shards 2 --out "$d/x" >/dev/null
    [ -e "$d/x/partition.json" ] && [ -e "$d/x/s01/shard.json" ] || fail_at "$LINENO"
    rc=$(h27_run_rc "$d/x/dec/job.yaml" "$d/dec.err" --out "$d/odec")
    { [ "$rc" = 0 ] || [ "$rc" = 3 ]; } || { cat "$d/dec.err"; fail_at "$LINENO"; }
}
run_test h28_shard_gaps t_h28_shard_gaps

# (3) a shard's feeds/FILE.lines (its lines' numbers in the full feed,
# which merge numbers rejects.csv by) was covered by no digest: an edited
# map gave the merged rejects.csv the lines of other rows, with exit 3.
# Now partition.json records each map's size and SHA-256 and merge checks
# the map of every shard feed with rejects before it reads it: exit 2
# naming the file, no manifest.json.
t_h28_lines_digest() {
    local d="$WORK/h28ld" rc i
    rm -rf "$d"; mkdir -p "$d"
    "$FOLIO" samples --households 80 --seed 87 --with-errors --out "$d/f" >/dev/null
    "$FOLIO" partition "$d/f/job.yaml" --shards 2 --out "$d/p" >/dev/null
    python3 - "$d/p" <<'PY' || fail_at "$LINENO"
import hashlib, json, os, sys
p = sys.argv[1]; j = json.load(open(os.path.join(p, "partition.json")))
n = 0
for f in j["feeds"]:
    for s, rec in enumerate(f["shard_files"]):
        b = open(os.path.join(p, "s%02d" % (s + 1), "feeds", f["file"] + ".lines"), "rb").read()
        assert rec["lines_bytes"] == len(b) and rec["lines_sha256"] == hashlib.sha256(b).hexdigest()
        n += 1
assert n >= 4, n
PY
    for i in 1 2; do
        rc=$(h27_run_rc "$d/p/s0$i/job.yaml" "$d/r$i.err" --shard $i/2 --out "$d/o$i")
        [ "$rc" = 3 ] || [ "$rc" = 0 ] || { cat "$d/r$i.err"; fail_at "$LINENO"; }
    done
    set +e; "$FOLIO" merge "$d/o1" "$d/o2" --out "$d/m0" >/dev/null 2>"$d/m0.err"; rc=$?; set -e
    [ "$rc" = 3 ] || { cat "$d/m0.err"; fail_at "$LINENO"; }
    [ "$(wc -l < "$d/m0/rejects.csv")" -gt 1 ] || fail_at "$LINENO"
    # every map of a feed with rejects: two entries swapped (same size)
    python3 - "$d" <<'PY' || fail_at "$LINENO"
import csv, os, sys
d = sys.argv[1]; n = 0
for i in (1, 2):
    for r in csv.DictReader(open("%s/o%d/rejects.csv" % (d, i), encoding="utf-8", errors="surrogateescape")):
        p = "%s/p/s%02d/feeds/%s.lines" % (d, i, r["file"])
        b = bytearray(open(p, "rb").read())
        if len(b) >= 8 and b[:4] != b[4:8]:
            b[:4], b[4:8] = b[4:8], b[:4]
            open(p, "wb").write(bytes(b)); n += 1
assert n >= 1, n
PY
    set +e; "$FOLIO" merge "$d/o1" "$d/o2" --out "$d/m1" >/dev/null 2>"$d/m1.err"; rc=$?; set -e
    cat "$d/m1.err"
    [ "$rc" = 2 ] || fail_at "$LINENO"
    grep -q "\.lines: .*changed after the cut" "$d/m1.err" || fail_at "$LINENO"
    [ ! -e "$d/m1/manifest.json" ] || fail_at "$LINENO"
}
run_test h28_lines_digest t_h28_lines_digest

# (review of round 28) two merges into one OUT -- a retry started beside
# the first -- removed each other's .merge-work run files and both failed.
# Now a merge holds a flock on OUT: the second, started while the first is
# stopped in the middle (after its pieces' sort, at the frequency records),
# fails at once (exit 2, nothing of the first's touched); the first then
# completes, its ticket verified and its spill directory gone.
t_h28_merge_one_per_out() {
    local d="$WORK/h28one" rc rc1 pid
    rm -rf "$d"; mkdir -p "$d"
    two_shards "$d" 120 89 || fail_at "$LINENO"
    FOLIO_TEST_PHASES=1 FOLIO_TEST_STOP_AT=merge-rows \
        "$FOLIO" merge "$d/o1" "$d/o2" --out "$d/m" >/dev/null 2>"$d/first.err" &
    pid=$!
    wait_stopped "$pid" || fail_at "$LINENO"
    set +e; "$FOLIO" merge "$d/o1" "$d/o2" --out "$d/m" >/dev/null 2>"$d/second.err"; rc=$?; set -e
    cat "$d/second.err"
    kill -CONT "$pid"
    set +e; wait "$pid"; rc1=$?; set -e
    [ "$rc" = 2 ] || fail_at "$LINENO"
    grep -q "is in use by another folio merge" "$d/second.err" || fail_at "$LINENO"
    { [ "$rc1" = 0 ] || [ "$rc1" = 3 ]; } || { cat "$d/first.err"; fail_at "$LINENO"; }
    [ -e "$d/m/manifest.json" ] && [ ! -e "$d/m/.merge-work" ] || fail_at "$LINENO"
    "$FOLIO" verify "$d/m" >"$d/v.out" 2>&1 || { cat "$d/v.out"; fail_at "$LINENO"; }
    # the lock goes with the merge: a merge again into the same OUT runs
    set +e; "$FOLIO" merge "$d/o1" "$d/o2" --out "$d/m" >/dev/null 2>"$d/again.err"; rc=$?; set -e
    { [ "$rc" = 0 ] || [ "$rc" = 3 ]; } || { cat "$d/again.err"; fail_at "$LINENO"; }
}
run_test h28_merge_one_per_out t_h28_merge_one_per_out
