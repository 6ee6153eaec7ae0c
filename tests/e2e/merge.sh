#!/bin/sh
# pickleMerge on snapshots collected by the real statsUpdater from the logs of
# two machines: the merged snapshots against independent arithmetic over the
# raw logs (pxcheck.py) and, bucket for bucket, against a snapshot collected
# from the two machines' logs concatenated; then FILE_VERSIONS: rebuilt when a
# source changed, appeared or disappeared, never otherwise (seen through the
# mtimes of the merged files); failures, spans and usage.
. "$(dirname "$0")/lib.sh"

R=$(newroot)
S=$R/stats
day=20260110
P=$S/pickles/amis/$day/tx
PX="python3 $TOP/tests/tools/pxcheck.py"
loggen --logdir "$R/log" --machines m1,m2 --names amis --source-names src1 --hours 4 \
    --start "2026-01-10 00:00:00" --seed 7 --noise -q || fail "loggen"

# statsUpdater starts a never-updated client at the previous hour: a first
# run at 01:00 collects hour 00, a second at 04:00 hours 01 to 03.
collect() {   # machine ft
    statsUpdater --root "$R" -m "$1" -f "$2" -d "2026-01-10 01:00:00" &&
    statsUpdater --root "$R" -m "$1" -f "$2" -d "2026-01-10 04:00:00"
}
for m in m1 m2; do
    for ft in tx rx; do check "statsUpdater $m $ft" collect $m $ft; done
done

expect_status 0 "merge 4 hours of tx" pickleMerge --root "$R" -c amis -f tx -m m1,m2 -d "2026-01-10 04:00:00" -s 4 -v
stderr_has "4 built, 0 up to date" "4 merged snapshots built"
n=$(ls "$P" | grep -c '^m1m2_0[0-3]$')
if [ "$n" -eq 4 ]; then ok "m1m2_00..03 exist"; else fail "m1m2_00..03 exist ($n)"; fi

verify() {   # hour-start hour-end logs...: merged m1m2 of amis tx against the raw logs
    s=$1 e=$2; shift 2
    $PX verify --stats "$S" --pickleview "$BIN/pickleView" --files --malformed --no-where \
        -f tx -c amis -m m1m2 --start "$s" --end "$e" "$@"
}
check "merged tx equals independent arithmetic over both machines' logs (medians included)" \
    verify "2026-01-10 00:00:00" "2026-01-10 04:00:00" "$R"/log/m1/tx_amis.log* "$R"/log/m2/tx_amis.log*

expect_status 0 "merge 4 hours of rx" pickleMerge --root "$R" -c src1 -f rx -m m1,m2 -d "2026-01-10 04:00:00" -s 4
check "merged rx equals independent arithmetic" \
    $PX verify --stats "$S" --pickleview "$BIN/pickleView" --files --malformed --no-where \
        -f rx -c src1 -m m1m2 --start "2026-01-10 00:00:00" --end "2026-01-10 04:00:00" \
        "$R"/log/m1/rx_src1.log* "$R"/log/m2/rx_src1.log*

# One machine "m12" whose log is both machines' lines in time order (stable:
# equal seconds keep m1 first, as the merge does), collected by statsUpdater.
mkdir -p "$R/log/m12"
cat "$R/log/m1/tx_amis.log" "$R/log/m2/tx_amis.log" | sort -s -t, -k1,1 > "$R/log/m12/tx_amis.log"
check "statsUpdater on the concatenated logs" collect m12 tx
# Every bucket equal, where the min and max occurred included. The malformed
# counts are left out: sorting moves the noise lines without a time to other
# hours (the pxcheck comparison above checks them per machine).
same_json() {
    python3 - "$1" "$2" <<'EOF'
import json, subprocess, sys
def load(p):
    out = subprocess.run(["pickleView", "--json", p], capture_output=True, check=True).stdout
    d = json.loads(out)
    for k in ("machine", "machines", "malformed"):
        d.pop(k, None)
    return d
a, b = load(sys.argv[1]), load(sys.argv[2])
if a != b:
    for i, (x, y) in enumerate(zip(a["buckets"], b["buckets"])):
        if x != y:
            print("# bucket", i, x, y)
            break
sys.exit(a != b)
EOF
}
for h in 00 01 02 03; do
    check "m1m2_$h equals, bucket for bucket, the snapshot of the concatenated logs" same_json "$P/m1m2_$h" "$P/m12_$h"
done
if pickleView --json "$P/m1m2_00" | grep -q '"machines":\["m1","m2"\]'; then ok "the merged snapshot records its machines"; else fail "the merged snapshot records its machines"; fi

# ---- FILE_VERSIONS -----------------------------------------------------------
mtimes() { for h in 00 01 02 03; do stat -c "%n %y" "$P/m1m2_$h" 2>/dev/null || echo "$h missing"; done; }
# Age the merged files, so that a rebuild shows even on coarse timestamps.
age() { touch -d "2001-01-01 00:00:00" "$P"/m1m2_0*; }
age
mtimes > "$TMPROOT/m0"
cp "$S/FILE_VERSIONS" "$TMPROOT/fv0"
expect_status 0 "second run" pickleMerge --root "$R" -c amis -f tx -m m1,m2 -d "2026-01-10 04:00:00" -s 4 -v
stderr_has "0 built, 4 up to date" "nothing changed: nothing rebuilt"
mtimes > "$TMPROOT/m1"
same_files "no merged file touched" "$TMPROOT/m0" "$TMPROOT/m1"
same_files "FILE_VERSIONS unchanged" "$TMPROOT/fv0" "$S/FILE_VERSIONS"
if grep -q "^pickles/amis/$day/tx/m1m2_02 pickles/amis/$day/tx/m2_02 [0-9]*\.[0-9]\{9\} [0-9]* [0-9a-f]\{8\}$" "$S/FILE_VERSIONS"; then
    ok "FILE_VERSIONS names sources with mtime, size and checksum"; else fail "FILE_VERSIONS line format"; fi

