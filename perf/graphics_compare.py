# SPDX-License-Identifier: Apache-2.0
"""perf/graphics_compare.py -- issue 13's cost figures for perf/bench: a logo
on every page and charts, the payment coupon, links in e-delivery, each
against the same feeds WITHOUT them, run alternately in the same bench run.

The sample layout (layouts/statement.yaml) ships with a logo on every page
and a balance chart in checking sections, so "without" is that layout with
its `images:` and `charts:` taken out -- not the samples job as it is.

Print throughput (archive off, every household printed):
  none      the sample layout without images and charts
  sample    the sample layout as shipped (logo every page, checking chart)
  section   none + a 300x100 px logo on every page + a balance chart in
            every account section (one chart per account)
  page      none + the logo + one first-page chart, a line per account
  coupon    sample + a payment coupon for cards and mortgages (cards in EUR:
            EPC QR; mortgages USD: payment-URL QR)
E-delivery (archive on; links exist only in archived documents):
  sample-a  sample, archive on
  coupon-a  coupon, archive on (its pay-now link and the paragraphs' URLs)
  links-a   coupon-a + `response_url` on every offer (a link per offer box)

Cost = CPU seconds (user + sys, fastest of R alternating rounds) with / without
- 1, per statement and per printed page: CPU time is not inflated by other
processes sharing the machine.  Python 3 standard library only.
"""
import os
import re
import struct
import zlib

PRINT_VARIANTS = ["none", "sample", "section", "page", "coupon"]
ARCHIVE_VARIANTS = ["sample-a", "coupon-a", "links-a"]
GOAL_PCT = 10.0   # issue 13: logo on every page + one chart per account <= 10%

LOGO_ADD = """
images:
  - {file: bench-logo.png, x: 250, y: 26, width: 120, height: 40, fit: contain}
"""
CHARTS_ADD = {
    "section": """charts:
  - {kind: balance, height: 70, width: 300, style: small}
""",
    "page": """charts:
  - {kind: balance, x: 396, y: 148, width: 168, height: 96, style: small, page: first}
"""}
COUPON_ADD = """
coupon:
  products: [credit_card, mortgage]
  payee: "Harbor and Pine Bank"
  remittance_address: ["Harbor & Pine Bank - Payments", "PO Box 4400", "Portland, ME 04112-4400"]
  iban: DE89370400440532013000
  bic: COBADEFFXXX
  pay_url: "https://pay.harborpine.example/card?account={account}&amount={amount}&currency={currency}&hh={household}"
  style: info
  label_style: label
  scan_style: td
  title: {en: "Payment coupon", es: "Cupón de pago"}
  note: {en: "Detach and return this part with your payment.", es: "Separe y devuelva esta parte con su pago."}
  labels:
    account: {en: "Account number", es: "Número de cuenta"}
    amount_due: {en: "Amount due", es: "Importe adeudado"}
    minimum_due: {en: "Minimum payment due", es: "Pago mínimo"}
    due_date: {en: "Payment due date", es: "Fecha de vencimiento"}
"""
RESPONSE_URL = ('    response_url: "https://www.harborpine.example/respond?code={response_code}'
                '&offer={offer}&variant={variant}&hh={household}"')


