# SPDX-License-Identifier: Apache-2.0
# End-to-end tests of issue 16 parts 5 and 6: OUT/report.html (checked
# against the run's records by check_report.py, and in headless Chromium)
# and the progress line on a pseudo-terminal.  Sourced by run.sh (uses its
# run_test, fail_at, $FOLIO, $WORK, $ROOT).

# A sample job in $1 with planted rejects (12 reasons, 1..12 rows each, two
# of them tied; values with HTML's special characters), oversize households
# (exceptions) and a household id with <&"'> in it.
report_setup() {
    local d="$1"
    "$FOLIO" samples --households "${2:-1200}" --seed 61 --out "$d" >/dev/null
    printf 'households:\n  max_customers: 2\n' >> "$d/job.yaml"
    python3 - "$d" <<'PY'
import csv, sys
d = sys.argv[1]
acct = next(csv.DictReader(open(d + "/checking_accounts.csv")))["account_id"]
with open(d + "/checking_transactions.csv", "a", newline="") as f:
    w = csv.writer(f, lineterminator="\n")
    for k in range(1, 13):
        for _ in range(k if k != 12 else 11):       # reasons 11 and 12 tie
            w.writerow([acct, "2026-10-03", "planted", "v%02d" % k])
    for _ in range(13):                             # the top reason
        w.writerow([acct, "2026-10-04", "planted", "<i>&\"'\u00fc\u540d</i>"])
# the household of three customers that sorts first gets a hostile id
rows = list(csv.DictReader(open(d + "/customers.csv", encoding="utf-8")))
count = {}
for r in rows:
    count[r["household_id"]] = count.get(r["household_id"], 0) + 1
big = sorted(h for h, n in count.items() if n > 2 and h)[0]
for r in rows:
    if r["household_id"] == big:
        r["household_id"] = "H!<&\"'>\u00fc"
with open(d + "/customers.csv", "w", newline="", encoding="utf-8") as f:
    w = csv.DictWriter(f, fieldnames=list(rows[0]), lineterminator="\n")
    w.writeheader()
    w.writerows(rows)
PY
}

