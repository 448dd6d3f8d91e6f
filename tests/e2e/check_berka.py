#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""Independent checker of a folio run over the raw PKDD'99 (berka) files.

    check_berka.py --data DIR --out OUT --start YYYY-MM-DD --end YYYY-MM-DD [options]

Reads DIR/trans_partial.asc itself (never folio's code or outputs for the
bank's figures) and OUT/print/*.pdf (through `pdftotext -layout`),
OUT/suppressed.csv, OUT/exceptions.csv, OUT/rejects.csv and OUT/manifest.json.
Asserts, and exits 1 naming the first failures when one does not hold:

 1. The cut-off last line of trans_partial.asc is in rejects.csv with its
    line number (the file's last line).
 2. Every account with transactions in the period is printed (a statement
    section whose title ends with the account id) or listed, with a reason,
    in suppressed.csv (kind account) or exceptions.csv.
 3. A printed section holds exactly the account's period rows (matched by the
    transaction id when the description shows it, else by date and amount).
 4. Every printed row whose bank arithmetic holds shows the bank's own balance.
    "Holds" is decided here, independently of any order: some balance the
    account could have had just before the row (the balance after another
    row of the same day, the last balance of an earlier day, or 0 on the
    account's first day) plus the row's amount is its balance.
 5. Along the printed order, each row that holds follows the row printed
    before it (the bank's balance before + amount = its balance), except on
    days folio lists as ambiguous_order in exceptions.csv.

It also prints the match rate: printed rows whose printed balance equals the
bank's, and rows where the running balance computed along folio's order from
the printed opening equals the bank's (the figure that was 79.6% when
same-day rows were printed in file order).

What it expects of the layout (options say otherwise):
  * an account section starts with a title line (not indented, no run of
    three spaces) whose last word is the account id, optionally followed by
    a parenthesised note ("(continued)" on the next page); its table has rows
    that start (after indentation) with a date in --date-format and end with
    the running balance;
  * money is printed with --decimal and --group (a currency symbol or code
    around it is ignored).
"""
import argparse
import collections
import csv
import datetime
import glob
import json
import os
import re
import subprocess
import sys

failures = []


def fail(msg):
    failures.append(msg)


def cents(s):
    neg = s.startswith("-")
    s = s.lstrip("-")
    whole, _, frac = s.partition(".")
    v = int(whole) * 100 + int((frac + "00")[:2])
    return -v if neg else v


def read_bank(path, start, end):
    """Rows of trans_partial.asc: per account, the list of
    (date, line, trans_id, signed cents, balance cents); and the cut-off
    line (its number), if the last line does not parse."""
    rows = collections.defaultdict(list)
    bad_last = None
    with open(path, newline="", encoding="ascii") as f:
        lines = f.read().split("\r\n")
    if lines and lines[-1] == "":
        lines.pop()
    hdr = next(csv.reader([lines[0]], delimiter=";"))
    col = {h: i for i, h in enumerate(hdr)}
    for n, text in enumerate(lines[1:], start=2):
        r = next(csv.reader([text], delimiter=";"))
        try:
            d = datetime.datetime.strptime(r[col["date"]], "%y%m%d").date()
            amt = cents(r[col["amount"]])
            bal = cents(r[col["balance"]])
            typ = r[col["type"]]
        except (IndexError, ValueError):
            if n == len(lines):
                bad_last = n
                continue
            raise SystemExit("%s:%d: unreadable row (only the last may be cut off)" % (path, n))
        if typ not in ("PRIJEM", "VYDAJ", "VYBER"):
            raise SystemExit("%s:%d: unknown type %r" % (path, n, typ))
        sign = 1 if typ == "PRIJEM" else -1
        rows[r[col["account_id"]]].append((d, n, r[col["trans_id"]], sign * amt, bal))
    return rows, bad_last, len(lines)


def holds_set(acct_rows):
    """Per row (by line): does the bank's arithmetic hold for it in some order?"""
    by_day = collections.OrderedDict()
    for r in sorted(acct_rows, key=lambda r: (r[0], r[1])):
        by_day.setdefault(r[0], []).append(r)
    out = {}
    prev_day_bals = None            # balances after the rows of the previous day
    first = True
    for day, rs in by_day.items():
        for r in rs:
            before = {q[4] for q in rs if q is not r}
            if prev_day_bals is not None:
                before |= prev_day_bals
            if first:
                before.add(0)
            out[r[1]] = (r[4] - r[3]) in before
        prev_day_bals = {q[4] for q in rs}
        first = False
    return out


def money_re(dec, group):
    g = {"none": "", " ": " \u00a0\u202f"}.get(group, group)
    grp = "[%s]" % re.escape(g) if g else None
    body = r"\d{1,3}(?:%s\d{3})*" % grp if grp else r"\d+"
    return re.compile(r"(-?)(%s)%s(\d{2})" % (body, re.escape(dec)))


def parse_money(m, group):
    digits = re.sub(r"\D", "", m.group(2))
    v = int(digits) * 100 + int(m.group(3))
    return -v if m.group(1) else v


def read_printed(out, accounts, date_format, dec, group):
    """Printed sections: account id -> list of (date, description, [money...])."""
    pdfs = sorted(glob.glob(os.path.join(out, "print", "*.pdf")))
    mre = money_re(dec, group)
    sections = collections.defaultdict(list)
    seen_twice = set()
    for pdf in pdfs:
        text = subprocess.run(["pdftotext", "-layout", pdf, "-"], check=True,
                              capture_output=True, text=True).stdout
        cur = None
        for line in text.split("\n"):
            line = line.replace("\f", "")
            words = line.split()
            t = re.match(r"(\S(?:.*\S)?)\s+(\d+)(\s*\(.*\))?\s*$", line)
            if t and "   " not in line and t.group(2) in accounts:
                if t.group(3):       # "(continued)": the same section goes on
                    cur = t.group(2)
                    continue
                cur = t.group(2)
                if cur in sections:
                    seen_twice.add(cur)
                sections[cur]
                continue
            if cur is None or not words:
                continue
            s = line.strip()
            m = re.match(r"(\S+(?: \S+){0,2}?)\s{2,}(.*)$", s)
            if not m:
                continue
            try:
                d = datetime.datetime.strptime(m.group(1), date_format).date()
            except ValueError:
                continue
            rest = m.group(2)
            monies = [parse_money(x, group) for x in mre.finditer(rest)]
            desc = mre.sub("", rest).split()
            sections[cur].append((d, desc, monies))
    return sections, seen_twice


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--data", required=True, help="directory of the berka .asc files")
    ap.add_argument("--out", required=True, help="folio's OUT directory")
    ap.add_argument("--start", required=True)
    ap.add_argument("--end", required=True)
    ap.add_argument("--date-format", default="%m/%d/%Y", help="printed dates (strptime)")
    ap.add_argument("--decimal", default=".")
    ap.add_argument("--group", default=",", help="group mark: ',', '.', ' ', \"'\" or none")
    ap.add_argument("--min-printed", type=int, default=1,
                    help="fail unless at least this many accounts are printed")
    a = ap.parse_args()
    start = datetime.date.fromisoformat(a.start)
    end = datetime.date.fromisoformat(a.end)
    trans = os.path.join(a.data, "trans_partial.asc")
    bank, bad_last, n_lines = read_bank(trans, start, end)

    # 1. the cut-off last line is rejected, with its line
    rej = list(csv.DictReader(open(os.path.join(a.out, "rejects.csv"), encoding="utf-8")))
    if bad_last is None:
        fail("trans_partial.asc: the last line parses; expected it cut off")
    elif not any(r["file"] == "trans_partial.asc" and r["line"] == str(bad_last) for r in rej):
        fail("rejects.csv: no row for trans_partial.asc line %d (the cut-off last line)" % bad_last)

    period = {acc: [r for r in rs if start <= r[0] <= end] for acc, rs in bank.items()}
    period = {acc: rs for acc, rs in period.items() if rs}
    sup = list(csv.DictReader(open(os.path.join(a.out, "suppressed.csv"), encoding="utf-8")))
    exc = list(csv.DictReader(open(os.path.join(a.out, "exceptions.csv"), encoding="utf-8")))
    sup_acc = {r["id"]: r["reason"] for r in sup if r["kind"] == "account"}
    exc_acc = collections.defaultdict(list)
    for r in exc:
        exc_acc[r["account"]].append(r)
    ambiguous = {(r["account"], r["detail"]) for r in exc if r["kind"] == "ambiguous_order"}

    printed, twice = read_printed(a.out, set(bank), a.date_format, a.decimal, a.group)
    for acc in sorted(twice):
        fail("account %s: printed in more than one section" % acc)

    # 2. every account with period rows is printed or listed with a reason
    for acc in sorted(period, key=int):
        if acc in printed:
            continue
        if acc in sup_acc and sup_acc[acc].strip():
            continue
        if any(r["detail"].strip() or r["action"].strip() for r in exc_acc.get(acc, [])):
            continue
        fail("account %s: %d row(s) in the period, neither printed nor listed with a reason"
             % (acc, len(period[acc])))

    rows_total = rows_bank_shown = rows_holding = rows_running_ok = 0
    for acc, prs in sorted(printed.items(), key=lambda kv: int(kv[0])):
        want = period.get(acc, [])
        hold = holds_set(bank[acc])
        ids = {r[2]: r for r in want}
        pool = list(want)
        matched = []
        # 3. exactly the period rows, each once
        for d, desc, monies in prs:
            if not monies:
                fail("account %s: printed row of %s without a balance" % (acc, d))
                continue
            shown = monies[-1]
            r = next((ids[w] for w in desc if w in ids), None)
            if r is None:   # by date and amount, the bank balance breaking ties
                amt = monies[0] if len(monies) >= 2 else None
                cands = [q for q in pool if q[0] == d and amt is not None and abs(q[3]) == abs(amt)]
                cands.sort(key=lambda q: q[4] != shown)
                r = cands[0] if cands else None
            if r is None or r not in pool:
                fail("account %s: printed row %s %s matches no unprinted period row" %
                     (acc, d, " ".join(desc)))
                continue
            pool.remove(r)
            matched.append((r, shown))
        for r in pool:
            fail("account %s: row at trans_partial.asc:%d (%s) is not printed" % (acc, r[1], r[0]))
        # 4 and 5
        running = None
        for k, (r, shown) in enumerate(matched):
            rows_total += 1
            rows_bank_shown += shown == r[4]
            if k == 0:   # the opening, as the bank's first period row implies it
                running = r[4] - r[3]
            running += r[3]
            rows_running_ok += running == r[4]
            if hold[r[1]]:
                rows_holding += 1
                if shown != r[4]:
                    fail("account %s: trans_partial.asc:%d printed balance %d, the bank's %d "
                         "(its arithmetic holds)" % (acc, r[1], shown, r[4]))
                day = r[0].isoformat()
                amb = any(acc == x and day in det for x, det in ambiguous)
                p = matched[k - 1][0] if k else None
                if p and p[0] == r[0] and not amb and p[4] + r[3] != r[4] and \
                        any(q[0] == r[0] and q[4] + r[3] == r[4] for q in bank[acc]):
                    # it holds after a row of its day, but is not printed after it
                    fail("account %s: trans_partial.asc:%d printed after line %d, but the "
                         "bank's balances put another row of the day before it (and folio "
                         "did not list the day as ambiguous_order)" % (acc, r[1], p[1]))

    m = json.load(open(os.path.join(a.out, "manifest.json"), encoding="utf-8"))
    led = m.get("counts", {}).get("ledger", {})
    if len(printed) < a.min_printed:
        fail("only %d account(s) printed, expected at least %d" % (len(printed), a.min_printed))
    print("berka: %d accounts with period rows, %d printed; %d printed rows, bank's balance "
          "shown on %d (%.1f%%); running balance along folio's order equals the bank's on "
          "%d (%.1f%%); %d rows whose bank arithmetic holds; manifest ledger %s"
          % (len(period), len(printed), rows_total, rows_bank_shown,
             100.0 * rows_bank_shown / max(rows_total, 1), rows_running_ok,
             100.0 * rows_running_ok / max(rows_total, 1), rows_holding, json.dumps(led)))
    if failures:
        for f in failures[:30]:
            print("FAIL " + f)
        print("%d failure(s)" % len(failures))
        sys.exit(1)
    print("berka: ok")


if __name__ == "__main__":
    main()
