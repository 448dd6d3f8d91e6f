# SPDX-License-Identifier: Apache-2.0
# End-to-end tests of issue 11 (part 3): the error a run reports does not
# depend on scheduling.  Sourced by run.sh (uses its run_test, $FOLIO,
# $WORK).

# Two households fail while composing (each has two accounts credited
# 50,000,000,000,000,000.00: every account fits, their household's summary
# totals do not).  The first failing household in household order must be
# the one named, at 1 thread and at 16 (pass 1 used to keep the first error
# in time, so B, first in its chunk, could win while A's thread was still
# composing; on the loaded 2-core test machine that race did not show).
t_first_error_household_order() {
    local d="$WORK/feo"
    "$FOLIO" samples --households 300 --seed 11 --out "$d" >/dev/null
    "$FOLIO" run "$d/job.yaml" --out "$d/ref" --quiet 2>/dev/null || [ $? = 3 ]
    # household order = audit.jsonl order; A ends the first schedule chunk
    # (64 households), B starts the next one, run at once by another thread
    python3 - "$d" <<'PY' > "$d/ab"
import json, sys
d = sys.argv[1]
rows = [json.loads(l) for l in open(d + "/ref/audit.jsonl", encoding="utf-8")]
def pick(lo):
    for i in range(lo, len(rows)):
        r = rows[i]
        if r["channel"] != "suppressed" and r["customers"]:
            return r
    raise SystemExit("no household from %d" % lo)
a, b = pick(61), pick(64)
n = 0
for hh in (a, b):
    for feed in ("checking", "savings"):
        n += 1
        acct = "99900000%04d" % n
        big = "50000000000000000.00"
        with open("%s/%s_accounts.csv" % (d, feed), "a", encoding="utf-8") as f:
            f.write("%s,%s,Big,0.00,%s,,,,,2020-01-01\n" % (acct, hh["customers"][0], big))
        with open("%s/%s_transactions.csv" % (d, feed), "a", encoding="utf-8") as f:
            f.write("%s,2026-10-05,BIG CREDIT,%s\n" % (acct, big))
# A is slow to compose (5,000 more rows in a third account), B fails at once
with open("%s/checking_accounts.csv" % d, "a", encoding="utf-8") as f:
    f.write("999000000099,%s,Long,50.00,0.00,,,,,2020-01-01\n" % a["customers"][0])
with open("%s/checking_transactions.csv" % d, "a", encoding="utf-8") as f:
    f.write("".join("999000000099,2026-10-%02d,SMALL DEBIT %d,-0.01\n" % (6 + k % 20, k)
                    for k in range(5000)))
print(a["household"], b["household"])
PY
    local a b
    read -r a b < "$d/ab"
    local t rc first=""
    for t in 1 16 16 16; do
        set +e
        "$FOLIO" run "$d/job.yaml" --out "$d/o$t" --threads "$t" --quiet 2>"$d/err$t"; rc=$?
        set -e
        [ "$rc" = 1 ] || { cat "$d/err$t"; echo "expected exit 1 at $t thread(s), got $rc"; exit 1; }
        grep -q "household $a: amount sum overflows" "$d/err$t" ||
            { cat "$d/err$t"; echo "at $t thread(s): expected household $a (first in order), not $b"; exit 1; }
        [ -z "$first" ] && first=$(cat "$d/err$t")
        [ "$(cat "$d/err$t")" = "$first" ] || { echo "message differs at $t threads"; exit 1; }
    done
}

run_test first_error_household_order t_first_error_household_order

