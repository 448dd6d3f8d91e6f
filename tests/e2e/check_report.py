# SPDX-License-Identifier: Apache-2.0
"""Check OUT/report.html (issue 16 part 5) against the run's own records.

  check_report.py OUT

Every figure of every chart is recomputed independently: channels, streams,
print files, exceptions, offers and languages from manifest.json; rejected
rows by reason from rejects.csv; suppressions by reason from suppressed.csv;
the proof links from proofs/proofs.json.  The page must be self-contained:
no URL, script, external resource or CSS import.  Exit 1 with the first
difference.
"""
import csv
import html.parser
import json
import os
import re
import sys
from collections import Counter, OrderedDict

OUT = sys.argv[1]


def fail(msg):
    print("check_report: " + msg)
    sys.exit(1)


class Page(html.parser.HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.charts = OrderedDict()     # id -> [(label, series, value)]
        self.chart = None
        self.last_chart = None
        self.tables = {}                # chart id -> [[cell text]]
        self.table = None
        self.row = None
        self.cell = None
        self.proof_links = []
        self.proof_households = []
        self.in_proofs = False
        self.timings_total = None
        self.tags = Counter()

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        self.tags[tag] += 1
        if tag == "svg" and "chart" in (a.get("class") or "").split():
            self.chart = a["data-chart"]
            if self.chart in self.charts:
                fail("chart %s twice" % self.chart)
            self.charts[self.chart] = []
        elif tag == "rect" and self.chart and "bar" in (a.get("class") or "").split():
            self.charts[self.chart].append((a["data-label"], a["data-series"],
                                            float(a["data-value"])))
        elif tag == "table" and "reasons" in (a.get("class") or "").split():
            self.table = self.tables.setdefault(self.last_chart, [])
        elif tag == "table" and self.in_proofs:
            self.table = self.tables.setdefault("proofs", [])
        elif tag == "tr" and self.table is not None:
            self.row = []
            self.table.append(self.row)
        elif tag in ("td", "th") and self.row is not None:
            self.cell = []
        elif tag == "section":
            self.in_proofs = a.get("id") == "proofs"
        elif tag == "a" and "proof" in (a.get("class") or "").split():
            self.proof_links.append(a["href"])
        elif tag == "p" and a.get("id") == "timings-total":
            self.timings_total = float(a["data-value"])

    def handle_endtag(self, tag):
        if tag == "svg" and self.chart:
            self.last_chart = self.chart
            self.chart = None
        elif tag == "table":
            self.table = None
            self.row = None
        elif tag in ("td", "th") and self.cell is not None and self.row is not None:
            self.row.append("".join(self.cell).strip())
            self.cell = None

    def handle_data(self, data):
        if self.cell is not None:
            self.cell.append(data)


raw = open(os.path.join(OUT, "report.html"), encoding="utf-8").read()
for bad, why in [(r"(?i)https?://", "a URL"), (r"(?i)<script", "a script"),
                 (r"(?i)<link", "a link element"), (r"(?i)<img", "an image element"),
                 (r"(?i)<iframe", "a frame"), (r"(?i)url\(", "a CSS url()"),
                 (r"(?i)@import", "a CSS import"), (r"(?i)\ssrc\s*=", "a src attribute"),
                 (r"(?i)<object|<embed", "an embedded object")]:
    if re.search(bad, raw):
        fail("report.html has %s" % why)
if "default-src 'none'" not in raw:
    fail("no Content-Security-Policy default-src 'none'")
for m in re.finditer(r'href="([^"]*)"', raw):
    h = m.group(1)
    if not (h.startswith("#") or re.match(r"^[A-Za-z0-9_./-]+(#page=\d+)?$", h)) or ".." in h:
        fail("link %r is not relative inside OUT" % h)
    target = h.split("#")[0]
    if target and not os.path.exists(os.path.join(OUT, target)):
        fail("link %r: no such file in OUT" % h)

p = Page()
p.feed(raw)
p.close()
m = json.load(open(os.path.join(OUT, "manifest.json"), encoding="utf-8"))

expected = OrderedDict()


def expect(chart, rows):
    """rows: [(label, series, value)] in the page's order"""
    expected[chart] = rows


c = m["counts"]["statements"]
expect("channels", [(k, "households", c[k]) for k in ("print", "email", "both", "suppressed")])
expect("streams", [(s["name"], "statements", s["statements"]) for s in m["streams"]])
files = OrderedDict()
for o in m["outputs"]:
    if o.get("channel") == "print" and o["file"].startswith("print/"):
        name = o["file"][len("print/"):]
        base = name.rsplit(".", 1)[0]
        if base not in files:           # the first format names the file
            files[base] = (name, o["pages"], o["sheets"])
rows = []
for name, pages, sheets in files.values():
    rows += [(name, "pages", pages), (name, "sheets", sheets)]
if rows:
    expect("files", rows)


def top10(items):
    """items: [(reason, example)] in file order -> [(reason, count, [examples])]"""
    count = Counter(r for r, _ in items)
    ex = {}
    for r, e in items:
        ex.setdefault(r, [])
        if len(ex[r]) < 3:
            ex[r].append(e)
    order = sorted(count, key=lambda r: (-count[r], r.encode("utf-8")))[:10]
    return [(r, count[r], ex[r]) for r in order]


with open(os.path.join(OUT, "rejects.csv"), encoding="utf-8", newline="") as f:
    rej = [(r["reason"], "%s:%s%s" % (r["file"], r["line"],
                                      " (%s)" % r["column"] if r["column"] else ""))
           for r in csv.DictReader(f)]
with open(os.path.join(OUT, "suppressed.csv"), encoding="utf-8", newline="") as f:
    sup = list(csv.DictReader(f))
sh = [(r["reason"], "household " + r["id"]) for r in sup if r["kind"] == "household"]
sa = [(r["reason"], "account %s at %s:%s" % (r["id"], r["file"], r["line"]))
      for r in sup if r["kind"] == "account"]
reasons = {}
for chart, items, series in (("rejects", rej, "rows"), ("suppressed_households", sh, "households"),
                             ("suppressed_accounts", sa, "accounts")):
    t = top10(items)
    reasons[chart] = t
    if t:
        expect(chart, [(r, series, n) for r, n, _ in t])
exc = m["counts"]["exceptions"]
rows = [(k, "cases", v) for k, v in exc.items() if k != "total" and v]
if rows:
    expect("exceptions", rows)
if "offers" in m:
    rows, vrows = [], []
    for o in m["offers"]["by_offer"]:
        rows += [(o["id"], "shown", o["shown"]), (o["id"], "held out", o["held_out"])]
        for v in o["variants"]:
            vrows.append((o["id"] + (" / " + v["id"] if v["id"] else ""), "shown", v["shown"]))
    expect("offers", rows)
    expect("offer_variants", vrows)
    if 'id="uplift"' not in raw or "folio:uplift-hook" not in raw:
        fail("no uplift section hook")
expect("languages", [(k, "statements", v)
                     for k, v in m["variations"]["statements_by_language"].items()])

timings = p.charts.pop("timings", None)
if not timings:
    fail("no timings chart")
for chart in list(p.charts):
    if not p.charts[chart]:
        fail("chart %s has no bars" % chart)
if list(p.charts) != list(expected):
    fail("charts %s, expected %s" % (list(p.charts), list(expected)))
for chart, rows in expected.items():
    got = p.charts[chart]
    want = [(l, s, float(v)) for l, s, v in rows]
    if got != want:
        for g, w in zip(got, want):
            if g != w:
                fail("chart %s: %r, expected %r" % (chart, g, w))
        fail("chart %s: %d bars, expected %d" % (chart, len(got), len(want)))
    print("chart %-22s %3d bars match" % (chart, len(got)))

# the reasons tables: count and the first three examples (file:line) of each
for chart, t in reasons.items():
    if not t:
        continue
    tab = p.tables.get(chart)
    if not tab:
        fail("no reasons table after chart %s" % chart)
    body = tab[1:]
    if len(body) != len(t):
        fail("%s: %d rows, expected %d" % (chart, len(body), len(t)))
    for row, (r, n, ex) in zip(body, t):
        if row[0] != r or int(row[1]) != n or row[2] != "; ".join(ex):
            fail("%s: row %r, expected %r" % (chart, row, (r, n, "; ".join(ex))))
    print("table %-22s %3d reasons match, with their examples" % (chart, len(t)))

# timings: every phase has a value, they add up to the total
ph = [l for l, _, _ in timings]
for need in ("load", "plan", "compose", "print", "records", "other"):
    if need not in ph:
        fail("timings lack phase %s: %s" % (need, ph))
s = sum(v for _, _, v in timings)
if p.timings_total is None or abs(s - p.timings_total) > 0.0005 * len(timings) + 1e-9:
    fail("timings add up to %.3f, total %r" % (s, p.timings_total))
print("timings: %d phases, %.3f s = total %.3f s" % (len(timings), s, p.timings_total))

# the proof sample: one link per sampled household, to its first page
pj = os.path.join(OUT, "proofs", "proofs.json")
if os.path.exists(pj):
    pr = json.load(open(pj, encoding="utf-8"))
    want = ["proofs/proof.pdf#page=%d" % x["first_page"] for x in pr["samples"]]
    if p.proof_links != want:
        fail("proof links %r, expected %r" % (p.proof_links[:5], want[:5]))
    hh = [row[1] for row in p.tables.get("proofs", [])[1:]]
    if hh != [x["household"] for x in pr["samples"]]:
        fail("proof households %r, expected %r" % (hh[:5], [x["household"] for x in pr["samples"]][:5]))
    print("proofs: %d links to their pages" % len(want))
elif p.proof_links:
    fail("proof links without a proof sample")
print("check_report: ok")