# A source whose mtime changed: only its hour is rebuilt.
touch "$P/m2_01"
expect_status 0 "run after touching m2_01" pickleMerge --root "$R" -c amis -f tx -m m1,m2 -d "2026-01-10 04:00:00" -s 4 -v
stderr_has "1 built, 3 up to date" "one rebuilt"
mtimes > "$TMPROOT/m2"
if [ "$(diff "$TMPROOT/m1" "$TMPROOT/m2" | grep -c '^>')" -eq 1 ] && grep -q "m1m2_01" "$TMPROOT/m2" &&
   ! grep -q "$(grep m1m2_01 "$TMPROOT/m1")" "$TMPROOT/m2"; then
    ok "only m1m2_01 has a new mtime"; else fail "only m1m2_01 has a new mtime"; diff "$TMPROOT/m1" "$TMPROOT/m2" | sed 's/^/#   /'; fi

# A machine disappears for an hour: rebuilt from the other, exactly.
mv "$P/m2_03" "$TMPROOT/m2_03"
age
expect_status 0 "run without m2_03" pickleMerge --root "$R" -c amis -f tx -m m1,m2 -d "2026-01-10 04:00:00" -s 4 -v
stderr_has "1 built, 3 up to date" "the hour that lost a machine is rebuilt"
check "m1m2_03 now equals m1's logs alone" verify "2026-01-10 03:00:00" "2026-01-10 04:00:00" "$R"/log/m1/tx_amis.log*
if pickleView --json "$P/m1m2_03" | grep -q '"machines":\["m1"\]'; then ok "and records m1 only"; else fail "and records m1 only"; fi
# ... and comes back: rebuilt with both again.
mv "$TMPROOT/m2_03" "$P/m2_03"
expect_status 0 "run with m2_03 back" pickleMerge --root "$R" -c amis -f tx -m m1,m2 -d "2026-01-10 04:00:00" -s 4 -v
stderr_has "1 built, 3 up to date" "the hour that regained a machine is rebuilt"
check "m1m2_03 equals both machines' logs again" verify "2026-01-10 03:00:00" "2026-01-10 04:00:00" "$R"/log/m1/tx_amis.log* "$R"/log/m2/tx_amis.log*

# A corrupt source: that hour fails and keeps its merge, the others go on.
cp -p "$P/m1_00" "$TMPROOT/m1_00"
printf 'not a snapshot' > "$P/m1_00"
age
mtimes > "$TMPROOT/m3"
expect_status 1 "a corrupt source fails the run" pickleMerge --root "$R" -c amis -f tx -m m1,m2 -d "2026-01-10 04:00:00" -s 4 -v
stderr_has "m1_00: not a pxstats snapshot" "the corrupt file is named"
stderr_has "0 built, 3 up to date, 0 without snapshots, 1 failed" "the other hours are judged"
mtimes > "$TMPROOT/m4"
same_files "the old merge of the failed hour is kept" "$TMPROOT/m3" "$TMPROOT/m4"
# The original back, same mtime, size and checksum as recorded: not rebuilt.
cp -p "$TMPROOT/m1_00" "$P/m1_00"
expect_status 0 "the source restored unchanged" pickleMerge --root "$R" -c amis -f tx -m m1,m2 -d "2026-01-10 04:00:00" -s 4 -v
stderr_has "0 built, 4 up to date" "a source identical to the record rebuilds nothing"

# ---- spans, empty hours, All ---------------------------------------------------
rm "$P/m1m2_02" "$P/m1m2_03"
expect_status 0 "-d 04:30 -s 1 merges hour 03 only" pickleMerge --root "$R" -c amis -f tx -m m1,m2 -d "2026-01-10 04:30:00" -v
if [ -e "$P/m1m2_03" ] && [ ! -e "$P/m1m2_02" ]; then ok "the span is the complete hours before DATE"; else fail "the span is the complete hours before DATE"; fi
expect_status 0 "hours without any snapshot" pickleMerge --root "$R" -c amis -f tx -m m1,m2 -d "2026-01-10 06:00:00" -s 2 -v
stderr_has "0 built, 0 up to date, 2 without snapshots" "are skipped"
if ls "$P" | grep -q 'm1m2_0[45]'; then fail "no merged file for an empty hour"; else ok "no merged file for an empty hour"; fi
expect_status 0 "-c All" pickleMerge --root "$R" -c All -f tx -m m1,m2 -d "2026-01-10 04:00:00" -s 4 -v
if [ -e "$P/m1m2_02" ]; then ok "All merges every client with snapshots"; else fail "All merges every client with snapshots"; fi

# ---- usage -----------------------------------------------------------------------
expect_status 0 "-h" pickleMerge -h
stdout_has "^usage: pickleMerge -c CLIENTS -f tx\\|rx -m MACHINES \\[-d DATE\\] \\[-s HOURS\\]" "-h prints the synopsis"
expect_status 2 "one machine is a usage error" pickleMerge --root "$R" -c amis -f tx -m m1
expect_status 2 "a machine twice is a usage error" pickleMerge --root "$R" -c amis -f tx -m m1,m1
expect_status 2 "-f is required" pickleMerge --root "$R" -c amis -m m1,m2
expect_status 2 "an unsafe client name is a usage error" pickleMerge --root "$R" -c ../x -f tx -m m1,m2
stderr_has "unsafe client name" "names the cause"
expect_status 2 "-s 0 is a usage error" pickleMerge --root "$R" -c amis -f tx -m m1,m2 -s 0
