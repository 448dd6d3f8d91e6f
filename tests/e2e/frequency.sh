# SPDX-License-Identifier: Apache-2.0
# End-to-end tests of issue 15 part 1 completion (r-chan): per-channel
# statements when print and e-mail are due with different intervals,
# account-level frequency, and `folio merge` carrying not_due.csv,
# statement_history.csv, contact pressure and uplift across shards.
# Sourced by run.sh (uses its run_test, fail_at, $FOLIO, $WORK, $ROOT).
# The feeds are written and every expected figure recomputed by
# check_frequency.py.

# At a quarter end a quarterly-paper / monthly-e-mail household (H1) gets a
# print statement over October..December (opening = the balance on October
# 1) and an archive document over December (opening on December 1), each
# with its own rows, balance chart, archive index period and history row;
# H2 (monthly paper, quarterly e-mail) the other way round.
t_frequency_split() {
    local d="$WORK/frequency-split"
    mkdir -p "$d"
    python3 "$ROOT/tests/e2e/check_frequency.py" feeds "$d" "$ROOT"
    "$FOLIO" run "$d/job-dec.yaml" --out "$d/dec" --quiet
    "$FOLIO" verify "$d/dec" >/dev/null
    python3 "$ROOT/tests/e2e/check_frequency.py" split "$d"
    # H1's address is undeliverable: e-mailed only -- its one statement is
    # the e-mail one, over December (not the print statement's quarter)
    sed -e 's/^H1,c1,Ana Novak,1 Main St,04101/H1,c1,Ana Novak,,/' "$d/customers.csv" > "$d/customers-u.csv"
    sed -e 's#path: customers.csv#path: customers-u.csv#' "$d/job-dec.yaml" > "$d/job-u.yaml"
    local rc=0
    "$FOLIO" run "$d/job-u.yaml" --out "$d/u" --quiet 2>/dev/null || rc=$?
    [ "$rc" = 3 ] || fail_at "$LINENO"
    "$FOLIO" verify "$d/u" >/dev/null
    grep -q '^statements-H1-2026-12-01_2026-12-31.pdf,H1,c1,A1,2026-12-31,2026-12-01,2026-12-31,' "$d"/u/archive/*.index.csv \
        || fail_at "$LINENO"
    python3 - "$d" <<'PY'
import csv, json, sys
d = sys.argv[1]
a = {r["household"]: r for r in map(json.loads, open(f"{d}/u/audit.jsonl"))}
rows = [r for r in csv.DictReader(open(f"{d}/trans.csv")) if r["acct"] == "A1" and r["date"] >= "2026-12-01"]
h1 = a["H1"]
assert h1["channel"] == "email" and "interval" not in h1, h1
assert h1["accounts"][0]["transactions"] == len(rows), (h1["accounts"], len(rows))
PY
}

# An account attribute gives one account its own frequency: at the quarter
# end its section covers the quarter (its own opening balance) beside a
# monthly account; in November it is left out of the household's statement,
# listed in not_due.csv, suppressed.csv and the audit, and reconciled.
t_frequency_accounts() {
    local d="$WORK/frequency-accounts"
    mkdir -p "$d"
    python3 "$ROOT/tests/e2e/check_frequency.py" feeds "$d" "$ROOT"
    "$FOLIO" run "$d/job-acc.yaml" --out "$d/acc" --quiet
    "$FOLIO" run "$d/job-accnov.yaml" --out "$d/accnov" --quiet
    "$FOLIO" verify "$d/acc" >/dev/null
    "$FOLIO" verify "$d/accnov" >/dev/null
    python3 "$ROOT/tests/e2e/check_frequency.py" accounts "$d"
    # an account_attribute that is no account attribute: a job error at its line
    sed -e 's/account_attribute: paper/account_attribute: nosuch/' "$d/job-acc.yaml" > "$d/bad.yaml"
    local rc=0
    "$FOLIO" run "$d/bad.yaml" --out "$d/bad" --quiet 2>"$d/err" || rc=$?
    [ "$rc" = 2 ] && grep -q "bad.yaml:[0-9]*:[0-9]*: 'frequency.print.account_attribute': 'nosuch' is not an account attribute" "$d/err" \
        || { cat "$d/err"; fail_at "$LINENO"; }
}
# `folio merge` of shards carries not_due.csv and statement_history.csv
# (each household once, the same rows as one run), counts.not_due, the
# contact-pressure figures (summed) and the uplift section (once, the same
# in every shard); `folio verify` accepts the merged directory.
t_frequency_merge() {
    local d="$WORK/frequency-merge" i
    rm -rf "$d"
    "$FOLIO" samples --households 150 --journey --out "$d" >/dev/null
    # the journey job (frequency, offers) with the uplift job's responses
    python3 - "$d" <<'PY'
import re, sys
d = sys.argv[1]
job = open(f"{d}/job.yaml").read()
up = open(f"{d}/uplift.yaml").read()
feed = re.search(r"(?ms)^  - name: responses\n.*?(?=^  - |^\S)", up).group(0)
uopt = re.search(r"(?m)^  uplift: .*$", up).group(0)
job = job.replace("\nfeeds:\n", "\nfeeds:\n" + feed, 1)
job = re.sub(r"(?m)^offers:\n", "offers:\n" + uopt + "\n", job, count=1)
open(f"{d}/both.yaml", "w").write(job)
PY
    cd "$d"
    # exit 0: the journey samples carry the months the due intervals need
    # (round 22; the runs were exit 3 with frequency-cover exceptions)
    "$FOLIO" run both.yaml --out full --quiet
    [ "$(wc -l < full/exceptions.csv)" = 1 ] || fail_at "$LINENO"
    python3 -c 'import json; assert any("interval" in json.loads(l) for l in open("full/audit.jsonl"))' \
        || fail_at "$LINENO"
    for i in 1 2; do "$FOLIO" run both.yaml --shard $i/2 --out o$i --quiet; done
    "$FOLIO" merge o1 o2 --out merged >/dev/null
    "$FOLIO" verify merged > v.out || { cat v.out; fail_at "$LINENO"; }
    python3 "$ROOT/tests/e2e/check_frequency.py" merge full merged o1 o2
}
run_test frequency_split t_frequency_split
run_test frequency_accounts t_frequency_accounts

# An account without its own frequency follows its household's decision
# (docs/job-file.md, account-level rule 2): in November, H4 quarterly on
# paper with A5 monthly of its own is printed for A5 alone; A4 (no value of
# its own) is left out and listed, not printed over the household's
# quarter.
t_frequency_account_follows_household() {
    local d="$WORK/frequency-follows"
    mkdir -p "$d"
    python3 "$ROOT/tests/e2e/check_frequency.py" feeds "$d" "$ROOT"
    sed -i 's/^H4,c4,Ida Lind,4 Fir St,04104,,print,monthly,$/H4,c4,Ida Lind,4 Fir St,04104,,print,quarterly,/' "$d/customers.csv"
    sed -i 's/^A5,c4,quarterly$/A5,c4,monthly/' "$d/accounts.csv"
    grep -q '^H4,.*,print,quarterly,$' "$d/customers.csv" && grep -q '^A5,c4,monthly$' "$d/accounts.csv" \
        || fail_at "$LINENO"
    "$FOLIO" run "$d/job-accnov.yaml" --out "$d/out" --quiet
    grep -q '^H4,print,quarterly,,account left out,' "$d/out/not_due.csv" || { cat "$d/out/not_due.csv"; fail_at "$LINENO"; }
    grep -q '^account,A4,[^,]*accounts.csv,5,"not due: print quarterly' "$d/out/suppressed.csv" \
        || { cat "$d/out/suppressed.csv"; fail_at "$LINENO"; }
    ! grep -q '^account,A5,' "$d/out/suppressed.csv" || fail_at "$LINENO"
    "$FOLIO" verify "$d/out" >/dev/null
}
run_test frequency_account_follows_household t_frequency_account_follows_household
run_test frequency_merge t_frequency_merge
