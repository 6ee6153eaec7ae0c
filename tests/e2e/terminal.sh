# Terminal safety: text read from logs (product names) and from the stats
# tree (client and machine names) reaches the table and text outputs of
# pickleView, timesView and statsQuery with no raw control character (an ESC
# sequence, a carriage return, a bell, a C1 CSI): one escaper
# (pxs_term_escape), so that looking at the stats cannot drive the terminal.
# The JSON and CSV outputs keep their own escaping: JSON gives the same
# strings back when parsed, and holds no raw control character either.
. "$(dirname "$0")/lib.sh"

R=$(newroot)
T=$TMPROOT
START="2006-10-08 00:00:00"

# No raw C0 control (but the line feed), DEL, or C1 control (as a UTF-8
# character or a raw byte) in file $1.
inert() {
    python3 - "$1" <<'EOF'
import sys
b = open(sys.argv[1], "rb").read()
bad = [i for i, c in enumerate(b) if (c < 0x20 and c != 0x0a) or c == 0x7f]
t = b.decode("utf-8", "replace")
bad += [i for i, ch in enumerate(t) if 0x80 <= ord(ch) <= 0x9f or 0x202a <= ord(ch) <= 0x202e]
if bad:
    print("# raw control characters at", bad[:5], repr(b[max(0, bad[0] - 20):bad[0] + 20]))
sys.exit(1 if bad else 0)
EOF
}

# Products carrying ESC (clear screen, set the window title), CR, BEL and a
# UTF-8 C1 CSI, in a log statsUpdater collects.
L=$R/log/tx_amis.log
printf '%s\n' \
  "2006-10-08 00:00:05,000 [INFO] (130 Bytes) Bulletin CLR$(printf '\033')[2J$(printf '\033')]0;owned$(printf '\007'):file:CWAO:SA:3:Direct:20061008000001  delivered" \
  "2006-10-08 00:00:06,000 [INFO] (140 Bytes) Bulletin OVER$(printf '\r')WRITE:file:CWAO:SA:3:Direct:20061008000001  delivered" \
  "2006-10-08 00:00:07,000 [INFO] (150 Bytes) Bulletin BEL$(printf '\007\302\233')31m:file:CWAO:SA:3:Direct:20061008000001  delivered" \
  > "$L"
setLastUpdate --root "$R" -m pds5 -c amis -f tx "$START" 2>/dev/null
expect_status 0 "statsUpdater collects the products with control characters" \
    statsUpdater --root "$R" -m pds5 -c amis -f tx -d "2006-10-08 01:00:00"
P=$R/stats/pickles/amis/20061008/tx/pds5_00
check "the hour is written" test -s "$P"

# ---- pickleView ----
expect_status 0 "pickleView prints the hour" pickleView "$P"
cp "$T/.out" "$T/view.txt"
check "pickleView's report holds no raw control character" inert "$T/view.txt"
stdout_has 'CLR\\x1b\[2J\\x1b\]0;owned\\x07:file:CWAO' "ESC and BEL shown escaped"
stdout_has 'OVER\\rWRITE:file' "a carriage return shown escaped"
stdout_has 'BEL\\x07\\u009b31m:file' "a C1 CSI shown escaped"
n=$(grep -c '^    2006-10-08 00:00:0[567]  latency' "$T/view.txt")
[ "$n" = 3 ] && ok "each product stays on its own line (3 value lines)" || fail "each product stays on its own line ($n)"

expect_status 0 "pickleView --json prints the hour" pickleView --json "$P"
cp "$T/.out" "$T/view.json"
check "pickleView --json holds no raw control character" inert "$T/view.json"
if python3 - "$T/view.json" <<'EOF'
import json, sys
o = json.load(open(sys.argv[1], encoding="utf-8"))
b = o["buckets"][0]
names = {b["latency"]["minFile"], b["latency"]["maxFile"], b["bytecount"]["minFile"], b["bytecount"]["maxFile"]}
want = {"CLR\x1b[2J\x1b]0;owned\x07:file:CWAO:SA:3:Direct:20061008000001",
        "BEL\x07\u009b31m:file:CWAO:SA:3:Direct:20061008000001"}
sys.exit(0 if want <= names else 1)
EOF
then ok "--json gives the exact product names back when parsed"; else fail "--json gives the exact product names back when parsed"; fi

# pickleView reads nothing but the files it is given.
expect_status 2 "pickleView refuses --config (it reads none)" pickleView --config /dev/null "$P"
stderr_has "unknown option '--config'" "and says so"
expect_status 2 "pickleView refuses --root" pickleView --root "$R" "$P"

# ---- timesView ----
expect_status 0 "timesView prints the table" timesView --root "$R"
check "timesView's table holds no raw control character" inert "$T/.out"
stdout_has '^# pds5 +\| tx_amis +\| 2006-10-08 01:00:00 #$' "the row of the collected client"
# A PICKLED-TIMES whose names carry control characters (a damaged or
# hand-edited state file): refused or shown escaped, never raw.
cp "$R/stats/PICKLED-TIMES" "$T/times.good"
sed "s/pds5/pd$(printf '\033')[31ms5/" "$T/times.good" > "$R/stats/PICKLED-TIMES"
timesView --root "$R" > "$T/.out" 2> "$T/.err"
check "a machine name with ESC in PICKLED-TIMES: no raw ESC on stdout" inert "$T/.out"
check "... nor on stderr" inert "$T/.err"
stderr_has "PICKLED-TIMES:2: bad machine name 'pd\\\\x1b\\[31ms5'" "the message quotes the name escaped"
cp "$T/times.good" "$R/stats/PICKLED-TIMES"

# ---- statsQuery ----
for f in table csv json openmetrics; do
    expect_status 0 "statsQuery --format $f over the hour" \
        statsQuery --root "$R" -c amis -m pds5 -s "$START" -e "2006-10-08 01:00:00" --by hour --format $f
    cp "$T/.out" "$T/query.$f"
    check "statsQuery --format $f holds no raw control character" inert "$T/query.$f"
done
check "statsQuery's table counts the 3 files" grep -Eq '^amis +pds5 +tx +2006-10-08 00:00:00 +2006-10-08 01:00:00 +3 ' "$T/query.table"
exit 0
