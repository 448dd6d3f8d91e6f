# SPDX-License-Identifier: Apache-2.0
# tests/e2e/install.sh -- issue 16 parts 2, 3: `make install` / `uninstall`
# into a DESTDIR, the Debian package (build, lintian, dpkg -i, run, dpkg -r)
# and the man pages (mandoc -T lint, man -l).
# Sourced by tests/e2e/run.sh (FOLIO, WORK, ROOT, fail_at).

# make in the source tree, for the build directory $FOLIO lives in (build/
# or build-san/), without the flags of the make that runs the tests.
install_make() {
    local build
    build=$(realpath --relative-to="$ROOT" "$(dirname "$FOLIO")")
    env -u MAKEFLAGS -u MAKELEVEL -u MFLAGS make -s --no-print-directory -C "$ROOT" \
        BUILD="$build" "$@"
}

# the files `make install` puts under PREFIX
INSTALL_FILES="bin/folio
share/bash-completion/completions/folio
share/folio/fonts/LiberationSans-Bold.ttf
share/folio/fonts/LiberationSans-Regular.ttf
share/folio/layouts/logo.png
share/folio/layouts/offers.yaml
share/folio/layouts/paragraphs.yaml
share/folio/layouts/statement-a4.yaml
share/folio/layouts/statement.yaml
share/man/man1/folio.1
share/man/man5/folio-job.5
share/man/man5/folio-layout.5"

# `folio samples` + `folio run` + `folio verify` with an installed binary,
# from a directory outside the source tree; the job names the installed
# layout and catalogue (DATA), never the source tree.
run_installed() {   # run_installed BIN DATA DIR
    local bin="$1" data="$2" d="$3"
    mkdir -p "$d"
    (cd "$d" && env -u FOLIO_ROOT "$bin" samples -n 40 -o feeds >/dev/null)
    grep -q "^layout: \"$data/layouts/statement.yaml\"" "$d/feeds/job.yaml" || {
        echo "job.yaml does not name $data/layouts/statement.yaml:"; grep -n 'layout\|catalogue' "$d/feeds/job.yaml"; return 1; }
    grep -q "catalogue: \"$data/layouts/offers.yaml\"" "$d/feeds/job.yaml" || fail_at "$LINENO"
    if grep -q "$ROOT" "$d/feeds/job.yaml"; then echo "job.yaml names the source tree $ROOT"; return 1; fi
    (cd "$d" && env -u FOLIO_ROOT "$bin" run -q -j 2 -o out feeds/job.yaml)
    "$bin" verify "$d/out" | grep -q '^verified'
    ls "$d/out/print/"*.pdf >/dev/null
}

t_install() {
    local stage="$WORK/stage" prefix=/opt/folio-e2e
    rm -rf "$stage"
    install_make install DESTDIR="$stage" PREFIX="$prefix"
    diff <(echo "$INSTALL_FILES") <(cd "$stage$prefix" && find . -type f | sed 's|^\./||' | sort) || {
        echo "installed files differ from the expected list (< expected, > installed)"; return 1; }
    [ -x "$stage$prefix/bin/folio" ] || fail_at "$LINENO"
    "$stage$prefix/bin/folio" --version | grep -q "^folio [0-9]"
    run_installed "$stage$prefix/bin/folio" "$stage$prefix/share/folio" "$WORK/inst-run"
    # the completion (generated from the option tables) completes commands and options
    local comp="$stage$prefix/share/bash-completion/completions/folio"
    [ "$(bash -c "source '$comp'; COMP_WORDS=(folio ru); COMP_CWORD=1; _folio; echo \${COMPREPLY[*]}")" = run ] || fail_at "$LINENO"
    bash -c "source '$comp'; COMP_WORDS=(folio run --th); COMP_CWORD=2; _folio; echo \${COMPREPLY[*]}" | grep -qx -- '--threads' || fail_at "$LINENO"
    bash -c "source '$comp'; COMP_WORDS=(folio samples --); COMP_CWORD=2; _folio; echo \${COMPREPLY[*]}" | grep -q -- '--with-errors' || fail_at "$LINENO"
    # uninstall removes every file it installed and the share/folio tree
    install_make uninstall DESTDIR="$stage" PREFIX="$prefix"
    [ -z "$(find "$stage" -type f)" ] || { echo "left after uninstall:"; find "$stage" -type f; return 1; }
    [ ! -e "$stage$prefix/share/folio" ] || fail_at "$LINENO"
}