# report.html: every chart's figures recomputed from the manifest,
# rejects.csv, suppressed.csv and proofs.json; self-contained; data
# escaped; listed in the manifest and checked by verify; the same bytes at
# 1 and 2 threads outside the timings; output.report: false turns it off.
t_report_html() {
    local d="$WORK/rep"
    report_setup "$d"
    set +e
    "$FOLIO" run "$d/job.yaml" --out "$d/out" --threads 2 -q 2>"$d/err"; local rc=$?
    set -e
    [ "$rc" = 3 ] || { cat "$d/err"; fail_at "$LINENO"; }
    python3 "$ROOT/tests/e2e/check_report.py" "$d/out"
    # the planted strings: escaped, never raw
    grep -q "H!&lt;&amp;&quot;&#39;&gt;ü" "$d/out/report.html" || fail_at "$LINENO"
    grep -q "&lt;i&gt;&amp;&quot;&#39;ü名&lt;/i&gt;" "$d/out/report.html" || fail_at "$LINENO"
    ! grep -q "<i>&" "$d/out/report.html" || fail_at "$LINENO"
    ! grep -q "H!<&" "$d/out/report.html" || fail_at "$LINENO"
    # listed under records with the SHA-256 of its bytes outside the timings
    # section (so the manifest stays the same bytes run after run); verify
    # checks it
    python3 - "$d/out" <<'PY'
import hashlib, json, re, sys
out = sys.argv[1]
m = json.load(open(out + "/manifest.json"))
r = [x for x in m["records"] if x["file"] == "report.html"]
assert len(r) == 1, m["records"]
data = open(out + "/report.html", "rb").read()
cut = re.sub(rb"<!-- folio:timings:begin -->\n.*?<!-- folio:timings:end -->\n", b"", data,
             flags=re.S)
assert len(cut) < len(data) - 200
assert r[0]["sha256"] == hashlib.sha256(cut).hexdigest() and r[0]["bytes"] == len(cut), r
assert r[0]["hashed"] == "without its timings section"
PY
    "$FOLIO" verify "$d/out" >"$d/v1"
    cp -r "$d/out" "$d/tampered"
    sed -i 's/Households by channel/Households by chanel/' "$d/tampered/report.html"
    set +e
    "$FOLIO" verify "$d/tampered" >"$d/v2" 2>&1; rc=$?
    set -e
    [ "$rc" = 1 ] && grep -q "MISMATCH report.html: sha256" "$d/v2" || { cat "$d/v2"; fail_at "$LINENO"; }
    # a link slipped into the timings section is not "just timings"
    rm -rf "$d/tampered" && cp -r "$d/out" "$d/tampered"
    sed -i 's|<h2>Timings</h2>|<h2>Timings <a href="https://example.com/">x</a></h2>|' \
        "$d/tampered/report.html"
    set +e
    "$FOLIO" verify "$d/tampered" >"$d/v3" 2>&1; rc=$?
    set -e
    [ "$rc" = 1 ] && grep -q "MISMATCH report.html: its timings section" "$d/v3" || { cat "$d/v3"; fail_at "$LINENO"; }
    # deterministic outside the timings (1 thread vs 2), the manifest entirely
    "$FOLIO" run "$d/job.yaml" --out "$d/out1" --threads 1 -q 2>/dev/null || [ $? = 3 ]
    cmp "$d/out/manifest.json" "$d/out1/manifest.json" || fail_at "$LINENO"
    strip() { sed '/folio:timings:begin/,/folio:timings:end/d' "$1"; }
    cmp <(strip "$d/out/report.html") <(strip "$d/out1/report.html") || fail_at "$LINENO"
    grep -q "folio:timings:begin" "$d/out1/report.html" || fail_at "$LINENO"
    # output.report: false
    sed -i 's/^output:$/output:\n  report: false/' "$d/job.yaml"
    grep -q "^  report: false" "$d/job.yaml" || fail_at "$LINENO"
    "$FOLIO" run "$d/job.yaml" --out "$d/out" -q 2>/dev/null || [ $? = 3 ]
    [ ! -e "$d/out/report.html" ] || fail_at "$LINENO"
    ! grep -q report.html "$d/out/manifest.json" || fail_at "$LINENO"
    "$FOLIO" verify "$d/out" >/dev/null
}

# A run killed while writing its records leaves no report.html (nor a
# .part); one killed at a rename leaves no manifest, so no report looks
# complete.
t_report_killed() {
    local d="$WORK/repk"
    "$FOLIO" samples --households 200 --seed 62 --out "$d" >/dev/null
    set +e
    FOLIO_TEST_PHASES=1 FOLIO_TEST_STOP_AT=records "$FOLIO" run "$d/job.yaml" --out "$d/out" -q 2>"$d/err" &
    local pid=$!
    set -e
    wait_stopped $pid
    kill -TERM $pid; kill -CONT $pid
    set +e; wait $pid; local rc=$?; set -e
    [ "$rc" = 1 ] || { cat "$d/err"; fail_at "$LINENO"; }
    [ -z "$(find "$d/out" -name 'report.html*')" ] || fail_at "$LINENO"
    [ ! -e "$d/out/manifest.json" ] || fail_at "$LINENO"
}

