#!/bin/sh
# A big client-hour (~270 000 lines with production noise) end to end: the
# snapshot statsUpdater writes holds exactly what pxcheck's independent
# arithmetic finds in the log (every minute's counts, means, medians,
# percentiles, min/max and where they are, the malformed count), the product
# filter of graphGen gives the totals of the matching lines, and the snapshot
# stays under half the size of gzip -6 of the lines it summarises. An hour this
# size takes the snapshot encoder's path for big product tables (zlib, column
# by column); the other suites cover ordinary hours (libdeflate).
. "$(dirname "$0")/lib.sh"
PXCHECK="python3 $TOP/tests/tools/pxcheck.py"
START="2026-01-10 00:00:00"
END="2026-01-10 01:00:00"

R=$(newroot)
loggen --logdir "$R/log" --machines m1 --names hot --sources 0 --seed 5 --start "$START" \
    --hours 1 --rate 288000 --noise -q
LOG=$R/log/tx_hot.log
lines=$(wc -l < "$LOG")
check "the hour has more than 250 000 lines ($lines)" test "$lines" -gt 250000

setLastUpdate --root "$R" -m m1 -f tx -c hot "$START"
# Past 65536 rows the hour goes on in unlinked temporary files (hourspill):
# its peak memory stays flat (about 165 bytes a row without).
expect_status 0 "statsUpdater collects the big hour" \
    /usr/bin/time -f %M -o "$TMPROOT/rss" "$BIN/statsUpdater" --root "$R" -m m1 -f tx -c hot -d "$END"
SNAP=$R/stats/pickles/hot/20260110/tx/m1_00
check "its snapshot is written" test -f "$SNAP"
rss=$(tail -n 1 "$TMPROOT/rss")
if [ -n "${PXS_E2E_SAN:-}" ]; then
    ok "peak RSS not judged under the sanitizers ($rss KB)"
else
    check "statsUpdater's peak RSS on the $lines-line hour is under 32 MB ($rss KB)" test "$rss" -lt 32768
fi
check "no temporary file of the big hour is left in the stats tree" \
    test -z "$(find "$R/stats" -name '.*' ! -name .statsUpdater.lock)"

if $PXCHECK verify --malformed --stats "$R/stats" --pickleview "$BIN/pickleView" -f tx -c hot -m m1 \
    --start "$START" --end "$END" "$LOG" > "$TMPROOT/verify" 2>&1; then
    ok "the big hour's snapshot = pxcheck (every minute, medians and percentiles exact)"
else
    fail "the big hour's snapshot = pxcheck"; head -n 5 "$TMPROOT/verify" | sed 's/^/#   /'
fi

# The product filter: graphGen -p keeps the data lines whose product holds the
# pattern and every error line; its totals against the log's lines.
graphGen --root "$R" -m m1 -c hot -d "$END" -s 1 -p _KWNB_ --script > "$TMPROOT/kwnb.gp" 2> "$TMPROOT/kwnb.err"
got=$(sed -n 's/^# panel 0: .* files=\([0-9]*\) over=\([0-9]*\) errors=\([0-9]*\) bytes=\([0-9]*\)$/\1 \2 \3 \4/p' "$TMPROOT/kwnb.gp")
want=$(python3 - "$TOP/tests/tools" "$LOG" "$START" <<'EOF'
import sys
sys.path.insert(0, sys.argv[1])
import pxcheck
start = pxcheck.parse_time(sys.argv[3].encode())
files = over = errors = total = 0
for line in open(sys.argv[2], "rb"):
    kind, t, nbytes, latency, product = pxcheck.classify(line.rstrip(b"\n"), "tx", True)
    if t is None or not start <= t < start + 3600:
        continue
    if kind == pxcheck.ERROR:
        errors += 1
    elif kind == pxcheck.DATA and b"_KWNB_" in (product if isinstance(product, bytes) else product.encode()):
        files += 1
        total += nbytes
        over += latency > 15
print(files, over, errors, total)
EOF
)
if [ -n "$got" ] && [ "$got" = "$want" ]; then
    ok "graphGen -p _KWNB_ on the big hour: files, late files, errors and bytes of the matching lines ($got)"
else
    fail "graphGen -p _KWNB_ on the big hour (got '$got', wanted '$want')"; head -n 3 "$TMPROOT/kwnb.err" | sed 's/^/#   /'
fi

snap_bytes=$(wc -c < "$SNAP")
gz_bytes=$(grep -a -e '\[ERROR\]' -e '\[INFO\].*Bytes' "$LOG" | grep -a -v -e '/sec' -e ' Segment ' -e 'SEND TIMEOUT' |
           gzip -6 | wc -c)
check "the snapshot ($snap_bytes bytes) is at most half of gzip -6 of its lines ($gz_bytes)" \
    test $((snap_bytes * 2)) -le "$gz_bytes"

# Killed while the hour is in its temporary files: nothing is published,
# nothing is left behind, and the rerun writes the same snapshot, byte for byte.
cp "$SNAP" "$TMPROOT/snap.ref"
setLastUpdate --root "$R" -m m1 -f tx -c hot "$START"
rm -f "$SNAP"
"$BIN/statsUpdater" --root "$R" -m m1 -f tx -c hot -d "$END" 2> "$TMPROOT/killed.err" &
pid=$!
spilling=no
for _ in $(seq 1 400); do
    if ls -l "/proc/$pid/fd" 2>/dev/null | grep -q '(deleted)'; then spilling=yes; break; fi
    sleep 0.01
done
kill -9 "$pid" 2>/dev/null
wait "$pid" 2>/dev/null
check "the run was killed while it held the hour's temporary files" test "$spilling" = yes
check "the killed run published no snapshot" test ! -e "$SNAP"
check "the killed run left no file behind" \
    test -z "$(find "$R/stats" -name '.*' ! -name .statsUpdater.lock)"
expect_status 0 "the rerun after kill -9 collects the hour" \
    statsUpdater --root "$R" -m m1 -f tx -c hot -d "$END"
check "the rerun's snapshot is the first run's, byte for byte" cmp "$SNAP" "$TMPROOT/snap.ref"

# The disk refuses the temporary files (a file-size limit, as a full disk
# would): the client fails with the cause, nothing is published, its state
# stays, nothing is left; once the disk takes them, the same snapshot.
setLastUpdate --root "$R" -m m1 -f tx -c hot "$START"
rm -f "$SNAP"
cp "$R/stats/PICKLED-TIMES" "$TMPROOT/times.before"
( trap "" XFSZ; ulimit -f 4096; exec "$BIN/statsUpdater" --root "$R" -m m1 -f tx -c hot -d "$END" ) \
    > "$TMPROOT/.out" 2> "$TMPROOT/.err"
rc=$?
check "statsUpdater fails (status 1) when the big hour's temporary files cannot grow (got $rc)" test "$rc" -eq 1
stderr_has "statsUpdater: .*cannot write .*(temporary|File too large)" "the message says what could not be written and why"
check "nothing was published" test ! -e "$SNAP"
check "the client's last update did not move" cmp "$R/stats/PICKLED-TIMES" "$TMPROOT/times.before"
check "no file is left behind" test -z "$(find "$R/stats" -name '.*' ! -name .statsUpdater.lock)"
expect_status 0 "the rerun with room collects the hour" statsUpdater --root "$R" -m m1 -f tx -c hot -d "$END"
check "and writes the same snapshot, byte for byte" cmp "$SNAP" "$TMPROOT/snap.ref"
