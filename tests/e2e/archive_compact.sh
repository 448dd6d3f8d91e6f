# SPDX-License-Identifier: Apache-2.0
# End-to-end test of the compact tagged archive document (r-arch, issues 11
# and 14: src/pdf-compact.c, marked content inside text objects).  Sourced
# by run.sh (uses its run_test, $FOLIO, $WORK, $ROOT).

# A tagged document is one PDF 1.7 file with an object stream and a
# deflated cross-reference stream (no classic xref table, no incremental
# update, no XMP padding), table cells share text objects, and every
# document reads (pdftotext -layout) exactly as its untagged twin; qpdf
# --check passes and the fonts stay embedded subsets with ToUnicode maps.
t_archive_compact() {
    local d="$WORK/acomp"
    rm -rf "$d"
    "$FOLIO" samples --households 80 --seed 3 --out "$d" >/dev/null
    sed -e 's/^output:$/output:\n  archive:\n    tagged: false/' "$d/job.yaml" > "$d/job-untagged.yaml"
    "$FOLIO" run "$d/job.yaml" --out "$d/tag" --quiet
    "$FOLIO" run "$d/job-untagged.yaml" --out "$d/untag" --quiet
    /usr/bin/python3 - "$d" <<'PY'
import glob, re, subprocess, sys, zipfile, zlib
d = sys.argv[1]
def docs(run):
    out = {}
    for z in sorted(glob.glob(d + "/" + run + "/archive/*.zip")):
        with zipfile.ZipFile(z) as zf:
            for n in zf.namelist():
                if n.endswith(".pdf"):
                    out[n] = zf.read(n)
    return out
tag, untag = docs("tag"), docs("untag")
assert tag and sorted(tag) == sorted(untag), (len(tag), len(untag))
def text(data):
    open(d + "/t.pdf", "wb").write(data)
    return subprocess.run(["pdftotext", "-layout", d + "/t.pdf", "-"], capture_output=True,
                          check=True).stdout
nbt = nmc = 0
for n, data in sorted(tag.items()):
    assert data.startswith(b"%PDF-1.7\n"), n + ": header " + repr(data[:9])
    assert data.count(b"startxref") == 1 and b"\nxref" not in data and b"trailer" not in data, \
        n + ": not one cross-reference stream"
    m = re.search(rb"/Type/XRef/Size [^\n]*/Filter/FlateDecode/DecodeParms<</Predictor 12", data)
    assert m, n + ": cross-reference stream not deflated with the PNG predictor"
    assert data.count(b"/Type/ObjStm") == 1, n + ": not one object stream"
    assert b"<?xpacket end" in data and b"      \n<?xpacket end" not in data, n + ": XMP padded"
    open(d + "/t.pdf", "wb").write(data)
    subprocess.run(["qpdf", "--check", d + "/t.pdf"], capture_output=True, check=True)
    fonts = subprocess.run(["pdffonts", d + "/t.pdf"], capture_output=True, text=True,
                           check=True).stdout.splitlines()[2:]
    assert fonts and all(f.split()[-5:-2] == ["yes", "yes", "yes"] for f in fonts), (n, fonts)
    assert text(data) == text(untag[n]), n + ": pdftotext -layout differs from the untagged document"
    for s in re.finditer(rb"/Length (\d+)/Filter/FlateDecode>>\nstream\r\n", data):
        raw = zlib.decompressobj().decompress(data[s.end():s.end() + int(s.group(1))])
        if b"BDC" in raw:
            nbt += raw.count(b"BT\n")
            nmc += raw.count(b"/MCID ")
assert nmc and nbt * 3 < nmc, "text objects %d for %d marked sequences" % (nbt, nmc)
# marked content and text objects nest properly (ISO 32000-1 14.6): a
# sequence begun inside BT ends before its ET, one begun outside encloses it
import pikepdf
for n, data in sorted(tag.items()):
    open(d + "/t.pdf", "wb").write(data)
    with pikepdf.open(d + "/t.pdf") as pdf:
        for pno, page in enumerate(pdf.pages):
            stack = []
            for _, op in pikepdf.parse_content_stream(page):
                o = str(op)
                if o in ("BT", "BDC", "BMC"):
                    stack.append("BT" if o == "BT" else "MC")
                elif o in ("ET", "EMC"):
                    want = "BT" if o == "ET" else "MC"
                    assert stack and stack[-1] == want, \
                        "%s page %d: %s closes %s" % (n, pno + 1, o, stack[-1:] or "nothing")
                    stack.pop()
            assert not stack, "%s page %d: %s left open" % (n, pno + 1, stack)
print("compact tagged documents: %d, %d BT for %d MCIDs" % (len(tag), nbt, nmc))
PY
}
run_test archive_compact t_archive_compact

