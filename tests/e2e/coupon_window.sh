# SPDX-License-Identifier: Apache-2.0
# tests/e2e/coupon_window.sh -- issue 13 leftover: the return envelope's
# window is a stated assumption (a #9 envelope's, docs/coupon.md) that a
# layout can replace with its own stock's (`coupon.window`).  The remittance
# address is set 1/8 in inside the window, measured on the rendered PDF text
# (pdftotext -bbox); a window over the scan line or the QR code, off the page
# or too small for the address is a layout error at its line and column.
# Sourced by run.sh after coupon.sh (uses its coupon_job; run_test, $FOLIO,
# $WORK, fail_at).

# cpw_check OUT LEFT BOTTOM WIDTH HEIGHT: every coupon's remittance address
# lines start 9 pt right of the window's left edge and lie 9 pt inside it
cpw_check() {
    python3 - "$@" <<'PY'
import glob, html, re, subprocess, sys
out, left, bottom, width, height = sys.argv[1], *map(float, sys.argv[2:])
H = 792.0
lines = ["Harbor & Pine Bank - Payments", "PO Box 4400", "Portland, ME 04112-4400"]
n = 0
for pdf in sorted(glob.glob(out + "/print/*.pdf")):
    x = subprocess.run(["pdftotext", "-bbox", pdf, "-"], check=True, capture_output=True).stdout.decode()
    for page in x.split("<page ")[1:]:
        words = [(float(a), float(b), float(c), float(d), html.unescape(w)) for a, b, c, d, w in
                 re.findall(r'<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">([^<]*)</word>', page)]
        for i, w in enumerate(words):
            if w[4] != "PO" or i + 1 >= len(words) or words[i + 1][4] != "Box":
                continue
            # the three lines: the word runs starting at the line's first word
            for ln in lines:
                first = ln.split()[0]
                cand = [v for v in words if v[4] == first and abs(v[1] - w[1]) < 40]
                if not cand:
                    sys.exit("address line %r not found near the window" % ln)
                v = cand[0]
                if abs(v[0] - (left + 9)) > 0.6:
                    sys.exit("%s: %r starts at x %.2f, the window's left edge + 9 pt is %.2f"
                             % (pdf, ln, v[0], left + 9))
                run = [u for u in words if abs(u[1] - v[1]) < 0.5 and u[0] >= v[0] and u[2] <= left + width]
                right = max(u[2] for u in run)
                if right > left + width - 9 + 0.6:
                    sys.exit("%s: %r ends at x %.2f, past the window's right edge - 9 pt" % (pdf, ln, right))
                if v[1] < H - bottom - height + 9 - 0.6 or v[3] > H - bottom - 9 + 0.6:
                    sys.exit("%s: %r spans y %.2f..%.2f, the window's inside is %.2f..%.2f"
                             % (pdf, ln, v[1], v[3], H - bottom - height + 9, H - bottom - 9))
            n += 1
if not n:
    sys.exit("no coupon found")
print("%d coupons: the remittance address inside the window (%g, %g, %g x %g pt)" % (n, left, bottom, width, height))
PY
}

t_coupon_window() {
    local d="$WORK/cpw" rc
    coupon_job "$d"
    "$FOLIO" run -q "$d/job-print.yaml" --out "$d/out-9"
    # the default: a #9 envelope's window, 7/8 in from the left, 5/8 in from
    # the bottom, 4 1/2 x 1 1/8 in
    cpw_check "$d/out-9" 63 45 324 81
    # a window of the layout's own
    cpw_win() {   # cpw_win NAME 'MAP'
        sed -e "s/^  scan_style: td$/&\n  window: $2/" "$d/layout.yaml" > "$d/layout-$1.yaml"
        grep -q "^  window: " "$d/layout-$1.yaml"
        sed -e "s#$d/layout.yaml#$d/layout-$1.yaml#" "$d/job-print.yaml" > "$d/job-$1.yaml"
    }
    cpw_win own "{left: 100, bottom: 36, width: 260, height: 78}"
    "$FOLIO" run -q "$d/job-own.yaml" --out "$d/out-own"
    cpw_check "$d/out-own" 100 36 260 78
    # windows that cannot be: layout errors naming the key's line
    local line
    line=$(grep -n "^  window: " "$d/layout-own.yaml" | cut -d: -f1)
    for case in scan qr page small clear key; do
        case $case in
        scan)  cpw_win $case "{left: 63, bottom: 45, width: 324, height: 120}"
               want="'coupon.window': its top, 165 pt above the bottom edge, is over the coupon's scan line" ;;
        qr)    cpw_win $case "{left: 63, bottom: 45, width: 420, height: 81}"
               want="'coupon.window': its right edge (483 pt from the left) is under the QR code" ;;
        page)  cpw_win $case "{left: 400, bottom: 10, width: 300, height: 20}"
               want="'coupon.window': left + width (700 pt) is beyond the page's width (612 pt)" ;;
        small) cpw_win $case "{left: 63, bottom: 45, width: 324, height: 40}"
               want="'coupon.remittance_address': 3 lines in style '[a-z]*' do not fit the envelope window (coupon.window)" ;;
        clear) cpw_win $case "{left: 63, bottom: 45, width: 18, height: 81}"
               want="'coupon.window': 18 x 81 pt leaves no room inside its 1/8 in clearance" ;;
        key)   cpw_win $case "{left: 63, bottom: 45, width: 324, height: 81, top: 3}"
               want="unknown key 'top' in 'coupon.window'" ;;
        esac
        rc=0; "$FOLIO" run -q "$d/job-$case.yaml" --out "$d/out-$case" 2>"$d/err-$case" || rc=$?
        cat "$d/err-$case"
        [ "$rc" = 2 ] || fail_at "$LINENO"
        grep -q "layout-$case.yaml:[0-9]*:[0-9]*: .*$want" "$d/err-$case" || fail_at "$LINENO"
        [ ! -e "$d/out-$case/manifest.json" ] || fail_at "$LINENO"
    done
    grep -q "layout-scan.yaml:$line:" "$d/err-scan" || fail_at "$LINENO"
}
run_test coupon_window t_coupon_window
