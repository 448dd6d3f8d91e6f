# SPDX-License-Identifier: Apache-2.0
# End-to-end test of the issue 13 leftover: payment coupon texts per
# statement language (docs/coupon.md).  Sourced by run.sh after coupon.sh
# (uses its coupon_job, and run.sh's run_test, $FOLIO, $WORK, $ROOT).

# The coupon layout with English and Spanish title, note and labels: every
# coupon on a Spanish statement (language from audit.jsonl) carries the
# Spanish texts and none of the English ones, every English one the
# English texts; a language a coupon text lacks is a load warning naming it.
t_coupon_lang() {
    local d="$WORK/cpl"
    coupon_job "$d"
    python3 - "$d/layout.yaml" <<'PY'
import sys
p = sys.argv[1]
s = open(p, encoding="utf-8").read()
s = s.replace("  scan_style: td\n", """  scan_style: td
  title: {en: "Payment coupon", es: "Cupón de pago"}
  note: {en: "Detach and return this part with your payment.", es: "Separe y devuelva esta parte con su pago."}
  labels:
    account: {en: "Account number", es: "Número de cuenta"}
    amount_due: {en: "Amount due", es: "Importe adeudado"}
    minimum_due: {en: "Minimum payment due", es: "Pago mínimo"}
    due_date: {en: "Payment due date", es: "Fecha de vencimiento"}
""", 1)
open(p, "w", encoding="utf-8").write(s)
PY
    "$FOLIO" run "$d/job-print.yaml" --out "$d/out" --quiet 2>"$d/err"
    ! grep -q "coupon" "$d/err"
    python3 - "$d/out" <<'PY'
import csv, json, os, re, subprocess, sys
out = sys.argv[1]
lang = {}
for line in open(os.path.join(out, "audit.jsonl"), encoding="utf-8"):
    a = json.loads(line)
    if "household" in a:
        lang[a["household"]] = a.get("language")
EN = ["Payment coupon", "Detach and return this part", "Account number", "Amount due",
      "Minimum payment due", "Payment due date"]
ES = ["Cupón de pago", "Separe y devuelva esta parte", "Número de cuenta", "Importe adeudado",
      "Pago mínimo", "Fecha de vencimiento"]
seen = {"en": 0, "es": 0}
bad = []
for f in sorted(os.listdir(os.path.join(out, "print"))):
    if not f.endswith(".pieces.csv"):
        continue
    pdf = os.path.join(out, "print", f[:-len(".pieces.csv")] + ".pdf")
    text = subprocess.run(["pdftotext", "-layout", pdf, "-"], check=True,
                          capture_output=True).stdout.decode("utf-8").split("\f")
    for r in csv.DictReader(open(os.path.join(out, "print", f), encoding="utf-8")):
        t = text[int(r["first_page"]) - 1]
        if not re.search(r"\b[0-9A-Z]+ \d{10} \d{10} \d\b", t):
            continue                      # no coupon on this statement
        l = lang[r["household"]]
        want, other = (ES, EN) if l == "es" else (EN, ES)
        for w in want:
            if w not in t:
                bad.append("%s (%s): coupon text %r missing" % (r["household"], l, w))
        for w in other:
            if w in t:
                bad.append("%s (%s): coupon text %r in the wrong language" % (r["household"], l, w))
        seen[l] += 1
if not seen["en"] or not seen["es"]:
    bad.append("coupons per language: %s (want both)" % seen)
print("\n".join(bad[:20]) or "coupon languages ok: %s" % seen)
sys.exit(1 if bad else 0)
PY
    # a coupon text without its Spanish wording: the fallback, with a warning
    sed -e '/due_date: {en:/s/, es: "Fecha de vencimiento"//' "$d/layout.yaml" > "$d/layout-miss.yaml"
    sed -e "s#$d/layout.yaml#$d/layout-miss.yaml#" "$d/job-print.yaml" > "$d/job-miss.yaml"
    "$FOLIO" run "$d/job-miss.yaml" --out "$d/out2" --quiet 2>"$d/err2"
    grep -q "layout-miss.yaml:[0-9]*:[0-9]*: warning: 'coupon.labels.due_date' has no 'es' text" "$d/err2" \
        || { cat "$d/err2"; exit 1; }
}
run_test coupon_lang t_coupon_lang
