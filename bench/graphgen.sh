#!/bin/sh
# bench/graphgen.sh: graphGen against gnuplot alone, and graphGen --all.
#
# One day of logs of BENCH_CLIENTS clients (default 150) on one machine,
# collected by statsUpdater into 24 hourly snapshots each; then, with a warm
# page cache:
#   gnuplot alone     gnuplot on the script graphGen --script prints (the
#                     24 h, 3-type graph of one client), PNG to /dev/null
#   graphGen          the same graph, from the snapshots to the PNG on disk
#   graphGen --all    a graph for every client, -j BENCH_JOBS (default 2)
# Single graphs are timed BENCH_RUNS times (default 7) and the median kept.
# Targets (issue 5): graphGen <= 1.2x gnuplot alone and < 1 s; --all of 150
# clients on 2 cores < 60 s. Never part of `make check`.
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"

CLIENTS=${BENCH_CLIENTS:-150}
RATE=${BENCH_RATE:-1200}
RUNS=${BENCH_RUNS:-7}
JOBS=${BENCH_JOBS:-2}
OUT=${BENCH_OUT:-bench/out}/graphgen
DAY=2026-01-10
END="2026-01-11 00:00:00"
MACHINE=bench
LOGGEN=build/tests/loggen
root=$OUT/root

for need in "$LOGGEN" bin/statsUpdater bin/setLastUpdate bin/graphGen; do
    [ -x "$need" ] || { echo "bench: $need is missing: run make all" >&2; exit 1; }
done
gnuplot=$(command -v gnuplot) || { echo "bench: gnuplot is missing (apt-get install gnuplot-nox)" >&2; exit 1; }

now_ns() { date +%s%N; }
# median NAME command...: runs it RUNS times; the median wall time (s) goes to $OUT/NAME.s.
median() {
    name=$1; shift
    : > "$OUT/$name.all"
    i=0
    while [ $i -lt "$RUNS" ]; do
        t0=$(now_ns); "$@"; t1=$(now_ns)
        echo "$t0 $t1" | awk '{ printf "%.4f\n", ($2 - $1) / 1e9 }' >> "$OUT/$name.all"
        i=$((i + 1))
    done
    sort -n "$OUT/$name.all" | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }' > "$OUT/$name.s"
}
val() { cat "$OUT/$1"; }

rm -rf "$OUT"
mkdir -p "$root/log" "$root/stats" "$root/etc"
echo "bench: $CLIENTS clients, one day of logs at $RATE lines/hour each"
"$LOGGEN" -q --logdir "$root/log" --machines "$MACHINE" --clients "$CLIENTS" --sources 1 \
    --start "$DAY 00:00:00" --days 1 --rate "$RATE" --seed 1
names=$(cd "$root/log" && ls tx_*.log | sed 's/^tx_//; s/\.log$//' | paste -sd, -)
bin/setLastUpdate --root "$root" -m "$MACHINE" -f tx -c "$names" "$DAY 00:00:00"
t0=$(now_ns)
bin/statsUpdater --root "$root" -m "$MACHINE" -f tx -c All -d "$END"
t1=$(now_ns)
su_s=$(echo "$t0 $t1" | awk '{ printf "%.1f", ($2 - $1) / 1e9 }')
snaps=$(find "$root/stats/pickles" -type f | wc -l)
# Warm the page cache: every contender reads from memory.
find "$root/stats/pickles" -type f -exec cat {} + > /dev/null

G="bin/graphGen --root $root -m $MACHINE -c client001 -d"
$G "$END" -s 24 --script > "$OUT/one.gp"
points=$(grep -c '^[0-9]' "$OUT/one.gp")
median gnuplot sh -c "'$gnuplot' < '$OUT/one.gp' > '$OUT/alone.png'"
median graphgen sh -c "$G '$END' -s 24 > /dev/null"
median script sh -c "$G '$END' -s 24 --script > /dev/null"

t0=$(now_ns)
bin/graphGen --root "$root" -m "$MACHINE" -f tx --all -d "$END" -s 24 -j "$JOBS" -l
t1=$(now_ns)
all_s=$(echo "$t0 $t1" | awk '{ printf "%.2f", ($2 - $1) / 1e9 }')
graphs=$(find "$root/stats/graphs" -name '*.png' | wc -l)

awk -v cpu="$(grep -m1 'model name' /proc/cpuinfo | sed 's/.*: //')" -v ncpu="$(nproc)" \
    -v clients="$CLIENTS" -v snaps="$snaps" -v su_s="$su_s" -v points="$points" \
    -v gp="$(val gnuplot.s)" -v gg="$(val graphgen.s)" -v sc="$(val script.s)" \
    -v all_s="$all_s" -v graphs="$graphs" -v jobs="$JOBS" -v runs="$RUNS" '
function verdict(ok) { return ok ? "met" : "MISSED" }
BEGIN {
    printf "machine: %s, %d CPU(s)\n", cpu, ncpu
    printf "data: %d clients, %d snapshots (statsUpdater %s s); one graph: 3 panels, %d points\n\n",
        clients, snaps, su_s, points
    printf "%-40s %8.3f s (median of %d)\n", "gnuplot alone on the script", gp, runs
    printf "%-40s %8.3f s\n", "graphGen --script (load + script only)", sc
    printf "%-40s %8.3f s\n", "graphGen (snapshots to PNG)", gg
    printf "%-40s %8.2f s (%d graphs, -j %d)\n\n", "graphGen --all", all_s, graphs, jobs
    printf "%-44s %10s %10s  %s\n", "target", "measured", "wanted", "verdict"
    printf "%-44s %9.2fx %10s  %s\n", "graphGen time / gnuplot alone", gg / gp, "<= 1.2x", verdict(gg / gp <= 1.2)
    printf "%-44s %8.3f s %10s  %s\n", "graphGen, one 24 h 3-type graph", gg, "< 1 s", verdict(gg < 1)
    printf "%-44s %8.2f s %10s  %s\n", "graphGen --all, " clients " clients, -j " jobs, all_s, "< 60 s", verdict(all_s < 60 && graphs >= clients)
}' | tee "$OUT/results.txt"
