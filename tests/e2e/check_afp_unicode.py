# SPDX-License-Identifier: Apache-2.0
"""issue 13 part 5: an AFP print file written with code page 1200 (UTF-16BE).

  check_afp_unicode.py OUT CUSTOMERS.csv

Decodes every page's text from the AFP itself (structured fields and PTOCA
parsed here, TRN bytes as UTF-16BE) and compares it with pdftotext's text of
the same page of the PDF twin: the same words, in any order (the PDF's text
extraction orders lines by position, the AFP by drawing order).  Also: the
BDT declares CCSID 1200, every TLE value decodes as UTF-16BE, the customers'
names outside Latin-1 appear intact, counts.afp_substitutions is 0.
"""
import collections, csv, json, os, re, subprocess, sys

def fail(msg):
    print("FAIL: " + msg)
    sys.exit(1)

def fields(data):
    i = 0
    while i < len(data):
        if data[i] != 0x5A:
            fail("offset 0x%X: no 0x5A" % i)
        ln = int.from_bytes(data[i + 1:i + 3], "big")
        yield int.from_bytes(data[i + 3:i + 6], "big"), data[i + 9:i + 1 + ln]
        i += 1 + ln

def ptoca_text(body):
    """TRN runs of one PTX, decoded; a new run at every move."""
    runs, cur = [], []
    assert body[:2] == b"\x2B\xD3", "PTX without escape"
    i = 2
    while i < len(body):
        if body[i] == 0x2B and body[i + 1] == 0xD3:
            i += 2
            continue
        ln, t = body[i], body[i + 1] & 0xFE
        par = body[i + 2:i + ln]
        if t == 0xDA:                           # TRN
            if len(par) % 2:
                fail("odd TRN length %d in a UTF-16 document" % len(par))
            cur.append(par.decode("utf-16-be"))
        elif t in (0xC6, 0xD2, 0xF0, 0xE4, 0xE6):  # AMI AMB SCFL DIR DBR: run ends
            if cur:
                runs.append("".join(cur))
                cur = []
        i += ln
    if cur:
        runs.append("".join(cur))
    return runs

def afp_pages(path):
    data = open(path, "rb").read()
    pages, tles, ccsid = [], [], None
    for sfid, body in fields(data):
        if sfid == 0xD3A8A8:                    # BDT: name, 2 reserved, triplets
            t = body[10:]
            if t[1] == 0x01:
                ccsid = (int.from_bytes(t[2:4], "big"), int.from_bytes(t[4:6], "big"))
        elif sfid == 0xD3A8AF:
            pages.append([])
        elif sfid == 0xD3EE9B:
            pages[-1].extend(ptoca_text(body))
        elif sfid == 0xD3A090:
            i = 0
            while i < len(body):
                if body[i + 1] == 0x36:
                    tles.append(body[i + 4:i + body[i]].decode("utf-16-be"))
                i += body[i]
    if ccsid != (0, 1200):
        fail("%s: BDT CGCSGID %s, want GCSGID 0 + CCSID 1200" % (path, ccsid))
    return pages, tles

def main(out, customers):
    m = json.load(open(os.path.join(out, "manifest.json"), encoding="utf-8"))
    if m["counts"]["afp_substitutions"] != 0:
        fail("afp_substitutions = %s" % m["counts"]["afp_substitutions"])
    names = set()
    for r in csv.DictReader(open(customers, encoding="utf-8")):
        n = "%s %s" % (r["first_name"], r["last_name"])
        if any(ord(c) > 0xFF for c in n):
            names.add(n)
    if not names:
        fail("the sample has no name outside Latin-1 to test with")
    afps = sorted(f for f in os.listdir(os.path.join(out, "print")) if f.endswith(".afp"))
    if not afps:
        fail("no AFP print file")
    seen, n_pages, all_tles = set(), 0, []
    for f in afps:
        pdf = os.path.join(out, "print", f[:-4] + ".pdf")
        pages, tles = afp_pages(os.path.join(out, "print", f))
        all_tles += tles
        n_pdf = int(re.search(r"Pages:\s+(\d+)", subprocess.run(["pdfinfo", pdf], capture_output=True, text=True).stdout).group(1))
        if n_pdf != len(pages):
            fail("%s: %d AFP pages, %d PDF pages" % (f, len(pages), n_pdf))
        for p, runs in enumerate(pages, 1):
            t = subprocess.run(["pdftotext", "-f", str(p), "-l", str(p), pdf, "-"],
                               capture_output=True, text=True, check=True).stdout
            a = collections.Counter(" ".join(runs).split())
            b = collections.Counter(t.split())
            if a != b:
                fail("%s page %d: AFP words differ from the PDF's: only AFP %s, only PDF %s"
                     % (f, p, list((a - b).items())[:8], list((b - a).items())[:8]))
            joined = "\n".join(runs)
            for n in names:
                if n in joined:
                    seen.add(n)
            n_pages += 1
    if not seen:
        fail("no name outside Latin-1 found printed in the AFP (expected some of %s)" % sorted(names)[:5])
    if "?" in "".join(all_tles) and not any("?" in n for n in names):
        fail("a '?' in the TLE values")
    print("afp unicode ok: %d pages, %d names outside Latin-1 printed intact (e.g. %s)"
          % (n_pages, len(seen), sorted(seen)[0]))

if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
