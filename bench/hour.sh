#!/bin/sh
# make bench: one client-hour of about 1,000,000 lines (issue 14's memory
# target), page cache warm, on the same file:
#   wc -l, the mawk one-liner of bench/run.sh, and statsUpdater collecting the
#   hour into its snapshot
# and prints wall and CPU time, peak RSS (target: <= 32 MB), the snapshot size
# against gzip -6 of the lines it summarises (target: <= 0.5x), and whether
# pxcheck finds the snapshot exact (medians and percentiles of every minute).
#
# Environment: BENCH_HOUR_RATE (1440000: loggen's mean lines per hour, which
# gives about 1,000,000 lines), BENCH_SEED (1), BENCH_NOISE (0; 1: production
# noise lines too), BENCH_OUT (bench/out/hour), BENCH_CHECK (1; 0 skips pxcheck,
# which takes a while on a million lines).
# Never part of `make check`: the figures depend on the machine.
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"

RATE=${BENCH_HOUR_RATE:-1440000}
SEED=${BENCH_SEED:-1}
NOISE=${BENCH_NOISE:-0}
OUT=${BENCH_OUT:-bench/out/hour}
CHECK=${BENCH_CHECK:-1}
DAY=2026-01-10
MACHINE=bench
LOGGEN=build/tests/loggen
root=$OUT/root
log=$root/log/tx_hot.log

. bench/lib.sh
need_tools "$LOGGEN" bin/statsUpdater bin/setLastUpdate bin/pickleView
fresh_out "$root/log" "$root/stats" "$root/etc"

noise_opt=""
[ "$NOISE" = 1 ] && noise_opt=--noise
echo "bench: generating one hour of tx_hot at $RATE lines/hour"
"$LOGGEN" -q --logdir "$root/log" --names hot --sources 0 --seed "$SEED" \
    --start "$DAY 00:00:00" --hours 1 --rate "$RATE" $noise_opt
lines=$(wc -l < "$log")
bytes=$(wc -c < "$log")
cat "$log" > /dev/null

run wc wc -l "$log"
run awk mawk "$MAWK_SUM" "$log"
bin/setLastUpdate --root "$root" -m "$MACHINE" -f tx -c hot "$DAY 00:00:00"
run su bin/statsUpdater --root "$root" -m "$MACHINE" -f tx -c hot -d "$DAY 01:00:00"

snap=$(find "$root/stats/pickles" -type f)
[ "$(echo "$snap" | wc -l)" -eq 1 ] || { echo "bench: expected one snapshot, found: $snap" >&2; exit 1; }
snap_bytes=$(wc -c < "$snap")
summ_gz=$(mawk "$MAWK_SUMMARISED" "$log" | gzip -6 | wc -c)
check="not run (BENCH_CHECK=0)"
if [ "$CHECK" = 1 ]; then
    if python3 tests/tools/pxcheck.py verify --stats "$root/stats" --pickleview bin/pickleView -f tx \
        -c hot -m "$MACHINE" --start "$DAY 00:00:00" --end "$DAY 01:00:00" "$log" \
        > "$OUT/pxcheck.txt" 2>&1
    then check="exact"
    else check="WRONG (see $OUT/pxcheck.txt)"
    fi
fi

awk -v lines="$lines" -v bytes="$bytes" \
    -v wc_s="$(val wc.s)" -v wc_c="$(val wc.cpu)" -v wc_kb="$(val wc.kb)" \
    -v awk_s="$(val awk.s)" -v awk_c="$(val awk.cpu)" -v awk_kb="$(val awk.kb)" \
    -v su_s="$(val su.s)" -v su_c="$(val su.cpu)" -v su_kb="$(val su.kb)" \
    -v snap_bytes="$snap_bytes" -v summ_gz="$summ_gz" -v check="$check" \
    -v cpu="$(grep -m1 'model name' /proc/cpuinfo | sed 's/.*: //')" -v ncpu="$(nproc)" \
    -v load="$(cut -d' ' -f1-3 /proc/loadavg)" '
function row(name, s, c, kb) {
    printf "%-22s %7.2f s wall %7.2f s CPU %11.0f lines/s %7.1f MB RSS\n",
        name, s, c, lines / (s > 0 ? s : 0.001), kb / 1024
}
BEGIN {
    if (wc_c <= 0) wc_c = 0.01      # below the resolution of time(1)
    printf "machine: %s, %d CPU(s), load average %s\n", cpu, ncpu, load
    printf "one client-hour: %d lines, %.1f MB\n\n", lines, bytes / 1e6
    row("wc -l", wc_s, wc_c, wc_kb)
    row("mawk one-liner", awk_s, awk_c, awk_kb)
    row("statsUpdater", su_s, su_c, su_kb)
    printf "\npxcheck: %s\n", check
    printf "snapshot: %.2f MB; gzip -6 of the data+error lines %.2f MB\n\n", snap_bytes / 1e6, summ_gz / 1e6
    printf "%-40s %10s %10s  %s\n", "target", "measured", "wanted", "verdict"
    printf "%-40s %7.1f MB %10s  %s\n", "peak RSS of the client-hour", su_kb / 1024, "<= 32 MB",
        su_kb <= 32 * 1024 ? "met" : "MISSED"
    printf "%-40s %9.3fx %10s  %s\n", "snapshot / gzip -6 of the lines", snap_bytes / summ_gz,
        "<= 0.5x", snap_bytes <= 0.5 * summ_gz ? "met" : "MISSED"
    printf "%-40s %9.2fx %10s\n", "statsUpdater CPU / mawk CPU", su_c / awk_c, "(<= 0.5x)"
}' | tee "$OUT/results.txt"
