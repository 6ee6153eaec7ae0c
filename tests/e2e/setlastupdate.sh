# setLastUpdate: the seed's revert mechanism. Entries set and created, file
# positions dropped, the statsUpdater lock honoured; and the point of it all:
# collect, revert, rerun gives the same snapshots byte for byte (across a
# rotated, gzipped file), also when the log grew in between.
. "$(dirname "$0")/lib.sh"

LOGGEN=$TBIN/loggen
R=$(newroot)
TIMES=$R/stats/PICKLED-TIMES
POS=$R/stats/PICKLED_FILE_POSITIONS
# The clients named below have logs: a name with neither a log nor an entry
# is refused (see the end of this suite).
: > "$R/log/tx_amis.log"; : > "$R/log/tx_metser.log"; : > "$R/log/rx_ncp1.log"

# ---- usage ----
expect_status 0 "setLastUpdate -h exits 0" setLastUpdate -h
stdout_has '^usage: setLastUpdate \[-c CLIENTS\] \[-f tx\|rx\] \[-m MACHINE\]' "-h prints the usage on stdout"
# The SYNOPSIS of the troff source, macros dropped (no man(1) needed).
synopsis=$(awk '/^\.SH SYNOPSIS/{on=1;next} /^\.SH/{on=0} on' "$TOP/man/setLastUpdate.1" |
    sed -e 's/^\.[A-Z]*[ ]*//' -e 's/ //g' -e 's/\\-/-/g' -e 's/\\(dq/"/g' | tr '\n' ' ' | sed 's/ $//')
if [ "usage: $synopsis" = "$(head -n 1 "$TMPROOT/.out")" ]; then ok "man SYNOPSIS = first usage line"; else fail "man SYNOPSIS = first usage line ($synopsis)"; fi
expect_status 2 "no date: usage error" setLastUpdate --root "$R" -m pds5
stderr_has '^setLastUpdate: no date given' "no date: said"
expect_status 2 "bad date: usage error" setLastUpdate --root "$R" -m pds5 "2006-13-08 00:00:00"
stderr_has 'bad date' "bad date: said"
expect_status 2 "two dates: usage error" setLastUpdate --root "$R" -m pds5 "2006-10-08" "2006-10-09"
expect_status 2 "unsafe client ../x refused" setLastUpdate --root "$R" -m pds5 -c ../x "2006-10-08"
stderr_has "unsafe client name '../x'" "unsafe client: named"
expect_status 2 "unsafe machine a/b refused" setLastUpdate --root "$R" -m a/b "2006-10-08"
stderr_has "unsafe machine name 'a/b'" "unsafe machine: named"
expect_status 2 "bad file type refused" setLastUpdate --root "$R" -m pds5 -f xx "2006-10-08"
check "usage errors wrote nothing" test ! -e "$TIMES"

# ---- entries ----
expect_status 1 "All with nothing recorded: exit 1" setLastUpdate --root "$R" -m pds5 "2006-10-08 00:00:00"
stderr_has "PICKLED-TIMES: no last-update time is recorded for machine pds5" "All with nothing recorded: said"
expect_status 0 "named clients are created" setLastUpdate --root "$R" -m pds5 -c amis,metser -f tx -v "2006-10-08 03:59:59"
stderr_has '^setLastUpdate: pds5 tx_amis: last update set to 2006-10-08 03:00:00$' "-v says what was set (rounded to the hour)"
check "tx_amis recorded" grep -qx 'pds5 tx_amis 2006-10-08 03:00:00' "$TIMES"
check "tx_metser recorded" grep -qx 'pds5 tx_metser 2006-10-08 03:00:00' "$TIMES"
setLastUpdate --root "$R" -m pds5 -c ncp1 -f rx "2006-10-08 05:00:00"
setLastUpdate --root "$R" -m pds6 -c amis -f tx "2006-10-08 06:00:00"
expect_status 0 "All of one machine" setLastUpdate --root "$R" -m pds5 "2006-10-01"
n=$(grep -c '^pds5 .* 2006-10-01 00:00:00$' "$TIMES")
[ "$n" = 3 ] && ok "All: the 3 entries of pds5 (tx and rx) set" || fail "All: the 3 entries of pds5 (tx and rx) set ($n)"
check "All: the other machine untouched" grep -qx 'pds6 tx_amis 2006-10-08 06:00:00' "$TIMES"
expect_status 0 "All of one file type" setLastUpdate --root "$R" -m pds5 -f rx "2006-10-02"
check "-f rx: rx entry set" grep -qx 'pds5 rx_ncp1 2006-10-02 00:00:00' "$TIMES"
check "-f rx: tx entries untouched" grep -qx 'pds5 tx_amis 2006-10-01 00:00:00' "$TIMES"
expect_status 0 "the machine defaults to the host name" setLastUpdate --root "$R" -c amis -f tx "2006-10-03"
check "host name entry" grep -qx "$(hostname) tx_amis 2006-10-03 00:00:00" "$TIMES"

# A damaged state file: nothing changed, the file named.
cp "$TIMES" "$TMPROOT/times.before"
echo "garbage" > "$POS"
expect_status 1 "damaged PICKLED_FILE_POSITIONS: exit 1" setLastUpdate --root "$R" -m pds5 "2006-10-04"
stderr_has "PICKLED_FILE_POSITIONS" "damaged positions: named"
same_files "damaged positions: PICKLED-TIMES unchanged" "$TMPROOT/times.before" "$TIMES"

