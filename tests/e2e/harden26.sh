# SPDX-License-Identifier: Apache-2.0
# r-harden (round 26): issue 12's known gaps (a stopped or killed folio
# partition, stale shard directories of an earlier cut, merge --out inside
# another run's OUT, the reason for attribute rows of rejected accounts)
# and attacks on round 25's new code.
# Sourced by run.sh (uses its run_test, wait_stopped, $FOLIO, $WORK, $ROOT).

# h26_part_at JOB DIR STEP SIG [args]: folio partition stopped (SIGSTOP,
# FOLIO_TEST_STOP_AT) at STEP, then sent SIG; prints its exit status.
h26_part_at() {
    local job="$1" dir="$2" step="$3" sig="$4" pid rc
    shift 4
    set +e
    FOLIO_TEST_PHASES=1 FOLIO_TEST_STOP_AT=$step \
        "$FOLIO" partition "$job" --out "$dir" "$@" >/dev/null 2>"$dir.err" &
    pid=$!
    set -e
    wait_stopped "$pid" >&2
    kill -"$sig" "$pid"; kill -CONT "$pid" 2>/dev/null || true
    set +e; wait "$pid"; rc=$?; set -e
    echo "$rc"
}

# (1) folio partition had no SIGTERM handler: a stopped partition died with
# half-cut shard feeds in DIR/sII.  Now it stops at its next check, removes
# its shard directories and exits 1 without partition.json.  (2) A killed
# partition (SIGKILL: no cleanup possible) rerun with fewer shards left the
# earlier cut's s05..s08 beside the new s01..s04: a merge or a glob over
# DIR/s*/ would mix two cuts.  Now the rerun removes every sII the
# unfinished partition left (DIR/.partition-incomplete), and refuses sII
# directories no partition left (exit 2) rather than remove them.
t_h26_partition_stop() {
    local d="$WORK/h26ps" rc s
    rm -rf "$d"
    "$FOLIO" samples --households 400 --seed 61 --out "$d/f" >/dev/null
    mkdir -p "$d"
    for step in partition-split partition-jobs; do
        rc=$(h26_part_at "$d/f/job.yaml" "$d/t-$step" $step TERM --shards 8)
        echo "SIGTERM at $step: rc $rc: $(tail -1 "$d/t-$step.err")"
        [ "$rc" = 1 ] || fail_at "$LINENO"
        grep -q "interrupted by signal 15" "$d/t-$step.err" || fail_at "$LINENO"
        [ ! -e "$d/t-$step/partition.json" ] || fail_at "$LINENO"
        [ -z "$(ls -A "$d/t-$step")" ] || { ls -laR "$d/t-$step"; fail_at "$LINENO"; }
    done
    # SIGKILL in the split of an 8-shard cut, then a 4-shard cut into DIR
    rc=$(h26_part_at "$d/f/job.yaml" "$d/k" partition-split KILL --shards 8)
    [ "$rc" = 137 ] || fail_at "$LINENO"
    [ -d "$d/k/s08/feeds" ] && [ ! -e "$d/k/partition.json" ] || fail_at "$LINENO"
    [ -e "$d/k/.partition-incomplete" ] || fail_at "$LINENO"
    "$FOLIO" partition "$d/f/job.yaml" --shards 4 --out "$d/k" >/dev/null
    [ "$(cd "$d/k" && echo s*)" = "s01 s02 s03 s04" ] || { ls "$d/k"; fail_at "$LINENO"; }
    [ -f "$d/k/partition.json" ] && [ ! -e "$d/k/.partition-incomplete" ] || fail_at "$LINENO"
    # the 4-shard cut equals one made in an empty directory
    "$FOLIO" partition "$d/f/job.yaml" --shards 4 --out "$d/clean" >/dev/null
    for s in 1 2 3 4; do
        diff -r "$d/clean/s0$s" "$d/k/s0$s" >/dev/null || fail_at "$LINENO"
    done
    # a complete partition stays: a second partition into DIR is refused
    set +e; "$FOLIO" partition "$d/f/job.yaml" --shards 2 --out "$d/k" 2>"$d/k2.err"; rc=$?; set -e
    [ "$rc" = 2 ] && [ -d "$d/k/s04" ] || fail_at "$LINENO"
    # sII directories that no partition left: refused, kept
    mkdir -p "$d/u/s07" && echo mine > "$d/u/s07/notes.txt"
    set +e; "$FOLIO" partition "$d/f/job.yaml" --shards 2 --out "$d/u" 2>"$d/u.err"; rc=$?; set -e
    cat "$d/u.err"
    [ "$rc" = 2 ] && grep -q "holds s07" "$d/u.err" && [ -f "$d/u/s07/notes.txt" ] || fail_at "$LINENO"
    # ... and with the mark, a file partition never writes is not removed either
    touch "$d/u/.partition-incomplete"
    set +e; "$FOLIO" partition "$d/f/job.yaml" --shards 2 --out "$d/u" 2>"$d/u2.err"; rc=$?; set -e
    cat "$d/u2.err"
    [ "$rc" = 2 ] && grep -q "s07/notes.txt: not written by folio partition" "$d/u2.err" || fail_at "$LINENO"
    [ -f "$d/u/s07/notes.txt" ] || fail_at "$LINENO"
}
run_test h26_partition_stop t_h26_partition_stop

