#!/bin/sh
# statsMonitor: a clean tree gives a report without warnings (exit 0); each of
# the seven checks fires on a tree where its fault was provoked (exit 1); a
# problem already reported is summarised in one line; the mail handed to
# sendmail is a valid multipart/alternative message with both parts.
. "$(dirname "$0")/lib.sh"

MKSNAP=$TBIN/mksnap
if [ ! -x "$MKSNAP" ] || [ ! -x "$BIN/statsMonitor" ]; then
    fail "statsMonitor and mksnap are built"
    exit 1
fi
T=$TMPROOT
iso() { date -u -d "@$1" '+%Y-%m-%d %H:%M:%S'; }

# The run's time is the real one (the files written below are fresh), fixed
# for every run through PXS_NOW.
NOWE=$(date -u +%s)
NOW=$(iso "$NOWE")
H0=$((NOWE / 3600 * 3600))          # start of the current (incomplete) hour
FIRST=$((H0 - 72 * 3600))           # 3 days of complete hours ([monitoring] days = 3)
export PXS_NOW="$NOW"

# ---- the clean tree ----------------------------------------------------------
# Machines pds5,pds6 merged (c1, c2 tx) and pxatx alone (s1 rx); every
# snapshot, an rrdTransfer line every hour, fresh databases, feeds, pages,
# images; a crontab file and a binary directory the test controls.
C=$(newroot)
S=$C/stats
for cl in c1 c2; do
    for m in pds5 pds6 pds5pds6; do "$MKSNAP" "$S" $cl tx $m "$(iso $FIRST)" 72; done
done
"$MKSNAP" "$S" s1 rx pxatx "$(iso $FIRST)" 72
mkdir -p "$S/log"
python3 -c '
import sys, time
f, e = int(sys.argv[1]), int(sys.argv[2])
for t in range(f, e, 3600):
    print(time.strftime("%Y-%m-%d %H:%M:%S", time.gmtime(t + 480)), "rrdTransfer: 3 clients fed")
' "$FIRST" "$H0" > "$S/log/rrdTransfer.log"
for db in tx/latency/c1_pds5pds6 tx/latency/c2_pds5pds6 rx/bytecount/s1_pxatx; do
    mkdir -p "$S/databases/${db%/*}"
    ds=${db%/*}; ds=${ds#*/}
    rrdtool create "$S/databases/$db" --start $((NOWE - 300)) --step 60 \
        "DS:$ds:GAUGE:60:U:U" RRA:AVERAGE:0.5:1:10
done
mkdir -p "$S/DATABASE-UPDATES/tx" "$S/DATABASE-UPDATES/rx"
iso $H0 > "$S/DATABASE-UPDATES/tx/c1_pds5pds6"
iso $H0 > "$S/DATABASE-UPDATES/tx/c2_pds5pds6"
echo $H0 > "$S/DATABASE-UPDATES/rx/s1_pxatx"          # epoch form: accepted too
mkdir -p "$S/webPages" "$S/webGraphics/daily/tx/c1" "$S/webGraphics/daily/rx/s1"
for p in index dailyGraphs weeklyGraphs; do echo "<html></html>" > "$S/webPages/$p.html"; done
echo png > "$S/webGraphics/daily/tx/c1/Mon.png"
echo png > "$S/webGraphics/daily/rx/s1/Mon.png"
mkdir -p "$C/bin"
echo "program one" > "$C/bin/statsUpdater"
echo "program two" > "$C/bin/pickleView"
echo "8 * * * * launchGraphs" > "$C/crontab"
cat > "$C/etc/pxstats.conf" <<EOF
[monitoring]
machines = pds5,pds6;pxatx
days = 3
folders = $S
maxUsages = 100
crontabFile = $C/crontab
binDir = $C/bin
EOF

