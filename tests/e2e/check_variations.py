#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""Independent checks of content variations in a folio run: reads the
customers feed with Python's csv module, the print PDFs with pdftotext and
the audit trail, and decides on its own which language, disclosure and
welcome paragraph each printed statement must show.  usage:
  check_variations.py run SAMPLES_DIR OUT_DIR            (sample layout, complete translations)
  check_variations.py fallback SAMPLES_DIR OUT_DIR TEXT  (layout whose 'es' TEXT is missing)
"""
import csv, datetime, json, os, re, subprocess, sys
from decimal import Decimal

def fail(msg):
    print("CHECK FAILED: " + msg)
    sys.exit(1)

# Distinctive phrases of each paragraph of layouts/paragraphs.yaml, per language.
PHRASES = {
    "welcome": {"en": "Welcome to", "es": "Bienvenido a"},
    "legal-ca": {"en": "California residents", "es": "Residentes de California"},
    "legal-ny": {"en": "New York residents", "es": "Residentes de Nueva York"},
    "legal-default": {"en": "Consumer Financial Protection Bureau",
                      "es": "Oficina para la Protección Financiera del Consumidor"},
}
CARD = {"en": "Minimum payment warning: if you make only the minimum payment of %s",
        "es": "Aviso sobre el pago mínimo: si solo realiza el pago mínimo de %s"}
VERSIONS = {"welcome": 1, "legal-ca": 2, "legal-ny": 1, "legal-default": 3,
            "card-minimum-warning": 1}
SUMMARY = {"en": "Account summary", "es": "Resumen de cuentas"}
OPENING = {"en": "Opening balance", "es": "Saldo inicial"}
PAGE1 = {"en": "Page 1 of %d", "es": "Página 1 de %d"}

def pdf_pages_text(path):
    out = subprocess.run(["pdftotext", path, "-"], check=True, capture_output=True).stdout
    return out.decode("utf-8").split("\f")

def flat(s):
    return re.sub(r"\s+", " ", s)

def load(samples, out):
    with open(os.path.join(samples, "customers.csv"), encoding="utf-8", newline="") as f:
        cust = {r["customer_id"]: r for r in csv.DictReader(f)}
    with open(os.path.join(out, "manifest.json"), encoding="utf-8") as f:
        m = json.load(f)
    with open(os.path.join(out, "audit.jsonl"), encoding="utf-8") as f:
        audit = [json.loads(l) for l in f]
    with open(os.path.join(samples, "credit_card_accounts.csv"), encoding="utf-8", newline="") as f:
        cards = {r["account_id"]: r for r in csv.DictReader(f)}
    texts = {}
    for o in m["outputs"]:
        if o["format"] == "pdf":
            texts[o["file"]] = pdf_pages_text(os.path.join(out, o["file"]))
    return cust, m, audit, texts, cards

def expected(c, statement_date):
    lang = "es" if c["language"].lower().startswith("es") else "en"
    state, country = c["state"], c["country"]
    us = country in ("US", "")
    legal = "legal-ca" if us and state == "CA" else "legal-ny" if us and state == "NY" else "legal-default"
    since = datetime.date.fromisoformat(c["customer_since"])
    welcome = (statement_date - since).days < 90
    return lang, legal, welcome

def check_run(samples, out, missing=None):
    cust, m, audit, texts, cards = load(samples, out)
    sd = datetime.date.fromisoformat(m["job"]["statement_date"])
    seen = {"es": 0, "en": 0, "legal-ca": 0, "legal-ny": 0, "legal-default": 0,
            "welcome": 0, "es+CA": 0, "card-minimum-warning": 0}
    shown_count = {p: 0 for p in VERSIONS}
    by_lang = {"en": 0, "es": 0}
    fallback_statements = 0
    for h in audit:
        if h["channel"] == "suppressed":
            continue
        c = cust[h["customers"][0]]              # the primary customer
        lang, legal, welcome = expected(c, sd)
        by_lang[lang] += 1
        if h.get("language") != lang:
            fail("%s: audit language %s, expected %s (customer %s)" % (h["household"], h.get("language"), lang, c["customer_id"]))
        cov = h["coverage"]
        if "language:" + lang not in cov:
            fail("%s: no coverage key language:%s" % (h["household"], lang))
        shown = [p for p in h["paragraphs"] if p["shown"]]
        my_cards = [a["id"] for a in h["accounts"] if a["id"] in cards and "suppressed" not in a]
        want = [legal] + (["welcome"] if welcome else []) + ["card-minimum-warning"] * len(my_cards)
        if sorted(p["id"] for p in shown) != sorted(want):
            fail("%s: paragraphs shown %s, expected %s" % (h["household"], [p["id"] for p in shown], want))
        if sorted(p["account"] for p in shown if p["place"] == "after_account") != sorted(my_cards):
            fail("%s: card paragraphs for %s, cards %s" % (h["household"], [p.get("account") for p in shown], my_cards))
        for p in shown:
            shown_count[p["id"]] += 1
            if p["version"] != VERSIONS[p["id"]]:
                fail("%s: %s version %s" % (h["household"], p["id"], p["version"]))
            if "paragraph:%s@%d" % (p["id"], p["version"]) not in cov:
                fail("%s: no coverage key for %s" % (h["household"], p["id"]))
            if p.get("rule") is None and p["id"] not in ("legal-default", "card-minimum-warning"):
                fail("%s: %s shown without its rule in the audit" % (h["household"], p["id"]))
        for p in h["paragraphs"]:
            if not p["shown"] and not p.get("failed"):
                fail("%s: %s not shown and no failed clause" % (h["household"], p["id"]))
        fb = "fallback" in h
        if missing and lang == "es":
            if not fb or h["fallback"]["texts"] != [missing] or "fallback:es->en" not in cov:
                fail("%s: Spanish statement without the reported fallback of %s" % (h["household"], missing))
        elif fb:
            fail("%s: unexpected fallback %s" % (h["household"], h["fallback"]))
        fallback_statements += fb
        seen[lang] += 1
        seen[legal] += 1
        seen["welcome"] += welcome
        seen["card-minimum-warning"] += len(my_cards)
        seen["es+CA"] += lang == "es" and legal == "legal-ca"
        if h["channel"] not in ("print", "both"):
            continue
        pages = texts[h["print_file"]][h["first_page"] - 1:h["last_page"]]
        if len(pages) != h["pages"]:
            fail("%s: %d pages in the file, audit %d" % (h["household"], len(pages), h["pages"]))
        if (PAGE1[lang] % h["pages"]) not in pages[0]:
            fail("%s: first page lacks '%s'" % (h["household"], PAGE1[lang] % h["pages"]))
        t = flat(" ".join(pages))
        other = "en" if lang == "es" else "es"
        summary_lang = "en" if missing == "summary.title" else lang
        if SUMMARY[summary_lang] not in t:
            fail("%s: no '%s' in its PDF text" % (h["household"], SUMMARY[summary_lang]))
        if missing != "summary.title" and SUMMARY[other] in t:
            fail("%s: '%s' in a %s statement" % (h["household"], SUMMARY[other], lang))
        if OPENING[lang] not in t:
            fail("%s: no '%s' in its PDF text" % (h["household"], OPENING[lang]))
        for pid, ph in PHRASES.items():
            present = flat(ph[lang]) in t
            if (pid in want) != present:
                fail("%s: paragraph %s %s in the PDF text (%s statement)" % (h["household"], pid, "missing" if not present else "unexpected", lang))
            if flat(ph[other]) in t:
                fail("%s: %s wording of %s in a %s statement" % (h["household"], other, pid, lang))
        for a in my_cards:
            due = "$" + "{:,}".format(Decimal(cards[a]["minimum_due"] or "0").quantize(Decimal("0.01")))
            if CARD[lang] % due not in t:
                fail("%s: no card warning with minimum payment %s" % (h["household"], due))
        if t.count(CARD[lang][:30]) != len(my_cards):
            fail("%s: %d card warnings for %d cards" % (h["household"], t.count(CARD[lang][:30]), len(my_cards)))
        if welcome and c["first_name"] and (PHRASES["welcome"][lang] + " ") not in t:
            fail("%s: welcome without greeting" % h["household"])
    v = m["variations"]
    if v["statements_by_language"] != by_lang:
        fail("manifest statements_by_language %s, audit %s" % (v["statements_by_language"], by_lang))
    if v["fallback_statements"] != fallback_statements:
        fail("manifest fallback_statements %d, audit %d" % (v["fallback_statements"], fallback_statements))
    if v["missing_translations"] != {"es": 1 if missing else 0}:
        fail("manifest missing_translations %s" % v["missing_translations"])
    for p in v["paragraphs"]:
        if p["statements"] != shown_count[p["id"]] or p["version"] != VERSIONS[p["id"]]:
            fail("manifest paragraph %s: %d statements, audit %d" % (p["id"], p["statements"], shown_count[p["id"]]))
    for k in ("es", "legal-ca", "legal-ny", "legal-default", "welcome", "es+CA", "card-minimum-warning"):
        if not seen[k]:
            fail("the sample has no %s statement" % k)
    print("variations: %s" % seen)

if __name__ == "__main__":
    if sys.argv[1] == "run":
        check_run(sys.argv[2], sys.argv[3])
    elif sys.argv[1] == "fallback":
        check_run(sys.argv[2], sys.argv[3], sys.argv[4])
    else:
        fail("unknown mode " + sys.argv[1])
