#!/bin/sh
# launchGraphs: the hourly cycle of the graphics host against two "machines"
# reached through a real sshd on 127.0.0.1 (as 127.0.0.1 and localhost, both
# pickling the logs of one log machine each in a shared remote root), then
# with one of them down; the plan (--dry-run), a bad config and the lock.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/sshd.sh"

start="2026-11-23 00:00:00"
now="2026-11-23 06:00:00"

# -- command line, plan, config errors -----------------------------------------
expect_status 0 "launchGraphs -h exits 0" launchGraphs -h
stdout_has '^usage: launchGraphs \[-d DATE\] \[--dry-run\]' "-h prints the usage on stdout"
expect_status 2 "an unknown option is a usage error" launchGraphs --bogus
expect_status 2 "an argument is a usage error" launchGraphs extra

p=$(newroot)
cat > "$p/etc/pxstats.conf" <<'EOF'
[graphics]
logFilesMachines = pds5,pds6;pxatx
picklingMachines = logan1;logan1;logan2
picklingMachineLogins = pds;pds;px
localMachines = logan2
monitorHours = 0,12
[databases]
machineNames = pds5,pds6;pxatx
[uploads]
machineNames = lvs1-op;lvs2-op
logins = pds;pds
directory = /apps/columbo
EOF
expect_status 0 "--dry-run prints the plan" launchGraphs --root "$p" --dry-run -d "2026-11-29 12:08:00"
cp "$TMPROOT/.out" "$TMPROOT/plan"
stdout_has "^\[pds@logan1\] statsUpdater -f rx -m pds5 -d '2026-11-29 12:00:00'$" "remote updates run over ssh, with the hour of the cycle"
stdout_has "^[^[]*statsUpdater --root $p -f tx -m pxatx -d '2026-11-29 12:00:00'$" "a pickling machine that is this host runs locally"
check "logan1 is synchronised once" test "$(grep -c 'pickleSync .*-l pds -m logan1$' "$TMPROOT/plan")" -eq 1
check "logan2 (local) is not synchronised" sh -c "! grep -q 'pickleSync.*logan2' '$TMPROOT/plan'"
stdout_has "pickleMerge --root $p -c All -f tx -m pds5,pds6 -d '2026-11-29 12:00:00' -s 24$" "the group of two machines is merged"
check "a single machine is not merged" sh -c "! grep -q 'pickleMerge.*pxatx' '$TMPROOT/plan'"
stdout_has "rrdTransfer --root $p -f rx -m pxatx -e '2026-11-29 12:00:00'$" "rrdTransfer per database group and fileType"
stdout_has "graphGen --root $p --all -l -m pds5,pds6 -s 24 -d '2026-11-29 12:00:00'$" "graphGen --all -l per group"
stdout_has "webPages --root $p --images --date" "webPages --images"
stdout_has "webPages --root $p --all --date" "webPages --all"
stdout_has "^upload webGraphics/columbo/\{rx,tx\}/\*.png drawn this cycle to pds@lvs2-op:/apps/columbo/\{rx,tx\}/$" "the 24 h images go to each upload machine"
stdout_has "statsMonitor --root $p$" "statsMonitor at 12h"
order=$(sed 's/^\[[^]]*\] //; s/ .*//; s|.*/||' "$TMPROOT/plan" | uniq | tr '\n' ' ')
check "the steps are in the cycle's order ($order)" \
    test "$order" = "statsUpdater pickleSync pickleMerge rrdTransfer graphGen webPages upload statsMonitor "
check "the programs are found beside launchGraphs" grep -q "^$BIN/webPages " "$TMPROOT/plan"
expect_status 0 "at 13h" launchGraphs --root "$p" --dry-run -d "2026-11-29 13:08:00"
check "no statsMonitor at 13h" sh -c "! grep -q statsMonitor '$TMPROOT/.out'"
check "--dry-run took no lock and wrote nothing" test -z "$(ls -A "$p/stats")"
expect_status 0 "at 00h" launchGraphs --root "$p" --dry-run -d "2026-11-30 00:08:00"
order=$(sed 's/^\[[^]]*\] //; s/ .*//; s|.*/||' "$TMPROOT/.out" | uniq | tr '\n' ' ')
check "at the maintenance hour: a backup right after the feeds, the cleaning last ($order)" \
    test "$order" = "statsUpdater pickleSync pickleMerge rrdTransfer restoreRRD graphGen webPages upload statsMonitor pickleClean "