# run TREE [options...]: statsMonitor on a tree, report on stdout.
run() { r=$1; shift; "$BIN/statsMonitor" --root "$r" --config "$r/etc/pxstats.conf" --stdout "$@"; }
# fresh: D becomes a copy of the clean tree, run once where it lies (its
# checksums name its own paths), so that the fault provoked next is the only
# change. (Not a $(...) function: a subshell that runs programs would run the
# suite's EXIT trap, which removes $TMPROOT.)
fresh() {
    D=$(mktemp -d "$T/fault.XXXXXX")
    cp -a "$C/." "$D/"
    sed -i "s|$C|$D|g" "$D/etc/pxstats.conf"
    run "$D" > /dev/null
}

expect_status 0 "a clean tree: exit 0" run "$C"
stdout_has '^All is well: no warnings\.$' "a clean tree: the report says all is well"
for l in 'No disk usage warnings' 'No missing snapshot warnings' 'No data gap warnings' \
         'No RRD archive warnings' 'No checksum warnings' 'No crontab warnings' 'No web page warnings'; do
    stdout_has "^$l\.$" "a clean tree: '$l'"
done
stdout_has '^Time of test +'"$NOW"'$' "the report gives the time of the test"
check "the state is written under statsMonitoring/" test -s "$S/statsMonitoring/previousMonitoringJob"
check "the previous run time is recorded" grep -qx "$NOW" "$S/statsMonitoring/previousMonitoringJob"
expect_status 0 "a clean tree, second run: exit 0" run "$C"
stdout_has '^Time of previous test +'"$NOW"'$' "the second run names the previous one"
stdout_has 'Crontab entries were not modified' "the second run compared the crontab"

# ---- 1. disk usage -------------------------------------------------------------
fresh
sed -i 's/^maxUsages = 100/maxUsages = 1/' "$D/etc/pxstats.conf"
expect_status 1 "disk: a 1 % limit fires (exit 1)" run "$D"
want=$(df -P "$D/stats" | awk 'NR == 2 { sub("%", "", $5); print $5 }')
stdout_has "Disk usage for $D/stats is $want % \\(limit 1 %\\)" "disk: the usage is df's ($want %)"
sed -i "s|^folders = .*|folders = $D/stats;$D/nowhere|; s/^maxUsages = 1/maxUsages = 100/" "$D/etc/pxstats.conf"
expect_status 1 "disk: a folder that does not exist is reported" run "$D"
stdout_has "Cannot check the disk usage of $D/nowhere: No such file" "disk: the missing folder is named"

# ---- 2. missing snapshots -------------------------------------------------------
fresh
P=$D/stats/pickles
day() { date -u -d "@$1" +%Y%m%d; }
hh() { date -u -d "@$1" +%H; }
A=$((H0 - 30 * 3600))
rm "$P/c1/$(day $A)/tx/pds6_$(hh $A)"
for k in 50 49 48; do
    t=$((H0 - k * 3600))
    rm "$P/c1/$(day $t)/tx/pds5_$(hh $t)" "$P/c2/$(day $t)/tx/pds5_$(hh $t)"
done
expect_status 1 "missing: deleted snapshots are reported (exit 1)" run "$D"
stdout_has "^  \\* missing pickles/c1/<YYYYMMDD>/tx/pds6_<HH> from $(iso $A) to $(iso $A) \\(1 hour\\)$" \
    "missing: one deleted hour is one line"
stdout_has "^  \\* missing pickles/\\{c1,c2\\}/<YYYYMMDD>/tx/pds5_<HH> from $(iso $((H0 - 50 * 3600))) to $(iso $((H0 - 48 * 3600))) \\(3 hours\\)$" \
    "missing: three hours of two clients are one range"
n=$(grep -c '^  \* missing' "$TMPROOT/.out")
if [ "$n" -eq 2 ]; then ok "missing: exactly two lines"; else fail "missing: exactly two lines (got $n)"; fi
rm "$P/c1/$(day $((H0 - 3600)))/tx/pds5pds6_$(hh $((H0 - 3600)))"
expect_status 1 "missing: a merged snapshot is expected too" run "$D"
stdout_has "missing pickles/c1/<YYYYMMDD>/tx/pds5pds6_<HH> from $(iso $((H0 - 3600)))" \
    "missing: the merged group's hour is named"

