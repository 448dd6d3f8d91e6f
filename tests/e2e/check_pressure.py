#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""Issue 15 part 3: contact pressure, recomputed.

  check_pressure.py make DIR
      From DIR (a `folio samples` set): DIR/pressure.yaml (an offer catalogue
      of five offers of one size: marketing M1 M2 (20% holdout) M3 (cap 1 in
      6 months), service S1, feedback F1), DIR/history.csv (a constructed
      contact history: per household, in turn, nothing / one contact in the
      window / two contacts one keyed by a customer id / a held-out row and
      an old contact / a feedback request 100 days ago / an M3 contact and a
      feedback request 200 days ago) and DIR/pressure-job.yaml
      (household_cap: {times: 2, days: 90}).
  check_pressure.py check DIR OUT
      For every statement: the contacts the cap counts (history rows of the
      household's ids in the 90 days, held-out rows not counted, plus 1 for
      an e-delivered statement), then the eligible offers in priority order:
      a marketing or feedback offer is withheld once the count reached 2, a
      held-out one is skipped, a placed one adds 1 -- the audit's placed and
      withheld lists must be exactly that; the feedback quiet period exactly
      where a feedback request lies within 180 days; the manifest's
      contacts_per_household equals a recount from OUT/contact_history.csv
      and the withheld counts equal the audit's."""
import collections
import datetime
import json
import os
import sys

import folio_csv

CAP, DAYS, QUIET = 2, 90, 180
KIND = {"M1": "marketing", "S1": "service", "M2": "marketing", "M3": "marketing", "F1": "feedback"}
PRIO = ["M1", "S1", "M2", "M3", "F1"]          # priority order (90, 85, 80, 70, 60)


def fail(msg):
    print("FAIL: " + msg)
    sys.exit(1)


def offer(oid, prio, kind, extra=""):
    return ("  - id: %s\n    sells: \"%s\"\n    kind: %s\n    priority: %d\n"
            "    channels: [print, email]\n    sizes:\n      - {name: box, width: 168, height: 96}\n"
            "    content:\n      en: {headline: \"Offer %s\", body: \"Short text.\", cta: \"Call us\"}\n"
            "    response_code: %s01\n%s" % (oid, oid, kind, prio, oid, oid, extra))


def make(d):
    cat = "default_language: en\noffers:\n" + offer("M1", 90, "marketing") + \
        offer("S1", 85, "service") + offer("M2", 80, "marketing", "    holdout: 20\n") + \
        offer("M3", 70, "marketing", "    cap: {times: 1, months: 6}\n") + \
        offer("F1", 60, "feedback", "    feedback_quiet_days: %d\n" % QUIET)
    open(os.path.join(d, "pressure.yaml"), "w", encoding="utf-8").write(cat)
    today = datetime.date(2026, 11, 1)
    ago = lambda n: (today - datetime.timedelta(days=n)).isoformat()
    with open(os.path.join(d, "customers.csv"), encoding="utf-8", newline="") as f:
        cust = list(folio_csv.DictReader(f))
    homes = collections.OrderedDict()
    for c in cust:
        homes.setdefault(c["household_id"] or c["customer_id"], []).append(c["customer_id"])
    rows = []
    for i, (hh, cs) in enumerate(homes.items()):
        k = i % 6
        if k == 1:
            rows.append([hh, "M1", ago(30), "", "print"])
        elif k == 2:
            rows.append([hh, "M1", ago(10), "", "print"])
            rows.append([cs[0], "OLD-CAMPAIGN", ago(40), "", "email"])   # not in the catalogue
        elif k == 3:
            rows.append([hh, "M2", ago(5), "", "holdout"])
            rows.append([hh, "M1", ago(120), "", "print"])
        elif k == 4:
            rows.append([hh, "F1", ago(100), "", "email"])
        elif k == 5:
            rows.append([hh, "M3", ago(20), "", "print"])
            rows.append([cs[-1], "F1", ago(200), "", "print"])
    with open(os.path.join(d, "history.csv"), "w", encoding="utf-8") as f:
        f.write("contact_key,offer_id,contact_date,variant,channel\n")
        for r in rows:
            f.write(",".join(r) + "\n")
    job = open(os.path.join(d, "job.yaml"), encoding="utf-8").read()
    job = job.replace("    path: contact_history.csv\n", "    path: history.csv\n", 1)
    job = job.replace("      contact_date: contact_date\n",
                      "      contact_date: contact_date\n      variant: variant\n      channel: channel\n", 1)
    cat_at = job.index("\noffers:\n")
    out_at = job.index("\noutput:\n")
    job = job[:cat_at] + ("\noffers:\n  catalogue: \"%s/pressure.yaml\"\n  max_per_statement: 4\n"
                          "  household_cap: {times: %d, days: %d}\n" % (d, CAP, DAYS)) + job[out_at:]
    open(os.path.join(d, "pressure-job.yaml"), "w", encoding="utf-8").write(job)


