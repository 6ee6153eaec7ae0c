#!/bin/sh
# statsUpdater end to end: catch-up = hour by hour, growing logs, rotation,
# gzip, copytruncate, partial lines, kill -9, concurrent runs, bad input.
. "$(dirname "$0")/lib.sh"
PXCHECK="python3 $TOP/tests/tools/pxcheck.py"
START="2026-01-10 00:00:00"

# verify ROOT FT NAME START END FILES...: pxcheck's independent arithmetic.
verify() {
    r=$1 ft=$2 name=$3 s=$4 e=$5; shift 5
    $PXCHECK verify --malformed --stats "$r/stats" --pickleview "$BIN/pickleView" -f "$ft" -c "$name" \
        -m m1 --start "$s" --end "$e" "$@" > "$TMPROOT/.verify" 2>&1
}
hour() { date -u -d "$START UTC + $1 hours" "+%Y-%m-%d %H:%M:%S"; }

# --- a catch-up run equals hour-by-hour runs, and the arithmetic --------------
src=$(newroot)
loggen --logdir "$src/log" --machines m1 --clients 2 --sources 1 --start "$START" --days 3 \
    --noise --gzip-rotated --misleading-names --seed 11 -q
a=$(newroot); b=$(newroot)
cp -a "$src/log/." "$a/log/"; cp -a "$src/log/." "$b/log/"
statsUpdater --root "$a" -m m1 -f tx -d "$(hour 1)"
statsUpdater --root "$a" -m m1 -f tx -d "$(hour 72)"
statsUpdater --root "$a" -m m1 -f rx -d "$(hour 1)"
statsUpdater --root "$a" -m m1 -f rx -d "$(hour 72)"
for h in $(seq 1 72); do
    statsUpdater --root "$b" -m m1 -f tx -d "$(hour $h)" || fail "hourly tx run $h"
    statsUpdater --root "$b" -m m1 -f rx -d "$(hour $h)" || fail "hourly rx run $h"
done
same_files "catch-up over 3 days = 72 hourly runs, snapshot for snapshot" "$a/stats/pickles" "$b/stats/pickles"
n=$(find "$a/stats/pickles/client001" -type f | wc -l)
[ "$n" -eq 72 ] && ok "one snapshot per hour, empty hours included ($n)" || fail "72 snapshots expected, got $n"
for c in client001 client002; do
    if verify "$a" tx $c "$START" "$(hour 72)" "$a"/log/tx_$c.log*; then ok "tx $c matches independent arithmetic (noise, gz, misleading names)"
    else fail "tx $c arithmetic"; head -n 5 "$TMPROOT/.verify" | sed 's/^/#   /'; fi
done
if verify "$a" rx source001 "$START" "$(hour 72)" "$a"/log/rx_source001.log*; then ok "rx source001 matches independent arithmetic"
else fail "rx arithmetic"; head -n 5 "$TMPROOT/.verify" | sed 's/^/#   /'; fi
grep -q "m1 tx_client001 $(hour 72)" "$a/stats/PICKLED-TIMES" && ok "PICKLED-TIMES records the next hour to collect" || fail "PICKLED-TIMES content"
expect_status 0 "a rerun with nothing new succeeds" statsUpdater --root "$a" -m m1 -f tx -d "$(hour 72)"
same_files "and changes no snapshot" "$a/stats/pickles" "$b/stats/pickles"

# --- a growing log, rotation by rename, gzip afterwards, partial lines -----------
src=$(newroot)
loggen --logdir "$src/log" --machines m1 --names grow --sources 0 --start "$START" --days 2 --noise --seed 5 -q
day1=$src/log/tx_grow.log.2026-01-10 day2=$src/log/tx_grow.log
ref=$(newroot); cp "$day1" "$day2" "$ref/log/"
statsUpdater --root "$ref" -m m1 -c grow -d "$(hour 1)"; statsUpdater --root "$ref" -m m1 -c grow -d "$(hour 48)"
g=$(newroot); live=$g/log/tx_grow.log
statsUpdater --root "$g" -m m1 -c grow -d "$(hour 1)" 2>/dev/null   # no log yet: refused, state untouched
[ ! -f "$g/stats/PICKLED-TIMES" ] && ok "a client without log is refused, no empty snapshot" || fail "client without log advanced"
off=0
for step in "1 0" "9 17" "14 5"; do
    set -- $step
    upto "$day1" $off "$(hour $1)" $2 >> "$live"; off=$(stat -c %s "$live")
    statsUpdater --root "$g" -m m1 -c grow -d "$(hour $1)"
