#!/bin/sh
# make bench: one day of PX logs (>= 1 GB over 150 clients and 30 sources by
# default), then, on the same files and with a warm page cache:
#   wc -l                 the floor: reading and counting lines
#   mawk one-liner        selects the data lines (DESIGN.md §3) and sums bytes
#                         per file and minute
#   statsUpdater tx + rx  the whole hourly collection of the day, 24 snapshots
#                         per client, with -j 1 (one process) and -j 2 (two
#                         workers; the snapshots must be the same)
# and prints lines/s, MB/s, peak RSS, the snapshot bytes against gzip -6 of the
# lines they summarise, and the ratios against the targets of issue 2.
#
# Environment: BENCH_MB (log size in MB, default 1100), BENCH_CLIENTS (150),
# BENCH_SOURCES (30), BENCH_SEED (1), BENCH_OUT (bench/out/collect), BENCH_NOISE (1:
# ERROR/WARNING/traceback/... lines as in production; 0: data lines only),
# BENCH_HOT_RATE (250000: lines in the hour of one busy client, for the
# memory target; 0 skips it).
# Never part of `make check`: the figures depend on the machine.
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"

MB=${BENCH_MB:-1100}
CLIENTS=${BENCH_CLIENTS:-150}
SOURCES=${BENCH_SOURCES:-30}
SEED=${BENCH_SEED:-1}
OUT=${BENCH_OUT:-bench/out/collect}
NOISE=${BENCH_NOISE:-1}
HOT_RATE=${BENCH_HOT_RATE:-250000}
DAY=2026-01-10
MACHINE=bench
LOGGEN=build/tests/loggen
root=$OUT/root
logs=$root/log

. bench/lib.sh
need_tools "$LOGGEN" bin/statsUpdater bin/setLastUpdate
fresh_out "$logs" "$root/stats" "$root/etc"

echo "bench: generating ${MB} MB of logs of $DAY ($CLIENTS clients, $SOURCES sources)"
noise_opt=""
[ "$NOISE" = 1 ] && noise_opt=--noise
t0=$(now_ns)
"$LOGGEN" -q --logdir "$logs" --clients "$CLIENTS" --sources "$SOURCES" --seed "$SEED" \
    --start "$DAY 00:00:00" --days 1 --bytes-target "${MB}M" $noise_opt
t1=$(now_ns)
gen_s=$(echo "$t0 $t1" | awk '{ printf "%.1f", ($2 - $1) / 1e9 }')

