#!/bin/sh
# webPages: the image tree (daily copies, the rrdGraph drawings that are due)
# and the five pages, on a hand-made stats tree.
. "$(dirname "$0")/lib.sh"

r=$(newroot)
s=$r/stats
png() { mkdir -p "$(dirname "$1")" && convert -size "${2:-64x32}" xc:white "$1"; }
# span FILE START END: stamps the PNG with the span it was drawn for (the
# pxstats-span tEXt chunk after IHDR, as rrdGraph and graphGen -l write it).
span() {
    python3 - "$@" <<'PY'
import struct, sys, zlib
path, start, end = sys.argv[1:4]
d = open(path, "rb").read()
data = b"pxstats-span\0" + ("%s/%s" % (start, end)).encode()
chunk = struct.pack(">I", len(data)) + b"tEXt" + data + struct.pack(">I", zlib.crc32(b"tEXt" + data))
open(path, "wb").write(d[:33] + chunk + d[33:])
PY
}

# -- command line ------------------------------------------------------------
expect_status 0 "webPages -h exits 0" webPages -h
stdout_has '^usage: webPages \[--images' "-h prints the usage on stdout"
expect_status 2 "an unknown option is a usage error" webPages --bogus
expect_status 2 "--refresh without --images is a usage error" webPages --refresh
expect_status 2 "a bad date is a usage error" webPages --date "yesterday"
stderr_has 'YYYY-MM-DD HH:MM:SS' "the bad date message gives the format"
synopsis=$(sed -n '/^\.SH SYNOPSIS/,/^\.SH DESCRIPTION/p' "$TOP/man/webPages.1" | grep -c 'images')
check "the man page's SYNOPSIS has the options of -h" test "$synopsis" -ge 1

# -- a tree: two tx clients, one rx source, a few images -----------------------
mkdir -p "$s/pickles/amis/20261129/tx" "$s/pickles/satnet/20261128/tx" "$s/pickles/ncp1/20261129/rx"
png "$s/webGraphics/columbo/tx/amis.png" 1280x768
span "$s/webGraphics/columbo/tx/amis.png" "2026-11-29 13:00:00" "2026-11-30 13:00:00"
png "$s/webGraphics/columbo/rx/ncp1.png" 1280x768
span "$s/webGraphics/columbo/rx/ncp1.png" "2026-11-29 13:00:00" "2026-11-30 13:00:00"
png "$s/webGraphics/weekly/tx/latency/amis/48.png" 800x200
span "$s/webGraphics/weekly/tx/latency/amis/48.png" "2026-11-30 00:00:00" "2026-12-07 00:00:00"
png "$s/webGraphics/monthly/rx/errors/ncp1/Nov.png" 800x200
span "$s/webGraphics/monthly/rx/errors/ncp1/Nov.png" "2026-11-01 00:00:00" "2026-12-01 00:00:00"
# last year's November of amis: the same file name, another month
png "$s/webGraphics/monthly/tx/errors/amis/Nov.png" 800x200
span "$s/webGraphics/monthly/tx/errors/amis/Nov.png" "2025-11-01 00:00:00" "2025-12-01 00:00:00"
# every span drawn before (webimages keeps a .drawn stamp per span)
for span in weekly monthly yearly; do mkdir -p "$s/webGraphics/$span"; echo x > "$s/webGraphics/$span/.drawn"; done
# fed databases (rrdGraph is run for a group and fileType only when some are)
mkdir -p "$s/DATABASE-UPDATES/tx" "$s/DATABASE-UPDATES/rx"
for f in tx/amis_pds5pds6 rx/ncp1_pds5pds6 tx/amis_pxatx; do echo 1795000000 > "$s/DATABASE-UPDATES/$f"; done
# webPages beside a stand-in rrdGraph that records its arguments
mkdir -p "$r/bin"
cp "$BIN/webPages" "$r/bin/webPages"
printf '#!/bin/sh\necho "$*" >> "%s/rrdgraph.calls"\n' "$r" > "$r/bin/rrdGraph"
chmod +x "$r/bin/rrdGraph"
cat > "$r/etc/pxstats.conf" <<EOF
[databases]
machineNames = pds5,pds6;pxatx
EOF

# 2026-11-30 is a Monday: at 00:10 the last complete hour is Sunday's.
expect_status 0 "webPages --images copies the 24 h graphs" \
    env PXS_NOW="2026-11-30 00:10:00" webPages --root "$r" --images --dry-run
stdout_has "rrdGraph .*-f tx --machines pds5,pds6 -c All -w -l --date '2026-11-30 00:00:00'" \
    "at the week's end the finished week is drawn up to its end (frozen, [Monday, Monday))"
stdout_has "rrdGraph .*-f tx --machines pxatx -c All -m -l --date '2026-11-30 00:00:00'" \
    "at midnight the month is redrawn up to midnight"
