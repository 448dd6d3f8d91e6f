#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""Key coverage of the references in docs/ (issue 16 part 4).

The keys a loader accepts are read from the source, not from a list kept by
hand: every call of yt_check_keys() in src/*.c names the table of keys it
accepts (a `static const char *const NAME[] = {...}` table, or a parameter
whose callers pass such tables, or one of the two tables built at run time:
job.c's FIELD_KEYS per feed kind and disclosures.c's SPECS per kind). A call
this script cannot read makes the test fail -- it never skips a table.

The docs mark each reference table with the source table it documents:

    <!-- keys: src/job.c:FEED_KEYS -->
    | key | type | default | allowed values | example | error when wrong |
    |---|---|---|---|---|---|
    | `feeds[].name` | text | required | ... |

The first column's last dotted component is the key. A source table may be
documented by several marked tables (their rows add up). The check, both ways:
  * every key of every source table is a row under one of its markers;
  * every row under a marker is a key of that table (documented keys are
    accepted) -- and the marker names a table that exists.

    python3 tests/docs_keys.py [ROOT]            check; exit 1 listing what is missing
    python3 tests/docs_keys.py --list [ROOT]     every table and its keys
    python3 tests/docs_keys.py --skeleton [ROOT] marked table rows to paste for the missing keys
"""
import glob
import os
import re
import sys

CALL = re.compile(r"\byt_check_keys\s*\(")
TABLE = re.compile(r"(?:static\s+)?const\s+char\s*\*\s*const\s+(\w+)\s*\[[^\]]*\]\s*=\s*\{(.*?)\}\s*;",
                   re.S)
STR = re.compile(r'"((?:[^"\\]|\\.)*)"')
MARK = re.compile(r"^\s*<!--\s*keys:\s*(\S+?):(\S+)\s*-->")


def strip_comments(src):
    # keep line numbers: replace comments by as many newlines
    src = re.sub(r"/\*.*?\*/", lambda m: "\n" * m.group(0).count("\n"), src, flags=re.S)
    return re.sub(r"//[^\n]*", "", src)


def split_args(s, start):
    """The arguments of the call whose '(' is at s[start-1]; (args, end)."""
    depth, args, cur, i = 0, [], "", start
    while i < len(s):
        c = s[i]
        if c in "([{":
            depth += 1
        elif c in ")]}":
            if depth == 0:
                args.append(cur.strip())
                return args, i
            depth -= 1
        elif c == "," and depth == 0:
            args.append(cur.strip())
            cur = ""
            i += 1
            continue
        elif c == '"':
            j = i + 1
            while s[j] != '"':
                j += 2 if s[j] == "\\" else 1
            cur += s[i:j + 1]
            i = j + 1
            continue
        cur += c
        i += 1
    raise ValueError("unbalanced call")


def enclosing_function(s, pos):
    """(name, [parameter names]) of the function definition around pos."""
    defs = list(re.finditer(r"(?m)^(?:static\s+)?[\w\s\*]+?\b(\w+)\s*\(([^;{]*?)\)\s*\{", s[:pos]))
    if not defs:
        return None, []
    m = defs[-1]
    params = [re.sub(r".*?(\w+)\s*(\[[^\]]*\])?$", r"\1", p.strip()) for p in m.group(2).split(",")]
    return m.group(1), params


def field_keys(src):
    """job.c FIELD_KEYS: {kind, "key", field} rows grouped by feed kind."""
    m = re.search(r"FIELD_KEYS\s*\[\]\s*=\s*\{(.*?)\n\};", src, re.S)
    groups = {}
    for kind, key in re.findall(r"\{\s*(\w+)\s*,\s*\"([^\"]+)\"", m.group(1)):
        groups.setdefault("FIELD_KEYS[%s]" % kind, []).append(key)
    return groups


def disclosure_specs(src):
    """disclosures.c SPECS: per kind, "kind" and "title" then its inputs."""
    m = re.search(r"SPECS\s*\[[^\]]*\]\s*\[[^\]]*\]\s*=\s*\{(.*?)\n\};", src, re.S)
    groups = {}
    for kind, body in re.findall(r"\[(\w+)\]\s*=\s*\{(.*?)\}\s*\}\s*,?", m.group(1), re.S):
        groups["SPECS[%s]" % kind] = ["kind", "title"] + re.findall(r"\{\s*\"([^\"]+)\"", body)
    return groups


