#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""End-to-end checks of the print production outputs: AFP files, inserter marks.

Everything here is recomputed independently of folio's C code: the AFP
structured fields are parsed by this script (not by `folio afpdump`), TLE
values are decoded with Python's own EBCDIC codec and compared with the
feeds as the audit log routes them, DataMatrix symbols are decoded from
rendered page images by libdmtx (dmtxread), and the OMR marks are read back
from rendered pixels and compared with parity and sequence computed here.

usage:
  check_print.py afp OUT SAMPLES          every AFP of OUT against its PDF, pieces and feeds
  check_print.py corrupt AFP WORKDIR      hand-corrupted copies must fail `folio afpdump --check`
  check_print.py datamatrix OUT N         decode the DataMatrix of the first N pieces' sheets
  check_print.py omr OUT N                read back the OMR marks of the first N sheets
"""
import csv
import folio_csv  # folio's CSV cells: the injection prefix undone
import glob
import json
import os
import re
import subprocess
import sys

FOLIO = os.environ.get("FOLIO", "build/folio")


def fail(msg):
    print("FAIL: " + msg, file=sys.stderr)
    sys.exit(1)


def run(*args, check=True):
    p = subprocess.run(args, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    if check and p.returncode != 0:
        fail("%s exited %d: %s" % (" ".join(args), p.returncode, p.stderr.strip()))
    return p


def manifest(out):
    with open(os.path.join(out, "manifest.json"), encoding="utf-8") as f:
        return json.load(f)


def pieces(out, rel):
    with open(os.path.join(out, rel), encoding="utf-8", newline="") as f:
        return list(folio_csv.DictReader(f))


# ---- a small MO:DCA reader (independent of src/afp-read.c) ---------------

NAMES = {
    0xD3A8A8: "BDT", 0xD3A9A8: "EDT", 0xD3A8AD: "BNG", 0xD3A9AD: "ENG",
    0xD3A090: "TLE", 0xD3ABCC: "IMM", 0xD3A8AF: "BPG", 0xD3A9AF: "EPG",
    0xD3A8C9: "BAG", 0xD3A9C9: "EAG", 0xD3A8C6: "BRG", 0xD3A9C6: "ERG",
    0xD3A89B: "BPT", 0xD3A99B: "EPT", 0xD3EE9B: "PTX", 0xD3A8CE: "BRS",
}


def fields(data):
    """Yield (offset, id, name, payload) for every structured field."""
    i = 0
    while i < len(data):
        if data[i] != 0x5A:
            fail("offset 0x%X: no 0x5A carriage control" % i)
        ln = int.from_bytes(data[i + 1:i + 3], "big")
        if ln < 8 or i + 1 + ln > len(data):
            fail("offset 0x%X: bad length %d" % (i, ln))
        sfid = int.from_bytes(data[i + 3:i + 6], "big")
        flags = data[i + 6]
        body = data[i + 9:i + 1 + ln]
        if flags & 0x08:            # padding: last byte(s) say how many
            body = body[:len(body) - body[-1]] if body else body
        yield i, sfid, NAMES.get(sfid, "%06X" % sfid), body
        i += 1 + ln


def triplets(b):
    i = 0
    while i + 1 < len(b):
        ln = b[i]
        if ln < 2 or i + ln > len(b):
            fail("bad triplet length %d" % ln)
        yield b[i + 1], b[i + 2:i + ln]
        i += ln


def tle_pair(body):
    name = value = None
    for tid, t in triplets(body):
        if tid == 0x02 and t[0] == 0x0B:        # FQN type 0x0B: attribute name
            name = t[2:].decode("cp500")
        elif tid == 0x36:                       # attribute value
            value = t[2:].decode("cp500")
    return name, value


def afp_groups(path):
    """Page groups in file order: {name, tles: {attr: value}, pages}.

    A long value is written as several TLEs with the same attribute name, in
    order (each value at most 250 bytes): they are joined with a space."""
    data = open(path, "rb").read()
    groups, cur, depth = [], None, 0
    for off, sfid, name, body in fields(data):
        if name in ("BDT", "BRS") and len(body) > 8 and body[8:10] != b"\0\0":
            # MO:DCA: 2 reserved bytes X'0000' after the name, triplets from byte 10
            fail("%s: offset 0x%X: %s bytes 8-9 are %r, not reserved X'0000'" % (path, off, name, body[8:10]))
        if name == "BNG":
            if cur is not None:
                fail("%s: offset 0x%X: nested page group" % (path, off))
            cur = {"name": body[:8].decode("cp500").rstrip(), "tles": {}, "pages": 0}
        elif name == "TLE":
            if cur is None:
                fail("%s: offset 0x%X: TLE outside a page group" % (path, off))
            if cur["pages"]:
                fail("%s: offset 0x%X: TLE after the group's first page" % (path, off))
            k, v = tle_pair(body)
            if v is None or len(v.encode("cp500")) > 250:
                fail("%s: offset 0x%X: TLE %r value missing or over 250 bytes" % (path, off, k))
            cur["tles"][k] = cur["tles"][k] + " " + v if k in cur["tles"] else v
        elif name == "BPG":
            if cur is None:
                fail("%s: offset 0x%X: page outside a page group" % (path, off))
            cur["pages"] += 1
            depth += 1
        elif name == "EPG":
            depth -= 1
        elif name == "ENG":
            groups.append(cur)
            cur = None
    if cur is not None or depth:
        fail("%s: unterminated page group or page" % path)
    return groups


def read_feed_customers(samples):
    """customer id -> row, from the samples' customers feed."""
    rows = {}
    for p in glob.glob(os.path.join(samples, "customers*.csv")):
        with open(p, encoding="utf-8-sig", newline="") as f:
            for r in csv.DictReader(f):
                rows[r["customer_id"]] = r
    if not rows:
        fail("no customers feed in " + samples)
    return rows


