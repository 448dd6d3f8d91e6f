#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# perf/phase-rss.sh -- issue 12 part 1: where a run's resident memory goes,
# phase by phase.
#
#   perf/phase-rss.sh LOG FOLIO run JOB --out OUT [options...]
#
# Runs the command with FOLIO_TEST_PHASES=1 (folio prints "folio: phase
# NAME" on stderr as each phase starts) under /usr/bin/time -v, samples
# /proc/PID/status every 0.25 s into LOG, and prints per phase the highest
# sampled RSS, anonymous and file-backed RSS (a spilled run's tables and
# arrays are file-backed: mapped work files) and VmHWM (the peak so far,
# which also catches what happened between two samples) and the CPU seconds
# spent in it (user + system, from /proc/PID/stat), then CPU seconds and the
# peak RSS of the whole run.
set -eu
log=$1; shift
: > "$log"
rm -f "$log.pid"
( FOLIO_TEST_PHASES=1 bash -c 'echo $$ > "$0.pid"; exec /usr/bin/time -v -o "$0.time" "$@"' \
    "$log" "$@" 2> >(while IFS= read -r l; do echo "$(date +%s.%N) E $l"; done >> "$log") \
    >/dev/null ) &
sub=$!
pid=
for _ in $(seq 200); do            # /usr/bin/time's pid, then its child's
    [ -s "$log.pid" ] && pid=$(pgrep -n -P "$(cat "$log.pid")" || true)
    [ -n "$pid" ] && break
    sleep 0.02
done
while kill -0 $sub 2>/dev/null; do
    [ -n "$pid" ] && awk -v t="$(date +%s.%N)" -v c="$(awk '{print $14 + $15}' \
        "/proc/$pid/stat" 2>/dev/null)" '/^(VmRSS|RssAnon|RssFile|VmHWM):/{a=a" "$1$2}
        END{if(a!="")print t a " Cpu:" c}' "/proc/$pid/status" 2>/dev/null >> "$log" || true
    sleep 0.25
done
set +e
wait $sub
rc=$?
set -e
awk -v hz="$(getconf CLK_TCK)" '
/ E folio: phase / { ph = $NF; if (!(ph in seen)) { seen[ph] = 1; order[n++] = ph } next }
/VmHWM:/ {
    for (i = 2; i <= NF; i++) { split($i, kv, ":"); v[kv[1]] = kv[2] / 1024 }
    p = ph == "" ? "start" : ph
    if (!(p in seen)) { seen[p] = 1; order[n++] = p }
    if (v["VmRSS"] > rss[p]) rss[p] = v["VmRSS"]
    if (v["RssAnon"] > anon[p]) anon[p] = v["RssAnon"]
    if (v["RssFile"] > file[p]) file[p] = v["RssFile"]
    hwm[p] = v["VmHWM"]; ns[p]++
    c = v["Cpu"] * 1024 / hz          # clock ticks (values above were / 1024)
    if (p != lastp && lastp != "") cpu[lastp] += c - lastc
    else if (lastp != "") cpu[p] += c - lastc
    lastp = p; lastc = c
}
END {
    printf "%-12s %9s %9s %9s %9s %9s\n", "phase", "rss_MiB", "anon_MiB", "file_MiB", "hwm_MiB", "cpu_s"
    for (i = 0; i < n; i++) { p = order[i]
        if (ns[p]) printf "%-12s %9.1f %9.1f %9.1f %9.1f %9.1f\n", p, rss[p], anon[p], file[p], hwm[p], cpu[p]
        else printf "%-12s %9s %9s %9s %9s  (shorter than a sample)\n", p, "-", "-", "-", "-" }
}' "$log"
awk -F': ' '/User time/{u=$2} /System time/{s=$2} /Maximum resident/{m=$2}
    END{printf "cpu_s %.1f (user %.1f, sys %.1f), peak RSS %.1f MiB\n", u + s, u, s, m / 1024}' "$log.time"
exit $rc
