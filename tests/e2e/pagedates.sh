#!/bin/sh
# A page shows an image under a date only when that image was drawn for that
# date (issue 13, rows f and g, rule 5). Two weeks of hourly cycles of one
# client (graphGen -l, webPages --images with the real rrdGraph) in which
# graphGen fails on two days of the second week, whose files are then last
# week's; a stale image of last year planted in the weekly tree. Opened in
# headless Chromium: those days' cells say the image is missing and link
# nothing; every image linked or shown is the one drawn for its date. The
# frozen week covers exactly [Monday 00:00, Monday 00:00): its first and its
# last hour are in, the hours on either side are not.
. "$(dirname "$0")/lib.sh"

iso() { date -u -d "@$1" '+%Y-%m-%d %H:%M:%S'; }
T0=$(date -u -d "2026-11-16 00:00:00" +%s)   # Monday of week 46
R=$(newroot); S=$R/stats
printf '[databases]\nmachineNames = m1\n' > "$R/etc/pxstats.conf"
# One file a minute for 16 days (from Sunday 15th), and four bursts around
# week 46: the last hour before it (+1000 files in its last minute), its first
# hour (+200 in its first minute), its last hour (+300 in its last minute),
# the first hour after it (+2000). An hourly graph of exactly the week has a
# maximum of 360 files an hour; one a hour off shows 1060 or 2060.
mksnap "$S" amis tx m1 "$(iso $((T0 - 86400)))" $((16 * 24))
mkburst() {   # hour-start extra minute: the hour's snapshot replaced
    f=$S/pickles/amis/$(date -u -d "@$1" +%Y%m%d)/tx/m1_$(date -u -d "@$1" +%H)
    python3 -c '
import sys
h, n, m = int(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3])
for k in range(60): print(h + 60 * k + 30, 1000, 2, "SACN31_CWAO", 0)
for k in range(n): print(h + 60 * m + 45, 10, 2, "SACN31_CWAO", 0)
' "$1" "$2" "$3" | mkrowsnap "$f" --client amis --machine m1 --ft tx --start "$(iso "$1")" >/dev/null
}
mkburst $((T0 - 3600)) 1000 59
mkburst $T0 200 0
mkburst $((T0 + 7 * 86400 - 3600)) 300 59
mkburst $((T0 + 7 * 86400)) 2000 0
rrdTransfer --root "$R" -m m1 -e "$(iso $((T0 + 14 * 86400)))" >/dev/null 2>&1
check "the archive is fed" grep -qx "$(iso $((T0 + 14 * 86400)))" "$S/DATABASE-UPDATES/tx/amis_m1"

# Last year's week 44 under this year's name.
mkdir -p "$S/webGraphics/weekly/tx/filecount/amis"
python3 - "$S/webGraphics/weekly/tx/filecount/amis/44.png" <<'PY'
import struct, sys, zlib
def chunk(t, d): return struct.pack(">I", len(d)) + t + d + struct.pack(">I", zlib.crc32(t + d))
png = b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", 1, 1, 8, 0, 0, 0, 0))
png += chunk(b"tEXt", b"pxstats-span\0" + b"2025-11-03 00:00:00/2025-11-10 00:00:00")
png += chunk(b"IDAT", zlib.compress(b"\0\0")) + chunk(b"IEND", b"")
open(sys.argv[1], "wb").write(png)
PY

# The cycles: every day at 20:00 graphGen draws the 24 h graph and webPages
# copies it; graphGen fails on Tuesday 24 and Saturday 28 (its image stays
# the day before's, which webPages must not take for that day's).
d=0
while [ $d -lt 14 ]; do
    t=$((T0 + d * 86400 + 20 * 3600))
    dow=$(date -u -d "@$t" +%a)
    if ! { [ $d -eq 8 ] || [ $d -eq 12 ]; }; then
        graphGen --root "$R" -c amis -m m1 -l -s 24 -d "$(iso $t)" >/dev/null 2>&1 || fail "graphGen on $dow"
    fi
    env PXS_NOW="$(iso $((t + 600)))" webPages --root "$R" --images >/dev/null 2>&1
    d=$((d + 1))
done
check "Tuesday's and Saturday's files are last week's" \
    test -s "$S/webGraphics/daily/tx/amis/Tue.png" -a -s "$S/webGraphics/daily/tx/amis/Sat.png"
# The week ends: at Monday 23 00:10 the finished week 46 is drawn, frozen.
expect_status 0 "webPages --images at the end of week 46" env PXS_NOW="2026-11-23 00:10:00" webPages --root "$R" --images
expect_status 0 "webPages --images on the last evening" env PXS_NOW="2026-11-29 20:10:00" webPages --root "$R" --images
expect_status 0 "webPages writes the pages" env PXS_NOW="2026-11-29 20:10:00" webPages --root "$R"