# The statsUpdater lock: a running update is waited for.
rm -f "$POS"
flock "$R/stats/.statsUpdater.lock" sleep 2 &
holder=$!
sleep 0.3
t0=$(date +%s%N)
expect_status 0 "waits for the statsUpdater lock, then sets" setLastUpdate --root "$R" -m pds5 -c amis -f tx "2006-10-05"
t1=$(date +%s%N)
wait $holder
waited=$(( (t1 - t0) / 1000000 ))
[ "$waited" -ge 1000 ] && ok "the lock holder was waited for (${waited} ms)" || fail "the lock holder was waited for (${waited} ms)"
check "set after the wait" grep -qx 'pds5 tx_amis 2006-10-05 00:00:00' "$TIMES"

# ---- collect, revert, rerun = the same snapshots ----
if [ ! -x "$BIN/statsUpdater" ] || [ ! -x "$LOGGEN" ]; then
    fail "statsUpdater and loggen are built"
    exit 0
fi
R=$(newroot)
TIMES=$R/stats/PICKLED-TIMES
POS=$R/stats/PICKLED_FILE_POSITIONS
START="2026-01-10 00:00:00"
# 54 hours: tx_*.log.2026-01-10.gz, tx_*.log.2026-01-11 and the live .log.
"$LOGGEN" -q --logdir "$R/log" --clients 2 --sources 1 --start "$START" --hours 54 --noise --gzip-rotated --seed 11
check "the sample has a gzipped rotated file" test -f "$R/log/tx_client001.log.2026-01-10.gz"
update() {   # $1 = root, $2 = date
    statsUpdater --root "$1" -m pds5 -f tx -d "$2" && statsUpdater --root "$1" -m pds5 -f rx -d "$2"
}
setLastUpdate --root "$R" -m pds5 -c client001,client002 -f tx "$START"
setLastUpdate --root "$R" -m pds5 -c source001 -f rx "$START"
expect_status 0 "first collection (54 hours, tx and rx)" update "$R" "2026-01-12 06:00:00"
n=$(find "$R/stats/pickles" -type f | wc -l)
[ "$n" = 162 ] && ok "162 snapshots written" || fail "162 snapshots written ($n)"
check "positions recorded" grep -q ' pds5 tx_client001 ' "$POS"
cp -a "$R/stats/pickles" "$TMPROOT/ref"
P19=$R/stats/pickles/client001/20260110/tx/pds5_19
P20=$R/stats/pickles/client001/20260110/tx/pds5_20
i19=$(stat -c %i "$P19") i20=$(stat -c %i "$P20")

expect_status 0 "revert to 2026-01-10 20:15 (All)" setLastUpdate --root "$R" -m pds5 "2026-01-10 20:15:00"
n=$(grep -c '^pds5 .* 2026-01-10 20:00:00$' "$TIMES")
[ "$n" = 3 ] && ok "revert: the 3 entries at 20:00" || fail "revert: the 3 entries at 20:00 ($n)"
if grep -q ' pds5 [tr]x_' "$POS"; then fail "revert: positions of pds5 dropped"; else ok "revert: positions of pds5 dropped"; fi
expect_status 0 "rerun after the revert" update "$R" "2026-01-12 06:00:00"
same_files "rerun: every snapshot byte-identical" "$TMPROOT/ref" "$R/stats/pickles"
bad=0
for f in $(cd "$TMPROOT/ref" && find . -type f); do cmp -s "$TMPROOT/ref/$f" "$R/stats/pickles/$f" || bad=$((bad + 1)); done
[ "$bad" = 0 ] && ok "rerun: cmp of each snapshot" || fail "rerun: cmp of each snapshot ($bad differ)"
[ "$(stat -c %i "$P20")" != "$i20" ] && ok "rerun: the hours from 20:00 were rewritten" || fail "rerun: the hours from 20:00 were rewritten"
[ "$(stat -c %i "$P19")" = "$i19" ] && ok "rerun: the hours before were left alone" || fail "rerun: the hours before were left alone"
n=$(grep -c '^pds5 .* 2026-01-12 06:00:00$' "$TIMES")
[ "$n" = 3 ] && ok "rerun: the times back at 2026-01-12 06:00" || fail "rerun: the times back at 2026-01-12 06:00 ($n)"

# ---- revert, the log grows, rerun = one clean run over the grown log ----
G=$TMPROOT/grown
"$LOGGEN" -q --logdir "$G" --clients 2 --sources 1 --start "$START" --hours 58 --noise --gzip-rotated --seed 11
for f in tx_client001.log tx_client002.log rx_source001.log; do
    n=$(wc -c < "$R/log/$f")
    if cmp -s -n "$n" "$R/log/$f" "$G/$f"; then tail -c +$((n + 1)) "$G/$f" >> "$R/log/$f"; else fail "$f grows by appending"; fi
done
expect_status 0 "revert to 2026-01-11 23:00 (before the midnight of the live file)" setLastUpdate --root "$R" -m pds5 "2026-01-11 23:00:00"
expect_status 0 "rerun over the grown log" update "$R" "2026-01-12 10:00:00"
C=$(newroot)
rm -rf "$C/log" && cp -a "$R/log" "$C/log"
setLastUpdate --root "$C" -m pds5 -c client001,client002 -f tx "$START"
setLastUpdate --root "$C" -m pds5 -c source001 -f rx "$START"
expect_status 0 "one clean run over the grown log" update "$C" "2026-01-12 10:00:00"
same_files "revert + growth + rerun = one clean run" "$C/stats/pickles" "$R/stats/pickles"
n=$(find "$R/stats/pickles" -type f | wc -l)
[ "$n" = 174 ] && ok "174 snapshots after the growth" || fail "174 snapshots after the growth ($n)"
