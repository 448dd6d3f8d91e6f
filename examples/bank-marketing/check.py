#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""Recount, from bank.csv alone, who is eligible for each offer of
examples/bank-marketing, and compare with folio's audit.jsonl.

usage: check.py BANK_CSV OUT_DIR

The rules of offers.yaml are written again here in Python (not read from
folio): a mistake in folio's attribute typing, joining by line number or
rule evaluation shows up as a difference.  Exit 0 when every offer's set
of eligible customers is the same, else 1 with the differences.
"""
import csv
import json
import sys


def yes(v):
    return v == "yes"


RULES = {
    "HOME-LOAN": lambda r: not yes(r["housing"]) and r["job"] in ("management", "technician", "admin.")
    and int(r["balance"]) >= 1000,
    "DEBT-HELP": lambda r: yes(r["loan"]) and int(r["balance"]) < 0,
    "SAVE-MORE": lambda r: int(r["balance"]) >= 5000 and not yes(r["y"]),
    "STUDENT-PACK": lambda r: r["job"] == "student" or (int(r["age"]) < 26 and r["education"] == "tertiary"),
}


def main():
    bank, out = sys.argv[1], sys.argv[2]
    want = {k: set() for k in RULES}
    with open(bank, newline="", encoding="utf-8") as f:
        for i, r in enumerate(csv.DictReader(f, delimiter=";")):
            cid = str(i + 2)                  # line number: the header is line 1
            for k, rule in RULES.items():
                if rule(r):
                    want[k].add(cid)
    got = {k: set() for k in RULES}
    n = 0
    with open(out + "/audit.jsonl", encoding="utf-8") as f:
        for line in f:
            a = json.loads(line)
            n += 1
            for c in a["offers"]["considered"]:
                if c["result"] == "eligible":
                    got[c["id"]].update(a["customers"])
    man = json.load(open(out + "/manifest.json", encoding="utf-8"))
    ok = n == man["counts"]["households"] == sum(1 for _ in open(bank)) - 1
    if not ok:
        print("households: audit %d, manifest %d" % (n, man["counts"]["households"]))
    shown = {o["id"]: o["shown"] for o in man["offers"]["by_offer"]}
    for k in RULES:
        if want[k] != got[k]:
            ok = False
            print("%s: python %d, folio %d; only python: %s; only folio: %s" % (
                k, len(want[k]), len(got[k]), sorted(want[k] - got[k])[:5],
                sorted(got[k] - want[k])[:5]))
        if shown.get(k, 0) > len(want[k]) or (want[k] and not shown.get(k)):
            ok = False
            print("%s: shown %s times for %d eligible" % (k, shown.get(k), len(want[k])))
        print("%-13s eligible %5d  shown %5d" % (k, len(want[k]), shown.get(k, 0)))
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
