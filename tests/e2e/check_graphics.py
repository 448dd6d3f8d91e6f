# SPDX-License-Identifier: Apache-2.0
"""Checks of issue 13 parts 1 and 2 (images and charts), used by graphics.sh.

  setup DIR ROOT           logos (PNG written here), DIR/g.yaml (the sample
                           layout + images + charts), DIR/job.yaml edits
  check DIR OUT            print PDFs, archive PDFs, AFP: images once per
                           document, pixels where the layout puts the logo,
                           chart points recomputed from the feeds
  jpeg DIR OUT             a JPEG logo: DCT in PDF, IOCA JPEG in AFP
  corrupt AFP SEG IOB      write a copy with a broken image segment and one
                           with an IOB naming an unknown image
"""
import csv, datetime, glob, json, os, re, struct, subprocess, sys, tempfile, zipfile, zlib

# ---- the logos ---------------------------------------------------------------

LOGO_W, LOGO_H = 80, 40          # pixels, 8x8 blocks of one colour each


def logo_px(x, y, es=False):
    bx, by = x // 8, y // 8
    c = (30 + 22 * bx, 220 - 40 * by, (bx * 37 + by * 71) % 200 + 30)
    return tuple(255 - v for v in c) if es else c


def write_png(path, w, h, px, alpha=False):
    ct = 6 if alpha else 2
    raw = b"".join(b"\x00" + b"".join(bytes(px(x, y)) for x in range(w)) for y in range(h))

    def chunk(t, d):
        return struct.pack(">I", len(d)) + t + d + struct.pack(">I", zlib.crc32(t + d) & 0xFFFFFFFF)
    with open(path, "wb") as f:
        f.write(b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", w, h, 8, ct, 0, 0, 0))
                + chunk(b"IDAT", zlib.compress(raw)) + chunk(b"IEND", b""))


# where the layout puts them (points; g.yaml below)
LOGO_BOX = (250, 30, 120, 40)     # contain: 80x40 px -> 80x40 pt at (270, 30)
LOGO_AT = (270, 30, 80, 40)
ALPHA_BOX = (380, 30, 20, 20)

LAYOUT_ADD = """
# issue 13 test: a logo per language on every page, a half-transparent
# square on the first, a balance chart in checking and savings sections
# and spending bars in credit card sections
images:
  - file: {en: logo.png, es: logo-es.png}
    x: 250
    y: 30
    width: 120
    height: 40
    fit: contain
  - {file: alpha.png, x: 380, y: 30, width: 20, height: 20, fit: cover, page: first}
  - {file: flag.png, x: 410, y: 30, width: 12, height: 12, page: first, when: 'language == "es"'}
charts:
  - {kind: balance, products: [checking, savings], height: 80, width: 300, style: small}
  - {kind: spending, products: [credit_card], height: 60, style: small, bars: 4}
  - {kind: balance, products: [checking, savings], x: 400, y: 150, width: 160, height: 90,
     style: small, page: first}
"""
FIXED_X = 400 * 20                # the fixed chart's frame starts right of this


def setup(d, root):
    write_png(d + "/logo.png", LOGO_W, LOGO_H, logo_px)
    write_png(d + "/logo-es.png", LOGO_W, LOGO_H, lambda x, y: logo_px(x, y, True))
    write_png(d + "/alpha.png", 10, 10, lambda x, y: (255, 0, 0, 128), alpha=True)
    write_png(d + "/flag.png", 12, 12, lambda x, y: (0, 150, 60))
    s = open(root + "/layouts/statement.yaml", encoding="utf-8").read()
    s = re.sub(r"file: *\"?\.\./fonts/", "file: " + root + "/fonts/", s)
    # the sample layout's own logo and chart give way to this test's
    s = re.sub(r"(?ms)^(images|charts):.*?(?=^\S|\Z)", "", s)
    assert root + "/fonts/" in s
    open(d + "/g.yaml", "w", encoding="utf-8").write(s + LAYOUT_ADD)
    j = open(d + "/job.yaml", encoding="utf-8").read()
    j = re.sub(r"(?m)^layout:.*$", 'layout: "%s/g.yaml"' % d, j)
    j = j.replace("  print:\n    pdf: true\n", "  print:\n    pdf: true\n    afp: {enabled: yes}\n", 1)
    assert "afp: {enabled: yes}" in j
    j = j.rstrip("\n") + "\n  archive:\n    max_documents: 20\n"
    open(d + "/job.yaml", "w", encoding="utf-8").write(j)