stdout_has "restoreRRD --root $p --backup --wait$" "the daily backup waits for a running rrdTransfer"
sed -i 's/^\[graphics\]$/[graphics]\nmaintenanceHours = 3/' "$p/etc/pxstats.conf"
launchGraphs --root "$p" --dry-run -d "2026-11-30 00:08:00" > "$TMPROOT/plan0"
launchGraphs --root "$p" --dry-run -d "2026-11-30 03:08:00" > "$TMPROOT/plan3"
check "[graphics] maintenanceHours moves the backup and the cleaning" \
    sh -c "! grep -q 'restoreRRD\|pickleClean' '$TMPROOT/plan0' && grep -q restoreRRD '$TMPROOT/plan3' && grep -q pickleClean '$TMPROOT/plan3'"
sed -i '/^maintenanceHours/d' "$p/etc/pxstats.conf"
cp "$p/etc/pxstats.conf" "$p/etc/twice.conf"
sed -i 's/^machineNames = pds5,pds6;pxatx/machineNames = pds5,pds6;pds5/' "$p/etc/twice.conf"
expect_status 2 "a machine named twice in [databases] machineNames is refused (exit 2)" \
    launchGraphs --root "$p" --config "$p/etc/twice.conf" --dry-run
stderr_has "\\[databases\\] machineNames: machine 'pds5' named twice" "the message names the key and the machine"

sed -i 's/^picklingMachines = .*/picklingMachines = logan1;logan1/' "$p/etc/pxstats.conf"
expect_status 1 "a pickling machine missing for a log machine is an error" launchGraphs --root "$p" --dry-run
stderr_has 'picklingMachines.*3 log machines' "the message names the key and the count"
sed -i 's/^picklingMachines = .*/picklingMachines = logan1;-oProxyCommand=x;logan2/' "$p/etc/pxstats.conf"
expect_status 1 "an unsafe pickling machine name is refused" launchGraphs --root "$p" --dry-run
stderr_has "unsafe pickling machine name '-oProxyCommand=x'" "the message names the machine"

# -- two machines through sshd ---------------------------------------------------
if ! sshd_start; then fail "sshd could not start"; exit 1; fi
# A remote root shared by the two "machines": logs of m1 and m2 in log/<m>/.
remote_root() {   # $1 = root: logs for m1 and m2, collection starting at $start
    loggen --logdir "$1/log" --machines m1,m2 --names amis,satnet --source-names ncp1 \
        --start "$start" --hours 6 --rate 600 --seed 7 -q || return 1
    for m in m1 m2; do
        setLastUpdate --root "$1" -m "$m" -f tx -c amis,satnet "$start" >/dev/null || return 1
        setLastUpdate --root "$1" -m "$m" -f rx -c ncp1 "$start" >/dev/null || return 1
    done
}
graphics_conf() {   # $1 = graphics root, $2 = remote root, $3 = pickling machines
    cat > "$1/etc/pxstats.conf" <<EOF
[graphics]
logFilesMachines = m1,m2
picklingMachines = $3
picklingMachineLogins = $SSH_USER;$SSH_USER
localMachines =
remoteRoot = $2
remoteBinDir = $BIN
monitorHours = 6
[databases]
machineNames = m1,m2
[uploads]
machineNames = 127.0.0.1
logins = $SSH_USER
directory = $1/columbo-upload
[sync]
remoteStatsDir = $2/stats
[monitoring]
emails =
EOF
    sshd_pxstats_conf "$1/etc/pxstats.conf"
}

rr=$(newroot); g=$(newroot)
check "the remote root is prepared (logs of m1 and m2, 6 hours)" remote_root "$rr"
graphics_conf "$g" "$rr" "127.0.0.1;localhost"
t0=$(date +%s)
expect_status 0 "one full cycle over ssh succeeds" env PXS_NOW="$now" launchGraphs --root "$g"
t1=$(date +%s)
stdout_has '^launchGraphs: 1[0-9] steps, 0 failed$' "the summary line says no step failed"
stdout_has 'Stats monitor results' "statsMonitor ran at the monitor hour"
gs=$g/stats
for h in 00 05; do
    check "snapshots of m1 and m2 brought here (amis tx $h)" \
        test -s "$gs/pickles/amis/20261123/tx/m1_$h" -a -s "$gs/pickles/amis/20261123/tx/m2_$h"
    check "merged snapshot m1m2_$h of amis" test -s "$gs/pickles/amis/20261123/tx/m1m2_$h"
