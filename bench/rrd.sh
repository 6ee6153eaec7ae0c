#!/bin/sh
# bench/rrd.sh: rrdTransfer against the rrdtool CLI, and rrdGraph.
#
# One day of logs of BENCH_CLIENTS tx clients (default 150) on one machine,
# collected by statsUpdater into 24 hourly snapshots each; then, with a warm
# page cache:
#   rrdTransfer        from the snapshots to 5 x BENCH_CLIENTS new databases
#                      (750: created, 1440 values each), -j 1 and -j BENCH_JOBS
#   rrdtool update     the same values, one bulk `rrdtool update DB t:v...` CLI
#                      call per database, into empty databases of the same
#                      layout made beforehand (creation not timed: the
#                      baseline is given every advantage)
#   hourly             the same databases fed hour by hour, as in production:
#                      from 18:00, BENCH_HOURS (default 6) runs of rrdTransfer
#                      of one hour each (each change journaled, issue 13),
#                      against as many rounds of one `rrdtool update` of 60
#                      values per database
#   rrdGraph -d        a daily graph of every client and type (750 PNGs)
# Timed runs are repeated BENCH_RUNS times (default 3) and the median kept.
# BENCH_BIN / BENCH_LOGGEN: where the programs are (default bin/ and build/tests/loggen).
# Target (issues 4, 13): rrdTransfer <= 1.5x the CLI's time, for the first
# feed and hour by hour (each change journaled). Never part of
# `make check`.
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"

CLIENTS=${BENCH_CLIENTS:-150}
RATE=${BENCH_RATE:-600}
RUNS=${BENCH_RUNS:-3}
JOBS=${BENCH_JOBS:-2}
HOURS=${BENCH_HOURS:-6}
OUT=${BENCH_OUT:-bench/out}/rrd
case "$OUT" in /*) ;; *) OUT=$top/$OUT ;; esac
DAY=2026-01-10
END="2026-01-11 00:00:00"
MACHINE=bench
LOGGEN=${BENCH_LOGGEN:-build/tests/loggen}
BIN=${BENCH_BIN:-bin}
root=$OUT/root
stats=$root/stats
TYPES="latency bytecount errors filecount filesOverMaxLatency"

for need in "$LOGGEN" "$BIN/statsUpdater" "$BIN/setLastUpdate" "$BIN/rrdTransfer" "$BIN/rrdGraph"; do
    [ -x "$need" ] || { echo "bench: $need is missing: run make all" >&2; exit 1; }
done
command -v rrdtool >/dev/null || { echo "bench: rrdtool is missing (apt-get install rrdtool)" >&2; exit 1; }

now_ns() { date +%s%N; }
# median NAME prepare command...: RUNS times, runs the shell text prepare
# (untimed) then times command; the median wall time (s) goes to $OUT/NAME.s.
median() {
    name=$1 prep=$2; shift 2
    : > "$OUT/$name.all"
    i=0
    while [ $i -lt "$RUNS" ]; do
        sh -c "$prep"
        t0=$(now_ns); "$@" > /dev/null; t1=$(now_ns)
        echo "$t0 $t1" | awk '{ printf "%.4f\n", ($2 - $1) / 1e9 }' >> "$OUT/$name.all"
        i=$((i + 1))
    done
    sort -n "$OUT/$name.all" | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }' > "$OUT/$name.s"
}
val() { cat "$OUT/$1"; }

rm -rf "$OUT"
mkdir -p "$root/log" "$stats" "$root/etc" "$OUT/args" "$OUT/cli"
echo "bench: $CLIENTS tx clients, one day of logs at $RATE lines/hour each"
"$LOGGEN" -q --logdir "$root/log" --machines "$MACHINE" --clients "$CLIENTS" --sources 1 \
    --start "$DAY 00:00:00" --days 1 --rate "$RATE" --seed 1
names=$(cd "$root/log" && ls tx_*.log | sed 's/^tx_//; s/\.log$//' | paste -sd, -)
"$BIN/setLastUpdate" --root "$root" -m "$MACHINE" -f tx -c "$names" "$DAY 00:00:00" > /dev/null
"$BIN/statsUpdater" --root "$root" -m "$MACHINE" -f tx -c All -d "$END"
snaps=$(find "$stats/pickles" -type f | wc -l)
find "$stats/pickles" -type f -exec cat {} + > /dev/null

# A clean first feed: any warning (an unreadable snapshot...) would make the
# figures meaningless.
"$BIN/rrdTransfer" --root "$root" -m "$MACHINE" -c All -e "$END" > /dev/null 2> "$OUT/transfer.err"
[ ! -s "$OUT/transfer.err" ] || { echo "bench: rrdTransfer warned:" >&2; head -n 5 "$OUT/transfer.err" >&2; exit 1; }
fresh="rm -rf '$stats/databases' '$stats/DATABASE-UPDATES'"
T="$BIN/rrdTransfer --root $root -m $MACHINE -c All -e"
median transfer "$fresh" $T "$END"
median transfer_j "$fresh" $T "$END" -j "$JOBS"
dbs=$(find "$stats/databases" -type f | wc -l)
# The same values for the CLI: read back from the databases just fed.
start=$(date -u -d "$DAY 00:00:00" +%s)
stop=$((start + 86400))
cd "$stats/databases/tx"
for db in */*_"$MACHINE"; do
    f=$(echo "$db" | tr / _)
    rrdtool fetch "$db" AVERAGE -r 60 -s "$start" -e "$stop" |
        awk -v s="$start" -v e="$stop" -F': ' '$1 ~ /^[0-9]+$/ && $1 > s && $1 <= e {
            v = $2; if (v ~ /nan/) v = "U"; printf "%s:%s\n", $1, v }' > "$OUT/args/$f"
    mkdir -p "$OUT/empty/$(dirname "$db")"
    ds=$(dirname "$db")
    rrdtool create "$OUT/empty/$db" --start "$start" --step 60 "DS:$ds:GAUGE:60:U:U" \
        RRA:AVERAGE:0.5:1:7200 RRA:MIN:0.5:1:7200 RRA:MAX:0.5:1:7200 \
        RRA:AVERAGE:0.5:60:336 RRA:MIN:0.5:60:336 RRA:MAX:0.5:60:336 \
        RRA:AVERAGE:0.5:240:1460 RRA:MIN:0.5:240:1460 RRA:MAX:0.5:240:1460 \
        RRA:AVERAGE:0.5:1440:3650 RRA:MIN:0.5:1440:3650 RRA:MAX:0.5:1440:3650
