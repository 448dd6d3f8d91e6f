# SPDX-License-Identifier: Apache-2.0
# End-to-end tests of the round-24 review (r-audit) of round 23's code: the
# kept statements' work file (stmt-spool.c) on another file system and on a
# full one, and the record files written beside the print ring.
# Sourced by run.sh (uses its run_test, fail_at, $FOLIO, $WORK, $ROOT).

# Every file of two output trees is the same (report.html has timings and
# .folio.lock a PID: left out).
a24_same() {
    local a="$1" b="$2" f
    diff <(cd "$a" && find . -type f ! -name report.html ! -name .folio.lock | sort) \
         <(cd "$b" && find . -type f ! -name report.html ! -name .folio.lock | sort) || return 1
    while read -r f; do
        cmp -s "$a/$f" "$b/$f" || { echo "differs: $f"; return 1; }
    done < <(cd "$a" && find . -type f ! -name report.html ! -name .folio.lock)
}

# Nothing of a failed run in OUT: no manifest, no record file, no output,
# no .part file.
a24_nothing_published() {
    local o="$1" f
    [ ! -e "$o/manifest.json" ] || { echo "manifest published"; return 1; }
    for f in rejects.csv suppressed.csv audit.jsonl contact_history.csv exceptions.csv \
             report.html; do
        [ ! -e "$o/$f" ] || { echo "$f published"; return 1; }
    done
    [ -z "$(find "$o" -name '*.part' -o -name '*.tmp-*')" ] || { echo "leftovers"; return 1; }
    [ -z "$(find "$o/print" "$o/archive" "$o/proofs" -type f 2>/dev/null)" ] \
        || { echo "outputs left"; return 1; }
}

# --work on another file system (a tmpfs): the kept statements, audit and
# coverage spools live there; the outputs are the same bytes as with the
# default (OUT), and the work directory is left empty.  On a full one
# (a 160 KiB tmpfs; the kept statements alone are ~3 MB): exit 1 naming
# the work directory and ENOSPC, at 1 and 2 threads, nothing published.
t_audit24_work_fs() {
    local d="$WORK/a24-work" mnt="$WORK/a24-work/mnt" t rc
    rm -rf "$d"
    mkdir -p "$mnt"
    if ! mount -t tmpfs -o size=64m tmpfs "$mnt" 2>/dev/null; then
        echo "SKIP: cannot mount a tmpfs here (not root?)"; return 0
    fi
    umount "$mnt"
    "$FOLIO" samples --households 200 --seed 81 --out "$d" >/dev/null
    "$FOLIO" run "$d/job.yaml" --out "$d/ref" -j 2 --quiet || [ $? = 3 ]
    mount -t tmpfs -o size=64m tmpfs "$mnt"
    set +e
    "$FOLIO" run "$d/job.yaml" --out "$d/other" --work "$mnt/w" -j 2 --quiet; rc=$?
    set -e
    local left
    left=$(ls -A "$mnt/w" 2>/dev/null)
    umount "$mnt"
    [ "$rc" = 0 ] || [ "$rc" = 3 ] || fail_at "$LINENO"
    [ -z "$left" ] || { echo "left in the work directory: $left"; fail_at "$LINENO"; }
    a24_same "$d/ref" "$d/other" || fail_at "$LINENO"
    for t in 1 2; do
        mount -t tmpfs -o size=160k tmpfs "$mnt"
        set +e
        "$FOLIO" run "$d/job.yaml" --out "$d/o$t" --work "$mnt/w" -j $t --quiet 2>"$d/e$t"; rc=$?
        set -e
        umount "$mnt"
        echo "work on a full tmpfs, $t thread(s): rc $rc: $(tail -1 "$d/e$t")"
        [ "$rc" = 1 ] || fail_at "$LINENO"
        grep -q "$mnt/w: cannot write a work file: No space left on device" "$d/e$t" \
            || fail_at "$LINENO"
        a24_nothing_published "$d/o$t" || fail_at "$LINENO"
    done
    # the same OUT then takes a complete run
    "$FOLIO" run "$d/job.yaml" --out "$d/o2" -j 2 --quiet || [ $? = 3 ]
    a24_same "$d/ref" "$d/o2" || fail_at "$LINENO"
}

# r-audit finding R1: a disk that fills up after the print files, in the
# record files (a tmpfs sized from a reference run: print, archive and
# proofs fit, half the records do).  At 2 threads the records used to be
# written beside the print ring and take the space first, so the run named
# a print file or a record file by timing; now a disk without room for both
# gets the serial order: the same record file named at 1 and 2 threads,
# exit 1, ENOSPC, nothing published.
t_audit24_full_disk_same_file() {
    local d="$WORK/a24-fd" mnt="$WORK/a24-fd/mnt" t rc
    rm -rf "$d"
    mkdir -p "$mnt"
    if ! mount -t tmpfs -o size=64k tmpfs "$mnt" 2>/dev/null; then
        echo "SKIP: cannot mount a tmpfs here (not root?)"; return 0
    fi
    umount "$mnt"
    "$FOLIO" samples --households 200 --seed 45 --out "$d" >/dev/null
    "$FOLIO" run "$d/job.yaml" --out "$d/ref" --work "$d/wref" -j 1 --quiet || [ $? = 3 ]
    local kib
    kib=$(python3 - "$d/ref" <<'PY'
import glob, os, sys
o = sys.argv[1]
pg = lambda p: (os.path.getsize(p) + 4095) // 4096 * 4
g = lambda pat: sum(pg(p) for p in glob.glob(o + "/" + pat))
rec = sum(pg(o + "/" + f) for f in ("suppressed.csv", "audit.jsonl", "contact_history.csv"))
print(4 + g("rejects.csv") + g("print/*") + g("archive/*") + g("proofs/*") + rec // 2)
PY
)
    for t in 1 2; do
        mount -t tmpfs -o size=${kib}k tmpfs "$mnt"
        set +e
        "$FOLIO" run "$d/job.yaml" --out "$mnt/o" --work "$d/w$t" -j $t --quiet 2>"$d/e$t"; rc=$?
        set -e
        echo "full disk (${kib} KiB), $t thread(s): rc $rc: $(tail -1 "$d/e$t")"
        local bad=""
        [ "$rc" = 1 ] || bad="rc $rc"
        grep -q "No space left on device" "$d/e$t" || bad="$bad; ENOSPC not named"
        a24_nothing_published "$mnt/o" || bad="$bad; published"
        umount "$mnt"
        [ -z "$bad" ] || { echo "$t thread(s): $bad"; fail_at "$LINENO"; }
        grep -o "$mnt/o/[^:]*" "$d/e$t" | head -1 | sed "s#$mnt/o/##" > "$d/f$t"
    done
    echo "named: $(cat "$d/f1") / $(cat "$d/f2")"
    grep -Eq '^(suppressed\.csv|audit\.jsonl|contact_history\.csv)\.part$' "$d/f1" \
        || fail_at "$LINENO"
    cmp "$d/f1" "$d/f2" || fail_at "$LINENO"
}

run_test audit24_work_fs t_audit24_work_fs
run_test audit24_full_disk_same_file t_audit24_full_disk_same_file
