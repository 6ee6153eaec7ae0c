#!/bin/sh
# The archive converges on the snapshots (issue 13, rows a and b; rules 1 and
# 8): a graphics host lives 52 hourly cycles in which snapshots arrive late
# (one hour, several hours, after a day; for a two-machine group and a
# one-machine group), one arrives corrupt and is repaired, and old days are
# cleaned while backups are made at midnight. At the end every RRA of every
# database (`rrdtool fetch` of each consolidation and resolution, and
# `rrdtool dump`) equals an archive fed once, on time, from the same
# snapshots; each cycle exits 1 exactly when it refused a snapshot.
. "$(dirname "$0")/lib.sh"

S0="2026-11-20 00:00:00"
T0=$(date -u -d "$S0" +%s)
iso() { date -u -d "@$1" '+%Y-%m-%d %H:%M:%S'; }
day() { date -u -d "@$1" +%Y%m%d; }
hh() { date -u -d "@$1" +%H; }
HOURS=52

# All the snapshots, as statsUpdater made them from generated logs: m1 and m2
# (merged group m1,m2) and m3 (alone), two clients each.
SRC=$(newroot)
loggen --logdir "$SRC/log" --machines m1,m2,m3 --names amis,satnet --sources 0 \
    --start "$S0" --hours $HOURS --rate 400 --seed 13 -q
for m in m1 m2 m3; do
    setLastUpdate --root "$SRC" -m $m -f tx -c amis,satnet "$S0" >/dev/null
    statsUpdater --root "$SRC" -m $m -f tx --logdir "$SRC/log/$m" -d "$(iso $((T0 + HOURS * 3600)))" >/dev/null 2>&1
done
n=$(find "$SRC/stats/pickles" -type f | wc -l)
check "the snapshots of 52 hours are made ($n)" test "$n" -eq $((HOURS * 3 * 2))
snapfile() { echo "pickles/$1/$(day $3)/tx/$2_$(hh $3)"; }   # client machine hourstart

# The reference: fed once, every snapshot there.
REF=$(newroot)
cp -r "$SRC/stats/pickles" "$REF/stats/"
rrdTransfer --root "$REF" -m "m1,m2;m3" -e "$(iso $((T0 + HOURS * 3600)))" >/dev/null 2>&1
check "the reference is fed" grep -qx "$(iso $((T0 + HOURS * 3600)))" "$REF/stats/DATABASE-UPDATES/tx/amis_m1m2"

# The lateness: "machine hour arrival-cycle" (a snapshot of hour h normally
# arrives at the cycle of h + 1). maxWaitHours is 2.
cat > "$TMPROOT/late" <<EOF
m2 5 10
m1 8 10
m3 12 17
m2 20 46
m2 21 46
EOF
# Corrupt copies: "machine hour arrival repaired-at".
cat > "$TMPROOT/corrupt" <<EOF
m3 14 15 18
m3 30 31 50
EOF
late_arrival() { awk -v m="$1" -v h="$2" '$1 == m && $2 == h { print $3 }' "$TMPROOT/late"; }
corrupt_of() { awk -v m="$1" -v h="$2" '$1 == m && $2 == h { print $3, $4 }' "$TMPROOT/corrupt"; }

L=$(newroot); LS=$L/stats
deliver() {   # machine hour: copies both clients' snapshots of that hour
    t=$((T0 + $2 * 3600))
    for c in amis satnet; do
        f=$(snapfile $c $1 $t)
        mkdir -p "$(dirname "$LS/$f")"
        cp "$SRC/stats/$f" "$LS/$f"
    done
}
deliver_corrupt() {
    t=$((T0 + $2 * 3600))
    for c in amis satnet; do
        f=$(snapfile $c $1 $t)
        mkdir -p "$(dirname "$LS/$f")"
        head -c 100 "$SRC/stats/$f" > "$LS/$f"
    done
}

bad_exit=""
refused_named=1
for cyc in $(seq 1 $HOURS); do
    now=$((T0 + cyc * 3600))
    for m in m1 m2 m3; do
        for h in $(seq 0 $((cyc - 1))); do
            a=$(late_arrival $m $h); c=$(corrupt_of $m $h)
            if [ -n "$c" ]; then
                set -- $c
                [ "$1" = "$cyc" ] && deliver_corrupt $m $h
                [ "$2" = "$cyc" ] && deliver $m $h
            elif [ -n "$a" ]; then
                [ "$a" = "$cyc" ] && deliver $m $h
            elif [ $((h + 1)) -eq $cyc ]; then
                deliver $m $h
            fi
        done
    done
    # The corrupt snapshot is in the tree (refused) during these cycles.
    want=0
    { [ $cyc -ge 15 ] && [ $cyc -lt 18 ]; } || { [ $cyc -ge 31 ] && [ $cyc -lt 50 ]; } && want=1
    PXS_NOW=$(iso $((now + 600))) rrdTransfer --root "$L" -m "m1,m2;m3" -e "$(iso $now)" -v \
        >"$TMPROOT/cyc.out" 2>"$TMPROOT/cyc.err"
    rc=$?
    cat "$TMPROOT/cyc.out" "$TMPROOT/cyc.err" | sed "s/^/$cyc: /" >> "$TMPROOT/cycles.log"
    [ $rc -eq $want ] || bad_exit="$bad_exit $cyc:$rc"
    if [ $want -eq 1 ] && ! grep -q "m3_[0-9][0-9]: .*snapshot" "$TMPROOT/cyc.err"; then refused_named=0; fi
    if [ $((now % 86400)) -eq 0 ]; then
        PXS_NOW=$(iso $((now + 900))) restoreRRD --root "$L" --backup --wait >/dev/null 2>&1
    fi
    # Day 3 begins: the first day is cleaned away (2 days kept).
    if [ $cyc -eq 48 ]; then
        PXS_NOW=$(iso $((now + 1200))) pickleClean --root "$L" -k 2 >/dev/null 2>&1
        check "day 1 is cleaned at cycle 48" test ! -e "$LS/pickles/amis/$(day $T0)"
    fi
    if [ $cyc -eq 9 ]; then
        # m2's hour 5 waited 2 hours, then was fed without m2: recorded (it
        # arrives at cycle 10).
        check "cycle 9: hour 5 recorded incomplete, without m2" \
            grep -q "^hour $(iso $((T0 + 5 * 3600))) incomplete [^ ]* -$" "$LS/DATABASE-UPDATES/tx/amis_m1m2"
        # m1's hour 8 is missing (1 hour late): held back, not fed.
        check "cycle 9: the two-machine group holds hour 8 back" grep -qx "$(iso $((T0 + 8 * 3600)))" "$LS/DATABASE-UPDATES/tx/amis_m1m2"
        check "cycle 9: the one-machine group is fed on" grep -qx "$(iso $((T0 + 9 * 3600)))" "$LS/DATABASE-UPDATES/tx/amis_m3"
    fi
    if [ $cyc -eq 16 ]; then
        check "cycle 16: the corrupt hour 14 is held back" grep -qx "$(iso $((T0 + 14 * 3600)))" "$LS/DATABASE-UPDATES/tx/satnet_m3"
    fi
