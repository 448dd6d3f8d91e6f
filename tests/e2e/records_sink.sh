# SPDX-License-Identifier: Apache-2.0
# issue 11 (r-records): the record files and the pieces files are sinks
# (src/sink-records.c, src/sink-pieces.c).  A sink whose write fails
# mid-run -- injected by a preloaded write(2) that fails the Nth write to
# one file (written here) -- fails the run: exit 1 naming the file, no
# manifest, no record file published, no .part left (the ring aborts every
# sink, each abort removes its file).

rs_shim() {   # rs_shim DIR: DIR/shim.so
    cat >"$1/shim.c" <<'C'
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
static int seen;
ssize_t write(int fd, const void *b, size_t n)
{
    static ssize_t (*real)(int, const void *, size_t);
    if (!real)
        real = (ssize_t (*)(int, const void *, size_t))dlsym(RTLD_NEXT, "write");
    const char *want = getenv("RS_FAIL"), *mark = getenv("RS_MARK");
    const char *nth = getenv("RS_NTH");
    if (want && mark && fd > 2) {
        char l[64], p[4096];
        snprintf(l, sizeof l, "/proc/self/fd/%d", fd);
        ssize_t k = readlink(l, p, sizeof p - 1);
        size_t w = strlen(want);
        if (k > 0 && (size_t)k >= w && !memcmp(p + k - w, want, w) &&
            __atomic_add_fetch(&seen, 1, __ATOMIC_SEQ_CST) == atoi(nth ? nth : "1")) {
            close(open(mark, O_CREAT | O_WRONLY, 0644));
            errno = EIO;
            return -1;
        }
    }
    return real(fd, b, n);
}
C
    cc -shared -fPIC -o "$1/shim.so" "$1/shim.c" -ldl
}

# rs_fail DIR JOB FILE NTH THREADS: run with the NTH write to FILE failed;
# checks exit 1, the message, nothing published, nothing left
rs_fail() {
    local d="$1" job="$2" file="$3" nth="$4" t="$5" out="$1/o-$3-$5" rc
    rm -rf "$out" "$d/mark"
    set +e
    ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}verify_asan_link_order=0" \
    LD_PRELOAD="$d/shim.so" RS_FAIL="/$file.part" RS_NTH="$nth" RS_MARK="$d/mark" \
        "$FOLIO" run "$job" --out "$out" --threads "$t" --quiet 2>"$d/err"
    rc=$?
    set -e
    echo "$file, write $nth failed, $t threads: rc $rc: $(tail -1 "$d/err")"
    [ -e "$d/mark" ] || { echo "the write was not failed: the file is smaller?"; exit 1; }
    [ "$rc" = 1 ] || fail_at "$LINENO"
    grep -q "$file.part: write failed: Input/output error" "$d/err" || fail_at "$LINENO"
    [ ! -e "$out/manifest.json" ] || fail_at "$LINENO"
    local f
    for f in audit.jsonl suppressed.csv contact_history.csv statement_history.csv \
             not_due.csv exceptions.csv rejects.csv; do
        [ ! -e "$out/$f" ] || { echo "$f published"; exit 1; }
    done
    [ -z "$(find "$out" -name '*.part')" ] || { find "$out" -name '*.part'; fail_at "$LINENO"; }
    [ -z "$(find "$out/print" "$out/archive" "$out/proofs" -type f 2>/dev/null)" ] ||
        fail_at "$LINENO"
}

t_records_sink_fails() {
    local d="$WORK/rsink"
    mkdir -p "$d"
    rs_shim "$d"
    "$FOLIO" samples --households 1500 --seed 3 --journey --out "$d/s" >/dev/null
    # the reference run: audit.jsonl is written in more than one write (256 KiB
    # buffer), so its second write is in the middle of the households
    "$FOLIO" run "$d/s/job.yaml" --out "$d/ref" --quiet || [ $? = 3 ]
    [ "$(stat -c %s "$d/ref/audit.jsonl")" -gt 2000000 ] || fail_at "$LINENO"
    [ -e "$d/ref/statement_history.csv" ] || fail_at "$LINENO"
    local t
    for t in 1 2; do                    # 2: on the records thread, beside the print
        rs_fail "$d" "$d/s/job.yaml" audit.jsonl 2 "$t"
        rs_fail "$d" "$d/s/job.yaml" contact_history.csv 1 "$t"
        rs_fail "$d" "$d/s/job.yaml" statement_history.csv 1 "$t"
        # a pieces file (written at its print file's close)
        rs_fail "$d" "$d/s/job.yaml" statements-letters-0001.pieces.csv 1 "$t"
    done
}
run_test records_sink_fails t_records_sink_fails
