#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""Regenerate the seed corpora of tests/fuzz/corpus/ (small files).

    python3 tests/fuzz/make_seeds.py [FOLIO]     # FOLIO: build/folio by default

Seeds come from the tree: `folio samples` (3 households), tests/data, layouts/,
an AFP file and an archive zip written by folio's own writers.  Re-running it
replaces the generated seeds (names starting with "gen-"); hand-written seeds
and everything in tests/fuzz/crashes/ are left alone.
"""
import glob, os, shutil, subprocess, sys, tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
FOLIO = sys.argv[1] if len(sys.argv) > 1 else os.path.join(ROOT, "build/folio")
CORPUS = os.path.join(ROOT, "tests/fuzz/corpus")


def put(harness, name, data):
    d = os.path.join(CORPUS, harness)
    os.makedirs(d, exist_ok=True)
    if isinstance(data, str):
        data = data.encode("utf-8")
    with open(os.path.join(d, "gen-" + name), "wb") as f:
        f.write(data)


def clear():
    for p in glob.glob(os.path.join(CORPUS, "*", "gen-*")):
        os.unlink(p)


def read(p):
    with open(p, "rb") as f:
        return f.read()


def csv_rows(path):
    import csv
    with open(path, newline="", encoding="utf-8") as f:
        return list(csv.reader(f))


# ---- fuzz_feed: the dialects of tests/fuzz/fuzz_feed.c ------------------------
DELIMS = [",", ";", "\t", "|"]
QUOTES = ['"', "'", ""]
DATES = ["YYYY-MM-DD", "DD.MM.YYYY", "MM/DD/YY", "YYYYMMDD*"]
CUST_KEYS = ["customer_id", "household_id", "first_name", "last_name", "birth_date", "address1",
             "address2", "city", "state", "postal_code", "country", "language", "email",
             "delivery", "marketing_consent", "segment", "customer_since"]
CUST_SRC = dict(zip(CUST_KEYS, ["customer_id", "household_id", "first_name", "last_name",
                                "birth_date", "address_line1", "address_line2", "city", "state",
                                "postal_code", "country", "language", "email", "delivery",
                                "marketing_consent", "segment", "customer_since"]))
ACCT_KEYS = ["account_id", "customer_id", "product", "product_name", "opening_balance",
             "closing_balance", "credit_limit", "interest_rate", "minimum_due", "due_date",
             "opened_date", "currency"]
DATE_COLS = {"birth_date", "customer_since", "due_date", "opened_date", "date", "contact_date"}
MONEY_COLS = {"opening_balance", "closing_balance", "credit_limit", "minimum_due", "amount",
              "debit_amount", "credit_amount"}


def fmt_date(s, k):
    if not s:
        return s
    y, m, d = s.split("-")
    return [s, "%s.%s.%s" % (d, m, y), "%s/%s/%s" % (m, d, y[2:]), "%s%s%sT09:00" % (y, m, d)][k]


def fmt_money(s, dec, minor):
    if not s:
        return s
    neg = s.startswith("-")
    whole, _, frac = s.lstrip("-").partition(".")
    frac = (frac + "0000")[:minor]
    out = whole + ((dec + frac) if minor else "")
    return ("-" if neg else "") + out


def feed_seed(samples, idx, households=2):
    k = idx
    delim = k % 4; k //= 4
    quote = k % 3; k //= 3
    dec = k % 2; k //= 2
    date = k % 4; k //= 4
    sign = k % 4; k //= 4
    minor = [2, 0, 4][k % 3]; k //= 3
    upper = k % 2
    D, Q, M = DELIMS[delim], QUOTES[quote], ".,"[dec]

    def field(v):
        if Q and (D in v or Q in v or "\n" in v):
            return Q + v.replace(Q, Q + Q) + Q
        if not Q:
            v = v.replace(D, " ")
        return v

    def table(keys, rows):
        hdr = [x.upper() if upper else x for x in keys]
        return "\n".join(D.join(field(v) for v in r) for r in [hdr] + rows) + "\n"

    def conv(key, v):
        if key in DATE_COLS:
            return fmt_date(v, date)
        if key in MONEY_COLS or key == "interest_rate":
            return fmt_money(v, M, minor if key in MONEY_COLS else 2)
        return v

    cust = csv_rows(os.path.join(samples, "customers.csv"))
    ch = cust[0]
    hh = []
    rows = []
    for r in cust[1:]:
        rec = dict(zip(ch, r))
        if rec["household_id"] not in hh:
            hh.append(rec["household_id"])
        if hh.index(rec["household_id"]) >= households:
            continue
        rows.append([conv(kk, rec[CUST_SRC[kk]]) for kk in CUST_KEYS])
    custs = {r[0] for r in rows}
    arows, accts = [], set()
    for prod in ["checking", "savings", "credit_card", "mortgage"]:
        a = csv_rows(os.path.join(samples, prod + "_accounts.csv"))
        for r in a[1:]:
            rec = dict(zip(a[0], r), product=prod, currency="USD")
            if rec["customer_id"] in custs:
                accts.add(rec["account_id"])
                arows.append([conv(kk, rec[kk]) for kk in ACCT_KEYS])
    tkeys = [["account_id", "date", "description", "amount", "transaction_id"],
             ["account_id", "date", "description", "amount", "transaction_id"],
             ["account_id", "date", "description", "amount", "debit_flag", "transaction_id"],
             ["account_id", "date", "description", "debit_amount", "credit_amount",
              "transaction_id"]][sign]
    trows = []
    n = 0
    for prod in ["checking", "savings", "credit_card", "mortgage"]:
        t = csv_rows(os.path.join(samples, prod + "_transactions.csv"))
        for r in t[1:]:
            rec = dict(zip(t[0], r))
            if rec["account_id"] not in accts or n >= 12:
                continue
            n += 1
            amt = rec["amount"]
            deb = amt.startswith("-")
            pos = amt.lstrip("-")
            out = {"account_id": rec["account_id"], "date": rec["posting_date"],
                   "description": rec["description"], "transaction_id": "T%d" % n}
            if sign == 0:
                out["amount"] = amt
            elif sign == 1:
                out["amount"] = pos if deb else "-" + pos
            elif sign == 2:
                out["amount"] = pos
                out["debit_flag"] = "D" if deb else "C"
            else:
                out["debit_amount"] = pos if deb else ""
                out["credit_amount"] = "" if deb else pos
            trows.append([conv(kk, out[kk]) for kk in tkeys])
    c = csv_rows(os.path.join(samples, "contact_history.csv"))
    crows = [[r[0], r[1], conv("contact_date", r[2])] for r in c[1:4]]
    body = "\n@@@\n".join([table(CUST_KEYS, rows), table(ACCT_KEYS, arows), table(tkeys, trows),
                           table(["contact_key", "offer_id", "contact_date"], crows)])
    return bytes([idx & 255, idx >> 8]) + body.encode("utf-8")


def main():
    clear()
    tmp = tempfile.mkdtemp(prefix="folio-seeds-")
    try:
        s = os.path.join(tmp, "s")
        subprocess.run([FOLIO, "samples", "--households", "3", "--seed", "11", "--out", s],
                       check=True, stdout=subprocess.DEVNULL)
        # feeds: a spread of dialects (delimiter, quote, decimal, date, sign, minor, header)
        for idx in [0, 1, 2, 3, 4, 8, 13, 24, 48, 97, 192, 288, 385, 576, 777, 1151, 1152,
                    1500, 2303]:
            put("fuzz_feed", "dialect-%04d.bin" % idx, feed_seed(s, idx))
        # job files
        for p in sorted(glob.glob(os.path.join(ROOT, "tests/data/jobs/*.yaml"))) + \
                [os.path.join(ROOT, "tests/data/feeds/job.yaml"), os.path.join(s, "job.yaml")]:
            put("fuzz_job", os.path.basename(os.path.dirname(p)) + "-" + os.path.basename(p), read(p))
        job = read(os.path.join(s, "job.yaml")).decode()
        put("fuzz_job", "channels.yaml", job.replace("output:\n", "output:\n  channels:\n"
            "    - {when: 'segment == \"deceased\"', channel: none, reason: deceased}\n"
            "    - {when: 'age > 80 and delivery == \"email\"', channel: both}\n"
            "  archive: {enabled: true, max_documents: 10}\n", 1))
        # layouts, paragraphs, offers
        for p in ["statement.yaml", "statement-a4.yaml"]:
            put("fuzz_layout", p, read(os.path.join(ROOT, "layouts", p)))
        put("fuzz_paragraphs", "paragraphs.yaml", read(os.path.join(ROOT, "layouts/paragraphs.yaml")))
        put("fuzz_offers", "offers.yaml", read(os.path.join(ROOT, "layouts/offers.yaml")))
        # rules: selector byte + text (every rule of the catalogue and the docs' examples)
        rules = ['age >= 55 and state in ("CA", "NY") and holds("checking")',
                 'not any(accounts where product == "credit_card" and days_since(opened_date) < 90)',
                 'count(transactions where description contains "FOREIGN TRANSACTION FEE") >= 3',
                 'sum(balance where product in ("savings", "checking")) > 25000',
                 'card.utilization > 0.8', 'max(balance of accounts) - min(balance of accounts) / 3',
                 'date("2026-10-31") - 30', 'abs(-5.25) * 2 <= 10.5 or known(birth_date)',
                 'all(customers where years_since(birth_date) > 18)',
                 'months_since(customer_since) > 12 and segment != "mass"',
                 "channel == 'email' and delivery == \"print\"\n  and language == \"es\""]
        for line in read(os.path.join(ROOT, "layouts/offers.yaml")).decode().splitlines():
            line = line.strip()
            if line.startswith("rule: '"):
                rules.append(line[7:-1])
        for i, r in enumerate(rules):
            put("fuzz_rules", "rule-%02d.txt" % i, bytes([(i * 40) & 255]) + r.encode())
        # AFP and zip written by folio itself: one small run
        job_afp = job.replace("    pdf: true\n", "    pdf: true\n    afp: {code_page: 500}\n", 1)
        job_afp = job_afp.replace("output:\n", "output:\n  archive: {enabled: true, max_documents: 2}\n", 1)
        with open(os.path.join(s, "job-fuzz.yaml"), "w") as f:
            f.write(job_afp)
        out = os.path.join(tmp, "out")
        r = subprocess.run([FOLIO, "run", os.path.join(s, "job-fuzz.yaml"), "--out", out,
                            "--quiet", "--threads", "1"])
        if r.returncode not in (0, 3):
            sys.exit("folio run failed (%d)" % r.returncode)
        afps = sorted(glob.glob(os.path.join(out, "print", "*.afp")))
        for p in afps[:1]:
            put("fuzz_afp", os.path.basename(p), read(p))
        zips = sorted(glob.glob(os.path.join(out, "archive", "*.zip")), key=os.path.getsize)
        for p in zips[:1]:
            put("fuzz_zip", os.path.basename(p), read(p))
        # a small zip from folio's zip writer (the replay build of fuzz_zip writes it)
        zb = os.path.join(ROOT, "build-san/fuzz/fuzz_zip")
        if os.path.exists(zb):
            zp = os.path.join(tmp, "small.zip")
            subprocess.run([zb], env=dict(os.environ, FUZZ_ZIP_SEED=zp), check=True)
            put("fuzz_zip", "small.zip", read(zp))
        else:
            print("make_seeds: build-san/fuzz/fuzz_zip missing (make fuzz-replay): no small zip seed")
        # PDF round trip: names, address, product name, descriptions and amounts
        put("fuzz_pdf", "plain.txt", "\x00Ana\nP\u00e9rez\n12 Main St\nApt 4\nPortland\nME\n04101\n"
            "Everyday Checking\nCOFFEE SHOP\n-450\nPAYROLL\n250000\n")
        put("fuzz_pdf", "long.txt", "\x01" + "\n".join(["W" * 300, "x" * 90, "Rue de l'\u00c9glise " * 20,
            "", "", "", "", "Prod " * 40] + ["DESC %d " % i * 12 + "\n" + str(i * 99991 - 400000)
                                             for i in range(20)]))
        put("fuzz_pdf", "scripts.txt", "\x02\u5f20\n\u0645\u062d\u0645\u062f\n\U0001F600\n\ufeffX\n"
            "\t\r\n(a)\\b)\n%PDF\n<<>>\n-9999999999999\n9999999999999\n")
    finally:
        shutil.rmtree(tmp)


if __name__ == "__main__":
    main()