# ---- helpers -----------------------------------------------------------------

def bad(msg):
    print("FAIL:", msg)
    sys.exit(1)


def run(*a):
    return subprocess.run(a, capture_output=True, text=True, check=True).stdout


def pdfimages(path):
    """[(page, object id, width, height, type, enc, bpc, color)]"""
    rows = []
    for line in run("pdfimages", "-list", path).splitlines()[2:]:
        f = line.split()
        rows.append((int(f[0]), int(f[10]), int(f[3]), int(f[4]), f[2], f[8], int(f[7]), f[5]))
    return rows


def page_streams(path):
    """Uncompressed content stream of each page (qpdf --qdf)."""
    tmp = tempfile.mktemp(suffix=".pdf")
    subprocess.run(["qpdf", "--qdf", "--object-streams=disable", path, tmp], check=True)
    b = open(tmp, "rb").read()
    os.unlink(tmp)
    out = []
    for m in re.finditer(rb"%% Contents for page (\d+)\n(?:%%[^\n]*\n)*\d+ 0 obj\n<<.*?>>\nstream\n(.*?)endstream",
                         b, re.S):
        out.append(m.group(2).decode("latin-1"))
    return out


PATH_RE = re.compile(r"q\n([\d.]+) w 1 J 1 j\n([\d. ]+) RG\n((?:[-\d.]+ [-\d.]+ [ml]\n)+)S\nQ\n")


def units(v):
    return round(float(v) * 20)


def stroked_paths(stream, page_h):
    """[(rgb text, [(x, y) in units, top-left origin])] of stroked paths."""
    res = []
    for m in PATH_RE.finditer(stream):
        pts = [(units(x), page_h - units(y)) for x, y, _ in
               (l.split() for l in m.group(3).splitlines())]
        res.append((m.group(2).strip(), pts))
    return res


def money(s):
    neg = s.startswith("-")
    a, _, b = s.lstrip("-").partition(".")
    v = int(a) * 100 + int((b + "00")[:2])
    return -v if neg else v


def date(s):
    return datetime.date.fromisoformat(s).toordinal()


def feeds(d):
    """account id -> (product, opening, [(day, amount)]) for checking, savings"""
    acc = {}
    for prod in ("checking", "savings"):
        for r in csv.DictReader(open("%s/%s_accounts.csv" % (d, prod), encoding="utf-8")):
            acc[r["account_id"]] = (prod, money(r["opening_balance"]), money(r["closing_balance"]), [])
        for r in csv.DictReader(open("%s/%s_transactions.csv" % (d, prod), encoding="utf-8")):
            acc[r["account_id"]][3].append((date(r["posting_date"]), money(r["amount"])))
    j = open(d + "/job.yaml", encoding="utf-8").read()
    start = date(re.search(r"start: (\S+)", j).group(1))
    end = date(re.search(r"end: (\S+)", j).group(1))
    return acc, start, end


def account_points(a, start, end):
    """(days, balances) of one account's line: see src/graphics.c."""
    prod, opening, closing, txns = a
    days, bals = [start], [opening]
    b = opening
    byday = {}
    for dd, amt in txns:
        if start <= dd <= end:
            byday[dd] = byday.get(dd, 0) + amt
    for dd in sorted(byday):
        b += byday[dd]
        if days[-1] == dd:
            bals[-1] = b
        else:
            days.append(dd)
            bals.append(b)
    if b != closing:
        bad("feed does not add up for an account: %d != %d" % (b, closing))
    if days[-1] < end:
        days.append(end)
        bals.append(closing)
    return days, bals


