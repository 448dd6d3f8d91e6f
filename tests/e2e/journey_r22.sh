# SPDX-License-Identifier: Apache-2.0
# Issue 15, round 22 (r-journey): the journey samples run clean, rules see
# no event after the statement date, and the shard/verify readers go through
# folio_input_fopen.  Sourced by run.sh (uses its run_test, fail_at, $FOLIO,
# $WORK, $ROOT).  Each test failed on main fab9bf1.

# `folio merge` and `folio verify` opened shard files with plain fopen: a
# FIFO named contact_history.csv in a shard (or manifest.json in the
# directory verified) blocked the command for ever.  Now a clean error that
# names the file and what it is.
t_journey_fifo_merge_verify() {
    local d="$WORK/journey-fifo" rc i
    rm -rf "$d"
    "$FOLIO" samples --households 12 --seed 4 --out "$d" >/dev/null
    for i in 1 2; do
        "$FOLIO" run "$d/job.yaml" --shard $i/2 --out "$d/o$i" --quiet 2>/dev/null || [ $? = 3 ]
    done
    [ -f "$d/o2/contact_history.csv" ] || fail_at "$LINENO"
    rm "$d/o2/contact_history.csv"; mkfifo "$d/o2/contact_history.csv"
    set +e
    timeout 15 "$FOLIO" merge "$d/o1" "$d/o2" --out "$d/merged" >/dev/null 2>"$d/err"; rc=$?
    set -e
    [ "$rc" != 124 ] || { echo "folio merge hung on a FIFO"; fail_at "$LINENO"; }
    [ "$rc" = 2 ] || { cat "$d/err"; echo "expected exit 2, got $rc"; fail_at "$LINENO"; }
    grep -q "o2/contact_history.csv: is a FIFO, not a regular file" "$d/err" || { cat "$d/err"; fail_at "$LINENO"; }
    # verify: a FIFO as the directory's manifest.json
    rm "$d/o1/manifest.json"; mkfifo "$d/o1/manifest.json"
    set +e
    timeout 15 "$FOLIO" verify "$d/o1" >"$d/vout" 2>&1; rc=$?
    set -e
    [ "$rc" != 124 ] || { echo "folio verify hung on a FIFO"; fail_at "$LINENO"; }
    [ "$rc" != 0 ] || { cat "$d/vout"; fail_at "$LINENO"; }
    grep -q "manifest.json: is a FIFO, not a regular file" "$d/vout" || { cat "$d/vout"; fail_at "$LINENO"; }
}

run_test journey_fifo_merge_verify t_journey_fifo_merge_verify

# count() and last() over events saw rows dated after the statement date: a
# payment on 2026-11-05 turned a 2026-10-31 statement's second reminder into
# a thank-you, and a complaint opened 2026-11-02 made H4 at_risk and took its
# cross-sell away.  A statement now sees the events up to its own date
# (docs/rules.md § Events); check_journey.py recomputes every outcome from
# the feeds with that rule.
t_journey_events_to_statement_date() {
    local d="$WORK/journey-evdate"
    rm -rf "$d"; mkdir -p "$d"
    python3 "$ROOT/tests/e2e/journey_feeds.py" notices "$d" "$ROOT"
    printf 'c2,payment,2026-11-05,\nH4,complaint_open,2026-11-02,\nc1,notice,2026-12-01,print\n' >> "$d/events.csv"
    "$FOLIO" run "$d/job.yaml" --out "$d/out" --quiet
    python3 "$ROOT/tests/e2e/check_journey.py" notices "$d" > "$d/check.out" || { cat "$d/check.out"; fail_at "$LINENO"; }
    grep -q '^H2: notice SECONDREMINDER' "$d/check.out" || { cat "$d/check.out"; fail_at "$LINENO"; }
    grep -q '^H4: .*cross-sell True, stage new' "$d/check.out" || { cat "$d/check.out"; fail_at "$LINENO"; }
    grep -q '^H1: notice THANKYOU' "$d/check.out" || { cat "$d/check.out"; fail_at "$LINENO"; }
}

run_test journey_events_to_statement_date t_journey_events_to_statement_date
