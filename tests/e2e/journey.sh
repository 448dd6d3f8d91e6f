# SPDX-License-Identifier: Apache-2.0
# End-to-end tests of issue 15 parts 1 and 2: statement frequency per channel
# and journey events (notice sequences, relationship stage, suppression by
# context).  Sourced by run.sh (uses its run_test, fail_at, $FOLIO, $WORK,
# $ROOT).  The feeds are built by journey_feeds.py; check_journey.py
# recomputes every expected outcome from them.

# A quarterly-paper / monthly-email customer (H1), a quarterly-paper one
# (H2) and a monthly one (H3), run for October, November and December:
# H1 gets an archive document every month and a print statement only in
# December covering October-December, its opening the balance on October 1;
# H2 is not due (listed, suppressed, reconciled) until December; every run
# balances and verifies.
t_journey_frequency() {
    local d="$WORK/journey-frequency"
    mkdir -p "$d"
    python3 "$ROOT/tests/e2e/journey_feeds.py" frequency "$d" "$ROOT"
    for m in oct nov dec; do
        "$FOLIO" run "$d/job-$m.yaml" --out "$d/$m" --quiet
        "$FOLIO" verify "$d/$m" >/dev/null
    done
    python3 "$ROOT/tests/e2e/check_journey.py" frequency "$d"
    grep -q '^H2,print,quarterly,,suppressed,"not due: print quarterly' "$d/oct/not_due.csv" || fail_at "$LINENO"
    # each run's statement_history.csv is the next runs' events feed: with
    # October's and November's, December decides the same
    grep -qx 'H1,statement,2026-10-31,email' "$d/oct/statement_history.csv" || fail_at "$LINENO"
    grep -qx 'H3,statement,2026-11-30,print' "$d/nov/statement_history.csv" || fail_at "$LINENO"
    ! grep -q '^H2,' "$d/nov/statement_history.csv" || fail_at "$LINENO"
    sed -e 's#^feeds:#feeds:\n  - {name: h-oct, kind: events, path: oct/statement_history.csv, columns: {key: key, type: type, date: date, channel: channel}}\n  - {name: h-nov, kind: events, path: nov/statement_history.csv, columns: {key: key, type: type, date: date, channel: channel}}#' \
        "$d/job-dec.yaml" > "$d/job-dec2.yaml"
    "$FOLIO" run "$d/job-dec2.yaml" --out "$d/dec2" --quiet
    cmp "$d/dec/not_due.csv" "$d/dec2/not_due.csv" || fail_at "$LINENO"
    python3 - "$d/dec/audit.jsonl" "$d/dec2/audit.jsonl" <<'PY'
import json, sys
a, b = ([(r["household"], r["channel"], r.get("interval")) for r in map(json.loads, open(f))] for f in sys.argv[1:])
assert a == b, (a, b)
PY
    # a statement history moves the cycle: H2's last print statement was
    # 2026-10-31, so a quarterly statement is not due in December (2 months)
    printf 'key,type,date,channel\nc2,statement,2026-10-31,print\n' > "$d/events.csv"
    sed -e 's#^feeds:#feeds:\n  - {name: events, kind: events, path: events.csv, columns: {key: key, type: type, date: date, channel: channel}}#' \
        "$d/job-dec.yaml" > "$d/job-hist.yaml"
    "$FOLIO" run "$d/job-hist.yaml" --out "$d/hist" --quiet
    grep -q '^H2,print,quarterly,2026-10-31,suppressed,"not due: print quarterly, last print statement 2026-10-31 (2 months ago)"' "$d/hist/not_due.csv" \
        || { cat "$d/hist/not_due.csv"; fail_at "$LINENO"; }
    "$FOLIO" verify "$d/hist" >/dev/null
}

