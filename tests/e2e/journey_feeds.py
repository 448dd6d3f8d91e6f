# SPDX-License-Identifier: Apache-2.0
"""Constructed feeds for tests/e2e/journey.sh (issue 15 parts 1 and 2).

  journey_feeds.py frequency DIR ROOT   customers / accounts / a ledger of four
                                        months (September..December 2026)
  journey_feeds.py notices DIR ROOT     customers / accounts / transactions /
                                        events for the notice sequence test
Both write layout.yaml (the sample layout with full account numbers) and the
job file(s).  Row values are drawn from a fixed seed, so every run is the same.
"""
import datetime
import os
import random
import sys


def layout(d, root, extra=""):
    s = open(os.path.join(root, "layouts/statement.yaml"), encoding="utf-8").read()
    s = s.replace("mask: last4", "mask: full").replace("../fonts/", root + "/fonts/")
    s = s.replace("file: logo.png", "file: " + os.path.join(root, "layouts/logo.png"))
    if extra:
        s = s.replace("after_summary: [welcome]",
                      "after_summary: [welcome, {first_of: [notice-thanks, notice-final, notice-second]}]")
    s = s.replace("library: paragraphs.yaml", "library: " + os.path.join(d, "paragraphs.yaml"))
    open(os.path.join(d, "layout.yaml"), "w", encoding="utf-8").write(s)
    p = open(os.path.join(root, "layouts/paragraphs.yaml"), encoding="utf-8").read()
    open(os.path.join(d, "paragraphs.yaml"), "w", encoding="utf-8").write(p + extra)


def frequency(d, root):
    layout(d, root)
    rnd = random.Random(15)
    # household, customer, delivery, print frequency, email frequency
    cust = [("H1", "c1", "Ana Novak", "1 Main St", "04101", "ana@example.com", "both", "quarterly", "monthly"),
            ("H2", "c2", "Jan Dvorak", "2 Oak St", "04102", "", "print", "quarterly", ""),
            ("H3", "c3", "Eva Prak", "3 Elm St", "04103", "", "print", "", "")]
    with open(f"{d}/customers.csv", "w") as f:
        f.write("hh,id,name,addr,zip,email,delivery,paper,estmt\n")
        for c in cust:
            f.write(",".join(c) + "\n")
    with open(f"{d}/accounts.csv", "w") as f:
        f.write("id,owner\nA1,c1\nA2,c2\nA3,c3\n")
    trans(d, ("A1", "A2", "A3"), datetime.date(2026, 12, 31), rnd)
    for name, start, end in (("oct", "2026-10-01", "2026-10-31"), ("nov", "2026-11-01", "2026-11-30"),
                             ("dec", "2026-12-01", "2026-12-31")):
        frequency_job(d, name, start, end)


def trans(d, accts, last_day, rnd):
    """trans.csv: rows every 4-9 days from 2026-09-01 to last_day, with the
    running balance (balance_after) from zero."""
    tid = 0
    with open(f"{d}/trans.csv", "w") as f:
        f.write("tid,acct,date,amount,bal\n")
        for acct in accts:
            bal = 0
            day = datetime.date(2026, 9, 1)
            while day <= last_day:
                amt = rnd.randint(-20000, 30000)
                bal += amt
                tid += 1
                f.write(f"{tid},{acct},{day.isoformat()},{amt / 100:.2f},{bal / 100:.2f}\n")
                day += datetime.timedelta(days=rnd.randint(4, 9))


def frequency_job(d, name, start, end, account_attribute=False):
    """job-NAME.yaml over customers.csv, accounts.csv and trans.csv with the
    customers' paper/estmt frequencies (and the accounts' paper column when
    account_attribute)."""
    acct_attr = ", account_attribute: paper" if account_attribute else ""
    accounts = ("{name: accounts, kind: accounts, path: accounts.csv, product: checking, "
                "columns: {account_id: id, customer_id: owner}}")
    if account_attribute:
        accounts = accounts[:-1] + (", attributes: {paper: {column: paper, type: code, "
                                    "values: [monthly, quarterly, semi_annual, annual]}}}")
    open(f"{d}/job-{name}.yaml", "w").write(f"""job: {{name: "frequency {name}"}}
statement: {{date: {end}, period: {{start: {start}, end: {end}}}}}
bank: {{name: "Test Bank"}}
layout: layout.yaml
frequency:
  print: {{default: monthly, attribute: paper{acct_attr}}}
  email: {{default: monthly, attribute: estmt}}
feeds:
  - name: customers
    kind: customers
    path: customers.csv
    columns: {{household_id: hh, customer_id: id, full_name: name, address1: addr, postal_code: zip, email: email, delivery: delivery}}
    attributes:
      paper: {{column: paper, type: code, values: [monthly, quarterly, semi_annual, annual]}}
      estmt: {{column: estmt, type: code, values: [monthly, quarterly, semi_annual, annual]}}
  - {accounts}
  - {{name: trans, kind: transactions, path: trans.csv, columns: {{account_id: acct, date: date, description: tid, amount: amount, balance_after: bal}}}}
""")