# The same rule where the order in time is the opposite of household order
# for sure: A, the first household the run prints, is very slow to compose
# (30,000 rows) and fails at its end; every print household from the second
# schedule chunk on (index 64+) fails at once.  At 2 threads the second
# thread fails on one of those while the first is still composing A, so a
# run that kept the first error in time would name one of them; A must be
# named at 1, 2 and 16 threads.
t_first_error_slow_early() {
    local d="$WORK/fes"
    "$FOLIO" samples --households 400 --seed 12 --out "$d" >/dev/null
    "$FOLIO" run "$d/job.yaml" --out "$d/ref" --quiet 2>/dev/null || [ $? = 3 ]
    python3 - "$d" <<'PY' > "$d/a"
import json, sys
d = sys.argv[1]
rows = [json.loads(l) for l in open(d + "/ref/audit.jsonl", encoding="utf-8")]
ok = lambda i: rows[i]["channel"] == "print" and rows[i]["customers"]
a = [i for i in range(len(rows)) if ok(i)][0]
late = [i for i in range(64, len(rows)) if ok(i)]
if a >= 64 or len(late) < 20:
    raise SystemExit("sample households do not fit the test")
n = 0
for i in [a] + late:
    for feed in ("checking", "savings"):
        n += 1
        acct = "99900000%04d" % n
        big = "50000000000000000.00"
        with open("%s/%s_accounts.csv" % (d, feed), "a", encoding="utf-8") as f:
            f.write("%s,%s,Big,%s,%s,,,,,2020-01-01\n" % (acct, rows[i]["customers"][0], big, big))
with open("%s/checking_accounts.csv" % d, "a", encoding="utf-8") as f:
    f.write("998000000001,%s,Long,50.00,-250.00,,,,,2020-01-01\n" % rows[a]["customers"][0])
with open("%s/checking_transactions.csv" % d, "a", encoding="utf-8") as f:
    f.write("".join("998000000001,2026-10-%02d,SMALL DEBIT %d,-0.01\n" % (6 + k % 20, k)
                    for k in range(30000)))
print(rows[a]["household"])
PY
    local a t rc first=""
    read -r a < "$d/a"
    for t in 1 2 2 16; do
        set +e
        "$FOLIO" run "$d/job.yaml" --out "$d/o$t" --threads "$t" --quiet 2>"$d/err$t"; rc=$?
        set -e
        [ "$rc" = 1 ] || { cat "$d/err$t"; echo "expected exit 1 at $t thread(s), got $rc"; exit 1; }
        grep -q "household $a: amount sum overflows" "$d/err$t" ||
            { cat "$d/err$t"; echo "at $t thread(s): expected household $a (first in order)"; exit 1; }
        [ -z "$first" ] && first=$(cat "$d/err$t")
        [ "$(cat "$d/err$t")" = "$first" ] || { echo "message differs at $t threads"; exit 1; }
    done
}
run_test first_error_slow_early t_first_error_slow_early

# The compose stage composes print-only households in one loop and e-mail
# ones through the archive's ring (issue 11 part 1): the first failing
# household in household order must still win across the two.  Case 1: an
# e-mail household fails before a print one; case 2: a print household
# fails before an e-mail one.
t_first_error_email_and_print() {
    local d="$WORK/fep" c
    "$FOLIO" samples --households 300 --seed 13 --out "$d" >/dev/null
    "$FOLIO" run "$d/job.yaml" --out "$d/ref" --quiet 2>/dev/null || [ $? = 3 ]
    for c in email-first print-first; do
        rm -rf "$d/$c"; mkdir -p "$d/$c"
        cp "$d"/*.csv "$d/job.yaml" "$d/$c/"
        sed -i "s#$d/#$d/$c/#g" "$d/$c/job.yaml"
        python3 - "$d" "$c" <<'PY' > "$d/$c/expect"
import json, sys
d, case = sys.argv[1], sys.argv[2]
rows = [json.loads(l) for l in open(d + "/ref/audit.jsonl", encoding="utf-8")]
idx = lambda ch, lo=0: [i for i in range(lo, len(rows))
                        if rows[i]["channel"] == ch and rows[i]["customers"]][0]
first, then = ("email", "print") if case == "email-first" else ("print", "email")
a = idx(first)
b = idx(then, a + 1)
n = 0
for i in (a, b):
    for feed in ("checking", "savings"):
        n += 1
        big = "50000000000000000.00"
        with open("%s/%s/%s_accounts.csv" % (d, case, feed), "a", encoding="utf-8") as f:
            f.write("99900000%04d,%s,Big,%s,%s,,,,,2020-01-01\n"
                    % (n, rows[i]["customers"][0], big, big))
print(rows[a]["household"], rows[b]["household"])
PY
        local a b t rc
        read -r a b < "$d/$c/expect"
        for t in 1 2; do
            set +e
            "$FOLIO" run "$d/$c/job.yaml" --out "$d/$c/o$t" --threads "$t" --quiet \
                2>"$d/$c/err$t"; rc=$?
            set -e
            [ "$rc" = 1 ] || { cat "$d/$c/err$t"; echo "$c: expected exit 1, got $rc"; exit 1; }
            grep -q "household $a: amount sum overflows" "$d/$c/err$t" ||
                { cat "$d/$c/err$t"; echo "$c at $t thread(s): expected $a, not $b"; exit 1; }
        done
        [ -z "$(find "$d/$c/o1" "$d/$c/o2" -name '*.part')" ] && [ ! -e "$d/$c/o1/manifest.json" ]
    done
}
run_test first_error_email_and_print t_first_error_email_and_print