done
cd "$top"
cat > "$OUT/cli.sh" <<SH
cd "$OUT/cli"
for db in */*; do
    rrdtool update "\$db" \$(cat "$OUT/args/\$(echo "\$db" | tr / _)")
done
SH
median cli "rm -rf '$OUT/cli' && cp -r '$OUT/empty' '$OUT/cli'" sh "$OUT/cli.sh"
# The CLI's databases hold what rrdTransfer's hold.
same=yes
for db in latency/client001_$MACHINE bytecount/client077_$MACHINE filecount/client150_$MACHINE; do
    [ -e "$stats/databases/tx/$db" ] || continue
    a=$(rrdtool fetch "$stats/databases/tx/$db" AVERAGE -r 60 -s "$start" -e "$stop")
    b=$(rrdtool fetch "$OUT/cli/$db" AVERAGE -r 60 -s "$start" -e "$stop")
    [ "$a" = "$b" ] || same=no
done

# Hour by hour: the databases fed up to 18:00, then HOURS runs of one hour.
h0=$((24 - HOURS))
iso_h() { date -u -d "@$((start + $1 * 3600))" '+%Y-%m-%d %H:%M:%S'; }
rm -rf "$stats/databases" "$stats/DATABASE-UPDATES"
"$BIN/rrdTransfer" --root "$root" -m "$MACHINE" -c All -e "$(iso_h $h0)" > /dev/null
rm -rf "$OUT/at_h0" && mkdir -p "$OUT/at_h0" && cp -r "$stats/databases" "$stats/DATABASE-UPDATES" "$OUT/at_h0/"
: > "$OUT/hourly.sh"
h=$((h0 + 1))
while [ $h -le 24 ]; do
    echo "$BIN/rrdTransfer --root $root -m $MACHINE -c All -e '$(iso_h $h)' || exit 1" >> "$OUT/hourly.sh"
    h=$((h + 1))
done
median hourly "rm -rf '$stats/databases' '$stats/DATABASE-UPDATES' && cp -r '$OUT/at_h0/databases' '$OUT/at_h0/DATABASE-UPDATES' '$stats/'" sh "$OUT/hourly.sh"
# The CLI: per hour, one update of its 60 values per database.
mkdir -p "$OUT/hargs"
for f in "$OUT"/args/*; do
    awk -v s=$((start + h0 * 3600)) -v out="$OUT/hargs/$(basename "$f")" -F: '
        $1 > s { print > (out "." int(($1 - s - 1) / 3600)) }' "$f"
done
cat > "$OUT/cli_hourly.sh" <<SH
cd "$OUT/cli_h"
k=0
while [ \$k -lt $HOURS ]; do
    for db in */*; do
        rrdtool update "\$db" \$(cat "$OUT/hargs/\$(echo "\$db" | tr / _).\$k")
    done
    k=\$((k + 1))
