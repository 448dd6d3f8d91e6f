# SPDX-License-Identifier: Apache-2.0
"""Checks of issue 13 parts 3 and 4 (tests/e2e/coupon.sh).

  check_coupon.py coupon OUT SAMPLES   every page with a payment coupon: the
      QR decoded by zbarimg from a pdftoppm render equals the payload the
      test builds from the feeds (EPC/GiroCode for the EUR card accounts, the
      payment URL for USD mortgages), the scan line's Luhn check digit and
      amounts recomputed, the dashed cut line 3.5 in above the bottom edge
      with nothing else on it, and the remittance address in the #9 window.
  check_coupon.py links OUT SAMPLES    every archive PDF has a link
      annotation (URI action, /F 4) for the bank's website and, when it has
      a coupon, the pay-now URL; no print PDF has any annotation.
"""
import csv, json, os, re, subprocess, sys, tempfile, zipfile

def fail(msg):
    print("FAIL: " + msg)
    sys.exit(1)

def run(*a):
    return subprocess.run(a, capture_output=True, text=True, check=True).stdout

def cents(s):
    s = s.strip()
    neg = s.startswith("-")
    s = s.lstrip("-")
    ip, _, fp = s.partition(".")
    v = int(ip or "0") * 100 + int((fp + "00")[:2])
    return -v if neg else v

def luhn(d):
    s = 0
    for i, ch in enumerate(reversed(d)):
        v = int(ch)
        if i % 2 == 0:
            v *= 2
            if v > 9:
                v -= 9
        s += v
    return (10 - s % 10) % 10

def accounts(samples):
    acc = {}
    for prod, cur in (("credit_card", "EUR"), ("mortgage", "USD")):
        for r in csv.DictReader(open(os.path.join(samples, prod + "_accounts.csv"), encoding="utf-8")):
            acc[r["account_id"]] = (prod, cur, r)
    return acc

def audit(out, acc):
    """household -> the account its coupon is for (its first card/mortgage
    in statement order, from audit.jsonl), or None."""
    first = {}
    for line in open(os.path.join(out, "audit.jsonl"), encoding="utf-8"):
        a = json.loads(line)
        if "household" in a and "accounts" in a:
            ids = [x["id"] for x in a["accounts"] if x["id"] in acc]
            first[a["household"]] = ids[0] if ids else None
    return first

IBAN, BIC, PAYEE = "DE89370400440532013000", "COBADEFFXXX", "Harbor and Pine Bank"
URL = "https://pay.harborpine.example/card?account=%s&amount=%s&currency=%s&hh=%s"

