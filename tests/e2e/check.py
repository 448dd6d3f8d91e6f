#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""Independent checks of a folio run: re-reads the input CSVs with Python's
csv module, the PDFs with poppler (pdfinfo, pdftotext) and compares with the
manifest.  usage:
  check.py end-to-end SAMPLES_DIR OUT_DIR
  check.py split OUT_DIR MAX_SHEETS
  check.py paginate FIXTURE_DIR OUT_DIR N
  check.py production INPUT_DIR OUT_DIR MAX_SHEETS   (mail streams, presort, pieces)
  check.py proofs OUT_DIR [MAX]                      (proof sample: cover, masking, pages)
"""
import csv, glob, hashlib, io, json, os, re, subprocess, sys
import folio_csv  # folio's CSV cells: the injection prefix undone
from decimal import Decimal

def fail(msg):
    print("CHECK FAILED: " + msg)
    sys.exit(1)

# "Page x of y" in any language of the sample layouts (en, es: "Página x de y")
PG = r"(?:Page|Página) %s (?:of|de) %s"

def run(*args):
    return subprocess.run(args, check=True, capture_output=True).stdout.decode("utf-8", "replace")

def pdf_pages(path):
    m = re.search(r"^Pages:\s+(\d+)", run("pdfinfo", path), re.M)
    return int(m.group(1))

def pdf_text(path, layout=True):
    args = ["pdftotext"] + (["-layout"] if layout else []) + [path, "-"]
    return run(*args)

def sha256(path):
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for b in iter(lambda: f.read(1 << 20), b""):
            h.update(b)
    return h.hexdigest()

def read_csv_with_lines(path):
    """Yield (start_line, row) using the csv module; start_line is the physical
    line where the record begins (1-based, header is line 1)."""
    with open(path, encoding="utf-8", errors="surrogateescape", newline="") as f:
        if f.read(1) != "\ufeff":
            f.seek(0)
        r = csv.reader(f)
        header = next(r)
        prev_end = r.line_num
        for row in r:
            yield prev_end + 1, dict(zip(header, row)), len(row) == len(header)
            prev_end = r.line_num

def load_manifest(out):
    with open(os.path.join(out, "manifest.json"), encoding="utf-8") as f:
        return json.load(f)

def check_outputs(out, m):
    total = 0
    for o in m["outputs"]:
        if o["format"] != "pdf":
            continue
        p = os.path.join(out, o["file"])
        if not os.path.exists(p):
            fail("manifest lists missing file " + o["file"])
        n = pdf_pages(p)
        if n != o["pages"]:
            fail("%s: pdfinfo says %d pages, manifest %d" % (o["file"], n, o["pages"]))
        if sha256(p) != o["sha256"]:
            fail("%s: sha256 differs from manifest" % o["file"])
        if os.path.getsize(p) != o["bytes"]:
            fail("%s: size differs from manifest" % o["file"])
        total += n
    if total != m["counts"]["print_pages"]:
        fail("pages in files %d != manifest print_pages %d" % (total, m["counts"]["print_pages"]))
    listed = sorted(os.path.basename(o["file"]) for o in m["outputs"] if o["format"] == "pdf")
    present = sorted(os.path.basename(p) for p in glob.glob(os.path.join(out, "print", "*.pdf")))
    if listed != present:
        fail("print/ holds %s, manifest lists %s" % (present, listed))
    if glob.glob(os.path.join(out, "print", "*.part")):
        fail("temporary .part files left behind")

def end_to_end(samples, out):
    m = load_manifest(out)
    check_outputs(out, m)
    rejects = {}
    with open(os.path.join(out, "rejects.csv"), encoding="utf-8", errors="surrogateescape", newline="") as f:
        for row in folio_csv.DictReader(f):
            rejects[(os.path.basename(row["file"]), int(row["line"]))] = row["reason"]
    # every bad row the generator planted is rejected with the right reason
    want = {"invalid_utf8": "invalid UTF-8", "bad_money": "invalid amount",
            "bad_date": "invalid date", "unknown_account": "unknown account_id",
            "missing_field": "expected", "duplicate_account": "duplicate account_id"}
    exp_path = os.path.join(samples, "expected_rejects.csv")
    if os.path.exists(exp_path):
        with open(exp_path, encoding="utf-8", newline="") as f:
            for row in csv.DictReader(f):
                key = (row["file"], int(row["line"]))
                if key not in rejects:
                    fail("%s:%s (%s) was not rejected" % (row["file"], row["line"], row["kind"]))
                if want[row["kind"]] not in rejects[key]:
                    fail("%s:%s rejected for '%s', expected '%s'" % (row["file"], row["line"], rejects[key], want[row["kind"]]))
        if len(rejects) != sum(1 for _ in open(exp_path)) - 1:
            fail("rejects.csv has %d rows, %d expected" % (len(rejects), sum(1 for _ in open(exp_path)) - 1))
    elif "--with-errors" in sys.argv:
        fail("expected_rejects.csv missing")
    suppressed_acc = set()
    suppressed_txn_lines = set()
    with open(os.path.join(out, "suppressed.csv"), encoding="utf-8", newline="") as f:
        for row in folio_csv.DictReader(f):
            if row["kind"] == "account":
                suppressed_acc.add(row["id"])
            elif row["kind"] == "transaction":
                suppressed_txn_lines.add((os.path.basename(row["file"]), int(row["line"])))
    # independent sums over the raw transaction files
    amount_all = Decimal(0); amount_ok = Decimal(0); amount_supp = Decimal(0)
    n_rows = 0; n_ok = 0; n_supp = 0
    for p in sorted(glob.glob(os.path.join(samples, "*_transactions.csv"))):
        base = os.path.basename(p)
        for line, row, _ in read_csv_with_lines(p):
            n_rows += 1
            try:
                amt = Decimal(row.get("amount", ""))
            except Exception:
                amt = None
            if (base, line) in rejects:
                continue
            if amt is None:
                fail("%s:%d: unparseable amount was not rejected" % (base, line))
            n_ok += 1
            amount_ok += amt
            if (base, line) in suppressed_txn_lines:
                amount_supp += amt; n_supp += 1
    ct = dict(m["control_totals"]["transactions"])
    for k in ("amount_read", "amount_rejected", "amount_composed", "amount_suppressed"):
        # per currency (issue 10 part 6); the sample bank has USD only
        if set(ct[k]) != {"USD"}:
            fail("control_totals.transactions.%s: %r, expected USD only" % (k, ct[k]))
        ct[k] = ct[k]["USD"]
    if ct["read"] != n_rows:
        fail("manifest transactions read %d, csv module counts %d" % (ct["read"], n_rows))
    if Decimal(str(ct["amount_composed"])) + Decimal(str(ct["amount_suppressed"])) != amount_ok:
        fail("composed + suppressed amount %s + %s != independent sum %s"
             % (ct["amount_composed"], ct["amount_suppressed"], amount_ok))
    if Decimal(str(ct["amount_suppressed"])) != amount_supp:
        fail("suppressed amount mismatch")
    if ct["composed"] + ct["suppressed"] != n_ok:
        fail("composed + suppressed rows != accepted rows (%d + %d != %d)" % (ct["composed"], ct["suppressed"], n_ok))
    if not m["reconciliation"]["balanced"]:
        fail("manifest says not balanced")
    # every accepted account is in exactly one household of the audit trail, and
    # is on that household's pages of the print file, or e-mail only, or suppressed
    texts = {}
    for o in m["outputs"]:
        if o["format"] != "pdf":
            continue
        texts[o["file"]] = pdf_text(os.path.join(out, o["file"]), layout=False).split("\f")
    text = "".join("".join(t) for t in texts.values())
    where = {}
    with open(os.path.join(out, "audit.jsonl"), encoding="utf-8") as f:
        for line in f:
            h = json.loads(line)
            for a in h["accounts"]:
                if a["id"] in where:
                    fail("account %s in two households" % a["id"])
                where[a["id"]] = (h, a)
            if h["channel"] in ("print", "both"):
                pages = texts[h["print_file"]][h["first_page"] - 1:h["last_page"]]
                if not re.search(PG % (1, h["pages"]) + r"\b", pages[0]):
                    fail("%s: first page %d of %s is not page 1 of %d" % (h["household"], h["first_page"], h["print_file"], h["pages"]))
                joined = "".join(pages)
                for a in h["accounts"]:
                    if "suppressed" not in a and a["id"] not in joined:
                        fail("account %s of %s not on its pages" % (a["id"], h["household"]))
    n_acc = 0
    for p in sorted(glob.glob(os.path.join(samples, "*_accounts.csv"))):
        base = os.path.basename(p)
        for line, row, _ in read_csv_with_lines(p):
            if (base, line) in rejects:
                continue
            n_acc += 1
            aid = row["account_id"]
            if aid not in where:
                fail("accepted account %s (%s:%d) is in no household" % (aid, base, line))
            h, a = where[aid]
            if (h["channel"] == "suppressed" or "suppressed" in a) and aid not in suppressed_acc:
                fail("account %s suppressed in the audit but not in suppressed.csv" % aid)
    stmts = len(re.findall(PG % (1, r"\d+"), text))
    if stmts != m["counts"]["print_statements"]:
        fail("PDF text has %d statements (Page 1 of), manifest %d" % (stmts, m["counts"]["print_statements"]))
    for name in ("Zoë", "José", "Łukasz", "Müller"):
        pass   # names depend on the sample draw; at least one non-ASCII name must appear
    if not re.search(r"[À-ž]", text):
        fail("no non-ASCII letter found in the PDF text")
    print("end-to-end: %d statements, %d pages, %d rejects, %d accounts checked"
          % (stmts, m["counts"]["print_pages"], len(rejects), n_acc))

def split(out, max_sheets):
    m = load_manifest(out)
    check_outputs(out, m)
    seen = set()
    for o in m["outputs"]:
        if o["format"] != "pdf":
            continue
        if o["sheets"] > max_sheets and o["statements"] > 1:
            fail("%s has %d sheets > %d" % (o["file"], o["sheets"], max_sheets))
        text = pdf_text(os.path.join(out, o["file"]), layout=False)
        pages = text.split("\f")[:-1]
        # every file starts with page 1 of a statement and ends with its last page
        first = re.search(PG % (r"(\d+)", r"(\d+)"), pages[0])
        last = re.search(PG % (r"(\d+)", r"(\d+)"), pages[-1])
        if not first or first.group(1) != "1":
            fail("%s does not start with the first page of a statement" % o["file"])
        if not last or last.group(1) != last.group(2):
            fail("%s ends inside a statement" % o["file"])
        n = len(re.findall(PG % (1, r"\d+"), text))
        if n != o["statements"]:
            fail("%s: %d statements in text, manifest %d" % (o["file"], n, o["statements"]))
        seen.add(o["first_household"])
    print("split: %d files" % len(m["outputs"]))

def money_str(c):
    s = "{:,}".format(abs(c) // 100) + ".%02d" % (abs(c) % 100)
    return ("-" if c < 0 else "") + s

def paginate(fixture, out, n):
    import yaml
    m = load_manifest(out)
    check_outputs(out, m)
    n_exp, opening, closing = map(int, open(os.path.join(fixture, "expect.txt")).read().split())
    pdf = os.path.join(out, m["outputs"][0]["file"])
    pages = pdf_text(pdf).split("\f")[:-1]
    # statement of H1 = pages up to the first "Page k of k"
    st = []
    for p in pages:
        st.append(p)
        mm = re.search(r"Page (\d+) of (\d+)", p)
        if mm and mm.group(1) == mm.group(2):
            break
    k = len(st)
    # transactions: each exactly once, in order, with the right running balance
    rows = []
    for pi, p in enumerate(st):
        for line in p.split("\n"):
            mm = re.search(r"TXN (\d{4})", line)
            if mm:
                nums = re.findall(r"-?[\d,]+\.\d\d", line)
                rows.append((int(mm.group(1)), nums[-1], pi))
    ids = [r[0] for r in rows]
    if ids != list(range(1, n + 1)):
        fail("transactions missing, repeated or out of order: got %d rows" % len(ids))
    amounts = []
    with open(os.path.join(fixture, "txns.csv")) as f:
        next(f)
        for line in f:
            a = line.rstrip("\n").split(",")[3]
            neg = a.startswith("-")
            a = a.lstrip("-")
            c = int(a.replace(".", ""))
            amounts.append(-c if neg else c)
    bal = opening
    for (i, shown, _), a in zip(rows, amounts):
        bal += a
        if shown != money_str(bal):
            fail("TXN %04d: running balance shown %s, expected %s" % (i, shown, money_str(bal)))
    if bal != closing:
        fail("fixture inconsistent")
    closing_line = [l for l in st[-1].split("\n") if "Closing balance" in l]
    if not closing_line or money_str(closing) not in closing_line[-1]:
        fail("last page has no closing balance row with %s" % money_str(closing))
    for pi, p in enumerate(st):
        if not re.search(r"Date\s+Description", p):
            fail("page %d lacks the table header" % (pi + 1))
        if pi > 0 and "(continued)" not in p:
            fail("page %d lacks the continued title" % (pi + 1))
        if pi < k - 1 and "Continued on next page" not in p:
            fail("page %d lacks the continued-on-next-page mark" % (pi + 1))
        if ("Page %d of %d" % (pi + 1, k)) not in p:
            fail("page %d lacks 'Page %d of %d'" % (pi + 1, pi + 1, k))
    # expected page count from the layout geometry (units: 1/20 pt)
    job = open(os.path.join(fixture, "job.yaml")).read()
    lay_path = re.search(r'^layout: "(.*)"', job, re.M).group(1)
    L = yaml.safe_load(open(lay_path))
    u = lambda v: int(round(float(v) * 20))
    sty = L["styles"]
    lead = lambda s: u(sty[s]["leading"])
    pad = u(L["table"].get("row_padding", 0))
    td, th = L["table"]["row_style"], L["table"]["header_style"]
    row = lead(td) + 2 * pad
    hdr = lead(th) + 2 * pad + 20
    mark = lead(td) + pad
    bottom = u(L["body"]["bottom"])
    sm = L["summary"]
    y = u(L["body"]["first_page_top"])
    y += lead(sm["title_style"]) + (lead(sm["header_style"]) + 2 * pad + 20)
    y += lead(sm["row_style"]) + 2 * pad            # one account
    y += lead(sm["header_style"]) + 2 * pad         # total row
    y += u(sm.get("space_after", 0))
    sec = L["section"]
    y += lead(sec["title_style"]) + len(sec.get("info", [])) * lead(sec.get("info_style", td)) + hdr
    # charts in the account's section (no x/y: docs/layout-file.md) keep their
    # box on page 1 with the title; the fixture's account is a checking one
    y += sum(u(c["height"]) for c in L.get("charts", [])
             if "x" not in c and "checking" in c.get("products", ["checking"]))
    pages_exp = 1
    rows_total = n + 2       # opening row, n transactions, closing row
    for r in range(rows_total):
        last = r == rows_total - 1
        limit = bottom - (0 if last else mark)
        if y + row > limit:
            pages_exp += 1
            y = u(L["body"]["top"]) + lead(sec["title_style"]) + hdr
        y += row
    if k != pages_exp:
        fail("statement has %d pages, layout geometry says %d" % (k, pages_exp))
    print("paginate: %d transactions on %d pages, balances verified" % (n, k))

def postal_key(pc, country):
    """Presort key, computed independently: US -> first five digits of the ZIP,
    elsewhere upper-case letters and digits; empty sorts last."""
    us = country.strip().upper() in ("", "US", "USA", "UNITED STATES", "UNITED STATES OF AMERICA")
    if us:
        k = re.match(r"\s*(\d{0,5})", pc).group(1)
    else:
        k = "".join(ch for ch in pc.upper() if ch.isascii() and ch.isalnum())
    return (k == "", k)

def production(inputs, out, max_sheets):
    """Mail streams, presort, splitting and pieces, checked from the PDFs, the
    pieces files, the audit trail and the customers feed."""
    m = load_manifest(out)
    check_outputs(out, m)
    cust = {}
    with open(os.path.join(inputs, "customers.csv"), encoding="utf-8", errors="surrogateescape", newline="") as f:
        for row in csv.DictReader(f):
            cid = row.get("customer_id", row.get("id"))
            cust[cid] = (row.get("postal_code", row.get("zip", "")), row.get("country", ""))
    audit = {}
    with open(os.path.join(out, "audit.jsonl"), encoding="utf-8") as f:
        for line in f:
            h = json.loads(line)
            audit[h["household"]] = h
    outputs = {o["file"]: o for o in m["outputs"]}
    stream_names = [s["name"] for s in m["streams"] if s["printed"]]
    pieces = []
    for pf in m["piece_files"]:
        o = outputs[pf["print_file"]]
        duplex = o["duplex"] == "yes"
        with open(os.path.join(out, pf["file"]), encoding="utf-8", newline="") as f:
            rows = list(folio_csv.DictReader(f))
        if len(rows) != o["statements"]:
            fail("%s: %d rows, %d statements" % (pf["file"], len(rows), o["statements"]))
        pages = pdf_text(os.path.join(out, o["file"]), layout=False).split("\f")[:-1]
        if len(pages) != o["pages"]:
            fail("%s: %d pages of text, manifest %d" % (o["file"], len(pages), o["pages"]))
        sheets = 0
        nxt = 1
        for r in rows:
            h = audit[r["household"]]
            fp, lp, n = int(r["first_page"]), int(r["last_page"]), h["pages"]
            if fp != nxt:
                fail("%s: piece %s starts at page %d, expected %d" % (pf["file"], r["piece_id"], fp, nxt))
            nxt = lp + 1
            pad = 1 if duplex and n % 2 else 0
            if lp - fp + 1 != n + pad or int(r["pages"]) != n + pad:
                fail("%s: piece %s spans %d-%d for %d pages" % (pf["file"], r["piece_id"], fp, lp, n))
            # never split: the whole statement, page 1 to page n, is in this file
            if not re.search(PG % (1, n) + r"\b", pages[fp - 1]):
                fail("%s page %d: not page 1 of %d (%s)" % (o["file"], fp, n, r["household"]))
            if not re.search(PG % (n, n) + r"\b", pages[fp + n - 2]):
                fail("%s page %d: not page %d of %d" % (o["file"], fp + n - 1, n, n))
            # the back side is blank, unless the white-space filler put an offer
            # there (audit: a placement in slot "back"), and then it holds only that
            back = [p for p in (h.get("offers") or {}).get("placed", []) if p.get("slot") == "back"]
            if pad and pages[lp - 1].strip():
                if not back:
                    fail("%s page %d: duplex padding page is not blank" % (o["file"], lp))
                for p in back:
                    if p.get("response_code") and p["response_code"] not in pages[lp - 1]:
                        fail("%s page %d: back side lacks offer %s" % (o["file"], lp, p["response_code"]))
                if re.search(r"Page \d+ of|P\u00e1gina", pages[lp - 1]):
                    fail("%s page %d: the offer back side carries a page number" % (o["file"], lp))
            want_sheets = (n + 1) // 2 if duplex else n
            if int(r["sheets"]) != want_sheets:
                fail("%s: piece %s has %s sheets, expected %d" % (pf["file"], r["piece_id"], r["sheets"], want_sheets))
            sheets += want_sheets
            if h.get("piece") != r["piece_id"] or h.get("stream") != r["stream"] or h.get("print_file") != o["file"]:
                fail("audit of %s disagrees with %s" % (r["household"], pf["file"]))
            if int(r["imb_serial"]) != h.get("imb_serial"):
                fail("audit serial of %s differs" % r["household"])
            if os.path.basename(o["file"]) != r["file"] or r["stream"] != o["stream"]:
                fail("%s: row %s names file %s stream %s" % (pf["file"], r["piece_id"], r["file"], r["stream"]))
            pieces.append((r, h, want_sheets))
        if sheets != o["sheets"]:
            fail("%s: %d sheets, manifest %d" % (o["file"], sheets, o["sheets"]))
        if sheets > max_sheets and len(rows) > 1:
            fail("%s: %d sheets > max %d with %d statements" % (o["file"], sheets, max_sheets, len(rows)))
        if sheets > max_sheets and not o.get("oversize"):
            fail("%s: a lone statement above the maximum is not flagged oversize" % o["file"])
        if ("-" + o["stream"] + "-") not in os.path.basename(o["file"]):
            fail("%s: file name lacks its stream %s" % (o["file"], o["stream"]))
    # ids sequential in print order, serials unique
    for i, (r, _, _) in enumerate(pieces):
        if r["piece_id"] != "P%07d" % (i + 1):
            fail("piece %d is %s" % (i + 1, r["piece_id"]))
    serials = [r["imb_serial"] for r, _, _ in pieces]
    if len(set(serials)) != len(serials):
        fail("IMb serials are not unique")
    printed = sorted(k for k, h in audit.items() if h["channel"] in ("print", "both"))
    if sorted(r["household"] for r, _, _ in pieces) != printed:
        fail("print households and pieces differ")
    # stream rules (default streams) and order: streams as configured, then postal key, household
    prev = None
    for r, h, sh in pieces:
        pc, country = cust[h["customers"][0]]
        us = country.strip().upper() in ("", "US", "USA")
        want = "foreign" if not us else ("flats" if sh > 10 else "letters")
        if "foreign" in stream_names and r["stream"] != want:
            fail("%s (%s, %d sheets) went to %s, expected %s" % (r["household"], country, sh, r["stream"], want))
        key = (stream_names.index(r["stream"]), postal_key(pc, country), r["household"])
        if prev is not None and key < prev:
            fail("print order broken at %s: %s after %s" % (r["piece_id"], key, prev))
        prev = key
    counts = {}
    for r, _, _ in pieces:
        counts[r["stream"]] = counts.get(r["stream"], 0) + 1
    for s in m["streams"]:
        if s["printed"] and s["statements"] != counts.get(s["name"], 0):
            fail("stream %s: %d statements, %d pieces" % (s["name"], s["statements"], counts.get(s["name"], 0)))
    sup = [s for s in m["streams"] if s["name"] == "suppressed"]
    if not sup or sup[0]["printed"] or sup[0]["statements"] != sum(1 for h in audit.values() if h["channel"] == "suppressed"):
        fail("suppressed stream count wrong")
    print("production: %d pieces in %d files, streams %s" % (len(pieces), len(m["piece_files"]), counts))

def greedy(items, cap):
    """The proof sample recomputed: rescan-everything greedy set cover, ties to
    the lowest index (household order = audit.jsonl order)."""
    covered, picks = set(), []
    while cap is None or len(picks) < cap:
        best, gain = None, 0
        for i, keys in enumerate(items):
            g = len(keys - covered)
            if g > gain:
                best, gain = i, g
        if best is None:
            break
        picks.append(best)
        covered |= items[best]
    return picks, covered

def norm_words(text, ids):
    """Words of a statement's text with account numbers written as *LAST4,
    so a masked proof and an unmasked print compare equal."""
    for a in ids:
        if len(a) > 4:
            text = text.replace(a, "*" + a[-4:])
    text = re.sub(r"\*+(\w{4})", r"*\1", text)
    return sorted(text.split())

def page_graphics(pdf, first, last):
    """Non-text drawing of pages first..last: every path operator line outside
    BT/ET (rules, boxes, barcodes, marks), colours and states left out, one
    list per page -- qpdf writes the pages out uncompressed (QDF)."""
    import tempfile
    with tempfile.NamedTemporaryFile(suffix=".pdf") as t:
        subprocess.run(["qpdf", "--qdf", "--object-streams=disable", "--pages", pdf,
                        "%d-%d" % (first, last), "--", pdf, t.name], check=True, capture_output=True)
        d = open(t.name, "rb").read().decode("latin-1")
    pages = []
    for m in re.finditer(r"%% Contents for page (\d+)\n.*?\nstream\n(.*?)\nendstream", d, re.S):
        intext, g = False, []
        for l in m.group(2).split("\n"):
            l = l.strip()
            if l in ("BT", "ET"):
                intext = l == "BT"
            elif l and not intext and not re.search(r"\b(rg|RG|w|q|Q|gs)$", l):
                g.append(l)
        pages.append(g)
    return pages

def proofs(out, cap=None):
    m = load_manifest(out)
    audit = [json.loads(l) for l in open(os.path.join(out, "audit.jsonl"), encoding="utf-8")]
    pj = json.load(open(os.path.join(out, "proofs", "proofs.json"), encoding="utf-8"))
    pdf = os.path.join(out, "proofs", "proof.pdf")
    run("qpdf", "--check", pdf)
    pages = pdf_pages(pdf)
    mp = m["proofs"]
    files = {f["file"]: f for f in mp["files"]}
    if files["proofs/proof.pdf"]["pages"] != pages or pj["pages"] != pages:
        fail("proof.pdf has %d pages, manifest %s, proofs.json %s" % (pages, files["proofs/proof.pdf"]["pages"], pj["pages"]))
    for rel, f in files.items():
        p = os.path.join(out, rel)
        if sha256(p) != f["sha256"] or os.path.getsize(p) != f["bytes"]:
            fail(rel + ": bytes or sha256 differ from the manifest")
    # every household has coverage keys, run-level ones included
    for h in audit:
        if "coverage" not in h or ("channel:" + h["channel"]) not in h["coverage"]:
            fail("household %s: no channel key in its audit coverage" % h["household"])
        if h["channel"] == "suppressed" and not any(k.startswith("suppression:") for k in h["coverage"]):
            fail("suppressed household %s has no suppression key" % h["household"])
        if h.get("stream") and ("stream:" + h["stream"]) not in h["coverage"]:
            fail("household %s: no stream key" % h["household"])
    all_keys = set(k for h in audit for k in h["coverage"])
    by_id = {h["household"]: h for h in audit}
    # the sample is the greedy cover, recomputed here from the audit log
    picks, covered = greedy([set(h["coverage"]) for h in audit], cap)
    got = [s["household"] for s in pj["samples"]]
    want = [audit[i]["household"] for i in picks]
    if got != want:
        fail("sample %s, greedy over audit.jsonl gives %s" % (got, want))
    sampled_keys = set()
    for s in pj["samples"]:
        h = by_id[s["household"]]
        if set(s["keys"]) != set(h["coverage"]):
            fail("%s: proofs.json keys differ from its audit coverage" % s["household"])
        sampled_keys |= set(s["keys"])
    uncovered = sorted(all_keys - sampled_keys)
    if cap is None:
        if uncovered:
            fail("variations in audit.jsonl that no sampled household covers: %s" % uncovered)
        if not pj["complete"] or mp["uncovered"] or pj["keys_total"] != len(all_keys):
            fail("proofs.json/manifest do not say complete")
    else:
        if [u["key"] for u in pj["uncovered"]] != uncovered or mp["uncovered"] != uncovered:
            fail("uncovered keys %s, expected %s" % (mp["uncovered"], uncovered))
        if not uncovered or pj["complete"] or len(got) != cap:
            fail("the cap should have stopped the sample early")
    seen = set(h["pages"] for h in audit if h["channel"] != "suppressed")
    if pj["pages_not_seen"] != [p for p in range(1, max(seen) + 1) if p not in seen]:
        fail("pages_not_seen %s, audit pages %s" % (pj["pages_not_seen"], sorted(seen)))
    if mp["sampled"] != len(got) or mp["keys_covered"] != len(all_keys) - len(uncovered):
        fail("manifest proofs counts are wrong")
    # masking: no full account number anywhere, and PROOF on every statement page
    text = pdf_text(pdf, layout=False)
    every_id = [a["id"] for h in audit for a in h["accounts"]]
    leaked = [a for a in every_id if len(a) > 4 and a in text]
    if leaked:
        fail("proof.pdf shows full account numbers: %s" % leaked[:5])
    if "PROOF" not in text:
        fail("no PROOF in proof.pdf")
    nexp = 0
    dup = m["outputs"][0]["duplex"] == "yes" if m["outputs"] else False
    compared = 0
    for s in pj["samples"]:
        h = by_id[s["household"]]
        ids = [a["id"] for a in h["accounts"]]
        if s["first_page"] != nexp + 1:
            fail("sample %d starts at page %d" % (s["sample"], s["first_page"]))
        nexp = s["last_page"]
        if h["channel"] == "suppressed":
            if s["statement_pages"] != 0:
                fail("suppressed %s has statement pages" % h["household"])
            cover = run("pdftotext", "-f", str(s["first_page"]), "-l", str(s["last_page"]), pdf, "-")
            if h["reason"] not in cover:
                fail("cover of suppressed %s lacks its reason" % h["household"])
            continue
        want_pages = h["pages"] + (1 if dup and h["pages"] % 2 else 0)
        if s["statement_pages"] != want_pages:
            fail("%s: %d statement pages in the proof, %d printed" % (h["household"], s["statement_pages"], want_pages))
        f0 = s["last_page"] - s["statement_pages"] + 1
        for pg in range(f0, s["last_page"] + 1):
            t = run("pdftotext", "-f", str(pg), "-l", str(pg), pdf, "-")
            if "PROOF" not in t:
                fail("page %d of the proof has no PROOF mark" % pg)
        st = run("pdftotext", "-f", str(f0), "-l", str(s["last_page"]), pdf, "-")
        for ac in h["accounts"]:
            if len(ac["id"]) > 4 and "suppressed" not in ac and not re.search(r"\*+" + re.escape(ac["id"][-4:]), st):
                fail("%s: masked number *%s not shown" % (h["household"], ac["id"][-4:]))
        # the statement is the printed one: same words, account numbers aside
        if "print_file" in s:
            pf = os.path.join(out, s["print_file"])
            a0 = s["print_first_page"]
            ptxt = run("pdftotext", "-f", str(a0), "-l", str(a0 + s["statement_pages"] - 1), pf, "-")
            xtxt = run("pdftotext", "-f", str(f0), "-l", str(s["last_page"]), pdf, "-")
            if any(a in ptxt for a in ids if len(a) > 4):
                compared += 1          # the print shows full numbers: masking did work here
            banner = "PROOF \u2014 sample %d of %d \u2014 household %s \u2014 not for mailing" % (s["sample"], len(got), h["household"])
            xtxt = xtxt.replace(banner, " ").replace("Blank back page (duplex): printed empty.", " ")
            # the same rules, boxes, barcodes and inserter marks, page by page
            pg_print = page_graphics(pf, a0, a0 + s["statement_pages"] - 1)
            pg_proof = page_graphics(pdf, f0, s["last_page"])
            if pg_print != pg_proof or len(pg_print) != s["statement_pages"]:
                fail("%s: proof pages draw other graphics than the print (marks?)" % h["household"])
            xw = [w for w in norm_words(xtxt, ids) if w != "PROOF"]
            pw = norm_words(ptxt, ids)
            if xw != pw:
                import difflib
                fail("%s: proof text differs from the print stream:\n%s" % (h["household"], "\n".join(list(difflib.unified_diff(pw, xw, lineterm=""))[:20])))
    if nexp != pages:
        fail("samples end at page %d of %d" % (nexp, pages))
    print("proofs: %d households cover %d of %d keys in %d pages (%d statements compared with a full-number print)" % (len(got), len(sampled_keys), len(all_keys), pages, compared))

if __name__ == "__main__":
    mode = sys.argv[1]
    if mode == "end-to-end":
        end_to_end(sys.argv[2], sys.argv[3])
    elif mode == "split":
        split(sys.argv[2], int(sys.argv[3]))
    elif mode == "paginate":
        paginate(sys.argv[2], sys.argv[3], int(sys.argv[4]))
    elif mode == "production":
        production(sys.argv[2], sys.argv[3], int(sys.argv[4]))
    elif mode == "proofs":
        proofs(sys.argv[2], int(sys.argv[3]) if len(sys.argv) > 3 else None)
    else:
        fail("unknown mode " + mode)
