# SPDX-License-Identifier: Apache-2.0
# tests/e2e/cli.sh -- issue 16 part 1: command-line conventions (getopt_long
# on every subcommand) and the help-vs-parser check on the real binary.
# Sourced by tests/e2e/run.sh (FOLIO, WORK, ROOT, fail_at).

# The commands `folio --help` lists.
cli_commands() {
    "$FOLIO" --help | awk '/^commands:/ {on = 1; next} on && /^$/ {exit} on {print $1}'
}

t_cli_conventions() {
    local d="$WORK/cliconv"
    mkdir -p "$d"
    # short options and --opt=value everywhere
    "$FOLIO" -V | grep -q '^folio [0-9]'
    "$FOLIO" samples -n 20 --seed=3 -o "$d/feeds" -j 1 >/dev/null
    "$FOLIO" samples --households=20 --seed 3 --out="$d/feeds2" --threads=1 >/dev/null
    cmp "$d/feeds/customers.csv" "$d/feeds2/customers.csv"
    "$FOLIO" run -q -j 1 -o "$d/o1" "$d/feeds/job.yaml" >"$d/o1.out"
    [ ! -s "$d/o1.out" ] || fail_at "$LINENO"                  # -q: nothing on stdout
    "$FOLIO" run --out="$d/o2" --threads=1 --quiet "$d/feeds/job.yaml"
    "$FOLIO" run "$d/feeds/job.yaml" -qo"$d/o3" -j1            # options after the operand, bundled
    [ -f "$d/o2/manifest.json" ] || fail_at "$LINENO"
    [ -f "$d/o3/manifest.json" ] || fail_at "$LINENO"
    "$FOLIO" verify "$d/o1" | grep -q '^verified'
    # -- ends the options: a job file named like an option
    cp "$d/feeds/job.yaml" "$d/feeds/-q.yaml"
    (cd "$d/feeds" && "$FOLIO" run -q -o "$d/o4" -- -q.yaml)
    [ -f "$d/o4/manifest.json" ] || fail_at "$LINENO"
    # usage errors: exit 2, ONE line on stderr with the hint, nothing on stdout
    local args rc
    while IFS='|' read -r cmd args hint; do
        set +e
        # shellcheck disable=SC2086
        "$FOLIO" $cmd $args >"$d/u.out" 2>"$d/u.err"; rc=$?
        set -e
        [ "$rc" = 2 ] || { echo "folio $cmd $args: exit $rc, expected 2"; return 1; }
        [ ! -s "$d/u.out" ] || { echo "folio $cmd $args: stdout not empty"; return 1; }
        [ "$(wc -l <"$d/u.err")" = 1 ] || { echo "folio $cmd $args: not one line:"; cat "$d/u.err"; return 1; }
        grep -qF -- "$hint" "$d/u.err" || { echo "folio $cmd $args: no hint '$hint':"; cat "$d/u.err"; return 1; }
    done <<EOT
run|--bogus job.yaml|unknown option '--bogus' (see 'folio run --help')
run|--out|option '--out' needs a value (DIR) (see 'folio run --help')
run|-j 0 job.yaml|--threads needs a number from 1 to 1024 (see 'folio run --help')
run|--quiet=yes job.yaml|option '--quiet' takes no value
run||missing JOB.yaml (see 'folio run --help')
run|a.yaml b.yaml|only one job file may be given
samples|-o x|--households N is required (see 'folio samples --help')
samples|-n 5 extra|unexpected operand 'extra'
verify|$d/nonexistent|folio verify: $d/nonexistent: No such file or directory (see 'folio verify --help')
verify|$d/feeds/job.yaml|not a directory (see 'folio verify --help')
verify|--bogus|unknown option '--bogus' (see 'folio verify --help')
afpdump|-x f.afp|unknown option '-x' (see 'folio afpdump --help')
run|--quiet -qx job.yaml|unknown option '-x' (see 'folio run --help')
afpdump||missing FILE (see 'folio afpdump --help')
frobnicate||unknown command 'frobnicate' (see 'folio --help')
--bogus||unknown option '--bogus' (see 'folio --help')
EOT
    # every --help: stdout, exit 0, and run/verify name the archive and proofs
    for c in $(cli_commands); do
        "$FOLIO" "$c" --help >"$d/h.out" 2>"$d/h.err"
        "$FOLIO" "$c" -h | cmp - "$d/h.out"
        [ ! -s "$d/h.err" ] || fail_at "$LINENO"
        grep -q "^usage: folio $c " "$d/h.out" || fail_at "$LINENO"
    done
    for c in run verify; do
        "$FOLIO" "$c" --help | grep -q 'archive' || { echo "$c --help: no archive"; return 1; }
        "$FOLIO" "$c" --help | grep -q 'proof' || { echo "$c --help: no proofs"; return 1; }
    done
}

# For every subcommand, every option its --help names is taken by its parser
# (the real binary): `folio CMD --opt VALUE --zz-end` must fail on --zz-end,
# never on --opt.  (The other direction -- nothing parsed that the help does
# not name -- is tests/unit/test_cli.c over the same tables.)
t_cli_help_vs_parser() {
    local d="$WORK/clihelp" n=0
    mkdir -p "$d"
    for c in $(cli_commands); do
        "$FOLIO" "$c" --help >"$d/$c.help"
        # "  -o, --out=DIR  text" / "      --check  text": the option column
        grep -E '^  -[a-zA-Z], --|^      --[a-z]' "$d/$c.help" | grep -v -- '--help' >"$d/$c.rows" || true
        while read -r row; do
            local spec long short val
            spec=$(echo "$row" | grep -oE -- '--[a-z][a-z-]*(=[^ ]+)?' | head -1)
            long=${spec%%=*}
            short=$(echo "$row" | grep -oE '^-[a-zA-Z],' | tr -d ,) || true
            val=""; [ "$spec" != "$long" ] && val=1
            for form in "$long" $short; do
                set +e
                if [ -n "$val" ]; then "$FOLIO" "$c" "$form" 1 --zz-end >/dev/null 2>"$d/err"
                else "$FOLIO" "$c" "$form" --zz-end >/dev/null 2>"$d/err"; fi
                set -e
                if grep -q "unknown option '$form'\|not handled" "$d/err"; then
                    echo "folio $c: --help names $form but the parser refuses it:"; cat "$d/err"; return 1
                fi
                n=$((n + 1))
            done
        done <"$d/$c.rows"
    done
    echo "$n option forms checked"
    [ "$n" -ge 10 ] || fail_at "$LINENO"
}

run_test cli_conventions t_cli_conventions
run_test cli_help_vs_parser t_cli_help_vs_parser
