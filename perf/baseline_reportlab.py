#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""baseline_reportlab.py -- the same statements as perf/baseline_hpdf.c, drawn
with ReportLab's canvas (python3-reportlab), as a peer reference for perf/bench.

S statements, US Letter, 2.7 pages each on average (the same 2/3-page
pattern), a header block, a bold table header with a rule, up to 45 rows x 5
cells (amounts right-aligned), a footer with "Page x of y".  Liberation Sans
Regular and Bold embedded as TrueType (subset by ReportLab), page streams
compressed, one document saved at the end.  Strings are formatted before the
clock starts.

    python3 perf/baseline_reportlab.py [--statements S] [--fonts DIR] [--out FILE]

Prints one line of key=value pairs like baseline_hpdf (statements, pages,
seconds, pages_per_s, bytes, peak_rss_kb).
"""
import argparse
import os
import resource
import sys
import time

ROWS_PER_PAGE = 45
PATTERN = (2, 3, 3, 2, 3, 3, 3, 2, 3, 3)
DESC = (
    "CARD PURCHASE SUPERMARCH\u00c9 CENTRAL", "SALARY ACME CORP",
    "TRANSFER TO \u0141UKASZ M\u00dcLLER", "ATM WITHDRAWAL 5TH AVE",
    "DIRECT DEBIT ELECTRICITY", "CAF\u00c9 JOS\u00c9 & ZO\u00cb",
    "CARD PURCHASE HARDWARE STORE", "STANDING ORDER RENT",
    "INTEREST PAID", "MOBILE PHONE BILL", "ONLINE PURCHASE BOOKSHOP",
    "FUEL STATION 24/7", "PHARMACY MAIN ST", "RESTAURANT LA PERGOLA",
    "INSURANCE PREMIUM", "CHEQUE DEPOSIT 004512",
)


def money(v):
    """Minor units -> '1,234.56' without the locale."""
    neg = v < 0
    u = -v if neg else v
    s = "{:,}.{:02d}".format(u // 100, u % 100)
    return "-" + s if neg else s


class XorShift:
    """The generator of baseline_hpdf.c, so both draw comparable data."""

    def __init__(self):
        self.x = 88172645463325252

    def next(self):
        m = (1 << 64) - 1
        x = self.x
        x ^= (x << 13) & m
        x ^= x >> 7
        x ^= (x << 17) & m
        self.x = x
        return x


def statements_make(n):
    rnd = XorShift()
    out = []
    for s in range(n):
        pages = PATTERN[s % 10]
        last = 10 + rnd.next() % 36
        n_rows = (pages - 1) * ROWS_PER_PAGE + last
        bal = 100000 + rnd.next() % 900000
        rows = []
        for r in range(n_rows):
            x = rnd.next()
            amt = x % 250000 - 150000
            bal += amt
            rows.append(("2024-05-%02d" % (1 + (r * 30) // n_rows), DESC[x % len(DESC)],
                         money(-amt) if amt < 0 else "", money(amt) if amt >= 0 else "",
                         money(bal)))
        out.append({
            "id": "H%07d" % (s + 1),
            "name": "Mr and Mrs J\u00f6rg M\u00fcller-%d" % (s + 1),
            "addr1": "%d Elm Street, Apt %d" % (10 + s % 900, 1 + s % 40),
            "addr2": "Springfield, IL %05d" % (60000 + s % 9999),
            "period": "Statement period 2024-05-01 to 2024-05-31",
            "pages": pages,
            "rows": rows,
        })
    return out


def page_draw(c, st, page_no):
    c.setFillColorRGB(0.0, 0.2, 0.4)
    c.setFont("LS-Bold", 16)
    c.drawString(54, 740, "First Example Bank")
    c.setFillColorRGB(0, 0, 0)
    c.setFont("LS", 9)
    c.drawString(54, 726, "1 Main Street, Springfield, IL 62701  \u00b7  800-555-0100")
    c.setFont("LS-Bold", 10)
    c.drawString(54, 700, st["name"])
    c.setFont("LS", 10)
    c.drawString(54, 688, st["addr1"])
    c.drawString(54, 676, st["addr2"])
    c.setFont("LS", 9)
    c.drawString(360, 700, st["period"])
    c.drawString(360, 688, "Statement for household " + st["id"])
    top = 640
    c.setFont("LS-Bold", 9)
    c.drawString(54, top, "Date")
    c.drawString(120, top, "Description")
    c.drawRightString(400, top, "Debit")
    c.drawRightString(480, top, "Credit")
    c.drawRightString(558, top, "Balance")
    c.setLineWidth(0.5)
    c.line(54, top - 4, 558, top - 4)
    c.setFont("LS", 9)
    y = top - 16
    for date, desc, debit, credit, balance in st["rows"][page_no * ROWS_PER_PAGE:
                                                        (page_no + 1) * ROWS_PER_PAGE]:
        c.drawString(54, y, date)
        c.drawString(120, y, desc)
        if debit:
            c.drawRightString(400, y, debit)
        if credit:
            c.drawRightString(480, y, credit)
        c.drawRightString(558, y, balance)
        y -= 12
    c.setFont("LS", 7)
    c.drawString(54, 40, "First Example Bank, member FDIC. Questions? Call 800-555-0100.")
    c.drawRightString(558, 40, "Page %d of %d" % (page_no + 1, st["pages"]))
    c.showPage()


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--statements", type=int, default=2000)
    ap.add_argument("--fonts", default="fonts")
    ap.add_argument("--out", default="/tmp/baseline_reportlab.pdf")
    a = ap.parse_args()
    try:
        from reportlab.lib.pagesizes import letter
        from reportlab.pdfbase import pdfmetrics
        from reportlab.pdfbase.ttfonts import TTFont
        from reportlab.pdfgen import canvas
    except ImportError:
        print("baseline_reportlab: reportlab is not installed "
              "(apt-get install python3-reportlab)", file=sys.stderr)
        return 3
    sts = statements_make(a.statements)
    t0 = time.monotonic()
    pdfmetrics.registerFont(TTFont("LS", os.path.join(a.fonts, "LiberationSans-Regular.ttf")))
    pdfmetrics.registerFont(TTFont("LS-Bold", os.path.join(a.fonts, "LiberationSans-Bold.ttf")))
    c = canvas.Canvas(a.out, pagesize=letter, pageCompression=1)
    pages = 0
    for st in sts:
        for p in range(st["pages"]):
            page_draw(c, st, p)
            pages += 1
    c.save()
    el = time.monotonic() - t0
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    print("statements=%d pages=%d seconds=%.3f pages_per_s=%.0f bytes=%d peak_rss_kb=%d"
          % (a.statements, pages, el, pages / el if el > 0 else 0, os.path.getsize(a.out), rss))
    return 0


if __name__ == "__main__":
    sys.exit(main())
