#!/bin/sh
# make demo: the whole pxstats pipeline on generated logs, on this machine.
#
# Two days of PX logs (2026-11-23 and 24) of three clients and two sources
# on two log machines (pds5, pds6, merged as one group) are generated under
# demo-root/log. The config makes this host the pickling machine of both, so
# launchGraphs runs every step here: statsUpdater, pickleMerge, rrdTransfer,
# graphGen, webPages (images and pages), the upload of the 24 h images (to a
# local folder) and statsMonitor (its report goes to a file: no mail). Two
# hourly cycles run, at the end of each day (PXS_NOW fixes "now"), so that
# both days have their daily image.
# PXS_DEMO_ROOT moves the demo's root (the chromium e2e suite uses it).
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
BIN=$top/bin
root=${PXS_DEMO_ROOT:-$top/demo-root}
start="2026-11-23 00:00:00"
day2="2026-11-24 00:00:00"
end="2026-11-25 00:00:00"
clients=amis,satnet,cmc-ftp
sources=ncp1,ncp2

[ -x build/tests/loggen ] || { echo "demo: build/tests/loggen is missing: run make all" >&2; exit 1; }
rm -rf "$root"
mkdir -p "$root/log" "$root/stats" "$root/etc"

echo "demo: generating two days of logs for pds5 and pds6 in $root/log"
build/tests/loggen --logdir "$root/log" --machines pds5,pds6 --names "$clients" \
    --source-names "$sources" --start "$start" --days 2 --rate 900 --noise --gzip-rotated -q

cat > "$root/etc/pxstats.conf" <<EOF
# The demo's config: two log machines merged into one group, both pickled on
# this host (localhost), the 24 h images "uploaded" to a local folder.
[graphics]
logFilesMachines = pds5,pds6
picklingMachines = localhost;localhost
picklingMachineLogins = px;px
monitorHours = 0
[databases]
machineNames = pds5,pds6
[uploads]
machineNames = localhost
logins = px
directory = $root/columbo-upload
[monitoring]
emails =
EOF

# A client never collected starts at the previous hour: start at the logs'.
for m in pds5 pds6; do
    "$BIN/setLastUpdate" --root "$root" -m "$m" -f tx -c "$clients" "$start"
    "$BIN/setLastUpdate" --root "$root" -m "$m" -f rx -c "$sources" "$start"
done

status=0
for now in "$day2" "$end"; do
    log=$root/launchGraphs-$(echo "$now" | cut -c1-10).log
    echo "demo: launchGraphs at $now (output in $log)"
    if ! PXS_NOW=$now "$BIN/launchGraphs" --root "$root" > "$log" 2>&1; then
        status=1
        grep -E 'step failed|error|cannot|corrupt' "$log" | head -n 5 | sed 's/^/      /'
    fi
    tail -n 1 "$log" | sed 's/^/      /'
done

stats=$root/stats
count() { find "$@" 2>/dev/null | wc -l | tr -d ' '; }
snaps=$(count "$stats/pickles" -type f)
dbs=$(count "$stats/databases" -type f)
graphs=$(count "$stats/graphs" -name '*.png')
images=$(count "$stats/webGraphics" -name '*.png')
pages=$(count "$stats/webPages" -name '*.html')
echo
echo "demo: open file://$stats/webPages/index.html"
echo "demo: $snaps snapshots, $dbs databases, $graphs graphs, $images web images, $pages pages;" \
     "last cycle: $(tail -n 1 "$root/launchGraphs-2026-11-25.log")"
exit $status
