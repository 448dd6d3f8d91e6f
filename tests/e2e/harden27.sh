# SPDX-License-Identifier: Apache-2.0
# r-harden (round 27): issue 12's robustness items left from round 26's
# review -- a shard run checks its partition; the print writer's large-file
# limit; merge's memory; attacks on the partition / merge / verify path.
# Sourced by run.sh (uses its run_test, fail_at, $FOLIO, $WORK, $ROOT).

# h27_run_rc JOB ERRFILE [args]: folio run's exit status (output discarded)
h27_run_rc() {
    local job="$1" ef="$2" rc
    shift 2
    set +e; "$FOLIO" run "$job" --quiet "$@" >/dev/null 2>"$ef"; rc=$?; set -e
    echo "$rc"
}

# (1) `folio run` on a shard's job ran whatever feeds it found: a shard feed
# edited, truncated or swapped with another shard's, a job pointing at
# another partition's feeds, a partition killed half way, a shard run as
# another --shard: each mailed a different set with exit 0 or 3.  Now each
# is exit 2 naming the file, before anything is written.
t_h27_shard_checks() {
    local d="$WORK/h27sc" rc f
    rm -rf "$d"; mkdir -p "$d"
    "$FOLIO" samples --households 300 --seed 71 --out "$d/f" >/dev/null
    "$FOLIO" partition "$d/f/job.yaml" --shards 3 --out "$d/p" >/dev/null
    # the cut as it was: runs (0 or 3), and the same cut again is the same bytes
    rc=$(h27_run_rc "$d/p/s02/job.yaml" "$d/ok.err" --shard 2/3 --out "$d/o2")
    { [ "$rc" = 0 ] || [ "$rc" = 3 ]; } || { cat "$d/ok.err"; fail_at "$LINENO"; }
    [ -f "$d/o2/manifest.json" ] || fail_at "$LINENO"
    grep -q '"shard_files"' "$d/p/partition.json" || fail_at "$LINENO"
    # partition.json's digests are the shard files' (sha256sum recomputes)
    python3 - "$d/p" <<'PY' || fail_at "$LINENO"
import hashlib, json, os, sys
p = sys.argv[1]; j = json.load(open(os.path.join(p, "partition.json")))
for f in j["feeds"]:
    for s, rec in enumerate(f["shard_files"]):
        b = open(os.path.join(p, "s%02d" % (s + 1), "feeds", f["file"]), "rb").read()
        assert rec["bytes"] == len(b) and rec["sha256"] == hashlib.sha256(b).hexdigest(), (f, s)
for s in range(j["shards"]):
    sj = json.load(open(os.path.join(p, "s%02d" % (s + 1), "shard.json")))
    assert sj == {"index": s + 1, "count": j["shards"], "partition": j["id"]}, sj
PY
    cp -a "$d/p" "$d/clean"
    f=checking_transactions.csv
    [ -s "$d/p/s02/feeds/$f" ] || fail_at "$LINENO"
    # a shard's feed truncated
    truncate -s -200 "$d/p/s02/feeds/$f"
    rc=$(h27_run_rc "$d/p/s02/job.yaml" "$d/t.err" --shard 2/3 --out "$d/ot"); cat "$d/t.err"
    [ "$rc" = 2 ] && grep -q "s02/feeds/$f: .*partition.json records" "$d/t.err" || fail_at "$LINENO"
    [ ! -e "$d/ot/manifest.json" ] || fail_at "$LINENO"
    # ... edited in place, same size
    cp "$d/clean/s02/feeds/$f" "$d/p/s02/feeds/$f"
    python3 - "$d/p/s02/feeds/$f" <<'PY'
import sys
b = bytearray(open(sys.argv[1], "rb").read()); i = b.rindex(b"1"); b[i:i + 1] = b"2"
open(sys.argv[1], "wb").write(b)
PY
    rc=$(h27_run_rc "$d/p/s02/job.yaml" "$d/e.err" --shard 2/3 --out "$d/ot"); cat "$d/e.err"
    [ "$rc" = 2 ] && grep -q "s02/feeds/$f: .*SHA-256" "$d/e.err" || fail_at "$LINENO"
    # ... swapped with another shard's
    cp "$d/clean/s01/feeds/$f" "$d/p/s02/feeds/$f"
    rc=$(h27_run_rc "$d/p/s02/job.yaml" "$d/s.err" --shard 2/3 --out "$d/ot"); cat "$d/s.err"
    [ "$rc" = 2 ] && grep -q "s02/feeds/$f" "$d/s.err" || fail_at "$LINENO"
    cp "$d/clean/s02/feeds/$f" "$d/p/s02/feeds/$f"
    # the job file pointing at another partition's feeds (the same cut again)
    "$FOLIO" partition "$d/f/job.yaml" --shards 3 --out "$d/q" >/dev/null
    cp "$d/p/s02/job.yaml" "$d/job.keep"
    sed -i "s|feeds/$f|$d/q/s02/feeds/$f|" "$d/p/s02/job.yaml"
    grep -q "$d/q/s02/feeds/$f" "$d/p/s02/job.yaml" || fail_at "$LINENO"
    rc=$(h27_run_rc "$d/p/s02/job.yaml" "$d/j.err" --shard 2/3 --out "$d/ot"); cat "$d/j.err"
    [ "$rc" = 2 ] && grep -q "job.yaml:[0-9]*: feed .* reads $d/q/s02/feeds/$f, not this shard's" \
        "$d/j.err" || fail_at "$LINENO"
    cp "$d/job.keep" "$d/p/s02/job.yaml"
    # a feed left out of the shard's job
    python3 - "$d/p/s02/job.yaml" <<'PY'
import sys, yaml
j = yaml.safe_load(open(sys.argv[1])); j["feeds"] = [x for x in j["feeds"] if "checking_transactions" not in x["path"]]
yaml.safe_dump(j, open(sys.argv[1], "w"))
PY
    rc=$(h27_run_rc "$d/p/s02/job.yaml" "$d/m.err" --shard 2/3 --out "$d/ot"); cat "$d/m.err"
    [ "$rc" = 2 ] && grep -q "feed(s), but the partition in .* has" "$d/m.err" || fail_at "$LINENO"
    cp "$d/job.keep" "$d/p/s02/job.yaml"
    # a shard directory of another cut (another seed) put in this partition
    "$FOLIO" samples --households 300 --seed 72 --out "$d/g" >/dev/null
    "$FOLIO" partition "$d/g/job.yaml" --shards 3 --out "$d/r" >/dev/null
    rm -rf "$d/p/s03"; cp -a "$d/r/s03" "$d/p/s03"
    rc=$(h27_run_rc "$d/p/s03/job.yaml" "$d/c.err" --shard 3/3 --out "$d/ot"); cat "$d/c.err"
    [ "$rc" = 2 ] && grep -q "comes from another cut" "$d/c.err" || fail_at "$LINENO"
    rm -rf "$d/p/s03"; cp -a "$d/clean/s03" "$d/p/s03"
    # another --shard, or none
    rc=$(h27_run_rc "$d/p/s02/job.yaml" "$d/i.err" --shard 1/3 --out "$d/ot"); cat "$d/i.err"
    [ "$rc" = 2 ] && grep -q "not --shard 1/3" "$d/i.err" || fail_at "$LINENO"
    rc=$(h27_run_rc "$d/p/s02/job.yaml" "$d/n.err" --out "$d/ot"); cat "$d/n.err"
    [ "$rc" = 2 ] && grep -q "run it with --shard 2/3" "$d/n.err" || fail_at "$LINENO"
    # an unfinished partition (the mark of a killed cut), or none at all
    touch "$d/p/.partition-incomplete"
    rc=$(h27_run_rc "$d/p/s02/job.yaml" "$d/k.err" --shard 2/3 --out "$d/ot"); cat "$d/k.err"
    [ "$rc" = 2 ] && grep -q "partition-incomplete: the folio partition into .* did not finish" \
        "$d/k.err" || fail_at "$LINENO"
    rm "$d/p/.partition-incomplete"; mv "$d/p/partition.json" "$d/pj.keep"
    rc=$(h27_run_rc "$d/p/s02/job.yaml" "$d/x.err" --shard 2/3 --out "$d/ot"); cat "$d/x.err"
    [ "$rc" = 2 ] && grep -q "partition.json: No such file" "$d/x.err" || fail_at "$LINENO"
    mv "$d/pj.keep" "$d/p/partition.json"
    [ ! -e "$d/ot/manifest.json" ] || fail_at "$LINENO"
    # restored, the shard runs again, the same bytes as the first time
    rc=$(h27_run_rc "$d/p/s02/job.yaml" "$d/ok2.err" --shard 2/3 --out "$d/o2b")
    { [ "$rc" = 0 ] || [ "$rc" = 3 ]; } || { cat "$d/ok2.err"; fail_at "$LINENO"; }
    for f in $(cd "$d/o2/print" && ls); do cmp "$d/o2/print/$f" "$d/o2b/print/$f"; done
}
run_test h27_shard_checks t_h27_shard_checks

