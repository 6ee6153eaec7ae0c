#!/bin/sh
# statsUpdater at the edges (issue 12): no line lost to a bad clock, a bad
# file or an unlucky order, or a loud error with nothing advanced. One block
# per row of the issue's table (a..m) and its variants; the snapshots are
# checked against pxcheck's independent arithmetic, or the state against what
# it was (PICKLED-TIMES unchanged, no snapshot written, exit 1, the file and
# the cause named).
. "$(dirname "$0")/lib.sh"
PXCHECK="python3 $TOP/tests/tools/pxcheck.py"
START="2026-01-10 00:00:00"
hour() { date -u -d "$START UTC + $1 hours" "+%Y-%m-%d %H:%M:%S"; }

# verify ROOT NAME START END [pxcheck options] -- FILES...: the tx snapshots of
# NAME (machine m1) against pxcheck.
verify() {
    _vr=$1 _vn=$2 _vs=$3 _ve=$4; shift 4
    _vo=""
    while [ "$1" != "--" ]; do _vo="$_vo $1"; shift; done
    shift
    # shellcheck disable=SC2086
    $PXCHECK verify --malformed --stats "$_vr/stats" --pickleview "$BIN/pickleView" -f tx -c "$_vn" \
        -m m1 --start "$_vs" --end "$_ve" $_vo "$@" > "$TMPROOT/.verify" 2>&1
}
verified() {   # verified "description" verify-arguments...
    _vd=$1; shift
    if verify "$@"; then ok "$_vd"; else fail "$_vd"; head -n 5 "$TMPROOT/.verify" | sed 's/^/#   /'; fi
}
# A tx data line: line DATE-TIME BYTES PRODUCT
line() { printf '%s,000 [INFO] (%s Bytes) Bulletin %s:file:CWAO:SA:3:Direct:%s  delivered\n' \
    "$1" "$2" "$3" "$(echo "$1" | tr -d ' :-')"; }
times_line() { grep " tx_$2 " "$1/stats/PICKLED-TIMES" 2>/dev/null; }
count_snapshots() { find "$1/stats/pickles/$2" -type f 2>/dev/null | wc -l; }
# A log of one client: gen ROOT NAME HOURS SEED [loggen options]
gen() {
    _gr=$1 _gn=$2 _gh=$3 _gs=$4; shift 4
    loggen --logdir "$_gr/log" --names "$_gn" --sources 0 --start "$START" --hours "$_gh" --seed "$_gs" -q "$@"
}
# insert FILE AFTER_LINE TEXT: TEXT (lines) after line AFTER_LINE of FILE.
insert() {
    python3 - "$@" <<'PY'
import sys
path, after, text = sys.argv[1], int(sys.argv[2]), sys.argv[3].encode()
lines = open(path, "rb").read().split(b"\n")
lines[after:after] = text.split(b"\n")
open(path, "wb").write(b"\n".join(lines))
PY
}
# the number of the first line of FILE dated at or after DATE
line_at() { grep -a -n "^$2" "$1" | head -n 1 | cut -d: -f1; }

# --- (a) a line from the far future in the middle of a log ----------------------------
a=$(newroot); gen "$a" c 6 21 --noise --rate 1200
n=$(line_at "$a/log/tx_c.log" "2026-01-10 02:3")
insert "$a/log/tx_c.log" "$n" "$(line "2038-01-19 03:14:07" 4242 FUTURE1)"
statsUpdater --root "$a" -m m1 -c c -d "$(hour 1)"
expect_status 0 "(a) a 2038 line in the middle: the run succeeds" statsUpdater --root "$a" -m m1 -c c -d "$(hour 6)" -v
verified "(a) every hour after it is counted, the line malformed (pxcheck)" "$a" c "$START" "$(hour 6)" -- "$a"/log/tx_c.log
[ "$(count_snapshots "$a" c)" -eq 6 ] && ok "(a) 6 snapshots" || fail "(a) 6 snapshots ($(count_snapshots "$a" c))"
times_line "$a" c | grep -q "$(hour 6)" && ok "(a) PICKLED-TIMES at the hour of DATE" || fail "(a) PICKLED-TIMES: $(times_line "$a" c)"
stderr_has "tx_c.log:$((n + 1)): a line from the future \(dated 2038-01-19 03:14:07\)" "(a) -v names the file and the line number"
grep -q "tx_c.log:$((n + 1)): a line from the future" "$a/stats/log/statsUpdater.log" && ok "(a) so does the run log" || fail "(a) run log"
grep -q "1 from the future" "$a/stats/log/statsUpdater.log" && ok "(a) the run log counts it" || fail "(a) run log count"
# Hour by hour, the same line is from the future in the run that meets it.
b=$(newroot); cp "$a/log/tx_c.log" "$b/log/"
for h in 1 2 3 4 5 6; do statsUpdater --root "$b" -m m1 -c c -d "$(hour $h)" || fail "(a) hourly run $h"; done
same_files "(a) hour by hour = catch-up" "$a/stats/pickles" "$b/stats/pickles"

# Several future lines (a block, and one more later), one in a rotated .gz.
s=$(newroot); loggen --logdir "$s/log" --names c --sources 0 --start "$START" --hours 30 --seed 22 -q \
    --noise --rate 900 --gzip-rotated
