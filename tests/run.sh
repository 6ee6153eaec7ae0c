#!/bin/sh
# Runs every suite of `make check` and ends with one "N passed, N failed" line.
#   unit suites:  build/tests/test_* (plain) and build/san/tests/test_* (ASan+UBSan)
#   e2e suites:   tests/e2e/*.sh, each printing "ok - ..." / "not ok - ..." lines
# PXS_VALGRIND=1 runs the unit suites under valgrind instead of the sanitizers.
# PXS_ONLY=pattern runs only the suites whose name matches the pattern.
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top" || exit 1
mkdir -p tests/artefacts
log=tests/artefacts/check.log
: > "$log"
passed=0 failed=0 failed_suites=""

count_cmocka() {   # $1 = output file; adds its PASSED/FAILED counts
    p=$(sed -n 's/^\[  PASSED  \] \([0-9]*\) test.*/\1/p' "$1" | tail -n 1)
    f=$(sed -n 's/^\[  FAILED  \] \([0-9]*\) test.*/\1/p' "$1" | tail -n 1)
    passed=$((passed + ${p:-0})); failed=$((failed + ${f:-0}))
}

run_suite() {      # $1 = name, rest = command
    name=$1; shift
    case "$name" in *${PXS_ONLY:-}*) ;; *) return ;; esac
    out=tests/artefacts/$(echo "$name" | tr '/' '_').out
    printf '%-40s ' "$name"
    start=$(date +%s)
    "$@" > "$out" 2>&1
    rc=$?
    end=$(date +%s)
    cat "$out" >> "$log"
    before_p=$passed before_f=$failed
    case "$name" in
        unit*|san*) count_cmocka "$out" ;;
        *) p=$(grep -c '^ok - ' "$out"); f=$(grep -c '^not ok - ' "$out")
           passed=$((passed + p)); failed=$((failed + f)) ;;
    esac
    # A suite that crashed or exited non-zero without reporting a failure
    # still counts as one failure.
    if [ $rc -ne 0 ] && [ $failed -eq $before_f ]; then failed=$((failed + 1)); fi
    if [ $passed -eq $before_p ] && [ $failed -eq $before_f ]; then failed=$((failed + 1)); echo "not ok - $name ran no test" >> "$out"; fi
    if [ $failed -ne $before_f ]; then
        echo "FAIL ($((end - start))s)"; failed_suites="$failed_suites $name"
        grep -E '^not ok|^\[  FAILED|^\[  ERROR|ERROR:|runtime error|Sanitizer' "$out" | head -n 20 | sed 's/^/    /'
    else
        echo "ok $((passed - before_p)) ($((end - start))s)"
    fi
}

for t in build/tests/test_*; do
    [ -x "$t" ] || continue
    if [ -n "${PXS_VALGRIND:-}" ]; then
        run_suite "unit/$(basename "$t")" valgrind -q --error-exitcode=99 --leak-check=full --errors-for-leak-kinds=definite --suppressions=tests/valgrind.supp "$t"
    else
        run_suite "unit/$(basename "$t")" "$t"
    fi
done
if [ -z "${PXS_VALGRIND:-}" ]; then
    for t in build/san/tests/test_*; do
        [ -x "$t" ] || continue
        ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1 run_suite "san/$(basename "$t")" "$t"
    done
fi
for t in tests/e2e/[0-9a-z]*.sh; do
    [ -f "$t" ] || continue
    case "$t" in */lib.sh|*/sshd.sh) continue ;; esac
    run_suite "e2e/$(basename "$t" .sh)" sh "$t"
done
for t in tests/fuzz/smoke.sh; do
    [ -f "$t" ] && run_suite "fuzz/smoke" sh "$t"
done

echo
[ -n "$failed_suites" ] && echo "failed suites:$failed_suites (outputs in tests/artefacts/)"
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