# h27_fails_unpublished VAR=VALUE JOB OUT PATTERN: `folio run JOB` with the
# test hook VAR set exits 1 with PATTERN in its message and publishes
# nothing (no manifest.json, no PDF, not even a .part)
h27_fails_unpublished() {
    local hook="$1" job="$2" out="$3" pat="$4" rc
    set +e; env "$hook" "$FOLIO" run "$job" --out "$out" --quiet 2>"$out.err"; rc=$?; set -e
    cat "$out.err"
    [ "$rc" = 1 ] && grep -q "$pat" "$out.err" || return 1
    [ ! -e "$out/manifest.json" ] && [ -z "$(find "$out" -name '*.pdf*' 2>/dev/null)" ] \
        || { find "$out"; return 1; }
}

# (2) A print PDF past 4 GiB failed as "internal error: short write of the
# file": libharu's stream size, the xref offsets and startxref are 32-bit.
# The writer now keeps offsets in 64 bits (pdf-stream.c), up to the 10
# digits an xref entry holds; past 9,999,999,999 bytes it fails naming the
# limit and output.print.max_sheets.  FOLIO_TEST_PDF_HOLE=N leaves N NUL
# bytes (PDF white space) after the first page as a hole in a sparse file,
# so the rest of the file lies past 2^32 without writing 4 GiB.
t_h27_print_4g() {
    local d="$WORK/h27pg" rc f
    rm -rf "$d"; mkdir -p "$d"
    "$FOLIO" samples --households 20 --seed 5 --out "$d/f" >/dev/null
    printf '  proofs:\n    enabled: false\n' >> "$d/f/job.yaml"
    "$FOLIO" run "$d/f/job.yaml" --out "$d/o0" --quiet
    set +e
    FOLIO_TEST_PDF_HOLE=4294967000 "$FOLIO" run "$d/f/job.yaml" --out "$d/o1" --quiet 2>"$d/o1.err"
    rc=$?; set -e
    cat "$d/o1.err"
    [ "$rc" = 0 ] || fail_at "$LINENO"
    f=$(cd "$d/o1/print" && ls *.pdf)
    [ "$(echo "$f" | wc -l)" = 1 ] || fail_at "$LINENO"
    [ "$(stat -c %s "$d/o1/print/$f")" -gt 4294967296 ] || fail_at "$LINENO"
    qpdf --check "$d/o1/print/$f" >"$d/qpdf.out" 2>&1 || { cat "$d/qpdf.out"; fail_at "$LINENO"; }
    # every in-use xref entry points at its own "N 0 obj", some past 2^32,
    # and startxref at the table
    python3 - "$d/o1/print/$f" <<'PY' || fail_at "$LINENO"
import os, re, sys
f = open(sys.argv[1], "rb"); size = os.path.getsize(sys.argv[1])
f.seek(size - 64); tail = f.read()
sx = int(re.search(rb"startxref\n(\d+)\n%%EOF", tail).group(1))
f.seek(sx); head = f.read(64)
m = re.match(rb"xref\n0 (\d+)\n", head); assert m, head
n = int(m.group(1)); f.seek(sx + m.end()); rows = f.read(20 * n)
high = 0
for i in range(n):
    r = rows[20 * i:20 * i + 20]
    off, typ = int(r[:10]), r[17:18]
    if typ != b"n":
        continue
    f.seek(off); got = f.read(24)
    assert got.startswith(b"%d 0 obj" % i), (i, off, got)
    high += off > 1 << 32
assert high > 10 and sx > 1 << 32, (high, sx)
print("xref: %d entries, %d past 4 GiB, startxref %d" % (n, high, sx))
PY
    # the same pages and text as the run without the hole
    qpdf "$d/o1/print/$f" --pages "$d/o1/print/$f" 1-z -- "$d/compact.pdf"
    pdftotext "$d/compact.pdf" "$d/a.txt"; pdftotext "$d/o0/print/$f" "$d/b.txt"
    cmp "$d/a.txt" "$d/b.txt" || fail_at "$LINENO"
    [ "$(qpdf --show-npages "$d/o1/print/$f")" = "$(qpdf --show-npages "$d/o0/print/$f")" ] \
        || fail_at "$LINENO"
    "$FOLIO" verify "$d/o1" >/dev/null || fail_at "$LINENO"
    # past the xref's 10 digits: exit 1, named, nothing published
    h27_fails_unpublished FOLIO_TEST_PDF_HOLE=9999999990 "$d/f/job.yaml" "$d/o2" \
        "9,999,999,999 bytes.*output.print.max_sheets" || fail_at "$LINENO"
}
run_test h27_print_4g t_h27_print_4g