# A machine down for many clients is still one line.
fresh
t=$((H0 - 2 * 3600))
# (from the hour before: a machine is expected from its own first snapshot)
for i in 3 4 5 6 7 8 9 10 11 12 13; do
    for m in pds5 pds6 pds5pds6; do "$MKSNAP" "$D/stats" c$i tx $m "$(iso $((t - 3600)))" 3; done
done
for i in 1 2 3 4 5 6 7 8 9 10 11 12 13; do rm "$D/stats/pickles/c$i/$(day $t)/tx/pds6_$(hh $t)"; done
expect_status 1 "missing: one hour of thirteen clients (exit 1)" run "$D"
stdout_has "^  \\* missing pickles/\\{c1,c10,c11,c12,c13,c2,c3,c4,c5,c6,\\.\\.\\.\\}/<YYYYMMDD>/tx/pds6_<HH> for 13 clients from $(iso $t) to $(iso $t) \\(1 hour\\)$" \
    "missing: thirteen clients are one line, ten named"
n=$(grep -c '^  \* missing' "$TMPROOT/.out")
if [ "$n" -eq 1 ]; then ok "missing: no other line"; else fail "missing: no other line (got $n)"; fi

# ---- 3. gaps in the data --------------------------------------------------------
fresh
G1=$((H0 - 4 * 3600 + 600)); G2=$((G1 + 90 * 60))     # 90 silent minutes on both machines
for m in pds5 pds6; do "$MKSNAP" -s "$(iso $G1)/$(iso $G2)" "$D/stats" c1 tx $m "$(iso $((H0 - 4 * 3600)))" 2; done
expect_status 1 "gaps: a silent hour and a half is reported (exit 1)" run "$D" --since "$(iso $((H0 - 6 * 3600)))"
stdout_has "^  \\* tx c1 on pds5pds6: No data was found between $(iso $G1) and $(iso $G2) \\(90 minutes; 60 allowed\\)\\.$" \
    "gaps: 'No data was found between X and Y' with the exact minutes"
n=$(grep -c 'No data was found' "$TMPROOT/.out")
if [ "$n" -eq 1 ]; then ok "gaps: one line for the outage"; else fail "gaps: one line for the outage (got $n)"; fi
printf '[monitoring.gaps]\nc1 = 120\n' >> "$D/etc/pxstats.conf"
expect_status 1 "gaps: a client allowed 120 minutes (other warnings: the config changed)" run "$D" --since "$(iso $((H0 - 6 * 3600)))"
stdout_has '^No data gap warnings\.$' "gaps: the per-client allowance is honoured"
fresh
"$MKSNAP" -s "$(iso $G1)/$(iso $G2)" "$D/stats" c1 tx pds5 "$(iso $((H0 - 4 * 3600)))" 2
expect_status 0 "gaps: silence on one machine of a merged group is no gap" run "$D" --since "$(iso $((H0 - 6 * 3600)))"

# ---- 4. the RRD archive ---------------------------------------------------------
fresh
S4=$D/stats
grep -v -e "^$(iso $((H0 - 3 * 3600)) | cut -c1-13)" -e "^$(iso $((H0 - 2 * 3600)) | cut -c1-13)" \
    "$S4/log/rrdTransfer.log" > "$T/log.tmp" && mv "$T/log.tmp" "$S4/log/rrdTransfer.log"
expect_status 1 "rrd: two hours without rrdTransfer are reported (exit 1)" run "$D" --since "$(iso $((H0 - 6 * 3600)))"
stdout_has "rrdTransfer did not run between $(iso $((H0 - 3 * 3600))) and $(iso $((H0 - 3600))) \\(2 hours" \
    "rrd: the silent hours are one range"
fresh
S4=$D/stats
OLD=$((NOWE - 5 * 3600))
rm "$S4/databases/tx/latency/c1_pds5pds6"
rrdtool create "$S4/databases/tx/latency/c1_pds5pds6" --start $OLD --step 60 DS:latency:GAUGE:60:U:U RRA:AVERAGE:0.5:1:10
iso $((H0 - 5 * 3600)) > "$S4/DATABASE-UPDATES/rx/s1_pxatx"
expect_status 1 "rrd: a stale database and an old feed are reported (exit 1)" run "$D"
stdout_has "1 databases last updated at $(iso $OLD) \\(300 minutes ago\\): tx/latency/c1_pds5pds6" \
    "rrd: the stale database and its last update (rrd_last)"
