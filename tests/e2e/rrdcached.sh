#!/bin/sh
# RRDCACHED_ADDRESS end to end: rrdTransfer creates and updates through a
# private rrdcached; the values sit in its queue until flushed; a rerun sees
# them (no "illegal update"); a backup and a graph flush them first.
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
