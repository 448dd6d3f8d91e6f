# SPDX-License-Identifier: Apache-2.0
# End-to-end tests of issue 14 part 2: the archive's documents are tagged
# PDF/A-2a + PDF/UA-1 (docs/accessibility.md).  Sourced by run.sh (uses its
# run_test, $FOLIO, $WORK, $ROOT, gfx_setup from graphics.sh and disc_setup
# from disclosures.sh).  tests/e2e/check_tagged.py walks the structure tree
# with pikepdf (Debian python3-pikepdf, so /usr/bin/python3).

TAG_PY=/usr/bin/python3

# tag_docs OUT DIR: unzip every archived document of run OUT into DIR.
tag_docs() {
    rm -rf "$2"
    mkdir -p "$2"
    for z in "$1"/archive/*.zip; do unzip -qo "$z" '*.pdf' -d "$2"; done
    ls "$2"/*.pdf >/dev/null
}

# Samples with the graphics layout (a logo with alternate text, charts in
# sections and on page 1), e-mail customers in English and Spanish, a long
# table split across pages: every document passes the structure checks.
t_tagged_archive() {
    local d="$WORK/tag"
    gfx_setup "$d" 60
    # the logo gets alternate text: a Figure; the other images stay decorative
    "$TAG_PY" - "$d/g.yaml" <<'PY'
import sys
p = sys.argv[1]; s = open(p, encoding="utf-8").read()
a = "  - file: {en: logo.png, es: logo-es.png}\n"
assert a in s
open(p, "w", encoding="utf-8").write(s.replace(a, a + '    alt: "Harbor & Pine Bank logo"\n', 1))
PY
    "$TAG_PY" - "$d" <<'PY'
import csv, io, sys
d = sys.argv[1]
rows = list(csv.reader(open(d + "/customers.csv", encoding="utf-8", newline="")))
h = rows[0]; idl, il = h.index("delivery"), h.index("language")
for i, r in enumerate(rows[1:]):
    r[idl] = "email"                      # every statement archived
    r[il] = "es" if i % 3 == 0 else "en"
out = io.StringIO(); csv.writer(out, lineterminator="\n").writerows(rows)
open(d + "/customers.csv", "w", encoding="utf-8", newline="").write(out.getvalue())
PY
    "$FOLIO" run "$d/job.yaml" --out "$d/out" --threads 2 --quiet
    tag_docs "$d/out" "$d/docs"
    for f in "$d"/docs/*.pdf; do
        qpdf --check "$f" >/dev/null || { echo "qpdf --check: $f"; qpdf --check "$f"; return 1; }
        pdfinfo "$f" | grep -q '^Tagged: *yes'
    done
    "$TAG_PY" "$ROOT/tests/e2e/check_tagged.py" "$d"/docs/*.pdf --langs en,es \
        --expect-split-table --expect-roles Document,H1,H2,P,Table,TR,TH,TD,Figure,Sect \
        --artifact-per-page 'Page {n} of|Página {n} de' \
        --artifact-per-page 'Member FDIC|Miembro de la FDIC' \
        --text-role 'Account summary|Resumen de cuentas=H1' \
        --text-role 'Date|Fecha|Description|Descripción=TH' \
        --text-role 'Total deposits|Total de depósitos|Total owed|Total adeudado=TD' \
        --text-role '.+ \*+[0-9]{4}=H2' > "$d/check.out"
    # every chart and the logo are Figures with their alternate text
    grep -q 'Figure=' "$d/check.out"
    "$TAG_PY" - "$d/docs" <<'PY'
import glob, sys, pikepdf
alts = []
for f in sorted(glob.glob(sys.argv[1] + "/*.pdf")):
    pdf = pikepdf.open(f)
    def walk(e):
        if not isinstance(e, pikepdf.Dictionary):
            return
        if e.get("/S") == pikepdf.Name.Figure:
            alts.append(str(e.Alt))
        k = e.get("/K")
        for x in (k if isinstance(k, pikepdf.Array) else [k] if k is not None else []):
            walk(x)
    walk(pdf.Root.StructTreeRoot.K)
assert any(a == "Harbor & Pine Bank logo" for a in alts), alts[:5]
assert any(a.startswith("Balance chart, ") and " to " in a and "lowest" in a for a in alts), alts[:5]
assert any(a.startswith("Spending chart, largest debits by description: ") for a in alts), alts[:5]
PY
    # the print file stays untagged
    for f in "$d"/out/print/*.pdf; do pdfinfo "$f" | grep -q '^Tagged: *no'; done
}
run_test tagged_archive t_tagged_archive

# The disclosure sections: H3 titles and their tables (TH with /Scope).
t_tagged_disclosures() {
    local d="$WORK/tagdisc"
    disc_setup "$d"
    sed -i 's/^cust,hh,name,addr1,city,state,zip,country,delivery$/&,email/; s/,print$/,email,x@example.com/' "$d/customers.csv"
    sed -i 's/delivery: delivery}/delivery: delivery, email: email}/; s/archive: {enabled: false}/archive: {enabled: true}/' "$d/job.yaml"
    disc_run "$d" 0
    tag_docs "$d/out" "$d/docs"
    "$TAG_PY" "$ROOT/tests/e2e/check_tagged.py" "$d"/docs/*.pdf --expect-roles H1,H2,H3,TH,TD \
        --text-role 'Payment Information|Minimum Payment Warning|Interest Charge Calculation=H3' \
        --text-role 'New Balance|Minimum Payment Due|Payment Due Date=TH'
}
run_test tagged_disclosures t_tagged_disclosures

# output.archive.tagged: false gives the untagged PDF/A-1b documents of
# before; a value that is not a boolean is a job error at its line.
t_tagged_off() {
    local d="$WORK/tagoff"
    rm -rf "$d"
    "$FOLIO" samples --households 20 --seed 5 --out "$d" >/dev/null
    sed -i 's/^output:$/output:\n  archive:\n    tagged: false/' "$d/job.yaml"
    grep -q '^    tagged: false' "$d/job.yaml"
    "$FOLIO" run "$d/job.yaml" --out "$d/out" --quiet
    tag_docs "$d/out" "$d/docs"
    for f in "$d"/docs/*.pdf; do pdfinfo "$f" | grep -q '^Tagged: *no'; done
    "$TAG_PY" "$ROOT/tests/e2e/check_tagged.py" --untagged "$d"/docs/*.pdf
    local line
    line=$(grep -n '^    tagged: false' "$d/job.yaml" | cut -d: -f1)
    sed -i 's/^    tagged: false/    tagged: maybe/' "$d/job.yaml"
    set +e
    "$FOLIO" run "$d/job.yaml" --out "$d/out2" --quiet 2>"$d/err"
    local rc=$?
    set -e
    [ "$rc" = 2 ] || { cat "$d/err"; echo "expected exit 2, got $rc"; return 1; }
    grep -q "job.yaml:$line:[0-9]*: .*tagged" "$d/err" || { cat "$d/err"; return 1; }
}
run_test tagged_off t_tagged_off
