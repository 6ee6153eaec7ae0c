#!/bin/sh
# Builds the libFuzzer targets tests/fuzz/fuzz_*.c into build/fuzz/.
#
# The library sources lib/*.c are compiled with the same sanitizers as the
# targets (ASan + UBSan, libFuzzer's coverage instrumentation) into
# build/fuzz/obj/ and archived as build/fuzz/libpxstats.a. Objects are rebuilt
# only when their source or a header is newer, so that `make check` pays the
# full compilation once. Usage: build.sh [target...] (default: every target).
set -u
top=$(cd "$(dirname "$0")/../.." && pwd)
cd "$top" || exit 1
CC=${FUZZ_CC:-clang}
FLAGS="-std=c11 -D_GNU_SOURCE -Iinclude -O1 -g -fno-omit-frame-pointer
       -fsanitize=address,undefined -fno-sanitize-recover=all"
LIBS="-lrrd -lssh2 -ldeflate -lz -lm -lpthread"
out=build/fuzz
mkdir -p "$out/obj" || exit 1

if ! command -v "$CC" >/dev/null 2>&1; then
    echo "fuzz/build.sh: $CC not found (Debian: clang libclang-rt-14-dev)" >&2
    exit 1
fi

# The newest header: every object is older than it must be rebuilt.
newest_header=$(ls -t include/pxstats/*.h | head -n 1)

stale=""
for src in lib/*.c; do
    obj=$out/obj/$(basename "$src" .c).o
    if [ ! -f "$obj" ] || [ "$src" -nt "$obj" ] || [ "$newest_header" -nt "$obj" ]; then
        stale="$stale $src"
    fi
done
if [ -n "$stale" ]; then
    # Two compilers at once (`make check` runs on two cores); each writes a
    # temporary object so that an interrupted build leaves no half object.
    jobs=${FUZZ_JOBS:-2} running=0 failed=0
    for src in $stale; do
        obj=$out/obj/$(basename "$src" .c).o
        # shellcheck disable=SC2086
        ( $CC $FLAGS -fsanitize=fuzzer-no-link -c "$src" -o "$obj.tmp" && mv "$obj.tmp" "$obj" ) &
        running=$((running + 1))
        if [ $running -ge "$jobs" ]; then wait; running=0; fi
    done
    wait
    for src in $stale; do
        [ -f "$out/obj/$(basename "$src" .c).o" ] && [ ! "$src" -nt "$out/obj/$(basename "$src" .c).o" ] || failed=1
    done
    [ $failed -eq 0 ] || { echo "fuzz/build.sh: compiling the library failed" >&2; exit 1; }
    # Objects of library files that no longer exist must not be linked.
    for obj in "$out"/obj/*.o; do
        [ -f "lib/$(basename "$obj" .o).c" ] || rm -f "$obj"
    done
    rm -f "$out/libpxstats.a"
fi
if [ ! -f "$out/libpxstats.a" ]; then
    ar rcs "$out/libpxstats.a" "$out"/obj/*.o || exit 1
fi

if [ $# -eq 0 ]; then
    set -- $(for f in tests/fuzz/fuzz_*.c; do basename "$f" .c; done)
fi
for t in "$@"; do
    src=tests/fuzz/$t.c
    bin=$out/$t
    [ -f "$src" ] || { echo "fuzz/build.sh: no such target $t" >&2; exit 1; }
    if [ ! -x "$bin" ] || [ "$src" -nt "$bin" ] || [ tests/fuzz/fuzz_common.h -nt "$bin" ] ||
       [ "$out/libpxstats.a" -nt "$bin" ]; then
        # shellcheck disable=SC2086
        $CC $FLAGS -Wall -Wextra -Werror -fsanitize=fuzzer "$src" "$out/libpxstats.a" $LIBS \
            -o "$bin" || { echo "fuzz/build.sh: building $t failed" >&2; exit 1; }
    fi
done