# In headless Chromium: the page loads without console errors, the DOM has
# its charts, and a screenshot of it is a real picture of the size asked.
t_report_chromium() {
    local chr
    chr="$(command -v chromium || command -v chromium-browser || true)"
    if [ -z "$chr" ]; then echo "SKIP: chromium is not installed (make deps)"; return 0; fi
    local d="$WORK/repc"
    report_setup "$d" 600
    "$FOLIO" run "$d/job.yaml" --out "$d/out" -q 2>/dev/null || [ $? = 3 ]
    local url="file://$d/out/report.html"
    # as root (CI) Chromium needs --no-sandbox
    local flags=(--headless --disable-gpu --no-sandbox --no-first-run --user-data-dir="$d/profile"
                 --enable-logging=stderr --v=0)
    timeout 180 "$chr" "${flags[@]}" --dump-dom "$url" >"$d/dom.html" 2>"$d/dom.log"
    timeout 180 "$chr" "${flags[@]}" --window-size=1100,2600 --hide-scrollbars \
        --screenshot="$d/shot.png" "$url" >"$d/shot.out" 2>"$d/shot.log"
    # console messages and CSP refusals are logged as CONSOLE / "Refused to"
    ! grep -E "CONSOLE|Refused to|Uncaught|net::ERR" "$d/dom.log" "$d/shot.log" || fail_at "$LINENO"
    python3 - "$d/dom.html" "$d/shot.png" "$d/out" <<'PY'
import re, struct, sys, zlib, json
dom = open(sys.argv[1], encoding="utf-8").read()
charts = re.findall(r'<svg class="chart" data-chart="([a-z_]+)"', dom)
bars = re.findall(r'<rect class="bar s\d"', dom)
assert "channels" in charts and "timings" in charts and len(bars) > 20, (charts, len(bars))
# every chart the browser built has data: bars inside its own <svg>
for part in re.split(r'(?=<svg class="chart" data-chart=")', dom)[1:]:
    name = re.match(r'<svg class="chart" data-chart="([a-z_]+)"', part).group(1)
    assert re.search(r'<rect class="bar s\d"', part[:part.index("</svg>")]), "chart %s has no bar" % name
assert "Run report:" in dom
png = open(sys.argv[2], "rb").read()
assert png[:8] == b"\x89PNG\r\n\x1a\n", "not a PNG"
w, h = struct.unpack(">II", png[16:24])
assert (w, h) == (1100, 2600), (w, h)
# the pixels: IDAT data inflated, its rows un-filtered, then colours counted
idat, pos = b"", 8
while pos < len(png):
    n, = struct.unpack(">I", png[pos:pos + 4])
    kind = png[pos + 4:pos + 8]
    if kind == b"IDAT":
        idat += png[pos + 8:pos + 8 + n]
    pos += 12 + n
bitdepth, ctype = png[24], png[25]
assert bitdepth == 8 and ctype in (2, 6), (bitdepth, ctype)
bpp = 3 if ctype == 2 else 4
raw = zlib.decompress(idat)
stride = w * bpp
prev = bytearray(stride)
colours = set()
blue = 0
for y in range(h):
    f = raw[y * (stride + 1)]
    line = bytearray(raw[y * (stride + 1) + 1:(y + 1) * (stride + 1)])
    for i in range(stride):
        a = line[i - bpp] if i >= bpp else 0
        b = prev[i]
        c = prev[i - bpp] if i >= bpp else 0
        if f == 1: line[i] = (line[i] + a) & 255
        elif f == 2: line[i] = (line[i] + b) & 255
        elif f == 3: line[i] = (line[i] + (a + b) // 2) & 255
        elif f == 4:
            p = a + b - c
            pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
            pr = a if pa <= pb and pa <= pc else (b if pb <= pc else c)
            line[i] = (line[i] + pr) & 255
    if y % 4 == 0:
        for x in range(0, w, 2):
            px = tuple(line[x * bpp:x * bpp + 3])
            colours.add(px)
            blue += px == (0x3b, 0x6e, 0xa8)
    prev = line
assert len(colours) > 30, "the screenshot is blank (%d colours)" % len(colours)
assert blue > 200, "no bar drawn in the chart colour (%d pixels)" % blue
print("screenshot %dx%d, %d colours, %d bar pixels sampled, %d bytes; dom %d charts, %d bars"
      % (w, h, len(colours), blue, len(png), len(charts), len(bars)))
PY
}

# The progress line on a pseudo-terminal: every redraw is "\r" + text +
# ESC[K, each phase is shown (the archive with its documents counted to the
# end), and the summary's phase times add up to the wall time.  Off a
# terminal: no progress, the same phases line.
t_progress_tty() {
    local d="$WORK/prog"
    "$FOLIO" samples --households 1500 --seed 63 --out "$d" >/dev/null
    python3 - "$FOLIO" "$d" <<'PY'
import os, pty, re, select, subprocess, sys, termios, tty, json
folio, d = sys.argv[1], sys.argv[2]
m, s = pty.openpty()
tty.setraw(s)                       # no \n -> \r\n translation: bytes as written
p = subprocess.Popen([folio, "run", d + "/job.yaml", "--out", d + "/out"], stdin=subprocess.DEVNULL,
                     stdout=subprocess.PIPE, stderr=s)
os.close(s)
err = b""
while True:
    r, _, _ = select.select([m], [], [], 0.2)
    if r:
        try:
            chunk = os.read(m, 65536)
        except OSError:
            break
        if not chunk:
            break
        err += chunk
    elif p.poll() is not None:
        break
out = p.stdout.read().decode()
rc = p.wait()
assert rc in (0, 3), (rc, err[-500:])
text = err.decode("utf-8", "replace")
draws = re.findall(r"\r([^\r\n\x1b]*)(\x1b\[K)?", text)
assert draws, "no progress on a terminal: %r" % text[:300]
for t, clear in draws:
    assert clear, "a redraw does not clear to the end of the line: %r" % t
    assert len(t) <= 78, "a line longer than 78 columns: %r" % t
shown = [t.split()[0] for t, _ in draws if t.strip()]
for ph in ("load", "plan", "compose", "archive", "production", "print", "proofs", "records",
           "publish"):
    assert ph in shown, "phase %s never shown: %s" % (ph, sorted(set(shown)))
man = json.load(open(d + "/out/manifest.json"))
n = man["counts"]["archive_documents"]
assert n > 0
arch = [t for t, _ in draws if t.startswith("archive ") and " archived " in t]
assert arch, "the archive phase shows no progress"
assert any(" archived %d/%d " % (n, n) in t for t in arch), arch[-3:]
assert not re.search(r"left -?\d{5,}s", text), "an absurd time left"
ln = [l for l in out.splitlines() if l.strip().startswith("phases")]
assert len(ln) == 1, out
parts = re.findall(r"([a-z]+) (\d+\.\d\d)s", ln[0].split("=")[0])
wall = float(re.search(r"= (\d+\.\d\d)s wall", ln[0]).group(1))
total = sum(float(v) for _, v in parts)
assert [k for k, _ in parts][-1] == "other"
assert abs(total - wall) <= 0.005 * (len(parts) + 1) + 1e-9, (total, wall, ln[0])
print("%d redraws, all cleared; archive %d/%d shown; phases %.2f s = wall %.2f s"
      % (len(draws), n, n, total, wall))
PY
    # not a terminal: nothing but the summary's lines, phases adding up
    "$FOLIO" run "$d/job.yaml" --out "$d/out2" >"$d/o2" 2>"$d/e2" || [ $? = 3 ]
    ! grep -q $'\r' "$d/e2" || fail_at "$LINENO"
    ! grep -q $'\x1b' "$d/e2" || fail_at "$LINENO"
    python3 - "$d/o2" <<'PY'
import re, sys
ln = [l for l in open(sys.argv[1]) if l.strip().startswith("phases")][0]
parts = [float(v) for v in re.findall(r"[a-z]+ (\d+\.\d\d)s", ln.split("=")[0])]
wall = float(re.search(r"= (\d+\.\d\d)s wall", ln).group(1))
assert abs(sum(parts) - wall) <= 0.005 * (len(parts) + 1) + 1e-9, ln
PY
}

run_test report_html t_report_html
run_test report_killed t_report_killed
run_test report_chromium t_report_chromium
run_test progress_tty t_progress_tty