NOTICE_PARAS = """
  # issue 15 part 2 test: a notice sequence from the journey events; the
  # layout shows the first of these whose condition holds
  - id: notice-thanks
    version: 1
    condition: count(events where type == "notice") >= 1 and last(events, "payment").date > last(events, "notice")
    text: {en: "THANKYOU Thank you for your payment."}
  - id: notice-final
    version: 1
    condition: count(events where type == "notice" and date >= statement.date - 90) >= 2
    text: {en: "FINALREMINDER Final reminder before collection."}
  - id: notice-second
    version: 1
    condition: count(events where type == "notice") == 1
    text: {en: "SECONDREMINDER Your payment is overdue: second reminder."}
"""


def notices(d, root):
    layout(d, root, NOTICE_PARAS)
    # H1: one notice, then a payment (thank you); H2: one notice, no payment
    # (second reminder); H3: a complaint open (no cross-sell); H4: nothing.
    with open(f"{d}/customers.csv", "w") as f:
        f.write("hh,id,name,addr,zip,consent\n")
        for i in range(1, 7):
            f.write(f"H{i},c{i},Customer {i},{i} Main St,0410{i},yes\n")
    with open(f"{d}/accounts.csv", "w") as f:
        f.write("id,owner,open,close\n")
        for i in range(1, 7):
            f.write(f"A{i},c{i},100.00,{100 + i * 10:.2f}\n")
    with open(f"{d}/trans.csv", "w") as f:
        f.write("acct,date,amount,desc\n")
        for i in range(1, 7):
            f.write(f"A{i},2026-10-15,{i * 10:.2f},DEPOSIT\n")
    with open(f"{d}/events.csv", "w") as f:
        f.write("key,type,date,channel\n")
        f.write("c1,notice,2026-09-20,print\n")
        f.write("c5,notice,2026-09-20,print\n")      # H5: two notices, no payment
        f.write("H5,notice,2026-10-20,print\n")
        f.write("A1,payment,2026-10-05,\n")          # by account id
        f.write("c2,notice,2026-09-22,print\n")
        f.write("c2,payment,2026-09-01,\n")          # before the notice
        f.write("H3,complaint_open,2026-10-02,\n")   # by household id
        f.write("c4,address_changed,2026-10-03,\n")
        f.write("A6,delinquency,2026-10-12,\n")       # H6: held by a channel rule on its stage
    open(f"{d}/offers.yaml", "w").write("""offers:
  - id: XSELL-CARD
    sells: "Rewards card"
    kind: marketing
    priority: 10
    rule: 'not any(events where type in ("complaint_open", "delinquency"))'
    channels: [print, email]
    sizes:
      - {name: band, height: 66}
    content:
      en: {headline: "CROSSSELL A card for you", body: "Apply today.", cta: "Apply"}
    response_code: XS1
  - id: WELCOME-PACK
    sells: "Welcome pack"
    kind: service
    priority: 20
    rule: 'stage == "new"'
    channels: [print, email]
    sizes:
      - {name: band, height: 66}
    content:
      en: {headline: "WELCOMEPACK Settling in", body: "Your new address is on file.", cta: "Call us"}
    response_code: WP1
""")
    open(f"{d}/job.yaml", "w").write("""job: {name: "journey"}
statement: {date: 2026-10-31, period: {start: 2026-10-01, end: 2026-10-31}}
bank: {name: "Test Bank"}
layout: layout.yaml
offers: {catalogue: offers.yaml}
output:
  channels:
    - {channel: none, reason: "held for collections review", when: 'stage == "at_risk" and any(events where type == "delinquency")'}
stages:
  - {name: at_risk, when: 'any(events where type in ("complaint_open", "delinquency"))'}
  - {name: new, when: 'count(events where type == "notice") == 0 and days_since(last(events, "address_changed")) < 90'}
  - {name: established, when: 'true'}
feeds:
  - {name: customers, kind: customers, path: customers.csv, columns: {household_id: hh, customer_id: id, full_name: name, address1: addr, postal_code: zip, marketing_consent: consent}}
  - {name: accounts, kind: accounts, path: accounts.csv, product: checking, columns: {account_id: id, customer_id: owner, opening_balance: open, closing_balance: close}}
  - {name: trans, kind: transactions, path: trans.csv, columns: {account_id: acct, date: date, amount: amount, description: desc}}
  - {name: events, kind: events, path: events.csv, columns: {key: key, type: type, date: date, channel: channel}}
""")


if __name__ == "__main__":
    {"frequency": frequency, "notices": notices}[sys.argv[1]](sys.argv[2], sys.argv[3])
