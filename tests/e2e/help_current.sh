# SPDX-License-Identifier: Apache-2.0
# tests/e2e/help_current.sh -- issue 16 part 1 ("every --help complete and
# current"), parts 3 and 4: what `folio run --help` and folio(1) say the
# archive holds is what a default run writes; the man pages name every
# top-level key; the files the docs name exist; part 2: every source file
# carries the LICENSE's SPDX identifier; part 7: the unit runner prints one
# line per program and keeps the programs' output in its log.  The PDF/A part and conformance level
# are read from an archived document's XMP (pdfaid:part, pdfaid:conformance).
# Sourced by tests/e2e/run.sh (FOLIO, WORK, ROOT, fail_at).

t_help_archive_current() {
    local d="$WORK/helpcur"
    rm -rf "$d"
    "$FOLIO" samples -n 30 --seed 3 -o "$d/feeds" >/dev/null
    "$FOLIO" run -q "$d/feeds/job.yaml" -o "$d/out" || [ $? = 3 ]
    "$FOLIO" run --help >"$d/help"
    MANWIDTH=200 man -l "$ROOT/man/folio.1" 2>/dev/null | col -b >"$d/man"
    python3 - "$d" <<'PY'
import glob, os, re, subprocess, sys, zipfile
d = sys.argv[1]
zips = sorted(glob.glob(d + "/out/archive/*.zip"))
assert zips, "the default samples run archived nothing"
zf = zipfile.ZipFile(zips[0])
name = [n for n in zf.namelist() if n.endswith(".pdf")][0]
open(d + "/doc.pdf", "wb").write(zf.read(name))
subprocess.run(["qpdf", "--qdf", "--object-streams=disable", d + "/doc.pdf", d + "/doc-qdf.pdf"],
               check=True)
x = open(d + "/doc-qdf.pdf", "rb").read().decode("latin-1")
part = re.search(r'pdfaid:part(?:="|>)(\d)', x).group(1)
conf = re.search(r'pdfaid:conformance(?:="|>)([ABUabu])', x).group(1).lower()
fmt = "PDF/A-%s%s" % (part, conf)
ua = "pdfuaid:part" in x
want = fmt + (" + PDF/UA-1" if ua else "")
for what in ("help", "man"):
    t = re.sub(r"\s+", " ", open(os.path.join(d, what), encoding="utf-8").read())
    sect = t[t.index("archive/"):][:300]
    if want not in sect:
        sys.exit("%s: the archive is said to hold %r; a default run writes %s"
                 % (what, sect[:160], want))
print("archive documents %s: named so by run --help and folio(1)" % want)
PY
}
run_test help_archive_current t_help_archive_current

# folio-job(5) and folio-layout(5) have an entry in TOP-LEVEL KEYS for every
# top-level key the loaders accept (TOP_KEYS of src/job.c and src/layout.c),
# and none for a key they refuse.
t_man_top_keys() {
    python3 - "$ROOT" <<'PY'
import re, sys
root = sys.argv[1]
bad = []
for src, page in (("src/job.c", "man/folio-job.5"), ("src/layout.c", "man/folio-layout.5")):
    c = open("%s/%s" % (root, src), encoding="utf-8").read()
    t = re.search(r"static const char \*const TOP_KEYS\[\] = \{(.*?)NULL \};", c, re.S).group(1)
    keys = set(re.findall(r'"([a-z_]+)"', re.sub(r"/\*.*?\*/", "", t, flags=re.S)))
    m = open("%s/%s" % (root, page), encoding="utf-8").read()
    sect = m[m.index(".SH TOP-LEVEL KEYS"):]
    sect = sect[:sect.index("\n.SH ", 5)]
    entries = set()
    for tag in re.findall(r"\n\.TP\n(\.BR? [^\n]*)", sect):
        entries |= set(re.findall(r"[a-z_]+", re.sub(r'"\s*,\s*"', " ", tag[3:])))
    for k in sorted(keys - entries):
        bad.append("%s: no TOP-LEVEL KEYS entry for '%s' (%s:TOP_KEYS accepts it)" % (page, k, src))
    for k in sorted(entries - keys):
        bad.append("%s: an entry for '%s', which %s:TOP_KEYS does not accept" % (page, k, src))
    print("%s: %d top-level keys, %s checked" % (src, len(keys), page))
if bad:
    sys.exit("\n".join(bad))
PY
}
run_test man_top_keys t_man_top_keys

