#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""Issue 15 part 4: an independent computation of `folio report uplift`.

  check_uplift.py report SAMPLES_DIR REPORT.json [planted]
      Reads SAMPLES_DIR/uplift.yaml's feeds (offer_history.csv, responses.csv)
      itself, matches every response to the contact history (latest contact
      of the same key and offer on or before it, within attribution_days,
      variant as the contact's or "holdout" for a held-out row), computes
      Wilson / Newcombe hybrid score intervals and two-proportion sample
      sizes with its own code, and compares every figure of REPORT.json
      (integers exactly, doubles as the same 6- or 4-decimal rounding).
      With "planted": the samples' planted uplift (A -0.02, B +0.03) lies in
      each variant's interval.
  check_uplift.py manifest OUT REPORT.json
      OUT/manifest.json's "uplift" equals the report; the variants below
      control are retired and no statement shows them (audit.jsonl)."""
import bisect
import collections
import datetime
import json
import re
import math
import os
import sys

import folio_csv

Z95 = 1.959963984540054
Z80 = 0.8416212335729143
PLANTED = {"A": -0.02, "B": 0.03}
REASONS = ["no matching contact", "before the contact", "outside the attribution window",
           "variant mismatch"]


def fail(msg):
    print("FAIL: " + msg)
    sys.exit(1)


def wilson(x, n):
    p = x / n
    root = Z95 * math.sqrt(Z95 * Z95 + 4.0 * x * (1.0 - p))
    den = 2.0 * (n + Z95 * Z95)
    return max(0.0, (2.0 * x + Z95 * Z95 - root) / den), min(1.0, (2.0 * x + Z95 * Z95 + root) / den)


def newcombe(x1, n1, x2, n2):
    l1, u1 = wilson(x1, n1)
    l2, u2 = wilson(x2, n2)
    p1, p2 = x1 / n1, x2 / n2
    d = p1 - p2
    return (d - math.sqrt((p1 - l1) * (p1 - l1) + (u2 - p2) * (u2 - p2)),
            d + math.sqrt((u1 - p1) * (u1 - p1) + (p2 - l2) * (p2 - l2)))


def sample_size(p1, p2):
    if p1 == p2:
        return None
    pb = (p1 + p2) / 2.0
    a = Z95 * math.sqrt(2.0 * pb * (1.0 - pb)) + Z80 * math.sqrt(p1 * (1.0 - p1) + p2 * (1.0 - p2))
    return math.ceil(a * a / ((p1 - p2) * (p1 - p2)))


def dec(x, n):
    """Rounded half away from zero to n decimals, as folio prints it."""
    s = 10.0 ** n
    v = math.floor(abs(x) * s + 0.5)
    neg = x < 0 and v
    return ("-" if neg else "") + "%d.%0*d" % (v // int(s), n, v % int(s))


def read_csv(path):
    with open(path, encoding="utf-8", newline="") as f:
        return list(folio_csv.DictReader(f))


def compute(d, days):
    contacts = read_csv(os.path.join(d, "offer_history.csv"))
    responses = read_csv(os.path.join(d, "responses.csv"))
    date = datetime.date.fromisoformat
    by = collections.defaultdict(list)
    for i, c in enumerate(contacts):
        by[(c["contact_key"], c["offer_id"])].append((date(c["contact_date"]), i))
    for v in by.values():
        v.sort()
    answered = set()
    miss = []
    matched = repeats = 0
    for line, r in enumerate(responses, start=2):
        lst = by.get((r["household_id"], r["offer_id"]))
        rd = date(r["response_date"])
        if not lst:
            miss.append((line, r, REASONS[0]))
            continue
        k = bisect.bisect_right([x[0] for x in lst], rd)
        if k == 0:
            miss.append((line, r, REASONS[1]))
            continue
        # latest on or before the response; among equal dates the last in file order
        cd, ci = lst[k - 1]
        if (rd - cd).days > days:
            miss.append((line, r, REASONS[2]))
            continue
        c = contacts[ci]
        want = "holdout" if c["channel"] == "holdout" else c["variant"]
        if r["variant"] and r["variant"] != want:
            miss.append((line, r, REASONS[3]))
            continue
        matched += 1
        if ci in answered:
            repeats += 1
        answered.add(ci)
    groups = collections.defaultdict(lambda: [0, 0])
    hold = collections.defaultdict(lambda: [0, 0])
    for i, c in enumerate(contacts):
        g = hold[c["offer_id"]] if c["channel"] == "holdout" else groups[(c["offer_id"], c["variant"])]
        g[0] += 1
        g[1] += i in answered
    rows = []
    for (offer, var) in sorted(groups, key=lambda k: (k[0].encode(), k[1].encode())):
        n, x = groups[(offer, var)]
        hn, hx = hold[offer] if offer in hold else (0, 0)
        row = {"offer": offer, "variant": var, "contacts": n, "responses": x, "rate": dec(x / n, 6),
               "holdout_contacts": hn, "holdout_responses": hx,
               "holdout_rate": dec(hx / hn, 6) if hn else None}
        if hn:
            p1, p2 = x / n, hx / hn
            lo, hi = newcombe(x, n, hx, hn)
            row.update(uplift=dec(p1 - p2, 6), ci95=[dec(lo, 6), dec(hi, 6)],
                       relative_uplift=dec((p1 - p2) / p2, 4) if hx else None,
                       sample_size=sample_size(p1, p2), below_control=hi < 0, raw=(lo, hi))
        rows.append(row)
    return {"responses": len(responses), "matched": matched, "repeats": repeats, "miss": miss,
            "rows": rows}


def num(v):
    """A JSON number as folio printed it (the json module parsed it to float)."""
    return None if v is None else v


def check_report(d, report_path, planted):
    rep = json.load(open(report_path, encoding="utf-8"), parse_float=str)
    days = int(rep["attribution_days"])
    want = compute(d, days)
    for k in ("responses", "matched", "repeats"):
        if rep[k] != want[k]:
            fail("%s: folio %s, python %s" % (k, rep[k], want[k]))
    cnt = collections.Counter(m[2] for m in want["miss"])
    for k in REASONS:
        if rep["unmatched"][k] != cnt[k]:
            fail("unmatched %r: folio %s, python %s" % (k, rep["unmatched"][k], cnt[k]))
    got_miss = [(m["line"], m["key"], m["offer"], m["date"], m["reason"]) for m in rep["unmatched_responses"]]
    exp_miss = [(l, r["household_id"], r["offer_id"], r["response_date"], why) for l, r, why in want["miss"]]
    if got_miss != exp_miss:
        fail("unmatched responses listed differ:\n folio %s\n python %s" % (got_miss[:5], exp_miss[:5]))
    if len(rep["by_variant"]) != len(want["rows"]):
        fail("rows: folio %d, python %d" % (len(rep["by_variant"]), len(want["rows"])))
    for g, w in zip(rep["by_variant"], want["rows"]):
        for k in ("offer", "variant", "contacts", "responses", "rate", "holdout_contacts",
                  "holdout_responses", "holdout_rate", "uplift", "ci95", "relative_uplift",
                  "sample_size", "below_control"):
            if g.get(k) != w.get(k):
                fail("%s/%s %s: folio %r, python %r" % (w["offer"], w["variant"], k, g.get(k), w.get(k)))
        print("%s/%s: %d/%d vs holdout %d/%d, uplift %s, 95%% [%s, %s], n/group %s" % (
            w["offer"], w["variant"], w["responses"], w["contacts"], w["holdout_responses"],
            w["holdout_contacts"], w["uplift"], w["ci95"][0], w["ci95"][1], w["sample_size"]))
        if planted and w["variant"] in PLANTED:
            lo, hi = w["raw"]
            if not lo <= PLANTED[w["variant"]] <= hi:
                fail("%s: planted uplift %s outside [%s, %s]" % (w["variant"], PLANTED[w["variant"]], lo, hi))
    if planted:
        vs = {w["variant"] for w in want["rows"]}
        if vs != set(PLANTED):
            fail("variants %s, planted %s" % (sorted(vs), sorted(PLANTED)))
        if not want["miss"]:
            fail("expected unattributed responses in the samples")
    print("uplift ok: %d responses, %d attributed, %d listed as not attributed"
          % (want["responses"], want["matched"], len(want["miss"])))


def check_manifest(out, report_path):
    rep = json.load(open(report_path, encoding="utf-8"))
    man = json.load(open(os.path.join(out, "manifest.json"), encoding="utf-8"))
    mu = man.get("uplift")
    if mu is None:
        fail("manifest.json has no uplift section")
    strip = lambda r: {k: v for k, v in r.items() if k not in ("retired", "not_retired")}
    for k in rep:
        if k == "by_variant":
            continue
        if mu.get(k) != rep[k]:
            fail("manifest uplift %s differs from the report" % k)
    if [strip(r) for r in mu["by_variant"]] != rep["by_variant"]:
        fail("manifest uplift rows differ from the report")
    retired = {(r["offer"], r["variant"]) for r in mu["by_variant"] if r.get("retired")}
    below = {(r["offer"], r["variant"]) for r in rep["by_variant"] if r["below_control"]}
    if retired != below or not retired:
        fail("retired %s, below control %s" % (sorted(retired), sorted(below)))
    shown = collections.Counter()
    with open(os.path.join(out, "audit.jsonl"), encoding="utf-8") as f:
        for line in f:
            a = json.loads(line)
            for p in a.get("offers", {}).get("placed", []):
                shown[(p["offer"], p.get("variant", ""))] += 1
    for k in retired:
        if shown[k]:
            fail("retired %s/%s shown %d times" % (k[0], k[1], shown[k]))
        if not any(o == k[0] and n for (o, v), n in shown.items()):
            fail("offer %s of a retired variant never shown at all" % k[0])
    # report.html shows the same rows (issue 16 part 5's uplift section)
    html = open(os.path.join(out, "report.html"), encoding="utf-8").read()
    sec = re.search(r'<section id="uplift">(.*?)</section>', html, re.S)
    if not sec or '<table class="uplift">' not in sec.group(1):
        fail("report.html has no uplift table")
    cells = [re.findall(r"<td>(.*?)</td>", r) for r in re.findall(r"<tr><td>.*?</tr>", sec.group(1))]
    if len(cells) != len(mu["by_variant"]):
        fail("report.html uplift rows %d, manifest %d" % (len(cells), len(mu["by_variant"])))
    for c, r in zip(cells, mu["by_variant"]):
        want = [r["offer"], r["variant"] or "-", str(r["contacts"]), str(r["responses"])]
        if c[:4] != want:
            fail("report.html uplift row %s, manifest %s" % (c[:4], want))
        if ("retired in this run" in c[-1]) != bool(r.get("retired")):
            fail("report.html uplift status %r for %s/%s" % (c[-1], r["offer"], r["variant"]))
    print("manifest uplift ok: retired %s; shown %s; report.html rows %d"
          % (sorted(retired), dict(shown), len(cells)))


if __name__ == "__main__":
    if sys.argv[1] == "report":
        check_report(sys.argv[2], sys.argv[3], len(sys.argv) > 4 and sys.argv[4] == "planted")
    else:
        check_manifest(sys.argv[2], sys.argv[3])