stdout_has "-y -l --date '2026-11-30 00:00:00'" "at midnight the year is redrawn"
check "--dry-run copies nothing" test ! -e "$s/webGraphics/daily"
n=$(grep -c rrdGraph "$TMPROOT/.out")
check "rrdGraph is planned for 3 spans x (pds5,pds6 rx,tx + pxatx tx) (9, got $n)" test "$n" -eq 9
check "no drawing for a group without fed databases (pxatx rx)" sh -c "! grep -q -- '-f rx --machines pxatx' '$TMPROOT/.out'"

expect_status 0 "at 13:00 with every folder present nothing is drawn" \
    env PXS_NOW="2026-11-30 13:00:00" webPages --root "$r" --images --dry-run
check "no rrdGraph at an odd hour" test ! -s "$TMPROOT/.out"
expect_status 0 "at 14:00 the week is redrawn" \
    env PXS_NOW="2026-11-30 14:00:00" webPages --root "$r" --images --dry-run
stdout_has "-w -l --date '2026-11-30 14:00:00'" "every other hour the current week is redrawn"
stdout_has "-w -l --date '2026-11-30 00:00:00'" "during the first day of a week the finished one is drawn again"
check "... and only the week" sh -c "! grep -q -- ' -m -l\| -y -l' '$TMPROOT/.out'"
expect_status 0 "on Tuesday at 14:00" env PXS_NOW="2026-12-01 14:00:00" webPages --root "$r" --images --dry-run
check "the finished week is not drawn again after the first day" sh -c "! grep -q -- \"--date '2026-11-30 00:00:00'\" '$TMPROOT/.out'"

# A real --images run at an odd hour (no rrdGraph due): the daily copies.
expect_status 0 "webPages --images at 13:10 succeeds" \
    env PXS_NOW="2026-11-30 13:10:00" webPages --root "$r" --images
check "amis's 24 h graph is Monday's daily image" cmp "$s/webGraphics/columbo/tx/amis.png" "$s/webGraphics/daily/tx/amis/Mon.png"
check "ncp1's too (rx)" cmp "$s/webGraphics/columbo/rx/ncp1.png" "$s/webGraphics/daily/rx/ncp1/Mon.png"
check "no rrdGraph run at 13:10" test ! -e "$r/rrdgraph.calls"
expect_status 0 "webPages --images at Monday 00:30, the 24 h graphs still Monday's" \
    env PXS_NOW="2026-11-30 00:30:00" "$r/bin/webPages" --root "$r" --images
check "a graph drawn for another day is not copied under Sunday's name" test ! -e "$s/webGraphics/daily/tx/amis/Sun.png"
span "$s/webGraphics/columbo/tx/amis.png" "2026-11-29 00:00:00" "2026-11-30 00:00:00"
rm -f "$r/rrdgraph.calls"
expect_status 0 "webPages --images at Monday 00:30" \
    env PXS_NOW="2026-11-30 00:30:00" "$r/bin/webPages" --root "$r" --images
check "the graph ending at midnight is Sunday's" test -s "$s/webGraphics/daily/tx/amis/Sun.png"
check "rrdGraph (found beside webPages) was run 9 times" test "$(wc -l < "$r/rrdgraph.calls")" -eq 9

# -- the pages -----------------------------------------------------------------
expect_status 0 "webPages (all pages) succeeds" env PXS_NOW="2026-11-30 13:10:00" webPages --root "$r"
for p in index dailyGraphs weeklyGraphs monthlyGraphs yearlyGraphs status; do
    check "webPages/$p.html written" test -s "$s/webPages/$p.html"
done
left=$(ls -A "$s/webPages" | grep -vc '\.html$')
check "no temporary file left in webPages/ ($left)" test "$left" -eq 0

pd=$s/webPages/dailyGraphs.html
# (the summary of the last 24 hours comes first; these are the graphs' sections)
rxline=$(grep -n 'graphics for RX sources' "$pd" | cut -d: -f1)
txline=$(grep -n 'graphics for TX clients' "$pd" | cut -d: -f1)
ncp1=$(grep -n '<td class="name">ncp1<' "$pd" | cut -d: -f1)
amis=$(grep -n '<td class="name">amis<' "$pd" | cut -d: -f1)
check "RX sources come before TX clients" test "$rxline" -lt "$txline"
check "ncp1 is an rx source" test "$ncp1" -gt "$rxline" -a "$ncp1" -lt "$txline"
check "amis is a tx client" test "$amis" -gt "$txline"
check "satnet (no image at all) is listed" grep -q '>satnet<' "$pd"
check "the daily page links Monday's image of amis" grep -q 'href="../webGraphics/daily/tx/amis/Mon.png">Mon 30 Nov<' "$pd"
check "the daily page shows it" grep -q '<img class="latest" src="../webGraphics/daily/tx/amis/Mon.png"' "$pd"
check "a missing day is a grey label, not a link" grep -q '<span class="missing" title="no image drawn for this date">Tue 24 Nov</span>' "$pd"
check "seven days per row" test "$(grep -A1 '<td class="name">amis<' "$pd" | grep -o 'Nov</[as]' | wc -l)" -eq 7
pw=$s/webPages/weeklyGraphs.html
check "the weekly page links week 48 of amis's latency" grep -q 'href="../webGraphics/weekly/tx/latency/amis/48.png">week 48<' "$pw"
check "tx columns: Latency | Files Over Maximum Latency | Bytecount | Filecount | Errors" \
    grep -q '<th scope="col">Client</th><th scope="col">Latency</th><th scope="col">Files Over Maximum Latency</th><th scope="col">Bytecount</th><th scope="col">Filecount</th><th scope="col">Errors</th>' "$pw"