# Every file of the tree the README, docs/*.md and perf/README.md name in
# backquotes (`src/...`, `tests/...`, `docs/...`, ...) exists: a renamed or
# never-written file is not left in the docs (placeholders such as NAME,
# N-tT or YYYYMMDD and globs are skipped).
t_docs_paths() {
    python3 - "$ROOT" <<'PY'
import glob, os, re, sys
root = sys.argv[1]
bad, n = [], 0
files = ["README.md", "perf/README.md"] + sorted(glob.glob(root + "/docs/*.md"))
for f in files:
    f = os.path.relpath(os.path.join(root, f), root)
    for i, line in enumerate(open(os.path.join(root, f), encoding="utf-8"), 1):
        for m in re.finditer(r"`((?:src|tests|docs|perf|man|layouts|tools|examples|debian|include)/[A-Za-z0-9_./-]*)", line):
            p = m.group(1).rstrip(".")
            if line[m.end():m.end() + 1] in ("*", "{", "<", "$"):
                continue                    # a glob or a pattern: src/cli-*.c
            if re.search(r"[A-Z]{1,}[-_A-Z]*(?:[A-Z]|\bN\b)", p.split("/")[-1]) and not os.path.exists(os.path.join(root, p)):
                continue                    # a placeholder: sink-NAME.c, run-N-tT
            if p.startswith("perf/out/"):
                continue                    # the bench's outputs
            n += 1
            if not os.path.exists(os.path.join(root, p)):
                bad.append("%s:%d: `%s` does not exist" % (f, i, p))
if bad:
    sys.exit("\n".join(bad))
print("%d file references in %d docs, all present" % (n, len(files)))
PY
}
run_test docs_paths t_docs_paths

# docs/DESIGN.md is the map a newcomer finds a change's file from (issue 11
# part 3): every source file of src/ has its row there.
t_design_map() {
    local f missing=""
    for f in "$ROOT"/src/*.c; do
        f="src/${f##*/}"
        grep -qF "$f" "$ROOT/docs/DESIGN.md" || missing="$missing $f"
    done
    [ -z "$missing" ] || { echo "not in docs/DESIGN.md:$missing"; return 1; }
}
run_test design_map t_design_map

# Every tracked source, header, script and build file starts with the SPDX
# identifier of LICENSE (Apache-2.0) in its first three lines.
t_spdx() {
    head -3 "$ROOT/LICENSE" | grep -q "Apache License" || fail_at "$LINENO"
    git -C "$ROOT" ls-files src include tests perf tools Makefile debian/rules |
        grep -E '\.(c|h|py|sh)$|^perf/bench$|^Makefile$|^debian/rules$' | grep -v '^tests/data/' |
        python3 -c '
import sys
root = sys.argv[1]
files = sys.stdin.read().split()
bad = [f for f in files
       if "SPDX-License-Identifier: Apache-2.0" not in "".join(open(root + "/" + f, encoding="utf-8").readlines()[:3])]
for f in bad:
    print("no SPDX line: " + f)
assert len(files) > 100, len(files)
print("%d files carry SPDX-License-Identifier: Apache-2.0" % len(files))
sys.exit(1 if bad else 0)' "$ROOT"
}
run_test spdx t_spdx

# tests/run-unit.sh (make unit): a program's own output, expected errors
# included, goes to its log, never to the console; one line per program, a
# failure names its log, and a closing "N passed, N failed" line.
t_quiet_unit_runner() {
    local d="$WORK/quiet"
    rm -rf "$d"; mkdir -p "$d"
    printf '#!/bin/sh\necho "folio: missing FILE"\necho "[  PASSED  ] 3 tests." \nexit 0\n' >"$d/test_good"
    printf '#!/bin/sh\necho "unknown option --bogus" >&2\nexit 1\n' >"$d/test_bad"
    chmod +x "$d/test_good" "$d/test_bad"
    local rc=0
    # outside CI (CI=true shows a failing log's end on the console, below)
    (cd "$d" && env -u CI bash "$ROOT/tests/run-unit.sh" "$d/logs" test_good test_bad) \
        >"$d/out" 2>&1 || rc=$?
    cat "$d/out"
    [ "$rc" = 1 ] || fail_at "$LINENO"
    [ "$(sed -n 1p "$d/out")" = "ok   unit test_good" ] || fail_at "$LINENO"
    [ "$(sed -n 2p "$d/out")" = "FAIL unit test_bad (log: $d/logs/test_bad.log)" ] || fail_at "$LINENO"
    [ "$(sed -n 3p "$d/out")" = "unit: 1 passed, 1 failed" ] || fail_at "$LINENO"
    [ "$(wc -l <"$d/out")" = 3 ] || fail_at "$LINENO"
    grep -q "unknown option --bogus" "$d/logs/test_bad.log" || fail_at "$LINENO"
    grep -q "folio: missing FILE" "$d/logs/test_good.log" || fail_at "$LINENO"
    [ "$(cat "$d/logs/counts")" = "1 1" ] || fail_at "$LINENO"
    # in CI only the console is kept: the failing program's log end is on it
    rc=0
    (cd "$d" && CI=true bash "$ROOT/tests/run-unit.sh" "$d/logs2" test_good test_bad) \
        >"$d/out2" 2>&1 || rc=$?
    [ "$rc" = 1 ] || fail_at "$LINENO"
    [ "$(sed -n 3p "$d/out2")" = "     unknown option --bogus" ] || fail_at "$LINENO"
    [ "$(sed -n 4p "$d/out2")" = "unit: 1 passed, 1 failed" ] || fail_at "$LINENO"
}
run_test quiet_unit_runner t_quiet_unit_runner