zcat "$s/log/tx_c.log.2026-01-10" > "$s/plain" 2>/dev/null || cp "$s/log/tx_c.log.2026-01-10" "$s/plain"
n=$(line_at "$s/plain" "2026-01-10 05:1")
insert "$s/plain" "$n" "$(line "2031-06-01 00:00:00" 1 F1)
$(line "2031-06-01 00:00:01" 2 F2)
$(line "2099-12-31 23:59:59" 3 F3)"
n=$(line_at "$s/plain" "2026-01-10 17:0")
insert "$s/plain" "$n" "$(line "2030-01-01 12:00:00" 4 F4)"
rm -f "$s/log/tx_c.log.2026-01-10"; gzip -c "$s/plain" > "$s/log/tx_c.log.2026-01-10.gz"; rm "$s/plain"
n=$(line_at "$s/log/tx_c.log" "2026-01-11 02:0")
insert "$s/log/tx_c.log" "$n" "$(line "2038-01-19 03:14:07" 5 F5)"
setLastUpdate --root "$s" -m m1 -c c "$START"
expect_status 0 "(a) several future lines, some in a .gz: the run succeeds" statsUpdater --root "$s" -m m1 -c c -d "$(hour 30)"
verified "(a) several future lines, some in a .gz: exact" "$s" c "$START" "$(hour 30)" -- "$s"/log/tx_c.log*
grep -q "5 from the future" "$s/stats/log/statsUpdater.log" && ok "(a) the 5 future lines are counted" || fail "(a) 5 future lines: $(tail -n 1 "$s/stats/log/statsUpdater.log")"

# A future line as the last line of the live file: the run stops before it (the
# log went on past DATE, as far as it can tell); once lines come back after it,
# it is from the future, and the hour it belongs to is written again.
l=$(newroot); gen "$l" c 4 23 --rate 600
cp "$l/log/tx_c.log" "$l/full"
n=$(line_at "$l/full" "2026-01-10 02:4")
head -n "$n" "$l/full" > "$l/log/tx_c.log"; line "2038-01-19 03:14:07" 99 LAST >> "$l/log/tx_c.log"
statsUpdater --root "$l" -m m1 -c c -d "$(hour 1)"
expect_status 0 "(a) a future line last in the log: the run succeeds" statsUpdater --root "$l" -m m1 -c c -d "$(hour 3)"
tail -n +"$((n + 1))" "$l/full" >> "$l/log/tx_c.log"
statsUpdater --root "$l" -m m1 -c c -d "$(hour 4)"
verified "(a) then lines come back after it: exact, the line malformed in its hour" "$l" c "$START" "$(hour 4)" -- "$l/log/tx_c.log"

# --- (b) the future line is the file's first line ---------------------------------------
bb=$(newroot); loggen --logdir "$bb/log" --names c --sources 0 --start "$START" --hours 30 --seed 24 -q \
    --rate 600 --misleading-names
for f in "$bb"/log/tx_c.log*; do insert "$f" 0 "$(line "2038-01-19 03:14:07" 7 FIRST)"; done
statsUpdater --root "$bb" -m m1 -c c -d "$(hour 1)"
expect_status 0 "(b) a 2038 first line in every file: the run succeeds" statsUpdater --root "$bb" -m m1 -c c -d "$(hour 30)"
verified "(b) no file skipped, their order by their first plausible line (pxcheck)" "$bb" c "$START" "$(hour 30)" -- "$bb"/log/tx_c.log*

# --- (c) a file whose top has no readable time, or that cannot be read ---------------------
# state ROOT NAME: its PICKLED-TIMES line and its snapshots, to tell "nothing advanced".
state() { { times_line "$1" "$2"; (cd "$1/stats/pickles" 2>/dev/null && find "./$2" -type f 2>/dev/null | sort | xargs -r md5sum); } }
# damaged ROOT: two clients; c1's rotated file gets its top replaced by what follows.
two_clients() {
    loggen --logdir "$1/log" --names c1,c2 --sources 0 --start "$START" --hours 30 --seed 25 -q --rate 600
    setLastUpdate --root "$1" -m m1 -c c1,c2 "$START"
}
# refused ROOT "what" "pattern of the cause": c1 fails loudly, nothing of it
# advances, c2 is updated.
refused() {
    state "$1" c1 > "$TMPROOT/.before"
    expect_status 1 "$2: exit 1" statsUpdater --root "$1" -m m1 -c c1,c2 -d "$(hour 30)"
    stderr_has "tx_c1.log.2026-01-10: $3" "$2: the file and the cause named"
    stderr_has "tx_c1: not updated; its state is unchanged" "$2: the client named as not updated"
    state "$1" c1 > "$TMPROOT/.after"
    cmp -s "$TMPROOT/.before" "$TMPROOT/.after" && ok "$2: c1's PICKLED-TIMES unchanged, no snapshot written" \
        || fail "$2: c1 advanced"
    times_line "$1" c2 | grep -q "$(hour 30)" && [ "$(count_snapshots "$1" c2)" -eq 30 ] \
        && ok "$2: c2 updated all the same" || fail "$2: c2 not updated"
}
c=$(newroot); two_clients "$c"
{ head -c 1100000 /dev/zero | tr '\0' 'x'; echo; cat "$c/log/tx_c1.log.2026-01-10"; } > "$c/x" && mv "$c/x" "$c/log/tx_c1.log.2026-01-10"
refused "$c" "(c) a first line of 1.1 MB" "no line with a plausible time in its first 1048576 bytes"
# The way past it: named, the file is given up (all of it: nothing can be placed).
expect_status 0 "(c) --skip-damaged names it: the run succeeds" \
    statsUpdater --root "$c" -m m1 -c c1 -d "$(hour 30)" --skip-damaged "$c/log/tx_c1.log.2026-01-10"
grep -q "tx_c1: .*tx_c1.log.2026-01-10: given up as asked (--skip-damaged): no line with a plausible time" \
    "$c/stats/log/statsUpdater.log" && ok "(c) the run log records what was given up" || fail "(c) run log: given up"
verified "(c) the live file's hours exact (pxcheck)" "$c" c1 "$(hour 24)" "$(hour 30)" -- "$c/log/tx_c1.log"
expect_status 0 "(c) the next run without the option: the file counts as read" statsUpdater --root "$c" -m m1 -c c1 -d "$(hour 30)"