t_man_pages() {
    command -v mandoc >/dev/null || { echo "mandoc missing (make deps installs it)"; return 1; }
    local p
    for p in "$ROOT"/man/folio.1 "$ROOT"/man/folio-job.5 "$ROOT"/man/folio-layout.5; do
        mandoc -T lint -W style "$p" >"$WORK/lint.out" 2>&1 || true
        [ ! -s "$WORK/lint.out" ] || { echo "mandoc -T lint $p:"; cat "$WORK/lint.out"; return 1; }
        MANWIDTH=80 man --warnings -l "$p" >"$WORK/man.out" 2>"$WORK/man.err"
        [ ! -s "$WORK/man.err" ] || { echo "man -l $p:"; cat "$WORK/man.err"; return 1; }
        [ "$(wc -l <"$WORK/man.out")" -gt 30 ] || fail_at "$LINENO"
    done
    # the pages, debian/changelog and the binary carry one version
    local ver
    ver=$("$FOLIO" --version | awk '{print $2}')
    grep -q "^\.TH .* \"folio $ver\"" "$ROOT"/man/folio.1 "$ROOT"/man/folio-job.5 || fail_at "$LINENO"
    [ "$(grep -c "\"folio $ver\"" "$ROOT"/man/*.[15] | grep -c ':1$')" = 3 ] || { echo "a man page is not of folio $ver"; return 1; }
    head -1 "$ROOT/debian/changelog" | grep -qF "folio ($ver)" || { echo "debian/changelog is not folio $ver"; return 1; }
    # folio(1) documents every command and every option its --help names
    MANWIDTH=200 man -l "$ROOT/man/folio.1" 2>/dev/null >"$WORK/folio1.txt"
    local c o
    for c in $("$FOLIO" --help | awk '/^commands:/ {on = 1; next} on && /^$/ {exit} on {print $1}'); do
        grep -q "folio $c" "$WORK/folio1.txt" || { echo "folio(1) lacks 'folio $c'"; return 1; }
        for o in $("$FOLIO" "$c" --help | grep -oE -- '^ +(-[a-zA-Z], )?--[a-z][a-z-]*' | grep -oE -- '--[a-z][a-z-]*'); do
            grep -q -- "$o" "$WORK/folio1.txt" || { echo "folio(1) lacks $c option $o"; return 1; }
        done
    done
    grep -q -- '--bash-completion' "$WORK/folio1.txt"
    grep -qi 'folio-job(5)' "$WORK/folio1.txt"
}

# Build the .deb from a copy of the tree, lintian, install it, run the
# installed /usr/bin/folio, remove it.  Needs root (CI runs as root).
t_deb_package() {
    if [ "$(id -u)" != 0 ]; then
        if [ -z "${CI:-}" ]; then echo "skip: not root and CI unset (dpkg -i needs root)"; return 0; fi
        echo "CI is set but not root: cannot dpkg -i"; return 1
    fi
    if dpkg -s folio >/dev/null 2>&1 || [ -e /usr/bin/folio ]; then
        echo "a folio is already installed (dpkg -s folio / /usr/bin/folio): not replacing it"; return 1
    fi
    local d="$WORK/deb" ver
    ver=$("$FOLIO" --version | awk '{print $2}')
    mkdir -p "$d/folio-$ver"
    tar -C "$ROOT" --exclude=./.git --exclude='./build*' --exclude='./fonts/*.ttf' \
        --exclude='./layouts/.e2e-*' -cf - . | tar -C "$d/folio-$ver" -xf -
    (cd "$d/folio-$ver" && env -u MAKEFLAGS -u MAKELEVEL -u MFLAGS -u SANITIZER DEB_BUILD_OPTIONS="parallel=2 nocheck" \
        dpkg-buildpackage -us -uc -b) >"$d/build.log" 2>&1 || { tail -30 "$d/build.log"; return 1; }
    local deb="$d/folio_${ver}_amd64.deb"
    [ -f "$deb" ] || { echo "no $deb:"; ls "$d"; return 1; }
    lintian --no-tag-display-limit "$deb" >"$d/lintian.out" 2>&1 || true
    cat "$d/lintian.out"
    if grep -q '^E:' "$d/lintian.out"; then echo "lintian errors"; return 1; fi
    dpkg-deb -c "$deb" | grep -q '\./usr/share/folio/layouts/statement.yaml$' || fail_at "$LINENO"
    trap 'dpkg -r folio >/dev/null 2>&1 || true' EXIT
    local i
    for i in $(seq 1 60); do      # another dpkg (apt) may hold the lock for a while
        dpkg -i "$deb" >"$d/install.log" 2>&1 && break
        grep -qi 'lock' "$d/install.log" || { cat "$d/install.log"; return 1; }
        sleep 2
    done
    dpkg -s folio | grep -q "^Version: $ver$" || fail_at "$LINENO"
    [ "$(/usr/bin/folio --version)" = "folio $ver" ] || fail_at "$LINENO"
    run_installed /usr/bin/folio /usr/share/folio "$d/run"
    man -w folio | grep -q '^/usr/share/man/man1/folio.1' || fail_at "$LINENO"
    man -w 5 folio-job >/dev/null
    [ -f /usr/share/bash-completion/completions/folio ] || fail_at "$LINENO"
    [ -f /usr/share/doc/folio/copyright ] || fail_at "$LINENO"
    dpkg -r folio >"$d/remove.log" 2>&1 || { cat "$d/remove.log"; return 1; }
    trap - EXIT
    [ ! -e /usr/bin/folio ] && [ ! -e /usr/share/folio ] || fail_at "$LINENO"
}

run_test install t_install
run_test man_pages t_man_pages
run_test deb_package t_deb_package