def check_afp(out, samples):
    m = manifest(out)
    afps = [o for o in m["outputs"] if o["format"] == "afp"]
    pdfs = {o["file"][:-4]: o for o in m["outputs"] if o["format"] == "pdf"}
    if not afps:
        fail("the manifest lists no AFP output")
    if len(afps) != len(m["piece_files"]):
        fail("%d AFP files for %d print files" % (len(afps), len(m["piece_files"])))
    audit = {}
    with open(os.path.join(out, "audit.jsonl"), encoding="utf-8") as f:
        for line in f:
            a = json.loads(line)
            audit[a["household"]] = a
    customers = read_feed_customers(samples)
    groups_total = 0
    for o in afps:
        path = os.path.join(out, o["file"])
        p = run(FOLIO, "afpdump", "--check", path, check=False)
        if p.returncode != 0:
            fail("afpdump --check %s: %s" % (o["file"], p.stdout + p.stderr))
        groups = afp_groups(path)
        base = o["file"][:-4]
        rows = pieces(out, o["pieces"])
        if len(groups) != o["statements"] or len(groups) != len(rows):
            fail("%s: %d page groups, manifest %d statements, pieces file %d rows"
                 % (o["file"], len(groups), o["statements"], len(rows)))
        if sum(g["pages"] for g in groups) != o["pages"]:
            fail("%s: %d pages in groups, manifest %d" % (o["file"], sum(g["pages"] for g in groups), o["pages"]))
        if base in pdfs and pdfs[base]["pages"] != o["pages"]:
            fail("%s: %d pages, its PDF %d" % (o["file"], o["pages"], pdfs[base]["pages"]))
        for g, r in zip(groups, rows):
            hh = r["household"]
            t = g["tles"]
            if t.get("Household ID") != hh:
                fail("%s: group %s has household TLE %r, pieces file says %s" % (o["file"], g["name"], t.get("Household ID"), hh))
            if g["name"] != hh[:8]:   # first 8 characters as given; the full id is in an FQN
                fail("%s: group name %r for household %s" % (o["file"], g["name"], hh))
            if g["pages"] != int(r["pages"]):
                fail("%s: household %s has %d pages in the AFP, %s in the pieces file" % (o["file"], hh, g["pages"], r["pages"]))
            if int(r["last_page"]) - int(r["first_page"]) + 1 != g["pages"]:
                fail("%s: household %s: PDF page range %s-%s vs %d AFP pages" % (o["file"], hh, r["first_page"], r["last_page"], g["pages"]))
            a = audit.get(hh)
            if a is None:
                fail("household %s is not in audit.jsonl" % hh)
            printed = [x["id"] for x in a["accounts"] if "suppressed" not in x]
            if t.get("Account Numbers", "").split() != printed:
                fail("%s: household %s: account TLE %r, feeds/audit give %r" % (o["file"], hh, t.get("Account Numbers"), printed))
            postal = {customers[c]["postal_code"] for c in a["customers"]}
            if t.get("Postal Code") not in postal:
                fail("%s: household %s: postal code TLE %r not one of %r" % (o["file"], hh, t.get("Postal Code"), postal))
            if int(t.get("Page Count", "-1")) != a["pages"]:
                fail("%s: household %s: page count TLE %r, composed %d" % (o["file"], hh, t.get("Page Count"), a["pages"]))
            names = set()
            for c in a["customers"]:
                cr = customers[c]
                names.add(("%s %s" % (cr["first_name"], cr["last_name"])).encode("cp500", "replace").decode("cp500"))
            if t.get("Customer Name") not in names:
                fail("%s: household %s: name TLE %r not one of %r" % (o["file"], hh, t.get("Customer Name"), names))
        groups_total += len(groups)
    if groups_total != m["counts"]["print_statements"]:
        fail("%d page groups in all AFP files, %d print statements" % (groups_total, m["counts"]["print_statements"]))
    print("afp: %d files, %d page groups checked" % (len(afps), groups_total))


