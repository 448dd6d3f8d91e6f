# SPDX-License-Identifier: Apache-2.0
# End-to-end tests of issue 15 parts 3, 4 and 5 (responses): measured uplift
# of offers and contact pressure.  Sourced by run.sh (uses its run_test,
# $FOLIO, $WORK, $ROOT).

# The samples' planted effect (default seed): `folio report uplift` on 20000 households'
# campaign; every figure equals check_uplift.py's own computation and each
# planted uplift (A -2 points, B +3 points) lies inside its 95% interval.
t_uplift_report() {
    local d="$WORK/uplift-samples"
    rm -rf "$d"
    "$FOLIO" samples --households 20000 --out "$d" >/dev/null
    "$FOLIO" report uplift --json "$d/uplift.yaml" > "$d/report.json"
    python3 "$ROOT/tests/e2e/check_uplift.py" report "$d" "$d/report.json" planted
    # the table says the same, names the method and lists what it did not attribute
    "$FOLIO" report uplift "$d/uplift.yaml" > "$d/report.txt"
    grep -q "Newcombe hybrid score (method 10)" "$d/report.txt"
    grep -Eq '^SAV-RATE +A .*below control$' "$d/report.txt"
    grep -q "responses.csv:[0-9]*: H999999999 SAV-RATE 2026-10-05: no matching contact" "$d/report.txt"
    # the same files give the same bytes
    "$FOLIO" report uplift --json "$d/uplift.yaml" | cmp - "$d/report.json"
}

# `folio run` of uplift.yaml: the manifest's "uplift" equals the report, the
# variant below its control (A) is retired -- recorded in the manifest and
# never shown -- and held-out households are written to contact_history.csv.
t_uplift_run() {
    local big="$WORK/uplift-samples" d="$WORK/uplift-run"
    [ -f "$big/offer_history.csv" ] || "$FOLIO" samples --households 20000 --out "$big" >/dev/null
    rm -rf "$d"
    "$FOLIO" samples --households 150 --out "$d" >/dev/null
    cp "$big/offer_history.csv" "$big/responses.csv" "$d/"   # the same first 150 households
    "$FOLIO" run "$d/uplift.yaml" --out "$d/out" -q
    "$FOLIO" report uplift --json "$d/uplift.yaml" > "$d/report.json"
    python3 "$ROOT/tests/e2e/check_uplift.py" manifest "$d/out" "$d/report.json"
    grep -q ',holdout,$' "$d/out/contact_history.csv"
    "$FOLIO" verify "$d/out" >/dev/null
}

# Errors: a responses feed without its date column, an unknown key under
# offers.uplift, a job without responses, an unknown report, a bad row.
t_uplift_errors() {
    local d="$WORK/uplift-err" out
    rm -rf "$d"
    "$FOLIO" samples --households 5 --seed 3 --out "$d" >/dev/null
    sed 's/      response_date: response_date/      outcome_date: response_date/' "$d/uplift.yaml" > "$d/bad1.yaml"
    set +e
    out=$("$FOLIO" report uplift "$d/bad1.yaml" 2>&1); rc=$?
    set -e
    [ "$rc" = 2 ]; grep -Eq "bad1.yaml:[0-9]+:[0-9]+: unknown key 'outcome_date'" <<<"$out"
    sed 's/attribution_days: 30/attribution_dayz: 30/' "$d/uplift.yaml" > "$d/bad2.yaml"
    set +e
    out=$("$FOLIO" run "$d/bad2.yaml" --out "$d/o2" 2>&1); rc=$?
    set -e
    [ "$rc" = 2 ]; grep -Eq "bad2.yaml:[0-9]+:[0-9]+: unknown key 'attribution_dayz' in 'offers.uplift'" <<<"$out"
    set +e
    out=$("$FOLIO" report uplift "$d/job.yaml" 2>&1); rc=$?
    set -e
    [ "$rc" = 2 ]; grep -q "the job has no feed of kind responses" <<<"$out"
    set +e
    out=$("$FOLIO" report upflit "$d/uplift.yaml" 2>&1); rc=$?
    set -e
    [ "$rc" = 2 ]; grep -q "unknown report 'upflit'" <<<"$out"
    printf 'household_id,offer_id,variant,response_date,outcome\nH1,SAV-RATE,A,not-a-date,clicked\n' > "$d/responses.csv"
    set +e
    out=$("$FOLIO" report uplift "$d/uplift.yaml" 2>&1); rc=$?
    set -e
    [ "$rc" = 3 ]   # hard-attack2: a rejected row is exit 3, as in a run
    grep -q "responses.csv:2: rejected (response_date)" <<<"$out"
    grep -q "rejected rows 1" <<<"$out"
    # a feedback_quiet_days on a marketing offer is a catalogue error
    sed '0,/^    priority: 90/s//    priority: 90\n    feedback_quiet_days: 10/' "$ROOT/layouts/offers.yaml" > "$d/offers.yaml"
    sed "s#^  catalogue: .*#  catalogue: \"$d/offers.yaml\"#" "$d/job.yaml" > "$d/bad5.yaml"
    set +e
    out=$("$FOLIO" run "$d/bad5.yaml" --out "$d/o5" 2>&1); rc=$?
    set -e
    [ "$rc" = 2 ]; grep -Eq "offers.yaml:[0-9]+:[0-9]+: offer SAV-RATE: 'feedback_quiet_days' is for offers of kind feedback" <<<"$out"
}

# The household cap: a constructed contact history and catalogue; the
# offers withheld, the feedback quiet period, the manifest's histogram and
# withheld counts all recomputed by check_pressure.py.
t_contact_pressure() {
    local d="$WORK/pressure"
    rm -rf "$d"
    "$FOLIO" samples --households 60 --seed 11 --out "$d" >/dev/null
    python3 "$ROOT/tests/e2e/check_pressure.py" make "$d"
    "$FOLIO" run "$d/pressure-job.yaml" --out "$d/out" -q
    python3 "$ROOT/tests/e2e/check_pressure.py" check "$d" "$d/out"
    # byte-identical at any thread count
    "$FOLIO" run "$d/pressure-job.yaml" --out "$d/out1" -q -j 1
    cmp "$d/out/audit.jsonl" "$d/out1/audit.jsonl"
    cmp "$d/out/contact_history.csv" "$d/out1/contact_history.csv"
}

run_test uplift_report t_uplift_report
run_test uplift_run t_uplift_run
run_test uplift_errors t_uplift_errors
run_test contact_pressure t_contact_pressure
