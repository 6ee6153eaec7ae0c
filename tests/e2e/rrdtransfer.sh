#!/bin/sh
# rrdTransfer end to end: databases fed from real snapshot files hold, as read
# by the rrdtool binary, the per-minute values computed here (python3) from the
# rows the snapshots were made of; unknown where no snapshot exists; layout,
# reruns, replays, merged groups, rx, parallel workers, the lock, usage.
# These cases feed without waiting for missing snapshots (--max-wait 0, or
# maxWaitHours = 0 in the config); the waiting, the rebuilds and the kills
# are e2e/convergence.sh's.
. "$(dirname "$0")/lib.sh"

R=$(newroot); S=$R/stats
D=2006-10-08
T10=$(date -u -d "$D 10:00:00" +%s)

# The expected values: mksnap writes one 1000-byte row (latency 2 on tx) at
# second 30 of every minute of an hour, except in its silences.
cat > "$TMPROOT/expect.py" <<'PY'
import sys, subprocess, math
# expect.py DB TYPE FT START END SNAP...   SNAP = hourstart[,silfrom-silto]
db, typ, ft, start, end = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4]), int(sys.argv[5])
hours, rows = set(), []
for spec in sys.argv[6:]:
    parts = spec.split(",")
    h = int(parts[0]); hours.add(h)
    sil = [tuple(map(int, p.split("-"))) for p in parts[1:]]
    for m in range(60):
        t = h + 60 * m
        if not any(a <= t < b for a, b in sil):
            rows.append((t + 30, 1000, 2 if ft == "tx" else 0))
out = subprocess.run(["rrdtool", "fetch", db, "AVERAGE", "-r", "60", "-s", str(start), "-e", str(end)],
                     capture_output=True, text=True, check=True).stdout
bad = n = 0
for line in out.splitlines():
    if ":" not in line or not line.split(":")[0].strip().isdigit():
        continue
    t = int(line.split(":")[0]); v = float(line.split(":")[1])
    if t <= start or t > end:
        continue
    n += 1
    ms = t - 60
    if ms - ms % 3600 not in hours:
        want = float("nan")
    else:
        r = [x for x in rows if ms <= x[0] < t]
        want = {"latency": sum(x[2] for x in r) / len(r) if r else 0.0,
                "bytecount": float(sum(x[1] for x in r)), "errors": 0.0,
                "filecount": float(len(r)),
                "filesOverMaxLatency": float(sum(1 for x in r if x[2] > 15))}[typ]
    if (math.isnan(want) != math.isnan(v)) or (not math.isnan(want) and abs(want - v) > 1e-9):
        bad += 1
        if bad < 5: print("at %d: got %r, want %r" % (t, v, want))
