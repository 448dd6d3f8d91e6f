# SPDX-License-Identifier: Apache-2.0
# tests/e2e/docs.sh -- issue 16 part 4 and the issue 13 leftover: the key
# references in docs/ against the loaders' key tables, the README's links and
# its own commands run from a clean clone, the docs image, the sample logo.
# Sourced by tests/e2e/run.sh (FOLIO, WORK, ROOT, fail_at).

# make in the source tree for $FOLIO's build directory, without the flags of
# the make that runs the tests (as tests/e2e/install.sh does)
docs_make() {
    local build
    build=$(realpath --relative-to="$ROOT" "$(dirname "$FOLIO")")
    env -u MAKEFLAGS -u MAKELEVEL -u MFLAGS make -s --no-print-directory -C "$ROOT" \
        BUILD="$build" "$@"
}

# Every key a loader accepts has a row in docs/, every row is an accepted
# key; and the check fails when either side changes alone (a copy of src/
# and docs/ with a row taken out, a key added to a table, a row added for a
# key no loader reads).
t_docs_keys() {
    python3 "$ROOT/tests/docs_keys.py" "$ROOT"
    local d="$WORK/docs-keys"
    rm -rf "$d"; mkdir -p "$d/src" "$d/docs"
    cp "$ROOT"/src/*.c "$d/src/"; cp "$ROOT"/docs/*.md "$d/docs/"
    python3 "$ROOT/tests/docs_keys.py" "$d" >/dev/null || fail_at "$LINENO"
    # a documented key removed from the docs
    grep -q '^| `dialect.century_pivot` |' "$d/docs/job-file.md" || fail_at "$LINENO"
    sed -i '/^| `dialect.century_pivot` |/d' "$d/docs/job-file.md"
    if python3 "$ROOT/tests/docs_keys.py" "$d" >"$d/out1"; then fail_at "$LINENO"; fi
    grep -q 'src/job.c:DIALECT_KEYS .*accepted but not documented: century_pivot' "$d/out1" || fail_at "$LINENO"
    cp "$ROOT/docs/job-file.md" "$d/docs/"
    # a key added to a loader's table without docs
    sed -i 's/static const char \*const JOB_KEYS\[\] = { "name", "seed",/& "frobnicate",/' "$d/src/job.c"
    grep -q '"frobnicate"' "$d/src/job.c" || fail_at "$LINENO"
    if python3 "$ROOT/tests/docs_keys.py" "$d" >"$d/out2"; then fail_at "$LINENO"; fi
    grep -q 'src/job.c:JOB_KEYS .*not documented: frobnicate' "$d/out2" || fail_at "$LINENO"
    cp "$ROOT/src/job.c" "$d/src/"
    # a new key table with no marked table in docs/
    printf 'static const char *const NEW_KEYS[] = { "alpha", "beta", NULL };\nstatic int f(void *d, void *n) { return yt_check_keys(d, n, "new", NEW_KEYS); }\n' \
        > "$d/src/newthing.c"
    if python3 "$ROOT/tests/docs_keys.py" "$d" >"$d/out3"; then fail_at "$LINENO"; fi
    grep -q 'src/newthing.c:NEW_KEYS .*no `<!-- keys: src/newthing.c:NEW_KEYS -->` table.*alpha, beta' "$d/out3" || fail_at "$LINENO"
    python3 "$ROOT/tests/docs_keys.py" --skeleton "$d" | grep -q '^| `alpha` |' || fail_at "$LINENO"
    rm "$d/src/newthing.c"
    # a documented key that no loader accepts
    sed -i 's/^| `job.seed` |/| `job.sead` | integer | 1 | | | |\n&/' "$d/docs/job-file.md"
    if python3 "$ROOT/tests/docs_keys.py" "$d" >"$d/out4"; then fail_at "$LINENO"; fi
    grep -q 'docs/job-file.md:[0-9]*: `sead` is documented but src/job.c:JOB_KEYS does not accept it' "$d/out4" || fail_at "$LINENO"
    # an unreadable call (a table passed some other way) fails rather than skips
    cp "$ROOT/docs/job-file.md" "$d/docs/"
    printf 'static int g(void *d, void *n, const char *const *t) { return yt_check_keys(d, n, "x", t + 1); }\n' > "$d/src/odd.c"
    if python3 "$ROOT/tests/docs_keys.py" "$d" >"$d/out5"; then fail_at "$LINENO"; fi
    grep -q 'src/odd.c:1: cannot read the key table' "$d/out5" || fail_at "$LINENO"
}

# The documented keys are accepted by the loader itself, not only by the
# table: the samples' job with every output key the reference's complete
# job uses loads (the run then exits 0); the reference's YAML examples hold no
# literal "..." (an example a reader cannot paste).
t_docs_reference_examples() {
    python3 - "$ROOT" <<'PY'
import re, sys
root = sys.argv[1]
bad = []
for f in ("docs/job-file.md", "docs/layout-file.md"):
    s = open("%s/%s" % (root, f), encoding="utf-8").read()
    for m in re.finditer(r"```yaml\n(.*?)```", s, re.S):
        for i, l in enumerate(m.group(1).split("\n")):
            if "..." in l or "…" in l:
                bad.append("%s:%d: %s" % (f, s.count("\n", 0, m.start()) + 2 + i, l.strip()))
if bad:
    print("YAML examples with a literal '...':\n" + "\n".join(bad)); sys.exit(1)
PY
    # the complete job of docs/job-file.md, pointed at sample feeds, runs
    local d="$WORK/docs-ref"
    rm -rf "$d"
    "$FOLIO" samples -n 30 --seed 2 -o "$d" >/dev/null
    python3 - "$ROOT" "$d" <<'PY'
import re, sys
root, d = sys.argv[1:3]
s = open(root + "/docs/job-file.md", encoding="utf-8").read()
m = re.search(r"## A complete job\n.*?```yaml\n(.*?)```", s, re.S)
job = m.group(1)
job = job.replace("layout: ../layouts/statement.yaml", 'layout: "%s/layouts/statement.yaml"' % root)
job = job.replace("catalogue: ../layouts/offers.yaml", 'catalogue: "%s/layouts/offers.yaml"' % root)
open(d + "/job-ref.yaml", "w", encoding="utf-8").write(job)
PY
    set +e
    "$FOLIO" run -q "$d/job-ref.yaml" --out "$d/out" 2>"$d/err"; rc=$?
    set -e
    cat "$d/err"
    [ "$rc" = 0 ] || [ "$rc" = 3 ] || { echo "the complete job of docs/job-file.md exits $rc"; exit 1; }
    if grep -q 'unknown key' "$d/err"; then fail_at "$LINENO"; fi
    ls "$d"/out/print/*.pdf >/dev/null
}

# README.md and docs/*.md: every relative link names a file that exists and,
# with #anchor, a heading of it; every docs/*.md is in the README's index; the
# README no longer carries the references.
t_docs_links() {
    python3 - "$ROOT" <<'PY'
import glob, os, re, sys
root = sys.argv[1]
def slug(h):
    h = re.sub(r"[`*_]", lambda m: "_" if m.group(0) == "_" else "", h.strip().lower())
    h = re.sub(r"[^\w\- ]", "", h)
    return h.replace(" ", "-")
def anchors(path):
    out, seen = set(), {}
    text = open(path, encoding="utf-8").read()
    text = re.sub(r"```.*?```", "", text, flags=re.S)
    for h in re.findall(r"^#+ (.*)$", text, re.M):
        a = slug(h)
        n = seen.get(a, 0); seen[a] = n + 1
        out.add(a if n == 0 else "%s-%d" % (a, n))
    return out
bad = []
files = [os.path.join(root, "README.md")] + sorted(glob.glob(os.path.join(root, "docs", "*.md")))
for f in files:
    text = open(f, encoding="utf-8").read()
    text = re.sub(r"```.*?```", "", text, flags=re.S)
    for link in re.findall(r"\]\(([^)\s]+)\)", text):
        if re.match(r"[a-z]+:", link):
            continue
        target, _, anchor = link.partition("#")
        path = os.path.normpath(os.path.join(os.path.dirname(f), target)) if target else f
        if not os.path.exists(path):
            bad.append("%s: link to missing %s" % (os.path.relpath(f, root), link)); continue
        if anchor and path.endswith(".md") and anchor not in anchors(path):
            bad.append("%s: no heading for #%s in %s" % (os.path.relpath(f, root), anchor,
                                                          os.path.relpath(path, root)))
readme = open(os.path.join(root, "README.md"), encoding="utf-8").read()
for d in sorted(glob.glob(os.path.join(root, "docs", "*.md"))):
    if "(docs/%s)" % os.path.basename(d) not in readme:
        bad.append("README.md: the documentation index does not list docs/%s" % os.path.basename(d))
for gone in ("## Job file reference", "## Layout file reference"):
    if gone in readme:
        bad.append("README.md still carries '%s' (the reference lives in docs/)" % gone)
for stub in ("docs/job-file.md", "docs/layout-file.md"):
    if "reference is in the README" in open(os.path.join(root, stub), encoding="utf-8").read():
        bad.append("%s is still a stub" % stub)
if bad:
    print("\n".join(bad)); sys.exit(1)
print("links: %d files checked" % len(files))
PY
}

# `make docs-image` renders page 1 of a sample statement from the samples
# (into a file of the test's, not docs/): a PNG of the committed one's size.
t_docs_image() {
    docs_make docs-image DOCS_IMAGE="$WORK/statement.png" >/dev/null
    python3 - "$WORK/statement.png" "$ROOT/docs/statement.png" <<'PY'
import struct, sys
def dims(p):
    b = open(p, "rb").read(32)
    assert b[:8] == b"\x89PNG\r\n\x1a\n", p + " is not a PNG"
    return struct.unpack(">II", b[16:24])
a, b = dims(sys.argv[1]), dims(sys.argv[2])
assert a == b, "rendered %s, committed docs/statement.png is %s: run make docs-image" % (a, b)
assert a[0] > 400 and a[1] > 500, a
print("docs image %dx%d" % a)
PY
    [ "$(stat -c %s "$ROOT/docs/statement.png")" -lt 150000 ] || { echo "docs/statement.png over 150 KB"; exit 1; }
}

# The sample layout has a logo on every page (a generated PNG, embedded once
# per file) and a balance chart in each checking section; a copy of the
# layout without the logo file is a layout error naming the image.
t_sample_logo_chart() {
    local d="$WORK/logo"
    rm -rf "$d"
    "$FOLIO" samples -n 12 --seed 4 -o "$d/feeds" >/dev/null
    "$FOLIO" run -q "$d/feeds/job.yaml" --out "$d/out"
    local pdf
    pdf=$(ls "$d"/out/print/*.pdf | head -1)
    pdfimages -list "$pdf" >"$d/images"
    cat "$d/images"
    pages=$(pdfinfo "$pdf" | awk '/^Pages:/ {print $2}')
    # one row per page that shows it: the logo (96x96 RGB) on every page
    [ "$(awk 'NR > 2 && $4 == 96 && $5 == 96' "$d/images" | wc -l)" = "$pages" ] || fail_at "$LINENO"
    # the chart: its first and last dates under the frame in each checking section
    pdftotext -layout -f 1 -l 1 "$pdf" - | grep -Eq '^ *[0-9]{2}/01/2026 +[0-9]{2}/3[01]/2026 *$' || fail_at "$LINENO"
    # the logo file is checked when the layout loads
    sed -e "s#\.\./fonts/#$ROOT/fonts/#" -e "s#library: paragraphs.yaml#library: $ROOT/layouts/paragraphs.yaml#" \
        "$ROOT/layouts/statement.yaml" > "$d/layout.yaml"
    use_layout "$d/feeds/job.yaml" "$d/layout.yaml"
    set +e
    "$FOLIO" run -q "$d/feeds/job.yaml" --out "$d/out2" 2>"$d/err"; rc=$?
    set -e
    cat "$d/err"
    [ "$rc" = 2 ] && grep -q "layout.yaml:[0-9]*:[0-9]*: 'images\[0\].file': cannot use image '[^']*/logo.png': cannot read it" "$d/err" || fail_at "$LINENO"
}

# The README's commands from a clean clone of this tree (with the working
# tree's uncommitted changes applied): make demo, then every walk-through
# block, checked against what the README says (tests/readme_commands.py).
# `make test` is named and its target checked but not run (it runs this).
t_readme_commands() {
    local c="$WORK/readme-clone"
    rm -rf "$c"
    git clone -q "$ROOT" "$c"
    git -C "$ROOT" diff HEAD --binary > "$WORK/readme.diff"
    if [ -s "$WORK/readme.diff" ]; then git -C "$c" apply --binary "$WORK/readme.diff"; fi
    (cd "$ROOT" && git ls-files --others --exclude-standard -z) | \
        (cd "$ROOT" && xargs -0 -r cp --parents -t "$c")
    python3 "$ROOT/tests/readme_commands.py" "$ROOT" "$c"
    rm -rf "$c"
}

run_test docs_keys t_docs_keys
run_test docs_reference_examples t_docs_reference_examples
run_test docs_links t_docs_links
run_test docs_image t_docs_image
run_test sample_logo_chart t_sample_logo_chart
run_test readme_commands t_readme_commands
