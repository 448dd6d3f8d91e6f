#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""issue 11 (r-serial): two folio binaries alternated on the bench's
print-only and single-file jobs at 1 and 2 threads, with FOLIO_PHASE_CPU=1:
wall (fastest), CPU ms per page (least) and the serial phases' walls.

usage: perf/serial-ab.py BASE_FOLIO NEW_FOLIO [REPEATS] [FEEDS_DIR]
FEEDS_DIR holds job-print-only.yaml and job-single-file.yaml (perf/bench
makes them: perf/out/feeds-5000-s1).  Both binaries need the
FOLIO_PHASE_CPU hook (src/cli-run.c) for the phase figures."""
import os, re, shutil, subprocess, sys, tempfile, time
bins = {"base": sys.argv[1], "new": sys.argv[2]}
reps = int(sys.argv[3]) if len(sys.argv) > 3 else 3
J = sys.argv[4] if len(sys.argv) > 4 else os.path.join(os.path.dirname(__file__), "out", "feeds-5000-s1")
jobs = {"print-only": J + "/job-print-only.yaml", "single-file": J + "/job-single-file.yaml"}
res = {}
for r in range(reps):
    for job, jp in jobs.items():
        for t in (1, 2):
            for b, bp in bins.items():
                out = os.path.join(tempfile.gettempdir(), "folio-serial-ab")
                shutil.rmtree(out, ignore_errors=True)
                env = dict(os.environ, FOLIO_PHASE_CPU="1")
                t0 = time.monotonic()
                p = subprocess.Popen(["nice", "-n", "10", bp, "run", jp, "--out", out, "-j", str(t)],
                                     stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env, text=True)
                so, se = p.communicate()
                wall = time.monotonic() - t0
                m = re.search(r"(\d+) pages, \d+ sheets", so)
                pages = int(m.group(1))
                ph = {x[0]: (float(x[1]), float(x[2])) for x in re.findall(r"phase-cpu (\S+) wall ([\d.]+) cpu ([\d.]+)", se)}
                res.setdefault((job, t, b), []).append((wall, ph, pages))
    la = os.getloadavg()[0]
    print("round", r, "load", la, file=sys.stderr)
# CPU from phases sum
def agg(k):
    runs = res[k]
    walls = sorted(x[0] for x in runs)
    cpus = sorted(sum(v[1] for v in x[1].values()) for x in runs)
    pages = runs[0][2]
    ser = {}
    for name in ("start", "plan", "production", "proofs", "records", "report", "publish"):
        ser[name] = min(x[1].get(name, (0, 0))[0] for x in runs)
    return walls[0], cpus[0], pages, ser, walls
print("load at end", os.getloadavg())
for job in jobs:
    for b in bins:
        w1, c1, p1, s1, ws1 = agg((job, 1, b))
        w2, c2, p2, s2, ws2 = agg((job, 2, b))
        print("%-11s %-4s  wall 1t %.2f 2t %.2f ratio %.2f | CPU ms/page %.3f -> %.3f | serial wall 1t %.3f 2t %.3f" % (
            job, b, w1, w2, w1 / w2, 1000 * c1 / p1, 1000 * c2 / p2, sum(s1.values()), sum(s2.values())))
        print("      serial phases 2t (min wall):", " ".join("%s %.3f" % kv for kv in s2.items()))
        print("      walls 1t", ["%.2f" % x for x in ws1], "2t", ["%.2f" % x for x in ws2])