# r-adoc (issue 11): a tagged document is written from libharu's objects
# straight into the compact form (pdf_cdoc_write), not saved by libharu and
# rewritten, and libharu's blocks come from an arena per document.  The
# zips (documents, indexes) are byte-identical to those of the old way
# (FOLIO_TEST_ADOC_SAVE=1: libharu's save + pdf_compact; FOLIO_TEST_NO_ARENA=1:
# every block malloc'd), with
# offer links (annotations: URI strings, real rectangles), at 1 and 2
# threads; the links are really there.
t_archive_direct() {
    local d="$WORK/adirect"
    rm -rf "$d"
    mkdir -p "$d"
    "$FOLIO" samples --households 60 --seed 5 --out "$d/s" >/dev/null
    local cat
    cat=$(sed -n 's/^  catalogue: "\(.*\)"$/\1/p' "$d/s/job.yaml")
    [ -f "$cat" ] || { echo "no offer catalogue in the samples job"; return 1; }
    sed -e 's|^\(    response_code: .*\)$|\1\n    response_url: "https://bank.example/r?c={response_code}\&h={household}"|' \
        -e "s|file: *\"\\?\\([^\"/][^\"]*\\)\"\\?|file: \"$(dirname "$cat")/\\1\"|" \
        "$cat" > "$d/offers.yaml"
    sed -e "s|^  catalogue: .*|  catalogue: \"$d/offers.yaml\"|" "$d/s/job.yaml" \
        > "$d/s/job-links.yaml"          # beside the feeds it names
    printf "  channels: [{when: 'true', channel: email}]\n" >> "$d/s/job-links.yaml"
    local t
    for t in 1 2; do
        "$FOLIO" run "$d/s/job-links.yaml" --out "$d/new$t" --threads $t --quiet || return 1
        FOLIO_TEST_ADOC_SAVE=1 FOLIO_TEST_NO_ARENA=1 "$FOLIO" run "$d/s/job-links.yaml" --out "$d/old$t" --threads $t \
            --quiet || return 1
    done
    local n=0 z
    for z in "$d"/old1/archive/*.zip; do
        cmp "$z" "$d/new1/archive/$(basename "$z")" || return 1
        cmp "$z" "$d/new2/archive/$(basename "$z")" || return 1
        cmp "$z" "$d/old2/archive/$(basename "$z")" || return 1
        n=$((n + 1))
    done
    [ "$n" -ge 1 ] || { echo "no archive zip"; return 1; }
    /usr/bin/python3 - "$d/new1" <<'PY'
import glob, sys, zipfile, zlib, re
links = docs = 0
for z in glob.glob(sys.argv[1] + "/archive/*.zip"):
    with zipfile.ZipFile(z) as zf:
        for n in zf.namelist():
            if not n.endswith(".pdf"):
                continue
            data = zf.read(n)
            docs += 1
            m = re.search(rb"/Type/ObjStm/N \d+/First \d+/Filter/FlateDecode/Length (\d+)>>\nstream\r\n", data)
            assert m, n + ": no object stream"
            raw = zlib.decompress(data[m.end():m.end() + int(m.group(1))])
            # libharu escapes the slashes of a string (\057)
            links += raw.count(rb"/URI(https:\057\057bank.example\057r?c=")
assert docs >= 40 and links >= docs, (docs, links)
print("direct compact documents: %d, %d offer links" % (docs, links))
PY
}
run_test archive_direct t_archive_direct