# The frozen week: its span, and its first and last hour in, no other.
cat > "$TMPROOT/span.py" <<'PY'
import struct, sys
d = open(sys.argv[1], "rb").read(); p = 8
while p + 8 <= len(d):
    n, t = struct.unpack(">I4s", d[p:p + 8])
    if t == b"tEXt" and d[p + 8:p + 8 + n].startswith(b"pxstats-span\0"):
        print(d[p + 21:p + 8 + n].decode()); break
    p += n + 12
PY
F46=$S/webGraphics/weekly/tx/filecount/amis/46.png
check "the frozen week 46 covers exactly Monday 16 00:00 to Monday 23 00:00" \
    test "$(python3 "$TMPROOT/span.py" "$F46")" = "2026-11-16 00:00:00/2026-11-23 00:00:00"
rrdGraph --root "$R" -c amis --machines m1 -w -l --date "2026-11-23 00:00:00" -t filecount -v >"$TMPROOT/.out" 2>&1
mean=$(python3 -c 'print("%.2f" % ((166 * 60 + 260 + 360) / 168))')
stdout_has "Minimum: 60     Maximum: 360     Mean: $mean$" \
    "its figures hold its first hour (260) and last hour (360), not the hours around (1060, 2060)"
stdout_has "tx_amis_20261123_00:00:00_filecount_7days_on_m1.png" "the frozen drawing ends at the week's end"

# Headless Chromium: what the reader sees.
if ! command -v "${CHROMIUM:-/usr/bin/chromium}" >/dev/null 2>&1; then
    fail "chromium is installed (make check installs it)"; exit 1
fi
P=$S/webPages
timeout 90 python3 "$TOP/tests/e2e/pagecheck.py" --json "dailyGraphs.html=$TMPROOT/daily.json" \
    --json "weeklyGraphs.html=$TMPROOT/weekly.json" "$P/dailyGraphs.html" "$P/weeklyGraphs.html"
cat > "$TMPROOT/dates.py" <<'PY'
import datetime, json, struct, sys
from urllib.parse import unquote, urlparse
def span(path):
    d = open(path, "rb").read(); p = 8
    while p + 8 <= len(d):
        n, t = struct.unpack(">I4s", d[p:p + 8])
        if t == b"tEXt" and d[p + 8:p + 8 + n].startswith(b"pxstats-span\0"):
            a, b = d[p + 21:p + 8 + n].decode().split("/")
            f = lambda s: datetime.datetime.strptime(s, "%Y-%m-%d %H:%M:%S")
            return f(a), f(b)
        p += n + 12
    return None
page, what = sys.argv[1], sys.argv[2]
info = json.load(open(page))
# the graph rows (the daily page opens with a summary table of its own)
row = [r for r in info["rows"] if r["name"] == "amis" and "graphics for TX" in r["section"]][0]
bad = []
if what == "daily":
    items = row["cells"][0]
    missing = [i["text"] for i in items if i["missing"]]
    if missing != ["Tue 24 Nov", "Sat 28 Nov"]:
        bad.append("missing cells: %s" % missing)
    for i in items:
        if i["href"]:
            s = span(unquote(urlparse(i["href"]).path))
            day = datetime.datetime.strptime(i["text"] + " 2026", "%a %d %b %Y")
            if s is None or not day <= s[1] - datetime.timedelta(seconds=1) < day + datetime.timedelta(days=1):
                bad.append("%s links an image drawn for %s" % (i["text"], s))
    imgs = row["imgs"]
    s = span(unquote(urlparse(imgs[0]).path)) if imgs else None
    if not s or s[1] != datetime.datetime(2026, 11, 29, 20):
        bad.append("the latest image shown is %s" % (s,))
else:
    col = row["cells"][3]   # Latency, Files Over, Bytecount, Filecount
    shown = {i["text"]: i for i in col}
    if not shown["week 44"]["missing"] or shown["week 44"]["href"]:
        bad.append("week 44 shows last year's image")
    for w, monday in (("week 46", datetime.datetime(2026, 11, 16)), ("week 47", datetime.datetime(2026, 11, 23))):
        i = shown[w]
        s = span(unquote(urlparse(i["href"]).path)) if i["href"] else None
        if s != (monday, monday + datetime.timedelta(days=7)):
            bad.append("%s: %s" % (w, s))
for b in bad: print("#   " + b)
sys.exit(1 if bad else 0)
PY
check "chromium, daily page: Tuesday 24 and Saturday 28 say missing, every other day links the image drawn that day" \
    python3 "$TMPROOT/dates.py" "$TMPROOT/daily.json" daily
check "chromium, weekly page: last year's week 44 is missing; weeks 46 and 47 link their exact weeks" \
    python3 "$TMPROOT/dates.py" "$TMPROOT/weekly.json" weekly
