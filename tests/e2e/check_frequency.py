# SPDX-License-Identifier: Apache-2.0
"""Per-channel statements and account-level frequency (issue 15 part 1,
tests/e2e/frequency.sh).

  check_frequency.py feeds DIR ROOT   write the feeds, layout and jobs
  check_frequency.py split DIR        check the December run DIR/dec
  check_frequency.py accounts DIR     check the account-level run DIR/acc

Households (feeds of September..December 2026, a balance on every row):
  H1 both, paper quarterly, e-mail monthly   -> at the quarter end a print
     statement over October..December and an archive document over December
  H2 both, paper monthly, e-mail quarterly   -> the other way round
  H3 print, monthly                           -> December only
  H4 print, two accounts: A4 monthly (the customer's), A5 quarterly by its
     own account attribute (accounts job only)
Every expected figure is recomputed here from trans.csv.
"""
import csv
import datetime
import glob
import io
import json
import os
import random
import re
import subprocess
import sys
import zipfile

import journey_feeds

D = datetime.date.fromisoformat
MONTHS = {"monthly": 1, "quarterly": 3, "semi_annual": 6, "annual": 12, "": 1}
PS, PE = D("2026-12-01"), D("2026-12-31")


def fail(msg):
    print("FAIL:", msg)
    sys.exit(1)


def feeds(d, root):
    journey_feeds.layout(d, root)
    cust = [("H1", "c1", "Ana Novak", "1 Main St", "04101", "ana@example.com", "both", "quarterly", "monthly"),
            ("H2", "c2", "Jan Dvorak", "2 Oak St", "04102", "jan@example.com", "both", "monthly", "quarterly"),
            ("H3", "c3", "Eva Prak", "3 Elm St", "04103", "", "print", "monthly", ""),
            ("H4", "c4", "Ida Lind", "4 Fir St", "04104", "", "print", "monthly", "")]
    with open(f"{d}/customers.csv", "w") as f:
        f.write("hh,id,name,addr,zip,email,delivery,paper,estmt\n")
        for c in cust:
            f.write(",".join(c) + "\n")
    with open(f"{d}/accounts.csv", "w") as f:
        f.write("id,owner,paper\nA1,c1,\nA2,c2,\nA3,c3,\nA4,c4,\nA5,c4,quarterly\n")
    journey_feeds.trans(d, ("A1", "A2", "A3", "A4", "A5"), PE, random.Random(21))
    for name, acct_attr, pe in (("dec", False, "2026-12-31"), ("acc", True, "2026-12-31"),
                                ("accnov", True, "2026-11-30")):
        journey_feeds.frequency_job(d, name, pe[:8] + "01", pe, acct_attr)


def money(s):
    return round(float(s.replace("$", "").replace(",", "")) * 100)


def rows_of(d):
    rows = {}
    for r in csv.DictReader(open(os.path.join(d, "trans.csv"))):
        rows.setdefault(r["acct"], []).append((D(r["date"]), money(r["amount"]), money(r["bal"])))
    return rows


def start_of(n):
    """the first day of the n-month interval ending with December 2026"""
    return datetime.date(2026, 12 - (n - 1), 1)


def pdf_text(data_or_path):
    if isinstance(data_or_path, bytes):
        p = subprocess.run(["pdftotext", "-layout", "-", "-"], input=data_or_path,
                           check=True, capture_output=True)
        return p.stdout.decode()
    return subprocess.run(["pdftotext", "-layout", data_or_path, "-"], check=True,
                          capture_output=True, text=True).stdout


def statement_check(label, t, acct_rows, start, header=True):
    """the text of one statement (or account section): opening = balance on
    start, rows start..PE, the balance chart's axis from start"""
    inside = [r for r in acct_rows if start <= r[0] <= PE]
    before = [r for r in acct_rows if r[0] < start]
    opening = before[-1][2] if before else 0
    m = re.search(r"Opening balance\s+(-?\$?[-0-9,.]+)\s+Debits", t)
    if not m or money(m.group(1)) != opening:
        fail(f"{label}: opening {m and m.group(1)}, expected {opening / 100:.2f} (balance on {start})")
    sd = f"{start.month:02d}/{start.day:02d}/{start.year}"
    if header and f"{sd} to" not in t:
        fail(f"{label}: period start {start} not printed")
    axis = re.search(r"^ +(\d\d/\d\d/\d{4}) {10,}12/31/2026\s*$", t, re.M)
    if not axis or axis.group(1) != sd:
        fail(f"{label}: balance chart from {axis and axis.group(1)}, expected {sd}")
    n_rows = len(re.findall(r"^ +\d\d/\d\d/2026 +\d+ ", t, re.M))
    if n_rows != len(inside):
        fail(f"{label}: {n_rows} rows, expected {len(inside)} ({start}..{PE})")
    print(f"{label}: opening {opening / 100:.2f} on {start}, {n_rows} rows: as expected")


