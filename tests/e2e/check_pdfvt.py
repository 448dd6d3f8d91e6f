# SPDX-License-Identifier: Apache-2.0
"""Issue 14 part 3: check folio's PDF/VT-1 print files (PDF/X-4 base).

usage: check_pdfvt.py PLAIN_OUT VT_OUT

For every print file of VT_OUT/print (and its twin in PLAIN_OUT/print) this
checks the clauses listed in docs/job-file.md "PDF/VT print files":
  - qpdf --check finds no errors; the header is %PDF-1.6 or later;
  - trailer /ID (two 16-byte strings); Info /Trapped /False, /Title,
    /CreationDate, /ModDate, /GTS_PDFXVersion (PDF/X-4);
  - XMP metadata (catalog /Metadata, unfiltered): pdfxid:GTS_PDFXVersion
    PDF/X-4, pdfvtid:GTS_PDFVTVersion PDF/VT-1, pdfvtid:GTS_PDFVTModDate,
    pdf:Trapped False, xmpMM DocumentID / VersionID / RenditionClass,
    dc:title = Info Title, pdf:Producer = Info Producer, xmp:CreateDate =
    Info CreationDate;
  - exactly one output intent, /S /GTS_PDFX, OutputConditionIdentifier and
    Info given, DestOutputProfile an ICC profile that parses (header size =
    stream length, 'acsp', class mntr/prtr, colour space RGB = /N 3, tag
    table inside the profile);
  - colours: every page content uses only DeviceRGB/DeviceGray operators
    (rg RG g G; no k K cs CS sc scn), images DeviceRGB/DeviceGray/ICCBased
    (legitimate with an RGB output intent);
  - every page has /TrimBox inside its /MediaBox;
  - /DPartRoot -> root DPart with /DParts [[leaf...]]: one leaf per row of
    the file's pieces.csv, in order; its /DPM /Folio values equal the row
    (PieceId, Household, Sheets, Pages, FirstPage, File, IMbSerial,
    Stream) and /CIP4_Root/CIP4_Recipient/CIP4_UniqueID = the household;
    /Start and /End are the row's first and last page; /Parent is the
    root; every page's /DPart is the leaf whose range holds it; the root's
    /DPM gives the file's piece and page counts;
  - the plain twin has the same number of pages and pdftotext gives the
    same text page by page; the plain file has no output intent, no
    /DPartRoot and stays PDF 1.3.
"""
import base64
import csv
import json
import os
import re
import subprocess
import sys
import xml.etree.ElementTree as ET

errors = []


def fail(msg):
    errors.append(msg)


def qjson(path):
    out = subprocess.run(["qpdf", "--json=2", "--json-key=qpdf", "--json-stream-data=inline",
                          "--decode-level=generalized", path], check=True,
                         capture_output=True).stdout
    q = json.loads(out)["qpdf"]
    return q[1]


def stream_data(objs, ref):
    return base64.b64decode(objs["obj:" + ref]["stream"]["data"])


def obj(objs, ref):
    o = objs["obj:" + ref]
    return o.get("value", o.get("stream", {}).get("dict"))


def sval(v):
    """a qpdf JSON string ('u:text' / 'b:hex') as text"""
    if isinstance(v, str) and v.startswith("u:"):
        return v[2:]
    if isinstance(v, str) and v.startswith("b:"):
        b = bytes.fromhex(v[2:])
        return b[2:].decode("utf-16-be") if b[:2] == b"\xfe\xff" else b.decode("latin-1")
    return v


def deref(objs, v):
    return obj(objs, v) if isinstance(v, str) and re.fullmatch(r"\d+ \d+ R", v) else v


def pages_text(path):
    t = subprocess.run(["pdftotext", "-layout", path, "-"], check=True,
                       capture_output=True).stdout.decode("utf-8")
    return t.split("\f")[:-1]