# (3) folio merge --out inside another run's OUT (or OUT itself a run's
# OUT) was accepted: that run's next start removes what it does not know in
# OUT, and its manifest lists none of merge's files.  Now exit 2, no
# manifest written; a merge into its own earlier OUT is still a rerun.
t_h26_merge_out_in_run() {
    local d="$WORK/h26mo" rc i
    rm -rf "$d"
    "$FOLIO" samples --households 40 --seed 62 --out "$d/f" >/dev/null
    "$FOLIO" run "$d/f/job.yaml" --out "$d/full" --quiet || [ $? = 3 ]
    for i in 1 2; do "$FOLIO" run "$d/f/job.yaml" --shard $i/2 --out "$d/o$i" --quiet || [ $? = 3 ]; done
    for out in "$d/full/merged" "$d/full" "$d/full/print/x/y"; do
        set +e; "$FOLIO" merge "$d/o1" "$d/o2" --out "$out" 2>"$d/err"; rc=$?; set -e
        echo "merge --out $out: rc $rc: $(cat "$d/err")"
        [ "$rc" = 2 ] && grep -q "the output directory of another run" "$d/err" || fail_at "$LINENO"
        [ ! -e "$out/manifest.json" ] || [ "$out" = "$d/full" ] || fail_at "$LINENO"
    done
    "$FOLIO" verify "$d/full" >/dev/null || fail_at "$LINENO"
    set +e; "$FOLIO" merge "$d/o1" "$d/o2" --out "$d/m"; rc=$?; set -e
    [ "$rc" = 0 ] || [ "$rc" = 3 ] || fail_at "$LINENO"
    set +e; "$FOLIO" merge "$d/o1" "$d/o2" --out "$d/m"; rc=$?; set -e     # again: a rerun
    [ "$rc" = 0 ] || [ "$rc" = 3 ] || fail_at "$LINENO"
    "$FOLIO" verify "$d/m" >/dev/null || fail_at "$LINENO"
    # inside the merged OUT: refused too
    set +e; "$FOLIO" merge "$d/o1" "$d/o2" --out "$d/m/again" 2>"$d/err"; rc=$?; set -e
    [ "$rc" = 2 ] || fail_at "$LINENO"
}
run_test h26_merge_out_in_run t_h26_merge_out_in_run