if n != (end - start) // 60:
    print("%d points, want %d" % (n, (end - start) // 60)); bad += 1
sys.exit(1 if bad else 0)
PY
expect() { python3 "$TMPROOT/expect.py" "$@"; }

cat > "$TMPROOT/layout.py" <<'PY'
import sys, subprocess
db, ds = sys.argv[1], sys.argv[2]
info = dict(l.split(" = ", 1) for l in subprocess.run(["rrdtool", "info", db], capture_output=True,
            text=True, check=True).stdout.splitlines() if " = " in l)
want = {"step": "60", "ds[%s].type" % ds: '"GAUGE"', "ds[%s].minimal_heartbeat" % ds: "60",
        "ds[%s].min" % ds: "NaN", "ds[%s].max" % ds: "NaN"}
i = 0
for pdp, rows in ((1, 7200), (60, 336), (240, 1460), (1440, 3650)):
    for cf in ("AVERAGE", "MIN", "MAX"):
        want["rra[%d].cf" % i] = '"%s"' % cf; want["rra[%d].rows" % i] = str(rows)
        want["rra[%d].pdp_per_row" % i] = str(pdp); want["rra[%d].xff" % i] = "5.0000000000e-01"
        i += 1
bad = [k for k, v in want.items() if info.get(k) != v]
dss = {k.split("]")[0] for k in info if k.startswith("ds[")}
if bad or "rra[12].cf" in info or len(dss) != 1:
    print("layout differs:", bad, dss); sys.exit(1)
PY

mksnap "$S" amis tx pds5 "$D 10:00:00" 2
mksnap -s "$D 13:15:00/$D 13:45:00" "$S" amis tx pds5 "$D 13:00:00" 1
mksnap "$S" amis tx pds6 "$D 12:00:00" 2
mksnap "$S" ncp1 rx pds5 "$D 09:00:00" 3
SIL13="$((T10 + 3 * 3600)),$((T10 + 3 * 3600 + 900))-$((T10 + 3 * 3600 + 2700))"
SNAPS5="$T10 $((T10 + 3600)) $SIL13"
E15=$((T10 + 5 * 3600))

expect_status 0 "rrdTransfer feeds a client from its earliest snapshot" \
    rrdTransfer --root "$R" -c amis -m pds5 -e "$D 15:00:00" --max-wait 0
stdout_has '^fed 5 databases up to 2006-10-08 15:00:00' "it says what it fed"
for t in latency bytecount errors filecount filesOverMaxLatency; do
    check "fetch of $t equals the snapshots' minutes, unknown where none" \
        expect "$S/databases/tx/$t/amis_pds5" $t tx "$T10" "$E15" $SNAPS5
    check "rrdtool info of $t shows the layout" python3 "$TMPROOT/layout.py" "$S/databases/tx/$t/amis_pds5" $t
done
check "DATABASE-UPDATES holds the end" grep -qx "2006-10-08 15:00:00" "$S/DATABASE-UPDATES/tx/amis_pds5"

sum1=$(cat "$S"/databases/tx/*/amis_pds5 | cksum)
expect_status 0 "a second run with nothing new succeeds" rrdTransfer --root "$R" -c amis -m pds5 -e "$D 15:00:00" --max-wait 0
stdout_has '^nothing new' "and says there was nothing new"
check "and leaves the databases untouched" test "$sum1" = "$(cat "$S"/databases/tx/*/amis_pds5 | cksum)"

rm "$S/DATABASE-UPDATES/tx/amis_pds5"
expect_status 0 "a replay without DATABASE-UPDATES does not fail" rrdTransfer --root "$R" -c amis -m pds5 -e "$D 15:00:00" --max-wait 0
if grep -q illegal "$TMPROOT/.err"; then fail "the replay complains of an illegal update"; else ok "the replay skips what the databases hold"; fi
check "the replay leaves the values as they were" test "$sum1" = "$(cat "$S"/databases/tx/*/amis_pds5 | cksum)"

mksnap "$S" amis tx pds5 "$D 15:00:00" 1
expect_status 0 "a later run feeds the new hour" rrdTransfer --root "$R" -c amis -m pds5 -e "$D 16:30:00" --max-wait 0
check "fetch after the second feed equals the snapshots" \
    expect "$S/databases/tx/filecount/amis_pds5" filecount tx "$T10" "$((T10 + 6 * 3600))" $SNAPS5 "$((T10 + 5 * 3600))"

expect_status 0 "a comma list of machines is one merged group" rrdTransfer --root "$R" -c amis -m pds5,pds6 -e "$D 15:00:00" --max-wait 0
for t in latency bytecount filecount; do
    check "merged $t equals both machines' rows" expect "$S/databases/tx/$t/amis_pds5pds6" $t tx "$T10" "$E15" \
        $SNAPS5 "$((T10 + 2 * 3600))" "$((T10 + 3 * 3600))"
done

expect_status 0 "rx sources get three databases" rrdTransfer --root "$R" -f rx -c ncp1 -m pds5 -e "$D 12:00:00" --max-wait 0
check "rx bytecount equals the snapshots" expect "$S/databases/rx/bytecount/ncp1_pds5" bytecount rx \
    "$((T10 - 3600))" "$((T10 + 2 * 3600))" "$((T10 - 3600))" "$T10" "$((T10 + 3600))"
check "rx has no latency database" test ! -e "$S/databases/rx/latency/ncp1_pds5"

# A damaged snapshot is refused, named, and fails the run (exit 1); with no
# wait its hour is fed unknown; once repaired the hour is fed (rule 8).
R2=$(newroot); S2=$R2/stats
mksnap "$S2" amis tx pds5 "$D 10:00:00" 2
cp "$S2/pickles/amis/20061008/tx/pds5_11" "$TMPROOT/good_11"
printf 'garbage' > "$S2/pickles/amis/20061008/tx/pds5_11"
expect_status 1 "a corrupt snapshot fails the feed (exit 1)" rrdTransfer --root "$R2" -c amis -m pds5 -e "$D 12:00:00" --max-wait 0
stderr_has 'pds5_11: not a pxstats snapshot' "the corrupt snapshot is named with the cause"
check "its hour is unknown" expect "$S2/databases/tx/bytecount/amis_pds5" bytecount tx "$T10" "$((T10 + 7200))" "$T10"
expect_status 1 "a rerun still names the refused snapshot" rrdTransfer --root "$R2" -c amis -m pds5 -e "$D 12:00:00" --max-wait 0
stderr_has 'pds5_11.*fed without it' "and says its hour was fed without it"
cp "$TMPROOT/good_11" "$S2/pickles/amis/20061008/tx/pds5_11"
expect_status 0 "once repaired, the feed succeeds" rrdTransfer --root "$R2" -c amis -m pds5 -e "$D 12:00:00" --max-wait 0
check "and the repaired hour is in the archive" expect "$S2/databases/tx/bytecount/amis_pds5" bytecount tx "$T10" "$((T10 + 7200))" "$T10" "$((T10 + 3600))"

# Parallel workers give the same databases as one process; All = every client.
R3=$(newroot); R4=$(newroot)
for r in "$R3" "$R4"; do
    for c in a1 a2 a3 a4; do mksnap "$r/stats" $c tx pds5 "$D 10:00:00" 2; done
done
expect_status 0 "-j 3 feeds every client" rrdTransfer --root "$R3" -m pds5 -e "$D 12:00:00" -j 3
stdout_has '^fed 20 databases' "-j 3 counts the work of its workers"
expect_status 0 "-j 1 feeds every client" rrdTransfer --root "$R4" -m pds5 -e "$D 12:00:00"
same=1
for c in a1 a2 a3 a4; do
    a=$(rrdtool fetch "$R3/stats/databases/tx/bytecount/${c}_pds5" AVERAGE -s "$T10" -e "$((T10 + 7200))")
    b=$(rrdtool fetch "$R4/stats/databases/tx/bytecount/${c}_pds5" AVERAGE -s "$T10" -e "$((T10 + 7200))")
    [ "$a" = "$b" ] || same=0
done
check "-j 3 and -j 1 give the same values" test $same = 1

# END defaults to now (PXS_NOW), rounded down to the hour.
R5=$(newroot)
mksnap "$R5/stats" amis tx pds5 "$D 10:00:00" 3
PXS_NOW="$D 12:59:59" rrdTransfer --root "$R5" -c amis -m pds5 >/dev/null 2>&1
check "END defaults to now rounded down to the hour" grep -qx "2006-10-08 12:00:00" "$R5/stats/DATABASE-UPDATES/tx/amis_pds5"

check "each run leaves a line in its log for statsMonitor" \
    grep -qE '^[0-9-]{10} [0-9:]{8} rrdTransfer: tx pds5: nothing new' "$S/log/rrdTransfer.log"

# Without -m, the groups of the config's [databases] machineNames.
R6=$(newroot)
mksnap "$R6/stats" amis tx pds5 "$D 10:00:00" 1
mksnap "$R6/stats" amis tx pxatx "$D 10:00:00" 1
printf '[databases]\nmachineNames = pds5,pds6;pxatx\nmaxWaitHours = 0\n' > "$R6/etc/pxstats.conf"
expect_status 0 "without -m the config's machine groups are fed" rrdTransfer --root "$R6" -e "$D 11:00:00"
check "one database set per group" test -f "$R6/stats/databases/tx/errors/amis_pds5pds6" -a \
    -f "$R6/stats/databases/tx/errors/amis_pxatx"

# dump -> restore -> dump of a produced database is identical.
rrdtool dump "$S/databases/tx/latency/amis_pds5" > "$TMPROOT/d1.xml"
rrdtool restore "$TMPROOT/d1.xml" "$TMPROOT/copy.rrd"
rrdtool dump "$TMPROOT/copy.rrd" > "$TMPROOT/d2.xml"
same_files "dump, restore, dump is identical" "$TMPROOT/d1.xml" "$TMPROOT/d2.xml"

# Two runs never overlap: a held lock stops the second, or makes it wait.
flock "$S/.rrdTransfer.lock" sleep 3 &
lockpid=$!
# Until the holder has it (flock -n succeeds only while the lock is free).
while flock -n "$S/.rrdTransfer.lock" true; do sleep 0.05; done
expect_status 1 "a run finding another one running stops" rrdTransfer --root "$R" -c amis -m pds5 -e "$D 16:00:00" --max-wait 0
stderr_has 'lock|running|held' "and says why"
expect_status 0 "--wait waits for the other run" rrdTransfer --root "$R" -c amis -m pds5 -e "$D 16:00:00" --max-wait 0 --wait
wait $lockpid

expect_status 0 "-h prints the usage" rrdTransfer -h
stdout_has '^usage: rrdTransfer' "the usage is on stdout"
expect_status 2 "a bad file type is a usage error" rrdTransfer --root "$R" -f xx
expect_status 2 "a bad date is a usage error" rrdTransfer --root "$R" -e "tomorrow"
expect_status 2 "an unsafe machine name is a usage error" rrdTransfer --root "$R" -m "../x"
expect_status 2 "a machine named twice is a usage error" rrdTransfer --root "$R" -m "pds5,pds5"
stderr_has "machine 'pds5' named twice" "and says which"
expect_status 2 "a bad --max-wait is a usage error" rrdTransfer --root "$R" --max-wait -1
