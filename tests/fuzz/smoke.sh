#!/bin/sh
# The fuzz suite of `make check`: builds every target (tests/fuzz/build.sh),
# runs each for 10,000 executions from its seed corpus with a fixed seed (the
# same inputs on every run, so that a failure reproduces), then replays every
# kept crash input of tests/fuzz/regressions/<target>/. One "ok - ..." or
# "not ok - ..." line per run. New inputs go to a temporary directory: the
# committed corpora are never modified.
set -u
top=$(cd "$(dirname "$0")/../.." && pwd)
cd "$top" || exit 1
RUNS=${FUZZ_RUNS:-10000}
targets=$(for f in tests/fuzz/fuzz_*.c; do basename "$f" .c; done)
tmp=$(mktemp -d "${TMPDIR:-/tmp}/pxs-fuzz-smoke.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1}

if ! sh tests/fuzz/build.sh > "$tmp/build.log" 2>&1; then
    sed 's/^/# /' "$tmp/build.log" | tail -n 20
    for t in $targets; do echo "not ok - fuzz $t (build failed)"; done
    exit 1
fi

status=0
for t in $targets; do
    mkdir -p "$tmp/new-$t" "$tmp/art-$t"
    # -seed fixes the mutations; -timeout catches a hang on one input.
    ./build/fuzz/"$t" -runs="$RUNS" -seed=1 -timeout=20 -max_len=65536 \
        -artifact_prefix="$tmp/art-$t/" "$tmp/new-$t" "tests/fuzz/corpus/$t" > "$tmp/$t.log" 2>&1
    rc=$?
    done_runs=$(sed -n 's/^Done \([0-9]*\) runs.*/\1/p' "$tmp/$t.log")
    if [ $rc -eq 0 ] && [ "${done_runs:-0}" -ge "$RUNS" ]; then
        echo "ok - fuzz $t $RUNS runs"
    else
        echo "not ok - fuzz $t $RUNS runs (exit $rc)"
        grep -E 'invariant broken|ERROR:|runtime error|SUMMARY' "$tmp/$t.log" | head -n 5 | sed 's/^/# /'
        for a in "$tmp/art-$t"/*; do
            [ -f "$a" ] && echo "# input (base64): $(base64 -w0 < "$a" | head -c 400)"
        done
        status=1
    fi
    for r in tests/fuzz/regressions/"$t"/*; do
        [ -f "$r" ] || continue
        if ./build/fuzz/"$t" "$r" > "$tmp/$t.reg.log" 2>&1; then
            echo "ok - fuzz $t regression $(basename "$r")"
        else
            echo "not ok - fuzz $t regression $(basename "$r")"
            grep -E 'invariant broken|ERROR:|runtime error|SUMMARY' "$tmp/$t.reg.log" | head -n 5 | sed 's/^/# /'
            status=1
        fi
    done
done
exit $status