def check_icc(data, n):
    if len(data) < 132:
        return fail("ICC profile shorter than its header")
    size = int.from_bytes(data[0:4], "big")
    if size != len(data):
        fail("ICC header size %d != stream length %d" % (size, len(data)))
    if data[36:40] != b"acsp":
        fail("ICC profile has no 'acsp' signature")
    if data[12:16] not in (b"mntr", b"prtr"):
        fail("ICC profile class %r is not an output/monitor profile" % data[12:16])
    comps = {b"RGB ": 3, b"CMYK": 4, b"GRAY": 1}.get(bytes(data[16:20]))
    if comps != 3 or n != 3:
        fail("ICC colour space %r, /N %s: expected RGB, 3" % (data[16:20], n))
    tags = int.from_bytes(data[128:132], "big")
    for i in range(tags):
        e = data[132 + 12 * i:144 + 12 * i]
        off, ln = int.from_bytes(e[4:8], "big"), int.from_bytes(e[8:12], "big")
        if off + ln > len(data):
            fail("ICC tag %r outside the profile" % e[:4])


NS = {"rdf": "http://www.w3.org/1999/02/22-rdf-syntax-ns#",
      "dc": "http://purl.org/dc/elements/1.1/", "xmp": "http://ns.adobe.com/xap/1.0/",
      "xmpMM": "http://ns.adobe.com/xap/1.0/mm/", "pdf": "http://ns.adobe.com/pdf/1.3/",
      "pdfxid": "http://www.npes.org/pdfx/ns/id/",
      "pdfvtid": "http://www.npes.org/pdfvt/ns/id/"}


def xmp_value(root, prop):
    pre, name = prop.split(":")
    for el in root.iter("{%s}%s" % (NS[pre], name)):
        li = el.find(".//rdf:li", NS)
        return (li.text if li is not None else el.text) or ""
    return None


