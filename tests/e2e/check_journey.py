# SPDX-License-Identifier: Apache-2.0
"""Independent checks of issue 15 parts 1 and 2 (tests/e2e/journey.sh).

  check_journey.py frequency DIR   the three monthly runs DIR/{oct,nov,dec}
  check_journey.py notices DIR     the journey run DIR/out
  check_journey.py samples S OUT   `folio samples --journey` feeds S, run OUT

Expected outcomes are recomputed here from the constructed feeds (never read
back from folio's own decisions) and compared with what the runs wrote:
audit.jsonl, not_due.csv, suppressed.csv, the archive index, the print PDF
text (pdftotext) and manifest.json.
"""
import csv
import datetime
import glob
import json
import os
import subprocess
import sys

D = datetime.date.fromisoformat


def fail(msg):
    print("FAIL:", msg)
    sys.exit(1)


def audit(out):
    return {r["household"]: r for r in map(json.loads, open(os.path.join(out, "audit.jsonl")))}


def page_texts(out, a):
    """household -> text of its pages in the print file"""
    res = {}
    cache = {}
    for h, r in a.items():
        if "print_file" not in r:
            continue
        pf = os.path.join(out, r["print_file"])
        if pf not in cache:
            cache[pf] = subprocess.run(["pdftotext", "-layout", pf, "-"], check=True,
                                       capture_output=True, text=True).stdout.split("\f")
        res[h] = "\f".join(cache[pf][r["first_page"] - 1:r["last_page"]])
    return res


def money(s):
    s = s.replace("$", "").replace(",", "")
    return round(float(s) * 100)