# (2b) Print files libharu saves whole (PDF/VT; reused files) keep its
# 32-bit offsets: past 4 GiB they were written with a wrapped xref and exit
# 0.  Now such a file fails the run naming the limit and max_sheets (exit
# 1, nothing published).  FOLIO_TEST_PDF_WHOLE_LIMIT=N lowers the limit so
# a small file stands in for 4 GiB; without it the same job publishes.
t_h27_whole_4g() {
    local d="$WORK/h27wg"
    rm -rf "$d"; mkdir -p "$d"
    "$FOLIO" samples --households 20 --seed 5 --out "$d/f" >/dev/null
    sed -i -e 's/^    prefix: statements$/&\n    pdf_profile: pdfvt/' "$d/f/job.yaml"
    grep -q 'pdf_profile: pdfvt' "$d/f/job.yaml" || fail_at "$LINENO"
    "$FOLIO" run "$d/f/job.yaml" --out "$d/o0" --quiet || fail_at "$LINENO"
    [ -f "$d/o0/manifest.json" ] || fail_at "$LINENO"
    h27_fails_unpublished FOLIO_TEST_PDF_WHOLE_LIMIT=20000 "$d/f/job.yaml" "$d/o1" \
        "cannot pass 4 GiB.*output.print.max_sheets" || fail_at "$LINENO"
}
run_test h27_whole_4g t_h27_whole_4g

