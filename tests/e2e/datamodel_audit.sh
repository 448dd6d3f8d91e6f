# SPDX-License-Identifier: Apache-2.0
# End-to-end tests of the gaps the issue 10 audit (round 22) found.  Sourced
# by run.sh (uses its run_test, $FOLIO, $WORK, $ROOT).

# da10_eu DIR: the eu-bank example (EUR and USD accounts in household H1)
# copied to DIR with absolute paths, so the job can be edited.
da10_eu() {
    local d="$1" ex="$ROOT/examples/eu-bank"
    rm -rf "$d"; mkdir -p "$d"
    cp "$ex"/*.csv "$ex/job.yaml" "$ex/layout.yaml" "$d/"
    sed -i "s|\.\./\.\./fonts/|$ROOT/fonts/|; s|\.\./\.\./layouts/|$ROOT/layouts/|" "$d/layout.yaml"
}

# Part 6: money is never summed across currencies, in rules either.  H1 holds
# 13,363.46 EUR (deposits and card) and 4,750.25 USD; a rule
# `sum(balance) > 17000` used to add them (18,113.71) and so routed H1 by a
# figure that is in no currency.  The sum over two currencies is unknown (the
# rule is false); narrowed to one currency it is exact.
t_rules_mixed_currency() {
    local d="$WORK/da10-ccy" rc
    da10_eu "$d"
    python3 - "$d/job.yaml" <<'PY'
import sys
p = sys.argv[1]
s = open(p, encoding="utf-8").read()
assert s.endswith("output:\n  dir: out\n"), s[-40:]
s += """  channels:
    - when: sum(balance) > 17000
      channel: none
      reason: "mixed sum"
    - when: sum(balance where currency == "EUR") > 13000 and sum(balance where currency == "USD") > 4000
      channel: none
      reason: "EUR and USD each"
"""
open(p, "w", encoding="utf-8").write(s)
PY
    set +e
    "$FOLIO" run "$d/job.yaml" --out "$d/out" --quiet 2>"$d/err"; rc=$?
    set -e
    cat "$d/err"
    [ "$rc" = 0 ] || { echo "expected exit 0, got $rc"; exit 1; }
    python3 - "$d/out/suppressed.csv" <<'PY'
import csv, sys
hh = {r["id"]: r["reason"] for r in csv.DictReader(open(sys.argv[1], encoding="utf-8"))
      if r["kind"] == "household"}
assert hh.get("H1") == "EUR and USD each", ("H1 routed by a sum across currencies", hh)
assert "H2" not in hh, hh
print("ok: no rule sums EUR and USD; per-currency sums exact:", hh)
PY
}
run_test rules_mixed_currency t_rules_mixed_currency