def frequency(d):
    rows = {}
    for r in csv.DictReader(open(os.path.join(d, "trans.csv"))):
        rows.setdefault(r["acct"], []).append((D(r["date"]), money(r["amount"]), money(r["bal"])))
    cust = {r["hh"]: r for r in csv.DictReader(open(os.path.join(d, "customers.csv")))}
    acct_of = {"H1": "A1", "H2": "A2", "H3": "A3"}
    months = {"oct": (D("2026-10-01"), D("2026-10-31")), "nov": (D("2026-11-01"), D("2026-11-30")),
              "dec": (D("2026-12-01"), D("2026-12-31"))}
    n_months = {"monthly": 1, "quarterly": 3, "semi_annual": 6, "annual": 12, "": 1}
    archived_months = {}
    for name, (ps, pe) in months.items():
        out = os.path.join(d, name)
        a = audit(out)
        man = json.load(open(os.path.join(out, "manifest.json")))
        if not man["reconciliation"]["balanced"]:
            fail(f"{name}: reconciliation not balanced")
        nd = list(csv.DictReader(open(os.path.join(out, "not_due.csv"))))
        sup = {r["id"]: r for r in csv.DictReader(open(os.path.join(out, "suppressed.csv")))
               if r["kind"] == "household"}
        want_nd = []
        counts = {"households": 0, "print": 0, "email": 0, "extended": 0, "split": 0, "accounts": 0}
        texts = page_texts(out, a)
        for h, c in cust.items():
            chans = {"both": ["print", "email"], "print": ["print"], "email": ["email"]}[c["delivery"]]
            due, starts = {}, {}
            for ch in chans:
                n = n_months[c["paper" if ch == "print" else "estmt"]]
                due[ch] = pe.month % n == 0
                if due[ch]:
                    m = ps.month - (n - 1)
                    y = ps.year + (m - 1) // 12
                    starts[ch] = datetime.date(y, (m - 1) % 12 + 1, 1)
            dchans = [ch for ch in chans if due[ch]]
            # each channel's statement covers its own interval: the audit and
            # the print text are the print statement's (the e-mail one's when
            # only e-mail is due); frequency.sh checks the archive documents
            start = starts.get("print", starts.get("email", pe))
            if len(dchans) == 2 and starts["print"] != starts["email"]:
                counts["split"] += 1
            for ch in chans:
                if not due[ch]:
                    counts[ch] += 1
                    want_nd.append((h, ch, "suppressed" if not dchans else
                                    ("printed only" if dchans == ["print"] else "emailed only")))
            if not dchans:
                counts["households"] += 1
                if h not in sup or not sup[h]["reason"].startswith("not due: print quarterly"):
                    fail(f"{name}: {h} should be suppressed as not due: {sup.get(h)}")
                continue
            want_ch = "both" if len(dchans) == 2 else dchans[0]
            if a[h]["channel"] != want_ch:
                fail(f"{name}: {h} channel {a[h]['channel']}, expected {want_ch}")
            if "email" in dchans:
                archived_months.setdefault(h, []).append(name)
            if start < ps:
                counts["extended"] += 1
                if a[h].get("interval") != {"start": start.isoformat(), "end": pe.isoformat()}:
                    fail(f"{name}: {h} interval {a[h].get('interval')}, expected {start}..{pe}")
            elif "interval" in a[h]:
                fail(f"{name}: {h} has an interval but covers the period only")
            ac = acct_of[h]
            inside = [r for r in rows[ac] if start <= r[0] <= pe]
            before = [r for r in rows[ac] if r[0] < start]
            got = a[h]["accounts"][0]["transactions"]
            if got != len(inside):
                fail(f"{name}: {h} composed {got} rows, expected {len(inside)} ({start}..{pe})")
            if "print" in dchans:
                t = texts[h]
                opening = before[-1][2] if before else 0
                closing = inside[-1][2] if inside else opening
                import re
                m = re.search(r"Opening balance\s+(-?\$?[-0-9,.]+)\s+Debits", t)
                if not m or money(m.group(1).replace("$", "")) != opening:
                    fail(f"{name}: {h} opening {m and m.group(1)}, expected {opening / 100:.2f} "
                         f"(balance on {start})")
                m = re.search(r"Closing balance\s+(-?\$?[-0-9,.]+)\s*$", t, re.M)
                if not m or money(m.group(1)) != closing:
                    fail(f"{name}: {h} closing {m and m.group(1)}, expected {closing / 100:.2f}")
                if f"{start.month:02d}/{start.day:02d}/{start.year} to" not in t:
                    fail(f"{name}: {h} period start {start} not printed")
                n_rows = len(re.findall(r"^ +\d\d/\d\d/2026 +\d+ ", t, re.M))
                if n_rows != len(inside):
                    fail(f"{name}: {h} printed {n_rows} rows, expected {len(inside)}")
            elif h in texts:
                fail(f"{name}: {h} printed though print is not due")
        got_nd = sorted((r["household"], r["channel"], r["action"]) for r in nd)
        if got_nd != sorted(want_nd):
            fail(f"{name}: not_due.csv {got_nd}, expected {sorted(want_nd)}")
        if man["counts"]["not_due"] != counts:
            fail(f"{name}: counts.not_due {man['counts']['not_due']}, expected {counts}")
        idx = [r for f in glob.glob(os.path.join(out, "archive", "*.index.csv"))
               for r in csv.DictReader(open(f))]
        if sorted(r["household"] for r in idx) != sorted(h for h in archived_months
                                                        if name in archived_months[h]):
            fail(f"{name}: archive holds {[r['household'] for r in idx]}")
        print(f"{name}: channels, intervals, balances, not_due.csv and counts as expected")
    if archived_months.get("H1") != ["oct", "nov", "dec"]:
        fail(f"H1 archived in {archived_months.get('H1')}, expected every month")


