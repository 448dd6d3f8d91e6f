#!/usr/bin/python3
# SPDX-License-Identifier: Apache-2.0
"""Issue 14 part 2: the archive's documents are tagged PDF (PDF/UA-1 structure)
and PDF/A-2a.  veraPDF is not available, so the clauses folio relies on are
checked here, with pikepdf (Debian python3-pikepdf; run with /usr/bin/python3).
docs/accessibility.md lists them.

usage: check_tagged.py PDF... [--expect-figure] [--expect-link] [--expect-lang CODE]
                              [--expect-split-table] [--untagged]
                              [--artifact-per-page TEXT[|TEXT...]]...  ({n} = page number)
                              [--text-role REGEX=ROLE]...

Per document (failing with the clause):
  ISO 32000-1 14.7.2 / PDF/UA 7.1: StructTreeRoot; every element a StructElem
    whose /P is its parent, /S a standard structure type (no RoleMap used);
  14.8.4.3: TR only in Table (or THead/TBody/TFoot), TH/TD only in TR, every
    row of a table the same number of cells; PDF/UA 7.5: every TH has /A
    with /O /Table and /Scope (Column, Row or Both);
  PDF/UA 7.3: every Figure has a non-empty /Alt;
  PDF/UA 7.4.2: the first heading is H1 and no heading level is skipped;
  PDF/UA 7.18.1/7.18.5/7.18.3: every annotation is a Link annotation nested
    in a Link element by an OBJR, with /StructParent mapping back to it
    through the ParentTree, a /Contents text, and its page has /Tabs /S;
  14.7.4.4 ParentTree: every page has /StructParents and the ParentTree
    maps each (page, MCID) to the element whose /K holds it, and nothing else;
  roles of known content (--text-role REGEX=ROLE): every marked text the
    regex matches whole is in an element of that type (and some document has one);
  PDF/UA 7.8: (--artifact-per-page) the running header, footer and page
    number texts are on every page as artifacts and never tagged content;
  PDF/UA 7.1 (1, 3): every text-showing, path-painting and XObject operator
    is inside marked content that is either an Artifact or has an MCID
    reachable from the structure tree; no MCID inside an Artifact; each MCID
    once per page;
  14.9.2 / PDF/UA 7.2: /Lang in the catalog (and on the Document element),
    a BCP 47-shaped code; /MarkInfo /Marked true;
  PDF/UA 7.1 (8, 10): /ViewerPreferences /DisplayDocTitle true, a non-empty
    /Title equal to the XMP dc:title; XMP pdfuaid:part 1 with its PDF/A
    extension schema; ISO 19005-2 6.6.4: pdfaid:part 2, conformance A;
  reading order: per page, the text of the structure's MCIDs in tree order
    is the text pdftotext reads on that page with the artifact text left out
    (the words compared in order).
"""
import re
import subprocess
import sys

import pikepdf
from pikepdf import Name

STANDARD = {"Document", "Part", "Art", "Sect", "Div", "BlockQuote", "Caption", "TOC",
            "TOCI", "Index", "NonStruct", "Private", "P", "H", "H1", "H2", "H3", "H4",
            "H5", "H6", "L", "LI", "Lbl", "LBody", "Table", "TR", "TH", "TD", "THead",
            "TBody", "TFoot", "Span", "Quote", "Note", "Reference", "BibEntry", "Code",
            "Link", "Annot", "Ruby", "RB", "RT", "RP", "Warichu", "WT", "WP", "Figure",
            "Formula", "Form"}
PAINT = {"Tj", "TJ", "'", '"', "S", "s", "f", "F", "f*", "B", "B*", "b", "b*", "Do", "sh"}

FAILS = []
TEXT_ROLE_SEEN = {}                     # --text-role regex -> texts matched (all documents)


def fail(doc, msg):
    FAILS.append(f"{doc}: {msg}")


def key(o):
    return o.objgen if o.is_indirect else id(o)


# ---- text decoding (ToUnicode CMaps) -------------------------------------

