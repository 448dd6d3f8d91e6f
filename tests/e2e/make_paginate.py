#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""Write a tiny job for pagination tests: household H1 with one checking
account of N transactions (descriptions 'TXN 0001 ...', short so no row
wraps), household H2 with a savings account and no transactions.
usage: make_paginate.py DIR LAYOUT N"""
import os, sys

out, layout, n = sys.argv[1], sys.argv[2], int(sys.argv[3])
os.makedirs(out, exist_ok=True)
with open(os.path.join(out, "customers.csv"), "w", encoding="utf-8") as f:
    f.write("id,hh,first,last,addr1,addr2,city,state,zip,country\n")
    f.write('C1,H1,Zoë,"Müller, Jr.",12 Main Street,Apt 4,Portland,ME,04101,US\n')
    f.write("C2,H2,Łukasz,Nowak,9 Elm Ave,,Austin,TX,78701-1234,US\n")
cents = []
with open(os.path.join(out, "txns.csv"), "w", encoding="utf-8") as f:
    f.write("acct,date,desc,amt\n")
    for i in range(1, n + 1):
        amt = (i * 7919 % 50000) - 20000          # cents, mixed signs
        cents.append(amt)
        day = 1 + (i - 1) * 30 // n
        f.write("100200300400,2026-10-%02d,TXN %04d POS PURCHASE,%s%d.%02d\n"
                % (day, i, "-" if amt < 0 else "", abs(amt) // 100, abs(amt) % 100))
opening = 1234567
closing = opening + sum(cents)
def money(c):
    return "%s%d.%02d" % ("-" if c < 0 else "", abs(c) // 100, abs(c) % 100)
with open(os.path.join(out, "accounts.csv"), "w", encoding="utf-8") as f:
    f.write("acct,cust,product,open,close\n")
    f.write("100200300400,C1,checking,%s,%s\n" % (money(opening), money(closing)))
    f.write("500600700800,C2,savings,250.00,250.00\n")
with open(os.path.join(out, "expect.txt"), "w") as f:
    f.write("%d %d %d\n" % (n, opening, closing))
job = """job:
  name: "pagination test"
statement:
  date: 2026-11-01
  period: {start: 2026-10-01, end: 2026-10-31}
bank:
  name: "Harbor & Pine Bank"
  phone: "1-800-555-0142"
layout: "%s"
feeds:
  - name: customers
    kind: customers
    path: customers.csv
    columns: {customer_id: id, household_id: hh, first_name: first, last_name: last,
              address1: addr1, address2: addr2, city: city, state: state,
              postal_code: zip, country: country}
  - name: accounts
    kind: accounts
    path: accounts.csv
    columns: {account_id: acct, customer_id: cust, product: product,
              opening_balance: open, closing_balance: close}
  - name: transactions
    kind: transactions
    path: txns.csv
    columns: {account_id: acct, date: date, description: desc, amount: amt}
output:
  print: {max_sheets: 1000}
""" % os.path.abspath(layout)
with open(os.path.join(out, "job.yaml"), "w", encoding="utf-8") as f:
    f.write(job)