# ---- corrupted files -----------------------------------------------------

def corrupt(path, work):
    data = bytearray(open(path, "rb").read())
    fl = list(fields(bytes(data)))
    cases = {}
    # a length one too long in the middle of the file
    off = fl[len(fl) // 2][0]
    b = bytearray(data)
    ln = int.from_bytes(b[off + 1:off + 3], "big") + 1
    b[off + 1:off + 3] = ln.to_bytes(2, "big")
    cases["length"] = (b, off)
    # a page without its End Page
    epg = next(f for f in fl if f[2] == "EPG")
    eoff = epg[0]
    elen = int.from_bytes(data[eoff + 1:eoff + 3], "big") + 1
    cases["missing_epg"] = (data[:eoff] + data[eoff + elen:], None)
    # truncated in the middle of the last field
    cases["truncated"] = (data[:len(data) - 5], fl[-1][0])
    # a PTOCA chain whose last control sequence claims a successor
    ptx = next(f for f in fl if f[2] == "PTX")
    poff = ptx[0]
    plen = int.from_bytes(data[poff + 1:poff + 3], "big") + 1
    i = poff + 9
    last = None
    while i < poff + plen:
        if data[i] == 0x2B and data[i + 1] == 0xD3:   # escape sequence starts a chain
            i += 2
        last = i
        i += data[i]                                    # length includes itself and the type
    if last is None or data[last + 1] & 1:
        fail("cannot find the unchained last control sequence of the first PTX")
    b = bytearray(data)
    b[last + 1] |= 1
    cases["unterminated_chain"] = (b, None)
    for name, (blob, want_off) in cases.items():
        p = os.path.join(work, "corrupt-%s.afp" % name)
        with open(p, "wb") as f:
            f.write(blob)
        r = run(FOLIO, "afpdump", "--check", p, check=False)
        msg = (r.stdout + r.stderr).strip()
        if r.returncode != 1:
            fail("%s: afpdump --check exited %d (want 1): %s" % (name, r.returncode, msg))
        if not re.search(r"offset 0x[0-9A-F]+", msg):
            fail("%s: message does not name an offset: %s" % (name, msg))
        if want_off is not None and ("0x%X" % want_off) not in msg and ("0x%08X" % want_off) not in msg:
            fail("%s: message does not name offset 0x%X: %s" % (name, want_off, msg))
        print("corrupt %s: %s" % (name, msg.splitlines()[0]))


# ---- marks read back from pixels -----------------------------------------

def render(pdf, page, dpi, stem):
    run("pdftoppm", "-r", str(dpi), "-gray", "-f", str(page), "-l", str(page), "-singlefile", pdf, stem)
    return stem + ".pgm"


def read_pgm(path):
    data = open(path, "rb").read()
    parts = re.match(rb"P5\s+(\d+)\s+(\d+)\s+(\d+)\s", data)
    w, h = int(parts.group(1)), int(parts.group(2))
    return w, h, data[parts.end():]


def sheets_of(out):
    """(pdf, page, piece row, sheet within piece, sheet number in file) per sheet front."""
    m = manifest(out)
    duplex = any(o.get("duplex") == "yes" for o in m["outputs"])
    res = []
    for pf in m["piece_files"]:
        pdf = os.path.join(out, pf["print_file"])
        n = 0
        for r in pieces(out, pf["file"]):
            for k in range(int(r["sheets"])):
                n += 1
                page = int(r["first_page"]) + (2 * k if duplex else k)
                res.append((pdf, page, r, k + 1, n))
    return res


def check_datamatrix(out, limit):
    done = 0
    for pdf, page, r, k, _ in sheets_of(out):
        if done >= limit:
            break
        img = render(pdf, page, 150, os.path.join(out, "dm-%d" % done))
        p = run("dmtxread", "-n", "-N1", "-m", "3000", img, check=False)
        want = "%s|%d|%s|%s" % (r["piece_id"], k, r["sheets"], "E" if k == int(r["sheets"]) else "N")
        if p.stdout.strip() != want:
            fail("%s page %d: DataMatrix reads %r, pieces file wants %r" % (pdf, page, p.stdout.strip(), want))
        os.unlink(img)
        done += 1
    if not done:
        fail("no sheet to check")
    print("datamatrix: %d sheets decoded" % done)


def check_omr(out, limit):
    # the default Pitney Bowes-style profile (docs/marks.md): x 12 pt, first track
    # 252 pt from the top, pitch 12 pt, marks 24 x 1.5 pt; tracks benchmark,
    # begin_set, end_set, sequence 1s 2s 4s, parity (even), safety
    dpi = 200
    names = ["benchmark", "begin", "end", "s1", "s2", "s4", "parity", "safety"]
    done = 0
    for pdf, page, r, k, sheet_no in sheets_of(out):
        if done >= limit:
            break
        img = render(pdf, page, dpi, os.path.join(out, "omr-%d" % done))
        w, h, px = read_pgm(img)
        got = []
        for t in range(len(names)):
            y = int((252 + 12 * t + 0.75) * dpi / 72)
            x = int((12 + 12) * dpi / 72)
            got.append(px[y * w + x] < 96)
        # expected, computed here
        sheets = int(r["sheets"])
        seq = sheet_no % 8
        want = [True, k == 1, k == sheets, bool(seq & 1), bool(seq & 2), bool(seq & 4), False, True]
        want[6] = sum(want) % 2 == 1            # parity mark makes the count even
        if got != want:
            fail("%s page %d (piece %s sheet %d/%d, file sheet %d): marks %s, expected %s"
                 % (pdf, page, r["piece_id"], k, sheets, sheet_no,
                    [n for n, g in zip(names, got) if g], [n for n, g in zip(names, want) if g]))
        # nothing dark between the tracks: the marks are where the profile says
        for t in range(len(names) - 1):
            y = int((252 + 12 * t + 6) * dpi / 72)
            if px[y * w + int(24 * dpi / 72)] < 96:
                fail("%s page %d: dark pixel between tracks %d and %d" % (pdf, page, t, t + 1))
        os.unlink(img)
        done += 1
    if not done:
        fail("no sheet to check")
    print("omr: %d sheets read back" % done)


if __name__ == "__main__":
    mode = sys.argv[1]
    if mode == "afp":
        check_afp(sys.argv[2], sys.argv[3])
    elif mode == "corrupt":
        corrupt(sys.argv[2], sys.argv[3])
    elif mode == "datamatrix":
        check_datamatrix(sys.argv[2], int(sys.argv[3]))
    elif mode == "omr":
        check_omr(sys.argv[2], int(sys.argv[3]))
    else:
        fail("unknown mode " + mode)
