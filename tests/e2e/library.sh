# SPDX-License-Identifier: Apache-2.0
# tests/e2e/library.sh -- issue 11 part 3: the library never prints, never
# exits, installs no signal handler and does not tune the allocator: those
# are the program's (src/cli-*.c).  Checked on the objects as built: no
# library object (build/obj/*.o but cli-*.o) references stdout/stderr, the
# functions that print to them, exit or abort, signal/sigaction or mallopt.
# (fprintf/fputc to a FILE the caller gives -- verify's report, afpdump's
# listing -- stay allowed: the caller chooses where they go.)
# Sourced by tests/e2e/run.sh (FOLIO, WORK, ROOT, fail_at).

LIB_FORBIDDEN='stdout|stderr|printf|__printf_chk|vprintf|__vprintf_chk|puts|putchar|perror|exit|_exit|_Exit|quick_exit|abort|signal|bsd_signal|sysv_signal|__sysv_signal|sigaction|sigset|mallopt'

t_library_no_cli_symbols() {
    local obj n=0 bad="" objs=()
    local dir; dir="$(dirname "$FOLIO")/obj"
    [ -d "$dir" ] || { echo "no objects in $dir"; exit 1; }
    for obj in "$dir"/*.o; do
        case "${obj##*/}" in cli-*) continue ;; esac
        n=$((n + 1)); objs+=("$obj")
    done
    # one nm for all objects (-A: "FILE: U SYMBOL" lines), not one per
    # object: 128 nm processes took 14 s of CPU, one takes 0.4 s
    bad=$(nm -u -A "${objs[@]}" | awk -v re="^($LIB_FORBIDDEN)(@.*)?\$" '
        $NF ~ re { f = $1; sub(/:$/, "", f); n = split(f, p, "/"); h[p[n]] = h[p[n]] " " $NF }
        END { for (o in h) printf "\n  %s:%s ", o, h[o] }')
    echo "$n library objects checked"
    [ "$n" -gt 100 ] || { echo "too few library objects: $n"; exit 1; }
    # the check can see such a reference: the CLI's objects have them
    nm -u "$dir/cli-process.o" | grep -qw sigaction || fail_at "$LINENO"
    nm -u "$dir/cli-process.o" | grep -qw mallopt || fail_at "$LINENO"
    nm -u "$dir/cli-run.o" | grep -qw stderr || fail_at "$LINENO"
    [ -z "$bad" ] || { echo "library objects that print, exit or touch signals/allocator:$bad"; exit 1; }
}
run_test library_no_cli_symbols t_library_no_cli_symbols

# issue 11 part 1: a sink sees display lists (dlist.h) and its own options,
# never the feeds, households, job or composition: the include closure of
# every src/sink-*.c (cc -MM; -MG so no library's headers are needed) names
# none of those headers.
t_sink_includes() {
    local f n=0 bad=""
    for f in "$ROOT"/src/sink-*.c; do
        n=$((n + 1))
        local deps hits
        deps=$(cd "$ROOT" && cc -std=c11 -D_GNU_SOURCE -Iinclude -Isrc -MM -MG "src/${f##*/}") ||
            { echo "cc -MM failed on $f"; exit 1; }
        hits=$(printf '%s\n' "$deps" | tr ' \\' '\n\n' |
               grep -E '(^|/)(folio/(feed|household|compose|job|plan|holders|ledger)\.h|(feed|run|rules)-private\.h)$' |
               tr '\n' ' ')
        [ -z "$hits" ] || bad="$bad
  src/${f##*/}: $hits"
    done
    echo "$n sinks checked"
    [ "$n" -ge 5 ] || { echo "too few sinks: $n"; exit 1; }
    # the check sees such an include: print.c (not a sink) has compose.h
    (cd "$ROOT" && cc -std=c11 -D_GNU_SOURCE -Iinclude -Isrc -MM -MG src/print.c) |
        tr ' \\' '\n\n' | grep -q 'folio/compose\.h$' || fail_at "$LINENO"
    [ -z "$bad" ] || { echo "sinks that include the data model or composition:$bad"; exit 1; }
}
run_test sink_includes t_sink_includes

# The SIGBUS handler the program installs (src/cli-process.c, for a feed
# truncated while mapped) is there for the whole run: a SIGBUS sent by
# another process (kill -BUS; no faulting access to repeat) must still end
# the run as the default action does (128 + 7), not be swallowed.
t_sigbus_sent_ends_run() {
    local d="$WORK/sigbus"
    "$FOLIO" samples --households 5000 --seed 3 --out "$d/feeds" >/dev/null
    set +e
    "$FOLIO" run "$d/feeds/job.yaml" --out "$d/out" --threads 1 --quiet \
        2>"$d/err" &
    local pid=$! rc
    sleep 0.5
    kill -BUS "$pid"
    wait "$pid"
    rc=$?
    set -e
    echo "exit status $rc"
    [ "$rc" = 135 ] || fail_at "$LINENO"
    [ ! -e "$d/out/manifest.json" ] || fail_at "$LINENO"
}
run_test sigbus_sent_ends_run t_sigbus_sent_ends_run