def expected_series(accts, start, end, frame):
    """Each account's points (units) in a chart with this frame, one scale."""
    (px0, py0), (_, py1), (px1, _) = frame
    lines = [account_points(a, start, end) for a in accts]
    allb = [v for _, b in lines for v in b]
    lo, hi = min(allb), max(allb)
    if hi == lo:
        hi = lo + 1
    span = max(end - start, 1)
    return [[(px0 + (px1 - px0) * (dd - start) // span, py1 - (py1 - py0) * (v - lo) // (hi - lo))
             for dd, v in zip(days, bals)] for days, bals in lines]


def charts_of(paths, grey):
    """[(frame, [series...])]: a grey 3-point frame, then the stroked lines after it."""
    out, k = [], 0
    while k < len(paths):
        if paths[k][0] == grey and len(paths[k][1]) == 3:
            frame, k = paths[k][1], k + 1
            ser = []
            while k < len(paths) and paths[k][0] != grey:
                ser.append(paths[k][1])
                k += 1
            out.append((frame, ser))
        else:
            k += 1
    return out


FILL_RE = re.compile(r"q\n([\d. ]+) rg\n([-\d.]+) ([-\d.]+) m\n([-\d.]+) ([-\d.]+) l\n"
                     r"([-\d.]+) ([-\d.]+) l\n([-\d.]+) ([-\d.]+) l\nh\nf\nQ\n")
SPEND_BARS, SPEND_H = 4, 60 * 20   # the spending chart of LAYOUT_ADD: bars, height (units)


def filled_bars(stream, page_h):
    """[(x, top, length, height) units, top-left origin] of filled 4-corner paths."""
    res = []
    for m in FILL_RE.finditer(stream):
        xs = [units(m.group(i)) for i in (2, 4, 6, 8)]
        ys = [page_h - units(m.group(i)) for i in (3, 5, 7, 9)]
        res.append((min(xs), min(ys), max(xs) - min(xs), max(ys) - min(ys)))
    return res


def card_spending(d, start, end):
    """account id -> [(description, sum of debits in cents)] largest first,
    ties by the description's bytes (src/graphics.c draw_spending)."""
    sums = {}
    for r in csv.DictReader(open(d + "/credit_card_transactions.csv", encoding="utf-8")):
        a = money(r["amount"])
        if a < 0 and start <= date(r["posting_date"]) <= end:
            s = sums.setdefault(r["account_id"], {})
            s[r["description"]] = s.get(r["description"], 0) - a
    return {k: sorted(v.items(), key=lambda t: (-t[1], t[0].encode("utf-8")))
            for k, v in sums.items()}


def bar_charts(bars):
    """Group bars into charts: consecutive bars sharing x, one row step apart."""
    out = []
    for b in bars:
        if out and out[-1][-1][0] == b[0] and b[1] - out[-1][-1][1] == SPEND_H // SPEND_BARS:
            out[-1].append(b)
        else:
            out.append([b])
    return out


def check_spending(pdf, streams, page_h, want):
    """Each card section's bars against the feeds: as many as distinct debit
    descriptions (at most SPEND_BARS), largest first, each bar's length
    = the first's * its sum / the first's sum (integer units), the bar 6/10
    of a row tall.  Returns the rectangles, for the AFP comparison."""
    got = bar_charts([b for s in streams for b in filled_bars(s, page_h)])
    if len(got) != len(want):
        bad("%s: %d spending charts, want %d (one per card account with debits)"
            % (pdf, len(got), len(want)))
    rh = SPEND_H // SPEND_BARS
    for chart, sp in zip(got, want):
        top = sp[:SPEND_BARS]
        if len(chart) != len(top):
            bad("%s: a spending chart with %d bars, the feed has %d debit descriptions (max %d)"
                % (pdf, len(chart), len(sp), SPEND_BARS))
        l0 = chart[0][2]
        for (x, y, ln, h), (desc, total) in zip(chart, top):
            exp = max(1, l0 * total // top[0][1])
            if ln != exp or h != rh * 6 // 10:
                bad("%s: bar %r is %d x %d units, recomputed from the feed %d x %d"
                    % (pdf, desc, ln, h, exp, rh * 6 // 10))
    return [b for c in got for b in c]


def audit(out):
    return {a["household"]: a for a in map(json.loads, open(out + "/audit.jsonl", encoding="utf-8"))}


def pieces(out):
    rows = []
    for f in sorted(glob.glob(out + "/print/*.pieces.csv")):
        rows += list(csv.DictReader(open(f, encoding="utf-8")))
    return rows


def ppm(path):
    b = open(path, "rb").read()
    m = re.match(rb"P6\s+(\d+)\s+(\d+)\s+255\s", b)
    w, h = int(m.group(1)), int(m.group(2))
    return w, h, b[m.end():]


def check_logo_pixels(pdf, page, es, tmp):
    """Render the page at 144 dpi; every logo block's inside has its colour."""
    base = os.path.join(tmp, "r%d" % page)
    subprocess.run(["pdftoppm", "-r", "144", "-f", str(page), "-l", str(page), pdf, base], check=True)
    w, h, px = ppm(glob.glob(base + "*.ppm")[0])
    x0, y0 = LOGO_AT[0] * 2, LOGO_AT[1] * 2     # 2 device pixels per point, 1 logo px = 1 pt
    n = 0
    for ly in range(LOGO_H):
        for lx in range(LOGO_W):
            if lx % 8 in (0, 7) or ly % 8 in (0, 7):
                continue                            # block edges: interpolation may blend
            want = logo_px(lx, ly, es)
            for dy in (0, 1):
                for dx in (0, 1):
                    X, Y = x0 + 2 * lx + dx, y0 + 2 * ly + dy
                    got = px[3 * (Y * w + X):3 * (Y * w + X) + 3]
                    if any(abs(g - v) > 6 for g, v in zip(got, want)):
                        bad("%s page %d: pixel (%d,%d) is %s, the logo has %s there"
                            % (pdf, page, X, Y, tuple(got), want))
                    n += 1
    # just outside the box: white (the logo is not drawn bigger than its box)
    for X, Y in ((LOGO_BOX[0] * 2 + 4, LOGO_AT[1] * 2 + 10), (x0 + 2 * LOGO_W + 4, y0 + 10)):
        got = px[3 * (Y * w + X):3 * (Y * w + X) + 3]
        if tuple(got) != (255, 255, 255):
            bad("%s page %d: pixel (%d,%d) beside the logo is %s, not white" % (pdf, page, X, Y, tuple(got)))
    if page == 1:
        X, Y = (ALPHA_BOX[0] + 10) * 2, (ALPHA_BOX[1] + 10) * 2
        r, g, b_ = px[3 * (Y * w + X):3 * (Y * w + X) + 3]
        if not (r > 240 and 90 < g < 235 and abs(g - b_) <= 2):
            bad("half-transparent red over white should print pink, got %s" % ((r, g, b_),))
    return n


# ---- AFP ------------------------------------------------------------------------

def afp_fields(b):
    i = 0
    while i < len(b):
        assert b[i] == 0x5A, "no 0x5A at %d" % i
        n = struct.unpack(">H", b[i + 1:i + 3])[0]
        yield b[i + 3:i + 6].hex().upper(), b[i + 9:i + 1 + n], i
        i += 1 + n


def ebc(b):
    return b.decode("cp500").rstrip()


AREAS = {}   # AFP file -> its GOCA filled areas, in order (afp_read)


def afp_read(path):
    """resources {name: count}, per page [IOB names], per page [stroked paths]"""
    b = open(path, "rb").read()
    res, pages, paths = {}, [], []
    in_rg = False
    page_h = None
    for sid, d, off in afp_fields(b):
        if sid == "D3A8C6":
            in_rg = True
        elif sid == "D3A9C6":
            in_rg = False
        elif sid == "D3A8FB" and in_rg:
            res[ebc(d[:8])] = res.get(ebc(d[:8]), 0) + 1
        elif sid == "D3A8AF":
            pages.append([])
            paths.append([])
        elif sid == "D3A6AF":
            page_h = int.from_bytes(d[9:12], "big")
        elif sid == "D3AFC3":
            pages[-1].append((ebc(d[:8]), int.from_bytes(d[10:13], "big"), int.from_bytes(d[13:16], "big")))
        elif sid == "D3EEBB":
            paths[-1] += goca_paths(d, page_h)
            AREAS.setdefault(path, []).extend(goca_areas(d, page_h))
    return res, pages, paths


def goca_areas(d, page_h):
    """Filled areas of GAD drawing orders as (x, top, length, height) units,
    top-left origin (the spending bars)."""
    out, i, area, pts = [], 0, False, []
    while i < len(d):
        t = d[i]
        if t in (0x1A, 0x1B, 0x28):
            i += 2
            continue
        n = d[i + 1]
        p = d[i + 2:i + 2 + n]
        if t == 0x68:
            area, pts = True, []
        elif t == 0x60:
            if area and len(pts) >= 4:
                xs, ys = [q[0] for q in pts], [page_h - q[1] for q in pts]
                out.append((min(xs), min(ys), max(xs) - min(xs), max(ys) - min(ys)))
            area = False
        elif area and t == 0x21:
            pts.append(struct.unpack(">hh", p))
        elif area and t == 0x81:
            pts += [struct.unpack(">hh", p[k:k + 4]) for k in range(0, n, 4)]
        i += 2 + n
    return out


def goca_paths(d, page_h):
    """Stroked paths of GAD drawing orders: [(rgb, [(x, y) units, top-left])]."""
    out, i, color, area, cur = [], 0, None, False, None
    while i < len(d):
        t = d[i]
        if t in (0x1A, 0x1B, 0x28):
            i += 2
            continue
        n = d[i + 1]
        p = d[i + 2:i + 2 + n]
        if t == 0xB2:
            color = p[-3:].hex()
        elif t == 0x68:
            area = True
        elif t == 0x60:
            area = False
        elif t == 0x21:
            x, y = struct.unpack(">hh", p)
            cur = (color, [(x, page_h - y)])
            if not area:
                out.append(cur)
        elif t == 0x81:
            for k in range(0, n, 4):
                x, y = struct.unpack(">hh", p[k:k + 4])
                cur[1].append((x, page_h - y))
        i += 2 + n
    return out


# ---- check ----------------------------------------------------------------------

def check(d, out):
    tmp = tempfile.mkdtemp()
    acc, start, end = feeds(d)
    aud = audit(out)
    pcs = pieces(out)
    pdfs = sorted(glob.glob(out + "/print/*.pdf"))
    if not pdfs:
        bad("no print PDF")
    checked_px = 0
    langs_seen = set()
    n_series = n_fixed = n_bars = 0
    spend = card_spending(d, start, end)
    for pdf in pdfs:
        rows = pdfimages(pdf)
        npages = int(re.search(r"Pages:\s+(\d+)", run("pdfinfo", pdf)).group(1))
        by_obj = {}
        for page, obj, w, h, typ, enc, bpc, color in rows:
            by_obj.setdefault(obj, set()).add((w, h, typ, bpc))
            if typ != "image" or bpc != 8:
                bad("%s: image %d is %s, %d bits (want an 8-bit image, no mask)" % (pdf, obj, typ, bpc))
        # each image object once per document: one object per distinct image
        sizes = {obj: list(v)[0][:2] for obj, v in by_obj.items()}
        logos = [o for o, s in sizes.items() if s == (LOGO_W, LOGO_H)]
        alphas = [o for o, s in sizes.items() if s == (10, 10)]
        flags = [o for o, s in sizes.items() if s == (12, 12)]
        if not (1 <= len(logos) <= 2 and len(alphas) == 1 and len(flags) <= 1
                and len(sizes) == len(logos) + 1 + len(flags)):
            bad("%s: image objects %s: want one per logo file, one alpha square, at most one "
                "flag" % (pdf, sizes))
        per_page = {}
        for page, obj, *_ in rows:
            per_page.setdefault(page, []).append(obj)
        # the logo on every page, drawn once there
        for p in range(1, npages + 1):
            if sum(1 for o in per_page.get(p, []) if o in logos) != 1:
                bad("%s page %d: logo drawn %d times" % (pdf, p, per_page.get(p, []).count(logos[0])))
        streams = page_streams(pdf)
        page_h = 15840
        charts = [c for s in streams for c in charts_of(stroked_paths(s, page_h), "0.502 0.502 0.502")]
        series = [c for c in charts if c[0][0][0] < FIXED_X]
        fixed = [c for c in charts if c[0][0][0] >= FIXED_X]
        # expected: per household in page order, its checking/savings accounts in order
        want, want_fixed = [], []
        first_pages = []
        for r in pcs:
            if r["file"] != os.path.basename(pdf):
                continue
            a = aud[r["household"]]
            first_pages.append((int(r["first_page"]), a.get("language", "en")))
            mine = [acc[x["id"]] for x in a["accounts"] if x["id"] in acc]
            want += mine
            if mine:
                want_fixed.append(mine)
        # the flag (when: language == "es") on the first page of Spanish statements only
        for fp, lang in first_pages:
            has = any(o in flags for o in per_page.get(fp, []))
            if has != (lang == "es"):
                bad("%s page %d (%s statement): the 'when' image %s" % (pdf, fp, lang, "drawn" if has else "missing"))
        if len(series) != len(want):
            bad("%s: %d balance charts, want %d (one per checking/savings account)" % (pdf, len(series), len(want)))
        for (frame, pts), a in zip(series, want):
            exp = expected_series([a], start, end, frame)
            if pts != exp:
                bad("%s: chart points %s, recomputed from the feeds %s" % (pdf, pts[0][:6], exp[0][:6]))
        # the fixed first-page chart: one line per checking/savings account, one scale
        if len(fixed) != len(want_fixed):
            bad("%s: %d first-page charts, want %d" % (pdf, len(fixed), len(want_fixed)))
        for (frame, lines), accts in zip(fixed, want_fixed):
            exp = expected_series(accts, start, end, frame)
            if lines != exp:
                bad("%s: first-page chart lines %s, recomputed from the feeds %s" % (pdf, lines, exp))
        n_series += len(series)
        n_fixed += len(fixed)
        # the spending bars of card sections (issue 13 part 2), in page order
        want_sp = [spend[x["id"]] for r in pcs if r["file"] == os.path.basename(pdf)
                   for x in aud[r["household"]]["accounts"] if x["id"] in spend]
        bars = check_spending(pdf, streams, page_h, want_sp)
        n_bars += len(bars)
        # the PDF's chart paths, also from the AFP twin's GOCA
        afp = pdf[:-4] + ".afp"
        res, iobs, gpaths = afp_read(afp)
        if any(c != 1 for c in res.values()):
            bad("%s: an image resource is there more than once: %s" % (afp, res))
        gseries = [c for pp in gpaths for c in charts_of(pp, "808080")]
        if gseries != charts:
            bad("%s: GOCA chart points differ from the PDF's: %s vs %s" % (afp, gseries[:2], series[:2]))
        if AREAS.get(afp, []) != bars:
            bad("%s: GOCA bars %s differ from the PDF's %s" % (afp, AREAS.get(afp, [])[:3], bars[:3]))
        if len(iobs) != npages:
            bad("%s: %d pages, the PDF has %d" % (afp, len(iobs), npages))
        for p, inc in enumerate(iobs, 1):
            names = [n for n, _, _ in inc]
            if any(n not in res for n in names):
                bad("%s page %d: includes %s, not all in the resource group %s" % (afp, p, names, res))
            fl = dict(first_pages)
            if len(names) != (1 if p not in fl else 3 if fl[p] == "es" else 2):
                bad("%s page %d: %d images included" % (afp, p, len(names)))
            if not any(x == LOGO_BOX[0] * 20 and y == LOGO_BOX[1] * 20 for _, x, y in inc):
                bad("%s page %d: no image at the logo's box" % (afp, p))
        # pixels: the first page of an English and of a Spanish statement
        for fp, lang in first_pages:
            if lang in langs_seen or lang not in ("en", "es"):
                continue
            langs_seen.add(lang)
            checked_px += check_logo_pixels(pdf, fp, lang == "es", tmp)
    if n_series < 5 or n_fixed < 3:
        bad("only %d balance charts checked" % n_series)
    if n_bars < 8:
        bad("only %d spending bars checked" % n_bars)
    if not langs_seen:
        bad("no statement's logo pixels checked")
    # archive: PDF/A-1b documents, images flattened 8-bit, once per document
    n_doc = 0
    for z in sorted(glob.glob(out + "/archive/*.zip")):
        with zipfile.ZipFile(z) as zf:
            for name in [n for n in zf.namelist() if n.endswith(".pdf")]:
                p = zf.extract(name, tmp)
                subprocess.run(["qpdf", "--check", p], capture_output=True, check=True)
                # r-arch: a tagged document's dictionaries sit in an object
                # stream: read them with the object streams written out
                subprocess.run(["qpdf", "--object-streams=disable", "--stream-data=preserve",
                                p, p + ".plain"], capture_output=True, check=True)
                raw = open(p + ".plain", "rb").read()
                # issue 14 part 2: tagged PDF/A-2a by default (still no transparency)
                if b"<pdfaid:part>2</pdfaid:part>" not in raw or b"/OutputIntents" not in raw:
                    bad(name + ": not declared PDF/A-2a with an output intent")
                if b"/SMask" in raw or b"/BitsPerComponent 16" in raw:
                    bad(name + ": transparency or 16-bit image in PDF/A-1")
                rows = pdfimages(p)
                if not rows:
                    bad(name + ": no images")
                objs = {}
                for page, obj, w, h, typ, enc, bpc, color in rows:
                    objs.setdefault((w, h), set()).add(obj)
                    if typ != "image" or bpc != 8:
                        bad(name + ": image is %s %d-bit" % (typ, bpc))
                if any(len(v) != 1 for v in objs.values()):
                    bad(name + ": an image embedded more than once: %s" % objs)
                n_doc += 1
    if n_doc == 0:
        bad("no archive documents")
    print("ok: %d print PDFs, %d section balance charts and %d first-page charts = feeds (PDF "
          "and AFP), %d spending bars = feeds (PDF and AFP), %d logo pixels, %d archive documents"
          % (len(pdfs), n_series, n_fixed, n_bars, checked_px, n_doc))


def jpeg(d, out):
    pdfs = sorted(glob.glob(out + "/print/*.pdf"))
    for pdf in pdfs:
        rows = pdfimages(pdf)
        jp = {obj for page, obj, w, h, typ, enc, bpc, color in rows if enc == "jpeg"}
        if len(jp) != 1:
            bad("%s: JPEG image objects %s (want one, DCT)" % (pdf, jp))
        res, iobs, _ = afp_read(pdf[:-4] + ".afp")
        b = open(pdf[:-4] + ".afp", "rb").read()
        segs = [d_ for sid, d_, _ in afp_fields(b) if sid == "D3EEFB"]
        if not any(b"\x95\x02\x83\x01" in s for s in segs):
            bad("no IOCA image with JPEG compression (X'83')")
        if len(res) != 3 or any(v != 1 for v in res.values()):
            bad("resources %s: want the JPEG, the alpha square and the flag once each" % res)
    print("ok: JPEG once per file in PDF (DCT) and AFP (IOCA JPEG)")


def corrupt(src, seg_out, iob_out):
    b = bytearray(open(src, "rb").read())
    i = b.find(bytes.fromhex("96 01 18".replace(" ", "")))      # IDE size 24
    assert i > 0
    s = bytes(b)
    b[i + 2] = 0x10                                             # 16 bits: data length no longer fits
    open(seg_out, "wb").write(b)
    b = bytearray(s)
    for sid, d, off in afp_fields(s):
        if sid == "D3AFC3":
            b[off + 9:off + 17] = "FIMX0001".encode("cp500")
            break
    open(iob_out, "wb").write(b)


if __name__ == "__main__":
    mode = sys.argv[1]
    if mode == "setup":
        setup(sys.argv[2], sys.argv[3])
    elif mode == "check":
        check(sys.argv[2], sys.argv[3])
    elif mode == "jpeg":
        jpeg(sys.argv[2], sys.argv[3])
    elif mode == "corrupt":
        corrupt(sys.argv[2], sys.argv[3], sys.argv[4])