# (4) An attribute row naming an account the run rejected at resolve (its
# owner unknown) said "unknown account_id 'X'", as if the account were not
# in the feeds at all; now "account 'X' rejected", as its transactions say.
# rejects.csv keeps its columns.
t_h26_attr_rejected_reason() {
    local d="$WORK/h26ar" rc
    rm -rf "$d"
    "$FOLIO" samples --households 20 --seed 7 --out "$d/f" >/dev/null
    python3 - "$d/f" <<'PY'
import sys
d = sys.argv[1] + "/"
job = open(d + "job.yaml").read()
job = job.replace("  - name: checking-transactions",
                  "  - name: acct-attrs\n    kind: account_attributes\n    path: acct_attrs.csv\n"
                  "    columns: {account_id: acct}\n    attributes:\n"
                  "      tier: {column: tier, type: string}\n  - name: checking-transactions", 1)
open(d + "job.yaml", "w").write(job)
rows = open(d + "checking_accounts.csv").read().splitlines()
r1, r2 = rows[1].split(","), rows[2].split(",")
r1[1] = "CNOPE"                            # owner unknown: rejected at resolve
rows[1] = ",".join(r1)
open(d + "checking_accounts.csv", "w").write("\n".join(rows) + "\n")
open(d + "acct_attrs.csv", "w").write("acct,tier\n%s,gold\n%s,silver\nZZZ,x\n" % (r1[0], r2[0]))
open(d + "ids", "w").write(r1[0])
PY
    set +e; "$FOLIO" run "$d/f/job.yaml" --out "$d/out" --quiet; rc=$?; set -e
    [ "$rc" = 3 ] || fail_at "$LINENO"
    python3 - "$d" "$(cat "$d/f/ids")" <<'PY'
import csv, sys
d, acct = sys.argv[1], sys.argv[2]
rows = list(csv.reader(open(d + "/out/rejects.csv", encoding="utf-8")))
assert rows[0] == ["file", "line", "column", "reason", "raw"], rows[0]
at = {r[1]: r for r in rows[1:] if r[0] == "acct_attrs.csv"}
assert at["2"][2:4] == ["acct", "account '%s' rejected" % acct], at
assert at["4"][3] == "unknown account_id 'ZZZ'", at
assert "3" not in at, at
own = [r for r in rows[1:] if r[0] == "checking_accounts.csv"]
assert len(own) == 1 and own[0][3] == "unknown customer_id 'CNOPE'", own
print("attr reject:", at["2"][3])
PY
}
run_test h26_attr_rejected_reason t_h26_attr_rejected_reason

# (5) A shard's OUT changed after the shard ran -- a print file deleted, a
# pieces file cut short, an archive zip gone, a record file edited -- was
# merged with exit 0: the merged manifest listed the files as they were at
# merge time, so `folio verify` of the merged directory passed for a
# mailing without them.  Now every file a shard's manifest lists must be
# in its OUT with the listed bytes and SHA-256 (report.html: its digest
# without the timings): exit 2 naming the shard and the file, no manifest.
t_h26_merge_shard_changed() {
    local d="$WORK/h26mc" rc i case
    rm -rf "$d"
    "$FOLIO" samples --households 60 --seed 63 --out "$d/f" >/dev/null
    "$FOLIO" partition "$d/f/job.yaml" --shards 2 --out "$d/p" >/dev/null
    for i in 1 2; do "$FOLIO" run "$d/p/s0$i/job.yaml" --shard $i/2 --out "$d/o$i" --quiet || [ $? = 3 ]; done
    "$FOLIO" merge "$d/o1" "$d/o2" --out "$d/m0" >/dev/null || [ $? = 3 ]
    "$FOLIO" verify "$d/m0" >/dev/null || fail_at "$LINENO"
    for case in 'rm "$x2"/print/*.pdf' \
                'f=$(ls "$x2"/print/*.pieces.csv | head -1); head -c 100 "$f" > "$f.t"; mv "$f.t" "$f"' \
                'rm "$x2"/archive/*.zip' \
                'echo "not json" >> "$x1/audit.jsonl"' \
                'sed -i "s/Harbor/Harbar/" "$x1/report.html"'; do
        rm -rf "$d/x1" "$d/x2" "$d/mx"
        cp -a "$d/o1" "$d/x1"; cp -a "$d/o2" "$d/x2"
        x1="$d/x1" x2="$d/x2" bash -c "$case"
        set +e; "$FOLIO" merge "$d/x1" "$d/x2" --out "$d/mx" 2>"$d/err" >/dev/null; rc=$?; set -e
        echo "[$case] rc $rc: $(cat "$d/err")"
        [ "$rc" = 2 ] || fail_at "$LINENO"
        grep -Eq "shard [12]: .*(missing, but the shard's manifest.json lists it|the file changed after the shard ran)" "$d/err" || fail_at "$LINENO"
        [ ! -e "$d/mx/manifest.json" ] || fail_at "$LINENO"
    done
}
run_test h26_merge_shard_changed t_h26_merge_shard_changed