def notices(d):
    out = os.path.join(d, "out")
    sd = D("2026-10-31")
    hh_of = {}
    for r in csv.DictReader(open(os.path.join(d, "customers.csv"))):
        hh_of[r["id"]] = r["hh"]
        hh_of[r["hh"]] = r["hh"]
    for r in csv.DictReader(open(os.path.join(d, "accounts.csv"))):
        hh_of[r["id"]] = hh_of[r["owner"]]
    ev = {}
    for r in csv.DictReader(open(os.path.join(d, "events.csv"))):
        if D(r["date"]) <= sd:      # a statement sees the events up to its date
            ev.setdefault(hh_of[r["key"]], []).append((r["type"], D(r["date"])))
    a = audit(out)
    texts = page_texts(out, a)
    for h in sorted(a):
        e = ev.get(h, [])
        notices_ = [t for k, t in e if k == "notice"]
        pays = [t for k, t in e if k == "payment"]
        recent = [t for t in notices_ if t >= sd - datetime.timedelta(days=90)]
        if notices_ and pays and max(pays) > max(notices_):
            want = "THANKYOU"
        elif len(recent) >= 2:
            want = "FINALREMINDER"
        elif len(notices_) == 1:
            want = "SECONDREMINDER"
        else:
            want = None
        context = any(k in ("complaint_open", "delinquency") for k, _ in e)
        moved = [t for k, t in e if k == "address_changed"]
        stage = ("at_risk" if context else
                 "new" if not notices_ and moved and (sd - max(moved)).days < 90 else "established")
        if a[h].get("stage", stage if a[h].get("channel") == "suppressed" else None) != stage:
            fail(f"{h}: stage {a[h].get('stage')}, expected {stage}")
        if stage == "at_risk" and any(k == "delinquency" for k, _ in e):
            # the job's channel rule holds it back, on its stage
            sup = {r["id"]: r["reason"] for r in csv.DictReader(open(os.path.join(out, "suppressed.csv")))
                   if r["kind"] == "household"}
            if h in texts or "held for collections review" not in sup.get(h, ""):
                fail(f"{h}: at risk with a delinquency, expected held: {sup.get(h)}")
            print(f"{h}: stage {stage}, held by the channel rule: as expected")
            continue
        t = texts[h]
        for m in ("THANKYOU", "FINALREMINDER", "SECONDREMINDER"):
            if (m in t) != (m == want):
                fail(f"{h}: {m} {'shown' if m in t else 'missing'} (expected {want})")
        if ("CROSSSELL" in t) == context:
            fail(f"{h}: cross-sell {'shown' if 'CROSSSELL' in t else 'missing'}, open complaint: {context}")
        if ("WELCOMEPACK" in t) != (stage == "new"):
            fail(f"{h}: welcome pack offer and stage {stage} disagree")
        print(f"{h}: notice {want}, cross-sell {not context}, stage {stage}: as expected")