def logo_px(x, y):
    if 10 <= x < 90 and 10 <= y < 90:                      # a disc, soft edge
        r2 = (x - 50) ** 2 + (y - 50) ** 2
        if r2 < 1600:
            a = min(1.0, (1600 - r2) / 160.0)
            return tuple(int(255 - a * (255 - c)) for c in (31, 58, 95))
    if 110 <= x < 290 and 30 <= y < 46:                    # a gradient bar
        return (31 + (x - 110) // 2, 58 + (x - 110) // 3, 95)
    if 110 <= x < 290 and 56 <= y < 70 and (x // 9) % 3:   # "letters"
        return (60, 60, 60)
    return (255, 255, 255)


def write_logo(path, w=300, h=100):
    raw = b"".join(b"\x00" + bytes(v for x in range(w) for v in logo_px(x, y))
                   for y in range(h))

    def chunk(t, b):
        return struct.pack(">I", len(b)) + t + b + struct.pack(">I", zlib.crc32(t + b) & 0xFFFFFFFF)
    with open(path, "wb") as f:
        f.write(b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", w, h, 8, 2, 0, 0, 0))
                + chunk(b"IDAT", zlib.compress(raw)) + chunk(b"IEND", b""))


def strip_graphics(layout_text):
    """The layout without its top-level images: and charts: blocks."""
    return re.sub(r"(?ms)^(images|charts):.*?(?=^\S|\Z)", "", layout_text)


def make_jobs(job):
    """{variant: job path} beside the cached feeds of `job` (the samples job)."""
    d = os.path.dirname(job)
    with open(job, encoding="utf-8") as f:
        jtext = f.read()
    lay = re.search(r'(?m)^layout: *"?([^"\n]+)"?', jtext).group(1)
    with open(lay, encoding="utf-8") as f:
        ltext = f.read()
    ldir = os.path.dirname(lay)
    ltext = re.sub(r'((?:file|library): *"?)([^"/\s,}][^"\s,}]*\.(?:ttf|otf|yaml|png|jpe?g))',
                   lambda m: m.group(1) + os.path.normpath(os.path.join(ldir, m.group(2))), ltext)
    if not re.search(r"(?m)^images:", ltext) or not re.search(r"(?m)^charts:", ltext):
        raise ValueError("%s: the sample layout has no images:/charts: to take out" % lay)
    write_logo(os.path.join(d, "bench-logo.png"))
    none = strip_graphics(ltext)
    layouts = {"none": none, "sample": ltext,
               "section": none + LOGO_ADD + CHARTS_ADD["section"],
               "page": none + LOGO_ADD + CHARTS_ADD["page"],
               "coupon": ltext + COUPON_ADD}
    cat = re.search(r'(?m)^  catalogue: *"?([^"\n]+)"?', jtext)
    links_cat = None
    if cat:
        with open(cat.group(1), encoding="utf-8") as f:
            ctext = f.read()
        ctext = re.sub(r"(?m)^    response_code: .*$", lambda m: m.group(0) + "\n" + RESPONSE_URL, ctext)
        cdir = os.path.dirname(cat.group(1))
        ctext = re.sub(r'((?:file): *"?)([^"/\s,}][^"\s,}]*\.(?:png|jpe?g))',
                       lambda m: m.group(1) + os.path.normpath(os.path.join(cdir, m.group(2))), ctext)
        links_cat = os.path.join(d, "offers-links.yaml")
        with open(links_cat, "w", encoding="utf-8") as f:
            f.write(ctext)
    # cards in EUR: the coupon's EPC/GiroCode QR (mortgages stay USD: a URL QR)
    eur = jtext.replace("    product: credit_card\n",
                        "    product: credit_card\n    dialect: {currency: EUR}\n", 1)
    if not re.search(r"(?m)^output:\n", jtext) or re.search(r"(?m)^  archive:", jtext):
        raise ValueError("%s: cannot turn the archive off" % job)
    jobs = {}
    for v, lt in layouts.items():
        lp = os.path.join(d, "layout-g-%s.yaml" % v)
        with open(lp, "w", encoding="utf-8") as f:
            f.write(lt)
        base = eur if v == "coupon" else jtext
        base = re.sub(r"(?m)^layout:.*$", 'layout: "%s"' % lp, base)
        for arch in (False, True):
            name = v + ("-a" if arch else "")
            if arch and name not in ARCHIVE_VARIANTS:
                continue
            if not arch and name not in PRINT_VARIANTS:
                continue
            t = base if arch else re.sub(r"(?m)^output:\n", "output:\n  archive:\n    enabled: false\n",
                                         base, count=1)
            jobs[name] = _write(d, name, t)
            if name == "coupon-a" and links_cat:
                jobs["links-a"] = _write(d, "links-a", re.sub(
                    r'(?m)^  catalogue:.*$', '  catalogue: "%s"' % links_cat, t))
    return jobs


def _write(d, name, text):
    p = os.path.join(d, "job-g-%s.yaml" % name)
    with open(p, "w", encoding="utf-8") as f:
        f.write(text)
    return p


def run(folio, job, n, threads, repeat, env, run_folio, best_of, log):
    """Every variant, R >= 3 alternating rounds; {variant: best run}."""
    jobs = make_jobs(job)
    got = {v: [] for v in jobs}
    for k in range(max(3, repeat)):
        for v in PRINT_VARIANTS + ARCHIVE_VARIANTS:
            if v in jobs:
                log("issue 13 cost runs, round %d: %s" % (k + 1, v))
                got[v].append(run_folio(folio, jobs[v], n, threads, False, env, "-g-" + v))
    best = {}
    for v, runs in got.items():
        b = best_of(runs)
        b["variant"] = v
        best[v] = b
    return best


def instructions(folio, job, env, log):
    """Instructions each variant executes at 1 thread under callgrind
    (valgrind --tool=callgrind): a count the load of a shared machine does
    not change.  {variant: Ir}; {} without valgrind."""
    import shutil
    import subprocess
    import tempfile
    if not shutil.which("valgrind"):
        log("valgrind not found: no instruction counts")
        return {}
    jobs = make_jobs(job)
    ir = {}
    for v in PRINT_VARIANTS + ARCHIVE_VARIANTS:
        if v not in jobs:
            continue
        log("issue 13 instruction count (callgrind): %s" % v)
        out = tempfile.mkdtemp(prefix="folio-ir-")
        r = subprocess.run(["valgrind", "--tool=callgrind", "--callgrind-out-file=/dev/null",
                            folio, "run", "-q", jobs[v], "--out", out + "/o", "--threads", "1"],
                           capture_output=True, text=True, env=env)
        shutil.rmtree(out, ignore_errors=True)
        m = re.search(r"Collected : (\d+)", r.stderr)
        if r.returncode not in (0, 3) or not m:
            raise ValueError("callgrind run of %s failed (exit %d): %s"
                             % (v, r.returncode, r.stderr[-400:]))
        ir[v] = int(m.group(1))
    return ir


def cost(on, off):
    return {"stmt_pct": 100.0 * (on["cpu_min"] / off["cpu_min"] - 1),
            "page_pct": 100.0 * ((on["cpu_min"] / on["print_pages"])
                                 / (off["cpu_min"] / off["print_pages"]) - 1)
            if on["print_pages"] and off["print_pages"] else None}


COMPARES = [   # (label, with, without)
    ("logo every page + a chart per account section", "section", "none"),
    ("logo every page + one first-page chart", "page", "none"),
    ("the sample layout's logo + checking chart", "sample", "none"),
    ("payment coupon (print)", "coupon", "sample"),
    ("payment coupon, archive on", "coupon-a", "sample-a"),
    ("offer response links (archive)", "links-a", "coupon-a"),
]


def report_lines(best, table, fmt_int):
    rows = []
    for v in PRINT_VARIANTS + ARCHIVE_VARIANTS:
        if v not in best:
            continue
        b = best[v]
        a = b.get("archive") or {}
        rows.append([v, fmt_int(b["print_pages"]), "%.2f" % b["cpu_min"],
                     "%.3f" % (1000.0 * b["cpu_min"] / b["print_pages"]) if b["print_pages"] else "-",
                     "%.2f" % a["seconds"] if a.get("seconds") else "-",
                     str(a.get("documents", "-"))])
    out = ["issue 13 cost: images, charts, coupon, links (same feeds, same thread count, "
           "alternating rounds; CPU = user + sys, fastest round)",
           table(rows, ["variant", "print pages", "cpu s", "cpu ms/page", "archive s", "archived"])]
    for label, on, off in COMPARES:
        if on in best and off in best:
            c = cost(best[on], best[off])
            out.append("  %-50s %+6.1f%% CPU per statement, %s per printed page  (%s vs %s)"
                       % (label, c["stmt_pct"],
                          "%+6.1f%%" % c["page_pct"] if c["page_pct"] is not None else "-", on, off))
    return out


def ir_lines(ir, households):
    """The same comparisons in instructions (callgrind, 1 thread)."""
    if not ir:
        return []
    out = ["issue 13 cost in instructions (callgrind, %s households, 1 thread; not changed by "
           "the machine's load):" % households]
    for label, on, off in COMPARES:
        if on in ir and off in ir:
            out.append("  %-50s %+6.1f%% instructions  (%s %s vs %s %s)"
                       % (label, 100.0 * (ir[on] / ir[off] - 1), on, "{:,}".format(ir[on]),
                          off, "{:,}".format(ir[off])))
    return out


def goals(best, fmt_int):
    g = []
    for label, on, off in COMPARES:
        if on not in best or off not in best:
            continue
        c = cost(best[on], best[off])
        goal = on in ("section", "page")
        # print throughput = printed pages per CPU second: per page when the
        # charts add pages (section), per statement otherwise
        v = c["page_pct"] if on == "section" else c["stmt_pct"]
        g.append({"goal": "%s, %s households, %d thread(s)"
                          % (label, fmt_int(best[on]["households"]), best[on]["threads"]),
                  "measured": "%+.1f%% CPU per statement, %+.1f%% per printed page"
                              % (c["stmt_pct"], c["page_pct"] or 0),
                  "target": "<= 10%" if goal else "(measured, no goal)",
                  "result": ("PASS" if v <= GOAL_PCT else "MISS") if goal else "info",
                  "value": v})
    return g
