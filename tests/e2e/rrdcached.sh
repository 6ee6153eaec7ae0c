#!/bin/sh
# RRDCACHED_ADDRESS end to end: rrdTransfer creates and updates through a
# private rrdcached; the values sit in its queue until flushed; a rerun sees
# them (no "illegal update"); a backup and a graph flush them first; a feed
# of thousands of values goes in commands the daemon accepts; rrdTransfer
# killed, the daemon killed (with and without its journal): the archive ends
# up the same as one fed without the daemon.
. "$(dirname "$0")/lib.sh"

if ! command -v rrdcached >/dev/null 2>&1; then
    ok "skipped: rrdcached is not installed (Debian package rrdcached)"
    exit 0
fi
R=$(newroot); S=$R/stats
D=2006-10-08
T0=$(date -u -d "$D 00:00:00" +%s)
mksnap "$S" amis tx pds5 "$D 00:00:00" 3

SOCK=$TMPROOT/rrdcached.sock
# A long write timeout keeps every update in the daemon's queue.
rrdcached -g -l "unix:$SOCK" -w 3600 -z 1 -f 7200 -b "$TMPROOT" -p "$TMPROOT/rrdcached.pid" >/dev/null 2>&1 &
cachedpid=$!
stop_cached() { kill "$cachedpid" 2>/dev/null; wait "$cachedpid" 2>/dev/null; }
on_exit stop_cached
i=0
while [ ! -S "$SOCK" ] && [ $i -lt 50 ]; do sleep 0.1; i=$((i + 1)); done
check "a private rrdcached is listening" test -S "$SOCK"

export RRDCACHED_ADDRESS="unix:$SOCK"
DB=$S/databases/tx/filecount/amis_pds5
expect_status 0 "rrdTransfer feeds through rrdcached" rrdTransfer --root "$R" -c amis -m pds5 -e "$D 03:00:00"
last=$(env -u RRDCACHED_ADDRESS rrdtool last "$DB")
check "the values wait in the daemon's queue, not yet in the file" test "$last" = "$T0"
expect_status 0 "a second run sees the queued values" rrdTransfer --root "$R" -c amis -m pds5 -e "$D 03:00:00"
stdout_has '^nothing new' "and has nothing new to feed"
mksnap "$S" amis tx pds5 "$D 03:00:00" 1
expect_status 0 "a later feed through the daemon never updates illegally" rrdTransfer --root "$R" -c amis -m pds5 -e "$D 04:00:00"

PXS_NOW="$D 05:00:00" expect_status 0 "a backup through rrdcached" restoreRRD --root "$R" --backup
B="$S/databases_backups/2006-10-08_05:00:00/databases/tx/filecount/amis_pds5"
check "the backup holds the flushed values" test "$(env -u RRDCACHED_ADDRESS rrdtool last "$B")" = "$((T0 + 4 * 3600))"

expect_status 0 "a graph through rrdcached" rrdGraph --root "$R" -c amis --machines pds5 -s 4 --date "$D 04:00:00" -t filecount -v
stdout_has 'Minimum: 1     Maximum: 1     Mean: 1.00' "sees every queued value"

# ---- what rrdcached guarantees when a process dies (issue 13, rule 2) -------
# The clean reference: the same feed without the daemon.
unset RRDCACHED_ADDRESS
KS="$D 00:00:00"
KE="2006-10-10 00:00:00"
K0=$(newroot)
for c in k1 k2 k3 k4; do mksnap "$K0/stats" $c tx m1 "$KS" 48; done
REF=$(newroot); cp -a "$K0/stats/." "$REF/stats/"
rrdTransfer --root "$REF" -m m1 -e "$KE" >/dev/null 2>&1
cat > "$TMPROOT/samedump.sh" <<'SH'
# samedump A B: every database of A dumps as B's
for f in $(cd "$2/stats" && find databases -type f | sort); do
    rrdtool dump "$1/stats/$f" > "$1.x" 2>/dev/null && rrdtool dump "$2/stats/$f" > "$2.x" && cmp -s "$1.x" "$2.x" || exit 1
