# Shared helpers of the end-to-end suites. Source it first:  . "$(dirname "$0")/lib.sh"
#
# Each suite runs the real binaries on real files in a temporary root and
# reports one line per case: "ok - <what>" or "not ok - <what>". The runner
# counts those lines. PXS_E2E_SAN=1 runs the sanitizer builds of the programs.
set -u
TOP=$(cd "$(dirname "$0")/../.." && pwd)
if [ -n "${PXS_E2E_SAN:-}" ] && [ -d "$TOP/build/san/bin" ]; then BIN=$TOP/build/san/bin; else BIN=$TOP/bin; fi
TBIN=$TOP/build/tests             # test helper programs (loggen, ...)
export PATH="$BIN:$TBIN:$PATH"
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1}
unset PXSTATS_CONF PXS_NOW
TMPROOT=$(mktemp -d "${TMPDIR:-/tmp}/pxs-e2e.XXXXXX")
# No test may depend on what the host holds at the default root (/apps/px): a
# program run without --root works in a root of the suite's own, which does
# not exist (a case that needs PXROOT sets it).
PXROOT=$TMPROOT/default-root; export PXROOT
_cleanup_fns=""
on_exit() { _cleanup_fns="$1 $_cleanup_fns"; }     # registers a cleanup function
_e2e_exit() { for f in $_cleanup_fns; do "$f"; done; [ -n "${PXS_KEEP:-}" ] || rm -rf "$TMPROOT"; }
trap _e2e_exit EXIT
trap 'exit 130' INT TERM

ok()   { echo "ok - $*"; }
fail() { echo "not ok - $*"; }
# check "description" command...: ok when the command exits 0.
check() { d=$1; shift; if "$@" >/dev/null 2>&1; then ok "$d"; else fail "$d"; fi; }
# expect_status N "description" command...: ok when the command exits N.
expect_status() {
    want=$1 d=$2; shift 2
    "$@" >"$TMPROOT/.out" 2>"$TMPROOT/.err"; got=$?
    if [ "$got" -eq "$want" ]; then ok "$d"; else fail "$d (exit $got, wanted $want)"; sed 's/^/#   /' "$TMPROOT/.err" | head -n 5; fi
}
# The last expect_status's stderr / stdout contain a pattern (grep -E).
stderr_has() { if grep -qE -- "$1" "$TMPROOT/.err"; then ok "$2"; else fail "$2"; sed 's/^/#   /' "$TMPROOT/.err" | head -n 5; fi; }
stdout_has() { if grep -qE -- "$1" "$TMPROOT/.out"; then ok "$2"; else fail "$2"; fi; }
# same_files "description" a b: byte-identical files or trees.
same_files() { if diff -r "$2" "$3" >/dev/null 2>&1; then ok "$1"; else fail "$1"; diff -r "$2" "$3" 2>&1 | head -n 5 | sed 's/^/#   /'; fi; }
# A fresh root with log/ and stats/ directories.
newroot() { r=$(mktemp -d "$TMPROOT/root.XXXXXX"); mkdir -p "$r/log" "$r/stats" "$r/etc"; echo "$r"; }
# same_buckets "description" treeA treeB: every snapshot of A has a twin in B
# with the same pickleView --json, the list of log file names aside (a file
# renamed by rotation between runs is read under another name).
same_buckets() {
    d=$1 a=$2 b=$3 bad=0
    (cd "$a" && find . -type f | sort) > "$TMPROOT/.sa"
    (cd "$b" && find . -type f | sort) > "$TMPROOT/.sb"
    if ! cmp -s "$TMPROOT/.sa" "$TMPROOT/.sb"; then fail "$d (different sets of snapshots)"; diff "$TMPROOT/.sa" "$TMPROOT/.sb" | head -n 5 | sed 's/^/#   /'; return; fi
    while read -r f; do
        pickleView --json "$a/$f" | python3 -c 'import json,sys; d=json.load(sys.stdin); d.pop("files",None); print(json.dumps(d,sort_keys=True))' > "$TMPROOT/.ja"
        pickleView --json "$b/$f" | python3 -c 'import json,sys; d=json.load(sys.stdin); d.pop("files",None); print(json.dumps(d,sort_keys=True))' > "$TMPROOT/.jb"
        cmp -s "$TMPROOT/.ja" "$TMPROOT/.jb" || { bad=1; echo "#   differs: $f"; break; }
    done < "$TMPROOT/.sa"
    [ $bad -eq 0 ] && ok "$d" || fail "$d"
}
# collect ROOT START END MACHINES TX_CLIENTS RX_SOURCES: on each machine of
# the comma list, setLastUpdate to START then statsUpdater up to END, tx and
# rx. Returns 1 at the first failure.
collect() {
    for _m in $(echo "$4" | tr ',' ' '); do
        setLastUpdate --root "$1" -m "$_m" -f tx -c "$5" "$2" &&
        setLastUpdate --root "$1" -m "$_m" -f rx -c "$6" "$2" &&
        statsUpdater --root "$1" -m "$_m" -f tx -d "$3" &&
        statsUpdater --root "$1" -m "$_m" -f rx -d "$3" || return 1
    done
}
# upto FILE FROM DATE EXTRA: the bytes of FILE from offset FROM up to its first
# line at or after DATE, plus EXTRA bytes of that line (a line being written):
# a log as it stood when the clock read DATE.
upto() {
    python3 - "$@" <<'PY'
import sys
path, start, date, extra = sys.argv[1], int(sys.argv[2]), sys.argv[3].encode(), int(sys.argv[4])
data = open(path, "rb").read()
pos = 0
for line in data.splitlines(keepends=True):
    if line[:19] >= date and line[19:20] == b",":
        break
    pos += len(line)
sys.stdout.buffer.write(data[start:pos + extra])
PY
}
