#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""Issue 14 part 1: recompute every disclosure figure of the fixture job
(examples/disclosures) from its feeds with `decimal`, independently of
folio's C code, and check each expected row is in pdftotext of the print
PDFs -- on the statement of the account's household, under that account's
heading ("Credit card *1001") and in that section ("Payment Information"):
a figure printed under another account, statement or section fails, and so
does a disclosure section under an account that should have none.  The minimum-payment table is checked against an amortisation written
here (month by month, Decimal, half-up cents) and the 36-month payment against
a search that starts from the closed-form annuity payment.

usage: check_disclosures.py FIXTURE_DIR OUT_DIR
       check_disclosures.py SAMPLES_DIR OUT_DIR --samples   (the demo's card sections)
       check_disclosures.py FIXTURE_DIR OUT_DIR --plus-interest (minimum = 2% + interest)
"""
import csv
import datetime as dt
import glob
import re
import subprocess
import sys
import tempfile
import zipfile
from decimal import Decimal as D, ROUND_HALF_UP, getcontext

getcontext().prec = 60
CENT = D("0.01")


def q(x):
    return x.quantize(CENT, rounding=ROUND_HALF_UP)


def usd(x):
    s = "{:,.2f}".format(abs(x))
    return ("-$" if x < 0 else "$") + s


def eur(x):
    s = "{:,.2f}".format(abs(x)).replace(",", " ").replace(".", ",").replace(" ", ".")
    return ("-" if x < 0 else "") + s + " \u20ac"


def pct(x):
    s = "{:.4f}".format(x).rstrip("0")
    if len(s.split(".")[1]) < 2:
        s = "{:.2f}".format(x)
    return s + "%"


def rows(fix, name):
    return list(csv.DictReader(open("%s/%s" % (fix, name), encoding="utf-8")))


def date(s):
    return dt.date.fromisoformat(s)


PSTART, PEND = dt.date(2026, 10, 1), dt.date(2026, 10, 31)
DAYS = (PEND - PSTART).days + 1


def cat_sum(txns, acct, cats):
    return sum((D(t["amount"]) for t in txns if t["acct"] == acct and t["cat"] in cats), D(0))


# ---- the minimum-payment formula of the fixture layout: 2% of the balance,
# at least $25.00, no interest added; the table's figures -------------------------
PCT, FLOOR, PLUS_INT = D(2), D("25.00"), False


def month_interest(bal, apr):
    return q(bal * apr / 100 / 12)


def pay_minimum(bal, apr):
    months, total = 0, D(0)
    while bal > 0:
        if months == 1200:
            return None
        i = month_interest(bal, apr)
        p = q(bal * PCT / 100) + (i if PLUS_INT else 0)
        p = max(p, FLOOR)
        p = min(p, bal + i)
        if p <= i:
            return None
        bal = bal + i - p
        total += p
        months += 1
    return months, total


def pays_in(bal, apr, p, n):
    total = D(0)
    for _ in range(n):
        if bal <= 0:
            break
        i = month_interest(bal, apr)
        x = min(p, bal + i)
        bal = bal + i - x
        total += x
    return bal <= 0, total


def payment_36(bal, apr):
    r = apr / 100 / 12
    p = q(bal / 36) if r == 0 else q(bal * r / (1 - (1 + r) ** -36))
    while not pays_in(bal, apr, p, 36)[0]:
        p += CENT
    while p > CENT and pays_in(bal, apr, p - CENT, 36)[0]:
        p -= CENT
    return p, pays_in(bal, apr, p, 36)[1]


# Round 24: the labels of a statement in Spanish (examples/disclosures/
# paragraphs.yaml, disc-* entries); English is the built-in wording.
ES = {"New Balance": "Saldo nuevo", "Minimum Payment Due": "Pago mínimo a pagar",
      "Payment Due Date": "Fecha de vencimiento del pago",
      "Only the minimum payment": "Solo el pago mínimo", "never": "nunca",
      "less than 1 year": "menos de 1 año", "year": "año", "years": "años",
      "Savings": "Ahorro"}


def L(lang, s):
    return ES[s] if lang == "es" else s


def years(months, lang="en"):
    y = (months + 6) // 12
    return L(lang, "less than 1 year") if y == 0 else "%d %s" % (
        y, L(lang, "year" if y == 1 else "years"))


# ---- where a figure belongs: (household, account heading, section title) ----------

PRODUCT_OF = {"card": "credit_card", "deposit": "checking", "loan": "mortgage", "eu": "eu_current"}


def tagger(exp, a, kind):
    """Appends each row of a section of account row `a` (fixture or samples
    feed) to exp as (account id, owner, product, product_name, kind, row)."""
    acct = a.get("acct") or a["account_id"]
    owner = a.get("owner") or a["customer_id"]
    prod = PRODUCT_OF[kind.split("_")[0]]
    return lambda v: exp.extend((acct, owner, prod, a.get("product_name") or "", kind, r)
                                for r in v)


def mask(acct):
    """account-mask.c with the layouts' `mask: last4, mask_char: "*"`."""
    return acct if len(acct) <= 4 else "*" * min(len(acct) - 4, 8) + acct[-4:]


def layout_titles(fix):
    """Product titles {code: {lang: title}} of the job's layout and the
    section titles {kind: {lang: title}} of its paragraph library (disc-title-*;
    English built in, src/disc-labels.c)."""
    lay = open(fix + "/layout.yaml", encoding="utf-8").read()
    prod = {}
    for m in re.finditer(r'code: (\w+), title: \{en: "([^"]*)", es: "([^"]*)"\}', lay):
        prod[m.group(1)] = {"en": m.group(2), "es": m.group(3)}
    sec = {k: {"en": t, "es": t} for k, t in (
        ("deposit_fees", "Fees"), ("deposit_interest", "Interest"),
        ("card_payment", "Payment Information"),
        ("card_minimum_warning", "Minimum Payment Warning"),
        ("card_interest", "Interest Charge Calculation"),
        ("card_totals", "Fees and Interest Charged"), ("loan_payment", "Payment Breakdown"),
        ("loan_delinquency", "Delinquency Notice"), ("eu_fees", "Statement of fees"))}
    try:
        lib = open(fix + "/paragraphs.yaml", encoding="utf-8").read()
    except OSError:
        lib = ""
    for m in re.finditer(r'- id: disc-title-(\w+)\n(?:.*\n)*?\s+en: "([^"]*)"\n\s+es: "([^"]*)"',
                         lib):
        sec[m.group(1)] = {"en": m.group(2), "es": m.group(3)}
    return prod, sec


def sections_printed(text, hh_of_customer, section_titles):
    """pdftotext of the statements -> {(household, heading, title): [rows]}.
    A statement starts at its "Customer number C" line, an account at its
    heading (the line before its "Opening balance ..." line), a section at
    its title line; page headers and footers in between change nothing."""
    lines = [re.sub(r"\s+", " ", l).strip() for l in text.splitlines()]
    lines = [l for l in lines if l]
    got, hh, head, title = {}, None, None, None
    for i, l in enumerate(lines):
        m = re.match(r"^(?:Customer number|Número de cliente) (\S+)$", l)
        if m:
            hh, head, title = hh_of_customer.get(m.group(1), "?" + m.group(1)), None, None
            continue
        if i + 1 < len(lines) and re.match(r"^(Opening balance|Saldo inicial) .* "
                                           r"(Closing balance|Saldo final) ", lines[i + 1]):
            head, title = l, None
            continue
        if l in section_titles and head is not None:
            title = l
            got.setdefault((hh, head, title), [])
            continue
        if title is not None:
            got[(hh, head, title)].append(l)
    return got


def expected(fix):
    exp, absent = [], []
    # cards
    ctx = rows(fix, "card_transactions.csv")
    for a in rows(fix, "card_accounts.csv"):
        k, bal, apr = a["acct"], D(a["bal"]), D(a["apr"])
        T = tagger(exp, a, "card_payment")
        T(["New Balance %s" % usd(bal), "Minimum Payment Due %s" % usd(D(a["min_due"])),
                "Payment Due Date %s" % date(a["due"]).strftime("%m/%d/%Y"),
                "Late Payment Warning: late fee up to $40.00",
                "Late Payment Warning: Penalty APR up to %s" % pct(D(a["penalty_apr"]))])
        T = tagger(exp, a, "card_minimum_warning")
        mp = pay_minimum(bal, apr)
        if mp is None:
            T(["Only the minimum payment never -"])
        else:
            T(["Only the minimum payment %s %s" % (years(mp[0]), usd(mp[1]))])
        if mp is None or mp[0] > 36:
            p, t = payment_36(bal, apr)
            T(["%s 3 years %s" % (usd(p), usd(t)) +
               ("" if mp is None else " (Savings = %s)" % usd(mp[1] - t))])
        pi = q(D(a["purchase_adb"]) * apr / 100 * DAYS / 365)
        capr = D(a["cash_apr"])
        ci = q(D(a["cash_adb"]) * capr / 100 * DAYS / 365)
        tagger(exp, a, "card_interest")(["Purchases %s %s %s" % (pct(apr), usd(D(a["purchase_adb"])), usd(pi)),
                "Cash Advances %s %s %s" % (pct(capr), usd(D(a["cash_adb"])), usd(ci)),
                "Total interest charge (%d days) %s" % (DAYS, usd(pi + ci))])
        fees = -cat_sum(ctx, k, {"FEE"})
        ints = -cat_sum(ctx, k, {"INT"})
        tagger(exp, a, "card_totals")([
            "Total fees charged %s %s" % (usd(fees), usd(D(a["fees_ytd"]) + fees)),
            "Total interest charged %s %s" % (usd(ints), usd(D(a["int_ytd"]) + ints))])
    # deposits
    dtx = rows(fix, "deposit_transactions.csv")
    for a in rows(fix, "deposit_accounts.csv"):
        k = a["acct"]
        od, ri = -cat_sum(dtx, k, {"OD"}), -cat_sum(dtx, k, {"NSF"})
        tagger(exp, a, "deposit_fees")([
            "Total Overdraft Fees %s %s" % (usd(od), usd(D(a["od_ytd"]) + od)),
            "Total Returned Item Fees %s %s" % (usd(ri), usd(D(a["ri_ytd"]) + ri))])
        mine = [t for t in dtx if t["acct"] == k]
        opening = D(a["bal"]) - sum(D(t["amount"]) for t in mine)
        s, day = D(0), PSTART
        while day <= PEND:
            s += opening + sum((D(t["amount"]) for t in mine if date(t["date"]) <= day), D(0))
            day += dt.timedelta(days=1)
        interest = cat_sum(dtx, k, {"INT"})
        adb = s / DAYS
        apy = 100 * ((1 + interest / adb) ** (D(365) / DAYS) - 1)
        tagger(exp, a, "deposit_interest")([
            "Interest paid this period %s" % usd(interest),
            "Annual Percentage Yield Earned (%d days) %s%%" % (DAYS, q(apy)),
            "Interest paid year-to-date %s" % usd(D(a["int_ytd"]) + interest)])
    # mortgages
    mtx = rows(fix, "mortgage_transactions.csv")
    names = ["Principal", "Interest", "Escrow (taxes and insurance)", "Fees"]
    n_late = 0
    for a in rows(fix, "mortgage_accounts.csv"):
        k = a["acct"]
        dues = [D(a[c]) for c in ("principal_due", "interest_due", "escrow_due", "fees_due")]
        T = tagger(exp, a, "loan_payment")
        T(["%s %s" % (n, usd(v)) for n, v in zip(names, dues)])
        T(["Total amount due %s" % usd(sum(dues))])
        tp = ty = D(0)
        for n, c, y in zip(names, ("PRIN", "INT", "ESC", "FEE"),
                           ("principal_ytd", "interest_ytd", "escrow_ytd", "fees_ytd")):
            per = cat_sum(mtx, k, {c})
            T(["%s %s %s" % (n, usd(per), usd(D(a[y]) + per))])
            tp += per
            ty += D(a[y]) + per
        T(["Total paid %s %s" % (usd(tp), usd(ty)),
           "Escrow balance %s" % usd(D(a["escrow_balance"]))])
        if int(a["days_past_due"]) > 0:
            n_late += 1
            tagger(exp, a, "loan_delinquency")([
                "Days past due %s" % a["days_past_due"],
                "Amount past due %s" % usd(D(a["past_due_amount"]))])
        else:
            absent.append("Amount past due %s" % usd(D(a["past_due_amount"])))
    # EU statement of fees
    etx = rows(fix, "eu_transactions.csv")
    labels = [("KEEP", "Maintaining the account"), ("ATM", "Cash withdrawal (ATM)"),
              ("XFER", "Credit transfer")]
    for a in rows(fix, "eu_accounts.csv"):
        k, tot = a["acct"], D(0)
        T = tagger(exp, a, "eu_fees")
        for c, label in labels:
            n = sum(1 for t in etx if t["acct"] == k and t["cat"] == c)
            v = -cat_sum(etx, k, {c})
            tot += v
            if n:
                T(["%s %d %s" % (label, n, eur(v))])
        T(["Total fees %s" % eur(tot),
           "Credit interest rate applied %s" % pct(D(a["credit_rate"])),
           "Overdraft interest rate applied %s" % pct(D(a["overdraft_rate"]))])
    return exp, absent, n_late


def expected_samples(feeds):
    """`folio samples`: the sample layout's card box and minimum-payment table
    (2% of the balance, at least $35.00) for every card that owes."""
    global PCT, FLOOR, PLUS_INT
    PCT, FLOOR, PLUS_INT = D(2), D("35.00"), False
    exp = []
    out = sys.argv[2]
    suppressed = {r["id"] for r in csv.DictReader(open(out + "/suppressed.csv"))
                  if r["kind"] == "account"}
    # the statement's language: its household's first customer's (round 24)
    hh_of, hh_lang = {}, {}
    for c in rows(feeds, "customers.csv"):
        hh_of[c["customer_id"]] = c["household_id"]
        hh_lang.setdefault(c["household_id"], c["language"] if c["language"] == "es" else "en")
    for a in rows(feeds, "credit_card_accounts.csv"):
        if a["account_id"] in suppressed:
            continue
        lg = hh_lang.get(hh_of.get(a["customer_id"]), "en")
        bal, apr = D(a["closing_balance"]), D(a["interest_rate"] or 0)
        tagger(exp, a, "card_payment")([
            "%s %s" % (L(lg, "New Balance"), usd(bal)),
            "%s %s" % (L(lg, "Minimum Payment Due"), usd(D(a["minimum_due"] or 0))),
            "%s %s" % (L(lg, "Payment Due Date"), date(a["due_date"]).strftime("%m/%d/%Y"))])
        if bal <= 0:
            continue
        T = tagger(exp, a, "card_minimum_warning")
        mp = pay_minimum(bal, apr)
        if mp is None:
            T(["%s %s -" % (L(lg, "Only the minimum payment"), L(lg, "never"))])
        else:
            T(["%s %s %s" % (L(lg, "Only the minimum payment"), years(mp[0], lg), usd(mp[1]))])
        if mp is None or mp[0] > 36:
            p, t = payment_36(bal, apr)
            T(["%s 3 %s %s" % (usd(p), L(lg, "years"), usd(t)) +
               ("" if mp is None else " (%s = %s)" % (L(lg, "Savings"), usd(mp[1] - t)))])
    return exp, [], None


def main():
    global PLUS_INT
    fix, out = sys.argv[1], sys.argv[2]
    samples = len(sys.argv) > 3 and sys.argv[3] == "--samples"
    if "--plus-interest" in sys.argv[3:]:     # the fixture's layout with plus_interest: true
        PLUS_INT = True
    text = ""
    for f in sorted(glob.glob(out + "/print/*.pdf")):
        text += subprocess.run(["pdftotext", "-layout", f, "-"], check=True,
                               capture_output=True, text=True).stdout
    for z in sorted(glob.glob(out + "/archive/*.zip")):     # e-mail statements
        with zipfile.ZipFile(z) as zf:
            for n in zf.namelist():
                if n.endswith(".pdf"):
                    with tempfile.NamedTemporaryFile(suffix=".pdf") as tf:
                        tf.write(zf.read(n))
                        tf.flush()
                        text += subprocess.run(["pdftotext", "-layout", tf.name, "-"],
                                               check=True, capture_output=True,
                                               text=True).stdout
    lines = [re.sub(r"\s+", " ", l).strip() for l in text.splitlines()]
    have = set(lines)
    exp, absent, n_late = expected_samples(fix) if samples else expected(fix)
    # the household and language of each customer (the statement's language:
    # its household's first customer's, round 24)
    hh_of, hh_lang = {}, {}
    for c in rows(fix, "customers.csv"):
        cid, hh = c.get("cust") or c["customer_id"], c.get("hh") or c["household_id"]
        hh_of[cid] = hh
        hh_lang.setdefault(hh, "es" if c.get("language") == "es" else "en")
    prod, sec = layout_titles(fix)
    titles = {t for v in sec.values() for t in v.values()}
    got = sections_printed(text, hh_of, titles)
    want, bad = {}, []
    for acct, owner, pr, pname, kind, row in exp:
        hh = hh_of[owner]
        lg = hh_lang[hh]
        key = (hh, "%s %s" % (pname or prod[pr][lg], mask(acct)), sec[kind][lg])
        want.setdefault(key, []).append(row)
        if row not in got.get(key, ()):
            bad.append("%s (household %s, account %s, section %s)" % (row, hh, key[1], key[2]))
    if not samples:     # no section under an account that should have none
        bad += ["unexpected section: %s / %s / %s" % k for k in sorted(set(got) - set(want))]
    bad += ["unexpected: " + a for a in absent if a in have]
    notices = sum(1 for l in lines if l == "Delinquency Notice")
    if n_late is not None and notices != n_late:
        bad.append("Delinquency Notice sections: %d, expected %d" % (notices, n_late))
    if bad:
        for b in bad:
            print("MISSING: " + b, file=sys.stderr)
        print("--- statement lines with figures:", file=sys.stderr)
        for l in lines:
            if re.search(r"\d", l):
                print("  " + l, file=sys.stderr)
        sys.exit(1)
    print("disclosures: %d figures rows checked in %d sections of their accounts"
          % (len(exp), len(want)))


if __name__ == "__main__":
    main()