stdout_has "1 DATABASE-UPDATES feeds last updated at $(iso $((H0 - 5 * 3600))) .*: rx/s1_pxatx" \
    "rrd: the old DATABASE-UPDATES time"

# Hours rrdTransfer fed without a machine's snapshot are reported until the
# snapshot arrives and the next feed repairs them (issue 13, rule 7).
fresh
S4=$D/stats
F=$((H0 - 6 * 3600))
for m in pds5 pds5pds6; do "$MKSNAP" "$S4" c9 tx $m "$(iso $F)" 6; done
"$MKSNAP" "$S4" c9 tx pds6 "$(iso $F)" 3
rrdTransfer --root "$D" -c c9 -m pds5,pds6 -e "$(iso $H0)" --max-wait 0 >/dev/null 2>&1
expect_status 1 "rrd: hours fed incomplete are reported (exit 1)" run "$D"
stdout_has "tx c9 on pds5pds6: 3 hours from $(iso $((F + 3 * 3600))) to $(iso $((F + 5 * 3600))) fed without the snapshot of pds6" \
    "rrd: the incomplete hours are one range naming the missing machine"
"$MKSNAP" "$S4" c9 tx pds6 "$(iso $((F + 3 * 3600)))" 3
rrdTransfer --root "$D" -c c9 -m pds5,pds6 -e "$(iso $H0)" --max-wait 0 >/dev/null 2>&1
expect_status 0 "rrd: once the snapshots arrived and were fed, nothing is reported (exit 0)" run "$D"
# A client that begins on pds6 two hours after pds5: pds6's hours before its
# first snapshot are not missing (statsUpdater writes none before the first
# log line).
fresh
for m in pds5 pds5pds6; do "$MKSNAP" "$D/stats" c8 tx $m "$(iso $((H0 - 5 * 3600)))" 5; done
"$MKSNAP" "$D/stats" c8 tx pds6 "$(iso $((H0 - 3 * 3600)))" 3
expect_status 0 "missing: no hour before a machine's first snapshot is reported (exit 0)" run "$D"
rm "$D/stats/pickles/c8/$(day $((H0 - 2 * 3600)))/tx/pds6_$(hh $((H0 - 2 * 3600)))"
expect_status 1 "missing: an hour after it is" run "$D"
stdout_has "missing pickles/c8/<YYYYMMDD>/tx/pds6_<HH> from $(iso $((H0 - 2 * 3600))) to $(iso $((H0 - 2 * 3600)))" \
    "missing: that hour is named"

# ---- 5. checksums ---------------------------------------------------------------
fresh
echo "patched" >> "$D/bin/pickleView"
rm "$D/bin/statsUpdater"
echo "new" > "$D/bin/rrdGraph"
crc=$(python3 -c 'import sys, zlib; print("%08x" % zlib.crc32(open(sys.argv[1], "rb").read()))' "$D/bin/pickleView")
expect_status 1 "checksums: changed programs are reported (exit 1)" run "$D"
stdout_has "Checksum of $D/bin/pickleView has changed \\(CRC-32 $crc, 20 bytes; was [0-9a-f]{8}, 12 bytes\\)" \
    "checksums: the changed binary, with zlib's CRC-32"
stdout_has "$D/bin/statsUpdater could not be found" "checksums: the removed binary"
stdout_has "$D/bin/rrdGraph has been added" "checksums: the added binary"
expect_status 0 "checksums: a change is reported once" run "$D"

# ---- 6. crontab -----------------------------------------------------------------
fresh
echo "0 */12 * * * statsMonitor" >> "$D/crontab"
expect_status 1 "crontab: a changed crontab is reported (exit 1)" run "$D"
stdout_has "Crontab entries were modified since last monitoring job \\(1 line added, 0 removed\\)" \
    "crontab: the change is counted"
stdout_has '^    added:   0 \*/12 \* \* \* statsMonitor$' "crontab: the new line is shown"