# (6) folio partition cut a key column's value at 1,023 bytes (its key
# buffer) and a header name at 511: accounts whose ids share their first
# 1,023 bytes all went to the first one's shard, and a feed whose key
# column has a long header name went wholly to shard 1; the shards then
# rejected rows the unsharded run accepts (merge exit 3, not the
# unsharded statements).  Now the buffers are as long as the record: the
# merged run equals the unsharded one (check_scale.py).
t_h26_partition_long_keys() {
    local d="$WORK/h26lk" rc i
    rm -rf "$d"
    "$FOLIO" samples --households 30 --seed 31 --out "$d/f" >/dev/null
    python3 - "$d/f" <<'PY'
import csv, sys
d = sys.argv[1] + "/"
def load(p): return list(csv.reader(open(d + p, encoding="utf-8")))
def save(p, rows): csv.writer(open(d + p, "w", encoding="utf-8", newline=""), lineterminator="\n").writerows(rows)
acc, tx = load("checking_accounts.csv"), load("checking_transactions.csv")
new = {a[0]: "A" * 1100 + "%04d" % i for i, a in enumerate(acc[1:7])}
for r in acc[1:] + tx[1:]:
    r[0] = new.get(r[0], r[0])
tx.append(["NOPE"] + tx[1][1:])            # one row rejected (check_scale wants rejects)
save("checking_accounts.csv", acc); save("checking_transactions.csv", tx)
# the savings transactions' key column under a 600-byte header name
st = load("savings_transactions.csv")
long = "acct_" + "x" * 600
assert st[0][0] == "account_id", st[0]
st[0][0] = long
save("savings_transactions.csv", st)
job = open(d + "job.yaml").read()
i = job.index("path: savings_transactions.csv")
j = job.index("account_id: account_id", i)
job = job[:j] + "account_id: " + long + job[j + len("account_id: account_id"):]
open(d + "job.yaml", "w").write(job)
PY
    set +e; "$FOLIO" run "$d/f/job.yaml" --out "$d/full" --quiet; rc=$?; set -e
    [ "$rc" = 3 ] && [ "$(wc -l < "$d/full/rejects.csv")" = 2 ] || fail_at "$LINENO"
    "$FOLIO" partition "$d/f/job.yaml" --shards 3 --out "$d/p" >/dev/null
    for i in 1 2 3; do
        set +e; "$FOLIO" run "$d/p/s0$i/job.yaml" --shard $i/3 --out "$d/o$i" --quiet; rc=$?; set -e
        [ "$rc" = 0 ] || [ "$rc" = 3 ] || fail_at "$LINENO"
    done
    set +e; "$FOLIO" merge "$d/o1" "$d/o2" "$d/o3" --out "$d/m" >/dev/null; rc=$?; set -e
    [ "$rc" = 3 ] || fail_at "$LINENO"
    cmp "$d/full/rejects.csv" "$d/m/rejects.csv" || { cut -c1-120 "$d/m/rejects.csv" | head -5; fail_at "$LINENO"; }
    python3 "$ROOT/tests/e2e/check_scale.py" "$d/full" "$d/m" --text
}
run_test h26_partition_long_keys t_h26_partition_long_keys