def expected(acc_id, acc, hh):
    prod, cur, r = acc[acc_id]
    owed = max(cents(r["closing_balance"]), 0)
    amt = "%d.%02d" % (owed // 100, owed % 100)
    if cur == "EUR":
        return "BCD\n002\n1\nSCT\n%s\n%s\n%s\n%s\n\n\nAccount %s" % (
            BIC, PAYEE, IBAN, "EUR" + amt if owed > 0 else "", acc_id)
    return URL % (acc_id, amt, cur, hh)

def pages_with_coupon(pdf):
    n = int(re.search(r"Pages:\s+(\d+)", run("pdfinfo", pdf)).group(1))
    out = []
    for p in range(1, n + 1):
        t = run("pdftotext", "-f", str(p), "-l", str(p), "-layout", pdf, "-")
        if "Payment coupon" in t:
            out.append((p, t))
    return out

def read_pgm(path):
    b = open(path, "rb").read()
    m = re.match(rb"P5\s+(\d+)\s+(\d+)\s+(\d+)\s", b)
    w, h = int(m.group(1)), int(m.group(2))
    return w, h, b[m.end():]

def check_coupon(out, samples):
    acc = accounts(samples)
    first = audit(out, acc)
    pieces = {}
    for f in os.listdir(os.path.join(out, "print")):
        if f.endswith(".pieces.csv"):
            for r in csv.DictReader(open(os.path.join(out, "print", f), encoding="utf-8")):
                pieces[(r["file"], int(r["first_page"]))] = r["household"]
    seen = {"EUR": 0, "USD": 0}
    RENDERED = 6
    tmp = tempfile.mkdtemp()
    for f in sorted(os.listdir(os.path.join(out, "print"))):
        if not f.endswith(".pdf"):
            continue
        pdf = os.path.join(out, "print", f)
        for p, text in pages_with_coupon(pdf):
            hh = pieces.get((f, p))
            if hh is None:
                fail("%s page %d: a coupon on a page that is not a statement's first" % (f, p))
            m = re.search(r"\b([0-9A-Z]+) (\d{10}) (\d{10}) (\d)\b", text)
            if not m:
                fail("%s page %d: no scan line in %r" % (f, p, text[-600:]))
            ref, a, mn, c = m.group(1), m.group(2), m.group(3), int(m.group(4))
            digits = "".join(str(ord(ch) - 55) if ch.isalpha() else ch for ch in ref) + a + mn
            if luhn(digits) != c:
                fail("%s page %d: scan line check digit %d, recomputed %d" % (f, p, c, luhn(digits)))
            if ref not in acc:
                fail("%s page %d: scan line account %s is no card or mortgage" % (f, p, ref))
            prod, cur, r = acc[ref]
            if first.get(hh) != ref:
                fail("%s page %d: coupon for account %s, household %s's first card/mortgage is %s" % (f, p, ref, hh, first.get(hh)))
            if int(a) != max(cents(r["closing_balance"]), 0) or int(mn) != cents(r["minimum_due"] or "0"):
                fail("%s page %d: scan line amounts %s %s, feed %s %s" % (f, p, a, mn, r["closing_balance"], r["minimum_due"]))
            seen[cur] += 1
            # the text checks above run on every coupon; the rendered ones
            # below (a page image each, the costly part) on the first
            # RENDERED of each payload kind
            if seen[cur] > RENDERED:
                continue
            stem = os.path.join(tmp, "p%d" % p)
            subprocess.run(["pdftoppm", "-r", "144", "-gray", "-f", str(p), "-l", str(p), "-singlefile", pdf, stem], check=True)
            z = subprocess.run(["zbarimg", "-q", "--raw", "-Sdisable", "-Sqrcode.enable", stem + ".pgm"],
                               capture_output=True, text=True)
            got = z.stdout[:-1] if z.stdout.endswith("\n") else z.stdout
            want = expected(ref, acc, hh)
            if got != want:
                fail("%s page %d: QR decodes to %r, expected %r" % (f, p, got, want))
            # the cut line: 3.5 in above the bottom edge (letter: y 540 pt)
            w, h, px = read_pgm(stem + ".pgm")
            y = h - int(3.5 * 144)
            row = lambda yy: px[yy * w + 96: yy * w + 1128]
            dark = sum(1 for v in row(y) if v < 220)
            if not 0.45 * len(row(y)) < dark < 0.75 * len(row(y)):
                fail("%s page %d: row %d (the cut line) is %d/%d dark, not a dashed line" % (f, p, y, dark, len(row(y))))
            for yy in (y - 6, y + 6):
                if any(v < 220 for v in row(yy)):
                    fail("%s page %d: something printed 3 pt from the cut line (row %d)" % (f, p, yy))
            # the remittance address: inside the #9 window x 63..387 pt, y 666..747 pt
            t = run("pdftotext", "-f", str(p), "-l", str(p), "-x", "63", "-y", "666", "-W", "324", "-H", "81", pdf, "-")
            if "PO Box 4400" not in t or "Portland, ME 04112-4400" not in t:
                fail("%s page %d: remittance address not in the envelope window: %r" % (f, p, t))
    if not seen["EUR"] or not seen["USD"]:
        fail("coupons seen: %s (want EPC and URL payloads)" % seen)
    print("coupons ok: %s" % seen)

def annots(pdf):
    d = json.loads(run("qpdf", "--json", pdf))
    objs = d["qpdf"][1]
    urls = []
    for p in d["pages"]:
        po = objs["obj:" + p["object"]]["value"]
        for ref in po.get("/Annots", []) if isinstance(po.get("/Annots"), list) else []:
            a = objs["obj:" + ref]["value"]
            if a.get("/Subtype") != "/Link" or a.get("/F") != 4:
                fail("%s: annotation %s is not a printable link: %s" % (pdf, ref, a))
            act = a["/A"]
            if isinstance(act, str):
                act = objs["obj:" + act]["value"]
            if act.get("/S") != "/URI" or "/JS" in act:
                fail("%s: annotation action %s is not a URI" % (pdf, act))
            urls.append(act["/URI"][2:] if act["/URI"].startswith("u:") else act["/URI"])
        if isinstance(po.get("/Annots"), str):
            fail("%s: indirect /Annots not expected" % pdf)
    return urls

RESPOND = "https://www.harborpine.example/respond?code=%s&offer=%s&variant=%s&hh=%s"

def offer_urls(out):
    """household -> the response URLs of the offers placed on its statement."""
    urls = {}
    for line in open(os.path.join(out, "audit.jsonl"), encoding="utf-8"):
        a = json.loads(line)
        if "household" in a:
            urls[a["household"]] = sorted(
                RESPOND % (p["response_code"], p["offer"], p.get("variant", ""), a["household"])
                for p in a.get("offers", {}).get("placed", []))
    return urls

def check_links(out, samples):
    acc = accounts(samples)
    first = audit(out, acc)
    offers = offer_urls(out)
    n_offer = 0
    n = 0
    n_pay = 0
    for z in sorted(os.listdir(os.path.join(out, "archive"))):
        if not z.endswith(".zip"):
            continue
        zf = zipfile.ZipFile(os.path.join(out, "archive", z))
        tmp = tempfile.mkdtemp()
        for name in zf.namelist():
            if not name.endswith(".pdf"):
                continue
            path = zf.extract(name, tmp)
            hh = re.search(r"statements-(H\d+)-", name).group(1)
            urls = annots(path)
            if "https://www.harborpine.example" not in urls:
                fail("%s: no link to the website; links %s" % (name, urls))
            pay = [u for u in urls if u.startswith("https://pay.harborpine.example/")]
            if first.get(hh):
                if len(pay) != 1 or "hh=" + hh not in pay[0] or "account=%s&" % first[hh] not in pay[0]:
                    fail("%s: pay-now links %s, expected one for the household's card/mortgage" % (name, pay))
                n_pay += 1
            elif pay:
                fail("%s: a pay-now link without a coupon: %s" % (name, pay))
            got = sorted(u for u in urls if u.startswith("https://www.harborpine.example/respond?"))
            if got != offers.get(hh, []):
                fail("%s: offer response links %s, expected %s" % (name, got, offers.get(hh)))
            n_offer += len(got)
            n += 1
    if not n or not n_pay or not n_offer:
        fail("archive PDFs checked: %d, with pay-now links: %d, offer links: %d" % (n, n_pay, n_offer))
    for f in os.listdir(os.path.join(out, "print")):
        if f.endswith(".pdf"):
            if annots(os.path.join(out, "print", f)):
                fail("print file %s has link annotations" % f)
            if b"/Annots" in open(os.path.join(out, "print", f), "rb").read():
                fail("print file %s has /Annots" % f)
    print("links ok: %d archive PDFs, %d with pay-now, %d offer response links" % (n, n_pay, n_offer))

if __name__ == "__main__":
    {"coupon": check_coupon, "links": check_links}[sys.argv[1]](sys.argv[2], sys.argv[3])
