# SPDX-License-Identifier: Apache-2.0
# End-to-end test of the leaner tagged archive document (r-arch3, round 23;
# issue 11: an archived 3-page document <= 35 KB; issue 14 part 2: what
# tagging costs).  Sourced by run.sh (uses its run_test, $FOLIO, $WORK, $ROOT).

# The default output intent is folio's own compact sRGB profile
# (src/icc-srgb.c): a valid ICC v2.1 RGB display profile under 1 KB that lcms
# (Pillow's ImageCms) reads and that maps colours as the system's sRGB.icc
# does; output.archive.icc_profile still embeds the named file byte for
# byte.  A tagged (PDF/A-2a) document has no CIDSet (optional in PDF/A-2),
# its font programs no cmap, post or name table (a CIDFontType2 program is
# reached through its CIDToGIDMap), and an empty table cell is a direct
# dictionary in its row (no object of its own); the untagged PDF/A-1b
# document keeps its CIDSets.
t_archive_lean() {
    local d="$WORK/alean"
    rm -rf "$d"
    "$FOLIO" samples --households 60 --seed 2 --out "$d" >/dev/null
    sed -e 's/^output:$/output:\n  archive:\n    tagged: false/' "$d/job.yaml" > "$d/job-untagged.yaml"
    sed -e 's#^output:$#output:\n  archive:\n    icc_profile: /usr/share/color/icc/sRGB.icc#' \
        "$d/job.yaml" > "$d/job-icc.yaml"
    "$FOLIO" run "$d/job.yaml" --out "$d/tag" --quiet
    "$FOLIO" run "$d/job-untagged.yaml" --out "$d/untag" --quiet
    local sys_icc=/usr/share/color/icc/sRGB.icc
    if [ -r "$sys_icc" ]; then
        "$FOLIO" run "$d/job-icc.yaml" --out "$d/icc" --quiet
    else
        echo "skip: $sys_icc missing (icc-profiles-free): no comparison with it"
    fi
    /usr/bin/python3 - "$d" "$sys_icc" <<'PY'
import glob, io, math, os, struct, sys, zipfile
import pikepdf
d, sys_icc = sys.argv[1], sys.argv[2]

def docs(run):
    out = {}
    for z in sorted(glob.glob(d + "/" + run + "/archive/*.zip")):
        with zipfile.ZipFile(z) as zf:
            for n in zf.namelist():
                if n.endswith(".pdf"):
                    out[n] = zf.read(n)
    return out

def icc_of(pdf):
    return bytes(pdf.Root.OutputIntents[0].DestOutputProfile.read_bytes())

def tables(prog):
    n = struct.unpack(">H", prog[4:6])[0]
    return {prog[12 + 16 * i:16 + 16 * i].decode("latin-1") for i in range(n)}

tag, untag = docs("tag"), docs("untag")
assert tag and sorted(tag) == sorted(untag), (len(tag), len(untag))
icc = None
n_direct = 0
for name, data in sorted(tag.items()):
    pdf = pikepdf.open(io.BytesIO(data))
    p = icc_of(pdf)
    assert icc is None or p == icc, name + ": not the same profile in every document"
    icc = p
    fonts = pdf.pages[0].Resources.Font
    for f in [fonts[k] for k in fonts.keys()]:
        cid = f.DescendantFonts[0]
        fd = cid.FontDescriptor
        assert "/CIDSet" not in fd, name + ": a CIDSet in a PDF/A-2 document"
        t = tables(bytes(fd.FontFile2.read_bytes()))
        assert not t & {"cmap", "post", "name"}, (name, sorted(t))
        assert {"glyf", "loca", "head", "hhea", "hmtx", "maxp", "OS/2"} <= t, (name, sorted(t))
    # empty cells: direct dictionaries; cells with content: indirect objects
    def walk(e):
        global n_direct
        k = e.get("/K")
        kids = k if isinstance(k, pikepdf.Array) else [] if k is None else [k]
        for c in kids:
            if isinstance(c, pikepdf.Dictionary) and "/S" in c:
                if c.S in (pikepdf.Name.TD, pikepdf.Name.TH) and c.get("/K") is None:
                    assert not c.is_indirect, name + ": an empty cell as an object of its own"
                    n_direct += 1
                elif c.get("/K") is not None:
                    assert c.is_indirect, name + ": an element with content is not indirect"
                walk(c)
    walk(pdf.Root.StructTreeRoot.K)
assert n_direct > 0, "no empty table cell in the sample documents"

# the profile: ICC v2.1, display class, RGB -> XYZ, its size in the header,
# tags inside it, small
assert len(icc) < 1024, len(icc)
size, = struct.unpack(">I", icc[:4])
assert size == len(icc) and icc[36:40] == b"acsp" and icc[8:10] == b"\x02\x10", icc[:40]
assert icc[12:16] == b"mntr" and icc[16:20] == b"RGB " and icc[20:24] == b"XYZ ", icc[12:24]
ntag, = struct.unpack(">I", icc[128:132])
sigs = set()
for i in range(ntag):
    s, off, n = struct.unpack(">4sII", icc[132 + 12 * i:144 + 12 * i])
    assert off + n <= len(icc), s
    sigs.add(s)
assert {b"desc", b"cprt", b"wtpt", b"rXYZ", b"gXYZ", b"bXYZ", b"rTRC", b"gTRC", b"bTRC"} <= sigs

# the untagged PDF/A-1b documents keep their CIDSets and the same profile
for name, data in sorted(untag.items())[:5]:
    pdf = pikepdf.open(io.BytesIO(data))
    assert icc_of(pdf) == icc, name
    fonts = pdf.pages[0].Resources.Font
    for f in [fonts[k] for k in fonts.keys()]:
        assert "/CIDSet" in f.DescendantFonts[0].FontDescriptor, name + ": no CIDSet in PDF/A-1b"

if os.path.exists(sys_icc):
    # output.archive.icc_profile: the named file, byte for byte
    named = docs("icc")
    ref = open(sys_icc, "rb").read()
    assert named and all(icc_of(pikepdf.open(io.BytesIO(x))) == ref for x in named.values())
    # colours: lcms maps both profiles' RGB to the same Lab (8-bit rounding)
    from PIL import Image, ImageCms
    lab = ImageCms.createProfile("LAB")
    im = Image.new("RGB", (256, 4))
    px = im.load()
    for x in range(256):
        px[x, 0] = (x, x, x)
        px[x, 1] = (x, 0, 0)
        px[x, 2] = (0, x, 0)
        px[x, 3] = ((x * 7) % 256, (x * 13) % 256, 255 - x)
    def to_lab(p):
        t = ImageCms.buildTransform(p, lab, "RGB", "LAB", renderingIntent=1)
        return list(ImageCms.applyTransform(im, t).getdata())
    a = to_lab(ImageCms.ImageCmsProfile(io.BytesIO(icc)))
    b = to_lab(ImageCms.ImageCmsProfile(sys_icc))
    worst = max(math.dist(x, y) for x, y in zip(a, b))
    assert worst <= 2.5, "built-in sRGB differs from %s by %.2f Lab steps" % (sys_icc, worst)
    print("compact sRGB profile: %d bytes, largest Lab difference %.2f" % (len(icc), worst))
print("lean tagged documents: %d, %d empty cells direct" % (len(tag), n_direct))
PY
}
run_test archive_lean t_archive_lean
