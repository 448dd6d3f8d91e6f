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

# frequency-cover.c took the earliest row of all transactions feeds as where
# every statement's rows begin, and checked the print statement's interval
# only.  A product whose feed holds December alone (savings here, beside a
# checking feed of four months) and an archive document over a quarter
# (H2: paper monthly, e-mail quarterly) with December's rows went out as
# "10/01 to 12/31" over December, exit 0.  Now each accounts feed is checked
# against the transactions feeds that carry its accounts' rows, and every
# interval a household's statements show (print, archive, an account's own)
# is checked: an exception each, exit 3.
t_journey_feed_cover_per_feed() {
    local d="$WORK/journey-cover" rc
    rm -rf "$d"; mkdir -p "$d/a" "$d/b"
    python3 "$ROOT/tests/e2e/journey_feeds.py" frequency "$d/a" "$ROOT"
    cd "$d/a"
    (head -1 trans.csv; grep -v ',A2,' trans.csv | tail -n +2) > t-main.csv
    (head -1 trans.csv; grep ',A2,2026-12-' trans.csv) > t-sav.csv
    printf 'id,owner\nA1,c1\nA3,c3\n' > acc-main.csv
    printf 'id,owner\nA2,c2\n' > acc-sav.csv
    sed -e 's#^  - {name: accounts, kind: accounts, path: accounts.csv, product: checking,\(.*\)$#  - {name: accounts, kind: accounts, path: acc-main.csv, product: checking,\1\n  - {name: sav, kind: accounts, path: acc-sav.csv, product: savings,\1#' \
        -e 's#^  - {name: trans, kind: transactions, path: trans.csv,\(.*\)$#  - {name: trans, kind: transactions, path: t-main.csv,\1\n  - {name: tsav, kind: transactions, path: t-sav.csv,\1#' \
        job-dec.yaml > job-two.yaml
    [ "$(grep -c 'path: acc-\|path: t-' job-two.yaml)" = 4 ] || fail_at "$LINENO"
    set +e
    "$FOLIO" run job-two.yaml --out two --quiet 2>err; rc=$?
    set -e
    [ "$rc" = 3 ] || { cat err; echo "per feed: expected exit 3, got $rc"; fail_at "$LINENO"; }
    grep -q '^other,H2,,,t-sav.csv,2,,sent,statement interval 2026-10-01 to 2026-12-31 (frequency) begins before the transactions feeds (first row 2026-12-' \
        two/exceptions.csv || { cat two/exceptions.csv; fail_at "$LINENO"; }
    [ "$(wc -l < two/exceptions.csv)" = 2 ] || { cat two/exceptions.csv; fail_at "$LINENO"; }
    # the same accounts with the savings feed reaching back: clean
    (head -1 trans.csv; grep ',A2,' trans.csv) > t-sav.csv
    "$FOLIO" run job-two.yaml --out two-full --quiet
    [ "$(wc -l < two-full/exceptions.csv)" = 1 ] || fail_at "$LINENO"
    # the archive document's quarter (H2: paper monthly, e-mail quarterly)
    cd "$d/b"
    python3 "$ROOT/tests/e2e/check_frequency.py" feeds "$d/b" "$ROOT"
    (head -1 trans.csv; grep ',2026-12-' trans.csv) > t-dec.csv
    sed 's#path: trans.csv#path: t-dec.csv#' job-dec.yaml > job-short.yaml
    set +e
    "$FOLIO" run job-short.yaml --out short --quiet 2>err; rc=$?
    set -e
    [ "$rc" = 3 ] || { cat err; echo "archive: expected exit 3, got $rc"; fail_at "$LINENO"; }
    grep -q '^other,H1,.*statement interval 2026-10-01 to 2026-12-31 (frequency)' short/exceptions.csv || fail_at "$LINENO"
    grep -q '^other,H2,,,t-dec.csv,[0-9]*,,sent,statement interval 2026-10-01 to 2026-12-31 (frequency) begins before' \
        short/exceptions.csv || { cat short/exceptions.csv; fail_at "$LINENO"; }
    "$FOLIO" run job-dec.yaml --out full --quiet
    [ "$(wc -l < full/exceptions.csv)" = 1 ] || fail_at "$LINENO"
}

run_test journey_feed_cover_per_feed t_journey_feed_cover_per_feed

# Issue 15 part 2 asks that rules see the journey events "plus the run's own
# contact history"; rules had no way to ask about the contacts feed (docs
# promised an `offer.shown_count` that never existed).  Each contact row not
# held out is now an event of type "contact" with `event.offer`: a stage
# "saturated" for two contacts in 90 days, one keyed by customer and one by
# household; a held-out row and a row after the statement date do not count.
t_journey_contacts_as_events() {
    local d="$WORK/journey-contacts"
    rm -rf "$d"; mkdir -p "$d"
    python3 "$ROOT/tests/e2e/journey_feeds.py" notices "$d" "$ROOT"
    cd "$d"
    printf 'key,offer,date,channel\nc4,XSELL-CARD,2026-09-02,print\nH4,FEEDBACK,2026-10-10,email\nc2,XSELL-CARD,2026-10-01,holdout\nH2,FEEDBACK,2026-10-02,email\nc2,XSELL-CARD,2026-11-15,print\nc3,XSELL-CARD,2026-01-05,print\nH3,XSELL-CARD,2026-10-05,print\n' > contacts.csv
    sed -e 's#^stages:#stages:\n  - {name: saturated, when: '"'"'count(events where type == "contact" and date >= statement.date - 90) >= 2'"'"'}\n  - {name: card_pitched, when: '"'"'any(events where event.offer == "XSELL-CARD")'"'"'}#' \
        -e 's#^feeds:#feeds:\n  - {name: contacts, kind: contacts, path: contacts.csv, columns: {contact_key: key, offer_id: offer, contact_date: date, channel: channel}}#' \
        job.yaml > job-c.yaml
    "$FOLIO" run job-c.yaml --out out --quiet 2>err || { cat err; fail_at "$LINENO"; }
    python3 - <<'PY'
import json
a = {r["household"]: r.get("stage") for r in map(json.loads, open("out/audit.jsonl"))}
# H4: two contacts in 90 days; H2: one (the held-out row and the one after
# the statement date are no contact); H3: one in 90 days, one card pitch
want = {"H4": "saturated", "H2": None, "H3": "card_pitched"}
for h, s in want.items():
    got = a.get(h)
    if s is None:
        assert got not in ("saturated", "card_pitched"), (h, got)
    else:
        assert got == s, (h, got, s)
PY
}

run_test journey_contacts_as_events t_journey_contacts_as_events
