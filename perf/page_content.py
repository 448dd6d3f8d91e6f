#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""What a print file's page content streams are made of (issue 11, round 27).

    python3 perf/page_content.py FILE.pdf [FILE.pdf ...] [--dump DIR] [--top N]

For the pages of the given PDF files (pikepdf reads them; nothing of folio's
is used) it prints:
  * pages, raw and stored (deflated) content bytes a page;
  * raw bytes by operator kind (each operator with its operands and the
    separator after it): text show, positioning, font, colour, rules and
    paths, rectangles, text objects, graphics state, XObjects;
  * state set again to the value it has already (fill/stroke colour, line
    width, font and size, cap and join) -- q/Q saved and restored, the text
    state kept across BT/ET as PDF keeps it;
  * text-show lines that occur on many pages (candidates for a fragment
    written once per file), with the raw bytes a page they account for.
--dump DIR writes the raw content streams as DIR/pages.bin (a 4-byte
little-endian length before each stream), for deflate experiments.
"""
import argparse
import collections
import os
import re
import struct
import sys

import pikepdf

KIND = {
    b"Tj": "text show", b"TJ": "text show", b"'": "text show", b'"': "text show",
    b"Td": "positioning", b"TD": "positioning", b"Tm": "positioning", b"T*": "positioning",
    b"Tf": "font", b"Tc": "font", b"Tw": "font", b"Tz": "font", b"TL": "font",
    b"rg": "colour", b"RG": "colour", b"g": "colour", b"G": "colour",
    b"k": "colour", b"K": "colour", b"cs": "colour", b"CS": "colour",
    b"sc": "colour", b"SC": "colour", b"scn": "colour", b"SCN": "colour",
    b"m": "rules and paths", b"l": "rules and paths", b"c": "rules and paths",
    b"S": "rules and paths", b"h": "rules and paths", b"s": "rules and paths",
    b"re": "rectangles and fills", b"f": "rectangles and fills",
    b"B": "rectangles and fills", b"b": "rectangles and fills",
    b"W": "rectangles and fills", b"n": "rectangles and fills",
    b"BT": "text objects", b"ET": "text objects",
    b"q": "graphics state", b"Q": "graphics state", b"cm": "graphics state",
    b"w": "graphics state", b"J": "graphics state", b"j": "graphics state",
    b"d": "graphics state", b"gs": "graphics state", b"M": "graphics state",
    b"Do": "XObjects",
    b"BDC": "marked content", b"BMC": "marked content", b"EMC": "marked content",
}
STATE = (b"rg", b"RG", b"g", b"G", b"w", b"Tf", b"J", b"j")
TOKEN = re.compile(rb"\((?:\\.|[^\\)])*\)|<[0-9A-Fa-f\s]*>|\[(?:\\.|\((?:\\.|[^\\)])*\)|[^\]])*\]"
                   rb"|/[^\s/\[\]()<>]+|[-+]?[0-9]*\.?[0-9]+|[A-Za-z*'\"]+|\s+|<<|>>|.")


def streams(pdf):
    for page in pdf.pages:
        c = page.obj.get("/Contents")
        if c is None:
            yield b"", 0
            continue
        parts = list(c) if isinstance(c, pikepdf.Array) else [c]
        yield b"".join(s.read_bytes() for s in parts), sum(len(s.read_raw_bytes()) for s in parts)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("pdf", nargs="+")
    ap.add_argument("--dump", metavar="DIR")
    ap.add_argument("--top", type=int, default=15)
    a = ap.parse_args()
    pages, raw, stored = [], 0, 0
    for path in a.pdf:
        with pikepdf.open(path) as pdf:
            for b, z in streams(pdf):
                pages.append(b)
                raw += len(b)
                stored += z
    n = len(pages)
    if not n:
        sys.exit("no pages")
    print("%d pages: raw %.0f bytes a page, stored %.0f (%.3f)" % (n, raw / n, stored / n,
                                                                   stored / raw if raw else 0))
    kind = collections.Counter()
    ops = collections.Counter()
    again = collections.Counter()
    again_b = collections.Counter()
    for b in pages:
        start = 0
        operands = []
        st, stack = {}, []
        for m in TOKEN.finditer(b):
            t = m.group(0)
            if t.isspace():
                continue
            if t[:1].isalpha() or t in (b"'", b'"', b"T*"):
                end = m.end()
                while end < len(b) and b[end:end + 1].isspace():
                    end += 1
                kind[KIND.get(t, "other")] += end - start
                ops[t] += 1
                if t == b"q":
                    stack.append(dict(st))
                elif t == b"Q" and stack:
                    st = stack.pop()
                elif t in STATE:
                    v = tuple(operands)
                    if st.get(t) == v:
                        again[t] += 1
                        again_b[t] += end - start
                    st[t] = v
                operands = []
                start = end
            else:
                operands.append(t)
    print("\nraw bytes by operator kind (a page):")
    for k, v in kind.most_common():
        print("  %-22s %7.0f  %5.1f%%" % (k, v / n, 100.0 * v / raw))
    print("\noperators a page: " + ", ".join("%s %.1f" % (k.decode(), v / n)
                                            for k, v in ops.most_common(12)))
    print("\nstate set again to its value: " +
          (", ".join("%s %d (%.1f bytes a page)" % (k.decode(), again[k], again_b[k] / n)
                     for k in again) or "none"))
    seen = collections.Counter()
    for b in pages:
        for ln in set(re.findall(rb"\((?:\\.|[^\\)])*\)\s*Tj", b)):
            seen[ln] += 1
    for share in (0.5, 0.2, 0.05):
        tot = sum(len(ln) * c for ln, c in seen.items() if c >= share * n)
        print("text shows on >= %2.0f%% of pages: %.0f raw bytes a page" % (100 * share, tot / n))
    print("\nmost bytes in repeated text shows (pages, bytes):")
    rep = sorted(((c * len(ln), c, ln) for ln, c in seen.items() if c >= 0.05 * n), reverse=True)
    for _, c, ln in rep[:a.top]:
        print("  %5d %4d %s" % (c, len(ln), ln[:70].decode("latin-1")))
    if a.dump:
        os.makedirs(a.dump, exist_ok=True)
        with open(os.path.join(a.dump, "pages.bin"), "wb") as f:
            for b in pages:
                f.write(struct.pack("<I", len(b)))
                f.write(b)


if __name__ == "__main__":
    main()
