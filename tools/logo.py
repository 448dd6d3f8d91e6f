#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""Draw the sample bank's logo (layouts/logo.png, issue 13 leftover).

A navy rounded square with a white portico (roof, three columns, base):
drawn from geometry here, 4x4 supersampled, written as an 8-bit RGB PNG
with zlib only, so the same bytes come out on every machine.  Built by
`make` (the sample layout's `images:` entry names it); never committed.

    python3 tools/logo.py OUT.png [SIZE]
"""
import struct
import sys
import zlib

NAVY = (0x1F, 0x3A, 0x5F)
WHITE = (0xFF, 0xFF, 0xFF)


def inside(x, y):
    """Colour at (x, y) in the unit square, or None for the background."""
    r = 0.18                                  # corner radius of the square
    cx = min(max(x, r), 1 - r)
    cy = min(max(y, r), 1 - r)
    if (x - cx) ** 2 + (y - cy) ** 2 > r * r:
        return None
    # portico: roof triangle, architrave, three columns, two steps
    if 0.17 <= y <= 0.36 and abs(x - 0.5) <= (y - 0.17) / 0.19 * 0.34:
        return WHITE
    if 0.38 <= y <= 0.43 and 0.17 <= x <= 0.83:
        return WHITE
    for c in (0.27, 0.5, 0.73):
        if 0.45 <= y <= 0.71 and abs(x - c) <= 0.055:
            return WHITE
    if 0.73 <= y <= 0.78 and 0.17 <= x <= 0.83:
        return WHITE
    if 0.80 <= y <= 0.85 and 0.12 <= x <= 0.88:
        return WHITE
    return NAVY


def draw(size, ss=4):
    rows = []
    for py in range(size):
        row = bytearray([0])                  # filter type 0
        for px in range(size):
            acc = [0, 0, 0]
            for sy in range(ss):
                for sx in range(ss):
                    c = inside((px + (sx + 0.5) / ss) / size, (py + (sy + 0.5) / ss) / size)
                    c = c or WHITE            # outside the square: white paper
                    for i in range(3):
                        acc[i] += c[i]
            row += bytes(round(a / (ss * ss)) for a in acc)
        rows.append(bytes(row))
    return b"".join(rows)


def chunk(kind, data):
    return (struct.pack(">I", len(data)) + kind + data
            + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF))


def main():
    out = sys.argv[1]
    size = int(sys.argv[2]) if len(sys.argv) > 2 else 96
    png = (b"\x89PNG\r\n\x1a\n"
           + chunk(b"IHDR", struct.pack(">IIBBBBB", size, size, 8, 2, 0, 0, 0))
           + chunk(b"IDAT", zlib.compress(draw(size), 9))
           + chunk(b"IEND", b""))
    with open(out, "wb") as f:
        f.write(png)


if __name__ == "__main__":
    main()
