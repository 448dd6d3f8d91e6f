#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""Independent checks of the offers in a folio run (docs/offers.md).

usage:
  check_offers.py run FEEDS_DIR OUT_DIR CATALOGUE
      audit.jsonl against manifest.json "offers" counts, OUT/contact_history.csv
      (input rows + one row per offer shown), the print PDFs (pdftotext: each
      statement's pages show exactly the response codes the audit says, and
      the headline), consent, frequency caps recomputed from the input
      contact history, quiet periods, holdout and coverage keys.
  check_offers.py next-month OUT1 OUT2 CATALOGUE
      OUT2 ran with OUT1/contact_history.csv as its contact feed: no offer
      beyond its cap, and some offers shown in OUT1 are now capped.
"""
import collections, csv, datetime, json, os, re, subprocess, sys
import yaml
import folio_csv  # folio's CSV cells: the injection prefix undone


def fail(msg):
    print("CHECK FAILED: " + msg)
    sys.exit(1)


def catalogue(path):
    c = yaml.safe_load(open(path, encoding="utf-8"))
    offers = {}
    for o in c["offers"]:
        codes = {}
        if o.get("variants"):
            for v in o["variants"]:
                codes[v["id"]] = v.get("response_code", o["response_code"])
        else:
            codes[""] = o["response_code"]
        offers[o["id"]] = dict(o, codes=codes)
    return offers


def audit_lines(out):
    return [json.loads(l) for l in open(os.path.join(out, "audit.jsonl"), encoding="utf-8")]


def months_before(d, m):
    t = d.year * 12 + d.month - 1 - m
    y, mo = divmod(t, 12)
    day = d.day
    while True:
        try:
            return datetime.date(y, mo + 1, day)
        except ValueError:
            day -= 1


def read_contacts(path):
    rows = []
    with open(path, encoding="utf-8", newline="") as f:
        for r in folio_csv.DictReader(f):
            rows.append(r)
    return rows


def household_keys(feeds):
    """customer id -> household id, from customers.csv (households with an id)."""
    m = {}
    with open(os.path.join(feeds, "customers.csv"), encoding="utf-8", newline="") as f:
        for r in csv.DictReader(f):
            m[r["customer_id"]] = r["household_id"]
    return m


def by_key(contacts):
    idx = collections.defaultdict(list)
    for r in contacts:
        idx[r["contact_key"]].append(r)
    return idx


def cap_counts(index, a, offers, today):
    """Contacts per offer counted for household line a (its id and customers)."""
    n = collections.Counter()
    for k in {a["household"]} | set(a["customers"]):
        for r in index.get(k, ()):
            if r.get("channel") == "holdout":     # issue 15: no contact
                continue
            o = offers.get(r["offer_id"])
            if not o or "cap" not in o:
                continue
            d = datetime.date.fromisoformat(r["contact_date"])
            if d > months_before(today, o["cap"]["months"]):
                n[r["offer_id"]] += 1
    return n


def pdf_pages_text(path):
    t = subprocess.run(["pdftotext", path, "-"], check=True,
                       capture_output=True).stdout.decode("utf-8", "replace")
    return t.split("\f")


def check_run(feeds, out, cat_path):
    offers = catalogue(cat_path)
    man = json.load(open(os.path.join(out, "manifest.json"), encoding="utf-8"))
    today = datetime.date.fromisoformat(man["job"]["statement_date"])
    mo = man.get("offers")
    if not mo:
        fail("manifest.json has no offers section")
    lines = audit_lines(out)
    shown = collections.Counter()
    held = collections.Counter()
    with_offers = 0
    expect_history = []
    contacts_in = read_contacts(os.path.join(feeds, "contact_history.csv"))
    kinds_seen = collections.Counter()
    cidx = by_key(contacts_in)
    for a in lines:
        if a["channel"] == "suppressed":
            if "offers" in a:
                fail("suppressed household %s has offers" % a["household"])
            continue
        o = a.get("offers")
        if o is None:
            fail("household %s: no offers member in audit" % a["household"])
        cons = {c["id"]: c for c in o["considered"]}
        if set(cons) != set(offers):
            fail("household %s: considered %s, catalogue has %s" % (a["household"], sorted(cons), sorted(offers)))
        counts = cap_counts(cidx, a, offers, today)
        for c in o["considered"]:
            kinds_seen[c["result"]] += 1
            off = offers[c["id"]]
            if c["result"] == "rule false" and not c.get("failed_clause"):
                fail("household %s offer %s: rule false without failed_clause" % (a["household"], c["id"]))
            if "cap" in off and c["result"] not in ("outside date window", "channel not allowed"):
                if c.get("contacts", 0) != counts[c["id"]]:
                    fail("household %s offer %s: audit says %s contacts, input history has %d"
                         % (a["household"], c["id"], c.get("contacts"), counts[c["id"]]))
                capped = counts[c["id"]] >= off["cap"]["times"]
                if capped != (c["result"] == "frequency cap") and c["result"] in ("eligible", "frequency cap"):
                    fail("household %s offer %s: cap decision %s with %d contacts"
                         % (a["household"], c["id"], c["result"], counts[c["id"]]))
        placed = o["placed"]
        if len(placed) > mo["max_per_statement"]:
            fail("household %s: %d offers, max %d" % (a["household"], len(placed), mo["max_per_statement"]))
        ids = [p["offer"] for p in placed]
        if len(set(ids)) != len(ids):
            fail("household %s: an offer placed twice" % a["household"])
        if placed:
            with_offers += 1
        for p in placed:
            c = cons[p["offer"]]
            off = offers[p["offer"]]
            if c["result"] != "eligible":
                fail("household %s: placed %s whose result is %s" % (a["household"], p["offer"], c["result"]))
            if not o["marketing_consent"] and off["kind"] == "marketing":
                fail("household %s opted out but got marketing offer %s" % (a["household"], p["offer"]))
            v = p.get("variant", "")
            if off["codes"][v] != p["response_code"]:
                fail("household %s: %s/%s response code %s" % (a["household"], p["offer"], v, p["response_code"]))
            key = "offer:%s%s" % (p["offer"], "/" + v if v else "")
            if key not in a["coverage"] or "slot:" + p["slot"] not in a["coverage"]:
                fail("household %s: coverage lacks %s or slot:%s" % (a["household"], key, p["slot"]))
            shown[(p["offer"], v)] += 1
            expect_history.append([a["household"], p["offer"], today.isoformat(), v,
                                   a["channel"], p["response_code"]])
        for h in o["held_out"]:
            # issue 15 part 4: held-out rows follow the shown ones
            expect_history.append([a["household"], h, today.isoformat(), "", "holdout", ""])
            held[h] += 1
            if "holdout:" + h not in a["coverage"]:
                fail("household %s: held out of %s without coverage key" % (a["household"], h))
            if "holdout" not in offers[h]:
                fail("household %s: held out of %s, which has no holdout" % (a["household"], h))
            if h in ids:
                fail("household %s: %s both held out and placed" % (a["household"], h))
    for k in ("eligible", "rule false"):
        if not kinds_seen[k]:
            fail("no offer decision '%s' in the whole run" % k)
    # manifest counts = audit counts
    if mo["statements_with_offers"] != with_offers:
        fail("manifest statements_with_offers %d, audit %d" % (mo["statements_with_offers"], with_offers))
    if mo["shown"] != sum(shown.values()) or mo["held_out"] != sum(held.values()):
        fail("manifest shown/held_out %d/%d, audit %d/%d" % (mo["shown"], mo["held_out"],
             sum(shown.values()), sum(held.values())))
    for bo in mo["by_offer"]:
        if bo["held_out"] != held[bo["id"]]:
            fail("manifest %s held_out %d, audit %d" % (bo["id"], bo["held_out"], held[bo["id"]]))
        for v in bo["variants"]:
            if v["shown"] != shown[(bo["id"], v["id"])]:
                fail("manifest %s/%s shown %d, audit %d" % (bo["id"], v["id"], v["shown"], shown[(bo["id"], v["id"])]))
    if sum(held.values()) == 0 or sum(shown.values()) == 0:
        fail("expected some offers shown and some held out")
    # contact history = input rows + shown rows, in that order
    with open(os.path.join(out, "contact_history.csv"), encoding="utf-8", newline="") as f:
        rows = list(folio_csv.reader(f))
    if rows[0] != ["contact_key", "offer_id", "contact_date", "variant", "channel", "response_code"]:
        fail("contact_history.csv header %s" % rows[0])
    want = [[r["contact_key"], r["offer_id"], r["contact_date"], "", "", ""] for r in contacts_in]
    if rows[1:1 + len(want)] != want:
        fail("contact_history.csv does not start with the input history")
    if rows[1 + len(want):] != expect_history:
        fail("contact_history.csv new rows differ from the audit (%d rows, audit %d)"
             % (len(rows) - 1 - len(want), len(expect_history)))
    ch = mo["contact_history"]
    if (ch["rows_read"], ch["rows_added"] + ch["rows_held_out"]) != (len(want), len(expect_history)):
        fail("manifest contact_history rows %d+%d, file %d+%d" % (ch["rows_read"], ch["rows_added"],
             len(want), len(expect_history)))
    import hashlib
    if ch["sha256"] != hashlib.sha256(open(os.path.join(out, "contact_history.csv"), "rb").read()).hexdigest():
        fail("manifest contact_history sha256 does not match the file")
    # the print PDFs: each statement's pages show exactly its response codes
    all_codes = {c for o in offers.values() for c in o["codes"].values()}
    code_re = re.compile(r"\b(%s)\b" % "|".join(sorted(map(re.escape, all_codes), key=len, reverse=True)))
    pages = {}
    n_checked = 0
    for a in lines:
        if "print_file" not in a:
            continue
        pf = os.path.join(out, a["print_file"])
        if pf not in pages:
            pages[pf] = pdf_pages_text(pf)
        last = a["last_page"] + (1 if any(p["slot"] == "back" for p in a["offers"]["placed"]) else 0)
        text = "\n".join(pages[pf][a["first_page"] - 1:last])
        found = sorted(code_re.findall(text))
        want_codes = sorted(p["response_code"] for p in a["offers"]["placed"])
        if found != want_codes:
            fail("household %s (%s pages %d-%d): PDF shows codes %s, audit says %s"
                 % (a["household"], a["print_file"], a["first_page"], last, found, want_codes))
        flat = " ".join(text.split())
        for p in a["offers"]["placed"]:
            off = offers[p["offer"]]
            texts = off["content"]
            for v in off.get("variants", []):
                if v["id"] == p.get("variant") and "content" in v:
                    texts = dict(texts, **v["content"])
            head = texts[p["language"]]["headline"]
            if " ".join(head.split()[:2]) not in flat:
                fail("household %s: headline of %s (%s) not on its pages" % (a["household"], p["offer"], head))
        n_checked += 1
    if not n_checked:
        fail("no print statement checked")
    print("offers ok: %d households, %d statements with offers, %d shown, %d held out, "
          "%d print statements checked in the PDFs" % (len(lines), with_offers, sum(shown.values()),
                                                       sum(held.values()), n_checked))


def check_next_month(out1, out2, cat_path):
    offers = catalogue(cat_path)
    man = json.load(open(os.path.join(out2, "manifest.json"), encoding="utf-8"))
    today = datetime.date.fromisoformat(man["job"]["statement_date"])
    hist = by_key(read_contacts(os.path.join(out1, "contact_history.csv")))
    first = {a["household"]: a for a in audit_lines(out1)}
    newly_capped = 0
    for a in audit_lines(out2):
        o = a.get("offers")
        if not o:
            continue
        counts = cap_counts(hist, a, offers, today)
        for p in o["placed"]:
            cap = offers[p["offer"]].get("cap")
            if cap and counts[p["offer"]] >= cap["times"]:
                fail("household %s shown %s again with %d contacts, cap %d"
                     % (a["household"], p["offer"], counts[p["offer"]], cap["times"]))
        before = {p["offer"] for p in first[a["household"]]["offers"]["placed"]}
        for c in o["considered"]:
            if c["result"] == "frequency cap" and c["id"] in before:
                newly_capped += 1
    if not newly_capped:
        fail("no offer shown in month 1 was capped in month 2")
    print("next month ok: %d offers shown in month 1 now capped" % newly_capped)


if __name__ == "__main__":
    if len(sys.argv) == 5 and sys.argv[1] == "run":
        check_run(sys.argv[2], sys.argv[3], sys.argv[4])
    elif len(sys.argv) == 5 and sys.argv[1] == "next-month":
        check_next_month(sys.argv[2], sys.argv[3], sys.argv[4])
    else:
        print(__doc__)
        sys.exit(2)
