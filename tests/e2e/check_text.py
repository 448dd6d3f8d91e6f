#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""Check the plain-text print files (output.print.text) of a run against the
PDF print files of the same run, independently of folio's code:

  - every print/BASE.txt has a print/BASE.pdf, and the manifest lists the .txt
    (format "text") with its size and SHA-256;
  - pages: the text's form-feed-separated pages = pdfinfo's page count = the
    pages of BASE.pieces.csv;
  - per page, the characters drawn (whitespace aside, as a multiset) equal
    those pdftotext extracts from the same page of the PDF.

usage: check_text.py OUT
"""
import collections
import csv
import hashlib
import json
import os
import subprocess
import sys


def fail(msg):
    print("check_text: FAIL: " + msg)
    sys.exit(1)


def chars(page):
    return collections.Counter(c for c in page if not c.isspace())


def main(out):
    man = json.load(open(os.path.join(out, "manifest.json"), encoding="utf-8"))
    listed = {o["file"]: o for o in man["outputs"]}
    txts = sorted(f for f in os.listdir(os.path.join(out, "print")) if f.endswith(".txt"))
    if not txts:
        fail("no .txt print file in %s/print" % out)
    total = 0
    for t in txts:
        base = t[:-4]
        tp = os.path.join(out, "print", t)
        pdf = os.path.join(out, "print", base + ".pdf")
        if not os.path.exists(pdf):
            fail("%s has no PDF beside it" % t)
        o = listed.get("print/" + t)
        if not o or o.get("format") != "text":
            fail("manifest does not list print/%s as format text" % t)
        data = open(tp, "rb").read()
        if o["bytes"] != len(data) or o["sha256"] != hashlib.sha256(data).hexdigest():
            fail("manifest size/sha256 of %s differ from the file" % t)
        pages = data.decode("utf-8").split("\f")
        info = subprocess.run(["pdfinfo", pdf], capture_output=True, text=True, check=True).stdout
        npdf = int([l for l in info.splitlines() if l.startswith("Pages:")][0].split()[1])
        with open(os.path.join(out, "print", base + ".pieces.csv"), encoding="utf-8") as f:
            npieces = sum(int(r["pages"]) for r in csv.DictReader(f))
        if not (len(pages) == npdf == npieces):
            fail("%s: %d text pages, %d PDF pages, %d in the pieces file"
                 % (t, len(pages), npdf, npieces))
        ptxt = subprocess.run(["pdftotext", "-enc", "UTF-8", pdf, "-"], capture_output=True,
                              check=True).stdout.decode("utf-8").split("\f")
        if ptxt and ptxt[-1] == "":
            ptxt = ptxt[:-1]                 # pdftotext ends every page with \f
        if len(ptxt) != npdf:
            fail("%s: pdftotext gave %d pages, pdfinfo %d" % (base, len(ptxt), npdf))
        for k in range(npdf):
            a, b = chars(pages[k]), chars(ptxt[k])
            if a != b:
                fail("%s page %d: text and PDF differ: only in text %s, only in PDF %s"
                     % (t, k + 1, dict(a - b), dict(b - a)))
        total += npdf
    print("check_text: %d file(s), %d pages: text = PDF page by page" % (len(txts), total))


if __name__ == "__main__":
    main(sys.argv[1])