# Notice sequences, stage and cross-sell from an events feed: H1 paid after
# its first reminder (thank-you variant), H2 did not (second reminder), H3
# has an open complaint (no cross-sell, stage at_risk), H4 moved recently
# (stage new: the welcome-pack offer), H5 had two notices (final reminder),
# H6 is delinquent: at_risk, held back by a channel rule on its stage.
t_journey_notices() {
    local d="$WORK/journey-notices"
    mkdir -p "$d"
    python3 "$ROOT/tests/e2e/journey_feeds.py" notices "$d" "$ROOT"
    "$FOLIO" run "$d/job.yaml" --out "$d/out" --quiet 2>"$d/err"
    python3 "$ROOT/tests/e2e/check_journey.py" notices "$d"
    python3 -c 'import json,sys; f=[x for x in json.load(open(sys.argv[1]))["inputs"] if x["feed"]=="events"][0]; assert f["kind"]=="events" and f["rows"]==9 and f["accepted"]==9, f' \
        "$d/out/manifest.json"
    "$FOLIO" verify "$d/out" >/dev/null
}

# Bad rows are rejects (exit 3, rejects.csv naming file, line, column and
# reason); bad job keys and rules are job errors (exit 2, file:line:col).
t_journey_errors() {
    local d="$WORK/journey-errors"
    mkdir -p "$d"
    python3 "$ROOT/tests/e2e/journey_feeds.py" notices "$d" "$ROOT"
    printf 'c1,payment,2026-13-45,\nnobody,notice,2026-10-01,\n' >> "$d/events.csv"
    set +e
    "$FOLIO" run "$d/job.yaml" --out "$d/out" --quiet 2>"$d/err"; rc=$?
    set -e
    [ "$rc" = 3 ] || { cat "$d/err"; echo "expected exit 3, got $rc"; exit 1; }
    grep -q "events.csv,11,date,invalid date '2026-13-45' (expected YYYY-MM-DD)" "$d/out/rejects.csv" \
        || { cat "$d/out/rejects.csv"; fail_at "$LINENO"; }
    grep -q "events.csv,12,key,\"unknown key 'nobody': no customer, account or household has this id\"" "$d/out/rejects.csv" \
        || { cat "$d/out/rejects.csv"; fail_at "$LINENO"; }
    "$FOLIO" verify "$d/out" >/dev/null
    # an unknown frequency value in the feed rejects the customer row
    local f="$WORK/journey-errors-freq"
    mkdir -p "$f"
    python3 "$ROOT/tests/e2e/journey_feeds.py" frequency "$f" "$ROOT"
    sed -i 's/^H3,c3,\(.*\),print,,$/H3,c3,\1,print,weekly,/' "$f/customers.csv"
    set +e
    "$FOLIO" run "$f/job-oct.yaml" --out "$f/out" --quiet 2>"$f/err"; rc=$?
    set -e
    [ "$rc" = 3 ] || { cat "$f/err" "$f/customers.csv"; echo "expected exit 3, got $rc"; exit 1; }
    grep -q "customers.csv,4,paper,\"invalid paper 'weekly': not in the list" "$f/out/rejects.csv" || { cat "$f/out/rejects.csv"; fail_at "$LINENO"; }
    # a frequency attribute whose values are no frequencies: job error
    sed -e 's/values: \[monthly, quarterly, semi_annual, annual\]}/values: [monthly, weekly]}/' \
        "$f/job-oct.yaml" > "$f/bad1.yaml"
    set +e
    "$FOLIO" run "$f/bad1.yaml" --out "$f/o1" --quiet 2>"$f/err1"; rc=$?
    set -e
    [ "$rc" = 2 ] && grep -q "bad1.yaml:[0-9]*:[0-9]*: attribute paper: value 'weekly' is not a frequency" "$f/err1" \
        || { cat "$f/err1"; fail_at "$LINENO"; }
    sed -e 's/print: {default: monthly, attribute: paper}/print: {default: weekly}/' "$f/job-oct.yaml" > "$f/bad2.yaml"
    set +e
    "$FOLIO" run "$f/bad2.yaml" --out "$f/o2" --quiet 2>"$f/err2"; rc=$?
    set -e
    [ "$rc" = 2 ] && grep -q "bad2.yaml:6:[0-9]*: .*weekly" "$f/err2" || { cat "$f/err2"; fail_at "$LINENO"; }
    # rules over events are checked when the job loads
    sed -e "s/when: 'true'/when: 'last(accounts, \"x\") > today'/" "$d/job.yaml" > "$d/bad3.yaml"
    set +e
    "$FOLIO" run "$d/bad3.yaml" --out "$d/o3" --quiet 2>"$d/err3"; rc=$?
    set -e
    [ "$rc" = 2 ] && grep -q "bad3.yaml:[0-9]*:[0-9]*: last() takes events and a type" "$d/err3" \
        || { cat "$d/err3"; fail_at "$LINENO"; }
    sed -e "s/when: 'true'/when: 'count(events where amount > 0) > 0'/" "$d/job.yaml" > "$d/bad4.yaml"
    set +e
    "$FOLIO" run "$d/bad4.yaml" --out "$d/o4" --quiet 2>"$d/err4"; rc=$?
    set -e
    [ "$rc" = 2 ] && grep -q "bad4.yaml:[0-9]*:[0-9]*: .*amount" "$d/err4" || { cat "$d/err4"; fail_at "$LINENO"; }
}