def audit(out):
    return {r["household"]: r for r in map(json.loads, open(os.path.join(out, "audit.jsonl")))}


def print_texts(out, a):
    res, cache = {}, {}
    for h, r in a.items():
        if "print_file" not in r:
            continue
        pf = os.path.join(out, r["print_file"])
        if pf not in cache:
            cache[pf] = pdf_text(pf).split("\f")
        res[h] = "\f".join(cache[pf][r["first_page"] - 1:r["last_page"]])
    return res


def archive_docs(out):
    """household -> (index row, document text)"""
    res = {}
    for idx in glob.glob(os.path.join(out, "archive", "*.index.csv")):
        z = zipfile.ZipFile(idx[:-len(".index.csv")] + ".zip")
        for r in csv.DictReader(open(idx)):
            res[r["household"]] = (r, pdf_text(z.read(r["document"])))
    return res


def split(d):
    out = os.path.join(d, "dec")
    rows = rows_of(d)
    man = json.load(open(os.path.join(out, "manifest.json")))
    if not man["reconciliation"]["balanced"]:
        fail("reconciliation not balanced")
    a = audit(out)
    texts = print_texts(out, a)
    docs = archive_docs(out)
    cust = {r["hh"]: r for r in csv.DictReader(open(os.path.join(d, "customers.csv")))}
    acct = {"H1": "A1", "H2": "A2", "H3": "A3"}
    n_split = 0
    for h in ("H1", "H2", "H3"):
        c = cust[h]
        ps = start_of(MONTHS[c["paper"]])
        statement_check(f"{h} print", texts[h], rows[acct[h]], ps)
        if c["delivery"] != "both":
            if h in docs:
                fail(f"{h}: archived but routed to print")
            continue
        es = start_of(MONTHS[c["estmt"]])
        row, t = docs[h]
        statement_check(f"{h} archive", t, rows[acct[h]], es)
        if row["period_start"] != es.isoformat() or row["period_end"] != PE.isoformat():
            fail(f"{h}: archive index period {row['period_start']}..{row['period_end']}, expected {es}..{PE}")
        if es.isoformat() not in row["document"]:
            fail(f"{h}: archive document name {row['document']} does not carry its interval")
        inside = [r for r in rows[acct[h]] if es <= r[0] <= PE]
        if es != ps:
            n_split += 1
            want = {"start": es.isoformat(), "end": PE.isoformat()}
            if a[h].get("archive_interval") != want:
                fail(f"{h}: audit archive_interval {a[h].get('archive_interval')}, expected {want}")
        print(f"{h}: archive document {row['document']}, {len(inside)} rows")
    if man["counts"]["not_due"]["split"] != n_split:
        fail(f"counts.not_due.split {man['counts']['not_due']['split']}, expected {n_split}")
    hist = sorted(tuple(r.values()) for r in csv.DictReader(open(os.path.join(out, "statement_history.csv"))))
    want = sorted([("H1", "statement", "2026-12-31", "print"), ("H1", "statement", "2026-12-31", "email"),
                   ("H2", "statement", "2026-12-31", "print"), ("H2", "statement", "2026-12-31", "email"),
                   ("H3", "statement", "2026-12-31", "print"), ("H4", "statement", "2026-12-31", "print")])
    if hist != want:
        fail(f"statement_history.csv {hist}, expected {want}")
    print("split: print statements and archive documents each cover their own interval")


def sections(t):
    """account id -> the text of its section"""
    heads = [(m.start(), m.group(1)) for m in re.finditer(r"^Checking (A\d)$", t, re.M)]
    return {a: t[p:(heads[i + 1][0] if i + 1 < len(heads) else len(t))]
            for i, (p, a) in enumerate(heads)}