# (7) folio partition cut records with a quote toggle of its own: a stray
# quote inside an unquoted field (`TV 55" screen`: the run rejects that row,
# "malformed quoting") opened a "quoted field" that ran to the next quote,
# so the rest of the transactions feed was glued to that row and went to
# its shard.  Every other shard's accounts lost their transactions (ledger
# differences, merge exit 1).  Now partition cuts records with the run's
# own scanner: the merged rejects equal the unsharded run's, in the slow
# path too.
t_h26_partition_stray_quote() {
    local d="$WORK/h26sq" rc i slow
    rm -rf "$d"
    "$FOLIO" samples --households 30 --seed 41 --out "$d/f" >/dev/null
    python3 - "$d/f/checking_transactions.csv" <<'PY'
import sys
p = sys.argv[1]
L = open(p).read().split("\n")
c = L[5].split(",")
c[2] = 'TV 55" screen'
L[5] = ",".join(c)
c = L[9].split(",")
c[2] = 'a "b" c'                       # quotes inside, none at a field's start
L[9] = ",".join(c)
open(p, "w").write("\n".join(L))
PY
    set +e; "$FOLIO" run "$d/f/job.yaml" --out "$d/full" --quiet 2>/dev/null; rc=$?; set -e
    [ "$rc" = 3 ] && [ "$(grep -c 'malformed quoting' "$d/full/rejects.csv")" = 2 ] || fail_at "$LINENO"
    for slow in "" 1; do
        rm -rf "$d/p" "$d"/o? "$d/m"
        FOLIO_TEST_PARTITION_SLOW=$slow "$FOLIO" partition "$d/f/job.yaml" --shards 3 --out "$d/p" >/dev/null
        python3 - "$d/p/partition.json" "$d/full/manifest.json" <<'PY'
import json, sys
f = [x for x in json.load(open(sys.argv[1]))["feeds"] if x["file"] == "checking_transactions.csv"][0]
r = [x for x in json.load(open(sys.argv[2]))["inputs"] if x["feed"] == "checking-transactions"][0]
assert f["records"] == r["rows"], (f, r)          # the records the run reads
assert min(f["per_shard"]) > 0, f
PY
        for i in 1 2 3; do
            set +e; "$FOLIO" run "$d/p/s0$i/job.yaml" --shard $i/3 --out "$d/o$i" --quiet 2>/dev/null; rc=$?; set -e
            [ "$rc" = 0 ] || [ "$rc" = 3 ] || fail_at "$LINENO"
        done
        set +e; "$FOLIO" merge "$d/o1" "$d/o2" "$d/o3" --out "$d/m" >/dev/null 2>&1; rc=$?; set -e
        [ "$rc" = 3 ] || fail_at "$LINENO"
        cmp "$d/full/rejects.csv" "$d/m/rejects.csv" || fail_at "$LINENO"
    done
}
run_test h26_partition_stray_quote t_h26_partition_stray_quote

# (8) Round 25's label check (src/disc-labels.c) let through the other
# invisible format characters (tag characters, interlinear annotation, the
# Mongolian vowel separator) and labels made only of characters that draw
# nothing (Hangul fillers, braille blank, joiners): with the layout's fonts
# they were empty boxes and a warning, exit 0, and with a font that has
# zero-width glyphs for them they hide or blank the approved wording.  Now a
# job error at the library's line, as for a zero-width space.
t_h26_disc_label_invisible() {
    local d="$WORK/h26dl" w pl
    for w in '"Saldo\U000E0041 nuevo"' '"\uFFFBSaldo nuevo"' '"\u180ESaldo"' \
             '"\u3164"' '"\u115F\u1160"' '"\u2800 \u200D"'; do
        dl_setup "$d" es
        pl=$(grep -n "id: disc-new_balance" "$d/paragraphs.yaml" | cut -d: -f1)
        h25_set_label "$d/paragraphs.yaml" "$w"
        disc_run "$d" 2
        cat "$d/err"
        grep -q "paragraphs.yaml:$pl:5: paragraph 'disc-new_balance' is a disclosure label: its 'es' wording must be one line of visible text" "$d/err" || fail_at "$LINENO"
        [ ! -e "$d/out/manifest.json" ] || fail_at "$LINENO"
    done
    # a variation selector after a letter, ZWJ in a word: still wording
    for w in '"Saldo nuevo\uFE0F"' '"Sal\u200Ddo"'; do
        dl_setup "$d" es
        h25_set_label "$d/paragraphs.yaml" "$w"
        disc_run "$d" 0
    done
}
run_test h26_disc_label_invisible t_h26_disc_label_invisible

