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
    local obj n=0 bad=""
    local dir; dir="$(dirname "$FOLIO")/obj"
    [ -d "$dir" ] || { echo "no objects in $dir"; exit 1; }
    for obj in "$dir"/*.o; do
        case "${obj##*/}" in cli-*) continue ;; esac
        n=$((n + 1))
        local hits
        hits=$(nm -u "$obj" | awk -v re="^($LIB_FORBIDDEN)(@.*)?\$" '$2 ~ re {print $2}' | tr '\n' ' ')
        [ -z "$hits" ] || bad="$bad
  ${obj##*/}: $hits"
    done
    echo "$n library objects checked"
    [ "$n" -gt 100 ] || { echo "too few library objects: $n"; exit 1; }
    # the check can see such a reference: the CLI's objects have them
    nm -u "$dir/cli-process.o" | grep -qw sigaction || fail_at "$LINENO"
    nm -u "$dir/cli-process.o" | grep -qw mallopt || fail_at "$LINENO"
    nm -u "$dir/cli-run.o" | grep -qw stderr || fail_at "$LINENO"
    [ -z "$bad" ] || { echo "library objects that print, exit or touch signals/allocator:$bad"; exit 1; }
}
run_test library_no_cli_symbols t_library_no_cli_symbols