c=$(newroot); two_clients "$c"
{ head -c 1100000 /dev/zero; cat "$c/log/tx_c1.log.2026-01-10"; } > "$c/x" && mv "$c/x" "$c/log/tx_c1.log.2026-01-10"
refused "$c" "(c) 1.1 MB of NUL bytes at the top" "no line with a plausible time in its first 1048576 bytes"

c=$(newroot); two_clients "$c"
chmod 000 "$c/log/tx_c1.log.2026-01-10"
if [ "$(id -u)" -eq 0 ]; then
    # root reads anything: the same run as a user that cannot (nobody).
    chmod -R a+rwX "$c/stats" "$c/log" && chmod a+x "$c" "$TMPROOT" && chmod 000 "$c/log/tx_c1.log.2026-01-10"
    asuser() { setpriv --reuid=65534 --regid=65534 --clear-groups -- "$@"; }
else
    asuser() { "$@"; }
fi
state "$c" c1 > "$TMPROOT/.before"
expect_status 1 "(c) a rotated file that cannot be opened (as a user who may not): exit 1" \
    asuser env PATH="$PATH" statsUpdater --root "$c" -m m1 -c c1,c2 -d "$(hour 30)"
stderr_has "tx_c1.log.2026-01-10: cannot open it: Permission denied" "(c) the file and the cause named"
state "$c" c1 > "$TMPROOT/.after"
cmp -s "$TMPROOT/.before" "$TMPROOT/.after" && ok "(c) permission: nothing of c1 advanced" || fail "(c) permission: c1 advanced"
times_line "$c" c2 | grep -q "$(hour 30)" && ok "(c) permission: c2 updated all the same" || fail "(c) permission: c2"
chmod 644 "$c/log/tx_c1.log.2026-01-10"

# A 1969 first line (a clock reset) is no time: the file is placed by its
# next line and read whole; a 1970 line in the middle is malformed.
c=$(newroot); gen "$c" c 30 26 --rate 600 --noise
insert "$c/log/tx_c.log.2026-01-10" 0 "$(line "1969-12-31 23:59:59" 5 RESET)"
n=$(line_at "$c/log/tx_c.log" "2026-01-11 03:3")
insert "$c/log/tx_c.log" "$n" "$(line "1970-01-01 00:00:00" 6 EPOCH)"
setLastUpdate --root "$c" -m m1 -c c "$START"
expect_status 0 "(c) a 1969 first line, a 1970 line later: the run succeeds" statsUpdater --root "$c" -m m1 -c c -d "$(hour 30)"
verified "(c) nothing skipped, both lines malformed (pxcheck)" "$c" c "$START" "$(hour 30)" -- "$c"/log/tx_c.log*
grep -q "tx_c.log:$((n + 1)): a line dated before 2000 (dated 1970-01-01 00:00:00)" "$c/stats/log/statsUpdater.log" \
    && ok "(c) the 1970 line is in the run log with its line number" || fail "(c) 1970 line in the run log"

# --- (d) a rotated .gz cut short or with a bad CRC ------------------------------------------
# gzdamage ROOT: c1 and c2 over 54 hours, c1's oldest rotated file gzipped.
gzroot() {
    loggen --logdir "$1/log" --names c1,c2 --sources 0 --start "$START" --hours 54 --seed 27 -q --rate 600 --gzip-rotated
    setLastUpdate --root "$1" -m m1 -c c1,c2 "$START"
}
# refused_gz ROOT "what" "cause": as refused, over 54 hours.
refused_gz() {
    state "$1" c1 > "$TMPROOT/.before"
    expect_status 1 "$2: exit 1" statsUpdater --root "$1" -m m1 -c c1,c2 -d "$(hour 54)"
    stderr_has "tx_c1.log.2026-01-10.gz: $3" "$2: the file and the cause named"
    state "$1" c1 > "$TMPROOT/.after"
    cmp -s "$TMPROOT/.before" "$TMPROOT/.after" && ok "$2: nothing of c1 advanced" || fail "$2: c1 advanced"
    times_line "$1" c2 | grep -q "$(hour 54)" && ok "$2: c2 updated all the same" || fail "$2: c2 not updated"
}
g=$(newroot); gzroot "$g"
gz=$g/log/tx_c1.log.2026-01-10.gz
head -c $(( $(stat -c %s "$gz") - 300 )) "$gz" > "$g/x" && mv "$g/x" "$gz"
refused_gz "$g" "(d) a .gz cut short" "gzip: compressed data cut short"
expect_status 0 "(d) --skip-damaged: the readable part is collected, the rest given up" \
    statsUpdater --root "$g" -m m1 -c c1 -d "$(hour 54)" --skip-damaged "$gz"
grep -q "tx_c1.log.2026-01-10.gz: given up from offset [0-9]* as asked (--skip-damaged): .*cut short" \
    "$g/stats/log/statsUpdater.log" && ok "(d) the run log says from where it was given up" || fail "(d) run log"
verified "(d) the hours after it exact (pxcheck)" "$g" c1 "$(hour 24)" "$(hour 54)" -- "$g/log/tx_c1.log.2026-01-11" "$g/log/tx_c1.log"
# What could be read of it is in: the lines of the gzip stream before the cut.
gzip -dc "$gz" 2>/dev/null | head -n -1 > "$g/part"
verified "(d) and the hours of its readable part too" "$g" c1 "$(hour 0)" "$(hour 20)" -- "$g/part"
expect_status 0 "(d) the next run without the option: the file counts as read" statsUpdater --root "$g" -m m1 -c c1 -d "$(hour 54)"