def parse_tounicode(font):
    m, two = {}, True
    if font.get("/Subtype") != Name.Type0:
        two = False
    tu = font.get("/ToUnicode")
    if tu is None:
        return m, two
    s = tu.read_bytes().decode("latin-1")
    def hexs(h):
        b = bytes.fromhex(h)
        return b.decode("utf-16-be", "replace")
    for blk in re.findall(r"beginbfchar(.*?)endbfchar", s, re.S):
        for a, b in re.findall(r"<([0-9A-Fa-f]+)>\s*<([0-9A-Fa-f]*)>", blk):
            m[int(a, 16)] = hexs(b)
    for blk in re.findall(r"beginbfrange(.*?)endbfrange", s, re.S):
        for a, b, c in re.findall(r"<([0-9A-Fa-f]+)>\s*<([0-9A-Fa-f]+)>\s*(<[0-9A-Fa-f]*>|\[[^\]]*\])", blk):
            lo, hi = int(a, 16), int(b, 16)
            if c.startswith("["):
                for i, h in enumerate(re.findall(r"<([0-9A-Fa-f]*)>", c)):
                    m[lo + i] = hexs(h)
            else:
                base = int(c[1:-1], 16)
                width = len(c) - 2
                for i in range(hi - lo + 1):
                    m[lo + i] = hexs(format(base + i, f"0{width}X"))
    return m, two


def decode(fontinfo, raw):
    m, two = fontinfo
    out = []
    step = 2 if two else 1
    for i in range(0, len(raw) - step + 1, step):
        c = int.from_bytes(raw[i:i + step], "big")
        out.append(m.get(c, "\ufffd"))
    return "".join(out)


# ---- content ---------------------------------------------------------------

def page_content(doc, pdf, pno, page):
    """(mcid -> text, artifact text, set of mcids) of a page; checks marking."""
    fonts = {}
    res = page.obj.get("/Resources", {})
    for fname, f in res.get("/Font", {}).items():
        fonts[fname] = parse_tounicode(f)
    stack = []                  # ("art"|"mcid"|"other", mcid)
    texts, art = {}, []
    cur_font = None
    seen = set()
    for operands, op in pikepdf.parse_content_stream(page):
        o = str(op)
        if o in ("BDC", "BMC"):
            tag = str(operands[0])
            mcid = None
            if o == "BDC" and isinstance(operands[1], pikepdf.Dictionary) and "/MCID" in operands[1]:
                mcid = int(operands[1].MCID)
            if tag == "/Artifact":
                stack.append(("art", None))
            elif mcid is not None:
                if any(k == "art" for k, _ in stack):
                    fail(doc, f"page {pno + 1}: MCID {mcid} inside an Artifact")
                if mcid in seen:
                    fail(doc, f"page {pno + 1}: MCID {mcid} used twice")
                seen.add(mcid)
                stack.append(("mcid", mcid))
                texts.setdefault(mcid, [])
            else:
                stack.append(("other", None))
            continue
        if o == "EMC":
            if not stack:
                fail(doc, f"page {pno + 1}: EMC without BDC/BMC")
            else:
                stack.pop()
            continue
        if o == "Tf":
            cur_font = fonts.get(str(operands[0]))
            continue
        if o in PAINT:
            marked = [e for e in stack if e[0] in ("art", "mcid")]
            if not marked:
                fail(doc, f"page {pno + 1}: unmarked content ({o}) -- neither tagged nor an artifact")
                continue
            if o in ("Tj", "TJ", "'", '"'):
                if cur_font is None:
                    fail(doc, f"page {pno + 1}: text without a font")
                    continue
                arg = operands[-1]
                parts = [arg] if o != "TJ" else [x for x in arg if isinstance(x, pikepdf.String)]
                t = "".join(decode(cur_font, bytes(p)) for p in parts)
                inner = marked[-1]
                if inner[0] == "art":
                    art.append(t)
                else:
                    texts[inner[1]].append(t)
    if stack:
        fail(doc, f"page {pno + 1}: {len(stack)} marked-content sequences left open")
    return {k: " ".join(v) for k, v in texts.items()}, art, seen


# ---- the structure tree ---------------------------------------------------

