#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""Run the README's own commands in a clean copy of the tree (issue 16 part 4).

    python3 tests/readme_commands.py ROOT CLONE

CLONE is a fresh `git clone` of ROOT (tests/e2e/docs.sh makes it, with the
working tree's uncommitted changes applied, so what is checked is what the
README in the tree says). In CLONE this script:

  1. checks that "The two commands" block names `make demo` and `make test`
     and that the Makefile has both targets; runs `make demo` (which builds
     everything from scratch) and checks it leaves build/demo/out/ with a
     manifest and print files, as the README says. `make test` itself is NOT
     run here: it would run this test again (recursion), and it is what runs
     this test in the first place;
  2. runs, in order, every fenced block marked `<!-- readme-test: walkthrough -->`
     (or `walkthrough exit=N`) with bash -e from CLONE's top directory and
     checks its exit status;
  3. checks each `<!-- readme-test: expect-output -->` block: every line of it
     appears (whitespace-normalised) in the output of the block run just
     before; and each `<!-- readme-test: expect-file PATH -->` block: every
     line appears in CLONE/PATH.

A README with no marked walk-through blocks fails: the markers are the test.
"""
import os
import re
import subprocess
import sys

MARK = re.compile(r"^<!--\s*readme-test:\s*(\S+)\s*(.*?)\s*-->\s*$")


def blocks(readme):
    """[(kind, args, body, line)] of the marked fenced blocks, in order."""
    lines = open(readme, encoding="utf-8").read().split("\n")
    out, i = [], 0
    while i < len(lines):
        m = MARK.match(lines[i])
        i += 1
        if not m:
            continue
        while i < len(lines) and not lines[i].strip():
            i += 1
        if i >= len(lines) or not lines[i].startswith("```"):
            sys.exit("README.md:%d: readme-test marker not followed by a fenced block" % i)
        start = i + 1
        i += 1
        while i < len(lines) and not lines[i].startswith("```"):
            i += 1
        out.append((m.group(1), m.group(2), "\n".join(lines[start:i]) + "\n", start))
        i += 1
    return out


def norm(s):
    return " ".join(s.split())


def clean_env():
    env = dict(os.environ)
    # SANITIZER, BUILD: make exports its command-line variables to recipes,
    # so under `make SANITIZER=... test` the clone would build build-san/
    for k in ("MAKEFLAGS", "MAKELEVEL", "MFLAGS", "FOLIO", "FOLIO_ROOT", "SANITIZER", "BUILD"):
        env.pop(k, None)
    return env


def run(cmd, cwd, what):
    print("$ " + what)
    p = subprocess.run(["bash", "-e", "-c", cmd], cwd=cwd, env=clean_env(),
                       stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    sys.stdout.write(p.stdout[-4000:])
    return p.returncode, p.stdout


def fail(msg):
    print("FAILED: " + msg)
    sys.exit(1)


def main():
    root, clone = sys.argv[1], sys.argv[2]
    readme = os.path.join(clone, "README.md")
    text = open(readme, encoding="utf-8").read()

    # 1. the two commands
    sec = re.search(r"^## The two commands\n(.*?)^## ", text, re.S | re.M)
    if not sec:
        fail("README.md has no '## The two commands' section")
    code = re.search(r"```sh\n(.*?)```", sec.group(1), re.S)
    cmds = [l.split("#")[0].strip() for l in code.group(1).split("\n")] if code else []
    for want in ("make demo", "make test"):
        if want not in cmds:
            fail("'The two commands' block does not name '%s' (has: %s)" % (want, cmds))
    mk = open(os.path.join(clone, "Makefile"), encoding="utf-8").read()
    for target in ("demo", "test"):
        if not re.search(r"^%s:" % target, mk, re.M):
            fail("the Makefile has no '%s:' target" % target)
    if "build/demo/out/" not in text:
        fail("README.md no longer says where make demo leaves its outputs (build/demo/out/)")
    bl = blocks(readme)
    if not any(k == "walkthrough" for k, _, _, _ in bl):
        fail("README.md has no <!-- readme-test: walkthrough --> blocks")
    rc, out = run("make -j2 demo", clone, "make -j2 demo")
    if rc != 0:
        fail("make demo exited %d" % rc)
    demo = os.path.join(clone, "build", "demo", "out")
    if not os.path.isfile(os.path.join(demo, "manifest.json")):
        fail("make demo left no build/demo/out/manifest.json")
    pdfs = [f for f in os.listdir(os.path.join(demo, "print")) if f.endswith(".pdf")]
    if not pdfs:
        fail("make demo left no print files in build/demo/out/print/")
    print("make demo: %d print file(s) in build/demo/out/print/" % len(pdfs))

    # 2, 3. the walk-through
    last = None
    n_run = n_expect = 0
    for kind, args, body, line in bl:
        if kind == "walkthrough":
            want = 0
            m = re.search(r"exit=(\d+)", args)
            if m:
                want = int(m.group(1))
            rc, out = run(body, clone, "README.md:%d block" % line)
            if rc != want:
                fail("README.md:%d: the block exited %d, the README says %d" % (line, rc, want))
            last = out
            n_run += 1
        elif kind == "expect-output":
            if last is None:
                fail("README.md:%d: expect-output before any command" % line)
            have = [norm(l) for l in last.split("\n")]
            for l in body.split("\n"):
                if l.strip() and not any(norm(l) in h for h in have):
                    fail("README.md:%d: the output of the block before has no line '%s'"
                         % (line, l.strip()))
            n_expect += 1
        elif kind == "expect-file":
            path = os.path.join(clone, args)
            if not os.path.isfile(path):
                fail("README.md:%d: %s does not exist" % (line, args))
            have = [norm(l) for l in open(path, encoding="utf-8").read().split("\n")]
            for l in body.split("\n"):
                if l.strip() and not any(norm(l) in h for h in have):
                    fail("README.md:%d: %s has no line '%s'" % (line, args, l.strip()))
            n_expect += 1
        else:
            fail("README.md:%d: unknown readme-test kind '%s'" % (line, kind))
    print("readme: make demo, %d walk-through blocks run, %d expectations met" % (n_run, n_expect))


if __name__ == "__main__":
    main()
