#!/bin/sh
# `make fuzz` (FUZZ_SECONDS=N): runs every libFuzzer target for N seconds
# (default 60), one after the other, each with FUZZ_JOBS worker processes
# (default 2) that go on after a crash. The growing corpus lives in
# tests/fuzz/findings/corpus/<target>/ (beside the committed seeds, which are
# read only); crash, leak and timeout inputs are kept in
# tests/fuzz/findings/<target>/. A crash is fixed in the library and its input
# copied to tests/fuzz/regressions/<target>/, which `make check` replays.
# Usage: run.sh [seconds] [target...]
set -u
top=$(cd "$(dirname "$0")/../.." && pwd)
cd "$top" || exit 1
secs=${1:-60}
[ $# -gt 0 ] && shift
case "$secs" in ''|*[!0-9]*) echo "usage: run.sh [seconds] [target...]" >&2; exit 2 ;; esac
if [ $# -eq 0 ]; then
    set -- $(for f in tests/fuzz/fuzz_*.c; do basename "$f" .c; done)
fi
sh tests/fuzz/build.sh "$@" || exit 1
found=0
for t in "$@"; do
    dir=tests/fuzz/findings/$t
    mkdir -p "$dir" "tests/fuzz/findings/corpus/$t"
    before=$(ls "$dir" | wc -l)
    echo "fuzz: $t for ${secs}s"
    ./build/fuzz/"$t" -max_total_time="$secs" -fork="${FUZZ_JOBS:-2}" -ignore_crashes=1 \
        -ignore_timeouts=1 -ignore_ooms=1 -timeout=20 -max_len=65536 \
        -artifact_prefix="$dir/" "tests/fuzz/findings/corpus/$t" "tests/fuzz/corpus/$t" \
        > "tests/fuzz/findings/$t.log" 2>&1
    after=$(ls "$dir" | wc -l)
    if [ "$after" -gt "$before" ]; then
        echo "fuzz: $t: $((after - before)) new finding(s) in $dir (log: tests/fuzz/findings/$t.log)"
        found=1
    else
        echo "fuzz: $t: no finding ($(grep -c . "tests/fuzz/findings/$t.log") log lines)"
    fi
done
exit $found