done
SH
median cli_hourly "rm -rf '$OUT/cli_h' && cp -r '$OUT/at_h0/databases/tx' '$OUT/cli_h'" sh "$OUT/cli_hourly.sh"
same_h=yes
for db in latency/client001_$MACHINE filecount/client150_$MACHINE; do
    [ -e "$stats/databases/tx/$db" ] || continue
    a=$(rrdtool fetch "$stats/databases/tx/$db" AVERAGE -r 60 -s "$start" -e "$stop")
    b=$(rrdtool fetch "$OUT/cli_h/$db" AVERAGE -r 60 -s "$start" -e "$stop")
    [ "$a" = "$b" ] || same_h=no
done

G="$BIN/rrdGraph --root $root --machines $MACHINE -d --date"
median graph "rm -rf '$stats/graphs'" $G "$END"
median graph_j "rm -rf '$stats/graphs'" $G "$END" -j "$JOBS"
graphs=$(find "$stats/graphs" -name '*.png' | wc -l)

awk -v cpu="$(grep -m1 'model name' /proc/cpuinfo | sed 's/.*: //')" -v ncpu="$(nproc)" \
    -v clients="$CLIENTS" -v snaps="$snaps" -v dbs="$dbs" -v same="$same" -v runs="$RUNS" \
    -v tr="$(val transfer.s)" -v trj="$(val transfer_j.s)" -v cli="$(val cli.s)" \
    -v gr="$(val graph.s)" -v grj="$(val graph_j.s)" -v graphs="$graphs" -v jobs="$JOBS" \
    -v hr="$(val hourly.s)" -v clih="$(val cli_hourly.s)" -v hours="$HOURS" -v same_h="$same_h" '
function verdict(ok) { return ok ? "met" : "MISSED" }
BEGIN {
    printf "machine: %s, %d CPU(s)\n", cpu, ncpu
    printf "data: %d tx clients, %d snapshots -> %d databases of 1440 values (median of %d runs)\n\n",
        clients, snaps, dbs, runs
    printf "%-44s %8.2f s %8.2f ms/database\n", "rrdTransfer -j 1 (snapshots, create, update)", tr, tr * 1000 / dbs
    printf "%-44s %8.2f s %8.2f ms/database\n", "rrdTransfer -j " jobs, trj, trj * 1000 / dbs
    printf "%-44s %8.2f s %8.2f ms/database  (same values: %s)\n", "rrdtool update, one CLI call per database", cli, cli * 1000 / dbs, same
    printf "%-44s %8.2f s %8.2f ms/database-hour\n", "rrdTransfer, " hours " hourly runs (journaled)", hr, hr * 1000 / dbs / hours
    printf "%-44s %8.2f s %8.2f ms/database-hour  (same values: %s)\n", "rrdtool update, " hours " hourly rounds", clih, clih * 1000 / dbs / hours, same_h
    printf "%-44s %8.2f s %8.2f ms/graph\n", "rrdGraph -d, every client and type, -j 1", gr, gr * 1000 / graphs
    printf "%-44s %8.2f s %8.2f ms/graph (%d graphs)\n\n", "rrdGraph -d, -j " jobs, grj, grj * 1000 / graphs, graphs
    printf "%-44s %10s %10s  %s\n", "target", "measured", "wanted", "verdict"
    printf "%-44s %9.2fx %10s  %s\n", "rrdTransfer -j 1 / rrdtool update CLI", tr / cli, "<= 1.5x", verdict(tr / cli <= 1.5 && same == "yes")
    printf "%-44s %9.2fx %10s  %s\n", "hourly rrdTransfer / hourly rrdtool update", hr / clih, "<= 1.5x", verdict(hr / clih <= 1.5 && same_h == "yes")
}' | tee "$OUT/results.txt"
