# SPDX-License-Identifier: Apache-2.0
# Round 21 (hard-attack2): hostile inputs to the features of stop 20 --
# events/responses feeds, `folio report uplift`, report.html, the tagged
# archive, PDF/VT, the --work spool.  Each test failed on main 9cd9c62.
# Sourced by run.sh (uses its run_test, fail_at, $FOLIO, $WORK, $ROOT).

# `folio report uplift`: a contacts row that cannot be read changes the
# figures (one contact fewer), so it is listed like a rejected response and
# the exit status is 3, as in a run -- not a quiet 0.
t_attack_uplift_rejects() {
    local d="$WORK/attack-uplift-rejects" out rc
    rm -rf "$d"
    "$FOLIO" samples --households 5 --seed 3 --out "$d" >/dev/null
    echo 'H395838257,SAV-RATE,2026-13-01,B,print' >> "$d/offer_history.csv"
    local line; line=$(wc -l < "$d/offer_history.csv")
    set +e
    out=$("$FOLIO" report uplift "$d/uplift.yaml" 2>&1 >"$d/report.txt"); rc=$?
    set -e
    [ "$rc" = 3 ] || { echo "$out"; echo "expected exit 3, got $rc"; fail_at "$LINENO"; }
    grep -q "offer_history.csv:$line: rejected (contact_date): invalid date '2026-13-01'" <<<"$out" \
        || { echo "$out"; fail_at "$LINENO"; }
    grep -q '^SAV-RATE' "$d/report.txt" || fail_at "$LINENO"   # the report is still printed
}

run_test attack_uplift_rejects t_attack_uplift_rejects
