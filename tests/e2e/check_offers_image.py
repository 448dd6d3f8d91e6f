# SPDX-License-Identifier: Apache-2.0
"""Issue 13 leftover: pictures in offers (docs/offers.md, "Images in offers").

usage: check_offers_image.py setup DIR ROOT
       check_offers_image.py check DIR OUT

setup: two PNGs made here (English 48x48 px, Spanish 32x32 px: told apart
by their size), the sample catalogue with a picture on SVC-PHONE
({en, es}), the job with print PDF + AFP and the catalogue.

check: for every print file, every page where audit.jsonl places SVC-PHONE
shows exactly the picture of the offer's language (pdfimages -list of that
page: the size), pages without it show none; the PDF embeds each picture
at most once per file (one XObject used by every page); the AFP twin has
each picture once in its resource group (one IOCA object per picture) and
every page that places the offer includes it (IPO) at the offer box's top
right, no other page does.
"""
import json
import os
import re
import struct
import subprocess
import sys
import zlib

SIZES = {"en": 48, "es": 32}


def write_png(path, w, h, rgb):
    raw = b"".join(b"\x00" + bytes(rgb) * w for _ in range(h))

    def chunk(t, d):
        return struct.pack(">I", len(d)) + t + d + struct.pack(">I", zlib.crc32(t + d) & 0xFFFFFFFF)
    with open(path, "wb") as f:
        f.write(b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", w, h, 8, 2, 0, 0, 0))
                + chunk(b"IDAT", zlib.compress(raw)) + chunk(b"IEND", b""))


def setup(d, root):
    write_png(d + "/phone-en.png", SIZES["en"], SIZES["en"], (200, 40, 40))
    write_png(d + "/phone-es.png", SIZES["es"], SIZES["es"], (40, 40, 200))
    s = open(root + "/layouts/offers.yaml", encoding="utf-8").read()
    anchor = "  - id: SVC-PHONE\n"
    i = s.index(anchor)
    j = s.index("    response_code:", i)
    # the picture narrows the text: SVC-PHONE's texts need more than the
    # 96 pt box, so it keeps its band size only
    s = s[:i] + s[i:j].replace("      - {name: box, width: 168, height: 96}\n", "", 1) + s[j:]
    j = s.index("    response_code:", i)
    s = s[:j] + ("    image: {file: {en: phone-en.png, es: phone-es.png}, width: 30, "
                 "height: 30, fit: contain}\n") + s[j:]
    open(d + "/offers.yaml", "w", encoding="utf-8").write(s)
    # the sample layout without its logo: every picture on a page is then an
    # offer's (the logo has its own test, docs.sh sample_logo_chart)
    lay = open(root + "/layouts/statement.yaml", encoding="utf-8").read()
    lay = re.sub(r"(?m)^images:\n(  - .*\n)+", "", lay)
    assert "logo.png" not in lay
    lay = lay.replace("../fonts/", root + "/fonts/").replace(
        "library: paragraphs.yaml", "library: " + root + "/layouts/paragraphs.yaml")
    open(d + "/layout.yaml", "w", encoding="utf-8").write(lay)
    job = open(d + "/job.yaml", encoding="utf-8").read()
    job = re.sub(r"(?m)^  catalogue:.*$", '  catalogue: "%s/offers.yaml"' % d, job)
    job = re.sub(r"(?m)^layout:.*$", 'layout: "%s/layout.yaml"' % d, job)
    job = job.replace("  print:\n    pdf: true\n", "  print:\n    pdf: true\n    afp: {enabled: yes}\n", 1)
    assert "afp: {enabled: yes}" in job and d + "/offers.yaml" in job
    open(d + "/job.yaml", "w", encoding="utf-8").write(job)


errors = []


def bad(msg):
    errors.append(msg)


def pdfimages(path):
    out = subprocess.run(["pdfimages", "-list", path], check=True, capture_output=True,
                         text=True).stdout.splitlines()[2:]
    rows = []
    for l in out:
        f = l.split()
        rows.append({"page": int(f[0]), "w": int(f[3]), "h": int(f[4]), "obj": int(f[10])})
    return rows