# folio samples --journey: the same bytes at any thread count; the run is
# clean (exit 0, no exception: the feeds reach back to every due interval),
# lists every not-due household (suppressed.csv, not_due.csv, counts) and
# gives at_risk exactly to the households with a complaint or delinquency
# event.
t_journey_samples() {
    local d="$WORK/journey-samples"
    "$FOLIO" samples --households 400 --seed 5 --journey --threads 1 --out "$d/s1" >/dev/null
    "$FOLIO" samples --households 400 --seed 5 --journey --threads 2 --out "$d/s2" >/dev/null
    for f in events.csv frequency.csv job.yaml customers.csv journey-layout.yaml journey-paragraphs.yaml journey-offers.yaml; do
        cmp "$d/s1/$f" "$d/s2/$f" || fail_at "$LINENO"
    done
    for f in checking savings credit_card mortgage; do
        cmp "$d/s1/${f}_transactions.csv" "$d/s2/${f}_transactions.csv" || fail_at "$LINENO"
    done
    # round 22: the samples carry the months before October that the
    # statements due over a longer interval cover (they were exceptions,
    # exit 3, while the feeds held October only): exit 0, no exception, and
    # each such statement's interval, rows and opening recomputed
    "$FOLIO" run "$d/s1/job.yaml" --out "$d/out" --quiet
    [ "$(wc -l < "$d/out/exceptions.csv")" = 1 ] || { cat "$d/out/exceptions.csv"; fail_at "$LINENO"; }
    "$FOLIO" verify "$d/out" >/dev/null
    python3 "$ROOT/tests/e2e/check_journey.py" samples "$d/s1" "$d/out"
    python3 - "$d/s1" "$d/out" <<'PY'
import csv, json, sys
s, out = sys.argv[1], sys.argv[2]
audit = [json.loads(l) for l in open(out + "/audit.jsonl")]
hh_of = {}
for r in audit:
    for c in r["customers"]:
        hh_of[c] = r["household"]
    hh_of[r["household"]] = r["household"]
ctx = {hh_of[e["key"]] for e in csv.DictReader(open(s + "/events.csv"))
       if e["type"] in ("complaint_open", "delinquency") and e["key"] in hh_of}
stage = {r["household"]: r.get("stage") for r in audit if "stage" in r}
risk = {h for h, v in stage.items() if v == "at_risk"}
assert risk == ctx & set(stage), (sorted(risk ^ (ctx & set(stage)))[:5])
nd = list(csv.DictReader(open(out + "/not_due.csv")))
sup = {r["id"]: r["reason"] for r in csv.DictReader(open(out + "/suppressed.csv")) if r["kind"] == "household"}
gone = {r["household"] for r in nd if r["action"] == "suppressed"}
assert gone and all(sup[h].startswith("not due: ") for h in gone), "not-due households not suppressed"
m = json.load(open(out + "/manifest.json"))
c = m["counts"]["not_due"]
assert c["households"] == len(gone) and c["print"] + c["email"] == len(nd), (c, len(gone), len(nd))
assert m["reconciliation"]["balanced"]
print("samples: %d not due, %d channels dropped, %d at risk" % (len(gone), len(nd), len(risk)))
PY
}

run_test journey_frequency t_journey_frequency
run_test journey_notices t_journey_notices
run_test journey_errors t_journey_errors
run_test journey_samples t_journey_samples