done
upto "$day1" $off "9999" 0 >> "$live"
mv "$live" "$g/log/tx_grow.log.2026-01-10"             # midnight rotation by rename
upto "$day2" 0 "$(hour 30)" 11 > "$live"; off=$(stat -c %s "$live")
statsUpdater --root "$g" -m m1 -c grow -d "$(hour 30)"
gzip "$g/log/tx_grow.log.2026-01-10"                   # rotated file compressed later
upto "$day2" $off "$(hour 40)" 3 >> "$live"; off=$(stat -c %s "$live")
statsUpdater --root "$g" -m m1 -c grow -d "$(hour 40)"
upto "$day2" $off "9999" 0 >> "$live"
statsUpdater --root "$g" -m m1 -c grow -d "$(hour 48)"
same_buckets "growing log, partial lines, rotation then gzip = one clean run" "$ref/stats/pickles" "$g/stats/pickles"
if verify "$g" tx grow "$START" "$(hour 48)" "$g"/log/tx_grow.log*; then ok "grow: arithmetic"; else fail "grow: arithmetic"; head -n 5 "$TMPROOT/.verify" | sed 's/^/#   /'; fi

# --- a last line without its newline is held back until complete -------------------
p=$(newroot)
printf '%s\n' "2026-01-10 00:10:00,000 [INFO] (100 Bytes) Bulletin A:b:c:d:e:f:20260110000955  delivered" > "$p/log/tx_p.log"
printf '%s' "2026-01-10 00:20:00,000 [INFO] (7" >> "$p/log/tx_p.log"
statsUpdater --root "$p" -m m1 -c p -d "2026-01-10 00:30:00" -n
total=$(pickleView --json "$p/stats/pickles/p/20260110/tx/m1_00" | python3 -c 'import json,sys; print(sum(b["bytecount"]["total"] for b in json.load(sys.stdin)["buckets"]))')
[ "$total" = "100" ] && ok "an unfinished last line is not counted" || fail "partial line counted ($total)"
printf '%s\n' "7 Bytes) Bulletin B:b:c:d:e:f:20260110001950  delivered" >> "$p/log/tx_p.log"
statsUpdater --root "$p" -m m1 -c p -d "2026-01-10 01:00:00"
total=$(pickleView --json "$p/stats/pickles/p/20260110/tx/m1_00" | python3 -c 'import json,sys; d=json.load(sys.stdin); print(sum(b["bytecount"]["total"] for b in d["buckets"]), sum(b["nbFiles"] for b in d["buckets"]), d.get("partial"))')
[ "$total" = "177 2 False" ] && ok "completed later, it is counted once; -n's partial hour rewritten whole" || fail "after completion: $total"

# --- copytruncate --------------------------------------------------------------------
c=$(newroot); cref=$(newroot)
cp "$day1" "$cref/log/tx_grow.log.2026-01-10"; cp "$day2" "$cref/log/tx_grow.log"
statsUpdater --root "$cref" -m m1 -c grow -d "$(hour 1)"; statsUpdater --root "$cref" -m m1 -c grow -d "$(hour 30)"
upto "$day1" 0 "$(hour 8)" 20 > "$c/log/tx_grow.log"
statsUpdater --root "$c" -m m1 -c grow -d "$(hour 1)"; statsUpdater --root "$c" -m m1 -c grow -d "$(hour 8)"
upto "$day1" $(stat -c %s "$c/log/tx_grow.log") "9999" 0 >> "$c/log/tx_grow.log"
cp "$c/log/tx_grow.log" "$c/log/tx_grow.log.2026-01-10"; : > "$c/log/tx_grow.log"   # logrotate copytruncate
upto "$day2" 0 "$(hour 30)" 0 >> "$c/log/tx_grow.log"
statsUpdater --root "$c" -m m1 -c grow -d "$(hour 30)" 2>"$TMPROOT/.err"
same_buckets "copytruncate: nothing lost, nothing doubled" "$cref/stats/pickles" "$c/stats/pickles"
# The copy holds what was read: found by its first bytes, nothing is re-read
# or lost, so nothing to warn about (a warning only when data would be).
grep -q "truncated or replaced" "$TMPROOT/.err" && fail "copytruncate gives a false warning" || ok "copytruncate found in its copy: no warning"

# --- kill -9 at random instants, then a rerun = one clean run ------------------------
src=$(newroot)
loggen --logdir "$src/log" --machines m1 --clients 4 --sources 0 --start "$START" --days 2 --rate 3000 --noise --gzip-rotated --seed 3 -q
clean=$(newroot); cp -a "$src/log/." "$clean/log/"
statsUpdater --root "$clean" -m m1 -d "$(hour 1)"; statsUpdater --root "$clean" -m m1 -d "$(hour 48)"
k=$(newroot); cp -a "$src/log/." "$k/log/"
statsUpdater --root "$k" -m m1 -d "$(hour 1)"
kills=0
for i in 1 2 3 4 5 6 7 8; do
    statsUpdater --root "$k" -m m1 -d "$(hour 48)" 2>/dev/null &
    pid=$!
    sleep "0.$(od -An -N1 -tu1 /dev/urandom | tr -d ' ' | cut -c1)"
    kill -9 $pid 2>/dev/null && kills=$((kills + 1))
    wait $pid 2>/dev/null