def check_file(plain, vt, rows):
    name = os.path.basename(vt)
    r = subprocess.run(["qpdf", "--check", vt], capture_output=True, text=True)
    if r.returncode != 0 or "No syntax or stream encoding errors" not in r.stdout:
        fail("%s: qpdf --check: %s %s" % (name, r.stdout[-300:], r.stderr[-300:]))
    head = open(vt, "rb").read(9)
    m = re.match(rb"%PDF-1\.(\d)", head)
    if not m or int(m.group(1)) < 6:
        fail("%s: header %r, PDF/X-4 needs 1.6 or later" % (name, head))
    if not open(plain, "rb").read(9).startswith(b"%PDF-1.3"):
        fail("%s: the plain print file is no longer PDF 1.3" % name)

    objs = qjson(vt)
    trailer = objs["trailer"]["value"]
    ids = trailer.get("/ID")
    if not ids or len(ids) != 2 or any(len(bytes.fromhex(i[2:])) != 16 for i in ids):
        fail("%s: trailer /ID missing or not two 16-byte strings: %r" % (name, ids))
    info = deref(objs, trailer["/Info"])
    if info.get("/Trapped") != "/False":
        fail("%s: Info /Trapped is %r, want /False" % (name, info.get("/Trapped")))
    for k in ("/Title", "/CreationDate", "/ModDate"):
        if not sval(info.get(k)):
            fail("%s: Info %s missing" % (name, k))
    if sval(info.get("/GTS_PDFXVersion")) != "PDF/X-4":
        fail("%s: Info /GTS_PDFXVersion %r" % (name, info.get("/GTS_PDFXVersion")))
    cat = deref(objs, trailer["/Root"])

    # XMP
    mref = cat.get("/Metadata")
    if not mref:
        fail("%s: no XMP metadata" % name)
    else:
        mdict = obj(objs, mref)
        if mdict.get("/Filter"):
            fail("%s: XMP metadata is filtered" % name)
        root = ET.fromstring(stream_data(objs, mref).decode("utf-8").split("?>", 1)[1]
                             .rsplit("<?xpacket", 1)[0])
        want = {"pdfxid:GTS_PDFXVersion": "PDF/X-4", "pdfvtid:GTS_PDFVTVersion": "PDF/VT-1",
                "pdf:Trapped": "False", "xmpMM:VersionID": "1",
                "xmpMM:RenditionClass": "default", "dc:title": sval(info.get("/Title")),
                "pdf:Producer": sval(info.get("/Producer")),
                "xmp:CreatorTool": sval(info.get("/Creator"))}
        for k, v in want.items():
            if xmp_value(root, k) != v:
                fail("%s: XMP %s = %r, want %r" % (name, k, xmp_value(root, k), v))
        cd = sval(info.get("/CreationDate"))
        d = "%s-%s-%sT%s:%s:%sZ" % (cd[2:6], cd[6:8], cd[8:10], cd[10:12], cd[12:14], cd[14:16])
        for k in ("xmp:CreateDate", "xmp:ModifyDate", "pdfvtid:GTS_PDFVTModDate"):
            if xmp_value(root, k) != d:
                fail("%s: XMP %s = %r, want %r" % (name, k, xmp_value(root, k), d))
        if not re.fullmatch(r"uuid:[0-9a-f-]{36}", xmp_value(root, "xmpMM:DocumentID") or ""):
            fail("%s: XMP xmpMM:DocumentID %r" % (name, xmp_value(root, "xmpMM:DocumentID")))

    # output intent
    ois = deref(objs, cat.get("/OutputIntents")) or []
    if len(ois) != 1:
        fail("%s: %d output intents, want 1" % (name, len(ois)))
    for oi in ois:
        oi = deref(objs, oi)
        if oi.get("/S") != "/GTS_PDFX":
            fail("%s: output intent /S %r" % (name, oi.get("/S")))
        if not sval(oi.get("/OutputConditionIdentifier")) or not sval(oi.get("/Info")):
            fail("%s: output intent without OutputConditionIdentifier / Info" % name)
        pref = oi.get("/DestOutputProfile")
        if not pref:
            fail("%s: output intent without DestOutputProfile" % name)
        else:
            check_icc(stream_data(objs, pref), obj(objs, pref).get("/N"))

    # pages: boxes, colours, DPart back-references
    kids = []

    def walk(ref):
        n = obj(objs, ref)
        if n.get("/Type") == "/Pages":
            for k in n["/Kids"]:
                walk(k)
        else:
            kids.append(ref)
    walk(cat["/Pages"])
    for i, ref in enumerate(kids):
        pg = obj(objs, ref)
        mb, tb = pg.get("/MediaBox"), pg.get("/TrimBox")
        if not tb or tb[0] < mb[0] or tb[1] < mb[1] or tb[2] > mb[2] or tb[3] > mb[3]:
            fail("%s: page %d /TrimBox %r not inside /MediaBox %r" % (name, i + 1, tb, mb))
        cont = pg["/Contents"]
        for c in cont if isinstance(cont, list) else [cont]:
            ops = set(re.findall(rb"(?<![A-Za-z/])(k|K|cs|CS|sc|scn|SC|SCN)(?![A-Za-z])",
                                 re.sub(rb"\((?:\\.|[^\\)])*\)", b"()", stream_data(objs, c))))
            if ops:
                fail("%s: page %d uses colour operators %r (only DeviceRGB/Gray checked legal)"
                     % (name, i + 1, ops))
        xo = deref(objs, deref(objs, pg.get("/Resources", {})).get("/XObject")) or {}
        for ximg in xo.values():
            cs = obj(objs, ximg).get("/ColorSpace")
            cs = deref(objs, cs)
            if isinstance(cs, list):
                cs = cs[0]
            if cs not in (None, "/DeviceRGB", "/DeviceGray", "/ICCBased"):
                fail("%s: page %d image in colour space %r" % (name, i + 1, cs))

    droot = deref(objs, cat.get("/DPartRoot"))
    if not droot or droot.get("/Type") != "/DPartRoot":
        return fail("%s: no /DPartRoot" % name)
    rref = droot["/DPartRootNode"]
    rnode = obj(objs, rref)
    leaves = [x for arr in rnode["/DParts"] for x in deref(objs, arr)]
    if len(leaves) != len(rows):
        fail("%s: %d DPart leaves for %d pieces" % (name, len(leaves), len(rows)))
    rf = deref(objs, rnode.get("/DPM", {})).get("/Folio", {})
    if rf.get("/Pieces") != len(rows) or rf.get("/Pages") != len(kids):
        fail("%s: root DPM %r, want %d pieces, %d pages" % (name, rf, len(rows), len(kids)))
    page_leaf = {}
    for leaf, row in zip(leaves, rows):
        n = obj(objs, leaf)
        dpm = deref(objs, n.get("/DPM", {}))
        f = {k[1:]: sval(v) for k, v in dpm.get("/Folio", {}).items()}
        want = {"PieceId": row["piece_id"], "Household": row["household"],
                "Sheets": int(row["sheets"]), "Pages": int(row["pages"]),
                "FirstPage": int(row["first_page"]), "File": row["file"],
                "IMbSerial": row["imb_serial"], "Stream": row["stream"]}
        for k, v in want.items():
            if f.get(k) != v:
                fail("%s: piece %s DPM %s = %r, want %r" % (name, row["piece_id"], k, f.get(k), v))
        uid = sval(dpm.get("/CIP4_Root", {}).get("/CIP4_Recipient", {}).get("/CIP4_UniqueID"))
        if uid != row["household"]:
            fail("%s: piece %s CIP4_UniqueID %r" % (name, row["piece_id"], uid))
        if n.get("/Type") != "/DPart" or n.get("/Parent") != rref:
            fail("%s: piece %s node type/parent wrong" % (name, row["piece_id"]))
        a, b = int(row["first_page"]), int(row["last_page"])
        if n.get("/Start") != kids[a - 1] or n.get("/End", n.get("/Start")) != kids[b - 1]:
            fail("%s: piece %s /Start /End not pages %d..%d" % (name, row["piece_id"], a, b))
        for p in range(a, b + 1):
            page_leaf[p] = leaf
    for i, ref in enumerate(kids):
        if obj(objs, ref).get("/DPart") != page_leaf.get(i + 1):
            fail("%s: page %d /DPart is not its piece's node" % (name, i + 1))

    # the plain twin: same pages
    pobjs = qjson(plain)
    pcat = deref(pobjs, pobjs["trailer"]["value"]["/Root"])
    if "/DPartRoot" in pcat or "/OutputIntents" in pcat or "/Metadata" in pcat:
        fail("%s: the plain print file has PDF/VT objects" % name)
    tp, tv = pages_text(plain), pages_text(vt)
    if len(tp) != len(tv) or len(tv) != len(kids):
        fail("%s: %d pages plain, %d PDF/VT" % (name, len(tp), len(tv)))
    for i, (a, b) in enumerate(zip(tp, tv)):
        if a != b:
            fail("%s: page %d text differs from the plain print file" % (name, i + 1))
    return len(rows)


def main():
    plain, vt = sys.argv[1], sys.argv[2]
    files = sorted(f for f in os.listdir(os.path.join(vt, "print")) if f.endswith(".pdf"))
    if not files:
        fail("no print files")
    pieces = 0
    for f in files:
        rows = list(csv.DictReader(open(os.path.join(vt, "print",
                                                     f[:-4] + ".pieces.csv"), encoding="utf-8")))
        pieces += check_file(os.path.join(plain, "print", f), os.path.join(vt, "print", f),
                             rows) or 0
    if errors:
        for e in errors[:40]:
            print("FAIL:", e)
        sys.exit(1)
    print("ok: %d PDF/VT print files, %d pieces" % (len(files), pieces))


main()