def accounts(d):
    rows = rows_of(d)
    # December (quarter end): A4 (monthly, the customer's) over December,
    # A5 (quarterly, its own account attribute) over October..December
    out = os.path.join(d, "acc")
    man = json.load(open(os.path.join(out, "manifest.json")))
    if not man["reconciliation"]["balanced"]:
        fail("acc: reconciliation not balanced")
    a = audit(out)
    sec = sections(print_texts(out, a).get("H4", ""))
    if sorted(sec) != ["A4", "A5"]:
        fail(f"acc: H4 sections {sorted(sec)}, expected A4 and A5")
    statement_check("dec H4 A4", sec["A4"], rows["A4"], start_of(1), header=False)
    statement_check("dec H4 A5", sec["A5"], rows["A5"], start_of(3), header=False)
    got = a["H4"].get("account_intervals")
    if got != {"A5": {"start": "2026-10-01", "end": "2026-12-31"}}:
        fail(f"acc: H4 audit account_intervals {got}")
    hist = [tuple(r.values()) for r in csv.DictReader(open(os.path.join(out, "statement_history.csv")))]
    if ("A5", "statement", "2026-12-31", "print") not in hist:
        fail(f"acc: no history row of A5's own statement: {hist}")
    if man["counts"]["not_due"]["accounts"] != 0:
        fail(f"acc: counts.not_due.accounts {man['counts']['not_due']['accounts']}")
    # November: A5 is not due -- left out of H4's statement, listed and
    # reconciled, never silently absent; A4 printed as usual
    out = os.path.join(d, "accnov")
    man = json.load(open(os.path.join(out, "manifest.json")))
    if not man["reconciliation"]["balanced"]:
        fail("accnov: reconciliation not balanced")
    a = audit(out)
    sec = sections(print_texts(out, a).get("H4", ""))
    if sorted(sec) != ["A4"]:
        fail(f"accnov: H4 sections {sorted(sec)}, expected A4 only")
    nd = [r for r in csv.DictReader(open(os.path.join(out, "not_due.csv"))) if r["household"] == "H4"]
    if len(nd) != 1 or nd[0]["action"] != "account left out" or \
            not nd[0]["reason"].startswith("not due: account A5 print quarterly"):
        fail(f"accnov: not_due.csv rows of H4 {nd}")
    sup = [r for r in csv.DictReader(open(os.path.join(out, "suppressed.csv")))
           if r["kind"] == "account" and r["id"] == "A5"]
    if len(sup) != 1 or not sup[0]["reason"].startswith("not due: account A5"):
        fail(f"accnov: suppressed.csv rows of A5 {sup}")
    acc = {x["id"]: x for x in a["H4"]["accounts"]}
    if not acc["A5"].get("suppressed", "").startswith("not due: account A5"):
        fail(f"accnov: audit of A5 {acc['A5']}")
    if man["counts"]["not_due"]["accounts"] != 1:
        fail(f"accnov: counts.not_due.accounts {man['counts']['not_due']['accounts']}")
    print("accounts: an account's own frequency sets its interval, or leaves it out listed")


def merge(full, merged, *shards):
    """a merged directory against the unsharded run of the same job"""
    def rows(d, f):
        p = os.path.join(d, f)
        if not os.path.exists(p):
            fail(f"{p}: missing")
        lines = open(p).read().splitlines()
        return lines[0], sorted(lines[1:])
    fm = json.load(open(os.path.join(full, "manifest.json")))
    mm = json.load(open(os.path.join(merged, "manifest.json")))
    for f in ("not_due.csv", "statement_history.csv"):
        if rows(full, f) != rows(merged, f):
            fail(f"{f}: merged rows differ from the unsharded run's")
        per = sum(len(rows(s, f)[1]) for s in shards)
        if per != len(rows(full, f)[1]):
            fail(f"{f}: the shards list {per} rows, the run {len(rows(full, f)[1])}: a household "
                 "counted in more than one shard")
        if f not in [x["file"] for x in mm["files"]]:
            fail(f"{f}: not in the merged manifest's files")
    got, want = mm["totals"]["counts"].get("not_due"), fm["counts"].get("not_due")
    if got != want:
        fail(f"merged counts.not_due {got}, the run's {want}")
    for k in ("contact_pressure", "uplift"):
        if k in fm and mm.get(k) != fm[k]:
            fail(f"merged {k} {mm.get(k)}, the run's {fm[k]}")
    if not mm["reconciliation"]["balanced"]:
        fail("merged reconciliation not balanced")
    print(f"merge: not_due.csv, statement_history.csv, counts.not_due and "
          f"{', '.join(k for k in ('contact_pressure', 'uplift') if k in fm)} as one run")


if __name__ == "__main__":
    if sys.argv[1] == "feeds":
        feeds(sys.argv[2], sys.argv[3])
    elif sys.argv[1] == "merge":
        merge(*sys.argv[2:])
    else:
        {"split": split, "accounts": accounts}[sys.argv[1]](sys.argv[2])