def check(d, out):
    man = json.load(open(os.path.join(out, "manifest.json"), encoding="utf-8"))
    today = datetime.date.fromisoformat(man["job"]["statement_date"])
    cp = man.get("contact_pressure")
    if not cp or cp["household_cap"] != {"times": CAP, "days": DAYS}:
        fail("manifest contact_pressure %s" % cp)

    def read(path):
        with open(path, encoding="utf-8", newline="") as f:
            idx = collections.defaultdict(list)
            for r in folio_csv.DictReader(f):
                idx[r["contact_key"]].append(r)
            return idx
    hist = read(os.path.join(d, "history.csv"))
    after = read(os.path.join(out, "contact_history.csv"))

    def count(idx, a, days, pred=lambda r: True):
        n = 0
        for k in {a["household"]} | set(a["customers"]):
            for r in idx.get(k, ()):
                dd = (today - datetime.date.fromisoformat(r["contact_date"])).days
                if r["channel"] != "holdout" and 0 <= dd < days and pred(r):
                    n += 1
        return n
    want_hist = collections.Counter()
    withheld = collections.Counter()
    n_with = n_after_service = n_quiet = 0
    with open(os.path.join(out, "audit.jsonl"), encoding="utf-8") as f:
        lines = [json.loads(x) for x in f]
    for a in lines:
        if a["channel"] == "suppressed":
            continue
        o = a["offers"]
        notif = 1 if a["channel"] in ("email", "both") else 0
        sent = count(hist, a, DAYS) + notif
        res = {c["id"]: c["result"] for c in o["considered"]}
        quiet = count(hist, a, QUIET, lambda r: KIND.get(r["offer_id"]) == "feedback") > 0
        if (res["F1"] == "feedback quiet period") != (quiet and res["F1"] in ("eligible", "feedback quiet period")):
            fail("household %s: F1 %s, feedback request within %d days: %s" % (a["household"], res["F1"], QUIET, quiet))
        n_quiet += res["F1"] == "feedback quiet period"
        not_placed = {x["id"] for x in o["not_placed"]}
        exp_placed, exp_withheld = [], []
        stopped = False
        for oid in PRIO:
            if res[oid] != "eligible":
                continue
            if stopped or oid in not_placed:
                stopped = True
                if oid not in not_placed:
                    fail("household %s: %s after a not-placed offer but not listed" % (a["household"], oid))
                continue
            if KIND[oid] != "service" and sent >= CAP:
                exp_withheld.append(oid)
            elif oid in o["held_out"]:
                pass
            else:
                exp_placed.append(oid)
                sent += 1
                if KIND[oid] == "service" and exp_withheld:
                    n_after_service += 1
            if len(exp_placed) == man["offers"]["max_per_statement"]:
                stopped = True
        got_placed = [p["offer"] for p in o["placed"]]
        got_withheld = o.get("household_cap", {}).get("withheld", [])
        if got_placed != exp_placed or got_withheld != exp_withheld:
            fail("household %s: placed %s withheld %s, expected placed %s withheld %s"
                 % (a["household"], got_placed, got_withheld, exp_placed, exp_withheld))
        withheld["household_cap"] += len(exp_withheld)
        withheld["offer_cap"] += sum(1 for v in res.values() if v == "frequency cap")
        n_with += bool(exp_withheld)
        # the histogram: a recount from OUT/contact_history.csv (history + this run)
        recount = count(after, a, DAYS) + notif
        if recount != sent:
            fail("household %s: %d contacts from contact_history.csv, %d by the walk" % (a["household"], recount, sent))
        want_hist[str(recount)] += 1
    withheld["feedback_quiet"] = n_quiet
    got_hist = {k: v for k, v in cp["contacts_per_household"].items()}
    if got_hist != dict(want_hist):
        fail("manifest contacts_per_household %s, recount %s" % (got_hist, dict(want_hist)))
    for k in ("household_cap", "offer_cap", "feedback_quiet"):
        if cp["withheld"][k] != withheld[k]:
            fail("manifest withheld %s %d, audit %d" % (k, cp["withheld"][k], withheld[k]))
        if not withheld[k]:
            fail("the constructed run withheld nothing by %s" % k)
    print("pressure ok: %d statements, %d with offers withheld by the household cap (%d offers), "
          "offer cap %d, feedback quiet %d; histogram %s" % (sum(want_hist.values()), n_with,
          withheld["household_cap"], withheld["offer_cap"], withheld["feedback_quiet"],
          dict(sorted(want_hist.items(), key=lambda kv: int(kv[0])))))


if __name__ == "__main__":
    if sys.argv[1] == "make":
        make(sys.argv[2])
    else:
        check(sys.argv[2], sys.argv[3])
