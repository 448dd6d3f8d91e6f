# SPDX-License-Identifier: Apache-2.0
"""Reading the CSV files folio writes (rejects.csv, suppressed.csv,
*.pieces.csv, *.index.csv, notifications.csv, contact_history.csv).

folio writes a cell that starts with = + - @ TAB or CR with a leading ' (the
OWASP CSV-injection rule, so a spreadsheet shows text, not a formula), and a
cell that starts with ' followed by one of those or by another ' the same way,
so reading is exact: strip one leading ' when the next character is one of
= + - @ TAB CR '.  Same rule as folio_csv_cell_skip in src/common.c."""
import csv

_AFTER = set("=+-@\t\r'")


def cell(v):
    """The value folio meant for the written cell v."""
    return v[1:] if len(v) >= 2 and v[0] == "'" and v[1] in _AFTER else v


def reader(f, **kw):
    for row in csv.reader(f, **kw):
        yield [cell(v) for v in row]


def DictReader(f, **kw):
    r = reader(f, **kw)
    header = next(r, None)
    if header is None:
        return
    for row in r:
        yield dict(zip(header, row))