# h26_part_try JOB DIR STEP [args]: folio partition with FOLIO_TEST_STOP_AT=
# STEP; if it stops there it is sent SIGTERM; prints its exit status (one
# that is refused before it cuts never stops).
h26_part_try() {
    local job="$1" dir="$2" step="$3" pid rc st i
    shift 3
    set +e
    FOLIO_TEST_PHASES=1 FOLIO_TEST_STOP_AT=$step \
        "$FOLIO" partition "$job" --out "$dir" "$@" >/dev/null 2>"$dir.err" &
    pid=$!
    for i in $(seq 1 6000); do
        st=$(awk '{print $3}' "/proc/$pid/stat" 2>/dev/null)
        [ "$st" = T ] && { kill -TERM "$pid"; kill -CONT "$pid"; break; }
        [ -z "$st" ] || [ "$st" = Z ] && break
        sleep 0.01
    done
    wait "$pid"; rc=$?
    set -e
    echo "$rc"
}

# (9) review of (1)/(2): an sII in DIR that is a symbolic link (or not a
# directory at all) was skipped by the check for stale shards; the
# partition then wrote its shard through the link and, stopped, removed
# job.yaml, shard.json and feeds/* of the link's TARGET.  Now such an sII
# is refused (exit 2) before anything is written, and removal never
# follows a link.
t_h26_partition_symlink() {
    local d="$WORK/h26sl" rc
    rm -rf "$d"
    "$FOLIO" samples --households 40 --seed 64 --out "$d/f" >/dev/null
    mkdir -p "$d/ext/feeds" "$d/P" "$d/Q" "$d/M"
    echo x > "$d/ext/feeds/keep.csv"; echo mine > "$d/ext/job.yaml"
    ln -s "$d/ext" "$d/P/s01"
    rc=$(h26_part_try "$d/f/job.yaml" "$d/P" partition-jobs --shards 2)
    echo "sII a symlink: rc $rc: $(cat "$d/P.err")"
    [ "$rc" = 2 ] && grep -q "s01: not a directory" "$d/P.err" || fail_at "$LINENO"
    [ "$(cat "$d/ext/feeds/keep.csv")" = x ] && [ "$(cat "$d/ext/job.yaml")" = mine ] || fail_at "$LINENO"
    [ "$(ls -A "$d/ext/feeds")" = keep.csv ] || fail_at "$LINENO"
    [ -L "$d/P/s01" ] && [ "$(ls -A "$d/P")" = s01 ] || { ls -la "$d/P"; fail_at "$LINENO"; }
    # a plain file named like a shard: refused the same way, kept
    echo mine > "$d/Q/s03"
    rc=$(h26_part_try "$d/f/job.yaml" "$d/Q" partition-jobs --shards 2)
    [ "$rc" = 2 ] && grep -q "s03: not a directory" "$d/Q.err" || fail_at "$LINENO"
    [ "$(ls -A "$d/Q")" = s03 ] && [ "$(cat "$d/Q/s03")" = mine ] || fail_at "$LINENO"
    # with the mark of a killed partition: a linked sII is not cleared either
    touch "$d/M/.partition-incomplete"
    ln -s "$d/ext" "$d/M/s02"
    rc=$(h26_part_try "$d/f/job.yaml" "$d/M" partition-jobs --shards 2)
    [ "$rc" = 2 ] && grep -q "s02: not a directory" "$d/M.err" || fail_at "$LINENO"
    [ "$(cat "$d/ext/feeds/keep.csv")" = x ] && [ "$(cat "$d/ext/job.yaml")" = mine ] || fail_at "$LINENO"
}
run_test h26_partition_symlink t_h26_partition_symlink

