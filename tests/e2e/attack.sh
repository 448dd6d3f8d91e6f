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


# The balance chart's alternate text (tagged archive documents) named each
# account by its full id while the page masks it (account_number.mask:
# last4): the structure tree of an e-mailed statement disclosed the number
# the statement hides.  It is now masked exactly as on the page.
t_attack_chart_alt_masked() {
    local d="$WORK/attack-alt"
    rm -rf "$d"
    "$FOLIO" samples --households 6 --seed 11 --out "$d" >/dev/null
    cp "$ROOT/layouts/paragraphs.yaml" "$d/"
    python3 "$ROOT/tests/e2e/check_graphics.py" setup "$d" "$ROOT"
    grep -q 'mask: last4' "$d/g.yaml" || fail_at "$LINENO"
    sed -i 's/,print,/,email,/; s/,both,/,email,/' "$d/customers.csv"
    (cd "$d/.." && "$FOLIO" run "$d/job.yaml" --out "$d/out" --quiet)
    mkdir -p "$d/docs"
    for z in "$d"/out/archive/*.zip; do unzip -qo "$z" '*.pdf' -d "$d/docs"; done
    python3 - "$d" <<'PY'
import csv, glob, re, subprocess, sys
d = sys.argv[1]
ids = set()
for f in glob.glob(d + "/*_accounts.csv"):
    ids |= {r["account_id"] for r in csv.DictReader(open(f, encoding="utf-8"))}
alts = 0
for f in glob.glob(d + "/docs/*.pdf"):
    q = subprocess.run(["qpdf", "--qdf", "--object-streams=disable", f, "-"],
                       capture_output=True, check=False).stdout
    # /Alt as UTF-16 hex, or (round 23) a literal string when it is ASCII
    for m in re.finditer(rb"/Alt\s*(?:<(?:FEFF|feff)([0-9A-Fa-f\s]*)>|\(((?:[^()\\]|\\.)*)\))", q):
        if m.group(1) is not None:
            t = bytes.fromhex(re.sub(rb"\s", b"", m.group(1)).decode()).decode("utf-16-be")
        else:
            t = re.sub(rb"\\(.)", rb"\1", m.group(2)).decode("latin-1")
        if "account" not in t:
            continue
        alts += 1
        leak = [i for i in ids if i in t]
        assert not leak, f"{f}: alternate text shows full account ids {leak}: {t}"
        assert re.search(r"account \*+\d{4}", t), t
assert alts, "no balance chart alternate text found"
print("ok", alts, "chart alternate texts masked")
PY
}

# account_number.mask: full and an account id longer than the 64-byte cell
# buffer of the summary table: the cell was read past its buffer (NULs and
# stack bytes drawn as missing glyphs); the id is now taken as it is.
t_attack_long_account_id() {
    local d="$WORK/attack-longid"
    rm -rf "$d"
    "$FOLIO" samples --households 3 --seed 11 --out "$d" >/dev/null
    cp "$ROOT/layouts/paragraphs.yaml" "$d/"
    sed -e 's/mask: *last4/mask: full/' -e "s#file: logo.png#file: $ROOT/layouts/logo.png#" -e "s#file: ../fonts/#file: $ROOT/fonts/#" \
        "$ROOT/layouts/statement.yaml" > "$d/full.yaml"
    sed -i "s#^layout: .*#layout: \"$d/full.yaml\"#" "$d/job.yaml"
    local long old
    long="A$(printf '7%.0s' $(seq 99))"
    old=$(sed -n 2p "$d/checking_accounts.csv" | cut -d, -f1)
    sed -i "s/$old/$long/g" "$d/checking_accounts.csv" "$d/checking_transactions.csv"
    "$FOLIO" run "$d/job.yaml" --out "$d/out" --quiet 2>"$d/err"
    ! grep -q 'U+0000' "$d/err" || { cat "$d/err"; fail_at "$LINENO"; }
    python3 -c 'import json,sys; c=json.load(open(sys.argv[1]))["counts"]; assert c.get("notdef_chars", 0) == 0, c' \
        "$d/out/manifest.json"
}

run_test attack_chart_alt_masked t_attack_chart_alt_masked
run_test attack_long_account_id t_attack_long_account_id
# --work inside the output directory: the run left the (empty) work
# directory in OUT and `folio verify` then failed a run that exited 0
# ("stray directory").  Refused up front (exit 2), also through a symlink
# and "..", before OUT is made; --work OUT itself (the default) still runs.
t_attack_work_inside_out() {
    local d="$WORK/attack-work" rc
    rm -rf "$d"
    "$FOLIO" samples --households 3 --seed 3 --out "$d" >/dev/null
    mkdir -p "$d/o1" "$d/links"
    ln -s "$d/o1" "$d/links/out"
    for w in "$d/o2/work" "$d/links/out/w" "$d/o3/../o3/./w"; do
        local o="$d/o2"
        case "$w" in *links*) o="$d/o1" ;; *o3*) o="$d/o3" ;; esac
        rm -rf "$o"; [ "$o" = "$d/o1" ] && mkdir -p "$o"
        set +e
        "$FOLIO" run "$d/job.yaml" --out "$o" --work "$w" --quiet 2>"$d/err"; rc=$?
        set -e
        [ "$rc" = 2 ] || { cat "$d/err"; echo "--work $w: expected exit 2, got $rc"; fail_at "$LINENO"; }
        grep -q -- "--work .* is inside the output directory" "$d/err" || { cat "$d/err"; fail_at "$LINENO"; }
        [ ! -e "$w" ] || fail_at "$LINENO"
    done
    # no --out: OUT is the job's (default DIR/out beside the job file)
    set +e
    "$FOLIO" run "$d/job.yaml" --work "$d/out/w" --quiet 2>"$d/err"; rc=$?
    set -e
    [ "$rc" = 2 ] && grep -q -- "--work .* is inside the output directory" "$d/err" \
        || { cat "$d/err"; echo "job's OUT: expected exit 2, got $rc"; fail_at "$LINENO"; }
    "$FOLIO" run "$d/job.yaml" --out "$d/o4" --work "$d/o4" --quiet
    "$FOLIO" run "$d/job.yaml" --out "$d/o5" --work "$d/o5-work" --quiet
    "$FOLIO" verify "$d/o4" >/dev/null
    "$FOLIO" verify "$d/o5" >/dev/null
}

# A FIFO named as an offer's picture (or a layout image) or as the PDF/VT
# ICC profile hung the run forever in open(); every other input goes
# through folio_input_open, which refuses it.  Now a job error (exit 2).
t_attack_fifo_inputs() {
    local d="$WORK/attack-fifo" rc
    rm -rf "$d"
    "$FOLIO" samples --households 6 --seed 5 --out "$d" >/dev/null
    python3 "$ROOT/tests/e2e/check_offers_image.py" setup "$d" "$ROOT"
    mkfifo "$d/pipe.png"
    grep -q 'es: phone-es.png' "$d/offers.yaml" || fail_at "$LINENO"
    sed -e 's/es: phone-es.png/es: pipe.png/' "$d/offers.yaml" > "$d/bad.yaml"
    sed -e "s#$d/offers.yaml#$d/bad.yaml#" "$d/job.yaml" > "$d/job-img.yaml"
    set +e
    timeout 60 "$FOLIO" run "$d/job-img.yaml" --out "$d/o1" --quiet 2>"$d/err"; rc=$?
    set -e
    [ "$rc" = 2 ] || { cat "$d/err"; echo "offer image FIFO: expected exit 2, got $rc"; fail_at "$LINENO"; }
    grep -Eq "bad.yaml:[0-9]+:[0-9]+: .*cannot use image 'pipe.png': cannot read it: is a FIFO" "$d/err" \
        || { cat "$d/err"; fail_at "$LINENO"; }
    sed -e "s#^    prefix: statements\$#&\n    pdf_profile: pdfvt\n    icc_profile: $d/pipe.png#" \
        "$d/job.yaml" > "$d/job-vt.yaml"
    grep -q 'icc_profile' "$d/job-vt.yaml" || fail_at "$LINENO"
    set +e
    timeout 60 "$FOLIO" run "$d/job-vt.yaml" --out "$d/o2" --quiet 2>"$d/err"; rc=$?
    set -e
    [ "$rc" = 2 ] || { cat "$d/err"; echo "ICC FIFO: expected exit 2, got $rc"; fail_at "$LINENO"; }
    grep -Eq "job-vt.yaml:[0-9]+:[0-9]+: ICC output profile .*pipe.png is not a regular file" "$d/err" \
        || { cat "$d/err"; fail_at "$LINENO"; }
}

# Frequency: a quarterly statement due in December covers October to
# December.  With a transactions feed of December only, it said "10/01/2026
# to 12/31/2026" over December's rows with December's opening balance, exit
# 0.  Now each such household is an exception (exit 3) naming the interval
# and the feeds' first row; the feed that carries the quarter runs clean.
t_attack_frequency_feed_cover() {
    local d="$WORK/attack-freq" rc
    rm -rf "$d"; mkdir -p "$d"
    python3 "$ROOT/tests/e2e/journey_feeds.py" frequency "$d" "$ROOT"
    (head -1 "$d/trans.csv"; grep ',2026-12-' "$d/trans.csv") > "$d/t-dec.csv"
    sed 's#path: trans.csv#path: t-dec.csv#' "$d/job-dec.yaml" > "$d/job-short.yaml"
    grep -q t-dec.csv "$d/job-short.yaml" || fail_at "$LINENO"
    set +e
    "$FOLIO" run "$d/job-short.yaml" --out "$d/short" --quiet 2>"$d/err"; rc=$?
    set -e
    [ "$rc" = 3 ] || { cat "$d/err"; echo "expected exit 3, got $rc"; fail_at "$LINENO"; }
    grep -q '^other,H2,,,t-dec.csv,[0-9]*,,sent,statement interval 2026-10-01 to 2026-12-31 (frequency) begins before the transactions feeds (first row 2026-12-01)' \
        "$d/short/exceptions.csv" || { cat "$d/short/exceptions.csv"; fail_at "$LINENO"; }
    "$FOLIO" run "$d/job-dec.yaml" --out "$d/full" --quiet
    [ "$(wc -l < "$d/full/exceptions.csv")" = 1 ] || fail_at "$LINENO"
}

# An events row of type `statement` is statement history, counted per
# channel print / email.  "Print" or an empty channel was skipped without a
# word, the household then treated as having no history (a quarterly
# statement due or not by the calendar instead).  Now a reject naming it.
t_attack_statement_channel() {
    local d="$WORK/attack-stchan" rc
    rm -rf "$d"; mkdir -p "$d"
    python3 "$ROOT/tests/e2e/journey_feeds.py" frequency "$d" "$ROOT"
    printf 'key,type,date,channel\nc2,statement,2026-10-31,Print\nc2,statement,2026-09-30,\nc1,statement,2026-11-30,email\n' > "$d/events.csv"
    sed -e 's#^feeds:#feeds:\n  - {name: events, kind: events, path: events.csv, columns: {key: key, type: type, date: date, channel: channel}}#' \
        "$d/job-dec.yaml" > "$d/job-hist.yaml"
    set +e
    "$FOLIO" run "$d/job-hist.yaml" --out "$d/out" --quiet 2>"$d/err"; rc=$?
    set -e
    [ "$rc" = 3 ] || { cat "$d/err"; echo "expected exit 3, got $rc"; fail_at "$LINENO"; }
    grep -q "^events.csv,2,channel,statement history row: channel 'Print' is neither print nor email," "$d/out/rejects.csv" \
        || { cat "$d/out/rejects.csv"; fail_at "$LINENO"; }
    grep -q "^events.csv,3,channel,statement history row: channel '' is neither print nor email," "$d/out/rejects.csv" \
        || { cat "$d/out/rejects.csv"; fail_at "$LINENO"; }
    [ "$(grep -c '^events.csv' "$d/out/rejects.csv")" = 2 ] || fail_at "$LINENO"
}

# report.html's uplift table for an offer without held-out contacts: the
# holdout rate is not a number, and its cell read "-92233720368547758.08"
# (llround of NaN).  Now "-", as in the other cells without a figure.
t_attack_report_no_holdout() {
    local d="$WORK/attack-noholdout"
    rm -rf "$d"
    "$FOLIO" samples --households 5 --seed 3 --out "$d" >/dev/null
    grep -q ',holdout$' "$d/offer_history.csv" || fail_at "$LINENO"
    grep -v ',holdout$' "$d/offer_history.csv" > "$d/h.csv" && mv "$d/h.csv" "$d/offer_history.csv"
    "$FOLIO" run "$d/uplift.yaml" --out "$d/out" --quiet
    grep -q '<table class="uplift">' "$d/out/report.html" || fail_at "$LINENO"
    ! grep -q '922337203685477' "$d/out/report.html" || { grep 922337 "$d/out/report.html"; fail_at "$LINENO"; }
    grep -q '<tr><td>SAV-RATE</td><td>A</td><td>[0-9]*</td><td>[0-9]*</td><td>[0-9.]*</td><td>0</td><td>-</td><td>-</td><td>no holdout or no contacts</td>' \
        "$d/out/report.html" || { grep -A3 'class="uplift"' "$d/out/report.html"; fail_at "$LINENO"; }
}

run_test attack_uplift_rejects t_attack_uplift_rejects
run_test attack_work_inside_out t_attack_work_inside_out
run_test attack_fifo_inputs t_attack_fifo_inputs
run_test attack_frequency_feed_cover t_attack_frequency_feed_cover
run_test attack_statement_channel t_attack_statement_channel
run_test attack_report_no_holdout t_attack_report_no_holdout