done
statsUpdater --root "$k" -m m1 -d "$(hour 48)"
same_files "after $kills kill -9 and a rerun: the same snapshots as a clean run" "$clean/stats/pickles" "$k/stats/pickles"
cmp -s "$clean/stats/PICKLED-TIMES" "$k/stats/PICKLED-TIMES" && ok "and the same PICKLED-TIMES" || fail "PICKLED-TIMES differ after kills"
left=$(find "$k/stats" -name '.*.??????' | wc -l)
[ "$left" -le 8 ] && ok "at most one stale temporary per kill ($left)" || fail "temporaries left: $left"

# --- two concurrent runs are serialised by the lock -----------------------------------
cc=$(newroot); cp -a "$src/log/." "$cc/log/"
statsUpdater --root "$cc" -m m1 -d "$(hour 1)"
statsUpdater --root "$cc" -m m1 -d "$(hour 48)" & p1=$!
statsUpdater --root "$cc" -m m1 -d "$(hour 48)" & p2=$!
wait $p1; r1=$?; wait $p2; r2=$?
[ $r1 -eq 0 ] && [ $r2 -eq 0 ] && ok "two concurrent runs both succeed" || fail "concurrent runs: $r1 $r2"
same_files "and give the result of one run" "$clean/stats/pickles" "$cc/stats/pickles"
flock "$cc/stats/.statsUpdater.lock" sleep 3 & lp=$!
while flock -n "$cc/stats/.statsUpdater.lock" true; do sleep 0.1; done
expect_status 1 "--no-wait stops when another run holds the lock" statsUpdater --root "$cc" -m m1 -d "$(hour 48)" --no-wait
stderr_has "another statsUpdater run holds" "and says why"
wait $lp

# --- bad input -----------------------------------------------------------------------
u=$(newroot); cp "$day1" "$u/log/tx_grow.log"
expect_status 2 "unsafe client name ../x refused" statsUpdater --root "$u" -c ../x
stderr_has "unsafe client name '../x'" "with a message naming it"
expect_status 2 "unsafe client name a/b refused" statsUpdater --root "$u" -c a/b
expect_status 2 "unsafe machine name refused" statsUpdater --root "$u" -m 'a;b'
expect_status 2 "bad date refused" statsUpdater --root "$u" -d "2026-13-01 00:00:00"
expect_status 2 "bad option refused" statsUpdater --root "$u" --bogus
expect_status 2 "-i not dividing 60 refused" statsUpdater --root "$u" -i 7
expect_status 0 "-h prints the usage" statsUpdater -h
stdout_has "^usage: statsUpdater" "usage on stdout"
statsUpdater --root "$u" -m m1 -c grow -d "$(hour 2)"
cp "$u/stats/PICKLED-TIMES" "$TMPROOT/times.before"
rm -rf "$u/stats/pickles"; : > "$u/stats/pickles"                 # unwritable: a file where a directory must be
expect_status 1 "an unwritable stats tree fails the run" statsUpdater --root "$u" -m m1 -c grow -d "$(hour 5)"
stderr_has "pickles.*(Not a directory|cannot)" "naming the file and the cause"
cmp -s "$u/stats/PICKLED-TIMES" "$TMPROOT/times.before" && ok "state not advanced" || fail "state advanced after a failed write"
left=$(find "$u/stats" -name '.*.??????' | wc -l)
[ "$left" -eq 0 ] && ok "nothing half-written left behind" || fail "$left temporaries left"
printf 'garbage line\n' > "$u/stats/PICKLED-TIMES"
expect_status 1 "a corrupt PICKLED-TIMES is refused" statsUpdater --root "$u" -m m1 -c grow -d "$(hour 5)"
stderr_has "PICKLED-TIMES:1:" "with its file and line"

# --- "All" from PX's etc/tx: a configured client without log is skipped ------------
e=$(newroot); mkdir -p "$e/etc/tx"; : > "$e/etc/tx/grow.conf"; : > "$e/etc/tx/idle.conf"
cp "$day1" "$e/log/tx_grow.log"
expect_status 0 "-c All takes the names of etc/tx and skips one without log" statsUpdater --root "$e" -m m1 -d "$(hour 2)"
[ -f "$e/stats/pickles/grow/20260110/tx/m1_01" ] && [ ! -d "$e/stats/pickles/idle" ] && ok "only the active client got snapshots" || fail "All from etc/tx"
expect_status 1 "an explicitly named client without log is an error" statsUpdater --root "$e" -m m1 -c idle -d "$(hour 2)"
stderr_has "tx_idle.log: no such log file" "naming the missing file"

# --- no empty snapshot for hours before the oldest log line ---------------------------
o=$(newroot); cp "$day2" "$o/log/tx_grow.log"
setLastUpdate --root "$o" -m m1 -c grow "2026-01-08 00:00:00"
statsUpdater --root "$o" -m m1 -c grow -d "$(hour 30)"
[ ! -d "$o/stats/pickles/grow/20260108" ] && [ ! -d "$o/stats/pickles/grow/20260110" ] && [ -f "$o/stats/pickles/grow/20260111/tx/m1_00" ] \
    && ok "hours before the logs begin get no (false) empty snapshot" || fail "snapshots before the logs"