# (10) review of (3): any directory above merge's --out holding a file
# named manifest.json (a web app's) refused the merge.  Now only a run's
# .folio.lock or a manifest.json folio wrote ("generator": "folio ...")
# counts; --out itself holding a manifest.json folio did not write is
# still refused (merge would replace it).
t_h26_merge_foreign_manifest() {
    local d="$WORK/h26mf" rc i
    rm -rf "$d"
    "$FOLIO" samples --households 30 --seed 65 --out "$d/f" >/dev/null
    for i in 1 2; do "$FOLIO" run "$d/f/job.yaml" --shard $i/2 --out "$d/o$i" --quiet || [ $? = 3 ]; done
    mkdir -p "$d/proj" "$d/web"
    echo '{"name":"app"}' > "$d/proj/manifest.json"
    echo 'not json at all' > "$d/web/manifest.json"
    for out in "$d/proj/stmts/merged" "$d/web/m"; do
        set +e; "$FOLIO" merge "$d/o1" "$d/o2" --out "$out" >/dev/null 2>"$d/err"; rc=$?; set -e
        echo "merge --out $out: rc $rc: $(cat "$d/err")"
        [ "$rc" = 0 ] || [ "$rc" = 3 ] || fail_at "$LINENO"
        "$FOLIO" verify "$out" >/dev/null || fail_at "$LINENO"
    done
    [ "$(cat "$d/proj/manifest.json")" = '{"name":"app"}' ] || fail_at "$LINENO"
    # --out itself holding it: refused, the file kept
    set +e; "$FOLIO" merge "$d/o1" "$d/o2" --out "$d/proj" 2>"$d/err"; rc=$?; set -e
    cat "$d/err"
    [ "$rc" = 2 ] && grep -q "manifest.json that folio did not write" "$d/err" || fail_at "$LINENO"
    [ "$(cat "$d/proj/manifest.json")" = '{"name":"app"}' ] || fail_at "$LINENO"
    # a merged OUT above --out is folio's: still refused
    set +e; "$FOLIO" merge "$d/o1" "$d/o2" --out "$d/proj/stmts/merged/x" 2>"$d/err"; rc=$?; set -e
    [ "$rc" = 2 ] && grep -q "the output directory of another run" "$d/err" || fail_at "$LINENO"
}
run_test h26_merge_foreign_manifest t_h26_merge_foreign_manifest

# (11) review of (2): a second folio partition into a DIR another one was
# still cutting into took the first's sII (beside its .partition-incomplete)
# as left over and removed them under it.  Now a partition holds an
# exclusive lock (flock on DIR) while it cuts: the second exits 2, the
# first's shards untouched, and the first completes.
t_h26_partition_concurrent() {
    local d="$WORK/h26pc" rc pid step before
    rm -rf "$d"
    "$FOLIO" samples --households 200 --seed 66 --out "$d/f" >/dev/null
    "$FOLIO" partition "$d/f/job.yaml" --shards 4 --out "$d/clean" >/dev/null
    for step in partition-split partition-jobs; do
        rm -rf "$d/P"; mkdir -p "$d/P"
        set +e
        FOLIO_TEST_PHASES=1 FOLIO_TEST_STOP_AT=$step \
            "$FOLIO" partition "$d/f/job.yaml" --shards 4 --out "$d/P" >/dev/null 2>"$d/first.err" &
        pid=$!
        set -e
        wait_stopped "$pid"
        before=$(cd "$d/P" && find . -type f -exec md5sum {} + | sort)
        set +e; "$FOLIO" partition "$d/f/job.yaml" --shards 2 --out "$d/P" 2>"$d/second.err"; rc=$?; set -e
        echo "second partition at $step: rc $rc: $(cat "$d/second.err")"
        [ "$rc" = 2 ] && grep -q "another folio partition" "$d/second.err" || { kill -KILL "$pid"; fail_at "$LINENO"; }
        [ "$(cd "$d/P" && find . -type f -exec md5sum {} + | sort)" = "$before" ] || { kill -KILL "$pid"; fail_at "$LINENO"; }
        kill -CONT "$pid"
        set +e; wait "$pid"; rc=$?; set -e
        [ "$rc" = 0 ] && [ -f "$d/P/partition.json" ] || { cat "$d/first.err"; fail_at "$LINENO"; }
        for s in 1 2 3 4; do
            diff -r "$d/clean/s0$s" "$d/P/s0$s" >/dev/null || fail_at "$LINENO"
        done
    done
}
run_test h26_partition_concurrent t_h26_partition_concurrent