files=$(ls "$logs"/*.log | wc -l)
bytes=$(cat "$logs"/*.log | wc -c)
tx_bytes=$(cat "$logs"/tx_*.log | wc -c)
tx_lines=$(cat "$logs"/tx_*.log | wc -l)
# Warm the page cache so that every contender reads from memory.
cat "$logs"/*.log > /dev/null

run wc wc -l "$logs"/*.log
lines=$(tail -n 1 "$OUT/wc.out" | awk '{ print $1 }')

# The data-line rule of DESIGN.md §3, bytes summed per file and minute.
run awk mawk "$MAWK_SUM" "$logs"/*.log

names() {   # comma-separated names of the $1 logs
    (cd "$logs" && ls "$1"_*.log) | sed "s/^$1_//; s/\.log\$//" | paste -sd, -
}
bin/setLastUpdate --root "$root" -m "$MACHINE" -f tx -c "$(names tx)" "$DAY 00:00:00"
bin/setLastUpdate --root "$root" -m "$MACHINE" -f rx -c "$(names rx)" "$DAY 00:00:00"
end="2026-01-11 00:00:00"
run su_tx bin/statsUpdater --root "$root" -m "$MACHINE" -f tx -c All -d "$end"
run su_rx bin/statsUpdater --root "$root" -m "$MACHINE" -f rx -c All -d "$end"

# The same catch-up with two worker processes (-j 2), from the same state:
# the snapshots must be those of -j 1, byte for byte.
mv "$root/stats/pickles" "$OUT/pickles-j1"
bin/setLastUpdate --root "$root" -m "$MACHINE" -f tx -c "$(names tx)" "$DAY 00:00:00"
bin/setLastUpdate --root "$root" -m "$MACHINE" -f rx -c "$(names rx)" "$DAY 00:00:00"
run su_tx2 bin/statsUpdater --root "$root" -m "$MACHINE" -f tx -c All -d "$end" -j 2
run su_rx2 bin/statsUpdater --root "$root" -m "$MACHINE" -f rx -c All -d "$end" -j 2
if diff -r "$OUT/pickles-j1" "$root/stats/pickles" > /dev/null; then j2_same=yes; else j2_same=NO; fi
rm -rf "$OUT/pickles-j1"

# Memory does not depend on the log size only but on the lines of one
# client-hour (the rows an hour keeps): one busy client, one hour.
hot=$OUT/hot
hot_lines=0
if [ "$HOT_RATE" -gt 0 ]; then
    "$LOGGEN" -q --logdir "$hot/log" --names hot --sources 0 --seed "$SEED" --start "$DAY 00:00:00" \
        --hours 1 --rate "$HOT_RATE"
    mkdir -p "$hot/stats"
    hot_lines=$(wc -l < "$hot/log/tx_hot.log")
    bin/setLastUpdate --root "$hot" -m "$MACHINE" -f tx -c hot "$DAY 00:00:00"
    run su_hot bin/statsUpdater --root "$hot" -m "$MACHINE" -f tx -c hot -d "$DAY 01:00:00"
else
    echo 0 > "$OUT/su_hot.s"; echo 0 > "$OUT/su_hot.cpu"; echo 0 > "$OUT/su_hot.kb"
fi

# The figures only count if the snapshots are right: one client and one
# source checked by the independent arithmetic.
check=""
for ft_name in tx:client001 rx:source001; do
    ft=${ft_name%%:*} name=${ft_name#*:}
    [ -f "$logs/${ft}_$name.log" ] || continue
    if python3 tests/tools/pxcheck.py verify --stats "$root/stats" --pickleview bin/pickleView -f "$ft" -c "$name" \
        -m "$MACHINE" --start "$DAY 00:00:00" --end "$end" "$logs/${ft}_$name.log" > "$OUT/pxcheck_$name.txt" 2>&1
    then check="$check $ft $name exact;"
    else check="$check $ft $name WRONG (see $OUT/pxcheck_$name.txt);"
    fi
done

snaps=$(find "$root/stats/pickles" -type f | wc -l)
snap_bytes=$(find "$root/stats/pickles" -type f -printf '%s\n' | awk '{ s += $1 } END { print s + 0 }')
# What the snapshots summarise: the data and error lines; and, for scale, all the lines.
summ_gz=$(mawk "$MAWK_SUMMARISED" "$logs"/*.log | gzip -6 | wc -c)
all_gz=$(cat "$logs"/*.log | gzip -6 | wc -c)

awk -v gen_s="$gen_s" -v files="$files" -v bytes="$bytes" -v lines="$lines" \
    -v tx_bytes="$tx_bytes" -v tx_lines="$tx_lines" \
    -v wc_s="$(val wc.s)" -v wc_kb="$(val wc.kb)" -v awk_s="$(val awk.s)" -v awk_kb="$(val awk.kb)" \
    -v tx_s="$(val su_tx.s)" -v tx_kb="$(val su_tx.kb)" -v rx_s="$(val su_rx.s)" -v rx_kb="$(val su_rx.kb)" \
    -v hot_lines="$hot_lines" -v hot_s="$(val su_hot.s)" -v hot_kb="$(val su_hot.kb)" \
    -v wc_c="$(val wc.cpu)" -v awk_c="$(val awk.cpu)" -v tx_c="$(val su_tx.cpu)" -v rx_c="$(val su_rx.cpu)" \
    -v tx2_s="$(val su_tx2.s)" -v tx2_c="$(val su_tx2.cpu)" -v tx2_kb="$(val su_tx2.kb)" \
    -v rx2_s="$(val su_rx2.s)" -v rx2_c="$(val su_rx2.cpu)" -v rx2_kb="$(val su_rx2.kb)" -v j2_same="$j2_same" \
    -v snaps="$snaps" -v snap_bytes="$snap_bytes" -v summ_gz="$summ_gz" -v all_gz="$all_gz" \
    -v cpu="$(grep -m1 'model name' /proc/cpuinfo | sed 's/.*: //')" -v ncpu="$(nproc)" \
    -v load="$(cut -d' ' -f1-3 /proc/loadavg)" -v check="$check" '
function row(name, s, c, kb, n, b) {
    printf "%-24s %7.2f s wall %7.2f s CPU %11.0f lines/s %7.1f MB/s %6.1f MB RSS\n",
        name, s, c, n / s, b / 1e6 / s, kb / 1024
}
function ratio(what, w, c, want, ok) {
    printf "%-46s %7.2fx %7.2fx %9s  %s\n", what, w, c, want, ok ? "met" : "MISSED"
}
BEGIN {
    su_s = tx_s + rx_s; su_c = tx_c + rx_c; su_kb = tx_kb > rx_kb ? tx_kb : rx_kb
    if (wc_c <= 0) wc_c = 0.01      # below the resolution of time(1)
    printf "machine: %s, %d CPU(s), load average %s\n", cpu, ncpu, load
    printf "logs: %d files, %.1f MB, %d lines; tx %.1f MB, %d lines (generated in %s s)\n\n",
        files, bytes / 1e6, lines, tx_bytes / 1e6, tx_lines, gen_s
    printf "(lines/s and MB/s from wall time)\n"
    row("wc -l", wc_s, wc_c, wc_kb, lines, bytes)
    row("mawk one-liner", awk_s, awk_c, awk_kb, lines, bytes)
    row("statsUpdater tx", tx_s, tx_c, tx_kb, tx_lines, tx_bytes)
    row("statsUpdater rx", rx_s, rx_c, rx_kb, lines - tx_lines, bytes - tx_bytes)
    row("statsUpdater tx+rx", su_s, su_c, su_kb, lines, bytes)
    su2_s = tx2_s + rx2_s; su2_c = tx2_c + rx2_c; su2_kb = tx2_kb > rx2_kb ? tx2_kb : rx2_kb
    row("statsUpdater -j 2 tx", tx2_s, tx2_c, tx2_kb, tx_lines, tx_bytes)
    row("statsUpdater -j 2 rx", rx2_s, rx2_c, rx2_kb, lines - tx_lines, bytes - tx_bytes)
    row("statsUpdater -j 2 tx+rx", su2_s, su2_c, su2_kb, lines, bytes)
    printf "-j 2: %.2fx the wall time of -j 1 (CPU %.2fx); snapshots the same as -j 1: %s\n", su2_s / su_s, su2_c / su_c, j2_same
    if (hot_lines > 0)
        printf "one busy client-hour: %d lines in %.2f s, %.1f MB peak RSS\n", hot_lines, hot_s, hot_kb / 1024
    peak_kb = su_kb > hot_kb ? su_kb : hot_kb
    printf "\npxcheck:%s\n", check
    printf "snapshots: %d files, %.2f MB; gzip -6 of the data+error lines %.2f MB (all lines %.2f MB)\n\n",
        snaps, snap_bytes / 1e6, summ_gz / 1e6, all_gz / 1e6
    printf "%-46s %8s %8s %9s  %s\n", "target", "wall", "CPU", "wanted", "verdict (wall)"
    ratio("statsUpdater speed-up over the mawk one-liner", awk_s / su_s, awk_c / su_c, ">= 4x", awk_s / su_s >= 4)
    ratio("statsUpdater time over wc -l", su_s / wc_s, su_c / wc_c, "<= 8x", su_s / wc_s <= 8)
    ratio("statsUpdater -j 2 speed-up over mawk", awk_s / su2_s, awk_c / su2_c, ">= 4x", awk_s / su2_s >= 4)
    ratio("statsUpdater -j 2 time over wc -l", su2_s / wc_s, su2_c / wc_c, "<= 8x", su2_s / wc_s <= 8)
    printf "%-46s %6.1f MB %8s %9s  %s\n", "statsUpdater peak RSS (day, busy hour)", peak_kb / 1024, "",
        "<= 32 MB", peak_kb <= 32 * 1024 ? "met" : "MISSED"
    printf "%-46s %7.3fx %8s %9s  %s\n", "snapshot bytes / gzip -6 of the lines", snap_bytes / summ_gz, "",
        "<= 0.5x", snap_bytes <= 0.5 * summ_gz ? "met" : "MISSED"
}' | tee "$OUT/results.txt"
