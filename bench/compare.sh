#!/bin/sh
# Are the snapshots of this build those of another build, byte for byte?
# For a change that must not alter what statsUpdater writes (a refactoring, a
# faster path): both builds collect the same generated logs (3 tx clients with
# production noise, 2 rx sources, and a busy client of about 200,000 lines an
# hour, whose hours take hourspill's path) from the same state, and every
# snapshot is compared with cmp.
#
#   BENCH_BASE=/path/to/other/tree sh bench/compare.sh
#
# BENCH_BASE is the top of the other tree (built: its bin/ and
# build/tests/loggen), e.g. a `git worktree add /tmp/base <rev>` then make all.
# Exit status 0 when every snapshot is the same, 1 otherwise.
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
BASE=${BENCH_BASE:?set BENCH_BASE to the top of the other build tree}
OUT=${BENCH_OUT:-bench/out/compare}
. bench/lib.sh
need_tools build/tests/loggen bin/statsUpdater bin/setLastUpdate "$BASE/bin/statsUpdater"
fresh_out "$OUT/log"

build/tests/loggen -q --logdir "$OUT/log" --names a,b,c --sources 2 --seed 7 \
    --start "2026-01-10 00:00:00" --hours 3 --rate 20000 --noise
build/tests/loggen -q --logdir "$OUT/log" --names hot --sources 0 --seed 3 \
    --start "2026-01-10 00:00:00" --hours 2 --rate 200000 --noise
for side in base new; do
    bin=$top/bin
    [ "$side" = base ] && bin=$BASE/bin
    root=$OUT/$side
    mkdir -p "$root/stats" "$root/etc" "$root/log"
    cp "$OUT"/log/*.log "$root/log/"
    for ft in tx rx; do
        clients=$(cd "$root/log" && ls "${ft}"_*.log | sed "s/^${ft}_//; s/\.log\$//" | paste -sd, -)
        "$bin/setLastUpdate" --root "$root" -m m1 -f "$ft" -c "$clients" "2026-01-10 00:00:00"
        run "$side-$ft" "$bin/statsUpdater" --root "$root" -m m1 -f "$ft" -d "2026-01-10 04:00:00"
        echo "$side $ft: $(val "$side-$ft.s") s wall, $(val "$side-$ft.cpu") s CPU, $(val "$side-$ft.kb") KB peak RSS"
    done
done
n=0 differ=0
for f in $(cd "$OUT/base/stats" && find pickles -type f | sort); do
    n=$((n + 1))
    cmp -s "$OUT/base/stats/$f" "$OUT/new/stats/$f" || { differ=$((differ + 1)); echo "differs: $f"; }
done
extra=$(cd "$OUT/new/stats" && find pickles -type f | wc -l)
echo "$n snapshots of the base build, $extra of this one, $differ differ"
[ "$differ" -eq 0 ] && [ "$n" -eq "$extra" ] && [ "$n" -gt 0 ]
