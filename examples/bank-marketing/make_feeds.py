#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""Write the feeds a statement needs beside bank.csv, which has none of them.

usage: make_feeds.py BANK_CSV OUT_DIR

bank.csv (UCI Bank Marketing) holds one customer per data row and no id,
name or address.  For every data row this writes, keyed by the row's LINE
NUMBER in bank.csv (the key the job's `key: line_number` attribute feed
uses): a customer (a made-up Portuguese name and address), one checking
account whose balance is the row's `balance`, and an empty transactions
file.  The attributes themselves are read from bank.csv by folio, not here.
"""
import csv
import os
import sys

FIRST = ["Maria", "João", "Ana", "José", "Francisco", "Beatriz", "Rui", "Inês",
         "Pedro", "Sofia", "Tiago", "Marta", "Miguel", "Carla", "Nuno", "Rita"]
LAST = ["Silva", "Santos", "Ferreira", "Pereira", "Oliveira", "Costa", "Rodrigues",
        "Martins", "Jesus", "Sousa", "Fernandes", "Gonçalves", "Gomes", "Lopes"]
STREETS = ["Rua Augusta", "Rua do Ouro", "Avenida da República", "Rua de Santa Catarina",
           "Rua das Flores", "Avenida dos Aliados", "Rua Garrett", "Rua da Prata"]


def main():
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    bank, out = sys.argv[1], sys.argv[2]
    os.makedirs(out, exist_ok=True)
    with open(bank, newline="", encoding="utf-8") as f:
        rows = list(csv.reader(f, delimiter=";"))
    head, data = rows[0], rows[1:]
    bal = head.index("balance")
    with open(os.path.join(out, "customers.csv"), "w", newline="", encoding="utf-8") as c, \
         open(os.path.join(out, "accounts.csv"), "w", newline="", encoding="utf-8") as a:
        cw, aw = csv.writer(c), csv.writer(a)
        cw.writerow(["customer_id", "first_name", "last_name", "address1", "city",
                     "postal_code", "country"])
        aw.writerow(["account_id", "customer_id", "balance"])
        for i, r in enumerate(data):
            line = i + 2                      # the header is line 1
            cw.writerow([line, FIRST[i % len(FIRST)], LAST[(i * 7) % len(LAST)],
                         "%s %d" % (STREETS[i % len(STREETS)], 1 + i % 180),
                         "Lisboa", "1%03d-%03d" % (100 + i % 900, i % 1000), "PT"])
            aw.writerow(["PT%08d" % line, line, r[bal]])
    with open(os.path.join(out, "transactions.csv"), "w", encoding="utf-8") as t:
        t.write("account_id,date,amount\n")


if __name__ == "__main__":
    main()
