#!/bin/sh
# The pages of a demo run (tests/demo.sh: generated logs, launchGraphs, every
# program) opened from disk in headless Chromium: no console error, every
# <img> loaded, every link resolving to a file. The screenshot of
# dailyGraphs.html is kept as tests/artefacts/dailyGraphs.png.
. "$(dirname "$0")/lib.sh"

demo=$TMPROOT/demo
if PXS_DEMO_ROOT=$demo sh "$TOP/tests/demo.sh" > "$TMPROOT/demo.out" 2>&1; then
    ok "a demo run (two days, two machines, two launchGraphs cycles) succeeds"
else
    fail "a demo run succeeds"; tail -n 5 "$TMPROOT/demo.out" | sed 's/^/#   /'
fi
grep -q '^demo: open file://.*/webPages/index.html$' "$TMPROOT/demo.out" && ok "the demo ends with the path of index.html" \
    || fail "the demo ends with the path of index.html"
grep -q '^demo: [0-9]* snapshots, [0-9]* databases, [0-9]* graphs, [0-9]* web images, 6 pages' "$TMPROOT/demo.out" \
    && ok "the demo ends with a one-line summary" || fail "the demo ends with a one-line summary"
pages=$demo/stats/webPages
for p in index dailyGraphs weeklyGraphs monthlyGraphs yearlyGraphs status; do
    check "$p.html exists" test -s "$pages/$p.html"
done
check "both days of amis have their daily image" \
    test -s "$demo/stats/webGraphics/daily/tx/amis/Mon.png" -a -s "$demo/stats/webGraphics/daily/tx/amis/Tue.png"
# The demo's last cycle is at 2026-11-25 00:00: its week is that of the 24th.
week=$(python3 -c 'import datetime; print(datetime.date(2026, 11, 24).strftime("%W"))')
check "the weekly latency image of amis exists (week $week)" test -s "$demo/stats/webGraphics/weekly/tx/latency/amis/$week.png"
check "the monthly and yearly images too" \
    test -s "$demo/stats/webGraphics/monthly/rx/bytecount/ncp1/Nov.png" -a -s "$demo/stats/webGraphics/yearly/tx/errors/amis/2026.png"
check "the weekly page links it" grep -q "href=\"../webGraphics/weekly/tx/latency/amis/$week.png\">week $week<" "$pages/weeklyGraphs.html"
check "the 24 h images were uploaded" test -s "$demo/columbo-upload/tx/amis.png"
check "the daily page shows the images" grep -q '<img class="latest" src="../webGraphics/daily/rx/ncp1/Tue.png"' "$pages/dailyGraphs.html"

if ! command -v "${CHROMIUM:-/usr/bin/chromium}" >/dev/null 2>&1; then
    fail "chromium is installed (make check installs it)"; exit 1
fi
mkdir -p "$TOP/tests/artefacts"
shot=$TOP/tests/artefacts/dailyGraphs.png
rm -f "$shot"
# pagecheck.py drives chromium through its DevTools protocol and prints one
# "ok - chromium: <page> ..." line per page.
timeout 90 python3 "$TOP/tests/e2e/pagecheck.py" --screenshot "dailyGraphs.html=$shot" "$pages"/*.html
check "the screenshot of dailyGraphs.html is saved (tests/artefacts/dailyGraphs.png)" test -s "$shot"
size=$(python3 -c 'import struct,sys; d=open(sys.argv[1],"rb").read(24); print(struct.unpack(">II", d[16:24])[0])' "$shot" 2>/dev/null)
check "the screenshot is a PNG 1280 pixels wide (got ${size:-none})" test "${size:-0}" -eq 1280

# The checker itself must catch a broken page: a missing image, a dead link,
# a console error.
mkdir -p "$TMPROOT/bad"
cat > "$TMPROOT/bad/broken.html" <<'END'
<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>broken</title></head>
<body><img src="nothere.png" alt="x"><a href="nowhere.html">dead</a>
<script>console.error("pxs-boom");</script></body></html>
END
timeout 90 python3 "$TOP/tests/e2e/pagecheck.py" "$TMPROOT/bad/broken.html" > "$TMPROOT/bad.out" 2>&1
bad_rc=$?
if [ $bad_rc -eq 1 ] && grep -q '^not ok - chromium: broken.html: .*image not loaded.*nothere.png' "$TMPROOT/bad.out" &&
   grep -q 'link to a missing file: .*nowhere.html' "$TMPROOT/bad.out" && grep -q 'console: pxs-boom' "$TMPROOT/bad.out"; then
    ok "the page checker reports a missing image, a dead link and a console error"
else
    fail "the page checker reports a missing image, a dead link and a console error"; sed 's/^/#   /' "$TMPROOT/bad.out" | head -n 3
fi