def samples(s, out):
    """Round 22: the journey samples run clean.  Every household whose print
    statement covers more than October gets the interval that starts the day
    after its latest print statement (events.csv), and each of its accounts
    shows exactly the feed's rows of that interval, its opening the
    accounts file's October 1 balance less (assets) or plus (liabilities)
    the rows from the interval's start to September 30."""
    a = audit(out)
    # households as the run formed them (id-less customers join by address)
    hh_of, last = {c: h for h, r in a.items() for c in r["customers"]}, {}
    for r in csv.DictReader(open(os.path.join(s, "events.csv"), newline="")):
        if r["type"] == "statement" and r["channel"] == "print" and r["key"] in hh_of:
            h = hh_of[r["key"]]
            last[h] = max(last.get(h, D(r["date"])), D(r["date"]))
    acct, rows = {}, {}
    for prod in ("checking", "savings", "credit_card", "mortgage"):
        for r in csv.DictReader(open(os.path.join(s, f"{prod}_accounts.csv"), newline="")):
            acct[r["account_id"]] = (money(r["opening_balance"]), prod in ("credit_card", "mortgage"))
        for r in csv.DictReader(open(os.path.join(s, f"{prod}_transactions.csv"), newline="")):
            rows.setdefault(r["account_id"], []).append((D(r["posting_date"]), money(r["amount"])))
    texts = page_texts(out, a)
    oct1, end = D("2026-10-01"), D("2026-10-31")
    extended = 0
    for h, r in sorted(a.items()):
        if r["channel"] not in ("print", "both"):
            continue
        want = last[h] + datetime.timedelta(days=1) if h in last else oct1
        got = D(r["interval"]["start"]) if "interval" in r else oct1
        if r["channel"] == "print" or "interval" in r:
            if got != want and not (want >= oct1 and got == oct1):
                fail(f"{h}: interval from {got}, expected {want} (last print statement {last.get(h)})")
        if got == oct1:
            continue
        extended += 1
        for ac in r["accounts"]:
            if "transactions" not in ac or "suppressed" in ac:
                fail(f"{h}: account {ac['id']} not shown: {ac}")
            rs = rows.get(ac["id"], [])
            inside = [m for d, m in rs if got <= d <= end]
            before = sum(m for d, m in rs if got <= d < oct1)
            if ac["transactions"] != len(inside) or money(f"{ac['amount']:.2f}") != sum(inside):
                fail(f"{h}: account {ac['id']}: {ac['transactions']} rows {ac['amount']}, "
                     f"expected {len(inside)} rows {sum(inside) / 100:.2f}")
            op, liab = acct[ac["id"]]
            opening = op + before if liab else op - before
            shown = f"{abs(opening) // 100:,}.{abs(opening) % 100:02d}"
            if shown not in texts[h]:
                fail(f"{h}: account {ac['id']}: opening {shown} on {got} not on its pages")
    if not extended:
        fail("no statement covers more than October: the samples plant none")
    # the notice sequence and cross-sell by context, recomputed from
    # events.csv (events up to the statement date) and the catalogue's kinds
    sd = D("2026-11-01")
    ev = {}
    for r in csv.DictReader(open(os.path.join(s, "events.csv"), newline="")):
        h = hh_of.get(r["key"], r["key"] if r["key"] in a else None)
        if h and D(r["date"]) <= sd:
            ev.setdefault(h, []).append((r["type"], D(r["date"])))
    kind, cur = {}, None
    for line in open(os.path.join(s, "journey-offers.yaml"), encoding="utf-8"):
        if line.startswith("  - id: "):
            cur = line.split(":", 1)[1].strip()
        elif line.startswith("    kind: ") and cur:
            kind[cur] = line.split(":", 1)[1].strip()
    marks = {"THANKS": ("Thank you for your payment", "Gracias por su pago"),
             "FINAL": ("Final reminder", "aviso: su pago"),
             "SECOND": ("Second reminder", "Segundo aviso")}
    seen = {"THANKS": 0, "FINAL": 0, "SECOND": 0, "none": 0}
    held = 0
    for h, r in sorted(a.items()):
        if h not in texts:
            continue
        e = ev.get(h, [])
        notices_ = [t for k, t in e if k == "notice"]
        pays = [t for k, t in e if k == "payment"]
        if notices_ and pays and max(pays) > max(notices_):
            want = "THANKS"
        elif len([t for t in notices_ if t >= sd - datetime.timedelta(days=90)]) >= 2:
            want = "FINAL"
        elif len(notices_) == 1:
            want = "SECOND"
        else:
            want = "none"
        flat = " ".join(texts[h].split())
        for m, words in marks.items():
            if any(w in flat for w in words) != (m == want):
                fail(f"{h}: notice {m} {'shown' if m != want else 'missing'} (expected {want})")
        seen[want] += 1
        placed = {p["offer"] for p in r.get("offers", {}).get("placed", [])}
        if any(k in ("complaint_open", "delinquency") for k, _ in e):
            held += 1
            if any(kind.get(o) == "marketing" for o in placed):
                fail(f"{h}: open complaint or delinquency, yet cross-sell {placed}")
    if not all(seen[m] for m in ("THANKS", "FINAL", "SECOND")) or not held:
        fail(f"the samples plant every notice variant and a complaint: {seen}, {held}")
    exc = list(csv.DictReader(open(os.path.join(out, "exceptions.csv"), newline="")))
    if exc:
        fail(f"{len(exc)} exceptions, e.g. {exc[0]}")
    print(f"samples: {extended} statements over a longer interval, each opening and row "
          f"recomputed; no exception; notices {seen}; {held} held from cross-sell")


if __name__ == "__main__":
    {"frequency": frequency, "notices": notices, "samples": samples}[sys.argv[1]](*sys.argv[2:])
