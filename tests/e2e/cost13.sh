# SPDX-License-Identifier: Apache-2.0
# tests/e2e/cost13.sh -- issue 13's performance goal is measured by perf/bench
# with perf/graphics_compare.py: jobs with and without a logo, charts, the
# payment coupon and links.  This test checks that each variant's job loads
# and draws what its name says (the bench's own runs are too big for a test):
# "none" has no image, no chart; "section" a 300x100 logo on every page and a
# chart per account section; "coupon" a scan line per coupon account; the
# archive of "links-a" more link annotations than "coupon-a", and that more
# than "sample-a".  Sourced by tests/e2e/run.sh (FOLIO, WORK, ROOT, fail_at).

t_cost13_variants() {
    local d="$WORK/cost13"
    rm -rf "$d"
    "$FOLIO" samples --households 40 --seed 8 --out "$d/feeds" >/dev/null
    python3 - "$FOLIO" "$ROOT" "$d" <<'PY'
import glob, os, re, subprocess, sys, zipfile
folio, root, d = sys.argv[1:4]
sys.path.insert(0, os.path.join(root, "perf"))
import graphics_compare as gc
jobs = gc.make_jobs(os.path.join(d, "feeds", "job.yaml"))
want = set(gc.PRINT_VARIANTS + gc.ARCHIVE_VARIANTS)
assert set(jobs) == want, (sorted(jobs), sorted(want))

def run(*a):
    return subprocess.run(a, check=True, capture_output=True, text=True).stdout

res = {}
for v, job in sorted(jobs.items()):
    out = os.path.join(d, "out-" + v)
    p = subprocess.run([folio, "run", "-q", job, "--out", out], capture_output=True, text=True)
    assert p.returncode in (0, 3), (v, p.returncode, p.stderr)
    assert p.stderr == "", "%s: the variant's run warns: %s" % (v, p.stderr)
    pdfs = sorted(glob.glob(out + "/print/*.pdf"))
    imgs, pages, text = [], 0, ""
    for f in pdfs:
        imgs += [l.split() for l in run("pdfimages", "-list", f).splitlines()[2:]]
        pages += int(re.search(r"Pages:\s+(\d+)", run("pdfinfo", f)).group(1))
        text += run("pdftotext", "-layout", f, "-")
    uris = 0
    for z in glob.glob(out + "/archive/*.zip"):
        zf = zipfile.ZipFile(z)
        for name in zf.namelist():
            if name.endswith(".pdf"):
                src, qdf = os.path.join(d, "a.pdf"), os.path.join(d, "a-qdf.pdf")
                open(src, "wb").write(zf.read(name))
                subprocess.run(["qpdf", "--qdf", "--object-streams=disable", src, qdf], check=True)
                uris += open(qdf, "rb").read().count(b"/S /URI")
    res[v] = dict(imgs=imgs, pages=pages, text=text, uris=uris,
                  zips=len(glob.glob(out + "/archive/*.zip")),
                  scan=len(re.findall(r"\b[0-9A-Z]+ \d{10} \d{10} \d\b", text)),
                  chart_dates=len(re.findall(r"(?m)^ *\d\d/01/2026 +\d\d/3[01]/2026 *$", text)))
    print("%-9s pages %4d images %4d charts %3d coupons %3d zips %d links %d"
          % (v, pages, len(imgs), res[v]["chart_dates"], res[v]["scan"], res[v]["zips"], uris))

def sizes(v):
    return {(int(r[3]), int(r[4])) for r in res[v]["imgs"]}

assert not res["none"]["imgs"] and not res["none"]["chart_dates"], "none still draws graphics"
assert sizes("sample") == {(96, 96)} and len(res["sample"]["imgs"]) == res["sample"]["pages"]
assert res["sample"]["chart_dates"] > 0
assert sizes("section") == {(300, 100)} and len(res["section"]["imgs"]) == res["section"]["pages"]
assert res["section"]["chart_dates"] > res["sample"]["chart_dates"], "a chart per account section"
assert sizes("page") == {(300, 100)} and res["page"]["pages"] == res["none"]["pages"]
assert res["coupon"]["scan"] > 0 and not any(res[v]["scan"] for v in ("none", "sample", "section", "page"))
for v in gc.PRINT_VARIANTS:
    assert res[v]["zips"] == 0, "%s: a print-only variant archived" % v
for v in gc.ARCHIVE_VARIANTS:
    assert res[v]["zips"] > 0, "%s: archive off" % v
assert res["links-a"]["uris"] > res["coupon-a"]["uris"] > res["sample-a"]["uris"], \
    [res[v]["uris"] for v in gc.ARCHIVE_VARIANTS]
PY
}
run_test cost13_variants t_cost13_variants
