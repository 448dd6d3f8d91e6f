#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""Check an e-delivery archive against the run's audit log, the feeds and the
print stream.  usage: check_archive.py FEEDS OUT OUT_PRINT_ALL

OUT is a run with the archive on; OUT_PRINT_ALL the same job with the archive
disabled, so every household that OUT archives is printed there too.
Checks, each from the files themselves:
  - index rows (every zip's index.csv) = households routed to email or both in
    audit.jsonl, one to one; index inside each zip = index beside it;
  - every document: qpdf --check, XMP declares PDF/A-1b, pdffonts all
    embedded, SHA-256 and page count as indexed, pdftotext equal to the same
    household's pages in a print stream (OUT's for "both", else OUT_PRINT_ALL's);
  - account numbers masked to the last four, and those are the household's
    accounts in the feeds; customers as in the feeds;
  - e-mail customers without a valid address are printed, with the reason;
  - the channel rule suppresses the "student" households with its reason;
  - notifications.csv: one row per archived household's primary customer
    (plus others who asked for e-mail), with a valid address.
"""
import csv, glob, hashlib, io, json, os, re, subprocess, sys, zipfile
import folio_csv  # folio's CSV cells: the injection prefix undone

feeds, out, outp = sys.argv[1], sys.argv[2], sys.argv[3]
fail = []


def bad(msg):
    fail.append(msg)


def run(*args):
    return subprocess.run(args, capture_output=True)


def audit_of(d):
    return {a["household"]: a for a in map(json.loads, open(d + "/audit.jsonl", encoding="utf-8"))}


audit, auditp = audit_of(out), audit_of(outp)
customers = {r["customer_id"]: r for r in csv.DictReader(open(feeds + "/customers.csv", encoding="utf-8"))}
routed = {h for h, a in audit.items() if a["channel"] in ("email", "both")}

# ---- indexes --------------------------------------------------------------
rows = {}
zips = sorted(glob.glob(out + "/archive/*.zip"))
if not zips:
    bad("no zip in archive/")
for zp in zips:
    z = zipfile.ZipFile(zp)
    if z.testzip() is not None:
        bad(zp + ": bad CRC")
    inner = z.read("index.csv")
    beside = open(zp[:-4] + ".index.csv", "rb").read()
    if inner != beside:
        bad(zp + ": index.csv inside != beside")
    if z.read("index.json") != open(zp[:-4] + ".index.json", "rb").read():
        bad(zp + ": index.json inside != beside")
    js = json.loads(z.read("index.json"))
    recs = list(folio_csv.DictReader(io.StringIO(inner.decode("utf-8"))))
    if [r["document"] for r in recs] != [d["document"] for d in js["documents"]]:
        bad(zp + ": index.csv and index.json list different documents")
    pdfs = [n for n in z.namelist() if n.endswith(".pdf")]
    if sorted(pdfs) != sorted(r["document"] for r in recs):
        bad(zp + ": documents in the zip != index rows")
    for r in recs:
        if r["household"] in rows:
            bad("household %s indexed twice" % r["household"])
        rows[r["household"]] = (zp, z, r)
        info = z.getinfo(r["document"])
        if info.compress_type != zipfile.ZIP_STORED:
            bad(r["document"] + ": PDF deflated again")
        if "2026-10-01_2026-10-31" not in r["document"] and r["period_start"] not in r["document"]:
            bad(r["document"] + ": period not in the document name")

if set(rows) != routed:
    bad("index households != households routed to e-delivery: missing %s, extra %s"
        % (sorted(routed - set(rows))[:5], sorted(set(rows) - routed)[:5]))

# ---- documents --------------------------------------------------------------
tmp = out + "/../check-archive-tmp"
os.makedirs(tmp, exist_ok=True)


def offer_words():
    """Every word an offer of the sample catalogue can print (all variants and
    languages): an e-mail household's archive copy and its print-channel
    rerun may show different offers (offers have channels), so that
    comparison leaves these words out; everything else must be equal."""
    import yaml
    root = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    cat = yaml.safe_load(open(os.path.join(root, "layouts", "offers.yaml"), encoding="utf-8"))
    words = set()
    def add(c):
        for lang in (c or {}).values():
            for k in ("headline", "body", "cta"):
                words.update(str(lang.get(k, "")).split())
    for o in cat.get("offers", []):
        add(o.get("content"))
        words.add(str(o.get("response_code", "")))
        for v in o.get("variants") or []:
            add(v.get("content"))
            words.add(str(v.get("response_code", "")))
    return words


OFFER_WORDS = offer_words()


def without_offers(text):
    return [w for w in text.decode("utf-8", "replace").split() if w not in OFFER_WORDS]


def print_text(a, base):
    return run("pdftotext", "-layout", "-f", str(a["first_page"]), "-l", str(a["last_page"]),
               base + "/" + a["print_file"], "-").stdout


n_both = n_email = 0
for h, (zp, z, r) in sorted(rows.items()):
    data = z.read(r["document"])
    if hashlib.sha256(data).hexdigest() != r["sha256"] or len(data) != int(r["bytes"]):
        bad(r["document"] + ": sha256/bytes differ from the index")
    p = tmp + "/d.pdf"
    open(p, "wb").write(data)
    if run("qpdf", "--check", p).returncode != 0:
        bad(r["document"] + ": qpdf --check fails")
    meta = run("pdfinfo", "-meta", p).stdout.decode()
    # issue 14 part 2: tagged PDF/A-2a by default (output.archive.tagged)
    if "<pdfaid:part>2</pdfaid:part>" not in meta or "<pdfaid:conformance>A</pdfaid:conformance>" not in meta:
        bad(r["document"] + ": XMP does not declare PDF/A-2a")
    if h not in meta or r["period_start"] not in meta:
        bad(r["document"] + ": XMP lacks household or period")
    fonts = run("pdffonts", p).stdout.decode().splitlines()[2:]
    if not fonts or any(f.split()[-5] != "yes" for f in fonts):
        bad(r["document"] + ": a font is not embedded")
    pages = int(re.search(r"Pages:\s+(\d+)", run("pdfinfo", p).stdout.decode()).group(1))
    if pages != int(r["pages"]) or pages != audit[h]["pages"]:
        bad(r["document"] + ": %d pages, index %s, audit %d" % (pages, r["pages"], audit[h]["pages"]))
    text = run("pdftotext", "-layout", p, "-").stdout
    a = audit[h]
    if a["channel"] == "both":
        n_both += 1
        want = print_text(a, out)
    else:
        n_email += 1
        ap = auditp[h]
        if ap["channel"] != "print" or "print_file" not in ap:
            bad(h + ": not printed when the archive is disabled")
            continue
        want = print_text(ap, outp)
    if a["channel"] == "both" and text != want:
        bad(r["document"] + ": text differs from the print stream")
    elif a["channel"] != "both" and without_offers(text) != without_offers(want):
        bad(r["document"] + ": text (offers aside) differs from the print stream")
    # accounts: masked to the last four, the household's composed accounts
    accs = [x["id"] for x in a["accounts"] if "suppressed" not in x]
    shown = [s for s in r["accounts"].split(";") if s]
    if len(shown) != len(accs) or any(s[-4:] != i[-4:] or set(s[:-4]) - {"*"} or len(s) != len(i)
                                      for s, i in zip(shown, accs)):
        bad(r["document"] + ": accounts %s, audit %s" % (shown, accs))
    if r["customers"].split(";") != a["customers"]:
        bad(r["document"] + ": customers differ from the audit")
    if a.get("archive") != "archive/" + os.path.basename(zp) or a.get("document") != r["document"]:
        bad(h + ": audit does not point at its archive document")
if n_both == 0 or n_email == 0:
    bad("the sample has no 'both' (%d) or no e-mail-only (%d) household" % (n_both, n_email))

# ---- routing ------------------------------------------------------------------
fallback = 0
for h, a in audit.items():
    prim = customers[a["customers"][0]]
    if prim["delivery"] in ("email", "both") and prim["segment"] != "student":
        e = prim["email"]
        valid = re.fullmatch(r"[^@\s]+@[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)+", e or "") is not None
        if not valid and a["channel"] != "suppressed":
            fallback += 1
            if a["channel"] != "print" or "e-mail" not in a.get("channel_note", ""):
                bad(h + ": invalid address %r, channel %s, note %r" % (e, a["channel"], a.get("channel_note")))
            if "print_file" not in a:
                bad(h + ": e-mail fallback not printed")
    if prim["segment"] == "student":
        if a["channel"] != "suppressed" or a.get("reason") != "student accounts are statement-free":
            bad(h + ": student household not suppressed by the channel rule: %s" % a["channel"])
if fallback == 0:
    bad("no e-mail fallback in the sample")
m = json.load(open(out + "/manifest.json"))
c = m["counts"]
if c["archive_documents"] != len(rows) or c["archive_files"] != len(zips):
    bad("manifest counts %s" % c)
if not m["reconciliation"]["balanced"]:
    bad("not balanced")

# ---- notifications ----------------------------------------------------------
notes = list(folio_csv.DictReader(open(out + "/archive/notifications.csv", encoding="utf-8", newline="")))
first = {}
for n in notes:
    first.setdefault(n["household"], n)
if set(first) != set(rows):
    bad("notifications cover other households than the archive")
for h, n in first.items():
    if n["customer"] != audit[h]["customers"][0] or n["address"] != customers[n["customer"]]["email"]:
        bad(h + ": first notification is not the primary customer's address")
    if n["document"] + ".pdf" != rows[h][2]["document"]:
        bad(h + ": notification names another document")
if c["notifications"] != len(notes):
    bad("manifest notifications %d != %d rows" % (c["notifications"], len(notes)))

for f in fail[:40]:
    print("FAIL", f)
print("archive: %d documents (%d both, %d e-mail), %d zips, %d fallbacks, %d notifications, %d problems"
      % (len(rows), n_both, n_email, len(zips), fallback, len(notes), len(fail)))
sys.exit(1 if fail else 0)