check "rx columns: Bytecount | Filecount | Errors" \
    grep -q '<th scope="col">Source</th><th scope="col">Bytecount</th><th scope="col">Filecount</th><th scope="col">Errors</th>' "$pw"
check "five weeks per cell (44..48)" sh -c "grep -A1 '>amis<' '$pw' | grep -q 'week 44.*week 45.*week 46.*week 47.*week 48'"
pm=$s/webPages/monthlyGraphs.html
check "the monthly page links November of ncp1's errors" grep -q 'href="../webGraphics/monthly/rx/errors/ncp1/Nov.png">Nov 2026<' "$pm"
check "last year's November of amis is not shown under this November" sh -c "! grep -q 'monthly/tx/errors/amis/Nov.png' '$pm'"
check "three months per cell (Sep..Nov)" sh -c "grep -A3 '>ncp1<' '$pm' | grep -q 'Sep 2026.*Oct 2026.*Nov 2026'"
check "three years on the yearly page" grep -q '2024.*2025.*2026' "$s/webPages/yearlyGraphs.html"
check "the index counts the names" grep -q '1 RX sources, 2 TX clients' "$s/webPages/index.html"

# Every href of every page is relative and names an existing file (or, for
# "#id", an element of the same page).
bad=$(cd "$s/webPages" && for f in *.html; do
    grep -o 'href="[^"]*"' "$f" | sed 's/^href="//; s/"$//' | while read -r h; do
        case $h in
            /*|*://*) echo "$f: absolute $h" ;;
            '#'*) grep -q "id=\"${h#\#}\"" "$f" || echo "$f: no element $h" ;;
            *) [ -e "$h" ] || echo "$f: missing $h" ;;
        esac
    done
done)
check "every link of every page is relative and resolves${bad:+: $bad}" test -z "$bad"

# Valid HTML5 structure: a doctype, and every element closed in order.
cat > "$TMPROOT/htmlcheck.py" <<'EOF'
import sys
from html.parser import HTMLParser
VOID = {"meta", "img", "br", "link", "input", "hr"}
class P(HTMLParser):
    def __init__(self):
        super().__init__(); self.stack = []; self.errors = []; self.doctype = False
    def handle_decl(self, d): self.doctype = d.lower() == "doctype html"
    def handle_starttag(self, t, a):
        if t not in VOID: self.stack.append(t)
    def handle_endtag(self, t):
        if not self.stack or self.stack[-1] != t: self.errors.append("unexpected </%s>" % t)
        else: self.stack.pop()
bad = 0
for f in sys.argv[1:]:
    p = P(); p.feed(open(f, encoding="utf-8").read()); p.close()
    if not p.doctype or p.errors or p.stack:
        print(f, p.doctype, p.errors[:3], p.stack); bad = 1
sys.exit(bad)
EOF
check "every page is well formed HTML5 (doctype, balanced elements)" python3 "$TMPROOT/htmlcheck.py" "$s"/webPages/*.html

# -- failures ------------------------------------------------------------------
cp "$pd" "$TMPROOT/daily.before"
r2=$(newroot)
echo "not a directory" > "$r2/stats/webPages"
expect_status 1 "an unwritable webPages/ fails with status 1" webPages --root "$r2" --daily
stderr_has 'webPages/(dailyGraphs|index)\.html' "the message names the page"
chmod 000 "$s/webGraphics/columbo/rx/ncp1.png"
if [ "$(id -u)" -ne 0 ]; then
    expect_status 1 "an unreadable 24 h graph fails the run" env PXS_NOW="2026-11-30 15:10:00" webPages --root "$r" --images
    check "... after copying the others" test -s "$s/webGraphics/daily/tx/amis/Mon.png"
fi
chmod 644 "$s/webGraphics/columbo/rx/ncp1.png"
printf '#!/bin/sh\necho "rrdGraph: cannot draw" >&2\nexit 1\n' > "$r/bin/rrdGraph"
expect_status 1 "a failing rrdGraph makes --images fail" \
    env PXS_NOW="2026-11-30 16:10:00" "$r/bin/webPages" --root "$r" --images --daily
stderr_has 'rrdGraph -w -f (rx|tx) --machines pds5,pds6 failed' "the failing drawing is named"
check "the pages are still written" grep -q 'Generated for 2026-11-30 16:10:00' "$pd"

# A machine named twice in the config's groups: refused, exit 2 (rule 4).
r3=$(newroot)
printf '[databases]\nmachineNames = m1,m1\n' > "$r3/etc/pxstats.conf"
expect_status 2 "webPages --images refuses a machine named twice in [databases] machineNames" \
    webPages --root "$r3" --images --dry-run
stderr_has "machineNames: machine 'm1' named twice" "and names the key and the machine"