def check(path, opts):
    doc = path.split("/")[-1]
    pdf = pikepdf.open(path)
    root = pdf.Root
    pages = list(pdf.pages)
    page_index = {p.obj.objgen: i for i, p in enumerate(pages)}
    if opts.get("untagged"):
        if "/StructTreeRoot" in root or "/MarkInfo" in root:
            fail(doc, "untagged document (output.archive.tagged: false) has a structure tree")
        meta = pdf.open_metadata()
        if str(meta.get("pdfaid:part")) != "1" or str(meta.get("pdfaid:conformance")) != "B":
            fail(doc, "untagged document is not PDF/A-1b")
        return
    # catalog
    mi = root.get("/MarkInfo")
    if mi is None or not bool(mi.get("/Marked", False)):
        fail(doc, "no /MarkInfo <</Marked true>> (PDF/UA 7.1)")
    lang = str(root.get("/Lang", ""))
    if not re.fullmatch(r"[A-Za-z]{2,3}(-[A-Za-z0-9]{1,8})*", lang):
        fail(doc, f"catalog /Lang missing or malformed: {lang!r} (PDF/UA 7.2)")
    if opts.get("lang") and lang != opts["lang"]:
        fail(doc, f"catalog /Lang {lang!r}, expected {opts['lang']!r}")
    vp = root.get("/ViewerPreferences")
    if vp is None or not bool(vp.get("/DisplayDocTitle", False)):
        fail(doc, "no /ViewerPreferences <</DisplayDocTitle true>> (PDF/UA 7.1)")
    title = str(pdf.docinfo.get("/Title", ""))
    meta = pdf.open_metadata()
    if not title or str(meta.get("dc:title", "")) != title:
        fail(doc, f"/Title {title!r} missing or not the XMP dc:title {meta.get('dc:title')!r}")
    if str(meta.get("pdfaid:part")) != "2" or str(meta.get("pdfaid:conformance")) != "A":
        fail(doc, f"XMP says PDF/A-{meta.get('pdfaid:part')}{meta.get('pdfaid:conformance')}, not 2A")
    xmp = root.Metadata.read_bytes().decode("utf-8")
    if "<pdfuaid:part>1</pdfuaid:part>" not in xmp or \
            "<pdfaSchema:namespaceURI>http://www.aiim.org/pdfua/ns/id/</pdfaSchema:namespaceURI>" not in xmp:
        fail(doc, "XMP lacks pdfuaid:part 1 or its PDF/A extension schema (ISO 19005-2 6.6.2.3)")
    str_root = root.get("/StructTreeRoot")
    if str_root is None:
        fail(doc, "no StructTreeRoot")
        return
    # walk
    elems = []                          # (elem, depth) in tree order
    mc_of = {}                          # (page, mcid) -> elem key
    role_of = {}                        # (page, mcid) -> its element's type
    order = []                          # (page, mcid) in tree order
    roles = {}
    links = []
    headings = []

    def page_of(e, k=None):
        pg = k.get("/Pg") if isinstance(k, pikepdf.Dictionary) and "/Pg" in k else e.get("/Pg")
        return page_index.get(pg.objgen) if pg is not None else None

    def walk(e, parent, depth):
        if not isinstance(e, pikepdf.Dictionary):
            fail(doc, "a structure kid that is not a dictionary")
            return
        s = str(e.get("/S", ""))[1:]
        if e.get("/Type") is not None and e.Type != Name.StructElem:
            fail(doc, f"element {s} has /Type {e.Type}")
        if s not in STANDARD:
            fail(doc, f"structure type {s!r} is not a standard type (no RoleMap)")
        if parent is not None and e.get("/P") is not None and key(e.P) != key(parent):
            fail(doc, f"element {s}: /P is not its parent")
        roles[s] = roles.get(s, 0) + 1
        elems.append((e, s, parent))
        if s in ("H1", "H2", "H3", "H4", "H5", "H6"):
            headings.append(int(s[1]))
        kids = e.get("/K")
        if kids is None:
            kids = []
        elif not isinstance(kids, pikepdf.Array):
            kids = [kids]
        for k in kids:
            if isinstance(k, int) or (hasattr(k, "is_integer") and k.is_integer):
                p = page_of(e)
                if p is None:
                    fail(doc, f"element {s}: an MCID without /Pg")
                    continue
                mc = (p, int(k))
                if mc in mc_of:
                    fail(doc, f"MCID {mc} in two elements")
                mc_of[mc] = key(e)
                role_of[mc] = s
                order.append(mc)
            elif isinstance(k, pikepdf.Dictionary) and k.get("/Type") == Name.MCR:
                mc = (page_of(e, k), int(k.MCID))
                mc_of[mc] = key(e)
                role_of[mc] = s
                order.append(mc)
            elif isinstance(k, pikepdf.Dictionary) and k.get("/Type") == Name.OBJR:
                links.append((e, k))
            else:
                walk(k, e, depth + 1)

    top = str_root.get("/K")
    if isinstance(top, pikepdf.Array):
        if len(top) != 1:
            fail(doc, f"StructTreeRoot has {len(top)} top elements, not one Document")
        top = top[0]
    if top is None or str(top.get("/S")) != "/Document":
        fail(doc, "the top element is not a Document")
        return
    if str(top.get("/Lang", "")) != lang:
        fail(doc, "the Document element's /Lang differs from the catalog's")
    walk(top, None, 0)
    # tables, headers, figures
    kids_of = {}
    for e, s, parent in elems:
        if parent is not None:
            kids_of.setdefault(key(parent), []).append((e, s))
    for e, s, parent in elems:
        ps = str(parent.get("/S"))[1:] if parent is not None else None
        if s == "TR" and ps not in ("Table", "THead", "TBody", "TFoot"):
            fail(doc, f"TR inside {ps}")
        if s in ("TH", "TD") and ps != "TR":
            fail(doc, f"{s} inside {ps}")
        if s == "TH":
            a = e.get("/A")
            sc = str(a.get("/Scope", "")) if isinstance(a, pikepdf.Dictionary) else ""
            if not isinstance(a, pikepdf.Dictionary) or a.get("/O") != Name.Table or \
                    sc not in ("/Column", "/Row", "/Both"):
                fail(doc, "a TH without /A <</O /Table /Scope ...>> (PDF/UA 7.5)")
        if s == "Figure" and not str(e.get("/Alt", "")).strip():
            fail(doc, "a Figure without /Alt (PDF/UA 7.3)")
        if s == "Table":
            rows = [r for r, rs in kids_of.get(key(e), []) if rs == "TR"]
            def col_head(c, cs):
                a = c.get("/A")
                return cs == "TH" and isinstance(a, pikepdf.Dictionary) and a.get("/Scope") == Name.Column
            heads = [r for r in rows if kids_of.get(key(r)) and
                     all(col_head(c, cs) for c, cs in kids_of.get(key(r), []))]
            if len(heads) > 1:
                fail(doc, f"a table with {len(heads)} header rows: a header repeated on a "
                          "continuation page must be an artifact")
            # the pages its cells' content is on: a split table stays one Table
            pgs = set()
            for r in rows:
                for c, cs in kids_of.get(key(r), []):
                    if c.get("/Pg") is not None:
                        pgs.add(page_index.get(c.Pg.objgen))
                    for k in (c.get("/K") if isinstance(c.get("/K"), pikepdf.Array) else []):
                        if isinstance(k, pikepdf.Dictionary) and k.get("/Type") == Name.MCR:
                            pgs.add(page_index.get(k.Pg.objgen))
            if len(pgs) > 1:
                roles["split-table"] = roles.get("split-table", 0) + 1
            widths = {len([c for c, cs in kids_of.get(key(r), []) if cs in ("TH", "TD")]) for r in rows}
            if len(widths) > 1:
                fail(doc, f"a table's rows have different cell counts {sorted(widths)}")
            if not any(cs == "TH" for r in rows for c, cs in kids_of.get(key(r), [])):
                if opts.get("header_required", True) and len(rows) > 3:
                    fail(doc, "a table of more than 3 rows without header cells")
    if headings:
        if headings[0] != 1:
            fail(doc, f"first heading is H{headings[0]} (PDF/UA 7.4.2)")
        for a, b in zip(headings, headings[1:]):
            if b > a + 1:
                fail(doc, f"heading level skipped: H{a} then H{b} (PDF/UA 7.4.2)")
    # annotations and links
    annots_seen = set()
    pt = str_root.get("/ParentTree")
    nums = {}
    if pt is None:
        fail(doc, "no ParentTree")
    else:
        def collect(node):
            if "/Nums" in node:
                n = node.Nums
                for i in range(0, len(n), 2):
                    nums[int(n[i])] = n[i + 1]
            for kid in node.get("/Kids", []):
                collect(kid)
        collect(pt)
    for e, objr in links:
        a = objr.get("/Obj")
        if a is None or a.get("/Subtype") != Name.Link:
            fail(doc, "an OBJR that is not a Link annotation")
            continue
        annots_seen.add(a.objgen)
        if str(e.get("/S")) != "/Link":
            fail(doc, f"a link annotation nested in {e.get('/S')}, not Link (PDF/UA 7.18.5)")
        sp = a.get("/StructParent")
        if sp is None or int(sp) not in nums or key(nums[int(sp)]) != key(e):
            fail(doc, "a link annotation whose /StructParent does not lead back to its Link element")
        if not str(a.get("/Contents", "")).strip():
            fail(doc, "a link annotation without /Contents (PDF/UA 7.18.5)")
    for pno, page in enumerate(pages):
        for a in page.obj.get("/Annots", []):
            if a.get("/Subtype") in (Name.Popup,):
                continue
            if a.objgen not in annots_seen:
                fail(doc, f"page {pno + 1}: annotation {a.get('/Subtype')} not in the structure tree")
            if page.obj.get("/Tabs") != Name.S:
                fail(doc, f"page {pno + 1} has annotations but no /Tabs /S (PDF/UA 7.18.3)")
    if opts.get("link") and not links:
        fail(doc, "expected a Link element")
    if opts.get("figure") and not roles.get("Figure"):
        fail(doc, "expected a Figure element")
    for r in opts.get("roles", []):
        if not roles.get(r):
            fail(doc, f"expected a {r} element")
    # content vs tree vs ParentTree
    structure_words = {}
    for pno, page in enumerate(pages):
        texts, art, seen = page_content(doc, pdf, pno, page)
        sp = page.obj.get("/StructParents")
        if sp is None:
            fail(doc, f"page {pno + 1} has no /StructParents")
            continue
        arr = nums.get(int(sp))
        if arr is None:
            fail(doc, f"page {pno + 1}: the ParentTree has no entry {int(sp)}")
            continue
        for mcid in seen:
            if (pno, mcid) not in mc_of:
                fail(doc, f"page {pno + 1}: MCID {mcid} not reachable from the structure tree")
            elif mcid >= len(arr) or key(arr[mcid]) != mc_of[(pno, mcid)]:
                fail(doc, f"page {pno + 1}: ParentTree entry of MCID {mcid} is not its element")
        for (p, mcid) in mc_of:
            if p == pno and mcid not in seen:
                fail(doc, f"page {pno + 1}: the tree refers to MCID {mcid}, absent from the content")
        if len(arr) != len(seen):
            fail(doc, f"page {pno + 1}: ParentTree array has {len(arr)} entries for {len(seen)} MCIDs")
        # running header, footer and page number: artifacts, never content
        # of the structure (PDF/UA 7.8; --artifact-per-page TEXT, {n} = page)
        for a in opts.get("page_artifacts", []):
            alts = [x.replace("{n}", str(pno + 1)) for x in a.split("|")]
            if not any(w in t for w in alts for t in art):
                fail(doc, f"page {pno + 1}: none of {alts!r} is an artifact")
            if any(w in t for w in alts for t in texts.values()):
                fail(doc, f"page {pno + 1}: {alts!r} is tagged content, not an artifact")
        # the role of known content (--text-role REGEX=ROLE): every marked
        # text the regex matches whole is content of a ROLE element
        for rx, want in opts.get("text_roles", []):
            for mcid, t in texts.items():
                if re.fullmatch(rx, t.strip()):
                    TEXT_ROLE_SEEN[rx] = TEXT_ROLE_SEEN.get(rx, 0) + 1
                    got = role_of.get((pno, mcid))
                    if got != want:
                        fail(doc, f"page {pno + 1}: {t.strip()!r} is a {got}, not a {want}")
        words = []
        for (p, mcid) in order:
            if p == pno:
                words += texts.get(mcid, "").split()
        structure_words[pno] = (words, [w for t in art for w in t.split()])
    # reading order: pdftotext's words on each page = structure's words, with
    # the artifacts' words taken out (each artifact word once)
    for pno in range(len(pages)):
        if pno not in structure_words:
            continue
        sw, aw = structure_words[pno]
        out = subprocess.run(["pdftotext", "-raw", "-enc", "UTF-8", "-f", str(pno + 1), "-l",
                              str(pno + 1), path, "-"], capture_output=True, check=True).stdout
        pw = out.decode("utf-8").split()
        left = {}
        for w in aw:
            left[w] = left.get(w, 0) + 1
        seq = []
        for w in pw:
            if left.get(w, 0) > 0 and (len(seq) >= len(sw) or seq_mismatch(sw, seq, w)):
                left[w] -= 1
                continue
            seq.append(w)
        if seq != sw:
            i = next((i for i, (a, b) in enumerate(zip(seq, sw)) if a != b), min(len(seq), len(sw)))
            fail(doc, f"page {pno + 1}: reading order differs from the structure order at word "
                      f"{i}: pdftotext {seq[max(0, i - 3):i + 4]} vs structure {sw[max(0, i - 3):i + 4]}")
    return roles