# (12) review of (2): clearing a killed partition's sII deleted its files in
# directory order and only then met one no partition writes (a shard's
# out/): exit 2 with the sII half removed.  Now every entry of every sII is
# checked first; one foreign file anywhere and nothing is removed.
t_h26_partition_clear_all_or_none() {
    local d="$WORK/h26cn" rc i before
    rm -rf "$d"
    "$FOLIO" samples --households 40 --seed 67 --out "$d/f" >/dev/null
    mkdir -p "$d/P/s01/feeds" "$d/P/s01/out" "$d/P/s02/feeds"
    touch "$d/P/.partition-incomplete"
    echo mine > "$d/P/s01/out/notes.txt"
    for i in $(seq 1 30); do
        echo x > "$d/P/s01/job.yaml.tmp-$i"; echo x > "$d/P/s01/feeds/f$i.csv"
        echo x > "$d/P/s02/shard.json.tmp-$i"; echo x > "$d/P/s02/feeds/g$i.csv"
    done
    echo x > "$d/P/s01/job.yaml"; echo x > "$d/P/s01/shard.json"
    before=$(cd "$d/P" && find . | sort)
    set +e; "$FOLIO" partition "$d/f/job.yaml" --shards 2 --out "$d/P" 2>"$d/err"; rc=$?; set -e
    echo "rc $rc: $(cat "$d/err")"
    [ "$rc" = 2 ] && grep -q "s01/out: not written by folio partition" "$d/err" || fail_at "$LINENO"
    [ "$(cd "$d/P" && find . | sort)" = "$before" ] || fail_at "$LINENO"
    # a foreign file inside feeds/ (a symbolic link): nothing removed either
    rm -rf "$d/P/s01/out"; ln -s "$d/f/job.yaml" "$d/P/s02/feeds/zlink.csv"
    before=$(cd "$d/P" && find . | sort)
    set +e; "$FOLIO" partition "$d/f/job.yaml" --shards 2 --out "$d/P" 2>"$d/err"; rc=$?; set -e
    [ "$rc" = 2 ] && grep -q "s02/feeds/zlink.csv: not written by folio partition" "$d/err" || fail_at "$LINENO"
    [ "$(cd "$d/P" && find . | sort)" = "$before" ] && [ -f "$d/f/job.yaml" ] || fail_at "$LINENO"
    # all partition's own: cleared, then the cut
    rm "$d/P/s02/feeds/zlink.csv"
    "$FOLIO" partition "$d/f/job.yaml" --shards 2 --out "$d/P" >/dev/null || fail_at "$LINENO"
    [ ! -e "$d/P/s01/job.yaml.tmp-1" ] && [ ! -e "$d/P/s02/feeds/g1.csv" ] || fail_at "$LINENO"
    [ -f "$d/P/partition.json" ] && [ ! -e "$d/P/.partition-incomplete" ] || fail_at "$LINENO"
}
run_test h26_partition_clear_all_or_none t_h26_partition_clear_all_or_none
