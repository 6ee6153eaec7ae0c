#!/bin/sh
# restoreRRD end to end: backups are byte copies, 20 are kept, a restore puts
# back the same bytes (and backs up first); then the seed's revert: restore the
# archive, set the last update back, recollect, retransfer, and the databases
# equal those of one clean run.
. "$(dirname "$0")/lib.sh"

D=2006-10-08
T0=$(date -u -d "$D 00:00:00" +%s)

# One clean run for reference: collect 00:00-12:00 and feed it once.
REF=$(newroot)
loggen --logdir "$REF/log" --machines pds5 --names amis --sources 1 --start "$D 00:00:00" \
    --hours 13 --seed 7 -q
setLastUpdate --root "$REF" -m pds5 -f tx -c amis "$D 00:00:00" >/dev/null
statsUpdater --root "$REF" -m pds5 -f tx -c amis -d "$D 12:00:00" >/dev/null 2>&1
expect_status 0 "reference: one feed of 12 hours" rrdTransfer --root "$REF" -c amis -m pds5 -e "$D 12:00:00"
rrdtool fetch "$REF/stats/databases/tx/filecount/amis_pds5" AVERAGE -r 60 -s "$T0" -e "$((T0 + 12 * 3600))" \
    | awk -F': ' '$2 + 0 > 0 { n++ } END { exit !(n > 300) }'
check "the reference holds real traffic" test $? = 0

# The same logs, collected and fed in two steps with a backup between.
R=$(newroot); S=$R/stats
cp -r "$REF/log/." "$R/log/"
setLastUpdate --root "$R" -m pds5 -f tx -c amis "$D 00:00:00" >/dev/null
statsUpdater --root "$R" -m pds5 -f tx -c amis -d "$D 06:00:00" >/dev/null 2>&1
rrdTransfer --root "$R" -c amis -m pds5 -e "$D 06:00:00" >/dev/null
PXS_NOW="$D 06:05:00" expect_status 0 "restoreRRD --backup makes a backup" restoreRRD --root "$R" --backup
stdout_has "2006-10-08 06:05:00" "and names it"
B="$S/databases_backups/2006-10-08_06:05:00"
same_files "the backup holds the databases, byte for byte" "$S/databases" "$B/databases"
same_files "the backup holds DATABASE-UPDATES" "$S/DATABASE-UPDATES" "$B/DATABASE-UPDATES"
cp -r "$S/databases" "$TMPROOT/at0605"

statsUpdater --root "$R" -m pds5 -f tx -c amis -d "$D 12:00:00" >/dev/null 2>&1
rrdTransfer --root "$R" -c amis -m pds5 -e "$D 12:00:00" >/dev/null
mkdir -p "$S/databases/tx/latency" && cp "$S/databases/tx/latency/amis_pds5" "$S/databases/tx/latency/later_pds5"

PXS_NOW="$D 12:05:00" expect_status 0 "restoreRRD DATE restores that backup" restoreRRD --root "$R" "$D 06:05:00"
same_files "the databases are the backup's bytes again" "$TMPROOT/at0605" "$S/databases"
check "DATABASE-UPDATES is the backup's" grep -qx "$D 06:00:00" "$S/DATABASE-UPDATES/tx/amis_pds5"
check "a database the backup did not have is gone" test ! -e "$S/databases/tx/latency/later_pds5"
expect_status 0 "restoreRRD --list lists the backups" restoreRRD --root "$R" --list
check "the state before the restore was backed up first" \
    test "$(cat "$TMPROOT/.out")" = "$(printf '%s\n%s' "$D 06:05:00" "$D 12:05:00")"
check "that backup holds the fed-to-12:00 state" grep -qx "$D 12:00:00" \
    "$S/databases_backups/2006-10-08_12:05:00/DATABASE-UPDATES/tx/amis_pds5"

# The revert: last update set back to the backup's time, recollect, retransfer.
expect_status 0 "setLastUpdate sets the collection back" setLastUpdate --root "$R" -m pds5 -f tx -c amis "$D 06:00:00"
statsUpdater --root "$R" -m pds5 -f tx -c amis -d "$D 12:00:00" >/dev/null 2>&1
expect_status 0 "the retransfer feeds from the restored time" rrdTransfer --root "$R" -c amis -m pds5 -e "$D 12:00:00"
stdout_has '^fed 5 databases' "it feeds all five databases"
same=1
for t in latency bytecount errors filecount filesOverMaxLatency; do
    a=$(rrdtool fetch "$REF/stats/databases/tx/$t/amis_pds5" AVERAGE -r 60 -s "$T0" -e "$((T0 + 12 * 3600))")
    b=$(rrdtool fetch "$S/databases/tx/$t/amis_pds5" AVERAGE -r 60 -s "$T0" -e "$((T0 + 12 * 3600))")
    [ "$a" = "$b" ] || { same=0; echo "# $t differs from the clean run"; }
done
check "revert, recollect, retransfer equals one clean run" test $same = 1

# 20 backups are kept, the oldest removed.
i=10
while [ $i -lt 32 ]; do
    PXS_NOW="2006-10-09 00:00:$i" restoreRRD --root "$R" --backup >/dev/null 2>&1
    i=$((i + 1))
done
restoreRRD --root "$R" --list > "$TMPROOT/list"
check "20 backups are kept" test "$(wc -l < "$TMPROOT/list")" -eq 20
check "the oldest were removed" test "$(head -n 1 "$TMPROOT/list")" = "2006-10-09 00:00:12"
check "no partial backup is left" test -z "$(ls -A "$S/databases_backups" | grep '^\.')"

# Two backups in the same second get distinct names.
PXS_NOW="2006-10-10 00:00:00" restoreRRD --root "$R" --backup >/dev/null
PXS_NOW="2006-10-10 00:00:00" expect_status 0 "a second backup in the same second" restoreRRD --root "$R" --backup
stdout_has "2006-10-10 00:00:01" "takes the next free second"

expect_status 1 "restoring a backup that does not exist fails" restoreRRD --root "$R" "2001-01-01 00:00:00"
stderr_has "2001-01-01_00:00:00" "and names it"
expect_status 2 "a bad date is a usage error" restoreRRD --root "$R" "yesterday"
expect_status 2 "no action is a usage error" restoreRRD --root "$R"
expect_status 2 "two actions are a usage error" restoreRRD --root "$R" --backup --list
expect_status 0 "-h prints the usage" restoreRRD -h
stdout_has '^usage: restoreRRD' "the usage is on stdout"
flock "$S/.rrdTransfer.lock" sleep 3 &
lockpid=$!
# Until the holder has it (flock -n succeeds only while the lock is free).
while flock -n "$S/.rrdTransfer.lock" true; do sleep 0.05; done
expect_status 1 "no backup while rrdTransfer runs" restoreRRD --root "$R" --backup
wait $lockpid