done
SH
export RRDCACHED_ADDRESS="unix:$SOCK"
# rrdTransfer killed while it hands values to the daemon: the rerun skips
# what the daemon holds (its LAST counts queued values) and sends the rest.
same=0 i=0
while [ $i -lt 4 ]; do
    W=$TMPROOT/k$i; rm -rf "$W"; cp -a "$K0" "$W"
    rrdTransfer --root "$W" -m m1 -e "$KE" >/dev/null 2>&1 &
    pid=$!
    sleep "0.0$((i * 3 + 1))"
    kill -KILL $pid 2>/dev/null; wait $pid 2>/dev/null
    rrdTransfer --root "$W" -m m1 -e "$KE" >/dev/null 2>&1
    for f in $(cd "$W/stats" && find databases -type f); do rrdtool flushcached --daemon "unix:$SOCK" "$(cd "$W/stats" && pwd)/$f" 2>/dev/null; done
    env -u RRDCACHED_ADDRESS sh "$TMPROOT/samedump.sh" "$W" "$REF" && same=$((same + 1))
    i=$((i + 1))
done
check "rrdTransfer killed with the daemon, then rerun: the same archive as without it ($same of 4)" test $same -eq 4

# The daemon killed with queued values (no -j journal): they are lost, and
# the next rrdTransfer sees the databases end before their recorded feed
# and feeds those hours again.
W=$TMPROOT/lost; rm -rf "$W"; cp -a "$K0" "$W"
expect_status 0 "a feed through the daemon (values queued)" rrdTransfer --root "$W" -m m1 -e "$KE"
kill -KILL "$cachedpid"; wait "$cachedpid" 2>/dev/null
rm -f "$SOCK"
rrdcached -g -l "unix:$SOCK" -w 3600 -z 1 -f 7200 -b "$TMPROOT" -p "$TMPROOT/rrdcached2.pid" >/dev/null 2>&1 &
cachedpid=$!
i=0; while [ ! -S "$SOCK" ] && [ $i -lt 100 ]; do sleep 0.1; i=$((i + 1)); done
expect_status 0 "after the daemon's death, rrdTransfer feeds again" rrdTransfer --root "$W" -m m1 -e "$KE"
stderr_has "end at .* before the recorded feed: fed again" "saying the databases lost values"
for f in $(cd "$W/stats" && find databases -type f); do rrdtool flushcached --daemon "unix:$SOCK" "$(cd "$W/stats" && pwd)/$f" 2>/dev/null; done
check "and the archive equals the one fed without the daemon" env -u RRDCACHED_ADDRESS sh "$TMPROOT/samedump.sh" "$W" "$REF"

# With its journal (-j), the daemon killed replays the values at restart
# (those it had written to its journal).
kill -KILL "$cachedpid"; wait "$cachedpid" 2>/dev/null
rm -f "$SOCK"; mkdir -p "$TMPROOT/jdir"
startj() {
    rrdcached -g -l "unix:$SOCK" -w 3600 -z 1 -f 7200 -j "$TMPROOT/jdir" -b "$TMPROOT" -p "$TMPROOT/rrdcached3.pid" >/dev/null 2>&1 &
    cachedpid=$!
    i=0; while [ ! -S "$SOCK" ] && [ $i -lt 100 ]; do sleep 0.1; i=$((i + 1)); done
}
startj
W=$TMPROOT/journaled; rm -rf "$W"; cp -a "$K0" "$W"
rrdTransfer --root "$W" -m m1 -e "$KE" >/dev/null 2>&1
kill -KILL "$cachedpid"; wait "$cachedpid" 2>/dev/null
rm -f "$SOCK"
startj
expect_status 0 "after a journaled daemon's death, rrdTransfer succeeds" rrdTransfer --root "$W" -m m1 -e "$KE"
# rrdcached 1.7.2 writes its journal through a buffer: the values accepted
# just before the kill may not be in it. Whatever it replayed is kept, and
# what it lost is fed again.
if grep -q '^nothing new' "$TMPROOT/.out" || grep -q 'before the recorded feed: fed again' "$TMPROOT/.err"; then
    ok "it finds the replayed values, and feeds again only what the journal lost"
else
    fail "it finds the replayed values, and feeds again only what the journal lost"; sed 's/^/#   /' "$TMPROOT/.err" | head -n 3
fi
for f in $(cd "$W/stats" && find databases -type f); do rrdtool flushcached --daemon "unix:$SOCK" "$(cd "$W/stats" && pwd)/$f" 2>/dev/null; done
check "and the archive equals the one fed without the daemon" env -u RRDCACHED_ADDRESS sh "$TMPROOT/samedump.sh" "$W" "$REF"