# ---- 7. web pages and daily images ----------------------------------------------
fresh
touch -d "@$((NOWE - 2 * 3600))" "$D/stats/webPages/dailyGraphs.html"
touch -d "@$((NOWE - 3 * 3600))" "$D/stats/webGraphics/daily/rx/s1/Mon.png"
expect_status 1 "web: an old page and an old image are reported (exit 1)" run "$D"
stdout_has "$D/stats/webPages/dailyGraphs.html was last modified at $(iso $((NOWE - 2 * 3600))) \\(120 minutes ago\\)" \
    "web: the old page"
stdout_has "1 daily image folders last updated at $(iso $((NOWE - 3 * 3600))) \\(180 minutes ago\\): rx/s1" \
    "web: the old daily image"
# The same problems again: one line, unless --full.
expect_status 1 "repeat: problems still there: exit 1" run "$D"
stdout_has '2 problems already reported by the previous run and unchanged' "repeat: summarised in one line"
if grep -q 'dailyGraphs.html was last' "$TMPROOT/.out"; then fail "repeat: the old page is not repeated"; else ok "repeat: the old page is not repeated"; fi
expect_status 1 "repeat --full: exit 1" run "$D" --full
stdout_has 'dailyGraphs.html was last modified .*\(already reported\)$' "repeat --full: listed and marked"

# ---- the mail ---------------------------------------------------------------------
fresh
mkdir -p "$T/fakebin"
cat > "$T/fakebin/sendmail" <<'EOF'
#!/bin/sh
echo "$@" > "$MAILDIR/args"
cat > "$MAILDIR/mail"
EOF
chmod +x "$T/fakebin/sendmail"
export MAILDIR="$T"
printf 'emails = ops@example.org;dev@example.org\n' >> "$D/etc/pxstats.conf"
touch -d "@$((NOWE - 2 * 3600))" "$D/stats/webPages/index.html"
expect_status 1 "mail: sent through the sendmail found in PATH" \
    env PATH="$T/fakebin:$PATH" "$BIN/statsMonitor" --root "$D" --config "$D/etc/pxstats.conf"
check "mail: nothing on stdout" test ! -s "$TMPROOT/.out"
check "mail: sendmail was run with -t -oi" grep -qx -- '-t -oi' "$T/args"
cat > "$T/mimecheck.py" <<'EOF'
import sys
from email import policy
from email.parser import BytesParser
raw = open(sys.argv[1], "rb").read()
m = BytesParser(policy=policy.default).parsebytes(raw)
assert m.get_content_type() == "multipart/alternative", m.get_content_type()
parts = list(m.iter_parts())
assert [p.get_content_type() for p in parts] == ["text/plain", "text/html"], parts
assert m["Subject"].startswith("[Stats Library Monitoring] "), m["Subject"]
assert m["Subject"].endswith(sys.argv[2]), m["Subject"]
assert "ops@example.org" in m["To"] and "dev@example.org" in m["To"], m["To"]
assert m["Date"] and m["MIME-Version"] == "1.0"
text, html = parts[0].get_content(), parts[1].get_content()
assert "Stats monitor results" in text and "index.html was last modified" in text
assert "<h2>Web pages and daily images</h2>" in html and "index.html was last modified" in html
assert not m.defects and not any(p.defects for p in parts)
assert max(len(l) for l in raw.split(b"\r\n")) <= 78
print("valid")
EOF
check "mail: a valid multipart/alternative message with a text and an HTML part" \
    sh -c "python3 '$T/mimecheck.py' '$T/mail' '$NOW' | grep -qx valid"
rm -f "$T/mail"
printf 'sendmail = %s/fakebin/sendmail\n' "$T" >> "$D/etc/pxstats.conf"
expect_status 1 "mail: sendmail named by the config" "$BIN/statsMonitor" --root "$D" --config "$D/etc/pxstats.conf"
check "mail: the configured sendmail received it" test -s "$T/mail"
printf '#!/bin/sh\necho "relay refused" >&2\nexit 75\n' > "$T/fakebin/sendmail"
cp "$D/stats/statsMonitoring/previousMonitoringJob" "$T/prevjob"
PXS_NOW=$(iso $((NOWE + 60))) expect_status 1 "mail: a failing sendmail fails the run" \
    "$BIN/statsMonitor" --root "$D" --config "$D/etc/pxstats.conf"