done
check "merged snapshot of the rx source" test -s "$gs/pickles/ncp1/20261123/rx/m1m2_05"
check "no snapshot of the hour not yet complete" test ! -e "$gs/pickles/amis/20261123/tx/m1_06"
last=$(rrdtool last "$gs/databases/tx/latency/amis_m1m2" 2>/dev/null)
want=$(python3 -c 'import calendar,time; print(calendar.timegm(time.strptime("2026-11-23 06:00:00", "%Y-%m-%d %H:%M:%S")))')
check "the merged database of amis is fed up to 06:00 ($last = $want)" test "$last" = "$want"
check "the rx database of ncp1 exists" test -s "$gs/databases/rx/bytecount/ncp1_m1m2"
check "graphGen drew the 24 h graphs" test -s "$gs/webGraphics/columbo/tx/amis.png" -a -s "$gs/webGraphics/columbo/rx/ncp1.png"
check "the daily image of Monday 23" test -s "$gs/webGraphics/daily/tx/amis/Mon.png"
check "the weekly image (week 47)" test -s "$gs/webGraphics/weekly/tx/latency/amis/47.png"
for pg in index dailyGraphs weeklyGraphs monthlyGraphs yearlyGraphs; do
    check "webPages/$pg.html" test -s "$gs/webPages/$pg.html"
done
check "the daily page lists amis and ncp1" sh -c "grep -q '>amis<' '$gs/webPages/dailyGraphs.html' && grep -q '>ncp1<' '$gs/webPages/dailyGraphs.html'"
check "the 24 h images were uploaded over ssh" cmp "$gs/webGraphics/columbo/tx/satnet.png" "$g/columbo-upload/tx/satnet.png"
check "one cycle takes under 45 s ($((t1 - t0)) s)" test $((t1 - t0)) -lt 45

# The lock: a cycle while another holds it stops at once and says so.
flock "$gs/.launchGraphs.lock" sleep 5 &
holder=$!
sleep 0.5
expect_status 1 "a second launchGraphs while one runs exits 1" env PXS_NOW="$now" launchGraphs --root "$g"
stderr_has 'not running: another launchGraphs run holds' "it says another run holds the lock"
kill "$holder" 2>/dev/null; wait "$holder" 2>/dev/null

# -- one machine down ----------------------------------------------------------------
# 127.0.0.2 is a loopback address where nothing listens: connection refused.
rr2=$(newroot); g2=$(newroot)
check "a second remote root is prepared" remote_root "$rr2"
graphics_conf "$g2" "$rr2" "127.0.0.1;127.0.0.2"
expect_status 1 "a cycle with m2's pickling machine down exits 1" env PXS_NOW="$now" launchGraphs --root "$g2"
stdout_has '^launchGraphs: 1[0-9] steps, 3 failed: statsUpdater -f rx for m2 on 127.0.0.2, statsUpdater -f tx for m2 on 127.0.0.2, pickleSync from 127.0.0.2$' \
    "the summary names the three failed steps"
stderr_has '127\.0\.0\.2.*(refused|Connection)' "the cause is reported"
gs2=$g2/stats
check "m1's snapshots still arrive" test -s "$gs2/pickles/amis/20261123/tx/m1_05"
check "m2 has none" test ! -e "$gs2/pickles/amis/20261123/tx/m2_05"
check "the merge is made from m1 alone" test -s "$gs2/pickles/amis/20261123/tx/m1m2_05"
check "the archive is still fed" test -s "$gs2/databases/tx/latency/amis_m1m2"
check "the graphs are still drawn" test -s "$gs2/webGraphics/columbo/tx/amis.png"
check "the pages are still written" test -s "$gs2/webPages/dailyGraphs.html"
check "the images are still uploaded" test -s "$g2/columbo-upload/tx/amis.png"
