# Shared by bench/run.sh and bench/hour.sh (sourced, after OUT is set and the
# working directory is the top of the tree).

# need_tools PROGRAM...: the built programs, mawk and time(1) are there.
need_tools() {
    for need in "$@"; do
        [ -x "$need" ] || { echo "bench: $need is missing: run make all" >&2; exit 1; }
    done
    command -v mawk >/dev/null || { echo "bench: mawk is missing (apt-get install mawk)" >&2; exit 1; }
    [ -x /usr/bin/time ] || { echo "bench: /usr/bin/time is missing (apt-get install time)" >&2; exit 1; }
}

now_ns() { date +%s%N; }
# run NAME command...: runs it, keeps its wall time (s) in $OUT/NAME.s, its
# CPU time (user + system, s) in $OUT/NAME.cpu and its peak RSS (KB) in
# $OUT/NAME.kb; its stdout goes to $OUT/NAME.out. CPU time is the fairer
# figure on a loaded machine, wall time the one an operator sees.
run() {
    name=$1; shift
    t0=$(now_ns)
    /usr/bin/time -f '%M %U %S' -o "$OUT/$name.time" "$@" > "$OUT/$name.out"
    t1=$(now_ns)
    echo "$t0 $t1" | awk '{ printf "%.3f\n", ($2 - $1) / 1e9 }' > "$OUT/$name.s"
    tail -n 1 "$OUT/$name.time" | awk '{ print $1 > "/dev/stderr"; printf "%.2f\n", $2 + $3 }' \
        2> "$OUT/$name.kb" > "$OUT/$name.cpu"
}
val() { cat "$OUT/$1"; }

# fresh_out DIR...: empties $OUT, only when this script made it (marked),
# never another's, and makes the directories given.
fresh_out() {
    if [ -d "$OUT" ] && [ -n "$(ls -A "$OUT")" ] && [ ! -f "$OUT/.pxs-bench" ]; then
        echo "bench: $OUT is not empty and not a bench directory: set BENCH_OUT" >&2
        exit 1
    fi
    rm -rf "$OUT"
    mkdir -p "$@"
    : > "$OUT/.pxs-bench"
}

# The mawk one-liner: the data-line rule of DESIGN.md §3, bytes summed per
# file and minute.
MAWK_SUM='
index($0, "[INFO]") && index($0, "Bytes") && !index($0, "/sec") && !index($0, " Segment ") &&
!index($0, "SEND TIMEOUT") {
    i = index($0, "("); j = index($0, " Bytes")
    sum[FILENAME, substr($0, 1, 16)] += substr($0, i + 1, j - i - 1)
}
END { for (k in sum) n++; print n " minutes" }'
# The lines a snapshot summarises: data and error lines.
MAWK_SUMMARISED='index($0, "[ERROR]") || (index($0, "[INFO]") && index($0, "Bytes") &&
          !index($0, "/sec") && !index($0, " Segment ") && !index($0, "SEND TIMEOUT"))'