def source_tables(root):
    """{(file, table): {"keys": [...], "sites": [line, ...]}} and a list of errors."""
    out, errors = {}, []
    # tables of every source and header, for a table defined in another file
    shared = {}
    for path in sorted(glob.glob(os.path.join(root, "src", "*.[ch]"))):
        for m in TABLE.finditer(strip_comments(open(path, encoding="utf-8").read())):
            shared.setdefault(m.group(1), []).append(STR.findall(m.group(2)))
    for path in sorted(glob.glob(os.path.join(root, "src", "*.c"))):
        rel = os.path.relpath(path, root)
        if rel == "src/yamltree.c":
            continue
        src = strip_comments(open(path, encoding="utf-8").read())
        defs = [(t.group(1), t.start(), STR.findall(t.group(2))) for t in TABLE.finditer(src)]
        for m in CALL.finditer(src):
            line = src.count("\n", 0, m.start()) + 1
            # a name defined twice in a file (tables local to functions): the
            # definition nearest before the call
            tables = {}
            for name, pos, keys in defs:
                if name not in tables or pos < m.start():
                    tables[name] = keys
            args, _ = split_args(src, m.end())
            arg = args[3] if len(args) == 4 else ""
            found = {}
            if arg in tables:
                found[arg] = tables[arg]
            elif rel == "src/job.c" and arg == "allowed":
                found = field_keys(src)
            elif rel == "src/disclosures.c" and arg == "keys":
                found = disclosure_specs(src)
            else:
                fn, params = enclosing_function(src, m.start())
                if fn and arg in params:
                    idx = params.index(arg)
                    for c in re.finditer(r"\b%s\s*\(" % re.escape(fn), src):
                        cargs, _ = split_args(src, c.end())
                        if len(cargs) == len(params) and cargs[idx] in tables:
                            found[cargs[idx]] = tables[cargs[idx]]
                elif arg in shared and len(shared[arg]) == 1:   # a table of another file
                    found[arg] = shared[arg][0]
            if not found:
                errors.append("%s:%d: cannot read the key table '%s' passed to yt_check_keys "
                              "(teach tests/docs_keys.py this call)" % (rel, line, arg))
            for name, keys in found.items():
                e = out.setdefault((rel, name), {"keys": [], "sites": []})
                e["keys"] = keys
                e["sites"].append(line)
    return out, errors


def doc_tables(root):
    """{(file, table): [(key, doc, line), ...]} from the marked tables of docs/*.md."""
    out = {}
    for path in sorted(glob.glob(os.path.join(root, "docs", "*.md"))):
        rel = os.path.relpath(path, root)
        lines = open(path, encoding="utf-8").read().split("\n")
        i = 0
        while i < len(lines):
            m = MARK.search(lines[i])
            i += 1
            if not m:
                continue
            ident = (m.group(1), m.group(2))
            rows = out.setdefault(ident, [])
            # the table right after the marker (blank lines allowed before it)
            while i < len(lines) and not lines[i].strip():
                i += 1
            while i < len(lines) and lines[i].lstrip().startswith("|"):
                cell = lines[i].strip().strip("|").split("|")[0].strip()
                k = re.match(r"`([^`]+)`", cell)
                if k:
                    key = re.sub(r"\[[^\]]*\]", "", k.group(1)).split(".")[-1]
                    rows.append((key, rel, i + 1))
                i += 1
    return out


def main(argv):
    mode = None
    if argv and argv[0] in ("--list", "--skeleton"):
        mode = argv.pop(0)
    root = argv[0] if argv else os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    src, errors = source_tables(root)
    docs = doc_tables(root)
    if mode == "--list":
        for (f, t), e in sorted(src.items()):
            print("%s:%s (line %s): %s" % (f, t, ",".join(map(str, e["sites"])), " ".join(e["keys"])))
        return 0
    missing, unknown = [], []
    for ident, e in sorted(src.items()):
        documented = {k for k, _, _ in docs.get(ident, [])}
        lost = [k for k in e["keys"] if k not in documented]
        if lost:
            missing.append((ident, e, lost))
    for ident, rows in sorted(docs.items()):
        if ident not in src:
            for k, doc, line in rows:
                unknown.append("%s:%d: `%s` is documented for %s:%s, which no loader reads "
                               "(no such key table)" % (doc, line, k, ident[0], ident[1]))
            if not rows:
                unknown.append("docs: marker for %s:%s, which no loader reads" % ident)
            continue
        for k, doc, line in rows:
            if k not in src[ident]["keys"]:
                unknown.append("%s:%d: `%s` is documented but %s:%s does not accept it "
                               "(accepted: %s)" % (doc, line, k, ident[0], ident[1],
                                                   ", ".join(src[ident]["keys"])))
    if mode == "--skeleton":
        for (f, t), e, lost in missing:
            print("<!-- keys: %s:%s -->" % (f, t))
            print("| key | type | default | allowed values | example | error when wrong |")
            print("|---|---|---|---|---|---|")
            for k in lost:
                print("| `%s` | | | | | |" % k)
            print()
        return 0
    for msg in errors:
        print(msg)
    for (f, t), e, lost in missing:
        where = "%s:%s" % (f, t)
        if (f, t) in docs:
            print("%s (yt_check_keys at line %s): accepted but not documented: %s"
                  % (where, ",".join(map(str, e["sites"])), ", ".join(lost)))
        else:
            print("%s (yt_check_keys at line %s): no `<!-- keys: %s -->` table in docs/*.md; "
                  "undocumented keys: %s" % (where, ",".join(map(str, e["sites"])), where,
                                            ", ".join(lost)))
    for msg in unknown:
        print(msg)
    n = sum(len(e["keys"]) for e in src.values())
    if errors or missing or unknown:
        print("docs_keys: %d key tables, %d keys; %d tables with undocumented keys, %d documented "
              "keys not accepted, %d unreadable calls (python3 tests/docs_keys.py --skeleton "
              "prints rows to fill in)" % (len(src), n, len(missing), len(unknown), len(errors)))
        return 1
    print("docs_keys: %d key tables, %d keys, all documented in docs/ and all accepted" % (len(src), n))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