stderr_has 'sendmail exited with status 75: relay refused' "mail: the failure names sendmail and its message"
same_files "mail: a report not delivered leaves the state as it was" "$T/prevjob" "$D/stats/statsMonitoring/previousMonitoringJob"

# ---- options ----------------------------------------------------------------------
expect_status 0 "-h exits 0" "$BIN/statsMonitor" -h
stdout_has '^usage: statsMonitor \[--config FILE\] \[--root DIR\] \[--since DATE\] \[--stdout\] \[--full\]$' "-h prints the usage"
# The SYNOPSIS from the troff source (no man(1) needed): each .B/.RB/.IR line
# is one word whose alternating-font pieces join without spaces.
syn=$(sed -n '/^\.SH SYNOPSIS/,/^\.SH DESCRIPTION/{/^\.SH/d;s/^\.[A-Z]* //;s/ //g;s/\\-/-/g;p;}' \
      "$TOP/man/statsMonitor.1" | tr '\n' ' ' | sed 's/ $//')
if [ "usage: $syn" = "$(sed -n 1p "$TMPROOT/.out")" ]; then ok "the man page SYNOPSIS is the usage line"; else fail "the man page SYNOPSIS is the usage line ($syn)"; fi
expect_status 2 "a bad option exits 2" "$BIN/statsMonitor" --bogus
expect_status 2 "a bad --since exits 2" "$BIN/statsMonitor" --since yesterday
expect_status 2 "an argument exits 2" "$BIN/statsMonitor" extra
fresh
printf 'maxGap = soon\n' >> "$D/etc/pxstats.conf"
expect_status 1 "a bad maxGap fails with exit 1" run "$D"
stderr_has 'pxstats.conf:[0-9]+: \[monitoring\] maxGap' "the bad value is named with its file and line"
fresh
sed -i 's/^machines = .*/machines = pds5,pds6;pds6/' "$D/etc/pxstats.conf"
expect_status 2 "a machine named twice in [monitoring] machines exits 2 (the one group parser)" run "$D"
stderr_has "\[monitoring\] machines: machine 'pds6' named twice" "the key and the machine are named"

# ---- the sample configuration -------------------------------------------------------
# Its folders are under /apps/px: moved to a root of this suite that lacks
# them, so that the result does not depend on what the host has there.
fresh
sed "s|/apps/px|$T/sample-root|g" "$TOP/etc/monitoring.conf.sample" > "$T/monitoring.conf"
check "the sample names /apps/px folders (moved here)" grep -q "$T/sample-root/stats" "$T/monitoring.conf"
expect_status 1 "the sample [monitoring] section is accepted (its folders are absent here)" \
    "$BIN/statsMonitor" --root "$D" --config "$T/monitoring.conf" --stdout
check "the sample gives no error on stderr" test ! -s "$TMPROOT/.err"
stdout_has "Cannot check the disk usage of $T/sample-root/stats: No such file" "the sample's folders are checked"

# ---- the tree and the lock -------------------------------------------------------------
expect_status 1 "a root without a stats tree fails" "$BIN/statsMonitor" --root "$T/nowhere" --stdout
stderr_has "stats tree $T/nowhere/stats: No such file or directory" "the missing tree is named"
check "no stats tree is created by the attempt" test ! -e "$T/nowhere"
if command -v flock >/dev/null 2>&1; then
    fresh
    flock "$D/stats/.statsMonitor.lock" sleep 5 &
    holder=$!
    # Wait until the holder really has it: a loaded machine starts it late.
    while flock -n "$D/stats/.statsMonitor.lock" true; do sleep 0.1; done
    expect_status 1 "a second run while one holds the lock stops" run "$D"
    stderr_has 'statsMonitor' "the second run says who holds the lock"
    kill "$holder" 2>/dev/null
    wait "$holder" 2>/dev/null || :    # its status is the kill's, not a failure
fi
exit 0