done
check "every cycle exits 1 exactly when a snapshot is refused${bad_exit:+ (wrong:$bad_exit)}" test -z "$bad_exit"
check "the refused snapshot is named on stderr" test $refused_named -eq 1
check "cycle 10: the late snapshots are brought in from the kept snapshots" \
    grep -q "^10: .*amis_m1m2 (tx): snapshots changed at $(iso $((T0 + 5 * 3600))): rebuilt from the kept snapshots" "$TMPROOT/cycles.log"
check "cycle 46: the snapshots a day late too" \
    grep -q "^46: .*amis_m1m2 (tx): snapshots changed at $(iso $((T0 + 20 * 3600))): rebuilt from the kept snapshots" "$TMPROOT/cycles.log"
check "cycle 50 (day 1 cleaned): the repair is rebuilt from the backup of day 2's midnight" \
    grep -q "^50: .*amis_m3 (tx): snapshots changed at $(iso $((T0 + 30 * 3600))): rebuilt from backup .*2026-11-21_00:15:00" "$TMPROOT/cycles.log"
if grep -q ' incomplete \| stale ' "$LS"/DATABASE-UPDATES/tx/*; then
    fail "no hour is left incomplete or stale"; grep -h ' incomplete \| stale ' "$LS"/DATABASE-UPDATES/tx/* | head -n 3 | sed 's/^/#   /'
else
    ok "no hour is left incomplete or stale"
fi

# Every RRA of every database, read by the rrdtool binary, equals the
# reference's; and the dumps are equal byte for byte.
cat > "$TMPROOT/fetchall.py" <<'PY'
import subprocess, sys
a, b, start, end = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
bad = 0
for cf in ("AVERAGE", "MIN", "MAX"):
    for res in (60, 3600, 14400, 86400):
        out = [subprocess.run(["rrdtool", "fetch", db, cf, "-r", str(res), "-s", str(start - 86400),
                               "-e", str(end + 86400)], capture_output=True, text=True, check=True).stdout
               for db in (a, b)]
        if out[0] != out[1]:
            bad += 1
            print("%s %s at %d s differs" % (a.split("/stats/")[1], cf, res))
sys.exit(1 if bad else 0)
PY
fetch_bad=0 dump_bad=0 count=0
for db in $(cd "$REF/stats" && find databases -type f | sort); do
    count=$((count + 1))
    python3 "$TMPROOT/fetchall.py" "$LS/$db" "$REF/stats/$db" $T0 $((T0 + HOURS * 3600)) || fetch_bad=$((fetch_bad + 1))
    rrdtool dump "$LS/$db" > "$TMPROOT/a.xml"; rrdtool dump "$REF/stats/$db" > "$TMPROOT/b.xml"
    cmp -s "$TMPROOT/a.xml" "$TMPROOT/b.xml" || dump_bad=$((dump_bad + 1))
done
check "20 databases in both archives ($count)" test "$count" -eq 20
check "rrdtool fetch of every RRA equals the on-time archive ($fetch_bad differ)" test $fetch_bad -eq 0
check "rrdtool dump of every database equals the on-time archive ($dump_bad differ)" test $dump_bad -eq 0

# After the end, a snapshot repaired whose hour is older than every backup
# and whose first days are cleaned: the hours are marked stale, said once.
cp "$SRC/stats/$(snapfile amis m1 $((T0 + 40 * 3600)))" "$TMPROOT/keep"
printf 'x' >> "$LS/$(snapfile amis m1 $((T0 + 40 * 3600)))"
rm -rf "$LS/databases_backups"
expect_status 1 "a change that cannot be rebuilt fails the run" \
    rrdTransfer --root "$L" -m "m1,m2" -e "$(iso $((T0 + HOURS * 3600)))"
stderr_has "amis_m1m2 \\(tx\\): the snapshots of $(iso $((T0 + 40 * 3600))) changed after it was fed" "and names the client, group and hour"
check "the hour is recorded stale" grep -q "^hour $(iso $((T0 + 40 * 3600))) stale" "$LS/DATABASE-UPDATES/tx/amis_m1m2"
expect_status 0 "the next run does not repeat it" rrdTransfer --root "$L" -m "m1,m2" -e "$(iso $((T0 + HOURS * 3600)))"
