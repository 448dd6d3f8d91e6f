# End-to-end tests of the e-delivery archive and channel routing; sourced by
# tests/e2e/run.sh (uses its FOLIO, ROOT, WORK, full_layout, use_layout).
#
# The sample feeds get: a few e-mail customers with a broken or missing
# address (they must be printed, the reason in audit.jsonl), a channel rule
# that suppresses the "student" segment with a reason, zips capped at 20
# documents, masked account numbers.  tests/e2e/check_archive.py checks the
# archive against audit.jsonl, the feeds and the print stream.

archive_job() {   # archive_job DIR: samples + job edits
    "$FOLIO" samples --households 160 --seed 23 --out "$1" >/dev/null
    use_layout "$1/job.yaml" "$(full_layout)"
    python3 - "$1" <<'PY'
import csv, io, sys
d = sys.argv[1]
rows = list(csv.reader(open(d + "/customers.csv", encoding="utf-8", newline="")))
h = rows[0]; ie, idl = h.index("email"), h.index("delivery")
broken = 0
for r in rows[1:]:
    if r[idl] in ("email", "both") and broken < 4:
        r[ie] = ["", "no-at-sign.example.com", "two@@example.com", "x@localhost"][broken]
        broken += 1
out = io.StringIO(); csv.writer(out, lineterminator="\n").writerows(rows)
open(d + "/customers.csv", "w", encoding="utf-8", newline="").write(out.getvalue())
s = open(d + "/job.yaml", encoding="utf-8").read()
s = s.replace("output:\n", "output:\n"
              "  archive:\n    max_documents: 20\n    account_numbers: masked\n"
              "  channels:\n"
              "    - when: segment == \"student\"\n      channel: none\n"
              "      reason: \"student accounts are statement-free\"\n", 1)
open(d + "/job.yaml", "w", encoding="utf-8").write(s)
PY
}

t_archive() {
    archive_job "$WORK/arc"
    "$FOLIO" run "$WORK/arc/job.yaml" --out "$WORK/arc/out1" --threads 1 --quiet
    "$FOLIO" run "$WORK/arc/job.yaml" --out "$WORK/arc/out2" --threads 2 --quiet
    # byte-identical whatever the thread count
    for f in $(cd "$WORK/arc/out1" && ls archive/*); do cmp "$WORK/arc/out1/$f" "$WORK/arc/out2/$f"; done
    ls "$WORK"/arc/out1/archive/*.zip | wc -l | grep -qv '^ *[01]$'   # several zips
    for z in "$WORK"/arc/out1/archive/*.zip; do unzip -tq "$z" >/dev/null; python3 -m zipfile -t "$z" >/dev/null; done
    # the same job printing everything: the text of e-mail-only households on paper
    sed -e 's/max_documents: 20/enabled: false/' "$WORK/arc/job.yaml" > "$WORK/arc/job-print.yaml"
    "$FOLIO" run "$WORK/arc/job-print.yaml" --out "$WORK/arc/outp" --quiet
    python3 "$ROOT/tests/e2e/check_archive.py" "$WORK/arc" "$WORK/arc/out1" "$WORK/arc/outp"
    "$FOLIO" verify "$WORK/arc/out1" | grep -q '^verified'
}

t_archive_verify_detects() {
    [ -d "$WORK/arc/out1" ] || { echo "needs t_archive"; exit 1; }
    rm -rf "$WORK/arcv"; cp -r "$WORK/arc/out1" "$WORK/arcv"
    z=$(ls "$WORK"/arcv/archive/*.zip | head -1)
    # one byte inside the first document changes
    python3 - "$z" <<'PY'
import sys
p = sys.argv[1]; d = bytearray(open(p, "rb").read())
i = d.index(b"%PDF-1.4") + 200
d[i] ^= 0x20
open(p, "wb").write(d)
PY
    set +e
    "$FOLIO" verify "$WORK/arcv" > "$WORK/arcv.out"; rc=$?
    set -e
    cat "$WORK/arcv.out"
    [ "$rc" = 1 ] && grep -q "CRC-32" "$WORK/arcv.out" && grep -q "sha256" "$WORK/arcv.out" || fail_at "$LINENO"
    # an index row without its document, and a leftover .part
    rm -rf "$WORK/arcv"; cp -r "$WORK/arc/out1" "$WORK/arcv"
    idx=$(ls "$WORK"/arcv/archive/*.index.csv | head -1)
    sed -i '2s/^[^,]*,/ghost.pdf,/' "$idx"
    touch "$WORK/arcv/archive/x.zip.part"
    set +e
    "$FOLIO" verify "$WORK/arcv" > "$WORK/arcv.out"; rc=$?
    set -e
    cat "$WORK/arcv.out"
    [ "$rc" = 1 ] && grep -q "index.csv inside differs" "$WORK/arcv.out" \
        && grep -q "temporary file left behind" "$WORK/arcv.out" || fail_at "$LINENO"
}