# two_shards DIR HOUSEHOLDS SEED: samples cut in 2 shards (DIR/p), each
# run (DIR/o1, DIR/o2, exit 0 or 3) and merged (DIR/m0, exit 0 or 3)
two_shards() {
    local d="$1" rc i
    # (called with ||, where set -e does not hold: each step checked)
    "$FOLIO" samples --households "$2" --seed "$3" --out "$d/f" >/dev/null || return 1
    "$FOLIO" partition "$d/f/job.yaml" --shards 2 --out "$d/p" >/dev/null || return 1
    for i in 1 2; do
        set +e; "$FOLIO" run "$d/p/s0$i/job.yaml" --shard $i/2 --out "$d/o$i" --quiet 2>/dev/null; rc=$?; set -e
        [ "$rc" = 0 ] || [ "$rc" = 3 ] || { echo "shard $i: exit $rc"; return 1; }
    done
    set +e; "$FOLIO" merge "$d/o1" "$d/o2" --out "$d/m0" >/dev/null 2>&1; rc=$?; set -e
    [ "$rc" = 0 ] || [ "$rc" = 3 ] || { echo "merge: exit $rc"; return 1; }
}

# (3) folio merge read each shard's audit.jsonl whole (and kept every
# household's print file name and coverage keys as text of its own): its
# memory grew with the largest shard's audit (2.2 KB a household), ~1 KB a
# household in all.  Here one shard's audit.jsonl gets 150 MB of lines
# without coverage (its manifest's size and digest updated to match): the
# merge's peak RSS stays below 100 MB (it was above 150 MB) and the proof
# sample is the same.
t_h27_merge_memory() {
    local d="$WORK/h27mm" rc i m
    rm -rf "$d"; mkdir -p "$d"
    two_shards "$d" 400 73 || fail_at "$LINENO"
    cp -a "$d/o1" "$d/o1b"
    python3 - "$d/o1b" <<'PY'
import hashlib, os, re, sys
d = sys.argv[1]; a = os.path.join(d, "audit.jsonl")
old = open(a, "rb").read()
pad = b'{"note":"' + b"x" * 1000 + b'"}\n'
with open(a, "ab") as f:
    for _ in range(150000):
        f.write(pad)
new = open(a, "rb").read()
m = open(os.path.join(d, "manifest.json")).read()
o, n = hashlib.sha256(old).hexdigest(), hashlib.sha256(new).hexdigest()
assert o in m, "audit.jsonl's digest not in the manifest"
m = m.replace(o, n)
m, k = re.subn(r'("file":"audit.jsonl",(?:"rows":\d+,)?"bytes":)%d' % len(old), r"\g<1>%d" % len(new), m)
assert k >= 1, "audit.jsonl's size not in the manifest"
open(os.path.join(d, "manifest.json"), "w").write(m)
PY
    set +e
    /usr/bin/time -f '%M' -o "$d/rss" "$FOLIO" merge "$d/o1b" "$d/o2" --out "$d/m1" >/dev/null 2>"$d/m1.err"
    rc=$?; set -e
    cat "$d/m1.err"; echo "merge peak RSS $(cat "$d/rss") KB"
    [ "$rc" = 0 ] || [ "$rc" = 3 ] || fail_at "$LINENO"
    if [ -n "${SANITIZER:-}" ]; then    # ASan's shadow and quarantine dwarf 100 MB
        echo "sanitizer build: resident size not checked"
    else
        [ "$(cat "$d/rss")" -lt 102400 ] || fail_at "$LINENO"
    fi
    python3 - "$d/m0/proofs/proofs.json" "$d/m1/proofs/proofs.json" <<'PY' || fail_at "$LINENO"
import json, sys
a, b = (json.load(open(p)) for p in sys.argv[1:3])
assert a["samples"] and a == b, (a, b)
PY
    cmp "$d/m0/contact_history.csv" "$d/m1/contact_history.csv" || fail_at "$LINENO"
}
run_test h27_merge_memory t_h27_merge_memory