g=$(newroot); gzroot "$g"
gz=$g/log/tx_c1.log.2026-01-10.gz
python3 - "$gz" <<'PY'
import sys
p = sys.argv[1]
b = bytearray(open(p, "rb").read())
b[len(b) // 2] ^= 0x55          # a flipped byte in the middle of the compressed data
open(p, "wb").write(bytes(b))
PY
refused_gz "$g" "(d) a byte changed in the middle of a .gz" "gzip: "

g=$(newroot); gzroot "$g"
gz=$g/log/tx_c1.log.2026-01-10.gz
python3 - "$gz" <<'PY'
import sys
p = sys.argv[1]
b = bytearray(open(p, "rb").read())
b[-8] ^= 0xff                   # the CRC-32 of the trailer
open(p, "wb").write(bytes(b))
PY
refused_gz "$g" "(d) a .gz with a bad CRC" "gzip: incorrect data check"
# A line from the future before the damage: looking after it meets the damage.
g=$(newroot); gzroot "$g"
gz=$g/log/tx_c1.log.2026-01-10.gz
gzip -dc "$gz" > "$g/plain"; insert "$g/plain" 100 "$(line "2038-01-19 03:14:07" 1 F)"
gzip -c "$g/plain" > "$gz"; rm "$g/plain"
python3 - "$gz" <<'PY'
import sys
p = sys.argv[1]
b = bytearray(open(p, "rb").read())
b[-8] ^= 0xff
open(p, "wb").write(bytes(b))
PY
refused_gz "$g" "(d) a bad CRC after a line from the future" "gzip: incorrect data check"

# --- (e) a complete hour is never replaced by a partial one ----------------------------------
e=$(newroot); gen "$e" c 14 28 --rate 600
setLastUpdate --root "$e" -m m1 -c c "$START"
statsUpdater --root "$e" -m m1 -c c -d "2026-01-10 12:05:00"
cp "$e/stats/pickles/c/20260110/tx/m1_11" "$TMPROOT/h11"; cp "$e/stats/PICKLED-TIMES" "$TMPROOT/times"
expect_status 0 "(e) -d 11:30 -n after 12:05 (a clock stepped back): no failure" \
    statsUpdater --root "$e" -m m1 -c c -d "2026-01-10 11:30:00" -n -v
stderr_has "tx_c: nothing to do: 2026-01-10 11:30:00 is before the last update \(2026-01-10 12:00:00\)" "(e) said plainly"
cmp -s "$TMPROOT/h11" "$e/stats/pickles/c/20260110/tx/m1_11" && ok "(e) the complete 11:00 snapshot is untouched" || fail "(e) 11:00 replaced"
cmp -s "$TMPROOT/times" "$e/stats/PICKLED-TIMES" && ok "(e) PICKLED-TIMES untouched" || fail "(e) PICKLED-TIMES changed"
# -n writes the hour of DATE only, as partial; the next run writes it whole.
statsUpdater --root "$e" -m m1 -c c -d "2026-01-10 12:30:00" -n
pickleView --json "$e/stats/pickles/c/20260110/tx/m1_12" | grep -q '"partial": *true' && ok "(e) -n: the hour of DATE, partial" || fail "(e) -n partial"
cmp -s "$TMPROOT/times" "$e/stats/PICKLED-TIMES" && ok "(e) -n does not move the last update" || fail "(e) -n moved the last update"
if $PXCHECK verify --malformed --stats "$e/stats" --pickleview "$BIN/pickleView" -f tx -c c -m m1 \
    --start "$(hour 12)" --end "$(hour 13)" --cut "2026-01-10 12:30:00" --date "2026-01-10 12:30:00" \
    "$e/log/tx_c.log" > "$TMPROOT/.verify" 2>&1; then ok "(e) the partial hour holds the lines before DATE (pxcheck --cut)"
else fail "(e) the partial hour holds the lines before DATE (pxcheck --cut)"; head -n 5 "$TMPROOT/.verify" | sed 's/^/#   /'; fi
statsUpdater --root "$e" -m m1 -c c -d "$(hour 14)"
verified "(e) then written whole (pxcheck)" "$e" c "$START" "$(hour 14)" -- "$e/log/tx_c.log"

# --- (f) a date a year ahead, once; the clock back ---------------------------------------------
f=$(newroot); gen "$f" c 6 29 --rate 300
statsUpdater --root "$f" -m m1 -c c -d "$(hour 3)"
cp "$f/stats/PICKLED-TIMES" "$TMPROOT/times"
expect_status 2 "(f) -d a year after the clock: a usage error" env PXS_NOW="$(hour 4)" statsUpdater --root "$f" -m m1 -c c -d "2027-01-10 04:00:00"
stderr_has "more than an hour after the system clock.*--force-date" "(f) said, with the way to insist"
expect_status 2 "(f) -d 9999-12-31: a usage error at once" statsUpdater --root "$f" -m m1 -c c -d "9999-12-31 00:00:00"
cmp -s "$TMPROOT/times" "$f/stats/PICKLED-TIMES" && [ ! -d "$f/stats/pickles/c/20270110" ] && ok "(f) nothing written" || fail "(f) written"
expect_status 0 "(f) within the hour after the clock: accepted" env PXS_NOW="2026-01-10 04:10:00" statsUpdater --root "$f" -m m1 -c c -d "2026-01-10 05:00:00"
# The clock itself a year ahead once (the run cannot know), then set right.
env PXS_NOW="2027-01-10 04:10:00" statsUpdater --root "$f" -m m1 -c c -d "2027-01-10 04:10:00"
expect_status 1 "(f) a last update after the clock is an error, not \"up to date\"" \
    env PXS_NOW="2026-01-10 06:10:00" statsUpdater --root "$f" -m m1 -c c
stderr_has "PICKLED-TIMES: tx_c was collected up to 2027-01-10 04:00:00, after the system clock \(2026-01-10 06:10:00\): set it back with setLastUpdate -m m1 -f tx -c c DATE" \
    "(f) naming the file and the way out"
env PXS_NOW="2026-01-10 06:10:00" setLastUpdate --root "$f" -m m1 -c c "$(hour 5)"
expect_status 0 "(f) after setLastUpdate the runs go on" env PXS_NOW="2026-01-10 06:10:00" statsUpdater --root "$f" -m m1 -c c -d "$(hour 6)"
verified "(f) and the hours are exact again (pxcheck)" "$f" c "$(hour 2)" "$(hour 6)" -- "$f/log/tx_c.log"

# --- (g) lines out of order: catch-up = hour by hour = pxcheck -----------------------------
o=$(newroot)
{
    line "2026-01-10 10:59:58" 1 A
    line "2026-01-10 11:00:01" 2 B
    line "2026-01-10 10:59:59" 4 C     # 3 s out of order, across the hour
    line "2026-01-10 11:02:00" 8 D
    line "2026-01-10 10:58:30" 16 E    # 3.5 min: within disorderMinutes (5)
    line "2026-01-10 11:05:30" 32 F    # settles 10:00
    line "2026-01-10 10:59:00" 64 G    # late
    line "2026-01-10 11:59:59" 128 H
    line "2026-01-10 12:06:00" 256 I
} > "$o/log/tx_c.log"
cp -a "$o" "$o.b"
setLastUpdate --root "$o" -m m1 -c c "2026-01-10 10:00:00"; setLastUpdate --root "$o.b" -m m1 -c c "2026-01-10 10:00:00"
statsUpdater --root "$o" -m m1 -c c -d "2026-01-10 12:00:00"
statsUpdater --root "$o.b" -m m1 -c c -d "2026-01-10 11:00:00"; statsUpdater --root "$o.b" -m m1 -c c -d "2026-01-10 12:00:00"
same_files "(g) 10:59:58, 11:00:01, 10:59:59: hour by hour = catch-up" "$o/stats/pickles" "$o.b/stats/pickles"
total=$(pickleView --json "$o.b/stats/pickles/c/20260110/tx/m1_10" | python3 -c 'import json,sys; print(sum(b["bytecount"]["total"] for b in json.load(sys.stdin)["buckets"]))')
[ "$total" = 21 ] && ok "(g) hour 10 holds the lines up to 5 min late (1+4+16), not the late one" || fail "(g) hour 10 total $total"
verified "(g) pxcheck agrees" "$o" c "$(hour 10)" "$(hour 12)" -- "$o/log/tx_c.log"
grep -q " 1 late," "$o.b/stats/log/statsUpdater.log" && ok "(g) the late line is counted in the run log" || fail "(g) late count"

# Random disorder within and beyond the window, noise, gzip, lying names, 3 days;
# midnight rotations with lines of the day before at the top of the new file.
src=$(newroot)
loggen --logdir "$src/log" --machines m1 --names c --source-names s --start "$START" --days 3 --rate 1500 \
    --noise --gzip-rotated --misleading-names --disorder 420 --seed 31 -q
head -n 3 "$src/log/tx_c.log" | cut -c1-10 | grep -q 2026-01-11 && ok "(g) the sample has lines of the day before at the top of a rotated day" \
    || fail "(g) no line of the day before at the top of the live file"
a=$(newroot); b=$(newroot); cp -a "$src/log/." "$a/log/"; cp -a "$src/log/." "$b/log/"
for ft in tx rx; do
    n=$([ $ft = tx ] && echo c || echo s)
    setLastUpdate --root "$a" -m m1 -f $ft -c $n "$START"; setLastUpdate --root "$b" -m m1 -f $ft -c $n "$START"
    statsUpdater --root "$a" -m m1 -f $ft -c $n -d "$(hour 72)"
done
for h in $(seq 1 72); do
    statsUpdater --root "$b" -m m1 -f tx -c c -d "$(hour $h)" || fail "(g) hourly tx run $h"
    statsUpdater --root "$b" -m m1 -f rx -c s -d "$(hour $h)" || fail "(g) hourly rx run $h"
done
same_files "(g) out-of-order logs over 3 days: catch-up = 72 hourly runs" "$a/stats/pickles" "$b/stats/pickles"
verified "(g) and the arithmetic (pxcheck)" "$a" c "$START" "$(hour 72)" -- "$a"/log/tx_c.log*
if $PXCHECK verify --malformed --stats "$a/stats" --pickleview "$BIN/pickleView" -f rx -c s -m m1 --start "$START" \
    --end "$(hour 72)" "$a"/log/rx_s.log* > "$TMPROOT/.verify" 2>&1; then ok "(g) rx too"; else fail "(g) rx"; head -n 5 "$TMPROOT/.verify" | sed 's/^/#   /'; fi
late=$($PXCHECK counts -f tx -c c -m m1 --start "$START" --end "$(hour 72)" "$a"/log/tx_c.log* | python3 -c 'import json,sys; print(json.load(sys.stdin)["late"])')
got=$(grep "machine m1, tx:" "$a/stats/log/statsUpdater.log" | tail -n 1 | sed -n 's/.* \([0-9]*\) late,.*/\1/p')
[ "$late" -gt 0 ] && [ "$got" = "$late" ] && ok "(g) the late lines are counted: $got, as pxcheck says" || fail "(g) late: run log $got, pxcheck $late"

# A growing log (cut at the hour's first line, with a line being written),
# rotated by rename then gzipped: the same as one run over the whole.
src=$(newroot)
loggen --logdir "$src/log" --names grow --sources 0 --start "$START" --days 2 --rate 2000 --noise --disorder 240 --seed 32 -q
day1=$src/log/tx_grow.log.2026-01-10 day2=$src/log/tx_grow.log
ref=$(newroot); cp "$day1" "$day2" "$ref/log/"
setLastUpdate --root "$ref" -m m1 -c grow "$START"; statsUpdater --root "$ref" -m m1 -c grow -d "$(hour 48)"
g=$(newroot); live=$g/log/tx_grow.log; : > "$live"
setLastUpdate --root "$g" -m m1 -c grow "$START"
off=0
for step in "1 0" "2 0" "5 9" "9 0" "13 30" "20 0"; do
    set -- $step
    upto "$day1" $off "$(hour $1)" $2 >> "$live"; off=$(stat -c %s "$live")
    statsUpdater --root "$g" -m m1 -c grow -d "$(hour $1)"
done
upto "$day1" $off "9999" 0 >> "$live"
mv "$live" "$g/log/tx_grow.log.2026-01-10"; : > "$live"
off=0
for step in "24 0" "25 12" "31 0" "40 0"; do
    set -- $step
    upto "$day2" $off "$(hour $1)" $2 >> "$live"; off=$(stat -c %s "$live")
    statsUpdater --root "$g" -m m1 -c grow -d "$(hour $1)"
    [ "$1" = 25 ] && gzip "$g/log/tx_grow.log.2026-01-10"
done
upto "$day2" $off "9999" 0 >> "$live"
statsUpdater --root "$g" -m m1 -c grow -d "$(hour 48)"
same_buckets "(g) a growing out-of-order log, rotated then gzipped = one run over it" "$ref/stats/pickles" "$g/stats/pickles"

# --- (h) one client's snapshot cannot be written: the others are updated ------------------------
h=$(newroot); loggen --logdir "$h/log" --names c1,c2 --sources 0 --start "$START" --hours 5 --seed 33 -q --rate 300
setLastUpdate --root "$h" -m m1 -c c1,c2 "$START"
mkdir -p "$h/stats/pickles/c1/20260110/tx/m1_02"      # a directory where a snapshot goes
expect_status 1 "(h) a directory in the way of c1's snapshot: exit 1" statsUpdater --root "$h" -m m1 -c c1,c2 -d "$(hour 5)"
stderr_has "pickles/c1/20260110/tx/m1_02" "(h) the path named"
times_line "$h" c1 | grep -q "$START" && ok "(h) c1's PICKLED-TIMES unchanged" || fail "(h) c1 advanced: $(times_line "$h" c1)"
times_line "$h" c2 | grep -q "$(hour 5)" && [ "$(count_snapshots "$h" c2)" -eq 5 ] && ok "(h) c2 updated" || fail "(h) c2 not updated"
verified "(h) c2 exact (pxcheck)" "$h" c2 "$START" "$(hour 5)" -- "$h/log/tx_c2.log"
rmdir "$h/stats/pickles/c1/20260110/tx/m1_02"
expect_status 0 "(h) once the path is free, c1 catches up" statsUpdater --root "$h" -m m1 -c c1,c2 -d "$(hour 5)"
verified "(h) c1 exact (pxcheck)" "$h" c1 "$START" "$(hour 5)" -- "$h/log/tx_c1.log"

# --- (i) setLastUpdate to a date in the future ----------------------------------------------
i=$(newroot); gen "$i" c 3 34 --rate 60; statsUpdater --root "$i" -m m1 -c c -d "$(hour 3)"
cp "$i/stats/PICKLED-TIMES" "$TMPROOT/times"
expect_status 2 "(i) setLastUpdate a year after the clock: a usage error" env PXS_NOW="$(hour 3)" setLastUpdate --root "$i" -m m1 -c c "2027-01-01 00:00:00"
stderr_has "more than an hour after the system clock.*--force-date" "(i) said, with the way to insist"
cmp -s "$TMPROOT/times" "$i/stats/PICKLED-TIMES" && ok "(i) nothing set" || fail "(i) set"
expect_status 0 "(i) --force-date sets it" env PXS_NOW="$(hour 3)" setLastUpdate --root "$i" -m m1 -c c --force-date "2027-01-01 00:00:00"
expect_status 1 "(i) and the next run says the last update is after the clock" env PXS_NOW="$(hour 3)" statsUpdater --root "$i" -m m1 -c c -d "$(hour 3)"

# --- (j) setLastUpdate finds the file type -----------------------------------------------------
j=$(newroot); loggen --logdir "$j/log" --clients 0 --source-names ncp1 --start "$START" --hours 4 --seed 35 -q --rate 60
expect_status 0 "(j) setLastUpdate -c ncp1 (rx logs only)" setLastUpdate --root "$j" -m m1 -c ncp1 "$START" -v
grep -q "m1 rx_ncp1 $START" "$j/stats/PICKLED-TIMES" && ! grep -q "tx_ncp1" "$j/stats/PICKLED-TIMES" \
    && ok "(j) rx_ncp1 set, no tx_ncp1 invented" || fail "(j) $(cat "$j/stats/PICKLED-TIMES")"
statsUpdater --root "$j" -m m1 -f rx -c ncp1 -d "$(hour 4)"
[ "$(find "$j/stats/pickles/ncp1" -type f | wc -l)" -eq 4 ] && ok "(j) the rx hours from DATE are collected" || fail "(j) rx hours"
expect_status 1 "(j) a name with neither logs nor entries: exit 1" setLastUpdate --root "$j" -m m1 -c nosuch "$START"
stderr_has "nosuch: nothing known of nosuch on machine m1: no log file .* and no last update recorded: say which with -f tx or -f rx" "(j) said, with the way out"

# --- (k) rotation recognised, not re-read: delaycompress, copytruncate ---------------------
src=$(newroot)
loggen --logdir "$src/log" --names k --sources 0 --start "$START" --days 3 --rate 600 --noise --seed 36 -q
d1=$src/log/tx_k.log.2026-01-10 d2=$src/log/tx_k.log.2026-01-11 d3=$src/log/tx_k.log
k=$(newroot); L=$k/log/tx_k.log
cp "$d1" "$L"; setLastUpdate --root "$k" -m m1 -c k "$START"; statsUpdater --root "$k" -m m1 -c k -d "$(hour 20)"
# Night 1: rename, new live file (logrotate create).
cat "$d1" > "$L"; mv "$L" "$L.1"; cp "$d2" "$L"
statsUpdater --root "$k" -m m1 -c k -d "$(hour 40)" 2>"$TMPROOT/.err1"
# Night 2 with delaycompress: .1 compressed to .2.gz, the live file renamed to
# .1, and the new live file gets the inode the old .1 had.
gzip -c "$L.1" > "$L.2.gz"; mv "$L.1" "$k/log/spare"; mv "$L" "$L.1"; : > "$k/log/spare"; mv "$k/log/spare" "$L"
cat "$d3" >> "$L"
expect_status 0 "(k) delaycompress: the new live file reuses the inode of the rotated one" statsUpdater --root "$k" -m m1 -c k -d "$(hour 72)"
if [ -s "$TMPROOT/.err" ] || [ -s "$TMPROOT/.err1" ]; then fail "(k) no warning at all"; sed 's/^/#   /' "$TMPROOT/.err" | head -n 3
else ok "(k) no warning at all"; fi
verified "(k) nothing read twice, nothing lost (pxcheck)" "$k" k "$START" "$(hour 72)" -- "$L.2.gz" "$L.1" "$L"
grep -q "tx_k.log.2.gz .* tx_k " "$k/stats/PICKLED_FILE_POSITIONS" && ok "(k) the .gz holds the old position" || fail "(k) position of the .gz"
# A live file truncated in place whose content is nowhere: that is worth a word.
setLastUpdate --root "$k" -m m1 -c k "$(hour 71)"; statsUpdater --root "$k" -m m1 -c k -d "$(hour 72)"
: > "$L"; line "2026-01-13 00:10:00" 5 AFTER >> "$L"
expect_status 0 "(k) a live file truncated in place" statsUpdater --root "$k" -m m1 -c k -d "$(hour 73)" --force-date
stderr_has "tx_k.log: truncated or replaced since the last run, and its content is not found under another name" "(k) warned: its lines since the last run may be lost"

# --- (l) the last line of the hour being closed is still being written -------------------------
l=$(newroot)
{ line "2026-01-10 10:10:00" 100 A; line "2026-01-10 10:59:58" 10 B; } > "$l/log/tx_c.log"
printf '%s' "$(line "2026-01-10 10:59:59" 77 C)" | head -c 60 >> "$l/log/tx_c.log"
setLastUpdate --root "$l" -m m1 -c c "2026-01-10 10:00:00"
expect_status 0 "(l) a run at 11:05 with the last line of 10:00 unterminated" statsUpdater --root "$l" -m m1 -c c -d "2026-01-10 11:05:00" -v
stderr_has "tx_c: the hours from 2026-01-10 10:00:00 are held back: the last line of .*tx_c.log is not complete yet" "(l) -v says why the hour is held"
[ ! -f "$l/stats/pickles/c/20260110/tx/m1_10" ] && times_line "$l" c | grep -q "2026-01-10 10:00:00" \
    && ok "(l) hour 10 not written, the last update before it" || fail "(l) hour 10 written or the last update moved"
line "2026-01-10 10:59:59" 77 C | tail -c +61 >> "$l/log/tx_c.log"; line "2026-01-10 11:30:00" 1000 D >> "$l/log/tx_c.log"
statsUpdater --root "$l" -m m1 -c c -d "2026-01-10 12:05:00"
verified "(l) its newline arrived: counted once, in its hour (pxcheck)" "$l" c "$(hour 10)" "$(hour 12)" -- "$l/log/tx_c.log"
# Not even its time written yet: the hours it may fall in are held.
l2=$(newroot)
{ line "2026-01-10 10:10:00" 100 A; line "2026-01-10 10:59:58" 10 B; printf '2026-01-10 1'; } > "$l2/log/tx_c.log"
setLastUpdate --root "$l2" -m m1 -c c "2026-01-10 10:00:00"
statsUpdater --root "$l2" -m m1 -c c -d "2026-01-10 11:05:00"
[ ! -f "$l2/stats/pickles/c/20260110/tx/m1_10" ] && ok "(l) a line without its time yet holds the hour too" || fail "(l) hour written under a line without time"
printf '0:59:59,100 [INFO] (7 Bytes) Bulletin X:a:b:c:3:Direct:20260110105959  delivered\n' >> "$l2/log/tx_c.log"
statsUpdater --root "$l2" -m m1 -c c -d "2026-01-10 11:05:00"
verified "(l) completed: counted (pxcheck)" "$l2" c "$(hour 10)" "$(hour 11)" -- "$l2/log/tx_c.log"

# --- (m) a rotated file ends without a newline --------------------------------------------
m=$(newroot)
{ line "2026-01-10 10:10:00" 100 A; printf '%s' "$(line "2026-01-10 10:20:00" 23 B)"; } > "$m/log/tx_c.log"
setLastUpdate --root "$m" -m m1 -c c "2026-01-10 10:00:00"
statsUpdater --root "$m" -m m1 -c c -d "2026-01-10 10:30:00"
mv "$m/log/tx_c.log" "$m/log/tx_c.log.2026-01-10"            # the writer died mid-line, then rotation
line "2026-01-10 11:10:00" 1000 C > "$m/log/tx_c.log"
statsUpdater --root "$m" -m m1 -c c -d "2026-01-10 12:00:00"
verified "(m) its last line counts as it stands (pxcheck)" "$m" c "$(hour 10)" "$(hour 12)" -- "$m/log/tx_c.log.2026-01-10" "$m/log/tx_c.log"
total=$(pickleView --json "$m/stats/pickles/c/20260110/tx/m1_10" | python3 -c 'import json,sys; print(sum(b["bytecount"]["total"] for b in json.load(sys.stdin)["buckets"]))')
[ "$total" = 123 ] && ok "(m) hour 10: 100 + 23 bytes" || fail "(m) hour 10 total $total"

# --- what a run says (-v, run log): per client, only clients really updated ----------------------
v=$(newroot)
loggen --logdir "$v/log" --names busy,idle --sources 0 --start "$START" --hours 6 --seed 37 -q --rate 900 --noise
n=$(line_at "$v/log/tx_busy.log" "2026-01-10 03:1")
insert "$v/log/tx_busy.log" "$n" "$(line "2038-01-19 03:14:07" 1 F)"
setLastUpdate --root "$v" -m m1 -c busy "$START"; setLastUpdate --root "$v" -m m1 -c idle "$(hour 6)"
expect_status 0 "(v) a run with -v" statsUpdater --root "$v" -m m1 -c busy,idle -d "$(hour 6)" -v
want=$($PXCHECK counts -f tx -c busy -m m1 --start "$START" --end "$(hour 6)" "$v/log/tx_busy.log" |
    python3 -c 'import json,sys; c=json.load(sys.stdin); print("%d lines, %d malformed, %d late, %d from the future" % (c["lines"], c["malformed"], c["late"], c["future"]))')
stderr_has "tx_busy: 6 hours written, $want, 1 files read" "(v) -v: per client, the figures pxcheck gives ($want)"
stderr_has "tx_idle: up to date" "(v) -v: the client with nothing to do said so"
grep -q "machine m1, tx: 1 clients updated, 0 failed, up to $(hour 6): 6 hours written, $want, 1 files read" \
    "$v/stats/log/statsUpdater.log" && ok "(v) the run log: the same figures, the client with nothing to do not counted" \
    || fail "(v) run log: $(tail -n 1 "$v/stats/log/statsUpdater.log")"

# --- kill -9 around the new behaviour ----------------------------------------------------------
# kills ROOT ARGS...: the run killed at random instants, then run to its end.
kills() {
    r=$1; shift
    for i in 1 2 3 4 5 6; do
        statsUpdater --root "$r" "$@" 2>/dev/null &
        pid=$!
        sleep "0.$(od -An -N1 -tu1 /dev/urandom | tr -d ' ' | cut -c1)"
        kill -9 $pid 2>/dev/null
        wait $pid 2>/dev/null
    done
    statsUpdater --root "$r" "$@"
}
# Held-back hours: every live file ends with a line still being written.
src=$(newroot)
loggen --logdir "$src/log" --machines m1 --clients 4 --sources 0 --start "$START" --days 2 --rate 3000 \
    --noise --gzip-rotated --disorder 300 --seed 41 -q
for f in "$src"/log/tx_*.log; do
    tail -c 40 "$f" > "$f.rest"; truncate -s -40 "$f"
done
clean=$(newroot); k=$(newroot)
cp -a "$src/log/." "$clean/log/"; cp -a "$src/log/." "$k/log/"
for r in "$clean" "$k"; do setLastUpdate --root "$r" -m m1 -f tx -c client001,client002,client003,client004 "$START"; done
statsUpdater --root "$clean" -m m1 -d "$(hour 48)"
kills "$k" -m m1 -d "$(hour 48)"
same_files "kill -9 during a run with held-back hours, then a rerun: the snapshots of a clean run" "$clean/stats/pickles" "$k/stats/pickles"
cmp -s "$clean/stats/PICKLED-TIMES" "$k/stats/PICKLED-TIMES" && ok "and its PICKLED-TIMES (hours held back alike)" || fail "PICKLED-TIMES differ after kills (held back)"
for r in "$clean" "$k"; do for f in "$r"/log/tx_*.log; do cat "$f.rest" >> "$f"; done; done
statsUpdater --root "$clean" -m m1 -d "$(hour 48)"
kills "$k" -m m1 -d "$(hour 48)"
same_files "the lines completed, killed again, rerun: a clean run's snapshots" "$clean/stats/pickles" "$k/stats/pickles"
verified "and exact (pxcheck)" "$k" client002 "$START" "$(hour 48)" -- "$k"/log/tx_client002.log*
# Hours written again whole when late-written lines fall in them: a growing
# out-of-order log cut at the hours' first lines.
src=$(newroot)
loggen --logdir "$src/log" --machines m1 --clients 4 --sources 0 --start "$START" --hours 20 --rate 5000 \
    --noise --disorder 240 --seed 42 -q
clean=$(newroot); k=$(newroot)
for r in "$clean" "$k"; do for f in "$src"/log/tx_*.log; do : > "$r/log/$(basename "$f")"; done; done
for r in "$clean" "$k"; do setLastUpdate --root "$r" -m m1 -f tx -c client001,client002,client003,client004 "$START"; done
for h in 6 7 13 20; do
    for f in "$src"/log/tx_*.log; do
        b=$(basename "$f"); off=$(stat -c %s "$clean/log/$b")
        upto "$f" "$off" "$(hour $h)" 0 > "$TMPROOT/chunk"
        cat "$TMPROOT/chunk" >> "$clean/log/$b"; cat "$TMPROOT/chunk" >> "$k/log/$b"
    done
    statsUpdater --root "$clean" -m m1 -d "$(hour $h)"
    kills "$k" -m m1 -d "$(hour $h)"
done
same_files "kill -9 during runs that write hours again: a clean run's snapshots" "$clean/stats/pickles" "$k/stats/pickles"
cmp -s "$clean/stats/PICKLED-TIMES" "$k/stats/PICKLED-TIMES" && ok "and its PICKLED-TIMES" || fail "PICKLED-TIMES differ after kills (rewrites)"
ref=$(newroot); cp "$src"/log/tx_client003.log "$ref/log/"
verified "and exact (pxcheck)" "$k" client003 "$START" "$(hour 20)" -- "$k/log/tx_client003.log"
