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
    "$FOLIO" samples --households 20 --seed 8 --out "$d/feeds" >/dev/null
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

# issue 13 part 2: a chart has a box like any element and never moves other
# content: without offers (they fill the white space a chart's box takes),
# "page" (a first-page chart at x 396, y 148, 168 x 96, and the logo at 250,
# 26, 120 x 40) prints every word of "none" where "none" prints it, and its
# own words only inside those boxes
for v in ("none", "page"):
    t = open(jobs[v], encoding="utf-8").read()
    t = re.sub(r"(?ms)^offers:.*?(?=^\S|\Z)", "", t)
    assert "catalogue" not in t
    jp = os.path.join(os.path.dirname(jobs[v]), "job-nooffers-%s.yaml" % v)
    open(jp, "w", encoding="utf-8").write(t)
    p = subprocess.run([folio, "run", "-q", jp, "--out", os.path.join(d, "out-" + v + "-x")],
                       capture_output=True, text=True)
    assert p.returncode in (0, 3), (v, p.returncode, p.stderr)

def words(v):
    out = set()
    for f in sorted(glob.glob(os.path.join(d, "out-" + v, "print", "*.pdf"))):
        x = run("pdftotext", "-bbox", f, "-")
        for pno, page in enumerate(x.split("<page ")[1:]):
            for a, b, c, e, w in re.findall(r'<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" '
                                            r'yMax="([\d.]+)">([^<]*)</word>', page):
                out.add((os.path.basename(f), pno, round(float(a), 1), round(float(b), 1), w))
    return out
wn, wp = words("none-x"), words("page-x")
missing = wn - wp
assert not missing, "the chart moved other content: %s" % sorted(missing)[:5]
boxes = [(396, 148, 396 + 168, 148 + 96), (250, 26, 370, 66)]
stray = [w for w in wp - wn if not any(x0 - 1 <= w[2] <= x1 and y0 - 1 <= w[3] <= y1
                                       for x0, y0, x1, y1 in boxes)]
assert not stray, "chart words outside its box: %s" % stray[:5]
assert len(wp - wn) > 0, "the first-page chart drew no labels"
print("first-page chart: %d words of the page unmoved, %d of its own inside its box"
      % (len(wn), len(wp - wn)))
PY
}
run_test cost13_variants t_cost13_variants
