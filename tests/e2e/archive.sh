# SPDX-License-Identifier: Apache-2.0
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
i = d.index(b"%PDF-1.") + 200   # 1.7: tagged (r-arch)
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

# An index row whose page count reads "3x" (strtoull took it for 3), put in
# the zip and its twin with the checksums made consistent, is a mismatch.
t_archive_verify_numbers() {
    [ -d "$WORK/arc/out1" ] || { echo "needs t_archive"; exit 1; }
    rm -rf "$WORK/arcn"; cp -r "$WORK/arc/out1" "$WORK/arcn"
    python3 - "$WORK/arcn" <<'PY'
import hashlib, json, os, sys, zipfile
d = sys.argv[1]; m = json.load(open(d + "/manifest.json"))
zrel = sorted(o["file"] for o in m["outputs"] if o["format"] == "zip")[0]
zp = os.path.join(d, zrel)
src = zipfile.ZipFile(zp); items = [(i, src.read(i.filename)) for i in src.infolist()]; src.close()
out = zipfile.ZipFile(zp + ".new", "w")
for info, data in items:
    if info.filename == "index.csv":
        rows = data.decode().split("\n"); f = rows[1].split(",")
        f[-3] += "x"; rows[1] = ",".join(f); data = "\n".join(rows).encode()
        open(zp[:-4] + ".index.csv", "wb").write(data)
    out.writestr(info, data)
out.close(); os.replace(zp + ".new", zp)
for o in m["outputs"]:
    if o["file"] in (zrel, zrel[:-4] + ".index.csv"):
        b = open(os.path.join(d, o["file"]), "rb").read()
        o["bytes"] = len(b); o["sha256"] = hashlib.sha256(b).hexdigest()
json.dump(m, open(d + "/manifest.json", "w"), indent=1)
PY
    set +e
    "$FOLIO" verify "$WORK/arcn" > "$WORK/arcn.out"; rc=$?
    set -e
    cat "$WORK/arcn.out"
    [ "$rc" = 1 ] && grep -q "index.csv record 2: pages '[0-9]*x' or bytes '[0-9]*' is not a number" "$WORK/arcn.out"
}

# Archived documents are small: the fonts are subset to the glyphs each
# document draws (hb-subset), so a 3-page statement of the sample job is at
# most 35 KB tagged, 28.5 KB untagged (main embedded ~45 KB per face:
# ~115 KB); every document stays
# a valid PDF/A with its fonts embedded and ToUnicode maps (pdffonts).
t_archive_size() {
    "$FOLIO" samples --households 300 --seed 1 --out "$WORK/asz" >/dev/null
    # issue 11: the 35 KB goal holds for the tagged default too since round
    # 23 (r-arch3: compact sRGB profile, no CIDSet, lean font tables, empty
    # cells direct; largest 34.5 KB, mean 31.8 KB here; main 3b0f88f: 38.2 /
    # 35.3); untagged PDF/A-1b: largest 27.5 KB (main 29.9)
    sed -e 's/^output:$/output:\n  archive:\n    tagged: false/' "$WORK/asz/job.yaml" > "$WORK/asz/job-untagged.yaml"
    "$FOLIO" run "$WORK/asz/job-untagged.yaml" --out "$WORK/asz/out" --quiet
    "$FOLIO" run "$WORK/asz/job.yaml" --out "$WORK/asz/out-tagged" --quiet
    python3 - "$WORK/asz/out-tagged/archive" <<'PY'
import csv, glob, sys
rows = [r for f in sorted(glob.glob(sys.argv[1] + "/*.index.csv"))
        for r in csv.DictReader(open(f, encoding="utf-8", newline=""))]
three = [r for r in rows if r["pages"] == "3"]
big = [(r["document"], r["bytes"]) for r in three if int(r["bytes"]) > 35 * 1024]
assert three and not big, "tagged 3-page documents over 35 KB: %s" % big[:5]
mean = sum(int(r["bytes"]) for r in three) / len(three)
assert mean <= 32.5 * 1024, "tagged 3-page documents: mean %.0f bytes, over 32.5 KB" % mean
PY
    python3 - "$WORK/asz/out/archive" <<'PY'
import csv, glob, subprocess, sys, tempfile, zipfile, os
arch = sys.argv[1]
rows = [r for f in sorted(glob.glob(arch + "/*.index.csv"))
        for r in csv.DictReader(open(f, encoding="utf-8", newline=""))]
three = [r for r in rows if r["pages"] == "3"]
assert len(three) >= 10, "too few 3-page documents: %d" % len(three)
big = [(r["document"], r["bytes"]) for r in three if int(r["bytes"]) > 28.5 * 1024]
assert not big, "untagged 3-page documents over 28.5 KB: %s" % big[:5]
print("3-page documents: %d, largest %d bytes" % (len(three), max(int(r["bytes"]) for r in three)))
# a sample of documents: fonts embedded, subset, with a ToUnicode map
tmp = tempfile.mkdtemp()
for z in sorted(glob.glob(arch + "/*.zip")):
    with zipfile.ZipFile(z) as zf:
        for name in [n for n in zf.namelist() if n.endswith(".pdf")][:10]:
            p = zf.extract(name, tmp)
            fonts = subprocess.run(["pdffonts", p], capture_output=True, text=True,
                                   check=True).stdout.splitlines()[2:]
            assert fonts and all(f.split()[-5:-2] == ["yes", "yes", "yes"] for f in fonts), fonts
            subprocess.run(["qpdf", "--check", p], capture_output=True, check=True)
PY
}