def seq_mismatch(sw, seq, w):
    """True when w (also an artifact word) is not the next structure word."""
    return sw[len(seq)] != w


def main():
    args = sys.argv[1:]
    opts = {}
    files = []
    i = 0
    while i < len(args):
        a = args[i]
        if a == "--expect-figure":
            opts["figure"] = True
        elif a == "--expect-link":
            opts["link"] = True
        elif a == "--expect-lang":
            i += 1
            opts["lang"] = args[i]
        elif a == "--expect-roles":
            i += 1
            opts["roles"] = args[i].split(",")
        elif a == "--langs":
            i += 1
            opts["langs"] = set(args[i].split(","))
        elif a == "--text-role":
            i += 1
            rx, eq, role = args[i].rpartition("=")
            if not eq or not rx or role not in STANDARD:
                print(f"check_tagged.py: --text-role wants REGEX=ROLE, got {args[i]!r}",
                      file=sys.stderr)
                sys.exit(2)
            opts.setdefault("text_roles", []).append((rx, role))
        elif a == "--artifact-per-page":
            i += 1
            opts.setdefault("page_artifacts", []).append(args[i])
        elif a == "--expect-split-table":
            opts["split"] = True
        elif a == "--untagged":
            opts["untagged"] = True
        else:
            files.append(a)
        i += 1
    if not files:
        print("check_tagged.py: no documents", file=sys.stderr)
        sys.exit(2)
    total = {}
    langs = set()
    for f in files:
        r = check(f, opts)
        for k, v in (r or {}).items():
            total[k] = total.get(k, 0) + v
        if not opts.get("untagged"):
            langs.add(str(pikepdf.open(f).Root.get("/Lang", "")))
    if opts.get("langs") and langs != opts["langs"]:
        FAILS.append(f"the documents' /Lang values are {sorted(langs)}, expected {sorted(opts['langs'])}")
    for rx, want in opts.get("text_roles", []):
        if not TEXT_ROLE_SEEN.get(rx):
            FAILS.append(f"no marked text of any document matches {rx!r} (--text-role)")
    if opts.get("split") and not total.get("split-table"):
        FAILS.append("no table split across pages (expected one, kept as one Table)")
    if FAILS:
        for m in FAILS[:40]:
            print("FAIL", m, file=sys.stderr)
        print(f"{len(FAILS)} failures", file=sys.stderr)
        sys.exit(1)
    print("tagged ok:", len(files), "documents,", " ".join(f"{k}={v}" for k, v in sorted(total.items())))


if __name__ == "__main__":
    main()