def afp_fields(b):
    i = 0
    while i < len(b):
        n = struct.unpack(">H", b[i + 1:i + 3])[0]
        yield b[i + 3:i + 6].hex().upper(), b[i + 9:i + 1 + n]
        i += 1 + n


def afp_read(path):
    b = open(path, "rb").read()
    res, pages, in_rg = {}, [], False
    for sid, d in afp_fields(b):
        if sid == "D3A8C6":
            in_rg = True
        elif sid == "D3A9C6":
            in_rg = False
        elif sid == "D3A8FB" and in_rg:
            n = d[:8].decode("cp500").rstrip()
            res[n] = res.get(n, 0) + 1
        elif sid == "D3A8AF":
            pages.append([])
        elif sid == "D3AFC3":
            pages[-1].append(d[:8].decode("cp500").rstrip())
    return res, pages


def check(d, out):
    placed = {}        # (file, page) -> language of SVC-PHONE there
    shown = 0
    for line in open(os.path.join(out, "audit.jsonl"), encoding="utf-8"):
        a = json.loads(line)
        if not a.get("print_file"):
            continue
        for p in a.get("offers", {}).get("placed", []):
            if p.get("offer") == "SVC-PHONE" and not p.get("holdout"):
                key = (os.path.basename(a["print_file"]), a["first_page"] + p["page"] - 1)
                placed[key] = p["language"]
                shown += 1
    langs = set(placed.values())
    if langs != {"en", "es"}:
        bad("SVC-PHONE placed in languages %s, the test needs both" % sorted(langs))
    for f in sorted(os.listdir(os.path.join(out, "print"))):
        if not f.endswith(".pdf"):
            continue
        rows = pdfimages(os.path.join(out, "print", f))
        objs = {}
        for r in rows:
            objs.setdefault((r["w"], r["h"]), set()).add(r["obj"])
        for size, o in objs.items():
            if len(o) != 1:
                bad("%s: the %dx%d picture is %d objects, not one per file" % (f, size[0], size[1], len(o)))
        by_page = {}
        for r in rows:
            by_page.setdefault(r["page"], []).append((r["w"], r["h"]))
        pages = set(by_page) | {p for (ff, p) in placed if ff == f}
        for p in sorted(pages):
            lang = placed.get((f, p))
            want = [(SIZES[lang], SIZES[lang])] if lang else []
            if sorted(by_page.get(p, [])) != want:
                bad("%s page %d: images %s, want %s (offer language %s)"
                    % (f, p, by_page.get(p, []), want, lang))
        # the AFP twin
        res, apages = afp_read(os.path.join(out, "print", f[:-4] + ".afp"))
        used = {n for (ff, _), _l in placed.items() if ff == f for n in []}
        names = {}
        for p, inc in enumerate(apages, 1):
            lang = placed.get((f, p))
            if lang and len(inc) != 1:
                bad("%s page %d: %d image includes, want the offer picture" % (f[:-4] + ".afp", p, len(inc)))
            if not lang and inc:
                bad("%s page %d: image include %s on a page without the offer" % (f[:-4] + ".afp", p, inc))
            if lang and len(inc) == 1:
                names.setdefault(lang, set()).add(inc[0])
        for lang, n in names.items():
            if len(n) != 1:
                bad("%s: the %s picture is included as %s, want one resource" % (f, lang, sorted(n)))
            for x in n:
                if res.get(x) != 1:
                    bad("%s: resource %s appears %s times in the resource group" % (f, x, res.get(x)))
        if names.get("en") and names.get("es") and names["en"] == names["es"]:
            bad("%s: English and Spanish pictures share a resource" % f)
        del used
    if errors:
        for e in errors[:30]:
            print("FAIL:", e)
        sys.exit(1)
    print("ok: SVC-PHONE picture on %d offers, languages %s" % (shown, sorted(langs)))


if __name__ == "__main__":
    if sys.argv[1] == "setup":
        setup(sys.argv[2], sys.argv[3])
    else:
        check(sys.argv[2], sys.argv[3])
